#!/usr/bin/env python3
"""demo.py: the embedded default: a private ternd, one test-driver domain defined and started
through it, listed with tern and with Debian's virsh. Everything it starts, it stops."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from ternhost import Ternd  # noqa: E402

DOMAIN_XML = """<domain type='test'>
  <name>demo</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
</domain>
"""


def step(title, cmd):
    print("\n$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise SystemExit("demo: '%s' failed with status %d" % (title, p.returncode))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default="build")
    args = ap.parse_args()
    ternd = os.path.abspath(os.path.join(args.builddir, "src/daemon/ternd"))
    tern = os.path.abspath(os.path.join(args.builddir, "tools/tern/tern"))
    virsh = shutil.which("virsh")

    with Ternd(ternd) as d, tempfile.TemporaryDirectory() as tmp:
        uri = d.uri()
        print("ternd is running with --root %s (pid %d)" % (d.root, d.proc.pid))
        print("its test hypervisor is at %s" % uri)
        xml = os.path.join(tmp, "demo.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML)
        step("define", [tern, "-c", uri, "define", xml])
        step("start", [tern, "-c", uri, "start", "demo"])
        step("list with tern", [tern, "-c", uri, "list", "--all"])
        if virsh:
            step("list with virsh", [virsh, "-c", uri, "list", "--all"])
            step("dominfo with virsh", [virsh, "-c", uri, "dominfo", "demo"])
        else:
            print("\n(virsh is not installed: apt-get install libvirt-clients)")
        step("destroy", [tern, "-c", uri, "destroy", "demo"])
        step("undefine", [tern, "-c", uri, "undefine", "demo"])
    print("\ndemo: done; ternd stopped and its directory removed")


if __name__ == "__main__":
    main()
