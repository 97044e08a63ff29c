#!/usr/bin/env python3
"""run.py: bench/tunnel: native against tunnelled peer-to-peer live migration of the test guest
between two test hosts, for ternd and (when installed) Debian's libvirtd, in one run, driven
the same way (`virsh migrate --live --p2p [--tunnelled]`, run on the source host against the
source daemon), on the same guest:

  native      --live --p2p               the source daemon drives; QEMU connects to QEMU
  tunnelled   --live --p2p --tunnelled   the QEMU stream rides the daemons' RPC connection

Usage: run.py [--builddir build] [--rounds 3] [--scenarios idle,dirty] [--no-libvirtd]
              [--json FILE]

Scenarios (tests/guest's test guest, TCG, pti=on, 1 GiB, heartbeat every 10 ms):
  idle    nothing but heartbeats
  dirty   rewriting 512 MiB at 64 MiB/s (machine-notes' reference guest)

Each (daemon, scenario) boots one guest on host A and migrates it back and forth, 4 times a
round: A->B native, B->A tunnelled, A->B tunnelled, B->A native; so each mode goes each way
once a round and drifts of the machine hit both modes alike. That matters here: the dirty
guest's hops away from the host it booted on (the 1st, 3rd, ...) take about twice as long as
its hops back, for both daemons and both modes (and the same with the guest booted on B: it
follows the hop's parity, not the hosts), so the medians by direction are printed too. Before each migration the guest is in its steady state (heartbeats back,
the dirty guest has filled its buffer once) and 2 s more have passed. At most two QEMUs run at
a time.

Per migration (medians over the rounds are printed):
  total      the client's wall clock, from just before virsh is spawned to its exit
  data       `domjobinfo --completed` of the destination: Data processed / Data total
  rate       Data processed / the destination's Time elapsed (its daemon's incoming migration
             job, Prepare, which starts the destination QEMU, to Finish), in MiB/s
  downtime   what the guest saw: the largest gap, on the host's monotonic clock, between two
             heartbeat lines arriving from its serial log across the migration
  CPU/GiB    CPU time (utime + stime of /proc/PID/stat, all threads) the source and the
             destination daemon used from just before the client started to its exit, per GiB
             of Data processed
Then the ratios tunnelled/native per daemon and ternd/libvirtd per mode (of the medians), and
two goal lines for information, "tunnelled rate >= 90 % of native" and "tunnelled rate >= 2x
libvirtd tunnelled", each the geometric mean of the ratio taken direction by direction (the
directions differ by up to 2x, so a median over both swings with the noise), with the
ceiling of the second: ternd's native rate over libvirtd's tunnelled one, what a tunnel
costing nothing would reach.
A benchmark: it fails (exit status 1) only when a migration fails or the guest breaks (a
heartbeat gap, reset or corruption).

ternd runs on the two test hosts of tests/integration/ternhosts.py (the machine-wide lock is
held for the whole run, libvirtd's part included, so no other test host run shares the CPUs);
libvirtd runs on the two hosts of ../../../shared/tools/libvirt-hosts/hosts.sh (removed at the
end). Needs root.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import migrun  # noqa: E402
from migrun import Client, MigGuest, Migration, jobinfo, migration_report  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
sys.path.insert(0, os.path.join(HERE, ".."))
from libvirthosts import LibvirtHost, hosts_sh, libvirtd_available, median  # noqa: E402
import benchutil  # noqa: E402
from benchutil import GUEST_MIB, HB_MS, SCENARIOS, SETTLE_S, ratio  # noqa: E402


MIB = 1 << 20
GIB = 1 << 30
MODES = [
    ("native", ["--live", "--p2p"]),
    ("tunnelled", ["--live", "--p2p", "--tunnelled"]),
]
MIGRATE_TIMEOUT = 240
LOCK_TIMEOUT = 3000
CLK_TCK = os.sysconf("SC_CLK_TCK")
GOAL_VS_NATIVE = 0.90
GOAL_VS_LIBVIRTD = 2.0


log = benchutil.logger("bench/tunnel")


def cpu_s(pid):
    """utime + stime of process @pid (all its threads) in seconds, or None."""
    if pid is None:
        return None
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


# -- the daemons' hosts, as migrun.Client wants them ----------------------------------------------

class TerndSide:
    """A ternhosts.TestHost and the PID of its ternd."""

    def __init__(self, host):
        self.host = host
        self.name = host.name

    @property
    def uri(self):
        return self.host.uri_tcp

    def daemon_pid(self):
        return self.host.pid

    def log_tail(self, n=15):
        return "\n".join(self.host.logtext().splitlines()[-n:])


class LibvirtSide:
    def __init__(self, name, state):
        self.host = LibvirtHost(name)
        self.name = name.lower()
        self.state = state

    @property
    def uri(self):
        return self.host.uri_tcp

    def daemon_pid(self):
        p = hosts_sh("pid", self.host.name, check=False)
        return int(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip().isdigit() else None

    def log_tail(self, n=15):
        try:
            with open(os.path.join(self.state, self.host.name, "log", "libvirtd.log"),
                      errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""


# -- one series: one guest, native and tunnelled in turn ------------------------------------------

def wait_steady(guest, scenario, first):
    """Heartbeats flowing; the dirty guest has filled its buffer once; SETTLE_S more."""
    if not guest.wait_heartbeats(20 if first else 1, timeout=90):
        raise RuntimeError("guest %s sends no heartbeats: %s" % (guest.name, guest.report()))
    if first and SCENARIOS[scenario]["dirty"]:
        want = SCENARIOS[scenario]["dirty"]
        if not guest.wait_report(lambda r: (r["last_dirtied_mib"] or 0) >= want, 90):
            raise RuntimeError("guest %s did not dirty %d MiB within 90 s" % (guest.name, want))
    time.sleep(SETTLE_S)


def migrate_once(sides, src, dst, guest, mode, opts, clients):
    """One migration; returns its figures (raises if it failed)."""
    name = guest.name
    pids = [s.daemon_pid() for s in sides]
    cpu0 = [cpu_s(p) for p in pids]
    m = Migration(clients[src], name, sides[dst].uri, *opts)
    r = m.wait(MIGRATE_TIMEOUT)
    cpu1 = [cpu_s(p) for p in pids]
    if r is None:
        clients[src].run("domjobabort", name)
        r = m.wait(30) or m.kill()
    if not r.ok:
        raise RuntimeError("%s %s->%s failed:\n%s\n--- source daemon log\n%s\n--- destination "
                           "daemon log\n%s" % (mode, sides[src].name, sides[dst].name, r,
                                               sides[src].log_tail(), sides[dst].log_tail()))
    # the destination's: the guest always runs there, while a transient source forgets it
    job, side = {}, None
    for i in (dst, src):
        info, _ = jobinfo(clients[i], name, completed=True)
        if info and info.get("Job type") == "Completed":
            job, side = info, ("destination" if i == dst else "source")
            break
    guest.wait_beats_after(m.t1, n=5, timeout=20)
    rep = migration_report(guest, m.t0, m.t1, job)
    data = rep["data_bytes"]
    fig = {
        "mode": mode, "direction": "%s->%s" % (sides[src].name.upper(), sides[dst].name.upper()),
        "total_s": rep["total_s"], "downtime_ms": rep["downtime_ms"],
        "data_bytes": data, "data_total": job.get("Data total") if isinstance(
            job.get("Data total"), int) else None,
        "job_ms": rep["job_time_ms"], "job_side": side, "rate_mib_s": rep["rate_mib_s"],
        "job_downtime_ms": rep["job_downtime_ms"],
        "ok": rep["ok"],
        "oracle": {k: rep[k] for k in ("continuous", "corrupt", "starts", "breaks",
                                       "corrupt_lines", "beats_after")},
    }
    for role, i in (("src", src), ("dst", dst)):
        d = (cpu1[i] - cpu0[i]) if cpu0[i] is not None and cpu1[i] is not None else None
        fig["%s_cpu_s" % role] = d
        fig["%s_cpu_per_gib" % role] = d / (data / GIB) if d is not None and data else None
    return fig


def describe(i, fig):
    def f(v, fmt):
        return "?" if v is None else fmt % v
    return ("  %d %-9s %s: total %.3f s, data %s / %s MiB, rate %s MiB/s (job %s ms, %s), "
            "downtime %s ms, CPU src %s s dst %s s (%s / %s s per GiB), %s" % (
                i, fig["mode"], fig["direction"], fig["total_s"],
                f(fig["data_bytes"] and fig["data_bytes"] / MIB, "%.0f"),
                f(fig["data_total"] and fig["data_total"] / MIB, "%.0f"),
                f(fig["rate_mib_s"], "%.1f"), f(fig["job_ms"], "%d"), fig["job_side"] or "?",
                f(fig["downtime_ms"], "%.1f"), f(fig["src_cpu_s"], "%.2f"),
                f(fig["dst_cpu_s"], "%.2f"), f(fig["src_cpu_per_gib"], "%.2f"),
                f(fig["dst_cpu_per_gib"], "%.2f"),
                "guest intact" if fig["ok"] else "GUEST BROKEN: %s" % json.dumps(fig["oracle"])))


def series(label, sides, scenario, workdir, kernel, initrd, rounds):
    """@rounds x 2 x (native, tunnelled) migrations of one guest between @sides; returns
    {mode: [figures]}."""
    sc = SCENARIOS[scenario]
    name = "tun-%s" % scenario
    guest = MigGuest(workdir, name, kernel, initrd, mib=GUEST_MIB, dirty=sc["dirty"],
                     rate=sc["rate"], hb_ms=HB_MS)
    clients = [Client(s.host, "virsh", s.uri) for s in sides]
    out = {mode: [] for mode, _ in MODES}
    where = 0
    n = 0
    # A->B native, B->A tunnelled, A->B tunnelled, B->A native: each mode goes each way once
    # a round (odd and even hops differ on this machine: see the docstring)
    order = [MODES[0], MODES[1], MODES[1], MODES[0]]
    try:
        guest.start(clients[0])
        for i in range(rounds):
            for mode, opts in order:
                wait_steady(guest, scenario, n == 0)
                src, dst = where, 1 - where
                fig = migrate_once(sides, src, dst, guest, mode, opts, clients)
                where = dst
                n += 1
                out[mode].append(fig)
                print(describe(i + 1, fig), flush=True)
    finally:
        clients[where].run("destroy", name, timeout=60)
        for c in clients:
            c.run("undefine", name, timeout=60)
        guest.close()
    return out


# -- report ------------------------------------------------------------------------------------

COLS = [("total_s", "total", "%.3f s"), ("data_bytes", "data", "%.0f MiB"),
        ("data_total", "of total", "%.0f MiB"), ("rate_mib_s", "rate", "%.1f MiB/s"),
        ("downtime_ms", "downtime", "%.1f ms"), ("src_cpu_per_gib", "src CPU/GiB", "%.3f s"),
        ("dst_cpu_per_gib", "dst CPU/GiB", "%.3f s")]


def medians(figs):
    out = {}
    for key, _, _ in COLS:
        v = median([f.get(key) for f in figs])
        out[key] = v / MIB if (key in ("data_bytes", "data_total") and v is not None) else v
    out["ok"] = bool(figs) and all(f["ok"] for f in figs)
    out["n"] = len(figs)
    return out


def ratio_line(label, m, base):
    """"ratio @label: ..." of the medians @m over @base, for the figures a ratio says much of."""
    return ("ratio %s: total %s, rate %s, downtime %s, src CPU/GiB %s, dst CPU/GiB %s" % (
        label, ratio(m["total_s"], base["total_s"]), ratio(m["rate_mib_s"], base["rate_mib_s"]),
        ratio(m["downtime_ms"], base["downtime_ms"]),
        ratio(m["src_cpu_per_gib"], base["src_cpu_per_gib"]),
        ratio(m["dst_cpu_per_gib"], base["dst_cpu_per_gib"])))


def by_direction(figs):
    """{direction: median rate} of @figs."""
    return {d: median([f["rate_mib_s"] for f in figs if f["direction"] == d])
            for d in sorted(set(f["direction"] for f in figs))}


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def goals(rows):
    """The goal lines, from ratios taken direction by direction: a direction's hops share the
    guest's state and the machine's drift, while the two directions differ by up to 2x (see
    above), so one median over both mixes two populations and swings with the noise. Each
    ratio is per direction; the goal uses their geometric mean. The ceiling line is what a
    tunnel costing nothing would reach: ternd's native rate against libvirtd's tunnelled."""
    tn = by_direction(rows.get("ternd", {}).get("native", []))
    tt = by_direction(rows.get("ternd", {}).get("tunnelled", []))
    lt = by_direction(rows.get("libvirtd", {}).get("tunnelled", []))
    dirs = [d for d in tt if tn.get(d) and tt.get(d)]
    if not dirs:
        return
    vs_native = {d: tt[d] / tn[d] for d in dirs}
    print("tunnelled/native by direction, ternd: %s" % "; ".join(
        "%s %.0f %%" % (d, vs_native[d] * 100) for d in dirs))
    g = geomean(vs_native.values())
    print("goal: tunnelled rate >= %.0f %% of native (geometric mean over directions): %.0f %%: "
          "%s" % (GOAL_VS_NATIVE * 100, g * 100,
                  "met" if g >= GOAL_VS_NATIVE else "not met"))
    ldirs = [d for d in dirs if lt.get(d)]
    if not ldirs:
        return
    vs_lv = {d: tt[d] / lt[d] for d in ldirs}
    ceiling = {d: tn[d] / lt[d] for d in ldirs}
    print("ternd tunnelled/libvirtd tunnelled by direction: %s (ceiling, ternd native/libvirtd "
          "tunnelled: %s)" % ("; ".join("%s %.2fx" % (d, vs_lv[d]) for d in ldirs),
                              "; ".join("%s %.2fx" % (d, ceiling[d]) for d in ldirs)))
    g = geomean(vs_lv.values())
    print("goal: tunnelled rate >= %.0fx libvirtd tunnelled (geometric mean over directions): "
          "%.2fx: %s (ceiling %.2fx)" % (GOAL_VS_LIBVIRTD, g,
                                         "met" if g >= GOAL_VS_LIBVIRTD else "not met",
                                         geomean(ceiling.values())))


def report(scenario, rows, rounds):
    """@rows: {daemon: {mode: [figures]}}; prints the table, returns the medians."""
    print("\nbench/tunnel: %s, heartbeat %d ms, TCG, %d migrations per mode (half each way), "
          "medians" % (SCENARIOS[scenario]["title"], HB_MS, 2 * rounds))
    print("%-20s" % "" + "".join("%13s" % title for _, title, _ in COLS))
    med = {}
    for daemon, modes in rows.items():
        for mode, figs in modes.items():
            if not figs:
                continue
            m = med[(daemon, mode)] = medians(figs)
            cells = ["%13s" % ("-" if m[k] is None else fmt % m[k]) for k, _, fmt in COLS]
            print("%-20s" % ("%s %s" % (daemon, mode)) + "".join(cells) +
                  ("" if m["ok"] else "  GUEST BROKEN (see above)"))
    for daemon, modes in rows.items():
        parts = []
        for mode, figs in modes.items():
            for d in sorted(set(f["direction"] for f in figs)):
                r = median([f["rate_mib_s"] for f in figs if f["direction"] == d])
                t = median([f["total_s"] for f in figs if f["direction"] == d])
                parts.append("%s %s %s MiB/s %s s" % (mode, d, "?" if r is None else "%.0f" % r,
                                                     "?" if t is None else "%.2f" % t))
        print("by direction (A->B: odd hops, B->A: even), %s: %s" % (daemon, "; ".join(parts)))
    for daemon in rows:
        n, t = med.get((daemon, "native")), med.get((daemon, "tunnelled"))
        if n and t:
            print(ratio_line("%s tunnelled/native" % daemon, t, n))
    for mode, _ in MODES:
        tm, lm = med.get(("ternd", mode)), med.get(("libvirtd", mode))
        if tm and lm:
            print(ratio_line("ternd/libvirtd %s" % mode, tm, lm))
    goals(rows)
    return {"%s %s" % k: v for k, v in med.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scenarios", default="idle,dirty")
    ap.add_argument("--no-libvirtd", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/tunnel: needs root (network namespaces)")
    if not shutil.which("virsh"):
        raise SystemExit("bench/tunnel: needs virsh (libvirt-clients): both daemons are driven "
                         "by it")
    scenarios = benchutil.scenarios_chosen(args.scenarios, "bench/tunnel")
    ternd, kernel, initrd = benchutil.build_paths(args.builddir, "bench/tunnel")
    benchutil.unwind_on_signals()

    rows = {sc: {} for sc in scenarios}
    failed = []

    def attempt(sc, daemon, *fargs):
        print("%s, %s:" % (daemon, sc), flush=True)
        try:
            rows[sc][daemon] = series(daemon, *fargs)
        except Exception as e:  # noqa: BLE001 -- report, clean up, go on
            print("  FAILED: %s" % e, flush=True)
            failed.append((sc, daemon))

    t0 = time.monotonic()
    with TestHosts(ternd, n=2, lock_timeout=LOCK_TIMEOUT) as hosts:
        log("test hosts ready after %.0f s (the lock included)" % (time.monotonic() - t0))
        sides = [TerndSide(h) for h in hosts]
        for sc in scenarios:
            attempt(sc, "ternd", sides, sc, os.path.join(hosts.workdir, "guests-%s" % sc),
                    kernel, initrd, args.rounds)
        # libvirtd's turn while the lock is still held: the ternds sit idle meanwhile
        why = "--no-libvirtd" if args.no_libvirtd else libvirtd_available()
        if why:
            log("no libvirtd rows: %s" % why)
        else:
            state = os.environ.get("STATE", "/tmp/libvirt-hosts")
            workdir = tempfile.mkdtemp(prefix="bench-tunnel-lv-")
            os.chmod(workdir, 0o755)
            try:
                hosts_sh("up")
                hosts_sh("libvirtd-up")
                lsides = [LibvirtSide("A", state), LibvirtSide("B", state)]
                for sc in scenarios:
                    attempt(sc, "libvirtd", lsides, sc, os.path.join(workdir, sc), kernel,
                            initrd, args.rounds)
            except Exception as e:  # noqa: BLE001
                print("libvirtd: FAILED: %s" % e, flush=True)
                failed.append(("*", "libvirtd"))
            finally:
                hosts_sh("down", check=False)
                shutil.rmtree(workdir, ignore_errors=True)

    summary = {sc: report(sc, rows[sc], args.rounds) for sc in scenarios}
    broken = [(sc, d) for sc in scenarios for d, modes in rows[sc].items()
              for figs in modes.values() if not all(f["ok"] for f in figs)]
    broken += failed
    if args.json:
        benchutil.write_json(args.json, args.rounds, scenarios, rows, summary)
    return benchutil.exit_status(sorted(set(broken)))


if __name__ == "__main__":
    sys.exit(main())
