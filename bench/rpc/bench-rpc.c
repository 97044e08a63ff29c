/* bench-rpc.c: calls per second and latency of a cheap call (domain lookup by name) */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-rpc URI DOMAIN CLIENTS SECONDS
 *
 * CLIENTS threads, each with its own connection, call ternDomainLookupByName
 * in a loop for SECONDS. Prints one line: clients, calls, calls/s, p50 and
 * p99 latency in microseconds. Works against ternd and against libvirtd
 * (libtern speaks the same protocol), so both are measured by one client.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <tern/tern.h>

typedef struct {
    const char *uri;
    const char *domain;
    double seconds;
    GArray *latencies; /* gint64 ns */
    gint64 calls;
    bool failed;
} benchThread;

static gint startGate;

static gpointer
benchRun(gpointer opaque)
{
    benchThread *t = opaque;
    ternConnect *conn = ternConnectOpen(t->uri);
    gint64 end;

    if (!conn) {
        fprintf(stderr, "bench-rpc: cannot connect to %s: %s\n", t->uri,
                ternGetLastErrorMessage());
        t->failed = true;
        return NULL;
    }
    while (!g_atomic_int_get(&startGate))
        g_usleep(1000);
    end = g_get_monotonic_time() + (gint64)(t->seconds * G_USEC_PER_SEC);
    while (g_get_monotonic_time() < end) {
        gint64 t0 = g_get_monotonic_time();
        ternDomain *dom = ternDomainLookupByName(conn, t->domain);
        gint64 dt = (g_get_monotonic_time() - t0) * 1000;
        if (!dom) {
            fprintf(stderr, "bench-rpc: lookup failed: %s\n", ternGetLastErrorMessage());
            t->failed = true;
            break;
        }
        ternDomainFree(dom);
        g_array_append_val(t->latencies, dt);
        t->calls++;
    }
    ternConnectClose(conn);
    return NULL;
}

static gint
cmpInt64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    gint64 nclients = 0;
    double seconds;
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(gint64));
    gint64 calls = 0;
    g_autofree benchThread *threads = NULL;
    g_autofree GThread **tids = NULL;

    if (argc != 5) {
        fprintf(stderr, "usage: bench-rpc URI DOMAIN CLIENTS SECONDS\n");
        return 2;
    }
    seconds = g_ascii_strtod(argv[4], NULL);
    if (!g_ascii_string_to_signed(argv[3], 10, 1, 1024, &nclients, NULL) || seconds <= 0) {
        fprintf(stderr, "bench-rpc: CLIENTS must be 1..1024 and SECONDS > 0\n");
        return 2;
    }
    threads = g_new0(benchThread, nclients);
    tids = g_new0(GThread *, nclients);
    for (int i = 0; i < nclients; i++) {
        threads[i] = (benchThread){.uri = argv[1], .domain = argv[2], .seconds = seconds,
                                   .latencies = g_array_new(FALSE, FALSE, sizeof(gint64))};
        tids[i] = g_thread_new("bench", benchRun, &threads[i]);
    }
    g_usleep(200000);
    g_atomic_int_set(&startGate, 1);
    for (int i = 0; i < nclients; i++) {
        g_thread_join(tids[i]);
        if (threads[i].failed)
            return 1;
        calls += threads[i].calls;
        g_array_append_vals(all, threads[i].latencies->data, threads[i].latencies->len);
        g_array_free(threads[i].latencies, TRUE);
    }
    g_array_sort(all, cmpInt64);
    if (all->len == 0)
        return 1;
    printf("clients=%d calls=%" G_GINT64_FORMAT " rate=%.0f p50_us=%.1f p99_us=%.1f\n", (int)nclients,
           calls, calls / seconds, g_array_index(all, gint64, all->len / 2) / 1000.0,
           g_array_index(all, gint64, (all->len * 99) / 100) / 1000.0);
    return 0;
}
