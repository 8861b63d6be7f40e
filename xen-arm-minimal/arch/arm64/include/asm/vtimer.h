/* Guests' virtual timers: the hardware EL1 virtual timer, switched with the
 * vCPU (CNTV_CTL/CVAL, CNTVOFF per domain); its interrupt, taken at EL2, is
 * delivered to the vCPU as PPI 27, also while that vCPU sleeps in WFI. */
#ifndef ASM_VTIMER_H
#define ASM_VTIMER_H

#include <xam/types.h>

struct vcpu;

int vtimer_init(unsigned host_virt_intid);
void vtimer_cpu_init(void);
/* For a vCPU about to block (its timer state still loaded): the physical
 * counter value its timer fires at, 0 if it is not armed. Sets *due if it
 * has already fired. */
uint64_t vtimer_deadline_loaded(struct vcpu *v, bool *due);
/* A blocked vCPU's deadline passed: mask its saved timer (the caller
 * delivers PPI 27). */
void vtimer_expire_saved(struct vcpu *v);

#endif
