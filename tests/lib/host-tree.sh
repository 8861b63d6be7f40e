# Sourced by the boot tests and the boot mutation campaign: writing dom0less
# domains into a host device tree with fdtput.

# add_domain DTB NAME KERNEL ADDR [PROP=V1:V2...|FLAG]...: a /chosen/NAME
# xen,domain node (#address-cells and #size-cells 2) with the given
# properties (cells separated by ':', a bare name is an empty property) and
# a multiboot kernel module of KERNEL's size loaded at ADDR.
add_domain() {
    local f=$1 name=$2 kernel=$3 addr=$4 p node size
    shift 4
    node=/chosen/$name
    size=$(printf '0x%x' "$(stat -c %s "$kernel")")
    fdtput -c "$f" "$node" "$node/kernel"
    fdtput -t s "$f" "$node" compatible xen,domain
    fdtput -t x "$f" "$node" '#address-cells' 2
    fdtput -t x "$f" "$node" '#size-cells' 2
    for p in "$@"; do
        # shellcheck disable=SC2046 # the cells, one word each
        if [[ $p == *=* ]]; then fdtput -t x "$f" "$node" "${p%%=*}" $(tr ':' ' ' <<<"${p#*=}")
        else fdtput -t x "$f" "$node" "$p"; fi # an empty property
    done
    fdtput -t s "$f" "$node/kernel" compatible multiboot,kernel multiboot,module
    fdtput -t x "$f" "$node/kernel" reg 0 "$addr" 0 "$size"
}
