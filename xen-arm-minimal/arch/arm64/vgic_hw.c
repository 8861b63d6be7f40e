/* Dispatch to the host GIC's flavour of virtual CPU interface. */
#include <asm/mmu.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/vgic.h>

static const struct vgic_hw_ops *ops;
static unsigned version, nr_lrs;
static paddr_t gicv_base;

int vgic_hw_init(const struct hostdt_gic *g)
{
    version = g->version;
    if (g->version == 2) {
        if (g->vcpu.size < 0x2000 || g->hyp.size < 0x1000)
            return -XAM_EINVAL;
        int rc = mmu_map_device(g->hyp.base, g->hyp.size);
        if (rc)
            return rc;
        gicv_base = g->vcpu.base;
        vgic_v2_set_gich(g->hyp.base);
        ops = &vgic_v2_hw;
    } else {
        ops = &vgic_v3_hw;
    }
    nr_lrs = MIN(ops->init(), 16u);
    return 0;
}

bool vgic_hw_present(void) { return ops != NULL; }
unsigned vgic_hw_version(void) { return version; }
paddr_t vgic_hw_gicv_base(void) { return gicv_base; }
void vgic_hw_load(struct vcpu *v) { if (ops) ops->load(v); }
void vgic_hw_save(struct vcpu *v) { if (ops) ops->save(v); }
/* Before entry: the highest-priority deliverable interrupts into the list
 * registers, which then hold their state until the next exit. */
void vgic_hw_flush(struct vcpu *v)
{
    if (!ops)
        return;
    /* Nothing can be deliverable and no list register holds state: the
     * registers are already clear, and the lock need not be taken. */
    if (v->vgic.nr_used_lrs == 0 && !__atomic_load_n(&v->vgic.maybe_pending, __ATOMIC_ACQUIRE))
        return;
    struct domain *d = v->dom;
    unsigned intids[16];
    bool more;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    unsigned n = vgic_select_locked(v, intids, nr_lrs, &more);
    if (n == 0)
        v->vgic.maybe_pending = false;
    for (unsigned i = 0; i < n; i++) {
        struct vgic_lr_state st = vgic_lr_take(v, intids[i]);
        v->vgic.lr_intid[i] = intids[i];
        ops->lr_write(i, ops->lr_encode(intids[i], &st));
    }
    for (unsigned i = n; i < v->vgic.nr_used_lrs; i++)
        ops->lr_write(i, 0);
    v->vgic.nr_used_lrs = n;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
    ops->enable(more);
}

/* After exit: the list registers' state back into the vGIC. */
void vgic_hw_sync(struct vcpu *v)
{
    if (!ops || v->vgic.nr_used_lrs == 0)
        return;
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    for (unsigned i = 0; i < v->vgic.nr_used_lrs; i++) {
        bool pending, active;
        ops->lr_decode(ops->lr_read(i), &pending, &active);
        vgic_lr_give_back(v, (unsigned)v->vgic.lr_intid[i], pending, active);
        ops->lr_write(i, 0);
    }
    v->vgic.nr_used_lrs = 0;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
}
void vgic_hw_maintenance(void) { if (ops) ops->maintenance(); }
