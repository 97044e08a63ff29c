/* tern-domain.c: the tern CLI's domain commands: listing, information, definition, lifecycle */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern-commands.h"

/*
 * Every command prints what virsh prints for the same data (virsh-domain.c,
 * virsh-domain-monitor.c of libvirt 9.0), so a script may call either. The
 * confirmations ("Domain 'x' started") name the domain as the user typed
 * it, as virsh does; start names it by its real name, as virsh does too.
 */

/* ------------------------------------------------------------------------------------------ */
/* States and reasons as virsh words them                                                      */
/* ------------------------------------------------------------------------------------------ */

static const char *const ternCliNostateReasons[] = {"unknown"};

static const char *const ternCliRunningReasons[] = {
    [TERN_DOMAIN_RUNNING_UNKNOWN] = "unknown",
    [TERN_DOMAIN_RUNNING_BOOTED] = "booted",
    [TERN_DOMAIN_RUNNING_MIGRATED] = "migrated",
    [TERN_DOMAIN_RUNNING_RESTORED] = "restored",
    [TERN_DOMAIN_RUNNING_FROM_SNAPSHOT] = "from snapshot",
    [TERN_DOMAIN_RUNNING_UNPAUSED] = "unpaused",
    [TERN_DOMAIN_RUNNING_MIGRATION_CANCELED] = "migration canceled",
    [TERN_DOMAIN_RUNNING_SAVE_CANCELED] = "save canceled",
    [TERN_DOMAIN_RUNNING_WAKEUP] = "event wakeup",
    [TERN_DOMAIN_RUNNING_CRASHED] = "crashed",
    [TERN_DOMAIN_RUNNING_POSTCOPY] = "post-copy",
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliRunningReasons) == TERN_DOMAIN_RUNNING_LAST);

static const char *const ternCliBlockedReasons[] = {"unknown"};

static const char *const ternCliPausedReasons[] = {
    [TERN_DOMAIN_PAUSED_UNKNOWN] = "unknown",
    [TERN_DOMAIN_PAUSED_USER] = "user",
    [TERN_DOMAIN_PAUSED_MIGRATION] = "migrating",
    [TERN_DOMAIN_PAUSED_SAVE] = "saving",
    [TERN_DOMAIN_PAUSED_DUMP] = "dumping",
    [TERN_DOMAIN_PAUSED_IOERROR] = "I/O error",
    [TERN_DOMAIN_PAUSED_WATCHDOG] = "watchdog",
    [TERN_DOMAIN_PAUSED_FROM_SNAPSHOT] = "from snapshot",
    [TERN_DOMAIN_PAUSED_SHUTTING_DOWN] = "shutting down",
    [TERN_DOMAIN_PAUSED_SNAPSHOT] = "creating snapshot",
    [TERN_DOMAIN_PAUSED_CRASHED] = "crashed",
    [TERN_DOMAIN_PAUSED_STARTING_UP] = "starting up",
    [TERN_DOMAIN_PAUSED_POSTCOPY] = "post-copy",
    [TERN_DOMAIN_PAUSED_POSTCOPY_FAILED] = "post-copy failed",
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliPausedReasons) == TERN_DOMAIN_PAUSED_LAST);

static const char *const ternCliShutdownReasons[] = {"unknown", "user"};

static const char *const ternCliShutoffReasons[] = {
    [TERN_DOMAIN_SHUTOFF_UNKNOWN] = "unknown",
    [TERN_DOMAIN_SHUTOFF_SHUTDOWN] = "shutdown",
    [TERN_DOMAIN_SHUTOFF_DESTROYED] = "destroyed",
    [TERN_DOMAIN_SHUTOFF_CRASHED] = "crashed",
    [TERN_DOMAIN_SHUTOFF_MIGRATED] = "migrated",
    [TERN_DOMAIN_SHUTOFF_SAVED] = "saved",
    [TERN_DOMAIN_SHUTOFF_FAILED] = "failed",
    [TERN_DOMAIN_SHUTOFF_FROM_SNAPSHOT] = "from snapshot",
    [TERN_DOMAIN_SHUTOFF_DAEMON] = "daemon",
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliShutoffReasons) == TERN_DOMAIN_SHUTOFF_LAST);

static const char *const ternCliCrashedReasons[] = {"unknown", "panicked"};
static const char *const ternCliPMSuspendedReasons[] = {"unknown"};

typedef struct {
    const char *name;
    const char *const *reasons;
    size_t nreasons;
} ternCliStateNames;

/* clang-format off */
#define TERN_CLI_STATE(name, reasons) {name, reasons, G_N_ELEMENTS(reasons)}
/* clang-format on */

static const ternCliStateNames ternCliStates[] = {
    [TERN_DOMAIN_NOSTATE] = TERN_CLI_STATE("no state", ternCliNostateReasons),
    [TERN_DOMAIN_RUNNING] = TERN_CLI_STATE("running", ternCliRunningReasons),
    [TERN_DOMAIN_BLOCKED] = TERN_CLI_STATE("idle", ternCliBlockedReasons),
    [TERN_DOMAIN_PAUSED] = TERN_CLI_STATE("paused", ternCliPausedReasons),
    [TERN_DOMAIN_SHUTDOWN] = TERN_CLI_STATE("in shutdown", ternCliShutdownReasons),
    [TERN_DOMAIN_SHUTOFF] = TERN_CLI_STATE("shut off", ternCliShutoffReasons),
    [TERN_DOMAIN_CRASHED] = TERN_CLI_STATE("crashed", ternCliCrashedReasons),
    [TERN_DOMAIN_PMSUSPENDED] = TERN_CLI_STATE("pmsuspended", ternCliPMSuspendedReasons),
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliStates) == TERN_DOMAIN_LAST);

static const char *
ternCliStateToString(int state)
{
    if (state < 0 || state >= TERN_DOMAIN_LAST)
        return "no state";
    return ternCliStates[state].name;
}

static const char *
ternCliStateReasonToString(int state, int reason)
{
    if (state < 0 || state >= TERN_DOMAIN_LAST || reason < 0 ||
        (size_t)reason >= ternCliStates[state].nreasons)
        return "unknown";
    return ternCliStates[state].reasons[reason];
}

/* The state (and reason) of @dom, from GetInfo when the driver has no GetState (as virsh). */
static int
ternCliDomainState(ternDomain *dom, int *reason)
{
    ternDomainInfo info;
    int state;
    int why = 0;

    if (ternDomainGetState(dom, &state, &why, 0) == 0) {
        if (reason)
            *reason = why;
        return state;
    }
    if (ternGetLastError() && ternGetLastError()->code != TERN_ERR_NO_SUPPORT)
        return -1;
    if (ternDomainGetInfo(dom, &info) < 0)
        return -1;
    if (reason)
        *reason = 0;
    return info.state;
}

/* ------------------------------------------------------------------------------------------ */
/* The table list prints (virsh's vsh-table layout)                                            */
/* ------------------------------------------------------------------------------------------ */

/*
 * A cell as printed, control characters shown as \xNN, and its width on a
 * terminal (wide characters count two, combining ones nothing).
 */
static char *
ternCliTableCell(const char *text, size_t *width)
{
    GString *out = g_string_new(NULL);
    const char *p = text;

    *width = 0;
    while (*p) {
        gunichar c = g_utf8_get_char_validated(p, -1);

        if (c == (gunichar)-1 || c == (gunichar)-2 || !g_unichar_isprint(c)) {
            /* one byte at a time: control characters and invalid UTF-8 */
            g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
            *width += 4;
            p++;
            continue;
        }
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
        if (g_unichar_iswide(c))
            *width += 2;
        else if (!g_unichar_iszerowidth(c))
            *width += 1;
        p = g_utf8_next_char(p);
    }
    return g_string_free(out, FALSE);
}

/*
 * Print @rows (GStrv each, all of @ncols cells; row 0 is the header): a
 * space before every cell, two spaces and padding between columns, the
 * header and a line of dashes unless -q (and then the header does not
 * widen the columns either).
 */
static void
ternCliTablePrint(ternControl *ctl, GPtrArray *rows, size_t ncols)
{
    g_autofree size_t *maxw = g_new0(size_t, ncols);
    g_autofree size_t *widths = g_new0(size_t, (size_t)rows->len * ncols);
    g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
    guint first = ctl->quiet ? 1 : 0;

    for (guint r = 0; r < rows->len; r++) {
        char **row = g_ptr_array_index(rows, r);

        for (size_t c = 0; c < ncols; c++) {
            size_t *w = &widths[r * ncols + c];

            g_ptr_array_add(cells, ternCliTableCell(row[c], w));
            if (r >= first)
                maxw[c] = MAX(maxw[c], *w);
        }
    }

    for (guint r = first; r < rows->len; r++) {
        for (size_t c = 0; c < ncols; c++) {
            ternCtlPrint(ctl, " %s", (char *)g_ptr_array_index(cells, r * ncols + c));
            if (c + 1 < ncols)
                ternCtlPrint(ctl, "%*s", (int)(maxw[c] - widths[r * ncols + c] + 2), "");
        }
        ternCtlPrint(ctl, "\n");
        if (r == 0) {
            for (size_t c = 0; c < ncols; c++)
                for (size_t i = 0; i < maxw[c] + 3; i++)
                    ternCtlPrint(ctl, "-");
            ternCtlPrint(ctl, "\n");
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* list                                                                                        */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_list[] = {
    {.name = "inactive", .type = TERN_CMD_OPT_BOOL, .help = "list inactive domains"},
    {.name = "all", .type = TERN_CMD_OPT_BOOL, .help = "list inactive & active domains"},
    {.name = "uuid", .type = TERN_CMD_OPT_BOOL, .help = "list uuid's only"},
    {.name = "name", .type = TERN_CMD_OPT_BOOL, .help = "list domain names only"},
    {.name = NULL},
};

const ternCmdInfo info_list = {
    .help = "list domains",
    .desc = "Returns list of domains: the running ones, or with --inactive the others, or with "
            "--all every one; running domains first by id, then the others by name.",
};

/* virsh's order: running domains by id, then inactive ones by name, case aside */
static int
ternCliDomainCompare(const void *a, const void *b)
{
    ternDomain *da = *(ternDomain *const *)a;
    ternDomain *db = *(ternDomain *const *)b;
    unsigned int ida = ternDomainGetID(da);
    unsigned int idb = ternDomainGetID(db);
    const unsigned int inactive = (unsigned int)-1;

    if (ida == inactive && idb == inactive)
        return g_ascii_strcasecmp(ternDomainGetName(da), ternDomainGetName(db));
    if (ida != inactive && idb != inactive)
        return ida < idb ? -1 : ida > idb ? 1 : 0;
    return ida != inactive ? -1 : 1;
}

static void
ternCliDomainListFree(ternDomain **doms)
{
    if (!doms)
        return;
    for (size_t i = 0; doms[i]; i++)
        ternDomainFree(doms[i]);
    free(doms);
}

bool
cmdList(ternControl *ctl, const ternCmd *cmd)
{
    bool optUUID = ternCmdOptBool(cmd, "uuid");
    bool optName = ternCmdOptBool(cmd, "name");
    unsigned int flags = TERN_CONNECT_LIST_DOMAINS_ACTIVE;
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    ternDomain **doms = NULL;
    ternConnect *conn;
    int n;

    if (ternCmdOptBool(cmd, "inactive"))
        flags = TERN_CONNECT_LIST_DOMAINS_INACTIVE;
    if (ternCmdOptBool(cmd, "all"))
        flags = TERN_CONNECT_LIST_DOMAINS_ACTIVE | TERN_CONNECT_LIST_DOMAINS_INACTIVE;

    if (!(conn = ternCtlConnect(ctl)))
        return false;
    if ((n = ternConnectListAllDomains(conn, &doms, flags)) < 0) {
        ternCtlError(ctl, "Failed to list domains");
        return false;
    }
    qsort(doms, (size_t)n, sizeof(*doms), ternCliDomainCompare);

    if (!optUUID && !optName)
        g_ptr_array_add(rows, g_strsplit("Id Name State", " ", -1));

    for (int i = 0; i < n; i++) {
        ternDomain *dom = doms[i];
        unsigned int id = ternDomainGetID(dom);
        char uuid[TERN_UUID_STRING_BUFLEN];
        g_autofree char *idbuf = NULL;
        int state;

        if (!optUUID && !optName) {
            /* a domain that went away since the listing is left out */
            if ((state = ternCliDomainState(dom, NULL)) < 0)
                continue;
            idbuf = id == (unsigned int)-1 ? g_strdup("-") : g_strdup_printf("%u", id);
            g_ptr_array_add(rows, g_strdupv((char *[]){idbuf, (char *)ternDomainGetName(dom),
                                                       (char *)ternCliStateToString(state), NULL}));
            continue;
        }
        if (optUUID) {
            if (ternDomainGetUUIDString(dom, uuid) < 0) {
                ternCtlError(ctl, "Failed to get domain's UUID");
                ternCliDomainListFree(doms);
                return false;
            }
            ternCtlPrint(ctl, "%s", uuid);
        }
        if (optName)
            ternCtlPrint(ctl, "%s%s", optUUID ? " " : "", ternDomainGetName(dom));
        ternCtlPrint(ctl, "\n");
    }
    if (rows->len > 0)
        ternCliTablePrint(ctl, rows, 3);

    ternCliDomainListFree(doms);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* dominfo, domstate, domid, domuuid, domname, dumpxml                                         */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_dominfo[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_dominfo = {
    .help = "domain information",
    .desc = "Returns basic information about the domain.",
};

bool
cmdDominfo(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    g_autofree char *ostype = NULL;
    char uuid[TERN_UUID_STRING_BUFLEN];
    ternDomainInfo info;
    unsigned int id;
    int persistent;
    int autostart;
    int managed;
    bool ret = true;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;

    id = ternDomainGetID(dom);
    if (id == (unsigned int)-1)
        ternCtlPrint(ctl, "%-15s %s\n", "Id:", "-");
    else
        ternCtlPrint(ctl, "%-15s %u\n", "Id:", id);
    ternCtlPrint(ctl, "%-15s %s\n", "Name:", ternDomainGetName(dom));
    if (ternDomainGetUUIDString(dom, uuid) == 0)
        ternCtlPrint(ctl, "%-15s %s\n", "UUID:", uuid);
    if ((ostype = ternDomainGetOSType(dom)))
        ternCtlPrint(ctl, "%-15s %s\n", "OS Type:", ostype);

    /* like virsh, a failure here fails the command but the other lines still print */
    if (ternDomainGetInfo(dom, &info) == 0) {
        ternCtlPrint(ctl, "%-15s %s\n", "State:", ternCliStateToString(info.state));
        ternCtlPrint(ctl, "%-15s %d\n", "CPU(s):", info.nrVirtCpu);
        if (info.cpuTime != 0)
            ternCtlPrint(ctl, "%-15s %.1lfs\n", "CPU time:", (double)info.cpuTime / 1000000000.0);
        if (info.maxMem != UINT_MAX)
            ternCtlPrint(ctl, "%-15s %lu KiB\n", "Max memory:", info.maxMem);
        else
            ternCtlPrint(ctl, "%-15s %s\n", "Max memory:", "no limit");
        ternCtlPrint(ctl, "%-15s %lu KiB\n", "Used memory:", info.memory);
    } else {
        ternCtlSaveError();
        ret = false;
    }

    persistent = ternDomainIsPersistent(dom);
    ternCtlPrint(ctl, "%-15s %s\n", "Persistent:",
                 persistent < 0 ? "unknown"
                 : persistent   ? "yes"
                                : "no");

    if (ternDomainGetAutostart(dom, &autostart) == 0)
        ternCtlPrint(ctl, "%-15s %s\n", "Autostart:", autostart ? "enable" : "disable");

    managed = ternDomainHasManagedSaveImage(dom, 0);
    ternCtlPrint(ctl, "%-15s %s\n", "Managed save:",
                 managed < 0 ? "unknown"
                 : managed   ? "yes"
                             : "no");

    /* tern has no security drivers: virsh prints no Security lines for those either */
    return ret;
}

const ternCmdOptDef opts_domstate[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "reason", .type = TERN_CMD_OPT_BOOL, .help = "also print reason for the state"},
    {.name = NULL},
};

const ternCmdInfo info_domstate = {
    .help = "domain state",
    .desc = "Returns state about a domain.",
};

bool
cmdDomstate(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    int state;
    int reason = 0;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if ((state = ternCliDomainState(dom, &reason)) < 0)
        return false;
    if (ternCmdOptBool(cmd, "reason"))
        ternCtlPrint(ctl, "%s (%s)\n", ternCliStateToString(state),
                     ternCliStateReasonToString(state, reason));
    else
        ternCtlPrint(ctl, "%s\n", ternCliStateToString(state));
    return true;
}

const ternCmdOptDef opts_domid[] = {
    TERN_CMD_OPT_DOMAIN("domain name or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_domid = {
    .help = "convert a domain name or UUID to domain id",
    .desc = "Print the id of a running domain, or - for one that is not running.",
};

bool
cmdDomid(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned int id;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_BY_NAME | TERN_LOOKUP_BY_UUID,
                                    NULL)))
        return false;
    id = ternDomainGetID(dom);
    if (id == (unsigned int)-1)
        ternCtlPrint(ctl, "%s\n", "-");
    else
        ternCtlPrint(ctl, "%u\n", id);
    return true;
}

const ternCmdOptDef opts_domuuid[] = {
    TERN_CMD_OPT_DOMAIN("domain id or name"),
    {.name = NULL},
};

const ternCmdInfo info_domuuid = {
    .help = "convert a domain name or id to domain UUID",
    .desc = "Print the UUID of a domain.",
};

bool
cmdDomuuid(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    char uuid[TERN_UUID_STRING_BUFLEN];

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_BY_ID | TERN_LOOKUP_BY_NAME,
                                    NULL)))
        return false;
    if (ternDomainGetUUIDString(dom, uuid) < 0) {
        ternCtlError(ctl, "failed to get domain UUID");
        return false;
    }
    ternCtlPrint(ctl, "%s\n", uuid);
    return true;
}

const ternCmdOptDef opts_domname[] = {
    TERN_CMD_OPT_DOMAIN("domain id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_domname = {
    .help = "convert a domain id or UUID to domain name",
    .desc = "Print the name of a domain given by id or UUID.",
};

bool
cmdDomname(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_BY_ID | TERN_LOOKUP_BY_UUID,
                                    NULL)))
        return false;
    ternCtlPrint(ctl, "%s\n", ternDomainGetName(dom));
    return true;
}

const ternCmdOptDef opts_dumpxml[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "inactive", .type = TERN_CMD_OPT_BOOL, .help = "show inactive defined XML"},
    {.name = "security-info",
     .type = TERN_CMD_OPT_BOOL,
     .help = "include security sensitive information in XML dump"},
    {.name = "migratable",
     .type = TERN_CMD_OPT_BOOL,
     .help = "provide XML suitable for migrations"},
    {.name = NULL},
};

const ternCmdInfo info_dumpxml = {
    .help = "domain information in XML",
    .desc = "Output the domain information as an XML dump to stdout.",
};

bool
cmdDumpXML(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned int flags = 0;
    char *xml;
    size_t len;

    if (ternCmdOptBool(cmd, "inactive"))
        flags |= TERN_DOMAIN_XML_INACTIVE;
    if (ternCmdOptBool(cmd, "security-info"))
        flags |= TERN_DOMAIN_XML_SECURE;
    if (ternCmdOptBool(cmd, "migratable"))
        flags |= TERN_DOMAIN_XML_MIGRATABLE;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if (!(xml = ternDomainGetXMLDesc(dom, flags)))
        return false;
    len = strlen(xml);
    ternCtlPrint(ctl, "%s%s", xml, len > 0 && xml[len - 1] == '\n' ? "" : "\n");
    free(xml);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* define, undefine                                                                            */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_define[] = {
    {.name = "file",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_REQUIRED | TERN_CMD_OPT_POSITIONAL,
     .arg = "file",
     .help = "file containing an XML domain description"},
    {.name = "validate", .type = TERN_CMD_OPT_BOOL, .help = "validate the XML against the schema"},
    {.name = NULL},
};

const ternCmdInfo info_define = {
    .help = "define (but don't start) a domain from an XML file",
    .desc = "Define a domain, or change the definition of an existing one, from an XML file.",
};

bool
cmdDefine(ternControl *ctl, const ternCmd *cmd)
{
    const char *path = ternCmdOptString(cmd, "file");
    g_autoptr(ternDomain) dom = NULL;
    g_autofree char *xml = NULL;
    unsigned int flags = 0;
    ternConnect *conn;

    if (ternCmdOptBool(cmd, "validate"))
        flags |= TERN_DOMAIN_DEFINE_VALIDATE;
    if (!(conn = ternCtlConnect(ctl)))
        return false;
    if (!(xml = ternCtlReadFile(ctl, path)))
        return false;
    if (flags)
        dom = ternDomainDefineXMLFlags(conn, xml, flags);
    else
        dom = ternDomainDefineXML(conn, xml);
    if (!dom) {
        ternCtlError(ctl, "Failed to define domain from %s", path);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' defined from %s\n", ternDomainGetName(dom), path);
    return true;
}

const ternCmdOptDef opts_undefine[] = {
    TERN_CMD_OPT_DOMAIN("domain name or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_undefine = {
    .help = "undefine a domain",
    .desc = "Remove the definition of a domain; a running domain keeps running until it stops.",
};

bool
cmdUndefine(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainUndefine(dom) < 0) {
        ternCtlError(ctl, "Failed to undefine domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' has been undefined\n", name);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* start, destroy, suspend, resume, autostart                                                  */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_start[] = {
    TERN_CMD_OPT_DOMAIN("name of the inactive domain"),
    {.name = "paused", .type = TERN_CMD_OPT_BOOL, .help = "leave the guest paused after creation"},
    {.name = NULL},
};

const ternCmdInfo info_start = {
    .help = "start a (previously defined) inactive domain",
    .desc = "Start a defined domain that is not running.",
};

bool
cmdStart(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned int flags = 0;
    const char *name;
    int rc;

    if (ternCmdOptBool(cmd, "paused"))
        flags |= TERN_DOMAIN_START_PAUSED;
    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    /* before the call: every libtern call, this one too, resets the error to report */
    name = ternDomainGetName(dom);
    /*
     * virsh refuses a running domain itself ("Domain is already active"),
     * from an id that may be stale; tern lets the driver say so.
     */
    rc = flags ? ternDomainCreateWithFlags(dom, flags) : ternDomainCreate(dom);
    if (rc < 0) {
        ternCtlError(ctl, "Failed to start domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' started\n", name);
    return true;
}

const ternCmdOptDef opts_destroy[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "graceful", .type = TERN_CMD_OPT_BOOL, .help = "terminate gracefully"},
    {.name = NULL},
};

const ternCmdInfo info_destroy = {
    .help = "destroy (stop) a domain",
    .desc = "Forcefully stop a running domain; its definition stays.",
};

bool
cmdDestroy(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;
    int rc;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternCmdOptBool(cmd, "graceful"))
        rc = ternDomainDestroyFlags(dom, TERN_DOMAIN_DESTROY_GRACEFUL);
    else
        rc = ternDomainDestroy(dom);
    if (rc < 0) {
        ternCtlError(ctl, "Failed to destroy domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' destroyed\n", name);
    return true;
}

const ternCmdOptDef opts_shutdown[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_shutdown = {
    .help = "gracefully shut down a domain",
    .desc = "Press the guest's ACPI power button and wait, bounded, until it has powered off.",
};

bool
cmdShutdown(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainShutdown(dom) < 0) {
        ternCtlError(ctl, "Failed to shutdown domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' is being shutdown\n", name);
    return true;
}

const ternCmdOptDef opts_reboot[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_reboot = {
    .help = "reboot a domain",
    .desc = "Reset a running domain's guest.",
};

bool
cmdReboot(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainReboot(dom, 0) < 0) {
        ternCtlError(ctl, "Failed to reboot domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' is being rebooted\n", name);
    return true;
}

const ternCmdOptDef opts_suspend[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_suspend = {
    .help = "suspend a domain",
    .desc = "Suspend a running domain.",
};

bool
cmdSuspend(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainSuspend(dom) < 0) {
        ternCtlError(ctl, "Failed to suspend domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' suspended\n", name);
    return true;
}

const ternCmdOptDef opts_resume[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_resume = {
    .help = "resume a domain",
    .desc = "Resume a previously suspended domain.",
};

bool
cmdResume(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainResume(dom) < 0) {
        ternCtlError(ctl, "Failed to resume domain '%s'", name);
        return false;
    }
    ternCtlPrintExtra(ctl, "Domain '%s' resumed\n", name);
    return true;
}

const ternCmdOptDef opts_autostart[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "disable", .type = TERN_CMD_OPT_BOOL, .help = "disable autostarting"},
    {.name = NULL},
};

const ternCmdInfo info_autostart = {
    .help = "autostart a domain",
    .desc = "Configure a domain to be automatically started at boot.",
};

bool
cmdAutostart(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    bool enable = !ternCmdOptBool(cmd, "disable");
    const char *name = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, &name)))
        return false;
    if (ternDomainSetAutostart(dom, enable ? 1 : 0) < 0) {
        if (enable)
            ternCtlError(ctl, "Failed to mark domain '%s' as autostarted", name);
        else
            ternCtlError(ctl, "Failed to unmark domain '%s' as autostarted", name);
        return false;
    }
    if (enable)
        ternCtlPrintExtra(ctl, "Domain '%s' marked as autostarted\n", name);
    else
        ternCtlPrintExtra(ctl, "Domain '%s' unmarked as autostarted\n", name);
    return true;
}
