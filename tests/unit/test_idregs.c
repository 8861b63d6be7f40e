/* The guests' view of the ID registers (arch/arm64/idregs.c): every ID
 * register and reserved encoding, field by field as a guest reads it, the
 * intersection over CPUs that differ (big.LITTLE), signed fields, ceilings
 * and the machine's limits. */
#include "unit.h"
#include <string.h>
#include <asm/idregs.h>

#define FIELD(v, s) (((v) >> (s)) & 0xf)
#define SET(s, v) ((uint64_t)(v) << (s))

static struct idregs raw_all(uint64_t value)
{
    struct idregs raw;
    for (unsigned i = 0; i < IDREGS_NR; i++)
        raw.r[i] = idregs_read_needed(i) ? value : 0;
    return raw;
}

/* an SVE domain's view */
static struct idregs sve_view_of(const struct idregs *raw)
{
    struct idregs v;
    memset(&v, 0xaa, sizeof(v)); /* the sanitiser writes every register */
    idregs_sanitise(&v, raw);
    return v;
}

/* every other domain's */
static struct idregs view_of(const struct idregs *raw)
{
    struct idregs v = sve_view_of(raw);
    idregs_hide_sve(&v);
    return v;
}

/* The encodings the architecture reserves in the ID space, and the ID
 * registers of features guests never get: zero whatever the CPU says. */
static void reserved_and_hidden_registers_read_as_zero(void **state)
{
    (void)state;
    static const unsigned zero[][2] = {
        { 1, 2 }, { 1, 3 }, /* ID_DFR0, ID_AFR0 */
        { 3, 3 }, { 3, 5 }, { 3, 7 }, /* reserved, ID_DFR1, reserved */
        { 4, 2 }, { 4, 3 }, { 4, 5 }, { 4, 6 }, { 4, 7 }, /* PFR2, -, SMFR0, -, FPFR0 */
        { 5, 1 }, { 5, 2 }, { 5, 3 }, { 5, 4 }, { 5, 5 }, { 5, 6 }, { 5, 7 }, /* DFR1, DFR2, -, AFR0/1 */
        { 6, 3 }, { 6, 4 }, { 6, 5 }, { 6, 6 }, { 6, 7 }, /* ISAR3, reserved */
        { 7, 3 }, { 7, 4 }, { 7, 5 }, { 7, 6 }, { 7, 7 }, /* MMFR3, MMFR4, reserved */
    };
    /* a CPU answering all ones even where it should not */
    struct idregs raw;
    memset(&raw, 0xff, sizeof(raw));
    struct idregs v = view_of(&raw);
    for (unsigned i = 0; i < ARRAY_SIZE(zero); i++) {
        unsigned r = IDREG(zero[i][0], zero[i][1]);
        assert_false(idregs_read_needed(r));
        assert_int_equal(v.r[r], 0);
    }
    /* the others are read */
    assert_true(idregs_read_needed(ID_AA64PFR0));
    assert_true(idregs_read_needed(ID_AA64ISAR2));
    assert_true(idregs_read_needed(MVFR0));
    assert_true(idregs_read_needed(ID_AA64ZFR0)); /* for SVE domains */
    assert_int_equal(v.r[ID_AA64ZFR0], 0);
    assert_false(idregs_read_needed(IDREGS_NR));
}

/* -cpu max says 1 in every field: what a guest finds of each feature */
static void stateful_features_are_hidden(void **state)
{
    (void)state;
    struct idregs raw = raw_all(0x1111111111111111ULL);
    struct idregs v = view_of(&raw);
    uint64_t pfr0 = v.r[ID_AA64PFR0], pfr1 = v.r[ID_AA64PFR1];
    assert_int_equal(FIELD(pfr0, 8), 0); /* EL2 */
    assert_int_equal(FIELD(pfr0, 12), 0); /* EL3 */
    assert_int_equal(FIELD(pfr0, PFR0_RAS), 0);
    assert_int_equal(FIELD(pfr0, PFR0_SVE), 0);
    assert_int_equal(FIELD(pfr0, 40), 0); /* MPAM */
    assert_int_equal(FIELD(pfr0, PFR0_AMU), 0);
    assert_int_equal(FIELD(pfr1, PFR1_MTE), 0);
    assert_int_equal(FIELD(pfr1, PFR1_SME), 0);
    assert_int_equal(FIELD(pfr1, 32), 0); /* CSV2_frac (SCXTNUM) */
    assert_int_equal(FIELD(pfr1, 36), 0); /* NMI */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR0], 24), 0); /* TME */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR1], 60), 0); /* LS64 */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR2], 0), 0); /* WFxT */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR2], 16), 0); /* MOPS */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], MMFR0_FGT), 0);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], 60), 0); /* ECV */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR1], MMFR1_LO), 0);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR1], 8), 0); /* VH */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR1], 4), 0); /* VMIDBits */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR1], MMFR1_HCX), 0);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR2], 24), 0); /* NV */
    assert_int_equal(v.r[ID_AA64ZFR0], 0);
    assert_int_equal(v.r[ID_AA64SMFR0], 0);
    /* debug: Armv8.0, no PMU, SPE, trace; DoubleLock not implemented */
    uint64_t dfr0 = v.r[ID_AA64DFR0];
    assert_int_equal(FIELD(dfr0, 0), 6);
    assert_int_equal(FIELD(dfr0, 4), 0); /* TraceVer */
    assert_int_equal(FIELD(dfr0, 8), 0); /* PMUVer */
    assert_int_equal(FIELD(dfr0, DFR0_PMSVER), 0);
    assert_int_equal(FIELD(dfr0, 36), 0xf);
    assert_int_equal(FIELD(dfr0, 12), 1); /* BRPs: shown */
}

static void stateless_and_switched_features_are_shown(void **state)
{
    (void)state;
    struct idregs raw = raw_all(0x1111111111111111ULL);
    struct idregs v = view_of(&raw);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 16), 1); /* FP with FP16 */
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 20), 1); /* AdvSIMD */
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 48), 1); /* DIT */
    assert_int_equal(FIELD(v.r[ID_AA64PFR1], 0), 1); /* BTI */
    assert_int_equal(FIELD(v.r[ID_AA64PFR1], 4), 1); /* SSBS */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR0], 4), 1); /* AES */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR0], 20), 1); /* Atomic */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR0], 60), 1); /* RNDR */
    assert_int_equal(FIELD(v.r[ID_AA64ISAR1], ISAR1_API), 1);
    assert_int_equal(FIELD(v.r[ID_AA64ISAR1], ISAR1_GPI), 1);
    assert_int_equal(FIELD(v.r[ID_AA64ISAR2], ISAR2_APA3), 1);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], 28), 1); /* TGran4 (52-bit) */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR1], 20), 1); /* PAN */
    assert_int_equal(FIELD(v.r[ID_AA64MMFR2], 60), 1); /* E0PD */
    assert_true(idregs_pauth(&v));
}

static void ceilings(void **state)
{
    (void)state;
    /* EL1 able to run AArch32 (2): HCR_EL2.RW keeps guests' EL1 AArch64;
     * CSV2 2 (SCXTNUM registers): SCXTNUM is trapped */
    struct idregs raw = raw_all(0);
    raw.r[ID_AA64PFR0] = SET(PFR0_EL0, 2) | SET(PFR0_EL1, 2) | SET(56, 2);
    raw.r[ID_PFR0] = SET(16, 2);
    struct idregs v = view_of(&raw);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], PFR0_EL0), 2);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], PFR0_EL1), 1);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 56), 1);
    assert_int_equal(FIELD(v.r[ID_PFR0], 16), 1);
}

/* FP, AdvSIMD, TGran4, TGran64: 0xf (-1) is "not implemented", below 0 */
static void signed_fields_intersect_as_signed(void **state)
{
    (void)state;
    struct idregs a = raw_all(0), b = raw_all(0);
    a.r[ID_AA64PFR0] = SET(16, 1) | SET(20, 1); /* FP16 */
    b.r[ID_AA64PFR0] = SET(16, 0xf) | SET(20, 0); /* no FP; SIMD without FP16 */
    a.r[ID_AA64MMFR0] = SET(28, 0) | SET(24, 0xf) | SET(20, 2); /* 4K; no 64K; 16K (52-bit) */
    b.r[ID_AA64MMFR0] = SET(28, 1) | SET(24, 0) | SET(20, 1);
    struct idregs v = view_of(&a), vb = view_of(&b);
    idregs_intersect(&v, &vb);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 16), 0xf);
    assert_int_equal(FIELD(v.r[ID_AA64PFR0], 20), 0);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], 28), 0);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], 24), 0xf);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], 20), 1);
}

/* A big core with pointer auth (QARMA5), dot product and SVE, a little
 * one with neither: guests see what both have, wherever they run. */
static void big_little_is_the_intersection(void **state)
{
    (void)state;
    struct idregs big = raw_all(0), little = raw_all(0);
    big.r[ID_AA64ISAR0] = SET(44, 1) | SET(20, 2) | SET(4, 2); /* DP, Atomic, AES+PMULL */
    little.r[ID_AA64ISAR0] = SET(20, 2) | SET(4, 1);
    big.r[ID_AA64ISAR1] = SET(ISAR1_APA, 1) | SET(ISAR1_GPA, 1) | SET(20, 2); /* LRCPC 2 */
    little.r[ID_AA64ISAR1] = SET(20, 1);
    big.r[ID_AA64PFR0] = little.r[ID_AA64PFR0] = SET(PFR0_EL0, 2) | SET(PFR0_EL1, 1);
    big.r[ID_AA64PFR0] |= SET(PFR0_SVE, 1);
    struct idregs v = view_of(&big), vl = view_of(&little);
    assert_true(idregs_pauth(&v));
    idregs_intersect(&v, &vl);
    assert_int_equal(v.r[ID_AA64ISAR0], SET(20, 2) | SET(4, 1));
    assert_int_equal(v.r[ID_AA64ISAR1], SET(20, 1));
    assert_false(idregs_pauth(&v));
    /* the other order, the same view */
    struct idregs w = view_of(&little), wb = view_of(&big);
    idregs_intersect(&w, &wb);
    assert_memory_equal(&v, &w, sizeof(v));
}

/* Two CPUs with different pointer-auth algorithms: neither is shown (a
 * vCPU moving between them would fail its own authentications). */
static void pauth_algorithms_that_differ_are_hidden(void **state)
{
    (void)state;
    struct idregs a = raw_all(0), b = raw_all(0);
    a.r[ID_AA64ISAR1] = SET(ISAR1_APA, 5) | SET(ISAR1_GPA, 1);
    b.r[ID_AA64ISAR1] = SET(ISAR1_API, 5) | SET(ISAR1_GPI, 1);
    struct idregs v = view_of(&a), vb = view_of(&b);
    idregs_intersect(&v, &vb);
    assert_false(idregs_pauth(&v));
    a.r[ID_AA64ISAR1] = 0;
    a.r[ID_AA64ISAR2] = SET(ISAR2_APA3, 3);
    v = view_of(&a);
    assert_true(idregs_pauth(&v));
}

/* SVE (ID_AA64PFR0.SVE, ID_AA64ZFR0) is shown to SVE domains only, and
 * only where every CPU has it; what a domain without sve reads has
 * neither, as on a CPU without SVE */
static void sve_to_sve_domains_only(void **state)
{
    (void)state;
    struct idregs a = raw_all(0), b = raw_all(0);
    a.r[ID_AA64PFR0] = b.r[ID_AA64PFR0] = SET(PFR0_EL0, 1) | SET(PFR0_EL1, 1) | SET(PFR0_SVE, 1);
    a.r[ID_AA64ZFR0] = SET(0, 1) | SET(4, 2) | SET(56, 1); /* SVE2, AES+PMULL128, F64MM */
    b.r[ID_AA64ZFR0] = SET(0, 1) | SET(4, 1);
    struct idregs sa = sve_view_of(&a), sb = sve_view_of(&b);
    assert_true(idregs_sve(&sa));
    assert_int_equal(FIELD(sa.r[ID_AA64PFR0], PFR0_SVE), 1);
    assert_int_equal(sa.r[ID_AA64ZFR0], a.r[ID_AA64ZFR0]);
    idregs_intersect(&sa, &sb);
    assert_true(idregs_sve(&sa));
    assert_int_equal(sa.r[ID_AA64ZFR0], SET(0, 1) | SET(4, 1));
    /* the others' view: the same but for SVE */
    struct idregs plain = sa;
    idregs_hide_sve(&plain);
    assert_false(idregs_sve(&plain));
    assert_int_equal(FIELD(plain.r[ID_AA64PFR0], PFR0_SVE), 0);
    assert_int_equal(plain.r[ID_AA64ZFR0], 0);
    assert_int_equal(plain.r[ID_AA64PFR0], sa.r[ID_AA64PFR0] & ~SET(PFR0_SVE, 0xf));
    /* a CPU without SVE (A64FX's little sibling): no SVE in any view */
    b.r[ID_AA64PFR0] = SET(PFR0_EL0, 1) | SET(PFR0_EL1, 1);
    b.r[ID_AA64ZFR0] = 0;
    sb = sve_view_of(&b);
    idregs_intersect(&sa, &sb);
    assert_false(idregs_sve(&sa));
    assert_int_equal(sa.r[ID_AA64ZFR0], 0);
}

/* Vector lengths: A64FX gives 128, 256 and 512 bits; a big core of all
 * lengths to 1024 beside a little one of 128 and 256 leaves the machine
 * 128 and 256; a domain gets the longest within its sve */
static void sve_vector_lengths(void **state)
{
    (void)state;
    const uint16_t a64fx = 0x000b, big = 0x00ff, little = 0x0003;
    assert_int_equal(idregs_sve_max(a64fx), 512);
    assert_int_equal(idregs_sve_max(0xffff), 2048);
    assert_int_equal(idregs_sve_max(0), 0);
    assert_int_equal(idregs_sve_vl(a64fx, 512), 512);
    assert_int_equal(idregs_sve_vl(a64fx, 384), 256);
    assert_int_equal(idregs_sve_vl(a64fx, 2048), 512);
    assert_int_equal(idregs_sve_vl(a64fx, 128), 128);
    assert_int_equal(idregs_sve_vl(a64fx, 0), 0);
    assert_int_equal(idregs_sve_vl(0, 512), 0);
    assert_int_equal(idregs_sve_vl(0xffff, 4096), 2048);
    uint16_t machine = big & little;
    assert_int_equal(idregs_sve_max(machine), 256);
    assert_int_equal(idregs_sve_vl(machine, 1024), 256);
}

static void machine_limits(void **state)
{
    (void)state;
    /* 52-bit PA (6), guests' IPA space 40 bits (2) */
    struct idregs raw = raw_all(0);
    raw.r[ID_AA64MMFR0] = SET(MMFR0_PARANGE, 6);
    raw.r[ID_AA64PFR0] = SET(PFR0_EL0, 2) | SET(PFR0_EL1, 1);
    raw.r[ID_ISAR0] = 0x02101110;
    raw.r[MVFR0] = 0x10110222;
    struct idregs v = view_of(&raw);
    idregs_finish(&v, 2);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], MMFR0_PARANGE), 2);
    assert_int_equal(v.r[ID_ISAR0], 0x02101110);
    assert_int_equal(v.r[MVFR0], 0x10110222);
    /* a smaller PA than the IPA limit stays */
    raw.r[ID_AA64MMFR0] = SET(MMFR0_PARANGE, 1);
    v = view_of(&raw);
    idregs_finish(&v, 2);
    assert_int_equal(FIELD(v.r[ID_AA64MMFR0], MMFR0_PARANGE), 1);
    /* EL0 AArch64 only (A64FX): its AArch32 registers are UNKNOWN, and
     * read as zero */
    raw.r[ID_AA64PFR0] = SET(PFR0_EL0, 1) | SET(PFR0_EL1, 1);
    v = view_of(&raw);
    idregs_finish(&v, 2);
    for (unsigned i = IDREG(1, 0); i <= IDREG(3, 7); i++)
        assert_int_equal(v.r[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(reserved_and_hidden_registers_read_as_zero),
        T(stateful_features_are_hidden),
        T(stateless_and_switched_features_are_shown),
        T(ceilings),
        T(signed_fields_intersect_as_signed),
        T(big_little_is_the_intersection),
        T(pauth_algorithms_that_differ_are_hidden),
        T(machine_limits),
        T(sve_to_sve_domains_only),
        T(sve_vector_lengths),
    };
    return cmocka_run_group_tests_name("idregs", tests, NULL, NULL);
}
