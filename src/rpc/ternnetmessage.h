/* ternnetmessage.h: one RPC packet: framing, header and XDR payload encode/decode */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <rpc/rpc.h>

#include "rpc/ternnet_protocol.h"

/*
 * A packet is `length | header | payload`; `buffer` holds all of it,
 * including the 4-byte length word. While receiving, bufferLength is the
 * number of bytes expected so far (4, then the whole packet) and
 * bufferOffset how many arrived. While sending, bufferLength is the packet
 * size and bufferOffset how many bytes were written. The buffer always has
 * room for the length word and the header, so a connection may read both at
 * once (every packet has them) and look at the header before its payload.
 */
typedef struct _ternNetMessage ternNetMessage;
struct _ternNetMessage {
    ternNetMessageHeader header;
    char *buffer;
    size_t bufferSize;   /* allocated */
    size_t bufferLength; /* valid / expected */
    size_t bufferOffset; /* read or write position */
    ternNetMessage *next; /* queue link, owned by whoever queues it */
};

/** ternNetMessageNew: an empty message ready to receive a length word. */
ternNetMessage *ternNetMessageNew(void);
/** ternNetMessageFree: free @msg (NULL allowed). Does not follow ->next. */
void ternNetMessageFree(ternNetMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternNetMessage, ternNetMessageFree)

/** ternNetMessageClear: reset @msg to receive a new packet, keeping its buffer. */
void ternNetMessageClear(ternNetMessage *msg);

/* --- queue helpers (singly linked, FIFO) --- */
void ternNetMessageQueuePush(ternNetMessage **queue, ternNetMessage *msg);
ternNetMessage *ternNetMessageQueuePop(ternNetMessage **queue);

/* --- receiving --- */

/**
 * ternNetMessageDecodeLength: after the first 4 bytes arrived, check the
 * length word against the protocol limits (28 .. TERN_NET_MESSAGE_MAX + 4)
 * and make room for the whole packet. Fails for an impossible length; the
 * connection must then be closed (the stream is out of sync).
 */
bool ternNetMessageDecodeLength(ternNetMessage *msg, GError **error);

/**
 * ternNetMessageDecodeHeader: decode the header of a complete packet; the
 * read position moves to the payload.
 */
bool ternNetMessageDecodeHeader(ternNetMessage *msg, GError **error);

/**
 * ternNetMessageDecodePayload: decode the payload with @filter into @data
 * (zeroed by the caller). Fails on short, malformed or over-long payloads
 * (trailing bytes); on failure @data is freed with xdr_free.
 */
bool ternNetMessageDecodePayload(ternNetMessage *msg, xdrproc_t filter, void *data,
                                 GError **error);

/** ternNetMessagePayload: raw payload bytes of a decoded packet (stream data). */
const char *ternNetMessagePayload(const ternNetMessage *msg, size_t *len);

/* --- sending --- */

/**
 * ternNetMessageEncodeHeader: start a packet with @msg->header; the
 * payload follows. Resets any previous content.
 */
bool ternNetMessageEncodeHeader(ternNetMessage *msg, GError **error);

/**
 * ternNetMessageEncodePayload: append @data encoded with @filter and
 * finish the packet (length word). Fails when the packet would exceed
 * TERN_NET_MESSAGE_MAX.
 */
bool ternNetMessageEncodePayload(ternNetMessage *msg, xdrproc_t filter, void *data,
                                 GError **error);

/**
 * ternNetMessageEncodePayloadExternal: finish a packet whose @len payload
 * bytes are not in the buffer: the length word counts them, the buffer
 * (bufferLength) holds the length word and header only, and the caller
 * sends the payload right after it on the same socket (splice).
 */
bool ternNetMessageEncodePayloadExternal(ternNetMessage *msg, size_t len, GError **error);

/** ternNetMessageEncodePayloadRaw: append raw bytes (stream data) and finish. */
bool ternNetMessageEncodePayloadRaw(ternNetMessage *msg, const char *data, size_t len,
                                    GError **error);

/** ternNetMessageEncodePayloadEmpty: finish a packet with no payload. */
bool ternNetMessageEncodePayloadEmpty(ternNetMessage *msg, GError **error);

/**
 * ternNetMessageNewSimple: a complete packet with the given header fields
 * and an empty payload (keepalive, stream finish/abort).
 */
ternNetMessage *ternNetMessageNewSimple(unsigned prog, unsigned vers, int proc, int type,
                                        unsigned serial, int status);

/* --- errors --- */

/**
 * ternNetMessageErrorFromGError: fill @rerr (zeroed by the caller; free
 * with xdr_free(xdr_ternNetMessageError)) so that it carries @err.
 */
void ternNetMessageErrorFromGError(ternNetMessageError *rerr, const GError *err);

/** ternNetMessageErrorToGError: a GError equal to the wire error @rerr. */
GError *ternNetMessageErrorToGError(const ternNetMessageError *rerr);

/**
 * ternNetMessageEncodeError: turn @msg (whose header is set) into a packet
 * with status ERROR carrying @err.
 */
bool ternNetMessageEncodeError(ternNetMessage *msg, const GError *err, GError **error);
