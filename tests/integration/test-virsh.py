#!/usr/bin/env python3
"""test-virsh.py: Debian's real virsh (and tern) against a private ternd, command by command.

Every check asserts what a user would look at: the command's output and exit status.
Usage: test-virsh.py TERND_BINARY CLIENT   (CLIENT: virsh, or the path of the tern CLI)
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ternhost import Tap, Ternd  # noqa: E402

TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"

DEMO_XML = """<domain type='test'>
  <name>%(name)s</name>
  <uuid>%(uuid)s</uuid>
  <memory unit='MiB'>256</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
</domain>
"""


def main():
    ternd, client = sys.argv[1], sys.argv[2]
    tap = Tap()
    is_virsh = os.path.basename(client) == "virsh"
    env = dict(os.environ, LC_ALL="C")
    # virsh must not pick up a user's default URI or ask for credentials
    env.pop("LIBVIRT_DEFAULT_URI", None)
    env.pop("VIRSH_DEFAULT_CONNECT_URI", None)

    with Ternd(ternd) as d, tempfile.TemporaryDirectory() as tmp:
        uri = d.uri()

        def run(*args, readonly=False, timeout=60):
            cmd = [client, "-c", d.uri(readonly=readonly)]
            if readonly:
                cmd.insert(1, "-r")
            p = subprocess.run(cmd + list(args), capture_output=True, text=True, env=env,
                               timeout=timeout)
            return p.returncode, p.stdout, p.stderr

        def check(args, desc, want_rc=0, out=None, err=None, readonly=False):
            rc, o, e = run(*args, readonly=readonly)
            good = rc == want_rc
            if out is not None:
                good = good and re.search(out, o, re.M) is not None
            if err is not None:
                good = good and re.search(err, e, re.M) is not None
            tap.ok(good, "%s: %s" % (os.path.basename(client), desc),
                   "cmd: %s\nrc: %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(args), rc, o, e))
            return o

        check(["version"], "version shows the hypervisor", out=r"^Running hypervisor: Test ")
        if is_virsh:
            check(["version", "--daemon"], "version --daemon shows ternd's version",
                  out=r"^Running against daemon: 0\.1\.0$")
        check(["uri"], "uri", out=r"^" + re.escape(uri) + r"$" if is_virsh else r"^test:///default$")
        check(["hostname"], "hostname", out=r"^" + re.escape(socket.gethostname()) + r"$")
        check(["list", "--all"], "list --all shows the predefined domain",
              out=r"^\s*1\s+test\s+running\s*$")
        check(["dominfo", "test"], "dominfo: name", out=r"^Name:\s+test$")
        check(["dominfo", "test"], "dominfo: state", out=r"^State:\s+running$")
        check(["dominfo", "test"], "dominfo: vcpus", out=r"^CPU\(s\):\s+2$")
        check(["dominfo", "test"], "dominfo: max memory", out=r"^Max memory:\s+8388608 KiB$")
        check(["dominfo", "test"], "dominfo: persistent", out=r"^Persistent:\s+yes$")
        check(["domstate", "test"], "domstate", out=r"^running$")
        check(["domstate", "--reason", "test"], "domstate --reason", out=r"^running \(booted\)$")
        check(["domid", "test"], "domid", out=r"^1$")
        check(["domuuid", "test"], "domuuid", out=r"^" + TEST_UUID + r"$")
        check(["dominfo", TEST_UUID], "lookup by uuid", out=r"^Name:\s+test$")
        check(["dominfo", "1"], "lookup by id", out=r"^Name:\s+test$")
        check(["dumpxml", "test"], "dumpxml has the live id",
              out=r"^<domain type='test' id='1'>$")
        check(["dumpxml", "test"], "dumpxml has the name", out=r"^  <name>test</name>$")
        # virsh hides the lookup's own error behind its own sentence; tern shows both
        check(["dominfo", "nope"], "unknown domain is an error", want_rc=1,
              err=r"failed to get domain 'nope'" if is_virsh else
              r"Domain not found: no domain with matching name 'nope'")

        # the lifecycle of a new domain
        name = "demo1"
        xml = os.path.join(tmp, "demo1.xml")
        with open(xml, "w") as f:
            f.write(DEMO_XML % {"name": name, "uuid": "c7a5fdbd-cdaf-9455-926a-d65c16db1809"})
        check(["define", xml], "define", out=r"^Domain '%s' defined from " % name)
        check(["list", "--all"], "defined domain is listed shut off",
              out=r"^\s*-\s+%s\s+shut off\s*$" % name)
        check(["dominfo", name], "defined domain memory", out=r"^Max memory:\s+262144 KiB$")
        check(["start", name], "start", out=r"^Domain '%s' started$" % name)
        check(["domstate", name], "started domain runs", out=r"^running$")
        check(["domid", name], "started domain has an id", out=r"^[0-9]+$")
        check(["suspend", name], "suspend", out=r"^Domain '%s' suspended$" % name)
        check(["domstate", name], "suspended domain is paused", out=r"^paused$")
        check(["suspend", name], "suspend twice is an error", want_rc=1, err=r"error: ")
        check(["resume", name], "resume", out=r"^Domain '%s' resumed$" % name)
        check(["domstate", name], "resumed domain runs", out=r"^running$")
        # virsh refuses locally ("Domain is already active"); tern asks the daemon
        check(["start", name], "start twice is an error", want_rc=1,
              err=r"Domain is already active" if is_virsh else r"already running")
        check(["destroy", name], "destroy", out=r"^Domain '%s' destroyed$" % name)
        check(["domstate", name], "destroyed domain is shut off", out=r"^shut off$")
        check(["destroy", name], "destroy twice is an error", want_rc=1, err=r"error: ")
        check(["undefine", name], "undefine", out=r"^Domain '%s' has been undefined$" % name)
        check(["dominfo", name], "undefined domain is gone", want_rc=1,
              err=r"failed to get domain '%s'" % name)

        # bad XML: refused, nothing defined
        bad = os.path.join(tmp, "bad.xml")
        with open(bad, "w") as f:
            f.write("<domain type='test'><name>bad</name><memory>1</memory><hostdev/></domain>")
        check(["define", bad], "invalid XML is refused", want_rc=1, err=r"error: .*hostdev")
        check(["dominfo", "bad"], "refused XML left nothing", want_rc=1,
              err=r"failed to get domain 'bad'")

        # read-only socket: queries work, changes are refused
        check(["list", "--all"], "read-only socket lists", out=r"^\s*1\s+test\s+running",
              readonly=True)
        check(["destroy", "test"], "read-only socket refuses destroy", want_rc=1,
              err=r"read only access prevents", readonly=True)
        check(["domstate", "test"], "test domain untouched by refused destroy", out=r"^running$")

        # events: a second client watches while this one changes a domain
        evcmd = [client, "-c", uri, "event", "--all", "--loop", "--timeout", "8"]
        watcher = subprocess.Popen(evcmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env)
        time.sleep(1.5)  # let the watcher register its callbacks
        name = "demo2"
        with open(xml, "w") as f:
            f.write(DEMO_XML % {"name": name, "uuid": "2a6d4d4c-0d0b-4a4a-9d8e-3c7e2b1f0a11"})
        for args in (["define", xml], ["start", name], ["suspend", name], ["resume", name],
                     ["destroy", name], ["undefine", name]):
            run(*args)
        out, err = watcher.communicate(timeout=30)
        want = ["Defined Added", "Started Booted", "Suspended Paused", "Resumed Unpaused",
                "Stopped Destroyed", "Undefined Removed"]
        seen = [m.group(1) for m in
                re.finditer(r"event 'lifecycle' for domain '?%s'?: (.*)" % name, out)]
        tap.ok(seen == want, "%s: event --all sees the lifecycle in order" % os.path.basename(client),
               "want %s\nseen %s\nstdout:\n%s\nstderr:\n%s" % (want, seen, out, err))
        tap.ok(watcher.returncode == 0, "event --timeout ends with status 0",
               "rc %s stderr %s" % (watcher.returncode, err))

        # the daemon survived all of it and still answers
        check(["list", "--all"], "daemon still serves", out=r"^\s*1\s+test\s+running")
        d.stop()
        tap.ok(d.proc.returncode == 0, "ternd exits 0 on SIGTERM", d.logtext()[-2000:])
        tap.ok(not os.path.exists(d.socket), "ternd removed its socket on shutdown")

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
