/* ternuri.h: parse and format the URIs tern accepts (a strict subset of RFC 3986) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The accepted form is the one libvirt's connection and migration URIs use:
 *
 *     scheme "://" [ user "@" ] [ host | "[" ipv6 "]" ] [ ":" port ] path
 *            [ "?" query ] [ "#" fragment ]
 *
 * Only absolute URIs with an authority ("//") are accepted: "qemu:///system",
 * "qemu+tcp://host:16510/system?x=y", "tcp://[::1]:49152". Anything else
 * ("qemu:/system", spaces, control or non-ASCII bytes, malformed
 * percent-encoding, a port without a host or above 65535, URIs longer than
 * TERN_URI_MAX_LEN) is refused with TERN_ERR_INVALID_ARG in TERN_FROM_URI.
 *
 * user, path and fragment are stored percent-decoded (as libvirt's parser,
 * libxml2, does) and re-encoded by ternURIFormat(); query is kept raw and
 * decoded separately into params.
 */

#include <glib.h>
#include <stdbool.h>

/* Longest URI ternURIParse() accepts, in bytes. */
#define TERN_URI_MAX_LEN 4096

typedef struct {
    char *name;  /* percent-decoded */
    char *value; /* percent-decoded; "" for "?name" and "?name=" */
} ternURIParam;

typedef struct _ternURI ternURI;
struct _ternURI {
    char *scheme;         /* "qemu+tcp", as written */
    char *user;           /* NULL when absent */
    char *server;         /* host, without the [] of an IPv6 literal; NULL when empty */
    int port;             /* 1..65535, or 0 when absent */
    char *path;           /* "/system"; NULL when empty */
    char *query;          /* raw text after '?' (may be ""); NULL without '?' */
    char *fragment;       /* decoded text after '#' (may be ""); NULL without '#' */
    ternURIParam *params; /* the query split at '&' and ';', in order */
    size_t nparams;
};

/**
 * ternURIParse: parse @uri (see the grammar above).
 * Returns a new ternURI the caller frees with ternURIFree(), or NULL with
 * @error set to "invalid argument: unable to parse URI 'URI': REASON"
 * (TERN_FROM_URI, TERN_ERR_INVALID_ARG). Query parameters follow libvirt's
 * rules: empty sections are skipped, "=value" is ignored, "name" alone has
 * the value "", and '+' is not a space. Never blocks.
 */
ternURI *ternURIParse(const char *uri, GError **error);

/**
 * ternURIFormat: the text of @uri; scheme is required. Parsing the result
 * gives back the same fields, and formatting a parsed URI gives back the
 * input whenever that input used no needless percent-encoding. A NULL
 * server formats as "scheme:///path", libvirt's local form.
 * Returns a new string (g_free).
 */
char *ternURIFormat(const ternURI *uri);

/**
 * ternURIGetParam: the value of the last query parameter named @name,
 * compared without regard to ASCII case (as libvirt's remote driver does),
 * or NULL if there is none. Borrowed from @uri.
 */
const char *ternURIGetParam(const ternURI *uri, const char *name);

/**
 * ternURIEscapeQueryValue: append @value to @buf percent-encoded the way
 * libvirt encodes query values it forwards (every byte outside
 * [A-Za-z0-9-._~] becomes %XX).
 */
void ternURIEscapeQueryValue(GString *buf, const char *value);

/** ternURIFree: free @uri and everything it holds; accepts NULL. */
void ternURIFree(ternURI *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternURI, ternURIFree)
