/* The generic timer: the system counter, and the EL2 physical timer
 * (CNTHP) that the hypervisor schedules with. */
#ifndef ASM_TIMER_H
#define ASM_TIMER_H

#include <asm/sysreg.h>
#include <xam/hostdt.h>

static inline uint64_t counter_read(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

uint64_t counter_freq(void);
uint64_t us_to_ticks(uint64_t us);

/* Boot CPU: read frequency and PPIs, hook the EL2 timer interrupt. */
int timer_init(const struct hostdt_timer *t);
/* Every CPU: enable the EL2 timer PPI, give EL1 the physical counter. */
void timer_cpu_init(void);

typedef void (*timer_fn)(void);
/* Program this CPU's EL2 timer to fire at counter value `deadline` and call
 * fn from the interrupt (fn may be NULL: only wake the CPU). */
void timer_set_deadline(uint64_t deadline, timer_fn fn);
void timer_cancel(void);
/* Check this CPU's EL2 timer end to end: arm it and wait for the interrupt.
 * Returns the observed delay in microseconds, or -1 on time-out. With
 * may_sleep the CPU waits in WFI (cheap, but only safe where another CPU
 * watches for a hang); otherwise it polls with a time-out. */
int64_t timer_selftest(uint64_t us, bool may_sleep);
/* The delay each CPU checks at boot: long enough to see the interrupt
 * come from the timer (well over the few microseconds a trap takes), short
 * because every CPU's boot waits for it (200 us was 7 % of entry -> ready
 * under -icount). */
#define TIMER_SELFTEST_US 20

#endif
