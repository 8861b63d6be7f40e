#include <asm/percpu.h>
#include <asm/timer.h>
#include <stdlib.h>
#include <string.h>
#include <xam/cmdline.h>
#include <xam/crashtest.h>
#include <xam/irq.h>
#include <xam/log.h>

static char kind[16];

/* An address no RAM or device sits at, so the EL2 map has nothing there. */
#define UNMAPPED_ADDRESS 0x0000dead00000000ULL

static void __attribute__((noinline)) smash_stack(const char *src, size_t n)
{
    volatile char buf[16];
    for (size_t i = 0; i < n; i++)
        buf[i] = src[i];
    (void)buf[0];
}

static void crash_now(void)
{
    log_info("crash-test: CPU%u triggers '%s'", this_cpu_id(), kind);
    if (strcmp(kind, "abort") == 0)
        (void)*(volatile uint64_t *)(uintptr_t)UNMAPPED_ADDRESS;
    else if (strcmp(kind, "undef") == 0)
        __asm__ volatile("udf #0");
    else if (strcmp(kind, "panic") == 0)
        panic("crash-test: panic requested on the command line");
    else if (strcmp(kind, "stack") == 0) {
        char junk[64];
        memset(junk, 0x41, sizeof(junk));
        smash_stack(junk, sizeof(junk));
    }
    log_err("crash-test: '%s' did not crash", kind);
}

static void sgi_crash(unsigned intid __unused, void *arg __unused)
{
    crash_now();
}

void crashtest_run(const char *cmdline)
{
    char cpu_str[8];
    if (!cmdline_get(cmdline, "crash-test", kind, sizeof(kind)))
        return;
    if (strcmp(kind, "abort") && strcmp(kind, "undef") && strcmp(kind, "panic") && strcmp(kind, "stack")) {
        log_warn("crash-test=%s: unknown (abort, undef, panic, stack); ignored", kind);
        return;
    }
    unsigned cpu = 0;
    if (cmdline_get(cmdline, "crash-test-cpu", cpu_str, sizeof(cpu_str)))
        cpu = (unsigned)strtoul(cpu_str, NULL, 10);
    if (cpu == 0 || cpu >= nr_pcpus || !pcpus[cpu].online) {
        if (cpu != 0)
            log_warn("crash-test-cpu=%u: no such CPU online; using CPU0", cpu);
        crash_now();
        return;
    }
    irq_register(SGI_CRASH, sgi_crash, NULL);
    irq_send_sgi(cpu, SGI_CRASH);
    /* The target reports and powers the machine off; wait for that. */
    uint64_t limit = counter_read() + us_to_ticks(2000000);
    while (counter_read() < limit)
        ;
    log_err("crash-test: CPU%u did not crash within 2 s", cpu);
}
