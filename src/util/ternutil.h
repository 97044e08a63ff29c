/* ternutil.h: small helpers shared by every layer: fds, UUIDs, atomic files */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/** ternForceClose: close @fd if >= 0, preserving errno. Returns -1. */
int ternForceClose(int fd);

static inline void
ternForceClosePtr(int *fd)
{
    ternForceClose(*fd);
}

/* An fd closed at end of scope unless handed on with g_steal_fd(). */
#define TERN_AUTOCLOSE __attribute__((cleanup(ternForceClosePtr))) int

#define TERN_UUID_RAW_LEN 16
#define TERN_UUID_STR_LEN 37

/** ternUUIDParse: parse the 36-character form (dashes optional). */
bool ternUUIDParse(const char *str, unsigned char *uuid);
/** ternUUIDFormat: write the lowercase 36-character form plus NUL into @buf. */
void ternUUIDFormat(const unsigned char *uuid, char *buf);
/** ternUUIDGenerate: a random (version 4) UUID. */
void ternUUIDGenerate(unsigned char *uuid);
/** ternUUIDIsNull: all 16 bytes zero. */
bool ternUUIDIsNull(const unsigned char *uuid);

/**
 * ternFileWriteAtomic: replace @path with @data (write to a temporary file
 * in the same directory, fsync, rename). @mode as for open().
 */
bool ternFileWriteAtomic(const char *path, const char *data, gsize len, int mode,
                         GError **error);

/** ternMakeDirs: create @path and its parents with @mode. */
bool ternMakeDirs(const char *path, int mode, GError **error);

/**
 * ternAtomicRefTryInc: take one more reference on a count that may be
 * dropping to zero on another thread; fails (and takes nothing) once it is
 * zero, i.e. once the object is being freed.
 */
static inline bool
ternAtomicRefTryInc(gint *refs)
{
    for (;;) {
        gint n = g_atomic_int_get(refs);

        if (n <= 0)
            return false;
        if (g_atomic_int_compare_and_exchange(refs, n, n + 1))
            return true;
    }
}

/** ternMonotonicMs: CLOCK_MONOTONIC in milliseconds. */
gint64 ternMonotonicMs(void);
