/* ternnetclient.c: the client end of an RPC connection: calls, events, streams, keepalive */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/ternnetclient.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/* Outgoing bytes queued above which stream senders wait; each packet also costs this much. */
#define TERN_NET_CLIENT_TX_LIMIT (8 * 1024 * 1024)
#define TERN_NET_CLIENT_TX_PACKET_COST 128

typedef struct {
    unsigned prog;
    unsigned vers;
    int proc;
    unsigned serial;
    bool done;
    ternNetMessage *reply;
} ternNetClientWaiter;

struct _ternNetClient {
    gint refs;
    GThread *thread;
    int wakefd;

    GMutex lock; /* everything below */
    GCond cond;  /* a call completed, tx drained, or closed */
    int fd;
    bool closed;
    bool quit;
    char *closeReason;
    unsigned int nextSerial;
    ternNetMessage *txQueue;
    size_t txBytes;
    bool splicing;       /* a stream sender owns the socket for one packet */
    GHashTable *waiters; /* serial → ternNetClientWaiter* (owned by the waiting caller) */
    GPtrArray *streams;  /* ternNetStream *, one reference each */
    unsigned int streamsBlocked;
    int kaInterval;
    unsigned int kaCount;
    gint64 lastRx;
    unsigned int pingsSent;

    ternNetClientEventFunc eventFunc;
    void *eventOpaque;
    ternNetClientCloseFunc closeFunc;
    void *closeOpaque;

    ternNetMessage *rx; /* I/O thread only */
};

static bool clientStreamSend(void *conn, ternNetMessage *msg, bool wait, const gint *cancel,
                             GError **error);
static bool clientStreamSendSpliced(void *conn, ternNetMessage *msg, int fd, size_t len,
                                    const gint *cancel, GError **error);
static void clientStreamWakeSenders(void *conn);
static void clientStreamResumeRead(void *conn);
static bool clientStreamHold(void *conn);
static void clientStreamRelease(void *conn);

static const ternNetStreamTransport clientStreamTransport = {
    .send = clientStreamSend,
    .sendSpliced = clientStreamSendSpliced,
    .wakeSenders = clientStreamWakeSenders,
    .resumeRead = clientStreamResumeRead,
    .hold = clientStreamHold,
    .release = clientStreamRelease,
};

static gpointer ternNetClientIOThread(gpointer opaque);

static void
clientWake(ternNetClient *client)
{
    guint64 one = 1;
    ssize_t rc = write(client->wakefd, &one, sizeof(one));
    (void)rc;
}

static ternNetClient *
ternNetClientNewFD(int fd, GError **error)
{
    ternNetClient *client = g_new0(ternNetClient, 1);
    g_autofree char *name = g_strdup_printf("rpc-client-io-%d", fd);
    int flags = fcntl(fd, F_GETFL);

    /* every read and write is non-blocking anyway; splice needs the flag on the socket */
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    client->refs = 1;
    client->fd = fd;
    client->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (client->wakefd < 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, errno, "cannot create eventfd");
        ternForceClose(fd);
        g_free(client);
        return NULL;
    }
    g_mutex_init(&client->lock);
    g_cond_init(&client->cond);
    client->waiters = g_hash_table_new(g_direct_hash, g_direct_equal);
    client->streams = g_ptr_array_new();
    client->rx = ternNetMessageNew();
    client->lastRx = ternMonotonicMs();
    client->thread = g_thread_new(name, ternNetClientIOThread, client);
    return client;
}

ternNetClient *
ternNetClientNewUNIX(const char *path, GError **error)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    TERN_AUTOCLOSE fd = -1;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                     "UNIX socket path '%s' is too long", path);
        return NULL;
    }
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, errno, "Failed to connect socket to '%s'",
                           path);
        return NULL;
    }
    return ternNetClientNewFD(g_steal_fd(&fd), error);
}

ternNetClient *
ternNetClientNewTCP(const char *host, const char *port, GError **error)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_ADDRCONFIG};
    struct addrinfo *res = NULL;
    int rc, lastErrno = ECONNREFUSED;

    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_UNKNOWN_HOST,
                     "unable to resolve '%s:%s': %s", host, port, gai_strerror(rc));
        return NULL;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        TERN_AUTOCLOSE fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        int one = 1;
        if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            lastErrno = errno;
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        freeaddrinfo(res);
        return ternNetClientNewFD(g_steal_fd(&fd), error);
    }
    freeaddrinfo(res);
    ternErrorSetSystem(error, TERN_FROM_RPC, lastErrno, "unable to connect to server at '%s:%s'",
                       host, port);
    return NULL;
}

ternNetClient *
ternNetClientRef(ternNetClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

ternNetClient *
ternNetClientUnref(ternNetClient *client)
{
    ternNetMessage *m;

    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return NULL;
    g_mutex_lock(&client->lock);
    client->quit = true;
    g_mutex_unlock(&client->lock);
    clientWake(client);
    g_thread_join(client->thread);

    while ((m = ternNetMessageQueuePop(&client->txQueue)))
        ternNetMessageFree(m);
    for (guint i = 0; i < client->streams->len; i++)
        ternNetStreamUnref(g_ptr_array_index(client->streams, i));
    g_ptr_array_free(client->streams, TRUE);
    g_hash_table_destroy(client->waiters);
    ternNetMessageFree(client->rx);
    ternForceClose(client->fd);
    ternForceClose(client->wakefd);
    g_free(client->closeReason);
    g_mutex_clear(&client->lock);
    g_cond_clear(&client->cond);
    g_free(client);
    return NULL;
}

void
ternNetClientSetEventHandler(ternNetClient *client, ternNetClientEventFunc func, void *opaque)
{
    g_mutex_lock(&client->lock);
    client->eventFunc = func;
    client->eventOpaque = opaque;
    g_mutex_unlock(&client->lock);
}

void
ternNetClientSetCloseHandler(ternNetClient *client, ternNetClientCloseFunc func, void *opaque)
{
    g_mutex_lock(&client->lock);
    client->closeFunc = func;
    client->closeOpaque = opaque;
    g_mutex_unlock(&client->lock);
}

void
ternNetClientSetKeepAlive(ternNetClient *client, int interval, unsigned int count)
{
    g_mutex_lock(&client->lock);
    client->kaInterval = interval;
    client->kaCount = count;
    client->pingsSent = 0;
    client->lastRx = ternMonotonicMs();
    g_mutex_unlock(&client->lock);
    clientWake(client);
}

bool
ternNetClientIsOpen(ternNetClient *client)
{
    bool open;
    g_mutex_lock(&client->lock);
    open = !client->closed && !client->quit;
    g_mutex_unlock(&client->lock);
    return open;
}

/* lock held: the connection is dead; wake everyone */
static void
clientMarkClosedLocked(ternNetClient *client, const char *reason)
{
    if (client->closed)
        return;
    client->closed = true;
    client->closeReason = g_strdup(reason);
    if (client->fd >= 0)
        shutdown(client->fd, SHUT_RDWR);
    g_cond_broadcast(&client->cond);
}

void
ternNetClientClose(ternNetClient *client)
{
    g_mutex_lock(&client->lock);
    clientMarkClosedLocked(client, "connection closed by the client");
    g_mutex_unlock(&client->lock);
    clientWake(client);
}

/* --- writing --- */

static size_t
clientPacketCost(const ternNetMessage *msg)
{
    return msg->bufferLength + TERN_NET_CLIENT_TX_PACKET_COST;
}

/* lock held */
static void
clientWriteLocked(ternNetClient *client)
{
    if (client->splicing)
        return; /* its sender writes the queue when the packet is out */
    while (client->txQueue && !client->closed) {
        ternNetMessage *msg = client->txQueue;
        ssize_t n = send(client->fd, msg->buffer + msg->bufferOffset,
                         msg->bufferLength - msg->bufferOffset, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_autofree char *why = g_strdup_printf("cannot send data: %s",
                                                       g_strerror(errno));
                clientMarkClosedLocked(client, why);
            }
            return;
        }
        msg->bufferOffset += (size_t)n;
        if (msg->bufferOffset == msg->bufferLength) {
            client->txBytes -= clientPacketCost(msg);
            ternNetMessageFree(ternNetMessageQueuePop(&client->txQueue));
        }
    }
    if (client->txBytes < TERN_NET_CLIENT_TX_LIMIT)
        g_cond_broadcast(&client->cond);
}

/* lock held; takes @msg */
static bool
clientQueueLocked(ternNetClient *client, ternNetMessage *msg, GError **error)
{
    bool wasEmpty = client->txQueue == NULL;

    if (client->closed || client->quit) {
        ternNetMessageFree(msg);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "%s",
                     client->closeReason ? client->closeReason : "connection is closed");
        return false;
    }
    msg->bufferOffset = 0;
    client->txBytes += clientPacketCost(msg);
    ternNetMessageQueuePush(&client->txQueue, msg);
    if (wasEmpty)
        clientWriteLocked(client);
    if (client->txQueue)
        clientWake(client);
    return true;
}

static bool
clientStreamSend(void *conn, ternNetMessage *msg, bool wait, const gint *cancel, GError **error)
{
    ternNetClient *client = conn;
    bool ok;

    g_mutex_lock(&client->lock);
    while (wait && !client->closed && client->txBytes >= TERN_NET_CLIENT_TX_LIMIT) {
        if (cancel && g_atomic_int_get(cancel)) {
            g_mutex_unlock(&client->lock);
            ternNetMessageFree(msg);
            ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_OPERATION_ABORTED,
                         "operation aborted: stream aborted");
            return false;
        }
        g_cond_wait(&client->cond, &client->lock);
    }
    ok = clientQueueLocked(client, msg, error);
    g_mutex_unlock(&client->lock);
    return ok;
}

/*
 * Write @hdrLen bytes of @hdr, then splice @len bytes from the pipe @fd,
 * on the non-blocking socket @sock. Once the header is out the packet must
 * be completed: only a dead socket, or an abort (*@cancel) with the socket
 * refusing data for a poll interval, stops it. Returns NULL, or why it
 * stopped.
 */
static char *
clientSpliceOut(int sock, const char *hdr, size_t hdrLen, int fd, size_t len, const gint *cancel)
{
    size_t off = 0;

    while (off < hdrLen || len > 0) {
        struct pollfd pfd = {.fd = sock, .events = POLLOUT};
        ssize_t n;

        if (off < hdrLen)
            n = send(sock, hdr + off, hdrLen - off, MSG_NOSIGNAL | MSG_DONTWAIT | MSG_MORE);
        else
            n = splice(fd, NULL, sock, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
            if (off < hdrLen)
                off += (size_t)n;
            else
                len -= (size_t)n;
            continue;
        }
        if (n == 0)
            return g_strdup("stream data ended in the middle of a packet");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return g_strdup_printf("cannot send data: %s", g_strerror(errno));
        if (poll(&pfd, 1, 250) == 0 && cancel && g_atomic_int_get(cancel))
            return g_strdup("stream aborted in the middle of a packet");
    }
    return NULL;
}

static bool
clientStreamSendSpliced(void *conn, ternNetMessage *msg, int fd, size_t len, const gint *cancel,
                        GError **error)
{
    ternNetClient *client = conn;
    g_autoptr(ternNetMessage) owned = msg;
    g_autofree char *why = NULL;
    int sock;

    /* the queue first: what others queued before this packet goes before it */
    g_mutex_lock(&client->lock);
    while (!client->closed && !client->quit && (client->txQueue || client->splicing)) {
        if (cancel && g_atomic_int_get(cancel)) {
            g_mutex_unlock(&client->lock);
            ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_OPERATION_ABORTED,
                         "operation aborted: stream aborted");
            return false;
        }
        g_cond_wait(&client->cond, &client->lock);
    }
    if (client->closed || client->quit) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "%s",
                     client->closeReason ? client->closeReason : "connection is closed");
        g_mutex_unlock(&client->lock);
        return false;
    }
    client->splicing = true;
    sock = client->fd;
    g_mutex_unlock(&client->lock);

    why = clientSpliceOut(sock, msg->buffer, msg->bufferLength, fd, len, cancel);

    g_mutex_lock(&client->lock);
    client->splicing = false;
    if (why)
        clientMarkClosedLocked(client, why); /* half a packet: the peer cannot resync */
    else
        clientWriteLocked(client);
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
    clientWake(client);
    if (why) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "%s", why);
        return false;
    }
    return true;
}

static void
clientStreamWakeSenders(void *conn)
{
    ternNetClient *client = conn;

    g_mutex_lock(&client->lock);
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

/*
 * a reference for a stream's transport call, unless the client is being
 * freed (its I/O thread detaches the streams only after the last unref)
 */
static bool
clientStreamHold(void *conn)
{
    ternNetClient *client = conn;
    return ternAtomicRefTryInc(&client->refs);
}

static void
clientStreamRelease(void *conn)
{
    ternNetClientUnref(conn);
}

static void
clientStreamResumeRead(void *conn)
{
    ternNetClient *client = conn;
    g_mutex_lock(&client->lock);
    if (client->streamsBlocked > 0)
        client->streamsBlocked--;
    g_mutex_unlock(&client->lock);
    clientWake(client);
}

/* --- streams --- */

/* drop @st from the list (if there) and detach it; call without client->lock */
static void
clientStreamForget(ternNetClient *client, ternNetStream *st, const char *why)
{
    bool removed;

    g_mutex_lock(&client->lock);
    removed = g_ptr_array_remove(client->streams, st);
    g_mutex_unlock(&client->lock);
    if (removed) {
        ternNetStreamConnectionClosed(st, why);
        ternNetStreamUnref(st);
    }
}

/*
 * forget finished and failed streams (a stream finished by our side gets no
 * further packet that would let clientHandlePacket drop it); call without
 * client->lock
 */
static void
clientPruneStreams(ternNetClient *client)
{
    g_autoptr(GPtrArray) gone = g_ptr_array_new();

    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->streams->len;) {
        ternNetStream *st = g_ptr_array_index(client->streams, i);
        if (ternNetStreamIsDone(st))
            g_ptr_array_add(gone, g_ptr_array_steal_index_fast(client->streams, i));
        else
            i++;
    }
    g_mutex_unlock(&client->lock);
    for (guint i = 0; i < gone->len; i++) {
        ternNetStream *st = g_ptr_array_index(gone, i);
        ternNetStreamConnectionClosed(st, "stream finished");
        ternNetStreamUnref(st);
    }
}

/* --- calls --- */

static bool
clientCallFull(ternNetClient *client, unsigned prog, unsigned vers, int proc,
               xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret,
               ternNetStream **stream, GError **error)
{
    g_autoptr(ternNetMessage) msg = ternNetMessageNew();
    g_autoptr(ternNetMessage) reply = NULL;
    g_autoptr(ternNetStream) st = NULL;
    ternNetClientWaiter waiter = {.prog = prog, .vers = vers, .proc = proc};

    g_mutex_lock(&client->lock);
    waiter.serial = client->nextSerial++;
    g_mutex_unlock(&client->lock);

    msg->header.prog = prog;
    msg->header.vers = vers;
    msg->header.proc = proc;
    msg->header.type = TERN_NET_CALL;
    msg->header.serial = waiter.serial;
    msg->header.status = TERN_NET_OK;
    if (!ternNetMessageEncodeHeader(msg, error) ||
        !ternNetMessageEncodePayload(msg, argsFilter, args, error))
        return false;

    if (stream)
        clientPruneStreams(client);
    g_mutex_lock(&client->lock);
    if (stream) {
        st = ternNetStreamNew(&clientStreamTransport, client, &msg->header, false);
        g_ptr_array_add(client->streams, ternNetStreamRef(st));
    }
    g_hash_table_insert(client->waiters, GUINT_TO_POINTER(waiter.serial), &waiter);
    if (!clientQueueLocked(client, g_steal_pointer(&msg), error)) {
        g_hash_table_remove(client->waiters, GUINT_TO_POINTER(waiter.serial));
        g_mutex_unlock(&client->lock);
        goto fail_stream;
    }
    while (!waiter.done && !client->closed)
        g_cond_wait(&client->cond, &client->lock);
    g_hash_table_remove(client->waiters, GUINT_TO_POINTER(waiter.serial));
    reply = waiter.reply;
    if (!reply) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "%s",
                     client->closeReason ? client->closeReason : "connection closed");
        g_mutex_unlock(&client->lock);
        goto fail_stream;
    }
    g_mutex_unlock(&client->lock);

    if (reply->header.status == TERN_NET_OK) {
        if (!ternNetMessageDecodePayload(reply, retFilter, ret, error))
            goto fail_stream;
        if (stream)
            *stream = g_steal_pointer(&st);
        return true;
    }
    if (reply->header.status == TERN_NET_ERROR) {
        ternNetMessageError rerr = {0};
        if (ternNetMessageDecodePayload(reply, (xdrproc_t)xdr_ternNetMessageError, &rerr,
                                        error)) {
            g_propagate_error(error, ternNetMessageErrorToGError(&rerr));
            xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
        }
    } else {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "unexpected reply status %d",
                     reply->header.status);
    }

 fail_stream:
    if (st)
        clientStreamForget(client, st, "the call that opens the stream failed");
    return false;
}

bool
ternNetClientCall(ternNetClient *client, unsigned prog, unsigned vers, int proc,
                  xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret,
                  GError **error)
{
    return clientCallFull(client, prog, vers, proc, argsFilter, args, retFilter, ret, NULL,
                          error);
}

bool
ternNetClientCallStream(ternNetClient *client, unsigned prog, unsigned vers, int proc,
                        xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret,
                        ternNetStream **stream, GError **error)
{
    return clientCallFull(client, prog, vers, proc, argsFilter, args, retFilter, ret, stream,
                          error);
}

/* --- the I/O thread --- */

/* returns false if the connection must close (protocol violation) */
static bool
clientHandlePacket(ternNetClient *client, ternNetMessage *msg)
{
    ternNetMessageHeader *hdr = &msg->header;

    if (hdr->prog == TERN_KEEPALIVE_PROGRAM) {
        if (hdr->type == TERN_NET_MESSAGE && hdr->proc == TERN_KEEPALIVE_PROC_PING) {
            g_mutex_lock(&client->lock);
            clientQueueLocked(client,
                              ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM,
                                                      TERN_KEEPALIVE_PROTOCOL_VERSION,
                                                      TERN_KEEPALIVE_PROC_PONG, TERN_NET_MESSAGE,
                                                      0, TERN_NET_OK),
                              NULL);
            g_mutex_unlock(&client->lock);
        }
        ternNetMessageFree(msg);
        return true;
    }

    if (hdr->type == TERN_NET_MESSAGE) {
        ternNetClientEventFunc func;
        void *opaque;
        g_mutex_lock(&client->lock);
        func = client->eventFunc;
        opaque = client->eventOpaque;
        g_mutex_unlock(&client->lock);
        if (func)
            func(client, msg, opaque);
        ternNetMessageFree(msg);
        return true;
    }

    if (hdr->type == TERN_NET_REPLY) {
        ternNetClientWaiter *w;
        g_mutex_lock(&client->lock);
        w = g_hash_table_lookup(client->waiters, GUINT_TO_POINTER(hdr->serial));
        if (w && !w->done && w->prog == hdr->prog && w->vers == hdr->vers &&
            w->proc == hdr->proc) {
            w->reply = msg;
            w->done = true;
            g_cond_broadcast(&client->cond);
            g_mutex_unlock(&client->lock);
            return true;
        }
        g_mutex_unlock(&client->lock);
        /* a REPLY/ERROR may end a stream whose call already returned */
    } else if (hdr->type != TERN_NET_STREAM) {
        TERN_DEBUG("ignoring packet of type %d", hdr->type);
        ternNetMessageFree(msg);
        return true;
    }

    ternNetStream *st = NULL;
    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->streams->len; i++) {
        ternNetStream *s = g_ptr_array_index(client->streams, i);
        if (ternNetStreamMatches(s, hdr)) {
            st = ternNetStreamRef(s);
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    if (!st) {
        if (hdr->type == TERN_NET_REPLY) {
            TERN_WARN("no call waiting for reply with serial %u", hdr->serial);
            ternNetMessageFree(msg);
            return false;
        }
        ternNetMessageFree(msg);
        return true;
    }
    if (!ternNetStreamPushIncoming(st, msg)) {
        g_mutex_lock(&client->lock);
        client->streamsBlocked++;
        g_mutex_unlock(&client->lock);
    }
    if (ternNetStreamIsDone(st))
        clientStreamForget(client, st, "stream finished");
    ternNetStreamUnref(st);
    return true;
}

/* returns false when the connection died */
static bool
clientReadSome(ternNetClient *client)
{
    for (int packets = 0; packets < 64;) {
        ternNetMessage *rx = client->rx;
        g_autoptr(GError) err = NULL;
        ssize_t n;

        g_mutex_lock(&client->lock);
        bool blocked = client->streamsBlocked > 0;
        g_mutex_unlock(&client->lock);
        if (blocked)
            return true;

        n = recv(client->fd, rx->buffer + rx->bufferOffset, rx->bufferLength - rx->bufferOffset,
                 MSG_DONTWAIT);
        if (n == 0) {
            g_mutex_lock(&client->lock);
            clientMarkClosedLocked(client, "End of file while reading data: Input/output error");
            g_mutex_unlock(&client->lock);
            return false;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            g_autofree char *why = g_strdup_printf("Cannot recv data: %s", g_strerror(errno));
            g_mutex_lock(&client->lock);
            clientMarkClosedLocked(client, why);
            g_mutex_unlock(&client->lock);
            return false;
        }
        rx->bufferOffset += (size_t)n;
        g_mutex_lock(&client->lock);
        client->lastRx = ternMonotonicMs();
        client->pingsSent = 0;
        g_mutex_unlock(&client->lock);
        if (rx->bufferOffset < rx->bufferLength)
            continue;
        if (rx->bufferLength == TERN_NET_MESSAGE_LEN_MAX) {
            if (ternNetMessageDecodeLength(rx, &err))
                continue;
        } else if (ternNetMessageDecodeHeader(rx, &err)) {
            client->rx = ternNetMessageNew();
            packets++;
            if (clientHandlePacket(client, rx))
                continue;
            ternErrorSet(&err, TERN_FROM_RPC, TERN_ERR_RPC, "protocol violation by the server");
        }
        g_mutex_lock(&client->lock);
        clientMarkClosedLocked(client, err->message);
        g_mutex_unlock(&client->lock);
        return false;
    }
    return true;
}

static void
clientKeepAliveCheck(ternNetClient *client)
{
    gint64 now = ternMonotonicMs();

    g_mutex_lock(&client->lock);
    /* not reading (a stream's queue is full): the server's PONGs wait unread, it is not dead */
    if (client->streamsBlocked > 0) {
        client->lastRx = now;
        client->pingsSent = 0;
    }
    if (client->kaInterval > 0 && !client->closed &&
        now - client->lastRx >= (gint64)client->kaInterval * 1000 * (client->pingsSent + 1)) {
        if (client->pingsSent >= client->kaCount) {
            clientMarkClosedLocked(client, "connection closed due to keepalive timeout");
        } else {
            client->pingsSent++;
            clientQueueLocked(client,
                              ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM,
                                                      TERN_KEEPALIVE_PROTOCOL_VERSION,
                                                      TERN_KEEPALIVE_PROC_PING, TERN_NET_MESSAGE,
                                                      0, TERN_NET_OK),
                              NULL);
        }
    }
    g_mutex_unlock(&client->lock);
}

static gpointer
ternNetClientIOThread(gpointer opaque)
{
    ternNetClient *client = opaque;
    g_autoptr(GPtrArray) streams = NULL;
    ternNetClientCloseFunc closeFunc;
    void *closeOpaque;
    char *reason;

    for (;;) {
        struct pollfd fds[2] = {{.fd = client->fd}, {.fd = client->wakefd, .events = POLLIN}};
        int timeout;

        g_mutex_lock(&client->lock);
        if (client->closed || client->quit) {
            g_mutex_unlock(&client->lock);
            break;
        }
        if (client->streamsBlocked == 0)
            fds[0].events |= POLLIN;
        if (client->txQueue && !client->splicing)
            fds[0].events |= POLLOUT;
        /* poll reports a hang-up even when asked for nothing: leave the socket out then */
        if (!fds[0].events)
            fds[0].fd = -1;
        timeout = client->kaInterval > 0 ? 1000 : -1;
        g_mutex_unlock(&client->lock);

        if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
            g_mutex_lock(&client->lock);
            clientMarkClosedLocked(client, "poll failed");
            g_mutex_unlock(&client->lock);
            break;
        }
        if (fds[1].revents & POLLIN) {
            guint64 v;
            ssize_t rc = read(client->wakefd, &v, sizeof(v));
            (void)rc;
        }
        if (fds[0].revents & POLLOUT) {
            g_mutex_lock(&client->lock);
            clientWriteLocked(client);
            g_mutex_unlock(&client->lock);
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!clientReadSome(client))
                break;
        }
        clientKeepAliveCheck(client);
    }

    /* the connection is over: fail everything still waiting on it */
    g_mutex_lock(&client->lock);
    clientMarkClosedLocked(client, "connection closed");
    reason = g_strdup(client->closeReason);
    streams = client->streams;
    client->streams = g_ptr_array_new();
    closeFunc = client->closeFunc;
    closeOpaque = client->closeOpaque;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);

    for (guint i = 0; i < streams->len; i++) {
        ternNetStream *st = g_ptr_array_index(streams, i);
        ternNetStreamConnectionClosed(st, reason);
        ternNetStreamUnref(st);
    }
    if (closeFunc)
        closeFunc(client, reason, closeOpaque);
    g_free(reason);
    return NULL;
}
