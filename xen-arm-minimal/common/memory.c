#include <asm/mmu.h>
#include <asm/probe.h>
#include <asm/spinlock.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/log.h>
#include <xam/memory.h>

struct palloc host_pages;
static spinlock_t host_pages_lock = SPINLOCK_INIT;

int memory_alloc(uint64_t size, uint64_t align, paddr_t *pa)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    int rc = palloc_alloc(&host_pages, size, align, pa);
    spin_unlock_irqrestore(&host_pages_lock, flags);
    return rc;
}

int memory_claim(paddr_t pa, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    int rc = palloc_claim(&host_pages, pa, size);
    spin_unlock_irqrestore(&host_pages_lock, flags);
    return rc;
}

void memory_free(paddr_t pa, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&host_pages_lock);
    int rc = palloc_free(&host_pages, pa, size);
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
    if (rc) {
        *why = "too many reserved regions split RAM (page allocator extents exhausted)";
        return rc;
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
    /* The device tree may claim more RAM than the machine has: read each
     * range's last word before anything is given out, so a /memory that
     * runs past the real RAM is a message, not a crash once a guest lands
     * there. (One read a range: under TCG each first touch of a host page
     * costs milliseconds.) */
    for (unsigned i = 0; i < map.n; i++) {
        paddr_t last = map.r[i].base + map.r[i].size - 8;
        uint64_t v;
        if (!probe_read64(last, &v)) {
            static char msg[160];
            fmt_snprintf(msg, sizeof(msg),
                         "nothing answers at 0x%llx, which the device tree says is RAM: /memory claims more than the "
                         "machine has",
                         (unsigned long long)last);
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
