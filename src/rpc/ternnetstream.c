/* ternnetstream.c: one data stream multiplexed on an RPC connection, with backpressure */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rpc/ternnetstream.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

typedef enum {
    STREAM_OPEN = 0,
    STREAM_PEER_FINISHED, /* peer sent OK: no more data will come */
    STREAM_FINISHING,     /* we sent OK, waiting for the confirmation */
    STREAM_DONE,          /* both sides finished */
    STREAM_FAILED,        /* aborted or errored */
} ternNetStreamState;

struct _ternNetStream {
    gint refs;
    const ternNetStreamTransport *transport;
    gint sendCancelled; /* atomic: aborted; a send blocked on a full connection gives up */
    void *conn;
    ternNetMessageHeader call;
    bool isServer;

    GMutex lock;
    GCond cond;
    ternNetStreamState state;
    GError *failure;        /* set in STREAM_FAILED */
    ternNetMessage *rxQueue; /* data packets not yet consumed */
    size_t rxBytes;          /* their cost: payloads + TERN_NET_STREAM_PACKET_COST each */
    bool rxBlocked;          /* we told the connection to stop reading */
    ternNetMessage *partial; /* packet being consumed by Recv */
    size_t partialOffset;
    bool awaitingReply;           /* server: the REPLY to the opening call is not queued yet */
    ternNetMessage *pendingAbort; /* server: abort held back until that REPLY */
    bool detached;                /* the connection forgot us: the transport is off limits */

    /* the sink: data packets spliced by the connection into a pipe */
    int sinkFD;        /* -1: none */
    char *sinkWhat;    /* names the pipe in errors */
    bool sinkBusy;     /* the connection holds it for a packet */
    bool sinkClosing;  /* closed by the user while busy: the connection closes it */
};

ternNetStream *
ternNetStreamNew(const ternNetStreamTransport *transport, void *conn,
                 const ternNetMessageHeader *call, bool isServer)
{
    ternNetStream *st = g_new0(ternNetStream, 1);
    st->refs = 1;
    st->transport = transport;
    st->conn = conn;
    st->call = *call;
    st->isServer = isServer;
    st->awaitingReply = isServer;
    st->sinkFD = -1;
    g_mutex_init(&st->lock);
    g_cond_init(&st->cond);
    return st;
}

ternNetStream *
ternNetStreamRef(ternNetStream *st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

ternNetStream *
ternNetStreamUnref(ternNetStream *st)
{
    ternNetMessage *m;

    if (!st || !g_atomic_int_dec_and_test(&st->refs))
        return NULL;
    while ((m = ternNetMessageQueuePop(&st->rxQueue)))
        ternNetMessageFree(m);
    ternNetMessageFree(st->partial);
    ternNetMessageFree(st->pendingAbort);
    ternForceClose(st->sinkFD);
    g_free(st->sinkWhat);
    g_clear_error(&st->failure);
    g_mutex_clear(&st->lock);
    g_cond_clear(&st->cond);
    g_free(st);
    return NULL;
}

bool
ternNetStreamMatches(const ternNetStream *st, const ternNetMessageHeader *hdr)
{
    return hdr->prog == st->call.prog && hdr->vers == st->call.vers &&
           hdr->proc == st->call.proc && hdr->serial == st->call.serial;
}

/* lock held */
static void
streamFailLocked(ternNetStream *st, GError *err)
{
    if (st->state == STREAM_FAILED || st->state == STREAM_DONE) {
        g_clear_error(&err);
        return;
    }
    st->state = STREAM_FAILED;
    st->failure = err;
    g_cond_broadcast(&st->cond);
}

static ternNetMessage *
streamPacketNew(ternNetStream *st, int status)
{
    ternNetMessage *msg = ternNetMessageNew();
    msg->header = st->call;
    msg->header.type = TERN_NET_STREAM;
    msg->header.status = status;
    return msg;
}

/* an empty STREAM packet with @status (finish, its confirmation, a client's abort) */
static ternNetMessage *
streamPacketNewEmpty(ternNetStream *st, int status)
{
    ternNetMessage *msg = streamPacketNew(st, status);
    ternNetMessageEncodeHeader(msg, NULL);
    ternNetMessageEncodePayloadEmpty(msg, NULL);
    return msg;
}

static size_t
streamPacketCost(const ternNetMessage *msg)
{
    size_t len;
    ternNetMessagePayload(msg, &len);
    return len + TERN_NET_STREAM_PACKET_COST;
}

/*
 * Lock held: take a reference on the connection for one transport call.
 * The connection is borrowed; once it detached us
 * (ternNetStreamConnectionClosed) it may be gone, and until then it is
 * alive, but possibly on its way out (hold fails then).
 */
static bool
streamTransportEnterLocked(ternNetStream *st)
{
    return !st->detached && st->transport->hold(st->conn);
}

static void
streamTransportLeave(ternNetStream *st)
{
    st->transport->release(st->conn);
}

/*
 * Send @msg (taken) with the hold taken by streamTransportEnterLocked, in
 * the same locked section that decided to send it: a connection that
 * forgets the stream in between must not swallow an abort or a finish.
 */
static bool
streamTransportSendHeld(ternNetStream *st, ternNetMessage *msg, bool wait, GError **error)
{
    bool ok = st->transport->send(st->conn, msg, wait, &st->sendCancelled, error);
    streamTransportLeave(st);
    return ok;
}

/* tell the connection it may read again, with a hold taken like the above */
static void
streamTransportResumeReadHeld(ternNetStream *st)
{
    st->transport->resumeRead(st->conn);
    streamTransportLeave(st);
}

static void
streamSetClosedError(GError **error)
{
    ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_RPC, "stream connection is closed");
}

/* lock held: drop unread data; returns whether the connection must resume reading */
static bool
streamDropIncomingLocked(ternNetStream *st)
{
    ternNetMessage *m;
    bool wasBlocked = st->rxBlocked;

    while ((m = ternNetMessageQueuePop(&st->rxQueue)))
        ternNetMessageFree(m);
    g_clear_pointer(&st->partial, ternNetMessageFree);
    st->partialOffset = 0;
    st->rxBytes = 0;
    st->rxBlocked = false;
    return wasBlocked;
}

/* lock held: wait until the REPLY to the opening call is queued (server) */
static void
streamWaitReplyLocked(ternNetStream *st)
{
    while (st->awaitingReply && st->state != STREAM_FAILED && !st->detached)
        g_cond_wait(&st->cond, &st->lock);
}

bool
ternNetStreamPushIncoming(ternNetStream *st, ternNetMessage *msg)
{
    g_autoptr(ternNetMessage) owned = msg;
    bool mayRead = true;
    bool confirmAbort = false;
    size_t len;

    g_mutex_lock(&st->lock);
    if (msg->header.type == TERN_NET_STREAM && msg->header.status == TERN_NET_CONTINUE) {
        ternNetMessagePayload(msg, &len);
        /* an empty data packet carries nothing, and would read as end of stream */
        if (len > 0 && (st->state == STREAM_OPEN || st->state == STREAM_FINISHING)) {
            st->rxBytes += streamPacketCost(msg);
            ternNetMessageQueuePush(&st->rxQueue, g_steal_pointer(&owned));
            if (st->rxBytes >= TERN_NET_STREAM_RX_LIMIT) {
                st->rxBlocked = true;
                mayRead = false;
            }
            g_cond_broadcast(&st->cond);
        }
        /* data after the end or after a failure is dropped */
    } else if (msg->header.type == TERN_NET_STREAM && msg->header.status == TERN_NET_OK) {
        if (st->state == STREAM_FINISHING)
            st->state = STREAM_DONE;
        else if (st->state == STREAM_OPEN)
            st->state = STREAM_PEER_FINISHED;
        g_cond_broadcast(&st->cond);
    } else if (msg->header.status == TERN_NET_ERROR) {
        /* STREAM/ERROR (abort or server error) or REPLY/ERROR for a failed finish */
        const char *payload = ternNetMessagePayload(msg, &len);
        GError *err = NULL;

        if (len > 0) {
            ternNetMessageError rerr = {0};
            if (ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_ternNetMessageError, &rerr,
                                            NULL)) {
                err = ternNetMessageErrorToGError(&rerr);
                xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
            }
        }
        (void)payload;
        if (!err)
            err = g_error_new_literal(ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_OPERATION_ABORTED,
                                      "operation aborted: stream aborted by peer");
        /* libvirt's client waits for the server to confirm its abort (STREAM/OK) */
        confirmAbort = st->isServer && msg->header.type == TERN_NET_STREAM &&
                       st->state != STREAM_FAILED && st->state != STREAM_DONE &&
                       streamTransportEnterLocked(st);
        streamFailLocked(st, err);
    } else {
        TERN_WARN("stream proc %d serial %u: ignoring packet type %d status %d",
                  st->call.proc, st->call.serial, msg->header.type, msg->header.status);
    }
    g_mutex_unlock(&st->lock);
    if (confirmAbort)
        streamTransportSendHeld(st, streamPacketNewEmpty(st, TERN_NET_OK), false, NULL);
    return mayRead;
}

void
ternNetStreamConnectionClosed(ternNetStream *st, const char *reason)
{
    g_mutex_lock(&st->lock);
    streamFailLocked(st, g_error_new(ternErrorQuark(TERN_FROM_STREAMS), TERN_ERR_RPC,
                                     "stream connection closed: %s", reason));
    st->detached = true;
    g_clear_pointer(&st->pendingAbort, ternNetMessageFree);
    g_cond_broadcast(&st->cond);
    g_mutex_unlock(&st->lock);
}

void
ternNetStreamCallReplied(ternNetStream *st, const GError *err)
{
    ternNetMessage *abortMsg;

    g_mutex_lock(&st->lock);
    if (!st->awaitingReply) {
        g_mutex_unlock(&st->lock);
        return;
    }
    st->awaitingReply = false;
    abortMsg = g_steal_pointer(&st->pendingAbort);
    if (err) {
        /* the client got the error REPLY: nothing more goes on the wire */
        streamFailLocked(st, g_error_copy(err));
        g_clear_pointer(&abortMsg, ternNetMessageFree);
    }
    if (abortMsg && !streamTransportEnterLocked(st))
        g_clear_pointer(&abortMsg, ternNetMessageFree);
    g_cond_broadcast(&st->cond);
    g_mutex_unlock(&st->lock);
    if (abortMsg)
        streamTransportSendHeld(st, abortMsg, false, NULL);
}

bool
ternNetStreamIsDone(ternNetStream *st)
{
    bool done;
    g_mutex_lock(&st->lock);
    done = st->state == STREAM_DONE || st->state == STREAM_FAILED;
    g_mutex_unlock(&st->lock);
    return done;
}

/* lock held; releases backpressure if we drained enough */
static bool
streamConsumedLocked(ternNetStream *st, size_t cost)
{
    st->rxBytes -= cost;
    if (st->rxBlocked && st->rxBytes < TERN_NET_STREAM_RX_LIMIT / 2) {
        st->rxBlocked = false;
        return true;
    }
    return false;
}

ternNetMessage *
ternNetStreamRecvPacket(ternNetStream *st, GError **error)
{
    ternNetMessage *msg = NULL;
    bool resume = false;

    g_mutex_lock(&st->lock);
    for (;;) {
        if (st->partial) {
            msg = g_steal_pointer(&st->partial);
            /* hand the unread rest: shift it to the front of the payload */
            size_t len;
            char *payload = (char *)ternNetMessagePayload(msg, &len);
            memmove(payload, payload + st->partialOffset, len - st->partialOffset);
            msg->bufferLength -= st->partialOffset;
            st->partialOffset = 0;
            break;
        }
        if ((msg = ternNetMessageQueuePop(&st->rxQueue))) {
            resume = streamConsumedLocked(st, streamPacketCost(msg)) &&
                     streamTransportEnterLocked(st);
            break;
        }
        if (st->state == STREAM_FAILED) {
            g_propagate_error(error, g_error_copy(st->failure));
            break;
        }
        if (st->state == STREAM_PEER_FINISHED || st->state == STREAM_DONE)
            break;
        g_cond_wait(&st->cond, &st->lock);
    }
    g_mutex_unlock(&st->lock);
    if (resume)
        streamTransportResumeReadHeld(st);
    return msg;
}

gssize
ternNetStreamRecv(ternNetStream *st, char *buf, size_t len, GError **error)
{
    g_autoptr(ternNetMessage) msg = NULL;
    GError *err = NULL;
    size_t avail;
    const char *data;

    if (!(msg = ternNetStreamRecvPacket(st, &err))) {
        if (err) {
            g_propagate_error(error, err);
            return -1;
        }
        return 0;
    }
    data = ternNetMessagePayload(msg, &avail);
    if (avail <= len) {
        memcpy(buf, data, avail);
        return (gssize)avail;
    }
    memcpy(buf, data, len);
    g_mutex_lock(&st->lock);
    st->partial = g_steal_pointer(&msg);
    st->partialOffset = len;
    g_mutex_unlock(&st->lock);
    return (gssize)len;
}

/* lock held: may data still be sent? (waits for the REPLY first) */
static bool
streamCheckWritableLocked(ternNetStream *st, GError **error)
{
    streamWaitReplyLocked(st);
    if (st->state == STREAM_FAILED) {
        g_propagate_error(error, g_error_copy(st->failure));
        return false;
    }
    if (st->state == STREAM_FINISHING || st->state == STREAM_DONE) {
        ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_OPERATION_INVALID,
                     "stream is already finished");
        return false;
    }
    return true;
}

/*
 * queue the data packet @msg (taken), blocking while the connection's
 * backlog is full; with @spliceFD its @spliceLen payload bytes follow from
 * that pipe (ternNetStreamTransport.sendSpliced)
 */
static bool
streamSendData(ternNetStream *st, ternNetMessage *msg, int spliceFD, size_t spliceLen,
               GError **error)
{
    bool ok;

    g_mutex_lock(&st->lock);
    if (!streamCheckWritableLocked(st, error)) {
        g_mutex_unlock(&st->lock);
        ternNetMessageFree(msg);
        return false;
    }
    if (!streamTransportEnterLocked(st)) {
        g_mutex_unlock(&st->lock);
        ternNetMessageFree(msg);
        streamSetClosedError(error);
        return false;
    }
    g_mutex_unlock(&st->lock);
    if (spliceFD < 0)
        return streamTransportSendHeld(st, msg, true, error);
    ok = st->transport->sendSpliced(st->conn, msg, spliceFD, spliceLen, &st->sendCancelled,
                                    error);
    streamTransportLeave(st);
    return ok;
}

bool
ternNetStreamSend(ternNetStream *st, const char *data, size_t len, GError **error)
{
    while (len > 0) {
        size_t chunk = MIN(len, (size_t)TERN_NET_STREAM_CHUNK);
        g_autoptr(ternNetMessage) msg = streamPacketNew(st, TERN_NET_CONTINUE);

        if (!ternNetMessageEncodeHeader(msg, error) ||
            !ternNetMessageEncodePayloadRaw(msg, data, chunk, error) ||
            !streamSendData(st, g_steal_pointer(&msg), -1, 0, error))
            return false;
        data += chunk;
        len -= chunk;
    }
    return true;
}

gssize
ternNetStreamSendFromPipe(ternNetStream *st, int fd, GError **error)
{
    g_autoptr(ternNetMessage) msg = NULL;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int avail = 0;
    size_t len;

    if (!st->transport->sendSpliced) {
        ternErrorSet(error, TERN_FROM_STREAMS, TERN_ERR_NO_SUPPORT,
                     "this connection cannot send stream data from a pipe");
        return -1;
    }
    for (;;) {
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            ternErrorSetSystem(error, TERN_FROM_STREAMS, errno, "cannot wait for stream data");
            return -1;
        }
        if (ioctl(fd, FIONREAD, &avail) < 0) {
            ternErrorSetSystem(error, TERN_FROM_STREAMS, errno, "cannot read stream data");
            return -1;
        }
        if (avail > 0)
            break;
        if (pfd.revents & (POLLHUP | POLLERR))
            return 0;
    }
    /* what the pipe holds now is ours: nobody else reads it, so all of it can be spliced */
    len = MIN((size_t)avail, (size_t)TERN_NET_STREAM_CHUNK);
    msg = streamPacketNew(st, TERN_NET_CONTINUE);
    if (!ternNetMessageEncodeHeader(msg, error) ||
        !ternNetMessageEncodePayloadExternal(msg, len, error))
        return -1;
    return streamSendData(st, g_steal_pointer(&msg), fd, len, error) ? (gssize)len : -1;
}

void
ternNetStreamSetSink(ternNetStream *st, int fd, const char *what)
{
    int flags = fcntl(fd, F_GETFL);

    /* the connection's loop must never block on a full pipe */
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    g_mutex_lock(&st->lock);
    ternForceClose(st->sinkFD);
    st->sinkFD = fd;
    g_free(st->sinkWhat);
    st->sinkWhat = g_strdup(what);
    st->sinkClosing = false;
    g_mutex_unlock(&st->lock);
}

void
ternNetStreamSinkClose(ternNetStream *st)
{
    g_mutex_lock(&st->lock);
    if (st->sinkBusy)
        st->sinkClosing = true;
    else
        st->sinkFD = ternForceClose(st->sinkFD);
    g_mutex_unlock(&st->lock);
}

/* lock held */
static bool
streamSinkWantedLocked(ternNetStream *st)
{
    return st->sinkFD >= 0 && !st->sinkClosing &&
           (st->state == STREAM_OPEN || st->state == STREAM_FINISHING);
}

int
ternNetStreamSinkAcquire(ternNetStream *st)
{
    int fd = -1;

    g_mutex_lock(&st->lock);
    if (!st->sinkBusy && streamSinkWantedLocked(st)) {
        st->sinkBusy = true;
        fd = st->sinkFD;
    }
    g_mutex_unlock(&st->lock);
    return fd;
}

bool
ternNetStreamSinkWanted(ternNetStream *st)
{
    bool wanted;

    g_mutex_lock(&st->lock);
    wanted = streamSinkWantedLocked(st);
    g_mutex_unlock(&st->lock);
    return wanted;
}

void
ternNetStreamSinkRelease(ternNetStream *st, int err)
{
    g_autoptr(GError) why = NULL;

    g_mutex_lock(&st->lock);
    st->sinkBusy = false;
    if (st->sinkClosing) {
        st->sinkFD = ternForceClose(st->sinkFD);
        st->sinkClosing = false;
    }
    if (err)
        ternErrorSetSystem(&why, TERN_FROM_STREAMS, err, "%s",
                           st->sinkWhat ? st->sinkWhat : "cannot write stream data");
    g_mutex_unlock(&st->lock);
    if (why)
        ternNetStreamAbort(st, why);
}

bool
ternNetStreamFinish(ternNetStream *st, GError **error)
{
    bool confirming;

    g_mutex_lock(&st->lock);
    streamWaitReplyLocked(st);
    if (st->state == STREAM_FAILED) {
        g_propagate_error(error, g_error_copy(st->failure));
        g_mutex_unlock(&st->lock);
        return false;
    }
    if (st->state == STREAM_DONE || st->state == STREAM_FINISHING) {
        g_mutex_unlock(&st->lock);
        return true;
    }
    if (!streamTransportEnterLocked(st)) {
        g_mutex_unlock(&st->lock);
        streamSetClosedError(error);
        return false;
    }
    confirming = st->state == STREAM_PEER_FINISHED;
    st->state = confirming ? STREAM_DONE : STREAM_FINISHING;
    g_mutex_unlock(&st->lock);

    if (!streamTransportSendHeld(st, streamPacketNewEmpty(st, TERN_NET_OK), false, error))
        return false;
    if (confirming)
        return true;

    g_mutex_lock(&st->lock);
    while (st->state == STREAM_FINISHING)
        g_cond_wait(&st->cond, &st->lock);
    if (st->state == STREAM_FAILED) {
        g_propagate_error(error, g_error_copy(st->failure));
        g_mutex_unlock(&st->lock);
        return false;
    }
    g_mutex_unlock(&st->lock);
    return true;
}

void
ternNetStreamAbort(ternNetStream *st, const GError *why)
{
    g_autoptr(GError) err = why ? g_error_copy(why)
                                : g_error_new_literal(ternErrorQuark(TERN_FROM_STREAMS),
                                                      TERN_ERR_OPERATION_ABORTED,
                                                      "operation aborted: stream aborted");
    g_autoptr(ternNetMessage) msg = streamPacketNew(st, TERN_NET_ERROR);
    bool resume;
    bool send = false;

    /* the packet first: the decision to send it and the hold go together below */
    if (st->isServer) {
        if (!ternNetMessageEncodeError(msg, err, NULL))
            g_clear_pointer(&msg, ternNetMessageFree);
    } else {
        ternNetMessageEncodeHeader(msg, NULL);
        ternNetMessageEncodePayloadEmpty(msg, NULL);
    }

    /* a sender stuck behind a dead peer's full queue must learn it now, not at keepalive */
    g_atomic_int_set(&st->sendCancelled, 1);
    g_mutex_lock(&st->lock);
    if (st->transport->wakeSenders && !st->detached && streamTransportEnterLocked(st)) {
        g_mutex_unlock(&st->lock);
        st->transport->wakeSenders(st->conn);
        streamTransportLeave(st);
        g_mutex_lock(&st->lock);
    }
    if (st->state != STREAM_FAILED && st->state != STREAM_DONE && msg) {
        if (st->awaitingReply && !st->detached) {
            /* sent by ternNetStreamCallReplied, after the REPLY */
            ternNetMessageFree(st->pendingAbort);
            st->pendingAbort = g_steal_pointer(&msg);
        } else {
            send = streamTransportEnterLocked(st);
        }
    }
    streamFailLocked(st, g_error_copy(err));
    /* nobody will read what is queued: a full queue must not stall the connection */
    resume = streamDropIncomingLocked(st) && streamTransportEnterLocked(st);
    g_mutex_unlock(&st->lock);

    if (resume)
        streamTransportResumeReadHeld(st);
    if (send)
        streamTransportSendHeld(st, g_steal_pointer(&msg), false, NULL);
}
