#!/bin/busybox sh
# /init of boot/linux-gicv3-18vcpus: Linux boots with maxcpus=2 (so its
# boot-time stop_machine does not ask 18 vCPUs to meet on 2 CPUs), then
# brings vCPUs 16 and 17 up (MPIDR 0x100, 0x101: Aff1 1, past the first
# cluster of 16) and runs a program on each: PSCI CPU_ON, their
# redistributors and the SGIs that move a task there all cross the cluster.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
for c in 16 17; do
    if echo 1 >/sys/devices/system/cpu/cpu$c/online; then
        echo "XAM-CPUS: cpu$c online"
    else
        echo "XAM-CPUS: FAIL: cpu$c did not come online"
    fi
    # field 39 of a process's stat: the CPU it last ran on (its own)
    on=$(/bin/busybox taskset -c $c /bin/busybox cut -d" " -f39 /proc/self/stat)
    echo "XAM-CPUS: a task pinned to cpu$c ran on cpu$on"
done
echo "XAM-CPUS: online $(/bin/busybox cat /sys/devices/system/cpu/online) of $(/bin/busybox cat /sys/devices/system/cpu/possible)"
echo "XAM-LINUX-INIT: $(/bin/busybox uname -r) up, $(/bin/busybox nproc) CPU(s), $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
