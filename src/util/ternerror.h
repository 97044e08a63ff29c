/* ternerror.h: the one error contract of tern, and its mapping to libvirt's error numbers */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The error contract (read this before writing a function that can fail):
 *
 *  1. A function that can fail takes `GError **error` as its LAST parameter.
 *  2. It ALSO returns a failure indicator: false, NULL or a negative int.
 *     Callers test the return value, never *error.
 *  3. It sets *error exactly when it fails and never touches it on success.
 *  4. It either reports (sets *error) or logs, never both. Errors turn into
 *     text in three places only: the RPC dispatcher (remote_error on the
 *     wire), the public API (the thread-local last error) and main().
 *  5. error->domain is one of the quarks below, each standing for one
 *     libvirt VIR_FROM_* number; error->code is a ternErrorNumber whose
 *     values equal libvirt's VIR_ERR_*. So a GError crosses the wire as is.
 *  6. Messages name the object and the value, quote user strings, are one
 *     literal, and say what to do when there is something to do.
 *     ternErrorSet() prefixes the message the way libvirt does for the code
 *     ("Domain not found: ", "invalid argument: ", ...), so clients show the
 *     text libvirt users know.
 */

#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>

#include "tern/tern-error.h"

/**
 * ternErrorQuark: the GError domain standing for the libvirt error domain
 * @from. Never fails; unknown numbers get a quark of their own.
 */
GQuark ternErrorQuark(ternErrorDomain from);

/**
 * ternErrorDomainFromQuark: the libvirt error domain number of @quark
 * (TERN_FROM_NONE for quarks that are not ours, e.g. G_IO_ERROR).
 */
ternErrorDomain ternErrorDomainFromQuark(GQuark quark);

/**
 * ternErrorCodeOf: the ternErrorNumber of @err; errors of foreign domains
 * (GLib's) map to TERN_ERR_SYSTEM_ERROR or TERN_ERR_INTERNAL_ERROR.
 */
int ternErrorCodeOf(const GError *err);

/**
 * ternErrorPrefix: the text libvirt puts before a message of @code
 * (e.g. "Domain not found"), or NULL when the code has none.
 */
const char *ternErrorPrefix(ternErrorNumber code);

/**
 * ternErrorSet: fail with @code in @from; the message is
 * "<prefix>: <formatted>" (or just the formatted text when the code has no
 * prefix). Does nothing when @error is NULL.
 */
void ternErrorSet(GError **error, ternErrorDomain from, ternErrorNumber code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/**
 * ternErrorSetSystem: fail with TERN_ERR_SYSTEM_ERROR; the message is
 * "<formatted>: <strerror(errnum)>".
 */
void ternErrorSetSystem(GError **error, ternErrorDomain from, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/**
 * ternErrorSetLiteral: fail with @code and the exact text @message
 * (already complete, e.g. received from a peer). No prefix is added.
 */
void ternErrorSetLiteral(GError **error, ternErrorDomain from, ternErrorNumber code,
                         const char *message);

/* shorthands for the common cases */
#define ternReportInternal(error, from, ...)                                                     \
    ternErrorSet((error), (from), TERN_ERR_INTERNAL_ERROR, __VA_ARGS__)
#define ternReportNoSupport(error, from, func)                                                   \
    ternErrorSet((error), (from), TERN_ERR_NO_SUPPORT, "%s", (func))

/**
 * ternErrorCheckFlags: fail with TERN_ERR_INVALID_ARG if @flags has a bit
 * outside @supported; @func names the caller.
 */
bool ternErrorCheckFlags(unsigned int flags, unsigned int supported, const char *func,
                         GError **error);

/* --- the thread-local last error of the public API --- */

/** ternErrorSetLast: record @err as the calling thread's last error (copied). */
void ternErrorSetLast(const GError *err);

/** ternErrorSetLastFromWire: record an error received in full from a peer. */
void ternErrorSetLastFull(int code, int domain, const char *message, int level, const char *str1,
                          const char *str2, const char *str3, int int1, int int2);

/** ternErrorFromLast: a GError equal to the last error (or an internal error). */
GError *ternErrorFromLast(void);
