/* The device trees the builder writes for guests: each decompiles without
 * a single dtc warning and matches its reviewed golden DTS. A change to
 * guest_fdt.c that alters a tree must update tests/unit/golden/ with it,
 * which makes the change visible in review. */
#include "unit.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/guest_fdt.h>

static const char *outdir;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    return strdup(buf);
}

static void check_against_golden(const void *fdt, const char *name)
{
    char dtb[512], dts[512], warn[512], cmd[2048], golden[512];
    snprintf(dtb, sizeof(dtb), "%s/%s.dtb", outdir, name);
    snprintf(dts, sizeof(dts), "%s/%s.dts", outdir, name);
    snprintf(warn, sizeof(warn), "%s/%s.warnings", outdir, name);
    snprintf(golden, sizeof(golden), "tests/unit/golden/%s.dts", name);
    FILE *f = fopen(dtb, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(fdt, 1, fdt_totalsize(fdt), f), fdt_totalsize(fdt));
    fclose(f);
    snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>%s", dts, dtb, warn);
    assert_int_equal(system(cmd), 0);
    char *w = slurp(warn);
    assert_non_null(w);
    /* The one warning we accept: Linux finds the hypervisor node by its
     * exact name "hypervisor" (arch/arm/xen/enlighten.c), so it cannot
     * carry the unit address dtc asks for. */
    char other[4096] = "";
    for (char *line = strtok(w, "\n"); line; line = strtok(NULL, "\n"))
        if (!strstr(line, "Warning (unit_address_vs_reg): /hypervisor: node has a reg or ranges property"))
            snprintf(other + strlen(other), sizeof(other) - strlen(other), "%s\n", line);
    if (other[0])
        fail_msg("dtc warns about the %s tree:\n%s", name, other);
    char *got = slurp(dts), *want = slurp(golden);
    assert_non_null(got);
    if (!want)
        fail_msg("no golden file %s (review %s, then copy it there)", golden, dts);
    if (strcmp(got, want) != 0)
        fail_msg("%s differs from %s (diff them; update the golden file if the change is meant)", dts, golden);
    free(w);
    free(got);
    free(want);
}

static void linux_on_gicv3(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct guest_fdt_params p = {
        .nr_vcpus = 2,
        .nr_banks = 1,
        .banks = { { 0x40000000, 0x10000000 } },
        .gic_version = 3,
        .vpl011 = true,
        .bootargs = "console=ttyAMA0 root=/dev/ram",
        .initrd_start = 0x48200000,
        .initrd_end = 0x482f0cba,
        .cpu_compatible = "arm,cortex-a57",
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    assert_int_equal(fdt_check_full(buf, fdt_totalsize(buf)), 0);
    /* what Linux relies on, beyond the golden text */
    int gic = fdt_node_offset_by_phandle(buf, GUEST_GIC_PHANDLE);
    assert_true(gic >= 0);
    assert_string_equal(fdt_getprop(buf, gic, "compatible", NULL), "arm,gic-v3");
    assert_non_null(fdt_getprop(buf, fdt_path_offset(buf, "/sbsa-uart@22000000"), "current-speed", NULL));
    check_against_golden(buf, "guest-gicv3-linux");
}

static void two_banks_on_gicv2_no_console(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct guest_fdt_params p = {
        .nr_vcpus = 1,
        .nr_banks = 2,
        .banks = { { 0x40000000, 0xc0000000 }, { 0x200000000, 0x40000000 } },
        .gic_version = 2,
        .vpl011 = false,
        .bootargs = NULL,
        .cpu_compatible = NULL,
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    assert_true(fdt_path_offset(buf, "/sbsa-uart@22000000") < 0);
    assert_null(fdt_getprop(buf, fdt_path_offset(buf, "/chosen"), "stdout-path", NULL));
    check_against_golden(buf, "guest-gicv2-bare");
}

/* xen,enhanced with a bridge (grants flag on): the hypervisor node, the
 * ECAM host bridge with its swizzled interrupt-map, the grant-dma node and
 * the readiness register; plus the bridge's device model's own view. */
static void enhanced_with_bridge(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct pci_bridge b;
    pci_bridge_default(&b);
    b.flags = PCI_BRIDGE_GRANTS;
    b.irq_count = 3; /* the swizzle wraps over 3 lines */
    struct guest_fdt_params p = {
        .nr_vcpus = 1,
        .nr_banks = 1,
        .banks = { { 0x40000000, 0x8000000 } },
        .gic_version = 3,
        .vpl011 = true,
        .bootargs = "console=ttyAMA0",
        .hypervisor = true,
        .nr_ext = 2,
        .ext = { { 0x48000000, 0xb8000000 }, { 0x200000000, 0x7e00000000 } },
        .bridge = &b,
        .bridge_backend = 3,
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    int hv = fdt_path_offset(buf, "/hypervisor");
    assert_true(hv >= 0);
    int len;
    const fdt32_t *map = fdt_getprop(buf, fdt_path_offset(buf, "/pcie@33000000"), "interrupt-map", &len);
    assert_int_equal(len, 16 * 8 * 4);
    /* slot 1, INTB: (1 + 2 - 1) % 3 = 2 -> SPI 44 + 2 - 32 */
    assert_int_equal(fdt32_ld(&map[(1 * 4 + 1) * 8 + 6]), 14);
    assert_int_equal(fdt_node_offset_by_phandle(buf, PCI_BRIDGE_PHANDLE), fdt_path_offset(buf, "/pcie@33000000"));
    /* grants: every requester ID (masked to 0) to the device model's
     * domid, which Linux takes as each device's backend */
    const fdt32_t *im = fdt_getprop(buf, fdt_path_offset(buf, "/pcie@33000000"), "iommu-map", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_ld(&im[2]), 3);
    assert_int_equal(fdt32_ld(&im[3]), 1);
    const fdt32_t *mask = fdt_getprop(buf, fdt_path_offset(buf, "/pcie@33000000"), "iommu-map-mask", &len);
    assert_int_equal(len, 4);
    assert_int_equal(fdt32_ld(mask), 0);
    check_against_golden(buf, "guest-enhanced-bridge");

    struct guest_fdt_params dm = {
        .nr_vcpus = 1,
        .nr_banks = 1,
        .banks = { { 0x40000000, 0x2000000 } },
        .gic_version = 2,
        .nr_clients = 2,
        .clients = { { 2, "guest", &b, false }, { 3, "held-guest", &b, true } },
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &dm), 0);
    check_against_golden(buf, "guest-device-model");
}

/* A device model whose client has virtio devices: the client's RAM, one
 * node per device at its slot, a module-backed disk's pmem region at the
 * root (what Linux's of_pmem binds), named from the device by phandle. */
static void device_model_with_virtio(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct pci_bridge b;
    pci_bridge_default(&b);
    static const struct desc_bank banks[2] = { { 0x40000000, 0xc0000000, 0 }, { 0x200000000ULL, 0x40000000, 0 } };
    static const struct virtio_dev devs[3] = {
        { .slot = 0,
          .kind = VIRTIO_BLK,
          .disk_pa = 0x60000000,
          .disk_size = 0x4000000,
          .read_only = true,
          .serial = "disk0" },
        { .slot = 1, .kind = VIRTIO_BLK, .backend_path = "/dev/sda" },
        { .slot = 5, .kind = VIRTIO_RNG },
    };
    struct guest_fdt_params dm = {
        .nr_vcpus = 1,
        .nr_banks = 1,
        .banks = { { 0x40000000, 0x2000000 } },
        .gic_version = 3,
        .nr_clients = 2,
        .clients = { { 2, "guest", &b, true, banks, 2, devs, 3 }, { 3, "no-devices", &b, false, banks, 1, NULL, 0 } },
        .nr_pmem = 1,
        .pmem = { { GUEST_PMEM_BASE, 0x60000000, 0x4000000, true } },
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &dm), 0);
    int dev = fdt_path_offset(buf, "/device-model/client@2/device@0");
    assert_true(dev >= 0);
    const fdt32_t *ph = fdt_getprop(buf, dev, "pmem", NULL);
    assert_non_null(ph);
    assert_int_equal(fdt_node_offset_by_phandle(buf, fdt32_ld(ph)), fdt_path_offset(buf, "/pmem@100000000"));
    check_against_golden(buf, "guest-device-model-virtio");
}

/* Static shared memory, as Xen writes it (make_resv_memory_node): the
 * layout of Xen CI's static-shared-mem case plus a second region. */
static void static_shared_memory(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct guest_fdt_params p = {
        .nr_vcpus = 1,
        .nr_banks = 1,
        .banks = { { 0x40000000, 0x8000000 } },
        .gic_version = 3,
        .vpl011 = true,
        .bootargs = "console=ttyAMA0",
        .nr_shm = 2,
        .shm = { { 0x4000000, 0x10000000, "my-shared-mem-0" }, { 0x20000000, 0x100000, "heap" } },
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    assert_int_equal(fdt_check_full(buf, fdt_totalsize(buf)), 0);
    int n = fdt_path_offset(buf, "/reserved-memory/xen-shmem@4000000");
    assert_true(n >= 0);
    assert_string_equal(fdt_getprop(buf, n, "xen,id", NULL), "my-shared-mem-0");
    check_against_golden(buf, "guest-static-shm");
}

static void too_small_a_buffer(void **state)
{
    (void)state;
    static char buf[256];
    struct guest_fdt_params p = {
        .nr_vcpus = 8, .nr_banks = 1, .banks = { { 0x40000000, 0x1000000 } }, .gic_version = 3, .vpl011 = true
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), -FDT_ERR_NOSPACE);
}

/* 128 vCPUs (Xen's limit): cpu nodes named and numbered by their MPIDR
 * affinity as Xen's (cpu@f, then cpu@100 for vCPU 16), the
 * redistributor region one frame per vCPU, and it fits GUEST_FDT_MAX */
static void many_vcpus(void **state)
{
    (void)state;
    static char buf[GUEST_FDT_MAX];
    struct guest_fdt_params p = {
        .nr_vcpus = 128, .nr_banks = 1, .banks = { { 0x40000000, 0x1000000 } }, .gic_version = 3, .vpl011 = true
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    static const struct {
        const char *path;
        uint32_t reg;
    } cpu[] = { { "/cpus/cpu@0", 0 }, { "/cpus/cpu@f", 0xf }, { "/cpus/cpu@100", 0x100 }, { "/cpus/cpu@70f", 0x70f } };
    for (unsigned i = 0; i < sizeof(cpu) / sizeof(cpu[0]); i++) {
        int n = fdt_path_offset(buf, cpu[i].path), len;
        if (n < 0)
            fail_msg("no %s", cpu[i].path);
        const fdt32_t *reg = fdt_getprop(buf, n, "reg", &len);
        assert_non_null(reg);
        assert_int_equal(len, 4);
        assert_int_equal(fdt32_ld(reg), cpu[i].reg);
    }
    assert_true(fdt_path_offset(buf, "/cpus/cpu@10") < 0);
    int gic = fdt_path_offset(buf, "/interrupt-controller@3001000"), len;
    const fdt64_t *reg = fdt_getprop(buf, gic, "reg", &len);
    assert_int_equal(len, 32);
    assert_int_equal(fdt64_ld(&reg[3]), 128 * 0x20000);
}

int main(int argc, char **argv)
{
    outdir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = { T(linux_on_gicv3),
                                        T(two_banks_on_gicv2_no_console),
                                        T(enhanced_with_bridge),
                                        T(device_model_with_virtio),
                                        T(static_shared_memory),
                                        T(too_small_a_buffer),
                                        T(many_vcpus) };
    return cmocka_run_group_tests_name("guest_fdt", tests, NULL, NULL);
}
