/* Host device interrupts given to a guest (passthrough): level-high or
 * rising-edge SPIs, same INTID on both sides, as Xen does. */
#ifndef XAM_IRQ_FORWARD_H
#define XAM_IRQ_FORWARD_H

#include <xam/types.h>

struct domain;

/* d takes host SPI intid, configured rising-edge (edge) or level-high at
 * the host GIC: a level one is masked at the host whenever it fires and
 * raised in d's vGIC, an edge one made pending there. -XAM_EBUSY if
 * another domain (or the hypervisor) has it. */
int irq_forward_claim(struct domain *d, unsigned intid, bool edge);
/* d stopped: its lines are masked and free again. */
void irq_forward_release(struct domain *d);
/* At boot: release a domain's interrupts when it stops. */
int irq_forward_init(void);
/* The guest finished with intid (vGIC): unmask it at the host. */
void irq_forward_done(unsigned intid);

#endif
