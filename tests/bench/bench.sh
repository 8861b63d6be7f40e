#!/usr/bin/env bash
# make bench: figures to track, never pass/fail. Runs the hypervisor under
# QEMU (GICv3, 4 CPUs, TCG) RUNS times and prints the boot timeline read off
# its console (counter time since entry), plus the image size, each with its
# ratio to the goal and to the anchors (issue "The hypervisor takes the
# machine", ../shared/reference/codebases.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-build/out/xen-arm-minimal.Image}
elf=${2:-build/out/hv/xen-arm-minimal.elf}
runs=${RUNS:-7}
out=build/out/bench
mkdir -p "$out"

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"; exit} m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m}'; }
ms_of() { # ms_of LOG REGEX: the timestamp (ms) of the first line matching REGEX
    awk -v re="$2" 'match($0, /^\[ *[0-9]+\.[0-9]+\]/) && $0 ~ re { t = substr($0, 2, RLENGTH - 2); gsub(/ /, "", t); printf "%.3f\n", t * 1000; exit }' "$1"
}

milestones=("console:console: " "memory:page allocator manages" "gic:^.*gic: " "cpu0:CPU0: online" "smp:smp: " "ready:boot: ready to build domains")
declare -A samples
for ((i = 1; i <= runs; i++)); do
    log=$out/boot-$i.log
    timeout 60 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G \
        -nographic -nic none -no-reboot -kernel "$image" >"$log" 2>&1 || true
    grep -q "boot: ready to build domains" "$log" || { echo "bench: run $i did not reach 'ready' (see $log)" >&2; exit 1; }
    for m in "${milestones[@]}"; do
        samples[${m%%:*}]+="$(ms_of "$log" "${m#*:}") "
    done
done

echo "boot timeline, QEMU virt GICv3, 4 CPUs, TCG, median of $runs runs (ms of counter time since entry):"
for m in "${milestones[@]}"; do
    k=${m%%:*}
    printf "  %-8s %8.3f ms\n" "$k" "$(tr ' ' '\n' <<<"${samples[$k]}" | grep . | median)"
done
ready=$(tr ' ' '\n' <<<"${samples[ready]}" | grep . | median)
printf "entry -> ready to build domains: %.3f ms; goal 10 ms: ratio %.2f\n" "$ready" "$(awk -v r="$ready" 'BEGIN{print r/10}')"
# the same under -icount (one instruction = 1 ns, the same every run): what
# the hypervisor does, without QEMU's translation of code that runs once
# and its start-up of the other CPUs' threads, which the wall figure holds
log=$out/boot-icount.log
timeout 60 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G \
    -icount shift=0,sleep=off -nographic -nic none -no-reboot -kernel "$image" >"$log" 2>&1 || true
vready=$(ms_of "$log" "boot: ready to build domains")
[ -n "$vready" ] || { echo "bench: the -icount run did not reach 'ready' (see $log)" >&2; exit 1; }
printf "entry -> ready to build domains (virtual time): %.3f ms; goal 10 ms: ratio %.2f\n" "$vready" \
    "$(awk -v r="$vready" 'BEGIN{print r/10}')"

size=$(aarch64-linux-gnu-size -A "$elf" | awk '/^\.(head\.text|text|rodata|data|data\.rel\.ro|got|rela\.dyn|dynamic|dynsym|dynstr|hash)[ \t]/ {s += $2} END {print s}')
bss=$(aarch64-linux-gnu-size -A "$elf" | awk '/^\.bss[ \t]/ {print $2}')
printf "image text+data: %d bytes (%.1f KiB), bss %d KiB; goal 256 KiB: ratio %.2f; Bao ~94 KB: %.2f; Xen 4.17 ~1 MB: %.2f\n" \
    "$size" "$(awk -v s="$size" 'BEGIN{print s/1024}')" $((bss / 1024)) \
    "$(awk -v s="$size" 'BEGIN{print s/262144}')" "$(awk -v s="$size" 'BEGIN{print s/94000}')" \
    "$(awk -v s="$size" 'BEGIN{print s/1000000}')"
