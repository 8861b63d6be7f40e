#!/usr/bin/env bash
# make bench: the guest-facing hot paths (a trap and its emulation, per
# kind), measured by tests/guests/trapbench.c on its virtual counter under
# QEMU's -icount shift=0,sleep=off: one instruction is one nanosecond of
# virtual time, so the figures are identical from run to run and a change
# to the trap path shows up exactly (wall-clock figures on this shared,
# TCG-emulated machine would drown it in noise).
#   traps.sh [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-build/out/xen-arm-minimal.Image}
guest=build/out/tests/guests/trapbench.Image
out=build/out/bench/traps
mkdir -p "$out"
[ -s "$guest" ] || make -s guests >/dev/null
size=$(printf '0x%x' "$(stat -c %s "$guest")")
echo "trap paths, QEMU virt, 1 CPU, -icount shift=0 (virtual ns per trapped access, deterministic):"
printf "  %-20s %10s %10s\n" "" "GICv2" "GICv3"
declare -A ns
for g in 2 3; do
    tests/dtb/qemu-dtb.sh "$out/raw-v$g.dtb" "$g" 1 2G
    { dtc -q -I dtb -O dts "$out/raw-v$g.dtb"
      echo '/ { chosen { bench { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>;'
      echo '  memory = <0 0x4000>; cpus = <1>; vpl011;'
      echo "  kernel { compatible = \"multiboot,kernel\", \"multiboot,module\"; reg = <0 0x50000000 0 $size>; }; }; }; };"
    } | dtc -q -I dts -O dtb -o "$out/host-v$g.dtb" -
    log=$out/run-v$g.log
    timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=$g -cpu cortex-a57 -smp 1 -m 2G \
        -icount shift=0,sleep=off -nographic -nic none -no-reboot -kernel "$image" -dtb "$out/host-v$g.dtb" \
        -device "loader,file=$guest,addr=0x50000000,force-raw=on" >"$log" 2>&1 || true
    grep -q 'trapbench: done' "$log" || { echo "bench: trapbench did not finish on GICv$g (see $log)" >&2; exit 1; }
    while read -r name val; do ns[$name,$g]=$val; done < <(sed -nE 's/.*\(bench\) trapbench: ([a-z0-9-]+) ([0-9]+) ns\/op.*/\1 \2/p' "$log")
done
for name in hvc-psci-version smc-psci-version hvc-xen-version mmio-read-vpl011 mmio-read-gicd mmio-write-gicd; do
    printf "  %-20s %10s %10s\n" "$name" "${ns[$name,2]:-?}" "${ns[$name,3]:-?}"
done
echo "  (mmio-read-vpl011: no trap while no input waits, the page of its register values is read; 348 ns when it trapped)"
