# Hostile-guest boot cases, sourced by tests/boot/run.sh: bare-metal guests
# (tests/guests/hostile_*.c) that attack the hypervisor's guest-facing core
# (PSCI races, the vGIC's MMIO decoding, the scheduler's sleeper list, the
# console), each checking what a correct hypervisor must do. Same helpers
# and conventions as run.sh: make_hostile_dtbs makes the device trees,
# each case_hostile-* boots once and states its expectations.

vcpu_affinity() { # vcpu_affinity DTB DOMAIN VCPU CPU-LIST
    fdtput -c "$1" "/chosen/$2/vcpu$3"
    fdtput -t s "$1" "/chosen/$2/vcpu$3" compatible xen,vcpu
    fdtput -t x "$1" "/chosen/$2/vcpu$3" id "$3"
    fdtput -t s "$1" "/chosen/$2/vcpu$3" hard-affinity "$4"
}

make_hostile_dtbs() {
    local f s
    # 1. SYSTEM_RESET from vCPU1 while vCPU0 spins, beside a bystander on
    # vCPU0's CPU, and a neighbour there that spins for 2 s (noisy.Image),
    # so that vCPU0 is often waiting in the run queue when the reset comes.
    # Nodes added first are built (and queued) last: resetter, spinner,
    # bystander. The resetter's kernel is not 2 MiB-aligned: copied, so it
    # can be rebuilt. loglvl=all shows the "memory freed" debug line.
    for s in 1 2 4 pool; do
        f=$(dt dom-hostile-reset-$s)
        local pool=""
        if [ "$s" = pool ]; then # everything in a cpupool of one CPU (CPU3) of four
            cp "$(dt v3-smp4)" "$f"
            fdtput -c "$f" /chosen/pool3
            fdtput -t s "$f" /chosen/pool3 compatible xen,cpupool
            fdtput -t x "$f" /chosen/pool3 cpupool-cpus "$(fdtget -t x "$f" /cpus/cpu@3 phandle)"
            fdtput -t x "$f" /chosen/pool3 phandle 0x7003
            pool=domain-cpupool=0x7003
        else
            cp "$(dt v3-smp$s)" "$f"
        fi
        fdtput -t s "$f" /chosen xen,xen-bootargs "loglvl=all"
        add_domain "$f" bystander "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 $pool
        add_domain "$f" spinner "$guests/noisy.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 $pool
        add_domain "$f" resetter "$guests/hostile_reset.Image" 0x50001000 memory=0:0x4000 cpus=2 vpl011 $pool
        if [ "$s" = 2 ] || [ "$s" = 4 ]; then # all on CPU0 but the resetter's vCPU1, on CPU1
            vcpu_affinity "$f" bystander 0 0
            vcpu_affinity "$f" spinner 0 0
            vcpu_affinity "$f" resetter 0 0
            vcpu_affinity "$f" resetter 1 1
        fi
    done
    # 2. odd accesses to the vGIC distributor, one domain on one CPU
    for s in itargets-v2 width-v2 width-v3; do
        f=$(dt dom-hostile-vgic-$s)
        cp "$(dt v${s##*-v}-smp1)" "$f"
        add_domain "$f" vgic "$guests/hostile_vgic.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
        fdtput -t s "$f" /chosen/vgic xen,enhanced enabled
        fdtput -t s "$f" /chosen/vgic/kernel bootargs "${s%-v*}"
    done
    # 3. a CPU_ON storm: one 4-vCPU domain, on 2 and on 4 CPUs
    for s in 2 4; do
        f=$(dt dom-hostile-cpuon-smp$s)
        cp "$(dt v3-smp$s)" "$f"
        add_domain "$f" storm "$guests/hostile_cpuon.Image" 0x50000000 memory=0:0x4000 cpus=4 vpl011
    done
    # 4. the last vCPU calls CPU_OFF: one vCPU, and two going off in turn
    for s in 1 2; do
        f=$(dt dom-hostile-cpuoff-$s)
        cp "$(dt v3-smp2)" "$f"
        add_domain "$f" cpuoff "$guests/hostile_cpuoff.Image" 0x50000000 memory=0:0x4000 cpus=$s vpl011
        [ "$s" = 1 ] || fdtput -t s "$f" /chosen/cpuoff/kernel bootargs "two"
    done
    # 5. 72 vCPUs asleep on their timers on one CPU: nine 8-vCPU domains,
    # each with its own copy of the kernel
    f=$(dt dom-hostile-sleepers)
    cp "$(dt v3-smp1)" "$f"
    local i
    for i in 1 2 3 4 5 6 7 8 9; do
        add_domain "$f" sleep$i "$guests/hostile_sleepers.Image" "$(printf '0x%x' $((0x50000000 + (i - 1) * 0x200000)))" \
            memory=0:0x4000 cpus=8 vpl011
    done
    # 6. a guest forging console lines, through console_io and its vPL011
    f=$(dt dom-hostile-console)
    cp "$(dt v3-smp1)" "$f"
    add_domain "$f" forger "$guests/hostile_console.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/forger xen,enhanced enabled
}

# ---- checks ------------------------------------------------------------------
# reset_sequence NAME: every reset of NAME is, in this order, announced once,
# frees the domain's memory once and rebuilds it once; its memory may be
# freed once more at the very end (its power-off). At least MIN resets.
reset_sequence() { # reset_sequence NAME MIN
    local seq n
    seq=$(awk -v n="$1" '
        index($0, n " (domain ") && / reset \(PSCI SYSTEM_RESET\): rebuilding it/ { printf "R"; next }
        index($0, "] " n ": memory freed") { printf "F"; next }
        $0 ~ ("domain [0-9]+: " n " rebuilt from its boot modules") { printf "B" }' < <(hypervisor_lines))
    # hypervisor lines only: a guest printing these must not count
    n=$(hypervisor_lines | grep -cE -- "$1 \\(domain [0-9]+\\): reset \\(PSCI SYSTEM_RESET\\): rebuilding it")
    [ "$n" -ge "$2" ] || fail "$1 was reset $n times, expected at least $2"
    [[ $seq =~ ^(RFB)*F?$ ]] ||
        fail "$1: resets (R), frees (F) and rebuilds (B) came as '$seq', not one free and one rebuild per reset"
}

# ---- the cases ---------------------------------------------------------------
hostile_reset() { # hostile_reset DTB SMP
    boot "--gic 3 --smp $2 --dtb $(dt "$1") --load $guests/hostile_reset.Image@0x50001000 --load $guests/hello.Image@0x50200000 --load $guests/noisy.Image@0x50400000" 30
    anywhere 'domains: +kernel module at 0x50001000, 0x[0-9a-f]+ bytes' '\(bystander\) hello: all checks passed' \
        '\(spinner\) noisy: done'
    absent 'kernel module at 0x50001000.*mapped in place'
    in_order '\(resetter\) hostile-reset: booted, created at' \
        'resetter \(domain [0-9]+\): reset \(PSCI SYSTEM_RESET\): rebuilding it' \
        'domain [0-9]+: resetter rebuilt from its boot modules' \
        '\(resetter\) hostile-reset: all checks passed' 'resetter \(domain [0-9]+\): powered off' \
        'all domains have stopped: powering off'
    reset_sequence resetter 3
    count_is 1 'all domains have stopped: powering off'
    absent 'could not be rebuilt' 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_hostile-reset-smp1() { hostile_reset dom-hostile-reset-1 1; }
case_hostile-reset-smp2() { hostile_reset dom-hostile-reset-2 2; }
case_hostile-reset-smp4() { hostile_reset dom-hostile-reset-4 4; }
case_hostile-reset-pool() {
    hostile_reset dom-hostile-reset-pool 4
    anywhere 'domain [0-9]: vCPU placement 0:CPU3 1:CPU3' 'domain [0-9]: bystander, 1 vCPU, .*vCPU0 on CPU3' \
        'domain [0-9]: spinner, 1 vCPU, .*vCPU0 on CPU3'
}

hostile_vgic() { # hostile_vgic itargets|width GIC
    boot "--gic $2 --smp 1 --dtb $(dt dom-hostile-vgic-$1-v$2) --load $guests/hostile_vgic.Image@0x50000000" 30
    in_order "gic: GICv$2" '\(vgic\) hostile-vgic: ' '\(vgic\) hostile-vgic: the distributor refused what it had to' \
        '\(vgic\) hostile-vgic: all checks passed' 'vgic \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' \
        'all domains have stopped: powering off'
    # a refusal may be logged (once) as a warning; nothing else may be
    local w; w=$(grep -E 'WARNING' "$log" | grep -vcE 'WARNING: vgic: .*refused')
    [ "$w" -eq 0 ] || fail "$w warnings other than a refused access"
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
    last_line=0 # each case's own checks start from the top again
}
# Unaligned 16/32-bit GICD_ITARGETSR accesses straddling the last SPI: an
# out-of-bounds write into the domain's own struct domain, and a leak.
case_hostile-vgic-itargetsr-unaligned() {
    hostile_vgic itargets 2
    in_order '\(vgic\) PASS: a 4-byte read at GICD\+0x[0-9a-f]+ was refused with an abort' \
        '\(vgic\) PASS: a 2-byte write at GICD\+0x[0-9a-f]+ was refused with an abort' \
        '\(vgic\) PASS: CNTPCT - CNTVCT \(my counter offset\) is unchanged' \
        '\(vgic\) PASS: XENVER_get_features is unchanged' \
        '\(vgic\) PASS: byte reads of ITARGETSR past the implemented SPIs read 0' \
        '\(vgic\) PASS: byte writes there are ignored'
    count_is 6 '\(vgic\) PASS: a [24]-byte (read|write) at GICD\+0x[0-9a-f]+ was refused with an abort'
}
# A byte write to the word-only GICD_ISENABLER1 enabled the wrong INTID.
hostile_vgic_width() {
    hostile_vgic width "$1"
    in_order '\(vgic\) PASS: a 1-byte write at GICD\+0x0000000000000105 was refused with an abort' \
        '\(vgic\) PASS: INTID 32 was not enabled by it' '\(vgic\) PASS: nor INTID 40' \
        '\(vgic\) PASS: a 32-bit write of 1 << 8 enables exactly INTID 40'
}
case_hostile-vgic-byte-write-gicv2() { hostile_vgic_width 2; }
case_hostile-vgic-byte-write-gicv3() { hostile_vgic_width 3; }

# CPU_ON against vCPUs that CPU_OFF at once: a start must never see the
# previous incarnation's EL1 registers.
hostile_cpuon() { # hostile_cpuon SMP
    boot "--gic 3 --smp $1 --dtb $(dt dom-hostile-cpuon-smp$1) --load $guests/hostile_cpuon.Image@0x50000000" 30
    in_order 'domain 1: storm, 4 vCPUs' '\(storm\) hostile-cpuon: CPU_ON storm' \
        '\(storm\) PASS: at least 3000 CPU_ONs succeeded' \
        '\(storm\) PASS: no vCPU started with its previous incarnation.s' \
        '\(storm\) PASS: every start had x0 = the context passed' \
        '\(storm\) PASS: each successful CPU_ON started its vCPU exactly once' \
        '\(storm\) hostile-cpuon: all checks passed' 'storm \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' \
        'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_hostile-cpuon-storm-smp2() { hostile_cpuon 2; }
case_hostile-cpuon-storm-smp4() { hostile_cpuon 4; }

# The last vCPU turning itself off: the domain is then powered off, and
# with it (the only domain) the machine.
hostile_cpuoff() { # hostile_cpuoff VCPUS
    boot "--gic 3 --smp 2 --dtb $(dt dom-hostile-cpuoff-$1) --load $guests/hostile_cpuoff.Image@0x50000000" 20
    [ "$1" = 1 ] || in_order '\(cpuoff\) hostile-cpuoff: vCPU1 calls CPU_OFF' \
        '\(cpuoff\) PASS: AFFINITY_INFO says vCPU1 is OFF after its CPU_OFF'
    last_line=0
    in_order "domain 1: cpuoff, $1 vCPU" '\(cpuoff\) hostile-cpuoff: vCPU0, the last one, calls CPU_OFF' \
        'cpuoff \(domain [0-9]+\): powered off \(its last vCPU called PSCI CPU_OFF\)' \
        'all domains have stopped: powering off'
    count_is 1 'cpuoff \(domain [0-9]+\): powered off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_hostile-cpu-off-last() { hostile_cpuoff 1; }
case_hostile-cpu-off-last-2vcpus() { hostile_cpuoff 2; }

# More vCPUs asleep on timers on one CPU than the sleeper list once held.
case_hostile-timer-sleepers() {
    local i loads=""
    for i in 0 1 2 3 4 5 6 7 8; do
        loads+=" --load $guests/hostile_sleepers.Image@$(printf '0x%x' $((0x50000000 + i * 0x200000)))"
    done
    boot "--gic 3 --smp 1 --dtb $(dt dom-hostile-sleepers)$loads" 30
    for i in 1 2 3 4 5 6 7 8 9; do
        last_line=0
        in_order "domain [0-9]: sleep$i, 8 vCPUs" "\\(sleep$i\\) hostile-sleepers: 0x0*8 vCPUs, rounds done by each: 8 8 8 8 8 8 8 8" \
            "\\(sleep$i\\) PASS: every vCPU woke from its timer every round" \
            "\\(sleep$i\\) hostile-sleepers: all checks passed" "sleep$i \\(domain [0-9]\\): powered off"
    done
    anywhere 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}

# A guest's console output cannot pass for the hypervisor's, nor reach the
# terminal as escape sequences.
case_hostile-console-forgery() {
    boot "--gic 3 --smp 1 --dtb $(dt dom-hostile-console) --load $guests/hostile_console.Image@0x50000000" 30
    in_order '\(forger\) hostile-console: forging console lines' \
        '\(forger\) \[    0\.100000\] ERROR: \*\*\* CRASH on CPU0: forged by a guest' \
        '\(forger\) cio-esc: \\x1b\[2J\\x1b\]0;title\\x07 end' '\(forger\) cio-cr: keepoverwritten' \
        '\(forger\) \[    0\.200000\] ERROR: \*\*\* CRASH on CPU0: forged via the UART' \
        '\(forger\) uart-esc: \\x1b\[2J\\x1b\]0;title\\x07 end' '\(forger\) uart-cr: keepoverwritten' \
        "\\(forger\\) uart-ctl: a\\\\x01b\\\\x7fc$(printf '\t')d" \
        '\(forger\) hostile-console: all checks passed' 'forger \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' \
        'all domains have stopped: powering off'
    # console_io byte for byte: each line whole, once, with one prefix, in
    # order, nothing between (no blank line, no cut at 127 or 160)
    local want got i long='cio-long: ' chunky='cio-200: '
    for ((i = ${#long}; i < 300; i++)); do long+=$(printf "\\$(printf '%03o' $((97 + i % 26)))"); done
    for ((i = ${#chunky}; i < 199; i++)); do chunky+=$((i % 10)); done
    want=$(printf '%s\n' "$long" 'cio-multi: one' 'cio-multi: two' 'cio-multi: three' "$chunky" 'cio-split: hello')
    got=$(tr -d '\r' <"$log" | sed -n 's/^\[ *[0-9]*\.[0-9]*\] (forger) //p' | sed -n '/^cio-long: /,/^cio-split: /p')
    [ "$got" = "$want" ] || fail "console_io lines differ from what the guest wrote: [$(tr '\n' '|' <<<"$got")]"
    anywhere '\(forger\) PASS: console_io wrote the byte-for-byte lines'
    # the forged text only ever after the guest's prefix
    local forged prefixed
    forged=$(grep -c 'forged' "$log") prefixed=$(grep -cE '^\[ *[0-9]+\.[0-9]+\] \(forger\) .*forged' "$log")
    [ "$forged" -eq "$prefixed" ] || fail "'forged' is on $forged lines, only $prefixed of them start with '[ time] (forger) '"
    # no raw ESC or BEL, no carriage return but at the ends of lines
    absent $'\x1b' $'\x07' $'\r.'
    absent '^\[ *[0-9]+\.[0-9]+\] ERROR: \*\*\* CRASH' 'FAIL' 'WARNING' 'PANIC'
}
