/* One small function per node, with libfdt's sequential-write API. */
#include <libfdt.h>
#include <string.h>
#include <xam/fmt.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>
#include <xam/xen_abi.h>
#include <xam/vaffinity.h>

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int rc_ = (x);                                                                                                 \
        if (rc_)                                                                                                       \
            return rc_;                                                                                                \
    } while (0)

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    void *p;
    TRY(fdt_property_placeholder(fdt, name, (int)(n * sizeof(fdt32_t)), &p));
    for (unsigned i = 0; i < n; i++)
        ((fdt32_t *)p)[i] = cpu_to_fdt32(cells[i]);
    return 0;
}

/* <address size> entries of 2 + 2 cells */
static int prop_pairs(void *fdt, const char *name, const uint64_t *pairs, unsigned n)
{
    uint32_t cells[64];
    if (n * 4 > 64)
        return -FDT_ERR_NOSPACE;
    for (unsigned i = 0; i < n * 2; i++) {
        cells[2 * i] = (uint32_t)(pairs[i] >> 32);
        cells[2 * i + 1] = (uint32_t)pairs[i];
    }
    return prop_cells(fdt, name, cells, n * 4);
}

static int prop_reg(void *fdt, const uint64_t *pairs, unsigned n) { return prop_pairs(fdt, "reg", pairs, n); }

static struct guest_layout layout_of(const struct guest_fdt_params *p)
{
    return p->layout ? *p->layout : guest_layout_xen();
}

static int node_chosen(void *fdt, const struct guest_fdt_params *p)
{
    TRY(fdt_begin_node(fdt, "chosen"));
    if (p->bootargs)
        TRY(fdt_property_string(fdt, "bootargs", p->bootargs));
    if (p->initrd_end > p->initrd_start) {
        TRY(fdt_property_u64(fdt, "linux,initrd-start", p->initrd_start));
        TRY(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
    }
    if (p->vpl011) {
        char path[40];
        fmt_snprintf(path, sizeof(path), "/sbsa-uart@%llx", (unsigned long long)layout_of(p).uart);
        TRY(fdt_property_string(fdt, "stdout-path", path));
    }
    return fdt_end_node(fdt);
}

static int node_cpus(void *fdt, const struct guest_fdt_params *p)
{
    const char *compat = p->cpu_compatible ? p->cpu_compatible : "arm,armv8";
    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        /* its MPIDR, as Xen names and numbers them (cpu@f, then cpu@100) */
        char name[16];
        fmt_snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)vaffinity(i));
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_string(fdt, "compatible", compat));
        TRY(fdt_property_u32(fdt, "reg", (uint32_t)vaffinity(i)));
        TRY(fdt_property_string(fdt, "enable-method", "psci"));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

static int node_memory(void *fdt, const struct guest_fdt_params *p)
{
    char name[32];
    uint64_t pairs[16];
    fmt_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)p->banks[0].base);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    for (unsigned i = 0; i < p->nr_banks; i++) {
        pairs[2 * i] = p->banks[i].base;
        pairs[2 * i + 1] = p->banks[i].size;
    }
    TRY(prop_reg(fdt, pairs, p->nr_banks));
    return fdt_end_node(fdt);
}

static int node_gic(void *fdt, const struct guest_fdt_params *p)
{
    const struct guest_layout l = layout_of(p);
    char name[40];
    fmt_snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)l.gicd);
    TRY(fdt_begin_node(fdt, name));
    if (p->gic_version == 3) {
        uint64_t reg[4] = { l.gicd, VGIC_DIST_SIZE, l.gicr, VGIC_RDIST_STRIDE * p->nr_vcpus };
        TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
        TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
        TRY(prop_reg(fdt, reg, 2));
    } else {
        uint64_t reg[4] = { l.gicd, VGIC_V2_DIST_SIZE, l.gicc, VGIC_V2_CPU_SIZE };
        TRY(fdt_property_string(fdt, "compatible", "arm,gic-400"));
        TRY(prop_reg(fdt, reg, 2));
    }
    TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
    TRY(fdt_property_u32(fdt, "#address-cells", 0));
    TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
    TRY(fdt_property_u32(fdt, "phandle", GUEST_GIC_PHANDLE));
    return fdt_end_node(fdt);
}

static int node_timer(void *fdt, const struct guest_fdt_params *p)
{
    /* secure phys, phys, virt: PPIs 13, 14, 11 (INTIDs 29, 30, 27), level
     * low (8), as Xen and QEMU describe them; GICv2 specifiers also carry
     * the CPU mask (0xf00). */
    uint32_t flags = p->gic_version == 2 ? 0xf08 : 0x8;
    uint32_t irqs[9] = { 1, 13, flags, 1, 14, flags, 1, 11, flags };
    TRY(fdt_begin_node(fdt, "timer"));
    TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
    TRY(prop_cells(fdt, "interrupts", irqs, 9));
    TRY(fdt_property(fdt, "always-on", NULL, 0));
    return fdt_end_node(fdt);
}

static int node_psci(void *fdt)
{
    static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
    TRY(fdt_begin_node(fdt, "psci"));
    TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
    TRY(fdt_property_string(fdt, "method", "hvc"));
    return fdt_end_node(fdt);
}

static int node_vpl011(void *fdt, const struct guest_fdt_params *p)
{
    const struct guest_layout l = layout_of(p);
    char name[40];
    uint64_t reg[2] = { l.uart, VPL011_SIZE };
    uint32_t irq[3] = { 0, l.uart_intid - 32, 4 };
    fmt_snprintf(name, sizeof(name), "sbsa-uart@%llx", (unsigned long long)l.uart);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "arm,sbsa-uart"));
    TRY(prop_reg(fdt, reg, 1));
    TRY(prop_cells(fdt, "interrupts", irq, 3));
    TRY(fdt_property_u32(fdt, "current-speed", 115200));
    return fdt_end_node(fdt);
}

/* Static shared memory, as Xen's make_resv_memory_node() writes it: a
 * xen-shmem@<guest address> child of /reserved-memory per region, with
 * the region's xen,shm-id and an offset of 0. The regions are not in the
 * memory node (Xen 4.19 and later add them there as well): outside System
 * RAM, a Linux guest's /dev/mem reaches them even with STRICT_DEVMEM. */
static int node_reserved_memory(void *fdt, const struct guest_fdt_params *p)
{
    TRY(fdt_begin_node(fdt, "reserved-memory"));
    TRY(fdt_property(fdt, "ranges", NULL, 0));
    TRY(fdt_property_u32(fdt, "#address-cells", 2));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    for (unsigned i = 0; i < p->nr_shm; i++) {
        char name[40];
        uint64_t reg[2] = { p->shm[i].base, p->shm[i].size };
        fmt_snprintf(name, sizeof(name), "xen-shmem@%llx", (unsigned long long)p->shm[i].base);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "compatible", "xen,shared-memory-v1"));
        TRY(prop_reg(fdt, reg, 1));
        TRY(fdt_property_string(fdt, "xen,id", p->shm[i].id));
        TRY(fdt_property_u64(fdt, "xen,offset", 0));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

/* Named exactly "hypervisor": Linux looks it up by that path. */
static int node_hypervisor(void *fdt, const struct guest_fdt_params *p)
{
    static const char compat[] = XEN_ABI_COMPATIBLE "\0xen,xen";
    uint64_t reg[2 + 2 * GUEST_FDT_MAX_EXT] = { GUEST_GNTTAB_BASE, GUEST_GNTTAB_SIZE };
    for (unsigned i = 0; i < p->nr_ext; i++) {
        reg[2 + 2 * i] = p->ext[i].base;
        reg[3 + 2 * i] = p->ext[i].size;
    }
    uint32_t irq[3] = { 1, GUEST_EVTCHN_PPI - 16, 0xf08 };
    TRY(fdt_begin_node(fdt, "hypervisor"));
    TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
    TRY(prop_reg(fdt, reg, 1 + p->nr_ext));
    TRY(prop_cells(fdt, "interrupts", irq, 3));
    return fdt_end_node(fdt);
}

static void split64(uint32_t *c, uint64_t v)
{
    c[0] = (uint32_t)(v >> 32);
    c[1] = (uint32_t)v;
}

/* pci-host-ecam-generic, as Linux's driver and the 2024 xen-devel series
 * describe it; INTx only (no MSI), swizzled over 4 slots. */
static int node_pcie(void *fdt, const struct guest_fdt_params *p)
{
    const struct pci_bridge *b = p->bridge;
    char name[40];
    fmt_snprintf(name, sizeof(name), "pcie@%llx", (unsigned long long)b->ecam);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
    TRY(fdt_property_string(fdt, "device_type", "pci"));
    uint64_t reg[2] = { b->ecam, b->ecam_size };
    TRY(prop_reg(fdt, reg, 1));
    uint32_t bus[2] = { 0, (uint32_t)(b->ecam_size / MiB(1)) - 1 };
    TRY(prop_cells(fdt, "bus-range", bus, 2));
    TRY(fdt_property_u32(fdt, "#address-cells", 3));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    /* <pci.hi pci.mid pci.lo  cpu.hi cpu.lo  size.hi size.lo>, PCI
     * addresses equal to guest physical ones */
    uint32_t ranges[14];
    unsigned n = 0;
    ranges[n++] = 0x02000000; /* 32-bit MEM */
    split64(&ranges[n], b->mem), n += 2;
    split64(&ranges[n], b->mem), n += 2;
    split64(&ranges[n], b->mem_size), n += 2;
    if (b->pref_size) {
        ranges[n++] = 0x43000000; /* 64-bit prefetchable MEM */
        split64(&ranges[n], b->pref), n += 2;
        split64(&ranges[n], b->pref), n += 2;
        split64(&ranges[n], b->pref_size), n += 2;
    }
    TRY(prop_cells(fdt, "ranges", ranges, n));
    TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    TRY(fdt_property_u32(fdt, "linux,pci-domain", 1));
    TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
    uint32_t mask[4] = { 0x1800, 0, 0, 7 };
    TRY(prop_cells(fdt, "interrupt-map-mask", mask, 4));
    /* <devfn<<8 0 0 pin  gic  SPI irq level-high>: the GIC node has
     * #address-cells 0, so no parent unit address */
    uint32_t map[16 * 8];
    n = 0;
    for (uint32_t slot = 0; slot < 4; slot++)
        for (uint32_t pin = 1; pin <= 4; pin++) {
            uint32_t intid = b->irq_start + (slot + pin - 1) % b->irq_count;
            uint32_t e[8] = { slot << 11, 0, 0, pin, GUEST_GIC_PHANDLE, 0, intid - 32, 4 };
            for (unsigned i = 0; i < 8; i++)
                map[n++] = e[i];
        }
    TRY(prop_cells(fdt, "interrupt-map", map, n));
    if (b->flags & PCI_BRIDGE_GRANTS) {
        /* Linux's grant DMA takes a device's backend domid from the
         * iommu-map output for its requester ID (of_map_id): the mask
         * sends every requester ID to entry 0, whose output is the
         * device model's domid. (<0 &grant 0 0x10000>, as in the bridge
         * proposal, would make each device's backend its devfn.) */
        uint32_t iommu_map[4] = { 0, GRANT_DMA_PHANDLE, p->bridge_backend, 1 };
        TRY(prop_cells(fdt, "iommu-map", iommu_map, 4));
        TRY(fdt_property_u32(fdt, "iommu-map-mask", 0));
    }
    TRY(fdt_property_u32(fdt, "phandle", PCI_BRIDGE_PHANDLE));
    return fdt_end_node(fdt);
}

/* Grant-based DMA for the bridge's devices (flag bit 0): what Linux's
 * xen-grant-dma driver binds to. */
static int node_grant_dma(void *fdt)
{
    TRY(fdt_begin_node(fdt, "xen-grant-dma"));
    TRY(fdt_property_string(fdt, "compatible", "xen,grant-dma"));
    TRY(fdt_property_u32(fdt, "#iommu-cells", 1));
    TRY(fdt_property_u32(fdt, "phandle", GRANT_DMA_PHANDLE));
    return fdt_end_node(fdt);
}

static int node_pci_ready(void *fdt)
{
    char name[40];
    uint64_t reg[2] = { PCI_READY_BASE, PCI_READY_SIZE };
    fmt_snprintf(name, sizeof(name), "pci-ready@%llx", (unsigned long long)PCI_READY_BASE);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "xen-arm-minimal,pci-ready"));
    TRY(prop_reg(fdt, reg, 1));
    TRY(fdt_property_u32(fdt, "pci-host", PCI_BRIDGE_PHANDLE));
    return fdt_end_node(fdt);
}

/* <ecam size mem size pref size irq_start irq_count flags>, 2-cell
 * addresses and sizes: the host property's format */
static int prop_bridge(void *fdt, const char *name, const struct pci_bridge *b)
{
    uint32_t c[15];
    split64(&c[0], b->ecam);
    split64(&c[2], b->ecam_size);
    split64(&c[4], b->mem);
    split64(&c[6], b->mem_size);
    split64(&c[8], b->pref);
    split64(&c[10], b->pref_size);
    c[12] = b->irq_start;
    c[13] = b->irq_count;
    c[14] = b->flags;
    return prop_cells(fdt, name, c, 15);
}

/* One virtio device of a client, at its PCI slot: what the device model
 * emulates there and what backs it (a disk module: the pmem region of
 * the module's host pages, by phandle; else a path in its domain). */
static int node_virtio(void *fdt, const struct guest_fdt_params *p, const struct virtio_dev *v)
{
    char name[24];
    fmt_snprintf(name, sizeof(name), "device@%u", v->slot);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_u32(fdt, "reg", v->slot));
    TRY(fdt_property_string(fdt, "compatible", virtio_compatible(v->kind)));
    for (unsigned k = 0; v->disk_size && k < p->nr_pmem; k++)
        if (p->pmem[k].pa == v->disk_pa)
            TRY(fdt_property_u32(fdt, "pmem", GUEST_PMEM_PHANDLE + k));
    if (v->backend_path)
        TRY(fdt_property_string(fdt, "backend-path", v->backend_path));
    if (v->read_only)
        TRY(fdt_property(fdt, "read-only", NULL, 0));
    if (v->serial)
        TRY(fdt_property_string(fdt, "serial", v->serial));
    return fdt_end_node(fdt);
}

/* A disk module's pages as Linux's of_pmem driver sees them: a volatile
 * pmem region (no labels, nothing persistent to keep), /dev/pmemN. */
static int node_pmem(void *fdt, unsigned k, const struct guest_pmem *m)
{
    char name[32];
    uint64_t reg[2] = { m->ipa, m->size };
    fmt_snprintf(name, sizeof(name), "pmem@%llx", (unsigned long long)m->ipa);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "pmem-region"));
    TRY(prop_reg(fdt, reg, 1));
    TRY(fdt_property(fdt, "volatile", NULL, 0));
    TRY(fdt_property_u32(fdt, "phandle", GUEST_PMEM_PHANDLE + k));
    return fdt_end_node(fdt);
}

/* A device model learns here which guests it serves: their domain ids (for
 * dm_op), bridge layouts, RAM (what their queues may point at) and
 * devices. */
static int node_device_model(void *fdt, const struct guest_fdt_params *p)
{
    TRY(fdt_begin_node(fdt, "device-model"));
    TRY(fdt_property_string(fdt, "compatible", "xen-arm-minimal,device-model"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    for (unsigned i = 0; i < p->nr_clients; i++) {
        char name[24];
        fmt_snprintf(name, sizeof(name), "client@%u", p->clients[i].domid);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_u32(fdt, "reg", p->clients[i].domid));
        TRY(fdt_property_string(fdt, "domain-name", p->clients[i].name));
        TRY(prop_bridge(fdt, "bridge", p->clients[i].bridge));
        if (p->clients[i].hold)
            TRY(fdt_property(fdt, "held", NULL, 0));
        if (p->clients[i].nr_banks) {
            uint64_t mem[16];
            unsigned nb = MIN(p->clients[i].nr_banks, 8u);
            for (unsigned b = 0; b < nb; b++) {
                mem[2 * b] = p->clients[i].banks[b].ipa;
                mem[2 * b + 1] = p->clients[i].banks[b].size;
            }
            TRY(prop_pairs(fdt, "memory", mem, nb));
        }
        if (p->clients[i].nr_devs) {
            TRY(fdt_property_u32(fdt, "#address-cells", 1));
            TRY(fdt_property_u32(fdt, "#size-cells", 0));
        }
        for (unsigned d = 0; d < p->clients[i].nr_devs; d++)
            TRY(node_virtio(fdt, p, &p->clients[i].devs[d]));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

/* A partial tree's node and its children, less the properties meant for
 * us; an interrupt-parent naming the partial tree's /gic placeholder
 * (gic_alias) names the guest's GIC. */
static int copy_node(void *fdt, const void *src, int node, const char *name, uint32_t gic_alias)
{
    int prop, child;
    TRY(fdt_begin_node(fdt, name));
    fdt_for_each_property_offset(prop, src, node)
    {
        const char *pname;
        int len;
        const void *val = fdt_getprop_by_offset(src, prop, &pname, &len);
        if (!val)
            return len;
        if (!strcmp(pname, "xen,reg") || !strcmp(pname, "xen,path") || !strcmp(pname, "xen,force-assign-without-iommu"))
            continue;
        if (!strcmp(pname, "interrupt-parent") && len == 4 && gic_alias && fdt32_ld(val) == gic_alias)
            TRY(fdt_property_u32(fdt, pname, GUEST_GIC_PHANDLE));
        else
            TRY(fdt_property(fdt, pname, val, len));
    }
    fdt_for_each_subnode(child, src, node) TRY(copy_node(fdt, src, child, fdt_get_name(src, child, NULL), gic_alias));
    return fdt_end_node(fdt);
}

/* As Xen: /passthrough kept whole (its simple-bus, ranges and cells, so
 * paths, /aliases and phandles in the partial tree stay valid), /aliases
 * merged, the /gic placeholder replaced by the guest's GIC. */
static int node_partial(void *fdt, const void *src)
{
    int gic = fdt_subnode_offset(src, 0, "gic");
    uint32_t gic_alias = gic >= 0 ? fdt_get_phandle(src, gic) : 0;
    int pt = fdt_subnode_offset(src, 0, "passthrough");
    if (pt >= 0)
        TRY(copy_node(fdt, src, pt, "passthrough", gic_alias));
    int aliases = fdt_subnode_offset(src, 0, "aliases");
    return aliases >= 0 ? copy_node(fdt, src, aliases, "aliases", gic_alias) : 0;
}

int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p)
{
    void *fdt = buf;
    TRY(fdt_create(fdt, (int)size));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_u32(fdt, "#address-cells", 2));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    TRY(fdt_property_u32(fdt, "interrupt-parent", GUEST_GIC_PHANDLE));
    TRY(node_chosen(fdt, p));
    TRY(node_cpus(fdt, p));
    TRY(node_memory(fdt, p));
    if (p->nr_shm)
        TRY(node_reserved_memory(fdt, p));
    TRY(node_gic(fdt, p));
    TRY(node_timer(fdt, p));
    TRY(node_psci(fdt));
    if (p->vpl011)
        TRY(node_vpl011(fdt, p));
    if (p->hypervisor)
        TRY(node_hypervisor(fdt, p));
    if (p->bridge) {
        TRY(node_pcie(fdt, p));
        if (p->bridge->flags & PCI_BRIDGE_GRANTS)
            TRY(node_grant_dma(fdt));
        TRY(node_pci_ready(fdt));
    }
    if (p->nr_clients)
        TRY(node_device_model(fdt, p));
    for (unsigned k = 0; k < p->nr_pmem; k++)
        TRY(node_pmem(fdt, k, &p->pmem[k]));
    if (p->partial)
        TRY(node_partial(fdt, p->partial));
    TRY(fdt_end_node(fdt));
    return fdt_finish(fdt);
}
