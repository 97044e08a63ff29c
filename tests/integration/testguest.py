"""testguest.py: the test guest as a domain of a ternd: its XML, its serial log, the oracle."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
import heartbeat  # noqa: E402

GUEST_XML = """<domain type='%(type)s'>
  <name>%(name)s</name>
  <memory unit='MiB'>%(mib)d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%(kernel)s</kernel>
    <initrd>%(initrd)s</initrd>
    <cmdline>console=ttyS0 pti=on quiet panic=-1 tern.dirty_mib=%(dirty)d tern.dirty_rate_mib=%(rate)d</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <serial type='file'>
      <source path='%(log)s' append='%(append)s'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


class Guest:
    """One test guest: writes its XML, reads its serial log."""

    def __init__(self, workdir, name, kernel, initrd, vtype="qemu", mib=256, dirty=16, rate=16,
                 append=False):
        self.name = name
        self.log = os.path.join(workdir, name + ".serial")
        self.xml_path = os.path.join(workdir, name + ".xml")
        with open(self.xml_path, "w") as f:
            f.write(GUEST_XML % {"type": vtype, "name": name, "mib": mib, "kernel": kernel,
                                 "initrd": initrd, "dirty": dirty, "rate": rate,
                                 "log": self.log, "append": "on" if append else "off"})

    def report(self):
        try:
            return heartbeat.summarize_file(self.log)
        except FileNotFoundError:
            return heartbeat.summarize_text("")

    def last_seq(self):
        r = self.report()
        return r["last_seq"] if r["count"] else -1

    def wait_heartbeats(self, n, timeout=40):
        """Wait until the log holds at least @n heartbeats; returns how many it holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = self.report()["count"]
            if count >= n:
                return count
            time.sleep(0.1)
        return self.report()["count"]

    def wait_seq_beyond(self, seq, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.last_seq() > seq:
                return True
            time.sleep(0.1)
        return False


def qemu_pids(name):
    """PIDs of QEMU processes running the domain @name (by their -name guest=NAME)."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(a.startswith(b"guest=%s," % name.encode()) for a in args):
            pids.append(int(pid))
    return pids


def kvm_works(run_client, workdir, kernel, initrd):
    """machine-notes 1: choose kvm only after the test guest booted under it here."""
    if not os.path.exists("/dev/kvm"):
        return False, "no /dev/kvm"
    g = Guest(workdir, "kvmprobe", kernel, initrd, vtype="kvm", dirty=0, rate=0)
    rc, out, err = run_client("define", g.xml_path)
    if rc != 0:
        return False, "define failed: " + err
    ok = False
    why = ""
    rc, out, err = run_client("start", g.name)
    if rc == 0:
        ok = g.wait_heartbeats(3, timeout=20) >= 3
        why = "booted" if ok else "no heartbeat under KVM within 20 s"
        run_client("destroy", g.name)
    else:
        why = "start failed: " + err.strip()
    run_client("undefine", g.name)
    return ok, why


def run(cmd, env=None, timeout=120):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr
