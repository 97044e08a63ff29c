/* testutils.c: helpers shared by the unit tests: test data, golden files, event recording */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <string.h>

#include "testutils.h"

#ifndef TERN_TEST_DATA_DEFAULT
#define TERN_TEST_DATA_DEFAULT "tests/data"
#endif

/* Beyond this many line pairs the diff would cost too much: show both texts. */
#define TERN_TEST_DIFF_MAX_CELLS (4 * 1024 * 1024)
#define TERN_TEST_DIFF_CONTEXT 3

const char *
ternTestDataDir(void)
{
    const char *dir = g_getenv("TERN_TEST_DATA");

    return dir && *dir ? dir : TERN_TEST_DATA_DEFAULT;
}

char *
ternTestDataPath(const char *first, ...)
{
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    va_list ap;

    g_ptr_array_add(parts, (gpointer)ternTestDataDir());
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *))
        g_ptr_array_add(parts, (gpointer)p);
    va_end(ap);
    g_ptr_array_add(parts, NULL);
    return g_build_filenamev((char **)parts->pdata);
}

bool
ternTestRegenerate(void)
{
    return g_strcmp0(g_getenv("TERN_TEST_REGENERATE"), "1") == 0;
}

/* Split into lines; a final newline does not start another line. */
static char **
ternTestSplitLines(const char *text, size_t *nlines)
{
    char **lines = g_strsplit(text, "\n", -1);
    size_t n = g_strv_length(lines);

    if (n > 0 && *lines[n - 1] == '\0') {
        g_free(lines[n - 1]);
        lines[n - 1] = NULL;
        n--;
    }
    *nlines = n;
    return lines;
}

typedef struct {
    char op; /* ' ', '-' or '+' */
    const char *line;
} ternTestDiffLine;

static void
ternTestPrintBoth(const char *expected, const char *actual)
{
    g_test_message("--- expected");
    g_test_message("%s", expected);
    g_test_message("+++ actual");
    g_test_message("%s", actual);
}

/*
 * A unified diff from the longest common subsequence of lines, with
 * TERN_TEST_DIFF_CONTEXT lines of context around each change.
 */
static void
ternTestPrintDiff(const char *expected, const char *actual, const char *path)
{
    size_t n, m;
    g_auto(GStrv) a = ternTestSplitLines(expected, &n);
    g_auto(GStrv) b = ternTestSplitLines(actual, &m);
    g_autofree guint32 *lcs = NULL;
    g_autoptr(GArray) ops = NULL;
    size_t i = 0, j = 0;

    if ((n + 1) * (m + 1) > TERN_TEST_DIFF_MAX_CELLS) {
        ternTestPrintBoth(expected, actual);
        return;
    }

    /* lcs[i * (m + 1) + j]: LCS length of a[i..] and b[j..] */
    lcs = g_new0(guint32, (n + 1) * (m + 1));
    for (size_t ii = n; ii-- > 0;) {
        for (size_t jj = m; jj-- > 0;) {
            guint32 *cell = &lcs[ii * (m + 1) + jj];

            if (strcmp(a[ii], b[jj]) == 0)
                *cell = lcs[(ii + 1) * (m + 1) + jj + 1] + 1;
            else
                *cell = MAX(lcs[(ii + 1) * (m + 1) + jj], lcs[ii * (m + 1) + jj + 1]);
        }
    }

    ops = g_array_new(FALSE, FALSE, sizeof(ternTestDiffLine));
    while (i < n || j < m) {
        ternTestDiffLine d;

        if (i < n && j < m && strcmp(a[i], b[j]) == 0) {
            d = (ternTestDiffLine){' ', a[i++]};
            j++;
        } else if (i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
            /* removals before additions, as diff -u prints them */
            d = (ternTestDiffLine){'-', a[i++]};
        } else {
            d = (ternTestDiffLine){'+', b[j++]};
        }
        g_array_append_val(ops, d);
    }

    g_test_message("--- %s (expected)", path);
    g_test_message("+++ actual");
    {
        size_t oldLine = 1, newLine = 1;
        bool inHunk = false;

        for (size_t k = 0; k < ops->len; k++) {
            const ternTestDiffLine *d = &g_array_index(ops, ternTestDiffLine, k);
            bool near = false;

            for (size_t c = (k > TERN_TEST_DIFF_CONTEXT ? k - TERN_TEST_DIFF_CONTEXT : 0);
                 c < ops->len && c <= k + TERN_TEST_DIFF_CONTEXT; c++) {
                if (g_array_index(ops, ternTestDiffLine, c).op != ' ') {
                    near = true;
                    break;
                }
            }
            if (near) {
                if (!inHunk)
                    g_test_message("@@ -%zu +%zu @@", oldLine, newLine);
                g_test_message("%c%s", d->op, d->line);
            }
            inHunk = near;
            if (d->op != '+')
                oldLine++;
            if (d->op != '-')
                newLine++;
        }
    }
}

bool
ternTestCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (ternTestRegenerate()) {
        if (!g_file_set_contents(path, actual, -1, &err)) {
            g_test_message("cannot regenerate '%s': %s", path, err->message);
            return false;
        }
        g_test_message("regenerated '%s'", path);
        return true;
    }

    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        g_test_message(
            "cannot read expected output '%s': %s; run with TERN_TEST_REGENERATE=1 to create it",
            path, err->message);
        return false;
    }
    if (strcmp(expected, actual) == 0)
        return true;

    g_test_message(
        "output differs from '%s'; if the change is intended, rerun with TERN_TEST_REGENERATE=1 and review the diff",
        path);
    ternTestPrintDiff(expected, actual, path);
    return false;
}

bool
ternTestCompareErrorToFile(const GError *err, const char *path)
{
    g_autofree char *message = g_strdup_printf("%s\n", err->message);

    return ternTestCompareToFile(message, path);
}

static gint
ternTestCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
ternTestDataListStems(const char *dir, const char *prefix, const char *suffix)
{
    g_autofree char *path = ternTestDataPath(dir, NULL);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) stems = g_ptr_array_new_with_free_func(g_free);
    const char *file;

    if (!d) {
        g_printerr("cannot list test data directory '%s'\n", path);
        return NULL;
    }
    while ((file = g_dir_read_name(d))) {
        if ((!prefix || g_str_has_prefix(file, prefix)) && g_str_has_suffix(file, suffix))
            g_ptr_array_add(stems, g_strndup(file, strlen(file) - strlen(suffix)));
    }
    g_ptr_array_sort(stems, ternTestCompareNames);
    return g_steal_pointer(&stems);
}

bool
ternTestAddFailCases(const char *dir, const char *inputSuffix, const char *pathPrefix,
                     GTestDataFunc func)
{
    g_autoptr(GPtrArray) stems = ternTestDataListStems(dir, "fail-", inputSuffix);

    if (!stems)
        return false;
    for (size_t i = 0; i < stems->len; i++) {
        const char *stem = g_ptr_array_index(stems, i);
        g_autofree char *path = g_strdup_printf("%s/%s", pathPrefix, stem);

        g_test_add_data_func_full(path, g_strdup(stem), func, g_free);
    }
    return true;
}

/* Whether @file is one half of a complete fail-NAME@inputSuffix / fail-NAME.err pair. */
static bool
ternTestIsFailCaseFile(const char *dir, const char *file, const char *stem, const char *inputSuffix)
{
    g_autofree char *inFile = g_strdup_printf("%s%s", stem, inputSuffix);
    g_autofree char *errFile = g_strdup_printf("%s.err", stem);
    g_autofree char *inPath = g_build_filename(dir, inFile, NULL);
    g_autofree char *errPath = g_build_filename(dir, errFile, NULL);

    return (g_str_has_suffix(file, inputSuffix) || g_str_has_suffix(file, ".err")) &&
           g_file_test(inPath, G_FILE_TEST_EXISTS) &&
           (g_file_test(errPath, G_FILE_TEST_EXISTS) || ternTestRegenerate());
}

void
ternTestCheckNoOrphans(const char *dir, const char *inputSuffix, ternTestDataFileKnown known,
                       gconstpointer opaque)
{
    g_autofree char *path = ternTestDataPath(dir, NULL);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *file;

    g_assert_nonnull(d);
    while ((file = g_dir_read_name(d))) {
        const char *dot = strrchr(file, '.');
        g_autofree char *stem = dot ? g_strndup(file, dot - file) : g_strdup(file);
        bool belongs = g_str_has_prefix(file, "fail-")
                           ? ternTestIsFailCaseFile(path, file, stem, inputSuffix)
                           : known(file, stem, opaque);

        if (!belongs) {
            g_test_message("'%s' in '%s' belongs to no test case", file, path);
            g_test_fail();
        }
    }
}

void
ternTestRecorderInit(ternTestRecorder *rec)
{
    g_mutex_init(&rec->lock);
    g_cond_init(&rec->cond);
    rec->seen = g_ptr_array_new_with_free_func(g_free);
    rec->freed = 0;
}

void
ternTestRecorderClear(ternTestRecorder *rec)
{
    g_ptr_array_unref(rec->seen);
    g_cond_clear(&rec->cond);
    g_mutex_clear(&rec->lock);
}

ternTestRecorder *
ternTestRecorderNew(void)
{
    ternTestRecorder *rec = g_new0(ternTestRecorder, 1);

    ternTestRecorderInit(rec);
    return rec;
}

void
ternTestRecorderFree(ternTestRecorder *rec)
{
    ternTestRecorderClear(rec);
    g_free(rec);
}

void
ternTestRecorderAdd(ternTestRecorder *rec, char *line)
{
    g_mutex_lock(&rec->lock);
    g_ptr_array_add(rec->seen, line);
    g_cond_broadcast(&rec->cond);
    g_mutex_unlock(&rec->lock);
}

void
ternTestRecorderFreed(void *opaque)
{
    ternTestRecorder *rec = opaque;

    g_mutex_lock(&rec->lock);
    rec->freed++;
    g_cond_broadcast(&rec->cond);
    g_mutex_unlock(&rec->lock);
}

bool
ternTestRecorderWait(ternTestRecorder *rec, guint n)
{
    gint64 deadline = g_get_monotonic_time() + TERN_TEST_WAIT_US;
    bool ok = true;

    g_mutex_lock(&rec->lock);
    while (rec->seen->len < n && ok)
        ok = g_cond_wait_until(&rec->cond, &rec->lock, deadline) || rec->seen->len >= n;
    g_mutex_unlock(&rec->lock);
    return ok;
}

int
ternTestRecorderWaitFreed(ternTestRecorder *rec, int n)
{
    gint64 deadline = g_get_monotonic_time() + TERN_TEST_WAIT_US;
    int freed;

    g_mutex_lock(&rec->lock);
    while (rec->freed < n) {
        if (!g_cond_wait_until(&rec->cond, &rec->lock, deadline))
            break;
    }
    freed = rec->freed;
    g_mutex_unlock(&rec->lock);
    return freed;
}

char *
ternTestRecorderJoin(ternTestRecorder *rec, const char *sep)
{
    g_autoptr(GString) out = g_string_new(NULL);

    g_mutex_lock(&rec->lock);
    for (guint i = 0; i < rec->seen->len; i++)
        g_string_append_printf(out, "%s%s", i ? sep : "", (char *)g_ptr_array_index(rec->seen, i));
    g_mutex_unlock(&rec->lock);
    return g_string_free(g_steal_pointer(&out), FALSE);
}
