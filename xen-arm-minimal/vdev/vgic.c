/* Virtual GICv3 distributor and redistributors (MMIO emulation), interrupt
 * injection and list-register selection. One lock per domain guards it all:
 * vGIC traffic is rare next to guest execution, and one lock is easy to
 * reason about. Affinity routing is always on; every interrupt is group 1;
 * no LPIs or ITS. */
#include <asm/percpu.h>
#include <asm/vgic_hw.h>
#include <xam/emul.h>
#include <xam/memory.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <xam/irq_forward.h>
#include <xam/vgic.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_ITARGETSR 0x0800
#define GICD_SGIR 0x0f00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICD_V2_PIDR2 0x0fe8
#define PIDR2_GICV2 0x2b

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000

#define IIDR_ARM 0x0000043b
#define PIDR2_GICV3 0x3b
#define CTLR_ARE (1u << 4)
#define CTLR_RWP (1u << 31)
#define WAKER_PS (1u << 1)
#define WAKER_CA (1u << 2)

struct vgic_irq *vgic_irq(struct vcpu *v, unsigned intid)
{
    if (intid < 32)
        return &VC(v)->priv[intid];
    if (intid < VGIC_NR_IRQS)
        return &VD(v->dom)->spi[intid - 32];
    return NULL;
}

/* The vCPU that must see intid, for SPIs the one it is routed to. */
static struct vcpu *owner(struct domain *d, struct vcpu *v, unsigned intid)
{
    if (intid < 32)
        return v;
    unsigned t = VD(d)->spi[intid - 32].target;
    return &d->vcpus[t < d->nr_vcpus ? t : 0];
}

static bool deliverable(struct domain *d, unsigned intid, const struct vgic_irq *irq)
{
    return irq->enabled && (irq->pending || irq->active || irq->level) && (intid < 32 || VD(d)->enabled);
}

bool vgic_has_pending_locked(struct vcpu *v)
{
    struct domain *d = v->dom;
    for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
        struct vgic_irq *irq = vgic_irq(v, i);
        if (i >= 32 && owner(d, v, i) != v)
            continue;
        if (irq->enabled && (irq->pending || irq->level) && (i < 32 || VD(d)->enabled))
            return true;
    }
    return false;
}

static void notify(struct vcpu *t)
{
    __atomic_store_n(&VC(t)->maybe_pending, true, __ATOMIC_RELEASE);
    /* A sleeping vCPU wakes; a running one on another CPU must leave the
     * guest so that its list registers get refilled. */
    if (t->state == VCPU_BLOCKED)
        sched_wake(t);
    else if (t->state == VCPU_RUNNABLE && t->pcpu != this_cpu_id())
        sched_kick(t->pcpu);
}

static void set_pending(struct domain *d, struct vcpu *v, unsigned intid)
{
    struct vgic_irq *irq = vgic_irq(v, intid);
    if (!irq)
        return;
    irq->pending = true;
    if (deliverable(d, intid, irq))
        notify(owner(d, v, intid));
}

void vgic_inject(struct vcpu *v, unsigned intid)
{
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    set_pending(d, v, intid);
    spin_unlock_irqrestore(&VD(d)->lock, flags);
}

void vgic_set_level(struct domain *d, unsigned intid, bool level)
{
    if (intid < 32 || intid >= VGIC_NR_IRQS)
        return;
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    struct vgic_irq *irq = &VD(d)->spi[intid - 32];
    bool rising = level && !irq->level;
    irq->level = level;
    if (rising && deliverable(d, intid, irq))
        notify(owner(d, &d->vcpus[0], intid));
    spin_unlock_irqrestore(&VD(d)->lock, flags);
}

void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r)
{
    struct domain *d = v->dom;
    unsigned intid = (sgi1r >> 24) & 0xf;
    bool all_others = (sgi1r >> 40) & 1; /* IRM */
    uint64_t aff123 = (sgi1r >> 16 & 0xff) | (sgi1r >> 32 & 0xff) << 8 | (sgi1r >> 48 & 0xff) << 16;
    unsigned rs = (sgi1r >> 44) & 0xf;

    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        /* vCPU i has MPIDR Aff0 = i, higher affinities 0 */
        bool hit = all_others ? i != v->id
                              : aff123 == 0 && i / 16 == rs && ((sgi1r & 0xffff) >> (i % 16)) & 1;
        if (hit) {
            VC(&d->vcpus[i])->priv[intid].source = (uint8_t)v->id;
            set_pending(d, &d->vcpus[i], intid);
        }
    }
    spin_unlock_irqrestore(&VD(d)->lock, flags);
}

/* GICv2 GICD_SGIR write (locked). */
static void sgir_write(struct vcpu *v, uint32_t val)
{
    struct domain *d = v->dom;
    unsigned intid = val & 0xf, filter = (val >> 24) & 3, list = (val >> 16) & 0xff;
    for (unsigned i = 0; i < d->nr_vcpus && i < 8; i++) {
        bool hit = filter == 0 ? (list >> i) & 1 : filter == 1 ? i != v->id : filter == 2 ? i == v->id : false;
        if (hit) {
            VC(&d->vcpus[i])->priv[intid].source = (uint8_t)v->id;
            set_pending(d, &d->vcpus[i], intid);
        }
    }
}

unsigned vgic_select_locked(struct vcpu *v, unsigned *intids, unsigned max, bool *more)
{
    struct domain *d = v->dom;
    unsigned n = 0;
    uint64_t taken = 0; /* bit per INTID already chosen */
    *more = false;
    for (;;) {
        int best = -1;
        for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
            struct vgic_irq *irq = vgic_irq(v, i);
            if ((taken >> i) & 1 || irq->in_lr || !deliverable(d, i, irq) || (i >= 32 && owner(d, v, i) != v))
                continue;
            if (best < 0 || irq->priority < vgic_irq(v, (unsigned)best)->priority)
                best = (int)i;
        }
        if (best < 0)
            return n;
        if (n == max) {
            *more = true;
            return n;
        }
        taken |= 1ULL << best;
        intids[n++] = (unsigned)best;
    }
}

static struct vgic_lr_state vgic_lr_take(struct vcpu *v, unsigned intid)
{
    struct vgic_irq *irq = vgic_irq(v, intid);
    /* a forwarded line stays high until the guest is done: not pending
     * again while it is being handled */
    bool line = irq->level && !(irq->hw && irq->active);
    struct vgic_lr_state st = { irq->pending || line, irq->active, irq->priority, irq->source };
    /* A level source's pending state is its line: not latched back. */
    irq->lr_from_level = !irq->pending && irq->level;
    irq->pending = irq->active = false;
    irq->in_lr = true;
    return st;
}

static void vgic_lr_give_back(struct vcpu *v, unsigned intid, bool pending, bool active)
{
    struct vgic_irq *irq = vgic_irq(v, intid);
    if (pending && !irq->lr_from_level)
        irq->pending = true;
    irq->active = active;
    irq->in_lr = false;
    if (irq->hw && irq->level && !pending && !active) {
        /* handled: let the device raise it again */
        irq->level = false;
        irq_forward_done(intid);
    }
    if (irq->pending || irq->active || irq->level)
        VC(v)->maybe_pending = true;
}

/* ---- MMIO emulation ------------------------------------------------------ */

/* Bit-per-interrupt registers. first: INTID of bit 0 of this word. */
static uint32_t read_bits(struct vcpu *v, unsigned first, unsigned width, unsigned reg)
{
    uint32_t val = 0;
    for (unsigned b = 0; b < width; b++) {
        struct vgic_irq *irq = vgic_irq(v, first + b);
        if (!irq)
            break;
        bool bit = reg == GICD_ISENABLER || reg == GICD_ICENABLER ? irq->enabled
                   : reg == GICD_ISPENDR || reg == GICD_ICPENDR   ? irq->pending
                                                                  : irq->active;
        val |= (uint32_t)bit << b;
    }
    return val;
}

static void write_bits(struct vcpu *v, unsigned first, unsigned width, unsigned reg, uint32_t val)
{
    struct domain *d = v->dom;
    for (unsigned b = 0; b < width; b++) {
        if (!((val >> b) & 1))
            continue;
        unsigned intid = first + b;
        struct vgic_irq *irq = vgic_irq(v, intid);
        if (!irq)
            break;
        switch (reg) {
        case GICD_ISENABLER: irq->enabled = true; break;
        case GICD_ICENABLER: irq->enabled = false; break;
        case GICD_ISPENDR: irq->pending = true; break;
        case GICD_ICPENDR: irq->pending = false; break;
        case GICD_ISACTIVER: irq->active = true; break;
        case GICD_ICACTIVER: irq->active = false; break;
        }
        if (deliverable(d, intid, irq))
            notify(owner(d, v, intid));
    }
}

/* Registers common to GICD (SPIs, first = 32) and the redistributor's SGI
 * frame (private interrupts, first = 0). */
static bool irq_regs(struct vcpu *v, struct mmio_access *a, unsigned off, unsigned base_intid, unsigned nr)
{
    if (off >= GICD_IGROUPR && off < GICD_IGROUPR + 0x80) {
        if (!a->write)
            a->value = 0xffffffff; /* everything is group 1 */
        return true;
    }
    if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR) {
        unsigned reg = off & ~0x7fu, word = (off & 0x7f) / 4;
        unsigned first = word * 32;
        if (first < base_intid || first >= base_intid + nr) {
            if (!a->write)
                a->value = 0;
            return true;
        }
        if (a->write)
            write_bits(v, first, 32, reg, (uint32_t)a->value);
        else
            a->value = read_bits(v, first, 32, reg);
        return true;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
        unsigned intid = off - GICD_IPRIORITYR;
        for (unsigned i = 0; i < a->size && i < 8; i++) {
            struct vgic_irq *irq = intid + i >= base_intid && intid + i < base_intid + nr ? vgic_irq(v, intid + i) : NULL;
            if (a->write && irq)
                irq->priority = (uint8_t)(a->value >> (8 * i));
            else if (!a->write)
                a->value |= (uint64_t)(irq ? irq->priority : 0) << (8 * i);
        }
        return true;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        unsigned first = (off - GICD_ICFGR) * 4;
        for (unsigned b = 0; b < 16; b++) {
            unsigned intid = first + b;
            struct vgic_irq *irq = intid >= base_intid && intid < base_intid + nr ? vgic_irq(v, intid) : NULL;
            if (!irq)
                continue;
            if (a->write && intid >= 16) /* SGIs are always edge */
                irq->edge = (a->value >> (2 * b + 1)) & 1;
            else if (!a->write)
                a->value |= (uint64_t)irq->edge << (2 * b + 1);
        }
        return true;
    }
    return false;
}

/* Route SPI intid to vCPU target; a pending one must reach its new owner. */
static void retarget(struct domain *d, struct vcpu *v, unsigned intid, uint8_t target)
{
    struct vgic_irq *irq = &VD(d)->spi[intid - 32];
    irq->target = target;
    if (deliverable(d, intid, irq))
        notify(owner(d, v, intid));
}

static enum emul_result dist_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct domain *d = v->dom;
    unsigned off = (unsigned)(a->ipa - VGIC_DIST_BASE);
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    if (!a->write)
        a->value = 0;

    if (VD(d)->version == 2 && off >= GICD_ITARGETSR && off < GICD_ITARGETSR + VGIC_NR_IRQS) {
        for (unsigned i = 0; i < a->size && i < 4; i++) {
            unsigned intid = off - GICD_ITARGETSR + i;
            if (intid < 32) { /* banked: the accessing vCPU's own bit */
                if (!a->write)
                    a->value |= (uint64_t)(1u << (v->id & 7)) << (8 * i);
            } else if (a->write) {
                uint8_t mask = (uint8_t)(a->value >> (8 * i));
                if (mask)
                    retarget(d, v, intid, (uint8_t)__builtin_ctz(mask));
            } else {
                a->value |= (uint64_t)(1u << (VD(d)->spi[intid - 32].target & 7)) << (8 * i);
            }
        }
    } else if (VD(d)->version == 2 && off == GICD_SGIR) {
        if (a->write)
            sgir_write(v, (uint32_t)a->value);
    } else if (VD(d)->version == 2 && off == GICD_V2_PIDR2) {
        a->value = PIDR2_GICV2;
    } else if (off == GICD_CTLR) {
        if (a->write) {
            VD(d)->enabled = a->value & 3;
            for (unsigned i = 32; i < VGIC_NR_IRQS && VD(d)->enabled; i++)
                if (deliverable(d, i, &VD(d)->spi[i - 32]))
                    notify(owner(d, v, i));
        } else {
            a->value = (VD(d)->version == 3 ? CTLR_ARE : 0) | (VD(d)->enabled ? 3 : 0);
        }
    } else if (off == GICD_TYPER) {
        /* ITLinesNumber; GICv3: 10 ID bits; GICv2: CPUNumber */
        a->value = (VGIC_NR_IRQS / 32 - 1) |
                   (VD(d)->version == 3 ? 9u << 19 : (uint32_t)((d->nr_vcpus - 1) & 7) << 5);
    } else if (off == GICD_IIDR) {
        a->value = IIDR_ARM;
    } else if (off == GICD_PIDR2) {
        a->value = PIDR2_GICV3;
    } else if (VD(d)->version == 3 && off >= GICD_IROUTER + 32 * 8 && off < GICD_IROUTER + VGIC_NR_IRQS * 8) {
        struct vgic_irq *irq = &VD(d)->spi[(off - GICD_IROUTER) / 8 - 32];
        if (off % 8 == 0) {
            if (a->write) /* Aff0 names the vCPU; IRM (any CPU) means vCPU 0 */
                retarget(d, v, (off - GICD_IROUTER) / 8, (a->value >> 31) & 1 ? 0 : (uint8_t)(a->value & 0xff));
            else
                a->value = irq->target;
        }
    } else {
        /* GICv2 has no redistributors: the accessing vCPU's private
         * interrupts are banked into the distributor. Anything else is
         * reserved or unimplemented: RAZ/WI. */
        if (VD(d)->version == 2)
            irq_regs(v, a, off, 0, VGIC_NR_IRQS);
        else
            irq_regs(v, a, off, 32, VGIC_NR_SPIS);
    }
    spin_unlock_irqrestore(&VD(d)->lock, flags);
    return EMUL_HANDLED;
}

static enum emul_result rdist_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct domain *d = v->dom;
    uint64_t rel = a->ipa - VGIC_RDIST_BASE;
    struct vcpu *t = &d->vcpus[rel / VGIC_RDIST_STRIDE]; /* the redistributor's vCPU */
    unsigned off = (unsigned)(rel % VGIC_RDIST_STRIDE);
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    if (!a->write)
        a->value = 0;

    if (off == GICR_IIDR) {
        a->value = IIDR_ARM;
    } else if (off == GICR_TYPER || off == GICR_TYPER + 4) {
        uint64_t typer = (uint64_t)t->id << 32 | (uint64_t)t->id << 8 | (t->id == d->nr_vcpus - 1 ? 1u << 4 : 0);
        if (!a->write)
            a->value = off == GICR_TYPER ? typer : typer >> 32;
    } else if (off == GICR_WAKER) {
        if (a->write)
            VC(t)->rdist_asleep = a->value & WAKER_PS;
        else
            a->value = VC(t)->rdist_asleep ? WAKER_PS | WAKER_CA : 0;
    } else if (off == GICD_PIDR2) {
        a->value = PIDR2_GICV3;
    } else if (off >= GICR_SGI) {
        irq_regs(t, a, off - GICR_SGI, 0, 32);
    }
    spin_unlock_irqrestore(&VD(d)->lock, flags);
    return EMUL_HANDLED;
}

/* ---- list registers -------------------------------------------------------- */

/* Before entry: the highest-priority deliverable interrupts into the list
 * registers, which then hold their state until the next exit. */
static __attribute__((noinline)) void vgic_flush_slow(struct vcpu *v)
{
    struct vgic_cpu *vc = VC(v);
    struct domain *d = v->dom;
    unsigned intids[16];
    bool more;
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    unsigned n = vgic_select_locked(v, intids, MIN(vgic_hw_nr_lrs(), 16u), &more);
    if (n == 0)
        vc->maybe_pending = false;
    for (unsigned i = 0; i < n; i++) {
        struct vgic_lr_state st = vgic_lr_take(v, intids[i]);
        vc->lr_intid[i] = intids[i];
        vgic_hw_lr_write(i, intids[i], &st);
    }
    for (unsigned i = n; i < vc->nr_used_lrs; i++)
        vgic_hw_lr_clear(i);
    vc->nr_used_lrs = n;
    spin_unlock_irqrestore(&VD(d)->lock, flags);
    vgic_hw_enable(more);
}

/* Before entry, the hot path: nothing can be deliverable and no list
 * register holds state, so the registers are already clear and the lock
 * need not be taken. */
static void vgic_flush(struct vcpu *v)
{
    struct vgic_cpu *vc = VC(v);
    if (vc->nr_used_lrs == 0 && !__atomic_load_n(&vc->maybe_pending, __ATOMIC_ACQUIRE))
        return;
    vgic_flush_slow(v);
}

static __attribute__((noinline)) void vgic_sync_slow(struct vcpu *v)
{
    struct vgic_cpu *vc = VC(v);
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    for (unsigned i = 0; i < vc->nr_used_lrs; i++) {
        bool pending, active;
        vgic_hw_lr_read(i, &pending, &active);
        vgic_lr_give_back(v, (unsigned)vc->lr_intid[i], pending, active);
        vgic_hw_lr_clear(i);
    }
    vc->nr_used_lrs = 0;
    spin_unlock_irqrestore(&VD(d)->lock, flags);
}

/* After exit: the list registers' state back into the vGIC. */
static void vgic_sync(struct vcpu *v)
{
    if (VC(v)->nr_used_lrs)
        vgic_sync_slow(v);
}

static bool vgic_block(struct vcpu *v, void (*sleep)(struct vcpu *v))
{
    struct domain *d = v->dom;
    uint64_t flags = spin_lock_irqsave(&VD(d)->lock);
    bool pending = vgic_has_pending_locked(v);
    if (!pending)
        sleep(v);
    spin_unlock_irqrestore(&VD(d)->lock, flags);
    return !pending;
}

void vgic_set_hw(struct domain *d, unsigned intid)
{
    if (intid >= 32 && intid < VGIC_NR_IRQS)
        VD(d)->spi[intid - 32].hw = true;
}

static void vgic_release(struct domain *d)
{
    memory_free((paddr_t)(uintptr_t)d->intc_state, ALIGN_UP(sizeof(struct vgic_dist), PAGE_SIZE));
}

static const struct vintc_ops vgic_ops = {
    .flush = vgic_flush,
    .sync = vgic_sync,
    .block = vgic_block,
    .inject = vgic_inject,
    .set_level = vgic_set_level,
    .release = vgic_release,
};

/* GICv3 guests send SGIs by writing ICC_SGI1R_EL1 (ICH_HCR_EL2 traps it
 * with TC... ; QEMU and hardware trap it to EL2 with ICC_SRE set). */
static enum emul_result sgi1r_write(struct vcpu *v, struct sysreg_access *a)
{
    if (a->read)
        return EMUL_FAULT;
    vgic_send_sgi(v, a->value);
    return EMUL_HANDLED;
}

int vgic_register_sysregs(void)
{
    static const struct sysreg_handler h[] = {
        { SYSREG_KEY(3, 0, 12, 11, 5), SYSREG_KEY_MASK, sgi1r_write, "ICC_SGI1R_EL1" },
        { SYSREG_KEY(3, 0, 12, 11, 6), SYSREG_KEY_MASK, sgi1r_write, "ICC_ASGI1R_EL1" },
        { SYSREG_KEY(3, 0, 12, 11, 7), SYSREG_KEY_MASK, sgi1r_write, "ICC_SGI0R_EL1" },
    };
    if (vgic_hw_version() != 3)
        return 0;
    for (unsigned i = 0; i < ARRAY_SIZE(h); i++) {
        int rc = emul_sysreg_register(&h[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int vgic_domain_init(struct domain *d, unsigned version, paddr_t gicv)
{
    paddr_t pa;
    int rc = memory_alloc(ALIGN_UP(sizeof(struct vgic_dist), PAGE_SIZE), PAGE_SIZE, &pa);
    if (rc)
        return rc;
    d->intc_state = (void *)(uintptr_t)pa;
    memset(d->intc_state, 0, sizeof(struct vgic_dist));
    d->intc = &vgic_ops;
    VD(d)->version = version;
    for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
        VD(d)->spi[i].priority = 0xa0;
    for (unsigned c = 0; c < d->nr_vcpus; c++) {
        struct vgic_cpu *vc = VC(&d->vcpus[c]);
        memset(vc, 0, sizeof(*vc));
        vc->rdist_asleep = true;
        for (unsigned i = 0; i < 32; i++) {
            vc->priv[i].priority = 0xa0;
            vc->priv[i].edge = i < 16;
        }
    }
    if (version == 2) {
        struct mmio_region dist = { VGIC_DIST_BASE, VGIC_V2_DIST_SIZE, dist_mmio, NULL, "GICD" };
        rc = domain_add_mmio(d, &dist);
        /* The guest's CPU interface is the hardware's virtual one. */
        return rc ? rc : domain_map_device(d, VGIC_V2_CPU_BASE, gicv, VGIC_V2_CPU_SIZE);
    }
    struct mmio_region dist = { VGIC_DIST_BASE, VGIC_DIST_SIZE, dist_mmio, NULL, "GICD" };
    struct mmio_region rdist = { VGIC_RDIST_BASE, VGIC_RDIST_STRIDE * d->nr_vcpus, rdist_mmio, NULL, "GICR" };
    rc = domain_add_mmio(d, &dist);
    return rc ? rc : domain_add_mmio(d, &rdist);
}
