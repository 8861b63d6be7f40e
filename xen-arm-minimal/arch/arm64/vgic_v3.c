/* GICv3 virtual CPU interface: list registers hold the interrupts a vCPU
 * may take; everything else (its priority mask, enables, active priorities)
 * is in ICH_VMCR_EL2 and ICH_AP1Rn_EL2, switched with the vCPU. */
#include <asm/percpu.h>
#include <asm/sysreg.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/vgic.h>

#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_UIE (1ULL << 1)
#define LR_STATE_PENDING (1ULL << 62)
#define LR_STATE_ACTIVE (2ULL << 62)
#define LR_GROUP1 (1ULL << 60)

static unsigned nr_lrs, nr_apr;

#define LR_CASE(n)                                                                                 \
    case n:                                                                                        \
        if (write)                                                                                 \
            write_sysreg(val, ich_lr##n##_el2);                                                    \
        else                                                                                       \
            val = read_sysreg(ich_lr##n##_el2);                                                    \
        break;

static uint64_t lr_access(unsigned i, bool write, uint64_t val)
{
    switch (i) {
        LR_CASE(0) LR_CASE(1) LR_CASE(2) LR_CASE(3) LR_CASE(4) LR_CASE(5) LR_CASE(6) LR_CASE(7)
        LR_CASE(8) LR_CASE(9) LR_CASE(10) LR_CASE(11) LR_CASE(12) LR_CASE(13) LR_CASE(14) LR_CASE(15)
    }
    return val;
}

static void v3_init(void)
{
    uint64_t vtr = read_sysreg(ich_vtr_el2);
    nr_lrs = (unsigned)(vtr & 0x1f) + 1;
    if (nr_lrs > 16)
        nr_lrs = 16;
    unsigned pri_bits = (unsigned)((vtr >> 29) & 7) + 1;
    nr_apr = pri_bits >= 7 ? 4 : pri_bits == 6 ? 2 : 1;
}

static void v3_load(struct vcpu *v)
{
    write_sysreg(v->vgic.vmcr, ich_vmcr_el2);
    write_sysreg(v->vgic.ap1r[0], ich_ap1r0_el2);
    if (nr_apr > 1)
        write_sysreg(v->vgic.ap1r[1], ich_ap1r1_el2);
    if (nr_apr > 2) {
        write_sysreg(v->vgic.ap1r[2], ich_ap1r2_el2);
        write_sysreg(v->vgic.ap1r[3], ich_ap1r3_el2);
    }
    write_sysreg(ICH_HCR_EN, ich_hcr_el2);
}

static void v3_save(struct vcpu *v)
{
    v->vgic.vmcr = (uint32_t)read_sysreg(ich_vmcr_el2);
    v->vgic.ap1r[0] = (uint32_t)read_sysreg(ich_ap1r0_el2);
    if (nr_apr > 1)
        v->vgic.ap1r[1] = (uint32_t)read_sysreg(ich_ap1r1_el2);
    if (nr_apr > 2) {
        v->vgic.ap1r[2] = (uint32_t)read_sysreg(ich_ap1r2_el2);
        v->vgic.ap1r[3] = (uint32_t)read_sysreg(ich_ap1r3_el2);
    }
    write_sysreg(0, ich_hcr_el2);
    isb();
}

static void v3_flush(struct vcpu *v)
{
    struct domain *d = v->dom;
    unsigned intids[16];
    bool more;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    unsigned n = vgic_select_locked(v, intids, nr_lrs, &more);
    for (unsigned i = 0; i < n; i++) {
        /* the state now lives in the list register until the next exit */
        struct vgic_lr_state st = vgic_lr_take(v, intids[i]);
        uint64_t lr = LR_GROUP1 | (uint64_t)st.priority << 48 | intids[i];
        if (st.pending)
            lr |= LR_STATE_PENDING;
        if (st.active)
            lr |= LR_STATE_ACTIVE;
        v->vgic.lr_intid[i] = intids[i];
        lr_access(i, true, lr);
    }
    for (unsigned i = n; i < v->vgic.nr_used_lrs; i++)
        lr_access(i, true, 0);
    v->vgic.nr_used_lrs = n;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
    /* More waiting than fit: ask for a maintenance interrupt when the list
     * registers drain, so they get refilled promptly. */
    write_sysreg(ICH_HCR_EN | (more ? ICH_HCR_UIE : 0), ich_hcr_el2);
    isb();
}

static void v3_sync(struct vcpu *v)
{
    if (v->vgic.nr_used_lrs == 0)
        return;
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    for (unsigned i = 0; i < v->vgic.nr_used_lrs; i++) {
        uint64_t lr = lr_access(i, false, 0);
        vgic_lr_give_back(v, (unsigned)v->vgic.lr_intid[i], lr & LR_STATE_PENDING, lr & LR_STATE_ACTIVE);
        lr_access(i, true, 0);
    }
    v->vgic.nr_used_lrs = 0;
    spin_unlock_irqrestore(&d->vgic.lock, flags);
}

static void v3_maintenance(void)
{
    write_sysreg(read_sysreg(ich_hcr_el2) & ~ICH_HCR_UIE, ich_hcr_el2);
}

const struct vgic_hw_ops vgic_v3_hw = {
    .init = v3_init,
    .load = v3_load,
    .save = v3_save,
    .flush = v3_flush,
    .sync = v3_sync,
    .maintenance = v3_maintenance,
};
