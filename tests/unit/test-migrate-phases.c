/* test-migrate-phases.c: libtern's migration sequences, through the remote driver and ternd's dispatcher */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hypervisor/driver.h"
#include "remote/remote_dispatch.h"
#include "rpc/ternnetserver.h"
#include "util/ternerror.h"
#include "util/ternutil.h"
#include "testutilslibtern.h"

/*
 * Everything a migration goes through, except QEMU: libtern's public
 * functions (compiled into this program), the remote driver, the RPC
 * client, two in-process RPC servers with ternd's own dispatcher
 * (remote_dispatch.c), and behind each of them "Fake", a hypervisor driver
 * that writes every call it gets, with its flags, cookie and typed
 * parameters, into one log. Calls are synchronous, so the log is the order
 * in which libtern drove the two hosts: each case compares it line by
 * line with what libvirt-wire.md 4.2 and 4.5 prescribe, and knobs make a
 * phase fail to check the rules for what follows.
 *
 * The client opens "fake+unix:///src?socket=..." (the remote driver takes
 * it); the dispatcher opens "fake:///src" (Fake takes it). Fake is
 * registered first, so it sees both and declines the first.
 */

#define VM "vm"
#define VM_UUID "5b3c6a8e-2f1d-4c1b-9e0a-7d4f3e2a1b0c"
#define BEGIN_XML "<domain/>"
#define PREPARE_URI "tcp:192.0.2.2:49152"
#define P2P_URI "qemu+tcp://192.0.2.2/system"

/* ------------------------------------------------------------------------ */
/* Fake: a hypervisor driver that records                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;   /* "src", "dst" */
    int features[17];   /* connectSupportsFeature's answers */
    int state;          /* domainGetState's answer */
    bool failPrepare;
    bool noUriOut;      /* Prepare returns no uri_out */
    bool failPerform;
    int performErrorCode; /* the failed Perform's code (0: OPERATION_ABORTED) */
    bool failFinish;    /* also when not cancelled */
    bool failConfirm;
} fakeHost;

static fakeHost fakeHosts[2];
static GMutex fakeLock;
static GPtrArray *fakeLog; /* char *, under fakeLock */

static void fakeLogAdd(const fakeHost *h, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fakeLogAdd(const fakeHost *h, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&fakeLock);
    g_ptr_array_add(fakeLog, g_strdup_printf("%s %s", h->name, text));
    g_mutex_unlock(&fakeLock);
}

/* "[name=t:value, ...]" with t one of i ui ll ull d b s */
static char *
fakeParamsFormat(const ternTypedParameter *params, int n)
{
    GString *out = g_string_new("[");

    for (int i = 0; i < n; i++) {
        const ternTypedParameter *p = &params[i];

        if (i > 0)
            g_string_append(out, ", ");
        g_string_append_printf(out, "%s=", p->field);
        switch (p->type) {
        case TERN_TYPED_PARAM_INT:
            g_string_append_printf(out, "i:%d", p->value.i);
            break;
        case TERN_TYPED_PARAM_UINT:
            g_string_append_printf(out, "ui:%u", p->value.ui);
            break;
        case TERN_TYPED_PARAM_LLONG:
            g_string_append_printf(out, "ll:%lld", p->value.l);
            break;
        case TERN_TYPED_PARAM_ULLONG:
            g_string_append_printf(out, "ull:%llu", p->value.ul);
            break;
        case TERN_TYPED_PARAM_DOUBLE:
            g_string_append_printf(out, "d:%g", p->value.d);
            break;
        case TERN_TYPED_PARAM_BOOLEAN:
            g_string_append_printf(out, "b:%d", p->value.b);
            break;
        case TERN_TYPED_PARAM_STRING:
            g_string_append_printf(out, "s:%s", p->value.s);
            break;
        default:
            g_string_append_printf(out, "?%d", p->type);
            break;
        }
    }
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

/* the cookie as text ("-" when empty): the fake's cookies are short words */
static char *
fakeCookieFormat(const char *cookie, int len)
{
    return len > 0 ? g_strndup(cookie, (gsize)len) : g_strdup("-");
}

static void
fakeCookieSet(const char *word, char **cookieout, int *cookieoutlen)
{
    *cookieout = g_strdup(word);
    *cookieoutlen = (int)strlen(word);
}

static fakeHost *
fakeHostOf(ternConnect *conn)
{
    return conn->privateData;
}

static ternDrvOpenStatus
fakeConnectOpen(ternConnect *conn, const char *uri, unsigned int flags, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fakeHosts); i++) {
        g_autofree char *mine = g_strdup_printf("fake:///%s", fakeHosts[i].name);

        if (g_str_equal(uri, mine)) {
            conn->privateData = &fakeHosts[i];
            return TERN_DRV_OPEN_SUCCESS;
        }
    }
    return TERN_DRV_OPEN_DECLINED;
}

static void
fakeConnectClose(ternConnect *conn)
{
    conn->privateData = NULL;
}

static int
fakeConnectSupportsFeature(ternConnect *conn, int feature, GError **error)
{
    fakeHost *h = fakeHostOf(conn);

    fakeLogAdd(h, "feature %d", feature);
    if (feature < 0 || (size_t)feature >= G_N_ELEMENTS(h->features))
        return 0;
    return h->features[feature];
}

static ternDomain *
fakeDomainLookupByName(ternConnect *conn, const char *name, GError **error)
{
    unsigned char uuid[TERN_UUID_BUFLEN];

    fakeLogAdd(fakeHostOf(conn), "lookup %s", name);
    g_assert_true(ternUUIDParse(VM_UUID, uuid));
    return ternDomainNew(conn, name, uuid, 1);
}

static bool
fakeDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    fakeHost *h = fakeHostOf(dom->conn);

    fakeLogAdd(h, "getstate %s", dom->name);
    *state = h->state;
    if (reason)
        *reason = 0;
    return true;
}

static char *
fakeDomainMigrateBegin3Params(ternDomain *dom, ternTypedParameter *params, int nparams,
                              char **cookieout, int *cookieoutlen, unsigned int flags,
                              GError **error)
{
    g_autofree char *p = fakeParamsFormat(params, nparams);

    fakeLogAdd(fakeHostOf(dom->conn), "begin %s flags=0x%x %s", dom->name, flags, p);
    fakeCookieSet("begin", cookieout, cookieoutlen);
    return g_strdup(BEGIN_XML);
}

static bool
fakeDomainMigratePrepare3Params(ternConnect *dconn, ternTypedParameter *params, int nparams,
                                const char *cookiein, int cookieinlen, char **cookieout,
                                int *cookieoutlen, char **uriout, unsigned int flags,
                                GError **error)
{
    fakeHost *h = fakeHostOf(dconn);
    g_autofree char *p = fakeParamsFormat(params, nparams);
    g_autofree char *c = fakeCookieFormat(cookiein, cookieinlen);

    fakeLogAdd(h, "prepare flags=0x%x cookie=%s %s", flags, c, p);
    if (h->failPrepare) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "migration failed in phase prepare: the fake says no");
        return false;
    }
    fakeCookieSet("prepare", cookieout, cookieoutlen);
    *uriout = h->noUriOut ? NULL : g_strdup(PREPARE_URI);
    return true;
}

static bool
fakeDomainMigratePerform3Params(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                                int nparams, const char *cookiein, int cookieinlen,
                                char **cookieout, int *cookieoutlen, unsigned int flags,
                                GError **error)
{
    fakeHost *h = fakeHostOf(dom->conn);
    g_autofree char *p = fakeParamsFormat(params, nparams);
    g_autofree char *c = fakeCookieFormat(cookiein, cookieinlen);

    fakeLogAdd(h, "perform %s dconnuri=%s flags=0x%x cookie=%s %s", dom->name,
               dconnuri ? dconnuri : "-", flags, c, p);
    if (h->failPerform && h->performErrorCode == TERN_ERR_RPC) {
        /* what the client sees when the connection to the daemon breaks */
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "End of file while reading data");
        return false;
    }
    if (h->failPerform) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                     "migration failed in phase perform: job 'migration out' canceled by client");
        return false;
    }
    fakeCookieSet("perform", cookieout, cookieoutlen);
    return true;
}

static ternDomain *
fakeDomainMigrateFinish3Params(ternConnect *dconn, ternTypedParameter *params, int nparams,
                               const char *cookiein, int cookieinlen, char **cookieout,
                               int *cookieoutlen, unsigned int flags, int cancelled,
                               GError **error)
{
    fakeHost *h = fakeHostOf(dconn);
    g_autofree char *p = fakeParamsFormat(params, nparams);
    g_autofree char *c = fakeCookieFormat(cookiein, cookieinlen);
    unsigned char uuid[TERN_UUID_BUFLEN];
    const char *dname = VM;

    fakeLogAdd(h, "finish flags=0x%x cancelled=%d cookie=%s %s", flags, cancelled, c, p);
    if (cancelled) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_NO_DOMAIN,
                     "no domain with matching name 'vm' (the fake dropped it)");
        return NULL;
    }
    if (h->failFinish) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "migration failed in phase finish: the guest did not start");
        return NULL;
    }
    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, TERN_MIGRATE_PARAM_DEST_NAME) &&
            params[i].type == TERN_TYPED_PARAM_STRING)
            dname = params[i].value.s;
    }
    fakeCookieSet("finish", cookieout, cookieoutlen);
    g_assert_true(ternUUIDParse(VM_UUID, uuid));
    return ternDomainNew(dconn, dname, uuid, 7);
}

static bool
fakeDomainMigrateConfirm3Params(ternDomain *dom, ternTypedParameter *params, int nparams,
                                const char *cookiein, int cookieinlen, unsigned int flags,
                                int cancelled, GError **error)
{
    fakeHost *h = fakeHostOf(dom->conn);
    g_autofree char *p = fakeParamsFormat(params, nparams);
    g_autofree char *c = fakeCookieFormat(cookiein, cookieinlen);

    fakeLogAdd(h, "confirm %s flags=0x%x cancelled=%d cookie=%s %s", dom->name, flags, cancelled,
               c, p);
    if (h->failConfirm) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "migration failed in phase confirm: the fake forgot");
        return false;
    }
    return true;
}

static bool
fakeDomainGetJobInfo(ternDomain *dom, ternDomainJobInfo *info, GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "jobinfo %s", dom->name);
    info->type = TERN_DOMAIN_JOB_UNBOUNDED;
    info->timeElapsed = 1503;
    info->dataTotal = 134610944;
    info->dataProcessed = 1064832;
    info->dataRemaining = 405504;
    info->memTotal = 134610944;
    info->memProcessed = 1064832;
    info->memRemaining = 405504;
    info->fileTotal = 3;
    return true;
}

/* one entry of every type, a repeated name and the extremes of each */
static bool
fakeDomainGetJobStats(ternDomain *dom, int *type, ternTypedParameter **params, int *nparams,
                      unsigned int flags, GError **error)
{
    ternTypedParameter *list = NULL;
    int n = 0;
    int max = 0;

    fakeLogAdd(fakeHostOf(dom->conn), "jobstats %s flags=0x%x", dom->name, flags);
    g_assert_cmpint(ternTypedParamsAddInt(&list, &n, &max, "operation", 5), ==, 0);
    g_assert_cmpint(ternTypedParamsAddInt(&list, &n, &max, "int.min", G_MININT), ==, 0);
    g_assert_cmpint(ternTypedParamsAddUInt(&list, &n, &max, "uint.max", G_MAXUINT), ==, 0);
    g_assert_cmpint(ternTypedParamsAddLLong(&list, &n, &max, "llong.min", G_MININT64), ==, 0);
    g_assert_cmpint(ternTypedParamsAddULLong(&list, &n, &max, "time_elapsed", G_MAXUINT64), ==,
                    0);
    g_assert_cmpint(ternTypedParamsAddDouble(&list, &n, &max, "double", -0.375), ==, 0);
    g_assert_cmpint(ternTypedParamsAddBoolean(&list, &n, &max, "success", 1), ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&list, &n, &max, "errmsg", "déjà vu"), ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&list, &n, &max, "errmsg", ""), ==, 0);
    *type = flags & TERN_DOMAIN_JOB_STATS_COMPLETED ? TERN_DOMAIN_JOB_COMPLETED
                                                    : TERN_DOMAIN_JOB_UNBOUNDED;
    *params = list;
    *nparams = n;
    return true;
}

static bool
fakeDomainAbortJob(ternDomain *dom, GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "abort %s", dom->name);
    return true;
}

static bool
fakeDomainMigrateSetMaxDowntime(ternDomain *dom, unsigned long long downtime, unsigned int flags,
                                GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "setmaxdowntime %s %llu flags=0x%x", dom->name, downtime,
               flags);
    return true;
}

static bool
fakeDomainMigrateGetMaxDowntime(ternDomain *dom, unsigned long long *downtime, unsigned int flags,
                                GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "getmaxdowntime %s flags=0x%x", dom->name, flags);
    *downtime = G_MAXUINT64 - 1;
    return true;
}

static bool
fakeDomainMigrateSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags,
                             GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "setmaxspeed %s %lu flags=0x%x", dom->name, bandwidth,
               flags);
    return true;
}

static bool
fakeDomainMigrateGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags,
                             GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "getmaxspeed %s flags=0x%x", dom->name, flags);
    *bandwidth = flags ? 77 : 8796093022207UL;
    return true;
}

static bool
fakeDomainMigrateStartPostCopy(ternDomain *dom, unsigned int flags, GError **error)
{
    fakeLogAdd(fakeHostOf(dom->conn), "postcopy %s flags=0x%x", dom->name, flags);
    return true;
}

static const ternHypervisorDriver fakeDriver = {
    .name = "Fake",
    .connectOpen = fakeConnectOpen,
    .connectClose = fakeConnectClose,
    .connectSupportsFeature = fakeConnectSupportsFeature,
    .domainLookupByName = fakeDomainLookupByName,
    .domainGetState = fakeDomainGetState,
    .domainMigrateBegin3Params = fakeDomainMigrateBegin3Params,
    .domainMigratePrepare3Params = fakeDomainMigratePrepare3Params,
    .domainMigratePerform3Params = fakeDomainMigratePerform3Params,
    .domainMigrateFinish3Params = fakeDomainMigrateFinish3Params,
    .domainMigrateConfirm3Params = fakeDomainMigrateConfirm3Params,
    .domainGetJobInfo = fakeDomainGetJobInfo,
    .domainGetJobStats = fakeDomainGetJobStats,
    .domainAbortJob = fakeDomainAbortJob,
    .domainMigrateSetMaxDowntime = fakeDomainMigrateSetMaxDowntime,
    .domainMigrateGetMaxDowntime = fakeDomainMigrateGetMaxDowntime,
    .domainMigrateSetMaxSpeed = fakeDomainMigrateSetMaxSpeed,
    .domainMigrateGetMaxSpeed = fakeDomainMigrateGetMaxSpeed,
    .domainMigrateStartPostCopy = fakeDomainMigrateStartPostCopy,
};

/* What ternd's QEMU driver answers: V3 (6), CHANGE_PROTECTION (7), OFFLINE (12), PARAMS (13). */
static void
fakeHostsReset(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fakeHosts); i++) {
        fakeHost *h = &fakeHosts[i];

        memset(h, 0, sizeof(*h));
        h->name = i == 0 ? "src" : "dst";
        h->features[TERN_DRV_FEATURE_MIGRATION_V3] = 1;
        h->features[TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION] = 1;
        h->features[TERN_DRV_FEATURE_MIGRATION_OFFLINE] = 1;
        h->features[TERN_DRV_FEATURE_MIGRATION_PARAMS] = 1;
        h->state = TERN_DOMAIN_RUNNING;
    }
    g_mutex_lock(&fakeLock);
    g_ptr_array_set_size(fakeLog, 0);
    g_mutex_unlock(&fakeLock);
}

/* ------------------------------------------------------------------------ */
/* the two daemons: RPC servers with ternd's dispatcher                      */
/* ------------------------------------------------------------------------ */

static char *tmpdir;
static char *sockets[2];
static GMainContext *serverCtx;
static GMainLoop *serverLoop;
static GThread *serverThread;
static ternNetServer *servers[2];

static gpointer
serverThreadRun(gpointer opaque)
{
    g_main_context_push_thread_default(serverCtx);
    g_main_loop_run(serverLoop);
    g_main_context_pop_thread_default(serverCtx);
    return NULL;
}

static void
serversStart(void)
{
    ternNetServerConfig cfg = {
        .maxClients = 16,
        .minWorkers = 2,
        .maxWorkers = 4,
        .maxClientRequests = 8,
        .keepaliveInterval = 0,
    };
    g_autoptr(GError) err = NULL;

    tmpdir = g_dir_make_tmp("tern-migrate-phases-XXXXXX", &err);
    g_assert_no_error(err);
    remoteDispatchConfigure(&(remoteDispatchConfig){.defaultURI = "fake:///src"});
    serverCtx = g_main_context_new();
    serverLoop = g_main_loop_new(serverCtx, FALSE);
    for (size_t i = 0; i < G_N_ELEMENTS(servers); i++) {
        sockets[i] = g_build_filename(tmpdir, i == 0 ? "src.sock" : "dst.sock", NULL);
        servers[i] = ternNetServerNew(&cfg, serverCtx, &remoteClientHooks, &err);
        g_assert_no_error(err);
        ternNetServerAddProgram(servers[i], &remoteProgram);
        g_assert_true(ternNetServerAddListenerUNIX(servers[i], sockets[i], 0600, false, &err));
        g_assert_no_error(err);
    }
    serverThread = g_thread_new("fake-ternds", serverThreadRun, NULL);
}

static gboolean
serversShutdownInLoop(gpointer opaque)
{
    for (size_t i = 0; i < G_N_ELEMENTS(servers); i++)
        ternNetServerShutdown(servers[i]);
    g_main_loop_quit(serverLoop);
    return G_SOURCE_REMOVE;
}

static void
serversStop(void)
{
    g_main_context_invoke(serverCtx, serversShutdownInLoop, NULL);
    g_thread_join(serverThread);
    for (size_t i = 0; i < G_N_ELEMENTS(servers); i++) {
        ternNetServerFree(servers[i]);
        g_unlink(sockets[i]);
        g_free(sockets[i]);
    }
    g_main_loop_unref(serverLoop);
    g_main_context_unref(serverCtx);
    g_rmdir(tmpdir);
    g_free(tmpdir);
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    ternConnect *conn;
    ternConnect *dconn;
    ternDomain *dom;
} testHosts;

static ternConnect *
testOpen(size_t i)
{
    g_autofree char *uri =
        g_strdup_printf("fake+unix:///%s?socket=%s", fakeHosts[i].name, sockets[i]);
    ternConnect *conn = ternConnectOpen(uri);

    if (!conn)
        g_test_message("open %s: %s", uri, ternGetLastErrorMessage());
    g_assert_nonnull(conn);
    return conn;
}

/* Both hosts reset, connected, the domain looked up on the source; the log empty. */
static void
testHostsOpen(testHosts *h)
{
    h->conn = testOpen(0);
    h->dconn = testOpen(1);
    h->dom = ternDomainLookupByName(h->conn, VM);
    g_assert_nonnull(h->dom);
    g_mutex_lock(&fakeLock);
    g_ptr_array_set_size(fakeLog, 0);
    g_mutex_unlock(&fakeLock);
}

static void
testHostsClose(testHosts *h)
{
    ternDomainFree(h->dom);
    ternConnectClose(h->dconn);
    ternConnectClose(h->conn);
}

/* The log is exactly @want (NULL-terminated); then it is emptied. */
static void
assertLog(const char *const *want)
{
    g_autoptr(GString) have = g_string_new(NULL);
    g_autoptr(GString) expect = g_string_new(NULL);

    g_mutex_lock(&fakeLock);
    for (guint i = 0; i < fakeLog->len; i++)
        g_string_append_printf(have, "%s\n", (const char *)g_ptr_array_index(fakeLog, i));
    g_ptr_array_set_size(fakeLog, 0);
    g_mutex_unlock(&fakeLock);
    for (size_t i = 0; want[i]; i++)
        g_string_append_printf(expect, "%s\n", want[i]);
    if (!g_str_equal(have->str, expect->str))
        g_test_message("calls made:\n%sexpected:\n%s", have->str, expect->str);
    g_assert_cmpstr(have->str, ==, expect->str);
}

#define P_XML "destination_xml=s:" BEGIN_XML
#define P_URI "migrate_uri=s:" PREPARE_URI
#define P_NAME "destination_name=s:" VM

/* what every live client-managed migration starts with, up to Prepare */
#define LOG_LIVE_TO_PREPARE                                                                        \
    "src feature 13", "dst feature 13", "src feature 7", "src begin vm flags=0x101 []",           \
        "src getstate vm", "dst prepare flags=0x1 cookie=begin [" P_XML "]"
#define LOG_LIVE_PERFORM                                                                           \
    "src perform vm dconnuri=- flags=0x101 cookie=prepare [" P_XML ", " P_URI "]"

/* ternDomainMigrate3 with @flags fails with @code and @message, and the hosts saw @want */
static void
assertMigrate3Fails(testHosts *h, unsigned int flags, int code, const char *message,
                    const char *const *want)
{
    g_assert_null(ternDomainMigrate3(h->dom, h->dconn, NULL, 0, flags));
    assertLastError(code, message);
    assertLog(want);
}

/* ------------------------------------------------------------------------ */
/* client-managed                                                           */
/* ------------------------------------------------------------------------ */

/* virsh migrate --live: libvirt-wire.md 4.5, call for call */
static void
testLive(void)
{
    const char *const want[] = {
        LOG_LIVE_TO_PREPARE,
        LOG_LIVE_PERFORM,
        "dst finish flags=0x1 cancelled=0 cookie=perform [" P_XML ", " P_URI ", " P_NAME "]",
        "src confirm vm flags=0x101 cancelled=0 cookie=finish [" P_XML ", " P_URI ", " P_NAME
        "]",
        NULL,
    };
    testHosts h = {0};
    ternDomain *ddom;

    fakeHostsReset();
    testHostsOpen(&h);
    ddom = ternDomainMigrate3(h.dom, h.dconn, NULL, 0, TERN_MIGRATE_LIVE);
    if (!ddom)
        g_test_message("migrate: %s", ternGetLastErrorMessage());
    g_assert_nonnull(ddom);
    g_assert_cmpstr(ternDomainGetName(ddom), ==, VM);
    g_assert_cmpuint(ternDomainGetID(ddom), ==, 7);
    g_assert_true(ternDomainGetConnect(ddom) == h.dconn);
    assertLog(want);
    ternDomainFree(ddom);
    testHostsClose(&h);
}

/*
 * The caller's typed parameters reach every phase unchanged (every type,
 * a repeated name, destination_name kept); source-only flags stay off the
 * destination; CHANGE_PROTECTION asked for is checked first and then only
 * re-added to the source calls; a paused source adds PAUSED.
 */
static void
testParamsAndFlags(void)
{
#define USER                                                                                      \
    "bandwidth=ull:18446744073709551615, destination_name=s:renamed, compression=s:xbzrle, "    \
    "compression=s:mt, auto_converge.initial=i:-20, x.uint=ui:4294967295, "                      \
    "x.llong=ll:-9223372036854775808, x.double=d:2.5, x.bool=b:1, listen_address=s:"
    const char *const want[] = {
        "src feature 7",
        "src feature 13",
        "dst feature 13",
        "src feature 7",
        "src begin vm flags=0x3109 [" USER "]",
        "src getstate vm",
        "dst prepare flags=0x29 cookie=begin [" USER ", " P_XML "]",
        "src perform vm dconnuri=- flags=0x3129 cookie=prepare [" USER ", " P_XML ", " P_URI "]",
        "dst finish flags=0x29 cancelled=0 cookie=perform [" USER ", " P_XML ", " P_URI "]",
        "src confirm vm flags=0x3129 cancelled=0 cookie=finish [" USER ", " P_XML ", " P_URI "]",
        NULL,
    };
#undef USER
    ternTypedParameter *params = NULL;
    int n = 0;
    int max = 0;
    testHosts h = {0};
    ternDomain *ddom;

    g_assert_cmpint(ternTypedParamsAddULLong(&params, &n, &max, "bandwidth", G_MAXUINT64), ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&params, &n, &max, "destination_name", "renamed"),
                    ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&params, &n, &max, "compression", "xbzrle"), ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&params, &n, &max, "compression", "mt"), ==, 0);
    g_assert_cmpint(ternTypedParamsAddInt(&params, &n, &max, "auto_converge.initial", -20), ==, 0);
    g_assert_cmpint(ternTypedParamsAddUInt(&params, &n, &max, "x.uint", G_MAXUINT), ==, 0);
    g_assert_cmpint(ternTypedParamsAddLLong(&params, &n, &max, "x.llong", G_MININT64), ==, 0);
    g_assert_cmpint(ternTypedParamsAddDouble(&params, &n, &max, "x.double", 2.5), ==, 0);
    g_assert_cmpint(ternTypedParamsAddBoolean(&params, &n, &max, "x.bool", 1), ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&params, &n, &max, "listen_address", ""), ==, 0);

    fakeHostsReset();
    fakeHosts[0].state = TERN_DOMAIN_PAUSED;
    testHostsOpen(&h);
    ddom = ternDomainMigrate3(h.dom, h.dconn, params, (unsigned int)n,
                              TERN_MIGRATE_LIVE | TERN_MIGRATE_PERSIST_DEST |
                                  TERN_MIGRATE_CHANGE_PROTECTION | TERN_MIGRATE_ABORT_ON_ERROR |
                                  TERN_MIGRATE_AUTO_CONVERGE);
    g_assert_nonnull(ddom);
    g_assert_cmpstr(ternDomainGetName(ddom), ==, "renamed");
    assertLog(want);
    ternDomainFree(ddom);
    testHostsClose(&h);
    ternTypedParamsFree(params, n);
}

/* ternDomainMigrate: dname, uri and bandwidth become parameters; the given URI is used */
static void
testOldForm(void)
{
#define OLD "destination_name=s:other, migrate_uri=s:tcp:10.0.0.2:4444, bandwidth=ull:64"
    const char *const want[] = {
        "src feature 13",
        "dst feature 13",
        "src feature 7",
        "src begin vm flags=0x101 [" OLD "]",
        "src getstate vm",
        "dst prepare flags=0x1 cookie=begin [" OLD ", " P_XML "]",
        "src perform vm dconnuri=- flags=0x101 cookie=prepare [" OLD ", " P_XML "]",
        "dst finish flags=0x1 cancelled=0 cookie=perform [" OLD ", " P_XML "]",
        "src confirm vm flags=0x101 cancelled=0 cookie=finish [" OLD ", " P_XML "]",
        NULL,
    };
#undef OLD
    testHosts h = {0};
    ternDomain *ddom;

    fakeHostsReset();
    fakeHosts[1].noUriOut = true; /* the caller's URI is enough */
    testHostsOpen(&h);
    ddom = ternDomainMigrate(h.dom, h.dconn, TERN_MIGRATE_LIVE, "other", "tcp:10.0.0.2:4444", 64);
    g_assert_nonnull(ddom);
    g_assert_cmpstr(ternDomainGetName(ddom), ==, "other");
    assertLog(want);
    ternDomainFree(ddom);
    testHostsClose(&h);
}

/* offline: no Perform; Finish gets no cookie; OBS mig_offline's flags 1288 and 1032 */
static void
testOffline(void)
{
    const char *const want[] = {
        "src feature 12",
        "dst feature 12",
        "src feature 13",
        "dst feature 13",
        "src feature 7",
        "src begin vm flags=0x508 []",
        "src getstate vm",
        "dst prepare flags=0x408 cookie=begin [" P_XML "]",
        "dst finish flags=0x408 cancelled=0 cookie=- [" P_XML ", " P_URI ", " P_NAME "]",
        "src confirm vm flags=0x508 cancelled=0 cookie=finish [" P_XML ", " P_URI ", " P_NAME
        "]",
        NULL,
    };
    const char *const wantNoOffline[] = {"src feature 12", "dst feature 12", NULL};
    testHosts h = {0};
    ternDomain *ddom;

    fakeHostsReset();
    fakeHosts[0].state = TERN_DOMAIN_SHUTOFF;
    testHostsOpen(&h);
    ddom = ternDomainMigrate3(h.dom, h.dconn, NULL, 0,
                              TERN_MIGRATE_OFFLINE | TERN_MIGRATE_PERSIST_DEST);
    g_assert_nonnull(ddom);
    assertLog(want);
    ternDomainFree(ddom);

    fakeHosts[1].features[TERN_DRV_FEATURE_MIGRATION_OFFLINE] = 0;
    assertMigrate3Fails(&h, TERN_MIGRATE_OFFLINE | TERN_MIGRATE_PERSIST_DEST,
                        TERN_ERR_ARGUMENT_UNSUPPORTED,
                        "argument unsupported: offline migration is not supported by the "
                        "destination host",
                        wantNoOffline);
    testHostsClose(&h);
}

/* Prepare fails: Confirm(cancelled) ends the source's protected job; without protection, nothing */
static void
testPrepareFails(void)
{
    const char *const want[] = {
        LOG_LIVE_TO_PREPARE,
        "src confirm vm flags=0x101 cancelled=1 cookie=- [" P_XML "]",
        NULL,
    };
    const char *const wantUnprotected[] = {
        "src feature 13",
        "dst feature 13",
        "src feature 7",
        "src begin vm flags=0x1 []",
        "src getstate vm",
        "dst prepare flags=0x1 cookie=begin [" P_XML "]",
        NULL,
    };
    testHosts h = {0};

    fakeHostsReset();
    fakeHosts[1].failPrepare = true;
    testHostsOpen(&h);
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_OPERATION_FAILED,
                        "operation failed: migration failed in phase prepare: the fake says no",
                        want);

    fakeHosts[0].features[TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION] = 0;
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_OPERATION_FAILED,
                        "operation failed: migration failed in phase prepare: the fake says no",
                        wantUnprotected);
    testHostsClose(&h);
}

/* no uri_out and no migrate_uri: nowhere to send the data; the destination and source clean up */
static void
testNoURI(void)
{
    const char *const want[] = {
        LOG_LIVE_TO_PREPARE,
        "dst finish flags=0x1 cancelled=1 cookie=- [" P_XML ", " P_NAME "]",
        "src confirm vm flags=0x101 cancelled=1 cookie=- [" P_XML ", " P_NAME "]",
        NULL,
    };
    testHosts h = {0};
    g_autofree char *msg = NULL;

    fakeHostsReset();
    fakeHosts[1].noUriOut = true;
    testHostsOpen(&h);
    msg = g_strdup_printf(
        "internal error: the destination 'fake+unix:///dst?socket=%s' did not say where to send the migration data (Prepare returned no URI) and no 'migrate_uri' parameter was given",
        sockets[1]);
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_INTERNAL_ERROR, msg, want);
    testHostsClose(&h);
}

/* Perform fails: Finish(cancelled) with no cookie, no Confirm, and Perform's error */
static void
testPerformFails(void)
{
    const char *const want[] = {
        LOG_LIVE_TO_PREPARE,
        LOG_LIVE_PERFORM,
        "dst finish flags=0x1 cancelled=1 cookie=- [" P_XML ", " P_URI ", " P_NAME "]",
        NULL,
    };
    testHosts h = {0};

    fakeHostsReset();
    fakeHosts[0].failPerform = true;
    testHostsOpen(&h);
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_OPERATION_ABORTED,
                        "operation aborted: migration failed in phase perform: job 'migration "
                        "out' canceled by client",
                        want);

    /* an error the daemon could not word (a broken connection) gets the phase named */
    fakeHosts[0].performErrorCode = TERN_ERR_RPC;
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_RPC,
                        "migration failed in phase perform: End of file while reading data", want);
    fakeHosts[0].features[TERN_DRV_FEATURE_MIGRATION_P2P] = 1;
    g_assert_cmpint(ternDomainMigrateToURI3(h.dom, P2P_URI, NULL, 0,
                                            TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER),
                    ==, -1);
    assertLastError(TERN_ERR_RPC, "migration failed in phase perform: End of file while reading "
                                  "data");
    testHostsClose(&h);
}

/* Finish fails: Confirm(cancelled) resumes the source; Finish's error */
static void
testFinishFails(void)
{
    const char *const want[] = {
        LOG_LIVE_TO_PREPARE,
        LOG_LIVE_PERFORM,
        "dst finish flags=0x1 cancelled=0 cookie=perform [" P_XML ", " P_URI ", " P_NAME "]",
        "src confirm vm flags=0x101 cancelled=1 cookie=- [" P_XML ", " P_URI ", " P_NAME "]",
        NULL,
    };
    testHosts h = {0};

    fakeHostsReset();
    fakeHosts[1].failFinish = true;
    testHostsOpen(&h);
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_OPERATION_FAILED,
                        "operation failed: migration failed in phase finish: the guest did not "
                        "start",
                        want);
    testHostsClose(&h);
}

/* Confirm fails: the guest runs on the destination all the same: success */
static void
testConfirmFails(void)
{
    testHosts h = {0};
    ternDomain *ddom;

    fakeHostsReset();
    fakeHosts[0].failConfirm = true;
    testHostsOpen(&h);
    ddom = ternDomainMigrate3(h.dom, h.dconn, NULL, 0, TERN_MIGRATE_LIVE);
    g_assert_nonnull(ddom);
    g_assert_null(ternGetLastError());
    ternDomainFree(ddom);
    testHostsClose(&h);
}

/* a host without PARAMS: libtern has no older protocol to fall back on */
static void
testNoParams(void)
{
    const char *const want[] = {"src feature 13", "dst feature 13", NULL};
    testHosts h = {0};
    g_autofree char *msg = NULL;

    fakeHostsReset();
    fakeHosts[1].features[TERN_DRV_FEATURE_MIGRATION_PARAMS] = 0;
    testHostsOpen(&h);
    msg = g_strdup_printf(
        "this function is not supported by the connection driver: ternDomainMigrate3: the destination host 'fake+unix:///dst?socket=%s' does not support migration with extensible parameters (MIGRATION_PARAMS), and libtern implements no older migration protocol",
        sockets[1]);
    assertMigrate3Fails(&h, TERN_MIGRATE_LIVE, TERN_ERR_NO_SUPPORT, msg, want);
    testHostsClose(&h);
}

/* ------------------------------------------------------------------------ */
/* peer-to-peer and direct                                                  */
/* ------------------------------------------------------------------------ */

static void
testPeer2Peer(void)
{
    const char *const want[] = {
        "src feature 4",
        "src feature 13",
        "src perform vm dconnuri=" P2P_URI " flags=0x3 cookie=- []",
        NULL,
    };
    const char *const wantRefused[] = {"src feature 4", NULL};
    g_autofree char *perform3 = NULL;
    testHosts h = {0};
    ternDomain *ddom;

    fakeHostsReset();
    testHostsOpen(&h);
    g_assert_cmpint(ternDomainMigrateToURI3(h.dom, P2P_URI, NULL, 0,
                                            TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER),
                    ==, -1);
    assertLastError(TERN_ERR_ARGUMENT_UNSUPPORTED,
                    "argument unsupported: p2p migration is not supported by the source host");
    assertLog(wantRefused);

    fakeHosts[0].features[TERN_DRV_FEATURE_MIGRATION_P2P] = 1;
    g_assert_cmpint(ternDomainMigrateToURI3(h.dom, P2P_URI, NULL, 0,
                                            TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER),
                    ==, 0);
    assertLog(want);

    /* Migrate3 with PEER2PEER: dconn only names the destination, then finds the domain there */
    ddom = ternDomainMigrate3(h.dom, h.dconn, NULL, 0, TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER);
    g_assert_nonnull(ddom);
    ternDomainFree(ddom);
    perform3 = g_strdup_printf("src perform vm dconnuri=fake+unix:///dst?socket=%s flags=0x3 "
                               "cookie=- []",
                               sockets[1]);
    {
        const char *const wantDconn[] = {"src feature 4", "src feature 13", perform3,
                                         "dst lookup vm", NULL};

        assertLog(wantDconn);
    }
    testHostsClose(&h);
}

static void
testDirect(void)
{
    const char *const want[] = {
        "src feature 5",
        "src feature 13",
        "src perform vm dconnuri=- flags=0x1 cookie=- [migrate_uri=s:tcp:192.0.2.2:4444]",
        NULL,
    };
    const char *const wantRefused[] = {"src feature 5", NULL};
    testHosts h = {0};

    fakeHostsReset();
    testHostsOpen(&h);
    g_assert_cmpint(ternDomainMigrateToURI(h.dom, "tcp:192.0.2.2:4444", TERN_MIGRATE_LIVE, NULL, 0),
                    ==, -1);
    assertLastError(TERN_ERR_ARGUMENT_UNSUPPORTED,
                    "argument unsupported: direct migration is not supported by the source "
                    "host: QEMU has no migration daemon of its own; use peer-to-peer migration "
                    "(PEER2PEER)");
    assertLog(wantRefused);

    /* a driver that can (not QEMU): one Perform, no daemon URI */
    fakeHosts[0].features[TERN_DRV_FEATURE_MIGRATION_DIRECT] = 1;
    g_assert_cmpint(ternDomainMigrateToURI(h.dom, "tcp:192.0.2.2:4444", TERN_MIGRATE_LIVE, NULL, 0),
                    ==, 0);
    assertLog(want);
    testHostsClose(&h);
}

/* ------------------------------------------------------------------------ */
/* jobs                                                                     */
/* ------------------------------------------------------------------------ */

static void
testJobs(void)
{
    const char *const want[] = {
        "src jobinfo vm",
        "src jobstats vm flags=0x3",
        "src abort vm",
        "src setmaxdowntime vm 18446744073709551615 flags=0x0",
        "src getmaxdowntime vm flags=0x0",
        "src setmaxspeed vm 1234 flags=0x1",
        "src getmaxspeed vm flags=0x1",
        "src getmaxspeed vm flags=0x0",
        "src postcopy vm flags=0x0",
        NULL,
    };
    testHosts h = {0};
    ternDomainJobInfo info;
    ternTypedParameter *params = NULL;
    g_autofree char *stats = NULL;
    unsigned long long downtime = 0;
    unsigned long speed = 0;
    int nparams = 0;
    int type = -1;

    fakeHostsReset();
    testHostsOpen(&h);

    g_assert_cmpint(ternDomainGetJobInfo(h.dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, TERN_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpuint(info.timeElapsed, ==, 1503);
    g_assert_cmpuint(info.dataTotal, ==, 134610944);
    g_assert_cmpuint(info.dataProcessed, ==, 1064832);
    g_assert_cmpuint(info.dataRemaining, ==, 405504);
    g_assert_cmpuint(info.memRemaining, ==, 405504);
    g_assert_cmpuint(info.fileTotal, ==, 3);
    g_assert_cmpuint(info.fileRemaining, ==, 0);

    /* typed parameters of every type survive both directions of the wire */
    g_assert_cmpint(ternDomainGetJobStats(h.dom, &type, &params, &nparams,
                                          TERN_DOMAIN_JOB_STATS_COMPLETED |
                                              TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED),
                    ==, 0);
    g_assert_cmpint(type, ==, TERN_DOMAIN_JOB_COMPLETED);
    stats = fakeParamsFormat(params, nparams);
    g_assert_cmpstr(stats, ==,
                    "[operation=i:5, int.min=i:-2147483648, uint.max=ui:4294967295, "
                    "llong.min=ll:-9223372036854775808, time_elapsed=ull:18446744073709551615, "
                    "double=d:-0.375, success=b:1, errmsg=s:déjà vu, errmsg=s:]");
    ternTypedParamsFree(params, nparams);

    g_assert_cmpint(ternDomainAbortJob(h.dom), ==, 0);
    g_assert_cmpint(ternDomainMigrateSetMaxDowntime(h.dom, G_MAXUINT64, 0), ==, 0);
    g_assert_cmpint(ternDomainMigrateGetMaxDowntime(h.dom, &downtime, 0), ==, 0);
    g_assert_cmpuint(downtime, ==, G_MAXUINT64 - 1);
    g_assert_cmpint(ternDomainMigrateSetMaxSpeed(h.dom, 1234,
                                                 TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY),
                    ==, 0);
    g_assert_cmpint(ternDomainMigrateGetMaxSpeed(h.dom, &speed,
                                                 TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY),
                    ==, 0);
    g_assert_cmpuint(speed, ==, 77);
    g_assert_cmpint(ternDomainMigrateGetMaxSpeed(h.dom, &speed, 0), ==, 0);
    g_assert_cmpuint(speed, ==, 8796093022207UL);
    g_assert_cmpint(ternDomainMigrateStartPostCopy(h.dom, 0), ==, 0);
    assertLog(want);
    testHostsClose(&h);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    fakeLog = g_ptr_array_new_with_free_func(g_free);
    /* before libtern registers its own drivers: Fake sees every URI first */
    ternDriverRegister(&fakeDriver);
    fakeHostsReset();
    serversStart();

    g_test_add_func("/migrate/phases/live", testLive);
    g_test_add_func("/migrate/phases/params-and-flags", testParamsAndFlags);
    g_test_add_func("/migrate/phases/old-form", testOldForm);
    g_test_add_func("/migrate/phases/offline", testOffline);
    g_test_add_func("/migrate/phases/prepare-fails", testPrepareFails);
    g_test_add_func("/migrate/phases/no-uri", testNoURI);
    g_test_add_func("/migrate/phases/perform-fails", testPerformFails);
    g_test_add_func("/migrate/phases/finish-fails", testFinishFails);
    g_test_add_func("/migrate/phases/confirm-fails", testConfirmFails);
    g_test_add_func("/migrate/phases/no-params", testNoParams);
    g_test_add_func("/migrate/p2p", testPeer2Peer);
    g_test_add_func("/migrate/direct", testDirect);
    g_test_add_func("/migrate/jobs", testJobs);

    rc = g_test_run();
    serversStop();
    g_ptr_array_unref(fakeLog);
    return rc;
}
