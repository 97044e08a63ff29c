"""benchutil.py: what the migration benchmarks (bench/migrate, bench/tunnel) share: the test
guest they migrate, their scenarios, where a build keeps what they run, how they unwind on a
signal, ratios, the JSON they write and their exit status."""
import json
import os
import signal
import sys

GUEST_MIB = 1024
HB_MS = 10
SCENARIOS = {
    "idle": {"dirty": 0, "rate": 0, "title": "idle 1 GiB guest"},
    "dirty": {"dirty": 512, "rate": 64, "title": "1 GiB guest rewriting 512 MiB at 64 MiB/s"},
}
SETTLE_S = 2.0


def logger(prog):
    """A log(msg) that writes "# @prog: msg" to stderr."""
    def log(msg):
        sys.stderr.write("# %s: %s\n" % (prog, msg))
        sys.stderr.flush()
    return log


def scenarios_chosen(arg, prog):
    """The scenarios named in the comma-separated @arg; exits naming an unknown one."""
    scenarios = [s for s in arg.split(",") if s]
    for s in scenarios:
        if s not in SCENARIOS:
            raise SystemExit("%s: unknown scenario %r" % (prog, s))
    return scenarios


def build_paths(builddir, prog):
    """(ternd, kernel, initrd) of the build in @builddir, absolute; exits naming one missing."""
    b = os.path.abspath(builddir)
    paths = (os.path.join(b, "src/daemon/ternd"), os.path.join(b, "tests/guest/vmlinuz"),
             os.path.join(b, "tests/guest/initramfs.img"))
    for p in paths:
        if not os.path.exists(p):
            raise SystemExit("%s: %s is missing (ninja -C %s)" % (prog, p, builddir))
    return paths


def unwind_on_signals():
    """SIGTERM and SIGHUP raise SystemExit, so that every finally cleans up."""
    def on_term(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)


def ratio(a, b, fmt="%.2f"):
    return fmt % (a / b) if a is not None and b else "?"


def write_json(path, rounds, scenarios, rows, summary):
    """The run's figures: per scenario its parameters, every measurement and the medians."""
    with open(path, "w") as f:
        json.dump({"guest_mib": GUEST_MIB, "hb_ms": HB_MS, "rounds": rounds,
                   "scenarios": {sc: {"params": SCENARIOS[sc], "rows": rows[sc],
                                      "medians": summary[sc]} for sc in scenarios}},
                  f, indent=2)


def exit_status(broken):
    """1 after naming the (scenario, row) pairs in @broken that failed or broke the guest, else
    0."""
    if broken:
        print("\nfailed or broke the guest: %s" % ", ".join("%s/%s" % x for x in broken))
        return 1
    return 0
