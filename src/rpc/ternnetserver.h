/* ternnetserver.h: the RPC server: listeners, clients, programs and the worker pool */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc/ternnetmessage.h"
#include "rpc/ternnetstream.h"

typedef struct _ternNetServer ternNetServer;
typedef struct _ternNetServerClient ternNetServerClient;

/*
 * A procedure handler runs on a worker thread. It fills @ret (zeroed,
 * retSize bytes) and returns 0, or sets @error and returns -1; the server
 * then sends the REPLY (OK with @ret, or ERROR with @error) and frees both.
 * @call is the CALL's header (its serial identifies a stream it opens).
 */
typedef int (*ternNetServerDispatchFunc)(ternNetServer *srv, ternNetServerClient *client,
                                         const ternNetMessageHeader *call, void *args,
                                         void *ret, GError **error);

typedef struct {
    const char *name;
    ternNetServerDispatchFunc func; /* NULL: "unknown procedure" */
    size_t argsSize;
    xdrproc_t argsFilter;
    size_t retSize;
    xdrproc_t retFilter;
    bool beforeAuth; /* allowed before authentication (AUTH_LIST, SASL steps) */
    bool readOnlyOK; /* allowed on read-only sockets */
    bool inLoop;     /* never blocks (memory only): run on the loop thread, no worker hop */
} ternNetServerProc;

/* A program: procedures indexed by number (gaps have func == NULL). */
typedef struct {
    unsigned int prog;
    unsigned int vers;
    const ternNetServerProc *procs;
    size_t nprocs;
} ternNetServerProgram;

typedef struct {
    unsigned int maxClients;        /* refuse connections beyond this */
    unsigned int minWorkers;
    unsigned int maxWorkers;
    unsigned int maxClientRequests; /* calls in flight per client before reading pauses */
    int keepaliveInterval;          /* seconds; <= 0 disables */
    unsigned int keepaliveCount;
} ternNetServerConfig;

/* Hooks for the program layer's per-client state. */
typedef struct {
    void *(*clientNew)(ternNetServerClient *client);   /* → private data */
    void (*clientClosed)(ternNetServerClient *client); /* connection gone; still referenced */
    void (*clientFree)(void *priv);                    /* last reference dropped */
} ternNetServerClientHooks;

/**
 * ternNetServerNew: a server whose sockets are served by the main loop of
 * @ctx (NULL = the default context). Workers are started at once.
 */
ternNetServer *ternNetServerNew(const ternNetServerConfig *cfg, GMainContext *ctx,
                                const ternNetServerClientHooks *hooks, GError **error);
/** ternNetServerAddProgram: serve @prog (borrowed; must outlive the server). */
void ternNetServerAddProgram(ternNetServer *srv, const ternNetServerProgram *prog);
/**
 * ternNetServerAddListenerUNIX: listen on the UNIX socket @path (replacing a
 * stale socket file) with permissions @perms; clients of a @readonly socket
 * may only call readOnlyOK procedures.
 */
bool ternNetServerAddListenerUNIX(ternNetServer *srv, const char *path, unsigned int perms,
                                  bool readonly, GError **error);
/** ternNetServerAddListenerTCP: listen on @addr (NULL = all) port @port. */
bool ternNetServerAddListenerTCP(ternNetServer *srv, const char *addr, const char *port,
                                 GError **error);
/** ternNetServerClientCount: clients connected now. */
guint ternNetServerClientCount(ternNetServer *srv);
/**
 * ternNetServerShutdown: stop listening, close every client and wait for
 * running calls to end. Call on the main loop thread.
 */
void ternNetServerShutdown(ternNetServer *srv);
void ternNetServerFree(ternNetServer *srv);

/* --- clients --- */

ternNetServerClient *ternNetServerClientRef(ternNetServerClient *client);
/** Returns NULL. */
ternNetServerClient *ternNetServerClientUnref(ternNetServerClient *client);
void *ternNetServerClientGetPrivate(ternNetServerClient *client);
bool ternNetServerClientIsReadonly(ternNetServerClient *client);
/** A short description for logs: "unix uid=0 gid=0 pid=12", "tcp 192.0.2.1:4321". */
const char *ternNetServerClientDescribe(ternNetServerClient *client);
/**
 * ternNetServerClientSend: queue @msg (a complete packet; ownership taken)
 * for the client. Thread-safe; never blocks. Fails if the client is closed.
 */
bool ternNetServerClientSend(ternNetServerClient *client, ternNetMessage *msg);
/** ternNetServerClientStartKeepAlive: ping this client when it is idle (libvirt starts
 *  this when the client asks for feature PROGRAM_KEEPALIVE). */
void ternNetServerClientStartKeepAlive(ternNetServerClient *client);
/** ternNetServerClientClose: close the connection (thread-safe). */
void ternNetServerClientClose(ternNetServerClient *client);
bool ternNetServerClientIsClosed(ternNetServerClient *client);
/**
 * ternNetServerClientAddStream: STREAM packets for @call now go to a new
 * stream, returned with one reference for the caller. Call from the
 * handler of a stream-capable procedure, and hand the stream to another
 * thread: nothing is sent on it until the REPLY to @call is queued (so
 * Send and Finish block until the handler has returned), and the client
 * sends nothing before it has that REPLY. If the call fails, so does the
 * stream.
 */
ternNetStream *ternNetServerClientAddStream(ternNetServerClient *client,
                                            const ternNetMessageHeader *call);
