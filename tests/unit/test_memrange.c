#include "unit.h"
#include <xam/errno.h>
#include <xam/memrange.h>

static struct mrange store[4];
static struct mrset s;

static int setup(void **state)
{
    (void)state;
    mrset_init(&s, store, 4);
    return 0;
}

static void expect(unsigned i, paddr_t base, uint64_t size)
{
    assert_true(i < s.n);
    assert_int_equal(s.r[i].base, base);
    assert_int_equal(s.r[i].size, size);
}

static void add_sorts_and_merges(void **state)
{
    (void)state;
    assert_int_equal(mrset_add(&s, 0x3000, 0x1000), 0);
    assert_int_equal(mrset_add(&s, 0x1000, 0x1000), 0);
    assert_int_equal(s.n, 2);
    expect(0, 0x1000, 0x1000);
    expect(1, 0x3000, 0x1000);
    /* adjacent on both sides: one range */
    assert_int_equal(mrset_add(&s, 0x2000, 0x1000), 0);
    assert_int_equal(s.n, 1);
    expect(0, 0x1000, 0x3000);
    /* overlapping and covering */
    assert_int_equal(mrset_add(&s, 0x0, 0x10000), 0);
    assert_int_equal(s.n, 1);
    expect(0, 0x0, 0x10000);
    assert_int_equal(mrset_add(&s, 0x5000, 0), 0); /* empty: no-op */
    assert_int_equal(mrset_total(&s), 0x10000);
}

static void add_merges_many(void **state)
{
    (void)state;
    mrset_add(&s, 0x1000, 0x1000);
    mrset_add(&s, 0x3000, 0x1000);
    mrset_add(&s, 0x5000, 0x1000);
    assert_int_equal(s.n, 3);
    assert_int_equal(mrset_add(&s, 0x1800, 0x4000), 0); /* spans all three */
    assert_int_equal(s.n, 1);
    expect(0, 0x1000, 0x5000);
}

static void remove_splits_and_trims(void **state)
{
    (void)state;
    mrset_add(&s, 0x0, 0x10000);
    assert_int_equal(mrset_remove(&s, 0x4000, 0x1000), 0);
    assert_int_equal(s.n, 2);
    expect(0, 0x0, 0x4000);
    expect(1, 0x5000, 0xb000);
    assert_int_equal(mrset_remove(&s, 0x0, 0x1000), 0); /* trim front */
    expect(0, 0x1000, 0x3000);
    assert_int_equal(mrset_remove(&s, 0xf000, 0x5000), 0); /* trim back, past the end */
    expect(1, 0x5000, 0xa000);
    assert_int_equal(mrset_remove(&s, 0x2000, 0x9000), 0); /* across both */
    assert_int_equal(s.n, 2);
    expect(0, 0x1000, 0x1000);
    expect(1, 0xb000, 0x4000);
    assert_int_equal(mrset_remove(&s, 0x0, 0x100000), 0);
    assert_int_equal(s.n, 0);
}

static void overlaps_and_contains_edges(void **state)
{
    (void)state;
    mrset_add(&s, 0x1000, 0x1000);
    assert_false(mrset_overlaps(&s, 0x2000, 0x1000)); /* starts at the end */
    assert_false(mrset_overlaps(&s, 0x0, 0x1000));    /* ends at the start */
    assert_true(mrset_overlaps(&s, 0x1fff, 0x10));
    assert_false(mrset_overlaps(&s, 0x1000, 0)); /* empty overlaps nothing */
    assert_true(mrset_contains(&s, 0x1000, 0x1000));
    assert_false(mrset_contains(&s, 0x1000, 0x1001));
    assert_false(mrset_contains(&s, 0x1000, 0));
    mrset_add(&s, 0x3000, 0x1000);
    assert_false(mrset_contains(&s, 0x1000, 0x3000)); /* spans a hole */
}

static void full_set_reports_enospc(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(mrset_add(&s, 0x10000 * (uint64_t)i, 0x1000), 0);
    assert_int_equal(mrset_add(&s, 0x100000, 0x1000), -XAM_ENOSPC);
    assert_int_equal(s.n, 4);
    /* a split needs a slot too */
    assert_int_equal(mrset_remove(&s, 0x400, 0x100), -XAM_ENOSPC);
    assert_int_equal(mrset_total(&s), 0x4000);
    /* merging into an existing member still works when full */
    assert_int_equal(mrset_add(&s, 0x1000, 0x1000), 0);
    assert_int_equal(s.n, 4);
}

static void wrapping_ranges_rejected(void **state)
{
    (void)state;
    assert_int_equal(mrset_add(&s, UINT64_MAX - 0xfff, 0x2000), -XAM_EINVAL);
    assert_int_equal(mrset_remove(&s, UINT64_MAX, 2), -XAM_EINVAL);
    assert_true(range_wraps(UINT64_MAX, 2));
    assert_false(range_wraps(UINT64_MAX, 1));
    assert_false(mrset_contains(&s, UINT64_MAX, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(add_sorts_and_merges, setup),
        cmocka_unit_test_setup(add_merges_many, setup),
        cmocka_unit_test_setup(remove_splits_and_trims, setup),
        cmocka_unit_test_setup(overlaps_and_contains_edges, setup),
        cmocka_unit_test_setup(full_set_reports_enospc, setup),
        cmocka_unit_test_setup(wrapping_ranges_rejected, setup),
    };
    return cmocka_run_group_tests_name("memrange", tests, NULL, NULL);
}
