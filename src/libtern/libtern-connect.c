/* libtern-connect.c: the public connection API: open, close, references and host queries */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "libtern/libtern-internal.h"

/*
 * Strings this file hands to the caller to free (hostname, URI) come from
 * g_malloc. GLib >= 2.46 allocates with the system malloc, so the caller's
 * free() is right, as tern-connect.h promises.
 */

/* Environment variable naming the URI ternConnectOpen(NULL) opens. */
#define TERN_DEFAULT_URI_ENV "TERN_DEFAULT_URI"

static ternConnect *
ternConnectOpenCommon(const char *name, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    ternConnect *conn;

    ternResetLastError();
    ternLibInitialize();

    if (!name)
        name = g_getenv(TERN_DEFAULT_URI_ENV);
    /* a NULL or empty name still reaches the core, which explains what to give */
    if (!(conn = ternConnectOpenInternal(name, flags, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return conn;
}

ternConnect *
ternConnectOpen(const char *name)
{
    return ternConnectOpenCommon(name, 0);
}

ternConnect *
ternConnectOpenReadOnly(const char *name)
{
    return ternConnectOpenCommon(name, TERN_CONNECT_RO);
}

int
ternConnectClose(ternConnect *conn)
{
    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return -1;

    /*
     * Drop one reference and tell how many are left. Above one, a
     * compare-and-swap keeps the count exact against other threads; the
     * last reference goes through the core, which closes the driver.
     */
    for (;;) {
        gint refs = g_atomic_int_get(&conn->refs);

        if (refs <= 1) {
            ternConnectUnrefInternal(conn);
            return 0;
        }
        if (g_atomic_int_compare_and_exchange(&conn->refs, refs, refs - 1))
            return refs - 1;
    }
}

int
ternConnectRef(ternConnect *conn)
{
    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return -1;
    g_atomic_int_inc(&conn->refs);
    return 0;
}

const char *
ternConnectGetType(ternConnect *conn)
{
    g_autoptr(GError) err = NULL;
    const char *type;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return NULL;
    if (!conn->driver->connectGetType) {
        /* every driver has a name; it is what libvirt shows when it has no better answer */
        return conn->driver->name;
    }
    if (!(type = conn->driver->connectGetType(conn, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return type;
}

int
ternConnectGetVersion(ternConnect *conn, unsigned long *hvVer)
{
    g_autoptr(GError) err = NULL;
    unsigned long ver = 0;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckNonNull(hvVer, "hvVer", __func__, TERN_FROM_NONE) ||
        !ternLibCheckMethod(conn, conn->driver->connectGetVersion != NULL, __func__))
        return -1;
    if (!conn->driver->connectGetVersion(conn, &ver, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *hvVer = ver;
    return 0;
}

int
ternConnectGetLibVersion(ternConnect *conn, unsigned long *libVer)
{
    g_autoptr(GError) err = NULL;
    unsigned long ver = 0;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckNonNull(libVer, "libVer", __func__, TERN_FROM_NONE))
        return -1;
    if (!conn->driver->connectGetLibVersion) {
        /* an in-process driver is served by this very library */
        *libVer = TERN_VERSION_NUMBER;
        return 0;
    }
    if (!conn->driver->connectGetLibVersion(conn, &ver, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *libVer = ver;
    return 0;
}

int
ternGetVersion(unsigned long *libVer)
{
    ternResetLastError();
    if (!ternLibCheckNonNull(libVer, "libVer", __func__, TERN_FROM_NONE))
        return -1;
    *libVer = TERN_VERSION_NUMBER;
    return 0;
}

char *
ternConnectGetHostname(ternConnect *conn)
{
    g_autoptr(GError) err = NULL;
    char *hostname;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckMethod(conn, conn->driver->connectGetHostname != NULL, __func__))
        return NULL;
    if (!(hostname = conn->driver->connectGetHostname(conn, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return hostname;
}

char *
ternConnectGetURI(ternConnect *conn)
{
    g_autoptr(GError) err = NULL;
    char *uri;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return NULL;
    if (!conn->driver->connectGetURI) {
        /* what the connection was opened with is the best answer there is */
        return g_strdup(conn->uri);
    }
    if (!(uri = conn->driver->connectGetURI(conn, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return uri;
}

int
ternConnectIsAlive(ternConnect *conn)
{
    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckMethod(conn, conn->driver->connectIsAlive != NULL, __func__))
        return -1;
    return conn->driver->connectIsAlive(conn) > 0 ? 1 : 0;
}

int
ternConnectSetKeepAlive(ternConnect *conn, int interval, unsigned int count)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckMethod(conn, conn->driver->connectSetKeepAlive != NULL, __func__))
        return -1;
    if (!conn->driver->connectSetKeepAlive(conn, interval, count, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}
