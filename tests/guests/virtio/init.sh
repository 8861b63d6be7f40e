#!/bin/busybox sh
# shellcheck shell=dash
# /init of the virtio clients of the boot case virtio-disk
# (tests/boot/cases-virtio.sh): a Debian Linux guest whose disks, entropy
# and second console are virtio-pci devices served by xam-devmodel. Loads
# the virtio modules (lib/modules/load-order), finds its disks, and does
# what xam.role= says:
#   main    /dev/vda (ext4): prints hello.txt's checksum; first boot:
#           writes written.txt, syncs and reboots (reboot -f: PSCI
#           SYSTEM_RESET); second boot (written.txt there): prints it.
#           /dev/vdb (read-only, ext4): mounts read-only, a file write
#           fails (EROFS), a device write fails (EPERM), its content
#           does not change. /dev/hwrng gives bytes; /dev/hvc0 takes a line out
#           and reads one typed on the console.
#   second  /dev/vda (its own ext4): prints hello.txt's checksum, and
#           that it has no other disk; with console=hvc0 (its virtio-console
#           is its console) it also reads a line typed on the console.
# Every line starts "XAM-VIRTIO: "; a check that fails says FAIL.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "XAM-VIRTIO: $*"; }
role=main
for w in $(cat /proc/cmdline); do
    case "$w" in xam.role=*) role=${w#xam.role=} ;; esac
done
say "$(uname -r) up, $(nproc) CPU(s), role $role"
while read -r name args; do
    # shellcheck disable=SC2086 # the parameters, one word each
    insmod "/lib/modules/$name.ko" $args || say "FAIL insmod $name.ko"
done </lib/modules/load-order
# console=hvc0: the virtio-console is the console, there only now that
# virtio_console is loaded: /init's output, opened at boot, went nowhere
# until here, and so did the kernel's messages before hvc0 registered
console=
case " $(cat /proc/cmdline) " in
    *" console=hvc0 "*)
        n=0
        while [ ! -c /dev/hvc0 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        exec </dev/hvc0 >/dev/hvc0 2>&1
        console=hvc0
        say "console is $(cat /sys/class/tty/console/active), role $role"
        ;;
esac

# After a reset a guest held for its device model is held again (it starts
# once the device model connected anew); one not held may start before,
# and its bridge then shows an empty bus. The readiness register's second word waits for the
# connection (docs/bindings.md); then the bus is scanned again.
if [ ! -b /dev/vda ]; then
    say "no /dev/vda yet: waiting for the device model (readiness word $(devmem 0x37ff0004 32))"
    echo 1 >/sys/bus/pci/rescan
fi
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
for d in /sys/bus/pci/devices/*; do
    [ -e "$d/vendor" ] || continue
    say "PCI ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") driver $(basename "$(readlink "$d/driver" 2>/dev/null || echo none)")"
done
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    say "disk ${b##*/}: $(cat "$b/size") sectors, read-only $(cat "$b/ro"), serial '$(cat "$b/serial" 2>/dev/null)'"
done
[ -b /dev/vda ] || { say "FAIL no /dev/vda"; poweroff -f; }
mkdir -p /mnt
mount -t ext4 /dev/vda /mnt || { say "FAIL mount /dev/vda"; poweroff -f; }
say "mounted /dev/vda: $(head -1 /mnt/hello.txt)"
say "hello.txt sha256 $(sha256sum /mnt/hello.txt | cut -d' ' -f1)"

if [ "$role" = second ]; then
    if [ -b /dev/vdb ]; then say "FAIL a second disk"; else say "only its own disk"; fi
    umount /mnt
    if [ "$console" = hvc0 ]; then
        say "type a line on the console"
        if read -r -t 30 line; then say "console read [$line]"; else say "FAIL nothing read from the console"; fi
    fi
    say "done"
    poweroff -f
fi

if [ -f /mnt/written.txt ]; then
    say "after the reboot written.txt reads: $(cat /mnt/written.txt)"
    umount /mnt
    say "done"
    poweroff -f
fi

# the read-only disk (ext4): its file system mounts read-only and a file
# write fails with EROFS; writing the device fails (Linux refuses it,
# EPERM: the disk's read-only flag, from VIRTIO_BLK_F_RO, cannot be
# cleared from user space; a guest that sends a write anyway gets EIO
# from the device model: test_dm_virtio_blk). Its content stays.
if [ -b /dev/vdb ]; then
    before=$(sha256sum /dev/vdb | cut -d' ' -f1)
    mkdir -p /ro
    if mount -t ext4 /dev/vdb /ro 2>/dev/null; then
        say "mounted the read-only disk $(grep ' /ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1): $(cat /ro/readonly.txt)"
        if err=$(touch /ro/new.txt 2>&1); then
            say "FAIL creating a file on the read-only disk succeeded"
        else
            say "creating a file on the read-only disk failed: $err"
        fi
        umount /ro
    else
        say "FAIL mount /dev/vdb"
    fi
    if err=$(dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>&1); then
        say "FAIL writing the read-only disk succeeded"
    else
        say "writing the read-only disk failed: $(echo "$err" | head -1)"
    fi
    echo 3 >/proc/sys/vm/drop_caches
    after=$(sha256sum /dev/vdb | cut -d' ' -f1)
    if [ "$before" = "$after" ]; then
        say "read-only disk sha256 $after, unchanged"
    else
        say "FAIL read-only disk changed: $before -> $after"
    fi
fi
# entropy
if [ -c /dev/hwrng ]; then
    say "hwrng $(cat /sys/class/misc/hw_random/rng_current): $(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | wc -c) bytes"
fi
# the virtio console
if [ -c /dev/hvc0 ]; then
    echo "hello through virtio-console" >/dev/hvc0 && say "wrote a line to /dev/hvc0"
    # the boot case types one through the console's Ctrl-A switch
    say "type a line on hvc0"
    if read -r -t 30 line </dev/hvc0; then
        say "hvc0 read [$line]"
    else
        say "FAIL nothing read from hvc0"
    fi
fi

echo "written by $(uname -n) in its first life" >/mnt/written.txt
sync
say "wrote written.txt and synced; rebooting"
reboot -f
