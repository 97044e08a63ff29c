/* test-qemu-monitor.c: the QMP monitor against recorded QEMU 7.2 transcripts, faults and schema */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_json.h"
#include "testutils.h"
#include "testutilsqmp.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

/* Waits for something that should happen at once: long only to survive a loaded machine. */
#define TEST_WAIT_MS 10000
/* The recorded transcripts this test replays (scripts/qmp-record). */
#define TEST_QEMU_DIR "qemu-7.2"

static ternTestQMPSchema *testSchema;

/* ---- the event loop thread, as ternd runs it ------------------------------------------ */

typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
} TestLoop;

static gpointer
testLoopThread(gpointer opaque)
{
    TestLoop *l = opaque;

    g_main_context_push_thread_default(l->ctx);
    g_main_loop_run(l->loop);
    g_main_context_pop_thread_default(l->ctx);
    return NULL;
}

static TestLoop *
testLoopNew(void)
{
    TestLoop *l = g_new0(TestLoop, 1);

    l->ctx = g_main_context_new();
    l->loop = g_main_loop_new(l->ctx, FALSE);
    l->thread = g_thread_new("test-loop", testLoopThread, l);
    return l;
}

static void
testLoopFree(TestLoop *l)
{
    if (!l)
        return;
    g_main_loop_quit(l->loop);
    g_thread_join(l->thread);
    g_main_loop_unref(l->loop);
    g_main_context_unref(l->ctx);
    g_free(l);
}

/* ---- what the callbacks saw ---------------------------------------------------------- */

typedef struct {
    GMutex lock;
    GCond cond;
    GPtrArray *events; /* char *, one line per callback */
    unsigned int eofs;
    unsigned int errors;
    char *errorMessage;
    /* behaviours some tests ask of the callbacks */
    bool commandInCallback; /* STOP: issue a command (must fail at once) */
    char *callbackError;    /* ...and its error */
    bool closeInEOF;        /* eofNotify: close and unref the monitor */
    qemuMonitor *monToDrop; /* the reference eofNotify drops */
} TestSink;

static void
testSinkInit(TestSink *s)
{
    memset(s, 0, sizeof(*s));
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->events = g_ptr_array_new_with_free_func(g_free);
}

static void
testSinkClear(TestSink *s)
{
    g_ptr_array_unref(s->events);
    g_free(s->errorMessage);
    g_free(s->callbackError);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
}

static void
testSinkAdd(TestSink *s, char *line)
{
    g_mutex_lock(&s->lock);
    g_ptr_array_add(s->events, line);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

/* Wait until the sink holds @n events, @eofs EOFs and @errors errors (at least). */
static bool
testSinkWait(TestSink *s, guint n, unsigned int eofs, unsigned int errors)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    bool ok;

    g_mutex_lock(&s->lock);
    while (s->events->len < n || s->eofs < eofs || s->errors < errors) {
        if (!g_cond_wait_until(&s->cond, &s->lock, deadline))
            break;
    }
    ok = s->events->len >= n && s->eofs >= eofs && s->errors >= errors;
    g_mutex_unlock(&s->lock);
    return ok;
}

static void
cbEOF(qemuMonitor *mon, void *opaque)
{
    TestSink *s = opaque;
    qemuMonitor *drop = NULL;

    g_mutex_lock(&s->lock);
    if (s->closeInEOF)
        drop = g_steal_pointer(&s->monToDrop);
    g_mutex_unlock(&s->lock);
    if (drop) {
        qemuMonitorClose(drop);
        qemuMonitorUnref(drop);
    }
    g_mutex_lock(&s->lock);
    s->eofs++;
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

static void
cbError(qemuMonitor *mon, const GError *err, void *opaque)
{
    TestSink *s = opaque;

    g_mutex_lock(&s->lock);
    s->errors++;
    g_free(s->errorMessage);
    s->errorMessage = g_strdup(err->message);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

static void
cbStop(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque)
{
    TestSink *s = opaque;

    if (s->commandInCallback) {
        g_autoptr(GError) err = NULL;
        g_autoptr(json_object) ret = qemuMonitorCommand(mon, "query-status", NULL, 100, &err);
        g_assert_null(ret);
        s->callbackError = g_strdup(err->message);
    }
    testSinkAdd(s, g_strdup_printf("STOP @%lld.%06u", seconds, micros));
}

static void
cbResume(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque)
{
    testSinkAdd(opaque, g_strdup_printf("RESUME @%lld.%06u", seconds, micros));
}

static void
cbPowerdown(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque)
{
    testSinkAdd(opaque, g_strdup_printf("POWERDOWN @%lld.%06u", seconds, micros));
}

static void
cbShutdown(qemuMonitor *mon, bool guest, qemuMonitorShutdownCause reason, long long seconds,
           unsigned int micros, void *opaque)
{
    testSinkAdd(opaque,
                g_strdup_printf("SHUTDOWN guest=%s reason=%s @%lld.%06u", guest ? "yes" : "no",
                                qemuMonitorShutdownCauseToString(reason), seconds, micros));
}

static void
cbReset(qemuMonitor *mon, bool guest, qemuMonitorShutdownCause reason, long long seconds,
        unsigned int micros, void *opaque)
{
    testSinkAdd(opaque, g_strdup_printf("RESET guest=%s reason=%s @%lld.%06u", guest ? "yes" : "no",
                                        qemuMonitorShutdownCauseToString(reason), seconds, micros));
}

static void
cbMigration(qemuMonitor *mon, qemuMonitorMigrationStatus status, long long seconds,
            unsigned int micros, void *opaque)
{
    testSinkAdd(opaque,
                g_strdup_printf("MIGRATION status=%s @%lld.%06u",
                                qemuMonitorMigrationStatusToString(status), seconds, micros));
}

static void
cbMigrationPass(qemuMonitor *mon, unsigned int pass, long long seconds, unsigned int micros,
                void *opaque)
{
    testSinkAdd(opaque,
                g_strdup_printf("MIGRATION_PASS pass=%u @%lld.%06u", pass, seconds, micros));
}

static void
cbEvent(qemuMonitor *mon, const char *name, const char *data, long long seconds,
        unsigned int micros, void *opaque)
{
    testSinkAdd(opaque, g_strdup_printf("EVENT %s %s @%lld.%06u", name, data, seconds, micros));
}

static const qemuMonitorCallbacks testCallbacks = {
    .eofNotify = cbEOF,
    .errorNotify = cbError,
    .domainStop = cbStop,
    .domainResume = cbResume,
    .domainShutdown = cbShutdown,
    .domainReset = cbReset,
    .domainPowerdown = cbPowerdown,
    .migrationStatus = cbMigration,
    .migrationPass = cbMigrationPass,
    .domainEvent = cbEvent,
};

/* ---- a monitor talking to a fake QEMU ---------------------------------------------- */

typedef struct {
    TestLoop *loop;
    ternTestQMP *fake;
    qemuMonitor *mon;
    TestSink sink;
} TestHarness;

static void
testHarnessInit(TestHarness *h)
{
    memset(h, 0, sizeof(*h));
    testSinkInit(&h->sink);
    h->loop = testLoopNew();
}

/* Start the fake on @file (in tests/data/qmp/) and open a monitor on it (after Init). */
static bool
testHarnessStart(TestHarness *h, const char *file, bool schema, int timeoutMs, GError **error)
{
    g_autofree char *path = ternTestDataPath("qmp", file, NULL);

    if (!(h->fake = ternTestQMPNew(path, error)))
        return false;
    if (schema)
        ternTestQMPSetSchema(h->fake, testSchema);
    h->mon = qemuMonitorOpenFD(ternTestQMPStart(h->fake), timeoutMs, &testCallbacks, &h->sink,
                               h->loop->ctx, error);
    return h->mon != NULL;
}

static bool
testHarnessOpen(TestHarness *h, const char *file, bool schema, int timeoutMs, GError **error)
{
    testHarnessInit(h);
    return testHarnessStart(h, file, schema, timeoutMs, error);
}

/* Close the monitor, check the fake played everything, free all. */
static void
testHarnessFinish(TestHarness *h, bool expectPlayed)
{
    g_autoptr(GError) err = NULL;

    if (h->mon) {
        qemuMonitorClose(h->mon);
        h->mon = qemuMonitorUnref(h->mon);
    }
    if (h->fake && !ternTestQMPFinish(h->fake, &err) && expectPlayed) {
        g_test_message("fake QEMU: %s", err->message);
        g_test_fail();
    }
    ternTestQMPFree(h->fake);
    testLoopFree(h->loop);
    testSinkClear(&h->sink);
}

#define TEST_ASSERT_ERROR(err, code, substr)                                                       \
    do {                                                                                           \
        g_assert_nonnull(err);                                                                     \
        if (ternErrorCodeOf(err) != (code) || !strstr((err)->message, (substr))) {                 \
            g_test_message("unexpected error %d '%s' (want %d containing '%s')",                   \
                           ternErrorCodeOf(err), (err)->message, (code), (substr));                \
            g_test_fail();                                                                         \
        }                                                                                          \
    } while (0)

/* ---- formatting typed results (the goldens' text) ---------------------------------- */

static void
formatParams(GString *out, const qemuMonitorMigrationParams *params)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) json = qemuMonitorJSONBuildMigrateSetParams(params, &err);

    /* the builder doubles as a printer, and checks QEMU's own values fit tern's ranges */
    if (!json) {
        g_string_append_printf(out, "unprintable: %s", err->message);
        return;
    }
    g_string_append(out, json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
formatCaps(GString *out, unsigned long long mask)
{
    bool first = true;

    for (int cap = 0; cap < QEMU_MONITOR_MIGRATION_CAP_LAST; cap++) {
        if (!(mask & QEMU_MONITOR_MIGRATION_CAP_BIT(cap)))
            continue;
        g_string_append_printf(out, "%s%s", first ? "" : ",", qemuMonitorMigrationCapToString(cap));
        first = false;
    }
    if (first)
        g_string_append(out, "-");
}

static void
formatStats(GString *out, const qemuMonitorMigrationStats *s)
{
    g_string_append_printf(out, "status=%s", qemuMonitorMigrationStatusToString(s->status));
    if (s->hasTotalTime)
        g_string_append_printf(out, " total-time=%llu", s->totalTime);
    if (s->hasSetupTime)
        g_string_append_printf(out, " setup-time=%llu", s->setupTime);
    if (s->hasDowntime)
        g_string_append_printf(out, " downtime=%llu", s->downtime);
    if (s->hasExpectedDowntime)
        g_string_append_printf(out, " expected-downtime=%llu", s->expectedDowntime);
    if (s->hasCPUThrottlePercentage)
        g_string_append_printf(out, " cpu-throttle=%llu", s->cpuThrottlePercentage);
    if (s->hasRAM) {
        const qemuMonitorMigrationRAM *r = &s->ram;
        g_string_append_printf(
            out,
            " ram={transferred=%llu remaining=%llu total=%llu duplicate=%llu normal=%llu "
            "normal-bytes=%llu dirty-pages-rate=%llu mbps=%.3f dirty-sync-count=%llu "
            "postcopy-requests=%llu page-size=%llu multifd-bytes=%llu pages-per-second=%llu "
            "precopy-bytes=%llu downtime-bytes=%llu postcopy-bytes=%llu}",
            r->transferred, r->remaining, r->total, r->duplicate, r->normal, r->normalBytes,
            r->dirtyPagesRate, r->mbps, r->dirtySyncCount, r->postcopyRequests, r->pageSize,
            r->multifdBytes, r->pagesPerSecond, r->precopyBytes, r->downtimeBytes,
            r->postcopyBytes);
    }
    if (s->errorDesc)
        g_string_append_printf(out, " error='%s'", s->errorDesc);
}

/* ---- typed replay of a recorded transcript ------------------------------------------ */

typedef struct {
    qemuMonitor *mon;
    const char *cmd;
    json_object *args; /* as recorded; borrowed; may be NULL */
    bool withFD;       /* the transcript says the command carried a descriptor */
    GString *out;
} ReplayCall;

/* 1: done through the typed API; 0: failed (*error); -1: not expressible, send it raw */
typedef int (*ReplayFunc)(ReplayCall *call, GError **error);

static int
replayResult(bool ok)
{
    return ok ? 1 : 0;
}

static int
replayCont(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorStartCPUs(c->mon, error));
}

static int
replayStop(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorStopCPUs(c->mon, error));
}

static int
replayPowerdown(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorSystemPowerdown(c->mon, error));
}

static int
replayReset(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorSystemReset(c->mon, error));
}

static int
replayQuit(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorQuit(c->mon, error));
}

static int
replayMigrateCancel(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorMigrateCancel(c->mon, error));
}

static int
replayStartPostcopy(ReplayCall *c, GError **error)
{
    return replayResult(qemuMonitorMigrateStartPostcopy(c->mon, error));
}

static int
replayQueryStatus(ReplayCall *c, GError **error)
{
    qemuMonitorStatus st;

    if (!qemuMonitorQueryStatus(c->mon, &st, error))
        return 0;
    g_string_append_printf(c->out, "running=%s status=%s", st.running ? "yes" : "no",
                           qemuMonitorVMStatusToString(st.status));
    return 1;
}

static int
replayQueryCPUs(ReplayCall *c, GError **error)
{
    g_autoptr(qemuMonitorCPUList) list = NULL;

    if (!qemuMonitorQueryCPUs(c->mon, &list, error))
        return 0;
    g_string_append_printf(c->out, "vcpus=%zu", list->ncpus);
    for (size_t i = 0; i < list->ncpus; i++)
        g_string_append_printf(c->out, " [%u thread=%d %s]", list->cpus[i].cpuIndex,
                               (int)list->cpus[i].threadId, list->cpus[i].qomPath);
    return 1;
}

static int
replayQueryBalloon(ReplayCall *c, GError **error)
{
    bool has = false;
    unsigned long long actual = 0;

    if (!qemuMonitorQueryBalloon(c->mon, &has, &actual, error))
        return 0;
    if (has)
        g_string_append_printf(c->out, "actual=%llu", actual);
    else
        g_string_append(c->out, "no balloon");
    return 1;
}

/* Whether @args has only members named in @known (NULL-terminated). */
static bool
replayArgsOnly(json_object *args, const char *const *known)
{
    if (!args)
        return true;
    json_object_object_foreach(args, key, val)
    {
        (void)val;
        if (!g_strv_contains(known, key))
            return false;
    }
    return true;
}

static const char *
replayArgStr(json_object *args, const char *key)
{
    json_object *v = NULL;

    if (!args || !json_object_object_get_ex(args, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool
replayArgTrue(json_object *args, const char *key)
{
    json_object *v = NULL;

    return args && json_object_object_get_ex(args, key, &v) &&
           json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static int
replayMigrate(ReplayCall *c, GError **error)
{
    static const char *const known[] = {"uri", "detach", "resume", NULL};
    unsigned int flags = 0;

    if (!replayArgsOnly(c->args, known) || !replayArgStr(c->args, "uri"))
        return -1;
    if (replayArgTrue(c->args, "detach"))
        flags |= QEMU_MONITOR_MIGRATE_DETACH;
    if (replayArgTrue(c->args, "resume"))
        flags |= QEMU_MONITOR_MIGRATE_RESUME;
    return replayResult(qemuMonitorMigrate(c->mon, replayArgStr(c->args, "uri"), flags, error));
}

static int
replayMigrateIncoming(ReplayCall *c, GError **error)
{
    static const char *const known[] = {"uri", NULL};

    if (!replayArgsOnly(c->args, known) || !replayArgStr(c->args, "uri"))
        return -1;
    return replayResult(qemuMonitorMigrateIncoming(c->mon, replayArgStr(c->args, "uri"), error));
}

static int
replaySetCaps(ReplayCall *c, GError **error)
{
    json_object *list = NULL;
    unsigned long long which, enabled;

    if (!c->args || !json_object_object_get_ex(c->args, "capabilities", &list) ||
        !qemuMonitorJSONParseMigrationCapabilities("recorded arguments", list, &which, &enabled,
                                                   NULL))
        return -1;
    g_string_append(c->out, "set ");
    formatCaps(c->out, which);
    g_string_append(c->out, " on ");
    formatCaps(c->out, enabled);
    return replayResult(qemuMonitorMigrateSetCapabilities(c->mon, which, enabled, error));
}

static int
replayQueryCaps(ReplayCall *c, GError **error)
{
    unsigned long long known, enabled;

    if (!qemuMonitorQueryMigrateCapabilities(c->mon, &known, &enabled, error))
        return 0;
    g_string_append(c->out, "known ");
    formatCaps(c->out, known);
    g_string_append(c->out, " enabled ");
    formatCaps(c->out, enabled);
    return 1;
}

static int
replaySetParams(ReplayCall *c, GError **error)
{
    g_auto(qemuMonitorMigrationParams) params = {0};

    if (!c->args ||
        !qemuMonitorJSONParseMigrationParams("recorded arguments", c->args, &params, NULL))
        return -1;
    formatParams(c->out, &params);
    return replayResult(qemuMonitorMigrateSetParams(c->mon, &params, error));
}

static int
replayQueryParams(ReplayCall *c, GError **error)
{
    g_auto(qemuMonitorMigrationParams) params = {0};

    if (!qemuMonitorQueryMigrateParams(c->mon, &params, error))
        return 0;
    formatParams(c->out, &params);
    return 1;
}

static int
replayQueryMigrate(ReplayCall *c, GError **error)
{
    g_auto(qemuMonitorMigrationStats) stats = {0};

    if (!qemuMonitorQueryMigrate(c->mon, &stats, error))
        return 0;
    formatStats(c->out, &stats);
    return 1;
}

static int
replayGetFD(ReplayCall *c, GError **error)
{
    static const char *const known[] = {"fdname", NULL};
    int fds[2];
    bool ok;

    if (!c->withFD || !replayArgsOnly(c->args, known) || !replayArgStr(c->args, "fdname"))
        return -1;
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    ok = qemuMonitorSendFD(c->mon, replayArgStr(c->args, "fdname"), fds[1], error);
    close(fds[0]);
    close(fds[1]);
    return replayResult(ok);
}

/* Every command tern's typed API covers (G2: a table); others replay raw. */
static const struct {
    const char *cmd;
    ReplayFunc func;
} replayTable[] = {
    /* clang-format off */
    {"cont", replayCont},
    {"stop", replayStop},
    {"system_powerdown", replayPowerdown},
    {"system_reset", replayReset},
    {"quit", replayQuit},
    {"query-status", replayQueryStatus},
    {"query-cpus-fast", replayQueryCPUs},
    {"query-balloon", replayQueryBalloon},
    {"migrate", replayMigrate},
    {"migrate-incoming", replayMigrateIncoming},
    {"migrate_cancel", replayMigrateCancel},
    {"migrate-start-postcopy", replayStartPostcopy},
    {"migrate-set-capabilities", replaySetCaps},
    {"query-migrate-capabilities", replayQueryCaps},
    {"migrate-set-parameters", replaySetParams},
    {"query-migrate-parameters", replayQueryParams},
    {"query-migrate", replayQueryMigrate},
    {"getfd", replayGetFD},
    /* clang-format on */
};

static void
replayRaw(ReplayCall *c, GError **error)
{
    json_object *copy = NULL;
    g_autoptr(json_object) ret = NULL;

    if (c->args)
        json_object_deep_copy(c->args, &copy, NULL);
    g_string_append(c->out, "(raw)");
    if (!(ret = qemuMonitorCommand(c->mon, c->cmd, copy, 0, error)))
        return;
    if (json_object_is_type(ret, json_type_array))
        g_string_append_printf(c->out, " array of %zu", json_object_array_length(ret));
    else
        g_string_append_printf(c->out, " %s",
                               json_object_to_json_string_ext(
                                   ret, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
testReplay(gconstpointer data)
{
    const char *file = data;
    g_autofree char *rel = g_build_filename(TEST_QEMU_DIR, file, NULL);
    g_autofree char *base = g_strndup(file, strcspn(file, "."));
    g_autofree char *golden = ternTestDataPath("qmp", TEST_QEMU_DIR, NULL);
    g_autofree char *goldenPath = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    const GPtrArray *lines;
    TestHarness h;
    guint nevents = 0, ncmds = 0;
    bool eof = false, schema = !g_str_equal(base, "errors");
    qemuMonitorVersion version;

    goldenPath = g_strdup_printf("%s/%s.parsed", golden, base);
    if (!testHarnessOpen(&h, rel, schema, 0, &err)) {
        g_test_message("open: %s", err->message);
        g_test_fail();
        testHarnessFinish(&h, false);
        return;
    }
    qemuMonitorGetVersion(h.mon, &version);
    g_string_append_printf(out, "# %s: what tern's typed API made of it\n", file);
    g_string_append_printf(out, "version: %u.%u.%u (%s)\n", version.major, version.minor,
                           version.micro, version.package);

    lines = ternTestQMPGetLines(h.fake);
    for (guint i = 0; i < lines->len; i++) {
        const ternTestQMPLine *l = lines->pdata[i];
        const ternTestQMPLine *next = i + 1 < lines->len ? lines->pdata[i + 1] : NULL;
        json_object *exec = NULL, *args = NULL;
        ReplayCall call = {0};
        int rc = -1;

        if (l->kind == TERN_TEST_QMP_SEND && json_object_object_get_ex(l->json, "event", NULL))
            nevents++;
        if (l->kind == TERN_TEST_QMP_EOF)
            eof = true;
        if (l->kind != TERN_TEST_QMP_COMMAND || ncmds++ == 0)
            continue; /* the first command is qmp_capabilities, sent by qemuMonitorOpenFD */
        json_object_object_get_ex(l->json, "execute", &exec);
        json_object_object_get_ex(l->json, "arguments", &args);
        call.mon = h.mon;
        call.cmd = json_object_get_string(exec);
        call.args = args;
        call.withFD = next && next->kind == TERN_TEST_QMP_FD;
        call.out = g_string_new(NULL);
        for (size_t t = 0; t < G_N_ELEMENTS(replayTable); t++) {
            if (g_str_equal(replayTable[t].cmd, call.cmd)) {
                rc = replayTable[t].func(&call, &err);
                break;
            }
        }
        if (rc < 0)
            replayRaw(&call, &err);
        if (err) {
            g_string_append_printf(out, "%s: %s%serror: %s\n", call.cmd, call.out->str,
                                   call.out->len ? " -> " : "", err->message);
            g_clear_error(&err);
        } else {
            g_string_append_printf(out, "%s: %s\n", call.cmd, call.out->len ? call.out->str : "ok");
        }
        g_string_free(call.out, TRUE);
    }

    if (!testSinkWait(&h.sink, nevents, eof ? 1 : 0, 0)) {
        g_test_message("expected %u events and %d EOF, got %u and %u", nevents, eof,
                       h.sink.events->len, h.sink.eofs);
        g_test_fail();
    }
    g_string_append(out, "events:\n");
    for (guint i = 0; i < h.sink.events->len; i++)
        g_string_append_printf(out, "  %s\n", (char *)h.sink.events->pdata[i]);
    g_string_append_printf(out, "eof: %u\nerrors: %u\n", h.sink.eofs, h.sink.errors);
    testHarnessFinish(&h, true);

    if (!ternTestCompareToFile(out->str, goldenPath))
        g_test_fail();
}

/* ---- faults ---------------------------------------------------------------------------- */

static json_object *
testCommand(TestHarness *h, const char *cmd, int timeoutMs, GError **error)
{
    return qemuMonitorCommand(h->mon, cmd, NULL, timeoutMs, error);
}

/* A line QEMU should never send: the waiting command fails, errorNotify fires once. */
static void
testBroken(gconstpointer data)
{
    const char *const *spec = data; /* {file, expected message part} */
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) again = NULL;
    g_autoptr(json_object) ret = NULL;
    TestHarness h;

    if (!testHarnessOpen(&h, spec[0], true, 0, &err))
        g_error("open %s: %s", spec[0], err->message);
    ret = testCommand(&h, "query-status", 0, &err);
    g_assert_null(ret);
    TEST_ASSERT_ERROR(err, TERN_ERR_INTERNAL_ERROR, spec[1]);
    g_assert_true(testSinkWait(&h.sink, 0, 0, 1));
    g_assert_false(qemuMonitorIsOpen(h.mon));
    /* later commands fail at once with the same reason */
    g_assert_null(testCommand(&h, "query-status", 0, &again));
    g_assert_cmpstr(again->message, ==, err->message);
    g_assert_cmpuint(h.sink.errors, ==, 1);
    g_assert_cmpuint(h.sink.eofs, ==, 0);
    g_assert_cmpstr(h.sink.errorMessage, ==, err->message);
    testHarnessFinish(&h, true);
}

static void
testEOFMidReply(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;
    qemuMonitorMigrationStats stats = {0};

    if (!testHarnessOpen(&h, "eof-mid-reply.txt", true, 0, &err))
        g_error("open: %s", err->message);
    g_assert_false(qemuMonitorQueryMigrate(h.mon, &stats, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_OPERATION_FAILED,
                      "operation failed: QEMU monitor closed: end of file from QEMU in the "
                      "middle of a reply");
    g_assert_true(testSinkWait(&h.sink, 0, 1, 0));
    g_assert_cmpuint(h.sink.errors, ==, 0);
    g_assert_false(qemuMonitorIsOpen(h.mon));
    testHarnessFinish(&h, true);
}

static void
testSplitReads(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;
    qemuMonitorStatus st;
    g_auto(qemuMonitorMigrationStats) stats = {0};

    if (!testHarnessOpen(&h, "split-reads.txt", true, 0, &err))
        g_error("open: %s", err->message);
    g_assert_true(qemuMonitorQueryStatus(h.mon, &st, &err));
    g_assert_false(st.running);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_VM_STATUS_PAUSED);
    g_assert_true(qemuMonitorQueryMigrate(h.mon, &stats, &err));
    g_assert_cmpint(stats.status, ==, QEMU_MONITOR_MIGRATION_STATUS_SETUP);
    g_assert_cmpuint(h.sink.events->len, ==, 1);
    g_assert_cmpstr(h.sink.events->pdata[0], ==, "STOP @1700000000.000005");
    testHarnessFinish(&h, true);
}

static void
testTimeout(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;
    gint64 start;

    if (!testHarnessOpen(&h, "timeout.txt", true, 0, &err))
        g_error("open: %s", err->message);
    start = g_get_monotonic_time();
    g_assert_null(testCommand(&h, "query-status", 300, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_OPERATION_TIMEOUT, "within 300 ms");
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * G_TIME_SPAN_MILLISECOND);
    g_assert_true(qemuMonitorIsOpen(h.mon));
    g_assert_cmpuint(h.sink.errors + h.sink.eofs, ==, 0);
    testHarnessFinish(&h, true);
}

static void
testLateReply(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(qemuMonitorMigrationStats) stats = {0};
    TestHarness h;

    if (!testHarnessOpen(&h, "late-reply.txt", true, 0, &err))
        g_error("open: %s", err->message);
    g_assert_null(testCommand(&h, "query-status", 500, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_OPERATION_TIMEOUT, "'query-status'");
    /* the fake answers the first command only after receiving this one */
    g_assert_true(qemuMonitorQueryMigrate(h.mon, &stats, NULL));
    g_assert_cmpint(stats.status, ==, QEMU_MONITOR_MIGRATION_STATUS_COMPLETED);
    g_assert_true(qemuMonitorIsOpen(h.mon));
    g_assert_cmpuint(h.sink.errors, ==, 0);
    testHarnessFinish(&h, true);
}

typedef struct {
    qemuMonitor *mon;
    const char *cmd;
    json_object *ret;
    GError *error;
} TestCall;

static gpointer
testCallThread(gpointer opaque)
{
    TestCall *c = opaque;

    c->ret = qemuMonitorCommand(c->mon, c->cmd, NULL, TEST_WAIT_MS, &c->error);
    return NULL;
}

static void
testOutOfOrder(void)
{
    g_autoptr(GError) err = NULL;
    TestCall first = {0}, second = {0};
    GThread *t1, *t2;
    TestHarness h;
    g_auto(qemuMonitorMigrationStats) stats = {0};
    qemuMonitorStatus st;

    /* TERN_TEST_SYNC is not a QEMU event: no schema for this one */
    if (!testHarnessOpen(&h, "out-of-order.txt", false, 0, &err))
        g_error("open: %s", err->message);
    first = (TestCall){.mon = h.mon, .cmd = "query-status"};
    second = (TestCall){.mon = h.mon, .cmd = "query-migrate"};
    t1 = g_thread_new("call-1", testCallThread, &first);
    /* the fake says TERN_TEST_SYNC once it has the first command: then send the second */
    g_assert_true(testSinkWait(&h.sink, 1, 0, 0));
    t2 = g_thread_new("call-2", testCallThread, &second);
    g_thread_join(t2);
    g_thread_join(t1);
    g_assert_no_error(first.error);
    g_assert_no_error(second.error);
    g_assert_true(qemuMonitorJSONParseQueryStatus(first.ret, &st, NULL));
    g_assert_true(st.running);
    g_assert_true(qemuMonitorJSONParseQueryMigrate(second.ret, &stats, NULL));
    g_assert_cmpint(stats.status, ==, QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    g_assert_cmpuint(stats.totalTime, ==, 7);
    json_object_put(first.ret);
    json_object_put(second.ret);
    testHarnessFinish(&h, true);
}

static void
testEOFWithWaiters(void)
{
    g_autoptr(GError) err = NULL;
    TestCall calls[3];
    GThread *threads[3];
    TestHarness h;

    if (!testHarnessOpen(&h, "eof-with-waiters.txt", true, 0, &err))
        g_error("open: %s", err->message);
    for (int i = 0; i < 3; i++) {
        calls[i] = (TestCall){.mon = h.mon, .cmd = "query-status"};
        threads[i] = g_thread_new("call", testCallThread, &calls[i]);
    }
    for (int i = 0; i < 3; i++) {
        g_thread_join(threads[i]);
        g_assert_null(calls[i].ret);
        TEST_ASSERT_ERROR(calls[i].error, TERN_ERR_OPERATION_FAILED,
                          "operation failed: QEMU monitor closed: end of file from QEMU");
        g_clear_error(&calls[i].error);
    }
    g_assert_true(testSinkWait(&h.sink, 0, 1, 0));
    g_assert_cmpuint(h.sink.eofs, ==, 1);
    g_assert_cmpuint(h.sink.errors, ==, 0);
    testHarnessFinish(&h, true);
}

static void
testEvents(void)
{
    static const char *const expected[] = {
        "EVENT MIGRATION {\"status\":42} @1700000000.000010",
        "EVENT SHUTDOWN {} @1700000000.000011",
        "EVENT MIGRATION_PASS {\"pass\":-1} @1700000000.000012",
        "EVENT RESET {\"guest\":true,\"reason\":\"no-such-reason\"} @1700000000.000013",
        "STOP @0.000000",
        "EVENT DEVICE_DELETED {\"path\":\"/machine/peripheral/net0\",\"device\":\"net0\"} "
        "@1700000000.000014",
        "SHUTDOWN guest=yes reason=guest-shutdown @1700000000.000015",
        "MIGRATION status=postcopy-active @1700000000.000016",
    };
    g_autoptr(GError) err = NULL;
    TestHarness h;
    qemuMonitorStatus st;

    if (!testHarnessOpen(&h, "events.txt", false, 0, &err))
        g_error("open: %s", err->message);
    g_assert_true(qemuMonitorQueryStatus(h.mon, &st, &err));
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_VM_STATUS_SHUTDOWN);
    g_assert_cmpuint(h.sink.events->len, ==, G_N_ELEMENTS(expected));
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpstr(h.sink.events->pdata[i], ==, expected[i]);
    g_assert_cmpuint(h.sink.errors + h.sink.eofs, ==, 0);
    testHarnessFinish(&h, true);
}

static void
testOpenFails(gconstpointer data)
{
    const char *const *spec = data; /* {file, code as text, expected message part} */
    g_autoptr(GError) err = NULL;
    TestHarness h;
    gint64 code;

    g_assert_true(g_ascii_string_to_signed(spec[1], 10, 0, 1000, &code, NULL));
    g_assert_false(testHarnessOpen(&h, spec[0], false, 300, &err));
    TEST_ASSERT_ERROR(err, (int)code, spec[2]);
    g_assert_null(h.mon);
    /* a monitor that never opened never calls back */
    g_assert_cmpuint(h.sink.errors + h.sink.eofs + h.sink.events->len, ==, 0);
    testHarnessFinish(&h, false);
}

static void
testCallbackCommand(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;
    qemuMonitorStatus st;

    testHarnessInit(&h);
    h.sink.commandInCallback = true; /* before the loop thread can see the STOP */
    if (!testHarnessStart(&h, "callback-command.txt", true, 0, &err))
        g_error("open: %s", err->message);
    g_assert_true(qemuMonitorQueryStatus(h.mon, &st, &err));
    g_assert_true(testSinkWait(&h.sink, 1, 0, 0));
    g_assert_nonnull(h.sink.callbackError);
    g_assert_nonnull(strstr(h.sink.callbackError, "issued from the monitor's event loop thread"));
    testHarnessFinish(&h, true);
}

static void
testCloseWhileWaiting(void)
{
    g_autoptr(GError) err = NULL;
    TestCall call;
    GThread *t;
    TestHarness h;
    const GPtrArray *lines;

    if (!testHarnessOpen(&h, "close-while-waiting.txt", true, 0, &err))
        g_error("open: %s", err->message);
    call = (TestCall){.mon = h.mon, .cmd = "query-status"};
    t = g_thread_new("call", testCallThread, &call);
    /* wait until the fake has the command and fell silent */
    lines = ternTestQMPGetLines(h.fake);
    g_assert_true(ternTestQMPWaitReached(
        h.fake, ((ternTestQMPLine *)lines->pdata[lines->len - 1])->lineno, TEST_WAIT_MS));
    qemuMonitorClose(h.mon);
    g_thread_join(t);
    g_assert_null(call.ret);
    TEST_ASSERT_ERROR(call.error, TERN_ERR_OPERATION_FAILED, "closed by tern");
    g_clear_error(&call.error);
    g_assert_false(qemuMonitorIsOpen(h.mon));
    /* a closed monitor calls nobody */
    g_assert_cmpuint(h.sink.eofs + h.sink.errors, ==, 0);
    testHarnessFinish(&h, true);
}

static void
testEOFCloseInCallback(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;

    if (!testHarnessOpen(&h, "eof-close-in-callback.txt", true, 0, &err))
        g_error("open: %s", err->message);
    /* eofNotify closes the monitor and drops the only reference, on the loop thread */
    g_mutex_lock(&h.sink.lock);
    h.sink.closeInEOF = true;
    h.sink.monToDrop = g_steal_pointer(&h.mon);
    g_mutex_unlock(&h.sink.lock);
    g_assert_true(qemuMonitorQuit(h.sink.monToDrop, &err));
    g_assert_true(testSinkWait(&h.sink, 1, 1, 0));
    g_assert_null(h.sink.monToDrop);
    testHarnessFinish(&h, true);
}

static void
testUnrefCloses(void)
{
    g_autoptr(GError) err = NULL;
    TestHarness h;

    if (!testHarnessOpen(&h, "qemu-7.2/handshake.txt", true, 0, &err))
        g_error("open: %s", err->message);
    /* no qemuMonitorClose: dropping the last reference must close the socket */
    h.mon = qemuMonitorUnref(h.mon);
    testHarnessFinish(&h, true);
}

/* ---- opening by path --------------------------------------------------------------- */

typedef struct {
    char *path;
    ternTestQMP *fake;
    int delayMs;
} TestLateListener;

/* QEMU "starting": the socket appears only after a while; then the fake plays on it. */
static gpointer
testLateListenerThread(gpointer opaque)
{
    TestLateListener *l = opaque;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int lfd, cfd;

    g_usleep((gulong)l->delayMs * 1000); /* emulates a slow QEMU start */
    g_strlcpy(addr.sun_path, l->path, sizeof(addr.sun_path));
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(cfd, >=, 0);
    close(lfd);
    ternTestQMPStartOnFD(l->fake, cfd);
    return NULL;
}

static void
testOpenRetry(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("tern-qmp-XXXXXX", NULL);
    g_autofree char *data = ternTestDataPath("qmp", TEST_QEMU_DIR, "handshake.txt", NULL);
    TestLateListener l = {.delayMs = 300};
    TestLoop *loop = testLoopNew();
    g_autoptr(qemuMonitor) mon = NULL;
    GThread *t;
    gint64 start = g_get_monotonic_time();

    l.path = g_build_filename(dir, "qmp.sock", NULL);
    l.fake = ternTestQMPNew(data, &err);
    g_assert_no_error(err);
    t = g_thread_new("late-listener", testLateListenerThread, &l);
    mon = qemuMonitorOpenFull(l.path, 5000, NULL, NULL, loop->ctx, &err);
    g_assert_no_error(err);
    g_assert_nonnull(mon);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * G_TIME_SPAN_MILLISECOND);
    g_thread_join(t);
    qemuMonitorClose(mon);
    g_assert_true(ternTestQMPFinish(l.fake, &err));
    ternTestQMPFree(l.fake);
    unlink(l.path);
    g_rmdir(dir);
    g_free(l.path);
    mon = qemuMonitorUnref(g_steal_pointer(&mon));
    testLoopFree(loop);
}

static void
testOpenMissing(void)
{
    g_autoptr(GError) err = NULL;
    TestLoop *loop = testLoopNew();
    gint64 start = g_get_monotonic_time();
    qemuMonitor *mon;

    mon = qemuMonitorOpenFull("/nonexistent/tern/qmp.sock", 200, NULL, NULL, loop->ctx, &err);
    g_assert_null(mon);
    TEST_ASSERT_ERROR(err, TERN_ERR_SYSTEM_ERROR, "No such file or directory");
    g_assert_nonnull(strstr(err->message, "'/nonexistent/tern/qmp.sock'"));
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 200 * G_TIME_SPAN_MILLISECOND);
    g_clear_error(&err);

    /* a path that does not fit sockaddr_un */
    g_autofree char *longPath = g_strnfill(200, 'x');
    g_assert_null(qemuMonitorOpenFull(longPath, 200, NULL, NULL, loop->ctx, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_INVALID_ARG, "longer than");
    testLoopFree(loop);
}

/* ---- a real QEMU, when there is one ------------------------------------------------- */

static void
testRealQEMU(void)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *dir = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *qmpArg = NULL;
    g_autoptr(GError) err = NULL;
    TestSink sink;
    TestLoop *loop;
    qemuMonitor *mon;
    qemuMonitorStatus st;
    qemuMonitorVersion version;
    GPid pid;
    int status;

    if (!qemu || g_getenv("TERN_TEST_NO_QEMU")) {
        g_test_skip("qemu-system-x86_64 not found (or TERN_TEST_NO_QEMU set)");
        return;
    }
    dir = g_dir_make_tmp("tern-qmp-XXXXXX", NULL);
    sock = g_build_filename(dir, "qmp.sock", NULL);
    qmpArg = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    {
        const char *argv[] = {qemu,  "-S", "-nodefaults", "-display", "none", "-accel",
                              "tcg", "-m", "64",          "-qmp",     qmpArg, NULL};
        g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                    NULL, &pid, &err));
    }
    testSinkInit(&sink);
    loop = testLoopNew();
    /* QEMU needs a moment to create the socket: qemuMonitorOpen retries */
    mon = qemuMonitorOpen(sock, &testCallbacks, &sink, loop->ctx, &err);
    if (!mon) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        g_error("open a real QEMU: %s", err->message);
    }
    qemuMonitorGetVersion(mon, &version);
    g_assert_cmpuint(version.major, >=, 7);
    g_assert_true(qemuMonitorQueryStatus(mon, &st, &err));
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_VM_STATUS_PRELAUNCH);
    g_assert_true(qemuMonitorStartCPUs(mon, &err));
    g_assert_true(qemuMonitorQuit(mon, &err));
    g_assert_true(testSinkWait(&sink, 2, 1, 0)); /* RESUME, SHUTDOWN, EOF */
    g_assert_true(
        g_str_has_prefix(sink.events->pdata[1], "SHUTDOWN guest=no reason=host-qmp-quit @"));
    qemuMonitorClose(mon);
    qemuMonitorUnref(mon);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    testLoopFree(loop);
    testSinkClear(&sink);
    unlink(sock);
    g_rmdir(dir);
}

/* ---- pure functions: enums, builders, decoders ------------------------------------- */

static void
testEnums(void)
{
    static const struct {
        const char *(*toString)(int);
        int (*fromString)(const char *);
        int last;
    } tables[] = {
        {(const char *(*)(int))(void (*)(void))qemuMonitorVMStatusToString,
         qemuMonitorVMStatusFromString, QEMU_MONITOR_VM_STATUS_LAST},
        {(const char *(*)(int))(void (*)(void))qemuMonitorMigrationStatusToString,
         qemuMonitorMigrationStatusFromString, QEMU_MONITOR_MIGRATION_STATUS_LAST},
        {(const char *(*)(int))(void (*)(void))qemuMonitorShutdownCauseToString,
         qemuMonitorShutdownCauseFromString, QEMU_MONITOR_SHUTDOWN_CAUSE_LAST},
        {(const char *(*)(int))(void (*)(void))qemuMonitorMigrationCapToString,
         qemuMonitorMigrationCapFromString, QEMU_MONITOR_MIGRATION_CAP_LAST},
        {(const char *(*)(int))(void (*)(void))qemuMonitorMultifdCompressionToString,
         qemuMonitorMultifdCompressionFromString, QEMU_MONITOR_MULTIFD_COMPRESSION_LAST},
        {(const char *(*)(int))(void (*)(void))qemuMonitorErrorClassToString,
         qemuMonitorErrorClassFromString, QEMU_MONITOR_ERROR_CLASS_LAST},
    };

    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        for (int v = 0; v < tables[t].last; v++) {
            const char *s = tables[t].toString(v);
            g_assert_nonnull(s);
            g_assert_cmpint(tables[t].fromString(s), ==, v);
        }
        g_assert_null(tables[t].toString(tables[t].last));
        g_assert_null(tables[t].toString(-1));
        g_assert_cmpint(tables[t].fromString("no-such-value"), ==, -1);
        g_assert_cmpint(tables[t].fromString(NULL), ==, -1);
    }
}

/* Each of tern's enum tables against the enum QEMU's schema declares. */
static void
testSchemaEnums(void)
{
    static const struct {
        const char *entity;
        bool ret;
        const char *member;
        int (*fromString)(const char *);
        const char *(*toString)(int);
        int last;
        const char *ignored; /* schema values tern leaves out on purpose */
    } checks[] = {
        {"query-status", true, "status", qemuMonitorVMStatusFromString,
         (const char *(*)(int))(void (*)(void))qemuMonitorVMStatusToString,
         QEMU_MONITOR_VM_STATUS_LAST, ""},
        {"query-migrate", true, "status", qemuMonitorMigrationStatusFromString,
         (const char *(*)(int))(void (*)(void))qemuMonitorMigrationStatusToString,
         QEMU_MONITOR_MIGRATION_STATUS_LAST, ""},
        {"SHUTDOWN", false, "reason", qemuMonitorShutdownCauseFromString,
         (const char *(*)(int))(void (*)(void))qemuMonitorShutdownCauseToString,
         QEMU_MONITOR_SHUTDOWN_CAUSE_LAST, ""},
        {"query-migrate-capabilities", true, "capability", qemuMonitorMigrationCapFromString,
         (const char *(*)(int))(void (*)(void))qemuMonitorMigrationCapToString,
         QEMU_MONITOR_MIGRATION_CAP_LAST, "x-colo x-ignore-shared"},
        {"migrate-set-parameters", false, "multifd-compression",
         qemuMonitorMultifdCompressionFromString,
         (const char *(*)(int))(void (*)(void))qemuMonitorMultifdCompressionToString,
         QEMU_MONITOR_MULTIFD_COMPRESSION_LAST, ""},
    };

    for (size_t c = 0; c < G_N_ELEMENTS(checks); c++) {
        json_object *values = ternTestQMPSchemaEnumValues(testSchema, checks[c].entity,
                                                          checks[c].ret, checks[c].member);
        g_auto(GStrv) ignored = g_strsplit(checks[c].ignored, " ", -1);
        size_t n;

        g_assert_nonnull(values);
        n = json_object_array_length(values);
        /* every value QEMU has is in the table (or deliberately left out)... */
        for (size_t i = 0; i < n; i++) {
            const char *v = json_object_get_string(json_object_array_get_idx(values, i));
            if (checks[c].fromString(v) < 0 && !g_strv_contains((const char *const *)ignored, v)) {
                g_test_message("%s.%s: QEMU's '%s' is missing from tern's table", checks[c].entity,
                               checks[c].member, v);
                g_test_fail();
            }
        }
        /* ...and every value of the table is QEMU's */
        for (int v = 0; v < checks[c].last; v++) {
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found = g_str_equal(json_object_get_string(json_object_array_get_idx(values, i)),
                                    checks[c].toString(v));
            if (!found) {
                g_test_message("%s.%s: tern's '%s' is unknown to QEMU 7.2", checks[c].entity,
                               checks[c].member, checks[c].toString(v));
                g_test_fail();
            }
        }
    }
}

/* Every command and event tern uses exists in QEMU 7.2, with the arguments tern sends. */
static void
testSchemaCommands(void)
{
    static const char *const noArgs[] = {
        "qmp_capabilities",
        "cont",
        "stop",
        "system_powerdown",
        "system_reset",
        "quit",
        "query-status",
        "query-cpus-fast",
        "query-balloon",
        "migrate_cancel",
        "migrate-start-postcopy",
        "query-migrate",
        "query-migrate-parameters",
        "query-migrate-capabilities",
    };
    static const char *const events[] = {"STOP",      "RESUME",    "SHUTDOWN",      "RESET",
                                         "POWERDOWN", "MIGRATION", "MIGRATION_PASS"};
    g_autoptr(GError) err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(noArgs); i++) {
        if (!ternTestQMPSchemaCheckCommand(testSchema, noArgs[i], NULL, &err)) {
            g_test_message("%s", err->message);
            g_test_fail();
            g_clear_error(&err);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        g_autoptr(GError) e2 = NULL;
        /* exists: checking with no data fails only for a missing member, not a missing event */
        ternTestQMPSchemaCheckEvent(testSchema, events[i], NULL, &e2);
        if (e2 && strstr(e2->message, "QEMU has no")) {
            g_test_message("%s", e2->message);
            g_test_fail();
        }
    }
    /* the events' data as the typed handlers read it */
    {
        g_autoptr(json_object) d1 =
            json_tokener_parse("{\"guest\": true, \"reason\": \"guest-reset\"}");
        g_autoptr(json_object) d2 = json_tokener_parse("{\"status\": \"device\"}");
        g_autoptr(json_object) d3 = json_tokener_parse("{\"pass\": 3}");
        g_assert_true(ternTestQMPSchemaCheckEvent(testSchema, "RESET", d1, NULL));
        g_assert_true(ternTestQMPSchemaCheckEvent(testSchema, "SHUTDOWN", d1, NULL));
        g_assert_true(ternTestQMPSchemaCheckEvent(testSchema, "MIGRATION", d2, NULL));
        g_assert_true(ternTestQMPSchemaCheckEvent(testSchema, "MIGRATION_PASS", d3, NULL));
    }
    /* and the checker does refuse what QEMU refuses */
    {
        g_autoptr(json_object) bad = json_tokener_parse("{\"uri\": \"exec:true\", \"nope\": 1}");
        g_autoptr(json_object) noUri = json_tokener_parse("{\"detach\": true}");
        g_assert_false(ternTestQMPSchemaCheckCommand(testSchema, "migrate", bad, NULL));
        g_assert_false(ternTestQMPSchemaCheckCommand(testSchema, "migrate", noUri, NULL));
        g_assert_false(ternTestQMPSchemaCheckCommand(testSchema, "no-such-command", NULL, NULL));
    }
}

/* A params struct with every member set to an in-range value. */
static void
testFillParams(qemuMonitorMigrationParams *p)
{
    memset(p, 0, sizeof(*p));
    p->hasAnnounceInitial = true, p->announceInitial = 50;
    p->hasAnnounceMax = true, p->announceMax = 550;
    p->hasAnnounceRounds = true, p->announceRounds = 5;
    p->hasAnnounceStep = true, p->announceStep = 100;
    p->hasCompressLevel = true, p->compressLevel = 1;
    p->hasCompressThreads = true, p->compressThreads = 8;
    p->hasCompressWaitThread = true, p->compressWaitThread = true;
    p->hasDecompressThreads = true, p->decompressThreads = 2;
    p->hasThrottleTriggerThreshold = true, p->throttleTriggerThreshold = 50;
    p->hasCPUThrottleInitial = true, p->cpuThrottleInitial = 20;
    p->hasCPUThrottleIncrement = true, p->cpuThrottleIncrement = 10;
    p->hasCPUThrottleTailslow = true, p->cpuThrottleTailslow = false;
    p->hasTLSCreds = true, p->tlsCreds = g_strdup("objmigrate_tls0");
    p->hasTLSHostname = true, p->tlsHostname = g_strdup("dst.example.org");
    p->hasTLSAuthz = true, p->tlsAuthz = g_strdup("");
    p->hasMaxBandwidth = true, p->maxBandwidth = 9223372036854775807ULL;
    p->hasDowntimeLimit = true, p->downtimeLimit = 300;
    p->hasBlockIncremental = true, p->blockIncremental = false;
    p->hasMultifdChannels = true, p->multifdChannels = 4;
    p->hasXbzrleCacheSize = true, p->xbzrleCacheSize = 67108864;
    p->hasMaxPostcopyBandwidth = true, p->maxPostcopyBandwidth = 0;
    p->hasMaxCPUThrottle = true, p->maxCPUThrottle = 99;
    p->hasMultifdCompression = true, p->multifdCompression = QEMU_MONITOR_MULTIFD_COMPRESSION_ZSTD;
    p->hasMultifdZlibLevel = true, p->multifdZlibLevel = 9;
    p->hasMultifdZstdLevel = true, p->multifdZstdLevel = 20;
}

/* The builders' output: schema-valid for QEMU 7.2, then equal to its golden. */
static void
testBuilders(void)
{
    g_auto(qemuMonitorMigrationParams) all = {0};
    qemuMonitorMigrationParams typical = {0};
    const unsigned long long allCaps = (1ULL << QEMU_MONITOR_MIGRATION_CAP_LAST) - 1;
    struct {
        const char *name;
        const char *cmd;
        json_object *args;
    } cases[] = {
        {"migrate", "migrate", qemuMonitorJSONBuildMigrate("unix:/run/tern/migrate.sock", 0, NULL)},
        {"migrate-detach-resume", "migrate",
         qemuMonitorJSONBuildMigrate("tcp:192.0.2.2:49152",
                                     QEMU_MONITOR_MIGRATE_DETACH | QEMU_MONITOR_MIGRATE_RESUME,
                                     NULL)},
        {"migrate-incoming", "migrate-incoming",
         qemuMonitorJSONBuildMigrateIncoming("tcp:192.0.2.2:49152", NULL)},
        {"getfd", "getfd", qemuMonitorJSONBuildGetFD("migrate", NULL)},
        {"migrate-set-capabilities-all", "migrate-set-capabilities",
         qemuMonitorJSONBuildMigrateSetCapabilities(allCaps, allCaps & 0x5555555555555555ULL,
                                                    NULL)},
        {"migrate-set-capabilities-postcopy", "migrate-set-capabilities",
         qemuMonitorJSONBuildMigrateSetCapabilities(
             QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS) |
                 QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM) |
                 QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_MULTIFD),
             QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS) |
                 QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM),
             NULL)},
        {"migrate-set-parameters-all", "migrate-set-parameters", NULL},
        {"migrate-set-parameters-typical", "migrate-set-parameters", NULL},
    };

    testFillParams(&all);
    cases[6].args = qemuMonitorJSONBuildMigrateSetParams(&all, NULL);
    typical.hasDowntimeLimit = true, typical.downtimeLimit = 500;
    typical.hasMaxBandwidth = true, typical.maxBandwidth = 1ULL << 30;
    typical.hasMultifdChannels = true, typical.multifdChannels = 2;
    cases[7].args = qemuMonitorJSONBuildMigrateSetParams(&typical, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(json_object) args = cases[i].args;
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;

        g_assert_nonnull(args);
        if (!ternTestQMPSchemaCheckCommand(testSchema, cases[i].cmd, args, &err)) {
            g_test_message("%s: %s", cases[i].name, err->message);
            g_test_fail();
        }
        path = g_strdup_printf("%s/qmp/build/%s.json", ternTestDataDir(), cases[i].name);
        text = g_strdup_printf("%s\n", json_object_to_json_string_ext(
                                           args, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        if (!ternTestCompareToFile(text, path))
            g_test_fail();
    }

    /* the round trip: the parser reads back what the builder wrote */
    {
        g_autoptr(json_object) args = qemuMonitorJSONBuildMigrateSetParams(&all, NULL);
        g_auto(qemuMonitorMigrationParams) back = {0};
        g_autoptr(json_object) again = NULL;

        g_assert_true(qemuMonitorJSONParseMigrationParams("test", args, &back, NULL));
        again = qemuMonitorJSONBuildMigrateSetParams(&back, NULL);
        g_assert_true(json_object_equal(args, again));
    }
}

/* Builders refuse what QEMU would refuse, before anything is sent (G10/G12). */
static void
testBuildersInvalid(void)
{
    static const unsigned long long one = QEMU_MONITOR_MIGRATION_CAP_BIT(0);
    qemuMonitorMigrationParams p = {0};
    g_autoptr(GError) err = NULL;
    g_autofree char *longURI = g_strnfill(5000, 'u');
#define TEST_BUILD_FAILS(call, msg)                                                                \
    do {                                                                                           \
        g_clear_error(&err);                                                                       \
        g_assert_null(call);                                                                       \
        TEST_ASSERT_ERROR(err, TERN_ERR_INVALID_ARG, msg);                                         \
    } while (0)

    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrate("", 0, &err), "migration URI for 'migrate'");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrate(NULL, 0, &err), "must have 1 to 4096");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrate(longURI, 0, &err), "must have 1 to 4096");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrate("unix:x", 1 << 7, &err), "unsupported flags");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrate("unix:\xff", 0, &err), "not valid UTF-8");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateIncoming("", &err), "'migrate-incoming'");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildGetFD("", &err), "fd name ''");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildGetFD("7fd", &err), "must not start with a digit");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildGetFD("my fd", &err), "letters, digits");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetCapabilities(0, 0, &err), "none selected");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetCapabilities(one, one << 1, &err),
                     "outside the selection");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetCapabilities(
                         QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_LAST), 0, &err),
                     "unknown bits");
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "no migration parameter");
    p.hasCompressLevel = true, p.compressLevel = 10;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err),
                     "migration parameter 'compress-level' value 10 is out of range 0..9");
    p.compressLevel = 9;
    p.hasDowntimeLimit = true, p.downtimeLimit = 2000001;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "'downtime-limit' value");
    p.downtimeLimit = 2000000;
    p.hasMultifdChannels = true, p.multifdChannels = 0;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "'multifd-channels' value 0");
    p.multifdChannels = 1;
    p.hasMaxBandwidth = true, p.maxBandwidth = 1ULL << 63;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "'max-bandwidth'");
    p.maxBandwidth = 0;
    p.hasTLSCreds = true;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "'tls-creds' is set but");
    p.hasTLSCreds = false;
    p.hasMultifdCompression = true, p.multifdCompression = QEMU_MONITOR_MULTIFD_COMPRESSION_LAST;
    TEST_BUILD_FAILS(qemuMonitorJSONBuildMigrateSetParams(&p, &err), "has no value 3");
    p.multifdCompression = QEMU_MONITOR_MULTIFD_COMPRESSION_ZLIB;
    g_clear_error(&err);
    {
        g_autoptr(json_object) ok = qemuMonitorJSONBuildMigrateSetParams(&p, &err);
        g_assert_no_error(err);
        g_assert_true(
            ternTestQMPSchemaCheckCommand(testSchema, "migrate-set-parameters", ok, NULL));
    }
    /* MakeCommand: names and arguments */
    TEST_BUILD_FAILS(qemuMonitorJSONMakeCommand("", NULL, "tern-1", &err), "QEMU command ''");
    TEST_BUILD_FAILS(qemuMonitorJSONMakeCommand("query status", NULL, "tern-1", &err),
                     "letters, digits");
    TEST_BUILD_FAILS(qemuMonitorJSONMakeCommand("migrate", json_object_new_array(), "tern-1", &err),
                     "have type array, expected object");
#undef TEST_BUILD_FAILS
}

/* The decoders' positive paths on real replies are covered by the replays; these are odd ones. */
static void
testDecodeLine(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) a = NULL;
    g_autoptr(json_object) b = NULL;
    g_autofree char *big = NULL;
    const char *line = "{\"return\": {}}\r";

    a = qemuMonitorJSONDecodeLine(line, strlen(line), &err);
    g_assert_no_error(err);
    g_assert_nonnull(a);
    /* not NUL-terminated at len: only len bytes are read */
    b = qemuMonitorJSONDecodeLine("{\"event\": \"STOP\"}garbage", 17, &err);
    g_assert_no_error(err);
    g_assert_nonnull(b);
    /* trailing whitespace is fine */
    json_object_put(qemuMonitorJSONDecodeLine("{} \t", 4, &err));
    g_assert_no_error(err);
    /* the bound check comes first */
    g_assert_null(qemuMonitorJSONDecodeLine("{}", (size_t)QEMU_MONITOR_MAX_LINE + 1, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_INTERNAL_ERROR, "exceeds the limit of 4194304 bytes");
    g_clear_error(&err);
    /* invalid UTF-8 bytes */
    g_assert_null(qemuMonitorJSONDecodeLine("{\"a\": \"\xc3\x28\"}", 11, &err));
    TEST_ASSERT_ERROR(err, TERN_ERR_INTERNAL_ERROR, "invalid JSON");
    g_clear_error(&err);
    /* a large but legal line */
    big = g_strdup_printf("{\"return\": \"%0*d\"}", 3 * 1024 * 1024, 0);
    json_object_put(qemuMonitorJSONDecodeLine(big, strlen(big), &err));
    g_assert_no_error(err);
}

/* tests/data/qmp/malformed/<case>.json: {"parser", "input"} → the error in <case>.err */
static bool
testRunParser(const char *parser, json_object *input, GError **error)
{
    qemuMonitorStatus st;
    g_auto(qemuMonitorMigrationStats) stats = {0};
    g_auto(qemuMonitorMigrationParams) params = {0};
    qemuMonitorVersion version;
    unsigned long long u1, u2;
    bool guest;
    qemuMonitorShutdownCause cause;
    qemuMonitorMigrationStatus mst;
    unsigned int pass;

    if (g_str_equal(parser, "line")) {
        g_autoptr(json_object) obj = qemuMonitorJSONDecodeLine(
            json_object_get_string(input), (size_t)json_object_get_string_len(input), error);
        return obj != NULL;
    }
    if (g_str_equal(parser, "classify")) {
        qemuMonitorJSONMessageKind kind;
        const char *id;
        return qemuMonitorJSONClassify(input, &kind, &id, error);
    }
    if (g_str_equal(parser, "reply")) {
        g_autoptr(json_object) ret = qemuMonitorJSONReplyGetReturn("test", input, NULL, error);
        return ret != NULL;
    }
    if (g_str_equal(parser, "greeting"))
        return qemuMonitorJSONParseGreeting(input, &version, error);
    if (g_str_equal(parser, "event")) {
        const char *name;
        json_object *data;
        long long s;
        unsigned int us;
        return qemuMonitorJSONParseEvent(input, &name, &data, &s, &us, error);
    }
    if (g_str_equal(parser, "event-shutdown"))
        return qemuMonitorJSONParseEventShutdown("SHUTDOWN", input, &guest, &cause, error);
    if (g_str_equal(parser, "event-migration"))
        return qemuMonitorJSONParseEventMigration(input, &mst, error);
    if (g_str_equal(parser, "event-migration-pass"))
        return qemuMonitorJSONParseEventMigrationPass(input, &pass, error);
    if (g_str_equal(parser, "query-status"))
        return qemuMonitorJSONParseQueryStatus(input, &st, error);
    if (g_str_equal(parser, "query-cpus-fast")) {
        g_autoptr(qemuMonitorCPUList) list = qemuMonitorJSONParseQueryCPUsFast(input, error);
        return list != NULL;
    }
    if (g_str_equal(parser, "query-balloon"))
        return qemuMonitorJSONParseQueryBalloon(input, &u1, error);
    if (g_str_equal(parser, "query-migrate"))
        return qemuMonitorJSONParseQueryMigrate(input, &stats, error);
    if (g_str_equal(parser, "query-migrate-parameters"))
        return qemuMonitorJSONParseMigrationParams("query-migrate-parameters reply", input, &params,
                                                   error);
    if (g_str_equal(parser, "query-migrate-capabilities"))
        return qemuMonitorJSONParseMigrationCapabilities("query-migrate-capabilities reply", input,
                                                         &u1, &u2, error);
    g_error("unknown parser '%s'", parser);
    return false;
}

static void
testMalformed(gconstpointer data)
{
    const char *name = data;
    g_autofree char *dir = ternTestDataPath("qmp", "malformed", NULL);
    g_autofree char *jsonPath = g_strdup_printf("%s/%s.json", dir, name);
    g_autofree char *errPath = g_strdup_printf("%s/%s.err", dir, name);
    g_autoptr(json_object) spec = json_object_from_file(jsonPath);
    g_autoptr(GError) err = NULL;
    json_object *parser = NULL, *input = NULL;

    g_assert_nonnull(spec);
    g_assert_true(json_object_object_get_ex(spec, "parser", &parser));
    json_object_object_get_ex(spec, "input", &input);
    if (testRunParser(json_object_get_string(parser), input, &err)) {
        g_test_message("%s: the decoder accepted it", name);
        g_test_fail();
        return;
    }
    g_assert_nonnull(err);
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_INTERNAL_ERROR);
    if (!ternTestCompareErrorToFile(err, errPath))
        g_test_fail();
}

/* ---- main ------------------------------------------------------------------------------ */

static GPtrArray *
testListDir(const char *dir, const char *suffix)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        if (g_str_has_suffix(n, suffix))
            g_ptr_array_add(names, g_strdup(n));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

static int
testStrcmpPtr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    static const char *const broken[][2] = {
        {"garbage-json.txt", "QEMU monitor sent invalid JSON"},
        {"non-object.txt", "QEMU monitor sent a JSON array, expected an object"},
        {"unknown-id.txt", "reply to unknown command id 'tern-999'"},
        {"reply-without-id.txt", "reply without an id"},
        {"second-greeting.txt", "second greeting"},
        {"oversize-line.txt", "line longer than 4194304 bytes"},
    };
    static const char *const openFails[][3] = {
        {"greeting-garbage.txt", "1",
         "invalid QMP greeting from QEMU: member 'QMP.version' has "
         "type string, expected object"},
        {"no-greeting.txt", "68", "QEMU monitor sent no greeting within 300 ms"},
        {"capabilities-error.txt", "1",
         "unable to execute QEMU command 'qmp_capabilities': Capabilities negotiation is "
         "already complete, command ignored (CommandNotFound)"},
    };
    g_autofree char *schemaPath = NULL;
    g_autofree char *recorded = NULL;
    g_autoptr(GPtrArray) transcripts = NULL;
    g_autoptr(GPtrArray) malformed = NULL;
    g_autoptr(GError) err = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);

    schemaPath = ternTestDataPath("qmp", TEST_QEMU_DIR, "query-qmp-schema.txt.gz", NULL);
    if (!(testSchema = ternTestQMPSchemaLoad(schemaPath, &err)))
        g_error("%s", err->message);

    g_test_add_func("/qemu-monitor/json/enums", testEnums);
    g_test_add_func("/qemu-monitor/json/schema-enums", testSchemaEnums);
    g_test_add_func("/qemu-monitor/json/schema-commands", testSchemaCommands);
    g_test_add_func("/qemu-monitor/json/builders", testBuilders);
    g_test_add_func("/qemu-monitor/json/builders-invalid", testBuildersInvalid);
    g_test_add_func("/qemu-monitor/json/decode-line", testDecodeLine);

    if (!(malformed = ternTestDataListStems("qmp/malformed", NULL, ".json")))
        return 1;
    for (guint i = 0; i < malformed->len; i++) {
        const char *name = malformed->pdata[i];
        g_autofree char *path = g_strdup_printf("/qemu-monitor/json/malformed/%s", name);
        g_test_add_data_func(path, name, testMalformed);
    }

    recorded = ternTestDataPath("qmp", TEST_QEMU_DIR, NULL);
    transcripts = testListDir(recorded, ".txt");
    {
        g_autoptr(GPtrArray) gz = testListDir(recorded, ".txt.gz");
        for (guint i = 0; i < gz->len; i++)
            g_ptr_array_add(transcripts, g_strdup(gz->pdata[i]));
        g_ptr_array_sort(transcripts, testStrcmpPtr);
    }
    for (guint i = 0; i < transcripts->len; i++) {
        const char *file = transcripts->pdata[i];
        g_autofree char *base = g_strndup(file, strcspn(file, "."));
        g_autofree char *path = g_strdup_printf("/qemu-monitor/replay/%s", base);
        g_test_add_data_func(path, file, testReplay);
    }

    for (size_t i = 0; i < G_N_ELEMENTS(broken); i++) {
        g_autofree char *base = g_strndup(broken[i][0], strcspn(broken[i][0], "."));
        g_autofree char *path = g_strdup_printf("/qemu-monitor/fault/%s", base);
        g_test_add_data_func(path, broken[i], testBroken);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(openFails); i++) {
        g_autofree char *base = g_strndup(openFails[i][0], strcspn(openFails[i][0], "."));
        g_autofree char *path = g_strdup_printf("/qemu-monitor/open/%s", base);
        g_test_add_data_func(path, openFails[i], testOpenFails);
    }
    g_test_add_func("/qemu-monitor/fault/eof-mid-reply", testEOFMidReply);
    g_test_add_func("/qemu-monitor/fault/eof-with-waiters", testEOFWithWaiters);
    g_test_add_func("/qemu-monitor/fault/split-reads", testSplitReads);
    g_test_add_func("/qemu-monitor/fault/timeout", testTimeout);
    g_test_add_func("/qemu-monitor/fault/late-reply", testLateReply);
    g_test_add_func("/qemu-monitor/fault/events", testEvents);
    g_test_add_func("/qemu-monitor/thread/out-of-order", testOutOfOrder);
    g_test_add_func("/qemu-monitor/thread/callback-command", testCallbackCommand);
    g_test_add_func("/qemu-monitor/thread/close-while-waiting", testCloseWhileWaiting);
    g_test_add_func("/qemu-monitor/thread/eof-close-in-callback", testEOFCloseInCallback);
    g_test_add_func("/qemu-monitor/thread/unref-closes", testUnrefCloses);
    g_test_add_func("/qemu-monitor/open/retry", testOpenRetry);
    g_test_add_func("/qemu-monitor/open/missing", testOpenMissing);
    g_test_add_func("/qemu-monitor/real-qemu", testRealQEMU);

    rc = g_test_run();
    ternTestQMPSchemaFree(testSchema);
    return rc;
}
