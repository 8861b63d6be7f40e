#!/bin/busybox sh
# /init of boot/linux-reboot-in-place (tests/boot/cases-guest-ram.sh): a
# Debian Linux guest whose kernel is mapped in place (copied on write)
# reboots until its third boot. It counts its boots in a Xen static shared
# memory region, whose contents outlive the domain's resets (everything
# else of it is rebuilt from the boot modules), reached with busybox
# devmem at the guest address its tree gives.
#   xam.reboot.count=ADDR (the region's guest address)
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
at=
for w in $(busybox cat /proc/cmdline); do
    case $w in xam.reboot.count=*) at=${w#*=} ;; esac
done
magic=0x5eb00700
if [ "$(printf '0x%08x' "$(busybox devmem "$at" 32)")" != "$magic" ]; then
    busybox devmem $((at + 4)) 32 0
    busybox devmem "$at" 32 "$magic"
fi
n=$(($(busybox devmem $((at + 4)) 32) + 1))
busybox devmem $((at + 4)) 32 "$n"
echo "XAM-REBOOT: boot $n, $(busybox uname -r), $(busybox cat /proc/cmdline)"
if [ "$n" -lt 3 ]; then
    echo "XAM-REBOOT: rebooting"
    busybox reboot -f
fi
echo "XAM-REBOOT: done after $n boots"
busybox poweroff -f
