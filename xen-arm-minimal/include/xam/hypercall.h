/* Xen's hypercall ABI for guests (HVC #0xEA1): what unmodified Linux calls
 * when its device tree has a hypervisor node, and the device-model calls. */
#ifndef XAM_HYPERCALL_H
#define XAM_HYPERCALL_H

#include <xam/types.h>

struct vcpu;
struct domain;

/* At boot: take HVC #0xEA1. */
int hypercall_init(void);

#endif
