# Boot cases of xam-devmodel (issue 12), sourced by run.sh: a Debian Linux
# device-model domain (xen,enhanced) runs xam-devmodel
# (xen-arm-minimal/devmodel/, its image from make devmodel-image) and
# serves virtio-pci disks, entropy and a console to Debian Linux guests
# behind their secondary emulated PCI bridge. See docs/device-models.md.
devmodel_dir=${DEVMODEL_DIR:-${OUT:-build/out}/devmodel}         # make devmodel-image
virtio_client=${VIRTIO_CLIENT:-${OUT:-build/out}/tests/guests/virtio/initramfs.cpio.gz} # make virtio-client
VIRTIO_TIMEOUT=${VIRTIO_TIMEOUT:-240}

# The disks, made on the host: two ext4 images with a file whose checksum
# the case knows, and a raw read-only one. main's ext4 disk is a file of
# the device model's domain (backend-path): a second cpio archive appended
# to its initramfs (Linux unpacks each in turn) puts it at /disks/main.img.
# The other two are disk modules the boot loader puts in host memory,
# which the builder maps into the device model as pmem regions.
VIRTIO_HELLO="xen-arm-minimal virtio-blk: hello from the host"
VIRTIO_RO_AT=0x58000000 VIRTIO_SECOND_AT=0x58800000
make_virtio_disks() { # make_virtio_disks DIR: DIR/disks.cpio.gz, DIR/{ro,second}.img, DIR/*.sha256
    local d=$1
    rm -rf "$d" && mkdir -p "$d/root/disks" "$d/main" "$d/second" || return 1
    echo "$VIRTIO_HELLO (main)" >"$d/main/hello.txt"
    echo "$VIRTIO_HELLO (second)" >"$d/second/hello.txt"
    sha256sum "$d/main/hello.txt" | cut -d' ' -f1 >"$d/main.sha256"
    sha256sum "$d/second/hello.txt" | cut -d' ' -f1 >"$d/second.sha256"
    mkfs.ext4 -q -F -L main -E root_owner=0:0 -d "$d/main" "$d/root/disks/main.img" 8M >/dev/null || return 1
    mkfs.ext4 -q -F -L second -E root_owner=0:0 -d "$d/second" "$d/second.img" 8M >/dev/null || return 1
    # the read-only disk: a 1 MiB ext4 image with a file
    mkdir -p "$d/ro"
    echo "xen-arm-minimal read-only disk" >"$d/ro/readonly.txt"
    mkfs.ext4 -q -F -L ro -E root_owner=0:0 -d "$d/ro" "$d/ro.img" 1M >/dev/null || return 1
    sha256sum "$d/ro.img" | cut -d' ' -f1 >"$d/ro.sha256"
    (cd "$d/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 -n) >"$d/disks.cpio.gz"
}

# Domains in /chosen order (fdtput puts each new node first): dm (domain
# 1), main (2), second (3). main's kernel is off 2 MiB alignment, so it is
# copied and a reset can rebuild it; second shares that module. Their
# devices are children of their nodes (docs/bindings.md, "Virtio devices
# served by the device model"): the builder lists them in the device
# model's tree, which is all xam-devmodel reads.
add_virtio_device() { # add_virtio_device DTB NODE KIND [PROP=VALUE|FLAG]...
    local f=$1 n=$2 kind=$3 p
    shift 3
    fdtput -c "$f" "$n"
    fdtput -t s "$f" "$n" compatible "xen-arm-minimal,virtio-$kind"
    for p in "$@"; do
        case "$p" in
            backend-path=* | serial=*) fdtput -t s "$f" "$n" "${p%%=*}" "${p#*=}" ;;
            *=*)
                # shellcheck disable=SC2046 # the cells, one word each
                fdtput -t x "$f" "$n" "${p%%=*}" $(tr ':' ' ' <<<"${p#*=}")
                ;;
            *) fdtput -t x "$f" "$n" "$p" ;;
        esac
    done
}
make_virtio_dtb() { # make_virtio_dtb DTB DM-INITRAMFS DISKDIR
    local f=$1 rd
    cp "$(dt v3-smp2)" "$f"
    rd=$(printf '0x%x' "$(stat -c %s "$virtio_client")")
    add_domain "$f" second "$linux/Image" 0x54001000 memory=0:0x20000 cpus=1 vpl011 device-model=0x7400 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/second/kernel bootargs "console=ttyAMA0 xam.role=second"
    fdtput -c "$f" /chosen/second/ramdisk
    fdtput -t s "$f" /chosen/second/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/second/ramdisk reg 0 0x56000000 0 "$rd"
    add_virtio_device "$f" /chosen/second/disk0 blk reg=0:$VIRTIO_SECOND_AT:0:0x800000
    add_domain "$f" main "$linux/Image" 0x54001000 memory=0:0x40000 cpus=1 vpl011 device-model=0x7400 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/main/kernel bootargs "console=ttyAMA0 xam.role=main"
    fdtput -c "$f" /chosen/main/ramdisk
    fdtput -t s "$f" /chosen/main/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/main/ramdisk reg 0 0x56000000 0 "$rd"
    # fdtput -c puts each child first too: the slots are explicit
    add_virtio_device "$f" /chosen/main/console console pci-slot=3
    add_virtio_device "$f" /chosen/main/rng rng pci-slot=2
    add_virtio_device "$f" /chosen/main/disk1 blk reg=0:$VIRTIO_RO_AT:0:0x100000 read-only pci-slot=1
    add_virtio_device "$f" /chosen/main/disk0 blk backend-path=/disks/main.img serial=xam-main pci-slot=0
    add_domain "$f" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7400
    fdtput -t s "$f" /chosen/dm xen,enhanced enabled
    # with no client configuration of its own: it exits once no client has
    # been connected for 5 s, and its /init powers the domain off
    fdtput -t s "$f" /chosen/dm/kernel bootargs "console=ttyAMA0 xam.idle-exit=5"
    rd=$(printf '0x%x' "$(stat -c %s "$2")")
    fdtput -c "$f" /chosen/dm/ramdisk
    fdtput -t s "$f" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/dm/ramdisk reg 0 0x52000000 0 "$rd"
}

case_virtio-disk() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    [ -s "$devmodel_dir/initramfs.cpio.gz" ] && [ -s "$virtio_client" ] ||
        { fail "no xam-devmodel image in $devmodel_dir or client in $virtio_client (run make devmodel-image virtio-client)"; return; }
    command -v mkfs.ext4 >/dev/null || { fail "no mkfs.ext4 (e2fsprogs: build/deps.sh)"; return; }
    local d=$out/work-virtio-disk-disks
    make_virtio_disks "$d" || { fail "could not make the disk images in $d"; return; }
    cat "$devmodel_dir/initramfs.cpio.gz" "$d/disks.cpio.gz" >"$d/dm-initramfs.cpio.gz"
    local f; f=$(dt dom-virtio)
    make_virtio_dtb "$f" "$d/dm-initramfs.cpio.gz" "$d" || { fail "could not write $f"; return; }
    # Ctrl-A three times twice: input to dm (domain 1), then to main
    printf '\001\001\001\001\001\001hello from the host\r' >"$d/input"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $d/dm-initramfs.cpio.gz@0x52000000 --load $linux/Image@0x54001000 --load $virtio_client@0x56000000 --load $d/ro.img@$VIRTIO_RO_AT --load $d/second.img@$VIRTIO_SECOND_AT --input $d/input --input-after XAM-VIRTIO:.type.a.line.on.hvc0" "$VIRTIO_TIMEOUT"
    local main_sum second_sum ro_sum
    main_sum=$(cat "$d/main.sha256") second_sum=$(cat "$d/second.sha256") ro_sum=$(cat "$d/ro.sha256")

    in_order 'domain 1: dm, 1 vCPU, 256 MiB' 'domain 2: main, 1 vCPU, 256 MiB' 'domain 3: second, 1 vCPU, 128 MiB' \
        'main \(domain 2\): held until its device model dm connects' \
        'second \(domain 3\): held until its device model dm connects'
    # the device model: its modules, both clients served
    last_line=0
    in_order '\(dm\) xam-devmodel-init: .* up, 1 CPU\(s\)' '\(dm\) xam-devmodel-init: loaded xen-privcmd unrestricted=1' \
        '\(dm\) xam-devmodel-init: loaded xen-evtchn' '\(dm\) xam-devmodel-init: starting xam-devmodel' \
        '\(dm\) xam-devmodel: device tree: 2 client\(s\) in /device-model' \
        '\(dm\) xam-devmodel: serving client main \(domain 2\): 4 device\(s\), ECAM 0x33000000\+0x100000, INTx 44-47, 1 vCPU\(s\)' \
        '\(dm\) xam-devmodel: client main: 00:00.0 virtio-blk /disks/main.img \(read-write, serial xam-main\)' \
        '\(dm\) xam-devmodel: client main: 00:01.0 virtio-blk /dev/pmem[0-9] \(read-only\)' \
        '\(dm\) xam-devmodel: client main: 00:02.0 virtio-rng' '\(dm\) xam-devmodel: client main: 00:03.0 virtio-console' \
        '\(dm\) xam-devmodel: serving client second \(domain 3\): 1 device\(s\)' \
        '\(dm\) xam-devmodel: client second: 00:00.0 virtio-blk /dev/pmem[0-9] \(read-write\)'
    # main: its disk, the file the host wrote, the read-only disk, entropy,
    # its console, a write, the reboot, and the write read back
    last_line=0
    in_order 'main \(domain 2\): starting \(held until its device model connected\)' \
        '\(main\) XAM-VIRTIO: .* up, 1 CPU\(s\), role main' \
        '\(main\) XAM-VIRTIO: PCI 0001:00:00.0 0x1af4:0x1042 driver virtio-pci' \
        "\\(main\\) XAM-VIRTIO: disk vda: 16384 sectors, read-only 0, serial 'xam-main'" \
        '\(main\) XAM-VIRTIO: disk vdb: 2048 sectors, read-only 1' \
        "\\(main\\) XAM-VIRTIO: mounted /dev/vda: $VIRTIO_HELLO \\(main\\)" \
        "\\(main\\) XAM-VIRTIO: hello.txt sha256 $main_sum" \
        '\(main\) XAM-VIRTIO: mounted the read-only disk ro: xen-arm-minimal read-only disk' \
        '\(main\) XAM-VIRTIO: creating a file on the read-only disk failed: .*Read-only file system' \
        '\(main\) XAM-VIRTIO: writing the read-only disk failed: .*Operation not permitted' \
        "\\(main\\) XAM-VIRTIO: read-only disk sha256 $ro_sum, unchanged" \
        '\(main\) XAM-VIRTIO: hwrng virtio_rng.0: 16 bytes' \
        '\(main\) XAM-VIRTIO: wrote a line to /dev/hvc0' 'console: input to main \(domain 2\)' \
        '\(main\) XAM-VIRTIO: hvc0 read \[hello from the host\]' \
        '\(main\) XAM-VIRTIO: wrote written.txt and synced; rebooting' \
        '\(main\) XAM-VIRTIO: .* up, 1 CPU\(s\), role main' \
        "\\(main\\) XAM-VIRTIO: hello.txt sha256 $main_sum" \
        '\(main\) XAM-VIRTIO: after the reboot written.txt reads: written by .* in its first life' \
        '\(main\) XAM-VIRTIO: done'
    anywhere '\(main\) hello through virtio-console' \
        '\(dm\) xam-devmodel: client main: its ioreq server is gone' \
        '\(dm\) xam-devmodel: serving client main \(domain 2\) again'
    # second: its own disk only
    last_line=0
    in_order 'second \(domain 3\): starting \(held until its device model connected\)' \
        '\(second\) XAM-VIRTIO: .* up, 1 CPU\(s\), role second' \
        "\\(second\\) XAM-VIRTIO: mounted /dev/vda: $VIRTIO_HELLO \\(second\\)" \
        "\\(second\\) XAM-VIRTIO: hello.txt sha256 $second_sum" '\(second\) XAM-VIRTIO: only its own disk' \
        '\(second\) XAM-VIRTIO: done'
    count_is 1 '\(second\) XAM-VIRTIO: disk '
    anywhere '\(dm\) xam-devmodel: no client connected for 5 s: exiting' 'all domains have stopped: powering off'
    # the virtio-console's line is main's own, through the hypervisor
    absent 'FAIL' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'NEEDS_RESET' 'XAM_DMOP_console' \
        '\[main\] hello'
}

# The configuration Xen users give (no /device-model node there): a config
# file on xam-devmodel's command line, the device tree ignored. One client,
# solo (domain 2, 128 MiB), whose host-tree node has no virtio children:
# its disk, bridge and RAM come from /etc/xam-devmodel.conf in the device
# model's initramfs.
case_virtio-cmdline() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    [ -s "$devmodel_dir/initramfs.cpio.gz" ] && [ -s "$virtio_client" ] ||
        { fail "no xam-devmodel image in $devmodel_dir or client in $virtio_client (run make devmodel-image virtio-client)"; return; }
    command -v mkfs.ext4 >/dev/null || { fail "no mkfs.ext4 (e2fsprogs: build/deps.sh)"; return; }
    local d=$out/work-virtio-cmdline-disks f rd
    rm -rf "$d" && mkdir -p "$d/root/disks" "$d/root/etc" "$d/second" || { fail "could not make $d"; return; }
    echo "$VIRTIO_HELLO (second)" >"$d/second/hello.txt"
    mkfs.ext4 -q -F -L solo -E root_owner=0:0 -d "$d/second" "$d/root/disks/solo.img" 8M >/dev/null ||
        { fail "mkfs.ext4 failed"; return; }
    cat >"$d/root/etc/xam-devmodel.conf" <<'CONF'
# xam-devmodel's configuration as on Xen: one option a line, without "--"
client domid=2,name=solo,bridge=default,memory=0x40000000+128M
disk domid=2,slot=0,path=/disks/solo.img,serial=from-config
disk domid=5,slot=0,path=/disks/none.img   # no such client: ignored
CONF
    (cd "$d/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 -n) >"$d/extra.cpio.gz"
    cat "$devmodel_dir/initramfs.cpio.gz" "$d/extra.cpio.gz" >"$d/dm-initramfs.cpio.gz"
    f=$(dt dom-virtio-cmdline)
    cp "$(dt v3-smp2)" "$f"
    rd=$(printf '0x%x' "$(stat -c %s "$virtio_client")")
    add_domain "$f" solo "$linux/Image" 0x54001000 memory=0:0x20000 cpus=1 vpl011 device-model=0x7400 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/solo/kernel bootargs "console=ttyAMA0 xam.role=second"
    fdtput -c "$f" /chosen/solo/ramdisk
    fdtput -t s "$f" /chosen/solo/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/solo/ramdisk reg 0 0x56000000 0 "$rd"
    add_domain "$f" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7400
    fdtput -t s "$f" /chosen/dm xen,enhanced enabled
    fdtput -t s "$f" /chosen/dm/kernel bootargs \
        "console=ttyAMA0 xam.no-device-tree xam.config=/etc/xam-devmodel.conf xam.idle-exit=3"
    rd=$(printf '0x%x' "$(stat -c %s "$d/dm-initramfs.cpio.gz")")
    fdtput -c "$f" /chosen/dm/ramdisk
    fdtput -t s "$f" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/dm/ramdisk reg 0 0x52000000 0 "$rd"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $d/dm-initramfs.cpio.gz@0x52000000 --load $linux/Image@0x54001000 --load $virtio_client@0x56000000" "$VIRTIO_TIMEOUT"
    in_order '\(dm\) xam-devmodel-init: starting xam-devmodel --no-device-tree --config /etc/xam-devmodel.conf --idle-exit 3' \
        '\(dm\) xam-devmodel: /etc/xam-devmodel.conf:4: disk domid=5,slot=0,path=/disks/none.img: domain 5 is not a client; ignored' \
        '\(dm\) xam-devmodel: serving client solo \(domain 2\): 1 device\(s\), ECAM 0x33000000\+0x100000, INTx 44-47, 1 vCPU\(s\)' \
        '\(dm\) xam-devmodel: client solo: 00:00.0 virtio-blk /disks/solo.img \(read-write, serial from-config\)'
    last_line=0
    in_order 'solo \(domain 2\): starting \(held until its device model connected\)' \
        "\\(solo\\) XAM-VIRTIO: disk vda: 16384 sectors, read-only 0, serial 'from-config'" \
        "\\(solo\\) XAM-VIRTIO: mounted /dev/vda: $VIRTIO_HELLO \\(second\\)" '\(solo\) XAM-VIRTIO: only its own disk' \
        '\(solo\) XAM-VIRTIO: done' 'solo \(domain 2\): powered off'
    anywhere '\(dm\) xam-devmodel: no client connected for 3 s: exiting' 'all domains have stopped: powering off'
    absent 'FAIL' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops' 'device tree: '
}
