/* dm_op: a device-model domain registers as the ioreq server of the guests
 * whose bridges it serves. Only the domain the host device tree names as a
 * guest's device-model may do so. This file only decodes Xen's structures
 * (include/xam/xen_abi.h); the state and its rules are core/ioreq.c's. */
#include <asm/guest_mem.h>
#include <xam/dm_console.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/hypercall.h>
#include <xam/vintc.h>
#include <xam/ioreq.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

/* Xen's range types: I/O ports do not exist on Arm. */
static int range_type(uint32_t type, enum ioreq_range_type *out)
{
    if (type == XEN_DMOP_IO_RANGE_MEMORY)
        *out = IOREQ_RANGE_MEMORY;
    else if (type == XEN_DMOP_IO_RANGE_PCI)
        *out = IOREQ_RANGE_PCI;
    else
        return -XAM_EINVAL;
    return 0;
}

/* The bridge's INTx lines are the only interrupts a device model drives
 * (level-sensitive SPIs, as the guest's tree says). */
static long set_irq_level(struct domain *t, const struct xen_dm_op_set_irq_level *l)
{
    if (!t->has_bridge || l->irq < t->bridge.irq_start || l->irq - t->bridge.irq_start >= t->bridge.irq_count ||
        l->level > 1)
        return -XAM_EINVAL;
    if (!t->intc || t->state != DOMAIN_RUNNING)
        return -XAM_ESRCH;
    t->intc->set_level(t, l->irq, l->level);
    return 0;
}

static long op(struct domain *t, struct domain *dm, struct xen_dm_op *o)
{
    enum ioreq_range_type type;
    switch (o->op) {
    case XEN_DMOP_create_ioreq_server:
        /* no buffered ioreqs (nothing here sends any): a server asking for
         * a buffered ring is refused, as Xen refuses what it cannot give */
        if (o->u.create_ioreq_server.handle_bufioreq)
            return -XAM_EOPNOTSUPP;
        return ioreq_create(t, dm, &o->u.create_ioreq_server.id);
    case XEN_DMOP_get_ioreq_server_info: {
        struct xen_dm_op_get_ioreq_server_info *info = &o->u.get_ioreq_server_info;
        paddr_t page;
        /* as Xen on Arm: the page is only had through acquire_resource */
        if (!(info->flags & XEN_DMOP_no_gfns))
            return -XAM_EOPNOTSUPP;
        int rc = ioreq_page(t, info->id, &page);
        if (rc)
            return rc;
        info->bufioreq_port = 0;
        info->ioreq_gfn = info->bufioreq_gfn = 0;
        return 0;
    }
    case XEN_DMOP_map_io_range_to_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *r = &o->u.map_io_range_to_ioreq_server;
        int rc = range_type(r->type, &type);
        return rc ? rc : ioreq_map_range(t, r->id, type, r->start, r->end);
    }
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *r = &o->u.unmap_io_range_from_ioreq_server;
        int rc = range_type(r->type, &type);
        return rc ? rc : ioreq_unmap_range(t, r->id, type, r->start, r->end);
    }
    case XEN_DMOP_set_ioreq_server_state:
        return ioreq_set_state(t, o->u.set_ioreq_server_state.id, o->u.set_ioreq_server_state.enabled != 0);
    case XEN_DMOP_destroy_ioreq_server:
        return ioreq_destroy(t, o->u.destroy_ioreq_server.id);
    case XEN_DMOP_set_irq_level:
        return set_irq_level(t, &o->u.set_irq_level);
    case XEN_DMOP_nr_vcpus:
        o->u.nr_vcpus.vcpus = t->nr_vcpus;
        return 0;
    default:
        return -XAM_ENOSYS;
    }
}

/* Ours: a client's virtio-console through its device model. Output
 * becomes the client's console lines; input is what was typed for it. The
 * bytes are in bufs[1], taken a bounded chunk at a time. */
static long console_io(struct vcpu *v, struct domain *t, struct xen_dm_op *o, uint64_t nr_bufs, uint64_t bufs)
{
    struct xen_dm_op_buf data;
    char chunk[256];
    if (nr_bufs < 2)
        return -XAM_EINVAL;
    if (guest_copy_from(v, &data, bufs + sizeof(data), sizeof(data)))
        return -XAM_EFAULT;
    uint64_t len = o->u.console_io.len;
    if (len > data.size || len > XAM_DMOP_CONSOLE_MAX)
        return -XAM_EINVAL;
    if (!dm_console_present(t))
        return -XAM_ENODEV;
    if (o->op == XAM_DMOP_console_write) {
        for (uint64_t done = 0; done < len;) {
            size_t n = MIN(len - done, sizeof(chunk));
            if (guest_copy_from(v, chunk, data.h + done, n))
                return -XAM_EFAULT;
            domain_console_write(t, CONSOLE_VIRTIO, chunk, n);
            done += n;
        }
        return 0;
    }
    size_t n = dm_console_take(t, chunk, MIN(len, sizeof(chunk)));
    if (n && guest_copy_to(v, data.h, chunk, n))
        return -XAM_EFAULT; /* taken and lost: the device model's fault */
    o->u.console_io.len = (uint32_t)n;
    return 0;
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
    long rc = o.op == XAM_DMOP_console_write || o.op == XAM_DMOP_console_read ? console_io(v, t, &o, nr_bufs, bufs)
                                                                              : op(t, v->dom, &o);
    if (rc == 0 && guest_copy_to(v, buf.h, &o, sizeof(o)))
        return -XAM_EFAULT;
    return rc;
}
