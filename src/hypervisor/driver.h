/* driver.h: the methods a hypervisor driver provides (one table per driver) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "hypervisor/datatypes.h"

/* rpc/ternnetstream.h: the tunnelled-migration method passes one through */
typedef struct _ternNetStream ternNetStream;
#include "tern/tern.h"

/*
 * Every method follows the error contract of util/ternerror.h: GError last,
 * a failure return value. A NULL method means "not supported"; callers
 * answer that uniformly with TERN_ERR_NO_SUPPORT. Flags are checked by the
 * driver (ternErrorCheckFlags). Methods may block (they run on worker
 * threads in ternd), but must not hold locks across anything slow.
 *
 * Domain handles passed in are borrowed. Methods that return a domain
 * return a new handle (caller owns one reference), created with
 * ternDomainNew() on the given connection.
 */

/* Feature numbers a client may ask with connectSupportsFeature (libvirt's virDrvFeature). */
typedef enum {
    TERN_DRV_FEATURE_MIGRATION_V1 = 1,
    TERN_DRV_FEATURE_REMOTE = 2,
    TERN_DRV_FEATURE_MIGRATION_V2 = 3,
    TERN_DRV_FEATURE_MIGRATION_P2P = 4,
    TERN_DRV_FEATURE_MIGRATION_DIRECT = 5,
    TERN_DRV_FEATURE_MIGRATION_V3 = 6,
    TERN_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION = 7,
    TERN_DRV_FEATURE_FD_PASSING = 8,
    TERN_DRV_FEATURE_TYPED_PARAM_STRING = 9,
    TERN_DRV_FEATURE_PROGRAM_KEEPALIVE = 10,
    TERN_DRV_FEATURE_XML_MIGRATABLE = 11,
    TERN_DRV_FEATURE_MIGRATION_OFFLINE = 12,
    TERN_DRV_FEATURE_MIGRATION_PARAMS = 13,
    TERN_DRV_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    TERN_DRV_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    TERN_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
} ternDrvFeature;

/* connectOpen's answer */
typedef enum {
    TERN_DRV_OPEN_DECLINED = 0, /* not my URI: try the next driver */
    TERN_DRV_OPEN_SUCCESS = 1,
    TERN_DRV_OPEN_ERROR = -1,   /* my URI, but it failed: *error is set */
} ternDrvOpenStatus;

typedef ternDrvOpenStatus (*ternDrvConnectOpen)(ternConnect *conn, const char *uri,
                                                unsigned int flags, GError **error);
typedef void (*ternDrvConnectClose)(ternConnect *conn);
typedef const char *(*ternDrvConnectGetType)(ternConnect *conn, GError **error);
typedef bool (*ternDrvConnectGetVersion)(ternConnect *conn, unsigned long *hvVer, GError **error);
typedef bool (*ternDrvConnectGetLibVersion)(ternConnect *conn, unsigned long *libVer,
                                            GError **error);
typedef char *(*ternDrvConnectGetHostname)(ternConnect *conn, GError **error);
typedef char *(*ternDrvConnectGetURI)(ternConnect *conn, GError **error);
/* 1 supported, 0 not, -1 error */
typedef int (*ternDrvConnectSupportsFeature)(ternConnect *conn, int feature, GError **error);
typedef int (*ternDrvConnectIsAlive)(ternConnect *conn);
typedef bool (*ternDrvConnectSetKeepAlive)(ternConnect *conn, int interval, unsigned int count,
                                           GError **error);
/* returns the count; *domains (if non-NULL) gets a NULL-terminated g_new array */
typedef int (*ternDrvConnectListAllDomains)(ternConnect *conn, ternDomain ***domains,
                                            unsigned int flags, GError **error);
typedef ternDomain *(*ternDrvDomainLookupByName)(ternConnect *conn, const char *name,
                                                 GError **error);
typedef ternDomain *(*ternDrvDomainLookupByUUID)(ternConnect *conn, const unsigned char *uuid,
                                                 GError **error);
typedef ternDomain *(*ternDrvDomainLookupByID)(ternConnect *conn, int id, GError **error);
typedef ternDomain *(*ternDrvDomainDefineXMLFlags)(ternConnect *conn, const char *xml,
                                                   unsigned int flags, GError **error);
typedef bool (*ternDrvDomainUndefineFlags)(ternDomain *dom, unsigned int flags, GError **error);
/* on success sets dom->id to the new running id */
typedef bool (*ternDrvDomainCreateWithFlags)(ternDomain *dom, unsigned int flags,
                                             GError **error);
typedef bool (*ternDrvDomainDestroyFlags)(ternDomain *dom, unsigned int flags, GError **error);
typedef bool (*ternDrvDomainSuspend)(ternDomain *dom, GError **error);
/* ask the guest to power off (ACPI) and wait, bounded, until it did */
typedef bool (*ternDrvDomainShutdownFlags)(ternDomain *dom, unsigned int flags, GError **error);
typedef bool (*ternDrvDomainReboot)(ternDomain *dom, unsigned int flags, GError **error);
typedef bool (*ternDrvDomainResume)(ternDomain *dom, GError **error);
typedef bool (*ternDrvDomainGetInfo)(ternDomain *dom, ternDomainInfo *info, GError **error);
typedef bool (*ternDrvDomainGetState)(ternDomain *dom, int *state, int *reason,
                                      unsigned int flags, GError **error);
typedef char *(*ternDrvDomainGetXMLDesc)(ternDomain *dom, unsigned int flags, GError **error);
typedef char *(*ternDrvDomainGetOSType)(ternDomain *dom, GError **error);
/* 1 / 0, -1 on error */
typedef int (*ternDrvDomainIsActive)(ternDomain *dom, GError **error);
typedef int (*ternDrvDomainIsPersistent)(ternDomain *dom, GError **error);
typedef bool (*ternDrvDomainGetAutostart)(ternDomain *dom, int *autostart, GError **error);
typedef bool (*ternDrvDomainSetAutostart)(ternDomain *dom, int autostart, GError **error);
typedef int (*ternDrvDomainHasManagedSaveImage)(ternDomain *dom, unsigned int flags,
                                                GError **error);
/* returns the callback id (>= 0), -1 on error */
typedef int (*ternDrvConnectDomainEventRegisterAny)(ternConnect *conn, ternDomain *dom,
                                                    int eventID,
                                                    ternConnectDomainEventGenericCallback cb,
                                                    void *opaque, ternFreeCallback freecb,
                                                    GError **error);
typedef bool (*ternDrvConnectDomainEventDeregisterAny)(ternConnect *conn, int callbackID,
                                                       GError **error);

/*
 * Migration phases (libvirt-wire.md §4.4, the *3Params procedures). Cookies
 * are opaque byte strings passed from one phase to the next untouched;
 * *cookieout (g_malloc'ed, may stay NULL with *cookieoutlen 0) is written
 * only on success. @params were validated by no one: the driver checks them.
 */
/* source: returns the domain XML for the destination */
typedef char *(*ternDrvDomainMigrateBegin3Params)(ternDomain *dom, ternTypedParameter *params,
                                                  int nparams, char **cookieout,
                                                  int *cookieoutlen, unsigned int flags,
                                                  GError **error);
/* destination: *uriout (may stay NULL) is where the source's hypervisor sends data */
typedef bool (*ternDrvDomainMigratePrepare3Params)(ternConnect *dconn, ternTypedParameter *params,
                                                   int nparams, const char *cookiein,
                                                   int cookieinlen, char **cookieout,
                                                   int *cookieoutlen, char **uriout,
                                                   unsigned int flags, GError **error);
/*
 * destination, tunnelled: as Prepare3Params, with the migration data coming
 * through the RPC stream *@st instead of a port of its own. In ternd *@st is
 * the stream the call opened (the method takes its own reference); through
 * the remote driver *@st is NULL on entry and the new stream on success
 * (the caller owns it and sends the data on it).
 */
typedef bool (*ternDrvDomainMigratePrepareTunnel3Params)(
    ternConnect *dconn, ternNetStream **st, ternTypedParameter *params, int nparams,
    const char *cookiein, int cookieinlen, char **cookieout, int *cookieoutlen,
    unsigned int flags, GError **error);
/* source: @dconnuri is the destination daemon (PEER2PEER) or NULL */
typedef bool (*ternDrvDomainMigratePerform3Params)(ternDomain *dom, const char *dconnuri,
                                                   ternTypedParameter *params, int nparams,
                                                   const char *cookiein, int cookieinlen,
                                                   char **cookieout, int *cookieoutlen,
                                                   unsigned int flags, GError **error);
/* destination: returns the migrated domain (new handle), or NULL (also when @cancelled) */
typedef ternDomain *(*ternDrvDomainMigrateFinish3Params)(ternConnect *dconn,
                                                         ternTypedParameter *params, int nparams,
                                                         const char *cookiein, int cookieinlen,
                                                         char **cookieout, int *cookieoutlen,
                                                         unsigned int flags, int cancelled,
                                                         GError **error);
/* source: @cancelled: resume the guest here; else the destination runs it: clean up */
typedef bool (*ternDrvDomainMigrateConfirm3Params)(ternDomain *dom, ternTypedParameter *params,
                                                   int nparams, const char *cookiein,
                                                   int cookieinlen, unsigned int flags,
                                                   int cancelled, GError **error);

/* jobs */
typedef bool (*ternDrvDomainGetJobInfo)(ternDomain *dom, ternDomainJobInfo *info, GError **error);
/* *params: a new list (ternTypedParamsFree) */
typedef bool (*ternDrvDomainGetJobStats)(ternDomain *dom, int *type, ternTypedParameter **params,
                                         int *nparams, unsigned int flags, GError **error);
typedef bool (*ternDrvDomainAbortJob)(ternDomain *dom, GError **error);
typedef bool (*ternDrvDomainMigrateSetMaxDowntime)(ternDomain *dom, unsigned long long downtime,
                                                   unsigned int flags, GError **error);
typedef bool (*ternDrvDomainMigrateGetMaxDowntime)(ternDomain *dom, unsigned long long *downtime,
                                                   unsigned int flags, GError **error);
typedef bool (*ternDrvDomainMigrateSetMaxSpeed)(ternDomain *dom, unsigned long bandwidth,
                                                unsigned int flags, GError **error);
typedef bool (*ternDrvDomainMigrateGetMaxSpeed)(ternDomain *dom, unsigned long *bandwidth,
                                                unsigned int flags, GError **error);
/* switch the running outgoing migration (started with POSTCOPY) to post-copy */
typedef bool (*ternDrvDomainMigrateStartPostCopy)(ternDomain *dom, unsigned int flags,
                                                  GError **error);

struct _ternHypervisorDriver {
    const char *name;
    ternDrvConnectOpen connectOpen;
    ternDrvConnectClose connectClose;
    ternDrvConnectGetType connectGetType;
    ternDrvConnectGetVersion connectGetVersion;
    ternDrvConnectGetLibVersion connectGetLibVersion;
    ternDrvConnectGetHostname connectGetHostname;
    ternDrvConnectGetURI connectGetURI;
    ternDrvConnectSupportsFeature connectSupportsFeature;
    ternDrvConnectIsAlive connectIsAlive;
    ternDrvConnectSetKeepAlive connectSetKeepAlive;
    ternDrvConnectListAllDomains connectListAllDomains;
    ternDrvDomainLookupByName domainLookupByName;
    ternDrvDomainLookupByUUID domainLookupByUUID;
    ternDrvDomainLookupByID domainLookupByID;
    ternDrvDomainDefineXMLFlags domainDefineXMLFlags;
    ternDrvDomainUndefineFlags domainUndefineFlags;
    ternDrvDomainCreateWithFlags domainCreateWithFlags;
    ternDrvDomainDestroyFlags domainDestroyFlags;
    ternDrvDomainSuspend domainSuspend;
    ternDrvDomainShutdownFlags domainShutdownFlags;
    ternDrvDomainReboot domainReboot;
    ternDrvDomainResume domainResume;
    ternDrvDomainGetInfo domainGetInfo;
    ternDrvDomainGetState domainGetState;
    ternDrvDomainGetXMLDesc domainGetXMLDesc;
    ternDrvDomainGetOSType domainGetOSType;
    ternDrvDomainIsActive domainIsActive;
    ternDrvDomainIsPersistent domainIsPersistent;
    ternDrvDomainGetAutostart domainGetAutostart;
    ternDrvDomainSetAutostart domainSetAutostart;
    ternDrvDomainHasManagedSaveImage domainHasManagedSaveImage;
    ternDrvConnectDomainEventRegisterAny connectDomainEventRegisterAny;
    ternDrvConnectDomainEventDeregisterAny connectDomainEventDeregisterAny;
    ternDrvDomainMigrateBegin3Params domainMigrateBegin3Params;
    ternDrvDomainMigratePrepare3Params domainMigratePrepare3Params;
    ternDrvDomainMigratePrepareTunnel3Params domainMigratePrepareTunnel3Params;
    ternDrvDomainMigratePerform3Params domainMigratePerform3Params;
    ternDrvDomainMigrateFinish3Params domainMigrateFinish3Params;
    ternDrvDomainMigrateConfirm3Params domainMigrateConfirm3Params;
    ternDrvDomainGetJobInfo domainGetJobInfo;
    ternDrvDomainGetJobStats domainGetJobStats;
    ternDrvDomainAbortJob domainAbortJob;
    ternDrvDomainMigrateSetMaxDowntime domainMigrateSetMaxDowntime;
    ternDrvDomainMigrateGetMaxDowntime domainMigrateGetMaxDowntime;
    ternDrvDomainMigrateSetMaxSpeed domainMigrateSetMaxSpeed;
    ternDrvDomainMigrateGetMaxSpeed domainMigrateGetMaxSpeed;
    ternDrvDomainMigrateStartPostCopy domainMigrateStartPostCopy;
};

/**
 * ternDriverRegister: add @driver to the list ternConnectOpenInternal
 * tries, in registration order. Call before any connection is opened.
 */
void ternDriverRegister(const ternHypervisorDriver *driver);

/**
 * ternConnectOpenInternal: open @uri with the first registered driver that
 * accepts it. @flags: TERN_CONNECT_RO. Used by the public API (all drivers
 * registered, the remote driver among them) and by ternd (local drivers only).
 */
ternConnect *ternConnectOpenInternal(const char *uri, unsigned int flags, GError **error);

/**
 * ternDriverSetPeer: the driver a daemon uses to reach another daemon
 * (ternd: the remote driver), for peer-to-peer migration. It is not in the
 * list ternConnectOpenInternal tries: a client of ternd cannot make ternd
 * open a connection elsewhere.
 */
void ternDriverSetPeer(const ternHypervisorDriver *driver);

/**
 * ternConnectOpenPeer: open a connection to the daemon at @uri with the
 * peer driver. Fails with TERN_ERR_NO_SUPPORT when none is set, and with
 * the driver's error (host unreachable, refused, ...) otherwise. Blocks.
 */
ternConnect *ternConnectOpenPeer(const char *uri, GError **error);

/** Report "not supported" for a NULL driver method @method of @conn. */
void ternDriverReportNoSupport(ternConnect *conn, const char *method, GError **error);
