/* qemu_domain.h: the QEMU driver's state and what it keeps per domain */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hypervisor/domain_event.h"
#include "hypervisor/domain_obj.h"
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
};

/** The driver of every QEMU connection (one per daemon); NULL before initialize. */
qemuDriver *qemuDriverGet(void);

/** qemuDomainObjEnterMonitor: unlock @obj (job held) and return a reference on its monitor. */
qemuMonitor *qemuDomainObjEnterMonitor(ternDomainObj *obj, GError **error);
/** qemuDomainObjExitMonitor: drop @mon and lock @obj again. */
void qemuDomainObjExitMonitor(ternDomainObj *obj, qemuMonitor *mon);

/** qemuDomainEventLifecycle: queue a lifecycle event for @obj (locked). */
void qemuDomainEventLifecycle(qemuDriver *drv, const ternDomainObj *obj, int event, int detail);

/** qemuDomainSaveStatus: write the status file of the running @obj (locked). */
bool qemuDomainSaveStatus(qemuDriver *drv, ternDomainObj *obj, GError **error);
