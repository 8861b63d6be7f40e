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
    assert_false(mrset_overlaps(&s, 0x0, 0x1000)); /* ends at the start */
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
    assert_true(range_wraps(UINT64_MAX, 1)); /* ends exactly at 2^64: its end does not fit */
    assert_false(mrset_contains(&s, UINT64_MAX, 2));
}

static void remove_spanning_several(void **state)
{
    (void)state;
    for (uint64_t b = 0x1000; b < 0x9000; b += 0x2000)
        mrset_add(&s, b, 0x1000); /* 0x1000 0x3000 0x5000 0x7000 */
    assert_int_equal(s.n, 4);
    assert_int_equal(mrset_remove(&s, 0x1800, 0x6000), 0); /* 0x1800-0x77ff */
    assert_int_equal(s.n, 2);
    expect(0, 0x1000, 0x800);
    expect(1, 0x7800, 0x800);
    /* a remove that only touches a member's ends changes nothing */
    assert_int_equal(mrset_remove(&s, 0x1800, 0x6000), 0);
    assert_int_equal(mrset_remove(&s, 0x0, 0x1000), 0); /* ends exactly at a start */
    assert_int_equal(mrset_remove(&s, 0x8000, 0x1000), 0); /* starts exactly at an end */
    assert_int_equal(mrset_remove(&s, 0x4000, 0), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(mrset_total(&s), 0x1000);
}

static void full_set_can_still_merge_and_shrink(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        mrset_add(&s, 0x10000 * (uint64_t)i, 0x1000);
    /* bridging two members frees a slot */
    assert_int_equal(mrset_add(&s, 0x1000, 0xf000), 0);
    assert_int_equal(s.n, 3);
    expect(0, 0x0, 0x11000);
    assert_int_equal(mrset_add(&s, 0x100000, 0x1000), 0);
    assert_int_equal(s.n, 4);
    /* removing whole members or trimming needs no slot */
    assert_int_equal(mrset_remove(&s, 0x20000, 0x1000), 0);
    assert_int_equal(mrset_remove(&s, 0x0, 0x800), 0);
    assert_int_equal(s.n, 3);
    expect(0, 0x800, 0x10800);
    /* a failed split leaves every byte where it was */
    mrset_add(&s, 0x200000, 0x3000);
    assert_int_equal(s.n, 4);
    assert_int_equal(mrset_remove(&s, 0x201000, 0x1000), -XAM_ENOSPC);
    assert_int_equal(s.n, 4);
    expect(3, 0x200000, 0x3000);
    assert_int_equal(mrset_total(&s), 0x10800 + 0x1000 + 0x1000 + 0x3000);
}

static void range_helpers(void **state)
{
    (void)state;
    struct mrange m = { 0x1000, 0x2000 };
    assert_int_equal(mrange_end(&m), 0x3000);
    assert_false(range_wraps(0, 0));
    assert_false(range_wraps(UINT64_MAX, 0));
    assert_false(range_wraps(0, UINT64_MAX));
    assert_true(range_wraps(1, UINT64_MAX)); /* [1, 2^64): the end does not fit in 64 bits */
    assert_true(range_wraps(2, UINT64_MAX));
    assert_true(range_wraps(UINT64_MAX - 0xfff, 0x1000)); /* ends exactly at the top */
    assert_true(range_wraps(UINT64_MAX - 0xfff, 0x1001));
    assert_true(ranges_overlap(0x1000, 0x1000, 0x1fff, 1));
    assert_false(ranges_overlap(0x1000, 0x1000, 0x2000, 1)); /* starts at the end */
    assert_false(ranges_overlap(0x1000, 0x1000, 0x0, 0x1000)); /* ends at the start */
    assert_false(ranges_overlap(0x1000, 0x1000, 0x1800, 0)); /* empty */
    assert_true(ranges_overlap(0x0, 0x10000, 0x1000, 0x10)); /* contains */
}

/* A range that ends exactly at the top of the address space does not wrap
 * (range_wraps says so), so the set either refuses it or keeps it like any
 * other: sorted before it, found by overlaps/contains, removable. */
static void range_ending_at_top_of_address_space(void **state)
{
    (void)state;
    const paddr_t top = UINT64_MAX - 0xfff; /* [top, 2^64) */
    int rc = mrset_add(&s, top, 0x1000);
    if (rc != 0) {
        assert_int_equal(rc, -XAM_EINVAL);
        assert_int_equal(s.n, 0);
        return;
    }
    assert_int_equal(mrset_add(&s, 0x5000, 0x1000), 0);
    assert_int_equal(s.n, 2);
    expect(0, 0x5000, 0x1000); /* sorted by base */
    expect(1, top, 0x1000);
    assert_true(mrset_overlaps(&s, top + 0x800, 0x100));
    assert_true(mrset_contains(&s, top + 0x800, 0x100));
    assert_int_equal(mrset_remove(&s, top, 0x1000), 0);
    assert_int_equal(s.n, 1);
    expect(0, 0x5000, 0x1000);
}

/* Random adds and removes over 128 units of 4 KiB, checked after every step
 * against a bitmap: the set's members must be exactly the bitmap's maximal
 * runs (sorted, disjoint, never adjacent), and overlaps/contains must agree
 * with it. 64 slots hold any 128-unit pattern, so nothing may fail. */
static void random_against_bitmap(void **state)
{
    (void)state;
    enum { UNITS = 128, U = 0x1000, BASE = 0x100000 };
    static struct mrange big[UNITS / 2];
    struct mrset r;
    bool bit[UNITS] = { false };
    uint64_t seed = 42;
    mrset_init(&r, big, UNITS / 2);
    for (int step = 0; step < 4000; step++) {
        unsigned a = (unsigned)(unit_rand(&seed) % UNITS);
        unsigned len = 1 + (unsigned)(unit_rand(&seed) % 12);
        if (a + len > UNITS)
            len = UNITS - a;
        bool add = unit_rand(&seed) % 2;
        int rc = add ? mrset_add(&r, BASE + (uint64_t)a * U, (uint64_t)len * U)
                     : mrset_remove(&r, BASE + (uint64_t)a * U, (uint64_t)len * U);
        assert_int_equal(rc, 0);
        for (unsigned i = a; i < a + len; i++)
            bit[i] = add;

        unsigned k = 0;
        uint64_t total = 0;
        for (unsigned i = 0; i < UNITS;) {
            if (!bit[i]) {
                i++;
                continue;
            }
            unsigned j = i;
            while (j < UNITS && bit[j])
                j++;
            assert_true(k < r.n);
            assert_int_equal(r.r[k].base, BASE + (uint64_t)i * U);
            assert_int_equal(r.r[k].size, (uint64_t)(j - i) * U);
            total += (uint64_t)(j - i) * U;
            k++;
            i = j;
        }
        assert_int_equal(r.n, k);
        assert_int_equal(mrset_total(&r), total);

        /* one random query of each kind, sub-unit offsets included */
        unsigned qa = (unsigned)(unit_rand(&seed) % UNITS), ql = 1 + (unsigned)(unit_rand(&seed) % 8);
        if (qa + ql > UNITS)
            ql = UNITS - qa;
        bool any = false, all = true;
        for (unsigned i = qa; i < qa + ql; i++) {
            any |= bit[i];
            all &= bit[i];
        }
        assert_int_equal(mrset_overlaps(&r, BASE + (uint64_t)qa * U + 0x10, (uint64_t)ql * U - 0x20), any);
        assert_int_equal(mrset_contains(&r, BASE + (uint64_t)qa * U, (uint64_t)ql * U), all);
    }
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
        cmocka_unit_test_setup(remove_spanning_several, setup),
        cmocka_unit_test_setup(full_set_can_still_merge_and_shrink, setup),
        cmocka_unit_test_setup(range_helpers, setup),
        cmocka_unit_test_setup(range_ending_at_top_of_address_space, setup),
        cmocka_unit_test_setup(random_against_bitmap, setup),
    };
    return cmocka_run_group_tests_name("memrange", tests, NULL, NULL);
}
