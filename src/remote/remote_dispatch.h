/* remote_dispatch.h: the REMOTE program on the server side: per-client state and procedures */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rpc/ternnetserver.h"

/* The REMOTE program table (libvirt's 0x20008086 v1) served by ternd. */
extern const ternNetServerProgram remoteProgram;

/* Per-client hooks: the client's hypervisor connection and event registrations. */
extern const ternNetServerClientHooks remoteClientHooks;

typedef struct {
    const char *defaultURI;    /* opened when a client sends an empty name */
    bool unixSecure;           /* UNIX sockets count as secure (CONNECT_IS_SECURE) */
} remoteDispatchConfig;

/** remoteDispatchConfigure: set daemon-wide settings before serving. */
void remoteDispatchConfigure(const remoteDispatchConfig *cfg);
