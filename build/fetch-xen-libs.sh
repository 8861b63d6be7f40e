#!/usr/bin/env bash
# Fetches what a Linux device-model domain needs, from Debian's arm64
# archive (apt-get download, unpacked under build/out/guests/linux-dm,
# never installed), for the kernel build/fetch-guests.sh fetched:
#   sysroot/usr/include, sysroot/usr/lib/aarch64-linux-gnu/*.a
#       libxen-dev:arm64: Xen's public headers and the static libraries of
#       libxendevicemodel, libxenforeignmemory, libxenevtchn, libxencall,
#       libxentoolcore, libxentoollog (the very build Debian's
#       libxendevicemodel1 & co. ship as .so: libxen-dev depends on them at
#       its own version). Linked statically, the initramfs needs no
#       dynamic loader and no libc.so.
#   sysroot/usr/lib/aarch64-linux-gnu/*.so.*, sysroot/lib/aarch64-linux-gnu
#       the same libraries' shared objects (libxendevicemodel1 & co.) and
#       libc6:arm64 (libc.so.6, the dynamic loader): xam-devmodel is
#       linked dynamically and its image carries them.
#   modules/*.ko
#       xen-privcmd, xen-evtchn, xen-gntdev, xen-gntalloc (the device
#       model's), libnvdimm, dax, nd_btt, nd_pmem, of_pmem (its disks
#       from pmem-region nodes), uio and uio_pci_generic (the test
#       client's, to own the device's INTx), virtio_ring, virtio,
#       virtio_pci_modern_dev, virtio_pci_legacy_dev, virtio_pci,
#       virtio_blk, virtio_console, virtio-rng (the virtio clients') from
#       the SAME kernel package as build/out/guests/linux/Image: checked
#       byte for byte. One the kernel builds in (modules.builtin) is
#       left out.
#   busybox        busybox-static:arm64
#   VERSIONS       what was fetched, and the stamp of this script
# Idempotent: does nothing when VERSIONS names the kernel of
# build/out/guests/linux/VERSION.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
guests=${XAM_OUT:-$top/build/out}/guests
linux=$guests/linux
out=$guests/linux-dm
say() { echo "fetch-xen-libs: $*"; }
die() { echo "fetch-xen-libs: $*" >&2; exit 1; }

[ -s "$linux/VERSION" ] && [ -s "$linux/Image" ] || die "no kernel in $linux: run build/fetch-guests.sh first"
kver=$(sed 's/^vmlinuz-//' "$linux/VERSION")
stamp="kernel $kver"
# the second stamp line changes when the list of what is fetched does
layout="layout 2: shared libraries, libc6, pmem and virtio modules"
if [ -s "$out/VERSIONS" ] && grep -qx "$stamp" "$out/VERSIONS" && grep -qx "$layout" "$out/VERSIONS" &&
    [ -x "$out/busybox" ] && [ -f "$out/sysroot/usr/lib/aarch64-linux-gnu/libxendevicemodel.a" ]; then
    exit 0
fi

work=$(mktemp -d)
chmod 755 "$work" # apt downloads as _apt
trap 'rm -rf "$work"' EXIT
cd "$work"
pkgs=("linux-image-$kver:arm64" libxen-dev:arm64 busybox-static:arm64 libc6:arm64)
say "${pkgs[*]}"
if ! apt-get download -qq "${pkgs[@]}" 2>/dev/null; then
    apt-get update -qq
    apt-get download -qq "${pkgs[@]}" ||
        die "cannot download ${pkgs[*]}: if linux-image-$kver has left the archive, refetch the kernel (rm -rf $linux; build/deps.sh --guests)"
fi
# libxen-dev depends on each library package at its own version: take
# that version, so the .so files are the build its headers and .a are
xenver=$(dpkg-deb -f libxen-dev_*.deb Version)
xenlibs=(libxendevicemodel1 libxenforeignmemory1 libxenevtchn1 libxencall1 libxentoolcore1 libxentoollog1)
libpkgs=()
for l in "${xenlibs[@]}"; do libpkgs+=("$l:arm64=$xenver"); done
apt-get download -qq "${libpkgs[@]}" || die "cannot download ${libpkgs[*]}"

mkdir kernel xen bb
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x libxen-dev_*.deb xen
for l in "${xenlibs[@]}"; do dpkg-deb -x "$l"_*.deb xen; done
dpkg-deb -x libc6_*_arm64.deb xen
dpkg-deb -x busybox-static_*.deb bb

# The modules must come from the kernel the guests boot: the same
# package name is the same ABI, and the same Image proves the same build.
vmlinuz=kernel/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "linux-image-$kver has no /boot/vmlinuz-$kver"
if gzip -t "$vmlinuz" 2>/dev/null; then gzip -dc "$vmlinuz" >image; else cp "$vmlinuz" image; fi
cmp -s image "$linux/Image" ||
    die "linux-image-$kver in the archive is not the build in $linux/Image: refetch the kernel (rm -rf $linux; build/deps.sh --guests)"

# Debian's cloud kernel builds Xen's user-space drivers as modules
# (CONFIG_XEN_PRIVCMD=m, CONFIG_XEN_DEV_EVTCHN=m, CONFIG_XEN_GNTDEV=m,
# CONFIG_XEN_GRANT_DEV_ALLOC=m): say so if a later one does not.
config=kernel/boot/config-$kver
for opt in XEN_PRIVCMD XEN_DEV_EVTCHN XEN_GNTDEV XEN_GRANT_DEV_ALLOC UIO UIO_PCI_GENERIC; do
    grep -qx "CONFIG_$opt=m" "$config" ||
        die "linux-image-$kver: CONFIG_$opt is '$(grep -E "CONFIG_${opt}[= ]" "$config" || echo unset)', not a module (the device-model initramfs loads it)"
done
# The virtio and pmem drivers: modules or built in, but there
for opt in VIRTIO VIRTIO_PCI VIRTIO_BLK VIRTIO_CONSOLE HW_RANDOM_VIRTIO LIBNVDIMM BLK_DEV_PMEM OF_PMEM EXT4_FS; do
    grep -qE "^CONFIG_$opt=(m|y)$" "$config" ||
        die "linux-image-$kver: CONFIG_$opt is '$(grep -E "CONFIG_${opt}[= ]" "$config" || echo unset)' (the virtio clients or the device model need it)"
done
mods=$work/mods
mkdir -p "$mods"
moddir=kernel/lib/modules/$kver/kernel/drivers
builtin=kernel/lib/modules/$kver/modules.builtin
for m in xen/xen-privcmd xen/xen-evtchn xen/xen-gntdev xen/xen-gntalloc uio/uio uio/uio_pci_generic \
    nvdimm/libnvdimm dax/dax nvdimm/nd_btt nvdimm/nd_pmem nvdimm/of_pmem \
    virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev virtio/virtio_pci_legacy_dev virtio/virtio_pci \
    block/virtio_blk char/virtio_console char/hw_random/virtio-rng; do
    f=$(ls "$moddir/$m.ko"* 2>/dev/null | head -1)
    if [ -z "$f" ] && grep -qx "kernel/drivers/$m.ko" "$builtin" 2>/dev/null; then
        continue
    fi
    [ -n "$f" ] || die "linux-image-$kver has no $m.ko"
    case "$f" in
        *.ko) cp "$f" "$mods/" ;;
        *.ko.xz) xz -dc "$f" >"$mods/$(basename "${f%.xz}")" ;;
        *) die "$f: unknown module compression" ;;
    esac
done

lib=xen/usr/lib/aarch64-linux-gnu
for l in xendevicemodel xenforeignmemory xenevtchn xencall xentoolcore xentoollog; do
    [ -f "$lib/lib$l.a" ] || die "libxen-dev:arm64 has no lib$l.a"
    ls "$lib/lib$l.so."* >/dev/null 2>&1 || die "lib${l}1:arm64 has no lib$l.so.*"
done
[ -f xen/lib/aarch64-linux-gnu/libc.so.6 ] && [ -e xen/lib/ld-linux-aarch64.so.1 ] ||
    die "libc6:arm64 has no libc.so.6 or /lib/ld-linux-aarch64.so.1"

rm -rf "$out/sysroot" "$out/modules"
mkdir -p "$out"
mv xen "$out/sysroot"
mv "$mods" "$out/modules"
cp bb/bin/busybox "$out/busybox"
{
    echo "# build/fetch-xen-libs.sh: what a Linux device-model domain is built from"
    for d in linux-image-*.deb libxen*.deb libc6_*.deb busybox-static_*.deb; do
        echo "$(dpkg-deb -f "$d" Package) $(dpkg-deb -f "$d" Version)"
    done
    echo "$stamp"
    echo "$layout"
} >"$out/VERSIONS"
say "$(ls "$out/modules" | tr '\n' ' ')-> $out"
