/* migration_outcome.h: after Finish's answer was lost, what did the destination do? */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "hypervisor/datatypes.h"

/*
 * Finish goes on at the destination when the connection that called it
 * drops: it either runs the guest or discards it, and the answer saying
 * which may be lost with that connection. Whoever drives the migration
 * must then not resume the source (the guest could run twice) before it
 * has asked the destination again.
 */
typedef enum {
    TERN_MIGRATION_OUTCOME_UNKNOWN = 0, /* cannot tell: the source must stay paused */
    TERN_MIGRATION_OUTCOME_RUNS,        /* Finish completed: the guest is on the destination */
    TERN_MIGRATION_OUTCOME_NOTHING,     /* it discarded the guest: the source may resume it */
} ternMigrationOutcome;

/* opens a new connection to the destination daemon at @uri */
typedef ternConnect *(*ternMigrationOpenFunc)(const char *uri, GError **error);

/* How long ternMigrationAskDestination keeps asking. */
#define TERN_MIGRATION_ASK_MS 30000

/**
 * ternMigrationAskDestination: ask the daemon at @uri (a new connection
 * from @open) whether it has domain @name after its incoming migration:
 * active with no job left → RUNS (*@ddom, if given, is that domain, on the
 * new connection); not there or shut off → NOTHING. While its incoming job
 * still runs, or while it cannot be reached, asks again every 500 ms, up
 * to @timeoutMs; then UNKNOWN, with @why saying what stood in the way.
 */
ternMigrationOutcome ternMigrationAskDestination(ternMigrationOpenFunc open, const char *uri,
                                                 const char *name, int timeoutMs,
                                                 ternDomain **ddom, GError **why);
