/* domain_driver.c: what every daemon-side driver does the same way over its ternDomainObjList */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "conf/domain_conf.h"
#include "hypervisor/domain_driver.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

/* The public XML flags the formatter understands share its values. */
G_STATIC_ASSERT((int)TERN_DOMAIN_XML_SECURE == (int)TERN_DOMAIN_DEF_FORMAT_SECURE);
G_STATIC_ASSERT((int)TERN_DOMAIN_XML_INACTIVE == (int)TERN_DOMAIN_DEF_FORMAT_INACTIVE);
G_STATIC_ASSERT((int)TERN_DOMAIN_XML_MIGRATABLE == (int)TERN_DOMAIN_DEF_FORMAT_MIGRATABLE);

ternDomain *
ternDomainDriverHandle(ternConnect *conn, const ternDomainObj *obj)
{
    return ternDomainNew(conn, obj->def->name, obj->def->uuid, obj->id);
}

ternDomainObj *
ternDomainDriverObjFromDomain(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                              GError **error)
{
    ternDomainObj *obj = ternDomainObjListFindByUUID(list, dom->uuid);

    if (!obj) {
        char uuidstr[TERN_UUID_STR_LEN];

        ternUUIDFormat(dom->uuid, uuidstr);
        ternErrorSet(error, from, TERN_ERR_NO_DOMAIN, "no domain with matching uuid '%s' (%s)",
                     uuidstr, dom->name);
    }
    return obj;
}

int
ternDomainDriverListAll(ternConnect *conn, ternDomainObjList *list, ternDomain ***domains,
                        unsigned int flags, ternErrorDomain from, GError **error)
{
    g_autoptr(GPtrArray) objs = NULL;
    GPtrArray *doms;
    int n;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_OBJ_LIST_FILTERS, "connectListAllDomains", error))
        return -1;

    objs = ternDomainObjListCollect(list, flags);
    if (!domains)
        return (int)objs->len;

    doms = g_ptr_array_new();
    for (guint i = 0; i < objs->len; i++) {
        ternDomainObj *obj = g_ptr_array_index(objs, i);

        /* re-check: it may have changed since it was collected */
        ternDomainObjLock(obj);
        if (!obj->removed && ternDomainObjMatchFilter(obj, flags))
            g_ptr_array_add(doms, ternDomainDriverHandle(conn, obj));
        ternDomainObjUnlock(obj);
    }
    n = (int)doms->len;
    g_ptr_array_add(doms, NULL);
    *domains = (ternDomain **)g_ptr_array_free(doms, FALSE);
    return n;
}

/* a handle from the list's own copy of the identity: no object lock, loop-safe */
static ternDomain *
domainDriverLookup(ternConnect *conn, ternDomainObjList *list, const char *name,
                   const unsigned char *uuid, int id)
{
    ternDomainObjIdentity ident = {0};
    ternDomain *dom;

    if (!ternDomainObjListGetIdentity(list, name, uuid, id, &ident))
        return NULL;
    dom = ternDomainNew(conn, ident.name, ident.uuid, ident.id);
    g_free(ident.name);
    return dom;
}

ternDomain *
ternDomainDriverLookupByName(ternConnect *conn, ternDomainObjList *list, const char *name,
                             ternErrorDomain from, GError **error)
{
    ternDomain *dom = name ? domainDriverLookup(conn, list, name, NULL, -1) : NULL;

    if (!dom)
        ternErrorSet(error, from, TERN_ERR_NO_DOMAIN, "no domain with matching name '%s'",
                     name ? name : "");
    return dom;
}

ternDomain *
ternDomainDriverLookupByUUID(ternConnect *conn, ternDomainObjList *list,
                             const unsigned char *uuid, ternErrorDomain from, GError **error)
{
    ternDomain *dom = domainDriverLookup(conn, list, NULL, uuid, -1);

    if (!dom) {
        char uuidstr[TERN_UUID_STR_LEN];

        ternUUIDFormat(uuid, uuidstr);
        ternErrorSet(error, from, TERN_ERR_NO_DOMAIN, "no domain with matching uuid '%s'",
                     uuidstr);
    }
    return dom;
}

ternDomain *
ternDomainDriverLookupByID(ternConnect *conn, ternDomainObjList *list, int id,
                           ternErrorDomain from, GError **error)
{
    ternDomain *dom = id >= 0 ? domainDriverLookup(conn, list, NULL, NULL, id) : NULL;

    if (!dom)
        ternErrorSet(error, from, TERN_ERR_NO_DOMAIN, "no domain with matching id %d", id);
    return dom;
}

char *
ternDomainDriverFormatXML(const ternDomainObj *obj, unsigned int flags, GError **error)
{
    const ternDomainDef *def;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DRIVER_XML_FLAGS, "domainGetXMLDesc", error))
        return NULL;
    def = (flags & TERN_DOMAIN_XML_INACTIVE) && obj->newDef ? obj->newDef : obj->def;
    return ternDomainDefFormat(def, flags, error);
}

bool
ternDomainDriverGetState(ternDomainObjList *list, ternDomain *dom, int *state, int *reason,
                         unsigned int flags, ternErrorDomain from, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, 0, "domainGetState", error))
        return false;
    if (!(obj = ternDomainDriverObjFromDomain(list, dom, from, error)))
        return false;
    *state = obj->state;
    if (reason)
        *reason = obj->reason;
    return true;
}

char *
ternDomainDriverGetXMLDesc(ternDomainObjList *list, ternDomain *dom, unsigned int flags,
                           ternErrorDomain from, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainDriverObjFromDomain(list, dom, from, error);

    if (!obj)
        return NULL;
    return ternDomainDriverFormatXML(obj, flags, error);
}

char *
ternDomainDriverGetOSType(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                          GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainDriverObjFromDomain(list, dom, from, error);

    if (!obj)
        return NULL;
    return g_strdup(ternDomainOSTypeToString(obj->def->os.type));
}

int
ternDomainDriverIsActive(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                         GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainDriverObjFromDomain(list, dom, from, error);

    if (!obj)
        return -1;
    return ternDomainObjIsActive(obj) ? 1 : 0;
}

int
ternDomainDriverIsPersistent(ternDomainObjList *list, ternDomain *dom, ternErrorDomain from,
                             GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainDriverObjFromDomain(list, dom, from, error);

    if (!obj)
        return -1;
    return obj->persistent ? 1 : 0;
}

bool
ternDomainDriverGetAutostart(ternDomainObjList *list, ternDomain *dom, int *autostart,
                             ternErrorDomain from, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainDriverObjFromDomain(list, dom, from, error);

    if (!obj)
        return false;
    *autostart = obj->autostart ? 1 : 0;
    return true;
}

int
ternDomainDriverHasManagedSaveImage(ternDomainObjList *list, ternDomain *dom,
                                    unsigned int flags, ternErrorDomain from, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;

    if (!ternErrorCheckFlags(flags, 0, "domainHasManagedSaveImage", error))
        return -1;
    if (!(obj = ternDomainDriverObjFromDomain(list, dom, from, error)))
        return -1;
    return 0;
}
