/* The boot CPU's path from entry to "ready to build domains". Each step
 * either works or stops the machine with a one-line reason: there is no
 * partial hypervisor worth running. */
#include <asm/mmu.h>
#include <asm/cpufeature.h>
#include <asm/percpu.h>
#include <asm/psci.h>
#include <asm/smp.h>
#include <asm/sysreg.h>
#include <asm/timer.h>
#include <asm/vgic_hw.h>
#include <asm/vtimer.h>
#include <libfdt.h>
#include <stdarg.h>
#include <string.h>
#include <xam/builder.h>
#include <xam/cmdline.h>
#include <xam/console_input.h>
#include <xam/crashtest.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/grant_table.h>
#include <xam/hostdt.h>
#include <xam/random.h>
#include <xam/hypercall.h>
#include <xam/irq_forward.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/pvconsole.h>
#include <xam/sched.h>
#include <xam/setup.h>
#include <xam/shutdown.h>
#include <xam/vcpufeature.h>
#include <xam/vdebug.h>
#include <xam/vgic.h>
#include <xam/vpsci.h>
#include <xam/gic.h>

void boot_primary(paddr_t fdt, uint64_t entry_count, unsigned el, paddr_t load_base) __noreturn;

static struct hostdt host;

static void fatal(const char *fmt, ...) __printf(1, 2) __noreturn;
static void fatal(const char *fmt, ...)
{
    char msg[240];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_err("xen-arm-minimal cannot start: %s", msg);
    machine_poweroff();
}

/* How much of the device tree to map before it can be validated: its
 * totalsize (bounded), or one page so that a bad header can be reported. */
static uint64_t early_fdt_span(paddr_t fdt)
{
    if (fdt == 0 || !IS_ALIGNED(fdt, 8))
        return 0;
    const struct fdt_header *hdr = (const void *)(uintptr_t)fdt;
    if (fdt_magic(hdr) != FDT_MAGIC)
        return PAGE_SIZE - (fdt & (PAGE_SIZE - 1));
    uint64_t size = MIN((uint64_t)fdt_totalsize(hdr), HOSTDT_MAX_SIZE);
    return MAX(size, (uint64_t)sizeof(*hdr));
}

static void say_cmdline(void *ctx, bool warn, const char *line)
{
    (void)ctx;
    if (warn)
        log_warn("%s", line);
    else
        log_info("%s", line);
}

static void apply_cmdline(const char *cmdline)
{
    char val[32];
    if (cmdline_get(cmdline, "loglvl", val, sizeof(val))) {
        /* Xen allows "level/rate-limited-level": the first part is ours. */
        char *slash = strchr(val, '/');
        if (slash)
            *slash = '\0';
        enum log_level lvl;
        if (log_level_from_name(val, &lvl))
            log_set_level(lvl);
        else
            log_warn("loglvl=%s: unknown level (none, error, warning, info, debug, all); keeping %s", val,
                     log_level_name(LOG_INFO));
    }
    /* Xen's boolean: "sync_console", or "sync_console=" and a yes or no */
    if (cmdline_get(cmdline, "sync_console", val, sizeof(val)))
        console_set_sync(!val[0] || !strcmp(val, "1") || !strcmp(val, "true") || !strcmp(val, "on") ||
                         !strcmp(val, "yes") || !strcmp(val, "enable"));
    /* nothing on it passes unsaid (after loglvl, which says how much) */
    cmdline_audit(cmdline, say_cmdline, NULL);
}

/* How guests' stage 2 maps their memory: 2 MiB and 1 GiB blocks wherever
 * alignment allows (fewer walks, more TLB reach: what hardware wants), or
 * 4 KiB pages only. QEMU's TCG (7.2 on) records a translation of both
 * stages at the larger stage's size and, for a large one, throws away a
 * translation regime's whole TLB on any invalidation by address in its
 * range: with stage-2 blocks every one of a Linux guest's 43 thousand
 * TLBI VAALE1IS in its boot was a full flush (its boot to /init 1.17 times
 * native Linux's, 1.02 with pages). So pages on QEMU's virt machine
 * (root compatible "linux,dummy-virt"), unless stage2= says. Read before
 * the host tree's memory may be reused. */
static void choose_stage2(const char *cmdline)
{
    char val[16];
    bool qemu = fdt_node_check_compatible(host.fdt, 0, "linux,dummy-virt") == 0;
    bool pages = qemu;
    const char *why = qemu ? "QEMU's virt machine, whose TLB flushes whole on an invalidation inside a block; "
                             "stage2=blocks for blocks"
                           : "stage2=pages for 4 KiB pages";
    if (cmdline_get(cmdline, "stage2", val, sizeof(val))) {
        if (!strcmp(val, "pages") || !strcmp(val, "blocks")) {
            pages = val[0] == 'p';
            why = pages ? "stage2=pages" : "stage2=blocks";
        } else {
            log_warn("stage2=%s: unknown (pages or blocks); keeping %s", val, pages ? "pages" : "blocks");
        }
    }
    domain_set_stage2_pages(pages);
    log_info("stage 2: guests' memory mapped in %s (%s)",
             pages ? "4 KiB pages" : "2 MiB and 1 GiB blocks where aligned", why);
}

void boot_primary(paddr_t fdt, uint64_t entry_count, unsigned el, paddr_t load_base)
{
    log_set_epoch(entry_count, read_sysreg(cntfrq_el0));
    if (el != 2)
        refuse_entry_el(fdt, el);

    /* Until the device tree names the console and firmware interface, use
     * the build's defaults (the UART is still reachable with the MMU off). */
    console_set_uart(CONFIG_EARLY_UART);
    psci_set_conduit((enum psci_conduit)CONFIG_EARLY_PSCI);
    uint64_t span = early_fdt_span(fdt);
    int rc = mmu_boot(fdt, span, CONFIG_EARLY_UART);
    if (rc)
        fatal("cannot map the image and the device tree at 0x%llx (error %d): does the device tree "
              "overlap the hypervisor?",
              (unsigned long long)fdt, rc);
    console_enable_locking();
    if (span == 0)
        fatal("no device tree: x0 = 0x%llx is not an 8-byte aligned address", (unsigned long long)fdt);

    struct mrange hv = { image_start(), image_end() - image_start() };
    struct hostdt_error err;
    rc = hostdt_parse(&host, (const void *)(uintptr_t)fdt, span, &hv, &err);
    if (!rc)
        rc = hostdt_check_el2(&host, &err);
    if (rc)
        fatal("host device tree at 0x%llx: %s", (unsigned long long)fdt, err.msg);

    psci_set_conduit(host.psci);
    if ((rc = mmu_map_device(host.uart.base, host.uart.size)))
        fatal("cannot map the console UART %s (error %d)", host.uart.path, rc);
    console_set_uart(host.uart.base);
    apply_cmdline(host.bootargs);

    log_info("xen-arm-minimal %s (git %s), loaded at 0x%llx, %llu KiB", XAM_VERSION, XAM_GIT,
             (unsigned long long)load_base, (unsigned long long)((image_end() - image_start()) >> 10));
    log_info("console: %s at 0x%llx; command line: \"%s\"", host.uart.path, (unsigned long long)host.uart.base,
             host.bootargs);

    if ((rc = smp_init_boot_cpu(&host)))
        fatal("the boot CPU (MPIDR 0x%llx) is not among the %u CPUs in /cpus", (unsigned long long)pcpus[0].mpidr,
              host.nr_cpus);

    uint32_t pv = psci_version();
    if (host.psci == PSCI_CONDUIT_NONE)
        log_warn("psci: no PSCI node: other CPUs stay off and power-off will halt instead");
    else
        log_info("psci: version %u.%u via %s", pv >> 16, pv & 0xffff, host.psci == PSCI_CONDUIT_SMC ? "smc" : "hvc");

    /* before the host tree's memory may be reused: its seed is read now */
    random_init(host.fdt);
    choose_stage2(host.bootargs);

    const char *why = NULL;
    if ((rc = memory_init(&host, fdt, span, &why)))
        fatal("memory: %s (error %d)", why, rc);

    struct gic_missing miss;
    if (!gic_frames_answer(&host.gic, &miss)) {
        char path[DT_PATH_MAX];
        fatal("%s: reg: nothing answers at 0x%llx, where it places the GICv%u %s",
              dt_node_path(host.fdt, host.gic.node, path, sizeof(path)), (unsigned long long)miss.base,
              host.gic.version, miss.what);
    }
    if ((rc = gic_init(&host.gic)))
        fatal("%s at 0x%llx: initialisation failed (error %d)", host.gic.version == 3 ? "GICv3" : "GICv2",
              (unsigned long long)host.gic.dist.base, rc);
    log_info("gic: %s, distributor 0x%llx, %u interrupt lines, maintenance interrupt %u", gic()->name,
             (unsigned long long)host.gic.dist.base, gic()->nr_lines(), host.gic.maint_intid);
    if ((rc = timer_init(&host.timer)))
        fatal("timer: no counter frequency (CNTFRQ_EL0 is 0 and the timer node has no clock-frequency)");
    if ((rc = vtimer_init(host.timer.virt)))
        fatal("timer: cannot hook the virtual timer interrupt %u (error %d)", host.timer.virt, rc);
    if ((rc = vgic_hw_init(&host.gic)))
        fatal("%s: the virtual CPU interface is unusable (GICH/GICV missing or too small, error %d)",
              host.gic.version == 3 ? "GICv3" : "GICv2", rc);
    if ((rc = cpu_boot_local_init(host.gic.maint_intid)))
        fatal("CPU0: interrupt controller set-up failed (error %d)", rc);
    log_info("timer: counter at %llu Hz, EL2 timer interrupt %u", (unsigned long long)counter_freq(),
             host.timer.hyp_phys);
    int64_t us = timer_selftest(TIMER_SELFTEST_US, false);
    if (us < 0)
        fatal("CPU0: the EL2 timer interrupt never arrived");
    pcpus[0].online = true;
    log_info("CPU0: online, MPIDR 0x%llx, EL2 timer fired after %lld us", (unsigned long long)pcpus[0].mpidr,
             (long long)us);

    /* before the other CPUs: idle, they write the console when kicked */
    if ((rc = sched_init()))
        fatal("scheduler: cannot hook its IPI (error %d)", rc);
    smp_boot_secondaries(&host);
    cpufeature_init_guests();

    uint64_t ready = log_us_since_entry();
    log_info("boot: ready to build domains, %llu.%03llu ms after entry", (unsigned long long)(ready / 1000),
             (unsigned long long)(ready % 1000));

    crashtest_run(host.bootargs);

    /* what guests trap to, registered by its owners */
    if ((rc = vpsci_init()) || (rc = hypercall_init()) || (rc = vgic_register_sysregs()) || (rc = vdebug_init()) ||
        (rc = vcpufeature_init()) || (rc = irq_forward_init()) || (rc = gnttab_init()) || (rc = pvconsole_init()))
        fatal("emulation: cannot register the guest interfaces (error %d)", rc);
    if ((rc = console_input_init(&host.uart)))
        log_warn("console: input disabled: cannot hook interrupt %u (error %d)", host.uart.intid, rc);
    else if (host.uart.intid)
        log_info("console: input to the hypervisor (Ctrl-A three times: next domain; h: help)");
    if (builder_build_all(&host) == 0) {
        log_info("no domains to run: powering off");
        machine_poweroff();
    }
    sched_start();
}
