/* test-libtern-api.c: the public API of libtern.so over test:///default, as applications see it */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <tern/tern.h>

#include "testutils.h"
#include "testutilslibtern.h"

/*
 * Only <tern/tern.h> and the exported symbols: this is what a program
 * linking libtern gets. testutils.h adds test helpers that know nothing of
 * tern. The test driver's state lives as long as the process, so every
 * test leaves it as it found it: the running domain "test" and nothing
 * else (tests define their own domains and remove them).
 * Events are awaited with a deadline; delivery is in order, so an event
 * that must not come is shown absent by a later one that did.
 */

#define TEST_URI "test:///default"
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

#define VM_NAME "apivm"
#define VM_UUID "5b3c6a8e-2f1d-4c1b-9e0a-7d4f3e2a1b0c"

static const char vmXML[] = "<domain type='test'>\n"
                            "  <name>" VM_NAME "</name>\n"
                            "  <uuid>" VM_UUID "</uuid>\n"
                            "  <memory unit='MiB'>256</memory>\n"
                            "  <currentMemory unit='MiB'>128</currentMemory>\n"
                            "  <vcpu>2</vcpu>\n"
                            "  <os>\n"
                            "    <type>hvm</type>\n"
                            "  </os>\n"
                            "</domain>\n";

/* --- helpers --- */

static void
assertNoError(void)
{
    if (ternGetLastError())
        g_test_message("unexpected last error: %s", ternGetLastErrorMessage());
    g_assert_null(ternGetLastError());
    g_assert_cmpstr(ternGetLastErrorMessage(), ==, "no error");
}

static ternConnect *
openTest(void)
{
    ternConnect *conn = ternConnectOpen(TEST_URI);

    if (!conn)
        g_test_message("open: %s", ternGetLastErrorMessage());
    g_assert_nonnull(conn);
    return conn;
}

static ternDomain *
defineVM(ternConnect *conn)
{
    ternDomain *dom = ternDomainDefineXML(conn, vmXML);

    if (!dom)
        g_test_message("define: %s", ternGetLastErrorMessage());
    g_assert_nonnull(dom);
    return dom;
}

/* Put the test VM away, whatever state a failed test left it in. */
static void
removeVM(ternConnect *conn)
{
    ternDomain *dom = ternDomainLookupByName(conn, VM_NAME);

    if (!dom)
        return;
    if (ternDomainIsActive(dom) == 1)
        ternDomainDestroy(dom);
    ternDomainUndefine(dom);
    ternDomainFree(dom);
}

static int
domainState(ternDomain *dom, int *reason)
{
    int state = -1;

    g_assert_cmpint(ternDomainGetState(dom, &state, reason, 0), ==, 0);
    return state;
}

/* --- connections --- */

/*
 * main() points the remote driver at an empty socket directory and clears
 * $TERN_DEFAULT_URI before any thread exists (setenv is not thread-safe).
 */
static char *testSocketDir;

static void
testOpenErrors(void)
{
    /* a URI no driver takes: the test driver declines queries, the remote driver "test" */
    g_assert_null(ternConnectOpen("test:///default?x=1"));
    assertLastError(TERN_ERR_NO_CONNECT, "no connection driver available for test:///default?x=1");

    /* the test driver's own URI, but not its path */
    g_assert_null(ternConnectOpen("test:///nosuch"));
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
    g_assert_nonnull(strstr(ternGetLastErrorMessage(), "test:///nosuch"));

    /* any other scheme names a daemon: here one that is not running */
    g_assert_null(ternConnectOpen("bogus:///x"));
    assertLastError(TERN_ERR_SYSTEM_ERROR, NULL);
    g_assert_nonnull(strstr(ternGetLastErrorMessage(), testSocketDir));

    /* NULL without $TERN_DEFAULT_URI: a clear refusal */
    g_assert_null(ternConnectOpen(NULL));
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
    g_assert_null(ternConnectOpenReadOnly(NULL));
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
}

/* NULL opens $TERN_DEFAULT_URI; in a child, which sets it before any thread starts */
static void
testOpenDefaultURI(void)
{
    if (g_test_subprocess()) {
        ternConnect *conn;

        g_setenv("TERN_DEFAULT_URI", TEST_URI, TRUE);
        conn = ternConnectOpen(NULL);
        g_assert_nonnull(conn);
        assertNoError();
        g_assert_cmpstr(ternConnectGetType(conn), ==, "Test");
        g_assert_cmpint(ternConnectClose(conn), ==, 0);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

static void
testConnectInfo(void)
{
    ternConnect *conn = openTest();
    unsigned long ver = 0;
    char *s;

    g_assert_cmpstr(ternConnectGetType(conn), ==, "Test");
    assertNoError();
    g_assert_cmpint(ternConnectGetVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, ==, 2);
    g_assert_cmpint(ternConnectGetLibVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, ==, 1000); /* 0.1.0 */
    ver = 0;
    g_assert_cmpint(ternGetVersion(&ver), ==, 0);
    g_assert_cmpuint(ver, ==, 1000);

    /* strings the caller frees with free() */
    s = ternConnectGetURI(conn);
    g_assert_cmpstr(s, ==, TEST_URI);
    free(s);
    s = ternConnectGetHostname(conn);
    g_assert_cmpstr(s, ==, g_get_host_name());
    free(s);

    g_assert_cmpint(ternConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(ternConnectSetKeepAlive(conn, 5, 3), ==, 0);
    assertNoError();

    /* references: Close tells how many are left */
    g_assert_cmpint(ternConnectRef(conn), ==, 0);
    g_assert_cmpint(ternConnectRef(conn), ==, 0);
    g_assert_cmpint(ternConnectClose(conn), ==, 2);
    g_assert_cmpint(ternConnectClose(conn), ==, 1);
    g_assert_cmpint(ternConnectClose(conn), ==, 0);
}

static void
testDomainKeepsConnection(void)
{
    ternConnect *conn = openTest();
    ternDomain *dom = ternDomainLookupByName(conn, "test");

    g_assert_nonnull(dom);
    /* the domain's reference keeps the connection open after the caller's Close */
    g_assert_cmpint(ternConnectClose(conn), ==, 1);
    g_assert_true(ternDomainGetConnect(dom) == conn);
    g_assert_cmpint(ternDomainIsActive(dom), ==, 1);
    g_assert_cmpint(ternDomainRef(dom), ==, 0);
    g_assert_cmpint(ternDomainFree(dom), ==, 0);
    g_assert_cmpint(ternDomainFree(dom), ==, 0);
    assertNoError();
}

/* --- argument validation: one row per public function and argument --- */

typedef struct {
    ternConnect *conn;
    ternDomain *dom;
} testArgs;

typedef struct {
    const char *name;
    bool (*call)(testArgs *a); /* true if the call returned its failure value */
    int code;
    const char *message;
} testArgCase;

#define CALL(id, expr)                                                                             \
    static bool id(testArgs *a)                                                                    \
    {                                                                                              \
        return (expr);                                                                             \
    }

static void
ignoreEvent(ternConnect *conn, ternDomain *dom, void *opaque)
{
}

CALL(nullConnClose, ternConnectClose(NULL) == -1)
CALL(nullConnRef, ternConnectRef(NULL) == -1)
CALL(nullConnType, ternConnectGetType(NULL) == NULL)
CALL(nullConnVersion, ternConnectGetVersion(NULL, &(unsigned long){0}) == -1)
CALL(nullConnLibVersion, ternConnectGetLibVersion(NULL, &(unsigned long){0}) == -1)
CALL(nullConnHostname, ternConnectGetHostname(NULL) == NULL)
CALL(nullConnURI, ternConnectGetURI(NULL) == NULL)
CALL(nullConnAlive, ternConnectIsAlive(NULL) == -1)
CALL(nullConnKeepAlive, ternConnectSetKeepAlive(NULL, 5, 5) == -1)
CALL(nullConnList, ternConnectListAllDomains(NULL, NULL, 0) == -1)
CALL(nullConnByName, ternDomainLookupByName(NULL, "test") == NULL)
CALL(nullConnByUUID, ternDomainLookupByUUID(NULL, (unsigned char[16]){0}) == NULL)
CALL(nullConnByUUIDString, ternDomainLookupByUUIDString(NULL, TEST_UUID) == NULL)
CALL(nullConnByID, ternDomainLookupByID(NULL, 1) == NULL)
CALL(nullConnDefine, ternDomainDefineXML(NULL, vmXML) == NULL)
CALL(nullConnDefineFlags, ternDomainDefineXMLFlags(NULL, vmXML, 0) == NULL)
CALL(nullConnRegister, ternConnectDomainEventRegisterAny(NULL, NULL, 0, NULL, NULL, NULL) == -1)
CALL(nullConnDeregister, ternConnectDomainEventDeregisterAny(NULL, 0) == -1)

CALL(nullDomRef, ternDomainRef(NULL) == -1)
CALL(nullDomFree, ternDomainFree(NULL) == -1)
CALL(nullDomName, ternDomainGetName(NULL) == NULL)
CALL(nullDomUUID, ternDomainGetUUID(NULL, (unsigned char[16]){0}) == -1)
CALL(nullDomUUIDString, ternDomainGetUUIDString(NULL, (char[TERN_UUID_STRING_BUFLEN]){0}) == -1)
CALL(nullDomID, ternDomainGetID(NULL) == (unsigned int)-1)
CALL(nullDomConnect, ternDomainGetConnect(NULL) == NULL)
CALL(nullDomUndefine, ternDomainUndefine(NULL) == -1)
CALL(nullDomUndefineFlags, ternDomainUndefineFlags(NULL, 0) == -1)
CALL(nullDomCreate, ternDomainCreate(NULL) == -1)
CALL(nullDomCreateFlags, ternDomainCreateWithFlags(NULL, 0) == -1)
CALL(nullDomDestroy, ternDomainDestroy(NULL) == -1)
CALL(nullDomDestroyFlags, ternDomainDestroyFlags(NULL, 0) == -1)
CALL(nullDomSuspend, ternDomainSuspend(NULL) == -1)
CALL(nullDomResume, ternDomainResume(NULL) == -1)
CALL(nullDomInfo, ternDomainGetInfo(NULL, &(ternDomainInfo){0}) == -1)
CALL(nullDomState, ternDomainGetState(NULL, &(int){0}, NULL, 0) == -1)
CALL(nullDomXML, ternDomainGetXMLDesc(NULL, 0) == NULL)
CALL(nullDomOSType, ternDomainGetOSType(NULL) == NULL)
CALL(nullDomActive, ternDomainIsActive(NULL) == -1)
CALL(nullDomPersistent, ternDomainIsPersistent(NULL) == -1)
CALL(nullDomGetAutostart, ternDomainGetAutostart(NULL, &(int){0}) == -1)
CALL(nullDomSetAutostart, ternDomainSetAutostart(NULL, 1) == -1)
CALL(nullDomManagedSave, ternDomainHasManagedSaveImage(NULL, 0) == -1)

CALL(nullArgVersion, ternConnectGetVersion(a->conn, NULL) == -1)
CALL(nullArgLibVersion, ternConnectGetLibVersion(a->conn, NULL) == -1)
CALL(nullArgGetVersion, ternGetVersion(NULL) == -1)
CALL(nullArgByName, ternDomainLookupByName(a->conn, NULL) == NULL)
CALL(nullArgByUUID, ternDomainLookupByUUID(a->conn, NULL) == NULL)
CALL(nullArgByUUIDString, ternDomainLookupByUUIDString(a->conn, NULL) == NULL)
CALL(badArgByUUIDString, ternDomainLookupByUUIDString(a->conn, "not-a-uuid") == NULL)
CALL(badArgByID, ternDomainLookupByID(a->conn, -1) == NULL)
CALL(nullArgDefine, ternDomainDefineXML(a->conn, NULL) == NULL)
CALL(nullArgDefineFlags, ternDomainDefineXMLFlags(a->conn, NULL, 0) == NULL)
CALL(nullArgUUID, ternDomainGetUUID(a->dom, NULL) == -1)
CALL(nullArgUUIDString, ternDomainGetUUIDString(a->dom, NULL) == -1)
CALL(nullArgInfo, ternDomainGetInfo(a->dom, NULL) == -1)
CALL(nullArgState, ternDomainGetState(a->dom, NULL, NULL, 0) == -1)
CALL(nullArgAutostart, ternDomainGetAutostart(a->dom, NULL) == -1)
CALL(nullArgCallback, ternConnectDomainEventRegisterAny(a->conn, NULL, 0, NULL, NULL, NULL) == -1)
CALL(badArgEventID, ternConnectDomainEventRegisterAny(a->conn, NULL, TERN_DOMAIN_EVENT_ID_LAST,
                                                      ignoreEvent, NULL, NULL) == -1)
CALL(badArgCallbackID, ternConnectDomainEventDeregisterAny(a->conn, -1) == -1)
CALL(unknownCallbackID, ternConnectDomainEventDeregisterAny(a->conn, 123456) == -1)
CALL(badFlagsList, ternConnectListAllDomains(a->conn, NULL, 1u << 30) == -1)

/* clang-format off */
#define NULL_CONN(fn, call) {#call, call, TERN_ERR_INVALID_CONN, "invalid connection pointer in " fn}
#define NULL_DOM(fn, call) {#call, call, TERN_ERR_INVALID_DOMAIN, "invalid domain pointer in " fn}
#define BAD_ARG(call, msg) {#call, call, TERN_ERR_INVALID_ARG, msg}
/* clang-format on */

static const testArgCase testArgCases[] = {
    NULL_CONN("ternConnectClose", nullConnClose),
    NULL_CONN("ternConnectRef", nullConnRef),
    NULL_CONN("ternConnectGetType", nullConnType),
    NULL_CONN("ternConnectGetVersion", nullConnVersion),
    NULL_CONN("ternConnectGetLibVersion", nullConnLibVersion),
    NULL_CONN("ternConnectGetHostname", nullConnHostname),
    NULL_CONN("ternConnectGetURI", nullConnURI),
    NULL_CONN("ternConnectIsAlive", nullConnAlive),
    NULL_CONN("ternConnectSetKeepAlive", nullConnKeepAlive),
    NULL_CONN("ternConnectListAllDomains", nullConnList),
    NULL_CONN("ternDomainLookupByName", nullConnByName),
    NULL_CONN("ternDomainLookupByUUID", nullConnByUUID),
    NULL_CONN("ternDomainLookupByUUIDString", nullConnByUUIDString),
    NULL_CONN("ternDomainLookupByID", nullConnByID),
    NULL_CONN("ternDomainDefineXML", nullConnDefine),
    NULL_CONN("ternDomainDefineXMLFlags", nullConnDefineFlags),
    NULL_CONN("ternConnectDomainEventRegisterAny", nullConnRegister),
    NULL_CONN("ternConnectDomainEventDeregisterAny", nullConnDeregister),

    NULL_DOM("ternDomainRef", nullDomRef),
    NULL_DOM("ternDomainFree", nullDomFree),
    NULL_DOM("ternDomainGetName", nullDomName),
    NULL_DOM("ternDomainGetUUID", nullDomUUID),
    NULL_DOM("ternDomainGetUUIDString", nullDomUUIDString),
    NULL_DOM("ternDomainGetID", nullDomID),
    NULL_DOM("ternDomainGetConnect", nullDomConnect),
    NULL_DOM("ternDomainUndefine", nullDomUndefine),
    NULL_DOM("ternDomainUndefineFlags", nullDomUndefineFlags),
    NULL_DOM("ternDomainCreate", nullDomCreate),
    NULL_DOM("ternDomainCreateWithFlags", nullDomCreateFlags),
    NULL_DOM("ternDomainDestroy", nullDomDestroy),
    NULL_DOM("ternDomainDestroyFlags", nullDomDestroyFlags),
    NULL_DOM("ternDomainSuspend", nullDomSuspend),
    NULL_DOM("ternDomainResume", nullDomResume),
    NULL_DOM("ternDomainGetInfo", nullDomInfo),
    NULL_DOM("ternDomainGetState", nullDomState),
    NULL_DOM("ternDomainGetXMLDesc", nullDomXML),
    NULL_DOM("ternDomainGetOSType", nullDomOSType),
    NULL_DOM("ternDomainIsActive", nullDomActive),
    NULL_DOM("ternDomainIsPersistent", nullDomPersistent),
    NULL_DOM("ternDomainGetAutostart", nullDomGetAutostart),
    NULL_DOM("ternDomainSetAutostart", nullDomSetAutostart),
    NULL_DOM("ternDomainHasManagedSaveImage", nullDomManagedSave),

    BAD_ARG(nullArgVersion, "invalid argument: hvVer in ternConnectGetVersion must not be NULL"),
    BAD_ARG(nullArgLibVersion,
            "invalid argument: libVer in ternConnectGetLibVersion must not be NULL"),
    BAD_ARG(nullArgGetVersion, "invalid argument: libVer in ternGetVersion must not be NULL"),
    BAD_ARG(nullArgByName, "invalid argument: name in ternDomainLookupByName must not be NULL"),
    BAD_ARG(nullArgByUUID, "invalid argument: uuid in ternDomainLookupByUUID must not be NULL"),
    BAD_ARG(nullArgByUUIDString,
            "invalid argument: uuidstr in ternDomainLookupByUUIDString must not be NULL"),
    BAD_ARG(badArgByUUIDString,
            "invalid argument: uuidstr in ternDomainLookupByUUIDString must be a valid UUID"),
    BAD_ARG(badArgByID, "invalid argument: id in ternDomainLookupByID must be zero or greater"),
    BAD_ARG(nullArgDefine, "invalid argument: xml in ternDomainDefineXML must not be NULL"),
    BAD_ARG(nullArgDefineFlags,
            "invalid argument: xml in ternDomainDefineXMLFlags must not be NULL"),
    BAD_ARG(nullArgUUID, "invalid argument: uuid in ternDomainGetUUID must not be NULL"),
    BAD_ARG(nullArgUUIDString, "invalid argument: buf in ternDomainGetUUIDString must not be NULL"),
    BAD_ARG(nullArgInfo, "invalid argument: info in ternDomainGetInfo must not be NULL"),
    BAD_ARG(nullArgState, "invalid argument: state in ternDomainGetState must not be NULL"),
    BAD_ARG(nullArgAutostart,
            "invalid argument: autostart in ternDomainGetAutostart must not be NULL"),
    BAD_ARG(nullArgCallback,
            "invalid argument: cb in ternConnectDomainEventRegisterAny must not be NULL"),
    BAD_ARG(badArgEventID, "invalid argument: eventID in ternConnectDomainEventRegisterAny must "
                           "be less than 27, got 27"),
    BAD_ARG(badArgCallbackID,
            "invalid argument: callbackID in ternConnectDomainEventDeregisterAny must be zero or "
            "greater"),
    /* the driver's own refusals come through unchanged */
    BAD_ARG(unknownCallbackID, NULL),
    BAD_ARG(badFlagsList, NULL),
};

static void
testArgument(gconstpointer data)
{
    const testArgCase *c = data;
    testArgs a = {0};

    a.conn = openTest();
    a.dom = ternDomainLookupByName(a.conn, "test");
    g_assert_nonnull(a.dom);

    g_assert_true(c->call(&a));
    assertLastError(c->code, c->message);

    /* the next successful call forgets it */
    g_assert_cmpint(ternDomainIsActive(a.dom), ==, 1);
    assertNoError();

    ternDomainFree(a.dom);
    ternConnectClose(a.conn);
}

/* --- the last error itself --- */

static void
testLastError(void)
{
    ternConnect *conn = openTest();
    ternError copy;

    ternResetLastError();
    assertNoError();
    g_assert_cmpint(ternCopyLastError(&copy), ==, 0);
    g_assert_null(copy.message);

    g_assert_null(ternDomainLookupByName(conn, "nosuch"));
    assertLastError(TERN_ERR_NO_DOMAIN, "Domain not found: no domain with matching name 'nosuch'");
    g_assert_cmpint(ternGetLastError()->domain, ==, TERN_FROM_TEST);

    g_assert_cmpint(ternCopyLastError(&copy), ==, TERN_ERR_NO_DOMAIN);
    g_assert_cmpint(copy.code, ==, TERN_ERR_NO_DOMAIN);
    g_assert_cmpstr(copy.message, ==, ternGetLastErrorMessage());
    g_assert_true(copy.message != ternGetLastError()->message);

    ternResetLastError();
    assertNoError();
    g_assert_cmpstr(copy.message, ==, "Domain not found: no domain with matching name 'nosuch'");
    ternResetError(&copy);
    g_assert_null(copy.message);
    g_assert_cmpint(copy.code, ==, 0);

    g_assert_null(ternDomainLookupByID(conn, 99));
    assertLastError(TERN_ERR_NO_DOMAIN, "Domain not found: no domain with matching id 99");
    g_assert_null(ternDomainLookupByUUIDString(conn, VM_UUID));
    assertLastError(TERN_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching uuid '" VM_UUID "'");

    ternConnectClose(conn);
    assertNoError();
}

static gpointer
testLastErrorThread(gpointer data)
{
    /* a fresh thread has no error, whatever the others have */
    bool clean = ternGetLastError() == NULL;

    ternGetVersion(NULL);
    return GINT_TO_POINTER(clean && ternGetLastError() &&
                           ternGetLastError()->code == TERN_ERR_INVALID_ARG);
}

static void
testLastErrorPerThread(void)
{
    ternConnect *conn = openTest();
    GThread *thread;

    g_assert_null(ternDomainLookupByName(conn, "nosuch"));
    thread = g_thread_new("last-error", testLastErrorThread, NULL);
    g_assert_true(GPOINTER_TO_INT(g_thread_join(thread)));
    /* and the other thread's error did not land here */
    assertLastError(TERN_ERR_NO_DOMAIN, NULL);
    ternConnectClose(conn);
}

/* --- lookups and the lifecycle --- */

static void
testLookups(void)
{
    ternConnect *conn = openTest();
    unsigned char uuid[TERN_UUID_BUFLEN];
    char uuidstr[TERN_UUID_STRING_BUFLEN];
    ternDomain *byName, *byID, *byUUID, *byUUIDString;

    byName = ternDomainLookupByName(conn, "test");
    g_assert_nonnull(byName);
    g_assert_cmpstr(ternDomainGetName(byName), ==, "test");
    g_assert_cmpuint(ternDomainGetID(byName), ==, 1);
    g_assert_cmpint(ternDomainGetUUIDString(byName, uuidstr), ==, 0);
    g_assert_cmpstr(uuidstr, ==, TEST_UUID);
    g_assert_cmpint(ternDomainGetUUID(byName, uuid), ==, 0);

    byID = ternDomainLookupByID(conn, 1);
    byUUID = ternDomainLookupByUUID(conn, uuid);
    byUUIDString = ternDomainLookupByUUIDString(conn, TEST_UUID);
    g_assert_nonnull(byID);
    g_assert_nonnull(byUUID);
    g_assert_nonnull(byUUIDString);
    g_assert_cmpstr(ternDomainGetName(byID), ==, "test");
    g_assert_cmpstr(ternDomainGetName(byUUID), ==, "test");
    g_assert_cmpstr(ternDomainGetName(byUUIDString), ==, "test");
    assertNoError();

    ternDomainFree(byName);
    ternDomainFree(byID);
    ternDomainFree(byUUID);
    ternDomainFree(byUUIDString);
    ternConnectClose(conn);
}

static void
testLifecycle(void)
{
    ternConnect *conn = openTest();
    ternDomain *dom = defineVM(conn);
    ternDomainInfo info;
    int autostart = -1;
    int reason = -1;
    char *s;

    g_assert_cmpuint(ternDomainGetID(dom), ==, (unsigned int)-1);
    g_assert_cmpint(ternDomainIsActive(dom), ==, 0);
    g_assert_cmpint(ternDomainIsPersistent(dom), ==, 1);
    g_assert_cmpint(ternDomainHasManagedSaveImage(dom, 0), ==, 0);
    g_assert_cmpint(domainState(dom, &reason), ==, TERN_DOMAIN_SHUTOFF);
    g_assert_cmpint(ternDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpuint(info.state, ==, TERN_DOMAIN_SHUTOFF);
    g_assert_cmpuint(info.maxMem, ==, 262144);
    g_assert_cmpuint(info.memory, ==, 131072);
    g_assert_cmpuint(info.nrVirtCpu, ==, 2);
    s = ternDomainGetOSType(dom);
    g_assert_cmpstr(s, ==, "hvm");
    free(s);
    s = ternDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(s, "<name>" VM_NAME "</name>"));
    free(s);

    /* start: the handle learns its id */
    g_assert_cmpint(ternDomainCreate(dom), ==, 0);
    g_assert_cmpuint(ternDomainGetID(dom), >=, 2);
    g_assert_cmpint(ternDomainIsActive(dom), ==, 1);
    g_assert_cmpint(domainState(dom, &reason), ==, TERN_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, TERN_DOMAIN_RUNNING_BOOTED);
    s = ternDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(s, " id='"));
    free(s);

    g_assert_cmpint(ternDomainCreate(dom), ==, -1);
    assertLastError(TERN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is already running");

    g_assert_cmpint(ternDomainSuspend(dom), ==, 0);
    g_assert_cmpint(domainState(dom, &reason), ==, TERN_DOMAIN_PAUSED);
    g_assert_cmpint(reason, ==, TERN_DOMAIN_PAUSED_USER);
    g_assert_cmpint(ternDomainSuspend(dom), ==, -1);
    assertLastError(TERN_ERR_OPERATION_INVALID, NULL);
    g_assert_cmpint(ternDomainResume(dom), ==, 0);
    g_assert_cmpint(domainState(dom, &reason), ==, TERN_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, TERN_DOMAIN_RUNNING_UNPAUSED);

    g_assert_cmpint(ternDomainSetAutostart(dom, 1), ==, 0);
    g_assert_cmpint(ternDomainGetAutostart(dom, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(ternDomainSetAutostart(dom, 0), ==, 0);
    g_assert_cmpint(ternDomainGetAutostart(dom, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 0);

    /* destroy: the handle forgets its id */
    g_assert_cmpint(ternDomainDestroyFlags(dom, TERN_DOMAIN_DESTROY_GRACEFUL), ==, 0);
    g_assert_cmpuint(ternDomainGetID(dom), ==, (unsigned int)-1);
    g_assert_cmpint(domainState(dom, &reason), ==, TERN_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, TERN_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpint(ternDomainDestroy(dom), ==, -1);
    assertLastError(TERN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is not running");

    /* start paused, then stop */
    g_assert_cmpint(ternDomainCreateWithFlags(dom, TERN_DOMAIN_START_PAUSED), ==, 0);
    g_assert_cmpint(domainState(dom, NULL), ==, TERN_DOMAIN_PAUSED);
    g_assert_cmpint(ternDomainDestroy(dom), ==, 0);

    g_assert_cmpint(ternDomainUndefineFlags(dom, 0), ==, 0);
    g_assert_cmpint(ternDomainIsActive(dom), ==, -1);
    assertLastError(TERN_ERR_NO_DOMAIN, NULL);
    g_assert_null(ternDomainLookupByName(conn, VM_NAME));

    ternDomainFree(dom);
    ternConnectClose(conn);
}

static void
testDefineErrors(void)
{
    ternConnect *conn = openTest();

    g_assert_null(ternDomainDefineXML(conn, "<domain type='test'><name>x</name>"));
    assertLastError(TERN_ERR_XML_ERROR, NULL);
    g_assert_null(ternDomainDefineXMLFlags(conn, vmXML, 1u << 20));
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
    g_assert_null(ternDomainLookupByName(conn, VM_NAME));
    ternConnectClose(conn);
}

/* --- read-only connections --- */

typedef struct {
    const char *func;
    int (*call)(ternDomain *dom);
} testReadOnlyCase;

static int
roUndefine(ternDomain *d)
{
    return ternDomainUndefine(d);
}

static int
roUndefineFlags(ternDomain *d)
{
    return ternDomainUndefineFlags(d, 0);
}

static int
roCreate(ternDomain *d)
{
    return ternDomainCreate(d);
}

static int
roCreateFlags(ternDomain *d)
{
    return ternDomainCreateWithFlags(d, 0);
}

static int
roDestroy(ternDomain *d)
{
    return ternDomainDestroy(d);
}

static int
roDestroyFlags(ternDomain *d)
{
    return ternDomainDestroyFlags(d, 0);
}

static int
roSuspend(ternDomain *d)
{
    return ternDomainSuspend(d);
}

static int
roResume(ternDomain *d)
{
    return ternDomainResume(d);
}

static int
roSetAutostart(ternDomain *d)
{
    return ternDomainSetAutostart(d, 1);
}

static int
roDefine(ternDomain *d)
{
    return ternDomainDefineXML(ternDomainGetConnect(d), vmXML) ? 0 : -1;
}

static int
roDefineFlags(ternDomain *d)
{
    return ternDomainDefineXMLFlags(ternDomainGetConnect(d), vmXML, 0) ? 0 : -1;
}

static const testReadOnlyCase testReadOnlyCases[] = {
    {"ternDomainUndefine", roUndefine},
    {"ternDomainUndefineFlags", roUndefineFlags},
    {"ternDomainCreate", roCreate},
    {"ternDomainCreateWithFlags", roCreateFlags},
    {"ternDomainDestroy", roDestroy},
    {"ternDomainDestroyFlags", roDestroyFlags},
    {"ternDomainSuspend", roSuspend},
    {"ternDomainResume", roResume},
    {"ternDomainSetAutostart", roSetAutostart},
    {"ternDomainDefineXML", roDefine},
    {"ternDomainDefineXMLFlags", roDefineFlags},
};

static void
testReadOnly(void)
{
    ternConnect *ro = ternConnectOpenReadOnly(TEST_URI);
    ternDomain *dom;
    ternDomain **doms = NULL;
    char *xml;

    g_assert_nonnull(ro);
    dom = ternDomainLookupByName(ro, "test");
    g_assert_nonnull(dom);

    for (size_t i = 0; i < G_N_ELEMENTS(testReadOnlyCases); i++) {
        g_autofree char *want = g_strdup_printf("operation forbidden: read only access prevents %s",
                                                testReadOnlyCases[i].func);

        g_test_message("read-only: %s", testReadOnlyCases[i].func);
        g_assert_cmpint(testReadOnlyCases[i].call(dom), ==, -1);
        assertLastError(TERN_ERR_OPERATION_DENIED, want);
    }

    /* queries work, and nothing changed */
    g_assert_cmpint(domainState(dom, NULL), ==, TERN_DOMAIN_RUNNING);
    g_assert_cmpint(ternConnectListAllDomains(ro, &doms, 0), ==, 1);
    ternDomainFree(doms[0]);
    free(doms);
    g_assert_null(ternDomainLookupByName(ro, VM_NAME));

    /* secrets only for read-write connections */
    g_assert_null(ternDomainGetXMLDesc(dom, TERN_DOMAIN_XML_SECURE));
    assertLastError(TERN_ERR_OPERATION_DENIED,
                    "operation forbidden: ternDomainGetXMLDesc with secure flag");
    xml = ternDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(xml);
    free(xml);

    ternDomainFree(dom);
    ternConnectClose(ro);
}

/* --- listing --- */

/* for g_ptr_array_sort, which passes pointers to the elements */
static gint
compareStrings(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* The names ternConnectListAllDomains gives for @flags, sorted, space separated. */
static char *
listNames(ternConnect *conn, unsigned int flags)
{
    ternDomain **doms = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    int n = ternConnectListAllDomains(conn, &doms, flags);

    g_assert_cmpint(n, >=, 0);
    g_assert_cmpint(ternConnectListAllDomains(conn, NULL, flags), ==, n);
    for (int i = 0; i < n; i++) {
        g_ptr_array_add(names, g_strdup(ternDomainGetName(doms[i])));
        ternDomainFree(doms[i]);
    }
    g_assert_null(doms[n]);
    free(doms);
    g_ptr_array_sort(names, compareStrings);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

static void
testList(void)
{
    ternConnect *conn = openTest();
    ternDomain *dom = defineVM(conn);

#define CHECK_LIST(flags, want)                                                                    \
    do {                                                                                           \
        g_autofree char *got = listNames(conn, (flags));                                           \
        g_assert_cmpstr(got, ==, (want));                                                          \
    } while (0)

    CHECK_LIST(0, "apivm test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_ACTIVE, "test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_INACTIVE, "apivm");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE, "apivm test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_PERSISTENT, "apivm test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_TRANSIENT, "");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_RUNNING, "test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_SHUTOFF, "apivm");

    g_assert_cmpint(ternDomainCreateWithFlags(dom, TERN_DOMAIN_START_PAUSED), ==, 0);
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_ACTIVE, "apivm test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_PAUSED, "apivm");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_RUNNING, "test");
    CHECK_LIST(TERN_CONNECT_LIST_DOMAINS_INACTIVE, "");
#undef CHECK_LIST

    g_assert_cmpint(ternConnectListAllDomains(conn, NULL, 1u << 30), ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG, NULL);

    ternDomainDestroy(dom);
    ternDomainUndefine(dom);
    ternDomainFree(dom);
    ternConnectClose(conn);
}

/* --- events --- */

/* A lifecycle callback for a ternTestRecorder: "name event/detail" lines. */
static void
testRecorderLifecycle(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    ternTestRecorderAdd(opaque, g_strdup_printf("%s %d/%d", ternDomainGetName(dom), event, detail));
}

/* Wait for @n events in all and return them joined with ", ". */
static char *
testRecorderWait(ternTestRecorder *rec, guint n)
{
    ternTestRecorderWait(rec, n);
    return ternTestRecorderJoin(rec, ", ");
}

static void
testEvents(void)
{
    ternConnect *conn = openTest();
    ternConnect *other = openTest();
    ternDomain *test = ternDomainLookupByName(conn, "test");
    ternDomain *dom;
    ternTestRecorder all, onlyTest;
    g_autofree char *seen = NULL;
    g_autofree char *seenTest = NULL;
    int idAll, idTest;

    ternTestRecorderInit(&all);
    ternTestRecorderInit(&onlyTest);

    idAll = ternConnectDomainEventRegisterAny(conn, NULL, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                              TERN_DOMAIN_EVENT_CALLBACK(testRecorderLifecycle),
                                              &all, ternTestRecorderFreed);
    idTest = ternConnectDomainEventRegisterAny(conn, test, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                               TERN_DOMAIN_EVENT_CALLBACK(testRecorderLifecycle),
                                               &onlyTest, ternTestRecorderFreed);
    g_assert_cmpint(idAll, >=, 0);
    g_assert_cmpint(idTest, >=, 0);
    g_assert_cmpint(idAll, !=, idTest);

    /* a domain of another connection is no filter for this one */
    g_assert_cmpint(ternConnectDomainEventRegisterAny(
                        other, test, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                        TERN_DOMAIN_EVENT_CALLBACK(testRecorderLifecycle), &all, NULL),
                    ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG,
                    "invalid argument: dom in ternConnectDomainEventRegisterAny must belong to "
                    "conn");

    /* changes made through another connection are seen too */
    dom = defineVM(other);
    g_assert_cmpint(ternDomainCreate(dom), ==, 0);
    g_assert_cmpint(ternDomainSuspend(dom), ==, 0);
    g_assert_cmpint(ternDomainResume(dom), ==, 0);
    g_assert_cmpint(ternDomainDestroy(dom), ==, 0);
    g_assert_cmpint(ternDomainUndefine(dom), ==, 0);
    g_assert_cmpint(ternDomainSuspend(test), ==, 0);
    g_assert_cmpint(ternDomainResume(test), ==, 0);

    seen = testRecorderWait(&all, 8);
    g_assert_cmpstr(seen, ==,
                    "apivm 0/0, apivm 2/0, apivm 3/0, apivm 4/0, apivm 5/1, apivm 1/0, "
                    "test 3/0, test 4/0");
    seenTest = testRecorderWait(&onlyTest, 2);
    g_assert_cmpstr(seenTest, ==, "test 3/0, test 4/0");

    /* deregistered: freecb has run, and no more events come */
    g_assert_cmpint(ternConnectDomainEventDeregisterAny(conn, idAll), ==, 0);
    g_assert_cmpint(ternTestRecorderWaitFreed(&all, 1), ==, 1);
    g_assert_cmpint(ternConnectDomainEventDeregisterAny(conn, idAll), ==, -1);
    assertLastError(TERN_ERR_INVALID_ARG, NULL);
    g_assert_cmpint(ternDomainSuspend(test), ==, 0);
    g_assert_cmpint(ternDomainResume(test), ==, 0);
    g_free(seenTest);
    seenTest = testRecorderWait(&onlyTest, 4);
    g_assert_cmpstr(seenTest, ==, "test 3/0, test 4/0, test 3/0, test 4/0");
    g_assert_cmpuint(all.seen->len, ==, 8);

    /*
     * Closing the connection removes what is still registered. The event
     * thread may hold a reference for a moment after a callback, so the
     * count Close returns may not be 0 yet; the callback goes all the same.
     */
    ternDomainFree(test);
    ternDomainFree(dom);
    g_assert_cmpint(ternConnectClose(conn), >=, 0);
    g_assert_cmpint(ternTestRecorderWaitFreed(&onlyTest, 1), ==, 1);
    ternConnectClose(other);

    ternTestRecorderClear(&all);
    ternTestRecorderClear(&onlyTest);
}

/* test:///default as it was at the start: "test" running, nothing else. */
static void
testAfterEach(gconstpointer data)
{
    ternConnect *conn = openTest();
    ternDomain *test = ternDomainLookupByName(conn, "test");

    removeVM(conn);
    g_assert_nonnull(test);
    if (ternDomainIsActive(test) != 1)
        ternDomainCreate(test);
    else if (domainState(test, NULL) == TERN_DOMAIN_PAUSED)
        ternDomainResume(test);
    ternDomainFree(test);
    ternConnectClose(conn);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_unsetenv("TERN_DEFAULT_URI");
    testSocketDir = g_dir_make_tmp("libtern-api-XXXXXX", NULL);
    g_assert_nonnull(testSocketDir);
    g_setenv("TERN_SOCKET_DIR", testSocketDir, TRUE);

    g_test_add_func("/libtern/connect/open-errors", testOpenErrors);
    g_test_add_func("/libtern/connect/open-default-uri", testOpenDefaultURI);
    g_test_add_func("/libtern/connect/info", testConnectInfo);
    g_test_add_func("/libtern/connect/domain-keeps-connection", testDomainKeepsConnection);
    for (size_t i = 0; i < G_N_ELEMENTS(testArgCases); i++) {
        g_autofree char *path = g_strdup_printf("/libtern/arguments/%s", testArgCases[i].name);

        g_test_add_data_func(path, &testArgCases[i], testArgument);
    }
    g_test_add_func("/libtern/error/last-error", testLastError);
    g_test_add_func("/libtern/error/per-thread", testLastErrorPerThread);
    g_test_add_func("/libtern/domain/lookups", testLookups);
    g_test_add_func("/libtern/domain/lifecycle", testLifecycle);
    g_test_add_func("/libtern/domain/define-errors", testDefineErrors);
    g_test_add_func("/libtern/domain/list", testList);
    g_test_add_func("/libtern/read-only/refusals", testReadOnly);
    g_test_add_func("/libtern/events/lifecycle", testEvents);
    /* added last, so it runs last: puts back the default state a failed test may have left */
    g_test_add_data_func("/libtern/restore/default", NULL, testAfterEach);
    ret = g_test_run();
    g_rmdir(testSocketDir);
    g_free(testSocketDir);
    return ret;
}
