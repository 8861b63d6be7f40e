#include "edits.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ib_op *add(struct ib_edits *e, bool mknode, const char *path, const char *name)
{
    e->ops = xrealloc(e->ops, (e->n + 1) * sizeof(*e->ops));
    struct ib_op *op = &e->ops[e->n++];
    memset(op, 0, sizeof(*op));
    op->mknode = mknode;
    op->path = xstrdup(path);
    op->name = xstrdup(name);
    return op;
}

static void mknode(struct ib_edits *e, const char *parent, const char *name) { add(e, true, parent, name); }

static void set_empty(struct ib_edits *e, const char *path, const char *prop) { add(e, false, path, prop); }

/* A NULL-terminated list of strings. */
static void set_strs(struct ib_edits *e, const char *path, const char *prop, ...)
{
    struct ib_op *op = add(e, false, path, prop);
    va_list ap;
    op->kind = VAL_STRINGS;
    va_start(ap, prop);
    for (const char *s; (s = va_arg(ap, const char *));) {
        op->strs = xrealloc(op->strs, (op->n + 1) * sizeof(char *));
        op->strs[op->n++] = xstrdup(s);
    }
    va_end(ap);
}

static void set_cells(struct ib_edits *e, const char *path, const char *prop, const uint32_t *cells, unsigned n)
{
    struct ib_op *op = add(e, false, path, prop);
    op->kind = VAL_CELLS;
    op->n = n;
    op->cells = xmalloc(n * sizeof(uint32_t));
    memcpy(op->cells, cells, n * sizeof(uint32_t));
}

static void set_u32(struct ib_edits *e, const char *path, const char *prop, uint32_t v)
{
    set_cells(e, path, prop, &v, 1);
}

/* 64-bit values as two cells, high first. */
static unsigned split(uint32_t *cells, uint64_t v)
{
    cells[0] = (uint32_t)(v >> 32);
    cells[1] = (uint32_t)v;
    return 2;
}

static void set_u64s(struct ib_edits *e, const char *path, const char *prop, const uint64_t *v, unsigned n)
{
    uint32_t cells[64];
    unsigned c = 0;
    for (unsigned i = 0; i < n && c + 2 <= 64; i++)
        c += split(cells + c, v[i]);
    set_cells(e, path, prop, cells, c);
}

void edits_free(struct ib_edits *e)
{
    for (unsigned i = 0; i < e->n; i++) {
        struct ib_op *op = &e->ops[i];
        for (unsigned s = 0; op->kind == VAL_STRINGS && s < op->n; s++)
            free(op->strs[s]);
        free(op->strs);
        free(op->cells);
        free(op->path);
        free(op->name);
    }
    free(e->ops);
    e->ops = NULL;
    e->n = 0;
}

static void module(struct ib_edits *e, const char *dom, const struct ib_file *f, const char *role, const char *bootargs)
{
    char node[64], path[128];
    snprintf(node, sizeof(node), "module@%" PRIx64, f->addr);
    snprintf(path, sizeof(path), "%s/%s", dom, node);
    mknode(e, dom, node);
    set_strs(e, path, "compatible", role, "multiboot,module", NULL);
    uint64_t reg[2] = { f->addr, f->size };
    set_u64s(e, path, "reg", reg, 2);
    if (bootargs)
        set_strs(e, path, "bootargs", bootargs, NULL);
}

/* A virtio device the domain's device model serves (ours). */
static void virtio_node(struct ib_edits *e, const char *dom, const char *node, const char *compatible)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dom, node);
    mknode(e, dom, node);
    set_strs(e, path, "compatible", compatible, NULL);
}

/* disk<k>: a disk module (the file at its address) or a path in the
 * device model's domain. */
static void disk_node(struct ib_edits *e, const char *dom, const struct ib_disk *d, const struct ib_file *f)
{
    char node[32], path[128];
    snprintf(node, sizeof(node), "disk%u", d->k);
    snprintf(path, sizeof(path), "%s/%s", dom, node);
    virtio_node(e, dom, node, "xen-arm-minimal,virtio-blk");
    if (d->file) {
        uint64_t reg[2] = { f->addr, f->size };
        set_u64s(e, path, "reg", reg, 2);
    } else {
        set_strs(e, path, "backend-path", d->path, NULL);
    }
    if (d->ro)
        set_empty(e, path, "read-only");
}

int edits_build(const struct ib_plan *p, const void *fdt, struct ib_edits *e, struct ib_error *err)
{
    const struct ib_config *cfg = p->cfg;
    uint32_t next_phandle = 0, pool_ph[IB_MAX_CPUPOOLS] = { 0 }, dom_ph[IB_MAX_DOMUS] = { 0 };
    memset(e, 0, sizeof(*e));
    /* New phandles go above every one the tree already uses. */
    if (fdt_find_max_phandle(fdt, &next_phandle))
        return ib_fail(err, "DEVICE_TREE: its phandles cannot be read");
    next_phandle++;

    if (fdt_path_offset(fdt, "/chosen") < 0)
        mknode(e, "/", "chosen");
    set_u32(e, "/chosen", "#address-cells", 2);
    set_u32(e, "/chosen", "#size-cells", 2);
    if (cfg->xen_cmd)
        set_strs(e, "/chosen", "xen,xen-bootargs", cfg->xen_cmd, NULL);
    if (cfg->nr_heap)
        set_u64s(e, "/chosen", "xen,static-heap", cfg->heap, 2 * cfg->nr_heap);

    /* Boot-time cpupools, as ImageBuilder writes them: /chosen/cpupool_K
     * listing CPU phandles (given to CPUs that have none). */
    for (unsigned k = 0; k < cfg->ncpupools; k++) {
        const struct ib_cpupool *pool = &cfg->pool[k];
        uint32_t cpus[IB_MAX_POOL_CPUS];
        for (unsigned i = 0; i < pool->ncpus; i++) {
            char path[256];
            snprintf(path, sizeof(path), "/cpus/%s", pool->cpus[i]);
            int node = fdt_path_offset(fdt, path);
            if (node < 0)
                return ib_fail(err, "%s:%u: CPUPOOL[%u]: %s is not in DEVICE_TREE", cfg->file, pool->line, k, path);
            cpus[i] = fdt_get_phandle(fdt, node);
            if (!cpus[i]) {
                cpus[i] = next_phandle++;
                set_u32(e, path, "phandle", cpus[i]);
            }
        }
        char node[32], path[64];
        snprintf(node, sizeof(node), "cpupool_%u", k);
        snprintf(path, sizeof(path), "/chosen/%s", node);
        pool_ph[k] = next_phandle++;
        mknode(e, "/chosen", node);
        set_u32(e, path, "phandle", pool_ph[k]);
        set_strs(e, path, "compatible", "xen,cpupool", NULL);
        set_cells(e, path, "cpupool-cpus", cpus, pool->ncpus);
        if (pool->sched)
            set_strs(e, path, "cpupool-sched", pool->sched, NULL);
    }
    for (unsigned n = 0; n < cfg->ndomus; n++)
        if (cfg->dom[n].boot && cfg->dom[n].device_model >= 0 && !dom_ph[cfg->dom[n].device_model])
            dom_ph[cfg->dom[n].device_model] = next_phandle++;
    /* static event channels: a phandle per end, so per definition (each
     * end is one domain's definition, named back by its peer's), domain
     * n's from evtchn_ph[n] in definition order */
    uint32_t evtchn_ph[IB_MAX_DOMUS] = { 0 };
    for (unsigned n = 0; n < cfg->ndomus; n++)
        if (cfg->dom[n].boot && cfg->dom[n].nevtchn) {
            evtchn_ph[n] = next_phandle;
            next_phandle += cfg->dom[n].nevtchn;
        }

    /* `fdt mknode` puts a new node first among its siblings: create the
     * domains last to first so the tree (and so the domain ids) follows
     * the config's order, and each domain's kernel module comes first. */
    for (unsigned n = cfg->ndomus; n-- > 0;) {
        const struct ib_domain *d = &cfg->dom[n];
        if (!d->boot)
            continue;
        char node[32], dom[64];
        snprintf(node, sizeof(node), "domU%u", n);
        snprintf(dom, sizeof(dom), "/chosen/%s", node);
        if (fdt_path_offset(fdt, dom) >= 0)
            return ib_fail(err, "DEVICE_TREE already has %s (give the unedited host tree)", dom);
        mknode(e, "/chosen", node);
        set_strs(e, dom, "compatible", "xen,domain", NULL);
        set_u32(e, dom, "#address-cells", 2);
        set_u32(e, dom, "#size-cells", 2);
        set_u64s(e, dom, "memory", &d->mem_kib, 1);
        set_u32(e, dom, "cpus", d->vcpus);
        if (d->vpl011)
            set_empty(e, dom, "vpl011");
        if (d->enhanced)
            set_strs(e, dom, "xen,enhanced", d->enhanced == 1 ? "enabled" : "no-xenstore", NULL);
        if (d->nr_static)
            set_u64s(e, dom, "xen,static-mem", d->static_mem, 2 * d->nr_static);
        if (d->direct_map)
            set_empty(e, dom, "direct-map");
        if (d->cpupool >= 0)
            set_u32(e, dom, "domain-cpupool", pool_ph[d->cpupool]);
        if (d->bridge == BRIDGE_DEFAULT) {
            set_empty(e, dom, "secondary-emulated-pci-host-bridge");
        } else if (d->bridge == BRIDGE_EXPLICIT) {
            /* Addresses and sizes in the domain's 2 + 2 cells, then
             * irq_start, irq_count and flags in one cell each. */
            uint32_t cells[15];
            unsigned c = 0;
            for (unsigned i = 0; i < 6; i++)
                c += split(cells + c, d->bridge_v[i]);
            for (unsigned i = 6; i < 9; i++)
                cells[c++] = (uint32_t)d->bridge_v[i];
            set_cells(e, dom, "secondary-emulated-pci-host-bridge", cells, c);
        }
        if (d->device_model >= 0)
            set_u32(e, dom, "device-model", dom_ph[d->device_model]);
        if (d->hold)
            set_empty(e, dom, "hold-until-device-model");
        if (dom_ph[n])
            set_u32(e, dom, "phandle", dom_ph[n]);
        for (unsigned i = 0; i < IB_XEN_U32; i++)
            if (d->has_xen_u32[i])
                set_u32(e, dom, ib_xen_u32[i].prop, d->xen_u32[i]);
        if (d->has_caps)
            set_u32(e, dom, "capabilities", d->caps);
        /* static shared memory as ImageBuilder writes it: shared-mem@HPA
         * { compatible "xen,domain-shared-memory-v1"; xen,shm-id; xen,shared-mem
         * = <HPA GPA SIZE> } in the domain's 2 + 2 cells */
        if (d->shm_id[0]) {
            char name[48], path[112];
            snprintf(name, sizeof(name), "shared-mem@%" PRIx64, d->shm[0]);
            snprintf(path, sizeof(path), "%s/%s", dom, name);
            mknode(e, dom, name);
            set_strs(e, path, "compatible", "xen,domain-shared-memory-v1", NULL);
            set_strs(e, path, "xen,shm-id", d->shm_id, NULL);
            set_u64s(e, path, "xen,shared-mem", d->shm, 3);
        }
        /* static event channels as ImageBuilder writes them: evtchn@PORT {
         * phandle; compatible "xen,evtchn-v1"; xen,evtchn = <PORT &peer> },
         * in definition order */
        for (unsigned i = d->nevtchn; i-- > 0;) {
            const struct ib_evtchn *ev = &d->evtchn[i];
            char name[32], path[96];
            snprintf(name, sizeof(name), "evtchn@%" PRIu32, ev->port);
            snprintf(path, sizeof(path), "%s/%s", dom, name);
            uint32_t cells[2] = { ev->port, evtchn_ph[ev->rdom] + ev->peer };
            mknode(e, dom, name);
            set_u32(e, path, "phandle", evtchn_ph[n] + i);
            set_strs(e, path, "compatible", "xen,evtchn-v1", NULL);
            set_cells(e, path, "xen,evtchn", cells, 2);
        }
        /* vCPU affinities as ImageBuilder writes them: vcpuV { compatible
         * "xen,vcpu"; id <V>; hard-affinity "..." } */
        for (unsigned v = IB_MAX_VCPUS; v-- > 0;) {
            if (!d->affinity[v])
                continue;
            char name[16], path[96];
            snprintf(name, sizeof(name), "vcpu%u", v);
            snprintf(path, sizeof(path), "%s/%s", dom, name);
            mknode(e, dom, name);
            set_strs(e, path, "compatible", "xen,vcpu", NULL);
            set_u32(e, path, "id", v);
            set_strs(e, path, "hard-affinity", d->affinity[v], NULL);
        }
        /* the virtio devices first (each new node goes first): in node
         * order they follow the modules, disks by k, then rng, console,
         * and so take PCI slots 0, 1, ... in that order */
        if (d->virtio_console)
            virtio_node(e, dom, "console", "xen-arm-minimal,virtio-console");
        if (d->virtio_rng)
            virtio_node(e, dom, "rng", "xen-arm-minimal,virtio-rng");
        for (unsigned i = d->ndisks; i-- > 0;)
            disk_node(e, dom, &d->disk[i], &p->disk[n][i]);
        if (p->partial[n].name)
            module(e, dom, &p->partial[n], "multiboot,device-tree", NULL);
        if (p->ramdisk[n].name)
            module(e, dom, &p->ramdisk[n], "multiboot,ramdisk", NULL);
        module(e, dom, &p->kernel[n], "multiboot,kernel", d->cmd);
    }
    return 0;
}

static size_t align4(size_t n) { return (n + 3) & ~(size_t)3; }

static size_t value_len(const struct ib_op *op)
{
    size_t len = 0;
    if (op->kind == VAL_CELLS)
        return 4 * op->n;
    for (unsigned i = 0; op->kind == VAL_STRINGS && i < op->n; i++)
        len += strlen(op->strs[i]) + 1;
    return len;
}

uint32_t edits_growth(const struct ib_edits *e)
{
    size_t sum = 16; /* the /memreserve/ entry `fdt resize` adds for the tree itself */
    for (unsigned i = 0; i < e->n; i++) {
        const struct ib_op *op = &e->ops[i];
        if (op->mknode) /* FDT_BEGIN_NODE, the name, FDT_END_NODE */
            sum += 4 + align4(strlen(op->name) + 1) + 4;
        else /* FDT_PROP, len, nameoff, the value; the name in the strings block */
            sum += 12 + align4(value_len(op)) + strlen(op->name) + 1;
    }
    /* A quarter more and a little: the exact need is above, but a margin
     * costs nothing and U-Boot then rounds the tree up to 4 KiB anyway. */
    sum += sum / 4 + 256;
    return (uint32_t)((sum + 255) & ~(size_t)255);
}

static int encode(const struct ib_op *op, char **buf, int *len)
{
    size_t n = value_len(op);
    char *v = xmalloc(n ? n : 1), *q = v;
    if (op->kind == VAL_CELLS) {
        for (unsigned i = 0; i < op->n; i++) {
            fdt32_t c = cpu_to_fdt32(op->cells[i]);
            memcpy(q, &c, 4);
            q += 4;
        }
    } else if (op->kind == VAL_STRINGS) {
        for (unsigned i = 0; i < op->n; i++) {
            size_t l = strlen(op->strs[i]) + 1;
            memcpy(q, op->strs[i], l);
            q += l;
        }
    }
    *buf = v;
    *len = (int)n;
    return 0;
}

int edits_apply(const void *fdt, const struct ib_edits *e, uint32_t resize, bool uboot_rsv, uint64_t dtb_addr,
                void **out, size_t *outlen, struct ib_error *err)
{
    /* `fdt resize N` (fdt_shrink_to_minimum) keeps the tree up to the end
     * of its strings block and adds N; U-Boot then rounds up to 4 KiB,
     * which we leave out so that a too-small N shows here first. */
    uint32_t structs = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
    uint32_t strings = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
    size_t used = structs > strings ? structs : strings, size = used + resize;
    char *buf = xmalloc(size);
    /* Shrink in place first, as U-Boot does: fdt_open_into() will not move
     * a tree into less than its old totalsize. */
    if (used > fdt_totalsize(fdt))
        used = fdt_totalsize(fdt);
    memcpy(buf, fdt, used);
    fdt_set_totalsize(buf, (uint32_t)used);
    int rc = fdt_open_into(buf, buf, (int)size);
    if (!rc && uboot_rsv)
        rc = fdt_add_mem_rsv(buf, dtb_addr, size);
    if (rc) {
        free(buf);
        return ib_fail(err, "DEVICE_TREE: cannot open it for editing: %s", fdt_strerror(rc));
    }
    for (unsigned i = 0; i < e->n; i++) {
        const struct ib_op *op = &e->ops[i];
        int node = fdt_path_offset(buf, op->path);
        if (node >= 0) {
            if (op->mknode) {
                rc = fdt_add_subnode(buf, node, op->name);
            } else {
                char *v;
                int len;
                encode(op, &v, &len);
                rc = fdt_setprop(buf, node, op->name, v, len);
                free(v);
            }
        } else {
            rc = node;
        }
        if (rc < 0) {
            struct ib_buf cmd = { 0 };
            edits_command(&cmd, op);
            ib_fail(err, "the edit \"%s\" fails on DEVICE_TREE: %s%s", cmd.s, fdt_strerror(rc),
                    rc == -FDT_ERR_NOSPACE ? " (fdt resize too small: a bug)" : "");
            buf_free(&cmd);
            free(buf);
            return -1;
        }
    }
    *out = buf;
    *outlen = size;
    return 0;
}

void edits_command(struct ib_buf *b, const struct ib_op *op)
{
    if (op->mknode) {
        buf_printf(b, "fdt mknode %s %s", op->path, op->name);
        return;
    }
    buf_printf(b, "fdt set %s ", op->path);
    /* `#` would start a comment in U-Boot's shell. */
    for (const char *s = op->name; *s; s++) {
        if (*s == '#')
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
    if (op->kind == VAL_STRINGS) {
        for (unsigned i = 0; i < op->n; i++)
            buf_printf(b, " \"%s\"", op->strs[i]);
    } else if (op->kind == VAL_CELLS) {
        buf_printf(b, " <");
        for (unsigned i = 0; i < op->n; i++)
            buf_printf(b, "%s0x%" PRIx32, i ? " " : "", op->cells[i]);
        buf_printf(b, ">");
    }
}
