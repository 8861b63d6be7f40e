/* The register frame saved on every exception taken to EL2. */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <stdint.h>
#include <asm/asm-offsets.h>

struct cpu_regs {
    uint64_t x[31];
    uint64_t sp; /* SP at the time of the exception */
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
};

_Static_assert(__builtin_offsetof(struct cpu_regs, sp) == FRAME_SP, "FRAME_SP");
_Static_assert(__builtin_offsetof(struct cpu_regs, elr) == FRAME_ELR, "FRAME_ELR");
_Static_assert(__builtin_offsetof(struct cpu_regs, esr) == FRAME_ESR, "FRAME_ESR");
_Static_assert(__builtin_offsetof(struct cpu_regs, far) == FRAME_FAR, "FRAME_FAR");
_Static_assert(sizeof(struct cpu_regs) == FRAME_SIZE, "FRAME_SIZE");

#endif
