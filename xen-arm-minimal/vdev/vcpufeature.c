/* The CPU guests see (docs/domains.md, "CPU features"): the ID registers
 * (HCR_EL2.TID3 traps them) answered from the machine's sanitised view,
 * and the registers of the features that view hides, which the
 * hypervisor traps (HCR_EL2, CPTR_EL2, MDCR_EL2; arch/arm64/cpufeature.c),
 * answered as a CPU without the feature does: an undefined instruction.
 * Never a stopped domain: a guest probing registers is no fault. */
#include <asm/cpufeature.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/vcpufeature.h>

#define KEY_CRM(key) (((key) >> 1) & 0xf)
#define KEY_OP2(key) (((key) >> 17) & 7)

/* op0 3, op1 0, CRn 0, CRm 1-7: ID registers and reserved encodings (read
 * as zero, as the architecture has them); read-only */
static enum emul_result id_register(struct vcpu *v, struct sysreg_access *a)
{
    unsigned crm = KEY_CRM(a->key), op2 = KEY_OP2(a->key);
    if (!a->read || crm == 0) /* CRm 0 (MIDR, MPIDR, ...) is never trapped */
        return EMUL_UNDEF;
    /* SVE (ID_AA64PFR0.SVE, ID_AA64ZFR0) only to domains with Xen's sve */
    a->value = cpufeature_guest_idregs(v->dom->sve_bits != 0)->r[IDREG(crm, op2)];
    return EMUL_HANDLED;
}

static enum emul_result undefined(struct vcpu *v __unused, struct sysreg_access *a __unused) { return EMUL_UNDEF; }

int vcpufeature_init(void)
{
    static const struct sysreg_handler h[] = {
        { SYSREG_KEY(3, 0, 0, 0, 0), SYSREG_KEY(3, 7, 15, 8, 0), id_register, "ID registers" },
        /* op1 0, CRn 1, CRm 0: SCTLR2 (3), RGSR (5) and GCR (6) of MTE;
         * SCTLR, ACTLR, CPACR there never trap */
        { SYSREG_KEY(3, 0, 1, 0, 0), SYSREG_KEY_MASK & ~SYSREG_KEY(0, 0, 0, 0, 7), undefined, "SCTLR2, MTE" },
        /* TRFCR_EL1: trace filter (MDCR_EL2.TTRF) */
        { SYSREG_KEY(3, 0, 1, 2, 1), SYSREG_KEY_MASK, undefined, "TRFCR_EL1" },
        /* CRn 2, CRm 1-3: the pointer authentication keys, while
         * HCR_EL2.APK traps them (pointer auth hidden); CRm 0 op2 3 is
         * TCR2_EL1 (HCRX_EL2.TCR2En); TTBR0/1 and TCR never trap */
        { SYSREG_KEY(3, 0, 2, 0, 0), SYSREG_KEY(3, 7, 15, 12, 0), undefined, "pointer auth keys, TCR2" },
        /* CRn 5, op1 0: RAS error records (HCR_EL2.TERR), MTE's TFSR;
         * ESR, AFSR0/1 there never trap */
        { SYSREG_KEY(3, 0, 5, 0, 0), SYSREG_KEY(3, 7, 15, 0, 0), undefined, "RAS, TFSR" },
        /* LORegions (HCR_EL2.TLOR) */
        { SYSREG_KEY(3, 0, 10, 4, 0), SYSREG_KEY(3, 7, 15, 15, 0), undefined, "LORegions" },
        /* CRn 10, CRm 2: PIRE0, PIR, POR (the fine-grained traps' negative
         * bits, all clear); MAIR and AMAIR there never trap */
        { SYSREG_KEY(3, 0, 10, 2, 0), SYSREG_KEY(3, 4, 15, 15, 0), undefined, "PIR, POR" },
        /* op1 0, CRn 13, CRm 0: SCXTNUM_EL1 (HCR_EL2.EnSCXT clear),
         * ACCDATA_EL1; CONTEXTIDR and TPIDR_EL1 never trap */
        { SYSREG_KEY(3, 0, 13, 0, 0), SYSREG_KEY(3, 7, 15, 15, 0), undefined, "SCXTNUM_EL1, ACCDATA" },
        /* op1 3, CRn 13: activity monitors (CPTR_EL2.TAM), SCXTNUM_EL0;
         * TPIDR_EL0/TPIDRRO_EL0 there never trap */
        { SYSREG_KEY(3, 3, 13, 0, 0), SYSREG_KEY(3, 7, 15, 0, 0), undefined, "AMU, SCXTNUM_EL0" },
    };
    return emul_sysreg_register(h, ARRAY_SIZE(h));
}
