/* domain_obj.h: ternDomainObj, a daemon's live domain (lock, state, job), and the list of them */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A ternDomainObj is what a hypervisor driver keeps for each domain it
 * knows: the definitions, the state, and the job slot. It is refcounted and
 * has a mutex; the rules:
 *
 *  - Every field below is read and written with @lock held, except @refs.
 *  - Lock order: an object's lock, then the list's (internal) lock. The
 *    list never waits for an object's lock while holding its own, so a
 *    thread holding an object may call into the list.
 *  - Never hold two objects' locks at once.
 *  - Finders return the object locked and with one reference for the
 *    caller; release both with ternDomainObjEndAPI().
 *  - A removed object (ternDomainObjListRemove) stays valid for the
 *    references still held, with @removed set; finders never return it.
 *
 * Nothing here is specific to one hypervisor: drivers keep their own data
 * in @privateData (see ternDomainObjPrivateCallbacks).
 *
 * Errors are reported in TERN_FROM_DOMAIN.
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain_conf.h"
#include "tern/tern.h"

/* How long ternDomainObjBeginJob waits for the current job to end (libvirt's 30 s). */
#define TERN_DOMAIN_OBJ_JOB_WAIT_MS 30000

typedef enum {
    /* A long job (a migration): while it runs, other jobs fail at once with
     * TERN_ERR_OPERATION_INVALID instead of waiting for it. */
    TERN_DOMAIN_OBJ_JOB_LONG = 1 << 0,
    /* Fail at once, whatever the current job, instead of waiting. */
    TERN_DOMAIN_OBJ_JOB_NOWAIT = 1 << 1,
} ternDomainObjJobFlags;

typedef struct _ternDomainObj ternDomainObj;

/*
 * Asked (lock held) whether the job named @jobName may run alongside the
 * active long job, without the slot: it must not disturb that job beyond
 * what the job is built to survive (a destroy the migration sees as its
 * QEMU's exit, for one).
 */
typedef bool (*ternDomainObjJobAllowsFunc)(ternDomainObj *obj, const char *jobName);

typedef struct _ternDomainObjJob ternDomainObjJob;
struct _ternDomainObjJob {
    char *name;         /* NULL when no job is active */
    unsigned int flags; /* ternDomainObjJobFlags of the active job */
    gint64 startedMs;   /* ternMonotonicMs() at begin */
    ternDomainObjJobAllowsFunc allows; /* a long job's: what may run alongside; NULL: nothing */
};

struct _ternDomainObj {
    GMutex lock;
    gint refs;     /* atomic */
    GCond jobCond; /* signalled when the job slot frees up */

    ternDomainDef *def;    /* the live definition; the persistent one when inactive */
    ternDomainDef *newDef; /* while active: the persistent config, NULL if none */
    int state;             /* ternDomainState */
    int reason;            /* the reason enum of @state */
    int id;                /* the running id (== def->id), -1 when inactive */
    bool persistent;
    bool autostart;
    bool removed; /* taken out of its list; holders must drop it */

    ternDomainObjJob job;

    void *privateData;                   /* the driver's; see ternDomainObjPrivateCallbacks */
    void (*privateDataFree)(void *priv); /* called on @privateData by the last unref */
};

/* What a driver keeps per domain: created with each object, freed with it. */
typedef struct _ternDomainObjPrivateCallbacks ternDomainObjPrivateCallbacks;
struct _ternDomainObjPrivateCallbacks {
    void *(*alloc)(void);     /* may be NULL: privateData stays NULL */
    void (*free)(void *priv); /* may be NULL */
};

/**
 * ternDomainObjRef: take one more reference on @obj. Returns @obj.
 */
ternDomainObj *ternDomainObjRef(ternDomainObj *obj);

/**
 * ternDomainObjUnref: drop one reference; the last one frees the object,
 * its definitions and its private data. Accepts NULL. Returns NULL.
 */
ternDomainObj *ternDomainObjUnref(ternDomainObj *obj);

/** ternDomainObjLock / ternDomainObjUnlock: take / release @obj->lock. May block. */
void ternDomainObjLock(ternDomainObj *obj);
void ternDomainObjUnlock(ternDomainObj *obj);

/**
 * ternDomainObjEndAPI: unlock *@obj, drop the reference a finder gave, and
 * set *@obj to NULL. Accepts a NULL *@obj.
 */
void ternDomainObjEndAPI(ternDomainObj **obj);

/* A locked, referenced object released by ternDomainObjEndAPI at end of scope. */
#define TERN_DOMAIN_OBJ_AUTOEND __attribute__((cleanup(ternDomainObjEndAPI))) ternDomainObj *

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainObj, ternDomainObjUnref)

/** ternDomainObjIsActive: @obj has a running id (running, paused, ...). Lock held. */
bool ternDomainObjIsActive(const ternDomainObj *obj);

/** ternDomainObjSetState: record @state and its @reason. Lock held. */
void ternDomainObjSetState(ternDomainObj *obj, int state, int reason);

/**
 * ternDomainObjGetPersistentDef: the persistent configuration of @obj
 * (@newDef while active, else @def), or NULL for a transient domain.
 * Borrowed; valid while the lock is held. Lock held.
 */
ternDomainDef *ternDomainObjGetPersistentDef(const ternDomainObj *obj);

/**
 * ternDomainObjSetDefTransient: on start, split the definitions: a
 * persistent domain keeps a copy of its config in @newDef and @def becomes
 * the live one, free to change. Does nothing for a transient domain or if
 * @newDef is already set. Fails (TERN_ERR_INTERNAL_ERROR) only if @def does
 * not validate. Lock held.
 */
bool ternDomainObjSetDefTransient(ternDomainObj *obj, GError **error);

/**
 * ternDomainObjRemoveTransientDef: on stop, undo ternDomainObjSetDefTransient:
 * the persistent config (if any) becomes @def again, with id -1. Lock held.
 */
void ternDomainObjRemoveTransientDef(ternDomainObj *obj);

/**
 * ternDomainObjBeginJob: take the job slot of @obj (lock held) for a
 * modifying operation named @jobName ("destroy", "migration out").
 * Queries need no job. If another job is active, waits up to
 * TERN_DOMAIN_OBJ_JOB_WAIT_MS for it, releasing the lock meanwhile (so the
 * caller must re-check the state after this returns). Fails with
 * TERN_ERR_OPERATION_INVALID at once if the active job is a LONG one,
 * TERN_ERR_OPERATION_TIMEOUT when the wait runs out, and
 * TERN_ERR_NO_DOMAIN if the domain was removed while waiting. Blocks.
 */
bool ternDomainObjBeginJob(ternDomainObj *obj, const char *jobName, GError **error);

/**
 * ternDomainObjBeginJobFull: as ternDomainObjBeginJob, with
 * ternDomainObjJobFlags @flags (LONG marks this job as long; NOWAIT fails at
 * once if the slot is taken) and a wait bound of @waitMs milliseconds.
 */
bool ternDomainObjBeginJobFull(ternDomainObj *obj, const char *jobName, unsigned int flags,
                               gint64 waitMs, GError **error);

/**
 * ternDomainObjJobSetAllows: the active long job (lock held) lets the jobs
 * @allows approves run alongside it (ternDomainObjBeginJobAlongside).
 * Cleared when the job ends.
 */
void ternDomainObjJobSetAllows(ternDomainObj *obj, ternDomainObjJobAllowsFunc allows);

/**
 * ternDomainObjBeginJobAlongside: as ternDomainObjBeginJob, except that
 * when the active job is a long one that allows @jobName, the caller runs
 * alongside it without the slot: *@alongside is then true, and the caller
 * must not call ternDomainObjEndJob.
 */
bool ternDomainObjBeginJobAlongside(ternDomainObj *obj, const char *jobName, bool *alongside,
                                    GError **error);

/** ternDomainObjEndJob: free the job slot and wake the waiters. Lock held; a job active. */
void ternDomainObjEndJob(ternDomainObj *obj);

/** ternDomainObjGetJob: the active job's name (borrowed, lock held), or NULL. */
const char *ternDomainObjGetJob(const ternDomainObj *obj);

/**
 * ternDomainObjMatchFilter: whether @obj (lock held) passes the
 * TERN_CONNECT_LIST_DOMAINS_* @flags. Each group (ACTIVE/INACTIVE,
 * PERSISTENT/TRANSIENT, RUNNING/PAUSED/SHUTOFF/OTHER) filters only when
 * some but not all of its bits are given; within a group bits are or-ed.
 * Unknown bits are ignored (drivers check flags first).
 */
bool ternDomainObjMatchFilter(const ternDomainObj *obj, unsigned int flags);

/* TERN_CONNECT_LIST_DOMAINS_* bits ternDomainObjMatchFilter understands. */
#define TERN_DOMAIN_OBJ_LIST_FILTERS                                                               \
    (TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE |                       \
     TERN_CONNECT_LIST_DOMAINS_PERSISTENT | TERN_CONNECT_LIST_DOMAINS_TRANSIENT |                  \
     TERN_CONNECT_LIST_DOMAINS_RUNNING | TERN_CONNECT_LIST_DOMAINS_PAUSED |                        \
     TERN_CONNECT_LIST_DOMAINS_SHUTOFF | TERN_CONNECT_LIST_DOMAINS_OTHER)

/* --- the list --- */

typedef struct _ternDomainObjList ternDomainObjList;

/**
 * ternDomainObjListNew: an empty list; objects it creates get private data
 * from @priv (may be NULL; copied). Ids start at 1. Never fails.
 */
ternDomainObjList *ternDomainObjListNew(const ternDomainObjPrivateCallbacks *priv);

/**
 * ternDomainObjListFree: drop the list's references on its objects (each
 * marked removed) and free it. Accepts NULL. No object may be locked.
 */
void ternDomainObjListFree(ternDomainObjList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainObjList, ternDomainObjListFree)

/*
 * Finders: the object, locked and with a reference for the caller
 * (ternDomainObjEndAPI), or NULL if there is none. They set no error: the
 * driver reports TERN_ERR_NO_DOMAIN in its own words and error domain. May
 * block on the object's lock. ByID finds active domains only (@id >= 0).
 */
ternDomainObj *ternDomainObjListFindByName(ternDomainObjList *list, const char *name);
ternDomainObj *ternDomainObjListFindByUUID(ternDomainObjList *list, const unsigned char *uuid);
ternDomainObj *ternDomainObjListFindByID(ternDomainObjList *list, int id);

/* What a handle needs of a domain: copied out of the list under its lock only. */
typedef struct {
    char *name; /* owned */
    unsigned char uuid[16];
    int id;
} ternDomainObjIdentity;

/**
 * ternDomainObjListGetIdentity: name, uuid and running id of the domain
 * with @name (if set), else @uuid (if set), else running id @id, taking
 * no object lock: it never waits behind a job, so the RPC loop may call it.
 * Returns false if there is no such domain.
 */
bool ternDomainObjListGetIdentity(ternDomainObjList *list, const char *name,
                                  const unsigned char *uuid, int id,
                                  ternDomainObjIdentity *ret);

typedef enum {
    /* *def is a live definition for a domain being started or migrated in:
     * refused if the domain is active; an existing persistent config is kept
     * in newDef. Without this flag *def is a persistent config (define). */
    TERN_DOMAIN_OBJ_LIST_ADD_LIVE = 1 << 0,
} ternDomainObjListAddFlags;

/**
 * ternDomainObjListAdd: add the definition *@def, or give it to the domain
 * that already has its name and uuid.
 *
 * Refused with TERN_ERR_OPERATION_FAILED if another domain has the name
 * ("domain 'X' already exists with uuid U") or the uuid ("domain 'X' is
 * already defined with uuid U"), and with TERN_ERR_OPERATION_INVALID for a
 * LIVE add to an active domain. On failure nothing changes and *@def
 * stays the caller's.
 *
 * On success *@def is stolen (set to NULL) and the object is returned
 * locked with a reference for the caller. Without LIVE the domain becomes
 * persistent: a new domain is inactive (SHUTOFF/UNKNOWN); an existing one
 * gets the definition as its persistent config (newDef if active, else
 * def). @retOldDef (may be NULL, else set on success) receives the
 * persistent config that was replaced, NULL if there was none: a driver
 * reports DEFINED/UPDATED rather than ADDED when it is non-NULL, and may
 * put it back to undo. With LIVE, a new domain is transient and inactive,
 * an existing inactive one keeps its config as newDef; either way the
 * caller then assigns an id and a state. Does not block for long.
 */
ternDomainObj *ternDomainObjListAdd(ternDomainObjList *list, ternDomainDef **def,
                                    unsigned int flags, ternDomainDef **retOldDef, GError **error);

/**
 * ternDomainObjListRemove: take @obj (locked by the caller, who keeps the
 * lock and its reference) out of the list and mark it removed. Idempotent.
 */
void ternDomainObjListRemove(ternDomainObjList *list, ternDomainObj *obj);

/**
 * ternDomainObjListAssignID: give @obj (locked, inactive) the next running
 * id and index it: sets obj->id and obj->def->id. Returns the id (>= 1).
 * Ids are never reused within a list.
 */
int ternDomainObjListAssignID(ternDomainObjList *list, ternDomainObj *obj);

/**
 * ternDomainObjListReleaseID: forget @obj's running id (locked): obj->id
 * and obj->def->id become -1. Does nothing if it has none.
 */
/**
 * ternDomainObjListRestoreID: give @obj the running id @id it had before a
 * daemon restart; later ids are assigned above it. Fails if @id is in use.
 */
bool ternDomainObjListRestoreID(ternDomainObjList *list, ternDomainObj *obj, int id,
                                GError **error);
void ternDomainObjListReleaseID(ternDomainObjList *list, ternDomainObj *obj);

/**
 * ternDomainObjListCollect: the objects passing the TERN_CONNECT_LIST_
 * DOMAINS_* @flags, sorted by name, each with a reference but NOT locked.
 * The array frees its elements with ternDomainObjUnref. Since an object
 * may change once its lock is dropped, callers that need a consistent view
 * of one object lock it and re-check. Never fails; may block on object
 * locks (one at a time, never with the list's lock held).
 */
GPtrArray *ternDomainObjListCollect(ternDomainObjList *list, unsigned int flags);

/**
 * ternDomainObjListForEach: call @cb with each object, locked, in name
 * order; stop early when @cb returns false. @cb must not add or remove
 * objects of @list other than its argument.
 */
typedef bool (*ternDomainObjListIterator)(ternDomainObj *obj, void *opaque);
void ternDomainObjListForEach(ternDomainObjList *list, ternDomainObjListIterator cb, void *opaque);

/** ternDomainObjListCount: the number of domains in @list. */
size_t ternDomainObjListCount(ternDomainObjList *list);
