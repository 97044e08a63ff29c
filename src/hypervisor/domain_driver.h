/* domain_driver.h: what every daemon-side driver does the same way over its ternDomainObjList */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/domain_obj.h"
#include "tern/tern.h"

/*
 * Listing, lookups and the handle ↔ object step are the same in every
 * driver that keeps a ternDomainObjList; errors carry the driver's error
 * domain @from.
 */

/** ternDomainDriverHandle: a new handle on @conn for @obj (locked). */
ternDomain *ternDomainDriverHandle(ternConnect *conn, const ternDomainObj *obj);

/**
 * ternDomainDriverObjFromDomain: the object behind the handle @dom, locked
 * and referenced (release with ternDomainObjEndAPI), or TERN_ERR_NO_DOMAIN.
 */
ternDomainObj *ternDomainDriverObjFromDomain(ternDomainObjList *list, ternDomain *dom,
                                             ternErrorDomain from, GError **error);

/** The connectListAllDomains method over @list. */
int ternDomainDriverListAll(ternConnect *conn, ternDomainObjList *list, ternDomain ***domains,
                            unsigned int flags, ternErrorDomain from, GError **error);

/** The lookup methods over @list, with libvirt's "no domain with matching ..." errors. */
ternDomain *ternDomainDriverLookupByName(ternConnect *conn, ternDomainObjList *list,
                                         const char *name, ternErrorDomain from, GError **error);
ternDomain *ternDomainDriverLookupByUUID(ternConnect *conn, ternDomainObjList *list,
                                         const unsigned char *uuid, ternErrorDomain from,
                                         GError **error);
ternDomain *ternDomainDriverLookupByID(ternConnect *conn, ternDomainObjList *list, int id,
                                       ternErrorDomain from, GError **error);

/* XML flags getXMLDesc accepts: the formatter's own values */
#define TERN_DOMAIN_DRIVER_XML_FLAGS                                                               \
    (TERN_DOMAIN_XML_SECURE | TERN_DOMAIN_XML_INACTIVE | TERN_DOMAIN_XML_MIGRATABLE)

/** ternDomainDriverFormatXML: the live or (INACTIVE) persistent XML of @obj. */
char *ternDomainDriverFormatXML(const ternDomainObj *obj, unsigned int flags, GError **error);

/*
 * The query methods that only read the object, for every driver alike;
 * each looks the domain up in @list and fails with TERN_ERR_NO_DOMAIN.
 */
bool ternDomainDriverGetState(ternDomainObjList *list, ternDomain *dom, int *state, int *reason,
                              unsigned int flags, ternErrorDomain from, GError **error);
char *ternDomainDriverGetXMLDesc(ternDomainObjList *list, ternDomain *dom, unsigned int flags,
                                 ternErrorDomain from, GError **error);
char *ternDomainDriverGetOSType(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                                GError **error);
int ternDomainDriverIsActive(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                             GError **error);
int ternDomainDriverIsPersistent(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                                 GError **error);
bool ternDomainDriverGetAutostart(ternDomainObjList *list, ternDomain *dom, int *autostart,
                                  ternErrorDomain from, GError **error);
/* no driver keeps managed save images: 0 for any existing domain */
int ternDomainDriverHasManagedSaveImage(ternDomainObjList *list, ternDomain *dom,
                                        unsigned int flags, ternErrorDomain from,
                                        GError **error);
