/* Per-CPU run queues of vCPUs, round robin. A vCPU belongs to one physical
 * CPU (its placement is decided when the domain is built), so a queue is
 * only ever run by its own CPU; other CPUs add to it under its lock and kick
 * it with an SGI. Every vCPU state change another CPU can race with (a
 * wake-up, CPU_ON, an answered access, the end of CPU_OFF) is made under
 * that lock; so are the sleeper list (vCPUs in WFI with a timer armed) and
 * d->active, which tells the lifecycle when no CPU holds a vCPU of the
 * domain any more. */
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/timer.h>
#include <asm/vtimer.h>
#include <xam/domain.h>
#include <xam/exit.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/sched.h>

struct runqueue {
    spinlock_t lock;
    struct vcpu *head, *tail;
    volatile bool need_resched;
    bool yield; /* the running vCPU trapped a WFE (only this CPU touches it) */
    /* vCPUs of this CPU blocked in WFI with a virtual timer armed: a list
     * through the vCPUs themselves, so it can never fill up */
    struct vcpu *sleepers;
};
_Static_assert(NR_CPUS <= 32, "a bit per CPU in struct pcpu's held_kicks");

static struct runqueue rqs[NR_CPUS];
static volatile bool started;

/* SGI_KICK to CPU cpu (not this one), or held back until this CPU
 * releases the lock it holds (sched_defer_kicks): the interrupt makes it
 * leave its guest or its WFI. */
static void kick_cpu(unsigned cpu)
{
    struct pcpu *me = this_cpu();
    if (me->kick_hold_depth)
        me->held_kicks |= 1u << cpu;
    else
        irq_send_sgi(cpu, SGI_KICK);
}

void sched_send_held_kicks(struct pcpu *c)
{
    uint32_t m = c->held_kicks;
    c->held_kicks = 0;
    for (; m; m &= m - 1)
        irq_send_sgi((unsigned)__builtin_ctz(m), SGI_KICK);
}

static void enqueue_locked(struct runqueue *rq, struct vcpu *v)
{
    if (v->queued)
        return;
    v->queued = true;
    v->next_in_queue = NULL;
    if (rq->tail)
        rq->tail->next_in_queue = v;
    else
        rq->head = v;
    rq->tail = v;
    /* the vCPU running there looks again at whether its WFI traps */
    rq->need_resched = true;
}

/* The head of the queue, counted as loaded in its domain's active. */
static struct vcpu *dequeue(struct runqueue *rq)
{
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    struct vcpu *v = rq->head;
    if (v) {
        rq->head = v->next_in_queue;
        if (!rq->head)
            rq->tail = NULL;
        v->queued = false;
        v->next_in_queue = NULL;
        __atomic_add_fetch(&v->dom->active, 1, __ATOMIC_ACQ_REL);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return v;
}

void sched_yield_vcpu(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    rq->yield = true;
    rq->need_resched = true;
}

void sched_kick(unsigned cpu)
{
    rqs[cpu].need_resched = true;
    if (cpu != this_cpu_id())
        kick_cpu(cpu);
}

void sched_kick_guest(unsigned cpu)
{
    if (cpu != this_cpu_id())
        kick_cpu(cpu);
}

/* from -> RUNNABLE and queued, if v is in from and its domain runs. */
static bool make_runnable(struct vcpu *v, enum vcpu_state from)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    bool ok = v->state == from && v->dom->state == DOMAIN_RUNNING;
    if (ok) {
        v->state = VCPU_RUNNABLE;
        enqueue_locked(rq, v);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (ok && v->pcpu != this_cpu_id())
        kick_cpu(v->pcpu);
    return ok;
}

void sched_wake(struct vcpu *v) { make_runnable(v, VCPU_BLOCKED); }

bool sched_vcpu_start(struct vcpu *v, uint64_t entry, uint64_t x0)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    /* VCPU_OFF means saved by its CPU (or never run): nobody else touches
     * its registers now, and the reset below is all it starts with. */
    bool ok = v->state == VCPU_OFF && v->dom->state == DOMAIN_RUNNING;
    if (ok) {
        vcpu_arch_reset(v, entry, x0);
        v->pending.active = v->pending.done = false;
        v->wake_at = 0;
        v->state = VCPU_RUNNABLE;
        enqueue_locked(rq, v);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (ok && v->pcpu != this_cpu_id())
        kick_cpu(v->pcpu);
    return ok;
}

/* Called by the interrupt controller under its lock, when nothing is
 * deliverable to v. */
static void mark_blocked(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    if (v->state == VCPU_RUNNABLE)
        v->state = VCPU_BLOCKED;
    spin_unlock_irqrestore(&rq->lock, flags);
}

/* How long a vCPU may keep its CPU spinning, when nothing else wants that
 * CPU, for what would otherwise cost it a save, idle, wake-up and load: a
 * device model's answer to its access (sched_wait), an interrupt while it
 * is in WFI (halt polling, sched_block). make bench: the ioreq round trip.
 * Bounded by time and by spins (the latter for clocks that do not move,
 * as in host tests). */
#define SPIN_US 50
#define SPIN_MAX 20000

/* Spin on this CPU (run queue rq) until *flag is set, something else
 * wants the CPU, or `until` passes (SPIN_MAX turns at most): whether the
 * flag was seen set. */
static inline __attribute__((always_inline)) bool spin_for(struct runqueue *rq, const bool *flag, uint64_t until)
{
    for (unsigned i = 0; i < SPIN_MAX; i++) {
        if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
            return true;
        if (__atomic_load_n(&rq->head, __ATOMIC_RELAXED) || rq->need_resched || counter_read() >= until)
            return false;
        cpu_relax();
    }
    return false;
}

/* The counter's frequency is fixed once the timer is set up: these spans
 * are converted once, not per spin or per guest exit (two divisions). */
enum span { SPAN_SPIN, SPAN_SLICE, SPAN_ALONE, SPANS };
static uint64_t span_ticks(enum span which)
{
    static const uint64_t us[SPANS] = {
        [SPAN_SPIN] = SPIN_US, [SPAN_SLICE] = SCHED_SLICE_US, [SPAN_ALONE] = SCHED_ALONE_US
    };
    static uint64_t ticks[SPANS];
    if (!ticks[which])
        ticks[which] = us_to_ticks(us[which]);
    return ticks[which];
}

bool sched_poll_notify(struct vcpu *v)
{
    /* Dekker with halt_poll's end: either it sees poll_news, or we see it
     * has stopped polling and kick as usual */
    __atomic_store_n(&v->poll_news, true, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&v->halt_polling, __ATOMIC_SEQ_CST);
}

/* Spin until an interrupt for v is told (poll_news), the CPU has other
 * work, v's timer is due (deadline, 0: none) or the time is up. What was
 * told is then found by the controller's block, under its lock, as
 * always: polling only decides when to look. */
static void halt_poll(struct vcpu *v, uint64_t deadline)
{
    struct runqueue *rq = &rqs[v->pcpu];
    if (__atomic_load_n(&rq->head, __ATOMIC_RELAXED) || rq->need_resched)
        return;
    uint64_t until = counter_read() + span_ticks(SPAN_SPIN);
    if (deadline && deadline < until)
        until = deadline;
    __atomic_store_n(&v->poll_news, false, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->halt_polling, true, __ATOMIC_SEQ_CST);
    spin_for(rq, &v->poll_news, until);
    __atomic_store_n(&v->halt_polling, false, __ATOMIC_SEQ_CST);
}

void sched_block(struct vcpu *v)
{
    bool due;
    uint64_t deadline = vtimer_deadline_loaded(v, &due);
    const struct vintc_ops *intc = v->dom->intc;
    if (due || !intc) /* its timer interrupt is already on its way */
        return;
    halt_poll(v, deadline);
    v->wake_at = deadline;
    if (!intc->block(v, mark_blocked))
        v->wake_at = 0;
}

bool sched_wait(struct vcpu *v)
{
    /* answered while we spun: nothing to change under the lock
     * (sched_wait_now would find done set and return false) */
    if (spin_for(&rqs[v->pcpu], &v->pending.done, counter_read() + span_ticks(SPAN_SPIN)))
        return false;
    return sched_wait_now(v);
}

bool sched_wait_now(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    bool wait = !v->pending.done && v->state == VCPU_RUNNABLE;
    if (wait)
        v->state = VCPU_WAITING;
    spin_unlock_irqrestore(&rq->lock, flags);
    return wait;
}

void sched_answer(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    v->pending.done = true;
    bool wake = v->state == VCPU_WAITING && v->dom->state == DOMAIN_RUNNING;
    if (wake) {
        v->state = VCPU_RUNNABLE;
        enqueue_locked(rq, v);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (wake && v->pcpu != this_cpu_id())
        kick_cpu(v->pcpu);
}

static void unlink_sleeper_locked(struct runqueue *rq, struct vcpu *v)
{
    for (struct vcpu **p = &rq->sleepers; *p; p = &(*p)->next_sleeper)
        if (*p == v) {
            *p = v->next_sleeper;
            break;
        }
    v->next_sleeper = NULL;
    v->sleeping = false;
}

void sched_forget(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    if (v->queued) {
        struct vcpu *prev = NULL;
        for (struct vcpu *q = rq->head; q; prev = q, q = q->next_in_queue)
            if (q == v) {
                if (prev)
                    prev->next_in_queue = v->next_in_queue;
                else
                    rq->head = v->next_in_queue;
                if (rq->tail == v)
                    rq->tail = prev;
                break;
            }
        v->queued = false;
        v->next_in_queue = NULL;
    }
    if (v->sleeping)
        unlink_sleeper_locked(rq, v);
    spin_unlock_irqrestore(&rq->lock, flags);
}

/* Deliver the timers of sleepers whose deadline passed; forget those that
 * woke up some other way. Returns the earliest deadline still ahead. The
 * timer interrupts are injected after the lock is dropped (an injection
 * wakes the vCPU, which takes this lock); meanwhile each such vCPU counts
 * as loaded, so its domain cannot be released under the injection. */
static uint64_t wake_expired(struct runqueue *rq)
{
    uint64_t now = counter_read(), next = UINT64_MAX;
    struct vcpu *expired = NULL;
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    for (struct vcpu **p = &rq->sleepers; *p;) {
        struct vcpu *v = *p;
        bool stale = v->state != VCPU_BLOCKED || v->dom->state != DOMAIN_RUNNING || !v->wake_at;
        if (!stale && v->wake_at > now) {
            next = MIN(next, v->wake_at);
            p = &v->next_sleeper;
            continue;
        }
        *p = v->next_sleeper;
        v->sleeping = false;
        v->next_sleeper = NULL;
        if (!stale) {
            v->wake_at = 0;
            __atomic_add_fetch(&v->dom->active, 1, __ATOMIC_ACQ_REL);
            v->next_sleeper = expired;
            expired = v;
        }
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    while (expired) {
        struct vcpu *v = expired;
        expired = v->next_sleeper;
        v->next_sleeper = NULL;
        vtimer_expire_saved(v); /* masks its timer, injects PPI 27: wakes it */
        vcpu_inject_irq(v, VINTC_PPI_VTIMER);
        domain_vcpu_unloaded(v);
    }
    return next;
}

static void slice_end(void) { rqs[this_cpu_id()].need_resched = true; }

static void sgi_kick(unsigned intid __unused, void *arg __unused)
{
    /* Nothing to do here: the interrupt made the CPU leave its guest or
     * its WFI, and the loop looks at the queue. */
}

/* Whether anything besides the running vCPU wants this CPU: a queued
 * vCPU or a domain job. */
static inline __attribute__((always_inline)) bool shared(const struct runqueue *rq)
{
    return __atomic_load_n(&rq->head, __ATOMIC_RELAXED) || domain_jobs_pending();
}

/* One EL2 timer per CPU serves the time slice, the sleepers and the
 * console (lines waiting behind a part-way line go out by its deadline
 * even if nothing else is printed; text the UART's FIFO had no room for
 * goes out as it drains).
 *
 * arm_timer() arms it for the vCPU about to run (or running) on this CPU,
 * whose slice started at slice_start (UINT64_MAX: none, the CPU is idle).
 * Its slice ends SCHED_SLICE_US later if something else wants the CPU; alone, it has
 * SCHED_ALONE_US: whatever comes to want the CPU kicks it (enqueue_locked,
 * queue_release) and the loop looks again then, so a timer every slice
 * would only find it alone again (Linux on QEMU: 100 interrupts a
 * second, each waking QEMU's main loop). The long one still bounds a
 * waiter's wait if a kick were ever missed. Whether it is alone is asked
 * after the sleepers are woken: a woken one is queued here. */
static void arm_timer(struct runqueue *rq, uint64_t slice_start)
{
    console_poll();
    /* wake_expired changes the sleeper list: called once, its answer kept
     * (a second call, made when a deadline just passed, answers "none") */
    uint64_t sleepers = wake_expired(rq);
    uint64_t slice_deadline =
        slice_start == UINT64_MAX ? UINT64_MAX : slice_start + span_ticks(shared(rq) ? SPAN_SLICE : SPAN_ALONE);
    uint64_t next = MIN(MIN(slice_deadline, sleepers), console_poll_deadline());
    if (next != UINT64_MAX)
        timer_set_deadline(next, slice_end);
    else
        timer_cancel();
}

static inline __attribute__((always_inline)) void trap_wfx_if_shared(struct vcpu *v, struct runqueue *rq)
{
    bool trap = shared(rq);
    if (trap != !!(v->arch.hcr & HCR_TWI))
        vcpu_arch_trap_wfx(&v->arch, trap);
}

static void run_vcpu(struct vcpu *v, struct runqueue *rq)
{
    struct domain *d = v->dom;
    if (d->state == DOMAIN_RUNNING && v->state == VCPU_RUNNABLE) {
        this_cpu()->current = v;
        vcpu_arch_load(v);
        rq->need_resched = rq->yield = false;
        uint64_t slice_start = counter_read();
        uint64_t slice = slice_start + span_ticks(SPAN_SLICE);
        arm_timer(rq, slice_start);
        /* WFI and WFE trap only while another vCPU (or a domain job)
         * waits for this CPU, as KVM does for a vCPU alone on its CPU.
         * Alone, an idle guest's WFI halts the CPU itself and an interrupt
         * for it (its timer, a kick for a new virtual interrupt) wakes it
         * where it is, with no exit to block it and no switch back; a
         * spinner's WFE costs nothing. Queueing a vCPU here sets
         * need_resched (and kicks a remote CPU), so the next entry traps
         * again: the idle guest's next WFI gives the CPU up (a WFE yields
         * it, sched_yield_vcpu). A job is seen at the latest at the
         * slice's end. Looked at here and on need_resched only: not on
         * every exit's way back in. */
        trap_wfx_if_shared(v, rq);
        while (vcpu_run(v)) {
            if (rq->need_resched) {
                rq->need_resched = false;
                if (rq->yield) { /* a WFE: the others on this CPU first */
                    rq->yield = false;
                    if (__atomic_load_n(&rq->head, __ATOMIC_RELAXED))
                        break;
                    if (counter_read() < slice)
                        continue; /* alone: on it goes, its timer armed */
                }
                /* Alone in the queue, a vCPU keeps its CPU past the slice. */
                if (counter_read() >= slice) {
                    if (shared(rq))
                        break;
                    slice_start = counter_read();
                    slice = slice_start + span_ticks(SPAN_SLICE);
                }
                trap_wfx_if_shared(v, rq);
                arm_timer(rq, slice_start);
            }
        }
        timer_cancel();
        vcpu_arch_save(v);
        this_cpu()->current = NULL;
    }
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    if (v->state == VCPU_OFFLINING)
        v->state = VCPU_OFF; /* saved: CPU_ON may reset it now */
    if (d->state == DOMAIN_RUNNING) {
        if (v->state == VCPU_RUNNABLE)
            enqueue_locked(rq, v);
        else if (v->state == VCPU_BLOCKED && v->wake_at && !v->sleeping) {
            v->sleeping = true;
            v->next_sleeper = rq->sleepers;
            rq->sleepers = v;
        }
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    domain_vcpu_unloaded(v);
}

void sched_run(void)
{
    struct runqueue *rq = &rqs[this_cpu_id()];
    irq_enable_line(SGI_KICK);
    for (;;) {
        if (domain_jobs_pending()) {
            /* releases and rebuilds: long, so with interrupts enabled */
            irq_enable();
            domain_run_jobs();
        }
        irq_disable();
        struct vcpu *v = dequeue(rq);
        if (v) {
            run_vcpu(v, rq);
            continue;
        }
        /* Idle: sleep until an interrupt (a kick, a sleeper's timer). WFI
         * with IRQs masked still wakes, and no wake-up is lost between the
         * check and the WFI; the interrupt is then taken here. */
        rq->need_resched = false;
        /* the console, a batch at a time while nothing else waits; what
         * the FIFO had no room for is in arm_timer's deadline */
        while (console_idle_pump() && !rq->head && !domain_jobs_pending() && !irq_pending())
            ;
        arm_timer(rq, UINT64_MAX);
        if (rq->head || domain_jobs_pending()) {
            console_idle_leave();
            continue;
        }
        wfi();
        console_idle_leave();
        irq_enable();
        isb();
    }
}

int sched_init(void)
{
    /* Before any domain is built: building wakes vCPUs, which kicks CPUs. */
    return irq_register(SGI_KICK, sgi_kick, NULL);
}

void sched_start(void)
{
    __atomic_store_n(&started, true, __ATOMIC_RELEASE);
    for (unsigned i = 1; i < nr_pcpus; i++)
        if (pcpus[i].online)
            irq_send_sgi(i, SGI_KICK);
    sched_run();
}

bool sched_started(void) { return __atomic_load_n(&started, __ATOMIC_ACQUIRE); }
