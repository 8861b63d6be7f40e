#!/usr/bin/env bash
# Writes image_size (bytes 16..23, little-endian) into an arm64 Image header.
# ld cannot emit the size as a link-time constant in a static PIE, so it is
# taken from the ELF's _image_end symbol (the image is linked at 0) and the
# header is checked afterwards.
set -euo pipefail
image=$1 elf=$2 nm=${3:-aarch64-linux-gnu-nm}
end=$($nm "$elf" | awk '$3 == "_image_end" { print $1 }')
[ -n "$end" ] || { echo "image-header: no _image_end in $elf" >&2; exit 1; }
size=$((16#$end))
le=""
for i in 0 1 2 3 4 5 6 7; do le+=$(printf '\\x%02x' $(( (size >> (8 * i)) & 0xff ))); done
printf "$le" | dd of="$image" bs=1 seek=16 count=8 conv=notrunc status=none
magic=$(dd if="$image" bs=1 skip=56 count=4 status=none)
[ "$magic" = $'ARM\x64' ] || { echo "image-header: $image has no arm64 Image magic" >&2; exit 1; }
file_size=$(stat -c %s "$image")
[ "$size" -ge "$file_size" ] || { echo "image-header: image_size $size < file size $file_size" >&2; exit 1; }
