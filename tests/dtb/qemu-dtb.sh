#!/usr/bin/env bash
# Dump the device tree QEMU's virt machine gives a guest at EL2:
#   qemu-dtb.sh OUT.dtb GIC(2|3) SMP [MEM]
# The boot tests and unit tests use these real trees as their baseline.
set -euo pipefail
out=$1 gic=$2 smp=$3 mem=${4:-2G}
mkdir -p "$(dirname "$out")"
qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic,dumpdtb=$out" \
    -cpu cortex-a57 -smp "$smp" -m "$mem" -nographic -nic none >/dev/null 2>&1
[ -s "$out" ] || { echo "qemu-dtb: QEMU did not write $out" >&2; exit 1; }
