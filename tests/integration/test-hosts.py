#!/usr/bin/env python3
"""test-hosts.py: the test-host harness (ternhosts.py): two and three hosts, each with its ternd,
reached over TCP by virsh and tern from another host; cut links; and nothing left behind,
also when the test is interrupted by a signal or killed outright.

Usage: test-hosts.py TERND VIRSH TERN_CLI   (VIRSH or TERN_CLI may be "" to skip that client)
Needs root (network namespaces); prints a TAP skip otherwise.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ternhost import Tap  # noqa: E402
import ternhosts  # noqa: E402
from ternhosts import TestHosts  # noqa: E402


def procs_mentioning(text):
    """PIDs of live processes whose command line contains @text."""
    needle = text.encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if needle in f.read() and ternhosts._alive(int(pid)):
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


class Run:
    def __init__(self, tap, ternd, clients):
        self.tap, self.ternd, self.clients = tap, ternd, clients

    def client(self, host, client, uri, *args, want_rc=0, out=None, err=None, desc="",
               max_s=None):
        """Run CLIENT -c URI ARGS on @host; check exit status, output and duration."""
        label = os.path.basename(client)
        t0 = time.monotonic()
        try:
            r = host.exec(client, "-c", uri, *args, timeout=60)
            rc, o, e = r.returncode, r.stdout, r.stderr
        except subprocess.TimeoutExpired:
            rc, o, e = "timeout", "", ""
        took = time.monotonic() - t0
        good = rc == want_rc
        if out is not None:
            good = good and re.search(out, o, re.M) is not None
        if err is not None:
            good = good and re.search(err, e, re.M) is not None
        if max_s is not None:
            good = good and took <= max_s
        self.tap.ok(good, "%s on %s: %s" % (label, host.name, desc),
                    "cmd: %s -c %s %s\nrc: %s (%.2f s)\nstdout:\n%s\nstderr:\n%s" %
                    (label, uri, " ".join(args), rc, took, o, e))

    def check_gone(self, what, namespaces, ternd_pids, workdir, record):
        tap = self.tap
        left = [ns for ns in ternhosts.netns_list() if ns in namespaces]
        tap.ok(not left, "%s: no namespace left (ip netns list)" % what, left)
        alive = [p for p in ternd_pids if ternhosts._alive(p)]
        tap.ok(not alive, "%s: no ternd left (/proc)" % what, alive)
        stray = procs_mentioning(workdir) if workdir else []
        tap.ok(not stray, "%s: no process runs from the hosts' roots" % what, stray)
        tap.ok(workdir and not os.path.exists(workdir), "%s: the roots are removed" % what,
               workdir)
        tap.ok(record and not os.path.exists(record), "%s: the run's record is removed" % what,
               record)


def two_hosts(run):
    tap = run.tap
    with TestHosts(run.ternd, n=2) as hosts:
        a, b = hosts
        namespaces = list(hosts.namespaces)
        workdir, record = hosts.workdir, hosts.record
        pids = [h.pid for h in hosts]
        listed = ternhosts.netns_list()
        tap.ok(all(ns in listed for ns in namespaces), "2 hosts: namespaces exist",
               "%s\n%s" % (namespaces, listed))
        comms = []
        for p in pids:
            with open("/proc/%d/comm" % p) as f:
                comms.append(f.read().strip())
        tap.ok(comms == ["ternd", "ternd"], "2 hosts: the Popen pid is ternd's own", comms)
        tap.ok((a.addr, b.addr) == ("192.0.2.1", "192.0.2.2") and
               b.uri_tcp == "qemu+tcp://192.0.2.2/system" and
               b.test_uri_tcp == "test+tcp://192.0.2.2/default",
               "2 hosts: addresses and URIs", (a.addr, b.addr, b.uri_tcp, b.test_uri_tcp))
        tap.ok(a.host_uuid != b.host_uuid and
               'host_uuid = "%s"' % b.host_uuid in open(b.config_path).read(),
               "2 hosts: distinct host UUIDs in each ternd.conf", (a.host_uuid, b.host_uuid))
        # each ternd listens on its own address only
        r = a.exec("ip", "-o", "addr", "show")
        tap.ok(r.returncode == 0 and "192.0.2.1 peer 192.0.2.2/32" in r.stdout and
               "192.0.2.2" not in r.stdout.replace("peer 192.0.2.2/32", ""),
               "2 hosts: host a has its address on its link to b", r.stdout + r.stderr)

        for client in run.clients:
            run.client(a, client, b.uri_tcp, "list", "--all", desc="qemu+tcp to host b",
                       out=r"^\s*Id\s+Name\s+State")
            run.client(a, client, b.test_uri_tcp, "list", "--all", desc="test+tcp to host b",
                       out=r"^\s*1\s+test\s+running$")
            run.client(b, client, a.test_uri_tcp, "list", "--all", desc="test+tcp to host a",
                       out=r"^\s*1\s+test\s+running$")
            run.client(b, client, "qemu+tcp://192.0.2.1:16599/system", "list", "--all",
                       want_rc=1, err=r"Connection refused", max_s=5,
                       desc="a port nothing listens on: refused at once")

        err = b.connect(a, 16599, timeout=2)
        tap.ok(err is not None and err.startswith("ECONNREFUSED"),
               "2 hosts: TCP connect to a closed port: ECONNREFUSED", err)

        # cut_link: ip link set down on both ends
        hosts.cut_link(a, b)
        t0 = time.monotonic()
        err = a.connect(b, timeout=2)
        tap.ok(err is not None and time.monotonic() - t0 < 5, "cut link: a cannot reach b",
               err)
        err = b.connect(a, timeout=2)
        tap.ok(err is not None, "cut link: b cannot reach a", err)
        for client in run.clients:
            run.client(a, client, b.test_uri_tcp, "list", "--all", want_rc=1, max_s=10,
                       desc="cut link: connecting to b fails")
        hosts.restore_link(a, b)
        err = a.connect(b, timeout=2)
        tap.ok(err is None, "restore link: a reaches b again", err)
        for client in run.clients:
            run.client(a, client, b.test_uri_tcp, "list", "--all", desc="restored link: works",
                       out=r"^\s*1\s+test\s+running$")

        # cut_link how="drop": packets vanish, connects time out
        hosts.cut_link(a, b, how="drop")
        t0 = time.monotonic()
        err = a.connect(b, timeout=2)
        took = time.monotonic() - t0
        tap.ok(err is not None and err.startswith("ETIMEDOUT") and 1.5 < took < 5,
               "cut link (drop): a's connect to b times out", "%s after %.2f s" % (err, took))
        hosts.restore_link(a, b)
        err = a.connect(b, timeout=2)
        tap.ok(err is None, "restore link (drop): a reaches b again", err)

        # kill and restart one ternd
        old = b.pid
        rc = hosts.kill_ternd(b, signal.SIGKILL)
        tap.ok(rc == -signal.SIGKILL and b.pid is None and not ternhosts._alive(old),
               "kill_ternd: b's ternd is gone", rc)
        err = a.connect(b, timeout=2)
        tap.ok(err is not None and err.startswith("ECONNREFUSED"),
               "kill_ternd: connecting to b is refused", err)
        hosts.start_ternd(b)
        tap.ok(b.pid is not None and b.pid != old, "start_ternd: b's ternd runs again",
               (old, b.pid))
        pids.append(b.pid)
        for client in run.clients[:1]:
            run.client(a, client, b.test_uri_tcp, "list", "--all", desc="restarted ternd",
                       out=r"^\s*1\s+test\s+running$")
        # a process left running in a namespace is ended by the teardown
        stray = a.popen("sleep", "600")
        pids.append(stray.pid)
    stray.wait(timeout=10)
    run.check_gone("2 hosts", namespaces, pids, workdir, record)


def three_hosts(run):
    tap = run.tap
    with TestHosts(run.ternd, n=3) as hosts:
        namespaces = list(hosts.namespaces)
        workdir, record = hosts.workdir, hosts.record
        pids = [h.pid for h in hosts]
        a, b, c = hosts
        tap.ok(c.addr == "192.0.2.3" and hosts["c"] is c and hosts[2] is c,
               "3 hosts: host c is 192.0.2.3")
        for x in hosts:
            for y in hosts:
                if x is not y:
                    err = x.connect(y, timeout=2)
                    tap.ok(err is None, "3 hosts: %s reaches %s's ternd" % (x.name, y.name), err)
        hosts.cut_link("a", "b")
        want = {("a", "b"): False, ("b", "a"): False, ("a", "c"): True, ("c", "a"): True,
                ("b", "c"): True, ("c", "b"): True}
        for (x, y), reach in sorted(want.items()):
            err = hosts[x].connect(hosts[y], timeout=2)
            tap.ok((err is None) == reach, "3 hosts, a-b cut: %s %s %s" %
                   (x, "reaches" if reach else "cannot reach", y), err)
        hosts.restore_link("a", "b")
        err = a.connect(b, timeout=2)
        tap.ok(err is None, "3 hosts: a-b restored", err)
        for client in run.clients:
            run.client(c, client, a.test_uri_tcp, "list", "--all", desc="test+tcp c to a",
                       out=r"^\s*1\s+test\s+running$")
        # a hung ternd must not hold up the teardown (it gets SIGCONT after SIGTERM)
        hosts.kill_ternd(c, signal.SIGSTOP, wait=False)
        t0 = time.monotonic()
    took = time.monotonic() - t0
    tap.ok(took < 8, "3 hosts: teardown with a stopped ternd takes %.1f s" % took)
    run.check_gone("3 hosts", namespaces, pids, workdir, record)


def lock_and_failures(run):
    """One run at a time; a ternd that does not start fails the setup cleanly."""
    tap = run.tap
    with TestHosts(run.ternd, n=2) as hosts:
        t0 = time.monotonic()
        try:
            with TestHosts(run.ternd, n=2, lock_timeout=1):
                got = "no error"
        except RuntimeError as e:
            got = str(e)
        tap.ok("held (by pid %d)" % os.getpid() in got and time.monotonic() - t0 < 5,
               "lock: a second run waits for the first, up to its lock_timeout", got)
        err = hosts[0].connect(hosts[1], timeout=2)
        tap.ok(err is None and all(ns in ternhosts.netns_list() for ns in hosts.namespaces),
               "lock: the first run's hosts are untouched", err)
    try:
        bad = TestHosts(run.ternd, n=2, extra_config="no_such_key = 1")
        with bad:
            got = "no error"
    except RuntimeError as e:
        got = str(e)
    tap.ok("exited with" in got and "no_such_key" in got,
           "a ternd that refuses its configuration fails the setup, with its log", got)
    run.check_gone("failed setup", bad.namespaces, [h.proc.pid for h in bad.hosts if h.proc],
                   bad.workdir, bad.record or os.path.join(ternhosts.STATE_DIR, "%d.json" %
                                                            os.getpid()))


def exception_in_block(run):
    tap = run.tap
    seen = {}
    try:
        with TestHosts(run.ternd, n=2) as hosts:
            seen = {"ns": list(hosts.namespaces), "pids": [h.pid for h in hosts],
                    "workdir": hosts.workdir, "record": hosts.record}
            raise RuntimeError("a failing test")
    except RuntimeError as e:
        tap.ok(str(e) == "a failing test", "exception: it propagates out of the with-block")
    run.check_gone("exception", seen.get("ns", []), seen.get("pids", []), seen.get("workdir"),
                   seen.get("record"))


CHILD = r"""
import json, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # as if run from a terminal
sys.path.insert(0, sys.argv[1])
from ternhosts import TestHosts
if sys.argv[3] == "setup":  # interrupted while the ternds start
    orig = TestHosts._wait_ready
    def wait_ready(self, h):
        if h.name == "b":
            print(json.dumps({"ns": self.namespaces, "pids": [x.pid for x in self.hosts],
                              "workdir": self.workdir, "record": self.record}), flush=True)
            time.sleep(300)
        orig(self, h)
    TestHosts._wait_ready = wait_ready
with TestHosts(sys.argv[2], n=2) as hosts:
    print(json.dumps({"ns": hosts.namespaces, "pids": [h.pid for h in hosts],
                      "workdir": hosts.workdir, "record": hosts.record}), flush=True)
    time.sleep(300)
"""


def start_child(run, when="ready"):
    """A separate test program holding two hosts; returns (Popen, what it made) once they are
    ready, or with when="setup" while it waits for the second ternd."""
    import json
    p = subprocess.Popen([sys.executable, "-c", CHILD, HERE, run.ternd, when],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([p.stdout], [], [], 60)
    line = p.stdout.readline() if ready else ""
    try:
        return p, json.loads(line)
    except ValueError:
        p.kill()
        p.wait()
        return p, None


def interrupted(run, sig, when="ready"):
    tap = run.tap
    name = signal.Signals(sig).name + ("" if when == "ready" else " during setup")
    p, made = start_child(run, when)
    if not tap.ok(made is not None, "%s: a child test sets up two hosts" % name,
                  p.stderr.read() if made is None else ""):
        return
    p.send_signal(sig)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    tap.ok(rc == 128 + sig, "%s: the child exits with %d" % (name, 128 + sig),
           "rc %s\n%s" % (rc, p.stderr.read()))
    p.stdout.close()
    p.stderr.close()
    run.check_gone(name, made["ns"], made["pids"], made["workdir"], made["record"])


def killed_then_cleanup(run):
    tap = run.tap
    p, made = start_child(run, "ready")
    if not tap.ok(made is not None, "SIGKILL: a child test sets up two hosts",
                  p.stderr.read() if made is None else ""):
        return
    p.kill()
    p.wait()
    p.stdout.close()
    p.stderr.close()
    listed = ternhosts.netns_list()
    tap.ok(all(ns in listed for ns in made["ns"]) and
           all(ternhosts._alive(x) for x in made["pids"]),
           "SIGKILL: the killed run's namespaces and ternds are left over", listed)
    r = subprocess.run([sys.executable, os.path.join(HERE, "ternhosts.py"), "cleanup"],
                       capture_output=True, text=True, timeout=120)
    tap.ok(r.returncode == 0 and all(ns in r.stdout for ns in made["ns"]),
           "ternhosts.py cleanup removes them", r.stdout + r.stderr)
    run.check_gone("cleanup", made["ns"], made["pids"], made["workdir"], made["record"])


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root (network namespaces)")
        return 0
    ternd = os.path.abspath(sys.argv[1])
    # meson passes build-tree paths relative to its working directory
    clients = [os.path.abspath(c) if os.sep in c else c for c in sys.argv[2:4] if c]
    tap = Tap()
    run = Run(tap, ternd, clients)
    for step in (two_hosts, three_hosts, exception_in_block,
                 lambda r: interrupted(r, signal.SIGTERM),
                 lambda r: interrupted(r, signal.SIGINT),
                 lambda r: interrupted(r, signal.SIGTERM, "setup"),
                 lock_and_failures,
                 killed_then_cleanup):
        try:
            step(run)
        except Exception as e:  # the harness itself failed: report it, go on
            import traceback
            tap.ok(False, "harness step %s" % getattr(step, "__name__", step),
                   "%r\n%s" % (e, traceback.format_exc()))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
