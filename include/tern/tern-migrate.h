/* tern-migrate.h: live migration and the job that runs it */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <tern/tern-domain.h>
#include <tern/tern-typedparams.h>

/*
 * Three migration processes exist (docs/admin/migration.md):
 *
 *  - client-managed: ternDomainMigrate/ternDomainMigrate3 without
 *    PEER2PEER. The library runs the phases itself: Begin on the source,
 *    Prepare on @dconn, Perform on the source, Finish on @dconn, Confirm on
 *    the source.
 *  - peer-to-peer: PEER2PEER (ternDomainMigrateToURI*, or ternDomainMigrate*
 *    which then uses @dconn only for its URI): the source daemon connects to
 *    the destination daemon and runs the destination phases itself;
 *    TUNNELLED carries the migration data through that connection.
 *  - direct: ternDomainMigrateToURI* without PEER2PEER: the hypervisor
 *    migrates by itself. The QEMU driver refuses it (QEMU has no daemon of
 *    its own on the destination): use PEER2PEER.
 *
 * Flag values are libvirt's, so virsh's flags reach ternd unchanged.
 */
typedef enum {
    TERN_MIGRATE_LIVE = 1 << 0,              /* keep the guest running while memory is copied */
    TERN_MIGRATE_PEER2PEER = 1 << 1,         /* the source daemon drives the destination */
    TERN_MIGRATE_TUNNELLED = 1 << 2,         /* data through the daemons' connection (P2P only) */
    TERN_MIGRATE_PERSIST_DEST = 1 << 3,      /* define the domain on the destination */
    TERN_MIGRATE_UNDEFINE_SOURCE = 1 << 4,   /* undefine it on the source on success */
    TERN_MIGRATE_PAUSED = 1 << 5,            /* leave it paused on the destination */
    TERN_MIGRATE_NON_SHARED_DISK = 1 << 6,   /* copy disks (not supported) */
    TERN_MIGRATE_NON_SHARED_INC = 1 << 7,    /* copy disks incrementally (not supported) */
    TERN_MIGRATE_CHANGE_PROTECTION = 1 << 8, /* no config change on the source meanwhile */
    TERN_MIGRATE_UNSAFE = 1 << 9,            /* skip the safety checks */
    TERN_MIGRATE_OFFLINE = 1 << 10,          /* move the definition only */
    TERN_MIGRATE_COMPRESSED = 1 << 11,       /* compress the data (xbzrle by default) */
    TERN_MIGRATE_ABORT_ON_ERROR = 1 << 12,   /* abort on an I/O error during migration */
    TERN_MIGRATE_AUTO_CONVERGE = 1 << 13,    /* throttle the guest's CPUs until it converges */
    TERN_MIGRATE_RDMA_PIN_ALL = 1 << 14,     /* RDMA only (not supported) */
    TERN_MIGRATE_POSTCOPY = 1 << 15,         /* allow switching to post-copy */
    TERN_MIGRATE_TLS = 1 << 16,              /* TLS on QEMU's data channel */
    TERN_MIGRATE_PARALLEL = 1 << 17,         /* several connections (multifd) */
    TERN_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES = 1 << 18,
    TERN_MIGRATE_POSTCOPY_RESUME = 1 << 19,  /* recover a failed post-copy (not supported) */
    TERN_MIGRATE_ZEROCOPY = 1 << 20,         /* zero-copy send (not supported) */
    /* tern's own (outside libvirt's range): migrate only if the data channel
     * is encrypted end to end; otherwise fail before touching the domain */
    TERN_MIGRATE_SECURE = 1 << 30,
} ternDomainMigrateFlags;

/* Typed-parameter names of the *3 calls (libvirt's VIR_MIGRATE_PARAM_*). */
#define TERN_MIGRATE_PARAM_URI "migrate_uri"                  /* string: QEMU's data URI */
#define TERN_MIGRATE_PARAM_DEST_NAME "destination_name"       /* string */
#define TERN_MIGRATE_PARAM_DEST_XML "destination_xml"         /* string */
#define TERN_MIGRATE_PARAM_PERSIST_XML "persistent_xml"       /* string */
#define TERN_MIGRATE_PARAM_BANDWIDTH "bandwidth"              /* ullong, MiB/s */
#define TERN_MIGRATE_PARAM_BANDWIDTH_POSTCOPY "bandwidth.postcopy" /* ullong, MiB/s */
#define TERN_MIGRATE_PARAM_GRAPHICS_URI "graphics_uri"        /* string */
#define TERN_MIGRATE_PARAM_LISTEN_ADDRESS "listen_address"    /* string */
#define TERN_MIGRATE_PARAM_MIGRATE_DISKS "migrate_disks"      /* string, repeated */
#define TERN_MIGRATE_PARAM_DISKS_PORT "disks_port"            /* int */
#define TERN_MIGRATE_PARAM_DISKS_URI "disks_uri"              /* string */
#define TERN_MIGRATE_PARAM_COMPRESSION "compression"          /* string, repeated: xbzrle, mt */
#define TERN_MIGRATE_PARAM_COMPRESSION_MT_LEVEL "compression.mt.level"       /* int */
#define TERN_MIGRATE_PARAM_COMPRESSION_MT_THREADS "compression.mt.threads"   /* int */
#define TERN_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS "compression.mt.dthreads" /* int */
#define TERN_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE "compression.xbzrle.cache" /* ullong */
#define TERN_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL "auto_converge.initial"     /* int */
#define TERN_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT "auto_converge.increment" /* int */
#define TERN_MIGRATE_PARAM_PARALLEL_CONNECTIONS "parallel.connections"       /* int */
#define TERN_MIGRATE_PARAM_TLS_DESTINATION "tls.destination"  /* string */

/* Job types (libvirt's virDomainJobType). */
typedef enum {
    TERN_DOMAIN_JOB_NONE = 0,
    TERN_DOMAIN_JOB_BOUNDED = 1,
    TERN_DOMAIN_JOB_UNBOUNDED = 2, /* a running migration */
    TERN_DOMAIN_JOB_COMPLETED = 3,
    TERN_DOMAIN_JOB_FAILED = 4,
    TERN_DOMAIN_JOB_CANCELLED = 5,
    TERN_DOMAIN_JOB_LAST
} ternDomainJobType;

/* What a job does ("operation" in the job statistics). */
typedef enum {
    TERN_DOMAIN_JOB_OPERATION_UNKNOWN = 0,
    TERN_DOMAIN_JOB_OPERATION_START = 1,
    TERN_DOMAIN_JOB_OPERATION_SAVE = 2,
    TERN_DOMAIN_JOB_OPERATION_RESTORE = 3,
    TERN_DOMAIN_JOB_OPERATION_MIGRATION_IN = 4,
    TERN_DOMAIN_JOB_OPERATION_MIGRATION_OUT = 5,
    TERN_DOMAIN_JOB_OPERATION_SNAPSHOT = 6,
} ternDomainJobOperation;

/* ternDomainGetJobInfo's answer; times in ms, sizes in bytes (libvirt's virDomainJobInfo). */
typedef struct _ternDomainJobInfo ternDomainJobInfo;
struct _ternDomainJobInfo {
    int type; /* ternDomainJobType */
    unsigned long long timeElapsed;
    unsigned long long timeRemaining;
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
};

/* ternDomainGetJobStats flags */
typedef enum {
    TERN_DOMAIN_JOB_STATS_COMPLETED = 1 << 0,      /* the last finished job, not the current */
    TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED = 1 << 1, /* do not forget it after reading */
} ternDomainGetJobStatsFlags;

/* Job statistics names and types (libvirt's VIR_DOMAIN_JOB_*). */
#define TERN_DOMAIN_JOB_OPERATION "operation"               /* int */
#define TERN_DOMAIN_JOB_TIME_ELAPSED "time_elapsed"         /* ullong, ms */
#define TERN_DOMAIN_JOB_TIME_ELAPSED_NET "time_elapsed_net" /* ullong, ms */
#define TERN_DOMAIN_JOB_TIME_REMAINING "time_remaining"     /* ullong, ms */
#define TERN_DOMAIN_JOB_DOWNTIME "downtime"                 /* ullong, ms */
#define TERN_DOMAIN_JOB_DOWNTIME_NET "downtime_net"         /* ullong, ms */
#define TERN_DOMAIN_JOB_SETUP_TIME "setup_time"             /* ullong, ms */
#define TERN_DOMAIN_JOB_DATA_TOTAL "data_total"             /* ullong, bytes */
#define TERN_DOMAIN_JOB_DATA_PROCESSED "data_processed"
#define TERN_DOMAIN_JOB_DATA_REMAINING "data_remaining"
#define TERN_DOMAIN_JOB_MEMORY_TOTAL "memory_total"
#define TERN_DOMAIN_JOB_MEMORY_PROCESSED "memory_processed"
#define TERN_DOMAIN_JOB_MEMORY_REMAINING "memory_remaining"
#define TERN_DOMAIN_JOB_MEMORY_CONSTANT "memory_constant"   /* ullong, pages */
#define TERN_DOMAIN_JOB_MEMORY_NORMAL "memory_normal"       /* ullong, pages */
#define TERN_DOMAIN_JOB_MEMORY_NORMAL_BYTES "memory_normal_bytes"
#define TERN_DOMAIN_JOB_MEMORY_BPS "memory_bps"             /* ullong, bytes/s */
#define TERN_DOMAIN_JOB_MEMORY_DIRTY_RATE "memory_dirty_rate" /* ullong, pages/s */
#define TERN_DOMAIN_JOB_MEMORY_PAGE_SIZE "memory_page_size"
#define TERN_DOMAIN_JOB_MEMORY_ITERATION "memory_iteration"
#define TERN_DOMAIN_JOB_MEMORY_POSTCOPY_REQS "memory_postcopy_requests"
#define TERN_DOMAIN_JOB_DISK_TOTAL "disk_total"
#define TERN_DOMAIN_JOB_DISK_PROCESSED "disk_processed"
#define TERN_DOMAIN_JOB_DISK_REMAINING "disk_remaining"
#define TERN_DOMAIN_JOB_DISK_BPS "disk_bps"
#define TERN_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE "auto_converge_throttle" /* int, percent */
#define TERN_DOMAIN_JOB_ERRMSG "errmsg"                     /* string */
#define TERN_DOMAIN_JOB_SUCCESS "success"                   /* boolean */

/* ternDomainMigrateSetMaxSpeed / GetMaxSpeed flags */
typedef enum {
    TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY = 1 << 0, /* the post-copy phase's limit */
} ternDomainMigrateMaxSpeedFlags;

/**
 * ternDomainMigrate: move @dom to the host of @dconn, with
 * ternDomainMigrateFlags @flags, under the new name @dname (NULL: the
 * same), QEMU's data going to @uri (NULL: the destination chooses), at
 * most @bandwidth MiB/s (0: unlimited). Returns the domain on @dconn
 * (ternDomainFree) or NULL. On failure the guest keeps running on the
 * source unless the switch-over had completed, and the error names the
 * phase that failed.
 * Since: 0.2 (virDomainMigrate)
 */
ternDomain *ternDomainMigrate(ternDomain *dom, ternConnect *dconn, unsigned long flags,
                              const char *dname, const char *uri, unsigned long bandwidth);

/**
 * ternDomainMigrate3: as ternDomainMigrate, with the TERN_MIGRATE_PARAM_*
 * typed parameters @params.
 * Since: 0.2 (virDomainMigrate3)
 */
ternDomain *ternDomainMigrate3(ternDomain *dom, ternConnect *dconn, ternTypedParameter *params,
                               unsigned int nparams, unsigned int flags);

/**
 * ternDomainMigrateToURI: migrate @dom to the daemon at @duri
 * (PEER2PEER) or, without PEER2PEER, let the hypervisor migrate it
 * directly to @duri (refused by QEMU). Returns 0 or -1.
 * Since: 0.2 (virDomainMigrateToURI)
 */
int ternDomainMigrateToURI(ternDomain *dom, const char *duri, unsigned long flags,
                           const char *dname, unsigned long bandwidth);

/**
 * ternDomainMigrateToURI3: as ternDomainMigrateToURI, with typed
 * parameters; @dconnuri is the destination daemon's URI (PEER2PEER).
 * Since: 0.2 (virDomainMigrateToURI3)
 */
int ternDomainMigrateToURI3(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                            unsigned int nparams, unsigned int flags);

/**
 * ternDomainGetJobInfo: the progress of @dom's migration job (type NONE
 * when none runs). Since: 0.2 (virDomainGetJobInfo)
 */
int ternDomainGetJobInfo(ternDomain *dom, ternDomainJobInfo *info);

/**
 * ternDomainGetJobStats: the job's statistics as typed parameters
 * (TERN_DOMAIN_JOB_*) in *@params (ternTypedParamsFree), its type in
 * *@type. COMPLETED: the last finished job's.
 * Since: 0.2 (virDomainGetJobStats)
 */
int ternDomainGetJobStats(ternDomain *dom, int *type, ternTypedParameter **params, int *nparams,
                          unsigned int flags);

/** Abort @dom's running migration. Since: 0.2 (virDomainAbortJob) */
int ternDomainAbortJob(ternDomain *dom);

/** Max downtime (ms) of @dom's migrations. Since: 0.2 (virDomainMigrateSetMaxDowntime) */
int ternDomainMigrateSetMaxDowntime(ternDomain *dom, unsigned long long downtime,
                                    unsigned int flags);
/** Since: 0.2 (virDomainMigrateGetMaxDowntime) */
int ternDomainMigrateGetMaxDowntime(ternDomain *dom, unsigned long long *downtime,
                                    unsigned int flags);
/** Max speed (MiB/s) of @dom's migrations. Since: 0.2 (virDomainMigrateSetMaxSpeed) */
int ternDomainMigrateSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags);
/** Since: 0.2 (virDomainMigrateGetMaxSpeed) */
int ternDomainMigrateGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags);

/**
 * ternDomainMigrateStartPostCopy: switch @dom's running migration, started
 * with TERN_MIGRATE_POSTCOPY, to post-copy: the guest runs on the
 * destination at once and fetches the pages it still lacks.
 * Since: 0.2 (virDomainMigrateStartPostCopy)
 */
int ternDomainMigrateStartPostCopy(ternDomain *dom, unsigned int flags);
