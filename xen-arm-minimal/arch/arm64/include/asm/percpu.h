/* Per-CPU state, reached through TPIDR_EL2. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/asm-offsets.h>
#include <asm/sysreg.h>
#include <xam/types.h>

#ifndef CONFIG_NR_CPUS
#define CONFIG_NR_CPUS 16
#endif
#define NR_CPUS CONFIG_NR_CPUS

typedef void (*timer_fn_t)(void);

struct guest_regs;

struct pcpu {
    unsigned id;
    /* the running guest's registers, for the exit path (guest_entry.S) */
    struct guest_regs *guest_regs;
    uint64_t mpidr;
    uint32_t gic_target; /* GICv2 CPU interface mask for SGIs */
    volatile bool online;
    bool start_failed;
    volatile uint64_t timer_fired;
    void (*timer_fn)(void);
    /* what CNTHP_CVAL/CTL_EL2 hold (timer.c): unchanged, not rewritten */
    uint64_t timer_deadline;
    bool timer_on;
    volatile uint64_t ipis;
    struct vcpu *current; /* the vCPU loaded on this CPU, if any */
    /* kicks of other CPUs held back while this CPU holds a lock other CPUs
     * spin on (xam/sched.h, sched_defer_kicks): only this CPU touches them */
    unsigned kick_hold_depth;
    uint32_t held_kicks; /* a bit per CPU */
};

_Static_assert(__builtin_offsetof(struct pcpu, guest_regs) == PCPU_GUEST_REGS, "PCPU_GUEST_REGS");

extern struct pcpu pcpus[NR_CPUS];
extern unsigned nr_pcpus;

static inline struct pcpu *this_cpu(void) { return (struct pcpu *)(uintptr_t)read_sysreg(tpidr_el2); }

static inline unsigned this_cpu_id(void) { return this_cpu()->id; }

#endif
