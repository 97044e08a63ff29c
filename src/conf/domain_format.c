/* domain_format.c: write a ternDomainDef as canonical libvirt domain XML */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "util/ternerror.h"
#include "util/ternutil.h"
#include "conf/domain_conf.h"

/*
 * Canonical means: one fixed order of elements and attributes, two spaces
 * per level, sizes in KiB, defaults written out where the parser fills them
 * in, and nothing written that parsing would not read back the same. That
 * makes parse(format(def)) format identically.
 */

static void
ternDomainFormatIndent(GString *buf, unsigned int level)
{
    for (unsigned int i = 0; i < level; i++)
        g_string_append(buf, "  ");
}

/*
 * Escape @str for XML. Besides the five markup characters, characters an
 * XML parser would normalise are written as references: CR everywhere, and
 * tab and newline inside attribute values.
 */
static void
ternDomainFormatEscape(GString *buf, const char *str, bool attr)
{
    for (const char *p = str; *p; p++) {
        switch (*p) {
        case '<':
            g_string_append(buf, "&lt;");
            break;
        case '>':
            g_string_append(buf, "&gt;");
            break;
        case '&':
            g_string_append(buf, "&amp;");
            break;
        case '\'':
            g_string_append(buf, "&apos;");
            break;
        case '"':
            g_string_append(buf, "&quot;");
            break;
        case '\r':
            g_string_append(buf, "&#13;");
            break;
        case '\n':
            g_string_append(buf, attr ? "&#10;" : "\n");
            break;
        case '\t':
            g_string_append(buf, attr ? "&#9;" : "\t");
            break;
        default:
            g_string_append_c(buf, *p);
        }
    }
}

/* " name='value'" */
static void
ternDomainFormatAttr(GString *buf, const char *name, const char *value)
{
    g_string_append_printf(buf, " %s='", name);
    ternDomainFormatEscape(buf, value, true);
    g_string_append_c(buf, '\'');
}

static void
ternDomainFormatAttrUInt(GString *buf, const char *name, unsigned long long value)
{
    g_string_append_printf(buf, " %s='%llu'", name, value);
}

/* "<name>text</name>\n" at @level */
static void
ternDomainFormatTextElement(GString *buf, unsigned int level, const char *name, const char *text)
{
    ternDomainFormatIndent(buf, level);
    g_string_append_printf(buf, "<%s>", name);
    ternDomainFormatEscape(buf, text, false);
    g_string_append_printf(buf, "</%s>\n", name);
}

static void
ternDomainFormatOS(GString *buf, const ternDomainOSDef *os)
{
    g_string_append(buf, "  <os>\n");
    g_string_append(buf, "    <type");
    ternDomainFormatAttr(buf, "arch", ternDomainArchTypeToString(os->arch));
    if (os->machine)
        ternDomainFormatAttr(buf, "machine", os->machine);
    g_string_append_printf(buf, ">%s</type>\n", ternDomainOSTypeToString(os->type));
    if (os->kernel)
        ternDomainFormatTextElement(buf, 2, "kernel", os->kernel);
    if (os->initrd)
        ternDomainFormatTextElement(buf, 2, "initrd", os->initrd);
    if (os->cmdline)
        ternDomainFormatTextElement(buf, 2, "cmdline", os->cmdline);
    for (size_t i = 0; i < os->nboot; i++)
        g_string_append_printf(buf, "    <boot dev='%s'/>\n",
                               ternDomainBootTypeToString(os->boot[i]));
    g_string_append(buf, "  </os>\n");
}

static void
ternDomainFormatFeatures(GString *buf, const ternDomainDef *def)
{
    bool any = false;

    for (size_t i = 0; i < TERN_DOMAIN_FEATURE_LAST; i++)
        any |= def->features[i];
    if (!any)
        return;
    g_string_append(buf, "  <features>\n");
    for (size_t i = 0; i < TERN_DOMAIN_FEATURE_LAST; i++) {
        if (def->features[i])
            g_string_append_printf(buf, "    <%s/>\n", ternDomainFeatureTypeToString(i));
    }
    g_string_append(buf, "  </features>\n");
}

static void
ternDomainFormatCPU(GString *buf, const ternDomainCPUDef *cpu)
{
    g_string_append(buf, "  <cpu");
    ternDomainFormatAttr(buf, "mode", ternDomainCPUModeTypeToString(cpu->mode));
    if (cpu->match != TERN_DOMAIN_CPU_MATCH_DEFAULT)
        ternDomainFormatAttr(buf, "match", ternDomainCPUMatchTypeToString(cpu->match));
    if (cpu->check != TERN_DOMAIN_CPU_CHECK_DEFAULT)
        ternDomainFormatAttr(buf, "check", ternDomainCPUCheckTypeToString(cpu->check));
    if (cpu->migratable != TERN_DOMAIN_TRISTATE_ABSENT)
        ternDomainFormatAttr(buf, "migratable", ternDomainTristateTypeToString(cpu->migratable));
    if (!cpu->model) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n    <model");
    if (cpu->fallback != TERN_DOMAIN_CPU_FALLBACK_DEFAULT)
        ternDomainFormatAttr(buf, "fallback", ternDomainCPUFallbackTypeToString(cpu->fallback));
    g_string_append_c(buf, '>');
    ternDomainFormatEscape(buf, cpu->model, false);
    g_string_append(buf, "</model>\n  </cpu>\n");
}

static void
ternDomainFormatDisk(GString *buf, const ternDomainDiskDef *disk)
{
    g_string_append(buf, "    <disk");
    ternDomainFormatAttr(buf, "type", ternDomainDiskTypeToString(disk->type));
    ternDomainFormatAttr(buf, "device", ternDomainDiskDeviceTypeToString(disk->device));
    g_string_append(buf, ">\n");

    if (disk->driver != TERN_DOMAIN_DISK_DRIVER_DEFAULT ||
        disk->format != TERN_DOMAIN_DISK_FORMAT_DEFAULT ||
        disk->cache != TERN_DOMAIN_DISK_CACHE_DEFAULT) {
        g_string_append(buf, "      <driver");
        if (disk->driver != TERN_DOMAIN_DISK_DRIVER_DEFAULT)
            ternDomainFormatAttr(buf, "name", ternDomainDiskDriverTypeToString(disk->driver));
        if (disk->format != TERN_DOMAIN_DISK_FORMAT_DEFAULT)
            ternDomainFormatAttr(buf, "type", ternDomainDiskFormatTypeToString(disk->format));
        if (disk->cache != TERN_DOMAIN_DISK_CACHE_DEFAULT)
            ternDomainFormatAttr(buf, "cache", ternDomainDiskCacheTypeToString(disk->cache));
        g_string_append(buf, "/>\n");
    }
    if (disk->path) {
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "file", disk->path);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "      <target");
    ternDomainFormatAttr(buf, "dev", disk->dst);
    ternDomainFormatAttr(buf, "bus", ternDomainDiskBusTypeToString(disk->bus));
    g_string_append(buf, "/>\n");
    if (disk->readonly)
        g_string_append(buf, "      <readonly/>\n");
    if (disk->shareable)
        g_string_append(buf, "      <shareable/>\n");
    g_string_append(buf, "    </disk>\n");
}

static void
ternDomainFormatNet(GString *buf, const ternDomainNetDef *net, unsigned int flags)
{
    char mac[TERN_DOMAIN_MAC_STRING_BUFLEN];

    ternDomainMACFormat(net->mac, mac);
    g_string_append(buf, "    <interface");
    ternDomainFormatAttr(buf, "type", ternDomainNetTypeToString(net->type));
    g_string_append_printf(buf, ">\n      <mac address='%s'/>\n", mac);

    switch (net->type) {
    case TERN_DOMAIN_NET_TYPE_BRIDGE:
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "bridge", net->bridge);
        g_string_append(buf, "/>\n");
        break;
    case TERN_DOMAIN_NET_TYPE_DIRECT:
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "dev", net->dev);
        ternDomainFormatAttr(buf, "mode", ternDomainNetDirectModeTypeToString(net->mode));
        g_string_append(buf, "/>\n");
        break;
    case TERN_DOMAIN_NET_TYPE_USER:
    case TERN_DOMAIN_NET_TYPE_LAST:
        break;
    }
    if (net->ifname && net->type != TERN_DOMAIN_NET_TYPE_USER &&
        !(flags & TERN_DOMAIN_DEF_FORMAT_INACTIVE)) {
        g_string_append(buf, "      <target");
        ternDomainFormatAttr(buf, "dev", net->ifname);
        g_string_append(buf, "/>\n");
    }
    if (net->model != TERN_DOMAIN_NET_MODEL_DEFAULT)
        g_string_append_printf(buf, "      <model type='%s'/>\n",
                               ternDomainNetModelTypeToString(net->model));
    g_string_append(buf, "    </interface>\n");
}

static void
ternDomainFormatChrSource(GString *buf, const ternDomainChrSourceDef *src, unsigned int flags)
{
    switch (src->type) {
    case TERN_DOMAIN_CHR_TYPE_PTY:
        if (!src->path || (flags & TERN_DOMAIN_DEF_FORMAT_INACTIVE))
            return;
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "path", src->path);
        break;
    case TERN_DOMAIN_CHR_TYPE_FILE:
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "path", src->path);
        if (src->append != TERN_DOMAIN_TRISTATE_ABSENT)
            ternDomainFormatAttr(buf, "append", ternDomainTristateTypeToString(src->append));
        break;
    case TERN_DOMAIN_CHR_TYPE_UNIX:
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "mode", ternDomainChrModeTypeToString(src->mode));
        ternDomainFormatAttr(buf, "path", src->path);
        break;
    case TERN_DOMAIN_CHR_TYPE_TCP:
        g_string_append(buf, "      <source");
        ternDomainFormatAttr(buf, "mode", ternDomainChrModeTypeToString(src->mode));
        if (src->host)
            ternDomainFormatAttr(buf, "host", src->host);
        ternDomainFormatAttrUInt(buf, "service", src->service);
        g_string_append(buf, "/>\n");
        g_string_append_printf(buf, "      <protocol type='%s'/>\n",
                               ternDomainChrProtocolTypeToString(src->protocol));
        return;
    case TERN_DOMAIN_CHR_TYPE_LAST:
        return;
    }
    g_string_append(buf, "/>\n");
}

static void
ternDomainFormatChr(GString *buf, const ternDomainChrDef *chr, unsigned int flags)
{
    const char *element = ternDomainChrDeviceTypeToString(chr->device);

    g_string_append_printf(buf, "    <%s", element);
    ternDomainFormatAttr(buf, "type", ternDomainChrTypeToString(chr->source.type));
    g_string_append(buf, ">\n");
    ternDomainFormatChrSource(buf, &chr->source, flags);

    g_string_append(buf, "      <target");
    if (chr->targetType != TERN_DOMAIN_CHR_TARGET_DEFAULT)
        ternDomainFormatAttr(buf, "type", ternDomainChrTargetTypeToString(chr->targetType));
    if (chr->device == TERN_DOMAIN_CHR_DEVICE_CHANNEL) {
        if (chr->targetName)
            ternDomainFormatAttr(buf, "name", chr->targetName);
    } else {
        ternDomainFormatAttrUInt(buf, "port", chr->targetPort);
    }
    g_string_append(buf, "/>\n");
    g_string_append_printf(buf, "    </%s>\n", element);
}

static void
ternDomainFormatGraphics(GString *buf, const ternDomainGraphicsDef *graphics, unsigned int flags)
{
    g_string_append(buf, "    <graphics");
    ternDomainFormatAttr(buf, "type", ternDomainGraphicsTypeToString(graphics->type));
    /* as libvirt: an assigned port is live data when autoport chose it */
    if (graphics->port && (!graphics->autoport || !(flags & TERN_DOMAIN_DEF_FORMAT_INACTIVE)))
        g_string_append_printf(buf, " port='%d'", graphics->port);
    else
        g_string_append(buf, " port='-1'");
    ternDomainFormatAttr(buf, "autoport", graphics->autoport ? "yes" : "no");
    if (graphics->listen)
        ternDomainFormatAttr(buf, "listen", graphics->listen);
    if (graphics->passwd && (flags & TERN_DOMAIN_DEF_FORMAT_SECURE))
        ternDomainFormatAttr(buf, "passwd", graphics->passwd);
    if (!graphics->listen) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n      <listen type='address'");
    ternDomainFormatAttr(buf, "address", graphics->listen);
    g_string_append(buf, "/>\n    </graphics>\n");
}

static void
ternDomainFormatDevices(GString *buf, const ternDomainDef *def, unsigned int flags)
{
    if (!def->emulator && !def->ndisks && !def->nnets && !def->nserials && !def->nconsoles &&
        !def->nchannels && !def->graphics && !def->video && !def->memballoon && !def->nrngs)
        return;

    g_string_append(buf, "  <devices>\n");
    if (def->emulator)
        ternDomainFormatTextElement(buf, 2, "emulator", def->emulator);
    for (size_t i = 0; i < def->ndisks; i++)
        ternDomainFormatDisk(buf, def->disks[i]);
    for (size_t i = 0; i < def->nnets; i++)
        ternDomainFormatNet(buf, def->nets[i], flags);
    for (size_t i = 0; i < def->nserials; i++)
        ternDomainFormatChr(buf, def->serials[i], flags);
    for (size_t i = 0; i < def->nconsoles; i++)
        ternDomainFormatChr(buf, def->consoles[i], flags);
    for (size_t i = 0; i < def->nchannels; i++)
        ternDomainFormatChr(buf, def->channels[i], flags);
    if (def->graphics)
        ternDomainFormatGraphics(buf, def->graphics, flags);
    if (def->video)
        g_string_append_printf(buf, "    <video>\n      <model type='%s'/>\n    </video>\n",
                               ternDomainVideoModelTypeToString(def->video->model));
    if (def->memballoon)
        g_string_append_printf(buf, "    <memballoon model='%s'/>\n",
                               ternDomainMemballoonModelTypeToString(def->memballoon->model));
    for (size_t i = 0; i < def->nrngs; i++) {
        const ternDomainRNGDef *rng = def->rngs[i];

        g_string_append_printf(buf, "    <rng model='%s'>\n      <backend model='%s'",
                               ternDomainRNGModelTypeToString(rng->model),
                               ternDomainRNGBackendTypeToString(rng->backend));
        if (rng->path) {
            g_string_append_c(buf, '>');
            ternDomainFormatEscape(buf, rng->path, false);
            g_string_append(buf, "</backend>\n");
        } else {
            g_string_append(buf, "/>\n");
        }
        g_string_append(buf, "    </rng>\n");
    }
    g_string_append(buf, "  </devices>\n");
}

char *
ternDomainDefFormat(const ternDomainDef *def, unsigned int flags, GError **error)
{
    const unsigned int known = TERN_DOMAIN_DEF_FORMAT_SECURE | TERN_DOMAIN_DEF_FORMAT_INACTIVE |
                               TERN_DOMAIN_DEF_FORMAT_MIGRATABLE;
    g_autoptr(GString) buf = NULL;
    char uuid[TERN_UUID_STR_LEN];

    if (!ternErrorCheckFlags(flags, known, "ternDomainDefFormat", error))
        return NULL;
    /* never write what the parser would refuse */
    if (!ternDomainDefValidate(def, error))
        return NULL;

    buf = g_string_sized_new(4096);
    g_string_append(buf, "<domain");
    ternDomainFormatAttr(buf, "type", ternDomainVirtTypeToString(def->virtType));
    if (def->id >= 0 && !(flags & TERN_DOMAIN_DEF_FORMAT_INACTIVE))
        g_string_append_printf(buf, " id='%d'", def->id);
    g_string_append(buf, ">\n");

    ternDomainFormatTextElement(buf, 1, "name", def->name);
    ternUUIDFormat(def->uuid, uuid);
    g_string_append_printf(buf, "  <uuid>%s</uuid>\n", uuid);
    if (def->title)
        ternDomainFormatTextElement(buf, 1, "title", def->title);
    if (def->description)
        ternDomainFormatTextElement(buf, 1, "description", def->description);
    g_string_append_printf(buf, "  <memory unit='KiB'>%llu</memory>\n", def->memory);
    g_string_append_printf(buf, "  <currentMemory unit='KiB'>%llu</currentMemory>\n",
                           def->currentMemory);
    g_string_append(buf, "  <vcpu placement='static'");
    if (def->vcpusCurrent != def->vcpus)
        ternDomainFormatAttrUInt(buf, "current", def->vcpusCurrent);
    g_string_append_printf(buf, ">%u</vcpu>\n", def->vcpus);

    ternDomainFormatOS(buf, &def->os);
    ternDomainFormatFeatures(buf, def);
    if (def->cpu)
        ternDomainFormatCPU(buf, def->cpu);
    g_string_append_printf(buf, "  <clock offset='%s'/>\n",
                           ternDomainClockOffsetTypeToString(def->clockOffset));
    g_string_append_printf(buf, "  <on_poweroff>%s</on_poweroff>\n",
                           ternDomainLifecycleTypeToString(def->onPoweroff));
    g_string_append_printf(buf, "  <on_reboot>%s</on_reboot>\n",
                           ternDomainLifecycleTypeToString(def->onReboot));
    g_string_append_printf(buf, "  <on_crash>%s</on_crash>\n",
                           ternDomainLifecycleTypeToString(def->onCrash));
    ternDomainFormatDevices(buf, def, flags);
    g_string_append(buf, "</domain>\n");

    return g_string_free(g_steal_pointer(&buf), FALSE);
}
