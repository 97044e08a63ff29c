/* tern-commands.h: the tern CLI's command table types and the helpers every command uses */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <tern/tern.h>

/*
 * A command is a row of the one table in tern.c:
 *
 *     { "dominfo", cmdDominfo, opts_dominfo, &info_dominfo },
 *
 * `tern help`, `tern help CMD`, `tern CMD --help` and the argument parser
 * are all generated from that table and the option tables it points to, so
 * what the help says is what the parser accepts. scripts/check-man-commands.py
 * holds docs/man/tern.1 to the same table.
 *
 * A handler returns true on success. On failure it reports the context with
 * ternCtlError() ("Failed to start domain 'x'") and returns false; the
 * dispatcher then prints libtern's error behind it, as virsh does.
 */

typedef enum {
    TERN_CMD_OPT_BOOL,   /* --name */
    TERN_CMD_OPT_STRING, /* --name VALUE, --name=VALUE, or by position when POSITIONAL */
    TERN_CMD_OPT_INT,    /* as STRING; the handler reads it with ternCmdOptInt() */
} ternCmdOptType;

typedef enum {
    TERN_CMD_OPT_REQUIRED = 1 << 0,   /* the command fails without it */
    TERN_CMD_OPT_POSITIONAL = 1 << 1, /* may be given without --name, in table order */
} ternCmdOptFlags;

typedef struct {
    const char *name; /* without the leading "--" */
    ternCmdOptType type;
    unsigned int flags; /* ternCmdOptFlags */
    const char *arg;    /* placeholder in the synopsis ("domain", "seconds"); NULL for BOOL */
    const char *help;
} ternCmdOptDef;

typedef struct {
    const char *help; /* one line, for `tern help` */
    const char *desc; /* a sentence or two, for `tern help CMD` */
} ternCmdInfo;

typedef struct _ternControl ternControl;
typedef struct _ternCmd ternCmd;

typedef bool (*ternCmdHandler)(ternControl *ctl, const ternCmd *cmd);

typedef struct {
    const char *name;
    ternCmdHandler handler;
    const ternCmdOptDef *opts; /* ends with a { NULL } row */
    const ternCmdInfo *info;
} ternCmdDef;

/* The state of one tern run: global options and the connection, opened on first use. */
struct _ternControl {
    const char *uri;
    bool readonly;
    bool quiet;
    ternConnect *conn;
};

/* --- what handlers use (tern.c) --- */

/** ternCmdOptBool: whether the BOOL option @name was given. */
bool ternCmdOptBool(const ternCmd *cmd, const char *name);

/** ternCmdOptString: the value of option @name, or NULL if it was not given. Borrowed. */
const char *ternCmdOptString(const ternCmd *cmd, const char *name);

/**
 * ternCmdOptInt: read option @name as an integer in @min..G_MAXINT into
 * *@value. Returns 1 if given and valid, 0 if not given (*@value
 * untouched), -1 after reporting virsh's "Numeric value '...' for <name>
 * option is malformed or out of range".
 */
int ternCmdOptInt(ternControl *ctl, const ternCmd *cmd, const char *name, int min, int *value);

/**
 * ternCmdOptULLong: read option @name as an unsigned integer in 0..@max
 * into *@value; returns as ternCmdOptInt(), with the same message.
 */
int ternCmdOptULLong(ternControl *ctl, const ternCmd *cmd, const char *name,
                     unsigned long long max, unsigned long long *value);

/* Two option names, for ternCmdCheckOptPairs(). */
typedef struct {
    const char *a;
    const char *b;
} ternCmdOptPair;

/**
 * ternCmdCheckOptPairs: virsh's VSH_EXCLUSIVE_OPTIONS and VSH_REQUIRE_OPTION:
 * no pair of @exclusive given together, and each .a of @requires only with
 * its .b. False after reporting which rule was broken.
 */
bool ternCmdCheckOptPairs(ternControl *ctl, const ternCmd *cmd, const ternCmdOptPair *exclusive,
                          size_t nexclusive, const ternCmdOptPair *requires, size_t nrequires);

/* The row of an option table for the domain argument most commands take first. */
/* clang-format off */
#define TERN_CMD_OPT_DOMAIN(helptext)                                                              \
    {.name = "domain",                                                                             \
     .type = TERN_CMD_OPT_STRING,                                                                  \
     .flags = TERN_CMD_OPT_REQUIRED | TERN_CMD_OPT_POSITIONAL,                                     \
     .arg = "domain",                                                                              \
     .help = helptext}
/* clang-format on */

/** ternCmdName: the name of the command being run. */
const char *ternCmdName(const ternCmd *cmd);

/**
 * ternCtlConnect: the connection, opened on the first call (read-only
 * with -r). NULL after reporting "failed to connect to the hypervisor".
 */
ternConnect *ternCtlConnect(ternControl *ctl);

/**
 * ternCtlError: print "error: <formatted>" to stderr. The libtern error
 * pending at that moment (if any) is kept, to be printed after it when the
 * command fails.
 */
void ternCtlError(ternControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** ternCtlPrint: print to stdout (command output, shown even with -q). */
void ternCtlPrint(ternControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** ternCtlPrintExtra: print to stdout unless -q (confirmations such as "Domain 'x' started"). */
void ternCtlPrintExtra(ternControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** ternCtlSaveError: keep libtern's pending error (if any) for the report after the command. */
void ternCtlSaveError(void);

/**
 * ternCtlReadFile: the contents of the file @path (at most 10 MiB, virsh's
 * limit for XML files), NUL-terminated, for g_free. NULL after reporting
 * "Failed to open file 'PATH': REASON" (or read, or too large).
 */
char *ternCtlReadFile(ternControl *ctl, const char *path);

/**
 * ternCliTypedParamToString: @param's value as virsh prints it (libvirt's
 * virTypedParameterToString: "yes"/"no" for booleans), for g_free.
 */
char *ternCliTypedParamToString(const ternTypedParameter *param);

/**
 * ternCliSourceAttach: name @src, make it call @func(@data) and attach it
 * to the main context; any thread. Returns @src: the caller keeps its
 * reference (ternCliSourcesDestroy, or g_source_unref for a one-shot).
 */
GSource *ternCliSourceAttach(GSource *src, const char *name, GSourceFunc func, gpointer data);

/** ternCliLoopQuit: a GSourceFunc that quits the GMainLoop it is given, once. */
gboolean ternCliLoopQuit(gpointer loop);

/** ternCliSourcesDestroy: detach and unref each of the @n sources of @srcs that is not NULL. */
void ternCliSourcesDestroy(GSource **srcs, size_t n);

/* Which ways ternCmdLookupDomain may read the argument (virsh's VIRSH_BYID...). */
typedef enum {
    TERN_LOOKUP_BY_ID = 1 << 0,
    TERN_LOOKUP_BY_UUID = 1 << 1,
    TERN_LOOKUP_BY_NAME = 1 << 2,
    TERN_LOOKUP_ALL = TERN_LOOKUP_BY_ID | TERN_LOOKUP_BY_UUID | TERN_LOOKUP_BY_NAME,
} ternLookupFlags;

/**
 * ternCmdLookupDomain: the domain named by option @optname, as virsh finds
 * it: a non-negative integer is tried as an id, a 36-character string as a
 * UUID, then the string as a name (each only if @flags allows). Sets
 * *@argOut (if not NULL) to the text as typed. Returns a new handle (free
 * with ternDomainFree), or NULL after reporting "failed to get domain 'x'".
 */
ternDomain *ternCmdLookupDomain(ternControl *ctl, const ternCmd *cmd, const char *optname,
                                unsigned int flags, const char **argOut);

/*
 * Domain handles in handlers: g_autoptr(ternDomain) dom = ...; the cleanup
 * keeps the pending libtern error before ternDomainFree() resets it.
 */
static inline void
ternCliDomainFree(ternDomain *dom)
{
    if (!dom)
        return;
    ternCtlSaveError();
    ternDomainFree(dom);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomain, ternCliDomainFree)

/* --- the commands (tern-host.c, tern-domain.c, tern-event.c, tern-migrate.c) --- */

#define TERN_CMD_DECLARE(name, Name)                                                               \
    bool cmd##Name(ternControl *ctl, const ternCmd *cmd);                                          \
    extern const ternCmdOptDef opts_##name[];                                                      \
    extern const ternCmdInfo info_##name

TERN_CMD_DECLARE(version, Version);
TERN_CMD_DECLARE(uri, URI);
TERN_CMD_DECLARE(hostname, Hostname);

TERN_CMD_DECLARE(list, List);
TERN_CMD_DECLARE(shutdown, Shutdown);
TERN_CMD_DECLARE(reboot, Reboot);
TERN_CMD_DECLARE(dominfo, Dominfo);
TERN_CMD_DECLARE(domstate, Domstate);
TERN_CMD_DECLARE(domid, Domid);
TERN_CMD_DECLARE(domuuid, Domuuid);
TERN_CMD_DECLARE(domname, Domname);
TERN_CMD_DECLARE(dumpxml, DumpXML);
TERN_CMD_DECLARE(define, Define);
TERN_CMD_DECLARE(undefine, Undefine);
TERN_CMD_DECLARE(start, Start);
TERN_CMD_DECLARE(destroy, Destroy);
TERN_CMD_DECLARE(suspend, Suspend);
TERN_CMD_DECLARE(resume, Resume);
TERN_CMD_DECLARE(autostart, Autostart);

TERN_CMD_DECLARE(event, Event);

TERN_CMD_DECLARE(migrate, Migrate);
TERN_CMD_DECLARE(domjobinfo, Domjobinfo);
TERN_CMD_DECLARE(domjobabort, Domjobabort);
TERN_CMD_DECLARE(migrate_setmaxdowntime, MigrateSetMaxDowntime);
TERN_CMD_DECLARE(migrate_getmaxdowntime, MigrateGetMaxDowntime);
TERN_CMD_DECLARE(migrate_setspeed, MigrateSetSpeed);
TERN_CMD_DECLARE(migrate_getspeed, MigrateGetSpeed);
TERN_CMD_DECLARE(migrate_postcopy, MigratePostcopy);
