/* qemu_domain.h: the QEMU driver's state and what it keeps per domain */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hypervisor/domain_event.h"
#include "hypervisor/domain_obj.h"
#include "hypervisor/migration_cookie.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_monitor.h"

/*
 * Threads: RPC workers run the driver methods; one "qemu-events" thread
 * iterates @ctx, where every monitor's I/O, QMP events and the process exit
 * watches run. Locking: a method takes a job (ternDomainObjBeginJob) for
 * anything that changes a domain, holds the object lock only while it looks
 * at or changes the object, and drops it around every monitor command
 * (qemuDomainObjEnterMonitor / ExitMonitor), so the events thread, which
 * locks objects briefly, never waits behind a slow QEMU.
 */
typedef struct _qemuDriver qemuDriver;
struct _qemuDriver {
    qemuDriverConfig *cfg;
    ternDomainObjList *domains;
    ternObjectEventState *events;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
};

/*
 * The phases of a migration job (docs/internals/migration.md). The source
 * runs BEGIN3 → PERFORM3 → PERFORM3_DONE → CONFIRM3 (or
 * CONFIRM3_CANCELLED), the destination PREPARE → FINISH3. The phase is
 * written to the status file before each side effect, so a restarted
 * ternd knows what to undo; it never goes backwards.
 */
typedef enum {
    QEMU_MIGRATION_PHASE_NONE = 0,
    QEMU_MIGRATION_PHASE_BEGIN3,
    QEMU_MIGRATION_PHASE_PERFORM3,
    QEMU_MIGRATION_PHASE_PERFORM3_DONE,
    QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED,
    QEMU_MIGRATION_PHASE_CONFIRM3,
    QEMU_MIGRATION_PHASE_PREPARE,
    QEMU_MIGRATION_PHASE_FINISH3,
    QEMU_MIGRATION_PHASE_LAST
} qemuMigrationPhase;

const char *qemuMigrationPhaseToString(int phase);
int qemuMigrationPhaseFromString(const char *str);

/* A migration in progress; lives in the domain's private data while the job runs. */
typedef struct _qemuMigrationJob qemuMigrationJob;
struct _qemuMigrationJob {
    bool incoming;            /* the destination's job */
    qemuMigrationPhase phase;
    unsigned int flags;       /* TERN_MIGRATE_* */
    const void *conn;         /* identity of the connection running the phases; never used */
    gint64 startedMs;         /* ternMonotonicMs() at Begin / Prepare */
    gint64 startedRealMs;     /* wall clock at Begin / Prepare */
    int qemuStatus;           /* the last MIGRATION event's qemuMonitorMigrationStatus */
    bool postcopy;            /* QEMU switched to post-copy: the destination runs the guest */
    bool abortRequested;
    int port;                 /* destination: the reserved port, 0 if none */
    ternConnect *peer;        /* peer-to-peer source: the destination daemon (borrowed) */
    bool definedHere;         /* destination: PERSIST_DEST defined the domain in this job */
    struct _qemuMigrationTunnel *tunnel; /* tunnelled: the pump between QEMU and the stream */
    ternMigrationStats stats; /* the latest numbers */
    GCond cond;               /* broadcast (object lock held) on every status change */
};

/* The last finished migration, for job stats with COMPLETED. */
typedef struct {
    int type;      /* ternDomainJobType: COMPLETED, FAILED or CANCELLED; NONE if none */
    int operation; /* ternDomainJobOperation */
    ternMigrationStats stats;
    char *errmsg;
} qemuMigrationCompleted;

typedef struct _qemuDomainObjPrivate qemuDomainObjPrivate;
struct _qemuDomainObjPrivate {
    pid_t pid;             /* 0 when not running */
    int pidfd;             /* -1 when not running */
    GSource *exitSource;   /* watches a dup of pidfd on the events thread */
    qemuMonitor *mon;      /* one reference; NULL when not connected */
    void *monOpaque;       /* the monitor callbacks' opaque, freed after the monitor closes */
    char *monitorPath;
    char *logPath;
    gint64 startedRealUs;
    int stopReason;        /* the SHUTOFF reason to record when QEMU exits */
    int stopDetail;        /* the STOPPED event detail to send then */
    bool expectPause;      /* a STOP event is ours (suspend), not the guest's */
    bool expectResume;
    qemuMigrationJob *mig;                /* while a migration job runs */
    qemuMigrationCompleted migCompleted;  /* the last one that ended */
    unsigned long long migMaxDowntimeMs;  /* 0: QEMU's default */
    unsigned long long migMaxSpeedMiB;    /* 0: unlimited */
    unsigned long long migMaxPostcopySpeedMiB;
};

/** The driver of every QEMU connection (one per daemon); NULL before initialize. */
qemuDriver *qemuDriverGet(void);

/** qemuDriverOfConn: the driver behind a qemu:///system connection of ternd. */
qemuDriver *qemuDriverOfConn(ternConnect *conn);

/**
 * qemuDomainObjFromDomain: the object behind the handle @dom, locked and
 * referenced (ternDomainObjEndAPI), or NULL with TERN_ERR_NO_DOMAIN.
 */
ternDomainObj *qemuDomainObjFromDomain(ternDomain *dom, GError **error);

/** qemuDomainObjEnterMonitor: unlock @obj (job held) and return a reference on its monitor. */
qemuMonitor *qemuDomainObjEnterMonitor(ternDomainObj *obj, GError **error);
/** qemuDomainObjExitMonitor: drop @mon and lock @obj again. */
void qemuDomainObjExitMonitor(ternDomainObj *obj, qemuMonitor *mon);

/** qemuDomainEventLifecycle: queue a lifecycle event for @obj (locked). */
void qemuDomainEventLifecycle(qemuDriver *drv, const ternDomainObj *obj, int event, int detail);

/** qemuDomainSaveStatus: write the status file of the running @obj (locked). */
bool qemuDomainSaveStatus(qemuDriver *drv, ternDomainObj *obj, GError **error);

/** qemuDomainConfigPath: where the persistent definition of @name lives. */
char *qemuDomainConfigPath(qemuDriver *drv, const char *name);
/** qemuDomainSaveConfig: write the persistent definition @def (atomically). */
bool qemuDomainSaveConfig(qemuDriver *drv, const ternDomainDef *def, GError **error);
/** qemuDomainRemoveConfig: delete the definition and autostart link of @name. */
bool qemuDomainRemoveConfig(qemuDriver *drv, const char *name, GError **error);

/**
 * qemuDomainDefine: define the persistent domain *@def (taken on success),
 * or give an existing one it as its new config: the config file is written,
 * DEFINED/ADDED or UPDATED sent, a handle on @conn returned. Nothing
 * changes on error (a type QEMU cannot run, a name/uuid clash, a failed
 * write).
 */
ternDomain *qemuDomainDefine(qemuDriver *drv, ternConnect *conn, ternDomainDef **def,
                             GError **error);
