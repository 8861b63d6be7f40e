/* Host device interrupts given to a guest (passthrough): level-triggered
 * SPIs, same INTID on both sides, as Xen does. */
#ifndef XAM_IRQ_FORWARD_H
#define XAM_IRQ_FORWARD_H

struct domain;

/* d takes host SPI intid: it is masked at the host whenever it fires and
 * raised in d's vGIC. -XAM_EBUSY if another domain (or the hypervisor)
 * has it. */
int irq_forward_claim(struct domain *d, unsigned intid);
/* d stopped: its lines are masked and free again. */
void irq_forward_release(struct domain *d);
/* At boot: release a domain's interrupts when it stops. */
int irq_forward_init(void);
/* The guest finished with intid (vGIC): unmask it at the host. */
void irq_forward_done(unsigned intid);

#endif
