/* The virtio 1.x modern PCI transport (virtio 1.2 section 4.1) of one
 * device: its PCI function, one memory BAR with the four regions its
 * vendor capabilities point to, feature negotiation, device status and
 * reset, queue set-up, notifications, and INTx with the ISR. The device
 * types (virtio_blk.c, virtio_rng.c, virtio_console.c) plug in through
 * struct virtio_device_ops and see only descriptor chains.
 *
 * The BAR (16 KiB):
 *   0x0000 common configuration (struct virtio_pci_common_cfg, 0x38 bytes)
 *   0x1000 ISR status (1 byte; reading it clears it)
 *   0x2000 device-specific configuration (read-only here)
 *   0x3000 notifications: queue q at 0x3000 + 4 * q
 * Bytes of the BAR that no register holds read 0 and ignore writes. */
#ifndef XAM_DM_VIRTIO_PCI_H
#define XAM_DM_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/dm_bus.h"
#include "pci/pci_function.h"
#include "virtio/virtqueue.h"

#define VIRTIO_MAX_QUEUES 2
#define VIRTIO_BAR 0 /* and BAR 1 for its upper half when it is 64-bit */
#define VIRTIO_BAR_SIZE 0x4000
#define VIRTIO_REGION_SIZE 0x1000
#define VIRTIO_REGION_COMMON 0x0000
#define VIRTIO_REGION_ISR 0x1000
#define VIRTIO_REGION_DEVICE 0x2000
#define VIRTIO_REGION_NOTIFY 0x3000
#define VIRTIO_NOTIFY_MULTIPLIER 4
#define VIRTIO_DEVICE_CFG_MAX 64

struct virtio_dev;

struct virtio_device_ops {
    const char *name; /* "virtio-blk": the log's name for it */
    uint16_t type; /* virtio device ID: PCI device 0x1040 + type */
    uint32_t class_code; /* PCI class, subclass, programming interface */
    unsigned num_queues;
    /* the queues the driver fills and a notification makes the device
     * drain in dm_bus_run (a bit per queue); the others the device fills
     * on its own (the console's receive queue) */
    uint32_t driven_queues;
    size_t config_len; /* bytes of device configuration (0: no such capability) */
    /* Fill config_len bytes of device configuration, as the guest reads it
     * (NULL: all 0). */
    void (*read_config)(const struct virtio_dev *d, uint8_t *buf);
    /* One chain taken from driven queue q: the bytes written into its
     * writable part (its used length), or -1 after virtio_dev_fail(). */
    int64_t (*handle)(struct virtio_dev *d, unsigned q, const struct vq_chain *c);
    void (*destroy)(struct virtio_dev *d); /* frees the device */
};

struct virtio_dev {
    struct pci_function pci;
    const struct virtio_device_ops *ops;
    const struct dm_bus_env *env;
    char label[40]; /* "virtio-blk 00:02.0" */
    uint64_t device_features, driver_features;
    uint32_t dfselect, gfselect;
    uint8_t status, isr;
    bool broken; /* a malformed queue: NEEDS_RESET until the driver resets */
    uint16_t queue_select;
    struct virtqueue vq[VIRTIO_MAX_QUEUES];
    struct vq_chain chain; /* the chain being handled */
};

/* Make d (zeroed, its ops set) the function at slot: IDs, the BAR (64-bit
 * prefetchable if bar64, else 32-bit) and the capabilities. The transport's
 * features (VERSION_1, INDIRECT_DESC, EVENT_IDX) are added to
 * device_features. */
void virtio_dev_init(struct virtio_dev *d, const struct virtio_device_ops *ops, const struct dm_bus_env *env,
                     unsigned slot, uint64_t device_features, bool bar64);
void virtio_dev_destroy(struct virtio_dev *d);

/* Guest accesses to the BAR, at offset off, 1 to 8 bytes. */
uint64_t virtio_dev_bar_read(struct virtio_dev *d, uint64_t off, unsigned size);
void virtio_dev_bar_write(struct virtio_dev *d, uint64_t off, unsigned size, uint64_t value);

/* Drain the notified queues, at most a queue's worth of chains each: true
 * if work remains. */
bool virtio_dev_run(struct virtio_dev *d);

/* One log line about the device, "LABEL: text" (the bus's log). */
void virtio_dev_log(const struct virtio_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The queue is malformed: NEEDS_RESET, a configuration-change interrupt,
 * one log line; nothing more is processed until the driver resets. */
void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For a device filling a queue on its own: may it (DRIVER_OK, the queue
 * enabled, not broken)? Then take a chain (1, 0 if none, -1 broken), give
 * it back, and interrupt the driver if it wants that. */
bool virtio_dev_queue_ready(const struct virtio_dev *d, unsigned q);
int virtio_dev_pop(struct virtio_dev *d, unsigned q);
int virtio_dev_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len);
void virtio_dev_interrupt_if_wanted(struct virtio_dev *d, unsigned q);

#endif
