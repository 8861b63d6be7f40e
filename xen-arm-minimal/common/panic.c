/* Fatal paths: panic(), the stack protector, and powering off. */
#include <asm/percpu.h>
#include <asm/psci.h>
#include <asm/sysreg.h>
#include <stdarg.h>
#include <xam/fmt.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/shutdown.h>

/* libfdt.a (built for Linux user space) and our own -fstack-protector code
 * check this canary; head.S seeds it from the counter before any C runs. */
uintptr_t __stack_chk_guard;
static volatile int crashing;
void __stack_chk_fail(void) __noreturn;

void __stack_chk_fail(void)
{
    panic("stack protector: stack smashed in a function called from %p", __builtin_return_address(0));
}

bool crash_enter(void)
{
    irq_disable();
    if (__atomic_exchange_n(&crashing, 1, __ATOMIC_ACQ_REL))
        return false;
    /* Whoever holds the console lock may never release it now. */
    console_break_lock();
    return true;
}

static void halt_forever(void) __noreturn;
static void halt_forever(void)
{
    irq_disable();
    for (;;)
        wfi();
}

void machine_poweroff(void)
{
    irq_disable();
    console_flush();
    psci_system_off();
    log_err("power-off failed: %s; halting", psci_conduit() == PSCI_CONDUIT_NONE ? "no PSCI" : "firmware refused");
    console_flush();
    halt_forever();
}

void machine_stop_after_crash(void)
{
    for (unsigned i = 0; i < nr_pcpus; i++)
        if (pcpus[i].online && &pcpus[i] != this_cpu())
            irq_send_sgi(i, SGI_STOP);
    log_err("stopping the machine");
    machine_poweroff();
}

void panic(const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    if (!crash_enter())
        halt_forever(); /* a panic while panicking: the first report stands */
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    unsigned cpu = current_el() == 2 && read_sysreg(tpidr_el2) ? this_cpu_id() : 0;
    log_err("PANIC on CPU%u: %s", cpu, msg);
    machine_stop_after_crash();
}
