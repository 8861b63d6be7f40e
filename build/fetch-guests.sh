#!/usr/bin/env bash
# Fetches what the Linux-guest tests boot, from Debian's arm64 archive (not
# installed: unpacked under build/out/guests), and builds a busybox
# initramfs whose /init prints a marker and powers off:
#   build/out/guests/linux/Image         Debian's cloud-arm64 kernel
#   build/out/guests/linux/initramfs.cpio.gz
# Idempotent: does nothing when both are there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${XAM_OUT:-$top/build/out}/guests/linux
[ -s "$out/Image" ] && [ -s "$out/initramfs.cpio.gz" ] && exit 0
mkdir -p "$out"
work=$(mktemp -d)
chmod 755 "$work" # apt downloads as _apt
trap 'rm -rf "$work"' EXIT
cd "$work"

# The kernel the cloud-arm64 meta-package points at today.
pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
if [ -z "$pkg" ]; then
    apt-get update -qq
    pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
fi
[ -n "$pkg" ] || { echo "fetch-guests: cannot find the cloud-arm64 kernel package" >&2; exit 1; }
echo "fetch-guests: $pkg and busybox-static (arm64)"
apt-get download -qq "$pkg:arm64" busybox-static:arm64
mkdir kernel bb
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x busybox-static_*.deb bb
vmlinuz=$(ls kernel/boot/vmlinuz-* | head -1)
# Debian ships arm64 kernels as a plain Image or gzip-compressed: keep an Image.
if gzip -t "$vmlinuz" 2>/dev/null; then gzip -dc "$vmlinuz" >"$out/Image"; else cp "$vmlinuz" "$out/Image"; fi
[ "$(dd if="$out/Image" bs=1 skip=56 count=4 status=none)" = $'ARM\x64' ] || { echo "fetch-guests: $vmlinuz is not an arm64 Image" >&2; exit 1; }
basename "$vmlinuz" >"$out/VERSION"

mkdir -p root/bin root/proc root/sys root/dev
cp bb/bin/busybox root/bin/busybox
cat >root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "XAM-LINUX-INIT: $(/bin/busybox uname -r) up, $(/bin/busybox nproc) CPU(s), $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
INIT
chmod +x root/init
(cd root && find . | cpio -o -H newc --quiet | gzip -9 >"$out/initramfs.cpio.gz")
echo "fetch-guests: $(cat "$out/VERSION") -> $out"
