/* The device model's PCI bus and functions (devmodel/bus, devmodel/pci)
 * as a guest's PCI code sees them: ECAM and SBDF configuration requests,
 * IDs, capabilities, BAR sizing, placement and moves, routing of the
 * windows, INTx and its swizzle, and what a bad layout or device gets. */
#include "unit.h"

#include <string.h>

#include "dm_fake_guest.h"

static struct fake_guest *fg;

static int setup(void **state)
{
    fg = fg_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    fg_free(fg);
    fg = NULL;
    return 0;
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static void empty_bus_reads_all_ones(void **state)
{
    for (unsigned slot = 0; slot < 32; slot++) {
        assert_int_equal(fg_cfg_read(fg, slot, 0, 4), 0xffffffff);
        assert_int_equal(fg_cfg_read(fg, slot, 0, 2), 0xffff);
        assert_int_equal(fg_cfg_read(fg, slot, 0, 1), 0xff);
        assert_int_equal(dm_bus_cfg_read(fg->bus, slot << 3, 0, 4), 0xffffffff);
    }
    /* the windows too, and writes anywhere change nothing */
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x33800000, 4), 0xffffffff);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x35800000, 8), ~0ull);
    dm_bus_mmio_write(fg->bus, 0x33800000, 4, 0);
    fg_cfg_write(fg, 0, 4, 2, 0xffff);
    assert_int_equal(fg_cfg_read(fg, 0, 0, 4), 0xffffffff);
    assert_int_equal(fg->irq_calls, 0);
}

static void ids_and_header(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 0, fg_backing(fg, 4096), false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, 1, -1, false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 5, -1, false), 0);
    const struct {
        unsigned slot;
        uint32_t id, class_rev;
    } want[] = { { 0, 0x10421af4, 0x01000001 }, { 1, 0x10431af4, 0x07800001 }, { 5, 0x10441af4, 0xff000001 } };
    for (unsigned i = 0; i < 3; i++) {
        unsigned s = want[i].slot;
        assert_int_equal(fg_cfg_read(fg, s, 0, 4), want[i].id);
        assert_int_equal(fg_cfg_read(fg, s, 8, 4), want[i].class_rev);
        assert_int_equal(fg_cfg_read(fg, s, 0x0e, 1), 0); /* type 0, single function */
        assert_int_equal(fg_cfg_read(fg, s, 0x2c, 2), 0x1af4);
        assert_int_equal(fg_cfg_read(fg, s, 0x3d, 1), 1); /* INTA */
        assert_true(fg_cfg_read(fg, s, 6, 2) & 0x10); /* capability list */
        assert_int_equal(fg_cfg_read(fg, s, 0x30, 4), 0); /* no expansion ROM */
        /* the same through SBDF requests */
        assert_int_equal(dm_bus_cfg_read(fg->bus, s << 3, 0, 4), want[i].id);
        assert_int_equal(dm_bus_cfg_read(fg->bus, s << 3, 0x3d, 1), 1);
        /* other functions of the slot, other buses and segments: nothing */
        assert_int_equal(fg_cfg_read(fg, s, (1 << 12) + 0, 4), 0xffffffff);
        assert_int_equal(dm_bus_cfg_read(fg->bus, s << 3 | 1, 0, 4), 0xffffffff);
        assert_int_equal(dm_bus_cfg_read(fg->bus, 1 << 8 | s << 3, 0, 4), 0xffffffff);
        assert_int_equal(dm_bus_cfg_read(fg->bus, 1 << 16 | s << 3, 0, 4), 0xffffffff);
        /* the extended space of a conventional function reads 0 */
        assert_int_equal(fg_cfg_read(fg, s, 0x100, 4), 0);
        assert_int_equal(fg_cfg_read(fg, s, 0xffc, 4), 0);
    }
    assert_int_equal(fg_cfg_read(fg, 2, 0, 4), 0xffffffff);
    /* bus 1 in a 2-bus ECAM is not served */
}

static void read_only_header_fields(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 3, -1, false), 0);
    uint8_t before[256];
    for (unsigned r = 0; r < 256; r++)
        before[r] = (uint8_t)fg_cfg_read(fg, 3, r, 1);
    /* everything but the command register, the BARs, cache line size and
     * interrupt line is read-only */
    for (unsigned r = 0; r < 256; r += 4)
        if (r != 4 && !(r >= 0x10 && r < 0x28) && r != 0x0c && r != 0x3c)
            fg_cfg_write(fg, 3, r, 4, 0x5a5a5a5a);
    for (unsigned r = 0; r < 256; r++)
        if (!(r >= 4 && r < 6) && !(r >= 0x10 && r < 0x28) && r != 0x0c && r != 0x3c)
            assert_int_equal(fg_cfg_read(fg, 3, r, 1), before[r]);
    fg_cfg_write(fg, 3, 0x3c, 1, 0x2c);
    assert_int_equal(fg_cfg_read(fg, 3, 0x3c, 1), 0x2c);
    /* the command register keeps only what it implements: no I/O space */
    fg_cfg_write(fg, 3, 4, 2, 0xffff);
    assert_int_equal(fg_cfg_read(fg, 3, 4, 2), 0x0546);
}

static void access_widths_and_alignment(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 4, fg_backing(fg, 4096), false), 0);
    for (unsigned r = 0; r < 0x40; r += 4) {
        uint32_t d = (uint32_t)fg_cfg_read(fg, 4, r, 4);
        assert_int_equal(fg_cfg_read(fg, 4, r, 2) | fg_cfg_read(fg, 4, r + 2, 2) << 16, d);
        for (unsigned b = 0; b < 4; b++)
            assert_int_equal(fg_cfg_read(fg, 4, r + b, 1), (d >> (8 * b)) & 0xff);
    }
    /* an 8-byte read is two dwords */
    assert_int_equal(fg_cfg_read(fg, 4, 0, 8), fg_cfg_read(fg, 4, 0, 4) | fg_cfg_read(fg, 4, 4, 4) << 32);
    /* misaligned or odd sizes are refused: all ones, writes ignored */
    assert_int_equal(fg_cfg_read(fg, 4, 1, 2), 0xffff);
    assert_int_equal(fg_cfg_read(fg, 4, 2, 4), 0xffffffff);
    assert_int_equal(fg_cfg_read(fg, 4, 4, 8), ~0ull);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x33000000 + (4 << 15), 3), ~0ull);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x33000000 + (4 << 15), 0), ~0ull);
    uint64_t cmd = fg_cfg_read(fg, 4, 4, 2);
    fg_cfg_write(fg, 4, 3, 2, 0);
    fg_cfg_write(fg, 4, 4, 3, 0);
    dm_bus_cfg_write(fg->bus, 4 << 3, 5, 2, 0);
    assert_int_equal(fg_cfg_read(fg, 4, 4, 2), cmd);
}

/* Capabilities as virtio_pci_modern finds them: vendor-specific, one of
 * each configuration type, all in BAR 0 within its size. */
static void virtio_capabilities(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 0, fg_backing(fg, 4096), false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 1, -1, false), 0);
    for (unsigned slot = 0; slot < 2; slot++) {
        unsigned seen = 0, pos = (unsigned)fg_cfg_read(fg, slot, 0x34, 1), n = 0;
        assert_true(pos >= 0x40);
        while (pos) {
            assert_true(++n < 10);
            assert_int_equal(pos % 4, 0);
            assert_int_equal(fg_cfg_read(fg, slot, pos, 1), 9);
            unsigned type = (unsigned)fg_cfg_read(fg, slot, pos + 3, 1);
            assert_true(type >= 1 && type <= 4);
            seen |= 1u << type;
            assert_int_equal(fg_cfg_read(fg, slot, pos + 4, 1), 0); /* BAR 0 */
            uint32_t off = (uint32_t)fg_cfg_read(fg, slot, pos + 8, 4);
            uint32_t len = (uint32_t)fg_cfg_read(fg, slot, pos + 12, 4);
            assert_true(len > 0 && off + len <= 0x4000);
            if (type == 1)
                assert_true(len >= 0x38);
            if (type == 2)
                assert_int_equal(fg_cfg_read(fg, slot, pos + 16, 4), 4);
            pos = (unsigned)fg_cfg_read(fg, slot, pos + 1, 1);
        }
        /* virtio-rng has no device configuration: no capability of length 0 */
        assert_int_equal(seen, slot == 0 ? 0x1e : 0x0e);
    }
}

static uint64_t bar_of(unsigned slot)
{
    uint64_t lo = fg_cfg_read(fg, slot, 0x10, 4);
    return (lo & ~0xfull) | (lo & 4 ? fg_cfg_read(fg, slot, 0x14, 4) << 32 : 0);
}

/* Linux's __pci_read_base: decoding off, all ones, read the mask back,
 * restore, decoding on again. */
static void bar_sizing_64bit_prefetchable(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, 2, -1, false), 0);
    uint64_t placed = bar_of(2);
    assert_true(placed >= 0x35800000 && placed + 0x4000 <= 0x37800000); /* the prefetchable window */
    assert_int_equal(placed % 0x4000, 0);
    assert_true(fg_cfg_read(fg, 2, 4, 2) & 2); /* decoding, as firmware leaves it */
    assert_int_equal(fg_cfg_read(fg, 2, 0x10, 4) & 0xf, 0xc); /* 64-bit prefetchable */
    fg_cfg_write(fg, 2, 4, 2, 0);
    fg_cfg_write(fg, 2, 0x10, 4, 0xffffffff);
    fg_cfg_write(fg, 2, 0x14, 4, 0xffffffff);
    assert_int_equal(fg_cfg_read(fg, 2, 0x10, 4), 0xffffc00c);
    assert_int_equal(fg_cfg_read(fg, 2, 0x14, 4), 0xffffffff);
    /* the other BARs are not implemented */
    for (unsigned r = 0x18; r < 0x28; r += 4) {
        fg_cfg_write(fg, 2, r, 4, 0xffffffff);
        assert_int_equal(fg_cfg_read(fg, 2, r, 4), 0);
    }
}

static void bar_sizing_32bit_without_prefetchable_window(void **state)
{
    struct dm_bridge_layout l = fg_default_layout();
    l.pref = l.pref_size = 0;
    fg_free(fg);
    fg = fg_new(&l);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 0, -1, false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 1, -1, false), 0);
    assert_int_equal(fg_cfg_read(fg, 0, 0x10, 4) & 0xf, 0);
    uint64_t a = bar_of(0), b = bar_of(1);
    assert_true(a >= 0x33800000 && a + 0x4000 <= 0x35800000);
    assert_true(b >= 0x33800000 && b + 0x4000 <= 0x35800000);
    assert_true(a + 0x4000 <= b || b + 0x4000 <= a); /* no overlap */
    fg_cfg_write(fg, 0, 0x10, 4, 0xffffffff);
    assert_int_equal(fg_cfg_read(fg, 0, 0x10, 4), 0xffffc000);
    /* BAR 1 is not the upper half of a 32-bit BAR */
    fg_cfg_write(fg, 0, 0x14, 4, 0xffffffff);
    assert_int_equal(fg_cfg_read(fg, 0, 0x14, 4), 0);
}

/* The guest reassigns the BAR: the device answers at the new address only,
 * and only while Memory Space Enable is set. */
static void bar_moves_and_memory_enable(void **state)
{
    struct vdrv vd;
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, 7, -1, false), 0);
    vd_probe(&vd, fg, 7);
    uint64_t old = vd.bar;
    assert_int_equal(vd_read(&vd, vd.common + 0x12, 2), 2); /* num_queues */
    uint64_t moved = 0x36000000;
    fg_cfg_write(fg, 7, 4, 2, 0);
    assert_int_equal(dm_bus_mmio_read(fg->bus, old + 0x12, 2), 0xffff); /* decoding off */
    fg_cfg_write(fg, 7, 0x10, 4, (uint32_t)moved);
    fg_cfg_write(fg, 7, 0x14, 4, 0);
    fg_cfg_write(fg, 7, 4, 2, 6);
    assert_int_equal(bar_of(7), moved);
    assert_int_equal(dm_bus_mmio_read(fg->bus, old + 0x12, 2), 0xffff);
    assert_int_equal(dm_bus_mmio_read(fg->bus, moved + 0x12, 2), 2);
    /* an access running off the BAR's end belongs to nobody */
    assert_int_equal(dm_bus_mmio_read(fg->bus, moved + 0x3ffc, 8), ~0ull);
    assert_int_equal(dm_bus_mmio_read(fg->bus, moved + 0x4000, 4), 0xffffffff);
    /* a BAR moved outside the windows is not reached through the bus */
    fg_cfg_write(fg, 7, 0x10, 4, 0x40000000);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x40000000 + 0x12, 2), 0xffff);
    /* nor one at the top of the address space, wrapping */
    fg_cfg_write(fg, 7, 0x10, 4, 0xffffc000);
    fg_cfg_write(fg, 7, 0x14, 4, 0xffffffff);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x12, 2), 0xffff);
    assert_int_equal(dm_bus_mmio_read(fg->bus, ~0ull - 3, 4), 0xffffffff);
}

/* INTx: the line of slot s is irq_start + (s % 4) % irq_count for INTA
 * (the guest's interrupt-map); high while the function's ISR has bits and
 * Interrupt Disable is clear; status bit 3 shows the condition regardless. */
static void intx_swizzle_disable_and_status(void **state)
{
    struct vdrv vd[4];
    const unsigned slots[4] = { 0, 5, 6, 31 }, spis[4] = { 44, 45, 46, 47 };
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, slots[i], -1, false), 0);
        vd_init(&vd[i], fg, slots[i], VD_VERSION_1, 8);
    }
    for (unsigned i = 0; i < 4; i++) {
        unsigned s = slots[i], spi = spis[i];
        struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
        vd_submit(&vd[i], 0, &b, 1);
        unsigned calls = fg->irq_calls;
        fg_run(fg);
        assert_int_equal(fg->irq_calls, calls + 1);
        assert_int_equal(fg->irq[spi], 1);
        assert_true(fg_cfg_read(fg, s, 6, 2) & 8);
        fg_cfg_write(fg, s, 4, 2, fg_cfg_read(fg, s, 4, 2) | 0x400);
        assert_int_equal(fg->irq[spi], 0);
        assert_true(fg_cfg_read(fg, s, 6, 2) & 8);
        fg_cfg_write(fg, s, 4, 2, fg_cfg_read(fg, s, 4, 2) & ~0x400);
        assert_int_equal(fg->irq[spi], 1);
        assert_int_equal(vd_isr(&vd[i]), 1);
        assert_int_equal(fg->irq[spi], 0);
        assert_false(fg_cfg_read(fg, s, 6, 2) & 8);
        for (unsigned j = 44; j < 48; j++)
            assert_int_equal(fg->irq[j], 0);
    }
}

/* One line shared by two functions stays high until both are acknowledged,
 * and set_irq is called only on changes (the fake guest checks). */
static void intx_shared_line(void **state)
{
    struct dm_bridge_layout l = fg_default_layout();
    l.irq_start = 40;
    l.irq_count = 1;
    fg_free(fg);
    fg = fg_new(&l);
    struct vdrv a, b;
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 3, -1, false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 9, -1, false), 0);
    vd_init(&a, fg, 3, VD_VERSION_1, 8);
    vd_init(&b, fg, 9, VD_VERSION_1, 8);
    struct vbuf ba = { fg_alloc(fg, 16, 8), 16, true }, bb = { fg_alloc(fg, 16, 8), 16, true };
    vd_submit(&a, 0, &ba, 1);
    vd_submit(&b, 0, &bb, 1);
    fg_run(fg);
    assert_int_equal(fg->irq[40], 1);
    assert_int_equal(fg->irq_calls, 1);
    assert_int_equal(vd_isr(&a), 1);
    assert_int_equal(fg->irq[40], 1);
    assert_int_equal(vd_isr(&b), 1);
    assert_int_equal(fg->irq[40], 0);
    assert_int_equal(fg->irq_calls, 2);
    assert_int_equal(vd_isr(&b), 0);
}

/* Three lines: slot 4 uses slot 0's interrupt-map entry (the guest's mask
 * keeps the slot's two low bits), so its INTA is the first line, not
 * (4 + 0) % 3. */
static void intx_three_lines_follow_the_interrupt_map(void **state)
{
    struct dm_bridge_layout l = fg_default_layout();
    l.irq_count = 3;
    fg_free(fg);
    fg = fg_new(&l);
    const unsigned slots[3] = { 4, 6, 7 }, spis[3] = { 44, 46, 44 };
    for (unsigned i = 0; i < 3; i++) {
        struct vdrv vd;
        assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, slots[i], -1, false), 0);
        vd_init(&vd, fg, slots[i], VD_VERSION_1, 8);
        struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
        vd_submit(&vd, 0, &b, 1);
        fg_run(fg);
        assert_int_equal(fg->irq[spis[i]], 1);
        assert_int_equal(fg->irq_calls, 1);
        assert_int_equal(vd_isr(&vd), 1);
        assert_int_equal(fg->irq[spis[i]], 0);
        fg->irq_calls = 0;
    }
}

/* The same configuration space through SBDF requests: size and move. */
static void sbdf_requests_size_and_move(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 12, -1, false), 0);
    uint32_t sbdf = 12 << 3;
    dm_bus_cfg_write(fg->bus, sbdf, 4, 2, 0);
    dm_bus_cfg_write(fg->bus, sbdf, 0x10, 4, 0xffffffff);
    assert_int_equal(dm_bus_cfg_read(fg->bus, sbdf, 0x10, 4), 0xffffc00c);
    dm_bus_cfg_write(fg->bus, sbdf, 0x10, 4, 0x35900000);
    dm_bus_cfg_write(fg->bus, sbdf, 0x14, 4, 0);
    dm_bus_cfg_write(fg->bus, sbdf, 4, 2, 2);
    assert_int_equal(fg_cfg_read(fg, 12, 0x10, 4), 0x3590000c);
    assert_int_equal(dm_bus_mmio_read(fg->bus, 0x35900000 + 0x12, 2), 1); /* num_queues */
    /* register numbers past the function's 4 KiB refuse */
    assert_int_equal(dm_bus_cfg_read(fg->bus, sbdf, 0x1000, 4), 0xffffffff);
    dm_bus_cfg_write(fg->bus, sbdf, 0x1004, 2, 0);
    assert_int_equal(fg_cfg_read(fg, 12, 4, 2), 2);
}

static void add_device_refusals(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 32, -1, false), -1);
    assert_true(fg_logged(fg, "slot 32: out of range"));
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 4, -1, false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, 4, -1, false), -1);
    assert_true(fg_logged(fg, "slot 4: already taken"));
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 5, -1, false), -1);
    assert_true(fg_logged(fg, "virtio-blk 00:05.0: the backing store is not an open file"));
    assert_int_equal(fg_add(fg, (enum dm_device_kind)9, 6, -1, false), -1);
    /* the refused ones are not on the bus */
    assert_int_equal(fg_cfg_read(fg, 5, 0, 4), 0xffffffff);
    assert_int_equal(fg_cfg_read(fg, 6, 0, 4), 0xffffffff);

    /* a window with room for one BAR */
    struct dm_bridge_layout l = fg_default_layout();
    l.pref = l.pref_size = 0;
    l.mem = 0x33802000;
    l.mem_size = 0x8000;
    fg_free(fg);
    fg = fg_new(&l);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 0, -1, false), 0);
    assert_int_equal(bar_of(0), 0x33804000);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 1, -1, false), -1);
    assert_true(fg_logged(fg, "no room left in the MEM window"));
    assert_int_equal(fg_cfg_read(fg, 1, 0, 4), 0xffffffff);

    /* a device refused for itself takes no room */
    l.mem_size = 0x6000;
    fg_free(fg);
    fg = fg_new(&l);
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 0, -1, false), -1);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 1, -1, false), 0);
    assert_int_equal(bar_of(1), 0x33804000);
}

static void bad_layouts(void **state)
{
    const struct dm_bridge_layout good = fg_default_layout();
    struct dm_bridge_layout l[5];
    for (unsigned i = 0; i < 5; i++)
        l[i] = good;
    l[0].ecam_size = 0x80000;
    l[1].mem_size = 0;
    l[2].irq_count = 0;
    l[3].irq_count = 5;
    l[4].pref = ~0ull - 0xfff;
    for (unsigned i = 0; i < 5; i++) {
        unsigned before = fg->nlog;
        assert_null(dm_bus_create(&l[i], &fg->env));
        assert_int_equal(fg->nlog, before + 1);
    }
    struct dm_bus_env env = fg->env;
    env.mem_read = NULL;
    assert_null(dm_bus_create(&good, &env));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(empty_bus_reads_all_ones),
        TEST(ids_and_header),
        TEST(read_only_header_fields),
        TEST(access_widths_and_alignment),
        TEST(virtio_capabilities),
        TEST(bar_sizing_64bit_prefetchable),
        TEST(bar_sizing_32bit_without_prefetchable_window),
        TEST(bar_moves_and_memory_enable),
        TEST(intx_swizzle_disable_and_status),
        TEST(intx_shared_line),
        TEST(intx_three_lines_follow_the_interrupt_map),
        TEST(sbdf_requests_size_and_move),
        TEST(add_device_refusals),
        TEST(bad_layouts),
    };
    return cmocka_run_group_tests_name("dm_pci", tests, NULL, NULL);
}
