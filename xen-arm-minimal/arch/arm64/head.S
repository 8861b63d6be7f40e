/*
 * Entry points: the arm64 Image header, the boot CPU's path into C, and the
 * secondary CPUs' path from PSCI CPU_ON. The image is linked at 0 as a
 * static PIE and relocates itself, so it runs at any 2 MiB-aligned address a
 * loader picks; after that, VA == PA (identity map).
 */
#include <asm/asm-offsets.h>
#include <asm/sysreg.h>

.macro adr_l reg, sym
    adrp \reg, \sym
    add \reg, \reg, :lo12:\sym
.endm

    .section .head.text, "ax"
    .global _start
_start:
    /* Image header, as Linux's Documentation/arch/arm64/booting.rst. */
    b       primary_entry           /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   0                       /* image_size: written after linking (build/image-header.sh) */
    .quad   0xa                     /* flags: LE, 4K pages, anywhere 2 MiB-aligned */
    .quad   0, 0, 0                 /* res2..res4 */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* res5 */

primary_entry:
    /* First thing: the counter value that the boot timeline starts from. */
    isb
    mrs     x19, cntpct_el0
    mov     x20, x0                 /* DTB address */
    msr     daifset, #0xf
    adr_l   x21, _start             /* load address == link offset */
    mrs     x22, CurrentEL
    ubfx    x22, x22, #2, #2

    bl      el_setup
    cmp     x22, #2
    b.ne    0f
    /* this_cpu() is the boot CPU's from the first line of C: the console
     * asks which CPU writes before smp.c sets CPU0 up (pcpus[0].id is 0:
     * .bss, zeroed next) */
    adr_l   x0, pcpus
    msr     tpidr_el2, x0
0:
    /* Zero .bss (with the MMU off these stores go straight to memory;
     * DC ZVA would fault on what is then Device memory). 64 bytes a turn,
     * both ends 64-byte aligned (xam.lds): it is over a megabyte. */
    adr_l   x0, __bss_start
    adr_l   x1, __bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0]
    stp     xzr, xzr, [x0, #16]
    stp     xzr, xzr, [x0, #32]
    stp     xzr, xzr, [x0, #48]
    add     x0, x0, #64
    b       1b
2:
    /* Self-relocate: the linker left only R_AARCH64_RELATIVE entries
     * (checked at build time), each "*(base + off) = base + addend". */
    adr_l   x0, __rela_start
    adr_l   x1, __rela_end
3:  cmp     x0, x1
    b.hs    4f
    ldp     x2, x3, [x0], #16
    ldr     x4, [x0], #8
    cmp     x3, #R_AARCH64_RELATIVE
    b.ne    3b
    add     x4, x4, x21
    str     x4, [x21, x2]
    b       3b
4:
    msr     spsel, #1
    adr_l   x0, boot_stacks
    add     x0, x0, #STACK_SIZE
    mov     sp, x0
    mov     x29, #0

    /* Seed the stack protector before any protected C frame exists. */
    mrs     x0, cntpct_el0
    movz    x1, #0x5a3c
    movk    x1, #0x96e1, lsl #16
    movk    x1, #0x0f7b, lsl #32
    movk    x1, #0xd2c4, lsl #48
    eor     x0, x0, x1
    eor     x0, x0, x21, ror #23
    adr_l   x1, __stack_chk_guard
    str     x0, [x1]

    mov     x0, x20
    mov     x1, x19
    mov     x2, x22
    mov     x3, x21
    bl      boot_primary
5:  wfi
    b       5b

/*
 * Put the entry EL into a state C can run in with the MMU off.
 * At EL2: AArch64 EL1, no VHE, FP/SIMD untrapped (libfdt uses it), MMU and
 * caches off. At EL1 (only to print why we stop): FP/SIMD enabled.
 */
el_setup:
    cmp     x22, #2
    b.ne    1f
    mov     x0, #HCR_RW
    msr     hcr_el2, x0
    mov     x0, #CPTR_EL2_RES1
    msr     cptr_el2, x0
    ldr     x0, =SCTLR_EL2_RES1
    msr     sctlr_el2, x0
    msr     cntvoff_el2, xzr
    /* TPIDR_EL2 (this_cpu()) resets to an UNKNOWN value: 0 until the
     * caller or smp.c sets it, so that a crash report reads no wild
     * pointer (arch/arm64/traps.c) */
    msr     tpidr_el2, xzr
    isb
    ret
1:  cmp     x22, #1
    b.ne    2f
    mov     x0, #(3 << 20)          /* CPACR_EL1.FPEN: no FP traps */
    msr     cpacr_el1, x0
    ldr     x0, =SCTLR_EL1_RES1
    msr     sctlr_el1, x0
    isb
2:  ret

/*
 * Secondary CPUs arrive here from PSCI CPU_ON with x0 = their CPU index,
 * the MMU off. They read only secondary_boot (cleaned to PoC by the boot
 * CPU) before turning the MMU on, and touch their stack only after.
 */
    .text
    .global secondary_entry
secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    mov     x22, #2
    mrs     x1, CurrentEL
    ubfx    x1, x1, #2, #2
    cmp     x1, #2
    b.ne    9f
    bl      el_setup

    adr_l   x1, secondary_boot
    ldr     x2, [x1, #SB_MAIR]
    msr     mair_el2, x2
    ldr     x2, [x1, #SB_TCR]
    msr     tcr_el2, x2
    ldr     x2, [x1, #SB_TTBR]
    msr     ttbr0_el2, x2
    isb
    tlbi    alle2
    dsb     nsh
    ldr     x2, [x1, #SB_SCTLR]
    msr     sctlr_el2, x2
    isb
    ic      iallu
    dsb     nsh
    isb

    msr     spsel, #1
    adr_l   x0, boot_stacks
    add     x1, x19, #1
    add     x0, x0, x1, lsl #STACK_SHIFT
    mov     sp, x0
    mov     x29, #0
    mov     x0, x19
    bl      secondary_main
9:  wfi
    b       9b

/* mmu_enable(mair, tcr, ttbr, sctlr): turn on this CPU's EL2 stage 1. */
    .global mmu_enable
mmu_enable:
    msr     mair_el2, x0
    msr     tcr_el2, x1
    msr     ttbr0_el2, x2
    isb
    tlbi    alle2
    dsb     nsh
    msr     sctlr_el2, x3
    isb
    ic      iallu
    dsb     nsh
    isb
    ret

    .ltorg
