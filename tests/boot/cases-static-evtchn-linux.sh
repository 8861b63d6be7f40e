# Boot case of Xen's static event channels between two Linux guests (issue
# 13, part 3), sourced by run.sh: a xen,evtchn-v1 pair a:5 <-> b:7, as in
# boot/static-evtchn, joins two Debian Linux domains. Each binds its end
# from user space with IOCTL_EVTCHN_BIND_STATIC (Linux 6.6 and later:
# bookworm-backports' cloud kernel, build/fetch-guests-bpo.sh; Debian 12's
# 6.1, which the other Linux cases boot, has no such call), and
# xam-evtchn (tests/guests/linux-evtchn) sends notifications across it:
# a pings, b answers, three rounds, each way through /dev/xen/evtchn.
bpo=${LINUX_BPO_DIR:-${OUT:-build/out}/guests/linux-bpo} # build/fetch-guests-bpo.sh
case_static-evtchn-linux() {
    [ -s "$bpo/Image" ] || { fail "no bookworm-backports kernel in $bpo (run build/fetch-guests-bpo.sh)"; return; }
    local rd=$guests/linux-evtchn/initramfs.cpio.gz f d size
    [ -s "$rd" ] || { fail "no $rd (make linux-evtchn)"; return; }
    size=$(printf '0x%x' "$(stat -c %s "$rd")")
    f=$(dt dom-static-evtchn-linux)
    cp "$(dt v3-smp2)" "$f"
    # fdtput -c puts each new domain first: /chosen order is a, b (a is
    # domain 1, b the binding end, its port pending from the start)
    for d in b a; do
        local k=0x50000000 r=0x58000000 port=5 role=ping peer=0x7602 me=0x7601
        [ $d = b ] && k=0x5a000000 r=0x5e000000 port=7 role=answer peer=0x7601 me=0x7602
        add_domain "$f" $d "$bpo/Image" $k memory=0:0x20000 cpus=1 vpl011
        fdtput -t s "$f" /chosen/$d xen,enhanced no-xenstore
        fdtput -t s "$f" /chosen/$d/kernel bootargs \
            "console=ttyAMA0 xam.evtchn.role=$role xam.evtchn.port=$port xam.evtchn.rounds=3"
        fdtput -c "$f" /chosen/$d/ramdisk
        fdtput -t s "$f" /chosen/$d/ramdisk compatible multiboot,ramdisk multiboot,module
        fdtput -t x "$f" /chosen/$d/ramdisk reg 0 $r 0 "$size"
        fdtput -c "$f" /chosen/$d/ec
        fdtput -t s "$f" /chosen/$d/ec compatible xen,evtchn-v1
        fdtput -t x "$f" /chosen/$d/ec phandle $me
        fdtput -t x "$f" /chosen/$d/ec xen,evtchn $port $peer
    done
    boot "--gic 3 --smp 2 --dtb $f --load $bpo/Image@0x50000000 --load $rd@0x58000000 --load $bpo/Image@0x5a000000 --load $rd@0x5e000000" "$U"
    in_order 'domain 1: a, 1 vCPU' 'domain 2: b, 1 vCPU'
    anywhere 'domains: +static event channel: port 5 <-> b port 7' 'domains: +static event channel: port 7 <-> a port 5'
    local p
    for d in a b; do
        p=5 && [ $d = b ] && p=7
        last_line=0
        in_order "\\($d\\) .*Booting Linux on physical CPU 0x0" "\\($d\\) .*Linux version 6\\." \
            "\\($d\\) XAM-EVTCHN: 6\\.[0-9.]+[^ ]* up, [a-z]+ on static port $p" \
            "\\($d\\) XAM-EVTCHN: xen-evtchn.ko loaded: /dev/xen/evtchn is there" \
            "\\($d\\) XAM-EVTCHN: PASS: IOCTL_EVTCHN_BIND_STATIC bound my static port $p" \
            "\\($d\\) XAM-EVTCHN: PASS: binding port $p a second time is refused \\(EISCONN\\)"
    done
    last_line=0
    in_order '\(a\) XAM-EVTCHN: PASS: round 1: notified port 5, the peer.s answer arrived' \
        '\(a\) XAM-EVTCHN: PASS: round 2: notified port 5, the peer.s answer arrived' \
        '\(a\) XAM-EVTCHN: PASS: round 3: notified port 5, the peer.s answer arrived' \
        '\(a\) XAM-EVTCHN: PASS: ping: 3 notification\(s\) crossed each way on static port 5' \
        '\(a\) XAM-EVTCHN: xam-evtchn exited with status 0'
    last_line=0
    in_order '\(b\) XAM-EVTCHN: [0-9]+ event\(s\) pending on port 7 when I bound it, drained' \
        '\(b\) XAM-EVTCHN: PASS: round 1: the peer.s notification arrived on port 7, answered' \
        '\(b\) XAM-EVTCHN: PASS: round 2: the peer.s notification arrived on port 7, answered' \
        '\(b\) XAM-EVTCHN: PASS: round 3: the peer.s notification arrived on port 7, answered' \
        '\(b\) XAM-EVTCHN: PASS: answer: 3 notification\(s\) crossed each way on static port 7' \
        '\(b\) XAM-EVTCHN: xam-evtchn exited with status 0'
    anywhere 'a \(domain 1\): powered off' 'b \(domain 2\): powered off' 'all domains have stopped: powering off'
    absent 'FAIL' 'ERROR' 'WARNING' 'CRASH' 'PANIC' 'Kernel panic' 'Unable to handle' 'BUG:' 'Call trace'
}
