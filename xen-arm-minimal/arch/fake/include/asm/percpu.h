/* Host ("fake architecture") per-CPU state: the same struct pcpu, and the
 * current CPU is a per-thread index the test sets (fake_set_cpu()). */
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

/* Kept identical to arch/arm64/include/asm/percpu.h. */
struct pcpu {
    unsigned id;
    struct guest_regs *guest_regs;
    uint64_t mpidr;
    uint32_t gic_target;
    volatile bool online;
    bool start_failed;
    volatile uint64_t timer_fired;
    void (*timer_fn)(void);
    volatile uint64_t ipis;
    struct vcpu *current;
    /* kicks of other CPUs held back while this CPU holds a lock other CPUs
     * spin on (xam/sched.h, sched_defer_kicks): only this CPU touches them */
    unsigned kick_hold_depth;
    uint32_t held_kicks; /* a bit per CPU */
};

_Static_assert(__builtin_offsetof(struct pcpu, guest_regs) == PCPU_GUEST_REGS, "PCPU_GUEST_REGS");

extern struct pcpu pcpus[NR_CPUS];
extern unsigned nr_pcpus;
extern __thread unsigned fake_this_cpu;

static inline struct pcpu *this_cpu(void) { return &pcpus[fake_this_cpu]; }

static inline unsigned this_cpu_id(void) { return fake_this_cpu; }

#endif
