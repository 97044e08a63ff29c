/* remote_uri.h: how a libvirt client reads a connection URI: transport, address, open name */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/ternuri.h"

/* Ports a client uses when the URI names none (libvirt's LIBVIRTD_TCP_PORT / _TLS_PORT). */
#define REMOTE_URI_TCP_PORT 16509
#define REMOTE_URI_TLS_PORT 16514

/* Names of the daemon's sockets inside the socket directory. */
#define REMOTE_URI_SOCKET_RW "tern-sock"
#define REMOTE_URI_SOCKET_RO "tern-sock-ro"

typedef enum {
    REMOTE_TRANSPORT_LOCAL, /* no daemon: "test:///default" runs in-process */
    REMOTE_TRANSPORT_UNIX,  /* "qemu:///system", "qemu+unix:///system?socket=PATH" */
    REMOTE_TRANSPORT_TCP,   /* "qemu+tcp://host[:port]/system" */
    REMOTE_TRANSPORT_TLS,   /* "qemu+tls://host/system", "qemu://host/system" */
    REMOTE_TRANSPORT_LAST,
} remoteTransport;

/** remoteTransportTypeToString: "local", "unix", "tcp", "tls"; NULL when out of range. */
const char *remoteTransportTypeToString(remoteTransport transport);

typedef struct _remoteURIInfo remoteURIInfo;
struct _remoteURIInfo {
    char *driver; /* the scheme before '+': "qemu", "test" */
    remoteTransport transport;
    char *host;        /* TCP/TLS: the URI's host, or "localhost"; else NULL */
    int port;          /* TCP/TLS: the URI's port or the default; else 0 */
    char *socketPath;  /* UNIX: ?socket= or the default socket; else NULL */
    char *openName;    /* the name to send in CONNECT_OPEN */
    char *pkipath;     /* ?pkipath=DIR: DIR/{cacert,clientcert,clientkey}.pem */
    bool noVerify;     /* ?no_verify=1: skip the server certificate checks */
    char *tlsPriority; /* ?tls_priority=: GnuTLS priority string */
    char *auth;        /* ?auth=: "sasl", "sasl.MECH" or "polkit"; NULL = server's first */
    char *authfile;    /* ?authfile=: credentials file for SASL */
};

/**
 * remoteURIInfoNew: interpret @uri as libvirt's remote driver does
 * (libvirt-wire.md sections 2.3, 2.4 and 3.1).
 *
 *  - The scheme is "DRIVER[+TRANSPORT]"; TRANSPORT (compared without regard
 *    to case) is unix, tcp or tls. ssh, libssh, libssh2 and ext are libvirt
 *    transports tern does not implement and are refused, as is any other.
 *  - Without a transport, a URI with a host means TLS and one without a host
 *    means the local UNIX socket, except for the driver "test", which is
 *    LOCAL (served in-process, as libvirt's test driver is).
 *  - "DRIVER+unix://HOST/..." is refused: a UNIX socket has no host.
 *  - The default UNIX socket is @defaultSocketDir/tern-sock, or
 *    @defaultSocketDir/tern-sock-ro when @readonly.
 *  - openName is ?name= verbatim when given, "" for the "remote" driver,
 *    else the URI with "+TRANSPORT", user, host and port removed and every
 *    query parameter kept except those the client consumes (name, command,
 *    socket, auth, sshauth, netcat, keyfile, pkipath, known_hosts,
 *    known_hosts_verify, tls_priority, mode, proxy, no_sanity, no_verify,
 *    no_tty, authfile; compared without regard to case; the last of
 *    repeated parameters wins).
 *
 * Returns a new remoteURIInfo (free with remoteURIInfoFree), or NULL with
 * @error set (TERN_FROM_REMOTE, TERN_ERR_INVALID_ARG) naming the URI.
 * Never blocks and touches no file.
 */
remoteURIInfo *remoteURIInfoNew(const ternURI *uri, const char *defaultSocketDir, bool readonly,
                                GError **error);

/** remoteURIInfoFree: free @info; accepts NULL. */
void remoteURIInfoFree(remoteURIInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteURIInfo, remoteURIInfoFree)
