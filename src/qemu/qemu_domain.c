/* qemu_domain.c: the QEMU driver's per-domain helpers: monitor bracket, events, status */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_conf.h"
#include "hypervisor/domain_driver.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_status.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

qemuDriver *
qemuDriverOfConn(ternConnect *conn)
{
    return conn->privateData;
}

ternDomainObj *
qemuDomainObjFromDomain(ternDomain *dom, GError **error)
{
    return ternDomainDriverObjFromDomain(qemuDriverOfConn(dom->conn)->domains, dom,
                                         TERN_FROM_QEMU, error);
}

qemuMonitor *
qemuDomainObjEnterMonitor(ternDomainObj *obj, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitor *mon;

    if (!ternDomainObjIsActive(obj) || !priv->mon) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' is not running or its monitor is not connected",
                     obj->def->name);
        return NULL;
    }
    mon = qemuMonitorRef(priv->mon);
    ternDomainObjRef(obj);
    ternDomainObjUnlock(obj);
    return mon;
}

void
qemuDomainObjExitMonitor(ternDomainObj *obj, qemuMonitor *mon)
{
    qemuMonitorUnref(mon);
    ternDomainObjLock(obj);
    ternDomainObjUnref(obj);
}

void
qemuDomainEventLifecycle(qemuDriver *drv, const ternDomainObj *obj, int event, int detail)
{
    ternObjectEventStateQueue(
        drv->events,
        ternDomainEventLifecycleNew(obj->def->name, obj->def->uuid, obj->id, event, detail));
}

bool
qemuDomainSaveStatus(qemuDriver *drv, ternDomainObj *obj, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_autofree char *xml = NULL;
    qemuStatus st = {
        .pid = priv->pid,
        .id = obj->id,
        .state = obj->state,
        .reason = obj->reason,
        .monitorPath = priv->monitorPath,
        .startedRealUs = priv->startedRealUs,
        .migrationPhase = priv->mig ? (int)priv->mig->phase : 0,
        .migrationIncoming = priv->mig && priv->mig->incoming,
    };

    if (!ternDomainObjIsActive(obj))
        return true;
    if (!(xml = ternDomainDefFormat(obj->def, 0, error)))
        return false;
    return qemuStatusWrite(drv->cfg->runDir, obj->def->name, &st, xml, error);
}

char *
qemuDomainConfigPath(qemuDriver *drv, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);
    return g_build_filename(drv->cfg->stateDir, base, NULL);
}

bool
qemuDomainSaveConfig(qemuDriver *drv, const ternDomainDef *def, GError **error)
{
    g_autofree char *path = qemuDomainConfigPath(drv, def->name);
    g_autofree char *xml = ternDomainDefFormat(def, TERN_DOMAIN_DEF_FORMAT_INACTIVE |
                                                        TERN_DOMAIN_DEF_FORMAT_SECURE,
                                               error);

    return xml && ternFileWriteAtomic(path, xml, strlen(xml), 0600, error);
}

bool
qemuDomainRemoveConfig(qemuDriver *drv, const char *name, GError **error)
{
    g_autofree char *path = qemuDomainConfigPath(drv, name);
    g_autofree char *autostart = g_build_filename(drv->cfg->stateDir, "autostart", name, NULL);

    if (unlink(path) < 0 && errno != ENOENT) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno, "cannot remove '%s'", path);
        return false;
    }
    unlink(autostart);
    return true;
}

ternDomain *
qemuDomainDefine(qemuDriver *drv, ternConnect *conn, ternDomainDef **def, GError **error)
{
    g_autoptr(ternDomainDef) oldDef = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    bool existed;

    if ((*def)->virtType != TERN_DOMAIN_VIRT_QEMU && (*def)->virtType != TERN_DOMAIN_VIRT_KVM) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_CONFIG_UNSUPPORTED,
                     "domain type '%s' is not supported by the QEMU driver; use 'qemu' or 'kvm'",
                     ternDomainVirtTypeToString((*def)->virtType));
        return NULL;
    }
    {
        TERN_DOMAIN_OBJ_AUTOEND prev = ternDomainObjListFindByName(drv->domains, (*def)->name);
        existed = prev != NULL;
    }
    if (!(obj = ternDomainObjListAdd(drv->domains, def, 0, &oldDef, error)))
        return NULL;
    if (!qemuDomainSaveConfig(drv, ternDomainObjGetPersistentDef(obj), error)) {
        /* nothing is defined on error: undo the list change */
        if (!existed) {
            ternDomainObjListRemove(drv->domains, obj);
        } else if (oldDef) {
            if (obj->newDef) {
                ternDomainDefFree(obj->newDef);
                obj->newDef = g_steal_pointer(&oldDef);
            } else {
                ternDomainDefFree(obj->def);
                obj->def = g_steal_pointer(&oldDef);
            }
        }
        return NULL;
    }
    qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_DEFINED,
                             existed ? TERN_DOMAIN_EVENT_DEFINED_UPDATED
                                     : TERN_DOMAIN_EVENT_DEFINED_ADDED);
    return ternDomainDriverHandle(conn, obj);
}
