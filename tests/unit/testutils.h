/* testutils.h: helpers shared by the unit tests: test data paths and golden files */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <glib.h>

/*
 * ternTestDataDir: the root of tests/data: $TERN_TEST_DATA (set by meson
 * test), else the source tree path compiled in. Never NULL.
 */
const char *ternTestDataDir(void);

/*
 * ternTestDataPath: ternTestDataDir() joined with the NULL-terminated path
 * elements. Caller frees.
 */
char *ternTestDataPath(const char *first, ...) G_GNUC_NULL_TERMINATED;

/* ternTestRegenerate: true when TERN_TEST_REGENERATE=1 asks to rewrite goldens. */
bool ternTestRegenerate(void);

/*
 * ternTestCompareToFile: compare @actual with the contents of the golden
 * file @path. On a mismatch, print a unified diff (expected → actual) as
 * test messages and return false. With TERN_TEST_REGENERATE=1, write
 * @actual to @path instead and return true. The caller decides whether a
 * mismatch fails the test (usually: if (!...) g_test_fail()).
 */
bool ternTestCompareToFile(const char *actual, const char *path);
