# The hypervisor's entropy (common/random.c), sourced by run.sh. With
# QEMU's /chosen/rng-seed every guest gets seeds (linux_boot checks a
# Linux guest takes them); without any source the boot says so and guests
# get none, rather than seeds nothing backs.
case_random-no-entropy() {
    local f; f=$(dt dom-hello-no-seed)
    cp "$(dt dom-hello-v3)" "$f"
    fdtput -d "$f" /chosen rng-seed && fdtput -d "$f" /chosen kaslr-seed || { fail "could not write $f"; return; }
    boot "--gic 3 --smp 2 --dtb $f --load $guests/hello.Image@0x50000000" $K
    in_order 'WARNING: random: no entropy source \(no /chosen/rng-seed in the host tree, no RNDR\): guests get no rng-seed' \
        'domain 1: domU0, 1 vCPU' '\(domU0\) hello: all checks passed' 'all domains have stopped: powering off'
    absent 'random: seeded' 'CRASH' 'PANIC'
}
