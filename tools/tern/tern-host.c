/* tern-host.c: the tern CLI's host commands: version, uri, hostname */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "tern-commands.h"

/* Output as virsh's (virsh-host.c), with libtern where virsh says libvirt. */

#ifndef TERN_CLI_VERSION_NUMBER
#error "the build defines TERN_CLI_VERSION_NUMBER: the libtern version tern is built with"
#endif

/* "M.m.u" from a major*1000000+minor*1000+micro number */
static void
ternCliVersionSplit(unsigned long v, unsigned long *major, unsigned long *minor,
                    unsigned long *micro)
{
    *major = v / 1000000;
    *minor = v / 1000 % 1000;
    *micro = v % 1000;
}

/* --- version --- */

const ternCmdOptDef opts_version[] = {
    {.name = "daemon",
     .type = TERN_CMD_OPT_BOOL,
     .help = "also report the version of the daemon serving the connection"},
    {.name = NULL},
};

const ternCmdInfo info_version = {
    .help = "show version",
    .desc = "Print the version of libtern tern was built with and runs with, the hypervisor's "
            "type and version and, with --daemon, the daemon's version.",
};

bool
cmdVersion(ternControl *ctl, const ternCmd *cmd)
{
    ternConnect *conn;
    const char *hvType;
    unsigned long libVer = 0;
    unsigned long hvVer = 0;
    unsigned long daemonVer = 0;
    unsigned long major, minor, micro;

    if (!(conn = ternCtlConnect(ctl)))
        return false;

    if (!(hvType = ternConnectGetType(conn))) {
        ternCtlError(ctl, "failed to get hypervisor type");
        return false;
    }

    ternCliVersionSplit(TERN_CLI_VERSION_NUMBER, &major, &minor, &micro);
    ternCtlPrint(ctl, "Compiled against library: libtern %lu.%lu.%lu\n", major, minor, micro);

    if (ternGetVersion(&libVer) < 0) {
        ternCtlError(ctl, "failed to get the library version");
        return false;
    }
    ternCliVersionSplit(libVer, &major, &minor, &micro);
    ternCtlPrint(ctl, "Using library: libtern %lu.%lu.%lu\n", major, minor, micro);
    ternCtlPrint(ctl, "Using API: %s %lu.%lu.%lu\n", hvType, major, minor, micro);

    if (ternConnectGetVersion(conn, &hvVer) < 0) {
        ternCtlError(ctl, "failed to get the hypervisor version");
        return false;
    }
    if (hvVer == 0) {
        ternCtlPrint(ctl, "Cannot extract running %s hypervisor version\n", hvType);
    } else {
        ternCliVersionSplit(hvVer, &major, &minor, &micro);
        ternCtlPrint(ctl, "Running hypervisor: %s %lu.%lu.%lu\n", hvType, major, minor, micro);
    }

    if (ternCmdOptBool(cmd, "daemon")) {
        if (ternConnectGetLibVersion(conn, &daemonVer) < 0) {
            /* as virsh: reported, but the command still succeeds */
            ternCtlError(ctl, "failed to get the daemon version");
        } else {
            ternCliVersionSplit(daemonVer, &major, &minor, &micro);
            ternCtlPrint(ctl, "Running against daemon: %lu.%lu.%lu\n", major, minor, micro);
        }
    }
    return true;
}

/* --- uri --- */

const ternCmdOptDef opts_uri[] = {
    {.name = NULL},
};

const ternCmdInfo info_uri = {
    .help = "print the hypervisor canonical URI",
    .desc = "Print the canonical URI of the connection.",
};

bool
cmdURI(ternControl *ctl, const ternCmd *cmd)
{
    ternConnect *conn;
    char *uri;

    if (!(conn = ternCtlConnect(ctl)))
        return false;
    if (!(uri = ternConnectGetURI(conn))) {
        ternCtlError(ctl, "failed to get URI");
        return false;
    }
    ternCtlPrint(ctl, "%s\n", uri);
    free(uri);
    return true;
}

/* --- hostname --- */

const ternCmdOptDef opts_hostname[] = {
    {.name = NULL},
};

const ternCmdInfo info_hostname = {
    .help = "print the hypervisor hostname",
    .desc = "Print the host name of the machine the hypervisor runs on.",
};

bool
cmdHostname(ternControl *ctl, const ternCmd *cmd)
{
    ternConnect *conn;
    char *hostname;

    if (!(conn = ternCtlConnect(ctl)))
        return false;
    if (!(hostname = ternConnectGetHostname(conn))) {
        ternCtlError(ctl, "failed to get hostname");
        return false;
    }
    ternCtlPrint(ctl, "%s\n", hostname);
    free(hostname);
    return true;
}
