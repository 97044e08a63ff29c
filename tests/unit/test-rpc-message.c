/* test-rpc-message.c: RPC framing and XDR: round trips, libvirt's bytes, limits, hostile input */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "rpc/ternnetmessage.h"
#include "rpctest_protocol.h"
#include "testutils.h"
#include "util/ternerror.h"

#define HEADER_END 28

/* --- helpers --- */

/* the payload of a void procedure: nothing */
static bool_t
xdrTestVoid(XDR *xdrs, void *unused)
{
    return TRUE;
}

/*
 * Read a hex packet file from tests/data/rpc: '#' starts a comment, every
 * other non-hex character (spaces, newlines, '|') is a separator.
 */
static GByteArray *
loadHex(const char *name)
{
    g_autofree char *path = ternTestDataPath("rpc", name, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    GByteArray *bytes = g_byte_array_new();
    g_auto(GStrv) lines = NULL;
    GString *digits = g_string_new(NULL);

    g_assert_true(g_file_get_contents(path, &text, NULL, &err));
    g_assert_no_error(err);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        for (const char *p = *l; *p && *p != '#'; p++) {
            if (g_ascii_isxdigit(*p))
                g_string_append_c(digits, *p);
        }
    }
    g_assert_cmpuint(digits->len % 2, ==, 0);
    for (gsize i = 0; i < digits->len; i += 2) {
        guint8 b = (guint8)(g_ascii_xdigit_value(digits->str[i]) * 16 +
                            g_ascii_xdigit_value(digits->str[i + 1]));
        g_byte_array_append(bytes, &b, 1);
    }
    g_string_free(digits, TRUE);
    return bytes;
}

static char *
toHex(const void *data, size_t len)
{
    GString *s = g_string_new(NULL);
    const guint8 *p = data;

    for (size_t i = 0; i < len; i++) {
        if (i && i % 4 == 0)
            g_string_append_c(s, (i % 32 == 0) ? '\n' : ' ');
        g_string_append_printf(s, "%02x", p[i]);
    }
    return g_string_free(s, FALSE);
}

/* the packet @msg encoded must equal the golden file @name, byte for byte */
static void
assertPacketEquals(const ternNetMessage *msg, const char *name)
{
    g_autoptr(GByteArray) want = loadHex(name);

    g_assert_cmpuint(msg->bufferOffset, ==, 0);
    if (msg->bufferLength != want->len || memcmp(msg->buffer, want->data, want->len) != 0) {
        g_autofree char *got = toHex(msg->buffer, msg->bufferLength);
        g_autofree char *exp = toHex(want->data, want->len);
        g_test_message("packet differs from %s\nexpected:\n%s\ngot:\n%s", name, exp, got);
        g_test_fail();
    }
}

/*
 * Feed @len bytes to a fresh message the way a connection does: the length
 * word, then the rest; decode the header. Returns NULL (and sets @error)
 * where the connection would close.
 */
static ternNetMessage *
receive(const void *data, size_t len, GError **error)
{
    g_autoptr(ternNetMessage) msg = ternNetMessageNew();

    g_assert_cmpuint(len, >=, 4);
    memcpy(msg->buffer, data, 4);
    msg->bufferOffset = 4;
    if (!ternNetMessageDecodeLength(msg, error))
        return NULL;
    g_assert_cmpuint(msg->bufferLength, ==, len);
    memcpy(msg->buffer + 4, (const char *)data + 4, len - 4);
    msg->bufferOffset = len;
    if (!ternNetMessageDecodeHeader(msg, error))
        return NULL;
    return g_steal_pointer(&msg);
}

static ternNetMessage *
newCall(unsigned prog, int proc, unsigned serial)
{
    ternNetMessage *msg = ternNetMessageNew();
    msg->header.prog = prog;
    msg->header.vers = 1;
    msg->header.proc = proc;
    msg->header.type = TERN_NET_CALL;
    msg->header.serial = serial;
    msg->header.status = TERN_NET_OK;
    return msg;
}

/* a packet with a valid header for RPCTEST_PROC_NAMED and @payload as its payload */
static GByteArray *
packetWithPayload(const void *payload, size_t len)
{
    GByteArray *pkt = g_byte_array_new();
    guint32 words[7] = {
        GUINT32_TO_BE((guint32)(HEADER_END + len)),
        GUINT32_TO_BE(RPCTEST_PROG),
        GUINT32_TO_BE(1),
        GUINT32_TO_BE(RPCTEST_PROC_NAMED),
        GUINT32_TO_BE(TERN_NET_CALL),
        GUINT32_TO_BE(9),
        GUINT32_TO_BE(TERN_NET_OK),
    };
    g_byte_array_append(pkt, (const guint8 *)words, sizeof(words));
    g_byte_array_append(pkt, payload, (guint)len);
    return pkt;
}

static bool
decodeNamed(const void *payload, size_t len, rpctestNamedArgs *args, GError **error)
{
    g_autoptr(GByteArray) pkt = packetWithPayload(payload, len);
    g_autoptr(ternNetMessage) msg = receive(pkt->data, pkt->len, error);

    g_assert_nonnull(msg);
    memset(args, 0, sizeof(*args));
    return ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, args, error);
}

/* encode a rpctestNamedArgs payload into @out (the payload bytes only) */
static GByteArray *
encodeNamed(const char *name, int value, guint64 big, const char *blob, size_t bloblen)
{
    g_autoptr(ternNetMessage) msg = newCall(RPCTEST_PROG, RPCTEST_PROC_NAMED, 9);
    rpctestNamedArgs args = {
        .name = (char *)name,
        .value = value,
        .big = big,
        .blob = {.blob_len = (u_int)bloblen, .blob_val = (char *)blob},
    };
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, &args, &err));
    g_assert_no_error(err);
    g_byte_array_append(out, (guint8 *)msg->buffer + HEADER_END,
                        (guint)(msg->bufferLength - HEADER_END));
    return out;
}

/* --- byte-exact packets from libvirt-wire.md --- */

static void
testAuthListCall(void)
{
    g_autoptr(ternNetMessage) msg =
        newCall(RPCTEST_REMOTE_PROGRAM, RPCTEST_REMOTE_PROC_AUTH_LIST, 0);
    g_autoptr(ternNetMessage) back = NULL;
    g_autoptr(GByteArray) want = loadHex("auth-list-call.hex");
    g_autoptr(GError) err = NULL;

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(ternNetMessageEncodePayloadEmpty(msg, &err));
    assertPacketEquals(msg, "auth-list-call.hex");

    back = receive(want->data, want->len, &err);
    g_assert_no_error(err);
    g_assert_cmphex(back->header.prog, ==, 0x20008086);
    g_assert_cmpuint(back->header.vers, ==, 1);
    g_assert_cmpint(back->header.proc, ==, 66);
    g_assert_cmpint(back->header.type, ==, TERN_NET_CALL);
    g_assert_cmpuint(back->header.serial, ==, 0);
    g_assert_cmpint(back->header.status, ==, TERN_NET_OK);
    g_assert_true(ternNetMessageDecodePayload(back, (xdrproc_t)xdrTestVoid, NULL, &err));
    g_assert_no_error(err);
}

static void
testAuthListReply(void)
{
    g_autoptr(ternNetMessage) msg =
        newCall(RPCTEST_REMOTE_PROGRAM, RPCTEST_REMOTE_PROC_AUTH_LIST, 0);
    g_autoptr(ternNetMessage) back = NULL;
    g_autoptr(GByteArray) want = loadHex("auth-list-reply.hex");
    rpctestRemoteAuthType types[] = {RPCTEST_REMOTE_AUTH_NONE};
    rpctestRemoteAuthListRet ret = {.types = {.types_len = 1, .types_val = types}};
    rpctestRemoteAuthListRet dec = {0};
    g_autoptr(GError) err = NULL;

    msg->header.type = TERN_NET_REPLY;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(
        ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestRemoteAuthListRet, &ret, &err));
    assertPacketEquals(msg, "auth-list-reply.hex");

    back = receive(want->data, want->len, &err);
    g_assert_no_error(err);
    g_assert_cmpint(back->header.type, ==, TERN_NET_REPLY);
    g_assert_true(
        ternNetMessageDecodePayload(back, (xdrproc_t)xdr_rpctestRemoteAuthListRet, &dec, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(dec.types.types_len, ==, 1);
    g_assert_cmpint(dec.types.types_val[0], ==, RPCTEST_REMOTE_AUTH_NONE);
    xdr_free((xdrproc_t)xdr_rpctestRemoteAuthListRet, (char *)&dec);
}

static void
testConnectOpenCall(void)
{
    g_autoptr(ternNetMessage) msg =
        newCall(RPCTEST_REMOTE_PROGRAM, RPCTEST_REMOTE_PROC_CONNECT_OPEN, 2);
    g_autoptr(ternNetMessage) back = NULL;
    g_autoptr(GByteArray) want = loadHex("connect-open-call.hex");
    char *name = (char *)"qemu:///system";
    rpctestRemoteConnectOpenArgs args = {.name = &name, .flags = 0};
    rpctestRemoteConnectOpenArgs dec = {0};
    g_autoptr(GError) err = NULL;

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(
        ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestRemoteConnectOpenArgs, &args, &err));
    assertPacketEquals(msg, "connect-open-call.hex");

    back = receive(want->data, want->len, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(back->header.serial, ==, 2);
    g_assert_cmpint(back->header.proc, ==, 1);
    g_assert_true(
        ternNetMessageDecodePayload(back, (xdrproc_t)xdr_rpctestRemoteConnectOpenArgs, &dec, &err));
    g_assert_no_error(err);
    g_assert_nonnull(dec.name);
    g_assert_cmpstr(*dec.name, ==, "qemu:///system");
    g_assert_cmpuint(dec.flags, ==, 0);
    xdr_free((xdrproc_t)xdr_rpctestRemoteConnectOpenArgs, (char *)&dec);
}

static void
testKeepalivePackets(void)
{
    g_autoptr(ternNetMessage) ping =
        ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM, TERN_KEEPALIVE_PROTOCOL_VERSION,
                                TERN_KEEPALIVE_PROC_PING, TERN_NET_MESSAGE, 0, TERN_NET_OK);
    g_autoptr(ternNetMessage) pong =
        ternNetMessageNewSimple(TERN_KEEPALIVE_PROGRAM, TERN_KEEPALIVE_PROTOCOL_VERSION,
                                TERN_KEEPALIVE_PROC_PONG, TERN_NET_MESSAGE, 0, TERN_NET_OK);

    assertPacketEquals(ping, "keepalive-ping.hex");
    assertPacketEquals(pong, "keepalive-pong.hex");
}

/* the error a server sends for an unknown procedure, and what a client makes of it */
static void
testUnknownProcedureError(void)
{
    g_autoptr(ternNetMessage) msg = newCall(RPCTEST_REMOTE_PROGRAM, 9999, 3);
    g_autoptr(ternNetMessage) back = NULL;
    g_autoptr(GByteArray) want = loadHex("unknown-procedure-reply.hex");
    g_autoptr(GError) cause =
        g_error_new(ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC, "unknown procedure: %d", 9999);
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) mapped = NULL;
    ternNetMessageError rerr = {0};

    msg->header.type = TERN_NET_REPLY;
    g_assert_true(ternNetMessageEncodeError(msg, cause, &err));
    g_assert_no_error(err);
    assertPacketEquals(msg, "unknown-procedure-reply.hex");

    back = receive(want->data, want->len, &err);
    g_assert_no_error(err);
    g_assert_cmpint(back->header.status, ==, TERN_NET_ERROR);
    g_assert_true(
        ternNetMessageDecodePayload(back, (xdrproc_t)xdr_ternNetMessageError, &rerr, &err));
    g_assert_cmpint(rerr.code, ==, TERN_ERR_RPC);
    g_assert_cmpint(rerr.domain, ==, TERN_FROM_RPC);
    g_assert_cmpstr(*rerr.message, ==, "unknown procedure: 9999");
    g_assert_cmpint(rerr.level, ==, TERN_ERR_ERROR);
    g_assert_null(rerr.dom);
    g_assert_cmpstr(*rerr.str1, ==, "%s");
    g_assert_cmpstr(*rerr.str2, ==, "unknown procedure: 9999");
    g_assert_null(rerr.str3);
    g_assert_cmpint(rerr.int1, ==, -1);
    g_assert_cmpint(rerr.int2, ==, -1);
    g_assert_null(rerr.net);

    /* libvirt clients turn exactly this into VIR_ERR_NO_SUPPORT; so do we */
    mapped = ternNetMessageErrorToGError(&rerr);
    g_assert_error(mapped, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_NO_SUPPORT);
    g_assert_cmpstr(mapped->message, ==, "unknown procedure: 9999");
    xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
}

/* any other error crosses the wire with its code, domain and text */
static void
testErrorRoundTrip(void)
{
    static const struct {
        ternErrorDomain from;
        int code;
        const char *text;
    } cases[] = {
        {TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID, "Requested operation is not valid: no job"},
        {TERN_FROM_REMOTE, TERN_ERR_RPC, "unknown procedure: 12"}, /* → NO_SUPPORT */
        {TERN_FROM_REMOTE, TERN_ERR_RPC, "Cannot find program 1 version 1"},
        {TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG, ""},
        {TERN_FROM_STREAMS, TERN_ERR_OPERATION_ABORTED, "operation aborted: \xc3\xa9t\xc3\xa9"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(ternNetMessage) msg = newCall(RPCTEST_PROG, 1, (unsigned)i);
        g_autoptr(ternNetMessage) back = NULL;
        g_autoptr(GError) cause =
            g_error_new_literal(ternErrorQuark(cases[i].from), cases[i].code, cases[i].text);
        g_autoptr(GError) err = NULL;
        g_autoptr(GError) got = NULL;
        ternNetMessageError rerr = {0};
        int wantCode = cases[i].code;

        msg->header.type = TERN_NET_REPLY;
        g_assert_true(ternNetMessageEncodeError(msg, cause, &err));
        back = receive(msg->buffer, msg->bufferLength, &err);
        g_assert_no_error(err);
        g_assert_true(
            ternNetMessageDecodePayload(back, (xdrproc_t)xdr_ternNetMessageError, &rerr, &err));
        g_assert_cmpint(rerr.domain, ==, cases[i].from);
        g_assert_cmpint(rerr.code, ==, cases[i].code);
        got = ternNetMessageErrorToGError(&rerr);
        if (g_str_has_prefix(cases[i].text, "unknown procedure"))
            wantCode = TERN_ERR_NO_SUPPORT;
        g_assert_error(got, ternErrorQuark(cases[i].from), wantCode);
        /* an empty message reads as "unknown error" rather than as nothing */
        g_assert_cmpstr(got->message, ==, (*cases[i].text ? cases[i].text : "unknown error"));
        xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
    }
}

/* --- round trips --- */

static void
testHeaderRoundTrip(void)
{
    static const ternNetMessageHeader cases[] = {
        {0, 0, 0, TERN_NET_CALL, 0, TERN_NET_OK},
        {0x20008086, 1, 300, TERN_NET_REPLY, 17, TERN_NET_ERROR},
        {0xffffffff, 0xffffffff, -1, TERN_NET_STREAM, 0xffffffff, TERN_NET_CONTINUE},
        {TERN_KEEPALIVE_PROGRAM, 1, TERN_KEEPALIVE_PROC_PONG, TERN_NET_MESSAGE, 0, TERN_NET_OK},
        {0x12345678, 7, G_MININT32, TERN_NET_STREAM_HOLE, 1u << 31, TERN_NET_OK},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(ternNetMessage) msg = ternNetMessageNew();
        g_autoptr(ternNetMessage) back = NULL;
        g_autoptr(GError) err = NULL;
        guint32 w;

        msg->header = cases[i];
        g_assert_true(ternNetMessageEncodeHeader(msg, &err));
        g_assert_true(ternNetMessageEncodePayloadEmpty(msg, &err));
        g_assert_cmpuint(msg->bufferLength, ==, HEADER_END);
        memcpy(&w, msg->buffer + 4, 4);
        g_assert_cmphex(GUINT32_FROM_BE(w), ==, cases[i].prog);
        memcpy(&w, msg->buffer + 12, 4);
        g_assert_cmphex(GUINT32_FROM_BE(w), ==, (guint32)cases[i].proc);

        back = receive(msg->buffer, msg->bufferLength, &err);
        g_assert_no_error(err);
        g_assert_cmpmem(&back->header, sizeof(back->header), &cases[i], sizeof(cases[i]));
    }
}

static void
testPayloadRoundTrip(void)
{
    static const char blob[] = "\x00\x01\x02\xff\xfe";
    static const char *names[] = {"", "a", "ab", "abc", "abcd", "abcde", "sixteen chars 16"};

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GByteArray) payload =
            encodeNamed(names[i], -5 - (int)i, G_MAXUINT64 - i, blob, i % 6);
        rpctestNamedArgs dec;
        g_autoptr(GError) err = NULL;

        /* XDR: everything padded to 4 bytes */
        g_assert_cmpuint(payload->len % 4, ==, 0);
        g_assert_cmpuint(payload->len, ==,
                         4 + (strlen(names[i]) + 3) / 4 * 4 + 4 + 8 + 4 + (i % 6 + 3) / 4 * 4);
        g_assert_true(decodeNamed(payload->data, payload->len, &dec, &err));
        g_assert_no_error(err);
        g_assert_cmpstr(dec.name, ==, names[i]);
        g_assert_cmpint(dec.value, ==, -5 - (int)i);
        g_assert_cmpuint(dec.big, ==, G_MAXUINT64 - i);
        g_assert_cmpmem(dec.blob.blob_val, dec.blob.blob_len, blob, i % 6);
        xdr_free((xdrproc_t)xdr_rpctestNamedArgs, (char *)&dec);
    }
}

/* payloads beyond the first 64 KiB buffer grow it; raw stream data is copied verbatim */
static void
testLargePayloads(void)
{
    g_autoptr(ternNetMessage) msg = newCall(RPCTEST_PROG, RPCTEST_PROC_ECHO, 1);
    g_autoptr(ternNetMessage) back = NULL;
    g_autofree char *text = g_strnfill(RPCTEST_ECHO_MAX, 'x');
    rpctestEchoArgs args = {.text = text};
    rpctestEchoArgs dec = {0};
    g_autoptr(GError) err = NULL;
    g_autofree char *raw = g_malloc(TERN_NET_MESSAGE_LEGACY_PAYLOAD_MAX);
    const char *payload;
    size_t len;

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestEchoArgs, &args, &err));
    g_assert_cmpuint(msg->bufferLength, ==, HEADER_END + 4 + RPCTEST_ECHO_MAX);
    back = receive(msg->buffer, msg->bufferLength, &err);
    g_assert_no_error(err);
    g_assert_true(ternNetMessageDecodePayload(back, (xdrproc_t)xdr_rpctestEchoArgs, &dec, &err));
    g_assert_cmpuint(strlen(dec.text), ==, RPCTEST_ECHO_MAX);
    xdr_free((xdrproc_t)xdr_rpctestEchoArgs, (char *)&dec);

    for (size_t i = 0; i < TERN_NET_MESSAGE_LEGACY_PAYLOAD_MAX; i++)
        raw[i] = (char)(i * 7);
    g_clear_pointer(&msg, ternNetMessageFree);
    g_clear_pointer(&back, ternNetMessageFree);
    msg = newCall(RPCTEST_PROG, RPCTEST_PROC_STREAM, 1);
    msg->header.type = TERN_NET_STREAM;
    msg->header.status = TERN_NET_CONTINUE;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(
        ternNetMessageEncodePayloadRaw(msg, raw, TERN_NET_MESSAGE_LEGACY_PAYLOAD_MAX, &err));
    /* the largest chunk libvirt sends: 262120 + 28 = 262148 bytes on the wire */
    g_assert_cmpuint(msg->bufferLength, ==, 262148);
    back = receive(msg->buffer, msg->bufferLength, &err);
    g_assert_no_error(err);
    payload = ternNetMessagePayload(back, &len);
    g_assert_cmpmem(payload, len, raw, TERN_NET_MESSAGE_LEGACY_PAYLOAD_MAX);
}

/* --- limits --- */

static void
testLengthLimits(void)
{
    static const struct {
        guint32 len;
        bool ok;
    } cases[] = {
        {0, false},          {4, false},          {27, false},      {28, true}, {29, true},
        {65536, true},       {33554432, true},    {33554436, true}, /* libvirt 9.0 answered it */
        {33554437, false}, /* libvirt 9.0 reset the connection */
        {0x7fffffff, false}, {0xffffffff, false},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(ternNetMessage) msg = ternNetMessageNew();
        g_autoptr(GError) err = NULL;
        guint32 be = GUINT32_TO_BE(cases[i].len);

        g_assert_cmpuint(msg->bufferLength, ==, 4);
        memcpy(msg->buffer, &be, 4);
        msg->bufferOffset = 4;
        g_assert_cmpint(ternNetMessageDecodeLength(msg, &err), ==, cases[i].ok);
        if (cases[i].ok) {
            g_assert_no_error(err);
            g_assert_cmpuint(msg->bufferLength, ==, cases[i].len);
            g_assert_cmpuint(msg->bufferSize, >=, cases[i].len);
        } else {
            g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
            g_assert_nonnull(strstr(err->message, "28..33554436"));
        }
    }
}

/*
 * The buffer for a packet is as large as its length word says, so a peer
 * picks that allocation: when it cannot be had, the connection fails (and
 * the daemon lives on) rather than GLib aborting the process.
 */
static void
testLengthNoMemory(void)
{
    if (g_test_subprocess()) {
        g_autofree char *status = NULL;
        g_autoptr(ternNetMessage) msg = ternNetMessageNew();
        g_autoptr(GError) err = NULL;
        guint32 be = GUINT32_TO_BE(33554436);
        struct rlimit rl;
        const char *vm;

        /* address space: what we have now plus 8 MiB, well under a 32 MiB packet */
        g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
        vm = strstr(status, "VmSize:");
        g_assert_nonnull(vm);
        rl.rlim_cur = rl.rlim_max =
            (rlim_t)g_ascii_strtoull(vm + strlen("VmSize:"), NULL, 10) * 1024 + 8 * 1024 * 1024;
        g_assert_cmpint(setrlimit(RLIMIT_AS, &rl), ==, 0);

        memcpy(msg->buffer, &be, 4);
        msg->bufferOffset = 4;
        g_assert_false(ternNetMessageDecodeLength(msg, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_NO_MEMORY);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

/* the encoder refuses a packet larger than the protocol allows, and accepts the largest */
static void
testEncodeLimits(void)
{
    g_autoptr(ternNetMessage) msg = newCall(RPCTEST_PROG, RPCTEST_PROC_STREAM, 1);
    g_autoptr(GError) err = NULL;
    g_autofree char *big = g_malloc0(TERN_NET_MESSAGE_PAYLOAD_MAX + 1);
    g_autofree char *name = g_strnfill(RPCTEST_NAME_MAX + 1, 'n');
    rpctestNamedArgs args = {.name = (char *)"x"};

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(ternNetMessageEncodePayloadRaw(msg, big, TERN_NET_MESSAGE_PAYLOAD_MAX, &err));
    g_assert_cmpuint(msg->bufferLength, ==, 33554436);

    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_false(
        ternNetMessageEncodePayloadRaw(msg, big, TERN_NET_MESSAGE_PAYLOAD_MAX + 1, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
    g_clear_error(&err);

    /* XDR payload: 4 + 8 + 4 + 4 bytes of fields + the blob; the largest fits exactly */
    args.blob.blob_val = big;
    args.blob.blob_len = TERN_NET_MESSAGE_PAYLOAD_MAX - 24;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_true(ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, &args, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(msg->bufferLength, ==, 33554436);

    args.blob.blob_len += 4;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_false(ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, &args, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
    g_clear_error(&err);

    /* a string over its declared bound is refused by the encoder too */
    args.blob.blob_len = 0;
    args.name = name;
    g_assert_true(ternNetMessageEncodeHeader(msg, &err));
    g_assert_false(ternNetMessageEncodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, &args, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
}

/* --- hostile payloads --- */

static void
testTruncatedPayload(void)
{
    g_autoptr(GByteArray) good = encodeNamed("hello", 1, 2, "blob", 4);

    /* every proper prefix of a valid payload fails to decode, and frees what it allocated */
    for (guint cut = 0; cut < good->len; cut++) {
        rpctestNamedArgs dec;
        g_autoptr(GError) err = NULL;

        g_assert_false(decodeNamed(good->data, cut, &dec, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        g_assert_null(dec.name);
        g_assert_null(dec.blob.blob_val);
    }
}

static void
testTrailingBytes(void)
{
    g_autoptr(GByteArray) good = encodeNamed("hello", 1, 2, "blob", 4);
    static const guint8 extra[8] = {0};

    for (guint n = 1; n <= sizeof(extra); n++) {
        g_autoptr(GByteArray) pkt = g_byte_array_new();
        rpctestNamedArgs dec;
        g_autoptr(GError) err = NULL;

        g_byte_array_append(pkt, good->data, good->len);
        g_byte_array_append(pkt, extra, n);
        g_assert_false(decodeNamed(pkt->data, pkt->len, &dec, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        g_assert_null(dec.name);
    }

    /* a void procedure with any payload at all */
    {
        g_autoptr(GByteArray) pkt = packetWithPayload(extra, 4);
        g_autoptr(GError) err = NULL;
        g_autoptr(ternNetMessage) msg = receive(pkt->data, pkt->len, &err);

        g_assert_false(ternNetMessageDecodePayload(msg, (xdrproc_t)xdrTestVoid, NULL, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        g_assert_nonnull(strstr(err->message, "trailing"));
    }
}

static void
testStringBound(void)
{
    /* name is string<16>: 16 bytes decode, 17 (or a huge claimed length) do not */
    static const guint32 lengths[] = {17, 1000, 0x7fffffff, 0xffffffff};
    g_autoptr(GByteArray) ok = encodeNamed("0123456789abcdef", 0, 0, NULL, 0);
    rpctestNamedArgs dec;
    g_autoptr(GError) err = NULL;

    g_assert_true(decodeNamed(ok->data, ok->len, &dec, &err));
    g_assert_cmpstr(dec.name, ==, "0123456789abcdef");
    xdr_free((xdrproc_t)xdr_rpctestNamedArgs, (char *)&dec);

    for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
        g_autoptr(GByteArray) payload = g_byte_array_new();
        guint32 be = GUINT32_TO_BE(lengths[i]);
        g_autofree guint8 *body = g_malloc0(20 + 16);

        memset(body, 'a', 20);
        g_byte_array_append(payload, (guint8 *)&be, 4);
        g_byte_array_append(payload, body, 20 + 16); /* 20 chars, then value/big/blob */
        g_clear_error(&err);
        g_assert_false(decodeNamed(payload->data, payload->len, &dec, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        g_assert_null(dec.name);
    }

    /* remote_string bound: 4 MiB; a claimed 4 MiB + 1 is refused before any copy */
    {
        g_autoptr(GByteArray) payload = g_byte_array_new();
        guint32 words[2] = {GUINT32_TO_BE(1), GUINT32_TO_BE(RPCTEST_REMOTE_STRING_MAX + 1)};
        g_autoptr(ternNetMessage) msg = NULL;
        rpctestRemoteConnectOpenArgs co = {0};
        g_autoptr(GByteArray) pkt = NULL;

        g_byte_array_append(payload, (guint8 *)words, sizeof(words));
        pkt = packetWithPayload(payload->data, payload->len);
        g_clear_error(&err);
        msg = receive(pkt->data, pkt->len, &err);
        g_assert_false(ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_rpctestRemoteConnectOpenArgs,
                                                   &co, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
        g_assert_null(co.name);
    }
}

/* a header that does not fit, a packet shorter than a header */
static void
testShortHeader(void)
{
    g_autoptr(ternNetMessage) msg = ternNetMessageNew();
    g_autoptr(GError) err = NULL;

    msg->bufferLength = 20;
    g_assert_false(ternNetMessageDecodeHeader(msg, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
}

/* random bytes through every decoder: no crash, no leak, always a clean verdict */
static void
testGarbage(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x7e2a);
    guint ok = 0, refused = 0;

    for (int iter = 0; iter < 20000; iter++) {
        guint8 buf[128];
        size_t len = HEADER_END + (size_t)g_rand_int_range(rand, 0, 100);
        g_autoptr(ternNetMessage) msg = NULL;
        g_autoptr(GError) err = NULL;
        guint32 be = GUINT32_TO_BE((guint32)len);
        rpctestNamedArgs named = {0};
        ternNetMessageError rerr = {0};
        rpctestRemoteConnectOpenArgs co = {0};
        rpctestRemoteAuthListRet al = {0};

        for (size_t i = 0; i < len; i++)
            buf[i] = (guint8)g_rand_int(rand);
        /* small numbers make more decoders get further */
        for (size_t i = HEADER_END; i + 4 <= len; i += 4) {
            if (g_rand_boolean(rand)) {
                guint32 v = GUINT32_TO_BE(g_rand_int_range(rand, 0, 40));
                memcpy(buf + i, &v, 4);
            }
        }
        memcpy(buf, &be, 4);
        msg = receive(buf, len, &err);
        g_assert_no_error(err);

        switch (iter % 4) {
        case 0:
            if (ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_rpctestNamedArgs, &named, &err)) {
                ok++;
                xdr_free((xdrproc_t)xdr_rpctestNamedArgs, (char *)&named);
            }
            break;
        case 1:
            if (ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_ternNetMessageError, &rerr, &err)) {
                ok++;
                xdr_free((xdrproc_t)xdr_ternNetMessageError, (char *)&rerr);
            }
            break;
        case 2:
            if (ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_rpctestRemoteConnectOpenArgs, &co,
                                            &err)) {
                ok++;
                xdr_free((xdrproc_t)xdr_rpctestRemoteConnectOpenArgs, (char *)&co);
            }
            break;
        case 3:
            if (ternNetMessageDecodePayload(msg, (xdrproc_t)xdr_rpctestRemoteAuthListRet, &al,
                                            &err)) {
                ok++;
                xdr_free((xdrproc_t)xdr_rpctestRemoteAuthListRet, (char *)&al);
            }
            break;
        }
        if (err) {
            g_assert_error(err, ternErrorQuark(TERN_FROM_RPC), TERN_ERR_RPC);
            refused++;
        }
    }
    g_test_message("garbage: %u decoded, %u refused", ok, refused);
    g_assert_cmpuint(refused, >, 0);
}

/* --- queue --- */

static void
testQueue(void)
{
    ternNetMessage *q = NULL;
    ternNetMessage *m[3];

    for (int i = 0; i < 3; i++) {
        m[i] = ternNetMessageNew();
        m[i]->header.serial = (unsigned)i;
        ternNetMessageQueuePush(&q, m[i]);
    }
    for (int i = 0; i < 3; i++) {
        ternNetMessage *got = ternNetMessageQueuePop(&q);
        g_assert_true(got == m[i]);
        g_assert_null(got->next);
        ternNetMessageFree(got);
    }
    g_assert_null(ternNetMessageQueuePop(&q));
    ternNetMessageFree(NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/rpc/message/wire/auth-list-call", testAuthListCall);
    g_test_add_func("/rpc/message/wire/auth-list-reply", testAuthListReply);
    g_test_add_func("/rpc/message/wire/connect-open-call", testConnectOpenCall);
    g_test_add_func("/rpc/message/wire/keepalive", testKeepalivePackets);
    g_test_add_func("/rpc/message/wire/unknown-procedure", testUnknownProcedureError);
    g_test_add_func("/rpc/message/error-round-trip", testErrorRoundTrip);
    g_test_add_func("/rpc/message/header-round-trip", testHeaderRoundTrip);
    g_test_add_func("/rpc/message/payload-round-trip", testPayloadRoundTrip);
    g_test_add_func("/rpc/message/large-payloads", testLargePayloads);
    g_test_add_func("/rpc/message/limits/length", testLengthLimits);
    g_test_add_func("/rpc/message/limits/length-no-memory", testLengthNoMemory);
    g_test_add_func("/rpc/message/limits/encode", testEncodeLimits);
    g_test_add_func("/rpc/message/hostile/truncated", testTruncatedPayload);
    g_test_add_func("/rpc/message/hostile/trailing-bytes", testTrailingBytes);
    g_test_add_func("/rpc/message/hostile/string-bound", testStringBound);
    g_test_add_func("/rpc/message/hostile/short-header", testShortHeader);
    g_test_add_func("/rpc/message/hostile/garbage", testGarbage);
    g_test_add_func("/rpc/message/queue", testQueue);
    return g_test_run();
}
