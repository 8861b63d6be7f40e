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
    assert_int_equal(palloc_alloc(&pa, 0x1000, 0x800, &p), -XAM_EINVAL);  /* below a page */
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
    assert_int_equal(palloc_free(&pa, p, 0x2000), -XAM_EINVAL);       /* double free */
    assert_int_equal(palloc_free(&pa, 0x900000, 0x1000), -XAM_EINVAL); /* never managed */
    assert_int_equal(palloc_free(&pa, p + 1, 0x1000), -XAM_EINVAL);    /* unaligned */
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
    struct { paddr_t p; uint64_t n; } live[64];
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(add_trims_to_pages, setup),
        cmocka_unit_test_setup(alloc_is_first_fit_and_aligned, setup),
        cmocka_unit_test_setup(exhaustion_and_reuse, setup),
        cmocka_unit_test_setup(bad_frees_are_refused, setup),
        cmocka_unit_test_setup(claim_and_exclude, setup),
        cmocka_unit_test_setup(random_against_bitmap, setup),
    };
    return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
