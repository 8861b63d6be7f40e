/* imagebuilder's layout: 2 MiB alignment, Image header sizes, reserved
 * regions, the does-not-fit error, and 64-bit values split into cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edits.h"
#include "fixture.h"
#include "layout.h"

static struct ib_layout l;
static struct ib_error err;
static char fdt[8192];

static int teardown(void **state)
{
    (void)state;
    layout_free(&l);
    return 0;
}

static void setup_layout(uint64_t start, uint64_t end, uint64_t rsv_base, uint64_t rsv_size, uint64_t resmem)
{
    make_host_fdt(fdt, sizeof(fdt), rsv_base, rsv_size, resmem);
    layout_init(&l, start, end);
    assert_int_equal(layout_from_fdt(&l, fdt, &err), 0);
    layout_block(&l, start, IB_LOW_RESERVE, "low");
}

static void aligned_and_packed(void **state)
{
    (void)state;
    uint64_t a;
    setup_layout(0x40000000, 0xc0000000, 0, 0, 0);
    assert_int_equal(layout_place(&l, "one byte", 1, &a, &err), 0);
    assert_int_equal(a, 0x40400000); /* above the first 4 MiB */
    assert_int_equal(layout_place(&l, "2 MiB", 2 * MiB, &a, &err), 0);
    assert_int_equal(a, 0x40600000);
    assert_int_equal(layout_place(&l, "2 MiB + 1", 2 * MiB + 1, &a, &err), 0);
    assert_int_equal(a, 0x40800000);
    assert_int_equal(layout_place(&l, "next", 4096, &a, &err), 0);
    assert_int_equal(a, 0x40c00000); /* the previous one took two blocks */
    /* an unaligned window starts at the next 2 MiB boundary */
    layout_free(&l);
    setup_layout(0x40100000, 0xc0000000, 0, 0, 0);
    assert_int_equal(layout_place(&l, "x", 1, &a, &err), 0);
    assert_int_equal(a % IB_ALIGN, 0);
    assert_true(a >= 0x40100000 + IB_LOW_RESERVE);
}

static void image_header_sizes(void **state)
{
    (void)state;
    uint8_t head[64];
    make_image_header(head, 0, 0x2c00000);
    assert_int_equal(image_footprint(head, 64, 0x1000000), 0x2c00000); /* the bss counts */
    make_image_header(head, 0x80000, 0x100000);
    assert_int_equal(image_footprint(head, 64, 0x90000), 0x180000); /* text_offset too */
    make_image_header(head, 0, 0);
    assert_int_equal(image_footprint(head, 64, 0x12345), 0x12345); /* size unknown: the file */
    make_image_header(head, 0, 0x1000);
    assert_int_equal(image_footprint(head, 64, 0x5000), 0x5000); /* never below the file */
    head[56] = 'X';
    assert_int_equal(image_footprint(head, 64, 0x777), 0x777); /* not an Image */
    assert_int_equal(image_footprint(head, 10, 0x777), 0x777); /* too short */
}

static void reserved_regions_avoided(void **state)
{
    (void)state;
    uint64_t a;
    /* /memreserve/ over 0x40400000+1M, /reserved-memory at 0x40800000+1M */
    setup_layout(0x40000000, 0xc0000000, 0x40400000, 0x100000, 0x40800000);
    assert_int_equal(layout_place(&l, "a", 1, &a, &err), 0);
    assert_int_equal(a, 0x40600000);
    assert_int_equal(layout_place(&l, "b", 1, &a, &err), 0);
    assert_int_equal(a, 0x40a00000);
    /* a region the caller blocks (static memory, say) */
    layout_block(&l, 0x40c00000, 0x100, "static");
    assert_int_equal(layout_place(&l, "c", 1, &a, &err), 0);
    assert_int_equal(a, 0x40e00000);
    /* U-Boot's top of RAM: nothing inside the last 64 MiB */
    assert_int_equal(layout_place(&l, "big", 0xc0000000 - 0x41000000 - IB_TOP_RESERVE, &a, &err), 0);
    assert_int_equal(a + 0xc0000000 - 0x41000000 - IB_TOP_RESERVE, 0xc0000000 - IB_TOP_RESERVE);
    assert_int_not_equal(layout_place(&l, "one more", 1, &a, &err), 0);
}

static void does_not_fit_names_numbers(void **state)
{
    (void)state;
    uint64_t a;
    setup_layout(0x40000000, 0x50000000, 0, 0, 0);
    assert_int_equal(layout_place(&l, "first", 0x8000000, &a, &err), 0);
    assert_int_not_equal(layout_place(&l, "DOMU_KERNEL[1] (Image)", 0x9000000, &a, &err), 0);
    assert_string_equal(err.msg,
                        "DOMU_KERNEL[1] (Image): 0x9000000 bytes (0x9000000 in 2 MiB blocks) do not fit in "
                        "MEMORY_START..MEMORY_END 0x40000000-0x4fffffff: the largest free block left is "
                        "0x7c00000 bytes at 0x48400000");
    /* a window outside RAM has no room at all */
    layout_free(&l);
    setup_layout(0x100000000, 0x110000000, 0, 0, 0);
    assert_int_not_equal(layout_place(&l, "x", 1, &a, &err), 0);
    assert_non_null(strstr(err.msg, "no free 2 MiB block is left there"));
}

static const struct ib_op *find_op(const struct ib_edits *e, const char *path, const char *name)
{
    for (unsigned i = 0; i < e->n; i++)
        if (!e->ops[i].mknode && !strcmp(e->ops[i].path, path) && !strcmp(e->ops[i].name, name))
            return &e->ops[i];
    return NULL;
}

static void split_64bit(void **state)
{
    (void)state;
    static struct ib_config cfg;
    static struct ib_plan p;
    struct ib_edits e;
    make_host_fdt(fdt, sizeof(fdt), 0, 0, 0);
    memset(&cfg, 0, sizeof(cfg));
    memset(&p, 0, sizeof(p));
    cfg.file = "t.cfg";
    cfg.ndomus = 1;
    cfg.dom[0] = (struct ib_domain){ .boot = true,
                                     .mem_kib = 0x200000000ULL,
                                     .vcpus = 1,
                                     .cpupool = -1,
                                     .device_model = -1,
                                     .nr_static = 1,
                                     .static_mem = { 0x880000000ULL, 0x10000000 } };
    p.cfg = &cfg;
    p.kernel[0] = (struct ib_file){ .name = "k", .addr = 0x8c0200000ULL, .size = 0x123456789ULL };
    assert_int_equal(edits_build(&p, fdt, &e, &err), 0);
    const struct ib_op *op = find_op(&e, "/chosen/domU0", "memory");
    assert_non_null(op);
    assert_int_equal(op->n, 2);
    assert_int_equal(op->cells[0], 2); /* 8 TiB in KiB: 0x2_00000000 */
    assert_int_equal(op->cells[1], 0);
    op = find_op(&e, "/chosen/domU0/module@8c0200000", "reg");
    assert_non_null(op);
    uint32_t reg[4] = { 0x8, 0xc0200000, 0x1, 0x23456789 };
    assert_int_equal(op->n, 4);
    assert_memory_equal(op->cells, reg, sizeof(reg));
    op = find_op(&e, "/chosen/domU0", "xen,static-mem");
    assert_non_null(op);
    uint32_t sm[4] = { 0x8, 0x80000000, 0, 0x10000000 };
    assert_memory_equal(op->cells, sm, sizeof(sm));
    edits_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(aligned_and_packed, teardown),
        cmocka_unit_test(image_header_sizes),
        cmocka_unit_test_teardown(reserved_regions_avoided, teardown),
        cmocka_unit_test_teardown(does_not_fit_names_numbers, teardown),
        cmocka_unit_test(split_64bit),
    };
    return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
