/* Exceptions the hypervisor cannot handle end here: a decoded crash report
 * on the console, then the machine stops. */
#include <asm/percpu.h>
#include <asm/regs.h>
#include <asm/sysreg.h>
#include <asm/traps.h>
#include <xam/log.h>
#include <xam/shutdown.h>

void el2_fatal_exception(struct cpu_regs *regs, unsigned vector) __noreturn;

static const char *const vector_names[16] = {
    "synchronous exception at EL2 (SP_EL0)",
    "IRQ at EL2 (SP_EL0)",
    "FIQ at EL2 (SP_EL0)",
    "SError at EL2 (SP_EL0)",
    "synchronous exception at EL2",
    "IRQ at EL2",
    "FIQ at EL2",
    "SError at EL2",
    "synchronous exception from a lower EL (AArch64)",
    "IRQ from a lower EL (AArch64)",
    "FIQ from a lower EL (AArch64)",
    "SError from a lower EL (AArch64)",
    "synchronous exception from a lower EL (AArch32)",
    "IRQ from a lower EL (AArch32)",
    "FIQ from a lower EL (AArch32)",
    "SError from a lower EL (AArch32)",
};

void el2_fatal_exception(struct cpu_regs *regs, unsigned vector)
{
    if (!crash_enter())
        for (;;)
            wfi();

    unsigned cpu = read_sysreg(tpidr_el2) ? this_cpu_id() : 0;
    unsigned ec = ESR_EC(regs->esr);
    char abort[96];

    log_err("*** CRASH on CPU%u: %s", cpu, vector_names[vector & 15]);
    log_err("*** cause: %s (EC 0x%02x)", esr_class_name(ec), ec);
    esr_describe_abort(regs->esr, abort, sizeof(abort));
    if (abort[0])
        log_err("*** fault: %s at address 0x%016llx", abort, (unsigned long long)regs->far);
    log_err("*** ESR_EL2 0x%016llx  FAR_EL2 0x%016llx", (unsigned long long)regs->esr, (unsigned long long)regs->far);
    log_err("*** ELR_EL2 0x%016llx  SPSR_EL2 0x%016llx  SP 0x%016llx", (unsigned long long)regs->elr,
            (unsigned long long)regs->spsr, (unsigned long long)regs->sp);
    for (unsigned i = 0; i < 31; i += 3) {
        if (i + 2 < 31)
            log_err("*** x%-2u 0x%016llx  x%-2u 0x%016llx  x%-2u 0x%016llx", i, (unsigned long long)regs->x[i], i + 1,
                    (unsigned long long)regs->x[i + 1], i + 2, (unsigned long long)regs->x[i + 2]);
        else
            log_err("*** x%-2u 0x%016llx", i, (unsigned long long)regs->x[i]);
    }
    machine_stop_after_crash();
}
