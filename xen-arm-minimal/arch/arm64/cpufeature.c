/* The CPU features guests get (asm/cpufeature.h). Each CPU reads its ID
 * registers once at bring-up and sets its own EL2 traps; the boot CPU
 * then makes the one view all guests read, the intersection over the
 * online CPUs, so a vCPU sees the same CPU wherever it runs (on a
 * big.LITTLE host, the features of the smaller cores). */
#include <asm/cpufeature.h>
#include <asm/percpu.h>
#include <asm/stage2.h>
#include <asm/sysreg.h>
#include <xam/fmt.h>
#include <xam/log.h>

/* CPTR_EL2 (E2H = 0) beyond its RES1 bits (which include TSM: SME
 * traps): SVE (TZ; RES1 without SVE; cleared while an SVE domain's vCPU
 * is loaded, arch/arm64/vcpu.c), trace registers (TTA) and activity
 * monitors (TAM). */
#define CPTR_TZ (UL(1) << 8)
#define CPTR_TTA (UL(1) << 20)
#define CPTR_TAM (UL(1) << 30)
/* MDCR_EL2: SPE (TPMS) and trace filter (TTRF) registers trap */
#define MDCR_TPMS (UL(1) << 14)
#define MDCR_TTRF (UL(1) << 19)
/* HCR_EL2: ID group 3 (TID3), LORegions (TLOR), RAS error records (TERR),
 * pointer authentication instructions (API) and keys (APK) */
#define HCR_TID3 (UL(1) << 18)
#define HCR_TLOR (UL(1) << 35)
#define HCR_TERR (UL(1) << 36)
#define HCR_APK (UL(1) << 40)
#define HCR_API (UL(1) << 41)

static struct idregs cpu_view[NR_CPUS];
/* what SVE domains read, and the others (SVE hidden) */
static struct idregs guest_view_sve, guest_view;
/* the SVE vector lengths each CPU gives (bit n: (n + 1) * 128 bits), and
 * every online CPU */
static uint16_t cpu_sve_vqs[NR_CPUS], sve_vqs;
static uint64_t guest_hcr = HCR_TID3;
static bool any_ras, any_lor;
uint32_t cpufeature_switch[NR_CPUS];
uint64_t cpufeature_mdcr[NR_CPUS];

#define ID(crm, op2)                                                                                                   \
    case IDREG(crm, op2):                                                                                              \
        return read_sysreg(S3_0_C0_C##crm##_##op2);
#define ID_ROW(crm) ID(crm, 0) ID(crm, 1) ID(crm, 2) ID(crm, 3) ID(crm, 4) ID(crm, 5) ID(crm, 6) ID(crm, 7)

static uint64_t read_idreg(unsigned i)
{
    switch (i) {
        ID_ROW(1) ID_ROW(2) ID_ROW(3) ID_ROW(4) ID_ROW(5) ID_ROW(6) ID_ROW(7)
    }
    return 0;
}

/* Every vector length this CPU gives, as Linux finds them
 * (vec_probe_vqs): ZCR_EL2.LEN asks for one, and the CPU gives the
 * longest it has that is no longer. */
static uint16_t probe_sve_vqs(void)
{
    uint16_t vqs = 0;
    write_sysreg(read_sysreg(cptr_el2) & ~CPTR_TZ, cptr_el2);
    isb();
    for (unsigned len = 15;;) {
        write_sysreg(len, S3_4_C1_C2_0); /* ZCR_EL2 */
        isb();
        unsigned vq = sve_rdvl() / 16;
        if (vq == 0 || vq > 16) /* not an SVE vector length: none */
            break;
        vqs |= (uint16_t)(1u << (vq - 1));
        if (vq == 1)
            break;
        len = vq - 2;
    }
    write_sysreg(read_sysreg(cptr_el2) | CPTR_TZ, cptr_el2);
    isb();
    return vqs;
}

void cpufeature_cpu_init(unsigned cpu)
{
    struct idregs raw = { 0 };
    for (unsigned i = 0; i < IDREGS_NR; i++)
        if (idregs_read_needed(i))
            raw.r[i] = read_idreg(i);
    /* the fields the traps below depend on are hidden from guests: read
     * them straight (their registers are read above for other fields) */
    uint64_t pfr0 = raw.r[ID_AA64PFR0], pfr1 = raw.r[ID_AA64PFR1], mmfr0 = raw.r[ID_AA64MMFR0];
    uint64_t mmfr1 = raw.r[ID_AA64MMFR1], dfr0 = read_sysreg(id_aa64dfr0_el1);
    idregs_sanitise(&cpu_view[cpu], &raw);

    write_sysreg(CPTR_EL2_RES1 | CPTR_TZ | CPTR_TTA | (idreg_field(pfr0, PFR0_AMU) ? CPTR_TAM : 0), cptr_el2);
    isb();
    cpu_sve_vqs[cpu] = idreg_field(pfr0, PFR0_SVE) ? probe_sve_vqs() : 0;
    /* HCRX_EL2 and the fine-grained traps reset to UNKNOWN values: all
     * zero enables nothing new (MOPS, TCR2, SCTLR2, FPMR stay off) and
     * traps the registers whose trap bit is negative (POR, PIR, ...) */
    if (idreg_field(mmfr1, MMFR1_HCX))
        write_sysreg(0, S3_4_C1_C2_2); /* HCRX_EL2 */
    if (idreg_field(mmfr0, MMFR0_FGT)) {
        write_sysreg(0, S3_4_C1_C1_4); /* HFGRTR_EL2 */
        write_sysreg(0, S3_4_C1_C1_5); /* HFGWTR_EL2 */
        write_sysreg(0, S3_4_C1_C1_6); /* HFGITR_EL2 */
        write_sysreg(0, S3_4_C3_C1_4); /* HDFGRTR_EL2 */
        write_sysreg(0, S3_4_C3_C1_5); /* HDFGWTR_EL2 */
    }
    isb();
    cpufeature_mdcr[cpu] = MDCR_GUEST | (idreg_field(dfr0, DFR0_PMSVER) ? MDCR_TPMS : 0) |
        (idreg_field(dfr0, DFR0_TRACEFILT) ? MDCR_TTRF : 0);
    /* TPIDR2_EL0 is SME's, but no CPTR_EL2 bit traps it: switched. So
     * is ZCR_EL1: CPTR_EL2.TZ traps it, yet under QEMU 7.2 guests wrote
     * it untrapped until the switch rewrote CPTR_EL2 on every load
     * (tests/guests/leak.c found it); carried either way */
    cpufeature_switch[cpu] = (idreg_field(pfr1, PFR1_SME) ? CPUF_SWITCH_TPIDR2 : 0) |
        (idreg_field(pfr0, PFR0_SVE) ? CPUF_SWITCH_ZCR : 0) | (idreg_field(pfr0, PFR0_RAS) ? CPUF_SWITCH_VDISR : 0);
    /* a RES0 bit where the feature is missing, but any CPU's guest must
     * find it trapped: set if any CPU has it */
    if (idreg_field(pfr0, PFR0_RAS))
        __atomic_store_n(&any_ras, true, __ATOMIC_RELAXED);
    if (idreg_field(mmfr1, MMFR1_LO))
        __atomic_store_n(&any_lor, true, __ATOMIC_RELAXED);
}

static unsigned parange_of(unsigned bits)
{
    static const unsigned pa_bits[] = { 32, 36, 40, 42, 44, 48 };
    unsigned p = 0;
    while (p + 1 < ARRAY_SIZE(pa_bits) && pa_bits[p + 1] <= bits)
        p++;
    return p;
}

void cpufeature_init_guests(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nr_pcpus; i++) {
        if (!pcpus[i].online)
            continue;
        if (n++ == 0) {
            guest_view_sve = cpu_view[i];
            sve_vqs = cpu_sve_vqs[i];
        } else {
            idregs_intersect(&guest_view_sve, &cpu_view[i]);
            sve_vqs &= cpu_sve_vqs[i];
        }
    }
    idregs_finish(&guest_view_sve, parange_of(stage2_ipa_bits()));
    guest_view = guest_view_sve;
    idregs_hide_sve(&guest_view);
    if (!idregs_sve(&guest_view_sve))
        sve_vqs = 0;
    if (!sve_vqs) /* no vector length all CPUs give: no SVE domains */
        idregs_hide_sve(&guest_view_sve);
    bool pauth = idregs_pauth(&guest_view);
    guest_hcr = HCR_TID3 | (pauth ? HCR_API | HCR_APK : 0) | (any_ras ? HCR_TERR : 0) | (any_lor ? HCR_TLOR : 0);
    if (pauth)
        for (unsigned i = 0; i < nr_pcpus; i++)
            cpufeature_switch[i] |= CPUF_SWITCH_PAUTH;

    /* what CPU0 has that guests do not get */
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    const char *sve = idreg_field(pfr0, PFR0_SVE) && !sve_vqs ? " SVE" : "";
    const char *sme = idreg_field(pfr1, PFR1_SME) ? " SME" : "";
    const char *mte = idreg_field(pfr1, PFR1_MTE) ? " MTE" : "", *ras = idreg_field(pfr0, PFR0_RAS) ? " RAS" : "";
    const char *amu = idreg_field(pfr0, PFR0_AMU) ? " AMU" : "";
    bool none = !*sve && !*sme && !*mte && !*ras && !*amu;
    char lengths[64 + 16 * 5] = "", *p = lengths;
    for (unsigned vq = 1; vq <= 16; vq++)
        if (sve_vqs & (1u << (vq - 1)))
            p += fmt_snprintf(p, sizeof(lengths) - (size_t)(p - lengths), "%s %u",
                              p == lengths ? "; SVE to domains with sve, vector lengths" : "", vq * 128);
    log_info("cpufeature: guests' view over %u CPUs: pointer auth %s%s; hidden:%s%s%s%s%s%s", n,
             pauth ? "switched" : "hidden", lengths, sve, sme, mte, ras, amu, none ? " none" : "");
}

unsigned cpufeature_sve_max(void) { return idregs_sve_max(sve_vqs); }

unsigned cpufeature_sve_vl(unsigned bits) { return idregs_sve_vl(sve_vqs, bits); }

const struct idregs *cpufeature_guest_idregs(bool sve) { return sve ? &guest_view_sve : &guest_view; }

uint64_t cpufeature_guest_hcr(void) { return guest_hcr; }
