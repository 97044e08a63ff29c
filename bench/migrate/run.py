#!/usr/bin/env python3
"""run.py: bench/migrate: live migration of the test guest between two test hosts, driven
three ways on the same guest, the same hosts and the same machine, in one run:

  raw QEMU   the benchmark itself drives two QEMUs over QMP (the floor: no management layer)
  tern       `virsh migrate --live` (and `tern migrate --live`) between two ternds
  libvirtd   `virsh migrate --live` between two of Debian's libvirtds (when installed)

Usage: run.py [--builddir build] [--rounds 3] [--scenarios idle,dirty] [--clients virsh,tern]
              [--no-raw] [--no-libvirtd] [--json FILE]

Scenarios (the test guest of tests/guest, TCG, pti=on, 1 GiB, heartbeat every 10 ms):
  idle    nothing but heartbeats
  dirty   rewriting 512 MiB at 64 MiB/s (tern.dirty_mib=512 tern.dirty_rate_mib=64)

Every measurement boots a fresh guest on host A, waits for its steady state (heartbeats
flowing; the dirty guest has filled its 512 MiB once; then 2 s more) and migrates it live to
host B, then destroys it. Round by round the ways take turns (raw QEMU, tern with each
client, libvirtd), so whatever else the machine does falls on all of them alike. At most two
QEMUs run at a time (machine-notes 5).

What is measured, per migration (medians over the rounds are printed):
  total      the client's wall clock: for tern and libvirtd from just before the client
             (virsh/tern, started through "ip netns exec" on host A) is spawned until it has
             exited; it includes starting the destination QEMU. For raw QEMU from sending
             `migrate` to the source until the destination's `cont` has returned (the
             destination QEMU was started and told to listen before: not included).
  downtime   what the guest saw: the largest gap, on the host's monotonic clock, between two
             consecutive heartbeat lines arriving from the guest's serial log (written by both
             QEMUs into one file) across the migration's window (machine-notes 4).
  QEMU time  the source QEMU's own `total-time` from `query-migrate` once it says
             "completed" (from `migrate` to the end of the final stage). For raw QEMU the
             benchmark asks; for ternd and libvirtd it is read from the daemon's log of its
             monitor traffic (ternd: log_level = 1; libvirtd: log filter 2:qemu.qemu_monitor,
             set with virt-admin): the reply to the daemon's own `query-migrate`. QEMU 7.2
             fills total-time in a moment after it says "completed"; when the daemon asked in
             that moment (total-time 0), the span between the source QEMU's MIGRATION "setup"
             and "completed" events is taken instead (they agree within a few ms).
  overhead   total - QEMU time, per migration: everything that is not QEMU moving memory.
             "before" is the client's start until QEMU's MIGRATION "setup" event, "after" is
             QEMU's "completed" event until the client's end (QEMU's event timestamps, the
             client's start and end on the host's realtime clock). "resumed" is the time
             from the guest's first heartbeat after its largest gap (it runs again on the
             destination) until the client's end: work after the guest is back.
  data       Data processed (bytes of RAM sent, QEMU's ram.transferred).
  QEMU dt    the downtime QEMU itself reports (source: query-migrate "downtime"; it ends
             when the source has sent the last page, before the destination has loaded it).
  job time   `domjobinfo --completed` "Time elapsed" of the destination's job (the daemon's
             own job, Prepare to Finish), for information; its "Total downtime" is in the
             JSON as job_downtime_ms.

The goal lines at the end ("overhead < 20 ms", "downtime within 10 % of raw QEMU") are
printed for information; this is a benchmark, not a test: it fails only when a migration or
the guest does (a heartbeat gap, reset or corruption is reported and makes the exit status 1).

ternd runs on two test hosts of tests/integration/ternhosts.py; raw QEMU runs in the same
two namespaces; libvirtd runs on the two test hosts of
../../../shared/tools/libvirt-hosts/hosts.sh (namespaces hostA and hostB), up beside them for
the whole run and removed at the end. The run holds the test-hosts lock (ternhosts.py)
throughout, so no test's VMs run meanwhile. Needs root.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "guest"))
import migrun  # noqa: E402
from migrun import Client, MigGuest, Migration, completed_jobinfo, migration_report  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
sys.path.insert(0, os.path.join(HERE, ".."))
from libvirthosts import LibvirtHost, hosts_sh, libvirtd_available, median  # noqa: E402
import benchutil  # noqa: E402
from benchutil import GUEST_MIB, HB_MS, SCENARIOS, SETTLE_S, ratio  # noqa: E402
from guestvm import die_with_parent  # noqa: E402
import heartbeat  # noqa: E402


MIB = 1 << 20
MIGRATE_TIMEOUT = 180
RAW_PORT = 49800
# libvirt's "unlimited" max-bandwidth, which ternd sends too (QEMU's default is 32 MiB/s)
MAX_BANDWIDTH = 9223372036853727232
GOAL_OVERHEAD_MS = 20
GOAL_DOWNTIME_PCT = 10


log = benchutil.logger("bench/migrate")


# -- reading the daemons' logs of their monitor traffic ----------------------------------------

def _quotes(pattern):
    """@pattern with each '"' also matching ternd's escaped quote (it logs \\", libvirtd ")."""
    return re.compile(pattern.replace('"', r'\\?"'))


EVENT_RE = _quotes(r'\{"timestamp": \{"seconds": (\d+), "microseconds": (\d+)\}, '
                   r'"event": "MIGRATION", "data": \{"status": "([a-z-]+)"\}')
# QEMU puts the times before "ram": {...}, which ternd's 512-byte excerpt may cut
DONE_RE = _quotes(r'\{"return": \{[^{]*"status": "completed"[^{]*"total-time": (\d+)')
DOWNTIME_RE = _quotes(r'[{ ]"downtime": (\d+)')


def qemu_figures_from_log(path, offset, timeout=3.0):
    """From the part of a daemon's log after byte @offset: the source QEMU's MIGRATION "setup"
    and following "completed" event times (QEMU's timestamps, seconds since the epoch), and
    total-time and downtime (ms) of the first query-migrate reply that says "completed" and
    has them (QEMU 7.2 sets both a moment after it reports "completed": a query at once may
    show 0, which counts as missing). Waits up to @timeout s for the lines to be written;
    missing values are None."""
    deadline = time.monotonic() + timeout
    while True:
        setup = done = total = downtime = None
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            text = ""
        for line in text.splitlines():
            m = EVENT_RE.search(line)
            if m:
                ts = int(m.group(1)) + int(m.group(2)) / 1e6
                if m.group(3) == "setup" and setup is None:
                    setup = ts
                elif m.group(3) == "completed" and setup is not None and done is None:
                    done = ts
                continue
            m = DONE_RE.search(line)
            if m and total is None and int(m.group(1)) > 0:
                total = int(m.group(1))
                d = DOWNTIME_RE.search(line)
                downtime = int(d.group(1)) if d else None
        if (setup is not None and done is not None and total is not None) or \
                time.monotonic() > deadline:
            return {"qemu_setup_ts": setup, "qemu_done_ts": done, "qemu_total_time_ms": total,
                    "qemu_downtime_ms": downtime}
        time.sleep(0.1)


# -- raw QEMU over QMP -------------------------------------------------------------------------

class QMPError(RuntimeError):
    pass


class QMP:
    """A QMP client on a UNIX socket: commands in order, events kept until asked for."""

    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        self.buf = b""
        self.events = []
        self.n = 0
        self._read(timeout)  # the greeting
        self.cmd("qmp_capabilities")

    def close(self):
        self.sock.close()

    def _read(self, timeout):
        """One message; None if none arrived within @timeout s."""
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise QMPError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, timeout=60, **args):
        self.n += 1
        msg = {"execute": name, "id": self.n}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            r = self._read(max(0.01, deadline - time.monotonic()))
            if r is None:
                raise QMPError("%s: no reply within %d s" % (name, timeout))
            if "event" in r:
                self.events.append(r)
            elif r.get("id") == self.n:
                if "error" in r:
                    raise QMPError("%s: %s" % (name, r["error"].get("desc")))
                return r.get("return")

    def wait_event(self, pred, timeout):
        """The first event (kept or new) for which @pred is true, or None after @timeout s."""
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if pred(e):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r = self._read(left)
            if r is not None and "event" in r:
                self.events.append(r)

    def take_events(self):
        ev, self.events = self.events, []
        return ev


def guest_cmdline(xml_path):
    with open(xml_path) as f:
        m = re.search(r"<cmdline>(.*)</cmdline>", f.read())
    return m.group(1)


def raw_argv(name, qmp_path, serial, kernel, initrd, cmdline, mib, incoming):
    """The command line ternd gives QEMU for the test guest (see a QEMU log of a ternd), with
    the benchmark's own QMP socket."""
    argv = ["qemu-system-x86_64", "-name", "guest=%s,debug-threads=on" % name, "-S",
            "-msg", "timestamp=on", "-machine", "pc,usb=off,dump-guest-core=off,acpi=on",
            "-accel", "tcg", "-m", "size=%dk" % (mib * 1024), "-overcommit", "mem-lock=off",
            "-smp", "1,maxcpus=1,sockets=1,cores=1,threads=1", "-no-user-config", "-nodefaults",
            "-chardev", "socket,id=charmonitor,path=%s,server=on,wait=off" % qmp_path,
            "-mon", "chardev=charmonitor,id=monitor,mode=control", "-rtc", "base=utc",
            "-no-shutdown", "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-chardev", "file,id=charserial0,path=%s,append=on" % serial,
            "-device", "isa-serial,chardev=charserial0,id=serial0,index=0", "-display", "none"]
    if incoming:
        argv += ["-incoming", "defer"]
    return argv


class RawQEMU:
    """One QEMU started by the benchmark inside a test host's namespace."""

    def __init__(self, host, workdir, tag, guest, kernel, initrd, incoming):
        self.host = host
        self.qmp_path = os.path.join(workdir, "qmp-%s.sock" % tag)
        if os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)
        self.out_path = os.path.join(workdir, "qemu-%s.log" % tag)
        argv = raw_argv(guest.name, self.qmp_path, guest.serial, kernel, initrd,
                        guest_cmdline(guest.xml_path), guest.params["mib"], incoming)
        self.t_spawn = time.monotonic()
        with open(self.out_path, "ab") as out:
            self.proc = host.popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        self.qmp = None
        try:
            self.qmp = QMP(self.qmp_path)
        except BaseException:
            self.kill()
            raise
        self.ready_s = time.monotonic() - self.t_spawn
        # what ternd and libvirtd set before a migration
        self.qmp.cmd("migrate-set-capabilities",
                     capabilities=[{"capability": "events", "state": True}])
        self.qmp.cmd("migrate-set-parameters", **{"max-bandwidth": MAX_BANDWIDTH})

    def kill(self):
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None
        if self.proc.poll() is None:
            self.proc.kill()  # by its PID ("ip netns exec" execs QEMU in place)
        self.proc.wait()

    def output(self, lines=10):
        try:
            with open(self.out_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-lines:])
        except OSError:
            return ""


def _migration_event(status):
    return lambda e: e.get("event") == "MIGRATION" and e["data"].get("status") in status


def raw_migrate(src, dst_host, workdir, guest, kernel, initrd, port):
    """Migrate the guest of RawQEMU @src to a new QEMU on @dst_host; returns (the new RawQEMU,
    the figures). @src is killed once the destination runs."""
    dst = RawQEMU(dst_host, workdir, "%s-%d" % (dst_host.name, port), guest, kernel, initrd,
                  incoming=True)
    try:
        uri = "tcp:%s:%d" % (dst_host.addr, port)
        dst.qmp.cmd("migrate-incoming", uri=uri)
        src.qmp.take_events()
        t0r = time.time()
        t0 = time.monotonic()
        src.qmp.cmd("migrate", uri=uri)
        ev = dst.qmp.wait_event(_migration_event(("completed", "failed")), MIGRATE_TIMEOUT)
        if ev is None or ev["data"]["status"] != "completed":
            st = src.qmp.cmd("query-migrate")
            raise RuntimeError("raw migration did not complete: destination event %s, source "
                               "%s\n%s" % (ev, st, dst.output()))
        dst.qmp.cmd("cont")
        t1 = time.monotonic()
        q = src.qmp.cmd("query-migrate")
        for _ in range(100):
            if q.get("status") == "completed":
                break
            time.sleep(0.01)
            q = src.qmp.cmd("query-migrate")
        evs = {e["data"]["status"]: e["timestamp"]["seconds"] + e["timestamp"]["microseconds"] / 1e6
               for e in src.qmp.take_events() if e.get("event") == "MIGRATION"}
    except BaseException:
        dst.kill()
        raise
    src.kill()
    fig = {"t0": t0, "t1": t1, "t0_real": t0r, "t1_real": t0r + (t1 - t0),
           "qemu_total_time_ms": q.get("total-time") or None,
           "qemu_downtime_ms": q.get("downtime") or None,
           "data_bytes": q.get("ram", {}).get("transferred"),
           "qemu_setup_ts": evs.get("setup"), "qemu_done_ts": evs.get("completed"),
           "dst_start_s": round(dst.ready_s, 3)}
    return dst, fig


# -- one series: boot, migrate back and forth, judge --------------------------------------------

def wait_steady(guest, scenario):
    """Heartbeats flowing; the dirty guest has filled its buffer once; SETTLE_S more."""
    if not guest.wait_heartbeats(5, timeout=60):
        raise RuntimeError("the guest did not boot:\n%s" % "\n".join(guest.lines()[-20:]))
    want = SCENARIOS[scenario]["dirty"]
    if want and not guest.wait_report(lambda r: (r["last_dirtied_mib"] or 0) >= want,
                                      timeout=want / SCENARIOS[scenario]["rate"] * 3 + 30):
        raise RuntimeError("the guest did not dirty %d MiB" % want)
    time.sleep(SETTLE_S)


def resumed_at(guest, t0, t1):
    """The host time of the heartbeat that ended the largest gap across [t0, t1]: when the
    guest ran again on the destination."""
    beats = []
    for ln in migrun.window(guest.lines(), t0, t1):
        m = heartbeat.HOST_TS_RE.match(ln)
        if m:
            beats.append(float(m.group(1)))
    gaps = [(b - a, b) for a, b in zip(beats, beats[1:])]
    return max(gaps)[1] if gaps else None


def judge(guest, fig, job=None):
    """Add the guest's view (migrun.migration_report) and the derived figures to @fig."""
    if not guest.wait_beats_after(fig["t1"], n=5, timeout=15):
        log("no heartbeats after the migration")
    rep = migration_report(guest, fig["t0"], fig["t1"], job)
    fig["total_s"] = round(fig["t1"] - fig["t0"], 4)
    fig["downtime_ms"] = rep["downtime_ms"]
    fig["ok"] = rep["ok"]
    fig["oracle"] = {k: rep[k] for k in ("continuous", "corrupt", "starts", "breaks",
                                         "corrupt_lines", "beats_after")}
    if job:
        for k, key in (("Data processed", "data_bytes"), ("Total downtime", "job_downtime_ms"),
                       ("Time elapsed", "job_ms")):
            if fig.get(key) is None and isinstance(job.get(k), int):
                fig[key] = job[k]
    # QEMU's time: its total-time, else the span of its MIGRATION events (within a few ms)
    fig["qemu_ms"] = fig.get("qemu_total_time_ms")
    if fig["qemu_ms"] is None and fig.get("qemu_setup_ts") and fig.get("qemu_done_ts"):
        fig["qemu_ms"] = round((fig["qemu_done_ts"] - fig["qemu_setup_ts"]) * 1000)
    resume = resumed_at(guest, fig["t0"], fig["t1"])
    fig["tail_ms"] = round((fig["t1"] - resume) * 1000, 1) if resume is not None else None
    q = fig.get("qemu_ms")
    fig["overhead_ms"] = round(fig["total_s"] * 1000 - q, 1) if q is not None else None
    if fig.get("qemu_setup_ts") is not None and fig.get("qemu_done_ts") is not None:
        fig["before_ms"] = round((fig["qemu_setup_ts"] - fig["t0_real"]) * 1000, 1)
        fig["after_ms"] = round((fig["t1_real"] - fig["qemu_done_ts"]) * 1000, 1)
    for k in ("t0", "t1", "t0_real", "t1_real", "qemu_setup_ts", "qemu_done_ts"):
        fig.pop(k, None)
    return fig


def describe(fig):
    def f(v, fmt):
        return "?" if v is None else fmt % v
    return ("total %.3f s, downtime %s ms, QEMU %s ms, overhead %s ms (before %s, "
            "after %s, resumed %s), data %s MiB, QEMU downtime %s ms, %s" % (
                fig["total_s"], f(fig["downtime_ms"], "%.1f"),
                f(fig.get("qemu_ms"), "%d"), f(fig.get("overhead_ms"), "%.0f"),
                f(fig.get("before_ms"), "%.0f"), f(fig.get("after_ms"), "%.0f"),
                f(fig.get("tail_ms"), "%.0f"),
                f(fig.get("data_bytes") and fig["data_bytes"] / MIB, "%.0f"),
                f(fig.get("qemu_downtime_ms"), "%d"),
                "counter continuous, no corruption" if fig["ok"] else
                "GUEST BROKEN: %s" % json.dumps(fig["oracle"])))


def migrate_daemon(label, hosts, client_bin, scenario, workdir, kernel, initrd, log_of):
    """Boot a fresh guest on hosts[0] and migrate it to hosts[1] (two objects with .name, .exec,
    .popen and .uri_tcp) through @client_bin (virsh or tern) run on hosts[0]; @log_of(h) is
    the path of host h's daemon log. Returns the figures."""
    sc = SCENARIOS[scenario]
    name = "mig-" + os.path.basename(workdir)
    guest = MigGuest(workdir, name, kernel, initrd, mib=GUEST_MIB, dirty=sc["dirty"],
                     rate=sc["rate"], hb_ms=HB_MS)
    src, dst = [Client(hosts[0], client_bin, h.uri_tcp) for h in hosts]
    try:
        guest.start(src)  # define + start: ternd has no `create`
        wait_steady(guest, scenario)
        offset = os.path.getsize(log_of(hosts[0]))
        t0r = time.time()
        m = Migration(src, name, hosts[1].uri_tcp, "--live")
        r = m.wait(MIGRATE_TIMEOUT)
        if r is None:
            r = m.kill()
        if not r.ok:
            raise RuntimeError("%s: migration failed:\n%s" % (label, r))
        job, _ = completed_jobinfo([dst, src], name)
        fig = {"t0": m.t0, "t1": m.t1, "t0_real": t0r, "t1_real": t0r + (m.t1 - m.t0)}
        fig.update(qemu_figures_from_log(log_of(hosts[0]), offset))
        return judge(guest, fig, job)
    finally:
        for c in (dst, src):
            c.run("destroy", name, timeout=60)
            c.run("undefine", name, timeout=60)
        guest.close()


def migrate_raw(hosts, scenario, workdir, kernel, initrd, port):
    """The same with QEMU driven over QMP by the benchmark: a fresh guest on hosts[0] (a
    TestHost) migrated to hosts[1]."""
    sc = SCENARIOS[scenario]
    guest = MigGuest(workdir, "raw-" + os.path.basename(workdir), kernel, initrd,
                     mib=GUEST_MIB, dirty=sc["dirty"], rate=sc["rate"], hb_ms=HB_MS)
    guest.tailer.start()
    cur = None
    try:
        cur = RawQEMU(hosts[0], workdir, "src", guest, kernel, initrd, incoming=False)
        cur.qmp.cmd("cont")
        wait_steady(guest, scenario)
        cur, fig = raw_migrate(cur, hosts[1], workdir, guest, kernel, initrd, port)
        return judge(guest, fig)
    finally:
        if cur is not None:
            cur.kill()
        guest.close()


# -- libvirtd on hosts.sh's test hosts ----------------------------------------------------------

def libvirtd_up():
    """hosts.sh's two hosts with a libvirtd each, logging their monitor traffic; returns the
    two LibvirtHosts."""
    hosts_sh("up")
    hosts_sh("libvirtd-up")
    for h in ("A", "B"):
        # the monitor traffic at info level: the source QEMU's query-migrate replies
        hosts_sh("exec", h, "virt-admin", "-c", "libvirtd:///system", "daemon-log-filters",
                 "2:qemu.qemu_monitor")
    return [LibvirtHost("A"), LibvirtHost("B")]


# -- report -------------------------------------------------------------------------------------

COLS = [("total_s", "total", "%8.3f s"), ("downtime_ms", "downtime", "%8.1f ms"),
        ("qemu_ms", "QEMU time", "%8.0f ms"), ("overhead_ms", "overhead", "%7.0f ms"),
        ("before_ms", "before", "%6.0f ms"), ("after_ms", "after", "%6.0f ms"),
        ("tail_ms", "resumed", "%6.0f ms"),
        ("data_bytes", "data", "%6.0f MiB"), ("qemu_downtime_ms", "QEMU dt", "%5.0f ms"),
        ("job_ms", "job time", "%6.0f ms")]


def medians(figs):
    out = {key: median([f.get(key) for f in figs]) for key, _, _ in COLS}
    out["ok"] = all(f["ok"] for f in figs) and bool(figs)
    return out


def report(scenario, rows, rounds):
    print("\nbench/migrate: %s, heartbeat %d ms, TCG, medians of %d migrations A->B, each of "
          "a fresh guest" % (SCENARIOS[scenario]["title"], HB_MS, rounds))
    head = "%-17s" % "" + "".join("%11s" % title for _, title, _ in COLS)
    print(head)
    med = {}
    for label, figs in rows.items():
        if not figs:
            continue
        m = med[label] = medians(figs)
        cells = []
        for key, _, fmt in COLS:
            v = m[key]
            if key == "data_bytes" and v is not None:
                v /= MIB
            cells.append("%11s" % ("-" if v is None else (fmt % v).strip()))
        print("%-17s" % label + "".join(cells) +
              ("" if m["ok"] else "  GUEST BROKEN (see above)"))
    raw = med.get("raw QEMU")
    lv = med.get("libvirtd (virsh)")
    for label, m in med.items():
        if not label.startswith("tern"):
            continue
        for other_label, o in (("raw QEMU", raw), ("libvirtd (virsh)", lv)):
            if o is None:
                continue
            print("ratio %s / %s: total %s, downtime %s, overhead %s (lower is better)" % (
                label, other_label, ratio(m["total_s"], o["total_s"]),
                ratio(m["downtime_ms"], o["downtime_ms"]),
                ratio(m["overhead_ms"], o["overhead_ms"])))
    for label, m in med.items():
        if not label.startswith("tern"):
            continue
        ov = m["overhead_ms"]
        print("goal: overhead < %d ms: %s %s ms: %s" % (
            GOAL_OVERHEAD_MS, label, "?" if ov is None else "%.0f" % ov,
            "?" if ov is None else ("met" if ov < GOAL_OVERHEAD_MS else "not met")))
        if raw and raw["downtime_ms"] and m["downtime_ms"] is not None:
            pct = (m["downtime_ms"] / raw["downtime_ms"] - 1) * 100
            print("goal: downtime within %d %% of raw QEMU: %s %.1f ms vs raw %.1f ms (%+.0f %%):"
                  " %s" % (GOAL_DOWNTIME_PCT, label, m["downtime_ms"], raw["downtime_ms"], pct,
                           "met" if pct <= GOAL_DOWNTIME_PCT else "not met"))
    return med


def tern_has_migrate(tern):
    p = subprocess.run([tern, "help", "migrate"], capture_output=True, text=True)
    return p.returncode == 0 and "--live" in p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scenarios", default="idle,dirty")
    ap.add_argument("--clients", default="virsh,tern",
                    help="clients that drive the ternds (virsh, tern)")
    ap.add_argument("--no-raw", action="store_true")
    ap.add_argument("--no-libvirtd", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/migrate: needs root (network namespaces)")
    scenarios = benchutil.scenarios_chosen(args.scenarios, "bench/migrate")
    ternd, kernel, initrd = benchutil.build_paths(args.builddir, "bench/migrate")
    tern = os.path.join(os.path.abspath(args.builddir), "tools/tern/tern")
    clients = []
    for c in [c for c in args.clients.split(",") if c]:
        if c == "virsh":
            if shutil.which("virsh"):
                clients.append(("virsh", shutil.which("virsh")))
            else:
                log("virsh is not installed: no tern (virsh) row")
        elif c == "tern":
            if tern_has_migrate(tern):
                clients.append(("tern", tern))
            else:
                log("%s has no migrate command: no tern (tern) row" % tern)
        else:
            raise SystemExit("bench/migrate: unknown client %r" % c)

    benchutil.unwind_on_signals()

    rows = {sc: {} for sc in scenarios}
    failed = []

    def attempt(sc, rnd, label, fn, *fargs, diag=None):
        """One measurement; a failure is reported and the benchmark goes on with the next."""
        print("%-7s %d/%d  %-16s A->B: " % (sc, rnd + 1, args.rounds, label), end="",
              flush=True)
        try:
            fig = fn(*fargs)
        except Exception as e:  # noqa: BLE001 -- report, clean up, go on
            print("FAILED: %s" % e, flush=True)
            if diag:
                print(diag(), flush=True)
            failed.append((sc, label))
            return
        rows[sc].setdefault(label, []).append(fig)
        extra = (", destination QEMU ready in %.3f s (not in total)" % fig["dst_start_s"]
                 if "dst_start_s" in fig else "")
        print(describe(fig) + extra, flush=True)

    # One TestHosts session holds the machine-wide test-hosts lock for the whole run, so no
    # other test's VMs share the two cores with the measurements; libvirtd's hosts (hosts.sh,
    # namespaces hostA/hostB) live beside the ternds' (tern-<pid>-a/b) meanwhile.
    # ternd's debug log holds its monitor traffic, where the QEMU time is read.
    with TestHosts(ternd, n=2, extra_config="log_level = 1\n", lock_timeout=3600) as hosts:
        a, b_ = hosts
        lv_hosts = None
        lv_dir = None
        lv_made = False
        try:
            if not args.no_libvirtd:
                why = libvirtd_available(need_virt_admin=True)
                if why:
                    log("no libvirtd rows: %s" % why)
                else:
                    lv_made = True  # from here on, hosts.sh down undoes it
                    lv_hosts = libvirtd_up()
                    lv_dir = tempfile.mkdtemp(prefix="bench-mig-lv-")
                    os.chmod(lv_dir, 0o755)
            # Every measurement boots a fresh guest; the ways take turns round by round, so
            # what else the machine does falls on all of them alike.
            port = RAW_PORT
            for sc in scenarios:
                for rnd in range(args.rounds):
                    def wd(tag):
                        return os.path.join(hosts.workdir, "%s-%s-%d" % (tag, sc, rnd))
                    if not args.no_raw:
                        port += 1
                        attempt(sc, rnd, "raw QEMU", migrate_raw, [a, b_], sc, wd("raw"),
                                kernel, initrd, port)
                    for cname, cbin in clients:
                        attempt(sc, rnd, "tern (%s)" % cname, migrate_daemon,
                                "tern (%s)" % cname, [a, b_], cbin, sc, wd(cname), kernel,
                                initrd, lambda h: h.log_path,
                                diag=lambda: migrun.diagnostics(hosts, tail=12, qemu_tail=6))
                    if lv_hosts:
                        attempt(sc, rnd, "libvirtd (virsh)", migrate_daemon,
                                "libvirtd (virsh)", lv_hosts, "virsh", sc,
                                os.path.join(lv_dir, "%s-%d" % (sc, rnd)), kernel, initrd,
                                lambda h: h.log_path())
        finally:
            if lv_made:
                hosts_sh("down", check=False)
            if lv_dir:
                shutil.rmtree(lv_dir, ignore_errors=True)

    summary = {}
    for sc in scenarios:
        order = ["raw QEMU"] + ["tern (%s)" % c for c, _ in clients] + ["libvirtd (virsh)"]
        summary[sc] = report(sc, {k: rows[sc][k] for k in order if k in rows[sc]},
                             args.rounds)
    broken = [(sc, k) for sc in scenarios for k, figs in rows[sc].items()
              if not all(f["ok"] for f in figs)]
    broken += failed
    if args.json:
        benchutil.write_json(args.json, args.rounds, scenarios, rows, summary)
    return benchutil.exit_status(broken)


if __name__ == "__main__":
    sys.exit(main())
