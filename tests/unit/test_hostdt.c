#include "fixture.h"
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
static void *load(const char *name) { return unit_load_dtb(dir, name, buf, 1 << 20); }

static int parse(void *fdt) { return hostdt_parse(&h, fdt, fdt_totalsize(fdt), &hv, &err); }

static void expect_error(void *fdt, const char *needle)
{
    int rc = parse(fdt);
    assert_true(rc < 0);
    if (!strstr(err.msg, needle))
        fail_msg("error \"%s\" does not say \"%s\"", err.msg, needle);
}

static int node(void *fdt, const char *path);

/* A bad module is not the machine's problem: the tree parses and the
 * module carries the reason its domain will be refused for. */
static void expect_module_problem(void *fdt, const char *path, const char *needle)
{
    if (parse(fdt))
        fail_msg("refused: %s", err.msg);
    int n = node(fdt, path);
    for (unsigned i = 0; i < h.nr_modules; i++)
        if (h.modules[i].node == n) {
            if (!h.modules[i].problem || !strstr(h.modules[i].problem, needle))
                fail_msg("module %s: problem \"%s\" does not say \"%s\"", path,
                         h.modules[i].problem ? h.modules[i].problem : "(none)", needle);
            return;
        }
    fail_msg("module %s not recorded", path);
}

/* What every QEMU virt tree (2 GiB, virtualization=on) must give. */
static void expect_qemu_common(unsigned gic_version, unsigned cpus)
{
    assert_int_equal(h.mem.n, 1);
    assert_int_equal(h.mem.r[0].base, 0x40000000);
    assert_int_equal(h.mem.r[0].size, 0x80000000);
    assert_int_equal(h.reserved.n, 0);
    assert_int_equal(h.gic.version, gic_version);
    assert_int_equal(h.gic.dist.base, 0x8000000);
    assert_int_equal(h.gic.dist.size, 0x10000);
    assert_int_equal(h.gic.maint_intid, 25);
    assert_int_equal(h.timer.sec_phys, 29);
    assert_int_equal(h.timer.phys, 30);
    assert_int_equal(h.timer.virt, 27);
    assert_int_equal(h.timer.hyp_phys, 26);
    assert_int_equal(h.timer.hyp_virt, 0);
    assert_string_equal(h.uart.path, "/pl011@9000000");
    assert_int_equal(h.uart.base, 0x9000000);
    assert_int_equal(h.uart.size, 0x1000);
    assert_int_equal(h.uart.node, fdt_path_offset(h.fdt, "/pl011@9000000"));
    assert_int_equal(h.psci, PSCI_CONDUIT_SMC);
    assert_int_equal(h.nr_cpus, cpus);
    for (unsigned i = 0; i < cpus; i++)
        assert_int_equal(h.cpu_mpidr[i], i);
    assert_string_equal(h.bootargs, "");
    assert_int_equal(h.nr_modules, 0);
    assert_int_equal(h.fdt_size, fdt_totalsize(h.fdt));
}

static void expect_qemu_gicv2(void)
{
    assert_int_equal(h.gic.cpu.base, 0x8010000);
    assert_int_equal(h.gic.cpu.size, 0x10000);
    assert_int_equal(h.gic.hyp.base, 0x8030000);
    assert_int_equal(h.gic.hyp.size, 0x10000);
    assert_int_equal(h.gic.vcpu.base, 0x8040000);
    assert_int_equal(h.gic.vcpu.size, 0x10000);
    assert_int_equal(h.gic.nr_redist, 0);
    assert_int_equal(h.gic.node, fdt_path_offset(h.fdt, "/intc@8000000"));
}

static void expect_qemu_gicv3(void)
{
    assert_int_equal(h.gic.nr_redist, 1);
    assert_int_equal(h.gic.redist[0].base, 0x80a0000);
    assert_int_equal(h.gic.redist[0].size, 0xf60000);
    assert_int_equal(h.gic.cpu.size, 0);
    assert_int_equal(h.gic.node, fdt_path_offset(h.fdt, "/intc@8000000"));
}

static void qemu_gicv2_smp1(void **state)
{
    (void)state;
    assert_int_equal(parse(load("qemu-v2-smp1.dtb")), 0);
    expect_qemu_common(2, 1);
    expect_qemu_gicv2();
}

static void qemu_gicv3_smp4(void **state)
{
    (void)state;
    assert_int_equal(parse(load("qemu-v3-smp4.dtb")), 0);
    expect_qemu_common(3, 4);
    expect_qemu_gicv3();
}

static void qemu_gicv2_smp4(void **state)
{
    (void)state;
    assert_int_equal(parse(load("qemu-v2-smp4.dtb")), 0);
    expect_qemu_common(2, 4);
    expect_qemu_gicv2();
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
    expect_qemu_common(3, 1);
    expect_qemu_gicv3();
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
    assert_string_equal(h.uart.path, "/soc@0/uart@9000000");
    assert_int_equal(h.uart.base, 0x9000000);
    assert_string_equal(h.bootargs, "loglvl=all dtuart=serial0");
    assert_int_equal(h.psci, PSCI_CONDUIT_SMC);
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
    assert_string_equal(h.uart.path, "/soc@0/uart@9000000");
}

static void bus_without_ranges_is_unreachable(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    int uart = fdt_path_offset(fdt, "/soc@0/uart@9000000");
    paddr_t base;
    uint64_t size;
    assert_int_equal(dt_read_reg(fdt, uart, 0, &base, &size), 0);
    assert_int_equal(base, 0x9000000);
    assert_int_equal(dt_read_reg(fdt, uart, 1, &base, &size), -XAM_ENOENT);
    assert_int_equal(fdt_delprop(fdt, fdt_path_offset(fdt, "/soc@0"), "ranges"), 0);
    uart = fdt_path_offset(fdt, "/soc@0/uart@9000000");
    assert_int_equal(dt_read_reg(fdt, uart, 0, &base, &size), -XAM_ERANGE);
    expect_error(fdt, "UART registers");
}

static void interrupts(void **state)
{
    (void)state;
    void *fdt = load("dom0less-soc.dtb");
    unsigned id, flags;
    assert_int_equal(dt_read_irq(fdt, fdt_path_offset(fdt, "/soc@0/uart@9000000"), 0, &id, &flags), 0);
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
    expect_module_problem(fdt, "/chosen/domU0/kernel", "outside RAM");
}

static void module_straddling_ram_end(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0xbff00000ULL, 0x200000);
    expect_module_problem(fdt, "/chosen/domU0/kernel", "outside RAM");
}

static void module_overlapping_hypervisor(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0x40000000, 0x201000);
    expect_module_problem(fdt, "/chosen/domU0/kernel", "overlaps the hypervisor image");
}

static void module_zero_size(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0x50000000, 0);
    expect_module_problem(fdt, "/chosen/domU0/kernel", "empty");
}

static void module_wraps(void **state)
{
    (void)state;
    void *fdt = qemu();
    add_module(fdt, 0xfffffffffff00000ULL, 0x200000);
    expect_module_problem(fdt, "/chosen/domU0/kernel", "the range runs past the end of the address space");
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
    fdt32_t irqs[9] = { cpu_to_fdt32(1), cpu_to_fdt32(13), cpu_to_fdt32(4),  cpu_to_fdt32(1), cpu_to_fdt32(14),
                        cpu_to_fdt32(4), cpu_to_fdt32(1),  cpu_to_fdt32(11), cpu_to_fdt32(4) };
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

/* At EL2, HVC traps to the hypervisor itself: accepted, it crashed and
 * hung the machine at the first PSCI call. The tree is well-formed (the
 * EL1 refusal path may power off through it); running at EL2 refuses it. */
static void psci_method_hvc_refused(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/psci"), "method", "hvc");
    assert_int_equal(hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err), 0);
    assert_int_equal(h.psci, PSCI_CONDUIT_HVC);
    assert_int_not_equal(hostdt_check_el2(&h, &err), 0);
    assert_string_equal(err.msg,
                        "/psci: method: \"hvc\" cannot reach PSCI from EL2, where the hypervisor runs: the "
                        "firmware must offer PSCI over \"smc\" (EL3)");
    fdt_setprop_string(fdt, node(fdt, "/psci"), "method", "smc");
    assert_int_equal(hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err), 0);
    assert_int_equal(hostdt_check_el2(&h, &err), 0);
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

/* ---- hand-written trees: tests/dtb/modules.dts, memory.dts, console.dts */

static int parse_hv(void *fdt, const struct mrange *range)
{
    return hostdt_parse(&h, fdt, fdt_totalsize(fdt), range, &err);
}

static void expect_module(unsigned i, enum module_kind kind, paddr_t base, uint64_t size, const char *path,
                          const char *parent)
{
    assert_true(i < h.nr_modules);
    const struct hostdt_module *m = &h.modules[i];
    char p[DT_PATH_MAX];
    assert_string_equal(dt_node_path(h.fdt, m->node, p, sizeof(p)), path);
    assert_int_equal(m->kind, kind);
    assert_int_equal(m->base, base);
    assert_int_equal(m->size, size);
    assert_int_equal(m->parent, fdt_path_offset(h.fdt, parent));
}

static void modules_of_dom0_and_domus(void **state)
{
    (void)state;
    void *fdt = load("modules.dtb");
    if (parse(fdt))
        fail_msg("%s", err.msg);
    assert_string_equal(h.bootargs, "console=dtuart loglvl=all");
    assert_int_equal(h.nr_modules, 7);
    expect_module(0, MODULE_KERNEL, 0x42000000, 0x800000, "/chosen/module@42000000", "/chosen");
    expect_module(1, MODULE_RAMDISK, 0x43000000, 0x400000, "/chosen/module@43000000", "/chosen");
    expect_module(2, MODULE_KERNEL, 0x44000000, 0x600000, "/chosen/domU1/module@44000000", "/chosen/domU1");
    expect_module(3, MODULE_RAMDISK, 0x44800000, 0x200000, "/chosen/domU1/module@44800000", "/chosen/domU1");
    expect_module(4, MODULE_DEVICE_TREE, 0x45000000, 0x2000, "/chosen/domU1/module@45000000", "/chosen/domU1");
    /* domU2 uses 1-cell addresses and the older Xen compatibles */
    expect_module(5, MODULE_KERNEL, 0x46000000, 0x300000, "/chosen/domU2/module@46000000", "/chosen/domU2");
    expect_module(6, MODULE_OTHER, 0x46400000, 0x1000, "/chosen/domU2/module@46400000", "/chosen/domU2");
    /* the rest of the tree is the plain base */
    assert_int_equal(h.nr_cpus, 2);
    assert_string_equal(h.uart.path, "/pl011@9000000");
}

static void module_kind_names(void **state)
{
    (void)state;
    assert_string_equal(module_kind_name(MODULE_KERNEL), "kernel");
    assert_string_equal(module_kind_name(MODULE_RAMDISK), "ramdisk");
    assert_string_equal(module_kind_name(MODULE_DEVICE_TREE), "device-tree");
    assert_string_equal(module_kind_name(MODULE_OTHER), "module");
}

static void hypervisor_range_against_modules(void **state)
{
    (void)state;
    void *fdt = load("modules.dtb");
    /* right up to the domU1 ramdisk at 0x44800000, and right after it */
    const struct mrange before = { 0x44600000, 0x200000 }, after = { 0x44a00000, 0x100000 };
    assert_int_equal(parse_hv(fdt, &before), 0);
    assert_int_equal(parse_hv(fdt, &after), 0);
    const struct mrange one_byte_in = { 0x449fffff, 0x1000 };
    assert_int_equal(parse_hv(fdt, &one_byte_in), 0);
    for (unsigned i = 0; i < h.nr_modules; i++) {
        char path[DT_PATH_MAX];
        bool hit = !strcmp(dt_node_path(fdt, h.modules[i].node, path, sizeof(path)), "/chosen/domU1/module@44800000");
        if (hit != (h.modules[i].problem && strstr(h.modules[i].problem, "overlaps the hypervisor")))
            fail_msg("%s: problem %s", path, h.modules[i].problem ? h.modules[i].problem : "(none)");
    }
    const struct mrange none = { 0x44000000, 0 }; /* the host build's "no image" */
    assert_int_equal(parse_hv(fdt, &none), 0);
}

static void memory_banks_and_reserved_regions(void **state)
{
    (void)state;
    if (parse(load("memory.dtb")))
        fail_msg("%s", err.msg);
    /* 0x40000000+512M and 0x60000000+256M merge; the disabled bank is not RAM */
    assert_int_equal(h.mem.n, 3);
    assert_int_equal(h.mem.r[0].base, 0x40000000);
    assert_int_equal(h.mem.r[0].size, 0x30000000);
    assert_int_equal(h.mem.r[1].base, 0x80000000);
    assert_int_equal(h.mem.r[1].size, 0x40000000);
    assert_int_equal(h.mem.r[2].base, 0x880000000ULL);
    assert_int_equal(h.mem.r[2].size, 0x80000000);
    /* both /memreserve/ entries and both reserved-memory children with a reg,
     * the disabled one included; the size-only CMA pool is not fixed */
    assert_int_equal(h.reserved.n, 4);
    static const struct mrange want[] = {
        { 0x48000000, 0x100000 },
        { 0x49000000, 0x1000 },
        { 0x4e000000, 0x200000 },
        { 0x4f000000, 0x100000 },
    };
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(h.reserved.r[i].base, want[i].base);
        assert_int_equal(h.reserved.r[i].size, want[i].size);
    }
}

static void console_behind_ranges_through_alias(void **state)
{
    (void)state;
    void *fdt = load("console.dtb");
    if (parse(fdt))
        fail_msg("%s", err.msg);
    /* stdout-path = "serial0:115200n8", serial0 = /soc@1c000000/serial@90000,
     * and the soc maps bus 0x0 to 0x1c000000 */
    assert_string_equal(h.uart.path, "/soc@1c000000/serial@90000");
    assert_int_equal(h.uart.base, 0x1c090000);
    assert_int_equal(h.uart.size, 0x1000);
    assert_int_equal(h.uart.node, fdt_path_offset(fdt, "/soc@1c000000/serial@90000"));
}

static void expect_console(void *fdt, const char *bootargs, const char *path, paddr_t base)
{
    assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/chosen"), "xen,xen-bootargs", bootargs), 0);
    if (parse(fdt))
        fail_msg("bootargs \"%s\": %s", bootargs, err.msg);
    if (strcmp(h.uart.path, path) != 0)
        fail_msg("bootargs \"%s\": console %s, expected %s", bootargs, h.uart.path, path);
    assert_int_equal(h.uart.base, base);
}

static void dtuart_overrides_stdout_path(void **state)
{
    (void)state;
    void *fdt = load("console.dtb");
    expect_console(fdt, "console=dtuart dtuart=serial1", "/pl011@9000000", 0x9000000);
    expect_console(fdt, "dtuart=/pl011@9000000 loglvl=all", "/pl011@9000000", 0x9000000);
    expect_console(fdt, "dtuart=serial1:115200n8", "/pl011@9000000", 0x9000000);
    expect_console(fdt, "dtuart=serial1 dtuart=/soc@1c000000/serial@90000", "/soc@1c000000/serial@90000", 0x1c090000);
    /* empty or absent: stdout-path decides */
    expect_console(fdt, "dtuart= loglvl=all", "/soc@1c000000/serial@90000", 0x1c090000);
    expect_console(fdt, "console=dtuart", "/soc@1c000000/serial@90000", 0x1c090000);
}

static void dtuart_naming_nothing(void **state)
{
    (void)state;
    void *fdt = load("console.dtb");
    fdt_setprop_string(fdt, node(fdt, "/chosen"), "xen,xen-bootargs", "console=dtuart dtuart=serial7");
    expect_error(fdt, "xen,xen-bootargs dtuart=: \"serial7\" names no node");
}

static void stdout_path_absolute_with_options(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "/pl011@9000000:115200n8");
    assert_int_equal(parse(fdt), 0);
    assert_string_equal(h.uart.path, "/pl011@9000000");
}

static void no_memory_node(void **state)
{
    (void)state;
    void *fdt = qemu();
    assert_int_equal(fdt_del_node(fdt, node(fdt, "/memory@40000000")), 0);
    expect_error(fdt, "no usable memory");
}

static void psci_without_method(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_delprop(fdt, node(fdt, "/psci"), "method");
    expect_error(fdt, "/psci: method: missing");
}

static void no_psci_node_is_allowed(void **state)
{
    (void)state;
    void *fdt = qemu();
    assert_int_equal(fdt_del_node(fdt, node(fdt, "/psci")), 0);
    assert_int_equal(parse(fdt), 0);
    assert_int_equal(h.psci, PSCI_CONDUIT_NONE);
}

static void cpus_missing_disabled_or_malformed(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_string(fdt, node(fdt, "/cpus/cpu@2"), "status", "disabled");
    assert_int_equal(parse(fdt), 0);
    assert_int_equal(h.nr_cpus, 3); /* disabled CPUs are not ours */
    assert_int_equal(h.cpu_mpidr[2], 3);
    fdt64_t two_cells = cpu_to_fdt64(1);
    fdt_setprop(fdt, node(fdt, "/cpus/cpu@1"), "reg", &two_cells, sizeof(two_cells));
    expect_error(fdt, "/cpus/cpu@1: reg: missing or not 1 cell(s)");
    fdt = qemu();
    fdt_del_node(fdt, node(fdt, "/cpus"));
    expect_error(fdt, "no /cpus node");
}

static void gicv2_without_hypervisor_interface(void **state)
{
    (void)state;
    void *fdt = load("qemu-v2-smp1.dtb");
    fdt64_t reg[4] = { cpu_to_fdt64(0x8000000), cpu_to_fdt64(0x10000), cpu_to_fdt64(0x8010000), cpu_to_fdt64(0x10000) };
    fdt_setprop(fdt, node(fdt, "/intc@8000000"), "reg", reg, sizeof(reg));
    expect_error(fdt, "/intc@8000000: reg: hypervisor interface (GICH) (entry 2) missing");
}

static void gicv3_redistributor_regions(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_setprop_u32(fdt, node(fdt, "/intc@8000000"), "#redistributor-regions", 0);
    expect_error(fdt, "/intc@8000000: #redistributor-regions: must be 1..");
    fdt = qemu();
    fdt_setprop_u32(fdt, node(fdt, "/intc@8000000"), "#redistributor-regions", 2); /* reg has one */
    expect_error(fdt, "redistributor region (entry 2) missing");
}

static void timer_interrupt_not_a_ppi(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt32_t irqs[12];
    static const uint32_t cells[12] = { 1, 13, 4, 1, 14, 4, 0, 11, 4, 1, 10, 4 }; /* virt as SPI */
    for (int i = 0; i < 12; i++)
        irqs[i] = cpu_to_fdt32(cells[i]);
    fdt_setprop(fdt, node(fdt, "/timer"), "interrupts", irqs, sizeof(irqs));
    expect_error(fdt, "/timer: interrupts: entry 2 (virt) is not a PPI");
}

static void uart_without_registers(void **state)
{
    (void)state;
    void *fdt = qemu();
    fdt_delprop(fdt, node(fdt, "/pl011@9000000"), "reg");
    expect_error(fdt, "/pl011@9000000: reg: UART registers (entry 0) missing");
}

static void module_reg_malformed_or_below_ram(void **state)
{
    (void)state;
    void *fdt = load("modules.dtb");
    fdt32_t three[3] = { cpu_to_fdt32(0x46400000), cpu_to_fdt32(0x1000), 0 }; /* domU2 has 1+1 cells */
    fdt_setprop(fdt, node(fdt, "/chosen/domU2/module@46400000"), "reg", three, sizeof(three));
    expect_module_problem(fdt, "/chosen/domU2/module@46400000", "reg is missing or malformed");
    fdt = load("modules.dtb");
    fdt64_t low[2] = { cpu_to_fdt64(0x1000), cpu_to_fdt64(0x1000) };
    fdt_setprop(fdt, node(fdt, "/chosen/module@42000000"), "reg", low, sizeof(low));
    expect_module_problem(fdt, "/chosen/module@42000000", "outside RAM");
}

static void corrupt_structure_block(void **state)
{
    (void)state;
    char *fdt = qemu();
    memset(fdt + fdt_off_dt_struct(fdt), 0xff, 4); /* the root's BEGIN_NODE tag */
    expect_error(fdt, "corrupt");
}

static void too_large(void **state)
{
    (void)state;
    void *fdt = qemu();
    assert_int_equal(fdt_open_into(fdt, fdt, 3 << 20), 0); /* 3 MiB, mostly free space */
    assert_true(hostdt_parse(&h, fdt, 3 << 20, &hv, &err) < 0);
    if (!strstr(err.msg, "too large"))
        fail_msg("unexpected error: %s", err.msg);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    regressions = argc > 2 ? argv[2] : "tests/fuzz/regressions";
    const struct CMUnitTest tests[] = {
        T(qemu_gicv2_smp4),
        T(qemu_gicv3_smp1),
        T(dom0less_fixture),
        T(stdout_path_alias_with_options),
        T(bus_without_ranges_is_unreachable),
        T(interrupts),
        T(truncated),
        T(bad_magic),
        T(libfdt_null_name_regression),
        T(missing_stdout_path),
        T(stdout_path_to_nothing),
        T(console_not_a_pl011),
        T(no_usable_memory),
        T(memory_reg_malformed),
        T(module_outside_ram),
        T(module_straddling_ram_end),
        T(module_overlapping_hypervisor),
        T(module_zero_size),
        T(module_wraps),
        T(no_gic),
        T(gicv2_without_maintenance_interrupt),
        T(no_timer),
        T(timer_without_hyp_ppi),
        T(psci_method_bogus),
        T(psci_method_hvc_refused),
        T(duplicate_mpidr),
        T(bootargs_not_terminated),
        T(qemu_gicv2_smp1),
        T(qemu_gicv3_smp4),
        T(modules_of_dom0_and_domus),
        T(module_kind_names),
        T(hypervisor_range_against_modules),
        T(memory_banks_and_reserved_regions),
        T(console_behind_ranges_through_alias),
        T(dtuart_overrides_stdout_path),
        T(dtuart_naming_nothing),
        T(stdout_path_absolute_with_options),
        T(no_memory_node),
        T(psci_without_method),
        T(no_psci_node_is_allowed),
        T(cpus_missing_disabled_or_malformed),
        T(gicv2_without_hypervisor_interface),
        T(gicv3_redistributor_regions),
        T(timer_interrupt_not_a_ppi),
        T(uart_without_registers),
        T(module_reg_malformed_or_below_ram),
        T(corrupt_structure_block),
        T(too_large),
    };
    return cmocka_run_group_tests_name("hostdt", tests, NULL, NULL);
}
