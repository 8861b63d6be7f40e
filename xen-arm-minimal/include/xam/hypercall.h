/* Xen's hypercall ABI for guests (HVC #0xEA1): what unmodified Linux calls
 * when its device tree has a hypervisor node, and the device-model calls. */
#ifndef XAM_HYPERCALL_H
#define XAM_HYPERCALL_H

#include <xam/types.h>

struct vcpu;
struct domain;

/* Handle the hypercall in x16/x0-x4; the result goes to x0. Returns false
 * if the calling vCPU stopped (its domain shut down). */
bool hypercall_dispatch(struct vcpu *v);

/* dm_op (x0 domid, x1 nr_bufs, x2 bufs): ioreq-server registration. */
long dm_op(struct vcpu *v, uint64_t domid, uint64_t nr_bufs, uint64_t bufs);
/* dm stopped: every guest it served loses its connection. */
void ioreq_dm_stopped(struct domain *dm);
/* Whether d's device model has an enabled ioreq server for it. */
bool ioreq_connected(struct domain *d);

#endif
