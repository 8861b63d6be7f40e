/* The virtual GIC: interrupt state per domain (SPIs) and per vCPU (SGIs and
 * PPIs), the emulated distributor and redistributors, and injection. The
 * CPU interface is the hardware's (GICv3 ICH_* list registers); arch code
 * moves pending interrupts into list registers on entry and back on exit. */
#ifndef XAM_VGIC_H
#define XAM_VGIC_H

#include <asm/spinlock.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/types.h>

#include <xam/guest_map.h>

#define VGIC_NR_SPIS 32 /* INTIDs 32..63: the vPL011 is SPI 32 */
#define VGIC_NR_IRQS (32 + VGIC_NR_SPIS)
#define VGIC_PPI_VTIMER VINTC_PPI_VTIMER
#define VGIC_PPI_EVTCHN VINTC_PPI_EVTCHN

struct vgic_irq {
    uint8_t priority;
    uint8_t target; /* SPIs: the vCPU it is routed to */
    bool enabled, pending, active, edge, in_lr;
    /* A level-sensitive source's line; while high the interrupt is pending.
     * lr_from_level: the pending state in the list register came only from
     * the line, so it is not latched back on exit (the line says). */
    bool level, lr_from_level;
    /* A host device's line, forwarded (irq_forward.c): masked at the host
     * while the guest handles it, unmasked when it is done. */
    bool hw;
    uint8_t source; /* SGIs: the vCPU that sent it (GICv2 reports it) */
};

struct vgic_cpu {
    struct vgic_irq priv[32]; /* SGIs and PPIs */
    bool rdist_asleep;        /* GICR_WAKER.ProcessorSleep */
    uint64_t lr_intid[16]; /* which INTID each used list register holds */
    unsigned nr_used_lrs;
    /* Set (under the lock) whenever something may have become deliverable
     * to this vCPU; cleared when a fill finds nothing. Read without the
     * lock on guest entry, so that an idle vCPU's entry skips the lock. */
    volatile bool maybe_pending;
};

struct vgic_dist {
    spinlock_t lock; /* all of a domain's vGIC state */
    unsigned version; /* 2 or 3: the host's, and so the register layout */
    bool enabled;
    struct vgic_irq spi[VGIC_NR_SPIS];
    struct vgic_cpu cpu[DOMAIN_MAX_VCPUS];
};

static inline struct vgic_dist *VD(struct domain *d) { return (struct vgic_dist *)d->intc_state; }
static inline struct vgic_cpu *VC(struct vcpu *v) { return &VD(v->dom)->cpu[v->id]; }

/* A host interrupt forwarded to d as this SPI (irq_forward.c). */
void vgic_set_hw(struct domain *d, unsigned intid);

struct domain;
struct vcpu;

/* At boot: the system registers the vGIC owns (GICv3 SGI generation). */
int vgic_register_sysregs(void);
/* version: the host GIC's; gicv: for GICv2, the host GICV frame. */
int vgic_domain_init(struct domain *d, unsigned version, paddr_t gicv);
/* Make intid (SGI/PPI of vcpu v, or SPI of its domain) pending and wake or
 * kick whoever must see it. */
void vgic_inject(struct vcpu *v, unsigned intid);
/* Drive a level-sensitive SPI's line (a virtual device's interrupt). */
void vgic_set_level(struct domain *d, unsigned intid, bool level);
/* Whether v has an enabled, pending interrupt (so WFI must not sleep).
 * Call with the domain's vGIC lock held. */
bool vgic_has_pending_locked(struct vcpu *v);
/* GICv3 ICC_SGI1R_EL1 write by v: send SGIs to the vCPUs it names. */
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);

/* Pick the interrupts for v's list registers: fills intids[] (highest
 * priority first, at most max) and says whether more were waiting. Called
 * with the lock held; marks them in_lr and moves their state to the LR. */
unsigned vgic_select_locked(struct vcpu *v, unsigned *intids, unsigned max, bool *more);
struct vgic_irq *vgic_irq(struct vcpu *v, unsigned intid);


#endif
