/* The vGIC's state and what changes it from outside the guest's register
 * accesses: a domain's allocation, injection (edge, level, forwarded host
 * lines), WFI, and the struct vintc_ops the core calls. Affinity routing is
 * always on for GICv3 guests; no LPIs or ITS. */
#include <asm/percpu.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/memory.h>
#include <xam/sched.h>
#include <xam/vaffinity.h>
#include "vgic_priv.h"

_Static_assert(DOMAIN_MAX_VCPUS < VGIC_NO_VCPU, "a vCPU index fits an interrupt's target byte");
#define VGIC_V2_MAX_VCPUS 8 /* GICv2 has 8 CPU interfaces (ITARGETSR bits) */
_Static_assert(32 + VGIC_MAX_SPIS <= 1020, "INTIDs 1020-1023 are special");

struct vgic_irq *vgic_get_irq(struct domain *d, struct vcpu *v, unsigned intid)
{
    struct vgic_dist *vd = vgic_dist(d);
    if (intid < VGIC_NR_PRIVATE)
        return v ? &vd->cpu[v->id].priv[intid] : NULL;
    if (intid - VGIC_NR_PRIVATE < vd->nr_spis)
        return &vd->spi[intid - VGIC_NR_PRIVATE];
    return NULL;
}

bool vgic_irq_pending_deliverable(const struct vgic_dist *vd, const struct vgic_irq *irq)
{
    return irq->enabled && (irq->pending || irq->level) && (irq->intid < VGIC_NR_PRIVATE || vd->ctlr);
}

bool vgic_irq_wants_lr(const struct vgic_dist *vd, const struct vgic_irq *irq)
{
    return irq->target != VGIC_NO_VCPU && (irq->active || vgic_irq_pending_deliverable(vd, irq));
}

static void notify(struct vcpu *t)
{
    __atomic_store_n(&vgic_cpu(t)->maybe_pending, true, __ATOMIC_RELEASE);
    /* A sleeping vCPU wakes; a running one on another CPU must leave the
     * guest so that its list registers get refilled. */
    if (t->state == VCPU_BLOCKED)
        sched_wake(t);
    else if (t->state == VCPU_RUNNABLE && t->pcpu != this_cpu_id() && !sched_poll_notify(t))
        sched_kick_guest(t->pcpu);
}

void vgic_irq_changed(struct domain *d, struct vgic_irq *irq)
{
    if (vgic_irq_wants_lr(vgic_dist(d), irq)) {
        struct vcpu *t = &d->vcpus[irq->target];
        vgic_cpu(t)->want[irq->intid / 64] |= 1ULL << (irq->intid % 64);
        notify(t);
    }
}

struct vgic_irq *vgic_next_wanting(struct vcpu *v, unsigned *cursor)
{
    struct vgic_dist *vd = vgic_dist(v->dom);
    uint64_t *want = vgic_cpu(v)->want;
    unsigned end = VGIC_NR_PRIVATE + vd->nr_spis;
    for (unsigned i = *cursor; i < end;) {
        uint64_t bits = want[i / 64] >> (i % 64);
        if (!bits) {
            i = (i / 64 + 1) * 64;
            continue;
        }
        i += (unsigned)__builtin_ctzll(bits);
        if (i >= end)
            break;
        struct vgic_irq *irq = vgic_get_irq(v->dom, v, i);
        if (irq->target == v->id && vgic_irq_wants_lr(vd, irq)) {
            *cursor = i + 1;
            return irq;
        }
        /* no longer wanted here: forget it until it is again */
        want[i / 64] &= ~(1ULL << (i % 64));
        i++;
    }
    *cursor = end;
    return NULL;
}

void vgic_set_pending_locked(struct domain *d, struct vgic_irq *irq)
{
    irq->pending = true;
    vgic_irq_changed(d, irq);
}

void vgic_send_sgi_locked(struct vcpu *from, struct vcpu *to, unsigned intid)
{
    struct vgic_irq *irq = &vgic_cpu(to)->priv[intid % VGIC_NR_SGIS];
    /* One pending state per SGI, as on GICv3: a GICv2 guest is told the
     * latest sender. */
    irq->source = (uint8_t)from->id;
    vgic_set_pending_locked(to->dom, irq);
}

uint8_t vgic_route_target(const struct domain *d, uint64_t route)
{
    if (vgic_dist(d)->version == 2) /* a CPU mask: the lowest CPU named */
        return route & 0xff ? (uint8_t)__builtin_ctzll(route & 0xff) : VGIC_NO_VCPU;
    if (route & (1u << 31)) /* IRM: any vCPU will do */
        return 0;
    /* Aff1.Aff0 name the vCPU (its MPIDR, xam/vaffinity.h); Aff3 and
     * Aff2 are 0 */
    int id = vaffinity_vcpu(route & 0xff00ffffffULL, d->nr_vcpus);
    return id < 0 ? VGIC_NO_VCPU : (uint8_t)id;
}

void vgic_dist_enabled(struct domain *d)
{
    struct vgic_dist *vd = vgic_dist(d);
    for (unsigned i = 0; i < vd->nr_spis; i++)
        vgic_irq_changed(d, &vd->spi[i]);
}

static void vgic_inject(struct vcpu *v, unsigned intid)
{
    struct domain *d = v->dom;
    struct vgic_dist *vd = vgic_dist(d);
    uint64_t flags = vgic_lock(vd);
    struct vgic_irq *irq = vgic_get_irq(d, v, intid);
    if (irq)
        vgic_set_pending_locked(d, irq);
    vgic_unlock(vd, flags);
}

static void vgic_set_level(struct domain *d, unsigned intid, bool level)
{
    struct vgic_dist *vd = vgic_dist(d);
    uint64_t flags = vgic_lock(vd);
    struct vgic_irq *irq = intid >= VGIC_NR_PRIVATE ? vgic_get_irq(d, NULL, intid) : NULL;
    if (irq) {
        bool rising = level && !irq->level;
        irq->level = level;
        if (rising)
            vgic_irq_changed(d, irq);
    }
    vgic_unlock(vd, flags);
}

void vgic_set_hw(struct domain *d, unsigned intid)
{
    struct vgic_dist *vd = vgic_dist(d);
    uint64_t flags = vgic_lock(vd);
    struct vgic_irq *irq = intid >= VGIC_NR_PRIVATE ? vgic_get_irq(d, NULL, intid) : NULL;
    if (irq)
        irq->hw = true;
    vgic_unlock(vd, flags);
}

/* Whether v has an interrupt to take (so WFI must not sleep), locked.
 * One that is pending and deliverable wants a list register: its bit is
 * set. */
static bool has_pending_locked(struct vcpu *v)
{
    struct vgic_dist *vd = vgic_dist(v->dom);
    unsigned cursor = 0;
    for (struct vgic_irq *irq; (irq = vgic_next_wanting(v, &cursor));)
        if (vgic_irq_pending_deliverable(vd, irq))
            return true;
    return false;
}

/* Under the lock, so that an injection on another CPU either is seen here
 * or finds v blocked and wakes it. */
static bool vgic_block(struct vcpu *v, void (*sleep)(struct vcpu *v))
{
    struct vgic_dist *vd = vgic_dist(v->dom);
    uint64_t flags = vgic_lock(vd);
    bool pending = has_pending_locked(v);
    if (!pending)
        sleep(v);
    vgic_unlock(vd, flags);
    return !pending;
}

static void vgic_release(struct domain *d) { memory_free((paddr_t)(uintptr_t)d->intc_state, vgic_dist(d)->alloc_size); }

static const struct vintc_ops vgic_ops = {
    .flush = vgic_flush,
    .sync = vgic_sync,
    .block = vgic_block,
    .inject = vgic_inject,
    .set_level = vgic_set_level,
    .release = vgic_release,
};

static void irq_reset(struct vgic_irq *irq, unsigned intid, uint8_t target)
{
    memset(irq, 0, sizeof(*irq));
    irq->intid = (uint16_t)intid;
    irq->priority = VGIC_PRIO_RESET;
    irq->target = target;
    irq->edge = intid < VGIC_NR_SGIS; /* SGIs are always edge */
}

static int add_regions(struct domain *d, unsigned version, paddr_t gicv)
{
    int rc;
    const struct guest_layout *l = &d->layout;
    if (version == 2) {
        struct mmio_region dist = { l->gicd, VGIC_V2_DIST_SIZE, vgic_v2_dist_mmio, NULL, "GICD" };
        rc = domain_add_mmio(d, &dist);
        /* The guest's CPU interface is the hardware's virtual one. */
        return rc ? rc : domain_map_device(d, l->gicc, gicv, VGIC_V2_CPU_SIZE);
    }
    struct mmio_region dist = { l->gicd, VGIC_DIST_SIZE, vgic_v3_dist_mmio, NULL, "GICD" };
    struct mmio_region rdist = { l->gicr, VGIC_RDIST_STRIDE * d->nr_vcpus, vgic_v3_rdist_mmio, NULL, "GICR" };
    rc = domain_add_mmio(d, &dist);
    return rc ? rc : domain_add_mmio(d, &rdist);
}

int vgic_domain_init(struct domain *d, unsigned version, paddr_t gicv, unsigned nr_spis)
{
    if ((version != 2 && version != 3) || !vgic_nr_spis_valid(nr_spis) || d->nr_vcpus < 1 ||
        d->nr_vcpus > (version == 2 ? VGIC_V2_MAX_VCPUS : DOMAIN_MAX_VCPUS))
        return -XAM_EINVAL;
    /* a redistributor per vCPU where its layout has room (the builder
     * said why not) */
    if (version == 3 && VGIC_RDIST_STRIDE * d->nr_vcpus > d->layout.gicr_room)
        return -XAM_EINVAL;
    uint64_t cpu_off = ALIGN_UP(sizeof(struct vgic_dist), 16);
    uint64_t spi_off = ALIGN_UP(cpu_off + d->nr_vcpus * sizeof(struct vgic_cpu), 16);
    uint64_t size = ALIGN_UP(spi_off + nr_spis * sizeof(struct vgic_irq), PAGE_SIZE);
    paddr_t pa;
    int rc = memory_alloc(size, PAGE_SIZE, &pa);
    if (rc)
        return rc;
    char *base = (char *)(uintptr_t)pa;
    memset(base, 0, size);
    struct vgic_dist *vd = (struct vgic_dist *)base;
    vd->lock = (spinlock_t)SPINLOCK_INIT;
    vd->version = version;
    vd->nr_spis = nr_spis;
    vd->alloc_size = size;
    vd->cpu = (struct vgic_cpu *)(base + cpu_off);
    vd->spi = (struct vgic_irq *)(base + spi_off);
    for (unsigned i = 0; i < nr_spis; i++) {
        /* routed to vCPU 0 until the guest says otherwise */
        irq_reset(&vd->spi[i], VGIC_NR_PRIVATE + i, 0);
        vd->spi[i].route = version == 2 ? 1 : 0;
    }
    for (unsigned c = 0; c < d->nr_vcpus; c++) {
        struct vgic_cpu *vc = &vd->cpu[c];
        vc->rdist_asleep = true;
        for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
            irq_reset(&vc->priv[i], i, (uint8_t)c);
    }
    d->intc_state = vd;
    d->intc = &vgic_ops;
    return add_regions(d, version, gicv);
}
