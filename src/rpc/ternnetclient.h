/* ternnetclient.h: the client end of an RPC connection: calls, events, streams, keepalive */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/ternnetmessage.h"
#include "rpc/ternnetstream.h"

/*
 * A connection owns one I/O thread that reads and writes the socket,
 * answers keepalive PINGs, matches REPLYs to waiting calls by serial (so
 * several threads may have calls outstanding at once and replies may come
 * in any order), routes STREAM packets and hands MESSAGEs (events) to a
 * handler. Callers block in ternNetClientCall until their reply arrives or
 * the connection dies.
 */
typedef struct _ternNetClient ternNetClient;

/* Called on the I/O thread for each MESSAGE that is not keepalive; must not block. */
typedef void (*ternNetClientEventFunc)(ternNetClient *client, ternNetMessage *msg,
                                       void *opaque);
/* Called on the I/O thread once when the connection closes. */
typedef void (*ternNetClientCloseFunc)(ternNetClient *client, const char *reason,
                                       void *opaque);

/** ternNetClientNewUNIX: connect to the UNIX socket @path. */
ternNetClient *ternNetClientNewUNIX(const char *path, GError **error);
/** ternNetClientNewTCP: connect to @host:@port (blocking, bounded by the system timeout). */
ternNetClient *ternNetClientNewTCP(const char *host, const char *port, GError **error);

ternNetClient *ternNetClientRef(ternNetClient *client);
/** Returns NULL. The last reference closes the connection and joins the I/O thread. */
ternNetClient *ternNetClientUnref(ternNetClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternNetClient, ternNetClientUnref)

/** Set before any call; @opaque is borrowed. */
void ternNetClientSetEventHandler(ternNetClient *client, ternNetClientEventFunc func,
                                  void *opaque);
void ternNetClientSetCloseHandler(ternNetClient *client, ternNetClientCloseFunc func,
                                  void *opaque);

/**
 * ternNetClientSetKeepAlive: after @interval seconds without traffic send a
 * PING; after @count unanswered PINGs declare the peer dead and close.
 * @interval <= 0 turns it off.
 */
void ternNetClientSetKeepAlive(ternNetClient *client, int interval, unsigned int count);

/**
 * ternNetClientCall: send a CALL and wait for its REPLY. @ret (zeroed by
 * the caller) is decoded on success; an ERROR reply becomes *error with the
 * peer's code and message ("unknown procedure" maps to NO_SUPPORT).
 */
bool ternNetClientCall(ternNetClient *client, unsigned prog, unsigned vers, int proc,
                       xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret,
                       GError **error);

/**
 * ternNetClientCallStream: like ternNetClientCall for a stream-opening
 * procedure; on success *stream is the stream (caller owns a reference).
 * STREAM packets that arrive before the reply are kept for it.
 */
bool ternNetClientCallStream(ternNetClient *client, unsigned prog, unsigned vers, int proc,
                             xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret,
                             ternNetStream **stream, GError **error);

/** ternNetClientIsOpen: false once the connection closed. */
bool ternNetClientIsOpen(ternNetClient *client);
/** ternNetClientClose: close now; waiting calls fail. */
void ternNetClientClose(ternNetClient *client);
