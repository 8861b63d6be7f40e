#!/usr/bin/env bash
# make bench: the ioreq round trip. A guest reads a register of a BAR that
# its device model (another domain, on the other CPU) serves, and, for
# comparison, a register the hypervisor emulates itself (GICD_TYPER: the
# vPL011's flag register, the first baseline, has not trapped since
# 717c4ff while no input waits, and is shown for that);
# tests/guests/ioreqbench.c times each access alone on the
# virtual counter and prints medians and 90th percentiles. The device
# model either polls its ioreq slots or sleeps in WFI until its event
# channel's upcall (PPI 31) wakes it. Under QEMU's -icount
# shift=0,sleep=off one instruction is one nanosecond of virtual time on
# either CPU, and TCG runs the two CPUs in turn on one thread: the figures
# repeat exactly from run to run, and a round trip counts the instructions
# both CPUs execute for it (what the two CPUs spend, an upper bound on the
# latency two real CPUs working in parallel would see).
#   ioreq.sh [IMAGE]
# PROFILE=1 adds where the instructions of one round trip go (GICv3), by
# CPU and function: each mode is run again under tests/bench/pcprof.c (a
# QEMU plugin counting instructions per PC), once as usual and once with
# the client skipping its timed BAR0 reads ("nobar"); the difference over
# the 2016 reads skipped, symbolised with the ELFs, is one round trip.
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-build/out/xen-arm-minimal.Image}
guest=build/out/tests/guests/ioreqbench.Image
out=build/out/bench/ioreq
goal=4
mkdir -p "$out"
[ -s "$guest" ] || make -s guests >/dev/null
size=$(printf '0x%x' "$(stat -c %s "$guest")")

# The device model and its client, on 2 CPUs: each domain lands on the CPU
# carrying the fewest vCPUs, so they get one each.
host_dtb() { # host_dtb GIC MODE OUT [CLIENT-BOOTARGS]
    tests/dtb/qemu-dtb.sh "$out/raw-v$1.dtb" "$1" 2 2G
    { dtc -q -I dtb -O dts "$out/raw-v$1.dtb"
      cat <<EOF
/ { chosen {
  dm { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>;
    memory = <0 0x4000>; cpus = <1>; vpl011; xen,enhanced = "enabled"; phandle = <0x7400>;
    kernel { compatible = "multiboot,kernel", "multiboot,module"; reg = <0 0x50000000 0 $size>; bootargs = "dm $2"; }; };
  client { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>;
    memory = <0 0x4000>; cpus = <1>; vpl011; device-model = <0x7400>; secondary-emulated-pci-host-bridge;
    kernel { compatible = "multiboot,kernel", "multiboot,module"; reg = <0 0x50200000 0 $size>; bootargs = "${4:-}"; }; }; }; };
EOF
    } | dtc -q -I dts -O dtb -o "$3" -
}

run() { # run GIC DTB LOG [QEMU-ARGS...]
    local g=$1 dtb=$2 log=$3
    shift 3
    timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version="$g" -cpu cortex-a57 -smp 2 -m 2G \
        -icount shift=0,sleep=off -nographic -nic none -no-reboot -kernel "$image" -dtb "$dtb" \
        -device "loader,file=$guest,addr=0x50000000,force-raw=on" \
        -device "loader,file=$guest,addr=0x50200000,force-raw=on" "$@" >"$log" 2>&1 || true
}

declare -A med p90 mean
for g in ${GICS:-3 2}; do
    for mode in ${MODES:-poll wfi}; do
        host_dtb "$g" "$mode" "$out/host-v$g-$mode.dtb"
        log=$out/run-v$g-$mode.log
        run "$g" "$out/host-v$g-$mode.dtb" "$log"
        if ! grep -q '(client) ioreqbench: done' "$log" || grep -q 'FAIL' "$log"; then
            echo "bench: ioreqbench did not finish on GICv$g with a $mode device model (see $log)" >&2
            exit 1
        fi
        freq=$(sed -nE 's/.*\(client\) ioreqbench: counter ([0-9]+) Hz.*/\1/p' "$log")
        while read -r name m p a; do
            med[$name,$g,$mode]=$m
            p90[$name,$g,$mode]=$p
            mean[$name,$g,$mode]=$a
        done < <(sed -nE 's/.*\(client\) ioreqbench: ([a-z0-9-]+) median ([0-9]+) p90 ([0-9]+) ticks .*mean ([0-9.]+) ns.*/\1 \2 \3 \4/p' "$log")
    done
done

tick_ns=$(awk -v f="$freq" 'BEGIN { printf "%g", 1e9 / f }')
cell() { # cell NAME,GIC,MODE
    [ -n "${med[$1]:-}" ] || { printf -- "-"; return; }
    printf "%s/%s = %s ns (%s)" "${med[$1]}" "${p90[$1]}" \
        "$(awk -v t="${med[$1]}" -v n="$tick_ns" 'BEGIN { printf "%d", t * n }')" "${mean[$1]}"
}
echo "ioreq round trip, QEMU virt, 2 CPUs (the guest and its device model on different CPUs), -icount shift=0:"
echo "virtual time per read, 2000 reads each timed alone: median/p90 counter ticks (${tick_ns} ns each) = median ns"
echo "(mean of the 10th-90th percentiles, ns: finer than a tick); deterministic. The two CPUs run in turn, so a"
echo "round trip is what both CPUs execute for it."
printf "  %-32s %-32s %-32s\n" "" "GICv3" "GICv2"
for row in "null:poll:the counter reads alone" "vpl011-fr:poll:vPL011 UARTFR (no trap)" \
    "gicd-typer:poll:GICD_TYPER (in hypervisor)" "ioreq-bar:poll:BAR0 reg, device model polling" \
    "ioreq-bar:wfi:BAR0 reg, device model in WFI" "ioreq-config:poll:ECAM, device model polling" \
    "ioreq-config:wfi:ECAM, device model in WFI"; do
    IFS=: read -r name mode label <<<"$row"
    printf "  %-32s %-32s %-32s\n" "$label" "$(cell "$name,3,$mode")" "$(cell "$name,2,$mode")"
done
verdict=met
for g in ${GICS:-3 2}; do
    for mode in ${MODES:-poll wfi}; do
        rt=${med[ioreq-bar,$g,$mode]} base=${med[gicd-typer,$g,$mode]}
        r=$(awk -v a="$rt" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
        exact=$(awk -v a="${mean[ioreq-bar,$g,$mode]}" -v b="${mean[gicd-typer,$g,$mode]}" 'BEGIN { printf "%.2f", a / b }')
        v=$(awk -v r="$r" -v g="$goal" 'BEGIN { print (r <= g) ? "meets" : "misses" }')
        [ "$v" = meets ] || verdict=MISSED
        printf "  GICv%s, device model %-7s BAR0 round trip / GICD_TYPER read: %s / %s ticks = %sx (by the means %sx); goal <= %sx: %s\n" \
            "$g" "$mode:" "$rt" "$base" "$r" "$exact" "$goal" "$v"
    done
done
echo "ioreq round trip: goal $verdict (<= ${goal}x a read the hypervisor emulates, GICD_TYPER, median ticks, every case above)"

[ "${PROFILE:-}" = 1 ] || exit 0
# ---- where the instructions go ----
hv_elf=${HV_ELF:-build/out/hv/xen-arm-minimal.elf}
guest_elf=${guest%.Image}.elf
make -s "$guest_elf"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$out/pcprof.so" tests/bench/pcprof.c
hv_base=$(sed -nE 's/.*xen-arm-minimal .* loaded at (0x[0-9a-f]+),.*/\1/p' "$out/run-v3-poll.log" | head -n 1)
# nm -n of both images, at their run-time addresses (the hypervisor runs
# where it was loaded, VA == PA; the guests at their link address)
{ nm -n --defined-only "$hv_elf" | awk -v b="$hv_base" '$2 ~ /^[tTwW]$/ { print "hyp", $1, $3, b }'
  nm -n --defined-only "$guest_elf" | awk '$2 ~ /^[tTwW]$/ { print "guest", $1, $3, "0x0" }'
} >"$out/symbols"
for mode in poll wfi; do
    for c in full nobar; do
        host_dtb 3 "$mode" "$out/prof-$mode-$c.dtb" "${c/full/}"
        run 3 "$out/prof-$mode-$c.dtb" "$out/prof-$mode-$c.log" -plugin "$out/pcprof.so,arg=out=$out/prof-$mode-$c.pcs"
        [ -s "$out/prof-$mode-$c.pcs" ] || { echo "bench: the profiling run $mode/$c wrote nothing (see $out/prof-$mode-$c.log)" >&2; exit 1; }
    done
    echo "one BAR0 round trip, GICv3, device model $mode: instructions by CPU and function (the client's"
    echo "'report' is its sorting, not the round trip: the runs differ by the timed reads and their report)"
    awk -v n=2016 '
        function hex(s,   i, v, c) { v = 0; s = tolower(s); sub(/^0x/, "", s)
            for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
            return v }
        FILENAME ~ /symbols$/ { a = hex($2) + hex($4); ns++; addr[ns] = a; name[ns] = $1 ":" $3; next }
        { pc = hex($1); for (c = 0; c < 2; c++) d[pc, c] += (FILENAME ~ /full/ ? 1 : -1) * $(c + 2); pcs[pc] = 1 }
        END {
            # symbols sorted by address (the two lists interleave)
            for (i = 2; i <= ns; i++) { a = addr[i]; b = name[i]; j = i - 1
                while (j > 0 && addr[j] > a) { addr[j + 1] = addr[j]; name[j + 1] = name[j]; j-- }
                addr[j + 1] = a; name[j + 1] = b }
            for (pc in pcs) { lo = 1; hi = ns
                while (lo < hi) { mid = int((lo + hi + 1) / 2); if (addr[mid] <= pc + 0) lo = mid; else hi = mid - 1 }
                for (c = 0; c < 2; c++) f[name[lo], c] += d[pc, c] }
            for (k in f) { split(k, p, SUBSEP); if (f[k] / n >= 0.5) printf "%d %.1f %s\n", p[2], f[k] / n, p[1] }
        }' "$out/symbols" "$out/prof-$mode-full.pcs" "$out/prof-$mode-nobar.pcs" |
        sort -k1,1n -k2,2gr | awk '
            !seen || $1 != cpu { if (seen) printf "    total %.1f\n", sum; seen = 1; cpu = $1; sum = 0
                printf "  CPU%s (%s):\n", $1, $1 == 0 ? "device model" : "client" }
            { sum += $2; printf "    %8.1f  %s\n", $2, $3 }
            END { printf "    total %.1f\n", sum }'
done
