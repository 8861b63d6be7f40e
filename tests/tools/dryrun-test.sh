#!/usr/bin/env bash
# xam-dryrun as a user runs it: exit status, the verdict line per domain,
# and the guest trees it writes (checked with dtc). One "ok - tools/NAME"
# or "not ok - tools/NAME: why" line per case.
#   dryrun-test.sh XAM-DRYRUN WORKDIR
set -uo pipefail
dryrun=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
status=0
result() { # result NAME WHY-OR-EMPTY OUTPUT-FILE
    if [ -z "$2" ]; then echo "ok - tools/$1"
    else echo "not ok - tools/$1: $2"; sed 's/^/    /' "$3"; status=1; fi
}
has() { grep -qF -- "$2" "$1"; }

dtc -q -I dts -O dtb -o "$work/host.dtb" "$here/../fuzz/seeds/dom0less.dts" || { echo "not ok - tools/fixture: dtc"; exit 1; }

# sizes only: three domains accepted, the one with a malformed module refused
name=sizes-only why=""
"$dryrun" -o "$work/out" "$work/host.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1 (a domain rejected)"
has "$work/$name.txt" "domU3: rejected: /chosen/domU3/module@55000000: reg: reg is missing or malformed" || why=${why:-"domU3's reason missing"}
has "$work/$name.txt" "3 domains accepted, 1 rejected" || why=${why:-"summary line missing"}
has "$work/$name.txt" "domU2: ok: 1 vCPU, 64 MiB at 0x40000000-0x43ffffff" || why=${why:-"domU2's layout missing"}
result "$name" "$why" "$work/$name.txt"

# the trees it wrote: valid, warning-free but for the hypervisor node's name,
# with the bridge on the guest and the client list on its device model
name=guest-trees why=""
for d in domU0 domU1 domU2; do
    [ -s "$work/out/$d.dtb" ] || { why="no $d.dtb written"; break; }
    dtc -I dtb -O dts -o "$work/out/$d.dts" "$work/out/$d.dtb" 2>"$work/out/$d.warn" || { why="dtc cannot read $d.dtb"; break; }
    if grep -v 'unit_address_vs_reg): /hypervisor' "$work/out/$d.warn" | grep -q .; then why="dtc warns about $d.dtb"; cat "$work/out/$d.warn" >>"$work/$name.txt"; break; fi
done
[ -e "$work/out/domU3.dtb" ] && why=${why:-"a tree was written for the rejected domU3"}
has "$work/out/domU2.dts" "pcie@60000000 {" || why=${why:-"domU2 has no pcie@60000000"}
has "$work/out/domU2.dts" 'compatible = "xen,xen-4.17\0xen,xen";' || why=${why:-"domU2 has no hypervisor node"}
has "$work/out/domU1.dts" "client@3 {" || why=${why:-"the device model's tree does not list domain 3"}
has "$work/out/layout.txt" "domain 3: domU2: ok" || why=${why:-"layout.txt lacks domain 3"}
result "$name" "$why" "$work/$name.txt"

# a refused device model takes the guest it serves with it
name=device-model-refused why=""
cp "$work/host.dtb" "$work/no-dm.dtb"
fdtput -d "$work/no-dm.dtb" /chosen/domU1 memory
"$dryrun" "$work/no-dm.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1"
has "$work/$name.txt" "domU1: rejected: /chosen/domU1: memory: missing" || why=${why:-"the device model's reason missing"}
has "$work/$name.txt" "domU2: rejected: device-model: /chosen/domU1 is not built, so nothing can serve this domain's bridge" ||
    why=${why:-"the served guest was not refused"}
has "$work/$name.txt" "1 domain accepted, 3 rejected" || why=${why:-"summary line missing"}
result "$name" "$why" "$work/$name.txt"

# with files: a kernel that is not an arm64 Image is caught on the workstation
name=kernel-not-an-image why=""
head -c 2097152 /dev/zero >"$work/zero.bin"
"$dryrun" -m 0x50000000="$work/zero.bin" -m 0x52000000="$work/zero.bin" -m 0x53000000="$work/zero.bin" \
    -m 0x54000000="$work/zero.bin" -m 0x55000000="$work/zero.bin" "$work/host.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1"
has "$work/$name.txt" 'domU0: rejected: /chosen/domU0/module@50000000: reg: the kernel is not an arm64 Image' || why=${why:-"no not-an-Image reason"}
result "$name" "$why" "$work/$name.txt"

# a module bigger than the file that will be loaded there
name=module-larger-than-file why=""
head -c 4096 /dev/zero >"$work/small.bin"
"$dryrun" -m 0x50000000="$work/small.bin" "$work/host.dtb" >"$work/$name.txt" 2>&1; rc=$?
has "$work/$name.txt" 'domU0: rejected: /chosen/domU0/module@50000000: reg: reg size is larger than the file loaded there' || why="no size reason"
has "$work/$name.txt" 'domU1: rejected: /chosen/domU1/module@53000000: reg: no file is loaded at this address' || why=${why:-"no missing-file reason"}
result "$name" "$why" "$work/$name.txt"

# a host tree the hypervisor would refuse: exit 2 and the reason
name=host-tree-refused why=""
head -c 100 "$work/host.dtb" >"$work/truncated.dtb"
"$dryrun" "$work/truncated.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 2 ] || why="exit $rc, expected 2"
has "$work/$name.txt" 'host device tree: device tree: truncated: header says' || why=${why:-"no reason"}
result "$name" "$why" "$work/$name.txt"

# a device-model loop with held guests (the hypervisor would wait forever)
# and a name that agrees with another's in its first 31 characters: the
# dry run refuses those domains with the hypervisor's words
name=loop-and-names why=""
cp "$work/host.dtb" "$work/loop.dtb"
for d in loopa loopb a-domain-with-a-very-long-name-one a-domain-with-a-very-long-name-two; do
    fdtput -c "$work/loop.dtb" "/chosen/$d" "/chosen/$d/module@50000000"
    fdtput -t s "$work/loop.dtb" "/chosen/$d" compatible xen,domain
    fdtput -t x "$work/loop.dtb" "/chosen/$d" '#address-cells' 2
    fdtput -t x "$work/loop.dtb" "/chosen/$d" '#size-cells' 2
    fdtput -t x "$work/loop.dtb" "/chosen/$d" memory 0 0x4000
    fdtput -t x "$work/loop.dtb" "/chosen/$d" cpus 1
    fdtput -t s "$work/loop.dtb" "/chosen/$d/module@50000000" compatible multiboot,kernel multiboot,module
    fdtput -t x "$work/loop.dtb" "/chosen/$d/module@50000000" reg 0 0x50000000 0 0x200000
done
fdtput -t x "$work/loop.dtb" /chosen/loopa phandle 0x7200
fdtput -t x "$work/loop.dtb" /chosen/loopb phandle 0x7201
fdtput -t x "$work/loop.dtb" /chosen/loopa device-model 0x7201
fdtput -t x "$work/loop.dtb" /chosen/loopb device-model 0x7200
for d in loopa loopb; do
    fdtput -t x "$work/loop.dtb" "/chosen/$d" secondary-emulated-pci-host-bridge
    fdtput -t x "$work/loop.dtb" "/chosen/$d" hold-until-device-model
done
"$dryrun" "$work/loop.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1 (domains rejected)"
has "$work/$name.txt" "loopa: rejected: device-model: the device models form a loop (loopa -> loopb -> loopa): none of them could start serving the others" ||
    why=${why:-"loopa's reason missing"}
has "$work/$name.txt" "device models form a loop (loopb -> loopa -> loopb)" || why=${why:-"loopb's reason missing"}
has "$work/$name.txt" "its name is a-domain-with-a-very-long-name-" || why=${why:-"the name conflict missing"}
result "$name" "$why" "$work/$name.txt"

# PSCI over HVC: the hypervisor refuses the whole boot, so does the dry run,
# with the hypervisor's words
name=psci-hvc-refused why=""
cp "$work/host.dtb" "$work/psci-hvc.dtb" && fdtput -t s "$work/psci-hvc.dtb" /psci method hvc
"$dryrun" "$work/psci-hvc.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 2 ] || why="exit $rc, expected 2"
has "$work/$name.txt" 'host device tree: /psci: method: "hvc" cannot reach PSCI from EL2, where the hypervisor runs' ||
    why=${why:-"no reason"}
result "$name" "$why" "$work/$name.txt"

# Xen's grant-table limits: accepted in range, refused outside it with the
# property's name (the hypervisor's words: domain_desc.c)
name=grant-limits why=""
cp "$work/host.dtb" "$work/grant.dtb"
fdtput -t i "$work/grant.dtb" /chosen/domU0 max_grant_frames 32
fdtput -t i "$work/grant.dtb" /chosen/domU0 max_maptrack_frames 4096
fdtput -t i "$work/grant.dtb" /chosen/domU2 max_grant_frames 8192
"$dryrun" "$work/grant.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1"
has "$work/$name.txt" 'domU0: ok: ' || why=${why:-"domU0 (32 and 4096 frames) not accepted"}
has "$work/$name.txt" 'domU2: rejected: /chosen/domU2: max_grant_frames: 8192: must be 1 to 4096 (the 16 MiB grant-table region the guest is given holds 4096 frames)' ||
    why=${why:-"no max_grant_frames reason"}
result "$name" "$why" "$work/$name.txt"

# virtio devices on domU2, served by domU1: a disk module (in the device
# model's tree as a pmem region), a file-backed disk, entropy (fdtput -c
# puts each new node first: rng, disk1, disk0 in node order); then the
# refusals, in the hypervisor's words (domain_virtio.c), costing domU2 only
name=virtio-devices why=""
cp "$work/host.dtb" "$work/virtio.dtb"
fdtput -c "$work/virtio.dtb" /chosen/domU2/disk0 /chosen/domU2/disk1 /chosen/domU2/rng
fdtput -t s "$work/virtio.dtb" /chosen/domU2/disk0 compatible xen-arm-minimal,virtio-blk
fdtput -t x "$work/virtio.dtb" /chosen/domU2/disk0 reg 0 0x56000000 0 0x400000
fdtput -t x "$work/virtio.dtb" /chosen/domU2/disk0 read-only
fdtput -t s "$work/virtio.dtb" /chosen/domU2/disk0 serial disk0
fdtput -t s "$work/virtio.dtb" /chosen/domU2/disk1 compatible xen-arm-minimal,virtio-blk
fdtput -t s "$work/virtio.dtb" /chosen/domU2/disk1 backend-path /dev/vdb
fdtput -t s "$work/virtio.dtb" /chosen/domU2/rng compatible xen-arm-minimal,virtio-rng
fdtput -t i "$work/virtio.dtb" /chosen/domU2/rng pci-slot 0
"$dryrun" -o "$work/virtio-out" "$work/virtio.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1 (domU3 rejected as before)"
has "$work/$name.txt" "virtio: slot 0 virtio-rng, slot 1 virtio-blk (/dev/vdb), slot 2 virtio-blk (disk module 0x56000000+0x400000, read-only)" ||
    why=${why:-"domU2's devices missing"}
dtc -I dtb -O dts -o "$work/virtio-out/domU1.dts" "$work/virtio-out/domU1.dtb" 2>"$work/virtio-out/domU1.warn" || why=${why:-"dtc cannot read domU1.dtb"}
grep -v 'unit_address_vs_reg): /hypervisor' "$work/virtio-out/domU1.warn" | grep -q . && why=${why:-"dtc warns about domU1.dtb"}
has "$work/virtio-out/domU1.dts" "pmem@100000000 {" || why=${why:-"no pmem region in the device model's tree"}
has "$work/virtio-out/domU1.dts" 'compatible = "pmem-region";' || why=${why:-"the pmem region is not a pmem-region"}
has "$work/virtio-out/domU1.dts" "device@1 {" || why=${why:-"no device@1 in the device model's tree"}
has "$work/virtio-out/domU1.dts" 'backend-path = "/dev/vdb";' || why=${why:-"no backend-path in the device model's tree"}
result "$name" "$why" "$work/$name.txt"

name=virtio-refused why=""
refuse() { # refuse FDTPUT-ARGS... : domU2 must be refused with $expect, domU0 accepted
    cp "$work/virtio.dtb" "$work/virtio-bad.dtb"
    while [ $# -gt 0 ]; do
        local args=()
        while [ $# -gt 0 ] && [ "$1" != ";" ]; do args+=("$1"); shift; done
        [ $# -gt 0 ] && shift
        fdtput "${args[@]/#%F/$work/virtio-bad.dtb}" || why=${why:-"fdtput ${args[*]} failed"}
    done
    "$dryrun" "$work/virtio-bad.dtb" >>"$work/$name.txt" 2>&1
    has "$work/$name.txt" "domU2: rejected: $expect" || why=${why:-"no refusal: $expect"}
}
expect="/chosen/domU2/disk1: backend-path: and reg both given: a disk is either a boot module (reg) or a file or block device of the device model's domain (backend-path)"
refuse -t x %F /chosen/domU2/disk1 reg 0 0x57000000 0 0x100000
expect="/chosen/domU2/disk0: reg: disk module 0x56000800+0x400000: must start and end on 4 KiB page boundaries (its pages are mapped into the device model)"
refuse -t x %F /chosen/domU2/disk0 reg 0 0x56000800 0 0x400000
expect="/chosen/domU2/disk0: reg: disk module 0x54000000-0x540fffff is also used by /chosen/domU2/module@54000000: a disk module backs one device only"
refuse -t x %F /chosen/domU2/disk0 reg 0 0x54000000 0 0x100000
expect="/chosen/domU2/rng: pci-slot: must be one cell, a PCI slot from 0 to 31"
refuse -t i %F /chosen/domU2/rng pci-slot 32
expect="/chosen/domU2/disk1: pci-slot: slot 0 is already /chosen/domU2/rng's"
refuse -t i %F /chosen/domU2/disk1 pci-slot 0
expect="/chosen/domU2/disk0: serial: 21 bytes: at most 20 (virtio-blk's serial field)"
refuse -t s %F /chosen/domU2/disk0 serial 123456789012345678901
expect="/chosen/domU2/rng: compatible: unknown virtio device (xen-arm-minimal,virtio-blk, -rng and -console are known)"
refuse -t s %F /chosen/domU2/rng compatible xen-arm-minimal,virtio-gpu
has "$work/$name.txt" "domU0: ok:" || why=${why:-"domU0 not accepted"}
result "$name" "$why" "$work/$name.txt"

# usage errors
name=usage why=""
"$dryrun" -m nonsense "$work/host.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 2 ] && has "$work/$name.txt" "usage: xam-dryrun" || why="bad -m: exit $rc"
"$dryrun" "$work/missing.dtb" >>"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 2 ] && has "$work/$name.txt" "missing.dtb: No such file" || why=${why:-"missing file: exit $rc"}
result "$name" "$why" "$work/$name.txt"
# Xen bindings with no meaning here, refused by name as the hypervisor
# refuses them (domain_xen_compat.c, domain_plan.c): a property on domU0,
# a Xen dom0 kernel and its bootargs, and xen,static-heap, which costs
# every domain without xen,static-mem
name=xen-bindings why=""
cp "$work/host.dtb" "$work/xen.dtb"
fdtput -t s "$work/xen.dtb" /chosen/domU0 passthrough enabled
fdtput -c "$work/xen.dtb" /chosen/dom0-kernel
fdtput -t s "$work/xen.dtb" /chosen/dom0-kernel compatible multiboot,kernel multiboot,module
fdtput -t x "$work/xen.dtb" /chosen/dom0-kernel reg 0 0x5e000000 0 0x100000
fdtput -t s "$work/xen.dtb" /chosen xen,dom0-bootargs "console=hvc0"
"$dryrun" "$work/xen.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1"
has "$work/$name.txt" "domU0: rejected: /chosen/domU0: passthrough: Xen 4.19's binding, not supported with this value: there is no IOMMU here" ||
    why=${why:-"passthrough not refused by name"}
has "$work/$name.txt" "dom0-kernel: rejected: /chosen/dom0-kernel: a kernel directly under /chosen is Xen's dom0, and there is no dom0 here" ||
    why=${why:-"the dom0 kernel not refused"}
has "$work/$name.txt" "chosen: rejected: /chosen: xen,dom0-bootargs: there is no dom0 here: remove it" ||
    why=${why:-"xen,dom0-bootargs not refused"}
fdtput -d "$work/xen.dtb" /chosen/domU0 passthrough
# xen,static-heap: read (static memory must keep out of it), and a heap
# that is not RAM is the host tree's mistake
fdtput -t x "$work/xen.dtb" /chosen xen,static-heap 0 0x60000000 0 0x10000000
"$dryrun" "$work/xen.dtb" >"$work/$name-heap.txt" 2>&1
has "$work/$name-heap.txt" "domU0: ok: " || why=${why:-"domU0 not accepted with a static heap"}
fdtput -t x "$work/xen.dtb" /chosen/domU0 xen,static-mem 0 0x68000000 0 0x4000000
"$dryrun" "$work/xen.dtb" >>"$work/$name-heap.txt" 2>&1
has "$work/$name-heap.txt" "domU0: rejected: /chosen/domU0: xen,static-mem: 0x68000000-0x6bffffff overlaps /chosen's xen,static-heap" ||
    why=${why:-"static memory in the heap not refused"}
fdtput -t x "$work/xen.dtb" /chosen xen,static-heap 0 0x10000000 0 0x1000000
"$dryrun" "$work/xen.dtb" >>"$work/$name-heap.txt" 2>&1; rc=$?
[ $rc -eq 2 ] || why=${why:-"a heap outside RAM: exit $rc, expected 2"}
has "$work/$name-heap.txt" "/chosen: xen,static-heap: 0x10000000-0x10ffffff is not RAM" || why=${why:-"a heap outside RAM not refused"}
cat "$work/$name-heap.txt" >>"$work/$name.txt"
result "$name" "$why" "$work/$name.txt"

# Xen's static event channels (domain_evtchn.c): a pair between domU1 and
# domU2 is accepted; each bad input refuses its domain with node and
# property, and the other end's domain with it (and only those: domU0
# stays accepted)
name=static-evtchn why=""
evt() { # evt FILE: the good pair, domU1:16 <-> domU2:17 (fdtput -t x: hex)
    cp "$work/host.dtb" "$1"
    fdtput -c "$1" /chosen/domU1/ec1 /chosen/domU2/ec2
    fdtput -t s "$1" /chosen/domU1/ec1 compatible xen,evtchn-v1
    fdtput -t s "$1" /chosen/domU2/ec2 compatible xen,evtchn-v1
    fdtput -t x "$1" /chosen/domU1/ec1 phandle 0x1001
    fdtput -t x "$1" /chosen/domU2/ec2 phandle 0x1002
    fdtput -t x "$1" /chosen/domU1/ec1 xen,evtchn 10 0x1002
    fdtput -t x "$1" /chosen/domU2/ec2 xen,evtchn 11 0x1001
}
evt "$work/evt.dtb"
"$dryrun" "$work/evt.dtb" >"$work/$name.txt" 2>&1
for d in domU0 domU1 domU2; do has "$work/$name.txt" "$d: ok:" || why=${why:-"$d not accepted with a good pair"}; done
evt_refused() { # evt_refused DOMAIN EXPECT FDTPUT-ARGS... (%F: the file)
    local dom=$1 exp=$2; shift 2
    evt "$work/evt-bad.dtb"
    while [ $# -gt 0 ]; do
        local args=()
        while [ $# -gt 0 ] && [ "$1" != ";" ]; do args+=("$1"); shift; done
        [ $# -gt 0 ] && shift
        fdtput "${args[@]/#%F/$work/evt-bad.dtb}" || why=${why:-"fdtput ${args[*]} failed"}
    done
    "$dryrun" "$work/evt-bad.dtb" >"$work/$name-1.txt" 2>&1
    cat "$work/$name-1.txt" >>"$work/$name.txt"
    has "$work/$name-1.txt" "$dom: rejected: $exp" || why=${why:-"no refusal: $dom: $exp"}
    has "$work/$name-1.txt" "domU0: ok:" || why=${why:-"domU0 refused along ($exp)"}
}
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: its other end, phandle 0x1234, names no node" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 11 0x1234
evt_refused domU1 "/chosen/domU1/ec1: xen,evtchn: its other end /chosen/domU2/ec2 does not name this node back (its xen,evtchn gives phandle 0x1234): the two ends must name each other" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 11 0x1234
evt_refused domU1 "/chosen/domU1/ec1: xen,evtchn: its other end, phandle 0x2000, is /chosen/domU1/module@53000000, which is not a \"xen,evtchn-v1\" node" \
    -t x %F /chosen/domU1/module@53000000 phandle 0x2000 ";" -t x %F /chosen/domU1/ec1 xen,evtchn 10 0x2000
# a second pair, domU2:11 <-> domU1:12 (fdtput puts ec3 first among
# domU2's children: ec2, read after it, is the one refused)
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: local port 17 is already the one of /chosen/domU2/ec3: a port is one channel's" \
    -c %F /chosen/domU2/ec3 /chosen/domU1/ec4 ";" -t s %F /chosen/domU2/ec3 compatible xen,evtchn-v1 ";" \
    -t s %F /chosen/domU1/ec4 compatible xen,evtchn-v1 ";" -t x %F /chosen/domU2/ec3 phandle 0x1003 ";" \
    -t x %F /chosen/domU1/ec4 phandle 0x1004 ";" -t x %F /chosen/domU2/ec3 xen,evtchn 11 0x1004 ";" \
    -t x %F /chosen/domU1/ec4 xen,evtchn 12 0x1003
evt_refused domU1 "/chosen/domU1/ec1: xen,evtchn: its other end is in /chosen/domU2, which is not built: a static event channel needs both" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 0 0x1001
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: local port 0 is reserved" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 0 0x1001
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: local port 4096 is beyond the 2-level event-channel ABI (ports 1 to 4095" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 0x1000 0x1001
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: must be two cells, <local-port &other-end> (12 bytes)" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 11 0x1001 0
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: names its own node" \
    -t x %F /chosen/domU2/ec2 xen,evtchn 11 0x1002
evt_refused domU2 "/chosen/domU2/ec2: compatible: \"xen,evtchn\" is not what Xen binds (its code takes \"xen,evtchn-v1\" only" \
    -t s %F /chosen/domU2/ec2 compatible xen,evtchn
evt_refused domU2 "/chosen/domU2: xen,enhanced: missing or \"disabled\": /chosen/domU2/ec2 is a static event channel, and event channels need the hypervisor node" \
    -d %F /chosen/domU2 xen,enhanced
evt_refused domU2 "/chosen/domU2/ec2: xen,evtchn: its other end /chosen/ec0 is directly under /chosen, which is Xen's dom0's place" \
    -c %F /chosen/ec0 ";" -t s %F /chosen/ec0 compatible xen,evtchn-v1 ";" -t x %F /chosen/ec0 phandle 0x1003 ";" \
    -t x %F /chosen/ec0 xen,evtchn 12 0x1002 ";" -t x %F /chosen/domU2/ec2 xen,evtchn 11 0x1003
has "$work/$name-1.txt" "ec0: rejected: /chosen/ec0: compatible: a static event channel directly under /chosen is Xen's dom0's end, and there is no dom0 here" ||
    why=${why:-"the dom0 end under /chosen not refused"}
result "$name" "$why" "$work/$name.txt"

# Xen's static shared memory (domain_shm.c): domU0 (owner) and domU1 share
# a region at their own guest addresses, and a host-less one (Xen 4.19);
# each tree has /reserved-memory/xen-shmem@ADDR as Xen writes it. domU2
# names the first region with another size and alone is refused; the
# reasons are the hypervisor's
name=static-shm why=""
cp "$work/host.dtb" "$work/shm.dtb"
shm() { # shm DOMAIN NODE ID SHARED-MEM-CELLS [ROLE]
    local n=/chosen/$1/$2
    fdtput -c "$work/shm.dtb" "$n"
    fdtput -t s "$work/shm.dtb" "$n" compatible xen,domain-shared-memory-v1
    fdtput -t s "$work/shm.dtb" "$n" xen,shm-id "$3"
    # shellcheck disable=SC2086 # the cells, one word each
    fdtput -t x "$work/shm.dtb" "$n" xen,shared-mem $4
    [ -z "${5:-}" ] || fdtput -t s "$work/shm.dtb" "$n" role "$5"
}
shm domU0 shm@1 heap-shm "0 0x10000000 0 0x100000"
shm domU0 shm@0 my-shm-0 "0 0x60000000 0 0x4000000 0 0x200000" owner
shm domU1 shm@1 heap-shm "0 0x20000000 0 0x100000"
shm domU1 shm@0 my-shm-0 "0 0x60000000 0 0x5000000 0 0x200000" borrower
shm domU2 shm@0 my-shm-0 "0 0x60000000 0 0x6000000 0 0x400000" borrower
"$dryrun" -o "$work/shm-out" "$work/shm.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why="exit $rc, expected 1"
has "$work/$name.txt" 'domU0: ok: ' || why=${why:-"domU0 refused"}
has "$work/$name.txt" 'static shared memory: "my-shm-0" 0x4000000-0x41fffff (host 0x60000000, owner), "heap-shm" 0x10000000-0x100fffff (host chosen at boot, no role)' ||
    why=${why:-"domU0's regions not shown"}
has "$work/$name.txt" 'static shared memory: "my-shm-0" 0x5000000-0x51fffff (host 0x60000000, borrower)' ||
    why=${why:-"domU1's regions not shown"}
has "$work/$name.txt" 'domU2: rejected: shm@0: xen,shared-mem: region "my-shm-0" is 0x400000 bytes here and 0x200000 bytes in domU0: one xen,shm-id names one region' ||
    why=${why:-"domU2 not refused by name"}
has "$work/$name.txt" "2 domains accepted, 2 rejected" || why=${why:-"summary line missing"}
dtc -I dtb -O dts -o "$work/shm-out/domU1.dts" "$work/shm-out/domU1.dtb" 2>/dev/null || why=${why:-"dtc cannot read domU1.dtb"}
has "$work/shm-out/domU1.dts" 'xen-shmem@5000000 {' || why=${why:-"domU1 has no xen-shmem@5000000"}
has "$work/shm-out/domU1.dts" 'xen,id = "my-shm-0";' || why=${why:-"domU1's region has no xen,id"}
has "$work/shm-out/domU1.dts" 'compatible = "xen,shared-memory-v1";' || why=${why:-"domU1's region has no compatible"}
has "$work/shm-out/domU1.dts" 'reg = <0x00 0x5000000 0x00 0x200000>;' || why=${why:-"domU1's region's reg"}
has "$work/shm-out/domU1.dts" 'xen-shmem@20000000 {' || why=${why:-"domU1 has no xen-shmem@20000000"}
result "$name" "$why" "$work/$name.txt"

# Xen's passthrough shape (docs/misc/arm/passthrough.txt): the /gic
# placeholder, 2/1 cells, interrupt-parent <&gic>, a rising-edge SPI above
# 31; the guest's tree keeps /passthrough whole; a partial tree whose
# interrupt is not its host node's (xen,path) is refused by node and
# property, as the hypervisor refuses it
name=passthrough-xen-style why=""
cp "$work/host.dtb" "$work/pt.dtb"
for d in domU0 domU1 domU2 domU3; do fdtput -r "$work/pt.dtb" "/chosen/$d"; done
fdtput -c "$work/pt.dtb" /soc/rtc@9010000 /soc/edge@9020000
fdtput -t s "$work/pt.dtb" /soc/rtc@9010000 compatible arm,pl031
fdtput -t x "$work/pt.dtb" /soc/rtc@9010000 reg 0x9010000 0x1000
fdtput -t x "$work/pt.dtb" /soc/rtc@9010000 interrupts 0 2 4
fdtput -t s "$work/pt.dtb" /soc/edge@9020000 compatible test,edge
fdtput -t x "$work/pt.dtb" /soc/edge@9020000 reg 0x9020000 0x1000
fdtput -t x "$work/pt.dtb" /soc/edge@9020000 interrupts 0 0x32 1
{ head -c 16 /dev/zero; printf '\x00\x00\x01\x00\x00\x00\x00\x00'; head -c 32 /dev/zero; printf 'ARM\x64'; head -c $((0x10000 - 60)) /dev/zero; } >"$work/pt-kernel.bin"
cat >"$work/pt-good.dts" <<'DTS'
/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <1>;
    aliases { rtc0 = &rtc; };
    gic: gic { #interrupt-cells = <3>; interrupt-controller; };
    passthrough {
        compatible = "simple-bus";
        ranges;
        #address-cells = <2>;
        #size-cells = <1>;
        rtc: rtc@9010000 {
            compatible = "arm,pl031", "arm,primecell";
            reg = <0x0 0x9010000 0x1000>;
            interrupt-parent = <&gic>;
            interrupts = <0 2 4>;
            xen,path = "/soc/rtc@9010000";
            xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>;
        };
        edge@9020000 {
            compatible = "test,edge";
            reg = <0x0 0x9020000 0x1000>;
            interrupt-parent = <&gic>;
            interrupts = <0 50 1>;
            xen,path = "/soc/edge@9020000";
            xen,reg = <0x0 0x9020000 0x1000 0x0 0x9020000>;
            xen,force-assign-without-iommu;
        };
    };
};
DTS
sed 's/interrupts = <0 2 4>/interrupts = <0 2 1>/' "$work/pt-good.dts" >"$work/pt-bad.dts"
m=(-m 0x50000000="$work/pt-kernel.bin" -m 0x50400000="$work/pt-kernel.bin")
for p in good bad; do
    dtc -q -I dts -O dtb -o "$work/pt-$p.dtb" "$work/pt-$p.dts" || why=${why:-"dtc: pt-$p.dts"}
    at=$([ $p = good ] && echo 0x50200000 || echo 0x50600000)
    k=$([ $p = good ] && echo 0x50000000 || echo 0x50400000)
    fdtput -c "$work/pt.dtb" "/chosen/$p" "/chosen/$p/kernel" "/chosen/$p/dtb"
    fdtput -t s "$work/pt.dtb" "/chosen/$p" compatible xen,domain
    fdtput -t x "$work/pt.dtb" "/chosen/$p" '#address-cells' 2
    fdtput -t x "$work/pt.dtb" "/chosen/$p" '#size-cells' 2
    fdtput -t x "$work/pt.dtb" "/chosen/$p" memory 0 0x4000
    fdtput -t x "$work/pt.dtb" "/chosen/$p" cpus 1
    fdtput -t s "$work/pt.dtb" "/chosen/$p/kernel" compatible multiboot,kernel multiboot,module
    fdtput -t x "$work/pt.dtb" "/chosen/$p/kernel" reg 0 "$k" 0 0x10000
    fdtput -t s "$work/pt.dtb" "/chosen/$p/dtb" compatible multiboot,device-tree multiboot,module
    fdtput -t x "$work/pt.dtb" "/chosen/$p/dtb" reg 0 "$at" 0 "$(printf '0x%x' "$(stat -c %s "$work/pt-$p.dtb")")"
    m+=(-m "$at=$work/pt-$p.dtb")
done
"$dryrun" -o "$work/pt-out" "${m[@]}" "$work/pt.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || why=${why:-"exit $rc, expected 1"}
has "$work/$name.txt" 'good: ok: ' || why=${why:-"the Xen-style partial tree was refused"}
has "$work/$name.txt" 'bad: rejected: /chosen/bad/dtb: reg: partial device tree: /passthrough/rtc@9010000: interrupts: SPI 2: the host node /soc/rtc@9010000 (xen,path) has no such rising-edge interrupt' ||
    why=${why:-"bad not refused by node and property"}
dtc -I dtb -O dts -o "$work/pt-out/good.dts" "$work/pt-out/good.dtb" 2>/dev/null || why=${why:-"dtc cannot read good.dtb"}
has "$work/pt-out/good.dts" 'passthrough {' || why=${why:-"good has no /passthrough"}
has "$work/pt-out/good.dts" 'rtc0 = "/passthrough/rtc@9010000";' || why=${why:-"good's alias"}
has "$work/pt-out/good.dts" 'interrupts = <0x00 0x32 0x01>;' || why=${why:-"good's edge SPI 50"}
grep -q 'gic {' "$work/pt-out/good.dts" && why=${why:-"the /gic placeholder reached the guest"}
[ "$(grep -c 'interrupt-parent = <0xfde8>;' "$work/pt-out/good.dts")" -eq 3 ] || why=${why:-"interrupt-parent is not the guest's GIC everywhere"}
result "$name" "$why" "$work/$name.txt"

# direct-map (dts/static-memory.dts): the GIC and vPL011 where the host has
# its own, as Xen gives them, said in the verdict and written in the tree
name=direct-map why=""
dtc -q -I dts -O dtb -o "$work/sm.dtb" "$here/../../dts/static-memory.dts" || why="dtc: static-memory.dts"
"$dryrun" -o "$work/sm-out" "$work/sm.dtb" >"$work/$name.txt" 2>&1; rc=$?
[ $rc -eq 0 ] || why=${why:-"exit $rc, expected 0"}
has "$work/$name.txt" 'console vpl011; GIC at 0x8000000, vPL011 at 0x9000000 with SPI 1 (the host'"'"'s)' ||
    why=${why:-"the direct-mapped domain's devices are not said"}
dtc -I dtb -O dts -o "$work/sm-out/direct.dts" "$work/sm-out/direct.dtb" 2>/dev/null || why=${why:-"dtc cannot read direct.dtb"}
has "$work/sm-out/direct.dts" 'stdout-path = "/sbsa-uart@9000000";' || why=${why:-"direct's console is not the host UART's place"}
has "$work/sm-out/direct.dts" 'interrupt-controller@8000000 {' || why=${why:-"direct's GIC is not the host GIC's place"}
dtc -I dtb -O dts -o "$work/sm-out/packed.dts" "$work/sm-out/packed.dtb" 2>/dev/null
has "$work/sm-out/packed.dts" 'sbsa-uart@22000000 {' || why=${why:-"packed (not direct-mapped) lost the guest map's vPL011"}
result "$name" "$why" "$work/$name.txt"

# Xen's sve (4.18): a length the binding allows is accepted and said (the
# dry run cannot know the machine's longest: the hypervisor alone refuses
# a length longer than its CPUs give, tests/boot/cases-cpus.sh); a
# length the binding does not allow is refused in the hypervisor's words
name=sve why=""
cp "$work/host.dtb" "$work/sve.dtb"
fdtput -t x "$work/sve.dtb" /chosen/domU0 sve 0x100
fdtput -t x "$work/sve.dtb" /chosen/domU2 sve
fdtput -t x "$work/sve.dtb" /chosen/domU1 sve 0xffffffff
"$dryrun" "$work/sve.dtb" >"$work/$name.txt" 2>&1
grep -q '^domU0: ok: .*; SVE up to 256-bit vectors (if every CPU gives them)' "$work/$name.txt" || why="domU0's SVE not said"
grep -q "^domU2: ok: .*; SVE up to the machine's longest vectors" "$work/$name.txt" || why=${why:-"domU2's SVE not said"}
grep -q "^domU1: ok: .*; SVE up to the machine's longest vectors" "$work/$name.txt" || why=${why:-"domU1's SVE (-1) not said"}
for v in 0xc8:"200 bits is no SVE vector length: a multiple of 128 up to 2048, 0 (no SVE) or a negative number (the longest the machine gives)" \
         0x1000:"4096 bits is no SVE vector length" "0x100 0x100":"must be empty or one cell"; do
    cp "$work/host.dtb" "$work/sve-bad.dtb"
    # shellcheck disable=SC2086 # the cells, one word each
    fdtput -t x "$work/sve-bad.dtb" /chosen/domU0 sve ${v%%:*}
    "$dryrun" "$work/sve-bad.dtb" >"$work/$name-1.txt" 2>&1
    cat "$work/$name-1.txt" >>"$work/$name.txt"
    has "$work/$name-1.txt" "domU0: rejected: /chosen/domU0: sve: ${v#*:}" || why=${why:-"sve = <${v%%:*}> not refused as expected"}
done
result "$name" "$why" "$work/$name.txt"

exit $status
