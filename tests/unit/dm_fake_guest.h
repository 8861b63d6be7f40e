/* The device model's bus under test (tests/unit/test_dm_*.c, and the
 * fuzzer): a client guest faked on the host. Its RAM is a malloc'ed block
 * at a guest-physical base, and mem_read/mem_write refuse anything outside
 * it, as the Xen side's foreign mappings do; set_irq, log and console_out
 * record what they are given. On top, a small virtio driver that does what
 * Linux's virtio_pci does: walk the capabilities, size and place the BAR,
 * negotiate, set up split queues and submit chains, all through the bus's
 * public API (dm_bus.h) and the guest's RAM. */
#ifndef XAM_TEST_DM_FAKE_GUEST_H
#define XAM_TEST_DM_FAKE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/dm_bus.h"

#define FG_RAM_BASE 0x40000000ull
#define FG_RAM_SIZE (8u << 20)
#define FG_MAX_LOG 32
#define FG_SPIS 1024

struct fake_guest {
    uint8_t *ram;
    uint64_t next_alloc; /* bump allocator over RAM */
    int irq[FG_SPIS]; /* each SPI's level as last driven */
    unsigned irq_calls;
    unsigned nlog;
    char logs[FG_MAX_LOG][256];
    uint8_t console[1 << 18];
    size_t console_len;
    struct dm_bridge_layout layout;
    struct dm_bus_env env;
    struct dm_bus *bus;
    int fds[8]; /* fg_backing's, closed by fg_free */
    unsigned nfds;
};

/* The default layout (docs/bindings.md): ECAM 0x33000000, MEM 0x33800000
 * (32 MiB), prefetchable 0x35800000 (32 MiB), INTIDs 44-47. */
struct dm_bridge_layout fg_default_layout(void);
/* A guest with its bus (layout NULL: the default); fails the test if the
 * bus cannot be created. */
struct fake_guest *fg_new(const struct dm_bridge_layout *layout);
void fg_free(struct fake_guest *fg);
/* size bytes of zeroed RAM, aligned: its guest-physical address */
uint64_t fg_alloc(struct fake_guest *fg, size_t size, size_t align);
void *fg_ptr(struct fake_guest *fg, uint64_t gpa);
/* Does any log line contain s? How many lines? */
bool fg_logged(const struct fake_guest *fg, const char *s);

/* Configuration space of slot's function 0 through ECAM */
uint64_t fg_cfg_read(struct fake_guest *fg, unsigned slot, unsigned reg, unsigned size);
void fg_cfg_write(struct fake_guest *fg, unsigned slot, unsigned reg, unsigned size, uint64_t v);
/* A device at slot on the bus: 0 or -1 */
int fg_add(struct fake_guest *fg, enum dm_device_kind kind, unsigned slot, int fd, bool read_only);

/* One virtio device as a driver sees it. */
struct vd_queue {
    uint16_t size;
    uint64_t desc, avail, used;
    uint16_t avail_idx; /* next avail index to publish */
    uint16_t used_seen; /* used entries consumed */
    uint16_t next_desc; /* where vd_submit puts its next chain */
};

struct vdrv {
    struct fake_guest *fg;
    unsigned slot;
    uint64_t bar; /* where BAR 0 is */
    uint32_t common, notify, isr, device; /* offsets in the BAR, from the caps */
    uint32_t common_len, notify_len, isr_len, device_len;
    uint32_t notify_mult;
    unsigned ncaps;
    uint64_t features; /* negotiated */
    struct vd_queue vq[2];
};

struct vbuf {
    uint64_t addr;
    uint32_t len;
    bool write;
};

#define VD_F(bit) (1ull << (bit))
#define VD_VERSION_1 VD_F(32)
#define VD_INDIRECT VD_F(28)
#define VD_EVENT_IDX VD_F(29)

/* Read the capabilities; keep the BAR where it is. */
void vd_probe(struct vdrv *vd, struct fake_guest *fg, unsigned slot);
/* BAR-relative accesses */
uint64_t vd_read(struct vdrv *vd, uint64_t off, unsigned size);
void vd_write(struct vdrv *vd, uint64_t off, unsigned size, uint64_t v);
uint64_t vd_device_features(struct vdrv *vd);
/* Reset, ACKNOWLEDGE, DRIVER, the features, FEATURES_OK: whether the
 * device kept FEATURES_OK. */
bool vd_negotiate(struct vdrv *vd, uint64_t features);
void vd_setup_queue(struct vdrv *vd, unsigned q, uint16_t size);
void vd_driver_ok(struct vdrv *vd);
/* All of the above, Linux's order: probe, negotiate, queues of size qsize. */
void vd_init(struct vdrv *vd, struct fake_guest *fg, unsigned slot, uint64_t features, uint16_t qsize);
uint8_t vd_status(struct vdrv *vd);
uint8_t vd_isr(struct vdrv *vd); /* reads (and so clears) the ISR */

/* Queue rings, as the driver writes and reads them */
void vd_set_desc(struct vdrv *vd, unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
void vd_post(struct vdrv *vd, unsigned q, uint16_t head); /* avail ring entry + index */
void vd_set_avail_idx(struct vdrv *vd, unsigned q, uint16_t idx);
void vd_kick(struct vdrv *vd, unsigned q);
uint16_t vd_used_idx(struct vdrv *vd, unsigned q);
void vd_used_elem(struct vdrv *vd, unsigned q, uint16_t k, uint32_t *id, uint32_t *len);
void vd_set_used_event(struct vdrv *vd, unsigned q, uint16_t v);
uint16_t vd_avail_event(struct vdrv *vd, unsigned q);
void vd_set_avail_flags(struct vdrv *vd, unsigned q, uint16_t flags);
/* A chain of buffers from the queue's next free descriptors, posted and
 * kicked (not run): its head. */
uint16_t vd_submit(struct vdrv *vd, unsigned q, const struct vbuf *b, unsigned n);
/* The same chain as one indirect descriptor (its table in fresh RAM). */
uint16_t vd_submit_indirect(struct vdrv *vd, unsigned q, const struct vbuf *b, unsigned n);
/* The next used entry not yet seen: true with its id and length. */
bool vd_take_used(struct vdrv *vd, unsigned q, uint32_t *id, uint32_t *len);
/* A backing store of size bytes (a deleted temporary file, byte i holding
 * i * 7 + 3), open read-write; closed by fg_free. */
int fg_backing(struct fake_guest *fg, size_t size);
/* Run the bus until it has nothing left. */
void fg_run(struct fake_guest *fg);

#endif
