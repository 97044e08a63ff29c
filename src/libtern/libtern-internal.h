/* libtern-internal.h: what the public entry points of libtern share: init and argument checks */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every public function follows the same steps: reset the thread's last
 * error, check its arguments with the helpers below, refuse changes on a
 * read-only connection, call the driver method with a GError, and on
 * failure turn that GError into the thread's last error. The helpers report
 * (set the last error) and return false; the caller returns its failure
 * value. Messages are libvirt's, with the tern function name, so users see
 * "invalid argument: name in ternDomainLookupByName must not be NULL".
 */

#include <glib.h>
#include <stdbool.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/driver.h"
#include "util/ternerror.h"

/**
 * ternLibInitialize: register the drivers connections are opened with, in
 * the order they are tried: the in-process test driver, then the remote
 * driver (it claims every daemon URI). Runs once per process; thread-safe;
 * never fails, never blocks for long.
 */
void ternLibInitialize(void);

/** ternLibCheckConn: false (last error TERN_ERR_INVALID_CONN) unless @conn is usable. */
bool ternLibCheckConn(ternConnect *conn, const char *func);

/** ternLibCheckDomain: false (last error TERN_ERR_INVALID_DOMAIN) unless @dom is usable. */
bool ternLibCheckDomain(ternDomain *dom, const char *func);

/**
 * ternLibCheckDomainWritable: ternLibCheckDomain, then ternLibCheckReadWrite
 * of its connection: the check of every call that changes a domain.
 */
bool ternLibCheckDomainWritable(ternDomain *dom, const char *func);

/**
 * ternLibCheckMethod: false (last error TERN_ERR_NO_SUPPORT, as
 * ternLibReportNoSupport) unless @implemented, which says whether the
 * driver of @conn has the method @func calls. Call it after the handle
 * checks: `... || !ternLibCheckMethod(dom->conn, dom->conn->driver->x != NULL, __func__)`.
 */
bool ternLibCheckMethod(ternConnect *conn, bool implemented, const char *func);

/**
 * ternLibCheckReadWrite: false (last error TERN_ERR_OPERATION_DENIED,
 * "read only access prevents FUNC") if @conn was opened read-only.
 */
bool ternLibCheckReadWrite(ternConnect *conn, const char *func);

/**
 * ternLibCheckNonNull: false (last error TERN_ERR_INVALID_ARG, "ARG in
 * FUNC must not be NULL", in error domain @from) if @ptr is NULL.
 */
bool ternLibCheckNonNull(const void *ptr, const char *arg, const char *func, ternErrorDomain from);

/** ternLibReportInvalidArg: record TERN_ERR_INVALID_ARG with the formatted text. */
void ternLibReportInvalidArg(ternErrorDomain from, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** ternLibReportNoSupport: record TERN_ERR_NO_SUPPORT for the missing driver method of @func. */
void ternLibReportNoSupport(ternConnect *conn, const char *func);

/**
 * ternLibReportError: record @err (which the driver set) as the thread's
 * last error; an unset @err becomes an internal error. Does not free @err.
 */
void ternLibReportError(const GError *err);
