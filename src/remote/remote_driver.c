/* remote_driver.c: the client-side hypervisor driver: libtern's calls as libvirt RPC to a daemon */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <limits.h>
#include <string.h>

#define TERN_REMOTE_DRIVER_PRIV_ALLOW
#include "hypervisor/driver.h"
#include "remote/remote_driver.h"
#include "remote/remote_protocol.h"
#include "remote/remote_typedparam.h"
#include "remote/remote_uri.h"
#include "rpc/ternnetclient.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternuri.h"

/*
 * Every method is one REMOTE call (a few fall back on an older procedure
 * when the daemon answers NO_SUPPORT, as libvirt.so does). Errors the
 * daemon sends arrive as GErrors with its code, domain and message and are
 * passed on unchanged.
 *
 * Events: each local registration is one server registration (316); the
 * daemon's callbackID routes a MESSAGE to exactly one local callback. The
 * RPC client's I/O thread only decodes MESSAGEs and queues them; the
 * per-connection "remote-events" thread makes the domain handle and calls
 * the callback, so a slow callback never stalls replies or keepalive.
 *
 * Locking: remotePrivate.lock guards the mutable fields; it is never held
 * across an RPC or a callback.
 */

/* libvirt's virConnectDomainEventMigrationIterationCallback; tern-event.h has no name for it. */
typedef void (*remoteDomainEventMigrationIterationCallback)(ternConnect *conn, ternDomain *dom,
                                                            int iteration, void *opaque);

/* One local registration, mapped to one registration in the daemon. */
typedef struct {
    int localID;  /* what the caller sees */
    int serverID; /* the daemon's callbackID */
    int eventID;
    ternConnectDomainEventGenericCallback cb;
    void *opaque;
    ternFreeCallback freecb;
    bool deregistering; /* a thread is sending DEREGISTER_ANY for it */
    bool removed;       /* deregistered inside its own callback: freed when that returns */
} remoteEventReg;

/* One event MESSAGE, decoded on the I/O thread, waiting for the dispatch thread. */
typedef struct {
    int proc; /* 0: no event, just wakes the thread (the connection is closing) */
    int callbackID;
    char *name;
    unsigned char uuid[TERN_UUID_BUFLEN];
    int id;
    int event;  /* lifecycle: event; migration iteration: iteration */
    int detail; /* lifecycle: detail */
    ternTypedParameter *params; /* job completed: the statistics */
    int nparams;
} remoteEvent;

typedef struct {
    GMutex lock; /* the fields marked "locked" */
    GCond cond;  /* pendingRegs dropped, or a callback returned */

    ternConnect *conn;       /* locked; borrowed, NULL once closing */
    ternNetClient *client;   /* set at open, dropped at close */
    char *uri;               /* the URI opened, for messages */
    bool keepAliveSupported; /* the daemon said yes to PROGRAM_KEEPALIVE */
    bool eventCallbacks;     /* the daemon said yes to REMOTE_EVENT_CALLBACK */
    int kaInterval;          /* locked: what the RPC client was told */
    unsigned int kaCount;    /* locked */
    char *type;              /* locked: connectGetType's answer, kept for its const char * */

    GPtrArray *regs;          /* locked: remoteEventReg *, owned */
    int nextLocalID;          /* locked */
    unsigned int pendingRegs; /* locked: REGISTER_ANY calls in flight */
    remoteEventReg *running;  /* locked: whose callback the dispatch thread is in */
    GThread *thread;          /* locked: "remote-events", started by the first registration */
    bool quit;                /* locked: the connection is closing */
    bool selfClose;           /* locked: closed on the dispatch thread, which frees us */
    GAsyncQueue *queue;       /* remoteEvent *, from the I/O thread to the dispatch thread */
    guint dropped;            /* atomic: events dropped because the queue was full */
} remotePrivate;

/* The XDR filter of a type; "void" gives xdr_void (declared without parameters, hence the cast). */
#define REMOTE_XDR(type) ((xdrproc_t)(void (*)(void))xdr_##type)

#define REMOTE_CALL(priv, proc, argsT, args, retT, ret, error)                                     \
    ternNetClientCall((priv)->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_##proc, \
                      REMOTE_XDR(argsT), (args), REMOTE_XDR(retT), (ret), (error))

#define REMOTE_FREE(retT, ret) xdr_free(REMOTE_XDR(retT), (char *)(ret))

/* A generic callback pointer back to its real type (see TERN_DOMAIN_EVENT_CALLBACK). */
#define REMOTE_EVENT_CB(type, cb) ((type)(void (*)(void))(cb))

/* The events this driver can decode and type: event ID → callback MESSAGE procedure. */
typedef struct {
    int eventID;
    int proc;
    const char *name;
} remoteEventInfo;

static const remoteEventInfo remoteEventTable[] = {
    {TERN_DOMAIN_EVENT_ID_LIFECYCLE, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, "lifecycle"},
    {TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
     REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION, "migration-iteration"},
    {TERN_DOMAIN_EVENT_ID_JOB_COMPLETED, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
     "job-completed"},
};

static const remoteEventInfo *
remoteEventInfoByID(int eventID)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remoteEventTable); i++) {
        if (remoteEventTable[i].eventID == eventID)
            return &remoteEventTable[i];
    }
    return NULL;
}

static const remoteEventInfo *
remoteEventInfoByProc(int proc)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remoteEventTable); i++) {
        if (remoteEventTable[i].proc == proc)
            return &remoteEventTable[i];
    }
    return NULL;
}

/* --- private data --- */

static void
remoteEventFree(void *opaque)
{
    remoteEvent *ev = opaque;

    if (!ev)
        return;
    ternTypedParamsFree(ev->params, ev->nparams);
    g_free(ev->name);
    g_free(ev);
}

static void
remoteEventRegFree(remoteEventReg *reg)
{
    if (reg->freecb)
        reg->freecb(reg->opaque);
    g_free(reg);
}

static remotePrivate *
remotePrivateNew(ternConnect *conn, const char *uri)
{
    remotePrivate *priv = g_new0(remotePrivate, 1);

    g_mutex_init(&priv->lock);
    g_cond_init(&priv->cond);
    priv->conn = conn;
    priv->uri = g_strdup(uri);
    priv->regs = g_ptr_array_new();
    priv->queue = g_async_queue_new_full(remoteEventFree);
    return priv;
}

/*
 * Frees what is left: the RPC client (joining its I/O thread, so no event
 * handler runs any more), queued events, remaining registrations (calling
 * their freecb). Never joins the dispatch thread: remoteConnectClose does.
 */
static void
remotePrivateFree(remotePrivate *priv)
{
    if (!priv)
        return;
    priv->client = ternNetClientUnref(priv->client);
    for (guint i = 0; i < priv->regs->len; i++)
        remoteEventRegFree(g_ptr_array_index(priv->regs, i));
    g_ptr_array_free(priv->regs, TRUE);
    g_async_queue_unref(priv->queue);
    g_free(priv->type);
    g_free(priv->uri);
    g_mutex_clear(&priv->lock);
    g_cond_clear(&priv->cond);
    g_free(priv);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(remotePrivate, remotePrivateFree)

static remotePrivate *
remotePrivOfDomain(ternDomain *dom)
{
    return dom->conn->privateData;
}

/* --- domains on the wire --- */

/* borrows dom->name: never xdr_free a struct filled by this */
static void
remoteDomainToWire(remote_nonnull_domain *out, const ternDomain *dom)
{
    out->name = dom->name;
    memcpy(out->uuid, dom->uuid, TERN_UUID_BUFLEN);
    out->id = dom->id;
}

static ternDomain *
remoteDomainFromWire(ternConnect *conn, const remote_nonnull_domain *in)
{
    return ternDomainNew(conn, in->name, (const unsigned char *)in->uuid, in->id);
}

/* --- opening --- */

static const char *
remoteSocketDir(void)
{
    const char *dir = g_getenv(REMOTE_DRIVER_SOCKET_DIR_ENV);

    return dir && *dir ? dir : TERN_RUNSTATEDIR "/tern";
}

/* 1 supported, 0 not, -1 error (the daemon's, passed on) */
static int
remoteSupportsFeature(remotePrivate *priv, int feature, GError **error)
{
    remote_connect_supports_feature_args args = {.feature = feature};
    remote_connect_supports_feature_ret ret = {0};

    if (!REMOTE_CALL(priv, CONNECT_SUPPORTS_FEATURE, remote_connect_supports_feature_args, &args,
                     remote_connect_supports_feature_ret, &ret, error))
        return -1;
    return ret.supported ? 1 : 0;
}

static const char *
remoteAuthTypeName(int type)
{
    switch (type) {
    case REMOTE_AUTH_NONE:
        return "none";
    case REMOTE_AUTH_SASL:
        return "sasl";
    case REMOTE_AUTH_POLKIT:
        return "polkit";
    default:
        return "unknown";
    }
}

/* AUTH_LIST, then "none" or a clear refusal: SASL and polkit are not implemented yet. */
static bool
remoteAuthenticate(remotePrivate *priv, const remoteURIInfo *info, GError **error)
{
    remote_auth_list_ret ret = {0};
    g_autoptr(GError) err = NULL;
    bool none = false;
    int first = REMOTE_AUTH_NONE;

    if (info->auth) {
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_AUTH_FAILED,
            "authentication method '%s' asked for by '%s' is not supported by this client yet; drop ?auth= and use a daemon with auth none",
            info->auth, priv->uri);
        return false;
    }
    if (!REMOTE_CALL(priv, AUTH_LIST, void, NULL, remote_auth_list_ret, &ret, &err)) {
        /* a daemon without AUTH_LIST wants no authentication (libvirt's rule) */
        if (ternErrorCodeOf(err) == TERN_ERR_NO_SUPPORT)
            return true;
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    for (u_int i = 0; i < ret.types.types_len; i++) {
        if (ret.types.types_val[i] == REMOTE_AUTH_NONE)
            none = true;
    }
    if (ret.types.types_len > 0)
        first = (int)ret.types.types_val[0];
    REMOTE_FREE(remote_auth_list_ret, &ret);
    /* an empty list means no authentication; else we need "none" among the choices */
    if (!none && first != REMOTE_AUTH_NONE) {
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_AUTH_FAILED,
            "authentication method %s (%d) required by the daemon for '%s' is not supported by this client yet; configure the daemon with auth none",
            remoteAuthTypeName(first), first, priv->uri);
        return false;
    }
    return true;
}

static ternNetClient *
remoteConnectTransport(const remoteURIInfo *info, GError **error)
{
    g_autofree char *port = NULL;

    switch (info->transport) {
    case REMOTE_TRANSPORT_UNIX:
        return ternNetClientNewUNIX(info->socketPath, error);
    case REMOTE_TRANSPORT_TCP:
        port = g_strdup_printf("%d", info->port);
        return ternNetClientNewTCP(info->host, port, error);
    case REMOTE_TRANSPORT_LOCAL:
    case REMOTE_TRANSPORT_TLS:
    case REMOTE_TRANSPORT_LAST:
        break;
    }
    ternReportInternal(error, TERN_FROM_REMOTE,
                       "transport '%s' cannot be connected by the remote driver",
                       remoteTransportTypeToString(info->transport));
    return NULL;
}

/*
 * A transport failure during the open sequence ("End of file while
 * reading data", a keepalive timeout) says nothing about where: name the
 * daemon's address. The daemon's own errors are passed on unchanged.
 */
static void
remoteOpenErrorAddAddress(remotePrivate *priv, const remoteURIInfo *info, GError **error)
{
    if (!error || !*error || ternErrorCodeOf(*error) != TERN_ERR_RPC ||
        ternNetClientIsOpen(priv->client))
        return;
    if (info->transport == REMOTE_TRANSPORT_UNIX)
        g_prefix_error(error, "cannot open '%s' through the socket '%s': ", priv->uri,
                       info->socketPath);
    else
        g_prefix_error(error, "cannot open '%s' through '%s:%d': ", priv->uri, info->host,
                       info->port);
}

static void remoteEventReceived(ternNetClient *client, ternNetMessage *msg, void *opaque);

static ternDrvOpenStatus
remoteConnectOpen(ternConnect *conn, const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(ternURI) parsed = NULL;
    g_autoptr(remoteURIInfo) info = NULL;
    g_autoptr(remotePrivate) priv = NULL;
    remote_connect_open_args openArgs = {0};
    char *openName;

    if (!(parsed = ternURIParse(uri, error)))
        return TERN_DRV_OPEN_ERROR;
    if (!(info = remoteURIInfoNew(parsed, remoteSocketDir(), flags & TERN_CONNECT_RO, error)))
        return TERN_DRV_OPEN_ERROR;

    switch (info->transport) {
    case REMOTE_TRANSPORT_LOCAL:
        return TERN_DRV_OPEN_DECLINED; /* an in-process driver's URI */
    case REMOTE_TRANSPORT_TLS:
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_CONFIG_UNSUPPORTED,
            "TLS transport is not supported yet (URI '%s'); use DRIVER+tcp://HOST/... or DRIVER+unix:///...",
            uri);
        return TERN_DRV_OPEN_ERROR;
    case REMOTE_TRANSPORT_UNIX:
    case REMOTE_TRANSPORT_TCP:
        break;
    case REMOTE_TRANSPORT_LAST:
    default:
        ternReportInternal(error, TERN_FROM_REMOTE, "unknown transport %d for '%s'",
                           (int)info->transport, uri);
        return TERN_DRV_OPEN_ERROR;
    }

    priv = remotePrivateNew(conn, uri);
    if (!(priv->client = remoteConnectTransport(info, error)))
        return TERN_DRV_OPEN_ERROR;
    ternNetClientSetEventHandler(priv->client, remoteEventReceived, priv);

    /* libvirt's order (libvirt-wire.md 3.1): AUTH_LIST, feature 10, OPEN, feature 14 */
    if (!remoteAuthenticate(priv, info, error)) {
        remoteOpenErrorAddAddress(priv, info, error);
        return TERN_DRV_OPEN_ERROR;
    }

    /* an error here means "no keepalive", as in libvirt */
    if (remoteSupportsFeature(priv, TERN_DRV_FEATURE_PROGRAM_KEEPALIVE, NULL) == 1) {
        priv->keepAliveSupported = true;
        priv->kaInterval = REMOTE_DRIVER_KEEPALIVE_INTERVAL;
        priv->kaCount = REMOTE_DRIVER_KEEPALIVE_COUNT;
        ternNetClientSetKeepAlive(priv->client, priv->kaInterval, priv->kaCount);
    }

    openName = info->openName;
    openArgs.name = &openName;
    openArgs.flags = flags & TERN_CONNECT_RO;
    if (!REMOTE_CALL(priv, CONNECT_OPEN, remote_connect_open_args, &openArgs, void, NULL, error)) {
        remoteOpenErrorAddAddress(priv, info, error);
        return TERN_DRV_OPEN_ERROR;
    }

    priv->eventCallbacks =
        remoteSupportsFeature(priv, TERN_DRV_FEATURE_REMOTE_EVENT_CALLBACK, NULL) == 1;

    TERN_DEBUG("opened '%s' as '%s' over %s (keepalive %s, event callbacks %s)", uri,
               info->openName, remoteTransportTypeToString(info->transport),
               priv->keepAliveSupported ? "on" : "off", priv->eventCallbacks ? "yes" : "no");
    conn->privateData = g_steal_pointer(&priv);
    return TERN_DRV_OPEN_SUCCESS;
}

static void
remoteConnectClose(ternConnect *conn)
{
    remotePrivate *priv = conn->privateData;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) regs = NULL;
    GThread *thread;
    bool self;

    if (!priv)
        return;
    conn->privateData = NULL;

    g_mutex_lock(&priv->lock);
    priv->quit = true;
    priv->conn = NULL;
    thread = priv->thread;
    self = thread && g_thread_self() == thread;
    priv->selfClose = self;
    regs = g_steal_pointer(&priv->regs);
    priv->regs = g_ptr_array_new();
    g_cond_broadcast(&priv->cond);
    g_mutex_unlock(&priv->lock);

    /* best effort; the daemon drops our event registrations with the connection */
    if (ternNetClientIsOpen(priv->client) &&
        !REMOTE_CALL(priv, CONNECT_CLOSE, void, NULL, void, NULL, &err))
        TERN_DEBUG("CONNECT_CLOSE on '%s' failed: %s", priv->uri, err->message);
    /* joins the I/O thread: no event is queued after this */
    priv->client = ternNetClientUnref(priv->client);

    if (thread && !self) {
        g_async_queue_push(priv->queue, g_new0(remoteEvent, 1));
        g_thread_join(thread);
        priv->thread = NULL;
    }

    for (guint i = 0; i < regs->len; i++)
        remoteEventRegFree(g_ptr_array_index(regs, i));

    /* on the dispatch thread (the last domain handle of an event dropped the
     * last reference), the thread frees priv once it is back in its loop */
    if (!self)
        remotePrivateFree(priv);
}

/* --- connection queries --- */

static const char *
remoteConnectGetType(ternConnect *conn, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_get_type_ret ret = {0};
    const char *type;

    g_mutex_lock(&priv->lock);
    type = priv->type;
    g_mutex_unlock(&priv->lock);
    if (type)
        return type;

    if (!REMOTE_CALL(priv, CONNECT_GET_TYPE, void, NULL, remote_connect_get_type_ret, &ret, error))
        return NULL;
    g_mutex_lock(&priv->lock);
    if (!priv->type)
        priv->type = g_strdup(ret.type);
    type = priv->type;
    g_mutex_unlock(&priv->lock);
    REMOTE_FREE(remote_connect_get_type_ret, &ret);
    return type;
}

static bool
remoteConnectGetVersion(ternConnect *conn, unsigned long *hvVer, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_get_version_ret ret = {0};

    if (!REMOTE_CALL(priv, CONNECT_GET_VERSION, void, NULL, remote_connect_get_version_ret, &ret,
                     error))
        return false;
    *hvVer = ret.hv_ver;
    return true;
}

static bool
remoteConnectGetLibVersion(ternConnect *conn, unsigned long *libVer, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_get_lib_version_ret ret = {0};

    if (!REMOTE_CALL(priv, CONNECT_GET_LIB_VERSION, void, NULL, remote_connect_get_lib_version_ret,
                     &ret, error))
        return false;
    *libVer = ret.lib_ver;
    return true;
}

static char *
remoteConnectGetHostname(ternConnect *conn, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_get_hostname_ret ret = {0};
    char *hostname;

    if (!REMOTE_CALL(priv, CONNECT_GET_HOSTNAME, void, NULL, remote_connect_get_hostname_ret, &ret,
                     error))
        return NULL;
    hostname = g_strdup(ret.hostname);
    REMOTE_FREE(remote_connect_get_hostname_ret, &ret);
    return hostname;
}

static char *
remoteConnectGetURI(ternConnect *conn, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_get_uri_ret ret = {0};
    char *uri;

    if (!REMOTE_CALL(priv, CONNECT_GET_URI, void, NULL, remote_connect_get_uri_ret, &ret, error))
        return NULL;
    uri = g_strdup(ret.uri);
    REMOTE_FREE(remote_connect_get_uri_ret, &ret);
    return uri;
}

/* REMOTE is this driver's own answer, as in libvirt.so; every other feature is the daemon's. */
static int
remoteConnectSupportsFeature(ternConnect *conn, int feature, GError **error)
{
    if (feature == TERN_DRV_FEATURE_REMOTE)
        return 1;
    return remoteSupportsFeature(conn->privateData, feature, error);
}

static int
remoteConnectIsAlive(ternConnect *conn)
{
    remotePrivate *priv = conn->privateData;

    return priv && priv->client && ternNetClientIsOpen(priv->client) ? 1 : 0;
}

/* Local only: sends nothing, as in libvirt. */
static bool
remoteConnectSetKeepAlive(ternConnect *conn, int interval, unsigned int count, GError **error)
{
    remotePrivate *priv = conn->privateData;

    if (interval > 0 && !priv->keepAliveSupported) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_OPERATION_UNSUPPORTED,
                     "the daemon serving '%s' does not support keepalive", priv->uri);
        return false;
    }
    g_mutex_lock(&priv->lock);
    priv->kaInterval = interval > 0 ? interval : 0;
    priv->kaCount = count;
    ternNetClientSetKeepAlive(priv->client, interval, count);
    g_mutex_unlock(&priv->lock);
    return true;
}

void
remoteConnectGetKeepAlive(ternConnect *conn, int *interval, unsigned int *count)
{
    remotePrivate *priv = conn->privateData;

    g_mutex_lock(&priv->lock);
    *interval = priv->kaInterval;
    *count = priv->kaCount;
    g_mutex_unlock(&priv->lock);
}

unsigned int
remoteConnectGetEventsDropped(ternConnect *conn)
{
    remotePrivate *priv = conn->privateData;

    return (unsigned int)g_atomic_int_get(&priv->dropped);
}

/* --- listing and lookup --- */

static int
remoteConnectListAllDomains(ternConnect *conn, ternDomain ***domains, unsigned int flags,
                            GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_list_all_domains_args args = {.need_results = domains != NULL, .flags = flags};
    remote_connect_list_all_domains_ret ret = {0};
    int count;

    if (!REMOTE_CALL(priv, CONNECT_LIST_ALL_DOMAINS, remote_connect_list_all_domains_args, &args,
                     remote_connect_list_all_domains_ret, &ret, error))
        return -1;
    if (ret.ret > INT_MAX || ret.domains.domains_len > REMOTE_DOMAIN_LIST_MAX) {
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_RPC,
            "the daemon serving '%s' listed %u domains (%u in the array), more than the maximum %d",
            priv->uri, ret.ret, ret.domains.domains_len, REMOTE_DOMAIN_LIST_MAX);
        REMOTE_FREE(remote_connect_list_all_domains_ret, &ret);
        return -1;
    }
    if (domains) {
        ternDomain **list = g_new0(ternDomain *, ret.domains.domains_len + 1);

        for (u_int i = 0; i < ret.domains.domains_len; i++)
            list[i] = remoteDomainFromWire(conn, &ret.domains.domains_val[i]);
        count = (int)ret.domains.domains_len;
        *domains = list;
    } else {
        count = (int)ret.ret;
    }
    REMOTE_FREE(remote_connect_list_all_domains_ret, &ret);
    return count;
}

static ternDomain *
remoteDomainLookupByName(ternConnect *conn, const char *name, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_domain_lookup_by_name_args args = {.name = (char *)name};
    remote_domain_lookup_by_name_ret ret = {0};
    ternDomain *dom;

    if (!REMOTE_CALL(priv, DOMAIN_LOOKUP_BY_NAME, remote_domain_lookup_by_name_args, &args,
                     remote_domain_lookup_by_name_ret, &ret, error))
        return NULL;
    dom = remoteDomainFromWire(conn, &ret.dom);
    REMOTE_FREE(remote_domain_lookup_by_name_ret, &ret);
    return dom;
}

static ternDomain *
remoteDomainLookupByUUID(ternConnect *conn, const unsigned char *uuid, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_domain_lookup_by_uuid_args args = {0};
    remote_domain_lookup_by_uuid_ret ret = {0};
    ternDomain *dom;

    memcpy(args.uuid, uuid, TERN_UUID_BUFLEN);
    if (!REMOTE_CALL(priv, DOMAIN_LOOKUP_BY_UUID, remote_domain_lookup_by_uuid_args, &args,
                     remote_domain_lookup_by_uuid_ret, &ret, error))
        return NULL;
    dom = remoteDomainFromWire(conn, &ret.dom);
    REMOTE_FREE(remote_domain_lookup_by_uuid_ret, &ret);
    return dom;
}

static ternDomain *
remoteDomainLookupByID(ternConnect *conn, int id, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_domain_lookup_by_id_args args = {.id = id};
    remote_domain_lookup_by_id_ret ret = {0};
    ternDomain *dom;

    if (!REMOTE_CALL(priv, DOMAIN_LOOKUP_BY_ID, remote_domain_lookup_by_id_args, &args,
                     remote_domain_lookup_by_id_ret, &ret, error))
        return NULL;
    dom = remoteDomainFromWire(conn, &ret.dom);
    REMOTE_FREE(remote_domain_lookup_by_id_ret, &ret);
    return dom;
}

/* --- definition and lifecycle --- */

/* DEFINE_XML_FLAGS only when there are flags, as libvirt.so: older daemons lack it */
static ternDomain *
remoteDomainDefineXMLFlags(ternConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    remotePrivate *priv = conn->privateData;
    ternDomain *dom;

    if (flags) {
        remote_domain_define_xml_flags_args args = {.xml = (char *)xml, .flags = flags};
        remote_domain_define_xml_flags_ret ret = {0};

        if (!REMOTE_CALL(priv, DOMAIN_DEFINE_XML_FLAGS, remote_domain_define_xml_flags_args, &args,
                         remote_domain_define_xml_flags_ret, &ret, error))
            return NULL;
        dom = remoteDomainFromWire(conn, &ret.dom);
        REMOTE_FREE(remote_domain_define_xml_flags_ret, &ret);
    } else {
        remote_domain_define_xml_args args = {.xml = (char *)xml};
        remote_domain_define_xml_ret ret = {0};

        if (!REMOTE_CALL(priv, DOMAIN_DEFINE_XML, remote_domain_define_xml_args, &args,
                         remote_domain_define_xml_ret, &ret, error))
            return NULL;
        dom = remoteDomainFromWire(conn, &ret.dom);
        REMOTE_FREE(remote_domain_define_xml_ret, &ret);
    }
    return dom;
}

static bool
remoteDomainUndefineFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    remotePrivate *priv = remotePrivOfDomain(dom);
    remote_domain_undefine_flags_args args = {.flags = flags};
    remote_domain_undefine_args oldArgs = {0};
    g_autoptr(GError) err = NULL;

    remoteDomainToWire(&args.dom, dom);
    if (REMOTE_CALL(priv, DOMAIN_UNDEFINE_FLAGS, remote_domain_undefine_flags_args, &args, void,
                    NULL, &err))
        return true;
    if (flags != 0 || ternErrorCodeOf(err) != TERN_ERR_NO_SUPPORT) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    /* a daemon older than UNDEFINE_FLAGS */
    remoteDomainToWire(&oldArgs.dom, dom);
    return REMOTE_CALL(priv, DOMAIN_UNDEFINE, remote_domain_undefine_args, &oldArgs, void, NULL,
                       error);
}

static bool
remoteDomainCreateWithFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    remotePrivate *priv = remotePrivOfDomain(dom);
    remote_domain_create_with_flags_args args = {.flags = flags};
    remote_domain_create_with_flags_ret ret = {0};
    remote_domain_create_args oldArgs = {0};
    remote_domain_lookup_by_uuid_args lookArgs = {0};
    remote_domain_lookup_by_uuid_ret lookRet = {0};
    g_autoptr(GError) err = NULL;

    remoteDomainToWire(&args.dom, dom);
    if (REMOTE_CALL(priv, DOMAIN_CREATE_WITH_FLAGS, remote_domain_create_with_flags_args, &args,
                    remote_domain_create_with_flags_ret, &ret, &err)) {
        dom->id = ret.dom.id;
        REMOTE_FREE(remote_domain_create_with_flags_ret, &ret);
        return true;
    }
    if (flags != 0 || ternErrorCodeOf(err) != TERN_ERR_NO_SUPPORT) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }

    /* a daemon older than CREATE_WITH_FLAGS: CREATE has no reply, so look the
     * domain up again to learn its id (libvirt.so's remoteDomainCreate) */
    remoteDomainToWire(&oldArgs.dom, dom);
    if (!REMOTE_CALL(priv, DOMAIN_CREATE, remote_domain_create_args, &oldArgs, void, NULL, error))
        return false;
    memcpy(lookArgs.uuid, dom->uuid, TERN_UUID_BUFLEN);
    if (!REMOTE_CALL(priv, DOMAIN_LOOKUP_BY_UUID, remote_domain_lookup_by_uuid_args, &lookArgs,
                     remote_domain_lookup_by_uuid_ret, &lookRet, error))
        return false;
    dom->id = lookRet.dom.id;
    REMOTE_FREE(remote_domain_lookup_by_uuid_ret, &lookRet);
    return true;
}

static bool
remoteDomainDestroyFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    remotePrivate *priv = remotePrivOfDomain(dom);
    bool ok;

    if (flags) {
        remote_domain_destroy_flags_args args = {.flags = flags};

        remoteDomainToWire(&args.dom, dom);
        ok = REMOTE_CALL(priv, DOMAIN_DESTROY_FLAGS, remote_domain_destroy_flags_args, &args, void,
                         NULL, error);
    } else {
        remote_domain_destroy_args args = {0};

        remoteDomainToWire(&args.dom, dom);
        ok =
            REMOTE_CALL(priv, DOMAIN_DESTROY, remote_domain_destroy_args, &args, void, NULL, error);
    }
    /* a stopped domain has no id; libvirt.so resets the handle the same way */
    if (ok)
        dom->id = -1;
    return ok;
}

static bool
remoteDomainSuspend(ternDomain *dom, GError **error)
{
    remote_domain_suspend_args args = {0};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_SUSPEND, remote_domain_suspend_args, &args,
                       void, NULL, error);
}

static bool
remoteDomainResume(ternDomain *dom, GError **error)
{
    remote_domain_resume_args args = {0};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_RESUME, remote_domain_resume_args, &args,
                       void, NULL, error);
}

static bool
remoteDomainShutdownFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    remotePrivate *priv = remotePrivOfDomain(dom);

    if (flags) {
        remote_domain_shutdown_flags_args args = {.flags = flags};

        remoteDomainToWire(&args.dom, dom);
        return REMOTE_CALL(priv, DOMAIN_SHUTDOWN_FLAGS, remote_domain_shutdown_flags_args, &args,
                           void, NULL, error);
    }
    remote_domain_shutdown_args args = {0};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(priv, DOMAIN_SHUTDOWN, remote_domain_shutdown_args, &args, void, NULL,
                       error);
}

static bool
remoteDomainReboot(ternDomain *dom, unsigned int flags, GError **error)
{
    remote_domain_reboot_args args = {.flags = flags};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_REBOOT, remote_domain_reboot_args, &args,
                       void, NULL, error);
}

/* --- queries --- */

static bool
remoteDomainGetInfo(ternDomain *dom, ternDomainInfo *info, GError **error)
{
    remote_domain_get_info_args args = {0};
    remote_domain_get_info_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_INFO, remote_domain_get_info_args, &args,
                     remote_domain_get_info_ret, &ret, error))
        return false;
    info->state = ret.state;
    info->maxMem = ret.maxMem;
    info->memory = ret.memory;
    info->nrVirtCpu = ret.nrVirtCpu;
    info->cpuTime = ret.cpuTime;
    return true;
}

static bool
remoteDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    remote_domain_get_state_args args = {.flags = flags};
    remote_domain_get_state_ret ret = {0};
    g_autoptr(GError) err = NULL;
    ternDomainInfo info = {0};

    remoteDomainToWire(&args.dom, dom);
    if (REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_STATE, remote_domain_get_state_args, &args,
                    remote_domain_get_state_ret, &ret, &err)) {
        *state = ret.state;
        if (reason)
            *reason = ret.reason;
        return true;
    }
    if (flags != 0 || ternErrorCodeOf(err) != TERN_ERR_NO_SUPPORT) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    /* a daemon older than GET_STATE: the state from GET_INFO, no reason */
    if (!remoteDomainGetInfo(dom, &info, error))
        return false;
    *state = info.state;
    if (reason)
        *reason = 0;
    return true;
}

static char *
remoteDomainGetXMLDesc(ternDomain *dom, unsigned int flags, GError **error)
{
    remote_domain_get_xml_desc_args args = {.flags = flags};
    remote_domain_get_xml_desc_ret ret = {0};
    char *xml;

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_XML_DESC, remote_domain_get_xml_desc_args,
                     &args, remote_domain_get_xml_desc_ret, &ret, error))
        return NULL;
    xml = g_strdup(ret.xml);
    REMOTE_FREE(remote_domain_get_xml_desc_ret, &ret);
    return xml;
}

static char *
remoteDomainGetOSType(ternDomain *dom, GError **error)
{
    remote_domain_get_os_type_args args = {0};
    remote_domain_get_os_type_ret ret = {0};
    char *type;

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_OS_TYPE, remote_domain_get_os_type_args,
                     &args, remote_domain_get_os_type_ret, &ret, error))
        return NULL;
    type = g_strdup(ret.type);
    REMOTE_FREE(remote_domain_get_os_type_ret, &ret);
    return type;
}

static int
remoteDomainIsActive(ternDomain *dom, GError **error)
{
    remote_domain_is_active_args args = {0};
    remote_domain_is_active_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_IS_ACTIVE, remote_domain_is_active_args, &args,
                     remote_domain_is_active_ret, &ret, error))
        return -1;
    return ret.active ? 1 : 0;
}

static int
remoteDomainIsPersistent(ternDomain *dom, GError **error)
{
    remote_domain_is_persistent_args args = {0};
    remote_domain_is_persistent_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_IS_PERSISTENT,
                     remote_domain_is_persistent_args, &args, remote_domain_is_persistent_ret, &ret,
                     error))
        return -1;
    return ret.persistent ? 1 : 0;
}

static bool
remoteDomainGetAutostart(ternDomain *dom, int *autostart, GError **error)
{
    remote_domain_get_autostart_args args = {0};
    remote_domain_get_autostart_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_AUTOSTART,
                     remote_domain_get_autostart_args, &args, remote_domain_get_autostart_ret, &ret,
                     error))
        return false;
    *autostart = ret.autostart;
    return true;
}

static bool
remoteDomainSetAutostart(ternDomain *dom, int autostart, GError **error)
{
    remote_domain_set_autostart_args args = {.autostart = autostart};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_SET_AUTOSTART,
                       remote_domain_set_autostart_args, &args, void, NULL, error);
}

static int
remoteDomainHasManagedSaveImage(ternDomain *dom, unsigned int flags, GError **error)
{
    remote_domain_has_managed_save_image_args args = {.flags = flags};
    remote_domain_has_managed_save_image_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_HAS_MANAGED_SAVE_IMAGE,
                     remote_domain_has_managed_save_image_args, &args,
                     remote_domain_has_managed_save_image_ret, &ret, error))
        return -1;
    return ret.result ? 1 : 0;
}

/* --- migration: typed parameters and cookies on the wire --- */

/* A parameter list as remoteTypedParamsToWire made it; g_auto frees it. */
typedef struct {
    remote_typed_param *val;
    u_int len;
} remoteWireParams;

static void
remoteWireParamsClear(remoteWireParams *wire)
{
    remoteTypedParamsWireFree(g_steal_pointer(&wire->val), wire->len);
    wire->len = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(remoteWireParams, remoteWireParamsClear)

static bool
remoteMigrateParamsToWire(const ternTypedParameter *params, int nparams, remoteWireParams *wire,
                          GError **error)
{
    return remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                   &wire->val, &wire->len, error);
}

/* Borrows @cookie (@len bytes, may be NULL when 0) for an opaque<REMOTE_MIGRATE_COOKIE_MAX>. */
static bool
remoteCookieToWire(const char *cookie, int len, u_int *wireLen, char **wireVal, GError **error)
{
    if (len < 0 || len > REMOTE_MIGRATE_COOKIE_MAX || (len > 0 && !cookie)) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                     "migration cookie of %d bytes at %p: expected 0..%d bytes", len,
                     (const void *)cookie, REMOTE_MIGRATE_COOKIE_MAX);
        return false;
    }
    *wireLen = (u_int)len;
    *wireVal = len > 0 ? (char *)cookie : NULL;
    return true;
}

/*
 * Moves a reply's cookie to the caller (who may pass NULL for both when it
 * does not want it); the bytes were allocated by the XDR decoder with the
 * system malloc, which is what g_free calls too (GLib >= 2.46).
 */
static void
remoteCookieFromWire(u_int *wireLen, char **wireVal, char **cookieout, int *cookieoutlen)
{
    if (!cookieout || !cookieoutlen)
        return;
    if (*wireLen == 0) {
        *cookieout = NULL;
        *cookieoutlen = 0;
        return;
    }
    *cookieout = g_steal_pointer(wireVal);
    *cookieoutlen = (int)*wireLen;
    *wireLen = 0;
}

/*
 * The typed parameters (into @wire, which the caller frees) and the
 * borrowed @cookiein a phase sends; Begin has no cookie (@cookieVal NULL).
 */
static bool
remoteMigrateArgsToWire(const ternTypedParameter *params, int nparams, const char *cookiein,
                        int cookieinlen, remoteWireParams *wire, remote_typed_param **paramsVal,
                        u_int *paramsLen, char **cookieVal, u_int *cookieLen, GError **error)
{
    if (!remoteMigrateParamsToWire(params, nparams, wire, error) ||
        (cookieVal && !remoteCookieToWire(cookiein, cookieinlen, cookieLen, cookieVal, error)))
        return false;
    *paramsVal = wire->val;
    *paramsLen = wire->len;
    return true;
}

#define MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error)          \
    remoteMigrateArgsToWire((params), (nparams), (cookiein), (cookieinlen), &(wire),             \
                            &(args).params.params_val, &(args).params.params_len,                \
                            &(args).cookie_in.cookie_in_val, &(args).cookie_in.cookie_in_len,    \
                            (error))

#define MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen)                                   \
    remoteCookieFromWire(&(ret).cookie_out.cookie_out_len, &(ret).cookie_out.cookie_out_val,    \
                         (cookieout), (cookieoutlen))

/* --- migration: the five phases (libvirt-wire.md 4.4, the *3Params procedures) --- */

static char *
remoteDomainMigrateBegin3Params(ternDomain *dom, ternTypedParameter *params, int nparams,
                                char **cookieout, int *cookieoutlen, unsigned int flags,
                                GError **error)
{
    remote_domain_migrate_begin3_params_args args = {.flags = flags};
    remote_domain_migrate_begin3_params_ret ret = {0};
    g_auto(remoteWireParams) wire = {0};
    char *xml;

    if (!remoteMigrateArgsToWire(params, nparams, NULL, 0, &wire, &args.params.params_val,
                                 &args.params.params_len, NULL, NULL, error))
        return NULL;
    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_BEGIN3_PARAMS,
                     remote_domain_migrate_begin3_params_args, &args,
                     remote_domain_migrate_begin3_params_ret, &ret, error))
        return NULL;
    xml = g_steal_pointer(&ret.xml);
    MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_begin3_params_ret, &ret);
    return xml;
}

static bool
remoteDomainMigratePrepare3Params(ternConnect *dconn, ternTypedParameter *params, int nparams,
                                  const char *cookiein, int cookieinlen, char **cookieout,
                                  int *cookieoutlen, char **uriout, unsigned int flags,
                                  GError **error)
{
    remote_domain_migrate_prepare3_params_args args = {.flags = flags};
    remote_domain_migrate_prepare3_params_ret ret = {0};
    g_auto(remoteWireParams) wire = {0};

    if (!MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error))
        return false;
    if (!REMOTE_CALL((remotePrivate *)dconn->privateData, DOMAIN_MIGRATE_PREPARE3_PARAMS,
                     remote_domain_migrate_prepare3_params_args, &args,
                     remote_domain_migrate_prepare3_params_ret, &ret, error))
        return false;
    MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen);
    if (uriout)
        *uriout = ret.uri_out ? g_steal_pointer(ret.uri_out) : NULL;
    REMOTE_FREE(remote_domain_migrate_prepare3_params_ret, &ret);
    return true;
}

static bool
remoteDomainMigratePrepareTunnel3Params(ternConnect *dconn, ternNetStream **st,
                                        ternTypedParameter *params, int nparams,
                                        const char *cookiein, int cookieinlen, char **cookieout,
                                        int *cookieoutlen, unsigned int flags, GError **error)
{
    remote_domain_migrate_prepare_tunnel3_params_args args = {.flags = flags};
    remote_domain_migrate_prepare_tunnel3_params_ret ret = {0};
    g_auto(remoteWireParams) wire = {0};
    ternNetStream *stream = NULL;

    if (!MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error))
        return false;
    if (!ternNetClientCallStream(((remotePrivate *)dconn->privateData)->client, REMOTE_PROGRAM,
                                 REMOTE_PROTOCOL_VERSION,
                                 REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS,
                                 REMOTE_XDR(remote_domain_migrate_prepare_tunnel3_params_args),
                                 &args,
                                 REMOTE_XDR(remote_domain_migrate_prepare_tunnel3_params_ret),
                                 &ret, &stream, error))
        return false;
    MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_prepare_tunnel3_params_ret, &ret);
    *st = stream;
    return true;
}

static bool
remoteDomainMigratePerform3Params(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                                  int nparams, const char *cookiein, int cookieinlen,
                                  char **cookieout, int *cookieoutlen, unsigned int flags,
                                  GError **error)
{
    remote_domain_migrate_perform3_params_args args = {.flags = flags};
    remote_domain_migrate_perform3_params_ret ret = {0};
    g_auto(remoteWireParams) wire = {0};
    char *uri = (char *)dconnuri;

    if (!MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error))
        return false;
    remoteDomainToWire(&args.dom, dom);
    args.dconnuri = dconnuri ? &uri : NULL;
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_PERFORM3_PARAMS,
                     remote_domain_migrate_perform3_params_args, &args,
                     remote_domain_migrate_perform3_params_ret, &ret, error))
        return false;
    MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_perform3_params_ret, &ret);
    return true;
}

static ternDomain *
remoteDomainMigrateFinish3Params(ternConnect *dconn, ternTypedParameter *params, int nparams,
                                 const char *cookiein, int cookieinlen, char **cookieout,
                                 int *cookieoutlen, unsigned int flags, int cancelled,
                                 GError **error)
{
    remote_domain_migrate_finish3_params_args args = {.flags = flags, .cancelled = cancelled};
    remote_domain_migrate_finish3_params_ret ret = {0};
    g_auto(remoteWireParams) wire = {0};
    ternDomain *ddom;

    if (!MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error))
        return NULL;
    if (!REMOTE_CALL((remotePrivate *)dconn->privateData, DOMAIN_MIGRATE_FINISH3_PARAMS,
                     remote_domain_migrate_finish3_params_args, &args,
                     remote_domain_migrate_finish3_params_ret, &ret, error))
        return NULL;
    ddom = remoteDomainFromWire(dconn, &ret.dom);
    MIGRATE_COOKIE_FROM_WIRE(ret, cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_finish3_params_ret, &ret);
    return ddom;
}

static bool
remoteDomainMigrateConfirm3Params(ternDomain *dom, ternTypedParameter *params, int nparams,
                                  const char *cookiein, int cookieinlen, unsigned int flags,
                                  int cancelled, GError **error)
{
    remote_domain_migrate_confirm3_params_args args = {.flags = flags, .cancelled = cancelled};
    g_auto(remoteWireParams) wire = {0};

    if (!MIGRATE_ARGS_TO_WIRE(args, wire, params, nparams, cookiein, cookieinlen, error))
        return false;
    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_CONFIRM3_PARAMS,
                       remote_domain_migrate_confirm3_params_args, &args, void, NULL, error);
}

/* --- jobs and migration tuning --- */

static bool
remoteDomainGetJobInfo(ternDomain *dom, ternDomainJobInfo *info, GError **error)
{
    remote_domain_get_job_info_args args = {0};
    remote_domain_get_job_info_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_JOB_INFO, remote_domain_get_job_info_args,
                     &args, remote_domain_get_job_info_ret, &ret, error))
        return false;
    info->type = ret.type;
    info->timeElapsed = ret.timeElapsed;
    info->timeRemaining = ret.timeRemaining;
    info->dataTotal = ret.dataTotal;
    info->dataProcessed = ret.dataProcessed;
    info->dataRemaining = ret.dataRemaining;
    info->memTotal = ret.memTotal;
    info->memProcessed = ret.memProcessed;
    info->memRemaining = ret.memRemaining;
    info->fileTotal = ret.fileTotal;
    info->fileProcessed = ret.fileProcessed;
    info->fileRemaining = ret.fileRemaining;
    return true;
}

static bool
remoteDomainGetJobStats(ternDomain *dom, int *type, ternTypedParameter **params, int *nparams,
                        unsigned int flags, GError **error)
{
    remote_domain_get_job_stats_args args = {.flags = flags};
    remote_domain_get_job_stats_ret ret = {0};
    ternTypedParameter *list = NULL;
    int n = 0;
    bool ok;

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_GET_JOB_STATS,
                     remote_domain_get_job_stats_args, &args, remote_domain_get_job_stats_ret,
                     &ret, error))
        return false;
    ok = remoteTypedParamsFromWire(ret.params.params_val, ret.params.params_len,
                                   REMOTE_DOMAIN_JOB_STATS_MAX, &list, &n, error);
    if (ok) {
        *type = ret.type;
        *params = list;
        *nparams = n;
    }
    REMOTE_FREE(remote_domain_get_job_stats_ret, &ret);
    return ok;
}

static bool
remoteDomainAbortJob(ternDomain *dom, GError **error)
{
    remote_domain_abort_job_args args = {0};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_ABORT_JOB, remote_domain_abort_job_args,
                       &args, void, NULL, error);
}

static bool
remoteDomainMigrateSetMaxDowntime(ternDomain *dom, unsigned long long downtime, unsigned int flags,
                                  GError **error)
{
    remote_domain_migrate_set_max_downtime_args args = {.downtime = downtime, .flags = flags};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                       remote_domain_migrate_set_max_downtime_args, &args, void, NULL, error);
}

static bool
remoteDomainMigrateGetMaxDowntime(ternDomain *dom, unsigned long long *downtime,
                                  unsigned int flags, GError **error)
{
    remote_domain_migrate_get_max_downtime_args args = {.flags = flags};
    remote_domain_migrate_get_max_downtime_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
                     remote_domain_migrate_get_max_downtime_args, &args,
                     remote_domain_migrate_get_max_downtime_ret, &ret, error))
        return false;
    *downtime = ret.downtime;
    return true;
}

static bool
remoteDomainMigrateSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags,
                               GError **error)
{
    remote_domain_migrate_set_max_speed_args args = {.bandwidth = bandwidth, .flags = flags};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_SET_MAX_SPEED,
                       remote_domain_migrate_set_max_speed_args, &args, void, NULL, error);
}

static bool
remoteDomainMigrateGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags,
                               GError **error)
{
    remote_domain_migrate_get_max_speed_args args = {.flags = flags};
    remote_domain_migrate_get_max_speed_ret ret = {0};

    remoteDomainToWire(&args.dom, dom);
    if (!REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_GET_MAX_SPEED,
                     remote_domain_migrate_get_max_speed_args, &args,
                     remote_domain_migrate_get_max_speed_ret, &ret, error))
        return false;
    if (ret.bandwidth > ULONG_MAX) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_OVERFLOW,
                     "migration bandwidth %llu MiB/s of domain '%s' does not fit an unsigned long",
                     (unsigned long long)ret.bandwidth, dom->name);
        return false;
    }
    *bandwidth = (unsigned long)ret.bandwidth;
    return true;
}

static bool
remoteDomainMigrateStartPostCopy(ternDomain *dom, unsigned int flags, GError **error)
{
    remote_domain_migrate_start_post_copy_args args = {.flags = flags};

    remoteDomainToWire(&args.dom, dom);
    return REMOTE_CALL(remotePrivOfDomain(dom), DOMAIN_MIGRATE_START_POST_COPY,
                       remote_domain_migrate_start_post_copy_args, &args, void, NULL, error);
}

/* --- events: the I/O thread side --- */

/* Decodes one callback MESSAGE; NULL for procedures this driver does not deliver. */
static remoteEvent *
remoteEventDecode(ternNetMessage *msg, GError **error)
{
    g_autofree remoteEvent *ev = g_new0(remoteEvent, 1);
    const remote_nonnull_domain *dom;

    ev->proc = msg->header.proc;
    switch (msg->header.proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
        remote_domain_event_callback_lifecycle_msg data = {0};

        if (!ternNetMessageDecodePayload(
                msg, REMOTE_XDR(remote_domain_event_callback_lifecycle_msg), &data, error))
            return NULL;
        dom = &data.msg.dom;
        ev->callbackID = data.callbackID;
        ev->name = g_strdup(dom->name);
        memcpy(ev->uuid, dom->uuid, TERN_UUID_BUFLEN);
        ev->id = dom->id;
        ev->event = data.msg.event;
        ev->detail = data.msg.detail;
        REMOTE_FREE(remote_domain_event_callback_lifecycle_msg, &data);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: {
        remote_domain_event_callback_migration_iteration_msg data = {0};

        if (!ternNetMessageDecodePayload(
                msg, REMOTE_XDR(remote_domain_event_callback_migration_iteration_msg), &data,
                error))
            return NULL;
        dom = &data.dom;
        ev->callbackID = data.callbackID;
        ev->name = g_strdup(dom->name);
        memcpy(ev->uuid, dom->uuid, TERN_UUID_BUFLEN);
        ev->id = dom->id;
        ev->event = data.iteration;
        REMOTE_FREE(remote_domain_event_callback_migration_iteration_msg, &data);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: {
        remote_domain_event_callback_job_completed_msg data = {0};
        bool ok;

        if (!ternNetMessageDecodePayload(
                msg, REMOTE_XDR(remote_domain_event_callback_job_completed_msg), &data, error))
            return NULL;
        /* the statistics first: ev is only g_free'd if they are refused */
        ok = remoteTypedParamsFromWire(data.params.params_val, data.params.params_len,
                                       REMOTE_DOMAIN_JOB_STATS_MAX, &ev->params, &ev->nparams,
                                       error);
        if (ok) {
            dom = &data.dom;
            ev->callbackID = data.callbackID;
            ev->name = g_strdup(dom->name);
            memcpy(ev->uuid, dom->uuid, TERN_UUID_BUFLEN);
            ev->id = dom->id;
        }
        REMOTE_FREE(remote_domain_event_callback_job_completed_msg, &data);
        if (!ok)
            return NULL;
        break;
    }
    default:
        return NULL;
    }
    return g_steal_pointer(&ev);
}

/* Bounded: beyond REMOTE_DRIVER_EVENT_QUEUE_MAX undelivered events, the oldest goes. */
static void
remoteEventQueuePush(remotePrivate *priv, remoteEvent *ev)
{
    remoteEvent *old = NULL;
    guint dropped;

    g_async_queue_lock(priv->queue);
    if (g_async_queue_length_unlocked(priv->queue) >= REMOTE_DRIVER_EVENT_QUEUE_MAX)
        old = g_async_queue_try_pop_unlocked(priv->queue);
    g_async_queue_push_unlocked(priv->queue, ev);
    g_async_queue_unlock(priv->queue);

    if (!old)
        return;
    remoteEventFree(old);
    dropped = (guint)g_atomic_int_add(&priv->dropped, 1) + 1;
    if (dropped == 1 || dropped % 1000 == 0)
        TERN_WARN(
            "more than %d events of '%s' wait for delivery (is a callback blocking?): dropped the oldest, %u so far",
            REMOTE_DRIVER_EVENT_QUEUE_MAX, priv->uri, dropped);
}

/* On the RPC client's I/O thread: decode and queue, never block. */
static void
remoteEventReceived(ternNetClient *client, ternNetMessage *msg, void *opaque)
{
    remotePrivate *priv = opaque;
    g_autoptr(GError) err = NULL;
    remoteEvent *ev;

    if (msg->header.prog != REMOTE_PROGRAM || msg->header.vers != REMOTE_PROTOCOL_VERSION) {
        TERN_DEBUG("ignoring a message of program 0x%x version %u", msg->header.prog,
                   msg->header.vers);
        return;
    }
    if (!(ev = remoteEventDecode(msg, &err))) {
        if (err)
            TERN_WARN("dropping event procedure %d from '%s': %s", msg->header.proc, priv->uri,
                      err->message);
        else
            TERN_DEBUG("ignoring event procedure %d from '%s'", msg->header.proc, priv->uri);
        return;
    }
    remoteEventQueuePush(priv, ev);
}

/* --- events: the dispatch thread side --- */

/* lock held */
static remoteEventReg *
remoteEventRegFindServerLocked(remotePrivate *priv, int serverID, int eventID)
{
    for (guint i = 0; i < priv->regs->len; i++) {
        remoteEventReg *reg = g_ptr_array_index(priv->regs, i);

        if (reg->serverID == serverID && reg->eventID == eventID)
            return reg;
    }
    return NULL;
}

/* lock held */
static remoteEventReg *
remoteEventRegFindLocalLocked(remotePrivate *priv, int localID)
{
    for (guint i = 0; i < priv->regs->len; i++) {
        remoteEventReg *reg = g_ptr_array_index(priv->regs, i);

        if (reg->localID == localID)
            return reg;
    }
    return NULL;
}

static void
remoteEventDispatch(remotePrivate *priv, const remoteEvent *ev)
{
    const remoteEventInfo *info = remoteEventInfoByProc(ev->proc);
    remoteEventReg *reg = NULL;
    ternConnect *conn = NULL;
    ternDomain *dom;
    bool removed;

    if (!info)
        return;

    g_mutex_lock(&priv->lock);
    /* a registration whose reply is on its way may be the one this event is for */
    while (priv->pendingRegs > 0 && !priv->quit)
        g_cond_wait(&priv->cond, &priv->lock);
    if (!priv->quit) {
        reg = remoteEventRegFindServerLocked(priv, ev->callbackID, info->eventID);
        conn = priv->conn;
    }
    if (!reg || !ternConnectTryRef(conn)) {
        g_mutex_unlock(&priv->lock);
        TERN_DEBUG("no callback for %s event with callbackID %d on '%s'", info->name,
                   ev->callbackID, priv->uri);
        return;
    }
    priv->running = reg;
    g_mutex_unlock(&priv->lock);

    dom = ternDomainNew(conn, ev->name, ev->uuid, ev->id);
    ternConnectUnrefInternal(conn); /* never the last: dom holds one */

    switch (info->eventID) {
    case TERN_DOMAIN_EVENT_ID_LIFECYCLE:
        REMOTE_EVENT_CB(ternConnectDomainEventCallback, reg->cb)
        (conn, dom, ev->event, ev->detail, reg->opaque);
        break;
    case TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        REMOTE_EVENT_CB(remoteDomainEventMigrationIterationCallback, reg->cb)
        (conn, dom, ev->event, reg->opaque);
        break;
    case TERN_DOMAIN_EVENT_ID_JOB_COMPLETED:
        REMOTE_EVENT_CB(ternConnectDomainEventJobCompletedCallback, reg->cb)
        (conn, dom, ev->params, ev->nparams, reg->opaque);
        break;
    default:
        break;
    }

    g_mutex_lock(&priv->lock);
    priv->running = NULL;
    removed = reg->removed;
    g_cond_broadcast(&priv->cond);
    g_mutex_unlock(&priv->lock);
    if (removed)
        remoteEventRegFree(reg);

    /* may drop the connection's last reference: remoteConnectClose then runs
     * here and leaves priv to this thread (selfClose) */
    ternDomainUnrefInternal(dom);
}

static gpointer
remoteEventThread(gpointer opaque)
{
    remotePrivate *priv = opaque;
    GThread *self;
    bool quit;

    do {
        remoteEvent *ev = g_async_queue_pop(priv->queue);

        if (ev->proc != 0)
            remoteEventDispatch(priv, ev);
        remoteEventFree(ev);
        g_mutex_lock(&priv->lock);
        quit = priv->quit;
        g_mutex_unlock(&priv->lock);
    } while (!quit);

    g_mutex_lock(&priv->lock);
    if (!priv->selfClose) {
        g_mutex_unlock(&priv->lock);
        return NULL; /* remoteConnectClose joins us and frees priv */
    }
    self = priv->thread;
    g_mutex_unlock(&priv->lock);
    remotePrivateFree(priv);
    g_thread_unref(self);
    return NULL;
}

static bool
remoteEventThreadEnsure(remotePrivate *priv, GError **error)
{
    g_autoptr(GError) err = NULL;
    bool ok = true;

    g_mutex_lock(&priv->lock);
    if (!priv->thread &&
        !(priv->thread = g_thread_try_new("remote-events", remoteEventThread, priv, &err))) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INTERNAL_ERROR,
                     "cannot start the event thread for '%s': %s", priv->uri, err->message);
        ok = false;
    }
    g_mutex_unlock(&priv->lock);
    return ok;
}

static int
remoteConnectDomainEventRegisterAny(ternConnect *conn, ternDomain *dom, int eventID,
                                    ternConnectDomainEventGenericCallback cb, void *opaque,
                                    ternFreeCallback freecb, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_domain_event_callback_register_any_args args = {.eventID = eventID};
    remote_connect_domain_event_callback_register_any_ret ret = {0};
    remote_nonnull_domain wireDom = {0};
    remoteEventReg *reg;
    int localID = -1;
    bool ok;

    if (eventID < 0 || eventID >= TERN_DOMAIN_EVENT_ID_LAST) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                     "unknown domain event ID %d, expected 0..%d", eventID,
                     TERN_DOMAIN_EVENT_ID_LAST - 1);
        return -1;
    }
    if (!remoteEventInfoByID(eventID)) {
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_NO_SUPPORT,
                     "domain event ID %d is not delivered by the remote driver yet", eventID);
        return -1;
    }
    if (!priv->eventCallbacks) {
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_NO_SUPPORT,
            "domain events: the daemon serving '%s' lacks callback-based events (REMOTE_EVENT_CALLBACK)",
            priv->uri);
        return -1;
    }
    if (!remoteEventThreadEnsure(priv, error))
        return -1;

    if (dom) {
        remoteDomainToWire(&wireDom, dom);
        args.dom = &wireDom;
    }

    g_mutex_lock(&priv->lock);
    priv->pendingRegs++;
    g_mutex_unlock(&priv->lock);

    ok = REMOTE_CALL(priv, CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                     remote_connect_domain_event_callback_register_any_args, &args,
                     remote_connect_domain_event_callback_register_any_ret, &ret, error);

    g_mutex_lock(&priv->lock);
    priv->pendingRegs--;
    if (ok) {
        reg = g_new0(remoteEventReg, 1);
        reg->localID = localID = priv->nextLocalID++;
        reg->serverID = ret.callbackID;
        reg->eventID = eventID;
        reg->cb = cb;
        reg->opaque = opaque;
        reg->freecb = freecb;
        g_ptr_array_add(priv->regs, reg);
    }
    g_cond_broadcast(&priv->cond);
    g_mutex_unlock(&priv->lock);
    return localID;
}

static bool
remoteConnectDomainEventDeregisterAny(ternConnect *conn, int callbackID, GError **error)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_domain_event_callback_deregister_any_args args = {0};
    g_autoptr(GError) err = NULL;
    remoteEventReg *reg;

    g_mutex_lock(&priv->lock);
    reg = remoteEventRegFindLocalLocked(priv, callbackID);
    if (!reg || reg->deregistering) {
        g_mutex_unlock(&priv->lock);
        ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                     "no domain event callback with ID %d on '%s'", callbackID, priv->uri);
        return false;
    }
    reg->deregistering = true;
    args.callbackID = reg->serverID;
    g_mutex_unlock(&priv->lock);

    if (!REMOTE_CALL(priv, CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                     remote_connect_domain_event_callback_deregister_any_args, &args, void, NULL,
                     &err)) {
        if (ternNetClientIsOpen(priv->client)) {
            g_mutex_lock(&priv->lock);
            reg->deregistering = false;
            g_mutex_unlock(&priv->lock);
            g_propagate_error(error, g_steal_pointer(&err));
            return false;
        }
        /* the connection is gone, and the daemon's registration with it */
        TERN_DEBUG("deregistering callback %d of '%s' locally only: %s", callbackID, priv->uri,
                   err->message);
    }

    g_mutex_lock(&priv->lock);
    g_ptr_array_remove(priv->regs, reg);
    if (priv->running == reg && g_thread_self() == priv->thread) {
        /* from inside its own callback: the dispatch thread frees it on return */
        reg->removed = true;
        g_mutex_unlock(&priv->lock);
        return true;
    }
    while (priv->running == reg)
        g_cond_wait(&priv->cond, &priv->lock);
    g_mutex_unlock(&priv->lock);
    remoteEventRegFree(reg);
    return true;
}

/* --- the table --- */

static const ternHypervisorDriver remoteHypervisorDriver = {
    .name = "remote",
    .connectOpen = remoteConnectOpen,                                         /* 0.1 */
    .connectClose = remoteConnectClose,                                       /* 0.1 */
    .connectGetType = remoteConnectGetType,                                   /* 0.1 */
    .connectGetVersion = remoteConnectGetVersion,                             /* 0.1 */
    .connectGetLibVersion = remoteConnectGetLibVersion,                       /* 0.1 */
    .connectGetHostname = remoteConnectGetHostname,                           /* 0.1 */
    .connectGetURI = remoteConnectGetURI,                                     /* 0.1 */
    .connectSupportsFeature = remoteConnectSupportsFeature,                   /* 0.1 */
    .connectIsAlive = remoteConnectIsAlive,                                   /* 0.1 */
    .connectSetKeepAlive = remoteConnectSetKeepAlive,                         /* 0.1 */
    .connectListAllDomains = remoteConnectListAllDomains,                     /* 0.1 */
    .domainLookupByName = remoteDomainLookupByName,                           /* 0.1 */
    .domainLookupByUUID = remoteDomainLookupByUUID,                           /* 0.1 */
    .domainLookupByID = remoteDomainLookupByID,                               /* 0.1 */
    .domainDefineXMLFlags = remoteDomainDefineXMLFlags,                       /* 0.1 */
    .domainUndefineFlags = remoteDomainUndefineFlags,                         /* 0.1 */
    .domainCreateWithFlags = remoteDomainCreateWithFlags,                     /* 0.1 */
    .domainDestroyFlags = remoteDomainDestroyFlags,                           /* 0.1 */
    .domainSuspend = remoteDomainSuspend,                                     /* 0.1 */
    .domainResume = remoteDomainResume,                                       /* 0.1 */
    .domainShutdownFlags = remoteDomainShutdownFlags,                         /* 0.1 */
    .domainReboot = remoteDomainReboot,                                       /* 0.1 */
    .domainGetInfo = remoteDomainGetInfo,                                     /* 0.1 */
    .domainGetState = remoteDomainGetState,                                   /* 0.1 */
    .domainGetXMLDesc = remoteDomainGetXMLDesc,                               /* 0.1 */
    .domainGetOSType = remoteDomainGetOSType,                                 /* 0.1 */
    .domainIsActive = remoteDomainIsActive,                                   /* 0.1 */
    .domainIsPersistent = remoteDomainIsPersistent,                           /* 0.1 */
    .domainGetAutostart = remoteDomainGetAutostart,                           /* 0.1 */
    .domainSetAutostart = remoteDomainSetAutostart,                           /* 0.1 */
    .domainHasManagedSaveImage = remoteDomainHasManagedSaveImage,             /* 0.1 */
    .connectDomainEventRegisterAny = remoteConnectDomainEventRegisterAny,     /* 0.1 */
    .connectDomainEventDeregisterAny = remoteConnectDomainEventDeregisterAny, /* 0.1 */
    .domainMigrateBegin3Params = remoteDomainMigrateBegin3Params,             /* 0.2 */
    .domainMigratePrepare3Params = remoteDomainMigratePrepare3Params,         /* 0.2 */
    .domainMigratePrepareTunnel3Params = remoteDomainMigratePrepareTunnel3Params, /* 0.2 */
    .domainMigratePerform3Params = remoteDomainMigratePerform3Params,         /* 0.2 */
    .domainMigrateFinish3Params = remoteDomainMigrateFinish3Params,           /* 0.2 */
    .domainMigrateConfirm3Params = remoteDomainMigrateConfirm3Params,         /* 0.2 */
    .domainGetJobInfo = remoteDomainGetJobInfo,                               /* 0.2 */
    .domainGetJobStats = remoteDomainGetJobStats,                             /* 0.2 */
    .domainAbortJob = remoteDomainAbortJob,                                   /* 0.2 */
    .domainMigrateSetMaxDowntime = remoteDomainMigrateSetMaxDowntime,         /* 0.2 */
    .domainMigrateGetMaxDowntime = remoteDomainMigrateGetMaxDowntime,         /* 0.2 */
    .domainMigrateSetMaxSpeed = remoteDomainMigrateSetMaxSpeed,               /* 0.2 */
    .domainMigrateGetMaxSpeed = remoteDomainMigrateGetMaxSpeed,               /* 0.2 */
    .domainMigrateStartPostCopy = remoteDomainMigrateStartPostCopy,           /* 0.2 */
};

const ternHypervisorDriver *
remoteDriverGet(void)
{
    return &remoteHypervisorDriver;
}

void
remoteRegister(void)
{
    ternDriverRegister(&remoteHypervisorDriver);
}
