/* A domain's life as a state machine (include/xam/domain.h): start, stop,
 * reset and rebuild, and the vCPU side of PSCI (CPU_ON, CPU_OFF).
 *
 * The races this is designed against (docs/domains.md, "Lifecycle"):
 * - A stop or reset is only a state change and a kick; memory is touched
 *   only by a deferred job, once no CPU has a vCPU of the domain loaded
 *   (d->active, counted under the run-queue locks), with interrupts
 *   enabled, never inside the scheduler's masked path.
 * - The job first takes every vCPU of the domain off its run queue and
 *   sleeper list (under that queue's lock): nothing stale is left linked
 *   when the vCPUs are reset.
 * - Exactly one job per stop (release_queued, under the domain lock).
 * - A vCPU is VCPU_OFF only once its own CPU has saved it; CPU_ON resets
 *   it under its queue's lock, so it never starts with stale registers. */
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/psci.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/ioreq.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/sched.h>
#include <xam/shutdown.h>

#define MAX_STOP_HOOKS 4

static spinlock_t running_lock = SPINLOCK_INIT;
static unsigned running;
static domain_rebuild_fn rebuild_hook;
static domain_stop_fn stop_hooks[MAX_STOP_HOOKS];
static unsigned nr_stop_hooks;

/* deferred jobs: domains whose memory is to be released */
static spinlock_t jobs_lock = SPINLOCK_INIT;
static struct domain *jobs_head;
static volatile bool jobs_pending;

static const char *const state_names[] = {
    [DOMAIN_BUILDING] = "building",   [DOMAIN_RUNNING] = "running",       [DOMAIN_STOPPING] = "stopping",
    [DOMAIN_RESETTING] = "resetting", [DOMAIN_REBUILDING] = "rebuilding", [DOMAIN_DEAD] = "stopped",
};

const char *domain_state_name(enum domain_state s)
{
    return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

void domain_set_rebuild_hook(domain_rebuild_fn fn) { rebuild_hook = fn; }

int domain_add_stop_hook(domain_stop_fn fn)
{
    if (nr_stop_hooks == MAX_STOP_HOOKS)
        return -XAM_ENOSPC;
    stop_hooks[nr_stop_hooks++] = fn;
    return 0;
}

unsigned domains_running(void) { return __atomic_load_n(&running, __ATOMIC_ACQUIRE); }

/* One state change, under the domain's lock; false if d was not in from. */
static bool transition(struct domain *d, enum domain_state from, enum domain_state to)
{
    uint64_t flags = spin_lock_irqsave(&d->lock);
    bool ok = d->state == from;
    if (ok)
        d->state = to;
    spin_unlock_irqrestore(&d->lock, flags);
    return ok;
}

static void running_add(int n)
{
    uint64_t flags = spin_lock_irqsave(&running_lock);
    running = (unsigned)((int)running + n);
    unsigned left = running;
    spin_unlock_irqrestore(&running_lock, flags);
    if (n < 0 && left == 0) {
        log_info("all domains have stopped: powering off");
        machine_poweroff();
    }
}

void domain_start(struct domain *d, paddr_t entry, uint64_t x0, bool held)
{
    d->start_entry = entry;
    d->start_x0 = x0;
    d->held = held;
    enum domain_state from = d->state;
    if (!transition(d, from == DOMAIN_REBUILDING ? DOMAIN_REBUILDING : DOMAIN_BUILDING, DOMAIN_RUNNING))
        return;
    if (from == DOMAIN_BUILDING)
        running_add(1);
    if (!held)
        vcpu_on(&d->vcpus[0], entry, x0);
}

void domain_start_held(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&d->lock);
    bool start = d->held && d->state == DOMAIN_RUNNING;
    d->held = false;
    spin_unlock_irqrestore(&d->lock, flags);
    if (start) {
        log_info("%s (domain %u): starting (held until its device model connected)", d->name, d->id);
        vcpu_on(&d->vcpus[0], d->start_entry, d->start_x0);
    }
}

static void queue_release(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&d->lock);
    bool go = (d->state == DOMAIN_STOPPING || d->state == DOMAIN_RESETTING) && !d->release_queued &&
        __atomic_load_n(&d->active, __ATOMIC_ACQUIRE) == 0;
    if (go)
        d->release_queued = true;
    spin_unlock_irqrestore(&d->lock, flags);
    if (!go)
        return;
    flags = spin_lock_irqsave(&jobs_lock);
    d->next_job = jobs_head;
    jobs_head = d;
    __atomic_store_n(&jobs_pending, true, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&jobs_lock, flags);
    /* an idle CPU may be the one to take it; a CPU running a vCPU alone
     * has no slice timer armed until it looks again (this one included) */
    for (unsigned c = 0; c < nr_pcpus; c++)
        if (pcpus[c].online)
            sched_kick(c);
}

/* After RUNNING -> STOPPING/RESETTING: make every CPU holding one of its
 * vCPUs leave it, let services drop it, release it if nothing is loaded. */
static void stopped(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i].pcpu != this_cpu_id())
            sched_kick(d->vcpus[i].pcpu);
    for (unsigned i = 0; i < nr_stop_hooks; i++)
        stop_hooks[i](d);
    ioreq_domain_stopped(d);
    evtchn_domain_stopped(d); /* its ports close; peers see theirs unbound */
    queue_release(d);
}

void domain_shutdown(struct domain *d, const char *why)
{
    if (!transition(d, DOMAIN_RUNNING, DOMAIN_STOPPING))
        return;
    log_info("%s (domain %u): %s", d->name, d->id, why);
    stopped(d);
    running_add(-1);
}

void domain_reset(struct domain *d, const char *why)
{
    if (!transition(d, DOMAIN_RUNNING, DOMAIN_RESETTING))
        return;
    log_info("%s (domain %u): %s: rebuilding it", d->name, d->id, why);
    stopped(d);
}

void domain_abandon(struct domain *d, const char *why)
{
    if (!transition(d, DOMAIN_BUILDING, DOMAIN_STOPPING))
        return;
    log_info("%s (domain %u): %s", d->name, d->id, why);
    queue_release(d);
}

void domain_vcpu_unloaded(struct vcpu *v)
{
    struct domain *d = v->dom;
    if (__atomic_sub_fetch(&d->active, 1, __ATOMIC_ACQ_REL) == 0 && d->state != DOMAIN_RUNNING)
        queue_release(d);
}

/* ---- the release job ---- */

static void free_memory(struct domain *d)
{
    /* no CPU runs the domain any more: drop its translations before
     * reusing their memory (a rebuild reuses the VMID) */
    stage2_flush_tlb(&d->s2);
    uint64_t flags = spin_lock_irqsave(&d->console_lock);
    for (unsigned i = 0; i < CONSOLE_SOURCES; i++)
        guest_console_flush(&d->console[i], d->name);
    spin_unlock_irqrestore(&d->console_lock, flags);
    domain_input_clear(d); /* typed for the life that ended */
    evtchn_domain_released(d);
    while (d->nr_on_release) {
        d->nr_on_release--;
        d->on_release[d->nr_on_release].fn(d, d->on_release[d->nr_on_release].arg);
    }
    if (d->intc && d->intc->release)
        d->intc->release(d);
    d->intc = NULL;
    d->intc_state = NULL;
    domain_free_ram(d);
}

static void release(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_forget(&d->vcpus[i]);
    /* A CPU that took one of its vCPUs off a queue just before has it
     * counted in active and puts it down at once (the domain is not
     * running): wait for that. */
    while (__atomic_load_n(&d->active, __ATOMIC_ACQUIRE))
        cpu_relax();
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = &d->vcpus[i];
        v->state = VCPU_OFF;
        v->wake_at = 0;
        v->vcpu_info = 0;
        memset(&v->pending, 0, sizeof(v->pending));
    }
    d->vcpus_on = 0;
    free_memory(d);
    log_debug("%s: memory freed", d->name);

    bool reset = transition(d, DOMAIN_RESETTING, DOMAIN_REBUILDING);
    uint64_t flags = spin_lock_irqsave(&d->lock);
    d->release_queued = false;
    spin_unlock_irqrestore(&d->lock, flags);
    if (!reset) {
        transition(d, DOMAIN_STOPPING, DOMAIN_DEAD);
        return;
    }
    paddr_t entry;
    uint64_t x0;
    int rc = domain_reinit(d);
    if (!rc)
        rc = rebuild_hook ? rebuild_hook(d, &entry, &x0) : -XAM_ENOSYS;
    if (rc) {
        transition(d, DOMAIN_REBUILDING, DOMAIN_STOPPING);
        log_info("%s (domain %u): could not be rebuilt after a reset", d->name, d->id);
        free_memory(d);
        transition(d, DOMAIN_STOPPING, DOMAIN_DEAD);
        running_add(-1);
        return;
    }
    /* A guest held until its device model connects is held again: its
     * ioreq servers went with the reset, and until the device model has
     * made them anew its bridge is an empty bus. If the device model is
     * gone (or goes meanwhile: its stop hook sees the hold, or we see the
     * stop), nobody will connect: stopped, as at boot. */
    struct domain *dm = d->device_model;
    bool hold = d->hold && dm;
    if (hold && __atomic_load_n(&dm->state, __ATOMIC_ACQUIRE) == DOMAIN_RUNNING)
        log_info("%s (domain %u): held until its device model %s connects again", d->name, d->id, dm->name);
    domain_start(d, entry, x0, hold);
    if (hold) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(&dm->state, __ATOMIC_ACQUIRE) != DOMAIN_RUNNING &&
            __atomic_load_n(&d->held, __ATOMIC_ACQUIRE))
            domain_shutdown(d, "its device model stopped before connecting");
    }
}

bool domain_jobs_pending(void) { return __atomic_load_n(&jobs_pending, __ATOMIC_ACQUIRE); }

void domain_run_jobs(void)
{
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&jobs_lock);
        struct domain *d = jobs_head;
        if (d)
            jobs_head = d->next_job;
        if (!jobs_head)
            __atomic_store_n(&jobs_pending, false, __ATOMIC_RELEASE);
        spin_unlock_irqrestore(&jobs_lock, flags);
        if (!d)
            return;
        release(d);
    }
}

/* ---- vCPUs ---- */

int vcpu_on(struct vcpu *v, uint64_t entry, uint64_t x0)
{
    if (v->dom->state != DOMAIN_RUNNING)
        return PSCI_DENIED;
    /* counted before it can run: it may turn itself off again before this
     * CPU gets any further */
    __atomic_add_fetch(&v->dom->vcpus_on, 1, __ATOMIC_ACQ_REL);
    if (sched_vcpu_start(v, entry, x0))
        return PSCI_SUCCESS;
    if (__atomic_sub_fetch(&v->dom->vcpus_on, 1, __ATOMIC_ACQ_REL) == 0) /* raced the last CPU_OFF */
        domain_shutdown(v->dom, "powered off (its last vCPU called PSCI CPU_OFF)");
    return PSCI_ALREADY_ON;
}

void vcpu_off(struct vcpu *v)
{
    struct domain *d = v->dom;
    v->state = VCPU_OFFLINING; /* VCPU_OFF once its CPU has saved it */
    log_debug("%s: vCPU%u off", d->name, v->id);
    if (__atomic_sub_fetch(&d->vcpus_on, 1, __ATOMIC_ACQ_REL) == 0)
        domain_shutdown(d, "powered off (its last vCPU called PSCI CPU_OFF)");
}

void vcpu_inject_irq(struct vcpu *v, unsigned intid)
{
    const struct vintc_ops *intc = v->dom->intc;
    if (intc)
        intc->inject(v, intid);
}
