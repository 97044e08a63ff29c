/* qemu_conf.c: the QEMU driver's configuration: where its files live and its limits */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "qemu/qemu_conf.h"

qemuDriverConfig *
qemuDriverConfigNew(const char *root)
{
    qemuDriverConfig *cfg = g_new0(qemuDriverConfig, 1);

    root = root ? root : "";
    cfg->stateDir = g_strdup_printf("%s/var/lib/tern/qemu", root);
    cfg->runDir = g_strdup_printf("%s/run/tern/qemu", root);
    cfg->logDir = g_strdup_printf("%s/var/log/tern/qemu", root);
    cfg->emulator = g_strdup("/usr/bin/qemu-system-x86_64");
    cfg->migrationPortMin = 49152;
    cfg->migrationPortMax = 49215;
    cfg->peerKeepaliveInterval = 5;
    cfg->peerKeepaliveCount = 5;
    cfg->monitorTimeoutMs = 30000;
    cfg->shutdownTimeoutS = 60;
    return cfg;
}

void
qemuDriverConfigFree(qemuDriverConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->stateDir);
    g_free(cfg->runDir);
    g_free(cfg->logDir);
    g_free(cfg->emulator);
    g_free(cfg->migrationAddress);
    g_free(cfg->migrationHost);
    g_free(cfg);
}
