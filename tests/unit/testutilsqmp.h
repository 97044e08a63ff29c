/* testutilsqmp.h: a fake QEMU that replays a QMP transcript on a socketpair, and QEMU's schema */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * TRANSCRIPT FORMAT (tests/data/qmp/NAME.txt, tests/data/qmp/qemu-VERSION/NAME.txt[.gz])
 *
 * One directive per line, played from top to bottom by the fake QEMU; lines
 * starting with '#' and blank lines are ignored. Files ending in .gz are
 * gunzipped first. scripts/qmp-record writes S:, C:, !fd, R: and !eof.
 *
 *   S: <json>       QEMU sends this line as is (the greeting, an event).
 *   C: <json>       The client must now send a command whose "execute" and
 *                   "arguments" equal these (compared as JSON values; the
 *                   client's "id" is remembered, the transcript's ignored).
 *                   With a schema loaded, the command the client really sent
 *                   must also be valid for QEMU (command and arguments).
 *   !fd             The command just read must have come with a file
 *                   descriptor (SCM_RIGHTS); the fake closes it.
 *   R: <json>       QEMU answers the latest command: the line is sent with
 *                   its "id" replaced by the id that command carried. With a
 *                   schema, a "return" must match the command's ret-type.
 *   R@<n>: <json>   The same for the n-th C: line of the transcript
 *                   (1-based): replies out of order.
 *   !raw <text>     Send <text> and a newline byte for byte (garbage JSON,
 *                   non-objects, replies to ids nobody sent...).
 *   !partial <text> Send <text> without a newline.
 *   !split <n>      Send the next S:/R: line in pieces of <n> bytes, pausing
 *                   1 ms between pieces so that they arrive in several reads.
 *   !oversize <n>   Send a line of <n> bytes (a JSON object holding one long
 *                   string) and its newline, ignoring a peer that gives up.
 *   !eof            Close the connection: the conversation ends here.
 *   !silence        Say nothing more; wait for the client to close, ignoring
 *                   whatever it sends (a command that will time out).
 *
 * After the last directive (without !eof or !silence) the fake reads until
 * the client closes; a command it receives then is a failure ("unexpected
 * command"). Any mismatch is recorded, the connection shut down (so the
 * monitor under test sees EOF) and reported by ternTestQMPFinish().
 */

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>

#ifndef TERN_JSON_OBJECT_AUTOPTR
#define TERN_JSON_OBJECT_AUTOPTR
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

typedef enum {
    TERN_TEST_QMP_SEND,     /* S: */
    TERN_TEST_QMP_COMMAND,  /* C: */
    TERN_TEST_QMP_REPLY,    /* R: and R@n: */
    TERN_TEST_QMP_FD,       /* !fd */
    TERN_TEST_QMP_RAW,      /* !raw */
    TERN_TEST_QMP_PARTIAL,  /* !partial */
    TERN_TEST_QMP_SPLIT,    /* !split */
    TERN_TEST_QMP_OVERSIZE, /* !oversize */
    TERN_TEST_QMP_EOF,      /* !eof */
    TERN_TEST_QMP_SILENCE,  /* !silence */
} ternTestQMPLineKind;

typedef struct {
    ternTestQMPLineKind kind;
    unsigned int lineno; /* in the file */
    char *text;          /* the rest of the line (JSON or raw text) */
    json_object *json;   /* S:, C:, R:: the parsed text */
    long n;              /* R@n: the command ordinal (0: the latest); !split/!oversize: n */
} ternTestQMPLine;

/* ---- QEMU's schema (the reply to query-qmp-schema) ------------------------------------- */

typedef struct _ternTestQMPSchema ternTestQMPSchema;

/*
 * ternTestQMPSchemaLoad: read a transcript (.txt or .txt.gz) holding a
 * query-qmp-schema command and its reply, and index the schema.
 */
ternTestQMPSchema *ternTestQMPSchemaLoad(const char *path, GError **error);
void ternTestQMPSchemaFree(ternTestQMPSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternTestQMPSchema, ternTestQMPSchemaFree)

/*
 * ternTestQMPSchemaCheckCommand: whether QEMU would accept @cmd with @args
 * (NULL: none): the command exists, every argument is a member of its
 * arg-type with a value of the member's type (recursively: enums, arrays,
 * objects, alternates, flat unions), and every mandatory member is present.
 */
bool ternTestQMPSchemaCheckCommand(const ternTestQMPSchema *schema, const char *cmd,
                                   json_object *args, GError **error);
/* ternTestQMPSchemaCheckReturn: whether @ret is a valid "return" of @cmd. */
bool ternTestQMPSchemaCheckReturn(const ternTestQMPSchema *schema, const char *cmd,
                                  json_object *ret, GError **error);
/* ternTestQMPSchemaCheckEvent: whether @name is an event and @data (NULL: none) its data. */
bool ternTestQMPSchemaCheckEvent(const ternTestQMPSchema *schema, const char *name,
                                 json_object *data, GError **error);
/*
 * ternTestQMPSchemaEnumValues: the values of the enum type of member
 * @member of @entity's arg-type (@ret false) or ret-type (@ret true; the
 * element type for an array). NULL if there is no such enum. Borrowed.
 */
json_object *ternTestQMPSchemaEnumValues(const ternTestQMPSchema *schema, const char *entity,
                                         bool ret, const char *member);

/* ---- the fake QEMU ------------------------------------------------------------------- */

typedef struct _ternTestQMP ternTestQMP;

/* ternTestQMPNew: load the transcript at @path (.gz allowed). */
ternTestQMP *ternTestQMPNew(const char *path, GError **error);
/* ternTestQMPNewFromString: a transcript given as text; @name appears in messages. */
ternTestQMP *ternTestQMPNewFromString(const char *name, const char *text, GError **error);
/* ternTestQMPFree: joins the fake's thread if still running (call Finish first). */
void ternTestQMPFree(ternTestQMP *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternTestQMP, ternTestQMPFree)

/* The parsed directives, for data-driven tests. Borrowed. */
const GPtrArray *ternTestQMPGetLines(const ternTestQMP *fake);

/* ternTestQMPSetSchema: check commands, returns and events against @schema (borrowed). */
void ternTestQMPSetSchema(ternTestQMP *fake, const ternTestQMPSchema *schema);

/*
 * ternTestQMPStart: create the socketpair, start playing on a thread of its
 * own ("fake-qemu") and return the client's end (the caller owns it; hand it
 * to qemuMonitorOpenFD).
 */
int ternTestQMPStart(ternTestQMP *fake);

/* ternTestQMPStartOnFD: play on the connected socket @fd (the fake owns it). */
void ternTestQMPStartOnFD(ternTestQMP *fake, int fd);

/*
 * ternTestQMPWaitReached: block until the fake has played the directive at
 * file line @lineno (or stopped), at most @timeoutMs. For tests that must
 * act only after QEMU "said" something.
 */
bool ternTestQMPWaitReached(ternTestQMP *fake, unsigned int lineno, int timeoutMs);

/*
 * ternTestQMPFinish: wait for the fake to end (the client must have closed
 * its end, or the transcript ended with !eof) and report: false with every
 * mismatch in *error, or when directives were left unplayed.
 */
bool ternTestQMPFinish(ternTestQMP *fake, GError **error);
