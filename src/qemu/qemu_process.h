/* qemu_process.h: starting, watching, stopping and re-attaching QEMU processes */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "qemu/qemu_domain.h"

/*
 * qemuProcessStart: start QEMU for the inactive @obj (locked, job held):
 * build the command line, spawn QEMU paused (-S) as our own child with its
 * output in the domain log, connect the monitor, resume the CPUs unless
 * TERN_DOMAIN_START_PAUSED, write the status file, send STARTED/BOOTED.
 * On failure QEMU is killed, nothing is left behind, and the error carries
 * the end of the QEMU log. Drops and retakes the object lock while it waits.
 */
bool qemuProcessStart(qemuDriver *drv, ternDomainObj *obj, unsigned int flags, GError **error);

/*
 * qemuProcessStartIncoming: as qemuProcessStart, for a guest migrating in:
 * QEMU waits with -incoming defer (the caller sends migrate-incoming), the
 * domain is PAUSED/MIGRATION and STARTED/MIGRATED is sent.
 */
bool qemuProcessStartIncoming(qemuDriver *drv, ternDomainObj *obj, GError **error);

/*
 * qemuProcessKill: make the running @obj's QEMU exit (locked, job held):
 * SIGTERM, then SIGKILL if it is still there after @graceMs, and wait until
 * it is gone; the domain is then shut off with @reason / event @detail.
 */
bool qemuProcessKill(qemuDriver *drv, ternDomainObj *obj, int reason, int detail, int graceMs,
                     GError **error);

/*
 * qemuProcessStopLocked: the running @obj's QEMU is gone: release its
 * monitor, status files and id, set SHUTOFF/@reason, send STOPPED/@detail,
 * drop a transient domain. Idempotent.
 */
void qemuProcessStopLocked(qemuDriver *drv, ternDomainObj *obj, int reason, int detail);

/*
 * qemuProcessWaitExit: wait up to @timeoutMs for the running @obj (locked,
 * job held) to shut off. Returns true if it did.
 */
bool qemuProcessWaitExit(qemuDriver *drv, ternDomainObj *obj, int timeoutMs);

/*
 * qemuProcessReconnectAll: at daemon start, re-attach to every QEMU the
 * status files name; a QEMU that died meanwhile is recorded as crashed.
 */
void qemuProcessReconnectAll(qemuDriver *drv);

/** qemuProcessDetachAll: at daemon stop: close monitors, leave every QEMU running. */
void qemuProcessDetachAll(qemuDriver *drv);
