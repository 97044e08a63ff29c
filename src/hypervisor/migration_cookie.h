/* migration_cookie.h: tern's migration cookie: what one migration phase tells the next */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Each migration phase hands the next one an opaque cookie (Begin → Prepare
 * → Perform → Finish → Confirm; libvirt-wire.md §4.10). libvirt.so copies
 * it from one phase's cookie_out to the next one's cookie_in without
 * looking, and both ends are ternd, so the format is tern's own: a small
 * UTF-8 XML document, NUL-terminated in its buffer (the NUL is counted in
 * the length, as libvirt's QEMU driver does):
 *
 *   <tern-migration version='1'>
 *     <name>vm1</name>                          the domain, always
 *     <uuid>…</uuid>                            always
 *     <hostname>src</hostname>                  the sender's host, always
 *     <hostuuid>…</hostuuid>                    always; the receiver refuses its own
 *     <phase>perform</phase>                    the phase that wrote the cookie
 *     <features>                                the optional parts below that are present
 *       <feature name='persistent'/>            → <domain>
 *       <feature name='statistics'/>            → <statistics>
 *       <feature name='capabilities'/>          → <capabilities>
 *     </features>
 *     <migration uri='tcp:192.0.2.2:49152'/>    Prepare → Perform: where the destination listens
 *     <secure/>                                 the data channel is encrypted end to end
 *     <capabilities>                            migration capabilities the source enables
 *       <cap name='multifd' channels='4'/>
 *     </capabilities>
 *     <statistics>                              Perform → Finish → Confirm: the job's numbers,
 *       <downtime>48</downtime>                 named as the job-stats typed parameters
 *     </statistics>
 *     <domain type='qemu'>…</domain>            PERSIST_DEST: the persistent definition
 *   </tern-migration>
 *
 * ternMigrationCookieDecode() is the one decoder of cookies from a peer
 * (docs/style G12): it starts with the size bound, then refuses every
 * element, attribute, feature, capability or statistic it does not know,
 * every number out of range and every repeated element, so what it returns
 * can be trusted as is. A zero-length cookie is legal (libvirt sends one
 * to the P2P Prepare, to an offline Finish and after a failed Perform) and
 * decodes to an empty cookie: no name, nothing set.
 *
 * Errors are reported in TERN_FROM_DOMAIN: a malformed cookie is
 * TERN_ERR_INTERNAL_ERROR (libvirt's code for the same), a cookie of
 * another version TERN_ERR_OPERATION_UNSUPPORTED.
 */

#include <glib.h>
#include <stdbool.h>

#include "util/ternutil.h"

/* The version this code writes and the only one it reads. */
#define TERN_MIGRATION_COOKIE_VERSION 1

/* The largest cookie, trailing NUL included: the wire's opaque<4194304>. */
#define TERN_MIGRATION_COOKIE_MAX_LEN 4194304

/* Bounds of the strings in a cookie, in bytes. */
#define TERN_MIGRATION_COOKIE_HOSTNAME_MAX 255
#define TERN_MIGRATION_COOKIE_URI_MAX 1024

/* QEMU's multifd-channels parameter is 1..255. */
#define TERN_MIGRATION_COOKIE_MULTIFD_CHANNELS_MAX 255

/* The optional parts of a cookie; the <features> element lists their names. */
typedef enum {
    TERN_MIGRATION_COOKIE_FEATURE_PERSISTENT,   /* "persistent": persistentXML */
    TERN_MIGRATION_COOKIE_FEATURE_STATISTICS,   /* "statistics": stats */
    TERN_MIGRATION_COOKIE_FEATURE_CAPABILITIES, /* "capabilities": caps, multifdChannels */
    TERN_MIGRATION_COOKIE_FEATURE_LAST
} ternMigrationCookieFeature;

/* ternMigrationCookie.flags: one bit per ternMigrationCookieFeature. */
typedef enum {
    TERN_MIGRATION_COOKIE_PERSISTENT = 1 << TERN_MIGRATION_COOKIE_FEATURE_PERSISTENT,
    TERN_MIGRATION_COOKIE_STATISTICS = 1 << TERN_MIGRATION_COOKIE_FEATURE_STATISTICS,
    TERN_MIGRATION_COOKIE_CAPABILITIES = 1 << TERN_MIGRATION_COOKIE_FEATURE_CAPABILITIES,
} ternMigrationCookieFlags;

/* The phase that wrote a cookie (the step it is handed to in brackets). */
typedef enum {
    TERN_MIGRATION_COOKIE_PHASE_NONE = 0, /* not stated; never written */
    TERN_MIGRATION_COOKIE_PHASE_BEGIN,    /* "begin": source Begin (→ destination Prepare) */
    TERN_MIGRATION_COOKIE_PHASE_PREPARE,  /* "prepare": destination Prepare (→ source Perform) */
    TERN_MIGRATION_COOKIE_PHASE_PERFORM,  /* "perform": source Perform (→ destination Finish) */
    TERN_MIGRATION_COOKIE_PHASE_FINISH,   /* "finish": destination Finish (→ source Confirm) */
    TERN_MIGRATION_COOKIE_PHASE_LAST
} ternMigrationCookiePhase;

/* QEMU migration capabilities a source announces, with QEMU's names. */
typedef enum {
    TERN_MIGRATION_COOKIE_CAP_XBZRLE,                  /* "xbzrle" */
    TERN_MIGRATION_COOKIE_CAP_AUTO_CONVERGE,           /* "auto-converge" */
    TERN_MIGRATION_COOKIE_CAP_POSTCOPY_RAM,            /* "postcopy-ram" */
    TERN_MIGRATION_COOKIE_CAP_MULTIFD,                 /* "multifd" */
    TERN_MIGRATION_COOKIE_CAP_COMPRESS,                /* "compress" */
    TERN_MIGRATION_COOKIE_CAP_PAUSE_BEFORE_SWITCHOVER, /* "pause-before-switchover" */
    TERN_MIGRATION_COOKIE_CAP_LATE_BLOCK_ACTIVATE,     /* "late-block-activate" */
    TERN_MIGRATION_COOKIE_CAP_RETURN_PATH,             /* "return-path" */
    TERN_MIGRATION_COOKIE_CAP_LAST
} ternMigrationCookieCap;

/* The statistics a cookie carries; names (in brackets) are the job-stats typed parameters'. */
typedef enum {
    TERN_MIGRATION_STAT_STARTED,                  /* "started": ms since the epoch, source clock */
    TERN_MIGRATION_STAT_STOPPED,                  /* "stopped": guest paused, ms since the epoch */
    TERN_MIGRATION_STAT_SENT,                     /* "sent": cookie written, ms since the epoch */
    TERN_MIGRATION_STAT_TIME_ELAPSED,             /* "time_elapsed": ms */
    TERN_MIGRATION_STAT_TIME_REMAINING,           /* "time_remaining": ms */
    TERN_MIGRATION_STAT_DOWNTIME,                 /* "downtime": ms */
    TERN_MIGRATION_STAT_SETUP_TIME,               /* "setup_time": ms */
    TERN_MIGRATION_STAT_DATA_TOTAL,               /* "data_total": bytes */
    TERN_MIGRATION_STAT_DATA_PROCESSED,           /* "data_processed": bytes */
    TERN_MIGRATION_STAT_DATA_REMAINING,           /* "data_remaining": bytes */
    TERN_MIGRATION_STAT_MEMORY_TOTAL,             /* "memory_total": bytes */
    TERN_MIGRATION_STAT_MEMORY_PROCESSED,         /* "memory_processed": bytes */
    TERN_MIGRATION_STAT_MEMORY_REMAINING,         /* "memory_remaining": bytes */
    TERN_MIGRATION_STAT_MEMORY_BPS,               /* "memory_bps": bytes/s */
    TERN_MIGRATION_STAT_MEMORY_CONSTANT,          /* "memory_constant": pages */
    TERN_MIGRATION_STAT_MEMORY_NORMAL,            /* "memory_normal": pages */
    TERN_MIGRATION_STAT_MEMORY_NORMAL_BYTES,      /* "memory_normal_bytes": bytes */
    TERN_MIGRATION_STAT_MEMORY_DIRTY_RATE,        /* "memory_dirty_rate": pages/s */
    TERN_MIGRATION_STAT_MEMORY_ITERATION,         /* "memory_iteration": passes */
    TERN_MIGRATION_STAT_MEMORY_POSTCOPY_REQUESTS, /* "memory_postcopy_requests" */
    TERN_MIGRATION_STAT_MEMORY_PAGE_SIZE,         /* "memory_page_size": bytes, at most 1 GiB */
    TERN_MIGRATION_STAT_DISK_TOTAL,               /* "disk_total": bytes */
    TERN_MIGRATION_STAT_DISK_PROCESSED,           /* "disk_processed": bytes */
    TERN_MIGRATION_STAT_DISK_REMAINING,           /* "disk_remaining": bytes */
    TERN_MIGRATION_STAT_DISK_BPS,                 /* "disk_bps": bytes/s */
    TERN_MIGRATION_STAT_AUTO_CONVERGE_THROTTLE,   /* "auto_converge_throttle": percent, 0..100 */
    TERN_MIGRATION_STAT_LAST
} ternMigrationStat;

/*
 * A migration's numbers. A field means something only when its bit
 * (1ULL << ternMigrationStat) is set in @present; set both with
 * ternMigrationStatsSet(). Times are milliseconds and at most G_MAXINT64,
 * so they subtract safely as gint64.
 */
typedef struct _ternMigrationStats ternMigrationStats;
struct _ternMigrationStats {
    unsigned long long present;
    unsigned long long started;
    unsigned long long stopped;
    unsigned long long sent;
    unsigned long long timeElapsed;
    unsigned long long timeRemaining;
    unsigned long long downtime;
    unsigned long long setupTime;
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memoryTotal;
    unsigned long long memoryProcessed;
    unsigned long long memoryRemaining;
    unsigned long long memoryBps;
    unsigned long long memoryConstant;
    unsigned long long memoryNormal;
    unsigned long long memoryNormalBytes;
    unsigned long long memoryDirtyRate;
    unsigned long long memoryIteration;
    unsigned long long memoryPostcopyRequests;
    unsigned long long memoryPageSize;
    unsigned long long diskTotal;
    unsigned long long diskProcessed;
    unsigned long long diskRemaining;
    unsigned long long diskBps;
    unsigned long long autoConvergeThrottle;
};

typedef struct _ternMigrationCookie ternMigrationCookie;
struct _ternMigrationCookie {
    unsigned int flags;                    /* ternMigrationCookieFlags: optional parts present */
    char *name;                            /* the domain's name; NULL only in an empty cookie */
    unsigned char uuid[TERN_UUID_RAW_LEN]; /* the domain's UUID */
    char *hostname;                        /* the sender's host name */
    unsigned char hostuuid[TERN_UUID_RAW_LEN]; /* the sender's host UUID */
    ternMigrationCookiePhase phase;            /* who wrote the cookie; NONE if not stated */
    char *migrateURI;             /* "tcp:HOST:PORT" the destination listens on, or NULL */
    bool secure;                  /* the migration data channel is encrypted end to end */
    unsigned long long caps;      /* with CAPABILITIES: bits 1ULL << ternMigrationCookieCap */
    unsigned int multifdChannels; /* with the multifd cap: 1..255; 0 = QEMU's default */
    ternMigrationStats stats;     /* with STATISTICS */
    char *persistentXML;          /* with PERSISTENT: canonical inactive <domain> XML */
};

/* Enum names as the cookie writes them; ToString gives NULL, FromString -1 when unknown. */
const char *ternMigrationCookieFeatureTypeToString(int feature);
int ternMigrationCookieFeatureTypeFromString(const char *str);
const char *ternMigrationCookiePhaseTypeToString(int phase);
int ternMigrationCookiePhaseTypeFromString(const char *str);
const char *ternMigrationCookieCapTypeToString(int cap);
int ternMigrationCookieCapTypeFromString(const char *str);
const char *ternMigrationStatTypeToString(int stat);
int ternMigrationStatTypeFromString(const char *str);

/**
 * ternMigrationStatsSet: set @stat to @value and mark it present. Values
 * beyond the statistic's bound (times: G_MAXINT64, page size: 1 GiB,
 * throttle: 100) are kept here but make ternMigrationCookieEncode fail.
 * @stat must be a ternMigrationStat (programming error otherwise).
 */
void ternMigrationStatsSet(ternMigrationStats *stats, ternMigrationStat stat,
                           unsigned long long value);

/**
 * ternMigrationStatsGet: true and *@retValue = the value if @stat is
 * present; false, *@retValue untouched, if not (or @stat is unknown).
 */
bool ternMigrationStatsGet(const ternMigrationStats *stats, ternMigrationStat stat,
                           unsigned long long *retValue);

/** ternMigrationCookieNew: an empty cookie (no name, nothing set). Never fails. */
ternMigrationCookie *ternMigrationCookieNew(void);

/**
 * ternMigrationCookieEncode: the XML of @c in a new buffer *@retBuf
 * (g_free) of *@retLen bytes, trailing NUL included. The cookie is checked
 * as the decoder would check it, so nothing is sent that the peer must
 * refuse; @c->persistentXML is parsed and written in canonical form. Fails
 * (outputs untouched) if @c has no name or hostname, a string out of
 * bounds or with control characters, a migrateURI other than
 * tcp:HOST:PORT, unknown flags, caps or statistics, a statistic beyond
 * its bound, flags that disagree with the parts set, persistent XML that
 * does not parse, or a result above TERN_MIGRATION_COOKIE_MAX_LEN. Does
 * not block.
 */
bool ternMigrationCookieEncode(const ternMigrationCookie *c, char **retBuf, int *retLen,
                               GError **error);

/**
 * ternMigrationCookieDecode: the cookie in the @len bytes at @buf, as a
 * peer sent it (one trailing NUL is allowed and ignored). @len 0 gives an
 * empty cookie. Refuses, with the reason in @error: a cookie larger than
 * TERN_MIGRATION_COOKIE_MAX_LEN, NUL bytes inside, invalid UTF-8, XML that
 * is not well-formed or has a DTD, a root other than <tern-migration>, a
 * version other than TERN_MIGRATION_COOKIE_VERSION, unknown or repeated
 * elements, attributes, features, capabilities or statistics, a missing
 * name/uuid/hostname/hostuuid, invalid UUIDs, numbers out of range, a
 * migration URI other than tcp:HOST:PORT, features that disagree with the
 * elements present, and a <domain> that the domain XML parser refuses or
 * whose UUID is not the cookie's. Returns a new cookie (caller frees) or
 * NULL. Does not block.
 */
ternMigrationCookie *ternMigrationCookieDecode(const char *buf, int len, GError **error);

/**
 * ternMigrationCookieCheckHost: refuse a cookie written by this very host
 * (its hostuuid is @localHostUUID): "Attempt to migrate guest to the same
 * host UUID", TERN_ERR_INTERNAL_ERROR as in libvirt. Host names are not
 * compared: test hosts in network namespaces share one. An empty cookie
 * passes.
 */
bool ternMigrationCookieCheckHost(const ternMigrationCookie *c, const unsigned char *localHostUUID,
                                  GError **error);

/** ternMigrationCookieFree: free @c and everything it holds. Accepts NULL. */
void ternMigrationCookieFree(ternMigrationCookie *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ternMigrationCookie, ternMigrationCookieFree)
