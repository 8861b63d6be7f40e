/* GICv3 set-up shared by the test guests that take interrupts. */
#ifndef GUEST_GICV3_H
#define GUEST_GICV3_H

#include <stdint.h>

#define GICD 0x03001000UL
#define GICR(cpu) (0x03020000UL + (cpu)*0x20000UL)
#define SGI_FRAME 0x10000UL

/* Distributor on, with affinity routing and group 1. */
void gic_dist_enable(void);
/* This vCPU's redistributor awake, these private interrupts enabled, its
 * CPU interface open, vectors installed, IRQs unmasked. */
void gic_cpu_init(unsigned cpu, uint32_t private_mask);
/* Enable SPI intid, routed to vCPU 0. */
void gic_enable_spi(unsigned intid);
/* Acknowledge the highest-priority interrupt / signal its end. */
unsigned gic_ack(void);
void gic_eoi(unsigned intid);

#endif
