/* First-fit extent allocator. The free set is the only state, so "what is
 * free" is always exact and a double free is detectable. */
#include <xam/errno.h>
#include <xam/palloc.h>

void palloc_init(struct palloc *pa)
{
    mrset_init(&pa->free, pa->free_store, PALLOC_MAX_EXTENTS);
    mrset_init(&pa->managed, pa->managed_store, PALLOC_MAX_REGIONS);
}

int palloc_add(struct palloc *pa, paddr_t base, uint64_t size)
{
    if (range_wraps(base, size))
        return -XAM_EINVAL;
    paddr_t start = ALIGN_UP(base, PAGE_SIZE);
    paddr_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
    if (end <= start)
        return 0;
    if (mrset_overlaps(&pa->managed, start, end - start))
        return -XAM_EEXIST;
    int rc = mrset_add(&pa->managed, start, end - start);
    if (rc)
        return rc;
    rc = mrset_add(&pa->free, start, end - start);
    if (rc) /* keep the two sets consistent */
        mrset_remove(&pa->managed, start, end - start);
    return rc;
}

int palloc_exclude(struct palloc *pa, paddr_t base, uint64_t size)
{
    if (size == 0)
        return 0;
    if (range_wraps(base, size))
        return -XAM_EINVAL;
    paddr_t s = ALIGN_DOWN(base, PAGE_SIZE), e = ALIGN_UP(base + size, PAGE_SIZE);
    int rc = mrset_remove(&pa->free, s, e - s);
    return rc ? rc : mrset_remove(&pa->managed, s, e - s);
}

int palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align, paddr_t *out)
{
    if (size == 0 || align < PAGE_SIZE || (align & (align - 1)))
        return -XAM_EINVAL;
    size = ALIGN_UP(size, PAGE_SIZE);
    if (size == 0) /* overflowed */
        return -XAM_ENOMEM;

    for (unsigned i = 0; i < pa->free.n; i++) {
        const struct mrange *m = &pa->free.r[i];
        paddr_t start = ALIGN_UP(m->base, align);
        if (start < m->base) /* wrapped */
            continue;
        if (start >= mrange_end(m) || mrange_end(m) - start < size)
            continue;
        int rc = mrset_remove(&pa->free, start, size);
        if (rc)
            return rc; /* splitting needed a slot we do not have */
        *out = start;
        return 0;
    }
    return -XAM_ENOMEM;
}

int palloc_claim(struct palloc *pa, paddr_t base, uint64_t size)
{
    if (size == 0 || !IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
        return -XAM_EINVAL;
    if (!mrset_contains(&pa->free, base, size))
        return -XAM_EBUSY;
    return mrset_remove(&pa->free, base, size);
}

int palloc_free(struct palloc *pa, paddr_t base, uint64_t size)
{
    if (size == 0 || !IS_ALIGNED(base, PAGE_SIZE))
        return -XAM_EINVAL;
    size = ALIGN_UP(size, PAGE_SIZE);
    if (range_wraps(base, size) || !mrset_contains(&pa->managed, base, size) || mrset_overlaps(&pa->free, base, size))
        return -XAM_EINVAL;
    return mrset_add(&pa->free, base, size);
}

uint64_t palloc_free_bytes(const struct palloc *pa) { return mrset_total(&pa->free); }

uint64_t palloc_managed_bytes(const struct palloc *pa) { return mrset_total(&pa->managed); }
