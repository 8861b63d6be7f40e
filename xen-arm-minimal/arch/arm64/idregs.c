/* The guests' view of the ID registers (asm/idregs.h): one rule per
 * register, saying field by field what is shown. A field no rule shows is
 * hidden: it reads as its "fixed" value, 0 (not implemented) for almost
 * all. Shown are the features with no state of their own, or whose state
 * the context switch saves (EL1 registers, PSTATE, FP/SIMD, the pointer
 * authentication keys, Z/P/FFR for SVE domains only); hidden are those
 * with state nobody switches (SME, MTE, RAS error records, AMU, SPE, trace, LORegions, MPAM),
 * those that are the hypervisor's (EL2, EL3, VMIDs, stage 2) and those
 * whose instructions would not work as guests expect here (WFxT, MOPS,
 * LS64, TME). docs/domains.md has the table with reasons. */
#include <asm/idregs.h>

/* the 4-bit field at shift s */
#define F(s) (0xfULL << (s))
#define V(s, v) ((uint64_t)(v) << (s))
#define ALL (~0ULL)

struct idreg_rule {
    uint64_t show; /* fields shown: the lowest of the CPUs' values */
    uint64_t show_signed; /* the same, signed fields (0xf = -1, absent) */
    uint64_t capped; /* of those, the fields with a ceiling ... */
    uint64_t cap; /* ... and the ceilings */
    uint64_t fixed; /* every field not shown reads as this */
};

static const struct idreg_rule rules[IDREGS_NR] = {
    /* ID_PFR0: State0-3, CSV2 (at most 1: SCXTNUM is trapped), DIT;
     * hidden AMU, RAS */
    [IDREG(1, 0)] = { .show = F(0) | F(4) | F(8) | F(12) | F(16) | F(24), .capped = F(16), .cap = V(16, 1) },
    /* ID_PFR1: ProgMod, MProgMod, GenTimer, GIC; hidden Security and
     * Virtualization (the hypervisor's) */
    [IDREG(1, 1)] = { .show = F(0) | F(8) | F(16) | F(28) },
    /* ID_DFR0, ID_AFR0: hidden (no debug, PMU or trace for guests) */
    /* ID_MMFR0-3, ID_ISAR0-5, ID_MMFR4, ID_ISAR6, MVFR0-2, ID_MMFR5:
     * AArch32 EL0's memory model and instruction sets, no state beyond
     * the shared general and FP/SIMD registers */
    [IDREG(1, 4)] = { .show = ALL },
    [IDREG(1, 5)] = { .show = ALL },
    [IDREG(1, 6)] = { .show = ALL },
    [IDREG(1, 7)] = { .show = ALL },
    [IDREG(2, 0)] = { .show = ALL },
    [IDREG(2, 1)] = { .show = ALL },
    [IDREG(2, 2)] = { .show = ALL },
    [IDREG(2, 3)] = { .show = ALL },
    [IDREG(2, 4)] = { .show = ALL },
    [IDREG(2, 5)] = { .show = ALL },
    [IDREG(2, 6)] = { .show = ALL },
    [IDREG(2, 7)] = { .show = ALL },
    [IDREG(3, 0)] = { .show = ALL },
    [IDREG(3, 1)] = { .show = ALL },
    [IDREG(3, 2)] = { .show = ALL },
    /* ID_PFR2: CSV3, SSBS; hidden RAS_frac */
    [IDREG(3, 4)] = { .show = F(0) | F(4) },
    /* ID_DFR1 (MTPMU): hidden */
    [IDREG(3, 6)] = { .show = ALL },
    /* ID_AA64PFR0: EL0 (AArch32 too, if all CPUs have it), EL1 AArch64
     * only (HCR_EL2.RW), FP, AdvSIMD, GIC system registers, DIT, CSV2 (at
     * most 1), CSV3; SVE to SVE domains only (idregs_hide_sve). Hidden:
     * EL2, EL3, RAS, SEL2, MPAM, AMU, RME. */
    [IDREG(4, 0)] = { .show = F(0) | F(4) | F(24) | F(PFR0_SVE) | F(48) | F(56) | F(60),
                      .show_signed = F(16) | F(20),
                      .capped = F(4) | F(56),
                      .cap = V(4, 1) | V(56, 1) },
    /* ID_AA64PFR1: BT, SSBS (PSTATE and SCTLR_EL1 bits). Hidden: MTE,
     * RAS_frac, MPAM_frac, SME, RNDR_trap, CSV2_frac, NMI and later. */
    [IDREG(4, 1)] = { .show = F(0) | F(4) },
    /* ID_AA64ZFR0: SVE's instruction sets (SVE2, AES, BitPerm, BF16,
     * SHA3, SM4, I8MM, F32MM, F64MM, ...) on the Z and P registers, which
     * are switched for SVE domains; to them only (idregs_hide_sve) */
    [IDREG(4, 4)] = { .show = ALL },
    /* ID_AA64SMFR0, ID_AA64PFR2, ID_AA64FPFR0: hidden */
    /* ID_AA64DFR0: Armv8.0 debug (its registers read as zero, vdebug.c),
     * the breakpoint and watchpoint counts; no PMU, SPE, trace, BRBE;
     * DoubleLock not implemented (0xf) */
    [IDREG(5, 0)] = { .show = F(12) | F(20) | F(28), .fixed = V(0, 6) | V(36, 0xf) },
    /* ID_AA64DFR1, ID_AA64AFR0/1: hidden */
    /* ID_AA64ISAR0: AES, SHA1, SHA2, CRC32, Atomic, RDM, SHA3, SM3, SM4,
     * DP, FHM, TS, TLB, RNDR. Hidden: TME (transactional state). */
    [IDREG(6, 0)] = { .show = F(4) | F(8) | F(12) | F(16) | F(20) | F(28) | F(32) | F(36) | F(40) | F(44) | F(48) |
                          F(52) | F(56) | F(60) },
    /* ID_AA64ISAR1: DPB, APA, API, JSCVT, FCMA, LRCPC, GPA, GPI, FRINTTS,
     * SB, SPECRES, BF16, DGH, I8MM, XS. Hidden: LS64 (ACCDATA_EL1). */
    [IDREG(6, 1)] = { .show = ALL & ~F(60) },
    /* ID_AA64ISAR2: RPRES, GPA3, APA3, BC, PAC_frac, CLRBHB, CSSC.
     * Hidden: WFxT (WFIT/WFET trap as a plain WFI/WFE here, whose wait
     * has no deadline), MOPS (off in HCRX_EL2), SYSREG_128, SYSINSTR_128,
     * PRFMSLC, RPRFM, LUT, ATS1A. */
    [IDREG(6, 2)] = { .show = F(4) | F(8) | F(12) | F(20) | F(24) | F(28) | F(52) },
    /* ID_AA64ISAR3: hidden */
    /* ID_AA64MMFR0: PARange (at most the IPA size, idregs_finish),
     * ASIDBits, BigEnd, BigEndEL0, TGran16/64/4, ExS. Hidden: SNSMem,
     * the stage 2 granules, FGT, ECV (the hypervisor's). */
    [IDREG(7, 0)] = { .show = F(0) | F(4) | F(8) | F(16) | F(20) | F(44), .show_signed = F(24) | F(28) },
    /* ID_AA64MMFR1: HAFDBS, HPDS, PAN, SpecSEI, ETS, AFP, nTLBPA, ECBHB.
     * Hidden: VMIDBits, VH, XNX, TWED, HCX, TIDCP1 (the hypervisor's),
     * LO (LORegions, trapped), CMOW. */
    [IDREG(7, 1)] = { .show = F(0) | F(12) | F(20) | F(24) | F(36) | F(44) | F(48) | F(60) },
    /* ID_AA64MMFR2: CnP, UAO, IESB, VARange, CCIDX, ST, AT, TTL, BBM, E0PD.
     * Hidden: LSM, NV, IDS, FWB, EVT. */
    [IDREG(7, 2)] = { .show = F(0) | F(4) | F(12) | F(16) | F(20) | F(28) | F(32) | F(48) | F(52) | F(60) },
    /* ID_AA64MMFR3/4: hidden (TCR2, SCTLR2, S1PIE, S1POE, ...) */
};

bool idregs_read_needed(unsigned i) { return i < IDREGS_NR && (rules[i].show | rules[i].show_signed); }

static int as_signed(unsigned field) { return field >= 8 ? (int)field - 16 : (int)field; }

void idregs_sanitise(struct idregs *out, const struct idregs *raw)
{
    for (unsigned i = 0; i < IDREGS_NR; i++) {
        const struct idreg_rule *r = &rules[i];
        uint64_t shown = r->show | r->show_signed, v = r->fixed & ~shown;
        for (unsigned s = 0; s < 64; s += 4) {
            if (!(shown & F(s)))
                continue;
            unsigned f = idreg_field(raw->r[i], s);
            if (r->capped & F(s)) {
                unsigned cap = idreg_field(r->cap, s);
                bool above = (r->show_signed & F(s)) ? as_signed(f) > as_signed(cap) : f > cap;
                if (above)
                    f = cap;
            }
            v |= V(s, f);
        }
        out->r[i] = v;
    }
}

void idregs_intersect(struct idregs *acc, const struct idregs *view)
{
    for (unsigned i = 0; i < IDREGS_NR; i++) {
        const struct idreg_rule *r = &rules[i];
        for (unsigned s = 0; s < 64; s += 4) {
            unsigned a = idreg_field(acc->r[i], s), b = idreg_field(view->r[i], s);
            bool lower = (r->show_signed & F(s)) ? as_signed(b) < as_signed(a) : b < a;
            if ((r->show | r->show_signed) & F(s) && lower)
                acc->r[i] = (acc->r[i] & ~F(s)) | V(s, b);
        }
    }
}

void idregs_finish(struct idregs *view, unsigned parange)
{
    uint64_t *mmfr0 = &view->r[ID_AA64MMFR0];
    if (idreg_field(*mmfr0, MMFR0_PARANGE) > parange)
        *mmfr0 = (*mmfr0 & ~F(MMFR0_PARANGE)) | V(MMFR0_PARANGE, parange & 0xf);
    /* EL0 field 2: AArch64 and AArch32 */
    if (idreg_field(view->r[ID_AA64PFR0], PFR0_EL0) < 2)
        for (unsigned i = IDREG(1, 0); i <= IDREG(3, 7); i++)
            view->r[i] = 0;
}

void idregs_hide_sve(struct idregs *view)
{
    view->r[ID_AA64PFR0] &= ~F(PFR0_SVE);
    view->r[ID_AA64ZFR0] = 0;
}

unsigned idregs_sve_max(uint16_t vqs) { return vqs ? (32 - (unsigned)__builtin_clz(vqs)) * 128 : 0; }

unsigned idregs_sve_vl(uint16_t vqs, unsigned bits)
{
    for (unsigned vq = bits / 128 < 16 ? bits / 128 : 16; vq; vq--)
        if (vqs & (1u << (vq - 1)))
            return vq * 128;
    return 0;
}

bool idregs_sve(const struct idregs *view) { return idreg_field(view->r[ID_AA64PFR0], PFR0_SVE) != 0; }

bool idregs_pauth(const struct idregs *view)
{
    uint64_t isar1 = view->r[ID_AA64ISAR1], isar2 = view->r[ID_AA64ISAR2];
    return (isar1 & (F(ISAR1_APA) | F(ISAR1_API) | F(ISAR1_GPA) | F(ISAR1_GPI))) ||
        (isar2 & (F(ISAR2_GPA3) | F(ISAR2_APA3)));
}
