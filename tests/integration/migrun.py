"""migrun.py: what the migration tests, the demo and the benchmark share.

    guest = MigGuest(workdir, "mig1", kernel, initrd, mib=256, dirty=64, rate=32, hb_ms=20)
    cli = Client(hosts["c"], "virsh", a.uri_tcp)          # virsh -c A, run on host c
    guest.start(cli)                                      # define + start, log stamped
    guest.wait_heartbeats(5)
    m = Migration(cli, guest.name, b.uri_tcp, "--live")   # virsh migrate in the background
    m.wait(180)
    guest.wait_beats_after(m.t1)
    job = jobinfo(Client(hosts["c"], "virsh", b.uri_tcp), guest.name, completed=True)
    r = migration_report(guest, m.t0, m.t1, job)          # see there
    print(format_report(r))

The guest is tests/guest's test guest (testguest.Guest's XML: pti=on, machine-notes 2) with
its serial port appended to one file by the source's and the destination's QEMU alike
(append='on'; the test hosts share the filesystem), plus tern.hb_ms. A SerialTailer thread
copies each complete line of that file, as it appears, into a second file prefixed with the
host's monotonic time ("[12345.678901] TERN-HB ..."), the one clock that sees a paused guest
(machine-notes 4). heartbeat.py is the oracle for both files; this module only picks the
lines inside a migration's window for it, so its max_gap_ms is the downtime the guest saw.

All times are time.monotonic() (CLOCK_MONOTONIC) of this process; the machine's other
processes (ip netns exec, ternd, QEMU) share that clock.

Keep the guest files outside every test host's root: ternhosts.qemu_pids_under(host.root)
finds a host's QEMUs by their command line, which names the serial log.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testguest  # noqa: E402
import ternhosts  # noqa: E402  (puts tests/guest on sys.path)
import heartbeat  # noqa: E402

TAILER_POLL_S = 0.002


class Result:
    """The outcome of one client command: rc (None if it timed out and was killed), out,
    err, took (seconds)."""

    def __init__(self, cmd, rc, out, err, took):
        self.cmd, self.rc, self.out, self.err, self.took = cmd, rc, out, err, took

    @property
    def ok(self):
        return self.rc == 0

    def __str__(self):
        return "cmd: %s\nrc: %s (%.2f s)\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.cmd), "timeout" if self.rc is None else self.rc, self.took,
            self.out.rstrip(), self.err.rstrip())


class Client:
    """A CLI (virsh or tern: the same syntax) connected to @uri, run inside @host's namespace
    (a ternhosts.TestHost)."""

    def __init__(self, host, binary, uri):
        self.host, self.binary, self.uri = host, binary, uri
        self.label = os.path.basename(binary)

    def argv(self, *args):
        return [self.binary, "-c", self.uri] + [str(a) for a in args]

    def run(self, *args, timeout=60):
        cmd = self.argv(*args)
        t0 = time.monotonic()
        try:
            p = self.host.exec(cmd, timeout=timeout)
            return Result(cmd, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return Result(cmd, None, out, err, time.monotonic() - t0)

    def __repr__(self):
        return "<%s -c %s on %s>" % (self.label, self.uri, self.host.name)


class Migration:
    """`CLIENT migrate OPTS... DOM DESTURI` running in the background. t0 is taken just before
    it starts, t1 when wait() saw it exit; result is a Result once it has."""

    def __init__(self, client, dom, desturi, *opts):
        self.client = client
        self.cmd = client.argv("migrate", *opts, dom, desturi)
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        self.result = None
        self.t1 = None
        self.t0 = time.monotonic()
        self.proc = client.host.popen(self.cmd, stdout=self._out, stderr=self._err,
                                      stdin=subprocess.DEVNULL)

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """Wait up to @timeout s; returns the Result, or None if it is still running."""
        if self.result is not None:
            return self.result
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.t1 = time.monotonic()
        return self._collect(self.proc.returncode)

    def kill(self):
        """End the client (SIGKILL, by its PID) if it still runs; returns the Result."""
        if self.result is None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.t1 = time.monotonic()
            return self._collect(None)
        return self.wait(0) if self.result is None else self.result

    def _collect(self, rc):
        texts = []
        for f in (self._out, self._err):
            f.seek(0)
            texts.append(f.read().decode(errors="replace"))
            f.close()
        self.result = Result(self.cmd, rc, texts[0], texts[1], self.t1 - self.t0)
        return self.result


class SerialTailer:
    """Copies each complete line of @src (the guest's serial log), as it appears, to @dst with
    "[<time.monotonic()>] " in front and "\\r\\n" made "\\n". Polls every @poll_s; a line read
    in a later poll than its predecessor gets a later time, so the timestamps are accurate to
    about @poll_s. Starts at @src's current end unless @from_start."""

    def __init__(self, src, dst, poll_s=TAILER_POLL_S, from_start=True):
        self.src, self.dst, self.poll_s, self.from_start = src, dst, poll_s, from_start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tail " + os.path.basename(src),
                                        daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        """Stop after one last read; idempotent."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self):
        with open(self.dst, "a", buffering=1) as out:
            f = None
            pending = b""
            try:
                while True:
                    stopping = self._stop.is_set()
                    if f is None:
                        try:
                            f = open(self.src, "rb")
                            if not self.from_start:
                                f.seek(0, os.SEEK_END)
                        except FileNotFoundError:
                            f = None
                    if f is not None:
                        data = f.read()
                        if data:
                            now = time.monotonic()
                            pending += data
                            *lines, pending = pending.split(b"\n")
                            if lines:
                                out.write("".join(
                                    "[%.6f] %s\n" % (now, ln.rstrip(b"\r").decode(
                                        "utf-8", errors="replace")) for ln in lines))
                    if stopping:
                        return
                    self._stop.wait(self.poll_s)
            finally:
                if f is not None:
                    f.close()


class MigGuest:
    """The test guest for migrations: its XML (testguest.Guest's, with tern.hb_ms), its serial
    log shared by every QEMU that runs it, and the host-stamped copy of that log."""

    def __init__(self, workdir, name, kernel, initrd, mib=256, dirty=64, rate=32, hb_ms=20,
                 vtype="qemu"):
        os.makedirs(workdir, exist_ok=True)
        self.name = name
        self.params = {"mib": mib, "dirty": dirty, "rate": rate, "hb_ms": hb_ms}
        g = testguest.Guest(workdir, name, kernel, initrd, vtype=vtype, mib=mib, dirty=dirty,
                            rate=rate, append=True)
        self.xml_path = g.xml_path
        self.serial = g.log
        with open(self.xml_path) as f:
            xml = f.read()
        # testguest's cmdline has no hb_ms: add it (the guest reads any order)
        patched = xml.replace(" tern.dirty_mib=", " tern.hb_ms=%d tern.dirty_mib=" % hb_ms, 1)
        if patched == xml:
            raise RuntimeError("migrun: no tern.dirty_mib= in testguest's XML to patch")
        with open(self.xml_path, "w") as f:
            f.write(patched)
        self.stamped = self.serial + ".ts"
        self.tailer = SerialTailer(self.serial, self.stamped)

    def start(self, client, persistent=True):
        """Define and start (or, not @persistent, create) the guest through @client; starts the
        tailer first. Returns the list of Results; raises if one failed."""
        if not self.tailer._thread.is_alive():
            self.tailer.start()
        if persistent:
            cmds = [("define", self.xml_path), ("start", self.name)]
        else:
            cmds = [("create", self.xml_path)]
        results = []
        for c in cmds:
            r = client.run(*c, timeout=120)
            results.append(r)
            if not r.ok:
                raise RuntimeError("starting guest %s failed:\n%s" % (self.name, r))
        return results

    def close(self):
        self.tailer.stop()

    # -- what the stamped log says ---------------------------------------------------------

    def lines(self):
        try:
            with open(self.stamped, "rb") as f:
                return heartbeat.complete_lines(f.read().decode("utf-8", errors="replace"))
        except FileNotFoundError:
            return []

    def report(self):
        """heartbeat.summarize() of the whole stamped log."""
        return heartbeat.summarize(self.lines())

    def last_seq(self):
        r = self.report()
        return r["last_seq"] if r["count"] else -1

    def wait_report(self, cond, timeout):
        """Wait until @cond(self.report()) is true; False if @timeout s passed first."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.report()
            if cond(r):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def wait_heartbeats(self, n, timeout=40):
        return self.wait_report(lambda r: r["count"] >= n, timeout)

    def wait_seq_beyond(self, seq, timeout=20):
        return self.wait_report(lambda r: r["count"] and r["last_seq"] > seq, timeout)

    def wait_beats_after(self, t, n=5, timeout=15):
        """Wait until @n heartbeats stamped later than host time @t are in the log."""
        return self.wait_report(lambda r: beats_after(self.lines(), t) >= n, timeout)

    def dirtied_mib(self):
        return self.report()["last_dirtied_mib"] or 0


def _stamp(line):
    m = heartbeat.HOST_TS_RE.match(line)
    return float(m.group(1)) if m else None


def beats_after(lines, t):
    """How many heartbeats of @lines (stamped) arrived after host time @t."""
    return sum(1 for ln in lines if heartbeat.HB_RE.search(ln.rstrip()) and (_stamp(ln) or 0) > t)


def window(lines, t0, t1):
    """The heartbeat lines of @lines (stamped) that arrived within [t0, t1], plus the last one
    before and the first one after, so that a gap across either edge is counted."""
    beats = [ln for ln in lines if heartbeat.HB_RE.search(ln.rstrip()) and _stamp(ln) is not None]
    inside = [i for i, ln in enumerate(beats) if t0 <= _stamp(ln) <= t1]
    before = [i for i, ln in enumerate(beats) if _stamp(ln) < t0]
    after = [i for i, ln in enumerate(beats) if _stamp(ln) > t1]
    lo = before[-1] if before else (inside[0] if inside else (after[0] if after else 0))
    hi = after[0] if after else (inside[-1] if inside else (before[-1] if before else -1))
    return beats[lo:hi + 1]


# -- job statistics (virsh/tern domjobinfo) --------------------------------------------------

_UNITS = {"B": 1, "bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s+(B|bytes|KiB|MiB|GiB|TiB)(/s)?$")
_MS_RE = re.compile(r"^(-?\d+)\s+ms$")
_INT_RE = re.compile(r"^(-?\d+)(?:\s+(?:pages/s|%))?$")


def parse_jobinfo(text):
    """`domjobinfo` output ("Label:   value" lines) as {label: value}: sizes (KiB, MiB, ...,
    also per second) in bytes, "N ms" in ms, plain numbers as int, the rest as text."""
    info = {}
    for line in text.splitlines():
        if ":" not in line:
            continue
        label, value = line.split(":", 1)
        label, value = label.strip(), value.strip()
        m = _SIZE_RE.match(value)
        if m:
            info[label] = int(round(float(m.group(1)) * _UNITS[m.group(2)]))
            continue
        m = _MS_RE.match(value) or _INT_RE.match(value)
        info[label] = int(m.group(1)) if m else value
    return info


def jobinfo(client, dom, completed=False, keep=True, timeout=30):
    """(parsed domjobinfo of @dom through @client, the Result); the dict is None on failure.
    With @completed, the last finished job's statistics, and with @keep (the default) asking
    the daemon to keep them (libvirtd forgets them once read without --keep-completed)."""
    args = ["domjobinfo", dom] + (["--completed"] if completed else []) + \
        (["--keep-completed"] if completed and keep else [])
    r = client.run(*args, timeout=timeout)
    return (parse_jobinfo(r.out) if r.ok else None), r


def completed_jobinfo(clients, dom):
    """The first `domjobinfo --completed` of @dom among @clients that says "Completed" (try
    the destination first: a transient source forgets the domain): (info, [Results]), with
    info["_uri"] the URI that answered; ({}, [Results]) if none did."""
    tried = []
    for c in clients:
        info, r = jobinfo(c, dom, completed=True)
        tried.append(r)
        if info and info.get("Job type") == "Completed":
            info["_uri"] = c.uri
            return info, tried
    return {}, tried


# -- the verdict ------------------------------------------------------------------------------

def migration_report(guest, t0, t1, job=None):
    """What one migration did to @guest, between host times @t0 and @t1 (the client's start and
    end), with @job the completed job's statistics (parse_jobinfo) if known:

      ok            continuous and not corrupt (over the whole log) and beats arrived after t1
      continuous, corrupt, starts, breaks, corrupt_lines   heartbeat.summarize() of the whole log
      downtime_ms   the largest host-clock gap between heartbeats across [t0, t1]
      downtime_after_seq   the heartbeat before it
      beats_in_window, beats_after   heartbeats inside [t0, t1], and after t1
      total_s       t1 - t0 (the client's view, "ip netns exec" and connection set-up included)
      data_bytes, job_time_ms, job_downtime_ms, job_bps    Data processed, Time elapsed,
                    Total downtime and Memory bandwidth from @job (None if unknown)
      rate_mib_s    data_bytes / job_time_ms in MiB/s (None if unknown)
    """
    lines = guest.lines()
    whole = heartbeat.summarize(lines)
    win = heartbeat.summarize(window(lines, t0, t1))
    job = job or {}
    data = job.get("Data processed")
    jt = job.get("Time elapsed")
    r = {
        "continuous": whole["continuous"],
        "corrupt": whole["corrupt"],
        "starts": whole["starts"],
        "breaks": whole["breaks"],
        "corrupt_lines": whole["corrupt_lines"],
        "last_seq": whole["last_seq"],
        "downtime_ms": win["max_gap_ms"] if win["gap_clock"] == "host" else None,
        "downtime_after_seq": win["max_gap_after_seq"],
        "beats_in_window": sum(1 for ln in lines if heartbeat.HB_RE.search(ln.rstrip())
                               and t0 <= (_stamp(ln) or -1) <= t1),
        "beats_after": beats_after(lines, t1),
        "total_s": round(t1 - t0, 3),
        "data_bytes": data if isinstance(data, int) else None,
        "job_time_ms": jt if isinstance(jt, int) else None,
        "job_downtime_ms": job.get("Total downtime") if isinstance(job.get("Total downtime"), int) else None,
        "job_bps": job.get("Memory bandwidth") if isinstance(job.get("Memory bandwidth"), int) else None,
    }
    r["rate_mib_s"] = (round(r["data_bytes"] / (1 << 20) / (r["job_time_ms"] / 1000.0), 1)
                       if r["data_bytes"] and r["job_time_ms"] else None)
    r["ok"] = r["continuous"] and not r["corrupt"] and r["starts"] == 1 and r["beats_after"] > 0
    return r


def format_report(r):
    """One line for people."""
    def mib(b):
        return "%.1f MiB" % (b / (1 << 20)) if b is not None else "?"
    return ("downtime %s ms (job says %s ms), total %.2f s (job %s ms), data %s, rate %s MiB/s, "
            "continuous=%s corrupt=%s beats after=%d%s" % (
                "?" if r["downtime_ms"] is None else "%.1f" % r["downtime_ms"],
                "?" if r["job_downtime_ms"] is None else r["job_downtime_ms"],
                r["total_s"], "?" if r["job_time_ms"] is None else r["job_time_ms"],
                mib(r["data_bytes"]), "?" if r["rate_mib_s"] is None else r["rate_mib_s"],
                r["continuous"], r["corrupt"], r["beats_after"],
                (" breaks=%s" % r["breaks"]) if r["breaks"] else ""))


def diagnostics(hosts, tail=30, qemu_tail=8):
    """The last @tail lines of each host's ternd log and the last @qemu_tail of each of its QEMU
    logs (which start with QEMU's command line, one argument a line), for a failure report."""
    out = []
    for h in hosts:
        out.append("--- ternd log of host %s (%s), last %d lines" % (h.name, h.log_path, tail))
        out.extend(h.logtext().splitlines()[-tail:])
        qdir = os.path.join(h.root, "var/log/tern/qemu")
        try:
            names = sorted(os.listdir(qdir))
        except OSError:
            names = []
        for n in names:
            try:
                with open(os.path.join(qdir, n), errors="replace") as f:
                    text = f.read().splitlines()
            except OSError:
                continue
            out.append("--- QEMU log %s on host %s, last %d lines" % (n, h.name, qemu_tail))
            out.extend(text[-qemu_tail:])
    return "\n".join(out)


# -- what the migration tests ask of a host -------------------------------------------------------

def qemus(host):
    """PIDs of the QEMUs of test host @host (a ternhosts.TestHost)."""
    return ternhosts.qemu_pids_under(host.root)


def wait_for(fn, timeout, step=0.05):
    """Call @fn until it returns something true or @timeout s pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def domstate(client, name):
    """`domstate` through @client: the state text, or None if the domain does not exist there."""
    r = client.run("domstate", name)
    return r.out.strip() if r.ok else None


def listed(client):
    """The names `list --all --name` shows through @client (None if the command failed)."""
    r = client.run("list", "--all", "--name")
    return r.out.split() if r.ok else None


def host_clean(client, host):
    """True when @host (reached through @client) has no domain, running or defined, and no QEMU."""
    return listed(client) == [] and not qemus(host)


def clean_detail(client, host):
    return "list --all on %s: %s; QEMUs under its root: %s" % (
        host.name, listed(client), qemus(host))


def wait_listening(host, port, timeout=10):
    """Until something listens on @host's address at @port; False if @timeout s passed first."""
    return wait_for(lambda: host.connect(host, port) is None, timeout, step=0.1)


# -- a migration in progress -------------------------------------------------------------------

def wait_transfer(client, mig, name, min_bytes, timeout=60):
    """Poll `domjobinfo` of @name through @client (the source's) until its outgoing migration
    @mig has moved @min_bytes. Returns the parsed job info then, or None if the migration ended
    first or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and mig.running():
        info, _ = jobinfo(client, name)
        if info and info.get("Job type") == "Unbounded" and \
                isinstance(info.get("Data processed"), int) and info["Data processed"] >= min_bytes:
            return info
        time.sleep(0.2)
    return None


def end_migration(client, mig, timeout, before_abort=None):
    """Wait up to @timeout s for @mig; if it still runs then, call @before_abort (if any),
    `domjobabort` its domain through @client (the source's) and end the client. Returns
    (Result, timed_out)."""
    res = mig.wait(timeout)
    if res is not None:
        return res, False
    if before_abort:
        before_abort()
    client.run("domjobabort", mig.cmd[-2])
    res = mig.wait(30)
    if res is None:
        res = mig.kill()
    return res, True


def remove_guest(ctx, guest, note):
    """Destroy and undefine @guest on ctx.a and ctx.b (through ctx.v(host)), starting a stopped
    ternd first (@note says when that fails); stop the guest's tailer."""
    for h in (ctx.a, ctx.b):
        if h.pid is None:
            try:
                ctx.hosts.start_ternd(h)
            except Exception as e:  # noqa: BLE001 -- the teardown removes the rest
                note("could not restart ternd on %s: %s" % (h.name, e))
                continue
        ctx.v(h).run("destroy", guest.name)
        ctx.v(h).run("undefine", guest.name)
    guest.close()


# -- faults injected into a migration from ctx.a to ctx.b (what the returned text says is noted) --

def fault_kill_dest_ternd(ctx, g):
    rc = ctx.hosts.kill_ternd(ctx.b, signal.SIGKILL)
    return "SIGKILL to b's ternd (exit status %s)" % rc


def undo_kill_dest_ternd(ctx):
    ctx.hosts.start_ternd(ctx.b)


def fault_kill_dest_qemu(ctx, g):
    pids = qemus(ctx.b)
    for p in pids:
        os.kill(p, signal.SIGKILL)
    return "SIGKILL to b's QEMU %s" % pids


def fault_cut_link(ctx, g):
    ctx.hosts.cut_link(ctx.a, ctx.b)
    return "a-b link cut (both ends down)"


def undo_cut_link(ctx):
    ctx.hosts.restore_link(ctx.a, ctx.b)


# -- Finish's answer lost: a proxy in front of the destination daemon drops it --------------------

PROXY_PORT = 16610
PROC_FINISH3_PARAMS = 306


def finish_dropper_start(host, proclog):
    """featureproxy.py on @host, listening on its address at PROXY_PORT in front of its ternd,
    dropping the answer to Finish (procedure PROC_FINISH3_PARAMS) and logging to @proclog.
    Returns the Popen; the caller kills and reaps it."""
    return host.popen(sys.executable, os.path.join(HERE, "featureproxy.py"), host.addr,
                      str(PROXY_PORT), host.addr, str(ternhosts.TERND_PORT), "", proclog,
                      str(PROC_FINISH3_PARAMS))


def finish_dropper_uri(host):
    """The daemon URI that reaches @host's ternd through the proxy."""
    return "qemu+tcp://%s:%d/system" % (host.addr, PROXY_PORT)


def finish_dropper_cuts(proclog):
    """How many answers to Finish the proxy logging to @proclog dropped."""
    with open(proclog) as f:
        return f.read().count("cut %d" % PROC_FINISH3_PARAMS)


# -- what the migration tests' main() shares ----------------------------------------------------

QEMU = "qemu-system-x86_64"


def hosts_missing(virsh):
    """Why the test hosts cannot run a migration driven by @virsh here (no root, QEMU or virsh),
    or None when they can."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if not (shutil.which(QEMU) or os.path.exists("/usr/bin/" + QEMU)):
        return "%s not found" % QEMU
    if not virsh or not (os.path.exists(virsh) or shutil.which(virsh)):
        return "virsh not found"
    return None


def tap_args(argv, doc):
    """TERND VIRSH KERNEL INITRAMFS from the @argv of a TAP test that takes just those (exits
    with @doc on another count), or None when the test must skip, its "1..0 # SKIP" printed."""
    if len(argv) != 5:
        sys.exit(doc)
    if hosts_missing(argv[2]):
        print("1..0 # SKIP needs root, virsh and %s" % QEMU)
        return None
    return argv[1:]


def parts_chosen(names, parts, word):
    """@names (all of @parts when empty), or None after saying on stderr which of them are no
    @word of @parts."""
    names = names or list(parts)
    unknown = [n for n in names if n not in parts]
    if unknown:
        sys.stderr.write("unknown %s(s) %s; known: %s\n" % (word, unknown, " ".join(parts)))
        return None
    return names


def abspaths(*paths):
    """@paths made absolute (meson passes build-tree paths relative to its working directory);
    "" stays ""."""
    return [os.path.abspath(p) if p else "" for p in paths]


def command_path(cmd):
    """@cmd made absolute when it is a path, else looked up in PATH."""
    return os.path.abspath(cmd) if os.sep in cmd else shutil.which(cmd)


def run_parts(ctx, parts, names, rep, fail, word):
    """Run @parts[name](ctx) for each of @names, in order, a part's exception counted as a
    failure through @fail(desc, detail); @rep (with note() and a failed list) gets the
    time and the failures of each @word."""
    for name in names:
        rep.note("--- %s %s" % (word, name))
        tp = time.monotonic()
        before = len(rep.failed)
        try:
            parts[name](ctx)
        except Exception:  # noqa: BLE001 -- report, go on with the next part
            fail("%s %s ran to its end" % (word, name),
                 "%s\n%s" % (traceback.format_exc(), diagnostics(ctx.hosts)))
        rep.note("%s %s: %.1f s, %d failure(s)" % (word, name, time.monotonic() - tp,
                                                  len(rep.failed) - before))


def save_logs(hosts, name):
    """Copy @hosts' ternd and QEMU logs and the guests' files to /tmp/@name-<pid>/; returns
    that directory."""
    dest = "/tmp/%s-%d" % (name, os.getpid())
    for h in hosts:
        d = os.path.join(dest, h.name)
        os.makedirs(d, exist_ok=True)
        if os.path.exists(h.log_path):
            shutil.copy(h.log_path, d)
        qdir = os.path.join(h.root, "var/log/tern/qemu")
        if os.path.isdir(qdir):
            shutil.copytree(qdir, os.path.join(d, "qemu"), dirs_exist_ok=True)
    gdir = os.path.join(hosts.workdir, "guests")
    if os.path.isdir(gdir):
        shutil.copytree(gdir, os.path.join(dest, "guests"), dirs_exist_ok=True)
    return dest
