/* memory_op: where a guest's Xen pages go in its address space. */
#include <asm/guest_mem.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/grant_table.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

/* shared_info goes where the guest asks (a zeroed page of its own RAM, as
 * Linux passes): the page stays the guest's, so nothing is remapped. */
long memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    if (cmd != XENMEM_add_to_physmap)
        return -XAM_ENOSYS;
    struct xen_add_to_physmap x;
    if (guest_copy_from(v, &x, arg, sizeof(x)))
        return -XAM_EFAULT;
    if (x.domid != DOMID_SELF && x.domid != v->dom->id)
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
    return 0;
}
