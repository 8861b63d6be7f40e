#!/usr/bin/env bash
# Builds the initramfs of boot/linux-hvc from the Linux guests' own
# (build/fetch-guests.sh), left as it is: its busybox, this directory's
# /init, and any PROGRAMs into /bin.
#   mkinitramfs.sh BASE-INITRAMFS INIT OUT [PROGRAM...]
set -euo pipefail
base=$(realpath "$1") init=$2 out=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
(cd "$work/base" && gzip -dc "$base" | cpio -i --quiet -d bin/busybox)
cp "$work/base/bin/busybox" "$work/root/bin/busybox"
# the applets /init calls by name
for a in sh mount uname nproc cat poweroff; do
    ln -s busybox "$work/root/bin/$a"
done
install -m 755 "$init" "$work/root/init"
for p in "$@"; do install -m 755 "$p" "$work/root/bin/"; done
mkdir -p "$(dirname "$out")"
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
