#!/usr/bin/env python3
"""check-style.py: the grep rules of docs/style (G15) over every C file of the tree.

No sprintf/strcpy/strncpy/strtok/atoi, no bare malloc, no // comments, every g_auto*,
TERN_AUTOCLOSE declaration initialised. Prints each offence as FILE:LINE: rule; exits 1 if any.
"""
import os
import re
import sys

RULES = [
    (re.compile(r"\b(sprintf|vsprintf|strcpy|strncpy|strcat|strtok|atoi|atol|gets)\s*\("),
     "unsafe or unchecked libc call; use g_snprintf/g_strlcpy/g_ascii_strtoll"),
    (re.compile(r"(?<![\w.])malloc\s*\("), "bare malloc; use g_new/g_malloc"),
    (re.compile(r"^\s*//"), "// comment; use /* */"),
    (re.compile(r"\b(g_autofree|g_autoptr\([^)]*\)|g_auto\([^)]*\)|TERN_AUTOCLOSE)\s+[^=;(]*\w\s*;"),
     "g_auto*/TERN_AUTOCLOSE declaration without an initialiser"),
]
DIRS = ["src", "tools", "tests", "bench"]


def main(root):
    bad = 0
    for d in DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for no, line in enumerate(f, 1):
                        code = re.sub(r'"(\\.|[^"\\])*"', '""', line)
                        for rx, why in RULES:
                            if rx.search(code):
                                print("%s:%d: %s" % (os.path.relpath(path, root), no, why))
                                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
