#!/usr/bin/env python3
"""test-migrate-p2p.py: peer-to-peer and tunnelled live migration between two ternds, driven
by the real virsh: hops there and back, the failures of a tunnelled transfer, and several
tunnelled migrations at once.

Usage: test-migrate-p2p.py TERND VIRSH KERNEL INITRAMFS [PART...]
  PARTs, in this order by default:
    hops        `virsh migrate --live --p2p` a->b->a, then the same with --tunnelled, the
                guest (512 MiB) rewriting 128 MiB at 64 MiB/s
    faults      a tunnelled a->b transfer at --bandwidth 20 (its rate checked once) hit by:
                (a) the destination ternd killed (then started again), (b) the destination
                QEMU killed, (c) the a-b link cut (restored after), (d) `virsh domjobabort`
                from a second client on a, (e) `virsh destroy` of the incoming guest on b;
                then, on a, `virsh suspend` (allowed), `resume` (refused) and `destroy`
                of the migrating guest
    concurrent  four tunnelled migrations at once, two each way (256 MiB guests, light
                dirtying)
    lostfinish  p2p a->b, then tunnelled b->a, each through a proxy that drops the
                destination's answer to Finish: the source asks the destination again and
                the migration succeeds with one copy of the guest
Output is TAP; numbers (downtime, time to detect each failure, the clients' errors) are
"# " lines. Prints "1..0 # SKIP ..." (exit 0) without root, virsh or QEMU.

Two test hosts (ternhosts.py); each migration's virsh runs on its source host and talks only
to the source ternd, which connects to the destination ternd itself (that is --p2p). With
--tunnelled the QEMU migration stream goes through that connection, so a cut a-b link, a dead
destination ternd or QEMU must end the source's job: the guest keeps running on the source and
the destination is left with nothing. The guests (migrun.MigGuest: pti=on, serial output of
every QEMU appended to one file and stamped with the host's clock as it arrives) are judged by
heartbeat.py: counter continuous, nothing corrupt, heartbeats go on afterwards.

When a check fails, the hosts' ternd and QEMU logs are copied to
/tmp/tern-migrate-p2p-logs-<pid>/ before the hosts are removed.
"""
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import migrun  # noqa: E402
from migrun import Client, MigGuest, Migration, jobinfo, migration_report, format_report  # noqa: E402
from migrun import qemus, wait_for, domstate, listed, host_clean, clean_detail  # noqa: E402
from migrun import wait_transfer, wait_listening  # noqa: E402
import ternhosts  # noqa: E402
from ternhost import Tap  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
from testguest import qemu_pids  # noqa: E402

MIB = 1 << 20
MIGRATE_TIMEOUT = 240
LOCK_TIMEOUT = 3000
STALL_S = 10            # qemu_migration.c QEMU_MIGRATION_STALL_MS
KEEPALIVE = (5, 5)      # ternd.conf keepalive_interval, keepalive_count (the defaults)

MODES = [
    ("p2p", ["--live", "--p2p"]),
    ("tunnelled", ["--live", "--p2p", "--tunnelled"]),
]


class Ctx:
    def __init__(self, hosts, tap, virsh, kernel, initrd):
        self.hosts = hosts
        self.a, self.b = hosts
        self.tap = tap
        self.virsh = virsh
        self.kernel, self.initrd = kernel, initrd
        self.gdir = os.path.join(hosts.workdir, "guests")  # outside every host's root

    def v(self, host, on=None):
        """virsh -c HOST, run inside host @on (default: @host itself)."""
        return Client(on or host, self.virsh, host.uri_tcp)

    def guest(self, name, **kw):
        return MigGuest(self.gdir, name, self.kernel, self.initrd, **kw)


def last_error(res):
    lines = [ln.strip() for ln in (res.err + res.out).splitlines() if ln.strip()]
    errs = [ln for ln in lines if ln.startswith("error:")]
    return " / ".join(errs) if errs else (lines[-1] if lines else "(no output)")


def log_since(host, offset, pattern=r"(?i)error|fail|abort|cancel|keepalive|stall|closed|lost"):
    """The lines of @host's ternd log after byte @offset that match @pattern (at most 15)."""
    try:
        with open(host.log_path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    rx = re.compile(pattern)
    return [ln for ln in text.splitlines() if rx.search(ln)][-15:]


LOG_TS_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}): .*"
                       r"qemuMigrationSrcPerformFailed")


def failure_logged_at(lines):
    """The wall-clock time (time.time()) of the first "migration out failed" line of @lines (a
    ternd log's, local time), or None."""
    for ln in lines:
        m = LOG_TS_RE.match(ln)
        if m:
            st = time.strptime(m.group(1)[:19], "%Y-%m-%d %H:%M:%S")
            return time.mktime(st) + int(m.group(1)[20:]) / 1000.0
    return None


def established(pid):
    """The established TCP connections (IPv4) in the network namespace of @pid, as
    [(local "addr:port", remote "addr:port")]."""
    def addr(hexpair):
        h, port = hexpair.split(":")
        ip = ".".join(str(int(h[i:i + 2], 16)) for i in (6, 4, 2, 0))
        return "%s:%d" % (ip, int(port, 16))
    out = []
    try:
        with open("/proc/%d/net/tcp" % pid) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "01":
                    out.append((addr(fields[1]), addr(fields[2])))
    except (OSError, StopIteration, ValueError, IndexError):
        pass
    return out


def log_size(host):
    try:
        return os.path.getsize(host.log_path)
    except OSError:
        return 0


def boot(ctx, guest, host, beats=10):
    t0 = time.monotonic()
    try:
        guest.start(ctx.v(host))
    except RuntimeError as e:
        return ctx.tap.ok(False, "%s boots on %s" % (guest.name, host.name), e)
    ok = guest.wait_heartbeats(beats, timeout=90)
    p = guest.params
    ctx.tap.ok(ok, "%s boots on %s (%d MiB, dirtying %d MiB at %d MiB/s, heartbeat every %d ms)"
               % (guest.name, host.name, p["mib"], p["dirty"], p["rate"], p["hb_ms"]),
               "%s\n%s" % (guest.report(), migrun.diagnostics(ctx.hosts)))
    if ok:
        ctx.tap.note("%s: first heartbeats %.1f s after define" % (guest.name,
                                                                time.monotonic() - t0))
    return ok


def wait_dirtied(guest, mib, timeout=60):
    """Until the guest has rewritten its buffer once (it is in its steady state)."""
    if guest.params["dirty"] == 0:
        return True
    return guest.wait_report(lambda r: (r["last_dirtied_mib"] or 0) >= mib, timeout)


def remove_guest(ctx, guest):
    migrun.remove_guest(ctx, guest, ctx.tap.note)


def end_migration(ctx, mig, src, timeout):
    """migrun.end_migration, domjobabort sent to @src."""
    return migrun.end_migration(ctx.v(src), mig, timeout)


# -- part hops -----------------------------------------------------------------------------------

def hop(ctx, label, guest, opts, src, dst, uri=None):
    """One migration of @guest from @src to @dst (its daemon at @uri, default dst.uri_tcp) with
    virsh @opts that must succeed."""
    tap = ctx.tap
    name = guest.name
    wait_dirtied(guest, guest.params["dirty"])
    before = guest.last_seq()
    mig = Migration(ctx.v(src), name, uri or dst.uri_tcp, *opts)
    res, timed_out = end_migration(ctx, mig, src, MIGRATE_TIMEOUT)
    ok = tap.ok(res.ok, "%s: virsh migrate %s %s->%s" % (label, " ".join(opts), src.name, dst.name),
                "%s\n%s" % (res, migrun.diagnostics(ctx.hosts)))
    if not ok:
        return False
    st = wait_for(lambda: domstate(ctx.v(dst), name) == "running", 10)
    tap.ok(st, "%s: the guest runs on %s" % (label, dst.name),
           "domstate on %s: %s" % (dst.name, domstate(ctx.v(dst), name)))
    src_state = domstate(ctx.v(src), name)
    tap.ok(src_state in (None, "shut off"),
           "%s: it does not run on %s any more (domstate: %s)" % (label, src.name, src_state))
    pids = wait_for(lambda: len(qemu_pids(name)) == 1 and qemu_pids(name), 10)
    tap.ok(pids and set(pids) == set(qemus(dst)) and not qemus(src),
           "%s: one QEMU runs the guest, on %s" % (label, dst.name),
           "QEMUs of %s: %s; under %s's root %s, under %s's root %s" % (
               name, qemu_pids(name), dst.name, qemus(dst), src.name, qemus(src)))
    arrived = guest.wait_beats_after(mig.t1, n=5, timeout=20)
    job, _ = jobinfo(ctx.v(dst), name, completed=True)
    if not job or job.get("Job type") != "Completed":
        job, _ = jobinfo(ctx.v(src), name, completed=True)
    r = migration_report(guest, mig.t0, mig.t1, job)
    tap.ok(arrived and r["ok"] and guest.last_seq() > before,
           "%s: heartbeat counter continuous, no corruption, heartbeats go on" % label,
           "%s\n%s" % (format_report(r), guest.report()))
    tap.note("%s: %s" % (label, format_report(r)))
    if job:
        tap.note("%s: domjobinfo --completed: data processed %s / total %s" % (
            label, job.get("Data processed"), job.get("Data total")))
    return True


def part_hops(ctx):
    g = ctx.guest("p2p", mib=512, dirty=128, rate=64, hb_ms=20)
    ctx.hop_guest = g
    if not boot(ctx, g, ctx.a):
        return
    for mode, opts in MODES:
        if not hop(ctx, "%s a->b" % mode, g, opts, ctx.a, ctx.b):
            return
        if not hop(ctx, "%s b->a" % mode, g, opts, ctx.b, ctx.a):
            return
    rep = g.report()
    ctx.tap.ok(rep["continuous"] and not rep["corrupt"] and rep["starts"] == 1,
               "hops: over all four, counter continuous, no corruption, one boot",
               str({k: rep[k] for k in ("count", "breaks", "corrupt_lines", "errors", "starts")}))


# -- part faults ---------------------------------------------------------------------------------

def fault_abort(ctx, g):
    r = ctx.v(ctx.a).run("domjobabort", g.name)
    ctx.fault_detail = r
    return "virsh domjobabort %s on a (second client): rc %s %s" % (
        g.name, r.rc, (r.err.strip() or r.out.strip()))


def fault_destroy_dest(ctx, g):
    r = ctx.v(ctx.b).run("destroy", g.name)
    ctx.fault_detail = r
    return "virsh destroy %s on b (the incoming guest): rc %s %s" % (
        g.name, r.rc, (r.err.strip() or r.out.strip()))


KA_S = KEEPALIVE[0] * (KEEPALIVE[1] + 1)
# name, fault, undo, detected within (s), what the error must mention
# (the source QEMU's own "Broken pipe" names none of them: its pipe goes to the source ternd)
FAULTS = [
    ("destination ternd killed", migrun.fault_kill_dest_ternd, migrun.undo_kill_dest_ternd, 10,
     r"(?i)destination|connection|closed|end of file|eof|peer|daemon"),
    ("destination QEMU killed", migrun.fault_kill_dest_qemu, None, 10,
     r"(?i)destination|incoming|remote|peer"),
    ("a-b link cut", migrun.fault_cut_link, migrun.undo_cut_link, min(STALL_S, KA_S) + 5,
     r"(?i)keepalive|no migration data moved|stall|timed? ?out|reachable|connection|lost"),
    ("domjobabort", fault_abort, None, 10,
     r"(?i)cancel|abort"),
    ("destroy on the destination", fault_destroy_dest, None, 10,
     r"(?i)destination|QEMU|destroy"),
]


def rss_mib(pid):
    """VmRSS of @pid in MiB, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, TypeError):
        pass
    return None


def wait_sampling(ctx, mig, src, name, timeout):
    """Like end_migration, but once a second note @src's job's Data processed (asked by a second
    client) and its ternd's VmRSS. Returns (Result, timed_out, samples [(t, bytes, rss)])."""
    samples = []
    deadline = time.monotonic() + timeout
    pid = src.pid
    while mig.wait(0) is None and time.monotonic() < deadline:
        info, _ = jobinfo(ctx.v(src), name, timeout=10)
        data = info.get("Data processed") if info else None
        samples.append((time.monotonic(), data if isinstance(data, int) else None, rss_mib(pid)))
        mig.wait(max(0.05, 1.0 - (time.monotonic() - samples[-1][0])))
    res, timed_out = end_migration(ctx, mig, src, 0.1)
    return res, timed_out, samples


def describe_samples(t_fault, before, samples):
    """One line: how long QEMU's Data processed kept growing after the fault, and the source
    ternd's memory meanwhile."""
    last_change, last = None, before
    for t, data, _rss in samples:
        if data is not None and last is not None and data > last:
            last_change = t
        if data is not None:
            last = data
    rss = [r for _t, _d, r in samples if r is not None]
    return ("after the fault, Data processed grew from %.1f MiB to %s MiB, last growth %s; "
            "the source ternd's VmRSS %s" % (
                before / MIB, "?" if last is None else "%.1f" % (last / MIB),
                "none seen" if last_change is None else "%.1f s after" % (last_change - t_fault),
                "%.0f..%.0f MiB" % (min(rss), max(rss)) if rss else "?"))


def check_bandwidth(ctx, mig, g, label, mib_s):
    """The running tunnelled migration @mig moves data at its --bandwidth @mib_s: QEMU's limit
    holds when it writes into the tunnel's pipe rather than a socket of its own."""
    i1, _ = jobinfo(ctx.v(ctx.a), g.name)
    t1 = time.monotonic()
    time.sleep(3)
    i2, _ = jobinfo(ctx.v(ctx.a), g.name)
    t2 = time.monotonic()
    if not ctx.tap.ok(i1 and i2 and mig.running(),
                      "%s: still transferring 3 s later" % label, "%s %s" % (i1, i2)):
        return
    rate = (i2["Data processed"] - i1["Data processed"]) / MIB / (t2 - t1)
    ctx.tap.ok(0.75 * mib_s <= rate <= 1.2 * mib_s,
               "%s: --bandwidth %d holds through the tunnel (%.1f MiB/s over 3 s)" % (
                   label, mib_s, rate), "%s\n%s" % (i1, i2))


def fault_case(ctx, g, case):
    name, fault, undo, within, cause_re = case
    a, b, tap = ctx.a, ctx.b, ctx.tap
    label = "fault %s" % name
    if not tap.ok(domstate(ctx.v(a), g.name) == "running" and host_clean(ctx.v(b), b),
                  "%s: before: the guest runs on a, b is clean" % label,
                  "a: %s; %s" % (domstate(ctx.v(a), g.name), clean_detail(ctx.v(b), b))):
        return False
    wait_dirtied(g, g.params["dirty"])
    off = log_size(a)
    mig = Migration(ctx.v(a), g.name, b.uri_tcp, "--live", "--p2p", "--tunnelled",
                    "--bandwidth", "20")
    info = wait_transfer(ctx.v(a), mig, g.name, 16 * MIB)
    if not tap.ok(info is not None, "%s: the tunnelled migration is transferring (16 MiB across)"
                  % label, "%s\n%s" % (mig.wait(0) or "no Unbounded job with 16 MiB processed "
                                       "within 60 s", migrun.diagnostics(ctx.hosts))):
        end_migration(ctx, mig, a, 30)
        return after_fault(ctx, label, g, mig)
    tap.note("%s: %.1f MiB across after %.1f s" % (label, info["Data processed"] / MIB,
                                                  time.monotonic() - mig.t0))
    if b.pid is not None:
        conns = [c for c in established(b.pid) if c[0].split(":")[0] == b.addr]
        tap.ok(conns and all(":%d" % ternhosts.TERND_PORT in c[0] + " " + c[1] + " "
                             for c in conns),
               "%s: tunnelled: every a-b TCP connection is the daemons' (port %d), none "
               "QEMU's" % (label, ternhosts.TERND_PORT), "established on b: %s" % conns)
    if case is FAULTS[0]:
        check_bandwidth(ctx, mig, g, label, 20)
    rss0 = rss_mib(a.pid)
    t_fault = time.monotonic()
    t_fault_wall = time.time()
    try:
        what = fault(ctx, g)
        tap.note("%s: %s, %.2f s into the migration" % (label, what, t_fault - mig.t0))
        res, timed_out, samples = wait_sampling(ctx, mig, a, g.name, 120)
    finally:
        if undo:
            undo(ctx)  # after the client returned, or on the way out
    took = mig.t1 - t_fault
    err = last_error(res)
    tap.note("%s: detected after %.2f s (virsh exited %s): %s" % (label, took, res.rc, err))
    tap.note("%s: %s (%s MiB before)" % (label, describe_samples(t_fault, info["Data processed"],
                                                                samples),
                                         "?" if rss0 is None else "%.0f" % rss0))
    logged = failure_logged_at(log_since(a, off))
    if logged is not None:
        tap.note("%s: a's ternd logged the failure %.2f s after the fault, virsh got it %.2f s "
                 "after the fault" % (label, logged - t_fault_wall, took))
    for ln in log_since(a, off):
        tap.note("%s: a's log: %s" % (label, ln))
    ok = tap.ok(not timed_out and res.rc not in (0, None),
                "%s: the migrating virsh fails" % label,
                "%s\n%s%s" % (res, "(still running 120 s after the fault: domjobabort sent)\n"
                              if timed_out else "", migrun.diagnostics(ctx.hosts)))
    if ok:
        tap.ok(took <= within, "%s: detected within %d s (took %.2f s)" % (label, within, took),
               "\n".join(log_since(a, off)))
        tap.ok(re.search(cause_re, err), "%s: the error names the cause: %s" % (label, err),
               "wanted /%s/" % cause_re)
    return after_fault(ctx, label, g, mig)


def after_fault(ctx, label, g, mig):
    a, b, tap = ctx.a, ctx.b, ctx.tap
    ok = tap.ok(wait_for(lambda: domstate(ctx.v(a), g.name) == "running", 10),
                "%s: the guest still runs on a (domstate)" % label,
                "domstate on a: %s\n%s" % (domstate(ctx.v(a), g.name),
                                           migrun.diagnostics(ctx.hosts)))
    arrived = g.wait_beats_after(mig.t1, n=10, timeout=20)
    r = migration_report(g, mig.t0, mig.t1)
    ok &= tap.ok(arrived and r["ok"],
                 "%s: heartbeats go on, counter continuous, no corruption" % label,
                 "%s\n%s" % (format_report(r), g.report()))
    tap.note("%s: largest heartbeat gap during the attempt: %s ms" % (label, r["downtime_ms"]))
    tap.ok(len(qemus(a)) == 1, "%s: a has one QEMU" % label, qemus(a))
    t = time.monotonic()
    clean = wait_for(lambda: host_clean(ctx.v(b), b), 30, step=0.5)
    tap.ok(clean, "%s: b is clean (no domain in virsh list --all, no QEMU)" % label,
           "%s\n%s" % (clean_detail(ctx.v(b), b), migrun.diagnostics(ctx.hosts)))
    if clean:
        if time.monotonic() - t > 0.5:
            tap.note("%s: b was clean %.1f s after the client returned" % (
                label, time.monotonic() - t + (t - mig.t1)))
    else:
        # leave b clean for the next case, whatever ternd did
        ctx.v(b).run("destroy", g.name)
        ctx.v(b).run("undefine", g.name)
        for p in qemus(b):
            os.kill(p, signal.SIGKILL)
    return ok


def part_faults(ctx):
    g = getattr(ctx, "hop_guest", None)
    if g is None or domstate(ctx.v(ctx.a), g.name) != "running":
        if g is not None:
            remove_guest(ctx, g)
        g = ctx.guest("p2p-fault", mib=512, dirty=128, rate=64, hb_ms=20)
        if not boot(ctx, g, ctx.a):
            return
    ctx.hop_guest = None
    try:
        for case in FAULTS:
            if not fault_case(ctx, g, case):
                break
        rep = g.report()
        ctx.tap.ok(rep["continuous"] and not rep["corrupt"] and rep["starts"] == 1,
                   "faults: over all attempts, counter continuous, no corruption, one boot",
                   str({k: rep[k] for k in ("count", "breaks", "corrupt_lines", "errors",
                                            "starts")}))
        destroy_on_source(ctx, g)
    finally:
        remove_guest(ctx, g)


def destroy_on_source(ctx, g):
    """`virsh destroy` of the guest on a during its tunnelled migration: the user stops it
    for good; the migration fails at once and neither host keeps anything of it."""
    a, b, tap = ctx.a, ctx.b, ctx.tap
    label = "destroy on the source"
    mig = Migration(ctx.v(a), g.name, b.uri_tcp, "--live", "--p2p", "--tunnelled",
                    "--bandwidth", "20")
    if not tap.ok(wait_transfer(ctx.v(a), mig, g.name, 16 * MIB) is not None,
                  "%s: the tunnelled migration is transferring" % label, mig.wait(0)):
        end_migration(ctx, mig, a, 30)
        return
    # what runs alongside a migration's job: suspend (virsh migrate --timeout), not resume
    r = ctx.v(a).run("suspend", g.name)
    tap.ok(r.ok and domstate(ctx.v(a), g.name) == "paused" and mig.running(),
           "%s: virsh suspend on a succeeds during the migration, which goes on" % label, r)
    r = ctx.v(a).run("resume", g.name)
    tap.ok(not r.ok and "job in progress" in r.err,
           "%s: virsh resume on a is refused while the migration runs" % label, r)
    t = time.monotonic()
    r = ctx.v(a).run("destroy", g.name)
    tap.ok(r.ok, "%s: virsh destroy on a succeeds during the migration" % label, r)
    res, timed_out = end_migration(ctx, mig, a, 30)
    tap.ok(not timed_out and res.rc not in (0, None) and re.search(r"destroyed", last_error(res)),
           "%s: the migrating virsh fails at once, saying so (%.2f s): %s" % (
               label, mig.t1 - t, last_error(res)), res)
    tap.ok(wait_for(lambda: not qemus(a) and host_clean(ctx.v(b), b), 30, step=0.5),
           "%s: no QEMU left on a, b is clean" % label,
           "QEMUs on a: %s; %s" % (qemus(a), clean_detail(ctx.v(b), b)))


# -- part concurrent -----------------------------------------------------------------------------

def part_concurrent(ctx):
    a, b, tap = ctx.a, ctx.b, ctx.tap
    g = getattr(ctx, "hop_guest", None)
    if g is not None:
        remove_guest(ctx, g)
        ctx.hop_guest = None
    plan = [("conc1", a, b), ("conc2", a, b), ("conc3", b, a), ("conc4", b, a)]
    guests = []
    try:
        for name, src, _dst in plan:
            g = ctx.guest(name, mib=256, dirty=32, rate=8, hb_ms=50)
            guests.append(g)
            if not boot(ctx, g, src, beats=5):
                return
        for g in guests:
            wait_dirtied(g, g.params["dirty"])
        migs = []
        for g, (name, src, dst) in zip(guests, plan):
            migs.append(Migration(ctx.v(src), name, dst.uri_tcp, "--live", "--p2p",
                                  "--tunnelled"))
        t0 = min(m.t0 for m in migs)
        results = [end_migration(ctx, m, src, 600) for m, (_n, src, _d) in zip(migs, plan)]
        tap.note("concurrent: all four done %.1f s after the first started" %
                 (max(m.t1 for m in migs) - t0))
        last_start, first_end = max(m.t0 for m in migs), min(m.t1 for m in migs)
        tap.ok(last_start < first_end, "concurrent: the four migrations ran at the same time",
               "the last started %.2f s after the first had ended" % (last_start - first_end))
        for g, m, (res, _to), (name, src, dst) in zip(guests, migs, results, plan):
            label = "concurrent %s %s->%s" % (name, src.name, dst.name)
            if not tap.ok(res.ok, "%s: virsh migrate --live --p2p --tunnelled" % label,
                          "%s\n%s" % (res, migrun.diagnostics(ctx.hosts))):
                continue
            tap.ok(wait_for(lambda: domstate(ctx.v(dst), name) == "running", 10),
                   "%s: runs on %s" % (label, dst.name), domstate(ctx.v(dst), name))
            pids = qemu_pids(name)
            tap.ok(len(pids) == 1 and set(pids) <= set(qemus(dst)),
                   "%s: one QEMU, on %s" % (label, dst.name),
                   "%s; %s's QEMUs %s" % (pids, dst.name, qemus(dst)))
            arrived = g.wait_beats_after(m.t1, n=5, timeout=30)
            job, _ = jobinfo(ctx.v(dst), name, completed=True)
            r = migration_report(g, m.t0, m.t1, job)
            tap.ok(arrived and r["ok"],
                   "%s: heartbeat counter continuous, no corruption, heartbeats go on" % label,
                   "%s\n%s" % (format_report(r), g.report()))
            tap.note("%s: %s" % (label, format_report(r)))
    finally:
        for g in guests:
            remove_guest(ctx, g)


# -- part lostfinish ----------------------------------------------------------------------------

def part_lostfinish(ctx):
    """The destination ran the guest but its answer to Finish is lost with the connection (a
    proxy in front of the destination daemon drops it): resuming the source would run the
    guest twice. The source asks the destination on a new connection, learns it runs the
    guest, and the migration succeeds with one copy."""
    tap = ctx.tap
    g = ctx.guest("p2p-lost", mib=256, dirty=32, rate=32, hb_ms=20)
    if not boot(ctx, g, ctx.a):
        remove_guest(ctx, g)
        return
    proclog = os.path.join(ctx.hosts.workdir, "lostfinish-procs")
    src, dst = ctx.a, ctx.b
    try:
        for mode, opts in MODES:
            label = "lost Finish answer, %s %s->%s" % (mode, src.name, dst.name)
            proxy = migrun.finish_dropper_start(dst, proclog)
            try:
                if not tap.ok(wait_listening(dst, migrun.PROXY_PORT),
                              "%s: the proxy listens on %s:%d" % (label, dst.addr,
                                                                 migrun.PROXY_PORT)):
                    return
                off = log_size(src)
                ok = hop(ctx, label, g, opts, src, dst, uri=migrun.finish_dropper_uri(dst))
            finally:
                proxy.kill()
                proxy.wait()
            cuts = migrun.finish_dropper_cuts(proclog)
            tap.ok(cuts == 1, "%s: the proxy dropped Finish's answer (%d cut)" % (label, cuts))
            os.unlink(proclog)
            lines = log_since(src, off, r"answer to Finish was lost|destination runs it")
            tap.ok(len(lines) == 2, "%s: %s's ternd logged the lost answer and what the "
                   "destination said" % (label, src.name), "\n".join(lines))
            for ln in lines:
                tap.note("%s: %s" % (label, ln))
            if not ok:
                return
            src, dst = dst, src
        rep = g.report()
        tap.ok(rep["continuous"] and not rep["corrupt"] and rep["starts"] == 1,
               "lost Finish answers: counter continuous, no corruption, one boot",
               str({k: rep[k] for k in ("count", "breaks", "corrupt_lines", "errors",
                                        "starts")}))
    finally:
        remove_guest(ctx, g)


PARTS = {"hops": part_hops, "faults": part_faults, "concurrent": part_concurrent,
         "lostfinish": part_lostfinish}


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    ternd, virsh, kernel, initrd = argv[1:5]
    names = migrun.parts_chosen(argv[5:], PARTS, "part")
    if names is None:
        return 2
    missing = migrun.hosts_missing(virsh)
    if missing:
        print("1..0 # SKIP %s" % missing)
        return 0
    tap = Tap()
    for path in (kernel, initrd):
        if not os.path.isfile(path):
            tap.ok(False, "the test guest exists", "%s is missing" % path)
            return tap.done()
    ternd, kernel, initrd = migrun.abspaths(ternd, kernel, initrd)
    virsh = migrun.command_path(virsh)
    t0 = time.monotonic()
    with TestHosts(ternd, n=2, lock_timeout=LOCK_TIMEOUT) as hosts:
        tap.note("test hosts ready after %.1f s (lock included)" % (time.monotonic() - t0))
        ctx = Ctx(hosts, tap, virsh, kernel, initrd)
        migrun.run_parts(ctx, PARTS, names, tap, lambda desc, detail: tap.ok(False, desc, detail),
                         "part")
        g = getattr(ctx, "hop_guest", None)
        if g is not None:
            remove_guest(ctx, g)
        if tap.failed:
            tap.note("logs kept in %s" % migrun.save_logs(hosts, "tern-migrate-p2p-logs"))
    tap.note("%d checks, %d failed, in %.0f s" % (tap.n, len(tap.failed), time.monotonic() - t0))
    return tap.done()

if __name__ == "__main__":
    sys.exit(main(sys.argv))
