/* Changes to a domain's stage 2 after it is built (include/xam/p2m.h).
 *
 * Each domain that has any keeps a table of its extra mappings: pages of
 * other domains (foreign), hypervisor pages, and holes where the balloon
 * took its own RAM out. The table is an open-addressed hash on the guest
 * frame number, allocated on first use. Everything here runs under one
 * lock: these calls are rare next to guest execution, and one lock makes
 * the cross-domain rules (a source page lent to a device model, a source
 * stopping while lent) simple to get right.
 *
 * Lending: a foreign mapping counts in its source's `p2m_lent`. When a
 * source is released with pages still lent, the RAM banks holding them
 * are kept ("retired") instead of freed, the mappings are marked orphan,
 * and a retired bank is freed when its last orphan mapping goes. */
#include <asm/cache.h>
#include <asm/spinlock.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/p2m.h>

/* The table of a domain's extra mappings starts small and doubles when 3/4
 * full, up to P2M_MAX_LOG2: Linux's balloon driver takes back what it gave
 * (decrease_reservation) for every foreign page a device model maps, and
 * it cannot cope with a refusal (a BUG()), so the limit is far above what
 * a device model maps at once (196608 entries, 768 MiB of pages; the table
 * then takes 10 MiB). */
#define P2M_MIN_LOG2 9
#define P2M_MAX_LOG2 18
_Static_assert((1u << P2M_MAX_LOG2) / 4 * 3 == P2M_MAX_MAPPINGS, "the documented limit");

enum p2m_kind { P2M_FOREIGN = 1, P2M_XEN, P2M_HOLE };

struct p2m_entry {
    uint64_t key; /* gfn + 1; 0: empty slot */
    paddr_t pa; /* what is mapped (FOREIGN, XEN), or the hidden own page (HOLE) */
    paddr_t own; /* a mapping put in a balloon hole: the hidden own page, else 0 */
    struct domain *src; /* FOREIGN: the lender (NULL once it was released) */
    uint8_t kind;
    bool writable;
};

struct p2m_table {
    unsigned used, log2; /* entries in use; 1 << log2 slots */
    struct p2m_entry e[];
};

static unsigned nr_slots(const struct p2m_table *t) { return 1u << t->log2; }
static uint64_t table_bytes(unsigned log2)
{
    return ALIGN_UP(sizeof(struct p2m_table) + (sizeof(struct p2m_entry) << log2), PAGE_SIZE);
}

/* RAM banks of released domains still lent out, each with its orphan
 * mappings' count. A guest reset while lent retires a bank per life, and
 * a device model may keep mappings of any number of lives: the table
 * starts in place, grows (doubling, from the page allocator) when full,
 * and goes back in place once every retired bank is freed. */
struct retired_bank {
    paddr_t pa;
    uint64_t size;
    unsigned refs;
};
#define P2M_RETIRED_IN_PLACE 32
static struct retired_bank retired_in_place[P2M_RETIRED_IN_PLACE];
static struct retired_bank *retired = retired_in_place;
static unsigned nr_retired = P2M_RETIRED_IN_PLACE; /* slots in retired[] */

static uint64_t retired_bytes(unsigned n) { return ALIGN_UP(n * sizeof(struct retired_bank), PAGE_SIZE); }

/* The record of bank (pa, size), or a free one: the table grows if it is
 * full. NULL only when the hypervisor is out of memory. */
static struct retired_bank *retired_slot(paddr_t pa, uint64_t size)
{
    struct retired_bank *free_slot = NULL;
    for (unsigned r = 0; r < nr_retired; r++) {
        if (retired[r].refs && retired[r].pa == pa && retired[r].size == size)
            return &retired[r];
        if (!retired[r].refs && !free_slot)
            free_slot = &retired[r];
    }
    if (free_slot)
        return free_slot;
    paddr_t npa;
    if (memory_alloc(retired_bytes(2 * nr_retired), PAGE_SIZE, &npa))
        return NULL;
    struct retired_bank *grown = (struct retired_bank *)(uintptr_t)npa;
    memset(grown, 0, retired_bytes(2 * nr_retired));
    memcpy(grown, retired, nr_retired * sizeof(*retired));
    if (retired != retired_in_place)
        memory_free((paddr_t)(uintptr_t)retired, retired_bytes(nr_retired));
    retired = grown;
    nr_retired *= 2;
    return &retired[nr_retired / 2];
}

/* Every retired bank is freed: a grown table goes. */
static void retired_shrink(void)
{
    if (retired == retired_in_place)
        return;
    for (unsigned r = 0; r < nr_retired; r++)
        if (retired[r].refs)
            return;
    memory_free((paddr_t)(uintptr_t)retired, retired_bytes(nr_retired));
    memset(retired_in_place, 0, sizeof(retired_in_place));
    retired = retired_in_place;
    nr_retired = P2M_RETIRED_IN_PLACE;
}

static spinlock_t p2m_lock = SPINLOCK_INIT;

static unsigned slot_of(const struct p2m_table *t, uint64_t gfn)
{
    return (unsigned)((gfn * 0x9e3779b97f4a7c15ULL) >> (64 - t->log2));
}

static struct p2m_entry *find(struct domain *d, uint64_t gfn)
{
    if (!d->p2m)
        return NULL;
    unsigned mask = nr_slots(d->p2m) - 1;
    for (unsigned i = slot_of(d->p2m, gfn), n = 0; n <= mask; i = (i + 1) & mask, n++) {
        struct p2m_entry *e = &d->p2m->e[i];
        if (e->key == gfn + 1)
            return e;
        if (!e->key)
            return NULL;
    }
    return NULL;
}

static struct p2m_entry *place(struct p2m_table *t, uint64_t gfn)
{
    unsigned mask = nr_slots(t) - 1, i = slot_of(t, gfn);
    while (t->e[i].key)
        i = (i + 1) & mask;
    t->used++;
    t->e[i].key = gfn + 1;
    return &t->e[i];
}

/* d's table with room for one more entry: made, or doubled (every entry
 * placed anew; pointers into the old table die with it). False when at
 * its limit or out of memory. */
static bool make_room(struct domain *d)
{
    struct p2m_table *old = d->p2m;
    if (old && old->used + 1 <= nr_slots(old) / 4 * 3)
        return true;
    unsigned log2 = old ? old->log2 + 1 : P2M_MIN_LOG2;
    paddr_t pa;
    if (log2 > P2M_MAX_LOG2 || memory_alloc(table_bytes(log2), PAGE_SIZE, &pa))
        return false;
    struct p2m_table *t = (struct p2m_table *)(uintptr_t)pa;
    memset(t, 0, table_bytes(log2));
    t->log2 = log2;
    for (unsigned s = 0; old && s < nr_slots(old); s++)
        if (old->e[s].key)
            *place(t, old->e[s].key - 1) = old->e[s];
    /* readers without the lock (p2m_fault_is_spurious) only test for NULL */
    __atomic_store_n(&d->p2m, t, __ATOMIC_RELEASE);
    if (old)
        memory_free((paddr_t)(uintptr_t)old, table_bytes(old->log2));
    return true;
}

/* A free slot for gfn (not present): NULL when full. The table is kept
 * at most 3/4 full so probes stay short. */
static struct p2m_entry *insert(struct domain *d, uint64_t gfn) { return make_room(d) ? place(d->p2m, gfn) : NULL; }

/* Linear probing's deletion: move later entries of the run back so no
 * lookup stops early at the hole. */
static void erase(struct domain *d, struct p2m_entry *victim)
{
    struct p2m_entry *e = d->p2m->e;
    unsigned mask = nr_slots(d->p2m) - 1;
    unsigned hole = (unsigned)(victim - e);
    for (unsigned i = (hole + 1) & mask; e[i].key; i = (i + 1) & mask) {
        unsigned home = slot_of(d->p2m, e[i].key - 1);
        /* e[i] may fill the hole if its home is not in (hole, i] */
        bool stays = hole < i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            e[hole] = e[i];
            hole = i;
        }
    }
    memset(&e[hole], 0, sizeof(e[hole]));
    d->p2m->used--;
}

/* d's own RAM page at ipa (host address), or 0. */
static paddr_t own_ram(const struct domain *d, paddr_t ipa)
{
    for (unsigned i = 0; i < d->nr_banks; i++) {
        const struct guest_bank *b = &d->banks[i];
        if (ipa >= b->ipa && ipa - b->ipa < b->size)
            return b->pa + (ipa - b->ipa);
    }
    return 0;
}

static void flush(struct pt *pt) { stage2_flush_tlb((const struct stage2 *)pt); }
_Static_assert(__builtin_offsetof(struct stage2, pt) == 0, "flush() finds the stage 2 from its table");

/* Whether gfn may take an extra mapping in d: inside the IPA space, not
 * emulated MMIO, not RAM in use, nothing mapped. *hole: the slot is a
 * balloon hole (its entry). */
static int placeable(struct domain *d, uint64_t gfn, struct p2m_entry **hole)
{
    *hole = NULL;
    if (gfn >> (stage2_ipa_bits() - PAGE_SHIFT))
        return -XAM_EINVAL;
    paddr_t ipa = gfn << PAGE_SHIFT;
    if (emul_mmio_find(&d->mmio, ipa))
        return -XAM_EINVAL;
    struct p2m_entry *e = find(d, gfn);
    if (e) {
        if (e->kind != P2M_HOLE)
            return -XAM_EEXIST;
        *hole = e;
        return 0;
    }
    paddr_t pa;
    uint64_t attrs;
    if (own_ram(d, ipa) || pt_lookup(&d->s2.pt, ipa, &pa, &attrs))
        return -XAM_EEXIST;
    return 0;
}

static int map_extra(struct domain *d, uint64_t gfn, paddr_t pa, struct domain *src, bool writable)
{
    struct p2m_entry *hole;
    int rc = placeable(d, gfn, &hole);
    if (rc)
        return rc;
    /* a domain being built or rebuilt may get hypervisor pages too */
    if (d->state != DOMAIN_RUNNING && d->state != DOMAIN_BUILDING && d->state != DOMAIN_REBUILDING)
        return -XAM_ESRCH;
    paddr_t own = hole ? hole->pa : 0;
    struct p2m_entry *e = hole ? hole : insert(d, gfn);
    if (!e)
        return -XAM_ENOSPC;
    /* never executable: these pages are data handed across domains */
    rc = pt_map(&d->s2.pt, gfn << PAGE_SHIFT, pa, PAGE_SIZE, (writable ? S2_RAM : S2_RAM_RO) | S2_XN);
    if (rc) {
        if (!hole)
            erase(d, e);
        return rc;
    }
    e->pa = pa;
    e->own = own;
    e->src = src;
    e->kind = src ? P2M_FOREIGN : P2M_XEN;
    e->writable = writable;
    if (src)
        src->p2m_lent++;
    return 0;
}

int p2m_map_foreign(struct domain *d, uint64_t gfn, struct domain *src, uint64_t src_gfn, bool writable)
{
    if (src == d || src_gfn >> (64 - PAGE_SHIFT))
        return -XAM_EINVAL;
    /* its first touch, if it is one: made ready before it is lent
     * (core/guest_ram.c; outside our lock, which that takes) */
    if (src->state != DOMAIN_RUNNING) /* and again under the lock */
        return -XAM_ESRCH;
    if (!domain_ram_ptr(src, src_gfn << PAGE_SHIFT, PAGE_SIZE))
        return -XAM_EINVAL;
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    int rc;
    paddr_t pa = own_ram(src, src_gfn << PAGE_SHIFT);
    if (src->state != DOMAIN_RUNNING)
        rc = -XAM_ESRCH;
    else if (!pa || find(src, src_gfn)) /* not RAM, or ballooned out by its owner */
        rc = -XAM_EINVAL;
    else
        rc = map_extra(d, gfn, pa, src, writable);
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

int p2m_map_xen_page(struct domain *d, uint64_t gfn, paddr_t pa, bool writable)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    int rc = map_extra(d, gfn, pa, NULL, writable);
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

/* An orphan mapping of a released domain's page went: its bank may go. */
static void retired_put(paddr_t pa)
{
    for (unsigned i = 0; i < nr_retired; i++)
        if (retired[i].refs && pa >= retired[i].pa && pa - retired[i].pa < retired[i].size) {
            if (--retired[i].refs == 0) {
                memory_free(retired[i].pa, retired[i].size);
                retired_shrink();
            }
            return;
        }
}

/* The mapping e of d is gone from its stage 2: drop what it held. */
static void let_go(struct p2m_entry *e)
{
    if (e->kind != P2M_FOREIGN)
        return;
    if (e->src)
        e->src->p2m_lent--;
    else
        retired_put(e->pa);
}

int p2m_remove(struct domain *d, uint64_t gfn)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    struct p2m_entry *e = find(d, gfn);
    int rc = -XAM_ENOENT;
    if (e && e->kind != P2M_HOLE) {
        rc = pt_unmap(&d->s2.pt, gfn << PAGE_SHIFT, PAGE_SIZE, flush);
        stage2_flush_tlb(&d->s2);
        if (!rc) {
            let_go(e);
            if (e->own) { /* the balloon hole under it is back */
                e->kind = P2M_HOLE;
                e->pa = e->own;
                e->own = 0;
                e->src = NULL;
            } else {
                erase(d, e);
            }
        }
    }
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

int p2m_balloon_out(struct domain *d, uint64_t gfn)
{
    paddr_t ipa = gfn << PAGE_SHIFT;
    /* a hole is cut in a ready chunk, mapped with the rest of it */
    if (gfn >> (64 - PAGE_SHIFT) || !domain_ram_ptr(d, ipa, PAGE_SIZE))
        return -XAM_EINVAL;
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    paddr_t pa = own_ram(d, ipa);
    int rc = !pa || find(d, gfn) ? -XAM_EINVAL : 0;
    struct p2m_entry *e = rc ? NULL : insert(d, gfn);
    if (!rc && !e)
        rc = -XAM_ENOSPC;
    if (!rc) {
        rc = pt_unmap(&d->s2.pt, ipa, PAGE_SIZE, flush);
        stage2_flush_tlb(&d->s2);
        if (rc) {
            erase(d, e);
        } else {
            e->kind = P2M_HOLE;
            e->pa = pa;
        }
    }
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

int p2m_balloon_in(struct domain *d, uint64_t gfn)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    struct p2m_entry *e = find(d, gfn);
    int rc = !e ? -XAM_ENOENT : e->kind != P2M_HOLE ? -XAM_EEXIST : 0;
    if (!rc) {
        /* what it had there before is gone: it gets a zeroed page, as
         * from populate_physmap on Xen */
        void *page = (void *)(uintptr_t)e->pa;
        memset(page, 0, PAGE_SIZE);
        dcache_clean_range(page, PAGE_SIZE);
        rc = pt_map(&d->s2.pt, gfn << PAGE_SHIFT, e->pa, PAGE_SIZE, S2_RAM);
        if (!rc)
            erase(d, e);
    }
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

void *p2m_page_ptr(struct domain *d, uint64_t gfn, bool *writable)
{
    if (gfn >> (64 - PAGE_SHIFT))
        return NULL;
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    struct p2m_entry *e = find(d, gfn);
    paddr_t pa = e && e->kind != P2M_HOLE ? e->pa : 0;
    *writable = e ? e->writable : true;
    spin_unlock_irqrestore(&p2m_lock, flags);
    if (e)
        return pa ? (void *)(uintptr_t)(pa & ~(paddr_t)(PAGE_SIZE - 1)) : NULL;
    /* its own RAM, made ready if this is its first touch */
    return domain_ram_ptr(d, gfn << PAGE_SHIFT, PAGE_SIZE);
}

int p2m_map_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size, bool replace)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    int rc = 0;
    if (replace) { /* break before make: its vCPUs fault and wait meanwhile */
        rc = pt_unmap(&d->s2.pt, ipa, size, flush);
        stage2_flush_tlb(&d->s2);
    }
    if (!rc)
        rc = pt_map(&d->s2.pt, ipa, pa, size, S2_RAM);
    /* the new entries visible to every CPU's table walks before the
     * access that faulted is retried */
    dsb(ishst);
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

int p2m_show_page(struct domain *d, paddr_t ipa, paddr_t pa)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    int rc = pt_map(&d->s2.pt, ipa, pa, PAGE_SIZE, S2_RAM_RO | S2_XN);
    dsb(ishst);
    spin_unlock_irqrestore(&p2m_lock, flags);
    return rc;
}

void p2m_hide_page(struct domain *d, paddr_t ipa)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    pt_unmap(&d->s2.pt, ipa, PAGE_SIZE, flush);
    stage2_flush_tlb(&d->s2);
    spin_unlock_irqrestore(&p2m_lock, flags);
}

bool p2m_fault_is_spurious(struct domain *d, paddr_t ipa, enum p2m_access access)
{
    if (!__atomic_load_n(&d->p2m, __ATOMIC_ACQUIRE) && !d->lazy_ram)
        return false; /* its stage 2 never changed after the build */
    /* the lock waits out a change in progress on another CPU */
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    paddr_t pa;
    uint64_t attrs;
    bool mapped = pt_lookup(&d->s2.pt, ipa, &pa, &attrs);
    spin_unlock_irqrestore(&p2m_lock, flags);
    /* mapped now, and for this kind of access: a write to a read-only
     * page or a fetch from a never-executable one is no retry */
    return mapped && !(access == P2M_WRITE && !(attrs & S2_AP_W)) && !(access == P2M_EXEC && (attrs & S2_XN));
}

/* d is released while other domains map some of its pages: those mappings
 * become orphans, and the banks holding them are retired instead of freed
 * (returned: a bit per bank of d not to free now). */
static unsigned retire_lent(struct domain *d)
{
    unsigned keep = 0;
    for (unsigned i = 0; i < nr_domains && d->p2m_lent; i++) {
        struct domain *o = domains[i];
        for (unsigned s = 0; o->p2m && s < nr_slots(o->p2m) && d->p2m_lent; s++) {
            struct p2m_entry *e = &o->p2m->e[s];
            if (!e->key || e->kind != P2M_FOREIGN || e->src != d)
                continue;
            e->src = NULL;
            d->p2m_lent--;
            unsigned b = 0;
            while (b < d->nr_banks && (e->pa < d->banks[b].pa || e->pa - d->banks[b].pa >= d->banks[b].size))
                b++;
            if (b == d->nr_banks || d->banks[b].is_static)
                continue; /* never freed anyway (static memory, a kernel in place) */
            struct retired_bank *r = retired_slot(d->banks[b].pa, d->banks[b].size);
            keep |= 1u << b;
            if (!r) {
                /* out of memory to remember it: never freed, which is safe */
                log_warn("%s (domain %u): memory lent to %s stays allocated for good", d->name, d->id, o->name);
                continue;
            }
            r->pa = d->banks[b].pa;
            r->size = d->banks[b].size;
            r->refs++;
        }
    }
    return keep;
}
_Static_assert(DOMAIN_MAX_BANKS <= 32, "a bit per bank");

void p2m_release(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&p2m_lock);
    if (d->p2m) {
        for (unsigned s = 0; s < nr_slots(d->p2m); s++)
            if (d->p2m->e[s].key)
                let_go(&d->p2m->e[s]);
        memory_free((paddr_t)(uintptr_t)d->p2m, table_bytes(d->p2m->log2));
        __atomic_store_n(&d->p2m, NULL, __ATOMIC_RELEASE);
    }
    unsigned keep = d->p2m_lent ? retire_lent(d) : 0;
    for (unsigned i = 0; i < d->nr_banks; i++)
        if (!d->banks[i].is_static && !((keep >> i) & 1))
            memory_free(d->banks[i].pa, d->banks[i].size);
    spin_unlock_irqrestore(&p2m_lock, flags);
}
