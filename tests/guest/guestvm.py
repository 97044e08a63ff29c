"""guestvm.py: the test guest under QEMU (TCG) for the tests of tests/guest, killed on every way out.

What test-boot.py and test-powerdown.py share: TAP output, finding QEMU and the guest's files,
QEMU's command line, a QEMU that is killed by its PID when the `with` block is left (failures
and SIGTERM from meson's timeout included) and dies with us anyway (PR_SET_PDEATHSIG) if we are
killed outright, and the wait for heartbeats in the serial log (G13: poll for the marker, do
not sleep a fixed time).

Always TCG, never KVM, even where /dev/kvm exists: on these machines KVM is a nested software
hypervisor that cannot run a Linux guest (machine-notes.md 1). Always pti=on (machine-notes.md
2). The guest's serial port goes to a file.
"""
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heartbeat  # noqa: E402

POLL_S = 0.05
PR_SET_PDEATHSIG = 1


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        return cond

    @staticmethod
    def diag(text):
        for line in text.splitlines():
            print("# " + line, flush=True)

    def done(self):
        """Print the plan; return the exit status: 1 if any test failed."""
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def find_qemu(kernel, initramfs):
    """(QEMU's path, None) when the guest can run; else (None, exit status) after printing the
    TAP line that says why: a skip without QEMU ($TERN_QEMU or qemu-system-x86_64 from PATH),
    a bail-out without the kernel or the initramfs."""
    qemu = os.environ.get("TERN_QEMU") or shutil.which("qemu-system-x86_64")
    if not qemu:
        print("1..0 # SKIP qemu-system-x86_64 not found (scripts/install-deps.sh installs it)")
        return None, 0
    for path in (kernel, initramfs):
        if not os.path.isfile(path):
            print("Bail out! %s is missing (tests/guest/build-guest.sh builds it)" % path)
            return None, 1
    return qemu, None


def die_with_parent():
    """In the child, before exec: SIGKILL QEMU if this script dies without cleaning up."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def qemu_argv(qemu, kernel, initramfs, log, extra):
    return [qemu, "-accel", "tcg", "-m", "256", "-nodefaults", "-nographic", "-display", "none",
            "-no-reboot", "-serial", "file:" + log, "-kernel", kernel, "-initrd", initramfs,
            # panic=-1: a guest whose init dies reboots at once, which -no-reboot makes an exit.
            "-append", "console=ttyS0 pti=on %s quiet panic=-1" % extra]


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def show_log(path, lines=40):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        Tap.diag("%s: %s" % (path, e))
        return
    Tap.diag("last %d lines of %s:" % (lines, os.path.basename(path)))
    Tap.diag("\n".join(text.splitlines()[-lines:]))


class GuestVM:
    """One QEMU running the test guest in @workdir, for the length of a `with` block.

    The serial log is workdir/serial.log (self.log), QEMU's own output workdir/qemu.out
    (self.qemu_out); @extra are kernel parameters, @more_args go after the command line of
    qemu_argv(). self.proc is the Popen, self.start the monotonic time just before it."""

    def __init__(self, tap, qemu, kernel, initramfs, workdir, extra, more_args=()):
        self.tap = tap
        self.log = os.path.join(workdir, "serial.log")
        self.qemu_out = os.path.join(workdir, "qemu.out")
        self.argv = qemu_argv(qemu, kernel, initramfs, self.log, extra) + list(more_args)
        self.proc = None
        self.start = None
        self.first_beat_s = None

    def __enter__(self):
        self.tap.diag("qemu: " + " ".join(self.argv))
        with open(self.qemu_out, "wb") as out:
            self.start = time.monotonic()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()   # by PID: Popen.kill() is os.kill(proc.pid, SIGKILL)
        self.proc.wait()
        return False

    def summary(self):
        """The oracle's summary of the serial log so far (of an empty log before it exists)."""
        if os.path.exists(self.log):
            return heartbeat.summarize_file(self.log)
        return heartbeat.summarize_text("")

    def wait_heartbeats(self, want, timeout_s):
        """Poll the serial log until it holds @want heartbeats or a guest error, QEMU exits, or
        @timeout_s have passed since QEMU's start; return the last summary. Sets
        self.first_beat_s, the seconds from QEMU's start to the first heartbeat seen."""
        result = heartbeat.summarize_text("")
        deadline = self.start + timeout_s
        while time.monotonic() < deadline:
            if os.path.exists(self.log):
                result = heartbeat.summarize_file(self.log)
                if result["count"] > 0 and self.first_beat_s is None:
                    self.first_beat_s = time.monotonic() - self.start
                if result["count"] >= want or result["errors"]:
                    break
            if self.proc.poll() is not None:
                self.tap.diag("qemu exited early with status %d" % self.proc.returncode)
                break
            time.sleep(POLL_S)
        return result

    def show_logs(self):
        """The tails of the serial log and of QEMU's output, as TAP comments."""
        show_log(self.log)
        show_log(self.qemu_out, 10)


def on_sigterm(signum, frame):
    raise SystemExit(128 + signum)   # unwinds through GuestVM's __exit__: QEMU is killed


def main(argv, cases, run):
    """The command line of the guest tests: SCRIPT VMLINUZ INITRAMFS CASE, CASE one of @cases;
    returns run(case, kernel, initramfs)."""
    if len(argv) != 4 or argv[3] not in cases:
        sys.stderr.write("usage: %s VMLINUZ INITRAMFS %s\n"
                         % (os.path.basename(argv[0]), "|".join(cases)))
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    return run(argv[3], argv[1], argv[2])
