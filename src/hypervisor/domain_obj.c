/* domain_obj.c: ternDomainObj, a daemon's live domain (lock, state, job), and the list of them */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/domain_obj.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/* --- one object --- */

static ternDomainObj *
ternDomainObjNew(const ternDomainObjPrivateCallbacks *priv)
{
    ternDomainObj *obj = g_new0(ternDomainObj, 1);

    g_mutex_init(&obj->lock);
    g_cond_init(&obj->jobCond);
    obj->refs = 1;
    obj->state = TERN_DOMAIN_SHUTOFF;
    obj->reason = TERN_DOMAIN_SHUTOFF_UNKNOWN;
    obj->id = -1;
    if (priv && priv->alloc)
        obj->privateData = priv->alloc();
    if (priv)
        obj->privateDataFree = priv->free;
    return obj;
}

ternDomainObj *
ternDomainObjRef(ternDomainObj *obj)
{
    g_atomic_int_inc(&obj->refs);
    return obj;
}

ternDomainObj *
ternDomainObjUnref(ternDomainObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->refs))
        return NULL;
    if (obj->privateDataFree && obj->privateData)
        obj->privateDataFree(obj->privateData);
    ternDomainDefFree(obj->def);
    ternDomainDefFree(obj->newDef);
    g_free(obj->job.name);
    g_cond_clear(&obj->jobCond);
    g_mutex_clear(&obj->lock);
    g_free(obj);
    return NULL;
}

void
ternDomainObjLock(ternDomainObj *obj)
{
    g_mutex_lock(&obj->lock);
}

void
ternDomainObjUnlock(ternDomainObj *obj)
{
    g_mutex_unlock(&obj->lock);
}

void
ternDomainObjEndAPI(ternDomainObj **obj)
{
    if (!*obj)
        return;
    g_mutex_unlock(&(*obj)->lock);
    ternDomainObjUnref(*obj);
    *obj = NULL;
}

bool
ternDomainObjIsActive(const ternDomainObj *obj)
{
    return obj->id >= 0;
}

void
ternDomainObjSetState(ternDomainObj *obj, int state, int reason)
{
    obj->state = state;
    obj->reason = reason;
}

ternDomainDef *
ternDomainObjGetPersistentDef(const ternDomainObj *obj)
{
    if (!obj->persistent)
        return NULL;
    return obj->newDef ? obj->newDef : obj->def;
}

bool
ternDomainObjSetDefTransient(ternDomainObj *obj, GError **error)
{
    if (!obj->persistent || obj->newDef)
        return true;
    if (!(obj->newDef = ternDomainDefCopy(obj->def))) {
        ternReportInternal(error, TERN_FROM_DOMAIN,
                           "cannot copy the definition of domain '%s': it does not validate",
                           obj->def->name);
        return false;
    }
    obj->newDef->id = -1;
    return true;
}

void
ternDomainObjRemoveTransientDef(ternDomainObj *obj)
{
    if (obj->newDef) {
        ternDomainDefFree(obj->def);
        obj->def = g_steal_pointer(&obj->newDef);
    }
    obj->def->id = -1;
}

/* --- the job slot --- */

bool
ternDomainObjBeginJob(ternDomainObj *obj, const char *jobName, GError **error)
{
    return ternDomainObjBeginJobFull(obj, jobName, 0, TERN_DOMAIN_OBJ_JOB_WAIT_MS, error);
}

bool
ternDomainObjBeginJobFull(ternDomainObj *obj, const char *jobName, unsigned int flags,
                          gint64 waitMs, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + waitMs * G_TIME_SPAN_MILLISECOND;

    while (obj->job.name) {
        if ((obj->job.flags & TERN_DOMAIN_OBJ_JOB_LONG) || (flags & TERN_DOMAIN_OBJ_JOB_NOWAIT)) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_INVALID,
                         "cannot start job '%s': domain '%s' has a job in progress: '%s'", jobName,
                         obj->def->name, obj->job.name);
            return false;
        }
        if (!g_cond_wait_until(&obj->jobCond, &obj->lock, deadline) && obj->job.name) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_TIMEOUT,
                         "domain '%s': cannot acquire state change lock for '%s' (held by '%s')",
                         obj->def->name, jobName, obj->job.name);
            return false;
        }
    }
    if (obj->removed) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_NO_DOMAIN,
                     "domain '%s' was removed before job '%s' could start", obj->def->name,
                     jobName);
        return false;
    }
    obj->job.name = g_strdup(jobName);
    obj->job.flags = flags & TERN_DOMAIN_OBJ_JOB_LONG;
    obj->job.startedMs = ternMonotonicMs();
    return true;
}

void
ternDomainObjJobSetAllows(ternDomainObj *obj, ternDomainObjJobAllowsFunc allows)
{
    g_return_if_fail(obj->job.name != NULL && (obj->job.flags & TERN_DOMAIN_OBJ_JOB_LONG));
    obj->job.allows = allows;
}

bool
ternDomainObjBeginJobAlongside(ternDomainObj *obj, const char *jobName, bool *alongside,
                               GError **error)
{
    *alongside = obj->job.name && (obj->job.flags & TERN_DOMAIN_OBJ_JOB_LONG) &&
                 obj->job.allows && obj->job.allows(obj, jobName);
    return *alongside || ternDomainObjBeginJob(obj, jobName, error);
}

void
ternDomainObjEndJob(ternDomainObj *obj)
{
    g_return_if_fail(obj->job.name != NULL);
    g_clear_pointer(&obj->job.name, g_free);
    obj->job.flags = 0;
    obj->job.startedMs = 0;
    obj->job.allows = NULL;
    g_cond_broadcast(&obj->jobCond);
}

const char *
ternDomainObjGetJob(const ternDomainObj *obj)
{
    return obj->job.name;
}

/* --- filters --- */

/* True when @flags selects some but not all of the bits of @group. */
static bool
ternDomainObjFilterGroupActive(unsigned int flags, unsigned int group)
{
    unsigned int given = flags & group;
    return given != 0 && given != group;
}

bool
ternDomainObjMatchFilter(const ternDomainObj *obj, unsigned int flags)
{
    const unsigned int activity =
        TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE;
    const unsigned int persistence =
        TERN_CONNECT_LIST_DOMAINS_PERSISTENT | TERN_CONNECT_LIST_DOMAINS_TRANSIENT;
    const unsigned int states = TERN_CONNECT_LIST_DOMAINS_RUNNING |
                                TERN_CONNECT_LIST_DOMAINS_PAUSED |
                                TERN_CONNECT_LIST_DOMAINS_SHUTOFF | TERN_CONNECT_LIST_DOMAINS_OTHER;

    if (ternDomainObjFilterGroupActive(flags, activity)) {
        unsigned int mine = ternDomainObjIsActive(obj) ? TERN_CONNECT_LIST_DOMAINS_ACTIVE
                                                       : TERN_CONNECT_LIST_DOMAINS_INACTIVE;
        if (!(flags & mine))
            return false;
    }
    if (ternDomainObjFilterGroupActive(flags, persistence)) {
        unsigned int mine = obj->persistent ? TERN_CONNECT_LIST_DOMAINS_PERSISTENT
                                            : TERN_CONNECT_LIST_DOMAINS_TRANSIENT;
        if (!(flags & mine))
            return false;
    }
    if (ternDomainObjFilterGroupActive(flags, states)) {
        unsigned int mine;

        switch (obj->state) {
        case TERN_DOMAIN_RUNNING:
            mine = TERN_CONNECT_LIST_DOMAINS_RUNNING;
            break;
        case TERN_DOMAIN_PAUSED:
            mine = TERN_CONNECT_LIST_DOMAINS_PAUSED;
            break;
        case TERN_DOMAIN_SHUTOFF:
            mine = TERN_CONNECT_LIST_DOMAINS_SHUTOFF;
            break;
        default:
            mine = TERN_CONNECT_LIST_DOMAINS_OTHER;
            break;
        }
        if (!(flags & mine))
            return false;
    }
    return true;
}

/* --- the list --- */

/*
 * One entry per object, owned by the uuid table. The entry keeps its own
 * copy of the name, uuid and id so the list can be searched, and its error
 * messages written, without taking any object's lock.
 */
typedef struct {
    ternDomainObj *obj; /* one reference */
    char *name;
    unsigned char uuid[TERN_UUID_RAW_LEN];
    int id; /* -1 when not indexed by id */
} ternDomainObjListEntry;

struct _ternDomainObjList {
    GMutex lock;
    GHashTable *byUUID; /* uuid bytes (entry->uuid) → entry; owns the entries */
    GHashTable *byName; /* entry->name → entry */
    GHashTable *byID;   /* GINT_TO_POINTER(id) → entry, active domains only */
    int nextID;
    ternDomainObjPrivateCallbacks priv;
};

static void
ternDomainObjListEntryFree(void *opaque)
{
    ternDomainObjListEntry *entry = opaque;

    ternDomainObjUnref(entry->obj);
    g_free(entry->name);
    g_free(entry);
}

static guint
ternDomainObjListUUIDHash(gconstpointer key)
{
    const unsigned char *uuid = key;
    guint h = 0;

    for (size_t i = 0; i < TERN_UUID_RAW_LEN; i++)
        h = h * 31 + uuid[i];
    return h;
}

static gboolean
ternDomainObjListUUIDEqual(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, TERN_UUID_RAW_LEN) == 0;
}

ternDomainObjList *
ternDomainObjListNew(const ternDomainObjPrivateCallbacks *priv)
{
    ternDomainObjList *list = g_new0(ternDomainObjList, 1);

    g_mutex_init(&list->lock);
    list->byUUID = g_hash_table_new_full(ternDomainObjListUUIDHash, ternDomainObjListUUIDEqual,
                                         NULL, ternDomainObjListEntryFree);
    list->byName = g_hash_table_new(g_str_hash, g_str_equal);
    list->byID = g_hash_table_new(g_direct_hash, g_direct_equal);
    list->nextID = 1;
    if (priv)
        list->priv = *priv;
    return list;
}

static gboolean
ternDomainObjListMarkRemoved(gpointer key, gpointer value, gpointer opaque)
{
    ternDomainObjListEntry *entry = value;

    g_mutex_lock(&entry->obj->lock);
    entry->obj->removed = true;
    g_mutex_unlock(&entry->obj->lock);
    return TRUE;
}

void
ternDomainObjListFree(ternDomainObjList *list)
{
    if (!list)
        return;
    g_hash_table_remove_all(list->byID);
    g_hash_table_remove_all(list->byName);
    g_hash_table_foreach_remove(list->byUUID, ternDomainObjListMarkRemoved, NULL);
    g_hash_table_destroy(list->byID);
    g_hash_table_destroy(list->byName);
    g_hash_table_destroy(list->byUUID);
    g_mutex_clear(&list->lock);
    g_free(list);
}

/*
 * Lock the object of the entry @find returns, with a reference, skipping
 * objects removed between the lookup and the lock (a new domain may have
 * taken the name meanwhile: look again). @id >= 0 also requires that the
 * object still has that id once locked.
 */
typedef ternDomainObjListEntry *(*ternDomainObjListLookup)(ternDomainObjList *list,
                                                           const void *key);

static ternDomainObj *
ternDomainObjListFindLocked(ternDomainObjList *list, ternDomainObjListLookup find, const void *key,
                            int id)
{
    for (;;) {
        ternDomainObjListEntry *entry;
        ternDomainObj *obj = NULL;

        g_mutex_lock(&list->lock);
        if ((entry = find(list, key)))
            obj = ternDomainObjRef(entry->obj);
        g_mutex_unlock(&list->lock);
        if (!obj)
            return NULL;

        g_mutex_lock(&obj->lock);
        if (!obj->removed && (id < 0 || obj->id == id))
            return obj;
        g_mutex_unlock(&obj->lock);
        ternDomainObjUnref(obj);
        if (id >= 0)
            return NULL; /* the id moved on: ids are never reused, so it is gone */
    }
}

static ternDomainObjListEntry *
ternDomainObjListLookupName(ternDomainObjList *list, const void *key)
{
    return g_hash_table_lookup(list->byName, key);
}

static ternDomainObjListEntry *
ternDomainObjListLookupUUID(ternDomainObjList *list, const void *key)
{
    return g_hash_table_lookup(list->byUUID, key);
}

static ternDomainObjListEntry *
ternDomainObjListLookupID(ternDomainObjList *list, const void *key)
{
    return g_hash_table_lookup(list->byID, key);
}

ternDomainObj *
ternDomainObjListFindByName(ternDomainObjList *list, const char *name)
{
    if (!name)
        return NULL;
    return ternDomainObjListFindLocked(list, ternDomainObjListLookupName, name, -1);
}

ternDomainObj *
ternDomainObjListFindByUUID(ternDomainObjList *list, const unsigned char *uuid)
{
    if (!uuid)
        return NULL;
    return ternDomainObjListFindLocked(list, ternDomainObjListLookupUUID, uuid, -1);
}

ternDomainObj *
ternDomainObjListFindByID(ternDomainObjList *list, int id)
{
    if (id < 0)
        return NULL;
    return ternDomainObjListFindLocked(list, ternDomainObjListLookupID, GINT_TO_POINTER(id), id);
}

bool
ternDomainObjListGetIdentity(ternDomainObjList *list, const char *name, const unsigned char *uuid,
                             int id, ternDomainObjIdentity *ret)
{
    ternDomainObjListEntry *entry = NULL;

    g_mutex_lock(&list->lock);
    if (name)
        entry = g_hash_table_lookup(list->byName, name);
    else if (uuid)
        entry = g_hash_table_lookup(list->byUUID, uuid);
    else if (id >= 0)
        entry = g_hash_table_lookup(list->byID, GINT_TO_POINTER(id));
    if (entry) {
        ret->name = g_strdup(entry->name);
        memcpy(ret->uuid, entry->uuid, TERN_UUID_RAW_LEN);
        ret->id = entry->id;
    }
    g_mutex_unlock(&list->lock);
    return entry != NULL;
}

/* Give the locked, existing @obj the definition *@def as ternDomainObjListAdd says. */
static bool
ternDomainObjListAddExisting(ternDomainObj *obj, ternDomainDef **def, unsigned int flags,
                             ternDomainDef **retOldDef, GError **error)
{
    g_autoptr(ternDomainDef) old = NULL;

    if (flags & TERN_DOMAIN_OBJ_LIST_ADD_LIVE) {
        if (ternDomainObjIsActive(obj)) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_INVALID,
                         "domain '%s' is already active", obj->def->name);
            return false;
        }
        if (obj->persistent && !obj->newDef)
            obj->newDef = g_steal_pointer(&obj->def);
        ternDomainDefFree(obj->def);
        obj->def = g_steal_pointer(def);
    } else if (ternDomainObjIsActive(obj)) {
        old = g_steal_pointer(&obj->newDef);
        obj->newDef = g_steal_pointer(def);
        obj->newDef->id = -1;
    } else {
        old = g_steal_pointer(&obj->def);
        if (!obj->persistent)
            g_clear_pointer(&old, ternDomainDefFree); /* not a persistent config */
        obj->def = g_steal_pointer(def);
        obj->def->id = -1;
    }
    if (!(flags & TERN_DOMAIN_OBJ_LIST_ADD_LIVE))
        obj->persistent = true;
    if (retOldDef)
        *retOldDef = g_steal_pointer(&old);
    return true;
}

ternDomainObj *
ternDomainObjListAdd(ternDomainObjList *list, ternDomainDef **def, unsigned int flags,
                     ternDomainDef **retOldDef, GError **error)
{
    const ternDomainDef *d = *def;
    char uuidstr[TERN_UUID_STR_LEN];

    for (;;) {
        ternDomainObjListEntry *byUUID;
        ternDomainObjListEntry *byName;
        ternDomainObjListEntry *entry;
        ternDomainObj *obj;

        g_mutex_lock(&list->lock);
        byUUID = g_hash_table_lookup(list->byUUID, d->uuid);
        byName = g_hash_table_lookup(list->byName, d->name);

        if (byUUID && strcmp(byUUID->name, d->name) != 0) {
            ternUUIDFormat(d->uuid, uuidstr);
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_FAILED,
                         "domain '%s' is already defined with uuid %s", byUUID->name, uuidstr);
            g_mutex_unlock(&list->lock);
            return NULL;
        }
        if (!byUUID && byName) {
            ternUUIDFormat(byName->uuid, uuidstr);
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_FAILED,
                         "domain '%s' already exists with uuid %s", d->name, uuidstr);
            g_mutex_unlock(&list->lock);
            return NULL;
        }

        if (byUUID) {
            /* the same domain: lock it without the list's lock (lock order) */
            obj = ternDomainObjRef(byUUID->obj);
            g_mutex_unlock(&list->lock);
            g_mutex_lock(&obj->lock);
            if (obj->removed) {
                /* removed meanwhile: its entry is gone, so the next round adds anew */
                g_mutex_unlock(&obj->lock);
                ternDomainObjUnref(obj);
                continue;
            }
            if (!ternDomainObjListAddExisting(obj, def, flags, retOldDef, error)) {
                g_mutex_unlock(&obj->lock);
                ternDomainObjUnref(obj);
                return NULL;
            }
            return obj;
        }

        /* a new domain: nobody else can see the object yet, so locking it here is safe */
        obj = ternDomainObjNew(&list->priv);
        g_mutex_lock(&obj->lock);
        obj->def = g_steal_pointer(def);
        obj->def->id = -1;
        obj->persistent = !(flags & TERN_DOMAIN_OBJ_LIST_ADD_LIVE);

        entry = g_new0(ternDomainObjListEntry, 1);
        entry->obj = ternDomainObjRef(obj);
        entry->name = g_strdup(obj->def->name);
        memcpy(entry->uuid, obj->def->uuid, TERN_UUID_RAW_LEN);
        entry->id = -1;
        g_hash_table_insert(list->byUUID, entry->uuid, entry);
        g_hash_table_insert(list->byName, entry->name, entry);
        g_mutex_unlock(&list->lock);
        if (retOldDef)
            *retOldDef = NULL;
        return obj;
    }
}

/* The entry of @obj, or NULL if @obj is not (or no longer) in @list. List lock held. */
static ternDomainObjListEntry *
ternDomainObjListEntryOf(ternDomainObjList *list, const ternDomainObj *obj)
{
    ternDomainObjListEntry *entry = g_hash_table_lookup(list->byUUID, obj->def->uuid);

    return entry && entry->obj == obj ? entry : NULL;
}

void
ternDomainObjListRemove(ternDomainObjList *list, ternDomainObj *obj)
{
    ternDomainObjListEntry *entry;

    g_mutex_lock(&list->lock);
    if ((entry = ternDomainObjListEntryOf(list, obj))) {
        if (entry->id >= 0)
            g_hash_table_remove(list->byID, GINT_TO_POINTER(entry->id));
        g_hash_table_remove(list->byName, entry->name);
        g_hash_table_remove(list->byUUID, entry->uuid); /* frees entry, drops the list's ref */
    }
    obj->removed = true;
    g_mutex_unlock(&list->lock);
}

int
ternDomainObjListAssignID(ternDomainObjList *list, ternDomainObj *obj)
{
    ternDomainObjListEntry *entry;
    int id;

    g_mutex_lock(&list->lock);
    id = list->nextID;
    list->nextID = list->nextID == G_MAXINT ? 1 : list->nextID + 1;
    if ((entry = ternDomainObjListEntryOf(list, obj))) {
        if (entry->id >= 0)
            g_hash_table_remove(list->byID, GINT_TO_POINTER(entry->id));
        entry->id = id;
        g_hash_table_insert(list->byID, GINT_TO_POINTER(id), entry);
    }
    g_mutex_unlock(&list->lock);

    obj->id = id;
    obj->def->id = id;
    return id;
}

bool
ternDomainObjListRestoreID(ternDomainObjList *list, ternDomainObj *obj, int id, GError **error)
{
    ternDomainObjListEntry *entry;

    if (id < 1) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INTERNAL_ERROR,
                     "domain '%s': invalid saved id %d", obj->def->name, id);
        return false;
    }
    g_mutex_lock(&list->lock);
    if (g_hash_table_contains(list->byID, GINT_TO_POINTER(id))) {
        g_mutex_unlock(&list->lock);
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INTERNAL_ERROR,
                     "domain '%s': saved id %d is already in use", obj->def->name, id);
        return false;
    }
    if ((entry = ternDomainObjListEntryOf(list, obj))) {
        if (entry->id >= 0)
            g_hash_table_remove(list->byID, GINT_TO_POINTER(entry->id));
        entry->id = id;
        g_hash_table_insert(list->byID, GINT_TO_POINTER(id), entry);
    }
    if (id >= list->nextID)
        list->nextID = id == G_MAXINT ? 1 : id + 1;
    g_mutex_unlock(&list->lock);

    obj->id = id;
    obj->def->id = id;
    return true;
}

void
ternDomainObjListReleaseID(ternDomainObjList *list, ternDomainObj *obj)
{
    ternDomainObjListEntry *entry;

    g_mutex_lock(&list->lock);
    if ((entry = ternDomainObjListEntryOf(list, obj)) && entry->id >= 0) {
        g_hash_table_remove(list->byID, GINT_TO_POINTER(entry->id));
        entry->id = -1;
    }
    g_mutex_unlock(&list->lock);

    obj->id = -1;
    obj->def->id = -1;
}

/* ternDomainObjUnref as a GDestroyNotify, for arrays of references */
static void
ternDomainObjUnrefNotify(void *obj)
{
    ternDomainObjUnref(obj);
}

static int
ternDomainObjListEntryCompare(gconstpointer a, gconstpointer b)
{
    const ternDomainObjListEntry *ea = *(ternDomainObjListEntry *const *)a;
    const ternDomainObjListEntry *eb = *(ternDomainObjListEntry *const *)b;

    return strcmp(ea->name, eb->name);
}

/* Every object, in name order, referenced and unlocked. */
static GPtrArray *
ternDomainObjListSnapshot(ternDomainObjList *list)
{
    g_autoptr(GPtrArray) entries = g_ptr_array_new();
    GPtrArray *objs;
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->byUUID);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(entries, value);
    g_ptr_array_sort(entries, ternDomainObjListEntryCompare);
    objs = g_ptr_array_new_full(entries->len, ternDomainObjUnrefNotify);
    for (guint i = 0; i < entries->len; i++) {
        ternDomainObjListEntry *entry = g_ptr_array_index(entries, i);
        g_ptr_array_add(objs, ternDomainObjRef(entry->obj));
    }
    g_mutex_unlock(&list->lock);
    return objs;
}

GPtrArray *
ternDomainObjListCollect(ternDomainObjList *list, unsigned int flags)
{
    g_autoptr(GPtrArray) all = ternDomainObjListSnapshot(list);
    GPtrArray *matching = g_ptr_array_new_full(all->len, ternDomainObjUnrefNotify);

    for (guint i = 0; i < all->len; i++) {
        ternDomainObj *obj = g_ptr_array_index(all, i);
        bool keep;

        g_mutex_lock(&obj->lock);
        keep = !obj->removed && ternDomainObjMatchFilter(obj, flags);
        g_mutex_unlock(&obj->lock);
        if (keep)
            g_ptr_array_add(matching, ternDomainObjRef(obj));
    }
    return matching;
}

void
ternDomainObjListForEach(ternDomainObjList *list, ternDomainObjListIterator cb, void *opaque)
{
    g_autoptr(GPtrArray) all = ternDomainObjListSnapshot(list);

    for (guint i = 0; i < all->len; i++) {
        ternDomainObj *obj = g_ptr_array_index(all, i);
        bool more = true;

        g_mutex_lock(&obj->lock);
        if (!obj->removed)
            more = cb(obj, opaque);
        g_mutex_unlock(&obj->lock);
        if (!more)
            break;
    }
}

size_t
ternDomainObjListCount(ternDomainObjList *list)
{
    size_t n;

    g_mutex_lock(&list->lock);
    n = g_hash_table_size(list->byUUID);
    g_mutex_unlock(&list->lock);
    return n;
}
