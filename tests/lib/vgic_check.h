/* What must hold of a domain's vGIC state at any time outside its lock,
 * for test_vgic and fuzz_vgic (over the fake architecture, whose list
 * registers they can read): returns NULL, or what is wrong.
 *   - every interrupt's INTID, target and route agree with where it is;
 *   - an interrupt marked in_lr sits in exactly one used list register of
 *     exactly one vCPU, and every used list register holds one so marked;
 *   - a vCPU uses no more list registers than the CPU has;
 *   - an interrupt that wants a list register has its bit in its vCPU's
 *     want bitmap (the fill and WFI look nowhere else);
 *   - the bytes between the end of the SPI array and the end of the
 *     allocation still hold the canary vgic_canary_fill() put there. */
#ifndef TESTS_VGIC_CHECK_H
#define TESTS_VGIC_CHECK_H

#include <fake.h>
#include <string.h>
#include "vgic_priv.h"

#define VGIC_CANARY 0xa5

static inline unsigned char *vgic_tail(struct domain *d, size_t *len)
{
    struct vgic_dist *vd = vgic_dist(d);
    unsigned char *end = (unsigned char *)(vd->spi + vd->nr_spis);
    *len = (size_t)((unsigned char *)vd + vd->alloc_size - end);
    return end;
}

/* After vgic_domain_init: the allocation's slack past the SPIs. */
static inline void vgic_canary_fill(struct domain *d)
{
    size_t len;
    unsigned char *p = vgic_tail(d, &len);
    memset(p, VGIC_CANARY, len);
}

static inline const char *vgic_check_irq(struct domain *d, const struct vgic_irq *irq, unsigned intid, int owner)
{
    struct vgic_dist *vd = vgic_dist(d);
    if (irq->intid != intid)
        return "an interrupt's INTID is not where it is stored";
    if (owner >= 0 && irq->target != owner)
        return "a private interrupt's target is not its vCPU";
    if (owner < 0) {
        if (irq->target != VGIC_NO_VCPU && irq->target >= d->nr_vcpus)
            return "an SPI targets a vCPU the domain does not have";
        if (irq->target != vgic_route_target(d, irq->route))
            return "an SPI's target does not follow its route";
        if (vd->version == 2 && (irq->route & ~((1ULL << d->nr_vcpus) - 1)))
            return "an ITARGETSR byte names a CPU interface that does not exist";
    }
    if (irq->hw && intid < VGIC_NR_PRIVATE)
        return "a private interrupt is marked forwarded";
    if (intid < VGIC_NR_SGIS && !irq->edge)
        return "an SGI is not edge-triggered";
    if (irq->lr_from_level && !irq->in_lr)
        return "lr_from_level outside a list register";
    return NULL;
}

/* cpu_of(v): the CPU whose list registers hold v's state (its pcpu). */
static inline const char *vgic_check(struct domain *d)
{
    struct vgic_dist *vd = vgic_dist(d);
    unsigned nr_irqs = VGIC_NR_PRIVATE + vd->nr_spis;
    const char *why;
    size_t len;
    unsigned char *tail = vgic_tail(d, &len);
    for (size_t i = 0; i < len; i++)
        if (tail[i] != VGIC_CANARY)
            return "a byte past the SPI array was written";
    /* how many list registers hold each interrupt: [vCPU][INTID] for the
     * private ones, [INTID] for SPIs */
    static unsigned char in_lrs_priv[DOMAIN_MAX_VCPUS][VGIC_NR_PRIVATE], in_lrs_spi[VGIC_MAX_SPIS];
    memset(in_lrs_priv, 0, sizeof(in_lrs_priv));
    memset(in_lrs_spi, 0, sizeof(in_lrs_spi));
    for (unsigned c = 0; c < d->nr_vcpus; c++) {
        struct vgic_cpu *vc = &vd->cpu[c];
        if (vc->nr_used_lrs > vgic_hw_nr_lrs())
            return "a vCPU uses more list registers than its CPU has";
        for (unsigned i = 0; i < vc->nr_used_lrs; i++) {
            unsigned intid = vc->lr_intid[i];
            struct fake_lr *lr = fake_lr(d->vcpus[c].pcpu, i);
            if (intid >= nr_irqs)
                return "a list register holds an INTID the domain does not have";
            if (!lr->used || lr->intid != intid)
                return "a used list register is not what the vGIC wrote";
            if (intid < VGIC_NR_PRIVATE)
                in_lrs_priv[c][intid]++;
            else
                in_lrs_spi[intid - VGIC_NR_PRIVATE]++;
        }
    }
    for (unsigned c = 0; c < d->nr_vcpus; c++)
        for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++) {
            const struct vgic_irq *irq = &vd->cpu[c].priv[i];
            if ((why = vgic_check_irq(d, irq, i, (int)c)))
                return why;
            if (in_lrs_priv[c][i] != (irq->in_lr ? 1 : 0))
                return "a private interrupt is in_lr but not in exactly one list register (or the reverse)";
        }
    for (unsigned i = 0; i < vd->nr_spis; i++) {
        const struct vgic_irq *irq = &vd->spi[i];
        if ((why = vgic_check_irq(d, irq, VGIC_NR_PRIVATE + i, -1)))
            return why;
        if (in_lrs_spi[i] != (irq->in_lr ? 1 : 0))
            return "an SPI is in_lr but not in exactly one list register (or the reverse)";
    }
    for (unsigned c = 0; c < d->nr_vcpus; c++)
        for (unsigned i = 0; i < nr_irqs; i++) {
            struct vgic_irq *irq = vgic_get_irq(d, &d->vcpus[c], i);
            if (irq->target == c && vgic_irq_wants_lr(vd, irq) && !((vd->cpu[c].want[i / 64] >> (i % 64)) & 1))
                return "an interrupt wants a list register but its vCPU's want bit is clear";
        }
    return NULL;
}

/* Right after v's list registers were filled (nothing else since): the
 * state they carry has left the vGIC, and they hold the best candidates
 * in priority order. more: whether the fill asked for an underflow. */
static inline const char *vgic_check_fill(struct vcpu *v, bool more)
{
    struct vgic_dist *vd = vgic_dist(v->dom);
    struct vgic_cpu *vc = vgic_cpu(v);
    const struct vgic_irq *worst = NULL;
    for (unsigned i = 0; i < vc->nr_used_lrs; i++) {
        struct vgic_irq *irq = vgic_get_irq(v->dom, v, vc->lr_intid[i]);
        struct fake_lr *lr = fake_lr(v->pcpu, i);
        if (lr->st.pending && irq->pending)
            return "a list register's pending state is still pending in the vGIC";
        if (lr->st.active && irq->active)
            return "a list register's active state is still active in the vGIC";
        if (!lr->st.pending && !lr->st.active)
            return "a list register was filled with nothing to do";
        if (lr->st.priority != irq->priority)
            return "a list register's priority is not its interrupt's";
        if (worst &&
            (irq->priority < worst->priority || (irq->priority == worst->priority && irq->intid < worst->intid)))
            return "list registers not in priority order";
        worst = irq;
    }
    /* every interrupt left out is no better than the last one taken */
    bool left_out = false;
    for (unsigned i = 0; i < VGIC_NR_PRIVATE + vd->nr_spis; i++) {
        struct vgic_irq *irq = vgic_get_irq(v->dom, v, i);
        if (irq->in_lr || irq->target != v->id || !vgic_irq_wants_lr(vd, irq))
            continue;
        left_out = true;
        if (!worst || irq->priority < worst->priority ||
            (irq->priority == worst->priority && irq->intid < worst->intid))
            return "an interrupt left out of the list registers beats one put in";
    }
    if (left_out != more)
        return more ? "an underflow was asked for with nothing left out" : "interrupts left out and no underflow asked";
    return NULL;
}

#endif
