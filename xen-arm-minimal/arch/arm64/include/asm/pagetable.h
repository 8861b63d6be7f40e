/* ARMv8-A VMSA translation tables, 4 KiB granule. One walker serves the EL2
 * stage-1 map and (later) guests' stage-2 maps: only the attribute bits and
 * the starting level differ. Pure C: also built and tested on the host. */
#ifndef ASM_PAGETABLE_H
#define ASM_PAGETABLE_H

#include <xam/types.h>

#define PT_ENTRIES 512
#define PT_VALID (1ULL << 0)
#define PT_TABLE (1ULL << 1) /* at levels 0-2: next-level table; at level 3: page */
#define PT_ADDR_MASK 0x0000fffffffff000ULL

/* Stage-1 (EL2 regime) leaf attributes. AP[1] is RES1 in a single-EL regime. */
#define PT_ATTRIDX(n) ((uint64_t)(n) << 2)
#define PT_AP_RES1 (1ULL << 6)
#define PT_AP_RO (1ULL << 7)
#define PT_SH_INNER (3ULL << 8)
#define PT_AF (1ULL << 10)
#define PT_XN (1ULL << 54)

/* MAIR_EL2 slots. */
#define MT_DEVICE_nGnRnE 0
#define MT_DEVICE_nGnRE 1
#define MT_NORMAL 2
#define MT_NORMAL_NC 3
#define MAIR_VALUE 0x44ff0400ULL

#define PT_HYP_TEXT (PT_ATTRIDX(MT_NORMAL) | PT_AP_RES1 | PT_AP_RO | PT_SH_INNER | PT_AF)
#define PT_HYP_RO (PT_HYP_TEXT | PT_XN)
#define PT_HYP_RW (PT_ATTRIDX(MT_NORMAL) | PT_AP_RES1 | PT_SH_INNER | PT_AF | PT_XN)
#define PT_HYP_DEVICE (PT_ATTRIDX(MT_DEVICE_nGnRE) | PT_AP_RES1 | PT_AF | PT_XN)

struct pt {
    uint64_t *root;
    unsigned start_level; /* 0: 48-bit input addresses; 1: 39-bit */
    unsigned in_bits; /* fewer input bits than the start level covers; 0: all */
    /* Returns a zeroed, page-aligned table (VA == PA on the target) or NULL. */
    uint64_t *(*alloc_table)(void *ctx);
    void *ctx;
    unsigned tables; /* tables allocated so far, root included */
    bool pages_only; /* leaves are 4 KiB pages, never blocks */
};

/* Map [va, va+size) to pa with leaf attributes attrs, using the largest
 * blocks alignment allows (1 GiB, 2 MiB, else 4 KiB pages; only pages if
 * pt->pages_only).
 * -XAM_EEXIST if any part is already mapped, -XAM_ENOMEM if tables run out,
 * -XAM_EINVAL for unaligned or out-of-range arguments. */
int pt_map(struct pt *pt, vaddr_t va, paddr_t pa, uint64_t size, uint64_t attrs);

/* Remove the mapping of [va, va+size). Blocks only partly removed are
 * split first, break-before-make: flush(pt) (if not NULL) is called
 * between invalidating a block and installing its table, and must drop
 * the TLB entries of this table's users; the caller flushes once more at
 * the end for what was removed. Tables emptied are kept. -XAM_ENOENT if
 * part of the range was not mapped (what came before it is unmapped),
 * -XAM_ENOMEM if a split has no table, -XAM_EINVAL for bad arguments. */
int pt_unmap(struct pt *pt, vaddr_t va, uint64_t size, void (*flush)(struct pt *pt));

/* Translate va: returns true and the output address and leaf attributes. */
bool pt_lookup(const struct pt *pt, vaddr_t va, paddr_t *pa, uint64_t *attrs);
/* The same, and the size of the page or block va is in (aligned to it). */
bool pt_lookup_leaf(const struct pt *pt, vaddr_t va, paddr_t *pa, uint64_t *attrs, uint64_t *leaf_size);

/* Give every table below the root (not the root itself) back through free
 * (for tearing down a guest's stage 2). */
void pt_free_tables(struct pt *pt, void (*free_table)(uint64_t *table));
#endif
