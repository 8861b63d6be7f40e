/* The virtio devices a device model serves on a guest's secondary PCI
 * bridge (children of the guest's /chosen node, ours): what the builder
 * reads from the host tree and writes into the device model's tree.
 * Portable definitions only: the builder, the guest device tree and the
 * host tools share them. */
#ifndef XAM_VIRTIO_DEV_H
#define XAM_VIRTIO_DEV_H

#include <xam/types.h>

/* One device per slot of bus 0 (the bridge's ECAM always has bus 0). */
#define VIRTIO_MAX_DEVS 32
/* virtio-blk's serial field (VIRTIO_BLK_ID_BYTES) holds 20 bytes. */
#define VIRTIO_SERIAL_MAX 20
/* The prefix of every compatible of ours: an unknown one under it is a
 * typo, refused rather than ignored. */
#define VIRTIO_COMPAT_PREFIX "xen-arm-minimal,virtio-"

enum virtio_kind {
    VIRTIO_BLK,
    VIRTIO_RNG,
    VIRTIO_CONSOLE,
};

struct virtio_dev {
    int node; /* its host tree node */
    uint8_t kind; /* enum virtio_kind */
    uint8_t slot; /* PCI slot (device number) on bus 0 */
    bool read_only; /* blk: the guest may not write */
    /* blk backed by a boot module: its host range (disk_size 0: none,
     * backend_path names the backing file instead) */
    paddr_t disk_pa;
    uint64_t disk_size;
    const char *backend_path; /* blk: a file or block device of the device model's domain, or NULL */
    const char *serial; /* blk: its serial (at most 20 bytes), or NULL */
};

static inline const char *virtio_compatible(unsigned kind)
{
    return kind == VIRTIO_BLK ? VIRTIO_COMPAT_PREFIX "blk"
        : kind == VIRTIO_RNG  ? VIRTIO_COMPAT_PREFIX "rng"
                              : VIRTIO_COMPAT_PREFIX "console";
}

#endif
