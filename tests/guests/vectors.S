/* EL1 exception vectors for test guests: IRQs go to guest_irq(); anything
 * else reports and powers the domain off so a test cannot hang. */
.macro ventry label
    .balign 0x80
    b       \label
.endm

    .text
    .balign 2048
    .global guest_vectors
guest_vectors:
    .rept 4
    ventry  unexpected
    .endr
    ventry  unexpected      /* current EL, SPx: sync */
    ventry  irq_entry       /* current EL, SPx: IRQ */
    ventry  unexpected
    ventry  unexpected
    .rept 8
    ventry  unexpected
    .endr

irq_entry:
    sub     sp, sp, #176
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    str     x30, [sp, #160]
    bl      guest_irq
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x29, [sp, #144]
    ldr     x30, [sp, #160]
    add     sp, sp, #176
    eret

unexpected:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    bl      guest_unexpected
1:  b       1b

/* Secondary vCPUs start here from PSCI CPU_ON with x0 = their stack top. */
    .global secondary_entry
secondary_entry:
    mov     sp, x0
    bl      guest_secondary
2:  wfi
    b       2b
