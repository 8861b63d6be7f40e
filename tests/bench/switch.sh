#!/usr/bin/env bash
# make bench: what a vCPU switch costs, plain and for domains with Xen's
# sve (eagerly carried Z/P/FFR, docs/domains.md "Context switch"):
# tests/guests/switchbench.c in two domains on one CPU under QEMU's
# -icount shift=0,sleep=off (one instruction = 1 ns of virtual time: the
# figures repeat exactly). Each gap a guest sees is the other's 10 ms
# slice plus two switches and the scheduler around them; the shortest
# gap less 10 ms is that overhead.
#   switch.sh [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-build/out/xen-arm-minimal.Image}
guest=build/out/tests/guests/switchbench.Image
out=build/out/bench/switch
mkdir -p "$out"
[ -s "$guest" ] || make -s guests >/dev/null
size=$(printf '0x%x' "$(stat -c %s "$guest")")
echo "vCPU switches, two domains on one CPU, -icount shift=0 (virtual ns, deterministic):"
printf "  %-34s %14s %22s\n" "" "shortest gap" "less the 10 ms slice"
run() { # run NAME CPU SVE-PROPERTY
    local name=$1 cpu=$2 sve=$3 d
    tests/dtb/qemu-dtb.sh "$out/raw.dtb" 3 1 2G
    { dtc -q -I dtb -O dts "$out/raw.dtb"
      echo '/ { chosen {'
      for d in a b; do
          echo "  $d { compatible = \"xen,domain\"; #address-cells = <2>; #size-cells = <2>;"
          echo "    memory = <0 0x4000>; cpus = <1>; vpl011; $sve"
          local at=0x50000000; [ $d = b ] && at=0x50200000
          echo "    kernel { compatible = \"multiboot,kernel\", \"multiboot,module\"; reg = <0 $at 0 $size>; }; };"
      done
      echo '}; };'
    } | dtc -q -I dts -O dtb -o "$out/host-$name.dtb" -
    local log=$out/run-$name.log
    timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu "$cpu" -smp 1 -m 2G \
        -icount shift=0,sleep=off -nographic -nic none -no-reboot -kernel "$image" -dtb "$out/host-$name.dtb" \
        -device "loader,file=$guest,addr=0x50000000,force-raw=on" \
        -device "loader,file=$guest,addr=0x50200000,force-raw=on" >"$log" 2>&1 || true
    local g; g=$(sed -nE 's/.*\(a\) switchbench: [0-9]+ gaps, shortest ([0-9]+) ns.*/\1/p' "$log")
    [ -n "$g" ] || { echo "bench: switchbench did not finish ($name, see $log)" >&2; exit 1; }
    printf "  %-34s %14s %22s\n" "$name" "$g" "$((g - 10000000))"
}
run "a64fx, no sve" a64fx ""
run "a64fx, sve = <128>" a64fx "sve = <128>;"
run "a64fx, sve = <512>" a64fx "sve = <512>;"
run "cortex-a57 (no SVE)" cortex-a57 ""
