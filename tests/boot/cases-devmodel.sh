# Boot cases of device models that are Linux programs (issue 11), sourced
# by run.sh. A Debian Linux domain with xen,enhanced runs xam-testdm
# (tests/guests/linux-dm/), linked with Debian's libxendevicemodel,
# libxenforeignmemory and libxenevtchn over the kernel's own privcmd and
# evtchn modules, and serves the emulated PCI bridge of a Debian Linux
# client held until it connects. See docs/device-models.md.
linux_dm=${LINUX_DM_DIR:-${OUT:-build/out}/guests/linux-dm} # build/fetch-xen-libs.sh, make linux-dm
LINUX_DM_TIMEOUT=${LINUX_DM_TIMEOUT:-120}

# The device model is domain 1 (fdtput puts each new node first, and
# domains are numbered in /chosen order), its client domain 2. The client
# keeps the last page of its 256 MiB outside Linux (mem=240M) for the
# marker the device model reads through its foreign mapping.
LINUX_DM_MARKER=0x4ffff000
make_linux_dm_dtb() { # make_linux_dm_dtb DTB
    local f=$1 rd
    cp "$(dt v3-smp2)" "$f"
    fdtput -t s "$f" /chosen xen,xen-bootargs "loglvl=debug" # unimplemented hypercalls are logged
    add_domain "$f" client "$linux/Image" 0x5a000000 memory=0:0x40000 cpus=1 vpl011 device-model=0x7300 \
        secondary-emulated-pci-host-bridge hold-until-device-model
    fdtput -t s "$f" /chosen/client/kernel bootargs "console=ttyAMA0 mem=240M xam.marker=$LINUX_DM_MARKER"
    rd=$(printf '0x%x' "$(stat -c %s "$linux_dm/client-initramfs.cpio.gz")")
    fdtput -c "$f" /chosen/client/ramdisk
    fdtput -t s "$f" /chosen/client/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/client/ramdisk reg 0 0x5e000000 0 "$rd"
    add_domain "$f" dm "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011 phandle=0x7300
    fdtput -t s "$f" /chosen/dm xen,enhanced enabled
    # the client, its ECAM window and INTx come from the device model's
    # own tree (/device-model/client@2); the marker and the watchdog from here
    fdtput -t s "$f" /chosen/dm/kernel bootargs "console=ttyAMA0 xam.marker=$LINUX_DM_MARKER xam.idle=60"
    rd=$(printf '0x%x' "$(stat -c %s "$linux_dm/initramfs.cpio.gz")")
    fdtput -c "$f" /chosen/dm/ramdisk
    fdtput -t s "$f" /chosen/dm/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/dm/ramdisk reg 0 0x58000000 0 "$rd"
}

case_linux-device-model() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    [ -s "$linux_dm/initramfs.cpio.gz" ] && [ -s "$linux_dm/client-initramfs.cpio.gz" ] ||
        { fail "no Linux device model in $linux_dm (run build/fetch-xen-libs.sh, then make linux-dm)"; return; }
    local f; f=$(dt dom-linux-dm)
    make_linux_dm_dtb "$f" || { fail "could not write $f"; return; }
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $linux_dm/initramfs.cpio.gz@0x58000000 --load $linux/Image@0x5a000000 --load $linux_dm/client-initramfs.cpio.gz@0x5e000000" "$LINUX_DM_TIMEOUT"
    local boot_why=$why
    why=""

    # What holds without the hypervisor side: the domains are built, the
    # client is held, the device model's kernel loads its Xen drivers, the
    # device nodes Xen's libraries open are there, the libraries open, and
    # the one call that worked before issue 11 answers.
    in_order 'domain 1: dm, 1 vCPU, 256 MiB' 'domain 2: client, 1 vCPU, 256 MiB' \
        'domains: +PCI bridge: ECAM 0x33000000\+0x100000, .*INTx SPIs 44-47, .*device model dm \(held until it connects\)' \
        'client \(domain 2\): held until its device model dm connects'
    last_line=0
    in_order '\(dm\) .*Xen 4.17 support found' '\(dm\) XAM-DM-INIT: .* up, 1 CPU\(s\)' \
        '\(dm\) XAM-DM-INIT: loaded xen-privcmd.ko unrestricted=1' '\(dm\) XAM-DM-INIT: loaded xen-evtchn.ko' \
        '\(dm\) XAM-DM-INIT: loaded xen-gntdev.ko' '\(dm\) XAM-DM-INIT: loaded xen-gntalloc.ko' \
        '\(dm\) XAM-DM-INIT: /dev/xen/privcmd is there' '\(dm\) XAM-DM-INIT: /dev/xen/hypercall is there' \
        '\(dm\) XAM-DM-INIT: /dev/xen/evtchn is there' '\(dm\) XAM-DM-INIT: /dev/xen/gntdev is there' \
        '\(dm\) XAM-DM-INIT: /dev/xen/gntalloc is there' \
        "\\(dm\\) XAM-TESTDM: serving domain 2: ECAM 0x33000000\\+0x100000, INTx on INTID 44, marker page $LINUX_DM_MARKER" \
        '\(dm\) XAM-TESTDM: opened libxendevicemodel, libxenforeignmemory, libxenevtchn' \
        '\(dm\) XAM-TESTDM: ioreq server 0 created'
    absent 'XAM-DM-INIT: FAIL' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Oops'
    if [ -n "$why" ]; then
        [ -z "$boot_why" ] || why="$why; and the boot $boot_why"
        return 0
    fi
    why=$boot_why

    # The whole chain: set-up in Xen's order, the held client started,
    # its kernel enumerating the function the device model serves, BAR
    # sizing and assignment, the marker read through the foreign mapping,
    # INTx raised, handled by uio_pci_generic (which masks it: lowered),
    # both domains powering off.
    in_order '\(dm\) XAM-TESTDM: ioreq server 0 info read' '\(dm\) XAM-TESTDM: domain 2 has 1 vCPU\(s\)' \
        '\(dm\) XAM-TESTDM: balloon target [0-9]+ KiB: 256 KiB given back for mappings' \
        '\(dm\) XAM-TESTDM: ioreq page mapped \(acquire_resource, ioreq server 0, frame 1\)' \
        '\(dm\) XAM-TESTDM: vCPU0: event channel [0-9]+ of domain 2 bound to local port [0-9]+' \
        '\(dm\) XAM-TESTDM: ECAM 0x33000000-0x330fffff mapped to ioreq server 0' \
        "\\(dm\\) XAM-TESTDM: client page $LINUX_DM_MARKER foreign-mapped" \
        '\(dm\) XAM-TESTDM: ioreq server 0 enabled: serving 1b36:0005 at 00:00.0' \
        '\(dm\) XAM-TESTDM: first ioreq: read of [124] byte\(s\) at 0x330' \
        '\(dm\) XAM-TESTDM: client reads 00:00.0.s IDs: vendor 0x1b36 device 0x0005' \
        '\(dm\) XAM-TESTDM: BAR0 sized: all-ones written, reads 0xfffff000 \(4 KiB, 32-bit memory\)' \
        '\(dm\) XAM-TESTDM: BAR0 set to 0x33800000' \
        "\\(dm\\) XAM-TESTDM: foreign mapping reads the client.s marker \"XAM-MARK\" at $LINUX_DM_MARKER" \
        '\(dm\) XAM-TESTDM: INTx raised \(INTID 44, set_irq_level 1\)' \
        '\(dm\) XAM-TESTDM: INTx lowered \(INTID 44, set_irq_level 0\): the client disabled it' \
        '\(dm\) XAM-TESTDM: done: [0-9]+ ioreqs served .*, 1 interrupt\(s\) raised, 0 failure\(s\)' \
        '\(dm\) XAM-DM-INIT: xam-testdm exited with status 0' \
        '\(dm\) XAM-DM-INIT: events interrupt taken [0-9]+ times'
    # Linux took Xen's events interrupt for the ioreqs it was sent: the
    # count rose by at least one per ioreq served
    local counts served
    counts=$(sed -n 's/.*(dm) XAM-DM-INIT: events interrupt taken \([0-9]*\) times.*/\1/p' "$log" | tr '\n' ' ')
    served=$(sed -n 's/.*(dm) XAM-TESTDM: done: \([0-9]*\) ioreqs served.*/\1/p' "$log")
    set -- $counts
    [ $# -eq 2 ] && [ -n "$served" ] && [ "$2" -ge $(($1 + 1)) ] ||
        fail "Linux's events interrupt count did not rise while it served ioreqs: '$counts', $served ioreqs"
    last_line=0
    in_order 'client \(domain 2\): starting \(held until its device model connected\)' \
        '\(client\) XAM-CLIENT: .* up, 1 CPU\(s\)' \
        '\(client\) XAM-CLIENT: PCI 0001:00:00.0 vendor 0x1b36 device 0x0005 class 0xff0000' \
        '\(client\) XAM-CLIENT: BAR0 resource 0x0000000033800000-0x0000000033800fff flags 0x0*40200' \
        '\(client\) XAM-CLIENT: BAR0 register 0x33800000' '\(client\) XAM-CLIENT: driver uio_pci_generic' \
        '\(client\) XAM-CLIENT: interrupt pin 1 irq [1-9]' "\\(client\\) XAM-CLIENT: marker written at $LINUX_DM_MARKER" \
        "\\(client\\) XAM-CLIENT: device model.s reply word at $LINUX_DM_MARKER\\+0x100: 0x2[dD]4[dD]4158" \
        '\(client\) XAM-CLIENT: interrupts: .* 44 Level .*uio_pci_generic' '\(client\) XAM-CLIENT: INTx count 1' \
        '\(client\) XAM-CLIENT: done' 'client \(domain 2\): powered off'
    anywhere 'dm \(domain 1\): powered off' 'all domains have stopped: powering off'
    count_is 1 '\(client\) XAM-CLIENT: PCI '
    absent 'FAIL' 'ERROR' 'WARNING'
}
