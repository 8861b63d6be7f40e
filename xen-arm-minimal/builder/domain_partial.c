/* A domain's partial device tree (multiboot,device-tree), read and
 * checked before any memory is touched: its /passthrough nodes (xen,reg
 * MMIO, xen,path, interrupts), which the guest's tree copies into its root
 * with /aliases (guest_fdt.c). Portable: the hypervisor and xam-dryrun
 * both run it, from domain_describe(). */
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>
#include <xam/memrange.h>
#include "domain_desc_priv.h"

_Static_assert(GUEST_NR_IRQS == 1020, "the passthrough refusal names INTIDs 32-1019");

/* Names the builder gives root nodes: a passthrough node must not clash. */
static bool generated_name(const char *n)
{
    static const char *const exact[] = { "chosen",  "cpus",         "timer",         "psci",           "hypervisor",
                                         "aliases", "device-model", "xen-grant-dma", "reserved-memory" };
    static const char *const prefix[] = { "memory@", "interrupt-controller@", "sbsa-uart@", "pcie@", "pci-ready@" };
    for (unsigned i = 0; i < ARRAY_SIZE(exact); i++)
        if (!strcmp(n, exact[i]))
            return true;
    for (unsigned i = 0; i < ARRAY_SIZE(prefix); i++)
        if (!strncmp(n, prefix[i], strlen(prefix[i])))
            return true;
    return false;
}

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

/* interrupts of a passthrough node: GIC SPIs given to the guest under the
 * same number (as Xen), level-high, that the vGIC carries and nothing else
 * of this guest or the hypervisor uses. */
static bool read_passthrough_irqs(const struct desc_ctx *c, const void *pdt, int pnode, const char *where,
                                  struct domain_desc *dd)
{
    int node = dd->partial_dtb->node, len;
    char why[240];
    if (fdt_getprop(pdt, pnode, "interrupts-extended", NULL)) {
        fmt_snprintf(why, sizeof(why), "partial device tree: %s: interrupts-extended: use interrupts (the guest's GIC)",
                     where);
        return reject(c, node, "reg", why);
    }
    const fdt32_t *ip = fdt_getprop(pdt, pnode, "interrupt-parent", &len);
    if (ip && (len != 4 || fdt32_ld(ip) != GUEST_GIC_PHANDLE)) {
        fmt_snprintf(why, sizeof(why), "partial device tree: %s: interrupt-parent must be the guest's GIC, <65000>",
                     where);
        return reject(c, node, "reg", why);
    }
    const fdt32_t *irq = fdt_getprop(pdt, pnode, "interrupts", &len);
    if (!irq)
        return true;
    if (len <= 0 || len % 12) {
        fmt_snprintf(why, sizeof(why), "partial device tree: %s: interrupts must be 3-cell GIC specifiers", where);
        return reject(c, node, "reg", why);
    }
    for (int i = 0; i < len / 12; i++) {
        uint32_t type = fdt32_ld(&irq[3 * i]), num = fdt32_ld(&irq[3 * i + 1]), flags = fdt32_ld(&irq[3 * i + 2]);
        unsigned intid = 32 + num;
        const char *what = NULL;
        if (type != 0)
            what = "only SPIs (type 0) can be passed through";
        else if ((flags & 0xf) != 4)
            what = "only level-high interrupts (flags 4) can be passed through";
        else if (num > GUEST_NR_IRQS - 33)
            what = "the guest's GIC has SPIs 0-987 only (INTIDs 32-1019)";
        else if (intid == VPL011_SPI && dd->vpl011)
            what = "SPI 0 (INTID 32) is the vPL011's";
        else if (dd->has_bridge && intid >= dd->bridge.irq_start && intid < dd->bridge.irq_start + dd->bridge.irq_count)
            what = "the PCI bridge uses it";
        else if (c->h->uart.intid == intid)
            what = "it is the hypervisor's console UART interrupt";
        for (unsigned j = 0; !what && j < dd->nr_irqs; j++)
            if (dd->irqs[j] == intid)
                what = "named twice";
        if (!what && dd->nr_irqs == DESC_MAX_PASSTHROUGH)
            what = "more than 8 passthrough interrupts";
        if (what) {
            fmt_snprintf(why, sizeof(why), "partial device tree: %s: interrupts: SPI %u: %s", where, num, what);
            return reject(c, node, "reg", why);
        }
        dd->irqs[dd->nr_irqs++] = intid;
    }
    return true;
}

/* One /passthrough node and its children: xen,reg ranges (6 cells: host
 * address, size, guest address), xen,path, interrupts. */
static bool read_passthrough_node(const struct desc_ctx *c, const void *pdt, int pnode, int depth,
                                  struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int node = dd->partial_dtb->node, len;
    char why[200], where[DT_PATH_MAX];
    dt_node_path(pdt, pnode, where, sizeof(where));
    if (depth == 1 && generated_name(fdt_get_name(pdt, pnode, NULL))) {
        fmt_snprintf(why, sizeof(why), "partial device tree: %s clashes with a node the builder writes", where);
        return reject(c, node, "reg", why);
    }
    if (!read_passthrough_irqs(c, pdt, pnode, where, dd))
        return false;
    const char *hpath = fdt_getprop(pdt, pnode, "xen,path", &len);
    if (hpath && (len <= 0 || hpath[len - 1] || fdt_path_offset(fdt, hpath) < 0)) {
        fmt_snprintf(why, sizeof(why), "partial device tree: %s: xen,path names no node of the host tree", where);
        return reject(c, node, "reg", why);
    }
    const fdt32_t *r = fdt_getprop(pdt, pnode, "xen,reg", &len);
    if (r && (len <= 0 || len % 24)) {
        fmt_snprintf(why, sizeof(why),
                     "partial device tree: %s: xen,reg must be <host-addr size guest-addr>... in 2 cells each", where);
        return reject(c, node, "reg", why);
    }
    for (int i = 0; r && i < len / 24; i++) {
        struct desc_mmio m = { dt_read_cells(&r[6 * i], 2), dt_read_cells(&r[6 * i + 4], 2),
                               dt_read_cells(&r[6 * i + 2], 2) };
        const char *what = NULL;
        if (!m.size || m.host % PAGE_SIZE || m.guest % PAGE_SIZE || m.size % PAGE_SIZE || m.host + m.size < m.host ||
            m.guest + m.size < m.guest || m.guest + m.size > 1ULL << dd->ipa_bits)
            what = "must be non-empty, page-aligned and inside the guest address space";
        else
            what = host_device_at(c->h, m.host, m.size);
        if (what) {
            fmt_snprintf(why, sizeof(why), "partial device tree: %s: xen,reg 0x%llx+0x%llx: %s%s", where,
                         (unsigned long long)m.host, (unsigned long long)m.size, what[0] == 'm' ? "" : "covers ", what);
            return reject(c, node, "reg", why);
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
                fmt_snprintf(why, sizeof(why),
                             "partial device tree: %s: xen,reg guest address 0x%llx+0x%llx overlaps %s", where,
                             (unsigned long long)m.guest, (unsigned long long)m.size, u[j].what);
                return reject(c, node, "reg", why);
            }
        if (dd->nr_mmio == DESC_MAX_PASSTHROUGH)
            return reject(c, node, "reg", "partial device tree: more than 8 xen,reg ranges");
        dd->mmio[dd->nr_mmio++] = m;
    }
    int child;
    fdt_for_each_subnode(child, pdt, pnode) if (!read_passthrough_node(c, pdt, child, depth + 1, dd)) return false;
    return true;
}

/* multiboot,device-tree: a small tree whose /passthrough children are
 * copied into the guest's root, and /aliases into its aliases. */
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
    if (fdt_address_cells(pdt, 0) != 2 || fdt_size_cells(pdt, 0) != 2)
        return reject(c, m->node, "reg",
                      "partial device tree: the root must have #address-cells and #size-cells 2, as the guest's");
    int pt = fdt_path_offset(pdt, "/passthrough"), child;
    if (pt >= 0)
        fdt_for_each_subnode(child, pdt, pt) if (!read_passthrough_node(c, pdt, child, 1, dd)) return false;
    dd->partial = pdt;
    return true;
}
