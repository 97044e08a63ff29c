#!/bin/sh
# run-demo.sh: install dependencies, build, then run the demo of the embedded default:
# a private ternd, a test-driver domain defined and started through it, listed by tern and virsh.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
builddir=${BUILDDIR:-build}
[ -d "$builddir" ] || meson setup "$builddir"
ninja -C "$builddir"
exec python3 scripts/demo.py --builddir "$builddir"
