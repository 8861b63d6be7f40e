/* The vCPU scheduler: one run queue per physical CPU, round robin with a
 * time slice from the EL2 timer; a CPU with nothing to run sleeps in WFI.
 * Every change of a vCPU's state that another CPU can race with is made
 * under the run-queue lock of the CPU the vCPU belongs to. */
#ifndef XAM_SCHED_H
#define XAM_SCHED_H

#include <asm/percpu.h>
#include <xam/types.h>

struct vcpu;

#define SCHED_SLICE_US 10000
/* A vCPU alone on its CPU is not interrupted every slice: whatever comes to
 * want the CPU kicks it. This long timer is only a bound. */
#define SCHED_ALONE_US 100000

/* BLOCKED -> RUNNABLE (an interrupt for it), waking its CPU if needed. */
void sched_wake(struct vcpu *v);
/* OFF -> RUNNABLE with its reset state at (entry, x0) (PSCI CPU_ON).
 * False if it was not off. */
bool sched_vcpu_start(struct vcpu *v, uint64_t entry, uint64_t x0);
/* WFI: block v unless it has an interrupt to take. If its CPU has nothing
 * else to run, it first spins a little while for an interrupt (halt
 * polling): one that comes then costs no save, idle, wake-up and load. */
void sched_block(struct vcpu *v);
/* WFE (a guest spinning on a lock or a flag another vCPU will change):
 * v gives its CPU to the vCPUs queued there, if any, as Xen's vcpu_yield:
 * the one it waits for may be among them. */
void sched_yield_vcpu(struct vcpu *v);
/* The interrupt controller made something deliverable to v, which is
 * runnable on another CPU: true if that CPU is halt-polling for v and will
 * see it (no kick needed), false if the caller must kick it out of the
 * guest. */
bool sched_poll_notify(struct vcpu *v);
/* RUNNABLE -> WAITING for a pending emulated access; false if its answer
 * already came (it stays runnable). sched_wait first keeps the CPU a
 * little while for the answer if nothing else wants it; sched_wait_now
 * does not. */
bool sched_wait(struct vcpu *v);
bool sched_wait_now(struct vcpu *v);
/* The pending access of v is answered: WAITING -> RUNNABLE. */
void sched_answer(struct vcpu *v);
/* Take v off its run queue and its CPU's sleeper list (its domain is
 * being released). */
void sched_forget(struct vcpu *v);
/* Ask CPU cpu to look at its run queue again. */
void sched_kick(unsigned cpu);
/* Make CPU cpu (another) leave the guest it runs, if any: its way back in
 * delivers its vCPU's new virtual interrupts. Its run queue and slice are
 * not looked at again (sched_kick's work on the kicked CPU: its timer
 * re-armed, the console and sleepers polled, 150 instructions of an ioreq
 * round trip with a device model in WFI). */
void sched_kick_guest(unsigned cpu);
/* Between these (nested, interrupts masked), the SGIs that make other CPUs
 * look again (kicks, wake-ups) are held back and sent at the outermost
 * end, once: for code holding a lock other CPUs spin on. Sending an SGI
 * may be slow (QEMU takes its big lock for it, which a CPU spinning on
 * ours may hold), and nothing should wait on it under a shared lock. */
static inline void sched_defer_kicks(void) { this_cpu()->kick_hold_depth++; }
void sched_send_held_kicks(struct pcpu *c);
/* inline: taken and released on every exit of a vCPU (the vGIC lock), and
 * mostly with nothing held back */
static inline void sched_send_deferred_kicks(void)
{
    struct pcpu *c = this_cpu();
    if (--c->kick_hold_depth == 0 && c->held_kicks)
        sched_send_held_kicks(c);
}
/* Hook the kick IPI; before the builder runs. */
int sched_init(void);
/* Start the scheduler (boot CPU, after the builder): every CPU enters its
 * loop. */
void sched_start(void) __noreturn;
bool sched_started(void);
/* This CPU's scheduling loop; never returns. */
void sched_run(void) __noreturn;

#endif
