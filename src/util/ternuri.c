/* ternuri.c: parse and format the URIs tern accepts (a strict subset of RFC 3986) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "util/ternerror.h"
#include "util/ternuri.h"

/*
 * Which characters each component may hold unencoded (RFC 3986 section 3).
 * Letters and digits are allowed everywhere; the rest comes from this table.
 * Hosts take no percent-encoding: tern has no use for encoded host names and
 * refusing them keeps "what we connect to" equal to "what the user wrote".
 */
typedef enum {
    URI_CLASS_SCHEME = 1 << 0,
    URI_CLASS_USER = 1 << 1,
    URI_CLASS_HOST = 1 << 2,
    URI_CLASS_PATH = 1 << 3,
    URI_CLASS_QUERY = 1 << 4, /* the query and the fragment */
} uriCharClass;

#define URI_CLASS_ALL                                                                              \
    (URI_CLASS_SCHEME | URI_CLASS_USER | URI_CLASS_HOST | URI_CLASS_PATH | URI_CLASS_QUERY)

typedef struct {
    const char *chars;
    unsigned int classes;
} uriCharSet;

static const uriCharSet uriCharSets[] = {
    {"+-.", URI_CLASS_ALL},                            /* scheme punctuation, also unreserved */
    {"_~", URI_CLASS_ALL & ~URI_CLASS_SCHEME},         /* the rest of "unreserved" */
    {"!$&'()*,;=", URI_CLASS_ALL & ~URI_CLASS_SCHEME}, /* sub-delims ('+' is above) */
    {":", URI_CLASS_USER | URI_CLASS_PATH | URI_CLASS_QUERY},
    {"@", URI_CLASS_PATH | URI_CLASS_QUERY},
    {"/", URI_CLASS_PATH | URI_CLASS_QUERY},
    {"?", URI_CLASS_QUERY},
};

static unsigned int
uriCharClasses(char c)
{
    unsigned int classes = 0;

    if (g_ascii_isalnum(c))
        return URI_CLASS_ALL;
    if (c == '\0')
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(uriCharSets); i++) {
        if (strchr(uriCharSets[i].chars, c))
            classes |= uriCharSets[i].classes;
    }
    return classes;
}

/* The URI as shown in messages: bytes that would garble a log line become \xNN. */
static char *
uriQuoteForMessage(const char *uri, size_t len)
{
    GString *out = g_string_sized_new(len + 8);

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c < 0x20 || c >= 0x7f)
            g_string_append_printf(out, "\\x%02x", c);
        else
            g_string_append_c(out, (char)c);
    }
    return g_string_free(out, FALSE);
}

typedef struct {
    const char *text; /* the whole input */
    size_t len;       /* its length, or how much of it messages show */
    bool truncated;   /* messages show only the first len bytes */
} uriParser;

static void uriFail(const uriParser *p, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
uriFail(const uriParser *p, GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *reason = NULL;
    g_autofree char *quoted = uriQuoteForMessage(p->text, p->len);
    const char *ellipsis = p->truncated ? "..." : "";

    va_start(ap, fmt);
    reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ternErrorSet(error, TERN_FROM_URI, TERN_ERR_INVALID_ARG, "unable to parse URI '%s%s': %s",
                 quoted, ellipsis, reason);
}

static void
uriFailChar(const uriParser *p, size_t off, const char *component, GError **error)
{
    unsigned char c = (unsigned char)p->text[off];

    if (c < 0x20 || c >= 0x7f || c == ' ')
        uriFail(p, error, "byte 0x%02x at offset %zu is not allowed in the %s", c, off, component);
    else
        uriFail(p, error, "character '%c' at offset %zu is not allowed in the %s", c, off,
                component);
}

/*
 * uriCheck: every byte of text[start, end) is in @cls, or (when @pct) a
 * well-formed %XX escape other than %00.
 */
static bool
uriCheck(const uriParser *p, size_t start, size_t end, unsigned int cls, bool pct,
         const char *component, GError **error)
{
    for (size_t i = start; i < end; i++) {
        char c = p->text[i];

        if (c == '%' && pct) {
            if (i + 2 >= end || g_ascii_xdigit_value(p->text[i + 1]) < 0 ||
                g_ascii_xdigit_value(p->text[i + 2]) < 0) {
                uriFail(p, error, "malformed percent-encoding at offset %zu in the %s", i,
                        component);
                return false;
            }
            if (p->text[i + 1] == '0' && p->text[i + 2] == '0') {
                uriFail(p, error, "%%00 at offset %zu in the %s encodes a NUL byte", i, component);
                return false;
            }
            i += 2;
            continue;
        }
        if (!(uriCharClasses(c) & cls)) {
            uriFailChar(p, i, component, error);
            return false;
        }
    }
    return true;
}

/* uriDecode: @len bytes of checked text with %XX replaced by the byte. */
static char *
uriDecode(const char *s, size_t len)
{
    char *out = g_malloc(len + 1);
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && g_ascii_xdigit_value(s[i + 1]) >= 0 &&
            g_ascii_xdigit_value(s[i + 2]) >= 0) {
            out[n++] = (char)(g_ascii_xdigit_value(s[i + 1]) * 16 + g_ascii_xdigit_value(s[i + 2]));
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}

static void
uriParamAppend(GArray *params, const char *name, size_t nameLen, const char *value, size_t valueLen)
{
    ternURIParam param = {
        .name = uriDecode(name, nameLen),
        .value = uriDecode(value, valueLen),
    };

    g_array_append_val(params, param);
}

/* Split the (checked) query into parameters with libvirt's rules. */
static void
uriParseParams(ternURI *uri)
{
    g_autoptr(GArray) params = NULL;
    const char *q = uri->query;

    if (!q || !*q)
        return;

    params = g_array_new(FALSE, TRUE, sizeof(ternURIParam));
    while (*q) {
        size_t sectionLen = strcspn(q, "&;");
        const char *eq = memchr(q, '=', sectionLen);

        /*
         * Empty sections ("a=1&&b=2") and nameless ones ("=value") are
         * skipped, as CGI.pm and libvirt do; "name" alone has the value "".
         */
        if (sectionLen > 0 && !eq)
            uriParamAppend(params, q, sectionLen, "", 0);
        else if (sectionLen > 0 && eq != q)
            uriParamAppend(params, q, eq - q, eq + 1, q + sectionLen - (eq + 1));
        q += sectionLen;
        if (*q)
            q++;
    }
    uri->nparams = params->len;
    uri->params = (ternURIParam *)(void *)g_array_free(g_steal_pointer(&params), FALSE);
}

/* Parse the authority text[start, end): [user "@"] host [":" port]. */
static bool
uriParseAuthority(const uriParser *p, size_t start, size_t end, ternURI *uri, GError **error)
{
    const char *at = memchr(p->text + start, '@', end - start);
    size_t hostStart = start;
    size_t hostEnd;
    size_t portStart;

    if (at) {
        size_t userEnd = at - p->text;
        if (!uriCheck(p, start, userEnd, URI_CLASS_USER, true, "user name", error))
            return false;
        uri->user = uriDecode(p->text + start, userEnd - start);
        hostStart = userEnd + 1;
    }

    if (hostStart < end && p->text[hostStart] == '[') {
        const char *close = memchr(p->text + hostStart, ']', end - hostStart);
        size_t i;

        if (!close) {
            uriFail(p, error, "IPv6 address at offset %zu is missing its ']'", hostStart);
            return false;
        }
        hostEnd = close - p->text;
        for (i = hostStart + 1; i < hostEnd; i++) {
            if (!g_ascii_isxdigit(p->text[i]) && p->text[i] != ':' && p->text[i] != '.') {
                uriFailChar(p, i, "IPv6 address", error);
                return false;
            }
        }
        /* hex digits, ':' and '.' only, so safe to quote */
        if (!memchr(p->text + hostStart + 1, ':', hostEnd - hostStart - 1)) {
            uriFail(p, error, "'%.*s' is not an IPv6 address", (int)(hostEnd - hostStart - 1),
                    p->text + hostStart + 1);
            return false;
        }
        uri->server = g_strndup(p->text + hostStart + 1, hostEnd - hostStart - 1);
        portStart = hostEnd + 1;
        if (portStart < end && p->text[portStart] != ':') {
            uriFailChar(p, portStart, "authority after an IPv6 address", error);
            return false;
        }
    } else {
        const char *colon = memchr(p->text + hostStart, ':', end - hostStart);

        hostEnd = colon ? (size_t)(colon - p->text) : end;
        if (!uriCheck(p, hostStart, hostEnd, URI_CLASS_HOST, false, "host", error))
            return false;
        if (hostEnd > hostStart)
            uri->server = g_strndup(p->text + hostStart, hostEnd - hostStart);
        portStart = hostEnd;
    }

    if (portStart < end) {
        /* text[portStart] is ':' */
        guint64 port = 0;
        size_t i;

        for (i = portStart + 1; i < end; i++) {
            if (!g_ascii_isdigit(p->text[i])) {
                uriFailChar(p, i, "port", error);
                return false;
            }
        }
        for (i = portStart + 1; i < end && port <= 65535; i++)
            port = port * 10 + (guint64)(p->text[i] - '0');
        if (port > 65535) {
            uriFail(p, error, "port '%.*s' is not in the range 1-65535", (int)(end - portStart - 1),
                    p->text + portStart + 1);
            return false;
        }
        if (end > portStart + 1) {
            if (port == 0) {
                uriFail(p, error, "port 0 is not valid");
                return false;
            }
            if (!uri->server) {
                uriFail(p, error, "port %u is given without a host", (unsigned int)port);
                return false;
            }
            uri->port = (int)port;
        }
        /* "host:" with an empty port means no port (RFC 3986 section 3.2.3) */
    }
    return true;
}

ternURI *
ternURIParse(const char *text, GError **error)
{
    g_autoptr(ternURI) uri = NULL;
    uriParser p = {.text = text};
    size_t i;
    size_t authStart;
    size_t authEnd;
    size_t pathEnd;

    g_return_val_if_fail(text != NULL, NULL);

    p.len = strnlen(text, TERN_URI_MAX_LEN + 1);
    if (p.len > TERN_URI_MAX_LEN) {
        p.len = 64;
        p.truncated = true;
        uriFail(&p, error, "the URI is longer than %d bytes", TERN_URI_MAX_LEN);
        return NULL;
    }
    if (p.len == 0) {
        uriFail(&p, error, "the URI is empty");
        return NULL;
    }

    uri = g_new0(ternURI, 1);

    /* scheme ":" */
    if (!g_ascii_isalpha(text[0])) {
        uriFail(&p, error, "a URI starts with a scheme such as 'qemu+tcp'");
        return NULL;
    }
    for (i = 1; i < p.len && text[i] != ':'; i++) {
        if (!(uriCharClasses(text[i]) & URI_CLASS_SCHEME)) {
            uriFailChar(&p, i, "scheme", error);
            return NULL;
        }
    }
    if (i == p.len) {
        uriFail(&p, error, "no ':' after the scheme");
        return NULL;
    }
    uri->scheme = g_strndup(text, i);

    /* "//" authority */
    if (strncmp(text + i + 1, "//", 2) != 0) {
        uriFail(&p, error, "'%s:' must be followed by '//', as in '%s:///system'", uri->scheme,
                uri->scheme);
        return NULL;
    }
    authStart = i + 3;
    authEnd = authStart + strcspn(text + authStart, "/?#");
    if (!uriParseAuthority(&p, authStart, authEnd, uri, error))
        return NULL;

    /* path-abempty */
    pathEnd = authEnd + strcspn(text + authEnd, "?#");
    if (!uriCheck(&p, authEnd, pathEnd, URI_CLASS_PATH, true, "path", error))
        return NULL;
    if (pathEnd > authEnd)
        uri->path = uriDecode(text + authEnd, pathEnd - authEnd);

    /* "?" query, "#" fragment */
    i = pathEnd;
    if (i < p.len && text[i] == '?') {
        size_t queryEnd = i + 1 + strcspn(text + i + 1, "#");
        if (!uriCheck(&p, i + 1, queryEnd, URI_CLASS_QUERY, true, "query", error))
            return NULL;
        uri->query = g_strndup(text + i + 1, queryEnd - i - 1);
        i = queryEnd;
    }
    if (i < p.len && text[i] == '#') {
        if (!uriCheck(&p, i + 1, p.len, URI_CLASS_QUERY, true, "fragment", error))
            return NULL;
        uri->fragment = uriDecode(text + i + 1, p.len - i - 1);
    }

    uriParseParams(uri);
    return g_steal_pointer(&uri);
}

/* Append @s, percent-encoding every byte outside @cls. */
static void
uriAppendEncoded(GString *out, const char *s, unsigned int cls)
{
    for (; *s; s++) {
        if (uriCharClasses(*s) & cls)
            g_string_append_c(out, *s);
        else
            g_string_append_printf(out, "%%%02X", (unsigned char)*s);
    }
}

char *
ternURIFormat(const ternURI *uri)
{
    GString *out;

    g_return_val_if_fail(uri != NULL && uri->scheme != NULL, NULL);

    out = g_string_new(uri->scheme);
    g_string_append(out, "://");
    if (uri->user) {
        uriAppendEncoded(out, uri->user, URI_CLASS_USER);
        g_string_append_c(out, '@');
    }
    if (uri->server) {
        if (strchr(uri->server, ':'))
            g_string_append_printf(out, "[%s]", uri->server);
        else
            g_string_append(out, uri->server);
        if (uri->port > 0)
            g_string_append_printf(out, ":%d", uri->port);
    }
    if (uri->path && *uri->path) {
        if (uri->path[0] != '/')
            g_string_append_c(out, '/'); /* else "qemu://system" would name a host */
        uriAppendEncoded(out, uri->path, URI_CLASS_PATH);
    }
    if (uri->query) {
        g_string_append_c(out, '?');
        g_string_append(out, uri->query);
    }
    if (uri->fragment) {
        g_string_append_c(out, '#');
        uriAppendEncoded(out, uri->fragment, URI_CLASS_QUERY);
    }
    return g_string_free(out, FALSE);
}

const char *
ternURIGetParam(const ternURI *uri, const char *name)
{
    for (size_t i = uri->nparams; i > 0; i--) {
        if (g_ascii_strcasecmp(uri->params[i - 1].name, name) == 0)
            return uri->params[i - 1].value;
    }
    return NULL;
}

void
ternURIEscapeQueryValue(GString *buf, const char *value)
{
    /* libvirt's virBufferURIEncodeString is exactly this GLib call */
    g_string_append_uri_escaped(buf, value, NULL, FALSE);
}

void
ternURIFree(ternURI *uri)
{
    if (!uri)
        return;
    g_free(uri->scheme);
    g_free(uri->user);
    g_free(uri->server);
    g_free(uri->path);
    g_free(uri->query);
    g_free(uri->fragment);
    for (size_t i = 0; i < uri->nparams; i++) {
        g_free(uri->params[i].name);
        g_free(uri->params[i].value);
    }
    g_free(uri->params);
    g_free(uri);
}
