#!/usr/bin/env bash
# Time from QEMU start to the Linux guest's /init marker under
# xen-arm-minimal, divided by the same kernel and initramfs booted directly
# by QEMU with the same machine flags and the domU's 256 MiB of RAM; paired
# runs, median (goal: <= 1.05;
# Xen 4.17 dom0less measured 1.40 on these machines, see
# ../shared/reference/baselines.md). Wall time: run on a quiet machine.
#   linux-ratio.sh IMAGE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=$1 runs=${2:-${RUNS:-9}}
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
    # The marker is watched for (every 20 ms) rather than QEMU's exit: Xen
    # does not power the machine off when its last domain stops.
    local log=$1; shift
    local start end pid
    : >"$log"
    start=$(date +%s.%N)
    timeout 120 qemu-system-aarch64 "$@" >"$log" 2>&1 &
    pid=$!
    while ! grep -q 'XAM-LINUX-INIT' "$log" && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
    end=$(date +%s.%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q 'XAM-LINUX-INIT' "$log" || { echo "bench: no marker in $log" >&2; exit 1; }
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

# The anchor: Debian's Xen 4.17 booting the same host tree (same bindings).
xen=build/out/guests/xen/boot/xen-4.17-arm64
if [ ! -s "$xen" ]; then
    mkdir -p build/out/guests/xen/dl
    chmod 755 build/out/guests/xen/dl
    (cd build/out/guests/xen/dl && apt-get download -qq xen-hypervisor-4.17-arm64:arm64 2>/dev/null)
    dpkg-deb -x build/out/guests/xen/dl/xen-hypervisor-4.17-arm64_*.deb build/out/guests/xen
fi
xen_dtb=$out/linux-bench-xen.dtb
cp "$dtb" "$xen_dtb"
fdtput -t s "$xen_dtb" /chosen xen,xen-bootargs "console=dtuart dtuart=/pl011@9000000"
fdtput -t x "$xen_dtb" /chosen '#address-cells' 2
fdtput -t x "$xen_dtb" /chosen '#size-cells' 2

# the kernel and initramfs: booted directly, or loaded as the domU's modules
native_linux=(-kernel "$linux/Image" -initrd "$linux/initramfs.cpio.gz")
# natively with the domU's 256 MiB, not the machine's 2 GiB, in every
# comparison: Linux's memory set-up grows with its RAM (with 2 GiB it
# reached /init 20 % later here, which flattered the wall-clock ratios)
native=("${machine[@]}")
for ((k = 0; k < ${#native[@]}; k++)); do [ "${native[k]}" = -m ] && native[k + 1]=256M; done
modules=(-device "loader,file=$linux/Image,addr=0x50000000,force-raw=on"
    -device "loader,file=$linux/initramfs.cpio.gz,addr=0x58000000,force-raw=on")
ratios=() hv=() direct=() xr=() xt=()
# Run to run, a boot on this shared machine varies by 15 %: each pair is
# run in turn in both orders (odd runs native first, even runs ours first).
# pair I TAG DTB APPEND: sets d (native, with APPEND) and h (ours, DTB)
pair() {
    local i=$1 tag=$2 host_dtb=$3 append=$4 k
    for k in 1 2; do
        if (((i + k) % 2 == 0)); then
            d=$(time_to_marker "$out/linux-direct$tag-$i.log" "${native[@]}" "${native_linux[@]}" -append "$append")
        else
            h=$(time_to_marker "$out/linux-hv$tag-$i.log" "${machine[@]}" -kernel "$image" -dtb "$host_dtb" "${modules[@]}")
        fi
    done
}
for ((i = 1; i <= runs; i++)); do
    pair "$i" "" "$dtb" "console=ttyAMA0 maxcpus=1"
    x=$(time_to_marker "$out/linux-xen-$i.log" "${machine[@]}" -kernel "$xen" -dtb "$xen_dtb" "${modules[@]}")
    direct+=("$d") hv+=("$h") xt+=("$x")
    ratios+=("$(awk -v h="$h" -v d="$d" 'BEGIN { print h / d }')")
    xr+=("$(awk -v h="$x" -v d="$d" 'BEGIN { print h / d }')")
    printf "  run %d: direct %.2f s, xen-arm-minimal %.2f s (ratio %.2f), Xen 4.17 %.2f s (ratio %.2f)\n" \
        "$i" "$d" "$h" "${ratios[-1]}" "$x" "${xr[-1]}"
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# "q1-q3": the middle half of the paired ratios (nearest ranks), printed
# beside each wall-clock median: on this shared machine a boot varies by
# 15 % run to run, so a median of 9 pairs moves by about 0.05-0.1 from one
# bench to the next (the -icount figures below do not move).
iqr() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {q1=int((NR+3)/4); q3=NR+1-q1; printf "%.2f-%.2f", a[q1], a[q3]}'; }
printf "Linux domU to /init, medians of %d pairs: direct %.2f s; xen-arm-minimal %.2f s, ratio %.2f (middle half %s; goal 1.05); Xen 4.17 %.2f s, ratio %.2f (reference 1.40)\n" \
    "$runs" "$(med "${direct[@]}")" "$(med "${hv[@]}")" "$(med "${ratios[@]}")" "$(iqr "${ratios[@]}")" "$(med "${xt[@]}")" "$(med "${xr[@]}")"

# Two vCPUs on the machine's two CPUs, against native Linux on both
# (paired runs, wall clock; goal 1.10)
dtb2=$out/linux-bench-2vcpus.dtb
cp "$dtb" "$dtb2"
fdtput -t x "$dtb2" /chosen/linux cpus 2
r2=()
for ((i = 1; i <= runs; i++)); do
    pair "$i" 2 "$dtb2" "console=ttyAMA0"
    r2+=("$(awk -v h="$h" -v d="$d" 'BEGIN { print h / d }')")
    printf "  2 vCPUs, run %d: direct %.2f s, xen-arm-minimal %.2f s (ratio %.2f)\n" "$i" "$d" "$h" "${r2[-1]}"
done
[ "$runs" -gt 0 ] && printf "Linux domU with 2 vCPUs to /init, median ratio of %d pairs %.2f (middle half %s; goal 1.10)\n" \
    "$runs" "$(med "${r2[@]}")" "$(iqr "${r2[@]}")"

# The same two boots under QEMU's -icount shift=0,sleep=off: one
# instruction is one nanosecond of virtual time, so the figures repeat
# exactly on a loaded machine. Linux's own clock (printk's, from its timer
# set-up on) at "Run /init as init process", natively and as the domU: the
# ratio is what the hypervisor costs Linux's boot once it runs (traps,
# first touches of its RAM, copies of its kernel's chunks). Beside it, the
# hypervisor's own time from entry to the domU's first line (its boot and
# the build), which the native boot does not have.
icount=(-icount shift=0,sleep=off)
run_icount() { # run_icount LOG QEMU-ARGS...: until the marker, then killed
    local log=$1 pid w; shift
    : >"$log"
    timeout 300 qemu-system-aarch64 "$@" "${icount[@]}" >"$log" 2>&1 &
    pid=$!
    for ((w = 0; w < 3000; w++)); do grep -q 'XAM-LINUX-INIT' "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q 'XAM-LINUX-INIT' "$log" || { echo "bench: no marker in $log" >&2; exit 1; }
}
# the last bracketed time stamp before "Run /init" on its line: Linux's own
run_init_s() { sed -nE 's/.*\[ *([0-9]+\.[0-9]+)\] Run \/init as init process.*/\1/p' "$1" | head -n 1; }
run_icount "$out/linux-direct-icount.log" "${native[@]}" "${native_linux[@]}" -append "console=ttyAMA0 maxcpus=1"
run_icount "$out/linux-hv-icount.log" "${machine[@]}" -kernel "$image" -dtb "$dtb" "${modules[@]}"
# and with two vCPUs on the machine's two CPUs, against native Linux on both
run_icount "$out/linux-direct-icount-2.log" "${native[@]}" "${native_linux[@]}" -append "console=ttyAMA0"
run_icount "$out/linux-hv-icount-2.log" "${machine[@]}" -kernel "$image" -dtb "$dtb2" "${modules[@]}"
n2=$(run_init_s "$out/linux-direct-icount-2.log") g2=$(run_init_s "$out/linux-hv-icount-2.log")
n=$(run_init_s "$out/linux-direct-icount.log") g=$(run_init_s "$out/linux-hv-icount.log")
total=$(sed -nE 's/^\[ *([0-9]+\.[0-9]+)\] \(linux\) .*Run \/init as init process.*/\1/p' "$out/linux-hv-icount.log" | head -n 1)
build=$(sed -nE 's/.*builder: 1 domain built in ([0-9]+) us.*/\1/p' "$out/linux-hv-icount.log" | head -n 1)
[ -n "$n" ] && [ -n "$g" ] && [ -n "$total" ] || { echo "bench: no 'Run /init' line under -icount" >&2; exit 1; }
printf "Linux domU (256 MiB) under -icount (virtual time, deterministic): Linux's clock at 'Run /init' native %.3f s, domU %.3f s, ratio %.3f (goal 1.05); the domU's 'Run /init' at %.3f s of the hypervisor's clock (power-on), building it took %.2f ms\n" \
    "$n" "$g" "$(awk -v g="$g" -v n="$n" 'BEGIN { print g / n }')" "$total" "$(awk -v b="${build:-0}" 'BEGIN { print b / 1000 }')"
[ -n "$n2" ] && [ -n "$g2" ] || { echo "bench: no 'Run /init' line in the 2-vCPU runs under -icount" >&2; exit 1; }
printf "Linux domU with 2 vCPUs under -icount: Linux's clock at 'Run /init' native (2 CPUs) %.3f s, domU %.3f s, ratio %.3f (goal 1.10)\n" \
    "$n2" "$g2" "$(awk -v g="$g2" -v n="$n2" 'BEGIN { print g / n }')"
