/* A forwarded level interrupt is masked at the host GIC as it arrives and
 * its line raised in the guest's vGIC; when the guest has handled it (its
 * list register comes back neither pending nor active) the virtual line
 * drops and the host line is unmasked: a device still asserting fires
 * again. A rising-edge one (the host line configured so) is made pending
 * in the vGIC, the host line left unmasked: an edge while the guest
 * handles the last one is pending again, as on hardware. No list-register
 * HW bit: the same code serves GICv2 and GICv3. */
#include <asm/spinlock.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/gic.h>
#include <xam/irq.h>
#include <xam/irq_forward.h>
#include <xam/log.h>
#include <xam/vgic.h>

/* Which domain has each SPI the vGIC can carry. */
static struct domain *owner[VGIC_MAX_IRQS];
static bool edge[VGIC_MAX_IRQS];
static spinlock_t owner_lock = SPINLOCK_INIT;

static void forward(unsigned intid, void *arg __unused)
{
    bool e = __atomic_load_n(&edge[intid], __ATOMIC_RELAXED);
    if (!e)
        irq_disable_line(intid);
    struct domain *d = __atomic_load_n(&owner[intid], __ATOMIC_ACQUIRE);
    if (d && d->state == DOMAIN_RUNNING && d->intc) {
        if (e)
            d->intc->inject(&d->vcpus[0], intid);
        else
            d->intc->set_level(d, intid, true);
    }
}

int irq_forward_claim(struct domain *d, unsigned intid, bool is_edge)
{
    if (intid < 32 || intid >= VGIC_MAX_IRQS)
        return -XAM_EINVAL;
    if (intid >= gic()->nr_lines()) /* the host's GIC has no such line */
        return -XAM_ERANGE;
    uint64_t flags = spin_lock_irqsave(&owner_lock);
    int rc = owner[intid] && owner[intid] != d ? -XAM_EBUSY : irq_register(intid, forward, NULL);
    if (!rc) {
        /* the line is still disabled here: its trigger may change */
        if (gic()->set_edge)
            gic()->set_edge(intid, is_edge);
        __atomic_store_n(&edge[intid], is_edge, __ATOMIC_RELAXED);
        __atomic_store_n(&owner[intid], d, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&owner_lock, flags);
    if (rc)
        return rc;
    vgic_set_hw(d, intid);
    irq_enable_line(intid);
    return 0;
}

void irq_forward_release(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&owner_lock);
    for (unsigned i = 32; i < VGIC_MAX_IRQS; i++)
        if (owner[i] == d) {
            irq_disable_line(i);
            if (edge[i] && gic()->set_edge)
                gic()->set_edge(i, false);
            __atomic_store_n(&edge[i], false, __ATOMIC_RELAXED);
            __atomic_store_n(&owner[i], NULL, __ATOMIC_RELEASE);
        }
    spin_unlock_irqrestore(&owner_lock, flags);
}

void irq_forward_done(unsigned intid)
{
    if (intid < VGIC_MAX_IRQS && __atomic_load_n(&owner[intid], __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&edge[intid], __ATOMIC_RELAXED))
        irq_enable_line(intid);
}

int irq_forward_init(void) { return domain_add_stop_hook(irq_forward_release); }
