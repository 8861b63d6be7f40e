#!/usr/bin/env bash
# make-fixtures.sh OUTDIR: the device trees the unit tests read: QEMU's own
# (dumped for each GIC version and CPU count, 2 GiB) and the hand-written ones
# in tests/dtb/*.dts (which may /include/ tests/dtb/*.dtsi). Tests derive
# broken variants from these with libfdt, so each test states its own edit.
# Idempotent: QEMU trees already present are kept; every file is written
# under a temporary name and renamed, so an interrupted run leaves no
# half-written fixture. A dtc warning is a fixture bug and fails the run.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tmp=$(mktemp -d "$out/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for src in "$here"/*.dts; do
    name=$(basename "$src" .dts)
    if ! dtc -I dts -O dtb -o "$tmp/$name.dtb" "$src" 2>"$tmp/$name.log" || [ -s "$tmp/$name.log" ]; then
        echo "make-fixtures: $src does not compile cleanly:" >&2
        cat "$tmp/$name.log" >&2
        exit 1
    fi
    mv -f "$tmp/$name.dtb" "$out/$name.dtb"
done

pids=()
for g in 2 3; do
    for s in 1 4; do
        name=qemu-v$g-smp$s.dtb
        [ -s "$out/$name" ] && continue
        { "$here/qemu-dtb.sh" "$tmp/$name" "$g" "$s" 2G && mv -f "$tmp/$name" "$out/$name"; } &
        pids+=($!)
    done
done

failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
[ "$failed" -eq 0 ] || { echo "make-fixtures: a QEMU tree could not be dumped" >&2; exit 1; }
