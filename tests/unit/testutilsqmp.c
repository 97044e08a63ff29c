/* testutilsqmp.c: a fake QEMU that replays a QMP transcript on a socketpair, and QEMU's schema */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutilsqmp.h"

/* How long the fake waits for the client before giving up on it. */
#define TERN_TEST_QMP_READ_TIMEOUT_MS 30000
/* The longest command line the fake accepts from the client. */
#define TERN_TEST_QMP_MAX_LINE (1024 * 1024)
/* Deeper type nesting than this in a schema check means a cycle. */
#define TERN_TEST_QMP_SCHEMA_DEPTH 32

static GQuark
ternTestQMPQuark(void)
{
    return g_quark_from_static_string("tern-test-qmp");
}

/* ---- reading files -------------------------------------------------------------------- */

static char *
ternTestQMPReadFile(const char *path, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GInputStream) raw = NULL;
    g_autoptr(GInputStream) in = NULL;
    g_autoptr(GOutputStream) out = NULL;

    if (!(raw = G_INPUT_STREAM(g_file_read(file, NULL, error))))
        return NULL;
    if (g_str_has_suffix(path, ".gz")) {
        g_autoptr(GZlibDecompressor) gunzip =
            g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        in = g_converter_input_stream_new(raw, G_CONVERTER(gunzip));
    } else {
        in = g_object_ref(raw);
    }
    out = g_memory_output_stream_new_resizable();
    if (g_output_stream_splice(out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, error) < 0)
        return NULL;
    /* NUL-terminate */
    if (!g_output_stream_write_all(out, "", 1, NULL, NULL, error) ||
        !g_output_stream_close(out, NULL, error))
        return NULL;
    return g_memory_output_stream_steal_data(G_MEMORY_OUTPUT_STREAM(out));
}

/* ---- the schema ----------------------------------------------------------------------- */

struct _ternTestQMPSchema {
    json_object *root;  /* the array */
    GHashTable *byName; /* name -> json_object * (borrowed from root) */
};

void
ternTestQMPSchemaFree(ternTestQMPSchema *schema)
{
    if (!schema)
        return;
    if (schema->byName)
        g_hash_table_unref(schema->byName);
    json_object_put(schema->root);
    g_free(schema);
}

static const char *
schemaStr(json_object *obj, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

ternTestQMPSchema *
ternTestQMPSchemaLoad(const char *path, GError **error)
{
    g_autofree char *text = ternTestQMPReadFile(path, error);
    g_auto(GStrv) lines = NULL;
    g_autoptr(ternTestQMPSchema) schema = g_new0(ternTestQMPSchema, 1);
    json_object *ret = NULL;

    if (!text)
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        json_object *reply;

        if (!g_str_has_prefix(*l, "R: "))
            continue;
        if (!(reply = json_tokener_parse(*l + 3)))
            continue;
        if (json_object_object_get_ex(reply, "return", &ret) &&
            json_object_is_type(ret, json_type_array)) {
            schema->root = json_object_get(ret);
            json_object_put(reply);
            break;
        }
        json_object_put(reply);
    }
    if (!schema->root) {
        g_set_error(error, ternTestQMPQuark(), 0, "%s: no query-qmp-schema reply found", path);
        return NULL;
    }
    schema->byName = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < json_object_array_length(schema->root); i++) {
        json_object *ent = json_object_array_get_idx(schema->root, i);
        const char *name = schemaStr(ent, "name");

        if (name)
            g_hash_table_insert(schema->byName, (gpointer)name, ent);
    }
    return g_steal_pointer(&schema);
}

static bool schemaCheckValue(const ternTestQMPSchema *schema, const char *typeName,
                             json_object *val, const char *path, int depth, GError **error);

static bool schemaFail(GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool
schemaFail(GError **error, const char *path, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, ternTestQMPQuark(), 0, "%s: %s", path, msg);
    return false;
}

/* @obj against the object type @type: members, mandatory members, flat-union variants */
static bool
schemaCheckObject(const ternTestQMPSchema *schema, json_object *type, json_object *val,
                  const char *path, int depth, GError **error)
{
    g_autoptr(GPtrArray) members = g_ptr_array_new();
    json_object *list = NULL, *variants = NULL;
    const char *tag = schemaStr(type, "tag");

    if (!json_object_is_type(val, json_type_object))
        return schemaFail(error, path, "expected an object, got %s",
                          json_type_to_name(json_object_get_type(val)));
    if (json_object_object_get_ex(type, "members", &list)) {
        for (size_t i = 0; i < json_object_array_length(list); i++)
            g_ptr_array_add(members, json_object_array_get_idx(list, i));
    }
    /* a flat union: the tag member's value picks a variant whose members also apply */
    if (tag && json_object_object_get_ex(type, "variants", &variants)) {
        json_object *tagval = NULL;
        const char *tagstr = NULL;

        if (json_object_object_get_ex(val, tag, &tagval) &&
            json_object_is_type(tagval, json_type_string))
            tagstr = json_object_get_string(tagval);
        for (size_t i = 0; tagstr && i < json_object_array_length(variants); i++) {
            json_object *v = json_object_array_get_idx(variants, i);
            json_object *vt, *vmembers = NULL;

            if (g_strcmp0(schemaStr(v, "case"), tagstr) != 0)
                continue;
            vt = g_hash_table_lookup(schema->byName, schemaStr(v, "type"));
            if (vt && json_object_object_get_ex(vt, "members", &vmembers)) {
                for (size_t j = 0; j < json_object_array_length(vmembers); j++)
                    g_ptr_array_add(members, json_object_array_get_idx(vmembers, j));
            }
        }
    }
    json_object_object_foreach(val, key, member)
    {
        json_object *def = NULL;
        g_autofree char *sub = g_strdup_printf("%s.%s", path, key);

        for (guint i = 0; i < members->len && !def; i++) {
            if (g_strcmp0(schemaStr(members->pdata[i], "name"), key) == 0)
                def = members->pdata[i];
        }
        if (!def)
            return schemaFail(error, sub, "no such member in QEMU's schema");
        if (!schemaCheckValue(schema, schemaStr(def, "type"), member, sub, depth + 1, error))
            return false;
    }
    for (guint i = 0; i < members->len; i++) {
        const char *name = schemaStr(members->pdata[i], "name");

        /* introspection marks optional members with "default" (always null) */
        if (!json_object_object_get_ex(members->pdata[i], "default", NULL) &&
            !json_object_object_get_ex(val, name, NULL))
            return schemaFail(error, path, "mandatory member '%s' is missing", name);
    }
    return true;
}

static bool
schemaCheckValue(const ternTestQMPSchema *schema, const char *typeName, json_object *val,
                 const char *path, int depth, GError **error)
{
    json_object *type = typeName ? g_hash_table_lookup(schema->byName, typeName) : NULL;
    const char *meta;
    json_type jt = json_object_get_type(val);

    if (!type)
        return schemaFail(error, path, "type '%s' is not in the schema", typeName);
    if (depth > TERN_TEST_QMP_SCHEMA_DEPTH)
        return schemaFail(error, path, "%s", "nested too deeply");
    meta = schemaStr(type, "meta-type");

    if (g_strcmp0(meta, "builtin") == 0) {
        const char *j = schemaStr(type, "json-type");
        bool ok =
            g_strcmp0(j, "value") == 0 || (g_strcmp0(j, "string") == 0 && jt == json_type_string) ||
            (g_strcmp0(j, "int") == 0 && jt == json_type_int) ||
            (g_strcmp0(j, "number") == 0 && (jt == json_type_int || jt == json_type_double)) ||
            (g_strcmp0(j, "boolean") == 0 && jt == json_type_boolean) ||
            (g_strcmp0(j, "null") == 0 && jt == json_type_null);
        if (!ok)
            return schemaFail(error, path, "expected %s, got %s", j, json_type_to_name(jt));
        return true;
    }
    if (g_strcmp0(meta, "enum") == 0) {
        json_object *values = NULL;

        if (jt != json_type_string)
            return schemaFail(error, path, "expected an enum string, got %s",
                              json_type_to_name(jt));
        json_object_object_get_ex(type, "values", &values);
        for (size_t i = 0; values && i < json_object_array_length(values); i++) {
            if (g_strcmp0(json_object_get_string(json_object_array_get_idx(values, i)),
                          json_object_get_string(val)) == 0)
                return true;
        }
        return schemaFail(error, path, "'%s' is not a value of the enum",
                          json_object_get_string(val));
    }
    if (g_strcmp0(meta, "array") == 0) {
        if (jt != json_type_array)
            return schemaFail(error, path, "expected an array, got %s", json_type_to_name(jt));
        for (size_t i = 0; i < json_object_array_length(val); i++) {
            g_autofree char *sub = g_strdup_printf("%s[%zu]", path, i);
            if (!schemaCheckValue(schema, schemaStr(type, "element-type"),
                                  json_object_array_get_idx(val, i), sub, depth + 1, error))
                return false;
        }
        return true;
    }
    if (g_strcmp0(meta, "object") == 0)
        return schemaCheckObject(schema, type, val, path, depth, error);
    if (g_strcmp0(meta, "alternate") == 0) {
        json_object *members = NULL;

        json_object_object_get_ex(type, "members", &members);
        for (size_t i = 0; members && i < json_object_array_length(members); i++) {
            if (schemaCheckValue(schema, schemaStr(json_object_array_get_idx(members, i), "type"),
                                 val, path, depth + 1, NULL))
                return true;
        }
        return schemaFail(error, path, "matches no branch of alternate '%s'", typeName);
    }
    return schemaFail(error, path, "unsupported meta-type '%s'", meta ? meta : "?");
}

static json_object *
schemaEntity(const ternTestQMPSchema *schema, const char *name, const char *meta, GError **error)
{
    json_object *ent = g_hash_table_lookup(schema->byName, name);

    if (!ent || g_strcmp0(schemaStr(ent, "meta-type"), meta) != 0) {
        g_set_error(error, ternTestQMPQuark(), 0, "QEMU has no %s '%s'", meta, name);
        return NULL;
    }
    return ent;
}

bool
ternTestQMPSchemaCheckCommand(const ternTestQMPSchema *schema, const char *cmd, json_object *args,
                              GError **error)
{
    json_object *ent = schemaEntity(schema, cmd, "command", error);
    g_autoptr(json_object) empty = NULL;

    if (!ent)
        return false;
    if (!args)
        args = empty = json_object_new_object();
    return schemaCheckValue(schema, schemaStr(ent, "arg-type"), args, cmd, 0, error);
}

bool
ternTestQMPSchemaCheckReturn(const ternTestQMPSchema *schema, const char *cmd, json_object *ret,
                             GError **error)
{
    json_object *ent = schemaEntity(schema, cmd, "command", error);
    g_autofree char *path = g_strdup_printf("%s return", cmd);

    return ent && schemaCheckValue(schema, schemaStr(ent, "ret-type"), ret, path, 0, error);
}

bool
ternTestQMPSchemaCheckEvent(const ternTestQMPSchema *schema, const char *name, json_object *data,
                            GError **error)
{
    json_object *ent = schemaEntity(schema, name, "event", error);
    g_autoptr(json_object) empty = NULL;

    if (!ent)
        return false;
    if (!data)
        data = empty = json_object_new_object();
    return schemaCheckValue(schema, schemaStr(ent, "arg-type"), data, name, 0, error);
}

json_object *
ternTestQMPSchemaEnumValues(const ternTestQMPSchema *schema, const char *entity, bool ret,
                            const char *member)
{
    json_object *ent = g_hash_table_lookup(schema->byName, entity);
    json_object *type, *members = NULL, *values = NULL;

    if (!ent)
        return NULL;
    type = g_hash_table_lookup(schema->byName, schemaStr(ent, ret ? "ret-type" : "arg-type"));
    if (type && g_strcmp0(schemaStr(type, "meta-type"), "array") == 0)
        type = g_hash_table_lookup(schema->byName, schemaStr(type, "element-type"));
    if (!type || !json_object_object_get_ex(type, "members", &members))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(members); i++) {
        json_object *m = json_object_array_get_idx(members, i);
        json_object *mt;

        if (g_strcmp0(schemaStr(m, "name"), member) != 0)
            continue;
        mt = g_hash_table_lookup(schema->byName, schemaStr(m, "type"));
        /* an array of enums: its element type */
        if (mt && g_strcmp0(schemaStr(mt, "meta-type"), "array") == 0)
            mt = g_hash_table_lookup(schema->byName, schemaStr(mt, "element-type"));
        if (mt && g_strcmp0(schemaStr(mt, "meta-type"), "enum") == 0 &&
            json_object_object_get_ex(mt, "values", &values))
            return values;
        return NULL;
    }
    return NULL;
}

/* ---- the transcript ------------------------------------------------------------------- */

struct _ternTestQMP {
    char *name;
    GPtrArray *lines; /* ternTestQMPLine * */
    const ternTestQMPSchema *schema;
    int fd; /* the fake's end */
    GThread *thread;

    GMutex lock; /* below */
    GCond cond;
    GString *failures;
    unsigned int reached; /* file line of the last directive played */
    bool stopped;
    bool played; /* every directive was played */

    /* fake thread only */
    GByteArray *rx;
    unsigned int rxFds;   /* descriptors received since the last complete line */
    unsigned int lastFds; /* descriptors that came with the last command */
    GPtrArray *ids;       /* the id of each C: command received, in order (char *, may be NULL) */
    long splitNext;
};

static void
ternTestQMPLineFree(gpointer p)
{
    ternTestQMPLine *l = p;

    g_free(l->text);
    if (l->json)
        json_object_put(l->json);
    g_free(l);
}

const GPtrArray *
ternTestQMPGetLines(const ternTestQMP *fake)
{
    return fake->lines;
}

void
ternTestQMPSetSchema(ternTestQMP *fake, const ternTestQMPSchema *schema)
{
    fake->schema = schema;
}

static bool
ternTestQMPParseNumber(const char *s, long *ret)
{
    gint64 v;

    if (!g_ascii_string_to_signed(s, 10, 1, G_MAXINT32, &v, NULL))
        return false;
    *ret = (long)v;
    return true;
}

/* One directive: @head is the first word, @rest what follows it. */
static bool
ternTestQMPParseDirective(ternTestQMPLine *l, const char *head, const char *rest)
{
    if (g_str_equal(head, "S:") || g_str_equal(head, "C:") || g_str_equal(head, "R:") ||
        g_str_has_prefix(head, "R@")) {
        l->kind = head[0] == 'S'   ? TERN_TEST_QMP_SEND
                  : head[0] == 'C' ? TERN_TEST_QMP_COMMAND
                                   : TERN_TEST_QMP_REPLY;
        if (g_str_has_prefix(head, "R@")) {
            g_autofree char *num = g_strndup(head + 2, strlen(head) - 3);
            if (!g_str_has_suffix(head, ":") || !ternTestQMPParseNumber(num, &l->n))
                return false;
        }
        l->json = json_tokener_parse(rest);
        return l->json && json_object_is_type(l->json, json_type_object);
    }
    if (g_str_equal(head, "!split") || g_str_equal(head, "!oversize")) {
        l->kind = head[1] == 's' ? TERN_TEST_QMP_SPLIT : TERN_TEST_QMP_OVERSIZE;
        return ternTestQMPParseNumber(rest, &l->n);
    }
    if (g_str_equal(head, "!fd"))
        l->kind = TERN_TEST_QMP_FD;
    else if (g_str_equal(head, "!raw"))
        l->kind = TERN_TEST_QMP_RAW;
    else if (g_str_equal(head, "!partial"))
        l->kind = TERN_TEST_QMP_PARTIAL;
    else if (g_str_equal(head, "!eof"))
        l->kind = TERN_TEST_QMP_EOF;
    else if (g_str_equal(head, "!silence"))
        l->kind = TERN_TEST_QMP_SILENCE;
    else
        return false;
    return true;
}

static bool
ternTestQMPParse(ternTestQMP *fake, const char *text, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    unsigned int lineno = 0;

    for (char **p = lines; *p; p++) {
        g_autofree char *line = g_strdup(*p);
        g_autofree char *head = NULL;
        ternTestQMPLine *l;
        char *rest;

        lineno++;
        g_strchomp(line);
        if (!*line || *line == '#')
            continue;
        l = g_new0(ternTestQMPLine, 1);
        l->lineno = lineno;
        g_ptr_array_add(fake->lines, l);
        rest = strchr(line, ' ');
        head = rest ? g_strndup(line, rest - line) : g_strdup(line);
        rest = rest ? rest + 1 : line + strlen(line);
        l->text = g_strdup(rest);
        if (!ternTestQMPParseDirective(l, head, rest)) {
            g_set_error(error, ternTestQMPQuark(), 0, "%s:%u: cannot parse directive '%s'",
                        fake->name, lineno, line);
            return false;
        }
    }
    return true;
}

ternTestQMP *
ternTestQMPNewFromString(const char *name, const char *text, GError **error)
{
    g_autoptr(ternTestQMP) fake = g_new0(ternTestQMP, 1);

    fake->name = g_strdup(name);
    fake->lines = g_ptr_array_new_with_free_func(ternTestQMPLineFree);
    fake->fd = -1;
    g_mutex_init(&fake->lock);
    g_cond_init(&fake->cond);
    fake->failures = g_string_new(NULL);
    fake->rx = g_byte_array_new();
    fake->ids = g_ptr_array_new_with_free_func(g_free);
    if (!ternTestQMPParse(fake, text, error))
        return NULL;
    return g_steal_pointer(&fake);
}

ternTestQMP *
ternTestQMPNew(const char *path, GError **error)
{
    g_autofree char *text = ternTestQMPReadFile(path, error);
    g_autofree char *name = g_path_get_basename(path);

    if (!text)
        return NULL;
    return ternTestQMPNewFromString(name, text, error);
}

void
ternTestQMPFree(ternTestQMP *fake)
{
    if (!fake)
        return;
    if (fake->thread) {
        if (fake->fd >= 0)
            shutdown(fake->fd, SHUT_RDWR);
        g_thread_join(fake->thread);
    }
    if (fake->fd >= 0)
        close(fake->fd);
    g_ptr_array_unref(fake->lines);
    g_ptr_array_unref(fake->ids);
    g_byte_array_unref(fake->rx);
    g_string_free(fake->failures, TRUE);
    g_mutex_clear(&fake->lock);
    g_cond_clear(&fake->cond);
    g_free(fake->name);
    g_free(fake);
}

/* ---- playing -------------------------------------------------------------------------- */

static void fakeFail(ternTestQMP *fake, const ternTestQMPLine *l, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fakeFail(ternTestQMP *fake, const ternTestQMPLine *l, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&fake->lock);
    g_string_append_printf(fake->failures, "%s%s:%u: %s", fake->failures->len ? "\n" : "",
                           fake->name, l ? l->lineno : 0, msg);
    g_mutex_unlock(&fake->lock);
    /* let the client see EOF rather than wait for a reply that will not come */
    shutdown(fake->fd, SHUT_RDWR);
}

/* Write all of @buf; false if the client went away. */
static bool
fakeWrite(ternTestQMP *fake, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fake->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

static bool
fakeWriteLine(ternTestQMP *fake, const char *text, bool newline)
{
    g_autofree char *data = g_strconcat(text, newline ? "\n" : "", NULL);
    size_t len = strlen(data);

    if (fake->splitNext > 0) {
        size_t piece = (size_t)fake->splitNext;
        fake->splitNext = 0;
        for (size_t off = 0; off < len; off += piece) {
            if (!fakeWrite(fake, data + off, MIN(piece, len - off)))
                return false;
            g_usleep(1000); /* pacing, not synchronisation: several reads, not one */
        }
        return true;
    }
    return fakeWrite(fake, data, len);
}

/*
 * Read one line from the client (NULL at EOF, on a read error or timeout).
 * Descriptors that arrive are counted and closed.
 */
static char *
fakeReadLine(ternTestQMP *fake)
{
    for (;;) {
        guint8 *nl = fake->rx->len ? memchr(fake->rx->data, '\n', fake->rx->len) : NULL;
        char buf[4096];
        union {
            char buf[CMSG_SPACE(sizeof(int) * 4)];
            struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr msg = {0};
        struct pollfd pfd = {.fd = fake->fd, .events = POLLIN};
        ssize_t n;

        if (nl) {
            size_t len = (size_t)(nl - fake->rx->data);
            char *line = g_strndup((const char *)fake->rx->data, len);
            g_byte_array_remove_range(fake->rx, 0, (guint)len + 1);
            fake->lastFds = fake->rxFds;
            fake->rxFds = 0;
            return line;
        }
        if (fake->rx->len > TERN_TEST_QMP_MAX_LINE)
            return NULL;
        if (poll(&pfd, 1, TERN_TEST_QMP_READ_TIMEOUT_MS) <= 0)
            return NULL;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        n = recvmsg(fake->fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                close(fd);
                fake->rxFds++;
            }
        }
        g_byte_array_append(fake->rx, (const guint8 *)buf, (guint)n);
    }
}

static bool
fakeJSONEqual(json_object *a, json_object *b)
{
    if (!a || !b)
        return a == b;
    return json_object_equal(a, b) != 0;
}

/* C: read the client's command and compare it with @l's */
static bool
fakePlayCommand(ternTestQMP *fake, const ternTestQMPLine *l)
{
    g_autofree char *line = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) got = NULL;
    json_object *gexec = NULL, *gargs = NULL, *gid = NULL;
    json_object *wexec = NULL, *wargs = NULL;

    do {
        g_free(line);
        if (!(line = fakeReadLine(fake))) {
            fakeFail(fake, l, "the client closed (or fell silent) instead of sending %s", l->text);
            return false;
        }
    } while (!*line);
    if (!(got = json_tokener_parse(line)) || !json_object_is_type(got, json_type_object)) {
        fakeFail(fake, l, "the client sent something that is not a JSON object: %s", line);
        return false;
    }
    json_object_object_get_ex(got, "execute", &gexec);
    json_object_object_get_ex(got, "arguments", &gargs);
    json_object_object_get_ex(got, "id", &gid);
    json_object_object_get_ex(l->json, "execute", &wexec);
    json_object_object_get_ex(l->json, "arguments", &wargs);
    if (!fakeJSONEqual(gexec, wexec) || !fakeJSONEqual(gargs, wargs)) {
        fakeFail(fake, l, "expected %s, the client sent %s", l->text, line);
        return false;
    }
    if (fake->schema &&
        !ternTestQMPSchemaCheckCommand(fake->schema, json_object_get_string(gexec), gargs, &err)) {
        fakeFail(fake, l, "QEMU's schema refuses the client's command: %s", err->message);
        return false;
    }
    g_ptr_array_add(fake->ids, gid ? g_strdup(json_object_to_json_string(gid)) : NULL);
    return true;
}

/* R:/R@n: send the reply with the id of the command it answers */
static bool
fakePlayReply(ternTestQMP *fake, const ternTestQMPLine *l)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(json_object) reply = NULL;
    const char *id = NULL;
    long idx = l->n > 0 ? l->n - 1 : (long)fake->ids->len - 1;
    json_object *ret = NULL;

    if (idx < 0 || idx >= (long)fake->ids->len) {
        fakeFail(fake, l, "reply to command #%ld, which has not been received", idx + 1);
        return false;
    }
    id = fake->ids->pdata[idx];
    json_object_deep_copy(l->json, &reply, NULL);
    json_object_object_del(reply, "id");
    if (id)
        json_object_object_add(reply, "id", json_tokener_parse(id));

    if (fake->schema && json_object_object_get_ex(reply, "return", &ret)) {
        /* find the command this answers to check the return against its ret-type */
        unsigned int seen = 0;
        for (guint i = 0; i < fake->lines->len; i++) {
            ternTestQMPLine *c = fake->lines->pdata[i];
            json_object *exec = NULL;

            if (c->kind != TERN_TEST_QMP_COMMAND || (long)seen++ != idx)
                continue;
            json_object_object_get_ex(c->json, "execute", &exec);
            if (!ternTestQMPSchemaCheckReturn(fake->schema, json_object_get_string(exec), ret,
                                              &err)) {
                fakeFail(fake, l, "the transcript's reply does not match QEMU's schema: %s",
                         err->message);
                return false;
            }
            break;
        }
    }
    if (!fakeWriteLine(fake,
                       json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE),
                       true)) {
        fakeFail(fake, l, "%s", "the client closed before this reply");
        return false;
    }
    return true;
}

static bool
fakePlaySend(ternTestQMP *fake, const ternTestQMPLine *l)
{
    g_autoptr(GError) err = NULL;
    json_object *name = NULL, *data = NULL;

    if (fake->schema && json_object_object_get_ex(l->json, "event", &name)) {
        json_object_object_get_ex(l->json, "data", &data);
        if (!ternTestQMPSchemaCheckEvent(fake->schema, json_object_get_string(name), data, &err)) {
            fakeFail(fake, l, "the transcript's event does not match QEMU's schema: %s",
                     err->message);
            return false;
        }
    }
    /* S: lines go out exactly as written (the greeting, events) */
    if (!fakeWriteLine(fake, l->text, true)) {
        fakeFail(fake, l, "%s", "the client closed before this line");
        return false;
    }
    return true;
}

static void
fakeOversize(ternTestQMP *fake, long n)
{
    const char *head = "{\"return\": \"";
    g_autofree char *chunk = g_malloc(64 * 1024);
    size_t left = (size_t)n;

    memset(chunk, 'x', 64 * 1024);
    if (!fakeWrite(fake, head, strlen(head)))
        return;
    left -= MIN(left, strlen(head));
    while (left > 0) {
        size_t len = MIN(left, (size_t)64 * 1024);
        if (!fakeWrite(fake, chunk, len))
            return; /* the client gave up: that is the point */
        left -= len;
    }
    fakeWrite(fake, "\"}\n", 3);
}

/* Read until the client closes; commands are failures unless @quiet. */
static void
fakeDrain(ternTestQMP *fake, const ternTestQMPLine *last, bool quiet)
{
    char *line;

    while ((line = fakeReadLine(fake))) {
        if (!quiet && *line)
            fakeFail(fake, last, "unexpected command after the end of the transcript: %s", line);
        g_free(line);
        if (!quiet)
            return;
    }
}

static void
fakeReached(ternTestQMP *fake, const ternTestQMPLine *l, bool stopped, bool played)
{
    g_mutex_lock(&fake->lock);
    if (l)
        fake->reached = l->lineno;
    fake->stopped = stopped;
    fake->played = played;
    g_cond_broadcast(&fake->cond);
    g_mutex_unlock(&fake->lock);
}

static gpointer
fakeThread(gpointer opaque)
{
    ternTestQMP *fake = opaque;
    const ternTestQMPLine *last = NULL;

    for (guint i = 0; i < fake->lines->len; i++) {
        const ternTestQMPLine *l = fake->lines->pdata[i];
        bool ok = true;

        last = l;
        switch (l->kind) {
        case TERN_TEST_QMP_SEND:
            ok = fakePlaySend(fake, l);
            break;
        case TERN_TEST_QMP_COMMAND:
            ok = fakePlayCommand(fake, l);
            break;
        case TERN_TEST_QMP_REPLY:
            ok = fakePlayReply(fake, l);
            break;
        case TERN_TEST_QMP_FD:
            if (fake->lastFds == 0) {
                fakeFail(fake, l, "%s", "the command came without a file descriptor");
                ok = false;
            }
            break;
        case TERN_TEST_QMP_RAW:
        case TERN_TEST_QMP_PARTIAL:
            /* a fault: a client that already gave up is not a failure */
            fakeWriteLine(fake, l->text, l->kind == TERN_TEST_QMP_RAW);
            break;
        case TERN_TEST_QMP_SPLIT:
            fake->splitNext = l->n;
            break;
        case TERN_TEST_QMP_OVERSIZE:
            fakeOversize(fake, l->n);
            break;
        case TERN_TEST_QMP_EOF:
            shutdown(fake->fd, SHUT_RDWR);
            fakeReached(fake, l, true, true);
            return NULL;
        case TERN_TEST_QMP_SILENCE:
            fakeReached(fake, l, false, true);
            fakeDrain(fake, l, true);
            fakeReached(fake, l, true, true);
            return NULL;
        }
        if (!ok) {
            fakeReached(fake, l, true, false);
            return NULL;
        }
        fakeReached(fake, l, false, false);
    }
    fakeReached(fake, last, false, true);
    fakeDrain(fake, last, false);
    fakeReached(fake, last, true, true);
    return NULL;
}

void
ternTestQMPStartOnFD(ternTestQMP *fake, int fd)
{
    g_assert(!fake->thread);
    fake->fd = fd;
    fake->thread = g_thread_new("fake-qemu", fakeThread, fake);
}

int
ternTestQMPStart(ternTestQMP *fake)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        g_error("socketpair: %s", g_strerror(errno));
    ternTestQMPStartOnFD(fake, sv[0]);
    return sv[1];
}

bool
ternTestQMPWaitReached(ternTestQMP *fake, unsigned int lineno, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * G_TIME_SPAN_MILLISECOND;
    bool ok;

    g_mutex_lock(&fake->lock);
    while (fake->reached < lineno && !fake->stopped) {
        if (!g_cond_wait_until(&fake->cond, &fake->lock, deadline))
            break;
    }
    ok = fake->reached >= lineno;
    g_mutex_unlock(&fake->lock);
    return ok;
}

bool
ternTestQMPFinish(ternTestQMP *fake, GError **error)
{
    bool played;

    if (fake->thread) {
        g_thread_join(fake->thread);
        fake->thread = NULL;
    }
    g_mutex_lock(&fake->lock);
    played = fake->played;
    if (!played && fake->failures->len == 0)
        g_string_append_printf(fake->failures, "%s: stopped after line %u, before the end",
                               fake->name, fake->reached);
    g_mutex_unlock(&fake->lock);
    if (fake->failures->len) {
        g_set_error_literal(error, ternTestQMPQuark(), 0, fake->failures->str);
        return false;
    }
    return true;
}
