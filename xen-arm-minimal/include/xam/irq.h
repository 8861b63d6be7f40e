/* Physical interrupts taken by the hypervisor. Handlers for SGIs and PPIs
 * are the same on every CPU; the line is enabled per CPU. */
#ifndef XAM_IRQ_H
#define XAM_IRQ_H

#include <xam/types.h>

#define NR_INTIDS 1020

/* Software-generated interrupts the hypervisor sends between its CPUs. */
enum sgi {
    SGI_PING = 0, /* answer (bring-up check) */
    SGI_CRASH = 1, /* crash-test= on another CPU */
    SGI_STOP = 2, /* stop this CPU (panic elsewhere) */
    SGI_KICK = 3, /* look at the run queue again */
};

typedef void (*irq_handler_t)(unsigned intid, void *arg);

int irq_register(unsigned intid, irq_handler_t fn, void *arg);
void irq_enable_line(unsigned intid);
void irq_disable_line(unsigned intid);
void irq_send_sgi(unsigned cpu, enum sgi sgi);

struct cpu_regs;
void irq_handle(struct cpu_regs *regs);

#endif
