/* Entering and leaving a guest vCPU (arch/arm64/guest_entry.S). */
#ifndef ASM_GUEST_H
#define ASM_GUEST_H

#include <stdint.h>
#include <asm/asm-offsets.h>

/* The guest's general registers and return state, saved on every exit. */
struct guest_regs {
    uint64_t x[31];
    uint64_t pc; /* ELR_EL2 */
    uint64_t pstate; /* SPSR_EL2 */
};

enum guest_exit {
    GUEST_EXIT_SYNC = 0, /* a trap: ESR_EL2 says which */
    GUEST_EXIT_IRQ = 1, /* a physical interrupt arrived */
    GUEST_EXIT_SERROR = 2,
};

/* Run the guest until its next exit. The CPU's stage-2, EL1 system
 * registers and virtual interface must already hold the guest's state. */
enum guest_exit guest_enter(struct guest_regs *regs);

_Static_assert(__builtin_offsetof(struct guest_regs, pc) == GUEST_PC, "GUEST_PC");
_Static_assert(sizeof(struct guest_regs) == GUEST_REGS_SIZE, "GUEST_REGS_SIZE");

#endif
