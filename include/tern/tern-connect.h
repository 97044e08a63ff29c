/* tern-connect.h: opening connections to a hypervisor, locally or through ternd */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct _ternConnect ternConnect;

/*
 * Connection URIs are libvirt's:
 *   test:///default                       in-process test hypervisor
 *   qemu:///system                        ternd on the default UNIX socket
 *   qemu+unix:///system?socket=PATH       ternd on the UNIX socket PATH
 *   qemu+tcp://HOST[:PORT]/system         ternd over TCP (default port 16509)
 *   test+unix:///default?socket=PATH      a ternd's test hypervisor
 */

typedef enum {
    TERN_CONNECT_RO = (1 << 0), /* read-only connection */
} ternConnectFlags;

/**
 * ternConnectOpen: open a connection to the hypervisor named by @name.
 * Returns a new connection (free with ternConnectClose) or NULL on error.
 * May block while connecting to a daemon.
 * Since: 0.1 (virConnectOpen)
 */
ternConnect *ternConnectOpen(const char *name);

/**
 * ternConnectOpenReadOnly: as ternConnectOpen, but only for queries.
 * Since: 0.1 (virConnectOpenReadOnly)
 */
ternConnect *ternConnectOpenReadOnly(const char *name);

/**
 * ternConnectClose: drop the caller's reference; the connection closes
 * when the last reference (domains hold one each) is gone. Returns the
 * number of references left, or -1 on error.
 * Since: 0.1 (virConnectClose)
 */
int ternConnectClose(ternConnect *conn);

/**
 * ternConnectRef: take one more reference on @conn. Returns 0, -1 on error.
 * Since: 0.1 (virConnectRef)
 */
int ternConnectRef(ternConnect *conn);

/**
 * ternConnectGetType: the hypervisor's name ("QEMU", "Test"). The string
 * belongs to the connection. NULL on error.
 * Since: 0.1 (virConnectGetType)
 */
const char *ternConnectGetType(ternConnect *conn);

/**
 * ternConnectGetVersion: hypervisor version as major*1000000+minor*1000+micro.
 * Since: 0.1 (virConnectGetVersion)
 */
int ternConnectGetVersion(ternConnect *conn, unsigned long *hvVer);

/**
 * ternConnectGetLibVersion: version of the library (or daemon) serving @conn.
 * Since: 0.1 (virConnectGetLibVersion)
 */
int ternConnectGetLibVersion(ternConnect *conn, unsigned long *libVer);

/**
 * ternGetVersion: version of this libtern, as major*1000000+minor*1000+micro.
 * Since: 0.1 (virGetVersion)
 */
int ternGetVersion(unsigned long *libVer);

/**
 * ternConnectGetHostname: host name of the hypervisor host. Caller frees.
 * Since: 0.1 (virConnectGetHostname)
 */
char *ternConnectGetHostname(ternConnect *conn);

/**
 * ternConnectGetURI: canonical URI of the connection. Caller frees.
 * Since: 0.1 (virConnectGetURI)
 */
char *ternConnectGetURI(ternConnect *conn);

/**
 * ternConnectIsAlive: 1 if the connection is usable, 0 if it broke, -1 on error.
 * Since: 0.1 (virConnectIsAlive)
 */
int ternConnectIsAlive(ternConnect *conn);

/**
 * ternConnectSetKeepAlive: send a keepalive probe after @interval seconds
 * without traffic and declare the peer dead after @count unanswered probes.
 * @interval <= 0 turns keepalive off. Only meaningful for daemon connections.
 * Since: 0.1 (virConnectSetKeepAlive)
 */
int ternConnectSetKeepAlive(ternConnect *conn, int interval, unsigned int count);
