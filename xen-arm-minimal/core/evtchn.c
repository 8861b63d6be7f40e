/* Xen's 2-level event channels (include/xam/evtchn.h), as Xen on Arm
 * defines them: a port table per domain, and delivery by setting bits in
 * the guest's own pages (shared_info's evtchn_pending, the notified
 * vCPU's evtchn_pending_sel and evtchn_upcall_pending) and raising PPI 31
 * on that vCPU.
 *
 * State. A domain's table is allocated from the page allocator on first
 * use: a header page (lock, bucket pointers, VIRQ bindings, the
 * hypervisor's ports) and buckets of 512 ports, one page each, as ports
 * are allocated (4096 ports, Xen's 2-level limit on 64-bit, in 8
 * buckets). Port 0 is reserved, as in Xen. The table is freed when the
 * domain's memory is released, so a rebuilt domain starts empty.
 *
 * Locking, and why it is safe:
 *   links_lock (global) serialises everything that creates or destroys an
 *     interdomain binding (bind_interdomain, close, reset, a domain
 *     stopping, evtchn_free_xen), creates or frees a table, or reads
 *     another domain's table without a binding to it (status of a
 *     client's port). These are rare.
 *   ed->lock (per domain) guards that domain's port table. An
 *     interdomain binding (d, p) <-> (r, q) is created and destroyed only
 *     with links_lock and both domains' locks held (the lower id's
 *     first). So a sender holding only its own lock sees its binding
 *     stable, and the peer alive: r's table is freed only after r's
 *     ports were closed, which needs the sender's lock, and r's memory
 *     and vGIC are released after that. That makes send, the hot path,
 *     one lock.
 *   Order: links_lock -> ed->lock (two: lower id first) -> the vGIC's
 *     lock -> run-queue locks; memory_alloc's lock is a leaf. Nothing
 *     below calls back in here. A hypervisor port's fn runs with no lock
 *     held; calls in flight are counted (xen_slot.busy), and the table
 *     is not freed, nor a slot given up, until they are done.
 *   A domain's own operations run on one of its vCPUs, so its table
 *     cannot be freed under them (it is freed only once no vCPU of it is
 *     loaded); they refuse to bind anything once it is not running, and
 *     a stop's closing of every port takes its lock after the state
 *     changed, so nothing bound before survives the stop.
 *
 * Guest words. The guest writes shared_info and vcpu_info from its own
 * CPUs while the hypervisor writes them from any CPU, so every access is
 * atomic, in Xen's order (pending, then mask, then the selector, then
 * evtchn_upcall_pending). Read-modify-writes are compare-and-swap loops
 * bounded to GUEST_ATOMIC_TRIES: a guest hammering its own page from
 * another CPU can make an exclusive store fail forever, and must not hold
 * the sender's CPU; it loses that event instead (as Xen since XSA-295
 * bounds its guest atomics). Pointers to those pages are the guest's own
 * RAM only (domain_ram_ptr), bounds-checked on every use. */
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/vintc.h>
#include <xam/xen_abi.h>

enum evtchn_state {
    ECS_FREE,
    ECS_RESERVED, /* port 0 */
    ECS_UNBOUND, /* waiting for domain `dom` to bind */
    ECS_INTERDOMAIN, /* bound to port `arg` of domain `dom` */
    ECS_VIRQ, /* virtual IRQ `arg` */
    ECS_IPI,
};

struct evtchn {
    uint8_t state;
    uint8_t vcpu; /* the vCPU it notifies (read by senders without the lock) */
    uint8_t xen; /* 0: the guest's; i + 1: consumed by the hypervisor, xen[i] */
    uint8_t early; /* raised while the domain had no shared_info */
    uint16_t dom;
    uint16_t arg;
};
_Static_assert(sizeof(struct evtchn) == 8, "a port is 8 bytes");

#define PORTS_PER_BUCKET (PAGE_SIZE / sizeof(struct evtchn))
#define NR_BUCKETS (EVTCHN_2L_NR_CHANNELS / PORTS_PER_BUCKET)
#define MAX_XEN_PORTS 32
#define GUEST_ATOMIC_TRIES 4096
_Static_assert(DOMAIN_MAX_VCPUS <= 255 && MAX_DOMAINS < 0x7ff0, "fits the port's fields");

struct xen_slot {
    void (*fn)(struct domain *d, unsigned port, void *arg);
    void *arg;
    unsigned port; /* 0: free, once busy is 0 too */
    unsigned busy; /* calls of fn in flight */
};

struct evtchn_domain {
    spinlock_t lock;
    struct evtchn *bucket[NR_BUCKETS];
    /* VIRQ bindings: per-vCPU VIRQs in their vCPU's row, the others in
     * row 0 (Xen binds those on vCPU 0) */
    uint16_t virq[DOMAIN_MAX_VCPUS][NR_VIRQS];
    struct xen_slot xen[MAX_XEN_PORTS];
    unsigned waiters; /* evtchn_free_xen calls waiting on a slot */
};

static spinlock_t links_lock = SPINLOCK_INIT;
static unsigned guest_busy_events; /* events lost to a guest hammering its page */

#define ED_SIZE ALIGN_UP(sizeof(struct evtchn_domain), PAGE_SIZE)

/* ---- guest words ---- */

static void guest_too_busy(void)
{
    if (__atomic_fetch_add(&guest_busy_events, 1, __ATOMIC_RELAXED) == 0)
        log_warn("event channels: a guest kept its shared page too busy to update: event dropped");
}

/* Set a bit; whether it was set before (or the guest kept the word too
 * busy: then nothing more is done for this event). */
static bool guest_test_and_set(xen_ulong_t *w, unsigned bit)
{
    xen_ulong_t m = 1ULL << bit, old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < GUEST_ATOMIC_TRIES; i++) {
        if (old & m)
            return true;
        if (__atomic_compare_exchange_n(w, &old, old | m, true, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return false;
    }
    guest_too_busy();
    return true;
}

/* Clear a bit; whether it was set before (false if the guest kept the
 * word too busy). */
static bool guest_test_and_clear(xen_ulong_t *w, unsigned bit)
{
    xen_ulong_t m = 1ULL << bit, old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < GUEST_ATOMIC_TRIES; i++) {
        if (!(old & m))
            return false;
        if (__atomic_compare_exchange_n(w, &old, old & ~m, true, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return true;
    }
    guest_too_busy();
    return false;
}

static bool guest_test(const xen_ulong_t *w, unsigned bit) { return __atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit & 1; }

/* evtchn_upcall_pending 0 -> 1; whether it was already non-zero. */
static bool guest_set_flag(uint8_t *b)
{
    uint8_t old = __atomic_load_n(b, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < GUEST_ATOMIC_TRIES; i++) {
        if (old)
            return true;
        if (__atomic_compare_exchange_n(b, &old, 1, true, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return false;
    }
    guest_too_busy();
    return true;
}

/* d's shared_info, or NULL: not registered yet. */
static struct xen_shared_info *shared_info(struct domain *d)
{
    paddr_t ipa = __atomic_load_n(&d->shared_info, __ATOMIC_ACQUIRE);
    return ipa ? domain_ram_ptr(d, ipa, sizeof(struct xen_shared_info)) : NULL;
}

/* v's vcpu_info: the one it registered, else (vCPU 0 only, Xen's
 * XEN_LEGACY_MAX_VCPUS on Arm) the slot in shared_info; NULL: none, or one
 * not aligned for the atomics on its selector (the guest's problem: its
 * upcalls are not raised). */
static struct xen_vcpu_info *vcpu_info(struct vcpu *v, struct xen_shared_info *si)
{
    paddr_t ipa = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);
    if (!ipa)
        return v->id < XEN_LEGACY_MAX_VCPUS && si ? &si->vcpu_info[v->id] : NULL;
    if (!IS_ALIGNED(ipa, sizeof(xen_ulong_t)))
        return NULL;
    return domain_ram_ptr(v->dom, ipa, sizeof(struct xen_vcpu_info));
}

/* Xen's vcpu_mark_events_pending: the upcall, when it goes 0 -> 1. */
static void mark_events_pending(struct vcpu *v, struct xen_vcpu_info *vi)
{
    if (guest_set_flag(&vi->evtchn_upcall_pending))
        return;
    /* before the interrupt: its entry must look again (evtchn_vcpu_entry) */
    __atomic_store_n(&v->evtchn_raised, true, __ATOMIC_SEQ_CST);
    vcpu_inject_irq(v, VINTC_PPI_EVTCHN);
}

/* Xen's evtchn_2l_set_pending. */
static void raise_2l(struct domain *d, struct xen_shared_info *si, unsigned port, unsigned vcpu)
{
    unsigned word = port / XEN_ULONG_BITS, bit = port % XEN_ULONG_BITS;
    if (guest_test_and_set(&si->evtchn_pending[word], bit) || guest_test(&si->evtchn_mask[word], bit))
        return;
    struct vcpu *v = &d->vcpus[vcpu];
    struct xen_vcpu_info *vi = vcpu_info(v, si);
    if (vi && !guest_test_and_set(&vi->evtchn_pending_sel, word))
        mark_events_pending(v, vi);
}

/* Port c (number port) of d has an event. The caller holds a lock that
 * keeps c's binding (d's own, or its interdomain peer's). Without
 * shared_info the event waits in c->early until the guest registers one
 * (evtchn_shared_info_registered): whichever of the two sees the other's
 * write delivers it, exactly once. */
static void set_pending(struct domain *d, struct evtchn *c, unsigned port)
{
    struct xen_shared_info *si = shared_info(d);
    if (!si) {
        __atomic_store_n(&c->early, 1, __ATOMIC_SEQ_CST);
        si = shared_info(d);
        if (!si || !__atomic_exchange_n(&c->early, 0, __ATOMIC_SEQ_CST))
            return;
    }
    raise_2l(d, si, port, __atomic_load_n(&c->vcpu, __ATOMIC_RELAXED));
}

/* ---- the table ---- */

static bool port_valid(const struct evtchn_domain *ed, unsigned port)
{
    return port < EVTCHN_2L_NR_CHANNELS && ed->bucket[port / PORTS_PER_BUCKET];
}

static struct evtchn *port_of(const struct evtchn_domain *ed, unsigned port)
{
    return port_valid(ed, port) ? &ed->bucket[port / PORTS_PER_BUCKET][port % PORTS_PER_BUCKET] : NULL;
}

static struct evtchn_domain *table(const struct domain *d) { return __atomic_load_n(&d->evtchn, __ATOMIC_ACQUIRE); }

static struct evtchn *new_bucket(void)
{
    paddr_t pa;
    if (memory_alloc(PAGE_SIZE, PAGE_SIZE, &pa))
        return NULL;
    memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
    return (struct evtchn *)(uintptr_t)pa;
}

/* d's table, made now if it has none (under links_lock). */
static struct evtchn_domain *table_get_locked(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    if (ed)
        return ed;
    paddr_t pa;
    if (memory_alloc(ED_SIZE, PAGE_SIZE, &pa))
        return NULL;
    ed = (struct evtchn_domain *)(uintptr_t)pa;
    memset(ed, 0, sizeof(*ed));
    ed->lock = (spinlock_t)SPINLOCK_INIT;
    ed->bucket[0] = new_bucket();
    if (!ed->bucket[0]) {
        memory_free(pa, ED_SIZE);
        return NULL;
    }
    ed->bucket[0][0].state = ECS_RESERVED;
    __atomic_store_n(&d->evtchn, ed, __ATOMIC_RELEASE);
    return ed;
}

/* The caller's own table (it runs on one of d's vCPUs). */
static struct evtchn_domain *table_get(struct domain *d)
{
    struct evtchn_domain *ed = table(d);
    if (ed)
        return ed;
    uint64_t flags = spin_lock_irqsave(&links_lock);
    ed = table_get_locked(d);
    spin_unlock_irqrestore(&links_lock, flags);
    return ed;
}

/* The lowest free port (locked), with its bucket made if need be. */
static int alloc_port(struct evtchn_domain *ed, unsigned *port)
{
    for (unsigned b = 0; b < NR_BUCKETS; b++) {
        if (!ed->bucket[b] && !(ed->bucket[b] = new_bucket()))
            return -XAM_ENOMEM;
        for (unsigned i = 0; i < PORTS_PER_BUCKET; i++)
            if (ed->bucket[b][i].state == ECS_FREE) {
                *port = b * PORTS_PER_BUCKET + i;
                return 0;
            }
    }
    return -XAM_ENOSPC;
}

enum virq_kind { VIRQ_KIND_VCPU, VIRQ_KIND_DOMAIN, VIRQ_KIND_GLOBAL };

static enum virq_kind virq_kind(unsigned virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return VIRQ_KIND_VCPU;
    case VIRQ_ARGO:
        return VIRQ_KIND_DOMAIN;
    default: /* VIRQ_ARCH_* too, on Arm */
        return VIRQ_KIND_GLOBAL;
    }
}

static void set_free(struct evtchn_domain *ed, struct evtchn *c)
{
    if (c->state == ECS_VIRQ) /* per-vCPU ones never move off their row */
        ed->virq[virq_kind(c->arg) == VIRQ_KIND_VCPU ? c->vcpu : 0][c->arg] = 0;
    if (c->xen)
        ed->xen[c->xen - 1].port = 0;
    c->state = ECS_FREE;
    c->xen = 0;
    c->dom = c->arg = 0;
    __atomic_store_n(&c->vcpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&c->early, 0, __ATOMIC_RELAXED);
}

/* Xen clears a closed port's pending bit (a later binding starts clean). */
static void clear_pending(struct domain *d, unsigned port)
{
    struct xen_shared_info *si = shared_info(d);
    if (si)
        guest_test_and_clear(&si->evtchn_pending[port / XEN_ULONG_BITS], port % XEN_ULONG_BITS);
}

static uint64_t lock_pair(struct evtchn_domain *a, unsigned a_id, struct evtchn_domain *b, unsigned b_id)
{
    if (a == b)
        return spin_lock_irqsave(&a->lock);
    if (a_id > b_id) {
        struct evtchn_domain *t = a;
        a = b;
        b = t;
    }
    uint64_t flags = spin_lock_irqsave(&a->lock);
    spin_lock(&b->lock);
    return flags;
}

static void unlock_pair(struct evtchn_domain *a, struct evtchn_domain *b, uint64_t flags)
{
    if (a != b)
        spin_unlock(&b->lock);
    spin_unlock_irqrestore(&a->lock, flags);
}

/* Close port of d (links_lock held): an interdomain peer's end goes back
 * to unbound, waiting for d again. guest: the guest asked (its own
 * hypervisor ports are refused, its pending bit cleared). */
static int close_port(struct domain *d, struct evtchn_domain *ed, unsigned port, bool guest)
{
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    struct evtchn *c = port_of(ed, port);
    int rc = 0;
    if (!c || c->state == ECS_FREE || c->state == ECS_RESERVED || (guest && c->xen)) {
        rc = -XAM_EINVAL;
    } else if (c->state != ECS_INTERDOMAIN) {
        set_free(ed, c);
    } else {
        /* links_lock keeps the binding while d's lock is let go to take
         * both in order */
        struct domain *r = domain_by_id(c->dom);
        struct evtchn_domain *red = table(r);
        unsigned rport = c->arg;
        spin_unlock_irqrestore(&ed->lock, flags);
        flags = lock_pair(ed, d->id, red, r->id);
        struct evtchn *rc_ = port_of(red, rport);
        rc_->state = ECS_UNBOUND;
        rc_->dom = (uint16_t)d->id;
        rc_->arg = 0;
        set_free(ed, c);
        unlock_pair(ed, red, flags);
        if (guest)
            clear_pending(d, port);
        return 0;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    if (!rc && guest)
        clear_pending(d, port);
    return rc;
}

/* Every port of d (links_lock held). */
static void close_all(struct domain *d, struct evtchn_domain *ed, bool keep_xen)
{
    for (unsigned b = 0; b < NR_BUCKETS; b++)
        for (unsigned i = 0; i < PORTS_PER_BUCKET && ed->bucket[b]; i++)
            close_port(d, ed, b * PORTS_PER_BUCKET + i, keep_xen);
}

static bool running(const struct domain *d) { return d->state == DOMAIN_RUNNING; }

/* ---- static event channels: the links ----
 * Each pair the host tree binds, (a, ap) <-> (b, bp), packed into one word
 * (a << 48 | ap << 32 | b << 16 | bp; 0: a free slot), recorded by
 * evtchn_bind_static() under links_lock and read without it: a lookup
 * racing a domain's death may see its link or not, either is right. A
 * link lives as long as both domains can come back: it goes when either
 * is released for good (not for a reset, whose rebuild binds it again). */
#define MAX_STATIC_LINKS (MAX_DOMAINS * 16)
static uint64_t static_links[MAX_STATIC_LINKS];

static uint64_t link_word(unsigned a, unsigned ap, unsigned b, unsigned bp)
{
    return (uint64_t)a << 48 | (uint64_t)ap << 32 | (uint64_t)b << 16 | bp;
}

static bool statically_linked(unsigned a, unsigned b)
{
    for (unsigned i = 0; i < MAX_STATIC_LINKS; i++) {
        uint64_t w = __atomic_load_n(&static_links[i], __ATOMIC_ACQUIRE);
        unsigned x = (unsigned)(w >> 48), y = (unsigned)(w >> 16 & 0xffff);
        if (w && ((x == a && y == b) || (x == b && y == a)))
            return true;
    }
    return false;
}

/* Record (d, dport) <-> (r, rport) unless it is there, either way round
 * (links_lock held). */
static int record_link(unsigned d, unsigned dport, unsigned r, unsigned rport)
{
    uint64_t w = link_word(d, dport, r, rport), back = link_word(r, rport, d, dport);
    int free_slot = -1;
    for (unsigned i = 0; i < MAX_STATIC_LINKS; i++) {
        uint64_t v = static_links[i];
        if (v == w || v == back)
            return 0;
        if (!v && free_slot < 0)
            free_slot = (int)i;
    }
    if (free_slot < 0)
        return -XAM_ENOSPC;
    __atomic_store_n(&static_links[free_slot], w, __ATOMIC_RELEASE);
    return 0;
}

/* d is gone for good (links_lock held). */
static void forget_links(unsigned d)
{
    for (unsigned i = 0; i < MAX_STATIC_LINKS; i++) {
        uint64_t v = static_links[i];
        if (v && ((unsigned)(v >> 48) == d || (unsigned)(v >> 16 & 0xffff) == d))
            __atomic_store_n(&static_links[i], 0, __ATOMIC_RELEASE);
    }
}

bool evtchn_may_talk(const struct domain *d, const struct domain *t)
{
    /* a loopback, a guest and its device model, either way round, or two
     * domains the host tree links with a static event channel */
    return d == t || t->device_model == d || d->device_model == t || statically_linked(d->id, t->id);
}

/* The domain the caller d names, if it may talk to it. */
static int peer(struct domain *d, unsigned dom, struct domain **out)
{
    struct domain *t = dom == DOMID_SELF ? d : domain_by_id(dom);
    if (!t)
        return -XAM_ESRCH;
    if (!evtchn_may_talk(d, t))
        return -XAM_EPERM;
    *out = t;
    return 0;
}

/* ---- the guest's operations ---- */

int evtchn_alloc_unbound(struct domain *d, unsigned dom, unsigned remote_dom, unsigned *port)
{
    if (dom != DOMID_SELF && dom != d->id)
        return domain_by_id(dom) ? -XAM_EPERM : -XAM_ESRCH;
    struct domain *r;
    int rc = peer(d, remote_dom, &r);
    if (rc)
        return rc;
    struct evtchn_domain *ed = table_get(d);
    if (!ed)
        return -XAM_ENOMEM;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    rc = running(d) ? alloc_port(ed, port) : -XAM_EINVAL;
    if (!rc) {
        struct evtchn *c = port_of(ed, *port);
        c->state = ECS_UNBOUND;
        c->dom = (uint16_t)r->id;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_bind_interdomain(struct domain *d, unsigned remote_dom, unsigned remote_port, unsigned *port)
{
    struct domain *r;
    int rc = peer(d, remote_dom, &r);
    if (rc)
        return rc;
    uint64_t lflags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table_get_locked(d), *red = table(r);
    if (!ed) {
        spin_unlock_irqrestore(&links_lock, lflags);
        return -XAM_ENOMEM;
    }
    if (!red) { /* it never made a port */
        spin_unlock_irqrestore(&links_lock, lflags);
        return -XAM_EINVAL;
    }
    uint64_t flags = lock_pair(ed, d->id, red, r->id);
    struct evtchn *rc_ = port_of(red, remote_port);
    if (!running(d) || !running(r) || !rc_ || rc_->state != ECS_UNBOUND || rc_->dom != d->id)
        rc = -XAM_EINVAL;
    else
        rc = alloc_port(ed, port);
    if (!rc) {
        struct evtchn *c = port_of(ed, *port);
        c->state = ECS_INTERDOMAIN;
        c->dom = (uint16_t)r->id;
        c->arg = (uint16_t)remote_port;
        rc_->state = ECS_INTERDOMAIN;
        rc_->dom = (uint16_t)d->id;
        rc_->arg = (uint16_t)*port;
        /* as Xen: the peer may have sent before the binding existed */
        set_pending(d, c, *port);
    }
    unlock_pair(ed, red, flags);
    spin_unlock_irqrestore(&links_lock, lflags);
    return rc;
}

/* Port `port` of ed, its bucket made if need be (locked): NULL if it is
 * out of range or no memory. */
static struct evtchn *port_at(struct evtchn_domain *ed, unsigned port, int *rc)
{
    unsigned b = port / PORTS_PER_BUCKET;
    *rc = 0;
    if (port == 0 || port >= EVTCHN_2L_NR_CHANNELS) {
        *rc = -XAM_EINVAL;
        return NULL;
    }
    if (!ed->bucket[b] && !(ed->bucket[b] = new_bucket())) {
        *rc = -XAM_ENOMEM;
        return NULL;
    }
    return &ed->bucket[b][port % PORTS_PER_BUCKET];
}

int evtchn_bind_static(struct domain *d, unsigned dport, struct domain *r, unsigned rport)
{
    if (!d || !r || dport == 0 || rport == 0 || dport >= EVTCHN_2L_NR_CHANNELS || rport >= EVTCHN_2L_NR_CHANNELS ||
        (d == r && dport == rport))
        return -XAM_EINVAL;
    uint64_t lflags = spin_lock_irqsave(&links_lock);
    enum domain_state ds = d->state, rs = r->state;
    int rc = 0;
    /* d: before it starts (its first build, or its rebuild); r: its port
     * is taken as well only when it has never run (the first build) or
     * is d itself; a running (or rebuilding) peer is bound only if its
     * port waits for d */
    bool take = r == d || rs == DOMAIN_BUILDING;
    struct evtchn_domain *ed = NULL, *red = NULL;
    if (ds != DOMAIN_BUILDING && ds != DOMAIN_REBUILDING)
        rc = -XAM_ESRCH;
    else if (!(rc = record_link(d->id, dport, r->id, rport)) && !(ed = table_get_locked(d)))
        rc = -XAM_ENOMEM;
    else if (!rc && take && !(red = table_get_locked(r)))
        rc = -XAM_ENOMEM;
    else if (!rc && !take && (rs == DOMAIN_RUNNING || rs == DOMAIN_REBUILDING))
        red = table(r); /* NULL: it has no port yet */
    if (rc) {
        spin_unlock_irqrestore(&links_lock, lflags);
        return rc;
    }
    uint64_t flags = lock_pair(ed, d->id, red ? red : ed, r->id);
    struct evtchn *c = port_at(ed, dport, &rc), *rc_ = NULL;
    if (c && c->state != ECS_FREE)
        rc = -XAM_EBUSY;
    if (!rc && take) {
        rc_ = port_at(red, rport, &rc);
        if (rc_ && rc_->state != ECS_FREE)
            rc = -XAM_EBUSY;
    } else if (!rc && red) {
        rc_ = port_of(red, rport);
        if (rc_ && (rc_->state != ECS_UNBOUND || rc_->dom != d->id || rc_->xen))
            rc_ = NULL; /* closed by its guest, or something else now */
    }
    if (!rc && rc_) {
        c->state = ECS_INTERDOMAIN;
        c->dom = (uint16_t)r->id;
        c->arg = (uint16_t)rport;
        rc_->state = ECS_INTERDOMAIN;
        rc_->dom = (uint16_t)d->id;
        rc_->arg = (uint16_t)dport;
        /* as Xen's bind_interdomain (the second end of its static
         * channels too): the binder's port starts pending */
        set_pending(d, c, dport);
    } else if (!rc) {
        /* waiting for the peer, which binds it when it comes back */
        c->state = ECS_UNBOUND;
        c->dom = (uint16_t)r->id;
    }
    unlock_pair(ed, red ? red : ed, flags);
    spin_unlock_irqrestore(&links_lock, lflags);
    return rc;
}

int evtchn_bind_virq(struct domain *d, unsigned virq, unsigned vcpu, unsigned *port)
{
    if (virq >= NR_VIRQS)
        return -XAM_EINVAL;
    enum virq_kind kind = virq_kind(virq);
    if (kind != VIRQ_KIND_VCPU && vcpu != 0)
        return -XAM_EINVAL;
    if (vcpu >= d->nr_vcpus)
        return -XAM_ENOENT;
    /* A global VIRQ goes to one handler domain, Xen's hardware domain by
     * default: there is none here, so no guest may bind one. */
    if (kind == VIRQ_KIND_GLOBAL)
        return -XAM_EBUSY;
    struct evtchn_domain *ed = table_get(d);
    if (!ed)
        return -XAM_ENOMEM;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    int rc = !running(d) ? -XAM_EINVAL : ed->virq[vcpu][virq] ? -XAM_EEXIST : alloc_port(ed, port);
    if (!rc) {
        struct evtchn *c = port_of(ed, *port);
        c->state = ECS_VIRQ;
        c->arg = (uint16_t)virq;
        c->vcpu = (uint8_t)vcpu;
        ed->virq[vcpu][virq] = (uint16_t)*port;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_bind_ipi(struct domain *d, unsigned vcpu, unsigned *port)
{
    if (vcpu >= d->nr_vcpus)
        return -XAM_ENOENT;
    struct evtchn_domain *ed = table_get(d);
    if (!ed)
        return -XAM_ENOMEM;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    int rc = running(d) ? alloc_port(ed, port) : -XAM_EINVAL;
    if (!rc) {
        struct evtchn *c = port_of(ed, *port);
        c->state = ECS_IPI;
        c->vcpu = (uint8_t)vcpu;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_close(struct domain *d, unsigned port)
{
    uint64_t flags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(d);
    int rc = ed ? close_port(d, ed, port, true) : -XAM_EINVAL;
    spin_unlock_irqrestore(&links_lock, flags);
    return rc;
}

int evtchn_send(struct domain *d, unsigned port)
{
    struct evtchn_domain *ed = table(d);
    if (!ed)
        return -XAM_EINVAL;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    struct evtchn *c = port_of(ed, port);
    int rc = 0;
    if (!c || c->xen) {
        rc = -XAM_EINVAL;
    } else if (c->state == ECS_INTERDOMAIN) {
        struct domain *r = domain_by_id(c->dom);
        struct evtchn_domain *red = table(r);
        struct evtchn *rc_ = port_of(red, c->arg);
        if (rc_->xen) {
            /* the hypervisor's end: its fn, with no lock held */
            struct xen_slot *s = &red->xen[rc_->xen - 1];
            void (*fn)(struct domain *, unsigned, void *) = s->fn;
            void *arg = s->arg;
            unsigned rport = c->arg;
            __atomic_add_fetch(&s->busy, 1, __ATOMIC_ACQ_REL);
            spin_unlock_irqrestore(&ed->lock, flags);
            fn(r, rport, arg);
            __atomic_sub_fetch(&s->busy, 1, __ATOMIC_ACQ_REL);
            return 0;
        }
        set_pending(r, rc_, c->arg);
    } else if (c->state == ECS_IPI) {
        set_pending(d, c, port);
    } else if (c->state != ECS_UNBOUND) { /* unbound: dropped, as in Xen */
        rc = -XAM_EINVAL;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_status(struct domain *d, struct evtchn_status *st)
{
    struct domain *t = st->dom == DOMID_SELF ? d : domain_by_id(st->dom);
    if (!t)
        return -XAM_ESRCH;
    /* one's own ports, and a device model its client's (Xen's XSM_TARGET) */
    if (t != d && t->device_model != d)
        return -XAM_EPERM;
    uint64_t lflags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(t);
    int rc = 0;
    if (!ed) {
        /* nothing made yet: the first bucket's ports read as closed */
        if (st->port >= PORTS_PER_BUCKET)
            rc = -XAM_EINVAL;
        st->status = EVTCHNSTAT_closed;
        st->vcpu = 0;
        memset(&st->u, 0, sizeof(st->u));
        spin_unlock_irqrestore(&links_lock, lflags);
        return rc;
    }
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    const struct evtchn *c = port_of(ed, st->port);
    if (c) {
        memset(&st->u, 0, sizeof(st->u));
        st->vcpu = c->vcpu;
        switch (c->state) {
        case ECS_UNBOUND:
            st->status = EVTCHNSTAT_unbound;
            st->u.unbound.dom = c->dom;
            break;
        case ECS_INTERDOMAIN:
            st->status = EVTCHNSTAT_interdomain;
            st->u.interdomain.dom = c->dom;
            st->u.interdomain.port = c->arg;
            break;
        case ECS_VIRQ:
            st->status = EVTCHNSTAT_virq;
            st->u.virq = c->arg;
            break;
        case ECS_IPI:
            st->status = EVTCHNSTAT_ipi;
            break;
        default:
            st->status = EVTCHNSTAT_closed;
            break;
        }
    } else {
        rc = -XAM_EINVAL;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    spin_unlock_irqrestore(&links_lock, lflags);
    return rc;
}

int evtchn_bind_vcpu(struct domain *d, unsigned port, unsigned vcpu)
{
    if (vcpu >= d->nr_vcpus)
        return -XAM_ENOENT;
    struct evtchn_domain *ed = table(d);
    if (!ed)
        return -XAM_EINVAL;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    struct evtchn *c = port_of(ed, port);
    int rc = -XAM_EINVAL;
    /* unbound, interdomain and non-per-vCPU VIRQ ports move; IPIs,
     * per-vCPU VIRQs and the hypervisor's ports stay */
    if (c && !c->xen &&
        (c->state == ECS_UNBOUND || c->state == ECS_INTERDOMAIN ||
         (c->state == ECS_VIRQ && virq_kind(c->arg) != VIRQ_KIND_VCPU))) {
        __atomic_store_n(&c->vcpu, (uint8_t)vcpu, __ATOMIC_RELAXED);
        rc = 0;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_unmask(struct domain *d, unsigned port)
{
    /* Xen's evtchn_2l_unmask, for any port that exists (a free one too:
     * the mask bit is the guest's): an event that came while masked is
     * raised now. A domain without a table has its first bucket's ports. */
    struct evtchn_domain *ed = table(d);
    uint64_t flags = ed ? spin_lock_irqsave(&ed->lock) : 0;
    struct evtchn *c = ed ? port_of(ed, port) : NULL;
    int rc = (ed ? !c : port >= PORTS_PER_BUCKET) || (c && c->xen) ? -XAM_EINVAL : 0;
    struct xen_shared_info *si = rc ? NULL : shared_info(d);
    unsigned word = port / XEN_ULONG_BITS, bit = port % XEN_ULONG_BITS;
    if (si && guest_test_and_clear(&si->evtchn_mask[word], bit) && guest_test(&si->evtchn_pending[word], bit)) {
        struct vcpu *v = &d->vcpus[c ? __atomic_load_n(&c->vcpu, __ATOMIC_RELAXED) : 0];
        struct xen_vcpu_info *vi = vcpu_info(v, si);
        if (vi && !guest_test_and_set(&vi->evtchn_pending_sel, word))
            mark_events_pending(v, vi);
    }
    if (ed)
        spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_reset(struct domain *d, unsigned dom)
{
    if (dom != DOMID_SELF && dom != d->id)
        return domain_by_id(dom) ? -XAM_EPERM : -XAM_ESRCH;
    uint64_t flags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(d);
    if (ed)
        close_all(d, ed, true); /* the hypervisor's ports stay, as in Xen */
    spin_unlock_irqrestore(&links_lock, flags);
    return 0;
}

/* ---- ports the hypervisor consumes ---- */

int evtchn_alloc_xen(struct domain *d, unsigned vcpu, struct domain *remote,
                     void (*fn)(struct domain *d, unsigned port, void *arg), void *arg, unsigned *port)
{
    if (vcpu >= d->nr_vcpus || !fn || !remote)
        return -XAM_EINVAL;
    uint64_t lflags = spin_lock_irqsave(&links_lock);
    /* a table made for a stopping or stopped domain would never be freed */
    enum domain_state s = d->state;
    if (s != DOMAIN_BUILDING && s != DOMAIN_REBUILDING && s != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&links_lock, lflags);
        return -XAM_ESRCH;
    }
    struct evtchn_domain *ed = table_get_locked(d);
    if (!ed) {
        spin_unlock_irqrestore(&links_lock, lflags);
        return -XAM_ENOMEM;
    }
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    unsigned slot = 0;
    while (slot < MAX_XEN_PORTS && (ed->xen[slot].port || __atomic_load_n(&ed->xen[slot].busy, __ATOMIC_ACQUIRE)))
        slot++;
    int rc = slot == MAX_XEN_PORTS ? -XAM_ENOSPC : alloc_port(ed, port);
    if (!rc) {
        struct evtchn *c = port_of(ed, *port);
        ed->xen[slot].fn = fn;
        ed->xen[slot].arg = arg;
        ed->xen[slot].port = *port;
        c->state = ECS_UNBOUND;
        c->dom = (uint16_t)remote->id;
        c->vcpu = (uint8_t)vcpu;
        c->xen = (uint8_t)(slot + 1);
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    spin_unlock_irqrestore(&links_lock, lflags);
    return rc;
}

bool evtchn_notify_xen(struct domain *d, unsigned port)
{
    struct evtchn_domain *ed = table(d);
    if (!ed)
        return false;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    struct evtchn *c = port_of(ed, port);
    bool sent = c && c->xen && c->state == ECS_INTERDOMAIN;
    if (sent) {
        struct domain *r = domain_by_id(c->dom);
        set_pending(r, port_of(table(r), c->arg), c->arg);
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return sent;
}

void evtchn_free_xen(struct domain *d, unsigned port)
{
    uint64_t lflags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(d);
    struct xen_slot *s = NULL;
    if (ed) {
        uint64_t flags = spin_lock_irqsave(&ed->lock);
        struct evtchn *c = port_of(ed, port);
        if (c && c->xen)
            s = &ed->xen[c->xen - 1];
        spin_unlock_irqrestore(&ed->lock, flags);
    }
    if (s) {
        close_port(d, ed, port, false);
        /* the table stays until we are done (evtchn_domain_released) */
        __atomic_add_fetch(&ed->waiters, 1, __ATOMIC_ACQ_REL);
    }
    spin_unlock_irqrestore(&links_lock, lflags);
    if (!s)
        return;
    /* The binding is gone: no new call of fn can start; one in flight
     * finishes. */
    while (__atomic_load_n(&s->busy, __ATOMIC_ACQUIRE))
        cpu_relax();
    __atomic_sub_fetch(&ed->waiters, 1, __ATOMIC_RELEASE);
}

/* ---- hooks ---- */

void evtchn_domain_stopped(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(d);
    if (ed)
        close_all(d, ed, false);
    spin_unlock_irqrestore(&links_lock, flags);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        __atomic_store_n(&d->vcpus[i].evtchn_raised, false, __ATOMIC_RELAXED);
}

void evtchn_domain_released(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&links_lock);
    struct evtchn_domain *ed = table(d);
    if (ed) {
        /* a domain that never ran (abandoned, or failed to rebuild) was
         * not closed by a stop */
        close_all(d, ed, false);
        __atomic_store_n(&d->evtchn, NULL, __ATOMIC_RELEASE);
    }
    /* gone for good: its static links with it (a reset keeps them, for
     * its rebuild) */
    if (d->state != DOMAIN_RESETTING)
        forget_links(d->id);
    spin_unlock_irqrestore(&links_lock, flags);
    if (!ed)
        return;
    /* nothing can reach the table now but calls already under way */
    for (unsigned i = 0; i < MAX_XEN_PORTS; i++)
        while (__atomic_load_n(&ed->xen[i].busy, __ATOMIC_ACQUIRE))
            cpu_relax();
    while (__atomic_load_n(&ed->waiters, __ATOMIC_ACQUIRE))
        cpu_relax();
    for (unsigned b = 0; b < NR_BUCKETS; b++)
        if (ed->bucket[b])
            memory_free((paddr_t)(uintptr_t)ed->bucket[b], PAGE_SIZE);
    memory_free((paddr_t)(uintptr_t)ed, ED_SIZE);
}

void evtchn_shared_info_registered(struct domain *d)
{
    /* the new page's address before the early flags (set_pending's other
     * half) */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct evtchn_domain *ed = table(d);
    struct xen_shared_info *si = shared_info(d);
    if (!ed || !si)
        return;
    uint64_t flags = spin_lock_irqsave(&ed->lock);
    for (unsigned b = 0; b < NR_BUCKETS; b++)
        for (unsigned i = 0; i < PORTS_PER_BUCKET && ed->bucket[b]; i++) {
            struct evtchn *c = &ed->bucket[b][i];
            if (__atomic_load_n(&c->early, __ATOMIC_RELAXED) && __atomic_exchange_n(&c->early, 0, __ATOMIC_SEQ_CST))
                raise_2l(d, si, b * PORTS_PER_BUCKET + i, __atomic_load_n(&c->vcpu, __ATOMIC_RELAXED));
        }
    spin_unlock_irqrestore(&ed->lock, flags);
}

void evtchn_vcpu_info_registered(struct vcpu *v)
{
    struct xen_vcpu_info *vi = vcpu_info(v, shared_info(v->dom));
    if (!vi)
        return;
    __atomic_store_n(&vi->evtchn_pending_sel, ~0ULL, __ATOMIC_SEQ_CST);
    mark_events_pending(v, vi);
}

void evtchn_vcpu_entry(struct vcpu *v)
{
    struct xen_vcpu_info *vi = vcpu_info(v, shared_info(v->dom));
    if (!vi || !__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE)) {
        /* handled: stop looking, unless an upcall was raised meanwhile
         * (its raiser set the flag after the guest word: one of us sees
         * the other) */
        __atomic_store_n(&v->evtchn_raised, false, __ATOMIC_SEQ_CST);
        if (!vi || !__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
            return;
        __atomic_store_n(&v->evtchn_raised, true, __ATOMIC_RELAXED);
    }
    /* still pending: the interrupt stays asserted, as Xen's level */
    vcpu_inject_irq(v, VINTC_PPI_EVTCHN);
}
