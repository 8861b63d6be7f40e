/* Reads each /chosen domain node, checks it whole, then builds it: guest
 * RAM, the kernel loaded where an arm64 Image asks to be, vCPU 0 placed at
 * its entry, the virtual UART if asked for. A problem names the node and
 * property, and skips only that domain. */
#include <asm/cache.h>
#include <asm/cpufeature.h>
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/stage2.h>
#include <asm/timer.h>
#include <asm/vgic_hw.h>
#include <xam/vgic.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <xam/builder.h>
#include <xam/domain.h>
#include <xam/domain_desc.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/fmt.h>
#include <xam/gic.h>
#include <xam/grant_table.h>
#include <xam/guest_fdt.h>
#include <xam/irq_forward.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/dm_console.h>
#include <xam/pvconsole.h>
#include <xam/random.h>
#include <xam/sched.h>
#include <xam/vpci_bridge.h>
#include <xam/vpl011.h>

_Static_assert(DESC_MAX_VCPUS == DOMAIN_MAX_VCPUS, "vCPU limits agree");
_Static_assert(DESC_NAME_MAX == DOMAIN_NAME_MAX, "name limits agree");
_Static_assert(NR_CPUS <= DESC_MAX_CPUS, "CPU masks hold every CPU");
_Static_assert(GUEST_NR_IRQS <= VGIC_MAX_IRQS, "every INTID a domain may name fits its vGIC");

/* Modules are in RAM the hypervisor maps 1:1. */
static const uint8_t *module_header(const struct hostdt_module *m, void *ctx __unused)
{
    return (const uint8_t *)(uintptr_t)m->base;
}

static const void *module_data(const struct hostdt_module *m, void *ctx __unused)
{
    return (const void *)(uintptr_t)m->base;
}

/* 14 KiB of decompression tables: too big for an EL2 stack. Shared by the
 * builder (boot CPU) and rebuilds (any CPU), hence the lock. */
static struct inflate_work inflate_scratch;
static spinlock_t inflate_lock = SPINLOCK_INIT;

/* Decompress an Image.gz kernel into guest RAM at ipa; it must come out
 * exactly the size its trailer promised. */
static int load_gzip(struct domain *d, paddr_t ipa, const struct domain_desc *dd)
{
    /* the trailer's size and the 64 bytes a word-wide copy may scribble
     * past it: more is refused by the inflater */
    uint64_t room = MIN(dd->banks[0].ipa + dd->banks[0].size - ipa, ALIGN_UP(dd->kernel_size + 64, PAGE_SIZE));
    void *dst = domain_ram_for_load(d, ipa, room);
    size_t got = 0;
    if (!dst)
        return -XAM_ERANGE;
    uint64_t flags = spin_lock_irqsave(&inflate_lock);
    int rc =
        gzip_inflate(dst, room, (const void *)(uintptr_t)dd->kernel->base, dd->kernel->size, &got, &inflate_scratch);
    spin_unlock_irqrestore(&inflate_lock, flags);
    if (rc || got != dd->kernel_size) {
        log_err("%s: the gzip-compressed kernel does not decompress (%s)", d->name,
                rc == -XAM_EIO          ? "CRC mismatch"
                    : rc == -XAM_ENOSPC ? "larger than its trailer says"
                                        : "corrupt data");
        return rc ? rc : -XAM_EINVAL;
    }
    /* bytes past the Image may have been scribbled (word-wide copies):
     * they are the kernel's bss, which must start zeroed */
    memset((char *)dst + got, 0, MIN(room - got, 64));
    dcache_clean_range(dst, got + MIN(room - got, 64));
    return 0;
}

static void make_env(struct builder_env *env)
{
    memset(env, 0, sizeof(*env));
    env->nr_cpus = nr_pcpus;
    for (unsigned i = 0; i < nr_pcpus; i++) {
        env->cpu_mpidr[i] = pcpus[i].mpidr;
        if (pcpus[i].online)
            env->online |= 1ULL << i;
    }
    env->ipa_bits = stage2_ipa_bits();
    env->sve_max_bits = cpufeature_sve_max();
    env->module_header = module_header;
    env->module_data = module_data;
    env->inflate_work = &inflate_scratch; /* boot CPU only, before any rebuild */
}

/* The host's GIC version and first CPU's compatible, for guest trees. */
static unsigned gic_version;
static const char *cpu_compatible;

/* Copy into guest RAM, cleaned to the point of coherency: the guest reads
 * it with its MMU (and so its caches) off. */
static int load_blob(struct domain *d, paddr_t ipa, const void *src, uint64_t size)
{
    void *dst = domain_ram_for_load(d, ipa, size);
    if (!dst) /* domain_describe() placed it: a hole in host RAM, said above */
        return -XAM_ERANGE;
    memcpy(dst, src, size);
    dcache_clean_range(dst, size);
    return 0;
}

/* What each domain was built from, by domain id, for rebuilding it after a
 * reset: it all points into the host device tree and the boot modules,
 * which stay reserved and are never written. */
static struct domain_desc built_from[MAX_DOMAINS + 1];

static int populate(struct domain *d, const struct domain_desc *dd, paddr_t *entry_out, uint64_t *x0_out);

/* Place each vCPU on the allowed CPU carrying the fewest vCPUs so far
 * (lowest number on a tie): domains spread over the machine. */
static int create(const struct domain_desc *dd, unsigned *load, struct domain **out)
{
    struct domain *d;
    int rc = domain_create(dd->name, dd->vcpus, &d);
    if (rc)
        return rc;
    *out = d;
    /* Xen's sve, at most the machine's longest (domain_desc.c): the
     * longest length every CPU gives within it */
    if ((rc = domain_set_sve(d, cpufeature_sve_vl(dd->sve_bits))))
        return rc;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        int best = -1;
        for (unsigned c = 0; c < nr_pcpus; c++)
            if ((dd->allowed[i] >> c) & 1 && (best < 0 || load[c] < load[best]))
                best = (int)c;
        d->vcpus[i].pcpu = (unsigned)best;
        load[best]++;
    }
    built_from[d->id] = *dd;
    return 0;
}

/* The domain built from host DT node `node`, or NULL. */
static struct domain *domain_of_node(int node)
{
    for (unsigned i = 0; i < nr_domains; i++)
        if (built_from[domains[i]->id].node == node)
            return domains[i];
    return NULL;
}

/* A reset domain's static event channels, made again before anything
 * else takes a port (its PV console's): bound to each peer's end that
 * waits for it, else left waiting for the peer (core/evtchn.c). */
static int rebind_static_evtchns(struct domain *d)
{
    const struct domain_desc *dd = &built_from[d->id];
    for (unsigned k = 0; k < dd->nr_evtchn; k++) {
        const struct desc_evtchn *e = &dd->evtchn[k];
        struct domain *peer = domain_of_node(e->peer);
        int rc = peer ? evtchn_bind_static(d, e->port, peer, e->remote_port) : 0;
        if (rc) {
            log_err("%s (domain %u): its static event channel on port %u cannot be made again (error %d)", d->name,
                    d->id, e->port, rc);
            return rc;
        }
    }
    return 0;
}

/* d's RAM as "guest-range -> host, ..." for the log, cut when buf is
 * full (fmt_snprintf returns what it would have written). */
static const char *banks_text(const struct domain *d, char *buf, size_t len)
{
    size_t m = 0;
    buf[0] = '\0';
    for (unsigned b = 0; b < d->nr_banks && m < len; b++)
        m += (size_t)fmt_snprintf(
            buf + m, len - m, "%s0x%llx-0x%llx -> 0x%llx", b ? ", " : "", (unsigned long long)d->banks[b].ipa,
            (unsigned long long)(d->banks[b].ipa + d->banks[b].size - 1), (unsigned long long)d->banks[b].pa);
    return buf;
}

/* The lifecycle's rebuild hook (core/lifecycle.c calls it from a
 * deferred job, the domain emptied). */
static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = rebind_static_evtchns(d);
    if (rc)
        return rc;
    rc = populate(d, &built_from[d->id], entry, x0);
    if (rc)
        return rc;
    char mem[96];
    log_info("domain %u: %s rebuilt from its boot modules, memory %s", d->id, d->name, banks_text(d, mem, sizeof(mem)));
    return 0;
}

/* The guests whose bridges d serves, for its device tree. */
static void add_clients(const struct domain *d, struct guest_fdt_params *gp)
{
    /* built_from[1 + k] is what domains[k] (id k + 1) was built from */
    bool ok[MAX_DOMAINS];
    unsigned id[MAX_DOMAINS];
    for (unsigned k = 0; k < nr_domains; k++) {
        ok[k] = domains[k]->state == DOMAIN_BUILDING || domains[k]->state == DOMAIN_RUNNING;
        id[k] = domains[k]->id;
    }
    domain_desc_add_clients(&built_from[1], ok, id, nr_domains, d->id - 1, gp);
}

/* Seeds for the guest's own random number generator and KASLR, fresh for
 * each build and rebuild (include/xam/random.h): not in the portable tree
 * writer, so the dry run's trees and the golden bytes stay what they are.
 * None when the hypervisor has no entropy to give. */
static int add_seeds(void *dtb)
{
    uint8_t seed[64];
    uint64_t kaslr;
    if (!random_bytes(seed, sizeof(seed)) || !random_bytes(&kaslr, sizeof(kaslr)))
        return 0;
    int chosen, rc = fdt_open_into(dtb, dtb, GUEST_FDT_MAX);
    if (!rc && (chosen = fdt_path_offset(dtb, "/chosen")) < 0)
        rc = chosen;
    if (!rc)
        rc = fdt_setprop(dtb, chosen, "rng-seed", seed, sizeof(seed));
    if (!rc)
        rc = fdt_setprop_u64(dtb, chosen, "kaslr-seed", kaslr);
    memset(seed, 0, sizeof(seed));
    return rc ? rc : fdt_pack(dtb);
}

/* The SPIs dd's vGIC has, in groups of 32: as many as its nr_spis asks,
 * or without it as many as the host GIC has (Xen's vgic_def_nr_spis():
 * its lines less the 32 private ones), and always up to the highest INTID
 * it uses (its vPL011, its PCI bridge's INTx lines, its passthrough
 * interrupts). */
static unsigned domain_nr_spis(const struct domain_desc *dd)
{
    unsigned top = dd->vpl011 ? dd->layout.uart_intid : 0;
    if (dd->has_bridge)
        top = MAX(top, dd->bridge.irq_start + dd->bridge.irq_count - 1);
    for (unsigned i = 0; i < dd->nr_irqs; i++)
        top = MAX(top, dd->irqs[i]);
    /* Xen's nr_spis, which domain_desc.c checked reaches top */
    if (dd->nr_spis)
        top = MAX(top, 31 + dd->nr_spis);
    else
        top = MAX(top, MIN(gic()->nr_lines(), GUEST_NR_IRQS) - 1);
    return vgic_nr_spis_for(top);
}

static int populate(struct domain *d, const struct domain_desc *dd, paddr_t *entry_out, uint64_t *x0_out)
{
    int rc;
    d->enhanced = domain_desc_enhanced(dd);
    d->max_grant_frames = dd->max_grant_frames;
    d->max_maptrack_frames = dd->max_maptrack_frames;
    d->has_bridge = dd->has_bridge;
    d->bridge = dd->bridge;
    if (d->has_bridge && (rc = vpci_bridge_attach(d)))
        return rc;
    for (unsigned i = 0; i < dd->nr_mmio; i++)
        if ((rc = pt_map(&d->s2.pt, dd->mmio[i].guest, dd->mmio[i].host, dd->mmio[i].size, S2_DEVICE)))
            return rc;
    d->direct_mapped = dd->direct_map;
    d->layout = dd->layout;
    d->unmapped_reads_ones = dd->unmapped_reads_ones;
    /* RAM made ready on first touch, unless a passthrough device could
     * read it by DMA before the guest touched it (core/guest_ram.c) */
    bool lazy = dd->nr_mmio == 0;
    for (unsigned i = 0; i < dd->nr_banks; i++) {
        paddr_t ipa = dd->banks[i].ipa;
        uint64_t size = dd->banks[i].size;
        if ((rc = dd->static_mem ? domain_add_static_ram(d, ipa, dd->banks[i].pa, size)
                                 : domain_add_ram(d, ipa, size, lazy)))
            return rc;
    }
    /* the kernel's whole 2 MiB chunks read from its module until written
     * (copy on write): nothing copied now, and the module stays as the
     * board loaded it for the next reset */
    if (dd->kernel_in_place && d->lazy_ram &&
        (rc = domain_ram_map_pristine(d, dd->banks[0].ipa, dd->kernel->base, dd->kernel_mapped)))
        return rc;
    /* Static shared memory, claimed at boot (claim_shared_memory()): no
     * bank of the domain, so never freed with it. As in Xen, the owner
     * maps it as its RAM, every other sharer as a foreign mapping: never
     * executable. */
    for (unsigned i = 0; i < dd->nr_shm; i++) {
        const struct desc_shm *s = &dd->shm[i];
        if ((rc = pt_map(&d->s2.pt, s->ipa, s->pa, s->size, s->role == SHM_ROLE_OWNER ? S2_RAM : S2_RAM | S2_XN)))
            return rc;
    }
    if (dd->vpl011 && (rc = vpl011_attach(d)))
        return rc;
    /* Xen's PV console (hvc0 for Linux), served by the hypervisor */
    if (d->enhanced && (rc = pvconsole_attach(d)))
        return rc;
    /* a virtio-console its device model serves: typed input kept for it */
    for (unsigned k = 0; k < dd->nr_virtio; k++)
        if (dd->virtio[k].kind == VIRTIO_CONSOLE)
            dm_console_attach(d);
    if ((rc = vgic_domain_init(d, vgic_hw_version(), vgic_hw_gicv_base(), domain_nr_spis(dd))))
        return rc;
    for (unsigned i = 0; i < dd->nr_irqs; i++)
        if ((rc = irq_forward_claim(d, dd->irqs[i], dd->irq_edge & (1u << i)))) {
            if (rc == -XAM_ERANGE)
                log_err("%s: host interrupt %u (SPI %u) does not exist: the host GIC has %u interrupt lines", d->name,
                        dd->irqs[i], dd->irqs[i] - 32, gic()->nr_lines());
            else
                log_err("%s: host interrupt %u (SPI %u) is already another domain's or the hypervisor's", d->name,
                        dd->irqs[i], dd->irqs[i] - 32);
            return rc;
        }
    d->cntvoff = counter_read();

    paddr_t entry = dd->banks[0].ipa + dd->text_offset;
    uint64_t skip = dd->kernel_in_place && d->lazy_ram ? dd->kernel_mapped : 0; /* read from the module */
    if (dd->kernel_gzip) {
        if ((rc = load_gzip(d, entry, dd)))
            return rc;
    } else if (dd->kernel->size > skip &&
               (rc = load_blob(d, entry + skip, (const void *)(uintptr_t)(dd->kernel->base + skip),
                               dd->kernel->size - skip)))
        return rc;
    if (dd->ramdisk && (rc = load_blob(d, dd->initrd, (const void *)(uintptr_t)dd->ramdisk->base, dd->ramdisk->size)))
        return rc;
    icache_inval_all();

    struct guest_fdt_params gp;
    domain_desc_fdt_params(dd, gic_version, cpu_compatible, &gp);
    add_clients(d, &gp);
    /* A device model: its clients' disk modules, where its tree says. No
     * bank of its own, so never freed with it; the modules stay reserved
     * for good, so a disk outlives the resets of both sides. */
    for (unsigned k = 0; k < gp.nr_pmem; k++) {
        const struct guest_pmem *m = &gp.pmem[k];
        if ((rc = pt_map(&d->s2.pt, m->ipa, m->pa, m->size, (m->read_only ? S2_RAM_RO : S2_RAM) | S2_XN)))
            return rc;
        log_info("domain %u: disk module 0x%llx+0x%llx mapped at IPA 0x%llx (pmem, %s)", d->id,
                 (unsigned long long)m->pa, (unsigned long long)m->size, (unsigned long long)m->ipa,
                 m->read_only ? "read-only" : "read-write");
    }
    void *dtb = domain_ram_for_load(d, dd->dtb, GUEST_FDT_MAX);
    if (!dtb) /* domain_describe() placed it: a hole in host RAM, said above */
        return -XAM_ERANGE;
    if ((rc = guest_fdt_build(dtb, GUEST_FDT_MAX, &gp)) || (rc = add_seeds(dtb)))
        return -XAM_ENOSPC;
    /* libfdt leaves its working copy of the strings past the packed tree:
     * the guest is given the tree, not that */
    uint32_t used = fdt_totalsize(dtb), page_end = ALIGN_UP(used, PAGE_SIZE);
    memset((char *)dtb + used, 0, page_end - used);
    dcache_clean_range(dtb, page_end);
    if (page_end < GUEST_FDT_MAX) /* whole pages: DC ZVA, cleaned */
        ram_scrub((char *)dtb + page_end, GUEST_FDT_MAX - page_end);

    *entry_out = entry;
    *x0_out = dd->dtb;
    return 0;
}

/* One table of what was built, for the user to check against the
 * configuration: memory as guest -> host ranges, where each module was. */
static void print_table(struct domain *const *ready, unsigned n)
{
    log_info("domains: id name             vCPUs (CPUs)      memory (guest -> host)                   console");
    for (unsigned i = 0; i < n; i++) {
        const struct domain *d = ready[i];
        const struct domain_desc *dd = &built_from[d->id];
        /* the first 8 vCPUs' CPUs (the placement lines say all) */
        char cpus[8 * 4 + 8], mem[96];
        unsigned c = 0;
        for (unsigned v = 0; v < d->nr_vcpus && v < 8; v++)
            c += (unsigned)fmt_snprintf(cpus + c, sizeof(cpus) - c, "%s%u", v ? "," : "(", d->vcpus[v].pcpu);
        fmt_snprintf(cpus + c, sizeof(cpus) - c, d->nr_vcpus > 8 ? ",...)" : ")");
        log_info("domains: %-2u %-16s %-5u %-12s %-40s %s", d->id, d->name, d->nr_vcpus, cpus,
                 banks_text(d, mem, sizeof(mem)), d->vpl011 ? "vpl011" : "-");
        log_info("domains:    kernel module at 0x%llx, 0x%llx bytes%s", (unsigned long long)dd->kernel->base,
                 (unsigned long long)dd->kernel->size,
                 dd->kernel_in_place   ? ", mapped in place (copied on write)"
                     : dd->kernel_gzip ? ", gzip, decompressed"
                                       : "");
        if (dd->ramdisk)
            log_info("domains:    ramdisk module at 0x%llx, 0x%llx bytes", (unsigned long long)dd->ramdisk->base,
                     (unsigned long long)dd->ramdisk->size);
        for (unsigned k = 0; k < dd->nr_shm; k++) {
            const struct desc_shm *s = &dd->shm[k];
            log_info("domains:    shared memory \"%s\": 0x%llx-0x%llx -> 0x%llx, %s", s->id, (unsigned long long)s->ipa,
                     (unsigned long long)(s->ipa + s->size - 1), (unsigned long long)s->pa,
                     s->role == SHM_ROLE_OWNER          ? "owner"
                         : s->role == SHM_ROLE_BORROWER ? "borrower"
                                                        : "borrower (no owner)");
        }
        if (d->enhanced)
            log_info("domains:    hypervisor node (xen,enhanced), grant table at 0x%llx, up to %u frames and %u "
                     "maptrack frames",
                     (unsigned long long)GUEST_GNTTAB_BASE, gnttab_max_frames(d), gnttab_max_maptrack_frames(d));
        for (unsigned k = 0; k < dd->nr_evtchn; k++) {
            const struct desc_evtchn *e = &dd->evtchn[k];
            const struct domain *peer = domain_of_node(e->peer);
            log_info("domains:    static event channel: port %u <-> %s port %u", e->port, peer ? peer->name : "?",
                     e->remote_port);
        }
        if (pvconsole_present(d))
            log_info("domains:    PV console: ring at 0x%llx (HVM_PARAM_CONSOLE_PFN), input with Ctrl-A",
                     (unsigned long long)GUEST_MAGIC_BASE);
        if (d->has_bridge) {
            const struct pci_bridge *b = &d->bridge;
            log_info("domains:    PCI bridge: ECAM 0x%llx+0x%llx, MEM 0x%llx+0x%llx, prefetch 0x%llx+0x%llx, "
                     "INTx SPIs %u-%u, ready register 0x%llx; device model %s%s",
                     (unsigned long long)b->ecam, (unsigned long long)b->ecam_size, (unsigned long long)b->mem,
                     (unsigned long long)b->mem_size, (unsigned long long)b->pref, (unsigned long long)b->pref_size,
                     b->irq_start, b->irq_start + b->irq_count - 1, (unsigned long long)PCI_READY_BASE,
                     d->device_model->name, d->held ? " (held until it connects)" : "");
        }
        for (unsigned k = 0; k < dd->nr_virtio; k++) {
            const struct virtio_dev *v = &dd->virtio[k];
            char backing[96] = "";
            if (v->disk_size)
                fmt_snprintf(backing, sizeof(backing), ", disk module 0x%llx+0x%llx", (unsigned long long)v->disk_pa,
                             (unsigned long long)v->disk_size);
            log_info("domains:    virtio slot %u: %s%s%s%s", v->slot, virtio_compatible(v->kind) + 16, backing,
                     v->backend_path ? ", backend " : "", v->backend_path ? v->backend_path : "");
        }
    }
}

/* What the checks between domains report to: the log, and the domains
 * already created (NULL before creation), which a refusal shuts down. */
struct refusals {
    const void *fdt;
    const struct domain_desc *descs;
    struct domain **dom;
};

/* Static memory is the domain's for good: take it from the allocator
 * before anything else is allocated, so nothing can land in it. */
static void claim_static_memory(struct domain_desc *descs, bool *ok, unsigned n, void *ctx)
{
    const void *fdt = ((const struct refusals *)ctx)->fdt;
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i] || !descs[i].static_mem)
            continue;
        for (unsigned b = 0; b < descs[i].nr_banks; b++) {
            const struct desc_bank *r = &descs[i].banks[b];
            int rc = memory_claim(r->pa, r->size);
            if (rc == 0)
                continue;
            char path[DT_PATH_MAX];
            log_err("%s: xen,static-mem: 0x%llx-0x%llx %s; domain skipped",
                    dt_node_path(fdt, descs[i].node, path, sizeof(path)), (unsigned long long)r->pa,
                    (unsigned long long)(r->pa + r->size - 1),
                    rc == -XAM_EIO ? "is not all there: nothing answers in part of it, which the device tree says "
                                     "is RAM"
                                   : "is not free (the hypervisor, a module, the device tree, reserved memory or "
                                     "another domain's static memory is there)");
            for (unsigned k = 0; k < b; k++)
                memory_free(descs[i].banks[k].pa, descs[i].banks[k].size);
            ok[i] = false;
            break;
        }
    }
}

/* Static shared memory, after static memory: each region the domains
 * still to be built share is claimed where its host address says or, with
 * none (Xen 4.19), allocated once the fixed ones are taken; then zeroed,
 * once. It is never anyone's RAM and never freed: its contents outlive
 * every sharer's stop and reset. A region that cannot be had costs the
 * domains sharing it. */
static void claim_shared_memory(struct domain_desc *descs, bool *ok, unsigned n, void *ctx)
{
    const void *fdt = ((const struct refusals *)ctx)->fdt;
    static const struct desc_shm *r[MAX_DOMAINS * DESC_MAX_SHM];
    unsigned nr = domain_shm_regions(descs, ok, n, r, ARRAY_SIZE(r));
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned k = 0; k < nr; k++) {
            if (r[k]->host_given != (pass == 0))
                continue;
            const char *id = r[k]->id;
            uint64_t size = r[k]->size;
            paddr_t pa = r[k]->pa;
            int rc = pass == 0 ? memory_claim(pa, size) : memory_alloc(size, size >= MiB(2) ? MiB(2) : PAGE_SIZE, &pa);
            if (rc == 0) {
                domain_shm_set_host(descs, n, id, pa);
                memset((void *)(uintptr_t)pa, 0, size);
                dcache_clean_range((void *)(uintptr_t)pa, size);
                log_info("static shared memory \"%s\": host 0x%llx-0x%llx%s", id, (unsigned long long)pa,
                         (unsigned long long)(pa + size - 1), pass ? " (allocated: no host address given)" : "");
                continue;
            }
            for (unsigned i = 0; i < n; i++)
                for (unsigned s = 0; ok[i] && s < descs[i].nr_shm; s++) {
                    if (strcmp(descs[i].shm[s].id, id))
                        continue;
                    char path[DT_PATH_MAX];
                    if (pass == 0)
                        log_err("%s: xen,shared-mem: region \"%s\", host 0x%llx-0x%llx, %s; domain skipped",
                                dt_node_path(fdt, descs[i].shm[s].node, path, sizeof(path)), id, (unsigned long long)pa,
                                (unsigned long long)(pa + size - 1),
                                rc == -XAM_EIO ? "is not all there: nothing answers in part of it, which the device "
                                                 "tree says is RAM"
                                               : "is not free (the hypervisor, a module, the device tree, reserved "
                                                 "memory or another domain's static memory is there)");
                    else
                        log_err("%s: xen,shared-mem: region \"%s\": no 0x%llx bytes of free memory to allocate it "
                                "from; domain skipped",
                                dt_node_path(fdt, descs[i].shm[s].node, path, sizeof(path)), id,
                                (unsigned long long)size);
                    ok[i] = false;
                }
        }
}

/* Everything taken for good before anything is allocated: static memory,
 * then static shared memory. */
static void claim_memory(struct domain_desc *descs, bool *ok, unsigned n, void *ctx)
{
    claim_static_memory(descs, ok, n, ctx);
    claim_shared_memory(descs, ok, n, ctx);
}

static void report_failure(const void *fdt, int node, int rc)
{
    char path[DT_PATH_MAX];
    log_err("%s: cannot build the domain (error %d: %s); domain skipped", dt_node_path(fdt, node, path, sizeof(path)),
            rc,
            rc == -XAM_ENOMEM                         ? "not enough free memory"
                : rc == -XAM_EIO || rc == -XAM_EINVAL ? "its kernel could not be loaded, see above"
                : rc == -XAM_EBUSY                    ? "something it asks for is taken, see above"
                : rc == -XAM_ERANGE                   ? "something it asks for is not on this machine, see above"
                                                      : "internal limit");
}


static void rejected(int node, const char *msg, void *ctx) { log_err("%s; domain skipped", msg); }

static void refused(unsigned i, const char *why, void *ctx)
{
    const struct refusals *r = ctx;
    char path[DT_PATH_MAX];
    log_err("%s: %s; domain skipped", dt_node_path(r->fdt, r->descs[i].node, path, sizeof(path)), why);
    if (r->dom && r->dom[i])
        domain_abandon(r->dom[i], "its device model was not built");
}

/* Xen's static event channels, bound once every domain exists and before
 * any is filled (so before its PV console takes a port), each pair once:
 * as Xen's alloc_static_evtchn, the end in the earlier domain (/chosen
 * order; in one domain, the earlier node) is offered and the other binds
 * it, its port starting pending. A pair that cannot be bound costs both
 * domains (and, through the orphans, their other peers). */
static void bind_static_evtchns(const void *fdt, struct domain_desc *descs, bool *ok, struct domain **dom, unsigned n,
                                struct refusals *r)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; ok[i] && k < descs[i].nr_evtchn; k++) {
            const struct desc_evtchn *e = &descs[i].evtchn[k];
            unsigned j = 0;
            while (j < n && descs[j].node != e->peer)
                j++;
            if (j == n || !ok[j] || j < i || (j == i && e->remote < e->node))
                continue; /* the other end binds it, or the orphans refused this one */
            int rc = evtchn_bind_static(dom[j], e->remote_port, dom[i], e->port);
            if (!rc)
                continue;
            char path[DT_PATH_MAX], why[DT_PATH_MAX + 120];
            fmt_snprintf(why, sizeof(why), "%s: xen,evtchn: cannot bind port %u to %s's port %u (error %d)",
                         dt_node_path(fdt, e->node, path, sizeof(path)), e->port, descs[j].name, e->remote_port, rc);
            log_err("%s; domains %s and %s skipped", why, descs[i].name, descs[j].name);
            ok[i] = ok[j] = false;
            domain_abandon(dom[i], "its static event channel could not be bound");
            if (j != i)
                domain_abandon(dom[j], "its static event channel could not be bound");
        }
    domain_descs_orphans(fdt, descs, ok, n, refused, r);
}

unsigned builder_build_all(const struct hostdt *h)
{
    domain_set_rebuild_hook(rebuild);
    const void *fdt = h->fdt;
    int chosen = fdt_path_offset(fdt, "/chosen");
    unsigned built = 0, load[NR_CPUS] = { 0 };
    struct domain *ready[MAX_DOMAINS];

    if (chosen < 0)
        return 0;
    struct builder_env env;
    make_env(&env);
    gic_version = h->gic.version;
    cpu_compatible = domain_desc_cpu_compatible(fdt);
    uint64_t t_start = counter_read();
    /* 1: describe and check every domain before touching memory: the same
     * plan as xam-dryrun's, so the two refuse the same domains */
    static struct domain_desc descs[MAX_DOMAINS];
    bool ok[MAX_DOMAINS];
    struct refusals r = { fdt, descs, NULL };
    static const struct desc_plan_ops plan = { NULL, rejected, refused, claim_memory };
    unsigned n = domain_descs_plan(h, &env, descs, ok, MAX_DOMAINS, &plan, &r);

    uint64_t t_described = counter_read();
    /* 2: create them all (ids known), then 3: fill them, so a device
     * model's tree can name the guests it serves */
    struct domain *dom[MAX_DOMAINS] = { NULL };
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        int rc = create(&descs[i], load, &dom[i]);
        if (rc) {
            report_failure(fdt, descs[i].node, rc);
            if (dom[i])
                domain_abandon(dom[i], "build failed");
            ok[i] = false;
        }
    }
    r.dom = dom;
    domain_descs_orphans(fdt, descs, ok, n, refused, &r);
    for (unsigned i = 0; i < n; i++)
        if (ok[i] && descs[i].device_model >= 0) {
            dom[i]->device_model = domain_of_node(descs[i].device_model);
            dom[i]->held = dom[i]->hold = descs[i].hold;
        }
    bind_static_evtchns(fdt, descs, ok, dom, n, &r);
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        struct domain *d = dom[i];
        const struct domain_desc *dd = &descs[i];
        int rc = populate(d, dd, &d->start_entry, &d->start_x0);
        if (rc) {
            report_failure(fdt, dd->node, rc);
            domain_abandon(d, "build failed");
            continue;
        }
        ready[built++] = d;
        log_info("domain %u: %s, %u vCPU%s, %llu MiB at IPA 0x%llx, kernel %llu KiB, %s, vCPU0 on CPU%u", d->id,
                 d->name, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "", (unsigned long long)(dd->mem >> 20),
                 (unsigned long long)dd->banks[0].ipa, (unsigned long long)((dd->kernel->size + 1023) >> 10),
                 dd->vpl011                 ? "console vpl011"
                     : pvconsole_present(d) ? "console PV (hvc0)"
                                            : "no console",
                 d->vcpus[0].pcpu);
        log_info("domain %u: device tree at IPA 0x%llx%s", d->id, (unsigned long long)dd->dtb,
                 dd->ramdisk ? ", ramdisk after it" : "");
        if (d->sve_bits)
            log_info("domain %u: SVE, vectors of up to %u bits%s", d->id, d->sve_bits,
                     d->sve_bits < dd->sve_bits ? " (the longest every CPU gives within its sve)" : "");
        /* 16 vCPUs a line, so a line stays whole */
        for (unsigned first = 0; d->nr_vcpus > 1 && first < d->nr_vcpus; first += 16) {
            char where[16 * 12 + 1];
            unsigned w = 0;
            for (unsigned v = first; v < d->nr_vcpus && v < first + 16; v++)
                w += (unsigned)fmt_snprintf(where + w, sizeof(where) - w, " %u:CPU%u", v, d->vcpus[v].pcpu);
            log_info("domain %u: vCPU placement%s", d->id, where);
        }
    }
    uint64_t t_built = counter_read(), f = counter_freq();
    if (built)
        log_info("builder: %u domain%s built in %llu us: checking %llu us, building %llu us (%llu us per domain)",
                 built, built == 1 ? "" : "s", (unsigned long long)((t_built - t_start) * 1000000 / f),
                 (unsigned long long)((t_described - t_start) * 1000000 / f),
                 (unsigned long long)((t_built - t_described) * 1000000 / f),
                 (unsigned long long)((t_built - t_start) * 1000000 / f / built));
    if (built)
        print_table(ready, built);
    /* Start them all only once every domain is built, as Xen does; a held
     * domain starts when its device model connects. */
    for (unsigned i = 0; i < built; i++) {
        struct domain *d = ready[i], *dm = d->device_model;
        if (dm && dm->state != DOMAIN_BUILDING && dm->state != DOMAIN_RUNNING) {
            domain_abandon(d, "its device model was not built");
            continue;
        }
        if (d->held)
            log_info("%s (domain %u): held until its device model %s connects", d->name, d->id, dm->name);
        domain_start(d, d->start_entry, d->start_x0, d->held);
    }
    return built;
}
