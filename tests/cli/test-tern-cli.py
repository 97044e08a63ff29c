#!/usr/bin/env python3
"""test-tern-cli.py: every tern command against test:///default, compared with golden files.

Each case runs the built tern once (a fresh in-process test hypervisor every time, so a case
that needs state builds it with a ';'-separated command line) and records its exit status,
stdout and stderr in tests/data/cli/<case>.out. What changes from run to run is masked first:
the CPU time dominfo shows, the host name, the temporary socket directory.

Usage: test-tern-cli.py TERN_BINARY DATA_DIR [CASE...]
TERN_TEST_REGENERATE=1 rewrites the golden files from what tern prints now.
"""
import difflib
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile

URI = ["-c", "test:///default"]

# (case name, arguments after "tern"); cwd is DATA_DIR, so "demo.xml" is tests/data/cli/demo.xml
CASES = [
    # help, generated from the command table
    ("help", URI + ["help"]),
    ("help-domid", URI + ["help", "domid"]),
    ("help-event", URI + ["help", "event"]),
    ("help-unknown", URI + ["help", "nosuch"]),
    ("help-option", URI + ["domstate", "--help"]),
    ("global-help", ["--help"]),
    ("global-version", ["--version"]),
    ("global-unknown-option", ["-z", "list"]),
    ("global-missing-uri", ["-c"]),
    ("no-command", URI),
    ("default-uri-unreachable", ["uri"]),

    # host
    ("version", URI + ["version"]),
    ("version-daemon", URI + ["version", "--daemon"]),
    ("uri", URI + ["uri"]),
    ("hostname", URI + ["hostname"]),

    # listing
    ("list", URI + ["list"]),
    ("list-all", URI + ["list", "--all"]),
    ("list-inactive", URI + ["list", "--inactive"]),
    ("list-name", URI + ["list", "--name"]),
    ("list-uuid", URI + ["list", "--uuid"]),
    ("list-name-uuid", URI + ["list", "--name", "--uuid"]),
    ("list-sorted", URI + ["define demo.xml; list --all; start demo; list; list --all --name"]),
    ("list-quiet", ["-q"] + URI + ["define demo.xml; list --all; list --inactive"]),

    # one domain
    ("dominfo", URI + ["dominfo", "test"]),
    ("dominfo-by-id", URI + ["dominfo", "1"]),
    ("dominfo-by-uuid", URI + ["dominfo", "6695eb01-f6a4-8304-79aa-97f2502e193f"]),
    ("dominfo-by-option", URI + ["dominfo", "--domain=test"]),
    ("dominfo-inactive", URI + ["define demo.xml; dominfo demo"]),
    ("dominfo-unknown", URI + ["dominfo", "nope"]),
    ("dominfo-unknown-id", URI + ["dominfo", "7"]),
    ("dominfo-no-domain", URI + ["dominfo"]),
    ("domstate", URI + ["domstate", "test"]),
    ("domstate-reason", URI + ["domstate", "test", "--reason"]),
    ("domid", URI + ["domid", "test"]),
    ("domid-inactive", URI + ["define demo.xml; domid demo"]),
    ("domid-not-by-id", URI + ["domid", "1"]),
    ("domuuid-by-id", URI + ["domuuid", "1"]),
    ("domuuid-by-name", URI + ["domuuid", "test"]),
    ("domname-by-id", URI + ["domname", "1"]),
    ("domname-by-uuid", URI + ["domname", "6695eb01-f6a4-8304-79aa-97f2502e193f"]),
    ("domname-not-by-name", URI + ["domname", "test"]),
    ("dumpxml", URI + ["dumpxml", "test"]),
    ("dumpxml-inactive", URI + ["dumpxml", "test", "--inactive"]),
    ("dumpxml-flags", URI + ["dumpxml", "test", "--security-info", "--migratable"]),
    ("dumpxml-secure-readonly", ["-r"] + URI + ["dumpxml", "test", "--security-info"]),

    # definition and lifecycle
    ("define", URI + ["define", "demo.xml"]),
    ("define-validate", URI + ["define", "--file", "demo.xml", "--validate"]),
    ("define-missing-file", URI + ["define", "nosuch.xml"]),
    ("define-bad-xml", URI + ["define bad.xml; list --all"]),
    ("lifecycle", URI + ["define demo.xml; start demo; domstate demo --reason; domid demo; "
                         "suspend demo; domstate demo --reason; resume demo; "
                         "domstate demo --reason; autostart demo; dominfo demo; "
                         "autostart demo --disable; destroy demo; domstate demo --reason; "
                         "undefine demo; list --all"]),
    ("start-paused", URI + ["define demo.xml; start demo --paused; domstate demo --reason"]),
    ("start-by-uuid", URI + ["destroy test; start 6695eb01-f6a4-8304-79aa-97f2502e193f"]),
    ("start-running", URI + ["start", "test"]),
    ("destroy", URI + ["destroy", "1"]),
    ("destroy-graceful", URI + ["destroy", "test", "--graceful"]),
    ("destroy-inactive", URI + ["destroy test; destroy test"]),
    ("suspend-resume", URI + ["suspend test; suspend test; resume test; resume test"]),
    ("undefine-running", URI + ["undefine test; list --all; dominfo test"]),
    ("undefine-unknown", URI + ["undefine", "nope"]),
    ("autostart", URI + ["autostart test; dominfo test; autostart --disable test"]),
    ("quiet", ["-q"] + URI + ["suspend test; domstate test; resume test; domid test"]),

    # read-only connections
    ("readonly-query", ["-r"] + URI + ["list", "--all"]),
    ("readonly-destroy", ["-r"] + URI + ["destroy test; domstate test"]),
    ("readonly-define", ["--readonly"] + URI + ["define", "demo.xml"]),

    # command lines
    ("last-status-wins", URI + ["domid nope; domid test"]),
    ("last-status-fails", URI + ["domid test; domid nope"]),
    ("quoting", URI + ["domid 'test'; domid \"te\\st\"; domid te\\st"]),
    ("parse-error-runs-nothing", URI + ["suspend test; list --bogus"]),
    ("unknown-command", URI + ["nosuch"]),
    ("unknown-option", URI + ["list", "--bogus"]),
    ("option-twice", URI + ["list", "--all", "--all"]),
    ("bool-with-value", URI + ["list", "--all=yes"]),
    ("missing-value", URI + ["define", "--file"]),
    ("empty-value", URI + ["dominfo", "--domain="]),
    ("unexpected-data", URI + ["domid", "test", "extra"]),
    ("unclosed-single-quote", URI + ["domid 'test"]),
    ("unclosed-double-quote", URI + ["domid \"test"]),
    ("semicolon-in-argv", URI + ["domid", "test", ";", "list"]),
    ("double-dash", URI + ["domid", "--", "test"]),

    # events (in-process nothing else changes a domain: the waiting ends by timeout)
    ("event-timeout", URI + ["event", "--all", "--timeout", "1"]),
    ("event-domain-timeout", URI + ["event", "test", "--event", "lifecycle", "--loop",
                                    "--timeout", "1"]),
    ("event-list", URI + ["event", "--list"]),
    ("event-no-type", URI + ["event", "--timeout", "1"]),
    ("event-all-and-event", URI + ["event", "--all", "--event", "lifecycle"]),
    ("event-list-and-all", URI + ["event", "--list", "--all"]),
    ("event-unknown-type", URI + ["event", "--event", "reboot"]),
    ("event-bad-timeout", URI + ["event", "--all", "--timeout", "0"]),
    ("event-huge-timeout", URI + ["event", "--all", "--timeout", "99999999999"]),
    ("event-unknown-domain", URI + ["event", "nope", "--all", "--timeout", "1"]),

    # migration: argument errors, and the test driver's refusals (it migrates nothing);
    # the destination is test:///default too unless the case needs another host
    ("help-migrate", URI + ["help", "migrate"]),
    ("migrate-no-desturi", URI + ["migrate", "test"]),
    ("migrate-tunnelled-without-p2p", URI + ["migrate", "test", "test:///default",
                                             "--tunnelled"]),
    ("migrate-live-offline", URI + ["migrate", "test", "test:///default", "--live",
                                    "--offline"]),
    ("migrate-bad-bandwidth", URI + ["migrate", "test", "test:///default", "--bandwidth",
                                     "10M"]),
    ("migrate-negative-bandwidth", URI + ["migrate", "test", "test:///default", "--bandwidth",
                                          "-1"]),
    ("migrate-bad-int-param", URI + ["migrate", "test", "test:///default",
                                     "--parallel-connections", "two"]),
    ("migrate-timeout-not-live", URI + ["migrate", "test", "test:///default", "--timeout",
                                        "5"]),
    ("migrate-negative-timeout", URI + ["migrate", "test", "test:///default", "--live",
                                        "--timeout", "-5"]),
    ("migrate-timeout-action-alone", URI + ["migrate", "test", "test:///default", "--live",
                                            "--timeout-suspend"]),
    ("migrate-timeout-actions-both", URI + ["migrate", "test", "test:///default", "--live",
                                            "--timeout", "5", "--timeout-suspend",
                                            "--timeout-postcopy"]),
    ("migrate-timeout-postcopy-alone", URI + ["migrate", "test", "test:///default", "--live",
                                              "--timeout", "5", "--timeout-postcopy"]),
    ("migrate-postcopy-after-precopy-alone", URI + ["migrate", "test", "test:///default",
                                                    "--live", "--postcopy-after-precopy"]),
    ("migrate-persistent-xml-alone", URI + ["migrate", "test", "test:///default",
                                            "--persistent-xml", "demo.xml"]),
    ("migrate-missing-xml", URI + ["migrate", "test", "test:///default", "--xml",
                                   "nosuch.xml"]),
    ("migrate-unknown-domain", URI + ["migrate", "nope", "test:///default"]),
    ("migrate-no-params", URI + ["migrate", "test", "test:///default", "--live", "--verbose",
                                 "--dname", "moved", "--xml", "demo.xml",
                                 "--comp-methods", "xbzrle,mt", "--bandwidth", "100"]),
    ("migrate-offline-unsupported", URI + ["migrate", "test", "test:///default", "--offline",
                                           "--persistent"]),
    ("migrate-p2p-same-host", URI + ["migrate", "test", "test:///default", "--p2p"]),
    ("migrate-p2p-unsupported", URI + ["migrate", "test", "qemu+tcp://192.0.2.2/system",
                                       "--p2p", "--tunnelled", "--live"]),
    ("migrate-direct", URI + ["migrate", "test", "qemu+tcp://192.0.2.2/system", "--direct"]),
    ("domjobinfo", URI + ["domjobinfo", "test"]),
    ("domjobinfo-completed", URI + ["domjobinfo", "test", "--completed"]),
    ("domjobinfo-keep-completed-alone", URI + ["domjobinfo", "test", "--keep-completed"]),
    ("domjobinfo-rawstats", URI + ["domjobinfo", "test", "--rawstats"]),
    ("domjobabort", URI + ["domjobabort", "test"]),
    ("migrate-setmaxdowntime-zero", URI + ["migrate-setmaxdowntime", "test", "0"]),
    ("migrate-setmaxdowntime-bad", URI + ["migrate-setmaxdowntime", "test", "--downtime",
                                          "1s"]),
    ("migrate-setmaxdowntime", URI + ["migrate-setmaxdowntime", "test", "300"]),
    ("migrate-getmaxdowntime", URI + ["migrate-getmaxdowntime", "test"]),
    ("migrate-setspeed-bad", URI + ["migrate-setspeed", "test", "99999999999999999999"]),
    ("migrate-setspeed", URI + ["migrate-setspeed", "test", "100", "--postcopy"]),
    ("migrate-getspeed", URI + ["migrate-getspeed", "test", "--postcopy"]),
    ("migrate-postcopy", URI + ["migrate-postcopy", "test"]),
]


def mask(text, sockdir):
    text = re.sub(r"^(CPU time:\s+)\S+$", r"\1<cpu-time>", text, flags=re.M)
    text = text.replace(sockdir, "<sockdir>")
    host = socket.gethostname()
    if host:
        text = re.sub(r"^%s$" % re.escape(host), "<hostname>", text, flags=re.M)
    return text


def run_case(tern, datadir, sockdir, args):
    env = dict(os.environ, LC_ALL="C", TERN_SOCKET_DIR=sockdir)
    env.pop("TERN_DEFAULT_URI", None)
    p = subprocess.run([tern] + args, cwd=datadir, capture_output=True, text=True, env=env,
                       timeout=60)
    return ("$ tern %s\n[exit %d]\n[stdout]\n%s[stderr]\n%s"
            % (" ".join(shlex.quote(a) for a in args), p.returncode,
               mask(p.stdout, sockdir), mask(p.stderr, sockdir)))


def main(argv):
    if len(argv) < 3:
        print("usage: test-tern-cli.py TERN_BINARY DATA_DIR [CASE...]", file=sys.stderr)
        return 2
    tern, datadir, only = os.path.abspath(argv[1]), os.path.abspath(argv[2]), set(argv[3:])
    regenerate = os.environ.get("TERN_TEST_REGENERATE") == "1"
    cases = [c for c in CASES if not only or c[0] in only]
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"

    failed = 0
    print("1..%d" % len(cases))
    with tempfile.TemporaryDirectory(prefix="tern-cli-") as sockdir:
        for n, (name, args) in enumerate(cases, 1):
            golden = os.path.join(datadir, name + ".out")
            got = run_case(tern, datadir, sockdir, args)
            if regenerate:
                with open(golden, "w") as f:
                    f.write(got)
                print("ok %d - %s (regenerated)" % (n, name))
                continue
            try:
                with open(golden) as f:
                    want = f.read()
            except FileNotFoundError:
                want = ""
            if got == want:
                print("ok %d - %s" % (n, name))
                continue
            failed += 1
            print("not ok %d - %s" % (n, name))
            for line in difflib.unified_diff(want.splitlines(), got.splitlines(),
                                             golden, "tern now", lineterm=""):
                print("# " + line)
    if not only and not regenerate:
        # a golden file whose case is gone would never be checked again
        for f in sorted(os.listdir(datadir)):
            if f.endswith(".out") and f[:-4] not in names:
                print("# stale golden file %s (no such case)" % f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
