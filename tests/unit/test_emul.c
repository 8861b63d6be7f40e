/* The emulation interface (core/emul.c) and guest exits (core/exit.c) over
 * the fake architecture: the MMIO region registry, data aborts of every
 * width with sign extension and XZR, refusals turned into injected
 * aborts, unmapped addresses and ISV=0 stopping the domain, pending
 * accesses answered later (also before the vCPU has gone to wait), the
 * system-register and HVC/SMC registries. */
#include "guest_env.h"
#include <xam/vdebug.h>

#define DEV_BASE 0x10000000ULL
#define DEV_SIZE 0x1000ULL
#define VBAR 0x40001000ULL
#define PC0 (GUEST_RAM0_BASE + 0x2000)

/* A test device: records the last access, answers as told. */
struct dev {
    unsigned calls;
    struct mmio_access last;
    enum emul_result result;
    uint64_t answer;
    bool complete_early; /* answer through emul_complete before returning PENDING */
};

static enum emul_result dev_mmio(struct vcpu *v, struct mmio_access *a, void *arg)
{
    struct dev *dv = arg;
    dv->calls++;
    dv->last = *a;
    if (!a->write)
        a->value = dv->answer;
    if (dv->result == EMUL_PENDING) /* the contract: record before handing it on */
        emul_pend(v);
    if (dv->complete_early)
        assert_true(emul_complete(v, dv->answer, false));
    return dv->result;
}

static struct dev dev;
static struct domain *dom;
static struct vcpu *v0;

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    memset(&dev, 0, sizeof(dev));
    env_keeper();
    dom = env_domain("emul", 1, NULL, false);
    v0 = &dom->vcpus[0];
    struct mmio_region r = { DEV_BASE, DEV_SIZE, dev_mmio, &dev, "testdev" };
    assert_int_equal(domain_add_mmio(dom, &r), 0);
    v0->arch.regs.pc = PC0;
    v0->arch.sys.vbar = VBAR;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

static enum emul_result nop_mmio(struct vcpu *v, struct mmio_access *a, void *arg)
{
    (void)v, (void)a, (void)arg;
    return EMUL_HANDLED;
}

static struct mmio_region region(paddr_t base, uint64_t size)
{
    return (struct mmio_region){ base, size, nop_mmio, NULL, "r" };
}

/* ---- the registry ---- */

static void registry_sorted_and_disjoint(void **state)
{
    (void)state;
    static struct mmio_map m;
    memset(&m, 0, sizeof(m));
    /* 32 regions of 0x100 every 0x1000, added in a scrambled order */
    uint64_t seed = 7;
    bool added[EMUL_MAX_MMIO] = { 0 };
    for (unsigned n = 0; n < EMUL_MAX_MMIO;) {
        unsigned i = (unsigned)(unit_rand(&seed) % EMUL_MAX_MMIO);
        if (added[i])
            continue;
        struct mmio_region r = region(0x100000 + i * 0x1000ULL, 0x100);
        assert_int_equal(emul_mmio_add(&m, &r), 0);
        added[i] = true;
        n++;
    }
    assert_int_equal(m.nr, EMUL_MAX_MMIO);
    for (unsigned i = 1; i < m.nr; i++)
        assert_true(m.r[i - 1].base + m.r[i - 1].size <= m.r[i].base);
    struct mmio_region extra = region(0x900000, 0x10);
    assert_int_equal(emul_mmio_add(&m, &extra), -XAM_ENOSPC);
    /* lookups: both ends of every region, and the gaps around them */
    for (unsigned i = 0; i < EMUL_MAX_MMIO; i++) {
        paddr_t b = 0x100000 + i * 0x1000ULL;
        const struct mmio_region *r = emul_mmio_find(&m, b);
        assert_non_null(r);
        assert_int_equal(r->base, b);
        assert_ptr_equal(emul_mmio_find(&m, b + 0xff), r);
        assert_null(emul_mmio_find(&m, b + 0x100));
        assert_null(emul_mmio_find(&m, b - 1));
    }
    assert_null(emul_mmio_find(&m, 0));
    assert_null(emul_mmio_find(&m, UINT64_MAX));
}

static void registry_refuses_overlaps(void **state)
{
    (void)state;
    static struct mmio_map m;
    memset(&m, 0, sizeof(m));
    struct mmio_region a = region(0x2000, 0x1000), b = region(0x4000, 0x1000);
    assert_int_equal(emul_mmio_add(&m, &a), 0);
    assert_int_equal(emul_mmio_add(&m, &b), 0);
    static const struct {
        paddr_t base;
        uint64_t size;
    } bad[] = {
        { 0x2000, 0x1000 }, { 0x1fff, 2 },    { 0x2fff, 1 }, { 0x1000, 0x5000 },
        { 0x2800, 0x2000 }, { 0x4fff, 0x10 }, { 0x3fff, 2 }, { 0x2100, 0x10 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        struct mmio_region r = region(bad[i].base, bad[i].size);
        assert_int_equal(emul_mmio_add(&m, &r), -XAM_EEXIST);
    }
    /* touching is not overlapping */
    struct mmio_region below = region(0x1000, 0x1000), between = region(0x3000, 0x1000), above = region(0x5000, 1);
    assert_int_equal(emul_mmio_add(&m, &below), 0);
    assert_int_equal(emul_mmio_add(&m, &between), 0);
    assert_int_equal(emul_mmio_add(&m, &above), 0);
    assert_int_equal(m.nr, 5);
    /* nonsense */
    struct mmio_region empty = region(0x9000, 0), wraps = region(UINT64_MAX - 0xff, 0x1000),
                       nofn = { 0xa000, 0x10, NULL, NULL, "x" };
    assert_int_equal(emul_mmio_add(&m, &empty), -XAM_EINVAL);
    assert_int_equal(emul_mmio_add(&m, &wraps), -XAM_EINVAL);
    assert_int_equal(emul_mmio_add(&m, &nofn), -XAM_EINVAL);
    assert_int_equal(m.nr, 5);
    assert_ptr_equal(emul_mmio_find(&m, 0x3fff)->base, 0x3000);
    assert_ptr_equal(emul_mmio_find(&m, 0x5000)->base, 0x5000);
    assert_null(emul_mmio_find(&m, 0x5001));
}

/* ---- data aborts ---- */

static void dabt(unsigned size, bool write, unsigned reg, bool sse, bool sf, paddr_t ipa)
{
    fake_trap(v0, fake_esr_dabt(size, write, reg, sse, sf), ipa);
}

static void writes_every_width(void **state)
{
    (void)state;
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    for (unsigned i = 0; i < 4; i++) {
        unsigned sz = sizes[i];
        uint64_t pc = v0->arch.regs.pc;
        v0->arch.regs.x[5] = 0x1122334455667788ULL;
        dabt(sz, true, 5, false, true, DEV_BASE + 8 * sz);
        assert_int_equal(dev.calls, i + 1);
        assert_true(dev.last.write);
        assert_int_equal(dev.last.size, sz);
        assert_int_equal(dev.last.ipa, DEV_BASE + 8 * sz);
        assert_int_equal(dev.last.off, 8 * sz);
        assert_int_equal(dev.last.value,
                         sz == 8 ? 0x1122334455667788ULL : 0x1122334455667788ULL & ((1ULL << (8 * sz)) - 1));
        assert_int_equal(v0->arch.regs.pc, pc + 4);
        assert_int_equal(v0->arch.regs.x[5], 0x1122334455667788ULL);
    }
}

static void reads_every_width(void **state)
{
    (void)state;
    dev.answer = 0xffeeddccbbaa9988ULL;
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    for (unsigned i = 0; i < 4; i++) {
        for (int sf = 0; sf < 2; sf++) {
            unsigned sz = sizes[i];
            uint64_t pc = v0->arch.regs.pc;
            v0->arch.regs.x[7] = 0x5555555555555555ULL;
            dabt(sz, false, 7, false, sf, DEV_BASE);
            assert_false(dev.last.write);
            uint64_t want = sz == 8 ? dev.answer : dev.answer & ((1ULL << (8 * sz)) - 1);
            assert_int_equal(v0->arch.regs.x[7], want);
            assert_int_equal(v0->arch.regs.pc, pc + 4);
        }
    }
}

static void reads_sign_extended(void **state)
{
    (void)state;
    static const struct {
        unsigned size;
        bool sf;
        uint64_t answer, want;
    } c[] = {
        { 1, false, 0x80, 0xffffff80ULL },
        { 1, true, 0x80, 0xffffffffffffff80ULL },
        { 1, true, 0x7f, 0x7f },
        { 1, true, 0x1280, 0xffffffffffffff80ULL }, /* bits above the access ignored */
        { 2, false, 0x8001, 0xffff8001ULL },
        { 2, true, 0x8001, 0xffffffffffff8001ULL },
        { 2, true, 0x7fff, 0x7fff },
        { 4, true, 0x80000000, 0xffffffff80000000ULL },
        { 4, false, 0x80000000, 0x80000000ULL },
        { 4, true, 0x7fffffff, 0x7fffffff },
        { 8, true, 0x8000000000000000ULL, 0x8000000000000000ULL },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
        dev.answer = c[i].answer;
        v0->arch.regs.x[2] = 0x5555555555555555ULL;
        dabt(c[i].size, false, 2, true, c[i].sf, DEV_BASE + 0x10);
        assert_int_equal(v0->arch.regs.x[2], c[i].want);
    }
}

static void xzr_source_and_target(void **state)
{
    (void)state;
    uint64_t regs[31];
    for (unsigned i = 0; i < 31; i++)
        v0->arch.regs.x[i] = 0x1000 + i;
    memcpy(regs, v0->arch.regs.x, sizeof(regs));
    dabt(8, true, 31, false, true, DEV_BASE); /* STR XZR */
    assert_int_equal(dev.last.value, 0);
    dev.answer = 0xdead;
    dabt(4, false, 31, true, false, DEV_BASE); /* LDR WZR: discarded */
    assert_memory_equal(regs, v0->arch.regs.x, sizeof(regs));
    assert_int_equal(v0->arch.regs.pc, PC0 + 8);
    assert_int_equal(dev.calls, 2);
}

static void assert_abort_injected(uint64_t old_pc, uint64_t old_pstate, uint64_t far, bool write, unsigned ec,
                                  uint64_t vector)
{
    uint64_t esr = v0->arch.sys.esr;
    assert_int_equal(esr >> 26, ec);
    assert_true(esr & (1ULL << 25));
    assert_int_equal(!!(esr & (1ULL << 6)), write);
    assert_int_equal(esr & 0x3f, 0x10); /* synchronous external abort */
    assert_int_equal(v0->arch.sys.elr, old_pc);
    assert_int_equal(v0->arch.sys.spsr, old_pstate);
    assert_int_equal(v0->arch.sys.far, far);
    assert_int_equal(v0->arch.regs.pc, VBAR + vector);
    assert_int_equal(v0->arch.regs.pstate, 0x3c5);
}

static void straddling_the_end_is_refused(void **state)
{
    (void)state;
    uint64_t pstate = v0->arch.regs.pstate = 0x3c5; /* EL1h */
    v0->arch.regs.x[1] = 0xabcd;
    dabt(4, true, 1, false, false, DEV_BASE + DEV_SIZE - 2);
    assert_int_equal(dev.calls, 0); /* the device never saw it */
    assert_abort_injected(PC0, pstate, DEV_BASE + DEV_SIZE - 2, true, 0x25, 0x200);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    assert_non_null(fake_log_find("refused"));
    /* the last byte alone is fine */
    v0->arch.regs.pc = PC0;
    dabt(1, false, 1, false, false, DEV_BASE + DEV_SIZE - 1);
    assert_int_equal(dev.calls, 1);
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
}

static void fault_injects_an_abort(void **state)
{
    (void)state;
    dev.result = EMUL_FAULT;
    /* from EL1h: current EL, SPx vector */
    v0->arch.regs.pstate = 0x3c5;
    v0->arch.regs.x[3] = 0x77;
    dabt(4, false, 3, false, false, DEV_BASE + 4);
    assert_abort_injected(PC0, 0x3c5, DEV_BASE + 4, false, 0x25, 0x200);
    assert_int_equal(v0->arch.regs.x[3], 0x77); /* no value for a refused read */
    /* from EL1t: current EL, SP0 vector */
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x3c4;
    dabt(2, true, 3, false, false, DEV_BASE + 6);
    assert_abort_injected(PC0, 0x3c4, DEV_BASE + 6, true, 0x25, 0x000);
    /* from EL0: lower EL vector, EC 0x24 */
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x0;
    dabt(8, true, 3, false, true, DEV_BASE + 8);
    assert_abort_injected(PC0, 0, DEV_BASE + 8, true, 0x24, 0x400);
    /* from AArch32 EL0 (user mode, nRW): the lower EL AArch32 vector */
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x10;
    dabt(4, true, 3, false, false, DEV_BASE + 12);
    assert_abort_injected(PC0, 0x10, DEV_BASE + 12, true, 0x24, 0x600);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    /* logged at warning level at most once (the first refusal of a
     * domain), then only at debug level: a guest cannot flood the console */
    unsigned warns = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++)
        warns += strstr(fake_log_line(i), "refused") && fake_log_level(i) == LOG_WARN;
    assert_true(warns <= 1);
    assert_int_equal(fake_log_count("refused (width or alignment not allowed): abort injected"), 4);
}

/* An access to an address with neither RAM nor a device, as Xen's
 * default (trap-unmapped-accesses = <1>): the guest takes a synchronous
 * external abort there and runs on; the first is logged, later ones only
 * at debug level */
static void unmapped_address_takes_an_abort(void **state)
{
    (void)state;
    v0->arch.regs.pstate = 0x3c5;
    dabt(4, true, 0, false, false, 0x20000000);
    assert_abort_injected(PC0, 0x3c5, 0x20000000, true, 0x25, 0x200);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    assert_non_null(fake_log_find("write to unmapped guest address at 0x20000000 (PC 0x"));
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x3c5;
    dabt(1, false, 0, false, false, DEV_BASE + DEV_SIZE);
    assert_abort_injected(PC0, 0x3c5, DEV_BASE + DEV_SIZE, false, 0x25, 0x200);
    /* without a syndrome too: nothing is emulated, so nothing to decode */
    v0->arch.regs.pc = PC0;
    v0->arch.regs.pstate = 0x3c5;
    fake_trap(v0, fake_esr_dabt(4, false, 0, false, false) & ~(1ULL << 24), 0x20000010);
    assert_abort_injected(PC0, 0x3c5, 0x20000010, false, 0x25, 0x200);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    assert_int_equal(dev.calls, 0);
    unsigned warns = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++)
        warns += strstr(fake_log_line(i), "unmapped guest address") && fake_log_level(i) == LOG_WARN;
    assert_int_equal(warns, 1);
    assert_int_equal(fake_log_count("unmapped guest address"), 3);
}

/* trap-unmapped-accesses = <0> (Xen's): reads of an address with neither
 * RAM nor a device give all ones of the access's size (sign-extended
 * when the instruction asks, to 32 bits for a W register), writes are
 * ignored; the domain runs on, and nothing is logged */
static void unmapped_reads_all_ones_when_asked(void **state)
{
    (void)state;
    dom->unmapped_reads_ones = true;
    static const struct {
        unsigned size;
        bool sse, sf;
        uint64_t want;
    } c[] = {
        { 1, false, false, 0xff }, { 2, false, true, 0xffff },        { 4, false, true, 0xffffffffULL },
        { 8, false, true, ~0ULL }, { 1, true, false, 0xffffffffULL }, { 2, true, true, ~0ULL },
        { 4, true, true, ~0ULL },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        uint64_t pc = v0->arch.regs.pc;
        v0->arch.regs.x[7] = 0x1234;
        dabt(c[i].size, false, 7, c[i].sse, c[i].sf, 0x20000000 + 8 * i);
        assert_int_equal(v0->arch.regs.x[7], c[i].want);
        assert_int_equal(v0->arch.regs.pc, pc + 4);
    }
    uint64_t pc = v0->arch.regs.pc;
    v0->arch.regs.x[7] = 0x55;
    dabt(4, true, 7, false, false, 0x20000000);
    assert_int_equal(v0->arch.regs.x[7], 0x55);
    assert_int_equal(v0->arch.regs.pc, pc + 4);
    /* XZR as the target: nothing to set */
    dabt(8, false, 31, false, true, 0x20000000);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    assert_int_equal(dev.calls, 0);
    assert_null(fake_log_find("unmapped"));
    /* devices still answer as ever */
    dabt(4, false, 3, false, false, DEV_BASE);
    assert_int_equal(dev.calls, 1);
}

static void no_syndrome_stops_the_domain(void **state)
{
    (void)state;
    uint64_t esr = fake_esr_dabt(4, true, 0, false, false) & ~(1ULL << 24);
    fake_trap(v0, esr, DEV_BASE);
    assert_int_equal(dev.calls, 0);
    assert_int_equal(dom->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("ISV=0"));
}

static void unknown_exits_stop_the_domain(void **state)
{
    (void)state;
    fake_trap(v0, (uint64_t)0x07 << 26, 0x1234); /* FP access: nobody's */
    assert_int_equal(dom->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("unhandled exception"));
    domain_run_jobs();
    struct domain *d2 = env_domain("serror", 1, NULL, false);
    d2->vcpus[0].arch.exit = GUEST_EXIT_SERROR;
    vcpu_handle_exit(&d2->vcpus[0]);
    assert_int_equal(d2->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("SError"));
}

/* ---- pending accesses ---- */

static void pending_read_completes_later(void **state)
{
    (void)state;
    dev.result = EMUL_PENDING;
    assert_int_equal(v0->state, VCPU_RUNNABLE);
    v0->arch.regs.x[9] = 0x5555;
    dabt(2, false, 9, true, true, DEV_BASE + 2);
    assert_int_equal(v0->state, VCPU_WAITING);
    assert_int_equal(v0->arch.regs.pc, PC0); /* not yet past the load */
    assert_int_equal(v0->arch.regs.x[9], 0x5555);
    /* the answer, from another CPU */
    fake_set_cpu(1);
    assert_true(emul_complete(v0, 0x18000, false)); /* bits above the halfword dropped */
    assert_false(emul_complete(v0, 1, false)); /* answered once */
    fake_set_cpu(0);
    assert_int_equal(v0->state, VCPU_RUNNABLE);
    /* applied on its own CPU, as it enters the guest again */
    assert_true(vcpu_run(v0));
    assert_int_equal(v0->arch.regs.x[9], 0xffffffffffff8000ULL);
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
    assert_false(v0->pending.active);
    /* applied only once */
    assert_true(vcpu_run(v0));
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
    assert_false(emul_complete(v0, 1, false));
}

static void pending_write_completes_with_a_fault(void **state)
{
    (void)state;
    dev.result = EMUL_PENDING;
    v0->arch.regs.pstate = 0x3c5;
    v0->arch.regs.x[4] = 42;
    dabt(4, true, 4, false, false, DEV_BASE + 0x20);
    assert_int_equal(dev.last.value, 42);
    assert_int_equal(v0->state, VCPU_WAITING);
    assert_true(emul_complete(v0, 0, true));
    assert_true(vcpu_run(v0));
    assert_abort_injected(PC0, 0x3c5, DEV_BASE + 0x20, true, 0x25, 0x200);
}

static void answer_before_waiting(void **state)
{
    (void)state;
    /* the device model answers before the handler has even returned */
    dev.result = EMUL_PENDING;
    dev.complete_early = true;
    dev.answer = 0x1234;
    dabt(4, false, 6, false, false, DEV_BASE);
    assert_int_equal(v0->state, VCPU_RUNNABLE); /* never waits for an answer already there */
    assert_true(vcpu_run(v0));
    assert_int_equal(v0->arch.regs.x[6], 0x1234);
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
}

static void nothing_pending_nothing_completed(void **state)
{
    (void)state;
    assert_false(emul_complete(v0, 1, false));
    dabt(4, false, 6, false, false, DEV_BASE); /* handled at once */
    assert_false(emul_complete(v0, 1, false));
    assert_true(vcpu_run(v0));
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
}

/* ---- system registers ---- */

static void sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, bool read)
{
    fake_trap(v0, fake_esr_sysreg(op0, op1, crn, crm, op2, rt, read), 0);
}

static void pmu_and_debug_read_as_zero(void **state)
{
    (void)state;
    assert_int_equal(vdebug_init(), 0);
    static const unsigned regs[][5] = {
        { 3, 3, 9, 12, 0 }, /* PMCR_EL0 */
        { 3, 3, 9, 13, 0 }, /* PMCCNTR_EL0 */
        { 3, 0, 9, 14, 1 }, /* PMINTENSET_EL1 */
        { 3, 3, 14, 8, 3 }, /* PMEVCNTR3_EL0 */
        { 3, 3, 14, 15, 7 }, /* PMCCFILTR_EL0 */
        { 2, 0, 0, 2, 2 }, /* MDSCR_EL1 */
        { 2, 0, 0, 0, 4 }, /* DBGBVR0_EL1 */
        { 2, 0, 1, 0, 4 }, /* OSLAR_EL1 */
    };
    uint64_t pc = v0->arch.regs.pc;
    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
        v0->arch.regs.x[8] = 0xffff;
        sysreg(regs[i][0], regs[i][1], regs[i][2], regs[i][3], regs[i][4], 8, true);
        assert_int_equal(v0->arch.regs.x[8], 0);
        v0->arch.regs.x[8] = 0xffff;
        sysreg(regs[i][0], regs[i][1], regs[i][2], regs[i][3], regs[i][4], 8, false);
        assert_int_equal(v0->arch.regs.x[8], 0xffff);
        sysreg(regs[i][0], regs[i][1], regs[i][2], regs[i][3], regs[i][4], 31, true);
        pc += 12;
        assert_int_equal(v0->arch.regs.pc, pc);
    }
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

static void timer_sysreg_is_not_the_pmus(void **state)
{
    (void)state;
    assert_int_equal(vdebug_init(), 0);
    sysreg(3, 3, 14, 3, 1, 0, true); /* CNTV_CTL_EL0: never trapped; not PMU */
    assert_int_equal(dom->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("trapped system register access"));
}

static void unknown_sysreg_stops_the_domain(void **state)
{
    (void)state;
    sysreg(3, 0, 1, 0, 0, 0, false); /* SCTLR_EL1, no handler registered */
    assert_int_equal(dom->state, DOMAIN_STOPPING);
}

static unsigned seen_sysreg;
static enum emul_result refuse_sysreg(struct vcpu *v, struct sysreg_access *a)
{
    (void)v, (void)a;
    seen_sysreg++;
    return EMUL_FAULT;
}

static void refused_sysreg_stops_the_domain(void **state)
{
    (void)state;
    struct sysreg_handler h = { SYSREG_KEY(3, 0, 12, 11, 5), SYSREG_KEY_MASK, refuse_sysreg, "x" };
    assert_int_equal(emul_sysreg_register(&h, 1), 0);
    sysreg(3, 0, 12, 11, 5, 1, true);
    assert_int_equal(seen_sysreg, 1);
    assert_int_equal(dom->state, DOMAIN_STOPPING);
    for (unsigned i = 1; i < EMUL_MAX_SYSREG; i++)
        assert_int_equal(emul_sysreg_register(&h, 1), 0);
    assert_int_equal(emul_sysreg_register(&h, 1), -XAM_ENOSPC);
}

/* ---- calls ---- */

static unsigned calls_seen;
static enum emul_result my_call(struct vcpu *v)
{
    calls_seen++;
    v->arch.regs.x[0] = 0x600d;
    v->arch.regs.x[1] = v->arch.regs.x[1] + 1;
    return EMUL_HANDLED;
}
static enum emul_result bad_call(struct vcpu *v)
{
    v->arch.regs.x[0] = 0;
    return EMUL_FAULT;
}

static void calls_by_immediate(void **state)
{
    (void)state;
    assert_int_equal(emul_call_register(EMUL_HVC, 0x42, my_call), 0);
    assert_int_equal(emul_call_register(EMUL_HVC, 0x42, my_call), -XAM_EEXIST);
    assert_int_equal(emul_call_register(EMUL_SMC, 0x43, bad_call), 0);
    /* a trapped HVC's return address is already past it */
    uint64_t pc = v0->arch.regs.pc;
    assert_int_equal(env_call(v0, EC_HVC64, 0x42, 0, 7, 1, 0, 0), 0x600d);
    assert_int_equal(v0->arch.regs.x[1], 2);
    assert_int_equal(v0->arch.regs.pc, pc);
    /* the same immediate through SMC is another call: unknown */
    assert_int_equal(env_call(v0, EC_SMC64, 0x42, 0, 7, 0, 0, 0), (uint64_t)-1);
    assert_int_equal(v0->arch.regs.pc, pc + 4); /* a trapped SMC is stepped over */
    assert_int_equal(env_call(v0, EC_HVC64, 0x1234, 0, 7, 0, 0, 0), (uint64_t)-1);
    assert_int_equal(v0->arch.regs.pc, pc + 4);
    /* a handler that refuses: NOT_SUPPORTED */
    assert_int_equal(env_call(v0, EC_SMC64, 0x43, 0, 7, 0, 0, 0), (uint64_t)-1);
    assert_int_equal(v0->arch.regs.pc, pc + 8);
    assert_int_equal(calls_seen, 1);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    /* the table is bounded */
    unsigned added = 0;
    for (uint16_t imm = 0x100; imm < 0x120; imm++)
        if (emul_call_register(EMUL_HVC, imm, my_call) == 0)
            added++;
    assert_true(added < 0x20);
    assert_int_equal(emul_call_register(EMUL_HVC, 0x200, my_call), -XAM_ENOSPC);
}

static void wfe_and_wfi_step_over(void **state)
{
    (void)state;
    fake_trap(v0, fake_esr_wfx(true), 0);
    assert_int_equal(v0->arch.regs.pc, PC0 + 4);
    assert_int_equal(v0->state, VCPU_RUNNABLE);
    /* WFI without an interrupt controller: nothing could wake it, it
     * does not sleep */
    fake_trap(v0, fake_esr_wfx(false), 0);
    assert_int_equal(v0->arch.regs.pc, PC0 + 8);
    assert_int_equal(v0->state, VCPU_RUNNABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(registry_sorted_and_disjoint, setup, teardown),
        ENV_TEST(registry_refuses_overlaps, setup, teardown),
        ENV_TEST(writes_every_width, setup, teardown),
        ENV_TEST(reads_every_width, setup, teardown),
        ENV_TEST(reads_sign_extended, setup, teardown),
        ENV_TEST(xzr_source_and_target, setup, teardown),
        ENV_TEST(straddling_the_end_is_refused, setup, teardown),
        ENV_TEST(fault_injects_an_abort, setup, teardown),
        ENV_TEST(unmapped_address_takes_an_abort, setup, teardown),
        ENV_TEST(unmapped_reads_all_ones_when_asked, setup, teardown),
        ENV_TEST(no_syndrome_stops_the_domain, setup, teardown),
        ENV_TEST(unknown_exits_stop_the_domain, setup, teardown),
        ENV_TEST(pending_read_completes_later, setup, teardown),
        ENV_TEST(pending_write_completes_with_a_fault, setup, teardown),
        ENV_TEST(answer_before_waiting, setup, teardown),
        ENV_TEST(nothing_pending_nothing_completed, setup, teardown),
        ENV_TEST(pmu_and_debug_read_as_zero, setup, teardown),
        ENV_TEST(timer_sysreg_is_not_the_pmus, setup, teardown),
        ENV_TEST(unknown_sysreg_stops_the_domain, setup, teardown),
        ENV_TEST(refused_sysreg_stops_the_domain, setup, teardown),
        ENV_TEST(calls_by_immediate, setup, teardown),
        ENV_TEST(wfe_and_wfi_step_over, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
