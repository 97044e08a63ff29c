/* tern-typedparams.h: typed parameters: named, typed values for migration and job statistics */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A typed parameter is libvirt's virTypedParameter under another name: the
 * same field length, the same type numbers and the same union, so a list
 * converts one to one into the wire's remote_typed_param (whose
 * discriminant is the type below) and back.
 *
 * A list is a "ternTypedParameter *params; int nparams; int maxparams"
 * triple. Start with params = NULL and both counts 0; the Add functions
 * grow the array as needed (maxparams is its allocated length). Free the
 * list with ternTypedParamsFree(params, nparams).
 *
 * Names may repeat (libvirt's "compression" and "migrate_disks" do); the
 * Get functions return the first match. Every function that fails returns
 * -1 and records the thread's last error (ternGetLastError()).
 */

/* The size of ternTypedParameter.field: names are at most 79 bytes. */
#define TERN_TYPED_PARAM_FIELD_LENGTH 80

typedef enum {
    TERN_TYPED_PARAM_INT = 1,     /* int */
    TERN_TYPED_PARAM_UINT = 2,    /* unsigned int */
    TERN_TYPED_PARAM_LLONG = 3,   /* long long */
    TERN_TYPED_PARAM_ULLONG = 4,  /* unsigned long long */
    TERN_TYPED_PARAM_DOUBLE = 5,  /* double */
    TERN_TYPED_PARAM_BOOLEAN = 6, /* char, 0 or 1 */
    TERN_TYPED_PARAM_STRING = 7,  /* char *, owned by the list */
    TERN_TYPED_PARAM_LAST
} ternTypedParameterType;

typedef struct _ternTypedParameter ternTypedParameter;
struct _ternTypedParameter {
    char field[TERN_TYPED_PARAM_FIELD_LENGTH]; /* NUL-terminated name */
    int type;                                  /* ternTypedParameterType */
    union {
        int i;
        unsigned int ui;
        long long l;
        unsigned long long ul;
        double d;
        char b;
        char *s;
    } value;
};

/**
 * ternTypedParamsAddInt: append @name = @value (TERN_TYPED_PARAM_INT) to
 * the list *@params of *@nparams entries and *@maxparams allocated,
 * growing it as needed. Returns 0, or -1 if an argument is NULL, @name is
 * longer than TERN_TYPED_PARAM_FIELD_LENGTH - 1 bytes or the counts are
 * inconsistent (the list is then unchanged).
 * Since: 0.1 (virTypedParamsAddInt)
 */
int ternTypedParamsAddInt(ternTypedParameter **params, int *nparams, int *maxparams,
                          const char *name, int value);

/**
 * ternTypedParamsAddUInt: as ternTypedParamsAddInt, TERN_TYPED_PARAM_UINT.
 * Since: 0.1 (virTypedParamsAddUInt)
 */
int ternTypedParamsAddUInt(ternTypedParameter **params, int *nparams, int *maxparams,
                           const char *name, unsigned int value);

/**
 * ternTypedParamsAddLLong: as ternTypedParamsAddInt, TERN_TYPED_PARAM_LLONG.
 * Since: 0.1 (virTypedParamsAddLLong)
 */
int ternTypedParamsAddLLong(ternTypedParameter **params, int *nparams, int *maxparams,
                            const char *name, long long value);

/**
 * ternTypedParamsAddULLong: as ternTypedParamsAddInt, TERN_TYPED_PARAM_ULLONG.
 * Since: 0.1 (virTypedParamsAddULLong)
 */
int ternTypedParamsAddULLong(ternTypedParameter **params, int *nparams, int *maxparams,
                             const char *name, unsigned long long value);

/**
 * ternTypedParamsAddDouble: as ternTypedParamsAddInt, TERN_TYPED_PARAM_DOUBLE.
 * Since: 0.1 (virTypedParamsAddDouble)
 */
int ternTypedParamsAddDouble(ternTypedParameter **params, int *nparams, int *maxparams,
                             const char *name, double value);

/**
 * ternTypedParamsAddBoolean: as ternTypedParamsAddInt,
 * TERN_TYPED_PARAM_BOOLEAN; any non-zero @value is stored as 1.
 * Since: 0.1 (virTypedParamsAddBoolean)
 */
int ternTypedParamsAddBoolean(ternTypedParameter **params, int *nparams, int *maxparams,
                              const char *name, int value);

/**
 * ternTypedParamsAddString: as ternTypedParamsAddInt,
 * TERN_TYPED_PARAM_STRING. The list stores a copy of @value, which must
 * not be NULL. A name may be added more than once.
 * Since: 0.1 (virTypedParamsAddString)
 */
int ternTypedParamsAddString(ternTypedParameter **params, int *nparams, int *maxparams,
                             const char *name, const char *value);

/**
 * ternTypedParamsAddStringList: add one TERN_TYPED_PARAM_STRING entry
 * named @name for each string of the NULL-terminated array @values (all
 * or none are added). Returns 0 or -1.
 * Since: 0.1 (virTypedParamsAddStringList)
 */
int ternTypedParamsAddStringList(ternTypedParameter **params, int *nparams, int *maxparams,
                                 const char *name, const char **values);

/**
 * ternTypedParamsGet: the first entry of @params named @name, or NULL
 * (without an error) if there is none or an argument is invalid. The
 * entry belongs to the list.
 * Since: 0.1 (virTypedParamsGet)
 */
ternTypedParameter *ternTypedParamsGet(ternTypedParameter *params, int nparams, const char *name);

/**
 * ternTypedParamsGetInt: find the first entry named @name. Returns 1 and
 * stores its value in *@value if it exists and is a TERN_TYPED_PARAM_INT,
 * 0 (leaving *@value alone) if there is no such entry, and -1 if it has
 * another type or an argument is invalid.
 * Since: 0.1 (virTypedParamsGetInt)
 */
int ternTypedParamsGetInt(ternTypedParameter *params, int nparams, const char *name, int *value);

/**
 * ternTypedParamsGetUInt: as ternTypedParamsGetInt, TERN_TYPED_PARAM_UINT.
 * Since: 0.1 (virTypedParamsGetUInt)
 */
int ternTypedParamsGetUInt(ternTypedParameter *params, int nparams, const char *name,
                           unsigned int *value);

/**
 * ternTypedParamsGetLLong: as ternTypedParamsGetInt, TERN_TYPED_PARAM_LLONG.
 * Since: 0.1 (virTypedParamsGetLLong)
 */
int ternTypedParamsGetLLong(ternTypedParameter *params, int nparams, const char *name,
                            long long *value);

/**
 * ternTypedParamsGetULLong: as ternTypedParamsGetInt, TERN_TYPED_PARAM_ULLONG.
 * Since: 0.1 (virTypedParamsGetULLong)
 */
int ternTypedParamsGetULLong(ternTypedParameter *params, int nparams, const char *name,
                             unsigned long long *value);

/**
 * ternTypedParamsGetDouble: as ternTypedParamsGetInt, TERN_TYPED_PARAM_DOUBLE.
 * Since: 0.1 (virTypedParamsGetDouble)
 */
int ternTypedParamsGetDouble(ternTypedParameter *params, int nparams, const char *name,
                             double *value);

/**
 * ternTypedParamsGetBoolean: as ternTypedParamsGetInt,
 * TERN_TYPED_PARAM_BOOLEAN; *@value is 0 or 1.
 * Since: 0.1 (virTypedParamsGetBoolean)
 */
int ternTypedParamsGetBoolean(ternTypedParameter *params, int nparams, const char *name,
                              int *value);

/**
 * ternTypedParamsGetString: as ternTypedParamsGetInt,
 * TERN_TYPED_PARAM_STRING. The string belongs to the list.
 * Since: 0.1 (virTypedParamsGetString)
 */
int ternTypedParamsGetString(ternTypedParameter *params, int nparams, const char *name,
                             const char **value);

/**
 * ternTypedParamsClear: free the strings held by the @nparams entries of
 * @params, but not the array itself. Accepts NULL.
 * Since: 0.1 (virTypedParamsClear)
 */
void ternTypedParamsClear(ternTypedParameter *params, int nparams);

/**
 * ternTypedParamsFree: free the strings held by @params and the array.
 * Accepts NULL.
 * Since: 0.1 (virTypedParamsFree)
 */
void ternTypedParamsFree(ternTypedParameter *params, int nparams);
