#!/usr/bin/env bash
# Installs what building, running and testing xen-arm-minimal needs on a Debian
# (bookworm) machine, idempotently: only what is missing is fetched.
#   build/deps.sh            host packages + arm64 libfdt (build and demo)
#   build/deps.sh --guests   also the Debian arm64 guest kernel and busybox, and
#                            what a Linux device-model domain is built from
#                            (Xen's arm64 libraries, the kernel's modules),
#                            and bookworm-backports' newer cloud kernel for
#                            the Linux static event channel test only
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${XAM_OUT:-$top/build/out}
want_guests=0
for a in "$@"; do
    case "$a" in
        --guests) want_guests=1 ;;
        *) echo "deps.sh: unknown option '$a'" >&2; exit 2 ;;
    esac
done

say() { echo "deps: $*"; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

host_pkgs=(
    make gcc libc6-dev pkg-config
    qemu-system-arm gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
    libc6-dev-arm64-cross
    device-tree-compiler libfdt-dev u-boot-qemu u-boot-tools
    libcmocka-dev clang libclang-rt-14-dev clang-format
    cpio gzip xz-utils ca-certificates e2fsprogs
)

missing=()
for p in "${host_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

updated=0
apt_update() {
    [ "$updated" -eq 1 ] && return 0
    say "apt-get update"
    as_root apt-get update -qq
    updated=1
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "enabling the arm64 architecture"
    as_root dpkg --add-architecture arm64
    updated=0
    apt_update
fi

if [ "${#missing[@]}" -gt 0 ]; then
    apt_update
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's arm64 libfdt cannot be co-installed with the host libfdt-dev, so it
# is downloaded and unpacked into the build tree; the EL2 image links its libfdt.a.
fetch_deb() { # fetch_deb PKG:arch DESTDIR
    local pkg=$1 dest=$2 dl
    dl=$(mktemp -d)
    if ! (cd "$dl" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
        apt_update
        (cd "$dl" && apt-get download -qq "$pkg")
    fi
    mkdir -p "$dest"
    dpkg-deb -x "$dl"/*.deb "$dest"
    rm -rf "$dl"
}

arm64_root=$out/arm64-sysroot
if [ ! -f "$arm64_root/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
    say "fetching libfdt-dev:arm64 into $arm64_root"
    fetch_deb libfdt-dev:arm64 "$arm64_root"
fi
[ -f "$arm64_root/usr/include/libfdt.h" ] || { echo "deps: libfdt.h missing from libfdt-dev:arm64" >&2; exit 1; }

if [ "$want_guests" -eq 1 ]; then
    "$top/build/fetch-guests.sh"
    "$top/build/fetch-xen-libs.sh"
    "$top/build/fetch-guests-bpo.sh"
fi
say "ok"
