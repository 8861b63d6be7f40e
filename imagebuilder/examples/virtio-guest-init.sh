#!/bin/busybox sh
# shellcheck shell=dash
# /init of the guests of imagebuilder/examples/qemu-virtio-disks.cfg (the
# system `make run` boots): a Debian Linux guest whose disks, entropy and
# second console are virtio-pci devices served by the device-model domain.
# It loads the virtio modules (lib/modules/load-order), mounts its disk
# /dev/vda (ext4, made on the host by imagebuilder/demo-inputs.sh), prints
# hello.txt from it, writes NAME.txt, syncs, mounts the disk again and
# reads NAME.txt back; then any read-only disk (/dev/vdb), the virtio-rng
# and the virtio-console it has; then it powers off. NAME is demo.name= on
# the kernel command line. Every line starts "DEMO: "; a step that fails
# says FAIL.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "DEMO: $*"; }
name=guest
# shellcheck disable=SC2013 # the command line's words
for w in $(cat /proc/cmdline); do
    case "$w" in demo.name=*) name=${w#demo.name=} ;; esac
done
while read -r m; do
    insmod "/lib/modules/$m.ko" || say "FAIL insmod $m.ko"
done </lib/modules/load-order
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
disks=""
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    ro=""
    [ "$(cat "$b/ro")" = 1 ] && ro=", read-only"
    disks="$disks ${b##*/} ($(($(cat "$b/size") / 2048)) MiB$ro)"
done
say "$name: Linux $(uname -r) up; virtio disks:${disks:- none}"
[ -b /dev/vda ] || { say "FAIL $name: no /dev/vda"; poweroff -f; }
mkdir -p /mnt /ro
if mount -t ext4 /dev/vda /mnt; then
    say "$name: /dev/vda hello.txt: $(cat /mnt/hello.txt)"
    echo "$name wrote this at $(cut -d' ' -f1 /proc/uptime) s after its boot" >"/mnt/$name.txt"
    sync
    umount /mnt
    # the file read back from the disk itself: a fresh mount, caches dropped
    echo 3 >/proc/sys/vm/drop_caches
    mount -t ext4 /dev/vda /mnt && say "$name: wrote $name.txt, synced, mounted again: $(cat "/mnt/$name.txt")"
    files=""
    for f in /mnt/*; do [ -f "$f" ] && files="$files ${f#/mnt/}"; done
    say "$name: /dev/vda holds:$files"
    umount /mnt
else
    say "FAIL $name: mount /dev/vda"
fi
if [ -b /dev/vdb ] && [ "$(cat /sys/block/vdb/ro)" = 1 ]; then
    if mount -t ext4 -o ro /dev/vdb /ro; then
        say "$name: /dev/vdb (read-only) readme.txt: $(cat /ro/readme.txt)"
        umount /ro
    else
        say "FAIL $name: mount -o ro /dev/vdb"
    fi
    if err=$(dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>&1); then
        say "FAIL $name: writing the read-only /dev/vdb succeeded"
    else
        say "$name: writing /dev/vdb refused: $(echo "$err" | head -1)"
    fi
fi
if [ -c /dev/hwrng ]; then
    say "$name: virtio-rng gave $(dd if=/dev/hwrng bs=8 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
fi
if [ -c /dev/hvc0 ]; then
    echo "$name: this line went through virtio-console (hvc0)" >/dev/hvc0 && say "$name: wrote a line to /dev/hvc0"
fi
say "$name: done, powering off"
poweroff -f
