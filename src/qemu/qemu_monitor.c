/* qemu_monitor.c: the QMP monitor: transport, framing, locking, timeouts and the typed commands */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_json.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/* Bytes asked of read() at once, and reads per dispatch before other sources get a turn. */
#define QEMU_MONITOR_READ_CHUNK (64 * 1024)
#define QEMU_MONITOR_READS_PER_DISPATCH 16
/* Commands in flight at once (G11: every resource has a limit). */
#define QEMU_MONITOR_MAX_PENDING 256
/* Ids of timed-out commands whose late reply is dropped quietly rather than fatal. */
#define QEMU_MONITOR_MAX_ABANDONED 64
/* How much of a line a debug log shows. */
#define QEMU_MONITOR_LOG_LINE 512
/* Back-off between connect attempts while QEMU starts. */
#define QEMU_MONITOR_CONNECT_RETRY_US (20 * 1000)
#define QEMU_MONITOR_CONNECT_RETRY_MAX_US (200 * 1000)

/* A caller waiting in qemuMonitorCommandFull (lives on its stack). */
typedef struct {
    const char *id;
    bool done;
    json_object *reply; /* the whole reply object */
    GError *error;      /* or why there is none */
} qemuMonitorWaiter;

/* One queued command line, owned by the tx queue. */
typedef struct {
    char *id;
    GString *data; /* the JSON text and its '\n' */
    size_t offset; /* bytes already written */
    int fd;        /* duplicate to pass with the first byte (SCM_RIGHTS), or -1 */
} qemuMonitorTxItem;

typedef struct {
    GSource base;
    qemuMonitor *mon; /* one reference, dropped in finalize */
} qemuMonitorSource;

struct _qemuMonitor {
    GMutex lock; /* everything below */
    GCond cond;  /* a reply, the greeting, a close, or a callback returned */
    int refs;    /* callers' references, plus one while the GSource lives */
    bool sourceRef;

    int fd;
    GMainContext *ctx;
    GSource *source; /* NULL once I/O stopped */
    gpointer fdTag;
    GIOCondition ioEvents; /* what fdTag currently polls for */
    const qemuMonitorCallbacks *cb;
    void *opaque;

    bool opened;        /* qemuMonitorOpenFD succeeded: EOF and errors are notified */
    bool closed;        /* no more I/O; closeError says why */
    bool userClosed;    /* qemuMonitorClose was called: no more callbacks */
    bool eof;           /* closed because QEMU went away */
    GError *closeError; /* copied into every command that fails because of it */
    unsigned int inCallback;

    bool greeted;
    qemuMonitorVersion version;

    GByteArray *rx;      /* bytes read, not yet a complete line (loop thread only) */
    size_t rxScanned;    /* bytes of rx known to hold no '\n' */
    GQueue tx;           /* qemuMonitorTxItem * */
    GHashTable *waiters; /* id -> qemuMonitorWaiter * (borrowed) */
    GQueue abandoned;    /* char * ids of timed-out commands */
    guint64 nextId;
};

static void qemuMonitorFree(qemuMonitor *mon);

/* ---- small helpers --------------------------------------------------------------------- */

static void
qemuMonitorTxItemFree(gpointer p)
{
    qemuMonitorTxItem *item = p;

    if (!item)
        return;
    g_free(item->id);
    g_string_free(item->data, TRUE);
    ternForceClose(item->fd);
    g_free(item);
}

static int
qemuMonitorTimeout(int timeoutMs)
{
    return timeoutMs > 0 ? timeoutMs : QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
}

/* A short, printable excerpt of a line for logs. */
static char *
qemuMonitorExcerpt(const char *line, size_t len)
{
    g_autofree char *copy = g_strndup(line, MIN(len, QEMU_MONITOR_LOG_LINE));
    char *escaped = g_strescape(copy, NULL);

    if (len <= QEMU_MONITOR_LOG_LINE)
        return escaped;
    g_autofree char *tmp = escaped;
    return g_strdup_printf("%s... (%zu bytes)", tmp, len);
}

/* Fail every waiting command with @err and drop what is queued; lock held. */
static void
qemuMonitorFailAllLocked(qemuMonitor *mon, const GError *err)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, mon->waiters);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        qemuMonitorWaiter *w = value;
        w->error = g_error_copy(err);
        w->done = true;
        g_hash_table_iter_remove(&iter);
    }
    g_queue_clear_full(&mon->tx, qemuMonitorTxItemFree);
    g_cond_broadcast(&mon->cond);
}

/*
 * Stop all I/O with @err as the reason; lock held. Returns the GSource the
 * caller must destroy and unref once the lock is released (or NULL).
 */
static GSource *
qemuMonitorStopLocked(qemuMonitor *mon, GError *err)
{
    mon->closed = true;
    g_clear_error(&mon->closeError);
    mon->closeError = err;
    qemuMonitorFailAllLocked(mon, err);
    if (mon->fd >= 0)
        shutdown(mon->fd, SHUT_RDWR);
    return g_steal_pointer(&mon->source);
}

static void
qemuMonitorDropSource(GSource *src)
{
    if (!src)
        return;
    g_source_destroy(src);
    g_source_unref(src);
}

/* Callbacks run without the lock; Close waits for a running one (G11). */
static bool
qemuMonitorCallbackEnter(qemuMonitor *mon)
{
    bool ok;

    g_mutex_lock(&mon->lock);
    ok = !mon->userClosed && mon->cb;
    if (ok)
        mon->inCallback++;
    g_mutex_unlock(&mon->lock);
    return ok;
}

static void
qemuMonitorCallbackExit(qemuMonitor *mon)
{
    g_mutex_lock(&mon->lock);
    mon->inCallback--;
    g_cond_broadcast(&mon->cond);
    g_mutex_unlock(&mon->lock);
}

/* ---- closing: EOF, broken, user ------------------------------------------------------ */

/* QEMU went away: every waiter fails with OPERATION_FAILED, eofNotify fires once. */
static void
qemuMonitorHandleEOF(qemuMonitor *mon, const char *why)
{
    GError *err = NULL;
    GSource *src;
    bool notify;

    ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED, "QEMU monitor closed: %s", why);
    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_mutex_unlock(&mon->lock);
        g_error_free(err);
        return;
    }
    mon->eof = true;
    /* while opening, the failure goes to the opener's error instead */
    notify = mon->opened;
    src = qemuMonitorStopLocked(mon, err);
    g_mutex_unlock(&mon->lock);
    qemuMonitorDropSource(src);

    TERN_DEBUG("monitor %p: %s", (void *)mon, why);
    if (notify && qemuMonitorCallbackEnter(mon)) {
        if (mon->cb->eofNotify)
            mon->cb->eofNotify(mon, mon->opaque);
        qemuMonitorCallbackExit(mon);
    }
}

/* QEMU broke the protocol (@err, consumed): waiters fail with it, errorNotify fires once. */
static void
qemuMonitorSetBroken(qemuMonitor *mon, GError *err)
{
    GSource *src;
    bool notify;

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_mutex_unlock(&mon->lock);
        g_error_free(err);
        return;
    }
    notify = mon->opened;
    src = qemuMonitorStopLocked(mon, err);
    g_mutex_unlock(&mon->lock);
    qemuMonitorDropSource(src);

    if (notify && qemuMonitorCallbackEnter(mon)) {
        if (mon->cb->errorNotify)
            mon->cb->errorNotify(mon, err, mon->opaque);
        qemuMonitorCallbackExit(mon);
    }
}

void
qemuMonitorClose(qemuMonitor *mon)
{
    GSource *src = NULL;

    if (!mon)
        return;
    g_mutex_lock(&mon->lock);
    mon->userClosed = true;
    if (!mon->closed) {
        GError *err = NULL;
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED, "%s",
                     "QEMU monitor closed: the monitor was closed by tern");
        src = qemuMonitorStopLocked(mon, err);
    }
    /* the loop thread itself may be the caller (from a callback): it cannot wait for itself */
    while (mon->inCallback > 0 && !g_main_context_is_owner(mon->ctx))
        g_cond_wait(&mon->cond, &mon->lock);
    g_mutex_unlock(&mon->lock);
    /* last: finalizing the source may drop the last reference */
    qemuMonitorDropSource(src);
}

bool
qemuMonitorIsOpen(qemuMonitor *mon)
{
    bool open;

    g_mutex_lock(&mon->lock);
    open = !mon->closed;
    g_mutex_unlock(&mon->lock);
    return open;
}

void
qemuMonitorGetVersion(qemuMonitor *mon, qemuMonitorVersion *ret)
{
    g_mutex_lock(&mon->lock);
    *ret = mon->version;
    g_mutex_unlock(&mon->lock);
}

/* ---- references ------------------------------------------------------------------------ */

qemuMonitor *
qemuMonitorRef(qemuMonitor *mon)
{
    g_mutex_lock(&mon->lock);
    mon->refs++;
    g_mutex_unlock(&mon->lock);
    return mon;
}

qemuMonitor *
qemuMonitorUnref(qemuMonitor *mon)
{
    bool last, onlySource;

    if (!mon)
        return NULL;
    g_mutex_lock(&mon->lock);
    mon->refs--;
    last = mon->refs == 0;
    onlySource = mon->refs == 1 && mon->sourceRef;
    g_mutex_unlock(&mon->lock);

    if (onlySource)
        qemuMonitorClose(mon); /* the source lets go in its finalize, which frees */
    else if (last)
        qemuMonitorFree(mon);
    return NULL;
}

static void
qemuMonitorFree(qemuMonitor *mon)
{
    g_assert(!mon->source && g_hash_table_size(mon->waiters) == 0);
    ternForceClose(mon->fd);
    g_queue_clear_full(&mon->tx, qemuMonitorTxItemFree);
    g_queue_clear_full(&mon->abandoned, g_free);
    g_hash_table_unref(mon->waiters);
    g_byte_array_unref(mon->rx);
    g_clear_error(&mon->closeError);
    if (mon->ctx)
        g_main_context_unref(mon->ctx);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    g_free(mon);
}

/* ---- incoming lines ------------------------------------------------------------------- */

/* What a typed event handler returns: whether a typed callback took the event. */
typedef bool (*qemuMonitorEventHandler)(qemuMonitor *mon, const char *name, json_object *data,
                                        long long seconds, unsigned int micros, GError **error);

static bool
qemuMonitorEventStop(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                     unsigned int micros, GError **error)
{
    if (!mon->cb->domainStop)
        return false;
    mon->cb->domainStop(mon, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventResume(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                       unsigned int micros, GError **error)
{
    if (!mon->cb->domainResume)
        return false;
    mon->cb->domainResume(mon, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventPowerdown(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                          unsigned int micros, GError **error)
{
    if (!mon->cb->domainPowerdown)
        return false;
    mon->cb->domainPowerdown(mon, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventShutdown(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                         unsigned int micros, GError **error)
{
    bool guest;
    qemuMonitorShutdownCause reason;

    if (!mon->cb->domainShutdown)
        return false;
    if (!qemuMonitorJSONParseEventShutdown(name, data, &guest, &reason, error))
        return false;
    mon->cb->domainShutdown(mon, guest, reason, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventReset(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                      unsigned int micros, GError **error)
{
    bool guest;
    qemuMonitorShutdownCause reason;

    if (!mon->cb->domainReset)
        return false;
    if (!qemuMonitorJSONParseEventShutdown(name, data, &guest, &reason, error))
        return false;
    mon->cb->domainReset(mon, guest, reason, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventMigration(qemuMonitor *mon, const char *name, json_object *data, long long seconds,
                          unsigned int micros, GError **error)
{
    qemuMonitorMigrationStatus status;

    if (!mon->cb->migrationStatus)
        return false;
    if (!qemuMonitorJSONParseEventMigration(data, &status, error))
        return false;
    mon->cb->migrationStatus(mon, status, seconds, micros, mon->opaque);
    return true;
}

static bool
qemuMonitorEventMigrationPass(qemuMonitor *mon, const char *name, json_object *data,
                              long long seconds, unsigned int micros, GError **error)
{
    unsigned int pass;

    if (!mon->cb->migrationPass)
        return false;
    if (!qemuMonitorJSONParseEventMigrationPass(data, &pass, error))
        return false;
    mon->cb->migrationPass(mon, pass, seconds, micros, mon->opaque);
    return true;
}

/* The events with a typed callback (G2); everything else goes to domainEvent. */
static const struct {
    const char *name;
    qemuMonitorEventHandler handler;
} qemuMonitorEventHandlers[] = {
    /* clang-format off */
    {"MIGRATION", qemuMonitorEventMigration},
    {"MIGRATION_PASS", qemuMonitorEventMigrationPass},
    {"POWERDOWN", qemuMonitorEventPowerdown},
    {"RESET", qemuMonitorEventReset},
    {"RESUME", qemuMonitorEventResume},
    {"SHUTDOWN", qemuMonitorEventShutdown},
    {"STOP", qemuMonitorEventStop},
    /* clang-format on */
};

static void
qemuMonitorDispatchEvent(qemuMonitor *mon, json_object *msg)
{
    g_autoptr(GError) err = NULL;
    const char *name;
    json_object *data;
    long long seconds;
    unsigned int micros;
    bool handled = false;

    if (!qemuMonitorJSONParseEvent(msg, &name, &data, &seconds, &micros, &err)) {
        TERN_WARN("monitor %p: dropping malformed event: %s", (void *)mon, err->message);
        return;
    }
    TERN_DEBUG("monitor %p: event %s", (void *)mon, name);
    if (!qemuMonitorCallbackEnter(mon))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(qemuMonitorEventHandlers); i++) {
        if (strcmp(qemuMonitorEventHandlers[i].name, name) == 0) {
            handled = qemuMonitorEventHandlers[i].handler(mon, name, data, seconds, micros, &err);
            break;
        }
    }
    /* an event whose data a typed handler refused still reaches the generic callback */
    if (err)
        TERN_WARN("monitor %p: %s", (void *)mon, err->message);
    if (!handled && mon->cb->domainEvent) {
        const char *text = data ? json_object_to_json_string_ext(
                                      data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                                : "{}";
        mon->cb->domainEvent(mon, name, text, seconds, micros, mon->opaque);
    }
    qemuMonitorCallbackExit(mon);
}

/* Remember @id (stolen) as timed out, forgetting the oldest beyond the limit; lock held. */
static void
qemuMonitorAbandonLocked(qemuMonitor *mon, char *id)
{
    g_queue_push_tail(&mon->abandoned, id);
    while (g_queue_get_length(&mon->abandoned) > QEMU_MONITOR_MAX_ABANDONED)
        g_free(g_queue_pop_head(&mon->abandoned));
}

/* Whether @id was abandoned (and forget it); lock held. */
static bool
qemuMonitorTakeAbandonedLocked(qemuMonitor *mon, const char *id)
{
    GList *link = g_queue_find_custom(&mon->abandoned, id, (GCompareFunc)strcmp);

    if (!link)
        return false;
    g_free(link->data);
    g_queue_delete_link(&mon->abandoned, link);
    return true;
}

static void
qemuMonitorDispatchReply(qemuMonitor *mon, json_object *msg, const char *id)
{
    qemuMonitorWaiter *w;
    GError *err = NULL;

    if (!id) {
        /* QEMU answers without an id only when it could not parse our command */
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "QEMU monitor sent a reply without an id");
        qemuMonitorSetBroken(mon, err);
        return;
    }
    g_mutex_lock(&mon->lock);
    if ((w = g_hash_table_lookup(mon->waiters, id))) {
        w->reply = json_object_get(msg);
        w->done = true;
        g_hash_table_remove(mon->waiters, id);
        g_cond_broadcast(&mon->cond);
        g_mutex_unlock(&mon->lock);
        return;
    }
    if (qemuMonitorTakeAbandonedLocked(mon, id)) {
        g_mutex_unlock(&mon->lock);
        TERN_INFO("monitor %p: dropping late reply to timed-out command '%s'", (void *)mon, id);
        return;
    }
    g_mutex_unlock(&mon->lock);
    ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                 "QEMU monitor sent a reply to unknown command id '%s'", id);
    qemuMonitorSetBroken(mon, err);
}

static void
qemuMonitorDispatchGreeting(qemuMonitor *mon, json_object *msg)
{
    qemuMonitorVersion version;
    GError *err = NULL;

    g_mutex_lock(&mon->lock);
    if (mon->greeted) {
        g_mutex_unlock(&mon->lock);
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "QEMU monitor sent a second greeting");
        qemuMonitorSetBroken(mon, err);
        return;
    }
    g_mutex_unlock(&mon->lock);
    if (!qemuMonitorJSONParseGreeting(msg, &version, &err)) {
        qemuMonitorSetBroken(mon, err);
        return;
    }
    g_mutex_lock(&mon->lock);
    mon->version = version;
    mon->greeted = true;
    g_cond_broadcast(&mon->cond);
    g_mutex_unlock(&mon->lock);
}

/* One complete line from QEMU (no '\n'); on the loop thread, lock not held. */
static void
qemuMonitorHandleLine(qemuMonitor *mon, const char *line, size_t len)
{
    g_autoptr(json_object) msg = NULL;
    qemuMonitorJSONMessageKind kind;
    const char *id;
    GError *err = NULL;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return;
    if (ternLogGetLevel() <= TERN_LOG_DEBUG) {
        g_autofree char *excerpt = qemuMonitorExcerpt(line, len);
        TERN_DEBUG("monitor %p: recv %s", (void *)mon, excerpt);
    }
    if (!(msg = qemuMonitorJSONDecodeLine(line, len, &err)) ||
        !qemuMonitorJSONClassify(msg, &kind, &id, &err)) {
        g_autofree char *excerpt = qemuMonitorExcerpt(line, len);
        TERN_WARN("monitor %p: %s; line: %s", (void *)mon, err->message, excerpt);
        qemuMonitorSetBroken(mon, err);
        return;
    }
    switch (kind) {
    case QEMU_MONITOR_JSON_MESSAGE_GREETING:
        qemuMonitorDispatchGreeting(mon, msg);
        break;
    case QEMU_MONITOR_JSON_MESSAGE_EVENT:
        qemuMonitorDispatchEvent(mon, msg);
        break;
    case QEMU_MONITOR_JSON_MESSAGE_REPLY:
        qemuMonitorDispatchReply(mon, msg, id);
        break;
    case QEMU_MONITOR_JSON_MESSAGE_LAST:
        break;
    }
}

/* ---- socket I/O (loop thread) --------------------------------------------------------- */

/* Write what can be written; lock held. Returns false with *errnum on a write error. */
static bool
qemuMonitorWriteLocked(qemuMonitor *mon, int *errnum)
{
    qemuMonitorTxItem *item;

    while ((item = g_queue_peek_head(&mon->tx))) {
        const char *buf = item->data->str + item->offset;
        size_t len = item->data->len - item->offset;
        ssize_t n;

        if (item->fd >= 0) {
            /* the descriptor rides on the first bytes of its command, as QEMU expects */
            struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
            union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
            } control;
            struct msghdr msg = {0};
            struct cmsghdr *cmsg;

            memset(&control, 0, sizeof(control));
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.buf;
            msg.msg_controllen = sizeof(control.buf);
            cmsg = CMSG_FIRSTHDR(&msg);
            cmsg->cmsg_level = SOL_SOCKET;
            cmsg->cmsg_type = SCM_RIGHTS;
            cmsg->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(cmsg), &item->fd, sizeof(int));
            n = sendmsg(mon->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        } else {
            n = send(mon->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            *errnum = errno;
            return false;
        }
        if (item->fd >= 0)
            item->fd = ternForceClose(item->fd);
        item->offset += (size_t)n;
        if (item->offset == item->data->len)
            qemuMonitorTxItemFree(g_queue_pop_head(&mon->tx));
    }
    return true;
}

/*
 * Read what is available and move complete lines into @lines (as GBytes);
 * loop thread only. Sets *eof at end of file; returns false with *err for an
 * oversized line or a read error (*errnum set for the latter).
 */
static bool
qemuMonitorRead(qemuMonitor *mon, GPtrArray *lines, bool *eof, int *errnum, GError **err)
{
    for (int round = 0; round < QEMU_MONITOR_READS_PER_DISPATCH; round++) {
        size_t old = mon->rx->len;
        size_t start = 0;
        ssize_t n;

        g_byte_array_set_size(mon->rx, old + QEMU_MONITOR_READ_CHUNK);
        n = recv(mon->fd, mon->rx->data + old, QEMU_MONITOR_READ_CHUNK, MSG_DONTWAIT);
        g_byte_array_set_size(mon->rx, old + (n > 0 ? (size_t)n : 0));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            *errnum = errno;
            return false;
        }
        if (n == 0) {
            *eof = true;
            return true;
        }
        for (size_t i = mon->rxScanned; i < mon->rx->len; i++) {
            if (mon->rx->data[i] != '\n')
                continue;
            g_ptr_array_add(lines, g_bytes_new(mon->rx->data + start, i - start));
            start = i + 1;
        }
        if (start > 0)
            g_byte_array_remove_range(mon->rx, 0, (guint)start);
        mon->rxScanned = mon->rx->len;
        /* the named bound check of the framing (G12): no line beyond the limit */
        if (mon->rx->len > QEMU_MONITOR_MAX_LINE) {
            ternErrorSet(err, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "QEMU monitor sent a line longer than %d bytes", QEMU_MONITOR_MAX_LINE);
            return false;
        }
    }
    return true;
}

static void
qemuMonitorIO(qemuMonitor *mon, GIOCondition cond)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GError *err = NULL;
    bool eof = false;
    int errnum = 0;
    bool ok = true;

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_mutex_unlock(&mon->lock);
        return;
    }
    if (cond & G_IO_OUT)
        ok = qemuMonitorWriteLocked(mon, &errnum);
    g_mutex_unlock(&mon->lock);

    /* rx is touched by this thread only */
    if (ok && (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        ok = qemuMonitorRead(mon, lines, &eof, &errnum, &err);

    /* what arrived before an EOF or error is still delivered, in order */
    for (guint i = 0; i < lines->len; i++) {
        gsize len;
        const char *line = g_bytes_get_data(lines->pdata[i], &len);

        if (!qemuMonitorIsOpen(mon))
            break;
        qemuMonitorHandleLine(mon, line ? line : "", len);
    }

    if (err) {
        TERN_WARN("monitor %p: %s", (void *)mon, err->message);
        qemuMonitorSetBroken(mon, err);
    } else if (!ok) {
        g_autofree char *why = g_strdup_printf("I/O error: %s", g_strerror(errnum));
        if (errnum == ECONNRESET || errnum == EPIPE)
            qemuMonitorHandleEOF(mon, why);
        else {
            ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED, "QEMU monitor closed: %s",
                         why);
            qemuMonitorSetBroken(mon, err);
        }
    } else if (eof) {
        qemuMonitorHandleEOF(mon, mon->rx->len > 0
                                      ? "end of file from QEMU in the middle of a reply"
                                      : "end of file from QEMU");
    }
}

static gboolean
qemuMonitorSourcePrepare(GSource *source, gint *timeout)
{
    qemuMonitor *mon = ((qemuMonitorSource *)source)->mon;
    GIOCondition want = G_IO_IN | G_IO_HUP | G_IO_ERR;

    *timeout = -1;
    g_mutex_lock(&mon->lock);
    if (!g_queue_is_empty(&mon->tx))
        want |= G_IO_OUT;
    /* modify_unix_fd wakes the context: only when something changed, or the loop spins */
    if (want != mon->ioEvents && !mon->closed) {
        mon->ioEvents = want;
        g_source_modify_unix_fd(source, mon->fdTag, want);
    }
    g_mutex_unlock(&mon->lock);
    return FALSE;
}

static gboolean
qemuMonitorSourceDispatch(GSource *source, GSourceFunc callback, gpointer userData)
{
    qemuMonitorSource *src = (qemuMonitorSource *)source;
    GIOCondition revents = g_source_query_unix_fd(source, src->mon->fdTag);

    if (revents)
        qemuMonitorIO(src->mon, revents);
    return G_SOURCE_CONTINUE;
}

static void
qemuMonitorSourceFinalize(GSource *source)
{
    qemuMonitor *mon = ((qemuMonitorSource *)source)->mon;

    g_mutex_lock(&mon->lock);
    mon->sourceRef = false;
    g_mutex_unlock(&mon->lock);
    qemuMonitorUnref(mon);
}

static GSourceFuncs qemuMonitorSourceFuncs = {
    .prepare = qemuMonitorSourcePrepare,
    .dispatch = qemuMonitorSourceDispatch,
    .finalize = qemuMonitorSourceFinalize,
};

/* ---- commands ------------------------------------------------------------------------- */

static json_object *
qemuMonitorCommandRun(qemuMonitor *mon, const char *cmd, json_object *args, int fd, int timeoutMs,
                      int *retErrorClass, GError **error)
{
    g_autoptr(json_object) argsOwned = args;
    g_autoptr(json_object) wire = NULL;
    g_autofree char *id = NULL;
    qemuMonitorTxItem *item = NULL;
    qemuMonitorWaiter waiter = {0};
    int timeout = qemuMonitorTimeout(timeoutMs);
    gint64 deadline;
    const char *text;

    if (g_main_context_is_owner(mon->ctx)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "QEMU command '%s' issued from the monitor's event loop thread", cmd);
        return NULL;
    }

    g_mutex_lock(&mon->lock);
    id = g_strdup_printf("tern-%" G_GUINT64_FORMAT, ++mon->nextId);
    g_mutex_unlock(&mon->lock);

    if (!(wire = qemuMonitorJSONMakeCommand(cmd, g_steal_pointer(&argsOwned), id, error)))
        return NULL;
    text = json_object_to_json_string_ext(wire,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

    item = g_new0(qemuMonitorTxItem, 1);
    item->id = g_strdup(id);
    item->data = g_string_new(text);
    g_string_append_c(item->data, '\n');
    item->fd = -1;
    if (fd >= 0 && (item->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno,
                           "cannot duplicate fd %d to pass it to QEMU with '%s'", fd, cmd);
        qemuMonitorTxItemFree(item);
        return NULL;
    }
    waiter.id = id;
    TERN_DEBUG("monitor %p: send %s%s", (void *)mon, text, fd >= 0 ? " (with an fd)" : "");

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_propagate_error(error, g_error_copy(mon->closeError));
        g_mutex_unlock(&mon->lock);
        qemuMonitorTxItemFree(item);
        return NULL;
    }
    if (g_hash_table_size(mon->waiters) >= QEMU_MONITOR_MAX_PENDING) {
        g_mutex_unlock(&mon->lock);
        qemuMonitorTxItemFree(item);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_RESOURCE_BUSY,
                     "too many QEMU monitor commands in flight (%d); '%s' refused",
                     QEMU_MONITOR_MAX_PENDING, cmd);
        return NULL;
    }
    g_hash_table_insert(mon->waiters, id, &waiter);
    g_queue_push_tail(&mon->tx, item);
    g_main_context_wakeup(mon->ctx);

    deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_MILLISECOND;
    while (!waiter.done) {
        if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline))
            break;
    }
    if (!waiter.done) {
        GList *link = g_queue_find(&mon->tx, item);

        g_hash_table_remove(mon->waiters, id);
        if (link && item->offset == 0) {
            /* never sent: QEMU will not answer it */
            g_queue_delete_link(&mon->tx, link);
            qemuMonitorTxItemFree(item);
        } else {
            qemuMonitorAbandonLocked(mon, g_strdup(id));
        }
        g_mutex_unlock(&mon->lock);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_TIMEOUT,
                     "QEMU did not answer '%s' within %d ms", cmd, timeout);
        return NULL;
    }
    g_mutex_unlock(&mon->lock);

    if (waiter.error) {
        g_propagate_error(error, waiter.error);
        return NULL;
    }
    {
        g_autoptr(json_object) reply = waiter.reply;
        return qemuMonitorJSONReplyGetReturn(cmd, reply, retErrorClass, error);
    }
}

json_object *
qemuMonitorCommandFull(qemuMonitor *mon, const char *cmd, json_object *args, int fd, int timeoutMs,
                       int *retErrorClass, GError **error)
{
    json_object *ret;

    /* a callback may drop the caller's reference while it waits: hold one of our own */
    qemuMonitorRef(mon);
    ret = qemuMonitorCommandRun(mon, cmd, args, fd, timeoutMs, retErrorClass, error);
    qemuMonitorUnref(mon);
    return ret;
}

json_object *
qemuMonitorCommand(qemuMonitor *mon, const char *cmd, json_object *args, int timeoutMs,
                   GError **error)
{
    return qemuMonitorCommandFull(mon, cmd, args, -1, timeoutMs, NULL, error);
}

/* ---- opening -------------------------------------------------------------------------- */

qemuMonitor *
qemuMonitorOpenFD(int fd, int timeoutMs, const qemuMonitorCallbacks *cb, void *opaque,
                  GMainContext *ctx, GError **error)
{
    TERN_AUTOCLOSE owned = fd;
    g_autoptr(qemuMonitor) mon = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autofree char *name = NULL;
    qemuMonitorSource *src;
    int timeout = qemuMonitorTimeout(timeoutMs);
    gint64 deadline;
    int flags;

    if (owned < 0 || !ctx) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "a QEMU monitor needs a socket and a main context (fd %d)", owned);
        return NULL;
    }
    if (g_main_context_is_owner(ctx)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "a QEMU monitor cannot be opened from its own event loop thread");
        return NULL;
    }
    if ((flags = fcntl(owned, F_GETFL)) < 0 || fcntl(owned, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(owned, F_SETFD, FD_CLOEXEC) < 0) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno,
                           "cannot make QEMU monitor socket %d non-blocking", owned);
        return NULL;
    }

    mon = g_new0(qemuMonitor, 1);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->refs = 1;
    mon->fd = g_steal_fd(&owned);
    mon->ctx = g_main_context_ref(ctx);
    mon->cb = cb;
    mon->opaque = opaque;
    mon->rx = g_byte_array_new();
    g_queue_init(&mon->tx);
    g_queue_init(&mon->abandoned);
    mon->waiters = g_hash_table_new(g_str_hash, g_str_equal);

    mon->source = g_source_new(&qemuMonitorSourceFuncs, sizeof(qemuMonitorSource));
    src = (qemuMonitorSource *)mon->source;
    src->mon = qemuMonitorRef(mon);
    mon->sourceRef = true;
    mon->ioEvents = G_IO_IN | G_IO_HUP | G_IO_ERR;
    mon->fdTag = g_source_add_unix_fd(mon->source, mon->fd, mon->ioEvents);
    name = g_strdup_printf("qemu-monitor-%d", mon->fd);
    g_source_set_name(mon->source, name);
    g_source_attach(mon->source, ctx);

    /* QEMU greets first; nothing may be sent before */
    deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&mon->lock);
    while (!mon->greeted && !mon->closed) {
        if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline))
            break;
    }
    if (!mon->greeted) {
        if (mon->closed)
            g_propagate_error(error, g_error_copy(mon->closeError));
        else
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_TIMEOUT,
                         "QEMU monitor sent no greeting within %d ms", timeout);
        g_mutex_unlock(&mon->lock);
        return NULL; /* the autoptr's unref closes it */
    }
    g_mutex_unlock(&mon->lock);

    if (!(ret = qemuMonitorCommand(mon, "qmp_capabilities", NULL, timeout, error)) ||
        !qemuMonitorJSONParseEmptyReply("qmp_capabilities", ret, error))
        return NULL;
    /* from here on EOF and errors are the callbacks' business; one that came first is ours */
    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_propagate_error(error, g_error_copy(mon->closeError));
        g_mutex_unlock(&mon->lock);
        return NULL;
    }
    mon->opened = true;
    g_mutex_unlock(&mon->lock);
    TERN_DEBUG("monitor %p: QEMU %u.%u.%u (%s)", (void *)mon, mon->version.major,
               mon->version.minor, mon->version.micro, mon->version.package);
    return g_steal_pointer(&mon);
}

qemuMonitor *
qemuMonitorOpenFull(const char *socketPath, int timeoutMs, const qemuMonitorCallbacks *cb,
                    void *opaque, GMainContext *ctx, GError **error)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int timeout = timeoutMs > 0 ? timeoutMs : QEMU_MONITOR_CONNECT_TIMEOUT_MS;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_MILLISECOND;
    gulong backoff = QEMU_MONITOR_CONNECT_RETRY_US;

    if (!socketPath || !*socketPath || strlen(socketPath) >= sizeof(addr.sun_path)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "QEMU monitor socket path '%s' is empty or longer than %zu bytes",
                     socketPath ? socketPath : "", sizeof(addr.sun_path) - 1);
        return NULL;
    }
    g_strlcpy(addr.sun_path, socketPath, sizeof(addr.sun_path));

    for (;;) {
        TERN_AUTOCLOSE fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int err;

        if (fd < 0) {
            ternErrorSetSystem(error, TERN_FROM_QEMU, errno, "%s",
                               "cannot create a socket for the QEMU monitor");
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return qemuMonitorOpenFD(g_steal_fd(&fd), timeoutMs, cb, opaque, ctx, error);
        err = errno;
        /* QEMU has not created (ENOENT) or not started listening on (ECONNREFUSED) it yet */
        if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR) ||
            g_get_monotonic_time() >= deadline) {
            ternErrorSetSystem(error, TERN_FROM_QEMU, err,
                               "cannot connect to QEMU monitor socket '%s' (waited up to %d ms)",
                               socketPath, timeout);
            return NULL;
        }
        g_usleep(backoff);
        backoff = MIN(backoff * 2, QEMU_MONITOR_CONNECT_RETRY_MAX_US);
    }
}

qemuMonitor *
qemuMonitorOpen(const char *socketPath, const qemuMonitorCallbacks *cb, void *opaque,
                GMainContext *ctx, GError **error)
{
    return qemuMonitorOpenFull(socketPath, QEMU_MONITOR_CONNECT_TIMEOUT_MS, cb, opaque, ctx, error);
}

/* ---- typed commands ------------------------------------------------------------------- */

/* A command with no arguments whose reply is {}. */
static bool
qemuMonitorSimpleCommand(qemuMonitor *mon, const char *cmd, json_object *args, GError **error)
{
    g_autoptr(json_object) ret = qemuMonitorCommand(mon, cmd, args, 0, error);

    return ret && qemuMonitorJSONParseEmptyReply(cmd, ret, error);
}

bool
qemuMonitorStartCPUs(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "cont", NULL, error);
}

bool
qemuMonitorStopCPUs(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "stop", NULL, error);
}

bool
qemuMonitorSystemPowerdown(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "system_powerdown", NULL, error);
}

bool
qemuMonitorSystemReset(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "system_reset", NULL, error);
}

bool
qemuMonitorQuit(qemuMonitor *mon, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitor) ref = qemuMonitorRef(mon);
    bool eof;

    if (qemuMonitorSimpleCommand(mon, "quit", NULL, &err))
        return true;
    /* QEMU may exit before its reply is out: EOF is what "quit" asked for */
    g_mutex_lock(&ref->lock);
    eof = ref->eof;
    g_mutex_unlock(&ref->lock);
    if (eof && ternErrorCodeOf(err) == TERN_ERR_OPERATION_FAILED)
        return true;
    g_propagate_error(error, g_steal_pointer(&err));
    return false;
}

bool
qemuMonitorQueryStatus(qemuMonitor *mon, qemuMonitorStatus *ret, GError **error)
{
    g_autoptr(json_object) reply = qemuMonitorCommand(mon, "query-status", NULL, 0, error);

    return reply && qemuMonitorJSONParseQueryStatus(reply, ret, error);
}

bool
qemuMonitorQueryCPUs(qemuMonitor *mon, qemuMonitorCPUList **ret, GError **error)
{
    g_autoptr(json_object) reply = qemuMonitorCommand(mon, "query-cpus-fast", NULL, 0, error);
    qemuMonitorCPUList *list;

    if (!reply || !(list = qemuMonitorJSONParseQueryCPUsFast(reply, error)))
        return false;
    *ret = list;
    return true;
}

bool
qemuMonitorQueryBalloon(qemuMonitor *mon, bool *retHasBalloon, unsigned long long *retActual,
                        GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) reply = NULL;
    int klass = -1;
    unsigned long long actual;

    reply = qemuMonitorCommandFull(mon, "query-balloon", NULL, -1, 0, &klass, &err);
    if (!reply) {
        if (klass == QEMU_MONITOR_ERROR_CLASS_DEVICE_NOT_ACTIVE) {
            *retHasBalloon = false;
            return true;
        }
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (!qemuMonitorJSONParseQueryBalloon(reply, &actual, error))
        return false;
    *retHasBalloon = true;
    *retActual = actual;
    return true;
}

bool
qemuMonitorMigrate(qemuMonitor *mon, const char *uri, unsigned int flags, GError **error)
{
    json_object *args = qemuMonitorJSONBuildMigrate(uri, flags, error);

    return args && qemuMonitorSimpleCommand(mon, "migrate", args, error);
}

bool
qemuMonitorMigrateIncoming(qemuMonitor *mon, const char *uri, GError **error)
{
    json_object *args = qemuMonitorJSONBuildMigrateIncoming(uri, error);

    return args && qemuMonitorSimpleCommand(mon, "migrate-incoming", args, error);
}

bool
qemuMonitorMigrateCancel(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "migrate_cancel", NULL, error);
}

bool
qemuMonitorMigrateStartPostcopy(qemuMonitor *mon, GError **error)
{
    return qemuMonitorSimpleCommand(mon, "migrate-start-postcopy", NULL, error);
}

bool
qemuMonitorMigrateSetCapabilities(qemuMonitor *mon, unsigned long long which,
                                  unsigned long long enabled, GError **error)
{
    json_object *args = qemuMonitorJSONBuildMigrateSetCapabilities(which, enabled, error);

    return args && qemuMonitorSimpleCommand(mon, "migrate-set-capabilities", args, error);
}

bool
qemuMonitorQueryMigrateCapabilities(qemuMonitor *mon, unsigned long long *retKnown,
                                    unsigned long long *retEnabled, GError **error)
{
    g_autoptr(json_object) reply =
        qemuMonitorCommand(mon, "query-migrate-capabilities", NULL, 0, error);

    return reply && qemuMonitorJSONParseMigrationCapabilities("query-migrate-capabilities reply",
                                                              reply, retKnown, retEnabled, error);
}

bool
qemuMonitorMigrateSetParams(qemuMonitor *mon, const qemuMonitorMigrationParams *params,
                            GError **error)
{
    json_object *args = qemuMonitorJSONBuildMigrateSetParams(params, error);

    return args && qemuMonitorSimpleCommand(mon, "migrate-set-parameters", args, error);
}

bool
qemuMonitorQueryMigrateParams(qemuMonitor *mon, qemuMonitorMigrationParams *ret, GError **error)
{
    g_autoptr(json_object) reply =
        qemuMonitorCommand(mon, "query-migrate-parameters", NULL, 0, error);

    return reply &&
           qemuMonitorJSONParseMigrationParams("query-migrate-parameters reply", reply, ret, error);
}

bool
qemuMonitorQueryMigrate(qemuMonitor *mon, qemuMonitorMigrationStats *ret, GError **error)
{
    g_autoptr(json_object) reply = qemuMonitorCommand(mon, "query-migrate", NULL, 0, error);

    return reply && qemuMonitorJSONParseQueryMigrate(reply, ret, error);
}

bool
qemuMonitorSendFD(qemuMonitor *mon, const char *fdname, int fd, GError **error)
{
    g_autoptr(json_object) ret = NULL;
    json_object *args;

    if (fd < 0) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "no file descriptor to pass to QEMU as '%s'", fdname ? fdname : "");
        return false;
    }
    if (!(args = qemuMonitorJSONBuildGetFD(fdname, error)))
        return false;
    ret = qemuMonitorCommandFull(mon, "getfd", args, fd, 0, NULL, error);
    return ret && qemuMonitorJSONParseEmptyReply("getfd", ret, error);
}
