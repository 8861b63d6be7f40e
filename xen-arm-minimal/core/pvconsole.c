/* The Xen PV console served by the hypervisor (include/xam/pvconsole.h).
 *
 * Two locks, both in struct domain (which is never freed, so console
 * input may take them whatever the domain is doing):
 *   out_lock: the output side, taken on the guest's CPU when it signals
 *     (it prints up to the ring's 2 KiB under it), and by the stop hook;
 *   lock: the input side and the state (live, the port), taken by
 *     console input from the UART's interrupt on any CPU.
 * Order: out_lock -> lock -> the event-channel locks; the console's own
 * lock (domain_console_write) is taken under out_lock only.
 *
 * Why console input never touches a freed event-channel table or page:
 * it writes and signals only while `live` and the domain is RUNNING, both
 * read under `lock`. A domain leaves RUNNING before its stop hooks run,
 * and ours clears `live` under `lock` before the event channels close and
 * long before the memory (the table, the ring page) is released: a call
 * that saw RUNNING and live finishes first. A domain abandoned while
 * building never was RUNNING. A rebuilt one is attached again. */
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/guest_map.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/p2m.h>
#include <xam/pvconsole.h>
#include <xam/xen_abi.h>

#define RING_GFN (GUEST_MAGIC_BASE >> PAGE_SHIFT)
#define IN_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->in))
#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))
_Static_assert((IN_SIZE & (IN_SIZE - 1)) == 0 && (OUT_SIZE & (OUT_SIZE - 1)) == 0, "rings are powers of two");

static bool ready;

static struct xencons_interface *ring_of(const struct pvconsole *c)
{
    return (struct xencons_interface *)(uintptr_t)c->page;
}

/* Print what the guest put in out[] and signalled (out_lock held, live):
 * at most the ring's size, so one signal costs a bounded time. Indices
 * that cannot be (the guest claims more than the ring holds) lose what is
 * there: the ring starts again from the guest's out_prod, and the guest
 * is told once. */
static void drain(struct domain *d, struct pvconsole *c)
{
    struct xencons_interface *r = ring_of(c);
    uint32_t prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    uint32_t n = prod - c->out_cons;
    if (n > OUT_SIZE) {
        if (!c->warned_out)
            log_warn("%s: PV console: out_prod %u is %u bytes past out_cons %u (the ring holds %u): output dropped, "
                     "ring reset",
                     d->name, prod, n, c->out_cons, OUT_SIZE);
        c->warned_out = true;
        c->out_cons = prod;
        n = 0;
    }
    const volatile char *out = r->out;
    while (n) {
        char chunk[128];
        uint32_t k = MIN(n, (uint32_t)sizeof(chunk));
        for (uint32_t i = 0; i < k; i++)
            chunk[i] = out[(c->out_cons + i) & (OUT_SIZE - 1)];
        domain_console_write(d, CONSOLE_XEN_RING, chunk, k);
        c->out_cons += k;
        n -= k;
    }
    /* read before we tell the guest it may write there again */
    __atomic_store_n(&r->out_cons, c->out_cons, __ATOMIC_RELEASE);
}

/* The guest signalled its port: runs on its CPU, no lock held. */
static void fired(struct domain *d, unsigned port, void *arg __unused)
{
    struct pvconsole *c = &d->pvcons;
    uint64_t flags = spin_lock_irqsave(&c->out_lock);
    bool ours = c->live && port == c->xen_port;
    if (ours)
        drain(d, c);
    spin_unlock_irqrestore(&c->out_lock, flags);
    /* Linux signals after it read in[] too: room for what was typed */
    if (ours)
        domain_input_pump(d);
}

/* A stop hook, for every domain that stops or resets: what the guest left
 * in the ring without signalling is printed, then nothing more is served
 * (its event channels close next, its memory goes later). */
static void stopped(struct domain *d)
{
    struct pvconsole *c = &d->pvcons;
    uint64_t flags = spin_lock_irqsave(&c->out_lock);
    if (c->live)
        drain(d, c);
    spin_lock(&c->lock);
    c->live = false;
    spin_unlock(&c->lock);
    spin_unlock_irqrestore(&c->out_lock, flags);
}

/* The domain's memory is released (no vCPU of it runs): the page goes. */
static void release(struct domain *d, void *arg __unused)
{
    struct pvconsole *c = &d->pvcons;
    uint64_t flags = spin_lock_irqsave(&c->out_lock);
    spin_lock(&c->lock);
    c->live = false;
    paddr_t pa = c->page;
    c->page = 0;
    c->xen_port = 0;
    spin_unlock(&c->lock);
    spin_unlock_irqrestore(&c->out_lock, flags);
    if (!pa)
        return;
    bool w;
    /* unless the guest removed it and put something else there */
    if (p2m_page_ptr(d, RING_GFN, &w) == (void *)(uintptr_t)pa)
        p2m_remove(d, RING_GFN);
    memory_free(pa, PAGE_SIZE);
}

int pvconsole_init(void)
{
    if (ready)
        return 0;
    int rc = domain_add_stop_hook(stopped);
    if (!rc)
        ready = true;
    return rc;
}

int pvconsole_attach(struct domain *d)
{
    struct pvconsole *c = &d->pvcons;
    paddr_t pa;
    /* zeroed: in[] and out[] empty, every index 0, connection 0: "connected" */
    int rc = memory_alloc_guest_page(&pa);
    if (rc)
        return rc;
    if ((rc = domain_on_release(d, release, NULL))) {
        memory_free(pa, PAGE_SIZE);
        return rc;
    }
    /* from here on a failure leaves the page to release() */
    uint64_t flags = spin_lock_irqsave(&c->out_lock);
    spin_lock(&c->lock);
    c->live = false;
    c->page = pa;
    c->xen_port = 0;
    c->out_cons = c->in_prod = 0;
    c->in_dropped = 0;
    c->warned_out = c->warned_in = false;
    spin_unlock(&c->lock);
    spin_unlock_irqrestore(&c->out_lock, flags);
    unsigned port;
    if ((rc = evtchn_alloc_xen(d, 0, d, fired, NULL, &port)))
        return rc;
    flags = spin_lock_irqsave(&c->out_lock);
    spin_lock(&c->lock);
    c->xen_port = port;
    c->live = true;
    spin_unlock(&c->lock);
    spin_unlock_irqrestore(&c->out_lock, flags);
    return 0;
}

bool pvconsole_present(const struct domain *d) { return __atomic_load_n(&d->pvcons.live, __ATOMIC_ACQUIRE); }

uint64_t pvconsole_pfn(struct domain *d)
{
    struct pvconsole *c = &d->pvcons;
    uint64_t gfn = 0;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    if (c->live) {
        /* Mapped on the guest's first ask (stage 2 takes extra pages
         * while the domain runs, not while it is rebuilt), and again if
         * it took the page away since; not if it put something else
         * there: then it has no ring. */
        bool w;
        if (p2m_page_ptr(d, RING_GFN, &w) == (void *)(uintptr_t)c->page ||
            !p2m_map_xen_page(d, RING_GFN, c->page, true))
            gfn = RING_GFN;
    }
    spin_unlock_irqrestore(&c->lock, flags);
    return gfn;
}

unsigned pvconsole_evtchn(struct domain *d)
{
    struct pvconsole *c = &d->pvcons;
    unsigned port = 0;
    /* one binding, however many vCPUs ask at once */
    uint64_t flags = spin_lock_irqsave(&c->lock);
    if (c->live) {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = c->xen_port };
        if (!evtchn_status(d, &st)) {
            if (st.status == EVTCHNSTAT_interdomain)
                port = st.u.interdomain.port; /* bound already (by us, or by the guest itself) */
            else if (st.status == EVTCHNSTAT_unbound && evtchn_bind_interdomain(d, DOMID_SELF, c->xen_port, &port))
                port = 0; /* out of ports, or stopping */
        }
    }
    spin_unlock_irqrestore(&c->lock, flags);
    return port;
}

bool pvconsole_receive(struct domain *d, char ch)
{
    struct pvconsole *c = &d->pvcons;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    bool taken = false;
    if (c->live && d->state == DOMAIN_RUNNING) {
        struct xencons_interface *r = ring_of(c);
        uint32_t used = c->in_prod - __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
        if (used > IN_SIZE) {
            /* in_cons is not between what we wrote and a ring behind it:
             * nothing the guest consumes can be known, so nothing is
             * written until it puts in_cons right */
            if (!c->warned_in)
                log_warn("%s: PV console: in_cons is %u bytes behind in_prod %u (the ring holds %u): input dropped",
                         d->name, used, c->in_prod, IN_SIZE);
            c->warned_in = true;
            c->in_dropped++;
        } else if (used == IN_SIZE) {
            /* full: the character waits in d's input (domain_input.h) */
        } else {
            ((volatile char *)r->in)[c->in_prod & (IN_SIZE - 1)] = ch;
            c->in_prod++;
            /* the character before the index that shows it */
            __atomic_store_n(&r->in_prod, c->in_prod, __ATOMIC_RELEASE);
            evtchn_notify_xen(d, c->xen_port);
            taken = true;
        }
    }
    spin_unlock_irqrestore(&c->lock, flags);
    return taken;
}
