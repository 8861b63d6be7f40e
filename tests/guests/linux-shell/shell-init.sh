#!/bin/busybox sh
# /init of boot/console-shell (tests/boot/run.sh): two Debian kernels share
# the console, shell A on its vPL011 (ttyAMA0), B on the Xen PV console
# (hvc0); xam.shell= on the command line says which. Both print 300-
# character lines at once (each must arrive whole, with one prefix); then
# A runs an interactive shell that tests/boot/typist.sh types into through
# the console's Ctrl-A switch, as a person would.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
me=?
for w in $(cat /proc/cmdline); do
    case $w in xam.shell=*) me=${w#xam.shell=} ;; esac
done
say() { echo "XAM-SHELL: $*"; }
say "$me up on $(cat /sys/class/tty/console/active)"
# "L<me>-NNN: " and 292 characters: 300 in all
p=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ
pat=$p$p$p$p"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
# Both start at 20 s of their uptime (the two kernels start together,
# and boot at different speeds), a line every 20 ms: their lines overlap.
up=0
while [ "$up" -lt 20 ]; do
    busybox usleep 100000
    read -r up _ </proc/uptime
    up=${up%%.*}
done
i=0
while [ $i -lt 80 ]; do
    i=$((i + 1))
    printf 'L%s-%03d: %s\n' "$me" $i "$pat"
    busybox usleep 20000
done
say "$me printed its lines"
if [ "$me" = A ]; then
    say "shell on the console"
    export PS1="shell-$me\$ "
    sh -i
    say "shell exited"
fi
poweroff -f
