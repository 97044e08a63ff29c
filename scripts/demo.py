#!/usr/bin/env python3
"""demo.py: live migration between two hosts, shown with tern's own CLI.

  1. A private ternd and its test driver: a domain defined, started and listed with tern and
     with Debian's virsh (a second or two).
  2. Two test hosts (network namespaces, each with its own ternd on TCP;
     tests/integration/ternhosts.py). The test guest (tests/guest: a real Linux kernel under
     QEMU with an /init that prints a numbered heartbeat every 20 ms and keeps rewriting and
     checking 256 MiB of its memory) boots on host A, then moves live A -> B and back B -> A
     with `tern migrate --live --verbose` (virsh's, if this tern has no migrate command).
     Every line the guest prints is stamped with the host's clock as it arrives, so the
     guest's downtime is what an observer saw; the heartbeat oracle (tests/guest/heartbeat.py)
     says whether the counter went on without a gap and whether any page came out wrong.

At the end a table says, per migration: direction, total time (the client's), the guest's
downtime, the data moved, and the oracle's verdict or what went wrong. Everything it starts
(daemons, namespaces, QEMUs) is removed at the end, also on failure and on Ctrl-C.

Usage: demo.py [--builddir build]    (as root: the test hosts are network namespaces)
Exit status 0 if both migrations succeeded and the guest came through intact.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from ternhost import Ternd  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
import migrun  # noqa: E402
from migrun import Client, MigGuest, jobinfo, migration_report  # noqa: E402

DOMAIN_XML = """<domain type='test'>
  <name>demo</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
</domain>
"""

GUEST = "demo-guest"
GUEST_MIB, DIRTY_MIB, RATE_MIB, HB_MS = 512, 256, 64, 20
MIGRATE_TIMEOUT = 180
MIB = 1 << 20


def title(text):
    print("\n== %s" % text, flush=True)


def step(title_, cmd):
    print("\n$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise SystemExit("demo: '%s' failed with status %d" % (title_, p.returncode))


def test_driver_part(ternd, tern, virsh):
    title("1. a private ternd and its test driver")
    with Ternd(ternd) as d, tempfile.TemporaryDirectory() as tmp:
        uri = d.uri()
        print("ternd is running with --root %s (pid %d); its test hypervisor is at %s"
              % (d.root, d.proc.pid, uri))
        xml = os.path.join(tmp, "demo.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML)
        step("define", [tern, "-c", uri, "define", xml])
        step("start", [tern, "-c", uri, "start", "demo"])
        step("list with tern", [tern, "-c", uri, "list", "--all"])
        if virsh:
            step("list with virsh", [virsh, "-c", uri, "list", "--all"])
        else:
            print("\n(virsh is not installed: apt-get install libvirt-clients)")
        step("destroy", [tern, "-c", uri, "destroy", "demo"])
        step("undefine", [tern, "-c", uri, "undefine", "demo"])


def show(client, *args):
    """Run a client command on its host, echoing it like a shell session."""
    print("\n[host %s]$ %s" % (client.host.name, " ".join(
        [os.path.basename(client.binary), "-c", client.uri] + [str(a) for a in args])))
    r = client.run(*args, timeout=120)
    sys.stdout.write(r.out.rstrip("\n") + "\n" if r.out.strip() else "")
    sys.stdout.write(r.err)
    sys.stdout.flush()
    return r


def where(*clients):
    """The guest's state on each host (a persistent guest stays defined, shut off, on the
    host it left)."""
    for c in clients:
        print("\n[host %s]$ %s -c %s domstate %s --reason"
              % (c.host.name, os.path.basename(c.binary), c.uri, GUEST))
        r = c.run("domstate", GUEST, "--reason", timeout=60)
        if r.ok:
            print(r.out.strip())
        elif "not found" in r.err.lower():
            print("(no domain %s there)" % GUEST)
        else:
            sys.stdout.write(r.err)


def migrate(guest, client, dest, dest_client, direction):
    """`CLIENT migrate --live --verbose` with its progress on the terminal; returns the row of
    the table: direction, total time, downtime, data, verdict."""
    argv = client.argv("migrate", "--live", "--verbose", guest.name, dest.uri_tcp)
    print("\n[host %s]$ %s" % (client.host.name, " ".join(
        [os.path.basename(argv[0])] + argv[1:])), flush=True)
    t0 = time.monotonic()
    proc = client.host.popen(argv, stdin=subprocess.DEVNULL)  # progress on our terminal
    try:
        rc = proc.wait(timeout=MIGRATE_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = None
    t1 = time.monotonic()
    print(flush=True)
    if rc != 0:
        return {"direction": direction, "total_s": t1 - t0, "ok": False,
                "verdict": "migration failed (%s); see the output above" %
                           ("timed out" if rc is None else "exit status %d" % rc)}
    guest.wait_beats_after(t1, n=10, timeout=15)
    job, _ = jobinfo(dest_client, guest.name, completed=True)
    r = migration_report(guest, t0, t1, job)
    if r["ok"]:
        verdict = "counter continuous, no corruption (heartbeat %d so far)" % r["last_seq"]
    else:
        what = []
        if r["corrupt"]:
            what.append("CORRUPT memory: %s" % "; ".join(r["corrupt_lines"][:3]))
        if not r["continuous"]:
            what.append("heartbeat counter broken: %s" % r["breaks"][:3])
        if r["starts"] != 1:
            what.append("the guest booted %d times" % r["starts"])
        if not r["beats_after"]:
            what.append("no heartbeat after the migration")
        verdict = "; ".join(what)
    return {"direction": direction, "total_s": r["total_s"], "downtime_ms": r["downtime_ms"],
            "data_bytes": r["data_bytes"], "ok": r["ok"], "verdict": verdict}


def migration_part(ternd, tern, virsh, kernel, initrd, rows):
    """Boot the guest on host a, migrate it to b and back; appends a row to @rows for each
    migration."""
    title("2. live migration between two test hosts")
    if tern_has_migrate(tern):
        cli = tern
    elif virsh:
        print("(this tern has no migrate command yet: the migrations use virsh)")
        cli = virsh
    else:
        raise SystemExit("demo: neither tern migrate nor virsh is available")
    with TestHosts(ternd, n=2) as hosts:
        a, b = hosts
        print("host a: namespace %s, %s, ternd pid %d\nhost b: namespace %s, %s, ternd pid %d"
              % (a.ns, a.uri_tcp, a.pid, b.ns, b.uri_tcp, b.pid))
        on_a = Client(a, cli, a.uri_tcp)     # the client runs on host a, for both directions
        on_b = Client(a, cli, b.uri_tcp)
        guest = MigGuest(os.path.join(hosts.workdir, "guest"), GUEST, kernel, initrd,
                         mib=GUEST_MIB, dirty=DIRTY_MIB, rate=RATE_MIB, hb_ms=HB_MS)
        try:
            print("\nthe test guest: %d MiB, TCG, rewriting %d MiB at %d MiB/s, a heartbeat "
                  "every %d ms" % (GUEST_MIB, DIRTY_MIB, RATE_MIB, HB_MS))
            for r in guest.start(on_a):
                print("[host a]$ %s\n%s" % (" ".join(
                    [os.path.basename(r.cmd[0])] + r.cmd[1:]), r.out.rstrip()))
            t = time.monotonic()
            if not guest.wait_heartbeats(5, timeout=60):
                raise RuntimeError("the guest did not boot:\n" +
                                   "\n".join(guest.lines()[-20:]))
            print("first heartbeats after %.1f s; waiting until it has rewritten its %d MiB once"
                  % (time.monotonic() - t, DIRTY_MIB), flush=True)
            guest.wait_report(lambda r: (r["last_dirtied_mib"] or 0) >= DIRTY_MIB, 60)
            rep = guest.report()
            print("heartbeat %d, %d MiB rewritten so far, %s"
                  % (rep["last_seq"], rep["last_dirtied_mib"] or 0,
                     "CORRUPT" if rep["corrupt"] else "every page checked fine"))
            where(on_a, on_b)

            rows.append(migrate(guest, on_a, b, on_b, "A -> B"))
            where(on_a, on_b)
            show(on_b, "domjobinfo", GUEST, "--completed")
            if rows[-1]["ok"]:
                time.sleep(2)
                rows.append(migrate(guest, on_b, a, on_a, "B -> A"))
                where(on_a, on_b)
            if not all(r["ok"] for r in rows):
                print(migrun.diagnostics(hosts))
        except Exception:
            print(migrun.diagnostics(hosts))
            raise
        finally:
            for c in (on_a, on_b):
                c.run("destroy", GUEST, timeout=60)
                c.run("undefine", GUEST, timeout=60)
            guest.close()


def table(rows):
    title("live migrations of the test guest (%d MiB, rewriting %d MiB at %d MiB/s)"
          % (GUEST_MIB, DIRTY_MIB, RATE_MIB))
    print("%-10s %10s %15s %11s  %s" % ("migration", "total", "guest downtime", "data moved",
                                       "the guest's heartbeats and memory"))
    for r in rows:
        dt = r.get("downtime_ms")
        data = r.get("data_bytes")
        print("%-10s %8.2f s %15s %11s  %s" % (
            r["direction"], r["total_s"], "-" if dt is None else "%.0f ms" % dt,
            "-" if data is None else "%.0f MiB" % (data / MIB), r["verdict"]))
    print("\ntotal: the client's wall clock; guest downtime: the longest pause between two "
          "heartbeats,\non the host's clock; data moved: the memory QEMU sent (domjobinfo "
          "--completed).")


def tern_has_migrate(tern):
    p = subprocess.run([tern, "help", "migrate"], capture_output=True, text=True)
    return p.returncode == 0 and "--live" in p.stdout


def main():
    ap = argparse.ArgumentParser(description="tern's demo: live migration between two hosts")
    ap.add_argument("--builddir", default="build")
    args = ap.parse_args()
    b = os.path.abspath(args.builddir)
    ternd = os.path.join(b, "src/daemon/ternd")
    tern = os.path.join(b, "tools/tern/tern")
    kernel = os.path.join(b, "tests/guest/vmlinuz")
    initrd = os.path.join(b, "tests/guest/initramfs.img")
    virsh = shutil.which("virsh")
    for p in (ternd, tern, kernel, initrd):
        if not os.path.exists(p):
            raise SystemExit("demo: %s is missing; build first (ninja -C %s)"
                             % (p, args.builddir))
    if os.geteuid() != 0:
        raise SystemExit("demo: needs root (the two test hosts are network namespaces)")

    test_driver_part(ternd, tern, virsh)
    rows = []
    error = None
    try:
        migration_part(ternd, tern, virsh, kernel, initrd, rows)
    except Exception as e:  # noqa: BLE001 -- say what went wrong under the table
        error = e
    table(rows)
    if error is not None:
        print("\ndemo: %s" % error)
    ok = error is None and len(rows) == 2 and all(r["ok"] for r in rows)
    print("\ndemo: %s; the test hosts, their ternds and the guest are gone"
          % ("done" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
