/* A domain's partial device tree (multiboot,device-tree), read and
 * checked before any memory is touched, with Xen's rules (Xen's
 * dom0less-build.c, docs/misc/arm/passthrough.txt): /passthrough, which
 * the guest's tree keeps whole as /passthrough (guest_fdt.c), its nodes'
 * xen,reg MMIO (in their parent's cells), xen,path (the host node whose
 * interrupts they are) and interrupts; /aliases; Xen's /gic placeholder,
 * whose phandle means the guest's GIC. Portable: the hypervisor and
 * xam-dryrun both run it, from domain_describe(). */
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>
#include <xam/memrange.h>
#include "domain_desc_priv.h"

_Static_assert(GUEST_NR_IRQS == 1020, "the passthrough refusal names INTIDs 32-1019");

/* The host devices the hypervisor itself drives: never a guest's. */
static const char *host_device_at(const struct hostdt *h, paddr_t base, uint64_t size)
{
    const struct hostdt_gic *g = &h->gic;
    if (mrset_overlaps(&h->mem, base, size))
        return "host RAM";
    if (ranges_overlap(base, size, g->dist.base, g->dist.size) ||
        ranges_overlap(base, size, g->cpu.base, g->cpu.size) || ranges_overlap(base, size, g->hyp.base, g->hyp.size) ||
        ranges_overlap(base, size, g->vcpu.base, g->vcpu.size))
        return "the host GIC";
    for (unsigned i = 0; i < g->nr_redist; i++)
        if (ranges_overlap(base, size, g->redist[i].base, g->redist[i].size))
            return "the host GIC";
    if (h->uart.size && ranges_overlap(base, size, h->uart.base, h->uart.size))
        return "the hypervisor's console UART";
    return NULL;
}

/* What one partial tree's walk needs. */
struct pt_walk {
    const struct desc_ctx *c;
    const void *pdt;
    struct domain_desc *dd;
    uint32_t gic_phandle; /* /gic's: the guest's GIC too (0: none) */
    char why[300];
};

static bool refuse(struct pt_walk *w, const char *where, const char *what)
{
    fmt_snprintf(w->why, sizeof(w->why), "partial device tree: %s: %s", where, what);
    return reject(w->c, w->dd->partial_dtb->node, "reg", w->why);
}

/* Whether the host node at hnode (xen,path) has GIC SPI num with this
 * trigger: in its interrupts (3-cell GIC specifiers), or, for a GICv2m
 * MSI frame, in its arm,msi-base-spi/arm,msi-num-spis range (edge). */
static bool host_has_spi(const void *fdt, int hnode, uint32_t num, bool edge)
{
    int len;
    const fdt32_t *ip = dt_getprop(fdt, hnode, "interrupts", &len);
    for (int i = 0; ip && len % 12 == 0 && i < len / 12; i++)
        if (fdt32_ld(&ip[3 * i]) == 0 && fdt32_ld(&ip[3 * i + 1]) == num &&
            ((fdt32_ld(&ip[3 * i + 2]) & 0xf) == 1) == edge)
            return true;
    const fdt32_t *base = dt_getprop(fdt, hnode, "arm,msi-base-spi", &len);
    const fdt32_t *n = dt_getprop(fdt, hnode, "arm,msi-num-spis", NULL);
    if (base && len == 4 && n && edge) {
        uint32_t b = fdt32_ld(base) - 32; /* an INTID, not an SPI number */
        return fdt32_ld(base) >= 32 && num >= b && num - b < fdt32_ld(n);
    }
    return false;
}

/* interrupts of a passthrough node: GIC SPIs of its host node (xen,path,
 * hnode), given to the guest under the same number (as Xen), level-high or
 * rising-edge (the GIC has no other kinds), that the vGIC carries and
 * nothing else of this guest or the hypervisor uses. */
static bool read_passthrough_irqs(struct pt_walk *w, int pnode, const char *where, int hnode, const char *hpath)
{
    const struct desc_ctx *c = w->c;
    struct domain_desc *dd = w->dd;
    int len;
    if (dt_getprop(w->pdt, pnode, "interrupts-extended", NULL))
        return refuse(w, where, "interrupts-extended: use interrupts (the guest's GIC)");
    const fdt32_t *ip = dt_getprop(w->pdt, pnode, "interrupt-parent", &len);
    if (ip && (len != 4 || (fdt32_ld(ip) != GUEST_GIC_PHANDLE && (!w->gic_phandle || fdt32_ld(ip) != w->gic_phandle))))
        return refuse(
            w, where,
            "interrupt-parent must be the guest's GIC: <&gic> (the partial tree's /gic placeholder) or <65000>");
    const fdt32_t *irq = dt_getprop(w->pdt, pnode, "interrupts", &len);
    if (!irq)
        return true;
    if (len <= 0 || len % 12)
        return refuse(w, where, "interrupts must be 3-cell GIC specifiers");
    if (hnode < 0)
        return refuse(w, where,
                      "interrupts without xen,path: as Xen, a device's interrupts are its host node's (name it in "
                      "xen,path)");
    for (int i = 0; i < len / 12; i++) {
        uint32_t type = fdt32_ld(&irq[3 * i]), num = fdt32_ld(&irq[3 * i + 1]), flags = fdt32_ld(&irq[3 * i + 2]);
        unsigned intid = 32 + num;
        bool edge = (flags & 0xf) == 1;
        const char *what = NULL;
        char host[DT_PATH_MAX + 80];
        if (type != 0)
            what = "only SPIs (type 0) can be passed through";
        else if ((flags & 0xf) != 4 && !edge)
            what = "only level-high (flags 4) and rising-edge (flags 1) interrupts: the GIC has no other kinds";
        else if (num > GUEST_NR_IRQS - 33)
            what = "the guest's GIC has SPIs 0-987 only (INTIDs 32-1019)";
        else if (intid == dd->layout.uart_intid && dd->vpl011) {
            fmt_snprintf(host, sizeof(host), "SPI %u (INTID %u) is the vPL011's", num, intid);
            what = host;
        } else if (dd->has_bridge && intid >= dd->bridge.irq_start &&
                   intid < dd->bridge.irq_start + dd->bridge.irq_count)
            what = "the PCI bridge uses it";
        else if (c->h->uart.intid == intid)
            what = "it is the hypervisor's console UART interrupt";
        else if (!host_has_spi(c->h->fdt, hnode, num, edge)) {
            fmt_snprintf(host, sizeof(host), "the host node %s (xen,path) has no such %s interrupt", hpath,
                         edge ? "rising-edge" : "level-high");
            what = host;
        }
        for (unsigned j = 0; !what && j < dd->nr_irqs; j++)
            if (dd->irqs[j] == intid)
                what = "named twice";
        if (!what && dd->nr_irqs == DESC_MAX_PASSTHROUGH)
            what = "more than 8 passthrough interrupts";
        if (what) {
            char msg[sizeof(host) + 60];
            fmt_snprintf(msg, sizeof(msg), "interrupts: SPI %u: %s", num, what);
            return refuse(w, where, msg);
        }
        if (edge)
            dd->irq_edge |= 1u << dd->nr_irqs;
        dd->irqs[dd->nr_irqs++] = intid;
    }
    return true;
}

/* One xen,reg range <host size guest>: page-aligned, not the hypervisor's
 * devices or RAM, and clear of everything else in the guest's space. */
static bool read_xen_reg(struct pt_walk *w, const char *where, struct desc_mmio m)
{
    struct domain_desc *dd = w->dd;
    char msg[200];
    const char *what = NULL;
    if (!m.size || m.host % PAGE_SIZE || m.guest % PAGE_SIZE || m.size % PAGE_SIZE || m.host + m.size < m.host ||
        m.guest + m.size < m.guest || m.guest + m.size > 1ULL << dd->ipa_bits)
        what = "must be non-empty, page-aligned and inside the guest address space";
    else
        what = host_device_at(w->c->h, m.host, m.size);
    if (what) {
        fmt_snprintf(msg, sizeof(msg), "xen,reg 0x%llx+0x%llx: %s%s", (unsigned long long)m.host,
                     (unsigned long long)m.size, what[0] == 'm' ? "" : "covers ", what);
        return refuse(w, where, msg);
    }
    struct used u[DESC_MAX_BANKS + 8 + DESC_MAX_PASSTHROUGH + 3];
    unsigned n = guest_used(dd, dd->vcpus, u);
    if (dd->has_bridge) {
        u[n++] = (struct used){ "the PCI bridge's ECAM window", dd->bridge.ecam, dd->bridge.ecam_size };
        u[n++] = (struct used){ "the PCI bridge's MEM window", dd->bridge.mem, dd->bridge.mem_size };
        u[n++] = (struct used){ "the PCI bridge's prefetchable window", dd->bridge.pref, dd->bridge.pref_size };
    }
    for (unsigned j = 0; j < dd->nr_mmio; j++)
        u[n++] = (struct used){ "another passthrough range", dd->mmio[j].guest, dd->mmio[j].size };
    for (unsigned j = 0; j < n; j++)
        if (u[j].size && ranges_overlap(m.guest, m.size, u[j].base, u[j].size)) {
            fmt_snprintf(msg, sizeof(msg), "xen,reg guest address 0x%llx+0x%llx overlaps %s",
                         (unsigned long long)m.guest, (unsigned long long)m.size, u[j].what);
            return refuse(w, where, msg);
        }
    if (dd->nr_mmio == DESC_MAX_PASSTHROUGH)
        return refuse(w, where, "more than 8 xen,reg ranges");
    dd->mmio[dd->nr_mmio++] = m;
    return true;
}

/* One node under /passthrough and its children: xen,reg (<host-addr size
 * guest-addr>... in the parent's #address-cells/#size-cells, 1 or 2 each,
 * as Xen), xen,path, xen,force-assign-without-iommu, interrupts. */
static bool read_passthrough_node(struct pt_walk *w, int pnode, int ac, int sc)
{
    const void *fdt = w->c->h->fdt;
    int len, plen;
    char where[DT_PATH_MAX];
    dt_node_path(w->pdt, pnode, where, sizeof(where));
    const fdt32_t *r = dt_getprop(w->pdt, pnode, "xen,reg", &len);
    if (r) {
        int cells = 2 * ac + sc;
        if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
            return refuse(w, where,
                          "xen,reg: the parent's #address-cells and #size-cells must be 1 or 2 each (Xen's rule)");
        if (len <= 0 || len % (4 * cells))
            return refuse(w, where,
                          "xen,reg must be <host-addr size guest-addr>... in the parent's #address-cells and "
                          "#size-cells");
        for (int i = 0; i < len / (4 * cells); i++) {
            const fdt32_t *e = &r[cells * i];
            struct desc_mmio m = { dt_read_cells(e, ac), dt_read_cells(&e[ac + sc], ac), dt_read_cells(&e[ac], sc) };
            if (!read_xen_reg(w, where, m))
                return false;
        }
    }
    const char *hpath = dt_getprop(w->pdt, pnode, "xen,path", &plen);
    bool force = dt_getprop(w->pdt, pnode, "xen,force-assign-without-iommu", NULL) != NULL;
    int hnode = -1;
    if (hpath && (plen <= 0 || hpath[plen - 1] || (hnode = fdt_path_offset(fdt, hpath)) < 0))
        return refuse(w, where, "xen,path names no node of the host tree");
    if (hpath && !r)
        return refuse(w, where,
                      "xen,path without xen,reg: Xen needs both (or xen,reg alone with "
                      "xen,force-assign-without-iommu)");
    if (r && !hpath && !force)
        return refuse(w, where,
                      "xen,reg without xen,path: name the host node in xen,path (or add "
                      "xen,force-assign-without-iommu for MMIO alone), as Xen requires");
    if (!read_passthrough_irqs(w, pnode, where, hnode, hpath))
        return false;
    int cac = dt_address_cells(w->pdt, pnode), csc = dt_size_cells(w->pdt, pnode), child;
    fdt_for_each_subnode(child, w->pdt, pnode) if (!read_passthrough_node(w, child, cac, csc)) return false;
    return true;
}

/* Xen's mandatory properties of /passthrough, and its interrupt-parent. */
static bool read_passthrough_bus(struct pt_walk *w, int pt)
{
    int len;
    const char *compat = dt_getprop(w->pdt, pt, "compatible", &len);
    if (!compat || fdt_stringlist_contains(compat, len, "simple-bus") <= 0)
        return refuse(w, "/passthrough", "compatible must contain \"simple-bus\" (Xen's mandatory properties)");
    if (!dt_getprop(w->pdt, pt, "ranges", NULL) || !dt_getprop(w->pdt, pt, "#address-cells", NULL) ||
        !dt_getprop(w->pdt, pt, "#size-cells", NULL))
        return refuse(w, "/passthrough", "ranges, #address-cells and #size-cells are mandatory (Xen's rule)");
    const fdt32_t *ip = dt_getprop(w->pdt, pt, "interrupt-parent", &len);
    if (ip && (len != 4 || (fdt32_ld(ip) != GUEST_GIC_PHANDLE && (!w->gic_phandle || fdt32_ld(ip) != w->gic_phandle))))
        return refuse(w, "/passthrough", "interrupt-parent must be the guest's GIC: <&gic> or <65000>");
    return true;
}

/* The root's children: /passthrough, /aliases, Xen's /gic placeholder
 * (and dtc's own __symbols__ and fixups, left out); anything else Xen
 * would ignore silently, so it is refused. Phandles other than /gic's must
 * be below 65000, which Xen reserves (GUEST_PHANDLE_GIC and up; ours
 * there are the guest's GIC, bridge, grant DMA and pmem nodes). */
static bool read_root(struct pt_walk *w)
{
    int node, gic = fdt_subnode_offset(w->pdt, 0, "gic");
    w->gic_phandle = gic >= 0 ? fdt_get_phandle(w->pdt, gic) : 0;
    fdt_for_each_subnode(node, w->pdt, 0)
    {
        const char *n = fdt_get_name(w->pdt, node, NULL);
        if (strcmp(n, "passthrough") && strcmp(n, "aliases") && strcmp(n, "gic") && strcmp(n, "__symbols__") &&
            strcmp(n, "__fixups__") && strcmp(n, "__local_fixups__")) {
            char where[DT_PATH_MAX];
            dt_node_path(w->pdt, node, where, sizeof(where));
            return refuse(w, where,
                          "only /passthrough, /aliases and /gic are read (Xen ignores the rest silently): remove it");
        }
    }
    for (node = fdt_next_node(w->pdt, -1, NULL); node >= 0; node = fdt_next_node(w->pdt, node, NULL)) {
        uint32_t ph = fdt_get_phandle(w->pdt, node);
        if (ph >= GUEST_GIC_PHANDLE && node != gic) {
            char where[DT_PATH_MAX];
            dt_node_path(w->pdt, node, where, sizeof(where));
            return refuse(w, where,
                          "phandle: 65000 and up are the guest's own (Xen's GUEST_PHANDLE_GIC): use a lower "
                          "one");
        }
    }
    return true;
}

/* multiboot,device-tree: a small tree whose /passthrough node the guest's
 * tree keeps, with /aliases merged into its aliases. The root's cells
 * are not read, as in Xen: /passthrough's own say how its children's reg
 * and xen,reg are written. */
bool domain_partial_read(const struct desc_ctx *c, struct domain_desc *dd)
{
    const struct hostdt_module *m = dd->partial_dtb;
    if (!m)
        return true;
    const void *pdt = c->env->module_data ? c->env->module_data(m, c->env->ctx) : NULL;
    if (!pdt)
        return reject(c, m->node, "reg", "the partial device tree cannot be read");
    if (m->size < sizeof(struct fdt_header) || fdt_check_header(pdt) || fdt_totalsize(pdt) > m->size ||
        fdt_check_full(pdt, fdt_totalsize(pdt)))
        return reject(c, m->node, "reg", "not a valid device tree (multiboot,device-tree), or larger than reg says");
    struct pt_walk w = { .c = c, .pdt = pdt, .dd = dd };
    if (!read_root(&w))
        return false;
    int pt = fdt_subnode_offset(pdt, 0, "passthrough"), child;
    if (pt >= 0) {
        if (!read_passthrough_bus(&w, pt))
            return false;
        int ac = dt_address_cells(pdt, pt), sc = dt_size_cells(pdt, pt);
        fdt_for_each_subnode(child, pdt, pt) if (!read_passthrough_node(&w, child, ac, sc)) return false;
    }
    dd->partial = pdt;
    return true;
}
