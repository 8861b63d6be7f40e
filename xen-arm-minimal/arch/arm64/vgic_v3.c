/* GICv3 virtual CPU interface: list registers hold the interrupts a vCPU
 * may take; everything else (its priority mask, enables, active priorities)
 * is in ICH_VMCR_EL2 and ICH_AP1Rn_EL2, switched with the vCPU. */
#include <asm/percpu.h>
#include <asm/sysreg.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>

#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_UIE (1ULL << 1)
#define LR_STATE_PENDING (1ULL << 62)
#define LR_STATE_ACTIVE (2ULL << 62)
#define LR_GROUP1 (1ULL << 60)

static unsigned nr_apr;

#define LR_CASE(n)                                                                                                     \
    case n:                                                                                                            \
        if (write)                                                                                                     \
            write_sysreg(val, ich_lr##n##_el2);                                                                        \
        else                                                                                                           \
            val = read_sysreg(ich_lr##n##_el2);                                                                        \
        break;

static uint64_t lr_access(unsigned i, bool write, uint64_t val)
{
    /* one case per list register */
    /* clang-format off */
    switch (i) {
        LR_CASE(0) LR_CASE(1) LR_CASE(2) LR_CASE(3) LR_CASE(4) LR_CASE(5) LR_CASE(6) LR_CASE(7)
        LR_CASE(8) LR_CASE(9) LR_CASE(10) LR_CASE(11) LR_CASE(12) LR_CASE(13) LR_CASE(14) LR_CASE(15)
    }
    /* clang-format on */
    return val;
}

static unsigned v3_init(void)
{
    uint64_t vtr = read_sysreg(ich_vtr_el2);
    unsigned pri_bits = (unsigned)((vtr >> 29) & 7) + 1;
    nr_apr = pri_bits >= 7 ? 4 : pri_bits == 6 ? 2 : 1;
    return (unsigned)(vtr & 0x1f) + 1;
}

static void v3_load(struct vcpu *v)
{
    write_sysreg(v->arch.gic.vmcr, ich_vmcr_el2);
    write_sysreg(v->arch.gic.ap1r[0], ich_ap1r0_el2);
    if (nr_apr > 1)
        write_sysreg(v->arch.gic.ap1r[1], ich_ap1r1_el2);
    if (nr_apr > 2) {
        write_sysreg(v->arch.gic.ap1r[2], ich_ap1r2_el2);
        write_sysreg(v->arch.gic.ap1r[3], ich_ap1r3_el2);
    }
    write_sysreg(ICH_HCR_EN, ich_hcr_el2);
}

static void v3_save(struct vcpu *v)
{
    v->arch.gic.vmcr = (uint32_t)read_sysreg(ich_vmcr_el2);
    v->arch.gic.ap1r[0] = (uint32_t)read_sysreg(ich_ap1r0_el2);
    if (nr_apr > 1)
        v->arch.gic.ap1r[1] = (uint32_t)read_sysreg(ich_ap1r1_el2);
    if (nr_apr > 2) {
        v->arch.gic.ap1r[2] = (uint32_t)read_sysreg(ich_ap1r2_el2);
        v->arch.gic.ap1r[3] = (uint32_t)read_sysreg(ich_ap1r3_el2);
    }
    write_sysreg(0, ich_hcr_el2);
    isb();
}

static uint64_t v3_lr_encode(unsigned intid, const struct vgic_lr_state *st)
{
    uint64_t lr = LR_GROUP1 | (uint64_t)st->priority << 48 | intid;
    if (st->pending)
        lr |= LR_STATE_PENDING;
    if (st->active)
        lr |= LR_STATE_ACTIVE;
    return lr;
}

static void v3_lr_decode(uint64_t lr, bool *pending, bool *active)
{
    *pending = lr & LR_STATE_PENDING;
    *active = lr & LR_STATE_ACTIVE;
}

static uint64_t v3_lr_read(unsigned i) { return lr_access(i, false, 0); }

static void v3_lr_write(unsigned i, uint64_t lr) { lr_access(i, true, lr); }

static void v3_enable(bool underflow)
{
    write_sysreg(ICH_HCR_EN | (underflow ? ICH_HCR_UIE : 0), ich_hcr_el2);
    isb();
}

static void v3_maintenance(void) { write_sysreg(read_sysreg(ich_hcr_el2) & ~ICH_HCR_UIE, ich_hcr_el2); }

const struct vgic_hw_ops vgic_v3_hw = {
    .init = v3_init,
    .load = v3_load,
    .save = v3_save,
    .lr_encode = v3_lr_encode,
    .lr_decode = v3_lr_decode,
    .lr_read = v3_lr_read,
    .lr_write = v3_lr_write,
    .enable = v3_enable,
    .maintenance = v3_maintenance,
};
