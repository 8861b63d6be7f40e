#!/bin/busybox sh
# /init of boot/static-shm (tests/boot/cases-static-shm.sh): two Debian
# Linux guests share Xen static shared memory regions. Each finds its
# regions where its device tree says (/reserved-memory/xen-shmem@ADDR, as
# Xen writes them) and reaches them with busybox devmem (the regions are
# not System RAM, so /dev/mem may map them under STRICT_DEVMEM). The
# writer puts a pattern in each region and waits for the reader's answer;
# the reader waits for the pattern, checks it, and answers.
#   xam.shm.role=writer|reader xam.shm.regions=ADDR:SIZE,ADDR:SIZE
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
say() { echo "XAM-SHM: $*"; }
role= regions=
for w in $(busybox cat /proc/cmdline); do
    case $w in
    xam.shm.role=*) role=${w#*=} ;;
    xam.shm.regions=*) regions=${w#*=} ;;
    esac
done
say "$role up, $(busybox cat /proc/cmdline)"
rd() {
    local v
    v=$(busybox devmem "$1" 32) && [ -n "$v" ] && printf '0x%08x' "$v" || echo "FAILED-read-$1"
}
wr() { busybox devmem "$1" 32 "$2"; }
# wait_for ADDR VALUE: up to 30 s
wait_for() {
    local i=0
    while [ $i -lt 300 ]; do
        [ "$(rd "$1")" = "$2" ] && return 0
        busybox usleep 100000
        i=$((i + 1))
    done
    return 1
}
n=0
for r in $(echo "$regions" | busybox tr ',' ' '); do
    at=$(printf '0x%x' "${r%%:*}") size=${r#*:}
    last=$(printf '0x%x' $((at + size - 4)))
    node=/proc/device-tree/reserved-memory/xen-shmem@${at#0x}
    say "region $at: xen,id [$(busybox cat "$node/xen,id" 2>&1)] reg [$(busybox hexdump -e '16/1 "%02x"' "$node/reg" 2>&1)] compatible [$(busybox cat "$node/compatible" 2>&1)]"
    first=$(printf '0x%08x' $((0x5a4d0000 + n))) tail=$(printf '0x%08x' $((0x7a1100f0 + n))) answer=$(printf '0x%08x' $((0x0a5e0000 + n)))
    case $role in
    writer)
        say "region $at: an untouched word reads $(rd $((at + 8))) (zeroed at boot)"
        wr "$at" "$first"
        wr "$last" "$tail"
        say "region $at: wrote $first at $at and $tail at $last"
        if wait_for $((at + 4)) "$answer"; then
            say "region $at: the reader answered $answer"
        else
            say "region $at: FAILED: no answer from the reader (word 1 reads $(rd $((at + 4))))"
        fi
        ;;
    reader)
        if wait_for "$at" "$first"; then
            say "region $at: read $(rd "$at") at $at and $(rd "$last") at $last"
            wr $((at + 4)) "$answer"
            say "region $at: answered $answer"
        else
            say "region $at: FAILED: no pattern (word 0 reads $(rd "$at"))"
        fi
        ;;
    esac
    n=$((n + 1))
done
say "$role done"
busybox poweroff -f
