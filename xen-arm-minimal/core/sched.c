/* Per-CPU run queues of vCPUs, round robin. A vCPU belongs to one physical
 * CPU (its placement is decided when the domain is built), so a queue is
 * only ever run by its own CPU; other CPUs add to it under its lock and kick
 * it with an SGI. */
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/timer.h>
#include <xam/domain.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <asm/vtimer.h>

#define MAX_SLEEPERS 64

struct runqueue {
    spinlock_t lock;
    struct vcpu *head, *tail;
    volatile bool need_resched;
    /* vCPUs of this CPU blocked in WFI with a virtual timer armed; only
     * this CPU touches the list. */
    unsigned nr_sleepers;
    struct vcpu *sleepers[MAX_SLEEPERS];
};

static struct runqueue rqs[NR_CPUS];
static volatile bool started;

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
}

static struct vcpu *dequeue(struct runqueue *rq)
{
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    struct vcpu *v = rq->head;
    if (v) {
        rq->head = v->next_in_queue;
        if (!rq->head)
            rq->tail = NULL;
        v->queued = false;
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return v;
}

void sched_kick(unsigned cpu)
{
    rqs[cpu].need_resched = true;
    if (cpu != this_cpu_id())
        irq_send_sgi(cpu, SGI_KICK);
}

void sched_wake(struct vcpu *v)
{
    struct runqueue *rq = &rqs[v->pcpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    if (v->dom->state == DOMAIN_RUNNING) {
        v->state = VCPU_RUNNABLE;
        enqueue_locked(rq, v);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (v->pcpu != this_cpu_id())
        irq_send_sgi(v->pcpu, SGI_KICK);
}

int sched_vcpu_on(struct vcpu *v, uint64_t entry, uint64_t context)
{
    if (v->state != VCPU_OFF)
        return -4; /* PSCI ALREADY_ON */
    vcpu_arch_reset(v, entry, context);
    sched_wake(v);
    return 0;
}

void sched_vcpu_off(struct vcpu *v)
{
    v->state = VCPU_OFF;
}

bool sched_block(struct vcpu *v)
{
    struct domain *d = v->dom;
    bool due;
    uint64_t deadline = vtimer_deadline_loaded(v, &due);
    if (due) /* its timer interrupt is already on its way */
        return true;
    /* Under the vGIC lock, so an interrupt injected from another CPU either
     * is seen here or finds the vCPU blocked and wakes it. */
    uint64_t flags = spin_lock_irqsave(&d->vgic.lock);
    bool pending = vgic_has_pending_locked(v);
    if (!pending) {
        v->wake_at = deadline;
        v->state = VCPU_BLOCKED;
    }
    spin_unlock_irqrestore(&d->vgic.lock, flags);
    return pending;
}

static void add_sleeper(struct runqueue *rq, struct vcpu *v)
{
    for (unsigned i = 0; i < rq->nr_sleepers; i++)
        if (rq->sleepers[i] == v)
            return;
    if (rq->nr_sleepers < MAX_SLEEPERS)
        rq->sleepers[rq->nr_sleepers++] = v;
}

/* Deliver the timers of sleepers whose deadline passed; forget those that
 * woke up some other way. Returns the earliest deadline still ahead. */
static uint64_t wake_expired(struct runqueue *rq)
{
    uint64_t now = counter_read(), next = UINT64_MAX;
    for (unsigned i = 0; i < rq->nr_sleepers;) {
        struct vcpu *v = rq->sleepers[i];
        if (v->state != VCPU_BLOCKED || v->dom->state != DOMAIN_RUNNING || !v->wake_at) {
            rq->sleepers[i] = rq->sleepers[--rq->nr_sleepers];
            continue;
        }
        if (v->wake_at <= now) {
            v->wake_at = 0;
            vtimer_expire_saved(v); /* injects PPI 27, which wakes it */
            rq->sleepers[i] = rq->sleepers[--rq->nr_sleepers];
            continue;
        }
        next = MIN(next, v->wake_at);
        i++;
    }
    return next;
}

static void release_if_idle(struct domain *d)
{
    if (d->state != DOMAIN_RUNNING && __atomic_load_n(&d->active, __ATOMIC_ACQUIRE) == 0 &&
        !__atomic_exchange_n(&d->released, true, __ATOMIC_ACQ_REL))
        domain_release(d);
}

void sched_domain_stopped(struct domain *d)
{
    release_if_idle(d);
}

static void slice_end(void)
{
    rqs[this_cpu_id()].need_resched = true;
}

static void sgi_kick(unsigned intid __unused, void *arg __unused)
{
    /* Nothing to do here: the interrupt made the CPU leave its guest or
     * its WFI, and the loop looks at the queue. */
}

/* One EL2 timer per CPU serves both the time slice and the sleepers. */
static void arm_timer(struct runqueue *rq, uint64_t slice_deadline)
{
    uint64_t next = MIN(slice_deadline, wake_expired(rq));
    if (next != UINT64_MAX)
        timer_set_deadline(next, slice_end);
    else
        timer_cancel();
}

static void run_vcpu(struct vcpu *v, struct runqueue *rq)
{
    struct domain *d = v->dom;
    __atomic_add_fetch(&d->active, 1, __ATOMIC_ACQ_REL);
    if (d->state == DOMAIN_RUNNING && v->state == VCPU_RUNNABLE) {
        this_cpu()->current = v;
        vcpu_arch_load(v);
        rq->need_resched = false;
        uint64_t slice = counter_read() + us_to_ticks(SCHED_SLICE_US);
        arm_timer(rq, slice);
        while (v->state == VCPU_RUNNABLE && d->state == DOMAIN_RUNNING) {
            if (!vcpu_arch_run(v))
                break;
            if (rq->need_resched) {
                rq->need_resched = false;
                /* Alone in the queue, a vCPU keeps its CPU past the slice. */
                if (counter_read() >= slice) {
                    if (rq->head)
                        break;
                    slice = counter_read() + us_to_ticks(SCHED_SLICE_US);
                }
                arm_timer(rq, slice);
            }
        }
        timer_cancel();
        vcpu_arch_save(v);
        this_cpu()->current = NULL;
        if (v->state == VCPU_BLOCKED && v->wake_at)
            add_sleeper(rq, v);
    }
    if (v->state == VCPU_RUNNABLE && d->state == DOMAIN_RUNNING) {
        uint64_t flags = spin_lock_irqsave(&rq->lock);
        enqueue_locked(rq, v);
        spin_unlock_irqrestore(&rq->lock, flags);
    }
    __atomic_sub_fetch(&d->active, 1, __ATOMIC_ACQ_REL);
    release_if_idle(d);
}

void sched_run(void)
{
    struct runqueue *rq = &rqs[this_cpu_id()];
    irq_enable_line(SGI_KICK);
    for (;;) {
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
        arm_timer(rq, UINT64_MAX);
        if (rq->head)
            continue;
        wfi();
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

bool sched_started(void)
{
    return __atomic_load_n(&started, __ATOMIC_ACQUIRE);
}
