/* test-ternd-config.c: ternd.conf loading, validation and formatting against golden files */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "daemon/ternd_config.h"
#include "testutils.h"
#include "util/ternerror.h"

/*
 * tests/data/ternd-conf holds one case per file:
 *   pass-NAME.conf  must load and validate; pass-NAME.out is terndConfigFormat()
 *   fail-NAME.conf  must fail to load or to validate; fail-NAME.err is the
 *                   message, followed by a newline
 * Messages name the file by its base name. TERN_TEST_REGENERATE=1 rewrites
 * the .out and .err files.
 */

typedef struct {
    char *name; /* "pass-listen" */
    char *confPath;
    char *expectPath;
} confCase;

static void
confCaseFree(gpointer data)
{
    confCase *tc = data;

    g_free(tc->name);
    g_free(tc->confPath);
    g_free(tc->expectPath);
    g_free(tc);
}

static void
testGoldenPass(gconstpointer data)
{
    const confCase *tc = data;
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autofree char *base = g_path_get_basename(tc->confPath);
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(terndConfig) again = terndConfigNew();
    g_autoptr(GError) err = NULL;
    bool ok;
    g_autofree char *out = NULL;
    g_autofree char *outAgain = NULL;

    g_assert_true(g_file_get_contents(tc->confPath, &text, &len, NULL));
    ok = terndConfigLoadData(cfg, base, text, len, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    ok = terndConfigValidate(cfg, &err);
    g_assert_no_error(err);
    g_assert_true(ok);

    out = terndConfigFormat(cfg);
    if (!ternTestCompareToFile(out, tc->expectPath))
        g_test_fail();

    /* the formatted configuration reads back to itself */
    ok = terndConfigLoadData(again, "formatted", out, strlen(out), &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    outAgain = terndConfigFormat(again);
    g_assert_cmpstr(outAgain, ==, out);
}

static void
testGoldenFail(gconstpointer data)
{
    const confCase *tc = data;
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autofree char *base = g_path_get_basename(tc->confPath);
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;
    g_autofree char *before = terndConfigFormat(cfg);

    g_assert_true(g_file_get_contents(tc->confPath, &text, &len, NULL));
    if (terndConfigLoadData(cfg, base, text, len, &err)) {
        g_assert_false(terndConfigValidate(cfg, &err));
        g_assert_error(err, ternErrorQuark(TERN_FROM_CONF), TERN_ERR_CONFIG_UNSUPPORTED);
    } else {
        g_autofree char *after = terndConfigFormat(cfg);

        g_assert_error(err, ternErrorQuark(TERN_FROM_CONF), TERN_ERR_CONF_SYNTAX);
        g_assert_true(g_str_has_prefix(err->message, base));
        g_assert_cmpstr(after, ==, before); /* a failed load changes nothing */
    }

    if (!ternTestCompareErrorToFile(err, tc->expectPath))
        g_test_fail();
}

/* Register one test per pass-*.conf and fail-*.conf, in name order. */
static void
addGoldenTests(GPtrArray *cases, size_t *npass, size_t *nfail)
{
    g_autofree char *dir = ternTestDataPath("ternd-conf", NULL);
    g_autoptr(GPtrArray) names = ternTestDataListStems("ternd-conf", NULL, ".conf");

    g_assert_nonnull(names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        bool pass = g_str_has_prefix(name, "pass-");
        confCase *tc = g_new0(confCase, 1);
        g_autofree char *conf = g_strdup_printf("%s.conf", name);
        g_autofree char *expect = g_strdup_printf("%s.%s", name, pass ? "out" : "err");
        g_autofree char *testPath = NULL;

        g_assert_true(pass || g_str_has_prefix(name, "fail-"));
        tc->name = g_strdup(name);
        tc->confPath = g_build_filename(dir, conf, NULL);
        tc->expectPath = g_build_filename(dir, expect, NULL);
        g_ptr_array_add(cases, tc);

        testPath =
            g_strdup_printf("/ternd-conf/%s/%s", pass ? "pass" : "fail", name + strlen("pass-"));
        g_test_add_data_func(testPath, tc, pass ? testGoldenPass : testGoldenFail);
        (*(pass ? npass : nfail))++;
    }
}

/* ------------------------------------------------------------------------ */
/* Bounds, generated in code rather than stored as huge files               */
/* ------------------------------------------------------------------------ */

static void
assertLoadFails(const char *filename, const char *data, gsize len, const char *expected)
{
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;

    g_assert_false(terndConfigLoadData(cfg, filename, data, len, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_CONF), TERN_ERR_CONF_SYNTAX);
    g_assert_cmpstr(err->message, ==, expected);
}

static void
assertLoadWorks(const char *filename, const char *data, gsize len)
{
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;
    bool ok;

    ok = terndConfigLoadData(cfg, filename, data, len, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
}

/* @size bytes of comment lines */
static GString *
commentLines(gsize size)
{
    GString *s = g_string_sized_new(size);

    while (s->len < size) {
        gsize room = size - s->len;
        if (room >= 64) {
            g_string_append(s, "# ");
            while (s->len % 64 != 63)
                g_string_append_c(s, 'x');
            g_string_append_c(s, '\n');
        } else {
            g_string_append_c(s, room == 1 ? '\n' : '#');
        }
    }
    return s;
}

static void
testBoundFileSize(void)
{
    g_autoptr(GString) s = commentLines(TERND_CONFIG_MAX_FILE_SIZE);

    assertLoadWorks("big.conf", s->str, s->len);
    g_string_append_c(s, '\n');
    assertLoadFails(
        "big.conf", s->str, s->len,
        "big.conf: the file is 1048577 bytes long, more than the limit of 1048576 bytes");
}

static void
testBoundLine(void)
{
    g_autoptr(GString) s = g_string_new("max_clients = 1\nlisten_addr = \"");

    while (s->len < strlen("max_clients = 1\n") + TERND_CONFIG_MAX_LINE - 1)
        g_string_append_c(s, 'a');
    g_string_append_c(s, '"'); /* a line of exactly the limit */
    assertLoadWorks("line.conf", s->str, s->len);

    g_string_insert_c(s, s->len - 1, 'a');
    assertLoadFails("line.conf", s->str, s->len,
                    "line.conf:2: the line is longer than 65536 bytes");
}

static void
testBoundString(void)
{
    g_autoptr(GString) s = g_string_new("# a long string, line by line\nlog_outputs = \"\"\"");

    for (int i = 0; i < TERND_CONFIG_MAX_STRING / 16; i++)
        g_string_append(s, "3:file:/tmp/xyz\n");
    /* 16 * 4096 = 65536 bytes with the last newline; swap it for a space */
    s->str[s->len - 1] = ' ';
    g_string_append(s, "\"\"\"\n");
    assertLoadWorks("string.conf", s->str, s->len);
    g_string_insert_c(s, s->len - 4, ' ');
    assertLoadFails(
        "string.conf", s->str, s->len,
        "string.conf:2: string in the value of 'log_outputs' is longer than 65536 bytes");
}

static void
testBoundList(void)
{
    g_autoptr(GString) s = g_string_new("\ntls_allowed_dn_list = [\n");

    for (int i = 0; i < TERND_CONFIG_MAX_LIST; i++)
        g_string_append_printf(s, "  \"CN=host%d\",%s", i, i % 8 == 7 ? "\n" : "");
    g_string_append(s, "]\n");
    assertLoadWorks("list.conf", s->str, s->len);

    g_string_insert(s, s->len - 2, "\"CN=one-too-many\"");
    assertLoadFails("list.conf", s->str, s->len,
                    "list.conf:2: the list for 'tls_allowed_dn_list' has more than 1024 entries");
}

static void
testBoundNul(void)
{
    static const char data[] = "max_clients = 1\nmax_\0workers = 2\n";

    assertLoadFails("nul.conf", data, sizeof(data) - 1, "nul.conf:2: the file contains a NUL byte");
}

/* ------------------------------------------------------------------------ */
/* Files, layering, validation of values set in code                         */
/* ------------------------------------------------------------------------ */

static void
testLoadFile(void)
{
    g_autofree char *dir = g_dir_make_tmp("tern-conf-XXXXXX", NULL);
    g_autofree char *good = g_build_filename(dir, "good.conf", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.conf", NULL);
    g_autofree char *big = g_build_filename(dir, "big.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
    g_autofree char *expected = NULL;
    g_autoptr(GString) bigText = commentLines(TERND_CONFIG_MAX_FILE_SIZE + 1);
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;
    bool ok;

    g_assert_nonnull(dir);
    g_assert_true(g_file_set_contents(good, "max_clients = 7\n", -1, NULL));
    g_assert_true(g_file_set_contents(bad, "\nmax_clients = \"7\"\n", -1, NULL));
    g_assert_true(g_file_set_contents(big, bigText->str, bigText->len, NULL));

    ok = terndConfigLoadFile(cfg, good, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    g_assert_cmpint(cfg->max_clients, ==, 7);

    g_assert_false(terndConfigLoadFile(cfg, bad, &err));
    expected = g_strdup_printf("%s:2: expected an integer for 'max_clients', got a string", bad);
    g_assert_cmpstr(err->message, ==, expected);
    g_clear_error(&err);
    g_clear_pointer(&expected, g_free);

    g_assert_false(terndConfigLoadFile(cfg, big, &err));
    expected = g_strdup_printf(
        "%s: the file is 1048577 bytes long, more than the limit of 1048576 bytes", big);
    g_assert_cmpstr(err->message, ==, expected);
    g_clear_error(&err);
    g_clear_pointer(&expected, g_free);

    g_assert_false(terndConfigLoadFile(cfg, missing, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_CONF), TERN_ERR_SYSTEM_ERROR);
    expected = g_strdup_printf("cannot open configuration file '%s': ", missing);
    g_assert_true(g_str_has_prefix(err->message, expected));
    g_assert_cmpint(cfg->max_clients, ==, 7);

    g_unlink(good);
    g_unlink(bad);
    g_unlink(big);
    g_rmdir(dir);
}

static void
testLayeredLoads(void)
{
    static const char first[] = "max_clients = 10\nlisten_addr = \"192.0.2.1\"\n";
    static const char second[] = "max_workers = 7\nlisten_addr = \"192.0.2.2\"\n";
    static const char broken[] = "max_workers = 8\nmin_workers = 1\nnope = 1\n";
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;
    bool ok;

    g_assert_true(terndConfigLoadData(cfg, "first", first, strlen(first), &err));
    ok = terndConfigLoadData(cfg, "second", second, strlen(second), &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    g_assert_cmpint(cfg->max_clients, ==, 10);
    g_assert_cmpint(cfg->max_workers, ==, 7);
    g_assert_cmpstr(cfg->listen_addr, ==, "192.0.2.2");

    /* a later file that fails leaves the result of the earlier ones intact */
    g_assert_false(terndConfigLoadData(cfg, "broken", broken, strlen(broken), &err));
    g_assert_cmpstr(err->message, ==, "broken:3: unknown key 'nope'");
    g_assert_cmpint(cfg->max_workers, ==, 7);
    g_assert_cmpint(cfg->min_workers, ==, 5);
}

typedef struct {
    const char *what;
    void (*set)(terndConfig *cfg);
    const char *message;
} validateCase;

static void
setNoRequests(terndConfig *cfg)
{
    cfg->max_client_requests = 0;
}

static void
setBadPerms(terndConfig *cfg)
{
    cfg->unix_sock_ro_perms = 01777;
}

static void
setBadAuth(terndConfig *cfg)
{
    g_free(cfg->auth_tls);
    cfg->auth_tls = g_strdup("tls");
}

static void
setNullPort(terndConfig *cfg)
{
    g_clear_pointer(&cfg->tcp_port, g_free);
}

static void
setPortsReversed(terndConfig *cfg)
{
    cfg->migration_port_min = 50000;
    cfg->migration_port_max = 49999;
}

static const validateCase validateCases[] = {
    {"requests", setNoRequests,
     "unsupported configuration: 'max_client_requests' must be at least 1, got 0"},
    {"perms", setBadPerms,
     "unsupported configuration: 'unix_sock_ro_perms' must be between \"0000\" and \"0777\", got \"1777\""},
    {"auth", setBadAuth,
     "unsupported configuration: 'auth_tls' must be \"none\", \"sasl\" or \"polkit\", got \"tls\""},
    {"null-port", setNullPort,
     "unsupported configuration: 'tcp_port' must be a port number between 1 and 65535, got \"\""},
    {"ports-reversed", setPortsReversed,
     "unsupported configuration: 'migration_port_min' (50000) must not be greater than 'migration_port_max' (49999)"},
};

static void
testValidateSetInCode(gconstpointer data)
{
    const validateCase *tc = data;
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autoptr(GError) err = NULL;

    g_assert_true(terndConfigValidate(cfg, &err));
    tc->set(cfg);
    g_assert_false(terndConfigValidate(cfg, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_CONF), TERN_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==, tc->message);
}

/* ------------------------------------------------------------------------ */
/* The shipped example and the man page agree with the code                 */
/* ------------------------------------------------------------------------ */

static char *
readSourceFile(const char *dir, const char *name)
{
    g_autofree char *path = ternTestDataPath("..", "..", dir, name, NULL);
    char *text = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read '%s': %s", path, err->message);
    return text;
}

static void
testExampleFile(void)
{
    g_autofree char *example = readSourceFile("src/daemon", "ternd.conf");
    g_autoptr(GRegex) commented = g_regex_new("^#(?=[a-z_]+ = )", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *uncommented = NULL;
    g_autoptr(terndConfig) defaults = terndConfigNew();
    g_autoptr(terndConfig) asShipped = terndConfigNew();
    g_autoptr(terndConfig) enabled = terndConfigNew();
    g_autoptr(GError) err = NULL;
    bool ok;
    g_autofree char *defaultsText = terndConfigFormat(defaults);
    g_autofree char *shippedText = NULL;
    g_autofree char *enabledText = NULL;
    g_auto(GStrv) defaultLines = NULL;
    g_auto(GStrv) enabledLines = NULL;

    /* as shipped, everything is commented out: the defaults */
    ok = terndConfigLoadData(asShipped, "ternd.conf", example, strlen(example), &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    shippedText = terndConfigFormat(asShipped);
    g_assert_cmpstr(shippedText, ==, defaultsText);

    /* uncommented, every key is set, and each default shown is the real default */
    uncommented = g_regex_replace_literal(commented, example, -1, 0, "", 0, &err);
    g_assert_no_error(err);
    ok = terndConfigLoadData(enabled, "ternd.conf", uncommented, strlen(uncommented), &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    ok = terndConfigValidate(enabled, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    enabledText = terndConfigFormat(enabled);
    g_assert_null(strstr(enabledText, ": not set"));

    defaultLines = g_strsplit(defaultsText, "\n", -1);
    enabledLines = g_strsplit(enabledText, "\n", -1);
    for (size_t i = 0; defaultLines[i]; i++) {
        if (defaultLines[i][0] == '#' || defaultLines[i][0] == '\0')
            continue;
        if (!g_strv_contains((const char *const *)enabledLines, defaultLines[i]))
            g_error("src/daemon/ternd.conf does not show the default '%s'", defaultLines[i]);
    }
}

static void
testManPage(void)
{
    g_autofree char *man = readSourceFile("docs/man", "ternd.conf.5");
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_autofree char *text = terndConfigFormat(cfg);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (size_t i = 0; lines[i]; i++) {
        g_autofree char *key = NULL;
        g_autofree char *needle = NULL;

        if (!lines[i][0])
            continue;
        if (g_str_has_prefix(lines[i], "# "))
            key = g_strndup(lines[i] + 2, strcspn(lines[i] + 2, ":"));
        else
            key = g_strndup(lines[i], strcspn(lines[i], " "));
        needle = g_strdup_printf("\n.B %s\n", key);
        if (!strstr(man, needle))
            g_error("docs/man/ternd.conf.5 does not describe '%s' (expected a line '.B %s')", key,
                    key);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(confCaseFree);
    size_t npass = 0;
    size_t nfail = 0;

    g_test_init(&argc, &argv, NULL);

    addGoldenTests(cases, &npass, &nfail);
    /* the suite promises at least this many golden cases */
    if (npass < 8 || nfail < 15)
        g_error("tests/data/ternd-conf has %zu pass and %zu fail cases; expected at least 8 and 15",
                npass, nfail);

    g_test_add_func("/ternd-conf/bound/file-size", testBoundFileSize);
    g_test_add_func("/ternd-conf/bound/line", testBoundLine);
    g_test_add_func("/ternd-conf/bound/string", testBoundString);
    g_test_add_func("/ternd-conf/bound/list", testBoundList);
    g_test_add_func("/ternd-conf/bound/nul", testBoundNul);
    g_test_add_func("/ternd-conf/load-file", testLoadFile);
    g_test_add_func("/ternd-conf/layered", testLayeredLoads);
    for (size_t i = 0; i < G_N_ELEMENTS(validateCases); i++) {
        g_autofree char *name = g_strdup_printf("/ternd-conf/validate/%s", validateCases[i].what);
        g_test_add_data_func(name, &validateCases[i], testValidateSetInCode);
    }
    g_test_add_func("/ternd-conf/example-file", testExampleFile);
    g_test_add_func("/ternd-conf/man-page", testManPage);

    return g_test_run();
}
