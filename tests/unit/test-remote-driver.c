/* test-remote-driver.c: the client-side remote driver (remote_driver.c) against a real ternd */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define TERN_REMOTE_DRIVER_PRIV_ALLOW
#include "hypervisor/driver.h"
#include "remote/remote_driver.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

/*
 * Only the remote driver is registered in this process, so everything goes
 * through a ternd started per test group (`ternd --root TMPDIR`, which
 * serves test:///default). The daemon gets PR_SET_PDEATHSIG, so a crashed
 * test never leaves one behind; normally it is killed by PID at the end.
 */

#define TEST_WAIT_US (10 * G_TIME_SPAN_SECOND)

/* the predefined domain of test:///default (test_driver.h) */
#define TEST_DOM_NAME "test"
#define TEST_DOM_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static const char *terndPath;
static GThread *mainThread;

/* ------------------------------------------------------------------------ */
/* the daemon                                                               */
/* ------------------------------------------------------------------------ */

typedef struct {
    GPid pid;
    char *root;
    char *sock;
    char *uri;
    int tcpPort; /* > 0: also listening on 127.0.0.1:tcpPort */
} testDaemon;

static void
testDaemonChildSetup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static bool
testSocketAccepts(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    TERN_AUTOCLOSE fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

/* a TCP port free at the time of asking (the daemon binds it right after) */
static int
testFreeTCPPort(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    TERN_AUTOCLOSE fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
    return ntohs(sa.sin_port);
}

static void
testDaemonStart(testDaemon *d, bool tcp)
{
    g_autoptr(GError) err = NULL;
    const char *argv[] = {terndPath, "--root", NULL, NULL};
    gint64 deadline;

    memset(d, 0, sizeof(*d));
    d->root = g_dir_make_tmp("tern-remote-XXXXXX", &err);
    g_assert_no_error(err);
    d->sock = g_build_filename(d->root, "run", "tern", "tern-sock", NULL);
    d->uri = g_strdup_printf("test+unix:///default?socket=%s", d->sock);
    if (tcp) {
        g_autofree char *etc = g_build_filename(d->root, "etc", "tern", NULL);
        g_autofree char *conf = g_build_filename(etc, "ternd.conf", NULL);
        g_autofree char *text = NULL;

        d->tcpPort = testFreeTCPPort();
        text = g_strdup_printf("listen_tcp = 1\nlisten_addr = \"127.0.0.1\"\n"
                               "tcp_port = \"%d\"\nauth_tcp = \"none\"\n",
                               d->tcpPort);
        g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
        g_file_set_contents(conf, text, -1, &err);
        g_assert_no_error(err);
    }
    argv[2] = d->root;

    g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, testDaemonChildSetup, NULL,
                  &d->pid, &err);
    g_assert_no_error(err);

    deadline = g_get_monotonic_time() + TEST_WAIT_US;
    while (!testSocketAccepts(d->sock)) {
        int status;

        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            d->pid = 0;
            g_error("ternd --root %s exited (status 0x%x) before serving %s", d->root, status,
                    d->sock);
        }
        if (g_get_monotonic_time() > deadline)
            g_error("ternd --root %s did not serve %s within 10 s", d->root, d->sock);
        g_usleep(10 * 1000);
    }
}

static int
testRemoveEntry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void
testDaemonStop(testDaemon *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
        g_spawn_close_pid(d->pid);
        d->pid = 0;
    }
    if (d->root)
        nftw(d->root, testRemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
    g_clear_pointer(&d->root, g_free);
    g_clear_pointer(&d->sock, g_free);
    g_clear_pointer(&d->uri, g_free);
}

/* the daemon most tests share; started by main() */
static testDaemon shared;

static ternConnect *
testOpen(const char *uri, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    ternConnect *conn = ternConnectOpenInternal(uri, flags, &err);

    g_assert_no_error(err);
    g_assert_nonnull(conn);
    g_assert_cmpstr(conn->driver->name, ==, "remote");
    return conn;
}

#define DRV(conn) ((conn)->driver)

static void
testAssertError(const GError *err, int code, const char *message)
{
    g_assert_nonnull(err);
    g_assert_cmpint(ternErrorCodeOf(err), ==, code);
    if (message)
        g_assert_cmpstr(err->message, ==, message);
}

/* @uuid: NULL lets the daemon choose one */
static char *
testDomainXMLUUID(const char *name, const unsigned char *uuid)
{
    char uuidstr[TERN_UUID_STRING_BUFLEN] = "";
    g_autofree char *uuidElem = NULL;

    if (uuid) {
        ternUUIDFormat(uuid, uuidstr);
        uuidElem = g_strdup_printf("  <uuid>%s</uuid>\n", uuidstr);
    }
    return g_strdup_printf("<domain type='test'>\n"
                           "  <name>%s</name>\n"
                           "%s"
                           "  <memory>131072</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os>\n"
                           "    <type>hvm</type>\n"
                           "  </os>\n"
                           "</domain>\n",
                           name, uuidElem ? uuidElem : "");
}

static char *
testDomainXML(const char *name)
{
    return testDomainXMLUUID(name, NULL);
}

static ternDomain *
testDefineUUID(ternConnect *conn, const char *name, const unsigned char *uuid, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = testDomainXMLUUID(name, uuid);
    ternDomain *dom = DRV(conn)->domainDefineXMLFlags(conn, xml, flags, &err);

    g_assert_no_error(err);
    g_assert_nonnull(dom);
    g_assert_cmpstr(dom->name, ==, name);
    g_assert_cmpint(dom->id, ==, -1);
    return dom;
}

static ternDomain *
testDefine(ternConnect *conn, const char *name, unsigned int flags)
{
    return testDefineUUID(conn, name, NULL, flags);
}

static void
testAssertState(ternDomain *dom, int expect)
{
    g_autoptr(GError) err = NULL;
    int state = -1, reason = -1;

    g_assert_true(DRV(dom->conn)->domainGetState(dom, &state, &reason, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(state, ==, expect);
}

/* ------------------------------------------------------------------------ */
/* event collection                                                         */
/* ------------------------------------------------------------------------ */

typedef struct {
    char *name;
    int event;
    int detail;
    int id;
} testEvent;

typedef struct {
    GMutex lock;
    GCond cond;
    GArray *events; /* testEvent */
    int freed;      /* freecb calls */
    bool offThread; /* every callback ran on a thread other than main */
    /* for the deregister-from-callback and last-reference tests */
    int selfID;
    bool selfDeregistered;
    bool block;   /* the callback waits until this is false */
    bool entered; /* the callback is running */
} testEvents;

static void
testEventClear(gpointer p)
{
    g_free(((testEvent *)p)->name);
}

static testEvents *
testEventsNew(void)
{
    testEvents *ev = g_new0(testEvents, 1);

    g_mutex_init(&ev->lock);
    g_cond_init(&ev->cond);
    ev->events = g_array_new(FALSE, TRUE, sizeof(testEvent));
    g_array_set_clear_func(ev->events, testEventClear);
    ev->offThread = true;
    ev->selfID = -1;
    return ev;
}

static void
testEventsFree(testEvents *ev)
{
    g_array_unref(ev->events);
    g_mutex_clear(&ev->lock);
    g_cond_clear(&ev->cond);
    g_free(ev);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(testEvents, testEventsFree)

static void
testEventsFreeCb(void *opaque)
{
    testEvents *ev = opaque;

    g_mutex_lock(&ev->lock);
    ev->freed++;
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
}

static void
testLifecycleCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    testEvents *ev = opaque;
    testEvent e = {.name = g_strdup(dom->name), .event = event, .detail = detail, .id = dom->id};

    g_assert_true(dom->conn == conn);
    g_mutex_lock(&ev->lock);
    g_array_append_val(ev->events, e);
    if (g_thread_self() == mainThread)
        ev->offThread = false;
    ev->entered = true;
    g_cond_broadcast(&ev->cond);
    while (ev->block)
        g_cond_wait(&ev->cond, &ev->lock);
    g_mutex_unlock(&ev->lock);
}

/* deregisters itself on its first event, from the dispatch thread */
static void
testSelfDeregisterCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    testEvents *ev = opaque;
    g_autoptr(GError) err = NULL;
    bool first;

    g_mutex_lock(&ev->lock);
    first = !ev->selfDeregistered;
    ev->selfDeregistered = true;
    g_mutex_unlock(&ev->lock);
    if (first)
        g_assert_true(DRV(conn)->connectDomainEventDeregisterAny(conn, ev->selfID, &err));
    g_assert_no_error(err);
    testLifecycleCb(conn, dom, event, detail, opaque);
}

/* index of the first event @event of @name at or after @from, waiting for it; -1 on timeout */
static int
testEventsWait(testEvents *ev, guint from, const char *name, int event)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;
    int found = -1;

    g_mutex_lock(&ev->lock);
    for (;;) {
        for (guint i = from; i < ev->events->len; i++) {
            testEvent *e = &g_array_index(ev->events, testEvent, i);
            if (g_str_equal(e->name, name) && e->event == event) {
                found = (int)i;
                break;
            }
        }
        if (found >= 0 || !g_cond_wait_until(&ev->cond, &ev->lock, deadline))
            break;
    }
    g_mutex_unlock(&ev->lock);
    return found;
}

static int
testEventsCount(testEvents *ev, const char *name, int event)
{
    int n = 0;

    g_mutex_lock(&ev->lock);
    for (guint i = 0; i < ev->events->len; i++) {
        testEvent *e = &g_array_index(ev->events, testEvent, i);
        if (g_str_equal(e->name, name) && (event < 0 || e->event == event))
            n++;
    }
    g_mutex_unlock(&ev->lock);
    return n;
}

static bool
testEventsWaitFreed(testEvents *ev, int count)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;
    bool ok = true;

    g_mutex_lock(&ev->lock);
    while (ev->freed < count && ok)
        ok = g_cond_wait_until(&ev->cond, &ev->lock, deadline);
    ok = ev->freed >= count;
    g_mutex_unlock(&ev->lock);
    return ok;
}

static int
testRegisterLifecycle(ternConnect *conn, ternDomain *dom, ternConnectDomainEventCallback cb,
                      testEvents *ev)
{
    g_autoptr(GError) err = NULL;
    int id = DRV(conn)->connectDomainEventRegisterAny(conn, dom, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      TERN_DOMAIN_EVENT_CALLBACK(cb), ev,
                                                      testEventsFreeCb, &err);

    g_assert_no_error(err);
    g_assert_cmpint(id, >=, 0);
    return id;
}

static void
testDeregister(ternConnect *conn, int id)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(DRV(conn)->connectDomainEventDeregisterAny(conn, id, &err));
    g_assert_no_error(err);
}

/* ------------------------------------------------------------------------ */
/* tests                                                                    */
/* ------------------------------------------------------------------------ */

static void
testOpenErrors(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternConnect) conn = NULL;

    /* no daemon: the socket named, with the system's reason */
    conn =
        ternConnectOpenInternal("test+unix:///default?socket=/nonexistent-tern/tern-sock", 0, &err);
    g_assert_null(conn);
    testAssertError(
        err, TERN_ERR_SYSTEM_ERROR,
        "Failed to connect socket to '/nonexistent-tern/tern-sock': No such file or directory");
    g_clear_error(&err);

    /* TLS is refused, clearly */
    conn = ternConnectOpenInternal("qemu+tls://192.0.2.1/system", 0, &err);
    g_assert_null(conn);
    testAssertError(err, TERN_ERR_CONFIG_UNSUPPORTED, NULL);
    g_assert_nonnull(strstr(err->message, "TLS transport is not supported yet"));
    g_clear_error(&err);

    /* an in-process URI is declined: no other driver here takes it */
    conn = ternConnectOpenInternal("test:///default", 0, &err);
    g_assert_null(conn);
    testAssertError(err, TERN_ERR_NO_CONNECT, NULL);
    g_clear_error(&err);

    /* a transport tern does not speak */
    conn = ternConnectOpenInternal("qemu+ssh://host/system", 0, &err);
    g_assert_null(conn);
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* the daemon's own refusal of the open name is passed on */
    {
        g_autofree char *uri = g_strdup_printf("xen+unix:///system?socket=%s", shared.sock);
        conn = ternConnectOpenInternal(uri, 0, &err);
        g_assert_null(conn);
        testAssertError(err, TERN_ERR_NO_CONNECT, NULL);
        g_assert_nonnull(strstr(err->message, "xen:///system"));
    }
}

static void
testConnectQueries(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(GError) err = NULL;
    g_autofree char *hostname = NULL;
    g_autofree char *uri = NULL;
    unsigned long ver = 0;
    const char *type, *type2;
    int interval = -1;
    unsigned int count = 0;

    type = DRV(conn)->connectGetType(conn, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(type, ==, "Test");
    type2 = DRV(conn)->connectGetType(conn, &err);
    g_assert_true(type == type2); /* cached: the pointer stays valid */

    g_assert_true(DRV(conn)->connectGetVersion(conn, &ver, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(ver, >, 0);
    g_assert_true(DRV(conn)->connectGetLibVersion(conn, &ver, &err));
    g_assert_cmpuint(ver, ==, TERN_VERSION_NUMBER);

    hostname = DRV(conn)->connectGetHostname(conn, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(hostname, ==, g_get_host_name());

    uri = DRV(conn)->connectGetURI(conn, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(uri, ==, "test:///default");

    g_assert_cmpint(
        DRV(conn)->connectSupportsFeature(conn, TERN_DRV_FEATURE_PROGRAM_KEEPALIVE, &err), ==, 1);
    g_assert_cmpint(
        DRV(conn)->connectSupportsFeature(conn, TERN_DRV_FEATURE_REMOTE_EVENT_CALLBACK, &err), ==,
        1);
    g_assert_no_error(err);
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 1);

    /* keepalive is on after open, with libvirt's defaults */
    remoteConnectGetKeepAlive(conn, &interval, &count);
    g_assert_cmpint(interval, ==, REMOTE_DRIVER_KEEPALIVE_INTERVAL);
    g_assert_cmpuint(count, ==, REMOTE_DRIVER_KEEPALIVE_COUNT);
    g_assert_true(DRV(conn)->connectSetKeepAlive(conn, 7, 3, &err));
    remoteConnectGetKeepAlive(conn, &interval, &count);
    g_assert_cmpint(interval, ==, 7);
    g_assert_cmpuint(count, ==, 3);
    g_assert_true(DRV(conn)->connectSetKeepAlive(conn, 0, 0, &err));
    remoteConnectGetKeepAlive(conn, &interval, &count);
    g_assert_cmpint(interval, ==, 0);
    g_assert_no_error(err);
}

static void
testListAndLookup(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(GError) err = NULL;
    ternDomain **doms = NULL;
    unsigned char uuid[TERN_UUID_BUFLEN];
    char uuidstr[TERN_UUID_STRING_BUFLEN];
    bool seen = false;
    int n, nCount;

    n = DRV(conn)->connectListAllDomains(conn, &doms, TERN_CONNECT_LIST_DOMAINS_ACTIVE, &err);
    g_assert_no_error(err);
    g_assert_cmpint(n, >=, 1);
    g_assert_null(doms[n]);
    for (int i = 0; i < n; i++) {
        if (g_str_equal(doms[i]->name, TEST_DOM_NAME)) {
            seen = true;
            g_assert_cmpint(doms[i]->id, ==, 1);
            ternUUIDFormat(doms[i]->uuid, uuidstr);
            g_assert_cmpstr(uuidstr, ==, TEST_DOM_UUID);
            g_assert_true(doms[i]->conn == conn);
        }
        ternDomainUnrefInternal(doms[i]);
    }
    g_free(doms);
    g_assert_true(seen);

    nCount = DRV(conn)->connectListAllDomains(conn, NULL, TERN_CONNECT_LIST_DOMAINS_ACTIVE, &err);
    g_assert_no_error(err);
    g_assert_cmpint(nCount, ==, n);

    {
        g_autoptr(ternDomain) byName = DRV(conn)->domainLookupByName(conn, TEST_DOM_NAME, &err);
        g_autoptr(ternDomain) byID = NULL;
        g_autoptr(ternDomain) byUUID = NULL;

        g_assert_no_error(err);
        g_assert_cmpint(byName->id, ==, 1);
        byID = DRV(conn)->domainLookupByID(conn, 1, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(byID->name, ==, TEST_DOM_NAME);
        g_assert_true(ternUUIDParse(TEST_DOM_UUID, uuid));
        byUUID = DRV(conn)->domainLookupByUUID(conn, uuid, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(byUUID->name, ==, TEST_DOM_NAME);
        g_assert_cmpmem(byUUID->uuid, TERN_UUID_BUFLEN, uuid, TERN_UUID_BUFLEN);
    }

    /* the daemon's errors arrive unchanged: code, domain and message */
    g_assert_null(DRV(conn)->domainLookupByName(conn, "nope", &err));
    testAssertError(err, TERN_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching name 'nope'");
    g_assert_cmpint(ternErrorDomainFromQuark(err->domain), ==, TERN_FROM_TEST);
    g_clear_error(&err);
    g_assert_null(DRV(conn)->domainLookupByID(conn, 4242, &err));
    testAssertError(err, TERN_ERR_NO_DOMAIN, NULL);
    g_clear_error(&err);
    memset(uuid, 0x42, sizeof(uuid));
    g_assert_null(DRV(conn)->domainLookupByUUID(conn, uuid, &err));
    testAssertError(err, TERN_ERR_NO_DOMAIN, NULL);

    /* the connection still works after errors */
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 1);
}

static void
testLifecycle(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomain) dom = testDefine(conn, "rtest-life", 0);
    g_autoptr(ternDomain) again = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *ostype = NULL;
    ternDomainInfo info = {0};
    int autostart = -1;

    g_assert_cmpint(DRV(conn)->domainIsPersistent(dom, &err), ==, 1);
    g_assert_cmpint(DRV(conn)->domainIsActive(dom, &err), ==, 0);
    g_assert_no_error(err);
    testAssertState(dom, TERN_DOMAIN_SHUTOFF);

    /* DEFINE_XML_FLAGS (350): redefining with VALIDATE */
    again = testDefineUUID(conn, "rtest-life", dom->uuid, TERN_DOMAIN_DEFINE_VALIDATE);
    g_assert_cmpmem(again->uuid, TERN_UUID_BUFLEN, dom->uuid, TERN_UUID_BUFLEN);

    g_assert_true(DRV(conn)->domainCreateWithFlags(dom, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(dom->id, >, 1);
    testAssertState(dom, TERN_DOMAIN_RUNNING);
    g_assert_cmpint(DRV(conn)->domainIsActive(dom, &err), ==, 1);

    /* a second start is the daemon's error, passed on */
    g_assert_false(DRV(conn)->domainCreateWithFlags(dom, 0, &err));
    testAssertError(err, TERN_ERR_OPERATION_INVALID, NULL);
    g_clear_error(&err);

    g_assert_true(DRV(conn)->domainSuspend(dom, &err));
    g_assert_no_error(err);
    testAssertState(dom, TERN_DOMAIN_PAUSED);
    g_assert_true(DRV(conn)->domainResume(dom, &err));
    g_assert_no_error(err);
    testAssertState(dom, TERN_DOMAIN_RUNNING);

    g_assert_true(DRV(conn)->domainGetInfo(dom, &info, &err));
    g_assert_no_error(err);
    g_assert_cmpint(info.state, ==, TERN_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 131072);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);

    xml = DRV(conn)->domainGetXMLDesc(dom, 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(xml, "<name>rtest-life</name>"));
    ostype = DRV(conn)->domainGetOSType(dom, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(ostype, ==, "hvm");

    g_assert_true(DRV(conn)->domainGetAutostart(dom, &autostart, &err));
    g_assert_cmpint(autostart, ==, 0);
    g_assert_true(DRV(conn)->domainSetAutostart(dom, 1, &err));
    g_assert_true(DRV(conn)->domainGetAutostart(dom, &autostart, &err));
    g_assert_cmpint(autostart, ==, 1);
    g_assert_true(DRV(conn)->domainSetAutostart(dom, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(DRV(conn)->domainHasManagedSaveImage(dom, 0, &err), ==, 0);
    g_assert_no_error(err);

    g_assert_true(DRV(conn)->domainDestroyFlags(dom, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(dom->id, ==, -1);
    testAssertState(dom, TERN_DOMAIN_SHUTOFF);

    /* DESTROY_FLAGS (234) and CREATE_WITH_FLAGS with a flag */
    g_assert_true(DRV(conn)->domainCreateWithFlags(dom, TERN_DOMAIN_START_PAUSED, &err));
    g_assert_no_error(err);
    testAssertState(dom, TERN_DOMAIN_PAUSED);
    g_assert_true(DRV(conn)->domainDestroyFlags(dom, TERN_DOMAIN_DESTROY_GRACEFUL, &err));
    g_assert_no_error(err);
    testAssertState(dom, TERN_DOMAIN_SHUTOFF);

    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);
    g_assert_null(DRV(conn)->domainLookupByName(conn, "rtest-life", &err));
    testAssertError(err, TERN_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching name 'rtest-life'");
}

static void
testEventsLifecycle(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    int id, defined, started;

    id = testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    dom = testDefine(conn, "rtest-ev", 0);
    g_assert_true(DRV(conn)->domainCreateWithFlags(dom, 0, &err));
    g_assert_no_error(err);

    defined = testEventsWait(ev, 0, "rtest-ev", TERN_DOMAIN_EVENT_DEFINED);
    g_assert_cmpint(defined, >=, 0);
    started = testEventsWait(ev, (guint)defined + 1, "rtest-ev", TERN_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(started, >, defined);
    g_mutex_lock(&ev->lock);
    g_assert_cmpint(g_array_index(ev->events, testEvent, defined).detail, ==,
                    TERN_DOMAIN_EVENT_DEFINED_ADDED);
    g_assert_cmpint(g_array_index(ev->events, testEvent, defined).id, ==, -1);
    g_assert_cmpint(g_array_index(ev->events, testEvent, started).detail, ==,
                    TERN_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_cmpint(g_array_index(ev->events, testEvent, started).id, ==, dom->id);
    g_assert_true(ev->offThread);
    g_mutex_unlock(&ev->lock);

    testDeregister(conn, id);
    g_assert_cmpint(ev->freed, ==, 1);
    /* a second deregistration of the same ID is an error */
    g_assert_false(DRV(conn)->connectDomainEventDeregisterAny(conn, id, &err));
    testAssertError(err, TERN_ERR_INVALID_ARG, NULL);
    g_clear_error(&err);

    g_assert_true(DRV(conn)->domainDestroyFlags(dom, 0, &err));
    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);

    /* event IDs this driver cannot type (1: libvirt's REBOOT) are refused, not dropped */
    g_assert_cmpint(DRV(conn)->connectDomainEventRegisterAny(
                        conn, NULL, 1,
                        TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb), ev, NULL, &err),
                    ==, -1);
    testAssertError(err, TERN_ERR_NO_SUPPORT, NULL);
    g_clear_error(&err);
    g_assert_cmpint(
        DRV(conn)->connectDomainEventRegisterAny(
            conn, NULL, 999, TERN_DOMAIN_EVENT_CALLBACK(testLifecycleCb), ev, NULL, &err),
        ==, -1);
    testAssertError(err, TERN_ERR_INVALID_ARG, NULL);
}

/* each event goes to the one registration it was sent for */
static void
testEventsRouting(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) all1 = testEventsNew();
    g_autoptr(testEvents) all2 = testEventsNew();
    g_autoptr(testEvents) other = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(ternDomain) otherDom = NULL;
    g_autoptr(GError) err = NULL;
    int id1, id2, idOther;

    otherDom = testDefine(conn, "rtest-route-other", 0);
    id1 = testRegisterLifecycle(conn, NULL, testLifecycleCb, all1);
    id2 = testRegisterLifecycle(conn, NULL, testLifecycleCb, all2);
    idOther = testRegisterLifecycle(conn, otherDom, testLifecycleCb, other);
    g_assert_cmpint(id1, !=, id2);

    dom = testDefine(conn, "rtest-route", 0);
    g_assert_cmpint(testEventsWait(all1, 0, "rtest-route", TERN_DOMAIN_EVENT_DEFINED), >=, 0);
    g_assert_cmpint(testEventsWait(all2, 0, "rtest-route", TERN_DOMAIN_EVENT_DEFINED), >=, 0);

    testDeregister(conn, id1);
    g_assert_cmpint(all1->freed, ==, 1);
    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_true(DRV(conn)->domainUndefineFlags(otherDom, 0, &err));
    g_assert_no_error(err);

    /* the filtered registration sees its domain only; events are delivered in order on one
     * thread, so once all2 and other have their UNDEFINED, all1 would have had its own */
    g_assert_cmpint(testEventsWait(all2, 0, "rtest-route", TERN_DOMAIN_EVENT_UNDEFINED), >=, 0);
    g_assert_cmpint(testEventsWait(other, 0, "rtest-route-other", TERN_DOMAIN_EVENT_UNDEFINED), >=,
                    0);
    g_assert_cmpint(testEventsCount(all1, "rtest-route", TERN_DOMAIN_EVENT_DEFINED), ==, 1);
    g_assert_cmpint(testEventsCount(all2, "rtest-route", TERN_DOMAIN_EVENT_DEFINED), ==, 1);
    g_assert_cmpint(testEventsCount(all1, "rtest-route", TERN_DOMAIN_EVENT_UNDEFINED), ==, 0);
    g_assert_cmpint(testEventsCount(other, "rtest-route", -1), ==, 0);

    testDeregister(conn, id2);
    testDeregister(conn, idOther);
    g_assert_cmpint(all2->freed, ==, 1);
    g_assert_cmpint(other->freed, ==, 1);
}

/* events caused through connection A are seen on connection B */
static void
testEventsTwoConnections(void)
{
    g_autoptr(ternConnect) a = testOpen(shared.uri, 0);
    g_autoptr(ternConnect) b = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    int id, i;

    id = testRegisterLifecycle(b, NULL, testLifecycleCb, ev);
    dom = testDefine(a, "rtest-two", 0);
    g_assert_true(DRV(a)->domainCreateWithFlags(dom, 0, &err));
    g_assert_true(DRV(a)->domainDestroyFlags(dom, 0, &err));
    g_assert_true(DRV(a)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);

    i = testEventsWait(ev, 0, "rtest-two", TERN_DOMAIN_EVENT_DEFINED);
    g_assert_cmpint(i, >=, 0);
    i = testEventsWait(ev, (guint)i + 1, "rtest-two", TERN_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(i, >=, 0);
    i = testEventsWait(ev, (guint)i + 1, "rtest-two", TERN_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(i, >=, 0);
    i = testEventsWait(ev, (guint)i + 1, "rtest-two", TERN_DOMAIN_EVENT_UNDEFINED);
    g_assert_cmpint(i, >=, 0);

    /* the domain handle the callback got belongs to B */
    testDeregister(b, id);
}

/* a callback may deregister itself; that neither deadlocks nor calls it again */
static void
testEventsDeregisterInCallback(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) self = testEventsNew();
    g_autoptr(testEvents) marker = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    int markerID;

    self->selfID = testRegisterLifecycle(conn, NULL, testSelfDeregisterCb, self);
    markerID = testRegisterLifecycle(conn, NULL, testLifecycleCb, marker);
    dom = testDefine(conn, "rtest-selfdereg", 0);
    g_assert_true(testEventsWaitFreed(self, 1));
    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(testEventsWait(marker, 0, "rtest-selfdereg", TERN_DOMAIN_EVENT_UNDEFINED), >=,
                    0);
    g_assert_cmpint(testEventsCount(self, "rtest-selfdereg", -1), ==, 1);
    g_assert_cmpint(self->freed, ==, 1);
    testDeregister(conn, markerID);
}

/* deregistering while the callback runs waits for it to return */
static gpointer
testDeregisterThread(gpointer opaque)
{
    ternConnect *conn = ((gpointer *)opaque)[0];
    int id = GPOINTER_TO_INT(((gpointer *)opaque)[1]);

    testDeregister(conn, id);
    return NULL;
}

static void
testEventsDeregisterWaits(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    gpointer args[2];
    GThread *thread;
    int id;

    ev->block = true;
    id = testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    dom = testDefine(conn, "rtest-dereg-wait", 0);
    g_assert_cmpint(testEventsWait(ev, 0, "rtest-dereg-wait", TERN_DOMAIN_EVENT_DEFINED), >=, 0);

    /* the callback is blocked now; deregistration must not finish before it returns */
    args[0] = conn;
    args[1] = GINT_TO_POINTER(id);
    thread = g_thread_new("test-dereg", testDeregisterThread, args);
    /* a negative check: give a wrong deregistration time to finish too early */
    g_usleep(200 * 1000);
    g_mutex_lock(&ev->lock);
    g_assert_cmpint(ev->freed, ==, 0);
    ev->block = false;
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
    g_thread_join(thread);
    g_assert_cmpint(ev->freed, ==, 1);

    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);
}

/* the last reference dropped by the dispatch thread closes the connection there */
static void
testEventsLastReferenceInCallback(void)
{
    ternConnect *conn = testOpen(shared.uri, 0);
    g_autoptr(ternConnect) other = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    ev->block = true;
    testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    dom = testDefine(other, "rtest-lastref", 0);

    g_mutex_lock(&ev->lock);
    while (!ev->entered)
        g_assert_true(
            g_cond_wait_until(&ev->cond, &ev->lock, g_get_monotonic_time() + TEST_WAIT_US));
    g_mutex_unlock(&ev->lock);

    /* the callback's domain handle now holds the only reference */
    ternConnectUnrefInternal(conn);
    g_mutex_lock(&ev->lock);
    ev->block = false;
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);

    /* the connection closes on the dispatch thread: the registration is freed */
    g_assert_true(testEventsWaitFreed(ev, 1));

    g_assert_true(DRV(other)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);
}

/* closing with registrations still there frees them; nothing hangs */
static void
testEventsCloseRegistered(void)
{
    ternConnect *conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();

    testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    ternConnectUnrefInternal(conn);
    g_assert_cmpint(ev->freed, ==, 2);
}

/* more undelivered events than the driver keeps: the oldest go, the newest arrive */
#define TEST_FLOOD (REMOTE_DRIVER_EVENT_QUEUE_MAX + 2000)

static void
testEventsQueueBound(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    g_autoptr(testEvents) ev = testEventsNew();
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    int id, defined;

    ev->block = true;
    id = testRegisterLifecycle(conn, NULL, testLifecycleCb, ev);
    dom = testDefine(conn, "rtest-flood", 0);
    g_mutex_lock(&ev->lock);
    while (!ev->entered)
        g_assert_true(
            g_cond_wait_until(&ev->cond, &ev->lock, g_get_monotonic_time() + TEST_WAIT_US));
    g_mutex_unlock(&ev->lock);

    /* the callback is stuck in DEFINED/ADDED; each redefinition is one more DEFINED/UPDATED */
    xml = testDomainXMLUUID("rtest-flood", dom->uuid);
    for (int i = 0; i < TEST_FLOOD; i++) {
        g_autoptr(ternDomain) again = DRV(conn)->domainDefineXMLFlags(conn, xml, 0, &err);
        g_assert_no_error(err);
    }
    g_assert_true(DRV(conn)->domainUndefineFlags(dom, 0, &err));
    g_assert_no_error(err);

    g_mutex_lock(&ev->lock);
    ev->block = false;
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);

    /* the newest event is never the one dropped */
    g_assert_cmpint(testEventsWait(ev, 0, "rtest-flood", TERN_DOMAIN_EVENT_UNDEFINED), >=, 0);
    defined = testEventsCount(ev, "rtest-flood", TERN_DOMAIN_EVENT_DEFINED);
    g_assert_cmpuint(remoteConnectGetEventsDropped(conn), >, 0);
    g_assert_cmpint(defined + (int)remoteConnectGetEventsDropped(conn), ==, TEST_FLOOD + 1);
    g_assert_cmpint(g_array_index(ev->events, testEvent, 0).detail, ==,
                    TERN_DOMAIN_EVENT_DEFINED_ADDED);
    testDeregister(conn, id);
}

#define TEST_THREADS 8
#define TEST_CALLS_PER_THREAD 200

static gpointer
testHammerThread(gpointer opaque)
{
    ternConnect *conn = opaque;

    for (int i = 0; i < TEST_CALLS_PER_THREAD; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ternDomain) dom = DRV(conn)->domainLookupByName(conn, TEST_DOM_NAME, &err);
        int state = -1, reason = -1;

        g_assert_no_error(err);
        g_assert_nonnull(dom);
        g_assert_true(DRV(conn)->domainGetState(dom, &state, &reason, 0, &err));
        g_assert_cmpint(state, ==, TERN_DOMAIN_RUNNING);
        if (i % 50 == 0) {
            g_assert_null(DRV(conn)->domainLookupByName(conn, "nope", &err));
            testAssertError(err, TERN_ERR_NO_DOMAIN, NULL);
        }
    }
    return NULL;
}

static void
testThreads(void)
{
    g_autoptr(ternConnect) conn = testOpen(shared.uri, 0);
    GThread *threads[TEST_THREADS];

    for (int i = 0; i < TEST_THREADS; i++)
        threads[i] = g_thread_new("test-hammer", testHammerThread, conn);
    for (int i = 0; i < TEST_THREADS; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 1);
}

/* read-only: the default socket directory ($TERN_SOCKET_DIR, set by main()), the -ro socket */
static void
testReadOnly(void)
{
    g_autoptr(ternConnect) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = testDomainXML("rtest-ro");
    g_autoptr(ternDomain) dom = NULL;

    conn = testOpen("test+unix:///default", TERN_CONNECT_RO);

    dom = DRV(conn)->domainLookupByName(conn, TEST_DOM_NAME, &err);
    g_assert_no_error(err);
    g_assert_null(DRV(conn)->domainDefineXMLFlags(conn, xml, 0, &err));
    testAssertError(err, TERN_ERR_OPERATION_DENIED, NULL);
}

static void
testTCP(void)
{
    testDaemon d;
    g_autofree char *uri = NULL;
    g_autoptr(ternConnect) conn = NULL;
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    testDaemonStart(&d, true);
    uri = g_strdup_printf("test+tcp://127.0.0.1:%d/default", d.tcpPort);
    conn = testOpen(uri, 0);
    dom = DRV(conn)->domainLookupByName(conn, TEST_DOM_NAME, &err);
    g_assert_no_error(err);
    g_assert_cmpint(dom->id, ==, 1);
    g_clear_pointer(&dom, ternDomainUnrefInternal);
    g_clear_pointer(&conn, ternConnectUnrefInternal);
    testDaemonStop(&d);
}

/* a daemon that dies: calls fail with an RPC error at once, the connection is dead */
static void
testDaemonKilled(void)
{
    testDaemon d;
    g_autoptr(ternConnect) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *hostname = NULL;

    testDaemonStart(&d, false);
    conn = testOpen(d.uri, 0);
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 1);
    kill(d.pid, SIGKILL);
    waitpid(d.pid, NULL, 0);
    g_spawn_close_pid(d.pid);
    d.pid = 0;

    hostname = DRV(conn)->connectGetHostname(conn, &err);
    g_assert_null(hostname);
    testAssertError(err, TERN_ERR_RPC, NULL);
    g_assert_cmpint(ternErrorDomainFromQuark(err->domain), ==, TERN_FROM_RPC);
    g_clear_error(&err);
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 0);
    g_assert_null(DRV(conn)->domainLookupByName(conn, TEST_DOM_NAME, &err));
    testAssertError(err, TERN_ERR_RPC, NULL);

    g_clear_pointer(&conn, ternConnectUnrefInternal); /* must not hang */
    testDaemonStop(&d);
}

/* a daemon that freezes: keepalive declares it dead and the waiting call fails */
static void
testDaemonFrozen(void)
{
    testDaemon d;
    g_autoptr(ternConnect) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *hostname = NULL;
    gint64 start;

    testDaemonStart(&d, false);
    conn = testOpen(d.uri, 0);
    kill(d.pid, SIGSTOP);
    g_assert_true(DRV(conn)->connectSetKeepAlive(conn, 1, 1, &err));

    start = g_get_monotonic_time();
    hostname = DRV(conn)->connectGetHostname(conn, &err);
    g_assert_null(hostname);
    testAssertError(err, TERN_ERR_RPC, NULL);
    g_assert_nonnull(strstr(err->message, "keepalive"));
    g_assert_cmpint(g_get_monotonic_time() - start, <, TEST_WAIT_US);
    g_assert_cmpint(DRV(conn)->connectIsAlive(conn), ==, 0);

    g_clear_pointer(&conn, ternConnectUnrefInternal);
    testDaemonStop(&d);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    mainThread = g_thread_self();
    remoteRegister();

    terndPath = g_getenv("TERND");
    if (!terndPath || !g_file_test(terndPath, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("set TERND to the path of a built ternd");
        return g_test_run();
    }
    testDaemonStart(&shared, false);
    {
        /* before any thread exists: setenv is not thread-safe */
        g_autofree char *dir = g_path_get_dirname(shared.sock);
        g_setenv(REMOTE_DRIVER_SOCKET_DIR_ENV, dir, TRUE);
    }

    g_test_add_func("/remote/open-errors", testOpenErrors);
    g_test_add_func("/remote/connect-queries", testConnectQueries);
    g_test_add_func("/remote/list-and-lookup", testListAndLookup);
    g_test_add_func("/remote/lifecycle", testLifecycle);
    g_test_add_func("/remote/events", testEventsLifecycle);
    g_test_add_func("/remote/events-routing", testEventsRouting);
    g_test_add_func("/remote/events-two-connections", testEventsTwoConnections);
    g_test_add_func("/remote/events-deregister-in-callback", testEventsDeregisterInCallback);
    g_test_add_func("/remote/events-deregister-waits", testEventsDeregisterWaits);
    g_test_add_func("/remote/events-last-reference-in-callback", testEventsLastReferenceInCallback);
    g_test_add_func("/remote/events-close-registered", testEventsCloseRegistered);
    g_test_add_func("/remote/events-queue-bound", testEventsQueueBound);
    g_test_add_func("/remote/threads", testThreads);
    g_test_add_func("/remote/read-only", testReadOnly);
    g_test_add_func("/remote/tcp", testTCP);
    g_test_add_func("/remote/daemon-killed", testDaemonKilled);
    g_test_add_func("/remote/daemon-frozen", testDaemonFrozen);

    rc = g_test_run();
    testDaemonStop(&shared);
    return rc;
}
