/* Reading an address that may have nothing behind it, without crashing:
 * RAM the device tree claims, a GIC frame it places. A synchronous external
 * abort on the probe's own load is turned into "nothing answers there"
 * (any other exception is still a crash). On any CPU, with the address
 * mapped at EL2. */
#ifndef ASM_PROBE_H
#define ASM_PROBE_H

#include <xam/types.h>

struct cpu_regs;

/* Whether the 32- or 64-bit load at pa completed; its value in *val. */
bool probe_read32(paddr_t pa, uint32_t *val);
bool probe_read64(paddr_t pa, uint64_t *val);
/* The EL2 synchronous vector asks: was this the probe's load faulting?
 * If so the frame resumes after it and true is returned. */
bool probe_fixup(struct cpu_regs *regs);

#endif
