#include <asm/percpu.h>
#include <asm/timer.h>
#include <xam/errno.h>
#include <xam/irq.h>
#include <xam/log.h>

static uint64_t freq;
static unsigned hyp_intid;

uint64_t counter_freq(void) { return freq; }

uint64_t us_to_ticks(uint64_t us) { return us * (freq / 1000000) + us * (freq % 1000000) / 1000000; }

static void hyp_timer_irq(unsigned intid __unused, void *arg __unused)
{
    struct pcpu *c = this_cpu();
    write_sysreg(CNT_CTL_IMASK, cnthp_ctl_el2);
    c->timer_on = false;
    c->timer_fired++;
    timer_fn fn = c->timer_fn;
    c->timer_fn = NULL;
    if (fn)
        fn();
}

int timer_init(const struct hostdt_timer *t)
{
    freq = read_sysreg(cntfrq_el0);
    if (freq == 0 && t->clock_frequency)
        freq = t->clock_frequency;
    if (freq == 0)
        return -XAM_EINVAL;
    hyp_intid = t->hyp_phys;
    return irq_register(hyp_intid, hyp_timer_irq, NULL);
}

void timer_cpu_init(void)
{
    write_sysreg(CNT_CTL_IMASK, cnthp_ctl_el2);
    this_cpu()->timer_on = false;
    /* Guests may read the physical counter but not program the EL1
     * physical timer: its interrupt would reach EL2 with nobody to give it
     * to, so accesses trap (and are a guest fault); guests use the virtual
     * timer, as Linux does. EL2 gets an event stream (bit 12 of the
     * counter: about every 130 us at 62.5 MHz) so that no WFE-based wait
     * can sleep forever on an event that never comes. */
    write_sysreg(CNTHCTL_EL1PCTEN | CNTHCTL_EVNTEN | (12UL << 4), cnthctl_el2);
    isb();
    irq_enable_line(hyp_intid);
}

/* The timer's registers are written only when what they hold changes:
 * the scheduler re-arms on every look at its queue, mostly with the same
 * deadline or none, and each write is slow on QEMU (its big lock, a
 * reprogrammed host timer). Interrupts are masked by the callers. */
void timer_set_deadline(uint64_t deadline, timer_fn fn)
{
    struct pcpu *c = this_cpu();
    c->timer_fn = fn;
    if (c->timer_on && c->timer_deadline == deadline)
        return;
    write_sysreg(deadline, cnthp_cval_el2);
    if (!c->timer_on)
        write_sysreg(CNT_CTL_ENABLE, cnthp_ctl_el2);
    c->timer_deadline = deadline;
    c->timer_on = true;
    isb();
}

void timer_cancel(void)
{
    struct pcpu *c = this_cpu();
    c->timer_fn = NULL;
    if (!c->timer_on)
        return;
    write_sysreg(CNT_CTL_IMASK, cnthp_ctl_el2);
    c->timer_on = false;
    isb();
}

int64_t timer_selftest(uint64_t us, bool may_sleep)
{
    struct pcpu *c = this_cpu();
    uint64_t fired = c->timer_fired;
    uint64_t start = counter_read();
    uint64_t limit = start + us_to_ticks(us) + freq; /* a second of slack */

    timer_set_deadline(start + us_to_ticks(us), NULL);
    if (may_sleep) {
        /* WFI with IRQs masked still wakes on the pending interrupt, and
         * no wake-up can slip in between the check and the WFI. */
        while (__atomic_load_n(&c->timer_fired, __ATOMIC_RELAXED) == fired) {
            wfi();
            irq_enable();
            isb();
            irq_disable();
        }
    } else {
        /* Poll: if the interrupt never came, WFI would never return and
         * the time-out could not be reported. */
        irq_enable();
        while (__atomic_load_n(&c->timer_fired, __ATOMIC_RELAXED) == fired && counter_read() < limit)
            __asm__ volatile("yield");
        irq_disable();
    }
    if (c->timer_fired == fired) {
        timer_cancel();
        return -1;
    }
    return (int64_t)((counter_read() - start) * 1000000 / freq);
}
