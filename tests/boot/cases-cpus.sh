# Guests on every Arm core QEMU models (issue 16): Debian's Linux reaches
# its /init and powers off, seeing the CPU the hypervisor's feature model
# shows it (docs/domains.md, "CPU features"): on -cpu max pointer
# authentication is used with its keys switched per vCPU, and SME and MTE
# are hidden, as is SVE from domains without Xen's sve (the cases at the
# end give it to some). One cheap boot per model (TCG is slow on the big ones):
# a64fx and max are the slowest. -cpu max runs with pauth-impdef=on:
# QEMU's default QARMA5 algorithm costs TCG several times the boot time,
# and the guest-visible feature is the same (ID_AA64ISAR1.API, not APA).
cpu_linux() { # cpu_linux MODEL[,OPTIONS] CPUS DTB LOADS: one Linux domain, or lin1 and lin2
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return 1; }
    boot "--cpu $1 --gic 3 --smp $2 --dtb $3 $4" $U
    in_order "smp: $2 of $2 CPUs online" "cpufeature: guests. view over $2 CPUs: pointer auth (switched|hidden)(; SVE to domains with sve, vector lengths[ 0-9]*)?; hidden:"
    absent 'ERROR' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Internal error' \
        'Oops' 'SVE: maximum' 'Memory Tagging' 'SME: maximum' 'Scalable Matrix' 'Scalable Vector' 'undefined instruction'
    count_is 0 'WARNING' # the hypervisor's
    # Linux's own, but for what the model's hardware makes it say (a
    # CPU_WARNING regex: A64FX's 256-byte cache lines)
    local w; w=$(grep -E '\) \[ *[0-9.]+\] WARNING: ' "$log" | grep -cvE "${CPU_WARNING:-^$}")
    [ "$w" -eq 0 ] || fail "Linux warned $w time(s) (see its WARNING lines)"
}
cpu_linux_one() { # cpu_linux_one MODEL[,OPTIONS]
    cpu_linux "$1" 2 "$(dt dom-linux-v3-1)" "$(LINUX_LOADS 0x50000000 0x58000000)" || return
    in_order '\(linux\) .*Booting Linux on physical CPU 0x0' "\\(linux\\) XAM-LINUX-INIT: .* up, 1 CPU\\(s\\)" \
        'linux \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' 'all domains have stopped: powering off'
}
# Both Linux guests (and a bare-metal one) on ONE CPU: each signs its
# return addresses with its own pointer-auth keys, so keys that were not
# switched would make the other's authentications fail at once.
case_cpu-max-linux-pair() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local f rd; f=$(dt dom-linux-pair-smp1)
    rd=$(printf '0x%x' "$(stat -c %s "$linux/initramfs.cpio.gz")")
    cp "$(dt v3-smp1)" "$f"
    add_linux "$f" lin1 0x50000000 0x58000000 "$rd" 0x20000 1
    add_linux "$f" lin2 0x5a000000 0x5e000000 "$rd" 0x20000 1
    add_domain "$f" bare "$guests/hello.Image" 0x4c000000 memory=0:0x4000 cpus=1 vpl011
    cpu_linux max,pauth-impdef=on 1 "$f" \
        "$(LINUX_LOADS 0x50000000 0x58000000) $(LINUX_LOADS 0x5a000000 0x5e000000) --load $guests/hello.Image@0x4c000000" || return
    anywhere 'cpufeature: guests. view over 1 CPUs: pointer auth switched; SVE to domains with sve, vector lengths 128 256 [0-9 ]+ 2048; hidden: SME RAS' \
        'domain [0-9]: lin1, 1 vCPU, .*vCPU0 on CPU0' 'domain [0-9]: lin2, 1 vCPU, .*vCPU0 on CPU0'
    # Linux found pointer authentication and turned it on, in both guests
    anywhere '\(lin1\) .*CPU features: detected: Address authentication \(IMP DEF algorithm\)' \
        '\(lin2\) .*CPU features: detected: Address authentication \(IMP DEF algorithm\)' \
        '\(bare\) hello: all checks passed' '\(lin1\) XAM-LINUX-INIT: ' '\(lin2\) XAM-LINUX-INIT: ' \
        'lin1 \(domain [0-9]\): powered off' 'lin2 \(domain [0-9]\): powered off'
    in_order 'all domains have stopped: powering off'
}
case_cpu-neoverse-n1-linux() { cpu_linux_one neoverse-n1; }
case_cpu-cortex-a72-linux() { cpu_linux_one cortex-a72; }
case_cpu-cortex-a53-linux() { cpu_linux_one cortex-a53; }
case_cpu-a64fx-linux() {
    # arch_setup_dma_ops: ARCH_DMA_MINALIGN (128) smaller than CTR_EL0.CWG
    # (256), which Linux says on A64FX with or without a hypervisor
    CPU_WARNING='at arch/arm64/mm/dma-mapping.c:[0-9]+ arch_setup_dma_ops' cpu_linux_one a64fx
    anywhere '\(linux\) .*ARCH_DMA_MINALIGN smaller than CTR_EL0.CWG \(128 < 256\)'
    anywhere 'cpufeature: guests. view over 2 CPUs: pointer auth hidden; SVE to domains with sve, vector lengths 128 256 512; hidden: none'
}
# No state leaks between vCPUs on one CPU (tests/guests/leak.c): two
# domains write complementary patterns into every register a guest can
# write and check them across the scheduler's switches; on -cpu max that
# includes the pointer-auth keys, TPIDR2_EL0 (SME) and DISR_EL1 (RAS);
# with the machine's MTE on, MTE's registers are there to be trapped. A
# third domain with sve (empty: the machine's longest, 2048 bits on max)
# checks its Z0-Z31, P0-P15 and FFR at that length beside them.
case_cpu-max-no-leaks() {
    local f; f=$(dt dom-leak)
    cp "$(dt v3-smp1)" "$f"
    add_domain "$f" leaksve "$guests/leak.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 sve
    add_domain "$f" leakb "$guests/leak.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" leaka "$guests/leak.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/leaka/kernel bootargs "leak=a"
    boot "--cpu max,pauth-impdef=on --mte --gic 3 --smp 1 --dtb $f --load $guests/leak.Image@0x50000000 --load $guests/leak.Image@0x50200000 --load $guests/leak.Image@0x50400000" $K
    in_order 'cpufeature: guests. view over 1 CPUs: pointer auth switched; SVE to domains with sve, vector lengths 128 256 [0-9 ]+ 2048; hidden: SME MTE RAS'
    anywhere '\(leaka\) leak: domain a wrote its patterns' '\(leakb\) leak: domain b wrote its patterns' \
        '\(leaka\) leak: held APIAKeyLo_EL1' '\(leakb\) leak: held APGAKeyHi_EL1' '\(leaka\) leak: held TPIDR2_EL0' \
        '\(leaka\) leak: held DISR_EL1' '\(leaka\) leak: held FPCR' '\(leaka\) leak: held TPIDR_EL0' \
        '\(leaka\) leak: (held|undefined) ZCR_EL1' '\(leaka\) leak: undefined SMCR_EL1' '\(leaka\) leak: undefined SCXTNUM_EL0' \
        '\(leaka\) leak: undefined ERRSELR_EL1' '\(leaka\) leak: undefined LORC_EL1' '\(leaka\) leak: undefined GCR_EL1' \
        '\(leaka\) leak: ignored PMCCNTR_EL0' '\(leaka\) leak: ignored MDSCR_EL1' \
        '\(leaka\) leak: 0x[0-9a-f]+ registers held and V0-V31, 0x[0-9a-f]+ unwritable, checked across 0x0*[1-9a-f][0-9a-f]* switches' \
        '\(leakb\) leak: 0x[0-9a-f]+ registers held and V0-V31, 0x[0-9a-f]+ unwritable, checked across 0x0*[1-9a-f][0-9a-f]* switches' \
        '\(leaka\) leak: all checks passed' '\(leakb\) leak: all checks passed' \
        'domain 3: SVE, vectors of up to 2048 bits' '\(leaksve\) leak: SVE: vectors of 0x0*800 bits' \
        '\(leaka\) leak: SVE hidden' '\(leakb\) leak: SVE hidden' '\(leaksve\) leak: held APIAKeyLo_EL1' \
        '\(leaksve\) leak: 0x[0-9a-f]+ registers held and Z0-Z31 P0-P15 FFR, 0x[0-9a-f]+ unwritable, checked across 0x0*[1-9a-f][0-9a-f]* switches' \
        '\(leaksve\) leak: all checks passed'
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'domain stopped'
}
# SVE for domains with Xen's sve (issue 16), on A64FX (vector lengths
# 128, 256 and 512 bits), four tests/guests/leak.c domains on one CPU:
# leaka (sve = <512>) uses all 512 bits; leakb (sve = <256>) asks for
# 2048 with its ZCR_EL1 and gets 256 (ZCR_EL2); leakc (sve = <512>)
# chooses 256 with its own ZCR_EL1; plain (no sve) sees no SVE and takes
# RDVL and ZCR_EL1 as undefined. Each writes its own patterns into
# Z0-Z31, P0-P15 and FFR and checks them, and its vector length, across
# the scheduler's switches.
case_cpu-a64fx-sve-no-leaks() {
    local f d; f=$(dt dom-sve-leak)
    cp "$(dt v3-smp1)" "$f"
    add_domain "$f" plain "$guests/leak.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" leakc "$guests/leak.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 sve=0x200
    add_domain "$f" leakb "$guests/leak.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 sve=0x100
    add_domain "$f" leaka "$guests/leak.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011 sve=0x200
    fdtput -t s "$f" /chosen/leaka/kernel bootargs "leak=a"
    fdtput -t s "$f" /chosen/leakc/kernel bootargs "zcr-short"
    boot "--cpu a64fx --gic 3 --smp 1 --dtb $f --load $guests/leak.Image@0x50000000 --load $guests/leak.Image@0x50200000 --load $guests/leak.Image@0x50400000 --load $guests/leak.Image@0x50600000" $K
    in_order 'cpufeature: guests. view over 1 CPUs: pointer auth hidden; SVE to domains with sve, vector lengths 128 256 512; hidden: none'
    anywhere 'domain 1: SVE, vectors of up to 512 bits' 'domain 2: SVE, vectors of up to 256 bits' \
        'domain 3: SVE, vectors of up to 512 bits' \
        '\(leaka\) leak: ID_AA64PFR0.SVE 0x0*1, ID_AA64ZFR0 0x0+' '\(plain\) leak: ID_AA64PFR0.SVE 0x0+, ID_AA64ZFR0 0x0+' \
        '\(leaka\) leak: SVE: vectors of 0x0*200 bits' '\(leakb\) leak: SVE: vectors of 0x0*100 bits' \
        '\(leakc\) leak: SVE: vectors of 0x0*100 bits' '\(plain\) leak: SVE hidden' \
        '\(leaka\) leak: held ZCR_EL1' '\(leakb\) leak: held ZCR_EL1' '\(leakc\) leak: held ZCR_EL1' \
        '\(plain\) leak: undefined ZCR_EL1' '\(plain\) leak: held FPCR' '\(leaka\) leak: held FPCR' \
        '\(plain\) leak: 0x[0-9a-f]+ registers held and V0-V31, 0x[0-9a-f]+ unwritable, checked across 0x0*[1-9a-f][0-9a-f]* switches'
    for d in leaka leakb leakc; do
        anywhere "\\($d\\) leak: 0x[0-9a-f]+ registers held and Z0-Z31 P0-P15 FFR, 0x[0-9a-f]+ unwritable, checked across 0x0*[1-9a-f][0-9a-f]* switches"
    done
    for d in leaka leakb leakc plain; do anywhere "\\($d\\) leak: all checks passed"; done
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'domain stopped'
}
# Debian's Linux with and without Xen's sve on A64FX (SVE up to 512
# bits), side by side on 2 CPUs: sve256 (sve = <256>, 2 vCPUs, one on
# each CPU, each with its own state and the same length) finds SVE with
# 256-bit vectors at most and gives its user space 32-byte vectors by
# default, and its processes use SVE at 32 and 16 bytes
# (tests/guests/linux-cpus/xam-sve.c); nosve finds no SVE
# (tests/guests/linux-cpus/sve-init.sh).
case_cpu-a64fx-sve-linux() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local w="$out/work-cpu-a64fx-sve-linux-rd" f rd
    mkdir -p "$w"
    "$here/../guests/linux-hvc/mkinitramfs.sh" "$linux/initramfs.cpio.gz" "$here/../guests/linux-cpus/sve-init.sh" "$w/initramfs.cpio.gz" \
        "$guests/linux-cpus/xam-sve" ||
        { fail "could not make the guests' initramfs"; return; }
    rd=$(printf '0x%x' "$(stat -c %s "$w/initramfs.cpio.gz")")
    f=$(dt dom-sve-linux)
    cp "$(dt v3-smp2)" "$f"
    add_linux "$f" nosve 0x5a000000 0x5e000000 "$rd" 0x20000 1
    add_linux "$f" sve256 0x50000000 0x58000000 "$rd" 0x20000 2
    fdtput -t x "$f" /chosen/sve256 sve 0x100
    boot "--cpu a64fx --gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $w/initramfs.cpio.gz@0x58000000 --load $linux/Image@0x5a000000 --load $w/initramfs.cpio.gz@0x5e000000" $U
    in_order 'cpufeature: guests. view over 2 CPUs: pointer auth hidden; SVE to domains with sve, vector lengths 128 256 512; hidden: none' \
        'domain 1: sve256, 2 vCPUs, .*vCPU0 on CPU0' 'domain 1: SVE, vectors of up to 256 bits' \
        'domain 2: nosve, 1 vCPU, .*vCPU0 on CPU[01]'
    anywhere '\(sve256\) .*SVE: maximum available vector length 32 bytes per vector' \
        '\(sve256\) .*SVE: default vector length 32 bytes per vector' \
        '\(sve256\) XAM-SVE: sve_default_vector_length 32' '\(sve256\) XAM-SVE: /proc/cpuinfo lists sve' \
        '\(nosve\) XAM-SVE: no /proc/sys/abi/sve_default_vector_length' '\(nosve\) XAM-SVE: /proc/cpuinfo lists no sve' \
        '\(sve256\) XAM-SVE: HWCAP_SVE, PR_SVE_GET_VL 32' \
        '\(sve256\) XAM-SVE: vector length 32 bytes \(asked 32\), sum over its 4 lanes 10' \
        '\(sve256\) XAM-SVE: vector length 16 bytes \(asked 16\), sum over its 2 lanes 3' \
        '\(sve256\) XAM-SVE: asked for 256 bytes, given 32' '\(sve256\) XAM-SVE: all checks passed' \
        '\(sve256\) XAM-SVE: on cpu1' \
        '\(nosve\) XAM-SVE: no HWCAP_SVE' \
        '\(sve256\) XAM-LINUX-INIT: .* up, 2 CPU\(s\)' '\(nosve\) XAM-LINUX-INIT: .* up, 1 CPU\(s\)' \
        'sve256 \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' 'nosve \(domain 2\): powered off \(PSCI SYSTEM_OFF\)'
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' '\(nosve\) .*SVE: (maximum|default)' '\(nosve\) .*Scalable Vector' 'ERROR' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Internal error' \
        'Oops' 'undefined instruction'
    [ "$(grep -c '(sve256) XAM-SVE: all checks passed' "$log")" -eq 2 ] || fail "xam-sve did not pass on both of sve256's CPUs"
    count_is 0 'WARNING' # the hypervisor's
    local n; n=$(grep -E '\) \[ *[0-9.]+\] WARNING: ' "$log" | grep -cvE 'at arch/arm64/mm/dma-mapping.c:[0-9]+ arch_setup_dma_ops')
    [ "$n" -eq 0 ] || fail "Linux warned $n time(s) (see its WARNING lines)"
}
# The sve binding's refusals. What only the machine knows: a length
# longer than its CPUs give (A64FX: 512 bits; 384, which A64FX does not
# give, is accepted as 256, the longest it gives within), SVE where a
# CPU has none (cortex-a57); the dry run accepts both trees. A negative
# sve there is no SVE, as on Xen, and no refusal. What the binding itself
# forbids is refused by both with the same words.
sve_domains() { # sve_domains DTB NAME=SVE-CELL...: hello.Image domains from 0x50000000
    local f=$1 a=0x50000000 d; shift
    for d in "$@"; do
        add_domain "$f" "${d%%=*}" "$guests/hello.Image" $a memory=0:0x4000 cpus=1 vpl011 sve="${d#*=}"
        a=$(printf '0x%x' $((a + 0x200000)))
    done
}
case_sve-longer-than-the-machine() {
    local f; f=$(dt dom-sve-long)
    cp "$(dt v3-smp1)" "$f"
    sve_domains "$f" longest=0xffffffff long=0x400 mid=0x180
    boot "--cpu a64fx --gic 3 --smp 1 --dtb $f --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000" $K
    anywhere 'ERROR: /chosen/long: sve: 1024-bit vectors asked, but 512 bits is the longest SVE vector length all CPUs give; domain skipped' \
        'domain 1: mid, .*' 'domain 1: SVE, vectors of up to 256 bits \(the longest every CPU gives within its sve\)' \
        'domain 2: longest, .*' 'domain 2: SVE, vectors of up to 512 bits' '\(longest\) hello: all checks passed' \
        '\(mid\) hello: all checks passed'
    count_is 1 ERROR
    in_order 'all domains have stopped: powering off'
    machine_only sve "$f" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000"
}
case_sve-without-sve() {
    local f; f=$(dt dom-sve-none)
    cp "$(dt v3-smp1)" "$f"
    sve_domains "$f" none=0xffffff80 want=0x80
    boot "--gic 3 --smp 1 --dtb $f --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000" $K
    anywhere 'ERROR: /chosen/want: sve: 128-bit vectors asked, but SVE is not on every CPU of this machine; domain skipped' \
        'domain 1: none, .*' '\(none\) hello: all checks passed'
    count_is 1 ERROR
    absent 'SVE, vectors'
    in_order 'all domains have stopped: powering off'
    machine_only sve "$f" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000"
}
case_sve-binding-refused() {
    local f; f=$(dt dom-sve-bad)
    cp "$(dt v3-smp1)" "$f"
    sve_domains "$f" good=0x80 odd=0xc8 huge=0x1000 two=0x100:0x100
    boot "--cpu a64fx --gic 3 --smp 1 --dtb $f --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    anywhere 'ERROR: /chosen/odd: sve: 200 bits is no SVE vector length: a multiple of 128 up to 2048, 0 \(no SVE\) or a negative number \(the longest the machine gives\); domain skipped' \
        'ERROR: /chosen/huge: sve: 4096 bits is no SVE vector length' 'ERROR: /chosen/two: sve: must be empty or one cell' \
        'domain 1: SVE, vectors of up to 128 bits' '\(good\) hello: all checks passed'
    count_is 3 ERROR
    in_order 'all domains have stopped: powering off'
    twin "$f" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000" "$guests/hello.Image@0x50600000"
}
