/* domain_conf.h: the typed model of libvirt domain XML, with its parser and formatter */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "util/ternutil.h"

/*
 * tern understands a fixed subset of libvirt's domain XML; tests/data/domainxml
 * holds an example of every element and one refused document per error.
 *
 *   <domain type='qemu|kvm|test' [id='N']>
 *     name uuid title description
 *     memory currentMemory (unit: b bytes k KiB KB M MiB MB G GiB GB T TiB TB P PiB PB E EiB EB)
 *     vcpu [placement='static'] [current='N']
 *     os: type [arch='x86_64'] [machine] (hvm), kernel, initrd, cmdline,
 *         boot dev='hd|cdrom|network'
 *     features: acpi apic pae
 *     cpu mode='custom|host-model|host-passthrough' [match] [check] [migratable], model [fallback]
 *     clock offset='utc|localtime'
 *     on_poweroff on_reboot on_crash
 *     devices:
 *       emulator
 *       disk type='file' device='disk|cdrom': driver name='qemu' type='raw|qcow2' cache,
 *         source file, target dev bus='virtio|sata|ide', readonly, shareable
 *       interface type='user|bridge|direct': mac, source bridge | source dev mode,
 *         model type='virtio|e1000', target dev (live)
 *       serial, console, channel type='pty|file|unix|tcp' (channel: unix only): source
 *         path append | mode path | mode host service, protocol type='raw|telnet', target
 *       graphics type='vnc' port autoport listen passwd, listen type='address' address
 *       video/model type='vga|none', memballoon model='virtio|none',
 *       rng model='virtio'/backend model='random'
 *
 * Everything else is refused by name: an unknown element or attribute is
 * TERN_ERR_CONFIG_UNSUPPORTED, an invalid value TERN_ERR_XML_ERROR, and a
 * value libvirt knows but tern cannot honour (disk bus 'scsi', interface
 * type 'network') TERN_ERR_CONFIG_UNSUPPORTED. No xmlNode leaves this module.
 *
 * Every array below is a "T **items; size_t nitems" pair owned by the def.
 * Strings are owned, NUL-terminated UTF-8; NULL means "absent".
 */

/* The largest document accepted, equal to the wire's REMOTE_STRING_MAX. */
#define TERN_DOMAIN_XML_MAX_LEN 4194304

#define TERN_DOMAIN_NAME_MAX_LEN 255
#define TERN_DOMAIN_VCPUS_MAX 255
#define TERN_DOMAIN_MAC_BUFLEN 6
#define TERN_DOMAIN_MAC_STRING_BUFLEN 18
#define TERN_DOMAIN_BOOT_MAX 3
/* Per kind of device (disks, interfaces, serials, consoles, channels, rngs):
 * far above what one PCI bus holds, and it keeps every check linear-ish. */
#define TERN_DOMAIN_DEVICES_MAX 256

/* The public XML flags and these share their numeric values. */
typedef enum {
    TERN_DOMAIN_DEF_FORMAT_SECURE = 1 << 0,     /* include passwords */
    TERN_DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,   /* omit id and live-only data */
    TERN_DOMAIN_DEF_FORMAT_MIGRATABLE = 1 << 3, /* accepted; tern adds no implicit devices */
} ternDomainDefFormatFlags;

typedef enum {
    TERN_DOMAIN_DEF_PARSE_INACTIVE = 1 << 0, /* ignore id and live-only data */
} ternDomainDefParseFlags;

/*
 * Enums. Each has ...TypeToString (NULL for out-of-range values) and
 * ...TypeFromString (-1 if unknown), generated from one table of names.
 * Where a value 0 is named "default" or "absent", it stands for an
 * attribute that was not given and is never formatted.
 */

typedef enum {
    TERN_DOMAIN_TRISTATE_ABSENT = 0,
    TERN_DOMAIN_TRISTATE_ON,
    TERN_DOMAIN_TRISTATE_OFF,
    TERN_DOMAIN_TRISTATE_LAST
} ternDomainTristate; /* "absent", "on", "off" */

typedef enum {
    TERN_DOMAIN_VIRT_QEMU,
    TERN_DOMAIN_VIRT_KVM,
    TERN_DOMAIN_VIRT_TEST,
    TERN_DOMAIN_VIRT_LAST
} ternDomainVirtType; /* <domain type='..'> */

typedef enum { TERN_DOMAIN_OS_TYPE_HVM, TERN_DOMAIN_OS_TYPE_LAST } ternDomainOSType;

typedef enum { TERN_DOMAIN_ARCH_X86_64, TERN_DOMAIN_ARCH_LAST } ternDomainArch;

typedef enum {
    TERN_DOMAIN_BOOT_HD,
    TERN_DOMAIN_BOOT_CDROM,
    TERN_DOMAIN_BOOT_NETWORK,
    TERN_DOMAIN_BOOT_LAST
} ternDomainBootDev; /* "hd", "cdrom", "network" */

typedef enum {
    TERN_DOMAIN_FEATURE_ACPI,
    TERN_DOMAIN_FEATURE_APIC,
    TERN_DOMAIN_FEATURE_PAE,
    TERN_DOMAIN_FEATURE_LAST
} ternDomainFeature;

typedef enum {
    TERN_DOMAIN_CPU_MODE_CUSTOM,
    TERN_DOMAIN_CPU_MODE_HOST_MODEL,
    TERN_DOMAIN_CPU_MODE_HOST_PASSTHROUGH,
    TERN_DOMAIN_CPU_MODE_LAST
} ternDomainCPUMode;

typedef enum {
    TERN_DOMAIN_CPU_MATCH_DEFAULT = 0,
    TERN_DOMAIN_CPU_MATCH_MINIMUM,
    TERN_DOMAIN_CPU_MATCH_EXACT,
    TERN_DOMAIN_CPU_MATCH_STRICT,
    TERN_DOMAIN_CPU_MATCH_LAST
} ternDomainCPUMatch;

typedef enum {
    TERN_DOMAIN_CPU_CHECK_DEFAULT = 0,
    TERN_DOMAIN_CPU_CHECK_NONE,
    TERN_DOMAIN_CPU_CHECK_PARTIAL,
    TERN_DOMAIN_CPU_CHECK_FULL,
    TERN_DOMAIN_CPU_CHECK_LAST
} ternDomainCPUCheck;

typedef enum {
    TERN_DOMAIN_CPU_FALLBACK_DEFAULT = 0,
    TERN_DOMAIN_CPU_FALLBACK_ALLOW,
    TERN_DOMAIN_CPU_FALLBACK_FORBID,
    TERN_DOMAIN_CPU_FALLBACK_LAST
} ternDomainCPUFallback;

typedef enum {
    TERN_DOMAIN_CLOCK_OFFSET_UTC,
    TERN_DOMAIN_CLOCK_OFFSET_LOCALTIME,
    TERN_DOMAIN_CLOCK_OFFSET_LAST
} ternDomainClockOffset;

typedef enum {
    TERN_DOMAIN_LIFECYCLE_DESTROY,
    TERN_DOMAIN_LIFECYCLE_RESTART,
    TERN_DOMAIN_LIFECYCLE_PRESERVE,
    TERN_DOMAIN_LIFECYCLE_RENAME_RESTART,
    TERN_DOMAIN_LIFECYCLE_COREDUMP_DESTROY, /* on_crash only */
    TERN_DOMAIN_LIFECYCLE_COREDUMP_RESTART, /* on_crash only */
    TERN_DOMAIN_LIFECYCLE_LAST
} ternDomainLifecycleAction;

typedef enum { TERN_DOMAIN_DISK_TYPE_FILE, TERN_DOMAIN_DISK_TYPE_LAST } ternDomainDiskType;

typedef enum {
    TERN_DOMAIN_DISK_DEVICE_DISK,
    TERN_DOMAIN_DISK_DEVICE_CDROM,
    TERN_DOMAIN_DISK_DEVICE_LAST
} ternDomainDiskDevice;

typedef enum {
    TERN_DOMAIN_DISK_BUS_VIRTIO,
    TERN_DOMAIN_DISK_BUS_SATA,
    TERN_DOMAIN_DISK_BUS_IDE,
    TERN_DOMAIN_DISK_BUS_LAST
} ternDomainDiskBus;

typedef enum {
    TERN_DOMAIN_DISK_DRIVER_DEFAULT = 0, /* no name= given */
    TERN_DOMAIN_DISK_DRIVER_QEMU,
    TERN_DOMAIN_DISK_DRIVER_LAST
} ternDomainDiskDriver;

typedef enum {
    TERN_DOMAIN_DISK_FORMAT_DEFAULT = 0, /* no type= given: the driver picks raw */
    TERN_DOMAIN_DISK_FORMAT_RAW,
    TERN_DOMAIN_DISK_FORMAT_QCOW2,
    TERN_DOMAIN_DISK_FORMAT_LAST
} ternDomainDiskFormat;

typedef enum {
    TERN_DOMAIN_DISK_CACHE_DEFAULT = 0, /* also what cache='default' parses to */
    TERN_DOMAIN_DISK_CACHE_NONE,
    TERN_DOMAIN_DISK_CACHE_WRITETHROUGH,
    TERN_DOMAIN_DISK_CACHE_WRITEBACK,
    TERN_DOMAIN_DISK_CACHE_DIRECTSYNC,
    TERN_DOMAIN_DISK_CACHE_UNSAFE,
    TERN_DOMAIN_DISK_CACHE_LAST
} ternDomainDiskCache;

typedef enum {
    TERN_DOMAIN_NET_TYPE_USER,
    TERN_DOMAIN_NET_TYPE_BRIDGE,
    TERN_DOMAIN_NET_TYPE_DIRECT,
    TERN_DOMAIN_NET_TYPE_LAST
} ternDomainNetType;

typedef enum {
    TERN_DOMAIN_NET_MODEL_DEFAULT = 0, /* no <model>: the driver picks */
    TERN_DOMAIN_NET_MODEL_VIRTIO,
    TERN_DOMAIN_NET_MODEL_E1000,
    TERN_DOMAIN_NET_MODEL_LAST
} ternDomainNetModel;

typedef enum {
    TERN_DOMAIN_NET_DIRECT_VEPA,
    TERN_DOMAIN_NET_DIRECT_BRIDGE,
    TERN_DOMAIN_NET_DIRECT_PRIVATE,
    TERN_DOMAIN_NET_DIRECT_PASSTHROUGH,
    TERN_DOMAIN_NET_DIRECT_LAST
} ternDomainNetDirectMode;

typedef enum {
    TERN_DOMAIN_CHR_DEVICE_SERIAL,
    TERN_DOMAIN_CHR_DEVICE_CONSOLE,
    TERN_DOMAIN_CHR_DEVICE_CHANNEL,
    TERN_DOMAIN_CHR_DEVICE_LAST
} ternDomainChrDevice; /* the element name */

typedef enum {
    TERN_DOMAIN_CHR_TYPE_PTY,
    TERN_DOMAIN_CHR_TYPE_FILE,
    TERN_DOMAIN_CHR_TYPE_UNIX,
    TERN_DOMAIN_CHR_TYPE_TCP,
    TERN_DOMAIN_CHR_TYPE_LAST
} ternDomainChrType;

typedef enum {
    TERN_DOMAIN_CHR_MODE_CONNECT,
    TERN_DOMAIN_CHR_MODE_BIND,
    TERN_DOMAIN_CHR_MODE_LAST
} ternDomainChrMode;

typedef enum {
    TERN_DOMAIN_CHR_PROTOCOL_RAW,
    TERN_DOMAIN_CHR_PROTOCOL_TELNET,
    TERN_DOMAIN_CHR_PROTOCOL_LAST
} ternDomainChrProtocol;

typedef enum {
    TERN_DOMAIN_CHR_TARGET_DEFAULT = 0, /* serial devices: no type= */
    TERN_DOMAIN_CHR_TARGET_SERIAL,      /* consoles */
    TERN_DOMAIN_CHR_TARGET_VIRTIO,      /* consoles and channels */
    TERN_DOMAIN_CHR_TARGET_LAST
} ternDomainChrTarget;

typedef enum { TERN_DOMAIN_GRAPHICS_VNC, TERN_DOMAIN_GRAPHICS_LAST } ternDomainGraphicsType;

typedef enum {
    TERN_DOMAIN_VIDEO_VGA,
    TERN_DOMAIN_VIDEO_NONE,
    TERN_DOMAIN_VIDEO_LAST
} ternDomainVideoModel;

typedef enum {
    TERN_DOMAIN_MEMBALLOON_VIRTIO,
    TERN_DOMAIN_MEMBALLOON_NONE,
    TERN_DOMAIN_MEMBALLOON_LAST
} ternDomainMemballoonModel;

typedef enum { TERN_DOMAIN_RNG_VIRTIO, TERN_DOMAIN_RNG_LAST } ternDomainRNGModel;

typedef enum { TERN_DOMAIN_RNG_BACKEND_RANDOM, TERN_DOMAIN_RNG_BACKEND_LAST } ternDomainRNGBackend;

#define TERN_DOMAIN_ENUM_DECL(name)                                                                \
    const char *name##TypeToString(int type);                                                      \
    int name##TypeFromString(const char *str)

TERN_DOMAIN_ENUM_DECL(ternDomainTristate);
TERN_DOMAIN_ENUM_DECL(ternDomainVirt);
TERN_DOMAIN_ENUM_DECL(ternDomainOS);
TERN_DOMAIN_ENUM_DECL(ternDomainArch);
TERN_DOMAIN_ENUM_DECL(ternDomainBoot);
TERN_DOMAIN_ENUM_DECL(ternDomainFeature);
TERN_DOMAIN_ENUM_DECL(ternDomainCPUMode);
TERN_DOMAIN_ENUM_DECL(ternDomainCPUMatch);
TERN_DOMAIN_ENUM_DECL(ternDomainCPUCheck);
TERN_DOMAIN_ENUM_DECL(ternDomainCPUFallback);
TERN_DOMAIN_ENUM_DECL(ternDomainClockOffset);
TERN_DOMAIN_ENUM_DECL(ternDomainLifecycle);
TERN_DOMAIN_ENUM_DECL(ternDomainDisk);
TERN_DOMAIN_ENUM_DECL(ternDomainDiskDevice);
TERN_DOMAIN_ENUM_DECL(ternDomainDiskBus);
TERN_DOMAIN_ENUM_DECL(ternDomainDiskDriver);
TERN_DOMAIN_ENUM_DECL(ternDomainDiskFormat);
TERN_DOMAIN_ENUM_DECL(ternDomainDiskCache);
TERN_DOMAIN_ENUM_DECL(ternDomainNet);
TERN_DOMAIN_ENUM_DECL(ternDomainNetModel);
TERN_DOMAIN_ENUM_DECL(ternDomainNetDirectMode);
TERN_DOMAIN_ENUM_DECL(ternDomainChrDevice);
TERN_DOMAIN_ENUM_DECL(ternDomainChr);
TERN_DOMAIN_ENUM_DECL(ternDomainChrMode);
TERN_DOMAIN_ENUM_DECL(ternDomainChrProtocol);
TERN_DOMAIN_ENUM_DECL(ternDomainChrTarget);
TERN_DOMAIN_ENUM_DECL(ternDomainGraphics);
TERN_DOMAIN_ENUM_DECL(ternDomainVideoModel);
TERN_DOMAIN_ENUM_DECL(ternDomainMemballoonModel);
TERN_DOMAIN_ENUM_DECL(ternDomainRNGModel);
TERN_DOMAIN_ENUM_DECL(ternDomainRNGBackend);

/* <os> */
typedef struct _ternDomainOSDef ternDomainOSDef;
struct _ternDomainOSDef {
    ternDomainOSType type;
    ternDomainArch arch; /* x86_64 when not given */
    char *machine;       /* NULL: the driver's default machine type */
    char *kernel;        /* absolute paths */
    char *initrd;
    char *cmdline;
    ternDomainBootDev boot[TERN_DOMAIN_BOOT_MAX];
    size_t nboot; /* no <boot>: 0 */
};

/* <cpu> */
typedef struct _ternDomainCPUDef ternDomainCPUDef;
struct _ternDomainCPUDef {
    ternDomainCPUMode mode;
    ternDomainCPUMatch match; /* custom only; exact when not given */
    ternDomainCPUCheck check;
    ternDomainTristate migratable;  /* host-passthrough only */
    char *model;                    /* custom only, required there */
    ternDomainCPUFallback fallback; /* custom only */
};

/* <disk type='file'> */
typedef struct _ternDomainDiskDef ternDomainDiskDef;
struct _ternDomainDiskDef {
    ternDomainDiskType type;
    ternDomainDiskDevice device;
    ternDomainDiskDriver driver;
    ternDomainDiskFormat format;
    ternDomainDiskCache cache;
    char *path;            /* <source file>; NULL only for an empty cdrom */
    char *dst;             /* <target dev>: vdX, sdX or hdX */
    ternDomainDiskBus bus; /* inferred from dst when not given */
    bool readonly;         /* always true for cdrom */
    bool shareable;
};

/* <interface> */
typedef struct _ternDomainNetDef ternDomainNetDef;
struct _ternDomainNetDef {
    ternDomainNetType type;
    unsigned char mac[TERN_DOMAIN_MAC_BUFLEN]; /* 52:54:00:xx:xx:xx generated when absent */
    char *bridge;                              /* type bridge: <source bridge> */
    char *dev;                                 /* type direct: <source dev> */
    ternDomainNetDirectMode mode;              /* type direct: <source mode>, vepa when not given */
    ternDomainNetModel model;
    char *ifname; /* live only: <target dev> of bridge and direct */
};

/* <source> and <protocol> of a character device */
typedef struct _ternDomainChrSourceDef ternDomainChrSourceDef;
struct _ternDomainChrSourceDef {
    ternDomainChrType type;
    char *path;                     /* file, unix; pty: live only, the allocated pty */
    ternDomainTristate append;      /* file */
    ternDomainChrMode mode;         /* unix, tcp; connect when not given */
    char *host;                     /* tcp; may be NULL in bind mode */
    unsigned int service;           /* tcp port, 1..65535 */
    ternDomainChrProtocol protocol; /* tcp; raw when not given */
};

/* <serial>, <console> and <channel> */
typedef struct _ternDomainChrDef ternDomainChrDef;
struct _ternDomainChrDef {
    ternDomainChrDevice device;
    ternDomainChrSourceDef source;
    ternDomainChrTarget targetType; /* serial: default; console: serial|virtio; channel: virtio */
    unsigned int targetPort;        /* serial and console; first free port when not given */
    char *targetName;               /* channel: <target name>, may be NULL */
};

/* <graphics type='vnc'> */
typedef struct _ternDomainGraphicsDef ternDomainGraphicsDef;
struct _ternDomainGraphicsDef {
    ternDomainGraphicsType type;
    int port; /* 0: not assigned yet; else 5900..65535 */
    bool autoport;
    char *listen; /* address, NULL: the driver's default */
    char *passwd; /* formatted only with FORMAT_SECURE */
};

typedef struct _ternDomainVideoDef ternDomainVideoDef;
struct _ternDomainVideoDef {
    ternDomainVideoModel model;
};

typedef struct _ternDomainMemballoonDef ternDomainMemballoonDef;
struct _ternDomainMemballoonDef {
    ternDomainMemballoonModel model;
};

typedef struct _ternDomainRNGDef ternDomainRNGDef;
struct _ternDomainRNGDef {
    ternDomainRNGModel model;
    ternDomainRNGBackend backend;
    char *path; /* /dev/urandom, /dev/random, /dev/hwrng or NULL */
};

typedef struct _ternDomainDef ternDomainDef;
struct _ternDomainDef {
    int id; /* -1 when not running */
    ternDomainVirtType virtType;
    char *name;                            /* 1..255 bytes, no '/', no control characters */
    unsigned char uuid[TERN_UUID_RAW_LEN]; /* random v4 when absent */
    char *title;                           /* one line */
    char *description;

    unsigned long long memory;        /* KiB, > 0 */
    unsigned long long currentMemory; /* KiB, <= memory */
    unsigned int vcpus;               /* 1..255 */
    unsigned int vcpusCurrent;        /* 1..vcpus */

    ternDomainOSDef os;
    bool features[TERN_DOMAIN_FEATURE_LAST];
    ternDomainCPUDef *cpu; /* NULL: no <cpu> */
    ternDomainClockOffset clockOffset;
    ternDomainLifecycleAction onPoweroff;
    ternDomainLifecycleAction onReboot;
    ternDomainLifecycleAction onCrash;

    char *emulator; /* NULL: the driver's default */
    ternDomainDiskDef **disks;
    size_t ndisks;
    ternDomainNetDef **nets;
    size_t nnets;
    ternDomainChrDef **serials;
    size_t nserials;
    ternDomainChrDef **consoles;
    size_t nconsoles;
    ternDomainChrDef **channels;
    size_t nchannels;
    ternDomainGraphicsDef *graphics;     /* NULL: no display */
    ternDomainVideoDef *video;           /* NULL: no <video> */
    ternDomainMemballoonDef *memballoon; /* NULL: no <memballoon> */
    ternDomainRNGDef **rngs;
    size_t nrngs;
};

/*
 * ternDomainDefNew: an empty definition holding the defaults the parser
 * would fill in (id -1, type qemu, os hvm/x86_64, on_* defaults, one vcpu).
 * It is not valid until name, uuid and memory are set. Never fails.
 */
ternDomainDef *ternDomainDefNew(void);

/*
 * ternDomainDefParseString: parse and validate one <domain> document of at
 * most TERN_DOMAIN_XML_MAX_LEN bytes. @flags: ternDomainDefParseFlags.
 * Network access, entity expansion and DTDs are refused. Fills in what the
 * document leaves out (uuid, MAC addresses, ports, defaults), so formatting
 * the result gives the canonical form. Returns a new def (caller frees) or
 * NULL with @error set (domain TERN_FROM_DOMAIN). Does not block.
 */
ternDomainDef *ternDomainDefParseString(const char *xml, unsigned int flags, GError **error);

/**
 * ternDomainDefValidateName: whether @name may name a domain (not empty,
 * at most TERN_DOMAIN_NAME_MAX_LEN bytes, no '/', no control characters),
 * with the parser's error message if not.
 */
bool ternDomainDefValidateName(const char *name, GError **error);

/*
 * ternDomainDefParseFile: as ternDomainDefParseString, reading @path first
 * (refusing files larger than TERN_DOMAIN_XML_MAX_LEN). Blocks on file I/O.
 */
ternDomainDef *ternDomainDefParseFile(const char *path, unsigned int flags, GError **error);

/*
 * ternDomainDefValidate: check the invariants that span elements (duplicate
 * disk targets, MAC addresses, ports and channel names; memory and vcpu
 * bounds). The parser calls it; drivers call it after editing a def.
 * Returns false with @error set when @def is invalid.
 */
bool ternDomainDefValidate(const ternDomainDef *def, GError **error);

/*
 * ternDomainDefFormat: the canonical XML of @def: fixed element order,
 * two-space indentation, memory in KiB, lowercase uuid and MACs, a final
 * newline. parse(format(def)) formats identically. @flags:
 * ternDomainDefFormatFlags. Returns a new string (caller frees) or NULL
 * with @error set: unknown flags, or a def that ternDomainDefValidate
 * refuses (so nothing is written that would not parse back). Does not block.
 */
char *ternDomainDefFormat(const ternDomainDef *def, unsigned int flags, GError **error);

/*
 * ternDomainDefCopy: a deep copy of @def, live data and passwords included.
 * Returns NULL only if @def does not validate (its owner broke it).
 */
ternDomainDef *ternDomainDefCopy(const ternDomainDef *def);

/* Free functions accept NULL. */
void ternDomainDefFree(ternDomainDef *def);
void ternDomainCPUDefFree(ternDomainCPUDef *def);
void ternDomainDiskDefFree(ternDomainDiskDef *def);
void ternDomainNetDefFree(ternDomainNetDef *def);
void ternDomainChrDefFree(ternDomainChrDef *def);
void ternDomainGraphicsDefFree(ternDomainGraphicsDef *def);
void ternDomainVideoDefFree(ternDomainVideoDef *def);
void ternDomainMemballoonDefFree(ternDomainMemballoonDef *def);
void ternDomainRNGDefFree(ternDomainRNGDef *def);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainDef, ternDomainDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainCPUDef, ternDomainCPUDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainDiskDef, ternDomainDiskDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainNetDef, ternDomainNetDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainChrDef, ternDomainChrDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainGraphicsDef, ternDomainGraphicsDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainVideoDef, ternDomainVideoDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainMemballoonDef, ternDomainMemballoonDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainRNGDef, ternDomainRNGDefFree)

/* UUIDs are parsed and formatted with ternUUIDParse/ternUUIDFormat (util/ternutil.h). */

/* ternDomainMACFormat: @mac as "xx:xx:xx:xx:xx:xx" into @buf. */
void ternDomainMACFormat(const unsigned char *mac, char buf[TERN_DOMAIN_MAC_STRING_BUFLEN]);

/* ternDomainMACParse: six colon-separated hex pairs into @mac; false if invalid. */
bool ternDomainMACParse(const char *str, unsigned char *mac);
