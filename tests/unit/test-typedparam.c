/* test-typedparam.c: typed parameter lists: the public Add/Get API, validation and copies */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <string.h>

#include <glib.h>

#include "tern/tern.h"
#include "util/ternerror.h"
#include "util/terntypedparam.h"

/* The migration parameters of libvirt-wire.md §4.3, as the daemon will validate them. */
static const ternTypedParamSpec testMigrateSpec[] = {
    {"migrate_uri", TERN_TYPED_PARAM_STRING, 0},
    {"destination_name", TERN_TYPED_PARAM_STRING, 0},
    {"destination_xml", TERN_TYPED_PARAM_STRING, 0},
    {"persistent_xml", TERN_TYPED_PARAM_STRING, 0},
    {"bandwidth", TERN_TYPED_PARAM_ULLONG, 0},
    {"graphics_uri", TERN_TYPED_PARAM_STRING, 0},
    {"listen_address", TERN_TYPED_PARAM_STRING, 0},
    {"migrate_disks", TERN_TYPED_PARAM_STRING, TERN_TYPED_PARAM_SPEC_MULTIPLE},
    {"compression", TERN_TYPED_PARAM_STRING, TERN_TYPED_PARAM_SPEC_MULTIPLE},
    {"parallel.connections", TERN_TYPED_PARAM_INT, 0},
    {"auto_converge.initial", TERN_TYPED_PARAM_INT, 0},
};

/* A list and its counts, freed at the end of the test. */
typedef struct {
    ternTypedParameter *params;
    int nparams;
    int maxparams;
} testList;

static void
testListClear(testList *list)
{
    ternTypedParamsFree(list->params, list->nparams);
    memset(list, 0, sizeof(*list));
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(testList, testListClear)

/* The thread's last error has @code and exactly @message. */
static void
testAssertLastError(int code, const char *message)
{
    ternError *err = ternGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpstr(err->message, ==, message);
}

static void
testTypedParamTypeNames(void)
{
    static const char *const names[] = {"int",    "uint",    "llong", "ullong",
                                        "double", "boolean", "string"};

    G_STATIC_ASSERT(G_N_ELEMENTS(names) == TERN_TYPED_PARAM_LAST - 1);
    for (int type = TERN_TYPED_PARAM_INT; type < TERN_TYPED_PARAM_LAST; type++) {
        g_assert_cmpstr(ternTypedParamTypeToString(type), ==, names[type - 1]);
        g_assert_cmpint(ternTypedParamTypeFromString(names[type - 1]), ==, type);
    }
    g_assert_null(ternTypedParamTypeToString(0));
    g_assert_null(ternTypedParamTypeToString(TERN_TYPED_PARAM_LAST));
    g_assert_null(ternTypedParamTypeToString(-1));
    g_assert_cmpint(ternTypedParamTypeFromString("ulong"), ==, -1);
    g_assert_cmpint(ternTypedParamTypeFromString(NULL), ==, -1);
}

/* The C layout libvirt's virTypedParameter has, so lists convert to the wire one to one. */
static void
testTypedParamLayout(void)
{
    ternTypedParameter p;

    g_assert_cmpuint(sizeof(p.field), ==, 80);
    g_assert_cmpuint(sizeof(p.value), ==, 8);
    g_assert_cmpint(TERN_TYPED_PARAM_INT, ==, 1);
    g_assert_cmpint(TERN_TYPED_PARAM_UINT, ==, 2);
    g_assert_cmpint(TERN_TYPED_PARAM_LLONG, ==, 3);
    g_assert_cmpint(TERN_TYPED_PARAM_ULLONG, ==, 4);
    g_assert_cmpint(TERN_TYPED_PARAM_DOUBLE, ==, 5);
    g_assert_cmpint(TERN_TYPED_PARAM_BOOLEAN, ==, 6);
    g_assert_cmpint(TERN_TYPED_PARAM_STRING, ==, 7);
}

/* One value of every type goes in and comes back out. */
static void
testTypedParamAddGet(void)
{
    g_auto(testList) l = {0};
    int i = 0;
    unsigned int ui = 0;
    long long ll = 0;
    unsigned long long ull = 0;
    double d = 0;
    int b = 0;
    const char *s = NULL;

    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, "i", -7), ==, 0);
    g_assert_cmpint(ternTypedParamsAddUInt(&l.params, &l.nparams, &l.maxparams, "ui", UINT_MAX), ==,
                    0);
    g_assert_cmpint(ternTypedParamsAddLLong(&l.params, &l.nparams, &l.maxparams, "l", LLONG_MIN),
                    ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddULLong(&l.params, &l.nparams, &l.maxparams, "bandwidth", ULLONG_MAX), ==,
        0);
    g_assert_cmpint(ternTypedParamsAddDouble(&l.params, &l.nparams, &l.maxparams, "d", 0.25), ==,
                    0);
    g_assert_cmpint(ternTypedParamsAddBoolean(&l.params, &l.nparams, &l.maxparams, "b", 42), ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "migrate_uri", "tcp:h:1"), ==,
        0);
    g_assert_cmpint(l.nparams, ==, 7);
    g_assert_cmpint(l.maxparams, >=, 7);
    g_assert_null(ternGetLastError());

    g_assert_cmpint(ternTypedParamsGetInt(l.params, l.nparams, "i", &i), ==, 1);
    g_assert_cmpint(i, ==, -7);
    g_assert_cmpint(ternTypedParamsGetUInt(l.params, l.nparams, "ui", &ui), ==, 1);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(ternTypedParamsGetLLong(l.params, l.nparams, "l", &ll), ==, 1);
    g_assert_true(ll == LLONG_MIN);
    g_assert_cmpint(ternTypedParamsGetULLong(l.params, l.nparams, "bandwidth", &ull), ==, 1);
    g_assert_true(ull == ULLONG_MAX);
    g_assert_cmpint(ternTypedParamsGetDouble(l.params, l.nparams, "d", &d), ==, 1);
    g_assert_cmpfloat(d, ==, 0.25);
    g_assert_cmpint(ternTypedParamsGetBoolean(l.params, l.nparams, "b", &b), ==, 1);
    g_assert_cmpint(b, ==, 1);
    g_assert_cmpint(l.params[5].value.b, ==, 1);
    g_assert_cmpint(ternTypedParamsGetString(l.params, l.nparams, "migrate_uri", &s), ==, 1);
    g_assert_cmpstr(s, ==, "tcp:h:1");
    g_assert_true(s == l.params[6].value.s);

    /* the field and type are what the wire conversion copies */
    g_assert_cmpstr(l.params[3].field, ==, "bandwidth");
    g_assert_cmpint(l.params[3].type, ==, TERN_TYPED_PARAM_ULLONG);
    g_assert_true(ternTypedParamsGet(l.params, l.nparams, "d") == &l.params[4]);
    g_assert_null(ternTypedParamsGet(l.params, l.nparams, "nope"));
    g_assert_null(ternTypedParamsGet(NULL, 0, "d"));
}

/* A name that is absent gives 0 and leaves the value alone; a wrong type gives -1. */
static void
testTypedParamGetAbsentWrongType(void)
{
    g_auto(testList) l = {0};
    unsigned long long ull = 99;
    const char *s = "untouched";
    int i = 5;

    g_assert_cmpint(ternTypedParamsGetULLong(NULL, 0, "bandwidth", &ull), ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "bandwidth", "fast"), ==, 0);
    g_assert_cmpint(ternTypedParamsGetString(l.params, l.nparams, "other", &s), ==, 0);
    g_assert_cmpstr(s, ==, "untouched");
    g_assert_null(ternGetLastError());

    g_assert_cmpint(ternTypedParamsGetULLong(l.params, l.nparams, "bandwidth", &ull), ==, -1);
    g_assert_cmpuint(ull, ==, 99);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: invalid type 'ullong' requested for parameter "
                        "'bandwidth', actual type is 'string'");

    /* a successful call clears the last error */
    g_assert_cmpint(ternTypedParamsGetString(l.params, l.nparams, "bandwidth", &s), ==, 1);
    g_assert_null(ternGetLastError());

    g_assert_cmpint(ternTypedParamsGetInt(l.params, l.nparams, "bandwidth", NULL), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: value in ternTypedParamsGetInt must not be NULL");
    g_assert_cmpint(ternTypedParamsGetInt(l.params, l.nparams, NULL, &i), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: name in ternTypedParamsGetInt must not be NULL");
    g_assert_cmpint(ternTypedParamsGetInt(NULL, 3, "x", &i), ==, -1);
    g_assert_cmpint(ternGetLastError()->code, ==, TERN_ERR_INVALID_ARG);
    g_assert_cmpint(ternTypedParamsGetInt(l.params, -1, "x", &i), ==, -1);
    g_assert_cmpint(i, ==, 5);
}

/* Argument errors of the Add functions leave the list as it was. */
static void
testTypedParamAddErrors(void)
{
    g_auto(testList) l = {0};
    char name79[80];
    char name80[81];
    ternTypedParameter *dummy = NULL;
    int n = 0, max = 0;

    memset(name79, 'a', 79);
    name79[79] = '\0';
    memset(name80, 'b', 80);
    name80[80] = '\0';

    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, name79, 1), ==, 0);
    g_assert_cmpstr(l.params[0].field, ==, name79);
    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, name80, 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: parameter name 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' is "
                        "80 bytes long; the limit is 79");
    g_assert_cmpint(l.nparams, ==, 1);

    g_assert_cmpint(ternTypedParamsAddInt(NULL, &l.nparams, &l.maxparams, "x", 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: params in ternTypedParamsAddInt must not be NULL");
    g_assert_cmpint(ternTypedParamsAddUInt(&l.params, NULL, &l.maxparams, "x", 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: nparams in ternTypedParamsAddUInt must not be NULL");
    g_assert_cmpint(ternTypedParamsAddLLong(&l.params, &l.nparams, NULL, "x", 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: maxparams in ternTypedParamsAddLLong must not be NULL");
    g_assert_cmpint(ternTypedParamsAddDouble(&l.params, &l.nparams, &l.maxparams, NULL, 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: name in ternTypedParamsAddDouble must not be NULL");
    g_assert_cmpint(ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "x", NULL), ==,
                    -1);
    testAssertLastError(TERN_ERR_INVALID_ARG,
                        "invalid argument: value in ternTypedParamsAddString must not be NULL");
    g_assert_cmpint(l.nparams, ==, 1);

    /* inconsistent counts */
    n = 2;
    max = 1;
    g_assert_cmpint(ternTypedParamsAddBoolean(&l.params, &n, &max, "x", 1), ==, -1);
    testAssertLastError(TERN_ERR_INVALID_ARG, "invalid argument: inconsistent typed parameter "
                                              "list: 2 entries, 1 allocated");
    n = 0;
    max = 4;
    g_assert_cmpint(ternTypedParamsAddBoolean(&dummy, &n, &max, "x", 1), ==, -1);
    g_assert_cmpint(ternGetLastError()->code, ==, TERN_ERR_INVALID_ARG);
    n = -1;
    max = 0;
    g_assert_cmpint(ternTypedParamsAddULLong(&dummy, &n, &max, "x", 1), ==, -1);
    g_assert_null(dummy);
}

/* The list grows past its first allocation and keeps every entry. */
static void
testTypedParamGrowth(void)
{
    g_auto(testList) l = {0};

    for (int i = 0; i < 1000; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);
        g_autofree char *value = g_strdup_printf("v%d", i);

        g_assert_cmpint(ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, name, value),
                        ==, 0);
    }
    g_assert_cmpint(l.nparams, ==, 1000);
    g_assert_cmpint(l.maxparams, >=, 1000);
    for (int i = 0; i < 1000; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);
        g_autofree char *value = g_strdup_printf("v%d", i);
        const char *s = NULL;

        g_assert_cmpint(ternTypedParamsGetString(l.params, l.nparams, name, &s), ==, 1);
        g_assert_cmpstr(s, ==, value);
    }
}

/* A repeated name: Get returns the first, the list helpers return all in order. */
static void
testTypedParamRepeats(void)
{
    g_auto(testList) l = {0};
    const char *methods[] = {"xbzrle", "mt", NULL};
    const char *none[] = {NULL};
    g_autofree const char **got = NULL;
    g_autofree const char **empty = NULL;
    g_autoptr(GError) err = NULL;
    const char *s = NULL;

    g_assert_cmpint(
        ternTypedParamsAddStringList(&l.params, &l.nparams, &l.maxparams, "compression", methods),
        ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddStringList(&l.params, &l.nparams, &l.maxparams, "compression", none), ==,
        0);
    g_assert_cmpint(
        ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "compression", "zlib"), ==,
        0);
    g_assert_cmpint(l.nparams, ==, 3);
    g_assert_cmpint(ternTypedParamsGetString(l.params, l.nparams, "compression", &s), ==, 1);
    g_assert_cmpstr(s, ==, "xbzrle");

    g_assert_cmpint(ternTypedParamsGetStringList(l.params, l.nparams, "compression", &got, &err),
                    ==, 3);
    g_assert_no_error(err);
    g_assert_cmpstr(got[0], ==, "xbzrle");
    g_assert_cmpstr(got[1], ==, "mt");
    g_assert_cmpstr(got[2], ==, "zlib");
    g_assert_null(got[3]);
    g_assert_cmpint(ternTypedParamsGetStringList(l.params, l.nparams, "nope", &empty, &err), ==, 0);
    g_assert_nonnull(empty);
    g_assert_null(empty[0]);

    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, "compression", 1),
                    ==, 0);
    g_clear_pointer(&got, g_free);
    g_assert_cmpint(ternTypedParamsGetStringList(l.params, l.nparams, "compression", &got, &err),
                    ==, -1);
    g_assert_null(got);
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==,
                    "invalid argument: invalid type 'int' for parameter 'compression', expected "
                    "'string'");

    g_assert_cmpint(
        ternTypedParamsAddStringList(&l.params, &l.nparams, &l.maxparams, "compression", NULL), ==,
        -1);
    testAssertLastError(TERN_ERR_INVALID_ARG, "invalid argument: values in "
                                              "ternTypedParamsAddStringList must not be NULL");
}

/* AddStringList adds all strings or none. */
static void
testTypedParamStringListAtomic(void)
{
    g_auto(testList) l = {0};
    const char *values[] = {"a", "b", NULL};
    char longName[100];

    memset(longName, 'n', sizeof(longName) - 1);
    longName[sizeof(longName) - 1] = '\0';
    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, "x", 1), ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddStringList(&l.params, &l.nparams, &l.maxparams, longName, values), ==,
        -1);
    g_assert_cmpint(l.nparams, ==, 1);
    g_assert_cmpint(ternGetLastError()->code, ==, TERN_ERR_INVALID_ARG);
}

static void
testTypedParamClearFree(void)
{
    g_auto(testList) l = {0};

    ternTypedParamsFree(NULL, 0);
    ternTypedParamsClear(NULL, 3);
    g_assert_cmpint(ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "s", "v"), ==, 0);
    g_assert_cmpint(ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, "i", 3), ==, 0);
    ternTypedParamsClear(l.params, l.nparams);
    g_assert_null(l.params[0].value.s);
    g_assert_cmpint(l.params[1].value.i, ==, 3);
    /* clearing twice is harmless: the strings are NULL now */
    ternTypedParamsClear(l.params, l.nparams);
}

/* A list that testMigrateSpec accepts: repeats where allowed, any order. */
static void
testTypedParamValidateOK(void)
{
    g_auto(testList) l = {0};
    g_autoptr(GError) err = NULL;

    g_assert_true(
        ternTypedParamsValidate(NULL, 0, testMigrateSpec, G_N_ELEMENTS(testMigrateSpec), &err));
    g_assert_cmpint(ternTypedParamsAddULLong(&l.params, &l.nparams, &l.maxparams, "bandwidth", 3),
                    ==, 0);
    g_assert_cmpint(ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "migrate_uri",
                                             "tcp:192.0.2.2:49152"),
                    ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "compression", "xbzrle"), ==,
        0);
    g_assert_cmpint(
        ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "compression", "mt"), ==, 0);
    g_assert_cmpint(
        ternTypedParamsAddInt(&l.params, &l.nparams, &l.maxparams, "parallel.connections", 4), ==,
        0);
    g_assert_true(ternTypedParamsValidate(l.params, l.nparams, testMigrateSpec,
                                          G_N_ELEMENTS(testMigrateSpec), &err));
    g_assert_no_error(err);

    g_assert_true(ternTypedParamsLookup(l.params, l.nparams, "compression") == &l.params[2]);
    g_assert_null(ternTypedParamsLookup(l.params, l.nparams, "graphics_uri"));
}

/* One refused list: @build fills it; the first problem decides code and message. */
typedef struct {
    const char *name;
    void (*build)(testList *l);
    int code;
    const char *message;
} testValidateCase;

static void
testBuildUnknown(testList *l)
{
    ternTypedParamsAddULLong(&l->params, &l->nparams, &l->maxparams, "bandwidth", 1);
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "foo", "x");
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "bar", "x");
}

static void
testBuildWrongType(testList *l)
{
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "bandwidth", "100");
}

static void
testBuildWrongTypeInt(testList *l)
{
    ternTypedParamsAddUInt(&l->params, &l->nparams, &l->maxparams, "parallel.connections", 2);
}

static void
testBuildDuplicate(testList *l)
{
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "migrate_uri", "tcp:a:1");
    ternTypedParamsAddULLong(&l->params, &l->nparams, &l->maxparams, "bandwidth", 1);
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "migrate_uri", "tcp:b:1");
}

static void
testBuildUnterminated(testList *l)
{
    ternTypedParamsAddInt(&l->params, &l->nparams, &l->maxparams, "x", 1);
    memset(l->params[0].field, 'z', sizeof(l->params[0].field));
}

static void
testBuildBadType(testList *l)
{
    ternTypedParamsAddInt(&l->params, &l->nparams, &l->maxparams, "bandwidth", 1);
    l->params[0].type = 9;
}

static void
testBuildNullString(testList *l)
{
    ternTypedParamsAddString(&l->params, &l->nparams, &l->maxparams, "migrate_uri", "x");
    g_clear_pointer(&l->params[0].value.s, g_free);
}

static void
testBuildOddName(testList *l)
{
    ternTypedParamsAddInt(&l->params, &l->nparams, &l->maxparams, "it's\n\xff", 1);
}

static const testValidateCase testValidateCases[] = {
    {"unknown", testBuildUnknown, TERN_ERR_ARGUMENT_UNSUPPORTED,
     "argument unsupported: parameter 'foo' not supported"},
    {"wrong-type", testBuildWrongType, TERN_ERR_INVALID_ARG,
     "invalid argument: invalid type 'string' for parameter 'bandwidth', expected 'ullong'"},
    {"wrong-type-int", testBuildWrongTypeInt, TERN_ERR_INVALID_ARG,
     "invalid argument: invalid type 'uint' for parameter 'parallel.connections', expected "
     "'int'"},
    {"duplicate", testBuildDuplicate, TERN_ERR_INVALID_ARG,
     "invalid argument: parameter 'migrate_uri' occurs multiple times"},
    {"unterminated", testBuildUnterminated, TERN_ERR_INVALID_ARG,
     "invalid argument: name of typed parameter 0 is not terminated within 80 bytes"},
    {"bad-type", testBuildBadType, TERN_ERR_INVALID_ARG,
     "invalid argument: invalid type 9 for parameter 'bandwidth'"},
    {"null-string", testBuildNullString, TERN_ERR_INVALID_ARG,
     "invalid argument: string parameter 'migrate_uri' has no value"},
    {"odd-name", testBuildOddName, TERN_ERR_ARGUMENT_UNSUPPORTED,
     "argument unsupported: parameter 'it's\\n\\377' not supported"},
};

static void
testTypedParamValidateFail(gconstpointer opaque)
{
    const testValidateCase *tc = opaque;
    g_auto(testList) l = {0};
    g_autoptr(GError) err = NULL;

    tc->build(&l);
    g_assert_false(ternTypedParamsValidate(l.params, l.nparams, testMigrateSpec,
                                           G_N_ELEMENTS(testMigrateSpec), &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), tc->code);
    g_assert_cmpstr(err->message, ==, tc->message);

    /* a NULL error pointer is allowed */
    g_assert_false(ternTypedParamsValidate(l.params, l.nparams, testMigrateSpec,
                                           G_N_ELEMENTS(testMigrateSpec), NULL));
}

static void
testTypedParamValidateCount(void)
{
    g_autoptr(GError) err = NULL;
    ternTypedParameter one = {.field = "bandwidth", .type = TERN_TYPED_PARAM_ULLONG};

    g_assert_false(ternTypedParamsValidate(NULL, 1, testMigrateSpec, 1, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_false(ternTypedParamsValidate(&one, -1, testMigrateSpec, 1, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_clear_error(&err);
    /* an empty spec accepts only the empty list */
    g_assert_true(ternTypedParamsValidate(&one, 0, NULL, 0, &err));
    g_assert_false(ternTypedParamsValidate(&one, 1, NULL, 0, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_ARGUMENT_UNSUPPORTED);
}

static void
testTypedParamCopy(void)
{
    g_auto(testList) l = {0};
    g_autoptr(GError) err = NULL;
    ternTypedParameter *copy = NULL;
    ternTypedParameter *untouched = (ternTypedParameter *)&l;

    g_assert_true(ternTypedParamsCopy(NULL, 0, &copy, &err));
    g_assert_null(copy);

    ternTypedParamsAddString(&l.params, &l.nparams, &l.maxparams, "migrate_uri", "tcp:a:1");
    ternTypedParamsAddULLong(&l.params, &l.nparams, &l.maxparams, "bandwidth", 77);
    g_assert_true(ternTypedParamsCopy(l.params, l.nparams, &copy, &err));
    g_assert_no_error(err);
    g_assert_nonnull(copy);
    g_assert_cmpstr(copy[0].field, ==, "migrate_uri");
    g_assert_cmpstr(copy[0].value.s, ==, "tcp:a:1");
    g_assert_true(copy[0].value.s != l.params[0].value.s);
    g_assert_cmpstr(copy[1].field, ==, "bandwidth");
    g_assert_cmpuint(copy[1].value.ul, ==, 77);
    ternTypedParamsFree(copy, l.nparams);

    /* malformed: nothing is written to the out-parameter */
    l.params[1].type = 0;
    g_assert_false(ternTypedParamsCopy(l.params, l.nparams, &untouched, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_assert_true(untouched == (ternTypedParameter *)&l);
    l.params[1].type = TERN_TYPED_PARAM_ULLONG;
    g_clear_error(&err);
    g_assert_false(ternTypedParamsCopy(l.params, -2, &untouched, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
}

static void
testTypedParamAppend(void)
{
    g_auto(testList) l = {0};
    g_autoptr(GError) err = NULL;
    ternTypedParameter *p;
    ternTypedParameter fake[1] = {{.field = "x"}};
    ternTypedParameter *fakeList = fake;
    int n = INT_MAX, max = INT_MAX;

    p = ternTypedParamsAppend(&l.params, &l.nparams, &l.maxparams, "downtime",
                              TERN_TYPED_PARAM_ULLONG, &err);
    g_assert_no_error(err);
    g_assert_nonnull(p);
    p->value.ul = 48;
    g_assert_cmpint(l.nparams, ==, 1);
    g_assert_cmpstr(l.params[0].field, ==, "downtime");

    g_assert_null(ternTypedParamsAppend(&l.params, &l.nparams, &l.maxparams, "x", 0, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, "invalid argument: invalid type 0 for parameter 'x'");
    g_clear_error(&err);
    g_assert_null(ternTypedParamsAppend(&l.params, &l.nparams, &l.maxparams, NULL,
                                        TERN_TYPED_PARAM_INT, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_cmpint(l.nparams, ==, 1);

    /* full: refused before anything is allocated */
    g_assert_null(ternTypedParamsAppend(&fakeList, &n, &max, "x", TERN_TYPED_PARAM_INT, &err));
    g_assert_error(err, ternErrorQuark(TERN_FROM_NONE), TERN_ERR_OVERFLOW);
    g_assert_true(fakeList == fake);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/typedparam/type-names", testTypedParamTypeNames);
    g_test_add_func("/typedparam/layout", testTypedParamLayout);
    g_test_add_func("/typedparam/add-get", testTypedParamAddGet);
    g_test_add_func("/typedparam/get-absent-wrong-type", testTypedParamGetAbsentWrongType);
    g_test_add_func("/typedparam/add-errors", testTypedParamAddErrors);
    g_test_add_func("/typedparam/growth", testTypedParamGrowth);
    g_test_add_func("/typedparam/repeats", testTypedParamRepeats);
    g_test_add_func("/typedparam/string-list-atomic", testTypedParamStringListAtomic);
    g_test_add_func("/typedparam/clear-free", testTypedParamClearFree);
    g_test_add_func("/typedparam/validate/ok", testTypedParamValidateOK);
    for (size_t i = 0; i < G_N_ELEMENTS(testValidateCases); i++) {
        g_autofree char *path =
            g_strdup_printf("/typedparam/validate/fail/%s", testValidateCases[i].name);

        g_test_add_data_func(path, &testValidateCases[i], testTypedParamValidateFail);
    }
    g_test_add_func("/typedparam/validate/count", testTypedParamValidateCount);
    g_test_add_func("/typedparam/copy", testTypedParamCopy);
    g_test_add_func("/typedparam/append", testTypedParamAppend);

    return g_test_run();
}
