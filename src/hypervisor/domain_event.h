/* domain_event.h: domain events and their delivery to registered callbacks on a named thread */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A driver builds a ternDomainEvent when something happens to a domain and
 * queues it on its ternObjectEventState. The state's own thread delivers
 * each event, in queue order, to every callback registered for its event
 * ID (and domain, when the callback asked for one), on the callback's own
 * connection, with the callback signature of that event ID.
 *
 * Connections and callbacks: a callback does NOT hold a reference on its
 * connection (that would be a cycle: the connection closes only when its
 * last reference goes). Instead, a driver's connectClose must call
 * ternObjectEventStateDeregisterConn() before the connection is freed.
 * While a callback runs, the dispatch thread holds a reference on its
 * connection, dropped before a deregistration waiting for that callback
 * returns; a connection whose references already dropped to zero (being
 * closed) gets no more events.
 *
 * Errors are reported in TERN_FROM_EVENT.
 */

#include <glib.h>
#include <stdbool.h>

#include "hypervisor/datatypes.h"
#include "tern/tern.h"

/* --- events --- */

typedef struct _ternDomainEvent ternDomainEvent;

/**
 * ternDomainEventLifecycleNew: a TERN_DOMAIN_EVENT_ID_LIFECYCLE event
 * (@event: ternDomainEventType, @detail: its TERN_DOMAIN_EVENT_<TYPE>_*
 * value) for the domain @name/@uuid whose running id is @id (-1 when not
 * running). Copies its arguments. Never fails.
 */
ternDomainEvent *ternDomainEventLifecycleNew(const char *name, const unsigned char *uuid, int id,
                                             int event, int detail);

/**
 * ternDomainEventMigrationIterationNew: a
 * TERN_DOMAIN_EVENT_ID_MIGRATION_ITERATION event: pass @iteration (>= 1)
 * over the memory of an outgoing migration has begun. Never fails.
 */
ternDomainEvent *ternDomainEventMigrationIterationNew(const char *name, const unsigned char *uuid,
                                                      int id, int iteration);

/**
 * ternDomainEventJobCompletedNew: a TERN_DOMAIN_EVENT_ID_JOB_COMPLETED
 * event: a job ended with the statistics @params (TERN_DOMAIN_JOB_*;
 * stolen: freed with the event). Never fails.
 */
ternDomainEvent *ternDomainEventJobCompletedNew(const char *name, const unsigned char *uuid,
                                                int id, ternTypedParameter *params, int nparams);

/** ternDomainEventFree: free @ev. Accepts NULL. */
void ternDomainEventFree(ternDomainEvent *ev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomainEvent, ternDomainEventFree)

/* Accessors, for the RPC layer that encodes events; strings are borrowed from @ev. */

/** ternDomainEventGetEventID: the ternDomainEventID of @ev. */
int ternDomainEventGetEventID(const ternDomainEvent *ev);
/** ternDomainEventGetDomainName: the domain's name. */
const char *ternDomainEventGetDomainName(const ternDomainEvent *ev);
/** ternDomainEventGetDomainUUID: the domain's 16 raw uuid bytes. */
const unsigned char *ternDomainEventGetDomainUUID(const ternDomainEvent *ev);
/** ternDomainEventGetDomainID: the domain's running id when the event happened, or -1. */
int ternDomainEventGetDomainID(const ternDomainEvent *ev);

/**
 * ternDomainEventGetLifecycle: the payload of a LIFECYCLE event into
 * @event and @detail. Returns false (leaving them alone) for other events.
 */
bool ternDomainEventGetLifecycle(const ternDomainEvent *ev, int *event, int *detail);

/**
 * ternDomainEventGetMigrationIteration: the payload of a
 * MIGRATION_ITERATION event into @iteration; false for other events.
 */
bool ternDomainEventGetMigrationIteration(const ternDomainEvent *ev, int *iteration);

/**
 * ternDomainEventGetJobCompleted: the statistics of a JOB_COMPLETED event
 * (borrowed from @ev); false for other events.
 */
bool ternDomainEventGetJobCompleted(const ternDomainEvent *ev, const ternTypedParameter **params,
                                    int *nparams);

/* --- registration and delivery --- */

typedef struct _ternObjectEventState ternObjectEventState;

/**
 * ternObjectEventStateNew: a state with no callbacks and its dispatch
 * thread, named @name (at most 15 characters show in a debugger). Never
 * fails (GLib aborts if no thread can be made).
 */
ternObjectEventState *ternObjectEventStateNew(const char *name);

/**
 * ternObjectEventStateFree: stop the dispatch thread (waiting for a
 * running callback to return), drop undelivered events and free the
 * remaining callbacks, calling their freecb. Accepts NULL. Must not be
 * called from a callback. Blocks until the thread ends.
 */
void ternObjectEventStateFree(ternObjectEventState *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternObjectEventState, ternObjectEventStateFree)

/**
 * ternObjectEventStateRegister: call @cb for each event of @eventID (a
 * ternDomainEventID) about the domain @uuidFilter (NULL: every domain),
 * with @conn and @opaque. @cb's real type follows @eventID (LIFECYCLE:
 * ternConnectDomainEventCallback; MIGRATION_ITERATION:
 * ternConnectDomainEventMigrationIterationCallback); IDs tern never emits
 * may still be registered (they never fire). @freecb (may be NULL) is
 * called on @opaque once the callback is gone for good. The callback sees
 * the events queued after it was registered, not those still in the queue.
 *
 * Returns a callback ID >= 0, unique within @state (IDs are never reused),
 * or -1 with @error set: TERN_ERR_INVALID_ARG "unsupported event ID N"
 * outside 0..TERN_DOMAIN_EVENT_ID_LAST-1. @freecb is not called on failure.
 * Does not block for long.
 */
int ternObjectEventStateRegister(ternObjectEventState *state, ternConnect *conn,
                                 const unsigned char *uuidFilter, int eventID,
                                 ternConnectDomainEventGenericCallback cb, void *opaque,
                                 ternFreeCallback freecb, GError **error);

/**
 * ternObjectEventStateDeregister: remove callback @callbackID of @conn.
 * Fails with TERN_ERR_INVALID_ARG "could not find event callback N" if
 * there is no such callback on @conn. On success the callback is not
 * running and will never run again, and its freecb has been called -
 * except when called from within that very callback: then it returns at
 * once, and freecb runs when the callback returns. May block while the
 * callback runs on the dispatch thread.
 */
bool ternObjectEventStateDeregister(ternObjectEventState *state, ternConnect *conn, int callbackID,
                                    GError **error);

/**
 * ternObjectEventStateDeregisterConn: remove every callback of @conn, with
 * the same guarantees as ternObjectEventStateDeregister. A driver's
 * connectClose calls this. May block while one of them runs.
 */
void ternObjectEventStateDeregisterConn(ternObjectEventState *state, ternConnect *conn);

/**
 * ternObjectEventStateQueue: deliver @ev (stolen) asynchronously, after the
 * events queued before it. Queue the events of one domain while holding
 * that domain's lock so their order is the order of the changes. Does not
 * block for long; never calls a callback itself.
 */
void ternObjectEventStateQueue(ternObjectEventState *state, ternDomainEvent *ev);
