# Boot case of issue 12's virtio-console acceptance, sourced by run.sh: a
# Debian Linux guest with no vPL011 and no Xen PV console whose console is
# the virtio-console xam-devmodel serves (console=hvc0). Its kernel's
# messages from when hvc0 registers (the virtio modules load from its
# initramfs: what came before is not replayed) and its /init's lines reach
# the hypervisor's console as its own (con) lines through
# XAM_DMOP_console_write,
# and a line typed for it through the Ctrl-A switch reaches its /init
# through XAM_DMOP_console_read. Helpers and images: cases-virtio.sh.
case_virtio-console-hvc0() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    [ -s "$devmodel_dir/initramfs.cpio.gz" ] && [ -s "$virtio_client" ] ||
        { fail "no xam-devmodel image in $devmodel_dir or client in $virtio_client (run make devmodel-image virtio-client)"; return; }
    command -v mkfs.ext4 >/dev/null || { fail "no mkfs.ext4 (e2fsprogs: build/deps.sh)"; return; }
    local d=$out/work-virtio-console-disks f rd sum
    make_virtio_disks "$d" || { fail "could not make the disk images in $d"; return; }
    sum=$(cat "$d/second.sha256")
    f=$(dt dom-virtio-console)
    cp "$(dt v3-smp2)" "$f"
    rd=$(printf '0x%x' "$(stat -c %s "$virtio_client")")
    # no vpl011: the virtio-console is its only console
    add_domain "$f" con "$linux/Image" 0x54001000 memory=0:0x20000 cpus=1 device-model=0x7400 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/con/kernel bootargs "console=hvc0 xam.role=second"
    fdtput -c "$f" /chosen/con/ramdisk
    fdtput -t s "$f" /chosen/con/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/con/ramdisk reg 0 0x56000000 0 "$rd"
    add_virtio_device "$f" /chosen/con/console console pci-slot=1
    add_virtio_device "$f" /chosen/con/disk0 blk reg=0:$VIRTIO_SECOND_AT:0:0x800000 pci-slot=0
    add_domain "$f" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7400
    fdtput -t s "$f" /chosen/dm xen,enhanced enabled
    fdtput -t s "$f" /chosen/dm/kernel bootargs "console=ttyAMA0 xam.idle-exit=3"
    rd=$(printf '0x%x' "$(stat -c %s "$devmodel_dir/initramfs.cpio.gz")")
    fdtput -c "$f" /chosen/dm/ramdisk
    fdtput -t s "$f" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/dm/ramdisk reg 0 0x52000000 0 "$rd"
    # Ctrl-A three times twice: input to dm (domain 1), then to con
    printf '\001\001\001\001\001\001hello from the host\r' >"$d/input"
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $devmodel_dir/initramfs.cpio.gz@0x52000000 --load $linux/Image@0x54001000 --load $virtio_client@0x56000000 --load $d/second.img@$VIRTIO_SECOND_AT --input $d/input --input-after XAM-VIRTIO:.type.a.line.on.the.console" "$VIRTIO_TIMEOUT"
    in_order 'domain 2: con, 1 vCPU, 128 MiB' 'con \(domain 2\): held until its device model dm connects'
    last_line=0
    in_order '\(dm\) xam-devmodel: serving client con \(domain 2\): 2 device\(s\)' \
        '\(dm\) xam-devmodel: client con: 00:01.0 virtio-console'
    # everything con says comes through its virtio-console, as its own lines
    last_line=0
    in_order 'con \(domain 2\): starting \(held until its device model connected\)' \
        '\(con\) XAM-VIRTIO: console is hvc0, role second' \
        '\(con\) \[ *[0-9.]+\] EXT4-fs \(vda\): mounted filesystem' \
        "\\(con\\) XAM-VIRTIO: hello.txt sha256 $sum" '\(con\) XAM-VIRTIO: only its own disk' \
        '\(con\) XAM-VIRTIO: type a line on the console' 'console: input to con \(domain 2\)' \
        '\(con\) XAM-VIRTIO: console read \[hello from the host\]' '\(con\) XAM-VIRTIO: done' \
        'con \(domain 2\): powered off'
    anywhere 'all domains have stopped: powering off'
    # the device model printed none of it itself (its fallback on Xen)
    absent '\[con\] ' 'FAIL' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops'
}
