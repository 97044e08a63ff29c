/* ternnetserverpriv.h: what ternnetserver.c and ternnetserverclient.c share, nothing else */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef TERN_NET_SERVER_PRIV_H_ALLOW
# error "ternnetserverpriv.h is private to the RPC server"
#endif

#include "rpc/ternnetserver.h"

/*
 * Outgoing bytes queued for one client above which stream senders wait and
 * the client's socket is no longer read (a peer that sends calls or PINGs
 * but never reads the replies). Each queued packet also counts
 * TERN_NET_SERVER_CLIENT_TX_PACKET_COST, so tiny packets are bounded too.
 */
#define TERN_NET_SERVER_CLIENT_TX_LIMIT (8 * 1024 * 1024)
#define TERN_NET_SERVER_CLIENT_TX_PACKET_COST 128
/* Packets handled per wakeup before the loop serves other clients. */
#define TERN_NET_SERVER_CLIENT_RX_BURST 32

struct _ternNetServer {
    ternNetServerConfig cfg;
    GMainContext *ctx;
    ternNetServerClientHooks hooks;

    GMutex lock;                /* programs, clients, listeners */
    GPtrArray *programs;        /* const ternNetServerProgram * */
    GPtrArray *clients;         /* ternNetServerClient *, one reference each */
    GPtrArray *listeners;       /* ternNetServerListener * */
    GThreadPool *workers;
    GSource *keepaliveTimer;
    guint nextClientId;
    bool shuttingDown;
};

/* called by the listener on the loop thread with a connected, non-blocking fd */
ternNetServerClient *ternNetServerClientNew(ternNetServer *srv, int fd, bool readonly,
                                            const char *desc);
/* the loop thread's periodic keepalive check */
void ternNetServerClientKeepAliveTick(ternNetServerClient *client, gint64 nowMs);
/* find the program serving prog/vers (NULL if none) */
const ternNetServerProgram *ternNetServerFindProgram(ternNetServer *srv, unsigned prog,
                                                     unsigned vers);
/* run @msg (a decoded CALL header) on a worker; takes ownership and a client reference */
void ternNetServerQueueCall(ternNetServer *srv, ternNetServerClient *client,
                            const ternNetServerProgram *prog, ternNetMessage *msg);
/* remove a closed client from the server's list (drops the list's reference) */
void ternNetServerRemoveClient(ternNetServer *srv, ternNetServerClient *client);
/* the worker is done with one call of @client */
void ternNetServerClientCallDone(ternNetServerClient *client);
/* build and queue an error REPLY to @call */
void ternNetServerClientReplyError(ternNetServerClient *client, const ternNetMessageHeader *call,
                                   const GError *err);
/*
 * the REPLY to @call is queued (@err NULL) or the call failed (@err): the
 * streams the handler opened may start sending, or fail
 */
void ternNetServerClientCallReplied(ternNetServerClient *client, const ternNetMessageHeader *call,
                                    const GError *err);
