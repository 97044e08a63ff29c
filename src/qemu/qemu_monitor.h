/* qemu_monitor.h: the QMP monitor: one connection to a QEMU's control socket and its commands */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Threads and locking (docs/style.md G11):
 *
 *  - All socket I/O happens on the GMainContext given at open time, which
 *    the daemon runs on a thread of its own. A custom GSource ("qemu-monitor-
 *    <fd>") reads lines, writes queued commands and dispatches replies and
 *    events; it never blocks and never waits for QEMU.
 *  - Commands are issued from worker threads. qemuMonitorCommand() queues
 *    the command, wakes the context and blocks the CALLING thread until the
 *    reply, a timeout, EOF or a protocol error. Any number of threads may
 *    have commands in flight; replies are matched by "id" ("tern-<n>").
 *    Calling a command from the monitor's own context thread (e.g. from a
 *    callback) would deadlock and fails at once with an internal error.
 *  - Callbacks run on the context thread, without the monitor's lock held;
 *    they must not block. After qemuMonitorClose() returns, no callback is
 *    running or will run (unless Close was called from a callback itself).
 *
 * Limits (G11/G12): a QMP line (one JSON object) may be at most
 * QEMU_MONITOR_MAX_LINE bytes; a longer one, invalid JSON, a non-object, a
 * reply to an id nobody waits for or a second greeting declares the monitor
 * broken: every waiting command fails, errorNotify fires once, the socket is
 * shut down. Nothing QEMU sends can crash or hang the daemon.
 */

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

/* g_autoptr(json_object); guarded so that a later util/ JSON helper may define it too */
#ifndef TERN_JSON_OBJECT_AUTOPTR
#define TERN_JSON_OBJECT_AUTOPTR
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

/* The longest QMP line accepted, newline excluded (query-qmp-schema of 7.2 is ~210 KiB). */
#define QEMU_MONITOR_MAX_LINE (4 * 1024 * 1024)
/* How long qemuMonitorOpen keeps retrying while QEMU creates its socket. */
#define QEMU_MONITOR_CONNECT_TIMEOUT_MS 30000
/* How long a command waits for its reply when the caller passes 0. */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 60000

typedef struct _qemuMonitor qemuMonitor;

/* ---------------------------------------------------------------------------------------- */
/* enums shared with the JSON layer; every one has a string table in qemu_monitor_json.c (G6) */

/* query-status "status" (QEMU's RunState) */
typedef enum {
    QEMU_MONITOR_VM_STATUS_DEBUG,
    QEMU_MONITOR_VM_STATUS_INMIGRATE,
    QEMU_MONITOR_VM_STATUS_INTERNAL_ERROR,
    QEMU_MONITOR_VM_STATUS_IO_ERROR,
    QEMU_MONITOR_VM_STATUS_PAUSED,
    QEMU_MONITOR_VM_STATUS_POSTMIGRATE,
    QEMU_MONITOR_VM_STATUS_PRELAUNCH,
    QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE,
    QEMU_MONITOR_VM_STATUS_RESTORE_VM,
    QEMU_MONITOR_VM_STATUS_RUNNING,
    QEMU_MONITOR_VM_STATUS_SAVE_VM,
    QEMU_MONITOR_VM_STATUS_SHUTDOWN,
    QEMU_MONITOR_VM_STATUS_SUSPENDED,
    QEMU_MONITOR_VM_STATUS_WATCHDOG,
    QEMU_MONITOR_VM_STATUS_GUEST_PANICKED,
    QEMU_MONITOR_VM_STATUS_COLO,

    QEMU_MONITOR_VM_STATUS_LAST
} qemuMonitorVMStatus;

/* query-migrate "status" and the MIGRATION event (QEMU's MigrationStatus) */
typedef enum {
    QEMU_MONITOR_MIGRATION_STATUS_NONE,
    QEMU_MONITOR_MIGRATION_STATUS_SETUP,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLING,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLED,
    QEMU_MONITOR_MIGRATION_STATUS_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER,
    QEMU_MONITOR_MIGRATION_STATUS_COMPLETED,
    QEMU_MONITOR_MIGRATION_STATUS_FAILED,
    QEMU_MONITOR_MIGRATION_STATUS_COLO,
    QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_STATUS_DEVICE,
    QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG,

    QEMU_MONITOR_MIGRATION_STATUS_LAST
} qemuMonitorMigrationStatus;

/* SHUTDOWN and RESET "reason" (QEMU's ShutdownCause) */
typedef enum {
    QEMU_MONITOR_SHUTDOWN_CAUSE_NONE,
    QEMU_MONITOR_SHUTDOWN_CAUSE_HOST_ERROR,
    QEMU_MONITOR_SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    QEMU_MONITOR_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    QEMU_MONITOR_SHUTDOWN_CAUSE_HOST_SIGNAL,
    QEMU_MONITOR_SHUTDOWN_CAUSE_HOST_UI,
    QEMU_MONITOR_SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    QEMU_MONITOR_SHUTDOWN_CAUSE_GUEST_RESET,
    QEMU_MONITOR_SHUTDOWN_CAUSE_GUEST_PANIC,
    QEMU_MONITOR_SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    QEMU_MONITOR_SHUTDOWN_CAUSE_SNAPSHOT_LOAD,

    QEMU_MONITOR_SHUTDOWN_CAUSE_LAST
} qemuMonitorShutdownCause;

/* migrate-set-capabilities names (QEMU's MigrationCapability); a mask uses 1ULL << cap */
typedef enum {
    QEMU_MONITOR_MIGRATION_CAP_XBZRLE,
    QEMU_MONITOR_MIGRATION_CAP_RDMA_PIN_ALL,
    QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_BLOCKS,
    QEMU_MONITOR_MIGRATION_CAP_COMPRESS,
    QEMU_MONITOR_MIGRATION_CAP_EVENTS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
    QEMU_MONITOR_MIGRATION_CAP_RELEASE_RAM,
    QEMU_MONITOR_MIGRATION_CAP_BLOCK,
    QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH,
    QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_CAP_MULTIFD,
    QEMU_MONITOR_MIGRATION_CAP_DIRTY_BITMAPS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_BLOCKTIME,
    QEMU_MONITOR_MIGRATION_CAP_LATE_BLOCK_ACTIVATE,
    QEMU_MONITOR_MIGRATION_CAP_VALIDATE_UUID,
    QEMU_MONITOR_MIGRATION_CAP_BACKGROUND_SNAPSHOT,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_COPY_SEND,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_PREEMPT,

    QEMU_MONITOR_MIGRATION_CAP_LAST
} qemuMonitorMigrationCap;

#define QEMU_MONITOR_MIGRATION_CAP_BIT(cap) (1ULL << (cap))

/* multifd-compression (QEMU's MultiFDCompression) */
typedef enum {
    QEMU_MONITOR_MULTIFD_COMPRESSION_NONE,
    QEMU_MONITOR_MULTIFD_COMPRESSION_ZLIB,
    QEMU_MONITOR_MULTIFD_COMPRESSION_ZSTD,

    QEMU_MONITOR_MULTIFD_COMPRESSION_LAST
} qemuMonitorMultifdCompression;

/* The error classes QMP reports ("class" of an error reply). */
typedef enum {
    QEMU_MONITOR_ERROR_CLASS_GENERIC,
    QEMU_MONITOR_ERROR_CLASS_COMMAND_NOT_FOUND,
    QEMU_MONITOR_ERROR_CLASS_DEVICE_NOT_ACTIVE,
    QEMU_MONITOR_ERROR_CLASS_DEVICE_NOT_FOUND,
    QEMU_MONITOR_ERROR_CLASS_KVM_MISSING_CAP,

    QEMU_MONITOR_ERROR_CLASS_LAST
} qemuMonitorErrorClass;

const char *qemuMonitorVMStatusToString(qemuMonitorVMStatus status);
const char *qemuMonitorMigrationStatusToString(qemuMonitorMigrationStatus status);
const char *qemuMonitorShutdownCauseToString(qemuMonitorShutdownCause cause);
const char *qemuMonitorMigrationCapToString(qemuMonitorMigrationCap cap);
const char *qemuMonitorMultifdCompressionToString(qemuMonitorMultifdCompression c);
const char *qemuMonitorErrorClassToString(qemuMonitorErrorClass cls);
/* ...FromString: the value, or -1 for a string not in the table. */
int qemuMonitorVMStatusFromString(const char *str);
int qemuMonitorMigrationStatusFromString(const char *str);
int qemuMonitorShutdownCauseFromString(const char *str);
int qemuMonitorMigrationCapFromString(const char *str);
int qemuMonitorMultifdCompressionFromString(const char *str);
int qemuMonitorErrorClassFromString(const char *str);

/* ---------------------------------------------------------------------------------------- */
/* typed results of the commands tern uses (filled by the parsers of qemu_monitor_json.c) */

/* the "version" of QEMU's greeting */
typedef struct {
    unsigned int major;
    unsigned int minor;
    unsigned int micro;
    char package[128]; /* "Debian 1:7.2+dfsg-7+deb12u18+b3", maybe empty */
} qemuMonitorVersion;

/* query-status */
typedef struct {
    bool running;
    qemuMonitorVMStatus status;
} qemuMonitorStatus;

/* one element of query-cpus-fast */
typedef struct {
    unsigned int cpuIndex;
    pid_t threadId; /* the host thread running this vCPU */
    char *qomPath;
} qemuMonitorCPUInfo;

/* query-cpus-fast, ordered as QEMU returned it */
typedef struct {
    size_t ncpus;
    qemuMonitorCPUInfo *cpus;
} qemuMonitorCPUList;

void qemuMonitorCPUListFree(qemuMonitorCPUList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorCPUList, qemuMonitorCPUListFree)

/* the "ram" member of query-migrate (MigrationStats); bytes and pages unless noted */
typedef struct {
    unsigned long long transferred;
    unsigned long long remaining;
    unsigned long long total;
    unsigned long long duplicate;
    unsigned long long normal;
    unsigned long long normalBytes;
    unsigned long long dirtyPagesRate; /* pages per second */
    double mbps;                       /* megabits per second */
    unsigned long long dirtySyncCount;
    unsigned long long postcopyRequests;
    unsigned long long pageSize;
    unsigned long long multifdBytes;
    unsigned long long pagesPerSecond;
    unsigned long long precopyBytes;
    unsigned long long downtimeBytes;
    unsigned long long postcopyBytes;
} qemuMonitorMigrationRAM;

/* query-migrate (MigrationInfo); members QEMU left out have has... false. Times in ms. */
typedef struct {
    qemuMonitorMigrationStatus status; /* NONE when QEMU answered {} */
    bool hasTotalTime;
    unsigned long long totalTime;
    bool hasDowntime;
    unsigned long long downtime;
    bool hasExpectedDowntime;
    unsigned long long expectedDowntime;
    bool hasSetupTime;
    unsigned long long setupTime;
    bool hasCPUThrottlePercentage;
    unsigned long long cpuThrottlePercentage;
    bool hasRAM;
    qemuMonitorMigrationRAM ram;
    char *errorDesc; /* set when status is FAILED and QEMU said why */
} qemuMonitorMigrationStats;

/* ...Clear frees what @stats holds and zeroes it; ...Free also frees @stats. NULL-tolerant. */
void qemuMonitorMigrationStatsClear(qemuMonitorMigrationStats *stats);
void qemuMonitorMigrationStatsFree(qemuMonitorMigrationStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorMigrationStats, qemuMonitorMigrationStatsFree)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuMonitorMigrationStats, qemuMonitorMigrationStatsClear)

/*
 * migrate-set-parameters / query-migrate-parameters (MigrationParameters).
 * Each value has a has... flag: the builder sends exactly the members whose
 * flag is set, the parser sets the flag of every member QEMU returned. The
 * table in qemu_monitor_json.c names each member, its JSON type and the range
 * QEMU 7.2 accepts; the builder refuses values outside it. Strings are owned.
 */
typedef struct {
    bool hasAnnounceInitial;
    unsigned long long announceInitial; /* ms, 0..100000 */
    bool hasAnnounceMax;
    unsigned long long announceMax; /* ms, 0..100000 */
    bool hasAnnounceRounds;
    unsigned long long announceRounds; /* 0..1000 */
    bool hasAnnounceStep;
    unsigned long long announceStep; /* ms, 1..10000 */
    bool hasCompressLevel;
    unsigned long long compressLevel; /* 0..9 */
    bool hasCompressThreads;
    unsigned long long compressThreads; /* 1..255 */
    bool hasCompressWaitThread;
    bool compressWaitThread;
    bool hasDecompressThreads;
    unsigned long long decompressThreads; /* 1..255 */
    bool hasThrottleTriggerThreshold;
    unsigned long long throttleTriggerThreshold; /* percent, 1..100 */
    bool hasCPUThrottleInitial;
    unsigned long long cpuThrottleInitial; /* percent, 1..99 */
    bool hasCPUThrottleIncrement;
    unsigned long long cpuThrottleIncrement; /* percent, 1..99 */
    bool hasCPUThrottleTailslow;
    bool cpuThrottleTailslow;
    bool hasTLSCreds;
    char *tlsCreds; /* "" turns TLS off */
    bool hasTLSHostname;
    char *tlsHostname;
    bool hasTLSAuthz;
    char *tlsAuthz;
    bool hasMaxBandwidth;
    unsigned long long maxBandwidth; /* bytes per second */
    bool hasDowntimeLimit;
    unsigned long long downtimeLimit; /* ms, 0..2000000 */
    bool hasBlockIncremental;
    bool blockIncremental;
    bool hasMultifdChannels;
    unsigned long long multifdChannels; /* 1..255 */
    bool hasXbzrleCacheSize;
    unsigned long long xbzrleCacheSize; /* bytes */
    bool hasMaxPostcopyBandwidth;
    unsigned long long maxPostcopyBandwidth; /* bytes per second, 0 = unlimited */
    bool hasMaxCPUThrottle;
    unsigned long long maxCPUThrottle; /* percent, 1..99 */
    bool hasMultifdCompression;
    qemuMonitorMultifdCompression multifdCompression;
    bool hasMultifdZlibLevel;
    unsigned long long multifdZlibLevel; /* 0..9 */
    bool hasMultifdZstdLevel;
    unsigned long long multifdZstdLevel; /* 0..20 */
} qemuMonitorMigrationParams;

void qemuMonitorMigrationParamsClear(qemuMonitorMigrationParams *params);
void qemuMonitorMigrationParamsFree(qemuMonitorMigrationParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorMigrationParams, qemuMonitorMigrationParamsFree)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuMonitorMigrationParams, qemuMonitorMigrationParamsClear)

/* flags of qemuMonitorMigrate */
typedef enum {
    QEMU_MONITOR_MIGRATE_DETACH = 1 << 0, /* "detach": true (QEMU ignores it; libvirt sends it) */
    QEMU_MONITOR_MIGRATE_RESUME = 1 << 1, /* "resume": true: recover a paused postcopy */
} qemuMonitorMigrateFlags;

/* ---------------------------------------------------------------------------------------- */
/*
 * callbacks (G2): every member may be NULL. All run on the monitor's context
 * thread. eofNotify and errorNotify fire only for a monitor that opened: a
 * failure while opening is reported by qemuMonitorOpen's error instead.
 */

typedef struct {
    /* QEMU closed the socket (it exited or was killed). Fires once; not after qemuMonitorClose. */
    void (*eofNotify)(qemuMonitor *mon, void *opaque);
    /* The monitor is broken (protocol violation, oversized line, I/O error). Fires once. */
    void (*errorNotify)(qemuMonitor *mon, const GError *err, void *opaque);

    /* events; @seconds/@micros are QEMU's timestamp */
    void (*domainStop)(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque);
    void (*domainResume)(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque);
    void (*domainShutdown)(qemuMonitor *mon, bool guest, qemuMonitorShutdownCause reason,
                           long long seconds, unsigned int micros, void *opaque);
    void (*domainReset)(qemuMonitor *mon, bool guest, qemuMonitorShutdownCause reason,
                        long long seconds, unsigned int micros, void *opaque);
    void (*domainPowerdown)(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque);
    void (*migrationStatus)(qemuMonitor *mon, qemuMonitorMigrationStatus status, long long seconds,
                            unsigned int micros, void *opaque);
    void (*migrationPass)(qemuMonitor *mon, unsigned int pass, long long seconds,
                          unsigned int micros, void *opaque);
    /*
     * Every other event, and the events above whose member is NULL. @data is
     * the event's "data" as compact JSON text ("{}" when QEMU sent none);
     * borrowed for the duration of the call.
     */
    void (*domainEvent)(qemuMonitor *mon, const char *name, const char *data, long long seconds,
                        unsigned int micros, void *opaque);
} qemuMonitorCallbacks;

/* ---------------------------------------------------------------------------------------- */
/* transport */

/**
 * qemuMonitorOpen: connect to QEMU's QMP socket @socketPath, retrying for up
 * to QEMU_MONITOR_CONNECT_TIMEOUT_MS while QEMU starts, then read the
 * greeting and negotiate capabilities. I/O then runs on @ctx (which must be
 * iterated by another thread). @cb (borrowed, must outlive the monitor; may be
 * NULL) and @opaque are handed to every callback.
 * Returns a monitor the caller owns (release with qemuMonitorClose and
 * qemuMonitorUnref), or NULL with *error set. BLOCKS the calling thread: call
 * it from a worker, never from @ctx's thread.
 */
qemuMonitor *qemuMonitorOpen(const char *socketPath, const qemuMonitorCallbacks *cb, void *opaque,
                             GMainContext *ctx, GError **error);

/**
 * qemuMonitorOpenFull: qemuMonitorOpen with the connect retry bound and the
 * greeting/capabilities wait set to @timeoutMs (> 0).
 */
qemuMonitor *qemuMonitorOpenFull(const char *socketPath, int timeoutMs,
                                 const qemuMonitorCallbacks *cb, void *opaque, GMainContext *ctx,
                                 GError **error);

/**
 * qemuMonitorOpenFD: like qemuMonitorOpen on an already connected stream
 * socket @fd (tests, re-attach after a daemon restart). @fd is consumed in
 * every case: the monitor owns it on success, it is closed on failure.
 * Waits up to @timeoutMs (0: QEMU_MONITOR_DEFAULT_TIMEOUT_MS) for the
 * greeting and the capabilities reply. Blocks the calling thread.
 */
qemuMonitor *qemuMonitorOpenFD(int fd, int timeoutMs, const qemuMonitorCallbacks *cb, void *opaque,
                               GMainContext *ctx, GError **error);

/** qemuMonitorRef: take a reference; returns @mon. Thread-safe. */
qemuMonitor *qemuMonitorRef(qemuMonitor *mon);

/**
 * qemuMonitorUnref: drop a reference; returns NULL. Dropping the last
 * reference a caller holds closes the monitor (qemuMonitorClose) and frees it
 * once the loop has let go of it. NULL-tolerant. Thread-safe.
 */
qemuMonitor *qemuMonitorUnref(qemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitor, qemuMonitorUnref)

/**
 * qemuMonitorClose: stop all I/O and shut the socket down. Commands still
 * waiting fail with TERN_ERR_OPERATION_FAILED ("QEMU monitor closed: ...").
 * No callback fires after it returns (it waits for one that is running on
 * the loop thread, unless called from that callback). Idempotent; never
 * blocks on QEMU. Does not drop a reference.
 */
void qemuMonitorClose(qemuMonitor *mon);

/** qemuMonitorIsOpen: false after EOF, a protocol error or qemuMonitorClose. */
bool qemuMonitorIsOpen(qemuMonitor *mon);

/** qemuMonitorGetVersion: QEMU's version from the greeting (copied into @ret). */
void qemuMonitorGetVersion(qemuMonitor *mon, qemuMonitorVersion *ret);

/**
 * qemuMonitorCommand: send @cmd with @args (a JSON object or NULL; stolen in
 * every case) and wait up to @timeoutMs (0: the default) for the reply.
 * Returns the reply's "return" member (a new reference the caller owns; may
 * be any JSON type) or NULL with *error:
 *  - QEMU's error reply: TERN_ERR_INTERNAL_ERROR, "internal error: unable to
 *    execute QEMU command '<cmd>': <desc>" (" (<class>)" is appended for
 *    classes other than GenericError);
 *  - no reply in time: TERN_ERR_OPERATION_TIMEOUT (the monitor stays usable;
 *    a late reply is dropped);
 *  - EOF, I/O error or close: TERN_ERR_OPERATION_FAILED "... QEMU monitor
 *    closed: <why>"; protocol violation: TERN_ERR_INTERNAL_ERROR.
 * Thread-safe; BLOCKS the caller; must not be called on the monitor's context
 * thread. The call holds its own reference, so a callback (eofNotify) may drop
 * the caller's last one meanwhile. This returns raw JSON: the typed wrappers below are the API for
 * the rest of the driver.
 */
json_object *qemuMonitorCommand(qemuMonitor *mon, const char *cmd, json_object *args, int timeoutMs,
                                GError **error);

/**
 * qemuMonitorCommandFull: qemuMonitorCommand that can also pass the
 * descriptor @fd (>= 0; borrowed, duplicated while queued) with the command
 * bytes via SCM_RIGHTS, and that reports the QMP error class: when QEMU
 * answered with an error and @retErrorClass is not NULL, *retErrorClass is
 * set (to -1 for a class not in the table). On any other outcome
 * *retErrorClass is left alone.
 */
json_object *qemuMonitorCommandFull(qemuMonitor *mon, const char *cmd, json_object *args, int fd,
                                    int timeoutMs, int *retErrorClass, GError **error);

/**
 * qemuMonitorSendFD: pass @fd to QEMU under the name @fdname ("getfd"); the
 * caller keeps @fd and may close it once this returns. @fdname must not be
 * empty nor start with a digit (QEMU's rule). Blocks the caller.
 */
bool qemuMonitorSendFD(qemuMonitor *mon, const char *fdname, int fd, GError **error);

/* ---------------------------------------------------------------------------------------- */
/*
 * Typed commands: each builds its arguments and parses its reply with
 * qemu_monitor_json.c, blocks the caller like qemuMonitorCommand (default
 * timeout) and fails with that function's errors or a reply-validation error
 * (TERN_ERR_INTERNAL_ERROR naming the command and the member). Out-parameters
 * are written only on success.
 */

/** "cont": start (or resume) the vCPUs. */
bool qemuMonitorStartCPUs(qemuMonitor *mon, GError **error);
/** "stop": pause the vCPUs. */
bool qemuMonitorStopCPUs(qemuMonitor *mon, GError **error);
/** "system_powerdown": ACPI power button. */
bool qemuMonitorSystemPowerdown(qemuMonitor *mon, GError **error);
/** "system_reset": hard reset. */
bool qemuMonitorSystemReset(qemuMonitor *mon, GError **error);
/** "quit": QEMU exits; EOF follows (eofNotify fires). */
bool qemuMonitorQuit(qemuMonitor *mon, GError **error);

/** "query-status". */
bool qemuMonitorQueryStatus(qemuMonitor *mon, qemuMonitorStatus *ret, GError **error);

/** "query-cpus-fast": the vCPUs and their host thread ids; *ret is the caller's. */
bool qemuMonitorQueryCPUs(qemuMonitor *mon, qemuMonitorCPUList **ret, GError **error);

/**
 * "query-balloon": the guest's current memory in bytes. Without a balloon
 * device QEMU answers DeviceNotActive: then *retHasBalloon = false and
 * *retActual is left alone; the call succeeds.
 */
bool qemuMonitorQueryBalloon(qemuMonitor *mon, bool *retHasBalloon, unsigned long long *retActual,
                             GError **error);

/** "migrate" to @uri with QEMU_MONITOR_MIGRATE_* @flags. Returns once started. */
bool qemuMonitorMigrate(qemuMonitor *mon, const char *uri, unsigned int flags, GError **error);
/** "migrate-incoming": listen on @uri (QEMU started with -incoming defer). */
bool qemuMonitorMigrateIncoming(qemuMonitor *mon, const char *uri, GError **error);
/** "migrate_cancel". */
bool qemuMonitorMigrateCancel(qemuMonitor *mon, GError **error);
/** "migrate-start-postcopy": switch the running migration to postcopy. */
bool qemuMonitorMigrateStartPostcopy(qemuMonitor *mon, GError **error);

/**
 * "migrate-set-capabilities": for every capability bit in @which, set it to
 * its bit in @enabled (QEMU_MONITOR_MIGRATION_CAP_BIT). @which may not be 0.
 */
bool qemuMonitorMigrateSetCapabilities(qemuMonitor *mon, unsigned long long which,
                                       unsigned long long enabled, GError **error);

/**
 * "query-migrate-capabilities": the capabilities QEMU knows (*retKnown) and
 * those enabled (*retEnabled), as QEMU_MONITOR_MIGRATION_CAP_BIT masks.
 * Capabilities this build of tern does not know are ignored.
 */
bool qemuMonitorQueryMigrateCapabilities(qemuMonitor *mon, unsigned long long *retKnown,
                                         unsigned long long *retEnabled, GError **error);

/** "migrate-set-parameters": send the members of @params whose has... flag is set. */
bool qemuMonitorMigrateSetParams(qemuMonitor *mon, const qemuMonitorMigrationParams *params,
                                 GError **error);

/** "query-migrate-parameters": *ret (owned by the caller) is filled; old contents freed. */
bool qemuMonitorQueryMigrateParams(qemuMonitor *mon, qemuMonitorMigrationParams *ret,
                                   GError **error);

/** "query-migrate": *ret (owned by the caller) is filled; old contents freed. */
bool qemuMonitorQueryMigrate(qemuMonitor *mon, qemuMonitorMigrationStats *ret, GError **error);
