/* qemu_migration.c: live migration of QEMU domains: the phases of both parties and the job */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conf/domain_conf.h"
#include "hypervisor/domain_driver.h"
#include "hypervisor/migration_outcome.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_tunnel.h"
#include "qemu/qemu_process.h"
#include "util/ternerror.h"
#include "util/ternlog.h"
#include "util/terntypedparam.h"
#include "util/ternutil.h"

/*
 * Who calls what (libvirt-wire.md §4.5): the client runs Begin (source),
 * Prepare (destination), Perform (source), Finish (destination) and
 * Confirm (source). The source's job "migration out" spans Begin to
 * Confirm, the destination's "migration in" Prepare to Finish; each is a
 * LONG job, so other jobs (a second migration) are refused at once while
 * it runs, except the few qemuMigrationJobAllows lets run alongside, and
 * queries (job info) still answer.
 *
 * The rule every failure path follows (design.md): until the destination
 * has resumed the guest, the source's copy is the one that lives; once the
 * destination has resumed it, the source's copy is killed. Never both.
 */

/* How long without any byte moved before a migration is declared stalled. */
#define QEMU_MIGRATION_STALL_MS 10000
/* How often a waiting phase refreshes its numbers even without events. */
#define QEMU_MIGRATION_REFRESH_MS 250
/* How long Finish waits for QEMU to load what the source sent. */
#define QEMU_MIGRATION_FINISH_WAIT_MS 60000
/* How long a migrated-away or discarded QEMU gets to exit on SIGTERM. */
#define QEMU_MIGRATION_KILL_GRACE_MS 2000
/* QEMU's max-bandwidth for "unlimited" (libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX, in MiB/s). */
#define QEMU_MIGRATION_BANDWIDTH_MAX_MIB (G_MAXINT64 / (1024 * 1024))

static const char *const qemuMigrationPhaseNames[] = {
    "none", "begin3", "perform3", "perform3_done", "confirm3_cancelled", "confirm3", "prepare",
    "finish3",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMigrationPhaseNames) == QEMU_MIGRATION_PHASE_LAST);

const char *
qemuMigrationPhaseToString(int phase)
{
    if (phase < 0 || phase >= QEMU_MIGRATION_PHASE_LAST)
        return NULL;
    return qemuMigrationPhaseNames[phase];
}

int
qemuMigrationPhaseFromString(const char *str)
{
    for (int i = 0; str && i < QEMU_MIGRATION_PHASE_LAST; i++) {
        if (g_str_equal(str, qemuMigrationPhaseNames[i]))
            return i;
    }
    return -1;
}

/* --- what is accepted: flags, parameters --- */

/* flags the QEMU driver implements */
#define QEMU_MIGRATION_FLAGS                                                                       \
    (TERN_MIGRATE_LIVE | TERN_MIGRATE_PEER2PEER | TERN_MIGRATE_TUNNELLED |                      \
     TERN_MIGRATE_PERSIST_DEST | TERN_MIGRATE_UNDEFINE_SOURCE |                \
     TERN_MIGRATE_PAUSED | TERN_MIGRATE_CHANGE_PROTECTION | TERN_MIGRATE_UNSAFE |                  \
     TERN_MIGRATE_OFFLINE | TERN_MIGRATE_COMPRESSED | TERN_MIGRATE_ABORT_ON_ERROR |                \
     TERN_MIGRATE_AUTO_CONVERGE | TERN_MIGRATE_POSTCOPY | TERN_MIGRATE_PARALLEL |                  \
     TERN_MIGRATE_SECURE)

/* flags that are understood but refused, with the reason */
static const struct {
    unsigned int flag;
    const char *why;
} qemuMigrationRefusedFlags[] = {
    {TERN_MIGRATE_NON_SHARED_DISK,
     "storage migration (NON_SHARED_DISK) is not supported: disks must be on shared storage"},
    {TERN_MIGRATE_NON_SHARED_INC,
     "storage migration (NON_SHARED_INC) is not supported: disks must be on shared storage"},
    {TERN_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
     "storage migration (NON_SHARED_SYNCHRONOUS_WRITES) is not supported"},
    {TERN_MIGRATE_RDMA_PIN_ALL, "RDMA migration is not supported"},
    {TERN_MIGRATE_TLS, "TLS on QEMU's migration channel is not configured on this host"},
    {TERN_MIGRATE_POSTCOPY_RESUME, "resuming a failed post-copy migration is not supported"},
    {TERN_MIGRATE_ZEROCOPY, "zero-copy migration is not supported"},
};

/* pairs of flags that contradict each other */
static const struct {
    unsigned int a, b;
    const char *why;
} qemuMigrationExclusiveFlags[] = {
    {TERN_MIGRATE_LIVE, TERN_MIGRATE_OFFLINE, "LIVE and OFFLINE are mutually exclusive"},
    {TERN_MIGRATE_OFFLINE, TERN_MIGRATE_POSTCOPY, "POSTCOPY needs a running domain, not OFFLINE"},
    {TERN_MIGRATE_OFFLINE, TERN_MIGRATE_PAUSED, "PAUSED makes no sense for an OFFLINE migration"},
    {TERN_MIGRATE_OFFLINE, TERN_MIGRATE_PARALLEL, "PARALLEL needs a running domain, not OFFLINE"},
    {TERN_MIGRATE_TUNNELLED, TERN_MIGRATE_PARALLEL,
     "TUNNELLED and PARALLEL cannot be combined: the tunnel is one stream"},
    {TERN_MIGRATE_TUNNELLED, TERN_MIGRATE_POSTCOPY,
     "TUNNELLED and POSTCOPY cannot be combined: post-copy needs QEMU's return path"},
    {TERN_MIGRATE_PARALLEL, TERN_MIGRATE_COMPRESSED,
     "PARALLEL (multifd) and COMPRESSED cannot be combined in QEMU 7.2"},
};

static const ternTypedParamSpec qemuMigrationParamSpec[] = {
    {TERN_MIGRATE_PARAM_URI, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_DEST_NAME, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_DEST_XML, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_PERSIST_XML, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_BANDWIDTH, TERN_TYPED_PARAM_ULLONG, 0},
    {TERN_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, TERN_TYPED_PARAM_ULLONG, 0},
    {TERN_MIGRATE_PARAM_GRAPHICS_URI, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_LISTEN_ADDRESS, TERN_TYPED_PARAM_STRING, 0},
    {TERN_MIGRATE_PARAM_COMPRESSION, TERN_TYPED_PARAM_STRING, TERN_TYPED_PARAM_SPEC_MULTIPLE},
    {TERN_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, TERN_TYPED_PARAM_INT, 0},
    {TERN_MIGRATE_PARAM_COMPRESSION_MT_THREADS, TERN_TYPED_PARAM_INT, 0},
    {TERN_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, TERN_TYPED_PARAM_INT, 0},
    {TERN_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, TERN_TYPED_PARAM_ULLONG, 0},
    {TERN_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, TERN_TYPED_PARAM_INT, 0},
    {TERN_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, TERN_TYPED_PARAM_INT, 0},
    {TERN_MIGRATE_PARAM_PARALLEL_CONNECTIONS, TERN_TYPED_PARAM_INT, 0},
};

/* API flags → QEMU migration capabilities, with the party that sets them */
typedef enum {
    QEMU_MIGRATION_PARTY_SRC = 1 << 0,
    QEMU_MIGRATION_PARTY_DST = 1 << 1,
    QEMU_MIGRATION_PARTY_BOTH = QEMU_MIGRATION_PARTY_SRC | QEMU_MIGRATION_PARTY_DST,
} qemuMigrationParty;

static const struct {
    unsigned int flag;
    qemuMonitorMigrationCap cap;
    ternMigrationCookieCap cookieCap;
    qemuMigrationParty party;
} qemuMigrationFlagCaps[] = {
    {TERN_MIGRATE_AUTO_CONVERGE, QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE,
     TERN_MIGRATION_COOKIE_CAP_AUTO_CONVERGE, QEMU_MIGRATION_PARTY_SRC},
    {TERN_MIGRATE_POSTCOPY, QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
     TERN_MIGRATION_COOKIE_CAP_POSTCOPY_RAM, QEMU_MIGRATION_PARTY_BOTH},
    {TERN_MIGRATE_PARALLEL, QEMU_MONITOR_MIGRATION_CAP_MULTIFD, TERN_MIGRATION_COOKIE_CAP_MULTIFD,
     QEMU_MIGRATION_PARTY_BOTH},
    {TERN_MIGRATE_COMPRESSED, QEMU_MONITOR_MIGRATION_CAP_XBZRLE, TERN_MIGRATION_COOKIE_CAP_XBZRLE,
     QEMU_MIGRATION_PARTY_BOTH},
};

/* every capability tern manages: set to on or off at each migration, so none lingers */
#define QEMU_MIGRATION_CAPS_MANAGED                                                                \
    (QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE) |                    \
     QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM) |                     \
     QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_MULTIFD) |                          \
     QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_XBZRLE) |                           \
     QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_COMPRESS) |                         \
     QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS))

/* Everything the caller asked, checked once, before anything happens. */
typedef struct {
    unsigned int flags;
    const char *uri;          /* migrate_uri */
    int uriPort;              /* its port */
    const char *dname;        /* destination_name */
    const char *destXML;      /* destination_xml */
    const char *persistXML;   /* persistent_xml */
    const char *listen;       /* listen_address */
    bool hasBandwidth;
    unsigned long long bandwidth; /* MiB/s */
    bool hasPostcopyBandwidth;
    unsigned long long postcopyBandwidth;
    bool compressMT;          /* "mt" among the compression methods */
    bool compressXBZRLE;
    qemuMonitorMigrationParams qemuParams; /* what the params ask of QEMU (has... set) */
} qemuMigrationArgs;

static void
qemuMigrationArgsClear(qemuMigrationArgs *a)
{
    qemuMonitorMigrationParamsClear(&a->qemuParams);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuMigrationArgs, qemuMigrationArgsClear)

static const char *
paramString(const ternTypedParameter *params, int nparams, const char *name)
{
    const ternTypedParameter *p = ternTypedParamsLookup(params, nparams, name);
    return p ? p->value.s : NULL;
}

/* an INT parameter within [lo, hi] into *@ret (and *@has) */
static bool
paramIntRange(const ternTypedParameter *params, int nparams, const char *name, int lo, int hi,
              bool *has, unsigned long long *ret, GError **error)
{
    const ternTypedParameter *p = ternTypedParamsLookup(params, nparams, name);

    if (!p)
        return true;
    if (p->value.i < lo || p->value.i > hi) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "parameter '%s' must be within %d..%d, not %d", name, lo, hi, p->value.i);
        return false;
    }
    *has = true;
    *ret = (unsigned long long)p->value.i;
    return true;
}

static bool
qemuMigrationCheckFlags(unsigned int flags, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemuMigrationRefusedFlags); i++) {
        if (flags & qemuMigrationRefusedFlags[i].flag) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_ARGUMENT_UNSUPPORTED, "%s",
                         qemuMigrationRefusedFlags[i].why);
            return false;
        }
    }
    if (!ternErrorCheckFlags(flags, QEMU_MIGRATION_FLAGS, "qemuDomainMigrate", error))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(qemuMigrationExclusiveFlags); i++) {
        if ((flags & qemuMigrationExclusiveFlags[i].a) &&
            (flags & qemuMigrationExclusiveFlags[i].b)) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG, "%s",
                         qemuMigrationExclusiveFlags[i].why);
            return false;
        }
    }
    if ((flags & TERN_MIGRATE_TUNNELLED) && !(flags & TERN_MIGRATE_PEER2PEER)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "TUNNELLED migration needs PEER2PEER: the daemons carry the data");
        return false;
    }
    if ((flags & TERN_MIGRATE_OFFLINE) && !(flags & TERN_MIGRATE_PERSIST_DEST)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "offline migration requires PERSIST_DEST (--persistent)");
        return false;
    }
    if (flags & TERN_MIGRATE_SECURE) {
        /* the native channel is plain TCP and no TLS is configured: nothing to offer */
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_ARGUMENT_UNSUPPORTED,
                     "SECURE migration needs an encrypted migration channel; QEMU's native "
                     "channel is plain TCP and TLS is not configured on this host");
        return false;
    }
    return true;
}

/* a migrate_uri we can hand QEMU, tcp:HOST:PORT or tcp://HOST:PORT: its port, or 0 */
static int
qemuMigrationParseURI(const char *uri, GError **error)
{
    const char *rest;
    const char *colon;
    guint64 port = 0;

    if (g_str_has_prefix(uri, "tcp://"))
        rest = uri + 6;
    else if (g_str_has_prefix(uri, "tcp:"))
        rest = uri + 4;
    else
        rest = NULL;
    if (rest && (colon = strrchr(rest, ':')) && colon > rest &&
        g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL) &&
        strlen(uri) <= TERN_MIGRATION_COOKIE_URI_MAX && !strpbrk(rest, "/?#, \t\n"))
        return (int)port;
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                 "migration URI '%.128s' is not supported: use tcp:HOST:PORT", uri);
    return 0;
}

static bool
qemuMigrationArgsParse(ternTypedParameter *params, int nparams, unsigned int flags, bool source,
                       qemuMigrationArgs *a, GError **error)
{
    qemuMonitorMigrationParams *qp = &a->qemuParams;
    g_autofree const char **methods = NULL;
    const ternTypedParameter *p;
    int n;

    if (!qemuMigrationCheckFlags(flags, error) ||
        !ternTypedParamsValidate(params, nparams, qemuMigrationParamSpec,
                                 G_N_ELEMENTS(qemuMigrationParamSpec), error))
        return false;
    a->flags = flags;
    a->uri = paramString(params, nparams, TERN_MIGRATE_PARAM_URI);
    a->dname = paramString(params, nparams, TERN_MIGRATE_PARAM_DEST_NAME);
    a->destXML = paramString(params, nparams, TERN_MIGRATE_PARAM_DEST_XML);
    a->persistXML = paramString(params, nparams, TERN_MIGRATE_PARAM_PERSIST_XML);
    a->listen = paramString(params, nparams, TERN_MIGRATE_PARAM_LISTEN_ADDRESS);
    if (a->uri && !(a->uriPort = qemuMigrationParseURI(a->uri, error)))
        return false;
    if (a->dname && !ternDomainDefValidateName(a->dname, error))
        return false;
    if (a->listen) {
        struct in6_addr in6;
        struct in_addr in4;
        if (inet_pton(AF_INET, a->listen, &in4) != 1 && inet_pton(AF_INET6, a->listen, &in6) != 1) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                         "listen_address '%.64s' is not an IPv4 or IPv6 address", a->listen);
            return false;
        }
    }
    if ((p = ternTypedParamsLookup(params, nparams, TERN_MIGRATE_PARAM_BANDWIDTH))) {
        if (p->value.ul > QEMU_MIGRATION_BANDWIDTH_MAX_MIB) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OVERFLOW,
                         "bandwidth must be at most %lld MiB/s",
                         (long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB);
            return false;
        }
        a->hasBandwidth = true;
        a->bandwidth = p->value.ul;
    }
    if ((p = ternTypedParamsLookup(params, nparams, TERN_MIGRATE_PARAM_BANDWIDTH_POSTCOPY))) {
        if (p->value.ul > QEMU_MIGRATION_BANDWIDTH_MAX_MIB) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OVERFLOW,
                         "bandwidth.postcopy must be at most %lld MiB/s",
                         (long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB);
            return false;
        }
        a->hasPostcopyBandwidth = true;
        a->postcopyBandwidth = p->value.ul;
    }
    if ((n = ternTypedParamsGetStringList(params, nparams, TERN_MIGRATE_PARAM_COMPRESSION,
                                          &methods, error)) < 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (g_str_equal(methods[i], "mt")) {
            a->compressMT = true;
        } else if (g_str_equal(methods[i], "xbzrle")) {
            a->compressXBZRLE = true;
        } else {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                         "unknown compression method '%.32s': use 'xbzrle' or 'mt'", methods[i]);
            return false;
        }
    }
    if (n > 0 && !(flags & TERN_MIGRATE_COMPRESSED)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "compression methods need the COMPRESSED flag (--compressed)");
        return false;
    }
    if ((flags & TERN_MIGRATE_COMPRESSED) && n == 0)
        a->compressXBZRLE = true;
    if (!paramIntRange(params, nparams, TERN_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 0, 9,
                       &qp->hasCompressLevel, &qp->compressLevel, error) ||
        !paramIntRange(params, nparams, TERN_MIGRATE_PARAM_COMPRESSION_MT_THREADS, 1, 255,
                       &qp->hasCompressThreads, &qp->compressThreads, error) ||
        !paramIntRange(params, nparams, TERN_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 1, 255,
                       &qp->hasDecompressThreads, &qp->decompressThreads, error) ||
        !paramIntRange(params, nparams, TERN_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 1, 99,
                       &qp->hasCPUThrottleInitial, &qp->cpuThrottleInitial, error) ||
        !paramIntRange(params, nparams, TERN_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, 1, 99,
                       &qp->hasCPUThrottleIncrement, &qp->cpuThrottleIncrement, error) ||
        !paramIntRange(params, nparams, TERN_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 1, 255,
                       &qp->hasMultifdChannels, &qp->multifdChannels, error))
        return false;
    if ((p = ternTypedParamsLookup(params, nparams, TERN_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE))) {
        qp->hasXbzrleCacheSize = true;
        qp->xbzrleCacheSize = p->value.ul;
    }
    if (qp->hasMultifdChannels && !(flags & TERN_MIGRATE_PARALLEL)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "parallel.connections needs the PARALLEL flag (--parallel)");
        return false;
    }
    /* AUTO_CONVERGE is the source's alone: libvirt.so keeps it from the destination */
    if ((qp->hasCPUThrottleInitial || qp->hasCPUThrottleIncrement) && source &&
        !(flags & TERN_MIGRATE_AUTO_CONVERGE)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "auto_converge.* parameters need the AUTO_CONVERGE flag (--auto-converge)");
        return false;
    }
    return true;
}

bool
qemuMigrationCheckArgs(ternTypedParameter *params, int nparams, unsigned int flags,
                       GError **error)
{
    g_auto(qemuMigrationArgs) a = {0};
    return qemuMigrationArgsParse(params, nparams, flags, true, &a, error);
}

/* the capabilities @flags turn on for @party, as a QEMU mask and as cookie bits */
static unsigned long long
qemuMigrationCapsFor(unsigned int flags, const qemuMigrationArgs *a, qemuMigrationParty party,
                     unsigned long long *retCookieCaps)
{
    unsigned long long mask = QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS);
    unsigned long long cookie = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(qemuMigrationFlagCaps); i++) {
        if (!(flags & qemuMigrationFlagCaps[i].flag))
            continue;
        if (qemuMigrationFlagCaps[i].flag == TERN_MIGRATE_COMPRESSED && a && !a->compressXBZRLE)
            continue;
        cookie |= 1ULL << qemuMigrationFlagCaps[i].cookieCap;
        if (qemuMigrationFlagCaps[i].party & party)
            mask |= QEMU_MONITOR_MIGRATION_CAP_BIT(qemuMigrationFlagCaps[i].cap);
    }
    if (a && a->compressMT) {
        cookie |= 1ULL << TERN_MIGRATION_COOKIE_CAP_COMPRESS;
        mask |= QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_COMPRESS);
    }
    if (retCookieCaps)
        *retCookieCaps = cookie;
    return mask;
}

/* the destination's mask, from the capabilities the source announced */
static unsigned long long
qemuMigrationCapsFromCookie(const ternMigrationCookie *c)
{
    unsigned long long mask = QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_EVENTS);

    for (size_t i = 0; i < G_N_ELEMENTS(qemuMigrationFlagCaps); i++) {
        if ((c->caps & (1ULL << qemuMigrationFlagCaps[i].cookieCap)) &&
            (qemuMigrationFlagCaps[i].party & QEMU_MIGRATION_PARTY_DST))
            mask |= QEMU_MONITOR_MIGRATION_CAP_BIT(qemuMigrationFlagCaps[i].cap);
    }
    if (c->caps & (1ULL << TERN_MIGRATION_COOKIE_CAP_COMPRESS))
        mask |= QEMU_MONITOR_MIGRATION_CAP_BIT(QEMU_MONITOR_MIGRATION_CAP_COMPRESS);
    return mask;
}

/* --- small helpers --- */

static gint64
qemuMigrationRealMs(void)
{
    return g_get_real_time() / 1000;
}

/* prefix a phase's failure so the client knows where it stopped */
static void
qemuMigrationPhaseError(GError **error, const char *phase)
{
    if (error && *error)
        g_prefix_error(error, "migration failed in phase %s: ", phase);
}

/* The phase moves forward only; the status file learns it before the phase acts. */
static void
qemuMigrationSetPhase(qemuDriver *drv, ternDomainObj *obj, qemuMigrationPhase phase)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (phase < priv->mig->phase && phase != QEMU_MIGRATION_PHASE_NONE)
        TERN_WARN("domain '%s': migration phase going backwards: %s -> %s", obj->def->name,
                  qemuMigrationPhaseToString(priv->mig->phase), qemuMigrationPhaseToString(phase));
    priv->mig->phase = phase;
    qemuDomainSaveStatus(drv, obj, NULL);
}

static qemuMigrationJob *
qemuMigrationJobNew(bool incoming, unsigned int flags, const void *conn)
{
    qemuMigrationJob *mig = g_new0(qemuMigrationJob, 1);

    mig->incoming = incoming;
    mig->flags = flags;
    mig->conn = conn;
    mig->startedMs = ternMonotonicMs();
    mig->startedRealMs = qemuMigrationRealMs();
    g_cond_init(&mig->cond);
    return mig;
}

void
qemuMigrationJobFree(qemuMigrationJob *mig)
{
    if (!mig)
        return;
    g_cond_clear(&mig->cond);
    g_free(mig);
}

/* ports of the migration range handed out by this daemon and not released yet */
static GMutex qemuMigrationPortLock;
static GHashTable *qemuMigrationPortsUsed;

static bool
qemuMigrationPortFree(const char *addr, int port)
{
    struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    struct sockaddr_in sa4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY)};
    bool v6 = addr && inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1;
    TERN_AUTOCLOSE fd = -1;
    int one = 1;

    /* an IPv4 address, or any: bind the wildcard when there is no (parsable) address */
    if (!v6 && addr && inet_pton(AF_INET, addr, &sa4.sin_addr) != 1)
        sa4.sin_addr.s_addr = htonl(INADDR_ANY);
    if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    return v6 ? bind(fd, (struct sockaddr *)&sa6, sizeof(sa6)) == 0
              : bind(fd, (struct sockaddr *)&sa4, sizeof(sa4)) == 0;
}

static int
qemuMigrationPortReserve(qemuDriverConfig *cfg, const char *addr, GError **error)
{
    int port = 0;

    g_mutex_lock(&qemuMigrationPortLock);
    if (!qemuMigrationPortsUsed)
        qemuMigrationPortsUsed = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int p = cfg->migrationPortMin; p <= cfg->migrationPortMax; p++) {
        if (g_hash_table_contains(qemuMigrationPortsUsed, GINT_TO_POINTER(p)) ||
            !qemuMigrationPortFree(addr, p))
            continue;
        g_hash_table_add(qemuMigrationPortsUsed, GINT_TO_POINTER(p));
        port = p;
        break;
    }
    g_mutex_unlock(&qemuMigrationPortLock);
    if (!port)
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "no free migration port in %d..%d (migration_port_min..migration_port_max)",
                     cfg->migrationPortMin, cfg->migrationPortMax);
    return port;
}

static void
qemuMigrationPortRelease(int port)
{
    if (port <= 0)
        return;
    g_mutex_lock(&qemuMigrationPortLock);
    if (qemuMigrationPortsUsed)
        g_hash_table_remove(qemuMigrationPortsUsed, GINT_TO_POINTER(port));
    g_mutex_unlock(&qemuMigrationPortLock);
}

/* the host name the source's QEMU connects to: migration_host, the address, else the name */
static char *
qemuMigrationHostForURI(const qemuDriverConfig *cfg, const char *listen)
{
    const char *addr = listen ? listen : cfg->migrationAddress;

    if (cfg->migrationHost)
        return g_strdup(cfg->migrationHost);
    if (addr && !g_str_equal(addr, "0.0.0.0") && !g_str_equal(addr, "::")) {
        if (strchr(addr, ':'))
            return g_strdup_printf("[%s]", addr);
        return g_strdup(addr);
    }
    return g_strdup(g_get_host_name());
}

/* --- numbers: QEMU's query-migrate into tern's statistics --- */

static void
qemuMigrationStatsFromQEMU(qemuMigrationJob *mig, const qemuMonitorMigrationStats *q,
                           ternMigrationStats *s)
{
    const qemuMonitorMigrationRAM *r = &q->ram;
    bool done = q->status == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED;

    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_STARTED, (unsigned long long)mig->startedRealMs);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_TIME_ELAPSED,
                          (unsigned long long)(ternMonotonicMs() - mig->startedMs));
    if (done && q->hasDowntime)
        ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DOWNTIME, q->downtime);
    else if (!done && q->hasExpectedDowntime)
        ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DOWNTIME, q->expectedDowntime);
    if (q->hasSetupTime)
        ternMigrationStatsSet(s, TERN_MIGRATION_STAT_SETUP_TIME, q->setupTime);
    if (q->hasCPUThrottlePercentage)
        ternMigrationStatsSet(s, TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE,
                              MIN(q->cpuThrottlePercentage, 100));
    if (!q->hasRAM)
        return;
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_TOTAL, r->total);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_PROCESSED, r->transferred);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_DATA_REMAINING, r->remaining);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_TOTAL, r->total);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_PROCESSED, r->transferred);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_REMAINING, r->remaining);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_BPS,
                          (unsigned long long)(r->mbps * (1000.0 * 1000.0 / 8.0)));
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_CONSTANT, r->duplicate);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_NORMAL, r->normal);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_NORMAL_BYTES, r->normalBytes);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_DIRTY_RATE, r->dirtyPagesRate);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_ITERATION, r->dirtySyncCount);
    ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_POSTCOPY_REQUESTS, r->postcopyRequests);
    if (r->pageSize && r->pageSize <= 1024 * 1024 * 1024)
        ternMigrationStatsSet(s, TERN_MIGRATION_STAT_MEMORY_PAGE_SIZE, r->pageSize);
}

/* the statistics that are not job-stats parameters of their own */
static bool
qemuMigrationStatIsInternal(int stat)
{
    return stat == TERN_MIGRATION_STAT_STARTED || stat == TERN_MIGRATION_STAT_STOPPED ||
           stat == TERN_MIGRATION_STAT_SENT;
}

static bool
qemuMigrationStatsToParams(const ternMigrationStats *s, int operation, const char *errmsg,
                           ternTypedParameter **params, int *nparams, GError **error)
{
    int maxparams = 0;
    ternTypedParameter *p;

    if (!(p = ternTypedParamsAppend(params, nparams, &maxparams, TERN_DOMAIN_JOB_OPERATION,
                                    TERN_TYPED_PARAM_INT, error)))
        return false;
    p->value.i = operation;
    for (int stat = 0; stat < TERN_MIGRATION_STAT_LAST; stat++) {
        unsigned long long v;
        bool isInt = stat == TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE;

        if (qemuMigrationStatIsInternal(stat) || !ternMigrationStatsGet(s, stat, &v))
            continue;
        if (!(p = ternTypedParamsAppend(params, nparams, &maxparams,
                                        ternMigrationStatTypeToString(stat),
                                        isInt ? TERN_TYPED_PARAM_INT : TERN_TYPED_PARAM_ULLONG,
                                        error)))
            return false;
        if (isInt)
            p->value.i = (int)v;
        else
            p->value.ul = v;
    }
    if (errmsg) {
        if (!(p = ternTypedParamsAppend(params, nparams, &maxparams, TERN_DOMAIN_JOB_ERRMSG,
                                        TERN_TYPED_PARAM_STRING, error)))
            return false;
        p->value.s = g_strdup(errmsg);
    }
    return true;
}

/* remember how the job ended (lock held) */
static void
qemuMigrationRecordEnd(qemuDomainObjPrivate *priv, int type, const GError *err)
{
    qemuMigrationJob *mig = priv->mig;

    g_clear_pointer(&priv->migCompleted.errmsg, g_free);
    priv->migCompleted.type = type;
    priv->migCompleted.operation = mig->incoming ? TERN_DOMAIN_JOB_OPERATION_MIGRATION_IN
                                                 : TERN_DOMAIN_JOB_OPERATION_MIGRATION_OUT;
    priv->migCompleted.stats = mig->stats;
    ternMigrationStatsSet(&priv->migCompleted.stats, TERN_MIGRATION_STAT_TIME_ELAPSED,
                          (unsigned long long)(ternMonotonicMs() - mig->startedMs));
    if (err)
        priv->migCompleted.errmsg = g_strdup(err->message);
}

/* JOB_COMPLETED with the numbers of the job that just ended (locked, still active) */
static void
qemuMigrationEventJobCompleted(qemuDriver *drv, ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    ternTypedParameter *params = NULL;
    int n = 0;

    if (!qemuMigrationStatsToParams(&priv->migCompleted.stats, priv->migCompleted.operation,
                                    NULL, &params, &n, NULL)) {
        ternTypedParamsFree(params, n);
        return;
    }
    ternObjectEventStateQueue(drv->events,
                              ternDomainEventJobCompletedNew(obj->def->name, obj->def->uuid,
                                                             obj->id, params, n));
}

/* end the migration job of @obj (locked): forget it, free the slot */
static void
qemuMigrationJobEnd(ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (priv->mig) {
        qemuMigrationTunnel *t = g_steal_pointer(&priv->mig->tunnel);

        if (t) {
            /* the job slot stays ours; only the pump's end is waited for unlocked */
            ternDomainObjUnlock(obj);
            qemuMigrationTunnelFree(t);
            ternDomainObjLock(obj);
        }
        qemuMigrationPortRelease(priv->mig->port);
        g_clear_pointer(&priv->mig, qemuMigrationJobFree);
    }
    ternDomainObjEndJob(obj);
    if (ternDomainObjIsActive(obj))
        qemuDomainSaveStatus(qemuDriverGet(), obj, NULL);
}

/*
 * What may run alongside a migration's job (ternDomainObjJobAllowsFunc),
 * as libvirt lets it: destroy, always (QEMU's exit fails the migration,
 * which ends its own job, as when QEMU crashes); suspend, while an
 * outgoing pre-copy transfer runs (virsh migrate --timeout: the guest stops
 * dirtying memory and the migration completes).
 */
static bool
qemuMigrationJobAllows(ternDomainObj *obj, const char *jobName)
{
    qemuMigrationJob *mig = ((qemuDomainObjPrivate *)obj->privateData)->mig;

    if (g_str_equal(jobName, "destroy"))
        return true;
    return g_str_equal(jobName, "suspend") && mig && !mig->incoming &&
           mig->phase == QEMU_MIGRATION_PHASE_PERFORM3 && !mig->postcopy;
}

/* take the long job of a migration: "migration out" or "migration in" */
static bool
qemuMigrationJobBegin(ternDomainObj *obj, bool incoming, GError **error)
{
    if (!ternDomainObjBeginJobFull(obj, incoming ? "migration in" : "migration out",
                                   TERN_DOMAIN_OBJ_JOB_LONG, TERN_DOMAIN_OBJ_JOB_WAIT_MS, error))
        return false;
    ternDomainObjJobSetAllows(obj, qemuMigrationJobAllows);
    return true;
}

/* the object and its migration job of the expected party, or an error */
static qemuMigrationJob *
qemuMigrationJobOf(ternDomainObj *obj, bool incoming, const char *phase, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (!priv->mig || priv->mig->incoming != incoming) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' has no %s migration job for phase %s", obj->def->name,
                     incoming ? "incoming" : "outgoing", phase);
        return NULL;
    }
    return priv->mig;
}

/* --- QEMU: capabilities, parameters, waiting --- */

static bool
qemuMigrationSetupQEMU(ternDomainObj *obj, unsigned long long caps,
                       const qemuMonitorMigrationParams *params, GError **error)
{
    qemuMonitor *mon;
    bool ok;

    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrateSetCapabilities(mon, QEMU_MIGRATION_CAPS_MANAGED, caps, error) &&
         (!params || qemuMonitorMigrateSetParams(mon, params, error));
    qemuDomainObjExitMonitor(obj, mon);
    return ok;
}

/* query-migrate into the job's statistics; the status QEMU reports in *retStatus */
static bool
qemuMigrationRefresh(ternDomainObj *obj, int *retStatus, char **retErr, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_auto(qemuMonitorMigrationStats) q = {0};
    qemuMonitor *mon;
    bool ok;

    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorQueryMigrate(mon, &q, error);
    qemuDomainObjExitMonitor(obj, mon);
    if (!ok || !priv->mig)
        return ok;
    if (q.status != QEMU_MONITOR_MIGRATION_STATUS_NONE)
        qemuMigrationStatsFromQEMU(priv->mig, &q, &priv->mig->stats);
    if (retStatus)
        *retStatus = q.status;
    if (retErr && q.errorDesc)
        *retErr = g_strdup(q.errorDesc);
    return true;
}

typedef enum {
    QEMU_MIGRATION_WAIT_DONE,     /* completed */
    QEMU_MIGRATION_WAIT_POSTCOPY, /* switched to post-copy (only when asked to stop there) */
    QEMU_MIGRATION_WAIT_FAILED,   /* *error says why */
} qemuMigrationWaitResult;

/*
 * Wait (object locked; dropped while waiting) until QEMU's migration ends:
 * MIGRATION events wake us, and every QEMU_MIGRATION_REFRESH_MS we ask QEMU
 * ourselves, which also refreshes the job's numbers and catches a migration
 * that moves no byte for QEMU_MIGRATION_STALL_MS (a cut link: TCP would wait
 * for many minutes). @stopAtPostcopy: return once post-copy started. The
 * wait fails when the client of @conn (the one driving the phases) leaves
 * before the switch-over: nobody would call the next phase.
 */
static qemuMigrationWaitResult
qemuMigrationWait(ternDomainObj *obj, ternConnect *conn, bool stopAtPostcopy, gint64 timeoutMs,
                  GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMigrationJob *mig = priv->mig;
    pid_t pid = priv->pid;
    gint64 deadline = timeoutMs > 0 ? ternMonotonicMs() + timeoutMs : 0;
    gint64 lastProgressMs = ternMonotonicMs();
    unsigned long long lastBytes = 0;
    gint64 nextRefresh = 0;

    for (;;) {
        int status = mig->qemuStatus;
        g_autofree char *qemuErr = NULL;
        gint64 now = ternMonotonicMs();

        if (!ternDomainObjIsActive(obj) || priv->pid != pid) {
            if (priv->stopReason == TERN_DOMAIN_SHUTOFF_DESTROYED)
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                             "domain '%s' was destroyed during migration", obj->def->name);
            else
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                             "QEMU of domain '%s' exited during migration", obj->def->name);
            return QEMU_MIGRATION_WAIT_FAILED;
        }
        if (now >= nextRefresh || status == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED ||
            status == QEMU_MONITOR_MIGRATION_STATUS_FAILED) {
            g_autoptr(GError) err = NULL;
            int qs = QEMU_MONITOR_MIGRATION_STATUS_NONE;

            if (!qemuMigrationRefresh(obj, &qs, &qemuErr, &err)) {
                if (!ternDomainObjIsActive(obj) || priv->pid != pid)
                    continue;
                g_propagate_error(error, g_steal_pointer(&err));
                return QEMU_MIGRATION_WAIT_FAILED;
            }
            if (qs != QEMU_MONITOR_MIGRATION_STATUS_NONE)
                status = mig->qemuStatus = qs;
            nextRefresh = ternMonotonicMs() + QEMU_MIGRATION_REFRESH_MS;
            if (mig->stats.dataProcessed != lastBytes || mig->incoming) {
                lastBytes = mig->stats.dataProcessed;
                lastProgressMs = ternMonotonicMs();
            }
        }
        switch (status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            return QEMU_MIGRATION_WAIT_DONE;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "QEMU reports the migration failed: %s",
                         qemuErr ? qemuErr : "no reason given");
            return QEMU_MIGRATION_WAIT_FAILED;
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
            if (mig->abortRequested)
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                             "job 'migration %s' canceled by client", mig->incoming ? "in" : "out");
            else
                ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                             "QEMU cancelled the migration");
            return QEMU_MIGRATION_WAIT_FAILED;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
            mig->postcopy = true;
            if (stopAtPostcopy)
                return QEMU_MIGRATION_WAIT_POSTCOPY;
            break;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "the post-copy migration lost its connection; the guest is paused on "
                         "both hosts");
            return QEMU_MIGRATION_WAIT_FAILED;
        default:
            break;
        }
        if (!mig->postcopy && status != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
            conn && g_atomic_int_get(&conn->clientGone)) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                         "the client driving the migration disconnected");
            return QEMU_MIGRATION_WAIT_FAILED;
        }
        if (mig->peer && mig->peer->driver->connectIsAlive &&
            mig->peer->driver->connectIsAlive(mig->peer) != 1) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "lost the connection to the destination daemon");
            return QEMU_MIGRATION_WAIT_FAILED;
        }
        if (!mig->incoming && !mig->postcopy &&
            ternMonotonicMs() - lastProgressMs > QEMU_MIGRATION_STALL_MS) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "no migration data moved for %d s: is the destination host reachable?",
                         QEMU_MIGRATION_STALL_MS / 1000);
            return QEMU_MIGRATION_WAIT_FAILED;
        }
        if (deadline && ternMonotonicMs() > deadline) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_TIMEOUT,
                         "QEMU did not finish the migration within %lld ms",
                         (long long)timeoutMs);
            return QEMU_MIGRATION_WAIT_FAILED;
        }
        g_cond_wait_until(&mig->cond, &obj->lock,
                          g_get_monotonic_time() + QEMU_MIGRATION_REFRESH_MS * 1000);
    }
}

void
qemuMigrationHandleStatus(qemuDriver *drv, ternDomainObj *obj, int status)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    ternDomainObjLock(obj);
    TERN_DEBUG("domain '%s': MIGRATION event %s", obj->def->name,
              qemuMonitorMigrationStatusToString(status));
    if (priv->mig) {
        priv->mig->qemuStatus = status;
        if (status == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
            priv->mig->postcopy = true;
        g_cond_broadcast(&priv->mig->cond);
    }
    ternDomainObjUnlock(obj);
}

void
qemuMigrationHandlePass(qemuDriver *drv, ternDomainObj *obj, int pass)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    ternDomainObjLock(obj);
    if (priv->mig && !priv->mig->incoming && ternDomainObjIsActive(obj))
        ternObjectEventStateQueue(drv->events,
                                  ternDomainEventMigrationIterationNew(
                                      obj->def->name, obj->def->uuid, obj->id, pass));
    ternDomainObjUnlock(obj);
}

/* resume the source's guest after a failed or cancelled migration (locked, job held) */
static void
qemuMigrationSrcRestoreRunning(qemuDriver *drv, ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_autoptr(GError) err = NULL;
    qemuMonitor *mon;
    qemuMonitorStatus st = {0};

    if (!ternDomainObjIsActive(obj) || !(mon = qemuDomainObjEnterMonitor(obj, &err)))
        return;
    /* QEMU stops the guest at the very end: what counts is QEMU's word, not ours */
    if (qemuMonitorQueryStatus(mon, &st, &err) && !st.running &&
        !(priv->mig && priv->mig->flags & TERN_MIGRATE_PAUSED) &&
        (obj->state == TERN_DOMAIN_RUNNING || obj->reason == TERN_DOMAIN_PAUSED_MIGRATION ||
         obj->reason == TERN_DOMAIN_PAUSED_POSTCOPY ||
         /* after a restart: QEMU stopped it while no ternd watched */
         obj->reason == TERN_DOMAIN_PAUSED_UNKNOWN)) {
        if (!qemuMonitorStartCPUs(mon, &err))
            TERN_ERROR("domain '%s': cannot resume after failed migration: %s", obj->def->name,
                       err->message);
    }
    qemuDomainObjExitMonitor(obj, mon);
    if (ternDomainObjIsActive(obj) && obj->state == TERN_DOMAIN_PAUSED && !err &&
        (obj->reason == TERN_DOMAIN_PAUSED_MIGRATION ||
         obj->reason == TERN_DOMAIN_PAUSED_UNKNOWN)) {
        /* the RESUME event may not have arrived yet */
        ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_MIGRATION_CANCELED);
        qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_RESUMED,
                                 TERN_DOMAIN_EVENT_RESUMED_MIGRATED);
    }
    qemuDomainSaveStatus(drv, obj, NULL);
}

static bool
qemuMigrationCookieOut(const ternMigrationCookie *c, char **cookieout, int *cookieoutlen,
                       GError **error)
{
    if (!cookieout)
        return true;
    return ternMigrationCookieEncode(c, cookieout, cookieoutlen, error);
}

static ternMigrationCookie *
qemuMigrationCookieFor(qemuDriver *drv, const ternDomainDef *def, ternMigrationCookiePhase phase)
{
    ternMigrationCookie *c = ternMigrationCookieNew();

    c->name = g_strdup(def->name);
    memcpy(c->uuid, def->uuid, sizeof(c->uuid));
    c->hostname = g_strndup(g_get_host_name(), TERN_MIGRATION_COOKIE_HOSTNAME_MAX);
    memcpy(c->hostuuid, drv->cfg->hostUUID, sizeof(c->hostuuid));
    c->phase = phase;
    return c;
}

/* --- source: Begin --- */

char *
qemuMigrationSrcBegin(ternDomain *dom, ternTypedParameter *params, int nparams,
                      char **cookieout, int *cookieoutlen, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    g_auto(qemuMigrationArgs) a = {0};
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(ternDomainDef) destDef = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    char *xml = NULL;
    bool offline = flags & TERN_MIGRATE_OFFLINE;

    if (!qemuMigrationArgsParse(params, nparams, flags, true, &a, error))
        goto fail;
    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        goto fail;
    priv = obj->privateData;
    if (!qemuMigrationJobBegin(obj, false, error))
        goto fail;
    if (offline) {
        if (!obj->persistent) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                         "offline migration needs a persistent domain; '%s' is transient",
                         obj->def->name);
            goto endjob;
        }
    } else if (!ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' is not running; use OFFLINE (--offline --persistent) to move "
                     "its definition", obj->def->name);
        goto endjob;
    } else if (obj->state == TERN_DOMAIN_PAUSED && obj->reason != TERN_DOMAIN_PAUSED_USER) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' is paused (reason %d), not by a user; refusing to migrate it",
                     obj->def->name, obj->reason);
        goto endjob;
    }
    if ((flags & TERN_MIGRATE_UNDEFINE_SOURCE) && !obj->persistent) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "cannot undefine the source of transient domain '%s'", obj->def->name);
        goto endjob;
    }
    if (a.destXML) {
        /* the caller's XML for the destination must describe this very domain */
        if (!(destDef = ternDomainDefParseString(a.destXML, TERN_DOMAIN_DEF_PARSE_INACTIVE, error)))
            goto endjob;
        if (memcmp(destDef->uuid, obj->def->uuid, sizeof(destDef->uuid)) != 0) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                         "destination_xml describes another domain (its UUID differs)");
            goto endjob;
        }
        if (!(xml = ternDomainDefFormat(destDef, TERN_DOMAIN_DEF_FORMAT_SECURE |
                                                     TERN_DOMAIN_DEF_FORMAT_INACTIVE, error)))
            goto endjob;
    } else {
        const ternDomainDef *def = offline ? ternDomainObjGetPersistentDef(obj) : obj->def;
        if (!(xml = ternDomainDefFormat(def, TERN_DOMAIN_DEF_FORMAT_SECURE |
                                                 TERN_DOMAIN_DEF_FORMAT_INACTIVE |
                                                 TERN_DOMAIN_DEF_FORMAT_MIGRATABLE, error)))
            goto endjob;
    }
    c = qemuMigrationCookieFor(drv, obj->def, TERN_MIGRATION_COOKIE_PHASE_BEGIN);
    qemuMigrationCapsFor(flags, &a, QEMU_MIGRATION_PARTY_SRC, &c->caps);
    if (c->caps)
        c->flags |= TERN_MIGRATION_COOKIE_CAPABILITIES;
    if ((c->caps & (1ULL << TERN_MIGRATION_COOKIE_CAP_MULTIFD)) && a.qemuParams.hasMultifdChannels)
        c->multifdChannels = (unsigned int)a.qemuParams.multifdChannels;
    if (!qemuMigrationCookieOut(c, cookieout, cookieoutlen, error))
        goto endjob;

    priv->mig = qemuMigrationJobNew(false, flags, dom->conn);
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_BEGIN3);
    TERN_INFO("domain '%s': migration out begins (flags 0x%x)", obj->def->name, flags);
    return xml;

 endjob:
    ternDomainObjEndJob(obj);
 fail:
    g_free(xml);
    if (cookieout) {
        g_clear_pointer(cookieout, g_free);
        *cookieoutlen = 0;
    }
    qemuMigrationPhaseError(error, "begin");
    return NULL;
}

/* --- destination: Prepare --- */

/* hand QEMU @fd under @fdname and point its migration at it: migrate(-incoming) fd:NAME */
static bool
qemuMigrationSendFD(ternDomainObj *obj, const char *fdname, int fd, bool incoming,
                    GError **error)
{
    g_autofree char *uri = g_strdup_printf("fd:%s", fdname);
    qemuMonitor *mon;
    bool ok;

    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorSendFD(mon, fdname, fd, error) &&
         (incoming ? qemuMonitorMigrateIncoming(mon, uri, error)
                   : qemuMonitorMigrate(mon, uri, 0, error));
    qemuDomainObjExitMonitor(obj, mon);
    return ok;
}

/*
 * Start the incoming QEMU and make it listen: on a port of the migration
 * range (*@uriout says where), or, tunnelled, on a pipe fed from @st.
 */
static bool
qemuMigrationDstStartIncoming(qemuDriver *drv, ternDomainObj *obj, const ternMigrationCookie *c,
                              const qemuMigrationArgs *a, ternNetStream *st, char **uriout,
                              GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    const char *listen = a->listen ? a->listen : drv->cfg->migrationAddress;
    g_autofree char *host = NULL;
    g_autofree char *listenURI = NULL;
    qemuMonitorMigrationParams qp = {0};
    qemuMonitor *mon;
    bool ok;
    int port = 0;

    if (st) {
        /* the data comes through the tunnel: no port */
    } else if (a->uri) {
        /* the caller chose the port (--migrateuri): QEMU listens on it, outside the range */
        port = a->uriPort;
    } else {
        if (!(port = qemuMigrationPortReserve(drv->cfg, listen, error)))
            return false;
        priv->mig->port = port;
    }
    if (!qemuProcessStartIncoming(drv, obj, error))
        return false;
    /* what the destination's QEMU must know: multifd channels, decompression threads */
    if (a->qemuParams.hasMultifdChannels || c->multifdChannels) {
        qp.hasMultifdChannels = true;
        qp.multifdChannels = a->qemuParams.hasMultifdChannels ? a->qemuParams.multifdChannels
                                                               : c->multifdChannels;
    }
    if (a->qemuParams.hasDecompressThreads) {
        qp.hasDecompressThreads = true;
        qp.decompressThreads = a->qemuParams.decompressThreads;
    }
    if (!qemuMigrationSetupQEMU(obj, qemuMigrationCapsFromCookie(c),
                                qp.hasMultifdChannels || qp.hasDecompressThreads ? &qp : NULL,
                                error))
        return false;
    if (st) {
        TERN_AUTOCLOSE qemuFD = -1;
        if (!(priv->mig->tunnel = qemuMigrationTunnelInStart(st, "mig-tunnel-in", &qemuFD,
                                                             error)))
            return false;
        return qemuMigrationSendFD(obj, "tern-migrate-in", qemuFD, true, error);
    }
    if (!listen || g_str_equal(listen, "::"))
        listenURI = g_strdup_printf("tcp:%s:%d", listen ? "[::]" : "0.0.0.0", port);
    else if (strchr(listen, ':'))
        listenURI = g_strdup_printf("tcp:[%s]:%d", listen, port);
    else
        listenURI = g_strdup_printf("tcp:%s:%d", listen, port);
    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrateIncoming(mon, listenURI, error);
    qemuDomainObjExitMonitor(obj, mon);
    if (!ok)
        return false;
    if (a->uri) {
        *uriout = g_strdup(a->uri);
        return true;
    }
    host = qemuMigrationHostForURI(drv->cfg, a->listen);
    *uriout = g_strdup_printf("tcp:%s:%d", host, port);
    return true;
}

static bool
qemuMigrationDstPrepareAny(ternConnect *dconn, ternNetStream *st, ternTypedParameter *params,
                           int nparams, const char *cookiein, int cookieinlen, char **cookieout,
                           int *cookieoutlen, char **uriout, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dconn);
    g_auto(qemuMigrationArgs) a = {0};
    g_autoptr(ternMigrationCookie) cin = NULL;
    g_autoptr(ternMigrationCookie) cout = NULL;
    g_autoptr(ternDomainDef) def = NULL;
    g_autofree char *uri = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    bool existed;
    bool offline = flags & TERN_MIGRATE_OFFLINE;

    if (!qemuMigrationArgsParse(params, nparams, flags, false, &a, error))
        goto fail;
    if (!(cin = ternMigrationCookieDecode(cookiein, cookieinlen, error)) ||
        !ternMigrationCookieCheckHost(cin, drv->cfg->hostUUID, error))
        goto fail;
    if (!a.destXML) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "no domain XML for the destination (destination_xml) was passed");
        goto fail;
    }
    if (!(def = ternDomainDefParseString(a.destXML, TERN_DOMAIN_DEF_PARSE_INACTIVE, error)))
        goto fail;
    if (def->virtType != TERN_DOMAIN_VIRT_QEMU && def->virtType != TERN_DOMAIN_VIRT_KVM) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_CONFIG_UNSUPPORTED,
                     "domain type '%s' cannot be migrated to the QEMU driver",
                     ternDomainVirtTypeToString(def->virtType));
        goto fail;
    }
    if (cin->name && memcmp(cin->uuid, def->uuid, sizeof(def->uuid)) != 0) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the cookie and the domain XML describe different domains");
        goto fail;
    }
    if (a.dname) {
        g_free(def->name);
        def->name = g_strdup(a.dname);
    }
    if (offline) {
        /* nothing runs here before Finish defines it; libvirt.so insists on a URI all
         * the same (its offline path never uses it): where a live one would point */
        g_autofree char *host = qemuMigrationHostForURI(drv->cfg, a.listen);
        cout = qemuMigrationCookieFor(drv, def, TERN_MIGRATION_COOKIE_PHASE_PREPARE);
        if (!qemuMigrationCookieOut(cout, cookieout, cookieoutlen, error))
            goto fail;
        if (uriout)
            *uriout = g_strdup_printf("tcp:%s:%d", host, drv->cfg->migrationPortMin);
        return true;
    }
    {
        TERN_DOMAIN_OBJ_AUTOEND prev = ternDomainObjListFindByName(drv->domains, def->name);
        existed = prev != NULL;
    }
    if (!(obj = ternDomainObjListAdd(drv->domains, &def, TERN_DOMAIN_OBJ_LIST_ADD_LIVE, NULL,
                                     error)))
        goto fail;
    priv = obj->privateData;
    if (!qemuMigrationJobBegin(obj, true, error)) {
        if (!ternDomainObjIsActive(obj)) {
            ternDomainObjRemoveTransientDef(obj);
            if (!existed)
                ternDomainObjListRemove(drv->domains, obj);
        }
        goto fail;
    }
    if (ternDomainObjIsActive(obj)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' is already running on this host", obj->def->name);
        ternDomainObjEndJob(obj);
        goto fail;
    }
    priv->mig = qemuMigrationJobNew(true, flags, dconn);
    priv->mig->phase = QEMU_MIGRATION_PHASE_PREPARE;
    if (!qemuMigrationDstStartIncoming(drv, obj, cin, &a, st, &uri, error))
        goto kill;
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_PREPARE);
    cout = qemuMigrationCookieFor(drv, obj->def, TERN_MIGRATION_COOKIE_PHASE_PREPARE);
    cout->migrateURI = g_strdup(uri);
    if (!qemuMigrationCookieOut(cout, cookieout, cookieoutlen, error))
        goto kill;
    TERN_INFO("domain '%s': migration in prepared, QEMU listens %s%s", obj->def->name,
              st ? "on the tunnel" : "for ", st ? "" : uri);
    if (uriout)
        *uriout = g_steal_pointer(&uri);
    return true;

 kill:
    /* nothing ran here: the QEMU goes, the domain goes unless it was defined before */
    qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_FAILED, TERN_DOMAIN_EVENT_STOPPED_FAILED,
                    QEMU_MIGRATION_KILL_GRACE_MS, NULL);
    if (!ternDomainObjIsActive(obj))
        ternDomainObjRemoveTransientDef(obj); /* QEMU never started: undo the live add */
    qemuMigrationJobEnd(obj);
    if (!existed && !obj->persistent)
        ternDomainObjListRemove(drv->domains, obj);
 fail:
    if (cookieout) {
        g_clear_pointer(cookieout, g_free);
        *cookieoutlen = 0;
    }
    qemuMigrationPhaseError(error, "prepare");
    return false;
}


/* --- source: peer-to-peer, the source daemon drives the destination --- */

static bool qemuMigrationSrcPerformNative(ternDomain *dom, const char *dconnuri,
                                          ternTypedParameter *params, int nparams,
                                          const char *cookiein, int cookieinlen,
                                          char **cookieout, int *cookieoutlen,
                                          unsigned int flags, ternNetStream *tunnel,
                                          GError **error);

/* a copy of @params with @name set to the string @value */
static bool
qemuMigrationParamsWithString(const ternTypedParameter *params, int nparams, const char *name,
                              const char *value, ternTypedParamList *ret, GError **error)
{
    return ternTypedParamListCopy(ret, params, nparams, error) &&
           ternTypedParamListSetString(ret, name, value, error);
}

/* @dom's object, locked, when an outgoing migration job runs on it; else NULL */
static ternDomainObj *
qemuMigrationSrcObjOf(ternDomain *dom)
{
    ternDomainObj *obj = qemuDomainObjFromDomain(dom, NULL);
    qemuDomainObjPrivate *priv;

    if (!obj)
        return NULL;
    priv = obj->privateData;
    if (priv->mig && !priv->mig->incoming)
        return obj;
    ternDomainObjEndAPI(&obj);
    return NULL;
}

/* tell the running job of @dom which connection reaches the destination (NULL: none now) */
static void
qemuMigrationSrcSetPeer(ternDomain *dom, ternConnect *peer)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = qemuMigrationSrcObjOf(dom);

    if (obj)
        ((qemuDomainObjPrivate *)obj->privateData)->mig->peer = peer;
}

/*
 * (locked) End the outgoing job of @obj, whose data went, without resuming:
 * the destination may run the guest already, and resuming here could run
 * it twice. Someone who can look there decides.
 */
static void
qemuMigrationSrcLeavePausedLocked(ternDomainObj *obj, const GError *why)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    TERN_ERROR("domain '%s': %s; the guest stays paused here (resume it only if it does not "
               "run on the destination)", obj->def->name, why->message);
    qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_FAILED, why);
    qemuMigrationJobEnd(obj);
}

static void
qemuMigrationSrcLeavePaused(ternDomain *dom, const GError *why)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = qemuMigrationSrcObjOf(dom);

    if (obj)
        qemuMigrationSrcLeavePausedLocked(obj, why);
}

typedef struct {
    ternConnect *dconn; /* one reference */
    ternTypedParamList params;
    unsigned int flags;
} qemuMigrationPeerCancel;

static gpointer
qemuMigrationPeerCancelThread(gpointer opaque)
{
    qemuMigrationPeerCancel *c = opaque;
    g_autoptr(GError) err = NULL;
    ternDomain *ddom;

    ddom = c->dconn->driver->domainMigrateFinish3Params(c->dconn, c->params.params, c->params.n,
                                                        NULL, 0, NULL, NULL, c->flags, 1, &err);
    g_clear_pointer(&ddom, ternDomainUnrefInternal);
    if (err && !g_error_matches(err, ternErrorQuark(TERN_FROM_QEMU),
                                TERN_ERR_MIGRATE_FINISH_OK))
        TERN_DEBUG("cancelling at '%s': %s", c->dconn->uri, err->message);
    ternConnectUnrefInternal(c->dconn);
    ternTypedParamListClear(&c->params);
    g_free(c);
    return NULL;
}

/* Finish(cancelled) at the destination on a thread of its own; steals @params */
static void
qemuMigrationPeerCancelAsync(ternConnect *dconn, ternTypedParamList *params, unsigned int flags)
{
    qemuMigrationPeerCancel *c = g_new0(qemuMigrationPeerCancel, 1);

    if (!ternConnectTryRef(dconn)) {
        g_free(c);
        return;
    }
    c->dconn = dconn;
    c->params = *params;
    memset(params, 0, sizeof(*params));
    c->flags = flags;
    g_thread_unref(g_thread_new("mig-peer-cancel", qemuMigrationPeerCancelThread, c));
}

/* prefix an error from the destination daemon so the user knows whose it is */
static void
qemuMigrationPeerError(GError **error, const char *uri)
{
    if (error && *error)
        g_prefix_error(error, "destination '%s': ", uri);
}

static bool
qemuMigrationSrcPerformP2P(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                           int nparams, unsigned int flags, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    unsigned int destflags =
        flags & ~(TERN_MIGRATE_ABORT_ON_ERROR | TERN_MIGRATE_AUTO_CONVERGE |
                  TERN_MIGRATE_CHANGE_PROTECTION);
    g_auto(qemuMigrationArgs) a = {0};
    g_auto(ternTypedParamList) prep = {0};
    g_auto(ternTypedParamList) perf = {0};
    g_auto(ternTypedParamList) fin = {0};
    g_autoptr(ternConnect) dconn = NULL;
    g_autoptr(ternDomain) ddom = NULL;
    g_autoptr(GError) perr = NULL;
    g_autoptr(GError) ferr = NULL;
    g_autoptr(GError) cerr = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *cookie1 = NULL, *cookie2 = NULL, *cookie3 = NULL, *cookie4 = NULL;
    int len1 = 0, len2 = 0, len3 = 0, len4 = 0;
    g_autofree char *uriout = NULL;
    g_autoptr(ternNetStream) st = NULL;
    bool tunnelled = flags & TERN_MIGRATE_TUNNELLED;
    bool performed;

    if (!dconnuri) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "peer-to-peer migration needs the destination daemon's URI");
        return false;
    }
    if (!qemuMigrationArgsParse(params, nparams, flags, true, &a, error))
        return false;
    if (flags & TERN_MIGRATE_OFFLINE) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_ARGUMENT_UNSUPPORTED,
                     "offline migration is client-managed only; drop PEER2PEER");
        return false;
    }
    if (!(dconn = ternConnectOpenPeer(dconnuri, error))) {
        g_prefix_error(error, "cannot connect to the destination daemon: ");
        return false;
    }
    if (drv->cfg->peerKeepaliveInterval > 0 && dconn->driver->connectSetKeepAlive)
        dconn->driver->connectSetKeepAlive(dconn, drv->cfg->peerKeepaliveInterval,
                                           drv->cfg->peerKeepaliveCount, NULL);
    if (!dconn->driver->connectSupportsFeature ||
        dconn->driver->connectSupportsFeature(dconn, TERN_DRV_FEATURE_MIGRATION_PARAMS,
                                              NULL) != 1 ||
        !dconn->driver->domainMigratePrepare3Params || !dconn->driver->domainMigrateFinish3Params) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_ARGUMENT_UNSUPPORTED,
                     "the destination daemon '%s' does not take migrations with parameters",
                     dconnuri);
        return false;
    }

    /* Begin here: takes the job, says what the destination needs */
    if (!(xml = qemuMigrationSrcBegin(dom, params, nparams, &cookie1, &len1, flags, error)))
        return false;
    if (!qemuMigrationParamsWithString(params, nparams, TERN_MIGRATE_PARAM_DEST_XML, xml,
                                       &prep, error))
        goto cancel;

    /* Prepare there: with a port of its own, or on a stream of this connection */
    if (tunnelled ? !dconn->driver->domainMigratePrepareTunnel3Params ||
                        !dconn->driver->domainMigratePrepareTunnel3Params(
                            dconn, &st, prep.params, prep.n, cookie1, len1, &cookie2, &len2,
                            destflags, error)
                  : !dconn->driver->domainMigratePrepare3Params(dconn, prep.params, prep.n,
                                                                cookie1, len1, &cookie2, &len2,
                                                                &uriout, destflags, error)) {
        if (error && !*error)
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_NO_SUPPORT,
                         "the destination cannot take tunnelled migrations");
        qemuMigrationPeerError(error, dconnuri);
        goto cancel;
    }
    /* Perform's parameters (natively with where the data goes) and Finish's, made before
     * anything is sent: no failure may come after Perform */
    if (!tunnelled && !uriout && !a.uri) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INTERNAL_ERROR,
                     "the destination daemon did not say where to send the data");
        goto cancel_dest;
    }
    if (!(tunnelled ? ternTypedParamListCopy(&perf, prep.params, prep.n, error)
                    : qemuMigrationParamsWithString(prep.params, prep.n, TERN_MIGRATE_PARAM_URI,
                                                    a.uri ? a.uri : uriout, &perf, error)) ||
        !qemuMigrationParamsWithString(perf.params, perf.n, TERN_MIGRATE_PARAM_DEST_NAME,
                                       a.dname ? a.dname : dom->name, &fin, error))
        goto cancel_dest;

    /* Perform here, watching the connection to the destination */
    qemuMigrationSrcSetPeer(dom, dconn);
    performed = qemuMigrationSrcPerformNative(dom, NULL, perf.params, perf.n, cookie2, len2,
                                              &cookie3, &len3, flags, st, &perr);
    qemuMigrationSrcSetPeer(dom, NULL);

    /* Finish there: runs the guest, or (cancelled) drops what Prepare built */
    if (!performed) {
        /* Perform resumed the guest here and ended the job; the destination drops its
         * half-built guest when Finish(cancelled) reaches it, or when this connection
         * dies: the client need not wait for either (a cut link would keep it until
         * keepalive gives up) */
        qemuMigrationPeerCancelAsync(dconn, &fin, destflags);
        g_propagate_error(error, g_steal_pointer(&perr));
        return false;
    }
    ddom = dconn->driver->domainMigrateFinish3Params(dconn, fin.params, fin.n, cookie3, len3,
                                                     &cookie4, &len4, destflags, 0, &ferr);
    if (!ddom && dconn->driver->connectIsAlive && dconn->driver->connectIsAlive(dconn) != 1) {
        /* no answer: resuming here could run the guest twice; ask what the destination did */
        g_autoptr(GError) why = NULL;
        g_autoptr(GError) lost = NULL;
        const char *dname = a.dname ? a.dname : dom->name;

        TERN_WARN("domain '%s': the answer to Finish was lost (%s); asking '%s' what it did",
                  dom->name, ferr ? ferr->message : "connection closed", dconnuri);
        switch (ternMigrationAskDestination(ternConnectOpenPeer, dconnuri, dname,
                                            TERN_MIGRATION_ASK_MS, NULL, &why)) {
        case TERN_MIGRATION_OUTCOME_RUNS:
            TERN_WARN("domain '%s': the destination runs it: the migration succeeded",
                      dom->name);
            if (!qemuMigrationSrcConfirm(dom, fin.params, fin.n, NULL, 0, flags, 0, &cerr))
                TERN_ERROR("domain '%s': confirm after peer-to-peer migration failed: %s",
                           dom->name, cerr->message);
            return true;
        case TERN_MIGRATION_OUTCOME_NOTHING:
            break; /* it runs here again, below */
        case TERN_MIGRATION_OUTCOME_UNKNOWN:
            ternErrorSet(&lost, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "the answer of the destination '%s' to Finish was lost (%s) and it "
                         "cannot tell whether it runs the guest (%s): the guest stays paused "
                         "here; resume it only if it does not run there",
                         dconnuri, ferr ? ferr->message : "connection closed", why->message);
            qemuMigrationSrcLeavePaused(dom, lost);
            g_propagate_error(error, g_steal_pointer(&lost));
            return false;
        }
    }

    /* Confirm here: the source's copy goes, or (Finish failed) it runs again */
    if (!qemuMigrationSrcConfirm(dom, fin.params, fin.n, cookie4, len4, flags, ddom == NULL,
                                 &cerr))
        TERN_ERROR("domain '%s': confirm after peer-to-peer migration failed: %s", dom->name,
                   cerr->message);
    if (!ddom) {
        if (!ferr)
            ternErrorSet(&ferr, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "the destination did not start the guest");
        /* the destination's error names its phase already */
        g_propagate_error(error, g_steal_pointer(&ferr));
        qemuMigrationPeerError(error, dconnuri);
        return false;
    }
    return true;

 cancel_dest:
    /* Prepare built the guest's QEMU there: drop it */
    if (st)
        ternNetStreamAbort(st, NULL);
    ddom = dconn->driver->domainMigrateFinish3Params(dconn, prep.params, prep.n, NULL, 0, NULL,
                                                     NULL, destflags, 1, NULL);
 cancel:
    /* nothing was sent: the guest never stopped here; end the job */
    if (!qemuMigrationSrcConfirm(dom, params, nparams, NULL, 0, flags, 1, &cerr))
        TERN_WARN("domain '%s': ending the migration job: %s", dom->name, cerr->message);
    return false;
}

bool
qemuMigrationDstPrepare(ternConnect *dconn, ternTypedParameter *params, int nparams,
                        const char *cookiein, int cookieinlen, char **cookieout,
                        int *cookieoutlen, char **uriout, unsigned int flags, GError **error)
{
    if (flags & TERN_MIGRATE_TUNNELLED) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "a tunnelled migration is prepared through the tunnel procedure");
        qemuMigrationPhaseError(error, "prepare");
        return false;
    }
    return qemuMigrationDstPrepareAny(dconn, NULL, params, nparams, cookiein, cookieinlen,
                                      cookieout, cookieoutlen, uriout, flags, error);
}

bool
qemuMigrationDstPrepareTunnel(ternConnect *dconn, ternNetStream **st,
                              ternTypedParameter *params, int nparams, const char *cookiein,
                              int cookieinlen, char **cookieout, int *cookieoutlen,
                              unsigned int flags, GError **error)
{
    if (!(flags & TERN_MIGRATE_TUNNELLED) || !st || !*st) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "the tunnel procedure needs the TUNNELLED flag and its stream");
        qemuMigrationPhaseError(error, "prepare");
        return false;
    }
    return qemuMigrationDstPrepareAny(dconn, *st, params, nparams, cookiein, cookieinlen,
                                      cookieout, cookieoutlen, NULL, flags, error);
}

/* --- source: Perform --- */

static bool
qemuMigrationSrcStart(qemuDriver *drv, ternDomainObj *obj, const qemuMigrationArgs *a,
                      const char *uri, ternNetStream *tunnel, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitorMigrationParams qp = a->qemuParams;
    unsigned long long speed = a->hasBandwidth ? a->bandwidth : priv->migMaxSpeedMiB;
    qemuMonitor *mon;
    bool ok;

    /* a shallow copy: the strings stay a's (none are set for migration) */
    qp.hasMaxBandwidth = true;
    qp.maxBandwidth = (speed ? speed : (unsigned long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB) *
                      1024ULL * 1024ULL;
    if (priv->migMaxDowntimeMs) {
        qp.hasDowntimeLimit = true;
        qp.downtimeLimit = priv->migMaxDowntimeMs;
    }
    if (a->hasPostcopyBandwidth || priv->migMaxPostcopySpeedMiB) {
        qp.hasMaxPostcopyBandwidth = true;
        qp.maxPostcopyBandwidth =
            (a->hasPostcopyBandwidth ? a->postcopyBandwidth : priv->migMaxPostcopySpeedMiB) *
            1024ULL * 1024ULL;
    }
    if (!qemuMigrationSetupQEMU(obj, qemuMigrationCapsFor(a->flags, a, QEMU_MIGRATION_PARTY_SRC,
                                                          NULL),
                                &qp, error))
        return false;
    /* the limit a migration was given stays the domain's (what get-speed reports) */
    if (a->hasBandwidth)
        priv->migMaxSpeedMiB = a->bandwidth;
    if (priv->mig->abortRequested) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                     "job 'migration out' canceled by client");
        return false;
    }
    if (!(a->flags & TERN_MIGRATE_LIVE) && obj->state == TERN_DOMAIN_RUNNING) {
        /* not live: the guest stands still while its memory is copied (once) */
        if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
            return false;
        ok = qemuMonitorStopCPUs(mon, error);
        qemuDomainObjExitMonitor(obj, mon);
        if (!ok)
            return false;
    }
    if (tunnel) {
        TERN_AUTOCLOSE qemuFD = -1;
        if (!(priv->mig->tunnel = qemuMigrationTunnelOutStart(tunnel, "mig-tunnel-out", &qemuFD,
                                                              error)))
            return false;
        return qemuMigrationSendFD(obj, "tern-migrate-out", qemuFD, false, error);
    }
    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrate(mon, uri, 0, error);
    qemuDomainObjExitMonitor(obj, mon);
    return ok;
}

/* an abort that arrived while `migrate` was on its way found nothing to cancel yet */
static bool
qemuMigrationSrcCheckLateAbort(ternDomainObj *obj, GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitor *mon;

    if (!priv->mig->abortRequested)
        return true;
    if ((mon = qemuDomainObjEnterMonitor(obj, NULL))) {
        qemuMonitorMigrateCancel(mon, NULL);
        qemuDomainObjExitMonitor(obj, mon);
    }
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                 "job 'migration out' canceled by client");
    return false;
}

/* after a failed Perform: make sure QEMU stopped sending, then resume the guest here */
static void
qemuMigrationSrcPerformFailed(qemuDriver *drv, ternDomainObj *obj, const GError *err)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    g_autoptr(GError) ignored = NULL;
    qemuMonitor *mon;

    if ((mon = qemuDomainObjEnterMonitor(obj, &ignored))) {
        qemuMonitorMigrateCancel(mon, NULL);
        qemuDomainObjExitMonitor(obj, mon);
    }
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED);
    qemuMigrationSrcRestoreRunning(drv, obj);
    qemuMigrationRecordEnd(priv, priv->mig->abortRequested ? TERN_DOMAIN_JOB_CANCELLED
                                                           : TERN_DOMAIN_JOB_FAILED, err);
    TERN_WARN("domain '%s': migration out failed: %s; %s", obj->def->name,
              err ? err->message : "?",
              ternDomainObjIsActive(obj) ? "the guest runs here" : "its QEMU is gone");
    qemuMigrationJobEnd(obj);
}

/* the native Perform: QEMU sends straight to the destination QEMU */
static bool
qemuMigrationSrcPerformNative(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                              int nparams, const char *cookiein, int cookieinlen,
                              char **cookieout, int *cookieoutlen, unsigned int flags,
                              ternNetStream *tunnel, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    g_auto(qemuMigrationArgs) a = {0};
    g_autoptr(ternMigrationCookie) cin = NULL;
    g_autoptr(ternMigrationCookie) cout = NULL;
    g_autoptr(GError) err = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuMigrationJob *mig;
    const char *uri;
    qemuMigrationWaitResult res;

    if (dconnuri) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "a destination daemon URI is only used with PEER2PEER");
        goto fail;
    }
    if (!qemuMigrationArgsParse(params, nparams, flags, true, &a, error) ||
        !(cin = ternMigrationCookieDecode(cookiein, cookieinlen, error)) ||
        !(obj = qemuDomainObjFromDomain(dom, error)) ||
        !(mig = qemuMigrationJobOf(obj, false, "perform", error)))
        goto fail;
    if (mig->phase != QEMU_MIGRATION_PHASE_BEGIN3) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "migration of '%s' is in phase %s, not ready to perform", obj->def->name,
                     qemuMigrationPhaseToString(mig->phase));
        goto fail;
    }
    /* libvirt.so adds PAUSED after Begin when the guest is paused; nothing else may change */
    if ((flags & ~TERN_MIGRATE_PAUSED) != (mig->flags & ~TERN_MIGRATE_PAUSED)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "perform flags 0x%x differ from begin's 0x%x", flags, mig->flags);
        goto fail;
    }
    mig->flags = flags;
    if (!(uri = a.uri ? a.uri : cin->migrateURI) && !tunnel) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "no migration URI: the destination did not say where to send the data");
        goto fail;
    }
    mig->conn = dom->conn;
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_PERFORM3);
    if (!qemuMigrationSrcStart(drv, obj, &a, uri, tunnel, &err) ||
        !qemuMigrationSrcCheckLateAbort(obj, &err))
        res = QEMU_MIGRATION_WAIT_FAILED;
    else
        res = qemuMigrationWait(obj, dom->conn, flags & TERN_MIGRATE_POSTCOPY, 0, &err);
    if (res != QEMU_MIGRATION_WAIT_FAILED && mig->tunnel) {
        /* QEMU wrote everything into the pipe: done once the destination has it all */
        bool sent;
        ternDomainObjUnlock(obj);
        sent = qemuMigrationTunnelWait(mig->tunnel, &err);
        ternDomainObjLock(obj);
        if (!sent) {
            g_prefix_error(&err, "the tunnel failed: ");
            res = QEMU_MIGRATION_WAIT_FAILED;
        } else {
            TERN_DEBUG("domain '%s': %llu bytes through the tunnel", obj->def->name,
                       qemuMigrationTunnelBytes(mig->tunnel));
        }
    }
    if (res == QEMU_MIGRATION_WAIT_FAILED) {
        if (mig->tunnel) {
            /* its pump may sit in a send to a dead peer: never wait for it with the lock.
             * When the tunnel broke first, its reason is the real one, not QEMU's EPIPE */
            qemuMigrationTunnel *t = g_steal_pointer(&mig->tunnel);
            g_autoptr(GError) terr = NULL;
            ternDomainObjUnlock(obj);
            if (!qemuMigrationTunnelFailed(t, &terr) || !terr)
                qemuMigrationTunnelAbort(t);
            qemuMigrationTunnelFree(t);
            ternDomainObjLock(obj);
            if (terr && !mig->abortRequested) {
                g_clear_error(&err);
                err = g_steal_pointer(&terr);
                g_prefix_error(&err, "the tunnel to the destination failed: ");
            }
        }
        if (mig->abortRequested && !g_error_matches(err, ternErrorQuark(TERN_FROM_QEMU),
                                                    TERN_ERR_OPERATION_ABORTED)) {
            g_clear_error(&err);
            ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_ABORTED,
                         "job 'migration out' canceled by client");
        }
        qemuMigrationSrcPerformFailed(drv, obj, err);
        g_propagate_error(error, g_steal_pointer(&err));
        goto fail;
    }
    ternMigrationStatsSet(&mig->stats, TERN_MIGRATION_STAT_SENT,
                          (unsigned long long)qemuMigrationRealMs());
    {
        /* a poll may see QEMU done before its STOP event was handled: it stopped by now */
        unsigned long long stopped;
        if (!ternMigrationStatsGet(&mig->stats, TERN_MIGRATION_STAT_STOPPED, &stopped))
            ternMigrationStatsSet(&mig->stats, TERN_MIGRATION_STAT_STOPPED,
                                  (unsigned long long)qemuMigrationRealMs());
    }
    cout = qemuMigrationCookieFor(drv, obj->def, TERN_MIGRATION_COOKIE_PHASE_PERFORM);
    cout->flags |= TERN_MIGRATION_COOKIE_STATISTICS;
    cout->stats = mig->stats;
    if (flags & TERN_MIGRATE_PERSIST_DEST) {
        const ternDomainDef *pdef = ternDomainObjGetPersistentDef(obj);
        g_autofree char *pxml = NULL;

        if (a.persistXML)
            pxml = g_strdup(a.persistXML);
        else if (pdef)
            pxml = ternDomainDefFormat(pdef, TERN_DOMAIN_DEF_FORMAT_SECURE |
                                                 TERN_DOMAIN_DEF_FORMAT_INACTIVE, NULL);
        else
            pxml = ternDomainDefFormat(obj->def, TERN_DOMAIN_DEF_FORMAT_SECURE |
                                                     TERN_DOMAIN_DEF_FORMAT_INACTIVE, NULL);
        if (pxml) {
            cout->flags |= TERN_MIGRATION_COOKIE_PERSISTENT;
            cout->persistentXML = g_steal_pointer(&pxml);
        }
    }
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_PERFORM3_DONE);
    if (!qemuMigrationCookieOut(cout, cookieout, cookieoutlen, &err)) {
        /* no answer that lets Finish run the guest goes out: the client cancels it
         * there, so the guest runs here again, as after any failed Perform */
        qemuMigrationSrcPerformFailed(drv, obj, err);
        g_propagate_error(error, g_steal_pointer(&err));
        goto fail;
    }
    TERN_INFO("domain '%s': migration data sent%s", obj->def->name,
              mig->postcopy ? " (post-copy running)" : "");
    return true;

 fail:
    if (cookieout) {
        g_clear_pointer(cookieout, g_free);
        *cookieoutlen = 0;
    }
    qemuMigrationPhaseError(error, "perform");
    return false;
}

bool
qemuMigrationSrcPerform(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                        int nparams, const char *cookiein, int cookieinlen, char **cookieout,
                        int *cookieoutlen, unsigned int flags, GError **error)
{
    if (flags & TERN_MIGRATE_PEER2PEER)
        return qemuMigrationSrcPerformP2P(dom, dconnuri, params, nparams, flags, error);
    return qemuMigrationSrcPerformNative(dom, dconnuri, params, nparams, cookiein, cookieinlen,
                                         cookieout, cookieoutlen, flags, NULL, error);
}

/* --- destination: Finish --- */

/* OFFLINE: nothing ran; the definition the client passed becomes this host's */
static ternDomain *
qemuMigrationDstFinishOffline(qemuDriver *drv, ternConnect *dconn, const qemuMigrationArgs *a,
                              const char *name, int cancelled, GError **error)
{
    g_autoptr(ternDomainDef) def = NULL;
    const char *xml = a->persistXML ? a->persistXML : a->destXML;

    if (cancelled) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_MIGRATE_FINISH_OK,
                     "offline migration of domain '%s' was cancelled; nothing is left here",
                     name);
        return NULL;
    }
    if (!xml) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "offline migration needs the definition (destination_xml)");
        return NULL;
    }
    if (!(def = ternDomainDefParseString(xml, TERN_DOMAIN_DEF_PARSE_INACTIVE, error)))
        return NULL;
    g_free(def->name);
    def->name = g_strdup(name);
    return qemuDomainDefine(drv, dconn, &def, error);
}

/* PERSIST_DEST: the persistent config the source sent becomes this domain's (locked) */
static bool
qemuMigrationDstPersist(qemuDriver *drv, ternDomainObj *obj, const ternMigrationCookie *c,
                        const char *dname, GError **error)
{
    g_autoptr(ternDomainDef) def = NULL;
    bool updated = obj->persistent;

    if (c->persistentXML) {
        if (!(def = ternDomainDefParseString(c->persistentXML, TERN_DOMAIN_DEF_PARSE_INACTIVE,
                                             error)))
            return false;
    } else {
        def = ternDomainDefCopy(obj->def);
        def->id = -1;
    }
    if (dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    if (!qemuDomainSaveConfig(drv, def, error))
        return false;
    if (obj->newDef)
        ternDomainDefFree(obj->newDef);
    obj->newDef = g_steal_pointer(&def);
    obj->persistent = true;
    ((qemuDomainObjPrivate *)obj->privateData)->mig->definedHere = !updated;
    qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_DEFINED,
                             updated ? TERN_DOMAIN_EVENT_DEFINED_UPDATED
                                     : TERN_DOMAIN_EVENT_DEFINED_ADDED);
    return true;
}

/*
 * The downtime the guest saw: from the source's STOP (its clock, in the
 * cookie) to our resume, as libvirt computes it. QEMU's own figure ends
 * when the source has sent everything and misses the destination's load
 * and resume; for post-copy it even runs to the end of the page pulls.
 * Host clocks are assumed in sync (NTP); a negative span keeps QEMU's.
 */
static void
qemuMigrationDstSetDowntime(qemuMigrationJob *mig)
{
    unsigned long long stopped;
    gint64 now = qemuMigrationRealMs();

    if (ternMigrationStatsGet(&mig->stats, TERN_MIGRATION_STAT_STOPPED, &stopped) &&
        now >= 0 && (unsigned long long)now >= stopped)
        ternMigrationStatsSet(&mig->stats, TERN_MIGRATION_STAT_DOWNTIME,
                              (unsigned long long)now - stopped);
}

/* kill the incoming guest that will not run here (locked, job held) and end the job */
static void
qemuMigrationDstDiscard(qemuDriver *drv, ternDomainObj *obj, const GError *why)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    TERN_WARN("domain '%s': incoming migration discarded: %s", obj->def->name,
              why ? why->message : "cancelled");
    if (priv->mig)
        qemuMigrationRecordEnd(priv, why ? TERN_DOMAIN_JOB_FAILED : TERN_DOMAIN_JOB_CANCELLED,
                               why);
    if (priv->mig && priv->mig->definedHere) {
        /* the guest goes back to the source: so does the definition this job made */
        g_autoptr(GError) err = NULL;
        if (!qemuDomainRemoveConfig(drv, obj->def->name, &err))
            TERN_WARN("domain '%s': %s", obj->def->name, err->message);
        g_clear_pointer(&obj->newDef, ternDomainDefFree);
        obj->persistent = false;
        qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_UNDEFINED,
                                 TERN_DOMAIN_EVENT_UNDEFINED_REMOVED);
    }
    qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_FAILED, TERN_DOMAIN_EVENT_STOPPED_FAILED,
                    QEMU_MIGRATION_KILL_GRACE_MS, NULL);
    qemuMigrationJobEnd(obj);
}

ternDomain *
qemuMigrationDstFinish(ternConnect *dconn, ternTypedParameter *params, int nparams,
                       const char *cookiein, int cookieinlen, char **cookieout,
                       int *cookieoutlen, unsigned int flags, int cancelled, GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dconn);
    g_auto(qemuMigrationArgs) a = {0};
    g_autoptr(ternMigrationCookie) cin = NULL;
    g_autoptr(ternMigrationCookie) cout = NULL;
    g_autoptr(GError) err = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMigrationJob *mig;
    ternDomain *ret = NULL;
    const char *name;
    qemuMonitor *mon;

    if (!qemuMigrationArgsParse(params, nparams, flags, false, &a, error) ||
        !(cin = ternMigrationCookieDecode(cookiein, cookieinlen, error)))
        goto fail;
    if (!(name = a.dname ? a.dname : cin->name)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "Finish needs the domain's name (destination_name)");
        goto fail;
    }
    if (flags & TERN_MIGRATE_OFFLINE) {
        if (!(ret = qemuMigrationDstFinishOffline(drv, dconn, &a, name, cancelled, error)))
            goto fail;
        return ret;
    }
    if (!(obj = ternDomainObjListFindByName(drv->domains, name))) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_NO_DOMAIN,
                     "no incoming migration of domain '%s' on this host", name);
        goto fail;
    }
    if (!(mig = qemuMigrationJobOf(obj, true, "finish", error)))
        goto fail;
    priv = obj->privateData;
    if (cancelled) {
        /* libvirt's code for "cancelled as asked": the caller keeps its own error */
        qemuMigrationDstDiscard(drv, obj, NULL);
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_MIGRATE_FINISH_OK,
                     "migration of domain '%s' was cancelled; nothing is left here", name);
        return NULL;
    }
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_FINISH3);
    if (cin->flags & TERN_MIGRATION_COOKIE_STATISTICS)
        mig->stats = cin->stats;
    /* the source says it sent everything; wait until QEMU here loaded it */
    if (qemuMigrationWait(obj, dconn, true, QEMU_MIGRATION_FINISH_WAIT_MS, &err) ==
        QEMU_MIGRATION_WAIT_FAILED)
        goto discard;
    if (!ternDomainObjIsActive(obj)) {
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "QEMU of domain '%s' exited while loading the migration", name);
        goto discard;
    }
    if ((flags & TERN_MIGRATE_PERSIST_DEST) &&
        !qemuMigrationDstPersist(drv, obj, cin, a.dname, &err))
        goto discard;
    TERN_DEBUG("domain '%s': incoming migration loaded", name);
    if (!(flags & TERN_MIGRATE_PAUSED)) {
        bool ok;
        if (!(mon = qemuDomainObjEnterMonitor(obj, &err)))
            goto discard;
        ok = qemuMonitorStartCPUs(mon, &err);
        qemuDomainObjExitMonitor(obj, mon);
        if (!ok)
            goto discard;
        if (ternDomainObjIsActive(obj) && obj->state == TERN_DOMAIN_PAUSED) {
            ternDomainObjSetState(obj, TERN_DOMAIN_RUNNING, TERN_DOMAIN_RUNNING_MIGRATED);
            qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_RESUMED,
                                     TERN_DOMAIN_EVENT_RESUMED_MIGRATED);
        }
        qemuMigrationDstSetDowntime(mig);
    } else {
        ternDomainObjSetState(obj, TERN_DOMAIN_PAUSED, TERN_DOMAIN_PAUSED_USER);
        qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_SUSPENDED,
                                 TERN_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    if (!ternDomainObjIsActive(obj)) {
        ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                     "QEMU of domain '%s' exited on resume", name);
        goto discard;
    }
    cout = qemuMigrationCookieFor(drv, obj->def, TERN_MIGRATION_COOKIE_PHASE_FINISH);
    if (mig->stats.present) {
        cout->flags |= TERN_MIGRATION_COOKIE_STATISTICS;
        cout->stats = mig->stats;
    }
    if (!qemuMigrationCookieOut(cout, cookieout, cookieoutlen, NULL) && cookieout) {
        /* the guest runs here now: a cookie is a nicety, not a reason to fail */
        *cookieout = NULL;
        *cookieoutlen = 0;
    }
    qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_COMPLETED, NULL);
    ret = ternDomainDriverHandle(dconn, obj);
    TERN_INFO("domain '%s': migration in finished, guest %s here", name,
              (flags & TERN_MIGRATE_PAUSED) ? "paused" : "running");
    qemuMigrationJobEnd(obj);
    return ret;

 discard:
    qemuMigrationDstDiscard(drv, obj, err);
    g_propagate_error(error, g_steal_pointer(&err));
 fail:
    if (cookieout) {
        g_clear_pointer(cookieout, g_free);
        *cookieoutlen = 0;
    }
    qemuMigrationPhaseError(error, "finish");
    return NULL;
}

/* --- source: Confirm --- */

bool
qemuMigrationSrcConfirm(ternDomain *dom, ternTypedParameter *params, int nparams,
                        const char *cookiein, int cookieinlen, unsigned int flags, int cancelled,
                        GError **error)
{
    qemuDriver *drv = qemuDriverOfConn(dom->conn);
    g_auto(qemuMigrationArgs) a = {0};
    g_autoptr(ternMigrationCookie) cin = NULL;
    g_autoptr(GError) err = NULL;
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMigrationJob *mig;

    if (!qemuMigrationArgsParse(params, nparams, flags, true, &a, error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)) ||
        !(mig = qemuMigrationJobOf(obj, false, "confirm", error)))
        goto fail;
    priv = obj->privateData;
    if (mig->phase != QEMU_MIGRATION_PHASE_PERFORM3_DONE &&
        !((cancelled || (mig->flags & TERN_MIGRATE_OFFLINE)) &&
          mig->phase == QEMU_MIGRATION_PHASE_BEGIN3)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "migration of '%s' is in phase %s, cannot confirm", obj->def->name,
                     qemuMigrationPhaseToString(mig->phase));
        goto fail;
    }
    if (!(cin = ternMigrationCookieDecode(cookiein, cookieinlen, &err)))
        TERN_WARN("domain '%s': ignoring the confirm cookie: %s", obj->def->name, err->message);
    if (cancelled) {
        if (mig->postcopy) {
            /* the destination already ran the guest: resuming here would run it twice */
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                         "post-copy migration of '%s' failed after the switch-over; the guest "
                         "stays paused here", obj->def->name);
            qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_FAILED, NULL);
            qemuMigrationJobEnd(obj);
            goto fail;
        }
        qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED);
        qemuMigrationSrcRestoreRunning(drv, obj);
        qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_CANCELLED, NULL);
        TERN_INFO("domain '%s': migration cancelled, the guest runs here", obj->def->name);
        qemuMigrationJobEnd(obj);
        return true;
    }
    qemuMigrationSetPhase(drv, obj, QEMU_MIGRATION_PHASE_CONFIRM3);
    if (mig->postcopy) {
        /* the destination runs the guest and still pulls pages from here: let it finish */
        /* whoever asked, the pages must all go before the source's copy can */
        if (qemuMigrationWait(obj, NULL, false, 0, &err) == QEMU_MIGRATION_WAIT_FAILED)
            TERN_ERROR("domain '%s': post-copy migration did not complete: %s", obj->def->name,
                       err->message);
    }
    if (cin && (cin->flags & TERN_MIGRATION_COOKIE_STATISTICS))
        mig->stats = cin->stats;
    qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_COMPLETED, NULL);
    if (flags & TERN_MIGRATE_UNDEFINE_SOURCE && obj->persistent) {
        g_autoptr(GError) uerr = NULL;
        if (!qemuDomainRemoveConfig(drv, obj->def->name, &uerr)) {
            TERN_ERROR("domain '%s': cannot undefine the source: %s", obj->def->name,
                       uerr->message);
        } else {
            g_clear_pointer(&obj->newDef, ternDomainDefFree);
            obj->persistent = false;
            qemuDomainEventLifecycle(drv, obj, TERN_DOMAIN_EVENT_UNDEFINED,
                                     TERN_DOMAIN_EVENT_UNDEFINED_REMOVED);
        }
    }
    if (!(mig->flags & TERN_MIGRATE_OFFLINE))
        qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_MIGRATED,
                        TERN_DOMAIN_EVENT_STOPPED_MIGRATED, QEMU_MIGRATION_KILL_GRACE_MS, NULL);
    qemuMigrationEventJobCompleted(drv, obj);
    TERN_INFO("domain '%s': migrated away", obj->def->name);
    qemuMigrationJobEnd(obj);
    if (!obj->persistent && !ternDomainObjIsActive(obj))
        ternDomainObjListRemove(drv->domains, obj);
    return true;

 fail:
    qemuMigrationPhaseError(error, "confirm");
    return false;
}

/* --- job control --- */

/*
 * The running migration job of @obj (locked) with fresh numbers: an
 * outgoing transfer asks QEMU first (which drops the lock, so the job may
 * have ended meanwhile: NULL then, as when there is none).
 */
static qemuMigrationJob *
qemuMigrationJobRefreshed(ternDomainObj *obj)
{
    qemuDomainObjPrivate *priv = obj->privateData;

    if (priv->mig && !priv->mig->incoming && priv->mig->phase == QEMU_MIGRATION_PHASE_PERFORM3)
        qemuMigrationRefresh(obj, NULL, NULL, NULL);
    return priv->mig;
}

bool
qemuMigrationJobGetStats(ternDomain *dom, int *type, ternTypedParameter **params, int *nparams,
                         unsigned int flags, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    ternTypedParameter *list = NULL;
    int n = 0;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_JOB_STATS_COMPLETED |
                                        TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED,
                             "qemuDomainGetJobStats", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    if (flags & TERN_DOMAIN_JOB_STATS_COMPLETED) {
        qemuMigrationCompleted *done = &priv->migCompleted;

        if (done->type == TERN_DOMAIN_JOB_NONE) {
            *type = TERN_DOMAIN_JOB_NONE;
        } else {
            if (!qemuMigrationStatsToParams(&done->stats, done->operation, done->errmsg, &list,
                                            &n, error))
                goto error;
            *type = done->type;
            if (!(flags & TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED)) {
                g_clear_pointer(&done->errmsg, g_free);
                memset(done, 0, sizeof(*done));
            }
        }
    } else if (qemuMigrationJobRefreshed(obj)) {
        ternMigrationStatsSet(&priv->mig->stats, TERN_MIGRATION_STAT_TIME_ELAPSED,
                              (unsigned long long)(ternMonotonicMs() - priv->mig->startedMs));
        if (!qemuMigrationStatsToParams(&priv->mig->stats,
                                        priv->mig->incoming
                                            ? TERN_DOMAIN_JOB_OPERATION_MIGRATION_IN
                                            : TERN_DOMAIN_JOB_OPERATION_MIGRATION_OUT,
                                        NULL, &list, &n, error))
            goto error;
        *type = TERN_DOMAIN_JOB_UNBOUNDED;
    } else {
        *type = TERN_DOMAIN_JOB_NONE;
    }
    *params = list;
    *nparams = n;
    return true;

 error:
    ternTypedParamsFree(list, n);
    return false;
}

bool
qemuMigrationJobGetInfo(ternDomain *dom, ternDomainJobInfo *info, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    const ternMigrationStats *s;

    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    memset(info, 0, sizeof(*info));
    if (!qemuMigrationJobRefreshed(obj))
        return true;
    s = &priv->mig->stats;
    info->type = TERN_DOMAIN_JOB_UNBOUNDED;
    info->timeElapsed = (unsigned long long)(ternMonotonicMs() - priv->mig->startedMs);
    info->dataTotal = s->dataTotal;
    info->dataProcessed = s->dataProcessed;
    info->dataRemaining = s->dataRemaining;
    info->memTotal = s->memoryTotal;
    info->memProcessed = s->memoryProcessed;
    info->memRemaining = s->memoryRemaining;
    return true;
}

bool
qemuMigrationJobAbort(ternDomain *dom, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    bool ok;

    if (!(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    if (!priv->mig) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "no job is active on domain '%s'", obj->def->name);
        return false;
    }
    if (priv->mig->incoming) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "cannot abort an incoming migration of '%s' here; abort it on the source",
                     obj->def->name);
        return false;
    }
    if (priv->mig->postcopy || priv->mig->phase >= QEMU_MIGRATION_PHASE_PERFORM3_DONE) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "the migration of '%s' is past its switch-over and cannot be aborted",
                     obj->def->name);
        return false;
    }
    priv->mig->abortRequested = true;
    if (priv->mig->phase != QEMU_MIGRATION_PHASE_PERFORM3)
        return true; /* Perform has not started: it will see the request */
    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrateCancel(mon, error);
    qemuDomainObjExitMonitor(obj, mon);
    if (ok && priv->mig)
        g_cond_broadcast(&priv->mig->cond);
    return ok;
}

/* set one QEMU migration parameter now if @obj (locked) has an outgoing migration running */
static bool
qemuMigrationApplyParams(ternDomainObj *obj, const qemuMonitorMigrationParams *qp,
                         GError **error)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMonitor *mon;
    bool ok;

    if (!priv->mig || priv->mig->incoming || priv->mig->phase != QEMU_MIGRATION_PHASE_PERFORM3)
        return true;
    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrateSetParams(mon, qp, error);
    qemuDomainObjExitMonitor(obj, mon);
    return ok;
}

bool
qemuMigrationSetMaxDowntime(ternDomain *dom, unsigned long long downtime, unsigned int flags,
                            GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuMonitorMigrationParams qp = {.hasDowntimeLimit = true, .downtimeLimit = downtime};

    if (!ternErrorCheckFlags(flags, 0, "qemuDomainMigrateSetMaxDowntime", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    if (downtime < 1 || downtime > 2000000) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_INVALID_ARG,
                     "max downtime must be within 1..2000000 ms, not %llu", downtime);
        return false;
    }
    if (!qemuMigrationApplyParams(obj, &qp, error))
        return false;
    ((qemuDomainObjPrivate *)obj->privateData)->migMaxDowntimeMs = downtime;
    return true;
}

bool
qemuMigrationGetMaxDowntime(ternDomain *dom, unsigned long long *downtime, unsigned int flags,
                            GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;

    if (!ternErrorCheckFlags(flags, 0, "qemuDomainMigrateGetMaxDowntime", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    /* QEMU's own default is 300 ms */
    *downtime = priv->migMaxDowntimeMs ? priv->migMaxDowntimeMs : 300;
    return true;
}

bool
qemuMigrationSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags,
                         GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    bool postcopy = flags & TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    qemuMonitorMigrationParams qp = {0};
    unsigned long long bytes;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY,
                             "qemuDomainMigrateSetMaxSpeed", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    if ((unsigned long long)bandwidth > QEMU_MIGRATION_BANDWIDTH_MAX_MIB) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OVERFLOW,
                     "bandwidth must be at most %lld MiB/s",
                     (long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB);
        return false;
    }
    bytes = (unsigned long long)(bandwidth ? bandwidth : QEMU_MIGRATION_BANDWIDTH_MAX_MIB) *
            1024ULL * 1024ULL;
    if (postcopy) {
        qp.hasMaxPostcopyBandwidth = true;
        qp.maxPostcopyBandwidth = bandwidth ? bytes : 0;
    } else {
        qp.hasMaxBandwidth = true;
        qp.maxBandwidth = bytes;
    }
    if (!qemuMigrationApplyParams(obj, &qp, error))
        return false;
    if (postcopy)
        priv->migMaxPostcopySpeedMiB = bandwidth;
    else
        priv->migMaxSpeedMiB = bandwidth;
    return true;
}

bool
qemuMigrationGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags,
                         GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    unsigned long long v;

    if (!ternErrorCheckFlags(flags, TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY,
                             "qemuDomainMigrateGetMaxSpeed", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    v = (flags & TERN_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) ? priv->migMaxPostcopySpeedMiB
                                                         : priv->migMaxSpeedMiB;
    /* libvirt reports "unlimited" as its largest value */
    *bandwidth = (unsigned long)(v ? v : (unsigned long long)QEMU_MIGRATION_BANDWIDTH_MAX_MIB);
    return true;
}

bool
qemuMigrationStartPostCopy(ternDomain *dom, unsigned int flags, GError **error)
{
    TERN_DOMAIN_OBJ_AUTOEND obj = NULL;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    bool ok;

    if (!ternErrorCheckFlags(flags, 0, "qemuDomainMigrateStartPostCopy", error) ||
        !(obj = qemuDomainObjFromDomain(dom, error)))
        return false;
    priv = obj->privateData;
    if (!priv->mig || priv->mig->incoming || priv->mig->phase != QEMU_MIGRATION_PHASE_PERFORM3) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "domain '%s' has no outgoing migration in progress", obj->def->name);
        return false;
    }
    if (!(priv->mig->flags & TERN_MIGRATE_POSTCOPY)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_OPERATION_INVALID,
                     "switching to post-copy needs a migration started with POSTCOPY "
                     "(--postcopy)");
        return false;
    }
    if (!(mon = qemuDomainObjEnterMonitor(obj, error)))
        return false;
    ok = qemuMonitorMigrateStartPostcopy(mon, error);
    qemuDomainObjExitMonitor(obj, mon);
    return ok;
}

/* --- the client went away; the daemon restarted --- */

typedef struct {
    qemuDriver *drv;
    GPtrArray *objs; /* referenced, unlocked */
    const void *conn;
} qemuMigrationOrphans;

static bool
qemuMigrationCollectOrphan(ternDomainObj *obj, void *opaque)
{
    qemuMigrationOrphans *o = opaque;
    qemuDomainObjPrivate *priv = obj->privateData;

    if (priv->mig && priv->mig->conn == o->conn)
        g_ptr_array_add(o->objs, ternDomainObjRef(obj));
    return true;
}

/* one domain whose driving client vanished (locked) */
static void
qemuMigrationCleanupOrphan(qemuDriver *drv, ternDomainObj *obj, const void *conn)
{
    qemuDomainObjPrivate *priv = obj->privateData;
    qemuMigrationJob *mig = priv->mig;
    g_autoptr(GError) err = NULL;

    if (!mig || mig->conn != conn)
        return;
    ternErrorSet(&err, TERN_FROM_QEMU, TERN_ERR_OPERATION_FAILED,
                 "the client driving the migration disconnected");
    switch (mig->phase) {
    case QEMU_MIGRATION_PHASE_BEGIN3:
        TERN_WARN("domain '%s': client left after begin; migration dropped", obj->def->name);
        qemuMigrationRecordEnd(priv, TERN_DOMAIN_JOB_CANCELLED, err);
        qemuMigrationJobEnd(obj);
        break;
    case QEMU_MIGRATION_PHASE_PERFORM3:
        /* Perform still runs on a worker: make it fail; it resumes the guest itself */
        mig->abortRequested = true;
        {
            qemuMonitor *mon = qemuDomainObjEnterMonitor(obj, NULL);
            if (mon) {
                qemuMonitorMigrateCancel(mon, NULL);
                qemuDomainObjExitMonitor(obj, mon);
            }
        }
        break;
    case QEMU_MIGRATION_PHASE_PERFORM3_DONE:
        TERN_ERROR("domain '%s': client left after the data was sent", obj->def->name);
        qemuMigrationSrcLeavePausedLocked(obj, err);
        break;
    case QEMU_MIGRATION_PHASE_PREPARE:
        qemuMigrationDstDiscard(drv, obj, err);
        break;
    default:
        break; /* a phase that ends by itself */
    }
}

static gpointer
qemuMigrationOrphansThread(gpointer opaque)
{
    qemuMigrationOrphans *o = opaque;

    for (guint i = 0; i < o->objs->len; i++) {
        ternDomainObj *obj = g_ptr_array_index(o->objs, i);
        ternDomainObjLock(obj);
        qemuMigrationCleanupOrphan(o->drv, obj, o->conn);
        ternDomainObjUnlock(obj);
    }
    g_ptr_array_unref(o->objs);
    g_free(o);
    return NULL;
}

static void
qemuMigrationObjUnref(gpointer obj)
{
    ternDomainObjUnref(obj);
}

void
qemuMigrationAnyConnClosed(qemuDriver *drv, ternConnect *conn)
{
    qemuMigrationOrphans *o = g_new0(qemuMigrationOrphans, 1);

    o->drv = drv;
    o->conn = conn;
    o->objs = g_ptr_array_new_with_free_func(qemuMigrationObjUnref);
    ternDomainObjListForEach(drv->domains, qemuMigrationCollectOrphan, o);
    if (o->objs->len == 0) {
        g_ptr_array_unref(o->objs);
        g_free(o);
        return;
    }
    g_thread_unref(g_thread_new("qemu-mig-cleanup", qemuMigrationOrphansThread, o));
}

void
qemuMigrationAnyRecover(qemuDriver *drv, ternDomainObj *obj, bool incoming,
                        qemuMigrationPhase phase)
{
    g_autoptr(GError) err = NULL;
    qemuMonitor *mon;

    TERN_WARN("domain '%s': ternd restarted during migration phase %s", obj->def->name,
              qemuMigrationPhaseToString(phase));
    if (incoming) {
        /* the client saw Prepare or Finish fail with the connection: the source resumes */
        qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_FAILED, TERN_DOMAIN_EVENT_STOPPED_FAILED,
                        QEMU_MIGRATION_KILL_GRACE_MS, NULL);
        return;
    }
    switch (phase) {
    case QEMU_MIGRATION_PHASE_PERFORM3:
        /*
         * Perform never answered, so no client or peer can have called Finish
         * without "cancelled": the destination never ran the guest (it keeps it
         * paused until Finish). Stop QEMU sending and run the guest here again,
         * whatever QEMU's migration reached meanwhile.
         */
        if ((mon = qemuDomainObjEnterMonitor(obj, &err))) {
            qemuMonitorMigrateCancel(mon, NULL);
            qemuDomainObjExitMonitor(obj, mon);
        }
        G_GNUC_FALLTHROUGH;
    case QEMU_MIGRATION_PHASE_BEGIN3:
    case QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED:
        qemuMigrationSrcRestoreRunning(drv, obj);
        break;
    case QEMU_MIGRATION_PHASE_CONFIRM3:
        /* the destination runs it: finish what Confirm started */
        qemuProcessKill(drv, obj, TERN_DOMAIN_SHUTOFF_MIGRATED,
                        TERN_DOMAIN_EVENT_STOPPED_MIGRATED, QEMU_MIGRATION_KILL_GRACE_MS, NULL);
        break;
    default:
        TERN_ERROR("domain '%s': left paused after migration phase %s; resume it only if it "
                   "does not run on the destination", obj->def->name,
                   qemuMigrationPhaseToString(phase));
        break;
    }
}
