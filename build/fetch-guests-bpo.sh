#!/usr/bin/env bash
# Fetches the newer Debian arm64 cloud kernel that only the Linux static
# event channel test boots (tests/boot/cases-static-evtchn-linux.sh):
# binding a static port from user space (IOCTL_EVTCHN_BIND_STATIC) came
# in Linux 6.6, and Debian 12's own kernel (build/fetch-guests.sh, what
# every other Linux test boots) is 6.1. bookworm-backports carries a
# newer build of the same cloud-arm64 flavour:
#   build/out/guests/linux-bpo/Image            its kernel, a plain Image
#   build/out/guests/linux-bpo/modules/*.ko     xen-evtchn (it needs no
#                                               other), decompressed
#   build/out/guests/linux-bpo/VERSION          vmlinuz-<release>
#   build/out/guests/linux-bpo/VERSIONS         package, version, SHA256
# The machine's apt sources are left as they are: apt reads a sources
# list of its own here (bookworm-backports only, signed by Debian's
# archive key, as apt checks for its own sources) with lists and cache
# in a scratch directory, so no later apt-get update or upgrade on the
# machine sees backports. The package's SHA256 is then checked against
# the (signature-checked) Packages index, and nothing is installed: it is
# unpacked here. Backports keeps only its newest kernel, so the one
# fetched is whatever the cloud-arm64 meta-package names today.
# Idempotent: does nothing when all of it is there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${XAM_OUT:-$top/build/out}/guests/linux-bpo
say() { echo "fetch-guests-bpo: $*"; }
die() { echo "fetch-guests-bpo: $*" >&2; exit 1; }
mods=(xen/xen-evtchn)
have_all() {
    [ -s "$out/Image" ] && [ -s "$out/VERSION" ] && [ -s "$out/VERSIONS" ] || return 1
    local m
    for m in "${mods[@]}"; do [ -s "$out/modules/$(basename "$m").ko" ] || return 1; done
}
have_all && exit 0

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -s "$keyring" ] || die "no $keyring (apt-get install debian-archive-keyring)"
work=$(mktemp -d)
chmod 755 "$work" # apt downloads as _apt
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p apt/lists/partial apt/cache/archives/partial dl
chmod 777 dl
echo "deb [arch=arm64 signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main" >apt/sources.list
: >apt/status
aptopts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "Dir::State::status=$work/apt/status"
    -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1)
apt-get "${aptopts[@]}" update -qq || die "cannot read bookworm-backports' index from deb.debian.org"
pkg=$(apt-cache "${aptopts[@]}" depends linux-image-cloud-arm64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || die "bookworm-backports has no linux-image-cloud-arm64 naming a kernel"
ver=$(apt-cache "${aptopts[@]}" show "$pkg" | awk '/^Version:/ { print $2; exit }')
sha=$(apt-cache "${aptopts[@]}" show "$pkg=$ver" | awk '/^SHA256:/ { print $2; exit }')
{ [ -n "$ver" ] && [ -n "$sha" ]; } || die "$pkg: no version or SHA256 in the Packages index"
say "$pkg $ver (bookworm-backports, arm64)"
(cd dl && apt-get "${aptopts[@]}" download -qq "$pkg=$ver") || die "cannot download $pkg $ver"
deb=$(ls dl/*.deb)
echo "$sha  $deb" | sha256sum -c --quiet - || die "$deb: SHA256 is not the Packages index's $sha"

mkdir kernel
dpkg-deb -x "$deb" kernel
vmlinuz=$(ls kernel/boot/vmlinuz-* | head -1)
kver=${vmlinuz##*/vmlinuz-}
# the ioctl came in 6.6: a kernel before it would make the test fail late
case "$kver" in
    [0-5].* | 6.[0-5].* | 6.[0-5]) die "$pkg is Linux $kver: IOCTL_EVTCHN_BIND_STATIC needs 6.6 or later" ;;
esac
config=kernel/boot/config-$kver
grep -qx CONFIG_XEN_DEV_EVTCHN=m "$config" ||
    die "$pkg: CONFIG_XEN_DEV_EVTCHN is '$(grep -E 'CONFIG_XEN_DEV_EVTCHN[= ]' "$config" || echo unset)', not a module (the test's initramfs loads it)"
mkdir -p new/modules
# Debian ships arm64 kernels as a plain Image or gzip-compressed: keep an Image.
if gzip -t "$vmlinuz" 2>/dev/null; then gzip -dc "$vmlinuz" >new/Image; else cp "$vmlinuz" new/Image; fi
[ "$(dd if=new/Image bs=1 skip=56 count=4 status=none)" = $'ARM\x64' ] || die "$vmlinuz is not an arm64 Image"
moddir=kernel/lib/modules/$kver/kernel/drivers
for m in "${mods[@]}"; do
    f=$(ls "$moddir/$m.ko"* 2>/dev/null | head -1)
    [ -n "$f" ] || die "$pkg has no $m.ko"
    case "$f" in
        *.ko) cp "$f" new/modules/ ;;
        *.ko.xz) xz -dc "$f" >"new/modules/$(basename "${f%.xz}")" ;;
        *.ko.zst) zstd -qdc "$f" >"new/modules/$(basename "${f%.zst}")" ;;
        *) die "$f: unknown module compression" ;;
    esac
    # what it needs must be in the image too: say so if it ever needs any
    dep=$(tr '\0' '\n' <"new/modules/$(basename "$m").ko" | sed -n 's/^depends=//p' | head -1)
    [ -z "$dep" ] || die "$m.ko now depends on '$dep': add it to this script's list and the test's initramfs"
done
echo "vmlinuz-$kver" >new/VERSION
{
    echo "# build/fetch-guests-bpo.sh: the kernel of the Linux static event channel test"
    echo "$pkg $ver sha256:$sha"
} >new/VERSIONS
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv new "$out"
say "Linux $kver, $(ls "$out/modules" | tr '\n' ' ')-> $out"
