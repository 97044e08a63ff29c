/* datatypes.h: the library's handle objects: ternConnect and ternDomain */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "tern/tern.h"

typedef struct _ternHypervisorDriver ternHypervisorDriver;

/*
 * A connection: a reference-counted handle on one driver instance. Domain
 * handles hold a reference on their connection. privateData belongs to the
 * driver (set in connectOpen, released in connectClose).
 */
struct _ternConnect {
    gint refs;
    unsigned int flags; /* TERN_CONNECT_RO */
    char *uri;          /* as given to ternConnectOpen, canonical */
    const ternHypervisorDriver *driver;
    void *privateData;
    /* atomic: set (in ternd) once the client behind this connection is gone,
     * while calls it made may still run; a long call (a migration) stops */
    gint clientGone;
};

/*
 * A domain handle: name, uuid and the running id (-1 when not running) as
 * last seen; a snapshot, not the live object (that is ternDomainObj in the
 * daemon's drivers).
 */
struct _ternDomain {
    gint refs;
    ternConnect *conn; /* one reference */
    char *name;
    unsigned char uuid[TERN_UUID_BUFLEN];
    int id;
};

/** ternConnectNew: a connection with one reference and no driver yet. */
ternConnect *ternConnectNew(const char *uri, unsigned int flags);
/**
 * ternConnectTryRef: one more reference on @conn unless its last one is
 * already gone (it is being closed): for threads that only borrow it.
 */
bool ternConnectTryRef(ternConnect *conn);
/** ternConnectUnrefInternal: drop one reference; closes the driver on the last. Returns NULL. */
ternConnect *ternConnectUnrefInternal(ternConnect *conn);

/**
 * ternDomainNew: a new handle (one reference) on @conn for the domain
 * @name/@uuid/@id. Never fails.
 */
ternDomain *ternDomainNew(ternConnect *conn, const char *name, const unsigned char *uuid, int id);
/** ternDomainUnrefInternal: drop one reference. Returns NULL. */
ternDomain *ternDomainUnrefInternal(ternDomain *dom);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternDomain, ternDomainUnrefInternal)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternConnect, ternConnectUnrefInternal)
