/* testutilslibtern.h: checks on libtern's last error, shared by the tests of its public API */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "tern/tern.h"

/* The last error is @code with exactly @message (or any message when NULL). */
static inline void
assertLastError(int code, const char *message)
{
    ternError *err = ternGetLastError();

    g_assert_nonnull(err);
    if (err->code != code || (message && g_strcmp0(err->message, message) != 0))
        g_test_message("last error: code %d, '%s'", err->code, err->message);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->level, ==, TERN_ERR_ERROR);
    g_assert_nonnull(err->message);
    if (message)
        g_assert_cmpstr(err->message, ==, message);
    g_assert_cmpstr(ternGetLastErrorMessage(), ==, err->message);
}
