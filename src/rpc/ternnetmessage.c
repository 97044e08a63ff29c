/* ternnetmessage.c: one RPC packet: framing, header and XDR payload encode/decode */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rpc/ternnetmessage.h"
#include "util/ternerror.h"

#define LEN_WORD TERN_NET_MESSAGE_LEN_MAX
#define HEADER_END (TERN_NET_MESSAGE_LEN_MAX + TERN_NET_MESSAGE_HEADER_MAX)

ternNetMessage *
ternNetMessageNew(void)
{
    ternNetMessage *msg = g_new0(ternNetMessage, 1);
    ternNetMessageClear(msg);
    return msg;
}

void
ternNetMessageFree(ternNetMessage *msg)
{
    if (!msg)
        return;
    g_free(msg->buffer);
    g_free(msg);
}

void
ternNetMessageClear(ternNetMessage *msg)
{
    memset(&msg->header, 0, sizeof(msg->header));
    msg->bufferLength = LEN_WORD;
    msg->bufferOffset = 0;
    msg->next = NULL;
    /* room for the header too: a connection may read it with the length word */
    if (msg->bufferSize < HEADER_END) {
        msg->bufferSize = HEADER_END;
        msg->buffer = g_realloc(msg->buffer, msg->bufferSize);
    }
}

void
ternNetMessageQueuePush(ternNetMessage **queue, ternNetMessage *msg)
{
    while (*queue)
        queue = &(*queue)->next;
    msg->next = NULL;
    *queue = msg;
}

ternNetMessage *
ternNetMessageQueuePop(ternNetMessage **queue)
{
    ternNetMessage *msg = *queue;
    if (msg) {
        *queue = msg->next;
        msg->next = NULL;
    }
    return msg;
}

static void
ensureSize(ternNetMessage *msg, size_t size)
{
    if (msg->bufferSize < size) {
        msg->bufferSize = size;
        msg->buffer = g_realloc(msg->buffer, size);
    }
}

bool
ternNetMessageDecodeLength(ternNetMessage *msg, GError **error)
{
    guint32 len;

    memcpy(&len, msg->buffer, LEN_WORD);
    len = GUINT32_FROM_BE(len);
    /* the named bound check: length counts itself and the header */
    if (len < HEADER_END || len > (guint32)TERN_NET_MESSAGE_MAX + LEN_WORD) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "packet length %u is outside %u..%u", len, (unsigned)HEADER_END,
                     (unsigned)TERN_NET_MESSAGE_MAX + LEN_WORD);
        return false;
    }
    /* the peer chose this size: failing to get it closes the connection, never aborts */
    if (msg->bufferSize < len) {
        char *buffer = g_try_realloc(msg->buffer, len);
        if (!buffer) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_NO_MEMORY,
                         "cannot allocate %u bytes for an incoming packet", len);
            return false;
        }
        msg->buffer = buffer;
        msg->bufferSize = len;
    }
    msg->bufferLength = len;
    return true;
}

bool
ternNetMessageDecodeHeader(ternNetMessage *msg, GError **error)
{
    XDR xdr;
    bool ok;

    if (msg->bufferLength < HEADER_END) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "packet too short for a header");
        return false;
    }
    xdrmem_create(&xdr, msg->buffer + LEN_WORD, TERN_NET_MESSAGE_HEADER_MAX, XDR_DECODE);
    ok = xdr_ternNetMessageHeader(&xdr, &msg->header);
    xdr_destroy(&xdr);
    if (!ok) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "unable to decode message header");
        return false;
    }
    msg->bufferOffset = HEADER_END;
    return true;
}

bool
ternNetMessageDecodePayload(ternNetMessage *msg, xdrproc_t filter, void *data, GError **error)
{
    XDR xdr;
    size_t avail = msg->bufferLength - msg->bufferOffset;
    bool ok;
    unsigned int used;

    xdrmem_create(&xdr, msg->buffer + msg->bufferOffset, avail, XDR_DECODE);
    ok = filter(&xdr, data, 0);
    used = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(filter, data);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "unable to decode message payload (proc %d)", msg->header.proc);
        return false;
    }
    if (used != avail) {
        xdr_free(filter, data);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "message payload of proc %d has %zu unexpected trailing bytes",
                     msg->header.proc, avail - used);
        return false;
    }
    msg->bufferOffset += used;
    return true;
}

const char *
ternNetMessagePayload(const ternNetMessage *msg, size_t *len)
{
    *len = msg->bufferLength - HEADER_END;
    return msg->buffer + HEADER_END;
}

static void
finishLength(ternNetMessage *msg)
{
    guint32 len = GUINT32_TO_BE((guint32)msg->bufferOffset);
    memcpy(msg->buffer, &len, LEN_WORD);
    msg->bufferLength = msg->bufferOffset;
    msg->bufferOffset = 0;
}

bool
ternNetMessageEncodeHeader(ternNetMessage *msg, GError **error)
{
    XDR xdr;
    bool ok;

    /* no more: a keepalive or stream packet is all header (EncodePayload grows the buffer) */
    ensureSize(msg, HEADER_END);
    xdrmem_create(&xdr, msg->buffer + LEN_WORD, TERN_NET_MESSAGE_HEADER_MAX, XDR_ENCODE);
    ok = xdr_ternNetMessageHeader(&xdr, &msg->header);
    xdr_destroy(&xdr);
    if (!ok) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "unable to encode message header");
        return false;
    }
    msg->bufferOffset = HEADER_END;
    msg->bufferLength = HEADER_END;
    return true;
}

/*
 * Slack above which an encoded packet gives its unused buffer back: queued
 * packets are accounted by length, so their memory must be close to it.
 */
#define ENCODE_SLACK_MAX 4096

bool
ternNetMessageEncodePayload(ternNetMessage *msg, xdrproc_t filter, void *data, GError **error)
{
    ensureSize(msg, TERN_NET_MESSAGE_INITIAL);
    for (;;) {
        XDR xdr;
        bool ok;
        size_t room = msg->bufferSize - msg->bufferOffset;

        xdrmem_create(&xdr, msg->buffer + msg->bufferOffset, room, XDR_ENCODE);
        ok = filter(&xdr, data, 0);
        if (ok) {
            msg->bufferOffset += xdr_getpos(&xdr);
            xdr_destroy(&xdr);
            finishLength(msg);
            if (msg->bufferSize - msg->bufferLength > ENCODE_SLACK_MAX) {
                msg->buffer = g_realloc(msg->buffer, msg->bufferLength);
                msg->bufferSize = msg->bufferLength;
            }
            return true;
        }
        xdr_destroy(&xdr);
        /* out of room (or bad data): grow up to the protocol maximum */
        if (msg->bufferSize >= (size_t)TERN_NET_MESSAGE_MAX + LEN_WORD) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                         "unable to encode message payload of proc %d: larger than %u bytes "
                         "or invalid",
                         msg->header.proc, (unsigned)TERN_NET_MESSAGE_MAX);
            return false;
        }
        ensureSize(msg, MIN(msg->bufferSize * 4, (size_t)TERN_NET_MESSAGE_MAX + LEN_WORD));
    }
}

bool
ternNetMessageEncodePayloadRaw(ternNetMessage *msg, const char *data, size_t len, GError **error)
{
    if (len > (size_t)TERN_NET_MESSAGE_PAYLOAD_MAX) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "stream data of %zu bytes exceeds the packet payload maximum %u", len,
                     (unsigned)TERN_NET_MESSAGE_PAYLOAD_MAX);
        return false;
    }
    ensureSize(msg, msg->bufferOffset + len);
    if (len)
        memcpy(msg->buffer + msg->bufferOffset, data, len);
    msg->bufferOffset += len;
    finishLength(msg);
    return true;
}

bool
ternNetMessageEncodePayloadExternal(ternNetMessage *msg, size_t len, GError **error)
{
    guint32 be;

    if (len > (size_t)TERN_NET_MESSAGE_PAYLOAD_MAX) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "stream data of %zu bytes exceeds the packet payload maximum %u", len,
                     (unsigned)TERN_NET_MESSAGE_PAYLOAD_MAX);
        return false;
    }
    be = GUINT32_TO_BE((guint32)(msg->bufferOffset + len));
    memcpy(msg->buffer, &be, LEN_WORD);
    msg->bufferLength = msg->bufferOffset;
    msg->bufferOffset = 0;
    return true;
}

bool
ternNetMessageEncodePayloadEmpty(ternNetMessage *msg, GError **error)
{
    finishLength(msg);
    return true;
}

ternNetMessage *
ternNetMessageNewSimple(unsigned prog, unsigned vers, int proc, int type, unsigned serial,
                        int status)
{
    ternNetMessage *msg = ternNetMessageNew();

    msg->header.prog = prog;
    msg->header.vers = vers;
    msg->header.proc = proc;
    msg->header.type = type;
    msg->header.serial = serial;
    msg->header.status = status;
    /* a 24-byte header always encodes */
    ternNetMessageEncodeHeader(msg, NULL);
    ternNetMessageEncodePayloadEmpty(msg, NULL);
    return msg;
}

static ternNetMessageString
optString(const char *s)
{
    ternNetMessageString ret = NULL;
    if (s) {
        ret = g_new0(ternNetMessageNonnullString, 1);
        *ret = g_strdup(s);
    }
    return ret;
}

void
ternNetMessageErrorFromGError(ternNetMessageError *rerr, const GError *err)
{
    const char *text = err && err->message ? err->message : "unknown error";

    /* xdr_free releases with free(); GLib's allocator is the system malloc */
    rerr->code = err ? ternErrorCodeOf(err) : TERN_ERR_INTERNAL_ERROR;
    rerr->domain = err ? ternErrorDomainFromQuark(err->domain) : TERN_FROM_NONE;
    rerr->message = optString(text);
    rerr->level = TERN_ERR_ERROR;
    rerr->str1 = optString("%s");
    rerr->str2 = optString(text);
    rerr->int1 = -1;
    rerr->int2 = -1;
}

GError *
ternNetMessageErrorToGError(const ternNetMessageError *rerr)
{
    /* a missing or empty message still reads as something */
    const char *text =
        rerr->message && *rerr->message && **rerr->message ? *rerr->message : "unknown error";
    int code = rerr->code;

    /* libvirt clients map an RPC "unknown procedure" to NO_SUPPORT; so do we */
    if ((rerr->domain == TERN_FROM_RPC || rerr->domain == TERN_FROM_REMOTE) &&
        code == TERN_ERR_RPC && g_str_has_prefix(text, "unknown procedure"))
        code = TERN_ERR_NO_SUPPORT;
    return g_error_new_literal(ternErrorQuark(rerr->domain), code, text);
}

bool
ternNetMessageEncodeError(ternNetMessage *msg, const GError *err, GError **error)
{
    ternNetMessageError rerr = {0};
    bool ok;

    msg->header.status = TERN_NET_ERROR;
    if (!ternNetMessageEncodeHeader(msg, error))
        return false;
    ternNetMessageErrorFromGError(&rerr, err);
    ok = ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_ternNetMessageError, &rerr, error);
    xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
    return ok;
}
