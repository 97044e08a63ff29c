#!/usr/bin/env python3
"""test-powerdown.py: the test guest powers off on an ACPI power-button press.

Usage: test-powerdown.py VMLINUZ INITRAMFS CASE     (CASE: idle or busy)
Prints TAP. QEMU is $TERN_QEMU or qemu-system-x86_64 from PATH (the test is skipped without one).

Boots the guest exactly as test-boot.py does (TCG, pti=on, serial port to a file; its
qemu_argv), plus a QMP socket, and without -no-shutdown, so that a guest poweroff makes QEMU
exit. After WANT_BEATS heartbeats it sends qmp_capabilities and system_powerdown over the raw
socket and expects QEMU to exit by itself, with status 0, within POWEROFF_LIMIT_S, the serial
log to say "TERN-GUEST poweroff" (init.c), with no "TERN-GUEST warning" (a power button was
found) and the heartbeats continuous until then. This is what ternd's graceful shutdown relies
on. Cases: idle (the guest waits in ppoll between heartbeats) and busy (it rewrites memory flat
out, so it only looks at the button after each heartbeat).

QEMU is killed by its PID on every way out, as in test-boot.py.
"""
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import heartbeat  # noqa: E402


def _load_test_boot():
    """test-boot.py as a module (its name is not an identifier): one QEMU command line for both."""
    spec = importlib.util.spec_from_file_location("test_boot", os.path.join(HERE, "test-boot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


test_boot = _load_test_boot()
Tap = test_boot.Tap

WANT_BEATS = 10
BOOT_TIMEOUT_S = 60.0
POWEROFF_LIMIT_S = 15.0
QMP_TIMEOUT_S = 10.0
POLL_S = 0.05
POWEROFF_MARK = "TERN-GUEST poweroff"
WARNING_MARK = "TERN-GUEST warning"

CASES = {
    "idle": "tern.dirty_mib=0",
    "busy": "tern.dirty_mib=32 tern.dirty_rate_mib=0",
}


class Qmp:
    """The least QMP client: one command at a time, events collected on the way."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(QMP_TIMEOUT_S)
        self.sock.connect(path)
        self.file = self.sock.makefile("rwb")
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError("not a QMP greeting: %r" % greeting)

    def _read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("QMP connection closed")
        return json.loads(line)

    def command(self, name):
        """Send @name; return its reply ({"return": ...} or {"error": ...})."""
        self.file.write(json.dumps({"execute": name}).encode() + b"\r\n")
        self.file.flush()
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg["event"])
                continue
            return msg

    def drain_events(self, timeout):
        """Collect events until the connection closes (QEMU exited) or @timeout passes."""
        self.sock.settimeout(timeout)
        try:
            while True:
                msg = self._read()
                if "event" in msg:
                    self.events.append(msg["event"])
        except (EOFError, OSError, ValueError):
            pass

    def close(self):
        for obj in (self.file, self.sock):
            try:
                obj.close()
            except OSError:
                pass


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def run(case, kernel, initramfs):
    qemu = os.environ.get("TERN_QEMU") or shutil.which("qemu-system-x86_64")
    if not qemu:
        print("1..0 # SKIP qemu-system-x86_64 not found (scripts/install-deps.sh installs it)")
        return 0
    for path in (kernel, initramfs):
        if not os.path.isfile(path):
            print("Bail out! %s is missing (tests/guest/build-guest.sh builds it)" % path)
            return 1

    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="tern-guest-") as workdir:
        log = os.path.join(workdir, "serial.log")
        qemu_out = os.path.join(workdir, "qemu.out")
        qmp_path = os.path.join(workdir, "qmp.sock")
        argv = test_boot.qemu_argv(qemu, kernel, initramfs, log, CASES[case])
        argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp_path]
        tap.diag("qemu: " + " ".join(argv))
        result = heartbeat.summarize_text("")
        qmp = None
        exit_s = None
        with open(qemu_out, "wb") as out:
            start = time.monotonic()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT,
                                    preexec_fn=test_boot.die_with_parent)
        try:
            deadline = start + BOOT_TIMEOUT_S
            while time.monotonic() < deadline and proc.poll() is None:
                result = heartbeat.summarize_file(log) if os.path.exists(log) else result
                if result["count"] >= WANT_BEATS or result["errors"]:
                    break
                time.sleep(POLL_S)
            booted = tap.ok(result["count"] >= WANT_BEATS and proc.poll() is None,
                            "%d heartbeats within %.0f s (got %d)"
                            % (WANT_BEATS, BOOT_TIMEOUT_S, result["count"]))
            tap.ok(WARNING_MARK not in read_log(log),
                   "no \"%s\" line: the guest found its power button" % WARNING_MARK)
            if booted:
                try:
                    qmp = Qmp(qmp_path)
                    reply = qmp.command("qmp_capabilities")
                    tap.ok("return" in reply, "qmp_capabilities: %s" % json.dumps(reply))
                    sent = time.monotonic()
                    reply = qmp.command("system_powerdown")
                    tap.ok("return" in reply, "system_powerdown: %s" % json.dumps(reply))
                except (OSError, EOFError, ValueError, RuntimeError) as e:
                    tap.ok(False, "QMP: %s" % e)
                else:
                    try:
                        proc.wait(timeout=POWEROFF_LIMIT_S)
                        exit_s = time.monotonic() - sent
                    except subprocess.TimeoutExpired:
                        pass
                    qmp.drain_events(1.0)
                    tap.diag("QMP events: %s" % " ".join(qmp.events))
        finally:
            if qmp is not None:
                qmp.close()
            if proc.poll() is None:
                proc.kill()   # by PID: Popen.kill() is os.kill(proc.pid, SIGKILL)
            proc.wait()

        if exit_s is not None:
            tap.diag("poweroff: QEMU exited %.3f s after system_powerdown" % exit_s)
        tap.ok(exit_s is not None and proc.returncode == 0,
               "QEMU exits by itself with status 0 within %.0f s of system_powerdown (%s)"
               % (POWEROFF_LIMIT_S, "still running: killed" if exit_s is None
                  else "status %d after %.2f s" % (proc.returncode, exit_s)))
        text = read_log(log)
        tap.ok(POWEROFF_MARK in text, "the log says \"%s\"" % POWEROFF_MARK)
        result = heartbeat.summarize_file(log) if os.path.exists(log) else result
        tap.ok(heartbeat.passed(result) and result["starts"] == 1,
               "heartbeats continuous and uncorrupted until then (seq %s..%s, max gap %s ms)"
               % (result["first_seq"], result["last_seq"], result["max_gap_ms"]))
        tail = text.split(POWEROFF_MARK, 1)[1] if POWEROFF_MARK in text else ""
        tap.ok(POWEROFF_MARK in text and heartbeat.summarize_text(tail)["count"] == 0,
               "no heartbeat after the poweroff line")
        if tap.failed:
            test_boot.show_log(log)
            test_boot.show_log(qemu_out, 10)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


def on_sigterm(signum, frame):
    raise SystemExit(128 + signum)   # unwinds through run()'s finally: QEMU is killed


def main(argv):
    if len(argv) != 4 or argv[3] not in CASES:
        sys.stderr.write("usage: test-powerdown.py VMLINUZ INITRAMFS %s\n" % "|".join(CASES))
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    return run(argv[3], argv[1], argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
