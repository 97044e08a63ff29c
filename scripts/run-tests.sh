#!/bin/sh
# run-tests.sh: install dependencies, build with warnings as errors, run the whole test suite.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
builddir=${BUILDDIR:-build}
if [ -d "$builddir" ]; then
    meson setup --reconfigure "$builddir" -Dwerror=true
else
    meson setup "$builddir" -Dwerror=true
fi
ninja -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@"
