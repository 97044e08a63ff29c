/* test-uri.c: URI parsing (ternuri.c) and what a remote client makes of a URI (remote_uri.c) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "remote/remote_uri.h"
#include "util/ternerror.h"
#include "util/ternuri.h"

/* ------------------------------------------------------------------------ */
/* ternURIParse: good URIs                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *input;
    const char *scheme;
    const char *user;
    const char *server;
    int port;
    const char *path;
    const char *query;
    const char *fragment;
    const char *params;    /* "name=value" entries joined with '|'; NULL: none */
    const char *formatted; /* NULL: formats back to input */
} uriGoodCase;

static const uriGoodCase uriGoodCases[] = {
    {"qemu:///system", "qemu", NULL, NULL, 0, "/system", NULL, NULL, NULL, NULL},
    {"test:///default", "test", NULL, NULL, 0, "/default", NULL, NULL, NULL, NULL},
    {"qemu+tcp://host:16510/system", "qemu+tcp", NULL, "host", 16510, "/system", NULL, NULL, NULL,
     NULL},
    {"qemu+tls://host.example.org/system", "qemu+tls", NULL, "host.example.org", 0, "/system", NULL,
     NULL, NULL, NULL},
    {"qemu+unix:///system?socket=/run/t/sock", "qemu+unix", NULL, NULL, 0, "/system",
     "socket=/run/t/sock", NULL, "socket=/run/t/sock", NULL},
    {"qemu+tcp://[::1]:16509/system", "qemu+tcp", NULL, "::1", 16509, "/system", NULL, NULL, NULL,
     NULL},
    {"qemu+tls://[fe80::1:2]/system", "qemu+tls", NULL, "fe80::1:2", 0, "/system", NULL, NULL, NULL,
     NULL},
    {"qemu+tcp://root@192.0.2.1/system", "qemu+tcp", "root", "192.0.2.1", 0, "/system", NULL, NULL,
     NULL, NULL},
    {"qemu+tcp://us%40er:pw@host/system", "qemu+tcp", "us@er:pw", "host", 0, "/system", NULL, NULL,
     NULL, "qemu+tcp://us%40er:pw@host/system"},
    {"qemu:///system?a=1&b=2;c&=d&&e=", "qemu", NULL, NULL, 0, "/system", "a=1&b=2;c&=d&&e=", NULL,
     "a=1|b=2|c=|e=", NULL},
    {"qemu:///system?name=qemu%3A%2F%2F%2Fsession", "qemu", NULL, NULL, 0, "/system",
     "name=qemu%3A%2F%2F%2Fsession", NULL, "name=qemu:///session", NULL},
    {"qemu+tcp://h/system?x=a+b&y=%E2%9C%93", "qemu+tcp", NULL, "h", 0, "/system",
     "x=a+b&y=%E2%9C%93", NULL, "x=a+b|y=\xe2\x9c\x93", NULL},
    {"qemu:///sys%74em", "qemu", NULL, NULL, 0, "/system", NULL, NULL, NULL, "qemu:///system"},
    {"qemu:///a%20b/c", "qemu", NULL, NULL, 0, "/a b/c", NULL, NULL, NULL, NULL},
    {"qemu://host", "qemu", NULL, "host", 0, NULL, NULL, NULL, NULL, NULL},
    {"qemu://host:", "qemu", NULL, "host", 0, NULL, NULL, NULL, NULL, "qemu://host"},
    {"qemu://host:016509/x", "qemu", NULL, "host", 16509, "/x", NULL, NULL, NULL,
     "qemu://host:16509/x"},
    {"qemu:///system#frag%20x", "qemu", NULL, NULL, 0, "/system", NULL, "frag x", NULL, NULL},
    {"qemu:///system?", "qemu", NULL, NULL, 0, "/system", "", NULL, NULL, NULL},
    {"qemu:///system?#", "qemu", NULL, NULL, 0, "/system", "", "", NULL, NULL},
    {"QEMU+TCP://Host/system", "QEMU+TCP", NULL, "Host", 0, "/system", NULL, NULL, NULL, NULL},
    {"tcp://192.0.2.2:49152", "tcp", NULL, "192.0.2.2", 49152, NULL, NULL, NULL, NULL, NULL},
    {"remote://", "remote", NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL},
    {"qemu:///", "qemu", NULL, NULL, 0, "/", NULL, NULL, NULL, NULL},
    {"qemu:///a:b@c;d=e", "qemu", NULL, NULL, 0, "/a:b@c;d=e", NULL, NULL, NULL, NULL},
    {"qemu:///system?q=/a?b:c@d", "qemu", NULL, NULL, 0, "/system", "q=/a?b:c@d", NULL,
     "q=/a?b:c@d", NULL},
    {"x-y.z+tcp://h-1.example_2~/p", "x-y.z+tcp", NULL, "h-1.example_2~", 0, "/p", NULL, NULL, NULL,
     NULL},
};

static char *
uriParamsJoin(const ternURI *uri)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < uri->nparams; i++) {
        if (i > 0)
            g_string_append_c(out, '|');
        g_string_append_printf(out, "%s=%s", uri->params[i].name, uri->params[i].value);
    }
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

static void
uriAssertFields(const ternURI *uri, const uriGoodCase *tc)
{
    g_autofree char *params = uriParamsJoin(uri);

    g_assert_cmpstr(uri->scheme, ==, tc->scheme);
    g_assert_cmpstr(uri->user, ==, tc->user);
    g_assert_cmpstr(uri->server, ==, tc->server);
    g_assert_cmpint(uri->port, ==, tc->port);
    g_assert_cmpstr(uri->path, ==, tc->path);
    g_assert_cmpstr(uri->query, ==, tc->query);
    g_assert_cmpstr(uri->fragment, ==, tc->fragment);
    g_assert_cmpstr(params, ==, tc->params);
}

static void
testURIParseGood(gconstpointer data)
{
    const uriGoodCase *tc = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ternURI) uri = ternURIParse(tc->input, &err);
    g_autoptr(ternURI) again = NULL;
    g_autofree char *formatted = NULL;

    g_assert_no_error(err);
    g_assert_nonnull(uri);
    uriAssertFields(uri, tc);

    formatted = ternURIFormat(uri);
    g_assert_cmpstr(formatted, ==, tc->formatted ? tc->formatted : tc->input);

    /* the formatted text parses back to the same fields */
    again = ternURIParse(formatted, &err);
    g_assert_no_error(err);
    uriAssertFields(again, tc);
}

/* ------------------------------------------------------------------------ */
/* ternURIParse: bad URIs, one exact message each                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *input;
    const char *message;
} uriBadCase;

static const uriBadCase uriBadCases[] = {
    {"", "invalid argument: unable to parse URI '': the URI is empty"},
    {"/system",
     "invalid argument: unable to parse URI '/system': a URI starts with a scheme such as 'qemu+tcp'"},
    {"qemu", "invalid argument: unable to parse URI 'qemu': no ':' after the scheme"},
    {"qemu:/system",
     "invalid argument: unable to parse URI 'qemu:/system': 'qemu:' must be followed by '//', as in 'qemu:///system'"},
    {"qemu:system",
     "invalid argument: unable to parse URI 'qemu:system': 'qemu:' must be followed by '//', as in 'qemu:///system'"},
    {"qe mu:///x",
     "invalid argument: unable to parse URI 'qe mu:///x': byte 0x20 at offset 2 is not allowed in the scheme"},
    {"qemu_x:///x",
     "invalid argument: unable to parse URI 'qemu_x:///x': character '_' at offset 4 is not allowed in the scheme"},
    {"qemu+tcp://host:99999/system",
     "invalid argument: unable to parse URI 'qemu+tcp://host:99999/system': port '99999' is not in the range 1-65535"},
    {"qemu+tcp://host:0/system",
     "invalid argument: unable to parse URI 'qemu+tcp://host:0/system': port 0 is not valid"},
    {"qemu+tcp://:16509/system",
     "invalid argument: unable to parse URI 'qemu+tcp://:16509/system': port 16509 is given without a host"},
    {"qemu+tcp://host:12a/system",
     "invalid argument: unable to parse URI 'qemu+tcp://host:12a/system': character 'a' at offset 18 is not allowed in the port"},
    {"qemu+tcp://host:1:2/system",
     "invalid argument: unable to parse URI 'qemu+tcp://host:1:2/system': character ':' at offset 17 is not allowed in the port"},
    {"qemu+tcp://[::1/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[::1/system': IPv6 address at offset 11 is missing its ']'"},
    {"qemu+tcp://[zz]/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[zz]/system': character 'z' at offset 12 is not allowed in the IPv6 address"},
    {"qemu+tcp://[::1\x02]/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[::1\\x02]/system': byte 0x02 at offset 15 is not allowed in the IPv6 address"},
    {"qemu+tcp://host:99999999999999999999999999/system",
     "invalid argument: unable to parse URI 'qemu+tcp://host:99999999999999999999999999/system': port '99999999999999999999999999' is not in the range 1-65535"},
    {"qemu+tcp://[1.2.3.4]/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[1.2.3.4]/system': '1.2.3.4' is not an IPv6 address"},
    {"qemu+tcp://[]/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[]/system': '' is not an IPv6 address"},
    {"qemu+tcp://[::1]x/system",
     "invalid argument: unable to parse URI 'qemu+tcp://[::1]x/system': character 'x' at offset 16 is not allowed in the authority after an IPv6 address"},
    {"qemu+tcp://ho st/system",
     "invalid argument: unable to parse URI 'qemu+tcp://ho st/system': byte 0x20 at offset 13 is not allowed in the host"},
    {"qemu+tcp://h%41/system",
     "invalid argument: unable to parse URI 'qemu+tcp://h%41/system': character '%' at offset 12 is not allowed in the host"},
    {"qemu+tcp://a@b@c/system",
     "invalid argument: unable to parse URI 'qemu+tcp://a@b@c/system': character '@' at offset 14 is not allowed in the host"},
    {"qemu+tcp://a[b@host/system",
     "invalid argument: unable to parse URI 'qemu+tcp://a[b@host/system': character '[' at offset 12 is not allowed in the user name"},
    {"qemu:///sys tem",
     "invalid argument: unable to parse URI 'qemu:///sys tem': byte 0x20 at offset 11 is not allowed in the path"},
    {"qemu:///sys\x01tem",
     "invalid argument: unable to parse URI 'qemu:///sys\\x01tem': byte 0x01 at offset 11 is not allowed in the path"},
    {"qemu:///s\xc3\xbf",
     "invalid argument: unable to parse URI 'qemu:///s\\xc3\\xbf': byte 0xc3 at offset 9 is not allowed in the path"},
    {"qemu:///%00",
     "invalid argument: unable to parse URI 'qemu:///%00': %00 at offset 8 in the path encodes a NUL byte"},
    {"qemu:///system?a=%zz",
     "invalid argument: unable to parse URI 'qemu:///system?a=%zz': malformed percent-encoding at offset 17 in the query"},
    {"qemu:///system?a=%2",
     "invalid argument: unable to parse URI 'qemu:///system?a=%2': malformed percent-encoding at offset 17 in the query"},
    {"qemu:///system?a=<b>",
     "invalid argument: unable to parse URI 'qemu:///system?a=<b>': character '<' at offset 17 is not allowed in the query"},
    {"qemu:///system#a#b",
     "invalid argument: unable to parse URI 'qemu:///system#a#b': character '#' at offset 16 is not allowed in the fragment"},
    {"qemu:///a\\b",
     "invalid argument: unable to parse URI 'qemu:///a\\b': character '\\' at offset 9 is not allowed in the path"},
};

static void
testURIParseBad(gconstpointer data)
{
    const uriBadCase *tc = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ternURI) uri = ternURIParse(tc->input, &err);

    g_assert_null(uri);
    g_assert_error(err, ternErrorQuark(TERN_FROM_URI), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, tc->message);
}

static void
testURIParseTooLong(void)
{
    g_autoptr(GString) text = g_string_new("qemu:///");
    g_autoptr(GError) err = NULL;
    g_autoptr(ternURI) uri = NULL;
    g_autofree char *expected = NULL;

    while (text->len < TERN_URI_MAX_LEN)
        g_string_append_c(text, 'a');
    uri = ternURIParse(text->str, &err); /* exactly the limit: fine */
    g_assert_no_error(err);
    g_assert_cmpuint(strlen(uri->path), ==, TERN_URI_MAX_LEN - strlen("qemu://"));
    g_clear_pointer(&uri, ternURIFree);

    g_string_append_c(text, 'a');
    uri = ternURIParse(text->str, &err);
    g_assert_null(uri);
    expected = g_strdup_printf(
        "invalid argument: unable to parse URI '%.64s...': the URI is longer than 4096 bytes",
        text->str);
    g_assert_error(err, ternErrorQuark(TERN_FROM_URI), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, expected);
}

static void
testURIGetParam(void)
{
    g_autoptr(ternURI) uri = ternURIParse("qemu:///system?Socket=/a&x=1&socket=/b&empty", NULL);

    g_assert_nonnull(uri);
    g_assert_cmpstr(ternURIGetParam(uri, "socket"), ==, "/b");
    g_assert_cmpstr(ternURIGetParam(uri, "SOCKET"), ==, "/b");
    g_assert_cmpstr(ternURIGetParam(uri, "x"), ==, "1");
    g_assert_cmpstr(ternURIGetParam(uri, "empty"), ==, "");
    g_assert_null(ternURIGetParam(uri, "missing"));
}

static void
testURIFormatBuilt(void)
{
    /* a URI built in code: characters a parser would not accept get encoded */
    ternURI uri = {
        .scheme = (char *)"qemu",
        .user = (char *)"a b",
        .server = (char *)"2001:db8::1",
        .port = 16509,
        .path = (char *)"system 100%",
        .fragment = (char *)"x#y",
    };
    g_autofree char *text = ternURIFormat(&uri);

    g_assert_cmpstr(text, ==, "qemu://a%20b@[2001:db8::1]:16509/system%20100%25#x%23y");

    /* a port without a server cannot be written and is left out */
    uri.user = NULL;
    uri.server = NULL;
    uri.path = (char *)"/system";
    uri.fragment = NULL;
    g_clear_pointer(&text, g_free);
    text = ternURIFormat(&uri);
    g_assert_cmpstr(text, ==, "qemu:///system");
}

/* ------------------------------------------------------------------------ */
/* remoteURIInfoNew: every URI form of libvirt-wire.md sections 2.3-3.1     */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *input;
    bool readonly;
    const char *driver;
    remoteTransport transport;
    const char *host;
    int port;
    const char *socketPath;
    const char *openName;
    const char *pkipath;
    bool noVerify;
    const char *tlsPriority;
    const char *auth;
    const char *authfile;
} remoteGoodCase;

#define SOCKDIR "/run/tern"

static const remoteGoodCase remoteGoodCases[] = {
    /* local unix socket: plain and with +unix, rw and ro */
    {"qemu:///system", false, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock",
     "qemu:///system"},
    {"qemu:///system", true, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock-ro",
     "qemu:///system"},
    {"qemu+unix:///system", false, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock",
     "qemu:///system"},
    {"qemu+unix:///system?socket=/tmp/t1/sock", false, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0,
     "/tmp/t1/sock", "qemu:///system"},
    {"qemu+unix:///system?socket=/tmp/t1/sock", true, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0,
     "/tmp/t1/sock", "qemu:///system"},
    {"qemu+UNIX:///session", false, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock",
     "qemu:///session"},
    /* tcp, with and without a port; no host means localhost */
    {"qemu+tcp://host:16510/system", false, "qemu", REMOTE_TRANSPORT_TCP, "host", 16510, NULL,
     "qemu:///system"},
    {"qemu+tcp://192.0.2.1/system", false, "qemu", REMOTE_TRANSPORT_TCP, "192.0.2.1", 16509, NULL,
     "qemu:///system"},
    {"qemu+tcp:///system", false, "qemu", REMOTE_TRANSPORT_TCP, "localhost", 16509, NULL,
     "qemu:///system"},
    {"qemu+TCP://root@[::1]:16510/system?x=a%20b", false, "qemu", REMOTE_TRANSPORT_TCP, "::1",
     16510, NULL, "qemu:///system?x=a%20b"},
    /* tls, explicit or implied by a host without a transport */
    {"qemu+tls://host/system", false, "qemu", REMOTE_TRANSPORT_TLS, "host", 16514, NULL,
     "qemu:///system"},
    {"qemu://host/system", false, "qemu", REMOTE_TRANSPORT_TLS, "host", 16514, NULL,
     "qemu:///system"},
    {"qemu+tls://127.0.0.1/system?pkipath=/srv/pki/client&no_verify=1&tls_priority=NORMAL:-VERS-TLS1.0",
     false, "qemu", REMOTE_TRANSPORT_TLS, "127.0.0.1", 16514, NULL, "qemu:///system",
     "/srv/pki/client", true, "NORMAL:-VERS-TLS1.0"},
    {"qemu+tls://h/system?no_verify=0", false, "qemu", REMOTE_TRANSPORT_TLS, "h", 16514, NULL,
     "qemu:///system"},
    /* the test driver: in-process without transport and host, else a daemon's */
    {"test:///default", false, "test", REMOTE_TRANSPORT_LOCAL, NULL, 0, NULL, "test:///default"},
    {"test:///default?socket=/x", false, "test", REMOTE_TRANSPORT_LOCAL, NULL, 0, NULL,
     "test:///default"},
    {"test+unix:///default?socket=/tmp/t2/sock", false, "test", REMOTE_TRANSPORT_UNIX, NULL, 0,
     "/tmp/t2/sock", "test:///default"},
    {"test+tcp://host/default", false, "test", REMOTE_TRANSPORT_TCP, "host", 16509, NULL,
     "test:///default"},
    {"test://host/default", false, "test", REMOTE_TRANSPORT_TLS, "host", 16514, NULL,
     "test:///default"},
    /* parameters: consumed ones vanish (any case), others travel, ?name= wins */
    {"qemu+tcp://host/system?foo=bar&auth=sasl.DIGEST-MD5&authfile=/etc/a.conf", false, "qemu",
     REMOTE_TRANSPORT_TCP, "host", 16509, NULL, "qemu:///system?foo=bar", NULL, false, NULL,
     "sasl.DIGEST-MD5", "/etc/a.conf"},
    {"qemu+tcp://host/system?SOCKET=/x&Mode=direct&proxy=auto&no_tty=1&no_sanity=0&command=ssh&netcat=nc&keyfile=k&sshauth=agent&known_hosts=/k&known_hosts_verify=auto",
     false, "qemu", REMOTE_TRANSPORT_TCP, "host", 16509, NULL, "qemu:///system"},
    {"qemu+tcp://host/system?name=qemu:///session", false, "qemu", REMOTE_TRANSPORT_TCP, "host",
     16509, NULL, "qemu:///session"},
    {"qemu+tcp://host/system?name=a&name=b", false, "qemu", REMOTE_TRANSPORT_TCP, "host", 16509,
     NULL, "b"},
    {"qemu+tcp://host/system?auth=polkit&keep=1;also&x=%2F", false, "qemu", REMOTE_TRANSPORT_TCP,
     "host", 16509, NULL, "qemu:///system?keep=1&also=&x=%2F", NULL, false, NULL, "polkit"},
    {"qemu:///system#frag", false, "qemu", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock",
     "qemu:///system#frag"},
    {"qemu+tcp://host", false, "qemu", REMOTE_TRANSPORT_TCP, "host", 16509, NULL, "qemu://"},
    /* the remote driver lets the server pick */
    {"remote://host/", false, "remote", REMOTE_TRANSPORT_TLS, "host", 16514, NULL, ""},
    {"remote+unix:///", false, "remote", REMOTE_TRANSPORT_UNIX, NULL, 0, SOCKDIR "/tern-sock", ""},
};

static void
testRemoteGood(gconstpointer data)
{
    const remoteGoodCase *tc = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ternURI) uri = ternURIParse(tc->input, &err);
    g_autoptr(remoteURIInfo) info = NULL;

    g_assert_no_error(err);
    info = remoteURIInfoNew(uri, SOCKDIR, tc->readonly, &err);
    g_assert_no_error(err);
    g_assert_nonnull(info);
    g_assert_cmpstr(info->driver, ==, tc->driver);
    g_assert_cmpstr(remoteTransportTypeToString(info->transport), ==,
                    remoteTransportTypeToString(tc->transport));
    g_assert_cmpstr(info->host, ==, tc->host);
    g_assert_cmpint(info->port, ==, tc->port);
    g_assert_cmpstr(info->socketPath, ==, tc->socketPath);
    g_assert_cmpstr(info->openName, ==, tc->openName);
    g_assert_cmpstr(info->pkipath, ==, tc->pkipath);
    g_assert_cmpint(info->noVerify, ==, tc->noVerify);
    g_assert_cmpstr(info->tlsPriority, ==, tc->tlsPriority);
    g_assert_cmpstr(info->auth, ==, tc->auth);
    g_assert_cmpstr(info->authfile, ==, tc->authfile);
}

static const uriBadCase remoteBadCases[] = {
    {"qemu+ssh://host/system",
     "invalid argument: transport 'ssh' in URI 'qemu+ssh://host/system' is not supported by tern; use tcp, tls or unix"},
    {"qemu+libssh://host/system",
     "invalid argument: transport 'libssh' in URI 'qemu+libssh://host/system' is not supported by tern; use tcp, tls or unix"},
    {"qemu+libssh2://host/system",
     "invalid argument: transport 'libssh2' in URI 'qemu+libssh2://host/system' is not supported by tern; use tcp, tls or unix"},
    {"qemu+ext:///system?command=/bin/x",
     "invalid argument: transport 'ext' in URI 'qemu+ext:///system?command=/bin/x' is not supported by tern; use tcp, tls or unix"},
    {"qemu+SSH://host/system",
     "invalid argument: transport 'SSH' in URI 'qemu+SSH://host/system' is not supported by tern; use tcp, tls or unix"},
    {"qemu+foo://host/system",
     "invalid argument: transport 'foo' in URI 'qemu+foo://host/system' is not recognised (should be tcp, tls or unix)"},
    {"qemu+tcp+tls://host/system",
     "invalid argument: transport 'tcp+tls' in URI 'qemu+tcp+tls://host/system' is not recognised (should be tcp, tls or unix)"},
    {"qemu+://host/system",
     "invalid argument: transport '' in URI 'qemu+://host/system' is not recognised (should be tcp, tls or unix)"},
    {"qemu+unix://host/system",
     "invalid argument: URI 'qemu+unix://host/system' names the host 'host', but a unix socket is always local; use tcp or tls to reach another host"},
    {"qemu+tls://host/system?no_verify=yes",
     "invalid argument: value 'yes' of parameter 'no_verify' in URI 'qemu+tls://host/system?no_verify=yes' is not an integer"},
    {"qemu+tcp://host/system?no_tty=",
     "invalid argument: value '' of parameter 'no_tty' in URI 'qemu+tcp://host/system?no_tty=' is not an integer"},
    {"qemu+tcp://host/system?No_Verify=1%0A2",
     "invalid argument: value '1\\n2' of parameter 'no_verify' in URI 'qemu+tcp://host/system?No_Verify=1%0A2' is not an integer"},
    {"qemu+tcp://host/system?auth=kerberos",
     "invalid argument: authentication type 'kerberos' in URI 'qemu+tcp://host/system?auth=kerberos' is not supported (use sasl, sasl.MECHANISM or polkit)"},
    {"qemu+tcp://host/system?auth=sasl.",
     "invalid argument: authentication type 'sasl.' in URI 'qemu+tcp://host/system?auth=sasl.' is not supported (use sasl, sasl.MECHANISM or polkit)"},
    {"qemu+unix:///system?socket=",
     "invalid argument: the socket parameter of URI 'qemu+unix:///system?socket=' is empty"},
};

static void
testRemoteBad(gconstpointer data)
{
    const uriBadCase *tc = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ternURI) uri = ternURIParse(tc->input, &err);
    g_autoptr(remoteURIInfo) info = NULL;

    g_assert_no_error(err);
    info = remoteURIInfoNew(uri, SOCKDIR, false, &err);
    g_assert_null(info);
    g_assert_error(err, ternErrorQuark(TERN_FROM_REMOTE), TERN_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, tc->message);
}

static void
testRemoteSocketTooLong(void)
{
    g_autofree char *longPath = g_strnfill(108, 'a');
    g_autofree char *text = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(ternURI) uri = NULL;
    g_autoptr(remoteURIInfo) info = NULL;
    g_autoptr(GError) err = NULL;

    longPath[0] = '/';
    text = g_strdup_printf("qemu+unix:///system?socket=%s", longPath);
    uri = ternURIParse(text, &err);
    g_assert_no_error(err);
    info = remoteURIInfoNew(uri, SOCKDIR, false, &err);
    g_assert_null(info);
    expected = g_strdup_printf(
        "invalid argument: socket path '%s' of URI '%s' is longer than the 107 bytes a unix socket address holds",
        longPath, text);
    g_assert_cmpstr(err->message, ==, expected);

    /* 107 bytes fit */
    g_clear_error(&err);
    g_clear_pointer(&uri, ternURIFree);
    longPath[107] = '\0';
    g_clear_pointer(&text, g_free);
    text = g_strdup_printf("qemu+unix:///system?socket=%s", longPath);
    uri = ternURIParse(text, &err);
    g_assert_no_error(err);
    info = remoteURIInfoNew(uri, SOCKDIR, false, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(info->socketPath, ==, longPath);
}

static void
testRemoteSocketDir(void)
{
    /* the default socket follows the directory the caller gives */
    g_autoptr(ternURI) uri = ternURIParse("qemu:///system", NULL);
    g_autoptr(remoteURIInfo) rw = remoteURIInfoNew(uri, "/tmp/tern-test/run", false, NULL);
    g_autoptr(remoteURIInfo) ro = remoteURIInfoNew(uri, "/tmp/tern-test/run", true, NULL);

    g_assert_cmpstr(rw->socketPath, ==, "/tmp/tern-test/run/tern-sock");
    g_assert_cmpstr(ro->socketPath, ==, "/tmp/tern-test/run/tern-sock-ro");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(uriGoodCases); i++) {
        g_autofree char *name = g_strdup_printf("/uri/parse/good/%02zu", i);
        g_test_add_data_func(name, &uriGoodCases[i], testURIParseGood);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(uriBadCases); i++) {
        g_autofree char *name = g_strdup_printf("/uri/parse/bad/%02zu", i);
        g_test_add_data_func(name, &uriBadCases[i], testURIParseBad);
    }
    g_test_add_func("/uri/parse/too-long", testURIParseTooLong);
    g_test_add_func("/uri/get-param", testURIGetParam);
    g_test_add_func("/uri/format/built", testURIFormatBuilt);

    for (size_t i = 0; i < G_N_ELEMENTS(remoteGoodCases); i++) {
        g_autofree char *name = g_strdup_printf("/remote-uri/good/%02zu", i);
        g_test_add_data_func(name, &remoteGoodCases[i], testRemoteGood);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(remoteBadCases); i++) {
        g_autofree char *name = g_strdup_printf("/remote-uri/bad/%02zu", i);
        g_test_add_data_func(name, &remoteBadCases[i], testRemoteBad);
    }
    g_test_add_func("/remote-uri/socket-too-long", testRemoteSocketTooLong);
    g_test_add_func("/remote-uri/socket-dir", testRemoteSocketDir);

    return g_test_run();
}
