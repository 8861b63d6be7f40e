#!/usr/bin/env bash
# Boot the hypervisor under QEMU's virt machine (TCG).
#   qemu-run.sh [--gic 2|3] [--smp N] [--mem SIZE] [--dtb FILE] [--uboot]
#               [--el1] [--shim SHIM.bin] [--timeout S] [--log FILE]
#               [--workdir DIR] [--load FILE@ADDR]... [--input FILE]
#               [--input-after REGEX] [--typist SCRIPT] [--dimm ADDR:SIZE] [--cpu MODEL] -- IMAGE
# With --uboot, Debian's U-Boot boots the image the way users do: the image
# and the host DTB are placed in RAM by QEMU's generic loader, and U-Boot's
# default boot fetches boot.scr.uimg (which runs booti) over TFTP from QEMU's
# user-mode network. With --shim (loaded at 0x40100000: QEMU keeps its own
# DTB at 0x40000000 when it boots no kernel), the image goes to 0x40200000 and the DTB
# (--dtb, required) to 0x48000000 untouched, and tests/boot/shim.S enters the
# image with x0 = 0x48000000. --load places a file (a domain's kernel, say)
# in RAM with the generic loader. --input feeds FILE to the serial console
# (without -nographic's multiplexer, which would take Ctrl-A for itself),
# once a line matching --input-after appears on the console (with --log).
# --typist runs SCRIPT with the log's path instead (with --log and
# --timeout): what it prints is typed, so it can watch the console and
# type as a person does (tests/boot/typist.sh).
# --dimm plugs SIZE more RAM at ADDR (QEMU's pc-dimm) besides --mem's RAM
# at 0x40000000: with ADDR past its end, RAM with a hole QEMU really has
# (ADDR at least the next 1 GiB boundary, QEMU's rule). QEMU plugs one
# only with ACPI, which it sets up only for firmware, so an empty flash is
# its firmware: --dimm needs --shim to start the CPU.
# --cpu picks QEMU's CPU model (-cpu; default cortex-a57), with its
# options: max,pauth-impdef=on say. --mte gives the machine MTE's tag
# memory (virt,mte=on), so a CPU model with MTE keeps it.
# Without --timeout the console is interactive.
set -euo pipefail
gic=3 smp=4 mem=2G dtb="" uboot=0 el1=0 shim="" loads=() input="" input_after="" timeout_s="" log="" workdir="" dimm="" cpu=cortex-a57 mte=off
typist=""
while [ $# -gt 0 ]; do
    case "$1" in
        --gic) gic=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --dtb) dtb=$2; shift 2 ;;
        --uboot) uboot=1; shift ;;
        --el1) el1=1; shift ;;
        --shim) shim=$2; shift 2 ;;
        --load) loads+=("$2"); shift 2 ;;
        --input) input=$2; shift 2 ;;
        --input-after) input_after=$2; shift 2 ;;
        --typist) typist=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --dimm) dimm=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --mte) mte=on; shift ;;
        --) shift; break ;;
        *) echo "qemu-run: unknown option '$1'" >&2; exit 2 ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: qemu-run.sh [options] -- IMAGE" >&2; exit 2; }
image=$1
[ -f "$image" ] || { echo "qemu-run: no image '$image' (run make)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

virt=on
[ "$el1" -eq 1 ] && virt=off
mem_opt=$mem
[ -n "$dimm" ] && mem_opt=$mem,slots=1,maxmem=16G
args=(-M "virt,virtualization=$virt,gic-version=$gic,mte=$mte" -cpu "$cpu" -smp "$smp" -m "$mem_opt" -no-reboot)
if [ -n "$dimm" ]; then
    [ -n "$shim" ] || { echo "qemu-run: --dimm needs --shim" >&2; exit 2; }
    workdir=${workdir:-$(mktemp -d)}
    mkdir -p "$workdir"
    rm -f "$workdir/flash0.img" && truncate -s 64M "$workdir/flash0.img"
    args+=(-drive "if=pflash,format=raw,readonly=on,file=$workdir/flash0.img"
           -object "memory-backend-ram,id=dimm0,size=${dimm#*:}" -device "pc-dimm,memdev=dimm0,addr=${dimm%%:*}")
fi
if [ -n "$input" ] || [ -n "$typist" ]; then
    args+=(-display none -serial stdio -monitor none)
else
    args+=(-nographic)
fi

# Where U-Boot-path blobs go: clear of U-Boot's own DTB (0x40000000, 1 MiB),
# its scriptaddr (0x40200000) and its relocated copy at the top of RAM.
UBOOT_IMAGE_ADDR=0x40400000
UBOOT_DTB_ADDR=0x43e00000

if [ "$uboot" -eq 1 ]; then
    workdir=${workdir:-$(mktemp -d)}
    mkdir -p "$workdir/tftp"
    if [ -z "$dtb" ]; then
        dtb=$workdir/host.dtb
        "$here/../dtb/qemu-dtb.sh" "$dtb" "$gic" "$smp" "$mem"
    fi
    cat >"$workdir/boot.source" <<SCRIPT
echo "xen-arm-minimal boot script: booti $UBOOT_IMAGE_ADDR - $UBOOT_DTB_ADDR"
setenv fdt_high 0xffffffffffffffff
booti $UBOOT_IMAGE_ADDR - $UBOOT_DTB_ADDR
echo "booti failed"
poweroff
SCRIPT
    mkimage -A arm64 -T script -C none -d "$workdir/boot.source" "$workdir/tftp/boot.scr.uimg" >/dev/null
    args+=(-bios /usr/lib/u-boot/qemu_arm64/u-boot.bin
           -device "loader,file=$image,addr=$UBOOT_IMAGE_ADDR,force-raw=on"
           -device "loader,file=$dtb,addr=$UBOOT_DTB_ADDR,force-raw=on"
           -netdev "user,id=n0,tftp=$workdir/tftp,bootfile=boot.scr.uimg"
           -device "virtio-net-pci,netdev=n0,romfile=")
elif [ -n "$shim" ]; then
    [ -n "$dtb" ] || { echo "qemu-run: --shim needs --dtb" >&2; exit 2; }
    args+=(-nic none
           -device "loader,file=$shim,addr=0x40100000,cpu-num=0"
           -device "loader,file=$image,addr=0x40200000,force-raw=on"
           -device "loader,file=$dtb,addr=0x48000000,force-raw=on")
else
    args+=(-nic none -kernel "$image")
    [ -n "$dtb" ] && args+=(-dtb "$dtb")
fi

for l in ${loads[@]+"${loads[@]}"}; do
    args+=(-device "loader,file=${l%@*},addr=${l##*@},force-raw=on")
done

if [ -z "$timeout_s" ]; then
    exec qemu-system-aarch64 "${args[@]}"
fi
# Non-interactive: own process group, hard time-out, console to the log.
log=${log:-/dev/stdout}
stdin=${input:-/dev/null}
feeder=""
if [ -n "$typist" ] && [ "$log" != /dev/stdout ]; then
    stdin=$(mktemp -u)
    mkfifo "$stdin"
    : >"$log"
    ( exec >"$stdin"
      "$typist" "$log" || true
      sleep "$timeout_s" ) &
    feeder=$!
elif [ -n "$input" ] && [ -n "$input_after" ] && [ "$log" != /dev/stdout ]; then
    stdin=$(mktemp -u)
    mkfifo "$stdin"
    : >"$log"
    ( exec >"$stdin"
      until grep -qE -- "$input_after" "$log"; do sleep 0.05; done
      cat "$input"
      sleep "$timeout_s" ) &
    feeder=$!
fi
set +e
timeout --kill-after=5 "$timeout_s" qemu-system-aarch64 "${args[@]}" <"$stdin" >"$log" 2>&1
rc=$?
set -e
if [ -n "$feeder" ]; then
    kill "$feeder" 2>/dev/null
    rm -f "$stdin"
fi
exit $rc
