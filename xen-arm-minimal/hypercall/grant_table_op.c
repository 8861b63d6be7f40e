/* grant_table_op(cmd, uop, count): Xen's grant tables, version 1. This
 * file decodes the guest's arrays of operations; the table, its rules and
 * its locking are core/grant_table.c's. docs/hypercalls.md, "Grant
 * tables", lists every operation's answer.
 *
 * Batches: map, unmap and copy take an array of count operations and set
 * a status in each. At most GNTTAB_BATCH of them are done per entry into
 * the hypervisor; the rest are done the way Xen continues a hypercall on
 * Arm: the vCPU's PC is moved back onto its HVC, x1 and x2 advanced past
 * what is done, x0 left holding cmd, so the vCPU makes the same call
 * again for the rest when it next runs. The guest sees one call that
 * completed (Linux BUG()s on anything else); in between, the vCPU can
 * take interrupts and other vCPUs get the CPU. */
#include <asm/guest_mem.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/grant_table.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

#define GNTTAB_BATCH 32

/* The call is done in parts (see the top of the file). */
static long again(struct vcpu *v, uint64_t cmd, uint64_t uop, uint32_t count)
{
    v->arch.regs.pc -= 4; /* an HVC leaves the PC after itself */
    v->arch.regs.x[1] = uop;
    v->arch.regs.x[2] = count;
    return (long)cmd; /* becomes x0 again */
}

static long map_refs(struct vcpu *v, uint64_t cmd, uint64_t uop, uint32_t count)
{
    uint32_t n = MIN(count, GNTTAB_BATCH);
    for (uint32_t i = 0; i < n; i++) {
        struct gnttab_map_grant_ref op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (guest_copy_from(v, &op, at, sizeof(op)))
            return -XAM_EFAULT;
        gnttab_map_grant_ref(v->dom, &op);
        if (guest_copy_to(v, at, &op, sizeof(op)))
            return -XAM_EFAULT;
    }
    return n < count ? again(v, cmd, uop + (uint64_t)n * sizeof(struct gnttab_map_grant_ref), count - n) : 0;
}

static long unmap_refs(struct vcpu *v, uint64_t cmd, uint64_t uop, uint32_t count)
{
    uint32_t n = MIN(count, GNTTAB_BATCH);
    for (uint32_t i = 0; i < n; i++) {
        struct gnttab_unmap_grant_ref op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (guest_copy_from(v, &op, at, sizeof(op)))
            return -XAM_EFAULT;
        gnttab_unmap_grant_ref(v->dom, &op);
        /* Xen writes back the status alone */
        if (guest_copy_to(v, at + __builtin_offsetof(struct gnttab_unmap_grant_ref, status), &op.status,
                          sizeof(op.status)))
            return -XAM_EFAULT;
    }
    return n < count ? again(v, cmd, uop + (uint64_t)n * sizeof(struct gnttab_unmap_grant_ref), count - n) : 0;
}

static long copy_refs(struct vcpu *v, uint64_t cmd, uint64_t uop, uint32_t count)
{
    uint32_t n = MIN(count, GNTTAB_BATCH);
    for (uint32_t i = 0; i < n; i++) {
        struct gnttab_copy op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (guest_copy_from(v, &op, at, sizeof(op)))
            return -XAM_EFAULT;
        gnttab_copy(v->dom, &op);
        if (guest_copy_to(v, at + __builtin_offsetof(struct gnttab_copy, status), &op.status, sizeof(op.status)))
            return -XAM_EFAULT;
    }
    return n < count ? again(v, cmd, uop + (uint64_t)n * sizeof(struct gnttab_copy), count - n) : 0;
}

/* Xen's rcu_lock_domain_by_any_id: DOMID_SELF or an id. */
static struct domain *any_domain(struct vcpu *v, uint16_t domid)
{
    return domid == DOMID_SELF ? v->dom : domain_by_id(domid);
}

static long setup_table(struct vcpu *v, uint64_t uop, uint32_t count)
{
    struct gnttab_setup_table op;
    if (count != 1)
        return -XAM_EINVAL;
    if (guest_copy_from(v, &op, uop, sizeof(op)))
        return -XAM_EFAULT;
    struct domain *d = any_domain(v, op.dom);
    op.status = d ? (int16_t)gnttab_setup_table(v->dom, d, op.nr_frames) : GNTST_bad_domain;
    /* the gfn of each frame (auto-translated guests map them with
     * add_to_physmap: a frame not mapped anywhere is GNTTAB_INVALID_GFN) */
    for (uint32_t i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
        uint64_t gfn = gnttab_frame_gfn(d, i);
        if (guest_copy_to(v, op.frame_list + (uint64_t)i * sizeof(gfn), &gfn, sizeof(gfn)))
            op.status = GNTST_bad_virt_addr;
    }
    return guest_copy_to(v, uop + __builtin_offsetof(struct gnttab_setup_table, status), &op.status, sizeof(op.status))
        ? -XAM_EFAULT
        : 0;
}

static long query_size(struct vcpu *v, uint64_t uop, uint32_t count)
{
    struct gnttab_query_size op;
    if (count != 1)
        return -XAM_EINVAL;
    if (guest_copy_from(v, &op, uop, sizeof(op)))
        return -XAM_EFAULT;
    struct domain *d = any_domain(v, op.dom);
    op.status = d ? (int16_t)gnttab_query_size(v->dom, d, &op.nr_frames, &op.max_nr_frames) : GNTST_bad_domain;
    return guest_copy_to(v, uop, &op, sizeof(op)) ? -XAM_EFAULT : 0;
}

/* Version 1 only, as Xen with max version 1 (Arm's): 2 is "not
 * implemented", anything else invalid; the version in effect (1) is
 * written back either way. */
static long set_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_set_version op;
    if (guest_copy_from(v, &op, uop, sizeof(op)))
        return -XAM_EFAULT;
    long rc = op.version == 1 ? 0 : op.version == 2 ? -XAM_ENOSYS : -XAM_EINVAL;
    op.version = 1;
    return guest_copy_to(v, uop, &op, sizeof(op)) ? -XAM_EFAULT : rc;
}

static long get_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_version op;
    if (guest_copy_from(v, &op, uop, sizeof(op)))
        return -XAM_EFAULT;
    struct domain *d = any_domain(v, op.dom);
    if (!d)
        return -XAM_ESRCH;
    if (!gnttab_may_inspect(v->dom, d))
        return -XAM_EPERM;
    op.version = 1;
    return guest_copy_to(v, uop + __builtin_offsetof(struct gnttab_get_version, version), &op.version,
                         sizeof(op.version))
        ? -XAM_EFAULT
        : 0;
}

long grant_table_op(struct vcpu *v, uint64_t x0, uint64_t uop, uint64_t x2)
{
    /* Xen's prototype takes unsigned ints: the upper halves are not read */
    uint32_t cmd = (uint32_t)x0, count = (uint32_t)x2;
    if (!gnttab_enabled())
        return -XAM_ENOSYS;
    if ((int32_t)count < 0)
        return -XAM_EINVAL;
    if (cmd & ~GNTTABOP_CMD_MASK) /* continuation bits: only cache_flush has them, and it is not here */
        return -XAM_EINVAL;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return map_refs(v, x0, uop, count);
    case GNTTABOP_unmap_grant_ref:
        return unmap_refs(v, x0, uop, count);
    case GNTTABOP_copy:
        return copy_refs(v, x0, uop, count);
    case GNTTABOP_setup_table:
        return setup_table(v, uop, count);
    case GNTTABOP_query_size:
        return query_size(v, uop, count);
    case GNTTABOP_set_version:
        return set_version(v, uop);
    case GNTTABOP_get_version:
        return get_version(v, uop);
    default: /* dump_table, transfer, unmap_and_replace, get_status_frames, swap_grant_ref, cache_flush */
        return -XAM_ENOSYS;
    }
}
