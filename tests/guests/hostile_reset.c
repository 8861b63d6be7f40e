/* Hostile guest, attack: PSCI SYSTEM_RESET from vCPU1 while vCPU0 is
 * runnable (it spins and never WFIs, so it sits in a run queue or runs on
 * another CPU). The reset must stop and rebuild the domain exactly once
 * (freed once, rebuilt once) without losing the other vCPUs queued on the
 * same CPU, again and again: the guest resets every boot while its creation
 * time (CNTPCT - CNTVCT, renewed by each rebuild) is under RESET_UNTIL_MS,
 * then passes and powers off. Its kernel must be copied (loaded at an
 * address that is not 2 MiB-aligned) so that it can be rebuilt. */
#include "lib.h"

#define RESET_UNTIL_MS 2500
#define SCRATCH ((volatile uint64_t *)0x40800000UL) /* past the image, in RAM */
#define MAGIC 0x5eedf00ddeadbeefULL

extern char secondary_entry[];
static char stack1[4096] __attribute__((aligned(16)));

/* vCPU1: let vCPU0 get going (running on another CPU, or preempted and
 * queued behind a neighbour), for 0 to 15 ms, a different time each boot,
 * then reset the whole domain. */
void guest_secondary(void);
void guest_secondary(void)
{
    uint64_t freq, pct, t0, t;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntpct_el0; mrs %2, cntvct_el0"
                     : "=r"(freq), "=r"(pct), "=r"(t0));
    uint64_t wait = freq / 1000000 * ((pct >> 4) % 15000);
    do
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    while (t - t0 < wait);
    hvc(0x84000009, 0, 0, 0); /* SYSTEM_RESET */
    puts_("FAIL: hostile-reset: SYSTEM_RESET returned\n");
    psci_system_off();
}

void guest_main(void);
void guest_main(void)
{
    uint64_t freq, pct, vct;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntpct_el0; mrs %2, cntvct_el0"
                     : "=r"(freq), "=r"(pct), "=r"(vct));
    uint64_t created_ms = (pct - vct) / (freq / 1000);
    if (*SCRATCH != 0) {
        puts_("FAIL: hostile-reset: RAM still holds the previous boot's marker\n");
        psci_system_off();
    }
    *SCRATCH = MAGIC;
    if (created_ms < RESET_UNTIL_MS) {
        puts_("hostile-reset: booted, created at ");
        put_hex(created_ms);
        puts_(" ms: vCPU1 resets while I spin\n");
        if ((int64_t)hvc(0xc4000003, 1, (uint64_t)secondary_entry, (uint64_t)(stack1 + sizeof(stack1))) != 0) {
            puts_("FAIL: hostile-reset: CPU_ON of vCPU1\n");
            psci_system_off();
        }
        for (;;) /* runnable forever: never WFI, never trap */
            __asm__ volatile("" ::: "memory");
    }
    puts_("hostile-reset: created at ");
    put_hex(created_ms);
    puts_(" ms, done resetting\n");
    puts_("PASS: RAM was zeroed by every rebuild\n");
    puts_("hostile-reset: all checks passed\n");
    psci_system_off();
}
