#!/usr/bin/env bash
# Host-tree mutants booted for real: each mutant of a valid host device tree
# (several domains running the bare-metal test guests, loaded with QEMU's
# loader device) goes through xam-dryrun and is booted under QEMU through
# the loader shim (tests/boot/shim.S: the tree reaches the hypervisor
# unpatched). A mutant fails on
#   - a crash report on the console (common/panic.c: "PANIC on CPUn",
#     arch code: "*** CRASH on CPUn"),
#   - a hang: QEMU still running after the time-out (the hypervisor powers
#     the machine off once every domain has stopped, or refuses to start;
#     it halts only when the tree gives it no PSCI to power off with),
#   - any disagreement with the dry run: a whole-tree refusal on one side
#     only, or in other words, or a different list of refused domains (as
#     tests/boot/run.sh's twin(): the boot's "ERROR: WHY; domain skipped",
#     the dry run's "NAME: rejected: WHY"), or a domain the dry run accepts
#     that the boot does not build (and the reverse).
# The few checks only the running machine can make (docs/getting-started.md)
# are tolerated, each by its own narrow rule in verdict() below.
#
#   hostdt-boot.sh smoke          9 fixed mutants (part of make fuzz-smoke)
#   hostdt-boot.sh long           HOSTDT_BOOT_COUNT mutants (default 300), new
#                                 ones started for at most FUZZ_SECONDS (600);
#                                 campaign seed HOSTDT_BOOT_SEED (default: time)
#   hostdt-boot.sh replay SEED... the mutants of these seeds, verbosely
#   hostdt-boot.sh check DTB BASE a given tree (a regression fixture) booted
#                                 with BASE's machine and files
# Time-out: HOSTDT_BOOT_TIMEOUT (20 s), plus 30 s per GiB of guest RAM the dry
# run accepts. HOSTDT_BOOT_JOBS (2) mutants at a time; HOSTDT_BOOT_KEEP=1
# keeps each mutant's RAM view (the files given to the dry run).
# Every mutant is made from its seed (the seed picks the base tree and
# tests/fuzz/mutate_dtb's edits; the guest images' sizes are in the bases),
# so "replay SEED" rebuilds and reruns it.
# Prints one line, "ok - fuzz/hostdt-boot (...)" or "not ok - fuzz/hostdt-boot:
# ..." followed by each failing mutant: seed, mutations, why, the dry run's
# verdicts and the console log's tail. Failing mutants are kept under
# OUT/tests/fuzz/hostdt-boot/failures/SEED/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/host-tree.sh"
root=$(cd "$here/../.." && pwd)
cd "$root"
OUT=${OUT:-build/out}
image=${XAM_IMAGE:-$OUT/xen-arm-minimal.Image}
shim=${XAM_SHIM:-$OUT/tests/boot/shim.bin}
guests=${XAM_GUESTS:-$OUT/tests/guests}
dryrun=${XAM_DRYRUN:-$OUT/tools/xam-dryrun}
mutator=${XAM_MUTATOR:-$OUT/tests/fuzz/mutate_dtb}
work=$OUT/tests/fuzz/hostdt-boot
qemu_run=$root/tests/boot/qemu-run.sh
timeout_s=${HOSTDT_BOOT_TIMEOUT:-20}
jobs_max=${HOSTDT_BOOT_JOBS:-2}
name=fuzz/hostdt-boot

mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
    smoke | long | replay | check) ;;
    *) echo "usage: hostdt-boot.sh smoke|long|replay SEED...|check DTB BASE" >&2; exit 2 ;;
esac
for f in "$image" "$shim" "$guests/hello.Image" "$dryrun" "$mutator"; do
    [ -e "$f" ] || { echo "not ok - $name: $f is missing (make hypervisor dryrun guests, and fuzz.mk's mutate_dtb)"; exit 1; }
done
mkdir -p "$work"
# Every run has its own scratch directory (two runs at once must not share
# one: make fuzz-smoke may start beside a long campaign), removed at the end;
# failing mutants are copied to $work/failures/SEED, and replay and check
# leave theirs in $work/last/SEED.
scratch=$(mktemp -d "$work/run.XXXXXX")
finish() {
    if [ "$mode" = replay ] || [ "$mode" = check ]; then
        mkdir -p "$work/last"
        local d
        for d in "$scratch"/m/*; do
            [ -d "$d" ] || continue
            rm -rf "$work/last/${d##*/}"
            mv "$d" "$work/last/"
        done
    fi
    rm -rf "$scratch"
}
trap finish EXIT
# Others may rebuild these while a campaign runs: use a private copy.
bin=$scratch/bin
rm -rf "$bin"
mkdir -p "$bin/guests"
cp "$image" "$bin/xen-arm-minimal.Image"
cp "$shim" "$bin/shim.bin"
cp "$dryrun" "$bin/xam-dryrun"
cp "$mutator" "$bin/mutate_dtb"
cp "$guests"/*.Image "$bin/guests/"
image=$bin/xen-arm-minimal.Image shim=$bin/shim.bin dryrun=$bin/xam-dryrun mutator=$bin/mutate_dtb guests=$bin/guests

# ---- the base trees ------------------------------------------------------------
# A base: QEMU's own tree for a machine (gic, CPUs; 2 GiB), without its
# random seeds (so a mutant depends on its seed alone), plus domains.
# BASES lists them; BASE_<name>=(GIC SMP FILE@ADDR...) says how to boot one.
bases_dir=$scratch/bases
BASES=(multi pool bridge v2)
machine_tree() { # machine_tree OUT GIC SMP
    "$root/tests/dtb/qemu-dtb.sh" "$1.raw" "$2" "$3" 2G
    dtc -q -I dtb -O dtb -p 4096 -o "$1" "$1.raw"
    rm -f "$1.raw"
    fdtput -d "$1" /chosen rng-seed
    fdtput -d "$1" /chosen kaslr-seed
}
# shellcheck disable=SC2034 # BASE_* are read through "local -n spec=BASE_$base"
make_bases() {
    mkdir -p "$bases_dir"
    local g=$guests f
    # multi: five domains on two CPUs: 2 MiB-aligned, not 2 MiB-aligned,
    # static memory, PV interfaces, and one guest that faults
    f=$bases_dir/multi.dtb
    machine_tree "$f" 3 2
    fdtput -t x "$f" /chosen '#address-cells' 2
    fdtput -t x "$f" /chosen '#size-cells' 2
    add_domain "$f" faulty "$g/fault.Image" 0x50800000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" copied "$g/hello.Image" 0x50601000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/copied/kernel bootargs "hello world"
    add_domain "$f" static "$g/hello.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 \
        xen,static-mem=0:0x60000000:0:0x800000:0:0x61000000:0:0x800000
    add_domain "$f" hello2 "$g/hello.Image" 0x50200000 memory=0:0x4000 cpus=2 vpl011
    fdtput -t s "$f" /chosen/hello2 xen,enhanced enabled
    add_domain "$f" hello1 "$g/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    BASE_multi=(3 2 "$g/hello.Image@0x50000000" "$g/hello.Image@0x50200000" "$g/hello.Image@0x50400000"
        "$g/hello.Image@0x50601000" "$g/fault.Image@0x50800000")
    # pool: a cpupool of CPUs 2-3, hard affinity, on four CPUs
    f=$bases_dir/pool.dtb
    machine_tree "$f" 3 4
    fdtput -c "$f" /chosen/pool23
    fdtput -t s "$f" /chosen/pool23 compatible xen,cpupool
    fdtput -t x "$f" /chosen/pool23 cpupool-cpus "$(fdtget -t x "$f" /cpus/cpu@2 phandle)" "$(fdtget -t x "$f" /cpus/cpu@3 phandle)"
    fdtput -t x "$f" /chosen/pool23 phandle 0x7000
    add_domain "$f" single "$g/hello.Image" 0x50400000 memory=0:0x4000 cpus=3 vpl011
    add_domain "$f" pinned "$g/hello.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    fdtput -c "$f" /chosen/pinned/vcpu0
    fdtput -t s "$f" /chosen/pinned/vcpu0 compatible xen,vcpu
    fdtput -t x "$f" /chosen/pinned/vcpu0 id 0
    fdtput -t s "$f" /chosen/pinned/vcpu0 hard-affinity "1"
    add_domain "$f" pooled "$g/hello.Image" 0x50000000 memory=0:0x4000 cpus=2 vpl011 domain-cpupool=0x7000
    BASE_pool=(3 4 "$g/hello.Image@0x50000000" "$g/hello.Image@0x50200000" "$g/hello.Image@0x50400000")
    # bridge: a device model serving two guests' PCI bridges (one held until
    # it connects), beside a guest without PV interfaces. The guests' command
    # lines never say "bridge": dtcheck would then poll for a device model
    # for up to 100 s, which a mutant may well have taken away.
    f=$bases_dir/bridge.dtb
    machine_tree "$f" 3 2
    add_domain "$f" plain "$g/dtcheck.Image" 0x50800000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/plain/kernel bootargs "noxen"
    add_domain "$f" guest2 "$g/dtcheck.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7100 \
        secondary-emulated-pci-host-bridge=0:0x60000000:0:0x200000:0:0x70000000:0:0x1000000:0:0:0:0:0x28:2:0 \
        hold-until-device-model
    fdtput -t s "$f" /chosen/guest2 xen,enhanced no-xenstore
    add_domain "$f" guest1 "$g/dtcheck.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 device-model=0x7100 \
        secondary-emulated-pci-host-bridge
    fdtput -t s "$f" /chosen/guest1 xen,enhanced enabled
    add_domain "$f" dm "$g/devmodel.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011 phandle=0x7100
    BASE_bridge=(3 2 "$g/devmodel.Image@0x50000000" "$g/dtcheck.Image@0x50200000" "$g/dtcheck.Image@0x50400000"
        "$g/dtcheck.Image@0x50800000")
    # v2: GICv2, one CPU: a gzip-compressed kernel, a partial device tree
    # passing QEMU's PL031 through, two more guests
    f=$bases_dir/v2.dtb
    machine_tree "$f" 2 1
    dtc -q -I dts -O dtb -o "$bases_dir/partial-rtc.dtb" "$root/tests/boot/partial/rtc.dts"
    gzip -9 -n -c "$g/hello.Image" >"$bases_dir/hello.Image.gz"
    add_domain "$f" two "$g/hello.Image" 0x50800000 memory=0:0x4000 cpus=2 vpl011
    add_domain "$f" rtc "$g/dtcheck.Image" 0x50400000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/rtc/kernel bootargs "noxen passthrough"
    fdtput -c "$f" /chosen/rtc/dtb
    fdtput -t s "$f" /chosen/rtc/dtb compatible multiboot,device-tree multiboot,module
    fdtput -t x "$f" /chosen/rtc/dtb reg 0 0x50600000 0 "$(printf '0x%x' "$(stat -c %s "$bases_dir/partial-rtc.dtb")")"
    add_domain "$f" zipped "$bases_dir/hello.Image.gz" 0x50200000 memory=0:0x4000 cpus=1 vpl011
    add_domain "$f" hello "$g/hello.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    BASE_v2=(2 1 "$g/hello.Image@0x50000000" "$bases_dir/hello.Image.gz@0x50200000" "$g/dtcheck.Image@0x50400000"
        "$bases_dir/partial-rtc.dtb@0x50600000" "$g/hello.Image@0x50800000")
}

# ---- one mutant -------------------------------------------------------------------
GUEST_LINE='^\[ *[0-9]+\.[0-9]+\] \('
hv_lines() { grep -avE -- "$GUEST_LINE" "$1" | tr -d '\r' | sed 's/^\[ *[0-9.]*\] //' || true; }

# boot DIR DTB BASE TIMEOUT: the boot's console in DIR/boot.log; prints QEMU's exit
# status, or "halted" when the hypervisor said it halts for want of PSCI
# (then QEMU is stopped at once rather than at the time-out).
boot() { # boot DIR DTB BASE TIMEOUT
    local dir=$1 dtb=$2 base=$3 limit=$4 l args qpid t rc=0 halted=""
    local -n spec=BASE_$base
    args=(--shim "$shim" --gic "${spec[0]}" --smp "${spec[1]}" --dtb "$dtb")
    for l in "${spec[@]:2}"; do args+=(--load "$l"); done
    : >"$dir/boot.log"
    "$qemu_run" "${args[@]}" --timeout "$limit" --log "$dir/boot.log" -- "$image" &
    qpid=$!
    while kill -0 "$qpid" 2>/dev/null; do
        if [ -z "$halted" ] && grep -qa 'power-off failed: no PSCI; halting' "$dir/boot.log"; then
            halted=1
            sleep 0.3
            # qemu-run.sh's child is timeout(1), which passes SIGTERM to QEMU
            t=$(pgrep -P "$qpid" -x timeout || true)
            [ -z "$t" ] || kill -TERM "$t" 2>/dev/null || true
        fi
        sleep 0.2
    done
    wait "$qpid" || rc=$?
    if [ -n "$halted" ]; then echo halted; else echo "$rc"; fi
}

# the dry run's verdicts as the boot words them: one line per refusal,
# "PATH: WHY" (twin() in tests/boot/run.sh); a path of 128 characters or
# more is "<bad node>" on both sides (dt_node_path(), DT_PATH_MAX)
# (a name may hold ": ", the verdict words do not: cut at the first
# ": rejected: ")
dry_refusals() {
    awk '{ i = index($0, ": rejected: "); if (!i) next
           n = substr($0, 1, i - 1); w = substr($0, i + 12); c = substr(w, 1, 1)
           p = "/chosen/" n; if (length(p) >= 128) p = "<bad node>"
           if (c == "/" || c == "<") print w; else print p ": " w }' "$1" | sort
}
# the domain a refusal line is about: /chosen/NAME/...: or /chosen/NAME: ...
# -> NAME, the longest of /chosen's children's names ($names) that fits
# (a name may hold ": " or spaces)
line_domain() {
    line=$1 awk 'BEGIN { l = ENVIRON["line"] }
        { p = "/chosen/" $0; if ((index(l, p "/") == 1 || index(l, p ": ") == 1) && length($0) > length(best)) best = $0 }
        END { print best }' <<<"$names"
}
in_list() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

# taken_by_boot "FIRST LAST" HV-LINES: the range overlaps the hypervisor
# image or the host tree, as the boot reserved them ("memory: reserved")
taken_by_boot() {
    local a b lo hi
    read -r a b <<<"$1"
    while read -r lo hi; do
        [ $((a)) -le $((hi)) ] && [ $((lo)) -le $((b)) ] && return 0
    done < <(sed -nE 's/^memory: reserved +(0x[0-9a-f]+)-(0x[0-9a-f]+) .*(hypervisor image|host device tree)$/\1 \2/p' <<<"$2")
    return 1
}

# verdict DIR RC: empty if the mutant passes, else why; DIR/notes gets the
# tolerated machine-only refusals
verdict() {
    local dir=$1 rc=$2 log=$1/boot.log hv fatal dryfatal l d names
    hv=$(hv_lines "$log")
    names=$(fdtget -l "$dir/mutant.dtb" /chosen 2>/dev/null || true)
    : >"$dir/notes"
    local crash; crash=$(grep -m1 -E 'ERROR: (PANIC on CPU|\*\*\* CRASH on CPU)' <<<"$hv" || true)
    [ -z "$crash" ] || { echo "crash report: $crash"; return; }
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "hang: QEMU still running after $(cat "$dir/timeout") s (last hypervisor line: $(grep -v '^qemu-system' <<<"$hv" | tail -1))"; return
    fi
    [ "$rc" = 0 ] || [ "$rc" = halted ] || { echo "QEMU exited with status $rc"; return; }
    local end; end=$(grep -cE '^(all domains have stopped: powering off|no domains to run: powering off|ERROR: xen-arm-minimal cannot start: )' <<<"$hv" || true)
    [ "$end" -ge 1 ] || { echo "the machine stopped without the hypervisor saying why (no power-off or refusal line)"; return; }
    grep -q 'power-off failed: firmware refused' <<<"$hv" && { echo "power-off failed: the firmware refused SYSTEM_OFF"; return; }

    # -- the whole tree --
    fatal=$(sed -n 's/^ERROR: xen-arm-minimal cannot start: //p' <<<"$hv" | head -1)
    dryfatal=""
    [ "$(cat "$dir/dryrun.rc")" != 2 ] || dryfatal=$(sed -n 's/^host device tree: //p' "$dir/dryrun.txt" | head -1)
    [ "$(cat "$dir/dryrun.rc")" != 2 ] || [ -n "$dryfatal" ] || { echo "harness: the dry run failed: $(head -3 "$dir/dryrun.txt" | tr '\n' ' ')"; return; }
    if [[ $fatal == 'host device tree at 0x48000000: '* ]]; then
        fatal=${fatal#host device tree at 0x48000000: }
        [ -n "$dryfatal" ] || { echo "the boot refused the whole tree (\"$fatal\"), the dry run did not"; return; }
        [ "$fatal" = "$dryfatal" ] || { echo "both refused the whole tree, in other words: boot \"$fatal\", dry run \"$dryfatal\""; return; }
        return
    fi
    if [ -n "$fatal" ]; then
        [ -z "$dryfatal" ] || { echo "the dry run refused the tree (\"$dryfatal\"), the boot for another reason (\"$fatal\")"; return; }
        # Documented machine-only whole-boot refusals (docs/getting-started.md,
        # MACHINE_ONLY in tests/boot/run.sh): RAM and the GIC's frames
        # answering where the tree says. (The third, the exception level
        # the hypervisor is entered at, cannot happen here.)
        if grep -qE '^memory: nothing answers at 0x[0-9a-f]+, which the device tree says is RAM' <<<"$fatal" ||
            grep -qE '^/[^:]*: reg: nothing answers at 0x[0-9a-f]+, where it places the GICv[23] ' <<<"$fatal" ||
            grep -qE '^CPU0: the EL2 timer interrupt never arrived$' <<<"$fatal" ||
            grep -qE '^the boot CPU \(MPIDR 0x[0-9a-f]+\) is not among the [0-9]+ CPUs in /cpus' <<<"$fatal"; then
            echo "tolerated: machine-only refusal: $fatal" >>"$dir/notes"
            return
        fi
        echo "the boot refused the whole tree, the dry run accepted it, and the reason is not in docs/getting-started.md's machine-only list: \"$fatal\""; return
    fi
    [ -z "$dryfatal" ] || { echo "the dry run refused the whole tree (\"$dryfatal\"), the boot did not"; return; }
    grep -q '^boot: ready to build domains' <<<"$hv" || { echo "the boot never reached 'ready to build domains'"; return; }

    # -- the domains --
    local boot_list dry_list tolerated=()
    boot_list=$(sed -n 's/^ERROR: \(.*\); domain skipped$/\1/p' <<<"$hv" | sort)
    dry_list=$(dry_refusals "$dir/dryrun.txt")
    # Modules whose contents only the machine knows (QEMU's own tree): their
    # domains are not compared.
    while read -r l; do
        [ -n "$l" ] || continue
        d=$(line_domain "$l/")
        [ -z "$d" ] || { tolerated+=("$d"); echo "not compared: $d (a module in RAM QEMU fills itself: $l)" >>"$dir/notes"; }
    done < <(sed -n 's/^unknown //p' "$dir/view.txt")
    # Documented machine-only refusals of one domain (docs/getting-started.md,
    # MACHINE_ONLY in tests/boot/run.sh): those domains are not compared.
    while IFS= read -r l; do
        [ -n "$l" ] || continue
        d=$(line_domain "$l")
        # a module over the hypervisor's image, whose address the dry run
        # cannot know
        if [ -n "$d" ] && grep -qE ': reg: module 0x[0-9a-f]+\+0x[0-9a-f]+: overlaps the hypervisor image$' <<<"$l"; then
            tolerated+=("$d"); echo "tolerated: $l" >>"$dir/notes"
        # not enough free memory: how the allocator's ranges fall
        elif [ "$l" = "/chosen/$d: cannot build the domain (error -12: not enough free memory)" ]; then
            tolerated+=("$d"); echo "tolerated: $l (free memory)" >>"$dir/notes"
        # CPUs that did not come up (no PSCI, or one that never answered)
        elif [[ $l == "/chosen/$d"*": none of its CPUs is online"* || $l == "/chosen/$d"*": names no online CPU"* ]] &&
            grep -qE '^(smp: [0-9]+ of [0-9]+ CPUs online|psci: no PSCI)' <<<"$hv" &&
            ! grep -qE '^smp: ([0-9]+) of \1 CPUs online' <<<"$hv"; then
            tolerated+=("$d"); echo "tolerated: $l (CPUs that did not come up)" >>"$dir/notes"
        # a module over the host tree, where the boot loader put the tree
        elif [ -n "$d" ] && grep -qE ': reg: module 0x[0-9a-f]+\+0x[0-9a-f]+: overlaps the host device tree$' <<<"$l"; then
            tolerated+=("$d"); echo "tolerated: $l" >>"$dir/notes"
        # a passthrough interrupt the host GIC does not have
        elif [ "$l" = "/chosen/$d: cannot build the domain (error -34: something it asks for is not on this machine, see above)" ] &&
            grep -F -- "ERROR: ${d:0:31}: host interrupt " <<<"$hv" | grep -qE ': host interrupt [0-9]+ \(SPI [0-9]+\) does not exist: the host GIC has [0-9]+ interrupt lines'; then
            tolerated+=("$d"); echo "tolerated: $l (a passthrough interrupt the GIC lacks)" >>"$dir/notes"
        # a gzip-compressed kernel damaged past the header both read first
        elif [[ $l == "/chosen/$d: cannot build the domain (error -"[0-9]*": its kernel could not be loaded, see above)" ]] &&
            grep -qF -- "ERROR: ${d:0:31}: the gzip-compressed kernel does not decompress" <<<"$hv"; then
            tolerated+=("$d"); echo "tolerated: $l (a gzip stream damaged past its header)" >>"$dir/notes"
        # static memory something else took first at boot: here, what the
        # boot loader placed (the hypervisor's image, the host tree), as the
        # boot reserved it; a range over anything the tree shows is the dry
        # run's to refuse
        elif [[ $l == "/chosen/$d: xen,static-mem: 0x"*" is not free "* ]] &&
            taken_by_boot "$(sed -E 's/.*xen,static-mem: (0x[0-9a-f]+)-(0x[0-9a-f]+) is not free.*/\1 \2/' <<<"$l")" "$hv"; then
            tolerated+=("$d"); echo "tolerated: $l (over the image or the host tree)" >>"$dir/notes"
        fi
    done <<<"$boot_list"
    # drop the tolerated domains' lines from both lists, and the lines that
    # follow from them (a device model not built, a name or static memory
    # now free on one side only)
    local keep_boot="" keep_dry="" t mentions
    filter() { # filter LIST: the lines about no tolerated domain
        local x
        while IFS= read -r x; do
            [ -n "$x" ] || continue
            d=$(line_domain "$x")
            in_list "$d" ${tolerated[@]+"${tolerated[@]}"} && continue
            mentions=""
            for t in ${tolerated[@]+"${tolerated[@]}"}; do
                case "$x" in
                    *"device-model: /chosen/$t is not built"* | *"form a loop ("*"$t"* | *"its name is $t's:"* | *"is already $t's"*) mentions=1 ;;
                esac
            done
            [ -n "$mentions" ] && continue
            echo "$x"
        done <<<"$1"
    }
    keep_boot=$(filter "$boot_list")
    keep_dry=$(filter "$dry_list")
    if [ "$keep_boot" != "$keep_dry" ]; then
        echo "the dry run and the boot refuse different domains: only the boot [$(comm -23 <(echo "$keep_boot") <(echo "$keep_dry") | tr '\n' '|')], only the dry run [$(comm -13 <(echo "$keep_boot") <(echo "$keep_dry") | tr '\n' '|')]"
        return
    fi
    # every domain the dry run accepts is built, and only those (names are
    # cut to 31 characters in the hypervisor's lines)
    local accepted built n
    accepted=$(awk '{ i = index($0, ": ok: "); if (i) print substr($0, 1, i - 1) }' "$dir/dryrun.txt" | cut -c1-31 | sort)
    built=$(sed -n 's/^domain [0-9]*: \(.*\), [0-9]* vCPUs*, .*/\1/p' <<<"$hv" | sort)
    for n in $(comm -23 <(echo "$accepted") <(echo "$built") | tr ' ' '\001'); do
        n=${n//$'\001'/ }
        [ -n "$n" ] || continue
        in_list "$n" ${tolerated[@]+"${tolerated[@]}"} && continue
        echo "the dry run accepts $n, the boot did not build it"; return
    done
    for n in $(comm -13 <(echo "$accepted") <(echo "$built") | tr ' ' '\001'); do
        n=${n//$'\001'/ }
        [ -n "$n" ] || continue
        in_list "$n" ${tolerated[@]+"${tolerated[@]}"} && continue
        echo "the boot built $n, which the dry run did not accept"; return
    done
}

# run_mutant SEED [DTB BASE]: make (or take) the mutant, dry-run it, boot it;
# prints "PASS|FAIL SEED BASE WHY" and leaves the evidence in its directory
run_mutant() {
    local seed=$1 dtb=${2:-} base=${3:-} dir rc why l
    dir=$scratch/m/$seed
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ -z "$dtb" ]; then
        base=${BASES[$((seed % ${#BASES[@]}))]}
        "$mutator" mutate "$bases_dir/$base.dtb" "$dir/mutant.dtb" "$seed" >"$dir/mutations.txt" 2>&1 ||
            { echo "FAIL $seed $base harness: mutate_dtb failed: $(tail -1 "$dir/mutations.txt")"; return; }
    elif [[ $dtb == *.gz ]]; then # a fixture too large to keep unpacked
        gzip -dc "$dtb" >"$dir/mutant.dtb"
        echo "(given: $dtb)" >"$dir/mutations.txt"
    else
        cp "$dtb" "$dir/mutant.dtb"
        echo "(given: $dtb)" >"$dir/mutations.txt"
    fi
    echo "$base" >"$dir/base"
    local -n spec=BASE_$base
    # what RAM will hold at each module, for the dry run
    "$mutator" view "$dir/mutant.dtb" "$dir/view" "${spec[@]:2}" "$dir/mutant.dtb@0x48000000" >"$dir/view.txt" 2>&1 ||
        { echo "FAIL $seed $base harness: mutate_dtb view failed: $(tail -1 "$dir/view.txt")"; return; }
    local m=()
    while read -r l; do [[ $l != "-m "* ]] || m+=(-m "${l#-m }"); done <"$dir/view.txt"
    rc=0
    "$dryrun" ${m[@]+"${m[@]}"} "$dir/mutant.dtb" >"$dir/dryrun.txt" 2>&1 || rc=$?
    echo "$rc" >"$dir/dryrun.rc"
    # the time-out: the base one, and 30 s more per GiB of guest RAM the dry
    # run accepts (the hypervisor clears it; TCG on a busy machine is slow)
    local mib
    mib=$(sed -n 's/^.*: ok: [0-9]* vCPUs*, \([0-9]*\) MiB.*/\1/p' "$dir/dryrun.txt" | awk '{ s += $1 } END { print s + 0 }')
    echo $((timeout_s + (mib + 1023) / 1024 * 30)) >"$dir/timeout"
    rc=$(boot "$dir" "$dir/mutant.dtb" "$base" "$(cat "$dir/timeout")") || true
    why=$(verdict "$dir" "$rc") || true
    if [ -z "$why" ]; then
        local kind=accepted
        if grep -q 'cannot start' "$dir/boot.log"; then kind=tree-refused
        elif grep -q '; domain skipped' "$dir/boot.log"; then kind=domains-refused; fi
        [ -s "$dir/notes" ] && kind+=+tolerated
        echo "PASS $seed $base $kind"
        [ -n "${HOSTDT_BOOT_KEEP:-}" ] || rm -rf "$dir/view"
    else
        echo "FAIL $seed $base $why"
        rm -rf "$dir/view"
        mkdir -p "$work/failures"
        rm -rf "$work/failures/$seed" "$work/failures/$seed.new"
        cp -r "$dir" "$work/failures/$seed.new"
        mv "$work/failures/$seed.new" "$work/failures/$seed"
    fi
}

report_failure() { # report_failure SEED WHY
    local d=$work/failures/$1
    echo "    mutant seed $1 (base $(cat "$d/base")): $2"
    if [[ $1 == check-* ]]; then
        echo "      tree: $d/mutant.dtb   rerun: tests/fuzz/hostdt-boot.sh check $(sed -n 's/^(given: \(.*\))$/\1/p' "$d/mutations.txt") $(cat "$d/base")"
    else
        echo "      mutant: $d/mutant.dtb   replay: tests/fuzz/hostdt-boot.sh replay $1"
    fi
    sed 's/^/      /' "$d/mutations.txt"
    echo "      dry run (exit $(cat "$d/dryrun.rc")):"
    sed 's/^/        /' "$d/dryrun.txt" | head -20
    echo "      console log tail ($d/boot.log):"
    tail -25 "$d/boot.log" | sed 's/^/        /'
}

make_bases || { echo "not ok - $name: could not make the base trees"; exit 1; }
start=$SECONDS
seeds=()
deadline=""
case "$mode" in
    smoke)
        # chosen to take every path of verdict(): accepted, refused domains,
        # a refused tree, machine-only refusals, a halt for want of PSCI
        seeds=(18 41 60 175 397 419 1002 1004 1007) ;;
    long)
        campaign=${HOSTDT_BOOT_SEED:-$(date +%s)}
        count=${HOSTDT_BOOT_COUNT:-300}
        deadline=$((SECONDS + ${FUZZ_SECONDS:-600}))
        echo "# $name: campaign seed $campaign, up to $count mutants, new ones for ${FUZZ_SECONDS:-600} s"
        for ((i = 0; i < count; i++)); do seeds+=($((campaign * 100000 + i))); done ;;
    replay)
        [ $# -gt 0 ] || { echo "usage: hostdt-boot.sh replay SEED..." >&2; exit 2; }
        seeds=("$@") ;;
    check)
        [ $# -eq 2 ] && in_list "$2" "${BASES[@]}" || { echo "usage: hostdt-boot.sh check DTB BASE (${BASES[*]})" >&2; exit 2; }
        seeds=("check-$(basename "${1%.gz}" .dtb)") ;;
esac

results=$scratch/results
mkdir -p "$results"
ran=0
for seed in "${seeds[@]}"; do
    [ -z "$deadline" ] || [ "$SECONDS" -lt "$deadline" ] || break
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
    if [ "$mode" = check ]; then
        run_mutant "$seed" "$1" "$2" >"$results/$seed" 2>&1 &
    else
        run_mutant "$seed" >"$results/$seed" 2>&1 &
    fi
    ran=$((ran + 1))
done
wait

failed=() kinds=""
for seed in "${seeds[@]:0:$ran}"; do
    r=$(cat "$results/$seed" 2>/dev/null || echo "FAIL $seed ? harness: no result")
    if [ "$mode" = replay ] || [ "$mode" = check ]; then
        echo "# $r (console log, dry run, tree: $work/last/$seed/)"
        sed 's/^/#   /' "$scratch/m/$seed/mutations.txt" "$scratch/m/$seed/notes" 2>/dev/null || true
    fi
    if [[ $r == PASS* ]]; then kinds+="$(cut -d' ' -f4 <<<"$r")"$'\n'; else failed+=("$seed"); fi
done
summary=$(sort <<<"$kinds" | uniq -c | awk 'NF >= 2 { printf "%s%d %s", sep, $1, $2; sep = ", " }')
if [ ${#failed[@]} -eq 0 ]; then
    echo "ok - $name ($ran mutants in $((SECONDS - start)) s: ${summary:-none})"
    exit 0
fi
echo "not ok - $name: ${#failed[@]} of $ran mutants failed in $((SECONDS - start)) s${campaign:+ (campaign seed $campaign)}; the others: ${summary:-none}"
for seed in "${failed[@]}"; do
    r=$(cat "$results/$seed" 2>/dev/null || true)
    why=$(cut -d' ' -f4- <<<"$r")
    if [ -d "$work/failures/$seed" ]; then report_failure "$seed" "$why"; else echo "    mutant seed $seed: $why"; fi
done
exit 1
