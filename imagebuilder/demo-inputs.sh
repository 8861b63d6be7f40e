#!/usr/bin/env bash
# The files imagebuilder/examples/qemu-virtio-disks.cfg names (the system
# `make run` boots), except the hypervisor and the host tree, which demo.sh
# adds; made by `make imagebuilder-demo` (imagebuilder.mk):
#   demo-inputs.sh FETCHED DEVMODEL-INITRAMFS LINUX-IMAGE-GZ OUT
# FETCHED is build/out/guests/linux-dm (build/fetch-xen-libs.sh: busybox
# and the kernel's virtio modules). OUT gets:
#   linux/Image.gz                 Debian's kernel (all three domains)
#   devmodel/initramfs.cpio.gz     the device model's image (make devmodel-image)
#   guest/initramfs.cpio.gz        busybox, the virtio modules, examples/virtio-guest-init.sh
#   disks/domU1.ext4, domU2.ext4   8 MiB ext4 disks, each with its hello.txt
#   disks/readme.ext4              a 4 MiB ext4 disk with readme.txt (domU2's, read-only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetched=$1 dm_initramfs=$2 image_gz=$3 out=$4
[ -x "$fetched/busybox" ] || { echo "demo-inputs: no busybox in $fetched (run build/deps.sh --guests)" >&2; exit 1; }
command -v mkfs.ext4 >/dev/null || { echo "demo-inputs: no mkfs.ext4 (e2fsprogs: run build/deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
new=$out.new
rm -rf "$new" && mkdir -p "$new/linux" "$new/devmodel" "$new/guest" "$new/disks"
cp "$image_gz" "$new/linux/Image.gz"
cp "$dm_initramfs" "$new/devmodel/initramfs.cpio.gz"
# a damaged archive still boots, with files missing: refuse it here
gzip -t "$new/devmodel/initramfs.cpio.gz" ||
    { echo "demo-inputs: $dm_initramfs is damaged: run make devmodel-image again" >&2; exit 1; }

# The guests' initramfs: the virtio modules Debian builds as modules, in
# dependency order (one built into the kernel is simply absent).
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules"
cp "$fetched/busybox" "$root/bin/busybox"
install -m 755 "$here/examples/virtio-guest-init.sh" "$root/init"
: >"$root/lib/modules/load-order"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console virtio-rng; do
    [ -f "$fetched/modules/$m.ko" ] || continue
    cp "$fetched/modules/$m.ko" "$root/lib/modules/"
    echo "$m" >>"$root/lib/modules/load-order"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$new/guest/initramfs.cpio.gz"

# The disks: ext4 images made here (mkfs.ext4 -d), loaded by U-Boot as
# disk modules; the device model sees each as /dev/pmemN.
for g in domU1 domU2; do
    mkdir -p "$work/$g"
    echo "Hello, $g! This file is on your own disk, an ext4 image made on the host and served by domU0's xam-devmodel." \
        >"$work/$g/hello.txt"
    mkfs.ext4 -q -F -L "$g" -E root_owner=0:0 -d "$work/$g" "$new/disks/$g.ext4" 8M >/dev/null
done
mkdir -p "$work/readme"
echo "A disk domU2 may read but not write (DOMU_VIRTIO_DISK_RO)." >"$work/readme/readme.txt"
mkfs.ext4 -q -F -L readme -E root_owner=0:0 -d "$work/readme" "$new/disks/readme.ext4" 4M >/dev/null

rm -rf "$out" && mv "$new" "$out"
