/* testutils.c: helpers shared by the unit tests: test data paths and golden files */
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
