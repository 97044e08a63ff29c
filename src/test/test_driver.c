/* test_driver.c: the in-memory test hypervisor behind test:///default */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "conf/domain_conf.h"
#include "hypervisor/datatypes.h"
#include "hypervisor/domain_driver.h"
#include "hypervisor/domain_event.h"
#include "hypervisor/domain_obj.h"
#include "hypervisor/driver.h"
#include "test/test_driver.h"
#define TERN_TEST_DRIVER_PRIV_H_ALLOW
#include "test/test_driverpriv.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/*
 * Locking: testDriverLock guards the pointer to the shared state and the
 * count of open connections; the state's list and event queue lock
 * themselves; each method works on one domain object at a time, holding
 * its lock from lookup to return, and queues that domain's events before
 * releasing it, so events come out in the order the changes happened.
 * Nothing here blocks: every operation completes at once.
 */

#define TEST_URI "test:///default"

/*
 * The hypervisor version connectGetVersion reports: libvirt's test driver
 * answers 2, which virsh shows as "Running hypervisor: Test 0.0.2".
 */
#define TEST_HV_VERSION 2

/* libvirt's test driver default domain, in the XML tern's parser knows. */
static const char testDefaultDomainXML[] = "<domain type='test'>\n"
                                           "  <name>test</name>\n"
                                           "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
                                           "  <memory unit='KiB'>8388608</memory>\n"
                                           "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
                                           "  <vcpu>2</vcpu>\n"
                                           "  <os>\n"
                                           "    <type>hvm</type>\n"
                                           "  </os>\n"
                                           "</domain>\n";

typedef struct {
    ternDomainObjList *domains;
    ternObjectEventState *events;
} testDriver;

static GMutex testDriverLock;
static testDriver *testDriverState;  /* created by the first open */
static unsigned int testDriverConns; /* connections open on it */

/* --- per-domain private data: the cpu time clock --- */

typedef struct {
    gint64 runningSinceUs; /* monotonic time the domain last began running; 0 when not */
    guint64 cpuTimeNs;     /* accumulated before runningSinceUs */
} testDomainObjPrivate;

static void *
testDomainObjPrivateAlloc(void)
{
    return g_new0(testDomainObjPrivate, 1);
}

static const ternDomainObjPrivateCallbacks testDomainObjPrivateCallbacks = {
    .alloc = testDomainObjPrivateAlloc,
    .free = g_free,
};

/* The guest "uses" every vcpu all the time it is running (not paused). */
static guint64
testDomainCPUTime(const ternDomainObj *obj)
{
    const testDomainObjPrivate *priv = obj->privateData;
    guint64 ns = priv->cpuTimeNs;

    if (priv->runningSinceUs)
        ns += (guint64)(g_get_monotonic_time() - priv->runningSinceUs) * 1000 *
              obj->def->vcpusCurrent;
    return ns;
}

static void
testDomainClockStart(ternDomainObj *obj)
{
    testDomainObjPrivate *priv = obj->privateData;

    if (!priv->runningSinceUs)
        priv->runningSinceUs = g_get_monotonic_time();
}

static void
testDomainClockStop(ternDomainObj *obj)
{
    testDomainObjPrivate *priv = obj->privateData;

    priv->cpuTimeNs = testDomainCPUTime(obj);
    priv->runningSinceUs = 0;
}

static void
testDomainClockReset(ternDomainObj *obj)
{
    testDomainObjPrivate *priv = obj->privateData;

    priv->cpuTimeNs = 0;
    priv->runningSinceUs = 0;
}

/* --- helpers --- */

static testDriver *
testDriverOf(ternConnect *conn)
{
    return conn->privateData;
}

static void
testEventQueueLifecycle(testDriver *drv, const ternDomainObj *obj, int event, int detail)
{
    ternObjectEventStateQueue(
        drv->events,
        ternDomainEventLifecycleNew(obj->def->name, obj->def->uuid, obj->id, event, detail));
}

/* The locked object behind the handle @dom, or TERN_ERR_NO_DOMAIN. */
static ternDomainObj *
testDomObjFromDomain(ternDomain *dom, GError **error)
{
    return ternDomainDriverObjFromDomain(testDriverOf(dom->conn)->domains, dom, TERN_FROM_TEST,
                                         error);
}

static ternDomain *
testDomainHandle(ternConnect *conn, const ternDomainObj *obj)
{
    return ternDomainDriverHandle(conn, obj);
}

static bool
testDomainCheckActive(const ternDomainObj *obj, GError **error)
{
    if (!ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    return true;
}

/* Start the inactive @obj: a new id, RUNNING/BOOTED, the STARTED/BOOTED event. */
static bool
testDomainStartLocked(testDriver *drv, ternDomainObj *obj, GError **error)
{
    if (!ternDomainObjSetDefTransient(obj, error))
        return false;
    ternDomainObjListAssignID(drv->domains, obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_BOOTED);
    testDomainClockReset(obj);
    testDomainClockStart(obj);
    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_STARTED, TERN_DOMAIN_EVENT_STARTED_BOOTED);
    return true;
}

/* Stop the active @obj with @reason, emitting STOPPED/@detail; a transient domain goes away. */
static void
testDomainShutoffLocked(testDriver *drv, ternDomainObj *obj, int reason, int detail)
{
    testDomainClockReset(obj);
    ternDomainObjListReleaseID(drv->domains, obj);
    ternDomainObjRemoveTransientDef(obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_SHUTOFF, reason);
    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_STOPPED, detail);
    if (!obj->persistent)
        ternDomainObjListRemove(drv->domains, obj);
}

/* --- the shared state --- */

static void
testDriverFree(testDriver *drv)
{
    if (!drv)
        return;
    /* events first: its thread may still hold domain names, never objects */
    ternObjectEventStateFree(drv->events);
    ternDomainObjListFree(drv->domains);
    g_free(drv);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(testDriver, testDriverFree)

static testDriver *
testDriverNew(GError **error)
{
    g_autoptr(testDriver) drv = g_new0(testDriver, 1);
    g_autoptr(ternDomainDef) def = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    drv->domains = ternDomainObjListNew(&testDomainObjPrivateCallbacks);
    drv->events = ternObjectEventStateNew("test-events");

    if (!(def = ternDomainDefParseString(testDefaultDomainXML, TERN_DOMAIN_DEF_PARSE_INACTIVE,
                                         error)))
        return NULL;
    if (!(obj = ternDomainObjListAdd(drv->domains, &def, 0, NULL, error)))
        return NULL;
    if (!testDomainStartLocked(drv, obj, error))
        return NULL;
    return g_steal_pointer(&drv);
}

void
testDriverResetForTests(void)
{
    testDriver *drv;

    g_mutex_lock(&testDriverLock);
    g_assert(testDriverConns == 0);
    drv = g_steal_pointer(&testDriverState);
    g_mutex_unlock(&testDriverLock);
    testDriverFree(drv);
}

/* --- connection --- */

/*
 * Which URIs are ours: scheme "test" without a transport and without a
 * host (test+unix:// and test://host/ are the remote driver's), and then
 * only the path /default. Anything with a query or fragment is declined
 * too: only the remote driver knows URI parameters.
 */
static ternDrvOpenStatus
testConnectOpen(ternConnect *conn, const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
    const char *host;

    if (!parsed || g_ascii_strcasecmp(g_uri_get_scheme(parsed), "test") != 0)
        return TERN_DRV_OPEN_DECLINED;
    host = g_uri_get_host(parsed);
    if ((host && *host) || g_uri_get_query(parsed) || g_uri_get_fragment(parsed))
        return TERN_DRV_OPEN_DECLINED;
    if (strcmp(g_uri_get_path(parsed), "/default") != 0) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_INVALID_ARG,
                     "test driver URI '%s': only test:///default is supported", uri);
        return TERN_DRV_OPEN_ERROR;
    }
    if (!ternErrorCheckFlags(flags, TERN_CONNECT_RO, "testConnectOpen", error))
        return TERN_DRV_OPEN_ERROR;

    g_mutex_lock(&testDriverLock);
    if (!testDriverState && !(testDriverState = testDriverNew(error))) {
        g_mutex_unlock(&testDriverLock);
        return TERN_DRV_OPEN_ERROR;
    }
    testDriverConns++;
    conn->privateData = testDriverState;
    g_mutex_unlock(&testDriverLock);
    return TERN_DRV_OPEN_SUCCESS;
}

static void
testConnectClose(ternConnect *conn)
{
    testDriver *drv = testDriverOf(conn);

    if (!drv)
        return;
    ternObjectEventStateDeregisterConn(drv->events, conn);
    g_mutex_lock(&testDriverLock);
    testDriverConns--;
    g_mutex_unlock(&testDriverLock);
    conn->privateData = NULL;
}

static const char *
testConnectGetType(ternConnect *conn, GError **error)
{
    return "Test";
}

static bool
testConnectGetVersion(ternConnect *conn, unsigned long *hvVer, GError **error)
{
    *hvVer = TEST_HV_VERSION;
    return true;
}

static bool
testConnectGetLibVersion(ternConnect *conn, unsigned long *libVer, GError **error)
{
    *libVer = TERN_VERSION_NUMBER;
    return true;
}

static char *
testConnectGetHostname(ternConnect *conn, GError **error)
{
    return g_strdup(g_get_host_name());
}

static char *
testConnectGetURI(ternConnect *conn, GError **error)
{
    return g_strdup(TEST_URI);
}

/*
 * In-process, the wire features (keepalive, event callbacks, migration
 * protocols) mean nothing; the remote dispatcher answers those itself.
 * Typed parameters of type string are fine.
 */
static int
testConnectSupportsFeature(ternConnect *conn, int feature, GError **error)
{
    return feature == TERN_DRV_FEATURE_TYPED_PARAM_STRING ? 1 : 0;
}

static int
testConnectIsAlive(ternConnect *conn)
{
    return 1;
}

/* Nothing to keep alive in-process: accepted and ignored. */
static bool
testConnectSetKeepAlive(ternConnect *conn, int interval, unsigned int count, GError **error)
{
    return true;
}

/* --- listing and lookup --- */

static int
testConnectListAllDomains(ternConnect *conn, ternDomain ***domains, unsigned int flags,
                          GError **error)
{
    return ternDomainDriverListAll(conn, testDriverOf(conn)->domains, domains, flags,
                                   TERN_FROM_TEST, error);
}

static ternDomain *
testDomainLookupByName(ternConnect *conn, const char *name, GError **error)
{
    return ternDomainDriverLookupByName(conn, testDriverOf(conn)->domains, name, TERN_FROM_TEST,
                                        error);
}

static ternDomain *
testDomainLookupByUUID(ternConnect *conn, const unsigned char *uuid, GError **error)
{
    return ternDomainDriverLookupByUUID(conn, testDriverOf(conn)->domains, uuid, TERN_FROM_TEST,
                                        error);
}

static ternDomain *
testDomainLookupByID(ternConnect *conn, int id, GError **error)
{
    return ternDomainDriverLookupByID(conn, testDriverOf(conn)->domains, id, TERN_FROM_TEST,
                                      error);
}

/* --- definition --- */

static ternDomain *
testDomainDefineXMLFlags(ternConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    testDriver *drv = testDriverOf(conn);
    g_autoptr(ternDomainDef) def = NULL;
    g_autoptr(ternDomainDef) oldDef = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    /* the parser always validates, so VALIDATE asks for nothing more */
    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DEFINE_VALIDATE, "testDomainDefineXMLFlags", error))
        return NULL;
    if (!xml) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_INVALID_ARG, "no domain XML given");
        return NULL;
    }
    if (!(def = ternDomainDefParseString(xml, TERN_DOMAIN_DEF_PARSE_INACTIVE, error)))
        return NULL;
    if (!(obj = ternDomainObjListAdd(drv->domains, &def, 0, &oldDef, error)))
        return NULL;

    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_DEFINED,
                            oldDef ? TERN_DOMAIN_EVENT_DEFINED_UPDATED
                                   : TERN_DOMAIN_EVENT_DEFINED_ADDED);
    return testDomainHandle(conn, obj);
}

/* Undefining has nothing to delete in memory: every flag is accepted. */
#define TEST_UNDEFINE_FLAGS                                                                        \
    (TERN_DOMAIN_UNDEFINE_MANAGED_SAVE | TERN_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |                 \
     TERN_DOMAIN_UNDEFINE_NVRAM | TERN_DOMAIN_UNDEFINE_KEEP_NVRAM |                                \
     TERN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | TERN_DOMAIN_UNDEFINE_TPM |                        \
     TERN_DOMAIN_UNDEFINE_KEEP_TPM)

static bool
testDomainUndefineFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, TEST_UNDEFINE_FLAGS, "testDomainUndefineFlags", error))
        return false;
    if (!(obj = testDomObjFromDomain(dom, error)))
        return false;
    if (!obj->persistent) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID,
                     "cannot undefine transient domain");
        return false;
    }

    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_UNDEFINED,
                            TERN_DOMAIN_EVENT_UNDEFINED_REMOVED);
    obj->autostart = false;
    if (ternDomainObjIsActive(obj)) {
        /* keeps running, as a transient domain, until it stops */
        g_clear_pointer(&obj->newDef, ternDomainDefFree);
        obj->persistent = false;
    } else {
        ternDomainObjListRemove(drv->domains, obj);
    }
    return true;
}

/* --- lifecycle --- */

/* No managed save image, no disks to open: these flags change nothing here. */
#define TEST_CREATE_FLAGS                                                                          \
    (TERN_DOMAIN_START_PAUSED | TERN_DOMAIN_START_BYPASS_CACHE | TERN_DOMAIN_START_FORCE_BOOT |    \
     TERN_DOMAIN_START_VALIDATE)

static bool
testDomainCreateWithFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, TEST_CREATE_FLAGS, "testDomainCreateWithFlags", error))
        return false;
    if (!(obj = testDomObjFromDomain(dom, error)))
        return false;
    if (ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID,
                     "domain is already running");
        return false;
    }
    if (!testDomainStartLocked(drv, obj, error))
        return false;
    if (flags & TERN_DOMAIN_START_PAUSED) {
        testDomainClockStop(obj);
        ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
        testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                                TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    dom->id = obj->id;
    return true;
}

static bool
testDomainDestroyFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    /* there is no guest to ask: graceful or not, it stops at once */
    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DESTROY_GRACEFUL, "testDomainDestroyFlags", error))
        return false;
    if (!(obj = testDomObjFromDomain(dom, error)))
        return false;
    if (!testDomainCheckActive(obj, error))
        return false;
    testDomainShutoffLocked(drv, obj, TERN_DOMAIN_SHUTOFF_DESTROYED,
                            TERN_DOMAIN_EVENT_STOPPED_DESTROYED);
    dom->id = -1;
    return true;
}

/* there is no guest to ask: a shutdown request is obeyed at once */
#define TEST_SHUTDOWN_FLAGS                                                                        \
    (TERN_DOMAIN_SHUTDOWN_ACPI_POWER_BTN | TERN_DOMAIN_SHUTDOWN_GUEST_AGENT |                      \
     TERN_DOMAIN_SHUTDOWN_INITCTL | TERN_DOMAIN_SHUTDOWN_SIGNAL | TERN_DOMAIN_SHUTDOWN_PARAVIRT)

static bool
testDomainShutdownFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, TEST_SHUTDOWN_FLAGS, "testDomainShutdownFlags", error))
        return false;
    if (!(obj = testDomObjFromDomain(dom, error)))
        return false;
    if (!testDomainCheckActive(obj, error))
        return false;
    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_SHUTDOWN,
                            TERN_DOMAIN_EVENT_SHUTDOWN_FINISHED);
    testDomainShutoffLocked(drv, obj, TERN_DOMAIN_SHUTOFF_SHUTDOWN,
                            TERN_DOMAIN_EVENT_STOPPED_SHUTDOWN);
    dom->id = -1;
    return true;
}

static bool
testDomainReboot(ternDomain *dom, unsigned int flags, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, TEST_SHUTDOWN_FLAGS, "testDomainReboot", error))
        return false;
    if (!(obj = testDomObjFromDomain(dom, error)))
        return false;
    return testDomainCheckActive(obj, error);
}

static bool
testDomainSuspend(ternDomain *dom, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = testDomObjFromDomain(dom, error);

    if (!obj || !testDomainCheckActive(obj, error))
        return false;
    if (obj->state == TERN_DOMAIN_PAUSED) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID, "domain is already paused");
        return false;
    }
    if (obj->state != TERN_DOMAIN_RUNNING) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    testDomainClockStop(obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                            TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return true;
}

static bool
testDomainResume(ternDomain *dom, GError **error)
{
    testDriver *drv = testDriverOf(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = testDomObjFromDomain(dom, error);

    if (!obj || !testDomainCheckActive(obj, error))
        return false;
    if (obj->state != TERN_DOMAIN_PAUSED) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID, "domain is not paused");
        return false;
    }
    testDomainClockStart(obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_UNPAUSED);
    testEventQueueLifecycle(drv, obj, TERN_DOMAIN_EVENT_RESUMED,
                            TERN_DOMAIN_EVENT_RESUMED_UNPAUSED);
    return true;
}

/* --- queries --- */

static bool
testDomainGetInfo(ternDomain *dom, ternDomainInfo *info, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = testDomObjFromDomain(dom, error);

    if (!obj)
        return false;
    memset(info, 0, sizeof(*info));
    info->state = (unsigned char)obj->state;
    info->maxMem = (unsigned long)obj->def->memory;
    info->memory = (unsigned long)obj->def->currentMemory;
    info->nrVirtCpu = (unsigned short)obj->def->vcpusCurrent;
    info->cpuTime = testDomainCPUTime(obj);
    return true;
}

static bool
testDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    return ternDomainDriverGetState(testDriverOf(dom->conn)->domains, dom, state, reason, flags, TERN_FROM_TEST, error);
}

static char *
testDomainGetXMLDesc(ternDomain *dom, unsigned int flags, GError **error)
{
    return ternDomainDriverGetXMLDesc(testDriverOf(dom->conn)->domains, dom, flags, TERN_FROM_TEST, error);
}

static char *
testDomainGetOSType(ternDomain *dom, GError **error)
{
    return ternDomainDriverGetOSType(testDriverOf(dom->conn)->domains, dom, TERN_FROM_TEST, error);
}

static int
testDomainIsActive(ternDomain *dom, GError **error)
{
    return ternDomainDriverIsActive(testDriverOf(dom->conn)->domains, dom, TERN_FROM_TEST, error);
}

static int
testDomainIsPersistent(ternDomain *dom, GError **error)
{
    return ternDomainDriverIsPersistent(testDriverOf(dom->conn)->domains, dom, TERN_FROM_TEST, error);
}

static bool
testDomainGetAutostart(ternDomain *dom, int *autostart, GError **error)
{
    return ternDomainDriverGetAutostart(testDriverOf(dom->conn)->domains, dom, autostart, TERN_FROM_TEST, error);
}

static bool
testDomainSetAutostart(ternDomain *dom, int autostart, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = testDomObjFromDomain(dom, error);

    if (!obj)
        return false;
    if (!obj->persistent) {
        ternErrorSet(error, TERN_FROM_TEST, TERN_ERR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
        return false;
    }
    obj->autostart = autostart != 0;
    return true;
}

static int
testDomainHasManagedSaveImage(ternDomain *dom, unsigned int flags, GError **error)
{
    return ternDomainDriverHasManagedSaveImage(testDriverOf(dom->conn)->domains, dom, flags, TERN_FROM_TEST, error);
}

/* --- events --- */

static int
testConnectDomainEventRegisterAny(ternConnect *conn, ternDomain *dom, int eventID,
                                  ternConnectDomainEventGenericCallback cb, void *opaque,
                                  ternFreeCallback freecb, GError **error)
{
    return ternObjectEventStateRegister(testDriverOf(conn)->events, conn, dom ? dom->uuid : NULL,
                                        eventID, cb, opaque, freecb, error);
}

static bool
testConnectDomainEventDeregisterAny(ternConnect *conn, int callbackID, GError **error)
{
    return ternObjectEventStateDeregister(testDriverOf(conn)->events, conn, callbackID, error);
}

/* --- the table --- */

static const ternHypervisorDriver testHypervisorDriver = {
    .name = "Test",
    .connectOpen = testConnectOpen,                                         /* 0.1 */
    .connectClose = testConnectClose,                                       /* 0.1 */
    .connectGetType = testConnectGetType,                                   /* 0.1 */
    .connectGetVersion = testConnectGetVersion,                             /* 0.1 */
    .connectGetLibVersion = testConnectGetLibVersion,                       /* 0.1 */
    .connectGetHostname = testConnectGetHostname,                           /* 0.1 */
    .connectGetURI = testConnectGetURI,                                     /* 0.1 */
    .connectSupportsFeature = testConnectSupportsFeature,                   /* 0.1 */
    .connectIsAlive = testConnectIsAlive,                                   /* 0.1 */
    .connectSetKeepAlive = testConnectSetKeepAlive,                         /* 0.1 */
    .connectListAllDomains = testConnectListAllDomains,                     /* 0.1 */
    .domainLookupByName = testDomainLookupByName,                           /* 0.1 */
    .domainLookupByUUID = testDomainLookupByUUID,                           /* 0.1 */
    .domainLookupByID = testDomainLookupByID,                               /* 0.1 */
    .domainDefineXMLFlags = testDomainDefineXMLFlags,                       /* 0.1 */
    .domainUndefineFlags = testDomainUndefineFlags,                         /* 0.1 */
    .domainCreateWithFlags = testDomainCreateWithFlags,                     /* 0.1 */
    .domainDestroyFlags = testDomainDestroyFlags,                           /* 0.1 */
    .domainSuspend = testDomainSuspend,
    .domainShutdownFlags = testDomainShutdownFlags,
    .domainReboot = testDomainReboot,                                     /* 0.1 */
    .domainResume = testDomainResume,                                       /* 0.1 */
    .domainGetInfo = testDomainGetInfo,                                     /* 0.1 */
    .domainGetState = testDomainGetState,                                   /* 0.1 */
    .domainGetXMLDesc = testDomainGetXMLDesc,                               /* 0.1 */
    .domainGetOSType = testDomainGetOSType,                                 /* 0.1 */
    .domainIsActive = testDomainIsActive,                                   /* 0.1 */
    .domainIsPersistent = testDomainIsPersistent,                           /* 0.1 */
    .domainGetAutostart = testDomainGetAutostart,                           /* 0.1 */
    .domainSetAutostart = testDomainSetAutostart,                           /* 0.1 */
    .domainHasManagedSaveImage = testDomainHasManagedSaveImage,             /* 0.1 */
    .connectDomainEventRegisterAny = testConnectDomainEventRegisterAny,     /* 0.1 */
    .connectDomainEventDeregisterAny = testConnectDomainEventDeregisterAny, /* 0.1 */
};

void
testRegister(void)
{
    ternDriverRegister(&testHypervisorDriver);
}
