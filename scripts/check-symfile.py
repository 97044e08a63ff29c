#!/usr/bin/env python3
"""check-symfile.py: src/libtern.syms exports exactly the functions of include/tern/*.h, sorted.

Every `tern*` function declared in a public header must be listed in the linker version script,
every listed symbol must be declared in a header, and the list must be sorted (C locale).
Usage: check-symfile.py SYMFILE HEADER...   Prints each problem; exits 1 if there is any.
"""
import re
import sys

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
PREPROC = re.compile(r"^\s*#(?:[^\n]*\\\n)*[^\n]*", re.M)
EXTERN_C = re.compile(r'extern\s*"C"\s*\{')
# a declared function: its name directly followed by "("
FUNC = re.compile(r"\b(tern[A-Za-z0-9_]*)\s*\(")


def header_functions(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = EXTERN_C.sub("", PREPROC.sub("", COMMENT.sub(" ", text)))
    names = set()
    depth = 0
    stmt = []
    # split the file into top-level statements; skip typedefs, enums and struct bodies
    # (the "}" that closed an extern "C" block is left over at depth 0: ignored)
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0:
            s = "".join(stmt).strip()
            stmt = []
            if s.startswith("typedef") or "}" in s:
                continue
            m = FUNC.search(s)
            if m:
                names.add(m.group(1))
            continue
        if depth == 0 and ch != "}":
            stmt.append(ch)
        elif ch == "}" and depth == 0:
            stmt = []
    return names


def symfile_symbols(path):
    with open(path, encoding="utf-8") as f:
        text = COMMENT.sub(" ", f.read())
    m = re.search(r"global\s*:(.*?)local\s*:", text, re.S)
    if not m:
        return None
    return [s.strip() for s in m.group(1).split(";") if s.strip()]


def main(argv):
    if len(argv) < 3:
        print("usage: check-symfile.py SYMFILE HEADER...", file=sys.stderr)
        return 2
    symfile, headers = argv[1], argv[2:]
    declared = set()
    for h in headers:
        declared |= header_functions(h)
    listed = symfile_symbols(symfile)
    if listed is None:
        print("%s: no 'global: ... local:' section" % symfile)
        return 1
    bad = 0
    for name in sorted(declared - set(listed)):
        print("%s: %s is declared in include/tern but not exported" % (symfile, name))
        bad += 1
    for name in sorted(set(listed) - declared):
        print("%s: %s is exported but declared in no public header" % (symfile, name))
        bad += 1
    for name in sorted({n for n in listed if listed.count(n) > 1}):
        print("%s: %s is listed more than once" % (symfile, name))
        bad += 1
    for a, b in zip(listed, listed[1:]):
        if a > b:
            print("%s: not sorted: %s comes before %s" % (symfile, a, b))
            bad += 1
    if not bad:
        print("%s: %d symbols, all declared, sorted" % (symfile, len(listed)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
