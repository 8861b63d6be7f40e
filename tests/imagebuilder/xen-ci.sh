# The domU half of Xen's own QEMU CI for dom0less on arm64
# (automation/scripts/qemu-smoke-dom0less-arm64.sh in Xen's tree), sourced
# by boot.sh: for each scenario the config Xen's CI writes, less its
# DOM0_* lines (there is no dom0 here), given unchanged to our imagebuilder
# (-t tftp, as Xen's CI runs ImageBuilder), QEMU's own tree with the pl061
# disabled as Xen's CI does, Debian's U-Boot fetching the script over
# TFTP, and the domU's initrd Xen's CI builds: busybox and an init that
# runs the scenario's check and prints "SCENARIO test passed". Xen's CI
# then looks for that line; so does each case here, with what the
# hypervisor printed about the scenario. Checks that need dom0 (the ping,
# xl cpupool-list) are left out, and said so below.

# xen_ci_config VARIANT: Xen's config, and the variant's lines after it
xen_ci_config() {
    cat <<'CFG'
MEMORY_START="0x40000000"
MEMORY_END="0x50000000"

DEVICE_TREE="virt.dtb"
XEN="xen"
XEN_CMD="console=dtuart dom0_mem=512M console_timestamps=boot"

NUM_DOMUS=1
DOMU_KERNEL[0]="Image"
DOMU_RAMDISK[0]="initrd"
DOMU_MEM[0]="256"
DOMU_KERNEL[1]="Image"
DOMU_RAMDISK[1]="initrd"
DOMU_MEM[1]="256"

LOAD_CMD="tftpb"
UBOOT_SOURCE="boot.source"
UBOOT_SCRIPT="boot.scr"
CFG
    case $1 in
        static-mem) printf '\nDOMU_STATIC_MEM[0]="0x50000000 0x10000000"\n' ;;
        static-shared-mem)
            printf '\nNUM_DOMUS=2\nDOMU_SHARED_MEM[0]="my-shared-mem-0 0x50000000 0x4000000 0x10000000"\n'
            printf 'DOMU_SHARED_MEM[1]="my-shared-mem-0 0x50000000 0x4000000 0x10000000"\n'
            ;;
        static-heap) printf '\nXEN_STATIC_HEAP="0x50000000 0x30000000"\n# The size of static heap should be greater than the guest memory\nDOMU_MEM[0]="128"\n' ;;
        boot-cpupools) printf '\nCPUPOOL[0]="cpu@1 null"\nDOMU_CPUPOOL[0]=0\nNUM_CPUPOOLS=1\n' ;;
    esac
}

# xen_ci_check VARIANT: the domU_check of Xen's script (the ping left out:
# it needs dom0's network backend)
xen_ci_check() {
    local passed="$1 test passed"
    case $1 in
        gicv3 | static-heap) echo "echo \"$passed\"" ;;
        static-mem)
            cat <<CHECK
mem_range=\$(printf "%08x-%08x" 0x50000000 \$(( 0x50000000 + 0x10000000 - 1 )))
if grep -q -x "\${mem_range} : System RAM" /proc/iomem; then
    echo "$passed"
fi
CHECK
            ;;
        static-shared-mem)
            cat <<CHECK
current_id=\$(cat /proc/device-tree/reserved-memory/xen-shmem@4000000/xen,id 2>/dev/null)
expected_id="my-shared-mem-0"
current_reg=\$(hexdump -e '16/1 "%02x"' /proc/device-tree/reserved-memory/xen-shmem@4000000/reg 2>/dev/null)
expected_reg=$(printf "%016x%016x" 0x4000000 0x10000000)
if [[ "\${expected_reg}" == "\${current_reg}" && "\${current_id}" == "\${expected_id}" ]]; then
    echo "$passed"
fi
CHECK
            ;;
        # Xen's check is dom0's (xl cpupool-list); here the hypervisor's
        # placement is checked, and the domU says it is up
        boot-cpupools) echo "echo \"$passed\"" ;;
    esac
}

xen_ci_stage() { # xen_ci_stage DIR VARIANT GIC
    local d=$1 r=$1.initrd
    [ -s "$linux/Image" ] || { echo "no Linux guest in $linux (run build/fetch-guests.sh)"; return 1; }
    [ -s "$linux_dm/busybox" ] || { echo "no busybox in $linux_dm (run build/fetch-xen-libs.sh)"; return 1; }
    rm -rf "$d" "$r" && mkdir -p "$d" "$r/bin" "$r/sbin" "$r/etc" "$r/dev" "$r/proc" "$r/sys" "$r/lib" "$r/var" "$r/mnt" || return 1
    cp "$hv" "$d/xen" && cp "$linux/Image" "$d/Image" || return 1
    "$top/tests/dtb/qemu-dtb.sh" "$d/virt.dtb" "$3" 2 2G || return 1
    fdtput "$d/virt.dtb" -p -t s /pl061@9030000 status disabled || return 1
    cp "$linux_dm/busybox" "$r/bin/busybox"
    local a
    for a in sh mount cat grep printf hexdump echo; do ln -s busybox "$r/bin/$a"; done
    {
        echo "#!/bin/sh"
        echo
        echo "mount -t proc proc /proc"
        echo "mount -t sysfs sysfs /sys"
        echo "mount -t devtmpfs devtmpfs /dev"
        xen_ci_check "$2"
        echo "/bin/sh"
    } >"$r/init"
    chmod +x "$r/init"
    (cd "$r" && find . | LC_ALL=C sort | cpio -R 0:0 -o -H newc --quiet | gzip) >"$d/initrd" || return 1
    xen_ci_config "$2" >"$d/config"
}

xen_ci_case() { # xen_ci_case VARIANT GIC DOMUS
    local d=$out/$name v=$1 passed="$1 test passed"
    xen_ci_stage "$d" "$v" "$2" >"$out/$name.stage" 2>&1 || { fail "could not stage: $(tail -1 "$out/$name.stage")"; return; }
    "$ib" -t tftp -d "$d" -c "$d/config" >"$d/imagebuilder.out" 2>"$d/imagebuilder.err" ||
        { fail "imagebuilder refused Xen's config: $(cat "$d/imagebuilder.err")"; return; }
    log=$out/$name.log
    # Xen's CI waits for the line, then ends QEMU: so do we, once every
    # domU said it
    local stop="\\(domU$(($3 - 1))\\) $passed"
    uboot_boot "$d" "$2" "$stop"
    expect_uboot $((2 + 2 * $3))
    local i
    for ((i = 0; i < $3; i++)); do anywhere "\\(domU$i\\) $passed"; done
    absent 'ERROR' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}

case_xen-ci-gicv3() {
    xen_ci_case gicv3 3 1
    anywhere 'gic: GICv3' 'domain 1: domU0, 1 vCPU, 256 MiB' \
        "command line: console=dtuart: Xen's option, done as Xen does here" \
        "WARNING: command line: dom0_mem=512M: Xen's option, does not apply here: there is no dom0" \
        "command line: console_timestamps=boot: Xen's option, done as Xen does here"
    # the second domU of Xen's config is past NUM_DOMUS: skipped, as ImageBuilder does, and said
    grep -q 'imagebuilder: warning: .*config:[0-9]*: DOMU_KERNEL\[1\] ignored: NUM_DOMUS is 1' "$out/$name/imagebuilder.err" ||
        fail "no warning for DOMU_KERNEL[1] past NUM_DOMUS"
}
case_xen-ci-static-mem() {
    xen_ci_case static-mem 2 1
    # direct-mapped (ImageBuilder's default with static memory): the guest sees the host range
    anywhere 'domains: 1 +domU0 .* 0x50000000-0x5fffffff -> 0x50000000'
}
case_xen-ci-static-heap() {
    xen_ci_case static-heap 2 1
    anywhere 'memory: heap +0x0050000000-0x007fffffff' 'domain 1: domU0, 1 vCPU, 128 MiB' \
        'domains: 1 +domU0 .* -> 0x[5-7][0-9a-f]+ '
}
case_xen-ci-static-shared-mem() {
    xen_ci_case static-shared-mem 2 2
    anywhere 'domain 1: domU0, 1 vCPU, 256 MiB' 'domain 2: domU1, 1 vCPU, 256 MiB'
}
case_xen-ci-boot-cpupools() {
    xen_ci_case boot-cpupools 2 1
    # Xen's check: domU0 in Pool-1 with the null scheduler; here domU0 has
    # CPU 1 to itself
    anywhere 'domain 1: domU0, 1 vCPU, .*vCPU0 on CPU1' 'domains: 1 +domU0 +1 +\(1\) '
}
