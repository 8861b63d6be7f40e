# /chosen's xen,static-heap (Xen 4.17; docs/bindings.md), sourced by
# run.sh: the hypervisor allocates only from the heap ranges (its own
# memory and every domain's dynamic RAM), and the RAM outside them is kept
# for xen,static-mem. Here the heap is 0x60000000-0x6fffffff: a domain with
# dynamic memory gets its RAM from there, a domain with static memory at
# 0x78000000 (outside the heap) gets exactly that, and one whose static
# memory lies in the heap is refused, by the dry run too.
case_static-heap() {
    local f; f=$(dt dom-static-heap)
    cp "$(dt v3-smp2)" "$f"
    fdtput -t x "$f" /chosen '#address-cells' 2 || { fail "could not write $f"; return; }
    fdtput -t x "$f" /chosen '#size-cells' 2
    fdtput -t x "$f" /chosen xen,static-heap 0 0x60000000 0 0x10000000
    add_domain "$f" inheap "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 xen,static-mem=0:0x68000000:0:0x1000000
    add_domain "$f" static "$guests/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 xen,static-mem=0:0x78000000:0:0x1000000
    add_domain "$f" dynamic "$guests/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    boot "--gic 3 --smp 2 --dtb $f --load $guests/hello.Image@0x50000000 --load $guests/hello.Image@0x50200000 --load $guests/hello.Image@0x50400000" $K
    anywhere 'memory: heap +0x0060000000-0x006fffffff +262144 KiB xen,static-heap: the only RAM allocated from' \
        'memory: static +0x0070000000-0x00bfffffff .*outside the static heap: xen,static-mem only' \
        "ERROR: /chosen/inheap: xen,static-mem: 0x68000000-0x68ffffff overlaps /chosen's xen,static-heap; domain skipped"
    count_is 1 ERROR
    # the dynamic domain's RAM from the heap, the static one's exactly its
    # range
    anywhere 'domains: [0-9] +dynamic .* 0x40000000-0x40ffffff -> 0x6[0-9a-f][0-9a-f]*[0-9a-f] ' \
        'domains: [0-9] +static .* 0x40000000-0x40ffffff -> 0x78000000 ' \
        '\(dynamic\) hello: all checks passed' '\(static\) hello: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'CRASH' 'PANIC'
    twin "$f" "$guests/hello.Image@0x50000000" "$guests/hello.Image@0x50200000" "$guests/hello.Image@0x50400000"
}

# A domain whose xen,static-mem has six ranges boots, and the table of
# domains lists them as far as its column has room. (The table used to
# write past its 96-byte buffer with four ranges or more; nothing here
# sees that on QEMU, where the overwritten stack went unused.)
case_static-mem-six-ranges() {
    local f; f=$(dt dom-static-six)
    cp "$(dt v3-smp2)" "$f"
    fdtput -t x "$f" /chosen '#address-cells' 2 || { fail "could not write $f"; return; }
    fdtput -t x "$f" /chosen '#size-cells' 2
    add_domain "$f" six "$guests/hello.Image" 0x50000000 memory=0:0x3800 cpus=1 vpl011 \
        xen,static-mem=0:0x78000000:0:0x400000:0:0x78800000:0:0x200000:0:0x78c00000:0:0x200000:0:0x79000000:0:0x200000:0:0x79400000:0:0x200000:0:0x79800000:0:0x200000
    boot "--gic 3 --smp 2 --dtb $f --load $guests/hello.Image@0x50000000" $K
    in_order 'domains: 1 +six +1 +\(0\) +0x40000000-0x403fffff -> 0x78000000, 0x40400000-0x405fffff -> 0x78800000, ' \
        '\(six\) hello: all checks passed' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'CRASH' 'PANIC'
}
