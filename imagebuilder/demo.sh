#!/usr/bin/env bash
# The imagebuilder demo (`make run`): an example config built into a U-Boot
# script and booted the way users boot a board over TFTP: Debian's U-Boot
# fetches boot.scr.uimg from QEMU's TFTP server and runs it.
#   demo.sh IMAGEBUILDER HV-IMAGE CONFIG INPUTS-DIR WORKDIR [--smp N] [--timeout S]
# WORKDIR (emptied) is the TFTP root: INPUTS-DIR's files (what CONFIG
# names), the hypervisor as xen-arm-minimal.Image and QEMU's own device tree
# for N CPUs (default 4) and 2 GiB as virt-gicv3.dtb. With --timeout (the
# tests), QEMU is killed after S seconds; without, the console is
# interactive. QEMU exits by itself when every domain has stopped.
#   make imagebuilder-demo: examples/qemu-virtio-disks.cfg, inputs from
#     demo-inputs.sh (two Debian Linux guests, their disks, a device model)
#   examples/qemu-two-guests.cfg: inputs the bare-metal guests (make guests)
set -euo pipefail
ib=$1 hv=$2 cfg=$3 inputs=$4 work=$5
shift 5
timeout_s="" smp=4
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        *) echo "demo.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cp -r "$inputs/." "$work/"
cp "$hv" "$work/xen-arm-minimal.Image"
"$here/../tests/dtb/qemu-dtb.sh" "$work/virt-gicv3.dtb" 3 "$smp" 2G
"$ib" -c "$cfg" -d "$work" -t tftp -o boot
cp "$work/boot.scr" "$work/boot.scr.uimg"
# shellcheck disable=SC2054 # -M's commas are QEMU's
args=(-M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp "$smp" -m 2G -nographic -no-reboot
      -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin
      -netdev "user,id=n0,tftp=$work,bootfile=boot.scr.uimg" -device "virtio-net-pci,netdev=n0,romfile=")
if [ -z "$timeout_s" ]; then
    exec qemu-system-aarch64 "${args[@]}"
fi
exec timeout --kill-after=5 "$timeout_s" qemu-system-aarch64 "${args[@]}" </dev/null
