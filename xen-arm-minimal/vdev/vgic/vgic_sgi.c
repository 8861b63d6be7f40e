/* Software-generated interrupts between a domain's vCPUs: GICv2 guests
 * write GICD_SGIR (vgic_v2_dist.c calls in here), GICv3 guests write
 * ICC_SGI1R_EL1, which traps to EL2 because HCR_EL2.IMO is set (the
 * virtual CPU interface cannot send SGIs itself). vCPU i's MPIDR has
 * Aff0 = i and the higher affinities 0. */
#include <asm/vgic_hw.h>
#include "vgic_priv.h"
#include <xam/vaffinity.h>

#define SGIR_INTID(v) ((v)&0xf)
#define SGIR_TARGETS(v) (((v) >> 16) & 0xff)
#define SGIR_FILTER(v) (((v) >> 24) & 3)
enum { SGIR_TO_LIST, SGIR_TO_OTHERS, SGIR_TO_SELF };

void vgic_v2_sgir_write(struct vcpu *v, uint32_t val)
{
    struct domain *d = v->dom;
    unsigned filter = SGIR_FILTER(val), list = SGIR_TARGETS(val);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        bool hit = filter == SGIR_TO_LIST ? (list >> i) & 1
            : filter == SGIR_TO_OTHERS    ? i != v->id
            : filter == SGIR_TO_SELF      ? i == v->id
                                          : false; /* 3: reserved, nothing is sent */
        if (hit)
            vgic_send_sgi_locked(v, &d->vcpus[i], SGIR_INTID(val));
    }
}

/* ICC_SGI1R_EL1 fields */
#define SGI1R_TARGETS(v) ((v)&0xffff)
#define SGI1R_AFF1(v) (((v) >> 16) & 0xff)
#define SGI1R_INTID(v) ((unsigned)((v) >> 24) & 0xf)
#define SGI1R_AFF2(v) (((v) >> 32) & 0xff)
#define SGI1R_IRM(v) (((v) >> 40) & 1)
#define SGI1R_RS(v) ((unsigned)((v) >> 44) & 0xf)
#define SGI1R_AFF3(v) (((v) >> 48) & 0xff)

void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r)
{
    struct domain *d = v->dom;
    struct vgic_dist *vd = vgic_dist(d);
    uint64_t flags = vgic_lock(vd);
    if (SGI1R_IRM(sgi1r)) {
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            if (i != v->id)
                vgic_send_sgi_locked(v, &d->vcpus[i], SGI1R_INTID(sgi1r));
    } else if (SGI1R_AFF2(sgi1r) == 0 && SGI1R_AFF3(sgi1r) == 0 && SGI1R_RS(sgi1r) == 0) {
        /* a target list names Aff0 0-15 within cluster Aff1: vCPUs
         * Aff1 * 16 + bit (xam/vaffinity.h); Aff0 never reaches 16, so a
         * range selector other than 0 names none */
        unsigned first = SGI1R_AFF1(sgi1r) * VAFF_PER_CLUSTER;
        uint64_t targets = SGI1R_TARGETS(sgi1r);
        for (unsigned b = 0; b < VAFF_PER_CLUSTER && first + b < d->nr_vcpus; b++)
            if ((targets >> b) & 1)
                vgic_send_sgi_locked(v, &d->vcpus[first + b], SGI1R_INTID(sgi1r));
    }
    vgic_unlock(vd, flags);
}

static enum emul_result sgi1r_write(struct vcpu *v, struct sysreg_access *a)
{
    if (a->read) /* write-only registers */
        return EMUL_FAULT;
    vgic_send_sgi(v, a->value);
    return EMUL_HANDLED;
}

int vgic_register_sysregs(void)
{
    /* ASGI1R and SGI0R name the other groups; every interrupt here is
     * group 1, so they send the same SGIs */
    static const struct sysreg_handler h[] = {
        { SYSREG_KEY(3, 0, 12, 11, 5), SYSREG_KEY_MASK, sgi1r_write, "ICC_SGI1R_EL1" },
        { SYSREG_KEY(3, 0, 12, 11, 6), SYSREG_KEY_MASK, sgi1r_write, "ICC_ASGI1R_EL1" },
        { SYSREG_KEY(3, 0, 12, 11, 7), SYSREG_KEY_MASK, sgi1r_write, "ICC_SGI0R_EL1" },
    };
    if (vgic_hw_version() != 3)
        return 0;
    return emul_sysreg_register(h, ARRAY_SIZE(h));
}
