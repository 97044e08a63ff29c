/* remote_dispatch.c: the REMOTE program on the server side: per-client state and procedures */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/driver.h"
#include "remote/remote_dispatch.h"
#include "remote/remote_protocol.h"
#include "remote/remote_typedparam.h"
#include "util/terntypedparam.h"
#include "util/ternerror.h"
#include "util/ternlog.h"

/*
 * Handlers call the hypervisor driver's methods directly (not the public
 * API): errors stay GErrors until the server turns them into remote_error.
 * Read-only sockets are enforced by the table (readOnlyOK).
 */

typedef struct _remoteClient remoteClient;
typedef struct _remoteEventReg remoteEventReg;

struct _remoteClient {
    GMutex lock;
    ternNetServerClient *client; /* borrowed: the client owns us */
    ternConnect *conn;           /* NULL until CONNECT_OPEN */
    GHashTable *events;          /* wire callbackID → remoteEventReg* */
    bool closeCallback;
};

struct _remoteEventReg {
    int callbackID;    /* what the client sees: daemon-wide unique */
    int drvCallbackID; /* the driver's */
    int eventID;
    ternNetServerClient *client; /* one reference */
};

static remoteDispatchConfig dispatchConfig = {.defaultURI = "qemu:///system"};
static gint nextEventCallbackID;

void
remoteDispatchConfigure(const remoteDispatchConfig *cfg)
{
    dispatchConfig = *cfg;
}

/* --- per-client state --- */

static void *
remoteClientNew(ternNetServerClient *client)
{
    remoteClient *priv = g_new0(remoteClient, 1);
    g_mutex_init(&priv->lock);
    priv->client = client;
    priv->events = g_hash_table_new(g_direct_hash, g_direct_equal);
    return priv;
}

static void
remoteClientCloseConn(remoteClient *priv)
{
    g_autoptr(GList) regs = NULL;
    ternConnect *conn;

    g_mutex_lock(&priv->lock);
    conn = g_steal_pointer(&priv->conn);
    regs = g_hash_table_get_values(priv->events);
    g_hash_table_steal_all(priv->events);
    g_mutex_unlock(&priv->lock);

    if (!conn)
        return;
    g_atomic_int_set(&conn->clientGone, 1);
    for (GList *l = regs; l; l = l->next) {
        remoteEventReg *reg = l->data;
        if (conn->driver->connectDomainEventDeregisterAny)
            conn->driver->connectDomainEventDeregisterAny(conn, reg->drvCallbackID, NULL);
    }
    ternConnectUnrefInternal(conn);
}

static void
remoteClientClosed(ternNetServerClient *client)
{
    remoteClientCloseConn(ternNetServerClientGetPrivate(client));
}

static void
remoteClientFree(void *opaque)
{
    remoteClient *priv = opaque;
    remoteClientCloseConn(priv);
    g_hash_table_destroy(priv->events);
    g_mutex_clear(&priv->lock);
    g_free(priv);
}

const ternNetServerClientHooks remoteClientHooks = {
    .clientNew = remoteClientNew,
    .clientClosed = remoteClientClosed,
    .clientFree = remoteClientFree,
};

/* --- helpers --- */

static remoteClient *
privOf(ternNetServerClient *client)
{
    return ternNetServerClientGetPrivate(client);
}

/* a new reference on the client's connection, or the libvirt error for "not open" */
static ternConnect *
remoteGetConn(ternNetServerClient *client, GError **error)
{
    remoteClient *priv = privOf(client);
    ternConnect *conn;

    g_mutex_lock(&priv->lock);
    conn = priv->conn;
    if (conn)
        g_atomic_int_inc(&conn->refs);
    g_mutex_unlock(&priv->lock);
    if (!conn)
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR,
                     "hypervisor connection not open");
    return conn;
}

static ternDomain *
domainFromWire(ternConnect *conn, const remote_nonnull_domain *d)
{
    return ternDomainNew(conn, d->name, (const unsigned char *)d->uuid, d->id);
}

static void
domainToWire(remote_nonnull_domain *d, const ternDomain *dom)
{
    d->name = g_strdup(dom->name);
    memcpy(d->uuid, dom->uuid, TERN_UUID_BUFLEN);
    d->id = dom->id;
}

#define DRIVER_METHOD(conn, method, error)                                                       \
    ({                                                                                           \
        bool _ok = (conn)->driver->method != NULL;                                               \
        if (!_ok)                                                                                \
            ternDriverReportNoSupport((conn), #method, (error));                                 \
        _ok;                                                                                     \
    })

/* Declares conn (owned) and dom (owned) from the args' "dom" member. */
#define WITH_DOMAIN(client, argdom, error)                                                       \
    g_autoptr(ternConnect) conn = remoteGetConn((client), (error));                              \
    g_autoptr(ternDomain) dom = NULL;                                                            \
    if (!conn)                                                                                   \
        return -1;                                                                               \
    dom = domainFromWire(conn, (argdom))

#define HANDLER(name, argsT, retT)                                                               \
    static int name(ternNetServer *srv, ternNetServerClient *client,                            \
                    const ternNetMessageHeader *call, argsT *args, retT *ret, GError **error)

typedef struct {
    char dummy;
} remoteVoid;

/* --- connection --- */

HANDLER(remoteDispatchAuthList, remoteVoid, remote_auth_list_ret)
{
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

HANDLER(remoteDispatchConnectOpen, remote_connect_open_args, remoteVoid)
{
    remoteClient *priv = privOf(client);
    const char *name = args->name && **args->name ? *args->name : dispatchConfig.defaultURI;
    unsigned int flags = args->flags & TERN_CONNECT_RO;
    ternConnect *conn;

    g_mutex_lock(&priv->lock);
    if (priv->conn) {
        g_mutex_unlock(&priv->lock);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR, "connection already open");
        return -1;
    }
    g_mutex_unlock(&priv->lock);

    if (ternNetServerClientIsReadonly(client))
        flags |= TERN_CONNECT_RO;
    if (!(conn = ternConnectOpenInternal(name, flags, error)))
        return -1;

    g_mutex_lock(&priv->lock);
    if (priv->conn) {
        g_mutex_unlock(&priv->lock);
        ternConnectUnrefInternal(conn);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR, "connection already open");
        return -1;
    }
    priv->conn = conn;
    g_mutex_unlock(&priv->lock);
    TERN_INFO("client %s opened '%s'%s", ternNetServerClientDescribe(client), name,
              flags & TERN_CONNECT_RO ? " read-only" : "");
    return 0;
}

HANDLER(remoteDispatchConnectClose, remoteVoid, remoteVoid)
{
    remoteClientCloseConn(privOf(client));
    return 0;
}

HANDLER(remoteDispatchConnectGetType, remoteVoid, remote_connect_get_type_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    const char *type;

    if (!conn || !DRIVER_METHOD(conn, connectGetType, error) ||
        !(type = conn->driver->connectGetType(conn, error)))
        return -1;
    ret->type = g_strdup(type);
    return 0;
}

HANDLER(remoteDispatchConnectGetVersion, remoteVoid, remote_connect_get_version_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    unsigned long v = 0;

    if (!conn || !DRIVER_METHOD(conn, connectGetVersion, error) ||
        !conn->driver->connectGetVersion(conn, &v, error))
        return -1;
    ret->hv_ver = v;
    return 0;
}

HANDLER(remoteDispatchConnectGetLibVersion, remoteVoid, remote_connect_get_lib_version_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);

    if (!conn)
        return -1;
    ret->lib_ver = TERN_VERSION_NUMBER;
    return 0;
}

HANDLER(remoteDispatchConnectGetHostname, remoteVoid, remote_connect_get_hostname_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);

    if (!conn || !DRIVER_METHOD(conn, connectGetHostname, error) ||
        !(ret->hostname = conn->driver->connectGetHostname(conn, error)))
        return -1;
    return 0;
}

HANDLER(remoteDispatchConnectGetURI, remoteVoid, remote_connect_get_uri_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);

    if (!conn)
        return -1;
    if (conn->driver->connectGetURI) {
        if (!(ret->uri = conn->driver->connectGetURI(conn, error)))
            return -1;
    } else {
        ret->uri = g_strdup(conn->uri);
    }
    return 0;
}

HANDLER(remoteDispatchConnectIsSecure, remoteVoid, remote_connect_is_secure_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);

    if (!conn)
        return -1;
    ret->secure = g_str_has_prefix(ternNetServerClientDescribe(client), "unix") &&
                  dispatchConfig.unixSecure;
    return 0;
}

HANDLER(remoteDispatchConnectSupportsFeature, remote_connect_supports_feature_args,
        remote_connect_supports_feature_ret)
{
    /* answered by the daemon itself, even before CONNECT_OPEN (virsh asks 10 first) */
    switch (args->feature) {
    case TERN_DRV_FEATURE_PROGRAM_KEEPALIVE:
        ternNetServerClientStartKeepAlive(client);
        ret->supported = 1;
        return 0;
    case TERN_DRV_FEATURE_REMOTE_EVENT_CALLBACK:
    case TERN_DRV_FEATURE_REMOTE_CLOSE_CALLBACK:
        ret->supported = 1;
        return 0;
    default:
        break;
    }

    g_autoptr(ternConnect) conn = remoteGetConn(client, NULL);
    int rc;
    if (!conn || !conn->driver->connectSupportsFeature) {
        ret->supported = 0;
        return 0;
    }
    if ((rc = conn->driver->connectSupportsFeature(conn, args->feature, error)) < 0)
        return -1;
    ret->supported = rc;
    return 0;
}

HANDLER(remoteDispatchConnectRegisterCloseCallback, remoteVoid, remoteVoid)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    if (!conn)
        return -1;
    privOf(client)->closeCallback = true;
    return 0;
}

HANDLER(remoteDispatchConnectUnregisterCloseCallback, remoteVoid, remoteVoid)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    if (!conn)
        return -1;
    privOf(client)->closeCallback = false;
    return 0;
}

HANDLER(remoteDispatchNodeGetSecurityModel, remoteVoid, remote_node_get_security_model_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    if (!conn)
        return -1;
    /* no security driver: libvirtd's "none" driver answers model "none", doi "0" */
    ret->model.model_val = g_strdup("none");
    ret->model.model_len = strlen("none") + 1;
    ret->doi.doi_val = g_strdup("0");
    ret->doi.doi_len = strlen("0") + 1;
    return 0;
}

/* --- listing and lookup --- */

static int
remoteListDomains(ternNetServerClient *client, unsigned int flags, ternDomain ***doms,
                  GError **error)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);

    if (!conn || !DRIVER_METHOD(conn, connectListAllDomains, error))
        return -1;
    return conn->driver->connectListAllDomains(conn, doms, flags, error);
}

static void
freeDomainList(ternDomain **doms)
{
    for (ternDomain **d = doms; d && *d; d++)
        ternDomainUnrefInternal(*d);
    g_free(doms);
}

HANDLER(remoteDispatchConnectListAllDomains, remote_connect_list_all_domains_args,
        remote_connect_list_all_domains_ret)
{
    ternDomain **doms = NULL;
    int n = remoteListDomains(client, args->flags, args->need_results ? &doms : NULL, error);

    if (n < 0)
        return -1;
    if (n > REMOTE_DOMAIN_LIST_MAX) {
        freeDomainList(doms);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "too many domains (%d) for one reply, maximum %d", n,
                     REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (doms) {
        ret->domains.domains_val = g_new0(remote_nonnull_domain, n ? n : 1);
        ret->domains.domains_len = n;
        for (int i = 0; i < n; i++)
            domainToWire(&ret->domains.domains_val[i], doms[i]);
    }
    freeDomainList(doms);
    ret->ret = n;
    return 0;
}

HANDLER(remoteDispatchConnectNumOfDomains, remoteVoid, remote_connect_num_of_domains_ret)
{
    int n = remoteListDomains(client, TERN_CONNECT_LIST_DOMAINS_ACTIVE, NULL, error);
    if (n < 0)
        return -1;
    ret->num = n;
    return 0;
}

HANDLER(remoteDispatchConnectNumOfDefinedDomains, remoteVoid,
        remote_connect_num_of_defined_domains_ret)
{
    int n = remoteListDomains(client, TERN_CONNECT_LIST_DOMAINS_INACTIVE, NULL, error);
    if (n < 0)
        return -1;
    ret->num = n;
    return 0;
}

HANDLER(remoteDispatchConnectListDomains, remote_connect_list_domains_args,
        remote_connect_list_domains_ret)
{
    ternDomain **doms = NULL;
    int n;

    if (args->maxids < 0 || args->maxids > REMOTE_DOMAIN_LIST_MAX) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "maxids %d is outside 0..%d",
                     args->maxids, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if ((n = remoteListDomains(client, TERN_CONNECT_LIST_DOMAINS_ACTIVE, &doms, error)) < 0)
        return -1;
    n = MIN(n, args->maxids);
    ret->ids.ids_val = g_new0(int, n ? n : 1);
    ret->ids.ids_len = n;
    for (int i = 0; i < n; i++)
        ret->ids.ids_val[i] = doms[i]->id;
    freeDomainList(doms);
    return 0;
}

HANDLER(remoteDispatchConnectListDefinedDomains, remote_connect_list_defined_domains_args,
        remote_connect_list_defined_domains_ret)
{
    ternDomain **doms = NULL;
    int n;

    if (args->maxnames < 0 || args->maxnames > REMOTE_DOMAIN_LIST_MAX) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC, "maxnames %d is outside 0..%d",
                     args->maxnames, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if ((n = remoteListDomains(client, TERN_CONNECT_LIST_DOMAINS_INACTIVE, &doms, error)) < 0)
        return -1;
    n = MIN(n, args->maxnames);
    ret->names.names_val = g_new0(remote_nonnull_string, n ? n : 1);
    ret->names.names_len = n;
    for (int i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(doms[i]->name);
    freeDomainList(doms);
    return 0;
}

HANDLER(remoteDispatchDomainLookupByName, remote_domain_lookup_by_name_args,
        remote_domain_lookup_by_name_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_autoptr(ternDomain) dom = NULL;

    if (!conn || !DRIVER_METHOD(conn, domainLookupByName, error) ||
        !(dom = conn->driver->domainLookupByName(conn, args->name, error)))
        return -1;
    domainToWire(&ret->dom, dom);
    return 0;
}

HANDLER(remoteDispatchDomainLookupByUUID, remote_domain_lookup_by_uuid_args,
        remote_domain_lookup_by_uuid_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_autoptr(ternDomain) dom = NULL;

    if (!conn || !DRIVER_METHOD(conn, domainLookupByUUID, error) ||
        !(dom = conn->driver->domainLookupByUUID(conn, (const unsigned char *)args->uuid,
                                                  error)))
        return -1;
    domainToWire(&ret->dom, dom);
    return 0;
}

HANDLER(remoteDispatchDomainLookupByID, remote_domain_lookup_by_id_args,
        remote_domain_lookup_by_id_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_autoptr(ternDomain) dom = NULL;

    if (!conn || !DRIVER_METHOD(conn, domainLookupByID, error) ||
        !(dom = conn->driver->domainLookupByID(conn, args->id, error)))
        return -1;
    domainToWire(&ret->dom, dom);
    return 0;
}

/* --- definition and lifecycle --- */

static int
remoteDefine(ternNetServerClient *client, const char *xml, unsigned int flags,
             remote_nonnull_domain *out, GError **error)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_autoptr(ternDomain) dom = NULL;

    if (!conn || !DRIVER_METHOD(conn, domainDefineXMLFlags, error) ||
        !(dom = conn->driver->domainDefineXMLFlags(conn, xml, flags, error)))
        return -1;
    domainToWire(out, dom);
    return 0;
}

HANDLER(remoteDispatchDomainDefineXML, remote_domain_define_xml_args,
        remote_domain_define_xml_ret)
{
    return remoteDefine(client, args->xml, 0, &ret->dom, error);
}

HANDLER(remoteDispatchDomainDefineXMLFlags, remote_domain_define_xml_flags_args,
        remote_domain_define_xml_flags_ret)
{
    return remoteDefine(client, args->xml, args->flags, &ret->dom, error);
}

static int
remoteUndefine(ternNetServerClient *client, const remote_nonnull_domain *d, unsigned int flags,
               GError **error)
{
    WITH_DOMAIN(client, d, error);
    if (!DRIVER_METHOD(conn, domainUndefineFlags, error) ||
        !conn->driver->domainUndefineFlags(dom, flags, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainUndefine, remote_domain_undefine_args, remoteVoid)
{
    return remoteUndefine(client, &args->dom, 0, error);
}

HANDLER(remoteDispatchDomainUndefineFlags, remote_domain_undefine_flags_args, remoteVoid)
{
    return remoteUndefine(client, &args->dom, args->flags, error);
}

static int
remoteCreate(ternNetServerClient *client, const remote_nonnull_domain *d, unsigned int flags,
             remote_nonnull_domain *out, GError **error)
{
    WITH_DOMAIN(client, d, error);
    if (!DRIVER_METHOD(conn, domainCreateWithFlags, error) ||
        !conn->driver->domainCreateWithFlags(dom, flags, error))
        return -1;
    if (out)
        domainToWire(out, dom);
    return 0;
}

HANDLER(remoteDispatchDomainCreate, remote_domain_create_args, remoteVoid)
{
    return remoteCreate(client, &args->dom, 0, NULL, error);
}

HANDLER(remoteDispatchDomainCreateWithFlags, remote_domain_create_with_flags_args,
        remote_domain_create_with_flags_ret)
{
    return remoteCreate(client, &args->dom, args->flags, &ret->dom, error);
}

static int
remoteDestroy(ternNetServerClient *client, const remote_nonnull_domain *d, unsigned int flags,
              GError **error)
{
    WITH_DOMAIN(client, d, error);
    if (!DRIVER_METHOD(conn, domainDestroyFlags, error) ||
        !conn->driver->domainDestroyFlags(dom, flags, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainDestroy, remote_domain_destroy_args, remoteVoid)
{
    return remoteDestroy(client, &args->dom, 0, error);
}

HANDLER(remoteDispatchDomainDestroyFlags, remote_domain_destroy_flags_args, remoteVoid)
{
    return remoteDestroy(client, &args->dom, args->flags, error);
}

HANDLER(remoteDispatchDomainSuspend, remote_domain_suspend_args, remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainSuspend, error) || !conn->driver->domainSuspend(dom, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainResume, remote_domain_resume_args, remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainResume, error) || !conn->driver->domainResume(dom, error))
        return -1;
    return 0;
}

static int
remoteShutdown(ternNetServerClient *client, const remote_nonnull_domain *d, unsigned int flags,
               GError **error)
{
    WITH_DOMAIN(client, d, error);
    if (!DRIVER_METHOD(conn, domainShutdownFlags, error) ||
        !conn->driver->domainShutdownFlags(dom, flags, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainShutdown, remote_domain_shutdown_args, remoteVoid)
{
    return remoteShutdown(client, &args->dom, 0, error);
}

HANDLER(remoteDispatchDomainShutdownFlags, remote_domain_shutdown_flags_args, remoteVoid)
{
    return remoteShutdown(client, &args->dom, args->flags, error);
}

HANDLER(remoteDispatchDomainReboot, remote_domain_reboot_args, remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainReboot, error) ||
        !conn->driver->domainReboot(dom, args->flags, error))
        return -1;
    return 0;
}

/* --- queries --- */

HANDLER(remoteDispatchDomainGetInfo, remote_domain_get_info_args, remote_domain_get_info_ret)
{
    ternDomainInfo info = {0};
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainGetInfo, error) ||
        !conn->driver->domainGetInfo(dom, &info, error))
        return -1;
    ret->state = info.state;
    ret->maxMem = info.maxMem;
    ret->memory = info.memory;
    ret->nrVirtCpu = info.nrVirtCpu;
    ret->cpuTime = info.cpuTime;
    return 0;
}

HANDLER(remoteDispatchDomainGetState, remote_domain_get_state_args, remote_domain_get_state_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainGetState, error) ||
        !conn->driver->domainGetState(dom, &ret->state, &ret->reason, args->flags, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainGetXMLDesc, remote_domain_get_xml_desc_args,
        remote_domain_get_xml_desc_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainGetXMLDesc, error) ||
        !(ret->xml = conn->driver->domainGetXMLDesc(dom, args->flags, error)))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainGetOSType, remote_domain_get_os_type_args,
        remote_domain_get_os_type_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainGetOSType, error) ||
        !(ret->type = conn->driver->domainGetOSType(dom, error)))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainIsActive, remote_domain_is_active_args, remote_domain_is_active_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainIsActive, error) ||
        (ret->active = conn->driver->domainIsActive(dom, error)) < 0)
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainIsPersistent, remote_domain_is_persistent_args,
        remote_domain_is_persistent_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainIsPersistent, error) ||
        (ret->persistent = conn->driver->domainIsPersistent(dom, error)) < 0)
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainGetAutostart, remote_domain_get_autostart_args,
        remote_domain_get_autostart_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainGetAutostart, error) ||
        !conn->driver->domainGetAutostart(dom, &ret->autostart, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainSetAutostart, remote_domain_set_autostart_args, remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainSetAutostart, error) ||
        !conn->driver->domainSetAutostart(dom, args->autostart, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainHasManagedSaveImage, remote_domain_has_managed_save_image_args,
        remote_domain_has_managed_save_image_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainHasManagedSaveImage, error) ||
        (ret->result = conn->driver->domainHasManagedSaveImage(dom, args->flags, error)) < 0)
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainGetSecurityLabel, remote_domain_get_security_label_args,
        remote_domain_get_security_label_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    /* no security driver: an empty label, as libvirtd's "none" driver */
    ret->label.label_val = g_new0(char, 1);
    ret->label.label_len = 1;
    ret->enforcing = 0;
    return 0;
}

HANDLER(remoteDispatchDomainGetMessages, remote_domain_get_messages_args,
        remote_domain_get_messages_ret)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!ternErrorCheckFlags(args->flags, 0x3, "virDomainGetMessages", error))
        return -1;
    /* tern records no taint or deprecation messages */
    ret->msgs.msgs_len = 0;
    ret->msgs.msgs_val = NULL;
    return 0;
}

/* --- events --- */

static void
remoteEventRegFree(void *opaque)
{
    remoteEventReg *reg = opaque;
    ternNetServerClientUnref(reg->client);
    g_free(reg);
}

static void
remoteEventSend(remoteEventReg *reg, int proc, xdrproc_t filter, void *data)
{
    g_autoptr(ternNetMessage) msg = ternNetMessageNew();
    g_autoptr(GError) err = NULL;

    msg->header.prog = REMOTE_PROGRAM;
    msg->header.vers = REMOTE_PROTOCOL_VERSION;
    msg->header.proc = proc;
    msg->header.type = TERN_NET_MESSAGE;
    msg->header.serial = 1; /* as libvirtd; clients ignore it */
    msg->header.status = TERN_NET_OK;
    if (!ternNetMessageEncodeHeader(msg, &err) || !ternNetMessageEncodePayload(msg, filter, data, &err)) {
        TERN_WARN("cannot encode event %d: %s", proc, err->message);
        return;
    }
    ternNetServerClientSend(reg->client, g_steal_pointer(&msg));
}

static void
remoteEventLifecycle(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    remoteEventReg *reg = opaque;
    remote_domain_event_callback_lifecycle_msg data = {0};

    data.callbackID = reg->callbackID;
    domainToWire(&data.msg.dom, dom);
    data.msg.event = event;
    data.msg.detail = detail;
    remoteEventSend(reg, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                    (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &data);
    g_free(data.msg.dom.name);
}

static void
remoteEventMigrationIteration(ternConnect *conn, ternDomain *dom, int iteration, void *opaque)
{
    remoteEventReg *reg = opaque;
    remote_domain_event_callback_migration_iteration_msg data = {0};

    data.callbackID = reg->callbackID;
    domainToWire(&data.dom, dom);
    data.iteration = iteration;
    remoteEventSend(reg, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                    (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg, &data);
    g_free(data.dom.name);
}

static void
remoteEventJobCompleted(ternConnect *conn, ternDomain *dom, ternTypedParameter *params,
                        int nparams, void *opaque)
{
    remoteEventReg *reg = opaque;
    remote_domain_event_callback_job_completed_msg data = {0};
    g_autoptr(GError) err = NULL;

    data.callbackID = reg->callbackID;
    domainToWire(&data.dom, dom);
    if (!remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_JOB_STATS_MAX,
                                 &data.params.params_val, &data.params.params_len, &err)) {
        TERN_WARN("cannot send a job-completed event: %s", err->message);
        g_free(data.dom.name);
        return;
    }
    remoteEventSend(reg, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                    (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, &data);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, (char *)&data);
}

/* The event IDs ternd can put on the wire, with the callback that encodes each. */
static const ternConnectDomainEventGenericCallback remoteEventCallbacks[] = {
    [TERN_DOMAIN_EVENT_ID_LIFECYCLE] = TERN_DOMAIN_EVENT_CALLBACK(remoteEventLifecycle),
    [TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION] =
        TERN_DOMAIN_EVENT_CALLBACK(remoteEventMigrationIteration),
    [TERN_DOMAIN_EVENT_ID_JOB_COMPLETED] = TERN_DOMAIN_EVENT_CALLBACK(remoteEventJobCompleted),
};

HANDLER(remoteDispatchConnectDomainEventCallbackRegisterAny,
        remote_connect_domain_event_callback_register_any_args,
        remote_connect_domain_event_callback_register_any_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_autoptr(ternDomain) dom = NULL;
    remoteClient *priv = privOf(client);
    remoteEventReg *reg;

    if (!conn)
        return -1;
    if (args->eventID < 0 || (size_t)args->eventID >= G_N_ELEMENTS(remoteEventCallbacks) ||
        !remoteEventCallbacks[args->eventID]) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR, "unsupported event ID %d",
                     args->eventID);
        return -1;
    }
    if (!DRIVER_METHOD(conn, connectDomainEventRegisterAny, error))
        return -1;
    if (args->dom)
        dom = domainFromWire(conn, args->dom);

    reg = g_new0(remoteEventReg, 1);
    reg->callbackID = g_atomic_int_add(&nextEventCallbackID, 1);
    reg->eventID = args->eventID;
    reg->client = ternNetServerClientRef(client);
    reg->drvCallbackID = conn->driver->connectDomainEventRegisterAny(
        conn, dom, args->eventID, remoteEventCallbacks[args->eventID], reg, remoteEventRegFree,
        error);
    if (reg->drvCallbackID < 0) {
        remoteEventRegFree(reg);
        return -1;
    }
    g_mutex_lock(&priv->lock);
    g_hash_table_insert(priv->events, GINT_TO_POINTER(reg->callbackID), reg);
    g_mutex_unlock(&priv->lock);
    ret->callbackID = reg->callbackID;
    return 0;
}

HANDLER(remoteDispatchConnectDomainEventCallbackDeregisterAny,
        remote_connect_domain_event_callback_deregister_any_args, remoteVoid)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    remoteClient *priv = privOf(client);
    remoteEventReg *reg;
    int drvID;

    if (!conn)
        return -1;
    g_mutex_lock(&priv->lock);
    reg = g_hash_table_lookup(priv->events, GINT_TO_POINTER(args->callbackID));
    if (reg)
        g_hash_table_remove(priv->events, GINT_TO_POINTER(args->callbackID));
    g_mutex_unlock(&priv->lock);
    if (!reg) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR,
                     "domain event %d not registered", args->callbackID);
        return -1;
    }
    drvID = reg->drvCallbackID; /* reg is freed by the driver through remoteEventRegFree */
    if (!DRIVER_METHOD(conn, connectDomainEventDeregisterAny, error) ||
        !conn->driver->connectDomainEventDeregisterAny(conn, drvID, error))
        return -1;
    return 0;
}

/* --- migration: the five phases, shared by every version of the protocol --- */

#define OPT(s) ((s) ? *(s) : NULL)

/* an incoming cookie: the decoder bounded it by REMOTE_MIGRATE_COOKIE_MAX, so it fits an int */
#define COOKIE_IN(args) (args)->cookie_in.cookie_in_val, (int)(args)->cookie_in.cookie_in_len
#define COOKIE_OUT(ret) &(ret)->cookie_out.cookie_out_len, &(ret)->cookie_out.cookie_out_val

#define PARAMS_FROM_WIRE(wire, out, error)                                                       \
    remoteTypedParamsFromWire((wire).params_val, (wire).params_len,                              \
                              REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX, &(out).params, &(out).n,     \
                              (error))

/*
 * Moves the driver's @cookie (@len bytes) into a reply's
 * opaque<REMOTE_MIGRATE_COOKIE_MAX>; one the reply cannot carry is freed
 * and refused here rather than failing (or crashing) in the encoder.
 */
static bool
remoteCookieToWire(char *cookie, int len, u_int *wireLen, char **wireVal, GError **error)
{
    if (len < 0 || len > REMOTE_MIGRATE_COOKIE_MAX || (len > 0 && !cookie)) {
        g_free(cookie);
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INTERNAL_ERROR,
                     "migration cookie of %d bytes cannot be sent: expected 0..%d bytes", len,
                     REMOTE_MIGRATE_COOKIE_MAX);
        return false;
    }
    *wireLen = (u_int)len;
    *wireVal = cookie;
    return true;
}

/*
 * Each phase helper checks that the driver has the method, calls it with
 * @p and puts what it answered into the reply members it is given: the
 * procedures differ only in where their arguments come from.
 */

static char *
remoteMigrateBegin(ternConnect *conn, ternDomain *dom, const ternTypedParamList *p,
                   unsigned int flags, u_int *cookieLen, char **cookieVal, GError **error)
{
    g_autofree char *xml = NULL;
    char *cookie = NULL;
    int cookielen = 0;

    if (!DRIVER_METHOD(conn, domainMigrateBegin3Params, error) ||
        !(xml = conn->driver->domainMigrateBegin3Params(dom, p->params, p->n, &cookie,
                                                         &cookielen, flags, error)) ||
        !remoteCookieToWire(cookie, cookielen, cookieLen, cookieVal, error))
        return NULL;
    return g_steal_pointer(&xml);
}

static bool
remoteMigratePrepare(ternConnect *conn, const ternTypedParamList *p, const char *cookiein,
                     int cookieinlen, unsigned int flags, u_int *cookieLen, char **cookieVal,
                     remote_string *retUri, GError **error)
{
    g_autofree char *uri = NULL;
    char *cookie = NULL;
    int cookielen = 0;

    if (!DRIVER_METHOD(conn, domainMigratePrepare3Params, error) ||
        !conn->driver->domainMigratePrepare3Params(conn, p->params, p->n, cookiein, cookieinlen,
                                                   &cookie, &cookielen, &uri, flags, error) ||
        !remoteCookieToWire(cookie, cookielen, cookieLen, cookieVal, error))
        return false;
    if (uri) {
        *retUri = g_new0(remote_nonnull_string, 1);
        **retUri = g_steal_pointer(&uri);
    }
    return true;
}

static bool
remoteMigratePerform(ternConnect *conn, ternDomain *dom, const char *dconnuri,
                     const ternTypedParamList *p, const char *cookiein, int cookieinlen,
                     unsigned int flags, u_int *cookieLen, char **cookieVal, GError **error)
{
    char *cookie = NULL;
    int cookielen = 0;

    return DRIVER_METHOD(conn, domainMigratePerform3Params, error) &&
           conn->driver->domainMigratePerform3Params(dom, dconnuri, p->params, p->n, cookiein,
                                                     cookieinlen, &cookie, &cookielen, flags,
                                                     error) &&
           remoteCookieToWire(cookie, cookielen, cookieLen, cookieVal, error);
}

/* @cookieLen and @cookieVal are NULL for v2, whose Finish answers no cookie */
static bool
remoteMigrateFinish(ternConnect *conn, const ternTypedParamList *p, const char *cookiein,
                    int cookieinlen, unsigned int flags, int cancelled, u_int *cookieLen,
                    char **cookieVal, remote_nonnull_domain *retDom, GError **error)
{
    g_autoptr(ternDomain) dom = NULL;
    char *cookie = NULL;
    int cookielen = 0;

    if (!DRIVER_METHOD(conn, domainMigrateFinish3Params, error) ||
        !(dom = conn->driver->domainMigrateFinish3Params(
              conn, p->params, p->n, cookiein, cookieinlen, cookieLen ? &cookie : NULL,
              cookieLen ? &cookielen : NULL, flags, cancelled, error)))
        return false;
    if (cookieLen && !remoteCookieToWire(cookie, cookielen, cookieLen, cookieVal, error))
        return false;
    domainToWire(retDom, dom);
    return true;
}

static bool
remoteMigrateConfirm(ternConnect *conn, ternDomain *dom, const ternTypedParamList *p,
                     const char *cookiein, int cookieinlen, unsigned int flags, int cancelled,
                     GError **error)
{
    return DRIVER_METHOD(conn, domainMigrateConfirm3Params, error) &&
           conn->driver->domainMigrateConfirm3Params(dom, p->params, p->n, cookiein, cookieinlen,
                                                     flags, cancelled, error);
}

/* --- migration: v3 with typed parameters --- */

HANDLER(remoteDispatchDomainMigrateBegin3Params, remote_domain_migrate_begin3_params_args,
        remote_domain_migrate_begin3_params_ret)
{
    g_auto(ternTypedParamList) p = {0};
    WITH_DOMAIN(client, &args->dom, error);

    if (!PARAMS_FROM_WIRE(args->params, p, error) ||
        !(ret->xml = remoteMigrateBegin(conn, dom, &p, args->flags, COOKIE_OUT(ret), error)))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePrepare3Params, remote_domain_migrate_prepare3_params_args,
        remote_domain_migrate_prepare3_params_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};

    if (!conn || !PARAMS_FROM_WIRE(args->params, p, error) ||
        !remoteMigratePrepare(conn, &p, COOKIE_IN(args), args->flags, COOKIE_OUT(ret),
                              &ret->uri_out, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePrepareTunnel3Params,
        remote_domain_migrate_prepare_tunnel3_params_args,
        remote_domain_migrate_prepare_tunnel3_params_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};
    g_autoptr(ternNetStream) st = NULL;
    char *cookie = NULL;
    int cookielen = 0;

    if (!conn || !PARAMS_FROM_WIRE(args->params, p, error) ||
        !DRIVER_METHOD(conn, domainMigratePrepareTunnel3Params, error))
        return -1;
    /* the data arrives as STREAM packets of this call; the driver reads them */
    st = ternNetServerClientAddStream(client, call);
    if (!conn->driver->domainMigratePrepareTunnel3Params(conn, &st, p.params, p.n,
                                                         COOKIE_IN(args), &cookie, &cookielen,
                                                         args->flags, error) ||
        !remoteCookieToWire(cookie, cookielen, COOKIE_OUT(ret), error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePerform3Params, remote_domain_migrate_perform3_params_args,
        remote_domain_migrate_perform3_params_ret)
{
    g_auto(ternTypedParamList) p = {0};
    WITH_DOMAIN(client, &args->dom, error);

    if (!PARAMS_FROM_WIRE(args->params, p, error) ||
        !remoteMigratePerform(conn, dom, OPT(args->dconnuri), &p, COOKIE_IN(args), args->flags,
                              COOKIE_OUT(ret), error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateFinish3Params, remote_domain_migrate_finish3_params_args,
        remote_domain_migrate_finish3_params_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};

    if (!conn || !PARAMS_FROM_WIRE(args->params, p, error) ||
        !remoteMigrateFinish(conn, &p, COOKIE_IN(args), args->flags, args->cancelled,
                             COOKIE_OUT(ret), &ret->dom, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateConfirm3Params, remote_domain_migrate_confirm3_params_args,
        remoteVoid)
{
    g_auto(ternTypedParamList) p = {0};
    WITH_DOMAIN(client, &args->dom, error);

    if (!PARAMS_FROM_WIRE(args->params, p, error) ||
        !remoteMigrateConfirm(conn, dom, &p, COOKIE_IN(args), args->flags, args->cancelled,
                              error))
        return -1;
    return 0;
}

/* --- jobs and migration tuning --- */

HANDLER(remoteDispatchDomainGetJobInfo, remote_domain_get_job_info_args,
        remote_domain_get_job_info_ret)
{
    ternDomainJobInfo info = {0};
    WITH_DOMAIN(client, &args->dom, error);

    if (!DRIVER_METHOD(conn, domainGetJobInfo, error) ||
        !conn->driver->domainGetJobInfo(dom, &info, error))
        return -1;
    ret->type = info.type;
    ret->timeElapsed = info.timeElapsed;
    ret->timeRemaining = info.timeRemaining;
    ret->dataTotal = info.dataTotal;
    ret->dataProcessed = info.dataProcessed;
    ret->dataRemaining = info.dataRemaining;
    ret->memTotal = info.memTotal;
    ret->memProcessed = info.memProcessed;
    ret->memRemaining = info.memRemaining;
    ret->fileTotal = info.fileTotal;
    ret->fileProcessed = info.fileProcessed;
    ret->fileRemaining = info.fileRemaining;
    return 0;
}

HANDLER(remoteDispatchDomainGetJobStats, remote_domain_get_job_stats_args,
        remote_domain_get_job_stats_ret)
{
    g_auto(ternTypedParamList) p = {0};
    WITH_DOMAIN(client, &args->dom, error);

    if (!DRIVER_METHOD(conn, domainGetJobStats, error) ||
        !conn->driver->domainGetJobStats(dom, &ret->type, &p.params, &p.n, args->flags, error) ||
        !remoteTypedParamsToWire(p.params, p.n, REMOTE_DOMAIN_JOB_STATS_MAX,
                                 &ret->params.params_val, &ret->params.params_len, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainAbortJob, remote_domain_abort_job_args, remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainAbortJob, error) || !conn->driver->domainAbortJob(dom, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateSetMaxDowntime, remote_domain_migrate_set_max_downtime_args,
        remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainMigrateSetMaxDowntime, error) ||
        !conn->driver->domainMigrateSetMaxDowntime(dom, args->downtime, args->flags, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateGetMaxDowntime, remote_domain_migrate_get_max_downtime_args,
        remote_domain_migrate_get_max_downtime_ret)
{
    unsigned long long v = 0;
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainMigrateGetMaxDowntime, error) ||
        !conn->driver->domainMigrateGetMaxDowntime(dom, &v, args->flags, error))
        return -1;
    ret->downtime = v;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateSetMaxSpeed, remote_domain_migrate_set_max_speed_args,
        remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (args->bandwidth > G_MAXULONG) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_OVERFLOW, "bandwidth %llu is too large",
                     (unsigned long long)args->bandwidth);
        return -1;
    }
    if (!DRIVER_METHOD(conn, domainMigrateSetMaxSpeed, error) ||
        !conn->driver->domainMigrateSetMaxSpeed(dom, (unsigned long)args->bandwidth, args->flags,
                                                error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateGetMaxSpeed, remote_domain_migrate_get_max_speed_args,
        remote_domain_migrate_get_max_speed_ret)
{
    unsigned long v = 0;
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainMigrateGetMaxSpeed, error) ||
        !conn->driver->domainMigrateGetMaxSpeed(dom, &v, args->flags, error))
        return -1;
    ret->bandwidth = v;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateStartPostCopy, remote_domain_migrate_start_post_copy_args,
        remoteVoid)
{
    WITH_DOMAIN(client, &args->dom, error);
    if (!DRIVER_METHOD(conn, domainMigrateStartPostCopy, error) ||
        !conn->driver->domainMigrateStartPostCopy(dom, args->flags, error))
        return -1;
    return 0;
}

/*
 * The older migration procedures carry what the *Params ones put in typed
 * parameters as fixed arguments; they are served by the same driver
 * methods. v3 (213-218) is the same five phases. v2 (108, 62, 109) has no
 * Begin and no Confirm: its Perform begins, sends and, on success, stops
 * the source itself (there is no later call to tell it the destination
 * runs), exactly as libvirt's v2 does.
 */

/*
 * The fixed arguments of v3 and v2: the wire's 64-bit @wireFlags checked
 * into *@retFlags, and the typed parameters the others stand for added to
 * @p (NULL strings and a zero @resource are left out).
 */
static bool
remoteLegacyArgs(ternTypedParamList *p, unsigned int *retFlags, guint64 wireFlags,
                 const char *xml, const char *dname, unsigned long long resource,
                 const char *uri, GError **error)
{
    const struct {
        const char *name;
        const char *value;
    } strings[] = {
        {TERN_MIGRATE_PARAM_DEST_XML, xml},
        {TERN_MIGRATE_PARAM_DEST_NAME, dname},
        {TERN_MIGRATE_PARAM_URI, uri},
    };

    if (wireFlags > G_MAXUINT) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                     "unsupported migration flags 0x%llx", (unsigned long long)wireFlags);
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        if (strings[i].value && !ternTypedParamListSetString(p, strings[i].name,
                                                              strings[i].value, error))
            return false;
    }
    if (resource && !ternTypedParamListAddULLong(p, TERN_MIGRATE_PARAM_BANDWIDTH, resource, error))
        return false;
    *retFlags = (unsigned int)wireFlags;
    return true;
}

HANDLER(remoteDispatchDomainMigrateBegin3, remote_domain_migrate_begin3_args,
        remote_domain_migrate_begin3_ret)
{
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;
    WITH_DOMAIN(client, &args->dom, error);

    if (!remoteLegacyArgs(&p, &flags, args->flags, OPT(args->xmlin), OPT(args->dname),
                          args->resource, NULL, error) ||
        !(ret->xml = remoteMigrateBegin(conn, dom, &p, flags, COOKIE_OUT(ret), error)))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePrepare3, remote_domain_migrate_prepare3_args,
        remote_domain_migrate_prepare3_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;

    if (!conn ||
        !remoteLegacyArgs(&p, &flags, args->flags, args->dom_xml, OPT(args->dname),
                          args->resource, OPT(args->uri_in), error) ||
        !remoteMigratePrepare(conn, &p, COOKIE_IN(args), flags, COOKIE_OUT(ret), &ret->uri_out,
                              error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePerform3, remote_domain_migrate_perform3_args,
        remote_domain_migrate_perform3_ret)
{
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;
    WITH_DOMAIN(client, &args->dom, error);

    if (!remoteLegacyArgs(&p, &flags, args->flags, OPT(args->xmlin), OPT(args->dname),
                          args->resource, OPT(args->uri), error) ||
        !remoteMigratePerform(conn, dom, OPT(args->dconnuri), &p, COOKIE_IN(args), flags,
                              COOKIE_OUT(ret), error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateFinish3, remote_domain_migrate_finish3_args,
        remote_domain_migrate_finish3_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;

    if (!conn ||
        !remoteLegacyArgs(&p, &flags, args->flags, NULL, args->dname, 0, OPT(args->uri), error) ||
        !remoteMigrateFinish(conn, &p, COOKIE_IN(args), flags, args->cancelled, COOKIE_OUT(ret),
                             &ret->dom, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigrateConfirm3, remote_domain_migrate_confirm3_args, remoteVoid)
{
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;
    WITH_DOMAIN(client, &args->dom, error);

    if (!remoteLegacyArgs(&p, &flags, args->flags, NULL, NULL, 0, NULL, error) ||
        !remoteMigrateConfirm(conn, dom, &p, COOKIE_IN(args), flags, args->cancelled, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePrepare2, remote_domain_migrate_prepare2_args,
        remote_domain_migrate_prepare2_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;

    if (!conn ||
        !remoteLegacyArgs(&p, &flags, args->flags, args->dom_xml, OPT(args->dname),
                          args->resource, OPT(args->uri_in), error) ||
        !remoteMigratePrepare(conn, &p, NULL, 0, flags, &ret->cookie.cookie_len,
                              &ret->cookie.cookie_val, &ret->uri_out, error))
        return -1;
    return 0;
}

HANDLER(remoteDispatchDomainMigratePerform, remote_domain_migrate_perform_args, remoteVoid)
{
    g_auto(ternTypedParamList) begin = {0};
    g_auto(ternTypedParamList) perform = {0};
    g_autofree char *xml = NULL;
    g_autofree char *bcookie = NULL;
    g_autofree char *pcookie = NULL;
    int bcookielen = 0, pcookielen = 0;
    unsigned int flags;
    WITH_DOMAIN(client, &args->dom, error);

    if (!remoteLegacyArgs(&begin, &flags, args->flags, NULL, OPT(args->dname), args->resource,
                          NULL, error) ||
        !remoteLegacyArgs(&perform, &flags, args->flags, NULL, OPT(args->dname), args->resource,
                          args->uri, error) ||
        !DRIVER_METHOD(conn, domainMigrateBegin3Params, error) ||
        !DRIVER_METHOD(conn, domainMigratePerform3Params, error) ||
        !DRIVER_METHOD(conn, domainMigrateConfirm3Params, error))
        return -1;
    if (!(xml = conn->driver->domainMigrateBegin3Params(dom, begin.params, begin.n, &bcookie,
                                                        &bcookielen, flags, error)))
        return -1;
    if (!conn->driver->domainMigratePerform3Params(dom, NULL, perform.params, perform.n,
                                                   args->cookie.cookie_val,
                                                   (int)args->cookie.cookie_len, &pcookie,
                                                   &pcookielen, flags, error))
        return -1; /* Perform resumed the guest here and ended the job */
    /* v2 has no Confirm: the data went, so the source's copy goes now */
    return conn->driver->domainMigrateConfirm3Params(dom, NULL, 0, pcookie, pcookielen, flags, 0,
                                                     error)
               ? 0
               : -1;
}

HANDLER(remoteDispatchDomainMigrateFinish2, remote_domain_migrate_finish2_args,
        remote_domain_migrate_finish2_ret)
{
    g_autoptr(ternConnect) conn = remoteGetConn(client, error);
    g_auto(ternTypedParamList) p = {0};
    unsigned int flags;

    if (!conn ||
        !remoteLegacyArgs(&p, &flags, args->flags, NULL, args->dname, 0, args->uri, error) ||
        !remoteMigrateFinish(conn, &p, args->cookie.cookie_val, (int)args->cookie.cookie_len,
                             flags, args->retcode != 0, NULL, NULL, &ret->ddom, error))
        return -1;
    return 0;
}

/* --- the table --- */

#define PROC_FULL(num, fn, argsT, retT, ro, inloop)                                               \
    [num] = {                                                                                    \
        .name = #num,                                                                            \
        .func = (ternNetServerDispatchFunc)(void (*)(void))(fn),                                 \
        .argsSize = sizeof(argsT),                                                               \
        .argsFilter = (xdrproc_t)xdr_##argsT,                                                    \
        .retSize = sizeof(retT),                                                                 \
        .retFilter = (xdrproc_t)xdr_##retT,                                                      \
        .readOnlyOK = (ro),                                                                      \
        .inLoop = (inloop),                                                                      \
    }
#define PROC(num, fn, argsT, retT, ro) PROC_FULL(num, fn, argsT, retT, ro, false)
/* lookups and the daemon's own answers read memory only: served on the loop thread */
#define PROC_FAST(num, fn, argsT, retT) PROC_FULL(num, fn, argsT, retT, true, true)

/* a void payload: nothing to encode or decode */
static bool_t
xdr_remoteVoid(XDR *xdrs, remoteVoid *v)
{
    return TRUE;
}

#define RO true
#define RW false

static const ternNetServerProc remoteProcs[] = {
    PROC(REMOTE_PROC_CONNECT_OPEN, remoteDispatchConnectOpen, remote_connect_open_args,
         remoteVoid, RO),
    PROC(REMOTE_PROC_CONNECT_CLOSE, remoteDispatchConnectClose, remoteVoid, remoteVoid, RO),
    PROC(REMOTE_PROC_CONNECT_GET_TYPE, remoteDispatchConnectGetType, remoteVoid,
         remote_connect_get_type_ret, RO),
    PROC(REMOTE_PROC_CONNECT_GET_VERSION, remoteDispatchConnectGetVersion, remoteVoid,
         remote_connect_get_version_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_CREATE, remoteDispatchDomainCreate, remote_domain_create_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_DEFINE_XML, remoteDispatchDomainDefineXML,
         remote_domain_define_xml_args, remote_domain_define_xml_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_DESTROY, remoteDispatchDomainDestroy, remote_domain_destroy_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_GET_XML_DESC, remoteDispatchDomainGetXMLDesc,
         remote_domain_get_xml_desc_args, remote_domain_get_xml_desc_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_GET_AUTOSTART, remoteDispatchDomainGetAutostart,
         remote_domain_get_autostart_args, remote_domain_get_autostart_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_GET_INFO, remoteDispatchDomainGetInfo, remote_domain_get_info_args,
         remote_domain_get_info_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_GET_OS_TYPE, remoteDispatchDomainGetOSType,
         remote_domain_get_os_type_args, remote_domain_get_os_type_ret, RO),
    PROC(REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, remoteDispatchConnectListDefinedDomains,
         remote_connect_list_defined_domains_args, remote_connect_list_defined_domains_ret, RO),
    PROC_FAST(REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, remoteDispatchDomainLookupByID,
         remote_domain_lookup_by_id_args, remote_domain_lookup_by_id_ret),
    PROC_FAST(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, remoteDispatchDomainLookupByName,
         remote_domain_lookup_by_name_args, remote_domain_lookup_by_name_ret),
    PROC_FAST(REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, remoteDispatchDomainLookupByUUID,
         remote_domain_lookup_by_uuid_args, remote_domain_lookup_by_uuid_ret),
    PROC(REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, remoteDispatchConnectNumOfDefinedDomains,
         remoteVoid, remote_connect_num_of_defined_domains_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_REBOOT, remoteDispatchDomainReboot, remote_domain_reboot_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_RESUME, remoteDispatchDomainResume, remote_domain_resume_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_SET_AUTOSTART, remoteDispatchDomainSetAutostart,
         remote_domain_set_autostart_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_SHUTDOWN, remoteDispatchDomainShutdown, remote_domain_shutdown_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_SUSPEND, remoteDispatchDomainSuspend, remote_domain_suspend_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_UNDEFINE, remoteDispatchDomainUndefine, remote_domain_undefine_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_CONNECT_LIST_DOMAINS, remoteDispatchConnectListDomains,
         remote_connect_list_domains_args, remote_connect_list_domains_ret, RO),
    PROC(REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, remoteDispatchConnectNumOfDomains, remoteVoid,
         remote_connect_num_of_domains_ret, RO),
    PROC(REMOTE_PROC_CONNECT_GET_HOSTNAME, remoteDispatchConnectGetHostname, remoteVoid,
         remote_connect_get_hostname_ret, RO),
    PROC(REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, remoteDispatchConnectSupportsFeature,
         remote_connect_supports_feature_args, remote_connect_supports_feature_ret, RO),
    PROC_FAST(REMOTE_PROC_AUTH_LIST, remoteDispatchAuthList, remoteVoid, remote_auth_list_ret),
    PROC(REMOTE_PROC_CONNECT_GET_URI, remoteDispatchConnectGetURI, remoteVoid,
         remote_connect_get_uri_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, remoteDispatchDomainGetSecurityLabel,
         remote_domain_get_security_label_args, remote_domain_get_security_label_ret, RO),
    PROC(REMOTE_PROC_NODE_GET_SECURITY_MODEL, remoteDispatchNodeGetSecurityModel, remoteVoid,
         remote_node_get_security_model_ret, RO),
    PROC(REMOTE_PROC_CONNECT_IS_SECURE, remoteDispatchConnectIsSecure, remoteVoid,
         remote_connect_is_secure_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_IS_ACTIVE, remoteDispatchDomainIsActive, remote_domain_is_active_args,
         remote_domain_is_active_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_IS_PERSISTENT, remoteDispatchDomainIsPersistent,
         remote_domain_is_persistent_args, remote_domain_is_persistent_ret, RO),
    PROC_FAST(REMOTE_PROC_CONNECT_GET_LIB_VERSION, remoteDispatchConnectGetLibVersion, remoteVoid,
         remote_connect_get_lib_version_ret),
    PROC(REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, remoteDispatchDomainHasManagedSaveImage,
         remote_domain_has_managed_save_image_args, remote_domain_has_managed_save_image_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, remoteDispatchDomainCreateWithFlags,
         remote_domain_create_with_flags_args, remote_domain_create_with_flags_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_GET_STATE, remoteDispatchDomainGetState,
         remote_domain_get_state_args, remote_domain_get_state_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, remoteDispatchDomainUndefineFlags,
         remote_domain_undefine_flags_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_DESTROY_FLAGS, remoteDispatchDomainDestroyFlags,
         remote_domain_destroy_flags_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, remoteDispatchDomainShutdownFlags,
         remote_domain_shutdown_flags_args, remoteVoid, RW),
    PROC(REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, remoteDispatchConnectListAllDomains,
         remote_connect_list_all_domains_args, remote_connect_list_all_domains_ret, RO),
    PROC(REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
         remoteDispatchConnectDomainEventCallbackRegisterAny,
         remote_connect_domain_event_callback_register_any_args,
         remote_connect_domain_event_callback_register_any_ret, RO),
    PROC(REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
         remoteDispatchConnectDomainEventCallbackDeregisterAny,
         remote_connect_domain_event_callback_deregister_any_args, remoteVoid, RO),
    PROC(REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, remoteDispatchDomainDefineXMLFlags,
         remote_domain_define_xml_flags_args, remote_domain_define_xml_flags_ret, RW),
    PROC_FAST(REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, remoteDispatchConnectRegisterCloseCallback,
         remoteVoid, remoteVoid),
    PROC_FAST(REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
         remoteDispatchConnectUnregisterCloseCallback, remoteVoid, remoteVoid),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS, remoteDispatchDomainMigrateBegin3Params,
         remote_domain_migrate_begin3_params_args, remote_domain_migrate_begin3_params_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS, remoteDispatchDomainMigratePrepare3Params,
         remote_domain_migrate_prepare3_params_args, remote_domain_migrate_prepare3_params_ret,
         RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS,
         remoteDispatchDomainMigratePrepareTunnel3Params,
         remote_domain_migrate_prepare_tunnel3_params_args,
         remote_domain_migrate_prepare_tunnel3_params_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS, remoteDispatchDomainMigratePerform3Params,
         remote_domain_migrate_perform3_params_args, remote_domain_migrate_perform3_params_ret,
         RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS, remoteDispatchDomainMigrateFinish3Params,
         remote_domain_migrate_finish3_params_args, remote_domain_migrate_finish3_params_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS, remoteDispatchDomainMigrateConfirm3Params,
         remote_domain_migrate_confirm3_params_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_GET_JOB_INFO, remoteDispatchDomainGetJobInfo,
         remote_domain_get_job_info_args, remote_domain_get_job_info_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_GET_JOB_STATS, remoteDispatchDomainGetJobStats,
         remote_domain_get_job_stats_args, remote_domain_get_job_stats_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_ABORT_JOB, remoteDispatchDomainAbortJob, remote_domain_abort_job_args,
         remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME, remoteDispatchDomainMigrateSetMaxDowntime,
         remote_domain_migrate_set_max_downtime_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME, remoteDispatchDomainMigrateGetMaxDowntime,
         remote_domain_migrate_get_max_downtime_args, remote_domain_migrate_get_max_downtime_ret,
         RO),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED, remoteDispatchDomainMigrateSetMaxSpeed,
         remote_domain_migrate_set_max_speed_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED, remoteDispatchDomainMigrateGetMaxSpeed,
         remote_domain_migrate_get_max_speed_args, remote_domain_migrate_get_max_speed_ret, RO),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY, remoteDispatchDomainMigrateStartPostCopy,
         remote_domain_migrate_start_post_copy_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3, remoteDispatchDomainMigrateBegin3,
         remote_domain_migrate_begin3_args, remote_domain_migrate_begin3_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3, remoteDispatchDomainMigratePrepare3,
         remote_domain_migrate_prepare3_args, remote_domain_migrate_prepare3_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3, remoteDispatchDomainMigratePerform3,
         remote_domain_migrate_perform3_args, remote_domain_migrate_perform3_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_FINISH3, remoteDispatchDomainMigrateFinish3,
         remote_domain_migrate_finish3_args, remote_domain_migrate_finish3_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3, remoteDispatchDomainMigrateConfirm3,
         remote_domain_migrate_confirm3_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE2, remoteDispatchDomainMigratePrepare2,
         remote_domain_migrate_prepare2_args, remote_domain_migrate_prepare2_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_PERFORM, remoteDispatchDomainMigratePerform,
         remote_domain_migrate_perform_args, remoteVoid, RW),
    PROC(REMOTE_PROC_DOMAIN_MIGRATE_FINISH2, remoteDispatchDomainMigrateFinish2,
         remote_domain_migrate_finish2_args, remote_domain_migrate_finish2_ret, RW),
    PROC(REMOTE_PROC_DOMAIN_GET_MESSAGES, remoteDispatchDomainGetMessages,
         remote_domain_get_messages_args, remote_domain_get_messages_ret, RO),
};

const ternNetServerProgram remoteProgram = {
    .prog = REMOTE_PROGRAM,
    .vers = REMOTE_PROTOCOL_VERSION,
    .procs = remoteProcs,
    .nprocs = G_N_ELEMENTS(remoteProcs),
};
