/* libtern-domain.c: the public domain API: listing, lookup, definition, lifecycle and queries */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libtern/libtern-internal.h"
#include "util/ternutil.h"

/*
 * Arrays and strings handed to the caller (the domain list, XML, OS type)
 * come from g_new/g_malloc. GLib >= 2.46 allocates with the system malloc,
 * so the free() that tern-domain.h asks of the caller is right.
 *
 * Modifying calls are refused on read-only connections here, before the
 * driver sees them, so every driver (and ternd's read-only socket, which
 * opens its connections read-only) gets the same rule and the same text.
 */

/* --- listing and lookup --- */

int
ternConnectListAllDomains(ternConnect *conn, ternDomain ***domains, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    ternDomain **list = NULL;
    int n;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckMethod(conn, conn->driver->connectListAllDomains != NULL, __func__))
        return -1;
    if ((n = conn->driver->connectListAllDomains(conn, domains ? &list : NULL, flags, &err)) < 0) {
        ternLibReportError(err);
        return -1;
    }
    if (domains)
        *domains = list;
    return n;
}

ternDomain *
ternDomainLookupByName(ternConnect *conn, const char *name)
{
    g_autoptr(GError) err = NULL;
    ternDomain *dom;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckNonNull(name, "name", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(conn, conn->driver->domainLookupByName != NULL, __func__))
        return NULL;
    if (!(dom = conn->driver->domainLookupByName(conn, name, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return dom;
}

/* Shared by the two UUID lookups; @func is the one the caller called. */
static ternDomain *
ternDomainLookupByUUIDCommon(ternConnect *conn, const unsigned char *uuid, const char *func)
{
    g_autoptr(GError) err = NULL;
    ternDomain *dom;

    if (!ternLibCheckMethod(conn, conn->driver->domainLookupByUUID != NULL, func))
        return NULL;
    if (!(dom = conn->driver->domainLookupByUUID(conn, uuid, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return dom;
}

ternDomain *
ternDomainLookupByUUID(ternConnect *conn, const unsigned char *uuid)
{
    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckNonNull(uuid, "uuid", __func__, TERN_FROM_DOMAIN))
        return NULL;
    return ternDomainLookupByUUIDCommon(conn, uuid, __func__);
}

ternDomain *
ternDomainLookupByUUIDString(ternConnect *conn, const char *uuidstr)
{
    unsigned char uuid[TERN_UUID_BUFLEN];

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__) ||
        !ternLibCheckNonNull(uuidstr, "uuidstr", __func__, TERN_FROM_DOMAIN))
        return NULL;
    if (!ternUUIDParse(uuidstr, uuid)) {
        ternLibReportInvalidArg(TERN_FROM_DOMAIN, "uuidstr in %s must be a valid UUID", __func__);
        return NULL;
    }
    return ternDomainLookupByUUIDCommon(conn, uuid, __func__);
}

ternDomain *
ternDomainLookupByID(ternConnect *conn, int id)
{
    g_autoptr(GError) err = NULL;
    ternDomain *dom;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return NULL;
    if (id < 0) {
        ternLibReportInvalidArg(TERN_FROM_DOMAIN, "id in %s must be zero or greater", __func__);
        return NULL;
    }
    if (!ternLibCheckMethod(conn, conn->driver->domainLookupByID != NULL, __func__))
        return NULL;
    if (!(dom = conn->driver->domainLookupByID(conn, id, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return dom;
}

/* --- handles --- */

int
ternDomainRef(ternDomain *dom)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return -1;
    g_atomic_int_inc(&dom->refs);
    return 0;
}

int
ternDomainFree(ternDomain *dom)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return -1;
    ternDomainUnrefInternal(dom);
    return 0;
}

const char *
ternDomainGetName(ternDomain *dom)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return NULL;
    return dom->name;
}

int
ternDomainGetUUID(ternDomain *dom, unsigned char *uuid)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(uuid, "uuid", __func__, TERN_FROM_DOMAIN))
        return -1;
    memcpy(uuid, dom->uuid, TERN_UUID_BUFLEN);
    return 0;
}

int
ternDomainGetUUIDString(ternDomain *dom, char *buf)
{
    G_STATIC_ASSERT(TERN_UUID_STRING_BUFLEN == TERN_UUID_STR_LEN);

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(buf, "buf", __func__, TERN_FROM_DOMAIN))
        return -1;
    ternUUIDFormat(dom->uuid, buf);
    return 0;
}

unsigned int
ternDomainGetID(ternDomain *dom)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return (unsigned int)-1;
    return (unsigned int)dom->id;
}

ternConnect *
ternDomainGetConnect(ternDomain *dom)
{
    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return NULL;
    return dom->conn;
}

/* --- definition --- */

static ternDomain *
ternDomainDefineXMLCommon(ternConnect *conn, const char *xml, unsigned int flags, const char *func)
{
    g_autoptr(GError) err = NULL;
    ternDomain *dom;

    if (!ternLibCheckConn(conn, func) || !ternLibCheckReadWrite(conn, func) ||
        !ternLibCheckNonNull(xml, "xml", func, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(conn, conn->driver->domainDefineXMLFlags != NULL, func))
        return NULL;
    if (!(dom = conn->driver->domainDefineXMLFlags(conn, xml, flags, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return dom;
}

ternDomain *
ternDomainDefineXML(ternConnect *conn, const char *xml)
{
    ternResetLastError();
    return ternDomainDefineXMLCommon(conn, xml, 0, __func__);
}

ternDomain *
ternDomainDefineXMLFlags(ternConnect *conn, const char *xml, unsigned int flags)
{
    ternResetLastError();
    return ternDomainDefineXMLCommon(conn, xml, flags, __func__);
}

static int
ternDomainUndefineCommon(ternDomain *dom, unsigned int flags, const char *func)
{
    g_autoptr(GError) err = NULL;

    if (!ternLibCheckDomainWritable(dom, func) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainUndefineFlags != NULL, func))
        return -1;
    if (!dom->conn->driver->domainUndefineFlags(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainUndefine(ternDomain *dom)
{
    ternResetLastError();
    return ternDomainUndefineCommon(dom, 0, __func__);
}

int
ternDomainUndefineFlags(ternDomain *dom, unsigned int flags)
{
    ternResetLastError();
    return ternDomainUndefineCommon(dom, flags, __func__);
}

/* --- lifecycle --- */

/* The driver sets dom->id to the new running id on success. */
static int
ternDomainCreateCommon(ternDomain *dom, unsigned int flags, const char *func)
{
    g_autoptr(GError) err = NULL;

    if (!ternLibCheckDomainWritable(dom, func) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainCreateWithFlags != NULL, func))
        return -1;
    if (!dom->conn->driver->domainCreateWithFlags(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainCreate(ternDomain *dom)
{
    ternResetLastError();
    return ternDomainCreateCommon(dom, 0, __func__);
}

int
ternDomainCreateWithFlags(ternDomain *dom, unsigned int flags)
{
    ternResetLastError();
    return ternDomainCreateCommon(dom, flags, __func__);
}

/* The driver sets dom->id to -1 on success. */
static int
ternDomainDestroyCommon(ternDomain *dom, unsigned int flags, const char *func)
{
    g_autoptr(GError) err = NULL;

    if (!ternLibCheckDomainWritable(dom, func) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainDestroyFlags != NULL, func))
        return -1;
    if (!dom->conn->driver->domainDestroyFlags(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainDestroy(ternDomain *dom)
{
    ternResetLastError();
    return ternDomainDestroyCommon(dom, 0, __func__);
}

int
ternDomainDestroyFlags(ternDomain *dom, unsigned int flags)
{
    ternResetLastError();
    return ternDomainDestroyCommon(dom, flags, __func__);
}

int
ternDomainShutdownFlags(ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainShutdownFlags != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainShutdownFlags(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainShutdown(ternDomain *dom)
{
    return ternDomainShutdownFlags(dom, 0);
}

int
ternDomainReboot(ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainReboot != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainReboot(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainSuspend(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainSuspend != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainSuspend(dom, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainResume(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainResume != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainResume(dom, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

/* --- queries --- */

int
ternDomainGetInfo(ternDomain *dom, ternDomainInfo *info)
{
    g_autoptr(GError) err = NULL;
    ternDomainInfo tmp;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(info, "info", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetInfo != NULL, __func__))
        return -1;
    memset(&tmp, 0, sizeof(tmp));
    if (!dom->conn->driver->domainGetInfo(dom, &tmp, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *info = tmp;
    return 0;
}

int
ternDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int st = TERN_DOMAIN_NOSTATE;
    int why = 0;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(state, "state", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetState != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainGetState(dom, &st, &why, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *state = st;
    if (reason)
        *reason = why;
    return 0;
}

char *
ternDomainGetXMLDesc(ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__))
        return NULL;
    /* secrets (passwords in the XML) are for read-write clients only, as in libvirt */
    if ((flags & TERN_DOMAIN_XML_SECURE) && (dom->conn->flags & TERN_CONNECT_RO)) {
        GError *denied = NULL;

        ternErrorSet(&denied, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_DENIED, "%s with secure flag",
                     __func__);
        ternLibReportError(denied);
        g_error_free(denied);
        return NULL;
    }
    if (!ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetXMLDesc != NULL, __func__))
        return NULL;
    if (!(xml = dom->conn->driver->domainGetXMLDesc(dom, flags, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return xml;
}

char *
ternDomainGetOSType(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;
    char *ostype;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetOSType != NULL, __func__))
        return NULL;
    if (!(ostype = dom->conn->driver->domainGetOSType(dom, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return ostype;
}

int
ternDomainIsActive(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;
    int ret;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainIsActive != NULL, __func__))
        return -1;
    if ((ret = dom->conn->driver->domainIsActive(dom, &err)) < 0) {
        ternLibReportError(err);
        return -1;
    }
    return ret ? 1 : 0;
}

int
ternDomainIsPersistent(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;
    int ret;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainIsPersistent != NULL, __func__))
        return -1;
    if ((ret = dom->conn->driver->domainIsPersistent(dom, &err)) < 0) {
        ternLibReportError(err);
        return -1;
    }
    return ret ? 1 : 0;
}

int
ternDomainGetAutostart(ternDomain *dom, int *autostart)
{
    g_autoptr(GError) err = NULL;
    int value = 0;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(autostart, "autostart", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetAutostart != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainGetAutostart(dom, &value, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *autostart = value ? 1 : 0;
    return 0;
}

int
ternDomainSetAutostart(ternDomain *dom, int autostart)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainSetAutostart != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainSetAutostart(dom, autostart ? 1 : 0, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainHasManagedSaveImage(ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int ret;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainHasManagedSaveImage != NULL,
                            __func__))
        return -1;
    if ((ret = dom->conn->driver->domainHasManagedSaveImage(dom, flags, &err)) < 0) {
        ternLibReportError(err);
        return -1;
    }
    return ret ? 1 : 0;
}
