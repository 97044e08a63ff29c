#!/usr/bin/env python3
"""test-boot.py: boot the test guest under QEMU (TCG) and ask the oracle about its heartbeats.

Usage: test-boot.py VMLINUZ INITRAMFS CASE     (CASE: idle, dirty or selftest-corrupt)
Prints TAP. QEMU is $TERN_QEMU or qemu-system-x86_64 from PATH (the test is skipped without one).

Always TCG, never KVM, even where /dev/kvm exists: on these machines KVM is a nested software
hypervisor that cannot run a Linux guest (machine-notes.md 1). Always pti=on (machine-notes.md
2). The guest's serial port goes to a file, which we poll (G13: wait for the marker, do not
sleep a fixed time) until WANT_BEATS heartbeats are there, within BOOT_TIMEOUT_S. QEMU is
killed by its PID on every way out, failures and SIGTERM from meson's timeout included, and
dies with us anyway (PR_SET_PDEATHSIG) if we are killed outright.
"""
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heartbeat  # noqa: E402

WANT_BEATS = 20
BOOT_TIMEOUT_S = 60.0
FIRST_BEAT_LIMIT_S = 15.0
POLL_S = 0.05
PR_SET_PDEATHSIG = 1

# name: (extra kernel parameters, dirty rate in MiB/s to check or None, corruption expected)
CASES = {
    "idle": ("tern.dirty_mib=0", None, False),
    "dirty": ("tern.dirty_mib=64 tern.dirty_rate_mib=64", 64, False),
    # The oracle's own check: the guest spoils a page on purpose and must say so.
    "selftest-corrupt": ("tern.dirty_mib=16 tern.dirty_rate_mib=64 tern.selftest_corrupt=1",
                         None, True),
}


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


def die_with_parent():
    """In the child, before exec: SIGKILL QEMU if this script dies without cleaning up."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def qemu_argv(qemu, kernel, initramfs, log, extra):
    return [qemu, "-accel", "tcg", "-m", "256", "-nodefaults", "-nographic", "-display", "none",
            "-no-reboot", "-serial", "file:" + log, "-kernel", kernel, "-initrd", initramfs,
            # panic=-1: a guest whose init dies reboots at once, which -no-reboot makes an exit.
            "-append", "console=ttyS0 pti=on %s quiet panic=-1" % extra]


def boot(tap, qemu, kernel, initramfs, workdir, extra):
    """Run the guest until WANT_BEATS heartbeats; return (summary, seconds to first beat)."""
    log = os.path.join(workdir, "serial.log")
    qemu_out = os.path.join(workdir, "qemu.out")
    argv = qemu_argv(qemu, kernel, initramfs, log, extra)
    tap.diag("qemu: " + " ".join(argv))
    first_beat_s = None
    result = heartbeat.summarize_text("")
    with open(qemu_out, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        deadline = start + BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if os.path.exists(log):
                result = heartbeat.summarize_file(log)
                if result["count"] > 0 and first_beat_s is None:
                    first_beat_s = time.monotonic() - start
                if result["count"] >= WANT_BEATS or result["errors"]:
                    break
            if proc.poll() is not None:
                tap.diag("qemu exited early with status %d" % proc.returncode)
                break
            time.sleep(POLL_S)
    finally:
        if proc.poll() is None:
            proc.kill()   # by PID: Popen.kill() is os.kill(proc.pid, SIGKILL)
        proc.wait()
    if os.path.exists(log):
        result = heartbeat.summarize_file(log)
    return result, first_beat_s, log, qemu_out


def show_log(path, lines=40):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        Tap.diag("%s: %s" % (path, e))
        return
    Tap.diag("last %d lines of %s:" % (lines, os.path.basename(path)))
    Tap.diag("\n".join(text.splitlines()[-lines:]))


def run(case, kernel, initramfs):
    extra, rate, expect_corrupt = CASES[case]
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
        r, first_beat_s, log, qemu_out = boot(tap, qemu, kernel, initramfs, workdir, extra)
        if first_beat_s is not None:
            tap.diag("boot-to-first-heartbeat: %.2f s on the host (guest clock then: %s ms)"
                     % (first_beat_s, r["first_t_ms"]))
        tap.ok(r["count"] >= WANT_BEATS,
               "%d heartbeats within %.0f s (got %d)" % (WANT_BEATS, BOOT_TIMEOUT_S, r["count"]))
        tap.ok(first_beat_s is not None and first_beat_s <= FIRST_BEAT_LIMIT_S,
               "first heartbeat within %.0f s of QEMU's start (%s)"
               % (FIRST_BEAT_LIMIT_S, "none" if first_beat_s is None else "%.2f s" % first_beat_s))
        tap.ok(r["starts"] == 1 and r["first_seq"] == 0 and not r["errors"],
               "one start line, heartbeats from seq 0, no guest error")
        tap.ok(r["continuous"], "heartbeats continuous (seq %s..%s, max gap %s ms, breaks %s)"
               % (r["first_seq"], r["last_seq"], r["max_gap_ms"], r["breaks"]))
        if expect_corrupt:
            tap.ok(r["corrupt"] and len(r["corrupt_lines"]) > 0,
                   "spoilt page reported: %s" % (r["corrupt_lines"][:1] or "nothing"))
            tap.ok(not heartbeat.passed(r), "the oracle fails the log")
        else:
            tap.ok(not r["corrupt"], "not corrupt" + (" %s" % r["corrupt_lines"][:3]
                                                      if r["corrupt_lines"] else ""))
            tap.ok(heartbeat.passed(r), "the oracle passes the log")
        dirtied = r["last_dirtied_mib"] or 0
        if rate is None and not expect_corrupt:
            tap.ok(dirtied == 0, "idle: nothing dirtied (dirtied_mib=%d)" % dirtied)
        elif rate is not None:
            span_s = ((r["last_t_ms"] or 0) - (r["first_t_ms"] or 0)) / 1000.0
            measured = dirtied / span_s if span_s > 0 else 0.0
            tap.ok(0.5 * rate <= measured <= 1.2 * rate + 2,
                   "dirty rate %.1f MiB/s, asked %d (%d MiB in %.2f s of guest time)"
                   % (measured, rate, dirtied, span_s))
        else:
            tap.ok(dirtied > 0, "memory dirtied (dirtied_mib=%d)" % dirtied)
        if tap.failed:
            show_log(log)
            show_log(qemu_out, 10)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


def on_sigterm(signum, frame):
    raise SystemExit(128 + signum)   # unwinds through boot()'s finally: QEMU is killed


def main(argv):
    if len(argv) != 4 or argv[3] not in CASES:
        sys.stderr.write("usage: test-boot.py VMLINUZ INITRAMFS %s\n" % "|".join(CASES))
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    return run(argv[3], argv[1], argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
