/* qemu_command.c: the QEMU 7.2 command line of a domain definition */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The rules, element by element (the goldens in tests/data/qemuxml2argv show
 * each one):
 *
 * - Always: -name guest=NAME,debug-threads=on, -S (the driver sends 'cont'),
 *   -msg timestamp=on, -no-user-config -nodefaults (so QEMU adds no device
 *   of its own: no VGA, NIC, serial, cdrom), the QMP monitor, -no-shutdown
 *   (a guest poweroff stops QEMU instead of ending it, so the driver sees
 *   SHUTDOWN and applies on_poweroff itself).
 * - <domain type>: qemu → -accel tcg, kvm → -accel kvm plus
 *   -global kvm-pit.lost_tick_policy=delay; test is refused.
 * - <os>: -machine MACHINE (pc when absent),usb=off,dump-guest-core=off,
 *   acpi=on|off (from <features><acpi/>; apic and pae are always on for
 *   x86_64 in QEMU and need nothing). kernel/initrd/cmdline →
 *   -kernel/-initrd/-append. <boot dev> entries become bootindex=1.. on the
 *   first hard disk, the first cdrom and the first interface (libvirt's
 *   mapping), plus -boot strict=on; a boot entry without such a device
 *   names nothing, as in libvirt.
 * - <cpu>: custom → its model; host-passthrough → host,migratable=on|off
 *   (KVM only: QEMU has no 'host' CPU under TCG); host-model → max, QEMU's
 *   "everything this accelerator can offer" model, which is what libvirt's
 *   host-model expands to under TCG; tern probes no host CPU yet, so under
 *   KVM this is closer to host-passthrough than libvirt's expansion. No
 *   <cpu> → no -cpu (QEMU's default, qemu64). match, check and fallback
 *   concern CPU comparison and have no argv.
 * - <memory> → -m size=NNNk; currentMemory below memory is reached by the
 *   driver through the balloon after start, so it needs a virtio
 *   memballoon. <vcpu current> → -smp CUR,maxcpus=MAX with an explicit
 *   topology (MAX sockets of one core, one thread), so a newer QEMU's
 *   topology defaults cannot change the guest under migration.
 * - <clock offset> → -rtc base=utc|localtime. on_reboot=destroy →
 *   -no-reboot; the other actions are carried out by the driver; on_crash
 *   needs no argv while there is no panic device.
 * - <disk>: -blockdev for the protocol node (file, node-name T-file) and
 *   the format node (raw|qcow2, node-name T-fmt), read-only=on|off and the
 *   cache mode as cache.direct/cache.no-flush on both, then -device
 *   virtio-blk-pci | ide-hd | ide-cd with id disk-T and write-cache (the
 *   guest-visible half of the cache mode). sata: one ich9-ahci (sata0)
 *   before the first sata disk, port = index of T (sda 0 .. sdf 5). ide:
 *   the PIIX controller of machine pc, ide.(index/2) unit index%2 (hda ..
 *   hdd); q35 has none. An empty cdrom has a -device and no -blockdev.
 *   shareable → share-rw=on, raw only.
 * - <interface type='user'> → -netdev user,id=hostnetI; bridge and direct
 *   are refused until the driver can open their tap devices. The device is
 *   virtio-net-pci (also for no <model>) or e1000, with the def's MAC.
 * - Character devices: -chardev pty | file,path,append | socket,path
 *   (unix) | socket,host,port[,telnet=on] (tcp); mode bind adds
 *   server=on,wait=off; a tcp bind without host gets host= (empty: every
 *   address; QEMU silently makes a dead fd socket when host is absent).
 *   <serial> → -device isa-serial,index=PORT (ports 0 to 3). <console> of
 *   target serial is the <serial> of the same port when there is one (its
 *   source must match), else an isa-serial of its own; target virtio →
 *   virtconsole. <channel> → virtserialport,name=. Virtio consoles and
 *   channels share one virtio-serial-pci (virtio-serial0).
 * - <graphics type='vnc'>: no graphics → -display none. Else
 *   -vnc LISTEN:DISPLAY (LISTEN: the def's, else 127.0.0.1; IPv6 in
 *   brackets). A port in the def (fixed, or assigned earlier) is used as is;
 *   autoport without a port → LISTEN:0,to=59635: QEMU binds the first free
 *   port from 5900 up itself, race-free, and the driver reads it back with
 *   query-vnc. A caller who wants an autoport display moved (an incoming
 *   migration) clears the port first. passwd → password=on; the driver sets
 *   the password over QMP before 'cont', so it never appears in argv.
 * - <video vga> → -device VGA,id=video0; none → nothing (-nodefaults).
 *   <memballoon virtio> → -device virtio-balloon-pci,id=balloon0.
 *   <rng> → -object rng-random,filename=PATH (default /dev/urandom) and
 *   -device virtio-rng-pci.
 * - Options: -pidfile, -incoming URI.
 *
 * Values that reach QEMU's option parser (QemuOpts and keyval) have ','
 * doubled, so no name or path can inject an option. Plain options
 * (-kernel, -append, -pidfile, -incoming, -uuid) take their text as is.
 */

#include <string.h>

#include "util/ternerror.h"
#include "qemu_command.h"

#define qemuCommandUnsupported(error, ...)                                                         \
    ternErrorSet((error), TERN_FROM_QEMU, TERN_ERR_CONFIG_UNSUPPORTED, __VA_ARGS__)

/* QEMU's isa-serial knows four ports (COM1..COM4). */
#define QEMU_COMMAND_ISA_SERIAL_PORTS 4
/* ich9-ahci has six ports, each one bus with one unit. */
#define QEMU_COMMAND_AHCI_PORTS 6
/* PIIX: two buses (ide.0, ide.1) of two units. */
#define QEMU_COMMAND_IDE_UNITS 2
#define QEMU_COMMAND_IDE_BUSES 2
/* VNC ports 5900..65535 as displays 0..59635, for autoport. */
#define QEMU_COMMAND_VNC_PORT_MIN 5900
#define QEMU_COMMAND_VNC_DISPLAY_MAX (65535 - QEMU_COMMAND_VNC_PORT_MIN)
/* QEMU's limit for block node names. */
#define QEMU_COMMAND_NODE_NAME_MAX 31
#define QEMU_COMMAND_RNG_PATH_DEFAULT "/dev/urandom"
#define QEMU_COMMAND_MACHINE_DEFAULT "pc"

/* --- translation tables (G6): one row per enum value, in enum order --- */

/* <domain type> → -accel; NULL: cannot run in QEMU */
static const char *const qemuCommandAccel[] = {
    [TERN_DOMAIN_VIRT_QEMU] = "tcg",
    [TERN_DOMAIN_VIRT_KVM] = "kvm",
    [TERN_DOMAIN_VIRT_TEST] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandAccel) == TERN_DOMAIN_VIRT_LAST);

/* <clock offset> → -rtc base= */
static const char *const qemuCommandRTCBase[] = {
    [TERN_DOMAIN_CLOCK_OFFSET_UTC] = "utc",
    [TERN_DOMAIN_CLOCK_OFFSET_LOCALTIME] = "localtime",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandRTCBase) == TERN_DOMAIN_CLOCK_OFFSET_LAST);

/* <cpu mode> → -cpu model (NULL: the def's <model>) */
typedef struct {
    const char *model;
    bool kvmOnly;
} qemuCommandCPUModeMap;

static const qemuCommandCPUModeMap qemuCommandCPUMode[] = {
    [TERN_DOMAIN_CPU_MODE_CUSTOM] = {NULL, false},
    [TERN_DOMAIN_CPU_MODE_HOST_MODEL] = {"max", false},
    [TERN_DOMAIN_CPU_MODE_HOST_PASSTHROUGH] = {"host", true},
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandCPUMode) == TERN_DOMAIN_CPU_MODE_LAST);

/* on/off properties from a tristate; NULL: leave QEMU's default */
static const char *const qemuCommandOnOff[] = {
    [TERN_DOMAIN_TRISTATE_ABSENT] = NULL,
    [TERN_DOMAIN_TRISTATE_ON] = "on",
    [TERN_DOMAIN_TRISTATE_OFF] = "off",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandOnOff) == TERN_DOMAIN_TRISTATE_LAST);

/* <disk bus> → -device driver for a hard disk and for a cdrom (NULL: none) */
typedef struct {
    const char *disk;
    const char *cdrom;
} qemuCommandDiskBusMap;

static const qemuCommandDiskBusMap qemuCommandDiskBus[] = {
    [TERN_DOMAIN_DISK_BUS_VIRTIO] = {"virtio-blk-pci", NULL},
    [TERN_DOMAIN_DISK_BUS_SATA] = {"ide-hd", "ide-cd"},
    [TERN_DOMAIN_DISK_BUS_IDE] = {"ide-hd", "ide-cd"},
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandDiskBus) == TERN_DOMAIN_DISK_BUS_LAST);

/* <driver type> → format node driver */
static const char *const qemuCommandDiskFormat[] = {
    [TERN_DOMAIN_DISK_FORMAT_DEFAULT] = "raw",
    [TERN_DOMAIN_DISK_FORMAT_RAW] = "raw",
    [TERN_DOMAIN_DISK_FORMAT_QCOW2] = "qcow2",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandDiskFormat) == TERN_DOMAIN_DISK_FORMAT_LAST);

/*
 * <driver cache> → the host side (cache.direct: O_DIRECT; cache.no-flush:
 * ignore flushes) on the block nodes and the guest side (write-cache: does
 * the guest see a volatile cache it must flush) on the device, as QEMU's
 * -drive cache= shorthand documents them. NULL everywhere: QEMU's default,
 * which is writeback.
 */
typedef struct {
    const char *direct;
    const char *noFlush;
    const char *writeCache;
} qemuCommandDiskCacheMap;

static const qemuCommandDiskCacheMap qemuCommandDiskCache[] = {
    [TERN_DOMAIN_DISK_CACHE_DEFAULT] = {NULL, NULL, NULL},
    [TERN_DOMAIN_DISK_CACHE_NONE] = {"on", "off", "on"},
    [TERN_DOMAIN_DISK_CACHE_WRITETHROUGH] = {"off", "off", "off"},
    [TERN_DOMAIN_DISK_CACHE_WRITEBACK] = {"off", "off", "on"},
    [TERN_DOMAIN_DISK_CACHE_DIRECTSYNC] = {"on", "off", "off"},
    [TERN_DOMAIN_DISK_CACHE_UNSAFE] = {"off", "on", "on"},
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandDiskCache) == TERN_DOMAIN_DISK_CACHE_LAST);

/* <interface type> → -netdev backend; NULL: refused (see qemuBuildNet) */
static const char *const qemuCommandNetBackend[] = {
    [TERN_DOMAIN_NET_TYPE_USER] = "user",
    [TERN_DOMAIN_NET_TYPE_BRIDGE] = NULL,
    [TERN_DOMAIN_NET_TYPE_DIRECT] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandNetBackend) == TERN_DOMAIN_NET_TYPE_LAST);

/* <model type> of an interface → -device; no model gets virtio */
static const char *const qemuCommandNetModel[] = {
    [TERN_DOMAIN_NET_MODEL_DEFAULT] = "virtio-net-pci",
    [TERN_DOMAIN_NET_MODEL_VIRTIO] = "virtio-net-pci",
    [TERN_DOMAIN_NET_MODEL_E1000] = "e1000",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandNetModel) == TERN_DOMAIN_NET_MODEL_LAST);

/* the element of a character device → the stem of its ids */
static const char *const qemuCommandChrStem[] = {
    [TERN_DOMAIN_CHR_DEVICE_SERIAL] = "serial",
    [TERN_DOMAIN_CHR_DEVICE_CONSOLE] = "console",
    [TERN_DOMAIN_CHR_DEVICE_CHANNEL] = "channel",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandChrStem) == TERN_DOMAIN_CHR_DEVICE_LAST);

/* <serial type> → -chardev backend */
static const char *const qemuCommandChrBackend[] = {
    [TERN_DOMAIN_CHR_TYPE_PTY] = "pty",
    [TERN_DOMAIN_CHR_TYPE_FILE] = "file",
    [TERN_DOMAIN_CHR_TYPE_UNIX] = "socket",
    [TERN_DOMAIN_CHR_TYPE_TCP] = "socket",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandChrBackend) == TERN_DOMAIN_CHR_TYPE_LAST);

/* <source mode> → socket options; NULL: none (QEMU connects) */
static const char *const qemuCommandChrMode[] = {
    [TERN_DOMAIN_CHR_MODE_CONNECT] = NULL,
    [TERN_DOMAIN_CHR_MODE_BIND] = "server=on,wait=off",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandChrMode) == TERN_DOMAIN_CHR_MODE_LAST);

/* <protocol type> → tcp socket options; NULL: none */
static const char *const qemuCommandChrProtocol[] = {
    [TERN_DOMAIN_CHR_PROTOCOL_RAW] = NULL,
    [TERN_DOMAIN_CHR_PROTOCOL_TELNET] = "telnet=on",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandChrProtocol) == TERN_DOMAIN_CHR_PROTOCOL_LAST);

/* <video><model type> → -device; NULL: no device */
static const char *const qemuCommandVideo[] = {
    [TERN_DOMAIN_VIDEO_VGA] = "VGA",
    [TERN_DOMAIN_VIDEO_NONE] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandVideo) == TERN_DOMAIN_VIDEO_LAST);

/* <memballoon model> → -device; NULL: no device */
static const char *const qemuCommandMemballoon[] = {
    [TERN_DOMAIN_MEMBALLOON_VIRTIO] = "virtio-balloon-pci",
    [TERN_DOMAIN_MEMBALLOON_NONE] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandMemballoon) == TERN_DOMAIN_MEMBALLOON_LAST);

/* <rng model> → -device, <backend model> → -object */
static const char *const qemuCommandRNGModel[] = {
    [TERN_DOMAIN_RNG_VIRTIO] = "virtio-rng-pci",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandRNGModel) == TERN_DOMAIN_RNG_LAST);

static const char *const qemuCommandRNGBackend[] = {
    [TERN_DOMAIN_RNG_BACKEND_RANDOM] = "rng-random",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuCommandRNGBackend) == TERN_DOMAIN_RNG_BACKEND_LAST);

/* --- building blocks --- */

/* What one build carries from step to step. */
typedef struct {
    const ternDomainDef *def;
    const qemuCommandOptions *opts;
    GPtrArray *argv;
    int *diskBootIndex; /* per disk: 0 or its bootindex */
    int *netBootIndex;  /* per interface */
    bool sataAdded;
    bool virtioSerialAdded;
} qemuCommandBuild;

static void
qemuCommandAdd(qemuCommandBuild *b, const char *arg)
{
    g_ptr_array_add(b->argv, g_strdup(arg));
}

/* An option and its value, the value handed over. */
static void
qemuCommandAddPairSteal(qemuCommandBuild *b, const char *option, char *value)
{
    g_ptr_array_add(b->argv, g_strdup(option));
    g_ptr_array_add(b->argv, value);
}

static void
qemuCommandAddPair(qemuCommandBuild *b, const char *option, const char *value)
{
    qemuCommandAddPairSteal(b, option, g_strdup(value));
}

/* An option and a value built in @buf (consumed). */
static void
qemuCommandAddPairBuf(qemuCommandBuild *b, const char *option, GString *buf)
{
    qemuCommandAddPairSteal(b, option, g_string_free(buf, FALSE));
}

/* @value for QEMU's option parser: every ',' doubled. */
static void
qemuCommandBufAddEscaped(GString *buf, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *p);
    }
}

/* ",KEY=VALUE" with VALUE escaped */
static void
qemuCommandBufAddProp(GString *buf, const char *key, const char *value)
{
    g_string_append_printf(buf, ",%s=", key);
    qemuCommandBufAddEscaped(buf, value);
}

/* ",KEY=VALUE" when VALUE is not NULL */
static void
qemuCommandBufAddPropOpt(GString *buf, const char *key, const char *value)
{
    if (value)
        qemuCommandBufAddProp(buf, key, value);
}

/* An enum value outside its table: the def was built wrong. */
static bool
qemuCommandCheckEnum(int value, size_t size, const char *what, GError **error)
{
    if (value < 0 || (size_t)value >= size) {
        ternReportInternal(error, TERN_FROM_QEMU, "%s has the invalid value %d", what, value);
        return false;
    }
    return true;
}

#define QEMU_COMMAND_CHECK_ENUM(value, table, what, error)                                         \
    qemuCommandCheckEnum((int)(value), G_N_ELEMENTS(table), (what), (error))

/*
 * The index of a disk target: the letters after the two-letter prefix
 * counted as bijective base 26 (vda 0, vdz 25, vdaa 26), as libvirt does.
 */
static unsigned int
qemuCommandDiskIndex(const char *dst)
{
    unsigned int index = 0;

    for (const char *p = dst + 2; *p; p++)
        index = index * 26 + (unsigned int)(*p - 'a') + 1;
    return index - 1;
}

static bool
qemuCommandMachineIsQ35(const char *machine)
{
    return strstr(machine, "q35") != NULL;
}

static const char *
qemuCommandMachine(const ternDomainDef *def)
{
    return def->os.machine ? def->os.machine : QEMU_COMMAND_MACHINE_DEFAULT;
}

/* --- the sections, in argv order --- */

static bool
qemuBuildOptionsCheck(const qemuCommandOptions *opts, GError **error)
{
    if (!opts->monitorPath || opts->monitorPath[0] != '/') {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the QMP monitor needs an absolute socket path, got '%s'",
                     opts->monitorPath ? opts->monitorPath : "(none)");
        return false;
    }
    if (opts->pidfile && opts->pidfile[0] != '/') {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the pid file needs an absolute path, got '%s'", opts->pidfile);
        return false;
    }
    if (opts->incomingURI && !*opts->incomingURI) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the incoming migration URI is empty; pass NULL or e.g. 'defer'");
        return false;
    }
    if (opts->emulator && opts->emulator[0] != '/') {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the default emulator needs an absolute path, got '%s'", opts->emulator);
        return false;
    }
    return true;
}

static bool
qemuBuildEmulatorAndName(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;
    const char *emulator = def->emulator       ? def->emulator
                           : b->opts->emulator ? b->opts->emulator
                                               : QEMU_COMMAND_EMULATOR_DEFAULT;
    GString *buf = g_string_new("guest=");

    qemuCommandAdd(b, emulator);
    qemuCommandBufAddEscaped(buf, def->name);
    g_string_append(buf, ",debug-threads=on");
    qemuCommandAddPairBuf(b, "-name", buf);
    qemuCommandAdd(b, "-S");
    qemuCommandAddPair(b, "-msg", "timestamp=on");
    return true;
}

static bool
qemuBuildMachine(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;
    GString *buf = NULL;
    const char *accel;

    if (!QEMU_COMMAND_CHECK_ENUM(def->virtType, qemuCommandAccel, "domain type", error))
        return false;
    if (!(accel = qemuCommandAccel[def->virtType])) {
        qemuCommandUnsupported(error, "domain type '%s' cannot run in QEMU; use 'qemu' or 'kvm'",
                               ternDomainVirtTypeToString(def->virtType));
        return false;
    }
    buf = g_string_new(NULL);
    qemuCommandBufAddEscaped(buf, qemuCommandMachine(def));
    g_string_append(buf, ",usb=off,dump-guest-core=off");
    g_string_append_printf(buf, ",acpi=%s", def->features[TERN_DOMAIN_FEATURE_ACPI] ? "on" : "off");
    qemuCommandAddPairBuf(b, "-machine", buf);
    qemuCommandAddPair(b, "-accel", accel);
    return true;
}

static bool
qemuBuildCPU(qemuCommandBuild *b, GError **error)
{
    const ternDomainCPUDef *cpu = b->def->cpu;
    const qemuCommandCPUModeMap *map;
    GString *buf = NULL;

    if (!cpu)
        return true;
    if (!QEMU_COMMAND_CHECK_ENUM(cpu->mode, qemuCommandCPUMode, "cpu mode", error) ||
        !QEMU_COMMAND_CHECK_ENUM(cpu->migratable, qemuCommandOnOff, "cpu migratable", error))
        return false;
    map = &qemuCommandCPUMode[cpu->mode];
    if (map->kvmOnly && b->def->virtType != TERN_DOMAIN_VIRT_KVM) {
        qemuCommandUnsupported(
            error,
            "cpu mode '%s' needs domain type 'kvm'; under TCG use mode 'host-model' or 'custom'",
            ternDomainCPUModeTypeToString(cpu->mode));
        return false;
    }
    if (!map->model && !cpu->model) {
        ternReportInternal(error, TERN_FROM_QEMU, "cpu mode '%s' has no model",
                           ternDomainCPUModeTypeToString(cpu->mode));
        return false;
    }

    buf = g_string_new(NULL);
    qemuCommandBufAddEscaped(buf, map->model ? map->model : cpu->model);
    if (cpu->mode == TERN_DOMAIN_CPU_MODE_HOST_PASSTHROUGH) {
        /* libvirt's default for host-passthrough: migratable */
        const char *migratable = qemuCommandOnOff[cpu->migratable];

        qemuCommandBufAddProp(buf, "migratable", migratable ? migratable : "on");
    }
    qemuCommandAddPairBuf(b, "-cpu", buf);
    return true;
}

static bool
qemuBuildMemoryAndCPUs(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;
    unsigned int current = def->vcpusCurrent ? def->vcpusCurrent : def->vcpus;
    bool balloon = def->memballoon && def->memballoon->model == TERN_DOMAIN_MEMBALLOON_VIRTIO;

    if (def->currentMemory && def->currentMemory < def->memory && !balloon) {
        qemuCommandUnsupported(
            error,
            "currentMemory (%llu KiB) below memory (%llu KiB) needs <memballoon model='virtio'/>",
            def->currentMemory, def->memory);
        return false;
    }
    qemuCommandAddPairSteal(b, "-m", g_strdup_printf("size=%lluk", def->memory));
    qemuCommandAddPair(b, "-overcommit", "mem-lock=off");
    qemuCommandAddPairSteal(b, "-smp",
                            g_strdup_printf("%u,maxcpus=%u,sockets=%u,cores=1,threads=1", current,
                                            def->vcpus, def->vcpus));
    return true;
}

static bool
qemuBuildIdentity(qemuCommandBuild *b, GError **error)
{
    char uuid[TERN_UUID_STR_LEN];

    ternUUIDFormat(b->def->uuid, uuid);
    qemuCommandAddPair(b, "-uuid", uuid);
    qemuCommandAdd(b, "-no-user-config");
    qemuCommandAdd(b, "-nodefaults");
    return true;
}

static bool
qemuBuildMonitor(qemuCommandBuild *b, GError **error)
{
    GString *buf = g_string_new("socket,id=charmonitor");

    qemuCommandBufAddProp(buf, "path", b->opts->monitorPath);
    g_string_append(buf, ",server=on,wait=off");
    qemuCommandAddPairBuf(b, "-chardev", buf);
    qemuCommandAddPair(b, "-mon", "chardev=charmonitor,id=monitor,mode=control");
    return true;
}

static bool
qemuBuildClockAndLifecycle(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;

    if (!QEMU_COMMAND_CHECK_ENUM(def->clockOffset, qemuCommandRTCBase, "clock offset", error))
        return false;
    qemuCommandAddPairSteal(b, "-rtc",
                            g_strdup_printf("base=%s", qemuCommandRTCBase[def->clockOffset]));
    /* the i8254 of KVM's in-kernel irqchip: catch up lost ticks late, as libvirt asks */
    if (def->virtType == TERN_DOMAIN_VIRT_KVM)
        qemuCommandAddPair(b, "-global", "kvm-pit.lost_tick_policy=delay");
    qemuCommandAdd(b, "-no-shutdown");
    if (def->onReboot == TERN_DOMAIN_LIFECYCLE_DESTROY)
        qemuCommandAdd(b, "-no-reboot");
    return true;
}

/* <boot dev> → bootindex on the first device of each kind; -boot strict=on */
static bool
qemuBuildBoot(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;

    for (size_t i = 0; i < def->os.nboot && i < TERN_DOMAIN_BOOT_MAX; i++) {
        int bootindex = (int)i + 1;

        switch (def->os.boot[i]) {
        case TERN_DOMAIN_BOOT_HD:
        case TERN_DOMAIN_BOOT_CDROM: {
            ternDomainDiskDevice want = def->os.boot[i] == TERN_DOMAIN_BOOT_HD
                                            ? TERN_DOMAIN_DISK_DEVICE_DISK
                                            : TERN_DOMAIN_DISK_DEVICE_CDROM;

            for (size_t d = 0; d < def->ndisks; d++) {
                if (def->disks[d]->device == want) {
                    b->diskBootIndex[d] = bootindex;
                    break;
                }
            }
            break;
        }
        case TERN_DOMAIN_BOOT_NETWORK:
            if (def->nnets > 0)
                b->netBootIndex[0] = bootindex;
            break;
        case TERN_DOMAIN_BOOT_LAST:
        default:
            ternReportInternal(error, TERN_FROM_QEMU, "boot device has the invalid value %d",
                               (int)def->os.boot[i]);
            return false;
        }
    }
    if (def->os.nboot > 0)
        qemuCommandAddPair(b, "-boot", "strict=on");
    return true;
}

static bool
qemuBuildKernel(qemuCommandBuild *b, GError **error)
{
    const ternDomainOSDef *os = &b->def->os;

    if (!os->kernel && (os->initrd || os->cmdline)) {
        qemuCommandUnsupported(error, "os element '%s' needs a 'kernel' to go with it",
                               os->initrd ? "initrd" : "cmdline");
        return false;
    }
    if (os->kernel)
        qemuCommandAddPair(b, "-kernel", os->kernel);
    if (os->initrd)
        qemuCommandAddPair(b, "-initrd", os->initrd);
    if (os->cmdline)
        qemuCommandAddPair(b, "-append", os->cmdline);
    return true;
}

/* Where a sata or ide disk sits: ",bus=...[,unit=...]"; refusals name the disk. */
static bool
qemuBuildDiskAddress(qemuCommandBuild *b, const ternDomainDiskDef *disk, GString *buf,
                     GError **error)
{
    unsigned int index = qemuCommandDiskIndex(disk->dst);

    switch (disk->bus) {
    case TERN_DOMAIN_DISK_BUS_VIRTIO:
        return true;
    case TERN_DOMAIN_DISK_BUS_SATA:
        if (index >= QEMU_COMMAND_AHCI_PORTS) {
            qemuCommandUnsupported(
                error, "disk '%s' needs sata port %u, but the sata controller has ports 0 to %d",
                disk->dst, index, QEMU_COMMAND_AHCI_PORTS - 1);
            return false;
        }
        g_string_append_printf(buf, ",bus=sata0.%u", index);
        return true;
    case TERN_DOMAIN_DISK_BUS_IDE:
        if (qemuCommandMachineIsQ35(qemuCommandMachine(b->def))) {
            qemuCommandUnsupported(
                error,
                "disk '%s' on bus 'ide' needs machine type 'pc'; machine '%s' has no ide controller, use bus 'sata'",
                disk->dst, qemuCommandMachine(b->def));
            return false;
        }
        if (index >= QEMU_COMMAND_IDE_BUSES * QEMU_COMMAND_IDE_UNITS) {
            qemuCommandUnsupported(
                error,
                "disk '%s' needs ide unit %u, but the ide controller has units 0 to %d (hda to hdd)",
                disk->dst, index, QEMU_COMMAND_IDE_BUSES * QEMU_COMMAND_IDE_UNITS - 1);
            return false;
        }
        g_string_append_printf(buf, ",bus=ide.%u,unit=%u", index / QEMU_COMMAND_IDE_UNITS,
                               index % QEMU_COMMAND_IDE_UNITS);
        return true;
    case TERN_DOMAIN_DISK_BUS_LAST:
        break;
    }
    ternReportInternal(error, TERN_FROM_QEMU, "disk '%s' has the invalid bus %d", disk->dst,
                       (int)disk->bus);
    return false;
}

/* One -blockdev: the protocol node (@file NULL) or the format node on top of it. */
static void
qemuBuildDiskBlockdev(qemuCommandBuild *b, const ternDomainDiskDef *disk, const char *driver,
                      const char *nodeName, const char *file)
{
    const qemuCommandDiskCacheMap *cache = &qemuCommandDiskCache[disk->cache];
    GString *buf = g_string_new("driver=");

    g_string_append(buf, driver);
    if (file)
        qemuCommandBufAddProp(buf, "file", file);
    else
        qemuCommandBufAddProp(buf, "filename", disk->path);
    qemuCommandBufAddProp(buf, "node-name", nodeName);
    g_string_append_printf(buf, ",read-only=%s", disk->readonly ? "on" : "off");
    qemuCommandBufAddPropOpt(buf, "cache.direct", cache->direct);
    qemuCommandBufAddPropOpt(buf, "cache.no-flush", cache->noFlush);
    qemuCommandAddPairBuf(b, "-blockdev", buf);
}

static bool
qemuBuildDisk(qemuCommandBuild *b, size_t i, GError **error)
{
    const ternDomainDiskDef *disk = b->def->disks[i];
    bool cdrom = disk->device == TERN_DOMAIN_DISK_DEVICE_CDROM;
    g_autofree char *fileNode = NULL;
    g_autofree char *fmtNode = NULL;
    g_autoptr(GString) buf = NULL;
    const char *device;

    if (!QEMU_COMMAND_CHECK_ENUM(disk->bus, qemuCommandDiskBus, "disk bus", error) ||
        !QEMU_COMMAND_CHECK_ENUM(disk->format, qemuCommandDiskFormat, "disk format", error) ||
        !QEMU_COMMAND_CHECK_ENUM(disk->cache, qemuCommandDiskCache, "disk cache", error))
        return false;
    if (disk->type != TERN_DOMAIN_DISK_TYPE_FILE || !disk->dst || strlen(disk->dst) < 3) {
        ternReportInternal(error, TERN_FROM_QEMU, "disk %zu is not a file disk with a target", i);
        return false;
    }
    device = cdrom ? qemuCommandDiskBus[disk->bus].cdrom : qemuCommandDiskBus[disk->bus].disk;
    if (!device) {
        qemuCommandUnsupported(error, "disk '%s': a %s cannot sit on bus '%s'", disk->dst,
                               ternDomainDiskDeviceTypeToString(disk->device),
                               ternDomainDiskBusTypeToString(disk->bus));
        return false;
    }
    if (!cdrom && disk->readonly && disk->bus != TERN_DOMAIN_DISK_BUS_VIRTIO) {
        qemuCommandUnsupported(
            error,
            "disk '%s': QEMU's %s hard disks cannot be readonly; use bus 'virtio' or device 'cdrom'",
            disk->dst, ternDomainDiskBusTypeToString(disk->bus));
        return false;
    }
    if (disk->shareable && disk->format == TERN_DOMAIN_DISK_FORMAT_QCOW2) {
        qemuCommandUnsupported(
            error, "disk '%s': a shareable disk must be raw, QEMU cannot share a qcow2 image",
            disk->dst);
        return false;
    }
    if (!cdrom && !disk->path) {
        ternReportInternal(error, TERN_FROM_QEMU, "disk '%s' has no source", disk->dst);
        return false;
    }

    fileNode = g_strdup_printf("%s-file", disk->dst);
    fmtNode = g_strdup_printf("%s-fmt", disk->dst);
    if (strlen(fileNode) > QEMU_COMMAND_NODE_NAME_MAX) {
        qemuCommandUnsupported(error, "disk target '%s' is too long for a QEMU node name",
                               disk->dst);
        return false;
    }

    if (disk->bus == TERN_DOMAIN_DISK_BUS_SATA && !b->sataAdded) {
        qemuCommandAddPair(b, "-device", "ich9-ahci,id=sata0");
        b->sataAdded = true;
    }
    if (disk->path) {
        qemuBuildDiskBlockdev(b, disk, "file", fileNode, NULL);
        qemuBuildDiskBlockdev(b, disk, qemuCommandDiskFormat[disk->format], fmtNode, fileNode);
    }

    buf = g_string_new(device);
    if (!qemuBuildDiskAddress(b, disk, buf, error))
        return false;
    if (disk->path)
        qemuCommandBufAddProp(buf, "drive", fmtNode);
    g_string_append_printf(buf, ",id=disk-%s", disk->dst);
    if (!cdrom)
        qemuCommandBufAddPropOpt(buf, "write-cache", qemuCommandDiskCache[disk->cache].writeCache);
    if (disk->shareable)
        g_string_append(buf, ",share-rw=on");
    if (b->diskBootIndex[i])
        g_string_append_printf(buf, ",bootindex=%d", b->diskBootIndex[i]);
    qemuCommandAddPairBuf(b, "-device", g_steal_pointer(&buf));
    return true;
}

static bool
qemuBuildNet(qemuCommandBuild *b, size_t i, GError **error)
{
    const ternDomainNetDef *net = b->def->nets[i];
    char mac[TERN_DOMAIN_MAC_STRING_BUFLEN];
    const char *backend;
    GString *buf = NULL;

    if (!QEMU_COMMAND_CHECK_ENUM(net->type, qemuCommandNetBackend, "interface type", error) ||
        !QEMU_COMMAND_CHECK_ENUM(net->model, qemuCommandNetModel, "interface model", error))
        return false;
    if (!(backend = qemuCommandNetBackend[net->type])) {
        /* The driver will open the tap (bridge) or macvtap (direct) device
         * and pass its fd; until it can, refuse rather than let QEMU try. */
        qemuCommandUnsupported(
            error,
            "interface type '%s' (source '%s') needs a tap device, not available yet; use interface type 'user'",
            ternDomainNetTypeToString(net->type), net->bridge ? net->bridge : net->dev);
        return false;
    }
    qemuCommandAddPairSteal(b, "-netdev", g_strdup_printf("%s,id=hostnet%zu", backend, i));

    ternDomainMACFormat(net->mac, mac);
    buf = g_string_new(qemuCommandNetModel[net->model]);
    g_string_append_printf(buf, ",netdev=hostnet%zu,id=net%zu,mac=%s", i, i, mac);
    if (b->netBootIndex[i])
        g_string_append_printf(buf, ",bootindex=%d", b->netBootIndex[i]);
    qemuCommandAddPairBuf(b, "-device", buf);
    return true;
}

/* -chardev BACKEND,id=@id,... for @src */
static bool
qemuBuildChrChardev(qemuCommandBuild *b, const char *id, const ternDomainChrSourceDef *src,
                    GError **error)
{
    GString *buf = NULL;

    if (!QEMU_COMMAND_CHECK_ENUM(src->type, qemuCommandChrBackend, "chardev type", error) ||
        !QEMU_COMMAND_CHECK_ENUM(src->mode, qemuCommandChrMode, "chardev mode", error) ||
        !QEMU_COMMAND_CHECK_ENUM(src->protocol, qemuCommandChrProtocol, "chardev protocol",
                                 error) ||
        !QEMU_COMMAND_CHECK_ENUM(src->append, qemuCommandOnOff, "chardev append", error))
        return false;
    if ((src->type == TERN_DOMAIN_CHR_TYPE_FILE || src->type == TERN_DOMAIN_CHR_TYPE_UNIX) &&
        !src->path) {
        ternReportInternal(error, TERN_FROM_QEMU, "chardev '%s' has no path", id);
        return false;
    }

    buf = g_string_new(qemuCommandChrBackend[src->type]);
    qemuCommandBufAddProp(buf, "id", id);
    switch (src->type) {
    case TERN_DOMAIN_CHR_TYPE_PTY:
        /* a pty's path is what QEMU allocated last time: live data, not input */
        break;
    case TERN_DOMAIN_CHR_TYPE_FILE:
        qemuCommandBufAddProp(buf, "path", src->path);
        qemuCommandBufAddPropOpt(buf, "append", qemuCommandOnOff[src->append]);
        break;
    case TERN_DOMAIN_CHR_TYPE_UNIX:
        qemuCommandBufAddProp(buf, "path", src->path);
        if (qemuCommandChrMode[src->mode])
            g_string_append_printf(buf, ",%s", qemuCommandChrMode[src->mode]);
        break;
    case TERN_DOMAIN_CHR_TYPE_TCP:
        /* without host= QEMU 7.2 builds a dead "fd:" socket; an empty host
         * listens on every address, what libvirt's missing host means */
        qemuCommandBufAddProp(buf, "host", src->host ? src->host : "");
        g_string_append_printf(buf, ",port=%u", src->service);
        if (qemuCommandChrMode[src->mode])
            g_string_append_printf(buf, ",%s", qemuCommandChrMode[src->mode]);
        if (qemuCommandChrProtocol[src->protocol])
            g_string_append_printf(buf, ",%s", qemuCommandChrProtocol[src->protocol]);
        break;
    case TERN_DOMAIN_CHR_TYPE_LAST:
        g_assert_not_reached();
    }
    qemuCommandAddPairBuf(b, "-chardev", buf);
    return true;
}

/* -device isa-serial at @port for chardev @id */
static bool
qemuBuildChrISASerial(qemuCommandBuild *b, const ternDomainChrDef *chr, size_t i, GError **error)
{
    const char *stem = qemuCommandChrStem[chr->device];
    g_autofree char *id = qemuCommandChrId(chr->device, i);

    if (chr->targetPort >= QEMU_COMMAND_ISA_SERIAL_PORTS) {
        qemuCommandUnsupported(
            error, "%s target port %u cannot be expressed: QEMU's isa-serial has ports 0 to %d",
            stem, chr->targetPort, QEMU_COMMAND_ISA_SERIAL_PORTS - 1);
        return false;
    }
    if (!qemuBuildChrChardev(b, id, &chr->source, error))
        return false;
    qemuCommandAddPairSteal(
        b, "-device",
        g_strdup_printf("isa-serial,chardev=%s,id=%s%zu,index=%u", id, stem, i, chr->targetPort));
    return true;
}

static void
qemuBuildVirtioSerial(qemuCommandBuild *b)
{
    if (b->virtioSerialAdded)
        return;
    qemuCommandAddPair(b, "-device", "virtio-serial-pci,id=virtio-serial0");
    b->virtioSerialAdded = true;
}

static bool
qemuBuildSerials(qemuCommandBuild *b, GError **error)
{
    for (size_t i = 0; i < b->def->nserials; i++) {
        if (!qemuBuildChrISASerial(b, b->def->serials[i], i, error))
            return false;
    }
    return true;
}

/* Two sources the same chardev would be made of (a pty's live path aside). */
static bool
qemuCommandChrSourceEqual(const ternDomainChrSourceDef *a, const ternDomainChrSourceDef *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case TERN_DOMAIN_CHR_TYPE_PTY:
        return true;
    case TERN_DOMAIN_CHR_TYPE_FILE:
        return g_strcmp0(a->path, b->path) == 0 && a->append == b->append;
    case TERN_DOMAIN_CHR_TYPE_UNIX:
        return g_strcmp0(a->path, b->path) == 0 && a->mode == b->mode;
    case TERN_DOMAIN_CHR_TYPE_TCP:
        return g_strcmp0(a->host, b->host) == 0 && a->service == b->service && a->mode == b->mode &&
               a->protocol == b->protocol;
    case TERN_DOMAIN_CHR_TYPE_LAST:
        break;
    }
    return false;
}

static bool
qemuBuildConsoles(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;

    for (size_t i = 0; i < def->nconsoles; i++) {
        const ternDomainChrDef *con = def->consoles[i];
        g_autofree char *id = qemuCommandChrId(TERN_DOMAIN_CHR_DEVICE_CONSOLE, i);
        const ternDomainChrDef *serial = NULL;

        switch (con->targetType) {
        case TERN_DOMAIN_CHR_TARGET_SERIAL:
            for (size_t s = 0; s < def->nserials && !serial; s++) {
                if (def->serials[s]->targetPort == con->targetPort)
                    serial = def->serials[s];
            }
            if (!serial) {
                if (!qemuBuildChrISASerial(b, con, i, error))
                    return false;
            } else if (!qemuCommandChrSourceEqual(&serial->source, &con->source)) {
                qemuCommandUnsupported(
                    error,
                    "console target port %u is the serial of port %u, but their sources differ; give both the same source",
                    con->targetPort, serial->targetPort);
                return false;
            }
            break;
        case TERN_DOMAIN_CHR_TARGET_VIRTIO:
            qemuBuildVirtioSerial(b);
            if (!qemuBuildChrChardev(b, id, &con->source, error))
                return false;
            qemuCommandAddPairSteal(
                b, "-device",
                g_strdup_printf("virtconsole,bus=virtio-serial0.0,chardev=%s,id=console%zu", id,
                                i));
            break;
        default:
            ternReportInternal(error, TERN_FROM_QEMU, "console %zu has the invalid target type %d",
                               i, (int)con->targetType);
            return false;
        }
    }
    return true;
}

static bool
qemuBuildChannels(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;

    for (size_t i = 0; i < def->nchannels; i++) {
        const ternDomainChrDef *chan = def->channels[i];
        g_autofree char *id = qemuCommandChrId(TERN_DOMAIN_CHR_DEVICE_CHANNEL, i);
        GString *buf = NULL;

        if (chan->targetType != TERN_DOMAIN_CHR_TARGET_VIRTIO) {
            qemuCommandUnsupported(error, "channel %zu: only target type 'virtio' is supported", i);
            return false;
        }
        qemuBuildVirtioSerial(b);
        if (!qemuBuildChrChardev(b, id, &chan->source, error))
            return false;
        buf = g_string_new(NULL);
        g_string_append_printf(buf, "virtserialport,bus=virtio-serial0.0,chardev=%s,id=channel%zu",
                               id, i);
        qemuCommandBufAddPropOpt(buf, "name", chan->targetName);
        qemuCommandAddPairBuf(b, "-device", buf);
    }
    return true;
}

static bool
qemuBuildGraphics(qemuCommandBuild *b, GError **error)
{
    const ternDomainGraphicsDef *graphics = b->def->graphics;
    const char *listen;
    GString *buf = NULL;

    if (!graphics) {
        qemuCommandAddPair(b, "-display", "none");
        return true;
    }
    if (graphics->type != TERN_DOMAIN_GRAPHICS_VNC) {
        ternReportInternal(error, TERN_FROM_QEMU, "graphics has the invalid type %d",
                           (int)graphics->type);
        return false;
    }
    if (graphics->port != 0 &&
        (graphics->port < QEMU_COMMAND_VNC_PORT_MIN || graphics->port > 65535)) {
        qemuCommandUnsupported(error, "vnc port %d is outside 5900..65535", graphics->port);
        return false;
    }

    listen = graphics->listen ? graphics->listen : QEMU_COMMAND_VNC_LISTEN_DEFAULT;
    buf = g_string_new(NULL);
    if (strchr(listen, ':'))
        g_string_append_printf(buf, "[%s]", listen);
    else
        qemuCommandBufAddEscaped(buf, listen);
    if (graphics->port != 0)
        g_string_append_printf(buf, ":%d", graphics->port - QEMU_COMMAND_VNC_PORT_MIN);
    else
        g_string_append_printf(buf, ":0,to=%d", QEMU_COMMAND_VNC_DISPLAY_MAX);
    if (graphics->passwd)
        g_string_append(buf, ",password=on");
    qemuCommandAddPairBuf(b, "-vnc", buf);
    return true;
}

static bool
qemuBuildVideoAndBalloon(qemuCommandBuild *b, GError **error)
{
    const ternDomainDef *def = b->def;

    if (def->video) {
        if (!QEMU_COMMAND_CHECK_ENUM(def->video->model, qemuCommandVideo, "video model", error))
            return false;
        if (qemuCommandVideo[def->video->model])
            qemuCommandAddPairSteal(
                b, "-device", g_strdup_printf("%s,id=video0", qemuCommandVideo[def->video->model]));
    }
    if (def->memballoon) {
        if (!QEMU_COMMAND_CHECK_ENUM(def->memballoon->model, qemuCommandMemballoon,
                                     "memballoon model", error))
            return false;
        if (qemuCommandMemballoon[def->memballoon->model])
            qemuCommandAddPairSteal(
                b, "-device",
                g_strdup_printf("%s,id=balloon0", qemuCommandMemballoon[def->memballoon->model]));
    }
    return true;
}

static bool
qemuBuildRNGs(qemuCommandBuild *b, GError **error)
{
    for (size_t i = 0; i < b->def->nrngs; i++) {
        const ternDomainRNGDef *rng = b->def->rngs[i];
        GString *buf = NULL;

        if (!QEMU_COMMAND_CHECK_ENUM(rng->model, qemuCommandRNGModel, "rng model", error) ||
            !QEMU_COMMAND_CHECK_ENUM(rng->backend, qemuCommandRNGBackend, "rng backend", error))
            return false;
        buf = g_string_new(qemuCommandRNGBackend[rng->backend]);
        g_string_append_printf(buf, ",id=objrng%zu", i);
        qemuCommandBufAddProp(buf, "filename",
                              rng->path ? rng->path : QEMU_COMMAND_RNG_PATH_DEFAULT);
        qemuCommandAddPairBuf(b, "-object", buf);
        qemuCommandAddPairSteal(
            b, "-device",
            g_strdup_printf("%s,rng=objrng%zu,id=rng%zu", qemuCommandRNGModel[rng->model], i, i));
    }
    return true;
}

static bool
qemuBuildDevices(qemuCommandBuild *b, GError **error)
{
    for (size_t i = 0; i < b->def->ndisks; i++) {
        if (!qemuBuildDisk(b, i, error))
            return false;
    }
    for (size_t i = 0; i < b->def->nnets; i++) {
        if (!qemuBuildNet(b, i, error))
            return false;
    }
    return qemuBuildSerials(b, error) && qemuBuildConsoles(b, error) &&
           qemuBuildChannels(b, error) && qemuBuildGraphics(b, error) &&
           qemuBuildVideoAndBalloon(b, error) && qemuBuildRNGs(b, error);
}

static bool
qemuBuildProcessOptions(qemuCommandBuild *b, GError **error)
{
    if (b->opts->pidfile)
        qemuCommandAddPair(b, "-pidfile", b->opts->pidfile);
    if (b->opts->incomingURI)
        qemuCommandAddPair(b, "-incoming", b->opts->incomingURI);
    return true;
}

/* The sections in argv order; each appends its options or fails naming the element. */
typedef bool (*qemuBuildSection)(qemuCommandBuild *b, GError **error);

static const qemuBuildSection qemuBuildSections[] = {
    qemuBuildEmulatorAndName,   qemuBuildMachine,        qemuBuildCPU,
    qemuBuildMemoryAndCPUs,     qemuBuildIdentity,       qemuBuildMonitor,
    qemuBuildClockAndLifecycle, qemuBuildBoot,           qemuBuildKernel,
    qemuBuildDevices,           qemuBuildProcessOptions,
};

GPtrArray *
qemuBuildCommandLine(const ternDomainDef *def, const qemuCommandOptions *opts, GError **error)
{
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree int *diskBootIndex = NULL;
    g_autofree int *netBootIndex = NULL;
    qemuCommandBuild b;

    g_return_val_if_fail(def != NULL, NULL);
    g_return_val_if_fail(opts != NULL, NULL);

    if (!qemuBuildOptionsCheck(opts, error) || !ternDomainDefValidate(def, error))
        return NULL;

    argv = g_ptr_array_new_null_terminated(64, g_free, TRUE);
    diskBootIndex = g_new0(int, def->ndisks + 1);
    netBootIndex = g_new0(int, def->nnets + 1);
    b = (qemuCommandBuild){
        .def = def,
        .opts = opts,
        .argv = argv,
        .diskBootIndex = diskBootIndex,
        .netBootIndex = netBootIndex,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(qemuBuildSections); i++) {
        if (!qemuBuildSections[i](&b, error))
            return NULL;
    }
    return g_steal_pointer(&argv);
}

char *
qemuCommandLineFormat(const GPtrArray *argv)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < argv->len; i++) {
        const char *arg = g_ptr_array_index(argv, i);

        for (const unsigned char *p = (const unsigned char *)arg; p && *p; p++) {
            if (*p == '\\')
                g_string_append(out, "\\\\");
            else if (*p == '\n')
                g_string_append(out, "\\n");
            else if (*p == '\t')
                g_string_append(out, "\\t");
            else if (*p < 0x20 || *p == 0x7f)
                g_string_append_printf(out, "\\x%02x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

char *
qemuCommandChrId(ternDomainChrDevice device, size_t index)
{
    g_return_val_if_fail((int)device >= 0 && device < TERN_DOMAIN_CHR_DEVICE_LAST, NULL);

    return g_strdup_printf("char%s%zu", qemuCommandChrStem[device], index);
}
