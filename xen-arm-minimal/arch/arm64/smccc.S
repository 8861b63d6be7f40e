/*
 * SMC Calling Convention calls to firmware (or to QEMU's built-in PSCI).
 * uint64_t smccc_smc(fid, a1, a2, a3); the same for hvc. Every register the
 * callee may clobber under SMCCC 1.0 (x0-x17) is caller-saved in AAPCS64,
 * so a plain function call is enough.
 */
    .text
    .global smccc_smc
smccc_smc:
    smc     #0
    ret

    .global smccc_hvc
smccc_hvc:
    hvc     #0
    ret
