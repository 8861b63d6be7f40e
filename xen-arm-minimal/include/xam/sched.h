/* The vCPU scheduler: one run queue per physical CPU, round robin with a
 * time slice from the EL2 timer; a CPU with nothing to run sleeps in WFI. */
#ifndef XAM_SCHED_H
#define XAM_SCHED_H

#include <xam/types.h>

struct vcpu;

#define SCHED_SLICE_US 10000

/* Make v runnable on its physical CPU (waking that CPU if needed). */
void sched_wake(struct vcpu *v);
/* PSCI CPU_ON: reset v to (entry, context) and run it; PSCI return code. */
int sched_vcpu_on(struct vcpu *v, uint64_t entry, uint64_t context);
void sched_vcpu_off(struct vcpu *v);
/* WFI: block v unless it has work; returns whether it may keep running. */
bool sched_block(struct vcpu *v);
/* Ask CPU cpu to look at its run queue again. */
void sched_kick(unsigned cpu);
struct domain;
/* d was just shut down: release its memory now if no vCPU of it is loaded. */
void sched_domain_stopped(struct domain *d);
/* Hook the kick IPI; before the builder runs. */
int sched_init(void);
/* Start the scheduler (boot CPU, after the builder): every CPU enters its
 * loop. */
void sched_start(void) __noreturn;
bool sched_started(void);
/* This CPU's scheduling loop; never returns. */
void sched_run(void) __noreturn;

#endif
