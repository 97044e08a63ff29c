/* ternd_config.c: ternd.conf, the daemon's configuration (libvirtd.conf's syntax and key names) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "daemon/ternd_config.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

/* ------------------------------------------------------------------------ */
/* Per-key checks: NULL when the value is acceptable, else the reason.       */
/* ------------------------------------------------------------------------ */

typedef char *(*terndConfigCheck)(const char *key, const void *field);

static char *
checkPortString(const char *key, const void *field)
{
    const char *port = *(char *const *)field;
    guint64 n;

    if (!port || !g_ascii_string_to_unsigned(port, 10, 1, 65535, &n, NULL))
        return g_strdup_printf("'%s' must be a port number between 1 and 65535, got \"%s\"", key,
                               port ? port : "");
    return NULL;
}

static char *
checkAuth(const char *key, const void *field)
{
    static const char *const known[] = {"none", "sasl", "polkit"};
    const char *auth = *(char *const *)field;

    for (size_t i = 0; auth && i < G_N_ELEMENTS(known); i++) {
        if (g_str_equal(auth, known[i]))
            return NULL;
    }
    return g_strdup_printf("'%s' must be \"none\", \"sasl\" or \"polkit\", got \"%s\"", key,
                           auth ? auth : "");
}

static char *
checkPerms(const char *key, const void *field)
{
    int perms = *(const int *)field;

    if (perms < 0 || perms > 0777)
        return g_strdup_printf("'%s' must be between \"0000\" and \"0777\", got \"%04o\"", key,
                               (unsigned int)perms);
    return NULL;
}

static char *
checkAbsolutePath(const char *key, const void *field)
{
    const char *path = *(char *const *)field;

    if (path && !g_path_is_absolute(path))
        return g_strdup_printf("'%s' must be an absolute path, got \"%s\"", key, path);
    return NULL;
}

static char *
checkNotEmpty(const char *key, const void *field)
{
    const char *str = *(char *const *)field;

    if (str && !*str)
        return g_strdup_printf("'%s' must not be empty; comment it out to use the default", key);
    return NULL;
}

static char *
checkListNotEmpty(const char *key, const void *field)
{
    char *const *list = *(char **const *)field;

    /* libvirtd.conf: an empty list lets nobody in, which is never what was meant */
    if (list && !list[0])
        return g_strdup_printf(
            "'%s' is an empty list, which would refuse every client; comment it out to disable the check",
            key);
    return NULL;
}

static char *
checkIntMin(const char *key, int value, int min)
{
    if (value < min)
        return g_strdup_printf("'%s' must be at least %d, got %d", key, min, value);
    return NULL;
}

static char *
checkAtLeast0(const char *key, const void *field)
{
    return checkIntMin(key, *(const int *)field, 0);
}

static char *
checkAtLeast1(const char *key, const void *field)
{
    return checkIntMin(key, *(const int *)field, 1);
}

static char *
checkKeepaliveInterval(const char *key, const void *field)
{
    int interval = *(const int *)field;

    if (interval == -1 || interval >= 1)
        return NULL;
    return g_strdup_printf(
        "'%s' must be -1 (never send keepalives) or a number of seconds of at least 1, got %d", key,
        interval);
}

static char *
checkLogLevel(const char *key, const void *field)
{
    int level = *(const int *)field;

    if (level < 1 || level > 4)
        return g_strdup_printf("'%s' must be between 1 (debug) and 4 (error), got %d", key, level);
    return NULL;
}

/* One log output: LEVEL:stderr, LEVEL:journald, LEVEL:syslog:NAME or LEVEL:file:PATH. */
static bool
logOutputIsValid(const char *output)
{
    static const struct {
        const char *dest;
        bool needsArg;
    } dests[] = {{"stderr", false}, {"journald", false}, {"syslog", true}, {"file", true}};
    const char *rest;

    if (output[0] < '1' || output[0] > '4' || output[1] != ':')
        return false;
    rest = output + 2;
    for (size_t i = 0; i < G_N_ELEMENTS(dests); i++) {
        size_t n = strlen(dests[i].dest);

        if (strncmp(rest, dests[i].dest, n) != 0)
            continue;
        if (!dests[i].needsArg)
            return rest[n] == '\0';
        return rest[n] == ':' && rest[n + 1] != '\0';
    }
    return false;
}

static char *
checkLogOutputs(const char *key, const void *field)
{
    const char *outputs = *(char *const *)field;
    g_auto(GStrv) words = NULL;
    bool any = false;

    if (!outputs)
        return NULL;
    words = g_strsplit_set(outputs, " \t\n", -1);
    for (size_t i = 0; words[i]; i++) {
        if (!*words[i])
            continue;
        if (!logOutputIsValid(words[i]))
            return g_strdup_printf(
                "'%s' entry \"%s\" is not LEVEL:stderr, LEVEL:journald, LEVEL:syslog:NAME or LEVEL:file:PATH with LEVEL 1 to 4",
                key, words[i]);
        any = true;
    }
    if (!any)
        return g_strdup_printf("'%s' names no output; comment it out to log to stderr", key);
    return NULL;
}

static char *
checkHostUUID(const char *key, const void *field)
{
    const char *str = *(char *const *)field;
    unsigned char uuid[TERN_UUID_RAW_LEN];
    size_t same = 0;

    if (!str)
        return NULL;
    if (!ternUUIDParse(str, uuid))
        return g_strdup_printf("'%s' \"%s\" is not a UUID such as the output of uuidgen", key, str);
    /* libvirt's virUUIDIsValid: a UUID whose 16 bytes are all equal is a placeholder */
    for (size_t i = 1; i < TERN_UUID_RAW_LEN; i++) {
        if (uuid[i] == uuid[0])
            same++;
    }
    if (same == TERN_UUID_RAW_LEN - 1)
        return g_strdup_printf(
            "'%s' \"%s\" is a placeholder (all its bytes are equal); set it to the output of uuidgen",
            key, str);
    return NULL;
}

static char *
checkPortInt(const char *key, const void *field)
{
    int port = *(const int *)field;

    if (port < 1 || port > 65535)
        return g_strdup_printf("'%s' must be a port number between 1 and 65535, got %d", key, port);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* The keys                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum {
    TERND_CONF_BOOL,        /* bool; 0 or 1 */
    TERND_CONF_INT,         /* int */
    TERND_CONF_STRING,      /* char * */
    TERND_CONF_STRING_LIST, /* char ** (NULL-terminated) */
    TERND_CONF_PERMS,       /* int; written as an octal string, "0770", as libvirtd.conf does */
} terndConfigType;

typedef struct {
    const char *key;
    terndConfigType type;
    size_t offset;
    terndConfigCheck check; /* NULL: any value of the type */
} terndConfigKey;

/* clang-format off */
#define KEY(name, type, check) { #name, TERND_CONF_##type, offsetof(terndConfig, name), check }
/* clang-format on */

/* Documentation order: ternd.conf, ternd.conf.5 and terndConfigFormat() follow it. */
static const terndConfigKey terndConfigKeys[] = {
    KEY(listen_tcp, BOOL, NULL),
    KEY(listen_tls, BOOL, NULL),
    KEY(tcp_port, STRING, checkPortString),
    KEY(tls_port, STRING, checkPortString),
    KEY(listen_addr, STRING, checkNotEmpty),
    KEY(unix_sock_dir, STRING, checkAbsolutePath),
    KEY(unix_sock_group, STRING, checkNotEmpty),
    KEY(unix_sock_ro_perms, PERMS, checkPerms),
    KEY(unix_sock_rw_perms, PERMS, checkPerms),
    KEY(unix_sock_admin_perms, PERMS, checkPerms),
    KEY(auth_unix_ro, STRING, checkAuth),
    KEY(auth_unix_rw, STRING, checkAuth),
    KEY(auth_tcp, STRING, checkAuth),
    KEY(auth_tls, STRING, checkAuth),
    KEY(key_file, STRING, checkNotEmpty),
    KEY(cert_file, STRING, checkNotEmpty),
    KEY(ca_file, STRING, checkNotEmpty),
    KEY(crl_file, STRING, checkNotEmpty),
    KEY(tls_no_verify_certificate, BOOL, NULL),
    KEY(tls_allowed_dn_list, STRING_LIST, checkListNotEmpty),
    KEY(sasl_allowed_username_list, STRING_LIST, checkListNotEmpty),
    KEY(tls_priority, STRING, checkNotEmpty),
    KEY(max_clients, INT, checkAtLeast1),
    KEY(max_queued_clients, INT, checkAtLeast0),
    KEY(max_anonymous_clients, INT, checkAtLeast0),
    KEY(min_workers, INT, checkAtLeast0),
    KEY(max_workers, INT, checkAtLeast1),
    KEY(prio_workers, INT, checkAtLeast0),
    KEY(max_client_requests, INT, checkAtLeast1),
    KEY(keepalive_interval, INT, checkKeepaliveInterval),
    KEY(keepalive_count, INT, checkAtLeast0),
    KEY(log_level, INT, checkLogLevel),
    KEY(log_outputs, STRING, checkLogOutputs),
    KEY(host_uuid, STRING, checkHostUUID),
    KEY(migration_port_min, INT, checkPortInt),
    KEY(migration_port_max, INT, checkPortInt),
    KEY(migration_address, STRING, checkNotEmpty),
    KEY(migration_host, STRING, checkNotEmpty),
};

#undef KEY

/* Keys of libvirtd.conf that tern accepts and ignores, and why. */
typedef struct {
    const char *key;
    const char *why;
} terndConfigIgnoredKey;

static const terndConfigIgnoredKey terndConfigIgnoredKeys[] = {
    {"tcp_min_ssf", "tern offers no SASL security layer on plain TCP"},
    {"access_drivers", "tern has no access control drivers"},
    {"tls_no_sanity_certificate", "tern always checks its own certificates"},
    {"key_files", "tern takes one key, key_file"},
    {"cert_files", "tern takes one certificate, cert_file"},
    {"admin_min_workers", "tern has no admin interface"},
    {"admin_max_workers", "tern has no admin interface"},
    {"admin_max_clients", "tern has no admin interface"},
    {"admin_max_queued_clients", "tern has no admin interface"},
    {"admin_max_client_requests", "tern has no admin interface"},
    {"admin_keepalive_interval", "tern has no admin interface"},
    {"admin_keepalive_count", "tern has no admin interface"},
    {"admin_keepalive_required", "tern has no admin interface"},
    {"keepalive_required", "libvirtd no longer uses it either"},
    {"audit_level", "tern does not write audit records"},
    {"audit_logging", "tern does not write audit records"},
    {"host_uuid_source", "tern takes the host UUID from host_uuid only"},
    {"log_filters", "tern logs by level only"},
    {"log_buffer_size", "libvirtd no longer uses it either"},
    {"max_requests", "libvirtd no longer uses it either"},
    {"mdns_adv", "tern does not advertise itself over mDNS"},
    {"mdns_name", "tern does not advertise itself over mDNS"},
    {"ovs_timeout", "tern does not drive Open vSwitch"},
};

static const terndConfigKey *
terndConfigKeyLookup(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigKeys); i++) {
        if (g_str_equal(terndConfigKeys[i].key, key))
            return &terndConfigKeys[i];
    }
    return NULL;
}

static const terndConfigIgnoredKey *
terndConfigIgnoredKeyLookup(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigIgnoredKeys); i++) {
        if (g_str_equal(terndConfigIgnoredKeys[i].key, key))
            return &terndConfigIgnoredKeys[i];
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                                */
/* ------------------------------------------------------------------------ */

terndConfig *
terndConfigNew(void)
{
    terndConfig *cfg = g_new0(terndConfig, 1);

    cfg->tcp_port = g_strdup("16509");
    cfg->tls_port = g_strdup("16514");
    cfg->unix_sock_ro_perms = 0777;
    cfg->unix_sock_rw_perms = 0700;
    cfg->unix_sock_admin_perms = 0700;
    cfg->auth_unix_ro = g_strdup("none");
    cfg->auth_unix_rw = g_strdup("none");
    cfg->auth_tcp = g_strdup("sasl");
    cfg->auth_tls = g_strdup("none");
    cfg->max_clients = 5000;
    cfg->max_queued_clients = 1000;
    cfg->max_anonymous_clients = 20;
    cfg->min_workers = 5;
    cfg->max_workers = 20;
    cfg->prio_workers = 5;
    cfg->max_client_requests = 5;
    cfg->keepalive_interval = 5;
    cfg->keepalive_count = 5;
    cfg->log_level = 3;
    cfg->migration_port_min = 49152;
    cfg->migration_port_max = 49215;
    return cfg;
}

void
terndConfigFree(terndConfig *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigKeys); i++) {
        gpointer field = G_STRUCT_MEMBER_P(cfg, terndConfigKeys[i].offset);

        if (terndConfigKeys[i].type == TERND_CONF_STRING)
            g_free(*(char **)field);
        else if (terndConfigKeys[i].type == TERND_CONF_STRING_LIST)
            g_strfreev(*(char ***)field);
    }
    g_free(cfg);
}

/* A deep copy, built from the key table so that no field can be missed. */
static terndConfig *
terndConfigCopy(const terndConfig *cfg)
{
    terndConfig *copy = g_new0(terndConfig, 1);

    *copy = *cfg;
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigKeys); i++) {
        gpointer field = G_STRUCT_MEMBER_P(copy, terndConfigKeys[i].offset);

        if (terndConfigKeys[i].type == TERND_CONF_STRING)
            *(char **)field = g_strdup(*(char **)field);
        else if (terndConfigKeys[i].type == TERND_CONF_STRING_LIST)
            *(char ***)field = g_strdupv(*(char ***)field);
    }
    return copy;
}

/* ------------------------------------------------------------------------ */
/* The parser: text -> statements (key, line, value). virconf's grammar.     */
/* ------------------------------------------------------------------------ */

typedef enum {
    CONF_VALUE_INT,
    CONF_VALUE_STRING,
    CONF_VALUE_LIST,
} confValueType;

typedef struct _confValue confValue;
struct _confValue {
    confValueType type;
    gint64 num;
    char *str;
    GPtrArray *list; /* of confValue *, owning */
};

static void
confValueFree(confValue *value)
{
    if (!value)
        return;
    g_free(value->str);
    if (value->list)
        g_ptr_array_unref(value->list);
    g_free(value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(confValue, confValueFree)

typedef struct {
    char *key;
    int line;
    confValue *value;
} confStatement;

static void
confStatementFree(confStatement *stmt)
{
    if (!stmt)
        return;
    g_free(stmt->key);
    confValueFree(stmt->value);
    g_free(stmt);
}

typedef struct {
    const char *filename;
    const char *cur;
    const char *end;
    int line;
} confParser;

static void confFailAt(const char *filename, int line, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Every load error: "PATH:LINE: reason", with no libvirt prefix in front. */
static void
confFailAt(const char *filename, int line, GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *reason = NULL;
    g_autofree char *message = NULL;

    va_start(ap, fmt);
    reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    message = g_strdup_printf("%s:%d: %s", filename, line, reason);
    ternErrorSetLiteral(error, TERN_FROM_CONF, TERN_ERR_CONF_SYNTAX, message);
}

#define confFail(p, error, ...) confFailAt((p)->filename, (p)->line, (error), __VA_ARGS__)

static bool
confAtEnd(const confParser *p)
{
    return p->cur >= p->end;
}

static bool
confIsEOL(char c)
{
    return c == '\n' || c == '\r';
}

static bool
confIsBlank(char c)
{
    return c == ' ' || c == '\t';
}

static void
confSkipBlanks(confParser *p)
{
    while (!confAtEnd(p) && confIsBlank(*p->cur))
        p->cur++;
}

static void
confSkipComment(confParser *p)
{
    if (confAtEnd(p) || *p->cur != '#')
        return;
    while (!confAtEnd(p) && !confIsEOL(*p->cur))
        p->cur++;
}

/* Blanks, line ends and (inside lists only, a tern extension) comments. */
static void
confSkipSpace(confParser *p, bool comments)
{
    while (!confAtEnd(p)) {
        if (*p->cur == '\n')
            p->line++;
        if (comments && *p->cur == '#')
            confSkipComment(p);
        else if (confIsBlank(*p->cur) || confIsEOL(*p->cur))
            p->cur++;
        else
            break;
    }
}

/* The text at the cursor, for messages: up to the next separator, escaped. */
static char *
confSnippet(const confParser *p)
{
    GString *out = g_string_new(NULL);

    for (const char *s = p->cur; s < p->end && out->len < 32; s++) {
        unsigned char c = (unsigned char)*s;

        if (confIsBlank(*s) || confIsEOL(*s) || c == '#' || c == ';' || c == ',')
            break;
        if (c < 0x20 || c >= 0x7f)
            g_string_append_printf(out, "\\x%02x", c);
        else
            g_string_append_c(out, (char)c);
    }
    if (out->len == 0 && !confAtEnd(p))
        g_string_append_c(out, *p->cur);
    return g_string_free(out, FALSE);
}

static bool confParseValue(confParser *p, const char *key, bool inList, confValue **ret,
                           GError **error);

static bool
confParseString(confParser *p, const char *key, confValue **ret, GError **error)
{
    int startLine = p->line;
    const char *base;
    size_t len;
    confValue *value;

    if (p->end - p->cur >= 3 && memcmp(p->cur, "\"\"\"", 3) == 0) {
        p->cur += 3;
        base = p->cur;
        while (p->end - p->cur >= 3 && memcmp(p->cur, "\"\"\"", 3) != 0) {
            if (*p->cur == '\n')
                p->line++;
            p->cur++;
        }
        if (p->end - p->cur < 3) {
            confFailAt(p->filename, startLine, error,
                       "unterminated \"\"\"string\"\"\" in the value of '%s'", key);
            return false;
        }
        len = p->cur - base;
        p->cur += 3;
    } else {
        char quote = *p->cur++;

        base = p->cur;
        while (!confAtEnd(p) && *p->cur != quote && !confIsEOL(*p->cur))
            p->cur++;
        if (confAtEnd(p) || *p->cur != quote) {
            confFail(
                p, error,
                "unterminated string in the value of '%s' (strings end on the line they start on, and have no escapes)",
                key);
            return false;
        }
        len = p->cur - base;
        p->cur++;
    }

    if (len > TERND_CONFIG_MAX_STRING) {
        confFailAt(p->filename, startLine, error,
                   "string in the value of '%s' is longer than %d bytes", key,
                   TERND_CONFIG_MAX_STRING);
        return false;
    }
    if (!g_utf8_validate_len(base, len, NULL)) {
        confFailAt(p->filename, startLine, error, "string in the value of '%s' is not valid UTF-8",
                   key);
        return false;
    }
    value = g_new0(confValue, 1);
    value->type = CONF_VALUE_STRING;
    value->str = g_strndup(base, len);
    *ret = value;
    return true;
}

static bool
confParseNumber(confParser *p, const char *key, confValue **ret, GError **error)
{
    bool negative = false;
    guint64 n = 0;
    confValue *value;

    if (*p->cur == '-' || *p->cur == '+') {
        negative = *p->cur == '-';
        p->cur++;
    }
    if (confAtEnd(p) || !g_ascii_isdigit(*p->cur)) {
        confFail(p, error, "expected a digit after the sign in the value of '%s'", key);
        return false;
    }
    while (!confAtEnd(p) && g_ascii_isdigit(*p->cur)) {
        guint64 digit = (guint64)(*p->cur - '0');

        if (n > ((guint64)G_MAXINT64 - digit) / 10) {
            confFail(p, error, "the number in the value of '%s' is too large", key);
            return false;
        }
        n = n * 10 + digit;
        p->cur++;
    }
    value = g_new0(confValue, 1);
    value->type = CONF_VALUE_INT;
    value->num = negative ? -(gint64)n : (gint64)n;
    *ret = value;
    return true;
}

static bool
confParseList(confParser *p, const char *key, confValue **ret, GError **error)
{
    int startLine = p->line;
    g_autoptr(confValue) list = g_new0(confValue, 1);

    list->type = CONF_VALUE_LIST;
    list->list = g_ptr_array_new_with_free_func((GDestroyNotify)confValueFree);
    p->cur++; /* '[' */

    for (;;) {
        confValue *item = NULL;

        confSkipSpace(p, true);
        if (confAtEnd(p))
            break;
        if (*p->cur == ']')
            break;
        if (list->list->len >= TERND_CONFIG_MAX_LIST) {
            confFailAt(p->filename, startLine, error, "the list for '%s' has more than %d entries",
                       key, TERND_CONFIG_MAX_LIST);
            return false;
        }
        if (!confParseValue(p, key, true, &item, error))
            return false;
        g_ptr_array_add(list->list, item);

        confSkipSpace(p, true);
        if (confAtEnd(p))
            break;
        if (*p->cur == ',') {
            p->cur++;
            continue;
        }
        if (*p->cur != ']') {
            g_autofree char *snippet = confSnippet(p);
            if (p->line != startLine)
                confFail(p, error,
                         "expected ',' or ']' in the list for '%s' opened on line %d, got '%s'",
                         key, startLine, snippet);
            else
                confFail(p, error, "expected ',' or ']' in the list for '%s', got '%s'", key,
                         snippet);
            return false;
        }
    }
    if (confAtEnd(p)) {
        confFailAt(p->filename, startLine, error, "the list for '%s' is not closed with ']'", key);
        return false;
    }
    p->cur++; /* ']' */
    *ret = g_steal_pointer(&list);
    return true;
}

static bool
confParseValue(confParser *p, const char *key, bool inList, confValue **ret, GError **error)
{
    char c;

    confSkipBlanks(p);
    if (confAtEnd(p) || confIsEOL(*p->cur) || *p->cur == '#' || *p->cur == ';') {
        confFail(p, error, "expected a value for '%s'", key);
        return false;
    }
    c = *p->cur;
    if (c == '"' || c == '\'')
        return confParseString(p, key, ret, error);
    if (c == '[') {
        if (inList) {
            confFail(p, error, "lists inside lists are not supported (in the value of '%s')", key);
            return false;
        }
        return confParseList(p, key, ret, error);
    }
    if (g_ascii_isdigit(c) || c == '-' || c == '+')
        return confParseNumber(p, key, ret, error);

    {
        g_autofree char *snippet = confSnippet(p);
        confFail(p, error, "expected a value for '%s', got '%s' (strings need quotes)", key,
                 snippet);
    }
    return false;
}

static bool
confParseStatement(confParser *p, GPtrArray *statements, GError **error)
{
    const char *keyStart = p->cur;
    g_autofree char *key = NULL;
    confValue *value = NULL;
    confStatement *stmt;
    int line = p->line;

    if (!g_ascii_isalpha(*p->cur)) {
        g_autofree char *snippet = confSnippet(p);
        confFail(p, error, "expected a key name, got '%s'", snippet);
        return false;
    }
    while (!confAtEnd(p) && (g_ascii_isalnum(*p->cur) || *p->cur == '_'))
        p->cur++;
    key = g_strndup(keyStart, p->cur - keyStart);

    confSkipBlanks(p);
    if (confAtEnd(p) || *p->cur != '=') {
        confFail(p, error, "expected '=' after '%s'", key);
        return false;
    }
    p->cur++;
    if (!confParseValue(p, key, false, &value, error))
        return false;

    stmt = g_new0(confStatement, 1);
    stmt->key = g_steal_pointer(&key);
    stmt->line = line;
    stmt->value = value;
    g_ptr_array_add(statements, stmt);

    /* what may follow a value: blanks, a comment, then a line end, ';' or the end */
    confSkipBlanks(p);
    confSkipComment(p);
    if (confAtEnd(p) || confIsEOL(*p->cur))
        return true;
    if (*p->cur == ';') {
        p->cur++;
        return true;
    }
    {
        g_autofree char *snippet = confSnippet(p);
        confFail(p, error, "unexpected text after the value of '%s': '%s'", stmt->key, snippet);
    }
    return false;
}

/* The bound checks that come before any parsing: NUL bytes and line length. */
static bool
confCheckBounds(const char *filename, const char *data, gsize len, GError **error)
{
    int line = 1;
    gsize lineStart = 0;

    if (len > TERND_CONFIG_MAX_FILE_SIZE) {
        g_autofree char *message = g_strdup_printf("%s: the file is %" G_GSIZE_FORMAT
                                                   " bytes long, more than the limit of %d bytes",
                                                   filename, len, TERND_CONFIG_MAX_FILE_SIZE);
        ternErrorSetLiteral(error, TERN_FROM_CONF, TERN_ERR_CONF_SYNTAX, message);
        return false;
    }
    for (gsize i = 0; i <= len; i++) {
        if (i == len || data[i] == '\n') {
            if (i - lineStart > TERND_CONFIG_MAX_LINE) {
                confFailAt(filename, line, error, "the line is longer than %d bytes",
                           TERND_CONFIG_MAX_LINE);
                return false;
            }
            line++;
            lineStart = i + 1;
        } else if (data[i] == '\0') {
            confFailAt(filename, line, error, "the file contains a NUL byte");
            return false;
        }
    }
    return true;
}

static GPtrArray *
confParse(const char *filename, const char *data, gsize len, GError **error)
{
    g_autoptr(GPtrArray) statements =
        g_ptr_array_new_with_free_func((GDestroyNotify)confStatementFree);
    confParser p = {.filename = filename, .cur = data, .end = data + len, .line = 1};

    if (!confCheckBounds(filename, data, len, error))
        return NULL;

    for (;;) {
        confSkipSpace(&p, true);
        if (confAtEnd(&p))
            break;
        if (!confParseStatement(&p, statements, error))
            return NULL;
    }
    return g_steal_pointer(&statements);
}

/* ------------------------------------------------------------------------ */
/* Statements -> configuration                                              */
/* ------------------------------------------------------------------------ */

static const char *
confValueDescribe(const confValue *value)
{
    static const char *const names[] = {
        [CONF_VALUE_INT] = "an integer",
        [CONF_VALUE_STRING] = "a string",
        [CONF_VALUE_LIST] = "a list",
    };
    return names[value->type];
}

/* Store @value into @field (of @entry's type); the reason on a type mismatch. */
static char *
terndConfigConvert(const terndConfigKey *entry, const confValue *value, gpointer field)
{
    switch (entry->type) {
    case TERND_CONF_BOOL:
        if (value->type != CONF_VALUE_INT)
            return g_strdup_printf("expected a boolean (0 or 1) for '%s', got %s", entry->key,
                                   confValueDescribe(value));
        if (value->num != 0 && value->num != 1)
            return g_strdup_printf("expected a boolean (0 or 1) for '%s', got %" G_GINT64_FORMAT,
                                   entry->key, value->num);
        *(bool *)field = value->num == 1;
        return NULL;

    case TERND_CONF_INT:
        if (value->type != CONF_VALUE_INT)
            return g_strdup_printf("expected an integer for '%s', got %s", entry->key,
                                   confValueDescribe(value));
        if (value->num < G_MININT || value->num > G_MAXINT)
            return g_strdup_printf("the value %" G_GINT64_FORMAT " of '%s' is out of range",
                                   value->num, entry->key);
        *(int *)field = (int)value->num;
        return NULL;

    case TERND_CONF_STRING:
        if (value->type != CONF_VALUE_STRING)
            return g_strdup_printf("expected a string for '%s', got %s", entry->key,
                                   confValueDescribe(value));
        g_free(*(char **)field);
        *(char **)field = g_strdup(value->str);
        return NULL;

    case TERND_CONF_STRING_LIST: {
        GStrvBuilder *builder;

        if (value->type != CONF_VALUE_LIST)
            return g_strdup_printf("expected a list of strings for '%s', got %s", entry->key,
                                   confValueDescribe(value));
        for (guint i = 0; i < value->list->len; i++) {
            const confValue *item = g_ptr_array_index(value->list, i);
            if (item->type != CONF_VALUE_STRING)
                return g_strdup_printf("expected a list of strings for '%s', got %s in the list",
                                       entry->key, confValueDescribe(item));
        }
        builder = g_strv_builder_new();
        for (guint i = 0; i < value->list->len; i++) {
            const confValue *item = g_ptr_array_index(value->list, i);
            g_strv_builder_add(builder, item->str);
        }
        g_strfreev(*(char ***)field);
        *(char ***)field = g_strv_builder_end(builder);
        g_strv_builder_unref(builder);
        return NULL;
    }

    case TERND_CONF_PERMS: {
        guint64 perms;

        /* libvirtd.conf writes modes as strings, so that the leading 0 means octal */
        if (value->type != CONF_VALUE_STRING)
            return g_strdup_printf("expected an octal string such as \"0770\" for '%s', got %s",
                                   entry->key, confValueDescribe(value));
        if (!g_ascii_string_to_unsigned(value->str, 8, 0, 07777, &perms, NULL))
            return g_strdup_printf("expected an octal string such as \"0770\" for '%s', got \"%s\"",
                                   entry->key, value->str);
        *(int *)field = (int)perms;
        return NULL;
    }
    }
    g_assert_not_reached();
}

static bool
terndConfigApply(terndConfig *cfg, const char *filename, GPtrArray *statements, GPtrArray *ignored,
                 GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < statements->len; i++) {
        const confStatement *stmt = g_ptr_array_index(statements, i);
        const terndConfigKey *entry = terndConfigKeyLookup(stmt->key);
        gpointer firstLine = NULL;
        g_autofree char *reason = NULL;

        if (g_hash_table_lookup_extended(seen, stmt->key, NULL, &firstLine)) {
            confFailAt(filename, stmt->line, error, "duplicate key '%s' (first set on line %d)",
                       stmt->key, GPOINTER_TO_INT(firstLine));
            return false;
        }
        g_hash_table_insert(seen, stmt->key, GINT_TO_POINTER(stmt->line));

        if (!entry) {
            if (!terndConfigIgnoredKeyLookup(stmt->key)) {
                confFailAt(filename, stmt->line, error, "unknown key '%s'", stmt->key);
                return false;
            }
            g_ptr_array_add(ignored, (gpointer)stmt);
            continue;
        }

        reason = terndConfigConvert(entry, stmt->value, G_STRUCT_MEMBER_P(cfg, entry->offset));
        if (!reason && entry->check)
            reason = entry->check(entry->key, G_STRUCT_MEMBER_P(cfg, entry->offset));
        if (reason) {
            confFailAt(filename, stmt->line, error, "%s", reason);
            return false;
        }
    }
    return true;
}

bool
terndConfigLoadData(terndConfig *cfg, const char *filename, const char *data, gsize len,
                    GError **error)
{
    g_autoptr(GPtrArray) statements = NULL;
    g_autoptr(GPtrArray) ignored = g_ptr_array_new();
    g_autoptr(terndConfig) staged = NULL;

    g_return_val_if_fail(cfg != NULL && filename != NULL && (data != NULL || len == 0), false);

    if (!(statements = confParse(filename, data, len, error)))
        return false;

    /* apply to a copy, so that a failure leaves @cfg as it was */
    staged = terndConfigCopy(cfg);
    if (!terndConfigApply(staged, filename, statements, ignored, error))
        return false;

    {
        terndConfig old = *cfg;
        *cfg = *staged;
        *staged = old; /* freed with staged */
    }

    for (guint i = 0; i < ignored->len; i++) {
        const confStatement *stmt = g_ptr_array_index(ignored, i);
        TERN_WARN("%s:%d: ignoring '%s': %s", filename, stmt->line, stmt->key,
                  terndConfigIgnoredKeyLookup(stmt->key)->why);
    }
    return true;
}

bool
terndConfigLoadFile(terndConfig *cfg, const char *path, GError **error)
{
    TERN_AUTOCLOSE fd = -1;
    g_autofree char *data = NULL;
    gsize len = 0;

    g_return_val_if_fail(cfg != NULL && path != NULL, false);

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_CONF, errno, "cannot open configuration file '%s'",
                           path);
        return false;
    }
    /* read one byte past the limit, so that an oversized file is noticed */
    data = g_malloc(TERND_CONFIG_MAX_FILE_SIZE + 1);
    while (len < TERND_CONFIG_MAX_FILE_SIZE + 1) {
        ssize_t n = read(fd, data + len, TERND_CONFIG_MAX_FILE_SIZE + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ternErrorSetSystem(error, TERN_FROM_CONF, errno, "cannot read configuration file '%s'",
                               path);
            return false;
        }
        if (n == 0)
            break;
        len += (gsize)n;
    }
    return terndConfigLoadData(cfg, path, data, len, error);
}

/* ------------------------------------------------------------------------ */
/* Validation and formatting                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *lowKey;
    size_t lowOffset;
    const char *highKey;
    size_t highOffset;
} terndConfigOrder;

/* Pairs of int keys where the first must not exceed the second. */
static const terndConfigOrder terndConfigOrders[] = {
    {"min_workers", offsetof(terndConfig, min_workers), "max_workers",
     offsetof(terndConfig, max_workers)},
    {"max_anonymous_clients", offsetof(terndConfig, max_anonymous_clients), "max_clients",
     offsetof(terndConfig, max_clients)},
    {"migration_port_min", offsetof(terndConfig, migration_port_min), "migration_port_max",
     offsetof(terndConfig, migration_port_max)},
};

bool
terndConfigValidate(const terndConfig *cfg, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigKeys); i++) {
        const terndConfigKey *entry = &terndConfigKeys[i];
        g_autofree char *reason = NULL;

        if (entry->check &&
            (reason = entry->check(entry->key, G_STRUCT_MEMBER_P(cfg, entry->offset)))) {
            ternErrorSet(error, TERN_FROM_CONF, TERN_ERR_CONFIG_UNSUPPORTED, "%s", reason);
            return false;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigOrders); i++) {
        const terndConfigOrder *order = &terndConfigOrders[i];
        int low = G_STRUCT_MEMBER(int, cfg, order->lowOffset);
        int high = G_STRUCT_MEMBER(int, cfg, order->highOffset);

        if (low > high) {
            ternErrorSet(error, TERN_FROM_CONF, TERN_ERR_CONFIG_UNSUPPORTED,
                         "'%s' (%d) must not be greater than '%s' (%d)", order->lowKey, low,
                         order->highKey, high);
            return false;
        }
    }
    return true;
}

/* A string in the quotes virconf would pick: "..." unless it holds '"' or a line end. */
static void
terndConfigFormatString(GString *out, const char *str)
{
    if (strchr(str, '\n') || (strchr(str, '"') && strchr(str, '\'')))
        g_string_append_printf(out, "\"\"\"%s\"\"\"", str);
    else if (strchr(str, '"'))
        g_string_append_printf(out, "'%s'", str);
    else
        g_string_append_printf(out, "\"%s\"", str);
}

char *
terndConfigFormat(const terndConfig *cfg)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(terndConfigKeys); i++) {
        const terndConfigKey *entry = &terndConfigKeys[i];
        gconstpointer field = G_STRUCT_MEMBER_P(cfg, entry->offset);

        if ((entry->type == TERND_CONF_STRING && !*(char *const *)field) ||
            (entry->type == TERND_CONF_STRING_LIST && !*(char **const *)field)) {
            g_string_append_printf(out, "# %s: not set\n", entry->key);
            continue;
        }
        g_string_append_printf(out, "%s = ", entry->key);
        switch (entry->type) {
        case TERND_CONF_BOOL:
            g_string_append(out, *(const bool *)field ? "1" : "0");
            break;
        case TERND_CONF_INT:
            g_string_append_printf(out, "%d", *(const int *)field);
            break;
        case TERND_CONF_PERMS:
            g_string_append_printf(out, "\"%04o\"", (unsigned int)*(const int *)field);
            break;
        case TERND_CONF_STRING:
            terndConfigFormatString(out, *(char *const *)field);
            break;
        case TERND_CONF_STRING_LIST: {
            char *const *list = *(char **const *)field;

            g_string_append_c(out, '[');
            for (size_t j = 0; list[j]; j++) {
                g_string_append(out, j > 0 ? ", " : " ");
                terndConfigFormatString(out, list[j]);
            }
            g_string_append(out, list[0] ? " ]" : "]");
            break;
        }
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}
