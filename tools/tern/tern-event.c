/* tern-event.c: the tern CLI's event command: wait for domain events, print them as virsh does */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib-unix.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "tern-commands.h"

/*
 * libtern delivers events on a thread of its own (tern-event.h). The main
 * thread runs a GMainLoop that only waits: for the end of --timeout, for
 * SIGINT or SIGTERM, or for a callback to say that the one event it waited
 * for has come. Callbacks print under a lock and end the loop through an
 * idle source, never by touching the loop's state from their thread.
 */

typedef enum {
    TERN_CLI_EVENT_WAITING = 0,
    TERN_CLI_EVENT_DONE,      /* the one event came (no --loop) */
    TERN_CLI_EVENT_TIMEOUT,   /* --timeout elapsed */
    TERN_CLI_EVENT_INTERRUPT, /* SIGINT or SIGTERM */
} ternCliEventEnd;

typedef struct {
    GMutex lock;
    GMainLoop *loop;
    GSource *quit; /* the idle source a callback adds to end the loop; under lock */
    bool loopMode;
    bool timestamp;
    int count;
    ternCliEventEnd end;
} ternCliEventState;

/* --- the words virsh prints (virsh-domain-event.c) --- */

static const char *const ternCliEventDefined[] = {"Added", "Updated", "Renamed", "Snapshot"};
static const char *const ternCliEventUndefined[] = {"Removed", "Renamed"};
static const char *const ternCliEventStarted[] = {"Booted", "Migrated", "Restored", "Snapshot",
                                                  "Event wakeup"};
static const char *const ternCliEventSuspended[] = {
    "Paused",   "Migrated",  "I/O Error", "Watchdog",        "Restored",
    "Snapshot", "API error", "Post-copy", "Post-copy Error",
};
static const char *const ternCliEventResumed[] = {"Unpaused", "Migrated", "Snapshot", "Post-copy",
                                                  "Post-copy Error"};
static const char *const ternCliEventStopped[] = {"Shutdown", "Destroyed", "Crashed", "Migrated",
                                                  "Saved",    "Failed",    "Snapshot"};
static const char *const ternCliEventShutdown[] = {"Finished", "Finished after guest request",
                                                   "Finished after host request"};
static const char *const ternCliEventPMSuspended[] = {"Memory", "Disk"};
static const char *const ternCliEventCrashed[] = {"Panicked", "Crashloaded"};

typedef struct {
    const char *name;
    const char *const *details;
    size_t ndetails;
} ternCliLifecycleNames;

/* clang-format off */
#define TERN_CLI_LIFECYCLE(name, details) {name, details, G_N_ELEMENTS(details)}
/* clang-format on */

static const ternCliLifecycleNames ternCliLifecycle[] = {
    [TERN_DOMAIN_EVENT_DEFINED] = TERN_CLI_LIFECYCLE("Defined", ternCliEventDefined),
    [TERN_DOMAIN_EVENT_UNDEFINED] = TERN_CLI_LIFECYCLE("Undefined", ternCliEventUndefined),
    [TERN_DOMAIN_EVENT_STARTED] = TERN_CLI_LIFECYCLE("Started", ternCliEventStarted),
    [TERN_DOMAIN_EVENT_SUSPENDED] = TERN_CLI_LIFECYCLE("Suspended", ternCliEventSuspended),
    [TERN_DOMAIN_EVENT_RESUMED] = TERN_CLI_LIFECYCLE("Resumed", ternCliEventResumed),
    [TERN_DOMAIN_EVENT_STOPPED] = TERN_CLI_LIFECYCLE("Stopped", ternCliEventStopped),
    [TERN_DOMAIN_EVENT_SHUTDOWN] = TERN_CLI_LIFECYCLE("Shutdown", ternCliEventShutdown),
    [TERN_DOMAIN_EVENT_PMSUSPENDED] = TERN_CLI_LIFECYCLE("PMSuspended", ternCliEventPMSuspended),
    [TERN_DOMAIN_EVENT_CRASHED] = TERN_CLI_LIFECYCLE("Crashed", ternCliEventCrashed),
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternCliLifecycle) == TERN_DOMAIN_EVENT_LAST);

/* --- ending the wait --- */

/* Record why the wait ends (the first reason wins); any thread. Call with st->lock held. */
static void
ternCliEventFinishLocked(ternCliEventState *st, ternCliEventEnd why)
{
    if (st->end != TERN_CLI_EVENT_WAITING)
        return;
    st->end = why;
    st->quit =
        ternCliSourceAttach(g_idle_source_new(), "tern-event-quit", ternCliLoopQuit, st->loop);
}

static gboolean
ternCliEventTimeout(gpointer opaque)
{
    ternCliEventState *st = opaque;

    g_mutex_lock(&st->lock);
    ternCliEventFinishLocked(st, TERN_CLI_EVENT_TIMEOUT);
    g_mutex_unlock(&st->lock);
    return G_SOURCE_REMOVE;
}

static gboolean
ternCliEventSignal(gpointer opaque)
{
    ternCliEventState *st = opaque;

    g_mutex_lock(&st->lock);
    ternCliEventFinishLocked(st, TERN_CLI_EVENT_INTERRUPT);
    g_mutex_unlock(&st->lock);
    return G_SOURCE_REMOVE;
}

/* --- printing, on libtern's event thread --- */

static void ternCliEventPrintf(ternCliEventState *st, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ternCliEventPrintf(ternCliEventState *st, const char *fmt, ...)
{
    va_list ap;

    g_mutex_lock(&st->lock);
    /* without --loop only the first event counts, even if more were already on their way */
    if (!st->loopMode && st->count > 0) {
        g_mutex_unlock(&st->lock);
        return;
    }
    if (st->timestamp) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *when = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");

        printf("%s.%03d+0000: ", when, g_date_time_get_microsecond(now) / 1000);
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    st->count++;
    if (!st->loopMode)
        ternCliEventFinishLocked(st, TERN_CLI_EVENT_DONE);
    g_mutex_unlock(&st->lock);
}

static void
ternCliEventLifecyclePrint(ternConnect *conn, ternDomain *dom, int event, int detail, void *opaque)
{
    const char *eventStr = "unknown";
    const char *detailStr = "unknown";

    if (event >= 0 && event < TERN_DOMAIN_EVENT_LAST) {
        eventStr = ternCliLifecycle[event].name;
        if (detail >= 0 && (size_t)detail < ternCliLifecycle[event].ndetails)
            detailStr = ternCliLifecycle[event].details[detail];
    }
    ternCliEventPrintf(opaque, "event 'lifecycle' for domain '%s': %s %s\n", ternDomainGetName(dom),
                       eventStr, detailStr);
}

/* a ternConnectDomainEventMigrationIterationCallback */
static void
ternCliEventMigrationIterationPrint(ternConnect *conn, ternDomain *dom, int iteration, void *opaque)
{
    ternCliEventPrintf(opaque, "event 'migration-iteration' for domain '%s': iteration: '%d'\n",
                       ternDomainGetName(dom), iteration);
}

/* a ternConnectDomainEventJobCompletedCallback: virsh's format, one "name: value" per line */
static void
ternCliEventJobCompletedPrint(ternConnect *conn, ternDomain *dom, ternTypedParameter *params,
                              int nparams, void *opaque)
{
    g_autoptr(GString) text = g_string_new(NULL);

    g_string_append_printf(text, "event 'job-completed' for domain '%s':\n",
                           ternDomainGetName(dom));
    for (int i = 0; i < nparams; i++) {
        g_autofree char *value = ternCliTypedParamToString(&params[i]);

        g_string_append_printf(text, "\t%s: %s\n", params[i].field, value);
    }
    ternCliEventPrintf(opaque, "%s", text->str);
}

/* The events tern can print; names as virsh's `event --list` gives them. */
typedef struct {
    const char *name;
    int eventID;
    ternConnectDomainEventGenericCallback cb;
} ternCliEventDef;

static const ternCliEventDef ternCliEvents[] = {
    {.name = "lifecycle",
     .eventID = TERN_DOMAIN_EVENT_ID_LIFECYCLE,
     .cb = TERN_DOMAIN_EVENT_CALLBACK(ternCliEventLifecyclePrint)},
    {.name = "migration-iteration",
     .eventID = TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
     .cb = TERN_DOMAIN_EVENT_CALLBACK(ternCliEventMigrationIterationPrint)},
    {.name = "job-completed",
     .eventID = TERN_DOMAIN_EVENT_ID_JOB_COMPLETED,
     .cb = TERN_DOMAIN_EVENT_CALLBACK(ternCliEventJobCompletedPrint)},
};

/* --- event --- */

const ternCmdOptDef opts_event[] = {
    {.name = "domain",
     .type = TERN_CMD_OPT_STRING,
     .flags = TERN_CMD_OPT_POSITIONAL,
     .arg = "domain",
     .help = "filter by domain name, id or uuid"},
    {.name = "event",
     .type = TERN_CMD_OPT_STRING,
     .arg = "type",
     .help = "which event type to wait for"},
    {.name = "all",
     .type = TERN_CMD_OPT_BOOL,
     .help = "wait for all events instead of just one type"},
    {.name = "loop",
     .type = TERN_CMD_OPT_BOOL,
     .help = "loop until timeout or interrupt, rather than one-shot"},
    {.name = "timeout", .type = TERN_CMD_OPT_INT, .arg = "seconds", .help = "timeout seconds"},
    {.name = "list", .type = TERN_CMD_OPT_BOOL, .help = "list valid event types"},
    {.name = "timestamp",
     .type = TERN_CMD_OPT_BOOL,
     .help = "show timestamp for each printed event"},
    {.name = NULL},
};

const ternCmdInfo info_event = {
    .help = "Domain Events",
    .desc = "List event types, or wait for domain events to occur. Without --loop the first "
            "event ends the wait; --timeout or Ctrl-C end it too. Succeeds if any event came.",
};

static const ternCmdOptPair ternCliEventExclusive[] = {
    {"all", "event"},
    {"list", "all"},
    {"list", "event"},
};

bool
cmdEvent(ternControl *ctl, const ternCmd *cmd)
{
    const char *eventName = ternCmdOptString(cmd, "event");
    bool all = ternCmdOptBool(cmd, "all");
    g_autoptr(ternDomain) dom = NULL;
    ternCliEventState st = {0};
    int ids[G_N_ELEMENTS(ternCliEvents)];
    const ternCliEventDef *selected[G_N_ELEMENTS(ternCliEvents)];
    GSource *timeoutSrc = NULL;
    GSource *sigintSrc = NULL;
    GSource *sigtermSrc = NULL;
    size_t nselected = 0;
    ternConnect *conn;
    int timeout = 0;
    bool ret = false;

    if (!ternCmdCheckOptPairs(ctl, cmd, ternCliEventExclusive, G_N_ELEMENTS(ternCliEventExclusive),
                              NULL, 0))
        return false;

    if (ternCmdOptBool(cmd, "list")) {
        for (size_t i = 0; i < G_N_ELEMENTS(ternCliEvents); i++)
            ternCtlPrint(ctl, "%s\n", ternCliEvents[i].name);
        return true;
    }
    if (!eventName && !all) {
        ternCtlError(ctl, "one of --list, --all, or --event <type> is required");
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ternCliEvents); i++) {
        if (!eventName || g_str_equal(eventName, ternCliEvents[i].name))
            selected[nselected++] = &ternCliEvents[i];
    }
    if (nselected == 0) {
        ternCtlError(ctl, "unknown event type %s", eventName);
        return false;
    }

    /* seconds, kept small enough to count in milliseconds, as virsh does */
    if (ternCmdOptInt(ctl, cmd, "timeout", 1, &timeout) < 0)
        return false;
    if (timeout > INT_MAX / 1000) {
        ternCtlError(ctl, "Numeric value '%s' for <timeout> option is malformed or out of range",
                     ternCmdOptString(cmd, "timeout"));
        return false;
    }

    if (ternCmdOptString(cmd, "domain") &&
        !(dom = ternCmdLookupDomain(ctl, cmd, "domain", TERN_LOOKUP_ALL, NULL)))
        return false;
    if (!(conn = ternCtlConnect(ctl)))
        return false;

    for (size_t i = 0; i < nselected; i++)
        ids[i] = -1;
    g_mutex_init(&st.lock);
    st.loop = g_main_loop_new(NULL, FALSE);
    st.loopMode = ternCmdOptBool(cmd, "loop");
    st.timestamp = ternCmdOptBool(cmd, "timestamp");

    if (timeout > 0)
        timeoutSrc = ternCliSourceAttach(g_timeout_source_new((guint)timeout * 1000),
                                         "tern-event-timeout", ternCliEventTimeout, &st);
    sigintSrc = ternCliSourceAttach(g_unix_signal_source_new(SIGINT), "tern-event-sigint",
                                    ternCliEventSignal, &st);
    sigtermSrc = ternCliSourceAttach(g_unix_signal_source_new(SIGTERM), "tern-event-sigterm",
                                     ternCliEventSignal, &st);

    for (size_t i = 0; i < nselected; i++) {
        ids[i] = ternConnectDomainEventRegisterAny(conn, dom, selected[i]->eventID, selected[i]->cb,
                                                   &st, NULL);
        if (ids[i] >= 0)
            continue;
        /* as virsh: only the first must work; a daemon may not know the later ones */
        if (i == 0) {
            ternCtlSaveError();
            goto deregister;
        }
        ternResetLastError();
    }

    g_main_loop_run(st.loop);

    switch (st.end) {
    case TERN_CLI_EVENT_INTERRUPT:
        ternCtlPrint(ctl, "event loop interrupted\n");
        break;
    case TERN_CLI_EVENT_TIMEOUT:
        ternCtlPrint(ctl, "event loop timed out\n");
        break;
    case TERN_CLI_EVENT_DONE:
    case TERN_CLI_EVENT_WAITING:
        break;
    }
    g_mutex_lock(&st.lock);
    ternCtlPrint(ctl, "events received: %d\n", st.count);
    ret = st.count > 0;
    g_mutex_unlock(&st.lock);

deregister:
    /* deregistered first: after this no callback runs, so nothing touches st any more */
    for (size_t i = 0; i < nselected; i++) {
        if (ids[i] >= 0 && ternConnectDomainEventDeregisterAny(conn, ids[i]) < 0) {
            ternCtlSaveError();
            ret = false;
        }
    }
    {
        GSource *sources[] = {timeoutSrc, sigintSrc, sigtermSrc, st.quit};

        ternCliSourcesDestroy(sources, G_N_ELEMENTS(sources));
    }
    g_main_loop_unref(st.loop);
    g_mutex_clear(&st.lock);
    fflush(stdout);
    return ret;
}
