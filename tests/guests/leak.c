/* No state leaks between vCPUs sharing a CPU (issue 16). Two domains run
 * this image on one CPU, "leak=a" and the other; each writes its own
 * pattern (the other's is its complement) into every system register a
 * guest can write, then for 1.5 s of its time reads them all back over
 * and over while the scheduler switches between the two. A register the
 * context switch does not carry would show the other domain's value
 * after a switch. A register that takes no write (read as zero, writes
 * ignored, as the PMU and debug registers are) or whose access is
 * undefined (the hidden features' registers, trapped) is counted as
 * unwritable: nothing of it can leak. Every access is probed with the
 * undefined instruction caught here, so the list may name registers a
 * CPU model lacks. */
#include "lib.h"

/* EL1 vectors of our own: a synchronous exception from EL1 (an access
 * the CPU or the hypervisor says is undefined) is counted and stepped
 * over. */
__asm__(".text\n"
        ".balign 2048\n"
        "leak_vectors:\n"
        ".rept 4\n .balign 0x80\n b .\n .endr\n"
        ".balign 0x80\n b leak_sync\n"
        ".rept 11\n .balign 0x80\n b .\n .endr\n"
        "leak_sync:\n"
        "    stp x0, x1, [sp, #-16]!\n"
        "    adrp x0, leak_sync_esr\n"
        "    add x0, x0, :lo12:leak_sync_esr\n"
        "    mrs x1, esr_el1\n"
        "    str x1, [x0]\n"
        "    adrp x0, leak_syncs\n"
        "    add x0, x0, :lo12:leak_syncs\n"
        "    ldr w1, [x0]\n"
        "    add w1, w1, #1\n"
        "    str w1, [x0]\n"
        "    mrs x0, elr_el1\n"
        "    add x0, x0, #4\n"
        "    msr elr_el1, x0\n"
        "    ldp x0, x1, [sp], #16\n"
        "    eret\n");
extern char leak_vectors[];
volatile uint32_t leak_syncs;
volatile uint64_t leak_sync_esr;

/* V0-V31: lane 0 = p + n, lane 1 = ~(p + n); the check counts the lanes
 * that differ (this guest's C code uses no FP/SIMD register) */
__asm__(".text\n"
        "vregs_write:\n"
        "    mov x1, x0\n"
        "    mvn x2, x1\n"
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "    fmov d\\n, x1\n"
        "    mov v\\n\\().d[1], x2\n"
        "    add x1, x1, #1\n"
        "    mvn x2, x1\n"
        ".endr\n"
        "    ret\n"
        "vregs_check:\n"
        "    mov x1, x0\n"
        "    mov x3, #0\n"
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "    fmov x4, d\\n\n"
        "    cmp x4, x1\n"
        "    cinc x3, x3, ne\n"
        "    mov x4, v\\n\\().d[1]\n"
        "    mvn x2, x1\n"
        "    cmp x4, x2\n"
        "    cinc x3, x3, ne\n"
        "    add x1, x1, #1\n"
        ".endr\n"
        "    mov x0, x3\n"
        "    ret\n");
void vregs_write(uint64_t p);
uint64_t vregs_check(uint64_t p);

/* SVE, in a domain with Xen's sve: Z0-Z31, P0-P15 and FFR written from
 * and stored into buffers at the vector length in use (sve_write's FFR:
 * its first m byte elements true, a monotonic predicate as FFR's own
 * values are); a domain without it takes RDVL as undefined */
__asm__(".text\n"
        ".arch_extension sve\n"
        "sve_rdvl:\n"
        "    rdvl x0, #1\n"
        "    ret\n"
        "sve_write:\n" /* x0 Z buffer, x1 P buffer, x2 m */
        "    whilelo p0.b, xzr, x2\n"
        "    wrffr p0.b\n"
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
        "    ldr p\\n, [x1, #\\n, mul vl]\n"
        ".endr\n"
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "    ldr z\\n, [x0, #\\n, mul vl]\n"
        ".endr\n"
        "    ret\n"
        "sve_read:\n" /* x0 Z buffer, x1 P buffer (P0-P15, then FFR) */
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "    str z\\n, [x0, #\\n, mul vl]\n"
        ".endr\n"
        ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
        "    str p\\n, [x1, #\\n, mul vl]\n"
        ".endr\n"
        "    rdffr p0.b\n"
        "    str p0, [x1, #16, mul vl]\n"
        "    ldr p0, [x1]\n"
        "    ret\n");
uint64_t sve_rdvl(void);
void sve_write(const uint8_t *z, const uint8_t *p, uint64_t m);
void sve_read(uint8_t *z, uint8_t *p);

/* at most 2048-bit vectors: 256 bytes each, their predicates 32 */
static uint8_t want_z[32 * 256], got_z[32 * 256], want_p[17 * 32], got_p[17 * 32];

#define REG(id, enc)                                                                                                   \
    static void w_##id(uint64_t v) { __asm__ volatile("msr " enc ", %0\n isb" : : "r"(v) : "memory"); }                \
    static uint64_t r_##id(void)                                                                                       \
    {                                                                                                                  \
        uint64_t v;                                                                                                    \
        __asm__ volatile("mrs %0, " enc : "=r"(v) : : "memory");                                                       \
        return v;                                                                                                      \
    }
#define ENTRY(id, name, mask)                                                                                          \
    {                                                                                                                  \
        name, mask, w_##id, r_##id                                                                                     \
    }

/* EL1 and EL0 registers the context switch carries */
REG(ttbr0, "ttbr0_el1")
REG(ttbr1, "ttbr1_el1")
REG(tcr, "tcr_el1")
REG(mair, "mair_el1")
REG(amair, "amair_el1")
REG(sctlr, "sctlr_el1")
REG(actlr, "actlr_el1")
REG(cpacr, "cpacr_el1")
REG(contextidr, "contextidr_el1")
REG(tpidr0, "tpidr_el0")
REG(tpidrro, "tpidrro_el0")
REG(tpidr1, "tpidr_el1")
REG(par, "par_el1")
REG(sp0, "sp_el0")
REG(elr, "elr_el1")
REG(spsr, "spsr_el1")
REG(esr, "esr_el1")
REG(far, "far_el1")
REG(afsr0, "afsr0_el1")
REG(afsr1, "afsr1_el1")
REG(cntkctl, "cntkctl_el1")
REG(csselr, "csselr_el1")
REG(cntv_cval, "cntv_cval_el0")
REG(cntv_ctl, "cntv_ctl_el0")
REG(fpcr, "fpcr")
REG(fpsr, "fpsr")
REG(pmr, "S3_0_C4_C6_0") /* ICC_PMR_EL1 (the virtual one) */
REG(bpr1, "S3_0_C12_C12_3") /* ICC_BPR1_EL1 */
/* optional: switched where the CPUs have them, else undefined */
REG(apiakeylo, "S3_0_C2_C1_0")
REG(apiakeyhi, "S3_0_C2_C1_1")
REG(apibkeylo, "S3_0_C2_C1_2")
REG(apibkeyhi, "S3_0_C2_C1_3")
REG(apdakeylo, "S3_0_C2_C2_0")
REG(apdakeyhi, "S3_0_C2_C2_1")
REG(apdbkeylo, "S3_0_C2_C2_2")
REG(apdbkeyhi, "S3_0_C2_C2_3")
REG(apgakeylo, "S3_0_C2_C3_0")
REG(apgakeyhi, "S3_0_C2_C3_1")
REG(tpidr2, "S3_3_C13_C0_5") /* SME's, not trapped by CPTR_EL2 */
REG(disr, "S3_0_C12_C1_1") /* RAS: VDISR_EL2 while HCR_EL2.AMO */
/* hidden features' registers: trapped, undefined */
REG(zcr, "S3_0_C1_C2_0") /* SVE */
REG(smcr, "S3_0_C1_C2_6") /* SME */
REG(smpri, "S3_0_C1_C2_4")
REG(gcr, "S3_0_C1_C0_6") /* MTE */
REG(rgsr, "S3_0_C1_C0_5")
REG(tfsr, "S3_0_C5_C6_0")
REG(tfsre0, "S3_0_C5_C6_1")
REG(scxtnum1, "S3_0_C13_C0_7")
REG(scxtnum0, "S3_3_C13_C0_7")
REG(errselr, "S3_0_C5_C3_1")
REG(lorsa, "S3_0_C10_C4_0")
REG(lorc, "S3_0_C10_C4_3")
REG(tcr2, "S3_0_C2_C0_3")
REG(sctlr2, "S3_0_C1_C0_3")
REG(por0, "S3_3_C10_C2_4")
REG(por1, "S3_0_C10_C2_4")
REG(accdata, "S3_0_C13_C0_5")
/* the PMU and debug registers: trapped, read as zero, writes ignored */
REG(mdscr, "mdscr_el1")
REG(dbgbvr0, "dbgbvr0_el1")
REG(pmccntr, "S3_3_C9_C13_0")
REG(pmuserenr, "S3_3_C9_C14_0")
REG(pmselr, "S3_3_C9_C12_5")

struct reg {
    const char *name;
    uint64_t mask; /* the bits written: others keep their value */
    void (*write)(uint64_t);
    uint64_t (*read)(void);
};

#define ALL (~0ULL)
static const struct reg regs[] = {
    ENTRY(ttbr0, "TTBR0_EL1", ALL & ~0xfffULL),
    ENTRY(ttbr1, "TTBR1_EL1", ALL & ~0xfffULL),
    ENTRY(tcr, "TCR_EL1", 0x003f003fULL), /* T0SZ, T1SZ: the MMU is off */
    ENTRY(mair, "MAIR_EL1", ALL),
    ENTRY(amair, "AMAIR_EL1", ALL),
    ENTRY(sctlr, "SCTLR_EL1", 1ULL << 26 | 1ULL << 15 | 1ULL << 14 | 1ULL << 9), /* UCI UCT DZE UMA */
    ENTRY(actlr, "ACTLR_EL1", ALL),
    ENTRY(cpacr, "CPACR_EL1", 1ULL << 28), /* TTA; FPEN stays on */
    ENTRY(contextidr, "CONTEXTIDR_EL1", 0xffffffffULL),
    ENTRY(tpidr0, "TPIDR_EL0", ALL),
    ENTRY(tpidrro, "TPIDRRO_EL0", ALL),
    ENTRY(tpidr1, "TPIDR_EL1", ALL),
    ENTRY(par, "PAR_EL1", ALL),
    ENTRY(sp0, "SP_EL0", ALL & ~0xfULL),
    ENTRY(elr, "ELR_EL1", ALL & ~3ULL),
    ENTRY(spsr, "SPSR_EL1", 0xf0000000ULL),
    ENTRY(esr, "ESR_EL1", 0xffffffffULL),
    ENTRY(far, "FAR_EL1", ALL),
    ENTRY(afsr0, "AFSR0_EL1", 0xffffffffULL),
    ENTRY(afsr1, "AFSR1_EL1", 0xffffffffULL),
    ENTRY(cntkctl, "CNTKCTL_EL1", 0x3ffULL),
    ENTRY(csselr, "CSSELR_EL1", 0x1ULL), /* InD: level 1 has both */
    ENTRY(cntv_cval, "CNTV_CVAL_EL0", ALL),
    ENTRY(cntv_ctl, "CNTV_CTL_EL0", 0x2ULL), /* IMASK; never enabled */
    ENTRY(fpcr, "FPCR", 0x07c00000ULL), /* AHP DN FZ RMode */
    ENTRY(fpsr, "FPSR", 0xf800009fULL),
    ENTRY(pmr, "ICC_PMR_EL1", 0xf8ULL),
    ENTRY(bpr1, "ICC_BPR1_EL1", 0x7ULL),
    ENTRY(apiakeylo, "APIAKeyLo_EL1", ALL),
    ENTRY(apiakeyhi, "APIAKeyHi_EL1", ALL),
    ENTRY(apibkeylo, "APIBKeyLo_EL1", ALL),
    ENTRY(apibkeyhi, "APIBKeyHi_EL1", ALL),
    ENTRY(apdakeylo, "APDAKeyLo_EL1", ALL),
    ENTRY(apdakeyhi, "APDAKeyHi_EL1", ALL),
    ENTRY(apdbkeylo, "APDBKeyLo_EL1", ALL),
    ENTRY(apdbkeyhi, "APDBKeyHi_EL1", ALL),
    ENTRY(apgakeylo, "APGAKeyLo_EL1", ALL),
    ENTRY(apgakeyhi, "APGAKeyHi_EL1", ALL),
    ENTRY(tpidr2, "TPIDR2_EL0", ALL),
    ENTRY(disr, "DISR_EL1", 1ULL << 31 | 0xffffffULL),
    ENTRY(zcr, "ZCR_EL1", 0xfULL),
    ENTRY(smcr, "SMCR_EL1", 0xfULL),
    ENTRY(smpri, "SMPRI_EL1", 0xfULL),
    ENTRY(gcr, "GCR_EL1", 0xffffULL),
    ENTRY(rgsr, "RGSR_EL1", 0xffffff0fULL),
    ENTRY(tfsr, "TFSR_EL1", 3ULL),
    ENTRY(tfsre0, "TFSRE0_EL1", 3ULL),
    ENTRY(scxtnum1, "SCXTNUM_EL1", ALL),
    ENTRY(scxtnum0, "SCXTNUM_EL0", ALL),
    ENTRY(errselr, "ERRSELR_EL1", 0xffffULL),
    ENTRY(lorsa, "LORSA_EL1", 0xffffffff0000ULL),
    ENTRY(lorc, "LORC_EL1", 0x3cULL),
    ENTRY(tcr2, "TCR2_EL1", 1ULL << 1),
    ENTRY(sctlr2, "SCTLR2_EL1", 1ULL << 3),
    ENTRY(por0, "POR_EL0", ALL),
    ENTRY(por1, "POR_EL1", ALL),
    ENTRY(accdata, "ACCDATA_EL1", 0xffffffffULL),
    ENTRY(mdscr, "MDSCR_EL1", 1ULL << 15 | 1ULL << 13), /* MDE KDE */
    ENTRY(dbgbvr0, "DBGBVR0_EL1", ALL & ~3ULL),
    ENTRY(pmccntr, "PMCCNTR_EL0", ALL),
    ENTRY(pmuserenr, "PMUSERENR_EL0", 0xfULL),
    ENTRY(pmselr, "PMSELR_EL0", 0x1fULL),
};
#define NR_REGS (sizeof(regs) / sizeof(regs[0]))

enum kind { UNDEFINED, IGNORED, HELD };
static enum kind kind[NR_REGS];
static uint64_t kept[NR_REGS];

static uint64_t pattern(unsigned i, int a)
{
    uint64_t p = 0xa5c3f00f5a3c0ff0ULL ^ (0x0101010101010101ULL * (i + 1));
    return a ? p : ~p;
}

/* Write the register's pattern over its masked bits; what is there now. */
static enum kind probe(unsigned i, int a, uint64_t *now)
{
    const struct reg *r = &regs[i];
    uint32_t before = leak_syncs;
    uint64_t old = r->read();
    uint64_t want = (old & ~r->mask) | (pattern(i, a) & r->mask);
    r->write(want);
    *now = r->read();
    if (leak_syncs != before) {
        /* EC 0 only: an undefined access, as on a CPU without it */
        if (leak_sync_esr >> 26) {
            puts_("FAIL: ");
            puts_(r->name);
            puts_(": exception class ");
            put_hex(leak_sync_esr >> 26);
            puts_(", not an undefined instruction\n");
            failures++;
        }
        return UNDEFINED;
    }
    return (*now & r->mask) == (old & r->mask) && (want & r->mask) != (old & r->mask) ? IGNORED : HELD;
}

void guest_main(uint64_t dtb);

#define ID_AA64PFR0 "S3_0_C0_C4_0"
#define ID_AA64ZFR0 "S3_0_C0_C4_4"
#define ZCR_EL1 "S3_0_C1_C2_0"

/* SVE as the domain's view says: without it, RDVL (and ZCR_EL1, in the
 * table) are undefined (probed before the registers are classified: an
 * undefined access changes ELR, SPSR and ESR) */
static int sve_detect(void)
{
    uint64_t pfr0, zfr0;
    __asm__ volatile("mrs %0, " ID_AA64PFR0 "\n mrs %1, " ID_AA64ZFR0 : "=r"(pfr0), "=r"(zfr0));
    puts_("leak: ID_AA64PFR0.SVE ");
    put_hex((pfr0 >> 32) & 0xf);
    puts_(", ID_AA64ZFR0 ");
    put_hex(zfr0);
    puts_("\n");
    if (!((pfr0 >> 32) & 0xf)) {
        check(zfr0 == 0, "no SVE: ID_AA64ZFR0 reads as zero");
        uint32_t before = leak_syncs;
        sve_rdvl();
        check(leak_syncs == before + 1 && (leak_sync_esr >> 26) == 0, "no SVE: RDVL is an undefined instruction");
        puts_("leak: SVE hidden\n");
        return 0;
    }
    return 1;
}

/* With SVE, its vector length is what its sve and its own ZCR_EL1
 * allow, and its registers get this domain's patterns (seed). The
 * vector length in bytes. */
static uint64_t sve_setup(uint64_t dtb, uint64_t seed, uint64_t *ffr_m)
{
    /* its whole length, or 256 bits by its own ZCR_EL1 ("zcr-short") */
    uint64_t len = dtb_mentions(dtb, "zcr-short") ? 1 : 15;
    __asm__ volatile("msr " ZCR_EL1 ", %0\n isb" : : "r"(len));
    uint64_t vl = sve_rdvl();
    puts_("leak: SVE: vectors of ");
    put_hex(vl * 8);
    puts_(" bits\n");
    for (unsigned i = 0; i < 32 * vl; i++)
        want_z[i] = (uint8_t)(seed >> (8 * (i % 8))) ^ (uint8_t)(i * 7) ^ (uint8_t)(i >> 8);
    for (unsigned i = 0; i < 16 * vl / 8; i++)
        want_p[i] = (uint8_t)(seed >> (8 * (i % 8))) ^ (uint8_t)(i * 13);
    *ffr_m = (seed & 0xff) % vl + 1;
    sve_write(want_z, want_p, *ffr_m);
    return vl;
}

/* Z0-Z31, P0-P15 and FFR still this domain's, at its vector length:
 * how many of them are not */
static unsigned sve_check(uint64_t vl, uint64_t ffr_m)
{
    unsigned bad = 0;
    if (sve_rdvl() != vl)
        return 1;
    sve_read(got_z, got_p);
    for (unsigned n = 0; n < 32; n++)
        for (unsigned i = n * vl; i < (n + 1) * vl; i++)
            if (got_z[i] != want_z[i]) {
                bad++;
                break;
            }
    unsigned pl = vl / 8;
    for (unsigned n = 0; n < 16; n++)
        for (unsigned i = n * pl; i < (n + 1) * pl; i++)
            if (got_p[i] != want_p[i]) {
                bad++;
                break;
            }
    for (unsigned j = 0; j < vl; j++) /* FFR: bit j is byte element j */
        if (((got_p[16 * pl + j / 8] >> (j % 8)) & 1) != (j < ffr_m)) {
            bad++;
            break;
        }
    return bad;
}

void guest_main(uint64_t dtb)
{
    int a = dtb_mentions(dtb, "leak=a");
    uint64_t freq, t0, now, last;
    __asm__ volatile("msr vbar_el1, %0; isb" : : "r"(leak_vectors));
    /* FP/SIMD, SVE and SME on at EL1 (ZEN, SMEN: RES0 without them), so
     * what traps is the hypervisor's CPTR_EL2, not our own CPACR_EL1 */
    __asm__ volatile("msr cpacr_el1, %0; isb" : : "r"(3UL << 20 | 3UL << 16 | 3UL << 24));
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(freq), "=r"(t0));
    int sve = sve_detect();
    /* classify first: an undefined access changes ELR, SPSR and ESR */
    for (unsigned i = 0; i < NR_REGS; i++)
        kind[i] = probe(i, a, &kept[i]);
    unsigned held = 0, unwritable = 0;
    for (unsigned i = 0; i < NR_REGS; i++) {
        if (kind[i] != HELD) {
            unwritable++;
            continue;
        }
        held++;
        probe(i, a, &kept[i]); /* again, after the last undefined access */
    }
    uint64_t vp = a ? 0x1234567811110000ULL : 0x8765432122220000ULL;
    /* SVE's Z registers hold V0-V31: with SVE they are checked whole */
    uint64_t seed = vp ^ (dtb_mentions(dtb, "zcr-short") ? 0x5a5a5a5a5a5a5a5aULL : 0), ffr_m = 0;
    uint64_t vl = sve ? sve_setup(dtb, seed, &ffr_m) : 0;
    if (!vl)
        vregs_write(vp);
    for (unsigned i = 0; i < NR_REGS; i++)
        if (regs[i].read == r_zcr && kind[i] == HELD) /* as sve_setup left it */
            kept[i] = r_zcr();
    puts_(a ? "leak: domain a wrote its patterns\n" : "leak: domain b wrote its patterns\n");

    unsigned switches = 0, failed = 0;
    last = t0;
    do {
        for (unsigned i = 0; i < NR_REGS; i++) {
            if (kind[i] != HELD)
                continue;
            uint64_t v = regs[i].read();
            if (v != kept[i]) {
                puts_("FAIL: ");
                puts_(regs[i].name);
                puts_(" changed behind my back: ");
                put_hex(v);
                puts_(" (mine was ");
                put_hex(kept[i]);
                puts_(")\n");
                failures++;
                kept[i] = v; /* say it once */
            }
        }
        if (vl ? sve_check(vl, ffr_m) : vregs_check(vp)) {
            if (!failed)
                puts_(vl ? "FAIL: Z0-Z31, P0-P15, FFR or the vector length changed behind my back\n"
                         : "FAIL: V0-V31 changed behind my back\n");
            failures += !failed;
            failed = 1;
        }
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
        if (now - last > freq / 200) /* a gap of 5 ms: the other domain ran */
            switches++;
        last = now;
    } while (now - t0 < freq + freq / 2);
    check(switches > 0, "the other domain ran on this CPU meanwhile");
    puts_("leak: ");
    put_hex(held);
    puts_(vl ? " registers held and Z0-Z31 P0-P15 FFR, " : " registers held and V0-V31, ");
    put_hex(unwritable);
    puts_(" unwritable, checked across ");
    put_hex(switches);
    puts_(" switches\n");
    /* which ones each way, for the log */
    for (unsigned i = 0; i < NR_REGS; i++) {
        puts_(kind[i] == HELD ? "leak: held " : kind[i] == UNDEFINED ? "leak: undefined " : "leak: ignored ");
        puts_(regs[i].name);
        puts_("\n");
    }
    puts_(failures ? "leak: some checks FAILED\n" : "leak: all checks passed\n");
    psci_system_off();
}
