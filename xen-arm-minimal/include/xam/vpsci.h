/* PSCI 1.1 and the SMCCC discovery calls, as guests see them. */
#ifndef XAM_VPSCI_H
#define XAM_VPSCI_H

#include <xam/types.h>

struct vcpu;

/* Handle the call in x0..x3 and write the result to x0. Returns false if
 * the calling vCPU stopped (CPU_OFF, SYSTEM_OFF...). */
bool vpsci_call(struct vcpu *v);

#endif
