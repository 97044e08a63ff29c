/* domain_validate.c: the invariants of a ternDomainDef that span more than one element */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "util/ternerror.h"
#include "conf/domain_conf.h"

#define ternDomainXMLError(error, ...)                                                             \
    ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_XML_ERROR, __VA_ARGS__)
#define ternDomainUnsupported(error, ...)                                                          \
    ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_CONFIG_UNSUPPORTED, __VA_ARGS__)

/*
 * A def built in code rather than parsed may hold any integer in an enum
 * field; the formatter must never meet one without a name.
 */
#define TERN_DOMAIN_CHECK_ENUM(field, last)                                                        \
    do {                                                                                           \
        if ((int)(field) < 0 || (int)(field) >= (int)(last)) {                                     \
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INTERNAL_ERROR,                         \
                         "domain definition field '%s' holds the invalid value %d", #field,        \
                         (int)(field));                                                            \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

bool
ternDomainDefValidateName(const char *name, GError **error)
{
    size_t len;

    if (!name || !*name) {
        ternDomainXMLError(error, "domain name must not be empty");
        return false;
    }
    if ((len = strlen(name)) > TERN_DOMAIN_NAME_MAX_LEN) {
        ternDomainXMLError(error, "domain name is %zu bytes long, the maximum is %d", len,
                           TERN_DOMAIN_NAME_MAX_LEN);
        return false;
    }
    if (strchr(name, '/')) {
        ternDomainXMLError(error, "domain name '%s' must not contain '/'", name);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            ternDomainXMLError(error, "domain name must not contain control characters");
            return false;
        }
    }
    return true;
}

static bool
ternDomainDefValidateResources(const ternDomainDef *def, GError **error)
{
    if (def->memory == 0) {
        ternDomainXMLError(error, "memory size must be greater than zero");
        return false;
    }
    if (def->currentMemory == 0 || def->currentMemory > def->memory) {
        ternDomainXMLError(error,
                           "current memory %llu KiB must be between 1 and the memory size %llu KiB",
                           def->currentMemory, def->memory);
        return false;
    }
    if (def->vcpus < 1 || def->vcpus > TERN_DOMAIN_VCPUS_MAX) {
        ternDomainXMLError(error, "vcpu count %u is out of range, expected 1 to %d", def->vcpus,
                           TERN_DOMAIN_VCPUS_MAX);
        return false;
    }
    if (def->vcpusCurrent < 1 || def->vcpusCurrent > def->vcpus) {
        ternDomainXMLError(error, "current vcpu count %u is out of range, expected 1 to %u",
                           def->vcpusCurrent, def->vcpus);
        return false;
    }
    return true;
}

static bool
ternDomainDefValidateOS(const ternDomainOSDef *os, GError **error)
{
    TERN_DOMAIN_CHECK_ENUM(os->type, TERN_DOMAIN_OS_TYPE_LAST);
    TERN_DOMAIN_CHECK_ENUM(os->arch, TERN_DOMAIN_ARCH_LAST);
    if (os->nboot > TERN_DOMAIN_BOOT_MAX) {
        ternDomainXMLError(error, "at most %d boot devices can be listed", TERN_DOMAIN_BOOT_MAX);
        return false;
    }
    for (size_t i = 0; i < os->nboot; i++)
        TERN_DOMAIN_CHECK_ENUM(os->boot[i], TERN_DOMAIN_BOOT_LAST);
    if (os->initrd && !os->kernel) {
        ternDomainXMLError(error, "element 'initrd' of element 'os' requires element 'kernel'");
        return false;
    }
    if (os->cmdline && !os->kernel) {
        ternDomainXMLError(error, "element 'cmdline' of element 'os' requires element 'kernel'");
        return false;
    }
    return true;
}

static bool
ternDomainDefValidateCPU(const ternDomainCPUDef *cpu, GError **error)
{
    bool custom = cpu->mode == TERN_DOMAIN_CPU_MODE_CUSTOM;

    TERN_DOMAIN_CHECK_ENUM(cpu->mode, TERN_DOMAIN_CPU_MODE_LAST);
    TERN_DOMAIN_CHECK_ENUM(cpu->match, TERN_DOMAIN_CPU_MATCH_LAST);
    TERN_DOMAIN_CHECK_ENUM(cpu->check, TERN_DOMAIN_CPU_CHECK_LAST);
    TERN_DOMAIN_CHECK_ENUM(cpu->migratable, TERN_DOMAIN_TRISTATE_LAST);
    TERN_DOMAIN_CHECK_ENUM(cpu->fallback, TERN_DOMAIN_CPU_FALLBACK_LAST);

    if (custom && !cpu->model) {
        ternDomainXMLError(error, "CPU mode 'custom' requires element 'model' in element 'cpu'");
        return false;
    }
    if (!custom && (cpu->model || cpu->fallback != TERN_DOMAIN_CPU_FALLBACK_DEFAULT)) {
        ternDomainXMLError(
            error, "element 'model' of element 'cpu' is only allowed with mode 'custom', not '%s'",
            ternDomainCPUModeTypeToString(cpu->mode));
        return false;
    }
    if (!custom && cpu->match != TERN_DOMAIN_CPU_MATCH_DEFAULT) {
        ternDomainXMLError(
            error,
            "attribute 'match' of element 'cpu' is only allowed with mode 'custom', not '%s'",
            ternDomainCPUModeTypeToString(cpu->mode));
        return false;
    }
    if (cpu->migratable != TERN_DOMAIN_TRISTATE_ABSENT &&
        cpu->mode != TERN_DOMAIN_CPU_MODE_HOST_PASSTHROUGH) {
        ternDomainXMLError(
            error,
            "attribute 'migratable' of element 'cpu' is only allowed with mode 'host-passthrough', not '%s'",
            ternDomainCPUModeTypeToString(cpu->mode));
        return false;
    }
    return true;
}

static bool
ternDomainDefValidateLifecycle(const ternDomainDef *def, GError **error)
{
    const struct {
        const char *element;
        ternDomainLifecycleAction action;
    } events[] = {
        {"on_poweroff", def->onPoweroff},
        {"on_reboot", def->onReboot},
    };

    TERN_DOMAIN_CHECK_ENUM(def->onPoweroff, TERN_DOMAIN_LIFECYCLE_LAST);
    TERN_DOMAIN_CHECK_ENUM(def->onReboot, TERN_DOMAIN_LIFECYCLE_LAST);
    TERN_DOMAIN_CHECK_ENUM(def->onCrash, TERN_DOMAIN_LIFECYCLE_LAST);
    /* as in libvirt, dumping core is an answer to a crash only */
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        if (events[i].action == TERN_DOMAIN_LIFECYCLE_COREDUMP_DESTROY ||
            events[i].action == TERN_DOMAIN_LIFECYCLE_COREDUMP_RESTART) {
            ternDomainUnsupported(error, "lifecycle action '%s' is not supported for '%s'",
                                  ternDomainLifecycleTypeToString(events[i].action),
                                  events[i].element);
            return false;
        }
    }
    return true;
}

static bool
ternDomainDefValidateDisks(const ternDomainDef *def, GError **error)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        const ternDomainDiskDef *disk = def->disks[i];

        TERN_DOMAIN_CHECK_ENUM(disk->type, TERN_DOMAIN_DISK_TYPE_LAST);
        TERN_DOMAIN_CHECK_ENUM(disk->device, TERN_DOMAIN_DISK_DEVICE_LAST);
        TERN_DOMAIN_CHECK_ENUM(disk->driver, TERN_DOMAIN_DISK_DRIVER_LAST);
        TERN_DOMAIN_CHECK_ENUM(disk->format, TERN_DOMAIN_DISK_FORMAT_LAST);
        TERN_DOMAIN_CHECK_ENUM(disk->cache, TERN_DOMAIN_DISK_CACHE_LAST);
        TERN_DOMAIN_CHECK_ENUM(disk->bus, TERN_DOMAIN_DISK_BUS_LAST);
        if (!disk->dst) {
            ternDomainXMLError(error, "disk %zu has no target device", i);
            return false;
        }
        if (!disk->path && disk->device == TERN_DOMAIN_DISK_DEVICE_DISK) {
            ternDomainXMLError(error, "disk '%s' requires a source file", disk->dst);
            return false;
        }
        /* virtio-blk has no removable media (QEMU refuses it, and so does libvirt) */
        if (disk->device == TERN_DOMAIN_DISK_DEVICE_CDROM &&
            disk->bus == TERN_DOMAIN_DISK_BUS_VIRTIO) {
            ternDomainUnsupported(
                error, "disk '%s': device 'cdrom' is not supported on bus 'virtio'", disk->dst);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(def->disks[j]->dst, disk->dst) == 0) {
                ternDomainXMLError(error, "disk target '%s' is used by more than one disk",
                                   disk->dst);
                return false;
            }
        }
    }
    return true;
}

static bool
ternDomainDefValidateNets(const ternDomainDef *def, GError **error)
{
    static const unsigned char zero[TERN_DOMAIN_MAC_BUFLEN] = {0};

    for (size_t i = 0; i < def->nnets; i++) {
        const ternDomainNetDef *net = def->nets[i];
        char mac[TERN_DOMAIN_MAC_STRING_BUFLEN];

        TERN_DOMAIN_CHECK_ENUM(net->type, TERN_DOMAIN_NET_TYPE_LAST);
        TERN_DOMAIN_CHECK_ENUM(net->model, TERN_DOMAIN_NET_MODEL_LAST);
        TERN_DOMAIN_CHECK_ENUM(net->mode, TERN_DOMAIN_NET_DIRECT_LAST);
        ternDomainMACFormat(net->mac, mac);
        if ((net->mac[0] & 1) || memcmp(net->mac, zero, sizeof(zero)) == 0) {
            ternDomainXMLError(error, "interface MAC address '%s' is not a unicast address", mac);
            return false;
        }
        if (net->type == TERN_DOMAIN_NET_TYPE_BRIDGE && !net->bridge) {
            ternDomainXMLError(error, "interface '%s' of type 'bridge' has no source bridge", mac);
            return false;
        }
        if (net->type == TERN_DOMAIN_NET_TYPE_DIRECT && !net->dev) {
            ternDomainXMLError(error, "interface '%s' of type 'direct' has no source device", mac);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (memcmp(def->nets[j]->mac, net->mac, TERN_DOMAIN_MAC_BUFLEN) == 0) {
                ternDomainXMLError(error, "MAC address '%s' is used by more than one interface",
                                   mac);
                return false;
            }
        }
    }
    return true;
}

static bool
ternDomainDefValidateChrs(ternDomainChrDef *const *chrs, size_t nchrs, ternDomainChrDevice device,
                          GError **error)
{
    const char *element = ternDomainChrDeviceTypeToString(device);

    for (size_t i = 0; i < nchrs; i++) {
        const ternDomainChrDef *chr = chrs[i];
        const ternDomainChrSourceDef *src = &chr->source;

        TERN_DOMAIN_CHECK_ENUM(src->type, TERN_DOMAIN_CHR_TYPE_LAST);
        TERN_DOMAIN_CHECK_ENUM(src->mode, TERN_DOMAIN_CHR_MODE_LAST);
        TERN_DOMAIN_CHECK_ENUM(src->protocol, TERN_DOMAIN_CHR_PROTOCOL_LAST);
        TERN_DOMAIN_CHECK_ENUM(src->append, TERN_DOMAIN_TRISTATE_LAST);
        TERN_DOMAIN_CHECK_ENUM(chr->targetType, TERN_DOMAIN_CHR_TARGET_LAST);
        if (chr->device != device) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INTERNAL_ERROR,
                         "a '%s' device is listed among the '%s' devices",
                         ternDomainChrDeviceTypeToString(chr->device), element);
            return false;
        }
        if ((src->type == TERN_DOMAIN_CHR_TYPE_FILE || src->type == TERN_DOMAIN_CHR_TYPE_UNIX) &&
            !src->path) {
            ternDomainXMLError(error, "%s of type '%s' requires a source path", element,
                               ternDomainChrTypeToString(src->type));
            return false;
        }
        if (src->type == TERN_DOMAIN_CHR_TYPE_TCP &&
            (src->service < 1 || src->service > 65535 ||
             (!src->host && src->mode == TERN_DOMAIN_CHR_MODE_CONNECT))) {
            ternDomainXMLError(
                error, "%s of type 'tcp' requires a source service and, in mode 'connect', a host",
                element);
            return false;
        }

        switch (device) {
        case TERN_DOMAIN_CHR_DEVICE_SERIAL:
        case TERN_DOMAIN_CHR_DEVICE_CONSOLE: {
            bool serial = device == TERN_DOMAIN_CHR_DEVICE_SERIAL;

            if (serial != (chr->targetType == TERN_DOMAIN_CHR_TARGET_DEFAULT)) {
                ternDomainXMLError(error, "%s has the invalid target type '%s'", element,
                                   ternDomainChrTargetTypeToString(chr->targetType));
                return false;
            }
            if (chr->targetPort > 255) {
                ternDomainXMLError(error, "%s target port %u is out of range, expected 0 to 255",
                                   element, chr->targetPort);
                return false;
            }
            for (size_t j = 0; j < i; j++) {
                if (chrs[j]->targetType == chr->targetType &&
                    chrs[j]->targetPort == chr->targetPort) {
                    ternDomainXMLError(error, "%s target port %u is used by more than one %s",
                                       element, chr->targetPort, element);
                    return false;
                }
            }
            break;
        }
        case TERN_DOMAIN_CHR_DEVICE_CHANNEL:
            if (src->type != TERN_DOMAIN_CHR_TYPE_UNIX) {
                ternDomainUnsupported(error, "channel of type '%s' is not supported, only 'unix'",
                                      ternDomainChrTypeToString(src->type));
                return false;
            }
            if (chr->targetType != TERN_DOMAIN_CHR_TARGET_VIRTIO) {
                ternDomainXMLError(error, "channel requires a target of type 'virtio'");
                return false;
            }
            for (size_t j = 0; j < i && chr->targetName; j++) {
                if (g_strcmp0(chrs[j]->targetName, chr->targetName) == 0) {
                    ternDomainXMLError(error,
                                       "channel target name '%s' is used by more than one channel",
                                       chr->targetName);
                    return false;
                }
            }
            break;
        case TERN_DOMAIN_CHR_DEVICE_LAST:
            g_assert_not_reached();
        }
    }
    return true;
}

static bool
ternDomainDefValidateOtherDevices(const ternDomainDef *def, GError **error)
{
    const ternDomainGraphicsDef *graphics = def->graphics;

    if (graphics) {
        TERN_DOMAIN_CHECK_ENUM(graphics->type, TERN_DOMAIN_GRAPHICS_LAST);
        if (graphics->port != 0 && (graphics->port < 5900 || graphics->port > 65535)) {
            ternDomainXMLError(error, "vnc port %d is out of range, expected 5900 to 65535",
                               graphics->port);
            return false;
        }
        if (!graphics->autoport && graphics->port == 0) {
            ternDomainXMLError(error, "graphics with autoport='no' require attribute 'port'");
            return false;
        }
    }
    if (def->video)
        TERN_DOMAIN_CHECK_ENUM(def->video->model, TERN_DOMAIN_VIDEO_LAST);
    if (def->memballoon)
        TERN_DOMAIN_CHECK_ENUM(def->memballoon->model, TERN_DOMAIN_MEMBALLOON_LAST);
    for (size_t i = 0; i < def->nrngs; i++) {
        TERN_DOMAIN_CHECK_ENUM(def->rngs[i]->model, TERN_DOMAIN_RNG_LAST);
        TERN_DOMAIN_CHECK_ENUM(def->rngs[i]->backend, TERN_DOMAIN_RNG_BACKEND_LAST);
    }
    return true;
}

static bool
ternDomainDefValidateCounts(const ternDomainDef *def, GError **error)
{
    const struct {
        const char *element;
        size_t count;
    } counts[] = {
        {"disk", def->ndisks},       {"interface", def->nnets},   {"serial", def->nserials},
        {"console", def->nconsoles}, {"channel", def->nchannels}, {"rng", def->nrngs},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        if (counts[i].count > TERN_DOMAIN_DEVICES_MAX) {
            ternDomainUnsupported(error, "more than %d '%s' devices are not supported",
                                  TERN_DOMAIN_DEVICES_MAX, counts[i].element);
            return false;
        }
    }
    return true;
}

bool
ternDomainDefValidate(const ternDomainDef *def, GError **error)
{
    TERN_DOMAIN_CHECK_ENUM(def->virtType, TERN_DOMAIN_VIRT_LAST);
    TERN_DOMAIN_CHECK_ENUM(def->clockOffset, TERN_DOMAIN_CLOCK_OFFSET_LAST);
    if (def->id < -1) {
        ternDomainXMLError(error, "domain id %d is invalid, expected -1 or a non-negative integer",
                           def->id);
        return false;
    }

    return ternDomainDefValidateName(def->name, error) && ternDomainDefValidateCounts(def, error) &&
           ternDomainDefValidateResources(def, error) && ternDomainDefValidateOS(&def->os, error) &&
           (!def->cpu || ternDomainDefValidateCPU(def->cpu, error)) &&
           ternDomainDefValidateLifecycle(def, error) && ternDomainDefValidateDisks(def, error) &&
           ternDomainDefValidateNets(def, error) &&
           ternDomainDefValidateChrs(def->serials, def->nserials, TERN_DOMAIN_CHR_DEVICE_SERIAL,
                                     error) &&
           ternDomainDefValidateChrs(def->consoles, def->nconsoles, TERN_DOMAIN_CHR_DEVICE_CONSOLE,
                                     error) &&
           ternDomainDefValidateChrs(def->channels, def->nchannels, TERN_DOMAIN_CHR_DEVICE_CHANNEL,
                                     error) &&
           ternDomainDefValidateOtherDevices(def, error);
}
