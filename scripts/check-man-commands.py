#!/usr/bin/env python3
"""check-man-commands.py: docs/man/tern.1 describes exactly the commands and options of tern.

The built CLI is the source of truth (its help is generated from the command table):
  * every command `tern help` lists has an entry in the COMMANDS section of tern.1 whose
    first line, fonts removed, is the synopsis `tern help CMD` prints (<arg> written as arg);
  * every entry there names a command that exists;
  * every global option `tern --help` lists appears in the OPTIONS section.
Usage: check-man-commands.py TERN_BINARY TERN_1   Prints each problem; exits 1 if any.
"""
import os
import re
import subprocess
import sys


def run(tern, *args):
    env = dict(os.environ, LC_ALL="C")
    env.pop("TERN_DEFAULT_URI", None)
    p = subprocess.run([tern] + list(args), capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("%s %s failed (%d): %s" % (tern, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def cli_commands(tern):
    """The command names of `tern help`, in table order."""
    names = []
    in_cmds = False
    for line in run(tern, "help").splitlines():
        if line == "Commands:":
            in_cmds = True
            continue
        if in_cmds:
            if not line.strip():
                break
            names.append(line.split()[0])
    return names


def cli_synopsis(tern, name):
    lines = run(tern, "help", name).splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "SYNOPSIS":
            return " ".join(lines[i + 1].split())
    raise RuntimeError("no SYNOPSIS in 'tern help %s'" % name)


def cli_long_options(tern):
    return re.findall(r"^\s+-\w, (--[\w-]+)", run(tern, "--help"), re.M)


def roff_plain(line):
    """A roff text line without font changes and escapes, blanks collapsed."""
    line = re.sub(r"\\f[BIRP]", "", line)
    line = line.replace("\\-", "-").replace("\\&", "").replace("\\ ", " ")
    return " ".join(line.split())


def man_sections(path):
    """{section name: [lines]} of a man page."""
    sections = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
            if m:
                current = m.group(1).strip()
                sections[current] = []
            elif current is not None:
                sections[current].append(line)
    return sections


def man_entries(lines):
    """The first text line after each .TP, made plain."""
    entries = []
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            entries.append(roff_plain(lines[i + 1]))
    return entries


def main(argv):
    if len(argv) != 3:
        print("usage: check-man-commands.py TERN_BINARY TERN_1", file=sys.stderr)
        return 2
    tern, man = argv[1], argv[2]
    sections = man_sections(man)
    bad = []

    for need in ("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS"):
        if need not in sections:
            bad.append("%s: no .SH %s section" % (man, need))
    if bad:
        print("\n".join(bad))
        return 1

    commands = cli_commands(tern)
    if not commands:
        bad.append("'%s help' lists no commands" % tern)
    entries = man_entries(sections["COMMANDS"])
    entry_by_name = {e.split()[0]: e for e in entries if e}
    for name in commands:
        want = re.sub(r"<([^>]*)>", r"\1", cli_synopsis(tern, name))
        have = entry_by_name.get(name)
        if have is None:
            bad.append("%s: command '%s' is missing from COMMANDS" % (man, name))
        elif have != want:
            bad.append("%s: command '%s' reads\n    %s\n  but 'tern help %s' says\n    %s"
                       % (man, name, have, name, want))
    for name in entry_by_name:
        if name not in commands:
            bad.append("%s: COMMANDS describes '%s', which tern does not have" % (man, name))

    options_text = "\n".join(roff_plain(l) for l in sections["OPTIONS"])
    synopsis_text = "\n".join(roff_plain(l) for l in sections["SYNOPSIS"])
    for opt in cli_long_options(tern):
        if opt not in options_text:
            bad.append("%s: global option %s is missing from OPTIONS" % (man, opt))
        if opt not in synopsis_text:
            bad.append("%s: global option %s is missing from SYNOPSIS" % (man, opt))

    for line in bad:
        print(line)
    if not bad:
        print("%s: %d commands and their synopses match the command table" % (man, len(commands)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
