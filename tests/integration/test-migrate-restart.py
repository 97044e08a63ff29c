#!/usr/bin/env python3
"""test-migrate-restart.py: a daemon dies in the middle of a migration and comes back.

The status file holds the migration phase (docs/internals/migration.md); a restarted ternd
reads it and leaves exactly one running copy of the guest:

  - the source ternd is SIGKILLed while QEMU is sending (phase perform3): virsh's Perform
    fails, so the destination is told to cancel; the source ternd, restarted, stops QEMU's
    migration and runs the guest again. Nothing is left on the destination.
  - the destination ternd is SIGKILLed while QEMU is receiving (phase prepare): its QEMU keeps
    loading, the source finishes sending, virsh's Finish fails and Confirm(cancelled) resumes
    the guest on the source; the destination ternd, restarted, kills the half-built guest.

Usage: test-migrate-restart.py TERND VIRSH KERNEL INITRAMFS
Needs root and QEMU (prints a TAP skip otherwise).
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import migrun  # noqa: E402
from migrun import wait_for  # noqa: E402
from ternhost import Tap  # noqa: E402
import ternhosts  # noqa: E402
from ternhosts import TestHosts  # noqa: E402
from testguest import Guest, qemu_pids  # noqa: E402

# slow enough to kill a daemon mid-transfer: 512 MiB of guest memory at 20 MiB/s
BANDWIDTH_MIB = "20"


def main(argv):
    args = migrun.tap_args(argv, __doc__)
    if args is None:
        return 0
    ternd, virsh, kernel, initrd = args
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="tern-migrestart-") as work, \
            TestHosts(ternd, n=2, lock_timeout=3000) as hosts:
        g = Guest(work, "rst", kernel, initrd, mib=512, dirty=64, rate=32, append=True)
        a, b = hosts[0], hosts[1]
        r = a.exec(virsh, "-c", a.uri_tcp, "define", g.xml_path)
        r2 = a.exec(virsh, "-c", a.uri_tcp, "start", "rst")
        if tap.ok(r.returncode == 0 and r2.returncode == 0, "the guest starts on A",
                  r.stderr + r2.stderr) and tap.ok(g.wait_heartbeats(5) >= 5, "heartbeats"):
            for victim in ("source", "destination"):
                one_restart(tap, hosts, virsh, g, victim)
            rep = g.report()
            tap.ok(rep["continuous"] and not rep["corrupt"],
                   "heartbeat counter continuous, no corruption throughout",
                   str({k: rep[k] for k in ("count", "breaks", "corrupt_lines")}))
            a.exec(virsh, "-c", a.uri_tcp, "destroy", "rst")
            a.exec(virsh, "-c", a.uri_tcp, "undefine", "rst")
    return tap.done()


def one_restart(tap, hosts, virsh, g, victim):
    a, b = hosts[0], hosts[1]
    dead = a if victim == "source" else b
    mig = a.popen(virsh, "-c", a.uri_tcp, "migrate", "--live", "--bandwidth", BANDWIDTH_MIB,
                  "rst", b.uri_tcp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # kill once QEMU is really sending: the destination QEMU exists and time has passed
    started = wait_for(lambda: len(qemu_pids("rst")) == 2, 30)
    time.sleep(2)
    tap.ok(started and mig.poll() is None, "%s: the migration is under way" % victim)
    hosts.kill_ternd(dead)
    try:
        out, err = mig.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        mig.kill()
        out, err = mig.communicate()
    tap.ok(mig.returncode != 0, "%s ternd killed: virsh migrate fails" % victim, err.strip())
    hosts.start_ternd(dead)
    state = lambda h: h.exec(virsh, "-c", h.uri_tcp, "domstate", "rst").stdout.strip()
    ok = wait_for(lambda: state(a) == "running", 30)
    tap.ok(ok, "%s ternd killed: the guest runs on A again" % victim, state(a))
    seq = g.last_seq()
    tap.ok(g.wait_seq_beyond(seq + 5), "%s ternd killed: heartbeats go on" % victim)
    listing = b.exec(virsh, "-c", b.uri_tcp, "list", "--all", "--name").stdout.split()
    tap.ok("rst" not in listing, "%s ternd killed: nothing is left on B" % victim, listing)
    gone = wait_for(lambda: not ternhosts.qemu_pids_under(b.root) and len(qemu_pids("rst")) == 1,
                    20)
    tap.ok(gone, "%s ternd killed: no QEMU of the guest on B, exactly one in all" % victim,
           "B: %s, all: %s" % (ternhosts.qemu_pids_under(b.root), qemu_pids("rst")))
    st = a.exec(virsh, "-c", a.uri_tcp, "domjobinfo", "rst")
    tap.ok("None" in st.stdout, "%s ternd killed: no job left on A" % victim, st.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
