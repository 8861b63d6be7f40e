/* One small function per node, with libfdt's sequential-write API. */
#include <libfdt.h>
#include <xam/fmt.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t be[16];
    for (unsigned i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, be, (int)(n * sizeof(be[0])));
}

/* reg entries of 2 + 2 cells */
static int prop_reg(void *fdt, const uint64_t *pairs, unsigned n)
{
    uint32_t cells[16];
    for (unsigned i = 0; i < n * 2; i++) {
        cells[2 * i] = (uint32_t)(pairs[i] >> 32);
        cells[2 * i + 1] = (uint32_t)pairs[i];
    }
    return prop_cells(fdt, "reg", cells, n * 4);
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
        fmt_snprintf(path, sizeof(path), "/sbsa-uart@%llx", (unsigned long long)VPL011_BASE);
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
        char name[16];
        fmt_snprintf(name, sizeof(name), "cpu@%u", i);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_string(fdt, "compatible", compat));
        TRY(fdt_property_u32(fdt, "reg", i)); /* MPIDR: Aff0 = vCPU index */
        TRY(fdt_property_string(fdt, "enable-method", "psci"));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

static int node_memory(void *fdt, const struct guest_fdt_params *p)
{
    char name[32];
    uint64_t pairs[4];
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
    char name[40];
    fmt_snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)VGIC_DIST_BASE);
    TRY(fdt_begin_node(fdt, name));
    if (p->gic_version == 3) {
        uint64_t reg[4] = { VGIC_DIST_BASE, VGIC_DIST_SIZE, VGIC_RDIST_BASE, VGIC_RDIST_STRIDE * p->nr_vcpus };
        TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
        TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
        TRY(prop_reg(fdt, reg, 2));
    } else {
        uint64_t reg[4] = { VGIC_DIST_BASE, VGIC_V2_DIST_SIZE, VGIC_V2_CPU_BASE, VGIC_V2_CPU_SIZE };
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
     * high; GICv2 specifiers also carry the CPU mask. */
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

static int node_vpl011(void *fdt)
{
    char name[40];
    uint64_t reg[2] = { VPL011_BASE, VPL011_SIZE };
    uint32_t irq[3] = { 0, VPL011_SPI - 32, 4 };
    fmt_snprintf(name, sizeof(name), "sbsa-uart@%llx", (unsigned long long)VPL011_BASE);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "arm,sbsa-uart"));
    TRY(prop_reg(fdt, reg, 1));
    TRY(prop_cells(fdt, "interrupts", irq, 3));
    TRY(fdt_property_u32(fdt, "current-speed", 115200));
    return fdt_end_node(fdt);
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
    TRY(node_gic(fdt, p));
    TRY(node_timer(fdt, p));
    TRY(node_psci(fdt));
    if (p->vpl011)
        TRY(node_vpl011(fdt));
    TRY(fdt_end_node(fdt));
    return fdt_finish(fdt);
}
