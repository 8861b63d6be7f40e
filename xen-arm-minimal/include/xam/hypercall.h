/* Xen's hypercall ABI for guests (HVC #0xEA1): what unmodified Linux calls
 * when its device tree has a hypervisor node, and the device-model calls. */
#ifndef XAM_HYPERCALL_H
#define XAM_HYPERCALL_H

#include <xam/types.h>

struct vcpu;
struct domain;

/* At boot: take HVC #0xEA1. */
int hypercall_init(void);
/* dm_op (x0 domid, x1 nr_bufs, x2 bufs): decoded into core/ioreq.c calls. */
long dm_op(struct vcpu *v, uint64_t domid, uint64_t nr_bufs, uint64_t bufs);

#endif
