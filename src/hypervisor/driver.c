/* driver.c: the list of registered hypervisor drivers and opening a connection through it */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hypervisor/driver.h"
#include "util/ternerror.h"
#include "util/ternlog.h"

#define TERN_DRIVER_MAX 8

static const ternHypervisorDriver *drivers[TERN_DRIVER_MAX];
static gsize ndrivers;
static GMutex driversLock;
static const ternHypervisorDriver *peerDriver; /* under driversLock */

void
ternDriverRegister(const ternHypervisorDriver *driver)
{
    g_mutex_lock(&driversLock);
    for (gsize i = 0; i < ndrivers; i++) {
        if (drivers[i] == driver) {
            g_mutex_unlock(&driversLock);
            return;
        }
    }
    g_assert(ndrivers < TERN_DRIVER_MAX);
    drivers[ndrivers++] = driver;
    g_mutex_unlock(&driversLock);
}

ternConnect *
ternConnectOpenInternal(const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(ternConnect) conn = NULL;
    const ternHypervisorDriver *list[TERN_DRIVER_MAX];
    gsize n;

    if (!uri || !*uri) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "no connection URI given; use for example 'qemu:///system' or "
                     "'test:///default'");
        return NULL;
    }

    g_mutex_lock(&driversLock);
    n = ndrivers;
    for (gsize i = 0; i < n; i++)
        list[i] = drivers[i];
    g_mutex_unlock(&driversLock);

    conn = ternConnectNew(uri, flags);
    for (gsize i = 0; i < n; i++) {
        ternDrvOpenStatus st;

        conn->driver = list[i];
        st = list[i]->connectOpen(conn, uri, flags, error);
        if (st == TERN_DRV_OPEN_SUCCESS) {
            TERN_DEBUG("opened '%s' with driver %s", uri, list[i]->name);
            return g_steal_pointer(&conn);
        }
        conn->driver = NULL;
        if (st == TERN_DRV_OPEN_ERROR)
            return NULL;
    }
    ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_NO_CONNECT, "%s", uri);
    return NULL;
}

void
ternDriverSetPeer(const ternHypervisorDriver *driver)
{
    g_mutex_lock(&driversLock);
    peerDriver = driver;
    g_mutex_unlock(&driversLock);
}

ternConnect *
ternConnectOpenPeer(const char *uri, GError **error)
{
    g_autoptr(ternConnect) conn = NULL;
    const ternHypervisorDriver *drv;
    ternDrvOpenStatus st;

    g_mutex_lock(&driversLock);
    drv = peerDriver;
    g_mutex_unlock(&driversLock);
    if (!drv) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_NO_SUPPORT,
                     "this process cannot connect to other daemons");
        return NULL;
    }
    if (!uri || !*uri) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG, "no destination URI given");
        return NULL;
    }
    conn = ternConnectNew(uri, 0);
    conn->driver = drv;
    st = drv->connectOpen(conn, uri, 0, error);
    if (st == TERN_DRV_OPEN_SUCCESS)
        return g_steal_pointer(&conn);
    conn->driver = NULL;
    if (st == TERN_DRV_OPEN_DECLINED)
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "'%s' names no daemon (use e.g. qemu+tcp://HOST/system)", uri);
    return NULL;
}

void
ternDriverReportNoSupport(ternConnect *conn, const char *method, GError **error)
{
    ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_NO_SUPPORT, "%s (driver %s)", method,
                 conn && conn->driver ? conn->driver->name : "none");
}
