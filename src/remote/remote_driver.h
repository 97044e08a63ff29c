/* remote_driver.h: the client-side hypervisor driver: libtern's calls as libvirt RPC to a daemon */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/driver.h"

/*
 * The "remote" driver talks the libvirt REMOTE program (0x20008086 v1) to
 * a ternd, or to any libvirt daemon, over a UNIX socket or plain TCP. It
 * accepts every URI remoteURIInfoNew() reads as UNIX or TCP, declines the
 * in-process ones ("test:///default") and refuses TLS for now.
 *
 * Threads: every method may be called from many threads at once on one
 * connection; each is one blocking RPC (the RPC client matches replies by
 * serial). Events are decoded on the RPC client's I/O thread and delivered
 * on one dispatch thread per connection ("remote-events"), started by the
 * first event registration.
 */

/* Directory of the daemon's default sockets; $TERN_SOCKET_DIR overrides it (tests). */
#define REMOTE_DRIVER_SOCKET_DIR_ENV "TERN_SOCKET_DIR"

/* Keepalive turned on at open when the daemon supports it: libvirtd's defaults. */
#define REMOTE_DRIVER_KEEPALIVE_INTERVAL 5
#define REMOTE_DRIVER_KEEPALIVE_COUNT 5

/* Undelivered events kept per connection; above this the oldest are dropped with a warning. */
#define REMOTE_DRIVER_EVENT_QUEUE_MAX 10000

/**
 * remoteRegister: add the remote driver to the drivers
 * ternConnectOpenInternal() tries. Register it after the in-process
 * drivers: it declines their URIs, but claims every daemon URI. Idempotent.
 */
void remoteRegister(void);

/** remoteDriverGet: the remote driver's table (ternd's peer driver, ternDriverSetPeer). */
const ternHypervisorDriver *remoteDriverGet(void);

#ifdef TERN_REMOTE_DRIVER_PRIV_ALLOW
/*
 * For tests only.
 *
 * remoteConnectGetKeepAlive: the keepalive settings the driver last gave
 * the RPC client of @conn (a connection opened by this driver): interval
 * 0 means keepalive is off. Never blocks, never fails.
 */
void remoteConnectGetKeepAlive(ternConnect *conn, int *interval, unsigned int *count);

/*
 * remoteConnectGetEventsDropped: how many events of @conn were dropped
 * because more than REMOTE_DRIVER_EVENT_QUEUE_MAX waited for delivery.
 */
unsigned int remoteConnectGetEventsDropped(ternConnect *conn);
#endif
