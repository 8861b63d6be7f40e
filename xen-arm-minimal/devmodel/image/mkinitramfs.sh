#!/usr/bin/env bash
# The device-model domain's initramfs (booted with Debian's arm64 kernel,
# build/out/guests/linux/Image):
#   mkinitramfs.sh FETCHED PROGRAM OUT
# FETCHED is build/out/guests/linux-dm (build/fetch-xen-libs.sh): busybox,
# the kernel's modules, and the arm64 sysroot with Debian's libxen*.so and
# libc6. The image holds /init (init.sh), busybox, the modules init.sh
# loads (lib/modules/load-order, in dependency order), and PROGRAM as
# /bin/xam-devmodel with every shared object it needs (found from its
# DT_NEEDED entries, recursively) and the dynamic loader.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetched=$1 prog=$2 out=$3
readelf=${CROSS:-aarch64-linux-gnu-}readelf
sysroot=$fetched/sysroot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
die() { echo "mkinitramfs: $*" >&2; exit 1; }

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/lib/modules" \
    "$root/lib/aarch64-linux-gnu"
cp "$fetched/busybox" "$root/bin/busybox" # init.sh installs its applets
install -m 755 "$here/init.sh" "$root/init"
install -m 755 "$prog" "$root/bin/xam-devmodel"

# Modules, each after what it depends on, with its parameters.
# xen-privcmd: unrestricted=1, as there is no xenstore (docs/device-models.md).
: >"$root/lib/modules/load-order"
for m in xen-privcmd:unrestricted=1 xen-evtchn xen-gntdev xen-gntalloc libnvdimm dax nd_btt nd_pmem of_pmem; do
    name=${m%%:*} args=
    [ "$name" = "$m" ] || args=${m#*:}
    # absent: the kernel has it built in (build/fetch-xen-libs.sh checked)
    [ -f "$fetched/modules/$name.ko" ] || continue
    cp "$fetched/modules/$name.ko" "$root/lib/modules/"
    echo "$name $args" >>"$root/lib/modules/load-order"
done

# The program's shared objects, from Debian's packages in the sysroot
find_lib() { # find_lib SONAME: its path in the sysroot
    local d
    for d in "$sysroot/usr/lib/aarch64-linux-gnu" "$sysroot/lib/aarch64-linux-gnu"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
needed() { "$readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
todo=("$prog") done_libs=" "
while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}
    todo=("${todo[@]:1}")
    for lib in $(needed "$f"); do
        case "$done_libs" in *" $lib "*) continue ;; esac
        [ "$lib" = ld-linux-aarch64.so.1 ] && continue # the loader: below
        done_libs="$done_libs$lib "
        src=$(find_lib "$lib") || die "$lib (needed by $(basename "$f")) is not in $sysroot"
        cp -L "$src" "$root/lib/aarch64-linux-gnu/$lib"
        todo+=("$src")
    done
done
interp=$("$readelf" -l "$prog" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
[ "$interp" = /lib/ld-linux-aarch64.so.1 ] || die "$prog asks for the loader '$interp'"
cp -L "$sysroot/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" "$root/lib/aarch64-linux-gnu/"
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
# Debian's loader also looks in /usr/lib/aarch64-linux-gnu; one place is enough
echo "mkinitramfs: xam-devmodel with$done_libs+ ld-linux-aarch64.so.1; modules $(awk '{ printf "%s ", $1 }' "$root/lib/modules/load-order")"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
