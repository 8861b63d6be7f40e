/* The ID registers guests read (HCR_EL2.TID3 traps them all): the
 * encodings op0 3, op1 0, CRn 0, CRm 1-7, op2 0-7, AArch64 and AArch32
 * ones and the reserved encodings between them. The guests' view is one
 * per machine: each CPU's registers are sanitised (idregs_sanitise: only
 * the features the hypervisor switches, or that carry no state, are
 * shown), the CPUs' views intersected (idregs_intersect: the lowest value
 * of every field, so a vCPU may run on any CPU), then finished
 * (idregs_finish: limits that are the machine's, not a CPU's). Pure
 * code, tested on the host (tests/unit/test_idregs.c). The table of
 * what is shown and why is docs/domains.md's. */
#ifndef ASM_IDREGS_H
#define ASM_IDREGS_H

#include <xam/types.h>

#define IDREGS_NR 56
/* index of S3_0_C0_C<crm>_<op2>, crm 1-7 */
#define IDREG(crm, op2) (((crm)-1) * 8 + (op2))

#define ID_PFR0 IDREG(1, 0)
#define ID_DFR0 IDREG(1, 2)
#define ID_ISAR0 IDREG(2, 0)
#define MVFR0 IDREG(3, 0)
#define ID_AA64PFR0 IDREG(4, 0)
#define ID_AA64PFR1 IDREG(4, 1)
#define ID_AA64ZFR0 IDREG(4, 4)
#define ID_AA64SMFR0 IDREG(4, 5)
#define ID_AA64DFR0 IDREG(5, 0)
#define ID_AA64ISAR0 IDREG(6, 0)
#define ID_AA64ISAR1 IDREG(6, 1)
#define ID_AA64ISAR2 IDREG(6, 2)
#define ID_AA64MMFR0 IDREG(7, 0)
#define ID_AA64MMFR1 IDREG(7, 1)
#define ID_AA64MMFR2 IDREG(7, 2)

/* the fields the hypervisor itself decides on (shift of each 4-bit field) */
#define PFR0_EL0 0
#define PFR0_EL1 4
#define PFR0_RAS 28
#define PFR0_SVE 32
#define PFR0_AMU 44
#define PFR1_MTE 8
#define PFR1_SME 24
#define ISAR1_APA 4
#define ISAR1_API 8
#define ISAR1_GPA 24
#define ISAR1_GPI 28
#define ISAR2_GPA3 8
#define ISAR2_APA3 12
#define MMFR0_PARANGE 0
#define MMFR0_FGT 56
#define MMFR1_LO 16
#define MMFR1_HCX 40
#define DFR0_PMSVER 32
#define DFR0_TRACEFILT 40

static inline unsigned idreg_field(uint64_t reg, unsigned shift) { return (unsigned)(reg >> shift) & 0xf; }

struct idregs {
    uint64_t r[IDREGS_NR];
};

/* Whether the hypervisor reads register i at all: a register with no field
 * shown to guests is zero in every view (and may be a reserved encoding,
 * or one an older CPU does not know). */
bool idregs_read_needed(unsigned i);

/* One CPU's registers (raw[i], 0 where !idregs_read_needed(i)) as guests
 * may see them. */
void idregs_sanitise(struct idregs *out, const struct idregs *raw);

/* acc = what both views allow: field by field, the lower value (signed
 * fields compared as such: -1 is "not implemented"). */
void idregs_intersect(struct idregs *acc, const struct idregs *view);

/* The machine's limits: PARange at most the guests' IPA size (parange,
 * the ID_AA64MMFR0 encoding); the AArch32 registers zero unless EL0 runs
 * AArch32 (they are UNKNOWN on a CPU without it). */
void idregs_finish(struct idregs *view, unsigned parange);

/* The view of a domain without SVE (the view above is an SVE domain's):
 * ID_AA64PFR0.SVE and ID_AA64ZFR0 read as zero. */
void idregs_hide_sve(struct idregs *view);
/* SVE in the view (all CPUs have it). */
bool idregs_sve(const struct idregs *view);

/* SVE vector lengths as sets of 16 bits, bit n for (n + 1) * 128 bits
 * (what ZCR_ELx.LEN = n asks for): a CPU's, found at bring-up, and the
 * machine's, the intersection of all CPUs' (big.LITTLE CPUs may differ).
 * The longest in the set (0: empty), and the longest no longer than bits
 * (0: none), which is what a domain with sve = <bits> gets everywhere. */
unsigned idregs_sve_max(uint16_t vqs);
unsigned idregs_sve_vl(uint16_t vqs, unsigned bits);

/* Pointer authentication in the view (address or generic): then guests
 * use it untrapped, and its keys are switched. */
bool idregs_pauth(const struct idregs *view);

#endif
