/* test-domain-obj.c: live domain objects, their job slot and their list
 * (src/hypervisor/domain_obj.c) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/domain_obj.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

#define UUID1 "c7a5fdbd-edaf-9455-926a-d65c16db1801"
#define UUID2 "c7a5fdbd-edaf-9455-926a-d65c16db1802"

static ternDomainDef *
testDef(const char *name, const char *uuid, unsigned long long memKiB)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = g_strdup_printf("<domain type='test'><name>%s</name><uuid>%s</uuid>"
                                           "<memory unit='KiB'>%llu</memory><vcpu>1</vcpu>"
                                           "<os><type>hvm</type></os></domain>",
                                           name, uuid, memKiB);
    ternDomainDef *def = ternDomainDefParseString(xml, TERN_DOMAIN_DEF_PARSE_INACTIVE, &err);

    g_assert_no_error(err);
    g_assert_nonnull(def);
    return def;
}

/* Add a new persistent definition; the object comes back locked. */
static ternDomainObj *
testAdd(ternDomainObjList *list, const char *name, const char *uuid, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = testDef(name, uuid, 1024);
    ternDomainObj *obj = ternDomainObjListAdd(list, &def, flags, NULL, &err);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    g_assert_null(def);
    return obj;
}

static void
testAddFind(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    TERN_DOMAIN_OBJ_AUTOEND found = NULL;
    unsigned char uuid[TERN_UUID_RAW_LEN];

    g_assert_true(obj->persistent);
    g_assert_false(ternDomainObjIsActive(obj));
    g_assert_cmpint(obj->id, ==, -1);
    g_assert_cmpint(obj->state, ==, TERN_DOMAIN_SHUTOFF);
    g_assert_null(obj->newDef);
    g_assert_true(ternDomainObjGetPersistentDef(obj) == obj->def);
    ternDomainObjEndAPI(&obj);
    g_assert_null(obj);

    g_assert_true(ternUUIDParse(UUID1, uuid));
    found = ternDomainObjListFindByName(list, "vm1");
    g_assert_nonnull(found);
    g_assert_cmpstr(found->def->name, ==, "vm1");
    ternDomainObjEndAPI(&found);
    found = ternDomainObjListFindByUUID(list, uuid);
    g_assert_nonnull(found);
    ternDomainObjEndAPI(&found);
    g_assert_null(ternDomainObjListFindByName(list, "vm2"));
    g_assert_null(ternDomainObjListFindByName(list, NULL));
    g_assert_null(ternDomainObjListFindByID(list, -1));
    g_assert_null(ternDomainObjListFindByID(list, 1));
    g_assert_cmpuint(ternDomainObjListCount(list), ==, 1);
}

static void
testIDs(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    TERN_DOMAIN_OBJ_AUTOEND found = NULL;

    g_assert_cmpint(ternDomainObjListAssignID(list, obj), ==, 1);
    g_assert_cmpint(obj->id, ==, 1);
    g_assert_cmpint(obj->def->id, ==, 1);
    g_assert_true(ternDomainObjIsActive(obj));
    ternDomainObjUnlock(obj);
    found = ternDomainObjListFindByID(list, 1);
    g_assert_true(found == obj);
    ternDomainObjEndAPI(&found);
    ternDomainObjLock(obj);

    ternDomainObjListReleaseID(list, obj);
    g_assert_cmpint(obj->id, ==, -1);
    g_assert_cmpint(obj->def->id, ==, -1);
    ternDomainObjListReleaseID(list, obj); /* twice: nothing happens */
    ternDomainObjUnlock(obj);
    g_assert_null(ternDomainObjListFindByID(list, 1));
    ternDomainObjLock(obj);

    /* never reused */
    g_assert_cmpint(ternDomainObjListAssignID(list, obj), ==, 2);
}

static void
testRemove(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    TERN_DOMAIN_OBJ_AUTOEND again = NULL;

    ternDomainObjListAssignID(list, obj);
    ternDomainObjListRemove(list, obj);
    g_assert_true(obj->removed);
    ternDomainObjListRemove(list, obj); /* idempotent */
    /* still usable through our reference */
    g_assert_cmpstr(obj->def->name, ==, "vm1");
    ternDomainObjUnlock(obj);
    g_assert_null(ternDomainObjListFindByName(list, "vm1"));
    g_assert_null(ternDomainObjListFindByID(list, 1));
    g_assert_cmpuint(ternDomainObjListCount(list), ==, 0);
    ternDomainObjLock(obj);

    /* the name and uuid are free again */
    again = testAdd(list, "vm1", UUID1, 0);
    g_assert_true(again != obj);
    g_assert_false(again->removed);
}

static void
testConflicts(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    g_autoptr(ternDomainDef) sameName = testDef("vm1", UUID2, 1024);
    g_autoptr(ternDomainDef) sameUUID = testDef("vm2", UUID1, 1024);
    g_autoptr(GError) err = NULL;

    ternDomainObjEndAPI(&obj);

    g_assert_null(ternDomainObjListAdd(list, &sameName, 0, NULL, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "operation failed: domain 'vm1' already exists with uuid " UUID1);
    g_assert_nonnull(sameName); /* still the caller's */
    g_clear_error(&err);

    g_assert_null(ternDomainObjListAdd(list, &sameUUID, 0, NULL, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "operation failed: domain 'vm1' is already defined with uuid " UUID1);
    g_assert_nonnull(sameUUID);
    g_assert_cmpuint(ternDomainObjListCount(list), ==, 1);
}

static void
testRedefine(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    g_autoptr(ternDomainDef) def2 = testDef("vm1", UUID1, 2048);
    g_autoptr(ternDomainDef) def3 = testDef("vm1", UUID1, 4096);
    g_autoptr(ternDomainDef) old = NULL;
    g_autoptr(GError) err = NULL;
    ternDomainObj *same;

    ternDomainObjUnlock(obj);
    /* inactive: the definition is replaced, the old one handed back */
    same = ternDomainObjListAdd(list, &def2, 0, &old, &err);
    g_assert_no_error(err);
    g_assert_true(same == obj);
    g_assert_nonnull(old);
    g_assert_cmpuint(old->memory, ==, 1024);
    g_assert_cmpuint(obj->def->memory, ==, 2048);
    g_clear_pointer(&old, ternDomainDefFree);

    /* active: it becomes the persistent config, the live one stays */
    g_assert_true(ternDomainObjSetDefTransient(obj, &err));
    ternDomainObjListAssignID(list, obj);
    g_assert_nonnull(obj->newDef);
    g_assert_cmpint(obj->newDef->id, ==, -1);
    ternDomainObjUnlock(obj);
    ternDomainObjUnref(same);
    same = ternDomainObjListAdd(list, &def3, 0, &old, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(old->memory, ==, 2048);
    g_assert_cmpuint(obj->def->memory, ==, 2048);
    g_assert_cmpuint(obj->newDef->memory, ==, 4096);
    g_assert_true(ternDomainObjGetPersistentDef(obj) == obj->newDef);

    /* on stop the config becomes the definition again */
    ternDomainObjListReleaseID(list, obj);
    ternDomainObjRemoveTransientDef(obj);
    g_assert_null(obj->newDef);
    g_assert_cmpuint(obj->def->memory, ==, 4096);
    g_assert_cmpint(obj->def->id, ==, -1);
    ternDomainObjUnref(same);
}

static void
testAddLive(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND incoming = testAdd(list, "in", UUID2, TERN_DOMAIN_OBJ_LIST_ADD_LIVE);
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    g_autoptr(ternDomainDef) live = testDef("vm1", UUID1, 8192);
    g_autoptr(ternDomainDef) live2 = testDef("vm1", UUID1, 8192);
    g_autoptr(GError) err = NULL;

    /* a new domain added live is transient */
    g_assert_false(incoming->persistent);
    g_assert_null(ternDomainObjGetPersistentDef(incoming));
    ternDomainObjEndAPI(&incoming);

    /* an existing inactive persistent domain keeps its config aside */
    obj = testAdd(list, "vm1", UUID1, 0);
    ternDomainObjUnlock(obj);
    ternDomainObjUnref(obj);
    obj = ternDomainObjListAdd(list, &live, TERN_DOMAIN_OBJ_LIST_ADD_LIVE, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(obj->persistent);
    g_assert_cmpuint(obj->def->memory, ==, 8192);
    g_assert_cmpuint(obj->newDef->memory, ==, 1024);
    ternDomainObjListAssignID(list, obj);
    ternDomainObjEndAPI(&obj);

    /* but an active one refuses */
    g_assert_null(ternDomainObjListAdd(list, &live2, TERN_DOMAIN_OBJ_LIST_ADD_LIVE, NULL, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "Requested operation is not valid: domain 'vm1' is already active");
    g_assert_nonnull(live2);
}

/* A transient running domain defined: its first persistent config, nothing replaced. */
static void
testDefineTransient(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, TERN_DOMAIN_OBJ_LIST_ADD_LIVE);
    g_autoptr(ternDomainDef) config = testDef("vm1", UUID1, 4096);
    g_autoptr(ternDomainDef) old = testDef("placeholder", UUID2, 1); /* must be overwritten */
    g_autoptr(GError) err = NULL;
    ternDomainObj *same;

    g_assert_true(ternDomainObjSetDefTransient(obj, &err)); /* transient: nothing to do */
    g_assert_null(obj->newDef);
    ternDomainObjListAssignID(list, obj);
    ternDomainObjUnlock(obj);
    g_clear_pointer(&old, ternDomainDefFree);
    same = ternDomainObjListAdd(list, &config, 0, &old, &err);
    g_assert_no_error(err);
    g_assert_null(old);
    g_assert_true(obj->persistent);
    g_assert_cmpuint(obj->newDef->memory, ==, 4096);
    ternDomainObjUnref(same);
}

static void
testFilter(void)
{
    static const struct {
        int state;
        bool active;
        bool persistent;
        unsigned int flags;
        bool match;
    } cases[] = {
        {TERN_DOMAIN_RUNNING, true, true, 0, true},
        {TERN_DOMAIN_RUNNING, true, true, TERN_CONNECT_LIST_DOMAINS_ACTIVE, true},
        {TERN_DOMAIN_RUNNING, true, true, TERN_CONNECT_LIST_DOMAINS_INACTIVE, false},
        {TERN_DOMAIN_SHUTOFF, false, true, TERN_CONNECT_LIST_DOMAINS_INACTIVE, true},
        {TERN_DOMAIN_SHUTOFF, false, true,
         TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE, true},
        {TERN_DOMAIN_RUNNING, true, false, TERN_CONNECT_LIST_DOMAINS_PERSISTENT, false},
        {TERN_DOMAIN_RUNNING, true, false, TERN_CONNECT_LIST_DOMAINS_TRANSIENT, true},
        {TERN_DOMAIN_PAUSED, true, true, TERN_CONNECT_LIST_DOMAINS_RUNNING, false},
        {TERN_DOMAIN_PAUSED, true, true, TERN_CONNECT_LIST_DOMAINS_PAUSED, true},
        {TERN_DOMAIN_SHUTOFF, false, true, TERN_CONNECT_LIST_DOMAINS_SHUTOFF, true},
        {TERN_DOMAIN_CRASHED, true, true, TERN_CONNECT_LIST_DOMAINS_OTHER, true},
        {TERN_DOMAIN_CRASHED, true, true,
         TERN_CONNECT_LIST_DOMAINS_RUNNING | TERN_CONNECT_LIST_DOMAINS_PAUSED, false},
        {TERN_DOMAIN_PAUSED, true, true,
         TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_PERSISTENT |
             TERN_CONNECT_LIST_DOMAINS_PAUSED,
         true},
        {TERN_DOMAIN_PAUSED, true, false,
         TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_PERSISTENT |
             TERN_CONNECT_LIST_DOMAINS_PAUSED,
         false},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        ternDomainObj obj = {
            .state = cases[i].state,
            .id = cases[i].active ? 5 : -1,
            .persistent = cases[i].persistent,
        };
        g_test_message("case %zu", i);
        g_assert_cmpint(ternDomainObjMatchFilter(&obj, cases[i].flags), ==, cases[i].match);
    }
}

static bool
testCollectName(ternDomainObj *obj, void *opaque)
{
    GString *out = opaque;

    g_string_append_printf(out, "%s%s", out->len ? "," : "", obj->def->name);
    return strcmp(obj->def->name, "c") != 0; /* stop after "c" */
}

static void
testCollect(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    const char *names[] = {"d", "b", "a", "c"};
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) active = NULL;
    g_autoptr(GString) seen = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *uuid = g_strdup_printf("c7a5fdbd-edaf-9455-926a-d65c16db18%02zu", i);
        TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, names[i], uuid, 0);
        if (i % 2)
            ternDomainObjListAssignID(list, obj);
    }
    static const char *const sorted[] = {"a", "b", "c", "d"};

    all = ternDomainObjListCollect(list, 0);
    g_assert_cmpuint(all->len, ==, 4);
    for (guint i = 0; i < all->len; i++) {
        ternDomainObj *obj = g_ptr_array_index(all, i);
        g_assert_cmpstr(obj->def->name, ==, sorted[i]);
    }
    active = ternDomainObjListCollect(list, TERN_CONNECT_LIST_DOMAINS_ACTIVE);
    g_assert_cmpuint(active->len, ==, 2);
    g_assert_cmpstr(((ternDomainObj *)g_ptr_array_index(active, 0))->def->name, ==, "b");
    g_assert_cmpstr(((ternDomainObj *)g_ptr_array_index(active, 1))->def->name, ==, "c");

    ternDomainObjListForEach(list, testCollectName, seen);
    g_assert_cmpstr(seen->str, ==, "a,b,c");
}

/* --- private data --- */

static gint privAllocs;
static gint privFrees;

static void *
testPrivAlloc(void)
{
    g_atomic_int_inc(&privAllocs);
    return g_new0(int, 1);
}

static void
testPrivFree(void *priv)
{
    g_atomic_int_inc(&privFrees);
    g_free(priv);
}

static void
testPrivateData(void)
{
    ternDomainObjPrivateCallbacks cb = {testPrivAlloc, testPrivFree};
    ternDomainObjList *list = ternDomainObjListNew(&cb);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    ternDomainObj *held;

    g_assert_nonnull(obj->privateData);
    held = ternDomainObjRef(obj);
    ternDomainObjEndAPI(&obj);
    ternDomainObjEndAPI(&obj); /* NULL: nothing */
    ternDomainObjListFree(list);
    g_assert_cmpint(privFrees, ==, 0); /* we still hold it */
    g_assert_true(held->removed);
    ternDomainObjUnref(held);
    g_assert_cmpint(privAllocs, ==, 1);
    g_assert_cmpint(privFrees, ==, 1);
    ternDomainObjListFree(NULL);
    g_assert_null(ternDomainObjUnref(NULL));
}

/* --- jobs --- */

static void
testJobBusy(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    g_autoptr(GError) err = NULL;
    gint64 start;

    g_assert_null(ternDomainObjGetJob(obj));
    g_assert_true(ternDomainObjBeginJob(obj, "destroy", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(ternDomainObjGetJob(obj), ==, "destroy");

    g_assert_false(
        ternDomainObjBeginJobFull(obj, "suspend", TERN_DOMAIN_OBJ_JOB_NOWAIT, 1000, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "Requested operation is not valid: cannot start job 'suspend': domain 'vm1' "
                    "has a job in progress: 'destroy'");
    g_clear_error(&err);

    start = g_get_monotonic_time();
    g_assert_false(ternDomainObjBeginJobFull(obj, "suspend", 0, 50, &err));
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 50 * G_TIME_SPAN_MILLISECOND);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(err->message, ==,
                    "Timed out during operation: domain 'vm1': cannot acquire state change lock "
                    "for 'suspend' (held by 'destroy')");
    g_clear_error(&err);
    g_assert_cmpstr(ternDomainObjGetJob(obj), ==, "destroy");
    ternDomainObjEndJob(obj);
    g_assert_null(ternDomainObjGetJob(obj));

    /* a long job makes others fail at once, even those willing to wait */
    g_assert_true(
        ternDomainObjBeginJobFull(obj, "migration out", TERN_DOMAIN_OBJ_JOB_LONG, 1000, &err));
    start = g_get_monotonic_time();
    g_assert_false(ternDomainObjBeginJob(obj, "destroy", &err));
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_TIME_SPAN_SECOND);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "Requested operation is not valid: cannot start job 'destroy': domain 'vm1' "
                    "has a job in progress: 'migration out'");
    ternDomainObjEndJob(obj);
}

/* a long job that lets "destroy" run alongside it */
static bool
testAllowsDestroy(ternDomainObj *obj, const char *jobName)
{
    (void)obj;
    return g_str_equal(jobName, "destroy");
}

/* what a long job allows runs alongside it without the slot; the rest is refused at once */
static void
testJobAlongside(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    g_autoptr(GError) err = NULL;
    bool alongside = true;

    /* no job: the slot is taken as usual */
    g_assert_true(ternDomainObjBeginJobAlongside(obj, "destroy", &alongside, &err));
    g_assert_false(alongside);
    g_assert_cmpstr(ternDomainObjGetJob(obj), ==, "destroy");
    ternDomainObjEndJob(obj);

    g_assert_true(
        ternDomainObjBeginJobFull(obj, "migration out", TERN_DOMAIN_OBJ_JOB_LONG, 1000, &err));
    /* a long job allows nothing until it says so */
    g_assert_false(ternDomainObjBeginJobAlongside(obj, "destroy", &alongside, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_INVALID);
    g_clear_error(&err);
    ternDomainObjJobSetAllows(obj, testAllowsDestroy);
    g_assert_true(ternDomainObjBeginJobAlongside(obj, "destroy", &alongside, &err));
    g_assert_no_error(err);
    g_assert_true(alongside);
    g_assert_cmpstr(ternDomainObjGetJob(obj), ==, "migration out");
    g_assert_false(ternDomainObjBeginJobAlongside(obj, "suspend", &alongside, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_INVALID);
    g_clear_error(&err);
    /* what a job allowed ends with it */
    ternDomainObjEndJob(obj);
    g_assert_true(
        ternDomainObjBeginJobFull(obj, "migration in", TERN_DOMAIN_OBJ_JOB_LONG, 1000, &err));
    g_assert_false(ternDomainObjBeginJobAlongside(obj, "destroy", &alongside, &err));
    g_clear_error(&err);
    ternDomainObjEndJob(obj);
}

typedef struct {
    ternDomainObj *obj;
    gint started; /* the waiter is about to wait */
    bool got;
} testJobWaiter;

static void *
testJobWaiterThread(void *opaque)
{
    testJobWaiter *w = opaque;
    g_autoptr(GError) err = NULL;

    ternDomainObjLock(w->obj);
    g_atomic_int_set(&w->started, 1);
    w->got = ternDomainObjBeginJobFull(w->obj, "second", 0, 10000, &err);
    g_assert_no_error(err);
    ternDomainObjEndJob(w->obj);
    ternDomainObjUnlock(w->obj);
    return NULL;
}

static void
testJobWait(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    testJobWaiter w = {.obj = obj};
    g_autoptr(GError) err = NULL;
    GThread *thread;

    g_assert_true(ternDomainObjBeginJob(obj, "first", &err));
    ternDomainObjUnlock(obj);
    thread = g_thread_new("test-job", testJobWaiterThread, &w);
    /* it takes the lock, then waits releasing it: once we get the lock back
     * with started set, it is waiting for the job */
    for (;;) {
        ternDomainObjLock(obj);
        if (g_atomic_int_get(&w.started))
            break;
        ternDomainObjUnlock(obj);
        g_thread_yield();
    }
    ternDomainObjEndJob(obj);
    ternDomainObjUnlock(obj);
    g_thread_join(thread);
    ternDomainObjLock(obj);
    g_assert_true(w.got);
    g_assert_null(ternDomainObjGetJob(obj));
}

/* Removed while waiting for the job: the waiter is told the domain is gone. */
static void
testJobRemoved(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    TERN_DOMAIN_OBJ_AUTOEND obj = testAdd(list, "vm1", UUID1, 0);
    g_autoptr(GError) err = NULL;

    ternDomainObjListRemove(list, obj);
    g_assert_false(ternDomainObjBeginJob(obj, "destroy", &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_NO_DOMAIN);
}

/* --- many threads --- */

typedef struct {
    ternDomainObjList *list;
    int n;
} testListThreadData;

static void *
testListThread(void *opaque)
{
    testListThreadData *d = opaque;
    g_autofree char *name = g_strdup_printf("t%02d", d->n % 10);
    g_autofree char *uuid = g_strdup_printf("c7a5fdbd-edaf-9455-926a-d65c16db18%02d", d->n % 10);

    for (int i = 0; i < 200; i++) {
        g_autoptr(ternDomainDef) def = testDef(name, uuid, 1024 + i);
        g_autoptr(GError) err = NULL;
        TERN_DOMAIN_OBJ_AUTOEND obj = ternDomainObjListAdd(d->list, &def, 0, NULL, &err);
        TERN_DOMAIN_OBJ_AUTOEND found = NULL;
        g_autoptr(GPtrArray) all = NULL;

        g_assert_no_error(err);
        if (i % 3 == 0)
            ternDomainObjListRemove(d->list, obj);
        else if (!ternDomainObjIsActive(obj))
            ternDomainObjListAssignID(d->list, obj);
        else
            ternDomainObjListReleaseID(d->list, obj);
        ternDomainObjEndAPI(&obj);

        if ((found = ternDomainObjListFindByName(d->list, name)))
            g_assert_cmpstr(found->def->name, ==, name);
        ternDomainObjEndAPI(&found);
        all = ternDomainObjListCollect(d->list, TERN_CONNECT_LIST_DOMAINS_ACTIVE);
        g_assert_cmpuint(all->len, <=, 10);
    }
    return NULL;
}

static void
testListThreads(void)
{
    g_autoptr(ternDomainObjList) list = ternDomainObjListNew(NULL);
    testListThreadData data[20];
    GThread *threads[20];

    for (int i = 0; i < 20; i++) {
        data[i] = (testListThreadData){list, i};
        threads[i] = g_thread_new("test-list", testListThread, &data[i]);
    }
    for (int i = 0; i < 20; i++)
        g_thread_join(threads[i]);
    g_assert_cmpuint(ternDomainObjListCount(list), <=, 10);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domain-obj/list/add-find", testAddFind);
    g_test_add_func("/domain-obj/list/ids", testIDs);
    g_test_add_func("/domain-obj/list/remove", testRemove);
    g_test_add_func("/domain-obj/list/conflicts", testConflicts);
    g_test_add_func("/domain-obj/list/redefine", testRedefine);
    g_test_add_func("/domain-obj/list/add-live", testAddLive);
    g_test_add_func("/domain-obj/list/define-transient", testDefineTransient);
    g_test_add_func("/domain-obj/list/collect", testCollect);
    g_test_add_func("/domain-obj/list/threads", testListThreads);
    g_test_add_func("/domain-obj/filter", testFilter);
    g_test_add_func("/domain-obj/private-data", testPrivateData);
    g_test_add_func("/domain-obj/job/busy", testJobBusy);
    g_test_add_func("/domain-obj/job/alongside", testJobAlongside);
    g_test_add_func("/domain-obj/job/wait", testJobWait);
    g_test_add_func("/domain-obj/job/removed", testJobRemoved);
    return g_test_run();
}
