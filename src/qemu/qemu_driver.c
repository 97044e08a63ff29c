/* qemu_driver.c: the QEMU hypervisor driver behind qemu:///system in ternd */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_conf.h"
#include "hypervisor/domain_driver.h"
#include "hypervisor/driver.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

#define QEMU_URI "qemu:///system"
/* How long destroy waits after SIGTERM before SIGKILL (libvirt waits 10 s too). */
#define QEMU_DESTROY_GRACE_MS 10000

static qemuDriver *qemuDriverState;

qemuDriver *
qemuDriverGet(void)
{
    return qemuDriverState;
}

/* --- per-domain private data --- */

static void *
qemuDomainObjPrivateAlloc(void)
{
    qemuDomainObjPrivate *priv = g_new0(qemuDomainObjPrivate, 1);
    priv->pidfd = -1;
    return priv;
}

static void
qemuDomainObjPrivateFree(void *opaque)
{
    qemuDomainObjPrivate *priv = opaque;

    if (priv->exitSource) {
        g_source_destroy(priv->exitSource);
        g_source_unref(priv->exitSource);
    }
    if (priv->mon) {
        qemuMonitorClose(priv->mon);
        qemuMonitorUnref(priv->mon);
    }
    /* the monitor's opaque holds a reference on the object: it cannot outlive it */
    g_warn_if_fail(priv->monOpaque == NULL);
    ternForceClose(priv->pidfd);
    qemuMigrationJobFree(priv->mig);
    g_free(priv->migCompleted.errmsg);
    g_free(priv->monitorPath);
    g_free(priv->logPath);
    g_free(priv);
}

static const ternDomainObjPrivateCallbacks qemuDomainObjPrivateCallbacks = {
    .alloc = qemuDomainObjPrivateAlloc,
    .free = qemuDomainObjPrivateFree,
};

/* --- persistent configuration on disk --- */

static char *
qemuDomainAutostartPath(qemuDriver *drv, const char *name)
{
    return g_build_filename(drv->cfg->stateDir, "autostart", name, NULL);
}

static void
qemuDriverLoadConfigs(qemuDriver *drv)
{
    g_autoptr(GDir) dir = g_dir_open(drv->cfg->stateDir, 0, NULL);
    const char *ent;

    if (!dir)
        return;
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *autostart = NULL;
        g_autoptr(ternDomainDef) def = NULL;
        g_autoptr(GError) err = NULL;
        TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        path = g_build_filename(drv->cfg->stateDir, ent, NULL);
        if (!(def = ternDomainDefParseFile(path, TERN_DOMAIN_DEF_PARSE_INACTIVE, &err)) ||
            !(obj = ternDomainObjListAdd(drv->domains, &def, 0, NULL, &err))) {
            TERN_ERROR("ignoring domain configuration '%s': %s", path, err->message);
            continue;
        }
        autostart = qemuDomainAutostartPath(drv, obj->def->name);
        obj->autostart = g_file_test(autostart, G_FILE_TEST_EXISTS);
    }
}

static bool
qemuDriverAutostartOne(ternDomainObj *obj, void *opaque)
{
    qemuDriver *drv = opaque;
    g_autoptr(GError) err = NULL;

    /* ternDomainObjListForEach hands @obj locked */
    if (obj->autostart && !ternDomainObjIsActive(obj) &&
        ternDomainObjBeginJob(obj, "autostart", &err)) {
        if (!qemuProcessStart(drv, obj, 0, &err))
            TERN_ERROR("cannot autostart domain '%s': %s", obj->def->name, err->message);
        ternDomainObjEndJob(obj);
    }
    return true;
}

/* --- driver life --- */

static gpointer
qemuDriverEventThread(gpointer opaque)
{
    qemuDriver *drv = opaque;
    g_main_context_push_thread_default(drv->ctx);
    g_main_loop_run(drv->loop);
    g_main_context_pop_thread_default(drv->ctx);
    return NULL;
}

bool
qemuDriverInitialize(qemuDriverConfig *cfg, GError **error)
{
    qemuDriver *drv = g_new0(qemuDriver, 1);
    g_autofree char *autostartDir = g_build_filename(cfg->stateDir, "autostart", NULL);

    drv->cfg = cfg;
    if (!ternMakeDirs(cfg->stateDir, 0755, error) || !ternMakeDirs(autostartDir, 0755, error) ||
        !ternMakeDirs(cfg->runDir, 0755, error) || !ternMakeDirs(cfg->logDir, 0755, error)) {
        qemuDriverConfigFree(cfg);
        g_free(drv);
        return false;
    }
    drv->domains = ternDomainObjListNew(&qemuDomainObjPrivateCallbacks);
    drv->events = ternObjectEventStateNew("qemu-events");
    drv->ctx = g_main_context_new();
    drv->loop = g_main_loop_new(drv->ctx, FALSE);
    drv->thread = g_thread_new("qemu-monitors", qemuDriverEventThread, drv);
    qemuDriverState = drv;

    qemuDriverLoadConfigs(drv);
    qemuProcessReconnectAll(drv);
    ternDomainObjListForEach(drv->domains, qemuDriverAutostartOne, drv);
    return true;
}

void
qemuDriverShutdown(void)
{
    qemuDriver *drv = g_steal_pointer(&qemuDriverState);

    if (!drv)
        return;
    qemuProcessDetachAll(drv);
    g_main_loop_quit(drv->loop);
    g_thread_join(drv->thread);
    ternObjectEventStateFree(drv->events);
    ternDomainObjListFree(drv->domains);
    g_main_loop_unref(drv->loop);
    g_main_context_unref(drv->ctx);
    qemuDriverConfigFree(drv->cfg);
    g_free(drv);
}

/* --- connection --- */

static ternDrvOpenStatus
qemuConnectOpen(ternConnect *conn, const char *uri, unsigned int flags, GError **error)
{
    if (!g_str_equal(uri, QEMU_URI) && !g_str_equal(uri, "qemu:///session"))
        return TERN_DRV_OPEN_DECLINED;
    if (!qemuDriverState)
        return TERN_DRV_OPEN_DECLINED; /* in a client process: the remote driver's */
    if (!ternErrorCheckFlags(flags, TERN_CONNECT_RO, "qemuConnectOpen", error))
        return TERN_DRV_OPEN_ERROR;
    if (g_str_equal(uri, "qemu:///session")) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_CONFIG_UNSUPPORTED,
                     "qemu:///session is not served by ternd; use qemu:///system");
        return TERN_DRV_OPEN_ERROR;
    }
    conn->privateData = qemuDriverState;
    return TERN_DRV_OPEN_SUCCESS;
}

static void
qemuConnectClose(ternConnect *conn)
{
    qemuDriver *drv = qemuDriverOfConn(conn);

    if (drv) {
        ternObjectEventStateDeregisterConn(drv->events, conn);
        qemuMigrationAnyConnClosed(drv, conn);
    }
    conn->privateData = NULL;
}

static const char *
qemuConnectGetType(ternConnect *conn, GError **error)
{
    return "QEMU";
}

/* QEMU's version from `EMULATOR --version` (once), as major*1000000+minor*1000+micro */
static bool
qemuConnectGetVersion(ternConnect *conn, unsigned long *hvVer, GError **error)
{
    static gsize once;
    static unsigned long version;

    if (g_once_init_enter(&once)) {
        const char *argv[] = {qemuDriverOfConn(conn)->cfg->emulator, "--version", NULL};
        g_autofree char *out = NULL;
        unsigned int ma = 0, mi = 0, mc = 0;

        if (g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         &out, NULL, NULL, NULL) &&
            sscanf(out, "QEMU emulator version %u.%u.%u", &ma, &mi, &mc) == 3)
            version = ma * 1000000UL + mi * 1000UL + mc;
        g_once_init_leave(&once, 1);
    }
    if (!version) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "cannot learn the version of '%s'", qemuDriverOfConn(conn)->cfg->emulator);
        return false;
    }
    *hvVer = version;
    return true;
}

static bool
qemuConnectGetLibVersion(ternConnect *conn, unsigned long *libVer, GError **error)
{
    *libVer = TERN_VERSION_NUMBER;
    return true;
}

static char *
qemuConnectGetHostname(ternConnect *conn, GError **error)
{
    return g_strdup(g_get_host_name());
}

static char *
qemuConnectGetURI(ternConnect *conn, GError **error)
{
    return g_strdup(QEMU_URI);
}

/* what virsh's libvirt.so asks before it picks a migration protocol (libvirt-wire.md §4.2) */
static const int qemuFeaturesSupported[] = {
    TERN_DRV_FEATURE_MIGRATION_V2,
    TERN_DRV_FEATURE_MIGRATION_P2P,
    TERN_DRV_FEATURE_MIGRATION_V3,
    TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION,
    TERN_DRV_FEATURE_TYPED_PARAM_STRING,
    TERN_DRV_FEATURE_XML_MIGRATABLE,
    TERN_DRV_FEATURE_MIGRATION_OFFLINE,
    TERN_DRV_FEATURE_MIGRATION_PARAMS,
};

static int
qemuConnectSupportsFeature(ternConnect *conn, int feature, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemuFeaturesSupported); i++) {
        if (qemuFeaturesSupported[i] == feature)
            return 1;
    }
    return 0;
}

static int
qemuConnectIsAlive(ternConnect *conn)
{
    return 1;
}

static int
qemuConnectListAllDomains(ternConnect *conn, ternDomain ***domains, unsigned int flags,
                          GError **error)
{
    return ternDomainDriverListAll(conn, qemuDriverOfConn(conn)->domains, domains, flags,
                                   TERN_FROM_QEMU, error);
}

static ternDomain *
qemuDomainLookupByName(ternConnect *conn, const char *name, GError **error)
{
    return ternDomainDriverLookupByName(conn, qemuDriverOfConn(conn)->domains, name, TERN_FROM_QEMU,
                                        error);
}

static ternDomain *
qemuDomainLookupByUUID(ternConnect *conn, const unsigned char *uuid, GError **error)
{
    return ternDomainDriverLookupByUUID(conn, qemuDriverOfConn(conn)->domains, uuid, TERN_FROM_QEMU,
                                        error);
}

static ternDomain *
qemuDomainLookupByID(ternConnect *conn, int id, GError **error)
{
    return ternDomainDriverLookupByID(conn, qemuDriverOfConn(conn)->domains, id, TERN_FROM_QEMU,
                                      error);
}

/* --- definition --- */

static ternDomain *
qemuDomainDefineXMLFlags(ternConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(ternDomainDef) def = NULL;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DEFINE_VALIDATE, "qemuDomainDefineXMLFlags", error))
        return NULL;
    if (!(def = ternDomainDefParseString(xml, TERN_DOMAIN_DEF_PARSE_INACTIVE, error)))
        return NULL;
    return qemuDomainDefine(qemuDriverOfConn(conn), conn, &def, error);
}

#define QEMU_UNDEFINE_FLAGS                                                                        \
    (TERN_DOMAIN_UNDEFINE_MANAGED_SAVE | TERN_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |                 \
     TERN_DOMAIN_UNDEFINE_NVRAM | TERN_DOMAIN_UNDEFINE_KEEP_NVRAM |                                \
     TERN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | TERN_DOMAIN_UNDEFINE_TPM |                        \
     TERN_DOMAIN_UNDEFINE_KEEP_TPM)

static bool
qemuDomainUndefineFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, QEMU_UNDEFINE_FLAGS, "qemuDomainUndefineFlags", error))
        return false;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (!obj->persistent) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "cannot undefine transient domain");
        return false;
    }
    if (!ternDomainObjBeginJob(obj, "undefine", error))
        return false;
    if (!qemuDomainRemoveConfig(drv, obj->def->name, error)) {
        ternDomainObjEndJob(obj);
        return false;
    }
    obj->autostart = false;
    qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_UNDEFINED,
                             TERN_DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (ternDomainObjIsActive(obj)) {
        g_clear_pointer(&obj->newDef, ternDomainDefFree);
        obj->persistent = false;
    } else {
        ternDomainObjListRemove(drv->domains, obj);
    }
    ternDomainObjEndJob(obj);
    return true;
}

/* --- lifecycle --- */

#define QEMU_CREATE_FLAGS (TERN_DOMAIN_START_PAUSED | TERN_DOMAIN_START_VALIDATE)

static bool
qemuDomainCreateWithFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    bool ok;

    if (!ternErrorCheckFlags(flags, QEMU_CREATE_FLAGS, "qemuDomainCreateWithFlags", error))
        return false;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (!ternDomainObjBeginJob(obj, "start", error))
        return false;
    if (ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain is already running");
        ok = false;
    } else {
        ok = qemuProcessStart(drv, obj, flags, error);
    }
    if (ok)
        dom->id = obj->id;
    ternDomainObjEndJob(obj);
    return ok;
}

static bool
qemuDomainCheckActive(const ternDomainObj *obj, GError **error)
{
    if (!ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    return true;
}

static bool
qemuDomainDestroyFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    bool alongside;
    bool ok;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DESTROY_GRACEFUL, "qemuDomainDestroyFlags", error))
        return false;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (!qemuDomainCheckActive(obj, error))
        return false;
    /* a destroy must not wait behind a stuck job: it is how users get out of one; a
     * migration's job lets it run alongside (its QEMU's exit ends the migration) */
    if (!ternDomainObjBeginJobAlongside(obj, "destroy", &alongside, error))
        return false;
    if (alongside)
        TERN_WARN("domain '%s': destroyed during its '%s' job", obj->def->name,
                  ternDomainObjGetJob(obj));
    ok = qemuDomainCheckActive(obj, error) &&
         qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_DESTROYED,
                         TERN_DOMAIN_EVENT_STOPPED_DESTROYED,
                         (flags & TERN_DOMAIN_DESTROY_GRACEFUL) ? 60000 : QEMU_DESTROY_GRACE_MS,
                         error);
    if (ok)
        dom->id = -1;
    if (!alongside)
        ternDomainObjEndJob(obj);
    return ok;
}

/* suspend and resume: one QMP command and the state it leads to */
static bool
qemuDomainSetRunning(ternDomain *dom, bool run, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon = NULL;
    bool ok;
    bool alongside;

    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    /* a running migration lets a suspend run alongside it (qemuMigrationJobAllows) */
    if (!ternDomainObjBeginJobAlongside(obj, run ? "resume" : "suspend", &alongside, error))
        return false;
    if (!qemuDomainCheckActive(obj, error)) {
        /* *error says why */
    } else if (!run && obj->state == TERN_DOMAIN_PAUSED) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID, "domain is already paused");
    } else if (run && obj->state != TERN_DOMAIN_PAUSED) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID, "domain is not paused");
    } else {
        /* set while locked: the events thread reads them under the object lock */
        if (run)
            priv->expectResume = true;
        else
            priv->expectPause = true;
        mon = qemuDomainObjEnterMonitor(obj, error);
    }
    if (!mon) {
        priv->expectPause = priv->expectResume = false;
        ok = false;
    } else {
        ok = run ? qemuMonitorStartCPUs(mon, error) : qemuMonitorStopCPUs(mon, error);
        qemuDomainObjExitMonitor(obj, mon);
        priv->expectPause = priv->expectResume = false;
        if (ok && ternDomainObjIsActive(obj)) {
            /* the STOP/RESUME event may have done this already */
            if (!run && obj->state == TERN_DOMAIN_RUNNING) {
                ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
                qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                                         TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
            } else if (run && obj->state == TERN_DOMAIN_PAUSED) {
                ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_UNPAUSED);
                qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_RESUMED,
                                         TERN_DOMAIN_EVENT_RESUMED_UNPAUSED);
            }
            qemuDomainSaveStatus(drv, obj, NULL);
        }
    }
    if (!alongside)
        ternDomainObjEndJob(obj);
    return ok;
}

static bool
qemuDomainSuspend(ternDomain *dom, GError **error)
{
    return qemuDomainSetRunning(dom, false, error);
}

static bool
qemuDomainResume(ternDomain *dom, GError **error)
{
    return qemuDomainSetRunning(dom, true, error);
}

/* Graceful shutdown: the ACPI power button, then a bounded wait for the guest. */
static bool
qemuDomainShutdownFlags(ternDomain *dom, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    bool ok = false;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
                             "qemuDomainShutdownFlags", error))
        return false;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (!ternDomainObjBeginJob(obj, "shutdown", error))
        return false;
    priv = obj->privateData;
    if (qemuDomainCheckActive(obj, error) && (mon = qemuDomainObjEnterMonitor(obj, error))) {
        ok = qemuMonitorSystemPowerdown(mon, error);
        qemuDomainObjExitMonitor(obj, mon);
    }
    if (ok) {
        priv->stopReason = TERN_DOMAIN_SHUTOFF_SHUTDOWN;
        priv->stopDetail = TERN_DOMAIN_EVENT_STOPPED_SHUTDOWN;
        if (!qemuProcessWaitExit(drv, obj, drv->cfg->shutdownTimeoutS * 1000)) {
            priv->stopReason = TERN_DOMAIN_SHUTOFF_CRASHED;
            priv->stopDetail = TERN_DOMAIN_EVENT_STOPPED_CRASHED;
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_TIMEOUT,
                         "domain '%s' did not power off within %d s of the ACPI power button; "
                         "it is still running (destroy stops it at once)",
                         obj->def->name, drv->cfg->shutdownTimeoutS);
            ok = false;
        } else {
            dom->id = -1;
        }
    }
    ternDomainObjEndJob(obj);
    return ok;
}

/* Reboot: a hard reset of the guest (QMP system_reset). */
static bool
qemuDomainReboot(ternDomain *dom, unsigned int flags, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuMonitor *mon;
    bool ok = false;

    if (!ternErrorCheckFlags(flags, 0, "qemuDomainReboot", error))
        return false;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (!ternDomainObjBeginJob(obj, "reboot", error))
        return false;
    if (qemuDomainCheckActive(obj, error) && (mon = qemuDomainObjEnterMonitor(obj, error))) {
        ok = qemuMonitorSystemReset(mon, error);
        qemuDomainObjExitMonitor(obj, mon);
    }
    ternDomainObjEndJob(obj);
    return ok;
}

/* --- queries --- */

/* user + system time of @pid in ns, from /proc (0 if unreadable) */
static unsigned long long
qemuProcessCPUTime(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;
    unsigned long long utime = 0, stime = 0;
    const char *p;
    long hz = sysconf(_SC_CLK_TCK);

    if (pid <= 0 || hz <= 0 || !g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    /* fields after the command name, which is in parentheses and may hold spaces */
    if (!(p = strrchr(data, ')')))
        return 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return 0;
    return (utime + stime) * (1000000000ULL / (unsigned long long)hz);
}

static bool
qemuDomainGetInfo(ternDomain *dom, ternDomainInfo *info, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = qemuDomainObjFromDomain(dom, error);
    qemuDomainObjPrivate *priv;

    if (!obj)
        return false;
    priv = obj->privateData;
    memset(info, 0, sizeof(*info));
    info->state = (unsigned char)obj->state;
    info->maxMem = (unsigned long)obj->def->memory;
    info->memory = (unsigned long)obj->def->currentMemory;
    info->nrVirtCpu = (unsigned short)obj->def->vcpusCurrent;
    if (ternDomainObjIsActive(obj))
        info->cpuTime = qemuProcessCPUTime(priv->pid);
    return true;
}

/* the domain list behind the handle @dom */
static ternDomainObjList *
qemuDomainListOf(ternDomain *dom)
{
    return qemuDriverOfConn(dom->conn)->domains;
}

static bool
qemuDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    return ternDomainDriverGetState(qemuDomainListOf(dom), dom, state, reason, flags,
                                    TERN_FROM_QEMU, error);
}

static char *
qemuDomainGetXMLDesc(ternDomain *dom, unsigned int flags, GError **error)
{
    return ternDomainDriverGetXMLDesc(qemuDomainListOf(dom), dom, flags, TERN_FROM_QEMU, error);
}

static char *
qemuDomainGetOSType(ternDomain *dom, GError **error)
{
    return ternDomainDriverGetOSType(qemuDomainListOf(dom), dom, TERN_FROM_QEMU, error);
}

static int
qemuDomainIsActive(ternDomain *dom, GError **error)
{
    return ternDomainDriverIsActive(qemuDomainListOf(dom), dom, TERN_FROM_QEMU, error);
}

static int
qemuDomainIsPersistent(ternDomain *dom, GError **error)
{
    return ternDomainDriverIsPersistent(qemuDomainListOf(dom), dom, TERN_FROM_QEMU, error);
}

static bool
qemuDomainGetAutostart(ternDomain *dom, int *autostart, GError **error)
{
    return ternDomainDriverGetAutostart(qemuDomainListOf(dom), dom, autostart,
                                        TERN_FROM_QEMU, error);
}

static bool
qemuDomainSetAutostart(ternDomain *dom, int autostart, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    TERN_DOMAIN_OBJ_AUTOEND obj = qemuDomainObjFromDomain(dom, error);
    g_autofree char *path = NULL;

    if (!obj)
        return false;
    if (!obj->persistent) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
        return false;
    }
    path = qemuDomainAutostartPath(drv, obj->def->name);
    if (autostart) {
        if (!ternFileWriteAtomic(path, "", 0, 0644, error))
            return false;
    } else if (unlink(path) < 0 && errno != ENOENT) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno, "cannot remove '%s'", path);
        return false;
    }
    obj->autostart = autostart != 0;
    return true;
}

static int
qemuDomainHasManagedSaveImage(ternDomain *dom, unsigned int flags, GError **error)
{
    return ternDomainDriverHasManagedSaveImage(qemuDomainListOf(dom), dom, flags,
                                               TERN_FROM_QEMU, error);
}

/* --- events --- */

static int
qemuConnectDomainEventRegisterAny(ternConnect *conn, ternDomain *dom, int eventID,
                                  ternConnectDomainEventGenericCallback cb, void *opaque,
                                  ternFreeCallback freecb, GError **error)
{
    return ternObjectEventStateRegister(qemuDriverOfConn(conn)->events, conn,
                                        dom ? dom->uuid : NULL, eventID, cb, opaque, freecb,
                                        error);
}

static bool
qemuConnectDomainEventDeregisterAny(ternConnect *conn, int callbackID, GError **error)
{
    return ternObjectEventStateDeregister(qemuDriverOfConn(conn)->events, conn, callbackID, error);
}

static const ternHypervisorDriver qemuHypervisorDriver = {
    .name = "QEMU",
    .connectOpen = qemuConnectOpen,
    .connectClose = qemuConnectClose,
    .connectGetType = qemuConnectGetType,
    .connectGetVersion = qemuConnectGetVersion,
    .connectGetLibVersion = qemuConnectGetLibVersion,
    .connectGetHostname = qemuConnectGetHostname,
    .connectGetURI = qemuConnectGetURI,
    .connectSupportsFeature = qemuConnectSupportsFeature,
    .connectIsAlive = qemuConnectIsAlive,
    .connectListAllDomains = qemuConnectListAllDomains,
    .domainLookupByName = qemuDomainLookupByName,
    .domainLookupByUUID = qemuDomainLookupByUUID,
    .domainLookupByID = qemuDomainLookupByID,
    .domainDefineXMLFlags = qemuDomainDefineXMLFlags,
    .domainUndefineFlags = qemuDomainUndefineFlags,
    .domainCreateWithFlags = qemuDomainCreateWithFlags,
    .domainDestroyFlags = qemuDomainDestroyFlags,
    .domainSuspend = qemuDomainSuspend,
    .domainShutdownFlags = qemuDomainShutdownFlags,
    .domainReboot = qemuDomainReboot,
    .domainResume = qemuDomainResume,
    .domainGetInfo = qemuDomainGetInfo,
    .domainGetState = qemuDomainGetState,
    .domainGetXMLDesc = qemuDomainGetXMLDesc,
    .domainGetOSType = qemuDomainGetOSType,
    .domainIsActive = qemuDomainIsActive,
    .domainIsPersistent = qemuDomainIsPersistent,
    .domainGetAutostart = qemuDomainGetAutostart,
    .domainSetAutostart = qemuDomainSetAutostart,
    .domainHasManagedSaveImage = qemuDomainHasManagedSaveImage,
    .connectDomainEventRegisterAny = qemuConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = qemuConnectDomainEventDeregisterAny,
    .domainMigrateBegin3Params = qemuMigrationSrcBegin,
    .domainMigratePrepare3Params = qemuMigrationDstPrepare,
    .domainMigratePrepareTunnel3Params = qemuMigrationDstPrepareTunnel,
    .domainMigratePerform3Params = qemuMigrationSrcPerform,
    .domainMigrateFinish3Params = qemuMigrationDstFinish,
    .domainMigrateConfirm3Params = qemuMigrationSrcConfirm,
    .domainGetJobInfo = qemuMigrationJobGetInfo,
    .domainGetJobStats = qemuMigrationJobGetStats,
    .domainAbortJob = qemuMigrationJobAbort,
    .domainMigrateSetMaxDowntime = qemuMigrationSetMaxDowntime,
    .domainMigrateGetMaxDowntime = qemuMigrationGetMaxDowntime,
    .domainMigrateSetMaxSpeed = qemuMigrationSetMaxSpeed,
    .domainMigrateGetMaxSpeed = qemuMigrationGetMaxSpeed,
    .domainMigrateStartPostCopy = qemuMigrationStartPostCopy,
};

void
qemuRegister(void)
{
    ternDriverRegister(&qemuHypervisorDriver);
}
