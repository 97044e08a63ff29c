/* libtern-error.c: argument checks of the public entry points and their last-error reports */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>

#include "libtern/libtern-internal.h"

/* Record a GError built here (the helpers below) as the last error, and free it. */
static void
ternLibReportNew(GError *err)
{
    ternErrorSetLast(err);
    g_error_free(err);
}

bool
ternLibCheckConn(ternConnect *conn, const char *func)
{
    GError *err = NULL;

    if (conn && conn->driver && g_atomic_int_get(&conn->refs) > 0)
        return true;
    ternErrorSet(&err, TERN_FROM_NONE, TERN_ERR_INVALID_CONN, "%s", func);
    ternLibReportNew(err);
    return false;
}

bool
ternLibCheckDomain(ternDomain *dom, const char *func)
{
    GError *err = NULL;

    if (dom && g_atomic_int_get(&dom->refs) > 0 && dom->conn && dom->conn->driver)
        return true;
    ternErrorSet(&err, TERN_FROM_DOM, TERN_ERR_INVALID_DOMAIN, "%s", func);
    ternLibReportNew(err);
    return false;
}

bool
ternLibCheckReadWrite(ternConnect *conn, const char *func)
{
    GError *err = NULL;

    if (!(conn->flags & TERN_CONNECT_RO))
        return true;
    ternErrorSet(&err, TERN_FROM_NONE, TERN_ERR_OPERATION_DENIED, "read only access prevents %s",
                 func);
    ternLibReportNew(err);
    return false;
}

bool
ternLibCheckDomainWritable(ternDomain *dom, const char *func)
{
    return ternLibCheckDomain(dom, func) && ternLibCheckReadWrite(dom->conn, func);
}

bool
ternLibCheckMethod(ternConnect *conn, bool implemented, const char *func)
{
    if (implemented)
        return true;
    ternLibReportNoSupport(conn, func);
    return false;
}

bool
ternLibCheckNonNull(const void *ptr, const char *arg, const char *func, ternErrorDomain from)
{
    if (ptr)
        return true;
    ternLibReportInvalidArg(from, "%s in %s must not be NULL", arg, func);
    return false;
}

void
ternLibReportInvalidArg(ternErrorDomain from, const char *fmt, ...)
{
    GError *err = NULL;
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ternErrorSet(&err, from, TERN_ERR_INVALID_ARG, "%s", text);
    ternLibReportNew(err);
}

void
ternLibReportNoSupport(ternConnect *conn, const char *func)
{
    GError *err = NULL;

    ternDriverReportNoSupport(conn, func, &err);
    ternLibReportNew(err);
}

void
ternLibReportError(const GError *err)
{
    /* NULL: a driver broke the contract (failed without saying why); SetLast says so */
    ternErrorSetLast(err);
}
