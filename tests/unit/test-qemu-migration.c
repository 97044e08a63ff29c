/* test-qemu-migration.c: the QEMU driver's migration checks, phases and their status file */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "qemu/qemu_migration.h"
#include "qemu/qemu_status.h"
#include "tern/tern.h"
#include "util/ternerror.h"
#include "util/terntypedparam.h"

/* One call of the check: flags, up to three parameters, and the expected outcome. */
typedef struct {
    const char *name;
    unsigned int flags;
    struct {
        const char *field;
        int type;
        const char *s;
        unsigned long long u;
        int i;
    } params[3];
    int code;            /* 0: accepted */
    const char *message; /* exact message when refused */
} testArgsCase;

#define P_STR(f, v) {f, TERN_TYPED_PARAM_STRING, v, 0, 0}
#define P_ULL(f, v) {f, TERN_TYPED_PARAM_ULLONG, NULL, v, 0}
#define P_INT(f, v) {f, TERN_TYPED_PARAM_INT, NULL, 0, v}

static const testArgsCase testArgsCases[] = {
    {"live", TERN_MIGRATE_LIVE, {{0}}, 0, NULL},
    {"live-all-flags",
     TERN_MIGRATE_LIVE | TERN_MIGRATE_PERSIST_DEST | TERN_MIGRATE_UNDEFINE_SOURCE |
         TERN_MIGRATE_PAUSED | TERN_MIGRATE_CHANGE_PROTECTION | TERN_MIGRATE_ABORT_ON_ERROR |
         TERN_MIGRATE_AUTO_CONVERGE | TERN_MIGRATE_POSTCOPY | TERN_MIGRATE_PARALLEL,
     {P_INT("parallel.connections", 4), P_INT("auto_converge.initial", 20),
      P_ULL("bandwidth", 100)},
     0, NULL},
    {"offline-persistent", TERN_MIGRATE_OFFLINE | TERN_MIGRATE_PERSIST_DEST, {{0}}, 0, NULL},
    {"compressed-mt", TERN_MIGRATE_LIVE | TERN_MIGRATE_COMPRESSED,
     {P_STR("compression", "mt"), P_INT("compression.mt.level", 9)}, 0, NULL},
    {"uri-tcp", TERN_MIGRATE_LIVE, {P_STR("migrate_uri", "tcp:192.0.2.2:49152")}, 0, NULL},
    {"uri-tcp-slashes", TERN_MIGRATE_LIVE, {P_STR("migrate_uri", "tcp://host-b:49152")}, 0,
     NULL},
    {"listen-v6", TERN_MIGRATE_LIVE, {P_STR("listen_address", "::1")}, 0, NULL},

    {"unknown-flag", TERN_MIGRATE_LIVE | (1U << 25), {{0}}, TERN_ERR_INVALID_ARG,
     "invalid argument: unsupported flags (0x2000000) in function qemuDomainMigrate"},
    {"tunnelled-without-p2p", TERN_MIGRATE_LIVE | TERN_MIGRATE_TUNNELLED, {{0}},
     TERN_ERR_INVALID_ARG,
     "invalid argument: TUNNELLED migration needs PEER2PEER: the daemons carry the data"},
    {"p2p-tunnelled", TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_TUNNELLED, {{0}}, 0,
     NULL},
    {"tunnelled-parallel",
     TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_TUNNELLED | TERN_MIGRATE_PARALLEL,
     {{0}}, TERN_ERR_INVALID_ARG,
     "invalid argument: TUNNELLED and PARALLEL cannot be combined: the tunnel is one stream"},
    {"tunnelled-postcopy",
     TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_TUNNELLED | TERN_MIGRATE_POSTCOPY,
     {{0}}, TERN_ERR_INVALID_ARG,
     "invalid argument: TUNNELLED and POSTCOPY cannot be combined: post-copy needs QEMU's return "
     "path"},
    {"storage", TERN_MIGRATE_LIVE | TERN_MIGRATE_NON_SHARED_DISK, {{0}},
     TERN_ERR_ARGUMENT_UNSUPPORTED,
     "argument unsupported: storage migration (NON_SHARED_DISK) is not supported: disks must be "
     "on shared storage"},
    {"live-offline", TERN_MIGRATE_LIVE | TERN_MIGRATE_OFFLINE | TERN_MIGRATE_PERSIST_DEST, {{0}},
     TERN_ERR_INVALID_ARG, "invalid argument: LIVE and OFFLINE are mutually exclusive"},
    {"offline-transient", TERN_MIGRATE_OFFLINE, {{0}}, TERN_ERR_INVALID_ARG,
     "invalid argument: offline migration requires PERSIST_DEST (--persistent)"},
    {"parallel-compressed", TERN_MIGRATE_LIVE | TERN_MIGRATE_PARALLEL | TERN_MIGRATE_COMPRESSED,
     {{0}}, TERN_ERR_INVALID_ARG,
     "invalid argument: PARALLEL (multifd) and COMPRESSED cannot be combined in QEMU 7.2"},
    {"secure", TERN_MIGRATE_LIVE | TERN_MIGRATE_SECURE, {{0}}, TERN_ERR_ARGUMENT_UNSUPPORTED,
     "argument unsupported: SECURE migration needs an encrypted migration channel; QEMU's "
     "native channel is plain TCP and TLS is not configured on this host"},
    {"unknown-param", TERN_MIGRATE_LIVE, {P_STR("migrate_disks", "vda")},
     TERN_ERR_ARGUMENT_UNSUPPORTED, "argument unsupported: parameter 'migrate_disks' not supported"},
    {"wrong-type", TERN_MIGRATE_LIVE, {P_STR("bandwidth", "100")}, TERN_ERR_INVALID_ARG,
     "invalid argument: invalid type 'string' for parameter 'bandwidth', expected 'ullong'"},
    {"uri-unix", TERN_MIGRATE_LIVE, {P_STR("migrate_uri", "unix:/tmp/sock")},
     TERN_ERR_INVALID_ARG,
     "invalid argument: migration URI 'unix:/tmp/sock' is not supported: use tcp:HOST:PORT"},
    {"uri-no-port", TERN_MIGRATE_LIVE, {P_STR("migrate_uri", "tcp:host")}, TERN_ERR_INVALID_ARG,
     "invalid argument: migration URI 'tcp:host' is not supported: use tcp:HOST:PORT"},
    {"uri-port-zero", TERN_MIGRATE_LIVE, {P_STR("migrate_uri", "tcp:host:0")},
     TERN_ERR_INVALID_ARG,
     "invalid argument: migration URI 'tcp:host:0' is not supported: use tcp:HOST:PORT"},
    {"listen-name", TERN_MIGRATE_LIVE, {P_STR("listen_address", "host-b")}, TERN_ERR_INVALID_ARG,
     "invalid argument: listen_address 'host-b' is not an IPv4 or IPv6 address"},
    {"dname-slash", TERN_MIGRATE_LIVE, {P_STR("destination_name", "a/b")}, -1, NULL},
    {"parallel-without-flag", TERN_MIGRATE_LIVE, {P_INT("parallel.connections", 4)},
     TERN_ERR_INVALID_ARG,
     "invalid argument: parallel.connections needs the PARALLEL flag (--parallel)"},
    {"parallel-range", TERN_MIGRATE_LIVE | TERN_MIGRATE_PARALLEL,
     {P_INT("parallel.connections", 256)}, TERN_ERR_INVALID_ARG,
     "invalid argument: parameter 'parallel.connections' must be within 1..255, not 256"},
    {"auto-converge-without-flag", TERN_MIGRATE_LIVE, {P_INT("auto_converge.increment", 10)},
     TERN_ERR_INVALID_ARG,
     "invalid argument: auto_converge.* parameters need the AUTO_CONVERGE flag "
     "(--auto-converge)"},
    {"compression-unknown", TERN_MIGRATE_LIVE | TERN_MIGRATE_COMPRESSED,
     {P_STR("compression", "zstd")}, TERN_ERR_INVALID_ARG,
     "invalid argument: unknown compression method 'zstd': use 'xbzrle' or 'mt'"},
    {"compression-without-flag", TERN_MIGRATE_LIVE, {P_STR("compression", "xbzrle")},
     TERN_ERR_INVALID_ARG,
     "invalid argument: compression methods need the COMPRESSED flag (--compressed)"},
    {"bandwidth-huge", TERN_MIGRATE_LIVE, {P_ULL("bandwidth", G_MAXUINT64)}, TERN_ERR_OVERFLOW,
     NULL},
};

static void
testArgs(gconstpointer opaque)
{
    const testArgsCase *c = opaque;
    ternTypedParameter *params = NULL;
    int n = 0, max = 0;
    g_autoptr(GError) err = NULL;
    bool ok;

    for (size_t i = 0; i < G_N_ELEMENTS(c->params) && c->params[i].field; i++) {
        ternTypedParameter *p = ternTypedParamsAppend(&params, &n, &max, c->params[i].field,
                                                      c->params[i].type, NULL);
        g_assert_nonnull(p);
        if (c->params[i].type == TERN_TYPED_PARAM_STRING)
            p->value.s = g_strdup(c->params[i].s);
        else if (c->params[i].type == TERN_TYPED_PARAM_ULLONG)
            p->value.ul = c->params[i].u;
        else
            p->value.i = c->params[i].i;
    }
    ok = qemuMigrationCheckArgs(params, n, c->flags, &err);
    if (c->code == 0) {
        g_assert_no_error(err);
        g_assert_true(ok);
    } else {
        g_assert_false(ok);
        g_assert_nonnull(err);
        if (c->code > 0)
            g_assert_cmpint(ternErrorCodeOf(err), ==, c->code);
        if (c->message)
            g_assert_cmpstr(err->message, ==, c->message);
    }
    ternTypedParamsFree(params, n);
}

static void
testPhaseNames(void)
{
    for (int phase = 0; phase < QEMU_MIGRATION_PHASE_LAST; phase++) {
        const char *name = qemuMigrationPhaseToString(phase);
        g_assert_nonnull(name);
        g_assert_cmpint(qemuMigrationPhaseFromString(name), ==, phase);
    }
    g_assert_null(qemuMigrationPhaseToString(QEMU_MIGRATION_PHASE_LAST));
    g_assert_null(qemuMigrationPhaseToString(-1));
    g_assert_cmpint(qemuMigrationPhaseFromString("perform4"), ==, -1);
    g_assert_cmpint(qemuMigrationPhaseFromString(NULL), ==, -1);
    g_assert_cmpstr(qemuMigrationPhaseToString(QEMU_MIGRATION_PHASE_PERFORM3_DONE), ==,
                    "perform3_done");
}

/* a status file keeps the phase a restarted daemon must undo */
static void
testStatusPhase(void)
{
    g_autofree char *dir = g_dir_make_tmp("tern-status-XXXXXX", NULL);
    qemuStatus st = {
        .pid = 4242,
        .id = 7,
        .state = TERN_DOMAIN_PAUSED,
        .reason = TERN_DOMAIN_PAUSED_MIGRATION,
        .monitorPath = (char *)"/run/tern/qemu/vm.monitor",
        .startedRealUs = 1,
        .migrationPhase = QEMU_MIGRATION_PHASE_PERFORM3,
        .migrationIncoming = false,
    };
    g_auto(qemuStatus) back = {0};
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    g_autoptr(GError) err = NULL;
    char *p;

    g_assert_nonnull(dir);
    g_assert_true(qemuStatusWrite(dir, "vm", &st, "<domain/>", &err));
    g_assert_true(qemuStatusRead(dir, "vm", &back, &xml, &err));
    g_assert_no_error(err);
    g_assert_cmpint(back.migrationPhase, ==, QEMU_MIGRATION_PHASE_PERFORM3);
    g_assert_false(back.migrationIncoming);
    qemuStatusClear(&back);
    g_clear_pointer(&xml, g_free);

    st.migrationPhase = QEMU_MIGRATION_PHASE_PREPARE;
    st.migrationIncoming = true;
    g_assert_true(qemuStatusWrite(dir, "vm", &st, "<domain/>", &err));
    g_assert_true(qemuStatusRead(dir, "vm", &back, &xml, &err));
    g_assert_cmpint(back.migrationPhase, ==, QEMU_MIGRATION_PHASE_PREPARE);
    g_assert_true(back.migrationIncoming);
    qemuStatusClear(&back);
    g_clear_pointer(&xml, g_free);

    /* no migration: no keys, phase none */
    st.migrationPhase = QEMU_MIGRATION_PHASE_NONE;
    g_assert_true(qemuStatusWrite(dir, "vm", &st, "<domain/>", &err));
    path = g_build_filename(dir, "vm.status", NULL);
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_null(strstr(data, "migration"));
    g_assert_true(qemuStatusRead(dir, "vm", &back, &xml, &err));
    g_assert_cmpint(back.migrationPhase, ==, QEMU_MIGRATION_PHASE_NONE);
    qemuStatusClear(&back);
    g_clear_pointer(&xml, g_free);
    g_clear_pointer(&data, g_free);

    /* a phase this ternd does not know: refused, not guessed */
    st.migrationPhase = QEMU_MIGRATION_PHASE_CONFIRM3;
    g_assert_true(qemuStatusWrite(dir, "vm", &st, "<domain/>", &err));
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_nonnull((p = strstr(data, "confirm3")));
    memcpy(p, "confirm9", 8);
    g_assert_true(g_file_set_contents(path, data, -1, NULL));
    g_assert_false(qemuStatusRead(dir, "vm", &back, &xml, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "unknown migration phase"));

    qemuStatusRemove(dir, "vm");
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(testArgsCases); i++) {
        g_autofree char *name = g_strdup_printf("/qemu/migration/args/%s", testArgsCases[i].name);
        g_test_add_data_func(name, &testArgsCases[i], testArgs);
    }
    g_test_add_func("/qemu/migration/phase-names", testPhaseNames);
    g_test_add_func("/qemu/migration/status-phase", testStatusPhase);
    return g_test_run();
}
