/* The DT helpers on tests/dtb/dtutil.dts: cell counts, translation through
 * one and two "ranges" (and none), GIC interrupt specifiers, status. */
#include "unit.h"
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <xam/dtutil.h>
#include <xam/errno.h>

static const char *dir;
static char buf[64 << 10];

/* Load dtutil.dtb into buf, with room for the edits a test makes. */
static int load(void **state)
{
    (void)state;
    char path[512];
    static char raw[32 << 10];
    snprintf(path, sizeof(path), "%s/dtutil.dtb", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    size_t n = fread(raw, 1, sizeof(raw), f);
    fclose(f);
    assert_true(n > 0 && n < sizeof(raw));
    assert_int_equal(fdt_open_into(raw, buf, sizeof(buf)), 0);
    return 0;
}

static int node(const char *path)
{
    int n = fdt_path_offset(buf, path);
    if (n < 0)
        fail_msg("fixture has no %s", path);
    return n;
}

static void expect_reg(const char *path, unsigned idx, paddr_t base, uint64_t size)
{
    paddr_t b = ~0ULL;
    uint64_t s = ~0ULL;
    int rc = dt_read_reg(buf, node(path), idx, &b, &s);
    if (rc)
        fail_msg("%s reg[%u]: %d", path, idx, rc);
    assert_int_equal(b, base);
    assert_int_equal(s, size);
}

static void read_cells(void **state)
{
    (void)state;
    static const uint8_t be[12] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4 };
    assert_int_equal(dt_read_cells(be, 1), 0x12345678);
    assert_int_equal(dt_read_cells(be, 2), 0x123456789abcdef0ULL);
    assert_int_equal(dt_read_cells(be, 0), 0);
    assert_int_equal(dt_read_cells(be, 3), 0x9abcdef001020304ULL); /* low 64 bits */
}

static void cell_counts_come_from_the_parent(void **state)
{
    (void)state;
    unsigned ac = 0, sc = 0;
    assert_int_equal(dt_reg_cells(buf, node("/memory@40000000"), &ac, &sc), 0);
    assert_int_equal(ac, 2);
    assert_int_equal(sc, 2);
    assert_int_equal(dt_reg_cells(buf, node("/soc@1c000000/uart@90000"), &ac, &sc), 0);
    assert_int_equal(ac, 1);
    assert_int_equal(sc, 1);
    assert_int_equal(dt_reg_cells(buf, node("/irq-cases/no-irq@3"), &ac, &sc), 0);
    assert_int_equal(ac, 1);
    assert_int_equal(sc, 0);
    assert_int_equal(dt_reg_count(buf, node("/memory@40000000")), 2);
    assert_int_equal(dt_reg_count(buf, node("/soc@1c000000/window2@200000")), 2);
    assert_int_equal(dt_reg_count(buf, node("/dev-noreg")), 0);
}

static void two_cell_reg_at_the_root(void **state)
{
    (void)state;
    expect_reg("/memory@40000000", 0, 0x40000000, 0x40000000);
    expect_reg("/memory@40000000", 1, 0x100000000ULL, 0x80000000);
    paddr_t b;
    uint64_t s;
    assert_int_equal(dt_read_reg(buf, node("/memory@40000000"), 2, &b, &s), -XAM_ENOENT);
    assert_int_equal(dt_read_reg(buf, node("/dev-noreg"), 0, &b, &s), -XAM_ENOENT);
}

static void one_cell_reg_translated_through_ranges(void **state)
{
    (void)state;
    /* soc: 0x0 -> 0x1c000000 (1 MiB), 0x200000 -> 0x2c000000 (64 KiB) */
    expect_reg("/soc@1c000000/uart@90000", 0, 0x1c090000, 0x1000);
    expect_reg("/soc@1c000000/window2@200000", 0, 0x2c000000, 0x100);
    expect_reg("/soc@1c000000/window2@200000", 1, 0x2c00ff00, 0x100);
    /* bridge: 0x0 -> soc 0x80000, then soc -> 0x1c000000 */
    expect_reg("/soc@1c000000/bridge@80000/dev@100", 0, 0x1c080100, 0x10);
    /* "ranges;" is the identity */
    expect_reg("/identity-bus/dev@a000000", 0, 0x0a000000, 0x200);

    paddr_t out;
    assert_int_equal(dt_translate(buf, node("/soc@1c000000"), 0x90000, &out), 0);
    assert_int_equal(out, 0x1c090000);
    assert_int_equal(dt_translate(buf, node("/soc@1c000000"), 0xfffff, &out), 0);
    assert_int_equal(out, 0x1c0fffff);
    assert_int_equal(dt_translate(buf, 0, 0x1234, &out), 0); /* the root: as is */
    assert_int_equal(out, 0x1234);
}

static void unreachable_addresses(void **state)
{
    (void)state;
    paddr_t b, out;
    uint64_t s;
    /* outside every window of the bus's ranges */
    assert_int_equal(dt_read_reg(buf, node("/soc@1c000000/outside@300000"), 0, &b, &s), -XAM_ERANGE);
    assert_int_equal(dt_translate(buf, node("/soc@1c000000"), 0x100000, &out), -XAM_ERANGE); /* one past */
    assert_int_equal(dt_translate(buf, node("/soc@1c000000"), 0x210000, &out), -XAM_ERANGE);
    /* a bus without "ranges" is not memory-mapped */
    assert_int_equal(dt_read_reg(buf, node("/nobus/dev@1000"), 0, &b, &s), -XAM_ERANGE);
    assert_int_equal(dt_read_reg(buf, node("/irq-cases/no-irq@3"), 0, &b, &s), -XAM_ERANGE);
    /* ... but its reg can still be read as written */
    assert_int_equal(dt_read_reg_raw(buf, node("/nobus/dev@1000"), 0, &b, &s), 0);
    assert_int_equal(b, 0x1000);
    assert_int_equal(s, 0x100);
    assert_int_equal(dt_read_reg_raw(buf, node("/irq-cases/no-irq@3"), 0, &b, &s), 0);
    assert_int_equal(b, 3);
    assert_int_equal(s, 0);
    assert_int_equal(dt_read_reg_raw(buf, node("/soc@1c000000/uart@90000"), 0, &b, &s), 0);
    assert_int_equal(b, 0x90000); /* raw: no translation */
    /* losing the outer ranges makes the nested device unreachable too */
    assert_int_equal(fdt_delprop(buf, node("/soc@1c000000"), "ranges"), 0);
    assert_int_equal(dt_read_reg(buf, node("/soc@1c000000/bridge@80000/dev@100"), 0, &b, &s), -XAM_ERANGE);
}

static void malformed_reg(void **state)
{
    (void)state;
    paddr_t b;
    uint64_t s;
    fdt32_t three[3] = { 0, cpu_to_fdt32(0x1000), 0 };
    int n = node("/dev-noreg");
    assert_int_equal(fdt_setprop(buf, n, "reg", three, sizeof(three)), 0); /* 2+2 cells expected */
    n = node("/dev-noreg");
    assert_int_equal(dt_reg_count(buf, n), -XAM_EINVAL);
    assert_int_equal(dt_read_reg(buf, n, 0, &b, &s), -XAM_EINVAL);
    assert_int_equal(dt_read_reg_raw(buf, n, 0, &b, &s), -XAM_EINVAL);
    /* more than two address cells is not a CPU address */
    assert_int_equal(fdt_setprop_u32(buf, node("/nobus"), "#address-cells", 3), 0);
    assert_int_equal(dt_read_reg_raw(buf, node("/nobus/dev@1000"), 0, &b, &s), -XAM_EINVAL);
}

static void gic_interrupt_specifiers(void **state)
{
    (void)state;
    unsigned id = 0, flags = 0;
    assert_int_equal(dt_read_irq(buf, node("/soc@1c000000/uart@90000"), 0, &id, &flags), 0);
    assert_int_equal(id, 32 + 5); /* SPI 5 */
    assert_int_equal(flags, 4);
    int dev = node("/soc@1c000000/bridge@80000/dev@100");
    assert_int_equal(dt_read_irq(buf, dev, 0, &id, &flags), 0);
    assert_int_equal(id, 16 + 14); /* PPI 14 */
    assert_int_equal(flags, 0xf08);
    assert_int_equal(dt_read_irq(buf, dev, 1, &id, NULL), 0);
    assert_int_equal(id, 32 + 100);
    assert_int_equal(dt_read_irq(buf, dev, 2, &id, NULL), -XAM_ENOENT);
    unsigned ids[4] = { 0 };
    assert_int_equal(dt_read_irqs(buf, dev, ids, 4), 2);
    assert_int_equal(ids[0], 30);
    assert_int_equal(ids[1], 132);
    assert_int_equal(dt_read_irqs(buf, dev, ids, 1), 1);
}

static void bad_interrupt_specifiers(void **state)
{
    (void)state;
    unsigned id;
    assert_int_equal(dt_read_irq(buf, node("/irq-cases/bad-ppi@0"), 0, &id, NULL), -XAM_EINVAL);
    assert_int_equal(dt_read_irq(buf, node("/irq-cases/bad-type@1"), 0, &id, NULL), -XAM_EINVAL);
    /* an interrupt parent that is not a 3-cell GIC */
    assert_int_equal(dt_read_irq(buf, node("/irq-cases/other-parent@2"), 0, &id, NULL), -XAM_EINVAL);
    assert_int_equal(dt_read_irq(buf, node("/irq-cases/no-irq@3"), 0, &id, NULL), -XAM_ENOENT);
    /* a specifier list that is not whole triples */
    fdt32_t two[2] = { 0, cpu_to_fdt32(3) };
    assert_int_equal(fdt_setprop(buf, node("/irq-cases/no-irq@3"), "interrupts", two, sizeof(two)), 0);
    assert_int_equal(dt_read_irq(buf, node("/irq-cases/no-irq@3"), 0, &id, NULL), -XAM_EINVAL);
    /* no interrupt-parent anywhere up the tree */
    assert_int_equal(fdt_delprop(buf, 0, "interrupt-parent"), 0);
    assert_int_equal(dt_read_irq(buf, node("/soc@1c000000/uart@90000"), 0, &id, NULL), -XAM_ENOENT);
}

static void status_values(void **state)
{
    (void)state;
    assert_true(dt_node_enabled(buf, node("/soc@1c000000/uart@90000"))); /* "okay" */
    assert_true(dt_node_enabled(buf, node("/soc@1c000000/bridge@80000/dev@100"))); /* "ok" */
    assert_true(dt_node_enabled(buf, node("/memory@40000000"))); /* absent */
    assert_false(dt_node_enabled(buf, node("/identity-bus/dev@a000000"))); /* "disabled" */
    assert_false(dt_node_enabled(buf, node("/nobus/dev@1000"))); /* "fail" */
    int n = node("/memory@40000000");
    assert_int_equal(fdt_setprop_string(buf, n, "status", "okayish"), 0);
    assert_false(dt_node_enabled(buf, node("/memory@40000000")));
    assert_int_equal(fdt_setprop_string(buf, node("/memory@40000000"), "status", ""), 0);
    assert_false(dt_node_enabled(buf, node("/memory@40000000")));
}

static void paths_and_string_lists(void **state)
{
    (void)state;
    char p[DT_PATH_MAX];
    assert_string_equal(dt_node_path(buf, node("/soc@1c000000/bridge@80000/dev@100"), p, sizeof(p)),
                        "/soc@1c000000/bridge@80000/dev@100");
    assert_string_equal(dt_node_path(buf, -1, p, sizeof(p)), "<bad node>");
    char tiny[8];
    assert_string_equal(dt_node_path(buf, node("/soc@1c000000/uart@90000"), tiny, sizeof(tiny)), "<bad node>");
    int uart = node("/soc@1c000000/uart@90000");
    assert_true(dt_prop_has_string(buf, uart, "compatible", "arm,pl011"));
    assert_true(dt_prop_has_string(buf, uart, "compatible", "arm,primecell"));
    assert_false(dt_prop_has_string(buf, uart, "compatible", "arm,pl01")); /* whole strings only */
    assert_false(dt_prop_has_string(buf, uart, "no-such-prop", "arm,pl011"));
}

/* The index of parents answers as libfdt does, node by node (the root,
 * leaves, every depth), and paths made from it are libfdt's, long ones
 * cut the same way; without the index, or for another tree, libfdt's
 * answers. */
static void indexed_parents_and_paths_agree(void **state)
{
    (void)state;
    static char copy[sizeof(buf)];
    memcpy(copy, buf, sizeof(buf));
    unsigned nodes = 0;
    for (unsigned pass = 0; pass < 2; pass++) {
        dt_index(pass ? buf : NULL);
        int depth = 0;
        for (int n = 0; n >= 0; n = fdt_next_node(buf, n, &depth)) {
            char a[DT_PATH_MAX], b[DT_PATH_MAX], ta[24], tb[24];
            assert_int_equal(dt_parent(buf, n), fdt_parent_offset(buf, n));
            assert_int_equal(dt_parent(copy, n), fdt_parent_offset(copy, n)); /* another tree */
            dt_index(NULL);
            const char *want = dt_node_path(buf, n, a, sizeof(a)), *want_tiny = dt_node_path(buf, n, ta, sizeof(ta));
            dt_index(pass ? buf : NULL);
            assert_string_equal(dt_node_path(buf, n, b, sizeof(b)), want);
            assert_string_equal(dt_node_path(buf, n, tb, sizeof(tb)), want_tiny);
            nodes += pass;
        }
        assert_int_equal(dt_parent(buf, 0), -FDT_ERR_NOTFOUND);
        assert_int_equal(dt_parent(buf, 3), fdt_parent_offset(buf, 3)); /* not a node's offset */
    }
    assert_true(nodes > 8);
    dt_index(NULL);
}

/* The fast property lookups answer as libfdt does: every property of every
 * node, names no node has, after a property is turned into NOPs, on a node
 * offset that is not one, and the cell counts with their defaults. */
static void fast_lookups_agree_with_libfdt(void **state)
{
    (void)state;
    static const char *const names[] = { "compatible", "reg",        "status", "#address-cells",  "#size-cells",
                                         "ranges",     "interrupts", "",       "no-such-property" };
    for (unsigned pass = 0; pass < 2; pass++) {
        unsigned props = 0;
        int depth = 0;
        for (int n = 0; n >= 0; n = fdt_next_node(buf, n, &depth)) {
            for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                int la, lb;
                const void *a = dt_getprop(buf, n, names[i], &la), *b = fdt_getprop(buf, n, names[i], &lb);
                assert_ptr_equal(a, b);
                assert_int_equal(la, lb);
                assert_int_equal(dt_prop_has_string(buf, n, names[i], "okay"),
                                 fdt_stringlist_search(buf, n, names[i], "okay") >= 0);
            }
            int p;
            fdt_for_each_property_offset(p, buf, n)
            {
                const char *name;
                int len, la;
                const void *v = fdt_getprop_by_offset(buf, p, &name, &len);
                assert_ptr_equal(dt_getprop(buf, n, name, &la), v);
                assert_int_equal(la, len);
                props++;
            }
            assert_int_equal(dt_address_cells(buf, n), fdt_address_cells(buf, n));
            assert_int_equal(dt_size_cells(buf, n), fdt_size_cells(buf, n));
            int la, lb;
            assert_null(dt_getprop(buf, n + 4, "reg", &la));
            assert_null(fdt_getprop(buf, n + 4, "reg", &lb));
            assert_int_equal(la, lb);
        }
        assert_true(props > 20);
        /* a NOP where the root's first property was: skipped */
        const char *first;
        int p = fdt_first_property_offset(buf, 0);
        assert_non_null(fdt_getprop_by_offset(buf, p, &first, NULL));
        char name[64];
        snprintf(name, sizeof(name), "%s", first);
        assert_int_equal(fdt_nop_property(buf, 0, name), 0);
        assert_null(dt_getprop(buf, 0, name, NULL));
    }
    int len;
    assert_null(dt_getprop(buf, -1, "reg", &len));
    assert_int_equal(len, -FDT_ERR_BADOFFSET);
}

/* The fast walk answers as libfdt's fdt_next_node(), depth and all: from
 * every node, from -1, from offsets that are not a node's, without a depth,
 * over NOPs, and on a tree whose structure block is cut short. */
static void walk_agrees(const void *fdt)
{
    unsigned nodes = 0;
    for (int n = -1;;) {
        int da = 3, db = 3;
        int a = dt_next_node(fdt, n, &da), b = fdt_next_node(fdt, n, &db);
        assert_int_equal(a, b);
        assert_int_equal(da, db);
        assert_int_equal(dt_next_node(fdt, n, NULL), fdt_next_node(fdt, n, NULL));
        if (n >= 0) {
            for (int off = n + 1; off < n + 12; off++) {
                da = db = 1;
                assert_int_equal(dt_next_node(fdt, off, &da), fdt_next_node(fdt, off, &db));
                assert_int_equal(da, db);
            }
        }
        if (a < 0)
            break;
        n = a;
        nodes++;
    }
    assert_true(nodes > 8);
}

static void fast_walk_agrees_with_libfdt(void **state)
{
    (void)state;
    walk_agrees(buf);
    /* NOPs where a property and a whole node were */
    assert_int_equal(fdt_nop_property(buf, node("/soc@1c000000/uart@90000"), "compatible"), 0);
    assert_int_equal(fdt_nop_node(buf, node("/other-intc")), 0);
    walk_agrees(buf);
    /* the structure block cut short, mid-tree: libfdt's errors, the same */
    static char cut[sizeof(buf)];
    memcpy(cut, buf, sizeof(buf));
    fdt_set_size_dt_struct(cut, fdt_size_dt_struct(cut) / 2 + 2);
    int da = 0, db = 0, a = 0, b = 0;
    while (a >= 0 && b >= 0) {
        a = dt_next_node(cut, a, &da);
        b = fdt_next_node(cut, b, &db);
        assert_int_equal(a, b);
        assert_int_equal(da, db);
    }
}

/* Phandles from the index answer as libfdt's walk: every node's, ones no
 * node has, 0 and ~0, the first node in tree order when two share one,
 * and libfdt's own answer for another tree. */
static void indexed_phandles_agree(void **state)
{
    (void)state;
    static char copy[sizeof(buf)];
    int depth = 0, other = node("/other-intc");
    uint32_t ph = fdt_get_phandle(buf, other);
    assert_true(ph != 0);
    /* a later node given the same phandle (as "linux,phandle") */
    int later = node("/soc@1c000000/uart@90000");
    assert_true(later > other);
    assert_int_equal(fdt_setprop_u32(buf, later, "linux,phandle", ph), 0);
    memcpy(copy, buf, sizeof(buf));
    dt_index(buf);
    unsigned found = 0;
    for (int n = 0; n >= 0; n = fdt_next_node(buf, n, &depth)) {
        uint32_t p = fdt_get_phandle(buf, n);
        if (p) {
            assert_int_equal(dt_node_by_phandle(buf, p), fdt_node_offset_by_phandle(buf, p));
            found++;
        }
    }
    assert_true(found >= 2);
    assert_int_equal(dt_node_by_phandle(buf, ph), other);
    static const uint32_t odd[] = { 0, 0xffffffffu, 0x7777, 1, 2, 3 };
    for (unsigned i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        assert_int_equal(dt_node_by_phandle(buf, odd[i]), fdt_node_offset_by_phandle(buf, odd[i]));
        assert_int_equal(dt_node_by_phandle(copy, odd[i]), fdt_node_offset_by_phandle(copy, odd[i]));
    }
    /* an interrupt parent found through the index: the same answer */
    unsigned intid, want_intid;
    int uart = node("/soc@1c000000/uart@90000");
    dt_index(NULL);
    int want = dt_read_irq(buf, uart, 0, &want_intid, NULL);
    dt_index(buf);
    assert_int_equal(dt_read_irq(buf, uart, 0, &intid, NULL), want);
    if (want == 0)
        assert_int_equal(intid, want_intid);
    dt_index(NULL);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_cells),
        cmocka_unit_test_setup(cell_counts_come_from_the_parent, load),
        cmocka_unit_test_setup(two_cell_reg_at_the_root, load),
        cmocka_unit_test_setup(one_cell_reg_translated_through_ranges, load),
        cmocka_unit_test_setup(unreachable_addresses, load),
        cmocka_unit_test_setup(malformed_reg, load),
        cmocka_unit_test_setup(gic_interrupt_specifiers, load),
        cmocka_unit_test_setup(bad_interrupt_specifiers, load),
        cmocka_unit_test_setup(status_values, load),
        cmocka_unit_test_setup(paths_and_string_lists, load),
        cmocka_unit_test_setup(indexed_parents_and_paths_agree, load),
        cmocka_unit_test_setup(fast_lookups_agree_with_libfdt, load),
        cmocka_unit_test_setup(fast_walk_agrees_with_libfdt, load),
        cmocka_unit_test_setup(indexed_phandles_agree, load),
    };
    return cmocka_run_group_tests_name("dtutil", tests, NULL, NULL);
}
