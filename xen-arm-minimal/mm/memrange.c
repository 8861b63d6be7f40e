/* Sorted disjoint range sets. Kept branch-simple: n is small (tens), so a
 * linear scan with memmove is both fast enough and easy to check. */
#include <xam/errno.h>
#include <xam/memrange.h>
#include <string.h>

void mrset_init(struct mrset *s, struct mrange *store, unsigned cap)
{
    s->r = store;
    s->n = 0;
    s->cap = cap;
}

static void remove_at(struct mrset *s, unsigned i, unsigned count)
{
    memmove(&s->r[i], &s->r[i + count], (s->n - i - count) * sizeof(s->r[0]));
    s->n -= count;
}

static int insert_at(struct mrset *s, unsigned i, paddr_t base, uint64_t size)
{
    if (s->n == s->cap)
        return -XAM_ENOSPC;
    memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
    s->r[i].base = base;
    s->r[i].size = size;
    s->n++;
    return 0;
}

int mrset_add(struct mrset *s, paddr_t base, uint64_t size)
{
    if (size == 0)
        return 0;
    if (range_wraps(base, size))
        return -XAM_EINVAL;

    paddr_t end = base + size;
    unsigned i = 0;

    /* First member that ends at or after base: it may touch or overlap us. */
    while (i < s->n && mrange_end(&s->r[i]) < base)
        i++;

    unsigned j = i;
    while (j < s->n && s->r[j].base <= end) {
        base = MIN(base, s->r[j].base);
        end = MAX(end, mrange_end(&s->r[j]));
        j++;
    }
    if (j > i) {
        /* Members i..j-1 merge into one: reuse slot i. */
        s->r[i].base = base;
        s->r[i].size = end - base;
        remove_at(s, i + 1, j - i - 1);
        return 0;
    }
    return insert_at(s, i, base, end - base);
}

int mrset_remove(struct mrset *s, paddr_t base, uint64_t size)
{
    if (size == 0)
        return 0;
    if (range_wraps(base, size))
        return -XAM_EINVAL;

    paddr_t end = base + size;
    for (unsigned i = 0; i < s->n;) {
        struct mrange *m = &s->r[i];
        paddr_t mend = mrange_end(m);

        if (mend <= base) {
            i++;
            continue;
        }
        if (m->base >= end)
            break;
        if (m->base < base && mend > end) {
            /* Strictly inside: split, but only if there is room for the
             * second half (a failed call must leave the set as it was). */
            if (s->n == s->cap)
                return -XAM_ENOSPC;
            m->size = base - m->base;
            return insert_at(s, i + 1, end, mend - end);
        }
        if (m->base < base) {
            m->size = base - m->base;
            i++;
        } else if (mend > end) {
            m->size = mend - end;
            m->base = end;
            i++;
        } else {
            remove_at(s, i, 1);
        }
    }
    return 0;
}

bool mrset_overlaps(const struct mrset *s, paddr_t base, uint64_t size)
{
    for (unsigned i = 0; i < s->n; i++)
        if (ranges_overlap(s->r[i].base, s->r[i].size, base, size))
            return true;
    return false;
}

bool mrset_contains(const struct mrset *s, paddr_t base, uint64_t size)
{
    if (size == 0 || range_wraps(base, size))
        return false;
    for (unsigned i = 0; i < s->n; i++)
        if (base >= s->r[i].base && base + size <= mrange_end(&s->r[i]))
            return true;
    return false;
}

uint64_t mrset_total(const struct mrset *s)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < s->n; i++)
        t += s->r[i].size;
    return t;
}
