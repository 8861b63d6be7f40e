/* Reads the host device tree into struct hostdt. Each part has its own small
 * reader; the first problem found ends the parse with a message that names
 * the node and property, because the caller can only report and stop. */
#include <libfdt.h>
#include <string.h>
#include <xam/cmdline.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/hostdt.h>

/* Offsets of the nodes the readers need, found in one pass over the tree:
 * libfdt's lookups by path or compatible each rescan the whole blob. */
struct nodes {
    int chosen, cpus, reserved_memory, psci, timer, gic_v3, gic_v2;
    unsigned nr_memory;
    int memory[HOSTDT_MAX_BANKS];
};

struct ctx {
    struct hostdt *h;
    struct hostdt_error *err;
    struct nodes n;
    char path[DT_PATH_MAX];
};

static int fail(struct ctx *c, int node, const char *prop, const char *fmt, ...) __printf(4, 5);

static int fail(struct ctx *c, int node, const char *prop, const char *fmt, ...)
{
    char reason[120];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    const char *path = node >= 0 ? dt_node_path(c->h->fdt, node, c->path, sizeof(c->path)) : "device tree";
    if (prop)
        fmt_snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s: %s", path, prop, reason);
    else
        fmt_snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s", path, reason);
    return -XAM_EINVAL;
}

const char *module_kind_name(enum module_kind k)
{
    switch (k) {
    case MODULE_KERNEL:
        return "kernel";
    case MODULE_RAMDISK:
        return "ramdisk";
    case MODULE_DEVICE_TREE:
        return "device-tree";
    case MODULE_DISK:
        return "disk";
    default:
        return "module";
    }
}

static int read_memory(struct ctx *c)
{
    const void *fdt = c->h->fdt;

    for (unsigned m = 0; m < c->n.nr_memory; m++) {
        int node = c->n.memory[m];
        int n = dt_reg_count(fdt, node);
        if (n < 0)
            return fail(c, node, "reg", "malformed (length is not a whole number of entries)");
        for (int i = 0; i < n; i++) {
            paddr_t base;
            uint64_t size;
            int rc = dt_read_reg(fdt, node, (unsigned)i, &base, &size);
            if (rc)
                return fail(c, node, "reg", "entry %d cannot be read (%d)", i, rc);
            if (range_wraps(base, size))
                return fail(c, node, "reg", "bank 0x%llx+0x%llx wraps", (unsigned long long)base,
                            (unsigned long long)size);
            if (mrset_add(&c->h->mem, base, size))
                return fail(c, node, "reg", "more than %d memory banks", HOSTDT_MAX_BANKS);
        }
    }
    if (mrset_total(&c->h->mem) == 0)
        return fail(c, -1, NULL, "no usable memory: no memory node with a non-empty reg");
    return 0;
}

static bool prop_is(const void *fdt, int node, const char *prop, const char *val)
{
    int len;
    const char *p = dt_getprop(fdt, node, prop, &len);
    return p && len == (int)strlen(val) + 1 && memcmp(p, val, (size_t)len) == 0;
}

/* Whether some string of a string-list property value (len bytes) starts
 * with "arm,". */
static bool list_has_arm(const char *list, int len)
{
    for (const char *p = list, *end = list + len; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
        if (end - p > 4 && memcmp(p, "arm,", 4) == 0)
            return true;
    return false;
}

/* Whether a string-list property value (len bytes) contains s. */
static bool list_has(const char *list, int len, const char *s)
{
    size_t slen = strlen(s) + 1;
    for (const char *p = list, *end = list + len; p < end;) {
        size_t n = strnlen(p, (size_t)(end - p)) + 1;
        if (n == slen && memcmp(p, s, slen) == 0)
            return true;
        p += n;
    }
    return false;
}

static int find_nodes(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    static const char *const gic_v2[] = { "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,cortex-a7-gic",
                                          "arm,gic-v2" };
    struct nodes *n = &c->n;
    int depth = 0;

    *n = (struct nodes){ -1, -1, -1, -1, -1, -1, -1, 0, { 0 } };
    for (int node = dt_next_node(fdt, 0, &depth); node >= 0 && depth > 0; node = dt_next_node(fdt, node, &depth)) {
        if (depth == 1) {
            const char *name = fdt_get_name(fdt, node, NULL);
            if (name && strcmp(name, "chosen") == 0)
                n->chosen = node;
            else if (name && strcmp(name, "cpus") == 0)
                n->cpus = node;
            else if (name && strcmp(name, "reserved-memory") == 0)
                n->reserved_memory = node;
        }
        if (prop_is(fdt, node, "device_type", "memory") && dt_node_enabled(fdt, node)) {
            if (n->nr_memory == HOSTDT_MAX_BANKS)
                return fail(c, node, NULL, "more than %d memory nodes", HOSTDT_MAX_BANKS);
            n->memory[n->nr_memory++] = node;
            continue;
        }
        int clen;
        const char *compat = dt_getprop(fdt, node, "compatible", &clen);
        /* one property read per node, searched in place; every name below
         * starts with "arm,", which most nodes' (virtio,mmio ...) do not */
        if (!compat || clen <= 0 || !list_has_arm(compat, clen))
            continue;
        if (n->psci < 0 &&
            (list_has(compat, clen, "arm,psci-1.0") || list_has(compat, clen, "arm,psci-0.2") ||
             list_has(compat, clen, "arm,psci")))
            n->psci = node;
        else if (n->timer < 0 &&
                 (list_has(compat, clen, "arm,armv8-timer") || list_has(compat, clen, "arm,armv7-timer")))
            n->timer = node;
        else if (n->gic_v3 < 0 && list_has(compat, clen, "arm,gic-v3"))
            n->gic_v3 = node;
        else if (n->gic_v2 < 0)
            for (unsigned i = 0; i < ARRAY_SIZE(gic_v2); i++)
                if (list_has(compat, clen, gic_v2[i]))
                    n->gic_v2 = node;
    }
    return 0;
}

/* /chosen's xen,static-heap = <addr size>... in /chosen's cells: page
 * aligned, inside RAM, not overlapping each other. A broken one is the
 * whole machine's mistake (every domain's RAM depends on it): the tree is
 * refused, as Xen stops. */
static int read_static_heap(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    int chosen = c->n.chosen, len;
    const fdt32_t *p = chosen >= 0 ? dt_getprop(fdt, chosen, "xen,static-heap", &len) : NULL;
    if (!p)
        return 0;
    int ac = dt_address_cells(fdt, chosen), sc = dt_size_cells(fdt, chosen);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len <= 0 || len % ((ac + sc) * 4))
        return fail(c, chosen, "xen,static-heap", "must be <addr size>... in /chosen's #address-cells/#size-cells");
    for (int i = 0; i < len / ((ac + sc) * 4); i++, p += ac + sc) {
        paddr_t base = dt_read_cells(p, (unsigned)ac);
        uint64_t size = dt_read_cells(p + ac, (unsigned)sc);
        if (!size || base % PAGE_SIZE || size % PAGE_SIZE || range_wraps(base, size))
            return fail(c, chosen, "xen,static-heap", "0x%llx+0x%llx: ranges must be non-empty and page-aligned",
                        (unsigned long long)base, (unsigned long long)size);
        if (!mrset_contains(&c->h->mem, base, size))
            return fail(c, chosen, "xen,static-heap", "0x%llx-0x%llx is not RAM", (unsigned long long)base,
                        (unsigned long long)(base + size - 1));
        if (mrset_overlaps(&c->h->heap, base, size))
            return fail(c, chosen, "xen,static-heap", "ranges overlap each other");
        if (mrset_add(&c->h->heap, base, size))
            return fail(c, chosen, "xen,static-heap", "more than %d ranges", HOSTDT_MAX_HEAP);
    }
    return 0;
}

static int add_reserved(struct ctx *c, int node, const char *prop, paddr_t base, uint64_t size)
{
    if (range_wraps(base, size))
        return fail(c, node, prop, "region 0x%llx+0x%llx wraps", (unsigned long long)base, (unsigned long long)size);
    if (mrset_add(&c->h->reserved, base, size))
        return fail(c, node, prop, "more than %d reserved regions", HOSTDT_MAX_RESERVED);
    return 0;
}

static int read_reserved(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    int n = fdt_num_mem_rsv(fdt);
    if (n < 0)
        return fail(c, -1, NULL, "/memreserve/ block unreadable: %s", fdt_strerror(n));
    for (int i = 0; i < n; i++) {
        uint64_t base, size;
        if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0) {
            int rc = add_reserved(c, -1, "/memreserve/", base, size);
            if (rc)
                return rc;
        }
    }

    int rm = c->n.reserved_memory;
    if (rm < 0)
        return 0;
    int child;
    fdt_for_each_subnode(child, fdt, rm)
    {
        /* Disabled regions are still reserved for whoever enables them later;
         * only entries without reg (allocated by the OS) are not fixed. */
        int count = dt_reg_count(fdt, child);
        if (count < 0)
            return fail(c, child, "reg", "malformed");
        for (int i = 0; i < count; i++) {
            paddr_t base;
            uint64_t size;
            if (dt_read_reg(fdt, child, (unsigned)i, &base, &size))
                return fail(c, child, "reg", "entry %d cannot be read", i);
            int rc = add_reserved(c, child, "reg", base, size);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int read_cpus(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    int cpus = c->n.cpus;
    if (cpus < 0)
        return fail(c, -1, NULL, "no /cpus node");
    int ac = dt_address_cells(fdt, cpus);
    if (ac != 1 && ac != 2)
        return fail(c, cpus, "#address-cells", "must be 1 or 2");

    int node;
    fdt_for_each_subnode(node, fdt, cpus)
    {
        int len;
        const char *type = dt_getprop(fdt, node, "device_type", &len);
        if (!type || len != sizeof("cpu") || memcmp(type, "cpu", sizeof("cpu")) != 0)
            continue;
        if (!dt_node_enabled(fdt, node))
            continue;
        const void *reg = dt_getprop(fdt, node, "reg", &len);
        if (!reg || len != ac * 4)
            return fail(c, node, "reg", "missing or not %d cell(s)", ac);
        if (c->h->nr_cpus == HOSTDT_MAX_CPUS)
            return fail(c, node, NULL, "more than %d CPUs", HOSTDT_MAX_CPUS);
        uint64_t mpidr = dt_read_cells(reg, (unsigned)ac);
        for (unsigned i = 0; i < c->h->nr_cpus; i++)
            if (c->h->cpu_mpidr[i] == mpidr)
                return fail(c, node, "reg", "MPIDR 0x%llx listed twice", (unsigned long long)mpidr);
        c->h->cpu_mpidr[c->h->nr_cpus++] = mpidr;
    }
    if (c->h->nr_cpus == 0)
        return fail(c, cpus, NULL, "no enabled cpu node");
    return 0;
}

static int read_psci(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    int node = c->n.psci;
    c->h->psci = PSCI_CONDUIT_NONE;
    if (node < 0)
        return 0; /* no PSCI: one CPU and no power-off; the caller warns */
    int len;
    const char *method = dt_getprop(fdt, node, "method", &len);
    if (!method)
        return fail(c, node, "method", "missing (must be \"smc\")");
    if (len == 4 && memcmp(method, "smc", 4) == 0)
        c->h->psci = PSCI_CONDUIT_SMC;
    else if (len == 4 && memcmp(method, "hvc", 4) == 0)
        c->h->psci = PSCI_CONDUIT_HVC; /* fine below EL2: see hostdt_check_el2() */
    else
        return fail(c, node, "method", "must be \"smc\" or \"hvc\"");
    c->h->psci_node = node;
    return 0;
}

static int read_range(struct ctx *c, int node, unsigned idx, struct mrange *out, const char *what)
{
    int rc = dt_read_reg(c->h->fdt, node, idx, &out->base, &out->size);
    if (rc)
        return fail(c, node, "reg", "%s (entry %u) missing or unreadable", what, idx);
    if (out->size == 0 || range_wraps(out->base, out->size))
        return fail(c, node, "reg", "%s (entry %u) has a bad size", what, idx);
    return 0;
}

/* A GIC frame smaller than the architecture's: the driver would touch
 * registers past what the tree gives (and may be unmapped). */
static int gic_range(struct ctx *c, int node, unsigned idx, struct mrange *out, const char *what, uint64_t min)
{
    int rc = read_range(c, node, idx, out, what);
    if (!rc && out->size < min)
        return fail(c, node, "reg", "%s (entry %u) is 0x%llx bytes: the architecture's frame is 0x%llx", what, idx,
                    (unsigned long long)out->size, (unsigned long long)min);
    return rc;
}

static int read_gic(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    struct hostdt_gic *g = &c->h->gic;
    int node = c->n.gic_v3 >= 0 ? c->n.gic_v3 : c->n.gic_v2;
    int rc;

    memset(g, 0, sizeof(*g));
    if (node < 0)
        return fail(c, -1, NULL, "no GICv2 or GICv3 interrupt controller node");
    g->version = c->n.gic_v3 >= 0 ? 3 : 2;
    g->node = node;
    g->phandle = fdt_get_phandle(fdt, node);

    if ((rc = gic_range(c, node, 0, &g->dist, "distributor", g->version == 3 ? 0x10000 : 0x1000)))
        return rc;
    if (g->version == 2) {
        if ((rc = gic_range(c, node, 1, &g->cpu, "CPU interface", 0x2000)) ||
            (rc = gic_range(c, node, 2, &g->hyp, "hypervisor interface (GICH)", 0x1000)) ||
            (rc = gic_range(c, node, 3, &g->vcpu, "virtual CPU interface (GICV)", 0x2000)))
            return rc;
    } else {
        int len;
        const fdt32_t *nr = dt_getprop(fdt, node, "#redistributor-regions", &len);
        unsigned count = nr && len == 4 ? fdt32_ld(nr) : 1;
        if (count == 0 || count > HOSTDT_MAX_REDIST)
            return fail(c, node, "#redistributor-regions", "must be 1..%d", HOSTDT_MAX_REDIST);
        for (unsigned i = 0; i < count; i++)
            if ((rc = gic_range(c, node, 1 + i, &g->redist[i], "redistributor region", 0x20000)))
                return rc;
        g->nr_redist = count;
    }

    unsigned intid;
    rc = dt_read_irq(fdt, node, 0, &intid, NULL);
    if (rc == 0)
        g->maint_intid = intid;
    else if (rc != -XAM_ENOENT)
        return fail(c, node, "interrupts", "maintenance interrupt unreadable");
    else if (g->version == 2)
        return fail(c, node, "interrupts", "missing: the maintenance interrupt is needed");
    return 0;
}

static int read_timer(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    struct hostdt_timer *t = &c->h->timer;
    int node = c->n.timer;
    if (node < 0)
        return fail(c, -1, NULL, "no arm,armv8-timer node");

    static const char *const names[] = { "secure phys", "phys", "virt", "hyp", "hyp virt" };
    unsigned ids[5];
    int n = dt_read_irqs(fdt, node, ids, 5);
    if (n < 0)
        return fail(c, node, "interrupts", "missing or not GIC interrupts");
    if (n < 4)
        return fail(c, node, "interrupts", "entry %d (%s) missing", n, names[n]);
    for (int i = 0; i < n; i++)
        if (ids[i] < 16 || ids[i] >= 32)
            return fail(c, node, "interrupts", "entry %d (%s) is not a PPI", i, names[i]);
    /* the hypervisor's own timer must not share its PPI with one it
     * gives guests */
    if (ids[3] == ids[1] || ids[3] == ids[2])
        return fail(c, node, "interrupts", "entry 3 (hyp) is PPI %u, also the %s timer's", ids[3],
                    ids[3] == ids[1] ? "phys" : "virt");
    memset(t, 0, sizeof(*t));
    t->sec_phys = ids[0];
    t->phys = ids[1];
    t->virt = ids[2];
    t->hyp_phys = ids[3];
    t->hyp_virt = n > 4 ? ids[4] : 0;
    int len;
    const fdt32_t *freq = dt_getprop(fdt, node, "clock-frequency", &len);
    if (freq && len == 4)
        t->clock_frequency = fdt32_ld(freq);
    return 0;
}

static int read_console(struct ctx *c)
{
    const void *fdt = c->h->fdt;
    struct hostdt_uart *u = &c->h->uart;
    char dtuart[DT_PATH_MAX];
    const char *path;
    const char *source;
    int len;

    /* Xen's "dtuart=" names the console explicitly; otherwise stdout-path. */
    if (cmdline_get(c->h->bootargs, "dtuart", dtuart, sizeof(dtuart)) && dtuart[0]) {
        path = dtuart;
        len = (int)strlen(dtuart);
        source = "xen,xen-bootargs dtuart=";
    } else {
        int chosen = c->n.chosen;
        path = chosen >= 0 ? dt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
        if (!path || len <= 1)
            return fail(c, chosen, "stdout-path", "missing: it names the console UART");
        len = (int)strnlen(path, (size_t)len);
        source = "/chosen/stdout-path";
    }
    const char *colon = memchr(path, ':', (size_t)len);
    int plen = colon ? (int)(colon - path) : len;
    int node = fdt_path_offset_namelen(fdt, path, plen);
    if (node < 0)
        return fail(c, -1, NULL, "%s: \"%.*s\" names no node", source, plen, path);
    if (!dt_prop_has_string(fdt, node, "compatible", "arm,pl011") &&
        !dt_prop_has_string(fdt, node, "compatible", "arm,sbsa-uart"))
        return fail(c, node, "compatible", "console is not a PL011/SBSA UART");
    struct mrange r;
    int rc = read_range(c, node, 0, &r, "UART registers");
    if (rc)
        return rc;
    u->node = node;
    u->base = r.base;
    u->size = r.size;
    if (dt_read_irq(fdt, node, 0, &u->intid, NULL))
        u->intid = 0; /* no usable interrupt: the console is output-only */
    dt_node_path(fdt, node, u->path, sizeof(u->path));
    return 0;
}

static bool module_compatible(const void *fdt, int node, enum module_kind *kind)
{
    static const struct {
        const char *compat;
        enum module_kind kind;
    } table[] = {
        { "multiboot,kernel", MODULE_KERNEL },           { "xen,linux-zimage", MODULE_KERNEL },
        { "multiboot,ramdisk", MODULE_RAMDISK },         { "xen,linux-initrd", MODULE_RAMDISK },
        { "multiboot,device-tree", MODULE_DEVICE_TREE }, { "multiboot,module", MODULE_OTHER },
        { "xen,multiboot-module", MODULE_OTHER },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(table); i++)
        if (dt_prop_has_string(fdt, node, "compatible", table[i].compat)) {
            *kind = table[i].kind;
            return true;
        }
    /* A disk image the boot loader put in memory (the other kind of
     * virtio-blk disk names a file with backend-path: no reg). */
    if (dt_prop_has_string(fdt, node, "compatible", "xen-arm-minimal,virtio-blk") &&
        dt_getprop(fdt, node, "reg", NULL)) {
        *kind = MODULE_DISK;
        return true;
    }
    return false;
}

static int read_modules(struct ctx *c, const struct mrange *hv)
{
    const void *fdt = c->h->fdt;
    int chosen = c->n.chosen;
    if (chosen < 0)
        return 0;

    int depth = 0;
    for (int node = dt_next_node(fdt, chosen, &depth); node >= 0 && depth > 0; node = dt_next_node(fdt, node, &depth)) {
        enum module_kind kind;
        if (!module_compatible(fdt, node, &kind))
            continue;
        paddr_t base = 0;
        uint64_t size = 0;
        const char *problem = NULL;
        /* Module addresses are physical: /chosen is no bus to translate. */
        paddr_t fdt_pa = (paddr_t)(uintptr_t)fdt;
        if (dt_read_reg_raw(fdt, node, 0, &base, &size))
            problem = "reg is missing or malformed (cells come from the parent node)";
        else if (size == 0)
            problem = "empty";
        else if (range_wraps(base, size))
            problem = "the range runs past the end of the address space";
        else if (!mrset_contains(&c->h->mem, base, size))
            problem = "outside RAM";
        else if (hv && ranges_overlap(base, size, hv->base, hv->size))
            problem = "overlaps the hypervisor image";
        else if (ranges_overlap(base, size, fdt_pa, c->h->fdt_size))
            problem = "overlaps the host device tree";
        if (c->h->nr_modules == HOSTDT_MAX_MODULES)
            return fail(c, node, NULL, "more than %d modules", HOSTDT_MAX_MODULES);
        struct hostdt_module *m = &c->h->modules[c->h->nr_modules++];
        m->kind = kind;
        m->base = base;
        m->size = size;
        m->node = node;
        m->parent = dt_parent(fdt, node);
        m->problem = problem;
    }
    return 0;
}

/* libfdt 1.6.1's fdt_check_full() dereferences the name of every node at
 * depth 1 without checking it for NULL, which a corrupt name gives (found by
 * fuzzing). Walk the same tags first and refuse such a tree ourselves. */
static int check_top_level_names(const void *fdt)
{
    int depth = 0, offset = 0;
    for (;;) {
        /* fdt_next_tag() leaves next untouched on some premature ends: only
         * a strictly advancing offset counts as progress. */
        int next = -FDT_ERR_BADSTRUCTURE;
        uint32_t tag = fdt_next_tag(fdt, offset, &next);
        if (tag == FDT_END)
            return next < 0 && next != -FDT_ERR_BADSTRUCTURE ? next : 0;
        if (next <= offset)
            return next < 0 ? next : -FDT_ERR_BADSTRUCTURE;
        if (tag == FDT_BEGIN_NODE && ++depth == 1 && !fdt_get_name(fdt, offset, NULL))
            return -FDT_ERR_BADSTRUCTURE;
        if (tag == FDT_END_NODE && --depth < 0)
            return -FDT_ERR_BADSTRUCTURE;
        offset = next;
    }
}

static int parse(struct hostdt *h, const void *fdt, size_t buf_size, const struct mrange *hv, struct hostdt_error *err)
{
    struct ctx c = { .h = h, .err = err };
    int rc;

    memset(h, 0, sizeof(*h));
    err->msg[0] = '\0';
    h->fdt = fdt;
    mrset_init(&h->mem, h->mem_store, HOSTDT_MAX_BANKS);
    mrset_init(&h->reserved, h->reserved_store, HOSTDT_MAX_RESERVED);
    mrset_init(&h->heap, h->heap_store, HOSTDT_MAX_HEAP);
    h->bootargs = "";

    if (buf_size < sizeof(struct fdt_header))
        return fail(&c, -1, NULL, "truncated: %zu bytes is less than a header", buf_size);
    rc = fdt_check_header(fdt);
    if (rc)
        return fail(&c, -1, NULL, "bad header: %s", fdt_strerror(rc));
    h->fdt_size = fdt_totalsize(fdt);
    /* too large first: the hypervisor maps only HOSTDT_MAX_SIZE, so a
     * larger tree would look truncated there and not in the dry run */
    if (h->fdt_size > HOSTDT_MAX_SIZE)
        return fail(&c, -1, NULL, "too large: %u bytes (at most %llu)", h->fdt_size,
                    (unsigned long long)HOSTDT_MAX_SIZE);
    if (h->fdt_size > buf_size)
        return fail(&c, -1, NULL, "truncated: header says %u bytes, only %zu present", h->fdt_size, buf_size);
    rc = check_top_level_names(fdt);
    if (rc == 0)
        rc = fdt_check_full(fdt, h->fdt_size);
    if (rc)
        return fail(&c, -1, NULL, "corrupt: %s", fdt_strerror(rc));
    dt_index(fdt); /* whole and sound: its parents read once */

    if ((rc = find_nodes(&c)))
        return rc;
    int chosen = c.n.chosen;
    if (chosen >= 0) {
        int len;
        const char *args = dt_getprop(fdt, chosen, "xen,xen-bootargs", &len);
        if (args && len > 0 && args[len - 1] == '\0')
            h->bootargs = args;
        else if (args)
            return fail(&c, chosen, "xen,xen-bootargs", "not a NUL-terminated string");
    }

    if ((rc = read_memory(&c)) || (rc = read_static_heap(&c)) || (rc = read_reserved(&c)) || (rc = read_cpus(&c)) ||
        (rc = read_psci(&c)) || (rc = read_gic(&c)) || (rc = read_timer(&c)) || (rc = read_console(&c)) ||
        (rc = read_modules(&c, hv)))
        return rc;
    return 0;
}

int hostdt_parse(struct hostdt *h, const void *fdt, size_t buf_size, const struct mrange *hv, struct hostdt_error *err)
{
    int rc = parse(h, fdt, buf_size, hv, err);
    dt_index(NULL);
    return rc;
}

int hostdt_check_el2(const struct hostdt *h, struct hostdt_error *err)
{
    /* HVC calls the level above the caller: from EL2 that is the
     * hypervisor itself, and nothing there answers. (Entered at EL1 by
     * mistake, the refusal path may still use it to power off.) */
    if (h->psci != PSCI_CONDUIT_HVC)
        return 0;
    char path[DT_PATH_MAX];
    fmt_snprintf(err->msg, sizeof(err->msg),
                 "%s: method: \"hvc\" cannot reach PSCI from EL2, where the hypervisor runs: the firmware must "
                 "offer PSCI over \"smc\" (EL3)",
                 dt_node_path(h->fdt, h->psci_node, path, sizeof(path)));
    return -XAM_EINVAL;
}
