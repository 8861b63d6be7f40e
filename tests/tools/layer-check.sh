#!/usr/bin/env bash
# The hypervisor's layers point one way: a file may include headers of its
# own layer and of layers below it, never above. The layers, lowest first,
# and what belongs to each are below; docs/architecture.md draws them.
# Prints one "ok - tools/layers" line, or "not ok" with every include that
# points up. Also checks that each layer's files include private headers
# of another directory only through the include path (no "../" includes
# across directories).
#   layer-check.sh [SRCDIR]
set -uo pipefail
src=${1:-xen-arm-minimal}
cd "$(dirname "$0")/../.." || exit 2

LAYERS=(lib dt cpu base arch vcpu vdev hypercall builder boot tools dm-dev dm-xen)
# path prefix (under $src) -> layer; the longest matching prefix wins.
# Headers are placed by what they declare, not by where they live.
declare -A MAP=(
    # lib: pure code and definitions, no hardware, no state of the machine
    [lib/]=lib [mm/]=lib [include/libc/]=lib
    [include/xam/types.h]=lib [include/xam/errno.h]=lib [include/xam/fmt.h]=lib
    [include/xam/cmdline.h]=lib [include/xam/inflate.h]=lib [include/xam/memrange.h]=lib
    [include/xam/palloc.h]=lib [include/xam/xen_abi.h]=lib [include/xam/guest_map.h]=lib [include/xam/vaffinity.h]=lib
    [include/xam/chacha20.h]=lib
    [include/xam/xen_abi_evtchn.h]=lib
    [include/xam/xen_abi_ioreq.h]=lib [include/xam/xen_abi_memory.h]=lib
    [include/xam/pci_bridge.h]=lib [include/xam/xen_abi_grant.h]=lib [include/xam/virtio_dev.h]=lib
    # dt: the host device tree reader
    [dt/]=dt [include/xam/hostdt.h]=dt [include/xam/dtutil.h]=dt
    # cpu: the CPU's primitives as headers (system registers, locks, per-CPU
    # data, page tables, caches, timers, firmware calls, syndromes)
    [arch/arm64/include/asm/]=cpu [arch/fake/include/asm/]=cpu [arch/arm64/pagetable.c]=cpu
    [arch/arm64/esr.c]=cpu [arch/arm64/idregs.c]=cpu
    # base: the machine's services (console and log, interrupts, memory,
    # panic) and the device drivers under them
    [common/log.c]=base [common/console_hold.c]=base [common/console_tx.c]=base [common/panic.c]=base [common/irq.c]=base [common/memory.c]=base [common/random.c]=base
    [include/xam/random.h]=base
    [drivers/]=base
    [include/xam/log.h]=base [include/xam/console_hold.h]=base [include/xam/console_tx.h]=base [include/xam/irq.h]=base [include/xam/memory.h]=base
    [include/xam/shutdown.h]=base [include/xam/pl011.h]=base [include/xam/gic.h]=base
    # arch: the CPU's code (MMU, timers, firmware, crash reports)
    [arch/arm64/]=arch [arch/fake/]=arch
    # vcpu: the core (domains, lifecycle, scheduler, exits and emulation)
    # and the architecture's half of a vCPU (entry and exit, context
    # switch, guest memory access, its timer and list registers): one layer
    [core/]=vcpu
    [arch/arm64/vcpu.c]=vcpu [arch/arm64/guest_entry.S]=vcpu [arch/arm64/guest_mem.c]=vcpu
    [arch/arm64/vtimer.c]=vcpu [arch/arm64/vgic_hw.c]=vcpu [arch/arm64/vgic_v2.c]=vcpu
    [arch/arm64/vgic_v3.c]=vcpu
    [arch/arm64/include/asm/guest_mem.h]=vcpu [arch/arm64/include/asm/vtimer.h]=vcpu
    [arch/arm64/include/asm/vgic_hw.h]=vcpu [arch/arm64/include/asm/vcpu_arch.h]=vcpu
    [arch/fake/fake.c]=vcpu [arch/fake/fake.h]=vcpu
    [include/xam/domain.h]=vcpu [include/xam/sched.h]=vcpu [include/xam/emul.h]=vcpu
    [include/xam/exit.h]=vcpu [include/xam/vintc.h]=vcpu [include/xam/ioreq.h]=vcpu [include/xam/p2m.h]=vcpu
    [include/xam/evtchn.h]=vcpu [include/xam/pvconsole.h]=vcpu [include/xam/dm_console.h]=vcpu [include/xam/domain_input.h]=vcpu
    [include/xam/guest_console.h]=vcpu [include/xam/grant_table.h]=vcpu
    # vdev: the virtual devices guests see
    [vdev/]=vdev
    [include/xam/vgic.h]=vdev [include/xam/vpl011.h]=vdev [include/xam/vpsci.h]=vdev
    [include/xam/vpci_bridge.h]=vdev [include/xam/irq_forward.h]=vdev [include/xam/vdebug.h]=vdev
    [include/xam/vcpufeature.h]=vdev
    # hypercall: Xen's hypercall ABI, decoded
    [hypercall/]=hypercall [include/xam/hypercall.h]=hypercall
    # builder: the dom0less domain builder
    [builder/]=builder [include/xam/builder.h]=builder [include/xam/domain_desc.h]=builder
    [include/xam/guest_fdt.h]=builder
    # boot: the boot flow, bringing up the other CPUs, the console's keys
    [common/setup.c]=boot [common/console_input.c]=boot [common/crashtest.c]=boot
    [arch/arm64/smp.c]=boot [arch/arm64/entry_el.c]=boot [arch/arm64/head.S]=boot
    [arch/arm64/include/asm/smp.h]=boot
    [include/xam/setup.h]=boot [include/xam/console_input.h]=boot [include/xam/crashtest.h]=boot
    # tools: host programs built from the portable layers
    [tools/]=tools
    # the device model, a Linux program (issue 12): its devices and bus,
    # which know nothing of Xen, under the Xen side and its main
    [devmodel/]=dm-dev [devmodel/xen/]=dm-xen [devmodel/main.c]=dm-xen
)

rank() { local i; for i in "${!LAYERS[@]}"; do [ "${LAYERS[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
layer_of() { # layer_of PATH-UNDER-SRC
    local p=$1 best="" k
    for k in "${!MAP[@]}"; do
        [[ $p == "$k"* ]] && [ ${#k} -gt ${#best} ] && best=$k
    done
    [ -n "$best" ] && echo "${MAP[$best]}"
}
# where an include resolves: xam/ and libc names in include/, asm/ in the
# arm64 headers (the fake arch mirrors them for host builds)
header_path() {
    case "$1" in
        xam/*) echo "include/$1" ;;
        asm/*) [ -f "$src/arch/arm64/include/$1" ] && echo "arch/arm64/include/$1" || echo "arch/fake/include/$1" ;;
        *) [ -f "$src/include/libc/$1" ] && echo "include/libc/$1" ;;
    esac
}

bad=() files=0 unplaced=()
while IFS= read -r f; do
    rel=${f#"$src"/}
    me=$(layer_of "$rel")
    if [ -z "$me" ]; then unplaced+=("$rel"); continue; fi
    files=$((files + 1))
    myrank=$(rank "$me")
    while IFS= read -r inc; do
        if [[ $inc == \"*\" ]]; then
            name=${inc//\"/}
            [[ $name == ../* ]] && bad+=("$rel includes \"$name\": a private header of another directory (use the include path)")
            continue
        fi
        name=${inc#<}; name=${name%>}
        hp=$(header_path "$name")
        [ -n "$hp" ] || continue # a compiler or libfdt header
        hl=$(layer_of "$hp")
        [ -n "$hl" ] || { bad+=("$rel includes <$name>, which has no layer (add it to tests/tools/layer-check.sh)"); continue; }
        hr=$(rank "$hl")
        [ "$hr" -le "$myrank" ] || bad+=("$rel ($me) includes <$name> ($hl): points up")
    done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+([<"][^>"]+[>"]).*/\1/p' "$f")
done < <(find "$src" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) | sort)

for u in "${unplaced[@]}"; do bad+=("$u has no layer (add it to tests/tools/layer-check.sh)"); done
# A function used across files is declared once, in a header: a prototype
# at file scope of a .c file is only for an entry point called from
# assembly, so no two .c files may declare the same name.
while read -r n name; do
    [ "$n" -gt 1 ] && bad+=("$name is declared in $n .c files: declare it once, in a header")
done < <(for f in $(find "$src" -name '*.c' | sort); do
             sed -nE 's/^[a-z_][a-z_0-9 ]*[ *]([a-z_][a-z_0-9]*)\(.*\)( __[a-z]+)?;$/\1/p' "$f" | sort -u
         done | sort | uniq -c)
if [ ${#bad[@]} -eq 0 ]; then
    echo "ok - tools/layers ($files files; ${LAYERS[*]})"
else
    echo "not ok - tools/layers: ${#bad[@]} problem(s) with the layering:"
    printf '    %s\n' "${bad[@]}"
    exit 1
fi
