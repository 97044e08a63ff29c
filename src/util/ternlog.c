/* ternlog.c: leveled logging to stderr */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/ternlog.h"

static gint logLevel = TERN_LOG_WARN;
static const char *logProgram = "tern";
static GMutex logLock;

void
ternLogSetLevel(ternLogPriority level)
{
    g_atomic_int_set(&logLevel, level);
}

ternLogPriority
ternLogGetLevel(void)
{
    return g_atomic_int_get(&logLevel);
}

void
ternLogSetProgram(const char *name)
{
    logProgram = name;
}

static const char *const prioNames[] = {
    [TERN_LOG_DEBUG] = "debug",
    [TERN_LOG_INFO] = "info",
    [TERN_LOG_WARN] = "warning",
    [TERN_LOG_ERROR] = "error",
};

void
ternLogMessage(ternLogPriority prio, const char *where, const char *fmt, ...)
{
    va_list ap;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%F %T");
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_mutex_lock(&logLock);
    fprintf(stderr, "%s.%03d: %s[%d]: %ld: %s : %s: %s\n", stamp,
            g_date_time_get_microsecond(now) / 1000, logProgram, (int)getpid(),
            (long)syscall(SYS_gettid), prioNames[prio], where, text);
    g_mutex_unlock(&logLock);
}
