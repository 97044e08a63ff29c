/* remote_uri.c: how a libvirt client reads a connection URI: transport, address, open name */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "remote/remote_uri.h"
#include "util/ternerror.h"

static const char *const remoteTransportNames[] = {
    [REMOTE_TRANSPORT_LOCAL] = "local",
    [REMOTE_TRANSPORT_UNIX] = "unix",
    [REMOTE_TRANSPORT_TCP] = "tcp",
    [REMOTE_TRANSPORT_TLS] = "tls",
};
G_STATIC_ASSERT(G_N_ELEMENTS(remoteTransportNames) == REMOTE_TRANSPORT_LAST);

const char *
remoteTransportTypeToString(remoteTransport transport)
{
    if ((unsigned int)transport >= REMOTE_TRANSPORT_LAST)
        return NULL;
    return remoteTransportNames[transport];
}

/* The "+transport" part of a scheme. libvirt knows all of these; tern speaks three. */
typedef struct {
    const char *name;
    remoteTransport transport; /* REMOTE_TRANSPORT_LAST: known to libvirt, not to tern */
} remoteTransportEntry;

static const remoteTransportEntry remoteTransportTable[] = {
    {"unix", REMOTE_TRANSPORT_UNIX},   {"tcp", REMOTE_TRANSPORT_TCP},
    {"tls", REMOTE_TRANSPORT_TLS},     {"ssh", REMOTE_TRANSPORT_LAST},
    {"libssh", REMOTE_TRANSPORT_LAST}, {"libssh2", REMOTE_TRANSPORT_LAST},
    {"ext", REMOTE_TRANSPORT_LAST},
};

/* What the client does with each query parameter it consumes (libvirt's doRemoteOpen). */
typedef enum {
    REMOTE_URI_PARAM_STRING, /* copied into the char * at offset */
    REMOTE_URI_PARAM_FLAG,   /* an integer; non-zero sets the bool at offset */
    REMOTE_URI_PARAM_INT,    /* an integer tern checks but has no use for */
    REMOTE_URI_PARAM_UNUSED, /* consumed by libvirt for ssh/ext or its own daemons; dropped */
} remoteURIParamKind;

#define REMOTE_URI_NO_FIELD ((size_t)-1)

typedef struct {
    const char *name;
    remoteURIParamKind kind;
    size_t offset; /* into remoteURIInfo */
} remoteURIParamEntry;

static const remoteURIParamEntry remoteURIParamTable[] = {
    {"name", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, openName)},
    {"socket", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, socketPath)},
    {"auth", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, auth)},
    {"pkipath", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, pkipath)},
    {"tls_priority", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, tlsPriority)},
    {"authfile", REMOTE_URI_PARAM_STRING, offsetof(remoteURIInfo, authfile)},
    {"no_verify", REMOTE_URI_PARAM_FLAG, offsetof(remoteURIInfo, noVerify)},
    {"no_sanity", REMOTE_URI_PARAM_INT, REMOTE_URI_NO_FIELD},
    {"no_tty", REMOTE_URI_PARAM_INT, REMOTE_URI_NO_FIELD},
    {"command", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"sshauth", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"netcat", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"keyfile", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"known_hosts", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"known_hosts_verify", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"mode", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
    {"proxy", REMOTE_URI_PARAM_UNUSED, REMOTE_URI_NO_FIELD},
};

static const remoteURIParamEntry *
remoteURIParamLookup(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remoteURIParamTable); i++) {
        if (g_ascii_strcasecmp(remoteURIParamTable[i].name, name) == 0)
            return &remoteURIParamTable[i];
    }
    return NULL;
}

/* Store @param per its table entry; false (with @error) if its value is malformed. */
static bool
remoteURIParamApply(remoteURIInfo *info, const remoteURIParamEntry *entry,
                    const ternURIParam *param, const char *uritext, GError **error)
{
    gint64 n = 0;

    switch (entry->kind) {
    case REMOTE_URI_PARAM_STRING: {
        char **field = G_STRUCT_MEMBER_P(info, entry->offset);
        g_free(*field);
        *field = g_strdup(param->value);
        return true;
    }
    case REMOTE_URI_PARAM_FLAG:
    case REMOTE_URI_PARAM_INT:
        if (!g_ascii_string_to_signed(param->value, 10, G_MININT, G_MAXINT, &n, NULL)) {
            g_autofree char *value = g_strescape(param->value, NULL);
            ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                         "value '%s' of parameter '%s' in URI '%s' is not an integer", value,
                         entry->name, uritext);
            return false;
        }
        if (entry->kind == REMOTE_URI_PARAM_FLAG)
            G_STRUCT_MEMBER(bool, info, entry->offset) = n != 0;
        return true;
    case REMOTE_URI_PARAM_UNUSED:
        return true;
    }
    g_assert_not_reached();
}

static bool
remoteURIAuthIsKnown(const char *auth)
{
    /* the forms libvirt's remoteAuthenticate() accepts */
    return g_ascii_strcasecmp(auth, "sasl") == 0 || g_ascii_strcasecmp(auth, "polkit") == 0 ||
           (g_ascii_strncasecmp(auth, "sasl.", 5) == 0 && auth[5] != '\0');
}

/* Split "driver+transport"; on success *transport is LAST when the scheme has no '+'. */
static bool
remoteURISplitScheme(const ternURI *uri, const char *uritext, char **driver,
                     remoteTransport *transport, GError **error)
{
    const char *plus = strchr(uri->scheme, '+');

    *transport = REMOTE_TRANSPORT_LAST;
    if (!plus) {
        *driver = g_strdup(uri->scheme);
        return true;
    }

    for (size_t i = 0; i < G_N_ELEMENTS(remoteTransportTable); i++) {
        const remoteTransportEntry *entry = &remoteTransportTable[i];

        if (g_ascii_strcasecmp(entry->name, plus + 1) != 0)
            continue;
        if (entry->transport == REMOTE_TRANSPORT_LAST) {
            ternErrorSet(
                error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                "transport '%s' in URI '%s' is not supported by tern; use tcp, tls or unix",
                plus + 1, uritext);
            return false;
        }
        *driver = g_strndup(uri->scheme, plus - uri->scheme);
        *transport = entry->transport;
        return true;
    }
    ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                 "transport '%s' in URI '%s' is not recognised (should be tcp, tls or unix)",
                 plus + 1, uritext);
    return false;
}

/* The CONNECT_OPEN name when no ?name= was given. */
static char *
remoteURIFormatOpenName(const ternURI *uri, const char *driver)
{
    g_autoptr(GString) query = g_string_new(NULL);
    ternURI stripped = {
        .scheme = (char *)driver,
        .path = uri->path,
        .fragment = uri->fragment,
    };

    if (g_str_equal(driver, "remote"))
        return g_strdup(""); /* lets the server choose; the client then asks CONNECT_GET_URI */

    for (size_t i = 0; i < uri->nparams; i++) {
        const ternURIParam *param = &uri->params[i];

        if (remoteURIParamLookup(param->name))
            continue;
        if (query->len > 0)
            g_string_append_c(query, '&');
        ternURIEscapeQueryValue(query, param->name);
        g_string_append_c(query, '=');
        ternURIEscapeQueryValue(query, param->value);
    }
    if (query->len > 0)
        stripped.query = query->str;
    return ternURIFormat(&stripped);
}

remoteURIInfo *
remoteURIInfoNew(const ternURI *uri, const char *defaultSocketDir, bool readonly, GError **error)
{
    g_autoptr(remoteURIInfo) info = NULL;
    g_autofree char *uritext = NULL;
    remoteTransport transport;

    g_return_val_if_fail(uri != NULL && uri->scheme != NULL, NULL);
    g_return_val_if_fail(defaultSocketDir != NULL, NULL);

    uritext = ternURIFormat(uri);
    info = g_new0(remoteURIInfo, 1);

    if (!remoteURISplitScheme(uri, uritext, &info->driver, &transport, error))
        return NULL;

    if (transport == REMOTE_TRANSPORT_LAST) {
        if (uri->server)
            transport = REMOTE_TRANSPORT_TLS; /* "qemu://host/system", as libvirt */
        else if (g_str_equal(info->driver, "test"))
            transport = REMOTE_TRANSPORT_LOCAL;
        else
            transport = REMOTE_TRANSPORT_UNIX;
    }
    if (transport == REMOTE_TRANSPORT_UNIX && uri->server) {
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
            "URI '%s' names the host '%s', but a unix socket is always local; use tcp or tls to reach another host",
            uritext, uri->server);
        return NULL;
    }
    info->transport = transport;

    for (size_t i = 0; i < uri->nparams; i++) {
        const remoteURIParamEntry *entry = remoteURIParamLookup(uri->params[i].name);

        if (entry && !remoteURIParamApply(info, entry, &uri->params[i], uritext, error))
            return NULL;
    }

    if (info->auth && !remoteURIAuthIsKnown(info->auth)) {
        g_autofree char *auth = g_strescape(info->auth, NULL); /* decoded: may hold anything */
        ternErrorSet(
            error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
            "authentication type '%s' in URI '%s' is not supported (use sasl, sasl.MECHANISM or polkit)",
            auth, uritext);
        return NULL;
    }

    switch (transport) {
    case REMOTE_TRANSPORT_TCP:
    case REMOTE_TRANSPORT_TLS:
        info->host = g_strdup(uri->server ? uri->server : "localhost");
        if (uri->port > 0)
            info->port = uri->port;
        else
            info->port =
                transport == REMOTE_TRANSPORT_TCP ? REMOTE_URI_TCP_PORT : REMOTE_URI_TLS_PORT;
        g_clear_pointer(&info->socketPath, g_free); /* libvirt ignores ?socket= here too */
        break;
    case REMOTE_TRANSPORT_UNIX:
        if (!info->socketPath) {
            info->socketPath = g_build_filename(
                defaultSocketDir, readonly ? REMOTE_URI_SOCKET_RO : REMOTE_URI_SOCKET_RW, NULL);
        }
        if (info->socketPath[0] == '\0') {
            ternErrorSet(error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                         "the socket parameter of URI '%s' is empty", uritext);
            return NULL;
        }
        if (strlen(info->socketPath) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
            g_autofree char *path = g_strescape(info->socketPath, NULL);
            ternErrorSet(
                error, TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG,
                "socket path '%s' of URI '%s' is longer than the %zu bytes a unix socket address holds",
                path, uritext, sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
            return NULL;
        }
        break;
    case REMOTE_TRANSPORT_LOCAL:
        g_clear_pointer(&info->socketPath, g_free); /* the in-process driver has no socket */
        break;
    case REMOTE_TRANSPORT_LAST:
        g_assert_not_reached();
    }

    if (!info->openName)
        info->openName = remoteURIFormatOpenName(uri, info->driver);

    return g_steal_pointer(&info);
}

void
remoteURIInfoFree(remoteURIInfo *info)
{
    if (!info)
        return;
    g_free(info->driver);
    g_free(info->host);
    g_free(info->socketPath);
    g_free(info->openName);
    g_free(info->pkipath);
    g_free(info->tlsPriority);
    g_free(info->auth);
    g_free(info->authfile);
    g_free(info);
}
