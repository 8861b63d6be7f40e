/* virtio-blk (devmodel/virtio/virtio_blk.c) as Linux's virtio_blk uses it:
 * configuration, reads and writes checked against the backing file,
 * FLUSH, GET_ID, read-only disks (the file is never written), sector
 * ranges past the capacity, and malformed requests. */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_fake_guest.h"
#include "virtio/blk_map.h"

#define SLOT 2
#define DISK_BYTES (1024 * 1024 + 100) /* 2048 sectors and a bit */
#define SECTORS 2048
#define ALL (VD_VERSION_1 | VD_INDIRECT | VD_EVENT_IDX)
#define BLK_F_SIZE_MAX VD_F(1)
#define BLK_F_SEG_MAX VD_F(2)
#define BLK_F_RO VD_F(5)
#define BLK_F_BLK_SIZE VD_F(6)
#define BLK_F_FLUSH VD_F(9)

static struct fake_guest *fg;
static struct vdrv vd;
static int fd;

/* read_only: a read-only disk; ro_fd: over a read-only descriptor (else
 * the read-write one, so only the device stands between the guest and the
 * file) */
static void start(bool read_only, bool ro_fd)
{
    fg = fg_new(NULL);
    fd = fg_backing(fg, DISK_BYTES);
    if (ro_fd) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        fg->fds[fg->nfds++] = fd;
    }
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, SLOT, fd, read_only), 0);
    vd_init(&vd, fg, SLOT,
            ALL | BLK_F_FLUSH | BLK_F_BLK_SIZE | BLK_F_SEG_MAX | BLK_F_SIZE_MAX | (read_only ? BLK_F_RO : 0), 64);
}

static int setup_rw(void **state)
{
    start(false, false);
    return 0;
}

static int setup_ro(void **state)
{
    start(true, false);
    return 0;
}

static int setup_ro_fd(void **state)
{
    start(true, true);
    return 0;
}

static int teardown(void **state)
{
    fg_free(fg);
    fg = NULL;
    return 0;
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_rw, teardown)
#define TEST_RO(fn) cmocka_unit_test_setup_teardown(fn, setup_ro, teardown)
#define TEST_RO_FD(fn) cmocka_unit_test_setup_teardown(fn, setup_ro_fd, teardown)

static uint8_t file_byte(uint64_t i) { return (uint8_t)(i * 7 + 3); }

/* A request as virtio_blk makes it: header, data buffers, status byte.
 * Returns the status (0x100 | used length in *used), or -1 if the device
 * did not answer. */
static int request(uint32_t type, uint64_t sector, const struct vbuf *data, unsigned ndata, bool indirect,
                   uint32_t *used)
{
    uint64_t hdr = fg_alloc(fg, 16, 8), status = fg_alloc(fg, 1, 1);
    uint8_t *h = fg_ptr(fg, hdr);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
    *(uint8_t *)fg_ptr(fg, status) = 0xee;
    struct vbuf b[300];
    b[0] = (struct vbuf){ hdr, 16, false };
    for (unsigned i = 0; i < ndata; i++)
        b[1 + i] = data[i];
    b[1 + ndata] = (struct vbuf){ status, 1, true };
    uint16_t head = indirect ? vd_submit_indirect(&vd, 0, b, ndata + 2) : vd_submit(&vd, 0, b, ndata + 2);
    fg_run(fg);
    uint32_t id, len;
    if (!vd_take_used(&vd, 0, &id, &len))
        return -1;
    assert_int_equal(id, head);
    if (used)
        *used = len;
    return *(uint8_t *)fg_ptr(fg, status);
}

static int read_sectors(uint64_t sector, uint64_t buf, uint32_t len)
{
    struct vbuf d = { buf, len, true };
    return request(0, sector, &d, 1, false, NULL);
}

static int write_sectors(uint64_t sector, uint64_t buf, uint32_t len)
{
    struct vbuf d = { buf, len, false };
    return request(1, sector, &d, 1, false, NULL);
}

static void assert_file_unchanged(void)
{
    uint8_t *b = malloc(DISK_BYTES);
    assert_non_null(b);
    assert_int_equal(pread(fd, b, DISK_BYTES, 0), DISK_BYTES);
    for (uint64_t i = 0; i < DISK_BYTES; i++)
        if (b[i] != file_byte(i))
            fail_msg("backing byte %llu changed", (unsigned long long)i);
    free(b);
}

static void configuration(void **state)
{
    uint64_t f = vd_device_features(&vd);
    assert_int_equal(f, ALL | BLK_F_FLUSH | BLK_F_BLK_SIZE | BLK_F_SEG_MAX | BLK_F_SIZE_MAX);
    assert_int_equal(vd.device_len, 64);
    assert_int_equal(vd_read(&vd, vd.device + 0, 8), SECTORS); /* capacity, rounded down */
    assert_int_equal(vd_read(&vd, vd.device + 0, 4), SECTORS);
    assert_int_equal(vd_read(&vd, vd.device + 4, 4), 0);
    assert_int_equal(vd_read(&vd, vd.device + 8, 4), 1 << 20); /* size_max */
    assert_int_equal(vd_read(&vd, vd.device + 12, 4), 254); /* seg_max */
    assert_int_equal(vd_read(&vd, vd.device + 20, 4), 512); /* blk_size */
    assert_int_equal(vd_read(&vd, vd.device + 21, 1), 2);
    /* the rest, and past the structure, 0; writes change nothing */
    vd_write(&vd, vd.device, 8, 0);
    vd_write(&vd, vd.device + 20, 4, 4096);
    assert_int_equal(vd_read(&vd, vd.device + 0, 8), SECTORS);
    assert_int_equal(vd_read(&vd, vd.device + 20, 4), 512);
    assert_int_equal(vd_read(&vd, vd.device + 60, 4), 0);
    assert_int_equal(vd_read(&vd, vd.device + 64, 8), 0);
}

static void read_matches_the_file(void **state)
{
    uint64_t buf = fg_alloc(fg, 8192, 512);
    assert_int_equal(read_sectors(3, buf, 8192), 0);
    const uint8_t *p = fg_ptr(fg, buf);
    for (unsigned i = 0; i < 8192; i++)
        assert_int_equal(p[i], file_byte(3 * 512 + i));
    /* the last sector */
    assert_int_equal(read_sectors(SECTORS - 1, buf, 512), 0);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(p[i], file_byte((SECTORS - 1) * 512ull + i));
}

/* Scattered buffers, bigger than the bounce buffer, as an indirect chain:
 * the bytes land where the segments say, and the used length counts them
 * and the status byte. */
static void scattered_large_read(void **state)
{
    struct vbuf d[5];
    uint32_t lens[5] = { 512, 65536 + 1024, 4096, 1536, 131072 };
    uint64_t total = 0;
    for (unsigned i = 0; i < 5; i++) {
        d[i] = (struct vbuf){ fg_alloc(fg, lens[i], 4096), lens[i], true };
        total += lens[i];
    }
    uint32_t used;
    assert_int_equal(request(0, 10, d, 5, true, &used), 0);
    assert_int_equal(used, total + 1);
    uint64_t at = 10 * 512;
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *p = fg_ptr(fg, d[i].addr);
        for (uint32_t k = 0; k < lens[i]; k++, at++)
            if (p[k] != file_byte(at))
                fail_msg("segment %u byte %u", i, k);
    }
}

static void write_reaches_the_file_and_flush(void **state)
{
    uint64_t buf = fg_alloc(fg, 69632, 512); /* 136 sectors: past the bounce buffer */
    uint8_t *p = fg_ptr(fg, buf);
    for (unsigned i = 0; i < 69632; i++)
        p[i] = (uint8_t)(i ^ 0x5a);
    assert_int_equal(write_sectors(100, buf, 69632), 0);
    uint8_t back[69632];
    assert_int_equal(pread(fd, back, sizeof(back), 100 * 512), sizeof(back));
    assert_memory_equal(back, p, sizeof(back));
    /* neighbours untouched */
    uint8_t before;
    assert_int_equal(pread(fd, &before, 1, 100 * 512 - 1), 1);
    assert_int_equal(before, file_byte(100 * 512 - 1));
    assert_int_equal(request(4, 0, NULL, 0, false, NULL), 0); /* FLUSH */
    /* and it reads back through the device */
    uint64_t rb = fg_alloc(fg, 69632, 512);
    assert_int_equal(read_sectors(100, rb, 69632), 0);
    assert_memory_equal(fg_ptr(fg, rb), p, 69632);
}

static void get_id(void **state)
{
    uint64_t buf = fg_alloc(fg, 20, 1);
    memset(fg_ptr(fg, buf), 0xcc, 20);
    struct vbuf d = { buf, 20, true };
    uint32_t used;
    assert_int_equal(request(8, 0, &d, 1, false, &used), 0);
    assert_memory_equal(fg_ptr(fg, buf), "disk-2\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
    assert_int_equal(used, 21);
}

static void unknown_type_is_unsupported(void **state)
{
    uint64_t buf = fg_alloc(fg, 512, 1);
    struct vbuf d = { buf, 512, true };
    assert_int_equal(request(11, 0, &d, 1, false, NULL), 2); /* DISCARD, not offered */
    assert_int_equal(request(0xffffffff, 0, &d, 1, false, NULL), 2);
    assert_int_equal(fg->nlog, 0);
}

/* Every range past the capacity is an I/O error, the file untouched. */
static void ranges_past_capacity(void **state)
{
    uint64_t buf = fg_alloc(fg, 1024, 512);
    memset(fg_ptr(fg, buf), 0x77, 1024);
    const uint64_t sectors[] = { SECTORS, SECTORS - 1, SECTORS + 1, ~0ull, ~0ull / 512 + 1, 1ull << 63 };
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(read_sectors(sectors[i], buf, 1024), 1);
        assert_int_equal(write_sectors(sectors[i], buf, 1024), 1);
    }
    /* lengths that are not whole sectors */
    assert_int_equal(read_sectors(0, buf, 100), 1);
    assert_int_equal(write_sectors(0, buf, 513), 1);
    /* a huge data buffer: refused for its length before any byte moves */
    struct vbuf d = { buf, 0xfffffe00, true };
    assert_int_equal(request(0, 0, &d, 1, false, NULL), 1);
    assert_file_unchanged();
    assert_int_equal(fg->nlog, 0);
    /* zero sectors at the very end: nothing to do, OK */
    assert_int_equal(read_sectors(SECTORS, buf, 0), 0);
}

/* The backing file shrinks under the device (someone in the device
 * model's domain truncated it): the access through the mapping faults
 * (SIGBUS), the request fails with IOERR, one log line, the program goes
 * on, and so does the device, through pread/pwrite: what is still there
 * reads back, what is gone fails. */
static void backing_store_shrinks_under_the_mapping(void **state)
{
    assert_int_equal(blk_map_guard(), 0); /* cmocka put its own SIGBUS handler for the test */
    uint64_t buf = fg_alloc(fg, 8192, 512);
    assert_int_equal(read_sectors(SECTORS - 16, buf, 8192), 0); /* through the mapping */
    assert_int_equal(ftruncate(fd, 512 * 1024), 0);
    assert_int_equal(read_sectors(SECTORS - 16, buf, 8192), 1);
    assert_int_equal(fg->nlog, 1);
    if (!fg_logged(fg,
                   "virtio-blk 00:02.0: the backing store faulted under its mapping at offset 1040384 (it shrank, "
                   "or an I/O error): I/O error to the guest, pread from now on"))
        fail_msg("log: %s", fg->logs[0]);
    assert_false(vd_status(&vd) & 0x40);
    assert_int_equal(read_sectors(8, buf, 4096), 0);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(((uint8_t *)fg_ptr(fg, buf))[i], file_byte(8 * 512 + i));
    assert_int_equal(read_sectors(SECTORS - 16, buf, 8192), 1);
    assert_int_equal(fg->nlog, 1);
}

static void read_only_disk(void **state)
{
    assert_true(vd_device_features(&vd) & BLK_F_RO);
    uint64_t buf = fg_alloc(fg, 4096, 512);
    memset(fg_ptr(fg, buf), 0x99, 4096);
    assert_int_equal(write_sectors(0, buf, 4096), 1);
    assert_int_equal(write_sectors(7, buf, 512), 1);
    assert_int_equal(request(4, 0, NULL, 0, false, NULL), 0); /* FLUSH: nothing to flush */
    assert_file_unchanged();
    /* said once, and the device still works */
    assert_int_equal(fg->nlog, 1);
    assert_true(fg_logged(fg, "write to sector 0 of the read-only disk refused (I/O error to the guest)"));
    /* reads work */
    assert_int_equal(read_sectors(0, buf, 4096), 0);
    assert_int_equal(*(uint8_t *)fg_ptr(fg, buf + 1), file_byte(1));
    assert_false(vd_status(&vd) & 0x40);
}

/* Malformed requests break the device (NEEDS_RESET), the file untouched. */
static void assert_broken(const char *why)
{
    assert_true(vd_status(&vd) & 0x40);
    assert_int_equal(fg->nlog, 1);
    if (!fg_logged(fg, why))
        fail_msg("log '%s' does not say '%s'", fg->logs[0], why);
    assert_file_unchanged();
}

static void request_without_status(void **state)
{
    uint64_t hdr = fg_alloc(fg, 16, 8);
    struct vbuf b = { hdr, 16, false };
    vd_submit(&vd, 0, &b, 1);
    fg_run(fg);
    assert_int_equal(vd_used_idx(&vd, 0), 0);
    assert_broken("16 readable and 0 writable bytes");
}

static void short_header(void **state)
{
    uint64_t a = fg_alloc(fg, 16, 8);
    struct vbuf b[2] = { { a, 8, false }, { a + 8, 1, true } };
    vd_submit(&vd, 0, b, 2);
    fg_run(fg);
    assert_broken("8 readable and 1 writable bytes");
}

static void write_from_outside_ram(void **state)
{
    uint64_t ok = fg_alloc(fg, 512, 512);
    struct vbuf d[2] = { { ok, 512, false }, { FG_RAM_BASE + FG_RAM_SIZE, 512, false } };
    /* the first chunk holds both segments, so nothing reaches the file */
    assert_int_equal(request(1, 0, d, 2, false, NULL), -1);
    assert_broken("is not in RAM");
}

static void read_into_outside_ram(void **state)
{
    struct vbuf d = { FG_RAM_BASE + FG_RAM_SIZE - 256, 512, true };
    assert_int_equal(request(0, 0, &d, 1, false, NULL), -1);
    assert_broken("is not in RAM");
}

static void status_outside_ram(void **state)
{
    uint64_t hdr = fg_alloc(fg, 16, 8);
    struct vbuf b[2] = { { hdr, 16, false }, { 0x1000, 1, true } };
    *(uint32_t *)fg_ptr(fg, hdr) = 4;
    vd_submit(&vd, 0, b, 2);
    fg_run(fg);
    assert_broken("0x1000");
}

/* Reset in the middle of a stream of requests, then the disk serves again. */
static void reset_and_again(void **state)
{
    uint64_t buf = fg_alloc(fg, 512, 512);
    assert_int_equal(read_sectors(1, buf, 512), 0);
    vd_write(&vd, vd.common + 0x14, 1, 0);
    vd_init(&vd, fg, SLOT, ALL, 16);
    assert_int_equal(read_sectors(2, buf, 512), 0);
    assert_int_equal(*(uint8_t *)fg_ptr(fg, buf), file_byte(1024));
}

/* A batch of requests in one run: one interrupt with EVENT_IDX when the
 * driver asks for it at the end. */
static void batch_one_interrupt(void **state)
{
    uint64_t buf = fg_alloc(fg, 512 * 16, 512), hdrs = fg_alloc(fg, 16 * 16, 16), st = fg_alloc(fg, 16, 1);
    vd_set_used_event(&vd, 0, 15);
    for (unsigned i = 0; i < 16; i++) {
        uint8_t *h = fg_ptr(fg, hdrs + 16 * i);
        h[8] = (uint8_t)i;
        struct vbuf b[3] = { { hdrs + 16 * i, 16, false }, { buf + 512 * i, 512, true }, { st + i, 1, true } };
        vd_submit(&vd, 0, b, 3);
    }
    unsigned calls = fg->irq_calls;
    fg_run(fg);
    assert_int_equal(vd_used_idx(&vd, 0), 16);
    assert_int_equal(fg->irq_calls, calls + 1);
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(*(uint8_t *)fg_ptr(fg, st + i), 0);
        assert_int_equal(*(uint8_t *)fg_ptr(fg, buf + 512 * i), file_byte(512 * i));
    }
    assert_int_equal(vd_avail_event(&vd, 0), 16);
}

static void refused_backing_stores(void **state)
{
    struct dm_device_conf c = { .kind = DM_VIRTIO_BLK, .slot = 9, .fd = -1 };
    assert_int_equal(dm_bus_add_device(fg->bus, &c), -1);
    c.fd = open("/", O_RDONLY | O_DIRECTORY);
    c.read_only = true;
    assert_int_equal(dm_bus_add_device(fg->bus, &c), -1);
    assert_true(fg_logged(fg, "neither a file nor a block device"));
    close(c.fd);
    /* a read-write disk over a read-only descriptor */
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    c.fd = open(path, O_RDONLY);
    c.read_only = false;
    assert_int_equal(dm_bus_add_device(fg->bus, &c), -1);
    assert_true(fg_logged(fg, "open read-only, the disk is not"));
    close(c.fd);
    c.fd = open(path, O_WRONLY);
    c.read_only = true;
    assert_int_equal(dm_bus_add_device(fg->bus, &c), -1);
    assert_true(fg_logged(fg, "write-only"));
    close(c.fd);
    assert_int_equal(fg_cfg_read(fg, 9, 0, 4), 0xffffffff);
}

/* An empty backing file: capacity 0, every transfer an I/O error. */
static void empty_disk(void **state)
{
    int e = fg_backing(fg, 100);
    assert_int_equal(fg_add(fg, DM_VIRTIO_BLK, 11, e, false), 0);
    vd_init(&vd, fg, 11, ALL, 8);
    assert_int_equal(vd_read(&vd, vd.device, 8), 0);
    uint64_t buf = fg_alloc(fg, 512, 512);
    assert_int_equal(read_sectors(0, buf, 512), 1);
    assert_int_equal(write_sectors(0, buf, 512), 1);
    assert_int_equal(read_sectors(0, buf, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(configuration),
        TEST(read_matches_the_file),
        TEST(scattered_large_read),
        TEST(write_reaches_the_file_and_flush),
        TEST(get_id),
        TEST(unknown_type_is_unsupported),
        TEST(ranges_past_capacity),
        TEST(backing_store_shrinks_under_the_mapping),
        TEST_RO(read_only_disk),
        TEST_RO_FD(read_only_disk),
        TEST(request_without_status),
        TEST(short_header),
        TEST(write_from_outside_ram),
        TEST(read_into_outside_ram),
        TEST(status_outside_ram),
        TEST(reset_and_again),
        TEST(batch_one_interrupt),
        TEST(refused_backing_stores),
        TEST(empty_disk),
    };
    return cmocka_run_group_tests_name("dm_virtio_blk", tests, NULL, NULL);
}
