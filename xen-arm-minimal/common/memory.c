#include <asm/cache.h>
#include <asm/mmu.h>
#include <asm/probe.h>
#include <asm/spinlock.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/log.h>
#include <xam/memory.h>

struct palloc host_pages;
static spinlock_t host_pages_lock = SPINLOCK_INIT;

/* With /chosen's xen,static-heap, the allocator holds the heap only; the
 * free RAM outside it waits here for xen,static-mem claims (memory_claim),
 * and nothing else ever takes it. Empty without a static heap. */
static struct mrange static_only_store[64];
static struct mrset static_only = { static_only_store, 0, 64 };

/* /memory may claim RAM the machine does not have (a range past the end of
 * RAM, over a hole), and a write there is a crash. So RAM is read before it
 * is used. At boot, the first and last word of every range the allocator
 * may give out (memory_init(): a range whose ends are not there is fatal).
 * Inside the ranges, each block when it is handed out, before whoever
 * asked writes to it (all of them do: page tables and state are zeroed):
 * its first and last word and every RAM_PROBE_STEP boundary between. Any
 * hole inside a block at least RAM_PROBE_STEP long holds such a boundary,
 * and one at a block's edge is found by its first or last word: the step
 * is guest RAM's alignment (domain_add_ram()). A hole found is left out,
 * with an error line, and the allocation is served from elsewhere.
 *
 * Guest RAM made ready on first touch is different (memory_alloc_lazy()):
 * only its block's ends are read when it is handed out, and each 2 MiB of
 * it just before it is first written (memory_check(), from
 * core/guest_ram.c). Reading is not free on a host where untouched RAM
 * costs nothing: on QEMU the first touch of a host page allocates and
 * zeroes it, so reading a 256 MiB domain's RAM every 2 MiB made all of it
 * resident (and zeroed by the host) before the guest ran. A hole found at
 * a first touch is too late to serve from elsewhere: those 2 MiB are the
 * guest's address space. Its pages are left out for good (never handed
 * out again, after the domain too: memory_free()) and the guest gets an
 * abort there, as for any address with nothing behind it
 * (docs/host-device-tree.md). */
#define RAM_PROBE_STEP MiB(2)

static bool answers(paddr_t pa)
{
    uint64_t v;
    return probe_read64(pa, &v);
}

/* The word read after a, up to last: the next RAM_PROBE_STEP boundary. */
static paddr_t next_probe(paddr_t a, paddr_t last) { return MIN(ALIGN_DOWN(a, RAM_PROBE_STEP) + RAM_PROBE_STEP, last); }

/* The first word of [base, base + size) read that does not answer, and the
 * last one before it that does (*ok == *hole: none). Its first and last
 * word, and every RAM_PROBE_STEP boundary between unless ends_only. */
static bool find_hole(paddr_t base, uint64_t size, bool ends_only, paddr_t *ok, paddr_t *hole)
{
    const paddr_t last = base + size - 8;
    *ok = base;
    for (paddr_t a = base;; a = ends_only ? last : next_probe(a, last)) {
        if (!answers(a)) {
            *hole = a;
            if (a == base)
                *ok = a;
            return true;
        }
        *ok = a;
        if (a == last)
            return false;
    }
}

/* a answers and b does not, or the other way round: the first page from
 * a's towards b's like b, by bisection (one change between them assumed). */
static paddr_t edge(paddr_t a, paddr_t b, bool a_answers)
{
    paddr_t lo = ALIGN_DOWN(a, PAGE_SIZE), hi = ALIGN_DOWN(b, PAGE_SIZE);
    while (hi - lo > PAGE_SIZE) {
        paddr_t mid = ALIGN_DOWN(lo + (hi - lo) / 2, PAGE_SIZE);
        if (answers(mid) == a_answers)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* The pages of the hole at hole (ok: the last word before it that
 * answered; hole itself: none), read no further than limit: from the page
 * after ok's to the first page that answers again, both found by
 * bisection (one hole assumed). */
static void hole_pages(paddr_t ok, paddr_t hole, paddr_t limit, paddr_t *start, paddr_t *end)
{
    *start = ok != hole ? edge(ok, hole, true) : ALIGN_DOWN(hole, PAGE_SIZE);
    paddr_t last = limit - 8, missing = hole;
    *end = limit;
    for (paddr_t a = hole; a < last; missing = a) {
        a = next_probe(a, last);
        if (answers(a)) {
            *end = edge(missing, a, false);
            break;
        }
    }
    *end = MAX(*end, ALIGN_DOWN(missing, PAGE_SIZE) + PAGE_SIZE);
}

/* [block, block + size) was just allocated and hole in it does not answer.
 * Give the block back, then take the hole's pages out of the allocator for
 * good, read up to the end of the free extent it is in. */
static int leave_out(paddr_t block, uint64_t size, paddr_t ok, paddr_t hole)
{
    int rc = palloc_free(&host_pages, block, size);
    if (rc)
        return rc;
    /* (the block is back in its free extent) */
    paddr_t limit = hole + 8, start, end;
    for (unsigned i = 0; i < host_pages.free.n; i++)
        if (hole >= host_pages.free.r[i].base && hole < mrange_end(&host_pages.free.r[i]))
            limit = mrange_end(&host_pages.free.r[i]);
    hole_pages(ok, hole, limit, &start, &end);
    rc = palloc_claim(&host_pages, start, end - start);
    log_err("memory: nothing answers at 0x%llx-0x%llx, which the device tree says is RAM: %llu KiB left out",
            (unsigned long long)start, (unsigned long long)(end - 1), (unsigned long long)((end - start) >> 10));
    return rc;
}

static int alloc_checked(uint64_t size, uint64_t align, bool ends_only, paddr_t *pa)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    paddr_t ok, hole;
    int rc;
    /* each hole left out is gone from the free set: this ends */
    while ((rc = palloc_alloc(&host_pages, size, align, pa)) == 0 &&
           find_hole(*pa, ALIGN_UP(size, PAGE_SIZE), ends_only, &ok, &hole))
        if ((rc = leave_out(*pa, ALIGN_UP(size, PAGE_SIZE), ok, hole)))
            break;
    spin_unlock_irqrestore(&host_pages_lock, flags);
    return rc;
}

int memory_alloc(uint64_t size, uint64_t align, paddr_t *pa) { return alloc_checked(size, align, false, pa); }

int memory_alloc_guest_page(paddr_t *pa)
{
    int rc = memory_alloc(PAGE_SIZE, PAGE_SIZE, pa);
    if (rc == 0)
        ram_scrub((void *)(uintptr_t)*pa, PAGE_SIZE);
    return rc;
}

int memory_alloc_lazy(uint64_t size, uint64_t align, paddr_t *pa) { return alloc_checked(size, align, true, pa); }

/* Pages taken for good because nothing answers there, though they were
 * handed out (memory_check()): memory_free() keeps them out of the free
 * set. Should it fill up, a hole freed goes back and is found again by
 * the next check there (one more error line; never a write to it). */
static struct mrange holes_store[16];
static struct mrset holes = { holes_store, 0, 16 };

int memory_check(paddr_t pa, uint64_t size, paddr_t *bad, uint64_t *bad_size)
{
    paddr_t ok, hole;
    size = ALIGN_UP(size, PAGE_SIZE);
    if (!find_hole(pa, size, false, &ok, &hole))
        return 0;
    paddr_t start, end;
    hole_pages(ok, hole, pa + size, &start, &end);
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    mrset_add(&holes, start, end - start); /* full: see holes */
    spin_unlock_irqrestore(&host_pages_lock, flags);
    *bad = start;
    *bad_size = end - start;
    return -XAM_EIO;
}

int memory_claim(paddr_t pa, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    paddr_t ok, hole;
    int rc;
    if (mrset_contains(&static_only, pa, ALIGN_UP(size, PAGE_SIZE))) {
        /* outside a static heap: static memory's, for good */
        rc = find_hole(pa, ALIGN_UP(size, PAGE_SIZE), false, &ok, &hole)
            ? -XAM_EIO
            : mrset_remove(&static_only, pa, ALIGN_UP(size, PAGE_SIZE));
    } else {
        rc = palloc_claim(&host_pages, pa, size);
        if (!rc && find_hole(pa, ALIGN_UP(size, PAGE_SIZE), false, &ok, &hole)) {
            palloc_free(&host_pages, pa, size);
            rc = -XAM_EIO;
        }
    }
    spin_unlock_irqrestore(&host_pages_lock, flags);
    return rc;
}

void memory_free(paddr_t pa, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    int rc = palloc_free(&host_pages, pa, size);
    /* a hole found in it stays taken (claiming needs at most one more
     * extent per hole; should there be none, it is found again) */
    for (unsigned i = 0; i < holes.n && !rc; i++) {
        paddr_t s = MAX(holes.r[i].base, pa), e = MIN(mrange_end(&holes.r[i]), pa + ALIGN_UP(size, PAGE_SIZE));
        if (s < e)
            palloc_claim(&host_pages, s, e - s);
    }
    spin_unlock_irqrestore(&host_pages_lock, flags);
    if (rc) {
        /* A free of memory that is free already, or was never the
         * allocator's, is a hypervisor bug: say exactly what it was. */
        bool managed = mrset_contains(&host_pages.managed, pa, ALIGN_UP(size, PAGE_SIZE));
        bool partly_free = mrset_overlaps(&host_pages.free, pa, ALIGN_UP(size, PAGE_SIZE));
        for (unsigned i = 0; i < host_pages.free.n; i++)
            log_err("memory: free range 0x%llx-0x%llx", (unsigned long long)host_pages.free.r[i].base,
                    (unsigned long long)(mrange_end(&host_pages.free.r[i]) - 1));
        panic("memory_free(0x%llx, 0x%llx): %s (%d)", (unsigned long long)pa, (unsigned long long)size,
              !managed          ? "not memory the allocator manages"
                  : partly_free ? "already (partly) free: a double free"
                                : "refused",
              rc);
    }
}

static void log_range(const char *what, paddr_t base, uint64_t size, const char *detail)
{
    log_info("memory: %-9s 0x%010llx-0x%010llx %7llu KiB %s", what, (unsigned long long)base,
             (unsigned long long)(base + size - 1), (unsigned long long)(size >> 10), detail);
}

static int exclude(paddr_t base, uint64_t size) { return palloc_exclude(&host_pages, base, size); }

int memory_init(const struct hostdt *h, paddr_t fdt, uint64_t fdt_span, const char **why)
{
    paddr_t hv = image_start();
    uint64_t hv_size = image_end() - hv;
    int rc;

    palloc_init(&host_pages);
    for (unsigned i = 0; i < h->mem.n; i++) {
        const struct mrange *b = &h->mem.r[i];
        log_range("RAM", b->base, b->size, "");
        if ((rc = palloc_add(&host_pages, b->base, b->size))) {
            *why = "too many RAM banks for the page allocator";
            return rc;
        }
    }

    log_range("reserved", hv, hv_size, "hypervisor image");
    rc = exclude(hv, hv_size);
    log_range("reserved", fdt, h->fdt_size, "host device tree");
    rc = rc ? rc : exclude(fdt, h->fdt_size);
    for (unsigned i = 0; i < h->reserved.n && !rc; i++) {
        log_range("reserved", h->reserved.r[i].base, h->reserved.r[i].size, "/memreserve/ or /reserved-memory");
        rc = exclude(h->reserved.r[i].base, h->reserved.r[i].size);
    }
    dt_index(h->fdt); /* each module's path, without a walk from the root */
    for (unsigned i = 0; i < h->nr_modules && !rc; i++) {
        const struct hostdt_module *m = &h->modules[i];
        /* a module with a problem costs its domain (the builder says why),
         * never the boot: nothing will read it, so nothing is reserved */
        if (m->problem)
            continue;
        char path[DT_PATH_MAX];
        log_range("module", m->base, m->size, dt_node_path(h->fdt, m->node, path, sizeof(path)));
        rc = exclude(m->base, m->size);
    }
    dt_index(NULL);
    if (rc) {
        *why = "too many reserved regions split RAM (page allocator extents exhausted)";
        return rc;
    }

    /* xen,static-heap: what is free outside the heap leaves the
     * allocator for the static-memory claims */
    for (unsigned i = 0; i < h->heap.n; i++)
        log_range("heap", h->heap.r[i].base, h->heap.r[i].size, "xen,static-heap: the only RAM allocated from");
    if (h->heap.n) {
        struct mrange outside_store[64];
        struct mrset outside;
        mrset_init(&outside, outside_store, ARRAY_SIZE(outside_store));
        for (unsigned i = 0; i < host_pages.free.n && !rc; i++)
            rc = mrset_add(&outside, host_pages.free.r[i].base, host_pages.free.r[i].size);
        for (unsigned i = 0; i < h->heap.n && !rc; i++)
            rc = mrset_remove(&outside, h->heap.r[i].base, h->heap.r[i].size);
        for (unsigned i = 0; i < outside.n && !rc; i++) {
            log_range("static", outside.r[i].base, outside.r[i].size, "outside the static heap: xen,static-mem only");
            rc = exclude(outside.r[i].base, outside.r[i].size);
            rc = rc ? rc : mrset_add(&static_only, outside.r[i].base, outside.r[i].size);
        }
        if (rc) {
            *why = "xen,static-heap splits RAM into too many ranges";
            return rc;
        }
    }

    uint64_t free = palloc_free_bytes(&host_pages);
    if (free == 0) {
        *why = "no usable memory left after the reserved regions and modules";
        return -XAM_ENOMEM;
    }

    /* Map all RAM the hypervisor may touch (guest RAM, modules) into EL2:
     * every bank minus the image and the device tree, mapped already. */
    struct mrange store[HOSTDT_MAX_BANKS + 4];
    struct mrset map;
    mrset_init(&map, store, ARRAY_SIZE(store));
    for (unsigned i = 0; i < h->mem.n && !rc; i++)
        rc = mrset_add(&map, ALIGN_DOWN(h->mem.r[i].base, PAGE_SIZE),
                       ALIGN_UP(mrange_end(&h->mem.r[i]), PAGE_SIZE) - ALIGN_DOWN(h->mem.r[i].base, PAGE_SIZE));
    rc = rc ? rc : mrset_remove(&map, hv, ALIGN_UP(hv_size, PAGE_SIZE));
    rc = rc ? rc
            : mrset_remove(&map, ALIGN_DOWN(fdt, PAGE_SIZE),
                           ALIGN_UP(fdt + fdt_span, PAGE_SIZE) - ALIGN_DOWN(fdt, PAGE_SIZE));
    for (unsigned i = 0; i < map.n && !rc; i++)
        rc = mmu_map_ram(map.r[i].base, map.r[i].size);
    if (rc) {
        *why = "cannot map RAM into the hypervisor's address space";
        return rc;
    }
    /* The ends of every range the allocator may give out (the rest is
     * read as it is handed out, above): a /memory that runs past the real
     * RAM, or starts where there is none, is refused here. Reserved
     * regions and modules are not read: secure firmware's carve-outs may
     * fault by design, and the loader wrote the modules. */
    for (unsigned i = 0; i < host_pages.free.n; i++) {
        const struct mrange *r = &host_pages.free.r[i];
        paddr_t end[2] = { r->base, mrange_end(r) - 8 };
        for (unsigned j = 0; j < 2; j++)
            if (!answers(end[j])) {
                static char msg[160];
                fmt_snprintf(msg, sizeof(msg),
                             "nothing answers at 0x%llx, which the device tree says is RAM: /memory claims more than "
                             "the machine has",
                             (unsigned long long)end[j]);
                *why = msg;
                return -XAM_EIO;
            }
    }
    mmu_use_allocator();

    log_info("memory: page allocator manages %llu MiB, %llu KiB free in %u ranges",
             (unsigned long long)(palloc_managed_bytes(&host_pages) >> 20), (unsigned long long)(free >> 10),
             host_pages.free.n);
    return 0;
}
