/* The device types the bus can add, each behind the virtio PCI transport
 * (virtio_pci.h). A constructor returns NULL with the reason logged
 * through env. */
#ifndef XAM_DM_VIRTIO_DEVICES_H
#define XAM_DM_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "bus/dm_bus.h"
#include "virtio/virtio_pci.h"

/* bar64: the bridge has a prefetchable window, so the BAR is a 64-bit
 * prefetchable one (else 32-bit, for the MEM window) */
struct virtio_dev *virtio_blk_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64);
struct virtio_dev *virtio_rng_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64);
struct virtio_dev *virtio_console_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64);

/* Console input into the guest's posted receive buffers: the bytes taken. */
size_t virtio_console_input(struct virtio_dev *d, const void *buf, size_t len);

#endif
