# Boot case of xam-devmodel serving a client whose bridge has the grants
# flag (docs/device-models.md, "Grants"), sourced by run.sh; it uses the
# helpers of cases-virtio.sh (make_virtio_disks, add_virtio_device,
# $devmodel_dir, $virtio_client) and cases-virtio-hostile.sh
# (virtio_hostile_ready, make_virtio_dm_disks, add_virtio_reader_dm,
# check_virtio_reader), which run.sh has sourced by the time a case runs.
# See docs/testing.md.
VIRTIO_GRANTS_TIMEOUT=${VIRTIO_GRANTS_TIMEOUT:-${VIRTIO_TIMEOUT:-240}}
VIRTIO_GRANTS_SECTOR0="xen-arm-minimal virtio-grants disk"
VIRTIO_GRANTS_DISK_AT=0x5a200000 VIRTIO_NOGRANTS_DISK_AT=0x5a600000 # 1 MiB each
# the default bridge layout with flags 1 (grants), in the host property's
# 2-cell addresses and sizes
VIRTIO_GRANTS_BRIDGE=0:0x33000000:0:0x100000:0:0x33800000:0:0x2000000:0:0x35800000:0:0x2000000:0x2c:4:1

# Domains: dm (1), reader (2, Debian Linux, xam.role=main: mounts its
# disk, checks hello.txt, writes, reboots, checks again), nogrants (3,
# tests/guests/virtio_grants.c on a plain bridge) and grants (4, the same
# image, xen,enhanced, on a bridge with the grants flag; dm=1 names its
# grantee). The two bare-metal guests' disks are modules (pmem in the
# device model), 1 MiB of their text.
case_virtio-grants() {
    virtio_hostile_ready || return
    local d=$out/work-virtio-grants-disks f main_sum a g=() m=()
    make_virtio_dm_disks "$d" || return
    yes "$VIRTIO_GRANTS_SECTOR0" | head -c 1048576 >"$d/grants.img"
    cp "$d/grants.img" "$d/nogrants.img"
    f=$(dt dom-virtio-grants)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" grants "$guests/virtio_grants.Image" 0x5a000000 memory=0:0x4000 cpus=1 vpl011 \
        device-model=0x7400 secondary-emulated-pci-host-bridge=$VIRTIO_GRANTS_BRIDGE hold-until-device-model
    fdtput -t s "$f" /chosen/grants xen,enhanced enabled
    fdtput -t s "$f" /chosen/grants/kernel bootargs "dm=1"
    add_virtio_device "$f" /chosen/grants/disk0 blk reg=0:$VIRTIO_GRANTS_DISK_AT:0:0x100000
    add_domain "$f" nogrants "$guests/virtio_grants.Image" 0x5a400000 memory=0:0x4000 cpus=1 vpl011 \
        device-model=0x7400 secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/nogrants/kernel bootargs "nogrants"
    add_virtio_device "$f" /chosen/nogrants/disk0 blk reg=0:$VIRTIO_NOGRANTS_DISK_AT:0:0x100000
    add_virtio_reader_dm "$f" "$d"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $d/dm-initramfs.cpio.gz@0x52000000 --load $linux/Image@0x54001000 --load $virtio_client@0x56000000 --load $guests/virtio_grants.Image@0x5a000000 --load $d/grants.img@$VIRTIO_GRANTS_DISK_AT --load $guests/virtio_grants.Image@0x5a400000 --load $d/nogrants.img@$VIRTIO_NOGRANTS_DISK_AT" "$VIRTIO_GRANTS_TIMEOUT"
    main_sum=$(cat "$d/main.sha256")
    in_order 'domain 1: dm, ' 'domain 2: reader, ' 'domain 3: nogrants, 1 vCPU, 16 MiB' \
        'domain 4: grants, 1 vCPU, 16 MiB'
    # each attack: the guest's line (NEEDS_RESET) and the device's reason
    for a in 'a reference I did not grant \(40\)|buffer at 0x8000000000028000 \(512 bytes\)' \
        'a reference granted to another domain \(28\)|buffer at 0x800000000001c000 \(512 bytes\)' \
        'a buffer running into a page I did not grant \(26\+0xf00, 512 bytes\)|buffer at 0x800000000001af00 \(512 bytes\)' \
        'a reference past my table \(600000\)|buffer at 0x80000000927c0000 \(512 bytes\)' \
        'a reference above 32 bits|buffer at 0x8004000000000000 \(512 bytes\)' \
        'a plain RAM address on a grants bridge|buffer at 0x40404000 \(512 bytes\)' \
        'a read into a read-only grant \(23\)|buffer at 0x8000000000017000 \(512 bytes\)' \
        'a used ring in a read-only grant \(29\)|used ring entry at 0x800000000001d004' \
        'a descriptor table I did not grant \(41\)|descriptor 0 at 0x8000000000029000'; do
        g+=("\\(grants\\) virtio-grants: ${a%%|*}: device_status 0x4f NEEDS_RESET, used idx 0")
        m+=("\\(dm\\) xam-devmodel: client grants: virtio-blk 00:00.0: queue 0: ${a#*|}")
    done
    # the grants guest: set-up, valid I/O through grants, the attacks, I/O again
    last_line=0
    in_order 'grants \(domain 4\): starting \(held until its device model connected\)' \
        '\(grants\) virtio-grants: grant table frame 0 at 0x38000000: add_to_physmap 0' \
        '\(grants\) virtio-grants: device features \(high word\) 0x3, granting to domain 1' \
        '\(grants\) virtio-grants: read sector 0 through grant 20: status 0' \
        '\(grants\) PASS: no grant is still mapped once the read is used' \
        '\(grants\) virtio-grants: wrote 8 KiB at sector 64 from read-only grants 23-24: status 0' \
        '\(grants\) virtio-grants: read 8 KiB back into grants 20-21: status 0' \
        '\(grants\) PASS: the 8 KiB read back are the ones written' \
        '\(grants\) PASS: a buffer across two consecutive grants is read whole' \
        '\(grants\) virtio-grants: bench: 1 MiB read in 64 KiB requests through grants: [0-9]+ us' "${g[@]}" \
        '\(grants\) PASS: no grant is still mapped after the attacks' \
        '\(grants\) virtio-grants: after 9 attacks \(9 of them NEEDS_RESET\) 8 KiB read through grants: status 0' \
        '\(grants\) PASS: the device still reads what I wrote' '\(grants\) virtio-grants: all checks passed' \
        'grants \(domain 4\): powered off \(SCHEDOP_shutdown\)'
    # the plain bridge refuses a grant address
    last_line=0
    in_order 'nogrants \(domain 3\): starting \(held until its device model connected\)' \
        '\(nogrants\) virtio-grants: nogrants: device features \(high word\) 0x1' \
        '\(nogrants\) virtio-grants: bench: 1 MiB read in 64 KiB requests at plain addresses: [0-9]+ us' \
        '\(nogrants\) virtio-grants: a grant address on a bridge without the grants flag: device_status 0x4f NEEDS_RESET, used idx 0' \
        '\(nogrants\) virtio-grants: nogrants: then sector 0 read at a plain address: status 0' \
        '\(nogrants\) virtio-grants: all checks passed' 'nogrants \(domain 3\): powered off \(SCHEDOP_shutdown\)'
    # the device model: grants for one client only, a reason for each
    # refusal, a failed device per attack, and it went on
    last_line=0
    in_order '\(dm\) xam-devmodel: serving client grants \(domain 4\): 1 device\(s\), ECAM 0x33000000\+0x100000, INTx 44-47, 1 vCPU\(s\), memory through its grants' \
        "${m[@]}" '\(dm\) xam-devmodel: no client connected for 5 s: exiting' \
        '\(dm\) xam-devmodel: client grants: counters: .*, grant maps [1-9][0-9]* \(pages [1-9][0-9]*\)' \
        '\(dm\) xam-devmodel-init: xam-devmodel exited with status 0' 'dm \(domain 1\): powered off' \
        'all domains have stopped: powering off'
    anywhere '\(dm\) xam-devmodel: client grants: grant reference 40 \(page 1 of 1 at 0x8000000000028000\+0x200\) of domain 4: writable mapping refused' \
        '\(dm\) xam-devmodel: client grants: grant reference 27 \(page 2 of 2 at 0x800000000001af00\+0x200\) of domain 4: writable mapping refused' \
        '\(dm\) xam-devmodel: client grants: guest address 0x40404000\+0x200: not a grant address' \
        '\(dm\) xam-devmodel: client grants: grant reference 23 \(page 1 of 1 at 0x8000000000017000\+0x200\) of domain 4: writable mapping refused' \
        '\(dm\) xam-devmodel: client grants: grant reference 29 \(page 1 of 1 at 0x800000000001d004\+0x8\) of domain 4: writable mapping refused' \
        '\(dm\) xam-devmodel: client grants: grant reference 41 \(page 1 of 1 at 0x8000000000029000\+0x10\) of domain 4: read-only mapping refused' \
        '\(dm\) xam-devmodel: client grants: guest address 0x8004000000000000\+0x200: names a grant reference above 32 bits' \
        '\(dm\) xam-devmodel: client nogrants: guest memory 0x8000000000014000\+0x200: a grant address, but the bridge has no grants flag'
    count_is 9 '\(dm\) xam-devmodel: client grants: virtio-blk 00:00.0: queue 0: '
    count_is 1 '\(dm\) xam-devmodel: client nogrants: virtio-blk 00:00.0: queue 0: '
    count_is 1 '\(dm\) xam-devmodel: serving client grants '
    count_is 1 '\(dm\) xam-devmodel: serving client nogrants '
    count_is 1 '\(dm\) xam-devmodel-init: starting xam-devmodel'
    count_is 1 '\(dm\) xam-devmodel: serving client reader \(domain 2\): '
    count_is 1 '\(dm\) xam-devmodel: serving client reader \(domain 2\) again: '
    check_virtio_reader "$main_sum"
    absent 'FAIL' 'CRASH' 'PANIC' 'ERROR' 'WARNING' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'Segmentation' \
        'xam-devmodel: client reader: virtio-blk' 'xam-devmodel: client reader: grant' 'xengnttab'
}
