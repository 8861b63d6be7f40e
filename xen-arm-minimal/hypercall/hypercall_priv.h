/* The hypercall families, one file each (hypercall.c dispatches on x16):
 * each decodes Xen's structures for its family and calls the core. */
#ifndef HYPERCALL_PRIV_H
#define HYPERCALL_PRIV_H

#include <xam/types.h>

struct vcpu;

/* xen_version.c: the version, features and build strings (x0 cmd, x1 arg) */
long xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* memory_op.c: shared_info, grant-table frames, foreign mappings, the
 * balloon's reservation calls, acquire_resource */
long memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* event_channel_op.c: 2-level event channels */
long event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* grant_table_op.c: grant tables v1 (x0 cmd, x1 uop array, x2 count) */
long grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count);
/* dm_op.c: device-model operations on a guest (x0 domid, x1 nr_bufs, x2 bufs) */
long dm_op(struct vcpu *v, uint64_t domid, uint64_t nr_bufs, uint64_t bufs);

#endif
