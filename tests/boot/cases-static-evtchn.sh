# Boot case of Xen's static event channels (issue 13, part 3), sourced by
# run.sh: two bare-metal guests (tests/guests/static_evtchn.c) linked by a
# xen,evtchn-v1 pair, a:5 <-> b:7, notify each other across it without a
# single call to set it up (boot/static-evtchn-linux does it between two
# Linux guests, on bookworm-backports' kernel: Debian 12's 6.1 has no way
# to bind a static port from user space). A second pair,
# c <-> d, is refused (d has no xen,enhanced), costing c and d only, with
# the words the dry run gives.
# evtchn_node DTB NODE PHANDLE PORT OTHER-PHANDLE
evtchn_node() {
    fdtput -c "$1" "$2"
    fdtput -t s "$1" "$2" compatible xen,evtchn-v1
    fdtput -t x "$1" "$2" phandle "$3"
    fdtput -t x "$1" "$2" xen,evtchn "$4" "$5"
}
case_static-evtchn() {
    local f; f=$(dt dom-static-evtchn)
    cp "$(dt v3-smp2)" "$f"
    # fdtput -c puts each new domain first: /chosen order is a, b, c, d
    add_domain "$f" d "$guests/hello.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011 || { fail "could not write $f"; return; }
    add_domain "$f" c "$guests/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" b "$guests/static_evtchn.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" a "$guests/static_evtchn.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    for d in a b c; do fdtput -t s "$f" /chosen/$d xen,enhanced no-xenstore; done
    fdtput -t s "$f" /chosen/a/kernel bootargs "role=a"
    fdtput -t s "$f" /chosen/b/kernel bootargs "role=b"
    evtchn_node "$f" /chosen/a/ec-a 0x7501 5 0x7502
    evtchn_node "$f" /chosen/b/ec-b 0x7502 7 0x7501
    evtchn_node "$f" /chosen/c/ec-c 0x7503 9 0x7504
    evtchn_node "$f" /chosen/d/ec-d 0x7504 9 0x7503
    boot "--gic 3 --smp 2 --dtb $f --load $guests/static_evtchn.Image@0x50000000 --load $guests/static_evtchn.Image@0x50200000 --load $guests/hello.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    anywhere 'ERROR: /chosen/d: xen,enhanced: missing or "disabled": /chosen/d/ec-d is a static event channel, and event channels need the hypervisor node \(give "no-xenstore", as Xen.s booting.txt asks\); domain skipped' \
        'ERROR: /chosen/c: /chosen/c/ec-c: xen,evtchn: its other end is in /chosen/d, which is not built: a static event channel needs both; domain skipped' \
        'domains: +static event channel: port 5 <-> b port 7' 'domains: +static event channel: port 7 <-> a port 5'
    in_order 'domain 1: a, 1 vCPU' 'domain 2: b, 1 vCPU'
    for d in a b; do
        anywhere "\\($d\\) PASS: my static port is bound to the peer's before I made any call" \
            "\\($d\\) static_evtchn: all checks passed" "$d \\(domain [12]\\): powered off"
    done
    anywhere '\(b\) PASS: my static port started pending' \
        '\(b\) PASS: the peer.s notification arrived on my static port 7' \
        '\(a\) PASS: the peer.s notification arrived on my static port 5'
    in_order 'all domains have stopped: powering off'
    count_is 2 'ERROR'
    absent 'FAIL' 'WARNING' 'CRASH' 'PANIC'
    # the dry run refuses the same two with the same words
    "$dryrun" "$f" >"$out/$name-dryrun.txt" 2>&1
    grep -qF 'd: rejected: /chosen/d: xen,enhanced: missing or "disabled": /chosen/d/ec-d is a static event channel, and event channels need the hypervisor node' "$out/$name-dryrun.txt" ||
        why=${why:-"the dry run does not refuse d with the same words"}
    grep -qF 'c: rejected: /chosen/c/ec-c: xen,evtchn: its other end is in /chosen/d, which is not built' "$out/$name-dryrun.txt" ||
        why=${why:-"the dry run does not refuse c with the same words"}
    grep -qF 'a: ok:' "$out/$name-dryrun.txt" && grep -qF 'b: ok:' "$out/$name-dryrun.txt" ||
        why=${why:-"the dry run does not accept a and b"}
}
