/* remote_typedparam.c: typed parameter lists to and from the wire's remote_typed_param */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "remote/remote_typedparam.h"
#include "util/ternerror.h"

static bool
remoteTypedParamsCheckLen(unsigned int len, unsigned int max, GError **error)
{
    if (len > max) {
        ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_RPC,
                     "too many typed parameters: %u, at most %u", len, max);
        return false;
    }
    return true;
}

/*
 * Copies the value of @type from the union @src into the union @dst, in
 * either direction: tern's union and the wire's name their members alike
 * (i, ui, l, ul, d, b, s). Strings are duplicated, a NULL one as "".
 * False, with nothing copied, for an unknown type.
 */
#define REMOTE_TYPED_PARAM_VALUE_COPY(dst, src, type)                                            \
    ({                                                                                           \
        bool _known = true;                                                                      \
        switch (type) {                                                                          \
        case TERN_TYPED_PARAM_INT:                                                               \
            (dst).i = (src).i;                                                                   \
            break;                                                                               \
        case TERN_TYPED_PARAM_UINT:                                                              \
            (dst).ui = (src).ui;                                                                 \
            break;                                                                               \
        case TERN_TYPED_PARAM_LLONG:                                                             \
            (dst).l = (src).l;                                                                   \
            break;                                                                               \
        case TERN_TYPED_PARAM_ULLONG:                                                            \
            (dst).ul = (src).ul;                                                                 \
            break;                                                                               \
        case TERN_TYPED_PARAM_DOUBLE:                                                            \
            (dst).d = (src).d;                                                                   \
            break;                                                                               \
        case TERN_TYPED_PARAM_BOOLEAN:                                                           \
            (dst).b = (src).b ? 1 : 0;                                                           \
            break;                                                                               \
        case TERN_TYPED_PARAM_STRING:                                                            \
            (dst).s = g_strdup((src).s ? (src).s : "");                                          \
            break;                                                                               \
        default:                                                                                 \
            _known = false;                                                                      \
            break;                                                                               \
        }                                                                                        \
        _known;                                                                                  \
    })

void
remoteTypedParamsWireFree(remote_typed_param *val, u_int len)
{
    if (!val)
        return;
    /* by hand, not xdr_free: that leaves a string over its XDR bound allocated */
    for (u_int i = 0; i < len; i++) {
        if (val[i].value.type == TERN_TYPED_PARAM_STRING)
            g_free(val[i].value.remote_typed_param_value_u.s);
        g_free(val[i].field);
    }
    g_free(val);
}

bool
remoteTypedParamsToWire(const ternTypedParameter *params, int nparams, unsigned int max,
                        remote_typed_param **retVal, u_int *retLen, GError **error)
{
    remote_typed_param *val;

    if (nparams < 0 || !remoteTypedParamsCheckLen((unsigned int)nparams, max, error))
        return false;
    val = g_new0(remote_typed_param, MAX(nparams, 1));
    for (int i = 0; i < nparams; i++) {
        const ternTypedParameter *p = &params[i];
        remote_typed_param *w = &val[i];

        if (!REMOTE_TYPED_PARAM_VALUE_COPY(w->value.remote_typed_param_value_u, p->value,
                                           p->type)) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                         "typed parameter '%.79s' has unknown type %d", p->field, p->type);
            remoteTypedParamsWireFree(val, (u_int)i);
            return false;
        }
        w->value.type = p->type;
        w->field = g_strndup(p->field, TERN_TYPED_PARAM_FIELD_LENGTH - 1);
    }
    *retVal = val;
    *retLen = (u_int)nparams;
    return true;
}

bool
remoteTypedParamsFromWire(const remote_typed_param *val, u_int len, unsigned int max,
                          ternTypedParameter **retParams, int *retN, GError **error)
{
    g_autofree ternTypedParameter *params = NULL;

    if (!remoteTypedParamsCheckLen(len, max, error))
        return false;
    params = g_new0(ternTypedParameter, MAX(len, 1));
    for (u_int i = 0; i < len; i++) {
        const remote_typed_param *w = &val[i];
        ternTypedParameter *p = &params[i];
        const char *field = w->field ? w->field : "";
        size_t fieldlen = strlen(field);

        if (fieldlen >= TERN_TYPED_PARAM_FIELD_LENGTH ||
            !REMOTE_TYPED_PARAM_VALUE_COPY(p->value, w->value.remote_typed_param_value_u,
                                           w->value.type)) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                         "typed parameter %u is malformed (name of %zu bytes, type %d)", i,
                         fieldlen, w->value.type);
            ternTypedParamsClear(params, (int)i);
            return false;
        }
        g_strlcpy(p->field, field, sizeof(p->field));
        p->type = w->value.type;
    }
    *retParams = len ? g_steal_pointer(&params) : NULL;
    *retN = (int)len;
    return true;
}
