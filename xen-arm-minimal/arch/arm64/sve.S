/* SVE state of an SVE domain's vCPU (asm/vcpu_arch.h, "sve_state_size"),
 * and the vector length probe. Assembly because the C code is built
 * -mgeneral-regs-only. Called with CPTR_EL2.TZ clear: the vector length
 * is EL2's own, ZCR_EL2.LEN, which the caller set to the domain's.
 * Layout at VL bytes a vector: Z0-Z31 (32 VL), P0-P15 (16 VL/8), FFR
 * (VL/8). Z0-Z31 hold V0-V31 in their low 128 bits, so for these vCPUs
 * this replaces fpsimd.S; FPSR and FPCR go where fpsimd.S puts them
 * (struct fpsimd_state, at 512 and 516). */
    .arch armv8.2-a+sve
    .text

/* unsigned sve_rdvl(void): the vector length in bytes */
    .global sve_rdvl
sve_rdvl:
    rdvl    x0, #1
    ret

/* void sve_save(void *regs, struct fpsimd_state *fp) */
    .global sve_save
sve_save:
    .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    str     z\n, [x0, #\n, mul vl]
    .endr
    addvl   x2, x0, #31
    addvl   x2, x2, #1
    .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    str     p\n, [x2, #\n, mul vl]
    .endr
    rdffr   p0.b
    str     p0, [x2, #16, mul vl]
    mrs     x3, fpsr
    mrs     x4, fpcr
    str     w3, [x1, #512]
    str     w4, [x1, #516]
    ret

/* void sve_load(const void *regs, const struct fpsimd_state *fp) */
    .global sve_load
sve_load:
    addvl   x2, x0, #31
    addvl   x2, x2, #1
    ldr     p0, [x2, #16, mul vl]
    wrffr   p0.b
    .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    ldr     p\n, [x2, #\n, mul vl]
    .endr
    .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ldr     z\n, [x0, #\n, mul vl]
    .endr
    ldr     w3, [x1, #512]
    ldr     w4, [x1, #516]
    msr     fpsr, x3
    msr     fpcr, x4
    ret
