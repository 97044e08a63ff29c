/* libtern-event.c: the public domain event API: registering and removing callbacks */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "libtern/libtern-internal.h"

/*
 * Read-only connections may watch events (as in libvirt): nothing here
 * changes a domain. Delivery happens on the driver's own thread, see
 * tern-event.h.
 */

int
ternConnectDomainEventRegisterAny(ternConnect *conn, ternDomain *dom, int eventID,
                                  ternConnectDomainEventGenericCallback cb, void *opaque,
                                  ternFreeCallback freecb)
{
    g_autoptr(GError) err = NULL;
    int id;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return -1;
    if (dom) {
        if (!ternLibCheckDomain(dom, __func__))
            return -1;
        if (dom->conn != conn) {
            ternLibReportInvalidArg(TERN_FROM_NONE, "dom in %s must belong to conn", __func__);
            return -1;
        }
    }
    if (!cb) {
        ternLibReportInvalidArg(TERN_FROM_NONE, "cb in %s must not be NULL", __func__);
        return -1;
    }
    if (eventID < 0 || eventID >= TERN_DOMAIN_EVENT_ID_LAST) {
        ternLibReportInvalidArg(TERN_FROM_NONE, "eventID in %s must be less than %d, got %d",
                                __func__, TERN_DOMAIN_EVENT_ID_LAST, eventID);
        return -1;
    }
    if (!ternLibCheckMethod(conn, conn->driver->connectDomainEventRegisterAny != NULL, __func__))
        return -1;
    if ((id = conn->driver->connectDomainEventRegisterAny(conn, dom, eventID, cb, opaque, freecb,
                                                          &err)) < 0) {
        ternLibReportError(err);
        return -1;
    }
    return id;
}

int
ternConnectDomainEventDeregisterAny(ternConnect *conn, int callbackID)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckConn(conn, __func__))
        return -1;
    if (callbackID < 0) {
        ternLibReportInvalidArg(TERN_FROM_NONE, "callbackID in %s must be zero or greater",
                                __func__);
        return -1;
    }
    if (!ternLibCheckMethod(conn, conn->driver->connectDomainEventDeregisterAny != NULL, __func__))
        return -1;
    if (!conn->driver->connectDomainEventDeregisterAny(conn, callbackID, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}
