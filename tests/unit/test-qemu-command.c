/* test-qemu-command.c: domain XML → QEMU argv against tests/data/qemuxml2argv, and real QEMU */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "util/ternerror.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "testutils.h"

/*
 * Positive cases: NAME.xml (or the case's xml) built with the case's
 * options must give NAME.args, one argument per line. Negative cases are
 * the directory listing: fail-NAME.xml must be refused with exactly the
 * message in fail-NAME.err.
 *
 * Cases marked real are also started by qemu-system-x86_64 itself (test
 * paths /qemu/real/NAME): the def's host paths are moved into a temporary
 * directory (disk images made with qemu-img, listeners for the chardevs
 * QEMU connects to, free ports), QEMU starts paused with the generated
 * argv, and the test talks QMP to it: qmp_capabilities, then quit. QEMU
 * must have accepted every option (greeting reached, exit status 0,
 * nothing saying "error" on stderr). Skipped without qemu-system-x86_64 or
 * qemu-img; kvm cases only run with TERN_TEST_QEMU_KVM=1, because a KVM
 * that cannot run guests (machine-notes.md) fails them for reasons of its
 * own.
 */
typedef struct {
    const char *name;
    const char *xml;      /* input file stem; NULL: name */
    const char *incoming; /* qemuCommandOptions.incomingURI */
    const char *emulator; /* qemuCommandOptions.emulator */
    bool real;
} testQemuCase;

static const testQemuCase testQemuCases[] = {
    {"test-guest", NULL, NULL, NULL, true},
    {"migrate-incoming-defer", "test-guest", "defer", NULL, true},
    {"migrate-incoming-tcp", "test-guest", "tcp:192.0.2.2:49152", NULL, false},
    {"kvm", NULL, NULL, NULL, true},
    {"disks-virtio", NULL, NULL, NULL, true},
    {"disks-sata", NULL, NULL, NULL, true},
    {"disks-ide", NULL, NULL, NULL, true},
    {"boot-order", NULL, NULL, NULL, true},
    {"cdrom-boot", NULL, NULL, NULL, true},
    {"chardev-pty", NULL, NULL, NULL, true},
    {"chardev-file", NULL, NULL, NULL, true},
    {"chardev-unix", NULL, NULL, NULL, true},
    {"chardev-tcp", NULL, NULL, NULL, true},
    {"consoles", NULL, NULL, NULL, true},
    {"channels", NULL, NULL, NULL, true},
    {"vnc-port", NULL, NULL, NULL, true},
    {"vnc-autoport", NULL, NULL, NULL, true},
    {"vnc-passwd", NULL, NULL, NULL, true},
    {"vnc-live-port", NULL, NULL, NULL, true},
    {"rng-balloon", NULL, NULL, NULL, true},
    {"cpu-host-model", NULL, NULL, NULL, true},
    {"cpu-host-model-kvm", NULL, NULL, NULL, true},
    {"cpu-host-passthrough", NULL, NULL, NULL, true},
    {"cpu-custom", NULL, NULL, NULL, true},
    {"lifecycle-no-reboot", NULL, NULL, NULL, true},
    {"net-user", NULL, NULL, NULL, true},
    {"vcpu-current", NULL, NULL, NULL, true},
    {"escaping", NULL, NULL, "/opt/qemu,7.2/bin/qemu-system-x86_64", true},
};

static char *
testQemuDataPath(const char *file)
{
    return ternTestDataPath("qemuxml2argv", file, NULL);
}

static ternDomainDef *
testQemuParse(const char *stem)
{
    g_autofree char *file = g_strdup_printf("%s.xml", stem);
    g_autofree char *path = testQemuDataPath(file);
    g_autoptr(GError) err = NULL;
    ternDomainDef *def = ternDomainDefParseFile(path, 0, &err);

    g_assert_no_error(err);
    return def;
}

/* The options of the goldens: fixed paths under /run/tern/qemu. */
static void
testQemuOptions(const testQemuCase *tc, qemuCommandOptions *opts, char **monitor, char **pidfile)
{
    *monitor = g_strdup_printf("/run/tern/qemu/%s.monitor", tc->name);
    *pidfile = g_strdup_printf("/run/tern/qemu/%s.pid", tc->name);
    *opts = (qemuCommandOptions){
        .emulator = tc->emulator,
        .monitorPath = *monitor,
        .pidfile = *pidfile,
        .logDir = "/var/log/tern/qemu",
        .incomingURI = tc->incoming,
        .libDir = "/var/lib/tern/qemu",
    };
}

static void
testQemuArgv(gconstpointer opaque)
{
    const testQemuCase *tc = opaque;
    g_autofree char *outFile = g_strdup_printf("%s.args", tc->name);
    g_autofree char *outPath = testQemuDataPath(outFile);
    g_autoptr(ternDomainDef) def = testQemuParse(tc->xml ? tc->xml : tc->name);
    g_autoptr(ternDomainDef) copy = NULL;
    g_autofree char *monitor = NULL;
    g_autofree char *pidfile = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GPtrArray) again = NULL;
    g_autofree char *text = NULL;
    g_autofree char *textAgain = NULL;
    qemuCommandOptions opts;

    testQemuOptions(tc, &opts, &monitor, &pidfile);
    argv = qemuBuildCommandLine(def, &opts, &err);
    g_assert_no_error(err);
    g_assert_nonnull(argv);
    /* NULL-terminated, ready for execv */
    g_assert_null(argv->pdata[argv->len]);
    text = qemuCommandLineFormat(argv);
    if (!ternTestCompareToFile(text, outPath))
        g_test_fail();

    /* deterministic: a copy of the def gives the same argv */
    copy = ternDomainDefCopy(def);
    g_assert_nonnull(copy);
    again = qemuBuildCommandLine(copy, &opts, &err);
    g_assert_no_error(err);
    textAgain = qemuCommandLineFormat(again);
    g_assert_cmpstr(textAgain, ==, text);
}

static void
testQemuArgvFail(gconstpointer opaque)
{
    const char *name = opaque;
    g_autofree char *errFile = g_strdup_printf("%s.err", name);
    g_autofree char *errPath = testQemuDataPath(errFile);
    g_autoptr(ternDomainDef) def = testQemuParse(name);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    qemuCommandOptions opts = {.monitorPath = "/run/tern/qemu/fail.monitor"};

    argv = qemuBuildCommandLine(def, &opts, &err);
    if (argv) {
        g_autofree char *text = qemuCommandLineFormat(argv);

        g_test_message("'%s' was accepted as:\n%s", name, text);
        g_test_fail();
        return;
    }
    g_assert_error(err, ternErrorQuark(TERN_FROM_QEMU), TERN_ERR_CONFIG_UNSUPPORTED);
    if (!ternTestCompareErrorToFile(err, errPath))
        g_test_fail();
}

/* Bad options are the caller's mistake: TERN_ERR_INVALID_ARG, naming the option. */
static void
testQemuOptionsBad(void)
{
    static const struct {
        qemuCommandOptions opts;
        const char *message;
    } cases[] = {
        {{.monitorPath = NULL},
         "invalid argument: the QMP monitor needs an absolute socket path, got '(none)'"},
        {{.monitorPath = "monitor.sock"},
         "invalid argument: the QMP monitor needs an absolute socket path, got 'monitor.sock'"},
        {{.monitorPath = "/m", .pidfile = "q.pid"},
         "invalid argument: the pid file needs an absolute path, got 'q.pid'"},
        {{.monitorPath = "/m", .incomingURI = ""},
         "invalid argument: the incoming migration URI is empty; pass NULL or e.g. 'defer'"},
        {{.monitorPath = "/m", .emulator = "qemu-system-x86_64"},
         "invalid argument: the default emulator needs an absolute path, got 'qemu-system-x86_64'"},
    };
    g_autoptr(ternDomainDef) def = testQemuParse("test-guest");

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GPtrArray) argv = qemuBuildCommandLine(def, &cases[i].opts, &err);

        g_assert_null(argv);
        g_assert_error(err, ternErrorQuark(TERN_FROM_QEMU), TERN_ERR_INVALID_ARG);
        g_assert_cmpstr(err->message, ==, cases[i].message);
    }
}

/* A def edited in code into something invalid is refused before any argv is built. */
static void
testQemuInvalidDef(void)
{
    g_autoptr(ternDomainDef) def = testQemuParse("disks-virtio");
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    qemuCommandOptions opts = {.monitorPath = "/m"};

    def->disks[0]->cache = TERN_DOMAIN_DISK_CACHE_LAST;
    argv = qemuBuildCommandLine(def, &opts, &err);
    g_assert_null(argv);
    g_assert_nonnull(err);
    g_clear_error(&err);

    def->disks[0]->cache = TERN_DOMAIN_DISK_CACHE_NONE;
    g_free(def->disks[1]->dst);
    def->disks[1]->dst = g_strdup("vda");
    argv = qemuBuildCommandLine(def, &opts, &err);
    g_assert_null(argv);
    g_assert_nonnull(err);
}

/* One argument per line, whatever the arguments hold. */
static void
testQemuFormat(void)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated(4, g_free, TRUE);
    g_autofree char *text = NULL;

    g_ptr_array_add(argv, g_strdup("/usr/bin/qemu-system-x86_64"));
    g_ptr_array_add(argv, g_strdup("two\nlines"));
    g_ptr_array_add(argv, g_strdup("C:\\tab\there\x01"));
    g_ptr_array_add(argv, g_strdup(""));
    text = qemuCommandLineFormat(argv);
    g_assert_cmpstr(text, ==,
                    "/usr/bin/qemu-system-x86_64\n"
                    "two\\nlines\n"
                    "C:\\\\tab\\there\\x01\n"
                    "\n");
}

static void
testQemuChrId(void)
{
    g_autofree char *serial = qemuCommandChrId(TERN_DOMAIN_CHR_DEVICE_SERIAL, 0);
    g_autofree char *console = qemuCommandChrId(TERN_DOMAIN_CHR_DEVICE_CONSOLE, 3);
    g_autofree char *channel = qemuCommandChrId(TERN_DOMAIN_CHR_DEVICE_CHANNEL, 12);

    g_assert_cmpstr(serial, ==, "charserial0");
    g_assert_cmpstr(console, ==, "charconsole3");
    g_assert_cmpstr(channel, ==, "charchannel12");
}

/* --- real QEMU --- */

#define TEST_REAL_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define TEST_REAL_EXIT_GRACE_US (2 * G_USEC_PER_SEC)
#define TEST_REAL_IMAGE_SIZE "16M"

/* What one real run owns; testRealEnvFree undoes all of it. */
typedef struct {
    char *dir;
    char *qemu;
    char *qemuImg;
    GPtrArray *listeners; /* GSocket *, open while QEMU runs */
    GHashTable *paths;    /* original host path → its stand-in in dir */
    unsigned int counter;
    GPid pid; /* 0 when no QEMU runs */
} testRealEnv;

static void
testRealEnvFree(testRealEnv *env)
{
    if (!env)
        return;
    if (env->pid > 0) {
        /* a failed run: never leave QEMU behind */
        kill(env->pid, SIGKILL);
        waitpid(env->pid, NULL, 0);
    }
    g_clear_pointer(&env->listeners, g_ptr_array_unref);
    g_clear_pointer(&env->paths, g_hash_table_unref);
    if (env->dir) {
        g_autoptr(GDir) d = g_dir_open(env->dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(env->dir, name, NULL);

            unlink(path);
        }
        rmdir(env->dir);
    }
    g_free(env->dir);
    g_free(env->qemu);
    g_free(env->qemuImg);
    g_free(env);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testRealEnv, testRealEnvFree)

/* A stand-in path in the temporary dir; the same original gets the same stand-in. */
static char *
testRealPath(testRealEnv *env, const char *orig, const char *suffix)
{
    const char *known = orig ? g_hash_table_lookup(env->paths, orig) : NULL;
    char *path;

    if (known)
        return g_strdup(known);
    /* a comma in every name: QEMU itself checks what is escaped and what is not */
    path = g_strdup_printf("%s/f%u,c%s", env->dir, env->counter++, suffix);
    if (orig)
        g_hash_table_insert(env->paths, g_strdup(orig), g_strdup(path));
    return path;
}

static void
testRealReplace(char **field, char *value)
{
    g_free(*field);
    *field = value;
}

/* A listening socket kept for the run; returns its TCP port (0 for UNIX). */
static bool
testRealListen(testRealEnv *env, GSocketAddress *addr, unsigned int *port, GError **error)
{
    g_autoptr(GSocket) sock = g_socket_new(g_socket_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_DEFAULT, error);
    g_autoptr(GSocketAddress) local = NULL;

    if (!sock || !g_socket_bind(sock, addr, TRUE, error) || !g_socket_listen(sock, error))
        return false;
    if (port) {
        if (!(local = g_socket_get_local_address(sock, error)))
            return false;
        *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    }
    g_ptr_array_add(env->listeners, g_steal_pointer(&sock));
    return true;
}

/* A TCP port on 127.0.0.1 free right now, from @from up (0: any). */
static bool
testRealFreePort(unsigned int from, unsigned int *port, GError **error)
{
    for (unsigned int p = from; p <= (from ? from + 200 : 0); p++) {
        g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
        g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, (guint16)p);
        g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                               G_SOCKET_PROTOCOL_DEFAULT, error);
        g_autoptr(GSocketAddress) local = NULL;

        if (!sock)
            return false;
        if (!g_socket_bind(sock, addr, FALSE, NULL))
            continue;
        if (!(local = g_socket_get_local_address(sock, error)))
            return false;
        *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
        return true;
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "no free port from %u", from);
    return false;
}

static bool
testRealPatchChr(testRealEnv *env, ternDomainChrSourceDef *src, GError **error)
{
    switch (src->type) {
    case TERN_DOMAIN_CHR_TYPE_PTY:
        return true;
    case TERN_DOMAIN_CHR_TYPE_FILE:
        testRealReplace(&src->path, testRealPath(env, src->path, ".log"));
        return true;
    case TERN_DOMAIN_CHR_TYPE_UNIX: {
        bool known = g_hash_table_contains(env->paths, src->path);

        testRealReplace(&src->path, testRealPath(env, src->path, ".sock"));
        if (src->mode == TERN_DOMAIN_CHR_MODE_CONNECT && !known) {
            g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(src->path);

            return testRealListen(env, addr, NULL, error);
        }
        return true;
    }
    case TERN_DOMAIN_CHR_TYPE_TCP:
        if (src->mode == TERN_DOMAIN_CHR_MODE_CONNECT) {
            g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
            g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);

            testRealReplace(&src->host, g_strdup("127.0.0.1"));
            return testRealListen(env, addr, &src->service, error);
        }
        /* bind: keep loopback and "every address" (no host), move the rest to loopback */
        if (src->host && strcmp(src->host, "::1") != 0)
            testRealReplace(&src->host, g_strdup("127.0.0.1"));
        return testRealFreePort(0, &src->service, error);
    case TERN_DOMAIN_CHR_TYPE_LAST:
        break;
    }
    return true;
}

static bool
testRealRun(const char *const *argv, GError **error)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                      error))
        return false;
    if (!g_spawn_check_wait_status(status, error)) {
        g_prefix_error(error, "%s: %s: ", argv[0], err);
        return false;
    }
    return true;
}

/* A file QEMU's -kernel loader takes for a bzImage (boot protocol 2.00, loaded high). */
static bool
testRealFakeKernel(const char *path, GError **error)
{
    g_autofree unsigned char *image = g_new0(unsigned char, 8192);

    image[0x1f1] = 4; /* setup sectors */
    memcpy(image + 0x202, "HdrS", 4);
    image[0x206] = 0x00; /* protocol 2.00 */
    image[0x207] = 0x02;
    image[0x211] = 0x01; /* LOADED_HIGH */
    return g_file_set_contents(path, (const char *)image, 8192, error);
}

/* Move every host path of @def into env->dir and make what QEMU will open. */
static bool
testRealPatchDef(testRealEnv *env, ternDomainDef *def, GError **error)
{
    testRealReplace(&def->emulator, g_strdup(env->qemu));
    if (def->os.kernel) {
        testRealReplace(&def->os.kernel, testRealPath(env, NULL, ".vmlinuz"));
        if (!testRealFakeKernel(def->os.kernel, error))
            return false;
    }
    if (def->os.initrd) {
        testRealReplace(&def->os.initrd, testRealPath(env, NULL, ".initrd"));
        if (!g_file_set_contents(def->os.initrd, "initrd", -1, error))
            return false;
    }
    for (size_t i = 0; i < def->ndisks; i++) {
        ternDomainDiskDef *disk = def->disks[i];
        const char *format = disk->format == TERN_DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
        g_autofree char *suffix = g_strdup_printf(".%s", format);

        if (!disk->path)
            continue;
        testRealReplace(&disk->path, testRealPath(env, NULL, suffix));
        {
            const char *argv[] = {env->qemuImg,         "create", "-q", "-f", format, disk->path,
                                  TEST_REAL_IMAGE_SIZE, NULL};

            if (!testRealRun(argv, error))
                return false;
        }
    }
    for (size_t i = 0; i < def->nserials; i++) {
        if (!testRealPatchChr(env, &def->serials[i]->source, error))
            return false;
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        /* a console that is a serial must keep that serial's (patched) source */
        ternDomainChrDef *con = def->consoles[i];
        bool alias = false;

        for (size_t s = 0; s < def->nserials && con->targetType == TERN_DOMAIN_CHR_TARGET_SERIAL;
             s++) {
            if (def->serials[s]->targetPort == con->targetPort) {
                testRealReplace(&con->source.path, g_strdup(def->serials[s]->source.path));
                testRealReplace(&con->source.host, g_strdup(def->serials[s]->source.host));
                con->source.service = def->serials[s]->source.service;
                alias = true;
            }
        }
        if (!alias && !testRealPatchChr(env, &con->source, error))
            return false;
    }
    for (size_t i = 0; i < def->nchannels; i++) {
        if (!testRealPatchChr(env, &def->channels[i]->source, error))
            return false;
    }
    if (def->graphics) {
        ternDomainGraphicsDef *graphics = def->graphics;

        if (graphics->listen && strcmp(graphics->listen, "::1") != 0)
            testRealReplace(&graphics->listen, g_strdup("127.0.0.1"));
        if (graphics->port != 0) {
            unsigned int port = 0;

            if (!testRealFreePort(5900, &port, error))
                return false;
            graphics->port = (int)port;
        }
    }
    return true;
}

static void
testRealChildSetup(gpointer data)
{
    /* if the test dies, QEMU dies with it */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Read one line (without '\n') from @fd into @line; false at EOF or error. */
static bool
testRealReadLine(int fd, GString *pending, char **line, GError **error)
{
    for (;;) {
        char *nl = memchr(pending->str, '\n', pending->len);
        char chunk[4096];
        ssize_t n;

        if (nl) {
            *line = g_strndup(pending->str, nl - pending->str);
            g_string_erase(pending, 0, nl - pending->str + 1);
            return true;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "monitor: %s",
                        n == 0 ? "end of file" : g_strerror(errno));
            return false;
        }
        g_string_append_len(pending, chunk, n);
    }
}

/* Send @command and wait for its reply, skipping events; false unless it returned. */
static bool
testRealQMP(int fd, GString *pending, const char *command, GError **error)
{
    g_autofree char *request = g_strdup_printf("{\"execute\": \"%s\"}\n", command);

    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "monitor: cannot send '%s': %s", command,
                    g_strerror(errno));
        return false;
    }
    for (;;) {
        g_autofree char *line = NULL;

        if (!testRealReadLine(fd, pending, &line, error))
            return false;
        if (strstr(line, "\"event\""))
            continue;
        if (strstr(line, "\"return\""))
            return true;
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "monitor: '%s' answered %s", command,
                    line);
        return false;
    }
}

/* Connect to the monitor once QEMU has created it; fails if QEMU exits first. */
static int
testRealConnect(testRealEnv *env, const char *path, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + TEST_REAL_TIMEOUT_US;
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = TEST_REAL_TIMEOUT_US / G_USEC_PER_SEC};

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int status = 0;

        if (fd < 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "socket: %s", g_strerror(errno));
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            return fd;
        }
        ternForceClose(fd);
        if (waitpid(env->pid, &status, WNOHANG) == env->pid) {
            env->pid = 0;
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                        "QEMU exited with status %d before its monitor came up", status);
            return -1;
        }
        if (g_get_monotonic_time() > deadline) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "QEMU's monitor did not come up in %d s",
                        (int)(TEST_REAL_TIMEOUT_US / G_USEC_PER_SEC));
            return -1;
        }
        /* the socket appears within milliseconds of exec; there is no event to wait for */
        g_usleep(10 * 1000);
    }
}

/* Talk to the started QEMU: greeting, capabilities, pid file, quit, exit status. */
static bool
testRealTalk(testRealEnv *env, const char *monitor, const char *pidfile, GError **error)
{
    g_autoptr(GString) pending = g_string_new(NULL);
    g_autofree char *greeting = NULL;
    g_autofree char *pidText = NULL;
    TERN_AUTOCLOSE fd = testRealConnect(env, monitor, error);
    gint64 deadline = g_get_monotonic_time() + TEST_REAL_TIMEOUT_US;
    int status = 0;

    if (fd < 0)
        return false;
    /* the greeting comes once QEMU has created every device: the real acceptance */
    if (!testRealReadLine(fd, pending, &greeting, error))
        return false;
    if (!strstr(greeting, "\"QMP\"")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "not a QMP greeting: %s", greeting);
        return false;
    }
    if (!testRealQMP(fd, pending, "qmp_capabilities", error))
        return false;
    if (!g_file_get_contents(pidfile, &pidText, NULL, error))
        return false;
    if (g_ascii_strtoll(pidText, NULL, 10) != env->pid) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "pid file says %s, QEMU is %d", pidText,
                    env->pid);
        return false;
    }
    if (!testRealQMP(fd, pending, "quit", error))
        return false;
    while (waitpid(env->pid, &status, WNOHANG) != env->pid) {
        if (g_get_monotonic_time() > deadline) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "QEMU did not quit");
            return false;
        }
        g_usleep(10 * 1000);
    }
    env->pid = 0;
    return g_spawn_check_wait_status(status, error);
}

static char *
testRealReadAll(int fd)
{
    g_autoptr(GString) out = g_string_new(NULL);
    char chunk[4096];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0)
            g_string_append_len(out, chunk, n);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/*
 * Start QEMU with @argv in env->dir, talk to it, and make sure it is gone
 * afterwards, whatever happened. @stderrOut gets what QEMU printed. Fails
 * unless QEMU accepted every option and said nothing about an error.
 */
static bool
testRealCheck(testRealEnv *env, GPtrArray *argv, const char *monitor, const char *pidfile,
              char **stderrOut, GError **error)
{
    TERN_AUTOCLOSE errFd = -1;
    g_autofree char *lower = NULL;
    int status = 0;
    bool ok;

    if (!g_spawn_async_with_pipes(env->dir, (char **)argv->pdata, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                  testRealChildSetup, NULL, &env->pid, NULL, NULL, &errFd, error))
        return false;
    ok = testRealTalk(env, monitor, pidfile, error);
    if (env->pid > 0) {
        /* a QEMU that refused an option is on its way out: give it a moment to say how */
        gint64 deadline = g_get_monotonic_time() + TEST_REAL_EXIT_GRACE_US;
        bool exited = false;

        while (!(exited = waitpid(env->pid, &status, WNOHANG) == env->pid) &&
               g_get_monotonic_time() < deadline)
            g_usleep(10 * 1000);
        if (exited) {
            g_prefix_error(error, "QEMU ended with wait status %d: ", status);
        } else {
            kill(env->pid, SIGKILL);
            waitpid(env->pid, NULL, 0);
        }
        env->pid = 0;
    }
    *stderrOut = testRealReadAll(errFd);
    if (!ok)
        return false;
    lower = g_ascii_strdown(*stderrOut, -1);
    if (strstr(lower, "error")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "QEMU reported an error on stderr");
        return false;
    }
    return true;
}

/* A fresh environment, or NULL (and the test skipped) without QEMU's tools. */
static testRealEnv *
testRealEnvNew(void)
{
    g_autoptr(testRealEnv) env = g_new0(testRealEnv, 1);
    g_autoptr(GError) err = NULL;

    env->qemu = g_find_program_in_path("qemu-system-x86_64");
    env->qemuImg = g_find_program_in_path("qemu-img");
    if (!env->qemu || !env->qemuImg) {
        g_test_skip("qemu-system-x86_64 or qemu-img is not installed");
        return NULL;
    }
    env->dir = g_dir_make_tmp("tern-qemu-XXXXXX", &err);
    g_assert_no_error(err);
    env->listeners = g_ptr_array_new_with_free_func(g_object_unref);
    env->paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return g_steal_pointer(&env);
}

/* The argv of @tc with its host paths moved into env->dir. */
static GPtrArray *
testRealArgv(testRealEnv *env, const testQemuCase *tc, char **monitor, char **pidfile)
{
    g_autoptr(ternDomainDef) def = testQemuParse(tc->xml ? tc->xml : tc->name);
    g_autoptr(GError) err = NULL;
    GPtrArray *argv = NULL;
    qemuCommandOptions opts;

    if (!testRealPatchDef(env, def, &err)) {
        g_test_message("preparing '%s': %s", tc->name, err->message);
        return NULL;
    }
    *monitor = g_build_filename(env->dir, "monitor.sock", NULL);
    *pidfile = g_build_filename(env->dir, "qemu.pid", NULL);
    opts = (qemuCommandOptions){
        .monitorPath = *monitor,
        .pidfile = *pidfile,
        .incomingURI = tc->incoming,
    };
    argv = qemuBuildCommandLine(def, &opts, &err);
    g_assert_no_error(err);
    return argv;
}

static void
testQemuReal(gconstpointer opaque)
{
    const testQemuCase *tc = opaque;
    g_autoptr(testRealEnv) env = NULL;
    g_autoptr(ternDomainDef) def = testQemuParse(tc->xml ? tc->xml : tc->name);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree char *monitor = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *text = NULL;
    g_autofree char *stderrText = NULL;

    if (def->virtType == TERN_DOMAIN_VIRT_KVM &&
        g_strcmp0(g_getenv("TERN_TEST_QEMU_KVM"), "1") != 0) {
        g_test_skip("a kvm domain; set TERN_TEST_QEMU_KVM=1 where KVM runs guests");
        return;
    }
    if (!(env = testRealEnvNew()))
        return;
    if (!(argv = testRealArgv(env, tc, &monitor, &pidfile))) {
        g_test_fail();
        return;
    }
    text = qemuCommandLineFormat(argv);
    g_test_message("argv:\n%s", text);
    if (!testRealCheck(env, argv, monitor, pidfile, &stderrText, &err)) {
        g_test_message("'%s' in real QEMU: %s", tc->name, err->message);
        g_test_fail();
    }
    if (stderrText && *stderrText)
        g_test_message("QEMU's stderr:\n%s", stderrText);
}

/* The harness itself: an option QEMU refuses must fail the check, with QEMU's reason. */
static void
testQemuRealHarness(void)
{
    static const testQemuCase tc = {"chardev-pty", NULL, NULL, NULL, true};
    g_autoptr(testRealEnv) env = testRealEnvNew();
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree char *monitor = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *stderrText = NULL;

    if (!env)
        return;
    argv = testRealArgv(env, &tc, &monitor, &pidfile);
    g_assert_nonnull(argv);
    g_ptr_array_add(argv, g_strdup("-device"));
    g_ptr_array_add(argv, g_strdup("tern-no-such-device,id=x"));
    g_assert_false(testRealCheck(env, argv, monitor, pidfile, &stderrText, &err));
    g_assert_nonnull(err);
    g_test_message("refused as expected: %s; stderr: %s", err->message, stderrText);
    g_assert_nonnull(strstr(stderrText, "tern-no-such-device"));
    g_assert_cmpint(env->pid, ==, 0);
}

/* The positive cases' files: each case's input NAME.xml (or its xml) and NAME.args. */
static bool
testQemuFileKnown(const char *file, const char *stem, gconstpointer opaque)
{
    for (size_t i = 0; i < G_N_ELEMENTS(testQemuCases); i++) {
        const testQemuCase *tc = &testQemuCases[i];
        const char *in = tc->xml ? tc->xml : tc->name;

        if ((g_str_has_suffix(file, ".xml") && strcmp(stem, in) == 0) ||
            (g_str_has_suffix(file, ".args") && strcmp(stem, tc->name) == 0))
            return true;
    }
    return false;
}

/* Every data file belongs to a case, so none is silently skipped. */
static void
testQemuNoOrphans(void)
{
    ternTestCheckNoOrphans("qemuxml2argv", ".xml", testQemuFileKnown, NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(testQemuCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/argv/%s", testQemuCases[i].name);

        g_test_add_data_func(path, &testQemuCases[i], testQemuArgv);
    }

    if (!ternTestAddFailCases("qemuxml2argv", ".xml", "/qemu/argv", testQemuArgvFail))
        return 1;

    g_test_add_func("/qemu/argv/options-bad", testQemuOptionsBad);
    g_test_add_func("/qemu/argv/invalid-def", testQemuInvalidDef);
    g_test_add_func("/qemu/argv/format", testQemuFormat);
    g_test_add_func("/qemu/argv/chr-id", testQemuChrId);
    g_test_add_func("/qemu/argv/no-orphans", testQemuNoOrphans);

    for (size_t i = 0; i < G_N_ELEMENTS(testQemuCases); i++) {
        g_autofree char *path = NULL;

        if (!testQemuCases[i].real)
            continue;
        path = g_strdup_printf("/qemu/real/%s", testQemuCases[i].name);
        g_test_add_data_func(path, &testQemuCases[i], testQemuReal);
    }

    g_test_add_func("/qemu/real/harness-refusal", testQemuRealHarness);

    return g_test_run();
}
