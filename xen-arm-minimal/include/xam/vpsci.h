/* PSCI 1.1 and the SMCCC discovery calls, as guests see them. */
#ifndef XAM_VPSCI_H
#define XAM_VPSCI_H

#include <xam/types.h>

struct vcpu;

/* At boot: take HVC #0 and SMC #0. */
int vpsci_init(void);

#endif
