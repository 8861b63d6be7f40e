#!/bin/busybox sh
# /init of the Linux device-model domain (tests/guests/linux-dm): loads the
# kernel's own Xen user-space drivers, then runs xam-testdm with the
# xam.NAME=VALUE words of the kernel command line as its NAME=VALUE
# arguments. Powers the domain off when it ends, so a boot ends by itself;
# xam.stay=1 drops to a shell instead.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
echo "XAM-DM-INIT: $(uname -r) up, $(nproc) CPU(s)"
# privcmd in a domain other than dom0 serves only the domain named by
# xenstore's "target" node, and waits for xenstore to learn it (Linux
# 6.1.x, "xen/privcmd: restrict usage in unprivileged domU"): there is no
# xenstore here, so without unrestricted=1 every open of /dev/xen/privcmd
# would block. Its dm_op and foreign-mapping checks stay the hypervisor's.
for m in xen-privcmd:unrestricted=1 xen-evtchn xen-gntdev xen-gntalloc; do
    name=${m%%:*} args=
    [ "$name" = "$m" ] || args=${m#*:}
    if insmod "/lib/modules/$name.ko" $args; then
        echo "XAM-DM-INIT: loaded $name.ko $args"
    else
        echo "XAM-DM-INIT: FAIL insmod $name.ko"
    fi
done
for n in privcmd hypercall evtchn gntdev gntalloc; do
    if [ -c "/dev/xen/$n" ]; then echo "XAM-DM-INIT: /dev/xen/$n is there"; else echo "XAM-DM-INIT: FAIL no /dev/xen/$n"; fi
done
set --
stay=0
for w in $(cat /proc/cmdline); do
    case "$w" in
        xam.stay=1) stay=1 ;;
        xam.*=*) set -- "$@" "${w#xam.}" ;;
    esac
done
# /proc/interrupts' "events" line: Xen's upcall (PPI 31), one count per
# time the hypervisor raised it (one CPU: one count column). Every ioreq
# the device model serves is an event on a port /dev/xen/evtchn bound.
events() {
    while read -r irq n rest; do
        case "$rest" in *" events") echo "$n"; return ;; esac
    done </proc/interrupts
    echo none
}
echo "XAM-DM-INIT: events interrupt taken $(events) times"
echo "XAM-DM-INIT: running xam-testdm $*"
/bin/xam-testdm "$@"
echo "XAM-DM-INIT: xam-testdm exited with status $?"
echo "XAM-DM-INIT: events interrupt taken $(events) times"
[ "$stay" = 1 ] && exec setsid cttyhack sh
poweroff -f
