#!/bin/sh
# build-guest.sh: build the test guest into OUTDIR: vmlinuz (Debian's cloud kernel) and
# initramfs.img (a newc cpio holding our static /init).
#
# Usage: build-guest.sh OUTDIR [kernel|initramfs]
#
# Both by default; meson builds each as its own target, so that each is rebuilt only when its
# own inputs change.
#
# The kernel is the image of the versioned package that linux-image-cloud-amd64 depends on,
# fetched with `apt-get download` and unpacked with `dpkg-deb -x` in a temporary directory:
# nothing is installed. If resolving or downloading fails, `apt-get update` (as root, or via
# `sudo -n`) runs once and the fetch is retried. The extracted image is kept in
# $TERN_GUEST_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/tern-guest) so that each new build
# directory does not download it again; if apt cannot resolve the package at all (offline), the
# newest cached image is used. TERN_GUEST_KERNEL=/path/to/bzImage skips all of that.
#
# Cached: an output newer than all its inputs is left alone (initramfs.img: init.c, mkcpio.py
# and this script; vmlinuz: this script). Outputs are written under a temporary name and
# renamed, so an interrupted run leaves no half-written file. (With TERN_GUEST_KERNEL, vmlinuz
# is also rebuilt when that file is newer.) OUTDIR/vmlinuz.version names the
# package the kernel came from. Environment: CC (default cc), PYTHON (default python3).
set -eu

usage() {
    echo "usage: $0 OUTDIR [kernel|initramfs]" >&2
    exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    usage
fi
outdir=$1
what=${2:-all}
case $what in
    all|kernel|initramfs) ;;
    *) usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}
META=linux-image-cloud-amd64
cache=${TERN_GUEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tern-guest}
tmp=""

cleanup() {
    if [ -n "$tmp" ]; then
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$outdir"

# up_to_date OUT INPUT...: OUT exists and is newer than every INPUT.
up_to_date() {
    out=$1
    shift
    [ -e "$out" ] || return 1
    for in in "$@"; do
        # shellcheck disable=SC3013 # -nt: not POSIX, but in dash, bash and busybox sh
        [ "$out" -nt "$in" ] || return 1
    done
    return 0
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

# kernel_package: the versioned image package the metapackage's candidate depends on,
# as "NAME VERSION" (e.g. "linux-image-6.1.0-56-cloud-amd64 6.1.192-2").
kernel_package() {
    apt-cache show --no-all-versions "$META" 2>/dev/null |
        sed -n 's/^Depends:.*\(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
}

# fetch_kernel DEST: download and unpack the image package into the cache, copy it to DEST.
# Returns 1 if apt cannot resolve or download it. (Called in an && list, where set -e is off:
# hence the explicit checks.)
fetch_kernel() {
    dest=$1
    cleanup   # what a failed earlier attempt left
    tmp=""
    pkg=$(kernel_package)
    [ -n "$pkg" ] || return 1
    name=${pkg% *}
    version=${pkg#* }
    cached="$cache/vmlinuz-$name-$version"
    if [ ! -s "$cached" ]; then
        tmp=$(mktemp -d) || return 1
        chmod 755 "$tmp"
        echo "build-guest: downloading $name $version"
        sandbox=""
        if [ "$(id -u)" = 0 ]; then
            # As root, apt downloads as the _apt user, who cannot write into our temp dir.
            sandbox="-o APT::Sandbox::User=root"
        fi
        # shellcheck disable=SC2086
        (cd "$tmp" && apt-get -q $sandbox download "$name=$version") || return 1
        dpkg-deb -x "$tmp"/"${name}"_*.deb "$tmp/root" || return 1
        mkdir -p "$cache" || return 1
        cp "$tmp"/root/boot/vmlinuz-* "$cached.tmp" || return 1
        mv "$cached.tmp" "$cached" || return 1
        rm -rf "$tmp"
        tmp=""
    fi
    cp "$cached" "$dest.tmp" || return 1
    mv "$dest.tmp" "$dest" || return 1
    echo "$name $version" > "$outdir/vmlinuz.version" || return 1
    echo "build-guest: kernel $name $version"
}

build_kernel() {
    if [ -n "${TERN_GUEST_KERNEL:-}" ]; then
        cp "$TERN_GUEST_KERNEL" "$outdir/vmlinuz.tmp"
        mv "$outdir/vmlinuz.tmp" "$outdir/vmlinuz"
        echo "TERN_GUEST_KERNEL $TERN_GUEST_KERNEL" > "$outdir/vmlinuz.version"
        return 0
    fi
    fetch_kernel "$outdir/vmlinuz" && return 0
    echo "build-guest: fetching $META failed; running apt-get update and retrying" >&2
    as_root apt-get update -qq || true
    fetch_kernel "$outdir/vmlinuz" && return 0
    # Offline: fall back to the newest image an earlier run cached.
    newest=""
    for f in "$cache"/vmlinuz-*; do
        case $f in *.tmp) continue ;; esac
        [ -s "$f" ] || continue
        # shellcheck disable=SC3013 # see up_to_date
        if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then
            newest=$f
        fi
    done
    if [ -n "$newest" ]; then
        echo "build-guest: using cached $newest" >&2
        cp "$newest" "$outdir/vmlinuz.tmp"
        mv "$outdir/vmlinuz.tmp" "$outdir/vmlinuz"
        echo "cached $(basename "$newest")" > "$outdir/vmlinuz.version"
        return 0
    fi
    echo "build-guest: cannot get a kernel: apt knows no $META and nothing is cached" >&2
    return 1
}

build_initramfs() {
    # $CC unquoted on purpose: it may be a command with arguments ("ccache cc").
    $CC -static -O2 -Wall -Wextra -o "$outdir/init" "$here/init.c"
    "$PYTHON" "$here/mkcpio.py" "$outdir/initramfs.img" \
        dir:dev:0755 \
        char:dev/console:0600:5:1 \
        dir:proc:0555 \
        file:init:0755:"$outdir/init"
}

if [ "$what" != initramfs ] &&
   ! up_to_date "$outdir/vmlinuz" "$here/build-guest.sh" ${TERN_GUEST_KERNEL:+"$TERN_GUEST_KERNEL"}; then
    build_kernel
fi
if [ "$what" != kernel ] &&
   ! up_to_date "$outdir/initramfs.img" "$here/init.c" "$here/mkcpio.py" "$here/build-guest.sh"; then
    build_initramfs
fi
