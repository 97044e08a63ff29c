#!/usr/bin/env python3
"""measure.py URI KERNEL INITRD WORKDIR ROUNDS: the lifecycle figures of one daemon, as JSON.

Runs with Debian's virsh against URI, so ternd and libvirtd are driven by the same client:
  boot_s     start → first heartbeat on the guest's serial log (median of ROUNDS)
  start_s    how long `virsh start` itself took (median)
  cycles_min define + start + destroy + undefine cycles per minute (ROUNDS cycles, no boot wait)
"""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "integration"))
from testguest import Guest  # noqa: E402


def virsh(uri, *args):
    p = subprocess.run(["virsh", "-c", uri] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("virsh %s failed: %s" % (" ".join(args), p.stderr.strip()))


def main():
    uri, kernel, initrd, workdir, rounds = sys.argv[1:6]
    rounds = int(rounds)
    g = Guest(workdir, "benchlc", kernel, initrd, vtype="qemu", dirty=0, rate=0)
    boots, starts = [], []
    virsh(uri, "define", g.xml_path)
    try:
        for _ in range(rounds):
            t0 = time.monotonic()
            virsh(uri, "start", g.name)
            t1 = time.monotonic()
            while g.report()["count"] < 1:
                if time.monotonic() - t0 > 60:
                    raise SystemExit("no heartbeat within 60 s")
                time.sleep(0.005)
            boots.append(time.monotonic() - t0)
            starts.append(t1 - t0)
            virsh(uri, "destroy", g.name)
    finally:
        subprocess.run(["virsh", "-c", uri, "destroy", g.name], capture_output=True)
        subprocess.run(["virsh", "-c", uri, "undefine", g.name], capture_output=True)

    t0 = time.monotonic()
    for _ in range(rounds):
        virsh(uri, "define", g.xml_path)
        virsh(uri, "start", g.name)
        virsh(uri, "destroy", g.name)
        virsh(uri, "undefine", g.name)
    cycles = rounds * 60.0 / (time.monotonic() - t0)
    print(json.dumps({"boot_s": statistics.median(boots), "start_s": statistics.median(starts),
                      "cycles_min": cycles}))


if __name__ == "__main__":
    main()
