/* test-migration-cookie.c: migration cookies encoded and decoded against tests/data/cookie */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include <glib.h>

#include "hypervisor/migration_cookie.h"
#include "util/ternerror.h"
#include "testutils.h"

/*
 * Positive cases are the table below: a cookie built in code, encoded and
 * compared with tests/data/cookie/NAME.xml, then that file decoded and
 * encoded again. Negative cases are the directory listing: each
 * fail-NAME.xml must be refused with exactly the message in fail-NAME.err.
 * Regenerate the goldens with TERN_TEST_REGENERATE=1.
 */

#define TEST_UUID "6b3c2f1e-8a4d-4e5f-9a0b-1c2d3e4f5a6b"
#define TEST_HOSTUUID "0f1e2d3c-4b5a-4697-8877-665544332211"
#define TEST_DEST_HOSTUUID "a0a1a2a3-b4b5-4c6c-9d7d-e8e9eaebeced"

/* A persistent definition as a user might write it: the cookie carries it canonical. */
static const char testDomainXML[] = "<domain type='qemu'>\n"
                                    "<name>vm1</name><uuid>" TEST_UUID "</uuid>\n"
                                    "<memory unit='MiB'>256</memory>\n"
                                    "<os><type>hvm</type></os>\n"
                                    "<devices><memballoon model='none'/></devices>\n"
                                    "</domain>\n";

typedef struct {
    const char *name;
    void (*build)(ternMigrationCookie *c);
} testCookieCase;

static void
testCookieBase(ternMigrationCookie *c)
{
    c->name = g_strdup("vm1");
    g_assert_true(ternUUIDParse(TEST_UUID, c->uuid));
    c->hostname = g_strdup("src.example");
    g_assert_true(ternUUIDParse(TEST_HOSTUUID, c->hostuuid));
}

static void
testBuildMinimal(ternMigrationCookie *c)
{
    testCookieBase(c);
}

/* Begin → Prepare: the capabilities the source will enable. */
static void
testBuildBegin(ternMigrationCookie *c)
{
    testCookieBase(c);
    c->phase = TERN_MIGRATION_COOKIE_PHASE_BEGIN;
    c->flags = TERN_MIGRATION_COOKIE_CAPABILITIES;
    c->caps = (1ULL << TERN_MIGRATION_COOKIE_CAP_AUTO_CONVERGE) |
              (1ULL << TERN_MIGRATION_COOKIE_CAP_POSTCOPY_RAM) |
              (1ULL << TERN_MIGRATION_COOKIE_CAP_XBZRLE);
}

/* Prepare → Perform: where the destination listens, multifd, an encrypted channel. */
static void
testBuildPrepare(ternMigrationCookie *c)
{
    testCookieBase(c);
    g_free(c->hostname);
    c->hostname = g_strdup("dst.example");
    g_assert_true(ternUUIDParse(TEST_DEST_HOSTUUID, c->hostuuid));
    c->phase = TERN_MIGRATION_COOKIE_PHASE_PREPARE;
    c->migrateURI = g_strdup("tcp:192.0.2.2:49152");
    c->secure = true;
    c->flags = TERN_MIGRATION_COOKIE_CAPABILITIES;
    c->caps = (1ULL << TERN_MIGRATION_COOKIE_CAP_MULTIFD) |
              (1ULL << TERN_MIGRATION_COOKIE_CAP_LATE_BLOCK_ACTIVATE);
    c->multifdChannels = 4;
}

static void
testBuildPrepareIPv6(ternMigrationCookie *c)
{
    testBuildPrepare(c);
    g_free(c->migrateURI);
    c->migrateURI = g_strdup("tcp:[2001:db8::2]:65535");
    c->secure = false;
    c->caps = 1ULL << TERN_MIGRATION_COOKIE_CAP_MULTIFD;
    c->multifdChannels = 0;
}

/* Perform → Finish: every statistic, the numbers of a real run from libvirt-wire.md §6.2. */
static void
testBuildPerform(ternMigrationCookie *c)
{
    ternMigrationStats *s = &c->stats;

    testCookieBase(c);
    c->phase = TERN_MIGRATION_COOKIE_PHASE_PERFORM;
    c->flags = TERN_MIGRATION_COOKIE_STATISTICS;
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_STARTED, 1700000000000ULL);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_STOPPED, 1700000005936ULL);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_SENT, 1700000006001ULL);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_TIME_ELAPSED, 5984);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_TIME_REMAINING, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DOWNTIME, 48);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_SETUP_TIME, 5);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_TOTAL, 134610944);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_PROCESSED, 5867929);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_REMAINING, 417792);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_TOTAL, 134610944);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_PROCESSED, 5867929);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_REMAINING, 417792);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_BPS, 1056964);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_CONSTANT, 32627);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_NORMAL, 1358);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_NORMAL_BYTES, 5562368);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_DIRTY_RATE, 259);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_ITERATION, 23);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_POSTCOPY_REQUESTS, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_PAGE_SIZE, 4096);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DISK_TOTAL, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DISK_PROCESSED, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DISK_REMAINING, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DISK_BPS, 0);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE, 100);
}

/* The largest value each unbounded statistic may have. */
static void
testBuildStatsLimits(ternMigrationCookie *c)
{
    testCookieBase(c);
    c->phase = TERN_MIGRATION_COOKIE_PHASE_FINISH;
    c->flags = TERN_MIGRATION_COOKIE_STATISTICS;
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_TIME_ELAPSED, G_MAXINT64);
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_DATA_TOTAL, G_MAXUINT64);
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_MEMORY_PAGE_SIZE, 1ULL << 30);
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE, 0);
}

/* Parts announced but empty: no statistics yet, no capabilities enabled. */
static void
testBuildEmptyParts(ternMigrationCookie *c)
{
    testCookieBase(c);
    c->phase = TERN_MIGRATION_COOKIE_PHASE_FINISH;
    c->flags = TERN_MIGRATION_COOKIE_STATISTICS | TERN_MIGRATION_COOKIE_CAPABILITIES;
}

/* PERSIST_DEST: the definition travels in canonical form. */
static void
testBuildPersistent(ternMigrationCookie *c)
{
    testCookieBase(c);
    c->phase = TERN_MIGRATION_COOKIE_PHASE_PERFORM;
    c->flags = TERN_MIGRATION_COOKIE_PERSISTENT | TERN_MIGRATION_COOKIE_STATISTICS;
    c->persistentXML = g_strdup(testDomainXML);
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_DOWNTIME, 67);
}

/* Markup characters and non-ASCII text survive the trip. */
static void
testBuildEscaping(ternMigrationCookie *c)
{
    testCookieBase(c);
    g_free(c->name);
    c->name = g_strdup("a<b>&'\"c ünïcødé");
    g_free(c->hostname);
    c->hostname = g_strdup("höst&co");
}

/* Everything at once, in the order the encoder writes it. */
static void
testBuildFull(ternMigrationCookie *c)
{
    testBuildPerform(c);
    c->flags |= TERN_MIGRATION_COOKIE_PERSISTENT | TERN_MIGRATION_COOKIE_CAPABILITIES;
    c->persistentXML = g_strdup(testDomainXML);
    c->migrateURI = g_strdup("tcp:dst-host.example:49153");
    c->secure = true;
    c->caps = (1ULL << TERN_MIGRATION_COOKIE_CAP_LAST) - 1;
    c->multifdChannels = 255;
}

static const testCookieCase testCookieCases[] = {
    {"minimal", testBuildMinimal},     /* the four fields every cookie has */
    {"begin-caps", testBuildBegin},    /* Begin → Prepare */
    {"prepare-uri", testBuildPrepare}, /* Prepare → Perform */
    {"prepare-ipv6", testBuildPrepareIPv6},
    {"perform-stats", testBuildPerform}, /* Perform → Finish */
    {"stats-limits", testBuildStatsLimits},
    {"empty-parts", testBuildEmptyParts},
    {"persistent", testBuildPersistent}, /* PERSIST_DEST */
    {"escaping", testBuildEscaping},
    {"full", testBuildFull},
};

static char *
testCookiePath(const char *file)
{
    return ternTestDataPath("cookie", file, NULL);
}

/* Two cookies say the same thing. */
static void
testCookieAssertEqual(const ternMigrationCookie *a, const ternMigrationCookie *b)
{
    g_assert_cmpuint(a->flags, ==, b->flags);
    g_assert_cmpstr(a->name, ==, b->name);
    g_assert_cmpmem(a->uuid, sizeof(a->uuid), b->uuid, sizeof(b->uuid));
    g_assert_cmpstr(a->hostname, ==, b->hostname);
    g_assert_cmpmem(a->hostuuid, sizeof(a->hostuuid), b->hostuuid, sizeof(b->hostuuid));
    g_assert_cmpint(a->phase, ==, b->phase);
    g_assert_cmpstr(a->migrateURI, ==, b->migrateURI);
    g_assert_cmpint(a->secure, ==, b->secure);
    g_assert_cmpuint(a->caps, ==, b->caps);
    g_assert_cmpuint(a->multifdChannels, ==, b->multifdChannels);
    g_assert_cmpmem(&a->stats, sizeof(a->stats), &b->stats, sizeof(b->stats));
}

static void
testCookieRoundTrip(gconstpointer opaque)
{
    const testCookieCase *tc = opaque;
    g_autofree char *file = g_strdup_printf("%s.xml", tc->name);
    g_autofree char *path = testCookiePath(file);
    g_autoptr(ternMigrationCookie) built = ternMigrationCookieNew();
    g_autoptr(ternMigrationCookie) decoded = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    g_autofree char *again = NULL;
    g_autofree char *golden = NULL;
    int len = 0;
    int againLen = 0;

    tc->build(built);
    g_assert_true(ternMigrationCookieEncode(built, &buf, &len, &err));
    g_assert_no_error(err);
    /* the NUL is part of the cookie, as libvirt sends it */
    g_assert_cmpint(len, ==, (int)strlen(buf) + 1);
    if (!ternTestCompareToFile(buf, path)) {
        g_test_fail();
        return;
    }

    /* the golden file as a peer would send it, NUL included */
    g_assert_true(g_file_get_contents(path, &golden, NULL, &err));
    decoded = ternMigrationCookieDecode(golden, (int)strlen(golden) + 1, &err);
    g_assert_no_error(err);
    g_assert_nonnull(decoded);
    testCookieAssertEqual(decoded, built);
    g_assert_true(ternMigrationCookieEncode(decoded, &again, &againLen, &err));
    g_assert_cmpstr(again, ==, buf);
    g_assert_cmpint(againLen, ==, len);
    if (built->persistentXML) {
        g_assert_nonnull(decoded->persistentXML);
        g_assert_true(g_str_has_prefix(decoded->persistentXML, "<domain type='qemu'>\n"));
    }
}

static void
testCookieFail(gconstpointer opaque)
{
    const char *stem = opaque;
    g_autofree char *inFile = g_strdup_printf("%s.xml", stem);
    g_autofree char *errFile = g_strdup_printf("%s.err", stem);
    g_autofree char *inPath = testCookiePath(inFile);
    g_autofree char *errPath = testCookiePath(errFile);
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(inPath, &buf, &len, NULL));
    c = ternMigrationCookieDecode(buf, (int)len, &err);
    if (c) {
        g_test_message("'%s' was accepted", inPath);
        g_test_fail();
        return;
    }
    g_assert_nonnull(err);
    g_assert_true(err->domain == ternErrorQuark(TERN_FROM_DOMAIN));
    if (!ternTestCompareErrorToFile(err, errPath))
        g_test_fail();
}

/* The positive cases' files: NAME.xml for each case. */
static bool
testCookieFileKnown(const char *file, const char *stem, gconstpointer opaque)
{
    for (size_t i = 0; i < G_N_ELEMENTS(testCookieCases); i++) {
        if (g_str_has_suffix(file, ".xml") && strcmp(stem, testCookieCases[i].name) == 0)
            return true;
    }
    return false;
}

static void
testCookieNoOrphans(void)
{
    ternTestCheckNoOrphans("cookie", ".xml", testCookieFileKnown, NULL);
}

/* Zero bytes, or a lone NUL, is the empty cookie libvirt sends to P2P Prepare. */
static void
testCookieEmpty(void)
{
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(ternMigrationCookie) nul = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    int len = 0;

    c = ternMigrationCookieDecode(NULL, 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(c);
    g_assert_null(c->name);
    g_assert_null(c->hostname);
    g_assert_cmpuint(c->flags, ==, 0);
    g_assert_true(ternUUIDIsNull(c->uuid));
    nul = ternMigrationCookieDecode("", 1, &err);
    g_assert_no_error(err);
    g_assert_null(nul->name);

    /* an empty cookie passes the same-host check, and is never encoded */
    g_assert_true(ternMigrationCookieCheckHost(c, c->hostuuid, &err));
    g_assert_false(ternMigrationCookieEncode(c, &buf, &len, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(err->message, ==, "internal error: migration cookie has no domain name");
    g_assert_null(buf);
    g_assert_cmpint(len, ==, 0);
}

/* What a hand-written or older peer may do: no NUL, declaration, comments, any order. */
static void
testCookieLenient(void)
{
    static const char xml[] = "<?xml version='1.0' encoding='UTF-8'?>\n"
                              "<!-- sent by a test -->\n"
                              "<tern-migration version='1'><hostuuid>" TEST_HOSTUUID "</hostuuid>"
                              "<statistics>\n\t<downtime>007</downtime> <!-- ms -->\n</statistics>"
                              "<uuid>6B3C2F1E-8A4D-4E5F-9A0B-1C2D3E4F5A6B</uuid>"
                              "<hostname>src.example</hostname><name>vm&amp;1</name>"
                              "<features><feature name='statistics'/></features>"
                              "</tern-migration>";
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(GError) err = NULL;
    unsigned long long downtime = 0;
    unsigned char uuid[TERN_UUID_RAW_LEN];

    c = ternMigrationCookieDecode(xml, (int)strlen(xml), &err);
    g_assert_no_error(err);
    g_assert_cmpstr(c->name, ==, "vm&1");
    g_assert_true(ternUUIDParse(TEST_UUID, uuid));
    g_assert_cmpmem(c->uuid, sizeof(uuid), uuid, sizeof(uuid));
    g_assert_true(ternMigrationStatsGet(&c->stats, TERN_MIGRATION_STAT_DOWNTIME, &downtime));
    g_assert_cmpuint(downtime, ==, 7);
    g_assert_false(ternMigrationStatsGet(&c->stats, TERN_MIGRATION_STAT_SETUP_TIME, &downtime));
    g_assert_cmpuint(downtime, ==, 7);
    g_assert_cmpint(c->phase, ==, TERN_MIGRATION_COOKIE_PHASE_NONE);
}

/* Refusals a file cannot hold: sizes, NUL bytes, invalid UTF-8. */
static void
testCookieFailBytes(void)
{
    static const char head[] = "<tern-migration version='1'><name>";
    g_autoptr(GString) big = g_string_new(head);
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(GError) err = NULL;
    char withNul[] = "<tern-migration version='1'>\0</tern-migration>";
    const char badUTF8[] = "<tern-migration version='1'><name>\xc3\x28</name></tern-migration>";

    while (big->len <= TERN_MIGRATION_COOKIE_MAX_LEN)
        g_string_append_c(big, 'x');
    c = ternMigrationCookieDecode(big->str, (int)big->len, &err);
    g_assert_null(c);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(err->message, ==,
                    "internal error: migration cookie of 4194305 bytes is larger than the limit "
                    "of 4194304 bytes");
    g_clear_error(&err);

    /* exactly at the limit, with its NUL, the size is fine (and the XML is not) */
    c = ternMigrationCookieDecode(big->str, TERN_MIGRATION_COOKIE_MAX_LEN, &err);
    g_assert_null(c);
    g_assert_true(
        g_str_has_prefix(err->message, "internal error: migration cookie is not well-formed XML"));
    g_clear_error(&err);

    c = ternMigrationCookieDecode(withNul, (int)sizeof(withNul), &err);
    g_assert_null(c);
    g_assert_cmpstr(err->message, ==,
                    "internal error: migration cookie has a NUL byte at offset 28");
    g_clear_error(&err);

    c = ternMigrationCookieDecode(badUTF8, (int)strlen(badUTF8), &err);
    g_assert_null(c);
    g_assert_cmpstr(err->message, ==, "internal error: migration cookie is not valid UTF-8");
    g_clear_error(&err);

    c = ternMigrationCookieDecode(head, -1, &err);
    g_assert_null(c);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_clear_error(&err);
    c = ternMigrationCookieDecode(NULL, 5, &err);
    g_assert_null(c);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
}

/* The version is checked first and has its own error code. */
static void
testCookieVersionCode(void)
{
    static const char xml[] = "<tern-migration version='2'><future/></tern-migration>";
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(GError) err = NULL;

    c = ternMigrationCookieDecode(xml, (int)sizeof(xml), &err);
    g_assert_null(c);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_OPERATION_UNSUPPORTED);
}

/* The destination refuses a cookie from its own host. */
static void
testCookieSameHost(void)
{
    g_autoptr(ternMigrationCookie) c = ternMigrationCookieNew();
    g_autoptr(GError) err = NULL;
    unsigned char other[TERN_UUID_RAW_LEN];

    testCookieBase(c);
    g_assert_true(ternUUIDParse(TEST_DEST_HOSTUUID, other));
    g_assert_true(ternMigrationCookieCheckHost(c, other, &err));
    g_assert_no_error(err);
    g_assert_false(ternMigrationCookieCheckHost(c, c->hostuuid, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(err->message, ==,
                    "internal error: Attempt to migrate guest to the same host " TEST_HOSTUUID);
}

/* The encoder refuses what the decoder would refuse, and writes nothing. */
typedef struct {
    const char *name;
    void (*spoil)(ternMigrationCookie *c);
    const char *message;
} testEncodeFailCase;

static void
testSpoilNoHostname(ternMigrationCookie *c)
{
    g_clear_pointer(&c->hostname, g_free);
}

static void
testSpoilControlName(ternMigrationCookie *c)
{
    g_free(c->name);
    c->name = g_strdup("vm\n1");
}

static void
testSpoilLongHostname(ternMigrationCookie *c)
{
    g_free(c->hostname);
    c->hostname = g_strnfill(256, 'h');
}

static void
testSpoilExecURI(ternMigrationCookie *c)
{
    c->migrateURI = g_strdup("exec:cat > /tmp/x");
}

static void
testSpoilStatNoFlag(ternMigrationCookie *c)
{
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_DOWNTIME, 1);
}

static void
testSpoilStatRange(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_STATISTICS;
    ternMigrationStatsSet(&c->stats, TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE, 101);
}

static void
testSpoilChannelsNoMultifd(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_CAPABILITIES;
    c->multifdChannels = 2;
}

static void
testSpoilChannelsRange(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_CAPABILITIES;
    c->caps = 1ULL << TERN_MIGRATION_COOKIE_CAP_MULTIFD;
    c->multifdChannels = 256;
}

static void
testSpoilUnknownFlag(ternMigrationCookie *c)
{
    c->flags = 1U << 7;
}

static void
testSpoilPersistentNoXML(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_PERSISTENT;
}

static void
testSpoilPersistentBadXML(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_PERSISTENT;
    c->persistentXML = g_strdup("<domain type='qemu'><name>vm1</name><bogus/></domain>");
}

static void
testSpoilPersistentOtherUUID(ternMigrationCookie *c)
{
    c->flags = TERN_MIGRATION_COOKIE_PERSISTENT;
    c->persistentXML = g_strdup(testDomainXML);
    c->uuid[15] ^= 1;
}

static const testEncodeFailCase testEncodeFailCases[] = {
    {"no-hostname", testSpoilNoHostname, "internal error: migration cookie has no host name"},
    {"control-name", testSpoilControlName,
     "internal error: domain name 'vm?1' in migration cookie contains control characters"},
    {"long-hostname", testSpoilLongHostname,
     "internal error: host name in migration cookie is longer than 255 bytes"},
    {"exec-uri", testSpoilExecURI,
     "internal error: unsupported migration URI 'exec:cat > /tmp/x' in migration cookie: "
     "expected tcp:HOST:PORT"},
    {"stat-no-flag", testSpoilStatNoFlag,
     "internal error: migration cookie has statistics but not the 'statistics' flag"},
    {"stat-range", testSpoilStatRange,
     "internal error: statistic 'auto_converge_throttle' in migration cookie is 101, above its "
     "limit 100"},
    {"channels-no-multifd", testSpoilChannelsNoMultifd,
     "internal error: migration cookie has multifd channels without 'multifd'"},
    {"channels-range", testSpoilChannelsRange,
     "internal error: multifd channels in migration cookie must be 1..255, not 256"},
    {"unknown-flag", testSpoilUnknownFlag, "internal error: unknown migration cookie flags 0x80"},
    {"persistent-no-xml", testSpoilPersistentNoXML,
     "internal error: migration cookie's 'persistent' flag and persistent domain XML disagree"},
    {"persistent-bad-xml", testSpoilPersistentBadXML,
     "invalid persistent domain XML in migration cookie: unsupported configuration: element "
     "'bogus' is not supported"},
    {"persistent-other-uuid", testSpoilPersistentOtherUUID,
     "internal error: persistent domain XML in migration cookie has UUID "
     "6b3c2f1e-8a4d-4e5f-9a0b-1c2d3e4f5a6b, but the cookie is for "
     "6b3c2f1e-8a4d-4e5f-9a0b-1c2d3e4f5a6a"},
};

static void
testCookieEncodeFail(gconstpointer opaque)
{
    const testEncodeFailCase *tc = opaque;
    g_autoptr(ternMigrationCookie) c = ternMigrationCookieNew();
    g_autoptr(GError) err = NULL;
    char *buf = (char *)"untouched";
    int len = -7;

    testCookieBase(c);
    tc->spoil(c);
    g_assert_false(ternMigrationCookieEncode(c, &buf, &len, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, tc->message);
    g_assert_cmpstr(buf, ==, "untouched");
    g_assert_cmpint(len, ==, -7);
}

/* A cookie that would exceed the limit is refused by the encoder too. */
static void
testCookieEncodeTooLarge(void)
{
    g_autoptr(ternMigrationCookie) c = ternMigrationCookieNew();
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) xml = g_string_new("<domain type='qemu'><name>vm1</name><uuid>" TEST_UUID
                                          "</uuid><memory unit='MiB'>256</memory>"
                                          "<os><type>hvm</type></os><description>");
    g_autofree char *buf = NULL;
    int len = 0;

    while (xml->len < TERN_MIGRATION_COOKIE_MAX_LEN - 400)
        g_string_append(xml, "0123456789abcdef");
    g_string_append(xml, "</description></domain>");
    testCookieBase(c);
    c->flags = TERN_MIGRATION_COOKIE_PERSISTENT;
    c->persistentXML = g_string_free(g_steal_pointer(&xml), FALSE);
    g_assert_false(ternMigrationCookieEncode(c, &buf, &len, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(err->message, "internal error: migration cookie of "));
    g_assert_null(buf);
}

/* Every statistic has its own field, its own name, and Get/Set agree. */
static void
testCookieStats(void)
{
    ternMigrationStats stats = {0};
    unsigned long long value = 0;
    const unsigned long long *fields = &stats.started;

    G_STATIC_ASSERT(sizeof(ternMigrationStats) ==
                    sizeof(unsigned long long) * (TERN_MIGRATION_STAT_LAST + 1));
    for (int stat = 0; stat < TERN_MIGRATION_STAT_LAST; stat++) {
        const char *name = ternMigrationStatTypeToString(stat);

        g_assert_nonnull(name);
        g_assert_cmpint(ternMigrationStatTypeFromString(name), ==, stat);
        g_assert_false(ternMigrationStatsGet(&stats, stat, &value));
        ternMigrationStatsSet(&stats, stat, 1000 + (unsigned long long)stat);
    }
    g_assert_cmpuint(stats.present, ==, (1ULL << TERN_MIGRATION_STAT_LAST) - 1);
    /* the fields follow the enum's order, so each statistic wrote its own */
    for (int stat = 0; stat < TERN_MIGRATION_STAT_LAST; stat++) {
        g_assert_cmpuint(fields[stat], ==, 1000 + (unsigned long long)stat);
        g_assert_true(ternMigrationStatsGet(&stats, stat, &value));
        g_assert_cmpuint(value, ==, 1000 + (unsigned long long)stat);
    }
    g_assert_cmpuint(stats.downtime, ==, 1000 + TERN_MIGRATION_STAT_DOWNTIME);
    g_assert_false(ternMigrationStatsGet(&stats, TERN_MIGRATION_STAT_LAST, &value));
    g_assert_null(ternMigrationStatTypeToString(TERN_MIGRATION_STAT_LAST));
    g_assert_cmpint(ternMigrationStatTypeFromString("dirty_rate"), ==, -1);
}

static void
testCookieEnums(void)
{
    g_assert_cmpstr(ternMigrationCookieCapTypeToString(TERN_MIGRATION_COOKIE_CAP_MULTIFD), ==,
                    "multifd");
    g_assert_cmpint(ternMigrationCookieCapTypeFromString("auto-converge"), ==,
                    TERN_MIGRATION_COOKIE_CAP_AUTO_CONVERGE);
    g_assert_cmpint(ternMigrationCookieCapTypeFromString("multifd-channels"), ==, -1);
    g_assert_cmpstr(ternMigrationCookiePhaseTypeToString(TERN_MIGRATION_COOKIE_PHASE_PREPARE), ==,
                    "prepare");
    g_assert_null(ternMigrationCookiePhaseTypeToString(TERN_MIGRATION_COOKIE_PHASE_LAST));
    g_assert_cmpstr(
        ternMigrationCookieFeatureTypeToString(TERN_MIGRATION_COOKIE_FEATURE_PERSISTENT), ==,
        "persistent");
    g_assert_cmpint(ternMigrationCookieFeatureTypeFromString(NULL), ==, -1);
    g_assert_cmpuint(TERN_MIGRATION_COOKIE_STATISTICS, ==,
                     1U << TERN_MIGRATION_COOKIE_FEATURE_STATISTICS);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(testCookieCases); i++) {
        g_autofree char *path = g_strdup_printf("/cookie/round-trip/%s", testCookieCases[i].name);

        g_test_add_data_func(path, &testCookieCases[i], testCookieRoundTrip);
    }
    if (!ternTestAddFailCases("cookie", ".xml", "/cookie/decode", testCookieFail))
        return 1;
    for (size_t i = 0; i < G_N_ELEMENTS(testEncodeFailCases); i++) {
        g_autofree char *path =
            g_strdup_printf("/cookie/encode/fail-%s", testEncodeFailCases[i].name);

        g_test_add_data_func(path, &testEncodeFailCases[i], testCookieEncodeFail);
    }
    g_test_add_func("/cookie/encode/too-large", testCookieEncodeTooLarge);
    g_test_add_func("/cookie/decode/empty", testCookieEmpty);
    g_test_add_func("/cookie/decode/lenient", testCookieLenient);
    g_test_add_func("/cookie/decode/fail-bytes", testCookieFailBytes);
    g_test_add_func("/cookie/decode/version-code", testCookieVersionCode);
    g_test_add_func("/cookie/same-host", testCookieSameHost);
    g_test_add_func("/cookie/stats", testCookieStats);
    g_test_add_func("/cookie/enums", testCookieEnums);
    g_test_add_func("/cookie/no-orphans", testCookieNoOrphans);

    return g_test_run();
}
