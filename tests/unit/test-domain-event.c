/* test-domain-event.c: domain events and their delivery (src/hypervisor/domain_event.c) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/domain_event.h"
#include "hypervisor/driver.h"
#include "util/ternerror.h"
#include "testutils.h"

/*
 * Events are delivered on the state's own thread, so every test waits for
 * what it expects with a deadline (never a fixed sleep). To show that an
 * event did NOT reach a callback, a "sentinel" event queued after it is
 * awaited: delivery is in queue order, so once the sentinel arrived the
 * earlier event has been dispatched to everyone it was going to reach.
 */

static const unsigned char uuidA[TERN_UUID_BUFLEN] = {0xaa, 1, 2,  3,  4,  5,  6,  7,
                                                      8,    9, 10, 11, 12, 13, 14, 15};
static const unsigned char uuidB[TERN_UUID_BUFLEN] = {0xbb, 1, 2,  3,  4,  5,  6,  7,
                                                      8,    9, 10, 11, 12, 13, 14, 15};

/* --- callbacks recording what they saw in a sink, as "tag name id payload" lines --- */

typedef struct {
    ternTestRecorder *sink;
    const char *tag;
} testCallbackData;

static void
testFreeCb(void *opaque)
{
    testCallbackData *data = opaque;

    ternTestRecorderFreed(data->sink);
}

static void
testLifecycleCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    testCallbackData *data = opaque;

    g_assert_true(dom->conn == conn);
    ternTestRecorderAdd(data->sink, g_strdup_printf("%s %s %d %d/%d", data->tag, dom->name, dom->id,
                                                    event, detail));
}

static void
testIterationCb(ternConnect *conn, ternDomain *dom, int iteration, void *opaque)
{
    testCallbackData *data = opaque;

    ternTestRecorderAdd(
        data->sink, g_strdup_printf("%s %s %d it=%d", data->tag, dom->name, dom->id, iteration));
}

static int
testRegisterLifecycle(ternObjectEventState *state, ternConnect *conn, const unsigned char *filter,
                      testCallbackData *data)
{
    g_autoptr(GError) err = NULL;
    int id = ternObjectEventStateRegister(state, conn, filter, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                          TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb), data,
                                          testFreeCb, &err);

    g_assert_no_error(err);
    g_assert_cmpint(id, >=, 0);
    return id;
}

static int
testRegisterIteration(ternObjectEventState *state, ternConnect *conn, testCallbackData *data)
{
    g_autoptr(GError) err = NULL;
    int id = ternObjectEventStateRegister(
        state, conn, NULL, TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
        TERN_DOMAIN_EVENT_CALLBACK(testIterationCb), data, testFreeCb, &err);

    g_assert_no_error(err);
    g_assert_cmpint(id, >=, 0);
    return id;
}

static void
testQueueLifecycle(ternObjectEventState *state, const char *name, const unsigned char *uuid, int id,
                   int event, int detail)
{
    ternObjectEventStateQueue(state, ternDomainEventLifecycleNew(name, uuid, id, event, detail));
}

/* --- tests --- */

static void
testEventAccessors(void)
{
    g_autoptr(ternDomainEvent) lc = ternDomainEventLifecycleNew(
        "vm1", uuidA, 3, TERN_DOMAIN_EVENT_STOPPED, TERN_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_autoptr(ternDomainEvent) mi = ternDomainEventMigrationIterationNew("vm2", uuidB, -1, 4);
    int event = -1, detail = -1, iteration = -1;

    g_assert_cmpint(ternDomainEventGetEventID(lc), ==, TERN_DOMAIN_EVENT_ID_LIFECYCLE);
    g_assert_cmpstr(ternDomainEventGetDomainName(lc), ==, "vm1");
    g_assert_cmpmem(ternDomainEventGetDomainUUID(lc), TERN_UUID_BUFLEN, uuidA, TERN_UUID_BUFLEN);
    g_assert_cmpint(ternDomainEventGetDomainID(lc), ==, 3);
    g_assert_true(ternDomainEventGetLifecycle(lc, &event, &detail));
    g_assert_cmpint(event, ==, TERN_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(detail, ==, TERN_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_false(ternDomainEventGetMigrationIteration(lc, &iteration));
    g_assert_cmpint(iteration, ==, -1);

    g_assert_cmpint(ternDomainEventGetEventID(mi), ==, TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION);
    g_assert_cmpstr(ternDomainEventGetDomainName(mi), ==, "vm2");
    g_assert_cmpint(ternDomainEventGetDomainID(mi), ==, -1);
    g_assert_true(ternDomainEventGetMigrationIteration(mi, &iteration));
    g_assert_cmpint(iteration, ==, 4);
    event = detail = -7;
    g_assert_false(ternDomainEventGetLifecycle(mi, &event, &detail));
    g_assert_cmpint(event, ==, -7);

    ternDomainEventFree(NULL);
}

static void
testRegisterUnknownID(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-unknown");
    testCallbackData data = {sink, "x"};
    const int bad[] = {-1, TERN_DOMAIN_EVENT_ID_LAST, 1000};

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *want =
            g_strdup_printf("invalid argument: unsupported event ID %d", bad[i]);

        g_assert_cmpint(ternObjectEventStateRegister(state, conn, NULL, bad[i],
                                                     TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb),
                                                     &data, testFreeCb, &err),
                        ==, -1);
        g_assert_error(err, ternErrorQuark(TERN_FROM_EVENT), TERN_ERR_INVALID_ARG);
        g_assert_cmpstr(err->message, ==, want);
    }
    g_assert_cmpint(sink->freed, ==, 0); /* freecb is not called on failure */

    /* IDs tern never emits register fine and just never fire */
    for (int id = 0; id < TERN_DOMAIN_EVENT_ID_LAST; id++) {
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(ternObjectEventStateRegister(state, conn, NULL, id,
                                                     TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb),
                                                     &data, NULL, &err),
                        ==, id);
        g_assert_no_error(err);
    }
}

static void
testOrder(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-order");
    testCallbackData data = {sink, "a"};
    g_autoptr(GString) want = g_string_new(NULL);
    g_autofree char *got = NULL;

    testRegisterLifecycle(state, conn, NULL, &data);
    for (int i = 0; i < 200; i++) {
        testQueueLifecycle(state, "vm1", uuidA, i, i % TERN_DOMAIN_EVENT_LAST, i % 3);
        g_string_append_printf(want, "%sa vm1 %d %d/%d", i ? "|" : "", i,
                               i % TERN_DOMAIN_EVENT_LAST, i % 3);
    }
    g_assert_true(ternTestRecorderWait(sink, 200));
    got = ternTestRecorderJoin(sink, "|");
    g_assert_cmpstr(got, ==, want->str);
}

static void
testFilters(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-filter");
    testCallbackData all = {sink, "all"};
    testCallbackData onlyA = {sink, "A"};
    testCallbackData iter = {sink, "it"};
    g_autofree char *got = NULL;

    testRegisterLifecycle(state, conn, NULL, &all);
    testRegisterLifecycle(state, conn, uuidA, &onlyA);
    testRegisterIteration(state, conn, &iter);

    testQueueLifecycle(state, "b", uuidB, 2, TERN_DOMAIN_EVENT_STARTED, 0);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    ternObjectEventStateQueue(state, ternDomainEventMigrationIterationNew("a", uuidA, 1, 7));

    g_assert_true(ternTestRecorderWait(sink, 4));
    got = ternTestRecorderJoin(sink, "|");
    /* callbacks of one event run in registration order */
    g_assert_cmpstr(got, ==, "all b 2 2/0|all a 1 2/0|A a 1 2/0|it a 1 it=7");
}

/* Callbacks on two connections each get a handle on their own connection. */
static void
testTwoConnections(void)
{
    g_autoptr(ternConnect) c1 = ternConnectNew("test:///events", 0);
    g_autoptr(ternConnect) c2 = ternConnectNew("test:///events", 0);
    g_autoptr(ternConnect) c3 = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternTestRecorder) sentinelSink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-conns");
    testCallbackData d1 = {sink, "c1"};
    testCallbackData d2 = {sink, "c2"};
    testCallbackData sentinel = {sentinelSink, "s"};
    g_autoptr(GError) err = NULL;
    int id1 = testRegisterLifecycle(state, c1, NULL, &d1);
    int id2 = testRegisterLifecycle(state, c2, NULL, &d2);

    g_assert_cmpint(id1, !=, id2);
    testRegisterIteration(state, c3, &sentinel);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_DEFINED, 0);
    ternObjectEventStateQueue(state, ternDomainEventMigrationIterationNew("a", uuidA, 1, 1));
    g_assert_true(ternTestRecorderWait(sentinelSink, 1));
    g_assert_cmpuint(sink->seen->len, ==, 2);
    /* the dispatcher is done with the first event: its handles and
     * references are gone, only the test's remain */
    g_assert_cmpint(g_atomic_int_get(&c1->refs), ==, 1);
    g_assert_cmpint(g_atomic_int_get(&c2->refs), ==, 1);

    /* another connection's callback ID is not found */
    g_assert_false(ternObjectEventStateDeregister(state, c1, id2, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_EVENT), TERN_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_true(ternObjectEventStateDeregister(state, c2, id2, &err));
    g_assert_no_error(err);
    g_assert_true(ternObjectEventStateDeregister(state, c1, id1, &err));
    g_assert_no_error(err);
}

static void
testDeregister(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternTestRecorder) sentinelSink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-dereg");
    testCallbackData gone = {sink, "gone"};
    testCallbackData sentinel = {sentinelSink, "s"};
    g_autoptr(GError) err = NULL;
    int id = testRegisterLifecycle(state, conn, NULL, &gone);

    testRegisterIteration(state, conn, &sentinel);

    g_assert_false(ternObjectEventStateDeregister(state, conn, 4242, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_EVENT), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, "invalid argument: could not find event callback 4242");
    g_clear_error(&err);

    g_assert_true(ternObjectEventStateDeregister(state, conn, id, &err));
    g_assert_no_error(err);
    g_assert_cmpint(sink->freed, ==, 1); /* on return, freecb has run */

    /* twice is an error, and freecb is not called again */
    g_assert_false(ternObjectEventStateDeregister(state, conn, id, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_EVENT), TERN_ERR_INVALID_ARG);
    g_assert_cmpint(sink->freed, ==, 1);

    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    ternObjectEventStateQueue(state, ternDomainEventMigrationIterationNew("a", uuidA, 1, 1));
    g_assert_true(ternTestRecorderWait(sentinelSink, 1));
    g_assert_cmpuint(sink->seen->len, ==, 0);
}

/* --- deregistration waits for a running callback --- */

typedef struct {
    GMutex lock;
    GCond cond;
    bool entered;  /* the callback is running */
    bool release;  /* the callback may return */
    bool returned; /* the callback returned */
    bool deregistered;
    bool freedAfterReturn; /* freecb saw the callback returned */
    int calls;
    int frees;
    ternObjectEventState *state;
    ternConnect *conn;
    int callbackID;
} testGate;

static void
testGateCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    testGate *gate = opaque;

    g_mutex_lock(&gate->lock);
    gate->calls++;
    gate->entered = true;
    g_cond_broadcast(&gate->cond);
    while (!gate->release)
        g_cond_wait(&gate->cond, &gate->lock);
    gate->returned = true;
    g_mutex_unlock(&gate->lock);
}

static void
testGateFree(void *opaque)
{
    testGate *gate = opaque;

    g_mutex_lock(&gate->lock);
    gate->frees++;
    gate->freedAfterReturn = gate->returned;
    g_cond_broadcast(&gate->cond);
    g_mutex_unlock(&gate->lock);
}

static void
testGateInit(testGate *gate, ternObjectEventState *state, ternConnect *conn)
{
    *gate = (testGate){.state = state, .conn = conn};
    g_mutex_init(&gate->lock);
    g_cond_init(&gate->cond);
}

static void
testGateClear(testGate *gate)
{
    g_cond_clear(&gate->cond);
    g_mutex_clear(&gate->lock);
}

/* Register @cb for lifecycle events (of @filter's domain only, if set) with @gate as its data. */
static void
testGateRegister(testGate *gate, const unsigned char *filter, ternConnectDomainEventCallback cb,
                 ternFreeCallback freecb)
{
    g_autoptr(GError) err = NULL;

    gate->callbackID = ternObjectEventStateRegister(
        gate->state, gate->conn, filter, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
        TERN_DOMAIN_EVENT_CALLBACK(cb), gate, freecb, &err);
    g_assert_no_error(err);
}

/* Wait until testGateCb holds the dispatcher. */
static void
testGateWaitEntered(testGate *gate)
{
    gint64 deadline = g_get_monotonic_time() + TERN_TEST_WAIT_US;

    g_mutex_lock(&gate->lock);
    while (!gate->entered)
        g_assert_true(g_cond_wait_until(&gate->cond, &gate->lock, deadline) || gate->entered);
    g_mutex_unlock(&gate->lock);
}

/* Let testGateCb return. */
static void
testGateRelease(testGate *gate)
{
    g_mutex_lock(&gate->lock);
    gate->release = true;
    g_cond_broadcast(&gate->cond);
    g_mutex_unlock(&gate->lock);
}

static void *
testGateDeregisterThread(void *opaque)
{
    testGate *gate = opaque;
    g_autoptr(GError) err = NULL;
    bool ok = ternObjectEventStateDeregister(gate->state, gate->conn, gate->callbackID, &err);

    g_mutex_lock(&gate->lock);
    g_assert_no_error(err);
    g_assert_true(ok);
    /* on return the callback has returned, and freecb ran after it */
    g_assert_true(gate->returned);
    g_assert_cmpint(gate->frees, ==, 1);
    gate->deregistered = true;
    g_cond_broadcast(&gate->cond);
    g_mutex_unlock(&gate->lock);
    return NULL;
}

static void
testDeregisterWaits(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-wait");
    testGate gate;
    GThread *thread;

    testGateInit(&gate, state, conn);
    testGateRegister(&gate, NULL, testGateCb, testGateFree);

    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STOPPED, 0);
    testGateWaitEntered(&gate);

    thread = g_thread_new("test-dereg", testGateDeregisterThread, &gate);
    /* Proving a negative needs some time: the deregistration must still be
     * waiting 100 ms later, since the callback cannot return yet. */
    g_usleep(100 * G_TIME_SPAN_MILLISECOND);
    g_mutex_lock(&gate.lock);
    g_assert_false(gate.deregistered);
    g_assert_cmpint(gate.frees, ==, 0);
    g_mutex_unlock(&gate.lock);
    testGateRelease(&gate);
    g_thread_join(thread);

    g_assert_true(gate.deregistered);
    g_assert_true(gate.freedAfterReturn);
    g_assert_cmpint(gate.calls, ==, 1); /* the second event never reached it */
    testGateClear(&gate);
}

/* A callback sees only events queued after it registered, even if not yet delivered. */
static void
testRegisteredLate(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-late");
    testCallbackData early = {sink, "early"};
    testCallbackData late = {sink, "late"};
    testGate gate;
    g_autofree char *got = NULL;

    testGateInit(&gate, state, conn);
    /* hold the dispatcher in a callback while the next events wait in the queue */
    testGateRegister(&gate, uuidB, testGateCb, NULL);
    testRegisterLifecycle(state, conn, uuidA, &early);
    testQueueLifecycle(state, "b", uuidB, 2, TERN_DOMAIN_EVENT_STARTED, 0);
    testGateWaitEntered(&gate);

    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    testRegisterLifecycle(state, conn, uuidA, &late);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STOPPED, 0);

    testGateRelease(&gate);
    g_assert_true(ternTestRecorderWait(sink, 3));
    got = ternTestRecorderJoin(sink, "|");
    g_assert_cmpstr(got, ==, "early a 1 2/0|early a 1 5/0|late a 1 5/0");
    ternObjectEventStateDeregisterConn(state, conn);
    testGateClear(&gate);
}

/* --- a callback that deregisters itself --- */

static void
testSelfDeregisterCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    testGate *gate = opaque;
    g_autoptr(GError) err = NULL;

    gate->calls++;
    g_assert_true(ternObjectEventStateDeregister(gate->state, conn, gate->callbackID, &err));
    g_assert_no_error(err);
    /* returns at once, and freecb waits until this callback returns */
    g_assert_cmpint(gate->frees, ==, 0);
    gate->returned = true;
}

static void
testDeregisterSelf(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sentinelSink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-self");
    testCallbackData sentinel = {sentinelSink, "s"};
    testGate gate;
    gint64 deadline = g_get_monotonic_time() + TERN_TEST_WAIT_US;

    testGateInit(&gate, state, conn);
    testGateRegister(&gate, NULL, testSelfDeregisterCb, testGateFree);
    testRegisterLifecycle(state, conn, NULL, &sentinel);

    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STOPPED, 0);
    g_assert_true(ternTestRecorderWait(sentinelSink, 2));

    g_mutex_lock(&gate.lock);
    while (gate.frees < 1)
        g_assert_true(g_cond_wait_until(&gate.cond, &gate.lock, deadline) || gate.frees >= 1);
    g_mutex_unlock(&gate.lock);
    g_assert_cmpint(gate.calls, ==, 1);
    g_assert_cmpint(gate.frees, ==, 1);
    g_assert_true(gate.freedAfterReturn);
    testGateClear(&gate);
}

static void
testDeregisterConn(void)
{
    g_autoptr(ternConnect) c1 = ternConnectNew("test:///events", 0);
    g_autoptr(ternConnect) c2 = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) s1 = ternTestRecorderNew();
    g_autoptr(ternTestRecorder) s2 = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-conn");
    testCallbackData d1 = {s1, "c1"};
    testCallbackData d2 = {s2, "c2"};
    g_autoptr(GError) err = NULL;
    int id;

    testRegisterLifecycle(state, c1, NULL, &d1);
    testRegisterLifecycle(state, c1, uuidA, &d1);
    id = testRegisterIteration(state, c1, &d1);
    testRegisterLifecycle(state, c2, NULL, &d2);

    ternObjectEventStateDeregisterConn(state, c1);
    g_assert_cmpint(s1->freed, ==, 3);
    g_assert_cmpint(s2->freed, ==, 0);
    g_assert_false(ternObjectEventStateDeregister(state, c1, id, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_EVENT), TERN_ERR_INVALID_ARG);

    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    g_assert_true(ternTestRecorderWait(s2, 1));
    g_assert_cmpuint(s1->seen->len, ==, 0);

    ternObjectEventStateDeregisterConn(state, c1); /* nothing left: a no-op */
    g_assert_cmpint(s1->freed, ==, 3);
}

/* Freeing the state frees what is left: callbacks (freecb) and queued events. */
static void
testStateFree(void)
{
    ternObjectEventState *state = ternObjectEventStateNew("ev-free");
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    testCallbackData data = {sink, "a"};
    testGate gate;

    testGateInit(&gate, state, conn);
    /* hold the thread in a callback so events pile up behind it */
    testGateRegister(&gate, NULL, testGateCb, testGateFree);
    testRegisterLifecycle(state, conn, NULL, &data);
    testRegisterIteration(state, conn, &data);
    for (int i = 0; i < 10; i++)
        testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);

    testGateWaitEntered(&gate);
    testGateRelease(&gate);

    ternObjectEventStateFree(state);
    g_assert_cmpint(gate.frees, ==, 1);
    g_assert_cmpint(sink->freed, ==, 2);
    g_assert_cmpuint(sink->seen->len, <=, 10);
    ternObjectEventStateFree(NULL);
    testGateClear(&gate);
}

/* --- a connection closed by the dispatcher's own reference --- */

static ternObjectEventState *closingState;
static GThread *closedOnThread;
static gint closedCount;

static void
testClosingConnectClose(ternConnect *conn)
{
    closedOnThread = g_thread_self();
    g_atomic_int_inc(&closedCount);
    ternObjectEventStateDeregisterConn(closingState, conn);
}

static const ternHypervisorDriver testClosingDriver = {
    .name = "closing",
    .connectClose = testClosingConnectClose,
};

static GThread *callbackThread;

static void
testDropConnCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    callbackThread = g_thread_self();
    /* drop the application's last reference from within the callback: the
     * dispatcher's and the handle's keep the connection alive until we return */
    ternConnectUnrefInternal(conn);
    g_assert_cmpint(g_atomic_int_get(&closedCount), ==, 0);
}

static void
testLastRefInCallback(void)
{
    ternConnect *conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-close");
    testCallbackData data = {sink, "x"};
    g_autoptr(GError) err = NULL;

    closingState = state;
    conn->driver = &testClosingDriver;
    ternObjectEventStateRegister(state, conn, NULL, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                 TERN_DOMAIN_EVENT_CALLBACK(testDropConnCb), &data, testFreeCb,
                                 &err);
    g_assert_no_error(err);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);

    /* the close deregisters the callback: its freecb tells us it happened */
    g_assert_cmpint(ternTestRecorderWaitFreed(sink, 1), >=, 1);
    g_assert_cmpint(g_atomic_int_get(&closedCount), ==, 1);
    g_assert_true(closedOnThread == callbackThread);
}

/* Events about a connection already being closed (refs at zero) are not delivered. */
static void
testClosedConnSkipped(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternConnect) other = ternConnectNew("test:///events", 0);
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    g_autoptr(ternTestRecorder) sentinelSink = ternTestRecorderNew();
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-closed");
    testCallbackData data = {sink, "x"};
    testCallbackData sentinel = {sentinelSink, "s"};

    testRegisterLifecycle(state, conn, NULL, &data);
    testRegisterLifecycle(state, other, NULL, &sentinel);
    /* as between the last unref and connectClose's deregistration */
    g_atomic_int_set(&conn->refs, 0);
    testQueueLifecycle(state, "a", uuidA, 1, TERN_DOMAIN_EVENT_STARTED, 0);
    g_assert_true(ternTestRecorderWait(sentinelSink, 1));
    g_assert_cmpuint(sink->seen->len, ==, 0);
    ternObjectEventStateDeregisterConn(state, conn);
    g_atomic_int_set(&conn->refs, 1);
}

/* Many threads queue and (de)register at once; each queue's own order holds. */
typedef struct {
    ternObjectEventState *state;
    ternConnect *conn;
    int n;
} testStressData;

static void *
testStressThread(void *opaque)
{
    testStressData *d = opaque;
    g_autoptr(ternTestRecorder) sink = ternTestRecorderNew();
    testCallbackData data = {sink, "t"};

    for (int i = 0; i < 50; i++) {
        g_autoptr(GError) err = NULL;
        int id = ternObjectEventStateRegister(
            d->state, d->conn, NULL, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
            TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb), &data, testFreeCb, &err);
        g_assert_cmpint(id, >=, 0);
        testQueueLifecycle(d->state, "s", uuidA, d->n, TERN_DOMAIN_EVENT_STARTED, i);
        g_assert_true(ternObjectEventStateDeregister(d->state, d->conn, id, &err));
        g_assert_no_error(err);
    }
    g_assert_cmpint(sink->freed, ==, 50);
    return NULL;
}

static void
testStress(void)
{
    g_autoptr(ternConnect) conn = ternConnectNew("test:///events", 0);
    g_autoptr(ternObjectEventState) state = ternObjectEventStateNew("ev-stress");
    testStressData data[16];
    GThread *threads[16];

    for (int i = 0; i < 16; i++) {
        data[i] = (testStressData){state, conn, i};
        threads[i] = g_thread_new("test-stress", testStressThread, &data[i]);
    }
    for (int i = 0; i < 16; i++)
        g_thread_join(threads[i]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domain-event/accessors", testEventAccessors);
    g_test_add_func("/domain-event/register/unknown-id", testRegisterUnknownID);
    g_test_add_func("/domain-event/order", testOrder);
    g_test_add_func("/domain-event/filters", testFilters);
    g_test_add_func("/domain-event/two-connections", testTwoConnections);
    g_test_add_func("/domain-event/registered-late", testRegisteredLate);
    g_test_add_func("/domain-event/deregister/basic", testDeregister);
    g_test_add_func("/domain-event/deregister/waits-for-callback", testDeregisterWaits);
    g_test_add_func("/domain-event/deregister/from-own-callback", testDeregisterSelf);
    g_test_add_func("/domain-event/deregister/connection", testDeregisterConn);
    g_test_add_func("/domain-event/state-free", testStateFree);
    g_test_add_func("/domain-event/close/last-ref-in-callback", testLastRefInCallback);
    g_test_add_func("/domain-event/close/closing-conn-skipped", testClosedConnSkipped);
    g_test_add_func("/domain-event/stress", testStress);
    return g_test_run();
}
