#!/usr/bin/env python3
"""test_heartbeat.py: heartbeat.py, the serial-log oracle, against made-up logs.

Plain unittest; meson runs it with the exitcode protocol.
"""
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heartbeat  # noqa: E402


def hb(seq, t_ms=None, dirtied=0, st="ok"):
    """A heartbeat line as init.c prints it (without line ending)."""
    if t_ms is None:
        t_ms = 3000 + 100 * seq
    return "TERN-HB seq=%d t_ms=%d dirtied_mib=%d st=%s" % (seq, t_ms, dirtied, st)


def log(*lines, end="\n"):
    """A log's text: @lines joined by @end, terminated by it."""
    return "".join(line + end for line in lines)


START = "TERN-GUEST start dirty_mib=64 rate=64 hb_ms=100"
BOOT_NOISE = [
    "\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)",
    "Booting from ROM...",
    "[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)",
    "[    1.234567] Run /init as init process",
]


class Continuous(unittest.TestCase):
    def test_clean_log(self):
        r = heartbeat.summarize_text(log(*BOOT_NOISE, START, *[hb(i) for i in range(20)]))
        self.assertTrue(r["continuous"])
        self.assertFalse(r["corrupt"])
        self.assertEqual((r["first_seq"], r["last_seq"], r["count"]), (0, 19, 20))
        self.assertEqual(r["max_gap_ms"], 100.0)
        self.assertEqual(r["gap_clock"], "guest")
        self.assertEqual(r["starts"], 1)
        self.assertEqual(r["breaks"], [])
        self.assertTrue(heartbeat.passed(r))

    def test_crlf_line_endings(self):
        r = heartbeat.summarize_text(log(START, *[hb(i) for i in range(5)], end="\r\n"))
        self.assertTrue(heartbeat.passed(r))
        self.assertEqual(r["count"], 5)

    def test_log_may_start_mid_stream(self):
        """A destination's log starts wherever the source stopped."""
        r = heartbeat.summarize_text(log(*[hb(i) for i in range(40, 50)]))
        self.assertTrue(heartbeat.passed(r))
        self.assertEqual((r["first_seq"], r["last_seq"]), (40, 49))

    def test_largest_gap_by_guest_clock(self):
        times = [1000, 1100, 1200, 1750, 1850]
        r = heartbeat.summarize_text(log(*[hb(i, t) for i, t in enumerate(times)]))
        self.assertTrue(r["continuous"])
        self.assertEqual(r["max_gap_ms"], 550.0)
        self.assertEqual(r["max_gap_after_seq"], 2)

    def test_largest_gap_by_host_clock(self):
        """The guest clock stops while paused; the host timestamps show the downtime."""
        host = [10.0, 10.1, 10.2, 10.467, 10.567]
        lines = ["[%.3f] %s" % (h, hb(i)) for i, h in enumerate(host)]
        r = heartbeat.summarize_text(log("[9.500] " + START, *lines))
        self.assertTrue(r["continuous"])
        self.assertEqual(r["gap_clock"], "host")
        self.assertAlmostEqual(r["max_gap_ms"], 267.0, places=3)
        self.assertEqual(r["max_gap_after_seq"], 2)
        self.assertEqual((r["first_host_ts"], r["last_host_ts"]), (10.0, 10.567))

    def test_host_timestamp_on_only_some_lines_falls_back_to_guest_clock(self):
        lines = ["[5.0] " + hb(0), hb(1), "[5.9] " + hb(2)]
        r = heartbeat.summarize_text(log(*lines))
        self.assertTrue(r["continuous"])
        self.assertEqual(r["gap_clock"], "guest")
        self.assertEqual(r["max_gap_ms"], 100.0)

    def test_kernel_timestamps_are_not_host_timestamps(self):
        r = heartbeat.summarize_text(log(*BOOT_NOISE, hb(0), hb(1)))
        self.assertEqual(r["gap_clock"], "guest")

    def test_single_heartbeat_has_no_gap(self):
        r = heartbeat.summarize_text(log(hb(0)))
        self.assertTrue(r["continuous"])
        self.assertIsNone(r["max_gap_ms"])


class Broken(unittest.TestCase):
    def test_gap(self):
        r = heartbeat.summarize_text(log(*[hb(i) for i in (0, 1, 2, 5, 6)]))
        self.assertFalse(r["continuous"])
        self.assertFalse(r["corrupt"])
        self.assertEqual(r["breaks"], [{"kind": "gap", "after": 2, "next": 5}])
        self.assertFalse(heartbeat.passed(r))

    def test_reset_to_zero(self):
        """The guest rebooted: a second start line and seq 0 again."""
        text = log(START, *[hb(i) for i in range(4)], START, *[hb(i) for i in range(3)])
        r = heartbeat.summarize_text(text)
        self.assertFalse(r["continuous"])
        self.assertEqual(r["breaks"], [{"kind": "reset", "after": 3, "next": 0}])
        self.assertEqual(r["starts"], 2)
        self.assertEqual(r["last_seq"], 2)

    def test_repeat(self):
        r = heartbeat.summarize_text(log(hb(0), hb(1), hb(1), hb(2)))
        self.assertFalse(r["continuous"])
        self.assertEqual(r["breaks"], [{"kind": "repeat", "after": 1, "next": 1}])

    def test_no_heartbeat_is_not_continuous(self):
        for text in ("", log(*BOOT_NOISE), log("TERN-GUEST error: tern.hb_ms=0: want 1..60000")):
            r = heartbeat.summarize_text(text)
            self.assertFalse(r["continuous"])
            self.assertEqual(r["count"], 0)
            self.assertIsNone(r["first_seq"])
            self.assertIsNone(r["max_gap_ms"])
        self.assertEqual(r["errors"], ["TERN-GUEST error: tern.hb_ms=0: want 1..60000"])

    def test_breaks_are_capped(self):
        r = heartbeat.summarize_text(log(*[hb(2 * i) for i in range(100)]))
        self.assertEqual(len(r["breaks"]), heartbeat.BREAKS_MAX)


class Corrupt(unittest.TestCase):
    def test_corrupt_status_is_reported(self):
        lines = [hb(0), hb(1), hb(2, st="CORRUPT"), hb(3, st="CORRUPT")]
        r = heartbeat.summarize_text(log(*lines))
        self.assertTrue(r["continuous"])
        self.assertTrue(r["corrupt"])
        self.assertFalse(heartbeat.passed(r))

    def test_corrupt_line_alone_is_corrupt(self):
        line = "TERN-CORRUPT page=2048 want_gen=1 word=5 found=other value=0x38de4930ca08d9e0"
        r = heartbeat.summarize_text(log(hb(0), line, hb(1)))
        self.assertTrue(r["corrupt"])
        self.assertEqual(r["corrupt_lines"], [line])

    def test_corrupt_lines_are_capped(self):
        lines = ["TERN-CORRUPT page=%d want_gen=1" % i for i in range(50)]
        r = heartbeat.summarize_text(log(*lines))
        self.assertEqual(len(r["corrupt_lines"]), heartbeat.LINES_MAX + 1)
        self.assertEqual(r["corrupt_lines"][-1], "...")


class Garbage(unittest.TestCase):
    def test_kernel_messages_interleaved(self):
        lines = [hb(0), "[    4.101010] random: crng init done", hb(1),
                 "\x00\xff binary noise", "[    5.2] clocksource: Switched to clocksource tsc",
                 hb(2), "", "   ", hb(3)]
        r = heartbeat.summarize_text(log(*lines))
        self.assertTrue(heartbeat.passed(r))
        self.assertEqual(r["count"], 4)

    def test_heartbeat_behind_other_text_on_its_line(self):
        r = heartbeat.summarize_text(log("Booting from ROM..\x1b[0m." + START,
                                         "\x1b[2J" + hb(0), hb(1)))
        self.assertTrue(heartbeat.passed(r))
        self.assertEqual(r["starts"], 1)
        self.assertEqual(r["count"], 2)

    def test_heartbeat_split_by_a_kernel_message_is_lost(self):
        """The oracle does not guess: the mangled line is a gap."""
        lines = [hb(0), "TERN-HB seq=1 t_[    6.0] some kernel message",
                 "ms=3100 dirtied_mib=0 st=ok", hb(2)]
        r = heartbeat.summarize_text(log(*lines))
        self.assertFalse(r["continuous"])
        self.assertEqual(r["breaks"], [{"kind": "gap", "after": 0, "next": 2}])

    def test_heartbeat_must_end_its_line(self):
        r = heartbeat.summarize_text(log(hb(0), hb(1) + "x", hb(1) + " trailing"))
        self.assertEqual(r["count"], 1)

    def test_malformed_heartbeats_are_ignored(self):
        lines = [hb(0), "TERN-HB seq=-1 t_ms=0 dirtied_mib=0 st=ok",
                 "TERN-HB seq=1 t_ms=3100 dirtied_mib=0 st=maybe",
                 "TERN-HB seq=x t_ms=3100 dirtied_mib=0 st=ok", hb(1)]
        r = heartbeat.summarize_text(log(*lines))
        self.assertTrue(heartbeat.passed(r))
        self.assertEqual(r["count"], 2)


class PartialLastLine(unittest.TestCase):
    def test_unterminated_last_line_is_ignored(self):
        for tail in ("TERN-HB seq=5 t_ms=35", "TERN-HB seq=5 t_ms=3500 dirtied_mib=0 st=o",
                     "TERN-HB seq=5 t_ms=3500 dirtied_mib=0 st=CORRUPT",
                     "TERN-CORRUPT page=1", "[12.5] TERN-HB seq=9"):
            r = heartbeat.summarize_text(log(*[hb(i) for i in range(5)]) + tail)
            self.assertTrue(heartbeat.passed(r), tail)
            self.assertEqual(r["last_seq"], 4, tail)

    def test_terminated_last_line_counts(self):
        r = heartbeat.summarize_text(log(*[hb(i) for i in range(6)]))
        self.assertEqual(r["last_seq"], 5)

    def test_partial_line_after_crlf(self):
        r = heartbeat.summarize_text(log(hb(0), hb(1), end="\r\n") + "TERN-HB seq=2 t_ms=3")
        self.assertEqual((r["count"], r["last_seq"]), (2, 1))


class Cli(unittest.TestCase):
    def run_cli(self, text, *opts):
        with tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False) as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        try:
            out = io.StringIO()
            with redirect_stdout(out), redirect_stderr(io.StringIO()):
                rc = heartbeat.main(["heartbeat.py", f.name] + list(opts))
            return rc, out.getvalue()
        finally:
            os.unlink(f.name)

    def test_good_log_exits_0(self):
        rc, out = self.run_cli(log(START, *[hb(i) for i in range(3)]))
        self.assertEqual(rc, 0)
        self.assertIn("continuous=true", out)
        self.assertIn("max_gap_ms=100.0", out)

    def test_bad_logs_exit_1(self):
        self.assertEqual(self.run_cli(log(hb(0), hb(2)))[0], 1)
        self.assertEqual(self.run_cli(log(hb(0), hb(1, st="CORRUPT")))[0], 1)
        self.assertEqual(self.run_cli("")[0], 1)

    def test_json(self):
        rc, out = self.run_cli(log(hb(7), hb(8)), "--json")
        self.assertEqual(rc, 0)
        r = json.loads(out)
        for key in ("first_seq", "last_seq", "continuous", "corrupt", "max_gap_ms", "count"):
            self.assertIn(key, r)
        self.assertEqual((r["first_seq"], r["last_seq"], r["count"]), (7, 8, 2))

    def test_invalid_utf8_is_tolerated(self):
        rc, _ = self.run_cli(b"\xff\xfe\x00garbage\n" + log(hb(0), hb(1)).encode())
        self.assertEqual(rc, 0)

    def test_usage_and_missing_file_exit_2(self):
        with redirect_stderr(io.StringIO()):
            self.assertEqual(heartbeat.main(["heartbeat.py"]), 2)
            self.assertEqual(heartbeat.main(["heartbeat.py", "/nonexistent/serial.log"]), 2)


if __name__ == "__main__":
    unittest.main()
