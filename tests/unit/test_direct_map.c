/* direct-map as Xen gives it (builder/domain_desc.c): the guest's RAM at
 * its host addresses, and so, as Xen does, its GIC and vPL011 at the host
 * GIC's and console UART's addresses, with the UART's interrupt, where
 * host RAM never is. What the guest map still puts at fixed addresses is
 * refused by name when the RAM would cover it, and only if the domain
 * has it. */
#include "domain_fixture.h"
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>

static char gbuf[GUEST_FDT_MAX];

/* dom with xen,static-mem <addr size> in 1/1 cells (Xen's example's),
 * memory to match, direct-map and a vPL011 */
static int direct_domain(void *fdt, const char *name, uint64_t addr, uint64_t size, unsigned cpus)
{
    int d = domain_node(fdt, name, 0x50000000);
    fdt_setprop_u64(fdt, d, "memory", size >> 10);
    fdt_setprop_u32(fdt, d, "cpus", cpus);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-address-cells", 1);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-size-cells", 1);
    fdt32_t r[2] = { cpu_to_fdt32((uint32_t)addr), cpu_to_fdt32((uint32_t)size) };
    fdt_setprop(fdt, d, "xen,static-mem", r, sizeof(r));
    fdt_setprop_empty(fdt, d, "direct-map");
    fdt_setprop_empty(fdt, d, "vpl011");
    return d;
}

/* The guest's own tree for dd on a GICv<version> host, in gbuf. */
static void *guest_tree(const struct domain_desc *dd, unsigned version)
{
    struct guest_fdt_params gp;
    domain_desc_fdt_params(dd, version, NULL, &gp);
    assert_int_equal(guest_fdt_build(gbuf, sizeof(gbuf), &gp), 0);
    return gbuf;
}

static void expect_cells(const void *fdt, const char *node, const char *prop, const uint32_t *want, int n)
{
    int off = fdt_path_offset(fdt, node), len;
    if (off < 0)
        fail_msg("the guest tree has no %s", node);
    const fdt32_t *p = fdt_getprop(fdt, off, prop, &len);
    if (!p || len != n * 4)
        fail_msg("%s: %s is %d bytes, expected %d", node, prop, p ? len : -1, n * 4);
    for (int i = 0; i < n; i++)
        if (fdt32_ld(&p[i]) != want[i])
            fail_msg("%s: %s cell %d is 0x%x, expected 0x%x", node, prop, i, fdt32_ld(&p[i]), want[i]);
}

/* QEMU virt, GICv3: distributor 0x8000000, redistributors from 0x80a0000,
 * PL011 0x9000000 with SPI 1 (INTID 33). */
static void host_gicv3_and_uart(void **state)
{
    (void)state;
    void *fdt = host();
    direct_domain(fdt, "g", 0x60000000, 0x4000000, 2);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.banks[0].ipa, 0x60000000);
    assert_int_equal(dd.layout.gicd, 0x8000000);
    assert_int_equal(dd.layout.gicr, 0x80a0000);
    assert_int_equal(dd.layout.uart, 0x9000000);
    assert_int_equal(dd.layout.uart_intid, 33);
    void *g = guest_tree(&dd, 3);
    const uint32_t gic[] = { 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 2 * 0x20000 };
    expect_cells(g, "/interrupt-controller@8000000", "reg", gic, 8);
    const uint32_t uart[] = { 0, 0x9000000, 0, 0x1000 }, irq[] = { 0, 1, 4 };
    expect_cells(g, "/sbsa-uart@9000000", "reg", uart, 4);
    expect_cells(g, "/sbsa-uart@9000000", "interrupts", irq, 3);
    int chosen = fdt_path_offset(g, "/chosen");
    assert_string_equal(fdt_getprop(g, chosen, "stdout-path", NULL), "/sbsa-uart@9000000");
    /* a domain that is not direct-mapped keeps the guest map's */
    fdt = host();
    domain_node(fdt, "plain", 0x50000000);
    fdt_setprop_empty(fdt, path(fdt, "/chosen/plain"), "vpl011");
    if (!describe(fdt, "/chosen/plain", &dd))
        fail_msg("refused: %s", err.msg);
    g = guest_tree(&dd, 3);
    assert_true(fdt_path_offset(g, "/interrupt-controller@3001000") >= 0);
    const uint32_t irq0[] = { 0, 0, 4 };
    expect_cells(g, "/sbsa-uart@22000000", "interrupts", irq0, 3);
}

/* GICv2: the CPU interface at the host's GICC address */
static void host_gicv2(void **state)
{
    (void)state;
    void *fdt = unit_load_dtb(dir, "qemu-v2-smp4.dtb", buf, sizeof(buf));
    direct_domain(fdt, "g", 0x60000000, 0x4000000, 1);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.layout.gicd, 0x8000000);
    assert_int_equal(dd.layout.gicc, 0x8010000);
    void *g = guest_tree(&dd, 2);
    const uint32_t gic[] = { 0, 0x8000000, 0, 0x1000, 0, 0x8010000, 0, 0x2000 };
    expect_cells(g, "/interrupt-controller@8000000", "reg", gic, 8);
}

/* Xen's documented example (docs/misc/arm/passthrough-noiommu.txt): 512
 * MiB at 0x30000000, 2 vCPUs, on a board whose RAM starts below it. The
 * grant-table region (0x38000000) and the magic pages are in that range:
 * without xen,enhanced nothing is there; with it the domain is refused,
 * the range named. */
static void xen_example_low_ram(void **state)
{
    (void)state;
    for (int enhanced = 0; enhanced < 2; enhanced++) {
        void *fdt = host();
        fdt64_t mem[2] = { cpu_to_fdt64(0x10000000), cpu_to_fdt64(0x70000000) };
        fdt_setprop(fdt, path(fdt, "/memory@40000000"), "reg", mem, sizeof(mem));
        int d = direct_domain(fdt, "domU1", 0x30000000, 0x20000000, 2);
        if (enhanced)
            fdt_setprop_string(fdt, d, "xen,enhanced", "enabled");
        struct domain_desc dd;
        bool ok = describe(fdt, "/chosen/domU1", &dd);
        if (!enhanced && !ok)
            fail_msg("refused: %s", err.msg);
        if (enhanced) {
            assert_false(ok);
            assert_string_equal(err.msg,
                                "/chosen/domU1: direct-map: host range 0x30000000-0x4fffffff would cover "
                                "the grant-table region (0x38000000-0x38ffffff) in the guest map");
        }
    }
}

static void refused(void **state)
{
    (void)state;
    /* more vCPUs than the host's first redistributor region holds */
    void *fdt = host();
    fdt64_t gic[4] = { cpu_to_fdt64(0x8000000), cpu_to_fdt64(0x10000), cpu_to_fdt64(0x80a0000), cpu_to_fdt64(0x40000) };
    fdt_setprop(fdt, path(fdt, "/intc@8000000"), "reg", gic, sizeof(gic));
    direct_domain(fdt, "g", 0x60000000, 0x4000000, 3);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: cpus: with direct-map the redistributors are the host's first region "
                   "0x80a0000-0x80dffff, which holds 2 vCPUs");
    /* a host UART smaller than the vPL011's page (Xen refuses it too) */
    fdt = host();
    fdt64_t uart[2] = { cpu_to_fdt64(0x9000000), cpu_to_fdt64(0x100) };
    fdt_setprop(fdt, path(fdt, "/pl011@9000000"), "reg", uart, sizeof(uart));
    direct_domain(fdt, "g", 0x60000000, 0x4000000, 1);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: vpl011: with direct-map the vPL011 takes the host console UART's place, and "
                   "/pl011@9000000 is smaller than 4 KiB");
    /* ... or without an interrupt */
    fdt = host();
    fdt_delprop(fdt, path(fdt, "/pl011@9000000"), "interrupts");
    direct_domain(fdt, "g", 0x60000000, 0x4000000, 1);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: vpl011: with direct-map the vPL011 takes the host console UART's interrupt, and "
                   "/pl011@9000000 has no SPI");
    /* without a vPL011 the UART's place and interrupt do not matter */
    fdt_delprop(fdt, path(fdt, "/chosen/g"), "vpl011");
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("refused: %s", err.msg);
    /* a bridge's INTx on the vPL011's interrupt (the host UART's, 33) */
    fdt = host();
    int d = direct_domain(fdt, "g", 0x60000000, 0x4000000, 1);
    fdt32_t b[15] = { 0,
                      cpu_to_fdt32(0x70000000),
                      0,
                      cpu_to_fdt32(0x100000),
                      0,
                      cpu_to_fdt32(0x71000000),
                      0,
                      cpu_to_fdt32(0x100000),
                      0,
                      0,
                      0,
                      0,
                      cpu_to_fdt32(33),
                      cpu_to_fdt32(1),
                      0 };
    fdt_setprop(fdt, d, "secondary-emulated-pci-host-bridge", b, sizeof(b));
    expect_refused(fdt, "/chosen/g",
                   "secondary-emulated-pci-host-bridge: irq_start/irq_count must name 1 to 4 free SPIs (INTIDs "
                   "32-1019, not the vPL011's 33)");
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_gicv3_and_uart),
        cmocka_unit_test(host_gicv2),
        cmocka_unit_test(xen_example_low_ram),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests_name("direct_map", tests, NULL, NULL);
}
