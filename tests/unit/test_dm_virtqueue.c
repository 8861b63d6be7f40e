/* The virtio transport and split virtqueues (devmodel/virtio/virtio_pci.c,
 * virtqueue.c) as a driver sees them, mostly through virtio-rng (its
 * requests are one writable buffer) and virtio-console's transmit queue
 * (readable buffers): negotiation, queue set-up, reset, event-index
 * suppression both ways, every register width, and the attacks, each of
 * which must leave that device in NEEDS_RESET with one log line, a
 * configuration interrupt and nothing more done, while another device on
 * the same bus goes on working. */
#include "unit.h"

#include <string.h>

#include "dm_fake_guest.h"

#define RNG 3
#define CON 4
#define NEEDS_RESET 0x40
#define ALL (VD_VERSION_1 | VD_INDIRECT | VD_EVENT_IDX)

static struct fake_guest *fg;
static struct vdrv rng, con;

static int setup(void **state)
{
    fg = fg_new(NULL);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, RNG, -1, false), 0);
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, CON, -1, false), 0);
    return 0;
}

static int teardown(void **state)
{
    fg_free(fg);
    fg = NULL;
    return 0;
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* One rng request of len bytes: its used length, or -1 if none came back. */
static int64_t rng_request(uint32_t len)
{
    struct vbuf b = { fg_alloc(fg, len, 8), len, true };
    uint16_t head = vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    uint32_t id, got;
    if (!vd_take_used(&rng, 0, &id, &got))
        return -1;
    assert_int_equal(id, head);
    return got;
}

/* Console output of one chain of text */
static void con_write(const char *s)
{
    size_t n = strlen(s);
    uint64_t a = fg_alloc(fg, n, 1);
    memcpy(fg_ptr(fg, a), s, n);
    struct vbuf b = { a, (uint32_t)n, false };
    vd_submit(&con, 1, &b, 1);
}

/* The device is broken as it should be: NEEDS_RESET, a configuration
 * interrupt, one log line saying why, and the console next door works. */
static void assert_broken(struct vdrv *vd, const char *why)
{
    unsigned slot = vd->slot;
    assert_true(vd_status(vd) & NEEDS_RESET);
    assert_int_equal(fg->irq[44 + slot % 4], 1);
    assert_int_equal(vd_isr(vd) & 2, 2);
    assert_int_equal(fg->irq[44 + slot % 4], 0);
    assert_int_equal(fg->nlog, 1);
    assert_true(fg_logged(fg, "needs reset"));
    if (!fg_logged(fg, why))
        fail_msg("log '%s' does not say '%s'", fg->logs[0], why);
    if (vd != &con) {
        size_t before = fg->console_len;
        con_write("still here");
        fg_run(fg);
        assert_int_equal(fg->console_len, before + 10);
    }
}

static void features_offered_and_negotiated(void **state)
{
    vd_probe(&rng, fg, RNG);
    uint64_t f = vd_device_features(&rng);
    assert_int_equal(f, ALL);
    /* feature words past the second read 0 */
    vd_write(&rng, rng.common, 4, 2);
    assert_int_equal(vd_read(&rng, rng.common + 4, 4), 0);
    /* a modern-only device: no VERSION_1, no FEATURES_OK */
    assert_false(vd_negotiate(&rng, VD_INDIRECT));
    /* nor with a feature it does not offer */
    assert_false(vd_negotiate(&rng, VD_VERSION_1 | VD_F(27)));
    assert_true(vd_negotiate(&rng, VD_VERSION_1 | VD_EVENT_IDX));
    /* after FEATURES_OK the driver's features are fixed */
    vd_write(&rng, rng.common + 0x08, 4, 0);
    vd_write(&rng, rng.common + 0x0c, 4, 0xffffffff);
    assert_int_equal(vd_read(&rng, rng.common + 0x0c, 4), VD_EVENT_IDX);
    vd_write(&rng, rng.common + 0x08, 4, 1);
    assert_int_equal(vd_read(&rng, rng.common + 0x0c, 4), 1);
    /* the driver cannot set NEEDS_RESET, nor clear bits but by reset */
    vd_write(&rng, rng.common + 0x14, 1, 0x40 | 1);
    assert_int_equal(vd_status(&rng), 0xb);
    vd_write(&rng, rng.common + 0x14, 1, 0);
    assert_int_equal(vd_status(&rng), 0);
    assert_int_equal(vd_read(&rng, rng.common + 0x0c, 4), 0);
}

/* A bridge with the grants flag: VIRTIO_F_ACCESS_PLATFORM too, which
 * Linux's Xen grant DMA requires. */
static void access_platform_with_grants(void **state)
{
    struct dm_bridge_layout l = fg_default_layout();
    l.flags = 1;
    fg_free(fg);
    fg = fg_new(&l);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, RNG, -1, false), 0);
    vd_probe(&rng, fg, RNG);
    assert_int_equal(vd_device_features(&rng), ALL | VD_F(33));
    assert_true(vd_negotiate(&rng, ALL | VD_F(33)));
}

static void common_registers(void **state)
{
    vd_probe(&con, fg, CON);
    uint64_t c = con.common;
    assert_int_equal(vd_read(&con, c + 0x12, 2), 2); /* num_queues */
    assert_int_equal(vd_read(&con, c + 0x10, 2), 0xffff); /* no MSI-X */
    for (unsigned q = 0; q < 2; q++) {
        vd_write(&con, c + 0x16, 2, q);
        assert_int_equal(vd_read(&con, c + 0x18, 2), 256);
        assert_int_equal(vd_read(&con, c + 0x1a, 2), 0xffff);
        assert_int_equal(vd_read(&con, c + 0x1e, 2), q); /* notify offset */
        assert_int_equal(vd_read(&con, c + 0x1c, 2), 0);
    }
    /* sizes: powers of 2 up to 256 */
    vd_write(&con, c + 0x16, 2, 1);
    vd_write(&con, c + 0x18, 2, 100);
    assert_int_equal(vd_read(&con, c + 0x18, 2), 256);
    vd_write(&con, c + 0x18, 2, 512);
    assert_int_equal(vd_read(&con, c + 0x18, 2), 256);
    vd_write(&con, c + 0x18, 2, 0);
    assert_int_equal(vd_read(&con, c + 0x18, 2), 256);
    vd_write(&con, c + 0x18, 2, 16);
    assert_int_equal(vd_read(&con, c + 0x18, 2), 16);
    /* 64-bit addresses: whole, as halves, byte by byte reads */
    vd_write(&con, c + 0x20, 8, 0x1122334455667788ull);
    assert_int_equal(vd_read(&con, c + 0x20, 8), 0x1122334455667788ull);
    vd_write(&con, c + 0x24, 4, 0xaabbccdd);
    assert_int_equal(vd_read(&con, c + 0x20, 8), 0xaabbccdd55667788ull);
    assert_int_equal(vd_read(&con, c + 0x23, 1), 0x55);
    assert_int_equal(vd_read(&con, c + 0x22, 4), 0xccdd5566); /* misaligned read */
    /* writes at the wrong width or misaligned are ignored */
    vd_write(&con, c + 0x22, 4, 0);
    vd_write(&con, c + 0x20, 2, 0);
    vd_write(&con, c + 0x16, 4, 0);
    vd_write(&con, c + 0x16, 1, 0);
    vd_write(&con, c + 0x14, 2, 0);
    assert_int_equal(vd_read(&con, c + 0x20, 8), 0xaabbccdd55667788ull);
    assert_int_equal(vd_read(&con, c + 0x16, 2), 1);
    /* byte reads compose the same values */
    assert_int_equal(vd_read(&con, c + 0x12, 1), 2);
    assert_int_equal(vd_read(&con, c + 0x13, 1), 0);
    /* beyond the structure, in the region: 0, and writes do nothing */
    for (unsigned off = 0x38; off < 0x1000; off += 0x1c4) {
        vd_write(&con, c + off, 4, 0xffffffff);
        assert_int_equal(vd_read(&con, c + off, 4), 0);
    }
    /* an access across the region's end */
    assert_int_equal(vd_read(&con, c + 0xffe, 4), 0);
    /* read-only registers */
    vd_write(&con, c + 0x12, 2, 7);
    vd_write(&con, c + 0x04, 4, 0);
    vd_write(&con, c + 0x1e, 2, 9);
    assert_int_equal(vd_read(&con, c + 0x12, 2), 2);
    assert_int_equal(vd_read(&con, c + 0x04, 4), (uint32_t)ALL);
}

static void queue_select_out_of_range(void **state)
{
    vd_probe(&con, fg, CON);
    uint64_t c = con.common;
    for (unsigned q = 2; q < 0x10000; q = q * 3 + 1) {
        vd_write(&con, c + 0x16, 2, q);
        assert_int_equal(vd_read(&con, c + 0x16, 2), q);
        assert_int_equal(vd_read(&con, c + 0x18, 2), 0); /* no such queue */
        vd_write(&con, c + 0x18, 2, 16);
        vd_write(&con, c + 0x20, 8, 0x40001000);
        vd_write(&con, c + 0x1c, 2, 1);
        assert_int_equal(vd_read(&con, c + 0x18, 2), 0);
        assert_int_equal(vd_read(&con, c + 0x1c, 2), 0);
        assert_int_equal(vd_read(&con, c + 0x20, 8), 0);
    }
    /* and a notification for a queue that does not exist */
    vd_init(&con, fg, CON, ALL, 16);
    for (unsigned off = 8; off < 0x1000; off += 4)
        vd_write(&con, con.notify + off, 2, off / 4);
    assert_false(dm_bus_run(fg->bus));
    assert_int_equal(fg->nlog, 0);
}

static void request_is_processed_in_run_only(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    struct vbuf b = { fg_alloc(fg, 64, 8), 64, true };
    vd_submit(&rng, 0, &b, 1);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    assert_int_equal(fg->irq[44 + RNG], 0);
    fg_run(fg);
    uint32_t id, len;
    assert_true(vd_take_used(&rng, 0, &id, &len));
    assert_int_equal(len, 64);
    assert_int_equal(fg->irq[44 + RNG], 1);
    assert_int_equal(vd_isr(&rng), 1);
    assert_int_equal(vd_isr(&rng), 0);
}

/* Chains posted before DRIVER_OK wait for it. */
static void nothing_before_driver_ok(void **state)
{
    vd_probe(&rng, fg, RNG);
    assert_true(vd_negotiate(&rng, ALL));
    vd_setup_queue(&rng, 0, 8);
    struct vbuf b = { fg_alloc(fg, 16, 8), 16, true };
    vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    vd_driver_ok(&rng);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 1);
}

static void reset_in_the_middle(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    struct vbuf b = { fg_alloc(fg, 32, 8), 32, true };
    vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    assert_int_equal(fg->irq[44 + RNG], 1);
    vd_submit(&rng, 0, &b, 1); /* pending when the reset comes */
    vd_write(&rng, rng.common + 0x14, 1, 0);
    assert_int_equal(fg->irq[44 + RNG], 0); /* the ISR went with it */
    assert_int_equal(vd_isr(&rng), 0);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 1);
    vd_write(&rng, rng.common + 0x16, 2, 0);
    assert_int_equal(vd_read(&rng, rng.common + 0x1c, 2), 0);
    assert_int_equal(vd_read(&rng, rng.common + 0x18, 2), 256);
    assert_int_equal(vd_read(&rng, rng.common + 0x20, 8), 0);
    /* and it starts again from index 0 in new rings */
    vd_init(&rng, fg, RNG, ALL, 16);
    assert_int_equal(rng_request(16), 16);
}

/* Queue set-up registers are frozen once the queue is enabled. */
static void live_queue_cannot_move(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    uint64_t c = rng.common;
    vd_write(&rng, c + 0x16, 2, 0);
    vd_write(&rng, c + 0x18, 2, 4);
    vd_write(&rng, c + 0x20, 8, 0);
    vd_write(&rng, c + 0x1c, 2, 0);
    assert_int_equal(vd_read(&rng, c + 0x18, 2), 16);
    assert_int_equal(vd_read(&rng, c + 0x20, 8), rng.vq[0].desc);
    assert_int_equal(vd_read(&rng, c + 0x1c, 2), 1);
    assert_int_equal(rng_request(8), 8);
}

/* Without EVENT_IDX: an interrupt per batch unless NO_INTERRUPT; with it,
 * only when the used index passes used_event. */
static void interrupt_suppression(void **state)
{
    vd_init(&rng, fg, RNG, VD_VERSION_1, 16);
    vd_set_avail_flags(&rng, 0, 1);
    assert_int_equal(rng_request(8), 8);
    assert_int_equal(fg->irq[44 + RNG], 0);
    vd_set_avail_flags(&rng, 0, 0);
    assert_int_equal(rng_request(8), 8);
    assert_int_equal(fg->irq[44 + RNG], 1);
    vd_isr(&rng);

    vd_init(&rng, fg, RNG, ALL, 16);
    assert_int_equal(rng_request(8), 8); /* the first always interrupts */
    assert_int_equal(vd_isr(&rng), 1);
    /* used_event 5: requests 2 to 5 (used index 2..5) are quiet */
    vd_set_used_event(&rng, 0, 5);
    for (unsigned i = 2; i <= 5; i++) {
        assert_int_equal(rng_request(8), 8);
        assert_int_equal(fg->irq[44 + RNG], 0);
    }
    /* the 6th moves the used index from 5 to 6: past used_event */
    assert_int_equal(rng_request(8), 8);
    assert_int_equal(fg->irq[44 + RNG], 1);
    assert_int_equal(vd_isr(&rng), 1);
    /* a batch of 4 in one run crossing used_event: one interrupt */
    vd_set_used_event(&rng, 0, 7);
    struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
    for (unsigned i = 0; i < 4; i++)
        vd_submit(&rng, 0, &b, 1);
    unsigned calls = fg->irq_calls;
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 10);
    assert_int_equal(fg->irq_calls, calls + 1);
    assert_int_equal(vd_isr(&rng), 1);
}

/* With EVENT_IDX the device asks to be notified at the next chain:
 * avail_event follows what it has taken. */
static void notification_suppression(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
    for (unsigned i = 0; i < 3; i++)
        vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    assert_int_equal(vd_avail_event(&rng, 0), 3);
    /* a chain made available without a notification is still found by
     * the next one */
    vd_submit(&rng, 0, &b, 1);
    vd_post(&rng, 0, 0);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 5);
    assert_int_equal(vd_avail_event(&rng, 0), 5);
}

/* A run takes everything available, at most a queue's worth. */
static void run_takes_all_available(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 8);
    struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
    for (unsigned round = 1; round <= 3; round++) {
        for (unsigned i = 0; i < 8; i++)
            vd_submit(&rng, 0, &b, 1);
        assert_false(dm_bus_run(fg->bus));
        assert_int_equal(vd_used_idx(&rng, 0), 8 * round);
    }
}

static void indirect_chains(void **state)
{
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t a = fg_alloc(fg, 8, 1), b = fg_alloc(fg, 8, 1);
    memcpy(fg_ptr(fg, a), "indirect", 8);
    memcpy(fg_ptr(fg, b), " tables\n", 8);
    struct vbuf v[2] = { { a, 8, false }, { b, 8, false } };
    vd_submit_indirect(&con, 1, v, 2);
    fg_run(fg);
    assert_int_equal(fg->console_len, 16);
    assert_memory_equal(fg->console, "indirect tables\n", 16);
    assert_int_equal(fg->nlog, 0);
}

/* --- the attacks --- */

static void descriptor_loop(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 64, 8);
    vd_set_desc(&rng, 0, 0, buf, 8, 1 | 2, 1);
    vd_set_desc(&rng, 0, 1, buf, 8, 1 | 2, 2);
    vd_set_desc(&rng, 0, 2, buf, 8, 1 | 2, 0);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    assert_broken(&rng, "loops");
    /* further notifications do nothing, and log nothing */
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_int_equal(fg->nlog, 1);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    assert_int_equal(fg->irq[44 + RNG], 0);
    /* a reset brings it back */
    vd_init(&rng, fg, RNG, ALL, 16);
    assert_false(vd_status(&rng) & NEEDS_RESET);
    assert_int_equal(rng_request(8), 8);
}

static void self_loop(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 256);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 8, 8);
    vd_set_desc(&rng, 0, 200, buf, 8, 1 | 2, 200);
    vd_post(&rng, 0, 200);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "loops");
}

static void next_out_of_range(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 8, 8);
    vd_set_desc(&rng, 0, 0, buf, 8, 1 | 2, 16);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "next 16 is past");
}

static void head_out_of_range(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    vd_post(&rng, 0, 0xffff);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "names descriptor 65535");
}

/* The first descriptor index past the queue, as a head */
static void head_just_past_the_queue(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    vd_set_desc(&rng, 0, 15, fg_alloc(fg, 8, 8), 8, 2, 0);
    vd_post(&rng, 0, 16);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "names descriptor 16, past the queue's 16");
}

static void avail_index_jump(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    vd_set_avail_idx(&rng, 0, 17);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "avail index moved from 0 to 17");
}

static void avail_index_going_back(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    assert_int_equal(rng_request(8), 8);
    vd_set_avail_idx(&rng, 0, 0); /* 0 - 1 = 65535 chains "available" */
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "avail index moved from 1 to 0");
}

static void indirect_loop(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 8, 8), table = fg_alloc(fg, 32, 16);
    struct vdrv *v = &rng;
    /* table entries 0 -> 1 -> 0 */
    uint8_t *t = fg_ptr(fg, table);
    memset(t, 0, 32);
    for (unsigned i = 0; i < 2; i++) {
        memcpy(t + 16 * i, &buf, 8);
        t[16 * i + 8] = 8;
        t[16 * i + 12] = 1 | 2;
        t[16 * i + 14] = (uint8_t)(1 - i);
    }
    vd_set_desc(v, 0, 0, table, 32, 4, 0);
    vd_post(v, 0, 0);
    vd_kick(v, 0);
    fg_run(fg);
    assert_broken(v, "indirect table of descriptor 0 loops");
}

/* An indirect table whose chain leaves it */
static void indirect_next_out_of_table(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 8, 8), table = fg_alloc(fg, 32, 16);
    uint8_t *t = fg_ptr(fg, table);
    memcpy(t, &buf, 8);
    t[8] = 8;
    t[12] = 1 | 2;
    t[14] = 2; /* entry 2 of a 2-entry table */
    vd_set_desc(&rng, 0, 0, table, 32, 4, 0);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "next 2 is past its 2 entries");
}

/* Indirect descriptors are whole chains, not links in one */
static void indirect_after_head(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t buf = fg_alloc(fg, 8, 8), table = fg_alloc(fg, 16, 16);
    uint8_t *t = fg_ptr(fg, table);
    memcpy(t, &buf, 8);
    t[8] = 8;
    t[12] = 2;
    vd_set_desc(&rng, 0, 0, buf, 8, 1 | 2, 1);
    vd_set_desc(&rng, 0, 1, table, 16, 4, 0);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "indirect descriptor after its head");
}

static void indirect_nested(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t table = fg_alloc(fg, 16, 16);
    uint8_t *t = fg_ptr(fg, table);
    memcpy(t, &table, 8); /* itself, again indirect */
    t[8] = 16;
    t[12] = 4;
    vd_set_desc(&rng, 0, 0, table, 16, 4, 0);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "holds another indirect");
}

static void indirect_not_negotiated(void **state)
{
    vd_init(&rng, fg, RNG, VD_VERSION_1, 16);
    vd_init(&con, fg, CON, ALL, 16);
    struct vbuf b = { fg_alloc(fg, 8, 8), 8, true };
    vd_submit_indirect(&rng, 0, &b, 1);
    fg_run(fg);
    assert_broken(&rng, "INDIRECT_DESC was not negotiated");
}

static void indirect_bad_sizes(void **state)
{
    const uint32_t lens[] = { 0, 24, 257 * 16, 0xfffffff0 };
    for (unsigned i = 0; i < 4; i++) {
        fg->nlog = 0;
        vd_init(&rng, fg, RNG, ALL, 16);
        vd_init(&con, fg, CON, ALL, 16);
        uint64_t table = fg_alloc(fg, 16, 16);
        vd_set_desc(&rng, 0, 0, table, lens[i], 4, 0);
        vd_post(&rng, 0, 0);
        vd_kick(&rng, 0);
        fg_run(fg);
        assert_broken(&rng, "indirect table of descriptor 0 is");
    }
}

static void indirect_with_next(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    uint64_t table = fg_alloc(fg, 16, 16);
    vd_set_desc(&rng, 0, 0, table, 16, 4 | 1, 1);
    vd_post(&rng, 0, 0);
    vd_kick(&rng, 0);
    fg_run(fg);
    assert_broken(&rng, "also has NEXT");
}

static void buffer_just_outside_ram(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    struct vbuf b = { FG_RAM_BASE + FG_RAM_SIZE - 4, 8, true }; /* 4 bytes past the end */
    vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    assert_broken(&rng, "is not in RAM");
    /* a good request after it is not served until the driver resets */
    struct vbuf good = { fg_alloc(fg, 8, 8), 8, true };
    vd_submit(&rng, 0, &good, 1);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&rng, 0), 0);
    assert_int_equal(fg->nlog, 1);
}

static void buffer_just_below_ram(void **state)
{
    vd_init(&con, fg, CON, ALL, 16);
    vd_init(&rng, fg, RNG, ALL, 16);
    struct vbuf b = { FG_RAM_BASE - 1, 2, false };
    vd_submit(&con, 1, &b, 1);
    fg_run(fg);
    assert_int_equal(fg->console_len, 0);
    assert_broken(&con, "0x3fffffff");
    /* the rng on the same bus still serves */
    assert_int_equal(rng_request(8), 8);
}

static void address_wrapping(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16);
    /* a buffer whose end wraps past 2^64 to the start of RAM */
    struct vbuf b = { ~0ull - 7, 0x40000100, true };
    vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    assert_broken(&rng, "not in RAM");
}

static void ring_wrapping_and_outside(void **state)
{
    vd_init(&con, fg, CON, ALL, 16);
    vd_probe(&rng, fg, RNG);
    assert_true(vd_negotiate(&rng, ALL));
    /* rings near 2^64 and in no RAM at all */
    uint64_t c = rng.common;
    vd_write(&rng, c + 0x16, 2, 0);
    vd_write(&rng, c + 0x18, 2, 16);
    vd_write(&rng, c + 0x20, 8, ~0ull - 15);
    vd_write(&rng, c + 0x28, 8, ~0ull - 1);
    vd_write(&rng, c + 0x30, 8, 0x1000);
    vd_write(&rng, c + 0x1c, 2, 1);
    vd_driver_ok(&rng);
    vd_write(&rng, rng.notify, 2, 0);
    fg_run(fg);
    assert_broken(&rng, "avail ring at 0x0 is not in RAM");
}

static void huge_lengths(void **state)
{
    vd_init(&con, fg, CON, ALL, 16);
    vd_init(&rng, fg, RNG, ALL, 16);
    /* 3 descriptors of 0xffffffff bytes: longer than a used length holds */
    uint64_t buf = fg_alloc(fg, 8, 8);
    for (uint16_t i = 0; i < 3; i++)
        vd_set_desc(&con, 1, i, buf, 0xffffffff, i < 2 ? 1 : 0, (uint16_t)(i + 1));
    vd_post(&con, 1, 0);
    vd_kick(&con, 1);
    fg_run(fg);
    assert_int_equal(fg->console_len, 0);
    assert_broken(&con, "longer than 4 GiB");
    /* one huge buffer in RAM's range start: refused at the end of RAM, and
     * an rng request of 4 GiB - 1 takes at most its 4 KiB */
    fg->nlog = 0;
    struct vbuf b = { FG_RAM_BASE + FG_RAM_SIZE - 4096, 0xffffffff, true };
    vd_submit(&rng, 0, &b, 1);
    fg_run(fg);
    uint32_t id, len;
    assert_true(vd_take_used(&rng, 0, &id, &len));
    assert_int_equal(len, 4096);
}

static void writable_before_readable(void **state)
{
    vd_init(&con, fg, CON, ALL, 16);
    vd_init(&rng, fg, RNG, ALL, 16);
    uint64_t a = fg_alloc(fg, 8, 8);
    struct vbuf b[2] = { { a, 4, true }, { a + 4, 4, false } };
    vd_submit(&con, 1, b, 2);
    fg_run(fg);
    assert_broken(&con, "readable buffer after a writable one");
}

/* Every width at every offset of every region: nothing crashes, and the
 * device still works afterwards. Reads of the ISR clear it: measured. */
static void every_width_everywhere(void **state)
{
    vd_init(&rng, fg, RNG, ALL, 16);
    vd_init(&con, fg, CON, ALL, 16); /* placed after the rng: nothing follows its BAR */
    for (uint64_t off = 0; off < 0x4010; off += (off & 0xfff) < 0x48 ? 1 : 0x3f7)
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t v = vd_read(&con, off, size);
            if (off >= 0x4000)
                assert_int_equal(v, size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
            else if (off + size > 0x4000)
                assert_int_equal(v, size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
            else if (off >= 0x1001 && off < 0x2000)
                assert_int_equal(v, 0); /* the ISR is one byte */
            else if (off >= 0x3000)
                assert_int_equal(v, 0); /* notifications read 0 */
            else if (off >= 0x1000 && (off & 0xfff) >= 0x48)
                assert_int_equal(v, 0);
        }
    /* writes at every offset of the ISR, device and notify regions */
    for (uint64_t off = 0x1000; off < 0x4000; off += 0x101)
        for (unsigned size = 1; size <= 8; size *= 2)
            vd_write(&con, off, size, ~0ull);
    fg_run(fg);
    assert_int_equal(fg->nlog, 0);
    con_write("fine");
    fg_run(fg);
    assert_int_equal(fg->console_len, 4);
    assert_int_equal(rng_request(16), 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(features_offered_and_negotiated),
        TEST(access_platform_with_grants),
        TEST(common_registers),
        TEST(queue_select_out_of_range),
        TEST(request_is_processed_in_run_only),
        TEST(nothing_before_driver_ok),
        TEST(reset_in_the_middle),
        TEST(live_queue_cannot_move),
        TEST(interrupt_suppression),
        TEST(notification_suppression),
        TEST(run_takes_all_available),
        TEST(indirect_chains),
        TEST(descriptor_loop),
        TEST(self_loop),
        TEST(next_out_of_range),
        TEST(head_out_of_range),
        TEST(head_just_past_the_queue),
        TEST(avail_index_jump),
        TEST(avail_index_going_back),
        TEST(indirect_loop),
        TEST(indirect_next_out_of_table),
        TEST(indirect_after_head),
        TEST(indirect_nested),
        TEST(indirect_not_negotiated),
        TEST(indirect_bad_sizes),
        TEST(indirect_with_next),
        TEST(buffer_just_outside_ram),
        TEST(buffer_just_below_ram),
        TEST(address_wrapping),
        TEST(ring_wrapping_and_outside),
        TEST(huge_lengths),
        TEST(writable_before_readable),
        TEST(every_width_everywhere),
    };
    return cmocka_run_group_tests_name("dm_virtqueue", tests, NULL, NULL);
}
