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

extern uintptr_t __stack_chk_guard;

/* Exercise the stack-protector failure path deterministically: change the
 * guard while this protected frame (it has an array) is live, so its check
 * on return fails. A real overflow is no reliable trigger on AArch64: GCC 12
 * places the canary below the locals, so an upward overflow of a local array
 * runs past it into the caller's frame undetected (CVE-2023-4039's class). */
static void __attribute__((noinline)) corrupt_canary(void)
{
    volatile char buf[16];
    buf[0] = 1;
    __stack_chk_guard ^= 0x5a5a5a5a5a5a5a5aULL;
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
    else if (strcmp(kind, "stack") == 0)
        corrupt_canary();
    log_err("crash-test: '%s' did not crash", kind);
}

static void sgi_crash(unsigned intid __unused, void *arg __unused) { crash_now(); }

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
