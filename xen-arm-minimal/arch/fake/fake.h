/* The fake architecture (modelled on Hafnium's src/arch/fake): what the
 * guest-facing code (core/, vdev/, hypercall/) calls below itself,
 * implemented on the host so that code runs in unit tests and fuzzers
 * under ASan/UBSan. This header is what the tests use to drive it and to
 * look at what the code did. Nothing here runs a guest: a "guest exit" is
 * a record the test writes (or scripts) and the core handles.
 *
 *  - CPUs: fake_reset(n) gives n online CPUs; each host thread has a
 *    current CPU (fake_set_cpu), which this_cpu()/this_cpu_id() return.
 *  - vCPU entry: vcpu_arch_enter() takes the next exit scripted for that
 *    vCPU (fake_push_exit), else its virtual timer if it is due (masked
 *    and PPI 27 injected, as the hardware and arch/arm64/vtimer.c do),
 *    else a harmless one: an IRQ exit with nothing pending (registers
 *    untouched), or inside fake_run_cpu() a WFI.
 *  - fake_run_cpu(cpu): the real scheduler loop (sched_run) on that CPU
 *    until it has nothing to run and would wait in WFI.
 *  - memory_alloc/free: host aligned_alloc with canaries (poisoned for
 *    ASan) around each block; every block is tracked, a free must match an
 *    allocation exactly, fake_mem_blocks() is the leak count.
 *  - log_msg: lines captured in a ring (printed too with FAKE_LOG=1).
 *  - machine_poweroff: recorded, then a longjmp to the jmp_buf armed with
 *    fake_poweroff_catch() (aborts if none is armed: the core powered the
 *    machine off when the test did not expect it).
 *  - the list registers: 16 per fake CPU (vgic_hw_nr_lrs() says how many
 *    the code may use, 4 by default as on QEMU), with a record of writes;
 *    a test plays the guest by changing fake_lr()'s state before a sync. */
#ifndef FAKE_H
#define FAKE_H

#include <setjmp.h>
#include <asm/cpufeature.h>
#include <asm/esr.h>
#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/timer.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/log.h>

#define FAKE_COUNTER_HZ 100000000ULL /* 100 ticks a microsecond */
#define FAKE_MAX_LRS VGIC_HW_MAX_LRS

/* Everything the fake records goes back to its start: nr_cpus online
 * CPUs, this thread on CPU 0, counter 0, no timers, kicks, lines, list
 * registers, scripted exits or log lines, vGIC version 3 with 4 list
 * registers. Memory tracking is kept (leaks are checked across it). */
void fake_reset(unsigned nr_cpus);
void fake_set_cpu(unsigned cpu);

/* ---- time ---- */
void fake_counter_set(uint64_t v);
void fake_counter_advance(uint64_t ticks);
/* From now on every counter_read() moves the counter on by step ticks
 * first (0: it stands still again; fake_reset sets 0). */
void fake_counter_moves(uint64_t step);
struct fake_timer {
    bool armed;
    uint64_t deadline;
    timer_fn fn;
    unsigned sets, cancels;
};
const struct fake_timer *fake_timer(unsigned cpu);
/* If cpu's EL2 timer is armed: disarm it and call its callback on cpu. */
bool fake_timer_fire(unsigned cpu);

/* ---- interrupts ---- */
/* SGIs sent to cpu (irq_send_sgi), by number; all of them. */
unsigned fake_sgis(unsigned cpu, unsigned sgi);
unsigned fake_sgis_total(void);
/* Called at each irq_send_sgi (NULL: none; fake_reset clears it), in the
 * sender's thread: tests look at what the sender holds then. */
void fake_sgi_hook(void (*fn)(unsigned cpu, unsigned sgi));
bool fake_line_enabled(unsigned cpu, unsigned intid);
bool fake_irq_registered(unsigned intid);
/* Make a host interrupt pending on this CPU: the next irq_handle() (an
 * IRQ exit) calls its handler. */
void fake_irq_raise(unsigned intid);
unsigned fake_irq_handle_calls(void);

/* ---- CPU features ---- */
/* What cpufeature_guest_idregs() returns from now on (zero at first):
 * view to domains without SVE, sve to those with it. */
void fake_set_guest_idregs(const struct idregs *view, const struct idregs *sve);

/* ---- memory ---- */
unsigned fake_mem_blocks(void); /* allocated and not freed */
uint64_t fake_mem_bytes(void);
unsigned fake_mem_allocs(void); /* ever */
/* Every live block's canaries intact (aborts with a report if not). */
void fake_mem_check(void);
/* The n-th memory_alloc from now fails with -XAM_ENOMEM (n >= 1); 0: never. */
void fake_mem_fail_at(unsigned n);
/* memory_claim() succeeds inside [pa, pa+size) (once per page). */
void fake_mem_static_pool(paddr_t pa, uint64_t size);
/* Nothing answers in [pa, pa+size) of allocated memory (0, 0: none;
 * fake_reset sets none): memory_check() reports the part it reads, the
 * bytes stay writable (a write there is the bug the test looks for, which
 * the test sees as 0xa5 overwritten). */
void fake_mem_hole(paddr_t pa, uint64_t size);
unsigned fake_mem_checks(void); /* memory_check() calls, ever */

/* ---- the log ---- */
void fake_log_clear(void);
unsigned fake_log_lines(void);
const char *fake_log_line(unsigned i); /* oldest kept first */
enum log_level fake_log_level(unsigned i);
/* Lines containing s (since the last clear, within the ring). */
unsigned fake_log_count(const char *s);
/* How much guest text log line i has: after "(name) ", without the
 * continuation mark of a line cut in pieces. */
size_t fake_log_guest_text(unsigned i);
const char *fake_log_find(const char *s);
/* Print the captured lines (on a failure). */
void fake_log_dump(void);

/* ---- power ---- */
void fake_poweroff_catch(jmp_buf *jb);
void fake_poweroff_uncatch(void);
unsigned fake_poweroffs(void);

/* ---- vCPUs ---- */
struct fake_exit {
    struct vcpu *v; /* whose entry takes it; NULL: the next vCPU entered */
    enum guest_exit exit;
    uint64_t esr, far, hpfar;
    /* registers the "guest" set before it trapped */
    unsigned nr_regs;
    unsigned reg[4];
    uint64_t val[4];
};
void fake_push_exit(const struct fake_exit *e);
unsigned fake_exits_queued(void);
void fake_exits_clear(void);
unsigned fake_entries(unsigned cpu);
/* The vCPU vcpu_arch_load()ed on cpu (NULL after the save). */
struct vcpu *fake_loaded(unsigned cpu);
unsigned fake_arch_resets(void);
/* fn(v, arg) in every vcpu_arch_save(), before the save: a window where
 * v is still loaded on this CPU (the test acts there as another CPU). */
void fake_on_save(void (*fn)(struct vcpu *v, void *arg), void *arg);
/* fn(v, arg) at every vcpu_arch_enter(), first: "the guest runs" (it may
 * change its registers or, playing the guest's interrupt handling, the
 * list registers of this CPU). */
void fake_on_enter(void (*fn)(struct vcpu *v, void *arg), void *arg);

/* The scheduler loop of cpu until it would wait in WFI with nothing to
 * run; aborts if its vCPUs enter more than budget times (0: 10000).
 * Returns the number of entries. */
unsigned fake_run_cpu(unsigned cpu, unsigned budget);

/* ---- the vGIC's hardware side ---- */
struct fake_lr {
    bool used;
    unsigned intid;
    struct vgic_lr_state st;
};
/* cpu's list register i: what the vGIC wrote; a test may change st (the
 * guest acknowledged, EOIed...) before the vGIC reads it back. */
struct fake_lr *fake_lr(unsigned cpu, unsigned i);
unsigned fake_lr_writes(unsigned cpu);
unsigned fake_lrs_used(unsigned cpu);
bool fake_vgic_enabled(unsigned cpu, bool *underflow);
void fake_vgic_config(unsigned version, unsigned nr_lrs, paddr_t gicv);
struct vcpu *fake_vgic_loaded(unsigned cpu);
unsigned fake_tlb_flushes(uint16_t vmid);

/* ---- a minimal virtual interrupt controller ----
 * For tests of the core that do not want the vGIC: inject marks an
 * interrupt pending (and wakes a blocked vCPU as the vGIC does), block
 * sleeps a vCPU with nothing pending; flush consumes what is pending. */
struct fake_intc {
    uint64_t pending[DOMAIN_MAX_VCPUS]; /* bit per INTID below 64 */
    uint64_t level; /* SPI lines, bit intid - 32... */
    unsigned level_sets[64];
    unsigned flushes, syncs, blocks, sleeps, injects;
};
int fake_intc_attach(struct domain *d);
struct fake_intc *fake_intc(struct domain *d);
unsigned fake_intc_releases(void);

/* ---- domains ---- */
/* Stop every domain there is (poweroff caught), run the release jobs,
 * free the domain objects and forget them (nr_domains = 0): after it,
 * fake_mem_blocks() must be back to what it was before the test. */
void fake_destroy_all_domains(void);

/* ---- syndromes, as the hardware writes them ---- */
#define FAKE_ESR_IL (1ULL << 25)
static inline uint64_t fake_esr_dabt(unsigned size, bool write, unsigned reg, bool sse, bool sf)
{
    unsigned sas = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    return (uint64_t)EC_DABT_LOW << 26 | FAKE_ESR_IL | 1ULL << 24 | (uint64_t)sas << 22 | (uint64_t)sse << 21 |
        (uint64_t)(reg & 31) << 16 | (uint64_t)sf << 15 | (uint64_t)write << 6;
}
static inline uint64_t fake_esr_call(unsigned ec, uint16_t imm) { return (uint64_t)ec << 26 | FAKE_ESR_IL | imm; }
static inline uint64_t fake_esr_wfx(bool wfe) { return (uint64_t)EC_WFX << 26 | FAKE_ESR_IL | (wfe ? 1 : 0); }
static inline uint64_t fake_esr_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                                       unsigned rt, bool read)
{
    return (uint64_t)EC_SYSREG << 26 | FAKE_ESR_IL | (uint64_t)op0 << 20 | (uint64_t)op2 << 17 | (uint64_t)op1 << 14 |
        (uint64_t)crn << 10 | (uint64_t)(rt & 31) << 5 | (uint64_t)crm << 1 | (read ? 1 : 0);
}
static inline uint64_t fake_hpfar(paddr_t ipa) { return (ipa >> 12) << 4; }

/* Record a synchronous exit of v (as vcpu_arch_enter would) and handle it. */
void fake_trap(struct vcpu *v, uint64_t esr, paddr_t ipa);

#endif
