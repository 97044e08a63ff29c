/* qemu_driver.h: the QEMU hypervisor driver behind qemu:///system in ternd */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu/qemu_conf.h"

/**
 * qemuDriverInitialize: create the driver with @cfg (ownership taken):
 * make its directories, load persistent definitions, re-attach to every
 * QEMU still running, start autostart domains. Call once, before serving.
 */
bool qemuDriverInitialize(qemuDriverConfig *cfg, GError **error);

/** qemuDriverShutdown: detach from every QEMU (they keep running) and free the driver. */
void qemuDriverShutdown(void);

/** qemuRegister: make qemu:///system available to ternConnectOpenInternal. */
void qemuRegister(void);
