/* qemu_status.c: the status file of a running domain, so a restarted ternd re-attaches */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "qemu/qemu_domain.h"
#include "qemu/qemu_status.h"
#include "tern/tern.h"
#include "util/ternerror.h"
#include "util/ternutil.h"

#define STATUS_GROUP "domain"
#define STATUS_MAX_BYTES (64 * 1024)
#define STATUS_XML_MAX_BYTES (4 * 1024 * 1024)

void
qemuStatusClear(qemuStatus *st)
{
    g_clear_pointer(&st->monitorPath, g_free);
}

static char *
statusPath(const char *runDir, const char *name, const char *ext)
{
    g_autofree char *base = g_strdup_printf("%s.%s", name, ext);
    return g_build_filename(runDir, base, NULL);
}

bool
qemuStatusWrite(const char *runDir, const char *name, const qemuStatus *st, const char *liveXML,
                GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *xmlPath = statusPath(runDir, name, "xml");
    g_autofree char *path = statusPath(runDir, name, "status");
    g_autofree char *data = NULL;
    gsize len = 0;

    g_key_file_set_int64(kf, STATUS_GROUP, "pid", st->pid);
    g_key_file_set_integer(kf, STATUS_GROUP, "id", st->id);
    g_key_file_set_integer(kf, STATUS_GROUP, "state", st->state);
    g_key_file_set_integer(kf, STATUS_GROUP, "reason", st->reason);
    g_key_file_set_string(kf, STATUS_GROUP, "monitor", st->monitorPath);
    g_key_file_set_int64(kf, STATUS_GROUP, "started", st->startedRealUs);
    if (st->migrationPhase) {
        g_key_file_set_string(kf, STATUS_GROUP, "migration-phase",
                              qemuMigrationPhaseToString(st->migrationPhase));
        g_key_file_set_boolean(kf, STATUS_GROUP, "migration-incoming", st->migrationIncoming);
    }
    data = g_key_file_to_data(kf, &len, NULL);

    return ternFileWriteAtomic(xmlPath, liveXML, strlen(liveXML), 0600, error) &&
           ternFileWriteAtomic(path, data, len, 0600, error);
}

/* the named bound check of the decoder: a file we wrote is small */
static bool
statusReadBounded(const char *path, gsize max, char **ret, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    GError *err = NULL;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_READ_FAILED, "%s", err->message);
        g_clear_error(&err);
        return false;
    }
    if (len > max || strlen(data) != len) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_PARSE_FAILED,
                     "status file '%s' is corrupt (%zu bytes, at most %zu allowed, no NUL)", path,
                     (size_t)len, (size_t)max);
        return false;
    }
    *ret = g_steal_pointer(&data);
    return true;
}

bool
qemuStatusRead(const char *runDir, const char *name, qemuStatus *st, char **retXML,
               GError **error)
{
    g_autofree char *path = statusPath(runDir, name, "status");
    g_autofree char *xmlPath = statusPath(runDir, name, "xml");
    g_autofree char *data = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_auto(qemuStatus) tmp = {0};
    GError *err = NULL;
    gint64 pid;

    if (!statusReadBounded(path, STATUS_MAX_BYTES, &data, error) ||
        !statusReadBounded(xmlPath, STATUS_XML_MAX_BYTES, &xml, error))
        return false;
    if (!g_key_file_load_from_data(kf, data, strlen(data), G_KEY_FILE_NONE, &err))
        goto bad;
    pid = g_key_file_get_int64(kf, STATUS_GROUP, "pid", &err);
    if (err)
        goto bad;
    tmp.pid = (pid_t)pid;
    tmp.id = g_key_file_get_integer(kf, STATUS_GROUP, "id", &err);
    if (err)
        goto bad;
    tmp.state = g_key_file_get_integer(kf, STATUS_GROUP, "state", &err);
    if (err)
        goto bad;
    tmp.reason = g_key_file_get_integer(kf, STATUS_GROUP, "reason", &err);
    if (err)
        goto bad;
    tmp.monitorPath = g_key_file_get_string(kf, STATUS_GROUP, "monitor", &err);
    if (err)
        goto bad;
    tmp.startedRealUs = g_key_file_get_int64(kf, STATUS_GROUP, "started", &err);
    if (err)
        goto bad;
    if (g_key_file_has_key(kf, STATUS_GROUP, "migration-phase", NULL)) {
        g_autofree char *phase = g_key_file_get_string(kf, STATUS_GROUP, "migration-phase", &err);
        if (err)
            goto bad;
        tmp.migrationIncoming =
            g_key_file_get_boolean(kf, STATUS_GROUP, "migration-incoming", &err);
        if (err)
            goto bad;
        if ((tmp.migrationPhase = qemuMigrationPhaseFromString(phase)) < 0) {
            ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_PARSE_FAILED,
                         "status file '%s' names an unknown migration phase", path);
            return false;
        }
    }

    if (pid <= 1 || pid > G_MAXINT || tmp.id < 1 || tmp.state <= TERN_DOMAIN_NOSTATE ||
        tmp.state >= TERN_DOMAIN_LAST || tmp.state == TERN_DOMAIN_SHUTOFF || tmp.reason < 0 ||
        !g_path_is_absolute(tmp.monitorPath)) {
        ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_PARSE_FAILED,
                     "status file '%s' holds impossible values", path);
        return false;
    }
    *st = tmp;
    memset(&tmp, 0, sizeof(tmp));
    *retXML = g_steal_pointer(&xml);
    return true;

 bad:
    ternErrorSet(error, TERN_FROM_QEMU, TERN_ERR_PARSE_FAILED, "status file '%s': %s", path,
                 err->message);
    g_clear_error(&err);
    return false;
}

void
qemuStatusRemove(const char *runDir, const char *name)
{
    g_autofree char *path = statusPath(runDir, name, "status");
    g_autofree char *xmlPath = statusPath(runDir, name, "xml");

    unlink(path);
    unlink(xmlPath);
}

static gint
statusNameCompare(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
qemuStatusList(const char *runDir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = g_dir_open(runDir, 0, NULL);
    const char *ent;

    if (!dir)
        return names;
    while ((ent = g_dir_read_name(dir))) {
        if (g_str_has_suffix(ent, ".status") && strlen(ent) > strlen(".status"))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - strlen(".status")));
    }
    g_ptr_array_sort(names, statusNameCompare);
    return names;
}
