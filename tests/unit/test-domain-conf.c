/* test-domain-conf.c: domain XML round trips and refusals against tests/data/domainxml */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "util/ternerror.h"
#include "conf/domain_conf.h"
#include "testutils.h"

/*
 * Positive cases: NAME.xml parsed with parseFlags and formatted with
 * formatFlags must equal OUT.out.xml (OUT defaults to NAME). Every output
 * must then be a fixed point: parsing and formatting it again, or copying
 * the def, gives the same text.
 *
 * Negative cases are the directory listing: each fail-NAME.xml must be
 * refused with exactly the message in fail-NAME.err.
 */
typedef struct {
    const char *name;
    unsigned int parseFlags;
    unsigned int formatFlags;
    const char *out;
} testDomainXMLCase;

static const testDomainXMLCase testDomainXMLCases[] = {
    {"minimal", 0, 0, NULL},
    {"test-guest", 0, 0, NULL},
    {"kvm-full", 0, 0, NULL},
    {"memory-units", 0, 0, NULL},
    {"memory-current-clamped", 0, 0, NULL},
    {"vcpu-current", 0, 0, NULL},
    {"os-boot-order", 0, 0, NULL},
    {"features-cpu-custom", 0, 0, NULL},
    {"cpu-host-passthrough", 0, 0, NULL},
    {"cpu-host-model", 0, 0, NULL},
    {"lifecycle-actions", 0, 0, NULL},
    {"disks", 0, 0, NULL},
    {"interfaces", 0, 0, NULL},
    {"chardevs", 0, 0, NULL},
    {"chardev-ports-auto", 0, 0, NULL},
    {"graphics-vnc-autoport", 0, 0, NULL},
    {"graphics-vnc-port", 0, 0, NULL},
    {"graphics-vnc-passwd", 0, 0, NULL},
    {"graphics-vnc-passwd", 0, TERN_DOMAIN_DEF_FORMAT_SECURE, "graphics-vnc-passwd-secure"},
    {"video-balloon-rng", 0, 0, NULL},
    {"video-none", 0, 0, NULL},
    {"escaping", 0, 0, NULL},
    {"noncanonical", 0, 0, NULL},
    {"live-state", 0, 0, NULL},
    {"live-state", 0, TERN_DOMAIN_DEF_FORMAT_INACTIVE, "live-state-format-inactive"},
    {"live-state", TERN_DOMAIN_DEF_PARSE_INACTIVE, 0, "live-state-parse-inactive"},
    {"live-state", 0, TERN_DOMAIN_DEF_FORMAT_MIGRATABLE, "live-state-migratable"},
};

static char *
testDomainXMLPath(const char *file)
{
    return ternTestDataPath("domainxml", file, NULL);
}

static void
testDomainXMLRoundTrip(gconstpointer opaque)
{
    const testDomainXMLCase *tc = opaque;
    g_autofree char *inFile = g_strdup_printf("%s.xml", tc->name);
    g_autofree char *outFile = g_strdup_printf("%s.out.xml", tc->out ? tc->out : tc->name);
    g_autofree char *inPath = testDomainXMLPath(inFile);
    g_autofree char *outPath = testDomainXMLPath(outFile);
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = NULL;
    g_autoptr(ternDomainDef) again = NULL;
    g_autoptr(ternDomainDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xmlAgain = NULL;
    g_autofree char *xmlCopy = NULL;

    def = ternDomainDefParseFile(inPath, tc->parseFlags, &err);
    g_assert_no_error(err);
    g_assert_nonnull(def);
    xml = ternDomainDefFormat(def, tc->formatFlags, &err);
    g_assert_no_error(err);
    if (!ternTestCompareToFile(xml, outPath))
        g_test_fail();

    /* the canonical form is a fixed point */
    again = ternDomainDefParseString(xml, 0, &err);
    g_assert_no_error(err);
    xmlAgain = ternDomainDefFormat(again, tc->formatFlags, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(xmlAgain, ==, xml);

    copy = ternDomainDefCopy(def);
    g_assert_nonnull(copy);
    xmlCopy = ternDomainDefFormat(copy, tc->formatFlags, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(xmlCopy, ==, xml);
}

static void
testDomainXMLFail(gconstpointer opaque)
{
    const char *name = opaque;
    g_autofree char *inFile = g_strdup_printf("%s.xml", name);
    g_autofree char *errFile = g_strdup_printf("%s.err", name);
    g_autofree char *inPath = testDomainXMLPath(inFile);
    g_autofree char *errPath = testDomainXMLPath(errFile);
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = NULL;

    def = ternDomainDefParseFile(inPath, 0, &err);
    if (def) {
        g_autofree char *xml = ternDomainDefFormat(def, 0, NULL);

        g_test_message("'%s' was accepted as:\n%s", inPath, xml);
        g_test_fail();
        return;
    }
    g_assert_nonnull(err);
    g_assert_true(err->domain == ternErrorQuark(TERN_FROM_DOMAIN) ||
                  err->code == TERN_ERR_INVALID_ARG);
    if (!ternTestCompareErrorToFile(err, errPath))
        g_test_fail();
}

/* A document without uuid and MACs gets a v4 uuid and distinct 52:54:00 MACs. */
static void
testDomainXMLGenerated(void)
{
    static const char *xml =
        "<domain type='qemu'>\n"
        "  <name>gen</name>\n"
        "  <memory>1024</memory>\n"
        "  <os><type>hvm</type></os>\n"
        "  <devices>\n"
        "    <interface type='user'/>\n"
        "    <interface type='user'/>\n"
        "    <interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n"
        "  </devices>\n"
        "</domain>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = ternDomainDefParseString(xml, 0, &err);
    g_autoptr(ternDomainDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *outAgain = NULL;

    g_assert_no_error(err);
    g_assert_cmpint(def->uuid[6] >> 4, ==, 4);
    g_assert_cmpint(def->uuid[8] & 0xc0, ==, 0x80);
    g_assert_cmpuint(def->nnets, ==, 3);
    for (size_t i = 0; i < def->nnets; i++) {
        g_assert_cmpmem(def->nets[i]->mac, 3, "\x52\x54\x00", 3);
        for (size_t j = 0; j < i; j++)
            g_assert_true(memcmp(def->nets[i]->mac, def->nets[j]->mac, 6) != 0);
    }
    g_assert_cmpint(def->id, ==, -1);
    g_assert_cmpuint(def->currentMemory, ==, 1024);
    g_assert_cmpuint(def->vcpus, ==, 1);

    /* what was generated is kept */
    out = ternDomainDefFormat(def, 0, &err);
    g_assert_no_error(err);
    again = ternDomainDefParseString(out, 0, &err);
    g_assert_no_error(err);
    outAgain = ternDomainDefFormat(again, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(out, ==, outAgain);
}

/* The bound is checked before libxml2 sees a byte. */
static void
testDomainXMLTooLarge(void)
{
    g_autoptr(GString) xml = g_string_new("<domain type='qemu'><!-- ");
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = NULL;

    while (xml->len <= TERN_DOMAIN_XML_MAX_LEN)
        g_string_append(xml, "0123456789abcdef");
    g_string_append(xml, " --></domain>");
    def = ternDomainDefParseString(xml->str, 0, &err);
    g_assert_null(def);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_XML_ERROR);
    g_assert_cmpstr(err->message, ==,
                    "XML error: domain XML is larger than the limit of 4194304 bytes");
}

/* Device counts are capped, so no check can turn quadratic on a 4 MiB document. */
static void
testDomainXMLTooManyDevices(void)
{
    g_autoptr(GString) xml = g_string_new("<domain type='qemu'><name>many</name>"
                                          "<memory>1024</memory><os><type>hvm</type></os>"
                                          "<devices>");
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = NULL;
    gsize prefix;

    for (int i = 0; i < TERN_DOMAIN_DEVICES_MAX; i++)
        g_string_append(xml, "<interface type='user'/>");
    prefix = xml->len;
    g_string_append(xml, "</devices></domain>");

    /* the maximum is fine, and every generated MAC is distinct */
    def = ternDomainDefParseString(xml->str, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(def->nnets, ==, TERN_DOMAIN_DEVICES_MAX);
    g_clear_pointer(&def, ternDomainDefFree);

    g_string_insert(xml, prefix, "<interface type='user'/>");
    def = ternDomainDefParseString(xml->str, 0, &err);
    g_assert_null(def);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(
        err->message, ==,
        "unsupported configuration: more than 256 'interface' devices are not supported");
}

static void
testDomainXMLMissingFile(void)
{
    g_autofree char *path = testDomainXMLPath("does-not-exist.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = ternDomainDefParseFile(path, 0, &err);

    g_assert_null(def);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_SYSTEM_ERROR);
}

static void
testDomainXMLBadFlags(void)
{
    g_autofree char *path = testDomainXMLPath("minimal.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomainDef) def = ternDomainDefParseFile(path, 1 << 7, &err);
    g_autofree char *xml = NULL;

    g_assert_null(def);
    g_assert_cmpint(err->code, ==, TERN_ERR_INVALID_ARG);
    g_clear_error(&err);

    def = ternDomainDefParseFile(path, 0, &err);
    g_assert_no_error(err);
    xml = ternDomainDefFormat(def, 1 << 2, &err);
    g_assert_null(xml);
    g_assert_cmpint(err->code, ==, TERN_ERR_INVALID_ARG);
}

/* A def built in code formats only when it is valid. */
static void
testDomainXMLBuilt(void)
{
    g_autoptr(ternDomainDef) def = ternDomainDefNew();
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *path = testDomainXMLPath("built.out.xml");

    xml = ternDomainDefFormat(def, 0, &err);
    g_assert_null(xml);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_XML_ERROR);
    g_clear_error(&err);

    def->name = g_strdup("built");
    def->memory = def->currentMemory = 65536;
    memcpy(def->uuid, "\x00\x11\x22\x33\x44\x55\x46\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16);
    def->virtType = TERN_DOMAIN_VIRT_LAST;
    xml = ternDomainDefFormat(def, 0, &err);
    g_assert_null(xml);
    g_assert_error(err, ternErrorQuark(TERN_FROM_DOMAIN), TERN_ERR_INTERNAL_ERROR);
    g_clear_error(&err);

    def->virtType = TERN_DOMAIN_VIRT_TEST;
    xml = ternDomainDefFormat(def, 0, &err);
    g_assert_no_error(err);
    if (!ternTestCompareToFile(xml, path))
        g_test_fail();
}

/* The positive cases' files: each case's NAME.xml and OUT.out.xml, and built.out.xml. */
static bool
testDomainXMLFileKnown(const char *file, const char *stem, gconstpointer opaque)
{
    if (strcmp(file, "built.out.xml") == 0)
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(testDomainXMLCases); i++) {
        const testDomainXMLCase *tc = &testDomainXMLCases[i];
        g_autofree char *in = g_strdup_printf("%s.xml", tc->name);
        g_autofree char *out = g_strdup_printf("%s.out.xml", tc->out ? tc->out : tc->name);

        if (strcmp(file, in) == 0 || strcmp(file, out) == 0)
            return true;
    }
    return false;
}

/* Every data file belongs to a case, so none is silently skipped. */
static void
testDomainXMLNoOrphans(void)
{
    ternTestCheckNoOrphans("domainxml", ".xml", testDomainXMLFileKnown, NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(testDomainXMLCases); i++) {
        const testDomainXMLCase *tc = &testDomainXMLCases[i];
        g_autofree char *path = g_strdup_printf("/conf/domainxml/%s", tc->out ? tc->out : tc->name);

        g_test_add_data_func(path, tc, testDomainXMLRoundTrip);
    }

    if (!ternTestAddFailCases("domainxml", ".xml", "/conf/domainxml", testDomainXMLFail))
        return 1;

    g_test_add_func("/conf/domainxml/generated-uuid-mac", testDomainXMLGenerated);
    g_test_add_func("/conf/domainxml/too-large", testDomainXMLTooLarge);
    g_test_add_func("/conf/domainxml/too-many-devices", testDomainXMLTooManyDevices);
    g_test_add_func("/conf/domainxml/missing-file", testDomainXMLMissingFile);
    g_test_add_func("/conf/domainxml/bad-flags", testDomainXMLBadFlags);
    g_test_add_func("/conf/domainxml/built", testDomainXMLBuilt);
    g_test_add_func("/conf/domainxml/no-orphans", testDomainXMLNoOrphans);

    return g_test_run();
}
