/* migration_cookie.c: encode and decode tern's migration cookie (XML, libxml2 on the way in) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stddef.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "conf/domain_conf.h"
#include "hypervisor/migration_cookie.h"
#include "util/ternerror.h"
#include "util/ternxml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

/* A malformed cookie: libvirt's QEMU driver reports these as internal errors too. */
#define ternMigrationCookieError(error, ...)                                                       \
    ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_INTERNAL_ERROR, __VA_ARGS__)

/* How many characters of a peer's text an error message quotes. */
#define TERN_MIGRATION_COOKIE_QUOTE_MAX 64

/* The persistent definition: parsed and written as an inactive config, passwords included. */
#define TERN_MIGRATION_COOKIE_DOMAIN_PARSE_FLAGS TERN_DOMAIN_DEF_PARSE_INACTIVE
#define TERN_MIGRATION_COOKIE_DOMAIN_FORMAT_FLAGS                                                  \
    (TERN_DOMAIN_DEF_FORMAT_SECURE | TERN_DOMAIN_DEF_FORMAT_INACTIVE)

#define TERN_MIGRATION_COOKIE_ENUM_IMPL(name, last, ...)                                           \
    static const char *const name##Names[] = {__VA_ARGS__};                                        \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##Names) == last);                                            \
    const char *name##TypeToString(int type)                                                       \
    {                                                                                              \
        if (type < 0 || (size_t)type >= G_N_ELEMENTS(name##Names))                                 \
            return NULL;                                                                           \
        return name##Names[type];                                                                  \
    }                                                                                              \
    int name##TypeFromString(const char *str)                                                      \
    {                                                                                              \
        for (size_t i = 0; str && i < G_N_ELEMENTS(name##Names); i++) {                            \
            if (strcmp(str, name##Names[i]) == 0)                                                  \
                return (int)i;                                                                     \
        }                                                                                          \
        return -1;                                                                                 \
    }

TERN_MIGRATION_COOKIE_ENUM_IMPL(ternMigrationCookieFeature, TERN_MIGRATION_COOKIE_FEATURE_LAST,
                                "persistent", "statistics", "capabilities")
TERN_MIGRATION_COOKIE_ENUM_IMPL(ternMigrationCookiePhase, TERN_MIGRATION_COOKIE_PHASE_LAST, "none",
                                "begin", "prepare", "perform", "finish")
TERN_MIGRATION_COOKIE_ENUM_IMPL(ternMigrationCookieCap, TERN_MIGRATION_COOKIE_CAP_LAST, "xbzrle",
                                "auto-converge", "postcopy-ram", "multifd", "compress",
                                "pause-before-switchover", "late-block-activate", "return-path")
TERN_MIGRATION_COOKIE_ENUM_IMPL(ternMigrationStat, TERN_MIGRATION_STAT_LAST, "started", "stopped",
                                "sent", "time_elapsed", "time_remaining", "downtime", "setup_time",
                                "data_total", "data_processed", "data_remaining", "memory_total",
                                "memory_processed", "memory_remaining", "memory_bps",
                                "memory_constant", "memory_normal", "memory_normal_bytes",
                                "memory_dirty_rate", "memory_iteration", "memory_postcopy_requests",
                                "memory_page_size", "disk_total", "disk_processed",
                                "disk_remaining", "disk_bps", "auto_converge_throttle")

/* caps and stats.present are 64-bit masks */
G_STATIC_ASSERT(TERN_MIGRATION_COOKIE_CAP_LAST <= 64);
G_STATIC_ASSERT(TERN_MIGRATION_STAT_LAST <= 64);

#define TERN_MIGRATION_COOKIE_FLAGS_ALL ((1U << TERN_MIGRATION_COOKIE_FEATURE_LAST) - 1)
#define TERN_MIGRATION_COOKIE_CAPS_ALL ((1ULL << TERN_MIGRATION_COOKIE_CAP_LAST) - 1)
#define TERN_MIGRATION_STATS_ALL ((1ULL << TERN_MIGRATION_STAT_LAST) - 1)

/* Where each statistic lives in ternMigrationStats and the largest value it may have. */
typedef struct {
    size_t offset;
    unsigned long long max;
} ternMigrationStatInfo;

/* [TERN_MIGRATION_STAT_<stat>] = {offset of @field, largest value} */
#define TERN_MIGRATION_STAT_INFO(stat, field, max)                                                 \
    [TERN_MIGRATION_STAT_##stat] = {offsetof(ternMigrationStats, field), (max)}
#define TERN_MIGRATION_STAT_MS G_MAXINT64
#define TERN_MIGRATION_STAT_ANY G_MAXUINT64

static const ternMigrationStatInfo ternMigrationStatInfos[] = {
    TERN_MIGRATION_STAT_INFO(STARTED, started, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(STOPPED, stopped, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(SENT, sent, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(TIME_ELAPSED, timeElapsed, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(TIME_REMAINING, timeRemaining, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(DOWNTIME, downtime, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(SETUP_TIME, setupTime, TERN_MIGRATION_STAT_MS),
    TERN_MIGRATION_STAT_INFO(DATA_TOTAL, dataTotal, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(DATA_PROCESSED, dataProcessed, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(DATA_REMAINING, dataRemaining, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_TOTAL, memoryTotal, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_PROCESSED, memoryProcessed, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_REMAINING, memoryRemaining, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_BPS, memoryBps, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_CONSTANT, memoryConstant, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_NORMAL, memoryNormal, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_NORMAL_BYTES, memoryNormalBytes, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_DIRTY_RATE, memoryDirtyRate, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_ITERATION, memoryIteration, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_POSTCOPY_REQUESTS, memoryPostcopyRequests,
                             TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(MEMORY_PAGE_SIZE, memoryPageSize, 1ULL << 30),
    TERN_MIGRATION_STAT_INFO(DISK_TOTAL, diskTotal, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(DISK_PROCESSED, diskProcessed, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(DISK_REMAINING, diskRemaining, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(DISK_BPS, diskBps, TERN_MIGRATION_STAT_ANY),
    TERN_MIGRATION_STAT_INFO(AUTO_CONVERGE_THROTTLE, autoConvergeThrottle, 100),
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternMigrationStatInfos) == TERN_MIGRATION_STAT_LAST);

static unsigned long long *
ternMigrationStatsField(ternMigrationStats *stats, ternMigrationStat stat)
{
    return (unsigned long long *)((char *)stats + ternMigrationStatInfos[stat].offset);
}

static unsigned long long
ternMigrationStatsValue(const ternMigrationStats *stats, ternMigrationStat stat)
{
    return *(const unsigned long long *)((const char *)stats + ternMigrationStatInfos[stat].offset);
}

void
ternMigrationStatsSet(ternMigrationStats *stats, ternMigrationStat stat, unsigned long long value)
{
    g_return_if_fail(stats && (int)stat >= 0 && stat < TERN_MIGRATION_STAT_LAST);

    *ternMigrationStatsField(stats, stat) = value;
    stats->present |= 1ULL << stat;
}

bool
ternMigrationStatsGet(const ternMigrationStats *stats, ternMigrationStat stat,
                      unsigned long long *retValue)
{
    if (!stats || (int)stat < 0 || stat >= TERN_MIGRATION_STAT_LAST ||
        !(stats->present & (1ULL << stat)))
        return false;
    *retValue = ternMigrationStatsValue(stats, stat);
    return true;
}

ternMigrationCookie *
ternMigrationCookieNew(void)
{
    return g_new0(ternMigrationCookie, 1);
}

void
ternMigrationCookieFree(ternMigrationCookie *c)
{
    if (!c)
        return;
    g_free(c->name);
    g_free(c->hostname);
    g_free(c->migrateURI);
    g_free(c->persistentXML);
    g_free(c);
}

/* ---- checks shared by the encoder and the decoder ----------------------- */

/*
 * @text as an error message may quote it: at most
 * TERN_MIGRATION_COOKIE_QUOTE_MAX characters, valid UTF-8, control
 * characters shown as '?'. Caller frees.
 */
static char *
ternMigrationCookieQuote(const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    bool cut = g_utf8_strlen(valid, -1) > TERN_MIGRATION_COOKIE_QUOTE_MAX;
    char *quoted =
        cut ? g_utf8_substring(valid, 0, TERN_MIGRATION_COOKIE_QUOTE_MAX) : g_steal_pointer(&valid);

    for (char *p = quoted; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    if (cut) {
        char *longer = g_strconcat(quoted, "...", NULL);

        g_free(quoted);
        quoted = longer;
    }
    return quoted;
}

/*
 * A string the cookie carries (@what names it): present, 1..@max bytes of
 * UTF-8, no control characters (XML 1.0 cannot carry most of them, and no
 * name or address needs any).
 */
static bool
ternMigrationCookieCheckString(const char *what, const char *value, size_t max, GError **error)
{
    size_t len;

    if (!value || !*value) {
        ternMigrationCookieError(error, "migration cookie has an empty %s", what);
        return false;
    }
    if ((len = strnlen(value, max + 1)) > max) {
        ternMigrationCookieError(error, "%s in migration cookie is longer than %zu bytes", what,
                                 max);
        return false;
    }
    if (!g_utf8_validate(value, (gssize)len, NULL)) {
        ternMigrationCookieError(error, "%s in migration cookie is not valid UTF-8", what);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
            g_autofree char *quoted = ternMigrationCookieQuote(value);

            ternMigrationCookieError(
                error, "%s '%s' in migration cookie contains control characters", what, quoted);
            return false;
        }
    }
    return true;
}

/* Digits only, no sign or space, at most @max. */
static bool
ternMigrationCookieParseULL(const char *text, unsigned long long max, unsigned long long *ret)
{
    unsigned long long value = 0;

    if (!*text)
        return false;
    for (const char *p = text; *p; p++) {
        unsigned int digit;

        if (!g_ascii_isdigit(*p))
            return false;
        digit = (unsigned int)(*p - '0');
        if (digit > max || value > (max - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *ret = value;
    return true;
}

static bool
ternMigrationCookieIsHostChar(char ch)
{
    return g_ascii_isalnum(ch) || ch == '.' || ch == '-' || ch == '_';
}

static bool
ternMigrationCookieIsIPv6Char(char ch)
{
    return g_ascii_isxdigit(ch) || ch == ':' || ch == '.';
}

/*
 * The URI the destination's QEMU listens on, as QEMU's migrate command
 * takes it: only tcp:HOST:PORT (HOST a name, an IPv4 address or a
 * bracketed IPv6 address; PORT 1..65535). QEMU also runs "exec:" URIs as
 * shell commands: a destination must never be able to hand one to the
 * source, so every other scheme is refused here.
 */
static bool
ternMigrationCookieCheckURI(const char *uri, GError **error)
{
    const char *hostport;
    const char *colon;
    unsigned long long port = 0;
    bool ok = true;

    if (!ternMigrationCookieCheckString("migration URI", uri, TERN_MIGRATION_COOKIE_URI_MAX, error))
        return false;

    if (!g_str_has_prefix(uri, "tcp:") || !(colon = strrchr(hostport = uri + 4, ':')) ||
        colon == hostport || !ternMigrationCookieParseULL(colon + 1, 65535, &port) || port == 0) {
        ok = false;
    } else if (hostport[0] == '[') {
        /* [IPv6]: the bracket closes right before the port */
        ok = colon - hostport > 2 && colon[-1] == ']';
        for (const char *p = hostport + 1; ok && p < colon - 1; p++)
            ok = ternMigrationCookieIsIPv6Char(*p);
    } else {
        for (const char *p = hostport; ok && p < colon; p++)
            ok = ternMigrationCookieIsHostChar(*p);
    }
    if (!ok) {
        g_autofree char *quoted = ternMigrationCookieQuote(uri);

        ternMigrationCookieError(
            error, "unsupported migration URI '%s' in migration cookie: expected tcp:HOST:PORT",
            quoted);
        return false;
    }
    return true;
}

static bool
ternMigrationCookieCheckStat(ternMigrationStat stat, unsigned long long value, GError **error)
{
    if (value > ternMigrationStatInfos[stat].max) {
        ternMigrationCookieError(
            error, "statistic '%s' in migration cookie is %llu, above its limit %llu",
            ternMigrationStatTypeToString(stat), value, ternMigrationStatInfos[stat].max);
        return false;
    }
    return true;
}

static bool
ternMigrationCookieCheckChannels(unsigned long long channels, GError **error)
{
    if (channels < 1 || channels > TERN_MIGRATION_COOKIE_MULTIFD_CHANNELS_MAX) {
        ternMigrationCookieError(error,
                                 "multifd channels in migration cookie must be 1..%d, not %llu",
                                 TERN_MIGRATION_COOKIE_MULTIFD_CHANNELS_MAX, channels);
        return false;
    }
    return true;
}

/* What the encoder checks before writing anything: the decoder's rules, seen from our side. */
static bool
ternMigrationCookieCheck(const ternMigrationCookie *c, GError **error)
{
    if (!c || !c->name) {
        ternMigrationCookieError(error, "migration cookie has no domain name");
        return false;
    }
    if (!ternMigrationCookieCheckString("domain name", c->name, TERN_DOMAIN_NAME_MAX_LEN, error))
        return false;
    if (!c->hostname) {
        ternMigrationCookieError(error, "migration cookie has no host name");
        return false;
    }
    if (!ternMigrationCookieCheckString("host name", c->hostname,
                                        TERN_MIGRATION_COOKIE_HOSTNAME_MAX, error))
        return false;
    if ((int)c->phase < 0 || c->phase >= TERN_MIGRATION_COOKIE_PHASE_LAST) {
        ternMigrationCookieError(error, "invalid migration cookie phase %d", (int)c->phase);
        return false;
    }
    if (c->flags & ~TERN_MIGRATION_COOKIE_FLAGS_ALL) {
        ternMigrationCookieError(error, "unknown migration cookie flags 0x%x",
                                 c->flags & ~TERN_MIGRATION_COOKIE_FLAGS_ALL);
        return false;
    }
    if (c->migrateURI && !ternMigrationCookieCheckURI(c->migrateURI, error))
        return false;

    if (!(c->flags & TERN_MIGRATION_COOKIE_CAPABILITIES) && (c->caps || c->multifdChannels)) {
        ternMigrationCookieError(error, "migration cookie has capabilities but not the "
                                        "'capabilities' flag");
        return false;
    }
    if (c->caps & ~TERN_MIGRATION_COOKIE_CAPS_ALL) {
        ternMigrationCookieError(error, "unknown migration capabilities 0x%llx",
                                 c->caps & ~TERN_MIGRATION_COOKIE_CAPS_ALL);
        return false;
    }
    if (c->multifdChannels) {
        if (!(c->caps & (1ULL << TERN_MIGRATION_COOKIE_CAP_MULTIFD))) {
            ternMigrationCookieError(error,
                                     "migration cookie has multifd channels without 'multifd'");
            return false;
        }
        if (!ternMigrationCookieCheckChannels(c->multifdChannels, error))
            return false;
    }

    if (!(c->flags & TERN_MIGRATION_COOKIE_STATISTICS) && c->stats.present) {
        ternMigrationCookieError(error, "migration cookie has statistics but not the "
                                        "'statistics' flag");
        return false;
    }
    if (c->stats.present & ~TERN_MIGRATION_STATS_ALL) {
        ternMigrationCookieError(error, "unknown migration statistics 0x%llx",
                                 c->stats.present & ~TERN_MIGRATION_STATS_ALL);
        return false;
    }
    for (int stat = 0; stat < TERN_MIGRATION_STAT_LAST; stat++) {
        if ((c->stats.present & (1ULL << stat)) &&
            !ternMigrationCookieCheckStat(stat, ternMigrationStatsValue(&c->stats, stat), error))
            return false;
    }

    if (!!(c->flags & TERN_MIGRATION_COOKIE_PERSISTENT) != !!c->persistentXML) {
        ternMigrationCookieError(error, "migration cookie's 'persistent' flag and persistent "
                                        "domain XML disagree");
        return false;
    }
    return true;
}

/* ---- encoding ----------------------------------------------------------- */

/*
 * The persistent definition in canonical form (parse, then format), whose
 * UUID must be the cookie's. Returns a new string or NULL.
 */
static char *
ternMigrationCookieCanonicalDomain(const char *xml, const unsigned char *uuid, GError **error)
{
    g_autoptr(ternDomainDef) def = NULL;
    GError *err = NULL;

    if (!(def = ternDomainDefParseString(xml, TERN_MIGRATION_COOKIE_DOMAIN_PARSE_FLAGS, &err))) {
        g_propagate_prefixed_error(error, err,
                                   "invalid persistent domain XML in migration cookie: ");
        return NULL;
    }
    if (memcmp(def->uuid, uuid, TERN_UUID_RAW_LEN) != 0) {
        char have[TERN_UUID_STR_LEN];
        char want[TERN_UUID_STR_LEN];

        ternUUIDFormat(def->uuid, have);
        ternUUIDFormat(uuid, want);
        ternMigrationCookieError(
            error,
            "persistent domain XML in migration cookie has UUID %s, but the cookie is for %s", have,
            want);
        return NULL;
    }
    return ternDomainDefFormat(def, TERN_MIGRATION_COOKIE_DOMAIN_FORMAT_FLAGS, error);
}

static void
ternMigrationCookieFormatText(GString *xml, const char *element, const char *text)
{
    g_autofree char *escaped = g_markup_escape_text(text, -1);

    g_string_append_printf(xml, "  <%s>%s</%s>\n", element, escaped, element);
}

static void
ternMigrationCookieFormatUUID(GString *xml, const char *element, const unsigned char *uuid)
{
    char str[TERN_UUID_STR_LEN];

    ternUUIDFormat(uuid, str);
    g_string_append_printf(xml, "  <%s>%s</%s>\n", element, str, element);
}

static void
ternMigrationCookieFormatCaps(GString *xml, const ternMigrationCookie *c)
{
    if (!c->caps) {
        g_string_append(xml, "  <capabilities/>\n");
        return;
    }
    g_string_append(xml, "  <capabilities>\n");
    for (int cap = 0; cap < TERN_MIGRATION_COOKIE_CAP_LAST; cap++) {
        if (!(c->caps & (1ULL << cap)))
            continue;
        g_string_append_printf(xml, "    <cap name='%s'", ternMigrationCookieCapTypeToString(cap));
        if (cap == TERN_MIGRATION_COOKIE_CAP_MULTIFD && c->multifdChannels)
            g_string_append_printf(xml, " channels='%u'", c->multifdChannels);
        g_string_append(xml, "/>\n");
    }
    g_string_append(xml, "  </capabilities>\n");
}

static void
ternMigrationCookieFormatStats(GString *xml, const ternMigrationStats *stats)
{
    if (!stats->present) {
        g_string_append(xml, "  <statistics/>\n");
        return;
    }
    g_string_append(xml, "  <statistics>\n");
    for (int stat = 0; stat < TERN_MIGRATION_STAT_LAST; stat++) {
        const char *name = ternMigrationStatTypeToString(stat);

        if (stats->present & (1ULL << stat))
            g_string_append_printf(xml, "    <%s>%llu</%s>\n", name,
                                   ternMigrationStatsValue(stats, stat), name);
    }
    g_string_append(xml, "  </statistics>\n");
}

/* @domainXML (canonical: one element per line, final newline) indented by two spaces. */
static void
ternMigrationCookieFormatDomain(GString *xml, const char *domainXML)
{
    g_auto(GStrv) lines = g_strsplit(domainXML, "\n", -1);

    for (size_t i = 0; lines[i]; i++) {
        if (*lines[i])
            g_string_append_printf(xml, "  %s\n", lines[i]);
    }
}

bool
ternMigrationCookieEncode(const ternMigrationCookie *c, char **retBuf, int *retLen, GError **error)
{
    g_autoptr(GString) xml = NULL;
    g_autofree char *domainXML = NULL;

    if (!ternMigrationCookieCheck(c, error))
        return false;
    if (c->persistentXML &&
        !(domainXML = ternMigrationCookieCanonicalDomain(c->persistentXML, c->uuid, error)))
        return false;

    xml = g_string_new(NULL);
    g_string_append_printf(xml, "<tern-migration version='%d'>\n", TERN_MIGRATION_COOKIE_VERSION);
    ternMigrationCookieFormatText(xml, "name", c->name);
    ternMigrationCookieFormatUUID(xml, "uuid", c->uuid);
    ternMigrationCookieFormatText(xml, "hostname", c->hostname);
    ternMigrationCookieFormatUUID(xml, "hostuuid", c->hostuuid);
    if (c->phase != TERN_MIGRATION_COOKIE_PHASE_NONE)
        ternMigrationCookieFormatText(xml, "phase", ternMigrationCookiePhaseTypeToString(c->phase));
    if (c->flags) {
        g_string_append(xml, "  <features>\n");
        for (int feature = 0; feature < TERN_MIGRATION_COOKIE_FEATURE_LAST; feature++) {
            if (c->flags & (1U << feature))
                g_string_append_printf(xml, "    <feature name='%s'/>\n",
                                       ternMigrationCookieFeatureTypeToString(feature));
        }
        g_string_append(xml, "  </features>\n");
    }
    if (c->migrateURI) {
        g_autofree char *escaped = g_markup_escape_text(c->migrateURI, -1);

        g_string_append_printf(xml, "  <migration uri='%s'/>\n", escaped);
    }
    if (c->secure)
        g_string_append(xml, "  <secure/>\n");
    if (c->flags & TERN_MIGRATION_COOKIE_CAPABILITIES)
        ternMigrationCookieFormatCaps(xml, c);
    if (c->flags & TERN_MIGRATION_COOKIE_STATISTICS)
        ternMigrationCookieFormatStats(xml, &c->stats);
    if (domainXML)
        ternMigrationCookieFormatDomain(xml, domainXML);
    g_string_append(xml, "</tern-migration>\n");

    /* the peer refuses anything longer: the trailing NUL counts */
    if (xml->len + 1 > TERN_MIGRATION_COOKIE_MAX_LEN) {
        ternMigrationCookieError(
            error, "migration cookie of %zu bytes is larger than the limit of %d bytes",
            xml->len + 1, TERN_MIGRATION_COOKIE_MAX_LEN);
        return false;
    }
    *retLen = (int)xml->len + 1;
    *retBuf = g_string_free(g_steal_pointer(&xml), FALSE);
    return true;
}

/* ---- decoding ----------------------------------------------------------- */

/* What the element parsers share while one cookie is decoded. */
typedef struct {
    ternMigrationCookie *cookie;
    xmlDocPtr doc;
    unsigned char domainUUID[TERN_UUID_RAW_LEN]; /* of <domain>, checked once <uuid> is known */
} ternMigrationCookieDecodeState;

static const char *
ternMigrationCookieNodeName(xmlNodePtr node)
{
    return (const char *)node->name;
}

/*
 * A child of @parent as the cookie allows it: 1 for an element (without a
 * namespace), 0 for what is skipped (whitespace, comments), -1 (error set)
 * for text or anything else.
 */
static int
ternMigrationCookieChildKind(xmlNodePtr parent, xmlNodePtr child, GError **error)
{
    g_autofree char *parentName = ternMigrationCookieQuote(ternMigrationCookieNodeName(parent));

    switch (child->type) {
    case XML_ELEMENT_NODE:
        if (child->ns || child->nsDef) {
            g_autofree char *name = ternMigrationCookieQuote(ternMigrationCookieNodeName(child));

            ternMigrationCookieError(error, "element <%s> in migration cookie uses XML namespaces",
                                     name);
            return -1;
        }
        return 1;
    case XML_TEXT_NODE:
        for (const xmlChar *p = child->content; p && *p; p++) {
            if (!g_ascii_isspace(*p)) {
                g_autofree char *stripped = g_strstrip(g_strdup((const char *)child->content));
                g_autofree char *text = ternMigrationCookieQuote(stripped);

                ternMigrationCookieError(error, "unexpected text '%s' in <%s> of migration cookie",
                                         text, parentName);
                return -1;
            }
        }
        return 0;
    case XML_COMMENT_NODE:
        return 0;
    default:
        ternMigrationCookieError(error,
                                 "unexpected XML node of type %d in <%s> of migration cookie",
                                 (int)child->type, parentName);
        return -1;
    }
}

/* Refuse attributes of @node other than those in the NULL-terminated @allowed. */
static bool
ternMigrationCookieCheckAttrs(xmlNodePtr node, const char *const *allowed, GError **error)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        bool known = false;

        for (size_t i = 0; !attr->ns && allowed && allowed[i] && !known; i++)
            known = strcmp((const char *)attr->name, allowed[i]) == 0;
        if (!known) {
            g_autofree char *name = ternMigrationCookieQuote((const char *)attr->name);
            g_autofree char *element = ternMigrationCookieQuote(ternMigrationCookieNodeName(node));

            ternMigrationCookieError(
                error, "unsupported attribute '%s' of <%s> in migration cookie", name, element);
            return false;
        }
    }
    return true;
}

/* An element without attributes whose content is text only; returns that text. */
static char *
ternMigrationCookieNodeText(xmlNodePtr node, GError **error)
{
    xmlChar *content;
    char *text;

    if (!ternMigrationCookieCheckAttrs(node, NULL, error))
        return NULL;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (child->type != XML_TEXT_NODE) {
            g_autofree char *name = ternMigrationCookieQuote(ternMigrationCookieNodeName(node));

            ternMigrationCookieError(error, "element <%s> in migration cookie must hold only text",
                                     name);
            return NULL;
        }
    }
    content = xmlNodeGetContent(node);
    text = g_strdup(content ? (const char *)content : "");
    xmlFree(content);
    return text;
}

/* An element with neither content (beyond whitespace and comments) nor other attributes. */
static bool
ternMigrationCookieCheckEmpty(xmlNodePtr node, const char *const *allowed, GError **error)
{
    if (!ternMigrationCookieCheckAttrs(node, allowed, error))
        return false;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        int kind = ternMigrationCookieChildKind(node, child, error);

        if (kind < 0)
            return false;
        if (kind > 0) {
            g_autofree char *name = ternMigrationCookieQuote(ternMigrationCookieNodeName(node));

            ternMigrationCookieError(error, "element <%s> in migration cookie must be empty", name);
            return false;
        }
    }
    return true;
}

/* The 36-character form only (ternUUIDParse alone would take other spellings too). */
static bool
ternMigrationCookieParseUUID(xmlNodePtr node, unsigned char *uuid, GError **error)
{
    g_autofree char *text = ternMigrationCookieNodeText(node, error);
    bool ok;

    if (!text)
        return false;
    ok = strlen(text) == TERN_UUID_STR_LEN - 1;
    for (size_t i = 0; ok && text[i]; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ok = text[i] == '-';
        else
            ok = g_ascii_isxdigit(text[i]);
    }
    if (!ok || !ternUUIDParse(text, uuid)) {
        g_autofree char *quoted = ternMigrationCookieQuote(text);

        ternMigrationCookieError(error, "invalid <%s> '%s' in migration cookie",
                                 ternMigrationCookieNodeName(node), quoted);
        return false;
    }
    return true;
}

static bool
ternMigrationCookieParseName(ternMigrationCookieDecodeState *st, xmlNodePtr node, GError **error)
{
    g_autofree char *text = ternMigrationCookieNodeText(node, error);

    if (!text ||
        !ternMigrationCookieCheckString("domain name", text, TERN_DOMAIN_NAME_MAX_LEN, error))
        return false;
    st->cookie->name = g_steal_pointer(&text);
    return true;
}

static bool
ternMigrationCookieParseDomainUUID(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                   GError **error)
{
    return ternMigrationCookieParseUUID(node, st->cookie->uuid, error);
}

static bool
ternMigrationCookieParseHostname(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                 GError **error)
{
    g_autofree char *text = ternMigrationCookieNodeText(node, error);

    if (!text || !ternMigrationCookieCheckString("host name", text,
                                                 TERN_MIGRATION_COOKIE_HOSTNAME_MAX, error))
        return false;
    st->cookie->hostname = g_steal_pointer(&text);
    return true;
}

static bool
ternMigrationCookieParseHostUUID(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                 GError **error)
{
    return ternMigrationCookieParseUUID(node, st->cookie->hostuuid, error);
}

static bool
ternMigrationCookieParsePhase(ternMigrationCookieDecodeState *st, xmlNodePtr node, GError **error)
{
    g_autofree char *text = ternMigrationCookieNodeText(node, error);
    int phase;

    if (!text)
        return false;
    if ((phase = ternMigrationCookiePhaseTypeFromString(text)) <=
        TERN_MIGRATION_COOKIE_PHASE_NONE) {
        g_autofree char *quoted = ternMigrationCookieQuote(text);

        ternMigrationCookieError(error, "unsupported migration phase '%s' in migration cookie",
                                 quoted);
        return false;
    }
    st->cookie->phase = phase;
    return true;
}

/* <features><feature name='…'/>…</features>: each known name once. */
static bool
ternMigrationCookieParseFeatures(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                 GError **error)
{
    static const char *const featureAttrs[] = {"name", NULL};

    if (!ternMigrationCookieCheckAttrs(node, NULL, error))
        return false;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        g_autofree char *name = NULL;
        g_autofree char *quoted = NULL;
        int kind = ternMigrationCookieChildKind(node, child, error);
        int feature;

        if (kind <= 0) {
            if (kind < 0)
                return false;
            continue;
        }
        if (strcmp(ternMigrationCookieNodeName(child), "feature") != 0) {
            quoted = ternMigrationCookieQuote(ternMigrationCookieNodeName(child));
            ternMigrationCookieError(error,
                                     "unsupported element <%s> in <features> of migration "
                                     "cookie",
                                     quoted);
            return false;
        }
        if (!ternMigrationCookieCheckEmpty(child, featureAttrs, error))
            return false;
        if (!(name = ternXMLGetProp(child, "name"))) {
            ternMigrationCookieError(error, "<feature> in migration cookie has no name");
            return false;
        }
        quoted = ternMigrationCookieQuote(name);
        if ((feature = ternMigrationCookieFeatureTypeFromString(name)) < 0) {
            ternMigrationCookieError(error, "unsupported migration cookie feature '%s'", quoted);
            return false;
        }
        if (st->cookie->flags & (1U << feature)) {
            ternMigrationCookieError(error, "feature '%s' appears twice in migration cookie",
                                     quoted);
            return false;
        }
        st->cookie->flags |= 1U << feature;
    }
    return true;
}

/* <migration uri='tcp:HOST:PORT'/> */
static bool
ternMigrationCookieParseMigration(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                  GError **error)
{
    static const char *const attrs[] = {"uri", NULL};
    g_autofree char *uri = NULL;

    if (!ternMigrationCookieCheckEmpty(node, attrs, error))
        return false;
    if (!(uri = ternXMLGetProp(node, "uri"))) {
        ternMigrationCookieError(error, "<migration> in migration cookie has no uri");
        return false;
    }
    if (!ternMigrationCookieCheckURI(uri, error))
        return false;
    st->cookie->migrateURI = g_steal_pointer(&uri);
    return true;
}

static bool
ternMigrationCookieParseSecure(ternMigrationCookieDecodeState *st, xmlNodePtr node, GError **error)
{
    if (!ternMigrationCookieCheckEmpty(node, NULL, error))
        return false;
    st->cookie->secure = true;
    return true;
}

/* <capabilities><cap name='…' [channels='N']/>…</capabilities>: each known cap once. */
static bool
ternMigrationCookieParseCapabilities(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                     GError **error)
{
    static const char *const capAttrs[] = {"name", "channels", NULL};

    if (!ternMigrationCookieCheckAttrs(node, NULL, error))
        return false;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        g_autofree char *name = NULL;
        g_autofree char *channels = NULL;
        g_autofree char *quoted = NULL;
        int kind = ternMigrationCookieChildKind(node, child, error);
        int cap;

        if (kind <= 0) {
            if (kind < 0)
                return false;
            continue;
        }
        if (strcmp(ternMigrationCookieNodeName(child), "cap") != 0) {
            quoted = ternMigrationCookieQuote(ternMigrationCookieNodeName(child));
            ternMigrationCookieError(
                error, "unsupported element <%s> in <capabilities> of migration cookie", quoted);
            return false;
        }
        if (!ternMigrationCookieCheckEmpty(child, capAttrs, error))
            return false;
        if (!(name = ternXMLGetProp(child, "name"))) {
            ternMigrationCookieError(error, "<cap> in migration cookie has no name");
            return false;
        }
        quoted = ternMigrationCookieQuote(name);
        if ((cap = ternMigrationCookieCapTypeFromString(name)) < 0) {
            ternMigrationCookieError(error,
                                     "unsupported migration capability '%s' in migration "
                                     "cookie",
                                     quoted);
            return false;
        }
        if (st->cookie->caps & (1ULL << cap)) {
            ternMigrationCookieError(error, "capability '%s' appears twice in migration cookie",
                                     quoted);
            return false;
        }
        st->cookie->caps |= 1ULL << cap;

        if ((channels = ternXMLGetProp(child, "channels"))) {
            g_autofree char *value = ternMigrationCookieQuote(channels);
            unsigned long long n = 0;

            if (cap != TERN_MIGRATION_COOKIE_CAP_MULTIFD) {
                ternMigrationCookieError(error,
                                         "capability '%s' in migration cookie has "
                                         "channels: only 'multifd' may",
                                         quoted);
                return false;
            }
            if (!ternMigrationCookieParseULL(channels, G_MAXUINT64, &n)) {
                ternMigrationCookieError(error, "invalid multifd channels '%s' in migration cookie",
                                         value);
                return false;
            }
            if (!ternMigrationCookieCheckChannels(n, error))
                return false;
            st->cookie->multifdChannels = (unsigned int)n;
        }
    }
    return true;
}

/* <statistics><NAME>N</NAME>…</statistics>: each known statistic once, within its range. */
static bool
ternMigrationCookieParseStatistics(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                   GError **error)
{
    ternMigrationStats *stats = &st->cookie->stats;

    if (!ternMigrationCookieCheckAttrs(node, NULL, error))
        return false;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        g_autofree char *text = NULL;
        g_autofree char *quoted = NULL;
        unsigned long long value = 0;
        int kind = ternMigrationCookieChildKind(node, child, error);
        int stat;

        if (kind <= 0) {
            if (kind < 0)
                return false;
            continue;
        }
        quoted = ternMigrationCookieQuote(ternMigrationCookieNodeName(child));
        if ((stat = ternMigrationStatTypeFromString(ternMigrationCookieNodeName(child))) < 0) {
            ternMigrationCookieError(error, "unsupported statistic <%s> in migration cookie",
                                     quoted);
            return false;
        }
        if (stats->present & (1ULL << stat)) {
            ternMigrationCookieError(error, "statistic <%s> appears twice in migration cookie",
                                     quoted);
            return false;
        }
        if (!(text = ternMigrationCookieNodeText(child, error)))
            return false;
        if (!ternMigrationCookieParseULL(text, ternMigrationStatInfos[stat].max, &value)) {
            g_autofree char *quotedText = ternMigrationCookieQuote(text);

            ternMigrationCookieError(error,
                                     "invalid value '%s' of statistic <%s> in migration cookie: "
                                     "expected an integer from 0 to %llu",
                                     quotedText, quoted, ternMigrationStatInfos[stat].max);
            return false;
        }
        ternMigrationStatsSet(stats, stat, value);
    }
    return true;
}

/*
 * <domain>: handed to the domain XML decoder, which refuses what it does
 * not know, and kept in canonical form.
 */
static bool
ternMigrationCookieParseDomain(ternMigrationCookieDecodeState *st, xmlNodePtr node, GError **error)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();
    g_autoptr(ternDomainDef) def = NULL;
    GError *err = NULL;

    if (!buf || xmlNodeDump(buf, st->doc, node, 0, 0) < 0) {
        ternMigrationCookieError(error, "cannot extract the persistent domain XML from the "
                                        "migration cookie");
        return false;
    }
    if (!(def = ternDomainDefParseString((const char *)xmlBufferContent(buf),
                                         TERN_MIGRATION_COOKIE_DOMAIN_PARSE_FLAGS, &err))) {
        g_propagate_prefixed_error(error, err,
                                   "invalid persistent domain XML in migration cookie: ");
        return false;
    }
    if (!(st->cookie->persistentXML =
              ternDomainDefFormat(def, TERN_MIGRATION_COOKIE_DOMAIN_FORMAT_FLAGS, error)))
        return false;
    memcpy(st->domainUUID, def->uuid, TERN_UUID_RAW_LEN);
    return true;
}

typedef bool (*ternMigrationCookieElementParse)(ternMigrationCookieDecodeState *st, xmlNodePtr node,
                                                GError **error);

/* The children of <tern-migration>; each may appear once. */
typedef struct {
    const char *name;
    ternMigrationCookieElementParse parse;
    bool required;
    int feature; /* the ternMigrationCookieFeature announcing this element, or -1 */
} ternMigrationCookieElement;

static const ternMigrationCookieElement ternMigrationCookieElements[] = {
    {"name", ternMigrationCookieParseName, true, -1},
    {"uuid", ternMigrationCookieParseDomainUUID, true, -1},
    {"hostname", ternMigrationCookieParseHostname, true, -1},
    {"hostuuid", ternMigrationCookieParseHostUUID, true, -1},
    {"phase", ternMigrationCookieParsePhase, false, -1},
    {"features", ternMigrationCookieParseFeatures, false, -1},
    {"migration", ternMigrationCookieParseMigration, false, -1},
    {"secure", ternMigrationCookieParseSecure, false, -1},
    {"capabilities", ternMigrationCookieParseCapabilities, false,
     TERN_MIGRATION_COOKIE_FEATURE_CAPABILITIES},
    {"statistics", ternMigrationCookieParseStatistics, false,
     TERN_MIGRATION_COOKIE_FEATURE_STATISTICS},
    {"domain", ternMigrationCookieParseDomain, false, TERN_MIGRATION_COOKIE_FEATURE_PERSISTENT},
};
G_STATIC_ASSERT(G_N_ELEMENTS(ternMigrationCookieElements) <= 32);

/* <tern-migration version='1'>: checked before anything else, so a newer peer gets the clear error.
 */
static bool
ternMigrationCookieCheckRoot(xmlNodePtr root, GError **error)
{
    static const char *const rootAttrs[] = {"version", NULL};
    g_autofree char *version = NULL;
    g_autofree char *quoted = NULL;
    unsigned long long number = 0;

    if (!root) {
        ternMigrationCookieError(error, "migration cookie has no root element");
        return false;
    }
    if (strcmp(ternMigrationCookieNodeName(root), "qemu-migration") == 0) {
        ternMigrationCookieError(error, "the peer sent a libvirt QEMU migration cookie: migrating "
                                        "between libvirtd and ternd is not supported");
        return false;
    }
    if (strcmp(ternMigrationCookieNodeName(root), "tern-migration") != 0) {
        quoted = ternMigrationCookieQuote(ternMigrationCookieNodeName(root));
        ternMigrationCookieError(error,
                                 "migration cookie has root element <%s>, expected "
                                 "<tern-migration>",
                                 quoted);
        return false;
    }
    if (root->ns || root->nsDef) {
        ternMigrationCookieError(error, "element <tern-migration> in migration cookie uses XML "
                                        "namespaces");
        return false;
    }
    if (!(version = ternXMLGetProp(root, "version"))) {
        ternMigrationCookieError(error, "migration cookie has no version");
        return false;
    }
    quoted = ternMigrationCookieQuote(version);
    if (!ternMigrationCookieParseULL(version, G_MAXUINT64, &number)) {
        if (g_ascii_isdigit(version[0])) {
            ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_UNSUPPORTED,
                         "unsupported migration cookie version %s from the peer (this ternd "
                         "understands version %d)",
                         quoted, TERN_MIGRATION_COOKIE_VERSION);
            return false;
        }
        ternMigrationCookieError(error, "invalid migration cookie version '%s'", quoted);
        return false;
    }
    if (number != TERN_MIGRATION_COOKIE_VERSION) {
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_OPERATION_UNSUPPORTED,
                     "unsupported migration cookie version %llu from the peer (this ternd "
                     "understands version %d)",
                     number, TERN_MIGRATION_COOKIE_VERSION);
        return false;
    }
    return ternMigrationCookieCheckAttrs(root, rootAttrs, error);
}

static bool
ternMigrationCookieParseRoot(ternMigrationCookieDecodeState *st, xmlNodePtr root, GError **error)
{
    ternMigrationCookie *c = st->cookie;
    guint32 seen = 0;

    if (!ternMigrationCookieCheckRoot(root, error))
        return false;

    for (xmlNodePtr child = root->children; child; child = child->next) {
        int kind = ternMigrationCookieChildKind(root, child, error);
        size_t i;

        if (kind <= 0) {
            if (kind < 0)
                return false;
            continue;
        }
        for (i = 0; i < G_N_ELEMENTS(ternMigrationCookieElements); i++) {
            if (strcmp(ternMigrationCookieNodeName(child), ternMigrationCookieElements[i].name) ==
                0)
                break;
        }
        if (i == G_N_ELEMENTS(ternMigrationCookieElements)) {
            g_autofree char *quoted = ternMigrationCookieQuote(ternMigrationCookieNodeName(child));

            ternMigrationCookieError(error, "unsupported element <%s> in migration cookie", quoted);
            return false;
        }
        if (seen & (1U << i)) {
            ternMigrationCookieError(error, "element <%s> appears twice in migration cookie",
                                     ternMigrationCookieElements[i].name);
            return false;
        }
        seen |= 1U << i;
        if (!ternMigrationCookieElements[i].parse(st, child, error))
            return false;
    }

    for (size_t i = 0; i < G_N_ELEMENTS(ternMigrationCookieElements); i++) {
        const ternMigrationCookieElement *el = &ternMigrationCookieElements[i];
        bool present = seen & (1U << i);

        if (el->required && !present) {
            ternMigrationCookieError(error, "migration cookie has no <%s> element", el->name);
            return false;
        }
        if (el->feature >= 0 && present != !!(c->flags & (1U << el->feature))) {
            const char *feature = ternMigrationCookieFeatureTypeToString(el->feature);

            if (present)
                ternMigrationCookieError(error,
                                         "migration cookie has <%s> but does not announce "
                                         "feature '%s'",
                                         el->name, feature);
            else
                ternMigrationCookieError(error,
                                         "migration cookie announces feature '%s' but has "
                                         "no <%s>",
                                         feature, el->name);
            return false;
        }
    }

    if (c->persistentXML && memcmp(st->domainUUID, c->uuid, TERN_UUID_RAW_LEN) != 0) {
        char have[TERN_UUID_STR_LEN];
        char want[TERN_UUID_STR_LEN];

        ternUUIDFormat(st->domainUUID, have);
        ternUUIDFormat(c->uuid, want);
        ternMigrationCookieError(
            error,
            "persistent domain XML in migration cookie has UUID %s, but the cookie is for %s", have,
            want);
        return false;
    }
    return true;
}

ternMigrationCookie *
ternMigrationCookieDecode(const char *buf, int len, GError **error)
{
    g_autoptr(ternMigrationCookie) c = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *problemText = NULL;
    ternXMLProblem problem = TERN_XML_PROBLEM_NONE;
    int line = 0;
    ternMigrationCookieDecodeState st = {0};
    const char *nul;

    /* the bound check: nothing below reads more than TERN_MIGRATION_COOKIE_MAX_LEN bytes */
    if (len < 0 || (len > 0 && !buf)) {
        ternMigrationCookieError(error, "invalid migration cookie buffer of %d bytes", len);
        return NULL;
    }
    if (len > TERN_MIGRATION_COOKIE_MAX_LEN) {
        ternMigrationCookieError(
            error, "migration cookie of %d bytes is larger than the limit of %d bytes", len,
            TERN_MIGRATION_COOKIE_MAX_LEN);
        return NULL;
    }

    /* libvirt counts the string's NUL in the length: allow one at the end, none inside */
    if (len > 0 && buf[len - 1] == '\0')
        len--;
    if (len == 0)
        return ternMigrationCookieNew();
    if ((nul = memchr(buf, '\0', (size_t)len))) {
        ternMigrationCookieError(error, "migration cookie has a NUL byte at offset %td", nul - buf);
        return NULL;
    }
    if (!g_utf8_validate(buf, len, NULL)) {
        ternMigrationCookieError(error, "migration cookie is not valid UTF-8");
        return NULL;
    }

    doc = ternXMLParseUntrusted(buf, len, "migration-cookie.xml", "UTF-8", &problem, &line,
                                &problemText);
    switch (problem) {
    case TERN_XML_PROBLEM_NONE:
        break;
    case TERN_XML_PROBLEM_NOMEM:
        ternErrorSet(error, TERN_FROM_DOMAIN, TERN_ERR_NO_MEMORY,
                     "cannot allocate an XML parser context");
        return NULL;
    case TERN_XML_PROBLEM_DTD:
        ternMigrationCookieError(error, "document type declarations (DTD) are not allowed in a "
                                        "migration cookie");
        return NULL;
    case TERN_XML_PROBLEM_MALFORMED: {
        /* libxml2 echoes names from the document: keep the message bounded */
        g_autofree char *quoted = ternMigrationCookieQuote(problemText);
        ternMigrationCookieError(error, "migration cookie is not well-formed XML (line %d): %s",
                                 line, quoted);
        return NULL;
    }
    }

    c = ternMigrationCookieNew();
    st.cookie = c;
    st.doc = doc;
    if (!ternMigrationCookieParseRoot(&st, xmlDocGetRootElement(doc), error))
        return NULL;
    return g_steal_pointer(&c);
}

bool
ternMigrationCookieCheckHost(const ternMigrationCookie *c, const unsigned char *localHostUUID,
                             GError **error)
{
    char uuid[TERN_UUID_STR_LEN];

    if (!c->name || memcmp(c->hostuuid, localHostUUID, TERN_UUID_RAW_LEN) != 0)
        return true;
    ternUUIDFormat(localHostUUID, uuid);
    ternMigrationCookieError(error, "Attempt to migrate guest to the same host %s", uuid);
    return false;
}
