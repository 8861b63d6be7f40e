/*
 * EL2 exception vectors. Every entry saves a full struct cpu_regs frame on
 * the current stack and calls C with a pointer to it. IRQs return; anything
 * the hypervisor cannot handle (its own faults, SErrors, exceptions from
 * lower ELs until guests exist) ends in a crash report.
 */
#include <asm/asm-offsets.h>

.macro save_frame
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #16 * 0]
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x19, [sp, #16 * 9]
    stp     x20, x21, [sp, #16 * 10]
    stp     x22, x23, [sp, #16 * 11]
    stp     x24, x25, [sp, #16 * 12]
    stp     x26, x27, [sp, #16 * 13]
    stp     x28, x29, [sp, #16 * 14]
    add     x0, sp, #FRAME_SIZE
    stp     x30, x0, [sp, #16 * 15]
    mrs     x0, elr_el2
    mrs     x1, spsr_el2
    stp     x0, x1, [sp, #FRAME_ELR]
    mrs     x0, esr_el2
    mrs     x1, far_el2
    stp     x0, x1, [sp, #FRAME_ESR]
.endm

.macro restore_frame
    ldp     x0, x1, [sp, #FRAME_ELR]
    msr     elr_el2, x0
    msr     spsr_el2, x1
    ldp     x0, x1, [sp, #16 * 0]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x18, x19, [sp, #16 * 9]
    ldp     x20, x21, [sp, #16 * 10]
    ldp     x22, x23, [sp, #16 * 11]
    ldp     x24, x25, [sp, #16 * 12]
    ldp     x26, x27, [sp, #16 * 13]
    ldp     x28, x29, [sp, #16 * 14]
    ldr     x30, [sp, #16 * 15]
    add     sp, sp, #FRAME_SIZE
.endm

/* Fatal entries: x1 says which vector, for the report. */
.macro fatal_entry kind
    save_frame
    mov     x0, sp
    mov     x1, #\kind
    bl      el2_fatal_exception
    b       .
.endm

/* From a guest: back to guest_enter's caller (guest_entry.S). */
.macro guest_exit_entry kind
    stp     x0, x1, [sp, #-16]!
    mov     x1, #\kind
    b       guest_exit
.endm

.macro ventry label
    .balign 0x80
    b       \label
.endm

    /* First in .text (xam.lds): the two 2 KiB-aligned tables sit back to
     * back at its start, so no other code's size moves them and pads the
     * image. */
    .section .text.vectors, "ax"
    .balign 2048
    .global el2_vectors
el2_vectors:
    ventry  cur_sp0_sync
    ventry  cur_sp0_irq
    ventry  cur_sp0_fiq
    ventry  cur_sp0_serror
    ventry  cur_spx_sync
    ventry  cur_spx_irq
    ventry  cur_spx_fiq
    ventry  cur_spx_serror
    ventry  low64_sync
    ventry  low64_irq
    ventry  low64_fiq
    ventry  low64_serror
    ventry  low32_sync
    ventry  low32_irq
    ventry  low32_fiq
    ventry  low32_serror

/* At EL1 (only while refusing to run) any exception just parks the CPU:
 * e.g. a PSCI call into a missing EL2/EL3 would otherwise loop on garbage. */
.macro park_entry
    .balign 0x80
1:  wfi
    b       1b
.endm

    .balign 2048 /* right after el2_vectors' 2 KiB: no padding */
    .global el1_park_vectors
el1_park_vectors:
    .rept 16
    park_entry
    .endr

cur_sp0_sync:   fatal_entry 0
cur_sp0_irq:    fatal_entry 1
cur_sp0_fiq:    fatal_entry 2
cur_sp0_serror: fatal_entry 3
/* A synchronous exception at EL2 is fatal, but for a probe's load that
 * found nothing (arch/arm64/probe.c): that one resumes after the load. */
cur_spx_sync:
    save_frame
    mov     x0, sp
    bl      probe_fixup
    cbz     x0, 1f
    restore_frame
    eret
1:  mov     x0, sp
    mov     x1, #4
    bl      el2_fatal_exception
    b       .
cur_spx_fiq:    fatal_entry 6
cur_spx_serror: fatal_entry 7
low64_fiq:      fatal_entry 10
low64_serror:   guest_exit_entry 2
low32_sync:     fatal_entry 12
low32_irq:      fatal_entry 13
low32_fiq:      fatal_entry 14
low32_serror:   fatal_entry 15

low64_sync:     guest_exit_entry 0
low64_irq:      guest_exit_entry 1

cur_spx_irq:
    save_frame
    mov     x0, sp
    bl      irq_handle
    restore_frame
    eret
