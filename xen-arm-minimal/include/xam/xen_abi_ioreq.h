/* Xen's ioreq page (public/hvm/ioreq.h): one 32-byte request slot per
 * guest vCPU, shared between the hypervisor and the device model. */
#ifndef XAM_XEN_ABI_IOREQ_H
#define XAM_XEN_ABI_IOREQ_H

#include <xam/types.h>

#define IOREQ_READ 1
#define IOREQ_WRITE 0
#define STATE_IOREQ_NONE 0
#define STATE_IOREQ_READY 1
#define STATE_IOREQ_INPROCESS 2
#define STATE_IORESP_READY 3
#define IOREQ_TYPE_COPY 1 /* MMIO */
#define IOREQ_TYPE_PCI_CONFIG 2

/* Xen's bit-fields (state:4, data_is_ptr:1, dir:1, df:1) are one byte,
 * `flags` here, written whole: the state is what the device model polls,
 * so it is published last, with release order. */
struct ioreq {
    uint64_t addr; /* guest physical, or for PCI_CONFIG: SBDF << 32 | register */
    uint64_t data;
    uint32_t count;
    uint32_t size;
    uint32_t vp_eport; /* event channel of the guest vCPU this slot is for */
    uint16_t pad0;
    uint8_t flags;
    uint8_t type;
};
_Static_assert(sizeof(struct ioreq) == 32, "ioreq");
_Static_assert(__builtin_offsetof(struct ioreq, vp_eport) == 24, "ioreq.vp_eport");
_Static_assert(__builtin_offsetof(struct ioreq, flags) == 30, "ioreq state byte");
#define IOREQ_STATE(flags) ((flags)&0xf)
#define IOREQ_FLAGS(state, dir) ((uint8_t)((state) | (dir) << 5))

#endif
