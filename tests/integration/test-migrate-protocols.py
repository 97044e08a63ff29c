#!/usr/bin/env python3
"""test-migrate-protocols.py: the three client-managed migration protocols on the wire, each
driven by the real virsh between two test hosts: v3 with typed parameters (what virsh uses
against ternd), v3 without them (a daemon that says no to feature 13) and v2, the original
prepare/perform/finish (no to 6 and 13). A proxy in front of each ternd masks the features and
records the procedures virsh called, so each check knows which protocol really ran.

Usage: test-migrate-protocols.py TERND VIRSH KERNEL INITRAMFS
Needs root and QEMU (prints a TAP skip otherwise).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import migrun  # noqa: E402
from ternhost import Tap  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
from testguest import Guest, qemu_pids  # noqa: E402

# name, features masked, procedures that must appear on the source / destination
PROTOCOLS = [
    ("v3-params", "", {302, 305, 307}, {303, 306}),
    ("v3", "13", {213, 216, 218}, {214, 217}),
    ("v2", "6,13", {62}, {108, 109}),
]
PROXY_PORT0 = 16600


def main(argv):
    args = migrun.tap_args(argv, __doc__)
    if args is None:
        return 0
    ternd, virsh, kernel, initrd = args
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="tern-migproto-") as work, \
            TestHosts(ternd, n=2) as hosts:
        a, b = hosts[0], hosts[1]
        proxies = []
        try:
            for i, (name, mask, _src, _dst) in enumerate(PROTOCOLS):
                for h in (a, b):
                    proxies.append(h.popen(
                        sys.executable, os.path.join(HERE, "featureproxy.py"), h.addr,
                        str(PROXY_PORT0 + i), h.addr, "16509", mask,
                        os.path.join(work, "procs-%s-%s" % (name, h.name))))
            for i in range(len(PROTOCOLS)):
                for h in (a, b):
                    if not migrun.wait_listening(h, PROXY_PORT0 + i):
                        raise RuntimeError("proxy on %s:%d did not start" % (h.addr,
                                                                            PROXY_PORT0 + i))
            run_protocols(tap, a, b, virsh, kernel, initrd, work)
        finally:
            for p in proxies:
                p.kill()
                p.wait()
    return tap.done()


def virsh_on(host, virsh, uri, *args, timeout=180):
    return host.exec(virsh, "-c", uri, *args, timeout=timeout)


def run_protocols(tap, a, b, virsh, kernel, initrd, work):
    g = Guest(work, "proto", kernel, initrd, mib=256, dirty=32, rate=32, append=True)
    r = virsh_on(a, virsh, a.uri_tcp, "define", g.xml_path)
    r2 = virsh_on(a, virsh, a.uri_tcp, "start", "proto")
    if not tap.ok(r.returncode == 0 and r2.returncode == 0, "the guest starts on A",
                  r.stderr + r2.stderr):
        return
    tap.ok(g.wait_heartbeats(5) >= 5, "the guest sends heartbeats")
    here, there = a, b
    for i, (name, _mask, src_procs, dst_procs) in enumerate(PROTOCOLS):
        via = lambda h: "qemu+tcp://%s:%d/system" % (h.addr, PROXY_PORT0 + i)
        seq = g.last_seq()
        r = virsh_on(here, virsh, via(here), "migrate", "--live", "--persistent",
                     "--undefinesource", "proto", via(there))
        tap.ok(r.returncode == 0, "%s: virsh migrate --live %s -> %s" % (name, here.name,
                                                                         there.name),
               r.stdout + r.stderr + there.logtext()[-2000:])
        used_src = read_procs(work, name, here)
        used_dst = read_procs(work, name, there)
        tap.ok(src_procs <= used_src and dst_procs <= used_dst,
               "%s: virsh used procedures %s on the source and %s on the destination" %
               (name, sorted(src_procs), sorted(dst_procs)),
               "source saw %s, destination %s" % (sorted(used_src), sorted(used_dst)))
        st = virsh_on(there, virsh, there.uri_tcp, "domstate", "proto")
        tap.ok(st.returncode == 0 and st.stdout.strip() == "running",
               "%s: the guest runs on %s" % (name, there.name), st.stdout + st.stderr)
        pers = virsh_on(there, virsh, there.uri_tcp, "dominfo", "proto")
        tap.ok("Persistent:     yes" in pers.stdout,
               "%s: the definition moved to %s" % (name, there.name), pers.stdout + pers.stderr)
        gone = virsh_on(here, virsh, here.uri_tcp, "list", "--all", "--name")
        tap.ok("proto" not in gone.stdout.split(), "%s: nothing is left on %s" % (name, here.name),
               gone.stdout)
        tap.ok(len(qemu_pids("proto")) == 1, "%s: exactly one QEMU runs the guest" % name,
               str(qemu_pids("proto")))
        tap.ok(g.wait_seq_beyond(seq + 5), "%s: heartbeats go on after the migration" % name)
        here, there = there, here
    rep = g.report()
    tap.ok(rep["continuous"] and not rep["corrupt"],
           "heartbeat counter continuous, no corruption over all migrations",
           "%s" % {k: rep[k] for k in ("count", "breaks", "corrupt_lines", "errors")})
    virsh_on(here, virsh, here.uri_tcp, "destroy", "proto")
    virsh_on(here, virsh, here.uri_tcp, "undefine", "proto")


def read_procs(work, name, host):
    try:
        with open(os.path.join(work, "procs-%s-%s" % (name, host.name))) as f:
            return set(int(x) for x in f.read().split())
    except FileNotFoundError:
        return set()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
