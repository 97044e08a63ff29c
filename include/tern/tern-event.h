/* tern-event.h: domain event callbacks */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <tern/tern-domain.h>
#include <tern/tern-typedparams.h>

typedef enum {
    TERN_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
    TERN_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
    TERN_DOMAIN_EVENT_ID_LAST = 27,
} ternDomainEventID;

typedef enum {
    TERN_DOMAIN_EVENT_DEFINED = 0,
    TERN_DOMAIN_EVENT_UNDEFINED = 1,
    TERN_DOMAIN_EVENT_STARTED = 2,
    TERN_DOMAIN_EVENT_SUSPENDED = 3,
    TERN_DOMAIN_EVENT_RESUMED = 4,
    TERN_DOMAIN_EVENT_STOPPED = 5,
    TERN_DOMAIN_EVENT_SHUTDOWN = 6,
    TERN_DOMAIN_EVENT_PMSUSPENDED = 7,
    TERN_DOMAIN_EVENT_CRASHED = 8,
    TERN_DOMAIN_EVENT_LAST
} ternDomainEventType;

/* details, per event type; values equal libvirt's */
enum { TERN_DOMAIN_EVENT_DEFINED_ADDED = 0, TERN_DOMAIN_EVENT_DEFINED_UPDATED = 1 };
enum { TERN_DOMAIN_EVENT_UNDEFINED_REMOVED = 0 };
enum { TERN_DOMAIN_EVENT_STARTED_BOOTED = 0, TERN_DOMAIN_EVENT_STARTED_MIGRATED = 1 };
enum {
    TERN_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    TERN_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
};
enum {
    TERN_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    TERN_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
};
enum {
    TERN_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    TERN_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    TERN_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    TERN_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    TERN_DOMAIN_EVENT_STOPPED_SAVED = 4,
    TERN_DOMAIN_EVENT_STOPPED_FAILED = 5,
};
enum {
    TERN_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    TERN_DOMAIN_EVENT_SHUTDOWN_GUEST = 1,
    TERN_DOMAIN_EVENT_SHUTDOWN_HOST = 2,
};

typedef void (*ternConnectDomainEventGenericCallback)(ternConnect *conn, ternDomain *dom,
                                                      void *opaque);
typedef void (*ternConnectDomainEventCallback)(ternConnect *conn, ternDomain *dom, int event,
                                               int detail, void *opaque);
/* TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION: the source started pass @iteration over memory */
typedef void (*ternConnectDomainEventMigrationIterationCallback)(ternConnect *conn,
                                                                 ternDomain *dom, int iteration,
                                                                 void *opaque);
/* TERN_DOMAIN_EVENT_ID_JOB_COMPLETED: a job ended; @params are its TERN_DOMAIN_JOB_* statistics
 * (borrowed for the call) */
typedef void (*ternConnectDomainEventJobCompletedCallback)(ternConnect *conn, ternDomain *dom,
                                                           ternTypedParameter *params,
                                                           int nparams, void *opaque);
typedef void (*ternFreeCallback)(void *opaque);

#define TERN_DOMAIN_EVENT_CALLBACK(cb) ((ternConnectDomainEventGenericCallback)(void (*)(void))(cb))

/**
 * ternConnectDomainEventRegisterAny: call @cb for every event @eventID of
 * @dom (NULL = every domain). Callbacks run on a thread of the library's
 * own (one per connection), never concurrently for one connection; @cb must
 * not block for long. The callback's real type follows @eventID
 * (LIFECYCLE: ternConnectDomainEventCallback). Returns a callback id >= 0,
 * or -1 on error (an unknown @eventID gives TERN_ERR_INVALID_ARG).
 * Since: 0.1 (virConnectDomainEventRegisterAny)
 */
int ternConnectDomainEventRegisterAny(ternConnect *conn, ternDomain *dom, int eventID,
                                      ternConnectDomainEventGenericCallback cb, void *opaque,
                                      ternFreeCallback freecb);

/**
 * ternConnectDomainEventDeregisterAny: remove the callback @callbackID. On
 * return the callback is no longer running and will not run again.
 * Since: 0.1 (virConnectDomainEventDeregisterAny)
 */
int ternConnectDomainEventDeregisterAny(ternConnect *conn, int callbackID);
