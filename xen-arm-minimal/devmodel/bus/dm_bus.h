/* The device model's emulated PCI bus for one client guest: the contract
 * between the Xen side of xam-devmodel (ioreqs, foreign memory, event
 * channels: devmodel/xen/) and the devices it serves (PCI function
 * emulation, the virtio 1.x modern PCI transport, virtio-blk/-rng/-console:
 * devmodel/pci/, devmodel/virtio/).
 *
 * Nothing behind this header knows about Xen: the host unit tests and the
 * fuzzers drive a bus through it with a fake guest memory, exactly as the
 * Xen side does with the client's real one. Every value that reaches the
 * bus came from a hostile guest: addresses, sizes, descriptor chains.
 *
 * Threading: one thread drives a bus (the Xen side's event loop); nothing
 * here takes locks. */
#ifndef XAM_DM_BUS_H
#define XAM_DM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The client's bridge, as the builder describes it in the device model's
 * device tree (docs/bindings.md, "What the device model's device tree
 * says"): guest-physical addresses. */
struct dm_bridge_layout {
    uint64_t ecam, ecam_size; /* 1 MiB per bus; the bus serves bus 0 */
    uint64_t mem, mem_size; /* 32-bit non-prefetchable window */
    uint64_t pref, pref_size; /* 64-bit prefetchable window (size 0: none) */
    uint32_t irq_start, irq_count; /* INTx SPIs: slot s pin p (1..4) -> irq_start + (s + p - 1) % irq_count */
    uint32_t flags;
};

/* What the bus needs from its surroundings; ctx is passed back. */
struct dm_bus_env {
    void *ctx;
    /* Copy len bytes of the client's guest-physical memory from/to buf.
     * 0, or -1 if any byte of [gpa, gpa + len) is not the client's RAM or
     * cannot be mapped (len may be 0: then 0). Never partial on -1. */
    int (*mem_read)(void *ctx, uint64_t gpa, void *buf, size_t len);
    int (*mem_write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
    /* Drive the level of one of the bridge's INTx SPIs (an INTID in
     * [irq_start, irq_start + irq_count)). Called only on a change of the
     * line's level (the bus ORs the functions sharing a line). */
    void (*set_irq)(void *ctx, uint32_t spi, int level);
    /* One line for the device model's log, without its newline (the Xen
     * side adds the client's name). */
    void (*log)(void *ctx, const char *line);
    /* virtio-console output of the client's device (may be NULL: dropped). */
    void (*console_out)(void *ctx, const void *buf, size_t len);
};

enum dm_device_kind { DM_VIRTIO_BLK = 1, DM_VIRTIO_RNG, DM_VIRTIO_CONSOLE };

struct dm_device_conf {
    enum dm_device_kind kind;
    unsigned slot; /* PCI device number on bus 0 (0-31), function 0 */
    /* virtio-blk: the backing store, an open file or block device (the bus
     * does not close it); its size is the capacity, rounded down to 512 */
    int fd;
    bool read_only;
    char serial[21]; /* VIRTIO_BLK_ID_BYTES (20), NUL-terminated */
    /* virtio-rng: the entropy source, an open fd (getrandom() if -1) */
};

struct dm_bus;

/* NULL on a layout it cannot serve (the reason logged through env). */
struct dm_bus *dm_bus_create(const struct dm_bridge_layout *layout, const struct dm_bus_env *env);
void dm_bus_destroy(struct dm_bus *bus);
/* 0, or -1 with the reason logged (slot taken or out of range, a backing
 * store that cannot be read, no room left in the windows for its BARs). */
int dm_bus_add_device(struct dm_bus *bus, const struct dm_device_conf *conf);

/* One guest access forwarded by the hypervisor, size 1, 2, 4 or 8 bytes.
 * MMIO by guest-physical address: ECAM and the windows (the Xen side maps
 * all of them to its ioreq server); anything no function claims reads all
 * ones and ignores writes. Configuration requests by bus/device/function
 * (IOREQ_TYPE_PCI_CONFIG) go to the same config space. */
uint64_t dm_bus_mmio_read(struct dm_bus *bus, uint64_t addr, unsigned size);
void dm_bus_mmio_write(struct dm_bus *bus, uint64_t addr, unsigned size, uint64_t value);
uint64_t dm_bus_cfg_read(struct dm_bus *bus, uint32_t sbdf, unsigned reg, unsigned size);
void dm_bus_cfg_write(struct dm_bus *bus, uint32_t sbdf, unsigned reg, unsigned size, uint64_t value);

/* Work a write above made pending (a queue notify): the Xen side answers
 * the ioreq first, then calls this, so the vCPU runs on while the device
 * model processes the queue. Returns true if work remains (call again
 * before sleeping). */
bool dm_bus_run(struct dm_bus *bus);

/* Input for the client's virtio-console (bytes from the hypervisor's input
 * switch); dropped if the guest has no receive buffer posted. Returns the
 * bytes taken. */
size_t dm_bus_console_input(struct dm_bus *bus, const void *buf, size_t len);

#endif
