/* virtio-rng and virtio-console (devmodel/virtio/virtio_rng.c,
 * virtio_console.c) as Linux's virtio-rng and virtio_console (one port, no
 * MULTIPORT) use them. */
#include "unit.h"

#include <string.h>
#include <unistd.h>

#include "dm_fake_guest.h"

#define RNG 1
#define CON 2
#define ALL (VD_VERSION_1 | VD_INDIRECT | VD_EVENT_IDX)

static struct fake_guest *fg;
static struct vdrv vd;

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

static uint32_t rng_fill(uint64_t buf, uint32_t len)
{
    struct vbuf b = { buf, len, true };
    uint16_t head = vd_submit(&vd, 0, &b, 1);
    fg_run(fg);
    uint32_t id, got;
    assert_true(vd_take_used(&vd, 0, &id, &got));
    assert_int_equal(id, head);
    return got;
}

static void rng_from_its_fd(void **state)
{
    int fd = fg_backing(fg, 8192);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0); /* read() goes from the file offset */
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, RNG, fd, false), 0);
    vd_init(&vd, fg, RNG, ALL, 8);
    assert_int_equal(vd_device_features(&vd), ALL); /* no device features */
    assert_int_equal(vd.ncaps, 3); /* no device configuration */
    uint64_t buf = fg_alloc(fg, 64, 8);
    assert_int_equal(rng_fill(buf, 64), 64);
    const uint8_t *p = fg_ptr(fg, buf);
    for (unsigned i = 0; i < 64; i++)
        assert_int_equal(p[i], (uint8_t)(i * 7 + 3));
    /* a big request takes at most 4 KiB, and the next bytes follow on */
    uint64_t big = fg_alloc(fg, 10000, 8);
    assert_int_equal(rng_fill(big, 10000), 4096);
    p = fg_ptr(fg, big);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(p[i], (uint8_t)((64 + i) * 7 + 3));
    assert_int_equal(((const uint8_t *)fg_ptr(fg, big))[4096], 0);
    /* at the source's end: what is left, then nothing */
    assert_int_equal(rng_fill(big, 8192), 8192 - 64 - 4096);
    assert_int_equal(rng_fill(big, 8192), 0);
    assert_int_equal(fg->nlog, 0);
}

static void rng_from_getrandom(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, RNG, -1, false), 0);
    vd_init(&vd, fg, RNG, ALL, 8);
    uint64_t a = fg_alloc(fg, 32, 8), b = fg_alloc(fg, 32, 8);
    assert_int_equal(rng_fill(a, 32), 32);
    assert_int_equal(rng_fill(b, 32), 32);
    assert_memory_not_equal(fg_ptr(fg, a), fg_ptr(fg, b), 32);
    static const uint8_t zero[32];
    assert_memory_not_equal(fg_ptr(fg, a), zero, 32);
    /* Linux's virtio-rng: an interrupt per request, acknowledged */
    assert_int_equal(vd_isr(&vd), 1);
}

/* Readable buffers in a request are skipped: only writable ones are filled. */
static void rng_ignores_readable_buffers(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, RNG, -1, false), 0);
    vd_init(&vd, fg, RNG, ALL, 8);
    uint64_t r = fg_alloc(fg, 16, 8), w = fg_alloc(fg, 16, 8);
    memset(fg_ptr(fg, r), 0xab, 16);
    struct vbuf b[2] = { { r, 16, false }, { w, 16, true } };
    vd_submit(&vd, 0, b, 2);
    fg_run(fg);
    uint32_t id, len;
    assert_true(vd_take_used(&vd, 0, &id, &len));
    assert_int_equal(len, 16);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(((uint8_t *)fg_ptr(fg, r))[i], 0xab);
}

static void start_console(void)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, CON, -1, false), 0);
    vd_init(&vd, fg, CON, ALL, 16);
}

static void console_configuration(void **state)
{
    start_console();
    assert_int_equal(vd_device_features(&vd), ALL); /* no SIZE, MULTIPORT, EMERG_WRITE */
    assert_int_equal(vd_read(&vd, vd.common + 0x12, 2), 2);
    assert_int_equal(vd.device_len, 12);
    for (unsigned off = 0; off < 16; off += 4)
        assert_int_equal(vd_read(&vd, vd.device + off, 4), 0);
}

static void console_output(void **state)
{
    start_console();
    uint64_t a = fg_alloc(fg, 64, 1);
    memcpy(fg_ptr(fg, a), "hello, world\n", 13);
    struct vbuf one = { a, 13, false };
    vd_submit(&vd, 1, &one, 1);
    assert_int_equal(fg->console_len, 0); /* only in dm_bus_run */
    fg_run(fg);
    assert_int_equal(fg->console_len, 13);
    assert_memory_equal(fg->console, "hello, world\n", 13);
    uint32_t id, len;
    assert_true(vd_take_used(&vd, 1, &id, &len));
    assert_int_equal(len, 0);
    /* several segments and chains keep their order */
    uint64_t b = fg_alloc(fg, 8, 1), c = fg_alloc(fg, 8, 1);
    memcpy(fg_ptr(fg, b), "ab", 2);
    memcpy(fg_ptr(fg, c), "cd", 2);
    struct vbuf two[2] = { { b, 2, false }, { c, 2, false } };
    vd_submit(&vd, 1, two, 2);
    vd_submit(&vd, 1, &one, 1);
    fg_run(fg);
    assert_int_equal(fg->console_len, 13 + 4 + 13);
    assert_memory_equal(fg->console + 13, "abcdhello", 9);
    /* nothing was put in the receive queue */
    assert_int_equal(vd_used_idx(&vd, 0), 0);
}

/* Output bigger than one chain passes: at most 64 KiB of it. */
static void console_output_is_bounded(void **state)
{
    start_console();
    uint64_t a = fg_alloc(fg, 100000, 1);
    memset(fg_ptr(fg, a), 'z', 100000);
    struct vbuf b = { a, 100000, false };
    vd_submit(&vd, 1, &b, 1);
    fg_run(fg);
    assert_int_equal(fg->console_len, 65536);
}

static void console_input(void **state)
{
    start_console();
    /* before any receive buffer: dropped */
    assert_int_equal(dm_bus_console_input(fg->bus, "lost", 4), 0);
    uint64_t r1 = fg_alloc(fg, 4, 1), r2 = fg_alloc(fg, 8, 1);
    struct vbuf b1 = { r1, 4, true }, b2 = { r2, 8, true };
    vd_submit(&vd, 0, &b1, 1);
    vd_submit(&vd, 0, &b2, 1);
    fg_run(fg); /* a receive notification alone does nothing */
    assert_int_equal(vd_used_idx(&vd, 0), 0);
    /* 15 bytes: 4 + 8 taken, 3 dropped */
    assert_int_equal(dm_bus_console_input(fg->bus, "0123456789abcde", 15), 12);
    assert_memory_equal(fg_ptr(fg, r1), "0123", 4);
    assert_memory_equal(fg_ptr(fg, r2), "456789ab", 8);
    uint32_t id, len;
    assert_true(vd_take_used(&vd, 0, &id, &len));
    assert_int_equal(len, 4);
    assert_true(vd_take_used(&vd, 0, &id, &len));
    assert_int_equal(len, 8);
    assert_int_equal(fg->irq[44 + CON], 1);
    assert_int_equal(vd_isr(&vd), 1);
    assert_int_equal(fg->irq[44 + CON], 0);
    /* a short input in a big buffer: its length is what was written */
    vd_submit(&vd, 0, &b2, 1);
    assert_int_equal(dm_bus_console_input(fg->bus, "y", 1), 1);
    assert_true(vd_take_used(&vd, 0, &id, &len));
    assert_int_equal(len, 1);
}

static void console_input_before_driver_ok(void **state)
{
    assert_int_equal(fg_add(fg, DM_VIRTIO_CONSOLE, CON, -1, false), 0);
    assert_int_equal(dm_bus_console_input(fg->bus, "x", 1), 0);
    vd_probe(&vd, fg, CON);
    assert_true(vd_negotiate(&vd, ALL));
    vd_setup_queue(&vd, 0, 8);
    struct vbuf b = { fg_alloc(fg, 8, 1), 8, true };
    vd_submit(&vd, 0, &b, 1);
    assert_int_equal(dm_bus_console_input(fg->bus, "x", 1), 0);
    vd_driver_ok(&vd);
    assert_int_equal(dm_bus_console_input(fg->bus, "x", 1), 1);
}

/* A receive buffer outside RAM: the console breaks, input is not taken. */
static void console_input_outside_ram(void **state)
{
    start_console();
    struct vbuf b = { FG_RAM_BASE + FG_RAM_SIZE - 2, 4, true };
    vd_submit(&vd, 0, &b, 1);
    assert_int_equal(dm_bus_console_input(fg->bus, "abcd", 4), 0);
    assert_true(vd_status(&vd) & 0x40);
    assert_int_equal(fg->nlog, 1);
    assert_int_equal(dm_bus_console_input(fg->bus, "abcd", 4), 0);
    assert_int_equal(fg->nlog, 1);
}

/* Without a console_out the output is dropped, the chains still used. */
static void console_without_output(void **state)
{
    fg->env.console_out = NULL;
    dm_bus_destroy(fg->bus);
    fg->bus = dm_bus_create(&fg->layout, &fg->env);
    start_console();
    uint64_t a = fg_alloc(fg, 4, 1);
    struct vbuf b = { a, 4, false };
    vd_submit(&vd, 1, &b, 1);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&vd, 1), 1);
    assert_int_equal(fg->console_len, 0);
    /* and a bus without a console takes no input */
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 9, -1, false), 0);
    dm_bus_destroy(fg->bus);
    fg->bus = dm_bus_create(&fg->layout, &fg->env);
    assert_int_equal(fg_add(fg, DM_VIRTIO_RNG, 9, -1, false), 0);
    assert_int_equal(dm_bus_console_input(fg->bus, "x", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(rng_from_its_fd),
        TEST(rng_from_getrandom),
        TEST(rng_ignores_readable_buffers),
        TEST(console_configuration),
        TEST(console_output),
        TEST(console_output_is_bounded),
        TEST(console_input),
        TEST(console_input_before_driver_ok),
        TEST(console_input_outside_ram),
        TEST(console_without_output),
    };
    return cmocka_run_group_tests_name("dm_virtio_rng_console", tests, NULL, NULL);
}
