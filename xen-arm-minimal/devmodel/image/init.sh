#!/bin/busybox sh
# shellcheck shell=dash
# /init of the device-model domain (xen-arm-minimal/devmodel/image): loads
# the kernel's Xen and pmem modules (lib/modules/load-order), then runs
# xam-devmodel. Its options come from the kernel command line: each
# xam.NAME=VALUE word is "--NAME VALUE", each bare xam.NAME "--NAME"
# (xam.disk=domid=2,slot=0,path=/disk.img is --disk domid=2,slot=0,...);
# without any, the program takes everything from this domain's device tree.
# xam.stay=1 leaves a shell on the console once the program ends; else the
# domain powers off.
/bin/busybox mkdir -p /usr/bin /sbin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "xam-devmodel-init: $*"; }
say "$(uname -r) up, $(nproc) CPU(s)"
while read -r name args; do
    # shellcheck disable=SC2086 # the parameters, one word each
    if insmod "/lib/modules/$name.ko" $args; then
        say "loaded $name${args:+ $args}"
    else
        say "FAIL insmod $name.ko $args"
    fi
done </lib/modules/load-order
# gntdev: grant mappings, for clients whose bridge has the grants flag
for n in privcmd evtchn gntdev; do
    [ -c "/dev/xen/$n" ] || say "FAIL no /dev/xen/$n"
done
set --
stay=0
for w in $(cat /proc/cmdline); do
    case "$w" in
        xam.stay=1) stay=1 ;;
        xam.*=*)
            w=${w#xam.}
            set -- "$@" "--${w%%=*}" "${w#*=}"
            ;;
        xam.*) set -- "$@" "--${w#xam.}" ;;
    esac
done
say "starting xam-devmodel $*"
/bin/xam-devmodel "$@"
say "xam-devmodel exited with status $?"
[ "$stay" = 1 ] && exec setsid cttyhack sh
poweroff -f
