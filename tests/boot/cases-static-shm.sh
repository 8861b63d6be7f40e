# Boot case of Xen's static shared memory (issue 13), sourced by run.sh:
# two Debian Linux guests share two regions, one at a host address the
# tree gives ("xam-shm-0": the writer its owner, the reader a borrower) and
# one the hypervisor allocates (Xen 4.19's form, no role). Each guest sees
# each region at its own guest address, in its tree as Xen writes it
# (/reserved-memory/xen-shmem@ADDR with xen,id), and reaches it with
# busybox devmem: the writer puts a pattern in each, the reader reads it
# and answers, the writer reads the answer (tests/guests/linux-shm). A
# bare-metal third domain gets RAM that never overlaps a region (the host
# range of xam-shm-0 is where its RAM would otherwise go), and two more
# domains asking for the region wrongly are refused, as the dry run
# refuses them.
SHM_HOST=${SHM_HOST:-0x40400000}
# shm_node DTB NODE ID SHARED-MEM [ROLE]
shm_node() {
    fdtput -c "$1" "$2"
    fdtput -t s "$1" "$2" compatible xen,domain-shared-memory-v1
    fdtput -t s "$1" "$2" xen,shm-id "$3"
    # shellcheck disable=SC2086 # the cells, one word each
    fdtput -t x "$1" "$2" xen,shared-mem $4
    [ -z "${5:-}" ] || fdtput -t s "$1" "$2" role "$5"
}
# host_ranges: "NAME LO HI" for each domain's RAM segment in the
# hypervisor's table ("0xA-0xB -> 0xH" is host H to H + B - A)
host_ranges() {
    local line dom seg lo hi h
    hypervisor_lines | tr -d '\r' | grep -E 'domains: [0-9]+ +[^ ]+ ' | while read -r line; do
        dom=$(sed -E 's/^.*domains: [0-9]+ +([^ ]+) .*$/\1/' <<<"$line")
        grep -oE '0x[0-9a-f]+-0x[0-9a-f]+ -> 0x[0-9a-f]+' <<<"$line" | while read -r seg _ h; do
            lo=${seg%-*} hi=${seg#*-}
            printf '%s 0x%x 0x%x\n' "$dom" "$h" $((h + hi - lo))
        done
    done
}
case_static-shm() {
    [ -s "$linux/Image" ] || { fail "no Linux guest in $linux (run build/fetch-guests.sh)"; return; }
    local f rd init w="$out/work-static-shm-rd"
    mkdir -p "$w"
    init=$w/initramfs.cpio.gz
    "$here/../guests/linux-hvc/mkinitramfs.sh" "$linux/initramfs.cpio.gz" "$here/../guests/linux-shm/shm-init.sh" "$init" ||
        { fail "could not make the guests' initramfs"; return; }
    rd=$(printf '0x%x' "$(stat -c %s "$init")")
    f=$(dt dom-static-shm)
    cp "$(dt v3-smp2)" "$f"
    # fdtput puts each new node first: /chosen order (the build's) is
    # writer, reader, bare, badsize, badguest
    add_domain "$f" badguest "$guests/hello.Image" 0x4c400000 memory=0:0x4000 cpus=1 vpl011
    shm_node "$f" /chosen/badguest/shm@0 xam-shm-1 "0 0x40100000 0 0x100000"
    add_domain "$f" badsize "$guests/hello.Image" 0x4c200000 memory=0:0x4000 cpus=1 vpl011
    shm_node "$f" /chosen/badsize/shm@0 xam-shm-0 "0 $SHM_HOST 0 0x10000000 0 0x400000" borrower
    add_domain "$f" bare "$guests/hello.Image" 0x4c000000 memory=0:0x4000 cpus=1 vpl011
    local d
    for d in reader writer; do
        local k=0x5a000000 r=0x5e000000 a0=0x8000000 a1=0x20000000 role=borrower
        [ $d = writer ] && k=0x50000000 r=0x58000000 a0=0x4000000 a1=0x10000000 role=owner
        add_domain "$f" $d "$linux/Image" $k memory=0:0x20000 cpus=1 vpl011
        fdtput -t s "$f" /chosen/$d/kernel bootargs \
            "console=ttyAMA0 xam.shm.role=$d xam.shm.regions=$a0:0x200000,$a1:0x100000"
        fdtput -c "$f" /chosen/$d/ramdisk
        fdtput -t s "$f" /chosen/$d/ramdisk compatible multiboot,ramdisk multiboot,module
        fdtput -t x "$f" /chosen/$d/ramdisk reg 0 $r 0 "$rd"
        # (added second, shm@0 comes first in the tree)
        shm_node "$f" /chosen/$d/shm@1 xam-shm-1 "0 $a1 0 0x100000"
        shm_node "$f" /chosen/$d/shm@0 xam-shm-0 "0 $SHM_HOST 0 $a0 0 0x200000" $role
    done
    boot "--gic 3 --smp 2 --dtb $f --load $linux/Image@0x50000000 --load $init@0x58000000 --load $linux/Image@0x5a000000 --load $init@0x5e000000 --load $guests/hello.Image@0x4c000000 --load $guests/hello.Image@0x4c200000 --load $guests/hello.Image@0x4c400000" $U
    local h0 h1
    h0=$(printf '0x%x' "$SHM_HOST") h1=$(printf '0x%x' $((SHM_HOST + 0x1fffff)))
    anywhere "ERROR: /chosen/badsize: shm@0: xen,shared-mem: region \"xam-shm-0\" is 0x400000 bytes here and 0x200000 bytes in writer: one xen,shm-id names one region; domain skipped" \
        "ERROR: /chosen/badguest/shm@0: xen,shared-mem: guest 0x40100000-0x401fffff overlaps guest RAM 0x40000000-0x40ffffff; domain skipped"
    count_is 2 ERROR
    in_order "static shared memory \"xam-shm-0\": host $h0-$h1" \
        'static shared memory "xam-shm-1": host 0x[0-9a-f]+-0x[0-9a-f]+ \(allocated: no host address given\)' \
        "domains:    shared memory \"xam-shm-0\": 0x4000000-0x41fffff -> $h0, owner" \
        "domains:    shared memory \"xam-shm-1\": 0x10000000-0x100fffff -> 0x[0-9a-f]+, borrower \\(no owner\\)" \
        "domains:    shared memory \"xam-shm-0\": 0x8000000-0x81fffff -> $h0, borrower" \
        "domains:    shared memory \"xam-shm-1\": 0x20000000-0x200fffff -> 0x[0-9a-f]+, borrower \\(no owner\\)"
    anywhere '\(writer\) XAM-SHM: region 0x4000000: xen,id \[xam-shm-0\] reg \[00000000040000000000000000200000\] compatible \[xen,shared-memory-v1\]' \
        '\(writer\) XAM-SHM: region 0x10000000: xen,id \[xam-shm-1\] reg \[00000000100000000000000000100000\]' \
        '\(reader\) XAM-SHM: region 0x8000000: xen,id \[xam-shm-0\] reg \[00000000080000000000000000200000\]' \
        '\(reader\) XAM-SHM: region 0x20000000: xen,id \[xam-shm-1\] reg \[00000000200000000000000000100000\]' \
        '\(writer\) XAM-SHM: region 0x4000000: an untouched word reads 0x00000000' \
        '\(reader\) XAM-SHM: region 0x8000000: read 0x5a4d0000 at 0x8000000 and 0x7a1100f0 at 0x81ffffc' \
        '\(writer\) XAM-SHM: region 0x4000000: the reader answered 0x0a5e0000' \
        '\(reader\) XAM-SHM: region 0x20000000: read 0x5a4d0001 at 0x20000000 and 0x7a1100f1 at 0x200ffffc' \
        '\(writer\) XAM-SHM: region 0x10000000: the reader answered 0x0a5e0001' \
        '\(writer\) XAM-SHM: writer done' '\(reader\) XAM-SHM: reader done' '\(bare\) hello: all checks passed' \
        'all domains have stopped: powering off'
    absent 'FAIL' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:'
    # no domain's RAM on a region's host pages
    local regions dom lo hi rlo rhi
    regions=$(hypervisor_lines | tr -d '\r' | sed -n 's/^.*static shared memory "[^"]*": host \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\).*$/\1 \2/p')
    [ "$(wc -l <<<"$regions")" = 2 ] || fail "expected two regions' host ranges, got [$regions]"
    [ "$(host_ranges | wc -l)" -ge 3 ] || fail "cannot read the domains' host RAM from the table"
    while read -r dom lo hi; do
        while read -r rlo rhi; do
            ((lo <= rhi && rlo <= hi)) && fail "$dom's RAM $lo-$hi overlaps a shared region $rlo-$rhi"
        done <<<"$regions"
    done < <(host_ranges)
    twin "$f" "$linux/Image@0x50000000" "$init@0x58000000" "$linux/Image@0x5a000000" "$init@0x5e000000" \
        "$guests/hello.Image@0x4c000000" "$guests/hello.Image@0x4c200000" "$guests/hello.Image@0x4c400000"
}
