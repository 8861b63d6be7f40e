#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>

#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at byte 56 */


struct ctx {
    const struct hostdt *h;
    const struct builder_env *env;
    struct hostdt_error *err;
};

static bool reject(const struct ctx *c, int node, const char *prop, const char *why)
{
    char path[DT_PATH_MAX];
    fmt_snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s: %s", dt_node_path(c->h->fdt, node, path, sizeof(path)),
                 prop, why);
    return false;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The physical CPU behind a /cpus node, by its MPIDR; -1 if not ours. */
static int pcpu_of_node(const struct builder_env *env, const void *fdt, int cpu_node)
{
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, cpu_node, "reg", &len);
    if (!reg || (len != 4 && len != 8))
        return -1;
    uint64_t mpidr = dt_read_cells(reg, (unsigned)len / 4);
    for (unsigned i = 0; i < env->nr_cpus && i < DESC_MAX_CPUS; i++)
        if (env->cpu_mpidr[i] == mpidr)
            return (int)i;
    return -1;
}

/* domain-cpupool = <&pool>, pool: compatible "xen,cpupool", cpupool-cpus =
 * <&cpu...>. Returns false (after saying why) if it is malformed. */
static bool read_cpupool(const struct ctx *c, int node, uint64_t *mask)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *ph = fdt_getprop(fdt, node, "domain-cpupool", &len);
    *mask = c->env->online;
    if (!ph)
        return true;
    if (len != 4)
        return reject(c, node, "domain-cpupool", "must be one phandle");
    int pool = fdt_node_offset_by_phandle(fdt, fdt32_ld(ph));
    if (pool < 0 || !dt_prop_has_string(fdt, pool, "compatible", "xen,cpupool"))
        return reject(c, node, "domain-cpupool", "does not point to a \"xen,cpupool\" node");
    const fdt32_t *cpus = fdt_getprop(fdt, pool, "cpupool-cpus", &len);
    if (!cpus || len <= 0 || len % 4)
        return reject(c, pool, "cpupool-cpus", "missing or not a list of phandles");
    uint64_t m = 0;
    for (int i = 0; i < len / 4; i++) {
        int cpu = fdt_node_offset_by_phandle(fdt, fdt32_ld(&cpus[i]));
        int p = cpu >= 0 ? pcpu_of_node(c->env, fdt, cpu) : -1;
        if (p < 0)
            return reject(c, pool, "cpupool-cpus", "names a node that is no CPU of this machine");
        m |= 1ULL << p;
    }
    *mask = m & c->env->online;
    if (!*mask)
        return reject(c, pool, "cpupool-cpus", "none of its CPUs is online");
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
        if (a > b || b >= DESC_MAX_CPUS)
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
static bool read_affinity(const struct ctx *c, int node, struct domain_desc *dd, uint64_t pool)
{
    const void *fdt = c->h->fdt;
    int child;
    for (unsigned i = 0; i < dd->vcpus; i++)
        dd->allowed[i] = pool;
    fdt_for_each_subnode(child, fdt, node) {
        if (!dt_prop_has_string(fdt, child, "compatible", "xen,vcpu"))
            continue;
        int len;
        const fdt32_t *id = fdt_getprop(fdt, child, "id", &len);
        if (!id || len != 4 || fdt32_ld(id) >= dd->vcpus)
            return reject(c, child, "id", "missing, or not a vCPU of this domain");
        const char *aff = fdt_getprop(fdt, child, "hard-affinity", &len);
        if (!aff)
            continue;
        uint64_t m;
        if (len <= 0 || aff[len - 1] != '\0' || !parse_cpu_list(aff, len, &m))
            return reject(c, child, "hard-affinity", "must be a CPU list such as \"0-3,5\"");
        if (!(m & pool))
            return reject(c, child, "hard-affinity", "names no online CPU of the domain's cpupool");
        dd->allowed[fdt32_ld(id)] = m & pool;
    }
    return true;
}

bool domain_describe(const struct hostdt *h, int node, const struct builder_env *env, struct domain_desc *dd,
                     struct hostdt_error *err)
{
    struct ctx ctx = { h, env, err }, *c = &ctx;
    const void *fdt = h->fdt;
    int len;
    memset(dd, 0, sizeof(*dd));
    dd->node = node;
    dd->name = fdt_get_name(fdt, node, NULL);

    const fdt32_t *mem = fdt_getprop(fdt, node, "memory", &len);
    if (!mem)
        return reject(c, node, "memory", "missing (guest RAM in KiB, two cells)");
    if (len != 8)
        return reject(c, node, "memory", "must be two cells (a 64-bit number of KiB)");
    uint64_t kib = dt_read_cells(mem, 2);
    if (kib == 0 || kib % 4 || kib > (GUEST_RAM0_SIZE >> 10) + (GiB(64) >> 10))
        return reject(c, node, "memory", "must be a non-zero multiple of 4 KiB, at most 67 GiB");
    dd->mem = kib << 10;
    dd->banks[0] = (struct desc_bank){ GUEST_RAM0_BASE, MIN(dd->mem, GUEST_RAM0_SIZE) };
    dd->nr_banks = 1;
    if (dd->mem > GUEST_RAM0_SIZE)
        dd->banks[dd->nr_banks++] = (struct desc_bank){ GUEST_RAM1_BASE, dd->mem - GUEST_RAM0_SIZE };
    if (dd->mem > GUEST_RAM0_SIZE && GUEST_RAM1_BASE + (dd->mem - GUEST_RAM0_SIZE) > (1ULL << env->ipa_bits))
        return reject(c, node, "memory", "more than this CPU's guest physical address space holds");

    const fdt32_t *cpus = fdt_getprop(fdt, node, "cpus", &len);
    if (!cpus || len != 4)
        return reject(c, node, "cpus", "missing or not one cell");
    dd->vcpus = fdt32_ld(cpus);
    if (dd->vcpus == 0 || dd->vcpus > DESC_MAX_VCPUS)
        return reject(c, node, "cpus", "must be 1 to 8");
    dd->vpl011 = fdt_getprop(fdt, node, "vpl011", NULL) != NULL;
    uint64_t pool;
    if (!read_cpupool(c, node, &pool) || !read_affinity(c, node, dd, pool))
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
        return reject(c, node, "compatible", "no child module with compatible \"multiboot,kernel\"");

    const uint8_t *img = dd->kernel->size >= 64 ? env->module_header(dd->kernel, env->ctx) : NULL;
    if (!img || le64(img + 56) % (1ULL << 32) != IMAGE_MAGIC)
        return reject(c, dd->kernel->node, "reg", "the kernel is not an arm64 Image (no \"ARM\\x64\" magic)");
    dd->text_offset = le64(img + 8);
    dd->image_size = le64(img + 16);
    if (dd->image_size == 0) /* pre-3.17 kernels: the file is all there is */
        dd->image_size = dd->kernel->size;
    /* image_size comes from the kernel: compare it alone first, so the sum
     * below cannot wrap */
    uint64_t ram0 = MIN(dd->mem, GUEST_RAM0_SIZE);
    if (dd->image_size < dd->kernel->size || dd->text_offset >= MiB(2) || dd->image_size > ram0 ||
        dd->text_offset + dd->image_size > ram0)
        return reject(c, dd->kernel->node, "reg", "the kernel (text_offset + image_size) does not fit guest RAM bank 0");
    int blen;
    const char *args = fdt_getprop(fdt, dd->kernel->node, "bootargs", &blen);
    if (args && (blen <= 0 || args[blen - 1] != '\0'))
        return reject(c, dd->kernel->node, "bootargs", "not a NUL-terminated string");
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
        return reject(c, node, "memory", "too small for the kernel, its device tree and the ramdisk");
    dd->initrd = dd->dtb + MiB(2);
    return true;
}


void domain_desc_fdt_params(const struct domain_desc *dd, unsigned gic_version, const char *cpu_compatible,
                            struct guest_fdt_params *gp)
{
    memset(gp, 0, sizeof(*gp));
    gp->nr_vcpus = dd->vcpus;
    gp->nr_banks = dd->nr_banks;
    for (unsigned i = 0; i < dd->nr_banks; i++) {
        gp->banks[i].base = dd->banks[i].ipa;
        gp->banks[i].size = dd->banks[i].size;
    }
    gp->gic_version = gic_version;
    gp->vpl011 = dd->vpl011;
    gp->bootargs = dd->bootargs;
    if (dd->ramdisk) {
        gp->initrd_start = dd->initrd;
        gp->initrd_end = dd->initrd + dd->ramdisk->size;
    }
    gp->cpu_compatible = cpu_compatible;
}
