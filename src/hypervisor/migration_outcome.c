/* migration_outcome.c: after Finish's answer was lost, what did the destination do? */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hypervisor/driver.h"
#include "hypervisor/migration_outcome.h"
#include "util/ternerror.h"

ternMigrationOutcome
ternMigrationAskDestination(ternMigrationOpenFunc open, const char *uri, const char *name,
                            int timeoutMs, ternDomain **ddom, GError **why)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    g_autoptr(ternConnect) conn = NULL;
    g_autoptr(GError) err = NULL;

    for (;; g_usleep(500 * 1000)) {
        g_autoptr(ternDomain) dom = NULL;
        ternDomainJobInfo info = {0};
        int state = 0, reason = 0;

        if (g_get_monotonic_time() > deadline) {
            if (!err)
                ternErrorSet(&err, TERN_FROM_NONE, TERN_ERR_OPERATION_TIMEOUT,
                             "its incoming migration of '%s' did not end within %d s", name,
                             timeoutMs / 1000);
            g_propagate_error(why, g_steal_pointer(&err));
            return TERN_MIGRATION_OUTCOME_UNKNOWN;
        }
        g_clear_error(&err);
        if (!conn && !(conn = open(uri, &err)))
            continue;
        if (!conn->driver->domainLookupByName || !conn->driver->domainGetJobInfo ||
            !conn->driver->domainGetState) {
            ternErrorSet(why, TERN_FROM_NONE, TERN_ERR_NO_SUPPORT,
                         "'%s' cannot be asked about its domains", uri);
            return TERN_MIGRATION_OUTCOME_UNKNOWN;
        }
        if (!(dom = conn->driver->domainLookupByName(conn, name, &err))) {
            if (ternErrorCodeOf(err) == TERN_ERR_NO_DOMAIN)
                return TERN_MIGRATION_OUTCOME_NOTHING;
            g_clear_pointer(&conn, ternConnectUnrefInternal);
            continue;
        }
        if (!conn->driver->domainGetJobInfo(dom, &info, &err) ||
            !conn->driver->domainGetState(dom, &state, &reason, 0, &err)) {
            g_clear_pointer(&conn, ternConnectUnrefInternal);
            continue;
        }
        if (info.type != TERN_DOMAIN_JOB_NONE)
            continue; /* Finish (or the discard) still runs there */
        if (state == TERN_DOMAIN_SHUTOFF)
            return TERN_MIGRATION_OUTCOME_NOTHING;
        if (ddom)
            *ddom = g_steal_pointer(&dom);
        return TERN_MIGRATION_OUTCOME_RUNS;
    }
}
