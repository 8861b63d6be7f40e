#!/usr/bin/env bash
# imagebuilder boot tests: configs turned into U-Boot scripts and booted the
# way users boot them (Debian's U-Boot fetching boot.scr.uimg over QEMU's
# TFTP, no keystrokes, the host tree being QEMU's own), and the same configs
# through the loader path (imagebuilder -Q: no U-Boot). Each case prints one
# "ok - imagebuilder/NAME" or "not ok - imagebuilder/NAME" line (with the
# console log on failure), has a hard time-out and never leaves QEMU behind.
# Two QEMUs at most run at once.
#   boot.sh IMAGEBUILDER HV-IMAGE GUESTS-DIR WORKDIR [CASE...]
set -uo pipefail
ib=$(realpath "$1") hv=$(realpath "$2") guests=$(realpath "$3") out=$4
shift 4
only=("$@")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
linux=${LINUX_DIR:-$top/${OUT:-build/out}/guests/linux}
linux_dm=${LINUX_DM_DIR:-$top/${OUT:-build/out}/guests/linux-dm}
mkdir -p "$out"
out=$(realpath "$out")
UBOOT_TIMEOUT=${IB_UBOOT_TIMEOUT:-120}
LOADER_TIMEOUT=${IB_LOADER_TIMEOUT:-60}

# ---- configs ------------------------------------------------------------------
common() { # common GIC: the lines every config starts with
    cat <<CFG
MEMORY_START=0x40000000
MEMORY_END=0xc0000000
DEVICE_TREE=virt-gicv$1.dtb
XEN=xen-arm-minimal.Image
XEN_CMD="loglvl=info"
CFG
}
cfg_one() { # one bare-metal guest
    common "$1"
    printf 'NUM_DOMUS=1\nDOMU_KERNEL[0]=guests/hello.Image\nDOMU_MEM[0]=16\n'
}
MANY=14 # past Xen ImageBuilder's fdt resize 1024
cfg_many() { # fourteen domains, thirteen booted, using most keys
    common "$1"
    echo "NUM_DOMUS=$MANY"
    echo 'NUM_CPUPOOLS=1'
    echo 'CPUPOOL[0]="cpu@1"'
    for ((i = 0; i < MANY; i++)); do
        echo "DOMU_KERNEL[$i]=guests/hello.Image"
        echo "DOMU_MEM[$i]=16"
    done
    echo 'DOMU_CPUPOOL[1]=0'
    echo 'DOMU_STATIC_MEM[2]="0x70000000 0x1000000"'
    echo 'DOMU_DIRECT_MAP[2]=0 # the guest is linked at 0x40000000'
    echo 'DOMU_ENHANCED[3]=1'
    echo 'DOMU_ENHANCED[4]=2'
    echo "DOMU_CMD[5]='console=ttyAMA0 a=b#c'"
    echo "DOMU_NOBOOT[$((MANY - 1))]=1"
}
cfg_linux() { # Debian's kernel and a busybox initramfs, beside a bare-metal guest
    common "$1"
    printf 'NUM_DOMUS=2\nDOMU_KERNEL[0]=linux/Image\nDOMU_RAMDISK[0]=linux/initramfs.cpio.gz\nDOMU_MEM[0]=256\n'
    printf 'DOMU_KERNEL[1]=guests/hello.Image\nDOMU_MEM[1]=16\n'
}

cfg_evtchn() { # two bare-metal guests joined by a static event channel (tests/guests/static_evtchn.c: a's port 5, b's 7)
    common "$1"
    cat <<'CFG'
NUM_DOMUS=2
DOMU_KERNEL[0]=guests/static_evtchn.Image
DOMU_MEM[0]=16
DOMU_CMD[0]="role=a"
DOMU_ENHANCED[0]=2
DOMU_CAPS[0]="none"
DOMU_STATIC_EVTCHNS[0]="5 1 7"
DOMU_KERNEL[1]=guests/static_evtchn.Image
DOMU_MEM[1]=16
DOMU_CMD[1]="role=b"
DOMU_ENHANCED[1]=2
DOMU_STATIC_EVTCHNS[1]="7 0 5"
CFG
}

cfg_devmodel() { # a device model serving two guests' PCI bridges, one of them held
    common "$1"
    cat <<'CFG'
NUM_DOMUS=3
DOMU_KERNEL[0]=guests/devmodel.Image
DOMU_MEM[0]=16
DOMU_CMD[0]="delay"
DOMU_KERNEL[1]=guests/dtcheck.Image
DOMU_MEM[1]=16
DOMU_CMD[1]="bridge"
DOMU_ENHANCED[1]=1
DOMU_PCI_BRIDGE[1]=default
DOMU_DEVICE_MODEL[1]=0
DOMU_KERNEL[2]=guests/dtcheck.Image
DOMU_MEM[2]=16
DOMU_CMD[2]="bridge held"
DOMU_ENHANCED[2]=2
DOMU_PCI_BRIDGE[2]="0x60000000 0x200000 0x70000000 0x1000000 0 0 40 2 0"
DOMU_DEVICE_MODEL[2]=0
DOMU_DEVICE_MODEL_HOLD[2]=1
CFG
}

cfg_pmem() { # a Linux device model given a guest's virtio disk module: Linux's of_pmem must find it
    common "$1"
    cat <<'CFG'
NUM_DOMUS=2
DOMU_KERNEL[0]=linux/Image
DOMU_RAMDISK[0]=pmem/initramfs.cpio.gz
DOMU_MEM[0]=256
DOMU_KERNEL[1]=guests/hello.Image
DOMU_MEM[1]=16
DOMU_PCI_BRIDGE[1]=default
DOMU_DEVICE_MODEL[1]=0
DOMU_VIRTIO_DISK[1,0]=pmem/disk.img
DOMU_VIRTIO_DISK_RO[1,0]=1
DOMU_VIRTIO_RNG[1]=1
CFG
}
# The device model's initramfs for cfg_pmem: busybox and the kernel's
# nvdimm modules (build/fetch-xen-libs.sh fetches them), an init that
# prints the first bytes of /dev/pmem0 and powers off; and the disk image.
stage_pmem() { # stage_pmem DIR
    local r=$1/pmem/root m a
    for m in libnvdimm dax nd_btt nd_pmem of_pmem; do
        [ -s "$linux_dm/modules/$m.ko" ] || { echo "no $m.ko in $linux_dm/modules (run build/fetch-xen-libs.sh)"; return 1; }
    done
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/lib/modules"
    cp "$linux_dm/busybox" "$r/bin/busybox"
    for a in sh mount insmod dd sleep poweroff; do ln -s busybox "$r/bin/$a"; done
    for m in libnvdimm dax nd_btt nd_pmem of_pmem; do cp "$linux_dm/modules/$m.ko" "$r/lib/modules/"; done
    cat >"$r/init" <<'INIT'
#!/bin/busybox sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in libnvdimm dax nd_btt nd_pmem of_pmem; do insmod /lib/modules/$m.ko || echo "PMEM: FAIL insmod $m"; done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/pmem0 ] && break; sleep 1; done
echo "PMEM: head '$(dd if=/dev/pmem0 bs=16 count=1 2>/dev/null)'"
poweroff -f
INIT
    chmod 755 "$r/init"
    (cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$1/pmem/initramfs.cpio.gz" &&
        printf 'XAMDISK-MAGIC-01' >"$1/pmem/disk.img" && truncate -s 4M "$1/pmem/disk.img"
}

stage() { # stage DIR GIC CONFIG-FUNCTION: the TFTP root with every file
    local d=$1
    rm -rf "$d" && mkdir -p "$d/guests"
    cp "$hv" "$d/xen-arm-minimal.Image"
    cp "$guests/hello.Image" "$guests/dtcheck.Image" "$guests/devmodel.Image" "$guests/static_evtchn.Image" "$d/guests/"
    "$top/tests/dtb/qemu-dtb.sh" "$d/virt-gicv$2.dtb" "$2" 2 2G || return 1
    if [ "$3" = cfg_linux ] || [ "$3" = cfg_pmem ]; then
        [ -s "$linux/Image" ] || { echo "no Linux guest in $linux (run build/fetch-guests.sh)"; return 1; }
        mkdir -p "$d/linux" && cp "$linux/Image" "$linux/initramfs.cpio.gz" "$d/linux/"
    fi
    if [ "$3" = cfg_pmem ]; then stage_pmem "$d" || return 1; fi
    "$3" "$2" >"$d/system.cfg"
}

# ---- running QEMU -------------------------------------------------------------
# run_qemu TIMEOUT [STOP-REGEX] -- ARGS...: QEMU in its own process group,
# console to $log; killed at TIMEOUT, or as soon as STOP-REGEX appears (a
# script that refused to boot leaves U-Boot waiting at its prompt).
run_qemu() {
    local t=$1 stop=$2
    shift 3
    : >"$log" # there before the first look for STOP-REGEX
    setsid timeout --kill-after=5 "$t" qemu-system-aarch64 "$@" </dev/null >"$log" 2>&1 &
    local pid=$! rc
    if [ -n "$stop" ]; then
        while kill -0 "$pid" 2>/dev/null; do
            if grep -qE -- "$stop" "$log"; then
                sleep 1
                kill -TERM -- "-$pid" 2>/dev/null
                break
            fi
            sleep 0.5
        done
    fi
    wait "$pid"
    rc=$?
    qemu_rc=$rc
    if [ -z "$stop" ]; then
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then fail "timed out after $t s (QEMU killed)"
        elif [ $rc -ne 0 ]; then fail "QEMU exited with status $rc, not 0 (power-off)"; fi
    fi
}

uboot_boot() { # uboot_boot DIR GIC [STOP-REGEX]
    local d=$1
    cp "$d/boot.scr" "$d/boot.scr.uimg"
    run_qemu "$UBOOT_TIMEOUT" "${3:-}" -- -M "virt,virtualization=on,gic-version=$2" -cpu cortex-a57 -smp 2 -m 2G \
        -nographic -no-reboot -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin \
        -netdev "user,id=n0,tftp=$d,bootfile=boot.scr.uimg" -device "virtio-net-pci,netdev=n0,romfile="
}

loader_boot() { # loader_boot DIR: the command imagebuilder -Q printed
    local cmd
    cmd=$(tr -d '\\\n' <"$1/qemu-cmd.txt")
    # shellcheck disable=SC2086 # paths are plain (imagebuilder quotes others)
    eval "set -- $cmd"
    shift # qemu-system-aarch64
    run_qemu "$LOADER_TIMEOUT" "" -- "$@"
}

# ---- checks -------------------------------------------------------------------
. "$here/../lib/console-checks.sh"

generate() { # generate DIR [extra imagebuilder options]: imagebuilder as users run it
    local d=$1
    shift
    "$ib" -c "$d/system.cfg" -d "$d" -t tftp -o boot "$@" >"$d/imagebuilder.out" 2>"$d/imagebuilder.err" ||
        { fail "imagebuilder failed: $(cat "$d/imagebuilder.err")"; return 1; }
}

hello_ok() { # hello_ok DOMAIN...: each guest passed and powered off
    local g
    for g in "$@"; do
        anywhere "\\($g\\) hello: all checks passed" "$g \\(domain [0-9]+\\): powered off \\(PSCI SYSTEM_OFF\\)"
    done
}

expect_one() {
    hello_ok domU0
    in_order 'boot: ready to build domains' 'domain 1: domU0, 1 vCPU, 16 MiB' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
expect_many() {
    local i names=()
    for ((i = 0; i < MANY - 1; i++)); do names+=("domU$i"); done
    hello_ok "${names[@]}"
    count_is $((MANY - 1)) '\(domU[0-9]+\) hello: all checks passed'
    # tree order follows the config: domUk is domain k+1
    anywhere 'domain 1: domU0,' "domain $((MANY - 1)): domU$((MANY - 2)),"
    anywhere 'domain 2: domU1, 1 vCPU, .*vCPU0 on CPU1' \
        'domains: 3 +domU2 .* -> 0x70000000' 'domain 4: .*hypervisor node|domains: .*hypervisor node'
    absent "domU$((MANY - 1))" 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
    in_order 'all domains have stopped: powering off'
}
expect_uboot() { # the script ran, loaded everything and booted
    in_order 'U-Boot 20' '## Executing script at 40200000' "imagebuilder: loading $1 files" \
        'imagebuilder: writing [0-9]+ device-tree edits' 'imagebuilder: booti 0x[0-9a-f]+ - 0x[0-9a-f]+' \
        'Starting kernel' 'xen-arm-minimal .* loaded at 0x'
    absent 'not booting' 'FDT_ERR' 'syntax error'
    last_line=0
}

# ---- the cases ------------------------------------------------------------------
uboot_case() { # uboot_case GIC CONFIG-FUNCTION NFILES EXPECT-FUNCTION
    local d=$out/$name
    stage "$d" "$1" "$2" || { fail "could not stage the files"; return; }
    generate "$d" || return
    log=$out/$name.log
    uboot_boot "$d" "$1"
    expect_uboot "$3"
    "$4"
}
loader_case() { # loader_case GIC CONFIG-FUNCTION EXPECT-FUNCTION
    local d=$out/$name
    stage "$d" "$1" "$2" || { fail "could not stage the files"; return; }
    generate "$d" -Q || return
    cp "$d/imagebuilder.out" "$d/qemu-cmd.txt"
    log=$out/$name.log
    loader_boot "$d"
    absent 'U-Boot'
    in_order 'xen-arm-minimal .* loaded at 0x'
    "$3"
}
case_uboot-gicv2-one() { uboot_case 2 cfg_one 3 expect_one; }
case_uboot-gicv3-one() { uboot_case 3 cfg_one 3 expect_one; }
case_uboot-gicv2-many() { uboot_case 2 cfg_many $((MANY + 1)) expect_many; }
case_uboot-gicv3-many() { uboot_case 3 cfg_many $((MANY + 1)) expect_many; }
case_loader-gicv2-one() { loader_case 2 cfg_one expect_one; }
case_loader-gicv3-one() { loader_case 3 cfg_one expect_one; }
case_loader-gicv2-many() { loader_case 2 cfg_many expect_many; }
case_loader-gicv3-many() { loader_case 3 cfg_many expect_many; }
expect_linux() {
    hello_ok domU1
    anywhere '\(domU0\) .*Booting Linux on physical CPU 0x0' '\(domU0\) .*22000000.sbsa-uart: ttyAMA0 at MMIO 0x22000000' \
        '\(domU0\) XAM-LINUX-INIT: .* up, 1 CPU\(s\), console=ttyAMA0' 'domU0 \(domain 1\): powered off'
    in_order 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
case_uboot-gicv3-linux() { uboot_case 3 cfg_linux 5 expect_linux; }
case_loader-gicv3-linux() { loader_case 3 cfg_linux expect_linux; }
expect_devmodel() {
    anywhere 'domains: +PCI bridge: ECAM 0x33000000\+0x100000, .*; device model domU0' \
        'domains: +PCI bridge: ECAM 0x60000000\+0x200000, MEM 0x70000000\+0x1000000, .*INTx SPIs 40-41, .*; device model domU0 \(held until it connects\)' \
        '\(domU0\) devmodel: all checks passed' '\(domU1\) dtcheck: all checks passed' '\(domU2\) dtcheck: all checks passed' \
        '\(domU2\) PASS: held: the device model was connected before this guest started'
    count_is 2 '\(domU0\) devmodel: serving'
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
case_uboot-gicv3-devmodel() { uboot_case 3 cfg_devmodel 5 expect_devmodel; }
case_loader-gicv2-devmodel() { loader_case 2 cfg_devmodel expect_devmodel; }
expect_pmem() {
    hello_ok domU1
    anywhere 'domain 1: disk module 0x[0-9a-f]+\+0x400000 mapped at IPA 0x100000000 \(pmem, read-only\)' \
        'domains: +virtio slot 0: virtio-blk, disk module 0x[0-9a-f]+\+0x400000' 'domains: +virtio slot 1: virtio-rng' \
        "\\(domU0\\) PMEM: head 'XAMDISK-MAGIC-01'" 'domU0 \(domain 1\): powered off'
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
}
case_loader-gicv3-pmem() { loader_case 3 cfg_pmem expect_pmem; }
# Xen's static event channels (DOMU_STATIC_EVTCHNS) through U-Boot: the
# pair bound before either guest starts, a notification crossing each
# way; DOMU_CAPS="none" taken as Xen takes it
expect_evtchn() {
    anywhere 'domains: +static event channel: port 5 <-> domU1 port 7' \
        'domains: +static event channel: port 7 <-> domU0 port 5'
    in_order 'domain 1: domU0, 1 vCPU' 'domain 2: domU1, 1 vCPU'
    local g
    for g in domU0 domU1; do
        anywhere "\\($g\\) PASS: my static port is bound to the peer's before I made any call" \
            "\\($g\\) static_evtchn: all checks passed" "$g \\(domain [12]\\): powered off"
    done
    anywhere '\(domU1\) PASS: my static port started pending' \
        '\(domU1\) PASS: the peer.s notification arrived on my static port 7' \
        '\(domU0\) PASS: the peer.s notification arrived on my static port 5'
    in_order 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
case_uboot-gicv3-static-evtchn() { uboot_case 3 cfg_evtchn 4 expect_evtchn; }
case_static-evtchn-refused() {
    # what the builder refuses in DOMU_STATIC_EVTCHNS and DOMU_CAPS is
    # refused here in its words (the dry run), what only the config can
    # say (an end not named back) with the config's line; nothing written
    local d=$out/$name
    log=$out/$name.log
    stage "$d" 3 cfg_evtchn >"$log" 2>&1 || { fail "could not stage the files"; return; }
    refused() { # refused SED-EDIT: cfg_evtchn edited, imagebuilder's status and words to the log
        cfg_evtchn 3 | sed "$1" >"$d/system.cfg"
        echo "--- $1" >>"$log"
        "$ib" -c "$d/system.cfg" -d "$d" -t tftp -o boot >>"$log" 2>&1
        echo "rc=$?" >>"$log"
        [ ! -e "$d/boot.scr" ] || fail "'$1': boot.scr written"
    }
    refused 's/DOMU_CAPS\[0\]="none"/DOMU_CAPS[0]="control|xenstore"/'
    refused '/DOMU_ENHANCED\[1\]/d'
    refused 's/"5 1 7"/"5000 1 7"/; s/"7 0 5"/"7 0 5000"/'
    refused 's/"7 0 5"/"7 0 6"/'
    refused 's/"5 1 7"/"5 2 7"/'
    in_order 'imagebuilder: the hypervisor would refuse this configuration:' \
        "  domU0: rejected: /chosen/domU0: capabilities: Xen 4.21's binding, not supported with this value: there is no control, hardware or xenstore domain here" \
        'imagebuilder: .*system.cfg: a domain is rejected \(see above\)' '^rc=1$'
    in_order 'imagebuilder: the hypervisor would refuse this configuration:' \
        '  domU1: rejected: /chosen/domU1: xen,enhanced: missing or "disabled": /chosen/domU1/evtchn@7 is a static event channel' \
        '  domU0: rejected: /chosen/domU0/evtchn@5: xen,evtchn: its other end is in /chosen/domU1, which is not built' '^rc=1$'
    in_order '  domU0: rejected: /chosen/domU0/evtchn@5000: xen,evtchn: local port 5000 is beyond the 2-level event-channel ABI' '^rc=1$'
    in_order "imagebuilder: .*system.cfg:12: DOMU_STATIC_EVTCHNS\\[0\\]: definition 1, '5 1 7': the other end, domain 1's port 7 \\(DOMU_STATIC_EVTCHNS\\[1\\] line 17, definition 1, '7 0 6'\\), links to domain 0's port 6, not back to this one" '^rc=1$'
    in_order "imagebuilder: .*system.cfg:12: DOMU_STATIC_EVTCHNS\\[0\\]: definition 1, '5 2 7': there is no domain 2 \\(NUM_DOMUS is 2\\)" '^rc=1$'
    count_is 5 '^rc=1$'
    # and as written, it is accepted
    cfg_evtchn 3 >"$d/system.cfg"
    "$ib" -c "$d/system.cfg" -d "$d" -t tftp -o boot >>"$log" 2>&1 || fail "cfg_evtchn refused"
    in_order 'imagebuilder: dry run: domU0: ok' 'imagebuilder: dry run: domU1: ok'
}
case_example-config() {
    # imagebuilder/examples/qemu-two-guests.cfg, as imagebuilder/demo.sh boots it
    log=$out/$name.log
    "$top/imagebuilder/demo.sh" "$ib" "$hv" "$top/imagebuilder/examples/qemu-two-guests.cfg" "$guests" "$out/$name" \
        --timeout "$UBOOT_TIMEOUT" >"$log" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || fail "demo.sh exited with status $rc"
    expect_uboot 4
    hello_ok domU0
    anywhere '\(domU1\) timer: all checks passed' 'domain 2: domU1, 2 vCPUs, .*vCPU0 on CPU[23]' \
        'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}
# make run's system: imagebuilder/examples/qemu-virtio-disks.cfg booted by
# imagebuilder/demo.sh exactly as make imagebuilder-demo boots it (its
# inputs from make imagebuilder-demo-inputs, which make imagebuilder-tests
# builds once build/deps.sh --guests has fetched Debian's packages): a
# Debian Linux device model (domU0) serves two Debian Linux guests held
# until it connects; each mounts its own disk, prints the file on it,
# writes one and reads it back from a fresh mount; domU2 reads its
# read-only disk and cannot write it; domU1's virtio-console line is its
# own; then the guests power off, the device model exits once no client
# is left, and QEMU ends by itself.
IB_DEMO_INPUTS=${IB_DEMO_INPUTS:-$top/${OUT:-build/out}/imagebuilder/demo-inputs}
IB_DEMO_TIMEOUT=${IB_DEMO_TIMEOUT:-300}
case_make-run() {
    log=$out/$name.log
    [ -f "$IB_DEMO_INPUTS/.made" ] ||
        { fail "no demo inputs in $IB_DEMO_INPUTS (build/deps.sh --guests, then make imagebuilder-demo-inputs)"; return; }
    "$top/imagebuilder/demo.sh" "$ib" "$hv" "$top/imagebuilder/examples/qemu-virtio-disks.cfg" "$IB_DEMO_INPUTS" \
        "$out/$name" --smp 2 --timeout "$IB_DEMO_TIMEOUT" >"$log" 2>&1
    local rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then fail "timed out after $IB_DEMO_TIMEOUT s (QEMU killed)"
    elif [ $rc -ne 0 ]; then fail "demo.sh exited with status $rc, not 0 (QEMU's power-off)"; fi
    local hello="This file is on your own disk, an ext4 image made on the host and served by domU0's xam-devmodel."
    expect_uboot 11
    in_order 'domain 1: disk module 0x[0-9a-f]+\+0x800000 mapped at IPA 0x[0-9a-f]+ \(pmem, read-write\)' \
        'domain 1: disk module 0x[0-9a-f]+\+0x800000 mapped at IPA 0x[0-9a-f]+ \(pmem, read-write\)' \
        'domain 1: disk module 0x[0-9a-f]+\+0x400000 mapped at IPA 0x[0-9a-f]+ \(pmem, read-only\)' \
        'domain 1: domU0, 1 vCPU, 256 MiB' 'domain 2: domU1, 1 vCPU, 128 MiB' 'domain 3: domU2, 1 vCPU, 128 MiB' \
        'domU1 \(domain 2\): held until its device model domU0 connects' \
        'domU2 \(domain 3\): held until its device model domU0 connects'
    # the device model, with its own prefix: both clients and their devices
    last_line=0
    in_order '\(domU0\) xam-devmodel-init: starting xam-devmodel --idle-exit 2' \
        '\(domU0\) xam-devmodel: device tree: 2 client\(s\) in /device-model' \
        '\(domU0\) xam-devmodel: serving client domU1 \(domain 2\): 3 device\(s\)' \
        '\(domU0\) xam-devmodel: client domU1: 00:00.0 virtio-blk /dev/pmem[0-9] \(read-write\)' \
        '\(domU0\) xam-devmodel: client domU1: 00:01.0 virtio-rng' \
        '\(domU0\) xam-devmodel: client domU1: 00:02.0 virtio-console' \
        '\(domU0\) xam-devmodel: serving client domU2 \(domain 3\): 3 device\(s\)' \
        '\(domU0\) xam-devmodel: client domU2: 00:00.0 virtio-blk /dev/pmem[0-9] \(read-write\)' \
        '\(domU0\) xam-devmodel: client domU2: 00:01.0 virtio-blk /dev/pmem[0-9] \(read-only\)' \
        '\(domU0\) xam-devmodel: client domU2: 00:02.0 virtio-rng'
    # each guest, with its own prefix: its disk's file, the file it wrote
    # read back from a fresh mount, its power-off
    local g
    for g in domU1 domU2; do
        last_line=0
        in_order "$g \\(domain [23]\\): starting \\(held until its device model connected\\)" \
            "\\($g\\) DEMO: $g: Linux .* up; virtio disks: vda \\(8 MiB\\)" \
            "\\($g\\) DEMO: $g: /dev/vda hello.txt: Hello, $g! $hello" \
            "\\($g\\) DEMO: $g: wrote $g.txt, synced, mounted again: $g wrote this at [0-9.]+ s after its boot" \
            "\\($g\\) DEMO: $g: /dev/vda holds: $g.txt hello.txt" \
            "\\($g\\) DEMO: $g: virtio-rng gave [0-9a-f]+" "\\($g\\) DEMO: $g: done, powering off" \
            "$g \\(domain [23]\\): powered off \\(PSCI SYSTEM_OFF\\)"
        count_is 1 "\\($g\\) DEMO: $g: /dev/vda hello.txt"
    done
    anywhere '\(domU1\) domU1: this line went through virtio-console \(hvc0\)' '\(domU1\) DEMO: domU1: wrote a line to /dev/hvc0' \
        '\(domU2\) DEMO: domU2: Linux .* up; virtio disks: vda \(8 MiB\) vdb \(4 MiB, read-only\)' \
        '\(domU2\) DEMO: domU2: /dev/vdb \(read-only\) readme.txt: A disk domU2 may read but not write' \
        '\(domU2\) DEMO: domU2: writing /dev/vdb refused: '
    # the end: the device model goes once no client is left, then the machine
    last_line=0
    in_order '\(domU0\) xam-devmodel: client domU[12]: its ioreq server is gone' \
        '\(domU0\) xam-devmodel: client domU[12]: its ioreq server is gone' \
        '\(domU0\) xam-devmodel: no client connected for 2 s: exiting' \
        '\(domU0\) xam-devmodel-init: xam-devmodel exited with status 0' 'domU0 \(domain 1\): powered off' \
        'all domains have stopped: powering off'
    # no line under another's prefix: a guest's lines are its own, the
    # virtio-console's too (not the device model's [NAME] fallback)
    absent '\(domU1\) DEMO: domU1: Linux .* vdb' '\(domU[02]\) DEMO: domU1' '\(domU[01]\) DEMO: domU2' '\(domU0\) DEMO' \
        '\(domU[02]\) domU1: this line' '\[domU[12]\]' 'FAIL' 'ERROR' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'NEEDS_RESET' \
        'Initramfs unpacking failed'
}
case_uboot-missing-file() {
    # a file gone from the TFTP directory: the script says so and boots nothing
    local d=$out/$name
    stage "$d" 3 cfg_one || { fail "could not stage the files"; return; }
    generate "$d" || return
    rm "$d/guests/hello.Image"
    log=$out/$name.log
    uboot_boot "$d" 3 'not booting|Starting kernel'
    in_order '## Executing script' 'imagebuilder: loading guests/hello.Image at 0x40400000 failed: not booting'
    absent 'Starting kernel' 'imagebuilder: booti' 'fdt resize'
}
case_uboot-changed-file() {
    # a file that changed after the script was made is refused by its size
    local d=$out/$name
    stage "$d" 3 cfg_one || { fail "could not stage the files"; return; }
    generate "$d" || return
    echo extra >>"$d/xen-arm-minimal.Image"
    log=$out/$name.log
    uboot_boot "$d" 3 'not booting|Starting kernel'
    in_order '## Executing script' 'imagebuilder: xen-arm-minimal.Image is 0x[0-9a-f]+ bytes, not 0x[0-9a-f]+ as when this script was made: run imagebuilder again: not booting'
    absent 'Starting kernel'
}
case_cli() {
    # usage, help and the errors users meet, without QEMU
    local d=$out/$name rc
    log=$out/$name.log
    stage "$d" 3 cfg_one >"$log" 2>&1 || { fail "could not stage the files"; return; }
    { "$ib"; echo "rc=$?"; "$ib" -c "$d/system.cfg"; echo "rc=$?"; "$ib" -x; echo "rc=$?"
      "$ib" -h; echo "rc=$?"
      "$ib" -c "$d/system.cfg" -d "$d" -o boot; echo "rc=$?" # no -t, no LOAD_CMD
      printf 'DOM0_KERNEL=Image\n' >>"$d/system.cfg"; "$ib" -c "$d/system.cfg" -d "$d" -t tftp; echo "rc=$?"
      cfg_one 3 | sed 's/DOMU_MEM\[0\]=16/DOMU_MEM[0]=16\nDOMU_VCPUS[0]=129/' >"$d/system.cfg"
      "$ib" -c "$d/system.cfg" -d "$d" -t tftp; echo "rc=$?"
      cfg_one 3 | sed 's/MEMORY_END=0xc0000000/MEMORY_END=0x40800000/' >"$d/system.cfg"
      "$ib" -c "$d/system.cfg" -d "$d" -t tftp; echo "rc=$?"
      cfg_one 3 >"$d/system.cfg"; "$ib" -c "$d/system.cfg" -d "$d" -t sd -o sd -D "$d/written.dtb"; echo "rc=$?"
    } >>"$log" 2>&1
    in_order '^usage: imagebuilder' '^rc=2$' '^rc=2$' '^rc=2$'
    in_order '^  -c CONFIG' '^  -d DIR' '^  -t LOADCMD' '^  -o NAME' '^  -D FILE, --write-dtb FILE' '^  -Q, --qemu' '^  -h' '^rc=0$'
    in_order 'imagebuilder: no load command: give -t' '^rc=2$'
    in_order 'system.cfg:9: DOM0_KERNEL: this config describes a dom0; xen-arm-minimal boots dom0less only' '^rc=1$'
    in_order 'imagebuilder: the hypervisor would refuse this configuration:' '  domU0: rejected: /chosen/domU0: cpus: must be 1 to 128' '^rc=1$'
    in_order 'imagebuilder: DEVICE_TREE \(virt-gicv3.dtb\): 0x[0-9a-f]+ bytes .* do not fit in MEMORY_START..MEMORY_END 0x40000000-0x407fffff' '^rc=1$'
    in_order 'imagebuilder: dry run: domU0: ok' "imagebuilder: wrote $d/sd.source and $d/sd.scr; in U-Boot: load mmc 0:1 0x40200000 sd.scr; source 0x40200000" '^rc=0$'
    grep -q 'load mmc 0:1 0x40400000 guests/hello.Image' "$d/sd.source" || fail "sd.source does not use load mmc 0:1"
    fdtget "$d/written.dtb" /chosen/domU0 compatible 2>/dev/null | grep -q xen,domain || fail "-D did not write the edited tree"
}

case_confinement() {
    # issue 10: imagebuilder writes only inside -d, never over an input, and
    # no value changes the script's structure; each attack is refused with
    # its key and line (or option), a non-zero status, and nothing written
    local d=$out/$name/tftp away=$out/$name/away rc sums
    log=$out/$name.log
    rm -rf "$out/$name" && mkdir -p "$away"
    stage "$d" 3 cfg_one >"$log" 2>&1 || { fail "could not stage the files"; return; }
    cp "$d/guests/hello.Image" "$away/k.Image"
    ln -s "$away" "$d/link-away"
    sums=$(cd "$d" && find . -type f | sort | xargs md5sum)
    attack() { # attack EXPECTED-STATUS MESSAGE-REGEX CONFIG-LINES [OPTIONS...]: run on cfg_one + lines
        local want=$1 msg=$2 lines=$3
        shift 3
        { cfg_one 3; [ -z "$lines" ] || printf '%s\n' "$lines"; } >"$d/system.cfg"
        "$ib" -c "$d/system.cfg" -d "$d" "$@" >"$out/$name/ib.out" 2>"$out/$name/ib.err"
        rc=$?
        { echo "--- $lines $*: rc=$rc"; cat "$out/$name/ib.err"; } >>"$log"
        [ "$rc" = "$want" ] || fail "'$lines' $*: exit $rc, not $want"
        [ "$(wc -l <"$out/$name/ib.err")" = 1 ] || fail "'$lines' $*: not a one-line error: $(cat "$out/$name/ib.err")"
        grep -qE -- "$msg" "$out/$name/ib.err" || fail "'$lines' $*: no '$msg' in: $(cat "$out/$name/ib.err")"
        [ -z "$(ls -A "$away" | grep -v '^k.Image$')" ] || fail "'$lines' $*: wrote outside -d: $(ls "$away")"
        rm -f "$away"/*.source "$away"/*.scr "$away"/*.dtb "$out/$name"/*.source "$out/$name"/*.scr
        [ "$(cd "$d" && find . -type f ! -name system.cfg | sort | xargs md5sum)" = "$(grep -v system.cfg <<<"$sums")" ] ||
            fail "'$lines' $*: -d changed (an input overwritten or an output written)"
    }
    attack 1 'system.cfg:9: UBOOT_SOURCE: .*outside -d' "UBOOT_SOURCE=$away/evil.source" -t tftp
    attack 1 'system.cfg:9: UBOOT_SCRIPT: .*\.\.' "UBOOT_SCRIPT=../evil.scr" -t tftp
    attack 1 'system.cfg:9: FDTEDIT: .*\.\.' "FDTEDIT=../away/evil.dtb" -t tftp
    attack 1 '^imagebuilder: -o ../away/evil: a ".." component' "" -t tftp -o ../away/evil
    attack 1 '-o NAME: .*outside -d' "" -t tftp -o "$away/evil"
    attack 1 '-o NAME: link-away/evil.source is outside -d' "" -t tftp -o link-away/evil
    attack 1 '-D FILE: .*outside -d' "" -t tftp -D "$away/evil.dtb"
    attack 1 'system.cfg:9: FDTEDIT: virt-gicv3.dtb is the input DEVICE_TREE \(line 3\): an input is never overwritten' \
        "FDTEDIT=virt-gicv3.dtb" -t tftp
    attack 1 'system.cfg:9: UBOOT_SCRIPT: xen-arm-minimal.Image is the input XEN \(line 4\)' \
        "UBOOT_SCRIPT=xen-arm-minimal.Image" -t tftp
    attack 1 'system.cfg:9: DOMU_KERNEL\[0\]: .*\.\.' "DOMU_KERNEL[0]=../away/k.Image" -t tftp
    attack 1 'system.cfg:9: DOMU_KERNEL\[0\]: .*outside -d' "DOMU_KERNEL[0]=$away/k.Image" -t tftp
    attack 1 'system.cfg:9: DOMU_KERNEL\[0\]: link-away/k.Image resolves to .*outside -d' \
        "DOMU_KERNEL[0]=link-away/k.Image" -t tftp
    attack 1 "system.cfg:9: LOAD_CMD: ';' refused" 'LOAD_CMD="tftpb;reset"'
    attack 1 "system.cfg:9: LOAD_CMD: '#' refused" 'LOAD_CMD="tftpb #"'
    attack 1 "system.cfg:9: LOAD_CMD: the control character 0x0a refused" $'LOAD_CMD="tftpb\nreset"'
    attack 2 "^imagebuilder: -t: ';' refused" "" -t 'tftpb;reset'
    attack 2 "^imagebuilder: -t: '\\$' refused" "" -t 'tftpb ${x}'
    attack 2 "^imagebuilder: -t: '\"' refused" "" -t 'tftpb "x'
    attack 2 "^imagebuilder: -t: the control character 0x0a refused" "" -t $'tftpb\nreset'
    # a kernel that exists at a 1,454-character path (7 directories of 205)
    local deep=deep c
    c=$(printf 'x%.0s' {1..205})
    for _ in 1 2 3 4 5 6 7; do deep=$deep/$c; done
    mkdir -p "$d/$deep" "$d/long" && cp "$d/guests/hello.Image" "$d/$deep/k.Image"
    cp "$d/guests/hello.Image" "$d/long/$(printf 'b%.0s' {1..200})"
    sums=$(cd "$d" && find . -type f | sort | xargs md5sum)
    attack 1 'system.cfg:9: DOMU_KERNEL\[0\]: a path of 1454 characters: at most 1024' "DOMU_KERNEL[0]=$deep/k.Image" -t tftp
    attack 1 "system.cfg:9: DOMU_KERNEL\[0\]: .*a name of 205 characters; the script's loads take at most 127" \
        "DOMU_KERNEL[0]=long/$(printf 'b%.0s' {1..200})" -t tftp
    # and the ordinary run still writes where it is told
    cfg_one 3 >"$d/system.cfg"
    "$ib" -c "$d/system.cfg" -d "$d" -t tftp -o sub >>"$log" 2>&1 || fail "a plain run failed"
    [ -s "$d/sub.scr" ] && [ -s "$d/sub.source" ] || fail "a plain run did not write sub.scr and sub.source"
}

# ---- main ---------------------------------------------------------------------
. "$here/xen-ci.sh"

all=$(declare -F | awk '$3 ~ /^case_/ { sub(/^case_/, "", $3); print $3 }')
[ ${#only[@]} -gt 0 ] && all=$(printf '%s\n' "${only[@]}")
status=0
for name in $all; do
    declare -F "case_$name" >/dev/null || { echo "not ok - imagebuilder/$name: no such case"; status=1; continue; }
    while [ "$(jobs -rp | wc -l)" -ge "${IB_BOOT_JOBS:-2}" ]; do wait -n; done
    (
        why="" last_line=0 log=/dev/null start=$SECONDS
        "case_$name"
        if [ -z "$why" ]; then
            echo "ok - imagebuilder/$name ($((SECONDS - start)) s)"
        else
            echo "not ok - imagebuilder/$name: $why"
            echo "--- console log of imagebuilder/$name ($log):"
            sed 's/^/    /' "$log"
            echo "--- end of log"
        fi
    ) >"$out/$name.result" 2>&1 &
done
wait
for name in $all; do
    [ -f "$out/$name.result" ] || continue
    cat "$out/$name.result"
    grep -q '^not ok' "$out/$name.result" && status=1
done
exit $status
