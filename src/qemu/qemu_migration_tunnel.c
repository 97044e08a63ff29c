/* qemu_migration_tunnel.c: pump a QEMU migration fd into an RPC stream, and back out */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "qemu/qemu_migration_tunnel.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

struct _qemuMigrationTunnel {
    ternNetStream *st; /* one reference */
    int fd;            /* our end of the pipe: read (source) or write (destination) */
    GThread *thread;
    gint aborted;      /* atomic */
    gint failing;      /* atomic: QEMU failed; its end of file is no end of the stream */
    guint64 bytes;     /* atomic */
    GError *err;       /* the pump's failure, read after the join */
    bool joined;

    /* source: the watchdog that ends a transfer stuck on a dead peer */
    GThread *watchdog;
    GMutex lock;
    GCond cond;
    bool done;        /* the pump ended: the watchdog leaves */
    GError *stallErr; /* why the watchdog aborted, under @lock */
};

static bool
qemuMigrationTunnelPipe(int fds[2], GError **error)
{
    if (pipe2(fds, O_CLOEXEC) < 0) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno,
                           "cannot create the pipe of a tunnelled migration");
        return false;
    }
    /* larger pieces per system call; the default 64 KiB is fine if this fails */
    fcntl(fds[1], F_SETPIPE_SZ, QEMU_MIGRATION_TUNNEL_PIPE_SIZE);
    return true;
}

/* source: QEMU's pipe → STREAM packets */
static gpointer
qemuMigrationTunnelOutThread(gpointer opaque)
{
    qemuMigrationTunnel *t = opaque;
    GError *err = NULL;

    for (;;) {
        gssize n = ternNetStreamSendFromPipe(t->st, t->fd, &err);

        if (n < 0)
            break;
        if (n == 0) {
            /* QEMU is done, or it gave up: then the destination must not see an end */
            if (g_atomic_int_get(&t->failing))
                ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                             "the source QEMU stopped sending");
            else if (!g_atomic_int_get(&t->aborted))
                ternNetStreamFinish(t->st, &err);
            break;
        }
        t->bytes += (guint64)n;
    }
    g_mutex_lock(&t->lock);
    if (t->stallErr) {
        /* the watchdog's reason says more than the failed send it caused */
        g_clear_error(&err);
        err = g_error_copy(t->stallErr);
    }
    t->done = true;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    if (err)
        ternNetStreamAbort(t->st, err);
    /* QEMU's next write fails: its migration ends too */
    t->fd = ternForceClose(t->fd);
    t->err = err;
    return NULL;
}

/*
 * Source: QEMU blocks in write() on a full pipe, and while it does its
 * monitor may not answer either, so nothing that asks QEMU can notice a
 * dead link. The watchdog watches the bytes the pump sends instead: none
 * for QEMU_MIGRATION_TUNNEL_STALL_MS aborts the stream, the pump ends and
 * closes the pipe, and QEMU's write fails.
 */
static gpointer
qemuMigrationTunnelWatchdogThread(gpointer opaque)
{
    qemuMigrationTunnel *t = opaque;
    guint64 last = 0;
    gint64 lastMoved = g_get_monotonic_time();

    g_mutex_lock(&t->lock);
    while (!t->done) {
        gint64 now = g_get_monotonic_time();
        guint64 bytes = t->bytes;

        if (bytes != last) {
            last = bytes;
            lastMoved = now;
        } else if (now - lastMoved > QEMU_MIGRATION_TUNNEL_STALL_MS * 1000) {
            ternErrorSet(&t->stallErr, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "no migration data moved through the tunnel for %d s: is the "
                         "destination reachable?",
                         QEMU_MIGRATION_TUNNEL_STALL_MS / 1000);
            g_mutex_unlock(&t->lock);
            ternNetStreamAbort(t->st, t->stallErr);
            g_mutex_lock(&t->lock);
            break;
        }
        g_cond_wait_until(&t->cond, &t->lock, now + 250 * 1000);
    }
    g_mutex_unlock(&t->lock);
    return NULL;
}

/*
 * destination: the connection splices the STREAM packets into QEMU's pipe
 * (the stream's sink); this thread waits for the end and answers it
 */
static gpointer
qemuMigrationTunnelInThread(gpointer opaque)
{
    qemuMigrationTunnel *t = opaque;
    GError *err = NULL;
    ternNetMessage *msg;

    if ((msg = ternNetStreamRecvPacket(t->st, &err))) {
        /* the sink was set before the stream's call was answered: nothing can queue */
        ternNetMessageFree(msg);
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "migration data bypassed the tunnel's pipe");
    }
    if (!err)
        ternNetStreamFinish(t->st, &err); /* the source learns we have it all */
    else
        ternNetStreamAbort(t->st, err);
    g_mutex_lock(&t->lock);
    t->done = true;
    g_mutex_unlock(&t->lock);
    /* end of file for QEMU: a complete stream loads, a cut one fails */
    ternNetStreamSinkClose(t->st);
    t->err = err;
    return NULL;
}

static qemuMigrationTunnel *
qemuMigrationTunnelStart(ternNetStream *st, const char *name, bool out, int *retQemuFD,
                         GError **error)
{
    qemuMigrationTunnel *t;
    int fds[2];

    if (!qemuMigrationTunnelPipe(fds, error))
        return NULL;
    t = g_new0(qemuMigrationTunnel, 1);
    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
    t->st = ternNetStreamRef(st);
    *retQemuFD = out ? fds[1] : fds[0];
    if (out) {
        t->fd = fds[0];
    } else {
        t->fd = -1;
        ternNetStreamSetSink(st, fds[1], "cannot feed the migration stream to QEMU");
    }
    t->thread = g_thread_new(name, out ? qemuMigrationTunnelOutThread
                                       : qemuMigrationTunnelInThread, t);
    if (out)
        t->watchdog = g_thread_new("mig-tunnel-watch", qemuMigrationTunnelWatchdogThread, t);
    return t;
}

qemuMigrationTunnel *
qemuMigrationTunnelOutStart(ternNetStream *st, const char *name, int *retQemuFD, GError **error)
{
    return qemuMigrationTunnelStart(st, name, true, retQemuFD, error);
}

qemuMigrationTunnel *
qemuMigrationTunnelInStart(ternNetStream *st, const char *name, int *retQemuFD, GError **error)
{
    return qemuMigrationTunnelStart(st, name, false, retQemuFD, error);
}

static void
qemuMigrationTunnelJoin(qemuMigrationTunnel *t)
{
    if (t->joined)
        return;
    g_thread_join(t->thread);
    t->thread = NULL;
    if (t->watchdog) {
        g_thread_join(t->watchdog); /* the pump set done on its way out */
        t->watchdog = NULL;
    }
    t->joined = true;
}

bool
qemuMigrationTunnelFailed(qemuMigrationTunnel *t, GError **error)
{
    g_atomic_int_set(&t->failing, 1);
    qemuMigrationTunnelJoin(t);
    if (!t->err || g_error_matches(t->err, ternErrorQuark(TERN_FROM_QEMU),
                                   TERN_ERR_OPERATION_ABORTED))
        return false;
    g_propagate_error(error, g_error_copy(t->err));
    return true;
}

bool
qemuMigrationTunnelWait(qemuMigrationTunnel *t, GError **error)
{
    qemuMigrationTunnelJoin(t);
    if (t->err) {
        g_propagate_error(error, g_error_copy(t->err));
        return false;
    }
    if (g_atomic_int_get(&t->aborted)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                     "the migration tunnel was aborted");
        return false;
    }
    return true;
}

void
qemuMigrationTunnelAbort(qemuMigrationTunnel *t)
{
    if (!t || !g_atomic_int_compare_and_exchange(&t->aborted, 0, 1))
        return;
    ternNetStreamAbort(t->st, NULL);
}

unsigned long long
qemuMigrationTunnelBytes(qemuMigrationTunnel *t)
{
    return t->bytes;
}

void
qemuMigrationTunnelFree(qemuMigrationTunnel *t)
{
    if (!t)
        return;
    if (!t->joined) {
        qemuMigrationTunnelAbort(t);
        qemuMigrationTunnelJoin(t);
    }
    g_clear_error(&t->err);
    g_clear_error(&t->stallErr);
    ternForceClose(t->fd);
    ternNetStreamUnref(t->st);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
    g_free(t);
}
