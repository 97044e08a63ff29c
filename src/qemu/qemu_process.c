/* qemu_process.c: starting, watching, stopping and re-attaching QEMU processes */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_status.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/* How much of the end of the QEMU log a start failure quotes. */
#define QEMU_PROCESS_LOG_TAIL 2048
/* How long a start waits for QEMU's monitor socket to appear. */
#define QEMU_PROCESS_SOCKET_WAIT_MS 30000

/* --- small helpers --- */

static int
qemuPidfdOpen(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* true once the process behind @pidfd has exited (within @timeoutMs) */
static bool
qemuPidfdWait(int pidfd, int timeoutMs)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    gint64 deadline = ternMonotonicMs() + timeoutMs;

    for (;;) {
        gint64 left = deadline - ternMonotonicMs();
        int rc = poll(&pfd, 1, (int)MAX(left, 0));
        if (rc > 0)
            return true;
        if (rc == 0)
            return false;
        if (errno != EINTR)
            return false;
    }
}

static char *
qemuProcessLogTail(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!path || !g_file_get_contents(path, &data, &len, NULL) || len == 0)
        return g_strdup("(no output)");
    if (len > QEMU_PROCESS_LOG_TAIL)
        return g_strstrip(g_strdup(data + len - QEMU_PROCESS_LOG_TAIL));
    return g_strstrip(g_steal_pointer(&data));
}

static void
qemuProcessChildSetup(gpointer unused)
{
    /* QEMU outlives ternd: its own session, so a signal to ternd's group spares it */
    setsid();
}

/* --- monitor events: run on the driver's events thread --- */

typedef struct {
    qemuDriver *drv;
    ternDomainObj *obj; /* one reference */
} qemuMonitorOpaque;

static void
qemuMonitorOpaqueFree(qemuMonitorOpaque *mo)
{
    ternDomainObjUnref(mo->obj);
    g_free(mo);
}

/* Why QEMU paused a guest by itself, from its run state (query-status). */
static const struct {
    qemuMonitorVMStatus status;
    int reason;
} qemuProcessPauseReasons[] = {
    {QEMU_MONITOR_VM_STATUS_IO_ERROR, TERN_DOMAIN_PAUSED_IOERROR},
    {QEMU_MONITOR_VM_STATUS_WATCHDOG, TERN_DOMAIN_PAUSED_WATCHDOG},
    /* a KVM internal error (e.g. "emulation failure") stops the guest for good */
    {QEMU_MONITOR_VM_STATUS_INTERNAL_ERROR, TERN_DOMAIN_PAUSED_CRASHED},
    {QEMU_MONITOR_VM_STATUS_GUEST_PANICKED, TERN_DOMAIN_PAUSED_CRASHED},
    {QEMU_MONITOR_VM_STATUS_SHUTDOWN, TERN_DOMAIN_PAUSED_SHUTTING_DOWN},
};

typedef struct {
    qemuDriver *drv;
    ternDomainObj *obj; /* one reference */
    qemuMonitor *mon;   /* one reference */
} qemuStopReasonJob;

/* A worker thread: the events thread must not wait for a monitor reply. */
static gpointer
qemuProcessStopReasonThread(gpointer opaque)
{
    qemuStopReasonJob *job = opaque;
    qemuMonitorStatus st = {0};
    g_autoptr(GError) err = NULL;

    if (qemuMonitorQueryStatus(job->mon, &st, &err)) {
        ternDomainObjLock(job->obj);
        for (size_t i = 0; i < G_N_ELEMENTS(qemuProcessPauseReasons); i++) {
            if (qemuProcessPauseReasons[i].status == st.status &&
                ternDomainObjIsActive(job->obj) && job->obj->state == TERN_DOMAIN_PAUSED) {
                TERN_WARN("domain '%s' was paused by QEMU: run state '%s'", job->obj->def->name,
                          qemuMonitorVMStatusToString(st.status));
                ternDomainObjSetState(job->obj, TERN_DOMAIN_PAUSED,
                                      qemuProcessPauseReasons[i].reason);
                qemuDomainSaveStatus(job->drv, job->obj, NULL);
            }
        }
        ternDomainObjUnlock(job->obj);
    }
    qemuMonitorUnref(job->mon);
    ternDomainObjUnref(job->obj);
    g_free(job);
    return NULL;
}

static void
qemuProcessHandleStop(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    ternDomainObj *obj = mo->obj;
    qemuDomainObjPrivate *priv = obj->privateData;

    ternDomainObjLock(obj);
    if (ternDomainObjIsActive(obj) && priv->mon == mon && obj->state == TERN_DOMAIN_RUNNING) {
        /* an outgoing migration stops the guest for its switch-over */
        bool migrating = priv->mig && !priv->mig->incoming && !priv->expectPause;
        if (priv->mig && !priv->mig->incoming) /* QEMU's clock: downtime ends at the resume */
            ternMigrationStatsSet(&priv->mig->stats, TERN_MIGRATION_STAT_STOPPED,
                                  (unsigned long long)seconds * 1000ULL + micros / 1000U);
        int reason = migrating           ? (priv->mig->postcopy ? TERN_DOMAIN_PAUSED_POSTCOPY
                                                                 : TERN_DOMAIN_PAUSED_MIGRATION)
                     : priv->expectPause ? TERN_DOMAIN_PAUSED_USER
                                         : TERN_DOMAIN_PAUSED_UNKNOWN;
        ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, reason);
        qemuDomainEventLifecycle(mo->drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                                 migrating ? TERN_DOMAIN_EVENT_SUSPENDED_MIGRATED
                                           : TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
        qemuDomainSaveStatus(mo->drv, obj, NULL);
        if (!priv->expectPause && !migrating) {
            /* not ours: learn why (an I/O error, a KVM internal error, ...) */
            qemuStopReasonJob *job = g_new0(qemuStopReasonJob, 1);
            job->drv = mo->drv;
            job->obj = ternDomainObjRef(obj);
            job->mon = qemuMonitorRef(mon);
            g_thread_unref(g_thread_new("qemu-stop-reason", qemuProcessStopReasonThread, job));
        }
    }
    ternDomainObjUnlock(obj);
}

static void
qemuProcessHandleResume(qemuMonitor *mon, long long seconds, unsigned int micros, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    ternDomainObj *obj = mo->obj;
    qemuDomainObjPrivate *priv = obj->privateData;

    ternDomainObjLock(obj);
    if (ternDomainObjIsActive(obj) && priv->mon == mon && obj->state == TERN_DOMAIN_PAUSED) {
        /* a migration resumes the guest: on the destination, or back on the source */
        bool migrating = priv->mig != NULL;
        int reason = !migrating            ? TERN_DOMAIN_RUNNING_UNPAUSED
                     : priv->mig->incoming ? TERN_DOMAIN_RUNNING_MIGRATED
                                           : TERN_DOMAIN_RUNNING_MIGRATION_CANCELED;
        ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, reason);
        qemuDomainEventLifecycle(mo->drv, obj, TERN_DOMAIN_EVENT_RESUMED,
                                 migrating ? TERN_DOMAIN_EVENT_RESUMED_MIGRATED
                                           : TERN_DOMAIN_EVENT_RESUMED_UNPAUSED);
        qemuDomainSaveStatus(mo->drv, obj, NULL);
    }
    ternDomainObjUnlock(obj);
}

static void
qemuProcessHandleShutdown(qemuMonitor *mon, bool guest, qemuMonitorShutdownCause reason,
                          long long seconds, unsigned int micros, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    ternDomainObj *obj = mo->obj;
    qemuDomainObjPrivate *priv = obj->privateData;

    ternDomainObjLock(obj);
    if (ternDomainObjIsActive(obj) && priv->mon == mon && priv->pid > 0) {
        /* QEMU runs with -no-shutdown: it waits for us; on_poweroff is destroy */
        if (priv->stopReason == TERN_DOMAIN_SHUTOFF_CRASHED) {
            priv->stopReason = TERN_DOMAIN_SHUTOFF_SHUTDOWN;
            priv->stopDetail = TERN_DOMAIN_EVENT_STOPPED_SHUTDOWN;
        }
        qemuDomainEventLifecycle(mo->drv, obj, TERN_DOMAIN_EVENT_SHUTDOWN,
                                 guest ? TERN_DOMAIN_EVENT_SHUTDOWN_GUEST
                                       : TERN_DOMAIN_EVENT_SHUTDOWN_HOST);
        kill(priv->pid, SIGTERM);
    }
    ternDomainObjUnlock(obj);
}

static void
qemuProcessHandleError(qemuMonitor *mon, const GError *err, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    TERN_WARN("domain '%s': QEMU monitor failed: %s", mo->obj->def->name, err->message);
}

static void
qemuProcessHandleMigrationStatus(qemuMonitor *mon, qemuMonitorMigrationStatus status,
                                 long long seconds, unsigned int micros, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    qemuMigrationHandleStatus(mo->drv, mo->obj, (int)status);
}

static void
qemuProcessHandleMigrationPass(qemuMonitor *mon, unsigned int pass, long long seconds,
                               unsigned int micros, void *opaque)
{
    qemuMonitorOpaque *mo = opaque;
    qemuMigrationHandlePass(mo->drv, mo->obj, (int)MIN(pass, (unsigned int)G_MAXINT));
}

static const qemuMonitorCallbacks qemuProcessMonitorCallbacks = {
    .errorNotify = qemuProcessHandleError,
    .migrationStatus = qemuProcessHandleMigrationStatus,
    .migrationPass = qemuProcessHandleMigrationPass,
    .domainStop = qemuProcessHandleStop,
    .domainResume = qemuProcessHandleResume,
    .domainShutdown = qemuProcessHandleShutdown,
};

/* --- the exit watch --- */

typedef struct {
    qemuDriver *drv;
    ternDomainObj *obj; /* one reference */
    pid_t pid;
    int fd; /* our own dup of the pidfd: the source polls it */
} qemuExitWatch;

static void
qemuExitWatchFree(gpointer opaque)
{
    qemuExitWatch *w = opaque;
    ternForceClose(w->fd);
    ternDomainObjUnref(w->obj);
    g_free(w);
}

static gboolean
qemuProcessExited(gint fd, GIOCondition cond, gpointer opaque)
{
    qemuExitWatch *w = opaque;
    ternDomainObj *obj = w->obj;
    qemuDomainObjPrivate *priv = obj->privateData;
    int status;

    /* reap at once if it is our child (machine-notes: never leave it to PID 1) */
    while (waitpid(w->pid, &status, WNOHANG) < 0 && errno == EINTR)
        ;
    ternDomainObjLock(obj);
    if (ternDomainObjIsActive(obj) && priv->pid == w->pid) {
        TERN_INFO("domain '%s': QEMU (pid %d) exited", obj->def->name, (int)w->pid);
        qemuProcessStopLocked(w->drv, obj, priv->stopReason, priv->stopDetail);
    }
    ternDomainObjUnlock(obj);
    return G_SOURCE_REMOVE;
}

static void
qemuProcessWatchExit(qemuDriver *drv, ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuExitWatch *w = g_new0(qemuExitWatch, 1);
    g_autofree char *name = g_strdup_printf("qemu-exit-%d", (int)priv->pid);
    GSource *src;

    w->drv = drv;
    w->obj = ternDomainObjRef(obj);
    w->pid = priv->pid;
    w->fd = fcntl(priv->pidfd, F_DUPFD_CLOEXEC, 0);
    src = g_unix_fd_source_new(w->fd, G_IO_IN);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))qemuProcessExited, w,
                          qemuExitWatchFree);
    g_source_set_name(src, name);
    g_source_attach(src, drv->ctx);
    priv->exitSource = src;
}

static void
qemuProcessUnwatchExit(ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (priv->exitSource) {
        g_source_destroy(priv->exitSource);
        g_clear_pointer(&priv->exitSource, g_source_unref);
    }
}

/* --- monitor connection --- */

static bool
qemuProcessConnectMonitor(qemuDriver *drv, ternDomainObj *obj, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitorOpaque *mo = g_new0(qemuMonitorOpaque, 1);
    g_autofree char *path = g_strdup(priv->monitorPath);
    qemuMonitor *mon;

    mo->drv = drv;
    mo->obj = ternDomainObjRef(obj);
    ternDomainObjUnlock(obj);
    mon = qemuMonitorOpenFull(path, 10000, &qemuProcessMonitorCallbacks, mo, drv->ctx, error);
    ternDomainObjLock(obj);
    if (!mon) {
        qemuMonitorOpaqueFree(mo);
        return false;
    }
    /* callbacks may use @mo until qemuMonitorClose returns: freed after that */
    priv->mon = mon;
    priv->monOpaque = mo;
    return true;
}

static void
qemuProcessCloseMonitor(ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitor *mon = g_steal_pointer(&priv->mon);
    qemuMonitorOpaque *mo = g_steal_pointer(&priv->monOpaque);

    if (!mon)
        return;
    /* Close waits for running callbacks, which may want this object's lock */
    ternDomainObjUnlock(obj);
    qemuMonitorClose(mon);
    qemuMonitorUnref(mon);
    ternDomainObjLock(obj);
    if (mo)
        qemuMonitorOpaqueFree(mo);
}

/* --- stopping --- */

void
qemuProcessStopLocked(qemuDriver *drv, ternDomainObj *obj, int reason, int detail)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (!ternDomainObjIsActive(obj) || priv->pid == 0)
        return;
    priv->pid = 0;
    if (priv->mig)
        g_cond_broadcast(&priv->mig->cond); /* a phase waiting on QEMU learns it is gone */
    qemuProcessUnwatchExit(obj);
    priv->pidfd = ternForceClose(priv->pidfd);
    qemuProcessCloseMonitor(obj);
    if (!ternDomainObjIsActive(obj))
        return; /* someone else finished the job while the lock was dropped */

    qemuStatusRemove(drv->cfg->runDir, obj->def->name);
    if (priv->monitorPath)
        unlink(priv->monitorPath);
    ternDomainObjListReleaseID(drv->domains, obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_SHUTOFF, reason);
    qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_STOPPED, detail);
    ternDomainObjRemoveTransientDef(obj);
    if (!obj->persistent)
        ternDomainObjListRemove(drv->domains, obj);
}

bool
qemuProcessWaitExit(qemuDriver *drv, ternDomainObj *obj, int timeoutMs)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    TERN_AUTOCLOSE pidfd = -1;
    pid_t pid = priv->pid;
    bool exited;

    if (!ternDomainObjIsActive(obj))
        return true;
    if ((pidfd = dup(priv->pidfd)) < 0)
        return false;
    ternDomainObjUnlock(obj);
    exited = qemuPidfdWait(pidfd, timeoutMs);
    ternDomainObjLock(obj);
    if (exited && ternDomainObjIsActive(obj) && priv->pid == pid) {
        /* the exit watch has not run yet: do its work, it will find nothing left */
        while (waitpid(pid, NULL, WNOHANG) < 0 && errno == EINTR)
            ;
        qemuProcessStopLocked(drv, obj, priv->stopReason, priv->stopDetail);
    }
    return !ternDomainObjIsActive(obj) || priv->pid != pid;
}

bool
qemuProcessKill(qemuDriver *drv, ternDomainObj *obj, int reason, int detail, int graceMs,
                GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    pid_t pid = priv->pid;

    if (!ternDomainObjIsActive(obj) || pid <= 0)
        return true;
    priv->stopReason = reason;
    priv->stopDetail = detail;
    kill(pid, SIGTERM);
    if (qemuProcessWaitExit(drv, obj, graceMs))
        return true;
    TERN_WARN("domain '%s': QEMU (pid %d) ignored SIGTERM for %d ms; killing it",
              obj->def->name, (int)pid, graceMs);
    if (priv->pid == pid)
        kill(pid, SIGKILL);
    if (qemuProcessWaitExit(drv, obj, 10000))
        return true;
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                 "failed to terminate QEMU (pid %d) of domain '%s'", (int)pid, obj->def->name);
    return false;
}

/* --- starting --- */

/* kill a QEMU that never became a running domain, and reap it */
static void
qemuProcessAbortStart(ternDomainObj *obj, pid_t pid)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    qemuProcessUnwatchExit(obj);
    qemuProcessCloseMonitor(obj);
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    priv->pid = 0;
    priv->pidfd = ternForceClose(priv->pidfd);
    if (priv->monitorPath)
        unlink(priv->monitorPath);
}

static bool
qemuProcessSpawn(qemuDriver *drv, ternDomainObj *obj, GPtrArray *argv, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    TERN_AUTOCLOSE logfd = -1;
    g_autofree char *cmdline = qemuCommandLineFormat(argv);
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *stamp = g_date_time_format(now, "%F %T");
    g_autofree char *header = NULL;
    GError *err = NULL;
    GPid pid;

    logfd = open(priv->logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logfd < 0) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno, "cannot open log file '%s'",
                           priv->logPath);
        return false;
    }
    header = g_strdup_printf("%s: starting up\n%s\n", stamp, cmdline);
    if (write(logfd, header, strlen(header)) < 0)
        TERN_WARN("cannot write to '%s': %s", priv->logPath, g_strerror(errno));

    g_ptr_array_add(argv, NULL);
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, qemuProcessChildSetup, NULL,
                                          -1, logfd, logfd, NULL, NULL, 0, &pid, NULL, NULL,
                                          NULL, &err)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "cannot start QEMU for domain '%s': %s", obj->def->name, err->message);
        g_clear_error(&err);
        return false;
    }
    priv->pid = pid;
    if ((priv->pidfd = qemuPidfdOpen(pid)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_QEMU, errno, "cannot watch QEMU (pid %d)", (int)pid);
        qemuProcessAbortStart(obj, pid);
        return false;
    }
    return true;
}

/* wait (object unlocked) for the monitor socket, failing early if QEMU dies */
static bool
qemuProcessWaitSocket(ternDomainObj *obj, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_autofree char *path = g_strdup(priv->monitorPath);
    int pidfd = priv->pidfd;
    gint64 deadline = ternMonotonicMs() + QEMU_PROCESS_SOCKET_WAIT_MS;
    bool exited = false, found = false;

    ternDomainObjUnlock(obj);
    while (ternMonotonicMs() < deadline) {
        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            found = true;
            break;
        }
        if ((exited = qemuPidfdWait(pidfd, 10)))
            break;
    }
    ternDomainObjLock(obj);
    if (found)
        return true;
    if (exited) {
        g_autofree char *tail = qemuProcessLogTail(priv->logPath);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "QEMU of domain '%s' exited during start-up: %s", obj->def->name, tail);
    } else {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_TIMEOUT,
                     "QEMU of domain '%s' did not open its monitor within %d ms",
                     obj->def->name, QEMU_PROCESS_SOCKET_WAIT_MS);
    }
    return false;
}

/*
 * A start step failed with @err (taken). If QEMU has exited meanwhile, its
 * own last words say more than the monitor's broken pipe: report those.
 */
static void
qemuProcessStartFailed(ternDomainObj *obj, GError *err, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (priv->pidfd >= 0 && qemuPidfdWait(priv->pidfd, 200)) {
        g_autofree char *tail = qemuProcessLogTail(priv->logPath);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "QEMU of domain '%s' exited during start-up: %s", obj->def->name, tail);
        g_error_free(err);
        return;
    }
    g_propagate_error(error, err);
}

static bool
qemuProcessLaunch(qemuDriver *drv, ternDomainObj *obj, unsigned int flags, bool incoming,
                  GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *monName = g_strdup_printf("%s.monitor", obj->def->name);
    g_autofree char *logName = g_strdup_printf("%s.log", obj->def->name);
    g_autofree char *pidName = g_strdup_printf("%s.pid", obj->def->name);
    qemuCommandOptions opts = {0};
    g_autoptr(GError) err = NULL;
    qemuMonitor *mon;
    pid_t pid;
    bool paused = incoming || (flags & TERN_DOMAIN_START_PAUSED);

    g_free(priv->monitorPath);
    priv->monitorPath = g_build_filename(drv->cfg->runDir, monName, NULL);
    g_free(priv->logPath);
    priv->logPath = g_build_filename(drv->cfg->logDir, logName, NULL);
    pidfile = g_build_filename(drv->cfg->runDir, pidName, NULL);
    unlink(priv->monitorPath);

    opts.emulator = drv->cfg->emulator;
    opts.monitorPath = priv->monitorPath;
    opts.pidfile = pidfile;
    opts.logDir = drv->cfg->logDir;
    opts.incomingURI = incoming ? "defer" : NULL;
    if (!(argv = qemuBuildCommandLine(obj->def, &opts, error)))
        return false;
    if (!ternDomainObjSetDefTransient(obj, error))
        return false;
    if (!qemuProcessSpawn(drv, obj, argv, error))
        goto rollback;
    pid = priv->pid;
    priv->startedRealUs = g_get_real_time();
    priv->stopReason = TERN_DOMAIN_SHUTOFF_CRASHED;
    priv->stopDetail = TERN_DOMAIN_EVENT_STOPPED_CRASHED;
    TERN_INFO("domain '%s': QEMU started, pid %d", obj->def->name, (int)pid);

    if (!qemuProcessWaitSocket(obj, error))
        goto abort;
    if (!qemuProcessConnectMonitor(drv, obj, &err)) {
        qemuProcessStartFailed(obj, g_steal_pointer(&err), error);
        goto abort;
    }
    ternDomainObjListAssignID(drv->domains, obj);
    ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_STARTING_UP);
    qemuProcessWatchExit(drv, obj);

    if (!paused) {
        priv->expectResume = true;
        if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
            goto kill;
        bool ok = qemuMonitorStartCPUs(mon, &err);
        qemuDomainObjExitMonitor(obj, mon);
        priv->expectResume = false;
        if (!ok) {
            qemuProcessStartFailed(obj, g_steal_pointer(&err), error);
            goto kill;
        }
    }
    if (!ternDomainObjIsActive(obj) || priv->pid != pid) {
        g_autofree char *tail = qemuProcessLogTail(priv->logPath);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "QEMU of domain '%s' exited during start-up: %s", obj->def->name, tail);
        return false;
    }
    if (incoming)
        ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_MIGRATION);
    else if (paused)
        ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
    else
        ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_BOOTED);
    if (!qemuDomainSaveStatus(drv, obj, error))
        goto kill;
    qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_STARTED,
                             incoming ? TERN_DOMAIN_EVENT_STARTED_MIGRATED
                                      : TERN_DOMAIN_EVENT_STARTED_BOOTED);
    if (paused && !incoming)
        qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                                 TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return true;

 abort:
    qemuProcessAbortStart(obj, pid);
    goto rollback;

 kill:
    /* it is an active domain now: stop it the normal way, quietly */
    qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_FAILED, TERN_DOMAIN_EVENT_STOPPED_FAILED, 0,
                    NULL);
    return false;

 rollback:
    ternDomainObjRemoveTransientDef(obj);
    return false;
}

bool
qemuProcessStart(qemuDriver *drv, ternDomainObj *obj, unsigned int flags, GError **error)
{
    return qemuProcessLaunch(drv, obj, flags, false, error);
}

bool
qemuProcessStartIncoming(qemuDriver *drv, ternDomainObj *obj, GError **error)
{
    return qemuProcessLaunch(drv, obj, 0, true, error);
}

/* --- re-attaching after a daemon restart --- */

/* the process @pid is the QEMU of domain @name (guards against a reused pid) */
static bool
qemuProcessIsOurs(pid_t pid, const char *name)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *data = NULL;
    g_autofree char *want = g_strdup_printf("guest=%s,", name);
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return false;
    for (gsize off = 0; off < len; off += strlen(data + off) + 1) {
        if (g_str_has_prefix(data + off, want))
            return true;
    }
    return false;
}

static void
qemuProcessReconnectOne(qemuDriver *drv, const char *name)
{
    g_auto(qemuStatus) st = {0};
    g_autofree char *xml = NULL;
    g_autoptr(ternDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMonitorStatus qs = {0};
    qemuMonitor *mon;
    int pidfd;

    if (!qemuStatusRead(drv->cfg->runDir, name, &st, &xml, &err) ||
        !(def = ternDomainDefParseString(xml, 0, &err))) {
        TERN_ERROR("cannot re-attach to domain '%s': %s", name, err->message);
        return;
    }
    if (!qemuProcessIsOurs(st.pid, name) || (pidfd = qemuPidfdOpen(st.pid)) < 0) {
        /* QEMU died while ternd was down: report it as crashed, never as a ghost */
        TERN_WARN("domain '%s': QEMU (pid %d) is gone; marking it shut off (crashed)", name,
                  (int)st.pid);
        qemuStatusRemove(drv->cfg->runDir, name);
        if ((obj = ternDomainObjListFindByName(drv->domains, name)))
            ternDomainObjSetState(obj, TERN_DOMAIN_SHUTOFF, TERN_DOMAIN_SHUTOFF_CRASHED);
        return;
    }
    if (!(obj = ternDomainObjListAdd(drv->domains, &def, TERN_DOMAIN_OBJ_LIST_ADD_LIVE, NULL,
                                     &err)) ||
        !ternDomainObjListRestoreID(drv->domains, obj, st.id, &err)) {
        TERN_ERROR("cannot re-attach to domain '%s': %s", name, err->message);
        ternForceClose(pidfd);
        return;
    }
    priv = obj->privateData;
    priv->pid = st.pid;
    priv->pidfd = pidfd;
    priv->monitorPath = g_strdup(st.monitorPath);
    priv->logPath = g_strdup_printf("%s/%s.log", drv->cfg->logDir, name);
    priv->startedRealUs = st.startedRealUs;
    priv->stopReason = TERN_DOMAIN_SHUTOFF_CRASHED;
    priv->stopDetail = TERN_DOMAIN_EVENT_STOPPED_CRASHED;
    ternDomainObjSetState(obj, st.state, st.reason);
    qemuProcessWatchExit(drv, obj);

    if (!qemuProcessConnectMonitor(drv, obj, &err)) {
        /* never kill a guest we cannot talk to: it keeps running, unmanaged */
        TERN_ERROR("domain '%s': QEMU (pid %d) runs but its monitor failed: %s", name,
                   (int)st.pid, err->message);
        return;
    }
    mon = qemuMonitorRef(priv->mon);
    ternDomainObjUnlock(obj);
    bool ok = qemuMonitorQueryStatus(mon, &qs, &err);
    ternDomainObjLock(obj);
    qemuMonitorUnref(mon);
    if (ok && ternDomainObjIsActive(obj)) {
        if (qs.running && obj->state != TERN_DOMAIN_RUNNING)
            ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_UNPAUSED);
        else if (!qs.running && obj->state == TERN_DOMAIN_RUNNING)
            ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_UNKNOWN);
        qemuDomainSaveStatus(drv, obj, NULL);
    }
    TERN_INFO("re-attached to domain '%s' (pid %d, id %d)", name, (int)st.pid, st.id);
    if (st.migrationPhase && ternDomainObjIsActive(obj)) {
        qemuMigrationAnyRecover(drv, obj, st.migrationIncoming, st.migrationPhase);
        qemuDomainSaveStatus(drv, obj, NULL);
    }
}

void
qemuProcessReconnectAll(qemuDriver *drv)
{
    g_autoptr(GPtrArray) names = qemuStatusList(drv->cfg->runDir);

    for (guint i = 0; i < names->len; i++)
        qemuProcessReconnectOne(drv, g_ptr_array_index(names, i));
}

static bool
qemuProcessDetachOne(ternDomainObj *obj, void *opaque)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    /* ternDomainObjListForEach hands @obj locked */
    qemuProcessUnwatchExit(obj);
    qemuProcessCloseMonitor(obj);
    priv->pidfd = ternForceClose(priv->pidfd);
    return true;
}

void
qemuProcessDetachAll(qemuDriver *drv)
{
    ternDomainObjListForEach(drv->domains, qemuProcessDetachOne, NULL);
}
