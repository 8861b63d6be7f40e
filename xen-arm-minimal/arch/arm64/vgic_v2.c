/* GICv2 virtual CPU interface: list registers in the GICH frame; the guest
 * talks to the GICV frame directly (mapped at its GICC address). */
#include <asm/sysreg.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>

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

void vgic_v2_set_gich(paddr_t base) { gich = (uintptr_t)base; }

static inline void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(gich + off) = v; }
static inline uint32_t rd(unsigned off) { return *(volatile uint32_t *)(gich + off); }

static unsigned v2_init(void)
{
    wr(GICH_HCR, 0);
    return (rd(GICH_VTR) & 0x3f) + 1;
}

static void v2_load(struct vcpu *v)
{
    wr(GICH_VMCR, v->arch.gic.vmcr);
    wr(GICH_APR, v->arch.gic.ap1r[0]);
    wr(GICH_HCR, GICH_HCR_EN);
}

static void v2_save(struct vcpu *v)
{
    v->arch.gic.vmcr = rd(GICH_VMCR);
    v->arch.gic.ap1r[0] = rd(GICH_APR);
    wr(GICH_HCR, 0);
}

static uint64_t v2_lr_encode(unsigned intid, const struct vgic_lr_state *st)
{
    /* group 0 (GICv2 guests enable group 0), 5-bit priority; SGIs carry
     * the sending vCPU, which the guest reads back from GICC_IAR */
    uint32_t lr = (uint32_t)(st->priority >> 3) << 23 | intid;
    if (intid < 16)
        lr |= (uint32_t)(st->source & 7) << 10;
    if (st->pending)
        lr |= LR_PENDING;
    if (st->active)
        lr |= LR_ACTIVE;
    return lr;
}

static void v2_lr_decode(uint64_t lr, bool *pending, bool *active)
{
    *pending = lr & LR_PENDING;
    *active = lr & LR_ACTIVE;
}

static uint64_t v2_lr_read(unsigned i) { return rd(GICH_LR + 4 * i); }

static void v2_lr_write(unsigned i, uint64_t lr) { wr(GICH_LR + 4 * i, (uint32_t)lr); }

static void v2_enable(bool underflow) { wr(GICH_HCR, GICH_HCR_EN | (underflow ? GICH_HCR_UIE : 0)); }

static void v2_maintenance(void) { wr(GICH_HCR, rd(GICH_HCR) & ~GICH_HCR_UIE); }

const struct vgic_hw_ops vgic_v2_hw = {
    .init = v2_init,
    .load = v2_load,
    .save = v2_save,
    .lr_encode = v2_lr_encode,
    .lr_decode = v2_lr_decode,
    .lr_read = v2_lr_read,
    .lr_write = v2_lr_write,
    .enable = v2_enable,
    .maintenance = v2_maintenance,
};
