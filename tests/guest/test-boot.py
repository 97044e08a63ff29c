#!/usr/bin/env python3
"""test-boot.py: boot the test guest under QEMU (TCG) and ask the oracle about its heartbeats.

Usage: test-boot.py VMLINUZ INITRAMFS CASE     (CASE: idle, dirty or selftest-corrupt)
Prints TAP. QEMU is $TERN_QEMU or qemu-system-x86_64 from PATH (the test is skipped without one).

The guest runs as guestvm.py runs it (TCG, pti=on, serial port to a file, QEMU killed by its
PID on every way out); we poll the serial log until WANT_BEATS heartbeats are there, within
BOOT_TIMEOUT_S.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestvm  # noqa: E402
import heartbeat  # noqa: E402

WANT_BEATS = 20
BOOT_TIMEOUT_S = 60.0
FIRST_BEAT_LIMIT_S = 15.0

# name: (extra kernel parameters, dirty rate in MiB/s to check or None, corruption expected)
CASES = {
    "idle": ("tern.dirty_mib=0", None, False),
    "dirty": ("tern.dirty_mib=64 tern.dirty_rate_mib=64", 64, False),
    # The oracle's own check: the guest spoils a page on purpose and must say so.
    "selftest-corrupt": ("tern.dirty_mib=16 tern.dirty_rate_mib=64 tern.selftest_corrupt=1",
                         None, True),
}


def run(case, kernel, initramfs):
    extra, rate, expect_corrupt = CASES[case]
    qemu, status = guestvm.find_qemu(kernel, initramfs)
    if qemu is None:
        return status

    tap = guestvm.Tap()
    with tempfile.TemporaryDirectory(prefix="tern-guest-") as workdir:
        with guestvm.GuestVM(tap, qemu, kernel, initramfs, workdir, extra) as vm:
            vm.wait_heartbeats(WANT_BEATS, BOOT_TIMEOUT_S)
        r, first_beat_s = vm.summary(), vm.first_beat_s
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
            vm.show_logs()
    return tap.done()


if __name__ == "__main__":
    sys.exit(guestvm.main(sys.argv, CASES, run))
