#!/usr/bin/env bash
# make-fixtures.sh OUTDIR: the device trees the unit tests read: QEMU's own
# (dumped for each GIC version and CPU count) and the hand-written ones in
# tests/dtb/*.dts. Tests derive broken variants from these with libfdt, so
# each test states its own edit.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for g in 2 3; do
    for s in 1 4; do
        f=$out/qemu-v$g-smp$s.dtb
        [ -s "$f" ] || "$here/qemu-dtb.sh" "$f" "$g" "$s" 2G
    done
done
for src in "$here"/*.dts; do
    dtc -q -I dts -O dtb -o "$out/$(basename "$src" .dts).dtb" "$src"
done
