/* ternerror.c: the error contract: quarks, libvirt prefixes and the thread-local last error */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/ternerror.h"

typedef struct {
    ternErrorDomain from;
    const char *quarkName;
} ternErrorDomainEntry;

static const ternErrorDomainEntry domainTable[] = {
    {TERN_FROM_NONE, "tern-error-none"},       {TERN_FROM_XML, "tern-error-xml"},
    {TERN_FROM_DOM, "tern-error-dom"},         {TERN_FROM_RPC, "tern-error-rpc"},
    {TERN_FROM_CONF, "tern-error-conf"},       {TERN_FROM_QEMU, "tern-error-qemu"},
    {TERN_FROM_TEST, "tern-error-test"},       {TERN_FROM_REMOTE, "tern-error-remote"},
    {TERN_FROM_DOMAIN, "tern-error-domain"},   {TERN_FROM_STREAMS, "tern-error-streams"},
    {TERN_FROM_EVENT, "tern-error-event"},     {TERN_FROM_URI, "tern-error-uri"},
};

/* libvirt 9.0 has about 75 error domains; leave room for later ones */
#define TERN_ERROR_DOMAIN_MAX 255

GQuark
ternErrorQuark(ternErrorDomain from)
{
    for (size_t i = 0; i < G_N_ELEMENTS(domainTable); i++) {
        if (domainTable[i].from == from)
            return g_quark_from_static_string(domainTable[i].quarkName);
    }
    /* a peer may send any number: only libvirt's range gets a quark of its own, so a
     * hostile peer cannot grow the (never freed) quark table without bound */
    if ((int)from < 0 || (int)from > TERN_ERROR_DOMAIN_MAX)
        return g_quark_from_static_string("tern-error-none");
    g_autofree char *name = g_strdup_printf("tern-error-%d", (int)from);
    return g_quark_from_string(name);
}

ternErrorDomain
ternErrorDomainFromQuark(GQuark quark)
{
    const char *name = g_quark_to_string(quark);

    for (size_t i = 0; i < G_N_ELEMENTS(domainTable); i++) {
        if (g_str_equal(domainTable[i].quarkName, name))
            return domainTable[i].from;
    }
    if (g_str_has_prefix(name, "tern-error-")) {
        gint64 n;
        if (g_ascii_string_to_signed(name + strlen("tern-error-"), 10, 0, G_MAXINT, &n, NULL))
            return (ternErrorDomain)n;
    }
    return TERN_FROM_NONE;
}

int
ternErrorCodeOf(const GError *err)
{
    if (!err)
        return TERN_ERR_OK;
    if (g_str_has_prefix(g_quark_to_string(err->domain), "tern-error-"))
        return err->code;
    if (err->domain == G_IO_ERROR || err->domain == G_FILE_ERROR)
        return TERN_ERR_SYSTEM_ERROR;
    return TERN_ERR_INTERNAL_ERROR;
}

typedef struct {
    ternErrorNumber code;
    const char *prefix;
} ternErrorPrefixEntry;

/* The texts libvirt shows before a message of each code (virerror.c's table). */
static const ternErrorPrefixEntry prefixTable[] = {
    {TERN_ERR_INTERNAL_ERROR, "internal error"},
    {TERN_ERR_NO_MEMORY, "out of memory"},
    {TERN_ERR_NO_SUPPORT, "this function is not supported by the connection driver"},
    {TERN_ERR_NO_CONNECT, "no connection driver available for"},
    {TERN_ERR_INVALID_CONN, "invalid connection pointer in"},
    {TERN_ERR_INVALID_DOMAIN, "invalid domain pointer in"},
    {TERN_ERR_INVALID_ARG, "invalid argument"},
    {TERN_ERR_OPERATION_FAILED, "operation failed"},
    {TERN_ERR_XML_ERROR, "XML error"},
    {TERN_ERR_DOM_EXIST, "this domain exists already"},
    {TERN_ERR_OPERATION_DENIED, "operation forbidden"},
    {TERN_ERR_OPEN_FAILED, "failed to open configuration file"},
    {TERN_ERR_READ_FAILED, "failed to read configuration file"},
    {TERN_ERR_PARSE_FAILED, "failed to parse configuration file"},
    {TERN_ERR_CONF_SYNTAX, "configuration file syntax error"},
    {TERN_ERR_WRITE_FAILED, "failed to write configuration file"},
    {TERN_ERR_XML_DETAIL, "XML description is invalid or not well formed"},
    {TERN_ERR_NO_DOMAIN, "Domain not found"},
    {TERN_ERR_AUTH_FAILED, "authentication failed"},
    {TERN_ERR_OPERATION_INVALID, "Requested operation is not valid"},
    {TERN_ERR_CONFIG_UNSUPPORTED, "unsupported configuration"},
    {TERN_ERR_OPERATION_TIMEOUT, "Timed out during operation"},
    {TERN_ERR_INVALID_STREAM, "invalid stream pointer in"},
    {TERN_ERR_ARGUMENT_UNSUPPORTED, "argument unsupported"},
    {TERN_ERR_OPERATION_ABORTED, "operation aborted"},
    {TERN_ERR_AUTH_CANCELLED, "authentication cancelled"},
    {TERN_ERR_MIGRATE_UNSAFE, "Unsafe migration"},
    {TERN_ERR_OVERFLOW, "numerical overflow"},
    {TERN_ERR_OPERATION_UNSUPPORTED, "Operation not supported"},
    {TERN_ERR_RESOURCE_BUSY, "resource busy"},
    {TERN_ERR_ACCESS_DENIED, "access denied"},
    {TERN_ERR_NO_SERVER, "Server not found"},
    {TERN_ERR_NO_CLIENT, "Client not found"},
};

const char *
ternErrorPrefix(ternErrorNumber code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(prefixTable); i++) {
        if (prefixTable[i].code == code)
            return prefixTable[i].prefix;
    }
    return NULL;
}

static void
ternErrorSetV(GError **error, ternErrorDomain from, ternErrorNumber code, const char *fmt,
              va_list ap)
{
    if (!error)
        return;
    g_autofree char *detail = g_strdup_vprintf(fmt, ap);
    const char *prefix = ternErrorPrefix(code);
    /* "no connection driver available for URI" has no colon in libvirt */
    const char *sep = (code == TERN_ERR_NO_CONNECT || code == TERN_ERR_INVALID_CONN ||
                       code == TERN_ERR_INVALID_DOMAIN || code == TERN_ERR_INVALID_STREAM)
                          ? " "
                          : ": ";

    if (prefix)
        g_set_error(error, ternErrorQuark(from), code, "%s%s%s", prefix, sep, detail);
    else
        g_set_error_literal(error, ternErrorQuark(from), code, detail);
}

void
ternErrorSet(GError **error, ternErrorDomain from, ternErrorNumber code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ternErrorSetV(error, from, code, fmt, ap);
    va_end(ap);
}

void
ternErrorSetSystem(GError **error, ternErrorDomain from, int errnum, const char *fmt, ...)
{
    va_list ap;
    if (!error)
        return;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, ternErrorQuark(from), TERN_ERR_SYSTEM_ERROR, "%s: %s", what,
                g_strerror(errnum));
}

void
ternErrorSetLiteral(GError **error, ternErrorDomain from, ternErrorNumber code,
                    const char *message)
{
    g_set_error_literal(error, ternErrorQuark(from), code, message);
}

bool
ternErrorCheckFlags(unsigned int flags, unsigned int supported, const char *func, GError **error)
{
    if (flags & ~supported) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function %s", flags & ~supported, func);
        return false;
    }
    return true;
}

/* --- thread-local last error --- */

static void
lastErrorFree(gpointer data)
{
    ternError *err = data;
    ternResetError(err);
    g_free(err);
}

static GPrivate lastErrorKey = G_PRIVATE_INIT(lastErrorFree);

static ternError *
lastErrorGet(void)
{
    ternError *err = g_private_get(&lastErrorKey);
    if (!err) {
        err = g_new0(ternError, 1);
        g_private_set(&lastErrorKey, err);
    }
    return err;
}

void
ternResetError(ternError *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->str1);
    free(err->str2);
    free(err->str3);
    memset(err, 0, sizeof(*err));
}

static char *
dupOrNull(const char *s)
{
    return s ? strdup(s) : NULL;
}

void
ternErrorSetLastFull(int code, int domain, const char *message, int level, const char *str1,
                     const char *str2, const char *str3, int int1, int int2)
{
    ternError *err = lastErrorGet();
    ternResetError(err);
    err->code = code;
    err->domain = domain;
    err->message = dupOrNull(message ? message : "unknown error");
    err->level = level;
    err->str1 = dupOrNull(str1);
    err->str2 = dupOrNull(str2);
    err->str3 = dupOrNull(str3);
    err->int1 = int1;
    err->int2 = int2;
}

void
ternErrorSetLast(const GError *gerr)
{
    if (!gerr) {
        ternErrorSetLastFull(TERN_ERR_INTERNAL_ERROR, TERN_FROM_NONE,
                             "internal error: unexpected failure with no error reported",
                             TERN_ERR_ERROR, NULL, NULL, NULL, -1, -1);
        return;
    }
    ternErrorSetLastFull(ternErrorCodeOf(gerr), ternErrorDomainFromQuark(gerr->domain),
                         gerr->message, TERN_ERR_ERROR, "%s", gerr->message, NULL, -1, -1);
}

GError *
ternErrorFromLast(void)
{
    ternError *err = g_private_get(&lastErrorKey);
    if (!err || err->code == TERN_ERR_OK)
        return g_error_new_literal(ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INTERNAL_ERROR,
                                   "internal error: unexpected failure with no error reported");
    return g_error_new_literal(ternErrorQuark(err->domain), err->code,
                               err->message ? err->message : "unknown error");
}

ternError *
ternGetLastError(void)
{
    ternError *err = g_private_get(&lastErrorKey);
    if (!err || err->code == TERN_ERR_OK)
        return NULL;
    return err;
}

const char *
ternGetLastErrorMessage(void)
{
    ternError *err = ternGetLastError();
    if (!err)
        return "no error";
    return err->message ? err->message : "unknown error";
}

void
ternResetLastError(void)
{
    ternError *err = g_private_get(&lastErrorKey);
    ternResetError(err);
}

int
ternCopyLastError(ternError *to)
{
    ternError *err = ternGetLastError();
    if (!to)
        return -1;
    memset(to, 0, sizeof(*to));
    if (!err)
        return 0;
    to->code = err->code;
    to->domain = err->domain;
    to->message = dupOrNull(err->message);
    to->level = err->level;
    to->str1 = dupOrNull(err->str1);
    to->str2 = dupOrNull(err->str2);
    to->str3 = dupOrNull(err->str3);
    to->int1 = err->int1;
    to->int2 = err->int2;
    return to->code;
}
