#!/bin/sh
# run-demo.sh: install dependencies, build (the test guest's kernel is fetched by the build),
# then run the demo: a test-driver domain on a private ternd, then the test guest migrated
# live between two test hosts and back with `tern migrate --live --verbose`, with a table of
# total time, guest-seen downtime, data moved and the heartbeat oracle's verdict per
# migration. The test hosts are network namespaces: the demo runs as root (sudo otherwise).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
builddir=${BUILDDIR:-build}
[ -d "$builddir" ] || meson setup "$builddir"
ninja -C "$builddir"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
exec $SUDO python3 scripts/demo.py --builddir "$builddir"
