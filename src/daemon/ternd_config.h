/* ternd_config.h: ternd.conf, the daemon's configuration (libvirtd.conf's syntax and key names) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ternd.conf is read with the syntax of libvirt's virconf (libvirtd.conf):
 *
 *   # a comment                     blank lines are fine
 *   max_clients = 5000              integers (booleans are 0 or 1)
 *   listen_addr = "192.0.2.1"       strings in "double" or 'single' quotes,
 *   log_outputs = """3:stderr"""    or """triple""" quotes (may span lines);
 *                                   there are no escapes: use the other quote
 *   tls_allowed_dn_list = [ "C=GB,CN=a",
 *                           "C=GB,CN=b" ]   lists may span lines
 *   listen_tcp = 1; listen_tls = 0  ';' separates statements on one line
 *
 * Keys have libvirtd.conf's names and meanings wherever tern has the same
 * setting; docs/man/ternd.conf.5 documents each. Keys that libvirtd knows
 * but tern does not implement are accepted with a warning and ignored; any
 * other key is an error. Input is bounded: files up to 1 MiB, lines and
 * strings up to 64 KiB, lists up to 1024 entries.
 */

#include <glib.h>
#include <stdbool.h>

#define TERND_CONFIG_MAX_FILE_SIZE (1024 * 1024)
#define TERND_CONFIG_MAX_LINE (64 * 1024)
#define TERND_CONFIG_MAX_STRING (64 * 1024)
#define TERND_CONFIG_MAX_LIST 1024

typedef struct _terndConfig terndConfig;
struct _terndConfig {
    /* network listeners */
    bool listen_tcp;   /* 0 */
    bool listen_tls;   /* 0 */
    char *tcp_port;    /* "16509"; a string, as in libvirtd.conf */
    char *tls_port;    /* "16514" */
    char *listen_addr; /* NULL: all addresses */

    /* UNIX sockets */
    char *unix_sock_dir;       /* NULL: <root>/run/tern */
    char *unix_sock_group;     /* NULL: the daemon's group */
    int unix_sock_ro_perms;    /* 0777 */
    int unix_sock_rw_perms;    /* 0700 */
    int unix_sock_admin_perms; /* 0700 */

    /* authentication: "none", "sasl" or "polkit" */
    char *auth_unix_ro; /* "none" */
    char *auth_unix_rw; /* "none" */
    char *auth_tcp;     /* "sasl" */
    char *auth_tls;     /* "none" */

    /* TLS; NULL files mean libvirt's default locations under /etc/pki */
    char *key_file;
    char *cert_file;
    char *ca_file;
    char *crl_file;
    bool tls_no_verify_certificate;    /* 0 */
    char **tls_allowed_dn_list;        /* NULL: no DN check */
    char **sasl_allowed_username_list; /* NULL: no user name check */
    char *tls_priority;                /* NULL: GnuTLS's default */

    /* limits and workers */
    int max_clients;           /* 5000 */
    int max_queued_clients;    /* 1000 */
    int max_anonymous_clients; /* 20 */
    int min_workers;           /* 5 */
    int max_workers;           /* 20 */
    int prio_workers;          /* 5 */
    int max_client_requests;   /* 5 */

    /* keepalive */
    int keepalive_interval; /* 5 (seconds; -1: never ping) */
    int keepalive_count;    /* 5 */

    /* logging and identity */
    int log_level;     /* 3 (1 debug .. 4 error) */
    char *log_outputs; /* NULL: stderr */
    char *host_uuid;   /* NULL: derived at run time */

    /* migration (qemu.conf's names) */
    int migration_port_min;  /* 49152 */
    int migration_port_max;  /* 49215 */
    char *migration_address; /* NULL: listen on all addresses */
    char *migration_host;    /* NULL: the host name */
};

/** terndConfigNew: a configuration holding every default. Never fails. */
terndConfig *terndConfigNew(void);

/**
 * terndConfigLoadFile: read @path (at most 1 MiB) and apply its settings
 * over @cfg. On failure @cfg is unchanged and @error says why: a syntax or
 * value error is TERN_FROM_CONF / TERN_ERR_CONF_SYNTAX with a message that
 * starts with "PATH:LINE: "; an unreadable file is TERN_ERR_SYSTEM_ERROR.
 * Keys tern ignores are logged with TERN_WARN, only once the whole file has
 * loaded. Blocks on file I/O.
 */
bool terndConfigLoadFile(terndConfig *cfg, const char *path, GError **error);

/**
 * terndConfigLoadData: as terndConfigLoadFile() for @len bytes at @data;
 * @filename is only used in messages.
 */
bool terndConfigLoadData(terndConfig *cfg, const char *filename, const char *data, gsize len,
                         GError **error);

/**
 * terndConfigValidate: check every value of @cfg and the relations between
 * them (min_workers <= max_workers, max_anonymous_clients <= max_clients,
 * migration_port_min <= migration_port_max). Loading already checks single
 * values; call this after the last load. Fails with TERN_FROM_CONF /
 * TERN_ERR_CONFIG_UNSUPPORTED.
 */
bool terndConfigValidate(const terndConfig *cfg, GError **error);

/**
 * terndConfigFormat: every key in documentation order, one "key = value"
 * line each, in ternd.conf syntax; unset keys appear as "# key: not set".
 * The result parses back to the same configuration. Caller frees it.
 */
char *terndConfigFormat(const terndConfig *cfg);

/** terndConfigFree: free @cfg and its strings; accepts NULL. */
void terndConfigFree(terndConfig *cfg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(terndConfig, terndConfigFree)
