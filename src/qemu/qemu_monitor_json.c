/* qemu_monitor_json.c: QMP command builders and reply/event decoders, pure functions over json-c */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "qemu/qemu_monitor_json.h"
#include "util/ternerror.h"

/* Deeper nesting than this is refused: QMP replies tern reads nest 4 levels at most. */
#define QEMU_MONITOR_JSON_MAX_DEPTH 64
/* More vCPUs than this in query-cpus-fast is not a VM tern created. */
#define QEMU_MONITOR_JSON_MAX_CPUS 4096
/* Longest command name accepted by qemuMonitorJSONMakeCommand. */
#define QEMU_MONITOR_JSON_MAX_COMMAND 64
/* Longest migration URI and fd name the builders accept. */
#define QEMU_MONITOR_JSON_MAX_URI 4096
#define QEMU_MONITOR_JSON_MAX_FDNAME 255
/* More capabilities than this in a reply is not QEMU. */
#define QEMU_MONITOR_JSON_MAX_CAPS 256

/* ---- enum tables (G6) ---------------------------------------------------------------- */

/*
 * One string per value, in enum order, checked by a static assert so that a
 * value added to the enum without its string breaks the build.
 */
#define QEMU_MONITOR_ENUM_IMPL(type, last, ...)                                                    \
    static const char *const type##Strings[] = {__VA_ARGS__};                                      \
    G_STATIC_ASSERT(G_N_ELEMENTS(type##Strings) == (last));                                        \
    const char *type##ToString(type value)                                                         \
    {                                                                                              \
        if ((int)value < 0 || (int)value >= (int)(last))                                           \
            return NULL;                                                                           \
        return type##Strings[value];                                                               \
    }                                                                                              \
    int type##FromString(const char *str)                                                          \
    {                                                                                              \
        for (size_t i = 0; str && i < G_N_ELEMENTS(type##Strings); i++) {                          \
            if (strcmp(type##Strings[i], str) == 0)                                                \
                return (int)i;                                                                     \
        }                                                                                          \
        return -1;                                                                                 \
    }

QEMU_MONITOR_ENUM_IMPL(qemuMonitorVMStatus, QEMU_MONITOR_VM_STATUS_LAST, "debug", "inmigrate",
                       "internal-error", "io-error", "paused", "postmigrate", "prelaunch",
                       "finish-migrate", "restore-vm", "running", "save-vm", "shutdown",
                       "suspended", "watchdog", "guest-panicked", "colo")

QEMU_MONITOR_ENUM_IMPL(qemuMonitorMigrationStatus, QEMU_MONITOR_MIGRATION_STATUS_LAST, "none",
                       "setup", "cancelling", "cancelled", "active", "postcopy-active",
                       "postcopy-paused", "postcopy-recover", "completed", "failed", "colo",
                       "pre-switchover", "device", "wait-unplug")

QEMU_MONITOR_ENUM_IMPL(qemuMonitorShutdownCause, QEMU_MONITOR_SHUTDOWN_CAUSE_LAST, "none",
                       "host-error", "host-qmp-quit", "host-qmp-system-reset", "host-signal",
                       "host-ui", "guest-shutdown", "guest-reset", "guest-panic", "subsystem-reset",
                       "snapshot-load")

/* x-colo and x-ignore-shared (unstable in QEMU) are left out on purpose */
QEMU_MONITOR_ENUM_IMPL(qemuMonitorMigrationCap, QEMU_MONITOR_MIGRATION_CAP_LAST, "xbzrle",
                       "rdma-pin-all", "auto-converge", "zero-blocks", "compress", "events",
                       "postcopy-ram", "release-ram", "block", "return-path",
                       "pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime",
                       "late-block-activate", "validate-uuid", "background-snapshot",
                       "zero-copy-send", "postcopy-preempt")
G_STATIC_ASSERT(QEMU_MONITOR_MIGRATION_CAP_LAST <= 64);

QEMU_MONITOR_ENUM_IMPL(qemuMonitorMultifdCompression, QEMU_MONITOR_MULTIFD_COMPRESSION_LAST, "none",
                       "zlib", "zstd")

QEMU_MONITOR_ENUM_IMPL(qemuMonitorErrorClass, QEMU_MONITOR_ERROR_CLASS_LAST, "GenericError",
                       "CommandNotFound", "DeviceNotActive", "DeviceNotFound", "KVMMissingCap")

/* ---- named checks ---------------------------------------------------------------------- */

static const char *
qemuMonitorJSONTypeName(json_type type)
{
    return type == json_type_double ? "number" : json_type_to_name(type);
}

static bool
qemuMonitorJSONTypeMatches(json_object *val, json_type type)
{
    json_type actual = json_object_get_type(val);

    if (type == json_type_double)
        return actual == json_type_double || actual == json_type_int;
    return actual == type;
}

json_object *
qemuMonitorJSONRequire(json_object *obj, const char *prefix, const char *key, json_type type,
                       const char *what, GError **error)
{
    json_object *val = NULL;

    if (!qemuMonitorJSONOptional(obj, prefix, key, type, what, &val, error))
        return NULL;
    if (!val) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member '%s%s%s' is missing", what, prefix ? prefix : "",
                     prefix ? "." : "", key);
        return NULL;
    }
    return val;
}

bool
qemuMonitorJSONOptional(json_object *obj, const char *prefix, const char *key, json_type type,
                        const char *what, json_object **ret, GError **error)
{
    json_object *val = NULL;

    if (!json_object_is_type(obj, json_type_object)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: '%s' has type %s, expected object", what,
                     prefix ? prefix : "return", json_type_to_name(json_object_get_type(obj)));
        return false;
    }
    /* json-c stores a JSON null as a NULL member: both mean "absent" here */
    if (!json_object_object_get_ex(obj, key, &val) || !val) {
        *ret = NULL;
        return true;
    }
    if (!qemuMonitorJSONTypeMatches(val, type)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member '%s%s%s' has type %s, expected %s", what,
                     prefix ? prefix : "", prefix ? "." : "", key,
                     json_type_to_name(json_object_get_type(val)), qemuMonitorJSONTypeName(type));
        return false;
    }
    *ret = val;
    return true;
}

bool
qemuMonitorJSONGetUInt(json_object *val, const char *prefix, const char *key, const char *what,
                       unsigned long long *ret, GError **error)
{
    int64_t v;

    if (!json_object_is_type(val, json_type_int)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member '%s%s%s' has type %s, expected int", what,
                     prefix ? prefix : "", prefix ? "." : "", key,
                     json_type_to_name(json_object_get_type(val)));
        return false;
    }
    /* json-c keeps integers above INT64_MAX as uint64: read those unsigned */
    v = json_object_get_int64(val);
    if (v < 0) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member '%s%s%s' is negative (%lld)", what,
                     prefix ? prefix : "", prefix ? "." : "", key, (long long)v);
        return false;
    }
    if (v == INT64_MAX)
        *ret = json_object_get_uint64(val);
    else
        *ret = (unsigned long long)v;
    return true;
}

/* qemuMonitorJSONRequireUInt: a required non-negative int member, at most @max. */
static bool
qemuMonitorJSONRequireUInt(json_object *obj, const char *prefix, const char *key,
                           unsigned long long max, const char *what, unsigned long long *ret,
                           GError **error)
{
    json_object *val = qemuMonitorJSONRequire(obj, prefix, key, json_type_int, what, error);
    unsigned long long v;

    if (!val || !qemuMonitorJSONGetUInt(val, prefix, key, what, &v, error))
        return false;
    if (v > max) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member '%s%s%s' is out of range (%llu > %llu)", what,
                     prefix ? prefix : "", prefix ? "." : "", key, v, max);
        return false;
    }
    *ret = v;
    return true;
}

/* qemuMonitorJSONRequireEnum: a required string member that must be in a table. */
static bool
qemuMonitorJSONRequireEnum(json_object *obj, const char *key, int (*fromString)(const char *),
                           const char *what, int *ret, GError **error)
{
    json_object *val = TERN_JSON_REQUIRE(obj, key, json_type_string, what, error);
    int v;

    if (!val)
        return false;
    if ((v = fromString(json_object_get_string(val))) < 0) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: unknown %s '%s'", what, key,
                     json_object_get_string(val));
        return false;
    }
    *ret = v;
    return true;
}

/* ---- framing --------------------------------------------------------------------------- */

json_object *
qemuMonitorJSONDecodeLine(const char *line, size_t len, GError **error)
{
    json_tokener *tok = NULL;
    json_object *obj = NULL;
    enum json_tokener_error jerr;
    size_t end;

    if (len > QEMU_MONITOR_MAX_LINE) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "QEMU monitor line of %zu bytes exceeds the limit of %d bytes", len,
                     QEMU_MONITOR_MAX_LINE);
        return NULL;
    }
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (memchr(line, '\0', len)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "QEMU monitor sent a line containing a NUL byte");
        return NULL;
    }

    tok = json_tokener_new_ex(QEMU_MONITOR_JSON_MAX_DEPTH);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, line, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);

    if (!obj) {
        /* a bare number or literal is also "continue": json-c waits for a delimiter */
        const char *why = jerr == json_tokener_continue || jerr == json_tokener_success
                              ? "truncated value"
                              : json_tokener_error_desc(jerr);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "QEMU monitor sent invalid JSON: %s at offset %zu", why, end);
        return NULL;
    }
    for (; end < len; end++) {
        if (!g_ascii_isspace(line[end])) {
            json_object_put(obj);
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "QEMU monitor sent invalid JSON: trailing bytes at offset %zu", end);
            return NULL;
        }
    }
    if (!json_object_is_type(obj, json_type_object)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "QEMU monitor sent a JSON %s, expected an object",
                     json_type_to_name(json_object_get_type(obj)));
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

bool
qemuMonitorJSONClassify(json_object *msg, qemuMonitorJSONMessageKind *retKind, const char **retId,
                        GError **error)
{
    json_object *val = NULL;

    if (json_object_object_get_ex(msg, "QMP", NULL)) {
        *retKind = QEMU_MONITOR_JSON_MESSAGE_GREETING;
        *retId = NULL;
        return true;
    }
    if (json_object_object_get_ex(msg, "event", NULL)) {
        if (!TERN_JSON_REQUIRE(msg, "event", json_type_string, "QMP event", error))
            return false;
        *retKind = QEMU_MONITOR_JSON_MESSAGE_EVENT;
        *retId = NULL;
        return true;
    }
    if (json_object_object_get_ex(msg, "return", NULL) ||
        json_object_object_get_ex(msg, "error", NULL)) {
        if (!TERN_JSON_OPTIONAL(msg, "id", json_type_string, "QMP reply", &val, error))
            return false;
        *retKind = QEMU_MONITOR_JSON_MESSAGE_REPLY;
        *retId = val ? json_object_get_string(val) : NULL;
        return true;
    }
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                 "QEMU monitor sent an object that is neither a reply, an event nor a greeting");
    return false;
}

bool
qemuMonitorJSONParseGreeting(json_object *msg, qemuMonitorVersion *ret, GError **error)
{
    const char *what = "QMP greeting";
    qemuMonitorVersion v = {0};
    unsigned long long n;
    json_object *qmp, *version, *qemu, *package = NULL;

    if (!(qmp = TERN_JSON_REQUIRE(msg, "QMP", json_type_object, what, error)) ||
        !(version = qemuMonitorJSONRequire(qmp, "QMP", "version", json_type_object, what, error)) ||
        !(qemu = qemuMonitorJSONRequire(version, "QMP.version", "qemu", json_type_object, what,
                                        error)))
        return false;
    if (!qemuMonitorJSONRequireUInt(qemu, "QMP.version.qemu", "major", UINT_MAX, what, &n, error))
        return false;
    v.major = (unsigned int)n;
    if (!qemuMonitorJSONRequireUInt(qemu, "QMP.version.qemu", "minor", UINT_MAX, what, &n, error))
        return false;
    v.minor = (unsigned int)n;
    if (!qemuMonitorJSONRequireUInt(qemu, "QMP.version.qemu", "micro", UINT_MAX, what, &n, error))
        return false;
    v.micro = (unsigned int)n;
    if (!qemuMonitorJSONOptional(version, "QMP.version", "package", json_type_string, what,
                                 &package, error))
        return false;
    if (package) {
        g_strlcpy(v.package, json_object_get_string(package), sizeof(v.package));
        g_strstrip(v.package);
    }
    *ret = v;
    return true;
}

json_object *
qemuMonitorJSONReplyGetReturn(const char *cmd, json_object *reply, int *retErrorClass,
                              GError **error)
{
    const char *what = "QMP reply";
    json_object *ret = NULL, *err, *cls, *desc = NULL;
    int klass;

    if (json_object_object_get_ex(reply, "return", &ret)) {
        if (!ret) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "invalid reply to '%s' from QEMU: 'return' is null", cmd);
            return NULL;
        }
        return json_object_get(ret);
    }
    if (!(err = TERN_JSON_REQUIRE(reply, "error", json_type_object, what, error)) ||
        !(cls = qemuMonitorJSONRequire(err, "error", "class", json_type_string, what, error)) ||
        !qemuMonitorJSONOptional(err, "error", "desc", json_type_string, what, &desc, error))
        return NULL;

    klass = qemuMonitorErrorClassFromString(json_object_get_string(cls));
    if (retErrorClass)
        *retErrorClass = klass;
    if (klass == QEMU_MONITOR_ERROR_CLASS_GENERIC)
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "unable to execute QEMU command '%s': %s", cmd,
                     desc ? json_object_get_string(desc) : "GenericError");
    else
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "unable to execute QEMU command '%s': %s (%s)", cmd,
                     desc ? json_object_get_string(desc) : "no description",
                     json_object_get_string(cls));
    return NULL;
}

static bool
qemuMonitorJSONCheckName(const char *kind, const char *name, size_t max, GError **error)
{
    size_t len = name ? strlen(name) : 0;

    if (len == 0 || len > max) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "%s '%s' must have 1 to %zu characters", kind, name ? name : "", max);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_') {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                         "%s '%s' may only contain letters, digits, '-' and '_'", kind, name);
            return false;
        }
    }
    return true;
}

json_object *
qemuMonitorJSONMakeCommand(const char *cmd, json_object *args, const char *id, GError **error)
{
    g_autoptr(json_object) stolen = args;
    g_autoptr(json_object) obj = NULL;

    if (!qemuMonitorJSONCheckName("QEMU command", cmd, QEMU_MONITOR_JSON_MAX_COMMAND, error))
        return NULL;
    if (stolen && !json_object_is_type(stolen, json_type_object)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "arguments of QEMU command '%s' have type %s, expected object", cmd,
                     json_type_to_name(json_object_get_type(stolen)));
        return NULL;
    }
    obj = json_object_new_object();
    json_object_object_add(obj, "execute", json_object_new_string(cmd));
    if (stolen)
        json_object_object_add(obj, "arguments", g_steal_pointer(&stolen));
    if (id)
        json_object_object_add(obj, "id", json_object_new_string(id));
    return g_steal_pointer(&obj);
}

/* ---- events ---------------------------------------------------------------------------- */

bool
qemuMonitorJSONParseEvent(json_object *msg, const char **retName, json_object **retData,
                          long long *retSeconds, unsigned int *retMicros, GError **error)
{
    const char *what = "QMP event";
    json_object *name, *data = NULL, *ts = NULL, *sec = NULL, *usec = NULL;
    long long seconds = 0;
    unsigned int micros = 0;

    if (!(name = TERN_JSON_REQUIRE(msg, "event", json_type_string, what, error)) ||
        !TERN_JSON_OPTIONAL(msg, "data", json_type_object, what, &data, error))
        return false;
    /* the timestamp is informational: a strange one is read as 0, not refused */
    if (json_object_object_get_ex(msg, "timestamp", &ts) &&
        json_object_is_type(ts, json_type_object) &&
        json_object_object_get_ex(ts, "seconds", &sec) && json_object_is_type(sec, json_type_int) &&
        json_object_object_get_ex(ts, "microseconds", &usec) &&
        json_object_is_type(usec, json_type_int)) {
        int64_t s = json_object_get_int64(sec);
        int64_t us = json_object_get_int64(usec);
        if (s >= 0 && us >= 0 && us < 1000000) {
            seconds = s;
            micros = (unsigned int)us;
        }
    }
    *retName = json_object_get_string(name);
    *retData = data;
    *retSeconds = seconds;
    *retMicros = micros;
    return true;
}

bool
qemuMonitorJSONParseEventShutdown(const char *event, json_object *data, bool *retGuest,
                                  qemuMonitorShutdownCause *retReason, GError **error)
{
    g_autofree char *what = g_strdup_printf("%s event", event);
    json_object *guest;
    int reason;

    if (!data) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: member 'data' is missing", what);
        return false;
    }
    if (!(guest = TERN_JSON_REQUIRE(data, "guest", json_type_boolean, what, error)) ||
        !qemuMonitorJSONRequireEnum(data, "reason", qemuMonitorShutdownCauseFromString, what,
                                    &reason, error))
        return false;
    *retGuest = json_object_get_boolean(guest);
    *retReason = reason;
    return true;
}

bool
qemuMonitorJSONParseEventMigration(json_object *data, qemuMonitorMigrationStatus *ret,
                                   GError **error)
{
    int status;

    if (!data) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "invalid MIGRATION event from QEMU: member 'data' is missing");
        return false;
    }
    if (!qemuMonitorJSONRequireEnum(data, "status", qemuMonitorMigrationStatusFromString,
                                    "MIGRATION event", &status, error))
        return false;
    *ret = status;
    return true;
}

bool
qemuMonitorJSONParseEventMigrationPass(json_object *data, unsigned int *ret, GError **error)
{
    unsigned long long pass;

    if (!data) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR, "%s",
                     "invalid MIGRATION_PASS event from QEMU: member 'data' is missing");
        return false;
    }
    if (!qemuMonitorJSONRequireUInt(data, "data", "pass", UINT_MAX, "MIGRATION_PASS event", &pass,
                                    error))
        return false;
    *ret = (unsigned int)pass;
    return true;
}

/* ---- builders -------------------------------------------------------------------------- */

static bool
qemuMonitorJSONCheckURI(const char *cmd, const char *uri, GError **error)
{
    size_t len = uri ? strlen(uri) : 0;

    if (len == 0 || len > QEMU_MONITOR_JSON_MAX_URI) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "migration URI for '%s' must have 1 to %d characters", cmd,
                     QEMU_MONITOR_JSON_MAX_URI);
        return false;
    }
    if (!g_utf8_validate(uri, (gssize)len, NULL)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "migration URI for '%s' is not valid UTF-8", cmd);
        return false;
    }
    return true;
}

json_object *
qemuMonitorJSONBuildMigrate(const char *uri, unsigned int flags, GError **error)
{
    const unsigned int supported = QEMU_MONITOR_MIGRATE_DETACH | QEMU_MONITOR_MIGRATE_RESUME;
    json_object *args;

    if (!ternErrorCheckFlags(flags, supported, "qemuMonitorJSONBuildMigrate", error) ||
        !qemuMonitorJSONCheckURI("migrate", uri, error))
        return NULL;
    args = json_object_new_object();
    json_object_object_add(args, "uri", json_object_new_string(uri));
    if (flags & QEMU_MONITOR_MIGRATE_DETACH)
        json_object_object_add(args, "detach", json_object_new_boolean(1));
    if (flags & QEMU_MONITOR_MIGRATE_RESUME)
        json_object_object_add(args, "resume", json_object_new_boolean(1));
    return args;
}

json_object *
qemuMonitorJSONBuildMigrateIncoming(const char *uri, GError **error)
{
    json_object *args;

    if (!qemuMonitorJSONCheckURI("migrate-incoming", uri, error))
        return NULL;
    args = json_object_new_object();
    json_object_object_add(args, "uri", json_object_new_string(uri));
    return args;
}

json_object *
qemuMonitorJSONBuildGetFD(const char *fdname, GError **error)
{
    json_object *args;

    if (!qemuMonitorJSONCheckName("fd name", fdname, QEMU_MONITOR_JSON_MAX_FDNAME, error))
        return NULL;
    /* QEMU refuses names starting with a digit: they would read as fd numbers */
    if (g_ascii_isdigit(fdname[0])) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "fd name '%s' must not start with a digit", fdname);
        return NULL;
    }
    args = json_object_new_object();
    json_object_object_add(args, "fdname", json_object_new_string(fdname));
    return args;
}

json_object *
qemuMonitorJSONBuildMigrateSetCapabilities(unsigned long long which, unsigned long long enabled,
                                           GError **error)
{
    const unsigned long long known = (1ULL << QEMU_MONITOR_MIGRATION_CAP_LAST) - 1;
    g_autoptr(json_object) args = NULL;
    json_object *list;

    if (which == 0 || (which & ~known) || (enabled & ~which)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "migration capabilities 0x%llx/0x%llx: none selected, unknown bits, or "
                     "enabled bits outside the selection",
                     which, enabled);
        return NULL;
    }
    list = json_object_new_array();
    for (int cap = 0; cap < QEMU_MONITOR_MIGRATION_CAP_LAST; cap++) {
        json_object *item;

        if (!(which & QEMU_MONITOR_MIGRATION_CAP_BIT(cap)))
            continue;
        item = json_object_new_object();
        json_object_object_add(item, "capability",
                               json_object_new_string(qemuMonitorMigrationCapToString(cap)));
        json_object_object_add(
            item, "state",
            json_object_new_boolean(!!(enabled & QEMU_MONITOR_MIGRATION_CAP_BIT(cap))));
        json_object_array_add(list, item);
    }
    args = json_object_new_object();
    json_object_object_add(args, "capabilities", list);
    return g_steal_pointer(&args);
}

/* ---- migration parameters: one table for the builder and the parser (G6) ------------- */

typedef enum {
    QEMU_MONITOR_JSON_PARAM_UINT,
    QEMU_MONITOR_JSON_PARAM_BOOL,
    QEMU_MONITOR_JSON_PARAM_STRING,
    QEMU_MONITOR_JSON_PARAM_MULTIFD_COMPRESSION,
} qemuMonitorJSONParamKind;

typedef struct {
    const char *name; /* the QMP member */
    qemuMonitorJSONParamKind kind;
    size_t hasOffset;
    size_t valueOffset;
    unsigned long long min; /* UINT only: the range QEMU 7.2 accepts */
    unsigned long long max;
} qemuMonitorJSONParamDef;

#define QEMU_MONITOR_JSON_PARAM(qmp, kind, hasField, field, lo, hi)                                \
    {                                                                                              \
        qmp, QEMU_MONITOR_JSON_PARAM_##kind, offsetof(qemuMonitorMigrationParams, hasField),       \
            offsetof(qemuMonitorMigrationParams, field), lo, hi                                    \
    }

/*
 * Ranges are those QEMU 7.2 accepts (probed by hand against it, and named in
 * QEMU's migration.json); the multifd levels use the documented ranges,
 * stricter than 7.2 itself, which takes any uint8.
 */
static const qemuMonitorJSONParamDef qemuMonitorJSONMigrationParams[] = {
    QEMU_MONITOR_JSON_PARAM("announce-initial", UINT, hasAnnounceInitial, announceInitial, 0,
                            100000),
    QEMU_MONITOR_JSON_PARAM("announce-max", UINT, hasAnnounceMax, announceMax, 0, 100000),
    QEMU_MONITOR_JSON_PARAM("announce-rounds", UINT, hasAnnounceRounds, announceRounds, 0, 1000),
    QEMU_MONITOR_JSON_PARAM("announce-step", UINT, hasAnnounceStep, announceStep, 1, 10000),
    QEMU_MONITOR_JSON_PARAM("compress-level", UINT, hasCompressLevel, compressLevel, 0, 9),
    QEMU_MONITOR_JSON_PARAM("compress-threads", UINT, hasCompressThreads, compressThreads, 1, 255),
    QEMU_MONITOR_JSON_PARAM("compress-wait-thread", BOOL, hasCompressWaitThread, compressWaitThread,
                            0, 0),
    QEMU_MONITOR_JSON_PARAM("decompress-threads", UINT, hasDecompressThreads, decompressThreads, 1,
                            255),
    QEMU_MONITOR_JSON_PARAM("throttle-trigger-threshold", UINT, hasThrottleTriggerThreshold,
                            throttleTriggerThreshold, 1, 100),
    QEMU_MONITOR_JSON_PARAM("cpu-throttle-initial", UINT, hasCPUThrottleInitial, cpuThrottleInitial,
                            1, 99),
    QEMU_MONITOR_JSON_PARAM("cpu-throttle-increment", UINT, hasCPUThrottleIncrement,
                            cpuThrottleIncrement, 1, 99),
    QEMU_MONITOR_JSON_PARAM("cpu-throttle-tailslow", BOOL, hasCPUThrottleTailslow,
                            cpuThrottleTailslow, 0, 0),
    QEMU_MONITOR_JSON_PARAM("tls-creds", STRING, hasTLSCreds, tlsCreds, 0, 0),
    QEMU_MONITOR_JSON_PARAM("tls-hostname", STRING, hasTLSHostname, tlsHostname, 0, 0),
    QEMU_MONITOR_JSON_PARAM("tls-authz", STRING, hasTLSAuthz, tlsAuthz, 0, 0),
    QEMU_MONITOR_JSON_PARAM("max-bandwidth", UINT, hasMaxBandwidth, maxBandwidth, 0, INT64_MAX),
    QEMU_MONITOR_JSON_PARAM("downtime-limit", UINT, hasDowntimeLimit, downtimeLimit, 0, 2000000),
    QEMU_MONITOR_JSON_PARAM("block-incremental", BOOL, hasBlockIncremental, blockIncremental, 0, 0),
    QEMU_MONITOR_JSON_PARAM("multifd-channels", UINT, hasMultifdChannels, multifdChannels, 1, 255),
    QEMU_MONITOR_JSON_PARAM("xbzrle-cache-size", UINT, hasXbzrleCacheSize, xbzrleCacheSize, 0,
                            INT64_MAX),
    QEMU_MONITOR_JSON_PARAM("max-postcopy-bandwidth", UINT, hasMaxPostcopyBandwidth,
                            maxPostcopyBandwidth, 0, INT64_MAX),
    QEMU_MONITOR_JSON_PARAM("max-cpu-throttle", UINT, hasMaxCPUThrottle, maxCPUThrottle, 1, 99),
    QEMU_MONITOR_JSON_PARAM("multifd-compression", MULTIFD_COMPRESSION, hasMultifdCompression,
                            multifdCompression, 0, 0),
    QEMU_MONITOR_JSON_PARAM("multifd-zlib-level", UINT, hasMultifdZlibLevel, multifdZlibLevel, 0,
                            9),
    QEMU_MONITOR_JSON_PARAM("multifd-zstd-level", UINT, hasMultifdZstdLevel, multifdZstdLevel, 0,
                            20),
};

/* every has... flag of the struct has one table row: the struct has 25 of them */
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMonitorJSONMigrationParams) == 25);

#define PARAM_HAS(params, def) ((bool *)((char *)(params) + (def)->hasOffset))
#define PARAM_UINT(params, def) ((unsigned long long *)((char *)(params) + (def)->valueOffset))
#define PARAM_BOOL(params, def) ((bool *)((char *)(params) + (def)->valueOffset))
#define PARAM_STRING(params, def) ((char **)((char *)(params) + (def)->valueOffset))
#define PARAM_ENUM(params, def)                                                                    \
    ((qemuMonitorMultifdCompression *)((char *)(params) + (def)->valueOffset))

void
qemuMonitorMigrationParamsClear(qemuMonitorMigrationParams *params)
{
    if (!params)
        return;
    g_free(params->tlsCreds);
    g_free(params->tlsHostname);
    g_free(params->tlsAuthz);
    memset(params, 0, sizeof(*params));
}

void
qemuMonitorMigrationParamsFree(qemuMonitorMigrationParams *params)
{
    qemuMonitorMigrationParamsClear(params);
    g_free(params);
}

json_object *
qemuMonitorJSONBuildMigrateSetParams(const qemuMonitorMigrationParams *params, GError **error)
{
    g_autoptr(json_object) args = json_object_new_object();

    for (size_t i = 0; i < G_N_ELEMENTS(qemuMonitorJSONMigrationParams); i++) {
        const qemuMonitorJSONParamDef *def = &qemuMonitorJSONMigrationParams[i];
        json_object *val = NULL;

        if (!*PARAM_HAS(params, def))
            continue;
        switch (def->kind) {
        case QEMU_MONITOR_JSON_PARAM_UINT: {
            unsigned long long v = *PARAM_UINT(params, def);
            if (v < def->min || v > def->max) {
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                             "migration parameter '%s' value %llu is out of range %llu..%llu",
                             def->name, v, def->min, def->max);
                return NULL;
            }
            val = json_object_new_int64((int64_t)v);
            break;
        }
        case QEMU_MONITOR_JSON_PARAM_BOOL:
            val = json_object_new_boolean(*PARAM_BOOL(params, def));
            break;
        case QEMU_MONITOR_JSON_PARAM_STRING: {
            const char *s = *PARAM_STRING(params, def);
            if (!s || !g_utf8_validate(s, -1, NULL)) {
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                             "migration parameter '%s' is set but not a valid string", def->name);
                return NULL;
            }
            val = json_object_new_string(s);
            break;
        }
        case QEMU_MONITOR_JSON_PARAM_MULTIFD_COMPRESSION: {
            const char *s = qemuMonitorMultifdCompressionToString(*PARAM_ENUM(params, def));
            if (!s) {
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                             "migration parameter '%s' has no value %d", def->name,
                             (int)*PARAM_ENUM(params, def));
                return NULL;
            }
            val = json_object_new_string(s);
            break;
        }
        }
        json_object_object_add(args, def->name, val);
    }
    if (json_object_object_length(args) == 0) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG, "%s",
                     "no migration parameter to set");
        return NULL;
    }
    return g_steal_pointer(&args);
}

static const qemuMonitorJSONParamDef *
qemuMonitorJSONFindParam(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemuMonitorJSONMigrationParams); i++) {
        if (strcmp(qemuMonitorJSONMigrationParams[i].name, name) == 0)
            return &qemuMonitorJSONMigrationParams[i];
    }
    return NULL;
}

/* one member of MigrationParameters into its field of @params */
static bool
qemuMonitorJSONParseMigrationParam(const char *what, const qemuMonitorJSONParamDef *def,
                                   const char *key, json_object *val,
                                   qemuMonitorMigrationParams *params, GError **error)
{
    json_type expected = json_type_string;
    int e;

    switch (def->kind) {
    case QEMU_MONITOR_JSON_PARAM_UINT:
        return qemuMonitorJSONGetUInt(val, NULL, key, what, PARAM_UINT(params, def), error);
    case QEMU_MONITOR_JSON_PARAM_BOOL:
        expected = json_type_boolean;
        if (!json_object_is_type(val, json_type_boolean))
            break;
        *PARAM_BOOL(params, def) = json_object_get_boolean(val);
        return true;
    case QEMU_MONITOR_JSON_PARAM_STRING:
        /* migrate-set-parameters accepts null for "back to the default" ("") */
        if (val && !json_object_is_type(val, json_type_string))
            break;
        g_free(*PARAM_STRING(params, def));
        *PARAM_STRING(params, def) = g_strdup(val ? json_object_get_string(val) : "");
        return true;
    case QEMU_MONITOR_JSON_PARAM_MULTIFD_COMPRESSION:
        if (!json_object_is_type(val, json_type_string))
            break;
        if ((e = qemuMonitorMultifdCompressionFromString(json_object_get_string(val))) < 0) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "invalid %s from QEMU: unknown %s '%s'", what, key,
                         json_object_get_string(val));
            return false;
        }
        *PARAM_ENUM(params, def) = e;
        return true;
    }
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                 "invalid %s from QEMU: member '%s' has type %s, expected %s", what, key,
                 json_type_to_name(json_object_get_type(val)), json_type_to_name(expected));
    return false;
}

bool
qemuMonitorJSONParseMigrationParams(const char *what, json_object *ret,
                                    qemuMonitorMigrationParams *out, GError **error)
{
    g_auto(qemuMonitorMigrationParams) params = {0};

    if (!json_object_is_type(ret, json_type_object)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: 'return' has type %s, expected object", what,
                     json_type_to_name(json_object_get_type(ret)));
        return false;
    }
    json_object_object_foreach(ret, key, val)
    {
        const qemuMonitorJSONParamDef *def = qemuMonitorJSONFindParam(key);

        if (!def)
            continue; /* x-checkpoint-delay, block-bitmap-mapping, newer members */
        if (!qemuMonitorJSONParseMigrationParam(what, def, key, val, &params, error))
            return false;
        *PARAM_HAS(&params, def) = true;
    }
    qemuMonitorMigrationParamsClear(out);
    *out = params;
    memset(&params, 0, sizeof(params));
    return true;
}

/* ---- reply decoders -------------------------------------------------------------------- */

bool
qemuMonitorJSONParseEmptyReply(const char *cmd, json_object *ret, GError **error)
{
    if (!json_object_is_type(ret, json_type_object)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid reply to '%s' from QEMU: 'return' has type %s, expected object", cmd,
                     json_type_to_name(json_object_get_type(ret)));
        return false;
    }
    return true;
}

bool
qemuMonitorJSONParseQueryStatus(json_object *ret, qemuMonitorStatus *out, GError **error)
{
    const char *what = "query-status reply";
    json_object *running;
    int status;

    if (!(running = TERN_JSON_REQUIRE(ret, "running", json_type_boolean, what, error)) ||
        !qemuMonitorJSONRequireEnum(ret, "status", qemuMonitorVMStatusFromString, what, &status,
                                    error))
        return false;
    out->running = json_object_get_boolean(running);
    out->status = status;
    return true;
}

void
qemuMonitorCPUListFree(qemuMonitorCPUList *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->ncpus; i++)
        g_free(list->cpus[i].qomPath);
    g_free(list->cpus);
    g_free(list);
}

qemuMonitorCPUList *
qemuMonitorJSONParseQueryCPUsFast(json_object *ret, GError **error)
{
    const char *what = "query-cpus-fast reply";
    g_autoptr(qemuMonitorCPUList) list = NULL;
    size_t n;

    if (!json_object_is_type(ret, json_type_array)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: 'return' has type %s, expected array", what,
                     json_type_to_name(json_object_get_type(ret)));
        return NULL;
    }
    n = json_object_array_length(ret);
    if (n == 0 || n > QEMU_MONITOR_JSON_MAX_CPUS) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: %zu vCPUs, expected 1 to %d", what, n,
                     QEMU_MONITOR_JSON_MAX_CPUS);
        return NULL;
    }
    list = g_new0(qemuMonitorCPUList, 1);
    list->cpus = g_new0(qemuMonitorCPUInfo, n);
    for (size_t i = 0; i < n; i++) {
        json_object *cpu = json_object_array_get_idx(ret, i);
        g_autofree char *prefix = g_strdup_printf("[%zu]", i);
        unsigned long long index, tid;
        json_object *path;

        if (!qemuMonitorJSONRequireUInt(cpu, prefix, "cpu-index", UINT_MAX, what, &index, error) ||
            !qemuMonitorJSONRequireUInt(cpu, prefix, "thread-id", INT_MAX, what, &tid, error) ||
            !(path =
                  qemuMonitorJSONRequire(cpu, prefix, "qom-path", json_type_string, what, error)))
            return NULL;
        if (tid == 0) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "invalid %s from QEMU: member '%s.thread-id' is 0", what, prefix);
            return NULL;
        }
        list->cpus[i].cpuIndex = (unsigned int)index;
        list->cpus[i].threadId = (pid_t)tid;
        list->cpus[i].qomPath = g_strdup(json_object_get_string(path));
        list->ncpus++;
    }
    return g_steal_pointer(&list);
}

bool
qemuMonitorJSONParseQueryBalloon(json_object *ret, unsigned long long *retActual, GError **error)
{
    return qemuMonitorJSONRequireUInt(ret, NULL, "actual", G_MAXUINT64, "query-balloon reply",
                                      retActual, error);
}

/* query-migrate: the times (optional ints) */
typedef struct {
    const char *name;
    size_t hasOffset;
    size_t valueOffset;
} qemuMonitorJSONMigrateTimeDef;

#define QEMU_MONITOR_JSON_TIME(qmp, has, field)                                                    \
    {                                                                                              \
        qmp, offsetof(qemuMonitorMigrationStats, has), offsetof(qemuMonitorMigrationStats, field)  \
    }

static const qemuMonitorJSONMigrateTimeDef qemuMonitorJSONMigrateTimes[] = {
    QEMU_MONITOR_JSON_TIME("total-time", hasTotalTime, totalTime),
    QEMU_MONITOR_JSON_TIME("downtime", hasDowntime, downtime),
    QEMU_MONITOR_JSON_TIME("expected-downtime", hasExpectedDowntime, expectedDowntime),
    QEMU_MONITOR_JSON_TIME("setup-time", hasSetupTime, setupTime),
    QEMU_MONITOR_JSON_TIME("cpu-throttle-percentage", hasCPUThrottlePercentage,
                           cpuThrottlePercentage),
};

/* query-migrate: the members of "ram" */
typedef struct {
    const char *name;
    size_t offset;
    bool required; /* tern relies on it; the others QEMU 7.2 sends too */
    bool number;   /* a double ("mbps"), else an unsigned int */
} qemuMonitorJSONMigrateRAMDef;

#define QEMU_MONITOR_JSON_RAM(qmp, field, req, num)                                                \
    {                                                                                              \
        qmp, offsetof(qemuMonitorMigrationRAM, field), req, num                                    \
    }

static const qemuMonitorJSONMigrateRAMDef qemuMonitorJSONMigrateRAM[] = {
    QEMU_MONITOR_JSON_RAM("transferred", transferred, true, false),
    QEMU_MONITOR_JSON_RAM("remaining", remaining, true, false),
    QEMU_MONITOR_JSON_RAM("total", total, true, false),
    QEMU_MONITOR_JSON_RAM("duplicate", duplicate, true, false),
    QEMU_MONITOR_JSON_RAM("normal", normal, true, false),
    QEMU_MONITOR_JSON_RAM("normal-bytes", normalBytes, true, false),
    QEMU_MONITOR_JSON_RAM("dirty-pages-rate", dirtyPagesRate, true, false),
    QEMU_MONITOR_JSON_RAM("mbps", mbps, true, true),
    QEMU_MONITOR_JSON_RAM("dirty-sync-count", dirtySyncCount, true, false),
    QEMU_MONITOR_JSON_RAM("postcopy-requests", postcopyRequests, true, false),
    QEMU_MONITOR_JSON_RAM("page-size", pageSize, true, false),
    QEMU_MONITOR_JSON_RAM("multifd-bytes", multifdBytes, true, false),
    QEMU_MONITOR_JSON_RAM("pages-per-second", pagesPerSecond, false, false),
    QEMU_MONITOR_JSON_RAM("precopy-bytes", precopyBytes, false, false),
    QEMU_MONITOR_JSON_RAM("downtime-bytes", downtimeBytes, false, false),
    QEMU_MONITOR_JSON_RAM("postcopy-bytes", postcopyBytes, false, false),
};

/* one row per member of qemuMonitorMigrationRAM: 15 counters and mbps */
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMonitorJSONMigrateRAM) * sizeof(unsigned long long) ==
                sizeof(qemuMonitorMigrationRAM));

void
qemuMonitorMigrationStatsClear(qemuMonitorMigrationStats *stats)
{
    if (!stats)
        return;
    g_free(stats->errorDesc);
    memset(stats, 0, sizeof(*stats));
}

void
qemuMonitorMigrationStatsFree(qemuMonitorMigrationStats *stats)
{
    qemuMonitorMigrationStatsClear(stats);
    g_free(stats);
}

static bool
qemuMonitorJSONParseMigrateRAM(json_object *ram, qemuMonitorMigrationRAM *out, GError **error)
{
    const char *what = "query-migrate reply";

    for (size_t i = 0; i < G_N_ELEMENTS(qemuMonitorJSONMigrateRAM); i++) {
        const qemuMonitorJSONMigrateRAMDef *def = &qemuMonitorJSONMigrateRAM[i];
        json_type type = def->number ? json_type_double : json_type_int;
        json_object *val = NULL;

        if (def->required) {
            if (!(val = qemuMonitorJSONRequire(ram, "ram", def->name, type, what, error)))
                return false;
        } else if (!qemuMonitorJSONOptional(ram, "ram", def->name, type, what, &val, error)) {
            return false;
        }
        if (!val)
            continue;
        if (def->number) {
            double d = json_object_get_double(val);
            if (!(d >= 0)) {
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                             "invalid %s from QEMU: member 'ram.%s' is negative", what, def->name);
                return false;
            }
            *(double *)((char *)out + def->offset) = d;
        } else if (!qemuMonitorJSONGetUInt(val, "ram", def->name, what,
                                           (unsigned long long *)((char *)out + def->offset),
                                           error)) {
            return false;
        }
    }
    return true;
}

bool
qemuMonitorJSONParseQueryMigrate(json_object *ret, qemuMonitorMigrationStats *out, GError **error)
{
    const char *what = "query-migrate reply";
    g_auto(qemuMonitorMigrationStats) stats = {0};
    json_object *status = NULL, *ram = NULL, *desc = NULL;
    int e;

    if (!TERN_JSON_OPTIONAL(ret, "status", json_type_string, what, &status, error))
        return false;
    /* before any migration QEMU answers {} */
    stats.status = QEMU_MONITOR_MIGRATION_STATUS_NONE;
    if (status) {
        if ((e = qemuMonitorMigrationStatusFromString(json_object_get_string(status))) < 0) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                         "invalid %s from QEMU: unknown status '%s'", what,
                         json_object_get_string(status));
            return false;
        }
        stats.status = e;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(qemuMonitorJSONMigrateTimes); i++) {
        const qemuMonitorJSONMigrateTimeDef *def = &qemuMonitorJSONMigrateTimes[i];
        json_object *val = NULL;

        if (!TERN_JSON_OPTIONAL(ret, def->name, json_type_int, what, &val, error))
            return false;
        if (!val)
            continue;
        if (!qemuMonitorJSONGetUInt(val, NULL, def->name, what,
                                    (unsigned long long *)((char *)&stats + def->valueOffset),
                                    error))
            return false;
        *(bool *)((char *)&stats + def->hasOffset) = true;
    }
    if (!TERN_JSON_OPTIONAL(ret, "ram", json_type_object, what, &ram, error))
        return false;
    if (ram) {
        if (!qemuMonitorJSONParseMigrateRAM(ram, &stats.ram, error))
            return false;
        stats.hasRAM = true;
    }
    if (!TERN_JSON_OPTIONAL(ret, "error-desc", json_type_string, what, &desc, error))
        return false;
    if (desc)
        stats.errorDesc = g_strdup(json_object_get_string(desc));

    qemuMonitorMigrationStatsClear(out);
    *out = stats;
    memset(&stats, 0, sizeof(stats));
    return true;
}

bool
qemuMonitorJSONParseMigrationCapabilities(const char *what, json_object *ret,
                                          unsigned long long *retKnown,
                                          unsigned long long *retEnabled, GError **error)
{
    unsigned long long known = 0, enabled = 0;
    size_t n;

    if (!json_object_is_type(ret, json_type_array)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: 'return' has type %s, expected array", what,
                     json_type_to_name(json_object_get_type(ret)));
        return false;
    }
    n = json_object_array_length(ret);
    if (n > QEMU_MONITOR_JSON_MAX_CAPS) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "invalid %s from QEMU: %zu capabilities, at most %d expected", what, n,
                     QEMU_MONITOR_JSON_MAX_CAPS);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(ret, i);
        g_autofree char *prefix = g_strdup_printf("[%zu]", i);
        json_object *name, *state;
        int cap;

        if (!(name = qemuMonitorJSONRequire(item, prefix, "capability", json_type_string, what,
                                            error)) ||
            !(state =
                  qemuMonitorJSONRequire(item, prefix, "state", json_type_boolean, what, error)))
            return false;
        if ((cap = qemuMonitorMigrationCapFromString(json_object_get_string(name))) < 0)
            continue; /* x-colo, x-ignore-shared, or newer than tern */
        known |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
        if (json_object_get_boolean(state))
            enabled |= QEMU_MONITOR_MIGRATION_CAP_BIT(cap);
    }
    *retKnown = known;
    *retEnabled = enabled;
    return true;
}
