/* Host ("fake architecture") generic timer: the counter is a number the
 * test sets (fake_counter_set/advance); the EL2 timer of each fake CPU
 * records its deadline and callback (fake_timer_fire() calls it). */
#ifndef ASM_TIMER_H
#define ASM_TIMER_H

#include <asm/sysreg.h>
#include <xam/hostdt.h>

extern volatile uint64_t fake_counter;
extern volatile uint64_t fake_counter_step;

/* A clock that stands still unless the test moves it, or (with
 * fake_counter_moves) one that moves on by a step at every read, as a real
 * one does between any two reads. */
static inline uint64_t counter_read(void)
{
    uint64_t step = __atomic_load_n(&fake_counter_step, __ATOMIC_ACQUIRE);
    if (step)
        return __atomic_add_fetch(&fake_counter, step, __ATOMIC_ACQ_REL);
    return __atomic_load_n(&fake_counter, __ATOMIC_ACQUIRE);
}

uint64_t counter_freq(void);
uint64_t us_to_ticks(uint64_t us);
int timer_init(const struct hostdt_timer *t);
void timer_cpu_init(void);
typedef void (*timer_fn)(void);
void timer_set_deadline(uint64_t deadline, timer_fn fn);
void timer_cancel(void);
int64_t timer_selftest(uint64_t us, bool may_sleep);
#define TIMER_SELFTEST_US 20

#endif
