#include <asm/pagetable.h>
#include <xam/errno.h>

static unsigned level_shift(unsigned level) { return PAGE_SHIFT + 9 * (3 - level); }

static uint64_t *table_at(uint64_t desc) { return (uint64_t *)(uintptr_t)(desc & PT_ADDR_MASK); }

static int map_level(struct pt *pt, uint64_t *table, unsigned level, vaddr_t va, paddr_t pa, uint64_t size,
                     uint64_t attrs)
{
    uint64_t bsize = 1ULL << level_shift(level);

    while (size) {
        uint64_t *e = &table[(va >> level_shift(level)) & (PT_ENTRIES - 1)];
        uint64_t chunk = MIN(size, bsize - (va & (bsize - 1)));

        if (level == 3) {
            if (*e & PT_VALID)
                return -XAM_EEXIST;
            *e = pa | attrs | PT_VALID | PT_TABLE;
        } else if (level >= 1 && !pt->pages_only && chunk == bsize && IS_ALIGNED(pa, bsize) && !(*e & PT_VALID)) {
            *e = pa | attrs | PT_VALID; /* block */
        } else {
            if (!(*e & PT_VALID)) {
                uint64_t *next = pt->alloc_table(pt->ctx);
                if (!next)
                    return -XAM_ENOMEM;
                pt->tables++;
                *e = (uint64_t)(uintptr_t)next | PT_VALID | PT_TABLE;
            } else if (!(*e & PT_TABLE)) {
                return -XAM_EEXIST; /* a block already covers this */
            }
            int rc = map_level(pt, table_at(*e), level + 1, va, pa, chunk, attrs);
            if (rc)
                return rc;
        }
        va += chunk;
        pa += chunk;
        size -= chunk;
    }
    return 0;
}

int pt_map(struct pt *pt, vaddr_t va, paddr_t pa, uint64_t size, uint64_t attrs)
{
    unsigned in_bits = pt->in_bits ? pt->in_bits : level_shift(pt->start_level) + 9;
    if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || size == 0)
        return -XAM_EINVAL;
    /* Input range within what the walk from start_level covers; output
     * range within the 48 bits a descriptor holds. */
    if (va + size < va || pa + size < pa || ((va + size - 1) >> in_bits) || ((pa + size - 1) >> 48))
        return -XAM_EINVAL;
    return map_level(pt, pt->root, pt->start_level, va, pa, size, attrs);
}

bool pt_lookup_leaf(const struct pt *pt, vaddr_t va, paddr_t *pa, uint64_t *attrs, uint64_t *leaf_size)
{
    const uint64_t *table = pt->root;
    for (unsigned level = pt->start_level; level <= 3; level++) {
        uint64_t e = table[(va >> level_shift(level)) & (PT_ENTRIES - 1)];
        if (!(e & PT_VALID))
            return false;
        bool leaf = level == 3 || !(e & PT_TABLE);
        if (leaf) {
            uint64_t off = va & ((1ULL << level_shift(level)) - 1);
            *pa = (e & PT_ADDR_MASK & ~((1ULL << level_shift(level)) - 1)) + off;
            *attrs = e & ~PT_ADDR_MASK & ~(PT_VALID | PT_TABLE);
            *leaf_size = 1ULL << level_shift(level);
            return true;
        }
        table = table_at(e);
    }
    return false;
}

bool pt_lookup(const struct pt *pt, vaddr_t va, paddr_t *pa, uint64_t *attrs)
{
    uint64_t leaf_size;
    return pt_lookup_leaf(pt, va, pa, attrs, &leaf_size);
}

/* Replace the block at *e (level `level`) by a table mapping the same
 * range with the next level's entries, break-before-make: the block is
 * invalidated and the TLBs flushed before the table goes in, so no CPU
 * ever holds both translations (a walk in between faults, and the fault
 * handler retries once the change is done). */
static int split_block(struct pt *pt, uint64_t *e, unsigned level, void (*flush)(struct pt *pt))
{
    uint64_t *next = pt->alloc_table(pt->ctx);
    if (!next)
        return -XAM_ENOMEM;
    pt->tables++;
    uint64_t step = 1ULL << level_shift(level + 1);
    uint64_t base = *e & PT_ADDR_MASK & ~((1ULL << level_shift(level)) - 1);
    uint64_t attrs = *e & ~PT_ADDR_MASK & ~(PT_VALID | PT_TABLE);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        next[i] = (base + i * step) | attrs | PT_VALID | (level + 1 == 3 ? PT_TABLE : 0);
    __atomic_store_n(e, 0, __ATOMIC_RELEASE);
    if (flush)
        flush(pt);
    __atomic_store_n(e, (uint64_t)(uintptr_t)next | PT_VALID | PT_TABLE, __ATOMIC_RELEASE);
    return 0;
}

static int unmap_level(struct pt *pt, uint64_t *table, unsigned level, vaddr_t va, uint64_t size,
                       void (*flush)(struct pt *pt))
{
    uint64_t bsize = 1ULL << level_shift(level);
    while (size) {
        uint64_t *e = &table[(va >> level_shift(level)) & (PT_ENTRIES - 1)];
        uint64_t chunk = MIN(size, bsize - (va & (bsize - 1)));
        if (!(*e & PT_VALID))
            return -XAM_ENOENT;
        if (level == 3 || (chunk == bsize && !(*e & PT_TABLE))) {
            __atomic_store_n(e, 0, __ATOMIC_RELEASE); /* a page, or a whole block */
        } else {
            if (!(*e & PT_TABLE)) {
                int rc = split_block(pt, e, level, flush);
                if (rc)
                    return rc;
            }
            int rc = unmap_level(pt, table_at(*e), level + 1, va, chunk, flush);
            if (rc)
                return rc;
        }
        va += chunk;
        size -= chunk;
    }
    return 0;
}

int pt_unmap(struct pt *pt, vaddr_t va, uint64_t size, void (*flush)(struct pt *pt))
{
    unsigned in_bits = pt->in_bits ? pt->in_bits : level_shift(pt->start_level) + 9;
    if (!IS_ALIGNED(va | size, PAGE_SIZE) || size == 0 || va + size < va || ((va + size - 1) >> in_bits))
        return -XAM_EINVAL;
    return unmap_level(pt, pt->root, pt->start_level, va, size, flush);
}

static void free_level(uint64_t *table, unsigned level, void (*free_table)(uint64_t *table))
{
    if (level == 3)
        return;
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = table[i];
        if ((e & PT_VALID) && (e & PT_TABLE)) {
            free_level(table_at(e), level + 1, free_table);
            free_table(table_at(e));
        }
    }
}

void pt_free_tables(struct pt *pt, void (*free_table)(uint64_t *table))
{
    free_level(pt->root, pt->start_level, free_table);
}
