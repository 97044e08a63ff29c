/* qemu_monitor_json.h: QMP command builders and reply/event decoders, pure functions over json-c */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Everything here is a pure function: no I/O, no locks, no global state, so
 * each one is unit-tested (and fuzzed) on its own. qemu_monitor.c calls them;
 * the rest of the driver uses the typed API of qemu_monitor.h and never sees
 * a json_object.
 *
 * Validation (docs/style.md G12): every decoder starts from untrusted JSON
 * and checks each member it reads with a named check (TERN_JSON_REQUIRE /
 * TERN_JSON_OPTIONAL) before using it. A decoder either returns a fully
 * validated value or fails with TERN_ERR_INTERNAL_ERROR in TERN_FROM_QEMU and
 * a message naming what was being decoded and the member, e.g.
 * "internal error: invalid query-migrate reply from QEMU: member 'ram.total'
 * has type string, expected int". Decoders never keep references to their
 * input; "borrowed" results point into it and live as long as it does.
 *
 * Builders validate their C arguments (G3: a caller may be a remote client)
 * and fail with TERN_ERR_INVALID_ARG.
 */

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "qemu/qemu_monitor.h"

/* ---- named checks ---------------------------------------------------------------------- */

/*
 * qemuMonitorJSONRequire: the member @key of the object @obj, which must be
 * present and of @type (json_type_double accepts an int too: QMP "number").
 * Returns it borrowed, or NULL with *error. @what names the decoded thing for
 * the message ("query-migrate reply"); @key may be a dotted path for the
 * message only when @obj is the nested object ("ram.total" is looked up as
 * "total" in @obj when @prefix is "ram").
 */
json_object *qemuMonitorJSONRequire(json_object *obj, const char *prefix, const char *key,
                                    json_type type, const char *what, GError **error);

/*
 * qemuMonitorJSONOptional: like qemuMonitorJSONRequire, but a missing member
 * (or a JSON null) is not an error: *ret is set to NULL and true returned.
 * A member of the wrong type fails.
 */
bool qemuMonitorJSONOptional(json_object *obj, const char *prefix, const char *key, json_type type,
                             const char *what, json_object **ret, GError **error);

#define TERN_JSON_REQUIRE(obj, key, type, what, error)                                             \
    qemuMonitorJSONRequire((obj), NULL, (key), (type), (what), (error))
#define TERN_JSON_OPTIONAL(obj, key, type, what, ret, error)                                       \
    qemuMonitorJSONOptional((obj), NULL, (key), (type), (what), (ret), (error))

/*
 * qemuMonitorJSONGetUInt: the value of the int @val as an unsigned number;
 * fails (naming @prefix.@key in @what) if it is negative.
 */
bool qemuMonitorJSONGetUInt(json_object *val, const char *prefix, const char *key, const char *what,
                            unsigned long long *ret, GError **error);

/* ---- framing: one QMP line ------------------------------------------------------------- */

typedef enum {
    QEMU_MONITOR_JSON_MESSAGE_GREETING, /* {"QMP": {...}} */
    QEMU_MONITOR_JSON_MESSAGE_EVENT,    /* {"event": "...", "timestamp": {...}, "data": {...}} */
    QEMU_MONITOR_JSON_MESSAGE_REPLY,    /* {"return": ..., "id": ...} or {"error": {...}, ...} */

    QEMU_MONITOR_JSON_MESSAGE_LAST
} qemuMonitorJSONMessageKind;

/*
 * qemuMonitorJSONDecodeLine: decode one QMP line (@len bytes, no newline, no
 * NUL needed; a trailing '\r' is ignored) into a JSON object. Fails on a line
 * longer than QEMU_MONITOR_MAX_LINE, an embedded NUL, invalid or truncated
 * JSON, trailing bytes after the value, nesting deeper than 64, or a value
 * that is not an object. Returns a new reference.
 */
json_object *qemuMonitorJSONDecodeLine(const char *line, size_t len, GError **error);

/*
 * qemuMonitorJSONClassify: which kind of message @msg is. For a reply,
 * *retId is its "id" (borrowed; NULL when absent). Fails for an object that
 * is none of the three, or a reply whose id is not a string.
 */
bool qemuMonitorJSONClassify(json_object *msg, qemuMonitorJSONMessageKind *retKind,
                             const char **retId, GError **error);

/* qemuMonitorJSONParseGreeting: the version of a greeting (validated). */
bool qemuMonitorJSONParseGreeting(json_object *msg, qemuMonitorVersion *ret, GError **error);

/*
 * qemuMonitorJSONReplyGetReturn: the "return" member of the reply @reply to
 * @cmd (a new reference), or, for an error reply, NULL with the error as
 * described at qemuMonitorCommand (class in *retErrorClass when not NULL:
 * -1 for a class not in the table).
 */
json_object *qemuMonitorJSONReplyGetReturn(const char *cmd, json_object *reply, int *retErrorClass,
                                           GError **error);

/*
 * qemuMonitorJSONMakeCommand: the wire object {"execute": @cmd, "arguments":
 * @args, "id": @id}. @args (an object or NULL) is stolen in every case. @cmd
 * must be a plausible QMP command name ([a-zA-Z0-9_-], 1..64 chars).
 */
json_object *qemuMonitorJSONMakeCommand(const char *cmd, json_object *args, const char *id,
                                        GError **error);

/* ---- events ---------------------------------------------------------------------------- */

/*
 * qemuMonitorJSONParseEvent: the name, data (borrowed; NULL if absent) and
 * timestamp of the event @msg. A missing or malformed timestamp gives 0/0
 * (QEMU always sends one; it is informational).
 */
bool qemuMonitorJSONParseEvent(json_object *msg, const char **retName, json_object **retData,
                               long long *retSeconds, unsigned int *retMicros, GError **error);

/* SHUTDOWN and RESET: {"guest": bool, "reason": ShutdownCause} */
bool qemuMonitorJSONParseEventShutdown(const char *event, json_object *data, bool *retGuest,
                                       qemuMonitorShutdownCause *retReason, GError **error);
/* MIGRATION: {"status": MigrationStatus} */
bool qemuMonitorJSONParseEventMigration(json_object *data, qemuMonitorMigrationStatus *ret,
                                        GError **error);
/* MIGRATION_PASS: {"pass": int} */
bool qemuMonitorJSONParseEventMigrationPass(json_object *data, unsigned int *ret, GError **error);

/* ---- command builders: each returns the "arguments" object (new reference) ----------- */

/* migrate: {"uri", "detach"?, "resume"?} */
json_object *qemuMonitorJSONBuildMigrate(const char *uri, unsigned int flags, GError **error);
/* migrate-incoming: {"uri"} */
json_object *qemuMonitorJSONBuildMigrateIncoming(const char *uri, GError **error);
/* getfd: {"fdname"} */
json_object *qemuMonitorJSONBuildGetFD(const char *fdname, GError **error);
/* migrate-set-capabilities: {"capabilities": [{"capability", "state"}...]} for bits of @which */
json_object *qemuMonitorJSONBuildMigrateSetCapabilities(unsigned long long which,
                                                        unsigned long long enabled, GError **error);
/* migrate-set-parameters: the members of @params whose has... flag is set (range-checked) */
json_object *qemuMonitorJSONBuildMigrateSetParams(const qemuMonitorMigrationParams *params,
                                                  GError **error);

/* ---- reply decoders: @ret is the "return" member ------------------------------------- */

/* commands returning {} (cont, stop, quit, migrate, ...): @ret must be an object */
bool qemuMonitorJSONParseEmptyReply(const char *cmd, json_object *ret, GError **error);
/* query-status */
bool qemuMonitorJSONParseQueryStatus(json_object *ret, qemuMonitorStatus *out, GError **error);
/* query-cpus-fast: a new list (at least one vCPU, at most 4096) */
qemuMonitorCPUList *qemuMonitorJSONParseQueryCPUsFast(json_object *ret, GError **error);
/* query-balloon: "actual" in bytes */
bool qemuMonitorJSONParseQueryBalloon(json_object *ret, unsigned long long *retActual,
                                      GError **error);
/* query-migrate: fills *out (cleared first; the caller owns the strings) */
bool qemuMonitorJSONParseQueryMigrate(json_object *ret, qemuMonitorMigrationStats *out,
                                      GError **error);
/*
 * query-migrate-parameters (and, for tests, the arguments of
 * migrate-set-parameters, which have the same members): fills *out (cleared
 * first). Members this table does not know are ignored.
 */
bool qemuMonitorJSONParseMigrationParams(const char *what, json_object *ret,
                                         qemuMonitorMigrationParams *out, GError **error);
/*
 * query-migrate-capabilities (and the "capabilities" array of
 * migrate-set-capabilities): masks of the known and of the enabled
 * capabilities; unknown capability names are skipped.
 */
bool qemuMonitorJSONParseMigrationCapabilities(const char *what, json_object *ret,
                                               unsigned long long *retKnown,
                                               unsigned long long *retEnabled, GError **error);
