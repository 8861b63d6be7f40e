/* memory_op: what a guest's address space holds besides the RAM it was
 * built with. shared_info and grant-table frames for every Xen-aware
 * guest; for a device model, its client's pages (foreign mappings), its
 * client's ioreq page (acquire_resource), and the balloon calls Linux
 * makes to free guest frames for them. The rules (what may go where, what
 * stays pinned) are core/p2m.c's; this file decodes Xen's structures
 * (include/xam/xen_abi_memory.h) and says who may ask for what. */
#include <asm/guest_mem.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/grant_table.h>
#include <xam/ioreq.h>
#include <xam/evtchn.h>
#include <xam/grant_table.h>
#include <xam/ioreq.h>
#include <xam/p2m.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_memory.h>

#include "hypercall_priv.h"

/* Extents handled in one call: Linux passes at most a page of them (512);
 * more is refused rather than holding this CPU for an unbounded time. */
#define MAX_EXTENTS 512

static bool is_self(const struct vcpu *v, uint16_t domid) { return domid == DOMID_SELF || domid == v->dom->id; }

/* shared_info goes where the guest asks (a zeroed page of its own RAM, as
 * Linux passes): the page stays the guest's, so nothing is remapped. */
static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
    struct xen_add_to_physmap x;
    if (guest_copy_from(v, &x, arg, sizeof(x)))
        return -XAM_EFAULT;
    if (!is_self(v, x.domid))
        return -XAM_EPERM;
    if (x.space == XENMAPSPACE_grant_table) /* idx: the frame of its table (core/grant_table.c) */
        return gnttab_map_frame(v->dom, x.idx, x.gpfn);
    if (x.space != XENMAPSPACE_shared_info)
        return -XAM_ENOSYS;
    uint64_t gpfn = x.gpfn;
    paddr_t ipa = gpfn << PAGE_SHIFT;
    void *page = domain_ram_ptr(v->dom, ipa, PAGE_SIZE);
    if (!page || gpfn >> (64 - PAGE_SHIFT))
        return -XAM_EINVAL;
    memset(page, 0, PAGE_SIZE);
    v->dom->shared_info = ipa;
    evtchn_shared_info_registered(v->dom); /* events raised before it */
    return 0;
}

/* The domain v's domain serves as device model, by id: NULL if it is not
 * (or there is no such domain). */
static struct domain *client_of(struct vcpu *v, uint64_t domid)
{
    struct domain *t = domain_by_id(domid);
    return t && t->device_model == v->dom ? t : NULL;
}

/* A device model maps its client's pages at GFNs of its own (Linux's
 * privcmd, after ballooning those GFNs out). Each entry has its own
 * result; the call fails only if the request itself is bad. */
static long add_to_physmap_batch(struct vcpu *v, uint64_t arg, uint64_t start)
{
    struct xen_add_to_physmap_batch b;
    if (guest_copy_from(v, &b, arg, sizeof(b)))
        return -XAM_EFAULT;
    if (!is_self(v, b.domid))
        return -XAM_EPERM;
    if (b.space != XENMAPSPACE_gmfn_foreign)
        return -XAM_EOPNOTSUPP;
    struct domain *t = client_of(v, b.foreign_domid);
    if (!t)
        return domain_by_id(b.foreign_domid) ? -XAM_EPERM : -XAM_ESRCH;
    if (b.size > MAX_EXTENTS)
        return -XAM_EINVAL;
    for (uint64_t i = start; i < b.size; i++) {
        uint64_t idx, gpfn;
        if (guest_copy_from(v, &idx, b.idxs + 8 * i, 8) || guest_copy_from(v, &gpfn, b.gpfns + 8 * i, 8))
            return -XAM_EFAULT;
        int32_t err = p2m_map_foreign(v->dom, gpfn, t, idx, true);
        if (guest_copy_to(v, b.errs + 4 * i, &err, 4))
            return -XAM_EFAULT;
    }
    return 0;
}

static long remove_from_physmap(struct vcpu *v, uint64_t arg)
{
    struct xen_remove_from_physmap r;
    if (guest_copy_from(v, &r, arg, sizeof(r)))
        return -XAM_EFAULT;
    if (!is_self(v, r.domid))
        return -XAM_EPERM;
    return p2m_remove(v->dom, r.gpfn);
}

/* The balloon, for a translated guest: extents are its own GFNs, one page
 * each. Returns how many were done (Linux checks that it is all). */
static long reservation(struct vcpu *v, unsigned op, uint64_t arg, uint64_t start)
{
    struct xen_memory_reservation r;
    if (guest_copy_from(v, &r, arg, sizeof(r)))
        return -XAM_EFAULT;
    if (!is_self(v, r.domid))
        return -XAM_EPERM;
    if (r.extent_order != 0 || r.nr_extents > MAX_EXTENTS || start > r.nr_extents)
        return -XAM_EINVAL;
    uint64_t done = start;
    for (; done < r.nr_extents; done++) {
        uint64_t gfn;
        if (guest_copy_from(v, &gfn, r.extent_start + 8 * done, 8))
            break;
        int rc = op == XENMEM_decrease_reservation ? p2m_balloon_out(v->dom, gfn) : p2m_balloon_in(v->dom, gfn);
        if (rc)
            break;
    }
    return (long)done;
}

/* A device model maps its client's ioreq page (frame 1 of resource
 * ioreq_server <id>) at the GFN it names. There is no buffered-ioreq page
 * (frame 0): servers are created without one (docs/device-models.md). */
static long acquire_resource(struct vcpu *v, uint64_t arg)
{
    struct xen_mem_acquire_resource r;
    if (guest_copy_from(v, &r, arg, sizeof(r)))
        return -XAM_EFAULT;
    struct domain *t = client_of(v, r.domid);
    if (!t)
        return domain_by_id(r.domid) ? -XAM_EPERM : -XAM_ESRCH;
    if (r.type != XENMEM_resource_ioreq_server)
        return -XAM_EOPNOTSUPP;
    if (r.nr_frames == 0 && r.frame_list == 0) { /* how many frames there are */
        r.nr_frames = XENMEM_resource_ioreq_server_frame_ioreq(1);
        r.flags = 0;
        return guest_copy_to(v, arg, &r, sizeof(r));
    }
    if (r.nr_frames != 1 || r.frame != XENMEM_resource_ioreq_server_frame_ioreq(0) || r.id > 0xffff)
        return -XAM_EINVAL;
    paddr_t page;
    int rc = ioreq_page(t, (uint16_t)r.id, &page);
    if (rc)
        return rc;
    uint64_t gfn;
    if (guest_copy_from(v, &gfn, r.frame_list, 8))
        return -XAM_EFAULT;
    rc = p2m_map_xen_page(v->dom, gfn, page, true);
    if (rc)
        return rc;
    r.flags = 0; /* the page stays the hypervisor's */
    return guest_copy_to(v, arg, &r, sizeof(r));
}

long memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    unsigned op = (unsigned)(cmd & MEMOP_CMD_MASK);
    uint64_t start = cmd >> MEMOP_EXTENT_SHIFT;
    switch (op) {
    case XENMEM_add_to_physmap:
        return add_to_physmap(v, arg);
    case XENMEM_add_to_physmap_batch:
        return add_to_physmap_batch(v, arg, start);
    case XENMEM_remove_from_physmap:
        return remove_from_physmap(v, arg);
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(v, op, arg, start);
    case XENMEM_acquire_resource:
        return acquire_resource(v, arg);
    default:
        return -XAM_ENOSYS;
    }
}
