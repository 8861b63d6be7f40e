/* A guest exit, handled: core/exit.c takes what the CPU recorded when the
 * vCPU left the guest and dispatches it by exception class. */
#ifndef XAM_EXIT_H
#define XAM_EXIT_H

#include <xam/types.h>

struct vcpu;

/* Enter v (loaded on this CPU) once and handle the exit. Returns whether
 * it may run on (still runnable, its domain running). */
bool vcpu_run(struct vcpu *v);
/* One recorded exit of v, handled (host tests drive this directly). */
void vcpu_handle_exit(struct vcpu *v);

#endif
