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
    if (w[0])
        fail_msg("dtc warns about the %s tree:\n%s", name, w);
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
        .nr_vcpus = 2, .nr_banks = 1, .banks = { { 0x40000000, 0x10000000 } },
        .gic_version = 3, .vpl011 = true, .bootargs = "console=ttyAMA0 root=/dev/ram",
        .initrd_start = 0x48200000, .initrd_end = 0x482f0cba, .cpu_compatible = "arm,cortex-a57",
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
        .nr_vcpus = 1, .nr_banks = 2, .banks = { { 0x40000000, 0xc0000000 }, { 0x200000000, 0x40000000 } },
        .gic_version = 2, .vpl011 = false, .bootargs = NULL, .cpu_compatible = NULL,
    };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), 0);
    assert_true(fdt_path_offset(buf, "/sbsa-uart@22000000") < 0);
    assert_null(fdt_getprop(buf, fdt_path_offset(buf, "/chosen"), "stdout-path", NULL));
    check_against_golden(buf, "guest-gicv2-bare");
}

static void too_small_a_buffer(void **state)
{
    (void)state;
    static char buf[256];
    struct guest_fdt_params p = { .nr_vcpus = 8, .nr_banks = 1, .banks = { { 0x40000000, 0x1000000 } },
                                  .gic_version = 3, .vpl011 = true };
    assert_int_equal(guest_fdt_build(buf, sizeof(buf), &p), -FDT_ERR_NOSPACE);
}

int main(int argc, char **argv)
{
    outdir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = { T(linux_on_gicv3), T(two_banks_on_gicv2_no_console), T(too_small_a_buffer) };
    return cmocka_run_group_tests_name("guest_fdt", tests, NULL, NULL);
}
