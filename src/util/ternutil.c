/* ternutil.c: small helpers shared by every layer: fds, UUIDs, atomic files */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/ternerror.h"
#include "util/ternutil.h"

int
ternForceClose(int fd)
{
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return -1;
}

static int
hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool
ternUUIDParse(const char *str, unsigned char *uuid)
{
    size_t n = 0;

    if (!str)
        return false;
    while (*str == ' ')
        str++;
    for (const char *p = str; *p; p++) {
        if (*p == '-')
            continue;
        if (n >= TERN_UUID_RAW_LEN * 2)
            return false;
        int v = hexValue(*p);
        if (v < 0)
            return false;
        if (n % 2 == 0)
            uuid[n / 2] = (unsigned char)(v << 4);
        else
            uuid[n / 2] |= (unsigned char)v;
        n++;
    }
    return n == TERN_UUID_RAW_LEN * 2;
}

void
ternUUIDFormat(const unsigned char *uuid, char *buf)
{
    g_snprintf(buf, TERN_UUID_STR_LEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
               uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
               uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

void
ternUUIDGenerate(unsigned char *uuid)
{
    for (int i = 0; i < TERN_UUID_RAW_LEN; i += 4) {
        guint32 r = g_random_int();
        memcpy(uuid + i, &r, 4);
    }
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

bool
ternUUIDIsNull(const unsigned char *uuid)
{
    for (int i = 0; i < TERN_UUID_RAW_LEN; i++) {
        if (uuid[i])
            return false;
    }
    return true;
}

bool
ternFileWriteAtomic(const char *path, const char *data, gsize len, int mode, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.new-XXXXXX", path);
    TERN_AUTOCLOSE fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);

    if (fd < 0) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot create '%s'", tmp);
        return false;
    }
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot write '%s'", tmp);
            unlink(tmp);
            return false;
        }
        data += n;
        len -= (gsize)n;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot sync '%s'", tmp);
        unlink(tmp);
        return false;
    }
    if (rename(tmp, path) < 0) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot rename '%s' to '%s'", tmp, path);
        unlink(tmp);
        return false;
    }
    return true;
}

bool
ternMakeDirs(const char *path, int mode, GError **error)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        ternErrorSetSystem(error, TERN_FROM_NONE, errno, "cannot create directory '%s'", path);
        return false;
    }
    return true;
}

gint64
ternMonotonicMs(void)
{
    return g_get_monotonic_time() / 1000;
}
