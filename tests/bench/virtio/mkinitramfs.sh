#!/usr/bin/env bash
# The two archives of the virtio disk bench (tests/bench/virtio.sh):
#   mkinitramfs.sh FETCHED XAM-DEVMODEL DISK OUTDIR
# OUTDIR/client.cpio.gz: the client's initramfs, built as
# tests/guests/virtio/mkinitramfs.sh builds the boot case's (busybox and the
# kernel's virtio modules from FETCHED, build/out/guests/linux-dm), with
# this directory's init.sh. OUTDIR/dm-extra.cpio.gz: appended to the
# device model's initramfs (make devmodel-image; Linux unpacks each archive
# in turn, a later file replacing an earlier one): the program as
# /bin/xam-devmodel.real, xam-devmodel-wrapper.sh as /bin/xam-devmodel, and
# DISK as /disks/bench.img.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetched=$1 program=$2 disk=$3 outdir=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/client
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules" "$outdir"
cp "$fetched/busybox" "$root/bin/busybox"
install -m 755 "$here/init.sh" "$root/init"
: >"$root/lib/modules/load-order"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
    [ -f "$fetched/modules/$m.ko" ] || continue # built into the kernel
    cp "$fetched/modules/$m.ko" "$root/lib/modules/"
    echo "$m" >>"$root/lib/modules/load-order"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$outdir/client.cpio.gz"
root=$work/dm
mkdir -p "$root/bin" "$root/disks"
install -m 755 "$program" "$root/bin/xam-devmodel.real"
install -m 755 "$here/xam-devmodel-wrapper.sh" "$root/bin/xam-devmodel"
cp "$disk" "$root/disks/bench.img"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 -n) >"$outdir/dm-extra.cpio.gz"
