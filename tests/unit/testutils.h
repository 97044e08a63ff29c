/* testutils.h: helpers shared by the unit tests: test data, golden files, event recording */
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

/*
 * ternTestCompareErrorToFile: the golden check of a negative case: @err's
 * message, followed by a newline, against the golden file @path (as
 * ternTestCompareToFile).
 */
bool ternTestCompareErrorToFile(const GError *err, const char *path);

/*
 * Golden-file directories (docs: style G8): tests/data/DIR holds the
 * positive cases the test program lists in a table, and one negative case
 * per pair fail-NAME<input suffix> / fail-NAME.err, found by listing the
 * directory. No file may belong to no case.
 */

/*
 * ternTestDataListStems: the names of the files in tests/data/@dir that
 * start with @prefix (NULL: any) and end with @suffix, without @suffix, in
 * strcmp order: "fail-x.xml" gives "fail-x". NULL, after a message on
 * stderr, when the directory cannot be listed. Caller frees.
 */
GPtrArray *ternTestDataListStems(const char *dir, const char *prefix, const char *suffix);

/*
 * ternTestAddFailCases: add a test @pathPrefix/fail-NAME running @func for
 * each fail-NAME@inputSuffix in tests/data/@dir, in name order. @func gets
 * the stem "fail-NAME" (owned by the test case) as its data. False, after a
 * message on stderr, when the directory cannot be listed.
 */
bool ternTestAddFailCases(const char *dir, const char *inputSuffix, const char *pathPrefix,
                          GTestDataFunc func);

/*
 * ternTestDataFileKnown: whether @file of a golden-file directory belongs to
 * one of the caller's positive cases; @stem is @file up to its last '.'.
 */
typedef bool (*ternTestDataFileKnown)(const char *file, const char *stem, gconstpointer opaque);

/*
 * ternTestCheckNoOrphans: fail the running test, naming the file, for each
 * file in tests/data/@dir that belongs to no case, so none is silently
 * skipped. A fail-* file belongs to a negative case when it is
 * fail-NAME@inputSuffix or fail-NAME.err and both exist (with
 * TERN_TEST_REGENERATE=1 the .err may be missing); any other file when
 * @known(file, stem, @opaque) says so.
 */
void ternTestCheckNoOrphans(const char *dir, const char *inputSuffix, ternTestDataFileKnown known,
                            gconstpointer opaque);

/*
 * ternTestRecorder: what callbacks running on other threads saw, as text
 * lines in the order they came, and how often a freecb ran. Tests wait for
 * what they expect with a deadline (TERN_TEST_WAIT_US), never a fixed
 * sleep. seen and freed may be read directly once nothing adds any more.
 */
#define TERN_TEST_WAIT_US (10 * G_TIME_SPAN_SECOND)

typedef struct {
    GMutex lock;
    GCond cond;
    GPtrArray *seen; /* char *, in the order added */
    int freed;       /* ternTestRecorderFreed calls */
} ternTestRecorder;

void ternTestRecorderInit(ternTestRecorder *rec);
void ternTestRecorderClear(ternTestRecorder *rec);
ternTestRecorder *ternTestRecorderNew(void);
void ternTestRecorderFree(ternTestRecorder *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternTestRecorder, ternTestRecorderFree)

/* ternTestRecorderAdd: append @line (taken) and wake the waiters. */
void ternTestRecorderAdd(ternTestRecorder *rec, char *line);

/* ternTestRecorderFreed: a freecb for @rec (a ternTestRecorder *): counts the call. */
void ternTestRecorderFreed(void *rec);

/* ternTestRecorderWait: wait until @rec holds @n lines; false on timeout. */
bool ternTestRecorderWait(ternTestRecorder *rec, guint n);

/*
 * ternTestRecorderWaitFreed: wait until the freecb ran @n times (or the
 * deadline passed); returns how often it ran.
 */
int ternTestRecorderWaitFreed(ternTestRecorder *rec, int n);

/* ternTestRecorderJoin: the lines so far, joined with @sep. Caller frees. */
char *ternTestRecorderJoin(ternTestRecorder *rec, const char *sep);
