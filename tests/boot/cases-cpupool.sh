# Cpupools as Xen has them (docs/bindings.md), sourced by run.sh: a
# pool's CPUs run only its domains, the others run on Pool-0 (the CPUs in
# no pool), and a pool with cpupool-sched "null" gives each vCPU a CPU of
# its own. On 4 CPUs: the pool rt holds CPUs 2 and 3 with the null
# scheduler; rt's two vCPUs get one each, a second domain of the pool
# finds none and is refused, and two guests that never give their CPU up
# run on Pool-0 (CPUs 0 and 1) without slowing rt.
case_cpupool-null() {
    local f; f=$(dt dom-cpupool-null)
    cp "$(dt v3-smp4)" "$f"
    fdtput -c "$f" /chosen/rt-pool || { fail "could not write $f"; return; }
    fdtput -t s "$f" /chosen/rt-pool compatible xen,cpupool
    fdtput -t x "$f" /chosen/rt-pool cpupool-cpus "$(fdtget -t x "$f" /cpus/cpu@2 phandle)" "$(fdtget -t x "$f" /cpus/cpu@3 phandle)"
    fdtput -t s "$f" /chosen/rt-pool cpupool-sched null
    fdtput -t x "$f" /chosen/rt-pool phandle 0x7100
    # fdtput -c puts each new domain first: /chosen order is rt, late,
    # spin1, spin0, so rt takes the pool's CPUs before late asks
    add_domain "$f" spin0 "$guests/noisy.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" spin1 "$guests/noisy.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" late "$guests/hello.Image" 0x50600000 memory=0:0x4000 cpus=1 vpl011 domain-cpupool=0x7100
    add_domain "$f" rt "$guests/timer.Image" 0x50000000 memory=0:0x4000 cpus=2 vpl011 domain-cpupool=0x7100
    boot "--gic 3 --smp 4 --dtb $f --load $guests/timer.Image@0x50000000 --load $guests/noisy.Image@0x50200000 --load $guests/noisy.Image@0x50400000 --load $guests/hello.Image@0x50600000" $K
    anywhere 'ERROR: /chosen/late: domain-cpupool: its pool /chosen/rt-pool has cpupool-sched "null", and its vCPU 0 finds no CPU of its own there' \
        'domain [0-9]: vCPU placement 0:CPU2 1:CPU3' \
        'domains: [0-9] +rt +2 +\(2,3\) ' 'domains: [0-9] +spin0 +1 +\([01]\) ' 'domains: [0-9] +spin1 +1 +\([01]\) '
    # rt's timer checks pass while both spinners still hold Pool-0's CPUs
    in_order '\(spin[01]\) noisy: spinning for 2 s' '\(rt\) timer: all checks passed' '\(spin[01]\) noisy: done'
    in_order 'all domains have stopped: powering off'
    count_is 1 ERROR
    absent 'FAIL' 'CRASH' 'PANIC' 'vCPU0 on CPU[23].*spin' 'spin[01], 1 vCPU, .*vCPU0 on CPU[23]'
}
