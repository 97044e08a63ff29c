/* tern-domain.h: domains: lookup, definition and lifecycle */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <tern/tern-connect.h>

typedef struct _ternDomain ternDomain;

#define TERN_UUID_BUFLEN 16
#define TERN_UUID_STRING_BUFLEN 37

typedef enum {
    TERN_DOMAIN_NOSTATE = 0,
    TERN_DOMAIN_RUNNING = 1,
    TERN_DOMAIN_BLOCKED = 2,
    TERN_DOMAIN_PAUSED = 3,
    TERN_DOMAIN_SHUTDOWN = 4,
    TERN_DOMAIN_SHUTOFF = 5,
    TERN_DOMAIN_CRASHED = 6,
    TERN_DOMAIN_PMSUSPENDED = 7,
    TERN_DOMAIN_LAST
} ternDomainState;

typedef enum {
    TERN_DOMAIN_RUNNING_UNKNOWN = 0,
    TERN_DOMAIN_RUNNING_BOOTED = 1,
    TERN_DOMAIN_RUNNING_MIGRATED = 2,
    TERN_DOMAIN_RUNNING_RESTORED = 3,
    TERN_DOMAIN_RUNNING_FROM_SNAPSHOT = 4,
    TERN_DOMAIN_RUNNING_UNPAUSED = 5,
    TERN_DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    TERN_DOMAIN_RUNNING_SAVE_CANCELED = 7,
    TERN_DOMAIN_RUNNING_WAKEUP = 8,
    TERN_DOMAIN_RUNNING_CRASHED = 9,
    TERN_DOMAIN_RUNNING_POSTCOPY = 10,
    TERN_DOMAIN_RUNNING_LAST
} ternDomainRunningReason;

typedef enum {
    TERN_DOMAIN_PAUSED_UNKNOWN = 0,
    TERN_DOMAIN_PAUSED_USER = 1,
    TERN_DOMAIN_PAUSED_MIGRATION = 2,
    TERN_DOMAIN_PAUSED_SAVE = 3,
    TERN_DOMAIN_PAUSED_DUMP = 4,
    TERN_DOMAIN_PAUSED_IOERROR = 5,
    TERN_DOMAIN_PAUSED_WATCHDOG = 6,
    TERN_DOMAIN_PAUSED_FROM_SNAPSHOT = 7,
    TERN_DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    TERN_DOMAIN_PAUSED_SNAPSHOT = 9,
    TERN_DOMAIN_PAUSED_CRASHED = 10,
    TERN_DOMAIN_PAUSED_STARTING_UP = 11,
    TERN_DOMAIN_PAUSED_POSTCOPY = 12,
    TERN_DOMAIN_PAUSED_POSTCOPY_FAILED = 13,
    TERN_DOMAIN_PAUSED_LAST
} ternDomainPausedReason;

typedef enum {
    TERN_DOMAIN_SHUTOFF_UNKNOWN = 0,
    TERN_DOMAIN_SHUTOFF_SHUTDOWN = 1,
    TERN_DOMAIN_SHUTOFF_DESTROYED = 2,
    TERN_DOMAIN_SHUTOFF_CRASHED = 3,
    TERN_DOMAIN_SHUTOFF_MIGRATED = 4,
    TERN_DOMAIN_SHUTOFF_SAVED = 5,
    TERN_DOMAIN_SHUTOFF_FAILED = 6,
    TERN_DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    TERN_DOMAIN_SHUTOFF_DAEMON = 8,
    TERN_DOMAIN_SHUTOFF_LAST
} ternDomainShutoffReason;

typedef struct _ternDomainInfo ternDomainInfo;
struct _ternDomainInfo {
    unsigned char state;        /* ternDomainState */
    unsigned long maxMem;       /* KiB */
    unsigned long memory;       /* KiB */
    unsigned short nrVirtCpu;
    unsigned long long cpuTime; /* ns */
};

typedef enum {
    TERN_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0,
    TERN_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1,
    TERN_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2,
    TERN_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3,
    TERN_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4,
    TERN_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5,
    TERN_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6,
    TERN_CONNECT_LIST_DOMAINS_OTHER = 1 << 7,
} ternConnectListAllDomainsFlags;

typedef enum {
    TERN_DOMAIN_XML_SECURE = 1 << 0,
    TERN_DOMAIN_XML_INACTIVE = 1 << 1,
    TERN_DOMAIN_XML_UPDATE_CPU = 1 << 2,
    TERN_DOMAIN_XML_MIGRATABLE = 1 << 3,
} ternDomainXMLFlags;

typedef enum {
    TERN_DOMAIN_DEFINE_VALIDATE = 1 << 0,
} ternDomainDefineFlags;

typedef enum {
    TERN_DOMAIN_START_PAUSED = 1 << 0,
    TERN_DOMAIN_START_AUTODESTROY = 1 << 1,
    TERN_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    TERN_DOMAIN_START_FORCE_BOOT = 1 << 3,
    TERN_DOMAIN_START_VALIDATE = 1 << 4,
} ternDomainCreateFlags;

typedef enum {
    TERN_DOMAIN_UNDEFINE_MANAGED_SAVE = 1 << 0,
    TERN_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 1 << 1,
    TERN_DOMAIN_UNDEFINE_NVRAM = 1 << 2,
    TERN_DOMAIN_UNDEFINE_KEEP_NVRAM = 1 << 3,
    TERN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4,
    TERN_DOMAIN_UNDEFINE_TPM = 1 << 5,
    TERN_DOMAIN_UNDEFINE_KEEP_TPM = 1 << 6,
} ternDomainUndefineFlagsValues;

typedef enum {
    TERN_DOMAIN_SHUTDOWN_DEFAULT = 0,
    TERN_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1 << 0,
    TERN_DOMAIN_SHUTDOWN_GUEST_AGENT = 1 << 1,
    TERN_DOMAIN_SHUTDOWN_INITCTL = 1 << 2,
    TERN_DOMAIN_SHUTDOWN_SIGNAL = 1 << 3,
    TERN_DOMAIN_SHUTDOWN_PARAVIRT = 1 << 4,
} ternDomainShutdownFlagValues;

typedef enum {
    TERN_DOMAIN_REBOOT_DEFAULT = 0,
    TERN_DOMAIN_REBOOT_ACPI_POWER_BTN = 1 << 0,
    TERN_DOMAIN_REBOOT_GUEST_AGENT = 1 << 1,
    TERN_DOMAIN_REBOOT_INITCTL = 1 << 2,
    TERN_DOMAIN_REBOOT_SIGNAL = 1 << 3,
    TERN_DOMAIN_REBOOT_PARAVIRT = 1 << 4,
} ternDomainRebootFlagValues;

typedef enum {
    TERN_DOMAIN_DESTROY_DEFAULT = 0,
    TERN_DOMAIN_DESTROY_GRACEFUL = 1 << 0,
} ternDomainDestroyFlagsValues;

/**
 * ternConnectListAllDomains: every domain matching @flags (0 = all). On
 * success *domains (if not NULL) is a NULL-terminated array the caller frees
 * with ternDomainFree on each element and free() on the array. Returns the
 * number of domains, -1 on error.
 * Since: 0.1 (virConnectListAllDomains)
 */
int ternConnectListAllDomains(ternConnect *conn, ternDomain ***domains, unsigned int flags);

/** Since: 0.1 (virDomainLookupByName). Caller frees with ternDomainFree. */
ternDomain *ternDomainLookupByName(ternConnect *conn, const char *name);
/** Since: 0.1 (virDomainLookupByUUID) */
ternDomain *ternDomainLookupByUUID(ternConnect *conn, const unsigned char *uuid);
/** Since: 0.1 (virDomainLookupByUUIDString) */
ternDomain *ternDomainLookupByUUIDString(ternConnect *conn, const char *uuidstr);
/** Since: 0.1 (virDomainLookupByID); only running domains have an id */
ternDomain *ternDomainLookupByID(ternConnect *conn, int id);

/** Since: 0.1 (virDomainRef) */
int ternDomainRef(ternDomain *dom);
/** Since: 0.1 (virDomainFree) */
int ternDomainFree(ternDomain *dom);

/** The name; belongs to @dom. Since: 0.1 (virDomainGetName) */
const char *ternDomainGetName(ternDomain *dom);
/** Copies 16 raw bytes into @uuid. Since: 0.1 (virDomainGetUUID) */
int ternDomainGetUUID(ternDomain *dom, unsigned char *uuid);
/** Formats into @buf (TERN_UUID_STRING_BUFLEN). Since: 0.1 (virDomainGetUUIDString) */
int ternDomainGetUUIDString(ternDomain *dom, char *buf);
/** The running id, or (unsigned)-1 when not running. Since: 0.1 (virDomainGetID) */
unsigned int ternDomainGetID(ternDomain *dom);
/** The connection @dom belongs to (borrowed). Since: 0.1 (virDomainGetConnect) */
ternConnect *ternDomainGetConnect(ternDomain *dom);

/**
 * ternDomainDefineXML: define (or redefine) a persistent domain from
 * libvirt domain XML. Nothing is defined on error.
 * Since: 0.1 (virDomainDefineXML)
 */
ternDomain *ternDomainDefineXML(ternConnect *conn, const char *xml);
/** Since: 0.1 (virDomainDefineXMLFlags) */
ternDomain *ternDomainDefineXMLFlags(ternConnect *conn, const char *xml, unsigned int flags);

/** Since: 0.1 (virDomainUndefine) */
int ternDomainUndefine(ternDomain *dom);
/** Since: 0.1 (virDomainUndefineFlags) */
int ternDomainUndefineFlags(ternDomain *dom, unsigned int flags);

/** Start a defined domain; updates @dom's id. Since: 0.1 (virDomainCreate) */
int ternDomainCreate(ternDomain *dom);
/** Since: 0.1 (virDomainCreateWithFlags) */
int ternDomainCreateWithFlags(ternDomain *dom, unsigned int flags);

/** Stop a running domain at once. Since: 0.1 (virDomainDestroy) */
int ternDomainDestroy(ternDomain *dom);
/** Since: 0.1 (virDomainDestroyFlags) */
int ternDomainDestroyFlags(ternDomain *dom, unsigned int flags);

/**
 * ternDomainShutdown: ask the guest to power off (the ACPI power button)
 * and wait, bounded by the driver (60 s for QEMU), until it has. A guest
 * that ignores the button stays running and the call fails with
 * TERN_ERR_OPERATION_TIMEOUT.
 * Since: 0.1 (virDomainShutdown)
 */
int ternDomainShutdown(ternDomain *dom);
/** Since: 0.1 (virDomainShutdownFlags); flags: ternDomainShutdownFlagValues */
int ternDomainShutdownFlags(ternDomain *dom, unsigned int flags);
/** Reset the guest (QEMU: system_reset). Since: 0.1 (virDomainReboot) */
int ternDomainReboot(ternDomain *dom, unsigned int flags);

/** Since: 0.1 (virDomainSuspend) */
int ternDomainSuspend(ternDomain *dom);
/** Since: 0.1 (virDomainResume) */
int ternDomainResume(ternDomain *dom);

/** Since: 0.1 (virDomainGetInfo) */
int ternDomainGetInfo(ternDomain *dom, ternDomainInfo *info);
/** Since: 0.1 (virDomainGetState) */
int ternDomainGetState(ternDomain *dom, int *state, int *reason, unsigned int flags);
/** Caller frees. Since: 0.1 (virDomainGetXMLDesc) */
char *ternDomainGetXMLDesc(ternDomain *dom, unsigned int flags);
/** Caller frees. Since: 0.1 (virDomainGetOSType) */
char *ternDomainGetOSType(ternDomain *dom);
/** Since: 0.1 (virDomainIsActive) */
int ternDomainIsActive(ternDomain *dom);
/** Since: 0.1 (virDomainIsPersistent) */
int ternDomainIsPersistent(ternDomain *dom);
/** Since: 0.1 (virDomainGetAutostart) */
int ternDomainGetAutostart(ternDomain *dom, int *autostart);
/** Since: 0.1 (virDomainSetAutostart) */
int ternDomainSetAutostart(ternDomain *dom, int autostart);
/** Since: 0.1 (virDomainHasManagedSaveImage) */
int ternDomainHasManagedSaveImage(ternDomain *dom, unsigned int flags);
