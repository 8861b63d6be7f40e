/* Reading and checking one domain node of /chosen (Xen's dom0less
 * bindings and ours), before any memory is touched: its memory, vCPUs,
 * PV interfaces, bridge and device-model link, static memory, modules and
 * kernel. Portable: the hypervisor and xam-dryrun both run it. Its partial
 * device tree is domain_partial.c's, the layout of its tree
 * domain_layout.c's, the checks between domains domain_plan.c's. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/grant_table.h>
#include <xam/guest_map.h>
#include <xam/vgic.h>
#include "domain_desc_priv.h"

#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at byte 56 */

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
    const fdt32_t *reg = dt_getprop(fdt, cpu_node, "reg", &len);
    if (!reg || (len != 4 && len != 8))
        return -1;
    uint64_t mpidr = dt_read_cells(reg, (unsigned)len / 4);
    for (unsigned i = 0; i < env->nr_cpus && i < DESC_MAX_CPUS; i++)
        if (env->cpu_mpidr[i] == mpidr)
            return (int)i;
    return -1;
}

/* A pool's fault costs the domain that uses it: the message names the
 * domain first (its line is the domain's), then the pool. */
static bool reject_pool(const struct desc_ctx *c, int node, int pool, const char *why)
{
    char path[DT_PATH_MAX], msg[DT_PATH_MAX + 96];
    fmt_snprintf(msg, sizeof(msg), "its pool %s: cpupool-cpus: %s", dt_node_path(c->h->fdt, pool, path, sizeof(path)),
                 why);
    return reject(c, node, "domain-cpupool", msg);
}

/* The CPUs a pool's cpupool-cpus names; *why says what is wrong with it
 * (NULL: nothing). */
static uint64_t pool_cpus(const struct desc_ctx *c, int pool, const char **why)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *cpus = dt_getprop(fdt, pool, "cpupool-cpus", &len);
    uint64_t m = 0;
    *why = !cpus || len <= 0 || len % 4 ? "missing or not a list of phandles" : NULL;
    for (int i = 0; !*why && i < len / 4; i++) {
        int cpu = dt_node_by_phandle(fdt, fdt32_ld(&cpus[i]));
        int p = cpu >= 0 ? pcpu_of_node(c->env, fdt, cpu) : -1;
        if (p >= 0)
            m |= 1ULL << p;
        else
            *why = "names a node that is no CPU of this machine";
    }
    return m;
}

/* Pool-0, as Xen has it: the CPUs in no xen,cpupool of /chosen, where the
 * domains without domain-cpupool run. A pool's CPUs run only its own. */
uint64_t domain_desc_pool0(const struct hostdt *h, const struct builder_env *env)
{
    const void *fdt = h->fdt;
    struct desc_ctx ctx = { h, env, NULL };
    int chosen = fdt_path_offset(fdt, "/chosen"), pool;
    uint64_t pooled = 0;
    const char *why;
    if (chosen >= 0)
        fdt_for_each_subnode(pool, fdt, chosen)
        {
            if (dt_prop_has_string(fdt, pool, "compatible", "xen,cpupool"))
                pooled |= pool_cpus(&ctx, pool, &why);
        }
    return env->online & ~pooled;
}

/* Every sibling of every domain walked for each domain was most of the
 * builder's checks with many domains: the plan works it out once. */
static uint64_t pool0_cpus(const struct desc_ctx *c)
{
    return c->env->pool0_known ? c->env->pool0 : domain_desc_pool0(c->h, c->env);
}

/* domain-cpupool = <&pool>, pool: compatible "xen,cpupool", cpupool-cpus =
 * <&cpu...>; without it, Pool-0. Returns false (after saying why) if it is
 * malformed. */
static bool read_cpupool(const struct desc_ctx *c, int node, struct domain_desc *dd, uint64_t *mask)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *ph = dt_getprop(fdt, node, "domain-cpupool", &len);
    dd->pool = -1;
    if (!ph) {
        *mask = pool0_cpus(c);
        if (!*mask)
            return reject(c, node, "domain-cpupool",
                          "missing, and every online CPU is in a cpupool (Pool-0, where domains without one run, "
                          "is empty): give the domain a domain-cpupool, or leave a CPU out of the pools");
        return true;
    }
    if (len != 4)
        return reject(c, node, "domain-cpupool", "must be one phandle");
    int pool = dt_node_by_phandle(fdt, fdt32_ld(ph));
    if (pool < 0 || !dt_prop_has_string(fdt, pool, "compatible", "xen,cpupool"))
        return reject(c, node, "domain-cpupool", "does not point to a \"xen,cpupool\" node");
    if (!domain_xen_pool_unsupported(c, node, pool))
        return false;
    const char *why;
    uint64_t m = pool_cpus(c, pool, &why);
    if (why)
        return reject_pool(c, node, pool, why);
    *mask = m & c->env->online;
    if (!*mask)
        return reject_pool(c, node, pool, "none of its CPUs is online");
    dd->pool = pool;
    dd->pool_null = dt_prop_has_string(fdt, pool, "cpupool-sched", "null");
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
static bool read_affinity(const struct desc_ctx *c, int node, struct domain_desc *dd, uint64_t pool)
{
    const void *fdt = c->h->fdt;
    int child;
    for (unsigned i = 0; i < dd->vcpus; i++)
        dd->allowed[i] = pool;
    fdt_for_each_subnode(child, fdt, node)
    {
        if (!dt_prop_has_string(fdt, child, "compatible", "xen,vcpu"))
            continue;
        int len;
        const fdt32_t *id = dt_getprop(fdt, child, "id", &len);
        if (!id || len != 4 || fdt32_ld(id) >= dd->vcpus)
            return reject(c, child, "id", "missing, or not a vCPU of this domain");
        const char *aff = dt_getprop(fdt, child, "hard-affinity", &len);
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

static bool read_enhanced(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    static const struct {
        const char *value;
        enum desc_enhanced e;
    } values[] = {
        { "", ENHANCED_ENABLED },      { "enabled", ENHANCED_ENABLED },   { "no-xenstore", ENHANCED_NO_XENSTORE },
        { "legacy", ENHANCED_LEGACY }, { "disabled", ENHANCED_DISABLED },
    };
    int len;
    const char *v = dt_getprop(c->h->fdt, node, "xen,enhanced", &len);
    dd->enhanced = ENHANCED_NONE;
    if (!v)
        return true;
    if (len == 0) /* an empty property: "enabled" */
        v = "", len = 1;
    if (len <= 0 || v[len - 1] != '\0')
        return reject(c, node, "xen,enhanced", "not a string");
    for (unsigned i = 0; i < ARRAY_SIZE(values); i++)
        if (!strcmp(v, values[i].value)) {
            dd->enhanced = values[i].e;
            return true;
        }
    return reject(c, node, "xen,enhanced", "must be \"enabled\", \"no-xenstore\", \"legacy\" or \"disabled\"");
}

/* max_grant_frames and max_maptrack_frames (Xen's, from 4.18: one u32
 * each): the domain's grant-table limits. Xen takes up to 2^31 - 1; here a
 * domain's table cannot outgrow the region its hypervisor node advertises,
 * and at most 4096 maptrack frames are kept. Xen's 0 maptrack frames (no
 * grant mappings) has no equivalent: 0 in the description is "absent". */
_Static_assert(GNTTAB_LIMIT_FRAMES *PAGE_SIZE == GUEST_GNTTAB_SIZE, "the grant-table region holds the limit");
static bool read_grant_limit(const struct desc_ctx *c, int node, const char *prop, unsigned limit, const char *what,
                             unsigned *out)
{
    int len;
    const fdt32_t *p = dt_getprop(c->h->fdt, node, prop, &len);
    *out = 0;
    if (!p)
        return true;
    if (len != 4)
        return reject(c, node, prop, "must be one cell (a 32-bit number of frames)");
    uint32_t v = fdt32_ld(p);
    if (v < 1 || v > limit) {
        char why[160];
        fmt_snprintf(why, sizeof(why), "%u: must be 1 to %u (%s)", v, limit, what);
        return reject(c, node, prop, why);
    }
    *out = v;
    return true;
}

static bool read_grant_limits(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    return read_grant_limit(c, node, "max_grant_frames", GNTTAB_LIMIT_FRAMES,
                            "the 16 MiB grant-table region the guest is given holds 4096 frames",
                            &dd->max_grant_frames) &&
        read_grant_limit(c, node, "max_maptrack_frames", GNTTAB_LIMIT_MAPTRACK_FRAMES,
                         "256 grant mappings each; leave it out for Xen's default, 1024", &dd->max_maptrack_frames);
}

/* Xen's nr_spis (4.13): the vGIC's SPI count, which must reach every
 * interrupt the domain has (its vPL011's, its bridge's INTx, its
 * passthrough interrupts). Absent: just what those need
 * (dom0less.c). Xen's default without vpl011 is the host GIC's count; here
 * a guest gets no SPI it has no use for. */
static bool read_nr_spis(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    int len;
    const fdt32_t *p = dt_getprop(c->h->fdt, node, "nr_spis", &len);
    if (!p)
        return true;
    if (len != 4)
        return reject(c, node, "nr_spis", "must be one cell");
    uint32_t n = fdt32_ld(p);
    char why[160];
    if (n > VGIC_MAX_SPIS) {
        fmt_snprintf(why, sizeof(why), "%u: at most %u (INTIDs 32-%u)", n, VGIC_MAX_SPIS, 31 + VGIC_MAX_SPIS);
        return reject(c, node, "nr_spis", why);
    }
    unsigned top = dd->vpl011 ? dd->layout.uart_intid : 0;
    const char *what = "its vPL011";
    if (dd->has_bridge && dd->bridge.irq_start + dd->bridge.irq_count - 1 > top)
        top = dd->bridge.irq_start + dd->bridge.irq_count - 1, what = "its PCI bridge's INTx";
    for (unsigned i = 0; i < dd->nr_irqs; i++)
        if (dd->irqs[i] > top)
            top = dd->irqs[i], what = "a passthrough interrupt";
    if (top >= 32 + n) {
        fmt_snprintf(why, sizeof(why), "%u SPIs (INTIDs up to %u) do not reach INTID %u, %s", n, 31 + n, top, what);
        return reject(c, node, "nr_spis", why);
    }
    dd->nr_spis = n;
    return true;
}

void pci_bridge_default(struct pci_bridge *b)
{
    *b = (struct pci_bridge){ PCI_BRIDGE_DEF_ECAM,     PCI_BRIDGE_DEF_ECAM_SIZE, PCI_BRIDGE_DEF_MEM,
                              PCI_BRIDGE_DEF_MEM_SIZE, PCI_BRIDGE_DEF_PREF,      PCI_BRIDGE_DEF_PREF_SIZE,
                              PCI_BRIDGE_DEF_IRQ,      PCI_BRIDGE_DEF_IRQ_COUNT, 0 };
}

#define BRIDGE_PROP "secondary-emulated-pci-host-bridge"

/* <ecam_addr ecam_size mem_addr mem_size prefetch_addr prefetch_size
 * irq_start irq_count flags>, addresses and sizes in the domain node's own
 * cells; empty: the default layout. */
static bool read_bridge(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *p = dt_getprop(fdt, node, BRIDGE_PROP, &len);
    if (!p)
        return true;
    dd->has_bridge = true;
    struct pci_bridge *b = &dd->bridge;
    if (len == 0) {
        pci_bridge_default(b);
    } else {
        int ac = dt_address_cells(fdt, node), sc = dt_size_cells(fdt, node);
        if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
            return reject(c, node, BRIDGE_PROP, "#address-cells and #size-cells must be 1 or 2");
        if (len != (3 * (ac + sc) + 3) * 4)
            return reject(c, node, BRIDGE_PROP,
                          "must be empty or <ecam_addr ecam_size mem_addr mem_size prefetch_addr prefetch_size "
                          "irq_start irq_count flags>, addresses and sizes in this node's cells");
        uint64_t v[6];
        for (int i = 0; i < 6; i++) {
            int n = i % 2 ? sc : ac;
            v[i] = dt_read_cells(p, (unsigned)n);
            p += n;
        }
        *b = (struct pci_bridge){
            v[0], v[1], v[2], v[3], v[4], v[5], fdt32_ld(&p[0]), fdt32_ld(&p[1]), fdt32_ld(&p[2])
        };
    }
    if (!b->ecam_size || b->ecam_size % MiB(1) || b->ecam_size > MiB(256) || b->ecam % MiB(1))
        return reject(c, node, BRIDGE_PROP, "the ECAM window must be 1 to 256 MiB (1 MiB per bus), 1 MiB-aligned");
    if (!b->mem_size || b->mem % PAGE_SIZE || b->mem_size % PAGE_SIZE || b->mem + b->mem_size > GiB(4) ||
        b->mem + b->mem_size < b->mem)
        return reject(c, node, BRIDGE_PROP, "the MEM window must be page-aligned, non-empty and below 4 GiB");
    if (b->pref % PAGE_SIZE || b->pref_size % PAGE_SIZE)
        return reject(c, node, BRIDGE_PROP, "the prefetchable window must be page-aligned (size 0: none)");
    if (b->irq_count < 1 || b->irq_count > 4 || b->irq_start < 32 || b->irq_start + b->irq_count > GUEST_NR_IRQS ||
        (dd->vpl011 && b->irq_start <= dd->layout.uart_intid && dd->layout.uart_intid < b->irq_start + b->irq_count)) {
        char why[120];
        fmt_snprintf(why, sizeof(why),
                     "irq_start/irq_count must name 1 to 4 free SPIs (INTIDs 32-%u, not the vPL011's %u)",
                     GUEST_NR_IRQS - 1, dd->layout.uart_intid);
        return reject(c, node, BRIDGE_PROP, why);
    }
    if (b->flags & ~PCI_BRIDGE_FLAGS_KNOWN)
        return reject(c, node, BRIDGE_PROP, "unknown flags (bit 0, grants, is the only one)");

    struct used u[DESC_MAX_BANKS + 8];
    unsigned n = guest_used(dd, dd->vcpus, u);
    const struct used w[3] = { { "the ECAM window", b->ecam, b->ecam_size },
                               { "the MEM window", b->mem, b->mem_size },
                               { "the prefetchable window", b->pref, b->pref_size } };
    uint64_t top = 1ULL << c->env->ipa_bits;
    for (unsigned i = 0; i < 3; i++) {
        if (!w[i].size)
            continue;
        if (w[i].base + w[i].size > top || w[i].base + w[i].size < w[i].base) {
            char why[120];
            fmt_snprintf(why, sizeof(why), "%s ends beyond the guest physical address space (%u bits)", w[i].what,
                         c->env->ipa_bits);
            return reject(c, node, BRIDGE_PROP, why);
        }
        for (unsigned j = 0; j < n + i; j++) {
            const struct used *o = j < n ? &u[j] : &w[j - n];
            if (o->size && ranges_overlap(w[i].base, w[i].size, o->base, o->size)) {
                char why[160];
                fmt_snprintf(why, sizeof(why), "%s 0x%llx-0x%llx overlaps %s 0x%llx-0x%llx", w[i].what,
                             (unsigned long long)w[i].base, (unsigned long long)(w[i].base + w[i].size - 1), o->what,
                             (unsigned long long)o->base, (unsigned long long)(o->base + o->size - 1));
                return reject(c, node, BRIDGE_PROP, why);
            }
        }
    }
    return true;
}

/* device-model = <&domain>: the domain whose ioreq server serves this
 * domain's bridge. */
static bool read_device_model(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *ph = dt_getprop(fdt, node, "device-model", &len);
    dd->device_model = -1;
    dd->hold = dt_getprop(fdt, node, "hold-until-device-model", NULL) != NULL;
    if (!ph) {
        if (dd->has_bridge)
            return reject(c, node, "device-model",
                          "missing: " BRIDGE_PROP " needs device-model = <&domain> to serve it");
        if (dd->hold)
            return reject(c, node, "hold-until-device-model", "this domain has no device-model to wait for");
        return true;
    }
    if (!dd->has_bridge)
        return reject(c, node, "device-model", "this domain has no " BRIDGE_PROP " to serve");
    if (len != 4)
        return reject(c, node, "device-model", "must be one phandle");
    int dm = dt_node_by_phandle(fdt, fdt32_ld(ph));
    if (dm < 0)
        return reject(c, node, "device-model", "points to no node");
    if (dm == node)
        return reject(c, node, "device-model", "points to this domain itself");
    if (!dt_prop_has_string(fdt, dm, "compatible", "xen,domain") || dt_parent(fdt, dm) != dt_parent(fdt, node))
        return reject(c, node, "device-model", "does not point to a /chosen \"xen,domain\" node");
    dd->device_model = dm;
    return true;
}

static bool check_modules(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    const struct hostdt *h = c->h;
    unsigned generic = 0;
    for (unsigned i = 0; i < h->nr_modules; i++) {
        const struct hostdt_module *m = &h->modules[i];
        if (m->parent != node)
            continue;
        char why[160];
        if (m->problem) {
            if (m->size)
                fmt_snprintf(why, sizeof(why), "module 0x%llx+0x%llx: %s", (unsigned long long)m->base,
                             (unsigned long long)m->size, m->problem);
            else
                fmt_snprintf(why, sizeof(why), "%s", m->problem);
            return reject(c, m->node, "reg", why);
        }
        for (unsigned j = 0; j < h->nr_modules; j++) {
            const struct hostdt_module *o = &h->modules[j];
            /* the very same range is one file shared (two domains booting
             * one kernel); a partial overlap is a layout mistake */
            if (j == i || o->problem || (o->base == m->base && o->size == m->size) ||
                !ranges_overlap(m->base, m->size, o->base, o->size))
                continue;
            char path[DT_PATH_MAX];
            fmt_snprintf(why, sizeof(why), "module 0x%llx-0x%llx overlaps %s (0x%llx-0x%llx)",
                         (unsigned long long)m->base, (unsigned long long)(m->base + m->size - 1),
                         dt_node_path(h->fdt, o->node, path, sizeof(path)), (unsigned long long)o->base,
                         (unsigned long long)(o->base + o->size - 1));
            return reject(c, m->node, "reg", why);
        }
        enum module_kind kind = m->kind;
        if (kind == MODULE_DISK) /* a device's, checked with it (domain_virtio.c) */
            continue;
        /* Generic modules take their role from their order, as Xen's
         * legacy rule has it: the first is the kernel, the second the
         * ramdisk. */
        if (kind == MODULE_OTHER)
            kind = generic == 0 ? MODULE_KERNEL : generic == 1 ? MODULE_RAMDISK : MODULE_OTHER, generic++;
        if (kind == MODULE_KERNEL && !dd->kernel)
            dd->kernel = m;
        else if (kind == MODULE_RAMDISK && !dd->ramdisk)
            dd->ramdisk = m;
        else if (kind == MODULE_DEVICE_TREE && !dd->partial_dtb)
            dd->partial_dtb = m;
        else if (kind != MODULE_OTHER) {
            fmt_snprintf(why, sizeof(why), "a second %s module for this domain", module_kind_name(kind));
            return reject(c, m->node, "compatible", why);
        }
    }
    if (!dd->kernel)
        return reject(c, node, "compatible", "no child module with compatible \"multiboot,kernel\"");
    return true;
}

/* xen,static-mem = <host-addr size>... in /chosen's cells: the domain's
 * RAM is exactly these host ranges (claimed by the builder), at guest
 * addresses packed as dynamic memory would be, or 1:1 with direct-map. */
static bool read_static_mem(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int len;
    const fdt32_t *p = dt_getprop(fdt, node, "xen,static-mem", &len);
    dd->direct_map = dt_getprop(fdt, node, "direct-map", NULL) != NULL;
    if (!p) {
        if (dd->direct_map)
            return reject(c, node, "direct-map", "needs xen,static-mem (the host memory to map 1:1)");
        return true;
    }
    /* Xen's cell counts (4.16): #xen,static-mem-address-cells and
     * -size-cells on the domain node; without them, /chosen's own */
    int parent = dt_parent(fdt, node);
    int ac = dt_address_cells(fdt, parent), sc = dt_size_cells(fdt, parent), clen;
    const fdt32_t *xc = dt_getprop(fdt, node, "#xen,static-mem-address-cells", &clen);
    if (xc)
        ac = clen == 4 ? (int)fdt32_ld(xc) : -1;
    xc = dt_getprop(fdt, node, "#xen,static-mem-size-cells", &clen);
    if (xc)
        sc = clen == 4 ? (int)fdt32_ld(xc) : -1;
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len <= 0 || len % ((ac + sc) * 4))
        return reject(c, node, "xen,static-mem",
                      "must be <host-addr size>... in #xen,static-mem-address-cells/-size-cells (1 or 2 each; "
                      "without them, /chosen's #address-cells/#size-cells)");
    unsigned n = (unsigned)len / (unsigned)((ac + sc) * 4);
    struct desc_bank r[DESC_MAX_BANKS];
    if (n > DESC_MAX_BANKS)
        return reject(c, node, "xen,static-mem", "more than 8 ranges");
    uint64_t total = 0;
    char why[160];
    for (unsigned i = 0; i < n; i++) {
        r[i].pa = dt_read_cells(p, (unsigned)ac);
        r[i].size = dt_read_cells(p + ac, (unsigned)sc);
        p += ac + sc;
        if (!r[i].size || r[i].pa % PAGE_SIZE || r[i].size % PAGE_SIZE || r[i].pa + r[i].size < r[i].pa)
            return reject(c, node, "xen,static-mem", "ranges must be non-empty and page-aligned");
        if (!mrset_contains(&c->h->mem, r[i].pa, r[i].size)) {
            fmt_snprintf(why, sizeof(why), "0x%llx-0x%llx is not host RAM", (unsigned long long)r[i].pa,
                         (unsigned long long)(r[i].pa + r[i].size - 1));
            return reject(c, node, "xen,static-mem", why);
        }
        for (unsigned j = 0; j < i; j++)
            if (ranges_overlap(r[i].pa, r[i].size, r[j].pa, r[j].size))
                return reject(c, node, "xen,static-mem", "ranges overlap each other");
        /* static memory is what the static heap leaves (Xen's rule) */
        if (mrset_overlaps(&c->h->heap, r[i].pa, r[i].size)) {
            fmt_snprintf(why, sizeof(why), "0x%llx-0x%llx overlaps /chosen's xen,static-heap",
                         (unsigned long long)r[i].pa, (unsigned long long)(r[i].pa + r[i].size - 1));
            return reject(c, node, "xen,static-mem", why);
        }
        /* the hypervisor cannot claim reserved memory: say so here, so the
         * dry run refuses what the hypervisor would */
        if (mrset_overlaps(&c->h->reserved, r[i].pa, r[i].size)) {
            fmt_snprintf(why, sizeof(why), "0x%llx-0x%llx overlaps reserved memory (/memreserve/ or /reserved-memory)",
                         (unsigned long long)r[i].pa, (unsigned long long)(r[i].pa + r[i].size - 1));
            return reject(c, node, "xen,static-mem", why);
        }
        for (unsigned m = 0; m < c->h->nr_modules; m++) {
            const struct hostdt_module *mod = &c->h->modules[m];
            if (!mod->problem && ranges_overlap(r[i].pa, r[i].size, mod->base, mod->size)) {
                char path[DT_PATH_MAX];
                fmt_snprintf(why, sizeof(why), "0x%llx-0x%llx overlaps the module %s", (unsigned long long)r[i].pa,
                             (unsigned long long)(r[i].pa + r[i].size - 1),
                             dt_node_path(c->h->fdt, mod->node, path, sizeof(path)));
                return reject(c, node, "xen,static-mem", why);
            }
        }
        total += r[i].size;
    }
    if (total != dd->mem) {
        fmt_snprintf(why, sizeof(why), "must equal the total of xen,static-mem (0x%llx KiB)",
                     (unsigned long long)(total >> 10));
        return reject(c, node, "memory", why);
    }
    dd->static_mem = true;
    if (dd->direct_map) {
        /* the guest sees the host addresses (checked against the guest
         * map's devices by check_direct_map(), once all is read) */
        dd->nr_banks = 0;
        for (unsigned i = 0; i < n; i++) {
            if (r[i].pa + r[i].size > 1ULL << dd->ipa_bits)
                return reject(c, node, "direct-map", "a range lies beyond the guest physical address space");
            dd->banks[dd->nr_banks++] = (struct desc_bank){ r[i].pa, r[i].size, r[i].pa };
        }
        return true;
    }
    /* packed from 0x40000000 (to 3 GiB), then from 0x200000000 */
    paddr_t ipa = GUEST_RAM0_BASE;
    dd->nr_banks = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t left = r[i].size;
        paddr_t pa = r[i].pa;
        while (left) {
            if (ipa == GUEST_RAM0_BASE + GUEST_RAM0_SIZE)
                ipa = GUEST_RAM1_BASE;
            uint64_t room = ipa < GUEST_RAM1_BASE ? GUEST_RAM0_BASE + GUEST_RAM0_SIZE - ipa : left;
            uint64_t chunk = MIN(left, room);
            if (dd->nr_banks == DESC_MAX_BANKS)
                return reject(c, node, "xen,static-mem", "its ranges need more than 8 guest segments");
            dd->banks[dd->nr_banks++] = (struct desc_bank){ ipa, chunk, pa };
            ipa += chunk, pa += chunk, left -= chunk;
        }
    }
    return true;
}

/* Xen's trap-unmapped-accesses (4.21): 1, the default, an access to an
 * address with neither RAM nor a device traps (here the domain is then
 * stopped: docs/domains.md, "Guest faults"); 0 reads all ones and ignores
 * writes, as Xen's unmapped handler. */
static bool read_trap_unmapped(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    int len;
    const fdt32_t *p = dt_getprop(c->h->fdt, node, "trap-unmapped-accesses", &len);
    if (!p)
        return true;
    if (len != 4 || fdt32_ld(p) > 1)
        return reject(c, node, "trap-unmapped-accesses",
                      "must be one cell: 1 (an access to an unmapped address traps, the default) or 0 (it reads "
                      "all ones, writes are ignored)");
    dd->unmapped_reads_ones = fdt32_ld(p) == 0;
    return true;
}

/* Xen's sve (4.18; dom0less-build.c, arm64/sve.c, domain.c): empty, the
 * machine's longest vector length; a negative number, the same (on a
 * machine without SVE, none, silently, as Xen); 0, no SVE; else a
 * multiple of 128 bits up to 2048, and no longer than what every CPU
 * gives (Xen: "Requested SVE vector length (%u) > supported length").
 * Xen stops the whole boot for any of these; here the domain alone is
 * refused. */
static bool read_sve(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    int len;
    const fdt32_t *p = dt_getprop(c->h->fdt, node, "sve", &len);
    unsigned max = c->env->sve_max_bits;
    char why[200];
    if (!p)
        return true;
    if (len != 0 && len != 4)
        return reject(c, node, "sve",
                      "must be empty or one cell: a vector length in bits (a multiple of 128, up to 2048), 0 (no "
                      "SVE) or a negative number (the longest the machine gives)");
    int32_t bits = len ? (int32_t)fdt32_ld(p) : -1;
    if (bits < 0) {
        dd->sve_bits = max == DESC_SVE_UNKNOWN ? DESC_SVE_HOST_MAX : max;
        return true;
    }
    if (bits % DESC_SVE_STEP || bits > DESC_SVE_MAX) {
        fmt_snprintf(why, sizeof(why),
                     "%d bits is no SVE vector length: a multiple of 128 up to 2048, 0 (no SVE) or a negative number "
                     "(the longest the machine gives)",
                     (int)bits);
        return reject(c, node, "sve", why);
    }
    if (bits && max != DESC_SVE_UNKNOWN && (unsigned)bits > max) {
        if (max)
            fmt_snprintf(why, sizeof(why),
                         "%d-bit vectors asked, but %u bits is the longest SVE vector length all CPUs give", (int)bits,
                         max);
        else
            fmt_snprintf(why, sizeof(why), "%d-bit vectors asked, but SVE is not on every CPU of this machine",
                         (int)bits);
        return reject(c, node, "sve", why);
    }
    dd->sve_bits = (unsigned)bits;
    return true;
}

/* direct-map: the GIC and the vPL011 go where the host has its own, as
 * Xen does (vgic_v2/v3_domain_init, domain_vpl011_init): host RAM, which
 * the guest now sees at its host addresses, is never there. */
static bool read_host_layout(const struct desc_ctx *c, int node, struct domain_desc *dd)
{
    const struct hostdt *h = c->h;
    struct guest_layout *l = &dd->layout;
    char why[200];
    if (!dd->direct_map)
        return true;
    l->gicd = h->gic.dist.base;
    if (h->gic.version == 2) {
        l->gicc = h->gic.cpu.base;
        l->gicr = l->gicr_room = 0;
    } else {
        l->gicc = 0;
        l->gicr = h->gic.redist[0].base;
        l->gicr_room = h->gic.redist[0].size;
        if (dd->vcpus * VGIC_RDIST_STRIDE > l->gicr_room) {
            fmt_snprintf(why, sizeof(why),
                         "with direct-map the redistributors are the host's first region 0x%llx-0x%llx, "
                         "which holds %llu vCPUs",
                         (unsigned long long)l->gicr, (unsigned long long)(l->gicr + l->gicr_room - 1),
                         (unsigned long long)(l->gicr_room / VGIC_RDIST_STRIDE));
            return reject(c, node, "cpus", why);
        }
    }
    if (!dd->vpl011)
        return true;
    /* Xen refuses the same two cases */
    if (h->uart.size < VPL011_SIZE) {
        fmt_snprintf(why, sizeof(why),
                     "with direct-map the vPL011 takes the host console UART's place, and %s is smaller than 4 KiB",
                     h->uart.path);
        return reject(c, node, "vpl011", why);
    }
    if (h->uart.intid < 32 || h->uart.intid >= GUEST_NR_IRQS) {
        fmt_snprintf(why, sizeof(why),
                     "with direct-map the vPL011 takes the host console UART's interrupt, and %s has no SPI",
                     h->uart.path);
        return reject(c, node, "vpl011", why);
    }
    l->uart = h->uart.base;
    l->uart_intid = h->uart.intid;
    return true;
}

/* direct-map, once everything is read: the host ranges, now guest RAM,
 * must not fall on what the guest map still puts at fixed addresses (the
 * grant-table region and magic pages with xen,enhanced, the readiness
 * register with a bridge). Xen does not check; a guest would find its
 * RAM under them. */
static bool check_direct_map(const struct desc_ctx *c, int node, const struct domain_desc *dd)
{
    if (!dd->direct_map)
        return true;
    struct used u[DESC_MAX_BANKS + 8];
    unsigned nu = guest_used(dd, dd->vcpus, u);
    for (unsigned i = 0; i < dd->nr_banks; i++)
        for (unsigned j = 0; j < nu; j++) {
            if (!strcmp(u[j].what, "guest RAM") ||
                !ranges_overlap(dd->banks[i].pa, dd->banks[i].size, u[j].base, u[j].size))
                continue;
            char why[200];
            fmt_snprintf(why, sizeof(why), "host range 0x%llx-0x%llx would cover %s (0x%llx-0x%llx) in the guest map",
                         (unsigned long long)dd->banks[i].pa,
                         (unsigned long long)(dd->banks[i].pa + dd->banks[i].size - 1), u[j].what,
                         (unsigned long long)u[j].base, (unsigned long long)(u[j].base + u[j].size - 1));
            return reject(c, node, "direct-map", why);
        }
    return true;
}

/* Image.gz: the size from the gzip trailer, the Image header from the
 * first bytes decompressed (the whole stream is checked when it is
 * decompressed into the guest). */
static bool read_gzip_kernel(const struct desc_ctx *c, struct domain_desc *dd, const uint8_t **img)
{
    static uint8_t header[64];
    const struct hostdt_module *k = dd->kernel;
    dd->kernel_gzip = true;
    const void *z = c->env->module_data ? c->env->module_data(k, c->env->ctx) : NULL;
    if (!z || !c->env->inflate_work)
        return reject(c, k->node, "reg", "the kernel is gzip-compressed and cannot be read here");
    uint32_t isize;
    size_t got;
    if (gzip_trailer_size(z, k->size, &isize) || isize < 64)
        return reject(c, k->node, "reg",
                      "the kernel is gzip-compressed but its reg does not end where the gzip member does");
    int rc = gzip_inflate(header, sizeof(header), z, k->size, &got, c->env->inflate_work);
    if (rc != -XAM_ENOSPC && !(rc == 0 && got == sizeof(header)))
        return reject(c, k->node, "reg", "the kernel is gzip-compressed but does not decompress");
    /* a reg longer or shorter than the file ends on bytes that are no
     * trailer: the size they give will not match the Image's own */
    uint64_t image_size = le64(header + 16);
    if (image_size && isize > image_size) {
        char why[200];
        fmt_snprintf(why, sizeof(why),
                     "the kernel is gzip-compressed, but the size its trailer gives (0x%x) is larger "
                     "than the Image says (0x%llx): reg must be the .gz file's exact size",
                     isize, (unsigned long long)image_size);
        return reject(c, k->node, "reg", why);
    }
    dd->kernel_size = isize;
    *img = header;
    return true;
}

bool domain_describe(const struct hostdt *h, int node, const struct builder_env *env, struct domain_desc *dd,
                     struct hostdt_error *err)
{
    struct desc_ctx ctx = { h, env, err }, *c = &ctx;
    const void *fdt = h->fdt;
    int len;
    memset(dd, 0, sizeof(*dd));
    dd->node = node;
    dd->layout = guest_layout_xen();
    dd->name = fdt_get_name(fdt, node, NULL);
    /* the name prefixes every console line of the domain: only the
     * characters a device-tree node name may hold */
    for (const char *p = dd->name; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(",._+-@", *p)))
            return reject(c, node, "name",
                          "holds a character a device tree node name may not (letters, digits and ,._+-@ only)");

    /* a Xen binding it would boot without: said before anything else */
    if (!domain_xen_unsupported(c, node))
        return false;
    /* the modules first: a bad one is the likeliest layout mistake */
    if (!check_modules(c, node, dd))
        return false;
    const fdt32_t *mem = dt_getprop(fdt, node, "memory", &len);
    if (!mem)
        return reject(c, node, "memory", "missing (guest RAM in KiB, two cells)");
    if (len != 8)
        return reject(c, node, "memory", "must be two cells (a 64-bit number of KiB)");
    uint64_t kib = dt_read_cells(mem, 2);
    if (kib == 0 || kib % 4 || kib > (GUEST_RAM0_SIZE >> 10) + (GiB(64) >> 10))
        return reject(c, node, "memory", "must be a non-zero multiple of 4 KiB, at most 67 GiB");
    dd->mem = kib << 10;
    dd->ipa_bits = env->ipa_bits;
    dd->banks[0] = (struct desc_bank){ GUEST_RAM0_BASE, MIN(dd->mem, GUEST_RAM0_SIZE), 0 };
    dd->nr_banks = 1;
    if (dd->mem > GUEST_RAM0_SIZE)
        dd->banks[dd->nr_banks++] = (struct desc_bank){ GUEST_RAM1_BASE, dd->mem - GUEST_RAM0_SIZE, 0 };
    if (dd->mem > GUEST_RAM0_SIZE && GUEST_RAM1_BASE + (dd->mem - GUEST_RAM0_SIZE) > (1ULL << env->ipa_bits))
        return reject(c, node, "memory", "more than this CPU's guest physical address space holds");
    if (!read_static_mem(c, node, dd))
        return false;

    const fdt32_t *cpus = dt_getprop(fdt, node, "cpus", &len);
    if (!cpus || len != 4)
        return reject(c, node, "cpus", "missing or not one cell");
    dd->vcpus = fdt32_ld(cpus);
    /* Xen's limit (MAX_VIRT_CPUS), and GICv2's 8 CPU interfaces */
    if (dd->vcpus == 0 || dd->vcpus > DESC_MAX_VCPUS)
        return reject(c, node, "cpus", "must be 1 to 128");
    if (c->h->gic.version == 2 && dd->vcpus > 8)
        return reject(c, node, "cpus", "must be 1 to 8 on a GICv2 host (its GIC has 8 CPU interfaces)");
    dd->vpl011 = dt_getprop(fdt, node, "vpl011", NULL) != NULL;
    uint64_t pool;
    if (!read_host_layout(c, node, dd) || !read_trap_unmapped(c, node, dd) || !read_sve(c, node, dd) ||
        !read_cpupool(c, node, dd, &pool) || !read_affinity(c, node, dd, pool) || !read_enhanced(c, node, dd) ||
        !read_grant_limits(c, node, dd) || !read_bridge(c, node, dd) || !read_device_model(c, node, dd) ||
        !domain_virtio_read(c, dd) || !domain_partial_read(c, dd) || !domain_shm_read(c, dd) ||
        !read_nr_spis(c, node, dd) || !domain_evtchn_read(c, dd) || !check_direct_map(c, node, dd))
        return false;

    const uint8_t *img = dd->kernel->size >= 64 ? env->module_header(dd->kernel, env->ctx) : NULL;
    dd->kernel_size = dd->kernel->size;
    if (img && gzip_is_gzip(img, 64) && !read_gzip_kernel(c, dd, &img))
        return false;
    if (!img || le64(img + 56) % (1ULL << 32) != IMAGE_MAGIC)
        return reject(c, dd->kernel->node, "reg",
                      dd->kernel_gzip ? "the kernel is gzip-compressed, but not an arm64 Image (no \"ARM\\x64\" magic)"
                                      : "the kernel is not an arm64 Image (no \"ARM\\x64\" magic)");
    dd->text_offset = le64(img + 8);
    dd->image_size = le64(img + 16);
    if (dd->image_size == 0) /* pre-3.17 kernels: the file is all there is */
        dd->image_size = dd->kernel_size;
    /* image_size comes from the kernel: compare it alone first, so the sum
     * below cannot wrap */
    uint64_t ram0 = dd->banks[0].size;
    if (dd->image_size < dd->kernel_size || dd->text_offset >= MiB(2) || dd->image_size > ram0 ||
        dd->text_offset + dd->image_size > ram0)
        return reject(c, dd->kernel->node, "reg",
                      dd->static_mem
                          ? "the kernel (text_offset + image_size) does not fit the first xen,static-mem range"
                          : "the kernel (text_offset + image_size) does not fit guest RAM bank 0");
    int blen;
    const char *args = dt_getprop(fdt, dd->kernel->node, "bootargs", &blen);
    if (args && (blen <= 0 || args[blen - 1] != '\0'))
        return reject(c, dd->kernel->node, "bootargs", "not a NUL-terminated string");
    if (args && blen - 1 > DESC_MAX_BOOTARGS) {
        char why[96];
        fmt_snprintf(why, sizeof(why), "%d characters, more than the %d a guest's device tree has room for", blen - 1,
                     DESC_MAX_BOOTARGS);
        return reject(c, dd->kernel->node, "bootargs", why);
    }
    dd->bootargs = args;

    /* Its whole 2 MiB chunks read from the module, copied on first write
     * (core/guest_ram.c): never written, so other domains may use the
     * same module and a reset finds it as loaded. */
    dd->kernel_mapped = ALIGN_DOWN(dd->kernel->size, MiB(2));
    dd->kernel_in_place = !dd->static_mem && !dd->kernel_gzip && dd->text_offset == 0 &&
        dd->kernel->base % MiB(2) == 0 && dd->kernel_mapped > 0 && dd->nr_mmio == 0;

    /* Where Xen puts them: the device tree at RAM + 128 MiB if the kernel
     * ends below that, else at the top of bank 0; the initrd right after
     * it; each 2 MiB-aligned. */
    /* (static memory: all of it in the first range) */
    const paddr_t base = dd->banks[0].ipa;
    uint64_t bank0 = dd->banks[0].size;
    paddr_t kernel_end = base + dd->text_offset + dd->image_size;
    uint64_t initrd_size = dd->ramdisk ? ALIGN_UP(dd->ramdisk->size, MiB(2)) : 0;
    uint64_t need = MiB(2) + initrd_size;
    if (ALIGN_UP(kernel_end, MiB(2)) <= base + MiB(128) && MiB(128) + need <= bank0)
        dd->dtb = base + MiB(128);
    else if (bank0 >= need && base + bank0 - need >= ALIGN_UP(kernel_end, MiB(2)))
        dd->dtb = ALIGN_DOWN(base + bank0 - need, MiB(2));
    else
        return reject(c, node, dd->static_mem ? "xen,static-mem" : "memory",
                      dd->static_mem ? "the first range is too small for the kernel, its device tree and the ramdisk"
                                     : "too small for the kernel, its device tree and the ramdisk");
    dd->initrd = dd->dtb + MiB(2);
    return true;
}
