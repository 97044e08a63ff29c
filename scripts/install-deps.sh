#!/bin/sh
# install-deps.sh: install every build and test dependency of tern by Debian 12 package name.
#
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -eu

PACKAGES="
    gcc
    libc6-dev
    pkg-config
    meson
    ninja-build
    rpcsvc-proto
    libglib2.0-dev
    libxml2-dev
    libjson-c-dev
    libtirpc-dev
    libgnutls28-dev
    libsasl2-dev
    python3
    libvirt-clients
    iproute2
    procps
    qemu-system-x86
    qemu-utils
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi

echo "install-deps: installing$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
