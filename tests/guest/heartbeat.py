#!/usr/bin/env python3
"""heartbeat.py: the test guest's oracle: what a serial log says about the guest.

Usage: heartbeat.py LOG [--json]
Exit status: 0 if the heartbeats are continuous and nothing is corrupt, 1 if not, 2 on a usage
or I/O error.

The log is what the guest wrote on its serial port (tests/guest/init.c): kernel and firmware
noise, and lines

    TERN-GUEST start dirty_mib=N rate=N hb_ms=N
    TERN-HB seq=S t_ms=T dirtied_mib=D st=ok|CORRUPT
    TERN-CORRUPT page=P ...
    TERN-GUEST error: ...
    TERN-GUEST warning: ...      (e.g. no power button; not counted here)
    TERN-GUEST poweroff          (the power button was pressed; not counted here)

each possibly prefixed by a host timestamp "[<host monotonic seconds>] " added by a test that
timestamps lines as they arrive (machine-notes.md 4: only the host's clock sees downtime).
A heartbeat may follow other text on its line (the guest's line can start behind firmware or
kernel output), but must end the line. Lines that end in "\\r\\n" are fine. An unterminated last
line is still being written and is ignored.

The verdict (summarize()):
  count          heartbeats seen
  first_seq, last_seq
  continuous     at least one heartbeat, and each one's seq is the previous one's + 1: no gap
                 (a lost or mangled line, a guest that stopped), no reset (a reboot, seq 0
                 again) and no repeat
  corrupt        any heartbeat with st=CORRUPT, or any TERN-CORRUPT line
  max_gap_ms     the largest interval between consecutive heartbeats: by host timestamps if
                 every heartbeat has one, else by the guest's t_ms (which stops while the VM is
                 paused, so it cannot show downtime); None with fewer than two heartbeats
  gap_clock      "host" or "guest": which clock max_gap_ms was measured on
  max_gap_after_seq  the seq of the heartbeat before that largest interval
  breaks         the first BREAKS_MAX discontinuities, {"kind": gap|reset|repeat, "after", "next"}
  corrupt_lines, errors   the first few TERN-CORRUPT and "TERN-GUEST error" lines
  starts         how many "TERN-GUEST start" lines
  last_dirtied_mib, first_t_ms, last_t_ms, first_host_ts, last_host_ts
"""
import json
import re
import sys

HB_RE = re.compile(r"TERN-HB seq=(\d+) t_ms=(\d+) dirtied_mib=(\d+) st=(ok|CORRUPT)$")
HOST_TS_RE = re.compile(r"^\[(\d+(?:\.\d*)?)\] ")
CORRUPT_RE = re.compile(r"TERN-CORRUPT .*$")
START_RE = re.compile(r"TERN-GUEST start .*$")
ERROR_RE = re.compile(r"TERN-GUEST error: .*$")
BREAKS_MAX = 20
LINES_MAX = 20


class Heartbeat:
    """One parsed heartbeat line."""
    __slots__ = ("seq", "t_ms", "dirtied_mib", "ok", "host_ts")

    def __init__(self, seq, t_ms, dirtied_mib, ok, host_ts):
        self.seq = seq
        self.t_ms = t_ms
        self.dirtied_mib = dirtied_mib
        self.ok = ok
        self.host_ts = host_ts


def complete_lines(text):
    """The lines of @text that are finished (newline-terminated), without line endings."""
    lines = text.split("\n")
    lines.pop()   # "" after a final newline, else the unterminated line being written
    return [line.rstrip("\r") for line in lines]


def summarize(lines):
    """The verdict (see the module's docstring) for an iterable of complete lines."""
    beats = []
    corrupt_lines = []
    errors = []
    starts = 0
    for raw in lines:
        line = raw.rstrip()
        host_ts = None
        m = HOST_TS_RE.match(line)
        if m:
            host_ts = float(m.group(1))
            line = line[m.end():]
        m = HB_RE.search(line)
        if m:
            beats.append(Heartbeat(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                   m.group(4) == "ok", host_ts))
            continue
        m = CORRUPT_RE.search(line)
        if m:
            if len(corrupt_lines) < LINES_MAX:
                corrupt_lines.append(m.group(0))
            elif len(corrupt_lines) == LINES_MAX:
                corrupt_lines.append("...")
            continue
        m = START_RE.search(line)
        if m:
            starts += 1
            continue
        m = ERROR_RE.search(line)
        if m and len(errors) < LINES_MAX:
            errors.append(m.group(0))

    breaks = []
    broken = False
    for prev, cur in zip(beats, beats[1:]):
        if cur.seq == prev.seq + 1:
            continue
        broken = True
        if len(breaks) < BREAKS_MAX:
            kind = "gap" if cur.seq > prev.seq else ("repeat" if cur.seq == prev.seq else "reset")
            breaks.append({"kind": kind, "after": prev.seq, "next": cur.seq})

    use_host = bool(beats) and all(b.host_ts is not None for b in beats)
    max_gap_ms = None
    max_gap_after = None
    for prev, cur in zip(beats, beats[1:]):
        if use_host:
            gap = (cur.host_ts - prev.host_ts) * 1000.0
        else:
            gap = float(cur.t_ms - prev.t_ms)
        if max_gap_ms is None or gap > max_gap_ms:
            max_gap_ms = gap
            max_gap_after = prev.seq
    if max_gap_ms is not None:
        max_gap_ms = round(max_gap_ms, 3)

    first = beats[0] if beats else None
    last = beats[-1] if beats else None
    return {
        "count": len(beats),
        "first_seq": first.seq if first else None,
        "last_seq": last.seq if last else None,
        "continuous": bool(beats) and not broken,
        "corrupt": bool(corrupt_lines) or any(not b.ok for b in beats),
        "max_gap_ms": max_gap_ms,
        "gap_clock": "host" if use_host else "guest",
        "max_gap_after_seq": max_gap_after,
        "breaks": breaks,
        "corrupt_lines": corrupt_lines,
        "errors": errors,
        "starts": starts,
        "last_dirtied_mib": last.dirtied_mib if last else None,
        "first_t_ms": first.t_ms if first else None,
        "last_t_ms": last.t_ms if last else None,
        "first_host_ts": first.host_ts if first else None,
        "last_host_ts": last.host_ts if last else None,
    }


def summarize_text(text):
    """summarize() over the complete lines of a log's text."""
    return summarize(complete_lines(text))


def summarize_file(path):
    """summarize() over a log file; bytes that are not UTF-8 (serial noise) are replaced."""
    with open(path, "rb") as f:
        return summarize_text(f.read().decode("utf-8", errors="replace"))


def passed(result):
    """True if @result (from summarize()) shows continuous, uncorrupted heartbeats."""
    return result["continuous"] and not result["corrupt"]


def format_result(result):
    """@result as KEY=VALUE lines for people."""
    out = []
    for key, value in result.items():
        if isinstance(value, list):
            for item in value:
                out.append("%s: %s" % (key, json.dumps(item) if isinstance(item, dict) else item))
        else:
            out.append("%s=%s" % (key, json.dumps(value)))
    return "\n".join(out) + "\n"


def main(argv):
    args = [a for a in argv[1:] if a != "--json"]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: heartbeat.py LOG [--json]\n")
        return 2
    try:
        result = summarize_file(args[0])
    except OSError as e:
        sys.stderr.write("heartbeat.py: %s\n" % e)
        return 2
    if "--json" in argv[1:]:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write(format_result(result))
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
