/* test-test-driver.c: the test:///default hypervisor (src/test/test_driver.c) through its driver
 * table */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/domain_event.h"
#include "hypervisor/driver.h"
#include "test/test_driver.h"
#define TERN_TEST_DRIVER_PRIV_H_ALLOW
#include "test/test_driverpriv.h"
#include "util/ternerror.h"
#include "util/ternutil.h"
#include "testutils.h"

/*
 * Every test starts from the default configuration (testDriverResetForTests
 * in the fixture) and calls the driver methods as ternd's dispatcher does.
 * Events are awaited with a deadline; that an event did not come is shown
 * by a later one that did (delivery is in order).
 */

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

#define VM1_UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define VM2_UUID "d7a5fdbd-edaf-9455-926a-d65c16db1809"

static char *
testDomainXML(const char *name, const char *uuid, unsigned long memKiB)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <uuid>%s</uuid>\n"
                           "  <memory unit='KiB'>%lu</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os>\n"
                           "    <type>hvm</type>\n"
                           "  </os>\n"
                           "</domain>\n",
                           name, uuid, memKiB);
}

/* --- an event recorder: "name id event/detail" lines --- */

static void
testRecorderCb(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    ternTestRecorderAdd(opaque, g_strdup_printf("%s %d %d/%d", dom->name, dom->id, event, detail));
}

/* Wait for @n events in all and return them joined with '|'. */
static char *
testRecorderWait(ternTestRecorder *rec, guint n)
{
    ternTestRecorderWait(rec, n);
    return ternTestRecorderJoin(rec, "|");
}

/* --- the fixture --- */

typedef struct {
    ternConnect *conn;
    const ternHypervisorDriver *drv;
    ternTestRecorder rec;
    int callbackID;
} testFixture;

static ternConnect *
testOpen(unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    ternConnect *conn = ternConnectOpenInternal("test:///default", flags, &err);

    g_assert_no_error(err);
    g_assert_nonnull(conn);
    return conn;
}

static void
testFixtureSetup(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    testDriverResetForTests();
    f->conn = testOpen(0);
    f->drv = f->conn->driver;
    ternTestRecorderInit(&f->rec);
    f->callbackID = f->drv->connectDomainEventRegisterAny(
        f->conn, NULL, TERN_DOMAIN_EVENT_ID_LIFECYCLE, TERN_DOMAIN_EVENT_CALLBACK(testRecorderCb),
        &f->rec, ternTestRecorderFreed, &err);
    g_assert_no_error(err);
    g_assert_cmpint(f->callbackID, >=, 0);
}

static void
testFixtureTeardown(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(f->drv->connectDomainEventDeregisterAny(f->conn, f->callbackID, &err));
    g_assert_no_error(err);
    g_assert_cmpint(f->rec.freed, ==, 1);
    g_assert_cmpint(g_atomic_int_get(&f->conn->refs), ==, 1); /* no handle leaked */
    ternConnectUnrefInternal(f->conn);
    ternTestRecorderClear(&f->rec);
    testDriverResetForTests();
}

static ternDomain *
testLookup(testFixture *f, const char *name)
{
    g_autoptr(GError) err = NULL;
    ternDomain *dom = f->drv->domainLookupByName(f->conn, name, &err);

    g_assert_no_error(err);
    g_assert_nonnull(dom);
    return dom;
}

static ternDomain *
testDefine(testFixture *f, const char *name, const char *uuid, unsigned long memKiB)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = testDomainXML(name, uuid, memKiB);
    ternDomain *dom = f->drv->domainDefineXMLFlags(f->conn, xml, 0, &err);

    g_assert_no_error(err);
    g_assert_nonnull(dom);
    return dom;
}

static void
testAssertState(testFixture *f, ternDomain *dom, int wantState, int wantReason)
{
    g_autoptr(GError) err = NULL;
    int state = -1, reason = -1;

    g_assert_true(f->drv->domainGetState(dom, &state, &reason, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(state, ==, wantState);
    g_assert_cmpint(reason, ==, wantReason);
}

static char *
testXML(testFixture *f, ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml = f->drv->domainGetXMLDesc(dom, flags, &err);

    g_assert_no_error(err);
    g_assert_nonnull(xml);
    return xml;
}

#define ASSERT_OK(call)                                                                            \
    do {                                                                                           \
        g_autoptr(GError) _err = NULL;                                                             \
        bool _ok = (call);                                                                         \
        g_assert_no_error(_err);                                                                   \
        g_assert_true(_ok);                                                                        \
    } while (0)

/* ASSERT_FAIL(call using _err, code, "exact message") */
#define ASSERT_FAIL(call, code, msg)                                                               \
    do {                                                                                           \
        g_autoptr(GError) _err = NULL;                                                             \
        bool _ok = (call);                                                                         \
        g_assert_false(_ok);                                                                       \
        g_assert_nonnull(_err);                                                                    \
        g_assert_cmpint(ternErrorCodeOf(_err), ==, (code));                                        \
        if (msg)                                                                                   \
            g_assert_cmpstr(_err->message, ==, (const char *)(msg));                               \
    } while (0)

/* --- opening --- */

static void
testOpenURIs(void)
{
    static const struct {
        const char *uri;
        int code; /* 0: opens */
        const char *message;
    } cases[] = {
        {"test:///default", 0, NULL},
        {"test:///other", TERN_ERR_INVALID_ARG,
         "invalid argument: test driver URI 'test:///other': only test:///default is supported"},
        {"test:///", TERN_ERR_INVALID_ARG, NULL},
        /* not ours: no other driver is registered here, so nobody opens them */
        {"qemu:///system", TERN_ERR_NO_CONNECT, NULL},
        {"test+unix:///default", TERN_ERR_NO_CONNECT, NULL},
        {"test://example.org/default", TERN_ERR_NO_CONNECT, NULL},
        {"test:///default?socket=/x", TERN_ERR_NO_CONNECT, NULL},
        {"not a uri", TERN_ERR_NO_CONNECT, NULL},
    };

    testDriverResetForTests();
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ternConnect) conn = ternConnectOpenInternal(cases[i].uri, 0, &err);

        if (!cases[i].code) {
            g_assert_no_error(err);
            g_assert_nonnull(conn);
            continue;
        }
        g_assert_null(conn);
        g_assert_nonnull(err);
        g_assert_cmpint(ternErrorCodeOf(err), ==, cases[i].code);
        if (cases[i].message)
            g_assert_cmpstr(err->message, ==, cases[i].message);
    }
    testDriverResetForTests();
}

static void
testConnectInfo(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *host = f->drv->connectGetHostname(f->conn, &err);
    g_autofree char *uri = f->drv->connectGetURI(f->conn, &err);
    unsigned long ver = 0, libVer = 0;

    g_assert_no_error(err);
    g_assert_cmpstr(f->drv->name, ==, "Test");
    g_assert_cmpstr(f->drv->connectGetType(f->conn, &err), ==, "Test");
    g_assert_true(f->drv->connectGetVersion(f->conn, &ver, &err));
    g_assert_cmpuint(ver, ==, 2);
    g_assert_true(f->drv->connectGetLibVersion(f->conn, &libVer, &err));
    g_assert_cmpuint(libVer, ==, TERN_VERSION_NUMBER);
    g_assert_cmpstr(host, ==, g_get_host_name());
    g_assert_cmpstr(uri, ==, "test:///default");
    g_assert_cmpint(f->drv->connectIsAlive(f->conn), ==, 1);
    g_assert_true(f->drv->connectSetKeepAlive(f->conn, 5, 3, &err));
    g_assert_cmpint(
        f->drv->connectSupportsFeature(f->conn, TERN_DRV_FEATURE_TYPED_PARAM_STRING, &err), ==, 1);
    g_assert_cmpint(f->drv->connectSupportsFeature(f->conn, TERN_DRV_FEATURE_MIGRATION_V3, &err),
                    ==, 0);
    g_assert_cmpint(f->drv->connectSupportsFeature(f->conn, 9999, &err), ==, 0);
    g_assert_no_error(err);
}

/* --- the default domain --- */

static void
testDefaultDomain(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomain) dom = testLookup(f, "test");
    g_autoptr(ternDomain) byID = f->drv->domainLookupByID(f->conn, 1, &err);
    g_autoptr(ternDomain) byUUID = NULL;
    g_autofree char *xml = testXML(f, dom, 0);
    g_autofree char *inactive = testXML(f, dom, TERN_DOMAIN_XML_INACTIVE);
    g_autofree char *os = f->drv->domainGetOSType(dom, &err);
    unsigned char uuid[TERN_UUID_BUFLEN];
    ternDomainInfo info1, info2;
    int autostart = -1;

    g_assert_no_error(err);
    g_assert_true(ternUUIDParse(TEST_UUID, uuid));
    byUUID = f->drv->domainLookupByUUID(f->conn, uuid, &err);
    g_assert_no_error(err);

    g_assert_cmpmem(dom->uuid, TERN_UUID_BUFLEN, uuid, TERN_UUID_BUFLEN);
    g_assert_cmpint(dom->id, ==, 1);
    g_assert_cmpstr(byID->name, ==, "test");
    g_assert_cmpstr(byUUID->name, ==, "test");
    g_assert_cmpint(byUUID->id, ==, 1);

    testAssertState(f, dom, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_BOOTED);
    g_assert_true(f->drv->domainGetInfo(dom, &info1, &err));
    g_assert_cmpint(info1.state, ==, TERN_DOMAIN_RUNNING);
    g_assert_cmpuint(info1.maxMem, ==, 8388608);
    g_assert_cmpuint(info1.memory, ==, 2097152);
    g_assert_cmpuint(info1.nrVirtCpu, ==, 2);
    g_usleep(2 * G_TIME_SPAN_MILLISECOND); /* let the cpu clock move */
    g_assert_true(f->drv->domainGetInfo(dom, &info2, &err));
    g_assert_cmpuint(info2.cpuTime, >, info1.cpuTime);

    g_assert_cmpstr(os, ==, "hvm");
    g_assert_cmpint(f->drv->domainIsActive(dom, &err), ==, 1);
    g_assert_cmpint(f->drv->domainIsPersistent(dom, &err), ==, 1);
    g_assert_true(f->drv->domainGetAutostart(dom, &autostart, &err));
    g_assert_cmpint(autostart, ==, 0);
    g_assert_cmpint(f->drv->domainHasManagedSaveImage(dom, 0, &err), ==, 0);
    g_assert_no_error(err);

    g_assert_true(g_str_has_prefix(xml, "<domain type='test' id='1'>\n"));
    g_assert_nonnull(strstr(xml, "<name>test</name>"));
    g_assert_nonnull(strstr(xml, "<uuid>" TEST_UUID "</uuid>"));
    g_assert_nonnull(strstr(xml, ">8388608</memory>"));
    g_assert_nonnull(strstr(xml, ">2097152</currentMemory>"));
    g_assert_nonnull(strstr(xml, ">2</vcpu>"));
    g_assert_true(g_str_has_prefix(inactive, "<domain type='test'>\n"));
}

/* --- the lifecycle, with its events --- */

static void
testLifecycle(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomain) dom = testDefine(f, "vm1", VM1_UUID, 131072);
    g_autoptr(ternDomain) byID = NULL;
    g_autofree char *events = NULL;
    g_autofree char *liveXML = NULL;
    g_autofree char *inactiveXML = NULL;
    ternDomainInfo info;
    ternDomainInfo paused1, paused2;

    g_assert_cmpint(dom->id, ==, -1);
    testAssertState(f, dom, TERN_DOMAIN_SHUTOFF, TERN_DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_cmpint(f->drv->domainIsActive(dom, &err), ==, 0);
    g_assert_true(f->drv->domainGetInfo(dom, &info, &err));
    g_assert_cmpint(info.state, ==, TERN_DOMAIN_SHUTOFF);
    g_assert_cmpuint(info.maxMem, ==, 131072);
    g_assert_cmpuint(info.memory, ==, 131072);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);
    g_assert_cmpuint(info.cpuTime, ==, 0);

    ASSERT_OK(f->drv->domainCreateWithFlags(dom, 0, &_err));
    g_assert_cmpint(dom->id, ==, 2); /* "test" has 1 */
    testAssertState(f, dom, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(f->drv->domainIsActive(dom, &err), ==, 1);
    byID = f->drv->domainLookupByID(f->conn, 2, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(byID->name, ==, "vm1");
    liveXML = testXML(f, dom, 0);
    inactiveXML = testXML(f, dom, TERN_DOMAIN_XML_INACTIVE);
    g_assert_true(g_str_has_prefix(liveXML, "<domain type='qemu' id='2'>"));
    g_assert_true(g_str_has_prefix(inactiveXML, "<domain type='qemu'>"));

    ASSERT_OK(f->drv->domainSuspend(dom, &_err));
    testAssertState(f, dom, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
    g_assert_true(f->drv->domainGetInfo(dom, &paused1, &err));
    g_usleep(2 * G_TIME_SPAN_MILLISECOND);
    g_assert_true(f->drv->domainGetInfo(dom, &paused2, &err));
    g_assert_cmpint(paused1.state, ==, TERN_DOMAIN_PAUSED);
    g_assert_cmpuint(paused1.cpuTime, ==, paused2.cpuTime); /* a paused guest uses no cpu */

    ASSERT_OK(f->drv->domainResume(dom, &_err));
    testAssertState(f, dom, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_UNPAUSED);

    ASSERT_OK(f->drv->domainDestroyFlags(dom, 0, &_err));
    g_assert_cmpint(dom->id, ==, -1);
    testAssertState(f, dom, TERN_DOMAIN_SHUTOFF, TERN_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_true(f->drv->domainGetInfo(dom, &info, &err));
    g_assert_cmpuint(info.cpuTime, ==, 0);
    g_assert_null(f->drv->domainLookupByID(f->conn, 2, &err));
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_NO_DOMAIN);
    g_assert_cmpstr(err->message, ==, "Domain not found: no domain with matching id 2");
    g_clear_error(&err);
    g_assert_cmpint(f->drv->domainIsPersistent(dom, &err), ==, 1);

    /* ids are not reused */
    ASSERT_OK(f->drv->domainCreateWithFlags(dom, 0, &_err));
    g_assert_cmpint(dom->id, ==, 3);
    ASSERT_OK(f->drv->domainDestroyFlags(dom, TERN_DOMAIN_DESTROY_GRACEFUL, &_err));

    ASSERT_OK(f->drv->domainUndefineFlags(dom, 0, &_err));
    g_assert_null(f->drv->domainLookupByName(f->conn, "vm1", &err));
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_NO_DOMAIN);
    g_assert_cmpstr(err->message, ==, "Domain not found: no domain with matching name 'vm1'");

    events = testRecorderWait(&f->rec, 8);
    g_assert_cmpstr(events, ==,
                    "vm1 -1 0/0|" /* DEFINED/ADDED */
                    "vm1 2 2/0|"  /* STARTED/BOOTED */
                    "vm1 2 3/0|"  /* SUSPENDED/PAUSED */
                    "vm1 2 4/0|"  /* RESUMED/UNPAUSED */
                    "vm1 -1 5/1|" /* STOPPED/DESTROYED */
                    "vm1 3 2/0|"
                    "vm1 -1 5/1|"
                    "vm1 -1 1/0"); /* UNDEFINED/REMOVED */
}

static void
testStartPaused(testFixture *f, gconstpointer data)
{
    g_autoptr(ternDomain) dom = testDefine(f, "vm1", VM1_UUID, 131072);
    g_autofree char *events = NULL;

    ASSERT_FAIL(f->drv->domainCreateWithFlags(dom, TERN_DOMAIN_START_AUTODESTROY, &_err),
                TERN_ERR_INVALID_ARG, NULL);
    ASSERT_OK(f->drv->domainCreateWithFlags(dom, TERN_DOMAIN_START_PAUSED, &_err));
    testAssertState(f, dom, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
    ASSERT_OK(f->drv->domainResume(dom, &_err));
    ASSERT_OK(f->drv->domainDestroyFlags(dom, 0, &_err));
    events = testRecorderWait(&f->rec, 5);
    g_assert_cmpstr(events, ==, "vm1 -1 0/0|vm1 2 2/0|vm1 2 3/0|vm1 2 4/0|vm1 -1 5/1");
}

/* --- redefinition --- */

static void
testRedefine(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomain) dom = testDefine(f, "vm1", VM1_UUID, 131072);
    g_autoptr(ternDomain) again = testDefine(f, "vm1", VM1_UUID, 262144);
    g_autoptr(ternDomain) whileRunning = NULL;
    g_autofree char *conflictName = testDomainXML("vm1", VM2_UUID, 131072);
    g_autofree char *conflictUUID = testDomainXML("vm2", VM1_UUID, 131072);
    g_autofree char *live = NULL;
    g_autofree char *config = NULL;
    g_autofree char *after = NULL;
    g_autofree char *events = NULL;
    ternDomainInfo info;

    g_assert_true(f->drv->domainGetInfo(dom, &info, &err));
    g_assert_cmpuint(info.maxMem, ==, 262144);

    g_assert_null(f->drv->domainDefineXMLFlags(f->conn, conflictName, 0, &err));
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "operation failed: domain 'vm1' already exists with uuid " VM1_UUID);
    g_clear_error(&err);
    g_assert_null(f->drv->domainDefineXMLFlags(f->conn, conflictUUID, 0, &err));
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "operation failed: domain 'vm1' is already defined with uuid " VM1_UUID);
    g_clear_error(&err);
    g_assert_null(f->drv->domainLookupByName(f->conn, "vm2", &err));
    g_clear_error(&err);

    /* while running, a new definition is the next boot's, not the live one */
    ASSERT_OK(f->drv->domainCreateWithFlags(dom, 0, &_err));
    whileRunning = testDefine(f, "vm1", VM1_UUID, 524288);
    g_assert_cmpint(whileRunning->id, ==, dom->id);
    live = testXML(f, dom, 0);
    config = testXML(f, dom, TERN_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(live, ">262144</memory>"));
    g_assert_nonnull(strstr(config, ">524288</memory>"));
    g_assert_true(f->drv->domainGetInfo(dom, &info, &err));
    g_assert_cmpuint(info.maxMem, ==, 262144);

    ASSERT_OK(f->drv->domainDestroyFlags(dom, 0, &_err));
    after = testXML(f, dom, 0);
    g_assert_nonnull(strstr(after, ">524288</memory>"));

    events = testRecorderWait(&f->rec, 5);
    g_assert_cmpstr(events, ==, "vm1 -1 0/0|vm1 -1 0/1|vm1 2 2/0|vm1 2 0/1|vm1 -1 5/1");
}

/* --- transient domains --- */

static void
testTransient(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ternDomain) dom = testDefine(f, "vm1", VM1_UUID, 131072);
    g_autoptr(ternDomain) redefined = NULL;
    g_autofree char *events = NULL;
    int autostart = -1;

    ASSERT_OK(f->drv->domainSetAutostart(dom, 1, &_err));
    g_assert_true(f->drv->domainGetAutostart(dom, &autostart, &err));
    g_assert_cmpint(autostart, ==, 1);
    ASSERT_OK(f->drv->domainCreateWithFlags(dom, 0, &_err));

    /* undefining a running domain leaves it running, transient */
    ASSERT_OK(f->drv->domainUndefineFlags(dom, 0, &_err));
    g_assert_cmpint(f->drv->domainIsPersistent(dom, &err), ==, 0);
    g_assert_cmpint(f->drv->domainIsActive(dom, &err), ==, 1);
    g_assert_true(f->drv->domainGetAutostart(dom, &autostart, &err));
    g_assert_cmpint(autostart, ==, 0);
    ASSERT_FAIL(f->drv->domainSetAutostart(dom, 1, &_err), TERN_ERR_OPERATION_INVALID,
                "Requested operation is not valid: cannot set autostart for transient domain");
    ASSERT_FAIL(f->drv->domainUndefineFlags(dom, 0, &_err), TERN_ERR_OPERATION_INVALID,
                "Requested operation is not valid: cannot undefine transient domain");

    /* defining it again makes it persistent again: ADDED, there was no config */
    redefined = testDefine(f, "vm1", VM1_UUID, 131072);
    g_assert_cmpint(f->drv->domainIsPersistent(dom, &err), ==, 1);
    ASSERT_OK(f->drv->domainUndefineFlags(dom, 0, &_err));

    /* stopping a transient domain makes it disappear */
    ASSERT_OK(f->drv->domainDestroyFlags(dom, 0, &_err));
    g_assert_null(f->drv->domainLookupByName(f->conn, "vm1", &err));
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_NO_DOMAIN);
    g_clear_error(&err);
    g_assert_cmpint(f->drv->domainIsActive(dom, &err), ==, -1);
    g_assert_cmpint(ternErrorCodeOf(err), ==, TERN_ERR_NO_DOMAIN);

    events = testRecorderWait(&f->rec, 6);
    g_assert_cmpstr(events, ==, "vm1 -1 0/0|vm1 2 2/0|vm1 2 1/0|vm1 2 0/0|vm1 2 1/0|vm1 -1 5/1");
}

/* --- error paths --- */

static void
testUnknownDomain(testFixture *f, gconstpointer data)
{
    unsigned char uuid[TERN_UUID_BUFLEN];
    g_autoptr(ternDomain) ghost = NULL;
    const char *noSuch = "Domain not found: no domain with matching uuid '" VM2_UUID "' (ghost)";
    ternDomainInfo info;
    int state, reason, autostart;

    g_assert_true(ternUUIDParse(VM2_UUID, uuid));
    ghost = ternDomainNew(f->conn, "ghost", uuid, -1);

    ASSERT_FAIL(f->drv->domainLookupByName(f->conn, "ghost", &_err) != NULL, TERN_ERR_NO_DOMAIN,
                "Domain not found: no domain with matching name 'ghost'");
    ASSERT_FAIL(f->drv->domainLookupByUUID(f->conn, uuid, &_err) != NULL, TERN_ERR_NO_DOMAIN,
                "Domain not found: no domain with matching uuid '" VM2_UUID "'");
    ASSERT_FAIL(f->drv->domainLookupByID(f->conn, 99, &_err) != NULL, TERN_ERR_NO_DOMAIN,
                "Domain not found: no domain with matching id 99");
    ASSERT_FAIL(f->drv->domainLookupByID(f->conn, -1, &_err) != NULL, TERN_ERR_NO_DOMAIN,
                "Domain not found: no domain with matching id -1");

    ASSERT_FAIL(f->drv->domainUndefineFlags(ghost, 0, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainCreateWithFlags(ghost, 0, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainDestroyFlags(ghost, 0, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainSuspend(ghost, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainResume(ghost, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainGetInfo(ghost, &info, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainGetState(ghost, &state, &reason, 0, &_err), TERN_ERR_NO_DOMAIN,
                noSuch);
    ASSERT_FAIL(f->drv->domainGetXMLDesc(ghost, 0, &_err) != NULL, TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainGetOSType(ghost, &_err) != NULL, TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainIsActive(ghost, &_err) >= 0, TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainIsPersistent(ghost, &_err) >= 0, TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainGetAutostart(ghost, &autostart, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainSetAutostart(ghost, 1, &_err), TERN_ERR_NO_DOMAIN, noSuch);
    ASSERT_FAIL(f->drv->domainHasManagedSaveImage(ghost, 0, &_err) >= 0, TERN_ERR_NO_DOMAIN,
                noSuch);
}

static void
testStateErrors(testFixture *f, gconstpointer data)
{
    g_autoptr(ternDomain) dom = testDefine(f, "vm1", VM1_UUID, 131072);
    g_autoptr(ternDomain) test = testLookup(f, "test");
    const char *notRunning = "Requested operation is not valid: domain is not running";

    ASSERT_FAIL(f->drv->domainDestroyFlags(dom, 0, &_err), TERN_ERR_OPERATION_INVALID, notRunning);
    ASSERT_FAIL(f->drv->domainSuspend(dom, &_err), TERN_ERR_OPERATION_INVALID, notRunning);
    ASSERT_FAIL(f->drv->domainResume(dom, &_err), TERN_ERR_OPERATION_INVALID, notRunning);

    ASSERT_FAIL(f->drv->domainCreateWithFlags(test, 0, &_err), TERN_ERR_OPERATION_INVALID,
                "Requested operation is not valid: domain is already running");
    ASSERT_FAIL(f->drv->domainResume(test, &_err), TERN_ERR_OPERATION_INVALID,
                "Requested operation is not valid: domain is not paused");
    ASSERT_OK(f->drv->domainSuspend(test, &_err));
    ASSERT_FAIL(f->drv->domainSuspend(test, &_err), TERN_ERR_OPERATION_INVALID,
                "Requested operation is not valid: domain is already paused");
    ASSERT_OK(f->drv->domainResume(test, &_err));
    testAssertState(f, test, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_UNPAUSED);
}

static void
testFlagErrors(testFixture *f, gconstpointer data)
{
    g_autoptr(ternDomain) test = testLookup(f, "test");
    g_autofree char *xml = testDomainXML("vm1", VM1_UUID, 131072);
    ternDomain **doms = NULL;
    int state, reason;

    ASSERT_FAIL(f->drv->connectListAllDomains(f->conn, &doms, 1u << 20, &_err) >= 0,
                TERN_ERR_INVALID_ARG, NULL);
    g_assert_null(doms);
    ASSERT_FAIL(f->drv->domainDefineXMLFlags(f->conn, xml, 1u << 5, &_err) != NULL,
                TERN_ERR_INVALID_ARG, NULL);
    ASSERT_FAIL(f->drv->domainUndefineFlags(test, 1u << 12, &_err), TERN_ERR_INVALID_ARG, NULL);
    ASSERT_FAIL(f->drv->domainDestroyFlags(test, 1u << 3, &_err), TERN_ERR_INVALID_ARG, NULL);
    ASSERT_FAIL(f->drv->domainGetState(test, &state, &reason, 1, &_err), TERN_ERR_INVALID_ARG,
                NULL);
    ASSERT_FAIL(f->drv->domainGetXMLDesc(test, TERN_DOMAIN_XML_UPDATE_CPU, &_err) != NULL,
                TERN_ERR_INVALID_ARG, NULL);
    ASSERT_FAIL(f->drv->domainHasManagedSaveImage(test, 1, &_err) >= 0, TERN_ERR_INVALID_ARG, NULL);
    /* the accepted XML flags */
    {
        g_autofree char *x =
            testXML(f, test,
                    TERN_DOMAIN_XML_SECURE | TERN_DOMAIN_XML_MIGRATABLE | TERN_DOMAIN_XML_INACTIVE);
        g_assert_true(g_str_has_prefix(x, "<domain type='test'>"));
    }
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(ternDomain) dom =
            f->drv->domainDefineXMLFlags(f->conn, xml, TERN_DOMAIN_DEFINE_VALIDATE, &err);
        g_assert_no_error(err);
        g_assert_nonnull(dom);
    }
}

static void
testBadXML(testFixture *f, gconstpointer data)
{
    static const char *const bad[] = {
        "",
        "<domain",
        "not xml at all",
        "<domain type='qemu'><name>bad1</name><memory>1024</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><frobnicate/></domain>",
        "<domain type='xen'><name>bad2</name><memory>1024</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os></domain>",
        "<domain type='qemu'><name>bad3</name><vcpu>1</vcpu><os><type>hvm</type></os></domain>",
    };
    ternDomain **doms = NULL;
    int n;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_null(f->drv->domainDefineXMLFlags(f->conn, bad[i], 0, &err));
        g_assert_nonnull(err);
        g_test_message("refused as expected: %s", err->message);
    }
    ASSERT_FAIL(f->drv->domainDefineXMLFlags(f->conn, NULL, 0, &_err) != NULL, TERN_ERR_INVALID_ARG,
                NULL);

    /* nothing was defined */
    n = f->drv->connectListAllDomains(f->conn, &doms, 0, NULL);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(doms[0]->name, ==, "test");
    g_assert_null(doms[1]);
    ternDomainUnrefInternal(doms[0]);
    g_free(doms);
    for (int i = 1; i <= 3; i++) {
        g_autofree char *name = g_strdup_printf("bad%d", i);
        ASSERT_FAIL(f->drv->domainLookupByName(f->conn, name, &_err) != NULL, TERN_ERR_NO_DOMAIN,
                    NULL);
    }
}

static void
testEventErrors(testFixture *f, gconstpointer data)
{
    ASSERT_FAIL(f->drv->connectDomainEventRegisterAny(f->conn, NULL, TERN_DOMAIN_EVENT_ID_LAST,
                                                      TERN_DOMAIN_EVENT_CALLBACK(testRecorderCb),
                                                      NULL, NULL, &_err) >= 0,
                TERN_ERR_INVALID_ARG, "invalid argument: unsupported event ID 27");
    ASSERT_FAIL(f->drv->connectDomainEventDeregisterAny(f->conn, 12345, &_err),
                TERN_ERR_INVALID_ARG, "invalid argument: could not find event callback 12345");
}

/* --- listing --- */

/* Names of the domains listAllDomains returns for @flags, joined with ','. */
static char *
testListNames(testFixture *f, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    ternDomain **doms = NULL;
    int n = f->drv->connectListAllDomains(f->conn, &doms, flags, &err);
    int count;

    g_assert_no_error(err);
    g_assert_cmpint(n, >=, 0);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s", i ? "," : "", doms[i]->name);
        ternDomainUnrefInternal(doms[i]);
    }
    g_assert_null(doms[n]);
    g_free(doms);
    count = f->drv->connectListAllDomains(f->conn, NULL, flags, &err);
    g_assert_cmpint(count, ==, n);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
testList(testFixture *f, gconstpointer data)
{
    g_autoptr(ternDomain) off = testDefine(f, "off", VM1_UUID, 131072);
    g_autoptr(ternDomain) paused = testDefine(f, "paused", VM2_UUID, 131072);
    g_autoptr(ternDomain) trans =
        testDefine(f, "trans", "e7a5fdbd-edaf-9455-926a-d65c16db1809", 131072);
    static const struct {
        unsigned int flags;
        const char *names;
    } cases[] = {
        {0, "off,paused,test,trans"},
        {TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE,
         "off,paused,test,trans"},
        {TERN_CONNECT_LIST_DOMAINS_ACTIVE, "paused,test,trans"},
        {TERN_CONNECT_LIST_DOMAINS_INACTIVE, "off"},
        {TERN_CONNECT_LIST_DOMAINS_PERSISTENT, "off,paused,test"},
        {TERN_CONNECT_LIST_DOMAINS_TRANSIENT, "trans"},
        {TERN_CONNECT_LIST_DOMAINS_RUNNING, "test,trans"},
        {TERN_CONNECT_LIST_DOMAINS_PAUSED, "paused"},
        {TERN_CONNECT_LIST_DOMAINS_SHUTOFF, "off"},
        {TERN_CONNECT_LIST_DOMAINS_OTHER, ""},
        {TERN_CONNECT_LIST_DOMAINS_RUNNING | TERN_CONNECT_LIST_DOMAINS_PAUSED, "paused,test,trans"},
        {TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_PERSISTENT, "paused,test"},
        {TERN_CONNECT_LIST_DOMAINS_INACTIVE | TERN_CONNECT_LIST_DOMAINS_TRANSIENT, ""},
        {TERN_CONNECT_LIST_DOMAINS_PERSISTENT | TERN_CONNECT_LIST_DOMAINS_SHUTOFF, "off"},
    };

    ASSERT_OK(f->drv->domainCreateWithFlags(paused, TERN_DOMAIN_START_PAUSED, &_err));
    ASSERT_OK(f->drv->domainCreateWithFlags(trans, 0, &_err));
    ASSERT_OK(f->drv->domainUndefineFlags(trans, 0, &_err));
    (void)off;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *names = testListNames(f, cases[i].flags);
        g_test_message("flags 0x%x", cases[i].flags);
        g_assert_cmpstr(names, ==, cases[i].names);
    }
}

/* --- connections share one state --- */

static void
testSharedState(testFixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    ternConnect *other = testOpen(TERN_CONNECT_RO);
    g_autoptr(ternDomain) dom = NULL;
    g_autoptr(ternDomain) seen = NULL;
    ternTestRecorder rec = {0};
    ternTestRecorder filtered = {0};
    unsigned char uuid[TERN_UUID_BUFLEN];
    g_autofree char *events = NULL;
    g_autofree char *filteredEvents = NULL;

    ternTestRecorderInit(&rec);
    ternTestRecorderInit(&filtered);
    g_assert_true(ternUUIDParse(VM2_UUID, uuid));
    g_assert_cmpint(
        f->drv->connectDomainEventRegisterAny(other, NULL, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                              TERN_DOMAIN_EVENT_CALLBACK(testRecorderCb), &rec,
                                              ternTestRecorderFreed, &err),
        >=, 0);
    {
        /* only vm2's events */
        g_autoptr(ternDomain) filter = ternDomainNew(other, "vm2", uuid, -1);
        g_assert_cmpint(
            f->drv->connectDomainEventRegisterAny(other, filter, TERN_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  TERN_DOMAIN_EVENT_CALLBACK(testRecorderCb),
                                                  &filtered, ternTestRecorderFreed, &err),
            >=, 0);
    }
    g_assert_no_error(err);

    dom = testDefine(f, "vm1", VM1_UUID, 131072);
    seen = f->drv->domainLookupByName(other, "vm1", &err);
    g_assert_no_error(err);
    g_assert_true(seen->conn == other);
    g_assert_cmpmem(seen->uuid, TERN_UUID_BUFLEN, dom->uuid, TERN_UUID_BUFLEN);
    ternDomainUnrefInternal(testDefine(f, "vm2", VM2_UUID, 131072));

    events = testRecorderWait(&rec, 2);
    g_assert_cmpstr(events, ==, "vm1 -1 0/0|vm2 -1 0/0");
    filteredEvents = testRecorderWait(&filtered, 1);
    g_assert_cmpstr(filteredEvents, ==, "vm2 -1 0/0");

    /* closing a connection drops its callbacks (freecb) and no other's */
    g_clear_pointer(&seen, ternDomainUnrefInternal);
    ternConnectUnrefInternal(other);
    g_assert_cmpint(rec.freed, ==, 1);
    g_assert_cmpint(filtered.freed, ==, 1);
    g_assert_cmpint(f->rec.freed, ==, 0);
    ternTestRecorderClear(&rec);
    ternTestRecorderClear(&filtered);
}

/* --- many threads at once --- */

typedef struct {
    ternConnect *conn;
    int n;
    gint *failures;
} testThreadData;

static void *
testWorkerThread(void *opaque)
{
    testThreadData *d = opaque;
    const ternHypervisorDriver *drv = d->conn->driver;
    g_autofree char *name = g_strdup_printf("thr-%02d", d->n);
    g_autofree char *uuidstr = g_strdup_printf("00000000-0000-4000-8000-0000000000%02d", d->n);
    g_autofree char *xml = testDomainXML(name, uuidstr, 65536 + d->n);
    g_autofree char *sharedXML =
        testDomainXML("shared", "11111111-0000-4000-8000-000000000000", 65536);
    g_autofree char *clashXML = NULL;
    g_autofree char *clashUUID = g_strdup_printf("22222222-0000-4000-8000-0000000000%02d", d->n);

    clashXML = testDomainXML("shared", clashUUID, 65536);

    for (int round = 0; round < 20; round++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ternDomain) mine = drv->domainDefineXMLFlags(d->conn, xml, 0, &err);
        g_autoptr(ternDomain) shared = drv->domainDefineXMLFlags(d->conn, sharedXML, 0, &err);
        g_autoptr(ternDomain) test = NULL;
        g_autoptr(ternDomain) byUUID = NULL;
        ternDomain *clash;
        ternDomainInfo info;
        int n;

        if (!mine || !shared) {
            g_atomic_int_inc(d->failures);
            continue;
        }
        /* the same name with another uuid must always be refused */
        if ((clash = drv->domainDefineXMLFlags(d->conn, clashXML, 0, &err))) {
            ternDomainUnrefInternal(clash);
            g_atomic_int_inc(d->failures);
        } else if (ternErrorCodeOf(err) != TERN_ERR_OPERATION_FAILED) {
            g_atomic_int_inc(d->failures);
        }
        g_clear_error(&err);

        if (!(test = drv->domainLookupByName(d->conn, "test", &err)) ||
            !(byUUID = drv->domainLookupByUUID(d->conn, mine->uuid, &err)) ||
            strcmp(byUUID->name, name) != 0 || !drv->domainGetInfo(mine, &info, &err) ||
            info.maxMem != (unsigned long)(65536 + d->n) ||
            !drv->domainCreateWithFlags(mine, 0, &err) || mine->id < 2 ||
            !drv->domainGetInfo(test, &info, &err) || info.state != TERN_DOMAIN_RUNNING ||
            !drv->domainDestroyFlags(mine, 0, &err) ||
            (n = drv->connectListAllDomains(d->conn, NULL, 0, &err)) < 3) {
            g_test_message("thread %d: %s", d->n, err ? err->message : "wrong answer");
            g_atomic_int_inc(d->failures);
        }
    }
    return NULL;
}

static void
testThreads(testFixture *f, gconstpointer data)
{
    enum { NTHREADS = 50 };
    GThread *threads[NTHREADS];
    testThreadData td[NTHREADS];
    ternConnect *second = testOpen(0);
    gint failures = 0;
    g_autofree char *names = NULL;

    for (int i = 0; i < NTHREADS; i++) {
        td[i] = (testThreadData){i % 2 ? second : f->conn, i, &failures};
        threads[i] = g_thread_new("test-worker", testWorkerThread, &td[i]);
    }
    for (int i = 0; i < NTHREADS; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(failures, ==, 0);

    g_assert_cmpint(f->drv->connectListAllDomains(f->conn, NULL, 0, NULL), ==, NTHREADS + 2);
    g_assert_cmpint(
        f->drv->connectListAllDomains(f->conn, NULL, TERN_CONNECT_LIST_DOMAINS_ACTIVE, NULL), ==,
        1);
    ternConnectUnrefInternal(second);

    /* 50 threads x 20 rounds x (define, define shared, start, stop), plus the test domain's */
    names = testRecorderWait(&f->rec, NTHREADS * 20 * 4);
    g_assert_cmpuint(f->rec.seen->len, ==, NTHREADS * 20 * 4);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    testRegister();

#define ADD(path, fn) g_test_add(path, testFixture, NULL, testFixtureSetup, fn, testFixtureTeardown)
    g_test_add_func("/test-driver/open/uris", testOpenURIs);
    ADD("/test-driver/connect/info", testConnectInfo);
    ADD("/test-driver/domain/default", testDefaultDomain);
    ADD("/test-driver/domain/lifecycle", testLifecycle);
    ADD("/test-driver/domain/start-paused", testStartPaused);
    ADD("/test-driver/domain/redefine", testRedefine);
    ADD("/test-driver/domain/transient", testTransient);
    ADD("/test-driver/errors/unknown-domain", testUnknownDomain);
    ADD("/test-driver/errors/state", testStateErrors);
    ADD("/test-driver/errors/flags", testFlagErrors);
    ADD("/test-driver/errors/bad-xml", testBadXML);
    ADD("/test-driver/errors/events", testEventErrors);
    ADD("/test-driver/list", testList);
    ADD("/test-driver/shared-state", testSharedState);
    ADD("/test-driver/threads", testThreads);
#undef ADD
    return g_test_run();
}
