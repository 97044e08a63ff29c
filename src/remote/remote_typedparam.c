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

        w->value.type = p->type;
        switch (p->type) {
        case TERN_TYPED_PARAM_INT:
            w->value.remote_typed_param_value_u.i = p->value.i;
            break;
        case TERN_TYPED_PARAM_UINT:
            w->value.remote_typed_param_value_u.ui = p->value.ui;
            break;
        case TERN_TYPED_PARAM_LLONG:
            w->value.remote_typed_param_value_u.l = p->value.l;
            break;
        case TERN_TYPED_PARAM_ULLONG:
            w->value.remote_typed_param_value_u.ul = p->value.ul;
            break;
        case TERN_TYPED_PARAM_DOUBLE:
            w->value.remote_typed_param_value_u.d = p->value.d;
            break;
        case TERN_TYPED_PARAM_BOOLEAN:
            w->value.remote_typed_param_value_u.b = p->value.b ? 1 : 0;
            break;
        case TERN_TYPED_PARAM_STRING:
            w->value.remote_typed_param_value_u.s = g_strdup(p->value.s ? p->value.s : "");
            break;
        default:
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                         "typed parameter '%.79s' has unknown type %d", p->field, p->type);
            for (int j = 0; j < i; j++) {
                if (val[j].value.type == TERN_TYPED_PARAM_STRING)
                    g_free(val[j].value.remote_typed_param_value_u.s);
                g_free(val[j].field);
            }
            g_free(val);
            return false;
        }
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

        if (strlen(field) >= TERN_TYPED_PARAM_FIELD_LENGTH ||
            w->value.type < TERN_TYPED_PARAM_INT || w->value.type >= TERN_TYPED_PARAM_LAST) {
            ternErrorSet(error, TERN_FROM_RPC, TERN_ERR_INVALID_ARG,
                         "typed parameter %u is malformed (name of %zu bytes, type %d)", i,
                         strlen(field), w->value.type);
            ternTypedParamsClear(params, (int)i);
            return false;
        }
        g_strlcpy(p->field, field, sizeof(p->field));
        p->type = w->value.type;
        switch (p->type) {
        case TERN_TYPED_PARAM_INT:
            p->value.i = w->value.remote_typed_param_value_u.i;
            break;
        case TERN_TYPED_PARAM_UINT:
            p->value.ui = w->value.remote_typed_param_value_u.ui;
            break;
        case TERN_TYPED_PARAM_LLONG:
            p->value.l = w->value.remote_typed_param_value_u.l;
            break;
        case TERN_TYPED_PARAM_ULLONG:
            p->value.ul = w->value.remote_typed_param_value_u.ul;
            break;
        case TERN_TYPED_PARAM_DOUBLE:
            p->value.d = w->value.remote_typed_param_value_u.d;
            break;
        case TERN_TYPED_PARAM_BOOLEAN:
            p->value.b = w->value.remote_typed_param_value_u.b ? 1 : 0;
            break;
        default:
            p->value.s = g_strdup(w->value.remote_typed_param_value_u.s
                                      ? w->value.remote_typed_param_value_u.s
                                      : "");
            break;
        }
    }
    *retParams = len ? g_steal_pointer(&params) : NULL;
    *retN = (int)len;
    return true;
}
