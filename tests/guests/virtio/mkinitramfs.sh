#!/usr/bin/env bash
# The initramfs of the virtio clients (tests/boot/cases-virtio.sh):
#   mkinitramfs.sh FETCHED OUT
# FETCHED is build/out/guests/linux-dm (build/fetch-xen-libs.sh): busybox
# and the kernel's virtio modules, loaded by init.sh in dependency order
# (ext4 and its checksums are built into Debian's cloud kernel).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetched=$1 out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules"
cp "$fetched/busybox" "$root/bin/busybox"
install -m 755 "$here/init.sh" "$root/init"
: >"$root/lib/modules/load-order"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console virtio-rng; do
    # absent: built into the kernel (build/fetch-xen-libs.sh checked)
    [ -f "$fetched/modules/$m.ko" ] || continue
    cp "$fetched/modules/$m.ko" "$root/lib/modules/"
    echo "$m" >>"$root/lib/modules/load-order"
done
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
