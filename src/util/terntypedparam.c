/* terntypedparam.c: typed parameter lists: the public Add/Get/Free API and the internal checks */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <string.h>

#include "util/ternerror.h"
#include "util/terntypedparam.h"

/*
 * The public functions below record the thread's last error (libvirt's
 * contract for virTypedParams*); they are thin shells around the GError
 * helpers, which hold the checks. Lists are allocated with g_new, which on
 * GLib >= 2.46 is the system malloc, so a caller's free() would also do.
 */

#define TERN_TYPED_PARAM_NAME_MAX (TERN_TYPED_PARAM_FIELD_LENGTH - 1)

/* libvirt's names of the types (virTypedParameterType), indexed by the type. */
static const char *const ternTypedParamTypeNames[] = {
    [0] = NULL,
    [TERN_TYPED_PARAM_INT] = "int",
    [TERN_TYPED_PARAM_UINT] = "uint",
    [TERN_TYPED_PARAM_LLONG] = "llong",
    [TERN_TYPED_PARAM_ULLONG] = "ullong",
    [TERN_TYPED_PARAM_DOUBLE] = "double",
    [TERN_TYPED_PARAM_BOOLEAN] = "boolean",
    [TERN_TYPED_PARAM_STRING] = "string",
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternTypedParamTypeNames) == TERN_TYPED_PARAM_LAST);

/* The wire (remote_typed_param) and libvirt's C API use these numbers. */
G_STATIC_ASSERT(TERN_TYPED_PARAM_INT == 1 && TERN_TYPED_PARAM_STRING == 7);
G_STATIC_ASSERT(TERN_TYPED_PARAM_FIELD_LENGTH == 80);

const char *
ternTypedParamTypeToString(int type)
{
    if (type <= 0 || type >= TERN_TYPED_PARAM_LAST)
        return NULL;
    return ternTypedParamTypeNames[type];
}

int
ternTypedParamTypeFromString(const char *str)
{
    for (int type = 1; str && type < TERN_TYPED_PARAM_LAST; type++) {
        if (strcmp(str, ternTypedParamTypeNames[type]) == 0)
            return type;
    }
    return -1;
}

/* The first @len bytes of @field name exactly @name. Safe on unterminated fields. */
static bool
ternTypedParamNameEqual(const char *field, const char *name)
{
    size_t len = strnlen(name, TERN_TYPED_PARAM_FIELD_LENGTH);

    return len < TERN_TYPED_PARAM_FIELD_LENGTH && memcmp(field, name, len + 1) == 0;
}

/*
 * @name as it may appear in a message: a peer chooses names, so escape
 * quotes, control characters and bytes beyond ASCII. Caller frees.
 */
static char *
ternTypedParamNameQuote(const char *name)
{
    return g_strescape(name, NULL);
}

/* The structural checks of one entry: a terminated name, a known type, a string if one is due. */
static bool
ternTypedParamCheckEntry(const ternTypedParameter *param, int index, GError **error)
{
    g_autofree char *name = NULL;

    if (!memchr(param->field, '\0', sizeof(param->field))) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "name of typed parameter %d is not terminated within %d bytes", index,
                     TERN_TYPED_PARAM_FIELD_LENGTH);
        return false;
    }
    name = ternTypedParamNameQuote(param->field);
    if (!ternTypedParamTypeToString(param->type)) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "invalid type %d for parameter '%s'", param->type, name);
        return false;
    }
    if (param->type == TERN_TYPED_PARAM_STRING && !param->value.s) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "string parameter '%s' has no value", name);
        return false;
    }
    return true;
}

static bool
ternTypedParamsCheckCount(const ternTypedParameter *params, int nparams, GError **error)
{
    if (nparams < 0 || (!params && nparams > 0)) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "invalid typed parameter list: %d entries at %p", nparams,
                     (const void *)params);
        return false;
    }
    return true;
}

bool
ternTypedParamsValidate(const ternTypedParameter *params, int nparams,
                        const ternTypedParamSpec *spec, size_t nspec, GError **error)
{
    g_autofree unsigned int *seen = NULL;

    if (!ternTypedParamsCheckCount(params, nparams, error))
        return false;
    seen = g_new0(unsigned int, nspec + 1);

    for (int i = 0; i < nparams; i++) {
        const ternTypedParameter *param = &params[i];
        g_autofree char *name = NULL;
        size_t j;

        if (!ternTypedParamCheckEntry(param, i, error))
            return false;
        for (j = 0; j < nspec; j++) {
            if (strcmp(spec[j].name, param->field) == 0)
                break;
        }
        name = ternTypedParamNameQuote(param->field);
        if (j == nspec) {
            ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_ARGUMENT_UNSUPPORTED,
                         "parameter '%s' not supported", name);
            return false;
        }
        if (param->type != spec[j].type) {
            ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                         "invalid type '%s' for parameter '%s', expected '%s'",
                         ternTypedParamTypeToString(param->type), name,
                         ternTypedParamTypeToString(spec[j].type));
            return false;
        }
        if (seen[j] && !(spec[j].flags & TERN_TYPED_PARAM_SPEC_MULTIPLE)) {
            ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                         "parameter '%s' occurs multiple times", name);
            return false;
        }
        seen[j]++;
    }
    return true;
}

bool
ternTypedParamsCopy(const ternTypedParameter *params, int nparams, ternTypedParameter **retParams,
                    GError **error)
{
    ternTypedParameter *copy;

    if (!ternTypedParamsCheckCount(params, nparams, error))
        return false;
    for (int i = 0; i < nparams; i++) {
        if (!ternTypedParamCheckEntry(&params[i], i, error))
            return false;
    }
    if (nparams == 0) {
        *retParams = NULL;
        return true;
    }

    copy = g_new(ternTypedParameter, nparams);
    memcpy(copy, params, sizeof(*copy) * (size_t)nparams);
    for (int i = 0; i < nparams; i++) {
        if (copy[i].type == TERN_TYPED_PARAM_STRING)
            copy[i].value.s = g_strdup(params[i].value.s);
    }
    *retParams = copy;
    return true;
}

ternTypedParameter *
ternTypedParamsAppend(ternTypedParameter **params, int *nparams, int *maxparams, const char *name,
                      int type, GError **error)
{
    ternTypedParameter *param;
    size_t len;

    if (!params || !nparams || !maxparams || !name) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "%s in ternTypedParamsAppend must not be NULL",
                     !name ? "name" : "the typed parameter list");
        return NULL;
    }
    if ((len = strlen(name)) > TERN_TYPED_PARAM_NAME_MAX) {
        g_autofree char *head = g_strndup(name, 32);
        g_autofree char *quoted = ternTypedParamNameQuote(head);

        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "parameter name '%s...' is %zu bytes long; the limit is %d", quoted, len,
                     TERN_TYPED_PARAM_NAME_MAX);
        return NULL;
    }
    if (!ternTypedParamTypeToString(type)) {
        g_autofree char *quoted = ternTypedParamNameQuote(name);

        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "invalid type %d for parameter '%s'", type, quoted);
        return NULL;
    }
    if (*nparams < 0 || *maxparams < *nparams || (!*params && *maxparams != 0)) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "inconsistent typed parameter list: %d entries, %d allocated", *nparams,
                     *maxparams);
        return NULL;
    }
    if (*nparams == INT_MAX) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_OVERFLOW,
                     "a typed parameter list holds at most %d entries", INT_MAX);
        return NULL;
    }

    if (*nparams == *maxparams) {
        int grown = *maxparams < 8 ? 8 : (*maxparams > INT_MAX / 2 ? INT_MAX : *maxparams * 2);

        *params = g_renew(ternTypedParameter, *params, grown);
        memset(*params + *maxparams, 0, sizeof(**params) * (size_t)(grown - *maxparams));
        *maxparams = grown;
    }

    param = &(*params)[(*nparams)++];
    memset(param, 0, sizeof(*param));
    memcpy(param->field, name, len + 1);
    param->type = type;
    return param;
}

const ternTypedParameter *
ternTypedParamsLookup(const ternTypedParameter *params, int nparams, const char *name)
{
    if (!params || !name)
        return NULL;
    for (int i = 0; i < nparams; i++) {
        if (ternTypedParamNameEqual(params[i].field, name))
            return &params[i];
    }
    return NULL;
}

int
ternTypedParamsGetStringList(const ternTypedParameter *params, int nparams, const char *name,
                             const char ***retValues, GError **error)
{
    g_autoptr(GPtrArray) values = NULL;
    int count;

    if (!ternTypedParamsCheckCount(params, nparams, error))
        return -1;
    values = g_ptr_array_new();
    for (int i = 0; name && i < nparams; i++) {
        if (!ternTypedParamNameEqual(params[i].field, name))
            continue;
        if (params[i].type != TERN_TYPED_PARAM_STRING || !params[i].value.s) {
            g_autofree char *quoted = ternTypedParamNameQuote(name);
            const char *actual = ternTypedParamTypeToString(params[i].type);

            ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                         "invalid type '%s' for parameter '%s', expected 'string'",
                         actual ? actual : "none", quoted);
            return -1;
        }
        g_ptr_array_add(values, params[i].value.s);
    }
    count = (int)values->len;
    g_ptr_array_add(values, NULL);
    *retValues = (const char **)g_ptr_array_free(g_steal_pointer(&values), FALSE);
    return count;
}

/* --- the public API (tern-typedparams.h): last-error reporting --- */

/* Record @err (owned) as the thread's last error. */
static void
ternTypedParamsReport(GError *err)
{
    ternErrorSetLast(err);
    g_error_free(err);
}

/* Record "ARG in FUNC must not be NULL", libvirt's text for a NULL argument. */
static void
ternTypedParamsReportNull(const char *arg, const char *func)
{
    GError *err = NULL;

    ternErrorSet(&err, TERN_FROM_NONE, TERN_ERR_INVALID_ARG, "%s in %s must not be NULL", arg,
                 func);
    ternTypedParamsReport(err);
}

/* The shared first half of every Add: reset, check, append; NULL (reported) on failure. */
static ternTypedParameter *
ternTypedParamsAddEntry(ternTypedParameter **params, int *nparams, int *maxparams, const char *name,
                        int type, const char *func)
{
    GError *err = NULL;
    ternTypedParameter *param;

    ternResetLastError();
    if (!params || !nparams || !maxparams || !name) {
        ternTypedParamsReportNull(!params      ? "params"
                                  : !nparams   ? "nparams"
                                  : !maxparams ? "maxparams"
                                               : "name",
                                  func);
        return NULL;
    }
    if (!(param = ternTypedParamsAppend(params, nparams, maxparams, name, type, &err))) {
        ternTypedParamsReport(err);
        return NULL;
    }
    return param;
}

int
ternTypedParamsAddInt(ternTypedParameter **params, int *nparams, int *maxparams, const char *name,
                      int value)
{
    ternTypedParameter *param =
        ternTypedParamsAddEntry(params, nparams, maxparams, name, TERN_TYPED_PARAM_INT, __func__);

    if (!param)
        return -1;
    param->value.i = value;
    return 0;
}

int
ternTypedParamsAddUInt(ternTypedParameter **params, int *nparams, int *maxparams, const char *name,
                       unsigned int value)
{
    ternTypedParameter *param =
        ternTypedParamsAddEntry(params, nparams, maxparams, name, TERN_TYPED_PARAM_UINT, __func__);

    if (!param)
        return -1;
    param->value.ui = value;
    return 0;
}

int
ternTypedParamsAddLLong(ternTypedParameter **params, int *nparams, int *maxparams, const char *name,
                        long long value)
{
    ternTypedParameter *param =
        ternTypedParamsAddEntry(params, nparams, maxparams, name, TERN_TYPED_PARAM_LLONG, __func__);

    if (!param)
        return -1;
    param->value.l = value;
    return 0;
}

int
ternTypedParamsAddULLong(ternTypedParameter **params, int *nparams, int *maxparams,
                         const char *name, unsigned long long value)
{
    ternTypedParameter *param = ternTypedParamsAddEntry(params, nparams, maxparams, name,
                                                        TERN_TYPED_PARAM_ULLONG, __func__);

    if (!param)
        return -1;
    param->value.ul = value;
    return 0;
}

int
ternTypedParamsAddDouble(ternTypedParameter **params, int *nparams, int *maxparams,
                         const char *name, double value)
{
    ternTypedParameter *param = ternTypedParamsAddEntry(params, nparams, maxparams, name,
                                                        TERN_TYPED_PARAM_DOUBLE, __func__);

    if (!param)
        return -1;
    param->value.d = value;
    return 0;
}

int
ternTypedParamsAddBoolean(ternTypedParameter **params, int *nparams, int *maxparams,
                          const char *name, int value)
{
    ternTypedParameter *param = ternTypedParamsAddEntry(params, nparams, maxparams, name,
                                                        TERN_TYPED_PARAM_BOOLEAN, __func__);

    if (!param)
        return -1;
    param->value.b = value ? 1 : 0;
    return 0;
}

int
ternTypedParamsAddString(ternTypedParameter **params, int *nparams, int *maxparams,
                         const char *name, const char *value)
{
    ternTypedParameter *param;

    if (!value) {
        ternResetLastError();
        ternTypedParamsReportNull("value", __func__);
        return -1;
    }
    if (!(param = ternTypedParamsAddEntry(params, nparams, maxparams, name, TERN_TYPED_PARAM_STRING,
                                          __func__)))
        return -1;
    param->value.s = g_strdup(value);
    return 0;
}

int
ternTypedParamsAddStringList(ternTypedParameter **params, int *nparams, int *maxparams,
                             const char *name, const char **values)
{
    int before;

    ternResetLastError();
    if (!params || !nparams || !values) {
        ternTypedParamsReportNull(!params ? "params" : !nparams ? "nparams" : "values", __func__);
        return -1;
    }
    before = *nparams;
    for (size_t i = 0; values[i]; i++) {
        ternTypedParameter *param = ternTypedParamsAddEntry(params, nparams, maxparams, name,
                                                            TERN_TYPED_PARAM_STRING, __func__);

        if (!param) {
            /* all or nothing: take back what this call added (the last error stays) */
            if (*nparams > before)
                ternTypedParamsClear(*params + before, *nparams - before);
            *nparams = before;
            return -1;
        }
        param->value.s = g_strdup(values[i]);
    }
    return 0;
}

ternTypedParameter *
ternTypedParamsGet(ternTypedParameter *params, int nparams, const char *name)
{
    ternResetLastError();
    return (ternTypedParameter *)ternTypedParamsLookup(params, nparams, name);
}

/*
 * The shared half of every Get: the first entry named @name, checked to be
 * of @type. 1 with *@retParam set, 0 if absent, -1 (reported) on error.
 */
static int
ternTypedParamsGetEntry(const ternTypedParameter *params, int nparams, const char *name,
                        const void *value, int type, const char *func,
                        const ternTypedParameter **retParam)
{
    GError *err = NULL;
    const ternTypedParameter *param;

    ternResetLastError();
    if (!name || !value) {
        ternTypedParamsReportNull(!name ? "name" : "value", func);
        return -1;
    }
    if (!ternTypedParamsCheckCount(params, nparams, &err)) {
        ternTypedParamsReport(err);
        return -1;
    }
    if (!(param = ternTypedParamsLookup(params, nparams, name)))
        return 0;
    if (param->type != type) {
        g_autofree char *quoted = ternTypedParamNameQuote(name);
        const char *actual = ternTypedParamTypeToString(param->type);

        ternErrorSet(&err, TERN_FROM_NONE, TERN_ERR_INVALID_ARG,
                     "invalid type '%s' requested for parameter '%s', actual type is '%s'",
                     ternTypedParamTypeToString(type), quoted, actual ? actual : "unknown");
        ternTypedParamsReport(err);
        return -1;
    }
    *retParam = param;
    return 1;
}

int
ternTypedParamsGetInt(ternTypedParameter *params, int nparams, const char *name, int *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_INT, __func__,
                                     &param);

    if (rc == 1)
        *value = param->value.i;
    return rc;
}

int
ternTypedParamsGetUInt(ternTypedParameter *params, int nparams, const char *name,
                       unsigned int *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_UINT, __func__,
                                     &param);

    if (rc == 1)
        *value = param->value.ui;
    return rc;
}

int
ternTypedParamsGetLLong(ternTypedParameter *params, int nparams, const char *name, long long *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_LLONG, __func__,
                                     &param);

    if (rc == 1)
        *value = param->value.l;
    return rc;
}

int
ternTypedParamsGetULLong(ternTypedParameter *params, int nparams, const char *name,
                         unsigned long long *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_ULLONG,
                                     __func__, &param);

    if (rc == 1)
        *value = param->value.ul;
    return rc;
}

int
ternTypedParamsGetDouble(ternTypedParameter *params, int nparams, const char *name, double *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_DOUBLE,
                                     __func__, &param);

    if (rc == 1)
        *value = param->value.d;
    return rc;
}

int
ternTypedParamsGetBoolean(ternTypedParameter *params, int nparams, const char *name, int *value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_BOOLEAN,
                                     __func__, &param);

    if (rc == 1)
        *value = param->value.b ? 1 : 0;
    return rc;
}

int
ternTypedParamsGetString(ternTypedParameter *params, int nparams, const char *name,
                         const char **value)
{
    const ternTypedParameter *param = NULL;
    int rc = ternTypedParamsGetEntry(params, nparams, name, value, TERN_TYPED_PARAM_STRING,
                                     __func__, &param);

    if (rc == 1)
        *value = param->value.s;
    return rc;
}

void
ternTypedParamsClear(ternTypedParameter *params, int nparams)
{
    if (!params)
        return;
    for (int i = 0; i < nparams; i++) {
        if (params[i].type == TERN_TYPED_PARAM_STRING)
            g_clear_pointer(&params[i].value.s, g_free);
    }
}

void
ternTypedParamsFree(ternTypedParameter *params, int nparams)
{
    ternTypedParamsClear(params, nparams);
    g_free(params);
}

/* --- a list the code builds --- */

void
ternTypedParamListClear(ternTypedParamList *list)
{
    ternTypedParamsFree(list->params, list->n);
    list->params = NULL;
    list->n = 0;
    list->max = 0;
}

bool
ternTypedParamListCopy(ternTypedParamList *list, const ternTypedParameter *params, int nparams,
                       GError **error)
{
    if (!ternTypedParamsCopy(params, nparams, &list->params, error))
        return false;
    list->n = list->max = nparams;
    return true;
}

bool
ternTypedParamListSetString(ternTypedParamList *list, const char *name, const char *value,
                            GError **error)
{
    ternTypedParameter *entry;

    for (int i = 0; i < list->n; i++) {
        if (strcmp(list->params[i].field, name) != 0)
            continue;
        if (list->params[i].type == TERN_TYPED_PARAM_STRING)
            g_free(list->params[i].value.s);
        list->params[i].type = TERN_TYPED_PARAM_STRING;
        list->params[i].value.s = g_strdup(value);
        return true;
    }
    if (!(entry = ternTypedParamsAppend(&list->params, &list->n, &list->max, name,
                                        TERN_TYPED_PARAM_STRING, error)))
        return false;
    entry->value.s = g_strdup(value);
    return true;
}

bool
ternTypedParamListAddULLong(ternTypedParamList *list, const char *name, unsigned long long value,
                            GError **error)
{
    ternTypedParameter *entry;

    if (!(entry = ternTypedParamsAppend(&list->params, &list->n, &list->max, name,
                                        TERN_TYPED_PARAM_ULLONG, error)))
        return false;
    entry->value.ul = value;
    return true;
}

const char *
ternTypedParamListGetString(const ternTypedParamList *list, const char *name)
{
    for (int i = 0; i < list->n; i++) {
        if (strcmp(list->params[i].field, name) == 0)
            return list->params[i].type == TERN_TYPED_PARAM_STRING ? list->params[i].value.s
                                                                  : NULL;
    }
    return NULL;
}
