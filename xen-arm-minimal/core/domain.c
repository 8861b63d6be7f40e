/* Domain objects: creation, guest RAM, stage-2 maps, MMIO regions and the
 * end of a domain's life. */
#include <asm/cache.h>
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/memory.h>
#include <xam/p2m.h>

struct domain *domains[MAX_DOMAINS];
unsigned nr_domains;
static bool stage2_pages;

void domain_set_stage2_pages(bool pages) { stage2_pages = pages; }
static spinlock_t domains_lock = SPINLOCK_INIT;

struct domain *domain_by_id(uint64_t id)
{
    /* ids are given in creation order from 1 */
    unsigned n = __atomic_load_n(&nr_domains, __ATOMIC_ACQUIRE);
    return id >= 1 && id <= n ? domains[id - 1] : NULL;
}

static uint64_t *alloc_s2_table(void *ctx __unused)
{
    paddr_t pa;
    if (memory_alloc(PAGE_SIZE, PAGE_SIZE, &pa))
        return NULL;
    uint64_t *t = (uint64_t *)(uintptr_t)pa;
    memset(t, 0, PAGE_SIZE);
    return t;
}

static void free_s2_table(uint64_t *t) { memory_free((paddr_t)(uintptr_t)t, PAGE_SIZE); }

int domain_create(const char *name, unsigned nr_vcpus, struct domain **out)
{
    if (nr_vcpus == 0 || nr_vcpus > DOMAIN_MAX_VCPUS)
        return -XAM_EINVAL;
    if (nr_domains == MAX_DOMAINS)
        return -XAM_ENOSPC;
    paddr_t pa;
    uint64_t size = ALIGN_UP(sizeof(struct domain), PAGE_SIZE);
    int rc = memory_alloc(size, PAGE_SIZE, &pa);
    if (rc)
        return rc;
    struct domain *d = (struct domain *)(uintptr_t)pa;
    memset(d, 0, sizeof(*d));
    /* the vCPUs apart, as many as it has: up to 128 of 1 KiB and more */
    paddr_t vpa;
    uint64_t vsize = ALIGN_UP(nr_vcpus * sizeof(struct vcpu), PAGE_SIZE);
    if ((rc = memory_alloc(vsize, PAGE_SIZE, &vpa))) {
        memory_free(pa, size);
        return rc;
    }
    d->vcpus = (struct vcpu *)(uintptr_t)vpa;
    memset(d->vcpus, 0, nr_vcpus * sizeof(struct vcpu));
    d->s2.pt.start_level = 1;
    d->s2.pt.in_bits = stage2_ipa_bits();
    d->s2.pt.pages_only = stage2_pages;
    d->s2.pt.alloc_table = alloc_s2_table;
    d->s2.pt.root = alloc_s2_table(NULL);
    if (!d->s2.pt.root) {
        memory_free(vpa, vsize);
        memory_free(pa, size);
        return -XAM_ENOMEM;
    }
    d->s2.pt.tables = 1;
    fmt_snprintf(d->name, sizeof(d->name), "%s", name);
    d->nr_vcpus = nr_vcpus;
    for (unsigned i = 0; i < nr_vcpus; i++) {
        d->vcpus[i].dom = d;
        d->vcpus[i].id = i;
        d->vcpus[i].state = VCPU_OFF;
    }
    d->layout = guest_layout_xen();
    d->state = DOMAIN_BUILDING;

    uint64_t flags = spin_lock_irqsave(&domains_lock);
    d->id = nr_domains + 1; /* domain 0 would be a dom0: there is none */
    d->s2.vmid = (uint16_t)d->id;
    domains[nr_domains] = d;
    __atomic_store_n(&nr_domains, nr_domains + 1, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&domains_lock, flags);
    *out = d;
    return 0;
}

int domain_set_sve(struct domain *d, unsigned bits)
{
    if (!bits || d->sve_state)
        return 0;
    paddr_t pa;
    uint64_t size = ALIGN_UP(d->nr_vcpus * sve_state_size(bits), PAGE_SIZE);
    int rc = memory_alloc(size, PAGE_SIZE, &pa);
    if (rc)
        return rc;
    memset((void *)(uintptr_t)pa, 0, size);
    d->sve_state = (void *)(uintptr_t)pa;
    d->sve_bits = bits;
    return 0;
}

int domain_map_device(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size)
{
    return pt_map(&d->s2.pt, ipa, pa, size, S2_DEVICE);
}

int domain_add_mmio(struct domain *d, const struct mmio_region *r) { return emul_mmio_add(&d->mmio, r); }

int domain_on_release(struct domain *d, void (*fn)(struct domain *d, void *arg), void *arg)
{
    if (d->nr_on_release == DOMAIN_MAX_RELEASE)
        return -XAM_ENOSPC;
    d->on_release[d->nr_on_release].fn = fn;
    d->on_release[d->nr_on_release++].arg = arg;
    return 0;
}

/* The domain the console's input goes to (NULL: the hypervisor): its
 * output is live, shown as it is written. */
static struct domain *console_focus;

void domain_console_write(struct domain *d, enum console_source src, const char *buf, size_t n)
{
    uint64_t flags = spin_lock_irqsave(&d->console_lock);
    bool live = __atomic_load_n(&console_focus, __ATOMIC_ACQUIRE) == d;
    guest_console_write(&d->console[src], d->name, buf, n, live);
    spin_unlock_irqrestore(&d->console_lock, flags);
}

void domain_console_focus(struct domain *d)
{
    /* A write that saw the old focus finishes under the console lock
     * before we take it: what it left pending goes out here. */
    __atomic_store_n(&console_focus, d, __ATOMIC_RELEASE);
    if (!d)
        return;
    uint64_t flags = spin_lock_irqsave(&d->console_lock);
    for (unsigned i = 0; i < CONSOLE_SOURCES; i++)
        guest_console_go_live(&d->console[i], d->name);
    spin_unlock_irqrestore(&d->console_lock, flags);
}

/* Its RAM and stage-2 tables (lifecycle.c, once no CPU runs it). */
void domain_free_ram(struct domain *d)
{
    /* its RAM, except what other domains still map (core/p2m.c) */
    domain_ram_release(d);
    if (d->s2.pt.root) {
        pt_free_tables(&d->s2.pt, free_s2_table);
        free_s2_table(d->s2.pt.root);
        d->s2.pt.root = NULL;
    }
}

/* An emptied domain for the rebuild: new stage 2, no RAM, no devices,
 * vCPUs off; id, name, vCPU count and placement kept. */
int domain_reinit(struct domain *d)
{
    d->s2.pt.root = alloc_s2_table(NULL);
    if (!d->s2.pt.root)
        return -XAM_ENOMEM;
    d->s2.pt.tables = 1;
    d->nr_banks = 0;
    memset(&d->mmio, 0, sizeof(d->mmio));
    d->vpl011 = NULL;
    d->shared_info = 0;
    return 0;
}
