/* qemu_status.h: the status file of a running domain, so a restarted ternd re-attaches */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * For each running domain NAME, the runtime directory holds
 *   NAME.xml     the live domain XML (with its id)
 *   NAME.status  a key file: [domain] pid, id, state, reason, monitor, started,
 *                and while a migration runs: migration-phase, migration-incoming
 * written atomically (the XML first), removed when the domain stops. A
 * status file is input from disk: it is read through one decoder that
 * checks every field.
 */
typedef struct _qemuStatus qemuStatus;
struct _qemuStatus {
    pid_t pid;
    int id;
    int state;
    int reason;
    char *monitorPath;
    gint64 startedRealUs; /* wall clock at start, for cpu time */
    int migrationPhase;   /* qemuMigrationPhase; 0 (none) when no migration runs */
    bool migrationIncoming;
};

void qemuStatusClear(qemuStatus *st);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuStatus, qemuStatusClear)

/** qemuStatusWrite: write @liveXML then @st for domain @name in @runDir. */
bool qemuStatusWrite(const char *runDir, const char *name, const qemuStatus *st,
                     const char *liveXML, GError **error);

/** qemuStatusRead: read and check the status of @name; *retXML gets the live XML. */
bool qemuStatusRead(const char *runDir, const char *name, qemuStatus *st, char **retXML,
                    GError **error);

/** qemuStatusRemove: delete both files of @name (missing files are fine). */
void qemuStatusRemove(const char *runDir, const char *name);

/** qemuStatusList: names of the domains with a status file in @runDir. */
GPtrArray *qemuStatusList(const char *runDir);
