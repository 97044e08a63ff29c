/* domain_conf.c: parse libvirt domain XML into a ternDomainDef, refusing the unsupported */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/ternerror.h"
#include "util/ternxml.h"
#include "util/ternutil.h"
#include "conf/domain_conf.h"


#define ternDomainXMLError(error, ...)                                                             \
    ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_XML_ERROR, __VA_ARGS__)
#define ternDomainUnsupported(error, ...)                                                          \
    ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_CONFIG_UNSUPPORTED, __VA_ARGS__)

/*
 * Enum <-> string tables. The names are the XML spellings, in enum order;
 * the static assert keeps each table the length of its enum.
 */
#define TERN_DOMAIN_ENUM_IMPL(name, last, ...)                                                     \
    static const char *const name##Names[] = {__VA_ARGS__};                                        \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##Names) == last);                                            \
    const char *name##TypeToString(int type)                                                       \
    {                                                                                              \
        if (type < 0 || (size_t)type >= G_N_ELEMENTS(name##Names))                                 \
            return NULL;                                                                           \
        return name##Names[type];                                                                  \
    }                                                                                              \
    int name##TypeFromString(const char *str)                                                      \
    {                                                                                              \
        for (size_t i = 0; str && i < G_N_ELEMENTS(name##Names); i++) {                            \
            if (strcmp(str, name##Names[i]) == 0)                                                  \
                return (int)i;                                                                     \
        }                                                                                          \
        return -1;                                                                                 \
    }

TERN_DOMAIN_ENUM_IMPL(ternDomainTristate, TERN_DOMAIN_TRISTATE_LAST, "absent", "on", "off")
TERN_DOMAIN_ENUM_IMPL(ternDomainVirt, TERN_DOMAIN_VIRT_LAST, "qemu", "kvm", "test")
TERN_DOMAIN_ENUM_IMPL(ternDomainOS, TERN_DOMAIN_OS_TYPE_LAST, "hvm")
TERN_DOMAIN_ENUM_IMPL(ternDomainArch, TERN_DOMAIN_ARCH_LAST, "x86_64")
TERN_DOMAIN_ENUM_IMPL(ternDomainBoot, TERN_DOMAIN_BOOT_LAST, "hd", "cdrom", "network")
TERN_DOMAIN_ENUM_IMPL(ternDomainFeature, TERN_DOMAIN_FEATURE_LAST, "acpi", "apic", "pae")
TERN_DOMAIN_ENUM_IMPL(ternDomainCPUMode, TERN_DOMAIN_CPU_MODE_LAST, "custom", "host-model",
                      "host-passthrough")
TERN_DOMAIN_ENUM_IMPL(ternDomainCPUMatch, TERN_DOMAIN_CPU_MATCH_LAST, "default", "minimum", "exact",
                      "strict")
TERN_DOMAIN_ENUM_IMPL(ternDomainCPUCheck, TERN_DOMAIN_CPU_CHECK_LAST, "default", "none", "partial",
                      "full")
TERN_DOMAIN_ENUM_IMPL(ternDomainCPUFallback, TERN_DOMAIN_CPU_FALLBACK_LAST, "default", "allow",
                      "forbid")
TERN_DOMAIN_ENUM_IMPL(ternDomainClockOffset, TERN_DOMAIN_CLOCK_OFFSET_LAST, "utc", "localtime")
TERN_DOMAIN_ENUM_IMPL(ternDomainLifecycle, TERN_DOMAIN_LIFECYCLE_LAST, "destroy", "restart",
                      "preserve", "rename-restart", "coredump-destroy", "coredump-restart")
TERN_DOMAIN_ENUM_IMPL(ternDomainDisk, TERN_DOMAIN_DISK_TYPE_LAST, "file")
TERN_DOMAIN_ENUM_IMPL(ternDomainDiskDevice, TERN_DOMAIN_DISK_DEVICE_LAST, "disk", "cdrom")
TERN_DOMAIN_ENUM_IMPL(ternDomainDiskBus, TERN_DOMAIN_DISK_BUS_LAST, "virtio", "sata", "ide")
TERN_DOMAIN_ENUM_IMPL(ternDomainDiskDriver, TERN_DOMAIN_DISK_DRIVER_LAST, "default", "qemu")
TERN_DOMAIN_ENUM_IMPL(ternDomainDiskFormat, TERN_DOMAIN_DISK_FORMAT_LAST, "default", "raw", "qcow2")
TERN_DOMAIN_ENUM_IMPL(ternDomainDiskCache, TERN_DOMAIN_DISK_CACHE_LAST, "default", "none",
                      "writethrough", "writeback", "directsync", "unsafe")
TERN_DOMAIN_ENUM_IMPL(ternDomainNet, TERN_DOMAIN_NET_TYPE_LAST, "user", "bridge", "direct")
TERN_DOMAIN_ENUM_IMPL(ternDomainNetModel, TERN_DOMAIN_NET_MODEL_LAST, "default", "virtio", "e1000")
TERN_DOMAIN_ENUM_IMPL(ternDomainNetDirectMode, TERN_DOMAIN_NET_DIRECT_LAST, "vepa", "bridge",
                      "private", "passthrough")
TERN_DOMAIN_ENUM_IMPL(ternDomainChrDevice, TERN_DOMAIN_CHR_DEVICE_LAST, "serial", "console",
                      "channel")
TERN_DOMAIN_ENUM_IMPL(ternDomainChr, TERN_DOMAIN_CHR_TYPE_LAST, "pty", "file", "unix", "tcp")
TERN_DOMAIN_ENUM_IMPL(ternDomainChrMode, TERN_DOMAIN_CHR_MODE_LAST, "connect", "bind")
TERN_DOMAIN_ENUM_IMPL(ternDomainChrProtocol, TERN_DOMAIN_CHR_PROTOCOL_LAST, "raw", "telnet")
TERN_DOMAIN_ENUM_IMPL(ternDomainChrTarget, TERN_DOMAIN_CHR_TARGET_LAST, "default", "serial",
                      "virtio")
TERN_DOMAIN_ENUM_IMPL(ternDomainGraphics, TERN_DOMAIN_GRAPHICS_LAST, "vnc")
TERN_DOMAIN_ENUM_IMPL(ternDomainVideoModel, TERN_DOMAIN_VIDEO_LAST, "vga", "none")
TERN_DOMAIN_ENUM_IMPL(ternDomainMemballoonModel, TERN_DOMAIN_MEMBALLOON_LAST, "virtio", "none")
TERN_DOMAIN_ENUM_IMPL(ternDomainRNGModel, TERN_DOMAIN_RNG_LAST, "virtio")
TERN_DOMAIN_ENUM_IMPL(ternDomainRNGBackend, TERN_DOMAIN_RNG_BACKEND_LAST, "random")

/*
 * Values libvirt accepts but tern cannot honour: refused as "not
 * supported" rather than "invalid", so the user knows the XML is right
 * and the feature is missing.
 */
static const char *const ternDomainVirtUnsupported[] = {
    "none",   "kqemu", "xen",  "lxc",       "uml",   "openvz", "vmware",
    "hyperv", "vbox",  "phyp", "parallels", "bhyve", "vz",     NULL};
static const char *const ternDomainOSUnsupported[] = {"xen", "linux", "xenpvh", "exe", "uml", NULL};
static const char *const ternDomainArchUnsupported[] = {
    "i686",    "aarch64", "armv6l", "armv7l", "armv7b",  "ppc64", "ppc64le",
    "riscv64", "s390x",   "mips",   "mips64", "sparc64", NULL};
static const char *const ternDomainBootUnsupported[] = {"fd", NULL};
static const char *const ternDomainCPUModeUnsupported[] = {"maximum", NULL};
static const char *const ternDomainClockOffsetUnsupported[] = {"timezone", "variable", "absolute",
                                                               NULL};
static const char *const ternDomainDiskTypeUnsupported[] = {
    "block", "dir", "network", "volume", "nvme", "vhostuser", "vhostvdpa", NULL};
static const char *const ternDomainDiskDeviceUnsupported[] = {"floppy", "lun", NULL};
static const char *const ternDomainDiskBusUnsupported[] = {"scsi", "usb", "fdc", "xen",
                                                           "uml",  "sd",  NULL};
static const char *const ternDomainDiskDriverUnsupported[] = {"file", "tap", "tap2", "phy", NULL};
static const char *const ternDomainDiskFormatUnsupported[] = {
    "dir", "bochs", "cloop", "dmg",  "iso", "vpc",  "vdi",  "fat",
    "vhd", "ploop", "cow",   "qcow", "qed", "vmdk", "luks", NULL};
static const char *const ternDomainNetTypeUnsupported[] = {
    "network", "ethernet", "vhostuser", "server", "client",   "mcast", "udp",
    "hostdev", "vdpa",     "null",      "vds",    "internal", NULL};
static const char *const ternDomainNetModelUnsupported[] = {"rtl8139",
                                                            "e1000e",
                                                            "igb",
                                                            "ne2k_pci",
                                                            "pcnet",
                                                            "i82551",
                                                            "i82557b",
                                                            "i82559er",
                                                            "virtio-transitional",
                                                            "virtio-non-transitional",
                                                            "usb-net",
                                                            "spapr-vlan",
                                                            "vmxnet3",
                                                            NULL};
static const char *const ternDomainChrTypeUnsupported[] = {
    "null",     "vc",        "dev",  "pipe",         "stdio", "udp",
    "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus",  NULL};
static const char *const ternDomainChrProtocolUnsupported[] = {"telnets", "tls", NULL};
static const char *const ternDomainConsoleTargetUnsupported[] = {"xen",  "uml",    "lxc", "openvz",
                                                                 "sclp", "sclplm", NULL};
static const char *const ternDomainChannelTargetUnsupported[] = {"guestfwd", "xen", NULL};
static const char *const ternDomainGraphicsUnsupported[] = {
    "sdl", "rdp", "desktop", "spice", "egl-headless", "dbus", NULL};
static const char *const ternDomainListenTypeUnsupported[] = {"network", "socket", "none", NULL};
static const char *const ternDomainVideoModelUnsupported[] = {
    "default",   "cirrus", "vmvga", "xen",   "vbox",  "qxl",
    "parallels", "virtio", "gop",   "bochs", "ramfb", NULL};
static const char *const ternDomainMemballoonUnsupported[] = {"xen", "virtio-transitional",
                                                              "virtio-non-transitional", NULL};
static const char *const ternDomainRNGModelUnsupported[] = {"virtio-transitional",
                                                            "virtio-non-transitional", NULL};
static const char *const ternDomainRNGBackendUnsupported[] = {"egd", "builtin", NULL};
static const char *const ternDomainRNGPaths[] = {"/dev/urandom", "/dev/random", "/dev/hwrng", NULL};

static const char *const ternDomainNoAttrs[] = {NULL};

/* ---- model ---------------------------------------------------------- */

ternDomainDef *
ternDomainDefNew(void)
{
    ternDomainDef *def = g_new0(ternDomainDef, 1);

    def->id = -1;
    def->virtType = TERN_DOMAIN_VIRT_QEMU;
    def->vcpus = 1;
    def->vcpusCurrent = 1;
    def->os.type = TERN_DOMAIN_OS_TYPE_HVM;
    def->os.arch = TERN_DOMAIN_ARCH_X86_64;
    def->clockOffset = TERN_DOMAIN_CLOCK_OFFSET_UTC;
    def->onPoweroff = TERN_DOMAIN_LIFECYCLE_DESTROY;
    def->onReboot = TERN_DOMAIN_LIFECYCLE_RESTART;
    def->onCrash = TERN_DOMAIN_LIFECYCLE_DESTROY;
    return def;
}

void
ternDomainCPUDefFree(ternDomainCPUDef *def)
{
    if (!def)
        return;
    g_free(def->model);
    g_free(def);
}

void
ternDomainDiskDefFree(ternDomainDiskDef *def)
{
    if (!def)
        return;
    g_free(def->path);
    g_free(def->dst);
    g_free(def);
}

void
ternDomainNetDefFree(ternDomainNetDef *def)
{
    if (!def)
        return;
    g_free(def->bridge);
    g_free(def->dev);
    g_free(def->ifname);
    g_free(def);
}

void
ternDomainChrDefFree(ternDomainChrDef *def)
{
    if (!def)
        return;
    g_free(def->source.path);
    g_free(def->source.host);
    g_free(def->targetName);
    g_free(def);
}

void
ternDomainGraphicsDefFree(ternDomainGraphicsDef *def)
{
    if (!def)
        return;
    g_free(def->listen);
    if (def->passwd)
        memset(def->passwd, 0, strlen(def->passwd));
    g_free(def->passwd);
    g_free(def);
}

void
ternDomainVideoDefFree(ternDomainVideoDef *def)
{
    g_free(def);
}

void
ternDomainMemballoonDefFree(ternDomainMemballoonDef *def)
{
    g_free(def);
}

void
ternDomainRNGDefFree(ternDomainRNGDef *def)
{
    if (!def)
        return;
    g_free(def->path);
    g_free(def);
}

#define TERN_DOMAIN_FREE_ARRAY(items, nitems, freefunc)                                            \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (nitems); i_++)                                                   \
            freefunc((items)[i_]);                                                                 \
        g_free(items);                                                                             \
    } while (0)

void
ternDomainDefFree(ternDomainDef *def)
{
    if (!def)
        return;

    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->os.machine);
    g_free(def->os.kernel);
    g_free(def->os.initrd);
    g_free(def->os.cmdline);
    ternDomainCPUDefFree(def->cpu);
    g_free(def->emulator);
    TERN_DOMAIN_FREE_ARRAY(def->disks, def->ndisks, ternDomainDiskDefFree);
    TERN_DOMAIN_FREE_ARRAY(def->nets, def->nnets, ternDomainNetDefFree);
    TERN_DOMAIN_FREE_ARRAY(def->serials, def->nserials, ternDomainChrDefFree);
    TERN_DOMAIN_FREE_ARRAY(def->consoles, def->nconsoles, ternDomainChrDefFree);
    TERN_DOMAIN_FREE_ARRAY(def->channels, def->nchannels, ternDomainChrDefFree);
    ternDomainGraphicsDefFree(def->graphics);
    ternDomainVideoDefFree(def->video);
    ternDomainMemballoonDefFree(def->memballoon);
    TERN_DOMAIN_FREE_ARRAY(def->rngs, def->nrngs, ternDomainRNGDefFree);
    g_free(def);
}

ternDomainDef *
ternDomainDefCopy(const ternDomainDef *def)
{
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    ternDomainDef *copy;

    /* Format + parse keeps one definition of what a def may hold. */
    xml = ternDomainDefFormat(def, TERN_DOMAIN_DEF_FORMAT_SECURE, &err);
    if (!xml) {
        g_warning("cannot copy domain definition: %s", err->message);
        return NULL;
    }
    copy = ternDomainDefParseString(xml, 0, &err);
    if (!copy)
        g_warning("cannot copy domain definition: %s", err->message);
    return copy;
}

/* ---- mac addresses ----------------------------------------------------- */

void
ternDomainMACFormat(const unsigned char *mac, char buf[TERN_DOMAIN_MAC_STRING_BUFLEN])
{
    g_snprintf(buf, TERN_DOMAIN_MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
               mac[2], mac[3], mac[4], mac[5]);
}

bool
ternDomainMACParse(const char *str, unsigned char *mac)
{
    unsigned char out[TERN_DOMAIN_MAC_BUFLEN];

    if (strlen(str) != TERN_DOMAIN_MAC_STRING_BUFLEN - 1)
        return false;
    for (size_t i = 0; i < TERN_DOMAIN_MAC_BUFLEN; i++) {
        const char *p = str + i * 3;

        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]))
            return false;
        if (i + 1 < TERN_DOMAIN_MAC_BUFLEN && p[2] != ':')
            return false;
        out[i] = (unsigned char)((g_ascii_xdigit_value(p[0]) << 4) | g_ascii_xdigit_value(p[1]));
    }
    memcpy(mac, out, sizeof(out));
    return true;
}

/* ---- generic XML helpers --------------------------------------------- */

/*
 * A user value quoted in an error message, cut short so that a hostile
 * document cannot make a megabyte-long message.
 */
#define TERN_DOMAIN_ERROR_VALUE_MAX 64

static char *
ternDomainXMLTruncate(const char *text, glong max)
{
    g_autofree char *head = NULL;

    if (g_utf8_strlen(text, -1) <= max)
        return g_strdup(text);
    head = g_utf8_substring(text, 0, max);
    return g_strdup_printf("%s...", head);
}

static char *
ternDomainXMLQuote(const char *value)
{
    return ternDomainXMLTruncate(value, TERN_DOMAIN_ERROR_VALUE_MAX);
}

/* The element's name as written, with its namespace prefix if any. */
static char *
ternDomainXMLNodeName(xmlNodePtr node)
{
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", (const char *)node->ns->prefix, (const char *)node->name);
    return g_strdup((const char *)node->name);
}

static const char *
ternDomainXMLName(xmlNodePtr node)
{
    return (const char *)node->name;
}

static void
ternDomainXMLErrorAttr(GError **error, xmlNodePtr node, const char *attr, const char *value,
                       const char *why)
{
    g_autofree char *quoted = ternDomainXMLQuote(value);

    if (why)
        ternDomainXMLError(error, "invalid value '%s' for attribute '%s' of element '%s': %s",
                           quoted, attr, ternDomainXMLName(node), why);
    else
        ternDomainXMLError(error, "invalid value '%s' for attribute '%s' of element '%s'", quoted,
                           attr, ternDomainXMLName(node));
}

static void
ternDomainXMLErrorText(GError **error, xmlNodePtr node, const char *value, const char *why)
{
    g_autofree char *quoted = ternDomainXMLQuote(value);

    if (why)
        ternDomainXMLError(error, "invalid value '%s' for element '%s': %s", quoted,
                           ternDomainXMLName(node), why);
    else
        ternDomainXMLError(error, "invalid value '%s' for element '%s'", quoted,
                           ternDomainXMLName(node));
}

static void
ternDomainXMLErrorMissingAttr(GError **error, xmlNodePtr node, const char *attr)
{
    ternDomainXMLError(error, "missing required attribute '%s' of element '%s'", attr,
                       ternDomainXMLName(node));
}

static void
ternDomainXMLErrorMissingChild(GError **error, xmlNodePtr node, const char *child)
{
    ternDomainXMLError(error, "missing required element '%s' in element '%s'", child,
                       ternDomainXMLName(node));
}

/* Refuse any attribute of @node not named in the NULL-terminated @allowed. */
static bool
ternDomainXMLCheckAttrs(xmlNodePtr node, const char *const *allowed, GError **error)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        const char *name = (const char *)attr->name;

        if (attr->ns) {
            ternDomainUnsupported(error, "attribute '%s:%s' of element '%s' is not supported",
                                  (const char *)attr->ns->prefix, name, ternDomainXMLName(node));
            return false;
        }
        if (!g_strv_contains(allowed, name)) {
            ternDomainUnsupported(error, "attribute '%s' of element '%s' is not supported", name,
                                  ternDomainXMLName(node));
            return false;
        }
    }
    return true;
}

static bool
ternDomainXMLPropRequired(xmlNodePtr node, const char *name, char **ret, GError **error)
{
    char *value = ternXMLGetProp(node, name);

    if (!value) {
        ternDomainXMLErrorMissingAttr(error, node, name);
        return false;
    }
    *ret = value;
    return true;
}

static bool
ternDomainXMLIsBlank(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    }
    return true;
}

static bool
ternDomainXMLCheckNodeType(xmlNodePtr parent, xmlNodePtr cur, GError **error)
{
    switch (cur->type) {
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
        return true;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (ternDomainXMLIsBlank((const char *)cur->content))
            return true;
        ternDomainXMLError(error, "unexpected text in element '%s'", ternDomainXMLName(parent));
        return false;
    default:
        ternDomainXMLError(error, "unexpected content in element '%s'", ternDomainXMLName(parent));
        return false;
    }
}

/*
 * The text of a leaf element (owned, "" when empty). Child elements are
 * refused: the subset has no mixed content.
 */
static bool
ternDomainXMLText(xmlNodePtr node, char **ret, GError **error)
{
    g_autoptr(GString) text = g_string_new(NULL);

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        switch (cur->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            g_string_append(text, (const char *)cur->content);
            break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
            break;
        case XML_ELEMENT_NODE: {
            g_autofree char *name = ternDomainXMLNodeName(cur);

            ternDomainUnsupported(error, "element '%s' is not supported", name);
            return false;
        }
        default:
            ternDomainXMLError(error, "unexpected content in element '%s'",
                               ternDomainXMLName(node));
            return false;
        }
    }
    *ret = g_string_free(g_steal_pointer(&text), FALSE);
    return true;
}

/* A leaf element with a text value and the attributes in @allowed. */
static bool
ternDomainXMLLeafText(xmlNodePtr node, const char *const *allowed, char **ret, GError **error)
{
    if (!ternDomainXMLCheckAttrs(node, allowed, error))
        return false;
    return ternDomainXMLText(node, ret, error);
}

/* An element that must be empty apart from the attributes in @allowed. */
static bool
ternDomainXMLLeafEmpty(xmlNodePtr node, const char *const *allowed, GError **error)
{
    if (!ternDomainXMLCheckAttrs(node, allowed, error))
        return false;
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE) {
            g_autofree char *name = ternDomainXMLNodeName(cur);

            ternDomainUnsupported(error, "element '%s' is not supported", name);
            return false;
        }
        if (!ternDomainXMLCheckNodeType(node, cur, error))
            return false;
    }
    return true;
}

typedef bool (*ternDomainXMLHandler)(xmlNodePtr node, void *opaque, unsigned int flags,
                                     GError **error);

/* One child element an element may hold, and who parses it. */
typedef struct {
    const char *name;
    ternDomainXMLHandler parse;
    bool repeat; /* may appear more than once */
} ternDomainXMLChild;

#define TERN_DOMAIN_XML_CHILDREN_MAX 32

/*
 * Walk the children of @parent in document order, handing each element to
 * its entry in @table. Unknown elements, repeated single elements and
 * non-blank text are refused.
 */
static bool
ternDomainXMLParseChildren(xmlNodePtr parent, const ternDomainXMLChild *table, size_t ntable,
                           void *opaque, unsigned int flags, GError **error)
{
    bool seen[TERN_DOMAIN_XML_CHILDREN_MAX] = {false};

    g_assert(ntable <= TERN_DOMAIN_XML_CHILDREN_MAX);

    for (xmlNodePtr cur = parent->children; cur; cur = cur->next) {
        size_t i;

        if (cur->type != XML_ELEMENT_NODE) {
            if (!ternDomainXMLCheckNodeType(parent, cur, error))
                return false;
            continue;
        }

        for (i = 0; i < ntable; i++) {
            if (!cur->ns && strcmp((const char *)cur->name, table[i].name) == 0)
                break;
        }
        if (i == ntable) {
            g_autofree char *name = ternDomainXMLNodeName(cur);

            ternDomainUnsupported(error, "element '%s' is not supported", name);
            return false;
        }
        if (seen[i] && !table[i].repeat) {
            ternDomainXMLError(error, "element '%s' may appear only once in element '%s'",
                               table[i].name, ternDomainXMLName(parent));
            return false;
        }
        seen[i] = true;
        if (!table[i].parse(cur, opaque, flags, error))
            return false;
    }
    return true;
}

/* Attribute bits of the typed getters below. */
enum {
    TERN_DOMAIN_XML_REQUIRED = 1 << 0, /* absence is an error */
    TERN_DOMAIN_XML_NONZERO = 1 << 1,  /* the enum's value 0 is not spelt in XML */
};

typedef int (*ternDomainEnumFromString)(const char *str);

/*
 * Report @value as the wrong value of attribute @attr of @node (@attr NULL:
 * of its text): "not supported" when it is in @unsupported, else invalid.
 */
static void
ternDomainXMLErrorValue(GError **error, xmlNodePtr node, const char *attr, const char *value,
                        const char *const *unsupported)
{
    g_autofree char *quoted = ternDomainXMLQuote(value);

    if (unsupported && g_strv_contains(unsupported, value)) {
        if (attr)
            ternDomainUnsupported(error,
                                  "value '%s' for attribute '%s' of element '%s' is not supported",
                                  quoted, attr, ternDomainXMLName(node));
        else
            ternDomainUnsupported(error, "value '%s' for element '%s' is not supported", quoted,
                                  ternDomainXMLName(node));
    } else if (attr) {
        ternDomainXMLErrorAttr(error, node, attr, value, NULL);
    } else {
        ternDomainXMLErrorText(error, node, value, NULL);
    }
}

/*
 * Look @value up in an enum table. Values in @unsupported are refused as
 * unsupported, anything else unknown as invalid. @attr NULL means @value
 * is the text of @node.
 */
static bool
ternDomainXMLEnumValue(xmlNodePtr node, const char *attr, const char *value,
                       ternDomainEnumFromString fromString, const char *const *unsupported,
                       unsigned int xflags, int *ret, GError **error)
{
    int v = fromString(value);

    if (v < 0 || (v == 0 && (xflags & TERN_DOMAIN_XML_NONZERO))) {
        ternDomainXMLErrorValue(error, node, attr, value, unsupported);
        return false;
    }
    *ret = v;
    return true;
}

/*
 * Attribute @attr of @node as an enum value into *@ret; *@ret is left
 * alone when the attribute is absent and not required.
 */
static bool
ternDomainXMLPropEnum(xmlNodePtr node, const char *attr, ternDomainEnumFromString fromString,
                      const char *const *unsupported, unsigned int xflags, int *ret, GError **error)
{
    g_autofree char *value = ternXMLGetProp(node, attr);

    if (!value) {
        if (xflags & TERN_DOMAIN_XML_REQUIRED) {
            ternDomainXMLErrorMissingAttr(error, node, attr);
            return false;
        }
        return true;
    }
    return ternDomainXMLEnumValue(node, attr, value, fromString, unsupported, xflags, ret, error);
}

/* Attribute @attr as an integer in @min..@max; *@ret untouched when absent. */
static bool
ternDomainXMLPropUInt(xmlNodePtr node, const char *attr, unsigned int min, unsigned int max,
                      unsigned int xflags, unsigned int *ret, GError **error)
{
    g_autofree char *value = ternXMLGetProp(node, attr);
    guint64 v;

    if (!value) {
        if (xflags & TERN_DOMAIN_XML_REQUIRED) {
            ternDomainXMLErrorMissingAttr(error, node, attr);
            return false;
        }
        return true;
    }
    if (!g_ascii_string_to_unsigned(value, 10, min, max, &v, NULL)) {
        g_autofree char *why = g_strdup_printf("expected an integer from %u to %u", min, max);

        ternDomainXMLErrorAttr(error, node, attr, value, why);
        return false;
    }
    *ret = (unsigned int)v;
    return true;
}

/* Attribute @attr as yes/no; *@ret untouched when absent. */
static bool
ternDomainXMLPropYesNo(xmlNodePtr node, const char *attr, bool *ret, GError **error)
{
    g_autofree char *value = ternXMLGetProp(node, attr);

    if (!value)
        return true;
    if (strcmp(value, "yes") == 0) {
        *ret = true;
    } else if (strcmp(value, "no") == 0) {
        *ret = false;
    } else {
        ternDomainXMLErrorAttr(error, node, attr, value, "expected 'yes' or 'no'");
        return false;
    }
    return true;
}

static bool
ternDomainHasControlChars(const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return true;
    }
    return false;
}

/* An absolute path without control characters, as a host path must be. */
static bool
ternDomainPathIsValid(const char *path, const char **why)
{
    if (path[0] != '/') {
        *why = "expected an absolute path";
        return false;
    }
    if (ternDomainHasControlChars(path)) {
        *why = "control characters are not allowed";
        return false;
    }
    return true;
}

static bool
ternDomainXMLPropPath(xmlNodePtr node, const char *attr, unsigned int xflags, char **ret,
                      GError **error)
{
    g_autofree char *value = ternXMLGetProp(node, attr);
    const char *why = NULL;

    if (!value) {
        if (xflags & TERN_DOMAIN_XML_REQUIRED) {
            ternDomainXMLErrorMissingAttr(error, node, attr);
            return false;
        }
        return true;
    }
    if (!ternDomainPathIsValid(value, &why)) {
        ternDomainXMLErrorAttr(error, node, attr, value, why);
        return false;
    }
    g_free(*ret);
    *ret = g_steal_pointer(&value);
    return true;
}

/* A path as the whole text of a leaf element without attributes. */
static bool
ternDomainXMLTextPath(xmlNodePtr node, char **ret, GError **error)
{
    g_autofree char *value = NULL;
    const char *why = NULL;

    if (!ternDomainXMLLeafText(node, ternDomainNoAttrs, &value, error))
        return false;
    if (!ternDomainPathIsValid(value, &why)) {
        ternDomainXMLErrorText(error, node, value, why);
        return false;
    }
    *ret = g_steal_pointer(&value);
    return true;
}

/*
 * Names QEMU sees inside a -option argument (machine, CPU model, channel
 * name): letters, digits and ".-_:", so that no ',' can inject options.
 */
static bool
ternDomainIsToken(const char *str, bool colon)
{
    if (!*str)
        return false;
    for (const char *p = str; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_' && !(colon && *p == ':'))
            return false;
    }
    return true;
}

/* A Linux network interface name: 1..15 bytes, no '/', ':' or whitespace. */
static bool
ternDomainIfnameIsValid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 15 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p <= ' ' || *p == '/' || *p == ':' || *p == 0x7f)
            return false;
    }
    return true;
}

static bool
ternDomainXMLPropIfname(xmlNodePtr node, const char *attr, unsigned int xflags, char **ret,
                        GError **error)
{
    g_autofree char *value = ternXMLGetProp(node, attr);

    if (!value) {
        if (xflags & TERN_DOMAIN_XML_REQUIRED) {
            ternDomainXMLErrorMissingAttr(error, node, attr);
            return false;
        }
        return true;
    }
    if (!ternDomainIfnameIsValid(value)) {
        ternDomainXMLErrorAttr(error, node, attr, value,
                               "expected a network interface name of 1 to 15 characters");
        return false;
    }
    g_free(*ret);
    *ret = g_steal_pointer(&value);
    return true;
}

/* A host for a listening or connecting socket: an IP address or a DNS name. */
static bool
ternDomainHostIsValid(const char *host)
{
    if (!*host || strlen(host) > 255)
        return false;
    for (const char *p = host; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' && *p != '_')
            return false;
    }
    return true;
}

/* ---- memory ------------------------------------------------------------ */

/*
 * The number of bytes in one @unit, with libvirt's spelling rules: case is
 * ignored, "b"/"bytes" are bytes, "K", "KiB" are powers of 1024 and "KB"
 * powers of 1000, up to exa.
 */
static bool
ternDomainMemoryUnitScale(const char *unit, unsigned long long *scale)
{
    static const char prefixes[] = "kmgtpe";
    const char *pos;
    unsigned long long base;
    unsigned long long s = 1;

    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *scale = 1;
        return true;
    }
    if (!*unit || !(pos = strchr(prefixes, g_ascii_tolower(unit[0]))))
        return false;
    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_tolower(unit[1]) == 'b' && unit[2] == '\0')
        base = 1000;
    else
        return false;
    for (const char *p = prefixes; p <= pos; p++)
        s *= base;
    *scale = s;
    return true;
}

/* <memory> and <currentMemory>: a size with a unit, stored in KiB rounded up. */
static bool
ternDomainXMLMemory(xmlNodePtr node, unsigned long long *ret, GError **error)
{
    static const char *const attrs[] = {"unit", NULL};
    g_autofree char *text = NULL;
    g_autofree char *unit = NULL;
    unsigned long long scale = 1024;
    guint64 value;

    if (!ternDomainXMLLeafText(node, attrs, &text, error))
        return false;
    unit = ternXMLGetProp(node, "unit");
    if (unit && !ternDomainMemoryUnitScale(unit, &scale)) {
        ternDomainXMLErrorAttr(error, node, "unit", unit, NULL);
        return false;
    }
    if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &value, NULL)) {
        ternDomainXMLErrorText(error, node, text, "expected a non-negative integer");
        return false;
    }
    /* libvirt's limit: the size in bytes must fit a signed 64-bit integer */
    if (value > (unsigned long long)LLONG_MAX / scale) {
        g_autofree char *quoted = ternDomainXMLQuote(text);

        ternDomainXMLError(
            error,
            "value '%s' in unit '%s' of element '%s' is too large: the maximum is %lld bytes",
            quoted, unit ? unit : "KiB", ternDomainXMLName(node), LLONG_MAX);
        return false;
    }
    value *= scale;
    *ret = value / 1024 + (value % 1024 ? 1 : 0);
    return true;
}

/* ---- <domain> children ------------------------------------------------- */

/* Parse-time state beyond the def: what was explicitly given. */
typedef struct {
    ternDomainDef *def;
    bool haveUUID;
    bool haveMemory;
    bool haveCurrentMemory;
    bool haveVcpusCurrent;
    bool haveOS;
    GPtrArray *disks;
    GPtrArray *nets;
    GPtrArray *serials;
    GPtrArray *consoles;
    GPtrArray *channels;
    GPtrArray *rngs;
    GPtrArray *autoMacs; /* nets whose MAC is to be generated */
} ternDomainParseState;

/* A target port not given in the XML, assigned after parsing. */
#define TERN_DOMAIN_CHR_PORT_AUTO G_MAXUINT

static bool
ternDomainParseName(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLLeafText(node, ternDomainNoAttrs, &st->def->name, error);
}

static bool
ternDomainParseUUID(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;
    g_autofree char *text = NULL;

    if (!ternDomainXMLLeafText(node, ternDomainNoAttrs, &text, error))
        return false;
    if (!ternUUIDParse(text, st->def->uuid)) {
        ternDomainXMLErrorText(error, node, text,
                               "expected 32 hexadecimal digits, optionally separated by '-'");
        return false;
    }
    st->haveUUID = true;
    return true;
}

static bool
ternDomainParseTitle(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    if (!ternDomainXMLLeafText(node, ternDomainNoAttrs, &st->def->title, error))
        return false;
    if (strchr(st->def->title, '\n') || strchr(st->def->title, '\r')) {
        ternDomainXMLError(error, "domain title must be a single line");
        return false;
    }
    return true;
}

static bool
ternDomainParseDescription(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLLeafText(node, ternDomainNoAttrs, &st->def->description, error);
}

static bool
ternDomainParseMemory(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    st->haveMemory = true;
    return ternDomainXMLMemory(node, &st->def->memory, error);
}

static bool
ternDomainParseCurrentMemory(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    st->haveCurrentMemory = true;
    return ternDomainXMLMemory(node, &st->def->currentMemory, error);
}

static bool
ternDomainParseVcpu(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"placement", "current", NULL};
    static const char *const placementUnsupported[] = {"auto", NULL};
    ternDomainParseState *st = opaque;
    g_autofree char *text = NULL;
    g_autofree char *placement = NULL;
    g_autofree char *current = NULL;
    guint64 v;

    if (!ternDomainXMLLeafText(node, attrs, &text, error))
        return false;
    if ((placement = ternXMLGetProp(node, "placement")) && strcmp(placement, "static") != 0) {
        ternDomainXMLErrorValue(error, node, "placement", placement, placementUnsupported);
        return false;
    }
    if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &v, NULL)) {
        ternDomainXMLErrorText(error, node, text, "expected a non-negative integer");
        return false;
    }
    st->def->vcpus = (unsigned int)v;
    if ((current = ternXMLGetProp(node, "current"))) {
        if (!ternDomainXMLPropUInt(node, "current", 0, G_MAXUINT, 0, &st->def->vcpusCurrent, error))
            return false;
        st->haveVcpusCurrent = true;
    }
    return true;
}

static bool
ternDomainParseOSType(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"arch", "machine", NULL};
    ternDomainParseState *st = opaque;
    ternDomainOSDef *os = &st->def->os;
    g_autofree char *text = NULL;
    g_autofree char *machine = NULL;
    int v;

    if (!ternDomainXMLLeafText(node, attrs, &text, error))
        return false;
    if (!ternDomainXMLEnumValue(node, NULL, text, ternDomainOSTypeFromString,
                                ternDomainOSUnsupported, 0, &v, error))
        return false;
    os->type = v;
    v = TERN_DOMAIN_ARCH_X86_64;
    if (!ternDomainXMLPropEnum(node, "arch", ternDomainArchTypeFromString,
                               ternDomainArchUnsupported, 0, &v, error))
        return false;
    os->arch = v;
    if ((machine = ternXMLGetProp(node, "machine"))) {
        if (!ternDomainIsToken(machine, false)) {
            ternDomainXMLErrorAttr(error, node, "machine", machine,
                                   "expected letters, digits, '.', '-' and '_'");
            return false;
        }
        os->machine = g_steal_pointer(&machine);
    }
    st->haveOS = true;
    return true;
}

static bool
ternDomainParseOSKernel(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLTextPath(node, &st->def->os.kernel, error);
}

static bool
ternDomainParseOSInitrd(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLTextPath(node, &st->def->os.initrd, error);
}

static bool
ternDomainParseOSCmdline(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLLeafText(node, ternDomainNoAttrs, &st->def->os.cmdline, error);
}

static bool
ternDomainParseOSBoot(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"dev", NULL};
    ternDomainParseState *st = opaque;
    ternDomainOSDef *os = &st->def->os;
    int v;

    if (!ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    if (!ternDomainXMLPropEnum(node, "dev", ternDomainBootTypeFromString, ternDomainBootUnsupported,
                               TERN_DOMAIN_XML_REQUIRED, &v, error))
        return false;
    for (size_t i = 0; i < os->nboot; i++) {
        if (os->boot[i] == (ternDomainBootDev)v) {
            ternDomainXMLError(error, "boot device '%s' is listed more than once",
                               ternDomainBootTypeToString(v));
            return false;
        }
    }
    /* distinct values of a TERN_DOMAIN_BOOT_MAX-sized enum always fit */
    G_STATIC_ASSERT(TERN_DOMAIN_BOOT_MAX == TERN_DOMAIN_BOOT_LAST);
    os->boot[os->nboot++] = v;
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainOSChildren[] = {
    { "type", ternDomainParseOSType, false },
    { "kernel", ternDomainParseOSKernel, false },
    { "initrd", ternDomainParseOSInitrd, false },
    { "cmdline", ternDomainParseOSCmdline, false },
    { "boot", ternDomainParseOSBoot, true },
};
/* clang-format on */

static bool
ternDomainParseOS(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    if (!ternDomainXMLCheckAttrs(node, ternDomainNoAttrs, error))
        return false;
    if (!ternDomainXMLParseChildren(node, ternDomainOSChildren, G_N_ELEMENTS(ternDomainOSChildren),
                                    opaque, flags, error))
        return false;
    if (!st->haveOS) {
        ternDomainXMLErrorMissingChild(error, node, "type");
        return false;
    }
    return true;
}

static bool
ternDomainParseFeature(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;
    int f = ternDomainFeatureTypeFromString(ternDomainXMLName(node));

    g_assert(f >= 0);
    if (!ternDomainXMLLeafEmpty(node, ternDomainNoAttrs, error))
        return false;
    st->def->features[f] = true;
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainFeaturesChildren[] = {
    { "acpi", ternDomainParseFeature, false },
    { "apic", ternDomainParseFeature, false },
    { "pae", ternDomainParseFeature, false },
};
/* clang-format on */
G_STATIC_ASSERT(G_N_ELEMENTS(ternDomainFeaturesChildren) == TERN_DOMAIN_FEATURE_LAST);

static bool
ternDomainParseFeatures(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    if (!ternDomainXMLCheckAttrs(node, ternDomainNoAttrs, error))
        return false;
    return ternDomainXMLParseChildren(node, ternDomainFeaturesChildren,
                                      G_N_ELEMENTS(ternDomainFeaturesChildren), opaque, flags,
                                      error);
}

static bool
ternDomainParseCPUModel(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"fallback", NULL};
    ternDomainCPUDef *cpu = opaque;
    g_autofree char *text = NULL;
    int v = TERN_DOMAIN_CPU_FALLBACK_DEFAULT;

    if (!ternDomainXMLLeafText(node, attrs, &text, error))
        return false;
    if (!ternDomainXMLPropEnum(node, "fallback", ternDomainCPUFallbackTypeFromString, NULL,
                               TERN_DOMAIN_XML_NONZERO, &v, error))
        return false;
    if (!ternDomainIsToken(text, false)) {
        ternDomainXMLErrorText(error, node, text, "expected letters, digits, '.', '-' and '_'");
        return false;
    }
    cpu->fallback = v;
    cpu->model = g_steal_pointer(&text);
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainCPUChildren[] = {
    { "model", ternDomainParseCPUModel, false },
};
/* clang-format on */

static bool
ternDomainParseCPU(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"mode", "match", "check", "migratable", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainCPUDef) cpu = g_new0(ternDomainCPUDef, 1);
    int mode = TERN_DOMAIN_CPU_MODE_CUSTOM;
    int match = TERN_DOMAIN_CPU_MATCH_DEFAULT;
    int check = TERN_DOMAIN_CPU_CHECK_DEFAULT;
    int migratable = TERN_DOMAIN_TRISTATE_ABSENT;

    if (!ternDomainXMLPropEnum(node, "mode", ternDomainCPUModeTypeFromString,
                               ternDomainCPUModeUnsupported, 0, &mode, error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error) ||
        !ternDomainXMLPropEnum(node, "match", ternDomainCPUMatchTypeFromString, NULL,
                               TERN_DOMAIN_XML_NONZERO, &match, error) ||
        !ternDomainXMLPropEnum(node, "check", ternDomainCPUCheckTypeFromString, NULL,
                               TERN_DOMAIN_XML_NONZERO, &check, error) ||
        !ternDomainXMLPropEnum(node, "migratable", ternDomainTristateTypeFromString, NULL,
                               TERN_DOMAIN_XML_NONZERO, &migratable, error))
        return false;
    cpu->mode = mode;
    cpu->match = match;
    cpu->check = check;
    cpu->migratable = migratable;
    if (!ternDomainXMLParseChildren(node, ternDomainCPUChildren,
                                    G_N_ELEMENTS(ternDomainCPUChildren), cpu, flags, error))
        return false;
    if (cpu->mode == TERN_DOMAIN_CPU_MODE_CUSTOM && cpu->match == TERN_DOMAIN_CPU_MATCH_DEFAULT)
        cpu->match = TERN_DOMAIN_CPU_MATCH_EXACT;
    st->def->cpu = g_steal_pointer(&cpu);
    return true;
}

static bool
ternDomainParseClock(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"offset", NULL};
    ternDomainParseState *st = opaque;
    int v = TERN_DOMAIN_CLOCK_OFFSET_UTC;

    if (!ternDomainXMLPropEnum(node, "offset", ternDomainClockOffsetTypeFromString,
                               ternDomainClockOffsetUnsupported, 0, &v, error) ||
        !ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    st->def->clockOffset = v;
    return true;
}

static bool
ternDomainParseLifecycle(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;
    const char *name = ternDomainXMLName(node);
    g_autofree char *text = NULL;
    int v;

    if (!ternDomainXMLLeafText(node, ternDomainNoAttrs, &text, error) ||
        !ternDomainXMLEnumValue(node, NULL, text, ternDomainLifecycleTypeFromString, NULL, 0, &v,
                                error))
        return false;
    if (strcmp(name, "on_poweroff") == 0)
        st->def->onPoweroff = v;
    else if (strcmp(name, "on_reboot") == 0)
        st->def->onReboot = v;
    else
        st->def->onCrash = v;
    return true;
}

/* ---- <devices> --------------------------------------------------------- */

/* Refuse one more device of a kind already holding the maximum. */
static bool
ternDomainCheckDeviceCount(GPtrArray *devices, const char *element, GError **error)
{
    if (devices->len >= TERN_DOMAIN_DEVICES_MAX) {
        ternDomainUnsupported(error, "more than %d '%s' devices are not supported",
                              TERN_DOMAIN_DEVICES_MAX, element);
        return false;
    }
    return true;
}

static bool
ternDomainParseEmulator(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;

    return ternDomainXMLTextPath(node, &st->def->emulator, error);
}

static bool
ternDomainParseDiskDriver(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"name", "type", "cache", NULL};
    ternDomainDiskDef *disk = opaque;
    int driver = TERN_DOMAIN_DISK_DRIVER_DEFAULT;
    int format = TERN_DOMAIN_DISK_FORMAT_DEFAULT;
    int cache = TERN_DOMAIN_DISK_CACHE_DEFAULT;

    if (!ternDomainXMLLeafEmpty(node, attrs, error) ||
        !ternDomainXMLPropEnum(node, "name", ternDomainDiskDriverTypeFromString,
                               ternDomainDiskDriverUnsupported, TERN_DOMAIN_XML_NONZERO, &driver,
                               error) ||
        !ternDomainXMLPropEnum(node, "type", ternDomainDiskFormatTypeFromString,
                               ternDomainDiskFormatUnsupported, TERN_DOMAIN_XML_NONZERO, &format,
                               error) ||
        !ternDomainXMLPropEnum(node, "cache", ternDomainDiskCacheTypeFromString, NULL, 0, &cache,
                               error))
        return false;
    disk->driver = driver;
    disk->format = format;
    disk->cache = cache;
    return true;
}

static bool
ternDomainParseDiskSource(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"file", NULL};
    ternDomainDiskDef *disk = opaque;

    if (!ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    return ternDomainXMLPropPath(node, "file", 0, &disk->path, error);
}

/* vdX, sdX, hdX: the guest-visible names, one to three letters after the prefix. */
static bool
ternDomainDiskTargetIsValid(const char *dst)
{
    size_t len = strlen(dst);

    if (len < 3 || len > 5)
        return false;
    if (!g_str_has_prefix(dst, "vd") && !g_str_has_prefix(dst, "sd") &&
        !g_str_has_prefix(dst, "hd"))
        return false;
    for (const char *p = dst + 2; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return false;
    }
    return true;
}

static bool
ternDomainParseDiskTarget(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"dev", "bus", NULL};
    ternDomainDiskDef *disk = opaque;
    g_autofree char *dev = NULL;
    int bus = -1;

    if (!ternDomainXMLLeafEmpty(node, attrs, error) ||
        !ternDomainXMLPropRequired(node, "dev", &dev, error))
        return false;
    if (!ternDomainDiskTargetIsValid(dev)) {
        ternDomainXMLErrorAttr(error, node, "dev", dev,
                               "expected 'vd', 'sd' or 'hd' and one to three letters");
        return false;
    }
    if (!ternDomainXMLPropEnum(node, "bus", ternDomainDiskBusTypeFromString,
                               ternDomainDiskBusUnsupported, 0, &bus, error))
        return false;
    if (bus < 0) {
        /* libvirt's inference from the name, with sd meaning SATA (tern has no SCSI) */
        if (dev[0] == 'v')
            bus = TERN_DOMAIN_DISK_BUS_VIRTIO;
        else if (dev[0] == 's')
            bus = TERN_DOMAIN_DISK_BUS_SATA;
        else
            bus = TERN_DOMAIN_DISK_BUS_IDE;
    }
    disk->bus = bus;
    disk->dst = g_steal_pointer(&dev);
    return true;
}

static bool
ternDomainParseDiskReadonly(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainDiskDef *disk = opaque;

    disk->readonly = true;
    return ternDomainXMLLeafEmpty(node, ternDomainNoAttrs, error);
}

static bool
ternDomainParseDiskShareable(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainDiskDef *disk = opaque;

    disk->shareable = true;
    return ternDomainXMLLeafEmpty(node, ternDomainNoAttrs, error);
}

/* clang-format off */
static const ternDomainXMLChild ternDomainDiskChildren[] = {
    { "driver", ternDomainParseDiskDriver, false },
    { "source", ternDomainParseDiskSource, false },
    { "target", ternDomainParseDiskTarget, false },
    { "readonly", ternDomainParseDiskReadonly, false },
    { "shareable", ternDomainParseDiskShareable, false },
};
/* clang-format on */

static bool
ternDomainParseDisk(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", "device", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainDiskDef) disk = g_new0(ternDomainDiskDef, 1);
    int type = TERN_DOMAIN_DISK_TYPE_FILE;
    int device = TERN_DOMAIN_DISK_DEVICE_DISK;

    if (!ternDomainCheckDeviceCount(st->disks, "disk", error))
        return false;
    if (!ternDomainXMLPropEnum(node, "type", ternDomainDiskTypeFromString,
                               ternDomainDiskTypeUnsupported, 0, &type, error) ||
        !ternDomainXMLPropEnum(node, "device", ternDomainDiskDeviceTypeFromString,
                               ternDomainDiskDeviceUnsupported, 0, &device, error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error))
        return false;
    disk->type = type;
    disk->device = device;
    if (!ternDomainXMLParseChildren(node, ternDomainDiskChildren,
                                    G_N_ELEMENTS(ternDomainDiskChildren), disk, flags, error))
        return false;
    if (!disk->dst) {
        ternDomainXMLErrorMissingChild(error, node, "target");
        return false;
    }
    if (!disk->path && disk->device == TERN_DOMAIN_DISK_DEVICE_DISK) {
        ternDomainXMLError(error, "disk '%s' requires a source file", disk->dst);
        return false;
    }
    if (disk->device == TERN_DOMAIN_DISK_DEVICE_CDROM)
        disk->readonly = true;
    g_ptr_array_add(st->disks, g_steal_pointer(&disk));
    return true;
}

static bool
ternDomainParseNetMAC(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"address", NULL};
    ternDomainNetDef *net = opaque;
    g_autofree char *addr = NULL;

    if (!ternDomainXMLLeafEmpty(node, attrs, error) ||
        !ternDomainXMLPropRequired(node, "address", &addr, error))
        return false;
    if (!ternDomainMACParse(addr, net->mac)) {
        ternDomainXMLErrorAttr(error, node, "address", addr,
                               "expected six hexadecimal pairs separated by ':'");
        return false;
    }
    if (net->mac[0] & 1) {
        ternDomainXMLErrorAttr(error, node, "address", addr,
                               "a multicast address cannot be a NIC's address");
        return false;
    }
    if (!(net->mac[0] | net->mac[1] | net->mac[2] | net->mac[3] | net->mac[4] | net->mac[5])) {
        ternDomainXMLErrorAttr(error, node, "address", addr, "the all-zero address is reserved");
        return false;
    }
    return true;
}

static void
ternDomainXMLErrorNotAllowed(GError **error, xmlNodePtr node, const char *type)
{
    ternDomainXMLError(error, "element '%s' is not allowed in element '%s' of type '%s'",
                       ternDomainXMLName(node), ternDomainXMLName(node->parent), type);
}

static bool
ternDomainParseNetSource(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const bridgeAttrs[] = {"bridge", NULL};
    static const char *const directAttrs[] = {"dev", "mode", NULL};
    ternDomainNetDef *net = opaque;
    int mode = TERN_DOMAIN_NET_DIRECT_VEPA;

    switch (net->type) {
    case TERN_DOMAIN_NET_TYPE_BRIDGE:
        return ternDomainXMLLeafEmpty(node, bridgeAttrs, error) &&
               ternDomainXMLPropIfname(node, "bridge", TERN_DOMAIN_XML_REQUIRED, &net->bridge,
                                       error);
    case TERN_DOMAIN_NET_TYPE_DIRECT:
        if (!ternDomainXMLLeafEmpty(node, directAttrs, error) ||
            !ternDomainXMLPropIfname(node, "dev", TERN_DOMAIN_XML_REQUIRED, &net->dev, error) ||
            !ternDomainXMLPropEnum(node, "mode", ternDomainNetDirectModeTypeFromString, NULL, 0,
                                   &mode, error))
            return false;
        net->mode = mode;
        return true;
    case TERN_DOMAIN_NET_TYPE_USER:
    case TERN_DOMAIN_NET_TYPE_LAST:
        break;
    }
    ternDomainXMLErrorNotAllowed(error, node, ternDomainNetTypeToString(net->type));
    return false;
}

static bool
ternDomainParseNetModel(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    ternDomainNetDef *net = opaque;
    int model;

    if (!ternDomainXMLPropEnum(node, "type", ternDomainNetModelTypeFromString,
                               ternDomainNetModelUnsupported,
                               TERN_DOMAIN_XML_REQUIRED | TERN_DOMAIN_XML_NONZERO, &model, error) ||
        !ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    net->model = model;
    return true;
}

static bool
ternDomainParseNetTarget(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"dev", NULL};
    ternDomainNetDef *net = opaque;
    g_autofree char *ifname = NULL;

    if (net->type == TERN_DOMAIN_NET_TYPE_USER) {
        ternDomainXMLErrorNotAllowed(error, node, ternDomainNetTypeToString(net->type));
        return false;
    }
    if (!ternDomainXMLLeafEmpty(node, attrs, error) ||
        !ternDomainXMLPropIfname(node, "dev", TERN_DOMAIN_XML_REQUIRED, &ifname, error))
        return false;
    /* the tap or macvtap device of a running domain: live data */
    if (!(flags & TERN_DOMAIN_DEF_PARSE_INACTIVE))
        net->ifname = g_steal_pointer(&ifname);
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainNetChildren[] = {
    { "mac", ternDomainParseNetMAC, false },
    { "source", ternDomainParseNetSource, false },
    { "model", ternDomainParseNetModel, false },
    { "target", ternDomainParseNetTarget, false },
};
/* clang-format on */

static bool
ternDomainParseNet(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainNetDef) net = g_new0(ternDomainNetDef, 1);
    int type;
    bool haveMac;

    if (!ternDomainCheckDeviceCount(st->nets, "interface", error))
        return false;
    if (!ternDomainXMLPropEnum(node, "type", ternDomainNetTypeFromString,
                               ternDomainNetTypeUnsupported, TERN_DOMAIN_XML_REQUIRED, &type,
                               error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error))
        return false;
    net->type = type;
    net->mode = TERN_DOMAIN_NET_DIRECT_VEPA;
    if (!ternDomainXMLParseChildren(node, ternDomainNetChildren,
                                    G_N_ELEMENTS(ternDomainNetChildren), net, flags, error))
        return false;
    if (net->type == TERN_DOMAIN_NET_TYPE_BRIDGE && !net->bridge) {
        ternDomainXMLError(
            error, "interface of type 'bridge' requires element 'source' with attribute 'bridge'");
        return false;
    }
    if (net->type == TERN_DOMAIN_NET_TYPE_DIRECT && !net->dev) {
        ternDomainXMLError(
            error, "interface of type 'direct' requires element 'source' with attribute 'dev'");
        return false;
    }
    haveMac = net->mac[0] | net->mac[1] | net->mac[2] | net->mac[3] | net->mac[4] | net->mac[5];
    if (!haveMac)
        g_ptr_array_add(st->autoMacs, net);
    g_ptr_array_add(st->nets, g_steal_pointer(&net));
    return true;
}

/* Parse state of one character device: the def and what kind it is. */
typedef struct {
    ternDomainChrDef *chr;
    unsigned int flags;
} ternDomainChrParseState;

static bool
ternDomainParseChrSource(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const ptyAttrs[] = {"path", NULL};
    static const char *const fileAttrs[] = {"path", "append", NULL};
    static const char *const unixAttrs[] = {"mode", "path", NULL};
    static const char *const tcpAttrs[] = {"mode", "host", "service", NULL};
    ternDomainChrDef *chr = opaque;
    ternDomainChrSourceDef *src = &chr->source;
    int mode = TERN_DOMAIN_CHR_MODE_CONNECT;
    int append = TERN_DOMAIN_TRISTATE_ABSENT;
    g_autofree char *host = NULL;
    g_autofree char *path = NULL;

    switch (src->type) {
    case TERN_DOMAIN_CHR_TYPE_PTY:
        /* the pty allocated to a running domain: live data */
        if (!ternDomainXMLLeafEmpty(node, ptyAttrs, error) ||
            !ternDomainXMLPropPath(node, "path", 0, &path, error))
            return false;
        if (!(flags & TERN_DOMAIN_DEF_PARSE_INACTIVE))
            src->path = g_steal_pointer(&path);
        return true;
    case TERN_DOMAIN_CHR_TYPE_FILE:
        if (!ternDomainXMLLeafEmpty(node, fileAttrs, error) ||
            !ternDomainXMLPropPath(node, "path", TERN_DOMAIN_XML_REQUIRED, &src->path, error) ||
            !ternDomainXMLPropEnum(node, "append", ternDomainTristateTypeFromString, NULL,
                                   TERN_DOMAIN_XML_NONZERO, &append, error))
            return false;
        src->append = append;
        return true;
    case TERN_DOMAIN_CHR_TYPE_UNIX:
        if (!ternDomainXMLLeafEmpty(node, unixAttrs, error) ||
            !ternDomainXMLPropEnum(node, "mode", ternDomainChrModeTypeFromString, NULL, 0, &mode,
                                   error) ||
            !ternDomainXMLPropPath(node, "path", TERN_DOMAIN_XML_REQUIRED, &src->path, error))
            return false;
        src->mode = mode;
        return true;
    case TERN_DOMAIN_CHR_TYPE_TCP:
        if (!ternDomainXMLLeafEmpty(node, tcpAttrs, error) ||
            !ternDomainXMLPropEnum(node, "mode", ternDomainChrModeTypeFromString, NULL, 0, &mode,
                                   error) ||
            !ternDomainXMLPropUInt(node, "service", 1, 65535, TERN_DOMAIN_XML_REQUIRED,
                                   &src->service, error))
            return false;
        src->mode = mode;
        if ((host = ternXMLGetProp(node, "host"))) {
            if (!ternDomainHostIsValid(host)) {
                ternDomainXMLErrorAttr(error, node, "host", host,
                                       "expected an IP address or a host name");
                return false;
            }
            src->host = g_steal_pointer(&host);
        } else if (src->mode == TERN_DOMAIN_CHR_MODE_CONNECT) {
            ternDomainXMLError(
                error, "attribute 'host' of element 'source' is required in mode 'connect'");
            return false;
        }
        return true;
    case TERN_DOMAIN_CHR_TYPE_LAST:
        break;
    }
    g_assert_not_reached();
}

static bool
ternDomainParseChrProtocol(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    ternDomainChrDef *chr = opaque;
    int protocol = TERN_DOMAIN_CHR_PROTOCOL_RAW;

    if (chr->source.type != TERN_DOMAIN_CHR_TYPE_TCP) {
        ternDomainXMLErrorNotAllowed(error, node, ternDomainChrTypeToString(chr->source.type));
        return false;
    }
    if (!ternDomainXMLLeafEmpty(node, attrs, error) ||
        !ternDomainXMLPropEnum(node, "type", ternDomainChrProtocolTypeFromString,
                               ternDomainChrProtocolUnsupported, TERN_DOMAIN_XML_REQUIRED,
                               &protocol, error))
        return false;
    chr->source.protocol = protocol;
    return true;
}

static bool
ternDomainParseChrTarget(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const serialAttrs[] = {"port", NULL};
    static const char *const consoleAttrs[] = {"type", "port", NULL};
    static const char *const channelAttrs[] = {"type", "name", NULL};
    ternDomainChrDef *chr = opaque;
    int target = TERN_DOMAIN_CHR_TARGET_SERIAL;
    g_autofree char *name = NULL;

    switch (chr->device) {
    case TERN_DOMAIN_CHR_DEVICE_SERIAL:
        return ternDomainXMLLeafEmpty(node, serialAttrs, error) &&
               ternDomainXMLPropUInt(node, "port", 0, 255, 0, &chr->targetPort, error);
    case TERN_DOMAIN_CHR_DEVICE_CONSOLE:
        if (!ternDomainXMLLeafEmpty(node, consoleAttrs, error) ||
            !ternDomainXMLPropEnum(node, "type", ternDomainChrTargetTypeFromString,
                                   ternDomainConsoleTargetUnsupported, TERN_DOMAIN_XML_NONZERO,
                                   &target, error) ||
            !ternDomainXMLPropUInt(node, "port", 0, 255, 0, &chr->targetPort, error))
            return false;
        chr->targetType = target;
        return true;
    case TERN_DOMAIN_CHR_DEVICE_CHANNEL:
        if (!ternDomainXMLLeafEmpty(node, channelAttrs, error) ||
            !ternDomainXMLPropEnum(
                node, "type", ternDomainChrTargetTypeFromString, ternDomainChannelTargetUnsupported,
                TERN_DOMAIN_XML_REQUIRED | TERN_DOMAIN_XML_NONZERO, &target, error))
            return false;
        if (target != TERN_DOMAIN_CHR_TARGET_VIRTIO) {
            g_autofree char *value = ternXMLGetProp(node, "type");

            ternDomainXMLErrorAttr(error, node, "type", value, NULL);
            return false;
        }
        chr->targetType = target;
        if ((name = ternXMLGetProp(node, "name"))) {
            if (!ternDomainIsToken(name, false)) {
                ternDomainXMLErrorAttr(error, node, "name", name,
                                       "expected letters, digits, '.', '-' and '_'");
                return false;
            }
            chr->targetName = g_steal_pointer(&name);
        }
        return true;
    case TERN_DOMAIN_CHR_DEVICE_LAST:
        break;
    }
    g_assert_not_reached();
}

/* clang-format off */
static const ternDomainXMLChild ternDomainChrChildren[] = {
    { "source", ternDomainParseChrSource, false },
    { "protocol", ternDomainParseChrProtocol, false },
    { "target", ternDomainParseChrTarget, false },
};
/* clang-format on */

static bool
ternDomainParseChr(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainChrDef) chr = g_new0(ternDomainChrDef, 1);
    int device = ternDomainChrDeviceTypeFromString(ternDomainXMLName(node));
    GPtrArray *chrs = NULL;
    int type;

    switch (device) {
    case TERN_DOMAIN_CHR_DEVICE_SERIAL:
        chrs = st->serials;
        break;
    case TERN_DOMAIN_CHR_DEVICE_CONSOLE:
        chrs = st->consoles;
        break;
    case TERN_DOMAIN_CHR_DEVICE_CHANNEL:
        chrs = st->channels;
        break;
    default:
        g_assert_not_reached();
    }
    if (!ternDomainCheckDeviceCount(chrs, ternDomainXMLName(node), error))
        return false;
    chr->device = device;
    chr->targetPort = TERN_DOMAIN_CHR_PORT_AUTO;
    chr->source.mode = TERN_DOMAIN_CHR_MODE_CONNECT;
    chr->source.protocol = TERN_DOMAIN_CHR_PROTOCOL_RAW;
    if (chr->device == TERN_DOMAIN_CHR_DEVICE_CONSOLE)
        chr->targetType = TERN_DOMAIN_CHR_TARGET_SERIAL;

    if (!ternDomainXMLPropEnum(node, "type", ternDomainChrTypeFromString,
                               ternDomainChrTypeUnsupported, TERN_DOMAIN_XML_REQUIRED, &type,
                               error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error))
        return false;
    chr->source.type = type;
    if (chr->device == TERN_DOMAIN_CHR_DEVICE_CHANNEL &&
        chr->source.type != TERN_DOMAIN_CHR_TYPE_UNIX) {
        ternDomainUnsupported(error, "channel of type '%s' is not supported, only 'unix'",
                              ternDomainChrTypeToString(chr->source.type));
        return false;
    }
    if (!ternDomainXMLParseChildren(node, ternDomainChrChildren,
                                    G_N_ELEMENTS(ternDomainChrChildren), chr, flags, error))
        return false;

    /* a source is optional only for a pty, where it is live data */
    if ((chr->source.type == TERN_DOMAIN_CHR_TYPE_FILE && !chr->source.path) ||
        (chr->source.type == TERN_DOMAIN_CHR_TYPE_UNIX && !chr->source.path) ||
        (chr->source.type == TERN_DOMAIN_CHR_TYPE_TCP && chr->source.service == 0)) {
        ternDomainXMLError(error, "%s of type '%s' requires element 'source'",
                           ternDomainXMLName(node), ternDomainChrTypeToString(chr->source.type));
        return false;
    }
    if (chr->device == TERN_DOMAIN_CHR_DEVICE_CHANNEL) {
        if (chr->targetType != TERN_DOMAIN_CHR_TARGET_VIRTIO) {
            ternDomainXMLErrorMissingChild(error, node, "target");
            return false;
        }
        chr->targetPort = 0;
    }
    g_ptr_array_add(chrs, g_steal_pointer(&chr));
    return true;
}

static bool
ternDomainParseGraphicsListen(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", "address", NULL};
    static const char *const types[] = {"address", NULL};
    ternDomainGraphicsDef *graphics = opaque;
    g_autofree char *type = NULL;
    g_autofree char *address = NULL;

    if (!ternDomainXMLPropRequired(node, "type", &type, error))
        return false;
    if (!g_strv_contains(types, type)) {
        ternDomainXMLErrorValue(error, node, "type", type, ternDomainListenTypeUnsupported);
        return false;
    }
    if (!ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    if ((address = ternXMLGetProp(node, "address"))) {
        if (!ternDomainHostIsValid(address)) {
            ternDomainXMLErrorAttr(error, node, "address", address,
                                   "expected an IP address or a host name");
            return false;
        }
        if (graphics->listen && strcmp(graphics->listen, address) != 0) {
            g_autofree char *q1 = ternDomainXMLQuote(graphics->listen);
            g_autofree char *q2 = ternDomainXMLQuote(address);

            ternDomainXMLError(
                error,
                "attribute 'listen' of element 'graphics' ('%s') differs from attribute 'address' of element 'listen' ('%s')",
                q1, q2);
            return false;
        }
        g_free(graphics->listen);
        graphics->listen = g_steal_pointer(&address);
    }
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainGraphicsChildren[] = {
    { "listen", ternDomainParseGraphicsListen, false },
};
/* clang-format on */

static bool
ternDomainParseGraphics(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", "port", "autoport", "listen", "passwd", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainGraphicsDef) graphics = g_new0(ternDomainGraphicsDef, 1);
    g_autofree char *port = NULL;
    g_autofree char *listen = NULL;
    int type;

    if (st->def->graphics) {
        ternDomainUnsupported(error, "more than one 'graphics' device is not supported");
        return false;
    }
    if (!ternDomainXMLPropEnum(node, "type", ternDomainGraphicsTypeFromString,
                               ternDomainGraphicsUnsupported, TERN_DOMAIN_XML_REQUIRED, &type,
                               error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error))
        return false;
    graphics->type = type;

    /* port='-1' or no port asks for autoport, as in libvirt */
    graphics->autoport = true;
    if ((port = ternXMLGetProp(node, "port")) && strcmp(port, "-1") != 0) {
        guint64 v;

        if (!g_ascii_string_to_unsigned(port, 10, 5900, 65535, &v, NULL)) {
            ternDomainXMLErrorAttr(error, node, "port", port,
                                   "expected -1 or an integer from 5900 to 65535");
            return false;
        }
        graphics->port = (int)v;
        graphics->autoport = false;
    }
    if (!ternDomainXMLPropYesNo(node, "autoport", &graphics->autoport, error))
        return false;
    if (graphics->autoport && (flags & TERN_DOMAIN_DEF_PARSE_INACTIVE))
        graphics->port = 0;
    if (!graphics->autoport && graphics->port == 0) {
        ternDomainXMLError(error, "graphics with autoport='no' require attribute 'port'");
        return false;
    }
    if ((listen = ternXMLGetProp(node, "listen"))) {
        if (!ternDomainHostIsValid(listen)) {
            ternDomainXMLErrorAttr(error, node, "listen", listen,
                                   "expected an IP address or a host name");
            return false;
        }
        graphics->listen = g_steal_pointer(&listen);
    }
    graphics->passwd = ternXMLGetProp(node, "passwd");
    if (!ternDomainXMLParseChildren(node, ternDomainGraphicsChildren,
                                    G_N_ELEMENTS(ternDomainGraphicsChildren), graphics, flags,
                                    error))
        return false;
    st->def->graphics = g_steal_pointer(&graphics);
    return true;
}

static bool
ternDomainParseVideoModel(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    ternDomainVideoDef *video = opaque;
    int model;

    if (!ternDomainXMLPropEnum(node, "type", ternDomainVideoModelTypeFromString,
                               ternDomainVideoModelUnsupported, TERN_DOMAIN_XML_REQUIRED, &model,
                               error) ||
        !ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    video->model = model;
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainVideoChildren[] = {
    { "model", ternDomainParseVideoModel, false },
};
/* clang-format on */

static bool
ternDomainParseVideo(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainVideoDef) video = g_new0(ternDomainVideoDef, 1);

    if (st->def->video) {
        ternDomainUnsupported(error, "more than one 'video' device is not supported");
        return false;
    }
    video->model = TERN_DOMAIN_VIDEO_LAST;
    if (!ternDomainXMLCheckAttrs(node, ternDomainNoAttrs, error) ||
        !ternDomainXMLParseChildren(node, ternDomainVideoChildren,
                                    G_N_ELEMENTS(ternDomainVideoChildren), video, flags, error))
        return false;
    if (video->model == TERN_DOMAIN_VIDEO_LAST) {
        ternDomainXMLErrorMissingChild(error, node, "model");
        return false;
    }
    st->def->video = g_steal_pointer(&video);
    return true;
}

static bool
ternDomainParseMemballoon(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"model", NULL};
    ternDomainParseState *st = opaque;
    int model;

    if (st->def->memballoon) {
        ternDomainUnsupported(error, "more than one 'memballoon' device is not supported");
        return false;
    }
    if (!ternDomainXMLPropEnum(node, "model", ternDomainMemballoonModelTypeFromString,
                               ternDomainMemballoonUnsupported, TERN_DOMAIN_XML_REQUIRED, &model,
                               error) ||
        !ternDomainXMLLeafEmpty(node, attrs, error))
        return false;
    st->def->memballoon = g_new0(ternDomainMemballoonDef, 1);
    st->def->memballoon->model = model;
    return true;
}

static bool
ternDomainParseRNGBackend(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"model", NULL};
    ternDomainRNGDef *rng = opaque;
    g_autofree char *text = NULL;
    int backend;

    if (!ternDomainXMLPropEnum(node, "model", ternDomainRNGBackendTypeFromString,
                               ternDomainRNGBackendUnsupported, TERN_DOMAIN_XML_REQUIRED, &backend,
                               error) ||
        !ternDomainXMLLeafText(node, attrs, &text, error))
        return false;
    rng->backend = backend;
    if (*text) {
        if (!g_strv_contains(ternDomainRNGPaths, text)) {
            ternDomainXMLErrorText(error, node, text,
                                   "expected /dev/urandom, /dev/random or /dev/hwrng");
            return false;
        }
        rng->path = g_steal_pointer(&text);
    }
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainRNGChildren[] = {
    { "backend", ternDomainParseRNGBackend, false },
};
/* clang-format on */

static bool
ternDomainParseRNG(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"model", NULL};
    ternDomainParseState *st = opaque;
    g_autoptr(ternDomainRNGDef) rng = g_new0(ternDomainRNGDef, 1);
    int model;

    if (!ternDomainCheckDeviceCount(st->rngs, "rng", error))
        return false;
    rng->backend = TERN_DOMAIN_RNG_BACKEND_LAST;
    if (!ternDomainXMLPropEnum(node, "model", ternDomainRNGModelTypeFromString,
                               ternDomainRNGModelUnsupported, TERN_DOMAIN_XML_REQUIRED, &model,
                               error) ||
        !ternDomainXMLCheckAttrs(node, attrs, error) ||
        !ternDomainXMLParseChildren(node, ternDomainRNGChildren,
                                    G_N_ELEMENTS(ternDomainRNGChildren), rng, flags, error))
        return false;
    rng->model = model;
    if (rng->backend == TERN_DOMAIN_RNG_BACKEND_LAST) {
        ternDomainXMLErrorMissingChild(error, node, "backend");
        return false;
    }
    g_ptr_array_add(st->rngs, g_steal_pointer(&rng));
    return true;
}

/* clang-format off */
static const ternDomainXMLChild ternDomainDevicesChildren[] = {
    { "emulator", ternDomainParseEmulator, false },
    { "disk", ternDomainParseDisk, true },
    { "interface", ternDomainParseNet, true },
    { "serial", ternDomainParseChr, true },
    { "console", ternDomainParseChr, true },
    { "channel", ternDomainParseChr, true },
    { "graphics", ternDomainParseGraphics, true },
    { "video", ternDomainParseVideo, true },
    { "memballoon", ternDomainParseMemballoon, true },
    { "rng", ternDomainParseRNG, true },
};
/* clang-format on */

static bool
ternDomainParseDevices(xmlNodePtr node, void *opaque, unsigned int flags, GError **error)
{
    if (!ternDomainXMLCheckAttrs(node, ternDomainNoAttrs, error))
        return false;
    return ternDomainXMLParseChildren(node, ternDomainDevicesChildren,
                                      G_N_ELEMENTS(ternDomainDevicesChildren), opaque, flags,
                                      error);
}

/* clang-format off */
static const ternDomainXMLChild ternDomainChildren[] = {
    { "name", ternDomainParseName, false },
    { "uuid", ternDomainParseUUID, false },
    { "title", ternDomainParseTitle, false },
    { "description", ternDomainParseDescription, false },
    { "memory", ternDomainParseMemory, false },
    { "currentMemory", ternDomainParseCurrentMemory, false },
    { "vcpu", ternDomainParseVcpu, false },
    { "os", ternDomainParseOS, false },
    { "features", ternDomainParseFeatures, false },
    { "cpu", ternDomainParseCPU, false },
    { "clock", ternDomainParseClock, false },
    { "on_poweroff", ternDomainParseLifecycle, false },
    { "on_reboot", ternDomainParseLifecycle, false },
    { "on_crash", ternDomainParseLifecycle, false },
    { "devices", ternDomainParseDevices, false },
};
/* clang-format on */

/* ---- filling in what the document left out ---------------------------- */

static bool
ternDomainMACInUse(GPtrArray *nets, const unsigned char *mac)
{
    for (size_t i = 0; i < nets->len; i++) {
        const ternDomainNetDef *net = g_ptr_array_index(nets, i);

        if (memcmp(net->mac, mac, TERN_DOMAIN_MAC_BUFLEN) == 0)
            return true;
    }
    return false;
}

/* QEMU's OUI with random low bytes, as libvirt does, avoiding those in use. */
static void
ternDomainGenerateMACs(ternDomainParseState *st)
{
    for (size_t i = 0; i < st->autoMacs->len; i++) {
        ternDomainNetDef *net = g_ptr_array_index(st->autoMacs, i);
        unsigned char mac[TERN_DOMAIN_MAC_BUFLEN] = {0x52, 0x54, 0x00};

        do {
            guint32 r = g_random_int();

            mac[3] = r & 0xff;
            mac[4] = (r >> 8) & 0xff;
            mac[5] = (r >> 16) & 0xff;
        } while (ternDomainMACInUse(st->nets, mac));
        memcpy(net->mac, mac, sizeof(mac));
    }
}

/*
 * Give each character device without a target port the lowest port not
 * used by a device of the same kind (element and target type).
 */
static void
ternDomainAssignChrPorts(GPtrArray *chrs)
{
    for (size_t i = 0; i < chrs->len; i++) {
        ternDomainChrDef *chr = g_ptr_array_index(chrs, i);
        unsigned int port = 0;
        bool busy = true;

        if (chr->targetPort != TERN_DOMAIN_CHR_PORT_AUTO)
            continue;
        while (busy) {
            busy = false;
            for (size_t j = 0; j < chrs->len; j++) {
                const ternDomainChrDef *other = g_ptr_array_index(chrs, j);

                if (other->targetType == chr->targetType && other->targetPort == port) {
                    busy = true;
                    port++;
                    break;
                }
            }
        }
        chr->targetPort = port;
    }
}

static void
ternDomainStealArray(GPtrArray *array, void *items, size_t *nitems)
{
    gsize len = 0;

    *(gpointer **)items = g_ptr_array_steal(array, &len);
    *nitems = len;
}

static void
ternDomainParseStateClear(ternDomainParseState *st)
{
    g_clear_pointer(&st->disks, g_ptr_array_unref);
    g_clear_pointer(&st->nets, g_ptr_array_unref);
    g_clear_pointer(&st->serials, g_ptr_array_unref);
    g_clear_pointer(&st->consoles, g_ptr_array_unref);
    g_clear_pointer(&st->channels, g_ptr_array_unref);
    g_clear_pointer(&st->rngs, g_ptr_array_unref);
    g_clear_pointer(&st->autoMacs, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ternDomainParseState, ternDomainParseStateClear)

static ternDomainDef *
ternDomainDefParseNode(xmlNodePtr root, unsigned int flags, GError **error)
{
    static const char *const attrs[] = {"type", "id", NULL};
    g_autoptr(ternDomainDef) def = ternDomainDefNew();
    g_auto(ternDomainParseState) st = {0};
    int type;

    if (!root || root->type != XML_ELEMENT_NODE) {
        ternDomainXMLError(error, "expected root element 'domain', found none");
        return NULL;
    }
    if (root->ns) {
        g_autofree char *href = ternDomainXMLQuote((const char *)root->ns->href);

        ternDomainXMLError(error, "root element '%s' must not be in a namespace, found '%s'",
                           ternDomainXMLName(root), href);
        return NULL;
    }
    if (strcmp((const char *)root->name, "domain") != 0) {
        ternDomainXMLError(error, "expected root element 'domain', found '%s'",
                           ternDomainXMLName(root));
        return NULL;
    }

    st.def = def;
    st.disks = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainDiskDefFree);
    st.nets = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainNetDefFree);
    st.serials = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainChrDefFree);
    st.consoles = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainChrDefFree);
    st.channels = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainChrDefFree);
    st.rngs = g_ptr_array_new_with_free_func((GDestroyNotify)ternDomainRNGDefFree);
    st.autoMacs = g_ptr_array_new();

    if (!ternDomainXMLPropEnum(root, "type", ternDomainVirtTypeFromString,
                               ternDomainVirtUnsupported, TERN_DOMAIN_XML_REQUIRED, &type, error) ||
        !ternDomainXMLCheckAttrs(root, attrs, error))
        return NULL;
    def->virtType = type;
    if (!(flags & TERN_DOMAIN_DEF_PARSE_INACTIVE)) {
        g_autofree char *id = ternXMLGetProp(root, "id");
        gint64 v;

        if (id) {
            if (!g_ascii_string_to_signed(id, 10, -1, G_MAXINT, &v, NULL)) {
                ternDomainXMLErrorAttr(error, root, "id", id,
                                       "expected -1 or a non-negative integer");
                return NULL;
            }
            def->id = (int)v;
        }
    }

    if (!ternDomainXMLParseChildren(root, ternDomainChildren, G_N_ELEMENTS(ternDomainChildren), &st,
                                    flags, error))
        return NULL;

    if (!def->name) {
        ternDomainXMLErrorMissingChild(error, root, "name");
        return NULL;
    }
    if (!st.haveMemory) {
        ternDomainXMLErrorMissingChild(error, root, "memory");
        return NULL;
    }
    if (!st.haveOS) {
        ternDomainXMLErrorMissingChild(error, root, "os");
        return NULL;
    }

    if (!st.haveUUID)
        ternUUIDGenerate(def->uuid);
    /* libvirt treats 0 as unset and clamps the balloon target to the maximum */
    if (!st.haveCurrentMemory || def->currentMemory == 0 || def->currentMemory > def->memory)
        def->currentMemory = def->memory;
    if (!st.haveVcpusCurrent)
        def->vcpusCurrent = def->vcpus;
    ternDomainGenerateMACs(&st);
    ternDomainAssignChrPorts(st.serials);
    ternDomainAssignChrPorts(st.consoles);

    ternDomainStealArray(st.disks, &def->disks, &def->ndisks);
    ternDomainStealArray(st.nets, &def->nets, &def->nnets);
    ternDomainStealArray(st.serials, &def->serials, &def->nserials);
    ternDomainStealArray(st.consoles, &def->consoles, &def->nconsoles);
    ternDomainStealArray(st.channels, &def->channels, &def->nchannels);
    ternDomainStealArray(st.rngs, &def->rngs, &def->nrngs);

    if (!ternDomainDefValidate(def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- documents ---------------------------------------------------------- */

/*
 * SAX hook for <!DOCTYPE ...>: stop at once, before any internal subset
 * (and its entities) is read. The flag lives in ctxt->_private.
 */
/*
 * The one decoder of domain XML: bound check, then libxml2 without
 * network, entity substitution or DTDs, then the typed parse.
 */
static ternDomainDef *
ternDomainDefParseBuffer(const char *xml, size_t len, const char *source, unsigned int flags,
                         GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *problemText = NULL;
    ternXMLProblem problem = TERN_XML_PROBLEM_NONE;
    int line = 0;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_DEF_PARSE_INACTIVE, "ternDomainDefParse", error))
        return NULL;
    if (len > TERN_DOMAIN_XML_MAX_LEN) {
        ternDomainXMLError(error, "domain XML is larger than the limit of %d bytes",
                           TERN_DOMAIN_XML_MAX_LEN);
        return NULL;
    }
    if (len == 0) {
        ternDomainXMLError(error, "domain XML is empty");
        return NULL;
    }

    doc = ternXMLParseUntrusted(xml, len, source, NULL, &problem, &line, &problemText);
    switch (problem) {
    case TERN_XML_PROBLEM_NONE:
        break;
    case TERN_XML_PROBLEM_NOMEM:
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_NO_MEMORY,
                     "cannot allocate an XML parser context");
        return NULL;
    case TERN_XML_PROBLEM_DTD:
        ternDomainXMLError(error, "document type declarations (DTD) are not allowed in domain XML");
        return NULL;
    case TERN_XML_PROBLEM_MALFORMED: {
        /* libxml2 echoes names from the document: keep the message bounded */
        g_autofree char *msg = ternDomainXMLTruncate(problemText, 4 * TERN_DOMAIN_ERROR_VALUE_MAX);
        ternDomainXMLError(error, "malformed document at line %d: %s", line, msg);
        return NULL;
    }
    }

    return ternDomainDefParseNode(xmlDocGetRootElement(doc), flags, error);
}

ternDomainDef *
ternDomainDefParseString(const char *xml, unsigned int flags, GError **error)
{
    /* never scan further than one byte past the limit */
    return ternDomainDefParseBuffer(xml, strnlen(xml, TERN_DOMAIN_XML_MAX_LEN + 1), "domain.xml",
                                    flags, error);
}

ternDomainDef *
ternDomainDefParseFile(const char *path, unsigned int flags, GError **error)
{
    g_autofree char *buf = NULL;
    size_t len = 0;
    TERN_AUTOCLOSE fd = -1;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        ternErrorSetSystem(error, TERN_FROM_DOMAIN, errno, "cannot open domain XML file '%s'",
                           path);
        return NULL;
    }

    /* read at most one byte more than the limit, so a larger file is caught */
    buf = g_malloc(TERN_DOMAIN_XML_MAX_LEN + 2);
    while (len < TERN_DOMAIN_XML_MAX_LEN + 1) {
        ssize_t got = read(fd, buf + len, TERN_DOMAIN_XML_MAX_LEN + 1 - len);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            ternErrorSetSystem(error, TERN_FROM_DOMAIN, errno, "cannot read domain XML file '%s'",
                               path);
            return NULL;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';

    return ternDomainDefParseBuffer(buf, len, path, flags, error);
}
