/* ternxml.h: libxml2 for untrusted documents: no network, no entities, no DTDs */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)

/** ternXMLGetProp: the value of attribute @name of @node (caller frees), NULL if absent. */
char *ternXMLGetProp(xmlNodePtr node, const char *name);

/* Why ternXMLParseUntrusted refused a document. */
typedef enum {
    TERN_XML_PROBLEM_NONE = 0,
    TERN_XML_PROBLEM_NOMEM,     /* no parser context */
    TERN_XML_PROBLEM_DTD,       /* a <!DOCTYPE>: refused before its subset is read */
    TERN_XML_PROBLEM_MALFORMED, /* not well-formed: *retLine and *retMessage say where and why */
} ternXMLProblem;

/**
 * ternXMLParseUntrusted: parse @len bytes (already bound-checked by the
 * caller, the format's decoder) with libxml2 without network access,
 * entity substitution or DTDs. Returns the document, or NULL with
 * *retProblem set; for MALFORMED, *retLine is libxml2's line and
 * *retMessage (caller frees) its message, valid UTF-8 without the trailing
 * newline. Each format words its own error from these.
 */
xmlDoc *ternXMLParseUntrusted(const char *buf, size_t len, const char *source,
                              const char *encoding, ternXMLProblem *retProblem, int *retLine,
                              char **retMessage);
