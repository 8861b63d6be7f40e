/* The domain lifecycle (core/lifecycle.c) and the scheduler (core/sched.c)
 * over the fake architecture, with several fake CPUs whose real scheduler
 * loops run until idle (fake_run_cpu): shutdown, reset and rebuild,
 * PSCI CPU_ON/CPU_OFF from the guests, wake-ups, timers and release jobs,
 * in fixed scenarios and in random orders from a seeded generator.
 * Invariants: a domain is released exactly once per stop, no vCPU stays
 * linked in a run queue or sleeper list after release, a reset rebuilds
 * exactly once and the rebuilt domain runs, domain states only move along
 * the documented arrows, the last domain to stop powers the machine off,
 * nothing leaks. */
#include "guest_env.h"
#include <asm/psci.h>
#include <stdlib.h>
#include <xam/vpsci.h>

#define NCPUS 3

static unsigned rebuilds[MAX_DOMAINS + 1];
static bool rebuild_fails;

static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    if (rebuild_fails)
        return -XAM_ENOMEM;
    rebuilds[d->id]++;
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    *entry = ENV_ENTRY + 0x100;
    *x0 = 0x5a;
    return rc;
}

static int setup(void **state)
{
    (void)state;
    env_setup(NCPUS);
    assert_int_equal(vpsci_init(), 0);
    domain_set_rebuild_hook(rebuild);
    memset(rebuilds, 0, sizeof(rebuilds));
    rebuild_fails = false;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_exits_clear();
    return env_teardown();
}

/* The guest on v makes a PSCI call through HVC #0 when it next runs. */
static void guest_psci(struct vcpu *v, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct fake_exit e = {
        .v = v,
        .exit = GUEST_EXIT_SYNC,
        .esr = fake_esr_call(EC_HVC64, 0),
        .nr_regs = 4,
        .reg = { 0, 1, 2, 3 },
        .val = { fid, a1, a2, a3 },
    };
    fake_push_exit(&e);
}

/* The same call, taken now by v as if it were running. */
static int64_t psci_now(struct vcpu *v, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return (int64_t)env_call(v, EC_HVC64, 0, 0, fid, a1, a2, a3);
}

static void run_all(void)
{
    for (unsigned round = 0; round < 4; round++)
        for (unsigned c = 0; c < NCPUS; c++)
            fake_run_cpu(c, 0);
}

static unsigned released(const struct domain *d)
{
    char s[DOMAIN_NAME_MAX + 32];
    snprintf(s, sizeof(s), "%s: memory freed", d->name);
    unsigned n = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++)
        n += strcmp(fake_log_line(i), s) == 0;
    return n;
}

static void assert_unlinked(const struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *v = &d->vcpus[i];
        assert_false(v->queued);
        assert_null(v->next_in_queue);
        assert_false(v->sleeping);
        assert_null(v->next_sleeper);
        assert_int_equal(v->state, VCPU_OFF);
    }
}

/* Catch a poweroff around fn(arg); returns whether one happened. */
static bool caught(void (*fn)(void *), void *arg)
{
    jmp_buf jb;
    fake_poweroff_catch(&jb);
    if (setjmp(jb)) {
        fake_poweroff_uncatch();
        return true;
    }
    fn(arg);
    fake_poweroff_uncatch();
    return false;
}

static void do_shutdown(void *d) { domain_shutdown(d, "stopped by the test"); }
static void do_run_all(void *arg)
{
    (void)arg;
    run_all();
}

/* ---- scenarios ---- */

static void shutdown_releases_once(void **state)
{
    (void)state;
    static const unsigned cpus[] = { 0, 1 };
    env_keeper();
    struct domain *d = env_domain("two", 2, cpus, true);
    assert_int_equal(vcpu_on(&d->vcpus[1], ENV_ENTRY, 1), PSCI_SUCCESS);
    run_all();
    assert_int_equal(d->vcpus[0].state, VCPU_BLOCKED); /* both in WFI */
    assert_int_equal(d->vcpus[1].state, VCPU_BLOCKED);
    assert_true(fake_entries(0) > 0 && fake_entries(1) > 0);
    unsigned releases = fake_intc_releases();
    domain_shutdown(d, "stopped by the test");
    assert_int_equal(d->state, DOMAIN_STOPPING);
    assert_true(domain_jobs_pending());
    domain_shutdown(d, "again");
    domain_reset(d, "and reset");
    assert_int_equal(fake_log_count("two (domain 2):"), 1);
    run_all();
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_false(domain_jobs_pending());
    assert_int_equal(released(d), 1);
    assert_int_equal(fake_intc_releases(), releases + 1);
    assert_null(d->intc);
    assert_int_equal(d->nr_banks, 0);
    assert_unlinked(d);
    /* forgetting again changes nothing */
    sched_forget(&d->vcpus[0]);
    sched_forget(&d->vcpus[1]);
    assert_unlinked(d);
    /* a dead domain takes no CPU_ON and wakes nothing */
    assert_int_equal(vcpu_on(&d->vcpus[0], ENV_ENTRY, 0), PSCI_DENIED);
    sched_wake(&d->vcpus[1]);
    assert_unlinked(d);
    run_all();
    assert_int_equal(released(d), 1);
}

static void stopping_while_loaded_waits(void **state)
{
    (void)state;
    env_keeper();
    struct domain *d = env_domain("busy", 1, NULL, true);
    /* the vCPU stops its own domain while it runs (SYSTEM_OFF): the
     * release waits until its CPU has put it down */
    guest_psci(&d->vcpus[0], PSCI_SYSTEM_OFF, 0, 0, 0);
    fake_run_cpu(0, 0);
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_int_equal(released(d), 1);
    assert_non_null(fake_log_find("busy (domain 2): powered off (PSCI SYSTEM_OFF)"));
    assert_unlinked(d);
}

static void sleeper_is_forgotten(void **state)
{
    (void)state;
    env_keeper();
    struct domain *d = env_domain("sleepy", 1, NULL, true);
    struct vcpu *v = &d->vcpus[0];
    /* its virtual timer armed for later: WFI puts it on the sleeper list */
    v->arch.sys.cntv_ctl = CNT_CTL_ENABLE;
    v->arch.sys.cntv_cval = 1000000;
    fake_run_cpu(0, 0);
    assert_int_equal(v->state, VCPU_BLOCKED);
    assert_true(v->sleeping);
    assert_int_equal(v->wake_at, 1000000);
    assert_true(fake_timer(0)->armed);
    /* the timer wakes it */
    fake_counter_set(1000000);
    unsigned injects = fake_intc(d)->injects;
    fake_run_cpu(0, 0);
    assert_int_equal(fake_intc(d)->injects, injects + 1);
    assert_true(v->arch.sys.cntv_ctl & CNT_CTL_IMASK);
    assert_false(v->sleeping);
    /* asleep again with a timer, then stopped: off the list at once */
    v->arch.sys.cntv_ctl = CNT_CTL_ENABLE;
    v->arch.sys.cntv_cval = 3000000;
    sched_wake(v);
    fake_run_cpu(0, 0);
    assert_true(v->sleeping);
    domain_shutdown(d, "stopped by the test");
    domain_run_jobs();
    assert_unlinked(d);
    fake_counter_set(5000000);
    fake_run_cpu(0, 0);
    assert_int_equal(released(d), 1);
}

static void reset_rebuilds_once_and_runs(void **state)
{
    (void)state;
    static const unsigned cpus[] = { 1, 2 };
    unsigned offs = fake_poweroffs();
    struct domain *d = env_domain("resetme", 2, cpus, true);
    assert_int_equal(psci_now(&d->vcpus[0], PSCI_CPU_ON_64, 1, ENV_ENTRY, 7), PSCI_SUCCESS);
    run_all();
    guest_psci(&d->vcpus[1], PSCI_SYSTEM_RESET, 0, 0, 0);
    sched_wake(&d->vcpus[1]);
    /* the only domain: a reset must not power the machine off */
    assert_false(caught(do_run_all, NULL));
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(rebuilds[d->id], 1);
    assert_int_equal(released(d), 1);
    assert_non_null(fake_log_find("resetme (domain 1): reset (PSCI SYSTEM_RESET): rebuilding it"));
    /* rebuilt: vCPU 0 from the rebuild's entry (and it ran: it is in its
     * WFI), vCPU 1 off */
    struct vcpu *v0 = &d->vcpus[0];
    assert_int_equal(d->vcpus[1].state, VCPU_OFF);
    assert_int_equal(d->vcpus_on, 1);
    run_all();
    assert_int_equal(v0->state, VCPU_BLOCKED);
    assert_int_equal(v0->arch.regs.x[0], 0x5a);
    assert_int_equal(v0->arch.regs.pc, ENV_ENTRY + 0x100 + 4); /* past its WFI */
    assert_int_equal(rebuilds[d->id], 1);
    assert_int_equal(fake_poweroffs(), offs);
}

static void failed_rebuild_stops_it(void **state)
{
    (void)state;
    struct domain *d = env_domain("nope", 1, NULL, true);
    rebuild_fails = true;
    domain_reset(d, "reset by the test");
    unsigned offs = fake_poweroffs();
    assert_true(caught(do_run_all, NULL)); /* it was the last one */
    assert_int_equal(fake_poweroffs(), offs + 1);
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_non_null(fake_log_find("nope (domain 1): could not be rebuilt after a reset"));
    assert_non_null(fake_log_find("all domains have stopped: powering off"));
    assert_int_equal(domains_running(), 0);
}

struct window {
    struct vcpu *v0, *v1;
    unsigned seen;
};

/* v1 has called CPU_OFF and its CPU is saving it: CPU 0 tries CPU_ON. */
static void offlining_window(struct vcpu *v, void *arg)
{
    struct window *w = arg;
    if (v != w->v1)
        return;
    w->seen++;
    assert_int_equal(v->state, VCPU_OFFLINING);
    unsigned cpu = this_cpu_id();
    fake_set_cpu(0);
    assert_int_equal(psci_now(w->v0, PSCI_CPU_ON_64, 1, ENV_ENTRY + 8, 9), PSCI_ALREADY_ON);
    assert_int_equal(psci_now(w->v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), 0); /* still ON */
    fake_set_cpu(cpu);
}

static void cpu_on_while_offlining(void **state)
{
    (void)state;
    static const unsigned cpus[] = { 0, 1 };
    env_keeper();
    struct domain *d = env_domain("onoff", 2, cpus, true);
    struct vcpu *v0 = &d->vcpus[0], *v1 = &d->vcpus[1];
    assert_int_equal(psci_now(v0, PSCI_CPU_ON_64, 1, ENV_ENTRY, 1), PSCI_SUCCESS);
    assert_int_equal(psci_now(v0, PSCI_CPU_ON_64, 1, ENV_ENTRY, 1), PSCI_ALREADY_ON);
    fake_run_cpu(1, 0);
    assert_int_equal(v1->state, VCPU_BLOCKED);
    /* v1 dirties its registers, then calls CPU_OFF */
    v1->arch.sys.tpidr_el1 = 0x1111;
    v1->arch.sys.vbar = 0x2222;
    v1->arch.sys.ttbr0 = 0x3333;
    v1->arch.regs.x[19] = 0x4444;
    v1->arch.fp.fpcr = 0x5555;
    guest_psci(v1, PSCI_CPU_OFF, 0, 0, 0);
    sched_wake(v1);
    struct window w = { v0, v1, 0 };
    fake_on_save(offlining_window, &w);
    fake_run_cpu(1, 0);
    fake_on_save(NULL, NULL);
    assert_int_equal(w.seen, 1);
    assert_int_equal(v1->state, VCPU_OFF);
    assert_int_equal(d->vcpus_on, 1);
    assert_int_equal(psci_now(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), 1);
    /* CPU_ON now starts it from a full reset */
    assert_int_equal(psci_now(v0, PSCI_CPU_ON_64, 1, ENV_ENTRY + 8, 9), PSCI_SUCCESS);
    assert_int_equal(v1->arch.sys.tpidr_el1, 0);
    assert_int_equal(v1->arch.sys.vbar, 0);
    assert_int_equal(v1->arch.sys.ttbr0, 0);
    assert_int_equal(v1->arch.regs.x[19], 0);
    assert_int_equal(v1->arch.fp.fpcr, 0);
    assert_int_equal(v1->arch.regs.x[0], 9);
    assert_int_equal(v1->arch.regs.pc, ENV_ENTRY + 8);
    assert_int_equal(v1->arch.regs.pstate, 0x3c5);
    assert_int_equal(v1->arch.sys.vmpidr, (1ULL << 31) | 1);
    assert_int_equal(d->vcpus_on, 2);
    fake_run_cpu(1, 0);
    assert_int_equal(v1->arch.regs.pc, ENV_ENTRY + 12); /* it ran, from there */
}

static void last_cpu_off_stops_the_domain(void **state)
{
    (void)state;
    static const unsigned cpus[] = { 0, 2 };
    env_keeper();
    struct domain *d = env_domain("offs", 2, cpus, true);
    guest_psci(&d->vcpus[0], PSCI_CPU_ON_64, 1, ENV_ENTRY, 0);
    fake_run_cpu(0, 0);
    fake_run_cpu(2, 0);
    assert_int_equal(d->vcpus_on, 2);
    guest_psci(&d->vcpus[1], PSCI_CPU_OFF, 0, 0, 0);
    sched_wake(&d->vcpus[1]);
    fake_run_cpu(2, 0);
    assert_int_equal(d->vcpus[1].state, VCPU_OFF);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    guest_psci(&d->vcpus[0], PSCI_CPU_OFF, 0, 0, 0);
    sched_wake(&d->vcpus[0]);
    run_all();
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_non_null(fake_log_find("offs (domain 2): powered off (its last vCPU called PSCI CPU_OFF)"));
    assert_int_equal(released(d), 1);
}

static void last_domain_powers_off(void **state)
{
    (void)state;
    struct domain *a = env_domain("first", 1, NULL, true), *b = env_domain("second", 1, NULL, true);
    assert_int_equal(domains_running(), 2);
    assert_false(caught(do_shutdown, a));
    assert_int_equal(domains_running(), 1);
    unsigned offs = fake_poweroffs();
    assert_true(caught(do_shutdown, b));
    assert_int_equal(fake_poweroffs(), offs + 1);
    assert_int_equal(domains_running(), 0);
    assert_non_null(fake_log_find("all domains have stopped: powering off"));
}

static void held_domain_starts_once(void **state)
{
    (void)state;
    env_keeper();
    struct domain *d = env_build("held", 1, NULL, true);
    domain_start(d, ENV_ENTRY, 3, true);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(d->vcpus[0].state, VCPU_OFF);
    domain_start_held(d);
    assert_int_equal(d->vcpus[0].state, VCPU_RUNNABLE);
    assert_int_equal(d->vcpus[0].arch.regs.x[0], 3);
    unsigned resets = fake_arch_resets();
    domain_start_held(d);
    assert_int_equal(fake_arch_resets(), resets);
    assert_int_equal(fake_log_count("starting (held until its device model connected)"), 1);
}

/* hold-until-device-model holds every start: after a reset the guest
 * waits again for its device model to connect (the reset took its ioreq
 * servers); with its device model gone it is stopped, as at boot. */
static void held_again_after_reset(void **state)
{
    (void)state;
    env_keeper();
    struct domain *dm = env_domain("dm", 1, NULL, true);
    struct domain *d = env_domain("held", 1, NULL, true);
    d->device_model = dm;
    d->hold = true;
    domain_reset(d, "reset by the test");
    run_all();
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(rebuilds[d->id], 1);
    assert_true(d->held);
    assert_int_equal(d->vcpus[0].state, VCPU_OFF); /* not started */
    assert_non_null(fake_log_find("held (domain 3): held until its device model dm connects again"));
    domain_start_held(d); /* the device model connected again */
    assert_int_equal(d->vcpus[0].state, VCPU_RUNNABLE);
    assert_int_equal(d->vcpus[0].arch.regs.x[0], 0x5a);
    /* the device model gone: the next reset cannot wait for it */
    domain_shutdown(dm, "stopped by the test");
    run_all();
    assert_int_equal(dm->state, DOMAIN_DEAD);
    domain_reset(d, "reset by the test");
    run_all();
    assert_int_equal(rebuilds[d->id], 2);
    run_all(); /* its stop's release */
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_non_null(fake_log_find("held (domain 3): its device model stopped before connecting"));
}

static void abandoned_domain_is_freed(void **state)
{
    (void)state;
    env_keeper();
    struct domain *d = env_build("broken", 2, NULL, true);
    domain_abandon(d, "could not be built");
    domain_run_jobs();
    assert_int_equal(d->state, DOMAIN_DEAD);
    assert_int_equal(released(d), 1);
    assert_int_equal(domains_running(), 1);
}

/* ---- random orders ---- */

/* a state reachable from another along the arrows (DEAD is final) */
static bool reachable(enum domain_state from, enum domain_state to)
{
    if (from == to)
        return true;
    switch (from) {
    case DOMAIN_BUILDING:
        return true;
    case DOMAIN_RUNNING:
        return to != DOMAIN_BUILDING;
    case DOMAIN_STOPPING:
        return to == DOMAIN_DEAD;
    case DOMAIN_RESETTING:
        return to != DOMAIN_BUILDING;
    case DOMAIN_REBUILDING:
        return to != DOMAIN_BUILDING && to != DOMAIN_RESETTING;
    case DOMAIN_DEAD:
        return false;
    }
    return false;
}

struct rnd {
    uint64_t seed;
    struct domain *d[3];
};

static void random_step(void *arg)
{
    struct rnd *r = arg;
    unsigned op = (unsigned)(unit_rand(&r->seed) % 100);
    struct domain *d = r->d[unit_rand(&r->seed) % 3];
    struct vcpu *v = &d->vcpus[unit_rand(&r->seed) % d->nr_vcpus];
    unsigned t = (unsigned)(unit_rand(&r->seed) % d->nr_vcpus), cpu = (unsigned)(unit_rand(&r->seed) % NCPUS);
    fake_set_cpu(cpu);
    if (op < 36 && fake_exits_queued() > 64)
        op = 40;
    if (op < 20) {
        guest_psci(v, PSCI_CPU_ON_64, t, ENV_ENTRY, t);
    } else if (op < 32) {
        guest_psci(v, PSCI_CPU_OFF, 0, 0, 0);
    } else if (op < 35) {
        guest_psci(v, PSCI_SYSTEM_RESET, 0, 0, 0);
    } else if (op < 36) {
        guest_psci(v, PSCI_SYSTEM_OFF, 0, 0, 0);
    } else if (op < 60) {
        fake_run_cpu(cpu, 0);
    } else if (op < 68) {
        sched_wake(v);
    } else if (op < 76) {
        vcpu_inject_irq(v, VINTC_PPI_EVTCHN);
    } else if (op < 78) {
        domain_reset(d, "reset by the test");
    } else if (op < 79) {
        domain_shutdown(d, "stopped by the test");
    } else if (op < 85) {
        domain_run_jobs();
    } else if (op < 92) {
        v->arch.sys.cntv_ctl = CNT_CTL_ENABLE;
        v->arch.sys.cntv_cval = counter_read() + unit_rand(&r->seed) % 5000;
    } else {
        fake_counter_advance(unit_rand(&r->seed) % 3000);
    }
    fake_set_cpu(0);
}

static void check_invariants(struct rnd *r, const enum domain_state *before)
{
    for (unsigned i = 0; i < 3; i++) {
        struct domain *d = r->d[i];
        if (!reachable(before[i], d->state))
            fail_msg("%s: %s -> %s", d->name, domain_state_name(before[i]), domain_state_name(d->state));
        assert_true(d->state == DOMAIN_RUNNING || d->state == DOMAIN_STOPPING || d->state == DOMAIN_RESETTING ||
                    d->state == DOMAIN_DEAD);
        assert_int_equal(d->active, 0);
        if (d->state == DOMAIN_DEAD)
            assert_unlinked(d);
        unsigned on = 0;
        for (unsigned j = 0; j < d->nr_vcpus; j++) {
            enum vcpu_state s = d->vcpus[j].state;
            assert_true(s <= VCPU_OFFLINING);
            on += s != VCPU_OFF && s != VCPU_OFFLINING;
        }
        if (d->state == DOMAIN_RUNNING)
            assert_int_equal(d->vcpus_on, on);
    }
    for (unsigned c = 0; c < NCPUS; c++) {
        assert_null(fake_loaded(c));
        assert_null(pcpus[c].current);
    }
    assert_int_equal(fake_locks_held, 0);
}

static void random_orders(void **state)
{
    (void)state;
    static const unsigned ca[] = { 0, 1, 2 }, cb[] = { 1, 2 }, cc[] = { 2 };
    for (uint64_t seed = 1; seed <= 40; seed++) {
        struct rnd r = { .seed = seed * 0x9e3779b97f4a7c15ULL };
        unsigned intc_releases = fake_intc_releases(), offs = fake_poweroffs();
        memset(rebuilds, 0, sizeof(rebuilds));
        fake_log_clear();
        env_keeper(); /* the random steps never stop it: no poweroff */
        r.d[0] = env_domain("dom-a", 3, ca, true);
        r.d[1] = env_domain("dom-b", 2, cb, true);
        r.d[2] = env_domain("dom-c", 1, cc, true);
        for (unsigned step = 0; step < 300; step++) {
            enum domain_state before[3];
            for (unsigned i = 0; i < 3; i++)
                before[i] = r.d[i]->state;
            random_step(&r);
            check_invariants(&r, before);
        }
        /* drain: every stop released, every reset rebuilt */
        run_all();
        unsigned freed = 0;
        for (unsigned i = 0; i < 3; i++) {
            struct domain *d = r.d[i];
            assert_true(d->state == DOMAIN_RUNNING || d->state == DOMAIN_DEAD);
            unsigned resets = 0;
            char s[64];
            snprintf(s, sizeof(s), "%s (domain %u): ", d->name, d->id);
            for (unsigned l = 0; l < fake_log_lines(); l++)
                resets += strstr(fake_log_line(l), s) && strstr(fake_log_line(l), ": rebuilding it");
            assert_int_equal(rebuilds[d->id], resets);
            assert_int_equal(released(d), resets + (d->state == DOMAIN_DEAD));
            freed += released(d);
            if (d->state == DOMAIN_RUNNING) {
                /* a domain still running has its vCPU 0 or another on */
                assert_true(d->vcpus_on > 0);
            }
        }
        assert_int_equal(fake_intc_releases(), intc_releases + freed);
        assert_int_equal(fake_poweroffs(), offs);
        fake_exits_clear();
        fake_destroy_all_domains();
        assert_int_equal(fake_mem_blocks(), env_mem_baseline);
        fake_reset(NCPUS);
    }
}

/* A vCPU trapping WFE (spinning on a lock) gives its CPU to the vCPUs
 * queued there at once, as Xen's vcpu_yield: the holder may be among
 * them; alone, it goes on without a switch. */
static struct vcpu *entered[8];
static unsigned nr_entered;
static void record_entry(struct vcpu *v, void *arg)
{
    (void)arg;
    if (nr_entered < 8)
        entered[nr_entered++] = v;
}

static void wfe_yields_to_the_queued(void **state)
{
    (void)state;
    env_keeper(); /* on CPU 0 too: started first, it blocks at once */
    fake_run_cpu(0, 0);
    struct domain *a = env_domain("spinner", 1, NULL, true), *b = env_domain("holder", 1, NULL, true);
    struct fake_exit wfe = { .v = &a->vcpus[0], .exit = GUEST_EXIT_SYNC, .esr = fake_esr_wfx(true) };
    fake_push_exit(&wfe);
    fake_push_exit(&wfe);
    nr_entered = 0;
    fake_on_enter(record_entry, NULL);
    fake_run_cpu(0, 0);
    fake_on_enter(NULL, NULL);
    /* spinner (WFE: yields), holder (WFI), spinner alone (WFE: goes on
     * without a switch), spinner (WFI) */
    assert_int_equal(nr_entered, 4);
    assert_ptr_equal(entered[0], &a->vcpus[0]);
    assert_ptr_equal(entered[1], &b->vcpus[0]);
    assert_ptr_equal(entered[2], &a->vcpus[0]);
    assert_ptr_equal(entered[3], &a->vcpus[0]);
    assert_int_equal(a->vcpus[0].arch.regs.pc, ENV_ENTRY + 12); /* both WFEs and the WFI stepped over */
}

/* WFI and WFE trap (HCR_EL2.TWI, TWE) only while another vCPU waits for
 * the CPU: alone, a vCPU halts in its own WFI. Queueing one sets
 * need_resched, and the vCPU's next entry traps both again. (The fake's
 * guest traps whatever HCR_EL2 says: what is checked is the register the
 * scheduler left for each entry.) */
static uint64_t entry_hcr[8];
static struct fake_timer entry_timer[8];
static struct vcpu *wake_on_first_entry;
static void record_hcr(struct vcpu *v, void *arg)
{
    (void)arg;
    if (nr_entered < 8) {
        entered[nr_entered] = v;
        entry_timer[nr_entered] = *fake_timer(0);
        entry_hcr[nr_entered++] = v->arch.hcr;
    }
    if (nr_entered == 1 && wake_on_first_entry)
        sched_wake(wake_on_first_entry); /* queued behind the running one */
}

/* On CPU 0, "alone" runs alone, exits for an interrupt while "other" is
 * woken behind it, runs again, then "other" runs alone: three entries
 * recorded, at the counter's value *start. */
static void alone_then_shared(struct domain **alone, struct domain **other, uint64_t *start)
{
    env_keeper();
    struct domain *o = env_domain("other", 1, NULL, true);
    fake_run_cpu(0, 0); /* both wait in WFI */
    struct domain *a = env_domain("alone", 1, NULL, true);
    struct fake_exit irq = { .v = &a->vcpus[0], .exit = GUEST_EXIT_IRQ };
    fake_push_exit(&irq);
    *start = counter_read();
    nr_entered = 0;
    wake_on_first_entry = &o->vcpus[0];
    fake_on_enter(record_hcr, NULL);
    fake_run_cpu(0, 0);
    fake_on_enter(NULL, NULL);
    wake_on_first_entry = NULL;
    *alone = a;
    *other = o;
}

static void wfx_traps_only_while_shared(void **state)
{
    (void)state;
    struct domain *a, *o;
    uint64_t start;
    alone_then_shared(&a, &o, &start);
    /* alone (untrapped), alone with other queued (trapped: its WFI blocks
     * it), other alone (untrapped) */
    assert_int_equal(nr_entered, 3);
    assert_ptr_equal(entered[0], &a->vcpus[0]);
    assert_false(entry_hcr[0] & (HCR_TWI | HCR_TWE));
    assert_ptr_equal(entered[1], &a->vcpus[0]);
    assert_int_equal(entry_hcr[1] & (HCR_TWI | HCR_TWE), HCR_TWI | HCR_TWE);
    assert_ptr_equal(entered[2], &o->vcpus[0]);
    assert_false(entry_hcr[2] & (HCR_TWI | HCR_TWE));
}

/* v (on CPU 0) woken, then asleep in WFI with its virtual timer due at
 * counter value at. */
static void sleep_until(struct vcpu *v, uint64_t at)
{
    v->arch.sys.cntv_ctl = CNT_CTL_ENABLE;
    v->arch.sys.cntv_cval = at - v->dom->cntvoff;
    sched_wake(v);
    fake_run_cpu(0, 0);
    assert_true(v->sleeping);
}

/* A sleeper's deadline passing while the scheduler arms the EL2 timer for
 * the vCPU it is about to enter. arm_timer once asked the sleeper list
 * twice (MIN evaluated its argument twice): the first answer was the
 * deadline, the second (the sleeper now woken) "none", and the timer was
 * cancelled - the vCPU then kept its CPU for good if it never trapped.
 * The clock here moves at every read, so for one of the offsets the
 * deadline falls between any two given reads; the fake dies when a vCPU
 * is entered with the timer off. */
static void slice_survives_a_sleeper_waking(void **state)
{
    (void)state;
    env_keeper();
    struct domain *sd = env_domain("sleepy", 1, NULL, true);
    struct domain *rd = env_domain("runner", 1, NULL, true);
    struct vcpu *s = &sd->vcpus[0], *r = &rd->vcpus[0];
    fake_run_cpu(0, 0); /* all three wait in WFI, none with a timer */
    fake_counter_moves(1);
    for (uint64_t early = 1; early < 300; early++) {
        uint64_t at = counter_read() + 1000000;
        sleep_until(s, at);
        assert_int_equal(s->wake_at, at);
        /* the runner is woken `early` reads before the sleeper's deadline */
        unsigned injects = fake_intc(sd)->injects;
        fake_counter_set(at - early);
        sched_wake(r);
        fake_run_cpu(0, 0);
        assert_false(s->sleeping);
        assert_int_equal(fake_intc(sd)->injects, injects + 1); /* its timer, once */
    }
    fake_counter_moves(0);
}

/* A vCPU alone on its CPU has its EL2 timer at the long bound, not every
 * slice; as soon as another is queued there (or a sleeper woken there as
 * the timer is armed) it is the slice again. */
static void lone_vcpu_is_not_ticked(void **state)
{
    (void)state;
    const uint64_t slice = us_to_ticks(SCHED_SLICE_US), alone = us_to_ticks(SCHED_ALONE_US);
    struct domain *a, *o;
    uint64_t start;
    alone_then_shared(&a, &o, &start);
    assert_int_equal(nr_entered, 3);
    /* alone; the other queued behind it; the other alone */
    assert_true(entry_timer[0].armed);
    assert_int_equal(entry_timer[0].deadline, start + alone);
    assert_true(entry_timer[1].armed);
    assert_int_equal(entry_timer[1].deadline, start + slice);
    assert_ptr_equal(entered[2], &o->vcpus[0]);
    assert_int_equal(entry_timer[2].deadline, start + alone);

    /* a sleeper whose deadline has passed when the runner's timer is
     * armed: woken and queued there, so the runner gets the slice */
    struct vcpu *s = &o->vcpus[0], *r = &a->vcpus[0];
    uint64_t at = counter_read() + 1000;
    sleep_until(s, at);
    fake_counter_set(at);
    nr_entered = 0;
    fake_on_enter(record_hcr, NULL);
    sched_wake(r);
    fake_run_cpu(0, 0);
    fake_on_enter(NULL, NULL);
    assert_false(s->sleeping);
    assert_true(nr_entered >= 1);
    assert_ptr_equal(entered[0], r);
    assert_int_equal(entry_timer[0].deadline, at + slice);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(shutdown_releases_once, setup, teardown),
        ENV_TEST(stopping_while_loaded_waits, setup, teardown),
        ENV_TEST(sleeper_is_forgotten, setup, teardown),
        ENV_TEST(reset_rebuilds_once_and_runs, setup, teardown),
        ENV_TEST(held_again_after_reset, setup, teardown),
        ENV_TEST(failed_rebuild_stops_it, setup, teardown),
        ENV_TEST(cpu_on_while_offlining, setup, teardown),
        ENV_TEST(last_cpu_off_stops_the_domain, setup, teardown),
        ENV_TEST(last_domain_powers_off, setup, teardown),
        ENV_TEST(held_domain_starts_once, setup, teardown),
        ENV_TEST(abandoned_domain_is_freed, setup, teardown),
        ENV_TEST(random_orders, setup, teardown),
        ENV_TEST(wfe_yields_to_the_queued, setup, teardown),
        ENV_TEST(slice_survives_a_sleeper_waking, setup, teardown),
        ENV_TEST(wfx_traps_only_while_shared, setup, teardown),
        ENV_TEST(lone_vcpu_is_not_ticked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
