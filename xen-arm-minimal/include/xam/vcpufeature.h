/* The CPU guests see: ID registers and hidden features' registers. */
#ifndef XAM_VCPUFEATURE_H
#define XAM_VCPUFEATURE_H

/* At boot, after cpufeature_init_guests(): register the traps. */
int vcpufeature_init(void);

#endif
