/* ternnetserverclient.c: one client connection of the RPC server: reading, writing, keepalive */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TERN_NET_SERVER_PRIV_H_ALLOW
#include "rpc/ternnetserverpriv.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

typedef struct {
    GSource base;
    ternNetServerClient *client;
    gpointer fdTag;
    GIOCondition events; /* what fdTag polls for now */
} ternNetServerClientSource;

struct _ternNetServerClient {
    gint refs;
    ternNetServer *srv;
    bool readonly;
    char *desc;
    void *priv;
    GSource *source;      /* loop thread only */
    ternNetMessage *rx;   /* loop thread only: the packet being read */
    /* loop thread only: a data packet whose payload is spliced into its stream's sink */
    ternNetStream *sink;  /* one reference; NULL: none */
    int sinkFD;           /* acquired from @sink; -1: the sink let go, the rest is dropped */
    size_t sinkLeft;      /* payload bytes of the packet still in the socket */
    gpointer sinkTag;     /* polling sinkFD for room (counted in streamsBlocked) */

    GMutex lock;          /* everything below */
    GCond txCond;         /* outgoing backlog drained or client closed */
    int fd;
    bool closing;         /* close requested */
    bool tornDown;
    char *closeReason;
    ternNetMessage *txQueue;
    size_t txBytes;       /* cost of txQueue: clientPacketCost() of each packet */
    unsigned int nrequests; /* calls on workers */
    unsigned int streamsBlocked;
    GPtrArray *streams;   /* ternNetStream *, one reference each */
    bool keepalive;
    gint64 lastRx;
    unsigned int pingsSent;
};

static bool clientStreamSend(void *conn, ternNetMessage *msg, bool wait, const gint *cancel,
                             GError **error);
static void clientStreamWakeSenders(void *conn);
static void clientStreamResumeRead(void *conn);
static bool clientStreamHold(void *conn);
static void clientStreamRelease(void *conn);

static const ternNetStreamTransport clientStreamTransport = {
    .send = clientStreamSend,
    .wakeSenders = clientStreamWakeSenders,
    .resumeRead = clientStreamResumeRead,
    .hold = clientStreamHold,
    .release = clientStreamRelease,
};

static void clientTearDown(ternNetServerClient *client);

static size_t
clientPacketCost(const ternNetMessage *msg)
{
    return msg->bufferLength + TERN_NET_SERVER_CLIENT_TX_PACKET_COST;
}

/*
 * lock held: whether to read more from the socket: not while the client
 * has max_client_requests calls on workers, a stream's incoming queue is
 * full, or our replies to it pile up unread
 */
static bool
clientMayReadLocked(ternNetServerClient *client)
{
    return !client->closing && client->nrequests < client->srv->cfg.maxClientRequests &&
           client->streamsBlocked == 0 && client->txBytes < TERN_NET_SERVER_CLIENT_TX_LIMIT;
}

/* --- the GSource: one per client, events recomputed at every loop iteration --- */

static gboolean
clientSourcePrepare(GSource *source, gint *timeout)
{
    ternNetServerClientSource *cs = (ternNetServerClientSource *)source;
    ternNetServerClient *client = cs->client;
    GIOCondition events = 0;
    bool closing;

    *timeout = -1;
    g_mutex_lock(&client->lock);
    closing = client->closing;
    if (!closing) {
        if (clientMayReadLocked(client))
            events |= G_IO_IN;
        if (client->txQueue)
            events |= G_IO_OUT;
    }
    g_mutex_unlock(&client->lock);
    /*
     * g_source_modify_unix_fd wakes the context up: calling it at every
     * prepare would keep the loop from ever sleeping (100% CPU with one
     * idle client). Only touch the poll record when the events change.
     */
    if (events != cs->events) {
        cs->events = events;
        g_source_modify_unix_fd(source, cs->fdTag, events);
    }
    return closing;
}

static gboolean
clientSourceCheck(GSource *source)
{
    ternNetServerClientSource *cs = (ternNetServerClientSource *)source;
    ternNetServerClient *client = cs->client;

    return g_source_query_unix_fd(source, cs->fdTag) != 0 || client->closing ||
           (client->sinkTag && g_source_query_unix_fd(source, client->sinkTag) != 0);
}

static void clientFlush(ternNetServerClient *client);
static void clientRead(ternNetServerClient *client);
static bool clientMayRead(ternNetServerClient *client);
static void clientFail(ternNetServerClient *client, const char *reason);
static void clientSinkUnblock(ternNetServerClient *client);
static void clientSinkEnd(ternNetServerClient *client, int err);

static gboolean
clientSourceDispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    ternNetServerClientSource *cs = (ternNetServerClientSource *)source;
    ternNetServerClient *client = ternNetServerClientRef(cs->client);
    GIOCondition rev = g_source_query_unix_fd(source, cs->fdTag);
    bool closing;

    if (client->sinkTag && g_source_query_unix_fd(source, client->sinkTag)) {
        clientSinkUnblock(client);
        rev |= G_IO_IN;
    }
    if (rev & G_IO_OUT)
        clientFlush(client);
    if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        if (clientMayRead(client))
            clientRead(client);
        else if (rev & (G_IO_HUP | G_IO_ERR))
            /*
             * poll reports a hang-up even when we do not ask to read: the
             * peer is gone and nothing we queue can reach it. Close now
             * rather than spin on the event until the calls in flight end.
             */
            clientFail(client, "connection hung up by the client");
    }

    g_mutex_lock(&client->lock);
    closing = client->closing;
    g_mutex_unlock(&client->lock);
    if (closing)
        clientTearDown(client);
    ternNetServerClientUnref(client);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs clientSourceFuncs = {
    .prepare = clientSourcePrepare,
    .check = clientSourceCheck,
    .dispatch = clientSourceDispatch,
};

ternNetServerClient *
ternNetServerClientNew(ternNetServer *srv, int fd, bool readonly, const char *desc)
{
    ternNetServerClient *client = g_new0(ternNetServerClient, 1);
    ternNetServerClientSource *cs;
    g_autofree char *name = NULL;

    client->refs = 1; /* the server's list */
    client->srv = srv;
    client->fd = fd;
    client->readonly = readonly;
    client->desc = g_strdup(desc);
    client->rx = ternNetMessageNew();
    client->sinkFD = -1;
    client->streams = g_ptr_array_new();
    client->lastRx = ternMonotonicMs();
    g_mutex_init(&client->lock);
    g_cond_init(&client->txCond);

    g_mutex_lock(&srv->lock);
    name = g_strdup_printf("rpc-client-%u", ++srv->nextClientId);
    g_ptr_array_add(srv->clients, client);
    g_mutex_unlock(&srv->lock);

    if (srv->hooks.clientNew)
        client->priv = srv->hooks.clientNew(client);

    client->source = g_source_new(&clientSourceFuncs, sizeof(ternNetServerClientSource));
    cs = (ternNetServerClientSource *)client->source;
    cs->client = client;
    cs->events = G_IO_IN;
    cs->fdTag = g_source_add_unix_fd(client->source, fd, cs->events);
    g_source_set_name(client->source, name);
    g_source_attach(client->source, srv->ctx);
    return client;
}

ternNetServerClient *
ternNetServerClientRef(ternNetServerClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

ternNetServerClient *
ternNetServerClientUnref(ternNetServerClient *client)
{
    ternNetMessage *m;

    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return NULL;
    if (client->srv->hooks.clientFree && client->priv)
        client->srv->hooks.clientFree(client->priv);
    while ((m = ternNetMessageQueuePop(&client->txQueue)))
        ternNetMessageFree(m);
    clientSinkEnd(client, 0);
    for (guint i = 0; i < client->streams->len; i++) {
        ternNetStream *st = g_ptr_array_index(client->streams, i);
        ternNetStreamConnectionClosed(st, "client freed");
        ternNetStreamUnref(st);
    }
    g_ptr_array_free(client->streams, TRUE);
    ternNetMessageFree(client->rx);
    ternForceClose(client->fd);
    g_mutex_clear(&client->lock);
    g_cond_clear(&client->txCond);
    g_free(client->closeReason);
    g_free(client->desc);
    g_free(client);
    return NULL;
}

void *
ternNetServerClientGetPrivate(ternNetServerClient *client)
{
    return client->priv;
}

bool
ternNetServerClientIsReadonly(ternNetServerClient *client)
{
    return client->readonly;
}

const char *
ternNetServerClientDescribe(ternNetServerClient *client)
{
    return client->desc;
}

bool
ternNetServerClientIsClosed(ternNetServerClient *client)
{
    bool closed;
    g_mutex_lock(&client->lock);
    closed = client->closing;
    g_mutex_unlock(&client->lock);
    return closed;
}

/* lock held */
static void
clientCloseLocked(ternNetServerClient *client, const char *reason)
{
    if (client->closing)
        return;
    client->closing = true;
    client->closeReason = g_strdup(reason);
    g_cond_broadcast(&client->txCond);
    g_main_context_wakeup(client->srv->ctx);
}

void
ternNetServerClientClose(ternNetServerClient *client)
{
    g_mutex_lock(&client->lock);
    clientCloseLocked(client, "closed by the server");
    g_mutex_unlock(&client->lock);
}

/* the loop thread: release everything tied to the socket; runs once */
static void
clientTearDown(ternNetServerClient *client)
{
    g_autoptr(GPtrArray) streams = NULL;
    ternNetMessage *m;
    const char *reason;

    g_mutex_lock(&client->lock);
    if (client->tornDown) {
        g_mutex_unlock(&client->lock);
        return;
    }
    client->tornDown = true;
    reason = client->closeReason ? client->closeReason : "closed";
    TERN_INFO("client %s: %s", client->desc, reason);
    if (client->fd >= 0) {
        shutdown(client->fd, SHUT_RDWR);
        client->fd = ternForceClose(client->fd);
    }
    while ((m = ternNetMessageQueuePop(&client->txQueue)))
        ternNetMessageFree(m);
    client->txBytes = 0;
    streams = client->streams;
    client->streams = g_ptr_array_new();
    g_mutex_unlock(&client->lock);

    clientSinkEnd(client, 0);
    for (guint i = 0; i < streams->len; i++) {
        ternNetStream *st = g_ptr_array_index(streams, i);
        ternNetStreamConnectionClosed(st, reason);
        ternNetStreamUnref(st);
    }
    if (client->source) {
        g_source_destroy(client->source);
        g_source_unref(client->source);
        client->source = NULL;
    }
    if (client->srv->hooks.clientClosed)
        client->srv->hooks.clientClosed(client);
    ternNetServerRemoveClient(client->srv, client);
}

/* --- writing --- */

/* lock held: write queued packets until the socket would block */
static void
clientWriteLocked(ternNetServerClient *client)
{
    while (client->txQueue && client->fd >= 0) {
        ternNetMessage *msg = client->txQueue;
        ssize_t n = send(client->fd, msg->buffer + msg->bufferOffset,
                         msg->bufferLength - msg->bufferOffset, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_autofree char *why = g_strdup_printf("write failed: %s", g_strerror(errno));
                clientCloseLocked(client, why);
            }
            return;
        }
        msg->bufferOffset += (size_t)n;
        if (msg->bufferOffset == msg->bufferLength) {
            client->txBytes -= clientPacketCost(msg);
            ternNetMessageFree(ternNetMessageQueuePop(&client->txQueue));
        }
    }
}

static void
clientFlush(ternNetServerClient *client)
{
    g_mutex_lock(&client->lock);
    clientWriteLocked(client);
    if (client->txBytes < TERN_NET_SERVER_CLIENT_TX_LIMIT)
        g_cond_broadcast(&client->txCond);
    g_mutex_unlock(&client->lock);
}

/* lock held */
static bool
clientQueueLocked(ternNetServerClient *client, ternNetMessage *msg)
{
    bool wasEmpty = client->txQueue == NULL;

    if (client->closing) {
        ternNetMessageFree(msg);
        return false;
    }
    msg->bufferOffset = 0;
    client->txBytes += clientPacketCost(msg);
    ternNetMessageQueuePush(&client->txQueue, msg);
    /* write through from the calling thread: no hop to the loop when the socket has room */
    if (wasEmpty)
        clientWriteLocked(client);
    if (client->txQueue)
        g_main_context_wakeup(client->srv->ctx);
    return true;
}

bool
ternNetServerClientSend(ternNetServerClient *client, ternNetMessage *msg)
{
    bool ok;
    g_mutex_lock(&client->lock);
    ok = clientQueueLocked(client, msg);
    g_mutex_unlock(&client->lock);
    return ok;
}

static bool
clientStreamSend(void *conn, ternNetMessage *msg, bool wait, const gint *cancel, GError **error)
{
    ternNetServerClient *client = conn;

    g_mutex_lock(&client->lock);
    while (wait && !client->closing && client->txBytes >= TERN_NET_SERVER_CLIENT_TX_LIMIT) {
        if (cancel && g_atomic_int_get(cancel)) {
            g_mutex_unlock(&client->lock);
            ternNetMessageFree(msg);
            ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_OPERATION_ABORTED,
                         "operation aborted: stream aborted");
            return false;
        }
        g_cond_wait(&client->txCond, &client->lock);
    }
    if (!clientQueueLocked(client, msg)) {
        g_mutex_unlock(&client->lock);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "client connection %s is closed",
                     client->desc);
        return false;
    }
    g_mutex_unlock(&client->lock);
    return true;
}

static void
clientStreamWakeSenders(void *conn)
{
    ternNetServerClient *client = conn;

    g_mutex_lock(&client->lock);
    g_cond_broadcast(&client->txCond);
    g_mutex_unlock(&client->lock);
}

/* a reference for a stream's transport call, unless the client is being freed */
static bool
clientStreamHold(void *conn)
{
    ternNetServerClient *client = conn;
    return ternAtomicRefTryInc(&client->refs);
}

static void
clientStreamRelease(void *conn)
{
    ternNetServerClientUnref(conn);
}

static void
clientStreamResumeRead(void *conn)
{
    ternNetServerClient *client = conn;

    g_mutex_lock(&client->lock);
    if (client->streamsBlocked > 0)
        client->streamsBlocked--;
    g_mutex_unlock(&client->lock);
    g_main_context_wakeup(client->srv->ctx);
}

/*
 * forget finished and failed streams (a stream finished by our side gets no
 * further packet that would let clientRouteStream drop it); @keep: one
 * that must stay. Call without client->lock.
 */
static void
clientPruneStreams(ternNetServerClient *client, const ternNetStream *keep)
{
    g_autoptr(GPtrArray) gone = g_ptr_array_new();

    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->streams->len;) {
        ternNetStream *st = g_ptr_array_index(client->streams, i);
        if (st != keep && ternNetStreamIsDone(st))
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

ternNetStream *
ternNetServerClientAddStream(ternNetServerClient *client, const ternNetMessageHeader *call)
{
    ternNetStream *st = ternNetStreamNew(&clientStreamTransport, client, call, true);
    g_autofree char *closedWhy = NULL;

    clientPruneStreams(client, NULL);
    g_mutex_lock(&client->lock);
    if (client->closing)
        closedWhy = g_strdup(client->closeReason ? client->closeReason : "closed");
    else
        g_ptr_array_add(client->streams, ternNetStreamRef(st));
    g_mutex_unlock(&client->lock);
    /* torn down already (or soon): the stream is born failed, and never sends */
    if (closedWhy)
        ternNetStreamConnectionClosed(st, closedWhy);
    return st;
}

void
ternNetServerClientCallReplied(ternNetServerClient *client, const ternNetMessageHeader *call,
                               const GError *err)
{
    g_autoptr(GPtrArray) matched = g_ptr_array_new();

    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->streams->len;) {
        ternNetStream *st = g_ptr_array_index(client->streams, i);
        if (!ternNetStreamMatches(st, call)) {
            i++;
        } else if (err) {
            /* a failed call opens no stream: forget it (its list reference moves here) */
            g_ptr_array_add(matched, g_ptr_array_steal_index_fast(client->streams, i));
        } else {
            g_ptr_array_add(matched, ternNetStreamRef(st));
            i++;
        }
    }
    g_mutex_unlock(&client->lock);

    for (guint i = 0; i < matched->len; i++) {
        ternNetStream *st = g_ptr_array_index(matched, i);
        ternNetStreamCallReplied(st, err);
        if (err)
            ternNetStreamConnectionClosed(st, err->message);
        ternNetStreamUnref(st);
    }
}

void
ternNetServerClientReplyError(ternNetServerClient *client, const ternNetMessageHeader *call,
                              const GError *err)
{
    ternNetMessage *reply = ternNetMessageNew();

    reply->header = *call;
    reply->header.type = TERN_NET_REPLY;
    if (!ternNetMessageEncodeError(reply, err, NULL)) {
        ternNetMessageFree(reply);
        return;
    }
    ternNetServerClientSend(client, reply);
}

void
ternNetServerClientCallDone(ternNetServerClient *client)
{
    bool wasFull;

    g_mutex_lock(&client->lock);
    wasFull = client->nrequests >= client->srv->cfg.maxClientRequests;
    client->nrequests--;
    g_mutex_unlock(&client->lock);
    if (wasFull)
        g_main_context_wakeup(client->srv->ctx);
}

/* --- keepalive --- */

void
ternNetServerClientStartKeepAlive(ternNetServerClient *client)
{
    if (client->srv->cfg.keepaliveInterval <= 0)
        return;
    g_mutex_lock(&client->lock);
    client->keepalive = true;
    g_mutex_unlock(&client->lock);
}

void
ternNetServerClientKeepAliveTick(ternNetServerClient *client, gint64 nowMs)
{
    gint64 interval = (gint64)client->srv->cfg.keepaliveInterval * 1000;

    g_mutex_lock(&client->lock);
    /*
     * While we do not read the client for reasons of our own (its calls
     * fill max_client_requests, a stream's queue is full), its PONGs wait
     * in the socket: silence says nothing about the peer then.
     */
    if (client->nrequests >= client->srv->cfg.maxClientRequests || client->streamsBlocked > 0) {
        client->lastRx = nowMs;
        client->pingsSent = 0;
    }
    if (client->keepalive && !client->closing &&
        nowMs - client->lastRx >= interval * (client->pingsSent + 1)) {
        if (client->pingsSent >= client->srv->cfg.keepaliveCount) {
            clientCloseLocked(client, "no keepalive response: peer is dead");
        } else {
            client->pingsSent++;
            clientQueueLocked(client,
                              ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM,
                                                      TERN_KEEPALIVE_PROTOCOL_VERSION,
                                                      TERN_KEEPALIVE_PROC_PING, TERN_NET_MESSAGE,
                                                      0, TERN_NET_OK));
        }
    }
    g_mutex_unlock(&client->lock);
}

/* --- reading and routing --- */

/* the stream @hdr belongs to, with a reference, or NULL */
static ternNetStream *
clientFindStream(ternNetServerClient *client, const ternNetMessageHeader *hdr)
{
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
    return st;
}

static void
clientRouteStream(ternNetServerClient *client, ternNetMessage *msg)
{
    ternNetStream *st = clientFindStream(client, &msg->header);

    if (!st) {
        TERN_DEBUG("client %s: dropping STREAM packet for unknown stream proc %d serial %u",
                   client->desc, msg->header.proc, msg->header.serial);
        ternNetMessageFree(msg);
        return;
    }
    if (!ternNetStreamPushIncoming(st, msg)) {
        g_mutex_lock(&client->lock);
        client->streamsBlocked++;
        g_mutex_unlock(&client->lock);
    }
    if (ternNetStreamIsDone(st)) {
        bool removed;

        g_mutex_lock(&client->lock);
        removed = g_ptr_array_remove(client->streams, st);
        g_mutex_unlock(&client->lock);
        if (removed) {
            ternNetStreamConnectionClosed(st, "stream finished");
            ternNetStreamUnref(st);
        }
    }
    ternNetStreamUnref(st);
}

static void
clientHandleCall(ternNetServerClient *client, ternNetMessage *msg)
{
    const ternNetMessageHeader *hdr = &msg->header;
    const ternNetServerProgram *prog;
    const ternNetServerProc *proc;
    g_autoptr(GError) err = NULL;

    prog = ternNetServerFindProgram(client->srv, hdr->prog, hdr->vers);
    if (!prog) {
        err = g_error_new(ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC,
                          "Cannot find program %u version %u", hdr->prog, hdr->vers);
    } else if (hdr->proc < 0 || (size_t)hdr->proc >= prog->nprocs ||
               !prog->procs[hdr->proc].func) {
        err = g_error_new(ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC, "unknown procedure: %d",
                          hdr->proc);
    } else if (hdr->status != TERN_NET_OK) {
        ternErrorSet(&err, TERN_FROM_RPC, TERN_ERR_RPC, "CALL with status %d", hdr->status);
    } else {
        proc = &prog->procs[hdr->proc];
        if (client->readonly && !proc->readOnlyOK) {
            ternErrorSet(&err, TERN_FROM_RPC, TERN_ERR_OPERATION_DENIED,
                         "read only access prevents %s", proc->name);
        }
    }

    if (err) {
        ternNetServerClientReplyError(client, hdr, err);
        ternNetMessageFree(msg);
        return;
    }

    g_mutex_lock(&client->lock);
    client->nrequests++;
    g_mutex_unlock(&client->lock);
    ternNetServerQueueCall(client->srv, client, prog, msg);
}

static void
clientHandlePacket(ternNetServerClient *client, ternNetMessage *msg)
{
    ternNetMessageHeader *hdr = &msg->header;

    if (hdr->prog == TERN_KEEPALIVE_PROGRAM) {
        if (hdr->type == TERN_NET_MESSAGE && hdr->proc == TERN_KEEPALIVE_PROC_PING)
            ternNetServerClientSend(client,
                                    ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM,
                                                            TERN_KEEPALIVE_PROTOCOL_VERSION,
                                                            TERN_KEEPALIVE_PROC_PONG,
                                                            TERN_NET_MESSAGE, 0, TERN_NET_OK));
        ternNetMessageFree(msg);
        return;
    }

    switch ((int)hdr->type) {
    case TERN_NET_CALL:
        clientHandleCall(client, msg);
        return;
    case TERN_NET_STREAM:
        clientRouteStream(client, msg);
        return;
    case TERN_NET_CALL_WITH_FDS: {
        g_autoptr(GError) err = NULL;
        ternErrorSet(&err, TERN_FROM_RPC, TERN_ERR_RPC,
                     "file descriptor passing is not supported on this connection");
        hdr->type = TERN_NET_CALL;
        ternNetServerClientReplyError(client, hdr, err);
        break;
    }
    default:
        TERN_DEBUG("client %s: ignoring packet of type %d", client->desc, hdr->type);
        break;
    }
    ternNetMessageFree(msg);
}

static bool
clientMayRead(ternNetServerClient *client)
{
    bool ok;
    g_mutex_lock(&client->lock);
    ok = clientMayReadLocked(client);
    g_mutex_unlock(&client->lock);
    return ok;
}

static void
clientFail(ternNetServerClient *client, const char *reason)
{
    g_mutex_lock(&client->lock);
    clientCloseLocked(client, reason);
    g_mutex_unlock(&client->lock);
}

/* --- a data packet spliced into its stream's sink --- */

#define RX_HEAD (TERN_NET_MESSAGE_LEN_MAX + TERN_NET_MESSAGE_HEADER_MAX)

/* the sink's pipe is full: poll it for room, and the socket not at all */
static void
clientSinkBlock(ternNetServerClient *client)
{
    client->sinkTag = g_source_add_unix_fd(client->source, client->sinkFD, G_IO_OUT);
    g_mutex_lock(&client->lock);
    client->streamsBlocked++;
    g_mutex_unlock(&client->lock);
}

static void
clientSinkUnblock(ternNetServerClient *client)
{
    if (!client->sinkTag)
        return;
    if (client->source)
        g_source_remove_unix_fd(client->source, client->sinkTag);
    client->sinkTag = NULL;
    g_mutex_lock(&client->lock);
    if (client->streamsBlocked > 0)
        client->streamsBlocked--;
    g_mutex_unlock(&client->lock);
}

/* give the sink's pipe back (@err: writing failed); the rest of the packet is dropped */
static void
clientSinkLetGo(ternNetServerClient *client, int err)
{
    clientSinkUnblock(client);
    if (client->sinkFD < 0)
        return;
    client->sinkFD = -1;
    ternNetStreamSinkRelease(client->sink, err);
}

/* the packet is through (or the connection ends) */
static void
clientSinkEnd(ternNetServerClient *client, int err)
{
    clientSinkLetGo(client, err);
    client->sinkLeft = 0;
    g_clear_pointer(&client->sink, ternNetStreamUnref);
}

/*
 * @rx (length and header decoded, payload still in the socket) is a data
 * packet for a stream with a sink: its payload goes there, not into memory
 */
static bool
clientSinkStart(ternNetServerClient *client, ternNetMessage *rx)
{
    ternNetStream *st;
    int fd;

    if (rx->header.type != TERN_NET_STREAM || rx->header.status != TERN_NET_CONTINUE ||
        !(st = clientFindStream(client, &rx->header)))
        return false;
    if ((fd = ternNetStreamSinkAcquire(st)) < 0) {
        ternNetStreamUnref(st);
        return false;
    }
    client->sink = st;
    client->sinkFD = fd;
    client->sinkLeft = rx->bufferLength - rx->bufferOffset;
    ternNetMessageClear(rx);
    return true;
}

/* move some of the sunk packet's payload; false: stop reading for now */
static bool
clientSinkSome(ternNetServerClient *client)
{
    struct pollfd pfd = {.fd = -1, .events = POLLOUT};
    ternNetMessage *rx = client->rx;
    ssize_t n;

    if (client->sinkFD >= 0 && !ternNetStreamSinkWanted(client->sink))
        clientSinkLetGo(client, 0);
    if (client->sinkFD >= 0)
        n = splice(client->fd, NULL, client->sinkFD, NULL, client->sinkLeft,
                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    else /* nobody wants the rest: read it into the idle receive buffer, and drop it */
        n = recv(client->fd, rx->buffer, MIN(client->sinkLeft, rx->bufferSize), MSG_DONTWAIT);
    if (n > 0) {
        client->sinkLeft -= (size_t)n;
        g_mutex_lock(&client->lock);
        client->lastRx = ternMonotonicMs();
        client->pingsSent = 0;
        g_mutex_unlock(&client->lock);
        if (client->sinkLeft == 0)
            clientSinkEnd(client, 0);
        return true;
    }
    if (n == 0) {
        clientFail(client, "end of file from client");
        return false;
    }
    if (errno == EINTR)
        return true;
    if (errno == EPIPE) {
        /* the pipe's reader is gone: the stream fails, the connection goes on */
        clientSinkLetGo(client, errno);
        return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
        g_autofree char *why = g_strdup_printf("read failed: %s", g_strerror(errno));
        clientFail(client, why);
        return false;
    }
    /* which side would block? a full pipe: wait for room; else wait for the socket */
    pfd.fd = client->sinkFD;
    if (client->sinkFD >= 0 && poll(&pfd, 1, 0) == 0)
        clientSinkBlock(client);
    return false;
}

static void
clientRead(ternNetServerClient *client)
{
    int packets = 0;

    while (packets < TERN_NET_SERVER_CLIENT_RX_BURST && clientMayRead(client)) {
        ternNetMessage *rx = client->rx;
        /* the length word and the header together: every packet has both */
        size_t want = rx->bufferLength == TERN_NET_MESSAGE_LEN_MAX ? RX_HEAD : rx->bufferLength;
        g_autoptr(GError) err = NULL;
        ssize_t n;

        if (client->sink) {
            if (!clientSinkSome(client))
                return;
            if (!client->sink)
                packets++;
            continue;
        }
        n = recv(client->fd, rx->buffer + rx->bufferOffset, want - rx->bufferOffset,
                 MSG_DONTWAIT);
        if (n == 0) {
            clientFail(client, "end of file from client");
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_autofree char *why = g_strdup_printf("read failed: %s", g_strerror(errno));
                clientFail(client, why);
            }
            return;
        }
        rx->bufferOffset += (size_t)n;
        g_mutex_lock(&client->lock);
        client->lastRx = ternMonotonicMs();
        client->pingsSent = 0;
        g_mutex_unlock(&client->lock);

        if (rx->bufferOffset < want)
            continue;
        if (rx->bufferLength == TERN_NET_MESSAGE_LEN_MAX) {
            if (!ternNetMessageDecodeLength(rx, &err) || !ternNetMessageDecodeHeader(rx, &err)) {
                g_autofree char *why = g_strdup_printf("bad packet: %s", err->message);
                clientFail(client, why);
                return;
            }
            /* the payload is still to come: a sink takes it, or we read it below */
            if (rx->bufferOffset < rx->bufferLength) {
                clientSinkStart(client, rx);
                continue;
            }
        } else if (!ternNetMessageDecodeHeader(rx, &err)) {
            g_autofree char *why = g_strdup_printf("bad packet: %s", err->message);
            clientFail(client, why);
            return;
        }
        client->rx = ternNetMessageNew();
        clientHandlePacket(client, rx);
        packets++;
    }
}
