/* domain_event.c: domain events and their delivery to registered callbacks on a named thread */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/domain_event.h"
#include "util/terntypedparam.h"
#include "util/ternerror.h"
#include "util/ternlog.h"

/* --- events --- */

struct _ternDomainEvent {
    int eventID; /* ternDomainEventID: says which member of @data is set */
    char *name;
    unsigned char uuid[TERN_UUID_BUFLEN];
    int id;
    guint64 seq; /* set when queued: the callbacks registered before that see it */
    union {
        struct {
            int event;
            int detail;
        } lifecycle;
        struct {
            int iteration;
        } migrationIteration;
        struct {
            ternTypedParameter *params; /* owned */
            int nparams;
        } jobCompleted;
    } data;
};

static ternDomainEvent *
ternDomainEventNew(int eventID, const char *name, const unsigned char *uuid, int id)
{
    ternDomainEvent *ev = g_new0(ternDomainEvent, 1);

    ev->eventID = eventID;
    ev->name = g_strdup(name);
    memcpy(ev->uuid, uuid, TERN_UUID_BUFLEN);
    ev->id = id;
    return ev;
}

ternDomainEvent *
ternDomainEventLifecycleNew(const char *name, const unsigned char *uuid, int id, int event,
                            int detail)
{
    ternDomainEvent *ev = ternDomainEventNew(TERN_DOMAIN_EVENT_ID_LIFECYCLE, name, uuid, id);

    ev->data.lifecycle.event = event;
    ev->data.lifecycle.detail = detail;
    return ev;
}

ternDomainEvent *
ternDomainEventMigrationIterationNew(const char *name, const unsigned char *uuid, int id,
                                     int iteration)
{
    ternDomainEvent *ev =
        ternDomainEventNew(TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION, name, uuid, id);

    ev->data.migrationIteration.iteration = iteration;
    return ev;
}

ternDomainEvent *
ternDomainEventJobCompletedNew(const char *name, const unsigned char *uuid, int id,
                               ternTypedParameter *params, int nparams)
{
    ternDomainEvent *ev = ternDomainEventNew(TERN_DOMAIN_EVENT_ID_JOB_COMPLETED, name, uuid, id);

    ev->data.jobCompleted.params = params;
    ev->data.jobCompleted.nparams = nparams;
    return ev;
}

void
ternDomainEventFree(ternDomainEvent *ev)
{
    if (!ev)
        return;
    if (ev->eventID == TERN_DOMAIN_EVENT_ID_JOB_COMPLETED)
        ternTypedParamsFree(ev->data.jobCompleted.params, ev->data.jobCompleted.nparams);
    g_free(ev->name);
    g_free(ev);
}

int
ternDomainEventGetEventID(const ternDomainEvent *ev)
{
    return ev->eventID;
}

const char *
ternDomainEventGetDomainName(const ternDomainEvent *ev)
{
    return ev->name;
}

const unsigned char *
ternDomainEventGetDomainUUID(const ternDomainEvent *ev)
{
    return ev->uuid;
}

int
ternDomainEventGetDomainID(const ternDomainEvent *ev)
{
    return ev->id;
}

bool
ternDomainEventGetLifecycle(const ternDomainEvent *ev, int *event, int *detail)
{
    if (ev->eventID != TERN_DOMAIN_EVENT_ID_LIFECYCLE)
        return false;
    *event = ev->data.lifecycle.event;
    *detail = ev->data.lifecycle.detail;
    return true;
}

bool
ternDomainEventGetMigrationIteration(const ternDomainEvent *ev, int *iteration)
{
    if (ev->eventID != TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION)
        return false;
    *iteration = ev->data.migrationIteration.iteration;
    return true;
}

bool
ternDomainEventGetJobCompleted(const ternDomainEvent *ev, const ternTypedParameter **params,
                               int *nparams)
{
    if (ev->eventID != TERN_DOMAIN_EVENT_ID_JOB_COMPLETED)
        return false;
    *params = ev->data.jobCompleted.params;
    *nparams = ev->data.jobCompleted.nparams;
    return true;
}

/* --- calling a callback with the signature of its event ID --- */

/* Generic callback pointers are cast back through void (*)(void), the
 * function type GCC's -Wcast-function-type lets match anything. */
#define TERN_EVENT_CB_CAST(type, cb) ((type)(void (*)(void))(cb))

typedef void (*ternDomainEventDispatchFunc)(ternConnectDomainEventGenericCallback cb,
                                            ternConnect *conn, ternDomain *dom,
                                            const ternDomainEvent *ev, void *opaque);

static void
ternDomainEventDispatchLifecycle(ternConnectDomainEventGenericCallback cb, ternConnect *conn,
                                 ternDomain *dom, const ternDomainEvent *ev, void *opaque)
{
    TERN_EVENT_CB_CAST(ternConnectDomainEventCallback, cb)
    (conn, dom, ev->data.lifecycle.event, ev->data.lifecycle.detail, opaque);
}

static void
ternDomainEventDispatchMigrationIteration(ternConnectDomainEventGenericCallback cb,
                                          ternConnect *conn, ternDomain *dom,
                                          const ternDomainEvent *ev, void *opaque)
{
    TERN_EVENT_CB_CAST(ternConnectDomainEventMigrationIterationCallback, cb)
    (conn, dom, ev->data.migrationIteration.iteration, opaque);
}

static void
ternDomainEventDispatchJobCompleted(ternConnectDomainEventGenericCallback cb, ternConnect *conn,
                                    ternDomain *dom, const ternDomainEvent *ev, void *opaque)
{
    TERN_EVENT_CB_CAST(ternConnectDomainEventJobCompletedCallback, cb)
    (conn, dom, ev->data.jobCompleted.params, ev->data.jobCompleted.nparams, opaque);
}

/* The event IDs tern emits; only these have constructors above. */
static const ternDomainEventDispatchFunc ternDomainEventDispatchers[TERN_DOMAIN_EVENT_ID_LAST] = {
    [TERN_DOMAIN_EVENT_ID_LIFECYCLE] = ternDomainEventDispatchLifecycle,
    [TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION] = ternDomainEventDispatchMigrationIteration,
    [TERN_DOMAIN_EVENT_ID_JOB_COMPLETED] = ternDomainEventDispatchJobCompleted,
};

/* --- the state --- */

/*
 * A registered callback. Refcounted so the dispatch thread can keep one
 * across the unlocked call while a deregistration unlinks it; everything
 * else is read and written under the state's lock.
 */
typedef struct {
    gint refs;
    int callbackID;
    ternConnect *conn; /* borrowed: valid until ternObjectEventStateDeregisterConn */
    bool filtered;
    unsigned char uuid[TERN_UUID_BUFLEN];
    int eventID;
    ternConnectDomainEventGenericCallback cb;
    void *opaque;
    ternFreeCallback freecb;
    guint64 firstSeq;  /* the first event sequence number it may see */
    bool deleted;      /* deregistered: never called again */
    bool freeDeferred; /* deregistered from within itself: the dispatcher calls freecb */
} ternObjectEventCallback;

struct _ternObjectEventState {
    GMutex lock;
    GCond wakeup;                     /* an event was queued, or quit */
    GCond idle;                       /* the running callback returned */
    GQueue queue;                     /* of ternDomainEvent*, oldest first */
    GPtrArray *callbacks;             /* ternObjectEventCallback*, one reference each */
    ternObjectEventCallback *running; /* being called on the dispatch thread, or NULL */
    int nextCallbackID;
    guint64 lastSeq; /* of the last event queued */
    bool quit;
    char *name;
    GThread *thread;
};

static ternObjectEventCallback *
ternObjectEventCallbackRef(ternObjectEventCallback *cb)
{
    g_atomic_int_inc(&cb->refs);
    return cb;
}

static void
ternObjectEventCallbackUnref(void *opaque)
{
    ternObjectEventCallback *cb = opaque;

    if (cb && g_atomic_int_dec_and_test(&cb->refs))
        g_free(cb);
}

static bool
ternObjectEventCallbackMatches(const ternObjectEventCallback *cb, const ternDomainEvent *ev)
{
    if (cb->deleted || cb->eventID != ev->eventID || ev->seq < cb->firstSeq)
        return false;
    return !cb->filtered || memcmp(cb->uuid, ev->uuid, TERN_UUID_BUFLEN) == 0;
}

/*
 * Deliver @ev to every matching callback. Called and returns with the lock
 * held; drops it around each call. The callbacks are snapshotted first:
 * those registered meanwhile do not see @ev, those deregistered meanwhile
 * are skipped.
 */
static void
ternObjectEventStateDispatch(ternObjectEventState *state, const ternDomainEvent *ev)
{
    ternDomainEventDispatchFunc dispatch = ternDomainEventDispatchers[ev->eventID];
    g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(ternObjectEventCallbackUnref);

    if (!dispatch)
        return;
    for (guint i = 0; i < state->callbacks->len; i++) {
        ternObjectEventCallback *cb = g_ptr_array_index(state->callbacks, i);
        if (ternObjectEventCallbackMatches(cb, ev))
            g_ptr_array_add(targets, ternObjectEventCallbackRef(cb));
    }

    for (guint i = 0; i < targets->len; i++) {
        ternObjectEventCallback *cb = g_ptr_array_index(targets, i);
        ternConnect *conn = cb->conn;
        ternDomain *dom;
        bool callFree = false;

        if (cb->deleted || !ternConnectTryRef(conn))
            continue;
        state->running = cb;
        g_mutex_unlock(&state->lock);

        dom = ternDomainNew(conn, ev->name, ev->uuid, ev->id);
        dispatch(cb->cb, conn, dom, ev, cb->opaque);
        ternDomainUnrefInternal(dom);
        /* Drop our reference while still "running", so that a deregistration
         * returning means no reference of ours is left. If it is the last
         * one, connectClose runs here and deregisters the connection's
         * callbacks; for this one (running, on this thread) that leaves the
         * freecb to us, below. */
        ternConnectUnrefInternal(conn);

        g_mutex_lock(&state->lock);
        state->running = NULL;
        g_cond_broadcast(&state->idle);
        callFree = cb->freeDeferred; /* deregistered from within itself or its close */
        g_mutex_unlock(&state->lock);

        if (callFree && cb->freecb)
            cb->freecb(cb->opaque);

        g_mutex_lock(&state->lock);
    }
}

static void *
ternObjectEventStateThread(void *opaque)
{
    ternObjectEventState *state = opaque;

    g_mutex_lock(&state->lock);
    for (;;) {
        ternDomainEvent *ev;

        while (!state->quit && g_queue_is_empty(&state->queue))
            g_cond_wait(&state->wakeup, &state->lock);
        if (state->quit)
            break;
        ev = g_queue_pop_head(&state->queue);
        ternObjectEventStateDispatch(state, ev);
        /* free the event outside the lock: it owns nothing that needs it */
        g_mutex_unlock(&state->lock);
        ternDomainEventFree(ev);
        g_mutex_lock(&state->lock);
    }
    g_mutex_unlock(&state->lock);
    return NULL;
}

ternObjectEventState *
ternObjectEventStateNew(const char *name)
{
    ternObjectEventState *state = g_new0(ternObjectEventState, 1);

    g_mutex_init(&state->lock);
    g_cond_init(&state->wakeup);
    g_cond_init(&state->idle);
    g_queue_init(&state->queue);
    state->callbacks = g_ptr_array_new_with_free_func(ternObjectEventCallbackUnref);
    state->name = g_strdup(name);
    state->thread = g_thread_new(state->name, ternObjectEventStateThread, state);
    return state;
}

void
ternObjectEventStateFree(ternObjectEventState *state)
{
    if (!state)
        return;
    g_return_if_fail(g_thread_self() != state->thread);

    g_mutex_lock(&state->lock);
    state->quit = true;
    g_cond_signal(&state->wakeup);
    g_mutex_unlock(&state->lock);
    g_thread_join(state->thread);

    g_queue_clear_full(&state->queue, (GDestroyNotify)ternDomainEventFree);
    for (guint i = 0; i < state->callbacks->len; i++) {
        ternObjectEventCallback *cb = g_ptr_array_index(state->callbacks, i);
        if (cb->freecb)
            cb->freecb(cb->opaque);
    }
    g_ptr_array_unref(state->callbacks);
    g_cond_clear(&state->wakeup);
    g_cond_clear(&state->idle);
    g_mutex_clear(&state->lock);
    g_free(state->name);
    g_free(state);
}

int
ternObjectEventStateRegister(ternObjectEventState *state, ternConnect *conn,
                             const unsigned char *uuidFilter, int eventID,
                             ternConnectDomainEventGenericCallback cb, void *opaque,
                             ternFreeCallback freecb, GError **error)
{
    ternObjectEventCallback *reg;
    int id;

    if (eventID < 0 || eventID >= TERN_DOMAIN_EVENT_ID_LAST) {
        ternErrorSet(error, TERN_FROM_EVENT, TERN_ERR_INVALID_ARG, "unsupported event ID %d",
                     eventID);
        return -1;
    }
    if (!cb) {
        ternErrorSet(error, TERN_FROM_EVENT, TERN_ERR_INVALID_ARG,
                     "no callback given for event ID %d", eventID);
        return -1;
    }

    reg = g_new0(ternObjectEventCallback, 1);
    reg->refs = 1;
    reg->conn = conn;
    if (uuidFilter) {
        reg->filtered = true;
        memcpy(reg->uuid, uuidFilter, TERN_UUID_BUFLEN);
    }
    reg->eventID = eventID;
    reg->cb = cb;
    reg->opaque = opaque;
    reg->freecb = freecb;

    g_mutex_lock(&state->lock);
    if (state->nextCallbackID == G_MAXINT) {
        g_mutex_unlock(&state->lock);
        g_free(reg);
        ternErrorSet(error, TERN_FROM_EVENT, TERN_ERR_OPERATION_FAILED,
                     "no event callback IDs left in '%s'", state->name);
        return -1;
    }
    id = reg->callbackID = state->nextCallbackID++;
    reg->firstSeq = state->lastSeq + 1; /* nothing that happened before registering */
    g_ptr_array_add(state->callbacks, reg);
    g_mutex_unlock(&state->lock);

    TERN_DEBUG("%s: callback %d for event ID %d on connection %p", state->name, id, eventID,
               (void *)conn);
    return id;
}

/*
 * Unlink the callback at @index (lock held) and wait until it is not
 * running, unless this thread is the one running it: then its freecb is
 * left to the dispatcher, to call once it returns. Returns a reference for
 * ternObjectEventCallbackFinish, to be called without the lock. The lock
 * may be dropped while waiting.
 */
static ternObjectEventCallback *
ternObjectEventStateUnlink(ternObjectEventState *state, guint index)
{
    ternObjectEventCallback *cb =
        ternObjectEventCallbackRef(g_ptr_array_index(state->callbacks, index));

    cb->deleted = true;
    g_ptr_array_remove_index(state->callbacks, index); /* drops the array's reference */
    if (g_thread_self() != state->thread) {
        while (state->running == cb)
            g_cond_wait(&state->idle, &state->lock);
    }
    if (state->running == cb)
        cb->freeDeferred = true;
    return cb;
}

/* Call the freecb of the unlinked @cb unless the dispatcher will, and drop the reference. */
static void
ternObjectEventCallbackFinish(ternObjectEventCallback *cb)
{
    if (!cb->freeDeferred && cb->freecb)
        cb->freecb(cb->opaque);
    ternObjectEventCallbackUnref(cb);
}

bool
ternObjectEventStateDeregister(ternObjectEventState *state, ternConnect *conn, int callbackID,
                               GError **error)
{
    ternObjectEventCallback *cb = NULL;

    g_mutex_lock(&state->lock);
    for (guint i = 0; i < state->callbacks->len; i++) {
        ternObjectEventCallback *c = g_ptr_array_index(state->callbacks, i);

        if (c->callbackID == callbackID && c->conn == conn) {
            cb = ternObjectEventStateUnlink(state, i);
            break;
        }
    }
    g_mutex_unlock(&state->lock);

    if (!cb) {
        ternErrorSet(error, TERN_FROM_EVENT, TERN_ERR_INVALID_ARG,
                     "could not find event callback %d", callbackID);
        return false;
    }
    ternObjectEventCallbackFinish(cb);
    return true;
}

void
ternObjectEventStateDeregisterConn(ternObjectEventState *state, ternConnect *conn)
{
    g_autoptr(GPtrArray) done = g_ptr_array_new();
    guint i = 0;

    g_mutex_lock(&state->lock);
    while (i < state->callbacks->len) {
        ternObjectEventCallback *c = g_ptr_array_index(state->callbacks, i);

        if (c->conn != conn) {
            i++;
            continue;
        }
        /* Unlink may drop the lock while waiting and the array may change
         * meanwhile: start over from the beginning after each one. */
        g_ptr_array_add(done, ternObjectEventStateUnlink(state, i));
        i = 0;
    }
    g_mutex_unlock(&state->lock);

    for (i = 0; i < done->len; i++)
        ternObjectEventCallbackFinish(g_ptr_array_index(done, i));
}

void
ternObjectEventStateQueue(ternObjectEventState *state, ternDomainEvent *ev)
{
    g_mutex_lock(&state->lock);
    if (state->quit) {
        g_mutex_unlock(&state->lock);
        ternDomainEventFree(ev);
        return;
    }
    ev->seq = ++state->lastSeq;
    g_queue_push_tail(&state->queue, ev);
    g_cond_signal(&state->wakeup);
    g_mutex_unlock(&state->lock);
}
