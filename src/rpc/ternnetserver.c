/* ternnetserver.c: the RPC server: listeners, programs and the worker pool */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#define TERN_NET_SERVER_PRIV_H_ALLOW
#include "rpc/ternnetserverpriv.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

typedef struct {
    ternNetServer *srv;
    int fd;
    bool readonly;
    bool unixSocket;
    char *path; /* UNIX socket file, removed at shutdown */
    GSource *source;
} ternNetServerListener;

typedef struct {
    ternNetServerClient *client;
    const ternNetServerProgram *prog;
    ternNetMessage *msg;
} ternNetServerJob;

static void ternNetServerWorker(gpointer data, gpointer user_data);
static gboolean ternNetServerKeepAliveTimer(gpointer opaque);

ternNetServer *
ternNetServerNew(const ternNetServerConfig *cfg, GMainContext *ctx,
                 const ternNetServerClientHooks *hooks, GError **error)
{
    ternNetServer *srv = g_new0(ternNetServer, 1);
    GError *err = NULL;

    srv->cfg = *cfg;
    if (srv->cfg.maxWorkers == 0)
        srv->cfg.maxWorkers = 1;
    if (srv->cfg.maxClientRequests == 0)
        srv->cfg.maxClientRequests = 1;
    srv->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref(g_main_context_default());
    if (hooks)
        srv->hooks = *hooks;
    g_mutex_init(&srv->lock);
    srv->programs = g_ptr_array_new();
    srv->clients = g_ptr_array_new();
    srv->listeners = g_ptr_array_new();

    srv->workers = g_thread_pool_new(ternNetServerWorker, srv, (gint)srv->cfg.maxWorkers, TRUE,
                                     &err);
    if (!srv->workers) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR,
                     "cannot start %u worker threads: %s", srv->cfg.maxWorkers, err->message);
        g_clear_error(&err);
        ternNetServerFree(srv);
        return NULL;
    }

    srv->keepaliveTimer = g_timeout_source_new(1000);
    g_source_set_callback(srv->keepaliveTimer, ternNetServerKeepAliveTimer, srv, NULL);
    g_source_set_name(srv->keepaliveTimer, "rpc-keepalive");
    g_source_attach(srv->keepaliveTimer, srv->ctx);
    return srv;
}

void
ternNetServerAddProgram(ternNetServer *srv, const ternNetServerProgram *prog)
{
    g_mutex_lock(&srv->lock);
    g_ptr_array_add(srv->programs, (gpointer)prog);
    g_mutex_unlock(&srv->lock);
}

const ternNetServerProgram *
ternNetServerFindProgram(ternNetServer *srv, unsigned prog, unsigned vers)
{
    const ternNetServerProgram *found = NULL;

    g_mutex_lock(&srv->lock);
    for (guint i = 0; i < srv->programs->len; i++) {
        const ternNetServerProgram *p = g_ptr_array_index(srv->programs, i);
        if (p->prog == prog && p->vers == vers) {
            found = p;
            break;
        }
    }
    g_mutex_unlock(&srv->lock);
    return found;
}

/* --- listeners --- */

static char *
describePeer(int fd, bool unixSocket)
{
    if (unixSocket) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            return g_strdup_printf("unix uid=%u gid=%u pid=%d", (unsigned)cred.uid,
                                   (unsigned)cred.gid, (int)cred.pid);
        return g_strdup("unix");
    }

    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        return g_strdup_printf("tcp %s:%s", host, serv);
    return g_strdup("tcp");
}

static gboolean
ternNetServerListenerAccept(gint fd, GIOCondition cond, gpointer opaque)
{
    ternNetServerListener *lst = opaque;
    ternNetServer *srv = lst->srv;

    for (int i = 0; i < 16; i++) {
        TERN_AUTOCLOSE cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        g_autofree char *desc = NULL;
        guint nclients;

        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                TERN_WARN("accept failed: %s", g_strerror(errno));
            break;
        }
        desc = describePeer(cfd, lst->unixSocket);
        nclients = ternNetServerClientCount(srv);
        if (srv->shuttingDown || nclients >= srv->cfg.maxClients) {
            TERN_WARN("refusing client %s: %u clients connected, max_clients is %u", desc,
                      nclients, srv->cfg.maxClients);
            continue; /* closed by TERN_AUTOCLOSE */
        }
        if (!lst->unixSocket) {
            int one = 1;
            setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        TERN_INFO("new client %s%s", desc, lst->readonly ? " (read-only)" : "");
        ternNetServerClientNew(srv, g_steal_fd(&cfd), lst->readonly, desc);
    }
    return G_SOURCE_CONTINUE;
}

static void
ternNetServerAddListener(ternNetServer *srv, int fd, bool readonly, bool unixSocket,
                         const char *path)
{
    ternNetServerListener *lst = g_new0(ternNetServerListener, 1);
    g_autofree char *name = g_strdup_printf("rpc-listen-%d", fd);

    lst->srv = srv;
    lst->fd = fd;
    lst->readonly = readonly;
    lst->unixSocket = unixSocket;
    lst->path = g_strdup(path);
    lst->source = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(lst->source, (GSourceFunc)(void (*)(void))ternNetServerListenerAccept,
                          lst, NULL);
    g_source_set_name(lst->source, name);
    g_source_attach(lst->source, srv->ctx);

    g_mutex_lock(&srv->lock);
    g_ptr_array_add(srv->listeners, lst);
    g_mutex_unlock(&srv->lock);
}

bool
ternNetServerAddListenerUNIX(ternNetServer *srv, const char *path, unsigned int perms,
                             bool readonly, GError **error)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    TERN_AUTOCLOSE fd = -1;
    mode_t oldmask;
    int rc;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                     "UNIX socket path '%s' is longer than %zu bytes", path,
                     sizeof(sa.sun_path) - 1);
        return false;
    }
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, errno, "cannot create UNIX socket");
        return false;
    }
    /* a socket file left by a daemon that died; a live daemon would answer a connect */
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool alive = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        ternForceClose(probe);
        if (alive) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_OPERATION_FAILED,
                         "another daemon is already listening on '%s'", path);
            return false;
        }
        unlink(path);
    }
    oldmask = umask(~perms & 0777);
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(oldmask);
    if (rc < 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, errno, "cannot bind UNIX socket '%s'", path);
        return false;
    }
    if (chmod(path, perms) < 0 || listen(fd, 128) < 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, errno, "cannot listen on UNIX socket '%s'",
                           path);
        return false;
    }
    ternNetServerAddListener(srv, g_steal_fd(&fd), readonly, true, path);
    TERN_INFO("listening on %s%s", path, readonly ? " (read-only)" : "");
    return true;
}

bool
ternNetServerAddListenerTCP(ternNetServer *srv, const char *addr, const char *port,
                            GError **error)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_ADDRCONFIG,
    };
    struct addrinfo *res = NULL;
    int rc, nbound = 0, lastErrno = 0;

    if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                     "cannot resolve listen address '%s' port '%s': %s", addr ? addr : "*",
                     port, gai_strerror(rc));
        return false;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        TERN_AUTOCLOSE fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                   ai->ai_protocol);
        int one = 1;

        if (fd < 0) {
            lastErrno = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
            lastErrno = errno;
            continue;
        }
        ternNetServerAddListener(srv, g_steal_fd(&fd), false, false, NULL);
        nbound++;
    }
    freeaddrinfo(res);
    if (nbound == 0) {
        ternErrorSetSystem(error, TERN_FROM_RPC, lastErrno ? lastErrno : EADDRNOTAVAIL,
                           "cannot listen on TCP address '%s' port '%s'", addr ? addr : "*",
                           port);
        return false;
    }
    TERN_INFO("listening on TCP %s:%s", addr ? addr : "*", port);
    return true;
}

/* --- clients --- */

guint
ternNetServerClientCount(ternNetServer *srv)
{
    guint n;
    g_mutex_lock(&srv->lock);
    n = srv->clients->len;
    g_mutex_unlock(&srv->lock);
    return n;
}

void
ternNetServerRemoveClient(ternNetServer *srv, ternNetServerClient *client)
{
    bool found;

    g_mutex_lock(&srv->lock);
    found = g_ptr_array_remove(srv->clients, client);
    g_mutex_unlock(&srv->lock);
    if (found)
        ternNetServerClientUnref(client);
}

static gboolean
ternNetServerKeepAliveTimer(gpointer opaque)
{
    ternNetServer *srv = opaque;
    g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func(
        (GDestroyNotify)(void (*)(void))ternNetServerClientUnref);
    gint64 now = ternMonotonicMs();

    g_mutex_lock(&srv->lock);
    for (guint i = 0; i < srv->clients->len; i++)
        g_ptr_array_add(clients, ternNetServerClientRef(g_ptr_array_index(srv->clients, i)));
    g_mutex_unlock(&srv->lock);

    for (guint i = 0; i < clients->len; i++)
        ternNetServerClientKeepAliveTick(g_ptr_array_index(clients, i), now);
    return G_SOURCE_CONTINUE;
}

/* --- calls --- */

void
ternNetServerQueueCall(ternNetServer *srv, ternNetServerClient *client,
                       const ternNetServerProgram *prog, ternNetMessage *msg)
{
    ternNetServerJob *job = g_new0(ternNetServerJob, 1);

    job->client = ternNetServerClientRef(client);
    job->prog = prog;
    job->msg = msg;
    /* a call that only reads memory costs less than the hop to a worker and back */
    if (prog->procs[msg->header.proc].inLoop)
        ternNetServerWorker(job, srv);
    else
        g_thread_pool_push(srv->workers, job, NULL);
}

static void
ternNetServerWorker(gpointer data, gpointer user_data)
{
    ternNetServerJob *job = data;
    ternNetServer *srv = user_data;
    ternNetServerClient *client = job->client;
    g_autoptr(ternNetMessage) msg = job->msg;
    const ternNetMessageHeader call = msg->header;
    const ternNetServerProc *proc = &job->prog->procs[call.proc];
    g_autofree void *args = g_malloc0(proc->argsSize ? proc->argsSize : 1);
    g_autofree void *ret = g_malloc0(proc->retSize ? proc->retSize : 1);
    g_autoptr(GError) err = NULL;
    bool haveRet = false;

    g_free(job);

    if (ternNetServerClientIsClosed(client))
        goto done;

    if (!ternNetMessageDecodePayload(msg, proc->argsFilter, args, &err))
        goto reply;

    TERN_DEBUG("client %s: proc %s serial %u", ternNetServerClientDescribe(client), proc->name,
               call.serial);
    if (proc->func(srv, client, &call, args, ret, &err) < 0) {
        if (!err)
            ternErrorSet(&err, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR,
                         "%s failed without reporting why", proc->name);
    } else {
        haveRet = true;
    }
    xdr_free(proc->argsFilter, (char *)args);

 reply:
    if (!err) {
        ternNetMessage *reply = ternNetMessageNew();
        reply->header = call;
        reply->header.type = TERN_NET_REPLY;
        reply->header.status = TERN_NET_OK;
        if (ternNetMessageEncodeHeader(reply, &err) &&
            ternNetMessageEncodePayload(reply, proc->retFilter, ret, &err)) {
            ternNetServerClientSend(client, reply);
        } else {
            ternNetMessageFree(reply);
        }
    }
    if (haveRet)
        xdr_free(proc->retFilter, (char *)ret);
    if (err)
        ternNetServerClientReplyError(client, &call, err);
    /* only now may the streams the handler opened send: no STREAM packet before the REPLY */
    ternNetServerClientCallReplied(client, &call, err);

 done:
    ternNetServerClientCallDone(client);
    ternNetServerClientUnref(client);
}

void
ternNetServerShutdown(ternNetServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;

    srv->shuttingDown = true;
    g_mutex_lock(&srv->lock);
    for (guint i = 0; i < srv->listeners->len; i++) {
        ternNetServerListener *lst = g_ptr_array_index(srv->listeners, i);
        g_source_destroy(lst->source);
        g_source_unref(lst->source);
        ternForceClose(lst->fd);
        if (lst->path)
            unlink(lst->path);
        g_free(lst->path);
        g_free(lst);
    }
    g_ptr_array_set_size(srv->listeners, 0);
    clients = g_ptr_array_copy(srv->clients, NULL, NULL);
    g_mutex_unlock(&srv->lock);

    for (guint i = 0; i < clients->len; i++)
        ternNetServerClientClose(g_ptr_array_index(clients, i));

    /*
     * let the loop tear the closed clients down first: that fails their
     * streams, so a call blocked on one wakes up instead of keeping the
     * pool (and us) waiting forever
     */
    for (int i = 0; i < 100 && ternNetServerClientCount(srv) > 0; i++)
        g_main_context_iteration(srv->ctx, FALSE);

    /* let running calls finish; their replies go nowhere */
    if (srv->workers) {
        g_thread_pool_free(srv->workers, FALSE, TRUE);
        srv->workers = NULL;
    }
}

void
ternNetServerFree(ternNetServer *srv)
{
    if (!srv)
        return;
    if (srv->workers)
        g_thread_pool_free(srv->workers, FALSE, TRUE);
    if (srv->keepaliveTimer) {
        g_source_destroy(srv->keepaliveTimer);
        g_source_unref(srv->keepaliveTimer);
    }
    g_mutex_lock(&srv->lock);
    while (srv->clients->len > 0) {
        ternNetServerClient *c = g_ptr_array_steal_index(srv->clients, srv->clients->len - 1);
        g_mutex_unlock(&srv->lock);
        ternNetServerClientClose(c);
        ternNetServerClientUnref(c);
        g_mutex_lock(&srv->lock);
    }
    g_mutex_unlock(&srv->lock);
    g_ptr_array_free(srv->clients, TRUE);
    g_ptr_array_free(srv->programs, TRUE);
    g_ptr_array_free(srv->listeners, TRUE);
    g_main_context_unref(srv->ctx);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}
