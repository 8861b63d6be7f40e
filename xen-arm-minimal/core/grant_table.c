/* Grant tables, version 1 (include/xam/grant_table.h), written from Xen's
 * common/grant_table.c and its Arm parts, answering what Xen 4.17 on Arm
 * answers (docs/hypercalls.md, "Grant tables").
 *
 * A domain's table is allocated on its first grant call: its shared
 * frames (the pages the guest writes its grants into, the hypervisor's,
 * mapped into it with XENMEM_add_to_physmap), one page of "active"
 * entries per frame (how often each grant is pinned, by whom, and the
 * frame it named when first pinned) and its maptrack (the mappings of
 * other domains' grants it holds: the handles). It goes when the domain
 * stops or resets (a stop hook).
 *
 * The shared entries are the granter's memory: its vCPUs write them while
 * we read them. Everything we decide is decided on one 32-bit word
 * (flags and domid) read once, and the flags GTF_reading/GTF_writing are
 * set with a compare-and-swap on that word that fails if the granter
 * changed it in between, retried a bounded number of times (a guest that
 * keeps rewriting its entry only makes its own grant unusable, and never
 * holds this CPU). Once pinned, the frame is the one read at the first
 * pin (the active entry's), whatever the granter writes later.
 *
 * Lifetimes: a granted page is the granter's RAM, checked present (not
 * ballooned out) when first pinned. Copies run under the lock with the
 * grant pinned, so the granter's teardown (which takes the lock) and its
 * memory's release (later still) wait for them. Mappings go through
 * core/p2m.c, which keeps a page lent to another domain allocated after
 * its owner stops; the mapper's handle then outlives the granter's table
 * (its `gen` no longer matches) and unmapping it only removes the
 * mapping. */
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/grant_table.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/p2m.h>
#include <xam/xen_abi.h>

/* Pin counts per active entry, as Xen's GNTPIN_hstw/hstr: writable and
 * read-only uses (host mappings, copies in progress), 8 bits each. */
#define PIN_W_INC 0x1u
#define PIN_W_MASK 0xffu
#define PIN_R_INC 0x100u
/* a count with its top bit set takes no more pins (Xen's overflow check) */
#define PIN_FULL(pin, inc) (((pin) & ((inc) << 7)) != 0)

/* Attempts at a compare-and-swap on a guest's entry: changes by the guest
 * tolerated (Xen's 4 retries), and failures with no change seen (the
 * exclusive monitor lost to the guest's writes to the same line). */
#define CAS_CHANGES 4
#define CAS_ATTEMPTS 64

struct active {
    uint16_t pin;
    uint16_t domid; /* who holds the pins */
    uint32_t frame; /* the granter's gfn, read when first pinned */
};
_Static_assert(sizeof(struct active) * GNTTAB_ENTRIES_PER_FRAME == PAGE_SIZE, "one page of active entries a frame");

struct gframe {
    uint32_t *shared; /* the guest's page: entry i is words 2i (flags | domid << 16) and 2i+1 (frame) */
    struct active *active;
    uint64_t gfn; /* where it was mapped in its domain, GNTTAB_INVALID_GFN: nowhere */
};

#define MT_NONE UINT32_MAX
struct maptrack {
    uint16_t flags; /* GNTMAP_host_map [| GNTMAP_readonly]; 0: a free handle */
    uint16_t domid; /* the granter */
    uint32_t ref; /* the grant; for a free handle, the next free one */
    uint64_t gfn; /* where it is mapped in the holder */
    paddr_t pa; /* the page mapped there */
    uint64_t gen; /* the granter's table it pinned (struct gnttab.gen) */
};
#define MAPTRACK_FRAME_SIZE (GNTTAB_MAPTRACK_PER_FRAME * sizeof(struct maptrack))

struct gnttab {
    uint64_t gen; /* tells this table from the domain's earlier and later ones */
    uint64_t size; /* of this allocation */
    unsigned max_frames, nr_frames;
    unsigned max_mt_frames, nr_mt_frames;
    uint32_t mt_free; /* first free handle, MT_NONE: none */
    struct gframe *frames; /* [max_frames], after this struct */
    struct maptrack **mt; /* [max_mt_frames], after frames */
};

static spinlock_t gt_lock = SPINLOCK_INIT;
static uint64_t next_gen = 1;
static bool ready;

static void domain_stopped(struct domain *d);

int gnttab_init(void)
{
    if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        return 0;
    int rc = domain_add_stop_hook(domain_stopped);
    if (!rc)
        __atomic_store_n(&ready, true, __ATOMIC_RELEASE);
    return rc;
}

bool gnttab_enabled(void) { return __atomic_load_n(&ready, __ATOMIC_ACQUIRE); }

bool gnttab_may_use(const struct domain *granter, const struct domain *grantee)
{
    return granter != grantee && (granter->device_model == grantee || grantee->device_model == granter);
}

bool gnttab_may_inspect(const struct domain *caller, const struct domain *d)
{
    return caller == d || d->device_model == caller;
}

unsigned gnttab_max_frames(const struct domain *d)
{
    unsigned n = d->max_grant_frames ? d->max_grant_frames : GNTTAB_DEFAULT_MAX_FRAMES;
    return MIN(n, GNTTAB_LIMIT_FRAMES);
}

unsigned gnttab_max_maptrack_frames(const struct domain *d)
{
    unsigned n = d->max_maptrack_frames ? d->max_maptrack_frames : GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES;
    return MIN(n, GNTTAB_LIMIT_MAPTRACK_FRAMES);
}

/* The host tests define this to play a granter writing its entry at the
 * worst moment: between our read of it and the compare-and-swap. */
__attribute__((weak)) void gnttab_entry_window(uint32_t *entry_word) { (void)entry_word; }

/* ---- the table ---- */

static void *page_alloc(uint64_t size)
{
    paddr_t pa;
    if (memory_alloc(size, PAGE_SIZE, &pa))
        return NULL;
    memset((void *)(uintptr_t)pa, 0, size);
    return (void *)(uintptr_t)pa;
}

static void page_free(void *p, uint64_t size) { memory_free((paddr_t)(uintptr_t)p, size); }

/* Grow t to n frames (all or nothing). */
static int grow(struct gnttab *t, unsigned n)
{
    unsigned i;
    for (i = t->nr_frames; i < n; i++) {
        struct gframe *f = &t->frames[i];
        paddr_t pa;
        f->shared = memory_alloc_guest_page(&pa) ? NULL : (void *)(uintptr_t)pa;
        f->active = f->shared ? page_alloc(PAGE_SIZE) : NULL;
        f->gfn = GNTTAB_INVALID_GFN;
        if (!f->active)
            break;
    }
    if (i == n) {
        t->nr_frames = n;
        return 0;
    }
    for (unsigned j = t->nr_frames; j <= i; j++) {
        if (t->frames[j].shared)
            page_free(t->frames[j].shared, PAGE_SIZE);
        if (t->frames[j].active)
            page_free(t->frames[j].active, PAGE_SIZE);
        memset(&t->frames[j], 0, sizeof(t->frames[j]));
    }
    return -XAM_ENOMEM;
}

/* d's table, made on first use (with one frame, as Xen's tables start)
 * while d runs; NULL when grant tables are off, d does not run, or there
 * is no memory. Under gt_lock. */
static struct gnttab *table(struct domain *d)
{
    if (d->gnttab || !gnttab_enabled() || d->state != DOMAIN_RUNNING)
        return d->gnttab;
    unsigned maxf = gnttab_max_frames(d), maxm = gnttab_max_maptrack_frames(d);
    uint64_t size =
        ALIGN_UP(sizeof(struct gnttab) + maxf * sizeof(struct gframe) + maxm * sizeof(struct maptrack *), PAGE_SIZE);
    struct gnttab *t = page_alloc(size);
    if (!t)
        return NULL;
    t->gen = next_gen++;
    t->size = size;
    t->max_frames = maxf;
    t->max_mt_frames = maxm;
    t->mt_free = MT_NONE;
    t->frames = (struct gframe *)(t + 1);
    t->mt = (struct maptrack **)(t->frames + maxf);
    if (grow(t, 1)) {
        page_free(t, size);
        return NULL;
    }
    d->gnttab = t;
    return t;
}

static uint32_t *entry_word(struct gnttab *t, uint32_t ref)
{
    return &t->frames[ref / GNTTAB_ENTRIES_PER_FRAME].shared[2 * (ref % GNTTAB_ENTRIES_PER_FRAME)];
}

static struct active *active_entry(struct gnttab *t, uint32_t ref)
{
    return &t->frames[ref / GNTTAB_ENTRIES_PER_FRAME].active[ref % GNTTAB_ENTRIES_PER_FRAME];
}

/* Whether frame f of d is still mapped where it was (the guest may have
 * taken it out with XENMEM_remove_from_physmap); forgets it if not. */
static bool frame_mapped(struct domain *d, struct gframe *f)
{
    bool writable;
    if (f->gfn != GNTTAB_INVALID_GFN && p2m_page_ptr(d, f->gfn, &writable) != (void *)f->shared)
        f->gfn = GNTTAB_INVALID_GFN;
    return f->gfn != GNTTAB_INVALID_GFN;
}

int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn)
{
    if (!gnttab_enabled())
        return -XAM_ENOSYS;
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *t = table(d);
    int rc;
    if (!t) {
        rc = d->state == DOMAIN_RUNNING ? -XAM_ENOMEM : -XAM_ESRCH;
    } else if (idx >= t->max_frames) {
        rc = -XAM_EINVAL; /* beyond the limit, or a v2 status frame (XENMAPIDX_grant_table_status) */
    } else if (idx >= t->nr_frames && grow(t, (unsigned)idx + 1)) {
        rc = -XAM_EINVAL; /* as Xen, when the table cannot grow */
    } else if (frame_mapped(d, &t->frames[idx])) {
        /* Xen 4.17 on Arm: "first unmap the page before mapping it again",
         * so that remapping cannot leave a hole where it was */
        rc = -XAM_EBUSY;
    } else {
        struct gframe *f = &t->frames[idx];
        rc = p2m_map_xen_page(d, gfn, (paddr_t)(uintptr_t)f->shared, true);
        if (!rc)
            f->gfn = gfn;
    }
    spin_unlock_irqrestore(&gt_lock, flags);
    return rc;
}

int gnttab_setup_table(struct domain *caller, struct domain *d, uint32_t nr_frames)
{
    if (!gnttab_may_inspect(caller, d))
        return GNTST_permission_denied;
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *t = table(d);
    int rc = GNTST_okay;
    if (!t || nr_frames > t->max_frames || (nr_frames > t->nr_frames && grow(t, nr_frames)))
        rc = GNTST_general_error;
    spin_unlock_irqrestore(&gt_lock, flags);
    return rc;
}

uint64_t gnttab_frame_gfn(struct domain *d, unsigned frame)
{
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *t = d->gnttab;
    uint64_t gfn =
        t && frame < t->nr_frames && frame_mapped(d, &t->frames[frame]) ? t->frames[frame].gfn : GNTTAB_INVALID_GFN;
    spin_unlock_irqrestore(&gt_lock, flags);
    return gfn;
}

int gnttab_query_size(struct domain *caller, struct domain *d, uint32_t *nr_frames, uint32_t *max_frames)
{
    if (!gnttab_may_inspect(caller, d))
        return GNTST_permission_denied;
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    /* only the domain itself makes its table; Xen's has one frame from
     * the start, which is what another asker is told */
    struct gnttab *t = caller == d ? table(d) : d->gnttab;
    *nr_frames = t ? t->nr_frames : 1;
    *max_frames = gnttab_max_frames(d);
    spin_unlock_irqrestore(&gt_lock, flags);
    return GNTST_okay;
}

/* ---- pinning a granter's entry ---- */

/* Xen's _set_status_v1: check the entry (if nobody pins it yet: a full
 * page permitted to grantee) and set GTF_reading, and GTF_writing unless
 * readonly (refused on a GTF_readonly grant), in one compare-and-swap. */
static int set_status(uint32_t *word, const struct active *act, bool readonly, uint16_t grantee)
{
    uint32_t cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    unsigned changes = 0, attempts = 0;
    for (;;) {
        uint16_t eflags = (uint16_t)cur, edomid = (uint16_t)(cur >> 16);
        if (!act->pin && ((eflags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access || edomid != grantee))
            return GNTST_general_error;
        uint32_t want = cur | GTF_reading;
        if (!readonly) {
            if (eflags & GTF_readonly)
                return GNTST_general_error;
            want |= GTF_writing;
        }
        gnttab_entry_window(word);
        uint32_t seen = cur;
        /* weak: one load/store-exclusive pair per attempt, so the loop
         * bound is the only loop */
        if (__atomic_compare_exchange_n(word, &seen, want, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return GNTST_okay;
        if (seen != cur ? changes++ == CAS_CHANGES : ++attempts == CAS_ATTEMPTS)
            return GNTST_general_error; /* "shared grant entry is unstable" */
        cur = seen;
    }
}

/* Xen's reduce_status_for_pin: clear the flags no pin needs any more. */
static void reduce_status(uint32_t *word, const struct active *act, bool readonly)
{
    uint32_t clear = act->pin ? 0 : GTF_reading;
    if (!readonly && !(act->pin & PIN_W_MASK))
        clear |= GTF_writing;
    if (!clear)
        return;
    uint32_t cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    for (unsigned attempts = 0; attempts < CAS_ATTEMPTS; attempts++)
        if (!(cur & clear) ||
            __atomic_compare_exchange_n(word, &cur, cur & ~clear, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return;
    /* only its own grant stays marked in use */
    log_warn("grant tables: an entry rewritten without pause: its flags stay set");
}

/* d's RAM page at gfn, present in its stage 2 (not ballooned out, not a
 * page it maps from elsewhere); NULL otherwise. */
static void *own_page(struct domain *d, uint64_t gfn)
{
    if (gfn >> (64 - PAGE_SHIFT))
        return NULL;
    void *p = domain_ram_ptr(d, gfn << PAGE_SHIFT, PAGE_SIZE);
    bool writable;
    return p && p2m_page_ptr(d, gfn, &writable) == p ? p : NULL;
}

/* Pin grant ref of rd (table rt) for grantee: the page and its gfn in rd.
 * GNTST_okay or why not (Xen's order of checks). */
static int acquire(struct domain *rd, struct gnttab *rt, uint32_t ref, struct domain *grantee, bool readonly,
                   void **page, uint32_t *frame)
{
    if (ref >= rt->nr_frames * GNTTAB_ENTRIES_PER_FRAME)
        return GNTST_bad_gntref;
    uint32_t *word = entry_word(rt, ref);
    struct active *act = active_entry(rt, ref);
    unsigned inc = readonly ? PIN_R_INC : PIN_W_INC;
    if (act->pin && (act->domid != grantee->id || PIN_FULL(act->pin, inc)))
        return GNTST_general_error;
    if (!act->pin || (!readonly && !(act->pin & PIN_W_MASK))) {
        int rc = set_status(word, act, readonly, (uint16_t)grantee->id);
        if (rc)
            return rc;
        if (!act->pin) {
            uint32_t f = __atomic_load_n(word + 1, __ATOMIC_RELAXED);
            if (!own_page(rd, f)) {
                reduce_status(word, act, readonly);
                return GNTST_bad_page;
            }
            act->domid = (uint16_t)grantee->id;
            act->frame = f;
        }
    }
    act->pin = (uint16_t)(act->pin + inc);
    /* pinned: the frame stays rd's RAM for as long as rd has this table */
    *page = domain_ram_ptr(rd, (paddr_t)act->frame << PAGE_SHIFT, PAGE_SIZE);
    *frame = act->frame;
    return GNTST_okay;
}

static void release(struct gnttab *rt, uint32_t ref, bool readonly)
{
    struct active *act = active_entry(rt, ref);
    act->pin = (uint16_t)(act->pin - (readonly ? PIN_R_INC : PIN_W_INC));
    reduce_status(entry_word(rt, ref), act, readonly);
}

/* ---- maptrack: the handles of the mappings a domain holds ---- */

static struct maptrack *mt_entry(struct gnttab *t, uint32_t h)
{
    return &t->mt[h / GNTTAB_MAPTRACK_PER_FRAME][h % GNTTAB_MAPTRACK_PER_FRAME];
}

static uint32_t get_handle(struct gnttab *t)
{
    if (t->mt_free == MT_NONE) {
        if (t->nr_mt_frames == t->max_mt_frames)
            return MT_NONE;
        struct maptrack *e = page_alloc(MAPTRACK_FRAME_SIZE);
        if (!e)
            return MT_NONE;
        uint32_t base = t->nr_mt_frames * GNTTAB_MAPTRACK_PER_FRAME;
        for (uint32_t i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++)
            e[i].ref = i + 1 < GNTTAB_MAPTRACK_PER_FRAME ? base + i + 1 : MT_NONE;
        t->mt[t->nr_mt_frames++] = e;
        t->mt_free = base;
    }
    uint32_t h = t->mt_free;
    t->mt_free = mt_entry(t, h)->ref;
    return h;
}

static void put_handle(struct gnttab *t, uint32_t h)
{
    struct maptrack *e = mt_entry(t, h);
    memset(e, 0, sizeof(*e));
    e->ref = t->mt_free;
    t->mt_free = h;
}

/* The pin a mapping holds goes, if the granter's table is the one it
 * pinned (not if the granter stopped since: its table went with it). */
static void unpin_mapping(const struct maptrack *m)
{
    struct domain *rd = domain_by_id(m->domid);
    struct gnttab *rt = rd ? rd->gnttab : NULL;
    if (rt && rt->gen == m->gen)
        release(rt, m->ref, m->flags & GNTMAP_readonly);
}

/* Remove the holder's mapping, if it is still the page the grant mapped
 * (the holder may have removed it itself). */
static int unmap_page(struct domain *d, const struct maptrack *m)
{
    bool writable;
    if (p2m_page_ptr(d, m->gfn, &writable) != (void *)(uintptr_t)m->pa)
        return 0;
    return p2m_remove(d, m->gfn);
}

/* ---- the operations ---- */

void gnttab_map_grant_ref(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    bool readonly = op->flags & GNTMAP_readonly;
    if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        op->status = GNTST_bad_gntref; /* Xen: nothing to pin */
        return;
    }
    /* Arm (create_grant_host_mapping): host mappings only, at a guest
     * physical address, no cache attributes */
    if (op->flags & ~(GNTMAP_host_map | GNTMAP_readonly)) {
        op->status = GNTST_general_error;
        return;
    }
    struct domain *rd = domain_by_id(op->dom);
    if (!rd) {
        op->status = GNTST_bad_domain;
        return;
    }
    if (!gnttab_may_use(rd, ld)) {
        op->status = GNTST_permission_denied;
        return;
    }
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *lt = table(ld), *rt = rd->gnttab;
    uint32_t h = lt ? get_handle(lt) : MT_NONE;
    int rc = GNTST_okay;
    void *page = NULL;
    uint32_t frame = 0;
    if (h == MT_NONE)
        rc = lt || ld->state == DOMAIN_RUNNING ? GNTST_no_space : GNTST_general_error;
    else if (!rt)
        rc = GNTST_bad_gntref; /* it has no table, so no grants */
    else
        rc = acquire(rd, rt, op->ref, ld, readonly, &page, &frame);
    if (!rc && p2m_map_foreign(ld, op->host_addr >> PAGE_SHIFT, rd, frame, !readonly)) {
        release(rt, op->ref, readonly);
        rc = GNTST_general_error;
    }
    if (!rc) {
        struct maptrack *m = mt_entry(lt, h);
        m->flags = (uint16_t)op->flags;
        m->domid = (uint16_t)rd->id;
        m->ref = op->ref;
        m->gfn = op->host_addr >> PAGE_SHIFT;
        m->pa = (paddr_t)(uintptr_t)page;
        m->gen = rt->gen;
        op->handle = h;
        /* the host address only to a domain that sees host addresses anyway */
        op->dev_bus_addr = ld->direct_mapped ? m->pa : 0;
    } else if (h != MT_NONE) {
        put_handle(lt, h);
    }
    spin_unlock_irqrestore(&gt_lock, flags);
    op->status = (int16_t)rc;
}

void gnttab_unmap_grant_ref(struct domain *ld, struct gnttab_unmap_grant_ref *op)
{
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *lt = ld->gnttab;
    struct maptrack *m = NULL;
    int rc = GNTST_okay;
    if (lt && op->handle < lt->nr_mt_frames * GNTTAB_MAPTRACK_PER_FRAME)
        m = mt_entry(lt, op->handle);
    if (!m || !m->flags)
        rc = GNTST_bad_handle;
    else if (!op->host_addr)
        m = NULL; /* Xen: a zero host_addr leaves the host mapping (and the handle) alone */
    else if (op->host_addr >> PAGE_SHIFT != m->gfn || unmap_page(ld, m))
        rc = GNTST_general_error;
    if (!rc && m) {
        unpin_mapping(m);
        put_handle(lt, op->handle);
    }
    spin_unlock_irqrestore(&gt_lock, flags);
    op->status = (int16_t)rc;
}

/* One side of a copy (Xen's gnttab_copy_buf). */
struct copy_side {
    struct domain *d;
    struct gnttab *t; /* a grant: its table, pinned */
    uint32_t ref;
    bool readonly;
    void *page;
};

static int copy_domain(struct domain *caller, const struct gnttab_copy_ptr *p, bool gref, struct copy_side *s)
{
    if (!gref && p->domid != DOMID_SELF)
        return GNTST_permission_denied; /* Xen: only DOMID_SELF may name a frame */
    s->d = p->domid == DOMID_SELF ? caller : domain_by_id(p->domid);
    if (!s->d)
        return GNTST_bad_domain;
    if (gref && !gnttab_may_use(s->d, caller))
        return GNTST_permission_denied;
    return GNTST_okay;
}

/* Under gt_lock: the page, pinned if it is a grant. */
static int copy_claim(struct domain *caller, const struct gnttab_copy_ptr *p, bool gref, struct copy_side *s)
{
    if (!gref) {
        s->page = own_page(caller, p->u.gmfn);
        return s->page ? GNTST_okay : GNTST_bad_page;
    }
    struct gnttab *t = s->d->gnttab;
    uint32_t frame;
    if (!t)
        return GNTST_bad_gntref;
    int rc = acquire(s->d, t, p->u.ref, caller, s->readonly, &s->page, &frame);
    if (!rc) {
        s->t = t;
        s->ref = p->u.ref;
    }
    return rc;
}

/* Under gt_lock: both sides claimed (Xen's order: source, then
 * destination, then the bounds), the bytes copied. */
static int copy_locked(struct domain *caller, const struct gnttab_copy *op, struct copy_side *src,
                       struct copy_side *dst)
{
    int rc = copy_claim(caller, &op->source, op->flags & GNTCOPY_source_gref, src);
    if (!rc)
        rc = copy_claim(caller, &op->dest, op->flags & GNTCOPY_dest_gref, dst);
    if (rc)
        return rc;
    if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;
    /* both may be the same page */
    memmove((char *)dst->page + op->dest.offset, (const char *)src->page + op->source.offset, op->len);
    return GNTST_okay;
}

void gnttab_copy(struct domain *caller, struct gnttab_copy *op)
{
    struct copy_side src = { .readonly = true }, dst = { .readonly = false };
    int rc = GNTST_okay;
    /* Xen: an empty copy is not checked at all */
    if (op->len && !(rc = copy_domain(caller, &op->source, op->flags & GNTCOPY_source_gref, &src)) &&
        !(rc = copy_domain(caller, &op->dest, op->flags & GNTCOPY_dest_gref, &dst))) {
        uint64_t flags = spin_lock_irqsave(&gt_lock);
        rc = copy_locked(caller, op, &src, &dst);
        if (src.t)
            release(src.t, src.ref, true);
        if (dst.t)
            release(dst.t, dst.ref, false);
        spin_unlock_irqrestore(&gt_lock, flags);
    }
    op->status = (int16_t)rc;
}

/* ---- a domain stops or resets ---- */

/* Its mappings of others' grants go (their pins with them, so the
 * granters can end access); its own table and frames go (the grants
 * others map become orphans: p2m keeps those pages, their handles stay
 * until unmapped). Its vCPUs may still be finishing: every mapping is
 * taken out of its stage 2 before a page is freed. */
static void domain_stopped(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&gt_lock);
    struct gnttab *t = d->gnttab;
    d->gnttab = NULL;
    for (unsigned f = 0; t && f < t->nr_mt_frames; f++) {
        for (unsigned i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++) {
            struct maptrack *m = &t->mt[f][i];
            if (!m->flags)
                continue;
            unpin_mapping(m);
            if (unmap_page(d, m))
                log_warn("%s (domain %u): a grant mapping at gfn 0x%llx could not be removed", d->name, d->id,
                         (unsigned long long)m->gfn);
        }
        page_free(t->mt[f], MAPTRACK_FRAME_SIZE);
    }
    for (unsigned f = 0; t && f < t->nr_frames; f++) {
        struct gframe *g = &t->frames[f];
        if (frame_mapped(d, g) && p2m_remove(d, g->gfn)) {
            /* still mapped: keeping the page is the safe way out */
            log_warn("%s (domain %u): grant frame %u stays mapped: not freed", d->name, d->id, f);
        } else {
            page_free(g->shared, PAGE_SIZE);
        }
        page_free(g->active, PAGE_SIZE);
    }
    if (t)
        page_free(t, t->size);
    spin_unlock_irqrestore(&gt_lock, flags);
}
