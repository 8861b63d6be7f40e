/* Domain objects: creation, guest RAM, stage-2 maps, MMIO regions and the
 * end of a domain's life. */
#include <asm/cache.h>
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <string.h>
#include <xam/builder.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/hypercall.h>
#include <xam/irq_forward.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/sched.h>
#include <xam/shutdown.h>
#include <xam/vpl011.h>

struct domain *domains[MAX_DOMAINS];
unsigned nr_domains;
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned running;

static uint64_t *alloc_s2_table(void *ctx __unused)
{
    paddr_t pa;
    if (memory_alloc(PAGE_SIZE, PAGE_SIZE, &pa))
        return NULL;
    uint64_t *t = (uint64_t *)(uintptr_t)pa;
    memset(t, 0, PAGE_SIZE);
    return t;
}

static void free_s2_table(uint64_t *t)
{
    memory_free((paddr_t)(uintptr_t)t, PAGE_SIZE);
}

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
    d->s2.pt.start_level = 1;
    d->s2.pt.in_bits = stage2_ipa_bits();
    d->s2.pt.alloc_table = alloc_s2_table;
    d->s2.pt.root = alloc_s2_table(NULL);
    if (!d->s2.pt.root) {
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
    d->state = DOMAIN_RUNNING;

    uint64_t flags = spin_lock_irqsave(&domains_lock);
    d->id = nr_domains + 1; /* domain 0 would be a dom0: there is none */
    d->s2.vmid = (uint16_t)d->id;
    domains[nr_domains++] = d;
    running++;
    spin_unlock_irqrestore(&domains_lock, flags);
    *out = d;
    return 0;
}

int domain_add_ram(struct domain *d, paddr_t ipa, uint64_t size)
{
    if (d->nr_banks == DOMAIN_MAX_BANKS)
        return -XAM_ENOSPC;
    /* 2 MiB alignment lets stage 2 use blocks: fewer tables, fewer walks. */
    uint64_t align = size >= MiB(2) ? MiB(2) : PAGE_SIZE;
    paddr_t pa;
    int rc = memory_alloc(size, align, &pa);
    if (rc)
        return rc;
    memset((void *)(uintptr_t)pa, 0, size);
    /* The guest starts with its MMU and caches off: what it reads must be
     * in memory, not only in our caches. */
    dcache_clean_range((void *)(uintptr_t)pa, size);
    rc = pt_map(&d->s2.pt, ipa, pa, size, S2_RAM);
    if (rc) {
        memory_free(pa, size);
        return rc;
    }
    d->banks[d->nr_banks++] = (struct guest_bank){ ipa, pa, size, false };
    return 0;
}

int domain_add_ram_in_place(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size)
{
    if (d->nr_banks == DOMAIN_MAX_BANKS)
        return -XAM_ENOSPC;
    int rc = pt_map(&d->s2.pt, ipa, pa, size, S2_RAM);
    if (rc)
        return rc;
    d->banks[d->nr_banks++] = (struct guest_bank){ ipa, pa, size, true };
    return 0;
}

int domain_add_static_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size)
{
    if (d->nr_banks == DOMAIN_MAX_BANKS)
        return -XAM_ENOSPC;
    memset((void *)(uintptr_t)pa, 0, size);
    dcache_clean_range((void *)(uintptr_t)pa, size);
    return domain_add_ram_in_place(d, ipa, pa, size);
}

int domain_add_mmio(struct domain *d, const struct mmio_region *r)
{
    if (d->nr_mmio == DOMAIN_MAX_MMIO)
        return -XAM_ENOSPC;
    for (unsigned i = 0; i < d->nr_mmio; i++)
        if (ranges_overlap(d->mmio[i].base, d->mmio[i].size, r->base, r->size))
            return -XAM_EEXIST;
    d->mmio[d->nr_mmio++] = *r;
    return 0;
}

void *domain_ram_ptr(struct domain *d, paddr_t ipa, uint64_t len)
{
    for (unsigned i = 0; i < d->nr_banks; i++) {
        const struct guest_bank *b = &d->banks[i];
        if (ipa >= b->ipa && len <= b->size && ipa - b->ipa <= b->size - len)
            return (void *)(uintptr_t)(b->pa + (ipa - b->ipa));
    }
    return NULL;
}

unsigned domains_running(void)
{
    return __atomic_load_n(&running, __ATOMIC_ACQUIRE);
}

static void domain_free_memory(struct domain *d)
{
    /* No CPU runs the domain any more (the scheduler calls this once none
     * has it loaded); drop its translations before reusing their memory. */
    stage2_flush_tlb(&d->s2);
    vpl011_detach(d);
    for (unsigned i = 0; i < d->nr_banks; i++)
        if (!d->banks[i].is_static)
            memory_free(d->banks[i].pa, d->banks[i].size);
    pt_free_tables(&d->s2.pt, free_s2_table);
    free_s2_table(d->s2.pt.root);
    d->s2.pt.root = NULL;
    d->nr_banks = 0;
}

/* The domain has left DOMAIN_RUNNING: turn its vCPUs off, make CPUs that
 * may be running them look, and free it at once if none is loaded. */
static void stop_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = &d->vcpus[i];
        v->state = VCPU_OFF;
        if (v->pcpu != this_cpu_id())
            sched_kick(v->pcpu);
    }
    sched_domain_stopped(d);
}

void domain_shutdown(struct domain *d, const char *why)
{
    uint64_t flags = spin_lock_irqsave(&domains_lock);
    if (d->state != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&domains_lock, flags);
        return;
    }
    d->state = DOMAIN_SHUTDOWN;
    unsigned left = --running;
    spin_unlock_irqrestore(&domains_lock, flags);

    log_info("%s (domain %u): %s", d->name, d->id, why);
    stop_vcpus(d);
    irq_forward_release(d);
    ioreq_dm_stopped(d);
    if (left == 0) {
        log_info("all domains have stopped: powering off");
        machine_poweroff();
    }
}

void domain_reset(struct domain *d, const char *why)
{
    uint64_t flags = spin_lock_irqsave(&domains_lock);
    if (d->state != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&domains_lock, flags);
        return;
    }
    d->state = DOMAIN_RESETTING;
    spin_unlock_irqrestore(&domains_lock, flags);

    log_info("%s (domain %u): %s: rebuilding it", d->name, d->id, why);
    stop_vcpus(d);
    irq_forward_release(d);
    ioreq_dm_stopped(d);
}

int domain_reinit(struct domain *d)
{
    d->s2.pt.root = alloc_s2_table(NULL);
    if (!d->s2.pt.root)
        return -XAM_ENOMEM;
    d->s2.pt.tables = 1;
    d->nr_banks = 0;
    d->nr_mmio = 0;
    d->vpl011 = NULL;
    d->shared_info = 0;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = &d->vcpus[i];
        v->state = VCPU_OFF;
        v->vcpu_info = 0;
        v->wake_at = 0;
        v->queued = false;
    }
    d->released = false;
    return 0;
}

void domain_release(struct domain *d)
{
    domain_free_memory(d);
    log_debug("%s: memory freed", d->name);
    if (d->state != DOMAIN_RESETTING)
        return;
    int rc = builder_rebuild(d);
    if (rc) {
        d->state = DOMAIN_RUNNING; /* so that shutdown takes it down */
        domain_shutdown(d, "could not be rebuilt after a reset");
    }
}
