#!/usr/bin/env bash
# Builds the two initramfs images of the Linux device-model boot case:
#   mkinitramfs.sh FETCHED XAM-TESTDM DM-OUT CLIENT-OUT
# FETCHED is build/out/guests/linux-dm (build/fetch-xen-libs.sh: busybox,
# the kernel's modules); XAM-TESTDM the static program. The device
# model's image holds busybox, xen-privcmd/evtchn/gntdev/gntalloc.ko and
# xam-testdm; the client's busybox and uio/uio_pci_generic.ko.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetched=$1 prog=$2 dm_out=$3 client_out=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root() { # root DIR INIT MODULE...
    local dir=$1 init=$2 m
    shift 2
    mkdir -p "$dir/bin" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/lib/modules"
    cp "$fetched/busybox" "$dir/bin/busybox"
    # the applets the init scripts call by name
    for a in sh mount uname nproc cat insmod setsid cttyhack poweroff basename readlink head hexdump \
        dd printf devmem awk grep sleep; do
        ln -s busybox "$dir/bin/$a"
    done
    install -m 755 "$init" "$dir/init"
    for m in "$@"; do cp "$fetched/modules/$m.ko" "$dir/lib/modules/"; done
}
pack() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9 -n) >"$2.tmp.$$" && mv "$2.tmp.$$" "$2"; }

root "$work/dm" "$here/dm-init.sh" xen-privcmd xen-evtchn xen-gntdev xen-gntalloc
install -m 755 "$prog" "$work/dm/bin/xam-testdm"
root "$work/client" "$here/client-init.sh" uio uio_pci_generic
mkdir -p "$(dirname "$dm_out")" "$(dirname "$client_out")"
pack "$work/dm" "$dm_out"
pack "$work/client" "$client_out"
