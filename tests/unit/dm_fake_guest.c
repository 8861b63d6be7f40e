/* A fake client guest and a Linux-like virtio driver (dm_fake_guest.h). */
#include "dm_fake_guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ECAM 0x33000000ull

static void die(const char *what)
{
    fprintf(stderr, "fake guest: %s\n", what);
    abort();
}

static bool in_ram(uint64_t gpa, size_t len)
{
    return gpa >= FG_RAM_BASE && gpa - FG_RAM_BASE <= FG_RAM_SIZE && len <= FG_RAM_SIZE - (gpa - FG_RAM_BASE);
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct fake_guest *fg = ctx;
    if (!len)
        return 0;
    if (!in_ram(gpa, len))
        return -1;
    memcpy(buf, fg->ram + (gpa - FG_RAM_BASE), len);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
    struct fake_guest *fg = ctx;
    if (!len)
        return 0;
    if (!in_ram(gpa, len))
        return -1;
    memcpy(fg->ram + (gpa - FG_RAM_BASE), buf, len);
    return 0;
}

static void set_irq(void *ctx, uint32_t spi, int level)
{
    struct fake_guest *fg = ctx;
    if (spi >= FG_SPIS)
        die("set_irq: INTID out of range");
    if (fg->irq[spi] == level)
        die("set_irq: called without a change of level");
    fg->irq[spi] = level;
    fg->irq_calls++;
}

static void log_line(void *ctx, const char *line)
{
    struct fake_guest *fg = ctx;
    if (strchr(line, '\n'))
        die("log: a line with a newline");
    if (fg->nlog < FG_MAX_LOG)
        snprintf(fg->logs[fg->nlog], sizeof(fg->logs[0]), "%s", line);
    fg->nlog++;
}

static void console_out(void *ctx, const void *buf, size_t len)
{
    struct fake_guest *fg = ctx;
    size_t room = sizeof(fg->console) - fg->console_len;
    size_t n = len < room ? len : room;
    memcpy(fg->console + fg->console_len, buf, n);
    fg->console_len += n;
}

struct dm_bridge_layout fg_default_layout(void)
{
    return (struct dm_bridge_layout){ .ecam = ECAM,
                                      .ecam_size = 1 << 20,
                                      .mem = 0x33800000,
                                      .mem_size = 32 << 20,
                                      .pref = 0x35800000,
                                      .pref_size = 32 << 20,
                                      .irq_start = 44,
                                      .irq_count = 4 };
}

struct fake_guest *fg_new(const struct dm_bridge_layout *layout)
{
    struct fake_guest *fg = calloc(1, sizeof(*fg));
    if (!fg || !(fg->ram = calloc(1, FG_RAM_SIZE)))
        die("out of memory");
    fg->next_alloc = FG_RAM_BASE + 0x1000;
    fg->layout = layout ? *layout : fg_default_layout();
    fg->env = (struct dm_bus_env){ .ctx = fg,
                                   .mem_read = mem_read,
                                   .mem_write = mem_write,
                                   .set_irq = set_irq,
                                   .log = log_line,
                                   .console_out = console_out };
    fg->bus = dm_bus_create(&fg->layout, &fg->env);
    if (!fg->bus)
        die("dm_bus_create failed");
    return fg;
}

void fg_free(struct fake_guest *fg)
{
    if (!fg)
        return;
    dm_bus_destroy(fg->bus);
    for (unsigned i = 0; i < fg->nfds; i++)
        close(fg->fds[i]);
    free(fg->ram);
    free(fg);
}

uint64_t fg_alloc(struct fake_guest *fg, size_t size, size_t align)
{
    uint64_t at = (fg->next_alloc + align - 1) & ~(uint64_t)(align - 1);
    if (!in_ram(at, size))
        die("fg_alloc: RAM full");
    fg->next_alloc = at + size;
    memset(fg->ram + (at - FG_RAM_BASE), 0, size);
    return at;
}

void *fg_ptr(struct fake_guest *fg, uint64_t gpa)
{
    if (!in_ram(gpa, 1))
        die("fg_ptr: not RAM");
    return fg->ram + (gpa - FG_RAM_BASE);
}

bool fg_logged(const struct fake_guest *fg, const char *s)
{
    for (unsigned i = 0; i < fg->nlog && i < FG_MAX_LOG; i++)
        if (strstr(fg->logs[i], s))
            return true;
    return false;
}

uint64_t fg_cfg_read(struct fake_guest *fg, unsigned slot, unsigned reg, unsigned size)
{
    return dm_bus_mmio_read(fg->bus, fg->layout.ecam + (slot << 15) + reg, size);
}

void fg_cfg_write(struct fake_guest *fg, unsigned slot, unsigned reg, unsigned size, uint64_t v)
{
    dm_bus_mmio_write(fg->bus, fg->layout.ecam + (slot << 15) + reg, size, v);
}

int fg_add(struct fake_guest *fg, enum dm_device_kind kind, unsigned slot, int fd, bool read_only)
{
    struct dm_device_conf c = { .kind = kind, .slot = slot, .fd = fd, .read_only = read_only };
    snprintf(c.serial, sizeof(c.serial), "disk-%u", slot);
    return dm_bus_add_device(fg->bus, &c);
}

int fg_backing(struct fake_guest *fg, size_t size)
{
    char path[] = "/tmp/dm-backing-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        die("mkstemp");
    unlink(path);
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        die("out of memory");
    for (size_t i = 0; i < size; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    if (write(fd, b, size) != (ssize_t)size)
        die("write");
    free(b);
    if (fg->nfds == sizeof(fg->fds) / sizeof(fg->fds[0]))
        die("too many backing stores");
    fg->fds[fg->nfds++] = fd;
    return fd;
}

void fg_run(struct fake_guest *fg)
{
    for (unsigned i = 0; i < 1000 && dm_bus_run(fg->bus); i++)
        ;
}

/* --- the driver --- */

void vd_probe(struct vdrv *vd, struct fake_guest *fg, unsigned slot)
{
    memset(vd, 0, sizeof(*vd));
    vd->fg = fg;
    vd->slot = slot;
    uint64_t lo = fg_cfg_read(fg, slot, 0x10, 4), hi = 0;
    if (lo & 4)
        hi = fg_cfg_read(fg, slot, 0x14, 4);
    vd->bar = (lo & ~0xfull) | hi << 32;
    /* as virtio_pci_modern's virtio_pci_find_capability */
    unsigned pos = (unsigned)fg_cfg_read(fg, slot, 0x34, 1);
    for (unsigned n = 0; pos && n < 48; n++) {
        unsigned id = (unsigned)fg_cfg_read(fg, slot, pos, 1), next = (unsigned)fg_cfg_read(fg, slot, pos + 1, 1);
        if (id == 9) {
            unsigned type = (unsigned)fg_cfg_read(fg, slot, pos + 3, 1);
            uint32_t off = (uint32_t)fg_cfg_read(fg, slot, pos + 8, 4);
            uint32_t len = (uint32_t)fg_cfg_read(fg, slot, pos + 12, 4);
            vd->ncaps++;
            switch (type) {
            case 1:
                vd->common = off, vd->common_len = len;
                break;
            case 2:
                vd->notify = off, vd->notify_len = len;
                vd->notify_mult = (uint32_t)fg_cfg_read(fg, slot, pos + 16, 4);
                break;
            case 3:
                vd->isr = off, vd->isr_len = len;
                break;
            case 4:
                vd->device = off, vd->device_len = len;
                break;
            }
        }
        pos = next;
    }
    /* bus master, as pci_set_master */
    uint64_t cmd = fg_cfg_read(fg, slot, 4, 2);
    fg_cfg_write(fg, slot, 4, 2, cmd | 4);
}

uint64_t vd_read(struct vdrv *vd, uint64_t off, unsigned size)
{
    return dm_bus_mmio_read(vd->fg->bus, vd->bar + off, size);
}

void vd_write(struct vdrv *vd, uint64_t off, unsigned size, uint64_t v)
{
    dm_bus_mmio_write(vd->fg->bus, vd->bar + off, size, v);
}

uint64_t vd_device_features(struct vdrv *vd)
{
    vd_write(vd, vd->common + 0x00, 4, 0);
    uint64_t f = vd_read(vd, vd->common + 0x04, 4);
    vd_write(vd, vd->common + 0x00, 4, 1);
    return f | vd_read(vd, vd->common + 0x04, 4) << 32;
}

uint8_t vd_status(struct vdrv *vd) { return (uint8_t)vd_read(vd, vd->common + 0x14, 1); }
uint8_t vd_isr(struct vdrv *vd) { return (uint8_t)vd_read(vd, vd->isr, 1); }

bool vd_negotiate(struct vdrv *vd, uint64_t features)
{
    vd_write(vd, vd->common + 0x14, 1, 0);
    vd_write(vd, vd->common + 0x14, 1, 1);
    vd_write(vd, vd->common + 0x14, 1, 3);
    vd_write(vd, vd->common + 0x08, 4, 0);
    vd_write(vd, vd->common + 0x0c, 4, (uint32_t)features);
    vd_write(vd, vd->common + 0x08, 4, 1);
    vd_write(vd, vd->common + 0x0c, 4, features >> 32);
    vd_write(vd, vd->common + 0x14, 1, 0xb);
    vd->features = features;
    return vd_status(vd) & 8;
}

void vd_setup_queue(struct vdrv *vd, unsigned q, uint16_t size)
{
    struct vd_queue *v = &vd->vq[q];
    memset(v, 0, sizeof(*v));
    vd_write(vd, vd->common + 0x16, 2, q);
    vd_write(vd, vd->common + 0x18, 2, size);
    v->size = (uint16_t)vd_read(vd, vd->common + 0x18, 2);
    v->desc = fg_alloc(vd->fg, 16u * v->size, 16);
    v->avail = fg_alloc(vd->fg, 6 + 2u * v->size, 2);
    v->used = fg_alloc(vd->fg, 6 + 8u * v->size, 4);
    /* 64-bit registers as two halves, as vp_iowrite64_twopart */
    vd_write(vd, vd->common + 0x20, 4, (uint32_t)v->desc);
    vd_write(vd, vd->common + 0x24, 4, v->desc >> 32);
    vd_write(vd, vd->common + 0x28, 4, (uint32_t)v->avail);
    vd_write(vd, vd->common + 0x2c, 4, v->avail >> 32);
    vd_write(vd, vd->common + 0x30, 4, (uint32_t)v->used);
    vd_write(vd, vd->common + 0x34, 4, v->used >> 32);
    vd_write(vd, vd->common + 0x1c, 2, 1);
}

void vd_driver_ok(struct vdrv *vd) { vd_write(vd, vd->common + 0x14, 1, 0xf); }

void vd_init(struct vdrv *vd, struct fake_guest *fg, unsigned slot, uint64_t features, uint16_t qsize)
{
    vd_probe(vd, fg, slot);
    if (!vd_negotiate(vd, features))
        die("vd_init: FEATURES_OK refused");
    unsigned nq = (unsigned)vd_read(vd, vd->common + 0x12, 2);
    for (unsigned q = 0; q < nq && q < 2; q++)
        vd_setup_queue(vd, q, qsize);
    vd_driver_ok(vd);
}

static void put16(struct vdrv *vd, uint64_t gpa, uint16_t v)
{
    uint8_t *p = fg_ptr(vd->fg, gpa);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(struct vdrv *vd, uint64_t gpa)
{
    const uint8_t *p = fg_ptr(vd->fg, gpa);
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(struct vdrv *vd, uint64_t gpa) { return get16(vd, gpa) | (uint32_t)get16(vd, gpa + 2) << 16; }

static void write_desc(struct vdrv *vd, uint64_t at, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *p = fg_ptr(vd->fg, at);
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(addr >> (8 * i));
    for (unsigned i = 0; i < 4; i++)
        p[8 + i] = (uint8_t)(len >> (8 * i));
    p[12] = (uint8_t)flags, p[13] = (uint8_t)(flags >> 8);
    p[14] = (uint8_t)next, p[15] = (uint8_t)(next >> 8);
}

void vd_set_desc(struct vdrv *vd, unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    write_desc(vd, vd->vq[q].desc + 16ull * i, addr, len, flags, next);
}

void vd_set_avail_idx(struct vdrv *vd, unsigned q, uint16_t idx)
{
    vd->vq[q].avail_idx = idx;
    put16(vd, vd->vq[q].avail + 2, idx);
}

void vd_post(struct vdrv *vd, unsigned q, uint16_t head)
{
    struct vd_queue *v = &vd->vq[q];
    put16(vd, v->avail + 4 + 2ull * (v->avail_idx % v->size), head);
    vd_set_avail_idx(vd, q, (uint16_t)(v->avail_idx + 1));
}

void vd_kick(struct vdrv *vd, unsigned q) { vd_write(vd, vd->notify + vd->notify_mult * q, 2, q); }

uint16_t vd_used_idx(struct vdrv *vd, unsigned q) { return get16(vd, vd->vq[q].used + 2); }

void vd_used_elem(struct vdrv *vd, unsigned q, uint16_t k, uint32_t *id, uint32_t *len)
{
    uint64_t at = vd->vq[q].used + 4 + 8ull * (k % vd->vq[q].size);
    *id = get32(vd, at);
    *len = get32(vd, at + 4);
}

void vd_set_used_event(struct vdrv *vd, unsigned q, uint16_t v)
{
    put16(vd, vd->vq[q].avail + 4 + 2ull * vd->vq[q].size, v);
}

uint16_t vd_avail_event(struct vdrv *vd, unsigned q) { return get16(vd, vd->vq[q].used + 4 + 8ull * vd->vq[q].size); }

void vd_set_avail_flags(struct vdrv *vd, unsigned q, uint16_t flags) { put16(vd, vd->vq[q].avail, flags); }

uint16_t vd_submit(struct vdrv *vd, unsigned q, const struct vbuf *b, unsigned n)
{
    struct vd_queue *v = &vd->vq[q];
    uint16_t head = v->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t at = (uint16_t)((head + i) % v->size), next = (uint16_t)((head + i + 1) % v->size);
        vd_set_desc(vd, q, at, b[i].addr, b[i].len, (uint16_t)((i + 1 < n ? 1 : 0) | (b[i].write ? 2 : 0)), next);
    }
    v->next_desc = (uint16_t)((head + n) % v->size);
    vd_post(vd, q, head);
    vd_kick(vd, q);
    return head;
}

uint16_t vd_submit_indirect(struct vdrv *vd, unsigned q, const struct vbuf *b, unsigned n)
{
    struct vd_queue *v = &vd->vq[q];
    uint64_t table = fg_alloc(vd->fg, 16u * n, 16);
    for (unsigned i = 0; i < n; i++)
        write_desc(vd, table + 16ull * i, b[i].addr, b[i].len, (uint16_t)((i + 1 < n ? 1 : 0) | (b[i].write ? 2 : 0)),
                   (uint16_t)(i + 1));
    uint16_t head = v->next_desc;
    vd_set_desc(vd, q, head, table, 16u * n, 4, 0);
    v->next_desc = (uint16_t)((head + 1) % v->size);
    vd_post(vd, q, head);
    vd_kick(vd, q);
    return head;
}

bool vd_take_used(struct vdrv *vd, unsigned q, uint32_t *id, uint32_t *len)
{
    struct vd_queue *v = &vd->vq[q];
    if (vd_used_idx(vd, q) == v->used_seen)
        return false;
    vd_used_elem(vd, q, v->used_seen, id, len);
    v->used_seen++;
    return true;
}
