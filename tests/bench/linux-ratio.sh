#!/usr/bin/env bash
# Time from QEMU start to the Linux guest's /init marker under
# xen-arm-minimal, divided by the same kernel and initramfs booted directly
# by QEMU with the same machine flags; paired runs, median (goal: <= 1.10;
# Xen 4.17 dom0less measured 1.40 on these machines, see
# ../shared/reference/baselines.md). Wall time: run on a quiet machine.
#   linux-ratio.sh IMAGE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=$1 runs=${2:-${RUNS:-3}}
out=build/out/bench
linux=build/out/guests/linux
mkdir -p "$out"
[ -s "$linux/Image" ] || build/fetch-guests.sh
machine=(-M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 2 -m 2G -nographic -nic none -no-reboot)

# The host tree with one Linux domU (256 MiB, 1 vCPU, vpl011), as the tests build it.
dtb=$out/linux-bench.dtb
tests/dtb/qemu-dtb.sh "$out/raw.dtb" 3 2 2G
dtc -q -I dtb -O dtb -p 4096 -o "$dtb" "$out/raw.dtb"
rd=$(printf '0x%x' "$(stat -c %s "$linux/initramfs.cpio.gz")")
kz=$(printf '0x%x' "$(stat -c %s "$linux/Image")")
fdtput -c "$dtb" /chosen/linux /chosen/linux/kernel /chosen/linux/ramdisk
fdtput -t s "$dtb" /chosen/linux compatible xen,domain
fdtput -t x "$dtb" /chosen/linux '#address-cells' 2
fdtput -t x "$dtb" /chosen/linux '#size-cells' 2
fdtput -t x "$dtb" /chosen/linux memory 0 0x40000
fdtput -t x "$dtb" /chosen/linux cpus 1
fdtput -t s "$dtb" /chosen/linux vpl011 ""
fdtput -t s "$dtb" /chosen/linux/kernel compatible multiboot,kernel multiboot,module
fdtput -t x "$dtb" /chosen/linux/kernel reg 0 0x50000000 0 "$kz"
fdtput -t s "$dtb" /chosen/linux/kernel bootargs "console=ttyAMA0"
fdtput -t s "$dtb" /chosen/linux/ramdisk compatible multiboot,ramdisk multiboot,module
fdtput -t x "$dtb" /chosen/linux/ramdisk reg 0 0x58000000 0 "$rd"

time_to_marker() { # time_to_marker LOG QEMU-ARGS...: seconds from start to the marker
    local log=$1; shift
    local start end
    start=$(date +%s.%N)
    timeout 120 qemu-system-aarch64 "$@" >"$log" 2>&1 || true
    grep -q 'XAM-LINUX-INIT' "$log" || { echo "bench: no marker in $log" >&2; exit 1; }
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

ratios=() hv=() direct=()
for ((i = 1; i <= runs; i++)); do
    d=$(time_to_marker "$out/linux-direct-$i.log" "${machine[@]}" -kernel "$linux/Image" \
        -initrd "$linux/initramfs.cpio.gz" -append "console=ttyAMA0 maxcpus=1")
    h=$(time_to_marker "$out/linux-hv-$i.log" "${machine[@]}" -kernel "$image" -dtb "$dtb" \
        -device "loader,file=$linux/Image,addr=0x50000000,force-raw=on" \
        -device "loader,file=$linux/initramfs.cpio.gz,addr=0x58000000,force-raw=on")
    direct+=("$d") hv+=("$h")
    ratios+=("$(awk -v h="$h" -v d="$d" 'BEGIN { print h / d }')")
    printf "  run %d: direct %.2f s, under xen-arm-minimal %.2f s, ratio %.2f\n" "$i" "$d" "$h" "${ratios[-1]}"
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf "Linux domU to /init: median %.2f s vs direct %.2f s; ratio %.2f (goal 1.10; Xen 4.17 anchor 1.40)\n" \
    "$(med "${hv[@]}")" "$(med "${direct[@]}")" "$(med "${ratios[@]}")"
