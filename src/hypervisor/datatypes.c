/* datatypes.c: the library's handle objects: ternConnect and ternDomain */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "hypervisor/datatypes.h"
#include "hypervisor/driver.h"
#include "util/ternutil.h"

ternConnect *
ternConnectNew(const char *uri, unsigned int flags)
{
    ternConnect *conn = g_new0(ternConnect, 1);
    conn->refs = 1;
    conn->flags = flags;
    conn->uri = g_strdup(uri);
    return conn;
}

bool
ternConnectTryRef(ternConnect *conn)
{
    return ternAtomicRefTryInc(&conn->refs);
}

ternConnect *
ternConnectUnrefInternal(ternConnect *conn)
{
    if (!conn)
        return NULL;
    if (!g_atomic_int_dec_and_test(&conn->refs))
        return NULL;
    if (conn->driver && conn->driver->connectClose)
        conn->driver->connectClose(conn);
    g_free(conn->uri);
    g_free(conn);
    return NULL;
}

ternDomain *
ternDomainNew(ternConnect *conn, const char *name, const unsigned char *uuid, int id)
{
    ternDomain *dom = g_new0(ternDomain, 1);
    dom->refs = 1;
    g_atomic_int_inc(&conn->refs);
    dom->conn = conn;
    dom->name = g_strdup(name);
    memcpy(dom->uuid, uuid, TERN_UUID_BUFLEN);
    dom->id = id;
    return dom;
}

ternDomain *
ternDomainUnrefInternal(ternDomain *dom)
{
    if (!dom)
        return NULL;
    if (!g_atomic_int_dec_and_test(&dom->refs))
        return NULL;
    ternConnectUnrefInternal(dom->conn);
    g_free(dom->name);
    g_free(dom);
    return NULL;
}
