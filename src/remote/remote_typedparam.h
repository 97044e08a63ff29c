/* remote_typedparam.h: typed parameter lists to and from the wire's remote_typed_param */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "remote/remote_protocol.h"
#include "tern/tern-typedparams.h"

/*
 * Both directions copy (the wire side is freed with xdr_free, the tern side
 * with ternTypedParamsFree). Lists longer than @max, names that do not fit
 * TERN_TYPED_PARAM_FIELD_LENGTH and unknown types are refused with
 * TERN_ERR_RPC / TERN_ERR_INVALID_ARG in TERN_FROM_RPC, nothing allocated.
 */

/** remoteTypedParamsToWire: @params (@nparams) into *@retVal / *@retLen. */
bool remoteTypedParamsToWire(const ternTypedParameter *params, int nparams, unsigned int max,
                             remote_typed_param **retVal, u_int *retLen, GError **error);

/**
 * remoteTypedParamsWireFree: frees the @len entries at @val and @val itself
 * (what remoteTypedParamsToWire made, when no XDR reply owns it); NULL is fine.
 */
void remoteTypedParamsWireFree(remote_typed_param *val, u_int len);

/** remoteTypedParamsFromWire: the @len entries at @val into *@retParams / *@retN. */
bool remoteTypedParamsFromWire(const remote_typed_param *val, u_int len, unsigned int max,
                               ternTypedParameter **retParams, int *retN, GError **error);
