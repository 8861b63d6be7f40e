/* The builder's checks on one domain node, as a user meets them: each bad
 * configuration is refused with a message naming the node, the property
 * and the reason; good ones give the layout the hypervisor will build. */
#include "domain_fixture.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/guest_map.h>

/* A good 64 MiB, 1-vCPU domain with a kernel at addr and a vPL011 (and
 * this phandle, unless 0); returns its node. */
static int domain(void *fdt, const char *name, uint64_t addr, uint32_t phandle)
{
    int d = domain_node(fdt, name, addr);
    fdt_setprop(fdt, d, "vpl011", NULL, 0);
    if (phandle)
        fdt_setprop_u32(fdt, d, "phandle", phandle);
    return d;
}

static void bridge_cells(void *fdt, int node, const uint64_t v[6], uint32_t irq, uint32_t count, uint32_t flags)
{
    fdt32_t c[15];
    for (int i = 0; i < 6; i++) {
        c[2 * i] = cpu_to_fdt32((uint32_t)(v[i] >> 32));
        c[2 * i + 1] = cpu_to_fdt32((uint32_t)v[i]);
    }
    c[12] = cpu_to_fdt32(irq);
    c[13] = cpu_to_fdt32(count);
    c[14] = cpu_to_fdt32(flags);
    fdt_setprop(fdt, node, "secondary-emulated-pci-host-bridge", c, sizeof(c));
}

static void enhanced_values(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        int len;
        enum desc_enhanced e;
    } ok[] = { { "enabled", 8, ENHANCED_ENABLED },
               { "", 0, ENHANCED_ENABLED },
               { "no-xenstore", 12, ENHANCED_NO_XENSTORE },
               { "legacy", 7, ENHANCED_LEGACY },
               { "disabled", 9, ENHANCED_DISABLED } };
    for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        void *fdt = host();
        int d = domain(fdt, "g", 0x50000000, 0);
        fdt_setprop(fdt, d, "xen,enhanced", ok[i].v, ok[i].len);
        struct domain_desc dd;
        if (!describe(fdt, "/chosen/g", &dd))
            fail_msg("xen,enhanced \"%s\" refused: %s", ok[i].v, err.msg);
        assert_int_equal(dd.enhanced, ok[i].e);
        struct guest_fdt_params gp;
        domain_desc_fdt_params(&dd, 3, NULL, &gp);
        assert_int_equal(gp.hypervisor, ok[i].e != ENHANCED_DISABLED);
    }
    void *fdt = host();
    fdt_setprop_string(fdt, domain(fdt, "g", 0x50000000, 0), "xen,enhanced", "yes");
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: xen,enhanced: must be \"enabled\", \"no-xenstore\", \"legacy\" or \"disabled\"");
}

/* 64 MiB of RAM: bank 0's window above it (to 4 GiB) and bank 1's (to
 * the 39-bit IPA top) are the extended regions. */
static void extended_regions(void **state)
{
    (void)state;
    void *fdt = host();
    fdt_setprop_string(fdt, domain(fdt, "g", 0x50000000, 0), "xen,enhanced", "enabled");
    struct domain_desc dd;
    assert_true(describe(fdt, "/chosen/g", &dd));
    struct guest_fdt_params gp;
    domain_desc_fdt_params(&dd, 3, NULL, &gp);
    assert_int_equal(gp.nr_ext, 2);
    assert_int_equal(gp.ext[0].base, 0x44000000);
    assert_int_equal(gp.ext[0].size, 0x100000000ULL - 0x44000000);
    assert_int_equal(gp.ext[1].base, 0x200000000ULL);
    assert_int_equal(gp.ext[1].size, (1ULL << 39) - 0x200000000ULL);
}

static void bridge_default_and_explicit(void **state)
{
    (void)state;
    void *fdt = host();
    domain(fdt, "dm", 0x50000000, 0x100);
    int g = domain(fdt, "g", 0x50200000, 0);
    fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
    fdt_setprop_u32(fdt, g, "device-model", 0x100);
    fdt_setprop(fdt, g, "hold-until-device-model", NULL, 0);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("%s", err.msg);
    assert_true(dd.has_bridge && dd.hold);
    assert_int_equal(dd.device_model, path(fdt, "/chosen/dm"));
    assert_int_equal(dd.bridge.ecam, PCI_BRIDGE_DEF_ECAM);
    assert_true(dd.bridge.mem + dd.bridge.mem_size <= 0x100000000ULL);

    const uint64_t v[6] = { 0x60000000, 0x200000, 0x70000000, 0x1000000, 0x8000000000ULL - 0x10000000, 0x10000000 };
    bridge_cells(fdt, path(fdt, "/chosen/g"), v, 40, 2, 1);
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("%s", err.msg);
    assert_int_equal(dd.bridge.ecam_size, 0x200000);
    assert_int_equal(dd.bridge.pref, 0x8000000000ULL - 0x10000000);
    assert_int_equal(dd.bridge.irq_start, 40);
    assert_int_equal(dd.bridge.flags, PCI_BRIDGE_GRANTS);
}

static void bridge_refused(void **state)
{
    (void)state;
    static const struct {
        uint64_t v[6];
        uint32_t irq, count, flags;
        const char *msg;
    } bad[] = {
        { { 0x40000000, 0x100000, 0x70000000, 0x100000, 0, 0 },
          40,
          1,
          0,
          "the ECAM window 0x40000000-0x400fffff overlaps guest RAM" },
        { { 0x60000000, 0x80000, 0x70000000, 0x100000, 0, 0 }, 40, 1, 0, "the ECAM window must be 1 to 256 MiB" },
        { { 0x60000000, 0x100000, 0xfff00000, 0x200000, 0, 0 },
          40,
          1,
          0,
          "the MEM window must be page-aligned, non-empty and below 4 GiB" },
        { { 0x60000000, 0x100000, 0x21000000, 0x2000000, 0, 0 },
          40,
          1,
          0,
          "the MEM window 0x21000000-0x22ffffff overlaps the vPL011" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0x37800000, 0x800000 },
          40,
          1,
          0,
          "the prefetchable window 0x37800000-0x37ffffff overlaps the PCI readiness register" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0x60000000, 0x100000 },
          40,
          1,
          0,
          "the prefetchable window 0x60000000-0x600fffff overlaps the ECAM window" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0x8000000000ULL, 0x100000 },
          40,
          1,
          0,
          "the prefetchable window ends beyond the guest physical address space (39 bits)" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0, 0 },
          32,
          1,
          0,
          "irq_start/irq_count must name 1 to 4 free SPIs" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0, 0 },
          1018,
          4,
          0,
          "irq_start/irq_count must name 1 to 4 free SPIs" },
        { { 0x60000000, 0x100000, 0x70000000, 0x100000, 0, 0 }, 40, 1, 6, "unknown flags" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *fdt = host();
        domain(fdt, "dm", 0x50000000, 0x100);
        int g = domain(fdt, "g", 0x50200000, 0);
        fdt_setprop_u32(fdt, g, "device-model", 0x100);
        bridge_cells(fdt, g, bad[i].v, bad[i].irq, bad[i].count, bad[i].flags);
        expect_refused(fdt, "/chosen/g", bad[i].msg);
    }
    void *fdt = host();
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50200000, 0), "secondary-emulated-pci-host-bridge", 1);
    expect_refused(fdt, "/chosen/g", "/chosen/g: secondary-emulated-pci-host-bridge: must be empty or <ecam_addr");
}

static void device_model_refused(void **state)
{
    (void)state;
    void *fdt = host();
    int g = domain(fdt, "g", 0x50200000, 0);
    fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
    expect_refused(fdt, "/chosen/g", "/chosen/g: device-model: missing: secondary-emulated-pci-host-bridge needs");
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g"), "device-model", 0x999);
    expect_refused(fdt, "/chosen/g", "/chosen/g: device-model: points to no node");
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g"), "phandle", 0x200);
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g"), "device-model", 0x200);
    expect_refused(fdt, "/chosen/g", "/chosen/g: device-model: points to this domain itself");
    fdt_setprop_u32(fdt, path(fdt, "/cpus/cpu@0"), "phandle", 0x300);
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g"), "device-model", 0x300);
    expect_refused(fdt, "/chosen/g", "/chosen/g: device-model: does not point to a /chosen \"xen,domain\" node");

    fdt = host();
    domain(fdt, "dm", 0x50000000, 0x100);
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50200000, 0), "device-model", 0x100);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: device-model: this domain has no secondary-emulated-pci-host-bridge to serve");
    fdt = host();
    fdt_setprop(fdt, domain(fdt, "g", 0x50200000, 0), "hold-until-device-model", NULL, 0);
    expect_refused(fdt, "/chosen/g", "/chosen/g: hold-until-device-model: this domain has no device-model to wait for");
}

/* Modules: partial overlaps are refused, one file shared by two domains
 * is fine, generic modules take kernel then ramdisk roles. */
static void modules(void **state)
{
    (void)state;
    void *fdt = host();
    domain(fdt, "a", 0x50000000, 0);
    domain(fdt, "b", 0x50080000, 0);
    expect_refused(
        fdt, "/chosen/b",
        "/chosen/b/kernel: reg: module 0x50080000-0x5017ffff overlaps /chosen/a/kernel (0x50000000-0x500fffff)");

    fdt = host();
    domain(fdt, "a", 0x50000000, 0);
    domain(fdt, "b", 0x50000000, 0);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/b", &dd))
        fail_msg("a shared kernel refused: %s", err.msg);

    fdt = host();
    int d = domain(fdt, "g", 0x50000000, 0);
    fdt_del_node(fdt, fdt_subnode_offset(fdt, d, "kernel"));
    d = path(fdt, "/chosen/g");
    const uint64_t at[2] = { 0x52000000, 0x50000000 }; /* fdt_add_subnode puts each first */
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof(name), "module@%llx", (unsigned long long)at[i]);
        int m = fdt_add_subnode(fdt, d, name);
        fdt_setprop_string(fdt, m, "compatible", "multiboot,module");
        fdt64_t reg[2] = { cpu_to_fdt64(at[i]), cpu_to_fdt64(0x100000) };
        fdt_setprop(fdt, m, "reg", reg, sizeof(reg));
        d = path(fdt, "/chosen/g");
    }
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("generic modules refused: %s", err.msg);
    assert_int_equal(dd.kernel->base, 0x50000000);
    assert_non_null(dd.ramdisk);
    assert_int_equal(dd.ramdisk->base, 0x52000000);

    fdt = host();
    d = domain(fdt, "g", 0x50000000, 0);
    int k = fdt_add_subnode(fdt, d, "kernel2");
    fdt_setprop_string(fdt, k, "compatible", "xen,linux-zimage");
    fdt64_t reg[2] = { cpu_to_fdt64(0x52000000), cpu_to_fdt64(0x100000) };
    fdt_setprop(fdt, k, "reg", reg, sizeof(reg));
    expect_refused(fdt, "/chosen/g", "/chosen/g/kernel: compatible: a second kernel module for this domain");
}

/* Image.gz: made with the gzip command from an Image of 200000 bytes. */
static uint8_t gz[1 << 16];
static size_t gz_len;
static const uint8_t *gz_header(const struct hostdt_module *m, void *ctx)
{
    (void)m, (void)ctx;
    return gz;
}
static const void *gz_data(const struct hostdt_module *m, void *ctx)
{
    (void)ctx;
    return m->size <= gz_len ? gz : NULL;
}

static void gzip_kernel(void **state)
{
    (void)state;
    static uint8_t img[200000];
    memset(img, 0, sizeof(img));
    uint64_t image_size = sizeof(img) + 0x8000;
    for (int i = 0; i < 8; i++)
        img[16 + i] = (uint8_t)(image_size >> (8 * i));
    memcpy(img + 56, "ARM\x64", 4);
    for (size_t i = 64; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 7 / 13);
    FILE *f = fopen("build/out/tests/unit/img.bin", "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
    fclose(f);
    FILE *p = popen("gzip -9 -n -c build/out/tests/unit/img.bin", "r");
    assert_non_null(p);
    gz_len = fread(gz, 1, sizeof(gz), p);
    assert_int_equal(pclose(p), 0);
    assert_true(gz_len > 100 && gz_len < sizeof(gz));

    static struct inflate_work w;
    struct builder_env genv = env;
    genv.module_header = gz_header;
    genv.module_data = gz_data;
    genv.inflate_work = &w;
    void *fdt = host();
    int d = domain(fdt, "g", 0x50000000, 0);
    fdt64_t reg[2] = { cpu_to_fdt64(0x50000000), cpu_to_fdt64(gz_len) };
    fdt_setprop(fdt, fdt_subnode_offset(fdt, d, "kernel"), "reg", reg, sizeof(reg));
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    struct domain_desc dd;
    if (!domain_describe(&h, path(fdt, "/chosen/g"), &genv, &dd, &err))
        fail_msg("Image.gz refused: %s", err.msg);
    assert_true(dd.kernel_gzip && !dd.kernel_in_place);
    assert_int_equal(dd.kernel_size, sizeof(img));
    assert_int_equal(dd.image_size, image_size);

    /* a reg that stops short of the member's end: no trailer to trust */
    reg[1] = cpu_to_fdt64(gz_len - 3);
    fdt_setprop(fdt, fdt_subnode_offset(fdt, path(fdt, "/chosen/g"), "kernel"), "reg", reg, sizeof(reg));
    assert_int_equal(hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err), 0);
    assert_false(domain_describe(&h, path(fdt, "/chosen/g"), &genv, &dd, &err));
    if (!strstr(err.msg, "/chosen/g/kernel: reg: the kernel is gzip-compressed, but the size its trailer gives") ||
        !strstr(err.msg, "reg must be the .gz file's exact size"))
        fail_msg("%s", err.msg);
    /* without a way to read it (the fuzzer's case) */
    genv.module_data = NULL;
    reg[1] = cpu_to_fdt64(gz_len);
    fdt_setprop(fdt, fdt_subnode_offset(fdt, path(fdt, "/chosen/g"), "kernel"), "reg", reg, sizeof(reg));
    assert_int_equal(hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err), 0);
    assert_false(domain_describe(&h, path(fdt, "/chosen/g"), &genv, &dd, &err));
    assert_non_null(strstr(err.msg, "gzip-compressed and cannot be read here"));
}

static void conflicts_between_domains(void **state)
{
    (void)state;
    struct domain_desc a = { .name = "first" }, b = { .name = "second" };
    char why[160];
    assert_false(domain_desc_conflict(&a, &b, why, sizeof(why)));
    a.nr_mmio = b.nr_mmio = 1;
    a.mmio[0] = (struct desc_mmio){ 0x9010000, 0x9010000, 0x1000 };
    b.mmio[0] = (struct desc_mmio){ 0x9010000, 0x20000000, 0x1000 };
    assert_true(domain_desc_conflict(&a, &b, why, sizeof(why)));
    assert_string_equal(why, "passthrough: host 0x9010000-0x9010fff (xen,reg) is already first's");
    b.mmio[0].host = 0x9011000;
    assert_false(domain_desc_conflict(&a, &b, why, sizeof(why)));
    a.nr_irqs = b.nr_irqs = 1;
    a.irqs[0] = b.irqs[0] = 34;
    assert_true(domain_desc_conflict(&a, &b, why, sizeof(why)));
    assert_string_equal(why, "passthrough: interrupt SPI 2 is already first's");
    b.irqs[0] = 35;
    a.static_mem = b.static_mem = true;
    a.nr_banks = b.nr_banks = 1;
    a.banks[0] = (struct desc_bank){ 0x40000000, 0x1000000, 0x60000000 };
    b.banks[0] = (struct desc_bank){ 0x40000000, 0x1000000, 0x60800000 };
    assert_true(domain_desc_conflict(&a, &b, why, sizeof(why)));
    assert_string_equal(why, "xen,static-mem: host 0x60800000-0x617fffff is already first's");
    b.banks[0].pa = 0x61000000;
    assert_false(domain_desc_conflict(&a, &b, why, sizeof(why)));
}

/* The checks between domains, as the hypervisor and xam-dryrun run them. */
static char refusals[4][200];
static unsigned nr_refusals, refused_index[4];
static void record(unsigned i, const char *why, void *ctx)
{
    (void)ctx;
    assert_true(nr_refusals < 4);
    refused_index[nr_refusals] = i;
    snprintf(refusals[nr_refusals++], sizeof(refusals[0]), "%s", why);
}

/* Reserved memory cannot be claimed at boot: the dry run passed it, the
 * hypervisor skipped the domain. */
static void static_mem_on_reserved_memory(void **state)
{
    (void)state;
    void *fdt = host();
    fdt_setprop_u32(fdt, path(fdt, "/chosen"), "#address-cells", 2);
    fdt_setprop_u32(fdt, path(fdt, "/chosen"), "#size-cells", 2);
    assert_int_equal(fdt_add_mem_rsv(fdt, 0x62000000, 0x10000), 0);
    domain(fdt, "r", 0x50000000, 0);
    fdt64_t sm[2] = { cpu_to_fdt64(0x60000000), cpu_to_fdt64(0x4000000) }; /* 64 MiB, as domain() asks */
    fdt_setprop(fdt, path(fdt, "/chosen/r"), "xen,static-mem", sm, sizeof(sm));
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    static struct domain_desc dd;
    assert_false(domain_describe(&h, path(fdt, "/chosen/r"), &env, &dd, &err));
    assert_string_equal(err.msg,
                        "/chosen/r: xen,static-mem: 0x60000000-0x63ffffff overlaps reserved memory "
                        "(/memreserve/ or /reserved-memory)");
}

/* Xen's own cell counts for xen,static-mem (4.16), as Xen's ImageBuilder
 * writes them: they win over /chosen's (here 2/1, QEMU's defaults). */
static void static_mem_xen_cells(void **state)
{
    (void)state;
    void *fdt = host();
    int d = domain(fdt, "s", 0x50000000, 0);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-address-cells", 1);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-size-cells", 2);
    fdt32_t sm[3] = { cpu_to_fdt32(0x60000000), 0, cpu_to_fdt32(0x4000000) };
    fdt_setprop(fdt, d, "xen,static-mem", sm, sizeof(sm));
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/s", &dd))
        fail_msg("%s", err.msg);
    assert_true(dd.static_mem);
    assert_int_equal(dd.banks[0].pa, 0x60000000);
    assert_int_equal(dd.banks[0].size, 0x4000000);
    fdt = host();
    d = domain(fdt, "s", 0x50000000, 0);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-address-cells", 3);
    fdt_setprop(fdt, d, "xen,static-mem", sm, sizeof(sm));
    expect_refused(
        fdt, "/chosen/s",
        "/chosen/s: xen,static-mem: must be <host-addr size>... in #xen,static-mem-address-cells/-size-cells "
        "(1 or 2 each; without them, /chosen's #address-cells/#size-cells)");
}

/* 1.5 MB of bootargs passed the dry run and failed at boot ("internal
 * limit"): the describe phase, shared by both, refuses them. */
static void bootargs_too_long(void **state)
{
    (void)state;
    void *fdt = host();
    domain(fdt, "long", 0x50000000, 0);
    static char args[DESC_MAX_BOOTARGS + 2];
    memset(args, 'x', sizeof(args) - 1);
    args[sizeof(args) - 1] = '\0';
    int k = fdt_subnode_offset(fdt, path(fdt, "/chosen/long"), "kernel");
    assert_true(k >= 0);
    assert_int_equal(fdt_setprop_string(fdt, k, "bootargs", args), 0);
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    static struct domain_desc dd;
    assert_false(domain_describe(&h, path(fdt, "/chosen/long"), &env, &dd, &err));
    assert_string_equal(err.msg,
                        "/chosen/long/kernel: bootargs: 4097 characters, more than the 4096 a guest's "
                        "device tree has room for");
    args[sizeof(args) - 2] = '\0'; /* 4096: fine */
    assert_int_equal(
        fdt_setprop_string(fdt, fdt_subnode_offset(fdt, path(fdt, "/chosen/long"), "kernel"), "bootargs", args), 0);
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    if (!domain_describe(&h, path(fdt, "/chosen/long"), &env, &dd, &err))
        fail_msg("%s", err.msg);
}

/* Two domains whose names agree in the first 31 characters would print
 * the same "(name)" console prefix. */
/* Xen's max_grant_frames / max_maptrack_frames: read into the
 * description (0 when absent), refused outside 1-4096 or not one cell. */
static void grant_limits(void **state)
{
    (void)state;
    void *fdt = host();
    domain(fdt, "g", 0x50000000, 0);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("%s", err.msg);
    assert_int_equal(dd.max_grant_frames, 0);
    assert_int_equal(dd.max_maptrack_frames, 0);

    static const uint32_t ok[][2] = { { 1, 1 }, { 32, 2048 }, { 4096, 4096 } };
    for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        fdt = host();
        int d = domain(fdt, "g", 0x50000000, 0);
        fdt_setprop_u32(fdt, d, "max_grant_frames", ok[i][0]);
        fdt_setprop_u32(fdt, d, "max_maptrack_frames", ok[i][1]);
        if (!describe(fdt, "/chosen/g", &dd))
            fail_msg("%u/%u refused: %s", ok[i][0], ok[i][1], err.msg);
        assert_int_equal(dd.max_grant_frames, ok[i][0]);
        assert_int_equal(dd.max_maptrack_frames, ok[i][1]);
    }

    static const struct {
        const char *prop;
        uint32_t v;
        const char *msg;
    } bad[] = {
        { "max_grant_frames", 0,
          "/chosen/g: max_grant_frames: 0: must be 1 to 4096 (the 16 MiB grant-table region the guest is given "
          "holds 4096 frames)" },
        { "max_grant_frames", 4097, "/chosen/g: max_grant_frames: 4097: must be 1 to 4096" },
        { "max_grant_frames", 0xffffffff, "/chosen/g: max_grant_frames: 4294967295: must be 1 to 4096" },
        { "max_maptrack_frames", 0,
          "/chosen/g: max_maptrack_frames: 0: must be 1 to 4096 (256 grant mappings each; leave it out for Xen's "
          "default, 1024)" },
        { "max_maptrack_frames", 4097, "/chosen/g: max_maptrack_frames: 4097: must be 1 to 4096" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fdt = host();
        fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), bad[i].prop, bad[i].v);
        expect_refused(fdt, "/chosen/g", bad[i].msg);
    }
    fdt = host();
    fdt_setprop_u64(fdt, domain(fdt, "g", 0x50000000, 0), "max_grant_frames", 64);
    expect_refused(fdt, "/chosen/g", "/chosen/g: max_grant_frames: must be one cell (a 32-bit number of frames)");
}

/* Xen's bindings not implemented here, or not with every value: the
 * values that mean what this hypervisor does are accepted, the others
 * refused by name, with the Xen release and what to do. */
/* Xen's sve (4.18): the vector length in bits, 0 off, empty or negative
 * the machine's longest; a multiple of 128 up to 2048, and no longer
 * than every CPU gives (the fixture's machine: 512 bits; none; and the
 * dry run's, which does not know) */
static void sve_binding(void **state)
{
    (void)state;
    static const struct {
        int len;
        uint32_t v;
        unsigned max; /* the machine's longest */
        unsigned bits; /* the domain's */
        const char *msg; /* NULL: accepted */
    } c[] = {
        { 4, 0, 512, 0, NULL },
        { 4, 128, 512, 128, NULL },
        { 4, 256, 512, 256, NULL },
        { 4, 384, 512, 384, NULL },
        { 4, 512, 512, 512, NULL },
        { 0, 0, 512, 512, NULL },
        { 4, 0xffffffff, 512, 512, NULL },
        { 4, 0x80000000, 512, 512, NULL },
        { 4, 0xffffff80, 0, 0, NULL }, /* no SVE: off, as Xen */
        { 0, 0, 0, 0, NULL },
        { 4, 0, 0, 0, NULL },
        { 4, 2048, DESC_SVE_UNKNOWN, 2048, NULL },
        { 4, 0xffffffff, DESC_SVE_UNKNOWN, DESC_SVE_HOST_MAX, NULL },
        { 4, 1024, 512, 0,
          "/chosen/g: sve: 1024-bit vectors asked, but 512 bits is the longest SVE vector length all CPUs give" },
        { 4, 128, 0, 0, "/chosen/g: sve: 128-bit vectors asked, but SVE is not on every CPU of this machine" },
        { 4, 200, 512, 0,
          "/chosen/g: sve: 200 bits is no SVE vector length: a multiple of 128 up to 2048, 0 (no SVE) or a "
          "negative number (the longest the machine gives)" },
        { 4, 2176, DESC_SVE_UNKNOWN, 0, "/chosen/g: sve: 2176 bits is no SVE vector length" },
        { 4, 0x7fffff80, DESC_SVE_UNKNOWN, 0, "/chosen/g: sve: 2147483520 bits is no SVE vector length" },
        { 8, 256, 512, 0, "/chosen/g: sve: must be empty or one cell: a vector length in bits" },
        { 2, 256, 512, 0, "/chosen/g: sve: must be empty or one cell" },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        void *fdt = host();
        uint32_t cells[2] = { cpu_to_fdt32(c[i].v), 0 };
        fdt_setprop(fdt, domain(fdt, "g", 0x50000000, 0), "sve", cells, c[i].len);
        if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
            fail_msg("host tree refused: %s", err.msg);
        struct builder_env e = env;
        e.sve_max_bits = c[i].max;
        struct domain_desc dd;
        bool ok = domain_describe(&h, path(fdt, "/chosen/g"), &e, &dd, &err);
        if (!c[i].msg) {
            if (!ok)
                fail_msg("case %u refused: %s", i, err.msg);
            assert_int_equal(dd.sve_bits, c[i].bits);
        } else if (ok) {
            fail_msg("case %u accepted; expected \"%s\"", i, c[i].msg);
        } else if (!strstr(err.msg, c[i].msg)) {
            fail_msg("case %u: \"%s\" does not say \"%s\"", i, err.msg, c[i].msg);
        }
    }
}

static void xen_bindings_refused_by_name(void **state)
{
    (void)state;
    static const uint8_t u0[] = { 0, 0, 0, 0 }, u1[] = { 0, 0, 0, 1 }, u2[] = { 0, 0, 0, 2 };
    static const struct {
        const char *prop;
        const void *v;
        int len;
        const char *msg; /* NULL: accepted */
    } c[] = {
        { "max_grant_version", u1, 4, NULL },
        { "max_grant_version", u2, 4,
          "/chosen/g: max_grant_version: Xen 4.18's binding, not supported with this value: grant tables version 1 "
          "is the only one here: give 1 or remove it" },
        { "passthrough", "disabled", 9, NULL },
        { "passthrough", "enabled", 8,
          "/chosen/g: passthrough: Xen 4.19's binding, not supported with this value: there is no IOMMU here" },
        { "capabilities", u0, 4, NULL },
        { "capabilities", u1, 4,
          "/chosen/g: capabilities: Xen 4.21's binding, not supported with this value: there is no control, "
          "hardware or xenstore domain here" },
        { "trap-unmapped-accesses", u1, 4, NULL },
        { "trap-unmapped-accesses", u0, 4, NULL },
        { "trap-unmapped-accesses", u2, 4,
          "/chosen/g: trap-unmapped-accesses: must be one cell: 1 (an access to an unmapped address traps, the "
          "default) or 0 (it reads all ones, writes are ignored)" },
        { "trap-unmapped-accesses", "", 0, "/chosen/g: trap-unmapped-accesses: must be one cell" },
        { "xen,sci_type", "none", 5, NULL },
        { "xen,sci_type", "scmi_smc", 9,
          "/chosen/g: xen,sci_type: Xen 4.21's binding, not supported with this value: no SCMI calls" },
        { "xen,domain-p2m-mem-mb", u2, 4,
          "/chosen/g: xen,domain-p2m-mem-mb: Xen 4.17's binding, not supported: not needed here: stage-2 tables "
          "come from the hypervisor's heap as the domain grows; remove it" },
        { "llc-colors", "0-3", 4, "/chosen/g: llc-colors: Xen 4.20's binding, not supported: cache coloring" },
        { "v8r_el1_msa", "mmu", 4, "/chosen/g: v8r_el1_msa: Xen 4.22's binding, not supported: for Armv8-R" },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        void *fdt = host();
        fdt_setprop(fdt, domain(fdt, "g", 0x50000000, 0), c[i].prop, c[i].v, c[i].len);
        struct domain_desc dd;
        if (!c[i].msg) {
            if (!describe(fdt, "/chosen/g", &dd))
                fail_msg("%s (case %u) refused: %s", c[i].prop, i, err.msg);
            /* only trap-unmapped-accesses = <0> changes the domain */
            assert_int_equal(dd.unmapped_reads_ones, c[i].v == u0 && !strcmp(c[i].prop, "trap-unmapped-accesses"));
            continue;
        }
        expect_refused(fdt, "/chosen/g", c[i].msg);
    }
    /* children Xen gives meaning to (static shared memory:
     * test_domain_shm.c; static event channels, done here, are checked
     * by the dry run's case static-evtchn): "xen,evtchn" alone, which
     * Xen's code never binds, and an xen,evtchn-v1 end on a domain
     * without xen,enhanced */
    static const char *const child[][2] = {
        { "xen,evtchn", "/chosen/g/thing: compatible: \"xen,evtchn\" is not what Xen binds" },
        { "xen,evtchn-v1",
          "/chosen/g: xen,enhanced: missing or \"disabled\": /chosen/g/thing is a static event "
          "channel" },
    };
    for (unsigned i = 0; i < sizeof(child) / sizeof(child[0]); i++) {
        void *fdt = host();
        int n = fdt_add_subnode(fdt, domain(fdt, "g", 0x50000000, 0), "thing");
        fdt_setprop_string(fdt, n, "compatible", child[i][0]);
        expect_refused(fdt, "/chosen/g", child[i][1]);
    }
    /* a pool's scheduler */
    void *fdt = host();
    int pool = fdt_add_subnode(fdt, path(fdt, "/chosen"), "pool");
    fdt_setprop_string(fdt, pool, "compatible", "xen,cpupool");
    fdt_setprop_string(fdt, pool, "cpupool-sched", "rtds");
    fdt_setprop_u32(fdt, pool, "phandle", 0x77);
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), "domain-cpupool", 0x77);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: domain-cpupool: its pool /chosen/pool: cpupool-sched \"rtds\" (Xen 4.17's binding) is "
                   "not supported");
}

/* Xen's nr_spis: the vGIC's SPI count, reaching what the domain uses. */
static void nr_spis(void **state)
{
    (void)state;
    void *fdt = host();
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), "nr_spis", 100);
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("%s", err.msg);
    assert_int_equal(dd.nr_spis, 100);
    fdt = host();
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), "nr_spis", 0); /* its vPL011 is SPI 0 */
    expect_refused(fdt, "/chosen/g", "/chosen/g: nr_spis: 0 SPIs (INTIDs up to 31) do not reach INTID 32, its vPL011");
    fdt = host();
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), "nr_spis", 989);
    expect_refused(fdt, "/chosen/g", "/chosen/g: nr_spis: 989: at most 988 (INTIDs 32-1019)");
    fdt = host();
    domain(fdt, "dm", 0x50000000, 0x100);
    int g = domain(fdt, "g", 0x50200000, 0);
    fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
    fdt_setprop_u32(fdt, g, "device-model", 0x100);
    fdt_setprop_u32(fdt, g, "nr_spis", 13); /* INTx 44-47 */
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: nr_spis: 13 SPIs (INTIDs up to 44) do not reach INTID 47, its PCI bridge's INTx");
    fdt = host();
    fdt_setprop_u64(fdt, domain(fdt, "g", 0x50000000, 0), "nr_spis", 64);
    expect_refused(fdt, "/chosen/g", "/chosen/g: nr_spis: must be one cell");
}

static char rejections[4][300];
static unsigned nr_rejections;
static void rejected(int node, const char *msg, void *ctx)
{
    (void)node, (void)ctx;
    assert_true(nr_rejections < 4);
    snprintf(rejections[nr_rejections++], sizeof(rejections[0]), "%s", msg);
}

static int add_pool(void *fdt, const char *name, uint32_t phandle, const char *sched, const char *cpu_a,
                    const char *cpu_b)
{
    int pool = fdt_add_subnode(fdt, path(fdt, "/chosen"), name);
    fdt_setprop_string(fdt, pool, "compatible", "xen,cpupool");
    fdt32_t cpus[2] = { cpu_to_fdt32(fdt_get_phandle(fdt, path(fdt, cpu_a))), 0 };
    unsigned n = 1;
    if (cpu_b)
        cpus[n++] = cpu_to_fdt32(fdt_get_phandle(fdt, path(fdt, cpu_b)));
    fdt_setprop(fdt, pool, "cpupool-cpus", cpus, n * 4);
    if (sched)
        fdt_setprop_string(fdt, pool, "cpupool-sched", sched);
    fdt_setprop_u32(fdt, pool, "phandle", phandle);
    return pool;
}

static unsigned index_named(const struct domain_desc *dd, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(dd[i].name, name))
            return i;
    fail_msg("no domain %s", name);
    return 0;
}

/* Cpupools as Xen has them: a pool's CPUs run only its domains (the
 * others run on Pool-0, the CPUs in no pool); cpupool-sched "null" gives
 * each vCPU a CPU of its own, in /chosen order, and refuses a domain
 * whose vCPU finds none. */
static void cpupools_pool0_and_null(void **state)
{
    (void)state;
    static const struct desc_plan_ops ops = { NULL, rejected, record, NULL };
    void *fdt = host();
    add_pool(fdt, "rt", 0x77, "null", "/cpus/cpu@1", NULL);
    int b = domain(fdt, "rt-b", 0x50400000, 0);
    fdt_setprop_u32(fdt, b, "domain-cpupool", 0x77);
    int a = domain(fdt, "rt-a", 0x50200000, 0);
    fdt_setprop_u32(fdt, a, "domain-cpupool", 0x77);
    domain(fdt, "free", 0x50000000, 0);
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    static struct domain_desc dd[8];
    bool ok[8];
    nr_refusals = nr_rejections = 0;
    unsigned n = domain_descs_plan(&h, &env, dd, ok, 8, &ops, NULL);
    assert_int_equal(n, 3);
    assert_int_equal(nr_rejections, 0);
    unsigned f = index_named(dd, n, "free"), ia = index_named(dd, n, "rt-a"), ib = index_named(dd, n, "rt-b");
    assert_true(ok[f]);
    assert_int_equal(dd[f].allowed[0], 1); /* Pool-0: CPU 0, not the pool's CPU 1 */
    /* the first in /chosen order (fdt_add_subnode puts each new node
     * first: rt-a) takes CPU 1, the other finds none */
    assert_true(ok[ia]);
    assert_true(dd[ia].pool_null);
    assert_int_equal(dd[ia].allowed[0], 2);
    assert_false(ok[ib]);
    assert_int_equal(nr_refusals, 1);
    assert_int_equal(refused_index[0], ib);
    if (!strstr(refusals[0],
                "domain-cpupool: its pool /chosen/rt has cpupool-sched \"null\", and its vCPU 0 finds "
                "no CPU of its own there"))
        fail_msg("%s", refusals[0]);

    /* every CPU in a pool: a domain without one has nowhere to run */
    fdt = host();
    add_pool(fdt, "all", 0x78, NULL, "/cpus/cpu@0", "/cpus/cpu@1");
    domain(fdt, "free", 0x50000000, 0);
    expect_refused(fdt, "/chosen/free",
                   "/chosen/free: domain-cpupool: missing, and every online CPU is in a cpupool (Pool-0, where domains "
                   "without one run, is empty)");
    /* other schedulers are refused by name */
    fdt = host();
    add_pool(fdt, "cr", 0x79, "credit2", "/cpus/cpu@1", NULL);
    fdt_setprop_u32(fdt, domain(fdt, "g", 0x50000000, 0), "domain-cpupool", 0x79);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g: domain-cpupool: its pool /chosen/cr: cpupool-sched \"credit2\" (Xen 4.17's binding) is "
                   "not supported: \"null\" (a CPU of its own for each vCPU) is");
}

/* The guest's cpu nodes take the host's first CPU's compatible: the first
 * child of QEMU's /cpus is cpu-map, which has none. */
static void cpu_compatible_skips_cpu_map(void **state)
{
    (void)state;
    void *fdt = host();
    assert_string_equal(fdt_get_name(fdt, fdt_first_subnode(fdt, path(fdt, "/cpus")), NULL), "cpu-map");
    const char *c = domain_desc_cpu_compatible(fdt);
    assert_non_null(c);
    assert_string_equal(c, fdt_getprop(fdt, path(fdt, "/cpus/cpu@0"), "compatible", NULL));
}

static void names_must_differ(void **state)
{
    (void)state;
    struct domain_desc a = { .name = "a-domain-with-a-very-long-name-one" },
                       b = { .name = "a-domain-with-a-very-long-name-two" }, c = { .name = "a-domain" };
    char why[160];
    assert_true(domain_desc_conflict(&a, &b, why, sizeof(why)));
    assert_string_equal(why,
                        "its name is a-domain-with-a-very-long-name-one's: domain names must differ in their "
                        "first 31 characters");
    assert_false(domain_desc_conflict(&a, &c, why, sizeof(why)));
}

/* Device models serving each other in a loop: nobody could start first. */
static void device_model_loops_refused(void **state)
{
    (void)state;
    static struct domain_desc dd[4] = {
        { .name = "x", .node = 10, .device_model = 11 }, /* x served by y */
        { .name = "y", .node = 11, .device_model = 12 }, /* y served by z */
        { .name = "z", .node = 12, .device_model = 10 }, /* z served by x: a loop */
        { .name = "w", .node = 13, .device_model = 12 }, /* w served by z: left without */
    };
    bool ok[4] = { true, true, true, true };
    nr_refusals = 0;
    domain_descs_orphans(NULL, dd, ok, 3, record, NULL); /* the loop alone first */
    assert_int_equal(nr_refusals, 3);
    assert_string_equal(refusals[0],
                        "device-model: the device models form a loop (x -> y -> z -> x): none of them "
                        "could start serving the others");
    assert_string_equal(refusals[2],
                        "device-model: the device models form a loop (z -> x -> y -> z): none of them "
                        "could start serving the others");
    assert_false(ok[0] || ok[1] || ok[2]);
    assert_true(ok[3]);
}

static void between_domains(void **state)
{
    (void)state;
    void *fdt = host();
    /* /chosen cells 2/2 for xen,static-mem */
    fdt_setprop_u32(fdt, path(fdt, "/chosen"), "#address-cells", 2);
    fdt_setprop_u32(fdt, path(fdt, "/chosen"), "#size-cells", 2);
    /* fdt_add_subnode puts each new node first: add them last to first */
    static const char *const names[] = { "late", "early", "c", "b", "a" };
    for (unsigned k = 0; k < 5; k++)
        domain(fdt, names[k], 0x50000000 + 0x200000 * k, 0x100 + k);
    /* a: a device model that is refused (no memory); b: served by a and
     * serving c; c: served by b */
    fdt_delprop(fdt, path(fdt, "/chosen/a"), "memory");
    for (unsigned k = 0; k < 2; k++) {
        int g = path(fdt, k ? "/chosen/c" : "/chosen/b");
        fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
        fdt_setprop_u32(fdt, g, "device-model", k ? 0x100 + 3 /* b */ : 0x100 + 4 /* a */);
    }
    /* early and late want the same host memory */
    fdt64_t early[2] = { cpu_to_fdt64(0x60000000), cpu_to_fdt64(0x4000000) };
    fdt64_t late[2] = { cpu_to_fdt64(0x62000000), cpu_to_fdt64(0x4000000) };
    fdt_setprop(fdt, path(fdt, "/chosen/early"), "xen,static-mem", early, sizeof(early));
    fdt_setprop(fdt, path(fdt, "/chosen/late"), "xen,static-mem", late, sizeof(late));
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);

    static const char *const order[] = { "/chosen/a", "/chosen/b", "/chosen/c", "/chosen/early", "/chosen/late" };
    static struct domain_desc dd[5];
    bool ok[5];
    for (unsigned i = 0; i < 5; i++)
        ok[i] = domain_describe(&h, path(fdt, order[i]), &env, &dd[i], &err);
    assert_false(ok[0]);
    for (unsigned i = 1; i < 5; i++)
        if (!ok[i])
            fail_msg("%s refused on its own: %s", order[i], err.msg);

    nr_refusals = 0;
    domain_descs_conflicts(dd, ok, 5, record, NULL);
    assert_int_equal(nr_refusals, 1);
    assert_int_equal(refused_index[0], 4);
    assert_string_equal(refusals[0], "xen,static-mem: host 0x62000000-0x65ffffff is already early's");
    domain_descs_orphans(fdt, dd, ok, 5, record, NULL);
    assert_int_equal(nr_refusals, 3);
    assert_int_equal(refused_index[1], 1);
    assert_string_equal(refusals[1], "device-model: /chosen/a is not built, so nothing can serve this domain's bridge");
    assert_int_equal(refused_index[2], 2);
    assert_string_equal(refusals[2], "device-model: /chosen/b is not built, so nothing can serve this domain's bridge");
    assert_true(ok[3] && !ok[1] && !ok[2] && !ok[4]);
    /* nothing left to refuse: a second run changes nothing */
    domain_descs_orphans(fdt, dd, ok, 5, record, NULL);
    assert_int_equal(nr_refusals, 3);
}

/* Virtio devices (ours): a device model "dm" (phandle 0x100) serving "g"
 * through its bridge; each device is a child of g's node. */
static void *virtio_host(void)
{
    void *fdt = host();
    domain(fdt, "dm", 0x50000000, 0x100);
    int g = domain(fdt, "g", 0x50200000, 0);
    fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
    fdt_setprop_u32(fdt, g, "device-model", 0x100);
    return fdt;
}

/* A device under parent (a path): fdt_add_subnode puts each new node
 * first, so tests add them last to first. Returns its path's node. */
static int vdev(void *fdt, const char *parent, const char *name, const char *compat)
{
    int n = fdt_add_subnode(fdt, path(fdt, parent), name);
    assert_true(n >= 0);
    fdt_setprop_string(fdt, n, "compatible", compat);
    return n;
}

static void disk_reg(void *fdt, int node, uint64_t base, uint64_t size)
{
    fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
    fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
}

static void virtio_devices(void **state)
{
    (void)state;
    void *fdt = virtio_host();
    vdev(fdt, "/chosen/g", "console", "xen-arm-minimal,virtio-console");
    int n = vdev(fdt, "/chosen/g", "disk1", "xen-arm-minimal,virtio-blk");
    fdt_setprop_string(fdt, n, "backend-path", "/dev/sda");
    fdt_setprop_u32(fdt, n, "pci-slot", 0);
    vdev(fdt, "/chosen/g", "rng", "xen-arm-minimal,virtio-rng");
    n = vdev(fdt, "/chosen/g", "disk0", "xen-arm-minimal,virtio-blk");
    disk_reg(fdt, n, 0x60000000, 0x100000);
    fdt_setprop(fdt, n, "read-only", NULL, 0);
    fdt_setprop_string(fdt, n, "serial", "disk0");
    struct domain_desc dd[2];
    bool ok[2];
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    /* the disk is a module: reserved like a kernel */
    bool found = false;
    for (unsigned i = 0; i < h.nr_modules; i++)
        found |= h.modules[i].kind == MODULE_DISK && h.modules[i].base == 0x60000000;
    assert_true(found);
    ok[0] = domain_describe(&h, path(fdt, "/chosen/dm"), &env, &dd[0], &err);
    ok[1] = ok[0] && domain_describe(&h, path(fdt, "/chosen/g"), &env, &dd[1], &err);
    if (!ok[1])
        fail_msg("%s", err.msg);
    /* node order from the first free slot, explicit slots kept; sorted */
    assert_int_equal(dd[1].nr_virtio, 4);
    assert_int_equal(dd[1].virtio[0].node, path(fdt, "/chosen/g/disk1"));
    assert_int_equal(dd[1].virtio[1].node, path(fdt, "/chosen/g/disk0"));
    assert_int_equal(dd[1].virtio[2].node, path(fdt, "/chosen/g/rng"));
    assert_int_equal(dd[1].virtio[3].node, path(fdt, "/chosen/g/console"));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(dd[1].virtio[i].slot, i);
    const struct virtio_dev *d0 = &dd[1].virtio[1], *d1 = &dd[1].virtio[0];
    assert_int_equal(d0->kind, VIRTIO_BLK);
    assert_int_equal(d0->disk_pa, 0x60000000);
    assert_int_equal(d0->disk_size, 0x100000);
    assert_true(d0->read_only && !d0->backend_path);
    assert_string_equal(d0->serial, "disk0");
    assert_string_equal(d1->backend_path, "/dev/sda");
    assert_true(!d1->disk_size && !d1->read_only && !d1->serial);
    assert_int_equal(dd[1].virtio[2].kind, VIRTIO_RNG);
    assert_int_equal(dd[1].virtio[3].kind, VIRTIO_CONSOLE);
    assert_int_equal(dd[0].nr_virtio, 0);

    /* the device model's tree: the client's RAM and devices, the disk as
     * a pmem region at the start of the window */
    static char tree[GUEST_FDT_MAX];
    struct guest_fdt_params gp;
    unsigned id[2] = { 1, 2 };
    domain_desc_fdt_params(&dd[0], 3, NULL, &gp);
    domain_desc_add_clients(dd, ok, id, 2, 0, &gp);
    assert_int_equal(gp.nr_pmem, 1);
    assert_int_equal(gp.pmem[0].ipa, GUEST_PMEM_BASE);
    assert_int_equal(gp.pmem[0].pa, 0x60000000);
    assert_int_equal(gp.pmem[0].size, 0x100000);
    assert_true(gp.pmem[0].read_only);
    assert_int_equal(guest_fdt_build(tree, sizeof(tree), &gp), 0);
    int blk = fdt_path_offset(tree, "/device-model/client@2/device@1");
    assert_true(blk >= 0);
    const fdt32_t *ph = fdt_getprop(tree, blk, "pmem", NULL);
    assert_non_null(ph);
    int pm = fdt_node_offset_by_phandle(tree, fdt32_ld(ph));
    assert_int_equal(pm, fdt_path_offset(tree, "/pmem@100000000"));
    assert_true(fdt_getprop(tree, pm, "volatile", NULL) != NULL);
    assert_string_equal(
        fdt_getprop(tree, fdt_path_offset(tree, "/device-model/client@2/device@0"), "backend-path", NULL), "/dev/sda");
    int len;
    const fdt32_t *mem = fdt_getprop(tree, fdt_path_offset(tree, "/device-model/client@2"), "memory", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_ld(&mem[1]), 0x40000000);
    assert_int_equal(fdt32_ld(&mem[3]), 0x4000000);
    /* the guest's own tree has no trace of them (the bridge is all) */
    domain_desc_fdt_params(&dd[1], 3, NULL, &gp);
    domain_desc_add_clients(dd, ok, id, 2, 1, &gp);
    assert_int_equal(gp.nr_pmem + gp.nr_clients, 0);
    assert_int_equal(gp.bridge_backend, id[0]); /* its bridge's iommu-map names dm */
}

static void virtio_refused(void **state)
{
    (void)state;
    void *fdt = host();
    domain(fdt, "g", 0x50200000, 0);
    vdev(fdt, "/chosen/g", "rng", "xen-arm-minimal,virtio-rng");
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/rng: compatible: a virtio device needs the domain's secondary-emulated-pci-host-bridge "
                   "and device-model (nothing would serve it)");

    fdt = virtio_host();
    vdev(fdt, "/chosen/g", "net", "xen-arm-minimal,virtio-net");
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/net: compatible: unknown virtio device (xen-arm-minimal,virtio-blk, -rng and -console "
                   "are known)");

    fdt = virtio_host();
    vdev(fdt, "/chosen/g", "c2", "xen-arm-minimal,virtio-console");
    vdev(fdt, "/chosen/g", "c1", "xen-arm-minimal,virtio-console");
    expect_refused(fdt, "/chosen/g", "/chosen/g/c2: compatible: a second virtio-console (a domain has at most one)");

    fdt = virtio_host();
    for (int i = 32; i >= 0; i--) {
        char name[16];
        snprintf(name, sizeof(name), "rng%d", i);
        vdev(fdt, "/chosen/g", name, "xen-arm-minimal,virtio-rng");
    }
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/rng32: compatible: more than 32 virtio devices (one per PCI slot of bus 0)");

    fdt = virtio_host();
    fdt_setprop_u32(fdt, vdev(fdt, "/chosen/g", "b", "xen-arm-minimal,virtio-rng"), "pci-slot", 3);
    fdt_setprop_u32(fdt, vdev(fdt, "/chosen/g", "a", "xen-arm-minimal,virtio-rng"), "pci-slot", 3);
    expect_refused(fdt, "/chosen/g", "/chosen/g/b: pci-slot: slot 3 is already /chosen/g/a's");
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g/b"), "pci-slot", 32);
    expect_refused(fdt, "/chosen/g", "/chosen/g/b: pci-slot: must be one cell, a PCI slot from 0 to 31");

    fdt = virtio_host();
    int n = vdev(fdt, "/chosen/g", "d", "xen-arm-minimal,virtio-blk");
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: reg: missing: a virtio-blk disk needs reg (a disk image loaded as a boot module) or "
                   "backend-path (a file or block device of the device model's domain)");
    fdt_setprop_string(fdt, n, "backend-path", "/dev/sda");
    disk_reg(fdt, path(fdt, "/chosen/g/d"), 0x60000000, 0x100000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: backend-path: and reg both given: a disk is either a boot module (reg) or a file "
                   "or block device of the device model's domain (backend-path)");
    fdt_delprop(fdt, path(fdt, "/chosen/g/d"), "reg");
    fdt_setprop(fdt, path(fdt, "/chosen/g/d"), "backend-path", "", 0);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: backend-path: must be a non-empty string (a path in the device model's domain)");
    fdt_setprop_string(fdt, path(fdt, "/chosen/g/d"), "backend-path", "/dev/sda");
    fdt_setprop_string(fdt, path(fdt, "/chosen/g/d"), "serial", "123456789012345678901");
    expect_refused(fdt, "/chosen/g", "/chosen/g/d: serial: 21 bytes: at most 20 (virtio-blk's serial field)");
    fdt_setprop_u32(fdt, path(fdt, "/chosen/g/d"), "serial", 7);
    expect_refused(fdt, "/chosen/g", "/chosen/g/d: serial: not a string");
    fdt_setprop_string(fdt, path(fdt, "/chosen/g/d"), "serial", "12345678901234567890");
    struct domain_desc dd;
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("a 20-byte serial refused: %s", err.msg);

    /* disk modules: whole pages, in RAM, one device's alone */
    fdt = virtio_host();
    disk_reg(fdt, vdev(fdt, "/chosen/g", "d", "xen-arm-minimal,virtio-blk"), 0x60000800, 0x100000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: reg: disk module 0x60000800+0x100000: must start and end on 4 KiB page boundaries");
    disk_reg(fdt, path(fdt, "/chosen/g/d"), 0x60000000, 0x100800);
    expect_refused(fdt, "/chosen/g", "/chosen/g/d: reg: disk module 0x60000000+0x100800: must start and end");
    disk_reg(fdt, path(fdt, "/chosen/g/d"), 0x1000000000ULL, 0x100000);
    expect_refused(fdt, "/chosen/g", "/chosen/g/d: reg: module 0x1000000000+0x100000: outside RAM");
    disk_reg(fdt, path(fdt, "/chosen/g/d"), 0x50200000, 0x100000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: reg: disk module 0x50200000-0x502fffff is also used by /chosen/g/kernel: a disk "
                   "module backs one device only");
    disk_reg(fdt, path(fdt, "/chosen/g/d"), 0x60000000, 0x100000);
    disk_reg(fdt, vdev(fdt, "/chosen/g", "e", "xen-arm-minimal,virtio-blk"), 0x60000000, 0x100000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/e: reg: disk module 0x60000000-0x600fffff is also used by /chosen/g/d: a disk module "
                   "backs one device only");
    /* and another domain's: both are refused (a layout mistake) */
    fdt = virtio_host();
    int g2 = domain(fdt, "g2", 0x50400000, 0);
    fdt_setprop(fdt, g2, "secondary-emulated-pci-host-bridge", NULL, 0);
    fdt_setprop_u32(fdt, g2, "device-model", 0x100);
    disk_reg(fdt, vdev(fdt, "/chosen/g2", "d", "xen-arm-minimal,virtio-blk"), 0x60000000, 0x100000);
    disk_reg(fdt, vdev(fdt, "/chosen/g", "d", "xen-arm-minimal,virtio-blk"), 0x60000000, 0x100000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/d: reg: disk module 0x60000000-0x600fffff is also used by /chosen/g2/d");
    expect_refused(fdt, "/chosen/g2",
                   "/chosen/g2/d: reg: disk module 0x60000000-0x600fffff is also used by /chosen/g/d");
}

/* The device model's pmem window is 4 GiB at 4 GiB; each disk starts 1
 * GiB-aligned and clear of what the device model itself has there (here
 * its own bridge's prefetchable window takes the first 3 GiB): g1's disk
 * fits at 7 GiB, g2's does not and g2 is refused (first come, first
 * served), g3 without a module disk is fine. */
static void pmem_window(void **state)
{
    (void)state;
    void *fdt = host();
    static const char *const names[] = { "g3", "g2", "g1", "dm", "dm2" };
    for (unsigned k = 0; k < 5; k++)
        domain(fdt, names[k], 0x50000000 + 0x200000 * k, 0x100 + k);
    const uint64_t v[6] = { 0x60000000, 0x100000, 0x70000000, 0x1000000, 0x100000000ULL, 0xc0000000ULL };
    bridge_cells(fdt, path(fdt, "/chosen/dm"), v, 40, 2, 0);
    fdt_setprop_u32(fdt, path(fdt, "/chosen/dm"), "device-model", 0x104 /* dm2 */);
    for (unsigned k = 0; k < 3; k++) {
        char p[32];
        snprintf(p, sizeof(p), "/chosen/%s", names[k]);
        int g = path(fdt, p);
        fdt_setprop(fdt, g, "secondary-emulated-pci-host-bridge", NULL, 0);
        fdt_setprop_u32(fdt, path(fdt, p), "device-model", 0x103 /* dm */);
        if (k == 0)
            fdt_setprop_string(fdt, vdev(fdt, p, "d", "xen-arm-minimal,virtio-blk"), "backend-path", "/dev/vdb");
        else
            disk_reg(fdt, vdev(fdt, p, "d", "xen-arm-minimal,virtio-blk"), 0x60000000 + 0x200000 * k, 0x100000);
    }
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("%s", err.msg);
    static const char *const order[] = { "/chosen/dm2", "/chosen/dm", "/chosen/g1", "/chosen/g2", "/chosen/g3" };
    static struct domain_desc dd[5];
    bool ok[5];
    for (unsigned i = 0; i < 5; i++)
        if (!(ok[i] = domain_describe(&h, path(fdt, order[i]), &env, &dd[i], &err)))
            fail_msg("%s refused on its own: %s", order[i], err.msg);
    nr_refusals = 0;
    domain_descs_pmem(fdt, dd, ok, 5, record, NULL);
    assert_int_equal(nr_refusals, 1);
    assert_int_equal(refused_index[0], 3);
    assert_string_equal(refusals[0],
                        "/chosen/g2/d: reg: no room for this disk module in its device model dm's pmem "
                        "window (0x100000000-0x1ffffffff: each disk starts 1 GiB-aligned, clear of what "
                        "the device model has there)");
    assert_true(ok[0] && ok[1] && ok[2] && !ok[3] && ok[4]);
    struct guest_fdt_params gp;
    unsigned id[5] = { 1, 2, 3, 0, 4 };
    domain_desc_fdt_params(&dd[1], 3, NULL, &gp);
    domain_desc_add_clients(dd, ok, id, 5, 1, &gp);
    assert_int_equal(gp.nr_clients, 2);
    assert_int_equal(gp.nr_pmem, 1);
    assert_int_equal(gp.pmem[0].ipa, 0x1c0000000ULL);
    assert_int_equal(gp.pmem[0].pa, 0x60400000); /* g1's */
}

/* Xen's vCPU limit, 128, on GICv3; GICv2's 8 CPU interfaces */
static void vcpu_limits(void **state)
{
    (void)state;
    struct domain_desc dd;
    void *fdt = host();
    fdt_setprop_u32(fdt, domain_node(fdt, "g", 0x50000000), "cpus", 128);
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(dd.vcpus, 128);
    fdt = host();
    fdt_setprop_u32(fdt, domain_node(fdt, "g", 0x50000000), "cpus", 129);
    expect_refused(fdt, "/chosen/g", "/chosen/g: cpus: must be 1 to 128");
    fdt = unit_load_dtb(dir, "qemu-v2-smp4.dtb", buf, sizeof(buf));
    fdt_setprop_u32(fdt, domain_node(fdt, "g", 0x50000000), "cpus", 9);
    expect_refused(fdt, "/chosen/g", "/chosen/g: cpus: must be 1 to 8 on a GICv2 host (its GIC has 8 CPU interfaces)");
    fdt = unit_load_dtb(dir, "qemu-v2-smp4.dtb", buf, sizeof(buf));
    fdt_setprop_u32(fdt, domain_node(fdt, "g", 0x50000000), "cpus", 8);
    if (!describe(fdt, "/chosen/g", &dd))
        fail_msg("refused: %s", err.msg);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = { T(enhanced_values),
                                        T(vcpu_limits),
                                        T(extended_regions),
                                        T(bridge_default_and_explicit),
                                        T(bridge_refused),
                                        T(device_model_refused),
                                        T(modules),
                                        T(gzip_kernel),
                                        T(conflicts_between_domains),
                                        T(names_must_differ),
                                        T(bootargs_too_long),
                                        T(grant_limits),
                                        T(xen_bindings_refused_by_name),
                                        T(sve_binding),
                                        T(nr_spis),
                                        T(static_mem_xen_cells),
                                        T(cpu_compatible_skips_cpu_map),
                                        T(cpupools_pool0_and_null),
                                        T(static_mem_on_reserved_memory),
                                        T(device_model_loops_refused),
                                        T(between_domains),
                                        T(virtio_devices),
                                        T(virtio_refused),
                                        T(pmem_window) };
    return cmocka_run_group_tests_name("domain_desc", tests, NULL, NULL);
}
