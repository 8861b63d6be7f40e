#!/bin/busybox sh
# /init of the client of the Linux device model (tests/guests/linux-dm):
# lists the PCI functions its bridge shows, binds uio_pci_generic to the
# test function so its INTx has a handler, writes the marker the device
# model reads through its foreign mapping, rings the function's doorbell
# (config offset 0x40: 1 marker written, 0 interrupt handled, 0xff done),
# and prints what came back. Its kernel runs with mem=, leaving the last
# page of its RAM outside Linux, where /dev/mem may write: xam.marker=GPA.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
say() { echo "XAM-CLIENT: $*"; }
say "$(uname -r) up, $(nproc) CPU(s)"
marker=
for w in $(cat /proc/cmdline); do
    case "$w" in xam.marker=*) marker=${w#xam.marker=} ;; esac
done
fn=
for d in /sys/bus/pci/devices/*; do
    [ -e "$d/vendor" ] || continue
    say "PCI ${d##*/} vendor $(cat "$d/vendor") device $(cat "$d/device") class $(cat "$d/class")"
    [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1b36:0x0005 ] && fn=$d
done
[ -n "$fn" ] || { say "FAIL no 1b36:0005 function"; poweroff -f; }
# BAR0 as Linux assigned it, and as the device model reads it back
set -- $(head -1 "$fn/resource")
say "BAR0 resource $1-$2 flags $3"
say "BAR0 register $(hexdump -s 16 -n 4 -e '1/4 "0x%08x"' "$fn/config")"
doorbell() { printf "\\$(printf %03o "$1")" | dd of="$fn/config" bs=1 seek=64 count=1 conv=notrunc 2>/dev/null; }
insmod /lib/modules/uio.ko && insmod /lib/modules/uio_pci_generic.ko &&
    echo "1b36 0005" >/sys/bus/pci/drivers/uio_pci_generic/new_id || say "FAIL binding uio_pci_generic"
[ -e "$fn/driver" ] && say "driver $(basename "$(readlink "$fn/driver")")"
# Linux gives the function its interrupt (the bridge's interrupt-map) when
# a driver binds, not before
say "interrupt pin $(hexdump -s 61 -n 1 -e '1/1 "%u"' "$fn/config") irq $(cat "$fn/irq")"
if [ -n "$marker" ]; then
    # "XAM-MARK", little-endian words
    devmem "$marker" 32 0x2d4d4158 && devmem $((marker + 4)) 32 0x4b52414d && say "marker written at $marker"
fi
doorbell 1
reply=$(devmem $((marker + 0x100)) 32)
say "device model's reply word at $marker+0x100: $reply"
n=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
    n=$(awk '/uio_pci_generic/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.5
done
grep uio_pci_generic /proc/interrupts | while read -r line; do say "interrupts: $line"; done
say "INTx count ${n:-0}"
doorbell 0
doorbell 255
say "done"
poweroff -f
