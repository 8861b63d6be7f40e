/* Sorted sets of disjoint physical ranges with a fixed capacity: the
 * bookkeeping under RAM banks, reserved regions and the free-page pool. */
#ifndef XAM_MEMRANGE_H
#define XAM_MEMRANGE_H

#include <xam/types.h>

struct mrange {
    paddr_t base;
    uint64_t size;
};

struct mrset {
    struct mrange *r; /* sorted by base, disjoint, never adjacent */
    unsigned n;
    unsigned cap;
};

static inline paddr_t mrange_end(const struct mrange *m) { return m->base + m->size; }

/* True when [base, base+size) wraps past, or ends exactly at, the top of
 * the 64-bit space: its end would not fit in a paddr_t, and every range in
 * a set must have one (no physical address is that high). */
static inline bool range_wraps(paddr_t base, uint64_t size) { return size != 0 && base + size <= base; }

static inline bool ranges_overlap(paddr_t a, uint64_t asz, paddr_t b, uint64_t bsz)
{
    return asz && bsz && a < b + bsz && b < a + asz;
}

void mrset_init(struct mrset *s, struct mrange *store, unsigned cap);
/* Union [base, base+size) into the set, merging neighbours. -XAM_ENOSPC when full. */
int mrset_add(struct mrset *s, paddr_t base, uint64_t size);
/* Subtract [base, base+size); may split a range in two. -XAM_ENOSPC (and
 * the set unchanged) when a split needs a slot and the set is full. */
int mrset_remove(struct mrset *s, paddr_t base, uint64_t size);
bool mrset_overlaps(const struct mrset *s, paddr_t base, uint64_t size);
/* True when the whole range lies inside one member of the set. */
bool mrset_contains(const struct mrset *s, paddr_t base, uint64_t size);
uint64_t mrset_total(const struct mrset *s);

#endif
