/* test-rpc-server.c: the RPC server, client and streams over real UNIX sockets */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rpc/ternnetclient.h"
#include "rpc/ternnetserver.h"
#include "rpctest_protocol.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

#define MiB (1024 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* helpers: time, memory, the stream data pattern                                              */
/* ------------------------------------------------------------------------------------------ */

static gint64
nowMs(void)
{
    return g_get_monotonic_time() / 1000;
}

/* resident set size of this process (server and clients alike), in KiB */
static gint64
rssKiB(void)
{
    g_autofree char *status = NULL;
    const char *p;

    g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
    p = strstr(status, "VmRSS:");
    g_assert_nonnull(p);
    return g_ascii_strtoll(p + strlen("VmRSS:"), NULL, 10);
}

/*
 * Memory growth must stay under @limitKiB. AddressSanitizer keeps freed
 * memory in quarantine and MALLOC_PERTURB_ writes over every allocation
 * and free, so with either RSS measures allocation churn rather than what
 * is held: then only report. (meson.build sets MALLOC_PERTURB_=0 for us.)
 */
static bool
rssReliable(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return false;
#else
    const char *perturb = g_getenv("MALLOC_PERTURB_");
    return !perturb || !*perturb || g_str_equal(perturb, "0");
#endif
}

static void
assertGrowthBelow(const char *what, gint64 fromKiB, gint64 toKiB, gint64 limitKiB)
{
    g_test_message("%s: RSS %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
                   " KiB (limit +%" G_GINT64_FORMAT " KiB%s)",
                   what, fromKiB, toKiB, limitKiB, rssReliable() ? "" : ", not checked");
    if (rssReliable())
        g_assert_cmpint(toKiB - fromKiB, <, limitKiB);
}

/* CPU time (user + system) used by this process so far, in ms */
static gint64
cpuMs(void)
{
    struct rusage ru;

    g_assert_cmpint(getrusage(RUSAGE_SELF, &ru), ==, 0);
    return (gint64)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* stream bytes: byte i is pattern[i % PATTERN_LEN]; a prime length so chunks never align */
#define PATTERN_LEN 65521
static guint8 pattern[2 * PATTERN_LEN];

static void
patternInit(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);

    for (size_t i = 0; i < PATTERN_LEN; i++)
        pattern[i] = (guint8)g_rand_int(rand);
    memcpy(pattern + PATTERN_LEN, pattern, PATTERN_LEN);
}

static void
patternFill(guint8 *buf, guint64 off, size_t len)
{
    while (len > 0) {
        size_t n = MIN(len, (size_t)PATTERN_LEN);
        memcpy(buf, pattern + off % PATTERN_LEN, n);
        buf += n;
        off += n;
        len -= n;
    }
}

static bool
patternCheck(const guint8 *buf, guint64 off, size_t len)
{
    while (len > 0) {
        size_t n = MIN(len, (size_t)PATTERN_LEN);
        if (memcmp(buf, pattern + off % PATTERN_LEN, n) != 0)
            return false;
        buf += n;
        off += n;
        len -= n;
    }
    return true;
}

/* the SHA-256 of the first @len pattern bytes */
static char *
patternChecksum(guint64 len)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree guint8 *buf = g_malloc(MiB);

    for (guint64 off = 0; off < len; off += MiB) {
        size_t n = (size_t)MIN((guint64)MiB, len - off);
        patternFill(buf, off, n);
        g_checksum_update(sum, buf, (gssize)n);
    }
    return g_strdup(g_checksum_get_string(sum));
}

/*
 * spliced stream bytes: byte i is byte i % 8 of a hash of i / 8, so that a
 * piece that lands in the wrong place shows as surely as a corrupt one
 */
static inline guint8
counterByte(guint64 i)
{
    return (guint8)((((i >> 3) + 1) * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15)) >> ((i & 7) * 8));
}

static void
counterFill(guint8 *buf, guint64 off, size_t len)
{
    for (size_t k = 0; k < len; k++)
        buf[k] = counterByte(off + k);
}

static bool
counterCheck(const guint8 *buf, guint64 off, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (buf[k] != counterByte(off + k))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* the test program served by the server (prog 0x12345678 v1)                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    char unused;
} rpctestVoid;

static bool_t
xdr_rpctestVoid(XDR *xdrs, rpctestVoid *v)
{
    return TRUE;
}

/* what the server side of the last stream saw; the tests wait on it */
typedef struct {
    GMutex lock;
    GCond cond;
    bool done;
    guint64 bytes;
    char *checksum; /* SHA-256 of the bytes read (UPLOAD) */
    bool patternOK; /* every byte read was the pattern byte for its offset */
    bool finishOK;  /* ternNetStreamFinish succeeded */
    char *error;    /* the failure, if any */
    bool sinkEOF;   /* UPLOAD_SINK: the sink's reader got to the end of file */
    char *sinkErr;  /* UPLOAD_SINK: why the sink's reader stopped short, if it did */
} ServerStreamResult;

static ServerStreamResult streamResult;

static void
streamResultReset(void)
{
    g_mutex_lock(&streamResult.lock);
    streamResult.done = false;
    streamResult.bytes = 0;
    g_clear_pointer(&streamResult.checksum, g_free);
    streamResult.patternOK = true;
    streamResult.finishOK = false;
    g_clear_pointer(&streamResult.error, g_free);
    streamResult.sinkEOF = false;
    g_clear_pointer(&streamResult.sinkErr, g_free);
    g_mutex_unlock(&streamResult.lock);
}

static void
streamResultWait(int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    g_mutex_lock(&streamResult.lock);
    while (!streamResult.done) {
        if (!g_cond_wait_until(&streamResult.cond, &streamResult.lock, deadline))
            break;
    }
    g_assert_true(streamResult.done);
    g_mutex_unlock(&streamResult.lock);
}

typedef struct {
    ternNetStream *st;
    rpctestStreamArgs args;
    int sinkFD; /* UPLOAD_SINK: the read end of the stream's sink */
} StreamJob;

/* once abortAfter bytes have passed, abort the stream as a failing server would; true if so */
static bool
streamJobAbortDue(StreamJob *job, ServerStreamResult *res)
{
    g_autoptr(GError) why = NULL;

    if (!job->args.abortAfter || res->bytes < job->args.abortAfter)
        return false;
    why = g_error_new_literal(ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_FAILED,
                              "operation failed: server gave up");
    ternNetStreamAbort(job->st, why);
    res->error = g_strdup("aborted by the server");
    return true;
}

static void
streamJobUpload(StreamJob *job, ServerStreamResult *res)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = g_malloc(100003);

    for (;;) {
        g_autoptr(ternNetMessage) pkt = NULL;
        const char *data;
        size_t len;

        if (job->args.mode == RPCTEST_STREAM_UPLOAD_RECV) {
            /* copying, in pieces that straddle packets; 0 is the end of the stream */
            gssize n = ternNetStreamRecv(job->st, buf, 100003, &err);
            if (n <= 0)
                break;
            data = buf;
            len = (size_t)n;
        } else {
            if (!(pkt = ternNetStreamRecvPacket(job->st, &err)))
                break;
            data = ternNetMessagePayload(pkt, &len);
        }
        if (!patternCheck((const guint8 *)data, res->bytes, len))
            res->patternOK = false;
        g_checksum_update(sum, (const guchar *)data, (gssize)len);
        res->bytes += len;
        if (streamJobAbortDue(job, res))
            return;
        if (job->args.readDelayUs)
            g_usleep(job->args.readDelayUs);
    }
    if (err) {
        res->error = g_strdup(err->message);
        return;
    }
    res->checksum = g_strdup(g_checksum_get_string(sum));
    res->finishOK = ternNetStreamFinish(job->st, &err);
    if (err)
        res->error = g_strdup(err->message);
}

static void
streamJobDownload(StreamJob *job, ServerStreamResult *res)
{
    g_autofree guint8 *buf = g_malloc(MiB);
    g_autoptr(GError) err = NULL;

    while (res->bytes < job->args.nbytes) {
        size_t n = (size_t)MIN((guint64)MiB, job->args.nbytes - res->bytes);

        if (streamJobAbortDue(job, res))
            return;
        patternFill(buf, res->bytes, n);
        if (!ternNetStreamSend(job->st, (const char *)buf, n, &err)) {
            res->error = g_strdup(err->message);
            return;
        }
        res->bytes += n;
    }
    res->finishOK = ternNetStreamFinish(job->st, &err);
    if (err)
        res->error = g_strdup(err->message);
}

/* the message a sink's failing write aborts its stream with (ternNetStreamSetSink's @what) */
#define SINK_WHAT "cannot feed the test sink"
/* the pipes at both ends, as large as the migration tunnel's */
#define SPLICE_PIPE_SIZE (1024 * 1024)
/* the sink's reader reads up to this much at a time */
#define SINK_READ_MAX (64 * 1024)
/* a reader that gets neither data nor the end of file for this long gives up: no test hangs */
#define SINK_IDLE_MAX_MS 60000

/* where sink readers with a sinkHoldAt wait: closed until the test has seen the sender stall */
static struct {
    GMutex lock;
    GCond cond;
    bool open;
    bool holding; /* a reader waits at the gate */
} sinkGate;

static void
sinkGateReset(void)
{
    g_mutex_lock(&sinkGate.lock);
    sinkGate.open = false;
    sinkGate.holding = false;
    g_mutex_unlock(&sinkGate.lock);
}

static void
sinkGateOpen(void)
{
    g_mutex_lock(&sinkGate.lock);
    sinkGate.open = true;
    g_cond_broadcast(&sinkGate.cond);
    g_mutex_unlock(&sinkGate.lock);
}

/* the reader's side: wait at the gate until it opens; false if it stayed shut too long */
static bool
sinkGatePass(void)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)SINK_IDLE_MAX_MS * 1000;
    bool open;

    g_mutex_lock(&sinkGate.lock);
    sinkGate.holding = true;
    g_cond_broadcast(&sinkGate.cond);
    while (!sinkGate.open) {
        if (!g_cond_wait_until(&sinkGate.cond, &sinkGate.lock, deadline))
            break;
    }
    open = sinkGate.open;
    sinkGate.holding = false;
    g_mutex_unlock(&sinkGate.lock);
    return open;
}

/* the test's side: wait until a reader waits at the gate */
static bool
sinkGateWaitHolding(int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    bool holding;

    g_mutex_lock(&sinkGate.lock);
    while (!sinkGate.holding) {
        if (!g_cond_wait_until(&sinkGate.cond, &sinkGate.lock, deadline))
            break;
    }
    holding = sinkGate.holding;
    g_mutex_unlock(&sinkGate.lock);
    return holding;
}

/* the other end of a sink: what QEMU is to the migration tunnel */
typedef struct {
    int fd;            /* the pipe's read end (owned) */
    ternNetStream *st; /* borrowed: the job joins the reader before it lets go */
    rpctestStreamArgs args;
    bool aborted;
    guint64 bytes;
    bool patternOK;
    bool eof;
    char *error;
} SinkReader;

/* how much the reader may read now: not past sinkHoldAt (until released) nor sinkCloseAt */
static size_t
sinkReaderRoom(SinkReader *sr, bool released)
{
    size_t want = SINK_READ_MAX;

    if (sr->args.sinkHoldAt && !released && sr->bytes < sr->args.sinkHoldAt)
        want = (size_t)MIN((guint64)want, sr->args.sinkHoldAt - sr->bytes);
    if (sr->args.sinkCloseAt)
        want = (size_t)MIN((guint64)want, sr->args.sinkCloseAt - sr->bytes);
    return want;
}

static gpointer
sinkReaderThread(gpointer opaque)
{
    SinkReader *sr = opaque;
    g_autofree guint8 *buf = g_malloc(SINK_READ_MAX);
    bool released = false;

    for (;;) {
        struct pollfd pfd = {.fd = sr->fd, .events = POLLIN};
        ssize_t n;
        int rc;

        if (sr->args.sinkCloseAt && sr->bytes >= sr->args.sinkCloseAt)
            break; /* closing our end mid-stream: the connection's next write fails */
        if (sr->args.sinkHoldAt && !released && sr->bytes >= sr->args.sinkHoldAt) {
            if (!sinkGatePass()) {
                sr->error = g_strdup("the test never let the sink's reader go on");
                break;
            }
            released = true;
        }
        rc = poll(&pfd, 1, SINK_IDLE_MAX_MS);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            sr->error = g_strdup_printf("sink idle: %s", rc < 0 ? g_strerror(errno) : "timeout");
            break;
        }
        n = read(sr->fd, buf, sinkReaderRoom(sr, released));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sr->error = g_strdup_printf("cannot read the sink: %s", g_strerror(errno));
            break;
        }
        if (n == 0) {
            sr->eof = true;
            break;
        }
        if (!counterCheck(buf, sr->bytes, (size_t)n))
            sr->patternOK = false;
        sr->bytes += (guint64)n;
        if (sr->args.abortAfter && !sr->aborted && sr->bytes >= sr->args.abortAfter) {
            /* the tunnel's abort from outside, while the data flows; the reader reads on */
            g_autoptr(GError) why =
                g_error_new_literal(ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_FAILED,
                                    "operation failed: server gave up");
            ternNetStreamAbort(sr->st, why);
            sr->aborted = true;
        }
        if (sr->args.readDelayUs)
            g_usleep(sr->args.readDelayUs);
    }
    sr->fd = ternForceClose(sr->fd);
    return NULL;
}

/*
 * UPLOAD_SINK: the connection splices the data into the sink; the stream
 * only says how it ended: finish, close the sink, and see what its reader got
 */
static void
streamJobSink(StreamJob *job, ServerStreamResult *res)
{
    SinkReader sr = {.fd = job->sinkFD, .st = job->st, .args = job->args, .patternOK = true};
    GThread *reader = g_thread_new("rpctest-sink-reader", sinkReaderThread, &sr);
    g_autoptr(ternNetMessage) pkt = NULL;
    g_autoptr(GError) err = NULL;

    job->sinkFD = -1;
    if ((pkt = ternNetStreamRecvPacket(job->st, &err))) {
        res->error = g_strdup("a data packet bypassed the sink");
    } else if (err) {
        res->error = g_strdup(err->message);
    } else {
        res->finishOK = ternNetStreamFinish(job->st, &err);
        if (err)
            res->error = g_strdup(err->message);
    }
    ternNetStreamSinkClose(job->st);
    g_thread_join(reader);
    res->bytes = sr.bytes;
    res->patternOK = sr.patternOK;
    res->sinkEOF = sr.eof;
    res->sinkErr = sr.error;
}

static gpointer
streamJobThread(gpointer opaque)
{
    StreamJob *job = opaque;
    ServerStreamResult res = {.patternOK = true};

    if (job->args.mode == RPCTEST_STREAM_DOWNLOAD)
        streamJobDownload(job, &res);
    else if (job->args.mode == RPCTEST_STREAM_UPLOAD_SINK)
        streamJobSink(job, &res);
    else
        streamJobUpload(job, &res);

    g_mutex_lock(&streamResult.lock);
    streamResult.bytes = res.bytes;
    streamResult.checksum = res.checksum;
    streamResult.patternOK = res.patternOK;
    streamResult.finishOK = res.finishOK;
    streamResult.error = res.error;
    streamResult.sinkEOF = res.sinkEOF;
    streamResult.sinkErr = res.sinkErr;
    streamResult.done = true;
    g_cond_broadcast(&streamResult.cond);
    g_mutex_unlock(&streamResult.lock);

    ternNetStreamUnref(job->st);
    g_free(job);
    return NULL;
}

static int
rpctestDispatchEcho(ternNetServer *srv, ternNetServerClient *client,
                    const ternNetMessageHeader *call, rpctestEchoArgs *args, rpctestEchoRet *ret,
                    GError **error)
{
    ret->text = g_strdup(args->text);
    return 0;
}

static int
rpctestDispatchSleep(ternNetServer *srv, ternNetServerClient *client,
                     const ternNetMessageHeader *call, rpctestSleepArgs *args, rpctestSleepRet *ret,
                     GError **error)
{
    g_usleep((gulong)args->ms * 1000);
    ret->tag = args->tag;
    return 0;
}

static int
rpctestDispatchStream(ternNetServer *srv, ternNetServerClient *client,
                      const ternNetMessageHeader *call, rpctestStreamArgs *args, rpctestVoid *ret,
                      GError **error)
{
    StreamJob *job = g_new0(StreamJob, 1);
    int fds[2] = {-1, -1};

    if (args->mode == RPCTEST_STREAM_UPLOAD_SINK && pipe2(fds, O_CLOEXEC) < 0) {
        ternErrorSetSystem(error, TERN_FROM_TEST, errno, "cannot create the sink's pipe");
        g_free(job);
        return -1;
    }
    job->st = ternNetServerClientAddStream(client, call);
    job->args = *args;
    job->sinkFD = fds[0];
    /* before the REPLY, as the tunnel does: no data can reach the stream's queue */
    if (fds[1] >= 0) {
        fcntl(fds[1], F_SETPIPE_SZ, SPLICE_PIPE_SIZE);
        ternNetStreamSetSink(job->st, fds[1], SINK_WHAT);
    }
    g_thread_unref(g_thread_new("rpctest-stream", streamJobThread, job));
    /* the stream thread is running already: its data must still not overtake our REPLY */
    if (args->replyDelayMs)
        g_usleep((gulong)args->replyDelayMs * 1000);
    return 0;
}

static int
rpctestDispatchKeepAliveStart(ternNetServer *srv, ternNetServerClient *client,
                              const ternNetMessageHeader *call, rpctestVoid *args, rpctestVoid *ret,
                              GError **error)
{
    ternNetServerClientStartKeepAlive(client);
    return 0;
}

static int
rpctestDispatchNamed(ternNetServer *srv, ternNetServerClient *client,
                     const ternNetMessageHeader *call, rpctestNamedArgs *args, rpctestVoid *ret,
                     GError **error)
{
    return 0;
}

static int
rpctestDispatchFail(ternNetServer *srv, ternNetServerClient *client,
                    const ternNetMessageHeader *call, rpctestVoid *args, rpctestVoid *ret,
                    GError **error)
{
    ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_INVALID_ARG,
                 "the test procedure '%s' always fails", "FAIL");
    return -1;
}

#define PROC(num, fn, argsT, retT, ro)                                                             \
    [num] = {                                                                                      \
        .name = #num,                                                                              \
        .func = (ternNetServerDispatchFunc)(void (*)(void))(fn),                                   \
        .argsSize = sizeof(argsT),                                                                 \
        .argsFilter = (xdrproc_t)xdr_##argsT,                                                      \
        .retSize = sizeof(retT),                                                                   \
        .retFilter = (xdrproc_t)xdr_##retT,                                                        \
        .readOnlyOK = (ro),                                                                        \
    }

static const ternNetServerProc rpctestProcs[] = {
    PROC(RPCTEST_PROC_ECHO, rpctestDispatchEcho, rpctestEchoArgs, rpctestEchoRet, true),
    PROC(RPCTEST_PROC_SLEEP, rpctestDispatchSleep, rpctestSleepArgs, rpctestSleepRet, true),
    PROC(RPCTEST_PROC_STREAM, rpctestDispatchStream, rpctestStreamArgs, rpctestVoid, false),
    PROC(RPCTEST_PROC_KEEPALIVE_START, rpctestDispatchKeepAliveStart, rpctestVoid, rpctestVoid,
         true),
    PROC(RPCTEST_PROC_NAMED, rpctestDispatchNamed, rpctestNamedArgs, rpctestVoid, false),
    PROC(RPCTEST_PROC_FAIL, rpctestDispatchFail, rpctestVoid, rpctestVoid, false),
};

static const ternNetServerProgram rpctestProgram = {
    .prog = RPCTEST_PROG,
    .vers = RPCTEST_VERS,
    .procs = rpctestProcs,
    .nprocs = G_N_ELEMENTS(rpctestProcs),
};

/* ------------------------------------------------------------------------------------------ */
/* the server under test: a temp dir, a UNIX socket, its GMainContext on a thread             */
/* ------------------------------------------------------------------------------------------ */

static gint clientsCreated;
static gint clientsFreed;

static void *
hookClientNew(ternNetServerClient *client)
{
    g_atomic_int_inc(&clientsCreated);
    return g_new0(int, 1);
}

static void
hookClientFree(void *priv)
{
    g_free(priv);
    g_atomic_int_inc(&clientsFreed);
}

static const ternNetServerClientHooks testHooks = {
    .clientNew = hookClientNew,
    .clientFree = hookClientFree,
};

typedef struct {
    char *dir;
    char *path;   /* read-write socket */
    char *pathRO; /* read-only socket */
    char *port;   /* TCP on 127.0.0.1, once testServerListenTCP succeeded */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    ternNetServer *srv;
} TestServer;

static const ternNetServerConfig defaultConfig = {
    .maxClients = 1000,
    .minWorkers = 4,
    .maxWorkers = 32,
    .maxClientRequests = 16,
    .keepaliveInterval = 0,
    .keepaliveCount = 5,
};

static gpointer
testServerLoop(gpointer opaque)
{
    TestServer *ts = opaque;

    g_main_context_push_thread_default(ts->ctx);
    g_main_loop_run(ts->loop);
    g_main_context_pop_thread_default(ts->ctx);
    return NULL;
}

static TestServer *
testServerStart(const ternNetServerConfig *cfg)
{
    TestServer *ts = g_new0(TestServer, 1);
    g_autoptr(GError) err = NULL;

    ts->dir = g_dir_make_tmp("tern-rpc-XXXXXX", &err);
    g_assert_no_error(err);
    ts->path = g_build_filename(ts->dir, "rw.sock", NULL);
    ts->pathRO = g_build_filename(ts->dir, "ro.sock", NULL);
    ts->ctx = g_main_context_new();
    ts->srv = ternNetServerNew(cfg ? cfg : &defaultConfig, ts->ctx, &testHooks, &err);
    g_assert_no_error(err);
    ternNetServerAddProgram(ts->srv, &rpctestProgram);
    g_assert_true(ternNetServerAddListenerUNIX(ts->srv, ts->path, 0600, false, &err));
    g_assert_true(ternNetServerAddListenerUNIX(ts->srv, ts->pathRO, 0666, true, &err));
    g_assert_no_error(err);
    ts->loop = g_main_loop_new(ts->ctx, FALSE);
    ts->thread = g_thread_new("rpctest-loop", testServerLoop, ts);
    /* a quit before the loop runs would be lost */
    while (!g_main_loop_is_running(ts->loop))
        g_usleep(1000);
    return ts;
}

/*
 * also listen on TCP loopback, on a port the system just found free (the
 * server cannot say which one it bound); false where that is impossible
 */
static bool
testServerListenTCP(TestServer *ts)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        TERN_AUTOCLOSE fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_autoptr(GError) err = NULL;

        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
            g_test_message("no TCP loopback: %s", g_strerror(errno));
            return false;
        }
        fd = ternForceClose(fd);
        ts->port = g_strdup_printf("%u", (unsigned)ntohs(sa.sin_port));
        if (ternNetServerAddListenerTCP(ts->srv, "127.0.0.1", ts->port, &err))
            return true;
        /* someone took the port in between: another one */
        g_test_message("%s", err->message);
        g_clear_pointer(&ts->port, g_free);
    }
    return false;
}

/* wait until the server has @n clients (teardown runs on the loop thread) */
static void
testServerWaitClients(TestServer *ts, guint n, int timeoutMs)
{
    gint64 deadline = nowMs() + timeoutMs;

    while (ternNetServerClientCount(ts->srv) != n && nowMs() < deadline)
        g_usleep(5000);
    g_assert_cmpuint(ternNetServerClientCount(ts->srv), ==, n);
}

/* wait until every client ever accepted has been freed (its last reference dropped) */
static void
waitClientsFreed(int timeoutMs)
{
    gint64 deadline = nowMs() + timeoutMs;

    while (g_atomic_int_get(&clientsFreed) != g_atomic_int_get(&clientsCreated) &&
           nowMs() < deadline)
        g_usleep(5000);
    g_assert_cmpint(g_atomic_int_get(&clientsFreed), ==, g_atomic_int_get(&clientsCreated));
}

static void
testServerStop(TestServer *ts)
{
    g_main_loop_quit(ts->loop);
    g_thread_join(ts->thread);
    /* the loop thread is gone: this thread may now run the context */
    ternNetServerShutdown(ts->srv);
    ternNetServerFree(ts->srv);
    waitClientsFreed(5000);
    g_main_loop_unref(ts->loop);
    g_main_context_unref(ts->ctx);
    g_assert_false(g_file_test(ts->path, G_FILE_TEST_EXISTS));
    g_rmdir(ts->dir);
    g_free(ts->path);
    g_free(ts->pathRO);
    g_free(ts->port);
    g_free(ts->dir);
    g_free(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* client helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

static ternNetClient *
testClientNew(TestServer *ts)
{
    g_autoptr(GError) err = NULL;
    ternNetClient *c = ternNetClientNewUNIX(ts->path, &err);

    g_assert_no_error(err);
    g_assert_nonnull(c);
    return c;
}

static bool
callEcho(ternNetClient *c, const char *text, char **retText, GError **error)
{
    rpctestEchoArgs args = {.text = (char *)text};
    rpctestEchoRet ret = {0};

    if (!ternNetClientCall(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_ECHO,
                           (xdrproc_t)xdr_rpctestEchoArgs, &args, (xdrproc_t)xdr_rpctestEchoRet,
                           &ret, error))
        return false;
    *retText = g_strdup(ret.text);
    xdr_free((xdrproc_t)xdr_rpctestEchoRet, (char *)&ret);
    return true;
}

static void
assertEchoWorks(ternNetClient *c)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *got = NULL;

    g_assert_true(callEcho(c, "still there?", &got, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(got, ==, "still there?");
}

/* a fresh client can still call: the server survived whatever came before */
static void
assertServerServes(TestServer *ts)
{
    g_autoptr(ternNetClient) c = testClientNew(ts);
    assertEchoWorks(c);
}

static bool
callVoid(ternNetClient *c, unsigned prog, unsigned vers, int proc, GError **error)
{
    rpctestVoid v = {0};
    rpctestVoid r = {0};

    return ternNetClientCall(c, prog, vers, proc, (xdrproc_t)xdr_rpctestVoid, &v,
                             (xdrproc_t)xdr_rpctestVoid, &r, error);
}

static bool
callSleep(ternNetClient *c, unsigned ms, unsigned tag, GError **error)
{
    rpctestSleepArgs args = {.ms = ms, .tag = tag};
    rpctestSleepRet ret = {0};

    if (!ternNetClientCall(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_SLEEP,
                           (xdrproc_t)xdr_rpctestSleepArgs, &args, (xdrproc_t)xdr_rpctestSleepRet,
                           &ret, error))
        return false;
    g_assert_cmpuint(ret.tag, ==, tag);
    return true;
}

static ternNetStream *
openStream(ternNetClient *c, const rpctestStreamArgs *args)
{
    g_autoptr(GError) err = NULL;
    rpctestVoid r = {0};
    ternNetStream *st = NULL;

    g_assert_true(ternNetClientCallStream(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_STREAM,
                                          (xdrproc_t)xdr_rpctestStreamArgs, (void *)args,
                                          (xdrproc_t)xdr_rpctestVoid, &r, &st, &err));
    g_assert_no_error(err);
    g_assert_nonnull(st);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* raw sockets: a peer that writes bytes by hand                                               */
/* ------------------------------------------------------------------------------------------ */

static int
rawConnect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* write all of @buf; false if the peer closed (EPIPE/ECONNRESET) */
static bool
rawWrite(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_assert_true(errno == EPIPE || errno == ECONNRESET);
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* read exactly @len bytes: 1 done, 0 end of file (or reset), -1 timeout */
static int
rawReadFull(int fd, void *buf, size_t len, gint64 deadlineMs)
{
    char *p = buf;

    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        gint64 left = deadlineMs - nowMs();
        ssize_t n;

        if (left <= 0)
            return -1;
        if (poll(&pfd, 1, (int)left) == 0)
            return -1;
        n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 0;
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

/* the next packet from the server, decoded header; NULL at EOF or timeout (*eof says which) */
static ternNetMessage *
rawRecv(int fd, int timeoutMs, bool *eof)
{
    g_autoptr(ternNetMessage) msg = ternNetMessageNew();
    g_autoptr(GError) err = NULL;
    gint64 deadline = nowMs() + timeoutMs;
    int rc;

    if (eof)
        *eof = false;
    rc = rawReadFull(fd, msg->buffer, 4, deadline);
    if (rc <= 0) {
        if (eof)
            *eof = rc == 0;
        return NULL;
    }
    g_assert_true(ternNetMessageDecodeLength(msg, &err));
    rc = rawReadFull(fd, msg->buffer + 4, msg->bufferLength - 4, deadline);
    if (rc <= 0) {
        if (eof)
            *eof = rc == 0;
        return NULL;
    }
    g_assert_true(ternNetMessageDecodeHeader(msg, &err));
    g_assert_no_error(err);
    return g_steal_pointer(&msg);
}

static ternNetMessage *
rawRecvOK(int fd, int timeoutMs)
{
    ternNetMessage *msg = rawRecv(fd, timeoutMs, NULL);
    g_assert_nonnull(msg);
    return msg;
}

/* true when the server closes the connection within @timeoutMs (packets are discarded) */
static bool
rawWaitEOF(int fd, int timeoutMs)
{
    gint64 deadline = nowMs() + timeoutMs;
    char buf[65536];

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        gint64 left = deadline - nowMs();
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
            return false;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0 && errno != EINTR)
            return false;
    }
}

/* a message with the given header (version 1), encoded; the payload is the caller's */
static ternNetMessage *
rawMessage(unsigned prog, int proc, int type, unsigned serial, int status)
{
    ternNetMessage *msg = ternNetMessageNew();
    g_autoptr(GError) err = NULL;

    msg->header.prog = prog;
    msg->header.vers = 1;
    msg->header.proc = proc;
    msg->header.type = type;
    msg->header.serial = serial;
    msg->header.status = status;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    return msg;
}

/* the bytes of a packet with the given header and @data encoded with @filter (NULL: empty) */
static GByteArray *
rawPacket(unsigned prog, int proc, int type, unsigned serial, int status, xdrproc_t filter,
          void *data)
{
    g_autoptr(ternNetMessage) msg = rawMessage(prog, proc, type, serial, status);
    g_autoptr(GError) err = NULL;

    if (filter)
        g_assert_true(ternNetMessageEncodePayload(msg, filter, data, &err));
    else
        g_assert_true(ternNetMessageEncodePayloadEmpty(msg, &err));
    g_assert_no_error(err);
    return g_byte_array_append(g_byte_array_new(), (guint8 *)msg->buffer, (guint)msg->bufferLength);
}

/* a packet with a valid header and @payload as raw bytes */
static GByteArray *
rawPacketBytes(unsigned prog, int proc, int type, unsigned serial, int status, const void *payload,
               size_t len)
{
    g_autoptr(ternNetMessage) msg = rawMessage(prog, proc, type, serial, status);
    g_autoptr(GError) err = NULL;

    g_assert_true(ternNetMessageEncodePayloadRaw(msg, payload, len, &err));
    return g_byte_array_append(g_byte_array_new(), (guint8 *)msg->buffer, (guint)msg->bufferLength);
}

static void
rawSendPacket(int fd, GByteArray *pkt)
{
    g_assert_true(rawWrite(fd, pkt->data, pkt->len));
    g_byte_array_unref(pkt);
}

static void
rawSendEcho(int fd, unsigned serial, const char *text)
{
    rpctestEchoArgs args = {.text = (char *)text};
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_CALL, serial, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestEchoArgs, &args));
}

/* the reply to echo @serial must be OK and carry @text */
static void
rawExpectEchoReply(int fd, unsigned serial, const char *text)
{
    g_autoptr(ternNetMessage) reply = rawRecvOK(fd, 5000);
    g_autoptr(GError) err = NULL;
    rpctestEchoRet ret = {0};

    g_assert_cmphex(reply->header.prog, ==, RPCTEST_PROG);
    g_assert_cmpuint(reply->header.vers, ==, RPCTEST_VERS);
    g_assert_cmpint(reply->header.proc, ==, RPCTEST_PROC_ECHO);
    g_assert_cmpint(reply->header.type, ==, TERN_NET_REPLY);
    g_assert_cmpuint(reply->header.serial, ==, serial);
    g_assert_cmpint(reply->header.status, ==, TERN_NET_OK);
    g_assert_true(ternNetMessageDecodePayload(reply, (xdrproc_t)xdr_rpctestEchoRet, &ret, &err));
    g_assert_cmpstr(ret.text, ==, text);
    xdr_free((xdrproc_t)xdr_rpctestEchoRet, (char *)&ret);
}

/* the next packet must be an error REPLY to @serial with @code/@domain; returns its message */
static char *
rawExpectErrorReply(int fd, unsigned serial, int code, int domain)
{
    g_autoptr(ternNetMessage) reply = rawRecvOK(fd, 5000);
    g_autoptr(GError) err = NULL;
    ternNetMessageError rerr = {0};
    char *text;

    g_assert_cmpint(reply->header.type, ==, TERN_NET_REPLY);
    g_assert_cmpuint(reply->header.serial, ==, serial);
    g_assert_cmpint(reply->header.status, ==, TERN_NET_ERROR);
    g_assert_true(
        ternNetMessageDecodePayload(reply, (xdrproc_t)xdr_ternNetMessageError, &rerr, &err));
    g_assert_cmpint(rerr.code, ==, code);
    g_assert_cmpint(rerr.domain, ==, domain);
    g_assert_cmpint(rerr.level, ==, TERN_ERR_ERROR);
    g_assert_nonnull(rerr.message);
    text = g_strdup(*rerr.message);
    xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
    return text;
}

/* ------------------------------------------------------------------------------------------ */
/* calls                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void
testCalls(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    g_autofree char *big = g_strnfill(RPCTEST_ECHO_MAX, 'b');
    static const char *texts[] = {"", "a", "hello", "sixteen chars 16", "tern \xc3\xa9"};

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *got = NULL;
        g_assert_true(callEcho(c, texts[i], &got, &err));
        g_assert_cmpstr(got, ==, texts[i]);
    }
    {
        /* a 1 MiB string: packets larger than the first 64 KiB buffer, both ways */
        g_autoptr(GError) err = NULL;
        g_autofree char *got = NULL;
        g_assert_true(callEcho(c, big, &got, &err));
        g_assert_cmpstr(got, ==, big);
    }
    {
        /* a handler's error arrives with its code and text */
        g_autoptr(GError) err = NULL;
        g_assert_false(callVoid(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_FAIL, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_TEST), TERN_ERR_INVALID_ARG);
        g_assert_cmpstr(err->message, ==,
                        "invalid argument: the test procedure 'FAIL' always fails");
    }
    {
        /* arguments the encoder refuses (name is string<16>) never leave the client */
        g_autofree char *name = g_strnfill(RPCTEST_NAME_MAX + 1, 'n');
        rpctestNamedArgs args = {.name = name};
        rpctestVoid r = {0};
        g_autoptr(GError) err = NULL;
        g_assert_false(ternNetClientCall(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_NAMED,
                                         (xdrproc_t)xdr_rpctestNamedArgs, &args,
                                         (xdrproc_t)xdr_rpctestVoid, &r, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        assertEchoWorks(c);
    }
    {
        /* read-only socket: ECHO is readOnlyOK, FAIL is not */
        g_autoptr(GError) err = NULL;
        g_autoptr(ternNetClient) ro = ternNetClientNewUNIX(ts->pathRO, &err);
        g_assert_no_error(err);
        assertEchoWorks(ro);
        g_assert_false(callVoid(ro, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_FAIL, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_OPERATION_DENIED);
    }
    g_clear_pointer(&c, ternNetClientUnref);
    testServerWaitClients(ts, 0, 5000);
    testServerStop(ts);
}

static void
testUnknownProgram(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    int fd;

    g_assert_false(callVoid(c, 0x11111111, 1, 1, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
    g_assert_cmpstr(err->message, ==, "Cannot find program 286331153 version 1");
    g_clear_error(&err);

    /* a known program with an unknown version is unknown too */
    g_assert_false(callVoid(c, RPCTEST_PROG, 2, RPCTEST_PROC_ECHO, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
    g_assert_nonnull(strstr(err->message, "Cannot find program 305419896 version 2"));
    assertEchoWorks(c);

    /* on the wire: code 39 (VIR_ERR_RPC), domain 7 (VIR_FROM_RPC), as libvirtd */
    fd = rawConnect(ts->path);
    rawSendPacket(fd, rawPacket(0x11111111, 1, TERN_NET_CALL, 5, TERN_NET_OK, NULL, NULL));
    text = rawExpectErrorReply(fd, 5, TERN_ERR_RPC, TERN_FROM_RPC);
    g_assert_cmpstr(text, ==, "Cannot find program 286331153 version 1");
    rawSendEcho(fd, 6, "after");
    rawExpectEchoReply(fd, 6, "after");
    ternForceClose(fd);

    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

static void
testUnknownProcedure(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    /* past the table, a gap in it (0), negative */
    static const int procs[] = {999, 0, -1, G_MAXINT32};

    for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *want = g_strdup_printf("unknown procedure: %d", procs[i]);

        g_assert_false(callVoid(c, RPCTEST_PROG, RPCTEST_VERS, procs[i], &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_NO_SUPPORT);
        g_assert_cmpstr(err->message, ==, want);
    }
    assertEchoWorks(c);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* an idle server with idle clients sleeps: the loop must not spin */
static void
testIdleCpu(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c1 = testClientNew(ts);
    g_autoptr(ternNetClient) c2 = testClientNew(ts);
    int fd = rawConnect(ts->path);
    gint64 cpu0, t0, cpu;

    assertEchoWorks(c1);
    assertEchoWorks(c2);
    testServerWaitClients(ts, 3, 2000);
    cpu0 = cpuMs();
    t0 = nowMs();
    g_usleep(1000 * 1000);
    cpu = cpuMs() - cpu0;
    g_test_message("idle: CPU %" G_GINT64_FORMAT " ms in %" G_GINT64_FORMAT " ms", cpu,
                   nowMs() - t0);
    g_assert_cmpint(cpu, <, 100);
    ternForceClose(fd);
    g_clear_pointer(&c1, ternNetClientUnref);
    g_clear_pointer(&c2, ternNetClientUnref);
    testServerStop(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* concurrency and ordering                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    ternNetClient *client;
    unsigned ms;
    bool ok;
    gint64 doneAt;
} SleepCall;

static gpointer
sleepCallThread(gpointer opaque)
{
    SleepCall *sc = opaque;
    g_autoptr(GError) err = NULL;

    sc->ok = callSleep(sc->client, sc->ms, sc->ms, &err);
    g_assert_no_error(err);
    sc->doneAt = nowMs();
    return NULL;
}

/* a slow call does not hold up a fast one on the same connection; replies overtake */
static void
testOverlap(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    SleepCall sc = {.client = c, .ms = 1500};
    GThread *t = g_thread_new("rpctest-sleep", sleepCallThread, &sc);
    gint64 start;
    int fd;

    g_usleep(100 * 1000);
    start = nowMs();
    assertEchoWorks(c);
    g_assert_cmpint(nowMs() - start, <, 500);
    g_assert_cmpint(sc.doneAt, ==, 0);
    g_thread_join(t);
    g_assert_true(sc.ok);

    /* on the wire: CALL sleep (serial 1), CALL echo (serial 2): echo's REPLY comes first */
    fd = rawConnect(ts->path);
    {
        rpctestSleepArgs args = {.ms = 800, .tag = 7};
        g_autoptr(ternNetMessage) reply = NULL;
        g_autoptr(GError) err = NULL;
        rpctestSleepRet ret = {0};

        rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_SLEEP, TERN_NET_CALL, 1, TERN_NET_OK,
                                    (xdrproc_t)xdr_rpctestSleepArgs, &args));
        rawSendEcho(fd, 2, "fast");
        rawExpectEchoReply(fd, 2, "fast");
        reply = rawRecvOK(fd, 5000);
        g_assert_cmpuint(reply->header.serial, ==, 1);
        g_assert_cmpint(reply->header.proc, ==, RPCTEST_PROC_SLEEP);
        g_assert_cmpint(reply->header.type, ==, TERN_NET_REPLY);
        g_assert_true(
            ternNetMessageDecodePayload(reply, (xdrproc_t)xdr_rpctestSleepRet, &ret, &err));
        g_assert_cmpuint(ret.tag, ==, 7);
    }
    ternForceClose(fd);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

#define CONCURRENT_CLIENTS 200
#define CALLS_PER_CLIENT 50

typedef struct {
    TestServer *ts;
    int id;
    gint *failures;
} ConcurrentJob;

static gpointer
concurrentThread(gpointer opaque)
{
    ConcurrentJob *job = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(ternNetClient) c = ternNetClientNewUNIX(job->ts->path, &err);

    if (!c) {
        g_atomic_int_inc(job->failures);
        return NULL;
    }
    for (int i = 0; i < CALLS_PER_CLIENT; i++) {
        g_autofree char *text = g_strdup_printf("client %d call %d", job->id, i);
        g_autofree char *got = NULL;

        if (!callEcho(c, text, &got, &err) || g_strcmp0(got, text) != 0) {
            g_atomic_int_inc(job->failures);
            g_clear_error(&err);
        }
    }
    return NULL;
}

static void
testConcurrentClients(void)
{
    TestServer *ts = testServerStart(NULL);
    ConcurrentJob jobs[CONCURRENT_CLIENTS];
    GThread *threads[CONCURRENT_CLIENTS];
    gint failures = 0;
    gint64 start = nowMs();

    for (int i = 0; i < CONCURRENT_CLIENTS; i++) {
        jobs[i] = (ConcurrentJob){.ts = ts, .id = i, .failures = &failures};
        threads[i] = g_thread_new("rpctest-client", concurrentThread, &jobs[i]);
    }
    for (int i = 0; i < CONCURRENT_CLIENTS; i++)
        g_thread_join(threads[i]);
    g_test_message("%d clients x %d calls in %" G_GINT64_FORMAT " ms", CONCURRENT_CLIENTS,
                   CALLS_PER_CLIENT, nowMs() - start);
    g_assert_cmpint(failures, ==, 0);
    testServerWaitClients(ts, 0, 5000);
    testServerStop(ts);
}

/* max_client_requests=2: ten slow calls on one connection all complete, two at a time */
static void
testMaxClientRequests(void)
{
    ternNetServerConfig cfg = defaultConfig;
    TestServer *ts;
    g_autoptr(ternNetClient) c = NULL;
    SleepCall calls[10];
    GThread *threads[10];
    gint64 start;

    cfg.maxClientRequests = 2;
    ts = testServerStart(&cfg);
    c = testClientNew(ts);
    start = nowMs();
    for (int i = 0; i < 10; i++) {
        calls[i] = (SleepCall){.client = c, .ms = 200};
        threads[i] = g_thread_new("rpctest-sleep", sleepCallThread, &calls[i]);
    }
    for (int i = 0; i < 10; i++) {
        g_thread_join(threads[i]);
        g_assert_true(calls[i].ok);
    }
    /* 32 workers, but only 2 calls of this client in flight: at least 5 rounds of 200 ms */
    g_assert_cmpint(nowMs() - start, >=, 950);
    g_assert_cmpint(nowMs() - start, <, 10000);
    assertEchoWorks(c);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* hostile peers                                                                               */
/* ------------------------------------------------------------------------------------------ */

static void
testHostileBadLength(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) bystander = testClientNew(ts);
    static const guint32 lengths[] = {0, 4, 27, 33554437, 0x7fffffff, 0xffffffff};

    for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
        int fd = rawConnect(ts->path);
        guint32 words[8] = {GUINT32_TO_BE(lengths[i]), GUINT32_TO_BE(RPCTEST_PROG),
                            GUINT32_TO_BE(1), GUINT32_TO_BE(1)};

        rawWrite(fd, words, sizeof(words));
        g_assert_true(rawWaitEOF(fd, 5000));
        ternForceClose(fd);
        /* another connection is not disturbed */
        assertEchoWorks(bystander);
    }
    testServerWaitClients(ts, 1, 5000);
    g_clear_pointer(&bystander, ternNetClientUnref);
    assertServerServes(ts);
    testServerStop(ts);
}

/* a 10 MB length word, part of the packet, then the peer vanishes */
static void
testHostileHugeThenDisconnect(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autofree char *junk = g_malloc0(MiB);
    guint32 words[7] = {GUINT32_TO_BE(10 * 1000 * 1000),
                        GUINT32_TO_BE(RPCTEST_PROG),
                        GUINT32_TO_BE(1),
                        GUINT32_TO_BE(RPCTEST_PROC_ECHO),
                        GUINT32_TO_BE(TERN_NET_CALL),
                        0,
                        0};

    for (int round = 0; round < 3; round++) {
        int fd = rawConnect(ts->path);
        rawWrite(fd, words, round == 0 ? 4 : sizeof(words));
        if (round == 2)
            rawWrite(fd, junk, MiB);
        ternForceClose(fd);
    }
    testServerWaitClients(ts, 0, 5000);
    waitClientsFreed(5000);
    assertServerServes(ts);
    testServerStop(ts);
}

static void
testHostileTruncated(void)
{
    TestServer *ts = testServerStart(NULL);
    GByteArray *pkt;
    rpctestEchoArgs args = {.text = (char *)"a string that will not arrive in full"};
    int fd;

    pkt = rawPacket(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_CALL, 1, TERN_NET_OK,
                    (xdrproc_t)xdr_rpctestEchoArgs, &args);
    for (guint cut = 1; cut < pkt->len; cut += 7) {
        fd = rawConnect(ts->path);
        rawWrite(fd, pkt->data, cut);
        ternForceClose(fd);
    }
    g_byte_array_unref(pkt);
    testServerWaitClients(ts, 0, 5000);
    waitClientsFreed(5000);
    assertServerServes(ts);
    testServerStop(ts);
}

/* a payload that does not decode gets an error REPLY; the connection stays usable */
static void
testHostileGarbagePayload(void)
{
    TestServer *ts = testServerStart(NULL);
    int fd = rawConnect(ts->path);
    static const guint8 hugeString[] = {0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c', 'd'};
    static const guint8 shortString[] = {0x00, 0x00, 0x00, 0x10, 'a', 'b'};
    static const guint8 trailing[] = {0, 0, 0, 1, 'x', 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
    /* NAMED: name is string<16>; 17 bytes are refused by the decoder */
    static const guint8 longName[] = {0,   0,   0,   17,  'a', 'a', 'a', 'a', 'a', 'a',
                                      'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                                      'a', 0,   0,   0,   0,   0,   0,   0,   0,   0,
                                      0,   0,   0,   0,   0,   0,   0,   0,   0,   0};
    static const struct {
        int proc;
        const guint8 *payload;
        size_t len;
    } cases[] = {
        {RPCTEST_PROC_ECHO, hugeString, sizeof(hugeString)},
        {RPCTEST_PROC_ECHO, shortString, sizeof(shortString)},
        {RPCTEST_PROC_ECHO, trailing, sizeof(trailing)},
        {RPCTEST_PROC_ECHO, NULL, 0},
        {RPCTEST_PROC_NAMED, longName, sizeof(longName)},
        {RPCTEST_PROC_KEEPALIVE_START, trailing, 4}, /* void takes no payload */
    };
    unsigned serial = 100;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = NULL;

        rawSendPacket(fd, rawPacketBytes(RPCTEST_PROG, cases[i].proc, TERN_NET_CALL, serial,
                                         TERN_NET_OK, cases[i].payload, cases[i].len));
        text = rawExpectErrorReply(fd, serial, TERN_ERR_RPC, TERN_FROM_RPC);
        g_assert_nonnull(strstr(text, "payload"));
        serial++;
        rawSendEcho(fd, serial, "usable");
        rawExpectEchoReply(fd, serial, "usable");
        serial++;
    }

    /* a CALL with status ERROR, a CALL_WITH_FDS: error REPLYs */
    {
        g_autofree char *t1 = NULL;
        g_autofree char *t2 = NULL;
        rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_FAIL, TERN_NET_CALL, 300,
                                    TERN_NET_ERROR, NULL, NULL));
        t1 = rawExpectErrorReply(fd, 300, TERN_ERR_RPC, TERN_FROM_RPC);
        rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_FAIL, TERN_NET_CALL_WITH_FDS, 301,
                                    TERN_NET_OK, NULL, NULL));
        t2 = rawExpectErrorReply(fd, 301, TERN_ERR_RPC, TERN_FROM_RPC);
        g_assert_nonnull(strstr(t2, "file descriptor"));
    }

    /* packets a server does not expect are ignored: REPLY, MESSAGE, unknown type, stray STREAM */
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, 1, TERN_NET_REPLY, 400, TERN_NET_OK, NULL, NULL));
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, 1, TERN_NET_MESSAGE, 0, TERN_NET_OK, NULL, NULL));
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, 1, 77, 401, TERN_NET_OK, NULL, NULL));
    rawSendPacket(fd, rawPacketBytes(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 402,
                                     TERN_NET_CONTINUE, "data", 4));
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 403,
                                TERN_NET_ERROR, NULL, NULL));
    rawSendPacket(
        fd, rawPacket(TERN_KEEPALIVE_PROGRAM, 9, TERN_NET_MESSAGE, 0, TERN_NET_OK, NULL, NULL));
    rawSendEcho(fd, 500, "still usable");
    rawExpectEchoReply(fd, 500, "still usable");

    ternForceClose(fd);
    testServerWaitClients(ts, 0, 5000);
    testServerStop(ts);
}

/* a client that vanishes while its call runs: the server survives and frees it */
static void
testDisconnectMidCall(void)
{
    ternNetServerConfig cfg = defaultConfig;
    TestServer *ts;
    rpctestSleepArgs args = {.ms = 1000, .tag = 1};
    gint64 cpu0, t0, cpu, wall;
    int fd;

    /* one call in flight is the limit: the server stops reading while it runs */
    cfg.maxClientRequests = 1;
    ts = testServerStart(&cfg);
    fd = rawConnect(ts->path);
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_SLEEP, TERN_NET_CALL, 1, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestSleepArgs, &args));
    g_usleep(100 * 1000);
    cpu0 = cpuMs();
    t0 = nowMs();
    ternForceClose(fd);

    /* the connection is gone at once, even though its call still runs */
    testServerWaitClients(ts, 0, 500);
    /* and the loop does not spin on the hang-up while the call ends */
    g_usleep(800 * 1000);
    cpu = cpuMs() - cpu0;
    wall = nowMs() - t0;
    g_test_message("CPU %" G_GINT64_FORMAT " ms in %" G_GINT64_FORMAT " ms", cpu, wall);
    g_assert_cmpint(cpu, <, wall / 2);

    /* the worker drops the last reference when the call ends */
    waitClientsFreed(3000);
    assertServerServes(ts);
    testServerStop(ts);
}

/* garbage of every kind from many connections: memory stays flat */
typedef struct {
    TestServer *ts;
    int first;
    int count;
} FloodJob;

static gpointer
floodThread(gpointer opaque)
{
    FloodJob *job = opaque;
    g_autoptr(GRand) rand = g_rand_new_with_seed((guint32)job->first);

    for (int i = job->first; i < job->first + job->count; i++) {
        int fd = rawConnect(job->ts->path);
        guint8 buf[64];

        for (size_t k = 0; k < sizeof(buf); k++)
            buf[k] = (guint8)g_rand_int(rand);
        switch (i % 5) {
        case 0: /* random bytes: almost always an impossible length */
            rawWrite(fd, buf, sizeof(buf));
            break;
        case 1: { /* a large valid length, then nothing (now and then the largest) */
            guint32 len = GUINT32_TO_BE(i % 100 == 1 ? 32 * MiB : 100 * 1000);
            rawWrite(fd, &len, 4);
            break;
        }
        case 2: { /* a call with a garbage payload, not waiting for the reply */
            GByteArray *pkt = rawPacketBytes(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_CALL, 1,
                                             TERN_NET_OK, buf, sizeof(buf));
            rawWrite(fd, pkt->data, pkt->len);
            g_byte_array_unref(pkt);
            break;
        }
        case 3: /* half a header */
            rawWrite(fd, "\x00\x00\x00\x40\x12\x34", 6);
            break;
        case 4: { /* an unknown program */
            GByteArray *pkt = rawPacket(0xdead, 1, TERN_NET_CALL, 1, TERN_NET_OK, NULL, NULL);
            rawWrite(fd, pkt->data, pkt->len);
            g_byte_array_unref(pkt);
            break;
        }
        }
        ternForceClose(fd);
    }
    return NULL;
}

static void
testHostileFlood(void)
{
    TestServer *ts = testServerStart(NULL);
    FloodJob jobs[4];
    GThread *threads[4];
    gint64 rss0, rss1;

    /* warm up: allocator arenas, thread pool */
    jobs[0] = (FloodJob){.ts = ts, .first = 0, .count = 500};
    floodThread(&jobs[0]);
    testServerWaitClients(ts, 0, 10000);
    malloc_trim(0);
    rss0 = rssKiB();

    for (int t = 0; t < 4; t++) {
        jobs[t] = (FloodJob){.ts = ts, .first = 1000 + t * 2500, .count = 2500};
        threads[t] = g_thread_new("rpctest-flood", floodThread, &jobs[t]);
    }
    for (int t = 0; t < 4; t++)
        g_thread_join(threads[t]);
    testServerWaitClients(ts, 0, 30000);
    waitClientsFreed(10000);
    malloc_trim(0);
    rss1 = rssKiB();
    assertGrowthBelow("10000 garbage connections", rss0, rss1, 16 * 1024);
    assertServerServes(ts);
    testServerStop(ts);
}

/* a peer that sends calls but never reads the replies: the server stops reading it */
static void
testHostileNoReader(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autofree char *text = g_strnfill(16 * 1024, 'r');
    rpctestEchoArgs args = {.text = text};
    GByteArray *pkt = rawPacket(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_CALL, 1, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestEchoArgs, &args);
    GByteArray *ping = rawPacket(TERN_KEEPALIVE_PROGRAM, TERN_KEEPALIVE_PROC_PING, TERN_NET_MESSAGE,
                                 0, TERN_NET_OK, NULL, NULL);
    gint64 rss0, peak = 0;
    size_t sent = 0;
    int fd = rawConnect(ts->path);
    gint64 stalledSince = 0;
    guint64 npackets = 0;

    malloc_trim(0);
    rss0 = rssKiB();
    /* write without reading until the server stops taking bytes for 1 s (or 1 GiB) */
    while (sent < 1024 * (size_t)MiB) {
        GByteArray *p = npackets % 2 ? pkt : ping;
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};

        if (poll(&pfd, 1, 100) == 0) {
            if (!stalledSince)
                stalledSince = nowMs();
            if (nowMs() - stalledSince > 1000)
                break;
            continue;
        }
        stalledSince = 0;
        g_assert_true(rawWrite(fd, p->data, p->len));
        sent += p->len;
        npackets++;
        if (sent % (64 * MiB) < p->len)
            peak = MAX(peak, rssKiB());
    }
    peak = MAX(peak, rssKiB());
    g_test_message("sent %zu MiB before the server stopped reading", sent / MiB);
    g_assert_cmpuint(sent, <, 1024 * (size_t)MiB);
    assertGrowthBelow("replies nobody reads (peak)", rss0, peak, 64 * 1024);
    g_byte_array_unref(pkt);
    g_byte_array_unref(ping);
    ternForceClose(fd);
    testServerWaitClients(ts, 0, 5000);
    assertServerServes(ts);
    testServerStop(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* a peer in place of the server: a bare listening socket with one of our clients connected    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    char *dir;
    char *path;
    int lfd;  /* the listening socket */
    int peer; /* its end of the client's connection (accept's result, unchecked) */
} FakeServer;

/* listen on @name in a fresh temporary directory, connect a client and accept it */
static ternNetClient *
fakeServerStart(FakeServer *fs, const char *name)
{
    g_autoptr(GError) err = NULL;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ternNetClient *c;

    fs->dir = g_dir_make_tmp("tern-rpc-XXXXXX", &err);
    fs->path = g_build_filename(fs->dir, name, NULL);
    fs->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_strlcpy(sa.sun_path, fs->path, sizeof(sa.sun_path));
    g_assert_cmpint(bind(fs->lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fs->lfd, 1), ==, 0);
    c = ternNetClientNewUNIX(fs->path, &err);
    g_assert_no_error(err);
    fs->peer = accept4(fs->lfd, NULL, NULL, SOCK_CLOEXEC);
    return c;
}

static void
fakeServerStop(FakeServer *fs)
{
    ternForceClose(fs->peer);
    ternForceClose(fs->lfd);
    unlink(fs->path);
    g_rmdir(fs->dir);
    g_free(fs->path);
    g_free(fs->dir);
}

/* ------------------------------------------------------------------------------------------ */
/* keepalive                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* our PINGs are answered: a client with keepalive 1 s x 1 stays up through 3.5 idle seconds */
static void
testKeepAliveClientPings(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    g_autoptr(GByteArray) pongWant = rawPacket(TERN_KEEPALIVE_PROGRAM, TERN_KEEPALIVE_PROC_PONG,
                                               TERN_NET_MESSAGE, 0, TERN_NET_OK, NULL, NULL);
    g_autoptr(ternNetMessage) pong = NULL;
    int fd;

    ternNetClientSetKeepAlive(c, 1, 1);
    g_usleep(3500 * 1000);
    g_assert_true(ternNetClientIsOpen(c));
    assertEchoWorks(c);

    /* byte for byte: PING in, PONG out, 28 bytes each */
    fd = rawConnect(ts->path);
    rawSendPacket(fd, rawPacket(TERN_KEEPALIVE_PROGRAM, TERN_KEEPALIVE_PROC_PING, TERN_NET_MESSAGE,
                                0, TERN_NET_OK, NULL, NULL));
    pong = rawRecvOK(fd, 2000);
    g_assert_cmpmem(pong->buffer, pong->bufferLength, pongWant->data, pongWant->len);
    ternForceClose(fd);

    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* our client gives up on a peer that never answers its PINGs */
static void
testKeepAliveClientDetectsDeadServer(void)
{
    g_autoptr(GError) err = NULL;
    FakeServer mute;
    g_autoptr(ternNetClient) c = fakeServerStart(&mute, "mute.sock");
    gint64 start;

    g_assert_cmpint(mute.peer, >=, 0);

    start = nowMs();
    ternNetClientSetKeepAlive(c, 1, 2);
    while (ternNetClientIsOpen(c) && nowMs() - start < 10000)
        g_usleep(50 * 1000);
    g_test_message("client closed a mute peer after %" G_GINT64_FORMAT " ms", nowMs() - start);
    g_assert_false(ternNetClientIsOpen(c));
    g_assert_cmpint(nowMs() - start, >=, 2500);
    g_assert_cmpint(nowMs() - start, <, 5000);
    /* calls fail at once rather than hang */
    g_assert_false(callVoid(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_ECHO, &err));
    g_assert_nonnull(strstr(err->message, "keepalive"));

    fakeServerStop(&mute);
}

typedef struct {
    TestServer *ts;
    bool stayedOpen;
} KeepAliveLive;

static gpointer
keepAliveLiveThread(gpointer opaque)
{
    KeepAliveLive *kl = opaque;
    g_autoptr(ternNetClient) c = testClientNew(kl->ts);
    g_autoptr(GError) err = NULL;

    g_assert_true(callVoid(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_KEEPALIVE_START, &err));
    g_usleep(4500 * 1000);
    kl->stayedOpen = ternNetClientIsOpen(c);
    assertEchoWorks(c);
    return NULL;
}

/* the server pings; a client that answers stays, one that does not is closed in ~3 s */
static void
testKeepAliveServerClosesDeadClient(void)
{
    ternNetServerConfig cfg = defaultConfig;
    TestServer *ts;
    KeepAliveLive live = {0};
    GThread *liveThread;
    g_autoptr(ternNetMessage) reply = NULL;
    gint64 start, elapsed;
    int pings = 0;
    bool eof = false;
    int fd;

    cfg.keepaliveInterval = 1;
    cfg.keepaliveCount = 2;
    ts = testServerStart(&cfg);
    live.ts = ts;
    liveThread = g_thread_new("rpctest-ka-live", keepAliveLiveThread, &live);

    fd = rawConnect(ts->path);
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_KEEPALIVE_START, TERN_NET_CALL, 1,
                                TERN_NET_OK, NULL, NULL));
    reply = rawRecvOK(fd, 5000);
    g_assert_cmpint(reply->header.status, ==, TERN_NET_OK);
    start = nowMs();
    for (;;) {
        g_autoptr(ternNetMessage) msg = rawRecv(fd, 10000, &eof);
        if (!msg)
            break;
        g_assert_cmphex(msg->header.prog, ==, TERN_KEEPALIVE_PROGRAM);
        g_assert_cmpint(msg->header.proc, ==, TERN_KEEPALIVE_PROC_PING);
        g_assert_cmpint(msg->header.type, ==, TERN_NET_MESSAGE);
        g_assert_cmpuint(msg->bufferLength, ==, 28);
        pings++;
    }
    elapsed = nowMs() - start;
    g_test_message("dead client: %d PINGs, closed after %" G_GINT64_FORMAT " ms", pings, elapsed);
    g_assert_true(eof);
    g_assert_cmpint(pings, ==, 2);
    g_assert_cmpint(elapsed, >=, 2000);
    g_assert_cmpint(elapsed, <=, 4500);
    ternForceClose(fd);

    g_thread_join(liveThread);
    g_assert_true(live.stayedOpen);
    testServerStop(ts);
}

/*
 * While the server does not read a client (max_client_requests calls in
 * flight), the client's PONGs wait in the socket: that is no sign of a
 * dead peer, and a long call must not get its caller disconnected.
 */
static void
testKeepAliveBusyServer(void)
{
    ternNetServerConfig cfg = defaultConfig;
    TestServer *ts;
    g_autoptr(ternNetClient) c = NULL;
    g_autoptr(GError) err = NULL;

    cfg.keepaliveInterval = 1;
    cfg.keepaliveCount = 2;
    cfg.maxClientRequests = 1;
    ts = testServerStart(&cfg);
    c = testClientNew(ts);
    g_assert_true(callVoid(c, RPCTEST_PROG, RPCTEST_VERS, RPCTEST_PROC_KEEPALIVE_START, &err));
    /* well past interval x (count + 1) */
    g_assert_true(callSleep(c, 4500, 1, &err));
    g_assert_no_error(err);
    assertEchoWorks(c);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* the same on our client: a reader that pauses while its stream queue is full */
static void
testKeepAliveBusyClient(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_DOWNLOAD, .nbytes = 32 * MiB};
    g_autoptr(ternNetStream) st = NULL;
    g_autofree char *buf = g_malloc(MiB);
    g_autoptr(GError) err = NULL;
    guint64 got = 0;
    gssize n;

    ternNetClientSetKeepAlive(c, 1, 1);
    streamResultReset();
    st = openStream(c, &args);
    g_assert_cmpint(ternNetStreamRecv(st, buf, MiB, &err), >, 0);
    /* the queue fills and the client stops reading; no PONG can get through meanwhile */
    g_usleep(3500 * 1000);
    while ((n = ternNetStreamRecv(st, buf, MiB, &err)) > 0)
        got += (guint64)n;
    g_assert_no_error(err);
    g_assert_true(ternNetStreamFinish(st, &err));
    streamResultWait(5000);
    g_assert_null(streamResult.error);
    g_assert_true(ternNetClientIsOpen(c));
    g_clear_pointer(&st, ternNetStreamUnref);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* max_clients: one more is refused at once; a slot that frees up is usable again */
static void
testMaxClients(void)
{
    ternNetServerConfig cfg = defaultConfig;
    TestServer *ts;
    ternNetClient *clients[3];
    int fd;

    cfg.maxClients = 3;
    ts = testServerStart(&cfg);
    for (int i = 0; i < 3; i++) {
        clients[i] = testClientNew(ts);
        assertEchoWorks(clients[i]);
    }
    fd = rawConnect(ts->path);
    g_assert_true(rawWaitEOF(fd, 5000));
    ternForceClose(fd);
    for (int i = 0; i < 3; i++)
        assertEchoWorks(clients[i]);

    ternNetClientUnref(clients[0]);
    testServerWaitClients(ts, 2, 5000);
    clients[0] = testClientNew(ts);
    assertEchoWorks(clients[0]);
    for (int i = 0; i < 3; i++)
        ternNetClientUnref(clients[i]);
    testServerStop(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* streams                                                                                     */
/* ------------------------------------------------------------------------------------------ */

#define STREAM_BYTES (64 * (guint64)MiB)

static void
testStreamUpload(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_RECV};
    g_autoptr(ternNetStream) st = NULL;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree guint8 *buf = g_malloc(MiB + 7);
    g_autoptr(GError) err = NULL;
    guint64 off = 0;
    size_t step = 1000;

    streamResultReset();
    st = openStream(c, &args);
    /* odd sizes, so packets and the pattern never line up */
    while (off < STREAM_BYTES) {
        size_t n = (size_t)MIN((guint64)step, STREAM_BYTES - off);
        patternFill(buf, off, n);
        g_checksum_update(sum, buf, (gssize)n);
        g_assert_true(ternNetStreamSend(st, (const char *)buf, n, &err));
        g_assert_no_error(err);
        off += n;
        step = step * 3 + 1 > MiB ? 4093 : step * 3 + 1;
    }
    /* the writer's finish waits for the server's confirmation */
    g_assert_true(ternNetStreamFinish(st, &err));
    g_assert_no_error(err);

    streamResultWait(30000);
    g_assert_null(streamResult.error);
    g_assert_cmpuint(streamResult.bytes, ==, STREAM_BYTES);
    g_assert_true(streamResult.patternOK);
    g_assert_cmpstr(streamResult.checksum, ==, g_checksum_get_string(sum));
    g_assert_true(streamResult.finishOK);

    /* the connection carries calls as before, and another stream */
    assertEchoWorks(c);
    g_clear_pointer(&st, ternNetStreamUnref);
    streamResultReset();
    st = openStream(c, &args);
    g_assert_true(ternNetStreamFinish(st, &err));
    streamResultWait(5000);
    g_assert_cmpuint(streamResult.bytes, ==, 0);
    g_assert_true(streamResult.finishOK);

    g_clear_pointer(&st, ternNetStreamUnref);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

static void
downloadAndCheck(ternNetClient *c, guint64 nbytes, unsigned replyDelayMs)
{
    rpctestStreamArgs args = {
        .mode = RPCTEST_STREAM_DOWNLOAD, .nbytes = nbytes, .replyDelayMs = replyDelayMs};
    g_autoptr(ternNetStream) st = NULL;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *want = patternChecksum(nbytes);
    g_autofree char *buf = g_malloc(300000);
    g_autoptr(GError) err = NULL;
    guint64 off = 0;
    gssize n;
    bool patternOK = true;

    streamResultReset();
    st = openStream(c, &args);
    while ((n = ternNetStreamRecv(st, buf, 100000 + (size_t)(off % 200000), &err)) > 0) {
        if (!patternCheck((guint8 *)buf, off, (size_t)n))
            patternOK = false;
        g_checksum_update(sum, (guchar *)buf, n);
        off += (guint64)n;
    }
    g_assert_no_error(err);
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpuint(off, ==, nbytes);
    g_assert_true(patternOK);
    g_assert_cmpstr(g_checksum_get_string(sum), ==, want);
    /* the reader confirms the writer's finish; the server's Finish returns only then */
    g_assert_true(ternNetStreamFinish(st, &err));
    g_assert_no_error(err);
    streamResultWait(10000);
    g_assert_null(streamResult.error);
    g_assert_true(streamResult.finishOK);
    g_assert_cmpuint(streamResult.bytes, ==, nbytes);
}

static void
testStreamDownload(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);

    downloadAndCheck(c, STREAM_BYTES, 0);
    assertEchoWorks(c);
    downloadAndCheck(c, 1, 0);
    downloadAndCheck(c, 0, 0);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/*
 * STREAM data never overtakes the REPLY of the call that opened the stream,
 * even when the handler's stream thread starts writing before it returns:
 * else a client whose stream queue fills up before the REPLY arrives stops
 * reading and never sees the REPLY.
 */
static void
testStreamReplyFirst(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    rpctestStreamArgs args = {
        .mode = RPCTEST_STREAM_DOWNLOAD, .nbytes = 4 * MiB, .replyDelayMs = 300};
    g_autoptr(ternNetMessage) first = NULL;
    guint64 got = 0;
    int fd;

    fd = rawConnect(ts->path);
    streamResultReset();
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_CALL, 9, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestStreamArgs, &args));
    first = rawRecvOK(fd, 5000);
    g_assert_cmpint(first->header.type, ==, TERN_NET_REPLY);
    g_assert_cmpuint(first->header.serial, ==, 9);
    for (;;) {
        g_autoptr(ternNetMessage) msg = rawRecvOK(fd, 5000);
        size_t len;

        g_assert_cmpint(msg->header.type, ==, TERN_NET_STREAM);
        g_assert_cmpuint(msg->header.serial, ==, 9);
        g_assert_cmpint(msg->header.proc, ==, RPCTEST_PROC_STREAM);
        if (msg->header.status == TERN_NET_OK)
            break;
        g_assert_cmpint(msg->header.status, ==, TERN_NET_CONTINUE);
        ternNetMessagePayload(msg, &len);
        got += len;
    }
    g_assert_cmpuint(got, ==, 4 * MiB);
    /* confirm the finish by hand */
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 9, TERN_NET_OK,
                                NULL, NULL));
    streamResultWait(5000);
    g_assert_true(streamResult.finishOK);
    ternForceClose(fd);

    /* the same with our client and more data than its stream queue holds */
    downloadAndCheck(c, 32 * (guint64)MiB, 300);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* the server reads slowly while the client sends 200 MiB: memory stays bounded */
typedef struct {
    gint stop;
    gint64 peakKiB;
} RssSampler;

static gpointer
rssSamplerThread(gpointer opaque)
{
    RssSampler *rs = opaque;

    while (!g_atomic_int_get(&rs->stop)) {
        rs->peakKiB = MAX(rs->peakKiB, rssKiB());
        g_usleep(20 * 1000);
    }
    return NULL;
}

static void
testStreamSlowReader(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    /* 262120-byte packets, 3 ms each: ~80 MB/s, far slower than the writer */
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD, .readDelayUs = 3000};
    g_autoptr(ternNetStream) st = NULL;
    g_autofree guint8 *buf = g_malloc(MiB);
    g_autoptr(GError) err = NULL;
    const guint64 total = 200 * (guint64)MiB;
    RssSampler rs = {0};
    GThread *sampler;
    gint64 rss0, start;

    malloc_trim(0);
    rss0 = rssKiB();
    sampler = g_thread_new("rpctest-rss", rssSamplerThread, &rs);
    streamResultReset();
    st = openStream(c, &args);
    start = nowMs();
    for (guint64 off = 0; off < total; off += MiB) {
        patternFill(buf, off, MiB);
        g_assert_true(ternNetStreamSend(st, (const char *)buf, MiB, &err));
    }
    g_assert_true(ternNetStreamFinish(st, &err));
    g_assert_no_error(err);
    streamResultWait(60000);
    g_atomic_int_set(&rs.stop, 1);
    g_thread_join(sampler);

    g_test_message("200 MiB to a slow reader in %" G_GINT64_FORMAT " ms", nowMs() - start);
    g_assert_null(streamResult.error);
    g_assert_cmpuint(streamResult.bytes, ==, total);
    g_assert_true(streamResult.patternOK);
    assertGrowthBelow("200 MiB to a slow reader (peak)", rss0, rs.peakKiB, 100 * 1024);

    g_clear_pointer(&st, ternNetStreamUnref);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* the client aborts: the server's Recv fails; on the wire the server confirms the abort */
static void
testStreamClientAbort(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD};
    g_autoptr(ternNetStream) st = NULL;
    g_autofree guint8 *buf = g_malloc(MiB);
    g_autoptr(GError) err = NULL;
    g_autoptr(ternNetMessage) reply = NULL;
    g_autoptr(ternNetMessage) confirm = NULL;
    int fd;

    streamResultReset();
    st = openStream(c, &args);
    patternFill(buf, 0, MiB);
    g_assert_true(ternNetStreamSend(st, (const char *)buf, MiB, &err));
    ternNetStreamAbort(st, NULL);
    streamResultWait(5000);
    g_assert_nonnull(streamResult.error);
    g_assert_nonnull(strstr(streamResult.error, "aborted"));
    g_assert_false(streamResult.finishOK);
    /* our side: the stream is over */
    g_assert_false(ternNetStreamSend(st, (const char *)buf, 10, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_ABORTED);
    assertEchoWorks(c);

    /* libvirt's client waits for an empty STREAM/OK after its abort */
    fd = rawConnect(ts->path);
    streamResultReset();
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_CALL, 4, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestStreamArgs, &args));
    reply = rawRecvOK(fd, 5000);
    g_assert_cmpint(reply->header.type, ==, TERN_NET_REPLY);
    g_assert_cmpint(reply->header.status, ==, TERN_NET_OK);
    rawSendPacket(fd, rawPacketBytes(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 4,
                                     TERN_NET_CONTINUE, "some", 4));
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 4,
                                TERN_NET_ERROR, NULL, NULL));
    confirm = rawRecvOK(fd, 5000);
    g_assert_cmpint(confirm->header.type, ==, TERN_NET_STREAM);
    g_assert_cmpint(confirm->header.status, ==, TERN_NET_OK);
    g_assert_cmpuint(confirm->header.serial, ==, 4);
    g_assert_cmpint(confirm->header.proc, ==, RPCTEST_PROC_STREAM);
    g_assert_cmpuint(confirm->bufferLength, ==, 28);
    streamResultWait(5000);
    g_assert_nonnull(streamResult.error);
    rawSendEcho(fd, 5, "after abort");
    rawExpectEchoReply(fd, 5, "after abort");
    ternForceClose(fd);

    g_clear_pointer(&st, ternNetStreamUnref);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* the server aborts: the client's Recv (download) or Send (upload) fails with its error */
static void
testStreamServerAbort(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    g_autofree char *buf = g_malloc(MiB);
    g_autoptr(GError) err = NULL;
    gssize n;

    {
        rpctestStreamArgs args = {
            .mode = RPCTEST_STREAM_DOWNLOAD, .nbytes = 64 * MiB, .abortAfter = 2 * MiB};
        g_autoptr(ternNetStream) st = NULL;
        guint64 got = 0;

        streamResultReset();
        st = openStream(c, &args);
        while ((n = ternNetStreamRecv(st, buf, MiB, &err)) > 0)
            got += (guint64)n;
        g_assert_cmpint(n, ==, -1);
        g_assert_error(err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_FAILED);
        g_assert_cmpstr(err->message, ==, "operation failed: server gave up");
        g_assert_cmpuint(got, ==, 2 * MiB);
        streamResultWait(5000);
        g_clear_error(&err);
    }
    {
        /* the server gives up on an upload (and drops what it queued): the client's Send fails */
        rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD, .abortAfter = 1};
        g_autoptr(ternNetStream) st = NULL;
        gint64 deadline = nowMs() + 10000;
        bool failed = false;

        streamResultReset();
        st = openStream(c, &args);
        while (nowMs() < deadline) {
            if (!ternNetStreamSend(st, buf, MiB, &err)) {
                failed = true;
                break;
            }
        }
        g_assert_true(failed);
        g_assert_error(err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_FAILED);
        streamResultWait(5000);
    }
    assertEchoWorks(c);
    g_clear_pointer(&c, ternNetClientUnref);
    testServerStop(ts);
}

/* empty data packets carry nothing: they neither end the stream nor queue without bound */
static void
testStreamEmptyPackets(void)
{
    TestServer *ts = testServerStart(NULL);
    /* ternNetStreamRecv: an empty packet must not read as the end of the stream */
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_RECV};
    g_autoptr(GByteArray) empties = g_byte_array_new();
    g_autoptr(GByteArray) one = rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 3,
                                          TERN_NET_CONTINUE, NULL, NULL);
    g_autoptr(ternNetMessage) reply = NULL;
    g_autoptr(ternNetMessage) confirm = NULL;
    gint64 rss0;
    int fd;

    fd = rawConnect(ts->path);
    streamResultReset();
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_CALL, 3, TERN_NET_OK,
                                (xdrproc_t)xdr_rpctestStreamArgs, &args));
    reply = rawRecvOK(fd, 5000);
    g_assert_cmpint(reply->header.status, ==, TERN_NET_OK);

    for (int i = 0; i < 10000; i++)
        g_byte_array_append(empties, one->data, one->len);
    malloc_trim(0);
    rss0 = rssKiB();
    for (int i = 0; i < 100; i++) /* a million empty packets */
        g_assert_true(rawWrite(fd, empties->data, empties->len));
    rawSendPacket(fd, rawPacketBytes(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 3,
                                     TERN_NET_CONTINUE, pattern, 3));
    rawSendPacket(fd, rawPacket(RPCTEST_PROG, RPCTEST_PROC_STREAM, TERN_NET_STREAM, 3, TERN_NET_OK,
                                NULL, NULL));
    confirm = rawRecvOK(fd, 30000);
    g_assert_cmpint(confirm->header.type, ==, TERN_NET_STREAM);
    g_assert_cmpint(confirm->header.status, ==, TERN_NET_OK);
    streamResultWait(5000);
    g_assert_null(streamResult.error);
    g_assert_cmpuint(streamResult.bytes, ==, 3);
    g_assert_true(streamResult.patternOK);
    assertGrowthBelow("a million empty stream packets", rss0, rssKiB(), 32 * 1024);
    ternForceClose(fd);
    testServerStop(ts);
}

/* the client connection dies mid-stream: both ends fail instead of hanging */
static void
testStreamConnectionLost(void)
{
    TestServer *ts = testServerStart(NULL);
    g_autoptr(ternNetClient) c = testClientNew(ts);
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD};
    g_autoptr(ternNetStream) st = NULL;
    g_autofree char *buf = g_malloc0(MiB);
    g_autoptr(GError) err = NULL;

    streamResultReset();
    st = openStream(c, &args);
    g_assert_true(ternNetStreamSend(st, buf, MiB, &err));
    ternNetClientClose(c);
    streamResultWait(5000);
    g_assert_nonnull(streamResult.error);
    g_assert_false(ternNetStreamSend(st, buf, MiB, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_false(ternNetStreamFinish(st, &err));
    g_assert_nonnull(err);
    /* the stream outlives its connection harmlessly */
    g_clear_pointer(&c, ternNetClientUnref);
    g_clear_error(&err);
    g_assert_false(ternNetStreamSend(st, buf, 10, &err));
    ternNetStreamAbort(st, NULL);
    g_clear_pointer(&st, ternNetStreamUnref);
    testServerWaitClients(ts, 0, 5000);
    testServerStop(ts);
}

/* ------------------------------------------------------------------------------------------ */
/* spliced streams: the client sends from a pipe, the server splices into a sink               */
/* ------------------------------------------------------------------------------------------ */

/*
 * The source side of the migration tunnel, with a writer thread in
 * QEMU's place: it writes @total pattern bytes into a pipe, and the pump
 * sends what the pipe holds with ternNetStreamSendFromPipe until its end
 * of file, then finishes the stream.
 */
typedef struct {
    ternNetStream *st; /* borrowed */
    guint64 total;
    int fds[2]; /* [1] the writer's (it closes it), [0] the pump's (it closes it) */
    gint stop;  /* atomic: the writer gives up */
    GThread *writer;
    GThread *pump;
    guint64 written; /* the writer's, until joined */

    GMutex lock;   /* everything below */
    GCond cond;    /* sent grew, or the pump stopped */
    guint64 sent;  /* what ternNetStreamSendFromPipe reported sent */
    bool done;     /* the pump stopped */
    bool finishOK; /* ... because everything was sent and the stream finished */
    GError *err;   /* ... or why not */
} SplicedUpload;

static gpointer
splicedWriterThread(gpointer opaque)
{
    SplicedUpload *up = opaque;
    g_autofree guint8 *buf = g_malloc(MiB);
    size_t step = 1000;

    /* odd sizes, so neither what the pipe holds nor the packets line up with anything */
    while (up->written < up->total && !g_atomic_int_get(&up->stop)) {
        size_t n = (size_t)MIN((guint64)step, up->total - up->written);
        struct pollfd pfd = {.fd = up->fds[1], .events = POLLOUT};
        ssize_t w;

        counterFill(buf, up->written, n);
        w = write(up->fds[1], buf, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            /* non-blocking, so that stop is seen even when the pump is stuck */
            poll(&pfd, 1, 100);
            continue;
        }
        if (w < 0)
            break; /* EPIPE: the pump is gone */
        up->written += (guint64)w;
        step = step * 3 + 1 > MiB ? 4093 : step * 3 + 1;
    }
    up->fds[1] = ternForceClose(up->fds[1]);
    return NULL;
}

static gpointer
splicedPumpThread(gpointer opaque)
{
    SplicedUpload *up = opaque;
    GError *err = NULL;
    bool finishOK = false;

    for (;;) {
        gssize n = ternNetStreamSendFromPipe(up->st, up->fds[0], &err);

        if (n < 0)
            break;
        if (n == 0) {
            finishOK = ternNetStreamFinish(up->st, &err);
            break;
        }
        g_mutex_lock(&up->lock);
        up->sent += (guint64)n;
        g_cond_broadcast(&up->cond);
        g_mutex_unlock(&up->lock);
    }
    /* a writer still writing learns it with EPIPE */
    up->fds[0] = ternForceClose(up->fds[0]);
    g_mutex_lock(&up->lock);
    up->done = true;
    up->finishOK = finishOK;
    up->err = err;
    g_cond_broadcast(&up->cond);
    g_mutex_unlock(&up->lock);
    return NULL;
}

static void
splicedUploadStart(SplicedUpload *up, ternNetStream *st, guint64 total)
{
    *up = (SplicedUpload){.st = st, .total = total};
    g_mutex_init(&up->lock);
    g_cond_init(&up->cond);
    g_assert_cmpint(pipe2(up->fds, O_CLOEXEC), ==, 0);
    g_assert_cmpint(fcntl(up->fds[1], F_SETFL, O_NONBLOCK), ==, 0);
    fcntl(up->fds[1], F_SETPIPE_SZ, SPLICE_PIPE_SIZE);
    up->writer = g_thread_new("rpctest-splice-writer", splicedWriterThread, up);
    up->pump = g_thread_new("rpctest-splice-pump", splicedPumpThread, up);
}

static guint64
splicedUploadSent(SplicedUpload *up)
{
    guint64 sent;

    g_mutex_lock(&up->lock);
    sent = up->sent;
    g_mutex_unlock(&up->lock);
    return sent;
}

static bool
splicedUploadDone(SplicedUpload *up)
{
    bool done;

    g_mutex_lock(&up->lock);
    done = up->done;
    g_mutex_unlock(&up->lock);
    return done;
}

/* wait until at least @bytes are sent or the pump stopped; whether they were sent */
static bool
splicedUploadWaitSent(SplicedUpload *up, guint64 bytes, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    bool reached;

    g_mutex_lock(&up->lock);
    while (up->sent < bytes && !up->done) {
        if (!g_cond_wait_until(&up->cond, &up->lock, deadline))
            break;
    }
    reached = up->sent >= bytes;
    g_mutex_unlock(&up->lock);
    return reached;
}

/*
 * Wait up to @timeoutMs for the pump to stop; past that, stop it (abort
 * the stream, stop the writer). Either way both threads are joined and
 * the pipe closed. Returns whether it stopped by itself in time.
 */
static bool
splicedUploadJoin(SplicedUpload *up, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    bool inTime;

    g_mutex_lock(&up->lock);
    while (!up->done) {
        if (!g_cond_wait_until(&up->cond, &up->lock, deadline))
            break;
    }
    inTime = up->done;
    g_mutex_unlock(&up->lock);
    if (!inTime) {
        g_test_message("the spliced upload is stuck at %" G_GUINT64_FORMAT " bytes: aborting it",
                       splicedUploadSent(up));
        g_atomic_int_set(&up->stop, 1);
        ternNetStreamAbort(up->st, NULL);
    }
    g_thread_join(up->pump);
    g_atomic_int_set(&up->stop, 1);
    g_thread_join(up->writer);
    ternForceClose(up->fds[0]);
    ternForceClose(up->fds[1]);
    g_mutex_clear(&up->lock);
    g_cond_clear(&up->cond);
    return inTime;
}

/*
 * One spliced case: a server, a client of it over TCP loopback or the
 * UNIX socket, and the upload under way on that connection.
 */
typedef struct {
    TestServer *ts;
    ternNetClient *c;
    ternNetStream *st; /* the current upload's */
    SplicedUpload up;
    bool inTime; /* the upload stopped by itself before its join timed out */
} SplicedCase;

/* start the server and the client; false, the test skipped, where TCP loopback cannot be had */
static bool
splicedCaseStart(SplicedCase *sc, bool tcp)
{
    g_autoptr(GError) err = NULL;

    *sc = (SplicedCase){.ts = testServerStart(NULL)};
    if (!tcp) {
        sc->c = testClientNew(sc->ts);
        return true;
    }
    if (!testServerListenTCP(sc->ts)) {
        testServerStop(sc->ts);
        g_test_skip("cannot listen on TCP loopback here");
        return false;
    }
    sc->c = ternNetClientNewTCP("127.0.0.1", sc->ts->port, &err);
    g_assert_no_error(err);
    g_assert_nonnull(sc->c);
    return true;
}

/* drop the last upload's stream, open one with @args and start sending @total bytes into it */
static void
splicedCaseUpload(SplicedCase *sc, const rpctestStreamArgs *args, guint64 total)
{
    g_clear_pointer(&sc->st, ternNetStreamUnref);
    g_clear_error(&sc->up.err);
    streamResultReset();
    sc->st = openStream(sc->c, args);
    splicedUploadStart(&sc->up, sc->st, total);
}

/* join the upload (splicedUploadJoin, within @timeoutMs), then wait for the server's end of it */
static void
splicedCaseJoin(SplicedCase *sc, int timeoutMs)
{
    sc->inTime = splicedUploadJoin(&sc->up, timeoutMs);
    streamResultWait(30000);
}

/* drop the stream and the client, stop the server */
static void
splicedCaseStop(SplicedCase *sc)
{
    g_clear_error(&sc->up.err);
    g_clear_pointer(&sc->st, ternNetStreamUnref);
    g_clear_pointer(&sc->c, ternNetClientUnref);
    testServerStop(sc->ts);
}

/* the sender stopped by itself in time, having written, sent and finished everything */
static void
splicedAssertSentAll(const SplicedCase *sc)
{
    g_assert_true(sc->inTime);
    g_assert_no_error(sc->up.err);
    g_assert_true(sc->up.finishOK);
    g_assert_cmpuint(sc->up.written, ==, sc->up.total);
    g_assert_cmpuint(sc->up.sent, ==, sc->up.total);
}

/* what reached the sink came in order, and the sink's reader saw its end of file */
static void
splicedAssertSinkEnded(void)
{
    g_assert_true(streamResult.patternOK);
    g_assert_null(streamResult.sinkErr);
    g_assert_true(streamResult.sinkEOF);
}

/* the server finished its side, and the sink got all @total bytes in order, then its end */
static void
splicedAssertSinkGotAll(guint64 total)
{
    g_assert_null(streamResult.error);
    g_assert_true(streamResult.finishOK);
    g_assert_cmpuint(streamResult.bytes, ==, total);
    splicedAssertSinkEnded();
}

/* both ends failed: the sender in time, short of the end, with an error; the server with one too */
static void
splicedAssertBothFailed(const SplicedCase *sc)
{
    g_assert_true(sc->inTime);
    g_assert_false(sc->up.finishOK);
    g_assert_nonnull(sc->up.err);
    g_assert_cmpuint(sc->up.sent, <, sc->up.total);
    g_assert_nonnull(streamResult.error);
    g_assert_false(streamResult.finishOK);
}

/* @total bytes through a spliced upload into a sink, all of them checked at the far end */
static void
splicedCaseUploadAndCheck(SplicedCase *sc, guint64 total)
{
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK};

    splicedCaseUpload(sc, &args, total);
    sc->inTime = splicedUploadJoin(&sc->up, 60000);
    splicedAssertSentAll(sc);
    /* the writer's finish returned: the server has confirmed, its reader sees the rest */
    streamResultWait(30000);
    splicedAssertSinkGotAll(total);
    g_clear_pointer(&sc->st, ternNetStreamUnref);
}

static void
splicedUploadCase(bool tcp)
{
    SplicedCase sc;
    gint64 start;

    if (!splicedCaseStart(&sc, tcp))
        return;
    start = nowMs();
    splicedCaseUploadAndCheck(&sc, STREAM_BYTES);
    g_test_message("64 MiB spliced over %s in %" G_GINT64_FORMAT " ms", tcp ? "TCP" : "UNIX",
                   nowMs() - start);
    /* the connection goes on: calls, an empty spliced stream, a small one */
    assertEchoWorks(sc.c);
    splicedCaseUploadAndCheck(&sc, 0);
    splicedCaseUploadAndCheck(&sc, 1);
    splicedCaseUploadAndCheck(&sc, 3 * (guint64)TERN_NET_STREAM_CHUNK + 17);
    assertEchoWorks(sc.c);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedUploadUNIX(void)
{
    splicedUploadCase(false);
}

static void
testStreamSplicedUploadTCP(void)
{
    splicedUploadCase(true);
}

/* calls on the connection carrying a spliced upload are answered while it runs */
static void
splicedCallsCase(bool tcp)
{
    /* 64 KiB a millisecond at most: over a second for 64 MiB */
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .readDelayUs = 1000};
    g_autoptr(GError) callErr = NULL;
    SplicedCase sc;
    gint64 start = nowMs();
    gint64 slowest = 0;
    int during = 0;
    bool echoOK = true;

    if (!splicedCaseStart(&sc, tcp))
        return;
    splicedCaseUpload(&sc, &args, STREAM_BYTES);
    while (!splicedUploadDone(&sc.up) && !callErr && nowMs() - start < 60000) {
        g_autofree char *got = NULL;
        gint64 t0 = nowMs();

        if (!callEcho(sc.c, "meanwhile", &got, &callErr))
            break;
        echoOK = echoOK && g_str_equal(got, "meanwhile");
        slowest = MAX(slowest, nowMs() - t0);
        if (!splicedUploadDone(&sc.up))
            during++;
        g_usleep(10 * 1000);
    }
    splicedCaseJoin(&sc, 60000);

    g_test_message("over %s: %d calls answered during the upload, the slowest in %" G_GINT64_FORMAT
                   " ms",
                   tcp ? "TCP" : "UNIX", during, slowest);
    g_assert_no_error(callErr);
    g_assert_true(echoOK);
    splicedAssertSentAll(&sc);
    splicedAssertSinkGotAll(STREAM_BYTES);
    /* a loose bound: a call waits behind what the socket holds, never behind the whole upload */
    g_assert_cmpint(during, >=, 1);
    g_assert_cmpint(slowest, <, 2000);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedCallsUNIX(void)
{
    splicedCallsCase(false);
}

static void
testStreamSplicedCallsTCP(void)
{
    splicedCallsCase(true);
}

/* the last number in /proc/sys/@name (the maximum of tcp_rmem's three) */
static guint64
sysctlLast(const char *name)
{
    g_autofree char *path = g_build_filename("/proc/sys", name, NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) words = NULL;
    guint n;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    words = g_strsplit_set(g_strstrip(text), " \t", -1);
    n = g_strv_length(words);
    g_assert_cmpuint(n, >, 0);
    return g_ascii_strtoull(words[n - 1], NULL, 10);
}

/*
 * What may be in flight between a sender and a sink nobody reads: the
 * sink's pipe, the socket's buffers at their largest (a UNIX stream socket
 * holds what its sender's buffer does; TCP has both ends), a few packets.
 */
static guint64
splicedInFlightMax(bool tcp)
{
    guint64 sockets = tcp ? sysctlLast("net/ipv4/tcp_wmem") + sysctlLast("net/ipv4/tcp_rmem")
                          : sysctlLast("net/core/wmem_max");

    return SPLICE_PIPE_SIZE + sockets + 4 * (guint64)TERN_NET_STREAM_CHUNK;
}

/* backpressure: a sink nobody reads stops the sender, within a bound; it goes on after */
static void
splicedBackpressureCase(bool tcp)
{
    const guint64 holdAt = 2 * (guint64)MiB;
    const guint64 bound = splicedInFlightMax(tcp);
    /* enough that a sender that never stalls shows */
    const guint64 total = MAX(STREAM_BYTES, holdAt + 2 * bound);
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .sinkHoldAt = holdAt};
    SplicedCase sc;
    bool holding, stalled = false, doneEarly;
    guint64 stalledAt = 0;
    gint64 deadline, stillSince;

    if (!splicedCaseStart(&sc, tcp))
        return;
    sinkGateReset();
    splicedCaseUpload(&sc, &args, total);
    holding = sinkGateWaitHolding(10000);
    /* the sender stalls: what it has sent stops growing for a second */
    stillSince = nowMs();
    deadline = stillSince + 20000;
    while (holding && !splicedUploadDone(&sc.up) && nowMs() < deadline) {
        guint64 sent = splicedUploadSent(&sc.up);

        if (sent != stalledAt) {
            stalledAt = sent;
            stillSince = nowMs();
        } else if (nowMs() - stillSince >= 1000) {
            stalled = true;
            break;
        }
        g_usleep(50 * 1000);
    }
    doneEarly = splicedUploadDone(&sc.up);
    sinkGateOpen();
    splicedCaseJoin(&sc, 60000);

    g_test_message("over %s: the reader stopped at %u KiB, the sender at %u KiB (bound: %u more)",
                   tcp ? "TCP" : "UNIX", (guint)(holdAt / 1024), (guint)(stalledAt / 1024),
                   (guint)(bound / 1024));
    g_assert_true(holding);
    g_assert_false(doneEarly);
    g_assert_true(stalled);
    g_assert_cmpuint(stalledAt, >=, holdAt);
    g_assert_cmpuint(stalledAt - holdAt, <, bound);
    /* and it went on to the end, every byte in place */
    splicedAssertSentAll(&sc);
    splicedAssertSinkGotAll(total);
    assertEchoWorks(sc.c);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedBackpressureUNIX(void)
{
    splicedBackpressureCase(false);
}

static void
testStreamSplicedBackpressureTCP(void)
{
    splicedBackpressureCase(true);
}

/* the sink's reader goes away mid-stream: both ends fail with its error; the connection lives */
static void
splicedBrokenSinkCase(bool tcp)
{
    const guint64 closeAt = 4 * (guint64)MiB + 5;
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .sinkCloseAt = closeAt};
    SplicedCase sc;

    if (!splicedCaseStart(&sc, tcp))
        return;
    splicedCaseUpload(&sc, &args, STREAM_BYTES);
    splicedCaseJoin(&sc, 30000);

    splicedAssertBothFailed(&sc);
    g_test_message("sender: %s", sc.up.err->message);
    g_assert_error(sc.up.err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(sc.up.err->message, SINK_WHAT));
    g_assert_nonnull(strstr(sc.up.err->message, "Broken pipe"));
    g_test_message("server: %s", streamResult.error);
    g_assert_nonnull(strstr(streamResult.error, SINK_WHAT));
    g_assert_nonnull(strstr(streamResult.error, "Broken pipe"));
    g_assert_cmpuint(streamResult.bytes, ==, closeAt);
    g_assert_true(streamResult.patternOK);
    g_assert_false(streamResult.sinkEOF);

    /* the rest of the cut packet was dropped in step: calls and another upload go through */
    assertEchoWorks(sc.c);
    splicedCaseUploadAndCheck(&sc, 4 * (guint64)MiB);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedBrokenSinkUNIX(void)
{
    splicedBrokenSinkCase(false);
}

static void
testStreamSplicedBrokenSinkTCP(void)
{
    splicedBrokenSinkCase(true);
}

/* the client aborts mid-stream: the server's side fails, the sink ends, the connection lives */
static void
splicedClientAbortCase(bool tcp)
{
    /* a reader slow enough that the abort comes long before the end */
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .readDelayUs = 1000};
    const guint64 total = 1024 * (guint64)MiB;
    SplicedCase sc;
    bool started;
    guint64 sentAtAbort;

    if (!splicedCaseStart(&sc, tcp))
        return;
    splicedCaseUpload(&sc, &args, total);
    started = splicedUploadWaitSent(&sc.up, 4 * (guint64)MiB, 10000);
    sentAtAbort = splicedUploadSent(&sc.up);
    ternNetStreamAbort(sc.st, NULL);
    splicedCaseJoin(&sc, 30000);

    g_assert_true(started);
    splicedAssertBothFailed(&sc);
    g_assert_error(sc.up.err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_ABORTED);
    g_test_message("server: %s; %" G_GUINT64_FORMAT " bytes sent at the abort, %" G_GUINT64_FORMAT
                   " in all, %" G_GUINT64_FORMAT " into the sink",
                   streamResult.error, sentAtAbort, sc.up.sent, streamResult.bytes);
    g_assert_nonnull(strstr(streamResult.error, "aborted"));
    /* what arrived before the abort is intact, and the sink's reader saw its end */
    g_assert_cmpuint(streamResult.bytes, <=, sc.up.sent);
    splicedAssertSinkEnded();

    assertEchoWorks(sc.c);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedClientAbortUNIX(void)
{
    splicedClientAbortCase(false);
}

static void
testStreamSplicedClientAbortTCP(void)
{
    splicedClientAbortCase(true);
}

/* the server aborts mid-stream (as the tunnel does from outside): both ends fail, the sink ends */
static void
splicedServerAbortCase(bool tcp)
{
    const guint64 abortAfter = 3 * (guint64)MiB + 11;
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .abortAfter = abortAfter};
    SplicedCase sc;

    if (!splicedCaseStart(&sc, tcp))
        return;
    splicedCaseUpload(&sc, &args, STREAM_BYTES);
    splicedCaseJoin(&sc, 30000);

    splicedAssertBothFailed(&sc);
    g_assert_error(sc.up.err, ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(sc.up.err->message, ==, "operation failed: server gave up");
    g_assert_cmpstr(streamResult.error, ==, "operation failed: server gave up");
    /* the sink's reader got what came before the abort, in order, and then its end of file */
    g_assert_cmpuint(streamResult.bytes, >=, abortAfter);
    g_assert_cmpuint(streamResult.bytes, <=, sc.up.sent);
    splicedAssertSinkEnded();

    assertEchoWorks(sc.c);
    splicedCaseUploadAndCheck(&sc, 4 * (guint64)MiB);
    splicedCaseStop(&sc);
}

static void
testStreamSplicedServerAbortUNIX(void)
{
    splicedServerAbortCase(false);
}

static void
testStreamSplicedServerAbortTCP(void)
{
    splicedServerAbortCase(true);
}

/* the connection dies mid-packet: both ends fail instead of hanging, the sink ends */
static void
testStreamSplicedConnectionLost(void)
{
    /* a reader slow enough that the connection dies long before the end */
    rpctestStreamArgs args = {.mode = RPCTEST_STREAM_UPLOAD_SINK, .readDelayUs = 1000};
    g_autoptr(GError) err = NULL;
    SplicedCase sc;
    bool started;

    /* over the UNIX socket, never skipped */
    g_assert_true(splicedCaseStart(&sc, false));
    splicedCaseUpload(&sc, &args, STREAM_BYTES);
    started = splicedUploadWaitSent(&sc.up, 4 * (guint64)MiB, 10000);
    ternNetClientClose(sc.c);
    splicedCaseJoin(&sc, 30000);

    g_assert_true(started);
    splicedAssertBothFailed(&sc);
    g_test_message("sender: %s; server: %s", sc.up.err->message, streamResult.error);
    /* what was sent, and perhaps the start of the packet cut short, in place; then the end */
    g_assert_cmpuint(streamResult.bytes, <=, sc.up.sent + TERN_NET_STREAM_CHUNK);
    splicedAssertSinkEnded();
    /* the stream is over on our side too */
    g_assert_false(ternNetStreamFinish(sc.st, &err));
    g_assert_nonnull(err);
    g_clear_pointer(&sc.st, ternNetStreamUnref);
    g_clear_pointer(&sc.c, ternNetClientUnref);
    testServerWaitClients(sc.ts, 0, 5000);
    splicedCaseStop(&sc);
}

/* ------------------------------------------------------------------------------------------ */
/* the client against a hostile server                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    ternNetClient *client;
    bool ok;
    GError *err;
    char *text;
} EchoCall;

static gpointer
echoCallThread(gpointer opaque)
{
    EchoCall *ec = opaque;
    ec->ok = callEcho(ec->client, "hi", &ec->text, &ec->err);
    return NULL;
}

typedef enum {
    HOSTILE_BAD_PAYLOAD,  /* a REPLY whose payload does not decode: that call fails */
    HOSTILE_WRONG_SERIAL, /* a REPLY nobody waits for: the connection closes */
    HOSTILE_BAD_LENGTH,   /* an impossible length word: the connection closes */
    HOSTILE_HANGUP,       /* the server goes away mid-call */
} HostileServerMode;

static void
hostileServerCase(HostileServerMode mode)
{
    g_autoptr(GError) err = NULL;
    FakeServer evil;
    g_autoptr(ternNetClient) c = fakeServerStart(&evil, "evil.sock");
    g_autoptr(ternNetMessage) call = NULL;
    EchoCall ec = {0};
    GThread *t;

    ec.client = c;
    t = g_thread_new("rpctest-echo", echoCallThread, &ec);
    call = rawRecvOK(evil.peer, 5000);
    g_assert_cmpint(call->header.type, ==, TERN_NET_CALL);

    switch (mode) {
    case HOSTILE_BAD_PAYLOAD:
        rawSendPacket(evil.peer,
                      rawPacketBytes(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_REPLY,
                                     call->header.serial, TERN_NET_OK, "\xff\xff\xff\xff", 4));
        break;
    case HOSTILE_WRONG_SERIAL:
        rawSendPacket(evil.peer, rawPacket(RPCTEST_PROG, RPCTEST_PROC_ECHO, TERN_NET_REPLY,
                                           call->header.serial + 7, TERN_NET_OK, NULL, NULL));
        break;
    case HOSTILE_BAD_LENGTH:
        g_assert_true(rawWrite(evil.peer, "\xff\xff\xff\xff\0\0\0\0", 8));
        break;
    case HOSTILE_HANGUP:
        break;
    }
    if (mode == HOSTILE_HANGUP)
        evil.peer = ternForceClose(evil.peer);
    g_thread_join(t);
    g_assert_false(ec.ok);
    g_assert_error(ec.err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
    g_clear_error(&ec.err);
    if (mode == HOSTILE_BAD_PAYLOAD) {
        /* only that call failed */
        g_assert_true(ternNetClientIsOpen(c));
    } else {
        gint64 deadline = nowMs() + 5000;
        while (ternNetClientIsOpen(c) && nowMs() < deadline)
            g_usleep(10 * 1000);
        g_assert_false(ternNetClientIsOpen(c));
        /* later calls fail at once */
        g_assert_false(callEcho(c, "again", &ec.text, &err));
        g_assert_nonnull(err);
    }
    fakeServerStop(&evil);
}

static void
testClientHostileServer(void)
{
    hostileServerCase(HOSTILE_BAD_PAYLOAD);
    hostileServerCase(HOSTILE_WRONG_SERIAL);
    hostileServerCase(HOSTILE_BAD_LENGTH);
    hostileServerCase(HOSTILE_HANGUP);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* as ternd: a sink whose reader is gone must fail the stream with EPIPE, not kill us */
    signal(SIGPIPE, SIG_IGN);
    ternLogSetLevel(g_getenv("TERN_TEST_DEBUG") ? TERN_LOG_DEBUG : TERN_LOG_ERROR);
    patternInit();
    g_mutex_init(&streamResult.lock);
    g_cond_init(&streamResult.cond);
    g_mutex_init(&sinkGate.lock);
    g_cond_init(&sinkGate.cond);

    g_test_add_func("/rpc/server/calls", testCalls);
    g_test_add_func("/rpc/server/unknown-program", testUnknownProgram);
    g_test_add_func("/rpc/server/unknown-procedure", testUnknownProcedure);
    g_test_add_func("/rpc/server/idle-cpu", testIdleCpu);
    g_test_add_func("/rpc/server/overlap", testOverlap);
    g_test_add_func("/rpc/server/concurrent-clients", testConcurrentClients);
    g_test_add_func("/rpc/server/max-client-requests", testMaxClientRequests);
    g_test_add_func("/rpc/server/max-clients", testMaxClients);
    g_test_add_func("/rpc/server/hostile/bad-length", testHostileBadLength);
    g_test_add_func("/rpc/server/hostile/huge-then-disconnect", testHostileHugeThenDisconnect);
    g_test_add_func("/rpc/server/hostile/truncated", testHostileTruncated);
    g_test_add_func("/rpc/server/hostile/garbage-payload", testHostileGarbagePayload);
    g_test_add_func("/rpc/server/hostile/disconnect-mid-call", testDisconnectMidCall);
    g_test_add_func("/rpc/server/hostile/flood", testHostileFlood);
    g_test_add_func("/rpc/server/hostile/no-reader", testHostileNoReader);
    g_test_add_func("/rpc/server/keepalive/client-pings", testKeepAliveClientPings);
    g_test_add_func("/rpc/server/keepalive/client-detects-dead-server",
                    testKeepAliveClientDetectsDeadServer);
    g_test_add_func("/rpc/server/keepalive/server-closes-dead-client",
                    testKeepAliveServerClosesDeadClient);
    g_test_add_func("/rpc/server/keepalive/busy-server", testKeepAliveBusyServer);
    g_test_add_func("/rpc/server/keepalive/busy-client", testKeepAliveBusyClient);
    g_test_add_func("/rpc/server/stream/upload", testStreamUpload);
    g_test_add_func("/rpc/server/stream/download", testStreamDownload);
    g_test_add_func("/rpc/server/stream/reply-first", testStreamReplyFirst);
    g_test_add_func("/rpc/server/stream/slow-reader", testStreamSlowReader);
    g_test_add_func("/rpc/server/stream/client-abort", testStreamClientAbort);
    g_test_add_func("/rpc/server/stream/server-abort", testStreamServerAbort);
    g_test_add_func("/rpc/server/stream/empty-packets", testStreamEmptyPackets);
    g_test_add_func("/rpc/server/stream/connection-lost", testStreamConnectionLost);
    g_test_add_func("/rpc/server/stream/spliced/upload-unix", testStreamSplicedUploadUNIX);
    g_test_add_func("/rpc/server/stream/spliced/upload-tcp", testStreamSplicedUploadTCP);
    g_test_add_func("/rpc/server/stream/spliced/calls-unix", testStreamSplicedCallsUNIX);
    g_test_add_func("/rpc/server/stream/spliced/calls-tcp", testStreamSplicedCallsTCP);
    g_test_add_func("/rpc/server/stream/spliced/backpressure-unix",
                    testStreamSplicedBackpressureUNIX);
    g_test_add_func("/rpc/server/stream/spliced/backpressure-tcp",
                    testStreamSplicedBackpressureTCP);
    g_test_add_func("/rpc/server/stream/spliced/broken-sink-unix", testStreamSplicedBrokenSinkUNIX);
    g_test_add_func("/rpc/server/stream/spliced/broken-sink-tcp", testStreamSplicedBrokenSinkTCP);
    g_test_add_func("/rpc/server/stream/spliced/client-abort-unix",
                    testStreamSplicedClientAbortUNIX);
    g_test_add_func("/rpc/server/stream/spliced/client-abort-tcp", testStreamSplicedClientAbortTCP);
    g_test_add_func("/rpc/server/stream/spliced/server-abort-unix",
                    testStreamSplicedServerAbortUNIX);
    g_test_add_func("/rpc/server/stream/spliced/server-abort-tcp", testStreamSplicedServerAbortTCP);
    g_test_add_func("/rpc/server/stream/spliced/connection-lost", testStreamSplicedConnectionLost);
    g_test_add_func("/rpc/client/hostile-server", testClientHostileServer);
    return g_test_run();
}
