/* qemu_migration_tunnel.h: pump a QEMU migration fd into an RPC stream, and back out */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/ternnetstream.h"

/*
 * Tunnelled migration carries QEMU's migration stream through the daemons'
 * own connection, without passing it through our memory. On the source,
 * QEMU writes into a pipe (migrate fd:) and a pump thread sends what the
 * pipe holds as STREAM packets of up to TERN_NET_STREAM_CHUNK bytes: the
 * header is written, then the payload spliced from the pipe into the
 * socket (ternNetStreamSendFromPipe). At QEMU's end of file it finishes
 * the stream, which returns once the destination confirmed it has
 * everything. On the destination the pipe QEMU reads (migrate-incoming
 * fd:) is the stream's sink: the connection splices each packet's payload
 * from its socket into it; a thread waits for the end and answers it.
 * Pipes are enlarged to QEMU_MIGRATION_TUNNEL_PIPE_SIZE.
 *
 * Backpressure is end to end: a full destination pipe stops the
 * connection reading, TCP fills, the source's splice waits, its pipe
 * fills and QEMU's writes block. No buffer grows without bound.
 *
 * Failures travel both ways: a pump that fails aborts the stream (the peer
 * then fails too) and closes its pipe end, so its QEMU's migration fails;
 * qemuMigrationTunnelAbort does the same from outside.
 */

#define QEMU_MIGRATION_TUNNEL_PIPE_SIZE (1024 * 1024)
/* Source: no byte through the tunnel for this long ends the transfer (a dead link). */
#define QEMU_MIGRATION_TUNNEL_STALL_MS 10000

typedef struct _qemuMigrationTunnel qemuMigrationTunnel;

/**
 * qemuMigrationTunnelOutStart: source side: a pump from a new pipe into
 * @st (a reference is taken). *@retQemuFD is the pipe's write end for QEMU
 * (the caller passes it with getfd and closes its copy).
 */
qemuMigrationTunnel *qemuMigrationTunnelOutStart(ternNetStream *st, const char *name,
                                                 int *retQemuFD, GError **error);

/**
 * qemuMigrationTunnelInStart: destination side: a pump from @st into a new
 * pipe; *@retQemuFD is its read end for QEMU.
 */
qemuMigrationTunnel *qemuMigrationTunnelInStart(ternNetStream *st, const char *name,
                                                int *retQemuFD, GError **error);

/**
 * qemuMigrationTunnelWait: wait for the pump to end. True if every byte
 * went through and the stream was finished (source: confirmed by the
 * destination); false with the reason otherwise. Blocks.
 */
bool qemuMigrationTunnelWait(qemuMigrationTunnel *t, GError **error);

/**
 * qemuMigrationTunnelFailed: wait for the pump (which must be ending: QEMU
 * stopped or the stream was aborted) and, if the tunnel itself failed
 * (peer gone, stall), return true with that reason, which names the cause
 * better than QEMU's "Broken pipe". Blocks.
 */
bool qemuMigrationTunnelFailed(qemuMigrationTunnel *t, GError **error);

/** qemuMigrationTunnelAbort: abort the stream; the pump ends soon. Does not block. */
void qemuMigrationTunnelAbort(qemuMigrationTunnel *t);

/** qemuMigrationTunnelBytes: bytes moved so far. */
unsigned long long qemuMigrationTunnelBytes(qemuMigrationTunnel *t);

/** qemuMigrationTunnelFree: abort if still running, wait for the pump, free. NULL-safe. */
void qemuMigrationTunnelFree(qemuMigrationTunnel *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMigrationTunnel, qemuMigrationTunnelFree)
