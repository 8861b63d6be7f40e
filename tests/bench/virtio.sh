#!/usr/bin/env bash
# make bench: the virtio disk (issue 12). A Debian Linux guest (1 vCPU,
# 256 MiB) reads and writes its whole /dev/vda, a 64 MiB ext4 image that
# xam-devmodel serves from a file of the device-model domain (a Debian
# Linux domain running make devmodel-image's initramfs), with dd in 1 MiB
# blocks and O_DIRECT; the device model's domain then reads and writes the
# same file itself, and the guest's throughput is divided by its (goal:
# >= 0.5 both ways). xam-devmodel's counters (a line every second, on
# SIGUSR1) give the ioreqs (queue notifications, other MMIO, config
# space), INTx raised and guest-memory bytes of each phase, per MiB. The
# time to the guest's disk mounted is the console timestamp of its line,
# from power-on (the hypervisor's counter starts with the machine). The
# scripts are tests/bench/virtio/; the host tree is the boot case
# virtio-disk's (tests/boot/cases-virtio.sh) with one client.
#
# Measured twice: on the wall clock (TCG with a thread per CPU; the shared
# machine is noisy: figures move by tens of percent from run to run), and
# under -icount shift=0,sleep=off, where one instruction is one nanosecond
# of virtual time and the figures repeat. Under -icount QEMU runs the CPUs
# in turn on one thread, so a guest request costs what the guest's CPU and
# the device model's CPU execute for it, in sequence: the guest's figure
# is a lower bound of what two CPUs in parallel give (see ioreq.sh).
# MODES may add "single": the wall clock with one host thread running the
# CPUs in turn (-accel tcg,thread=single), no hand-over between threads.
# DM_ARGS and GUEST_ARGS (each ending in a space) add to the two kernels' command
# lines (e.g. randomize_kstack_offset=off: see docs/testing.md).
#   virtio.sh [IMAGE]       MODES="wall icount" RUNS=3 MIB=64
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-build/out/xen-arm-minimal.Image}
out=build/out/bench/virtio
linux=build/out/guests/linux
fetched=build/out/guests/linux-dm
devmodel=build/out/devmodel
runs=${RUNS:-3} mib=${MIB:-64} goal=0.5
mkdir -p "$out"
[ -s "$linux/Image" ] || build/fetch-guests.sh
make -s devmodel-image >/dev/null
. tests/lib/host-tree.sh

# The disk (an ext4 image made on the host) and the two archives.
rm -rf "$out/fs" && mkdir -p "$out/fs"
echo "xen-arm-minimal virtio disk bench" >"$out/fs/hello.txt"
rm -f "$out/bench.img"
mkfs.ext4 -q -F -L bench -E root_owner=0:0 -d "$out/fs" "$out/bench.img" "${mib}M" >/dev/null
tests/bench/virtio/mkinitramfs.sh "$fetched" "$devmodel/xam-devmodel" "$out/bench.img" "$out"
cat "$devmodel/initramfs.cpio.gz" "$out/dm-extra.cpio.gz" >"$out/dm-initramfs.cpio.gz"

# The host tree: dm (domain 1, 256 MiB) serves bench (domain 2, 256 MiB,
# held until its device model connects), one vCPU each on 2 CPUs.
dtb=$out/host.dtb
tests/dtb/qemu-dtb.sh "$out/raw.dtb" 3 2 2G
dtc -q -I dtb -O dtb -p 4096 -o "$dtb" "$out/raw.dtb"
hexsize() { printf '0x%x' "$(stat -c %s "$1")"; }
add_domain "$dtb" bench "$linux/Image" 0x54001000 memory=0:0x40000 cpus=1 vpl011 device-model=0x7400 \
    secondary-emulated-pci-host-bridge hold-until-device-model
fdtput -t s "$dtb" /chosen/bench/kernel bootargs "console=ttyAMA0 ${GUEST_ARGS:-}bench.runs=$runs"
fdtput -c "$dtb" /chosen/bench/ramdisk /chosen/bench/disk0
fdtput -t s "$dtb" /chosen/bench/ramdisk compatible multiboot,ramdisk multiboot,module
fdtput -t x "$dtb" /chosen/bench/ramdisk reg 0 0x56000000 0 "$(hexsize "$out/client.cpio.gz")"
fdtput -t s "$dtb" /chosen/bench/disk0 compatible xen-arm-minimal,virtio-blk
fdtput -t s "$dtb" /chosen/bench/disk0 backend-path /disks/bench.img
fdtput -t s "$dtb" /chosen/bench/disk0 serial xam-bench
add_domain "$dtb" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7400
fdtput -t s "$dtb" /chosen/dm xen,enhanced enabled
fdtput -t s "$dtb" /chosen/dm/kernel bootargs "console=ttyAMA0 xam.idle-exit=2 ${DM_ARGS:-}bench.runs=$runs"
fdtput -c "$dtb" /chosen/dm/ramdisk
fdtput -t s "$dtb" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
fdtput -t x "$dtb" /chosen/dm/ramdisk reg 0 0x52000000 0 "$(hexsize "$out/dm-initramfs.cpio.gz")"

run() { # run MODE LOG
    local extra=()
    [ "$1" = icount ] && extra=(-icount "shift=0,sleep=off")
    [ "$1" = single ] && extra=(-accel "tcg,thread=single")
    timeout 1200 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 2 -m 2G \
        "${extra[@]}" -nographic -nic none -no-reboot -kernel "$image" -dtb "$dtb" \
        -device "loader,file=$linux/Image,addr=0x50000000,force-raw=on" \
        -device "loader,file=$out/dm-initramfs.cpio.gz,addr=0x52000000,force-raw=on" \
        -device "loader,file=$linux/Image,addr=0x54001000,force-raw=on" \
        -device "loader,file=$out/client.cpio.gz,addr=0x56000000,force-raw=on" </dev/null >"$2" 2>&1 || true
}

med() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# mibs LOG WHO PHASE: the median MiB/s of the phase's runs, each timed by
# the console timestamps (the hypervisor's counter) of its two lines
mibs() {
    awk -v who="($2) XAM-BENCH" -v ph="$3" '
        index($0, who) && index($0, ": " ph " run begins") { t = substr($0, 2, index($0, "]") - 2) + 0 }
        index($0, who) && $0 ~ ": " ph " [0-9]+ MiB done" {
            s = substr($0, 2, index($0, "]") - 2) + 0; n = $0; sub(/.* MiB done.*/, "", n)
            split($0, w, ": " ph " "); m = w[2] + 0; print m / (s - t) }' "$1" | med
}
# counters LOG PHASE: the device model's counters over the phase (the last
# line before it began, the first after it ended): ioreqs notifies mmio config intx read written maps
counters() {
    awk -v p="$2" '
        /\(bench\) XAM-BENCH: phase / { if ($0 ~ "phase " p " begins") state = 1; else if ($0 ~ "phase " p " ends") state = 2 }
        /\(dm\) xam-devmodel: client bench: counters:/ {
            n = split($0, w, /[^0-9]+/); k = 0
            for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
            # the timestamp is two numbers: skip them
            line = v[3] " " v[4] " " v[5] " " v[6] " " v[7] " " v[8] " " v[9] " " v[10]
            if (state == 0) before = line
            if (state == 2 && after == "") after = line
        }
        END { split(before, a, " "); split(after, b, " "); for (i = 1; i <= 8; i++) printf "%s ", b[i] - a[i]; print "" }' "$1"
}

verdict=met
for mode in ${MODES:-wall icount}; do
    log=$out/run-$mode.log
    run "$mode" "$log"
    if ! grep -q '(bench) XAM-BENCH: done' "$log" || ! grep -q 'XAM-BENCH-DM: done' "$log" || grep -q 'FAIL' "$log"; then
        echo "bench: the virtio disk bench did not finish ($mode; see $log)" >&2
        exit 1
    fi
    mounted=$(sed -nE 's/^\[ *([0-9.]+)\] \(bench\) XAM-BENCH: mounted.*/\1/p' "$log")
    started=$(sed -nE 's/^\[ *([0-9.]+)\] bench \(domain 2\): starting.*/\1/p' "$log")
    geometry=$(sed -nE 's/.*\(bench\) XAM-BENCH: disk vda: (.*)/\1/p' "$log")
    case $mode in
        wall) label="wall clock, a host thread per CPU (noisy: a shared machine)" ;;
        single) label="wall clock, one host thread running the CPUs in turn (-accel tcg,thread=single)" ;;
        icount) label="-icount shift=0 (virtual time, deterministic; the two CPUs run in turn)" ;;
    esac
    echo "virtio disk, QEMU virt, 2 CPUs, $label:"
    echo "  /dev/vda: $geometry; dd bs=1M, O_DIRECT in the guest; medians of $runs runs of $mib MiB"
    for phase in read write; do
        g=$(mibs "$log" bench "$phase") d=$(mibs "$log" dm "$phase")
        read -r io nt mm cf ix mr mw mp < <(counters "$log" "$phase")
        total=$((mib * runs))
        awk -v ph="$phase" -v g="$g" -v d="$d" -v m="$mib" -v t="$total" -v io="$io" -v nt="$nt" -v mm="$mm" -v cf="$cf" \
            -v ix="$ix" -v mr="$mr" -v mw="$mw" -v mp="$mp" -v goal="$goal" 'BEGIN {
            r = g / d
            printf "  %-5s guest %7.1f MiB/s, device model itself %7.1f MiB/s: ratio %.3f (goal >= %s: %s)\n", ph, g, d, r, goal, (r >= goal ? "met" : "MISSED")
            printf "        per MiB: %.2f ioreqs (%.2f queue notifications, %.2f other MMIO, %.2f config), %.2f INTx raised, guest memory %.0f KiB read, %.0f KiB written through %.1f mappings of 256 KiB\n", io / t, nt / t, mm / t, cf / t, ix / t, mr / t, mw / t, mp / t }'
        [ "$(awk -v g="$g" -v d="$d" -v goal="$goal" 'BEGIN { print (g / d >= goal) }')" = 1 ] || verdict=MISSED
    done
    # several requests in flight: a request's notification and interrupt
    # are suppressed while the other side is still at work (event index)
    g=$(mibs "$log" bench parallel)
    read -r io nt mm cf ix mr mw mp < <(counters "$log" parallel)
    total=$(((mib / 4) * 4 * runs))
    awk -v g="$g" -v t="$total" -v io="$io" -v nt="$nt" -v mm="$mm" -v ix="$ix" 'BEGIN {
        printf "  read, 4 dd at once: guest %7.1f MiB/s; per MiB (one request each): %.2f ioreqs, %.2f queue notifications, %.2f INTx raised (1.00 each without event-index suppression)\n", g, io / t, nt / t, ix / t }'
    echo "  power-on to the guest's disk mounted: $mounted s (the guest started at $started s, once its device model connected)"
done
echo "virtio disk: goal $verdict (guest dd throughput >= $goal x the device model's own, read and write, every mode above)"
