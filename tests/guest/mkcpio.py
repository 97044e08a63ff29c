#!/usr/bin/env python3
"""mkcpio.py: write a newc ("070701") cpio archive, the format the kernel unpacks as initramfs.

Usage: mkcpio.py OUT ENTRY...
  dir:NAME:MODE                 a directory
  file:NAME:MODE:SOURCE         a regular file with SOURCE's contents
  char:NAME:MODE:MAJOR:MINOR    a character device node

MODE is octal permission bits. Every entry is owned by root with mtime 0, so the same inputs
give the same bytes. Device nodes need no privilege: they are only header fields here.
The archive is written to OUT.tmp and renamed, so OUT is never half written.
"""
import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def _pad4(n):
    return (4 - n % 4) % 4


def cpio_entry(ino, name, mode, data=b"", rdev=(0, 0)):
    """One newc header + name + data, each padded to a multiple of 4 bytes."""
    encoded = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(encoded), 0)
    header = MAGIC + b"".join(b"%08X" % f for f in fields)
    out = header + encoded + b"\0" * _pad4(len(header) + len(encoded))
    return out + data + b"\0" * _pad4(len(data))


def build(entries):
    """The archive for parsed entries [(kind, name, mode, extra)], trailer included."""
    out = []
    for ino, (kind, name, mode, extra) in enumerate(entries, 1):
        if kind == "dir":
            out.append(cpio_entry(ino, name, stat.S_IFDIR | mode))
        elif kind == "file":
            with open(extra, "rb") as f:
                out.append(cpio_entry(ino, name, stat.S_IFREG | mode, f.read()))
        elif kind == "char":
            out.append(cpio_entry(ino, name, stat.S_IFCHR | mode, rdev=extra))
    out.append(cpio_entry(0, TRAILER, 0))
    return b"".join(out)


def parse_entry(spec):
    """'kind:name:mode[:...]' -> (kind, name, mode, extra); ValueError if malformed."""
    parts = spec.split(":")
    kind = parts[0]
    want = {"dir": 3, "file": 4, "char": 5}.get(kind)
    if want is None or len(parts) != want:
        raise ValueError("bad entry %r (want dir:NAME:MODE, file:NAME:MODE:SOURCE "
                         "or char:NAME:MODE:MAJOR:MINOR)" % spec)
    name = parts[1].strip("/")
    if not name or ".." in name.split("/"):
        raise ValueError("bad name in %r" % spec)
    mode = int(parts[2], 8)
    if mode & ~0o7777:
        raise ValueError("bad mode in %r" % spec)
    extra = None
    if kind == "file":
        extra = parts[3]
    elif kind == "char":
        extra = (int(parts[3]), int(parts[4]))
    return kind, name, mode, extra


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        entries = [parse_entry(a) for a in argv[2:]]
    except ValueError as e:
        sys.stderr.write("mkcpio: %s\n" % e)
        return 2
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(build(entries))
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
