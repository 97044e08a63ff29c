/* libtern-migrate.c: the public migration API: the choice of process, the v3 phases, jobs */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "hypervisor/migration_outcome.h"
#include "libtern/libtern-internal.h"
#include "util/ternlog.h"
#include "util/terntypedparam.h"
#include "util/ternuri.h"

/*
 * Which migration process runs is decided here, once, from the flags and
 * the drivers' features (the seed's table; libvirt-wire.md 4.1 and 4.2):
 *
 *   ternDomainMigrate[3], no PEER2PEER    client-managed, v3 with typed parameters:
 *                                         Begin (source), Prepare (destination),
 *                                         Perform (source), Finish (destination),
 *                                         Confirm (source), each a driver method
 *   ternDomainMigrate[3], PEER2PEER       as ternDomainMigrateToURI3 to dconn's URI,
 *                                         then the new domain looked up on dconn
 *   ternDomainMigrateToURI[3], PEER2PEER  one Perform on the source, whose daemon
 *                                         drives the destination itself
 *   ternDomainMigrateToURI[3], no PEER2PEER
 *                                         direct: one Perform on the source, if its
 *                                         driver claims MIGRATION_DIRECT (QEMU does not)
 *
 * Flags are checked first: nothing reaches a driver, not even a feature
 * query, with an unknown flag or an impossible combination. Only the
 * *3Params procedures are spoken; a host without MIGRATION_PARAMS gets a
 * NO_SUPPORT error rather than an older protocol.
 *
 * A phase that fails reports the driver's (the daemon's) error unchanged:
 * the daemon names the phase already. Only a broken connection to a
 * daemon (TERN_ERR_RPC), which the daemon could not word, gets the phase
 * named here. The rules for what runs after a
 * failure are libvirt's virDomainMigrateVersion3Full(), so a tern client
 * and virsh leave a daemon in the same state:
 *
 *   Prepare fails    Confirm(cancelled) on the source only if it was asked to
 *                    protect the domain (CHANGE_PROTECTION); the Prepare error
 *   no URI to use    Finish(cancelled), then Confirm(cancelled)
 *   Perform fails    Finish(cancelled) so the destination drops its half-built
 *                    domain; no Confirm: the source has recovered by itself
 *   Finish fails     Confirm(cancelled): the source resumes the guest
 *   Confirm fails    logged only: the guest runs on the destination
 *
 * with one exception, where libvirt could run the guest twice: Finish's
 * answer lost with the destination's connection. The destination goes on
 * with Finish then, so it is asked again on a new connection
 * (ternMigrationAskDestination): it runs the guest → Confirm; it discarded
 * it → Confirm(cancelled); no answer → no Confirm at all: the guest stays
 * paused on the source, whose job ends when this client's connection to it
 * closes.
 */

#define TERN_MIGRATE_FLAG(name) {name, #name}

typedef struct {
    unsigned int flag;
    const char *name;
} ternMigrateFlagName;

/* Every flag ternDomainMigrate* accept: libvirt's (libvirt-wire.md 4.1) and tern's SECURE. */
static const ternMigrateFlagName ternMigrateFlags[] = {
    TERN_MIGRATE_FLAG(TERN_MIGRATE_LIVE),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_PEER2PEER),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_TUNNELLED),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_PERSIST_DEST),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_UNDEFINE_SOURCE),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_PAUSED),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_NON_SHARED_DISK),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_NON_SHARED_INC),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_CHANGE_PROTECTION),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_UNSAFE),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_OFFLINE),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_COMPRESSED),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_ABORT_ON_ERROR),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_AUTO_CONVERGE),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_RDMA_PIN_ALL),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_POSTCOPY),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_TLS),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_PARALLEL),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_POSTCOPY_RESUME),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_ZEROCOPY),
    TERN_MIGRATE_FLAG(TERN_MIGRATE_SECURE),
};

/* Pairs of flags that cannot go together. */
static const ternMigrateFlagName ternMigrateExclusive[][2] = {
    {TERN_MIGRATE_FLAG(TERN_MIGRATE_LIVE), TERN_MIGRATE_FLAG(TERN_MIGRATE_OFFLINE)},
    {TERN_MIGRATE_FLAG(TERN_MIGRATE_NON_SHARED_DISK),
     TERN_MIGRATE_FLAG(TERN_MIGRATE_NON_SHARED_INC)},
};

/* Flags the destination never sees: they steer the source only (libvirt's destflags). */
#define TERN_MIGRATE_SOURCE_ONLY (TERN_MIGRATE_ABORT_ON_ERROR | TERN_MIGRATE_AUTO_CONVERGE)

/* --- reporting --- */

/*
 * The daemon names the phase that failed ("migration failed in phase
 * perform: ..."); a failure of the connection to it (TERN_ERR_RPC: the
 * daemon died, the link broke) cannot, so name it here. Never twice.
 */
static void
ternMigratePhaseError(GError **error, const char *phase)
{
    if (!error || !*error || ternErrorCodeOf(*error) != TERN_ERR_RPC ||
        g_str_has_prefix((*error)->message, "migration failed in phase "))
        return;
    g_prefix_error(error, "migration failed in phase %s: ", phase);
}

/* --- checks made before anything is sent --- */

static bool
ternMigrateCheckFlags(unsigned long flags, const char *func, GError **error)
{
    unsigned long known = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(ternMigrateFlags); i++)
        known |= ternMigrateFlags[i].flag;
    if (flags & ~known) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                     "unsupported flags (0x%lx) in function %s", flags & ~known, func);
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ternMigrateExclusive); i++) {
        const ternMigrateFlagName *pair = ternMigrateExclusive[i];

        if ((flags & pair[0].flag) && (flags & pair[1].flag)) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                         "Flags '%s' and '%s' are mutually exclusive", pair[0].name, pair[1].name);
            return false;
        }
    }
    if ((flags & TERN_MIGRATE_TUNNELLED) && !(flags & TERN_MIGRATE_PEER2PEER)) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                     "cannot perform tunnelled migration without using peer2peer flag");
        return false;
    }
    return true;
}

/* A checked copy of the caller's @params into @p (empty on entry). */
static bool
ternMigrateParamsCopy(const ternTypedParameter *params, unsigned int nparams,
                      ternTypedParamList *p, const char *func, GError **error)
{
    if (nparams > INT_MAX) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                     "nparams in %s is %u, at most %d", func, nparams, INT_MAX);
        return false;
    }
    if (nparams > 0 && !params) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                     "params in %s must not be NULL when nparams is %u", func, nparams);
        return false;
    }
    return ternTypedParamListCopy(p, params, (int)nparams, error);
}

/*
 * libvirt's virDomainMigrateCheckNotLocal: a peer-to-peer destination
 * must name another host. "localhost..." and a URI without a host (the
 * source daemon would connect to itself) are refused; a host-less URI that
 * names a UNIX socket explicitly ("+unix" scheme with ?socket=) is taken as
 * meant.
 */
static bool
ternMigrateCheckNotLocal(const char *dconnuri, GError **error)
{
    g_autoptr(GError) err = NULL;
    ternURI *uri;
    bool local = false;

    if (!(uri = ternURIParse(dconnuri, &err))) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (uri->server) {
        local = g_str_has_prefix(uri->server, "localhost");
    } else {
        const char *plus = strchr(uri->scheme, '+');
        bool socket = false;

        for (size_t i = 0; i < uri->nparams; i++) {
            if (strcmp(uri->params[i].name, "socket") == 0)
                socket = true;
        }
        local = !(plus && strcmp(plus, "+unix") == 0 && socket);
    }
    ternURIFree(uri);
    if (local) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INVALID_ARG,
                     "Attempt to migrate guest to the same host: '%s' names no other host",
                     dconnuri);
        return false;
    }
    return true;
}

/* --- features --- */

/* 1 if @conn's driver supports @feature, 0 if not (or it cannot say), -1 with *error set. */
static int
ternMigrateSupports(ternConnect *conn, int feature, GError **error)
{
    int rc;

    if (!conn->driver->connectSupportsFeature)
        return 0;
    if ((rc = conn->driver->connectSupportsFeature(conn, feature, error)) < 0) {
        if (error && !*error)
            ternReportInternal(error, TERN_FROM_DOMAIN,
                               "driver %s failed to say whether it supports feature %d",
                               conn->driver->name, feature);
        return -1;
    }
    return rc > 0 ? 1 : 0;
}

/*
 * Require @feature of @conn; when it is missing, fail with @code and the
 * message @what (a complete sentence naming the host).
 */
static bool
ternMigrateRequire(ternConnect *conn, int feature, ternErrorNumber code, const char *what,
                   GError **error)
{
    int rc;

    if ((rc = ternMigrateSupports(conn, feature, error)) < 0)
        return false;
    if (rc == 0) {
        ternErrorSet(error, TERN_FROM_DOMAIN, code, "%s", what);
        return false;
    }
    return true;
}

/* MIGRATION_PARAMS of @conn, the only protocol libtern speaks; @side: "source" or "destination" */
static bool
ternMigrateRequireParams(ternConnect *conn, const char *side, const char *func, GError **error)
{
    g_autofree char *what = g_strdup_printf(
        "%s: the %s host '%s' does not support migration with extensible parameters (MIGRATION_PARAMS), and libtern implements no older migration protocol",
        func, side, conn->uri);

    return ternMigrateRequire(conn, TERN_DRV_FEATURE_MIGRATION_PARAMS, TERN_ERR_NO_SUPPORT, what,
                              error);
}

/* --- client-managed: the five phases of v3 with parameters --- */

typedef struct {
    ternDomain *dom;      /* on the source */
    ternConnect *dconn;   /* the destination */
    ternTypedParamList *p; /* what every phase gets */
    unsigned int flags;      /* the caller's, less CHANGE_PROTECTION, plus PAUSED */
    unsigned int protection; /* CHANGE_PROTECTION if the source supports it: source calls only */
    char *cookie;            /* the last phase's cookie_out: the next one's cookie_in */
    int cookieLen;
} ternMigrateV3;

static void
ternMigrateV3CookieDrop(ternMigrateV3 *m)
{
    g_clear_pointer(&m->cookie, g_free);
    m->cookieLen = 0;
}

/* The source's domain XML for the destination; takes Begin's cookie. */
static char *
ternMigrateV3Begin(ternMigrateV3 *m, GError **error)
{
    char *xml;

    TERN_DEBUG("Begin3Params on '%s' for '%s', flags 0x%x", m->dom->conn->uri, m->dom->name,
               m->flags | m->protection);
    xml = m->dom->conn->driver->domainMigrateBegin3Params(
        m->dom, m->p->params, m->p->n, &m->cookie, &m->cookieLen, m->flags | m->protection, error);
    if (!xml) {
        ternMigrateV3CookieDrop(m);
        ternMigratePhaseError(error, "begin");
    }
    return xml;
}

/* Sends the cookie held, holds Prepare's; *@uriOut: where the destination listens (or NULL). */
static bool
ternMigrateV3Prepare(ternMigrateV3 *m, unsigned int destflags, char **uriOut, GError **error)
{
    g_autofree char *cookiein = g_steal_pointer(&m->cookie);
    int cookieinlen = m->cookieLen;

    m->cookieLen = 0;
    TERN_DEBUG("Prepare3Params on '%s', flags 0x%x", m->dconn->uri, destflags);
    if (!m->dconn->driver->domainMigratePrepare3Params(m->dconn, m->p->params, m->p->n, cookiein,
                                                       cookieinlen, &m->cookie, &m->cookieLen,
                                                       uriOut, destflags, error)) {
        ternMigrateV3CookieDrop(m);
        ternMigratePhaseError(error, "prepare");
        return false;
    }
    return true;
}

static bool
ternMigrateV3Perform(ternMigrateV3 *m, GError **error)
{
    g_autofree char *cookiein = g_steal_pointer(&m->cookie);
    int cookieinlen = m->cookieLen;

    m->cookieLen = 0;
    TERN_DEBUG("Perform3Params on '%s' for '%s', flags 0x%x", m->dom->conn->uri, m->dom->name,
               m->flags | m->protection);
    if (!m->dom->conn->driver->domainMigratePerform3Params(
            m->dom, NULL, m->p->params, m->p->n, cookiein, cookieinlen, &m->cookie,
            &m->cookieLen, m->flags | m->protection, error)) {
        ternMigrateV3CookieDrop(m);
        ternMigratePhaseError(error, "perform");
        return false;
    }
    return true;
}

/* The domain now on the destination, or NULL (always NULL when the destination honours @cancelled). */
static ternDomain *
ternMigrateV3Finish(ternMigrateV3 *m, unsigned int destflags, int cancelled, GError **error)
{
    g_autofree char *cookiein = g_steal_pointer(&m->cookie);
    int cookieinlen = m->cookieLen;
    ternDomain *ddom;

    m->cookieLen = 0;
    /* the destination keeps the name unless told otherwise, and is told (libvirt does so) */
    if (!ternTypedParamListGetString(m->p, TERN_MIGRATE_PARAM_DEST_NAME) &&
        !ternTypedParamListSetString(m->p, TERN_MIGRATE_PARAM_DEST_NAME, m->dom->name, error))
        return NULL;
    TERN_DEBUG("Finish3Params on '%s', flags 0x%x, cancelled %d", m->dconn->uri, destflags,
               cancelled);
    ddom = m->dconn->driver->domainMigrateFinish3Params(m->dconn, m->p->params, m->p->n, cookiein,
                                                        cookieinlen, &m->cookie, &m->cookieLen,
                                                        destflags, cancelled, error);
    if (!ddom) {
        ternMigrateV3CookieDrop(m);
        if (error && !*error)
            ternReportInternal(error, TERN_FROM_DOMAIN,
                               "the destination '%s' returned no domain from Finish",
                               m->dconn->uri);
        ternMigratePhaseError(error, "finish");
    }
    return ddom;
}

/* Only logs: nothing is left for the caller to do when it fails. */
static void
ternMigrateV3Confirm(ternMigrateV3 *m, int cancelled)
{
    g_autofree char *cookiein = g_steal_pointer(&m->cookie);
    int cookieinlen = m->cookieLen;
    g_autoptr(GError) err = NULL;

    m->cookieLen = 0;
    TERN_DEBUG("Confirm3Params on '%s' for '%s', flags 0x%x, cancelled %d", m->dom->conn->uri,
               m->dom->name, m->flags | m->protection, cancelled);
    if (!m->dom->conn->driver->domainMigrateConfirm3Params(m->dom, m->p->params, m->p->n,
                                                           cookiein, cookieinlen,
                                                           m->flags | m->protection, cancelled,
                                                           &err))
        TERN_WARN("Confirm of the migration of '%s' failed (%s): the guest is probably left paused on the source",
                  m->dom->name, err ? err->message : "no error given");
}

static ternConnect *
ternMigrateOpenDestination(const char *uri, GError **error)
{
    return ternConnectOpenInternal(uri, 0, error);
}

/*
 * Finish failed with @dconn dead (*@err): the answer may be what was lost.
 * Returns the destination's domain if it runs the guest; otherwise NULL,
 * and *@err stays (it discarded it) or says the outcome is unknown, with
 * *@confirm false: then the source must not be told anything.
 */
static ternDomain *
ternMigrateV3FinishLost(ternMigrateV3 *m, GError **err, bool *confirm)
{
    const char *name = ternTypedParamListGetString(m->p, TERN_MIGRATE_PARAM_DEST_NAME);
    g_autoptr(GError) why = NULL;
    g_autoptr(GError) lost = NULL;
    ternDomain *ddom = NULL;

    TERN_WARN("the answer of '%s' to Finish was lost (%s); asking it what it did", m->dconn->uri,
              (*err)->message);
    switch (ternMigrationAskDestination(ternMigrateOpenDestination, m->dconn->uri,
                                        name ? name : m->dom->name, TERN_MIGRATION_ASK_MS,
                                        &ddom, &why)) {
    case TERN_MIGRATION_OUTCOME_RUNS:
        TERN_WARN("'%s' runs '%s': the migration succeeded", m->dconn->uri, m->dom->name);
        g_clear_error(err);
        return ddom;
    case TERN_MIGRATION_OUTCOME_NOTHING:
        return NULL;
    case TERN_MIGRATION_OUTCOME_UNKNOWN:
        break;
    }
    *confirm = false;
    ternErrorSet(&lost, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_FAILED,
                 "the answer of the destination '%s' to Finish was lost (%s) and it cannot tell "
                 "whether it runs the guest (%s): the guest stays paused on the source; resume "
                 "it only if it does not run there",
                 m->dconn->uri, (*err)->message, why->message);
    g_clear_error(err);
    *err = g_steal_pointer(&lost);
    return NULL;
}

/*
 * Client-managed migration of @dom to @dconn: libvirt's
 * virDomainMigrateVersion3Full() with useParams. @flags has no
 * CHANGE_PROTECTION (it is re-added for the source if supported).
 */
static ternDomain *
ternMigrateVersion3Params(ternDomain *dom, ternConnect *dconn, ternTypedParamList *p,
                          unsigned int flags, const char *func, GError **error)
{
    const ternHypervisorDriver *src = dom->conn->driver;
    const ternHypervisorDriver *dst = dconn->driver;
    ternMigrateV3 m = {.dom = dom, .dconn = dconn, .p = p, .flags = flags};
    g_autoptr(GError) firstErr = NULL; /* what the caller is told */
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *uriOut = NULL;
    ternDomain *ddom = NULL;
    unsigned int destflags;
    bool notifySource = true;
    int cancelled = 1;
    int state = TERN_DOMAIN_NOSTATE;
    int reason = 0;
    int rc;

    if (!src->domainMigrateBegin3Params || !src->domainMigratePerform3Params ||
        !src->domainMigrateConfirm3Params) {
        ternDriverReportNoSupport(dom->conn, func, error);
        return NULL;
    }
    if (!dst->domainMigratePrepare3Params || !dst->domainMigrateFinish3Params) {
        ternDriverReportNoSupport(dconn, func, error);
        return NULL;
    }
    if ((rc = ternMigrateSupports(dom->conn, TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION, error)) <
        0)
        return NULL;
    if (rc)
        m.protection = TERN_MIGRATE_CHANGE_PROTECTION;

    /* Begin: nothing to undo when it fails */
    if (!(xml = ternMigrateV3Begin(&m, error)))
        return NULL;

    /* a paused guest stays paused on the destination; a failed query changes nothing */
    if (src->domainGetState && src->domainGetState(dom, &state, &reason, 0, &err) &&
        state == TERN_DOMAIN_PAUSED)
        m.flags |= TERN_MIGRATE_PAUSED;
    g_clear_error(&err);
    destflags = m.flags & ~TERN_MIGRATE_SOURCE_ONLY;

    /* Prepare, with Begin's XML as the destination's definition */
    if (!ternTypedParamListSetString(p, TERN_MIGRATE_PARAM_DEST_XML, xml, &firstErr) ||
        !ternMigrateV3Prepare(&m, destflags, &uriOut, &firstErr)) {
        /* Begin started a protected job on the source: end it */
        if (m.protection)
            ternMigrateV3Confirm(&m, 1);
        ternMigrateV3CookieDrop(&m);
        g_propagate_error(error, g_steal_pointer(&firstErr));
        return NULL;
    }

    if (uriOut) {
        if (!ternTypedParamListSetString(p, TERN_MIGRATE_PARAM_URI, uriOut, &firstErr))
            ternMigrateV3CookieDrop(&m);
    } else if (!ternTypedParamListGetString(p, TERN_MIGRATE_PARAM_URI)) {
        ternReportInternal(
            &firstErr, TERN_FROM_DOMAIN,
            "the destination '%s' did not say where to send the migration data (Prepare returned no URI) and no '%s' parameter was given",
            dconn->uri, TERN_MIGRATE_PARAM_URI);
        ternMigrateV3CookieDrop(&m);
    }

    if (firstErr) {
        cancelled = 1;
    } else if (flags & TERN_MIGRATE_OFFLINE) {
        /* only the definition moves: no Perform, and Finish gets no cookie */
        ternMigrateV3CookieDrop(&m);
        cancelled = 0;
    } else if (!ternMigrateV3Perform(&m, &firstErr)) {
        /* the source has recovered by itself: it needs no Confirm */
        notifySource = false;
        cancelled = 1;
    } else {
        cancelled = 0;
    }

    ddom = ternMigrateV3Finish(&m, destflags, cancelled, &err);
    if (!ddom && !cancelled && !(flags & TERN_MIGRATE_OFFLINE) && err &&
        dconn->driver->connectIsAlive && dconn->driver->connectIsAlive(dconn) != 1)
        ddom = ternMigrateV3FinishLost(&m, &err, &notifySource);
    if (cancelled && ddom) {
        TERN_ERROR("the destination '%s' finished the migration of '%s' although it was cancelled",
                   dconn->uri, dom->name);
    }
    if (!ddom && !firstErr)
        firstErr = g_steal_pointer(&err);
    else if (err)
        TERN_DEBUG("Finish3Params on '%s' after a failure: %s", dconn->uri, err->message);

    /* NULL: the guest did not start on the destination, so the source resumes it */
    cancelled = ddom ? 0 : 1;
    if (notifySource)
        ternMigrateV3Confirm(&m, cancelled);
    ternMigrateV3CookieDrop(&m);

    if (!ddom) {
        g_propagate_error(error, g_steal_pointer(&firstErr));
        return NULL;
    }
    if (firstErr)
        TERN_WARN("migration of '%s' reported '%s', but the destination '%s' runs it",
                  dom->name, firstErr->message, dconn->uri);
    return ddom;
}

/* --- peer-to-peer and direct: everything happens in the source's driver --- */

/*
 * One Perform on the source: to the daemon at @dconnuri (PEER2PEER) or,
 * without PEER2PEER, to wherever the hypervisor sends it by itself
 * (@dconnuri is then unused).
 */
static bool
ternMigrateUnmanaged(ternDomain *dom, const char *dconnuri, ternTypedParamList *p,
                     unsigned int flags, const char *func, GError **error)
{
    g_autofree char *cookieout = NULL;
    int cookieoutlen = 0;

    if ((flags & TERN_MIGRATE_OFFLINE) &&
        !ternMigrateRequire(dom->conn, TERN_DRV_FEATURE_MIGRATION_OFFLINE,
                            TERN_ERR_ARGUMENT_UNSUPPORTED,
                            "offline migration is not supported by the source host", error))
        return false;

    if (flags & TERN_MIGRATE_PEER2PEER) {
        if (!ternMigrateRequire(dom->conn, TERN_DRV_FEATURE_MIGRATION_P2P,
                                TERN_ERR_ARGUMENT_UNSUPPORTED,
                                "p2p migration is not supported by the source host", error))
            return false;
    } else {
        if (!ternMigrateRequire(
                dom->conn, TERN_DRV_FEATURE_MIGRATION_DIRECT, TERN_ERR_ARGUMENT_UNSUPPORTED,
                "direct migration is not supported by the source host: QEMU has no migration daemon of its own; use peer-to-peer migration (PEER2PEER)",
                error))
            return false;
        dconnuri = NULL;
    }
    if (!ternMigrateRequireParams(dom->conn, "source", func, error))
        return false;
    if (!dom->conn->driver->domainMigratePerform3Params) {
        ternDriverReportNoSupport(dom->conn, func, error);
        return false;
    }
    TERN_DEBUG("Perform3Params on '%s' for '%s' to '%s', flags 0x%x", dom->conn->uri, dom->name,
               dconnuri ? dconnuri : "(direct)", flags);
    if (!dom->conn->driver->domainMigratePerform3Params(dom, dconnuri, p->params, p->n, NULL, 0,
                                                        &cookieout, &cookieoutlen, flags, error)) {
        ternMigratePhaseError(error, "perform");
        return false;
    }
    return true;
}

/* ternDomainMigrateToURI[3] after the argument checks. */
static int
ternMigrateToURICommon(ternDomain *dom, const char *dconnuri, ternTypedParamList *p,
                       unsigned long flags, const char *func)
{
    g_autoptr(GError) err = NULL;

    if (!ternMigrateCheckFlags(flags, func, &err)) {
        ternLibReportError(err);
        return -1;
    }
    if ((flags & TERN_MIGRATE_PEER2PEER) &&
        !ternLibCheckNonNull(dconnuri, "dconnuri", func, TERN_FROM_DOMAIN))
        return -1;
    if (((flags & TERN_MIGRATE_PEER2PEER) && !ternMigrateCheckNotLocal(dconnuri, &err)) ||
        !ternMigrateUnmanaged(dom, dconnuri, p, (unsigned int)flags, func, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

/* --- ternDomainMigrate, ternDomainMigrate3 --- */

/* ternDomainMigrate[3] with PEER2PEER: the source's daemon goes to @dconn's URI itself. */
static ternDomain *
ternMigratePeer2Peer(ternDomain *dom, ternConnect *dconn, ternTypedParamList *p,
                     unsigned long flags, const char *func)
{
    const char *dname = ternTypedParamListGetString(p, TERN_MIGRATE_PARAM_DEST_NAME);
    g_autoptr(GError) err = NULL;
    ternDomain *ddom;

    if (ternMigrateToURICommon(dom, dconn->uri, p, flags, func) < 0 ||
        !ternLibCheckMethod(dconn, dconn->driver->domainLookupByName != NULL, func))
        return NULL;
    if (!(ddom = dconn->driver->domainLookupByName(dconn, dname ? dname : dom->name, &err)))
        ternLibReportError(err);
    return ddom;
}

/* What client-managed migration needs of both drivers, beyond the v3 methods. */
static bool
ternMigrateManagedCheck(ternDomain *dom, ternConnect *dconn, unsigned long flags, const char *func,
                        GError **error)
{
    if ((flags & TERN_MIGRATE_OFFLINE) &&
        (!ternMigrateRequire(dom->conn, TERN_DRV_FEATURE_MIGRATION_OFFLINE,
                             TERN_ERR_ARGUMENT_UNSUPPORTED,
                             "offline migration is not supported by the source host", error) ||
         !ternMigrateRequire(dconn, TERN_DRV_FEATURE_MIGRATION_OFFLINE,
                             TERN_ERR_ARGUMENT_UNSUPPORTED,
                             "offline migration is not supported by the destination host", error)))
        return false;
    /* asked for explicitly: the source must honour it; v3 then adds it to the source calls only */
    if ((flags & TERN_MIGRATE_CHANGE_PROTECTION) &&
        !ternMigrateRequire(dom->conn, TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION,
                            TERN_ERR_ARGUMENT_UNSUPPORTED, "cannot enforce change protection",
                            error))
        return false;
    return ternMigrateRequireParams(dom->conn, "source", func, error) &&
           ternMigrateRequireParams(dconn, "destination", func, error);
}

/* ternDomainMigrate[3] after the handles were checked and @p copied. */
static ternDomain *
ternMigrateCommon(ternDomain *dom, ternConnect *dconn, ternTypedParamList *p, unsigned long flags,
                  const char *func)
{
    /* v3 re-adds CHANGE_PROTECTION to the source's calls only */
    unsigned int v3flags = (unsigned int)(flags & ~(unsigned long)TERN_MIGRATE_CHANGE_PROTECTION);
    g_autoptr(GError) err = NULL;
    ternDomain *ddom = NULL;

    /* ternMigrateToURICommon checks the flags itself */
    if (flags & TERN_MIGRATE_PEER2PEER)
        return ternMigratePeer2Peer(dom, dconn, p, flags, func);

    if (!ternMigrateCheckFlags(flags, func, &err) ||
        !ternMigrateManagedCheck(dom, dconn, flags, func, &err) ||
        !(ddom = ternMigrateVersion3Params(dom, dconn, p, v3flags, func, &err)))
        ternLibReportError(err);
    return ddom;
}

/* The handles of ternDomainMigrate[3]: both usable, both writable. */
static bool
ternMigrateCheckHandles(ternDomain *dom, ternConnect *dconn, const char *func)
{
    return ternLibCheckDomainWritable(dom, func) && ternLibCheckConn(dconn, func) &&
           ternLibCheckReadWrite(dconn, func);
}

ternDomain *
ternDomainMigrate(ternDomain *dom, ternConnect *dconn, unsigned long flags, const char *dname,
                  const char *uri, unsigned long bandwidth)
{
    g_auto(ternTypedParamList) p = {0};
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternMigrateCheckHandles(dom, dconn, __func__))
        return NULL;
    if ((dname && !ternTypedParamListSetString(&p, TERN_MIGRATE_PARAM_DEST_NAME, dname, &err)) ||
        (uri && !ternTypedParamListSetString(&p, TERN_MIGRATE_PARAM_URI, uri, &err)) ||
        (bandwidth &&
         !ternTypedParamListAddULLong(&p, TERN_MIGRATE_PARAM_BANDWIDTH, bandwidth, &err))) {
        ternLibReportError(err);
        return NULL;
    }
    return ternMigrateCommon(dom, dconn, &p, flags, __func__);
}

ternDomain *
ternDomainMigrate3(ternDomain *dom, ternConnect *dconn, ternTypedParameter *params,
                   unsigned int nparams, unsigned int flags)
{
    g_auto(ternTypedParamList) p = {0};
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternMigrateCheckHandles(dom, dconn, __func__))
        return NULL;
    if (!ternMigrateParamsCopy(params, nparams, &p, __func__, &err)) {
        ternLibReportError(err);
        return NULL;
    }
    return ternMigrateCommon(dom, dconn, &p, flags, __func__);
}

/* --- ternDomainMigrateToURI, ternDomainMigrateToURI3 --- */

int
ternDomainMigrateToURI(ternDomain *dom, const char *duri, unsigned long flags, const char *dname,
                       unsigned long bandwidth)
{
    g_auto(ternTypedParamList) p = {0};
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckNonNull(duri, "duri", __func__, TERN_FROM_DOMAIN))
        return -1;
    /* PEER2PEER: a daemon's URI; direct: where the hypervisor sends the data */
    if ((dname && !ternTypedParamListSetString(&p, TERN_MIGRATE_PARAM_DEST_NAME, dname, &err)) ||
        (!(flags & TERN_MIGRATE_PEER2PEER) &&
         !ternTypedParamListSetString(&p, TERN_MIGRATE_PARAM_URI, duri, &err)) ||
        (bandwidth &&
         !ternTypedParamListAddULLong(&p, TERN_MIGRATE_PARAM_BANDWIDTH, bandwidth, &err))) {
        ternLibReportError(err);
        return -1;
    }
    return ternMigrateToURICommon(dom, duri, &p, flags, __func__);
}

int
ternDomainMigrateToURI3(ternDomain *dom, const char *dconnuri, ternTypedParameter *params,
                        unsigned int nparams, unsigned int flags)
{
    g_auto(ternTypedParamList) p = {0};
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__))
        return -1;
    if (!ternMigrateParamsCopy(params, nparams, &p, __func__, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return ternMigrateToURICommon(dom, dconnuri, &p, flags, __func__);
}

/* --- jobs --- */

int
ternDomainGetJobInfo(ternDomain *dom, ternDomainJobInfo *info)
{
    g_autoptr(GError) err = NULL;
    ternDomainJobInfo tmp;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(info, "info", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetJobInfo != NULL, __func__))
        return -1;
    memset(&tmp, 0, sizeof(tmp));
    if (!dom->conn->driver->domainGetJobInfo(dom, &tmp, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *info = tmp;
    return 0;
}

int
ternDomainGetJobStats(ternDomain *dom, int *type, ternTypedParameter **params, int *nparams,
                      unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    ternTypedParameter *list = NULL;
    int jobType = TERN_DOMAIN_JOB_NONE;
    int n = 0;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(type, "type", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckNonNull(params, "params", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckNonNull(nparams, "nparams", __func__, TERN_FROM_DOMAIN))
        return -1;
    if ((flags & TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED) &&
        !(flags & TERN_DOMAIN_JOB_STATS_COMPLETED)) {
        ternLibReportInvalidArg(
            TERN_FROM_DOMAIN,
            "Flag 'TERN_DOMAIN_JOB_STATS_COMPLETED' is required by flag 'TERN_DOMAIN_JOB_STATS_KEEP_COMPLETED'");
        return -1;
    }
    if (!ternLibCheckMethod(dom->conn, dom->conn->driver->domainGetJobStats != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainGetJobStats(dom, &jobType, &list, &n, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *type = jobType;
    *params = list;
    *nparams = n;
    return 0;
}

int
ternDomainAbortJob(ternDomain *dom)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainAbortJob != NULL, __func__))
        return -1;
    if (!dom->conn->driver->domainAbortJob(dom, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

/* --- tuning a running migration --- */

int
ternDomainMigrateSetMaxDowntime(ternDomain *dom, unsigned long long downtime, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainMigrateSetMaxDowntime != NULL,
                            __func__))
        return -1;
    if (!dom->conn->driver->domainMigrateSetMaxDowntime(dom, downtime, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainMigrateGetMaxDowntime(ternDomain *dom, unsigned long long *downtime, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    unsigned long long value = 0;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(downtime, "downtime", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainMigrateGetMaxDowntime != NULL,
                            __func__))
        return -1;
    if (!dom->conn->driver->domainMigrateGetMaxDowntime(dom, &value, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *downtime = value;
    return 0;
}

int
ternDomainMigrateSetMaxSpeed(ternDomain *dom, unsigned long bandwidth, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainMigrateSetMaxSpeed != NULL,
                            __func__))
        return -1;
    if (!dom->conn->driver->domainMigrateSetMaxSpeed(dom, bandwidth, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}

int
ternDomainMigrateGetMaxSpeed(ternDomain *dom, unsigned long *bandwidth, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    unsigned long value = 0;

    ternResetLastError();
    if (!ternLibCheckDomain(dom, __func__) ||
        !ternLibCheckNonNull(bandwidth, "bandwidth", __func__, TERN_FROM_DOMAIN) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainMigrateGetMaxSpeed != NULL,
                            __func__))
        return -1;
    if (!dom->conn->driver->domainMigrateGetMaxSpeed(dom, &value, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    *bandwidth = value;
    return 0;
}

int
ternDomainMigrateStartPostCopy(ternDomain *dom, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    ternResetLastError();
    if (!ternLibCheckDomainWritable(dom, __func__) ||
        !ternLibCheckMethod(dom->conn, dom->conn->driver->domainMigrateStartPostCopy != NULL,
                            __func__))
        return -1;
    if (!dom->conn->driver->domainMigrateStartPostCopy(dom, flags, &err)) {
        ternLibReportError(err);
        return -1;
    }
    return 0;
}
