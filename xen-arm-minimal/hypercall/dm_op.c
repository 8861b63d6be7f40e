/* dm_op: a device-model domain registers as the ioreq server of the guests
 * whose bridges it serves. Only the domain the host device tree names as a
 * guest's device-model may do so. This file only decodes Xen's structures
 * (include/xam/xen_abi.h); the state and its rules are core/ioreq.c's. */
#include <asm/guest_mem.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/hypercall.h>
#include <xam/ioreq.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

static long op(struct domain *t, struct domain *dm, struct xen_dm_op *o)
{
    switch (o->op) {
    case XEN_DMOP_create_ioreq_server:
        return ioreq_create(t, dm, &o->u.create_ioreq_server.id);
    case XEN_DMOP_map_io_range_to_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *r = &o->u.map_io_range_to_ioreq_server;
        if (r->type != XEN_DMOP_IO_RANGE_MEMORY)
            return -XAM_EINVAL;
        return ioreq_map_range(t, r->id, r->start, r->end);
    }
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *r = &o->u.unmap_io_range_from_ioreq_server;
        return ioreq_unmap_range(t, r->id, r->start, r->end);
    }
    case XEN_DMOP_set_ioreq_server_state:
        return ioreq_set_state(t, o->u.set_ioreq_server_state.id, o->u.set_ioreq_server_state.enabled != 0);
    case XEN_DMOP_destroy_ioreq_server:
        return ioreq_destroy(t, o->u.destroy_ioreq_server.id);
    default:
        return -XAM_ENOSYS;
    }
}

long dm_op(struct vcpu *v, uint64_t domid, uint64_t nr_bufs, uint64_t bufs)
{
    struct domain *t = domain_by_id(domid);
    if (!t)
        return -XAM_ESRCH;
    if (t->device_model != v->dom)
        return -XAM_EPERM;
    if (nr_bufs < 1)
        return -XAM_EINVAL;
    struct xen_dm_op_buf buf;
    struct xen_dm_op o;
    if (guest_copy_from(v, &buf, bufs, sizeof(buf)))
        return -XAM_EFAULT;
    if (buf.size < sizeof(o))
        return -XAM_EINVAL;
    if (guest_copy_from(v, &o, buf.h, sizeof(o)))
        return -XAM_EFAULT;
    long rc = op(t, v->dom, &o);
    if (rc == 0 && guest_copy_to(v, buf.h, &o, sizeof(o)))
        return -XAM_EFAULT;
    return rc;
}
