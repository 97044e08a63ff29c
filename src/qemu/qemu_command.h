/* qemu_command.h: the QEMU 7.2 command line of a domain definition */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * qemuBuildCommandLine turns a ternDomainDef into the argv of
 * qemu-system-x86_64 7.2. The same def and options always give the same
 * argv: devices come in XML order, ids are derived from the def, nothing is
 * probed from the host. tests/data/qemuxml2argv holds the golden argv of
 * every element; the rules for each element are at the top of qemu_command.c.
 *
 * The ids QEMU gets, which the monitor code uses to find things again:
 *
 *   monitor             -chardev charmonitor, -mon monitor
 *   disk with target T  -blockdev node-names "T-file" (protocol) and "T-fmt"
 *                       (format), -device id "disk-T" (e.g. disk-vda)
 *   sata controller     sata0 (ich9-ahci, one for all sata disks)
 *   interface i         -netdev hostnet<i>, -device net<i>
 *   serial i            -chardev charserial<i>, -device serial<i>
 *   console i           -chardev charconsole<i>, -device console<i>
 *   channel i           -chardev charchannel<i>, -device channel<i>
 *   virtio-serial       virtio-serial0 (one for all virtio consoles and channels)
 *   video, memballoon   video0, balloon0
 *   rng i               -object objrng<i>, -device rng<i>
 *
 * i is the index of the device among its kind in the def (XML order). A
 * console of target type 'serial' whose port matches a <serial> is that
 * serial device (libvirt's convention) and has no ids of its own.
 *
 * Errors are reported in TERN_FROM_QEMU: TERN_ERR_CONFIG_UNSUPPORTED for a
 * def QEMU cannot be told to run (the message names the element),
 * TERN_ERR_INVALID_ARG for bad options, TERN_ERR_INTERNAL_ERROR for a def
 * that breaks its own invariants.
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain_conf.h"

/* The emulator used when neither the def nor the options name one. */
#define QEMU_COMMAND_EMULATOR_DEFAULT "/usr/bin/qemu-system-x86_64"

/* The address VNC listens on when <graphics> names none (libvirt's vnc_listen). */
#define QEMU_COMMAND_VNC_LISTEN_DEFAULT "127.0.0.1"

/* What the caller (the process code) decides rather than the def. All borrowed. */
typedef struct {
    const char *emulator;    /* the default when the def has no <emulator>; NULL: the above */
    const char *monitorPath; /* required: the QMP socket QEMU listens on */
    const char *pidfile;     /* NULL: no -pidfile */
    const char *logDir;      /* reserved: nothing the argv needs lives there yet */
    const char *incomingURI; /* NULL, or "defer" / "tcp:HOST:PORT" / ...: -incoming */
    const char *libDir;      /* reserved: pty and unix chardevs take their paths from the def */
} qemuCommandOptions;

/*
 * qemuBuildCommandLine: the argv that starts @def paused (-S) with a QMP
 * monitor at @opts->monitorPath. argv[0] is the emulator. The result is a
 * NULL-terminated GPtrArray of owned strings (free with g_ptr_array_unref):
 * ->len counts the arguments, and (char **)->pdata can be handed to
 * g_spawn_async or execv as is.
 *
 * @def is validated first (ternDomainDefValidate). Fails with @error set
 * when the def holds something this QEMU command line cannot express: an
 * interface of type bridge or direct (their tap devices are not available
 * yet), a host-passthrough CPU on TCG, a serial port above 3, a readonly
 * sata or ide hard disk, an ide disk on a q35 machine, currentMemory below
 * memory without a virtio memballoon, ... Does not block; touches no file.
 */
GPtrArray *qemuBuildCommandLine(const ternDomainDef *def, const qemuCommandOptions *opts,
                                GError **error);

/*
 * qemuCommandLineFormat: @argv (as returned above) as text, one argument
 * per line with a final newline, for golden files and the domain log. A
 * backslash becomes "\\" and a control character "\n", "\t" or "\xHH", so
 * every argument stays on one line and the text reads back unambiguously.
 * Returns a new string (caller frees). Never fails.
 */
char *qemuCommandLineFormat(const GPtrArray *argv);

/*
 * qemuCommandChrId: the -chardev id of character device @index of kind
 * @device ("charserial0", "charconsole1", "charchannel0"), as the monitor's
 * query-chardev labels it. Caller frees. @device must be a valid value.
 */
char *qemuCommandChrId(ternDomainChrDevice device, size_t index);
