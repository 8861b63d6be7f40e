# Hostile boot cases of xam-devmodel (issue 12), sourced by run.sh; they
# use cases-virtio.sh's helpers (make_virtio_disks, add_virtio_device,
# $devmodel_dir, $virtio_client), which run.sh has sourced by the time a
# case runs. See docs/testing.md.
VIRTIO_HOSTILE_TIMEOUT=${VIRTIO_HOSTILE_TIMEOUT:-${VIRTIO_TIMEOUT:-240}}
VIRTIO_HOSTILE_DISK_AT=0x5a200000 # the hostile guest's disk module (1 MiB)
VIRTIO_HOSTILE_SECTOR0="xen-arm-minimal hostile-virtio disk"

virtio_hostile_ready() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return 1; }
    [ -s "$devmodel_dir/initramfs.cpio.gz" ] && [ -s "$virtio_client" ] ||
        { fail "no xam-devmodel image in $devmodel_dir or client in $virtio_client (run make devmodel-image virtio-client)"; return 1; }
    command -v mkfs.ext4 >/dev/null || { fail "no mkfs.ext4 (e2fsprogs: build/deps.sh)"; return 1; }
}
# the hostile guest's disk: 1 MiB, each line the text sector 0 starts with
make_hostile_disk() { yes "$VIRTIO_HOSTILE_SECTOR0" | head -c 1048576 >"$1"; }
# the device model (domain 1): Debian's kernel at 0x50000000, its
# initramfs (with /disks/main.img appended) at 0x52000000
add_virtio_dm() { # add_virtio_dm DTB INITRAMFS BOOTARGS
    local rd
    add_domain "$1" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7400
    fdtput -t s "$1" /chosen/dm xen,enhanced enabled
    fdtput -t s "$1" /chosen/dm/kernel bootargs "$3"
    rd=$(printf '0x%x' "$(stat -c %s "$2")")
    fdtput -c "$1" /chosen/dm/ramdisk
    fdtput -t s "$1" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$1" /chosen/dm/ramdisk reg 0 0x52000000 0 "$rd"
}

# the disks of the device model's Linux client (make_virtio_disks) in DIR,
# and the device model's initramfs with them appended there:
# DIR/dm-initramfs.cpio.gz
make_virtio_dm_disks() { # make_virtio_dm_disks DIR
    make_virtio_disks "$1" || { fail "could not make the disk images in $1"; return 1; }
    cat "$devmodel_dir/initramfs.cpio.gz" "$1/disks.cpio.gz" >"$1/dm-initramfs.cpio.gz"
}
# the Linux client reader (domain 2: Debian's kernel at 0x54001000, the
# client at 0x56000000, xam.role=main on /disks/main.img) and the device
# model serving it with DIR/dm-initramfs.cpio.gz, exiting when idle
add_virtio_reader_dm() { # add_virtio_reader_dm DTB DIR
    local rd
    rd=$(printf '0x%x' "$(stat -c %s "$virtio_client")")
    add_domain "$1" reader "$linux/Image" 0x54001000 memory=0:0x40000 cpus=1 vpl011 device-model=0x7400 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$1" /chosen/reader/kernel bootargs "console=ttyAMA0 xam.role=main"
    fdtput -c "$1" /chosen/reader/ramdisk
    fdtput -t s "$1" /chosen/reader/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$1" /chosen/reader/ramdisk reg 0 0x56000000 0 "$rd"
    add_virtio_device "$1" /chosen/reader/disk0 blk backend-path=/disks/main.img serial=reader
    add_virtio_dm "$1" "$2/dm-initramfs.cpio.gz" "console=ttyAMA0 xam.idle-exit=5"
}
# the Linux client read its file (sha256 MAIN_SUM) before and after its
# reboot, wrote one
check_virtio_reader() { # check_virtio_reader MAIN_SUM
    last_line=0
    in_order 'reader \(domain 2\): starting \(held until its device model connected\)' \
        "\\(reader\\) XAM-VIRTIO: disk vda: 16384 sectors, read-only 0, serial 'reader'" \
        "\\(reader\\) XAM-VIRTIO: hello.txt sha256 $1" \
        '\(reader\) XAM-VIRTIO: wrote written.txt and synced; rebooting' \
        "\\(reader\\) XAM-VIRTIO: hello.txt sha256 $1" \
        '\(reader\) XAM-VIRTIO: after the reboot written.txt reads: written by .* in its first life' \
        '\(reader\) XAM-VIRTIO: done' 'reader \(domain 2\): powered off'
}

# 1. A hostile bare-metal client (tests/guests/hostile_virtio.c) attacks its
# virtio-blk device while a Debian Linux client of the same xam-devmodel
# reads and writes its own disk. Domains: dm (1), reader (2, Linux,
# xam.role=main: mounts its disk, checks hello.txt, writes, reboots, checks
# again), hostile (3, 16 MiB, its disk a module: pmem in the device model).
case_virtio-hostile() {
    virtio_hostile_ready || return
    local d=$out/work-virtio-hostile-disks f
    make_virtio_dm_disks "$d" || return
    make_hostile_disk "$d/hostile.img"
    f=$(dt dom-virtio-hostile)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" hostile "$guests/hostile_virtio.Image" 0x5a000000 memory=0:0x4000 cpus=1 vpl011 \
        device-model=0x7400 secondary-emulated-pci-host-bridge hold-until-device-model
    add_virtio_device "$f" /chosen/hostile/disk0 blk reg=0:$VIRTIO_HOSTILE_DISK_AT:0:0x100000
    add_virtio_reader_dm "$f" "$d"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $d/dm-initramfs.cpio.gz@0x52000000 --load $linux/Image@0x54001000 --load $virtio_client@0x56000000 --load $guests/hostile_virtio.Image@0x5a000000 --load $d/hostile.img@$VIRTIO_HOSTILE_DISK_AT" "$VIRTIO_HOSTILE_TIMEOUT"
    local main_sum a h=() m=()
    main_sum=$(cat "$d/main.sha256")
    # each malformed queue: the guest's line (NEEDS_RESET) and the device
    # model's reason, one line per device life
    for a in 'chain loop \(descriptor 1 next 0\)|chain of descriptor 0 loops \(longer than the queue.s 16 entries\)' \
        'chain loop \(descriptor 0 next 0\)|chain of descriptor 0 loops \(longer than the queue.s 16 entries\)' \
        'next past the queue \(17\)|descriptor 1: next 17 is past the queue.s 16 entries' \
        'avail entry past the queue \(16\)|avail ring entry 0 names descriptor 16, past the queue.s 16' \
        'avail entry past the queue \(65535\)|avail ring entry 0 names descriptor 65535, past the queue.s 16' \
        'avail idx jumps by 100|avail index moved from 0 to 100, more than the queue.s 16 entries' \
        'readable buffer after a writable one|chain of descriptor 0 has a device-readable buffer after a writable one' \
        'indirect without the feature|descriptor 0 is indirect, but VIRTIO_F_INDIRECT_DESC was not negotiated' \
        'indirect table loop|indirect table of descriptor 0 loops' \
        'indirect table nested|indirect table of descriptor 0 holds another indirect descriptor' \
        'indirect table of 17 bytes|indirect table of descriptor 0 is 17 bytes \(a multiple of 16, at most 4096\)' \
        'indirect table wrapping 2\^64|indirect table of descriptor 0 at 0xfffffffffffffff0 is not in RAM' \
        'data outside RAM \(0x80000000\)|buffer at 0x80000000 \(512 bytes\) in the chain of descriptor 0 is not in RAM' \
        'data across the end of RAM|buffer at 0x40ffff00 \(512 bytes\) in the chain of descriptor 0 is not in RAM' \
        'data just past the end of RAM|buffer at 0x41000000 \(512 bytes\) in the chain of descriptor 0 is not in RAM' \
        'data wrapping 2\^64|buffer at 0xffffffffffffff00 \(512 bytes\) in the chain of descriptor 0 is not in RAM' \
        'data length 0xffffffff|chain of descriptor 0 is longer than 4 GiB' \
        'descriptor table wrapping 2\^64|descriptor 0 at 0xfffffffffffffff0 is not in RAM' \
        'used ring past the end of RAM|used ring entry at 0x41000002 is not in RAM'; do
        h+=("\\(hostile\\) hostile-virtio: ${a%%|*}: device_status 0x4f NEEDS_RESET, used idx 0, ISR 0x2")
        m+=("\\(dm\\) xam-devmodel: client hostile: virtio-blk 00:00.0: queue 0: ${a#*|}")
    done
    in_order 'domain 1: dm, ' 'domain 2: reader, ' 'domain 3: hostile, 1 vCPU, 16 MiB'
    # the hostile guest: its device, each attack, the valid read at the end
    last_line=0
    in_order 'hostile \(domain 3\): starting \(held until its device model connected\)' \
        '\(hostile\) hostile-virtio: 00:0.0 BAR 0x35800000: common 0x0, notify 0x3000 \(x4\), ISR 0x1000, device 0x2000' \
        '\(hostile\) hostile-virtio: device features 0x130000246, 1 queue\(s\), capacity 2048 sectors' \
        "${h[@]}" \
        '\(hostile\) hostile-virtio: read into a device-readable buffer: status byte 0x0, used len 1, the buffer unchanged' \
        '\(hostile\) hostile-virtio: read into a device-readable buffer: device_status 0xf no NEEDS_RESET, used idx 1' \
        '\(hostile\) hostile-virtio: queue_select 5: queue_size 0, enable 0; queue_select 0xffff: queue_size 0; queue 0 size 3, 0, 512 read back 256, 256, 256' \
        '\(hostile\) hostile-virtio: queue_select out of range, queue_size not a power of 2: device_status 0x3 no NEEDS_RESET' \
        '\(hostile\) hostile-virtio: every register, every width: 1164 accesses, 615 aborted \(misaligned\), capacity 2048 unchanged' \
        '\(hostile\) hostile-virtio: every register, every width: device_status 0xbf no NEEDS_RESET, used idx 0' \
        '\(hostile\) hostile-virtio: notify with no queue set up: device_status 0x0 no NEEDS_RESET, used idx 0' \
        '\(hostile\) hostile-virtio: notify before DRIVER_OK: device_status 0xb no NEEDS_RESET, used idx 0' \
        '\(hostile\) hostile-virtio: flood: 5000 notifications in [0-9]+ ms, the one request used 1 time\(s\), status byte 0x0' \
        '\(hostile\) hostile-virtio: flood of notifications: device_status 0xf no NEEDS_RESET, used idx 1' \
        '\(hostile\) hostile-virtio: after 25 attacks \(19 of them NEEDS_RESET\) a valid read of sector 0: status 0' \
        "\\(hostile\\) hostile-virtio: sector 0 reads '$VIRTIO_HOSTILE_SECTOR0'" \
        '\(hostile\) hostile-virtio: all checks passed' 'hostile \(domain 3\): powered off \(SCHEDOP_shutdown\)'
    # the device model: one line per malformed queue (the device's life
    # ends with it), the first guest-memory refusal, nothing about reader
    last_line=0
    in_order '\(dm\) xam-devmodel: serving client hostile \(domain 3\): 1 device\(s\)' \
        '\(dm\) xam-devmodel: client hostile: 00:00.0 virtio-blk /dev/pmem0 \(read-write\)' "${m[@]}" \
        '\(dm\) xam-devmodel: client hostile: its ioreq server is gone .*: the client stopped or reset; [0-9]+ ioreqs served' \
        '\(dm\) xam-devmodel: no client connected for 5 s: exiting' \
        '\(dm\) xam-devmodel-init: xam-devmodel exited with status 0' 'dm \(domain 1\): powered off' \
        'all domains have stopped: powering off'
    count_is 19 '\(dm\) xam-devmodel: client hostile: virtio-blk 00:00.0: queue 0: '
    count_is 19 '\(dm\) xam-devmodel: .*: device needs res'
    count_is 1 '\(dm\) xam-devmodel: client hostile: guest memory 0x80000000\+0x200: not the client.s RAM; refused \(the first refusal, logged once\)'
    # it never exited or restarted: started once, each client served once
    # (reader again after its reboot), and exits only when idle
    count_is 1 '\(dm\) xam-devmodel-init: starting xam-devmodel'
    count_is 1 '\(dm\) xam-devmodel: serving client hostile '
    count_is 1 '\(dm\) xam-devmodel: serving client reader \(domain 2\): '
    count_is 1 '\(dm\) xam-devmodel: serving client reader \(domain 2\) again: '
    count_is 1 '\(dm\) xam-devmodel-init: xam-devmodel exited'
    check_virtio_reader "$main_sum"
    # the one hypervisor warning: the first misaligned access refused
    anywhere 'WARNING: hostile: vCPU0: .* refused \(width or alignment not allowed\): abort injected'
    count_is 1 'WARNING'
    absent 'FAIL' 'CRASH' 'PANIC' 'ERROR' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'Segmentation' 'CHANGED' \
        'xam-devmodel: client reader: virtio-blk'
}

# 2. The device model stops while its client reads its disk. Domains: dm
# (1), client (2, hostile_virtio.c "dmstop", 16 MiB, its disk a module:
# pmem in the device model) and bystander (3, "bystander": no bridge, counts
# 60 s on the counter and powers off). The device model's /init is run by
# a shell that first starts a timer (kernel arguments after "--" go to
# rdinit): 20 s later xam-devmodel is killed (SIGKILL: no clean
# disconnection) and /init, seeing it gone, powers the domain off, while
# the client is in the middle of reading sector 0 again and again. What
# the hypervisor then does (docs/hypercalls.md, issue 11): the waiting
# access and every later one complete, reads all-ones, the readiness
# register reads 0, one warning; the bystander is not touched.
case_virtio-dm-stop() {
    virtio_hostile_ready || return
    local d=$out/work-virtio-dm-stop-disks f
    rm -rf "$d" && mkdir -p "$d" || { fail "could not make $d"; return; }
    make_hostile_disk "$d/hostile.img"
    f=$(dt dom-virtio-dm-stop)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" bystander "$guests/hostile_virtio.Image" 0x5a400000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/bystander/kernel bootargs "bystander"
    # on the client's CPU, not the device model's
    fdtput -c "$f" /chosen/bystander/vcpu0
    fdtput -t s "$f" /chosen/bystander/vcpu0 compatible xen,vcpu
    fdtput -t x "$f" /chosen/bystander/vcpu0 id 0
    fdtput -t s "$f" /chosen/bystander/vcpu0 hard-affinity "${VIRTIO_STOP_BYSTANDER_CPU:-1}"
    add_domain "$f" client "$guests/hostile_virtio.Image" 0x5a000000 memory=0:0x4000 cpus=1 vpl011 \
        device-model=0x7400 secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/client/kernel bootargs "dmstop"
    add_virtio_device "$f" /chosen/client/disk0 blk reg=0:$VIRTIO_HOSTILE_DISK_AT:0:0x100000
    # busybox sh starts background jobs with stdin from /dev/null, which
    # exists once /init has mounted devtmpfs: made here first
    add_virtio_dm "$f" "$devmodel_dir/initramfs.cpio.gz" \
        "console=ttyAMA0 rdinit=/bin/busybox -- sh -c \"/bin/busybox mknod /dev/null c 1 3; (/bin/busybox sleep ${VIRTIO_STOP_AFTER:-20}; /bin/busybox killall -9 xam-devmodel) & exec /init\""
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $devmodel_dir/initramfs.cpio.gz@0x52000000 --load $guests/hostile_virtio.Image@0x5a000000 --load $guests/hostile_virtio.Image@0x5a400000 --load $d/hostile.img@$VIRTIO_HOSTILE_DISK_AT" "$VIRTIO_HOSTILE_TIMEOUT"
    in_order 'domain 1: dm, ' 'domain 2: client, 1 vCPU, 16 MiB' 'domain 3: bystander, 1 vCPU, 16 MiB'
    last_line=0
    in_order 'client \(domain 2\): starting \(held until its device model connected\)' \
        "\\(client\\) hostile-virtio: sector 0 reads '$VIRTIO_HOSTILE_SECTOR0'" \
        '\(client\) hostile-virtio: [1-9][0-9]+ reads of sector 0, then a read never completed' \
        '\(client\) hostile-virtio: after the stop: device_status 0xff, num_queues 0xffff, 00:00.0 ID 0xffffffff, readiness 0' \
        '\(client\) PASS: the gone device model.s device reads all-ones' \
        '\(client\) PASS: the readiness register reads 0: my device model is gone' \
        '\(client\) PASS: a request posted after the stop is never used' \
        '\(client\) hostile-virtio: all checks passed' 'client \(domain 2\): powered off \(SCHEDOP_shutdown\)'
    # the device model killed in the middle: its one warning (which may
    # come before or after the client goes on)
    last_line=0
    in_order '\(dm\) xam-devmodel: client client: 00:00.0 virtio-blk /dev/pmem0 \(read-write\)' \
        '\(dm\) xam-devmodel-init: xam-devmodel exited with status 137' 'dm \(domain 1\): powered off' \
        'WARNING: client \(domain 2\): its device model dm stopped: bridge disconnected'
    # the bystander counted through the stop and finished
    last_line=0
    in_order 'dm \(domain 1\): powered off' '\(bystander\) hostile-virtio: bystander: [0-9]+ s' \
        '\(bystander\) hostile-virtio: bystander: 60 s' '\(bystander\) hostile-virtio: bystander: done' \
        'bystander \(domain 3\): powered off \(SCHEDOP_shutdown\)' 'all domains have stopped: powering off'
    count_is 1 'WARNING'
    count_is 1 '\(dm\) xam-devmodel: serving client client'
    absent 'FAIL' 'CRASH' 'PANIC' 'ERROR' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'soft lockup' "can.t open"
}
