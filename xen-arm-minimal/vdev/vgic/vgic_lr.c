/* The list registers: before every entry the highest-priority interrupts
 * that want one go into them, carrying their pending and active state;
 * after every exit that state comes back into the vGIC and the registers
 * are cleared. So between an exit and the next entry the vGIC holds every
 * interrupt's whole state, and the register emulation never has to look
 * at another CPU's list registers for its own vCPU's interrupts. */
#include <asm/vgic_hw.h>
#include <xam/irq_forward.h>
#include "vgic_priv.h"

/* Whether a sorts before b: higher priority (lower value), then lower INTID. */
static bool before(const struct vgic_irq *a, const struct vgic_irq *b)
{
    return a->priority < b->priority || (a->priority == b->priority && a->intid < b->intid);
}

/* Keep out[0..*n) sorted and at most max long. */
static void offer(struct vgic_irq *irq, struct vgic_irq **out, unsigned *n, unsigned max, bool *more)
{
    if (*n == max) {
        *more = true;
        if (max == 0 || !before(irq, out[max - 1]))
            return;
        (*n)--; /* the last one makes room */
    }
    unsigned i = *n;
    for (; i > 0 && before(irq, out[i - 1]); i--)
        out[i] = out[i - 1];
    out[i] = irq;
    (*n)++;
}

unsigned vgic_select_locked(struct vcpu *v, struct vgic_irq **out, unsigned max, bool *more)
{
    unsigned n = 0, cursor = 0;
    *more = false;
    for (struct vgic_irq *irq; (irq = vgic_next_wanting(v, &cursor));)
        if (!irq->in_lr)
            offer(irq, out, &n, max, more);
    return n;
}

/* irq's state into a list register: it leaves the vGIC. Pending only if
 * it may be delivered (an active one may be disabled meanwhile). */
static struct vgic_lr_state lr_take(const struct vgic_dist *vd, struct vgic_irq *irq)
{
    /* a forwarded line stays high until the guest is done: not pending
     * again while it is being handled */
    bool line = irq->level && !(irq->hw && irq->active);
    bool pending = irq->enabled && (irq->pending || line) && (irq->intid < VGIC_NR_PRIVATE || vd->ctlr);
    struct vgic_lr_state st = { pending, irq->active, irq->priority, irq->source };
    /* a level source's pending state is its line: not latched back */
    irq->lr_from_level = pending && !irq->pending;
    if (pending)
        irq->pending = false;
    irq->active = false;
    irq->in_lr = true;
    return st;
}

/* A list register's state back into the vGIC. What the vGIC was told
 * meanwhile (a new edge, an MMIO write) is merged, not overwritten. */
static void lr_give_back(struct domain *d, struct vgic_irq *irq, bool pending, bool active)
{
    if (pending && !irq->lr_from_level)
        irq->pending = true;
    irq->active |= active;
    irq->in_lr = irq->lr_from_level = false;
    if (irq->hw && irq->level && !pending && !active) {
        /* handled: let the device raise it again */
        irq->level = false;
        irq_forward_done(irq->intid);
    }
    vgic_irq_changed(d, irq);
}

/* The used list registers' states, read and cleared: this CPU's own
 * registers, so without the lock (on QEMU each access takes its big lock,
 * which the vGIC lock's waiters may hold). */
struct lr_states {
    bool pending[VGIC_MAX_LRS], active[VGIC_MAX_LRS];
};

static void lrs_read(const struct vgic_cpu *vc, struct lr_states *st)
{
    for (unsigned i = 0; i < vc->nr_used_lrs; i++) {
        vgic_hw_lr_read(i, &st->pending[i], &st->active[i]);
        vgic_hw_lr_clear(i);
    }
}

/* What lrs_read() found back into the vGIC (locked). */
static void give_back_locked(struct vcpu *v, const struct lr_states *st)
{
    struct vgic_cpu *vc = vgic_cpu(v);
    for (unsigned i = 0; i < vc->nr_used_lrs; i++) {
        struct vgic_irq *irq = vgic_get_irq(v->dom, v, vc->lr_intid[i]);
        if (irq)
            lr_give_back(v->dom, irq, st->pending[i], st->active[i]);
    }
    vc->nr_used_lrs = 0;
}

/* The slow halves out of line: the fast paths below, taken on nearly every
 * entry and exit, then need no stack frame. */
static __attribute__((noinline)) void flush_slow(struct vcpu *v)
{
    struct vgic_cpu *vc = vgic_cpu(v);
    struct vgic_dist *vd = vgic_dist(v->dom);
    struct vgic_irq *chosen[VGIC_MAX_LRS];
    struct vgic_lr_state st[VGIC_MAX_LRS];
    struct lr_states old;
    bool more;
    lrs_read(vc, &old); /* not drained since the last fill: rare */
    uint64_t flags = vgic_lock(vd);
    give_back_locked(v, &old);
    /* cleared before choosing: whatever is told after this is seen by the
     * next entry, or its kick makes one */
    __atomic_store_n(&vc->maybe_pending, false, __ATOMIC_RELAXED);
    unsigned n = vgic_select_locked(v, chosen, MIN(vgic_hw_nr_lrs(), VGIC_MAX_LRS), &more);
    for (unsigned i = 0; i < n; i++) {
        st[i] = lr_take(vd, chosen[i]);
        vc->lr_intid[i] = chosen[i]->intid;
    }
    vc->nr_used_lrs = n;
    /* the ones left out come in when the registers run low */
    if (more)
        vc->maybe_pending = true;
    vgic_unlock(vd, flags);
    /* into this CPU's registers after the lock, as lrs_read(): the
     * interrupts are marked in_lr, so a change meanwhile kicks this CPU
     * and comes back through the next exit's drain */
    for (unsigned i = 0; i < n; i++)
        vgic_hw_lr_write(i, vc->lr_intid[i], &st[i]);
    vgic_hw_enable(more);
}

void vgic_flush(struct vcpu *v)
{
    struct vgic_cpu *vc = vgic_cpu(v);
    /* Nothing can want a list register and none holds state: they are
     * already clear, and the lock need not be taken. */
    if (vc->nr_used_lrs || __atomic_load_n(&vc->maybe_pending, __ATOMIC_ACQUIRE))
        flush_slow(v);
}

static __attribute__((noinline)) void sync_slow(struct vcpu *v)
{
    struct vgic_dist *vd = vgic_dist(v->dom);
    struct lr_states now;
    lrs_read(vgic_cpu(v), &now);
    uint64_t flags = vgic_lock(vd);
    give_back_locked(v, &now);
    vgic_unlock(vd, flags);
}

void vgic_sync(struct vcpu *v)
{
    if (vgic_cpu(v)->nr_used_lrs)
        sync_slow(v);
}
