/* tern-error.h: error reporting of the public API (codes and domains equal libvirt's) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every public call that fails records a thread-local "last error" that
 * ternGetLastError() returns. Codes (ternErrorNumber) and domains
 * (ternErrorDomain) have the numeric values of libvirt's virErrorNumber and
 * virErrorDomain, so errors travel over the libvirt wire protocol unchanged.
 */

typedef enum {
    TERN_ERR_NONE = 0,
    TERN_ERR_WARNING = 1,
    TERN_ERR_ERROR = 2,
} ternErrorLevel;

typedef enum {
    TERN_FROM_NONE = 0,
    TERN_FROM_XML = 5,
    TERN_FROM_DOM = 6,
    TERN_FROM_RPC = 7,
    TERN_FROM_CONF = 9,
    TERN_FROM_QEMU = 10,
    TERN_FROM_TEST = 12,
    TERN_FROM_REMOTE = 13,
    TERN_FROM_DOMAIN = 20,
    TERN_FROM_STREAMS = 38,
    TERN_FROM_URI = 45,
    TERN_FROM_EVENT = 40,
} ternErrorDomain;

typedef enum {
    TERN_ERR_OK = 0,
    TERN_ERR_INTERNAL_ERROR = 1,
    TERN_ERR_NO_MEMORY = 2,
    TERN_ERR_NO_SUPPORT = 3,
    TERN_ERR_UNKNOWN_HOST = 4,
    TERN_ERR_NO_CONNECT = 5,
    TERN_ERR_INVALID_CONN = 6,
    TERN_ERR_INVALID_DOMAIN = 7,
    TERN_ERR_INVALID_ARG = 8,
    TERN_ERR_OPERATION_FAILED = 9,
    TERN_ERR_OS_TYPE = 16,
    TERN_ERR_NO_NAME = 21,
    TERN_ERR_XML_ERROR = 27,
    TERN_ERR_DOM_EXIST = 28,
    TERN_ERR_OPERATION_DENIED = 29,
    TERN_ERR_OPEN_FAILED = 30,
    TERN_ERR_READ_FAILED = 31,
    TERN_ERR_PARSE_FAILED = 32,
    TERN_ERR_CONF_SYNTAX = 33,
    TERN_ERR_WRITE_FAILED = 34,
    TERN_ERR_XML_DETAIL = 35,
    TERN_ERR_SYSTEM_ERROR = 38,
    TERN_ERR_RPC = 39,
    TERN_ERR_GNUTLS_ERROR = 40,
    TERN_ERR_NO_DOMAIN = 42,
    TERN_ERR_AUTH_FAILED = 45,
    TERN_ERR_OPERATION_INVALID = 55,
    TERN_ERR_CONFIG_UNSUPPORTED = 67,
    TERN_ERR_OPERATION_TIMEOUT = 68,
    TERN_ERR_INVALID_STREAM = 73,
    TERN_ERR_ARGUMENT_UNSUPPORTED = 74,
    TERN_ERR_OPERATION_ABORTED = 78,
    TERN_ERR_AUTH_CANCELLED = 79,
    TERN_ERR_MIGRATE_UNSAFE = 81,
    TERN_ERR_OVERFLOW = 82,
    TERN_ERR_OPERATION_UNSUPPORTED = 84,
    TERN_ERR_RESOURCE_BUSY = 87,
    TERN_ERR_ACCESS_DENIED = 88,
    TERN_ERR_MIGRATE_FINISH_OK = 93,
    TERN_ERR_NO_SERVER = 95,
    TERN_ERR_NO_CLIENT = 96,
} ternErrorNumber;

typedef struct _ternError ternError;
struct _ternError {
    int code;       /* ternErrorNumber */
    int domain;     /* ternErrorDomain */
    char *message;  /* full human-readable message */
    ternErrorLevel level;
    char *str1;     /* extra information, as carried by the libvirt wire */
    char *str2;
    char *str3;
    int int1;
    int int2;
};

/**
 * ternGetLastError: the last error of the calling thread, or NULL if the
 * last public call succeeded. The error belongs to the library and stays
 * valid until the next public call on this thread.
 * Since: 0.1 (virGetLastError)
 */
ternError *ternGetLastError(void);

/**
 * ternGetLastErrorMessage: the message of the last error, or "no error".
 * Since: 0.1 (virGetLastErrorMessage)
 */
const char *ternGetLastErrorMessage(void);

/**
 * ternResetLastError: forget the calling thread's last error.
 * Since: 0.1 (virResetLastError)
 */
void ternResetLastError(void);

/**
 * ternCopyLastError: copy the last error into @to (freed with
 * ternResetError). Returns the error code, or 0 if there is none.
 * Since: 0.1 (virCopyLastError)
 */
int ternCopyLastError(ternError *to);

/**
 * ternResetError: free the strings held by @err and zero it.
 * Since: 0.1 (virResetError)
 */
void ternResetError(ternError *err);
