/* tern.c: the tern CLI: global options, command parsing, dispatch, help from the command table */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern-commands.h"

/*
 * How a command line is read follows virsh, so scripts can switch:
 *
 *   tern [OPTION]... COMMAND [ARG]...        one command, arguments as the shell split them
 *   tern [OPTION]... 'CMD ARG...; CMD ...'   a single argument is split here, on blanks, with
 *                                            '...' and "..." quoting, and on ';' into commands
 *
 * The whole line is parsed before anything runs; a parse error runs nothing. Each command
 * that ran is followed by an empty line on stdout unless -q. The exit status is that of the
 * last command: 0 on success, 1 on any error.
 */

/* ------------------------------------------------------------------------------------------ */
/* The command table                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool cmdHelp(ternControl *ctl, const ternCmd *cmd);

static const ternCmdOptDef opts_help[] = {
    {.name = "command",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_POSITIONAL,
     .arg = "command",
     .help = "the command to describe"},
    {.name = NULL},
};

static const ternCmdInfo info_help = {
    .help = "print help for tern or one of its commands",
    .desc = "Without an argument, lists the global options and every command; with one, "
            "describes that command and its options.",
};

static const ternCmdDef ternCommands[] = {
    {.name = "help", .handler = cmdHelp, .opts = opts_help, .info = &info_help},
    {.name = "version", .handler = cmdVersion, .opts = opts_version, .info = &info_version},
    {.name = "uri", .handler = cmdURI, .opts = opts_uri, .info = &info_uri},
    {.name = "hostname", .handler = cmdHostname, .opts = opts_hostname, .info = &info_hostname},
    {.name = "list", .handler = cmdList, .opts = opts_list, .info = &info_list},
    {.name = "dominfo", .handler = cmdDominfo, .opts = opts_dominfo, .info = &info_dominfo},
    {.name = "domstate", .handler = cmdDomstate, .opts = opts_domstate, .info = &info_domstate},
    {.name = "domid", .handler = cmdDomid, .opts = opts_domid, .info = &info_domid},
    {.name = "domuuid", .handler = cmdDomuuid, .opts = opts_domuuid, .info = &info_domuuid},
    {.name = "domname", .handler = cmdDomname, .opts = opts_domname, .info = &info_domname},
    {.name = "dumpxml", .handler = cmdDumpXML, .opts = opts_dumpxml, .info = &info_dumpxml},
    {.name = "define", .handler = cmdDefine, .opts = opts_define, .info = &info_define},
    {.name = "undefine", .handler = cmdUndefine, .opts = opts_undefine, .info = &info_undefine},
    {.name = "start", .handler = cmdStart, .opts = opts_start, .info = &info_start},
    {.name = "destroy", .handler = cmdDestroy, .opts = opts_destroy, .info = &info_destroy},
    {.name = "shutdown", .handler = cmdShutdown, .opts = opts_shutdown, .info = &info_shutdown},
    {.name = "reboot", .handler = cmdReboot, .opts = opts_reboot, .info = &info_reboot},
    {.name = "suspend", .handler = cmdSuspend, .opts = opts_suspend, .info = &info_suspend},
    {.name = "resume", .handler = cmdResume, .opts = opts_resume, .info = &info_resume},
    {.name = "autostart", .handler = cmdAutostart, .opts = opts_autostart, .info = &info_autostart},
    {.name = "event", .handler = cmdEvent, .opts = opts_event, .info = &info_event},
    {.name = "migrate", .handler = cmdMigrate, .opts = opts_migrate, .info = &info_migrate},
    {.name = "domjobinfo",
     .handler = cmdDomjobinfo,
     .opts = opts_domjobinfo,
     .info = &info_domjobinfo},
    {.name = "domjobabort",
     .handler = cmdDomjobabort,
     .opts = opts_domjobabort,
     .info = &info_domjobabort},
    {.name = "migrate-setmaxdowntime",
     .handler = cmdMigrateSetMaxDowntime,
     .opts = opts_migrate_setmaxdowntime,
     .info = &info_migrate_setmaxdowntime},
    {.name = "migrate-getmaxdowntime",
     .handler = cmdMigrateGetMaxDowntime,
     .opts = opts_migrate_getmaxdowntime,
     .info = &info_migrate_getmaxdowntime},
    {.name = "migrate-setspeed",
     .handler = cmdMigrateSetSpeed,
     .opts = opts_migrate_setspeed,
     .info = &info_migrate_setspeed},
    {.name = "migrate-getspeed",
     .handler = cmdMigrateGetSpeed,
     .opts = opts_migrate_getspeed,
     .info = &info_migrate_getspeed},
    {.name = "migrate-postcopy",
     .handler = cmdMigratePostcopy,
     .opts = opts_migrate_postcopy,
     .info = &info_migrate_postcopy},
    {.name = NULL},
};

/* ------------------------------------------------------------------------------------------ */
/* Global options                                                                              */
/* ------------------------------------------------------------------------------------------ */

#define TERN_DEFAULT_URI_ENV "TERN_DEFAULT_URI"
#define TERN_DEFAULT_URI "qemu:///system"

typedef struct {
    const char *longName;
    char shortName;
    const char *arg; /* NULL: takes no argument */
    const char *help;
} ternGlobalOptDef;

/* getopt's tables and the usage text are both built from this one */
static const ternGlobalOptDef ternGlobalOpts[] = {
    {.longName = "connect",
     .shortName = 'c',
     .arg = "URI",
     .help = "connect to URI (default: $" TERN_DEFAULT_URI_ENV ", else " TERN_DEFAULT_URI ")"},
    {.longName = "readonly", .shortName = 'r', .help = "open the connection read-only"},
    {.longName = "quiet",
     .shortName = 'q',
     .help = "print no table headers, confirmations or empty lines"},
    {.longName = "version", .shortName = 'v', .help = "print the version of libtern and exit"},
    {.longName = "help", .shortName = 'h', .help = "print this help and exit"},
    {.longName = NULL},
};

/* ------------------------------------------------------------------------------------------ */
/* Output and errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

/*
 * libtern's last error is reset by every public call, the ternDomainFree
 * of a handler's cleanup among them; so the error a failure left behind is
 * copied here before anything else can run, and printed after the command.
 */
static ternError ternCliPendingError;
static bool ternCliPendingSet;

void
ternCtlSaveError(void)
{
    if (ternCliPendingSet || !ternGetLastError())
        return;
    if (ternCopyLastError(&ternCliPendingError) > 0)
        ternCliPendingSet = true;
    else
        ternResetError(&ternCliPendingError);
}

static void
ternCliErrorV(const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    fflush(stdout);
    fprintf(stderr, "error: %s\n", msg);
    fflush(stderr);
}

static void ternCliError(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
ternCliError(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ternCliErrorV(fmt, ap);
    va_end(ap);
}

void
ternCtlError(ternControl *ctl, const char *fmt, ...)
{
    va_list ap;

    ternCtlSaveError();
    va_start(ap, fmt);
    ternCliErrorV(fmt, ap);
    va_end(ap);
}

/* After a failed command: the libtern error behind it, if there is one. */
static void
ternCliReportPendingError(void)
{
    ternCtlSaveError();
    if (ternCliPendingSet)
        ternCliError("%s",
                     ternCliPendingError.message ? ternCliPendingError.message : "unknown error");
}

static void
ternCliResetPendingError(void)
{
    ternResetError(&ternCliPendingError);
    ternCliPendingSet = false;
    ternResetLastError();
}

void
ternCtlPrint(ternControl *ctl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void
ternCtlPrintExtra(ternControl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl->quiet)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* virsh's VSH_MAX_XML_FILE */
#define TERN_CLI_MAX_FILE (10 * 1024 * 1024)

char *
ternCtlReadFile(ternControl *ctl, const char *path)
{
    g_autoptr(GString) data = g_string_new(NULL);
    char buf[65536];
    FILE *fp;
    size_t n;
    int err;

    if (!(fp = fopen(path, "re"))) {
        ternCtlError(ctl, "Failed to open file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
        if (data->len + n > TERN_CLI_MAX_FILE) {
            fclose(fp);
            ternCtlError(ctl, "file '%s' is larger than %d bytes", path, TERN_CLI_MAX_FILE);
            return NULL;
        }
        g_string_append_len(data, buf, (gssize)n);
    }
    err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (err) {
        ternCtlError(ctl, "Failed to read file '%s': %s", path, g_strerror(err));
        return NULL;
    }
    return g_string_free(g_steal_pointer(&data), FALSE);
}

char *
ternCliTypedParamToString(const ternTypedParameter *param)
{
    switch (param->type) {
    case TERN_TYPED_PARAM_INT:
        return g_strdup_printf("%d", param->value.i);
    case TERN_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", param->value.ui);
    case TERN_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", param->value.l);
    case TERN_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", param->value.ul);
    case TERN_TYPED_PARAM_DOUBLE:
        return g_strdup_printf("%f", param->value.d);
    case TERN_TYPED_PARAM_BOOLEAN:
        return g_strdup(param->value.b ? "yes" : "no");
    case TERN_TYPED_PARAM_STRING:
        return g_strdup(param->value.s ? param->value.s : "");
    default:
        return g_strdup("<null>");
    }
}

GSource *
ternCliSourceAttach(GSource *src, const char *name, GSourceFunc func, gpointer data)
{
    g_source_set_name(src, name);
    g_source_set_callback(src, func, data, NULL);
    g_source_attach(src, NULL);
    return src;
}

gboolean
ternCliLoopQuit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

void
ternCliSourcesDestroy(GSource **srcs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!srcs[i])
            continue;
        g_source_destroy(srcs[i]);
        g_source_unref(srcs[i]);
    }
}

ternConnect *
ternCtlConnect(ternControl *ctl)
{
    if (ctl->conn)
        return ctl->conn;
    if (ctl->readonly)
        ctl->conn = ternConnectOpenReadOnly(ctl->uri);
    else
        ctl->conn = ternConnectOpen(ctl->uri);
    if (!ctl->conn)
        ternCtlError(ctl, "failed to connect to the hypervisor");
    return ctl->conn;
}

/* ------------------------------------------------------------------------------------------ */
/* Parsed commands and their options                                                           */
/* ------------------------------------------------------------------------------------------ */

struct _ternCmd {
    const ternCmdDef *def;
    char **values; /* one per option of def: NULL when not given, "" for a given BOOL */
    size_t nvalues;
    bool help; /* --help was given: describe the command instead of running it */
};

static void
ternCmdFree(ternCmd *cmd)
{
    if (!cmd)
        return;
    for (size_t i = 0; i < cmd->nvalues; i++)
        g_free(cmd->values[i]);
    g_free(cmd->values);
    g_free(cmd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternCmd, ternCmdFree)

static const ternCmdDef *
ternCmdDefLookup(const char *name)
{
    for (const ternCmdDef *def = ternCommands; def->name; def++) {
        if (strcmp(def->name, name) == 0)
            return def;
    }
    return NULL;
}

static size_t
ternCmdDefOptCount(const ternCmdDef *def)
{
    size_t n = 0;

    while (def->opts[n].name)
        n++;
    return n;
}

static int
ternCmdDefOptIndex(const ternCmdDef *def, const char *name)
{
    for (size_t i = 0; def->opts[i].name; i++) {
        if (strcmp(def->opts[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

const char *
ternCmdName(const ternCmd *cmd)
{
    return cmd->def->name;
}

bool
ternCmdOptBool(const ternCmd *cmd, const char *name)
{
    return ternCmdOptString(cmd, name) != NULL;
}

const char *
ternCmdOptString(const ternCmd *cmd, const char *name)
{
    int i = ternCmdDefOptIndex(cmd->def, name);

    /* asking for an option the table does not have is a bug in the handler */
    g_assert(i >= 0);
    return cmd->values[i];
}

int
ternCmdOptInt(ternControl *ctl, const ternCmd *cmd, const char *name, int min, int *value)
{
    const char *text = ternCmdOptString(cmd, name);
    gint64 n;

    if (!text)
        return 0;
    if (!g_ascii_string_to_signed(text, 10, min, G_MAXINT, &n, NULL)) {
        ternCtlError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range", text,
                     name);
        return -1;
    }
    *value = (int)n;
    return 1;
}

int
ternCmdOptULLong(ternControl *ctl, const ternCmd *cmd, const char *name, unsigned long long max,
                 unsigned long long *value)
{
    const char *text = ternCmdOptString(cmd, name);
    guint64 n;

    if (!text)
        return 0;
    if (!g_ascii_string_to_unsigned(text, 10, 0, max, &n, NULL)) {
        ternCtlError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range", text,
                     name);
        return -1;
    }
    *value = n;
    return 1;
}

bool
ternCmdCheckOptPairs(ternControl *ctl, const ternCmd *cmd, const ternCmdOptPair *exclusive,
                     size_t nexclusive, const ternCmdOptPair *requires, size_t nrequires)
{
    for (size_t i = 0; i < nexclusive; i++) {
        if (ternCmdOptBool(cmd, exclusive[i].a) && ternCmdOptBool(cmd, exclusive[i].b)) {
            ternCtlError(ctl, "Options --%s and --%s are mutually exclusive", exclusive[i].a,
                         exclusive[i].b);
            return false;
        }
    }
    for (size_t i = 0; i < nrequires; i++) {
        if (ternCmdOptBool(cmd, requires[i].a) && !ternCmdOptBool(cmd, requires[i].b)) {
            ternCtlError(ctl, "Option --%s is required by option --%s", requires[i].b,
                         requires[i].a);
            return false;
        }
    }
    return true;
}

/* The synopsis of one option: "<domain>", "[<domain>]", "[--timeout <seconds>]", "[--all]". */
static void
ternCmdOptSynopsis(GString *out, const ternCmdOptDef *opt)
{
    bool required = opt->flags & TERN_CMD_OPT_REQUIRED;

    if (!required)
        g_string_append_c(out, '[');
    if (opt->type == TERN_CMD_OPT_BOOL)
        g_string_append_printf(out, "--%s", opt->name);
    else if (opt->flags & TERN_CMD_OPT_POSITIONAL)
        g_string_append_printf(out, "<%s>", opt->arg);
    else
        g_string_append_printf(out, "--%s <%s>", opt->name, opt->arg);
    if (!required)
        g_string_append_c(out, ']');
}

static char *
ternCmdDefSynopsis(const ternCmdDef *def)
{
    GString *out = g_string_new(def->name);

    for (size_t i = 0; def->opts[i].name; i++) {
        g_string_append_c(out, ' ');
        ternCmdOptSynopsis(out, &def->opts[i]);
    }
    return g_string_free(out, FALSE);
}

/*
 * Parse one command, @argv[0] being its name. Reports (virsh's texts) and
 * returns NULL on any error.
 */
static ternCmd *
ternCmdParse(char **argv)
{
    g_autoptr(ternCmd) cmd = g_new0(ternCmd, 1);
    bool dataOnly = false;

    if (!(cmd->def = ternCmdDefLookup(argv[0]))) {
        ternCliError("unknown command: '%s'", argv[0]);
        return NULL;
    }
    cmd->nvalues = ternCmdDefOptCount(cmd->def);
    cmd->values = g_new0(char *, cmd->nvalues + 1);

    for (size_t i = 1; argv[i]; i++) {
        const char *tok = argv[i];
        const ternCmdOptDef *opt;
        g_autofree char *name = NULL;
        const char *eq;
        int idx;

        if (!dataOnly && strcmp(tok, "--") == 0) {
            dataOnly = true;
            continue;
        }

        if (dataOnly || strncmp(tok, "--", 2) != 0) {
            /* data: the first positional option not given yet */
            for (idx = 0; cmd->def->opts[idx].name; idx++) {
                if ((cmd->def->opts[idx].flags & TERN_CMD_OPT_POSITIONAL) && !cmd->values[idx])
                    break;
            }
            if (!cmd->def->opts[idx].name) {
                ternCliError("unexpected data '%s'", tok);
                return NULL;
            }
            cmd->values[idx] = g_strdup(tok);
            continue;
        }

        eq = strchr(tok + 2, '=');
        name = eq ? g_strndup(tok + 2, eq - (tok + 2)) : g_strdup(tok + 2);
        if (strcmp(name, "help") == 0) {
            cmd->help = true;
            return g_steal_pointer(&cmd);
        }
        if ((idx = ternCmdDefOptIndex(cmd->def, name)) < 0) {
            ternCliError("command '%s' doesn't support option --%s", cmd->def->name, name);
            return NULL;
        }
        opt = &cmd->def->opts[idx];
        if (cmd->values[idx]) {
            ternCliError("option --%s already seen", name);
            return NULL;
        }
        if (opt->type == TERN_CMD_OPT_BOOL) {
            if (eq) {
                ternCliError("invalid '=' after option --%s", name);
                return NULL;
            }
            cmd->values[idx] = g_strdup("");
            continue;
        }
        if (!eq && !argv[i + 1]) {
            ternCliError("expected syntax: --%s <%s>", name, opt->arg);
            return NULL;
        }
        cmd->values[idx] = g_strdup(eq ? eq + 1 : argv[++i]);
        if (!*cmd->values[idx]) {
            ternCliError("Failed to get option '%s': Option argument is empty", name);
            return NULL;
        }
    }

    for (size_t i = 0; cmd->def->opts[i].name; i++) {
        const ternCmdOptDef *opt = &cmd->def->opts[i];

        if ((opt->flags & TERN_CMD_OPT_REQUIRED) && !cmd->values[i]) {
            if (opt->flags & TERN_CMD_OPT_POSITIONAL)
                ternCliError("command '%s' requires <%s> option", cmd->def->name, opt->name);
            else
                ternCliError("command '%s' requires --%s option", cmd->def->name, opt->name);
            return NULL;
        }
    }
    return g_steal_pointer(&cmd);
}

/* ------------------------------------------------------------------------------------------ */
/* Splitting a single-argument command line                                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * Split @line into commands (a GPtrArray of GStrv): blanks separate words,
 * ';' and newlines separate commands, '...' quotes literally (to the end of
 * the line if unclosed), "..." quotes with backslash escapes, a backslash
 * outside quotes escapes one character. Returns NULL after reporting an
 * unclosed "...", as virsh does.
 */
static GPtrArray *
ternCliSplitLine(const char *line)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) word = g_string_new(NULL);
    bool inWord = false;
    const char *p = line;

    for (;;) {
        char c = *p;

        if (c == '\0' || c == ';' || c == '\n' || c == ' ' || c == '\t') {
            if (inWord) {
                g_ptr_array_add(words, g_strdup(word->str));
                g_string_truncate(word, 0);
                inWord = false;
            }
            if ((c == '\0' || c == ';' || c == '\n') && words->len > 0) {
                g_ptr_array_add(words, NULL);
                g_ptr_array_add(cmds, g_ptr_array_steal(words, NULL));
                g_ptr_array_unref(words);
                words = g_ptr_array_new_with_free_func(g_free);
            }
            if (c == '\0')
                break;
            p++;
            continue;
        }

        inWord = true;
        if (c == '\'') {
            /* as in virsh, an unclosed '...' runs to the end of the line */
            const char *end = strchr(p + 1, '\'');

            if (!end)
                end = p + strlen(p);
            g_string_append_len(word, p + 1, end - (p + 1));
            p = *end ? end + 1 : end;
        } else if (c == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                g_string_append_c(word, *p);
            }
            if (*p != '"') {
                ternCliError("missing \"");
                return NULL;
            }
            p++;
        } else if (c == '\\' && p[1]) {
            g_string_append_c(word, p[1]);
            p += 2;
        } else {
            g_string_append_c(word, c);
            p++;
        }
    }
    return g_steal_pointer(&cmds);
}

/* ------------------------------------------------------------------------------------------ */
/* Help                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void
ternCliUsage(FILE *out)
{
    size_t width = 0;

    fprintf(out, "Usage: tern [OPTION]... COMMAND [ARG]...\n"
                 "       tern [OPTION]... 'COMMAND [ARG]...; COMMAND [ARG]...'\n"
                 "\n"
                 "Manage domains through libtern, the way virsh does through libvirt.\n"
                 "\n"
                 "Options:\n");
    for (const ternGlobalOptDef *o = ternGlobalOpts; o->longName; o++) {
        size_t len = strlen(o->longName) + (o->arg ? strlen(o->arg) + 1 : 0);
        width = MAX(width, len);
    }
    for (const ternGlobalOptDef *o = ternGlobalOpts; o->longName; o++) {
        g_autofree char *label =
            g_strdup_printf("%s%s%s", o->longName, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  -%c, --%-*s  %s\n", o->shortName, (int)width, label, o->help);
    }

    width = 0;
    for (const ternCmdDef *def = ternCommands; def->name; def++)
        width = MAX(width, strlen(def->name));
    fprintf(out, "\nCommands:\n");
    for (const ternCmdDef *def = ternCommands; def->name; def++)
        fprintf(out, "  %-*s  %s\n", (int)width, def->name, def->info->help);
    fprintf(out, "\n'tern help COMMAND' describes a command and its options.\n");
}

/* An option as `tern help CMD` lists it: "[--domain] <domain>", "--timeout <seconds>", "--all". */
static char *
ternCmdOptLabel(const ternCmdOptDef *opt)
{
    if (opt->flags & TERN_CMD_OPT_POSITIONAL)
        return g_strdup_printf("[--%s] <%s>", opt->name, opt->arg);
    if (opt->type == TERN_CMD_OPT_BOOL)
        return g_strdup_printf("--%s", opt->name);
    return g_strdup_printf("--%s <%s>", opt->name, opt->arg);
}

static void
ternCmdDefHelp(ternControl *ctl, const ternCmdDef *def)
{
    g_autofree char *synopsis = ternCmdDefSynopsis(def);
    size_t width = 0;

    ternCtlPrint(ctl, "  NAME\n    %s - %s\n\n", def->name, def->info->help);
    ternCtlPrint(ctl, "  SYNOPSIS\n    %s\n\n", synopsis);
    ternCtlPrint(ctl, "  DESCRIPTION\n    %s\n", def->info->desc);
    if (!def->opts[0].name)
        return;

    for (size_t i = 0; def->opts[i].name; i++) {
        g_autofree char *label = ternCmdOptLabel(&def->opts[i]);

        width = MAX(width, strlen(label));
    }
    ternCtlPrint(ctl, "\n  OPTIONS\n");
    for (size_t i = 0; def->opts[i].name; i++) {
        g_autofree char *label = ternCmdOptLabel(&def->opts[i]);

        ternCtlPrint(ctl, "    %-*s  %s\n", (int)width, label, def->opts[i].help);
    }
}

static bool
cmdHelp(ternControl *ctl, const ternCmd *cmd)
{
    const char *name = ternCmdOptString(cmd, "command");
    const ternCmdDef *def;

    if (!name) {
        ternCliUsage(stdout);
        return true;
    }
    if (!(def = ternCmdDefLookup(name))) {
        ternCtlError(ctl, "command '%s' doesn't exist", name);
        return false;
    }
    ternCmdDefHelp(ctl, def);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Domain arguments                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* virsh reads "07" as id 7 too; anything else that is not a plain number is no id. */
static bool
ternCliParseID(const char *text, int *id)
{
    gint64 n;

    if (!g_ascii_isdigit(text[0]) || !g_ascii_string_to_signed(text, 10, 0, G_MAXINT, &n, NULL))
        return false;
    *id = (int)n;
    return true;
}

ternDomain *
ternCmdLookupDomain(ternControl *ctl, const ternCmd *cmd, const char *optname, unsigned int flags,
                    const char **argOut)
{
    const char *arg = ternCmdOptString(cmd, optname);
    ternDomain *dom = NULL;
    ternConnect *conn;
    int id;

    if (!arg) {
        ternCtlError(ctl, "command '%s' requires <%s> option", ternCmdName(cmd), optname);
        return NULL;
    }
    if (!(conn = ternCtlConnect(ctl)))
        return NULL;
    if ((flags & TERN_LOOKUP_BY_ID) && ternCliParseID(arg, &id))
        dom = ternDomainLookupByID(conn, id);
    if (!dom && (flags & TERN_LOOKUP_BY_UUID) && strlen(arg) == TERN_UUID_STRING_BUFLEN - 1)
        dom = ternDomainLookupByUUIDString(conn, arg);
    if (!dom && (flags & TERN_LOOKUP_BY_NAME))
        dom = ternDomainLookupByName(conn, arg);
    if (!dom) {
        /* the last lookup's own error ("Domain not found: ...") follows this line */
        ternCtlError(ctl, "failed to get domain '%s'", arg);
        return NULL;
    }
    if (argOut)
        *argOut = arg;
    return dom;
}

/* ------------------------------------------------------------------------------------------ */
/* main                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Parse the global options; returns the index of the first command word, or -1 to exit. */
static int
ternCliParseGlobals(ternControl *ctl, int argc, char **argv, int *exitStatus)
{
    size_t n = G_N_ELEMENTS(ternGlobalOpts);
    g_autofree struct option *longopts = g_new0(struct option, n);
    g_autoptr(GString) shortopts = g_string_new("+:");
    int c;

    for (size_t i = 0; ternGlobalOpts[i].longName; i++) {
        const ternGlobalOptDef *o = &ternGlobalOpts[i];

        longopts[i].name = o->longName;
        longopts[i].has_arg = o->arg ? required_argument : no_argument;
        longopts[i].val = o->shortName;
        g_string_append_c(shortopts, o->shortName);
        if (o->arg)
            g_string_append_c(shortopts, ':');
    }

    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts->str, longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            ctl->uri = optarg;
            break;
        case 'r':
            ctl->readonly = true;
            break;
        case 'q':
            ctl->quiet = true;
            break;
        case 'v': {
            unsigned long ver = 0;

            if (ternGetVersion(&ver) < 0) {
                ternCliError("%s", ternGetLastErrorMessage());
                *exitStatus = EXIT_FAILURE;
                return -1;
            }
            printf("%lu.%lu.%lu\n", ver / 1000000, ver / 1000 % 1000, ver % 1000);
            *exitStatus = EXIT_SUCCESS;
            return -1;
        }
        case 'h':
            ternCliUsage(stdout);
            *exitStatus = EXIT_SUCCESS;
            return -1;
        case ':':
            ternCliError("option '%s' requires an argument. See --help.", argv[optind - 1]);
            *exitStatus = EXIT_FAILURE;
            return -1;
        default:
            if (optopt)
                ternCliError("unsupported option '-%c'. See --help.", optopt);
            else
                ternCliError("unsupported option '%s'. See --help.", argv[optind - 1]);
            *exitStatus = EXIT_FAILURE;
            return -1;
        }
    }

    if (!ctl->uri)
        ctl->uri = g_getenv(TERN_DEFAULT_URI_ENV);
    if (!ctl->uri || !*ctl->uri)
        ctl->uri = TERN_DEFAULT_URI;
    return optind;
}

/* Run one parsed command: the handler, the error behind a failure, the empty line after. */
static bool
ternCliRun(ternControl *ctl, const ternCmd *cmd)
{
    bool ok;

    if (cmd->help) {
        ternCmdDefHelp(ctl, cmd->def);
        ok = true;
    } else {
        ok = cmd->def->handler(ctl, cmd);
    }
    if (!ok)
        ternCliReportPendingError();
    ternCliResetPendingError();
    /* as virsh: no empty line when there was no connection to run the command on */
    if (ok || ctl->conn)
        ternCtlPrintExtra(ctl, "\n");
    fflush(stdout);
    return ok;
}

int
main(int argc, char **argv)
{
    ternControl ctl = {0};
    g_autoptr(GPtrArray) lines = NULL;
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)ternCmdFree);
    int exitStatus = EXIT_SUCCESS;
    int first;
    bool ok = true;

    if ((first = ternCliParseGlobals(&ctl, argc, argv, &exitStatus)) < 0)
        return exitStatus;

    if (first == argc) {
        ternCliUsage(stderr);
        return EXIT_FAILURE;
    }
    if (argc - first == 1) {
        if (!(lines = ternCliSplitLine(argv[first])))
            return EXIT_FAILURE;
    } else {
        lines = g_ptr_array_new();
        g_ptr_array_add(lines, argv + first);
    }

    /* every command is parsed before the first one runs */
    for (guint i = 0; i < lines->len; i++) {
        ternCmd *cmd = ternCmdParse(g_ptr_array_index(lines, i));

        if (!cmd)
            return EXIT_FAILURE;
        g_ptr_array_add(cmds, cmd);
    }

    for (guint i = 0; i < cmds->len; i++)
        ok = ternCliRun(&ctl, g_ptr_array_index(cmds, i));

    if (ctl.conn)
        ternConnectClose(ctl.conn);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
