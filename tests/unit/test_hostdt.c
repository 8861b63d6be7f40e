#include "unit.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/dtutil.h>
#include <xam/errno.h>
#include <xam/hostdt.h>

static const char *dir, *regressions;
static struct hostdt h;
static struct hostdt_error err;
static const struct mrange hv = { 0x40200000, 0x80000 };
static char buf[4 << 20];

/* Load a fixture into buf with room to edit it. */
static void *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    static char raw[2 << 20];
    size_t n = fread(raw, 1, sizeof(raw), f);
    fclose(f);
    assert_true(n > 0);
    assert_int_equal(fdt_open_into(raw, buf, 1 << 20), 0);
    return buf;
}

static int parse(void *fdt)
{
    return hostdt_parse(&h, fdt, fdt_totalsize(fdt), &hv, &err);
}

static void expect_error(void *fdt, const char *needle)
{
    int rc = parse(fdt);
    assert_true(rc < 0);
    if (!strstr(err.msg, needle))
        fail_msg("error \"%s\" does not say \"%s\"", err.msg, needle);
}

static void qemu_gicv2_smp4(void **state)
{
    (void)state;
    assert_int_equal(parse(load("qemu-v2-smp4.dtb")), 0);
    assert_int_equal(h.mem.n, 1);
    assert_int_equal(h.mem.r[0].base, 0x40000000);
    assert_int_equal(h.mem.r[0].size, 0x80000000);
    assert_int_equal(h.gic.version, 2);
    assert_int_equal(h.gic.dist.base, 0x8000000);
    assert_int_equal(h.gic.cpu.base, 0x8010000);
    assert_int_equal(h.gic.hyp.base, 0x8030000);
    assert_int_equal(h.gic.vcpu.base, 0x8040000);
    assert_int_equal(h.gic.maint_intid, 25);
    assert_int_equal(h.timer.sec_phys, 29);
    assert_int_equal(h.timer.phys, 30);
    assert_int_equal(h.timer.virt, 27);
    assert_int_equal(h.timer.hyp_phys, 26);
    assert_string_equal(h.uart.path, "/pl011@9000000");
    assert_int_equal(h.uart.base, 0x9000000);
    assert_int_equal(h.psci, PSCI_CONDUIT_SMC);
    assert_int_equal(h.nr_cpus, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(h.cpu_mpidr[i], i);
    assert_string_equal(h.bootargs, "");
    assert_int_equal(h.nr_modules, 0);
}

static void qemu_gicv3_smp1(void **state)
{
    (void)state;
    assert_int_equal(parse(load("qemu-v3-smp1.dtb")), 0);
    assert_int_equal(h.gic.version, 3);
    assert_int_equal(h.gic.dist.base, 0x8000000);
    assert_int_equal(h.gic.nr_redist, 1);
    assert_int_equal(h.gic.redist[0].base, 0x80a0000);
    assert_int_equal(h.gic.maint_intid, 25);
    assert_int_equal(h.nr_cpus, 1);
}

static void dom0less_fixture(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    assert_int_equal(parse(fdt), 0);
    /* two banks, merged and sorted */
    assert_int_equal(h.mem.n, 2);
    assert_int_equal(h.mem.r[1].base, 0x100000000);
    /* /memreserve/ and /reserved-memory */
    assert_true(mrset_contains(&h.reserved, 0x48000000, 0x10000));
    assert_true(mrset_contains(&h.reserved, 0x7f000000, 0x100000));
    /* the console through the alias, translated through /soc ranges */
    assert_string_equal(h.uart.path, "/soc/uart@9000000");
    assert_int_equal(h.uart.base, 0x9000000);
    assert_string_equal(h.bootargs, "loglvl=all dtuart=serial0");
    assert_int_equal(h.psci, PSCI_CONDUIT_HVC);
    assert_int_equal(h.nr_cpus, 2);
    assert_int_equal(h.cpu_mpidr[1], 0x100);
    /* modules, with their kind and the domain node they belong to */
    assert_int_equal(h.nr_modules, 2);
    int dom = fdt_path_offset(fdt, "/chosen/domU0");
    assert_int_equal(h.modules[0].kind, MODULE_KERNEL);
    assert_int_equal(h.modules[0].base, 0x50000000);
    assert_int_equal(h.modules[0].size, 0x200000);
    assert_int_equal(h.modules[0].parent, dom);
    assert_int_equal(h.modules[1].kind, MODULE_RAMDISK);
}

static void stdout_path_alias_with_options(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    /* without dtuart= the stdout-path "serial0:115200n8" is used */
    assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, "/chosen"), "xen,xen-bootargs", "loglvl=info"), 0);
    assert_int_equal(parse(fdt), 0);
    assert_string_equal(h.uart.path, "/soc/uart@9000000");
}

static void bus_without_ranges_is_unreachable(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    int uart = fdt_path_offset(fdt, "/soc/uart@9000000");
    paddr_t base;
    uint64_t size;
    assert_int_equal(dt_read_reg(fdt, uart, 0, &base, &size), 0);
    assert_int_equal(base, 0x9000000);
    assert_int_equal(dt_read_reg(fdt, uart, 1, &base, &size), -XAM_ENOENT);
    assert_int_equal(fdt_delprop(fdt, fdt_path_offset(fdt, "/soc"), "ranges"), 0);
    uart = fdt_path_offset(fdt, "/soc/uart@9000000");
    assert_int_equal(dt_read_reg(fdt, uart, 0, &base, &size), -XAM_ERANGE);
    expect_error(fdt, "UART registers");
}

static void interrupts(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    unsigned id, flags;
    assert_int_equal(dt_read_irq(fdt, fdt_path_offset(fdt, "/soc/uart@9000000"), 0, &id, &flags), 0);
    assert_int_equal(id, 33); /* SPI 1 */
    assert_int_equal(flags, 4);
    assert_int_equal(dt_read_irq(fdt, fdt_path_offset(fdt, "/timer"), 3, &id, NULL), 0);
    assert_int_equal(id, 26); /* PPI 10 */
    assert_int_equal(dt_read_irq(fdt, fdt_path_offset(fdt, "/timer"), 4, &id, NULL), -XAM_ENOENT);
}

/* ---- broken trees: each must be refused with a message naming the place */
static void *qemu(void) { return load("qemu-v3-smp4.dtb"); }
static int node(void *fdt, const char *path) { return fdt_path_offset(fdt, path); }

static void add_module(void *fdt, uint64_t base, uint64_t size)
{
    int chosen = node(fdt, "/chosen");
    int dom = fdt_add_subnode(fdt, chosen, "domU0");
    fdt_setprop_string(fdt, dom, "compatible", "xen,domain");
    fdt_setprop_u32(fdt, dom, "#address-cells", 2);
    fdt_setprop_u32(fdt, dom, "#size-cells", 2);
    int k = fdt_add_subnode(fdt, dom, "kernel");
    fdt_setprop(fdt, k, "compatible", "multiboot,kernel\0multiboot,module", 34);
    fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
    fdt_setprop(fdt, k, "reg", reg, sizeof(reg));
}

static void truncated(void **state)
{
    (void)state;
    void *fdt = qemu();
    assert_true(hostdt_parse(&h, fdt, fdt_totalsize(fdt) - 1, &hv, &err) < 0);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_true(hostdt_parse(&h, fdt, 8, &hv, &err) < 0);
    assert_non_null(strstr(err.msg, "truncated"));
}

static void bad_magic(void **state)
{
    (void)state;
    char *fdt = qemu();
    fdt[0] ^= 0xff;
    expect_error(fdt, "bad header: FDT_ERR_BADMAGIC");
}

static void libfdt_null_name_regression(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/hostdt-libfdt-null-root-name.bin", regressions);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char raw[1 << 16];
    size_t n = fread(raw, 1, sizeof(raw), f);
    fclose(f);
    assert_true(hostdt_parse(&h, raw, n, &hv, &err) < 0);
    assert_non_null(strstr(err.msg, "corrupt"));
}

static void missing_stdout_path(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_delprop(fdt, node(fdt, "/chosen"), "stdout-path");
    expect_error(fdt, "/chosen: stdout-path: missing");
}

static void stdout_path_to_nothing(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "/serial@1234:115200");
    expect_error(fdt, "\"/serial@1234\" names no node");
}

static void console_not_a_pl011(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "/psci");
    expect_error(fdt, "/psci: compatible: console is not a PL011");
}

static void no_usable_memory(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt64_t reg[2] = { cpu_to_fdt64(0x40000000), 0 };
    fdt_setprop(fdt, node(fdt, "/memory@40000000"), "reg", reg, sizeof(reg));
    expect_error(fdt, "no usable memory");
}

static void memory_reg_malformed(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_u32(fdt, node(fdt, "/memory@40000000"), "reg", 0x40000000);
    expect_error(fdt, "/memory@40000000: reg: malformed");
}

static void module_outside_ram(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0x100000000ULL, 0x100000);
    expect_error(fdt, "/chosen/domU0/kernel: reg: module 0x100000000-0x1000fffff is outside RAM");
}

static void module_straddling_ram_end(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0xbff00000ULL, 0x200000);
    expect_error(fdt, "is outside RAM");
}

static void module_overlapping_hypervisor(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0x40000000, 0x201000);
    expect_error(fdt, "/chosen/domU0/kernel: reg: module 0x40000000-0x40200fff overlaps the hypervisor image 0x40200000-0x4027ffff");
}

static void module_zero_size(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0x50000000, 0);
    expect_error(fdt, "has a bad size");
}

static void no_gic(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/intc@8000000"), "compatible", "acme,irqchip");
    expect_error(fdt, "no GICv2 or GICv3");
}

static void gicv2_without_maintenance_interrupt(void **state)
{
    (void)state;
    void *fdt = load("qemu-v2-smp1.dtb");
    fdt_delprop(fdt, node(fdt, "/intc@8000000"), "interrupts");
    expect_error(fdt, "/intc@8000000: interrupts: missing: the maintenance interrupt is needed");
}

static void no_timer(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_del_node(fdt, node(fdt, "/timer"));
    expect_error(fdt, "no arm,armv8-timer node");
}

static void timer_without_hyp_ppi(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt32_t irqs[9] = { cpu_to_fdt32(1), cpu_to_fdt32(13), cpu_to_fdt32(4), cpu_to_fdt32(1), cpu_to_fdt32(14),
                        cpu_to_fdt32(4), cpu_to_fdt32(1), cpu_to_fdt32(11), cpu_to_fdt32(4) };
    fdt_setprop(fdt, node(fdt, "/timer"), "interrupts", irqs, sizeof(irqs));
    expect_error(fdt, "/timer: interrupts: entry 3 (hyp) missing");
}

static void psci_method_bogus(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/psci"), "method", "svc");
    expect_error(fdt, "/psci: method: must be \"smc\" or \"hvc\"");
}

static void duplicate_mpidr(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_u32(fdt, node(fdt, "/cpus/cpu@1"), "reg", 0);
    expect_error(fdt, "/cpus/cpu@1: reg: MPIDR 0x0 listed twice");
}

static void bootargs_not_terminated(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop(fdt, node(fdt, "/chosen"), "xen,xen-bootargs", "abc", 3);
    expect_error(fdt, "/chosen: xen,xen-bootargs: not a NUL-terminated string");
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    regressions = argc > 2 ? argv[2] : "tests/fuzz/regressions";
    const struct CMUnitTest tests[] = {
        T(qemu_gicv2_smp4), T(qemu_gicv3_smp1), T(dom0less_fixture), T(stdout_path_alias_with_options),
        T(bus_without_ranges_is_unreachable), T(interrupts), T(truncated), T(bad_magic),
        T(libfdt_null_name_regression), T(missing_stdout_path), T(stdout_path_to_nothing),
        T(console_not_a_pl011), T(no_usable_memory), T(memory_reg_malformed), T(module_outside_ram),
        T(module_straddling_ram_end), T(module_overlapping_hypervisor), T(module_zero_size), T(no_gic),
        T(gicv2_without_maintenance_interrupt), T(no_timer), T(timer_without_hyp_ppi), T(psci_method_bogus),
        T(duplicate_mpidr), T(bootargs_not_terminated),
    };
    return cmocka_run_group_tests_name("hostdt", tests, NULL, NULL);
}
