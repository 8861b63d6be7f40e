#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <xam/errno.h>
#include <xam/palloc.h>

static struct palloc pa;

static int setup(void **state)
{
    (void)state;
    palloc_init(&pa);
    return 0;
}

static void add_trims_to_pages(void **state)
{
    (void)state;
    assert_int_equal(palloc_add(&pa, 0x1800, 0x3000), 0); /* 0x1800-0x47ff -> 0x2000-0x3fff */
    assert_int_equal(palloc_free_bytes(&pa), 0x2000);
    assert_int_equal(palloc_managed_bytes(&pa), 0x2000);
    assert_int_equal(palloc_add(&pa, 0x10100, 0x100), 0); /* no whole page: nothing */
    assert_int_equal(palloc_free_bytes(&pa), 0x2000);
    assert_int_equal(palloc_add(&pa, 0x3000, 0x1000), -XAM_EEXIST); /* twice */
}

static void alloc_is_first_fit_and_aligned(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x40000000, 0x80000000);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
    assert_int_equal(p, 0x40000000);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x200000, &p), 0);
    assert_int_equal(p, 0x40200000);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x40000000, &p), 0);
    assert_int_equal(p, 0x80000000);
    assert_int_equal(palloc_alloc(&pa, 0x1234, 0x1000, &p), 0); /* rounded up to pages */
    assert_int_equal(p, 0x40001000);
    assert_int_equal(palloc_free_bytes(&pa), 0x80000000 - 0x5000);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1800, &p), -XAM_EINVAL); /* not a power of two */
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x800, &p), -XAM_EINVAL); /* below a page */
    assert_int_equal(palloc_alloc(&pa, 0, 0x1000, &p), -XAM_EINVAL);
}

static void exhaustion_and_reuse(void **state)
{
    (void)state;
    paddr_t p, q;
    palloc_add(&pa, 0x100000, 0x4000);
    assert_int_equal(palloc_alloc(&pa, 0x4000, 0x1000, &p), 0);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &q), -XAM_ENOMEM);
    assert_int_equal(palloc_free(&pa, p, 0x4000), 0);
    assert_int_equal(palloc_alloc(&pa, 0x4000, 0x1000, &q), 0);
    assert_int_equal(q, p);
    assert_int_equal(palloc_alloc(&pa, UINT64_MAX - 0x10, 0x1000, &q), -XAM_ENOMEM);
}

static void bad_frees_are_refused(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x100000, 0x10000);
    palloc_alloc(&pa, 0x2000, 0x1000, &p);
    assert_int_equal(palloc_free(&pa, p, 0x2000), 0);
    assert_int_equal(palloc_free(&pa, p, 0x2000), -XAM_EINVAL); /* double free */
    assert_int_equal(palloc_free(&pa, 0x900000, 0x1000), -XAM_EINVAL); /* never managed */
    assert_int_equal(palloc_free(&pa, p + 1, 0x1000), -XAM_EINVAL); /* unaligned */
    assert_int_equal(palloc_free_bytes(&pa), 0x10000);
}

static void claim_and_exclude(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x100000, 0x10000);
    assert_int_equal(palloc_claim(&pa, 0x104000, 0x2000), 0);
    assert_int_equal(palloc_claim(&pa, 0x105000, 0x2000), -XAM_EBUSY);
    assert_int_equal(palloc_claim(&pa, 0x104800, 0x1000), -XAM_EINVAL);
    assert_int_equal(palloc_free(&pa, 0x104000, 0x2000), 0);
    /* excluded memory is gone for good: never handed out, never taken back */
    assert_int_equal(palloc_exclude(&pa, 0x100800, 0x100), 0); /* widened to the page */
    assert_int_equal(palloc_free_bytes(&pa), 0xf000);
    assert_int_equal(palloc_managed_bytes(&pa), 0xf000);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
    assert_int_equal(p, 0x101000);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x1000), -XAM_EINVAL);
}

/* Random allocations and frees against a page bitmap: the allocator must
 * never hand out a page twice or lose one. */
static void random_against_bitmap(void **state)
{
    (void)state;
    enum { PAGES = 512 };
    static unsigned char used[PAGES];
    struct {
        paddr_t p;
        uint64_t n;
    } live[64];
    unsigned nlive = 0;
    memset(used, 0, sizeof(used));
    srand(12345);
    palloc_add(&pa, 0, PAGES * 0x1000ULL);
    for (int step = 0; step < 5000; step++) {
        if (nlive < 64 && (rand() & 1)) {
            uint64_t n = 1 + (uint64_t)(rand() % 16);
            uint64_t align = 0x1000ULL << (rand() % 4);
            paddr_t p;
            if (palloc_alloc(&pa, n * 0x1000, align, &p) == 0) {
                assert_int_equal(p % align, 0);
                for (uint64_t i = 0; i < n; i++) {
                    assert_int_equal(used[p / 0x1000 + i], 0);
                    used[p / 0x1000 + i] = 1;
                }
                live[nlive].p = p;
                live[nlive++].n = n;
            }
        } else if (nlive) {
            unsigned k = (unsigned)rand() % nlive;
            assert_int_equal(palloc_free(&pa, live[k].p, live[k].n * 0x1000), 0);
            for (uint64_t i = 0; i < live[k].n; i++)
                used[live[k].p / 0x1000 + i] = 0;
            live[k] = live[--nlive];
        }
        uint64_t in_use = 0;
        for (int i = 0; i < PAGES; i++)
            in_use += used[i];
        assert_int_equal(palloc_free_bytes(&pa), (PAGES - in_use) * 0x1000);
    }
}

static void alignment_leaves_the_gap_free(void **state)
{
    (void)state;
    paddr_t p;
    /* starts one page past a 2 MiB boundary */
    assert_int_equal(palloc_add(&pa, 0x40001000, 0x80000000 - 0x1000), 0);
    const uint64_t all = 0x80000000 - 0x1000;
    assert_int_equal(palloc_managed_bytes(&pa), all);
    assert_int_equal(palloc_alloc(&pa, 0x200000, 0x200000, &p), 0);
    assert_int_equal(p, 0x40200000);
    assert_int_equal(palloc_alloc(&pa, 0x40000000, 0x40000000, &p), 0);
    assert_int_equal(p, 0x80000000);
    /* the pages skipped for alignment are still first in line */
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
    assert_int_equal(p, 0x40001000);
    assert_int_equal(palloc_free_bytes(&pa), all - 0x200000 - 0x40000000 - 0x1000);
    assert_int_equal(palloc_managed_bytes(&pa), all);
    /* no second 1 GiB-aligned GiB remains */
    assert_int_equal(palloc_alloc(&pa, 0x40000000, 0x40000000, &p), -XAM_ENOMEM);
    assert_int_equal(palloc_free_bytes(&pa), all - 0x200000 - 0x40000000 - 0x1000);
}

static void first_fit_across_regions(void **state)
{
    (void)state;
    paddr_t p;
    assert_int_equal(palloc_add(&pa, 0x200000, 0x10000), 0);
    assert_int_equal(palloc_add(&pa, 0x100000, 0x4000), 0); /* lower, added later */
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
    assert_int_equal(p, 0x100000);
    assert_int_equal(palloc_alloc(&pa, 0x4000, 0x1000, &p), 0); /* 3 pages left below: skip */
    assert_int_equal(p, 0x200000);
    assert_int_equal(palloc_alloc(&pa, 0x3000, 0x1000, &p), 0);
    assert_int_equal(p, 0x101000);
    /* 12 pages free, but not 13 in a row */
    assert_int_equal(palloc_free_bytes(&pa), 0xc000);
    assert_int_equal(palloc_alloc(&pa, 0xd000, 0x1000, &p), -XAM_ENOMEM);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x1000), 0);
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0); /* same memory again */
    assert_int_equal(p, 0x100000);
}

static void frees_that_touch_free_or_foreign_memory(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x100000, 0x8000);
    assert_int_equal(palloc_alloc(&pa, 0x2000, 0x1000, &p), 0);
    assert_int_equal(p, 0x100000);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x1000), 0);
    /* half of it is already free: the whole call is refused */
    assert_int_equal(palloc_free(&pa, 0x100000, 0x2000), -XAM_EINVAL);
    assert_int_equal(palloc_free_bytes(&pa), 0x7000);
    /* the size is rounded up to a page */
    assert_int_equal(palloc_free(&pa, 0x101000, 1), 0);
    assert_int_equal(palloc_free_bytes(&pa), 0x8000);
    /* managed and unmanaged at once */
    assert_int_equal(palloc_alloc(&pa, 0x8000, 0x1000, &p), 0);
    assert_int_equal(palloc_free(&pa, 0x107000, 0x2000), -XAM_EINVAL);
    assert_int_equal(palloc_free(&pa, 0xff000, 0x2000), -XAM_EINVAL);
    assert_int_equal(palloc_free(&pa, 0x100000, 0), -XAM_EINVAL);
    assert_int_equal(palloc_free(&pa, UINT64_MAX & ~0xfffULL, 0x2000), -XAM_EINVAL); /* wraps */
    assert_int_equal(palloc_free_bytes(&pa), 0);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x8000), 0);
    assert_int_equal(palloc_free_bytes(&pa), 0x8000);
}

static void claims(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x100000, 0x10000);
    assert_int_equal(palloc_claim(&pa, 0x100000, 0x10000), 0); /* all of it */
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), -XAM_ENOMEM);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x10000), 0);
    assert_int_equal(palloc_claim(&pa, 0xff000, 0x2000), -XAM_EBUSY); /* starts outside */
    assert_int_equal(palloc_claim(&pa, 0x200000, 0x1000), -XAM_EBUSY); /* never managed */
    assert_int_equal(palloc_claim(&pa, 0x100000, 0), -XAM_EINVAL);
    assert_int_equal(palloc_claim(&pa, 0x100000, 0x800), -XAM_EINVAL); /* not whole pages */
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
    assert_int_equal(palloc_claim(&pa, p, 0x1000), -XAM_EBUSY); /* allocated */
    assert_int_equal(palloc_claim(&pa, 0x108000, 0x1000), 0);
    /* allocations go around the claimed page */
    assert_int_equal(palloc_alloc(&pa, 0x7000, 0x1000, &p), 0);
    assert_int_equal(p, 0x101000);
    assert_int_equal(palloc_alloc(&pa, 0x2000, 0x1000, &p), 0);
    assert_int_equal(p, 0x109000);
    assert_int_equal(palloc_free_bytes(&pa), 0x5000);
}

static void exclude_is_for_good(void **state)
{
    (void)state;
    paddr_t p;
    palloc_add(&pa, 0x100000, 0x100000);
    /* widened outwards to whole pages: 0x140000-0x141fff */
    assert_int_equal(palloc_exclude(&pa, 0x140800, 0x1000), 0);
    assert_int_equal(palloc_managed_bytes(&pa), 0x100000 - 0x2000);
    assert_int_equal(palloc_free_bytes(&pa), 0x100000 - 0x2000);
    assert_int_equal(palloc_claim(&pa, 0x140000, 0x1000), -XAM_EBUSY);
    assert_int_equal(palloc_free(&pa, 0x141000, 0x1000), -XAM_EINVAL);
    /* excluding memory that is allocated: it never comes back either */
    assert_int_equal(palloc_alloc(&pa, 0x3000, 0x1000, &p), 0);
    assert_int_equal(p, 0x100000);
    assert_int_equal(palloc_exclude(&pa, 0x101000, 0x1000), 0);
    assert_int_equal(palloc_managed_bytes(&pa), 0x100000 - 0x3000);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x3000), -XAM_EINVAL);
    assert_int_equal(palloc_free(&pa, 0x100000, 0x1000), 0);
    assert_int_equal(palloc_free(&pa, 0x102000, 0x1000), 0);
    assert_int_equal(palloc_free_bytes(&pa), 0x100000 - 0x3000);
    /* partly outside what is managed, and empty */
    assert_int_equal(palloc_exclude(&pa, 0x1ff000, 0x2000), 0);
    assert_int_equal(palloc_managed_bytes(&pa), 0x100000 - 0x4000);
    assert_int_equal(palloc_exclude(&pa, 0x150000, 0), 0);
    assert_int_equal(palloc_exclude(&pa, UINT64_MAX - 0xfff, 0x2000), -XAM_EINVAL);
    /* nothing excluded is ever handed out */
    uint64_t n = palloc_free_bytes(&pa) / 0x1000;
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), 0);
        assert_false(p == 0x101000 || p == 0x140000 || p == 0x141000 || p == 0x1ff000);
    }
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000, &p), -XAM_ENOMEM);
}

static void region_capacity(void **state)
{
    (void)state;
    for (unsigned i = 0; i < PALLOC_MAX_REGIONS; i++)
        assert_int_equal(palloc_add(&pa, 0x10000000ULL * (i + 1), 0x1000), 0);
    assert_int_equal(palloc_add(&pa, 0x1000000000ULL, 0x1000), -XAM_ENOSPC);
    assert_int_equal(palloc_managed_bytes(&pa), PALLOC_MAX_REGIONS * 0x1000ULL);
    assert_int_equal(palloc_free_bytes(&pa), PALLOC_MAX_REGIONS * 0x1000ULL);
    /* growing an existing region needs no new slot */
    assert_int_equal(palloc_add(&pa, 0x10001000, 0x1000), 0);
    assert_int_equal(palloc_free_bytes(&pa), (PALLOC_MAX_REGIONS + 1) * 0x1000ULL);
}

/* With every free-extent slot in use, an allocation that would split an
 * extent must fail without losing any free memory. */
static void failed_split_loses_no_memory(void **state)
{
    (void)state;
    paddr_t p;
    const paddr_t base = 0x40000000;
    assert_int_equal(palloc_add(&pa, base, PALLOC_MAX_EXTENTS * 4 * 0x1000ULL), 0);
    /* claim every 4th page: 256 extents of 3 pages at odd page numbers */
    for (unsigned k = 0; k < PALLOC_MAX_EXTENTS; k++)
        assert_int_equal(palloc_claim(&pa, base + k * 4 * 0x1000ULL, 0x1000), 0);
    assert_int_equal(pa.free.n, PALLOC_MAX_EXTENTS);
    const uint64_t before = palloc_free_bytes(&pa);
    /* 2-page alignment lands in the middle of the first 3-page extent */
    int rc = palloc_alloc(&pa, 0x1000, 0x2000, &p);
    if (rc == 0) {
        assert_int_equal(p % 0x2000, 0);
        assert_int_equal(palloc_free_bytes(&pa), before - 0x1000);
    } else {
        assert_true(rc == -XAM_ENOSPC || rc == -XAM_ENOMEM);
        assert_int_equal(palloc_free_bytes(&pa), before);
        assert_int_equal(palloc_claim(&pa, base + 0x3000, 0x1000), 0); /* still there */
    }
    /* taking a whole extent needs no slot */
    assert_int_equal(palloc_alloc(&pa, 0x3000, 0x1000, &p), 0);
}

/* Random alloc/free/claim/double-free against a page bitmap. First fit over
 * sorted, merged extents means: the lowest aligned start with enough free
 * pages after it. The model computes that and the allocator must match. */
static void random_first_fit_matches_model(void **state)
{
    (void)state;
    enum { PAGES = 256, MAXLIVE = 48 };
    const paddr_t base = 0x80000000;
    bool freep[PAGES];
    struct {
        unsigned first, n;
    } live[MAXLIVE];
    unsigned nlive = 0;
    uint64_t seed = 7;

    for (unsigned i = 0; i < PAGES; i++)
        freep[i] = true;
    assert_int_equal(palloc_add(&pa, base, PAGES * 0x1000ULL), 0);
    /* a few holes that are not ours, as reserved regions would make */
    assert_int_equal(palloc_exclude(&pa, base + 40 * 0x1000ULL, 3 * 0x1000), 0);
    assert_int_equal(palloc_exclude(&pa, base + 130 * 0x1000ULL, 1), 0);
    bool managed[PAGES];
    for (unsigned i = 0; i < PAGES; i++)
        managed[i] = !((i >= 40 && i < 43) || i == 130);
    for (unsigned i = 0; i < PAGES; i++)
        freep[i] = managed[i];

    for (int step = 0; step < 3000; step++) {
        unsigned op = (unsigned)(unit_rand(&seed) % 8);
        if (op < 4 && nlive < MAXLIVE) {
            unsigned n = 1 + (unsigned)(unit_rand(&seed) % 9);
            unsigned alignp = 1u << (unit_rand(&seed) % 4);
            int want = -1;
            for (unsigned s0 = 0; s0 + n <= PAGES && want < 0; s0 += alignp) {
                unsigned i = 0;
                while (i < n && freep[s0 + i])
                    i++;
                if (i == n)
                    want = (int)s0;
            }
            paddr_t p;
            int rc = palloc_alloc(&pa, n * 0x1000ULL, alignp * 0x1000ULL, &p);
            if (want < 0) {
                assert_int_equal(rc, -XAM_ENOMEM);
                continue;
            }
            assert_int_equal(rc, 0);
            assert_int_equal(p, base + (uint64_t)want * 0x1000);
            for (unsigned i = 0; i < n; i++)
                freep[want + i] = false;
            live[nlive].first = (unsigned)want;
            live[nlive++].n = n;
        } else if (op < 6 && nlive) {
            unsigned k = (unsigned)(unit_rand(&seed) % nlive);
            assert_int_equal(palloc_free(&pa, base + live[k].first * 0x1000ULL, live[k].n * 0x1000ULL), 0);
            for (unsigned i = 0; i < live[k].n; i++)
                freep[live[k].first + i] = true;
            /* freeing it again, or any page of it, is a double free */
            assert_int_equal(palloc_free(&pa, base + live[k].first * 0x1000ULL, 0x1000), -XAM_EINVAL);
            live[k] = live[--nlive];
        } else if (op == 6 && nlive < MAXLIVE) {
            unsigned first = (unsigned)(unit_rand(&seed) % PAGES);
            unsigned n = 1 + (unsigned)(unit_rand(&seed) % 4);
            if (first + n > PAGES)
                n = PAGES - first;
            bool all = true;
            for (unsigned i = 0; i < n; i++)
                all &= freep[first + i];
            int rc = palloc_claim(&pa, base + first * 0x1000ULL, n * 0x1000ULL);
            assert_int_equal(rc, all ? 0 : -XAM_EBUSY);
            if (all) {
                for (unsigned i = 0; i < n; i++)
                    freep[first + i] = false;
                live[nlive].first = first;
                live[nlive++].n = n;
            }
        } else {
            /* a free of a page the model says is free or not managed */
            unsigned i = (unsigned)(unit_rand(&seed) % PAGES);
            if (freep[i] || !managed[i])
                assert_int_equal(palloc_free(&pa, base + i * 0x1000ULL, 0x1000), -XAM_EINVAL);
        }
        uint64_t nfree = 0;
        for (unsigned i = 0; i < PAGES; i++)
            nfree += freep[i];
        assert_int_equal(palloc_free_bytes(&pa), nfree * 0x1000);
        assert_int_equal(palloc_managed_bytes(&pa), (PAGES - 4) * 0x1000ULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(add_trims_to_pages, setup),
        cmocka_unit_test_setup(alloc_is_first_fit_and_aligned, setup),
        cmocka_unit_test_setup(exhaustion_and_reuse, setup),
        cmocka_unit_test_setup(bad_frees_are_refused, setup),
        cmocka_unit_test_setup(claim_and_exclude, setup),
        cmocka_unit_test_setup(random_against_bitmap, setup),
        cmocka_unit_test_setup(alignment_leaves_the_gap_free, setup),
        cmocka_unit_test_setup(first_fit_across_regions, setup),
        cmocka_unit_test_setup(frees_that_touch_free_or_foreign_memory, setup),
        cmocka_unit_test_setup(claims, setup),
        cmocka_unit_test_setup(exclude_is_for_good, setup),
        cmocka_unit_test_setup(region_capacity, setup),
        cmocka_unit_test_setup(failed_split_loses_no_memory, setup),
        cmocka_unit_test_setup(random_first_fit_matches_model, setup),
    };
    return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
