/* The CPU guests see, through trapped accesses (vdev/vcpufeature.c and
 * core/exit.c over the fake architecture): every ID register encoding
 * read from the machine's view into the named register, writes to them
 * and the registers of hidden features (pointer-auth keys while hidden,
 * MTE, RAS, LORegions, AMU, SCXTNUM, TCR2, SCTLR2) undefined, as are SVE,
 * SME and pointer-auth instructions trapped by CPTR_EL2/HCR_EL2: the
 * guest takes an undefined instruction exception at its EL1 vector, its
 * domain keeps running. */
#include "guest_env.h"
#include <xam/vcpufeature.h>

#define VBAR 0x40001000ULL
#define PC0 (GUEST_RAM0_BASE + 0x2000)

static struct domain *dom;
static struct vcpu *v0;
static struct idregs view, view_sve;

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    env_keeper();
    dom = env_domain("cpu", 1, NULL, false);
    v0 = &dom->vcpus[0];
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x3c5; /* EL1h */
    v0->arch.sys.vbar = VBAR;
    v0->arch.sys.sctlr = SCTLR_EL1_RES1; /* SPAN (RES1 without PAN) set */
    for (unsigned i = 0; i < IDREGS_NR; i++)
        view.r[i] = 0x1000000000000000ULL * (i % 8) + 0x100 * i + 0x5a; /* each its own */
    for (unsigned i = 0; i < IDREGS_NR; i++)
        view_sve.r[i] = view.r[i] ^ 0x0000000100000000ULL * (i + 1);
    fake_set_guest_idregs(&view, &view_sve);
    assert_int_equal(vcpufeature_init(), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

static void sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, bool read)
{
    fake_trap(v0, fake_esr_sysreg(op0, op1, crn, crm, op2, rt, read), 0);
}

/* The undefined instruction exception a guest at pc (EL1h) takes: to
 * VBAR + 0x200, ESR_EL1 EC 0 with IL, ELR_EL1 the instruction itself. */
static void assert_undef_at(uint64_t pc)
{
    assert_int_equal(v0->arch.regs.pc, VBAR + 0x200);
    assert_int_equal(v0->arch.sys.elr, pc);
    assert_int_equal(v0->arch.sys.esr, 1ULL << 25);
    assert_int_equal(v0->arch.sys.spsr, 0x3c5);
    assert_int_equal(v0->arch.regs.pstate & 0x3cf, 0x3c5);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    v0->arch.regs.pc = pc; /* the guest's handler returns past it */
    v0->arch.regs.pc += 4;
}

static void every_id_register_reads_the_view(void **state)
{
    (void)state;
    uint64_t pc = v0->arch.regs.pc;
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 <= 7; op2++) {
            unsigned rt = (crm * 8 + op2) % 31;
            v0->arch.regs.x[rt] = 0xdead;
            sysreg(3, 0, 0, crm, op2, rt, true);
            assert_int_equal(v0->arch.regs.x[rt], view.r[IDREG(crm, op2)]);
            pc += 4;
            assert_int_equal(v0->arch.regs.pc, pc);
        }
    /* into XZR: nothing written, the PC moves on */
    sysreg(3, 0, 0, 4, 0, 31, true);
    assert_int_equal(v0->arch.regs.pc, pc + 4);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

static void id_register_writes_are_undefined(void **state)
{
    (void)state;
    for (unsigned crm = 1; crm <= 7; crm++) {
        uint64_t pc = v0->arch.regs.pc;
        v0->arch.regs.x[3] = 0x1234;
        sysreg(3, 0, 0, crm, crm % 8, 3, false);
        assert_undef_at(pc);
    }
    /* the view is not changed by any of it */
    assert_int_equal(cpufeature_guest_idregs(false)->r[ID_AA64PFR0], view.r[ID_AA64PFR0]);
}

/* A domain with Xen's sve reads the SVE view (ID_AA64PFR0.SVE,
 * ID_AA64ZFR0), in every register; the others never do */
static void sve_domains_read_their_own_view(void **state)
{
    (void)state;
    dom->sve_bits = 256;
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 <= 7; op2++) {
            sysreg(3, 0, 0, crm, op2, 7, true);
            assert_int_equal(v0->arch.regs.x[7], view_sve.r[IDREG(crm, op2)]);
        }
    dom->sve_bits = 0;
    sysreg(3, 0, 0, 4, 0, 7, true);
    assert_int_equal(v0->arch.regs.x[7], view.r[ID_AA64PFR0]);
    sysreg(3, 0, 0, 4, 4, 7, true);
    assert_int_equal(v0->arch.regs.x[7], view.r[ID_AA64ZFR0]);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

static void hidden_features_registers_are_undefined(void **state)
{
    (void)state;
    static const unsigned regs[][5] = {
        { 3, 0, 2, 1, 0 }, /* APIAKeyLo_EL1 (HCR_EL2.APK while pauth is hidden) */
        { 3, 0, 2, 3, 1 }, /* APGAKeyHi_EL1 */
        { 3, 0, 2, 0, 3 }, /* TCR2_EL1 */
        { 3, 0, 1, 0, 3 }, /* SCTLR2_EL1 */
        { 3, 0, 1, 0, 5 }, /* RGSR_EL1 (MTE) */
        { 3, 0, 1, 0, 6 }, /* GCR_EL1 (MTE) */
        { 3, 0, 5, 6, 0 }, /* TFSR_EL1 (MTE) */
        { 3, 0, 5, 3, 1 }, /* ERRSELR_EL1 (RAS) */
        { 3, 0, 5, 4, 2 }, /* ERXSTATUS_EL1 */
        { 3, 0, 10, 4, 3 }, /* LORC_EL1 */
        { 3, 0, 13, 0, 7 }, /* SCXTNUM_EL1 */
        { 3, 3, 13, 0, 7 }, /* SCXTNUM_EL0 */
        { 3, 3, 13, 2, 0 }, /* AMCR_EL0 */
        { 3, 3, 13, 4, 1 }, /* AMEVCNTR01_EL0 */
        { 3, 0, 1, 2, 1 }, /* TRFCR_EL1 */
        { 3, 0, 10, 2, 4 }, /* POR_EL1 (fine-grained traps cleared) */
        { 3, 3, 10, 2, 4 }, /* POR_EL0 */
        { 3, 0, 10, 2, 3 }, /* PIR_EL1 */
        { 3, 0, 13, 0, 5 }, /* ACCDATA_EL1 */
        { 3, 3, 13, 0, 5 }, /* TPIDR2_EL0 (only ever trapped by FGT) */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
        for (int read = 0; read <= 1; read++) {
            uint64_t pc = v0->arch.regs.pc;
            v0->arch.regs.x[5] = 0x77;
            sysreg(regs[i][0], regs[i][1], regs[i][2], regs[i][3], regs[i][4], 5, read);
            assert_undef_at(pc);
            assert_int_equal(v0->arch.regs.x[5], 0x77);
        }
}

/* SVE (EC 0x19), SME (0x1d), pointer auth while hidden (0x09) */
static void hidden_instructions_are_undefined(void **state)
{
    (void)state;
    static const unsigned classes[] = { EC_SVE, EC_SME, EC_PAC };
    for (unsigned i = 0; i < ARRAY_SIZE(classes); i++) {
        uint64_t pc = v0->arch.regs.pc;
        fake_trap(v0, (uint64_t)classes[i] << 26 | FAKE_ESR_IL, 0);
        assert_undef_at(pc);
    }
}

/* from EL0 (AArch64 and AArch32) and from EL1t: the vector of where it
 * came from; PAN set on entry when SCTLR_EL1.SPAN is clear */
static void undefined_from_every_mode(void **state)
{
    (void)state;
    static const struct {
        uint64_t pstate, vector;
    } modes[] = { { 0x0, 0x400 }, { 0x10, 0x600 }, { 0x3c4, 0x000 }, { 0x3c5, 0x200 } };
    for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
        v0->arch.regs.pstate = modes[i].pstate;
        v0->arch.regs.pc = PC0;
        v0->arch.sys.sctlr = SCTLR_EL1_RES1 & ~SCTLR_EL1_SPAN;
        fake_trap(v0, (uint64_t)EC_SVE << 26 | FAKE_ESR_IL, 0);
        assert_int_equal(v0->arch.regs.pc, VBAR + modes[i].vector);
        assert_int_equal(v0->arch.sys.spsr, modes[i].pstate);
        assert_int_equal(v0->arch.sys.elr, PC0);
        assert_int_equal(v0->arch.regs.pstate, 0x3c5 | PSTATE_PAN);
    }
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

/* What is not a hidden feature's still stops the domain, as before */
static void other_unknown_registers_still_stop_the_domain(void **state)
{
    (void)state;
    sysreg(3, 0, 11, 0, 0, 0, false); /* nothing there traps */
    assert_int_equal(dom->state, DOMAIN_STOPPING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(every_id_register_reads_the_view, setup, teardown),
        ENV_TEST(id_register_writes_are_undefined, setup, teardown),
        ENV_TEST(sve_domains_read_their_own_view, setup, teardown),
        ENV_TEST(hidden_features_registers_are_undefined, setup, teardown),
        ENV_TEST(hidden_instructions_are_undefined, setup, teardown),
        ENV_TEST(undefined_from_every_mode, setup, teardown),
        ENV_TEST(other_unknown_registers_still_stop_the_domain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
