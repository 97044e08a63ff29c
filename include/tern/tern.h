/* tern.h: the public C API of libtern (umbrella header) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#include <tern/tern-error.h>
#include <tern/tern-connect.h>
#include <tern/tern-domain.h>
#include <tern/tern-event.h>
#include <tern/tern-migrate.h>
#include <tern/tern-typedparams.h>

#ifdef __cplusplus
}
#endif
