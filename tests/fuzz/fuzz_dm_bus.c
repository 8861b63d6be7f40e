/* libFuzzer target over the device model's bus (xen-arm-minimal/devmodel:
 * bus, pci, virtio) as a hostile client drives it: the input is a script
 * of MMIO and configuration accesses, writes into the client's RAM, runs,
 * console input, and two shortcuts that do a driver's whole set-up or
 * notify a queue, so that the fuzzer reaches queue processing quickly.
 *
 * One bus per input with one device of each kind: virtio-blk read-write
 * (slot 0) and read-only (slot 3) over 16 KiB memfds, virtio-rng (slot 1,
 * from /dev/zero so runs repeat) and virtio-console (slot 2). Beyond the
 * sanitizers it checks: set_irq only on a change and only for the
 * bridge's lines, log lines without newlines, reads no wider than their
 * size, and the read-only disk's backing never written.
 *
 *   fuzz_dm_bus -seeds=DIR   writes the seeds (tests/devmodel.mk) and exits */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/fuzz_input.h"
#include "bus/dm_bus.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000u
#define DISK 0x4000u
#define ECAM 0x33000000ull
#define PREF 0x35800000ull
#define MEMW 0x33800000ull
#define IRQ_START 44
#define BAR_SIZE 0x4000
/* the queues the set-up shortcut makes: device d, queue q */
#define QSIZE 16
#define QAREA(d, q) (RAM_BASE + 0x1000 + ((d)*2 + (q)) * 0x400)

enum op { OP_READ, OP_WRITE, OP_CFG_READ, OP_CFG_WRITE, OP_RAM, OP_RUN, OP_INPUT, OP_SETUP, OP_KICK, OP_COUNT };

static uint8_t *ram;
static int disk_rw = -1, disk_ro_w = -1, disk_ro = -1, zero = -1;
static int line[4];
static uint8_t pattern[DISK];

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_dm_bus: %s\n", what);
        abort();
    }
}

static bool in_ram(uint64_t gpa, size_t len)
{
    return gpa >= RAM_BASE && gpa - RAM_BASE <= RAM_SIZE && len <= RAM_SIZE - (gpa - RAM_BASE);
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    if (!len)
        return 0;
    if (!in_ram(gpa, len))
        return -1;
    memcpy(buf, ram + (gpa - RAM_BASE), len);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
    if (!len)
        return 0;
    if (!in_ram(gpa, len))
        return -1;
    memcpy(ram + (gpa - RAM_BASE), buf, len);
    return 0;
}

static void set_irq(void *ctx, uint32_t spi, int level)
{
    check(spi >= IRQ_START && spi < IRQ_START + 4, "set_irq: not one of the bridge's lines");
    check(line[spi - IRQ_START] != level, "set_irq: no change of level");
    line[spi - IRQ_START] = level;
}

static void log_line(void *ctx, const char *s) { check(s[0] && !strchr(s, '\n'), "log: empty or with a newline"); }

static void console_out(void *ctx, const void *buf, size_t len) { check(len <= 65536, "console_out: too much"); }

static int memfd(const char *name)
{
    int fd = memfd_create(name, 0);
    check(fd >= 0 && ftruncate(fd, DISK) == 0, "memfd");
    return fd;
}

static void open_stores(void)
{
    if (zero >= 0)
        return;
    for (unsigned i = 0; i < DISK; i++)
        pattern[i] = (uint8_t)(i * 13 + 1);
    ram = malloc(RAM_SIZE);
    disk_rw = memfd("rw");
    disk_ro_w = memfd("ro");
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", disk_ro_w);
    disk_ro = open(path, O_RDONLY);
    zero = open("/dev/zero", O_RDONLY);
    check(ram && disk_ro >= 0 && zero >= 0, "set-up");
}

/* The driver's set-up of device d (at slot d), its BAR where the bus
 * placed it: features as offered, every queue of size QSIZE at QAREA. */
static void setup_device(struct dm_bus *bus, unsigned d, uint32_t features_lo, uint32_t features_hi)
{
    uint64_t bar = PREF + d * BAR_SIZE;
    dm_bus_mmio_write(bus, bar + 0x14, 1, 0);
    dm_bus_mmio_write(bus, bar + 0x14, 1, 3);
    dm_bus_mmio_write(bus, bar + 0x08, 4, 0);
    dm_bus_mmio_write(bus, bar + 0x0c, 4, features_lo);
    dm_bus_mmio_write(bus, bar + 0x08, 4, 1);
    dm_bus_mmio_write(bus, bar + 0x0c, 4, features_hi);
    dm_bus_mmio_write(bus, bar + 0x14, 1, 0xb);
    for (unsigned q = 0; q < 2; q++) {
        dm_bus_mmio_write(bus, bar + 0x16, 2, q);
        dm_bus_mmio_write(bus, bar + 0x18, 2, QSIZE);
        dm_bus_mmio_write(bus, bar + 0x20, 8, QAREA(d, q));
        dm_bus_mmio_write(bus, bar + 0x28, 8, QAREA(d, q) + 0x100);
        dm_bus_mmio_write(bus, bar + 0x30, 8, QAREA(d, q) + 0x200);
        dm_bus_mmio_write(bus, bar + 0x1c, 2, 1);
    }
    dm_bus_mmio_write(bus, bar + 0x14, 1, 0xf);
}

/* A base for an access: ECAM, a device's BAR, a window's edges, or the raw
 * 64-bit address that follows. */
static uint64_t address(struct in *in)
{
    unsigned sel = (unsigned)take(in, 1) % 8;
    uint64_t off = take(in, 2);
    switch (sel) {
    case 0:
        return ECAM + (off << 4);
    case 1:
    case 2:
    case 3:
    case 4:
        return PREF + (sel - 1) * BAR_SIZE + off % (2 * BAR_SIZE);
    case 5:
        return MEMW + off;
    case 6:
        return PREF + 0x2000000 - 0x100 + (off & 0x1ff);
    default:
        return take(in, 8);
    }
}

static unsigned width(struct in *in)
{
    unsigned w = (unsigned)take(in, 1);
    return w < 0xf0 ? 1u << (w % 4) : w & 0xf; /* now and then a size that is not one */
}

static void run_script(const uint8_t *data, size_t size)
{
    open_stores();
    memset(ram, 0, RAM_SIZE);
    memset(line, 0, sizeof(line));
    check(pwrite(disk_rw, pattern, DISK, 0) == DISK && pwrite(disk_ro_w, pattern, DISK, 0) == DISK, "reset disks");
    check(lseek(zero, 0, SEEK_SET) >= 0, "rewind");

    struct dm_bridge_layout layout = { .ecam = ECAM,
                                       .ecam_size = 1 << 20,
                                       .mem = MEMW,
                                       .mem_size = 32 << 20,
                                       .pref = PREF,
                                       .pref_size = 32 << 20,
                                       .irq_start = IRQ_START,
                                       .irq_count = 4 };
    struct dm_bus_env env = {
        .mem_read = mem_read, .mem_write = mem_write, .set_irq = set_irq, .log = log_line, .console_out = console_out
    };
    struct dm_bus *bus = dm_bus_create(&layout, &env);
    check(bus != NULL, "dm_bus_create");
    struct dm_device_conf conf[4] = {
        { .kind = DM_VIRTIO_BLK, .slot = 0, .fd = disk_rw, .serial = "fuzz" },
        { .kind = DM_VIRTIO_RNG, .slot = 1, .fd = zero },
        { .kind = DM_VIRTIO_CONSOLE, .slot = 2, .fd = -1 },
        { .kind = DM_VIRTIO_BLK, .slot = 3, .fd = disk_ro, .read_only = true },
    };
    for (unsigned i = 0; i < 4; i++)
        check(dm_bus_add_device(bus, &conf[i]) == 0, "dm_bus_add_device");

    struct in in = { data, size };
    for (unsigned steps = 0; in.n && steps < 512; steps++) {
        switch ((enum op)(take(&in, 1) % OP_COUNT)) {
        case OP_READ: {
            uint64_t a = address(&in);
            unsigned w = width(&in);
            uint64_t v = dm_bus_mmio_read(bus, a, w);
            check(!(w == 1 || w == 2 || w == 4) || v >> (8 * w) == 0, "read wider than its size");
            break;
        }
        case OP_WRITE: {
            uint64_t a = address(&in);
            unsigned w = width(&in);
            dm_bus_mmio_write(bus, a, w, take(&in, 8));
            break;
        }
        case OP_CFG_READ: {
            uint32_t sbdf = (uint32_t)take(&in, 1);
            unsigned reg = (unsigned)take(&in, 2) & 0x1fff;
            dm_bus_cfg_read(bus, sbdf, reg, width(&in));
            break;
        }
        case OP_CFG_WRITE: {
            uint32_t sbdf = (uint32_t)take(&in, 1);
            unsigned reg = (unsigned)take(&in, 2) & 0x1fff;
            unsigned w = width(&in);
            dm_bus_cfg_write(bus, sbdf, reg, w, take(&in, 8));
            break;
        }
        case OP_RAM: {
            unsigned off = (unsigned)take(&in, 2) % RAM_SIZE, len = (unsigned)take(&in, 1);
            for (unsigned i = 0; i < len && in.n; i++)
                ram[(off + i) % RAM_SIZE] = (uint8_t)take(&in, 1);
            break;
        }
        case OP_RUN:
            for (unsigned i = 0; i < 8 && dm_bus_run(bus); i++)
                ;
            break;
        case OP_INPUT: {
            uint8_t buf[64];
            unsigned len = (unsigned)take(&in, 1) % sizeof(buf);
            for (unsigned i = 0; i < len; i++)
                buf[i] = (uint8_t)take(&in, 1);
            check(dm_bus_console_input(bus, buf, len) <= len, "console input took more than given");
            break;
        }
        case OP_SETUP: {
            unsigned d = (unsigned)take(&in, 1) % 4;
            uint32_t lo = (uint32_t)take(&in, 4), hi = (uint32_t)take(&in, 1);
            setup_device(bus, d, lo, hi);
            break;
        }
        case OP_KICK: {
            unsigned d = (unsigned)take(&in, 1) % 4, q = (unsigned)take(&in, 1) % 2;
            dm_bus_mmio_write(bus, PREF + d * BAR_SIZE + 0x3000 + 4 * q, 2, q);
            for (unsigned i = 0; i < 8 && dm_bus_run(bus); i++)
                ;
            break;
        }
        default:
            break;
        }
    }
    dm_bus_destroy(bus);
    uint8_t now[DISK];
    check(pread(disk_ro_w, now, DISK, 0) == DISK && !memcmp(now, pattern, DISK),
          "the read-only disk's backing store changed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_script(data, size);
    return 0;
}

/* --- seeds: a script is bytes; these helpers write them --- */

struct script {
    uint8_t b[4096];
    size_t n;
};

static void put(struct script *s, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes && s->n < sizeof(s->b); i++)
        s->b[s->n++] = (uint8_t)(v >> (8 * i));
}

static void ram_write(struct script *s, uint64_t gpa, const void *p, unsigned len)
{
    put(s, OP_RAM, 1);
    put(s, gpa - RAM_BASE, 2);
    put(s, len, 1);
    for (unsigned i = 0; i < len; i++)
        put(s, ((const uint8_t *)p)[i], 1);
}

static void desc(struct script *s, unsigned d, unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                 uint16_t next)
{
    uint8_t e[16];
    memcpy(e, &addr, 8);
    memcpy(e + 8, &len, 4);
    memcpy(e + 12, &flags, 2);
    memcpy(e + 14, &next, 2);
    ram_write(s, QAREA(d, q) + 16 * i, e, 16);
}

/* avail ring: entry 0 = head, idx = 1 */
static void post(struct script *s, unsigned d, unsigned q, uint16_t head)
{
    uint8_t a[6] = { 0, 0, 1, 0, (uint8_t)head, (uint8_t)(head >> 8) };
    ram_write(s, QAREA(d, q) + 0x100, a, 6);
}

static void setup(struct script *s, unsigned d)
{
    put(s, OP_SETUP, 1);
    put(s, d, 1);
    put(s, 3u << 28, 4); /* INDIRECT_DESC, EVENT_IDX */
    put(s, 1, 1); /* VERSION_1 */
}

static void kick(struct script *s, unsigned d, unsigned q)
{
    put(s, OP_KICK, 1);
    put(s, d, 1);
    put(s, q, 1);
}

static void save(const char *dir, const char *name, const struct script *s)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    check(f && fwrite(s->b, 1, s->n, f) == s->n && fclose(f) == 0, "writing a seed");
}

static void write_seeds(const char *dir)
{
    const uint64_t data = RAM_BASE + 0x8000;
    struct script s = { .n = 0 };
    /* a disk read, a write and a flush: header, data, status */
    for (uint32_t type = 0; type < 5; type += 4) {
        s.n = 0;
        setup(&s, 0);
        uint8_t hdr[16] = { (uint8_t)type, 0, 0, 0, 0, 0, 0, 0, 3 };
        ram_write(&s, data, hdr, 16);
        desc(&s, 0, 0, 0, data, 16, 1, 1);
        desc(&s, 0, 0, 1, data + 0x200, 512, 1 | 2, 2);
        desc(&s, 0, 0, 2, data + 0x100, 1, 2, 0);
        post(&s, 0, 0, 0);
        kick(&s, 0, 0);
        save(dir, type ? "blk-flush" : "blk-read", &s);
    }
    s.n = 0;
    setup(&s, 3);
    uint8_t out[16] = { 1 };
    ram_write(&s, data, out, 16);
    desc(&s, 3, 0, 0, data, 16, 1, 1);
    desc(&s, 3, 0, 1, data + 0x200, 512, 1, 2);
    desc(&s, 3, 0, 2, data + 0x100, 1, 2, 0);
    post(&s, 3, 0, 0);
    kick(&s, 3, 0);
    save(dir, "blk-ro-write", &s);
    /* an indirect disk read */
    s.n = 0;
    setup(&s, 0);
    uint8_t in_hdr[16] = { 0 };
    ram_write(&s, data, in_hdr, 16);
    uint8_t table[48] = { 0 };
    uint64_t a[3] = { data, data + 0x200, data + 0x100 };
    uint32_t l[3] = { 16, 512, 1 };
    for (unsigned i = 0; i < 3; i++) {
        memcpy(table + 16 * i, &a[i], 8);
        memcpy(table + 16 * i + 8, &l[i], 4);
        table[16 * i + 12] = (uint8_t)((i < 2 ? 1 : 0) | (i ? 2 : 0));
        table[16 * i + 14] = (uint8_t)(i + 1);
    }
    ram_write(&s, data + 0x400, table, 48);
    desc(&s, 0, 0, 0, data + 0x400, 48, 4, 0);
    post(&s, 0, 0, 0);
    kick(&s, 0, 0);
    save(dir, "blk-indirect", &s);
    /* rng: one writable buffer */
    s.n = 0;
    setup(&s, 1);
    desc(&s, 1, 0, 0, data, 64, 2, 0);
    post(&s, 1, 0, 0);
    kick(&s, 1, 0);
    save(dir, "rng", &s);
    /* console: output, a receive buffer and input */
    s.n = 0;
    setup(&s, 2);
    ram_write(&s, data, "hello\n", 6);
    desc(&s, 2, 1, 0, data, 6, 0, 0);
    post(&s, 2, 1, 0);
    kick(&s, 2, 1);
    desc(&s, 2, 0, 0, data + 0x100, 32, 2, 0);
    post(&s, 2, 0, 0);
    put(&s, OP_INPUT, 1);
    put(&s, 3, 1);
    put(&s, 'a', 1), put(&s, 'b', 1), put(&s, '\r', 1);
    put(&s, OP_READ, 1); /* the ISR */
    put(&s, 3, 1);
    put(&s, 0x1000, 2);
    put(&s, 0, 1);
    save(dir, "console", &s);
    /* configuration space: probe slot 0's header and size its BAR */
    s.n = 0;
    for (unsigned reg = 0; reg < 0x40; reg += 4) {
        put(&s, OP_CFG_READ, 1);
        put(&s, 0, 1);
        put(&s, reg, 2);
        put(&s, 2, 1);
    }
    put(&s, OP_CFG_WRITE, 1);
    put(&s, 0, 1);
    put(&s, 0x10, 2);
    put(&s, 2, 1);
    put(&s, 0xffffffff, 8);
    save(dir, "config", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (int i = 1; i < *argc; i++)
        if (!strncmp((*argv)[i], "-seeds=", 7)) {
            write_seeds((*argv)[i] + 7);
            exit(0);
        }
    return 0;
}
