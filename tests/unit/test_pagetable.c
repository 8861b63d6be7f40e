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

/* pages_only (guests' stage 2 on QEMU): a 2 MiB- and 1 GiB-aligned range
 * still ends in 4 KiB leaves, each page where it belongs */
static void pages_only_never_maps_a_block(void **state)
{
    (void)state;
    pt.pages_only = true;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, 0x400000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 5); /* L1, L2, and an L3 for each 2 MiB */
    for (vaddr_t va = 0x40000000; va < 0x40400000; va += 0x1ff000) {
        paddr_t pa;
        uint64_t attrs, leaf = 0;
        assert_true(pt_lookup_leaf(&pt, va, &pa, &attrs, &leaf));
        assert_int_equal(pa, va + 0x40000000);
        assert_int_equal(leaf, 0x1000);
    }
    /* and unmapping a page of it splits nothing */
    assert_int_equal(pt_unmap(&pt, 0x40201000, 0x1000, NULL), 0);
    assert_int_equal(pt.tables, 5);
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

static void expect_map(vaddr_t va, paddr_t want, uint64_t want_attrs)
{
    paddr_t pa = 0;
    uint64_t attrs = 0;
    if (!pt_lookup(&pt, va, &pa, &attrs))
        fail_msg("0x%llx is not mapped", (unsigned long long)va);
    assert_int_equal(pa, want);
    assert_int_equal(attrs, want_attrs);
}

static void expect_unmapped(vaddr_t va)
{
    paddr_t pa;
    uint64_t attrs;
    assert_false(pt_lookup(&pt, va, &pa, &attrs));
}

/* Start at level 1 (39-bit VA): the table count shows which level a leaf
 * went to, because only pages and 2 MiB blocks need tables below the root. */
static void block_levels_from_level1(void **state)
{
    (void)state;
    pt.start_level = 1;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x140000000, 0x40000000, PT_HYP_DEVICE), 0);
    assert_int_equal(pt.tables, 1); /* a level-1 block in the root */
    expect_map(0x40000000, 0x140000000, PT_HYP_DEVICE);
    expect_map(0x7fffffff, 0x17fffffff, PT_HYP_DEVICE);
    expect_unmapped(0x3fffffff);
    expect_unmapped(0x80000000);
    assert_int_equal(pt_map(&pt, 0x80200000, 0x200000, 0x400000, PT_HYP_RO), 0);
    assert_int_equal(pt.tables, 2); /* one level-2 table, two blocks in it */
    expect_map(0x80200000, 0x200000, PT_HYP_RO);
    expect_map(0x805fffff, 0x5fffff, PT_HYP_RO);
    expect_unmapped(0x801fffff);
    expect_unmapped(0x80600000);
    assert_int_equal(pt_map(&pt, 0x80003000, 0x9000, 0x1000, PT_HYP_TEXT), 0);
    assert_int_equal(pt.tables, 3); /* and a level-3 table for a page */
    expect_map(0x80003abc, 0x9abc, PT_HYP_TEXT);
    expect_unmapped(0x80002fff);
    expect_unmapped(0x80004000);
}

static void block_needs_aligned_output_too(void **state)
{
    (void)state;
    pt.start_level = 1;
    /* VA 2 MiB-aligned, PA only 4 KiB-aligned: pages, not a block */
    assert_int_equal(pt_map(&pt, 0x200000, 0x40001000, 0x200000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 3);
    expect_map(0x200000, 0x40001000, PT_HYP_RW);
    expect_map(0x3ff123, 0x40200123, PT_HYP_RW);
    /* VA 1 GiB-aligned, PA only 2 MiB-aligned: 2 MiB blocks */
    assert_int_equal(pt_map(&pt, 0x40000000, 0x80200000, 0x40000000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 4);
    expect_map(0x7fffffff, 0xc01fffff, PT_HYP_RW);
}

static void attributes_survive_at_every_level(void **state)
{
    (void)state;
    const uint64_t odd = PT_ATTRIDX(MT_NORMAL_NC) | PT_AP_RES1 | PT_AP_RO | PT_AF | PT_XN;
    assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, PT_HYP_TEXT), 0);
    assert_int_equal(pt_map(&pt, 0x2000, 0x2000, 0x1000, PT_HYP_RO), 0);
    assert_int_equal(pt_map(&pt, 0x3000, 0x3000, 0x1000, PT_HYP_DEVICE), 0);
    assert_int_equal(pt_map(&pt, 0x200000, 0x200000, 0x200000, odd), 0);
    assert_int_equal(pt_map(&pt, 0x40000000, 0x40000000, 0x40000000, PT_HYP_RW), 0);
    expect_map(0x1000, 0x1000, PT_HYP_TEXT);
    expect_map(0x2000, 0x2000, PT_HYP_RO);
    expect_map(0x3000, 0x3000, PT_HYP_DEVICE);
    expect_map(0x300000, 0x300000, odd);
    expect_map(0x50000000, 0x50000000, PT_HYP_RW);
}

static void nothing_maps_twice(void **state)
{
    (void)state;
    pt.start_level = 1;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x40000000, 0x40000000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x40200000, 0x0, 0x200000, PT_HYP_RW), -XAM_EEXIST); /* 2M in 1G */
    assert_int_equal(pt_map(&pt, 0x7ffff000, 0x0, 0x1000, PT_HYP_RW), -XAM_EEXIST); /* page in 1G */
    assert_int_equal(pt_map(&pt, 0x40000000, 0x0, 0x40000000, PT_HYP_RW), -XAM_EEXIST);
    assert_int_equal(pt_map(&pt, 0x80000000, 0x80000000, 0x200000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x80000000, 0x0, 0x40000000, PT_HYP_RW), -XAM_EEXIST); /* 1G over 2M */
    assert_int_equal(pt_map(&pt, 0x80001000, 0x0, 0x1000, PT_HYP_RW), -XAM_EEXIST); /* page in 2M */
    assert_int_equal(pt_map(&pt, 0x80200000, 0x5000, 0x1000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x80200000, 0x0, 0x200000, PT_HYP_RW), -XAM_EEXIST); /* 2M over a page */
    assert_int_equal(pt_map(&pt, 0x80200000, 0x0, 0x1000, PT_HYP_RW), -XAM_EEXIST); /* the same page */
    /* ending exactly where a mapping starts, or starting where one ends, is fine */
    assert_int_equal(pt_map(&pt, 0x0, 0x0, 0x40000000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x80201000, 0x6000, 0x1000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x80400000, 0x400000, 0x200000, PT_HYP_RW), 0);
    expect_map(0x3fffffff, 0x3fffffff, PT_HYP_RW);
    expect_map(0x40000000, 0x40000000, PT_HYP_RW);
    expect_map(0x80001000, 0x80001000, PT_HYP_RW);
    expect_map(0x80200000, 0x5000, PT_HYP_RW);
    expect_map(0x80201000, 0x6000, PT_HYP_RW);
    expect_unmapped(0x80202000);
    expect_map(0x80400000, 0x400000, PT_HYP_RW);
}

static void bad_arguments_change_nothing(void **state)
{
    (void)state;
    pt.start_level = 1;
    assert_int_equal(pt_map(&pt, 0x1001, 0x1000, 0x1000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x1000, 0x1001, 0x1000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0xfff, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0, PT_HYP_RW), -XAM_EINVAL);
    /* level 1 covers 39 bits of input */
    assert_int_equal(pt_map(&pt, (1ULL << 39) - 0x1000, 0x1000, 0x2000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 1ULL << 39, 0x1000, 0x1000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, (1ULL << 39) - 0x1000, 0x1000, 0x1000, PT_HYP_RW), 0);
    /* wrap-around of either address */
    assert_int_equal(pt_map(&pt, 0x1000, UINT64_MAX & ~0xfffULL, 0x2000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, UINT64_MAX & ~0xfffULL, 0x1000, 0x2000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt_map(&pt, 0x2000, (1ULL << 48) - 0x1000, 0x2000, PT_HYP_RW), -XAM_EINVAL);
    assert_int_equal(pt.tables, 3); /* only the one good call allocated */
    expect_unmapped(0x1000);
    expect_unmapped(0x2000);
}

static void level0_reaches_48_bits(void **state)
{
    (void)state;
    assert_int_equal(pt_map(&pt, 0xffffffe00000, 0xfffffffff000 - 0x1ff000, 0x200000, PT_HYP_RW), 0);
    expect_map(0xffffffffffff & ~0xfffULL, 0xfffffffff000, PT_HYP_RW);
    assert_int_equal(pt_map(&pt, 0x8000000000, 0x0, 0x1000, PT_HYP_RW), 0); /* second level-0 entry */
    expect_map(0x8000000000, 0x0, PT_HYP_RW);
    expect_unmapped(0x0);
}

static void every_table_allocation_can_fail(void **state)
{
    (void)state;
    /* a page at level 3 from level 0 needs three tables: each missing one fails */
    for (unsigned have = 0; have < 3; have++) {
        teardown(NULL);
        setup(NULL);
        budget = have;
        assert_int_equal(pt_map(&pt, 0x40001000, 0x1000, 0x1000, PT_HYP_RW), -XAM_ENOMEM);
        assert_int_equal(pt.tables, 1 + have);
        expect_unmapped(0x40001000);
    }
    teardown(NULL);
    setup(NULL);
    budget = 3;
    assert_int_equal(pt_map(&pt, 0x40001000, 0x1000, 0x1000, PT_HYP_RW), 0);
    assert_int_equal(pt.tables, 4);
    /* tables already there are reused: a neighbour needs none */
    budget = 0;
    assert_int_equal(pt_map(&pt, 0x40002000, 0x2000, 0x1000, PT_HYP_RW), 0);
    assert_int_equal(pt_map(&pt, 0x40200000, 0x200000, 0x200000, PT_HYP_RW), 0); /* block in that L2 */
    assert_int_equal(pt_map(&pt, 0x40400000, 0x400000, 0x1000, PT_HYP_RW), -XAM_ENOMEM);
}

/* A CPU with a 36-bit physical address size gets 36-bit guest addresses:
 * the walk still starts at level 1, but nothing at or above 2^36 maps. */
static void smaller_input_size(void **state)
{
    (void)state;
    struct pt s2 = { .start_level = 1, .in_bits = 36, .alloc_table = alloc };
    s2.root = alloc(NULL);
    paddr_t pa;
    uint64_t attrs;
    assert_int_equal(pt_map(&s2, (1ULL << 36) - 0x1000, 0x80000000, 0x1000, S2_RAM), 0);
    assert_true(pt_lookup(&s2, (1ULL << 36) - 0x1000, &pa, &attrs));
    assert_int_equal(pa, 0x80000000);
    assert_int_equal(pt_map(&s2, 1ULL << 36, 0x80000000, 0x1000, S2_RAM), -XAM_EINVAL);
    assert_int_equal(pt_map(&s2, (1ULL << 36) - 0x1000, 0x80001000, 0x2000, S2_RAM), -XAM_EINVAL);
}

static unsigned flushes;
static void count_flush(struct pt *p)
{
    (void)p;
    flushes++;
}

/* One page out of a 1 GiB block: the block is split twice (1 GiB -> 2 MiB
 * blocks -> 4 KiB pages), each split flushed between break and make; the
 * rest of the block still translates as before, with its attributes. */
static void unmap_splits_blocks(void **state)
{
    (void)state;
    paddr_t pa;
    uint64_t attrs;
    pt.start_level = 1;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, 0x40000000, PT_HYP_RW), 0);
    unsigned before = pt.tables;
    flushes = 0;
    assert_int_equal(pt_unmap(&pt, 0x40235000, 0x1000, count_flush), 0);
    assert_int_equal(flushes, 2);
    assert_int_equal(pt.tables, before + 2);
    assert_false(pt_lookup(&pt, 0x40235000, &pa, &attrs));
    assert_false(pt_lookup(&pt, 0x40235fff, &pa, &attrs));
    for (uint64_t va = 0x40000000; va < 0x80000000; va += 0x1000 * 97) {
        if (va >> 12 == 0x40235)
            continue;
        assert_true(pt_lookup(&pt, va, &pa, &attrs));
        assert_int_equal(pa, va + 0x40000000);
        assert_int_equal(attrs, PT_HYP_RW);
    }
    assert_true(pt_lookup(&pt, 0x40234fff, &pa, &attrs));
    assert_true(pt_lookup(&pt, 0x40236000, &pa, &attrs));
    /* a page can go back in the hole, and nowhere else */
    assert_int_equal(pt_map(&pt, 0x40235000, 0x12345000, 0x1000, PT_HYP_RO), 0);
    assert_true(pt_lookup(&pt, 0x40235010, &pa, &attrs));
    assert_int_equal(pa, 0x12345010);
    assert_int_equal(pt_map(&pt, 0x40236000, 0x12345000, 0x1000, PT_HYP_RO), -XAM_EEXIST);
    /* a whole 2 MiB block goes without a split */
    flushes = 0;
    assert_int_equal(pt_unmap(&pt, 0x40400000, 0x200000, count_flush), 0);
    assert_int_equal(flushes, 0);
    assert_false(pt_lookup(&pt, 0x40400000, &pa, &attrs));
    assert_true(pt_lookup(&pt, 0x40600000, &pa, &attrs));
}

static void unmap_refuses_holes_and_bad_arguments(void **state)
{
    (void)state;
    paddr_t pa;
    uint64_t attrs;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, 0x2000, PT_HYP_RW), 0);
    assert_int_equal(pt_unmap(&pt, 0x40001000, 0x800, NULL), -XAM_EINVAL);
    assert_int_equal(pt_unmap(&pt, 0x40000800, 0x1000, NULL), -XAM_EINVAL);
    assert_int_equal(pt_unmap(&pt, 0x40000000, 0, NULL), -XAM_EINVAL);
    assert_int_equal(pt_unmap(&pt, ~0xfffULL, 0x2000, NULL), -XAM_EINVAL);
    assert_int_equal(pt_unmap(&pt, 0x50000000, 0x1000, NULL), -XAM_ENOENT);
    assert_true(pt_lookup(&pt, 0x40001000, &pa, &attrs));
    /* a range running into nothing: what was mapped before it goes */
    assert_int_equal(pt_unmap(&pt, 0x40001000, 0x2000, NULL), -XAM_ENOENT);
    assert_false(pt_lookup(&pt, 0x40001000, &pa, &attrs));
    assert_true(pt_lookup(&pt, 0x40000000, &pa, &attrs));
}

static void unmap_split_without_tables(void **state)
{
    (void)state;
    paddr_t pa;
    uint64_t attrs;
    pt.start_level = 1;
    assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, 0x200000, PT_HYP_RW), 0);
    budget = 0;
    assert_int_equal(pt_unmap(&pt, 0x40001000, 0x1000, NULL), -XAM_ENOMEM);
    /* the block is untouched */
    assert_true(pt_lookup(&pt, 0x40001000, &pa, &attrs));
    assert_int_equal(pa, 0x80001000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pages_blocks_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(unmap_splits_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(unmap_refuses_holes_and_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(unmap_split_without_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_alignment_uses_largest_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(pages_only_never_maps_a_block, setup, teardown),
        cmocka_unit_test_setup_teardown(overlaps_and_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(table_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(stage2_starts_at_level1, setup, teardown),
        cmocka_unit_test_setup_teardown(free_tables_visits_all_but_root, setup, teardown),
        cmocka_unit_test_setup_teardown(block_levels_from_level1, setup, teardown),
        cmocka_unit_test_setup_teardown(block_needs_aligned_output_too, setup, teardown),
        cmocka_unit_test_setup_teardown(attributes_survive_at_every_level, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_maps_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(level0_reaches_48_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(every_table_allocation_can_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(smaller_input_size, setup, teardown),
    };
    return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
