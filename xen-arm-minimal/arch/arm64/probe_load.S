/* The one load that may fault on purpose (arch/arm64/probe.c): the EL2
 * synchronous vector recognises its address and skips it. */
    .text
    .balign 4
    .global probe_load32
    .global probe_load64
    .global probe_load32_insn
    .global probe_load64_insn
probe_load32:
probe_load32_insn:
    ldr     w0, [x0]
    ret
probe_load64:
probe_load64_insn:
    ldr     x0, [x0]
    ret
