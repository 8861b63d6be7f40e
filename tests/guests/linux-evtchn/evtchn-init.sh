#!/bin/busybox sh
# /init of boot/static-evtchn-linux (tests/boot/cases-static-evtchn-linux.sh):
# Debian's bookworm-backports kernel (Linux 6.6+ binds static ports from
# user space) in two domains joined by a xen,evtchn-v1 pair. Loads the
# kernel's xen-evtchn.ko (/dev/xen/evtchn), then runs xam-evtchn with its
# role, its static port and the number of rounds from the kernel command
# line, and powers the domain off.
#   xam.evtchn.role=ping|answer xam.evtchn.port=N xam.evtchn.rounds=N
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
say() { echo "XAM-EVTCHN: $*"; }
role='' port='' rounds=3
for w in $(cat /proc/cmdline); do
    case $w in
    xam.evtchn.role=*) role=${w#*=} ;;
    xam.evtchn.port=*) port=${w#*=} ;;
    xam.evtchn.rounds=*) rounds=${w#*=} ;;
    esac
done
say "$(uname -r) up, $role on static port $port"
if insmod /lib/modules/xen-evtchn.ko; then
    if [ -c /dev/xen/evtchn ]; then say "xen-evtchn.ko loaded: /dev/xen/evtchn is there"; else say "FAIL: no /dev/xen/evtchn"; fi
else
    say "FAIL: insmod xen-evtchn.ko"
fi
/bin/xam-evtchn "$role" "$port" "$rounds"
say "xam-evtchn exited with status $?"
poweroff -f
