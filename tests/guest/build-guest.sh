#!/bin/sh
# build-guest.sh: build the test guest into OUTDIR: vmlinuz (Debian's cloud kernel), the two
# kernel modules the guest needs (button.ko, evdev.ko) and initramfs.img (a newc cpio holding
# our static /init and those modules).
#
# Usage: build-guest.sh OUTDIR [kernel|initramfs]
#
# Both by default; meson builds each as its own target, so that each is rebuilt only when its
# own inputs change. "kernel" makes vmlinuz, button.ko and evdev.ko; "initramfs" packs the
# modules it finds in OUTDIR, so build the kernel first.
#
# The kernel is the image of the versioned package that linux-image-cloud-amd64 depends on,
# fetched with `apt-get download` and unpacked with `dpkg-deb -x` in a temporary directory:
# nothing is installed. If resolving or downloading fails, `apt-get update` (as root, or via
# `sudo -n`) runs once and the fetch is retried. The extracted image is kept in
# $TERN_GUEST_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/tern-guest) so that each new build
# directory does not download it again; if apt cannot resolve the package at all (offline), the
# newest cached image is used. TERN_GUEST_KERNEL=/path/to/bzImage skips all of that.
#
# Modules: in Debian's cloud kernel the ACPI power button (CONFIG_ACPI_BUTTON) and the event
# device interface (CONFIG_INPUT_EVDEV) are modules, and the guest's /init needs both to see a
# power-button press (QMP system_powerdown) and power off. They are taken from the same .deb
# as the image (kernel/drivers/acpi/button.ko and kernel/drivers/input/evdev.ko; neither
# depends on another module; a .ko.xz or .ko.zst is decompressed, which needs xz or zstd) and
# cached next to it as $cache/modules-NAME-VERSION/, so they always match the image exactly.
# A cache from before the modules were kept (vmlinuz only) is downloaded again. With
# TERN_GUEST_KERNEL, or offline with a cached image that has no cached modules, the modules
# are taken from TERN_GUEST_MODULES=DIR (holding button.ko and evdev.ko) if set, else left
# out: OUTDIR/button.ko and evdev.ko are then empty, the initramfs holds no modules, and the
# guest runs without a power button (or with the kernel's own, if it has them built in).
#
# Cached: an output newer than all its inputs is left alone (initramfs.img: init.c, mkcpio.py,
# the modules and this script; vmlinuz and the modules: this script). Outputs are written under
# a temporary name and renamed, so an interrupted run leaves no half-written file. (With
# TERN_GUEST_KERNEL, vmlinuz is also rebuilt when that file is newer.) OUTDIR/vmlinuz.version
# names the package the kernel came from. Environment: CC (default cc), PYTHON (default
# python3).
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
# The modules /init loads, in load order, each as NAME:PATH (PATH under lib/modules/VERSION/,
# without .ko). Both have no dependencies (modinfo -F depends is empty), which
# check_module_depends verifies.
MODULES="evdev:kernel/drivers/input/evdev button:kernel/drivers/acpi/button"
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

# extract_module ROOT PATH DEST: copy the module ROOT/lib/modules/*/PATH.ko (or .ko.xz,
# .ko.zst; or under usr/lib/modules) of an unpacked package to DEST, decompressed.
extract_module() {
    for f in "$1"/lib/modules/*/"$2".ko* "$1"/usr/lib/modules/*/"$2".ko*; do
        case $f in
            *.ko) cp "$f" "$3"; return ;;
            *.ko.xz) xz -dc "$f" > "$3"; return ;;
            *.ko.zst) zstd -qdc "$f" > "$3"; return ;;
        esac
    done
    echo "build-guest: no $2.ko in the kernel package" >&2
    return 1
}

# check_module_depends KO: fail if the module needs another one (what modinfo -F depends says,
# read from the .modinfo strings without needing kmod), which /init would not load.
check_module_depends() {
    deps=$("$PYTHON" -c '
import sys
data = open(sys.argv[1], "rb").read()
print(",".join(d[8:].decode() for d in data.split(b"\0") if d.startswith(b"depends=") and d[8:]))
' "$1") || return 1
    if [ -n "$deps" ]; then
        echo "build-guest: $1 depends on $deps: build-guest.sh and init.c must load those too" >&2
        return 1
    fi
}

# modules_complete DIR: DIR holds every module, none empty.
modules_complete() {
    for m in $MODULES; do
        [ -s "$1/${m%%:*}.ko" ] || return 1
    done
}

# install_modules DIR: copy every module from DIR to OUTDIR; with DIR empty, leave empty
# OUTDIR/NAME.ko files (no modules in the initramfs).
install_modules() {
    for m in $MODULES; do
        m=${m%%:*}
        if [ -z "$1" ]; then
            : > "$outdir/$m.ko.tmp" || return 1
        elif [ -s "$1/$m.ko" ]; then
            cp "$1/$m.ko" "$outdir/$m.ko.tmp" || return 1
        else
            echo "build-guest: no $1/$m.ko" >&2
            return 1
        fi
        mv "$outdir/$m.ko.tmp" "$outdir/$m.ko" || return 1
    done
}

# fallback_modules: the modules dir to use when the image did not come from a package
# (TERN_GUEST_MODULES, or none), saying what that means.
fallback_modules() {
    if [ -n "${TERN_GUEST_MODULES:-}" ]; then
        echo "$TERN_GUEST_MODULES"
    else
        echo "build-guest: no modules for this kernel (set TERN_GUEST_MODULES=DIR):" \
             "the guest will have no power button unless the kernel has it built in" >&2
    fi
}

# fetch_kernel DEST: download and unpack the image package into the cache, copy it to DEST
# and its modules to OUTDIR. Returns 1 if apt cannot resolve or download it. (Called in an &&
# list, where set -e is off: hence the explicit checks.)
fetch_kernel() {
    dest=$1
    cleanup   # what a failed earlier attempt left
    tmp=""
    pkg=$(kernel_package)
    [ -n "$pkg" ] || return 1
    name=${pkg% *}
    version=${pkg#* }
    cached="$cache/vmlinuz-$name-$version"
    mods="$cache/modules-$name-$version"
    if [ ! -s "$cached" ] || ! modules_complete "$mods"; then
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
        rm -rf "$mods.tmp" && mkdir "$mods.tmp" || return 1
        for m in $MODULES; do
            extract_module "$tmp/root" "${m#*:}" "$mods.tmp/${m%%:*}.ko" || return 1
            check_module_depends "$mods.tmp/${m%%:*}.ko" || return 1
        done
        rm -rf "$mods" && mv "$mods.tmp" "$mods" || return 1
        cp "$tmp"/root/boot/vmlinuz-* "$cached.tmp" || return 1
        mv "$cached.tmp" "$cached" || return 1
        rm -rf "$tmp"
        tmp=""
    fi
    install_modules "$mods" || return 1
    cp "$cached" "$dest.tmp" || return 1
    mv "$dest.tmp" "$dest" || return 1
    echo "$name $version" > "$outdir/vmlinuz.version" || return 1
    echo "build-guest: kernel $name $version"
}

build_kernel() {
    if [ -n "${TERN_GUEST_KERNEL:-}" ]; then
        install_modules "$(fallback_modules)"
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
        mods="$cache/modules-${newest##*/vmlinuz-}"
        if modules_complete "$mods"; then
            install_modules "$mods"
        else
            install_modules "$(fallback_modules)"
        fi
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
    # The modules go to /lib/tern/NAME.ko, where init.c loads them from; empty ones are left
    # out (see "Modules" above).
    set -- dir:dev:0755 \
        char:dev/console:0600:5:1 \
        dir:proc:0555 \
        dir:lib:0755 \
        dir:lib/tern:0755
    for m in $MODULES; do
        m=${m%%:*}
        if [ -s "$outdir/$m.ko" ]; then
            set -- "$@" "file:lib/tern/$m.ko:0644:$outdir/$m.ko"
        else
            echo "build-guest: no $outdir/$m.ko: the initramfs has no $m module" >&2
        fi
    done
    "$PYTHON" "$here/mkcpio.py" "$outdir/initramfs.img" "$@" file:init:0755:"$outdir/init"
}

# kernel_up_to_date: vmlinuz and every module are newer than their inputs.
kernel_up_to_date() {
    for o in vmlinuz $MODULES; do
        o=${o%%:*}
        [ "$o" = vmlinuz ] || o=$o.ko
        up_to_date "$outdir/$o" "$here/build-guest.sh" ${TERN_GUEST_KERNEL:+"$TERN_GUEST_KERNEL"} ||
            return 1
    done
}

# initramfs_up_to_date: initramfs.img is newer than its inputs, the modules included.
initramfs_up_to_date() {
    set -- "$here/init.c" "$here/mkcpio.py" "$here/build-guest.sh"
    for m in $MODULES; do
        set -- "$@" "$outdir/${m%%:*}.ko"
    done
    up_to_date "$outdir/initramfs.img" "$@"
}

if [ "$what" != initramfs ] && ! kernel_up_to_date; then
    build_kernel
fi
if [ "$what" != kernel ] && ! initramfs_up_to_date; then
    build_initramfs
fi
