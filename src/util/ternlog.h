/* ternlog.h: leveled logging to stderr (the journal when run by systemd) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* Levels and their numbers are libvirtd.conf's log_level: 1 debug .. 4 error. */
typedef enum {
    TERN_LOG_DEBUG = 1,
    TERN_LOG_INFO = 2,
    TERN_LOG_WARN = 3,
    TERN_LOG_ERROR = 4,
} ternLogPriority;

/** ternLogSetLevel: messages below @level are dropped. Thread-safe. */
void ternLogSetLevel(ternLogPriority level);
/** ternLogGetLevel: the current threshold. */
ternLogPriority ternLogGetLevel(void);
/** ternLogSetProgram: the name printed in each line (default "tern"). */
void ternLogSetProgram(const char *name);

/** ternLogMessage: write one line: time, program[pid], thread, level, where: text. */
void ternLogMessage(ternLogPriority prio, const char *where, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

#define TERN_LOG_AT(prio, ...)                                                                   \
    do {                                                                                         \
        if ((prio) >= ternLogGetLevel())                                                         \
            ternLogMessage((prio), G_STRFUNC, __VA_ARGS__);                                      \
    } while (0)

#define TERN_DEBUG(...) TERN_LOG_AT(TERN_LOG_DEBUG, __VA_ARGS__)
#define TERN_INFO(...) TERN_LOG_AT(TERN_LOG_INFO, __VA_ARGS__)
#define TERN_WARN(...) TERN_LOG_AT(TERN_LOG_WARN, __VA_ARGS__)
#define TERN_ERROR(...) TERN_LOG_AT(TERN_LOG_ERROR, __VA_ARGS__)
