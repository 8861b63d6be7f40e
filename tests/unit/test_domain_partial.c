/* A domain's partial device tree (builder/domain_partial.c, guest_fdt.c)
 * as Xen's docs/misc/arm/passthrough.txt writes it: /passthrough kept
 * whole in the guest's tree, Xen's /gic placeholder and its phandle, the
 * 2/1 and 1/1 cells of Xen's examples, xen,reg in the parent's cells,
 * xen,path naming the host node whose interrupts they are, rising-edge
 * SPIs above 31; every refusal naming the node and the property; the
 * extended regions clear of passthrough ranges. */
#include "fixture.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xam/domain_desc.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>

static const char *dir;
static struct hostdt h;
static struct hostdt_error err;
static char buf[1 << 20];
static char partial[1 << 16];
static size_t partial_len;

#define PARTIAL_AT 0x50200000ULL

static const uint8_t *image_header(const struct hostdt_module *m, void *ctx)
{
    static uint8_t img[64];
    (void)ctx;
    memset(img, 0, sizeof(img));
    uint64_t size = m->size + 0x10000;
    for (int i = 0; i < 8; i++)
        img[16 + i] = (uint8_t)(size >> (8 * i));
    memcpy(img + 56, "ARM\x64", 4);
    return img;
}

static const void *module_data(const struct hostdt_module *m, void *ctx)
{
    (void)ctx;
    return m->base == PARTIAL_AT ? partial : NULL;
}

static const struct builder_env env = { .nr_cpus = 2,
                                        .cpu_mpidr = { 0, 1 },
                                        .online = 3,
                                        .ipa_bits = 39,
                                        .module_header = image_header,
                                        .module_data = module_data };

static int path(void *fdt, const char *p) { return fdt_path_offset(fdt, p); }

/* QEMU virt's tree (v2: with its GICv2m frame, whose SPIs 48-111 the
 * tree says as the binding allows), and domain "g" with the partial
 * tree dts compiled by dtc as its multiboot,device-tree module. */
static void *host_with(const char *fixture, const char *dts)
{
    void *fdt = unit_load_dtb(dir, fixture, buf, sizeof(buf));
    int v2m = path(fdt, "/intc@8000000/v2m@8020000");
    if (v2m >= 0) {
        fdt_setprop_u32(fdt, v2m, "arm,msi-base-spi", 80);
        fdt_setprop_u32(fdt, v2m, "arm,msi-num-spis", 64);
    }
    int d = fdt_add_subnode(fdt, path(fdt, "/chosen"), "g");
    fdt_setprop_string(fdt, d, "compatible", "xen,domain");
    fdt_setprop_u32(fdt, d, "#address-cells", 2);
    fdt_setprop_u32(fdt, d, "#size-cells", 2);
    fdt_setprop_u64(fdt, d, "memory", 0x10000);
    fdt_setprop_u32(fdt, d, "cpus", 1);
    int k = fdt_add_subnode(fdt, d, "kernel");
    fdt_setprop(fdt, k, "compatible", "multiboot,kernel\0multiboot,module", 34);
    fdt64_t reg[2] = { cpu_to_fdt64(0x50000000), cpu_to_fdt64(0x100000) };
    fdt_setprop(fdt, k, "reg", reg, sizeof(reg));

    char src[] = "/tmp/xam-partial-XXXXXX", cmd[200];
    int fd = mkstemp(src);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
    close(fd);
    snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb %s", src);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    partial_len = fread(partial, 1, sizeof(partial), p);
    assert_int_equal(pclose(p), 0);
    unlink(src);
    assert_true(partial_len > 0 && partial_len < sizeof(partial));

    int m = fdt_add_subnode(fdt, d, "dtb");
    fdt_setprop(fdt, m, "compatible", "multiboot,device-tree\0multiboot,module", 39);
    reg[0] = cpu_to_fdt64(PARTIAL_AT);
    reg[1] = cpu_to_fdt64(partial_len);
    fdt_setprop(fdt, m, "reg", reg, sizeof(reg));
    return fdt;
}

static bool describe(void *fdt, struct domain_desc *dd)
{
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("host tree refused: %s", err.msg);
    return domain_describe(&h, path(fdt, "/chosen/g"), &env, dd, &err);
}

/* The guest's tree for dd. */
static char tree[GUEST_FDT_MAX];
static const void *guest_tree(const struct domain_desc *dd)
{
    struct guest_fdt_params gp;
    domain_desc_fdt_params(dd, 3, NULL, &gp);
    assert_int_equal(guest_fdt_build(tree, sizeof(tree), &gp), 0);
    return tree;
}

/* Xen's Ultrascale example (passthrough.txt) on QEMU's PL031: root and
 * /passthrough 2/1, the /gic placeholder dtc gives phandle 1, a clock
 * referenced by phandle, an alias by label. */
static const char xen_example[] = "/dts-v1/;\n"
                                  "/ {\n"
                                  "    #address-cells = <2>;\n"
                                  "    #size-cells = <1>;\n"
                                  "    aliases { rtc0 = &rtc; };\n"
                                  "    gic: gic {\n"
                                  "        #interrupt-cells = <3>;\n"
                                  "        interrupt-controller;\n"
                                  "    };\n"
                                  "    passthrough {\n"
                                  "        compatible = \"simple-bus\";\n"
                                  "        ranges;\n"
                                  "        #address-cells = <2>;\n"
                                  "        #size-cells = <1>;\n"
                                  "        misc_clk: misc_clk {\n"
                                  "            #clock-cells = <0>;\n"
                                  "            clock-frequency = <0x7735940>;\n"
                                  "            compatible = \"fixed-clock\";\n"
                                  "        };\n"
                                  "        rtc: rtc@9010000 {\n"
                                  "            compatible = \"arm,pl031\", \"arm,primecell\";\n"
                                  "            reg = <0x0 0x9010000 0x1000>;\n"
                                  "            clocks = <&misc_clk>;\n"
                                  "            interrupt-parent = <&gic>;\n"
                                  "            interrupts = <0 2 4>;\n"
                                  "            xen,path = \"/pl031@9010000\";\n"
                                  "            xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>;\n"
                                  "            xen,force-assign-without-iommu;\n"
                                  "        };\n"
                                  "    };\n"
                                  "};\n";

static void xen_example_kept_whole(void **state)
{
    (void)state;
    struct domain_desc dd;
    void *fdt = host_with("qemu-v3-smp1.dtb", xen_example);
    if (!describe(fdt, &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.nr_mmio, 1);
    assert_int_equal(dd.mmio[0].host, 0x9010000);
    assert_int_equal(dd.mmio[0].guest, 0x9010000);
    assert_int_equal(dd.mmio[0].size, 0x1000);
    assert_int_equal(dd.nr_irqs, 1);
    assert_int_equal(dd.irqs[0], 34);
    assert_int_equal(dd.irq_edge, 0);

    const void *g = guest_tree(&dd);
    int pt = fdt_path_offset(g, "/passthrough"), len;
    assert_true(pt >= 0);
    assert_non_null(fdt_getprop(g, pt, "ranges", NULL));
    assert_int_equal(fdt_size_cells(g, pt), 1);
    /* (the length is set by fdt_getprop: read it in a statement of its
     * own, not as a sibling argument, whose order C leaves open) */
    const char *compat = fdt_getprop(g, pt, "compatible", &len);
    assert_non_null(compat);
    assert_int_equal(fdt_stringlist_contains(compat, len, "simple-bus"), 1);
    int rtc = fdt_path_offset(g, "/passthrough/rtc@9010000");
    assert_true(rtc >= 0);
    assert_null(fdt_getprop(g, rtc, "xen,reg", NULL));
    assert_null(fdt_getprop(g, rtc, "xen,path", NULL));
    assert_null(fdt_getprop(g, rtc, "xen,force-assign-without-iommu", NULL));
    /* <&gic> is the guest's GIC now; the placeholder is gone */
    const fdt32_t *ip = fdt_getprop(g, rtc, "interrupt-parent", &len);
    assert_true(ip && len == 4 && fdt32_ld(ip) == GUEST_GIC_PHANDLE);
    assert_true(fdt_path_offset(g, "/gic") < 0);
    assert_true(fdt_path_offset(g, "/rtc@9010000") < 0);
    /* the clock's phandle still names the clock, the alias the device */
    const fdt32_t *clk = fdt_getprop(g, rtc, "clocks", &len);
    assert_true(clk && len == 4);
    assert_int_equal(fdt_node_offset_by_phandle(g, fdt32_ld(clk)), fdt_path_offset(g, "/passthrough/misc_clk"));
    const char *alias = fdt_get_alias(g, "rtc0");
    assert_non_null(alias);
    assert_string_equal(alias, "/passthrough/rtc@9010000");
    assert_int_equal(fdt_path_offset(g, alias), rtc);
}

/* 1/1 cells, the placeholder with Xen's GUEST_PHANDLE_GIC itself, and a
 * rising-edge SPI above 31: SPI 50 of QEMU's GICv2m frame. */
static const char one_cell_edge[] = "/dts-v1/;\n"
                                    "/ {\n"
                                    "    #address-cells = <1>;\n"
                                    "    #size-cells = <1>;\n"
                                    "    gic { #interrupt-cells = <3>; interrupt-controller; phandle = <65000>; };\n"
                                    "    passthrough {\n"
                                    "        compatible = \"simple-bus\";\n"
                                    "        ranges;\n"
                                    "        #address-cells = <1>;\n"
                                    "        #size-cells = <1>;\n"
                                    "        msi@8020000 {\n"
                                    "            compatible = \"test,edge\";\n"
                                    "            reg = <0x8020000 0x1000>;\n"
                                    "            interrupt-parent = <65000>;\n"
                                    "            interrupts = <0 50 1>;\n"
                                    "            xen,path = \"/intc@8000000/v2m@8020000\";\n"
                                    "            xen,reg = <0x8020000 0x1000 0x8020000>;\n"
                                    "        };\n"
                                    "    };\n"
                                    "};\n";

static void one_cell_edge_above_31(void **state)
{
    (void)state;
    struct domain_desc dd;
    void *fdt = host_with("qemu-v2-smp1.dtb", one_cell_edge);
    if (!describe(fdt, &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.nr_mmio, 1);
    assert_int_equal(dd.mmio[0].host, 0x8020000);
    assert_int_equal(dd.mmio[0].size, 0x1000);
    assert_int_equal(dd.nr_irqs, 1);
    assert_int_equal(dd.irqs[0], 82);
    assert_int_equal(dd.irq_edge, 1);
    const void *g = guest_tree(&dd);
    int n = fdt_path_offset(g, "/passthrough/msi@8020000"), len;
    assert_true(n >= 0);
    const fdt32_t *irq = fdt_getprop(g, n, "interrupts", &len);
    assert_true(irq && len == 12 && fdt32_ld(&irq[1]) == 50 && fdt32_ld(&irq[2]) == 1);
    assert_int_equal(fdt_address_cells(g, fdt_path_offset(g, "/passthrough")), 1);
}

/* Each refused partial tree: what to change in xen_example, and what the
 * refusal must say (after "/chosen/g/dtb: reg: partial device tree: "). */
static const struct {
    const char *from, *to, *msg;
} refusals[] = {
    { "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>", "xen,reg = <0x0 0x9010000 0x800 0x0 0x9010000>",
      "/passthrough/rtc@9010000: xen,reg 0x9010000+0x800: must be non-empty, page-aligned" },
    { "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>", "xen,reg = <0x0 0x40000000 0x1000 0x0 0x9010000>",
      "/passthrough/rtc@9010000: xen,reg 0x40000000+0x1000: covers host RAM" },
    { "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>", "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000 0x0>",
      "/passthrough/rtc@9010000: xen,reg must be <host-addr size guest-addr>... in the parent's #address-cells" },
    { "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>;", "", "/passthrough/rtc@9010000: xen,path without xen,reg" },
    { "xen,path = \"/pl031@9010000\";\n            xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>;\n"
      "            xen,force-assign-without-iommu;",
      "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>;", "/passthrough/rtc@9010000: xen,reg without xen,path" },
    { "xen,path = \"/pl031@9010000\";", "xen,path = \"/pl031@9020000\";",
      "/passthrough/rtc@9010000: xen,path names no node of the host tree" },
    { "xen,path = \"/pl031@9010000\";", "",
      "/passthrough/rtc@9010000: interrupts without xen,path: as Xen, a device's interrupts are its host node's" },
    { "interrupts = <0 2 4>;", "interrupts = <0 3 4>;",
      "/passthrough/rtc@9010000: interrupts: SPI 3: the host node /pl031@9010000 (xen,path) has no such level-high "
      "interrupt" },
    { "interrupts = <0 2 4>;", "interrupts = <0 2 1>;",
      "/passthrough/rtc@9010000: interrupts: SPI 2: the host node /pl031@9010000 (xen,path) has no such rising-edge "
      "interrupt" },
    { "interrupts = <0 2 4>;", "interrupts = <0 2 2>;",
      "/passthrough/rtc@9010000: interrupts: SPI 2: only level-high (flags 4) and rising-edge (flags 1) interrupts" },
    { "interrupts = <0 2 4>;", "interrupts = <1 2 4>;",
      "/passthrough/rtc@9010000: interrupts: SPI 2: only SPIs (type 0) can be passed through" },
    { "interrupt-parent = <&gic>;", "interrupt-parent = <&misc_clk>;",
      "/passthrough/rtc@9010000: interrupt-parent must be the guest's GIC" },
    { "interrupts = <0 2 4>;", "interrupts-extended = <&gic 0 2 4>;",
      "/passthrough/rtc@9010000: interrupts-extended: use interrupts" },
    { "#clock-cells = <0>;", "#clock-cells = <0>; phandle = <65001>;",
      "/passthrough/misc_clk: phandle: 65000 and up are the guest's own" },
    { "    aliases {", "    chosen { };\n    aliases {",
      "/chosen: only /passthrough, /aliases and /gic are read (Xen ignores the rest silently)" },
    { "compatible = \"simple-bus\";", "compatible = \"simple-mfd\";",
      "/passthrough: compatible must contain \"simple-bus\"" },
    { "        ranges;\n", "", "/passthrough: ranges, #address-cells and #size-cells are mandatory" },
    { "        #size-cells = <1>;\n        misc_clk", "        #size-cells = <3>;\n        misc_clk",
      "/passthrough/rtc@9010000: xen,reg: the parent's #address-cells and #size-cells must be 1 or 2 each" },
};

static void refused_with_node_and_property(void **state)
{
    (void)state;
    for (unsigned i = 0; i < ARRAY_SIZE(refusals); i++) {
        char dts[4096];
        const char *at = strstr(xen_example, refusals[i].from);
        if (!at)
            fail_msg("case %u: \"%s\" is not in the example", i, refusals[i].from);
        snprintf(dts, sizeof(dts), "%.*s%s%s", (int)(at - xen_example), xen_example, refusals[i].to,
                 at + strlen(refusals[i].from));
        struct domain_desc dd;
        void *fdt = host_with("qemu-v3-smp1.dtb", dts);
        if (describe(fdt, &dd))
            fail_msg("case %u accepted; expected \"%s\"", i, refusals[i].msg);
        char want[400];
        snprintf(want, sizeof(want), "/chosen/g/dtb: reg: partial device tree: %s", refusals[i].msg);
        if (!strstr(err.msg, want))
            fail_msg("case %u: \"%s\" does not say \"%s\"", i, err.msg, want);
    }
}

/* xen,reg alone is MMIO without a host node when
 * xen,force-assign-without-iommu says so, as Xen allows. */
static void force_assign_alone(void **state)
{
    (void)state;
    char dts[4096];
    const char *from = "interrupt-parent = <&gic>;\n            interrupts = <0 2 4>;\n"
                       "            xen,path = \"/pl031@9010000\";\n";
    const char *at = strstr(xen_example, from);
    assert_non_null(at);
    snprintf(dts, sizeof(dts), "%.*s%s", (int)(at - xen_example), xen_example, at + strlen(from));
    struct domain_desc dd;
    if (!describe(host_with("qemu-v3-smp1.dtb", dts), &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.nr_mmio, 1);
    assert_int_equal(dd.nr_irqs, 0);
}

/* The hypervisor node's extended regions never cover a passthrough range
 * placed in the RAM window above the guest's RAM. */
static void extended_regions_leave_it_out(void **state)
{
    (void)state;
    char dts[4096];
    const char *from = "xen,reg = <0x0 0x9010000 0x1000 0x0 0x9010000>";
    const char *at = strstr(xen_example, from);
    snprintf(dts, sizeof(dts), "%.*s%s%s", (int)(at - xen_example), xen_example,
             "xen,reg = <0x0 0x9010000 0x1000 0x3 0x0>", at + strlen(from));
    void *fdt = host_with("qemu-v3-smp1.dtb", dts);
    fdt_setprop_string(fdt, path(fdt, "/chosen/g"), "xen,enhanced", "enabled");
    struct domain_desc dd;
    if (!describe(fdt, &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.mmio[0].guest, 0x300000000ULL);
    struct guest_fdt_params gp;
    domain_desc_fdt_params(&dd, 3, NULL, &gp);
    assert_true(gp.nr_ext >= 1);
    for (unsigned i = 0; i < gp.nr_ext; i++)
        if (gp.ext[i].base < 0x300001000ULL && gp.ext[i].base + gp.ext[i].size > 0x300000000ULL)
            fail_msg("extended region 0x%llx+0x%llx covers the passthrough range", (unsigned long long)gp.ext[i].base,
                     (unsigned long long)gp.ext[i].size);
    /* the larger side is kept: above the range, to the top of the IPA space */
    assert_int_equal(gp.ext[gp.nr_ext - 1].base, 0x300200000ULL);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xen_example_kept_whole),         cmocka_unit_test(one_cell_edge_above_31),
        cmocka_unit_test(refused_with_node_and_property), cmocka_unit_test(force_assign_alone),
        cmocka_unit_test(extended_regions_leave_it_out),
    };
    return cmocka_run_group_tests_name("domain_partial", tests, NULL, NULL);
}
