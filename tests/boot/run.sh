#!/usr/bin/env bash
# QEMU boot tests. Each case boots the hypervisor, captures the console and
# checks it: lines that must appear (in this order), lines that must not,
# and that QEMU exited 0 by itself (PSCI SYSTEM_OFF) before its time-out.
# Prints "ok - boot/NAME" or "not ok - boot/NAME" with the reason and the
# whole console log. Two cases run at a time (the machines have 2 cores).
#   run.sh IMAGE SHIM GUESTDIR [CASE...]     (no CASE: all of them)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/host-tree.sh"
image=$1 shim=$2 guests=$3
shift 3
linux=${LINUX_DIR:-${OUT:-build/out}/guests/linux} # build/fetch-guests.sh
only=("$@")
out=${OUT:-build/out}/tests/boot
mkdir -p "$out"
run=$here/qemu-run.sh
KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-60}
UBOOT_TIMEOUT=${UBOOT_TIMEOUT:-120}

# ---- device trees -----------------------------------------------------------
# Baselines are QEMU's own trees, packed (dtc drops the 1 MiB padding);
# every variant is one edit away from a baseline, made with fdtput.
dt() { echo "$out/dtb/$1.dtb"; }
make_dtbs() {
    mkdir -p "$out/dtb"
    local g s
    for g in 2 3; do
        for s in 1 2 4; do
            "$here/../dtb/qemu-dtb.sh" "$out/dtb/raw-v$g-smp$s.dtb" "$g" "$s" 2G
            dtc -q -I dtb -O dtb -p 4096 -o "$(dt v$g-smp$s)" "$out/dtb/raw-v$g-smp$s.dtb"
        done
    done
    local base; base=$(dt v3-smp1)
    # with a hypervisor command line
    for args in "crash-test=abort" "crash-test=undef crash-test-cpu=2" "crash-test=panic" \
                "crash-test=stack" "loglvl=warning stage2=bogus crash-test=bogus"; do
        local name; name=args-$(tr ' =' '_-' <<<"$args")
        local src; src=$(dt v3-smp1); [[ $args == *cpu=2* ]] && src=$(dt v3-smp4)
        cp "$src" "$(dt "$name")"
        fdtput -t s "$(dt "$name")" /chosen xen,xen-bootargs "$args"
    done
    # dom0less domains running test guests: add_domain DTB NAME KERNEL ADDR [PROP=VALUE...]
    for g in 2 3; do
        cp "$(dt v$g-smp2)" "$(dt dom-hello-v$g)"
        add_domain "$(dt dom-hello-v$g)" domU0 "$guests/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    done
    cp "$(dt dom-hello-v3)" "$(dt dom-hello-sync)"
    fdtput -t s "$(dt dom-hello-sync)" /chosen xen,xen-bootargs "sync_console"
    cp "$(dt v3-smp2)" "$(dt dom-one-bad)"
    add_domain "$(dt dom-one-bad)" bad0 "$guests/hello.Image" 0x50000000 cpus=1 vpl011
    add_domain "$(dt dom-one-bad)" good1 "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$(dt dom-one-bad)" bad2 "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=0 vpl011
    add_domain "$(dt dom-one-bad)" good3 "$guests/hello.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011
    for s in 1 2; do
        cp "$(dt v3-smp$s)" "$(dt dom-timer-smp$s)"
        add_domain "$(dt dom-timer-smp$s)" domU0 "$guests/timer.Image" 0x50000000 memory=0:0x4000 cpus=2 vpl011
    done
    # Debian's kernel + busybox initramfs (the kernel at 0x50000000, its
    # initramfs at 0x58000000, a second pair at 0x5a000000/0x5e000000)
    if [ -s "$linux/Image" ]; then
        local rd; rd=$(printf '0x%x' "$(stat -c %s "$linux/initramfs.cpio.gz")")
        for g in 2 3; do
            for v in 1 2; do
                cp "$(dt v$g-smp2)" "$(dt dom-linux-v$g-$v)"
                add_linux "$(dt dom-linux-v$g-$v)" linux 0x50000000 0x58000000 "$rd" 0x40000 "$v"
            done
        done
        # GICv2's boots map guests' stage 2 in blocks, as on hardware; every
        # other boot here is on QEMU's virt machine, so in pages (setup.c)
        for v in 1 2; do fdtput -t s "$(dt dom-linux-v2-$v)" /chosen xen,xen-bootargs "stage2=blocks"; done
        # past one affinity cluster of 16 (Xen's vCPU numbering)
        cp "$(dt v3-smp2)" "$(dt dom-linux-v3-18)"
        add_linux "$(dt dom-linux-v3-18)" linux 0x50000000 0x58000000 "$rd" 0x40000 0x12
        cp "$(dt v3-smp2)" "$(dt dom-linux-pair)"
        add_linux "$(dt dom-linux-pair)" lin1 0x50000000 0x58000000 "$rd" 0x20000 1
        add_linux "$(dt dom-linux-pair)" lin2 0x5a000000 0x5e000000 "$rd" 0x20000 1
        add_domain "$(dt dom-linux-pair)" bare "$guests/hello.Image" 0x4c000000 memory=0:0x4000 cpus=1 vpl011
    fi
    # badly behaved guests sharing one CPU with a good one
    for g in 2 3; do
        local f; f=$(dt dom-noisy-v$g)
        cp "$(dt v$g-smp1)" "$f"
        # fdtput puts each new node first: the good guest is built (and so
        # queued) last, behind the ones that never give the CPU up
        add_domain "$f" good "$guests/hello.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011
        add_domain "$f" spin "$guests/noisy.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
        add_domain "$f" flood "$guests/noisy.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
        fdtput -t s "$f" /chosen/flood/kernel bootargs "noisy=flood"
        add_domain "$f" faulty "$guests/fault.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
        fdtput -t s "$f" /chosen/faulty/kernel bootargs "fault=ptimer"
    done
    # vCPU placement from a cpupool and from hard affinity, on 4 CPUs
    f=$(dt dom-placement)
    cp "$(dt v3-smp4)" "$f"
    fdtput -c "$f" /chosen/pool23
    fdtput -t s "$f" /chosen/pool23 compatible xen,cpupool
    fdtput -t x "$f" /chosen/pool23 cpupool-cpus "$(fdtget -t x "$f" /cpus/cpu@2 phandle)" "$(fdtget -t x "$f" /cpus/cpu@3 phandle)"
    fdtput -t x "$f" /chosen/pool23 phandle 0x7000
    add_domain "$f" badpool "$guests/hello.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011 domain-cpupool=0x7001
    add_domain "$f" badaff "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/badaff/vcpu0
    fdtput -t s "$f" /chosen/badaff/vcpu0 compatible xen,vcpu
    fdtput -t x "$f" /chosen/badaff/vcpu0 id 0
    fdtput -t s "$f" /chosen/badaff/vcpu0 hard-affinity "9"
    add_domain "$f" pinned "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/pinned/vcpu0
    fdtput -t s "$f" /chosen/pinned/vcpu0 compatible xen,vcpu
    fdtput -t x "$f" /chosen/pinned/vcpu0 id 0
    fdtput -t s "$f" /chosen/pinned/vcpu0 hard-affinity "1"
    add_domain "$f" pooled "$guests/timer.Image" 0x50000000 memory=0:0x4000 cpus=2 vpl011 domain-cpupool=0x7000
    cp "$(dt v3-smp2)" "$(dt dom-isolate)"
    add_domain "$(dt dom-isolate)" reader "$guests/isolate.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$(dt dom-isolate)" writer "$guests/isolate.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$(dt dom-isolate)" /chosen/writer/kernel bootargs "isolate=writer"
    cp "$(dt v3-smp1)" "$(dt dom-echo)"
    add_domain "$(dt dom-echo)" echo "$guests/echo.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    printf 'hlv\001\001\001hello world\r' >"$out/dtb/echo-input"
    cp "$(dt v3-smp2)" "$(dt dom-reset)"
    # the resetter's kernel is not 2 MiB-aligned: copied; the other one is
    # 2 MiB-aligned but smaller than 2 MiB, so copied too (whole 2 MiB
    # chunks are mapped in place: ram-residue and linux-reboot-in-place)
    add_domain "$(dt dom-reset)" resetter "$guests/reset.Image" 0x50001000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$(dt dom-reset)" other "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$(dt dom-reset)" inplace "$guests/reset.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    cp "$(dt v3-smp1)" "$(dt dom-ptimer)"
    add_domain "$(dt dom-ptimer)" ptimer "$guests/fault.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$(dt dom-ptimer)" /chosen/ptimer/kernel bootargs "fault=ptimer"
    cp "$(dt v3-smp2)" "$(dt dom-fault)"
    add_domain "$(dt dom-fault)" good "$guests/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$(dt dom-fault)" faulty "$guests/fault.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    # Xen's trap-unmapped-accesses = <0>: the same access reads all ones
    add_domain "$(dt dom-fault)" ones "$guests/fault.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$(dt dom-fault)" /chosen/ones/kernel bootargs "fault=ones"
    fdtput -t x "$(dt dom-fault)" /chosen/ones trap-unmapped-accesses 0
    # the PCI bridge: a device model serving a polling guest and a held one,
    # beside a guest without PV interfaces and two refused bridges
    f=$(dt dom-bridge)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" plain "$guests/dtcheck.Image" 0x50800000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/plain/kernel bootargs "noxen"
    add_domain "$f" overlap "$guests/dtcheck.Image" 0x50800000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7100 \
        secondary-emulated-pci-host-bridge=0:0x40000000:0:0x100000:0:0x70000000:0:0x100000:0:0:0:0:0x28:1:0
    add_domain "$f" selfdm "$guests/dtcheck.Image" 0x50800000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7102 \
        phandle=0x7102 secondary-emulated-pci-host-bridge
    fdtput -t s "$f" /chosen/selfdm xen,enhanced enabled
    add_domain "$f" guest2 "$guests/dtcheck.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7100 \
        secondary-emulated-pci-host-bridge=0:0x60000000:0:0x200000:0:0x70000000:0:0x1000000:0:0:0:0:0x28:2:0 \
        hold-until-device-model
    fdtput -t s "$f" /chosen/guest2 xen,enhanced no-xenstore
    fdtput -t s "$f" /chosen/guest2/kernel bootargs "bridge held"
    add_domain "$f" guest1 "$guests/dtcheck.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7100 \
        secondary-emulated-pci-host-bridge
    fdtput -t s "$f" /chosen/guest1 xen,enhanced enabled
    fdtput -t s "$f" /chosen/guest1/kernel bootargs "bridge wait"
    add_domain "$f" dm "$guests/devmodel.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011 phandle=0x7100
    fdtput -t s "$f" /chosen/dm/kernel bootargs "delay"
    # a device model serving one PCI function (devmodel.c "pcitest") to a
    # client that uses it (pciclient.c), beside a domain it does not serve
    for g in 2 3; do
        f=$(dt dom-pcitest-v$g)
        cp "$(dt v$g-smp2)" "$f"
        add_domain "$f" bystander "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
        add_domain "$f" pciclient "$guests/pciclient.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7400 \
            secondary-emulated-pci-host-bridge
        add_domain "$f" dm "$guests/devmodel.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011 phandle=0x7400
        fdtput -t s "$f" /chosen/dm xen,enhanced enabled
        fdtput -t s "$f" /chosen/dm/kernel bootargs "pcitest"
    done
    # partial device trees: an MMIO passthrough, and two refused ones
    local p
    for p in rtc ram irq rtc-irq xen-style; do dtc -q -I dts -O dtb -o "$out/dtb/partial-$p.dtb" "$here/partial/$p.dts" || return 1; done
    # Xen's shape (/gic placeholder, 2/1 cells): QEMU's GICv2m frame and its
    # rising-edge SPI 50, the frame's SPIs said in the host tree as the
    # binding allows (arm,msi-base-spi), so xen,path's node has them
    # the PL031 as a rising-edge interrupt on GICv3 (its line rises at each
    # match; the host tree says edge, so xen,path's node has it)
    sed 's/interrupts = <0x0 0x2 0x4>/interrupts = <0x0 0x2 0x1>/' "$here/partial/rtc-irq.dts" |
        dtc -q -I dts -O dtb -o "$out/dtb/partial-rtc-edge.dtb" - || return 1
    f=$(dt dom-rtc-edge)
    cp "$(dt v3-smp2)" "$f"
    fdtput -t x "$f" /pl031@9010000 interrupts 0 2 1
    add_domain "$f" rtcirq "$guests/rtcirq.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/rtcirq/dtb
    fdtput -t s "$f" /chosen/rtcirq/dtb compatible multiboot,device-tree multiboot,module
    fdtput -t x "$f" /chosen/rtcirq/dtb reg 0 0x50200000 0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/partial-rtc-edge.dtb")")"
    f=$(dt dom-xen-style)
    cp "$(dt v2-smp2)" "$f"
    fdtput -t u "$f" /intc@8000000/v2m@8020000 arm,msi-base-spi 80
    fdtput -t u "$f" /intc@8000000/v2m@8020000 arm,msi-num-spis 64
    add_domain "$f" edgeirq "$guests/edgeirq.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/edgeirq/dtb
    fdtput -t s "$f" /chosen/edgeirq/dtb compatible multiboot,device-tree multiboot,module
    fdtput -t x "$f" /chosen/edgeirq/dtb reg 0 0x50200000 0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/partial-xen-style.dtb")")"
    f=$(dt dom-rtc-irq)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" rtcirq "$guests/rtcirq.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/rtcirq/dtb
    fdtput -t s "$f" /chosen/rtcirq/dtb compatible multiboot,device-tree multiboot,module
    fdtput -t x "$f" /chosen/rtcirq/dtb reg 0 0x50200000 0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/partial-rtc-irq.dtb")")"
    # two held guests, each the other's device model (this hung silently),
    # and two domains whose names agree in their first 31 characters
    f=$(dt dom-dm-loop)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" good "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" a-domain-with-a-very-long-name-two "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" a-domain-with-a-very-long-name-one "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" loopb "$guests/dtcheck.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 phandle=0x7201 \
        device-model=0x7200 secondary-emulated-pci-host-bridge hold-until-device-model
    add_domain "$f" loopa "$guests/dtcheck.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 phandle=0x7200 \
        device-model=0x7201 secondary-emulated-pci-host-bridge hold-until-device-model
    # the same RTC, but naming SPI 500, which QEMU's GIC (256 lines) lacks
    sed 's/interrupts = <0x0 0x2 0x4>/interrupts = <0x0 0x1f4 0x4>/' "$here/partial/rtc-irq.dts" |
        dtc -q -I dts -O dtb -o "$out/dtb/partial-ghost-irq.dtb" - || return 1
    f=$(dt dom-ghost-irq)
    cp "$(dt v3-smp2)" "$f"
    # the host node (xen,path) says so too: only the GIC can refuse it
    fdtput -t x "$f" /pl031@9010000 interrupts 0 0x1f4 4
    add_domain "$f" good "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" ghost "$guests/rtcirq.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/ghost/dtb
    fdtput -t s "$f" /chosen/ghost/dtb compatible multiboot,device-tree multiboot,module
    fdtput -t x "$f" /chosen/ghost/dtb reg 0 0x50200000 0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/partial-ghost-irq.dtb")")"
    f=$(dt dom-passthrough)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" irq "$guests/dtcheck.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" ram "$guests/dtcheck.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" rtc "$guests/dtcheck.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    local -A at=([rtc]=0x50210000 [ram]=0x50240000 [irq]=0x50270000)
    for p in rtc ram irq; do
        fdtput -t s "$f" /chosen/$p/kernel bootargs "noxen passthrough"
        fdtput -c "$f" /chosen/$p/dtb
        fdtput -t s "$f" /chosen/$p/dtb compatible multiboot,device-tree multiboot,module
        fdtput -t x "$f" /chosen/$p/dtb reg 0 "${at[$p]}" \
            0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/partial-$p.dtb")")"
    done
    # gzip-compressed kernels: a good one, one corrupted past its header
    gzip -9 -n -c "$guests/hello.Image" >"$out/dtb/hello.Image.gz"
    cp "$out/dtb/hello.Image.gz" "$out/dtb/bad.Image.gz"
    printf '\xff\xff\xff\xff' | dd of="$out/dtb/bad.Image.gz" bs=1 seek=$(( $(stat -c %s "$out/dtb/bad.Image.gz") - 40 )) conv=notrunc status=none
    f=$(dt dom-gzip)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" corrupt "$out/dtb/bad.Image.gz" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" zipped "$out/dtb/hello.Image.gz" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    # static memory: packed at 0x40000000, or 1:1 with direct-map (Linux
    # relocates itself; the bare-metal guests are linked at 0x40000000)
    f=$(dt dom-static)
    cp "$(dt v3-smp2)" "$f"
    fdtput -t x "$f" /chosen '#address-cells' 2
    fdtput -t x "$f" /chosen '#size-cells' 2
    add_domain "$f" mismatch "$guests/hello.Image" 0x50400000 memory=0:0x8000 cpus=1 vpl011 xen,static-mem=0:0x62000000:0:0x1000000
    add_domain "$f" onmodule "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 xen,static-mem=0:0x50000000:0:0x1000000
    add_domain "$f" nostatic "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 direct-map
    add_domain "$f" static "$guests/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011 xen,static-mem=0:0x60000000:0:0x800000:0:0x61000000:0:0x800000
    if [ -s "$linux/Image" ]; then
        cp "$(dt v3-smp2)" "$(dt dom-linux-direct)"
        fdtput -t x "$(dt dom-linux-direct)" /chosen '#address-cells' 2
        fdtput -t x "$(dt dom-linux-direct)" /chosen '#size-cells' 2
        add_linux "$(dt dom-linux-direct)" linux 0x50000000 0x58000000 "$rd" 0x40000 1
        fdtput -t x "$(dt dom-linux-direct)" /chosen/linux xen,static-mem 0 0x70000000 0 0x10000000
        fdtput -t x "$(dt dom-linux-direct)" /chosen/linux direct-map
        fdtput -t s "$(dt dom-linux-direct)" /chosen/linux xen,enhanced enabled
        # Debian's kernel gzip-compressed, as Image.gz
        [ "$out/dtb/Image.gz" -nt "$linux/Image" ] || gzip -6 -n -c "$linux/Image" >"$out/dtb/Image.gz"
        cp "$(dt v2-smp2)" "$(dt dom-linux-gzip)"
        add_linux "$(dt dom-linux-gzip)" linux 0x50000000 0x58000000 "$rd" 0x40000 1
        fdtput -t x "$(dt dom-linux-gzip)" /chosen/linux/kernel reg 0 0x50000000 0 "$(printf '0x%x' "$(stat -c %s "$out/dtb/Image.gz")")"
        cp "$(dt v3-smp2)" "$(dt dom-linux-xen)"
        add_linux "$(dt dom-linux-xen)" linux 0x50000000 0x58000000 "$rd" 0x40000 1
        fdtput -t s "$(dt dom-linux-xen)" /chosen/linux xen,enhanced enabled
        # Xen's grant-table limits, below its defaults (64 and 1024 frames)
        fdtput -t i "$(dt dom-linux-xen)" /chosen/linux max_grant_frames 32
        fdtput -t i "$(dt dom-linux-xen)" /chosen/linux max_maptrack_frames 16
    fi
    # bad input
    head -c 3000 "$base" >"$(dt truncated)"
    cp "$base" "$(dt bad-magic)"; printf '\xde\xad\xbe\xef' | dd of="$(dt bad-magic)" bs=1 conv=notrunc status=none
    cp "$base" "$(dt no-stdout-path)"; fdtput -d "$(dt no-stdout-path)" /chosen stdout-path
    cp "$base" "$(dt psci-hvc)"; fdtput -t s "$(dt psci-hvc)" /psci method hvc
    # more RAM than QEMU has (4 GiB of its 2), and the GICv3 redistributors
    # placed where nothing is: both crashed the boot
    cp "$base" "$(dt memory-too-big)"; fdtput -t x "$(dt memory-too-big)" /memory@40000000 reg 0 0x40000000 1 0
    # RAM with a hole QEMU really has: 1 GiB at 0x40000000 (--mem 1G) and
    # one more plugged at 0xc0000000 (--dimm); /memory is one range over
    # both and the hole between, whose ends answer. Reserved memory covers
    # the low RAM, so the first guest's RAM is allocated across the hole's
    # start; another guest's static memory lies in the hole.
    "$here/../dtb/qemu-dtb.sh" "$out/dtb/raw-v3-smp1-1g.dtb" 3 1 1G
    # holey_ram FILE MEMORY-SIZE RESERVED-END: the 1 GiB tree, /memory one
    # range of MEMORY-SIZE from 0x40000000, reserved memory over the low
    # RAM up to RESERVED-END but the hypervisor's, the tree's and the
    # modules' places (the allocator starts there)
    holey_ram() {
        local f=$1
        dtc -q -I dtb -O dtb -p 4096 -o "$f" "$out/dtb/raw-v3-smp1-1g.dtb"
        fdtput -t x "$f" /memory@40000000 reg 0 0x40000000 0 "$2"
        fdtput -c "$f" /reserved-memory /reserved-memory/low@40400000 /reserved-memory/high@48200000
        fdtput -t x "$f" /reserved-memory '#address-cells' 2
        fdtput -t x "$f" /reserved-memory '#size-cells' 2
        fdtput -t x "$f" /reserved-memory ranges
        fdtput -t x "$f" /reserved-memory/low@40400000 reg 0 0x40400000 0 0x7c00000
        fdtput -t x "$f" /reserved-memory/high@48200000 reg 0 0x48200000 0 "$(printf '0x%x' $(($3 - 0x48200000)))"
        fdtput -t x "$f" /chosen '#address-cells' 2
        fdtput -t x "$f" /chosen '#size-cells' 2
    }
    local f1g; f1g=$(dt memory-hole)
    dtc -q -I dtb -O dtb -p 4096 -o "$(dt memory-starts-in-nothing)" "$out/dtb/raw-v3-smp1-1g.dtb"
    fdtput -t x "$(dt memory-starts-in-nothing)" /memory@40000000 reg 0 0x3f000000 0 0x41000000
    holey_ram "$f1g" 0xc0000000 0x7fc00000
    add_domain "$f1g" holey "$guests/hello.Image" 0x48100000 memory=0:0x4000 cpus=1 vpl011 xen,static-mem=0:0x90000000:0:0x1000000
    add_domain "$f1g" big "$guests/hello.Image" 0x48100000 memory=0:0x4000 cpus=1 vpl011
    # a 4 MiB hole inside a guest's RAM: 1 GiB at 0x40000000 and 256 MiB
    # plugged at 0x80400000, /memory one range over both; reserved memory
    # leaves 16 MiB below the hole, so the 32 MiB guest's RAM spans it with
    # both its ends in RAM
    local fin; fin=$(dt memory-hole-inside)
    holey_ram "$fin" 0x50400000 0x7f000000
    add_domain "$fin" ram "$guests/fault.Image" 0x48100000 memory=0:0x8000 cpus=1 vpl011
    fdtput -t s "$fin" /chosen/ram/kernel bootargs "fault=ram"
    cp "$base" "$(dt gicr-nowhere)"
    fdtput -t x "$(dt gicr-nowhere)" /intc@8000000 reg 0 0x8000000 0 0x10000 0x4 0 0 0xf60000
    cp "$base" "$(dt no-memory)"; fdtput -t x "$(dt no-memory)" /memory@40000000 reg 0 0x40000000 0 0
    for m in outside-ram:0x1:0x00000000:0x100000 overlaps-hv:0x0:0x40210000:0x100000 in-ram:0x0:0x50000000:0x200000 \
             wraps:0xffffffff:0xfff00000:0x200000; do
        IFS=: read -r name hi lo size <<<"$m"
        local f; f=$(dt "module-$name")
        cp "$base" "$f"
        fdtput -c "$f" /chosen/domU0 /chosen/domU0/kernel
        fdtput -t s "$f" /chosen/domU0 compatible xen,domain
        fdtput -t x "$f" /chosen/domU0 '#address-cells' 2
        fdtput -t x "$f" /chosen/domU0 '#size-cells' 2
        fdtput -t s "$f" /chosen/domU0/kernel compatible multiboot,kernel multiboot,module
        fdtput -t x "$f" /chosen/domU0/kernel reg "$hi" "$lo" 0 "$size"
    done
    # over the hypervisor image, but otherwise a good domain: the dry run
    # (which cannot know where the image is) accepts it
    fdtput -t x "$(dt module-overlaps-hv)" /chosen/domU0 memory 0 0x4000
    fdtput -t x "$(dt module-overlaps-hv)" /chosen/domU0 cpus 1
}


add_linux() { # add_linux DTB NAME KERNEL-ADDR INITRD-ADDR INITRD-SIZE MEM-KIB VCPUS
    local f=$1 name=$2
    add_domain "$f" "$name" "$linux/Image" "$3" memory=0:"$6" cpus="$7" vpl011
    fdtput -t s "$f" "/chosen/$name/kernel" bootargs "console=ttyAMA0"
    fdtput -c "$f" "/chosen/$name/ramdisk"
    fdtput -t s "$f" "/chosen/$name/ramdisk" compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" "/chosen/$name/ramdisk" reg 0 "$4" 0 "$5"
}

# ---- checks ----------------------------------------------------------------
# A case function boots once (boot), then states its expectations; the first
# unmet one becomes the failure reason. Regexes are POSIX EREs without
# interval braces (Debian's default awk, mawk, lacks them).
boot() { # boot "qemu-run options" TIMEOUT
    log=$out/$name.log why="" last_line=0
    # shellcheck disable=SC2086
    "$run" $1 --timeout "$2" --log "$log" --workdir "$out/work-$name" -- "$image"
    local rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then why="timed out after $2 s (QEMU killed)"
    elif [ $rc -ne 0 ]; then why="QEMU exited with status $rc, not 0 (power-off)"; fi
}
. "$here/../lib/console-checks.sh"

good_boot() { # good_boot GIC SMP LOADED-AT
    local g=$1 s=$2 at=$3 i
    in_order "xen-arm-minimal [0-9.]+ \\(git [0-9a-f]+\\), loaded at $at" \
        'console: /pl011@9000000 at 0x9000000; command line' 'psci: version 1\.[0-9]+ via smc' \
        'memory: RAM +0x0040000000-0x00bfffffff 2097152 KiB' "memory: reserved .* hypervisor image" \
        'memory: page allocator manages 204[0-9] MiB' "gic: GICv$g, distributor 0x8000000, [0-9]+ interrupt lines, maintenance interrupt 25" \
        'timer: counter at [0-9]+ Hz, EL2 timer interrupt 26' 'CPU0: online, MPIDR 0x0, EL2 timer fired after [0-9]+ us' \
        "smp: $s of $s CPUs online, $s answered IPIs" \
        'boot: ready to build domains, [0-9.]+ ms after entry' 'no domains to run: powering off'
    # secondaries come up in parallel: each once, in any order
    for ((i = 1; i < s; i++)); do count_is 1 "CPU$i: online, MPIDR 0x$i, EL2 timer fired after [0-9]+ us"; done
    count_is "$s" 'CPU[0-9]+: online'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
refused() { # refused REGEX: one fatal line with this reason, and nothing after the boot
    in_order "ERROR: xen-arm-minimal cannot start: $1"
    count_is 1 'ERROR'
    absent 'ready to build domains' 'CRASH'
}
crash_report() { # crash_report CPU CAUSE-REGEX [FAULT-REGEX]
    in_order 'boot: ready to build domains' "ERROR: \\*\\*\\* CRASH on CPU$1: synchronous exception at EL2" \
        "ERROR: \\*\\*\\* cause: $2"
    [ $# -lt 3 ] || in_order "ERROR: \\*\\*\\* fault: $3"
    in_order 'ERROR: \*\*\* ESR_EL2 0x[0-9a-f]+  FAR_EL2 0x[0-9a-f]+' \
        'ERROR: \*\*\* ELR_EL2 0x[0-9a-f]+  SPSR_EL2' 'ERROR: \*\*\* x0  0x[0-9a-f]+  x1  0x' \
        'ERROR: \*\*\* x30 0x[0-9a-f]+' 'ERROR: stopping the machine'
    absent 'no domains to run'
}

# The dry run is the hypervisor's twin: run on the case's host tree with
# the files the case loaded, it must refuse exactly the domains the boot
# skipped, with the same words (the boot: "ERROR: WHY; domain skipped";
# the dry run: "NAME: rejected: WHY", WHY naming the node, or the domain's
# own node when it names none).
dryrun=${XAM_DRYRUN:-${OUT:-build/out}/tools/xam-dryrun}
twin() { # twin DTB [FILE@ADDR]...
    local dtb=$1 a m=() boot_set dry_set
    shift
    for a in "$@"; do m+=(-m "${a#*@}=${a%@*}"); done
    "$dryrun" "${m[@]}" "$dtb" >"$out/$name.dryrun" 2>&1
    boot_set=$(hypervisor_lines | tr -d '\r' | sed -n 's/^\[ *[0-9.]*\] ERROR: \(.*\); domain skipped$/\1/p' | sort)
    dry_set=$(sed -n 's/^\([^:]*\): rejected: \(.*\)$/\1\t\2/p' "$out/$name.dryrun" |
        awk -F'\t' '{ if (substr($2, 1, 1) == "/") print $2; else print "/chosen/" $1 ": " $2 }' | sort)
    [ -n "$boot_set" ] || fail "twin: the boot refused no domain (a case for twin must refuse some)"
    [ "$boot_set" = "$dry_set" ] ||
        fail "the dry run and the hypervisor disagree: the boot refused [$(tr '\n' '|' <<<"$boot_set")], the dry run [$(tr '\n' '|' <<<"$dry_set")]"
}

# Refusals of the whole boot, twinned the same way: the boot's "ERROR:
# xen-arm-minimal cannot start: host device tree at ADDR: WHY" must be the
# dry run's "host device tree: WHY", and the dry run must exit 2.
# --file-end: a tree cut short. The dry run reads a file and sees where it
# ends; the hypervisor reads memory, where the header's totalsize runs on
# into whatever the loader left after the file, so libfdt fails on what it
# finds there: both refuse the whole tree, in their own words.
twin_fatal() { # twin_fatal [--file-end] DTB
    local same=1 dtb boot_why dry_why rc
    [ "$1" = --file-end ] && { same=0; shift; }
    dtb=$1
    "$dryrun" "$dtb" >"$out/$name.dryrun" 2>&1
    rc=$?
    boot_why=$(hypervisor_lines | tr -d '\r' | sed -n 's/^\[ *[0-9.]*\] ERROR: xen-arm-minimal cannot start: //p')
    dry_why=$(sed -n 's/^host device tree: //p' "$out/$name.dryrun")
    [ -n "$boot_why" ] || { fail "twin_fatal: the boot did not refuse the whole tree"; return; }
    [[ $boot_why == "host device tree at "* ]] ||
        { fail "twin_fatal: the boot refused [$boot_why], not the tree: a machine_only case?"; return; }
    boot_why=${boot_why#host device tree at * }
    [ "$rc" -eq 2 ] && [ -n "$dry_why" ] ||
        { fail "the dry run accepted the host tree (exit $rc) that the boot refused: [$boot_why]"; return; }
    [ $same -eq 0 ] || [ "$boot_why" = "$dry_why" ] ||
        fail "the dry run and the hypervisor disagree: the boot refused the tree with [$boot_why], the dry run with [$dry_why]"
}

# The refusals only the running machine can make (docs/getting-started.md
# lists them; keep the two lists the same): for each, the hypervisor's
# line, and a case that makes it asserts the dry run ACCEPTS the tree and
# every domain, so a check that moves into the shared code shows up here.
declare -A MACHINE_ONLY=(
    [ram]='nothing answers (at 0x[0-9a-f]+(-0x[0-9a-f]+)?|in part of it), which the device tree says is RAM'
    [gic-frames]=': reg: nothing answers at 0x[0-9a-f]+, where it places the GICv[23] '
    [entry-el]='cannot start: entered at EL[0-9]'
    [gic-lines]='host interrupt [0-9]+ \(SPI [0-9]+\) does not exist: the host GIC has [0-9]+ interrupt lines'
    [hv-image]=': reg: module 0x[0-9a-f]+\+0x[0-9a-f]+: overlaps the hypervisor image; domain skipped'
    [gzip-stream]='the gzip-compressed kernel does not decompress'
    [sve]=': sve: [0-9]+-bit vectors asked, but ([0-9]+ bits is the longest SVE vector length all CPUs give|SVE is not on every CPU of this machine); domain skipped'
)
machine_only() { # machine_only KIND DTB [FILE@ADDR]...
    local kind=$1 dtb=$2 a m=() rc
    shift 2
    [ -n "${MACHINE_ONLY[$kind]:-}" ] || { fail "machine_only: no kind '$kind' (${!MACHINE_ONLY[*]})"; return; }
    for a in "$@"; do m+=(-m "${a#*@}=${a%@*}"); done
    "$dryrun" "${m[@]}" "$dtb" >"$out/$name.dryrun" 2>&1
    rc=$?
    hypervisor_lines | grep -qE -- "ERROR: .*${MACHINE_ONLY[$kind]}" ||
        { fail "machine_only: the boot made no '$kind' refusal ('${MACHINE_ONLY[$kind]}')"; return; }
    if grep -q '^host device tree: ' "$out/$name.dryrun" || grep -q ': rejected: ' "$out/$name.dryrun" || [ "$rc" -eq 2 ]; then
        fail "machine_only $kind: the dry run refused (exit $rc): [$(grep -E '^host device tree: |: rejected: ' "$out/$name.dryrun" | tr '\n' '|')]; if it can make this refusal, twin the case instead"
    fi
}

# ---- the cases ---------------------------------------------------------------
K=$KERNEL_TIMEOUT U=$UBOOT_TIMEOUT
case_gicv2-smp1() { boot "--gic 2 --smp 1" $K; good_boot 2 1 0x40200000; }
case_gicv2-smp4() { boot "--gic 2 --smp 4" $K; good_boot 2 4 0x40200000; }
case_gicv3-smp1() { boot "--gic 3 --smp 1" $K; good_boot 3 1 0x40200000; }
case_gicv3-smp4() { boot "--gic 3 --smp 4" $K; good_boot 3 4 0x40200000; }
case_gicv2-smp4-uboot() {
    boot "--uboot --gic 2 --smp 4 --dtb $(dt v2-smp4)" $U
    in_order 'U-Boot 20' 'xen-arm-minimal boot script: booti 0x40400000 - 0x43e00000' 'Starting kernel'
    good_boot 2 4 0x40400000
}
case_gicv3-smp2-uboot() {
    boot "--uboot --gic 3 --smp 2 --dtb $(dt v3-smp2)" $U
    in_order 'U-Boot 20' 'xen-arm-minimal boot script: booti 0x40400000 - 0x43e00000' 'Starting kernel'
    good_boot 3 2 0x40400000
}
case_module-in-ram() {
    # A module is reserved even when its domain node is unusable (no memory).
    boot "--gic 3 --smp 1 --dtb $(dt module-in-ram)" $K
    in_order 'memory: module +0x0050000000-0x00501fffff +2048 KiB /chosen/domU0/kernel' \
        'boot: ready to build domains' \
        'ERROR: /chosen/domU0: memory: missing \(guest RAM in KiB, two cells\); domain skipped' \
        'no domains to run: powering off'
    count_is 1 ERROR
    twin "$(dt module-in-ram)"
}
guest_hello() { # guest_hello GIC
    boot "--gic $1 --smp 2 --dtb $(dt dom-hello-v$1) --load $guests/hello.Image@0x50000000" $K
    in_order "gic: GICv$1" 'boot: ready to build domains' \
        'domain 1: domU0, 1 vCPU, 16 MiB at IPA 0x40000000, kernel [0-9]+ KiB, console vpl011, vCPU0 on CPU0' \
        '\(domU0\) hello from a bare-metal guest' '\(domU0\) hello: all checks passed' \
        'domU0 \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' 'all domains have stopped: powering off'
    count_is 9 '\(domU0\) PASS: '
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_guest-hello-gicv2() { guest_hello 2; }
case_guest-hello-gicv3() { guest_hello 3; }
case_sync-console() {
    # Xen's sync_console: every line written out before going on (no
    # helper CPU writes the ring); the same lines, said at boot
    boot "--gic 3 --smp 2 --dtb $(dt dom-hello-sync) --load $guests/hello.Image@0x50000000" $K
    in_order 'command line: sync_console: Xen.s option, done as Xen does here: every console line reaches the UART before the hypervisor goes on' \
        'boot: ready to build domains' '\(domU0\) hello: all checks passed' 'all domains have stopped: powering off'
    count_is 9 '\(domU0\) PASS: '
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_guest-fault-contained() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-fault) --load $guests/hello.Image@0x50000000 --load $guests/fault.Image@0x50200000" $K
    # as Xen: an access to nothing takes an abort, and the guest goes on
    in_order '\(faulty\) fault: reading 0x10000000, outside my RAM' \
        'WARNING: faulty: vCPU0: read of unmapped guest address at 0x10000000 \(PC 0x4000[0-9a-f]+\): abort injected' \
        '\(faulty\) PASS: the read took a synchronous external abort at 0x10000000' \
        '\(faulty\) PASS: the write took one too \(WnR set\)' \
        '\(faulty\) PASS: a jump there took a prefetch abort at 0x10000000' 'faulty \(domain [123]\): powered off'
    anywhere '\(good\) hello: all checks passed' 'good \(domain [123]\): powered off'
    last_line=0
    in_order '\(ones\) fault: reading and writing 0x10000000, outside my RAM' \
        '\(ones\) PASS: unmapped reads give all ones of their size' '\(ones\) PASS: a write there is ignored' \
        'ones \(domain [123]\): powered off'
    in_order 'all domains have stopped: powering off'
    count_is 1 'unmapped guest address'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
guest_timer() { # guest_timer HOST-CPUS: a 2-vCPU guest on GICv3
    boot "--gic 3 --smp $1 --dtb $(dt dom-timer-smp$1) --load $guests/timer.Image@0x50000000" $K
    in_order 'domain 1: domU0, 2 vCPUs, 16 MiB' \
        '\(domU0\) PASS: the guest counter starts near zero' \
        '\(domU0\) PASS: virtual timer interrupts arrive, and WFI wakes for them' \
        '\(domU0\) PASS: 20 ticks of 2 ms took at least 40 ms' \
        '\(domU0\) PASS: PSCI CPU_ON of vCPU1 succeeds' \
        '\(domU0\) timer: all checks passed' 'all domains have stopped: powering off'
    anywhere '\(domU0\) PASS: vCPU0 received an SGI from vCPU1' '\(domU0\) PASS: vCPU1 received an SGI from vCPU0' \
        '\(domU0\) PASS: AFFINITY_INFO says vCPU1 is OFF after its CPU_OFF'
    count_is 11 '\(domU0\) PASS: '
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_guest-timer-sgi-gicv3() { guest_timer 2; }
case_guest-timer-2vcpus-on-1cpu() { guest_timer 1; }
LINUX_LOADS() { echo "--load $linux/Image@$1 --load $linux/initramfs.cpio.gz@$2"; }
linux_boot() { # linux_boot GIC VCPUS
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local gic_line='GICv3: 224 SPIs implemented'
    [ "$1" = 2 ] && gic_line='Root IRQ handler: gic_handle_irq'
    local s2='4 KiB pages \(QEMU.s virt machine'
    [ "$1" = 2 ] && s2='2 MiB and 1 GiB blocks where aligned \(stage2=blocks\)'
    boot "--gic $1 --smp 2 --dtb $(dt dom-linux-v$1-$2) $(LINUX_LOADS 0x50000000 0x58000000)" $U
    set -- "$2"
    in_order "stage 2: guests' memory mapped in $s2" "domain 1: linux, $1 vCPU" 'domain 1: device tree at IPA 0x48000000, ramdisk after it' \
        'domains: 1 +linux +[12] +\([01,]+\) +0x40000000-0x4fffffff -> 0x[0-9a-f]+ +vpl011' \
        'domains: +kernel module at 0x50000000, 0x[0-9a-f]+ bytes, mapped in place \(copied on write\)' \
        'domains: +ramdisk module at 0x58000000' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' "\\(linux\\) .*($gic_line)" \
        '\(linux\) .*arch_timer: cp15 timer\(s\) running at .*\(virt\)' \
        '\(linux\) .*22000000.sbsa-uart: ttyAMA0 at MMIO 0x22000000' \
        "\\(linux\\) XAM-LINUX-INIT: .* up, $1 CPU\\(s\\), console=ttyAMA0" \
        'linux \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' 'all domains have stopped: powering off'
    # seeded by the hypervisor from QEMU's /chosen/rng-seed: its random
    # number generator ready at once, its kernel placed at random
    anywhere 'random: seeded from /chosen/rng-seed' '\(linux\) \[ *0\.000000\] random: crng init done' \
        '\(linux\) .*KASLR enabled'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'lack of seed'
}
case_linux-gicv3() { linux_boot 3 1; }
case_linux-xen-enhanced() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    boot "--gic 3 --smp 2 --dtb $(dt dom-linux-xen) $(LINUX_LOADS 0x50000000 0x58000000)" $U
    in_order "domain 1: linux, 1 vCPU" \
        'domains: +hypervisor node \(xen,enhanced\), grant table at 0x38000000, up to 32 frames and 16 maptrack frames' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' '\(linux\) .*Xen 4.17 support found' \
        '\(linux\) .*xen:grant_table: Grant tables using version 1 layout' \
        '\(linux\) \[ *[0-9.]+\] Grant table initialized' \
        '\(linux\) .*22000000.sbsa-uart: ttyAMA0 at MMIO 0x22000000' \
        "\\(linux\\) XAM-LINUX-INIT: .* up, 1 CPU\\(s\\), console=ttyAMA0" \
        'linux \(domain 1\): powered off \(SCHEDOP_shutdown\)' 'all domains have stopped: powering off'
    # grant tables (docs/hypercalls.md): its frame 0 mapped, no fallback
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'err=-38' \
        'add_to_physmap failed'
}
# Xen's PV console and /sys/hypervisor (issue 11): Debian's kernel with
# xen,enhanced ("no-xenstore": the three values behave alike here),
# console=hvc0 and no vPL011, so every line of it came through the
# hypervisor's console ring. Its /init (tests/guests/linux-hvc) prints the
# /sys/hypervisor attributes and reads a line, typed after Ctrl-A three
# times moved the console's input to it.
fnv1a() { # fnv1a HASH STRING: FNV-1a-64 of STRING from HASH (bash wraps at 64 bits)
    local h=$1 s=$2 i c
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(((h ^ c) * 0x100000001b3))
    done
    echo "$h"
}
domain_uuid() { # domain_uuid ID NAME: its XENVER_guest_handle (docs/hypercalls.md)
    local key="$1:$2" basis=0xcbf29ce484222325 hex b8
    printf -v hex '%016x%016x' "$(fnv1a $basis "$key")" "$(fnv1a "$(fnv1a $basis xam:)" "$key")"
    printf -v b8 '%02x' $(((16#${hex:16:2} & 0x3f) | 0x80))
    echo "${hex:0:8}-${hex:8:4}-8${hex:13:3}-$b8${hex:18:2}-${hex:20:12}"
}
case_linux-hvc() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local rd=$guests/linux-hvc/initramfs.cpio.gz f uuid
    [ -s "$rd" ] || { fail "no $rd (make linux-hvc)"; return; }
    f=$(dt dom-linux-hvc)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" hvc "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1
    fdtput -t s "$f" /chosen/hvc xen,enhanced no-xenstore
    fdtput -t s "$f" /chosen/hvc/kernel bootargs "console=hvc0"
    fdtput -c "$f" /chosen/hvc/ramdisk
    fdtput -t s "$f" /chosen/hvc/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/hvc/ramdisk reg 0 0x58000000 0 "$(printf '0x%x' "$(stat -c %s "$rd")")"
    printf '\001\001\001hello from the host\r' >"$out/dtb/hvc-input"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $rd@0x58000000 --input $out/dtb/hvc-input --input-after XAM-HVC:.type.a.line" $U
    uuid=$(domain_uuid 1 hvc)
    anywhere 'domain 1: hvc, 1 vCPU, 256 MiB at IPA 0x40000000, .*console PV \(hvc0\)' \
        'domains: +PV console: ring at 0x39000000 \(HVM_PARAM_CONSOLE_PFN\), input with Ctrl-A'
    in_order '\(hvc\) .*Booting Linux on physical CPU 0x0' '\(hvc\) .*Xen 4.17 support found' \
        '\(hvc\) XAM-HVC: .* up, 1 CPU\(s\), console=hvc0' '\(hvc\) XAM-HVC: active console: hvc0' \
        '\(hvc\) XAM-HVC: type = \[xen\]' "\\(hvc\\) XAM-HVC: uuid = \\[$uuid\\]" \
        '\(hvc\) XAM-HVC: version/major = \[4\]' '\(hvc\) XAM-HVC: version/minor = \[17\]' \
        '\(hvc\) XAM-HVC: version/extra = \[\.0-xam\]' \
        '\(hvc\) XAM-HVC: compilation/compiler = \[gcc [0-9]+\.[0-9]+' \
        '\(hvc\) XAM-HVC: compilation/compiled_by = \[xam\]' \
        '\(hvc\) XAM-HVC: compilation/compile_date = \[[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9]+ [0-9:]+ 20[0-9][0-9] [-+][0-9]+\]' \
        '\(hvc\) XAM-HVC: properties/capabilities = \[xen-3\.0-aarch64 \]' \
        '\(hvc\) XAM-HVC: properties/changeset = \[[A-Z][a-z][a-z] .* git:[0-9a-f]+\]' \
        '\(hvc\) XAM-HVC: properties/virtual_start = \[0\]' '\(hvc\) XAM-HVC: properties/pagesize = \[1000\]' \
        '\(hvc\) XAM-HVC: properties/features = \[00010004\]' \
        '\(hvc\) XAM-HVC: properties/buildid = \[<denied>\]' '\(hvc\) XAM-HVC: type a line' \
        'console: input to hvc \(domain 1\)' '\(hvc\) XAM-HVC: got \[hello from the host\]' \
        '\(hvc\) XAM-HVC: event channel: Linux IRQ [0-9]+ \(xen-dyn-lateeoi\)' \
        'hvc \(domain 1\): powered off' 'all domains have stopped: powering off'
    absent 'FAILED' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Illegal ring'
}
# Issue 15's acceptance: a console people can work in. Two Debian kernels
# (tests/guests/linux-shell): A on its vPL011, B on the Xen PV console,
# print 80 lines of 300 characters each at the same time: each must arrive
# whole, once, with one prefix. Then tests/boot/typist.sh, watching the
# console, moves the input to A's interactive shell with Ctrl-A three
# times, types a command a key at a time (each key must show before
# Enter), pastes 4 KiB into md5sum (the guest's sum must be the host's)
# and exits the shell.
case_console-shell() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local rd=$guests/linux-shell/initramfs.cpio.gz f size work=$out/work-console-shell
    [ -s "$rd" ] || { fail "no $rd (make linux-shell)"; return; }
    mkdir -p "$work"
    f=$(dt dom-console-shell)
    cp "$(dt v3-smp2)" "$f"
    size=$(printf '0x%x' "$(stat -c %s "$rd")")
    add_domain "$f" A "$linux/Image" 0x50000000 memory=0:0x20000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/A/kernel bootargs "console=ttyAMA0 xam.shell=A"
    add_domain "$f" B "$linux/Image" 0x5a000000 memory=0:0x20000 cpus=1
    fdtput -t s "$f" /chosen/B xen,enhanced no-xenstore
    fdtput -t s "$f" /chosen/B/kernel bootargs "console=hvc0 xam.shell=B"
    local d at
    for d in A:0x58000000 B:0x5e000000; do
        at=${d#*:} d=${d%%:*}
        fdtput -c "$f" "/chosen/$d/ramdisk"
        fdtput -t s "$f" "/chosen/$d/ramdisk" compatible multiboot,ramdisk multiboot,module
        fdtput -t x "$f" "/chosen/$d/ramdisk" reg 0 "$at" 0 "$size"
    done
    # the paste: 64 lines of 63 characters and '\n', 4 KiB
    local i
    for ((i = 0; i < 64; i++)); do printf 'paste-%02d-%s\n' "$i" "$(printf '%054d' "$((i * 7919))")"; done >"$work/paste"
    printf '#!/bin/sh\nexec %q "$1" %q %q\n' "$here/typist.sh" "$work/typist.result" "$work/paste" >"$work/typist"
    chmod +x "$work/typist"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $rd@0x58000000 --load $linux/Image@0x5a000000 --load $rd@0x5e000000 --typist $work/typist" 300
    # the lines: every one whole, once, in order, with one prefix
    local p=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ pat want got
    pat=$p$p$p$p"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
    for d in A B; do
        want=$(for ((i = 1; i <= 80; i++)); do printf 'L%s-%03d: %s\n' "$d" "$i" "$pat"; done)
        got=$(tr -d '\r' <"$log" | sed -n "s/^\\[ *[0-9]*\\.[0-9]*\\] ($d) \\(L$d-\\)/\\1/p")
        [ "$got" = "$want" ] || fail "$d's 300-character lines did not arrive whole, once each: $(diff <(echo "$want") <(echo "$got") | head -c 600 | tr '\n' '|')"
    done
    # and they came at the same time: A's and B's interleave
    local runs
    runs=$(tr -d '\r' <"$log" | grep -oE '\((A|B)\) L(A|B)-' | uniq | wc -l)
    [ "$runs" -ge 4 ] || fail "A's and B's lines did not interleave ($runs runs): not printed at the same time"
    # no line of the console carries two prefixes (the hypervisor's or a
    # guest's inside another's)
    local two
    two=$(grep -cE '\] \((A|B)\) .*\[ *[0-9]+\.[0-9]+\] (\((A|B)\)|console:) ' "$log")
    [ "$two" -eq 0 ] || fail "$two console lines carry a second prefix"
    in_order '\(A\) XAM-SHELL: A printed its lines' '\(A\) XAM-SHELL: shell on the console' \
        'console: input to A \(domain [0-9]+\)' '\(A\) typed-42' '\(A\) XAM-SHELL: shell exited' \
        'A \(domain [0-9]+\): powered off'
    anywhere '\(B\) XAM-SHELL: B printed its lines' 'all domains have stopped: powering off'
    local r=$work/typist.result
    grep -qx 'prompt shown when the input moved' "$r" || fail "typist: $(tr '\n' '|' <"$r")"
    grep -qx 'each of the 19 characters shown before Enter' "$r" || fail "typist: $(tr '\n' '|' <"$r")"
    grep -qx "paste of 4096 bytes arrived complete (md5 $(md5sum <"$work/paste" | cut -d' ' -f1))" "$r" ||
        fail "typist: $(tr '\n' '|' <"$r")"
    absent 'dropped' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
case_linux-gicv3-2vcpus() { linux_boot 3 2; }
# 18 vCPUs on 2 CPUs: vCPUs 16 and 17 are Aff1 1 (MPIDR 0x100, 0x101).
# Linux starts with maxcpus=2, then its /init brings 16 and 17 online and
# runs a task on each: PSCI CPU_ON, the redistributors and the SGIs that
# move a task there all cross the cluster. (Booting all 18 at once makes
# Linux's stop_machine gather 18 vCPUs on 2 CPUs, which can hang here: a
# scheduler bug, issue 14.)
case_linux-gicv3-18vcpus() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local w="$out/work-linux-gicv3-18vcpus-rd" f rd
    mkdir -p "$w"
    "$here/../guests/linux-hvc/mkinitramfs.sh" "$linux/initramfs.cpio.gz" "$here/../guests/linux-cpus/cpus-init.sh" "$w/initramfs.cpio.gz" ||
        { fail "could not make the guest's initramfs"; return; }
    rd=$(printf '0x%x' "$(stat -c %s "$w/initramfs.cpio.gz")")
    f=$(dt dom-linux-v3-18)
    fdtput -t s "$f" /chosen/linux/kernel bootargs "console=ttyAMA0 maxcpus=2"
    fdtput -t x "$f" /chosen/linux/ramdisk reg 0 0x58000000 0 "$rd"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $w/initramfs.cpio.gz@0x58000000" $U
    in_order 'domain 1: linux, 18 vCPUs' 'domain 1: vCPU placement 0:CPU0 1:CPU1' 'domain 1: vCPU placement 16:CPU0 17:CPU1' \
        '\(linux\) .*smp: Brought up 1 node, 2 CPUs' \
        '\(linux\) .*GICv3: CPU16: found redistributor 100 region 0:0x0*3220000' \
        '\(linux\) .*CPU16: Booted secondary processor 0x0000000100' '\(linux\) XAM-CPUS: cpu16 online' \
        '\(linux\) XAM-CPUS: a task pinned to cpu16 ran on cpu16' \
        '\(linux\) .*CPU17: Booted secondary processor 0x0000000101' '\(linux\) XAM-CPUS: cpu17 online' \
        '\(linux\) XAM-CPUS: a task pinned to cpu17 ran on cpu17' \
        '\(linux\) XAM-CPUS: online 0-1,16-17 of 0-17' \
        'linux \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'no RSS' 'RSS is required' 'FAIL'
}
case_linux-gicv2() { linux_boot 2 1; }
case_linux-gicv2-2vcpus() { linux_boot 2 2; }
case_linux-pair-and-baremetal() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    boot "--gic 3 --smp 2 --dtb $(dt dom-linux-pair) $(LINUX_LOADS 0x50000000 0x58000000) $(LINUX_LOADS 0x5a000000 0x5e000000) --load $guests/hello.Image@0x4c000000" $U
    anywhere '\(bare\) hello: all checks passed' '\(lin1\) XAM-LINUX-INIT: ' '\(lin2\) XAM-LINUX-INIT: ' \
        'lin1 \(domain [0-9]\): powered off' 'lin2 \(domain [0-9]\): powered off' 'bare \(domain [0-9]\): powered off'
    in_order 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
noisy_neighbours() { # noisy_neighbours GIC: one CPU, four domains
    boot "--gic $1 --smp 1 --dtb $(dt dom-noisy-v$1) --load $guests/noisy.Image@0x50000000 --load $guests/noisy.Image@0x50200000 --load $guests/fault.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    # the good guest finishes while the others are still misbehaving
    in_order 'domain 4: good' '\(flood\) flood flood' '\(spin\) noisy: spinning for 2 s' \
        '\(good\) hello: all checks passed' '\(spin\) noisy: done'
    last_line=0
    in_order '\(good\) hello: all checks passed' '\(flood\) noisy: done'
    anywhere '\(spin\) noisy: spinning for 2 s' 'faulty \(domain [0-9]\): crashed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
# The flood without newlines with the console's input on it (issue 15): its
# text is live, on a line left open (cut every 512 characters with the
# continuation mark); when the input moves on (Ctrl-A three times, to
# spin), the switch's line ends flood's open line with the mark first,
# and flood goes back to whole lines. No line ever has two prefixes.
case_noisy-neighbours-focused() {
    local f; f=$(dt dom-noisy-focused)
    cp "$(dt dom-noisy-v3)" "$f"
    fdtput -t s "$f" /chosen/flood/kernel bootargs "noisy=flood-nonl"
    printf '#!/bin/sh\nuntil grep -q "noisy: flooding" "$1"; do sleep 0.05; done\nprintf "\\001\\001\\001"\nsleep 0.5\nprintf "\\001\\001\\001"\n' >"$out/dtb/noisy-focus-typist"
    chmod +x "$out/dtb/noisy-focus-typist"
    boot "--gic 3 --smp 1 --dtb $f --load $guests/noisy.Image@0x50000000 --load $guests/noisy.Image@0x50200000 --load $guests/fault.Image@0x50400000 --load $guests/hello.Image@0x50600000 --typist $out/dtb/noisy-focus-typist" $K
    in_order '\(flood\) noisy: flooding my UART for 2 s' 'console: input to flood \(domain 2\)' \
        '\(flood\) flood flood [a-z ]*\\' 'console: input to spin \(domain 3\)' '\(flood\) noisy: done'
    anywhere 'faulty \(domain [0-9]\): crashed' '\(good\) hello: all checks passed' '\(spin\) noisy: done' \
        'all domains have stopped: powering off'
    # the switch's line comes right after a piece of flood's, marked
    tr -d '\r' <"$log" | grep -B1 'console: input to spin' | head -1 | grep -qE '^\[ *[0-9.]+\] \(flood\) [a-z ]*\\$' ||
        fail "the line before the switch to spin is not flood's open line ended with the mark"
    # every physical line has one prefix, and none is longer than a piece
    local bad long
    bad=$(tr -d '\r' <"$log" | grep -cE '\] \([a-z]+\) .*\[ *[0-9]+\.[0-9]+\] ')
    [ "$bad" -eq 0 ] || fail "$bad console lines carry a second prefix"
    long=$(tr -d '\r' <"$log" | awk 'length($0) > 16 + 2 + 31 + 2 + 512 + 1' | wc -l)
    [ "$long" -eq 0 ] || fail "$long console lines are longer than a prefix and 512 characters"
    absent 'FAIL' 'ERROR' 'PANIC'
}
case_noisy-neighbours-gicv2() { noisy_neighbours 2; }
case_noisy-neighbours-gicv3() { noisy_neighbours 3; }
case_vcpu-placement() {
    boot "--gic 3 --smp 4 --dtb $(dt dom-placement) --load $guests/timer.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    anywhere 'domain [0-9]: pooled, 2 vCPUs, .*vCPU0 on CPU2' 'domain [0-9]: vCPU placement 0:CPU2 1:CPU3' \
        'domains: id name +vCPUs \(CPUs\) +memory \(guest -> host\) +console' \
        'domains: [0-9] +pooled +2 +\(2,3\) +0x40000000-0x40ffffff -> 0x[0-9a-f]+ +vpl011' \
        'domains: [0-9] +pinned +1 +\(1\) ' \
        'domain [0-9]: pinned, 1 vCPU, .*vCPU0 on CPU1' \
        'ERROR: /chosen/badaff/vcpu0: hard-affinity: names no online CPU of the domain.s cpupool; domain skipped' \
        'ERROR: /chosen/badpool: domain-cpupool: does not point to a "xen,cpupool" node; domain skipped' \
        '\(pooled\) timer: all checks passed' '\(pinned\) hello: all checks passed'
    in_order 'all domains have stopped: powering off'
    count_is 2 ERROR
    absent 'FAIL' 'CRASH' 'PANIC'
    twin "$(dt dom-placement)" "$guests/timer.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000" "$guests/hello.Image@0x50600000"
}
case_guest-isolation() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-isolate) --load $guests/isolate.Image@0x50000000 --load $guests/isolate.Image@0x50200000" $K
    in_order '\(writer\) isolate: pattern written' \
        '\(reader\) PASS: the other domain.s pattern is nowhere in my RAM at the same addresses' \
        '\(reader\) isolate: all checks passed'
    anywhere 'domain [12]: writer, .*vCPU0 on CPU[01]' 'domain [12]: reader, .*vCPU0 on CPU[01]' \
        'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_console-input() {
    # keys for the hypervisor, then Ctrl-A three times: input moves to the
    # domain, whose receive interrupt brings it the line (its vCPU waits in
    # a WFI that traps only when another vCPU wants the CPU: alone, it is
    # listed runnable)
    boot "--gic 3 --smp 1 --dtb $(dt dom-echo) --load $guests/echo.Image@0x50000000 --input $out/dtb/echo-input --input-after echo:.waiting" $K
    in_order 'console: input to the hypervisor \(Ctrl-A three times: next domain; h: help\)' \
        '\(echo\) echo: waiting for a line' \
        'console keys: h this help, l list domains, v list vCPUs' \
        'console: input to the hypervisor; Ctrl-A three times: to echo' 'console:   domain 1 echo: running' \
        'domain 1: echo, 1 vCPU, running, console vpl011' \
        'vcpu: echo vCPU0 on CPU0: (blocked|runnable), timer in -1 us \(-1: none\)' 'console: input to echo \(domain 1\)' \
        '\(echo\) echo: got "hello world"' '\(echo\) PASS: the receive interrupt fired' \
        '\(echo\) PASS: with the input drained and masked, no interrupt is raised' \
        '\(echo\) PASS: the transmit interrupt fired once when unmasked, and stopped when masked'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_guest-reset-rebuilds() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-reset) --load $guests/reset.Image@0x50001000 --load $guests/hello.Image@0x50200000 --load $guests/reset.Image@0x50400000" $K
    anywhere 'domains: +kernel module at 0x50001000, 0x[0-9a-f]+ bytes' 'domains: +kernel module at 0x50200000, 0x[0-9a-f]+ bytes' \
        'domains: +kernel module at 0x50400000, 0x[0-9a-f]+ bytes'
    absent 'mapped in place'
    in_order '\(inplace\) reset: first boot, writing a marker to RAM and resetting' \
        'inplace \(domain [0-9]\): reset \(PSCI SYSTEM_RESET\): rebuilding it' \
        'domain [0-9]: inplace rebuilt from its boot modules' '\(inplace\) reset: second boot' \
        '\(inplace\) PASS: RAM is zeroed again after the reset' '\(inplace\) reset: all checks passed'
    last_line=0
    in_order '\(resetter\) reset: first boot, writing a marker to RAM and resetting' \
        'resetter \(domain [0-9]\): reset \(PSCI SYSTEM_RESET\): rebuilding it' \
        'domain [0-9]: resetter rebuilt from its boot modules' '\(resetter\) reset: second boot' \
        '\(resetter\) PASS: RAM is zeroed again after the reset' '\(resetter\) reset: all checks passed' \
        'resetter \(domain [0-9]\): powered off' 'all domains have stopped: powering off'
    anywhere '\(other\) hello: all checks passed'
    count_is 1 '\(resetter\) reset: first boot'
    count_is 1 '\(inplace\) reset: first boot'
    absent WARNING
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_guest-physical-timer-trapped() {
    boot "--gic 3 --smp 1 --dtb $(dt dom-ptimer) --load $guests/fault.Image@0x50000000" $K
    in_order '\(ptimer\) fault: programming the EL1 physical timer' \
        'WARNING: ptimer: vCPU0: trapped system register access at 0x4000[0-9a-f]+ \(system register or instruction access' \
        'ptimer \(domain 1\): crashed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_partial-device-tree() {
    local d=$out/dtb
    boot "--gic 3 --smp 2 --dtb $(dt dom-passthrough) --load $guests/dtcheck.Image@0x50000000 --load $d/partial-rtc.dtb@0x50210000 --load $d/partial-ram.dtb@0x50240000 --load $d/partial-irq.dtb@0x50270000" $K
    anywhere 'ERROR: /chosen/ram/dtb: reg: partial device tree: /passthrough/steal@60000000: xen,reg 0x60000000\+0x1000: covers host RAM; domain skipped' \
        'ERROR: /chosen/irq/dtb: reg: partial device tree: /passthrough/rtc@9010000: interrupts: SPI 2: only level-high \(flags 4\) and rising-edge \(flags 1\) interrupts: the GIC has no other kinds; domain skipped'
    count_is 2 ERROR
    in_order '\(rtc\) PASS: /passthrough is kept as a simple-bus node' \
        '\(rtc\) PASS: the passthrough node /passthrough/rtc@9010000 is in my tree, without xen,reg' \
        '\(rtc\) PASS: aliases from the partial tree: rtc0' \
        '\(rtc\) PASS: the passed-through PL031 answers with its PrimeCell ID' \
        '\(rtc\) dtcheck: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'CRASH' 'PANIC'
    twin "$(dt dom-passthrough)" "$guests/dtcheck.Image@0x50000000" "$d/partial-rtc.dtb@0x50210000" "$d/partial-ram.dtb@0x50240000" "$d/partial-irq.dtb@0x50270000"
}
case_gzip-kernel() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-gzip) --load $out/dtb/hello.Image.gz@0x50000000 --load $out/dtb/bad.Image.gz@0x50200000" $K
    in_order 'ERROR: corrupt: the gzip-compressed kernel does not decompress \((CRC mismatch|corrupt data)\)' \
        'ERROR: /chosen/corrupt: cannot build the domain .*; domain skipped'
    last_line=0
    in_order 'domains: +kernel module at 0x50000000, 0x[0-9a-f]+ bytes, gzip, decompressed' \
        '\(zipped\) hello: all checks passed' 'zipped \(domain [12]\): powered off' 'all domains have stopped: powering off'
    count_is 2 ERROR
    absent 'FAIL' 'CRASH' 'PANIC'
    machine_only gzip-stream "$(dt dom-gzip)" "$out/dtb/hello.Image.gz@0x50000000" "$out/dtb/bad.Image.gz@0x50200000"
}
case_passthrough-interrupt() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-rtc-irq) --load $guests/rtcirq.Image@0x50000000 --load $out/dtb/partial-rtc-irq.dtb@0x50200000" $K
    in_order '\(rtcirq\) PASS: my tree gives the RTC SPI 2, level-high' '\(rtcirq\) PASS: the RTC.s match interrupt arrived' \
        '\(rtcirq\) PASS: and again: the line was unmasked' '\(rtcirq\) PASS: exactly two interrupts, none spurious' \
        '\(rtcirq\) rtcirq: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_passthrough-xen-style() {
    # Xen's passthrough.txt shape, a rising-edge SPI above 31 (GICv2m's)
    boot "--gic 2 --smp 2 --dtb $(dt dom-xen-style) --load $guests/edgeirq.Image@0x50000000 --load $out/dtb/partial-xen-style.dtb@0x50200000" $K
    in_order '\(edgeirq\) PASS: my tree has /passthrough/msi@8020000 with SPI 50, rising-edge' \
        '\(edgeirq\) PASS: its interrupt-parent is my GIC \(phandle 65000\), the /gic placeholder gone' \
        '\(edgeirq\) PASS: the alias names /passthrough/msi@8020000' \
        '\(edgeirq\) PASS: the passed-through GICv2m frame answers: SPIs 48-111' \
        '\(edgeirq\) PASS: the edge interrupt arrived as INTID 82' \
        '\(edgeirq\) PASS: the edge made during its handler arrived too' \
        '\(edgeirq\) PASS: exactly two interrupts, none spurious' \
        '\(edgeirq\) edgeirq: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_passthrough-edge-gicv3() {
    # a rising-edge passthrough interrupt on a GICv3 host
    boot "--gic 3 --smp 2 --dtb $(dt dom-rtc-edge) --load $guests/rtcirq.Image@0x50000000 --load $out/dtb/partial-rtc-edge.dtb@0x50200000" $K
    in_order '\(rtcirq\) PASS: my tree gives the RTC SPI 2, rising-edge' '\(rtcirq\) PASS: the RTC.s match interrupt arrived' \
        '\(rtcirq\) PASS: and again: the line was unmasked' '\(rtcirq\) PASS: exactly two interrupts, none spurious' \
        '\(rtcirq\) rtcirq: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_passthrough-interrupt-missing() {
    # a passthrough interrupt the host's GIC does not have: that domain is
    # refused with the reason, the other one runs
    boot "--gic 3 --smp 2 --dtb $(dt dom-ghost-irq) --load $guests/rtcirq.Image@0x50000000 --load $out/dtb/partial-ghost-irq.dtb@0x50200000 --load $guests/hello.Image@0x50400000" $K
    in_order 'ERROR: ghost: host interrupt 532 \(SPI 500\) does not exist: the host GIC has [0-9]+ interrupt lines' \
        'ERROR: /chosen/ghost: cannot build the domain \(error -34: something it asks for is not on this machine, see above\); domain skipped' \
        'ghost \(domain [0-9]\): build failed'
    last_line=0
    in_order '\(good\) hello: all checks passed' 'all domains have stopped: powering off'
    absent '\(ghost\)' 'CRASH' 'PANIC'
    machine_only gic-lines "$(dt dom-ghost-irq)" "$guests/rtcirq.Image@0x50000000" "$out/dtb/partial-ghost-irq.dtb@0x50200000" "$guests/hello.Image@0x50400000"
}
case_device-model-loop-and-names() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-dm-loop) --load $guests/dtcheck.Image@0x50200000 --load $guests/hello.Image@0x50400000" $K
    anywhere 'ERROR: /chosen/loopa: device-model: the device models form a loop \(loopa -> loopb -> loopa\): none of them could start serving the others; domain skipped' \
        'ERROR: /chosen/loopb: device-model: the device models form a loop \(loopb -> loopa -> loopb\): none of them could start serving the others; domain skipped' \
        'ERROR: /chosen/a-domain-with-a-very-long-name-two: its name is a-domain-with-a-very-long-name-one.s: domain names must differ in their first 31 characters; domain skipped'
    count_is 3 ERROR
    in_order '\(good\) hello: all checks passed' 'all domains have stopped: powering off'
    last_line=0
    in_order '\(a-domain-with-a-very-long-name-\) hello: all checks passed'
    count_is 1 '\(a-domain-with-a-very-long-name-\) hello: all checks passed'
    absent '\] \(loop' 'CRASH' 'PANIC'
    twin "$(dt dom-dm-loop)" "$guests/dtcheck.Image@0x50200000" "$guests/hello.Image@0x50400000"
}
case_static-memory() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-static) --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000" $K
    anywhere 'ERROR: /chosen/mismatch: memory: must equal the total of xen,static-mem \(0x4000 KiB\); domain skipped' \
        'ERROR: /chosen/onmodule: xen,static-mem: 0x50000000-0x50ffffff overlaps the module /chosen/static/kernel; domain skipped' \
        'ERROR: /chosen/nostatic: direct-map: needs xen,static-mem \(the host memory to map 1:1\); domain skipped'
    count_is 3 ERROR
    in_order 'domains: 1 +static .* 0x40000000-0x407fffff -> 0x60000000, 0x40800000-0x40ffffff -> 0x61000000' \
        '\(static\) hello: all checks passed' 'static \(domain 1\): powered off' 'all domains have stopped: powering off'
    absent 'FAIL' 'CRASH' 'PANIC'
    twin "$(dt dom-static)" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000"
}
case_linux-gzip() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    boot "--gic 2 --smp 2 --dtb $(dt dom-linux-gzip) --load $out/dtb/Image.gz@0x50000000 --load $linux/initramfs.cpio.gz@0x58000000" $U
    in_order 'domains: +kernel module at 0x50000000, 0x[0-9a-f]+ bytes, gzip, decompressed' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' \
        "\\(linux\\) XAM-LINUX-INIT: .* up, 1 CPU\\(s\\), console=ttyAMA0" \
        'linux \(domain 1\): powered off' 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
case_linux-direct-map() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    boot "--gic 3 --smp 2 --dtb $(dt dom-linux-direct) $(LINUX_LOADS 0x50000000 0x58000000)" $U
    in_order 'domains: 1 +linux .* 0x70000000-0x7fffffff -> 0x70000000' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' '\(linux\) .*Xen 4.17 support found' \
        '\(linux\) .*GICv3: CPU0: found redistributor 0 region 0:0x0*80a0000' \
        '\(linux\) .*9000000.sbsa-uart: ttyAMA0 at MMIO 0x9000000 \(irq = [0-9]*, base_baud = 0\) is a SBSA' \
        "\\(linux\\) XAM-LINUX-INIT: .* up, 1 CPU\\(s\\), console=ttyAMA0" \
        'linux \(domain 1\): powered off \(SCHEDOP_shutdown\)' 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
case_pci-bridge-device-model() {
    local g
    boot "--gic 3 --smp 2 --dtb $(dt dom-bridge) --load $guests/devmodel.Image@0x50000000 --load $guests/dtcheck.Image@0x50200000 --load $guests/dtcheck.Image@0x50400000 --load $guests/dtcheck.Image@0x50800000" $K
    anywhere 'ERROR: /chosen/selfdm: device-model: points to this domain itself; domain skipped' \
        'ERROR: /chosen/overlap: secondary-emulated-pci-host-bridge: the ECAM window 0x40000000-0x400fffff overlaps guest RAM 0x40000000-0x40ffffff; domain skipped'
    count_is 2 ERROR
    in_order 'boot: ready to build domains' \
        'domains: +PCI bridge: ECAM 0x60000000\+0x200000, MEM 0x70000000\+0x1000000, prefetch 0x0\+0x0, INTx SPIs 40-41, ready register 0x37ff0000; device model dm \(held until it connects\)' \
        'guest2 \(domain [0-9]\): held until its device model dm connects' \
        '\(dm\) devmodel: all checks passed' 'all domains have stopped: powering off'
    last_line=0
    in_order 'guest2 \(domain [0-9]\): device model dm connected' 'guest2 \(domain [0-9]\): starting \(held until its device model connected\)' \
        '\(guest2\) dtcheck: reading my device tree'
    for g in guest1 guest2; do
        last_line=0
        in_order "\\($g\\) PASS: the readiness register reads 1 once the device model connected" \
            "\\($g\\) dtcheck: all checks passed" "$g \\(domain [0-9]\\): powered off \\(SCHEDOP_shutdown\\)"
    done
    last_line=0
    # guest1 reads the wait word before the device model (300 ms late)
    # connects: its read is held (EMUL_PENDING) and answered at the connection
    in_order '\(guest1\) PASS: a read of the wait register returns 1 once the device model connected' \
        '\(guest1\) dtcheck: the wait register held me until the device model connected'
    last_line=0
    in_order '\(guest1\) dtcheck: bridge node /pcie@33000000' '\(guest2\) dtcheck: bridge node /pcie@60000000'
    last_line=0
    in_order '\(plain\) PASS: no /hypervisor node without xen,enhanced' '\(plain\) dtcheck: all checks passed'
    count_is 2 '\(dm\) devmodel: serving'
    absent 'FAIL' 'CRASH' 'PANIC' 'selfdm\)' 'overlap\)'
    twin "$(dt dom-bridge)" "$guests/devmodel.Image@0x50000000" "$guests/dtcheck.Image@0x50200000" "$guests/dtcheck.Image@0x50400000" "$guests/dtcheck.Image@0x50800000"
}
# Requests reach a device model (issue 11): a bare-metal one (devmodel.c
# "pcitest") sets itself up with Xen's calls, attacks what is not its own,
# and serves 1b36:0005 at 00:00.0 to pciclient.c, which finds it, sizes and
# places BAR0, reads it, has INTA raised and lowered, and last reads device
# 31, which the device model never answers: the read completes all-ones
# when the device model powers off (the one WARNING), nothing hangs.
pci_device_model() { # pci_device_model GIC
    local l
    boot "--gic $1 --smp 2 --dtb $(dt dom-pcitest-v$1) --load $guests/devmodel.Image@0x50000000 --load $guests/pciclient.Image@0x50200000 --load $guests/hello.Image@0x50400000" $K
    in_order "gic: GICv$1" 'boot: ready to build domains' 'domain 1: dm, ' 'domain 2: pciclient, ' 'domain 3: bystander, '
    anywhere 'domains: +PCI bridge: ECAM 0x33000000\+0x100000, MEM 0x33800000\+0x2000000, .*INTx SPIs 44-47, .*; device model dm'
    last_line=0
    in_order '\(dm\) PASS: shared_info placed in my RAM' '\(dm\) devmodel: serving pciclient, ECAM 0x0*33000000' \
        '\(dm\) PASS: get_ioreq_server_info \(XEN_DMOP_no_gfns\) answers' '\(dm\) PASS: nr_vcpus answers 1 to 8' \
        '\(dm\) PASS: acquire_resource maps the ioreq page \(ioreq server, frame 1\)' \
        '\(dm\) PASS: each vCPU.s vp_eport bound \(EVTCHNOP_bind_interdomain\)' \
        '\(dm\) PASS: ECAM and the first 4 KiB of the memory window mapped to the server' \
        '\(dm\) PASS: a foreign mapping of a page that is not the client.s RAM is refused \(errs\[\] -EINVAL\)' \
        '\(dm\) PASS: a foreign mapping of the client.s first RAM page reads its kernel.s Image header \(magic ARM 0x64\)' \
        '\(dm\) PASS: XENMEM_remove_from_physmap unmaps it \(a second time: -ENOENT\)' \
        '\(dm\) PASS: ioreq server created, ECAM mapped, enabled' \
        '\(dm\) PASS: an ioreq server with buffered ioreqs is refused \(-EOPNOTSUPP\)' \
        '\(dm\) PASS: get_ioreq_server_info without XEN_DMOP_no_gfns is refused \(-EOPNOTSUPP\)' \
        '\(dm\) PASS: set_irq_level on INTID 33, not the bridge.s, is refused \(-EINVAL\)' \
        '\(dm\) PASS: set_irq_level on the INTID past the bridge.s lines is refused \(-EINVAL\)' \
        '\(dm\) PASS: dm_op for a guest it does not serve is refused' \
        '\(dm\) PASS: binding to an event channel of a domain it does not serve is refused \(-EPERM\)' \
        '\(dm\) PASS: acquire_resource for a domain it does not serve is refused \(-EPERM\)' \
        '\(dm\) PASS: a foreign mapping of RAM of a domain it does not serve is refused \(-EPERM\)' \
        '\(dm\) devmodel: pciclient accessed 00:1f.0: never answering it' \
        '\(dm\) devmodel: pciclient: [0-9]+ requests \([0-9]+ config, [0-9]+ BAR\), [0-9]+ INTx changes' \
        '\(dm\) PASS: the client reached device 31, which I never answer' \
        '\(dm\) PASS: set_irq_level raised and lowered the client.s INTA' \
        '\(dm\) PASS: every request came with an event on its vCPU.s port, every answer was sent' \
        '\(dm\) PASS: every request was in a range I mapped, well-formed' \
        '\(dm\) PASS: the request I left unanswered is still waiting 100 ms later' \
        '\(dm\) devmodel: all checks passed' 'dm \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' \
        '\(pciclient\) PASS: the read of 00:1f.0, never answered, completed with all-ones once the device model stopped' \
        '\(pciclient\) pciclient: all checks passed' 'pciclient \(domain 2\): powered off \(SCHEDOP_shutdown\)' \
        'all domains have stopped: powering off'
    last_line=0
    for l in 'PASS: the wait register returned 1: my device model connected' \
        'PASS: 00:00.0 is 1b36:0005 \(QEMU.s PCI test device\)' 'PASS: its class is 0xff' \
        'PASS: header type 0 \(a byte read\)' 'PASS: interrupt pin 1 \(INTA\)' \
        'PASS: BAR0 sizing: all-ones written, reads 0xfffff000 \(4 KiB, 32-bit memory\)' \
        'PASS: BAR0 placed at the start of the bridge.s memory window' \
        'PASS: memory decoding on \(a 16-bit command register write kept\)' \
        'pciclient: BAR0 register reads 0x00000000c0ffee[0-9a-f][0-9a-f]' \
        'PASS: the BAR register reads 0xc0ffeeNN, NN counting the reads' \
        'PASS: INTA is not pending before the device raises it' \
        'PASS: the device raised INTA: pending in my distributor' \
        'PASS: the device lowered INTA: no longer pending' 'PASS: 00:01.0 reads all-ones: no device there' \
        'PASS: the read of 00:1f.0, never answered, completed with all-ones once the device model stopped' \
        'PASS: the readiness register reads 0 again: the device model is gone'; do
        in_order "\\(pciclient\\) $l"
    done
    if [ "$1" = 3 ]; then
        anywhere '\(pciclient\) PASS: and taken once \(GICv3\)' \
            '\(pciclient\) PASS: unmasked with the line low: no second interrupt'
    fi
    # the read of device 31 is answered as the device model stops: the
    # warning is said before the client goes on (issue 15: said after
    # freeing the ports, it came after the client's next lines, or after
    # it had powered off)
    last_line=0
    in_order 'dm \(domain 1\): powered off' \
        'WARNING: pciclient \(domain 2\): its device model dm stopped: bridge disconnected' \
        '\(pciclient\) PASS: the read of 00:1f.0, never answered, completed with all-ones once the device model stopped' \
        'pciclient \(domain 2\): powered off'
    anywhere '\(bystander\) hello: all checks passed'
    count_is 1 'WARNING'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_pci-device-model-gicv3() { pci_device_model 3; }
case_pci-device-model-gicv2() { pci_device_model 2; }
case_domains-bad-skipped() {
    boot "--gic 3 --smp 2 --dtb $(dt dom-one-bad) --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    local g
    for g in good1 good3; do
        last_line=0
        in_order 'boot: ready to build domains' "domain [12]: $g, 1 vCPU, 16 MiB" \
            "\\($g\\) hello: all checks passed" "$g \\(domain [12]\\): powered off"
    done
    anywhere 'all domains have stopped: powering off'
    anywhere 'ERROR: /chosen/bad0: memory: missing .*; domain skipped' \
        'ERROR: /chosen/bad2: cpus: must be 1 to 128; domain skipped'
    count_is 2 ERROR
    absent 'bad0\)' 'bad2\)' 'CRASH' 'PANIC'
    twin "$(dt dom-one-bad)" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000" "$guests/hello.Image@0x50600000"
}
case_el1-entry() {
    boot "--el1 --gic 3 --smp 2" $K
    refused 'entered at EL1'
    # the tree is QEMU's own, the one it gives at EL2 (v3-smp2): fine
    machine_only entry-el "$(dt v3-smp2)"
}
case_dtb-truncated() {
    boot "--shim $shim --dtb $(dt truncated) --smp 1" $K
    refused 'host device tree at 0x48000000: device tree: corrupt: FDT_ERR_'
    twin_fatal --file-end "$(dt truncated)"
}
case_dtb-bad-magic() {
    boot "--shim $shim --dtb $(dt bad-magic) --smp 1" $K
    refused 'host device tree at 0x48000000: device tree: bad header: FDT_ERR_BADMAGIC'
    twin_fatal "$(dt bad-magic)"
}
case_dtb-no-stdout-path() {
    boot "--shim $shim --dtb $(dt no-stdout-path) --smp 1" $K
    refused 'host device tree at 0x48000000: /chosen: stdout-path: missing'
    twin_fatal "$(dt no-stdout-path)"
}
# At EL2, HVC calls the hypervisor itself: this crashed and hung the machine.
case_dtb-psci-hvc() {
    boot "--shim $shim --dtb $(dt psci-hvc) --smp 2" $K
    refused 'host device tree at 0x48000000: /psci: method: "hvc" cannot reach PSCI from EL2, where the hypervisor runs: the firmware must offer PSCI over "smc" \(EL3\)'
    twin_fatal "$(dt psci-hvc)"
}
case_dtb-memory-too-big() {
    boot "--shim $shim --dtb $(dt memory-too-big) --smp 1" $K
    refused 'memory: nothing answers at 0x13ffffff8, which the device tree says is RAM: /memory claims more than the machine has'
    machine_only ram "$(dt memory-too-big)"
}
# /memory over a hole in RAM: the hole is found when memory there is first
# handed out (a guest's RAM), left out, and the guest gets RAM elsewhere;
# static memory in it is refused. The last word of the range answers.
case_dtb-memory-hole() {
    boot "--shim $shim --dtb $(dt memory-hole) --smp 1 --mem 1G --dimm 0xc0000000:1G --load $guests/hello.Image@0x48100000" $K
    in_order 'memory: RAM +0x0040000000-0x00ffffffff 3145728 KiB' 'boot: ready to build domains' \
        'ERROR: /chosen/holey: xen,static-mem: 0x90000000-0x90ffffff is not all there: nothing answers in part of it, which the device tree says is RAM; domain skipped' \
        'ERROR: memory: nothing answers at 0x80000000-0xbfffffff, which the device tree says is RAM: 1048576 KiB left out' \
        'domains: 1 +big +1 +\(0\) +0x40000000-0x40ffffff -> 0xc0000000 ' \
        '\(big\) hello: all checks passed' 'all domains have stopped: powering off'
    count_is 2 ERROR
    absent 'CRASH' 'PANIC' '\(holey\)'
    machine_only ram "$(dt memory-hole)" "$guests/hello.Image@0x48100000"
}
# A hole strictly inside a guest's RAM: its RAM is read only where it is
# first written (reading all of it at the build made all of it resident on
# QEMU), so the hole is found at the guest's first touch there, left out
# with its neighbours in one error line, and the guest's reads abort; the
# hole's pages stay out after the domain, so its rebuild (the guest resets)
# gets RAM that all answers.
case_dtb-memory-hole-inside() {
    boot "--shim $shim --dtb $(dt memory-hole-inside) --smp 1 --mem 1G --dimm 0x80400000:256M --load $guests/fault.Image@0x48100000" $K
    in_order 'memory: RAM +0x0040000000-0x00903fffff' 'boot: ready to build domains' \
        'domains: 1 +ram +1 +\(0\) +0x40000000-0x41ffffff -> 0x[0-9a-f]+ ' \
        'ERROR: ram \(domain 1\): nothing answers at 0x80000000-0x803fffff, which the device tree says is RAM: left out, and with it its RAM at IPA 0x[0-9a-f]+-0x[0-9a-f]+' \
        '\(ram\) fault: my RAM aborts at 0x[0-9a-f]+-0x[0-9a-f]+, 0x0*2 of 0x0*10 reads' \
        '\(ram\) PASS: the reads that abort are one run' '\(ram\) PASS: each took a synchronous external abort' \
        'ram \(domain 1\): reset \(PSCI SYSTEM_RESET\): rebuilding it' \
        'domain 1: ram rebuilt from its boot modules, memory 0x40000000-0x41ffffff -> 0x[0-9a-f]+' \
        '\(ram\) fault: all of my RAM answers, 0x0*10 reads' 'all domains have stopped: powering off'
    count_is 1 ERROR
    absent 'CRASH' 'PANIC' 'FAIL'
    # the guest's view and the hypervisor's agree; the first life's RAM
    # spanned the hole, the second's does not come near it
    local pa ipa seen rebuilt a b
    pa=$(sed -nE 's/.*domains: 1 +ram .* -> (0x[0-9a-f]+) .*/\1/p' "$log" | head -1)
    ipa=$(sed -nE 's/.*left out, and with it its RAM at IPA (0x[0-9a-f]+-0x[0-9a-f]+).*/\1/p' "$log" | head -1)
    seen=$(sed -nE 's/.*\(ram\) fault: my RAM aborts at (0x[0-9a-f]+)-(0x[0-9a-f]+),.*/\1 \2/p' "$log" | head -1)
    rebuilt=$(sed -nE 's/.*ram rebuilt from its boot modules, memory .* -> (0x[0-9a-f]+).*/\1/p' "$log" | head -1)
    if [ -z "$pa" ] || [ -z "$ipa" ] || [ -z "$seen" ] || [ -z "$rebuilt" ]; then
        fail "missing the RAM's host address, the hole's IPA range, the guest's view or the rebuilt RAM's address"
    else
        local want; want=$(printf '0x%x-0x%x' $((0x40000000 + 0x80000000 - pa)) $((0x40000000 + 0x80400000 - pa - 1)))
        [ "$ipa" = "$want" ] || fail "the hole's IPA range is $ipa, not $want (RAM at $pa)"
        read -r a b <<<"$seen"
        [ "$(printf '0x%x-0x%x' $((a)) $((b)))" = "$want" ] || fail "the guest saw aborts at $seen, not $want"
        ((rebuilt >= 0x80400000)) || fail "the rebuilt RAM ($rebuilt) is below the hole's end: it was not left out"
    fi
    machine_only ram "$(dt memory-hole-inside)" "$guests/fault.Image@0x48100000"
}
# Its first word is nothing (0x3f000000: QEMU's low PCI ECAM window, unused
# when the ECAM is high); its last is RAM.
case_dtb-memory-starts-in-nothing() {
    boot "--shim $shim --dtb $(dt memory-starts-in-nothing) --smp 1 --mem 1G" $K
    refused 'memory: nothing answers at 0x3f000000, which the device tree says is RAM: /memory claims more than the machine has'
    machine_only ram "$(dt memory-starts-in-nothing)"
}
case_dtb-gic-redistributors-nowhere() {
    boot "--shim $shim --dtb $(dt gicr-nowhere) --smp 1" $K
    refused '/intc@8000000: reg: nothing answers at 0x400000000, where it places the GICv3 redistributors'
    machine_only gic-frames "$(dt gicr-nowhere)"
}
case_dtb-no-memory() {
    boot "--shim $shim --dtb $(dt no-memory) --smp 1" $K
    refused 'host device tree at 0x48000000: device tree: no usable memory: no memory node with a non-empty reg'
    twin_fatal "$(dt no-memory)"
}
# A bad module costs its domain, not the machine.
case_module-outside-ram() {
    boot "--shim $shim --dtb $(dt module-outside-ram) --smp 1" $K
    in_order 'boot: ready to build domains' \
        'ERROR: /chosen/domU0/kernel: reg: module 0x100000000\+0x100000: outside RAM; domain skipped' \
        'no domains to run: powering off'
    count_is 1 ERROR
    twin "$(dt module-outside-ram)"
}
# A module whose range wraps past 2^64 refused the whole boot ("too many
# reserved regions split RAM"); it costs its domain only.
case_module-wraps() {
    boot "--shim $shim --dtb $(dt module-wraps) --smp 1" $K
    in_order 'boot: ready to build domains' \
        'ERROR: /chosen/domU0/kernel: reg: module 0xfffffffffff00000\+0x200000: the range runs past the end of the address space; domain skipped' \
        'no domains to run: powering off'
    count_is 1 ERROR
    twin "$(dt module-wraps)"
}
case_module-overlaps-hv() {
    boot "--shim $shim --dtb $(dt module-overlaps-hv) --smp 1" $K
    in_order 'boot: ready to build domains' \
        'ERROR: /chosen/domU0/kernel: reg: module 0x40210000\+0x100000: overlaps the hypervisor image; domain skipped' \
        'no domains to run: powering off'
    count_is 1 ERROR
    machine_only hv-image "$(dt module-overlaps-hv)"
}
case_crash-abort() {
    boot "--gic 3 --smp 1 --dtb $(dt args-crash-test-abort)" $K
    crash_report 0 'data abort taken without a change in exception level \(EC 0x25\)' \
        'translation fault, level [0-3], on read \(FSC 0x0[4-7]\) at address 0x0000dead00000000'
}
case_crash-undef-cpu2() {
    boot "--gic 3 --smp 4 --dtb $(dt args-crash-test-undef_crash-test-cpu-2)" $K
    crash_report 2 'unknown reason \(undefined instruction\) \(EC 0x00\)'
}
case_crash-panic() {
    boot "--gic 3 --smp 1 --dtb $(dt args-crash-test-panic)" $K
    in_order 'boot: ready to build domains' 'ERROR: PANIC on CPU0: crash-test: panic requested on the command line' \
        'ERROR: stopping the machine'
    absent 'no domains to run'
}
case_crash-stack() {
    boot "--gic 3 --smp 1 --dtb $(dt args-crash-test-stack)" $K
    in_order 'crash-test: CPU0 triggers .stack.' 'ERROR: PANIC on CPU0: stack protector: stack smashed in a function called from 0x' \
        'ERROR: stopping the machine'
    absent 'no domains to run'
}
case_loglvl-warning() {
    # the warning about the bogus option shows; info lines do not
    boot "--gic 3 --smp 1 --dtb $(dt args-loglvl-warning_stage2-bogus_crash-test-bogus)" $K
    in_order "WARNING: stage2=bogus: unknown \\(pages or blocks\\); keeping pages" \
        "WARNING: crash-test=bogus: unknown \\(abort, undef, panic, stack\\); ignored"
    count_is 2 '^\['
    absent 'CPU0: online' 'boot: ready to build domains' 'no domains to run' 'ERROR'
}

# the other groups of cases, one file each (a new group needs no line here)
for cases in "$here"/cases-*.sh; do
    . "$cases"
done
# ---- main --------------------------------------------------------------------
make_dtbs || { echo "not ok - boot/device-tree-fixtures: could not make them"; exit 1; }
make_hostile_dtbs || { echo "not ok - boot/hostile-device-tree-fixtures: could not make them"; exit 1; }
all=$(declare -F | awk '$3 ~ /^case_/ { sub(/^case_/, "", $3); print $3 }')
[ ${#only[@]} -gt 0 ] && all=$(printf '%s\n' "${only[@]}")
jobs_max=${BOOT_JOBS:-2}
for name in $all; do
    declare -F "case_$name" >/dev/null || { echo "not ok - boot/$name: no such case"; continue; }
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    (
        start=$SECONDS
        "case_$name"
        # A hypervisor crash is the likeliest cause of any failure: say it
        # first (from its own lines: a guest may print anything).
        if [ -n "$why" ] && hypervisor_lines | grep -qE 'PANIC|\*\*\* CRASH'; then
            why="the hypervisor crashed ($(hypervisor_lines | grep -m1 -E 'PANIC|\*\*\* CRASH' | sed 's/^\[ *[0-9.]*\] //')); first unmet expectation: $why"
        fi
        if [ -z "$why" ]; then
            echo "ok - boot/$name ($((SECONDS - start)) s)"
        else
            echo "not ok - boot/$name: $why"
            echo "--- console log of boot/$name ($log):"
            sed 's/^/    /' "$log"
            echo "--- end of log"
        fi
    ) >"$out/$name.result" 2>&1 &
done
wait
status=0
for name in $all; do
    cat "$out/$name.result" 2>/dev/null || { echo "not ok - boot/$name: no result"; status=1; }
    grep -q '^not ok' "$out/$name.result" 2>/dev/null && status=1
done
exit $status
