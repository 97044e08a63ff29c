/* test-migration-outcome.c: what a destination did after Finish's answer was lost */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include <glib.h>

#include "hypervisor/driver.h"
#include "hypervisor/migration_outcome.h"
#include "util/ternerror.h"

/*
 * ternMigrationAskDestination against a scripted destination (a driver of
 * this file): present or not, running or shut off, an incoming job that
 * ends after N questions or never, connections that fail to open or die.
 * The outcome decides whether a source resumes its guest, so each case
 * checks the outcome, the domain handed back, and how often it asked.
 */

#define ASK_MS 1500 /* the questions come every 500 ms: three before it gives up */

typedef struct {
    bool present;
    int state;         /* TERN_DOMAIN_RUNNING, _SHUTOFF, ... */
    int jobPolls;      /* this many job questions see the incoming job still running; -1: all */
    int openFailures;  /* this many opens fail first; -1: all */
    int lookupDrops;   /* this many lookups fail as a dropped connection would */
    /* counted */
    int opens;
    int jobQuestions;
} FakeDest;

static FakeDest dest;

static ternDomain *
fakeLookupByName(ternConnect *conn, const char *name, GError **error)
{
    static const unsigned char uuid[TERN_UUID_BUFLEN] = {1, 2, 3, 4};

    if (dest.lookupDrops > 0) {
        dest.lookupDrops--;
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "End of file while reading data: Input/output error");
        return NULL;
    }
    if (!dest.present || !g_str_equal(name, "vm1")) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_NO_DOMAIN,
                     "Domain not found: no domain with matching name '%s'", name);
        return NULL;
    }
    return ternDomainNew(conn, name, uuid, dest.state == TERN_DOMAIN_RUNNING ? 1 : -1);
}

static bool
fakeGetJobInfo(ternDomain *dom, ternDomainJobInfo *info, GError **error)
{
    (void)dom;
    (void)error;
    dest.jobQuestions++;
    memset(info, 0, sizeof(*info));
    if (dest.jobPolls < 0 || dest.jobQuestions <= dest.jobPolls)
        info->type = TERN_DOMAIN_JOB_UNBOUNDED;
    return true;
}

static bool
fakeGetState(ternDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    (void)dom;
    (void)flags;
    (void)error;
    *state = dest.state;
    *reason = 0;
    return true;
}

static const ternHypervisorDriver fakeDriver = {
    .name = "FAKE",
    .domainLookupByName = fakeLookupByName,
    .domainGetJobInfo = fakeGetJobInfo,
    .domainGetState = fakeGetState,
};

static ternConnect *
fakeOpen(const char *uri, GError **error)
{
    ternConnect *conn;

    dest.opens++;
    if (dest.openFailures != 0) {
        if (dest.openFailures > 0)
            dest.openFailures--;
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_SYSTEM_ERROR,
                     "unable to connect to server at 'b:16509': Connection refused");
        return NULL;
    }
    conn = ternConnectNew(uri, 0);
    conn->driver = &fakeDriver;
    return conn;
}

typedef struct {
    const char *name;
    FakeDest dest;
    ternMigrationOutcome want;
    const char *whyHas; /* UNKNOWN: a piece of the reason */
    int opens;          /* connections opened, 0: not checked */
    int jobQuestionsMin;
} OutcomeCase;

static const OutcomeCase cases[] = {
    {"runs", {.present = true, .state = TERN_DOMAIN_RUNNING}, TERN_MIGRATION_OUTCOME_RUNS,
     NULL, 1, 1},
    {"runs-paused", {.present = true, .state = TERN_DOMAIN_PAUSED}, TERN_MIGRATION_OUTCOME_RUNS,
     NULL, 1, 1},
    /* Finish still runs there: it waits for the job to end rather than guess */
    {"finishing", {.present = true, .state = TERN_DOMAIN_RUNNING, .jobPolls = 2},
     TERN_MIGRATION_OUTCOME_RUNS, NULL, 1, 3},
    {"discarded", {.present = false}, TERN_MIGRATION_OUTCOME_NOTHING, NULL, 1, 0},
    {"shut-off", {.present = true, .state = TERN_DOMAIN_SHUTOFF},
     TERN_MIGRATION_OUTCOME_NOTHING, NULL, 1, 1},
    {"reachable-later", {.present = true, .state = TERN_DOMAIN_RUNNING, .openFailures = 2},
     TERN_MIGRATION_OUTCOME_RUNS, NULL, 3, 1},
    {"connection-drops", {.present = true, .state = TERN_DOMAIN_RUNNING, .lookupDrops = 1},
     TERN_MIGRATION_OUTCOME_RUNS, NULL, 2, 1},
    {"unreachable", {.openFailures = -1}, TERN_MIGRATION_OUTCOME_UNKNOWN, "Connection refused",
     0, 0},
    {"never-ends", {.present = true, .state = TERN_DOMAIN_RUNNING, .jobPolls = -1},
     TERN_MIGRATION_OUTCOME_UNKNOWN, "did not end within 1 s", 1, 2},
};

static void
testOutcome(gconstpointer opaque)
{
    const OutcomeCase *c = opaque;
    g_autoptr(ternDomain) ddom = NULL;
    g_autoptr(GError) why = NULL;
    ternMigrationOutcome got;
    gint64 t0 = g_get_monotonic_time();

    dest = c->dest;
    got = ternMigrationAskDestination(fakeOpen, "qemu+tcp://b/system", "vm1", ASK_MS, &ddom,
                                      &why);
    g_test_message("%s: outcome %d after %d open(s), %d job question(s), %" G_GINT64_FORMAT
                   " ms%s%s",
                   c->name, got, dest.opens, dest.jobQuestions,
                   (g_get_monotonic_time() - t0) / 1000, why ? ": " : "",
                   why ? why->message : "");
    g_assert_cmpint(got, ==, c->want);
    if (got == TERN_MIGRATION_OUTCOME_RUNS) {
        g_assert_nonnull(ddom);
        g_assert_cmpstr(ddom->name, ==, "vm1");
    } else {
        g_assert_null(ddom);
    }
    if (c->whyHas) {
        g_assert_nonnull(why);
        g_assert_nonnull(strstr(why->message, c->whyHas));
    } else {
        g_assert_no_error(why);
    }
    if (c->opens)
        g_assert_cmpint(dest.opens, ==, c->opens);
    g_assert_cmpint(dest.jobQuestions, >=, c->jobQuestionsMin);
    /* it gives up at its deadline, not much later */
    g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, ASK_MS + 1000);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/migration-outcome/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], testOutcome);
    }
    return g_test_run();
}
