#!/bin/busybox sh
# /init of boot/linux-hvc (tests/boot/run.sh): Debian's kernel with
# xen,enhanced, console=hvc0 and no vPL011, so everything it prints went
# through the hypervisor's Xen PV console ring. It prints which console it
# has, every /sys/hypervisor attribute (or the error reading it), asks for
# a line on its console, which the test types through the console's Ctrl-A
# switch, and prints what it read and the Linux IRQ of its console's event
# channel.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
say() { echo "XAM-HVC: $*"; }
say "$(uname -r) up, $(nproc) CPU(s), $(cat /proc/cmdline)"
say "active console: $(cat /sys/class/tty/console/active)"
for f in type uuid version/major version/minor version/extra compilation/compiler compilation/compiled_by \
    compilation/compile_date properties/capabilities properties/changeset properties/virtual_start \
    properties/pagesize properties/features properties/buildid; do
    if v=$(cat "/sys/hypervisor/$f" 2>&1); then
        say "$f = [$v]"
    else
        say "$f: FAILED: $v"
    fi
done
say "type a line"
if read -r line; then
    say "got [$line]"
else
    say "FAILED: no line on the console"
fi
# The Linux IRQ of the console's event channel. Linux numbers Xen's
# dynamic IRQs from 0, and on arm64 nothing else takes 0, so the console's
# port, the first one bound, gets IRQ 0, which hvc_xen takes for "no
# interrupt": it polls the ring instead (docs/domains.md, "The PV console").
for i in /sys/kernel/irq/*; do
    case "$(cat "$i/chip_name")" in
    xen-dyn*) say "event channel: Linux IRQ ${i##*/} ($(cat "$i/chip_name")), handlers [$(cat "$i/actions")]" ;;
    esac
done
poweroff -f
