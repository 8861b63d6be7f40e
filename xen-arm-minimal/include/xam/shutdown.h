/* Ending a run: power the machine off through PSCI SYSTEM_OFF, so QEMU
 * exits; if firmware cannot, halt every CPU with a last message. */
#ifndef XAM_SHUTDOWN_H
#define XAM_SHUTDOWN_H

#include <xam/types.h>

void machine_poweroff(void) __noreturn;
/* After a fatal error: stop the other CPUs, then power off. */
void machine_stop_after_crash(void) __noreturn;
/* For crash paths: true on the first call, false on any nested one. */
bool crash_enter(void);

#endif
