/* ternd.c: the tern daemon: options, directories, host identity, listeners, main loop */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib-unix.h>

#include "daemon/ternd_config.h"
#include "qemu/qemu_driver.h"
#include "remote/remote_dispatch.h"
#include "remote/remote_driver.h"
#include "rpc/ternnetserver.h"
#include "test/test_driver.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/ternutil.h"

typedef struct {
    char *root;       /* "" for the real root */
    char *configFile; /* explicit --config, or NULL */
    gboolean listen;
    gboolean verbose;
    gboolean configTest;
    gboolean version;
} daemonOptions;

typedef struct {
    char *configFile;
    char *stateDir;
    char *runDir;
    char *sockRW;
    char *sockRO;
    char *pidFile;
} daemonPaths;

static void
daemonPathsClear(daemonPaths *p)
{
    g_free(p->configFile);
    g_free(p->stateDir);
    g_free(p->runDir);
    g_free(p->sockRW);
    g_free(p->sockRO);
    g_free(p->pidFile);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(daemonPaths, daemonPathsClear)

static void
daemonPathsInit(daemonPaths *p, const daemonOptions *opts, const terndConfig *cfg)
{
    const char *root = opts->root ? opts->root : "";

    p->configFile = opts->configFile ? g_strdup(opts->configFile)
                                     : g_strdup_printf("%s/etc/tern/ternd.conf", root);
    p->stateDir = g_strdup_printf("%s/var/lib/tern", root);
    p->runDir = g_strdup_printf("%s/run/tern", root);
    if (cfg) {
        const char *sockDir = cfg->unix_sock_dir ? cfg->unix_sock_dir : p->runDir;
        p->sockRW = g_build_filename(sockDir, "tern-sock", NULL);
        p->sockRO = g_build_filename(sockDir, "tern-sock-ro", NULL);
    }
    p->pidFile = g_build_filename(p->runDir, "ternd.pid", NULL);
}

/* The host UUID: ternd.conf's host_uuid, else the one generated on first start. */
static bool
daemonHostUUIDLoad(const terndConfig *cfg, const char *stateDir, unsigned char *uuid,
                   GError **error)
{
    g_autofree char *path = g_build_filename(stateDir, "host-uuid", NULL);
    g_autofree char *text = NULL;
    char buf[TERN_UUID_STR_LEN];

    if (cfg->host_uuid) {
        /* validated by terndConfigValidate */
        return ternUUIDParse(cfg->host_uuid, uuid);
    }
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_strstrip(text);
        if (ternUUIDParse(text, uuid))
            return true;
        ternErrorSet(error, TERN_FROM_CONF, TERN_ERR_CONF_SYNTAX,
                     "'%s' does not hold a UUID; remove it to generate a new one", path);
        return false;
    }
    ternUUIDGenerate(uuid);
    ternUUIDFormat(uuid, buf);
    g_autofree char *line = g_strdup_printf("%s\n", buf);
    return ternFileWriteAtomic(path, line, strlen(line), 0644, error);
}

/* One daemon per root: hold a lock on the pid file for our lifetime. */
static int
daemonPidFileAcquire(const char *path, GError **error)
{
    TERN_AUTOCLOSE fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());

    if (fd < 0) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot open pid file '%s'", path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        ternErrorSet(error, TERN_FROM_NONE, TERN_ERR_OPERATION_FAILED,
                     "another ternd is running with pid file '%s'", path);
        return -1;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot write pid file '%s'", path);
        return -1;
    }
    return g_steal_fd(&fd);
}

static bool
daemonCheckAuth(const terndConfig *cfg, bool tcp, const char *configFile, GError **error)
{
    /* SASL and polkit come later; refuse rather than silently serve unauthenticated */
    const struct {
        const char *key;
        const char *value;
        bool used;
    } checks[] = {
        {"auth_unix_rw", cfg->auth_unix_rw, true},
        {"auth_unix_ro", cfg->auth_unix_ro, true},
        {"auth_tcp", cfg->auth_tcp, tcp},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
        if (checks[i].used && checks[i].value && !g_str_equal(checks[i].value, "none")) {
            ternErrorSet(error, TERN_FROM_CONF, TERN_ERR_CONFIG_UNSUPPORTED,
                         "%s = \"%s\" is not supported by this ternd yet; set %s = \"none\" in "
                         "'%s' to allow unauthenticated access%s",
                         checks[i].key, checks[i].value, checks[i].key, configFile,
                         tcp ? " (only on trusted networks)" : "");
            return false;
        }
    }
    if (cfg->listen_tls) {
        ternErrorSet(error, TERN_FROM_CONF, TERN_ERR_CONFIG_UNSUPPORTED,
                     "listen_tls = 1 is not supported by this ternd yet (in '%s')", configFile);
        return false;
    }
    return true;
}

static gboolean
daemonQuit(gpointer opaque)
{
    TERN_INFO("received a termination signal: shutting down");
    g_main_loop_quit(opaque);
    return G_SOURCE_CONTINUE;
}

static int
daemonRun(const daemonOptions *opts)
{
    g_autoptr(terndConfig) cfg = terndConfigNew();
    g_auto(daemonPaths) paths = {0};
    g_autoptr(GError) err = NULL;
    g_autoptr(GMainLoop) loop = NULL;
    ternNetServer *srv = NULL;
    TERN_AUTOCLOSE pidfd = -1;
    unsigned char hostUUID[TERN_UUID_RAW_LEN];
    char hostUUIDStr[TERN_UUID_STR_LEN];
    bool tcp;

    daemonPathsInit(&paths, opts, NULL);
    if (opts->configFile || g_file_test(paths.configFile, G_FILE_TEST_EXISTS)) {
        if (!terndConfigLoadFile(cfg, paths.configFile, &err))
            goto fail;
    }
    if (!terndConfigValidate(cfg, &err))
        goto fail;
    daemonPathsClear(&paths);
    daemonPathsInit(&paths, opts, cfg);

    if (opts->configTest) {
        g_autofree char *text = terndConfigFormat(cfg);
        fputs(text, stdout);
        return EXIT_SUCCESS;
    }

    ternLogSetLevel(opts->verbose && cfg->log_level > TERN_LOG_INFO ? TERN_LOG_INFO
                                                                    : cfg->log_level);
    tcp = opts->listen || cfg->listen_tcp;
    if (!daemonCheckAuth(cfg, tcp, paths.configFile, &err))
        goto fail;

    if (!ternMakeDirs(paths.stateDir, 0755, &err) || !ternMakeDirs(paths.runDir, 0755, &err))
        goto fail;
    {
        g_autofree char *sockDir = g_path_get_dirname(paths.sockRW);
        if (!ternMakeDirs(sockDir, 0755, &err))
            goto fail;
    }
    if ((pidfd = daemonPidFileAcquire(paths.pidFile, &err)) < 0)
        goto fail;
    if (!daemonHostUUIDLoad(cfg, paths.stateDir, hostUUID, &err))
        goto fail;
    ternUUIDFormat(hostUUID, hostUUIDStr);

    {
        qemuDriverConfig *qcfg = qemuDriverConfigNew(opts->root);
        memcpy(qcfg->hostUUID, hostUUID, sizeof(hostUUID));
        qcfg->migrationPortMin = cfg->migration_port_min;
        qcfg->migrationPortMax = cfg->migration_port_max;
        qcfg->migrationAddress = g_strdup(cfg->migration_address);
        qcfg->migrationHost = g_strdup(cfg->migration_host);
        qcfg->peerKeepaliveInterval = cfg->keepalive_interval;
        qcfg->peerKeepaliveCount = cfg->keepalive_count;
        if (!qemuDriverInitialize(qcfg, &err))
            goto fail;
    }
    testRegister();
    qemuRegister();
    /* peer-to-peer migration reaches other daemons with the remote driver */
    ternDriverSetPeer(remoteDriverGet());
    remoteDispatchConfigure(&(remoteDispatchConfig){
        .defaultURI = "qemu:///system",
        .unixSecure = true,
    });

    ternNetServerConfig scfg = {
        .maxClients = (unsigned)cfg->max_clients,
        .minWorkers = (unsigned)cfg->min_workers,
        .maxWorkers = (unsigned)cfg->max_workers,
        .maxClientRequests = (unsigned)cfg->max_client_requests,
        .keepaliveInterval = cfg->keepalive_interval,
        .keepaliveCount = (unsigned)cfg->keepalive_count,
    };
    if (!(srv = ternNetServerNew(&scfg, NULL, &remoteClientHooks, &err)))
        goto fail;
    ternNetServerAddProgram(srv, &remoteProgram);
    if (!ternNetServerAddListenerUNIX(srv, paths.sockRW, (unsigned)cfg->unix_sock_rw_perms, false,
                                      &err) ||
        !ternNetServerAddListenerUNIX(srv, paths.sockRO, (unsigned)cfg->unix_sock_ro_perms, true,
                                      &err))
        goto fail;
    if (tcp && !ternNetServerAddListenerTCP(srv, cfg->listen_addr, cfg->tcp_port, &err))
        goto fail;

    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, daemonQuit, loop);
    g_unix_signal_add(SIGINT, daemonQuit, loop);
    TERN_INFO("ternd %s ready: socket %s, host uuid %s%s", TERN_VERSION, paths.sockRW,
              hostUUIDStr, tcp ? ", TCP enabled" : "");
    g_main_loop_run(loop);

    ternNetServerShutdown(srv);
    ternNetServerFree(srv);
    qemuDriverShutdown(); /* the guests keep running; a new ternd re-attaches */
    unlink(paths.pidFile);
    return EXIT_SUCCESS;

 fail:
    if (srv) {
        ternNetServerShutdown(srv);
        ternNetServerFree(srv);
    }
    qemuDriverShutdown();
    fprintf(stderr, "ternd: %s\n", err ? err->message : "unknown error");
    return EXIT_FAILURE;
}

int
main(int argc, char **argv)
{
    daemonOptions opts = {0};
    g_autoptr(GError) err = NULL;
    g_autoptr(GOptionContext) ctx = NULL;
    GOptionEntry entries[] = {
        {"root", 0, 0, G_OPTION_ARG_FILENAME, &opts.root,
         "Relocate every file under DIR (DIR/etc/tern, DIR/var/lib/tern, DIR/run/tern)", "DIR"},
        {"config", 'f', 0, G_OPTION_ARG_FILENAME, &opts.configFile,
         "Configuration file (default ROOT/etc/tern/ternd.conf)", "FILE"},
        {"listen", 'l', 0, G_OPTION_ARG_NONE, &opts.listen,
         "Listen for TCP connections (also listen_tcp = 1)", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opts.verbose, "Log informational messages", NULL},
        {"config-test", 't', 0, G_OPTION_ARG_NONE, &opts.configTest,
         "Check the configuration, print it with defaults filled in, and exit", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &opts.version, "Print the version and exit", NULL},
        {NULL},
    };
    int rc;

    ternLogSetProgram("ternd");
    signal(SIGPIPE, SIG_IGN);

    ctx = g_option_context_new("- the tern virtualization daemon");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "ternd: %s (see ternd --help)\n", err->message);
        return EXIT_FAILURE;
    }
    if (argc > 1) {
        fprintf(stderr, "ternd: unexpected argument '%s' (see ternd --help)\n", argv[1]);
        return EXIT_FAILURE;
    }
    if (opts.version) {
        printf("ternd (tern) %s\n", TERN_VERSION);
        return EXIT_SUCCESS;
    }
    if (opts.root) {
        g_autofree char *abs = g_canonicalize_filename(opts.root, NULL);
        if (g_str_equal(abs, "/"))
            abs[0] = '\0';
        g_free(opts.root);
        opts.root = g_steal_pointer(&abs);
    }

    rc = daemonRun(&opts);
    g_free(opts.root);
    g_free(opts.configFile);
    return rc;
}
