/* qemu_migration.h: live migration of QEMU domains: the phases of both parties and the job */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hypervisor/driver.h"
#include "qemu/qemu_domain.h"

/*
 * The driver methods of the migration phases and of job control: see
 * driver.h for their contracts and docs/internals/migration.md for the
 * state machine. Errors are reported in TERN_FROM_QEMU and name the phase
 * that failed ("migration failed in phase perform: ...").
 */
/*
 * qemuMigrationCheckArgs: the check every phase runs first, before it
 * touches anything: flags known, supported and not contradicting each
 * other; parameters known, of the right type and within range.
 */
bool qemuMigrationCheckArgs(ternTypedParameter *params, int nparams, unsigned int flags,
                            GError **error);

char *qemuMigrationSrcBegin(ternDomain *dom, ternTypedParameter *params, int nparams,
                            char **cookieout, int *cookieoutlen, unsigned int flags,
                            GError **error);
bool qemuMigrationDstPrepare(ternConnect *dconn, ternTypedParameter *params, int nparams,
                             const char *cookiein, int cookieinlen, char **cookieout,
                             int *cookieoutlen, char **uriout, unsigned int flags, GError **error);
bool qemuMigrationDstPrepareTunnel(ternConnect *dconn, ternNetStream **st,
                                   ternTypedParameter *params, int nparams, const char *cookiein,
                                   int cookieinlen, char **cookieout, int *cookieoutlen,
                                   unsigned int flags, GError **error);
bool qemuMigrationSrcPerform(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                             int nparams, const char *cookiein, int cookieinlen, char **cookieout,
                             int *cookieoutlen, unsigned int flags, GError **error);
ternDomain *qemuMigrationDstFinish(ternConnect *dconn, ternTypedParameter *params, int nparams,
                                   const char *cookiein, int cookieinlen, char **cookieout,
                                   int *cookieoutlen, unsigned int flags, int cancelled,
                                   GError **error);
bool qemuMigrationSrcConfirm(ternDomain *dom, ternTypedParameter *params, int nparams,
                             const char *cookiein, int cookieinlen, unsigned int flags,
                             int cancelled, GError **error);

bool qemuMigrationJobGetInfo(ternDomain *dom, ternDomainJobInfo *info, GError **error);
bool qemuMigrationJobGetStats(ternDomain *dom, int *type, ternTypedParameter **params,
                              int *nparams, unsigned int flags, GError **error);
bool qemuMigrationJobAbort(ternDomain *dom, GError **error);
bool qemuMigrationSetMaxDowntime(ternDomain *dom, unsigned long long downtime, unsigned int flags,
                                 GError **error);
bool qemuMigrationGetMaxDowntime(ternDomain *dom, unsigned long long *downtime,
                                 unsigned int flags, GError **error);
bool qemuMigrationSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags,
                              GError **error);
bool qemuMigrationGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags,
                              GError **error);
bool qemuMigrationStartPostCopy(ternDomain *dom, unsigned int flags, GError **error);

/*
 * qemuMigrationAnyConnClosed: the client connection @conn went away: undo
 * the migrations whose next phase it would have driven (the source resumes
 * a guest whose data was not sent yet; the destination kills a guest that
 * never finished). Runs the work on a thread of its own; does not block.
 */
void qemuMigrationAnyConnClosed(qemuDriver *drv, ternConnect *conn);

/*
 * qemuMigrationAnyRecover: after a daemon restart, @obj (locked, re-attached)
 * was in migration @phase: finish what the phase leaves undone so exactly
 * one copy of the guest runs (see the state machine).
 */
void qemuMigrationAnyRecover(qemuDriver *drv, ternDomainObj *obj, bool incoming,
                             qemuMigrationPhase phase);

/* Monitor events of a migration, from the events thread (object unlocked). */
void qemuMigrationHandleStatus(qemuDriver *drv, ternDomainObj *obj, int status);
void qemuMigrationHandlePass(qemuDriver *drv, ternDomainObj *obj, int pass);

/* The job's current copy in private data ends (object locked): free it. */
void qemuMigrationJobFree(qemuMigrationJob *mig);
