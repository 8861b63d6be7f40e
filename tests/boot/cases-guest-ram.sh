# Guest RAM made ready on first touch, kernels copied on write (issue 14;
# docs/domains.md, "Guest memory"), sourced by run.sh.
#
# ram-residue: before the hypervisor starts, QEMU's loaders fill the host RAM guests are allocated from (0x40400000 to the
# host device tree at 0x48000000) with a pattern. Two domains run
# tests/guests/residue.c from one module, 2 MiB-aligned and over 4 MiB, so
# its whole chunks are mapped in place and copied on write:
#   donor   (32 MiB, built first: lowest addresses) checks its free RAM is
#           zero, fills it and its image with its own pattern, powers off;
#   residue (16 MiB) checks the same, fills its RAM and image, resets after
#           4 s, and once rebuilt, which must land in the donor's old
#           memory, checks again: the image as the module has it, the free
#           RAM zero (no host pattern, no donor's, no previous life's).
residue_pattern() { # a 4 MiB file of the 64-bit word 0x5a17e5a17e5a17e5
    local f=$1 i
    printf '\xe5\x17\x5a\x7e\xa1\xe5\x17\x5a' >"$f"
    for ((i = 0; i < 19; i++)); do cat "$f" "$f" >"$f.tmp" && mv "$f.tmp" "$f"; done
}
case_ram-residue() {
    local f; f=$(dt dom-residue)
    cp "$(dt v3-smp2)" "$f"
    # (fdtput puts a new node first: the donor is built first)
    add_domain "$f" residue "$guests/residue.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" donor "$guests/residue.Image" 0x50000000 memory=0:0x8000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/donor/kernel bootargs "donor"
    fdtput -t s "$f" /chosen/residue xen,enhanced enabled
    fdtput -t s "$f" /chosen/donor xen,enhanced enabled
    local pat=$out/work-$name-pattern.bin loads="" a
    residue_pattern "$pat"
    for ((a = 0x40400000; a < 0x48000000; a += 0x400000)); do loads+=" --load $pat@$(printf '0x%x' $a)"; done
    boot "--gic 3 --smp 2 --dtb $f --load $guests/residue.Image@0x50000000$loads" 40
    anywhere 'domains: +kernel module at 0x50000000, 0x[0-9a-f]+ bytes, mapped in place \(copied on write\)'
    in_order '\(donor\) PASS: the image reads as built' \
        '\(donor\) residue: donor: scanned 0x0*1[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f] bytes of free RAM: host pattern 0x0+, previous life 0x0+, donor 0x0+, other non-zero 0x0+ words' \
        '\(donor\) PASS: free RAM is all zeros' '\(donor\) PASS: writes over the image stick' \
        '\(donor\) residue: donor: filled, powering off' 'donor \(domain 1\): powered off'
    last_line=0
    in_order '\(residue\) PASS: the image reads as built' \
        '\(residue\) residue: first boot: scanned 0x[0-9a-f]+ bytes of free RAM: host pattern 0x0+, previous life 0x0+, donor 0x0+, other non-zero 0x0+ words' \
        '\(residue\) PASS: free RAM is all zeros' '\(residue\) residue: first boot: filled, resetting' \
        'residue \(domain 2\): reset \(PSCI SYSTEM_RESET\): rebuilding it' \
        'domain 2: residue rebuilt from its boot modules, memory 0x40000000-0x40ffffff -> 0x[0-9a-f]+' \
        '\(residue\) PASS: the image reads as built' \
        '\(residue\) residue: after its reset: scanned 0x[0-9a-f]+ bytes of free RAM: host pattern 0x0+, previous life 0x0+, donor 0x0+, other non-zero 0x0+ words' \
        '\(residue\) PASS: free RAM is all zeros' '\(residue\) residue: all checks passed' \
        'residue \(domain 2\): powered off' 'all domains have stopped: powering off'
    # the rebuilt domain got memory the donor had filled
    local donor_pa rebuilt_pa
    donor_pa=$(sed -nE 's/.*domains: 1 +donor .* -> (0x[0-9a-f]+) .*/\1/p' "$log" | head -1)
    rebuilt_pa=$(sed -nE 's/.*residue rebuilt from its boot modules, memory .* -> (0x[0-9a-f]+).*/\1/p' "$log" | head -1)
    if [ -z "$donor_pa" ] || [ -z "$rebuilt_pa" ]; then fail "no host address for the donor's RAM or the rebuilt domain's"
    elif ((rebuilt_pa < donor_pa || rebuilt_pa + 0x1000000 > donor_pa + 0x2000000)); then
        fail "the rebuilt domain's RAM ($rebuilt_pa) is not in the donor's old RAM ($donor_pa, 32 MiB): the test proves less"
    fi
    count_is 2 '\(residue\) residue: console_io from the image'
    count_is 2 '\(residue\) PASS: XENVER_extraversion writes its string into a page it never touched'
    count_is 2 '\(residue\) PASS: the image reads as built'
    count_is 2 '\(residue\) PASS: free RAM is all zeros'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC'
}

# A Linux guest whose kernel is mapped in place reboots, twice, and boots
# again each time (issue 14): its kernel's chunks were copied on first
# write, so the module is as U-Boot loaded it for each rebuild. It counts
# its boots in a static shared memory region, which outlives its resets
# (tests/guests/linux-reboot).
case_linux-reboot-in-place() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local f rd init w="$out/work-$name-rd"
    mkdir -p "$w"
    init=$w/initramfs.cpio.gz
    "$here/../guests/linux-hvc/mkinitramfs.sh" "$linux/initramfs.cpio.gz" "$here/../guests/linux-reboot/reboot-init.sh" "$init" ||
        { fail "could not make the guest's initramfs"; return; }
    rd=$(printf '0x%x' "$(stat -c %s "$init")")
    f=$(dt dom-reboot-in-place)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" linux "$linux/Image" 0x50000000 memory=0:0x40000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/linux/kernel bootargs "console=ttyAMA0 xam.reboot.count=0x4000000"
    fdtput -c "$f" /chosen/linux/ramdisk
    fdtput -t s "$f" /chosen/linux/ramdisk compatible multiboot,ramdisk multiboot,module
    fdtput -t x "$f" /chosen/linux/ramdisk reg 0 0x58000000 0 "$rd"
    fdtput -c "$f" /chosen/linux/shm@0
    fdtput -t s "$f" /chosen/linux/shm@0 compatible xen,domain-shared-memory-v1
    fdtput -t s "$f" /chosen/linux/shm@0 xen,shm-id xam-reboot
    fdtput -t x "$f" /chosen/linux/shm@0 xen,shared-mem 0 0x4000000 0 0x200000
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $init@0x58000000" 150
    anywhere 'domains: +kernel module at 0x50000000, 0x[0-9a-f]+ bytes, mapped in place \(copied on write\)'
    in_order '\(linux\) XAM-REBOOT: boot 1, ' '\(linux\) XAM-REBOOT: rebooting' \
        'linux \(domain 1\): reset \(PSCI SYSTEM_RESET\): rebuilding it' 'domain 1: linux rebuilt from its boot modules' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' '\(linux\) XAM-REBOOT: boot 2, ' '\(linux\) XAM-REBOOT: rebooting' \
        'linux \(domain 1\): reset \(PSCI SYSTEM_RESET\): rebuilding it' 'domain 1: linux rebuilt from its boot modules' \
        '\(linux\) .*Booting Linux on physical CPU 0x0' '\(linux\) XAM-REBOOT: boot 3, ' \
        '\(linux\) XAM-REBOOT: done after 3 boots' 'linux \(domain 1\): powered off \(PSCI SYSTEM_OFF\)' \
        'all domains have stopped: powering off'
    count_is 3 '\(linux\) .*Booting Linux on physical CPU 0x0'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'cannot be rebuilt'
}
