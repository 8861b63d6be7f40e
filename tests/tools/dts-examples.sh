#!/usr/bin/env bash
# Every example host tree in dts/ compiles and passes the dry run with every
# domain accepted, with stand-in files at each module's address: an arm64
# Image header of the module's size for kernels, zeros for ramdisks, and
# dts/partial-*.dts compiled for partial device trees.
#   dts-examples.sh XAM-DRYRUN WORKDIR
set -uo pipefail
dryrun=$1 work=$2
cd "$(dirname "$0")/../.."
mkdir -p "$work"
status=0
dtc -q -S 4096 -I dts -O dtb -o "$work/partial-rtc.dtb" dts/partial-rtc.dts || { echo "not ok - tools/dts-partial-rtc: dtc"; exit 1; }
fake_image() { # fake_image FILE SIZE: an arm64 Image header, image_size = SIZE + 64 KiB
    python3 - "$1" "$2" <<'PY'
import struct, sys
size = int(sys.argv[2], 0)
hdr = struct.pack('<II Q Q Q Q Q Q I I', 0x14000010, 0, 0, size + 0x10000, 0xa, 0, 0, 0, 0x644d5241, 0)
with open(sys.argv[1], 'wb') as f:
    f.write(hdr)
    f.truncate(size)
PY
}
for src in dts/*.dts; do
    name=$(basename "$src" .dts)
    [[ $name == partial-* ]] && continue
    why="" dtb=$work/$name.dtb args=()
    dtc -q -I dts -O dtb -o "$dtb" "$src" 2>"$work/$name.dtc" || why="dtc cannot compile it: $(head -1 "$work/$name.dtc")"
    domains=0
    for dom in $(fdtget -l "$dtb" /chosen 2>/dev/null); do
        [ "$(fdtget "$dtb" "/chosen/$dom" compatible 2>/dev/null)" = xen,domain ] || continue
        domains=$((domains + 1))
        for mod in $(fdtget -l "$dtb" "/chosen/$dom"); do
            compat=$(fdtget "$dtb" "/chosen/$dom/$mod" compatible 2>/dev/null) || continue
            [[ $compat == *multiboot,* || $compat == *xen,linux-* ]] || continue
            read -r _ addr _ size <<<"$(fdtget -t x "$dtb" "/chosen/$dom/$mod" reg)"
            file=$work/$name-$dom-$mod.bin
            case "$compat" in
                *multiboot,kernel*) fake_image "$file" "0x$size" ;;
                *multiboot,device-tree*) file=$work/partial-rtc.dtb ;;
                *) head -c $((0x$size)) /dev/zero >"$file" ;;
            esac
            args+=(-m "0x$addr=$file")
        done
    done
    if [ -z "$why" ]; then
        "$dryrun" "${args[@]}" "$dtb" >"$work/$name.txt" 2>&1
        rc=$?
        [ $rc -eq 0 ] || why="dry run exit $rc"
        grep -q "^$domains domains\? accepted, 0 rejected" "$work/$name.txt" || why=${why:-"not all $domains domains accepted"}
        [ "$domains" -gt 0 ] || why=${why:-"no domain in it"}
    fi
    if [ -z "$why" ]; then echo "ok - tools/dts-$name ($domains domains)"
    else echo "not ok - tools/dts-$name: $why"; sed 's/^/    /' "$work/$name.txt" 2>/dev/null; status=1; fi
done
exit $status
