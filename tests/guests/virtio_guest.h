/* What the virtio-pci test guests (hostile_virtio, virtio_grants) share:
 * exact-width MMIO accesses, number printing, the counter, their tree's
 * ECAM and RAM, the virtio-blk function on bus 0 and its structures, and
 * queue 0 at Q_DESC/Q_AVAIL/Q_USED in their RAM. */
#ifndef GUEST_VIRTIO_GUEST_H
#define GUEST_VIRTIO_GUEST_H

#include <stdint.h>

/* the device model's readiness ([0]) and wait ([1]) registers */
#define READY 0x37ff0000UL

/* common configuration (virtio 1.2, 4.1.4.3) */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_QSELECT 0x16
#define C_QSIZE 0x18
#define C_QENABLE 0x1c
#define C_QNOFF 0x1e
#define C_QDESC 0x20
#define C_QAVAIL 0x28
#define C_QUSED 0x30

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define D_NEXT 1
#define D_WRITE 2

#define QSIZE 16
/* the rings, one page each, in my RAM well past the image and stack */
#define Q 0x40400000ULL
#define Q_DESC Q
#define Q_AVAIL (Q + 0x1000)
#define Q_USED (Q + 0x2000)

/* One access of exactly this width (a single load or store, so that a
 * misaligned one reaches the hypervisor as it is). */
uint64_t rd(uint64_t a, unsigned size);
void wr(uint64_t a, unsigned size, uint64_t v);

void put_dec(uint64_t v);
/* 0x and the hex digits, no leading zeros */
void put_x(uint64_t v);

/* The virtual counter, and the time since a reading of it. */
uint64_t vcount(void);
uint64_t us_since(uint64_t t0);
uint64_t ms_since(uint64_t t0);

/* Turn the MMU on with the translation table l1 (4 KiB granule, 39-bit
 * VAs) and these memory attributes; misaligned_ok: alignment checks off. */
void mmu_enable(const uint64_t *l1, uint64_t mair, int misaligned_ok);

/* SCHEDOP_shutdown(poweroff), then PSCI SYSTEM_OFF. */
void power_off(void) __attribute__((noreturn));

/* My tree's pcie@ node's ECAM and the end of my memory node's RAM. */
extern uint64_t ecam, ram_end;
/* Finds both (ram_end stays 0 without a memory node): whether there is an
 * ECAM. */
int find_ecam(const void *fdt);

/* The virtio-blk function's BAR 0 and the structures its capabilities
 * name there (guest physical addresses; 0: not named). */
extern uint64_t bar, common, notify, isr, devcfg;
extern uint32_t notify_mult;
uint64_t cfg(unsigned dev, unsigned reg);
/* The first function with these IDs on bus 0: its slot, or -1. */
int find_function(uint32_t id);
/* Its BAR 0 (placed by the bus; 64-bit if it says so), decoding and bus
 * mastering on, and the virtio structures its capabilities name: whether
 * the common, notify and device ones are there. */
int map_function(unsigned s);
/* Checks that my device model connected and that the virtio-blk function
 * is on bus 0: its slot, mapped, or -1. */
int virtio_blk_open(void);

uint8_t status(void);
void reset(void);
void zero(uint64_t a, unsigned len);
/* Descriptor i of queue 0. */
void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
uint16_t used_idx(void);
/* Make head available (the avail index moved by step) and notify. */
void post_step(uint16_t head, uint16_t step);
void post(uint16_t head);
/* Reset, negotiate these features (words 0 and 1), set up queue 0 with
 * QSIZE entries at desc/avail/used, DRIVER_OK: whether queue 0 is
 * enabled. */
int setup_queue(uint32_t features_lo, uint32_t features_hi, uint64_t d, uint64_t a, uint64_t u);

/* Where the avail ring's next entry goes. */
extern uint16_t aidx;

#endif
