#!/bin/sh
# rpcgen.sh INPUT.x OUTDIR: generate INPUT.h and INPUT.c in OUTDIR so that the .c
# includes the header by its bare name (rpcgen copies the input path verbatim).
set -eu
in="$1"
out="$2"
base=$(basename "$in" .x)
mkdir -p "$out"
cp "$in" "$out/$base.x"
cd "$out"
rm -f "$base.h" "$base.c"
rpcgen -h -o "$base.h" "$base.x"
rpcgen -c -o "$base.c" "$base.x"
rm -f "$base.x"
