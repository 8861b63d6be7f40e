#!/usr/bin/env bash
# Builds the initramfs of boot/static-evtchn-linux:
#   mkinitramfs.sh BASE-INITRAMFS BPO-DIR XAM-EVTCHN OUT
# BASE-INITRAMFS is the Linux guests' (build/fetch-guests.sh), left as it
# is: its busybox is taken. BPO-DIR is build/out/guests/linux-bpo
# (build/fetch-guests-bpo.sh): its xen-evtchn.ko, built for the kernel the
# case boots. XAM-EVTCHN is the static program; /init is
# evtchn-init.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=$(realpath "$1") bpo=$2 prog=$3 out=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/lib/modules"
(cd "$work/base" && gzip -dc "$base" | cpio -i --quiet -d bin/busybox)
cp "$work/base/bin/busybox" "$work/root/bin/busybox"
# the applets /init calls by name
for a in sh mount uname cat insmod poweroff; do
    ln -s busybox "$work/root/bin/$a"
done
install -m 755 "$here/evtchn-init.sh" "$work/root/init"
install -m 755 "$prog" "$work/root/bin/xam-evtchn"
cp "$bpo/modules/xen-evtchn.ko" "$work/root/lib/modules/"
mkdir -p "$(dirname "$out")"
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
