/* qemu_conf.h: the QEMU driver's configuration: where its files live and its limits */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _qemuDriverConfig qemuDriverConfig;
struct _qemuDriverConfig {
    char *stateDir;    /* persistent definitions: <root>/var/lib/tern/qemu */
    char *runDir;      /* status files, monitor sockets: <root>/run/tern/qemu */
    char *logDir;      /* one log per domain: <root>/var/log/tern/qemu */
    char *emulator;    /* used when a domain names none */
    unsigned char hostUUID[16];
    int migrationPortMin;
    int migrationPortMax;
    char *migrationAddress; /* NULL: all addresses */
    char *migrationHost;    /* NULL: the host name */
    int monitorTimeoutMs;   /* a QMP command that takes longer fails */
    int shutdownTimeoutS;   /* graceful shutdown: how long to wait for the guest */
    int peerKeepaliveInterval;    /* peer-to-peer: keepalive on the connection to the */
    unsigned int peerKeepaliveCount; /* destination daemon (-1 / 0: off) */
};

/**
 * qemuDriverConfigNew: the configuration for a daemon rooted at @root
 * ("" for the real root), with every default.
 */
qemuDriverConfig *qemuDriverConfigNew(const char *root);
void qemuDriverConfigFree(qemuDriverConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDriverConfig, qemuDriverConfigFree)
