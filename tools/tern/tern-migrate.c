/* tern-migrate.c: the tern CLI's migration and job commands: migrate, domjobinfo, tuning */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib-unix.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tern-commands.h"

/*
 * Names, options and output are virsh's (virsh-domain.c of libvirt 9.0),
 * so a script may call either. Where virsh checks an argument only after
 * it has connected to the destination, tern checks it first: nothing is
 * opened for a command line that cannot run.
 *
 * migrate runs the migration call on a worker thread ("tern-migrate"); the
 * main thread runs a GMainLoop that only waits: every 500 ms it asks the
 * source for the job's progress (printed with --verbose, and the trigger
 * for --postcopy-after-precopy), --timeout fires once, SIGINT aborts the
 * job, and the worker ends the loop through an idle source when the call
 * returns.
 */

/* ------------------------------------------------------------------------------------------ */
/* migrate                                                                                     */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_migrate[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "desturi",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_REQUIRED | TERN_CMD_OPT_POSITIONAL,
     .arg = "desturi",
     .help = "connection URI of the destination host as seen from the client (normal "
             "migration) or source (p2p migration)"},
    {.name = "live", .type = TERN_CMD_OPT_BOOL, .help = "live migration"},
    {.name = "offline", .type = TERN_CMD_OPT_BOOL, .help = "offline migration"},
    {.name = "p2p", .type = TERN_CMD_OPT_BOOL, .help = "peer-2-peer migration"},
    {.name = "direct", .type = TERN_CMD_OPT_BOOL, .help = "direct migration"},
    {.name = "tunnelled", .type = TERN_CMD_OPT_BOOL, .help = "tunnelled migration"},
    {.name = "persistent", .type = TERN_CMD_OPT_BOOL, .help = "persist VM on destination"},
    {.name = "undefinesource", .type = TERN_CMD_OPT_BOOL, .help = "undefine VM on source"},
    {.name = "suspend",
     .type = TERN_CMD_OPT_BOOL,
     .help = "do not restart the domain on the destination host"},
    {.name = "change-protection",
     .type = TERN_CMD_OPT_BOOL,
     .help = "prevent any configuration changes to domain until migration ends"},
    {.name = "unsafe", .type = TERN_CMD_OPT_BOOL, .help = "force migration even if it may be unsafe"},
    {.name = "verbose", .type = TERN_CMD_OPT_BOOL, .help = "display the progress of migration"},
    {.name = "compressed",
     .type = TERN_CMD_OPT_BOOL,
     .help = "compress repeated pages during live migration"},
    {.name = "auto-converge",
     .type = TERN_CMD_OPT_BOOL,
     .help = "force convergence during live migration"},
    {.name = "abort-on-error",
     .type = TERN_CMD_OPT_BOOL,
     .help = "abort on soft errors during migration"},
    {.name = "postcopy",
     .type = TERN_CMD_OPT_BOOL,
     .help = "enable post-copy migration; switch to it using migrate-postcopy command"},
    {.name = "postcopy-after-precopy",
     .type = TERN_CMD_OPT_BOOL,
     .help = "automatically switch to post-copy migration after one pass of pre-copy"},
    {.name = "migrateuri",
     .type = TERN_CMD_OPT_STRING,
     .arg = "uri",
     .help = "migration URI, usually can be omitted"},
    {.name = "graphicsuri",
     .type = TERN_CMD_OPT_STRING,
     .arg = "uri",
     .help = "graphics URI to be used for seamless graphics migration"},
    {.name = "listen-address",
     .type = TERN_CMD_OPT_STRING,
     .arg = "address",
     .help = "listen address that destination should bind to for incoming migration"},
    {.name = "dname",
     .type = TERN_CMD_OPT_STRING,
     .arg = "name",
     .help = "rename to new name during migration (if supported)"},
    {.name = "timeout",
     .type = TERN_CMD_OPT_INT,
     .arg = "seconds",
     .help = "run action specified by --timeout-* option (suspend by default) if live "
             "migration exceeds timeout (in seconds)"},
    {.name = "timeout-suspend",
     .type = TERN_CMD_OPT_BOOL,
     .help = "suspend the guest after timeout"},
    {.name = "timeout-postcopy",
     .type = TERN_CMD_OPT_BOOL,
     .help = "switch to post-copy after timeout"},
    {.name = "xml",
     .type = TERN_CMD_OPT_STRING,
     .arg = "file",
     .help = "filename containing updated XML for the target"},
    {.name = "comp-methods",
     .type = TERN_CMD_OPT_STRING,
     .arg = "list",
     .help = "comma separated list of compression methods to be used"},
    {.name = "comp-mt-level",
     .type = TERN_CMD_OPT_INT,
     .arg = "number",
     .help = "compress level for multithread compression"},
    {.name = "comp-mt-threads",
     .type = TERN_CMD_OPT_INT,
     .arg = "number",
     .help = "number of compression threads for multithread compression"},
    {.name = "comp-mt-dthreads",
     .type = TERN_CMD_OPT_INT,
     .arg = "number",
     .help = "number of decompression threads for multithread compression"},
    {.name = "comp-xbzrle-cache",
     .type = TERN_CMD_OPT_STRING,
     .arg = "bytes",
     .help = "page cache size for xbzrle compression"},
    {.name = "auto-converge-initial",
     .type = TERN_CMD_OPT_INT,
     .arg = "percent",
     .help = "initial CPU throttling rate for auto-convergence"},
    {.name = "auto-converge-increment",
     .type = TERN_CMD_OPT_INT,
     .arg = "percent",
     .help = "CPU throttling rate increment for auto-convergence"},
    {.name = "persistent-xml",
     .type = TERN_CMD_OPT_STRING,
     .arg = "file",
     .help = "filename containing updated persistent XML for the target"},
    {.name = "tls", .type = TERN_CMD_OPT_BOOL, .help = "use TLS for migration"},
    {.name = "postcopy-bandwidth",
     .type = TERN_CMD_OPT_STRING,
     .arg = "mib",
     .help = "post-copy migration bandwidth limit in MiB/s"},
    {.name = "parallel", .type = TERN_CMD_OPT_BOOL, .help = "enable parallel migration"},
    {.name = "parallel-connections",
     .type = TERN_CMD_OPT_INT,
     .arg = "number",
     .help = "number of connections for parallel migration"},
    {.name = "bandwidth",
     .type = TERN_CMD_OPT_STRING,
     .arg = "mib",
     .help = "migration bandwidth limit in MiB/s"},
    {.name = "tls-destination",
     .type = TERN_CMD_OPT_STRING,
     .arg = "host",
     .help = "override the destination host name used for TLS verification"},
    {.name = NULL},
};

const ternCmdInfo info_migrate = {
    .help = "migrate domain to another host",
    .desc = "Migrate domain to another host.  Add --live for live migration. Without --p2p "
            "tern connects to <desturi> itself and drives both hosts; with --p2p the source "
            "host does. Ctrl-C aborts the migration.",
};

/* Boolean options that are migration flags. */
typedef struct {
    const char *opt;
    unsigned int flag;
} ternCliMigrateFlagOpt;

static const ternCliMigrateFlagOpt ternCliMigrateFlagOpts[] = {
    {"live", TERN_MIGRATE_LIVE},
    {"p2p", TERN_MIGRATE_PEER2PEER},
    {"tunnelled", TERN_MIGRATE_TUNNELLED},
    {"persistent", TERN_MIGRATE_PERSIST_DEST},
    {"undefinesource", TERN_MIGRATE_UNDEFINE_SOURCE},
    {"suspend", TERN_MIGRATE_PAUSED},
    {"change-protection", TERN_MIGRATE_CHANGE_PROTECTION},
    {"unsafe", TERN_MIGRATE_UNSAFE},
    {"offline", TERN_MIGRATE_OFFLINE},
    {"compressed", TERN_MIGRATE_COMPRESSED},
    {"auto-converge", TERN_MIGRATE_AUTO_CONVERGE},
    {"abort-on-error", TERN_MIGRATE_ABORT_ON_ERROR},
    {"postcopy", TERN_MIGRATE_POSTCOPY},
    {"tls", TERN_MIGRATE_TLS},
    {"parallel", TERN_MIGRATE_PARALLEL},
};

typedef enum {
    TERN_CLI_PARAM_STRING, /* the text as given */
    TERN_CLI_PARAM_FILE,   /* the contents of the file named */
    TERN_CLI_PARAM_LIST,   /* one string entry per comma-separated item */
    TERN_CLI_PARAM_INT,
    TERN_CLI_PARAM_ULLONG,
} ternCliParamKind;

/* Options with a value that are typed parameters, in the order virsh adds them. */
typedef struct {
    const char *opt;
    const char *param;
    ternCliParamKind kind;
} ternCliMigrateParamOpt;

static const ternCliMigrateParamOpt ternCliMigrateParamOpts[] = {
    {"migrateuri", TERN_MIGRATE_PARAM_URI, TERN_CLI_PARAM_STRING},
    {"graphicsuri", TERN_MIGRATE_PARAM_GRAPHICS_URI, TERN_CLI_PARAM_STRING},
    {"listen-address", TERN_MIGRATE_PARAM_LISTEN_ADDRESS, TERN_CLI_PARAM_STRING},
    {"dname", TERN_MIGRATE_PARAM_DEST_NAME, TERN_CLI_PARAM_STRING},
    {"comp-methods", TERN_MIGRATE_PARAM_COMPRESSION, TERN_CLI_PARAM_LIST},
    {"comp-mt-level", TERN_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, TERN_CLI_PARAM_INT},
    {"comp-mt-threads", TERN_MIGRATE_PARAM_COMPRESSION_MT_THREADS, TERN_CLI_PARAM_INT},
    {"comp-mt-dthreads", TERN_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, TERN_CLI_PARAM_INT},
    {"comp-xbzrle-cache", TERN_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, TERN_CLI_PARAM_ULLONG},
    {"xml", TERN_MIGRATE_PARAM_DEST_XML, TERN_CLI_PARAM_FILE},
    {"persistent-xml", TERN_MIGRATE_PARAM_PERSIST_XML, TERN_CLI_PARAM_FILE},
    {"auto-converge-initial", TERN_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, TERN_CLI_PARAM_INT},
    {"auto-converge-increment", TERN_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, TERN_CLI_PARAM_INT},
    {"postcopy-bandwidth", TERN_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, TERN_CLI_PARAM_ULLONG},
    {"parallel-connections", TERN_MIGRATE_PARAM_PARALLEL_CONNECTIONS, TERN_CLI_PARAM_INT},
    {"bandwidth", TERN_MIGRATE_PARAM_BANDWIDTH, TERN_CLI_PARAM_ULLONG},
    {"tls-destination", TERN_MIGRATE_PARAM_TLS_DESTINATION, TERN_CLI_PARAM_STRING},
};

static const ternCmdOptPair ternCliMigrateExclusive[] = {
    {"live", "offline"},
    {"timeout-suspend", "timeout-postcopy"},
};

static const ternCmdOptPair ternCliMigrateRequires[] = {
    {"postcopy-after-precopy", "postcopy"},
    {"timeout-postcopy", "postcopy"},
    {"persistent-xml", "persistent"},
    {"tls-destination", "tls"},
};

/* A typed parameter list, freed by g_auto. */
typedef struct {
    ternTypedParameter *params;
    int n;
    int max;
} ternCliParams;

static void
ternCliParamsClear(ternCliParams *p)
{
    ternTypedParamsFree(p->params, p->n);
    p->params = NULL;
    p->n = p->max = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ternCliParams, ternCliParamsClear)

/* One option of ternCliMigrateParamOpts into @p; false after reporting. */
static bool
ternCliMigrateAddParam(ternControl *ctl, const ternCmd *cmd, const ternCliMigrateParamOpt *def,
                       ternCliParams *p)
{
    const char *text = ternCmdOptString(cmd, def->opt);
    g_autofree char *data = NULL;
    g_auto(GStrv) items = NULL;
    unsigned long long ull = 0;
    int i = 0;
    int rc = 0;

    if (!text)
        return true;
    switch (def->kind) {
    case TERN_CLI_PARAM_STRING:
        rc = ternTypedParamsAddString(&p->params, &p->n, &p->max, def->param, text);
        break;
    case TERN_CLI_PARAM_FILE:
        if (!(data = ternCtlReadFile(ctl, text)))
            return false;
        rc = ternTypedParamsAddString(&p->params, &p->n, &p->max, def->param, data);
        break;
    case TERN_CLI_PARAM_LIST:
        items = g_strsplit(text, ",", -1);
        for (size_t j = 0; items[j] && rc == 0; j++)
            rc = ternTypedParamsAddString(&p->params, &p->n, &p->max, def->param, items[j]);
        break;
    case TERN_CLI_PARAM_INT:
        if (ternCmdOptInt(ctl, cmd, def->opt, 0, &i) < 0)
            return false;
        rc = ternTypedParamsAddInt(&p->params, &p->n, &p->max, def->param, i);
        break;
    case TERN_CLI_PARAM_ULLONG:
        if (ternCmdOptULLong(ctl, cmd, def->opt, G_MAXUINT64, &ull) < 0)
            return false;
        rc = ternTypedParamsAddULLong(&p->params, &p->n, &p->max, def->param, ull);
        break;
    }
    if (rc < 0) {
        ternCtlError(ctl, "cannot add migration parameter '%s'", def->param);
        return false;
    }
    return true;
}

typedef enum {
    TERN_CLI_TIMEOUT_NONE = 0,
    TERN_CLI_TIMEOUT_SUSPEND,
    TERN_CLI_TIMEOUT_POSTCOPY,
} ternCliTimeoutAction;

/* One migrate command: set up by the main thread, the worker writes only the result. */
typedef struct {
    ternDomain *dom;      /* on the source connection */
    ternConnect *dconn;   /* the destination (client-managed), or NULL */
    const char *desturi;  /* borrowed from the command */
    ternCliParams params;
    unsigned int flags;

    /* the worker's result: written before it queues the idle source that ends the loop */
    bool ok;
    ternError err; /* zeroed: no error to tell */

    /* main thread only */
    GMainLoop *loop;
    bool verbose;
    bool progressShown;
    bool postcopyAfterPrecopy;
    bool postcopyStarted;
    bool abortPending; /* Ctrl-C came, but no job could be aborted yet */
    ternCliTimeoutAction timeoutAction;
} ternCliMigrateJob;

static gpointer
ternCliMigrateThread(gpointer opaque)
{
    ternCliMigrateJob *job = opaque;

    if (job->dconn) {
        ternDomain *ddom = ternDomainMigrate3(job->dom, job->dconn, job->params.params,
                                              (unsigned int)job->params.n, job->flags);

        job->ok = ddom != NULL;
        if (ddom)
            ternDomainFree(ddom);
    } else {
        job->ok = ternDomainMigrateToURI3(job->dom, job->desturi, job->params.params,
                                          (unsigned int)job->params.n, job->flags) == 0;
    }
    /* the last error is this thread's own: hand a copy to the main thread */
    if (!job->ok)
        ternCopyLastError(&job->err);

    g_source_unref(
        ternCliSourceAttach(g_idle_source_new(), "tern-migrate-done", ternCliLoopQuit, job->loop));
    return NULL;
}

/* virsh's progress line: "\rMigration: [ 42 %]" on stderr, 100 only once nothing remains. */
static void
ternCliMigratePrintProgress(ternCliMigrateJob *job, unsigned long long remaining,
                            unsigned long long total)
{
    int pct = 100;

    if (remaining > 0) {
        double done = 100.0 - (double)remaining * 100.0 / (double)total;

        pct = done < 0 ? 0 : done >= 100 ? 99 : (int)done;
    }
    fprintf(stderr, "\rMigration: [%3d %%]", pct);
    fflush(stderr);
    job->progressShown = true;
}

/* --postcopy-after-precopy: has the first pass over memory ended? */
static bool
ternCliMigrateFirstPassDone(ternCliMigrateJob *job, const ternDomainJobInfo *info)
{
    ternTypedParameter *params = NULL;
    unsigned long long iteration = 0;
    int nparams = 0;
    int type = 0;
    int rc;

    if (ternDomainGetJobStats(job->dom, &type, &params, &nparams, 0) == 0) {
        rc = ternTypedParamsGetULLong(params, nparams, TERN_DOMAIN_JOB_MEMORY_ITERATION,
                                      &iteration);
        ternTypedParamsFree(params, nparams);
        if (rc == 1)
            return iteration >= 2;
    }
    ternResetLastError();
    /* no iteration count: everything was sent once */
    return info->dataTotal > 0 && info->dataProcessed >= info->dataTotal;
}

/* Abort the job; false (error dropped) if there is none to abort yet. */
static bool
ternCliMigrateAbort(ternCliMigrateJob *job)
{
    if (ternDomainAbortJob(job->dom) < 0) {
        ternResetLastError();
        return false;
    }
    return true;
}

/* Every 500 ms: the job's progress; its errors are ignored, as virsh ignores them. */
static gboolean
ternCliMigratePoll(gpointer opaque)
{
    ternCliMigrateJob *job = opaque;
    ternDomainJobInfo info;

    if (ternDomainGetJobInfo(job->dom, &info) < 0) {
        ternResetLastError();
        return G_SOURCE_CONTINUE;
    }
    if (info.type != TERN_DOMAIN_JOB_BOUNDED && info.type != TERN_DOMAIN_JOB_UNBOUNDED)
        return G_SOURCE_CONTINUE;
    /* Ctrl-C before the source had a job to abort: now it has one */
    if (job->abortPending) {
        job->abortPending = !ternCliMigrateAbort(job);
        return G_SOURCE_CONTINUE;
    }
    if (job->verbose && info.dataTotal > 0)
        ternCliMigratePrintProgress(job, info.dataRemaining, info.dataTotal);
    if (job->postcopyAfterPrecopy && !job->postcopyStarted &&
        ternCliMigrateFirstPassDone(job, &info)) {
        job->postcopyStarted = true;
        if (ternDomainMigrateStartPostCopy(job->dom, 0) < 0)
            ternResetLastError();
    }
    return G_SOURCE_CONTINUE;
}

/* --timeout: once, suspend the guest or switch to post-copy (failures ignored, as virsh) */
static gboolean
ternCliMigrateTimeout(gpointer opaque)
{
    ternCliMigrateJob *job = opaque;
    int rc = 0;

    if (job->timeoutAction == TERN_CLI_TIMEOUT_POSTCOPY && !job->postcopyStarted) {
        job->postcopyStarted = true;
        rc = ternDomainMigrateStartPostCopy(job->dom, 0);
    } else if (job->timeoutAction == TERN_CLI_TIMEOUT_SUSPEND) {
        rc = ternDomainSuspend(job->dom);
    }
    if (rc < 0)
        ternResetLastError();
    return G_SOURCE_REMOVE;
}

/*
 * SIGINT: abort the job; the worker's call then returns with the daemon's
 * error. Too early (no job yet on the source), the next poll that sees one
 * tries again.
 */
static gboolean
ternCliMigrateInterrupt(gpointer opaque)
{
    ternCliMigrateJob *job = opaque;

    job->abortPending = !ternCliMigrateAbort(job);
    return G_SOURCE_CONTINUE;
}

/* Run the migration on a worker and wait for it; true if it succeeded. */
static bool
ternCliMigrateRun(ternControl *ctl, ternCliMigrateJob *job, guint timeout)
{
    g_autoptr(GError) err = NULL;
    GSource *sources[3] = {NULL};
    GThread *thread;

    job->loop = g_main_loop_new(NULL, FALSE);
    if (!(thread = g_thread_try_new("tern-migrate", ternCliMigrateThread, job, &err))) {
        g_main_loop_unref(job->loop);
        ternCtlError(ctl, "cannot start the migration thread: %s", err->message);
        return false;
    }
    sources[0] = ternCliSourceAttach(g_timeout_source_new(500), "tern-migrate-progress",
                                     ternCliMigratePoll, job);
    sources[1] = ternCliSourceAttach(g_unix_signal_source_new(SIGINT), "tern-migrate-sigint",
                                     ternCliMigrateInterrupt, job);
    if (timeout > 0)
        sources[2] = ternCliSourceAttach(g_timeout_source_new_seconds(timeout),
                                         "tern-migrate-timeout", ternCliMigrateTimeout, job);

    g_main_loop_run(job->loop);
    g_thread_join(thread);

    ternCliSourcesDestroy(sources, G_N_ELEMENTS(sources));
    g_main_loop_unref(job->loop);
    job->loop = NULL;

    if (job->verbose && job->ok)
        ternCliMigratePrintProgress(job, 0, 1);
    if (job->progressShown) {
        fputc('\n', stderr);
        fflush(stderr);
    }
    if (!job->ok) {
        /* the worker's error, as virsh prints it: alone, no context line */
        ternCtlError(ctl, "%s",
                     job->err.message ? job->err.message : "migration failed");
        return false;
    }
    return true;
}

bool
cmdMigrate(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    ternCliMigrateJob job = {0};
    int timeout = 0;
    bool ok = false;

    if (!ternCmdCheckOptPairs(ctl, cmd, ternCliMigrateExclusive,
                              G_N_ELEMENTS(ternCliMigrateExclusive), ternCliMigrateRequires,
                              G_N_ELEMENTS(ternCliMigrateRequires)))
        return false;

    if (ternCmdOptInt(ctl, cmd, "timeout", 0, &timeout) < 0)
        return false;
    if (timeout > 0 && !ternCmdOptBool(cmd, "live")) {
        ternCtlError(ctl, "migrate: Unexpected timeout for offline migration");
        return false;
    }
    if (timeout == 0 &&
        (ternCmdOptBool(cmd, "timeout-suspend") || ternCmdOptBool(cmd, "timeout-postcopy"))) {
        ternCtlError(ctl, "migrate: Unexpected --timeout-* option without --timeout");
        return false;
    }
    if (timeout > 0)
        job.timeoutAction = ternCmdOptBool(cmd, "timeout-postcopy") ? TERN_CLI_TIMEOUT_POSTCOPY
                                                                    : TERN_CLI_TIMEOUT_SUSPEND;

    for (size_t i = 0; i < G_N_ELEMENTS(ternCliMigrateFlagOpts); i++) {
        if (ternCmdOptBool(cmd, ternCliMigrateFlagOpts[i].opt))
            job.flags |= ternCliMigrateFlagOpts[i].flag;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ternCliMigrateParamOpts); i++) {
        if (!ternCliMigrateAddParam(ctl, cmd, &ternCliMigrateParamOpts[i], &job.params))
            goto cleanup;
    }
    job.desturi = ternCmdOptString(cmd, "desturi");
    job.verbose = ternCmdOptBool(cmd, "verbose");
    job.postcopyAfterPrecopy = ternCmdOptBool(cmd, "postcopy-after-precopy");

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        goto cleanup;
    job.dom = dom;

    /* client-managed: tern talks to the destination itself */
    if (!(job.flags & TERN_MIGRATE_PEER2PEER) && !ternCmdOptBool(cmd, "direct") &&
        !(job.dconn = ternConnectOpen(job.desturi)))
        goto cleanup;

    ok = ternCliMigrateRun(ctl, &job, (guint)timeout);

cleanup:
    if (job.dconn) {
        ternCtlSaveError();
        ternConnectClose(job.dconn);
    }
    ternResetError(&job.err);
    ternCliParamsClear(&job.params);
    return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* domjobinfo                                                                                  */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_domjobinfo[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "completed",
     .type = TERN_CMD_OPT_BOOL,
     .help = "return statistics of a recently completed job"},
    {.name = "keep-completed",
     .type = TERN_CMD_OPT_BOOL,
     .help = "don't destroy statistics of a recently completed job when reading"},
    {.name = "anystats",
     .type = TERN_CMD_OPT_BOOL,
     .help = "print statistics for any kind of job (even failed ones)"},
    {.name = "rawstats",
     .type = TERN_CMD_OPT_BOOL,
     .help = "print the raw data returned by libtern"},
    {.name = NULL},
};

const ternCmdInfo info_domjobinfo = {
    .help = "domain job information",
    .desc = "Returns information about jobs running on a domain.",
};

static const char *const ternCliJobTypes[] = {
    [TERN_DOMAIN_JOB_NONE] = "None",           [TERN_DOMAIN_JOB_BOUNDED] = "Bounded",
    [TERN_DOMAIN_JOB_UNBOUNDED] = "Unbounded", [TERN_DOMAIN_JOB_COMPLETED] = "Completed",
    [TERN_DOMAIN_JOB_FAILED] = "Failed",       [TERN_DOMAIN_JOB_CANCELLED] = "Cancelled",
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliJobTypes) == TERN_DOMAIN_JOB_LAST);

/* virsh's words for libvirt's virDomainJobOperation (tern names the first seven) */
static const char *const ternCliJobOperations[] = {
    "Unknown",            "Start",    "Save",            "Restore", "Incoming migration",
    "Outgoing migration", "Snapshot", "Snapshot revert", "Dump",    "Backup",
    "Snapshot delete",
};

static const char *
ternCliWord(const char *const *words, size_t nwords, int value)
{
    if (value < 0 || (size_t)value >= nwords)
        return "unknown";
    return words[value];
}

/* virsh's vshPrettyCapacity: B, KiB, MiB, ... */
static double
ternCliPrettyCapacity(unsigned long long value, const char **unit)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double scaled = (double)value;
    size_t i = 0;

    while (i + 1 < G_N_ELEMENTS(units) && scaled >= 1024.0) {
        scaled /= 1024.0;
        i++;
    }
    *unit = units[i];
    return scaled;
}

static void
ternCliPrintSize(ternControl *ctl, const char *label, unsigned long long value, bool rate)
{
    const char *unit;
    double scaled = ternCliPrettyCapacity(value, &unit);

    ternCtlPrint(ctl, "%-17s %-.3lf %s%s\n", label, scaled, unit, rate ? "/s" : "");
}

typedef enum {
    TERN_CLI_STAT_MS,      /* "%-12llu ms" */
    TERN_CLI_STAT_SIZE,    /* vshPrettyCapacity */
    TERN_CLI_STAT_RATE,    /* vshPrettyCapacity "/s", only when not 0 */
    TERN_CLI_STAT_PAGES_S, /* "%-12llu pages/s" */
    TERN_CLI_STAT_BYTES,   /* "%-12llu bytes" */
    TERN_CLI_STAT_COUNT,   /* "%-12llu" */
    TERN_CLI_STAT_COUNT13, /* "%-13llu" */
    TERN_CLI_STAT_INT13,   /* "%-13d", an INT parameter */
    TERN_CLI_STAT_STRING,  /* "%s", a STRING parameter */
} ternCliStatFormat;

/* The statistics domjobinfo prints after the totals, in virsh's order. */
typedef struct {
    const char *name;
    const char *label;
    ternCliStatFormat format;
} ternCliJobStat;

static const ternCliJobStat ternCliJobStatsMemory[] = {
    {TERN_DOMAIN_JOB_MEMORY_BPS, "Memory bandwidth:", TERN_CLI_STAT_RATE},
    {TERN_DOMAIN_JOB_MEMORY_DIRTY_RATE, "Dirty rate:", TERN_CLI_STAT_PAGES_S},
    {TERN_DOMAIN_JOB_MEMORY_PAGE_SIZE, "Page size:", TERN_CLI_STAT_BYTES},
    {TERN_DOMAIN_JOB_MEMORY_ITERATION, "Iteration:", TERN_CLI_STAT_COUNT},
    {TERN_DOMAIN_JOB_MEMORY_POSTCOPY_REQS, "Postcopy requests:", TERN_CLI_STAT_COUNT},
};

static const ternCliJobStat ternCliJobStatsRest[] = {
    {TERN_DOMAIN_JOB_DISK_BPS, "File bandwidth:", TERN_CLI_STAT_RATE},
    {TERN_DOMAIN_JOB_MEMORY_CONSTANT, "Constant pages:", TERN_CLI_STAT_COUNT},
    {TERN_DOMAIN_JOB_MEMORY_NORMAL, "Normal pages:", TERN_CLI_STAT_COUNT},
    {TERN_DOMAIN_JOB_MEMORY_NORMAL_BYTES, "Normal data:", TERN_CLI_STAT_SIZE},
    {TERN_DOMAIN_JOB_DOWNTIME, NULL /* depends on the job type */, TERN_CLI_STAT_MS},
    {TERN_DOMAIN_JOB_DOWNTIME_NET, "Downtime w/o network:", TERN_CLI_STAT_MS},
    {TERN_DOMAIN_JOB_SETUP_TIME, "Setup time:", TERN_CLI_STAT_MS},
    {"compression_cache", "Compression cache:", TERN_CLI_STAT_SIZE},
    {"compression_bytes", "Compressed data:", TERN_CLI_STAT_SIZE},
    {"compression_pages", "Compressed pages:", TERN_CLI_STAT_COUNT13},
    {"compression_cache_misses", "Compression cache misses:", TERN_CLI_STAT_COUNT13},
    {"compression_overflow", "Compression overflows:", TERN_CLI_STAT_COUNT13},
    {TERN_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, "Auto converge throttle:", TERN_CLI_STAT_INT13},
    {"disk_temp_used", "Temporary disk space use:", TERN_CLI_STAT_SIZE},
    {"disk_temp_total", "Temporary disk space total:", TERN_CLI_STAT_SIZE},
    {TERN_DOMAIN_JOB_ERRMSG, "Error message:", TERN_CLI_STAT_STRING},
};

/* Print @stat if the job has it; false (libtern's error pending) if it has the wrong type. */
static bool
ternCliPrintJobStat(ternControl *ctl, ternTypedParameter *params, int nparams, int jobType,
                    const ternCliJobStat *stat)
{
    const char *label = stat->label;
    unsigned long long value = 0;
    const char *str = NULL;
    int ivalue = 0;
    int rc;

    if (!label)
        label = jobType == TERN_DOMAIN_JOB_COMPLETED ? "Total downtime:" : "Expected downtime:";
    if (stat->format == TERN_CLI_STAT_INT13)
        rc = ternTypedParamsGetInt(params, nparams, stat->name, &ivalue);
    else if (stat->format == TERN_CLI_STAT_STRING)
        rc = ternTypedParamsGetString(params, nparams, stat->name, &str);
    else
        rc = ternTypedParamsGetULLong(params, nparams, stat->name, &value);
    if (rc < 0)
        return false;
    if (rc == 0)
        return true;

    switch (stat->format) {
    case TERN_CLI_STAT_MS:
        ternCtlPrint(ctl, "%-17s %-12llu ms\n", label, value);
        break;
    case TERN_CLI_STAT_SIZE:
        ternCliPrintSize(ctl, label, value, false);
        break;
    case TERN_CLI_STAT_RATE:
        if (value)
            ternCliPrintSize(ctl, label, value, true);
        break;
    case TERN_CLI_STAT_PAGES_S:
        ternCtlPrint(ctl, "%-17s %-12llu pages/s\n", label, value);
        break;
    case TERN_CLI_STAT_BYTES:
        ternCtlPrint(ctl, "%-17s %-12llu bytes\n", label, value);
        break;
    case TERN_CLI_STAT_COUNT:
        ternCtlPrint(ctl, "%-17s %-12llu\n", label, value);
        break;
    case TERN_CLI_STAT_COUNT13:
        ternCtlPrint(ctl, "%-17s %-13llu\n", label, value);
        break;
    case TERN_CLI_STAT_INT13:
        ternCtlPrint(ctl, "%-17s %-13d\n", label, ivalue);
        break;
    case TERN_CLI_STAT_STRING:
        ternCtlPrint(ctl, "%-17s %s\n", label, str);
        break;
    }
    return true;
}

static bool
ternCliPrintJobStats(ternControl *ctl, ternTypedParameter *params, int nparams, int jobType,
                     const ternCliJobStat *stats, size_t nstats)
{
    for (size_t i = 0; i < nstats; i++) {
        if (!ternCliPrintJobStat(ctl, params, nparams, jobType, &stats[i]))
            return false;
    }
    return true;
}

/* The virDomainJobInfo fields virsh reads from the statistics (unknown ones stay 0). */
typedef struct {
    const char *name;
    size_t offset;
} ternCliJobInfoField;

static const ternCliJobInfoField ternCliJobInfoFields[] = {
    {TERN_DOMAIN_JOB_TIME_ELAPSED, G_STRUCT_OFFSET(ternDomainJobInfo, timeElapsed)},
    {TERN_DOMAIN_JOB_TIME_REMAINING, G_STRUCT_OFFSET(ternDomainJobInfo, timeRemaining)},
    {TERN_DOMAIN_JOB_DATA_TOTAL, G_STRUCT_OFFSET(ternDomainJobInfo, dataTotal)},
    {TERN_DOMAIN_JOB_DATA_PROCESSED, G_STRUCT_OFFSET(ternDomainJobInfo, dataProcessed)},
    {TERN_DOMAIN_JOB_DATA_REMAINING, G_STRUCT_OFFSET(ternDomainJobInfo, dataRemaining)},
    {TERN_DOMAIN_JOB_MEMORY_TOTAL, G_STRUCT_OFFSET(ternDomainJobInfo, memTotal)},
    {TERN_DOMAIN_JOB_MEMORY_PROCESSED, G_STRUCT_OFFSET(ternDomainJobInfo, memProcessed)},
    {TERN_DOMAIN_JOB_MEMORY_REMAINING, G_STRUCT_OFFSET(ternDomainJobInfo, memRemaining)},
    {TERN_DOMAIN_JOB_DISK_TOTAL, G_STRUCT_OFFSET(ternDomainJobInfo, fileTotal)},
    {TERN_DOMAIN_JOB_DISK_PROCESSED, G_STRUCT_OFFSET(ternDomainJobInfo, fileProcessed)},
    {TERN_DOMAIN_JOB_DISK_REMAINING, G_STRUCT_OFFSET(ternDomainJobInfo, fileRemaining)},
};

/* Three sizes ("Data processed/remaining/total:") when any is not 0. */
static void
ternCliPrintJobTotals(ternControl *ctl, const char *what, unsigned long long processed,
                      unsigned long long remaining, unsigned long long total)
{
    g_autofree char *lp = g_strdup_printf("%s processed:", what);
    g_autofree char *lr = g_strdup_printf("%s remaining:", what);
    g_autofree char *lt = g_strdup_printf("%s total:", what);

    if (!processed && !remaining && !total)
        return;
    ternCliPrintSize(ctl, lp, processed, false);
    ternCliPrintSize(ctl, lr, remaining, false);
    ternCliPrintSize(ctl, lt, total, false);
}

static bool
ternCliDomjobinfoPrint(ternControl *ctl, const ternCmd *cmd, const ternDomainJobInfo *info,
                       ternTypedParameter *params, int nparams, unsigned int flags)
{
    unsigned long long value = 0;
    int op = TERN_DOMAIN_JOB_OPERATION_UNKNOWN;
    int rc;

    if (ternCmdOptBool(cmd, "rawstats")) {
        ternCtlPrint(ctl, "Job type: %d\n\n", info->type);
        for (int i = 0; i < nparams; i++) {
            g_autofree char *text = ternCliTypedParamToString(&params[i]);

            ternCtlPrint(ctl, "%s: %s\n", params[i].field, text);
        }
        return true;
    }

    ternCtlPrint(ctl, "%-17s %-12s\n", "Job type:",
                 ternCliWord(ternCliJobTypes, G_N_ELEMENTS(ternCliJobTypes), info->type));

    /* no job, or a finished one nobody asked for: nothing more to say (virsh 9.0 prints
     * no Operation line then either) */
    if (!ternCmdOptBool(cmd, "anystats") && info->type != TERN_DOMAIN_JOB_BOUNDED &&
        info->type != TERN_DOMAIN_JOB_UNBOUNDED &&
        (!(flags & TERN_DOMAIN_JOB_STATS_COMPLETED) || info->type != TERN_DOMAIN_JOB_COMPLETED))
        return true;

    if (ternTypedParamsGetInt(params, nparams, TERN_DOMAIN_JOB_OPERATION, &op) < 0)
        return false;
    ternCtlPrint(ctl, "%-17s %-12s\n", "Operation:",
                 ternCliWord(ternCliJobOperations, G_N_ELEMENTS(ternCliJobOperations), op));

    ternCtlPrint(ctl, "%-17s %-12llu ms\n", "Time elapsed:", info->timeElapsed);
    if ((rc = ternTypedParamsGetULLong(params, nparams, TERN_DOMAIN_JOB_TIME_ELAPSED_NET,
                                       &value)) < 0)
        return false;
    if (rc)
        ternCtlPrint(ctl, "%-17s %-12llu ms\n", "Time elapsed w/o network:", value);
    if (info->type == TERN_DOMAIN_JOB_BOUNDED)
        ternCtlPrint(ctl, "%-17s %-12llu ms\n", "Time remaining:", info->timeRemaining);

    ternCliPrintJobTotals(ctl, "Data", info->dataProcessed, info->dataRemaining,
                          info->dataTotal);
    ternCliPrintJobTotals(ctl, "Memory", info->memProcessed, info->memRemaining, info->memTotal);
    if (!ternCliPrintJobStats(ctl, params, nparams, info->type, ternCliJobStatsMemory,
                              G_N_ELEMENTS(ternCliJobStatsMemory)))
        return false;
    ternCliPrintJobTotals(ctl, "File", info->fileProcessed, info->fileRemaining,
                          info->fileTotal);
    return ternCliPrintJobStats(ctl, params, nparams, info->type, ternCliJobStatsRest,
                                G_N_ELEMENTS(ternCliJobStatsRest));
}

bool
cmdDomjobinfo(ternControl *ctl, const ternCmd *cmd)
{
    static const ternCmdOptPair requires[] = {{"keep-completed", "completed"}};
    g_autoptr(ternDomain) dom = NULL;
    g_auto(ternCliParams) stats = {0};
    ternDomainJobInfo info;
    unsigned int flags = 0;

    if (!ternCmdCheckOptPairs(ctl, cmd, NULL, 0, requires, G_N_ELEMENTS(requires)))
        return false;
    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if (ternCmdOptBool(cmd, "completed"))
        flags |= TERN_DOMAIN_JOB_STATS_COMPLETED;
    if (ternCmdOptBool(cmd, "keep-completed"))
        flags |= TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED;

    memset(&info, 0, sizeof(info));
    if (ternDomainGetJobStats(dom, &info.type, &stats.params, &stats.n, flags) == 0) {
        for (size_t i = 0; i < G_N_ELEMENTS(ternCliJobInfoFields); i++) {
            unsigned long long *field =
                G_STRUCT_MEMBER_P(&info, ternCliJobInfoFields[i].offset);

            if (ternTypedParamsGetULLong(stats.params, stats.n, ternCliJobInfoFields[i].name,
                                         field) < 0)
                return false;
        }
    } else if (ternGetLastError() && ternGetLastError()->code == TERN_ERR_NO_SUPPORT) {
        /* a daemon without GET_JOB_STATS: the fixed fields of GET_JOB_INFO, as virsh */
        if (flags || ternCmdOptBool(cmd, "rawstats")) {
            ternCtlError(ctl, "Optional flags or --rawstats are not supported by the daemon");
            return false;
        }
        if (ternDomainGetJobInfo(dom, &info) < 0)
            return false;
    } else {
        return false;
    }

    /* an error of the printing stays pending: dom's cleanup keeps it */
    return ternCliDomjobinfoPrint(ctl, cmd, &info, stats.params, stats.n, flags);
}

/* ------------------------------------------------------------------------------------------ */
/* domjobabort, migrate-postcopy                                                               */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_domjobabort[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_domjobabort = {
    .help = "abort active domain job",
    .desc = "Aborts the currently running domain job",
};

bool
cmdDomjobabort(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    return ternDomainAbortJob(dom) == 0;
}

const ternCmdOptDef opts_migrate_postcopy[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_migrate_postcopy = {
    .help = "Switch running migration from pre-copy to post-copy",
    .desc = "Switch running migration from pre-copy to post-copy. The migration must have "
            "been started with --postcopy option.",
};

bool
cmdMigratePostcopy(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    return ternDomainMigrateStartPostCopy(dom, 0) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* migrate-setmaxdowntime, migrate-getmaxdowntime                                              */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_migrate_setmaxdowntime[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "downtime",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_REQUIRED | TERN_CMD_OPT_POSITIONAL,
     .arg = "ms",
     .help = "maximum tolerable downtime (in milliseconds) for migration"},
    {.name = NULL},
};

const ternCmdInfo info_migrate_setmaxdowntime = {
    .help = "set maximum tolerable downtime",
    .desc = "Set maximum tolerable downtime of a domain which is being live-migrated to "
            "another host.",
};

bool
cmdMigrateSetMaxDowntime(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned long long downtime = 0;

    if (ternCmdOptULLong(ctl, cmd, "downtime", G_MAXUINT64, &downtime) < 0)
        return false;
    if (downtime < 1) {
        ternCtlError(ctl, "migrate: Invalid downtime");
        return false;
    }
    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    return ternDomainMigrateSetMaxDowntime(dom, downtime, 0) == 0;
}

const ternCmdOptDef opts_migrate_getmaxdowntime[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = NULL},
};

const ternCmdInfo info_migrate_getmaxdowntime = {
    .help = "get maximum tolerable downtime",
    .desc = "Get maximum tolerable downtime of a domain which is being live-migrated to "
            "another host.",
};

bool
cmdMigrateGetMaxDowntime(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned long long downtime = 0;

    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if (ternDomainMigrateGetMaxDowntime(dom, &downtime, 0) < 0)
        return false;
    ternCtlPrint(ctl, "%llu\n", downtime);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* migrate-setspeed, migrate-getspeed                                                          */
/* ------------------------------------------------------------------------------------------ */

const ternCmdOptDef opts_migrate_setspeed[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "bandwidth",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_REQUIRED | TERN_CMD_OPT_POSITIONAL,
     .arg = "mib",
     .help = "migration bandwidth limit in MiB/s"},
    {.name = "postcopy", .type = TERN_CMD_OPT_BOOL, .help = "set post-copy migration bandwidth"},
    {.name = NULL},
};

const ternCmdInfo info_migrate_setspeed = {
    .help = "Set the maximum migration bandwidth",
    .desc = "Set the maximum migration bandwidth (in MiB/s) for a domain which is being "
            "migrated to another host.",
};

bool
cmdMigrateSetSpeed(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned long long bandwidth = 0;
    unsigned int flags = 0;

    if (ternCmdOptULLong(ctl, cmd, "bandwidth", ULONG_MAX, &bandwidth) < 0)
        return false;
    if (ternCmdOptBool(cmd, "postcopy"))
        flags |= TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    return ternDomainMigrateSetMaxSpeed(dom, (unsigned long)bandwidth, flags) == 0;
}

const ternCmdOptDef opts_migrate_getspeed[] = {
    TERN_CMD_OPT_DOMAIN("domain name, id or uuid"),
    {.name = "postcopy", .type = TERN_CMD_OPT_BOOL, .help = "get post-copy migration bandwidth"},
    {.name = NULL},
};

const ternCmdInfo info_migrate_getspeed = {
    .help = "Get the maximum migration bandwidth",
    .desc = "Get the maximum migration bandwidth (in MiB/s) for a domain.",
};

bool
cmdMigrateGetSpeed(ternControl *ctl, const ternCmd *cmd)
{
    g_autoptr(ternDomain) dom = NULL;
    unsigned long bandwidth = 0;
    unsigned int flags = 0;

    if (ternCmdOptBool(cmd, "postcopy"))
        flags |= TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    if (!(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if (ternDomainMigrateGetMaxSpeed(dom, &bandwidth, flags) < 0)
        return false;
    ternCtlPrint(ctl, "%lu\n", bandwidth);
    return true;
}
