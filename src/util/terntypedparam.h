/* terntypedparam.h: typed parameters inside tern: validation against a table, copies, type names */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The public list functions (tern/tern-typedparams.h) report through the
 * thread's last error, as libvirt's do. The helpers here follow the GError
 * contract of ternerror.h and are what the daemon and the drivers use:
 *
 *  - ternTypedParamsValidate() is the check every list from a peer goes
 *    through (migration parameters, G12): known names only, the right type
 *    for each, no repeats unless the name allows them.
 *  - ternTypedParamsAppend() grows a list by one entry of a given name and
 *    type; the caller fills in the value.
 *
 * Errors are reported in TERN_FROM_NONE (libvirt's virtypedparam.c has no
 * error domain of its own either).
 */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "tern/tern-typedparams.h"

typedef enum {
    /* the name may occur more than once ("compression", "migrate_disks") */
    TERN_TYPED_PARAM_SPEC_MULTIPLE = 1 << 0,
} ternTypedParamSpecFlags;

/* One accepted parameter: its name, its ternTypedParameterType and ternTypedParamSpecFlags. */
typedef struct _ternTypedParamSpec ternTypedParamSpec;
struct _ternTypedParamSpec {
    const char *name;
    int type;
    unsigned int flags;
};

/**
 * ternTypedParamTypeToString: libvirt's name of @type ("int", "uint",
 * "llong", "ullong", "double", "boolean", "string"), or NULL if @type is
 * not a ternTypedParameterType.
 */
const char *ternTypedParamTypeToString(int type);

/**
 * ternTypedParamTypeFromString: the ternTypedParameterType named @str, or
 * -1 if there is none.
 */
int ternTypedParamTypeFromString(const char *str);

/**
 * ternTypedParamsValidate: check the @nparams entries of @params against
 * the @nspec entries of @spec, in the order of @params, stopping at the
 * first problem:
 *
 *  - a field that is not NUL-terminated, a type outside 1..7 or a string
 *    entry whose string is NULL: TERN_ERR_INVALID_ARG;
 *  - a name not in @spec: TERN_ERR_ARGUMENT_UNSUPPORTED
 *    ("parameter 'foo' not supported");
 *  - a type other than the spec's: TERN_ERR_INVALID_ARG
 *    ("invalid type 'string' for parameter 'bandwidth', expected 'ullong'");
 *  - a second entry of a name without TERN_TYPED_PARAM_SPEC_MULTIPLE:
 *    TERN_ERR_INVALID_ARG ("parameter 'bandwidth' occurs multiple times").
 *
 * The messages are libvirt's, so virsh users see what libvirtd would say.
 * @params may be NULL when @nparams is 0. Returns true when every entry
 * passes. Does not block.
 */
bool ternTypedParamsValidate(const ternTypedParameter *params, int nparams,
                             const ternTypedParamSpec *spec, size_t nspec, GError **error);

/**
 * ternTypedParamsCopy: a deep copy of the @nparams entries of @params into
 * *@retParams (NULL when @nparams is 0; free with ternTypedParamsFree).
 * Fails with TERN_ERR_INVALID_ARG, leaving *@retParams alone, if @nparams
 * is negative or an entry is malformed (as ternTypedParamsValidate sees
 * it). Does not block.
 */
bool ternTypedParamsCopy(const ternTypedParameter *params, int nparams,
                         ternTypedParameter **retParams, GError **error);

/**
 * ternTypedParamsAppend: grow the list (*@params, *@nparams, *@maxparams)
 * by one zeroed entry named @name of type @type, and return it so the
 * caller can set its value (a string value must then be a g_malloc'ed
 * copy, owned by the list). Returns NULL with TERN_ERR_INVALID_ARG, the
 * list unchanged, if @name is NULL or longer than
 * TERN_TYPED_PARAM_FIELD_LENGTH - 1 bytes, @type is not a
 * ternTypedParameterType, or the counts are negative or inconsistent;
 * TERN_ERR_OVERFLOW if the list already holds INT_MAX entries.
 */
ternTypedParameter *ternTypedParamsAppend(ternTypedParameter **params, int *nparams, int *maxparams,
                                          const char *name, int type, GError **error);

/**
 * ternTypedParamsLookup: the first entry of @params named @name, or NULL.
 * For lists that went through ternTypedParamsValidate, so the type is
 * known. Never fails.
 */
const ternTypedParameter *ternTypedParamsLookup(const ternTypedParameter *params, int nparams,
                                                const char *name);

/**
 * ternTypedParamsGetStringList: every string value named @name, in list
 * order, as a new NULL-terminated array of borrowed strings in
 * *@retValues (free the array with g_free, not the strings). Returns the
 * number of strings (0 gives an array holding only NULL), or -1 with
 * TERN_ERR_INVALID_ARG, *@retValues untouched, if an entry of that name is
 * not a string.
 */
int ternTypedParamsGetStringList(const ternTypedParameter *params, int nparams, const char *name,
                                 const char ***retValues, GError **error);

/*
 * A list the code builds and changes (a phase sets destination_xml, then
 * migrate_uri, ...). Start from {0}; g_auto(ternTypedParamList) frees it.
 */
typedef struct {
    ternTypedParameter *params;
    int n;
    int max;
} ternTypedParamList;

void ternTypedParamListClear(ternTypedParamList *list);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ternTypedParamList, ternTypedParamListClear)

/**
 * ternTypedParamListCopy: the empty @list becomes a deep copy of the
 * @nparams entries of @params (as ternTypedParamsCopy, with its errors).
 */
bool ternTypedParamListCopy(ternTypedParamList *list, const ternTypedParameter *params,
                            int nparams, GError **error);

/**
 * ternTypedParamListSetString: the first entry named @name becomes the
 * string @value (copied), or a new entry is appended. Fails only as
 * ternTypedParamsAppend does.
 */
bool ternTypedParamListSetString(ternTypedParamList *list, const char *name, const char *value,
                                 GError **error);

/** ternTypedParamListAddULLong: append @name = @value (TERN_TYPED_PARAM_ULLONG). */
bool ternTypedParamListAddULLong(ternTypedParamList *list, const char *name,
                                 unsigned long long value, GError **error);

/** ternTypedParamListGetString: the string value of the first @name, or NULL. */
const char *ternTypedParamListGetString(const ternTypedParamList *list, const char *name);
