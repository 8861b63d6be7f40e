/* ioreq servers and forwarding (include/xam/ioreq.h).
 *
 * Locking: t->ioreq.lock guards t's servers, ranges and inflight marks.
 * Event-channel calls (which take the domains' own event locks) are made
 * with it released; emul_complete() (a run-queue lock) may be called with
 * it held. The ioreq page is written by the device model at any time: only
 * the slot's state byte is trusted to move, read and written atomically,
 * and a slot is only read back for a vCPU this file marked inflight. */
#include <asm/cache.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/ioreq.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/xen_abi_ioreq.h>

_Static_assert(IOREQ_VCPUS == DOMAIN_MAX_VCPUS, "a slot and a port per vCPU");
_Static_assert(DOMAIN_MAX_VCPUS * sizeof(struct ioreq) <= PAGE_SIZE, "the slots fit the page");

bool ioreq_connected(struct domain *t)
{
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++)
        if (__atomic_load_n(&t->ioreq.servers[i].enabled, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

static struct ioreq_server *server(struct domain *t, uint16_t id)
{
    return id < IOREQ_MAX_SERVERS && t->ioreq.servers[id].used ? &t->ioreq.servers[id] : NULL;
}

static struct ioreq *slots(struct domain *t, unsigned id) { return (struct ioreq *)(uintptr_t)t->ioreq.pages[id]; }

/* Under t's ioreq lock; a guest that is not running (stopping, being
 * rebuilt, dead) takes no registrations. */
static bool lock_live(struct domain *t, uint64_t *flags)
{
    *flags = spin_lock_irqsave(&t->ioreq.lock);
    if (t->state == DOMAIN_RUNNING || t->state == DOMAIN_BUILDING)
        return true;
    spin_unlock_irqrestore(&t->ioreq.lock, *flags);
    return false;
}

/* The device model signalled vCPU `arg`'s port: if its slot holds an
 * answer to the access that vCPU waits on, complete it. */
static void port_fired(struct domain *t, unsigned port, void *arg)
{
    unsigned vcpu = (unsigned)(uintptr_t)arg;
    if (t->state != DOMAIN_RUNNING)
        return; /* stopping: its waiting accesses are answered by then */
    uint64_t flags = spin_lock_irqsave(&t->ioreq.lock);
    unsigned s = t->ioreq.inflight[vcpu];
    if (s && t->ioreq.servers[s - 1].ports[vcpu] == port) {
        struct ioreq *slot = &slots(t, s - 1)[vcpu];
        uint8_t state = IOREQ_STATE(__atomic_load_n(&slot->flags, __ATOMIC_ACQUIRE));
        if (state == STATE_IORESP_READY) {
            uint64_t data = __atomic_load_n(&slot->data, __ATOMIC_RELAXED);
            __atomic_store_n(&slot->flags, IOREQ_FLAGS(STATE_IOREQ_NONE, 0), __ATOMIC_RELEASE);
            t->ioreq.inflight[vcpu] = 0;
            emul_complete(&t->vcpus[vcpu], data, false);
        }
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
}

/* Under the lock: the accesses waiting on server s are answered as an
 * empty bus would (all-ones), their slots emptied. */
static void abandon_inflight(struct domain *t, unsigned s)
{
    for (unsigned i = 0; i < t->nr_vcpus; i++)
        if (t->ioreq.inflight[i] == s + 1) {
            t->ioreq.inflight[i] = 0;
            __atomic_store_n(&slots(t, s)[i].flags, IOREQ_FLAGS(STATE_IOREQ_NONE, 0), __ATOMIC_RELEASE);
            emul_complete(&t->vcpus[i], ~0ULL, false);
        }
}

static void free_ports(struct domain *t, const unsigned *ports, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ports[i])
            evtchn_free_xen(t, ports[i]);
}

int ioreq_create(struct domain *t, struct domain *dm, uint16_t *id)
{
    /* its ports first: event channels are not taken under our lock */
    unsigned ports[IOREQ_VCPUS] = { 0 };
    int rc = 0;
    for (unsigned i = 0; i < t->nr_vcpus && !rc; i++)
        rc = evtchn_alloc_xen(t, i, dm, port_fired, (void *)(uintptr_t)i, &ports[i]);
    if (rc) {
        free_ports(t, ports, t->nr_vcpus);
        return rc;
    }
    uint64_t flags;
    if (!lock_live(t, &flags)) {
        free_ports(t, ports, t->nr_vcpus);
        return -XAM_ESRCH;
    }
    rc = -XAM_ENOSPC;
    for (uint16_t i = 0; i < IOREQ_MAX_SERVERS; i++) {
        if (t->ioreq.servers[i].used)
            continue;
        if (!t->ioreq.pages[i] && (rc = memory_alloc(PAGE_SIZE, PAGE_SIZE, &t->ioreq.pages[i])))
            break;
        struct ioreq *slot = slots(t, i);
        /* to memory: the device model maps it, maybe non-cacheable */
        ram_scrub(slot, PAGE_SIZE);
        struct ioreq_server *s = &t->ioreq.servers[i];
        *s = (struct ioreq_server){ .used = true, .dm = dm };
        for (unsigned v = 0; v < t->nr_vcpus; v++) {
            s->ports[v] = ports[v];
            slot[v].vp_eport = ports[v];
        }
        *id = i;
        rc = 0;
        break;
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    if (rc)
        free_ports(t, ports, t->nr_vcpus);
    return rc;
}

int ioreq_page(struct domain *t, uint16_t id, paddr_t *pa)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    if (s)
        *pa = t->ioreq.pages[id];
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return s ? 0 : -XAM_ENOENT;
}

/* A memory range must lie inside the guest's bridge (its ECAM or one of
 * its windows): a device model serves the bridge, nothing else of the
 * guest's address space. A PCI range is bus 0 of segment 0 (the bridge's
 * only bus). */
static bool range_allowed(const struct domain *t, enum ioreq_range_type type, uint64_t start, uint64_t end)
{
    if (type == IOREQ_RANGE_PCI)
        return end >> 8 == 0; /* SBDF: segment 0, bus 0 */
    const struct pci_bridge *b = &t->bridge;
    const uint64_t win[][2] = { { b->ecam, b->ecam_size }, { b->mem, b->mem_size }, { b->pref, b->pref_size } };
    for (unsigned i = 0; t->has_bridge && i < 3; i++)
        if (win[i][1] && start >= win[i][0] && end - win[i][0] < win[i][1])
            return true;
    return false;
}

int ioreq_map_range(struct domain *t, uint16_t id, enum ioreq_range_type type, uint64_t start, uint64_t end)
{
    if (end < start || !range_allowed(t, type, start, end))
        return -XAM_EINVAL;
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    int rc = !s ? -XAM_ENOENT : s->nr_ranges == IOREQ_MAX_RANGES ? -XAM_ENOSPC : 0;
    /* no two ranges of the guest's servers overlap: an access has one
     * server (Xen refuses the same way) */
    for (unsigned i = 0; !rc && i < IOREQ_MAX_SERVERS; i++)
        for (unsigned r = 0; t->ioreq.servers[i].used && r < t->ioreq.servers[i].nr_ranges; r++)
            if (t->ioreq.servers[i].ranges[r].type == type && start <= t->ioreq.servers[i].ranges[r].end &&
                t->ioreq.servers[i].ranges[r].start <= end)
                rc = -XAM_EEXIST;
    if (!rc) {
        s->ranges[s->nr_ranges].type = type;
        s->ranges[s->nr_ranges].start = start;
        s->ranges[s->nr_ranges++].end = end;
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return rc;
}

int ioreq_unmap_range(struct domain *t, uint16_t id, enum ioreq_range_type type, uint64_t start, uint64_t end)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    int rc = -XAM_ENOENT;
    for (unsigned i = 0; s && i < s->nr_ranges; i++)
        if (s->ranges[i].type == type && s->ranges[i].start == start && s->ranges[i].end == end) {
            s->ranges[i] = s->ranges[--s->nr_ranges];
            rc = 0;
            break;
        }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return rc;
}

int ioreq_set_state(struct domain *t, uint16_t id, bool enabled)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    bool was = ioreq_connected(t), now = was;
    if (s) {
        __atomic_store_n(&s->enabled, enabled, __ATOMIC_RELEASE);
        if (!enabled)
            abandon_inflight(t, id);
        now = ioreq_connected(t);
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    if (!s)
        return -XAM_ENOENT;
    if (!was && now) {
        log_info("%s (domain %u): device model %s connected", t->name, t->id, t->device_model->name);
        domain_start_held(t);
    }
    if (was != now && t->ioreq.on_change)
        t->ioreq.on_change(t, now);
    return 0;
}

int ioreq_destroy(struct domain *t, uint16_t id)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    unsigned ports[IOREQ_VCPUS] = { 0 };
    bool was = ioreq_connected(t);
    if (s) {
        __atomic_store_n(&s->enabled, false, __ATOMIC_RELEASE);
        abandon_inflight(t, id);
        memcpy(ports, s->ports, sizeof(ports));
        s->used = false;
    }
    bool now = ioreq_connected(t);
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    if (!s)
        return -XAM_ENOENT;
    free_ports(t, ports, t->nr_vcpus);
    if (was != now && t->ioreq.on_change)
        t->ioreq.on_change(t, now);
    return 0;
}

/* Under the lock: the enabled server whose range holds the access (-1:
 * none); *by_sbdf: it claims it by PCI function, not by address. */
static int claimant(struct domain *t, const struct mmio_access *a, uint64_t sbdf, bool *by_sbdf)
{
    uint64_t last = a->ipa + a->size - 1;
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++) {
        const struct ioreq_server *s = &t->ioreq.servers[i];
        if (!s->used || !s->enabled)
            continue;
        for (unsigned r = 0; r < s->nr_ranges; r++) {
            *by_sbdf = s->ranges[r].type == IOREQ_RANGE_PCI;
            if (*by_sbdf ? sbdf != ~0ULL && sbdf >= s->ranges[r].start && sbdf <= s->ranges[r].end
                         : a->ipa >= s->ranges[r].start && last <= s->ranges[r].end)
                return (int)i;
        }
    }
    return -1;
}

enum emul_result ioreq_forward(struct vcpu *v, struct mmio_access *a, uint64_t pci_sbdf, unsigned pci_reg,
                               bool *claimed)
{
    struct domain *t = v->dom;
    *claimed = false;
    if (!__atomic_load_n(&t->ioreq.servers[0].enabled, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&t->ioreq.servers[1].enabled, __ATOMIC_ACQUIRE))
        return EMUL_HANDLED;
    _Static_assert(IOREQ_MAX_SERVERS == 2, "the quick check above");
    uint64_t flags = spin_lock_irqsave(&t->ioreq.lock);
    bool pci;
    int s = claimant(t, a, pci_sbdf, &pci);
    if (s < 0) {
        spin_unlock_irqrestore(&t->ioreq.lock, flags);
        return EMUL_HANDLED;
    }
    *claimed = true;
    struct ioreq *slot = &slots(t, (unsigned)s)[v->id];
    if (IOREQ_STATE(__atomic_load_n(&slot->flags, __ATOMIC_ACQUIRE)) != STATE_IOREQ_NONE) {
        /* the device model left this vCPU's slot busy (it never answered
         * or wrote the state itself): its guest is not held hostage */
        spin_unlock_irqrestore(&t->ioreq.lock, flags);
        log_warn("%s (domain %u): vCPU%u: device model %s left its ioreq slot busy: access answered all-ones", t->name,
                 t->id, v->id, t->ioreq.servers[s].dm->name);
        a->value = ~0ULL;
        return EMUL_HANDLED;
    }
    slot->addr = pci ? pci_sbdf << 32 | pci_reg : a->ipa;
    slot->data = a->write ? a->value : 0;
    slot->count = 1;
    slot->size = a->size;
    slot->type = pci ? IOREQ_TYPE_PCI_CONFIG : IOREQ_TYPE_COPY;
    unsigned port = t->ioreq.servers[s].ports[v->id];
    emul_pend(v);
    t->ioreq.inflight[v->id] = (uint8_t)(s + 1);
    __atomic_store_n(&slot->flags, IOREQ_FLAGS(STATE_IOREQ_READY, a->write ? IOREQ_WRITE : IOREQ_READ),
                     __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    evtchn_notify_xen(t, port);
    return EMUL_PENDING;
}

/* t's servers go: t stopped or resets (the device model creates them
 * again for its next life), or dm, its device model, stopped. */
static void drop_servers(struct domain *t, const struct domain *dm)
{
    unsigned ports[IOREQ_MAX_SERVERS][IOREQ_VCPUS] = { { 0 } };
    uint64_t flags = spin_lock_irqsave(&t->ioreq.lock);
    bool was = ioreq_connected(t);
    /* Said now, before its waiting vCPUs go on and while it is known to
     * concern the guest: said after freeing the ports (which can take
     * milliseconds), it came after the guest had run on and even powered
     * off. A guest that is stopping itself lost nothing. */
    if (was && dm && t->state == DOMAIN_RUNNING)
        log_warn("%s (domain %u): its device model %s stopped: bridge disconnected", t->name, t->id, dm->name);
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++) {
        struct ioreq_server *s = &t->ioreq.servers[i];
        if (!s->used)
            continue;
        __atomic_store_n(&s->enabled, false, __ATOMIC_RELEASE);
        abandon_inflight(t, i);
        memcpy(ports[i], s->ports, sizeof(ports[i]));
        s->used = false;
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++)
        free_ports(t, ports[i], t->nr_vcpus);
    if (t->ioreq.on_change)
        t->ioreq.on_change(t, false);
}

void ioreq_domain_stopped(struct domain *d)
{
    /* as a guest: its servers go with its ports */
    drop_servers(d, NULL);
    /* as a device model: every guest it served loses it */
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *t = domains[i];
        if (t->device_model != d || t == d)
            continue;
        drop_servers(t, d);
        /* nothing will ever start it now */
        if (t->held)
            domain_shutdown(t, "its device model stopped before connecting");
    }
}
