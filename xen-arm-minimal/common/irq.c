/* Dispatch of physical interrupts taken at EL2. */
#include <asm/percpu.h>
#include <asm/regs.h>
#include <xam/errno.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/gic.h>

static struct {
    irq_handler_t fn;
    void *arg;
} handlers[NR_INTIDS];

int irq_register(unsigned intid, irq_handler_t fn, void *arg)
{
    if (intid >= NR_INTIDS || !fn)
        return -XAM_EINVAL;
    if (handlers[intid].fn && handlers[intid].fn != fn)
        return -XAM_EBUSY;
    handlers[intid].arg = arg;
    handlers[intid].fn = fn;
    return 0;
}

void irq_enable_line(unsigned intid) { gic()->enable(intid); }

void irq_disable_line(unsigned intid) { gic()->disable(intid); }

void irq_send_sgi(unsigned cpu, enum sgi sgi) { gic()->send_sgi(&pcpus[cpu], sgi); }

void irq_handle(struct cpu_regs *regs __unused)
{
    const struct gic_ops *g = gic();
    for (;;) {
        unsigned intid = g->ack();
        if (intid >= NR_INTIDS) /* 1020-1023: spurious, nothing pending */
            return;
        /* Drop priority first so the handler may take other interrupts'
         * wake-ups; deactivate when it is done. */
        g->eoi(intid);
        if (handlers[intid].fn)
            handlers[intid].fn(intid, handlers[intid].arg);
        else
            log_warn("CPU%u: interrupt %u has no handler", this_cpu_id(), intid);
        g->deactivate(intid);
    }
}
