/* Physical page allocator: a first-fit allocator over a set of free extents.
 * Extents suit a partitioning hypervisor: few, large, long-lived allocations
 * (guest RAM, page tables) and an exact account of what is free. */
#ifndef XAM_PALLOC_H
#define XAM_PALLOC_H

#include <xam/memrange.h>

#define PALLOC_MAX_EXTENTS 256
#define PALLOC_MAX_REGIONS 64

struct palloc {
    struct mrset free;
    struct mrset managed; /* everything ever added: frees must stay inside */
    struct mrange free_store[PALLOC_MAX_EXTENTS];
    struct mrange managed_store[PALLOC_MAX_REGIONS];
};

void palloc_init(struct palloc *pa);
/* Hand [base, base+size) to the allocator; trimmed inwards to whole pages. */
int palloc_add(struct palloc *pa, paddr_t base, uint64_t size);
/* Take [base, base+size) away for good (reserved regions, boot modules):
 * never handed out, never accepted back. Widened to whole pages. */
int palloc_exclude(struct palloc *pa, paddr_t base, uint64_t size);
/* Allocate size bytes (rounded up to pages) aligned to align (a power of two,
 * at least a page), lowest address first. */
int palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align, paddr_t *out);
/* Claim exactly [base, base+size): for memory a configuration names itself. */
int palloc_claim(struct palloc *pa, paddr_t base, uint64_t size);
/* Return memory; -XAM_EINVAL if any of it is already free (a double free)
 * or was never the allocator's to give. */
int palloc_free(struct palloc *pa, paddr_t base, uint64_t size);
uint64_t palloc_free_bytes(const struct palloc *pa);
uint64_t palloc_managed_bytes(const struct palloc *pa);

#endif
