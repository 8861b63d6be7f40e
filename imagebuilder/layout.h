/* Where each file goes: 2 MiB-aligned addresses, lowest first, inside
 * MEMORY_START..MEMORY_END and inside RAM, clear of everything that is
 * already in use when U-Boot runs the script. */
#ifndef IB_LAYOUT_H
#define IB_LAYOUT_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>

/* The low end of the window: QEMU's own DTB sits at the start of RAM, and
 * the script itself is loaded 2 MiB in (ImageBuilder's layout, and U-Boot's
 * scriptaddr on qemu_arm64). */
#define IB_LOW_RESERVE (4 * MiB)
#define IB_SCRIPT_OFFSET (2 * MiB)
/* U-Boot's default scriptaddr on qemu_arm64: kept free whatever the window. */
#define IB_UBOOT_SCRIPTADDR 0x40200000ULL
/* The top of each RAM bank: U-Boot relocates itself there. Measured with
 * U-Boot 2023.01 (qemu_arm64, 2 GiB): code at RAM end - 1 MiB, stack and
 * heap below it, and its memory map (lmb) refuses loads into the top
 * 34.3 MiB. 64 MiB leaves room for bigger heaps on other boards. */
#define IB_TOP_RESERVE (64 * MiB)
/* What `booti` adds to the DTB in place when fdt_high disables relocation
 * (U-Boot's CONFIG_SYS_FDT_PAD). */
#define IB_UBOOT_FDT_PAD 0x3000

struct ib_range {
    uint64_t base, end; /* [base, end) */
    char *what;
};

struct ib_layout {
    uint64_t start, end; /* the window */
    struct ib_range *ram;
    unsigned nram;
    struct ib_range *blocked;
    unsigned nblocked;
};

void layout_init(struct ib_layout *l, uint64_t start, uint64_t end);
void layout_free(struct ib_layout *l);

/* Keep [base, base+size) free; `what` is copied (it appears in errors). */
void layout_block(struct ib_layout *l, uint64_t base, uint64_t size, const char *what);

/* RAM banks (/memory), /memreserve/ entries, /reserved-memory regions with
 * a fixed reg, and the top of every bank. Without /memory, the window is
 * taken as RAM. */
int layout_from_fdt(struct ib_layout *l, const void *fdt, struct ib_error *err);

/* Place `size` bytes (rounded up to 2 MiB) at the lowest free 2 MiB-aligned
 * address and keep it; on failure the error gives the numbers. */
int layout_place(struct ib_layout *l, const char *what, uint64_t size, uint64_t *addr, struct ib_error *err);

/* How much of a file's load address onwards is used once it runs: for an
 * arm64 Image (magic "ARM\x64" at byte 56), text_offset + image_size (the
 * bss counts); otherwise the file's size. head holds the first bytes. */
uint64_t image_footprint(const uint8_t *head, size_t headlen, uint64_t filesize);

#endif
