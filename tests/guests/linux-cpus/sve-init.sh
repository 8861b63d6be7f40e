#!/bin/busybox sh
# /init of boot/cpu-a64fx-sve-linux: what SVE the guest's Linux found.
# With Xen's sve = <256> the kernel offers user space 256-bit (32-byte)
# vectors by default; without sve it has no SVE at all, and no
# /proc/sys/abi/sve_default_vector_length. Then xam-sve uses it from user
# space (tests/guests/linux-cpus/xam-sve.c).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
f=/proc/sys/abi/sve_default_vector_length
if [ -e $f ]; then
    echo "XAM-SVE: sve_default_vector_length $(/bin/busybox cat $f)"
else
    echo "XAM-SVE: no $f"
fi
if /bin/busybox grep -q '^Features.* sve' /proc/cpuinfo; then
    echo "XAM-SVE: /proc/cpuinfo lists sve"
else
    echo "XAM-SVE: /proc/cpuinfo lists no sve"
fi
# on each of its CPUs in turn
n=$(/bin/busybox nproc)
c=0
while [ "$c" -lt "$n" ]; do
    echo "XAM-SVE: on cpu$c"
    /bin/busybox taskset -c "$c" /bin/xam-sve || echo "XAM-SVE: FAIL: xam-sve exited with status $? on cpu$c"
    c=$((c + 1))
done
echo "XAM-LINUX-INIT: $(/bin/busybox uname -r) up, $(/bin/busybox nproc) CPU(s), $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
