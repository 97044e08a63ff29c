/* ternnetstream.h: one data stream multiplexed on an RPC connection, with backpressure */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/ternnetmessage.h"

/*
 * A stream is opened by a CALL to a stream-capable procedure; afterwards
 * both sides exchange STREAM packets carrying that call's prog, vers, proc
 * and serial:
 *
 *   CONTINUE  data (raw bytes)
 *   OK        the writer finished; the reader confirms with OK
 *   ERROR     abort (client: empty payload; server: a remote_error)
 *
 * There is no credit scheme on the wire (libvirt has none); backpressure is
 * TCP's: a receiver whose stream backlog is full stops reading its socket,
 * and a sender blocks while its connection's outgoing backlog is full. So
 * no buffer on either side grows without bound.
 *
 * The connection that carries the stream (server client or client) plugs
 * in through ternNetStreamTransport. All functions are thread-safe; the
 * blocking ones (Recv, Send, Finish) must not run on a main loop thread.
 */

typedef struct _ternNetStream ternNetStream;

typedef struct {
    /*
     * Queue @msg for sending (takes ownership). When @wait is true, block
     * while the connection's outgoing backlog is above its limit, unless
     * *@cancel (atomic, may be NULL) becomes non-zero: then fail without
     * queueing. Fails when the connection is closed.
     */
    bool (*send)(void *conn, ternNetMessage *msg, bool wait, const gint *cancel,
                 GError **error);
    /*
     * Optional: send one data packet whose header is @msg (taken; encoded
     * with ternNetMessageEncodePayloadExternal) and whose @len payload
     * bytes are spliced from the pipe @fd, which holds at least that many,
     * straight into the socket: the connection's writer steps aside for
     * the packet, after its queue. Waits for the queue like send(), and
     * fails without sending when *@cancel is set before the packet starts;
     * a packet that cannot be completed closes the connection.
     */
    bool (*sendSpliced)(void *conn, ternNetMessage *msg, int fd, size_t len, const gint *cancel,
                        GError **error);
    /* Wake every send() waiting for room, so it re-reads its @cancel (may be NULL). */
    void (*wakeSenders)(void *conn);
    /* The stream's incoming backlog fell below its limit: reading may resume. */
    void (*resumeRead)(void *conn);
    /*
     * Keep @conn alive for one of the calls above (a stream does not own its
     * connection); false once its last reference is gone. Then release it.
     */
    bool (*hold)(void *conn);
    void (*release)(void *conn);
} ternNetStreamTransport;

/*
 * Incoming data buffered per stream before the connection stops reading.
 * Every queued packet counts its payload plus TERN_NET_STREAM_PACKET_COST,
 * so a peer sending tiny packets cannot queue without bound either.
 */
#define TERN_NET_STREAM_RX_LIMIT (4 * 1024 * 1024)
#define TERN_NET_STREAM_PACKET_COST 128
/* Payload of the data packets Send produces (libvirt's legacy maximum). */
#define TERN_NET_STREAM_CHUNK 262120

/**
 * ternNetStreamNew: a stream for the call @call (its prog, vers, proc,
 * serial) on the connection @conn (borrowed: the connection must call
 * ternNetStreamConnectionClosed before it goes away). @isServer: errors and
 * aborts we send carry a remote_error (server) or nothing (client), and
 * nothing is sent until ternNetStreamCallReplied (server).
 */
ternNetStream *ternNetStreamNew(const ternNetStreamTransport *transport, void *conn,
                                const ternNetMessageHeader *call, bool isServer);
ternNetStream *ternNetStreamRef(ternNetStream *st);
/** Returns NULL. */
ternNetStream *ternNetStreamUnref(ternNetStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternNetStream, ternNetStreamUnref)

/** ternNetStreamMatches: whether the packet header @hdr belongs to @st. */
bool ternNetStreamMatches(const ternNetStream *st, const ternNetMessageHeader *hdr);

/* --- the connection's side --- */

/**
 * ternNetStreamPushIncoming: hand over a STREAM packet (or a REPLY/ERROR for
 * the stream's serial) received for @st; takes ownership. Returns false
 * when the stream's backlog is full: the connection must stop reading until
 * transport->resumeRead is called. Empty data packets are dropped; a server
 * stream confirms a client's abort with an empty STREAM/OK, as libvirt's
 * clients wait for one.
 */
bool ternNetStreamPushIncoming(ternNetStream *st, ternNetMessage *msg);

/**
 * ternNetStreamConnectionClosed: the connection died, or it drops @st from
 * its list: a live stream fails with @reason, and @st never calls the
 * transport again (calls in progress hold their own reference on the
 * connection). The connection must call this for every stream it knew
 * before its last reference goes.
 */
void ternNetStreamConnectionClosed(ternNetStream *st, const char *reason);

/**
 * ternNetStreamCallReplied: (server) the REPLY to the call that opened @st
 * is queued; with @err the call failed and so does the stream. Until then
 * Send, Finish and Abort hold their packets back, so that no STREAM packet
 * overtakes the REPLY: a handler must therefore hand the stream to another
 * thread rather than write to it itself.
 */
void ternNetStreamCallReplied(ternNetStream *st, const GError *err);

/** ternNetStreamIsDone: finished, aborted or failed: the connection may forget it. */
bool ternNetStreamIsDone(ternNetStream *st);

/* --- the user's side (blocking; worker threads only) --- */

/**
 * ternNetStreamRecvPacket: the next data packet (ownership passes to the
 * caller; read its data with ternNetMessagePayload). Returns NULL with
 * *error unset at the end of the stream (the peer finished), NULL with
 * *error set on abort or failure. Zero-copy: the packet buffer is the one
 * the socket was read into.
 */
ternNetMessage *ternNetStreamRecvPacket(ternNetStream *st, GError **error);

/** ternNetStreamRecv: copy up to @len bytes; 0 at end of stream, -1 on error. */
gssize ternNetStreamRecv(ternNetStream *st, char *buf, size_t len, GError **error);

/**
 * ternNetStreamSend: send @len bytes as data packets of at most
 * TERN_NET_STREAM_CHUNK bytes, blocking while the connection's outgoing
 * backlog is full. Fails if the stream was aborted by the peer.
 */
bool ternNetStreamSend(ternNetStream *st, const char *data, size_t len, GError **error);

/**
 * ternNetStreamSendFromPipe: one data packet of what the pipe @fd holds (up
 * to TERN_NET_STREAM_CHUNK bytes), spliced into the connection's socket, so
 * the data never passes through our memory (client connections: their
 * transport has sendSpliced). Blocks until the pipe has data. Returns the
 * bytes sent, 0 at the pipe's end of file, -1 on error.
 */
gssize ternNetStreamSendFromPipe(ternNetStream *st, int fd, GError **error);

/* --- a sink: incoming data straight into a pipe (receiving side) --- */

/**
 * ternNetStreamSetSink: from now on the connection writes the payload of
 * @st's data packets into the pipe @fd (made non-blocking; the stream owns
 * it) by splicing from its socket, instead of queueing them for
 * ternNetStreamRecvPacket, which then only reports the end (NULL) or the
 * failure. Set it before the peer can send data. A write that fails aborts
 * the stream with the error "@what: <reason>".
 */
void ternNetStreamSetSink(ternNetStream *st, int fd, const char *what);

/**
 * ternNetStreamSinkClose: close the sink's pipe (its reader sees the end of
 * file), now or, when the connection is in the middle of a packet, as soon
 * as it lets go of it.
 */
void ternNetStreamSinkClose(ternNetStream *st);

/**
 * ternNetStreamSinkAcquire: (connection) the sink's pipe for the payload
 * of one data packet, or -1 when @st has no usable sink (none, closed, or
 * the stream is over): then the packet goes the ordinary way.
 */
int ternNetStreamSinkAcquire(ternNetStream *st);

/** ternNetStreamSinkWanted: (connection) whether the acquired sink still wants data. */
bool ternNetStreamSinkWanted(ternNetStream *st);

/**
 * ternNetStreamSinkRelease: (connection) done with the packet's pipe; with
 * @err (an errno) writing to it failed, and the stream aborts. Call
 * without the connection's locks: an abort sends a packet.
 */
void ternNetStreamSinkRelease(ternNetStream *st, int err);

/**
 * ternNetStreamFinish: end our side. A writer sends OK and waits for the
 * peer's OK; a reader that saw the peer's OK confirms with OK.
 */
bool ternNetStreamFinish(ternNetStream *st, GError **error);

/**
 * ternNetStreamAbort: abort: the peer is told (with @why as the error
 * when we are the server), local waiters wake up failing and data not yet
 * read is dropped (so the connection resumes reading).
 */
void ternNetStreamAbort(ternNetStream *st, const GError *why);
