/* ternxml.c: libxml2 for untrusted documents: no network, no entities, no DTDs */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdbool.h>

#include "util/ternxml.h"

/* SAX hook for <!DOCTYPE …>: stop before any internal subset (and its entities) is read. */
static void
ternXMLRefuseDTD(void *opaque, const xmlChar *name, const xmlChar *externalID,
                 const xmlChar *systemID)
{
    xmlParserCtxtPtr ctxt = opaque;
    bool *sawDTD = ctxt->_private;

    *sawDTD = true;
    xmlStopParser(ctxt);
}

static void
ternXMLInit(void)
{
    static gsize initialized = 0;

    if (g_once_init_enter(&initialized)) {
        xmlInitParser();
        g_once_init_leave(&initialized, 1);
    }
}

char *
ternXMLGetProp(xmlNodePtr node, const char *name)
{
    xmlChar *raw = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (!raw)
        return NULL;
    ret = g_strdup((const char *)raw);
    xmlFree(raw);
    return ret;
}

xmlDoc *
ternXMLParseUntrusted(const char *buf, size_t len, const char *source, const char *encoding,
                      ternXMLProblem *retProblem, int *retLine, char **retMessage)
{
    g_autoptr(xmlParserCtxt) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    bool sawDTD = false;
    const int options =
        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

    ternXMLInit();
    if (!(ctxt = xmlNewParserCtxt())) {
        *retProblem = TERN_XML_PROBLEM_NOMEM;
        return NULL;
    }
    ctxt->sax->internalSubset = ternXMLRefuseDTD;
    ctxt->_private = &sawDTD;

    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, source, encoding, options);
    if (sawDTD || (doc && (doc->intSubset || doc->extSubset))) {
        *retProblem = TERN_XML_PROBLEM_DTD;
        return NULL;
    }
    if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
        const xmlError *err = &ctxt->lastError;
        char *valid = g_utf8_make_valid(err->message ? err->message : "not well-formed", -1);

        *retProblem = TERN_XML_PROBLEM_MALFORMED;
        *retLine = err->line;
        *retMessage = g_strchomp(valid);
        return NULL;
    }
    *retProblem = TERN_XML_PROBLEM_NONE;
    return g_steal_pointer(&doc);
}
