#!/bin/busybox sh
# shellcheck shell=dash
# /init of the client of the virtio disk bench (tests/bench/virtio.sh): a
# Debian Linux guest whose /dev/vda is served by xam-devmodel. Loads the
# virtio modules (lib/modules/load-order, as tests/guests/virtio/ does),
# mounts /dev/vda (ext4: the time to mounted is this line's console
# timestamp), unmounts it, then reads and writes the whole disk with dd in
# 1 MiB blocks and direct I/O (O_DIRECT: the page cache is not measured),
# RUNS times each, then reads it with four dd at once (several requests
# in flight) (bench.runs=, 3; bench.phases=read,write,parallel by default).
# Between phases it idles 2.5 s, so that the device model's counters
# (logged every second) have a line in each gap. Every line starts "XAM-BENCH: "; a failure says FAIL.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "XAM-BENCH: $*"; }
runs=3 phases="read write parallel"
# shellcheck disable=SC2013 # the words of the command line
for w in $(cat /proc/cmdline); do
    case "$w" in
        bench.runs=*) runs=${w#bench.runs=} ;;
        bench.phases=*) phases=$(echo "${w#bench.phases=}" | tr , ' ') ;;
    esac
done
say "$(uname -r) up, $(nproc) CPU(s)"
while read -r name args; do
    # shellcheck disable=SC2086 # the parameters, one word each
    insmod "/lib/modules/$name.ko" $args || say "FAIL insmod $name.ko"
done </lib/modules/load-order
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -b /dev/vda ] || { say "FAIL no /dev/vda"; poweroff -f; }
mkdir -p /mnt
mount -t ext4 /dev/vda /mnt || { say "FAIL mount /dev/vda"; poweroff -f; }
say "mounted /dev/vda: $(head -1 /mnt/hello.txt)"
umount /mnt
mib=$(($(cat /sys/block/vda/size) / 2048))
say "disk vda: $mib MiB, max request $(cat /sys/block/vda/queue/max_sectors_kb) KiB, $(cat /sys/block/vda/queue/max_segments) segments"

# timed NAME DD-ARGS...: one dd between two lines, "NAME run begins" and
# "NAME N MiB done": the bench takes their console timestamps (the
# hypervisor's counter, microseconds; the guest's clocks tick in 4 ms)
timed() {
    local name=$1 out
    shift
    say "$name run begins"
    out=$(dd "$@" 2>&1) || { say "FAIL $name: dd $*: $(echo "$out" | tail -1)"; return 1; }
    say "$name $mib MiB done"
}
direct=direct
dd if=/dev/vda of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null || {
    direct=""
    say "no O_DIRECT: dd without it, the page cache dropped before each run"
}
for phase in $phases; do
    sleep 2.5
    say "phase $phase begins"
    i=1
    while [ $i -le "$runs" ]; do
        [ -n "$direct" ] || echo 3 >/proc/sys/vm/drop_caches
        if [ "$phase" = read ]; then
            timed read if=/dev/vda of=/dev/null bs=1M count=$mib ${direct:+iflag=direct}
        elif [ "$phase" = parallel ]; then
            # four readers at once, a quarter of the disk each: several
            # requests in flight, which event-index suppression shows on
            q=$((mib / 4))
            say "parallel run begins"
            j=0
            while [ $j -lt 4 ]; do
                dd if=/dev/vda of=/dev/null bs=1M count=$q skip=$((j * q)) ${direct:+iflag=direct} 2>/dev/null &
                j=$((j + 1))
            done
            wait
            say "parallel $((4 * q)) MiB done"
        else
            timed write if=/dev/zero of=/dev/vda bs=1M count=$mib conv=fsync ${direct:+oflag=direct}
        fi
        i=$((i + 1))
    done
    say "phase $phase ends"
done
sleep 2.5
say "done"
poweroff -f
