#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <asm/pagetable.h>
#include <asm/stage2.h>
#include <xam/errno.h>

static unsigned budget;
static uint64_t *tables[64];
static unsigned ntables;

static uint64_t *alloc(void *ctx)
{
    (void)ctx;
    if (budget == 0)
        return NULL;
    budget--;
    uint64_t *t = aligned_alloc(4096, 4096);
    memset(t, 0, 4096);
    tables[ntables++] = t;
    return t;
}

static struct pt pt;

static int setup(void **state)
{
    (void)state;
    budget = 64;
    ntables = 0;
    pt = (struct pt){ .start_level = 0, .alloc_table = alloc };
    pt.root = alloc(NULL);
    pt.tables = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < ntables; i++)
        free(tables[i]);
    return 0;
}

static void pages_blocks_and_lookup(void **state)
{
    (void)state;
    paddr_t pa;
    uint64_t attrs;
    /* 4 KiB pages: L0 -> L1 -> L2 -> L3 tables */
    assert_int_equal(pt_map(&pt, 0x40001000, 0x80001000, 0x2000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 4);
    assert_true(pt_lookup(&pt, 0x40001234, &pa, &attrs));
    assert_int_equal(pa, 0x80001234);
    assert_int_equal(attrs, PT_HYP_RW);
    assert_false(pt_lookup(&pt, 0x40000000, &pa, &attrs));
    assert_false(pt_lookup(&pt, 0x40003000, &pa, &attrs));
    /* a 2 MiB block needs no new table */
    assert_int_equal(pt_map(&pt, 0x40200000, 0x90200000, 0x200000, PT_HYP_RO), 0);
    assert_int_equal(pt.tables, 4);
    assert_true(pt_lookup(&pt, 0x403fffff, &pa, &attrs));
    assert_int_equal(pa, 0x903fffff);
    assert_int_equal(attrs, PT_HYP_RO);
    /* a 1 GiB block at level 1: no new table either */
    assert_int_equal(pt_map(&pt, 0x80000000, 0x80000000, 0x40000000, PT_HYP_DEVICE), 0);
    assert_int_equal(pt.tables, 4);
    assert_true(pt_lookup(&pt, 0xbfffffff, &pa, &attrs));
    assert_int_equal(pa, 0xbfffffff);
    assert_true(attrs & PT_XN);
}

static void mixed_alignment_uses_largest_blocks(void **state)
{
    (void)state;
    /* 4 KiB before a 2 MiB boundary, then 2 MiB, then 4 KiB */
    assert_int_equal(pt_map(&pt, 0x1ff000, 0x1ff000, 0x202000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 5); /* L1, L2, and two L3s */
}

static void overlaps_and_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(pt_map(&pt, 0x200000, 0x200000, 0x200000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x201000, 0x201000, 0x1000, PT_HYP_RW), -XAM_EEXIST); /* inside a block */
    assert_int_equal(pt_map(&pt, 0x400000, 0x400000, 0x1000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x400000, 0x400000, 0x1000, PT_HYP_RW), -XAM_EEXIST);
    assert_int_equal(pt_map(&pt, 0x401000, 0x401000, 0x800, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x401800, 0x401000, 0x1000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x401000, 0x401000, 0, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 1ULL << 48, 0, 0x1000, PT_HYP_RW), -XAM_EINVAL); /* past 48-bit VA */
    assert_int_equal(pt_map(&pt, 0, 1ULL << 48, 0x1000, PT_HYP_RW), -XAM_EINVAL); /* past 48-bit PA */
}

static void table_exhaustion(void **state)
{
    (void)state;
    budget = 1;
    assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, PT_HYP_RW), -XAM_ENOMEM);
}

static void stage2_starts_at_level1(void **state)
{
    (void)state;
    struct pt s2 = { .start_level = 1, .alloc_table = alloc };
    s2.root = alloc(NULL);
    paddr_t pa;
    uint64_t attrs;
    assert_int_equal(pt_map(&s2, 0x40000000, 0x80000000, 0x1000000, S2_RAM), 0);
    assert_true(pt_lookup(&s2, 0x40fff000, &pa, &attrs));
    assert_int_equal(pa, 0x80fff000);
    assert_int_equal(attrs, S2_RAM);
    /* the guest map tops out at 2^39 */
    assert_int_equal(pt_map(&s2, 1ULL << S2_IPA_BITS, 0, 0x1000, S2_RAM), -XAM_EINVAL);
}

static unsigned freed;
static void count_free(uint64_t *t)
{
    (void)t;
    freed++;
}

static void free_tables_visits_all_but_root(void **state)
{
    (void)state;
    pt_map(&pt, 0x1000, 0x1000, 0x1000, PT_HYP_RW);
    pt_map(&pt, 0x40000000, 0x40000000, 0x1000, PT_HYP_RW);
    freed = 0;
    pt_free_tables(&pt, count_free);
    assert_int_equal(freed, pt.tables - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pages_blocks_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_alignment_uses_largest_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(overlaps_and_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(table_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(stage2_starts_at_level1, setup, teardown),
        cmocka_unit_test_setup_teardown(free_tables_visits_all_but_root, setup, teardown),
    };
    return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
