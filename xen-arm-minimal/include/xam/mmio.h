/* Emulated MMIO: a guest access that stage 2 does not map, decoded once
 * from the syndrome into a small access record, then handed to the device
 * that owns the address. */
#ifndef XAM_MMIO_H
#define XAM_MMIO_H

#include <xam/types.h>

struct vcpu;

struct mmio_access {
    paddr_t ipa;
    unsigned size; /* bytes: 1, 2, 4, 8 */
    bool write;
    uint64_t value; /* written value, or filled in by a read handler */
};

struct mmio_region {
    paddr_t base;
    uint64_t size;
    /* Returns 0, or a negative error: the access is then treated as a fault. */
    int (*handle)(struct vcpu *v, struct mmio_access *a, void *dev);
    void *dev;
};

#endif
