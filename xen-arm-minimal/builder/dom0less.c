/* Reads each /chosen domain node, checks it whole, then builds it: guest
 * RAM, the kernel loaded where an arm64 Image asks to be, vCPU 0 placed at
 * its entry, the virtual UART if asked for. A problem names the node and
 * property, and skips only that domain. */
#include <asm/cache.h>
#include <asm/percpu.h>
#include <asm/stage2.h>
#include <asm/timer.h>
#include <asm/vgic_hw.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <xam/builder.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/guest_fdt.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <xam/vpl011.h>

#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at byte 56 */

struct domain_desc {
    int node;
    const char *name;
    uint64_t mem;
    unsigned vcpus;
    bool vpl011;
    const struct hostdt_module *kernel, *ramdisk;
    const char *bootargs;
    uint64_t text_offset, image_size;
    /* guest addresses, decided before anything is allocated */
    paddr_t dtb, initrd;
    /* physical CPUs each vCPU may run on (bit n: CPU n) */
    uint64_t allowed[DOMAIN_MAX_VCPUS];
};

_Static_assert(NR_CPUS <= 64, "CPU masks are 64-bit");

static bool reject(const struct hostdt *h, int node, const char *prop, const char *why)
{
    char path[DT_PATH_MAX];
    log_err("%s: %s: %s; domain skipped", dt_node_path(h->fdt, node, path, sizeof(path)), prop, why);
    return false;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t online_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < nr_pcpus; i++)
        if (pcpus[i].online)
            m |= 1ULL << i;
    return m;
}

/* The physical CPU behind a /cpus node, by its MPIDR; -1 if not ours. */
static int pcpu_of_node(const void *fdt, int cpu_node)
{
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, cpu_node, "reg", &len);
    if (!reg || (len != 4 && len != 8))
        return -1;
    uint64_t mpidr = dt_read_cells(reg, (unsigned)len / 4);
    for (unsigned i = 0; i < nr_pcpus; i++)
        if (pcpus[i].mpidr == mpidr)
            return (int)i;
    return -1;
}

/* domain-cpupool = <&pool>, pool: compatible "xen,cpupool", cpupool-cpus =
 * <&cpu...>. Returns false (after saying why) if it is malformed. */
static bool read_cpupool(const struct hostdt *h, int node, uint64_t *mask)
{
    const void *fdt = h->fdt;
    int len;
    const fdt32_t *ph = fdt_getprop(fdt, node, "domain-cpupool", &len);
    *mask = online_mask();
    if (!ph)
        return true;
    if (len != 4)
        return reject(h, node, "domain-cpupool", "must be one phandle");
    int pool = fdt_node_offset_by_phandle(fdt, fdt32_ld(ph));
    if (pool < 0 || !dt_prop_has_string(fdt, pool, "compatible", "xen,cpupool"))
        return reject(h, node, "domain-cpupool", "does not point to a \"xen,cpupool\" node");
    const fdt32_t *cpus = fdt_getprop(fdt, pool, "cpupool-cpus", &len);
    if (!cpus || len <= 0 || len % 4)
        return reject(h, pool, "cpupool-cpus", "missing or not a list of phandles");
    uint64_t m = 0;
    for (int i = 0; i < len / 4; i++) {
        int cpu = fdt_node_offset_by_phandle(fdt, fdt32_ld(&cpus[i]));
        int p = cpu >= 0 ? pcpu_of_node(fdt, cpu) : -1;
        if (p < 0)
            return reject(h, pool, "cpupool-cpus", "names a node that is no CPU of this machine");
        m |= 1ULL << p;
    }
    *mask = m & online_mask();
    if (!*mask)
        return reject(h, pool, "cpupool-cpus", "none of its CPUs is online");
    return true;
}

/* "0-3,5": CPU numbers as the hypervisor counts them (boot CPU first,
 * then the others in /cpus order). */
static bool parse_cpu_list(const char *s, int len, uint64_t *mask)
{
    uint64_t m = 0;
    const char *end = s + len;
    while (s < end && *s) {
        char *e;
        unsigned long a = strtoul(s, &e, 10), b = a;
        if (e == s)
            return false;
        s = e;
        if (*s == '-') {
            b = strtoul(++s, &e, 10);
            if (e == s)
                return false;
            s = e;
        }
        if (a > b || b >= NR_CPUS)
            return false;
        for (unsigned long c = a; c <= b; c++)
            m |= 1ULL << c;
        if (*s == ',')
            s++;
        else if (s < end && *s)
            return false;
    }
    *mask = m;
    return m != 0;
}

/* xen,vcpu children: id = <n>, hard-affinity = "0-3,5". */
static bool read_affinity(const struct hostdt *h, int node, struct domain_desc *dd, uint64_t pool)
{
    const void *fdt = h->fdt;
    int child;
    for (unsigned i = 0; i < dd->vcpus; i++)
        dd->allowed[i] = pool;
    fdt_for_each_subnode(child, fdt, node) {
        if (!dt_prop_has_string(fdt, child, "compatible", "xen,vcpu"))
            continue;
        int len;
        const fdt32_t *id = fdt_getprop(fdt, child, "id", &len);
        if (!id || len != 4 || fdt32_ld(id) >= dd->vcpus)
            return reject(h, child, "id", "missing, or not a vCPU of this domain");
        const char *aff = fdt_getprop(fdt, child, "hard-affinity", &len);
        if (!aff)
            continue;
        uint64_t m;
        if (len <= 0 || aff[len - 1] != '\0' || !parse_cpu_list(aff, len, &m))
            return reject(h, child, "hard-affinity", "must be a CPU list such as \"0-3,5\"");
        if (!(m & pool))
            return reject(h, child, "hard-affinity", "names no online CPU of the domain's cpupool");
        dd->allowed[fdt32_ld(id)] = m & pool;
    }
    return true;
}

static bool describe(const struct hostdt *h, int node, struct domain_desc *dd)
{
    const void *fdt = h->fdt;
    int len;
    memset(dd, 0, sizeof(*dd));
    dd->node = node;
    dd->name = fdt_get_name(fdt, node, NULL);

    const fdt32_t *mem = fdt_getprop(fdt, node, "memory", &len);
    if (!mem)
        return reject(h, node, "memory", "missing (guest RAM in KiB, two cells)");
    if (len != 8)
        return reject(h, node, "memory", "must be two cells (a 64-bit number of KiB)");
    uint64_t kib = dt_read_cells(mem, 2);
    if (kib == 0 || kib % 4 || kib > (GUEST_RAM0_SIZE >> 10) + (GiB(64) >> 10))
        return reject(h, node, "memory", "must be a non-zero multiple of 4 KiB, at most 67 GiB");
    dd->mem = kib << 10;
    if (dd->mem > GUEST_RAM0_SIZE && GUEST_RAM1_BASE + (dd->mem - GUEST_RAM0_SIZE) > (1ULL << stage2_ipa_bits()))
        return reject(h, node, "memory", "more than this CPU's guest physical address space holds");

    const fdt32_t *cpus = fdt_getprop(fdt, node, "cpus", &len);
    if (!cpus || len != 4)
        return reject(h, node, "cpus", "missing or not one cell");
    dd->vcpus = fdt32_ld(cpus);
    if (dd->vcpus == 0 || dd->vcpus > DOMAIN_MAX_VCPUS)
        return reject(h, node, "cpus", "must be 1 to 8");
    dd->vpl011 = fdt_getprop(fdt, node, "vpl011", NULL) != NULL;
    uint64_t pool;
    if (!read_cpupool(h, node, &pool) || !read_affinity(h, node, dd, pool))
        return false;

    for (unsigned i = 0; i < h->nr_modules; i++) {
        if (h->modules[i].parent != node)
            continue;
        if (h->modules[i].kind == MODULE_KERNEL && !dd->kernel)
            dd->kernel = &h->modules[i];
        else if (h->modules[i].kind == MODULE_RAMDISK && !dd->ramdisk)
            dd->ramdisk = &h->modules[i];
    }
    if (!dd->kernel)
        return reject(h, node, "compatible", "no child module with compatible \"multiboot,kernel\"");

    const uint8_t *img = (const uint8_t *)(uintptr_t)dd->kernel->base;
    if (dd->kernel->size < 64 || le64(img + 56) % (1ULL << 32) != IMAGE_MAGIC)
        return reject(h, dd->kernel->node, "reg", "the kernel is not an arm64 Image (no \"ARM\\x64\" magic)");
    dd->text_offset = le64(img + 8);
    dd->image_size = le64(img + 16);
    if (dd->image_size == 0) /* pre-3.17 kernels: the file is all there is */
        dd->image_size = dd->kernel->size;
    if (dd->image_size < dd->kernel->size || dd->text_offset >= MiB(2) ||
        dd->text_offset + dd->image_size > MIN(dd->mem, GUEST_RAM0_SIZE))
        return reject(h, dd->kernel->node, "reg", "the kernel (text_offset + image_size) does not fit guest RAM bank 0");
    int blen;
    const char *args = fdt_getprop(fdt, dd->kernel->node, "bootargs", &blen);
    if (args && (blen <= 0 || args[blen - 1] != '\0'))
        return reject(h, dd->kernel->node, "bootargs", "not a NUL-terminated string");
    dd->bootargs = args;

    /* Where Xen puts them: the device tree at RAM + 128 MiB if the kernel
     * ends below that, else at the top of bank 0; the initrd right after
     * it; each 2 MiB-aligned. */
    uint64_t bank0 = MIN(dd->mem, GUEST_RAM0_SIZE);
    paddr_t kernel_end = GUEST_RAM0_BASE + dd->text_offset + dd->image_size;
    uint64_t initrd_size = dd->ramdisk ? ALIGN_UP(dd->ramdisk->size, MiB(2)) : 0;
    uint64_t need = MiB(2) + initrd_size;
    if (ALIGN_UP(kernel_end, MiB(2)) <= GUEST_RAM0_BASE + MiB(128) && MiB(128) + need <= bank0)
        dd->dtb = GUEST_RAM0_BASE + MiB(128);
    else if (bank0 >= need && GUEST_RAM0_BASE + bank0 - need >= ALIGN_UP(kernel_end, MiB(2)))
        dd->dtb = GUEST_RAM0_BASE + bank0 - need;
    else
        return reject(h, node, "memory", "too small for the kernel, its device tree and the ramdisk");
    dd->initrd = dd->dtb + MiB(2);
    return true;
}

/* The host's GIC version and first CPU's compatible, for guest trees. */
static unsigned gic_version;
static const char *cpu_compatible;

/* Copy into guest RAM, cleaned to the point of coherency: the guest reads
 * it with its MMU (and so its caches) off. */
static void load_blob(struct domain *d, paddr_t ipa, const void *src, uint64_t size)
{
    void *dst = domain_ram_ptr(d, ipa, size);
    memcpy(dst, src, size);
    dcache_clean_range(dst, size);
}

/* What each domain was built from, by domain id, for rebuilding it after a
 * reset: it all points into the host device tree and the boot modules,
 * which stay reserved and are never written. */
static struct domain_desc built_from[MAX_DOMAINS + 1];

static int populate(struct domain *d, const struct domain_desc *dd);

/* Place each vCPU on the allowed CPU carrying the fewest vCPUs so far
 * (lowest number on a tie): domains spread over the machine. */
static int build(const struct domain_desc *dd, unsigned *load, struct domain **out)
{
    struct domain *d;
    int rc = domain_create(dd->name, dd->vcpus, &d);
    if (rc)
        return rc;
    *out = d;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        int best = -1;
        for (unsigned c = 0; c < nr_pcpus; c++)
            if ((dd->allowed[i] >> c) & 1 && (best < 0 || load[c] < load[best]))
                best = (int)c;
        d->vcpus[i].pcpu = (unsigned)best;
        load[best]++;
    }
    if (d->id <= MAX_DOMAINS)
        built_from[d->id] = *dd;
    return populate(d, dd);
}

int builder_rebuild(struct domain *d)
{
    int rc = domain_reinit(d);
    if (rc)
        return rc;
    if ((rc = populate(d, &built_from[d->id])))
        return rc;
    log_info("domain %u: %s rebuilt from its boot modules", d->id, d->name);
    d->state = DOMAIN_RUNNING;
    sched_wake(&d->vcpus[0]);
    return 0;
}

static int populate(struct domain *d, const struct domain_desc *dd)
{
    int rc;
    uint64_t bank0 = MIN(dd->mem, GUEST_RAM0_SIZE);
    if ((rc = domain_add_ram(d, GUEST_RAM0_BASE, bank0)))
        return rc;
    if (dd->mem > bank0 && (rc = domain_add_ram(d, GUEST_RAM1_BASE, dd->mem - bank0)))
        return rc;
    if (dd->vpl011 && (rc = vpl011_attach(d)))
        return rc;
    if ((rc = vgic_domain_init(d, vgic_hw_version(), vgic_hw_gicv_base())))
        return rc;
    d->cntvoff = counter_read();

    paddr_t entry = GUEST_RAM0_BASE + dd->text_offset;
    load_blob(d, entry, (const void *)(uintptr_t)dd->kernel->base, dd->kernel->size);
    if (dd->ramdisk)
        load_blob(d, dd->initrd, (const void *)(uintptr_t)dd->ramdisk->base, dd->ramdisk->size);
    icache_inval_all();

    struct guest_fdt_params gp = {
        .nr_vcpus = d->nr_vcpus,
        .nr_banks = d->nr_banks,
        .gic_version = gic_version,
        .vpl011 = dd->vpl011,
        .bootargs = dd->bootargs,
        .initrd_start = dd->ramdisk ? dd->initrd : 0,
        .initrd_end = dd->ramdisk ? dd->initrd + dd->ramdisk->size : 0,
        .cpu_compatible = cpu_compatible,
    };
    for (unsigned i = 0; i < d->nr_banks; i++) {
        gp.banks[i].base = d->banks[i].ipa;
        gp.banks[i].size = d->banks[i].size;
    }
    void *dtb = domain_ram_ptr(d, dd->dtb, GUEST_FDT_MAX);
    if ((rc = guest_fdt_build(dtb, GUEST_FDT_MAX, &gp)))
        return -XAM_ENOSPC;
    dcache_clean_range(dtb, GUEST_FDT_MAX);

    vcpu_arch_reset(&d->vcpus[0], entry, dd->dtb);
    return 0;
}

unsigned builder_build_all(const struct hostdt *h)
{
    const void *fdt = h->fdt;
    int chosen = fdt_path_offset(fdt, "/chosen");
    unsigned built = 0, load[NR_CPUS] = { 0 };
    struct domain *ready[MAX_DOMAINS];
    int node;

    if (chosen < 0)
        return 0;
    gic_version = h->gic.version;
    int cpus = fdt_path_offset(fdt, "/cpus"), cpu0 = cpus >= 0 ? fdt_first_subnode(fdt, cpus) : -1;
    cpu_compatible = cpu0 >= 0 ? fdt_getprop(fdt, cpu0, "compatible", NULL) : NULL;
    fdt_for_each_subnode(node, fdt, chosen) {
        if (!dt_prop_has_string(fdt, node, "compatible", "xen,domain"))
            continue;
        struct domain_desc dd;
        if (!describe(h, node, &dd))
            continue;
        struct domain *d = NULL;
        int rc = build(&dd, load, &d);
        if (rc) {
            char path[DT_PATH_MAX];
            log_err("%s: cannot build the domain (error %d: %s); domain skipped",
                    dt_node_path(fdt, node, path, sizeof(path)), rc,
                    rc == -XAM_ENOMEM ? "not enough free memory" : "internal limit");
            if (d)
                domain_shutdown(d, "build failed");
            continue;
        }
        ready[built++] = d;
        log_info("domain %u: %s, %u vCPU%s, %llu MiB at IPA 0x%llx, kernel %llu KiB, %s, vCPU0 on CPU%u",
                 d->id, d->name, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "", (unsigned long long)(dd.mem >> 20),
                 (unsigned long long)GUEST_RAM0_BASE, (unsigned long long)((dd.kernel->size + 1023) >> 10),
                 dd.vpl011 ? "console vpl011" : "no console", d->vcpus[0].pcpu);
        log_info("domain %u: device tree at IPA 0x%llx%s", d->id, (unsigned long long)dd.dtb,
                 dd.ramdisk ? ", ramdisk after it" : "");
        if (d->nr_vcpus > 1) {
            char where[8 * DOMAIN_MAX_VCPUS + 1];
            unsigned n = 0;
            for (unsigned i = 0; i < d->nr_vcpus; i++)
                n += (unsigned)fmt_snprintf(where + n, sizeof(where) - n, " %u:CPU%u", i, d->vcpus[i].pcpu);
            log_info("domain %u: vCPU placement%s", d->id, where);
        }
    }
    /* Start them all only once every domain is built, as Xen does. */
    for (unsigned i = 0; i < built; i++)
        sched_wake(&ready[i]->vcpus[0]);
    return built;
}
