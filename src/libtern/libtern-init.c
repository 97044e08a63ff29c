/* libtern-init.c: one-time initialisation of libtern: the drivers connections are opened with */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "libtern/libtern-internal.h"
#include "test/test_driver.h"
#ifdef TERN_LIBTERN_WITH_REMOTE
#include "remote/remote_driver.h"
#endif

/*
 * Order matters: ternConnectOpenInternal() offers a URI to each driver in
 * registration order. The test driver takes only test:///default; the
 * remote driver claims every URI that names a daemon, so it comes last.
 */
static gpointer
ternLibInitializeOnce(gpointer data)
{
    testRegister();
#ifdef TERN_LIBTERN_WITH_REMOTE
    remoteRegister();
#endif
    return NULL;
}

void
ternLibInitialize(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, ternLibInitializeOnce, NULL);
}
