#!/usr/bin/env bash
# The imagebuilder demo: imagebuilder/examples/qemu-two-guests.cfg built
# into a U-Boot script and booted the way users boot a board over TFTP:
# Debian's U-Boot fetches boot.scr.uimg from QEMU's TFTP server and runs it.
#   demo.sh IMAGEBUILDER HV-IMAGE GUESTS-DIR WORKDIR [--timeout S]
# With --timeout (the tests), QEMU is killed after S seconds; without, the
# console is interactive. QEMU exits by itself when the guests power off.
set -euo pipefail
ib=$1 hv=$2 guests=$3 work=$4
shift 4
timeout_s=""
[ "${1:-}" = --timeout ] && timeout_s=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cp "$hv" "$work/xen-arm-minimal.Image"
cp "$guests/hello.Image" "$guests/timer.Image" "$work/"
"$here/../tests/dtb/qemu-dtb.sh" "$work/virt-gicv3.dtb" 3 4 2G
"$ib" -c "$here/examples/qemu-two-guests.cfg" -d "$work" -t tftp -o boot
cp "$work/boot.scr" "$work/boot.scr.uimg"
args=(-M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G -nographic -no-reboot
      -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin
      -netdev "user,id=n0,tftp=$work,bootfile=boot.scr.uimg" -device "virtio-net-pci,netdev=n0,romfile=")
if [ -z "$timeout_s" ]; then
    exec qemu-system-aarch64 "${args[@]}"
fi
exec timeout --kill-after=5 "$timeout_s" qemu-system-aarch64 "${args[@]}" </dev/null
