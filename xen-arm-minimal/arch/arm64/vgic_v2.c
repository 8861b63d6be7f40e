/* GICv2 virtual CPU interface: list registers in the GICH frame; the guest
 * talks to the GICV frame directly (mapped at its GICC address). */
#include <asm/sysreg.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/vgic.h>

#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_APR 0x0f0
#define GICH_LR 0x100
#define GICH_HCR_EN (1u << 0)
#define GICH_HCR_UIE (1u << 1)
#define LR_PENDING (1u << 28)
#define LR_ACTIVE (2u << 28)

static uintptr_t gich;
static unsigned nr_lrs;

void vgic_v2_set_gich(paddr_t base)
{
    gich = (uintptr_t)base;
}

static inline void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(gich + off) = v; }
static inline uint32_t rd(unsigned off) { return *(volatile uint32_t *)(gich + off); }

static void v2_init(void)
{
    nr_lrs = (rd(GICH_VTR) & 0x3f) + 1;
    if (nr_lrs > 16)
        nr_lrs = 16;
    wr(GICH_HCR, 0);
}

static void v2_load(struct vcpu *v)
{
    wr(GICH_VMCR, v->vgic.vmcr);
    wr(GICH_APR, v->vgic.ap1r[0]);
    wr(GICH_HCR, GICH_HCR_EN);
}

static void v2_save(struct vcpu *v)
{
    v->vgic.vmcr = rd(GICH_VMCR);
    v->vgic.ap1r[0] = rd(GICH_APR);
    wr(GICH_HCR, 0);
}

static void v2_flush(struct vcpu *v)
{
    struct domain *d = v->dom;
    unsigned intids[16];
    bool more;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    unsigned n = vgic_select_locked(v, intids, nr_lrs, &more);
    for (unsigned i = 0; i < n; i++) {
        struct vgic_lr_state st = vgic_lr_take(v, intids[i]);
        /* group 0 (GICv2 guests enable group 0), 5-bit priority; SGIs carry
         * the sending vCPU, which the guest reads back from GICC_IAR */
        uint32_t lr = (uint32_t)(st.priority >> 3) << 23 | intids[i];
        if (intids[i] < 16)
            lr |= (uint32_t)(st.source & 7) << 10;
        if (st.pending)
            lr |= LR_PENDING;
        if (st.active)
            lr |= LR_ACTIVE;
        v->vgic.lr_intid[i] = intids[i];
        wr(GICH_LR + 4 * i, lr);
    }
    for (unsigned i = n; i < v->vgic.nr_used_lrs; i++)
        wr(GICH_LR + 4 * i, 0);
    v->vgic.nr_used_lrs = n;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
    wr(GICH_HCR, GICH_HCR_EN | (more ? GICH_HCR_UIE : 0));
}

static void v2_sync(struct vcpu *v)
{
    if (v->vgic.nr_used_lrs == 0)
        return;
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    for (unsigned i = 0; i < v->vgic.nr_used_lrs; i++) {
        uint32_t lr = rd(GICH_LR + 4 * i);
        vgic_lr_give_back(v, (unsigned)v->vgic.lr_intid[i], lr & LR_PENDING, lr & LR_ACTIVE);
        wr(GICH_LR + 4 * i, 0);
    }
    v->vgic.nr_used_lrs = 0;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
}

static void v2_maintenance(void)
{
    wr(GICH_HCR, rd(GICH_HCR) & ~GICH_HCR_UIE);
}

const struct vgic_hw_ops vgic_v2_hw = {
    .init = v2_init,
    .load = v2_load,
    .save = v2_save,
    .flush = v2_flush,
    .sync = v2_sync,
    .maintenance = v2_maintenance,
};
