/* The guest side of the secondary PCI host bridge. Accesses to its ECAM
 * window and its two memory windows go to the device model's ioreq server
 * that claims them (core/ioreq.c); what no server claims reads as an
 * empty bus (all ones: "no device", what Linux probes safely) and writes
 * are dropped. The readiness page tells the guest whether its
 * device model has connected, so it can wait before probing: word 0 reads
 * 1 once connected (poll it); a read of word 1 waits until then (the vCPU
 * is held, EMUL_PENDING, and answered 1 at the connection, or 0 if its
 * device model stops first). */
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/ioreq.h>
#include <xam/vpci_bridge.h>

#define READY_WORD 0x0
#define WAIT_WORD 0x4

/* vCPUs waiting on word 1, by domain id: a bit per vCPU */
static spinlock_t waiters_lock = SPINLOCK_INIT;
#define WAITER_WORDS ((DOMAIN_MAX_VCPUS + 63) / 64)
static uint64_t waiters[MAX_DOMAINS + 1][WAITER_WORDS];

static void answer_waiters(struct domain *t, bool connected)
{
    uint64_t flags = spin_lock_irqsave(&waiters_lock);
    uint64_t *w = waiters[t->id];
    for (unsigned i = 0; i < t->nr_vcpus; i++)
        if ((w[i / 64] >> (i % 64)) & 1)
            emul_complete(&t->vcpus[i], connected ? 1 : 0, false);
    memset(w, 0, sizeof(waiters[0]));
    spin_unlock_irqrestore(&waiters_lock, flags);
}

static void forget_waiters(struct domain *d, void *arg __unused)
{
    uint64_t flags = spin_lock_irqsave(&waiters_lock);
    memset(waiters[d->id], 0, sizeof(waiters[0]));
    spin_unlock_irqrestore(&waiters_lock, flags);
}

/* ECAM: byte, halfword and word accesses, naturally aligned, as PCI
 * configuration space allows. Bus 0 only: 32 devices x 8 functions x
 * 4 KiB. */
static enum emul_result ecam_access(struct vcpu *v, struct mmio_access *a, void *dev __unused)
{
    if (a->size > 4 || !mmio_aligned(a))
        return EMUL_FAULT;
    bool claimed;
    uint64_t sbdf = a->off >> 12 < 256 ? a->off >> 12 : ~0ULL; /* bus 0: device.function */
    enum emul_result r = ioreq_forward(v, a, sbdf, (unsigned)(a->off & 0xfff), &claimed);
    if (!claimed && !a->write)
        a->value = ~0ULL;
    return r;
}

/* The memory windows, where the guest places the functions' BARs: any
 * width a BAR may be accessed with, naturally aligned. */
static enum emul_result window_access(struct vcpu *v, struct mmio_access *a, void *dev __unused)
{
    if (!mmio_aligned(a))
        return EMUL_FAULT;
    bool claimed;
    enum emul_result r = ioreq_forward(v, a, ~0ULL, 0, &claimed);
    if (!claimed && !a->write)
        a->value = ~0ULL;
    return r;
}

/* Word 0: 1 once connected, else 0; word 1 the same, but a read waits for
 * the connection; the rest of the page reads 0, writes are ignored. */
static enum emul_result ready_access(struct vcpu *v, struct mmio_access *a, void *dev __unused)
{
    if (!mmio_aligned(a))
        return EMUL_FAULT;
    if (a->write)
        return EMUL_HANDLED;
    struct domain *d = v->dom;
    if (a->off == WAIT_WORD && a->size == 4) {
        uint64_t flags = spin_lock_irqsave(&waiters_lock);
        /* checked under the lock the connection's answer takes */
        bool wait = !ioreq_connected(d) && d->device_model && d->device_model->state == DOMAIN_RUNNING;
        if (wait) {
            emul_pend(v);
            waiters[d->id][v->id / 64] |= 1ULL << (v->id % 64);
        }
        spin_unlock_irqrestore(&waiters_lock, flags);
        if (wait)
            return EMUL_PENDING;
    }
    a->value = (a->off == READY_WORD || a->off == WAIT_WORD) && a->size == 4 && ioreq_connected(d) ? 1 : 0;
    return EMUL_HANDLED;
}

int vpci_bridge_attach(struct domain *d)
{
    const struct pci_bridge *b = &d->bridge;
    const struct mmio_region regions[] = {
        { b->ecam, b->ecam_size, ecam_access, NULL, "PCI ECAM" },
        { b->mem, b->mem_size, window_access, NULL, "PCI memory window" },
        { b->pref, b->pref_size, window_access, NULL, "PCI prefetchable window" },
        { PCI_READY_BASE, PCI_READY_SIZE, ready_access, NULL, "PCI readiness register" },
    };
    d->ioreq.on_change = answer_waiters;
    int rc = domain_on_release(d, forget_waiters, NULL);
    for (unsigned i = 0; i < ARRAY_SIZE(regions) && !rc; i++)
        if (regions[i].size)
            rc = domain_add_mmio(d, &regions[i]);
    return rc;
}
