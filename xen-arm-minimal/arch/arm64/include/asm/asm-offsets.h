/* Layouts shared between assembly and C. C asserts them with static_assert
 * (arch/arm64/traps.c, smp.c) so the two can never drift apart. */
#ifndef ASM_OFFSETS_H
#define ASM_OFFSETS_H

#define STACK_SIZE 16384
#define STACK_SHIFT 14

/* struct cpu_regs */
#define FRAME_X0 0
#define FRAME_SP 248
#define FRAME_ELR 256
#define FRAME_SPSR 264
#define FRAME_ESR 272
#define FRAME_FAR 280
#define FRAME_SIZE 288

/* struct secondary_boot */
#define SB_MAIR 0
#define SB_TCR 8
#define SB_TTBR 16
#define SB_SCTLR 24

/* struct guest_regs */
#define GUEST_PC 248
#define GUEST_REGS_SIZE 264

/* struct pcpu: the guest being run, for the exit path */
#define PCPU_GUEST_REGS 8

#define R_AARCH64_RELATIVE 1027

#endif
