#!/usr/bin/env python3
"""run.py: bench/lifecycle: start-to-first-heartbeat and define/start/destroy cycles per minute
of the test guest, for ternd and (when installed) Debian's libvirtd, measured in one run with
the same client (virsh) and the same guest, with ratios.

Usage: run.py [--builddir build] [--rounds 5]
libvirtd runs on a test host made by ../../../shared/tools/libvirt-hosts/hosts.sh (removed at
the end); ternd runs with a private --root.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from ternhost import Ternd  # noqa: E402

HOSTS_SH = os.path.join(HERE, "..", "..", "..", "shared", "tools", "libvirt-hosts", "hosts.sh")


def measure(prefix, uri, kernel, initrd, rounds):
    with tempfile.TemporaryDirectory(prefix="bench-lc-") as tmp:
        os.chmod(tmp, 0o755)
        out = subprocess.run(prefix + [sys.executable, os.path.join(HERE, "measure.py"), uri,
                                       kernel, initrd, tmp, str(rounds)],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    b = os.path.abspath(args.builddir)
    kernel = os.path.join(b, "tests/guest/vmlinuz")
    initrd = os.path.join(b, "tests/guest/initramfs.img")
    results = {}

    with Ternd(os.path.join(b, "src/daemon/ternd")) as d:
        results["ternd"] = measure([], d.uri("qemu", "/system"), kernel, initrd, args.rounds)

    if shutil.which("libvirtd") or os.path.exists("/usr/sbin/libvirtd"):
        try:
            subprocess.run(["bash", HOSTS_SH, "up"], check=True, capture_output=True)
            subprocess.run(["bash", HOSTS_SH, "libvirtd-up"], check=True, capture_output=True)
            results["libvirtd"] = measure(["bash", HOSTS_SH, "exec", "A"], "qemu:///system",
                                          kernel, initrd, args.rounds)
        finally:
            subprocess.run(["bash", HOSTS_SH, "down"], capture_output=True)

    print("bench/lifecycle: test guest (TCG, 256 MiB, idle), %d rounds, client virsh"
          % args.rounds)
    print("%-9s %16s %14s %14s" % ("daemon", "start→heartbeat", "virsh start", "cycles/min"))
    for name, r in results.items():
        print("%-9s %14.2f s %12.3f s %14.1f" % (name, r["boot_s"], r["start_s"], r["cycles_min"]))
    if "libvirtd" in results:
        t, lv = results["ternd"], results["libvirtd"]
        print("ratio ternd/libvirtd start→heartbeat: %.2f (lower is better)"
              % (t["boot_s"] / lv["boot_s"]))
        print("ratio ternd/libvirtd virsh start: %.2f (lower is better)"
              % (t["start_s"] / lv["start_s"]))
        print("ratio ternd/libvirtd cycles/min: %.2f (higher is better)"
              % (t["cycles_min"] / lv["cycles_min"]))


if __name__ == "__main__":
    main()
