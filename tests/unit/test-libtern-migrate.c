/* test-libtern-migrate.c: libtern's migration API: argument checks, the process choice, the v3 phases */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <tern/tern.h>

#include "testutils.h"
#include "testutilslibtern.h"

/*
 * The public API of libtern.so as an application sees it, over
 * test:///default: its driver has no migration method and answers every
 * migration feature with 0, so a call that gets past libtern's own checks
 * ends with a feature refusal or NO_SUPPORT. Each refusal below is matched
 * by its exact text, which shows where it came from.
 */

#define TEST_URI "test:///default"
#define TEST_DOM "test"

/* a peer-to-peer destination that names another host (nothing listens there) */
#define REMOTE_URI "qemu+tcp://192.0.2.2/system"

#define DIRECT_REFUSED                                                                             \
    "argument unsupported: direct migration is not supported by the source host: QEMU has no "   \
    "migration daemon of its own; use peer-to-peer migration (PEER2PEER)"

/* --- helpers --- */

typedef struct {
    ternConnect *conn;
    ternConnect *dconn;
    ternDomain *dom;
} testHosts;

static void
testHostsOpen(testHosts *h)
{
    h->conn = ternConnectOpen(TEST_URI);
    h->dconn = ternConnectOpen(TEST_URI);
    g_assert_nonnull(h->conn);
    g_assert_nonnull(h->dconn);
    h->dom = ternDomainLookupByName(h->conn, TEST_DOM);
    g_assert_nonnull(h->dom);
}

static void
testHostsClose(testHosts *h)
{
    ternDomainFree(h->dom);
    ternConnectClose(h->dconn);
    ternConnectClose(h->conn);
}

/* ternDomainMigrate3 must fail with @code and @message and return NULL. */
static void
assertMigrate3Fails(testHosts *h, ternTypedParameter *params, unsigned int nparams,
                    unsigned int flags, int code, const char *message)
{
    ternDomain *ddom = ternDomainMigrate3(h->dom, h->dconn, params, nparams, flags);

    g_assert_null(ddom);
    assertLastError(code, message);
}

static void
assertToURI3Fails(testHosts *h, const char *dconnuri, unsigned int flags, int code,
                  const char *message)
{
    g_assert_cmpint(ternDomainMigrateToURI3(h->dom, dconnuri, NULL, 0, flags), ==, -1);
    assertLastError(code, message);
}

/* the same for the older forms, ternDomainMigrate and ternDomainMigrateToURI */
static void
assertMigrateFails(testHosts *h, unsigned long flags, const char *dname, const char *uri,
                   unsigned long bandwidth, int code, const char *message)
{
    g_assert_null(ternDomainMigrate(h->dom, h->dconn, flags, dname, uri, bandwidth));
    assertLastError(code, message);
}

static void
assertToURIFails(testHosts *h, const char *duri, unsigned long flags, int code,
                 const char *message)
{
    g_assert_cmpint(ternDomainMigrateToURI(h->dom, duri, flags, NULL, 0), ==, -1);
    assertLastError(code, message);
}

/* --- flags: refused before anything is asked of a driver --- */

static void
testFlagsRefused(void)
{
    testHosts h = {0};

    testHostsOpen(&h);

    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_LIVE | (1U << 25), TERN_ERR_INVALID_ARG,
                        "invalid argument: unsupported flags (0x2000000) in function "
                        "ternDomainMigrate3");
    assertMigrate3Fails(&h, NULL, 0, 1U << 21, TERN_ERR_INVALID_ARG,
                        "invalid argument: unsupported flags (0x200000) in function "
                        "ternDomainMigrate3");
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_LIVE | TERN_MIGRATE_TUNNELLED,
                        TERN_ERR_INVALID_ARG,
                        "invalid argument: cannot perform tunnelled migration without using "
                        "peer2peer flag");
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_LIVE | TERN_MIGRATE_OFFLINE,
                        TERN_ERR_INVALID_ARG,
                        "invalid argument: Flags 'TERN_MIGRATE_LIVE' and 'TERN_MIGRATE_OFFLINE' "
                        "are mutually exclusive");
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_NON_SHARED_DISK | TERN_MIGRATE_NON_SHARED_INC,
                        TERN_ERR_INVALID_ARG,
                        "invalid argument: Flags 'TERN_MIGRATE_NON_SHARED_DISK' and "
                        "'TERN_MIGRATE_NON_SHARED_INC' are mutually exclusive");
    /* the same checks with peer-to-peer, before the destination URI is looked at */
    assertMigrate3Fails(&h, NULL, 0,
                        TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_LIVE | TERN_MIGRATE_OFFLINE,
                        TERN_ERR_INVALID_ARG,
                        "invalid argument: Flags 'TERN_MIGRATE_LIVE' and 'TERN_MIGRATE_OFFLINE' "
                        "are mutually exclusive");

    /* ternDomainMigrate takes an unsigned long: bits above 31 are unknown too */
    assertMigrateFails(&h, TERN_MIGRATE_LIVE | (1UL << 31), NULL, NULL, 0, TERN_ERR_INVALID_ARG,
                       "invalid argument: unsupported flags (0x80000000) in function "
                       "ternDomainMigrate");
    assertMigrateFails(&h, TERN_MIGRATE_TUNNELLED, "x", NULL, 0, TERN_ERR_INVALID_ARG,
                       "invalid argument: cannot perform tunnelled migration without using "
                       "peer2peer flag");

    assertToURI3Fails(&h, REMOTE_URI, TERN_MIGRATE_PEER2PEER | (1U << 29), TERN_ERR_INVALID_ARG,
                      "invalid argument: unsupported flags (0x20000000) in function "
                      "ternDomainMigrateToURI3");
    assertToURI3Fails(&h, REMOTE_URI, TERN_MIGRATE_TUNNELLED, TERN_ERR_INVALID_ARG,
                      "invalid argument: cannot perform tunnelled migration without using "
                      "peer2peer flag");
    assertToURI3Fails(&h, REMOTE_URI,
                      TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_LIVE | TERN_MIGRATE_OFFLINE,
                      TERN_ERR_INVALID_ARG,
                      "invalid argument: Flags 'TERN_MIGRATE_LIVE' and 'TERN_MIGRATE_OFFLINE' "
                      "are mutually exclusive");
    assertToURIFails(&h, REMOTE_URI, 1UL << 40, TERN_ERR_INVALID_ARG,
                     "invalid argument: unsupported flags (0x10000000000) in function "
                     "ternDomainMigrateToURI");

    testHostsClose(&h);
}

/* --- arguments --- */

static void
testArgsRefused(void)
{
    testHosts h = {0};
    ternTypedParameter bad = {.field = "bandwidth", .type = 42};
    ternConnect *ro;
    ternDomain *rodom;

    testHostsOpen(&h);

    g_assert_null(ternDomainMigrate3(NULL, h.dconn, NULL, 0, TERN_MIGRATE_LIVE));
    assertLastError(TERN_ERR_INVALID_DOMAIN, "invalid domain pointer in ternDomainMigrate3");
    g_assert_null(ternDomainMigrate3(h.dom, NULL, NULL, 0, TERN_MIGRATE_LIVE));
    assertLastError(TERN_ERR_INVALID_CONN, "invalid connection pointer in ternDomainMigrate3");
    assertMigrate3Fails(&h, NULL, 2, TERN_MIGRATE_LIVE, TERN_ERR_INVALID_ARG,
                        "invalid argument: params in ternDomainMigrate3 must not be NULL when "
                        "nparams is 2");
    assertMigrate3Fails(&h, &bad, 1, TERN_MIGRATE_LIVE, TERN_ERR_INVALID_ARG, NULL);

    /* peer-to-peer needs a destination, and one that is not this host */
    assertToURI3Fails(&h, NULL, TERN_MIGRATE_PEER2PEER, TERN_ERR_INVALID_ARG,
                      "invalid argument: dconnuri in ternDomainMigrateToURI3 must not be NULL");
    assertToURI3Fails(&h, "qemu+tcp://localhost/system", TERN_MIGRATE_PEER2PEER,
                      TERN_ERR_INVALID_ARG,
                      "invalid argument: Attempt to migrate guest to the same host: "
                      "'qemu+tcp://localhost/system' names no other host");
    assertToURI3Fails(&h, "qemu:///system", TERN_MIGRATE_PEER2PEER, TERN_ERR_INVALID_ARG,
                      "invalid argument: Attempt to migrate guest to the same host: "
                      "'qemu:///system' names no other host");
    assertToURI3Fails(&h, "qemu:///system?socket=/x", TERN_MIGRATE_PEER2PEER,
                      TERN_ERR_INVALID_ARG,
                      "invalid argument: Attempt to migrate guest to the same host: "
                      "'qemu:///system?socket=/x' names no other host");
    /* with Migrate3, dconn's URI is the destination: test:///default is this host */
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_PEER2PEER, TERN_ERR_INVALID_ARG,
                        "invalid argument: Attempt to migrate guest to the same host: "
                        "'test:///default' names no other host");
    assertToURIFails(&h, NULL, TERN_MIGRATE_PEER2PEER, TERN_ERR_INVALID_ARG,
                     "invalid argument: duri in ternDomainMigrateToURI must not be NULL");

    /* a read-only connection at either end */
    ro = ternConnectOpenReadOnly(TEST_URI);
    g_assert_nonnull(ro);
    rodom = ternDomainLookupByName(ro, TEST_DOM);
    g_assert_nonnull(rodom);
    g_assert_null(ternDomainMigrate3(rodom, h.dconn, NULL, 0, TERN_MIGRATE_LIVE));
    assertLastError(TERN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents ternDomainMigrate3");
    g_assert_null(ternDomainMigrate3(h.dom, ro, NULL, 0, TERN_MIGRATE_LIVE));
    assertLastError(TERN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents ternDomainMigrate3");
    g_assert_cmpint(ternDomainMigrateToURI3(rodom, REMOTE_URI, NULL, 0, TERN_MIGRATE_PEER2PEER),
                    ==, -1);
    assertLastError(TERN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents ternDomainMigrateToURI3");
    g_assert_cmpint(ternDomainAbortJob(rodom), ==, -1);
    assertLastError(TERN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents ternDomainAbortJob");
    ternDomainFree(rodom);
    ternConnectClose(ro);

    testHostsClose(&h);
}

/* --- past the checks: the drivers' features decide --- */

static void
testFeaturesDecide(void)
{
    testHosts h = {0};
    ternTypedParameter *params = NULL;
    int nparams = 0;
    int maxparams = 0;

    testHostsOpen(&h);

    /* client-managed: PARAMS (13) on the source first */
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_LIVE, TERN_ERR_NO_SUPPORT,
                        "this function is not supported by the connection driver: "
                        "ternDomainMigrate3: the source host 'test:///default' does not support "
                        "migration with extensible parameters (MIGRATION_PARAMS), and libtern "
                        "implements no older migration protocol");
    assertMigrateFails(&h, TERN_MIGRATE_LIVE, "renamed", "tcp:192.0.2.2:49152", 100,
                       TERN_ERR_NO_SUPPORT,
                       "this function is not supported by the connection driver: "
                       "ternDomainMigrate: the source host 'test:///default' does not support "
                       "migration with extensible parameters (MIGRATION_PARAMS), and libtern "
                       "implements no older migration protocol");
    /* OFFLINE (12) and CHANGE_PROTECTION (7) are asked before that */
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_OFFLINE | TERN_MIGRATE_PERSIST_DEST,
                        TERN_ERR_ARGUMENT_UNSUPPORTED,
                        "argument unsupported: offline migration is not supported by the "
                        "source host");
    assertMigrate3Fails(&h, NULL, 0, TERN_MIGRATE_LIVE | TERN_MIGRATE_CHANGE_PROTECTION,
                        TERN_ERR_ARGUMENT_UNSUPPORTED,
                        "argument unsupported: cannot enforce change protection");

    /* typed parameters are copied, not judged: the daemon judges them */
    g_assert_cmpint(ternTypedParamsAddString(&params, &nparams, &maxparams,
                                             TERN_MIGRATE_PARAM_DEST_NAME, "renamed"),
                    ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddULLong(&params, &nparams, &maxparams, TERN_MIGRATE_PARAM_BANDWIDTH, 10),
        ==, 0);
    g_assert_cmpint(ternTypedParamsAddInt(&params, &nparams, &maxparams, "no.such.param", 1), ==,
                    0);
    assertMigrate3Fails(&h, params, (unsigned int)nparams, TERN_MIGRATE_LIVE,
                        TERN_ERR_NO_SUPPORT, NULL);
    ternTypedParamsFree(params, nparams);

    /* peer-to-peer: P2P (4) on the source */
    assertToURI3Fails(&h, REMOTE_URI, TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_LIVE,
                      TERN_ERR_ARGUMENT_UNSUPPORTED,
                      "argument unsupported: p2p migration is not supported by the source host");
    assertToURI3Fails(&h, "qemu+unix:///system?socket=/run/b/tern-sock",
                      TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_TUNNELLED,
                      TERN_ERR_ARGUMENT_UNSUPPORTED,
                      "argument unsupported: p2p migration is not supported by the source host");
    assertToURIFails(&h, REMOTE_URI, TERN_MIGRATE_PEER2PEER, TERN_ERR_ARGUMENT_UNSUPPORTED,
                     "argument unsupported: p2p migration is not supported by the source host");
    /* offline is asked first */
    assertToURI3Fails(&h, REMOTE_URI, TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_OFFLINE,
                      TERN_ERR_ARGUMENT_UNSUPPORTED,
                      "argument unsupported: offline migration is not supported by the source "
                      "host");

    /* direct: DIRECT (5), which QEMU never has */
    assertToURI3Fails(&h, REMOTE_URI, TERN_MIGRATE_LIVE, TERN_ERR_ARGUMENT_UNSUPPORTED,
                      DIRECT_REFUSED);
    assertToURI3Fails(&h, NULL, 0, TERN_ERR_ARGUMENT_UNSUPPORTED, DIRECT_REFUSED);
    assertToURIFails(&h, "tcp:192.0.2.2:49152", TERN_MIGRATE_LIVE, TERN_ERR_ARGUMENT_UNSUPPORTED,
                     DIRECT_REFUSED);

    testHostsClose(&h);
}

/* --- jobs: thin wrappers --- */

static void
testJobs(void)
{
    testHosts h = {0};
    ternDomainJobInfo info;
    ternTypedParameter *params = NULL;
    unsigned long long downtime = 0;
    unsigned long speed = 0;
    int nparams = 0;
    int type = 0;

    testHostsOpen(&h);

    g_assert_cmpint(ternDomainGetJobInfo(h.dom, NULL), ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG,
                    "invalid argument: info in ternDomainGetJobInfo must not be NULL");
    g_assert_cmpint(ternDomainGetJobInfo(h.dom, &info), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT,
                    "this function is not supported by the connection driver: "
                    "ternDomainGetJobInfo (driver Test)");

    g_assert_cmpint(ternDomainGetJobStats(h.dom, &type, NULL, &nparams, 0), ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG,
                    "invalid argument: params in ternDomainGetJobStats must not be NULL");
    g_assert_cmpint(ternDomainGetJobStats(h.dom, &type, &params, &nparams,
                                          TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED),
                    ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG,
                    "invalid argument: Flag 'TERN_DOMAIN_JOB_STATS_COMPLETED' is required by "
                    "flag 'TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED'");
    g_assert_cmpint(ternDomainGetJobStats(h.dom, &type, &params, &nparams,
                                          TERN_DOMAIN_JOB_STATS_COMPLETED),
                    ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT,
                    "this function is not supported by the connection driver: "
                    "ternDomainGetJobStats (driver Test)");
    g_assert_null(params);

    g_assert_cmpint(ternDomainAbortJob(NULL), ==, -1);
    assertLastError(TERN_ERR_INVALID_DOMAIN, "invalid domain pointer in ternDomainAbortJob");
    g_assert_cmpint(ternDomainAbortJob(h.dom), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT, NULL);
    g_assert_cmpint(ternDomainMigrateSetMaxDowntime(h.dom, 300, 0), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT, NULL);
    g_assert_cmpint(ternDomainMigrateGetMaxDowntime(h.dom, NULL, 0), ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
    g_assert_cmpint(ternDomainMigrateGetMaxDowntime(h.dom, &downtime, 0), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT, NULL);
    g_assert_cmpint(ternDomainMigrateSetMaxSpeed(h.dom, 100, 0), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT, NULL);
    g_assert_cmpint(ternDomainMigrateGetMaxSpeed(h.dom, &speed, 0), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT,
                    "this function is not supported by the connection driver: "
                    "ternDomainMigrateGetMaxSpeed (driver Test)");
    g_assert_cmpint(ternDomainMigrateStartPostCopy(h.dom, 0), ==, -1);
    assertLastError(TERN_ERR_NO_SUPPORT, NULL);

    testHostsClose(&h);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/migrate/flags-refused", testFlagsRefused);
    g_test_add_func("/migrate/args-refused", testArgsRefused);
    g_test_add_func("/migrate/features-decide", testFeaturesDecide);
    g_test_add_func("/migrate/jobs", testJobs);

    return g_test_run();
}
