#!/usr/bin/env python3
"""test-powerdown.py: the test guest powers off on an ACPI power-button press.

Usage: test-powerdown.py VMLINUZ INITRAMFS CASE     (CASE: idle or busy)
Prints TAP. QEMU is $TERN_QEMU or qemu-system-x86_64 from PATH (the test is skipped without one).

Boots the guest exactly as test-boot.py does (guestvm.py: TCG, pti=on, serial port to a file),
plus a QMP socket, and without -no-shutdown, so that a guest poweroff makes QEMU exit. After
WANT_BEATS heartbeats it sends qmp_capabilities and system_powerdown over the raw socket and
expects QEMU to exit by itself, with status 0, within POWEROFF_LIMIT_S, the serial log to say
"TERN-GUEST poweroff" (init.c), with no "TERN-GUEST warning" (a power button was found) and the
heartbeats continuous until then. This is what ternd's graceful shutdown relies on. Cases: idle
(the guest waits in ppoll between heartbeats) and busy (it rewrites memory flat out, so it only
looks at the button after each heartbeat).

QEMU is killed by its PID on every way out, as in test-boot.py.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestvm  # noqa: E402
import heartbeat  # noqa: E402

WANT_BEATS = 10
BOOT_TIMEOUT_S = 60.0
POWEROFF_LIMIT_S = 15.0
QMP_TIMEOUT_S = 10.0
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


def run(case, kernel, initramfs):
    qemu, status = guestvm.find_qemu(kernel, initramfs)
    if qemu is None:
        return status

    tap = guestvm.Tap()
    with tempfile.TemporaryDirectory(prefix="tern-guest-") as workdir:
        qmp_path = os.path.join(workdir, "qmp.sock")
        qmp = None
        exit_s = None
        # QEMU is killed on leaving the with block, after the QMP connection is closed
        with guestvm.GuestVM(tap, qemu, kernel, initramfs, workdir, CASES[case],
                             ["-qmp", "unix:%s,server=on,wait=off" % qmp_path]) as vm:
            result = vm.wait_heartbeats(WANT_BEATS, BOOT_TIMEOUT_S)
            booted = tap.ok(result["count"] >= WANT_BEATS and vm.proc.poll() is None,
                            "%d heartbeats within %.0f s (got %d)"
                            % (WANT_BEATS, BOOT_TIMEOUT_S, result["count"]))
            tap.ok(WARNING_MARK not in guestvm.read_log(vm.log),
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
                        vm.proc.wait(timeout=POWEROFF_LIMIT_S)
                        exit_s = time.monotonic() - sent
                    except subprocess.TimeoutExpired:
                        pass
                    qmp.drain_events(1.0)
                    tap.diag("QMP events: %s" % " ".join(qmp.events))
                finally:
                    if qmp is not None:
                        qmp.close()

        if exit_s is not None:
            tap.diag("poweroff: QEMU exited %.3f s after system_powerdown" % exit_s)
        tap.ok(exit_s is not None and vm.proc.returncode == 0,
               "QEMU exits by itself with status 0 within %.0f s of system_powerdown (%s)"
               % (POWEROFF_LIMIT_S, "still running: killed" if exit_s is None
                  else "status %d after %.2f s" % (vm.proc.returncode, exit_s)))
        text = guestvm.read_log(vm.log)
        tap.ok(POWEROFF_MARK in text, "the log says \"%s\"" % POWEROFF_MARK)
        result = vm.summary()
        tap.ok(heartbeat.passed(result) and result["starts"] == 1,
               "heartbeats continuous and uncorrupted until then (seq %s..%s, max gap %s ms)"
               % (result["first_seq"], result["last_seq"], result["max_gap_ms"]))
        tail = text.split(POWEROFF_MARK, 1)[1] if POWEROFF_MARK in text else ""
        tap.ok(POWEROFF_MARK in text and heartbeat.summarize_text(tail)["count"] == 0,
               "no heartbeat after the poweroff line")
        if tap.failed:
            vm.show_logs()
    return tap.done()


if __name__ == "__main__":
    sys.exit(guestvm.main(sys.argv, CASES, run))
