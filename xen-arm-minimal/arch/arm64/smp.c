#include <asm/asm-offsets.h>
#include <asm/cpufeature.h>
#include <asm/mmu.h>
#include <asm/percpu.h>
#include <asm/psci.h>
#include <asm/smp.h>
#include <asm/spinlock.h>
#include <asm/stage2.h>
#include <asm/timer.h>
#include <xam/errno.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <asm/vgic_hw.h>
#include <asm/vtimer.h>
#include <xam/gic.h>

struct pcpu pcpus[NR_CPUS];
unsigned nr_pcpus;
char boot_stacks[NR_CPUS][STACK_SIZE] __aligned(16);

void secondary_entry(void);
void secondary_main(unsigned id) __noreturn;
void cpu_bringup_el2(struct pcpu *c);
extern char el2_vectors[];

/* A secondary's answer to the boot CPU's ping: counted, and a ping back
 * wakes the boot CPU from its WFI (smp_boot_secondaries). The boot CPU's
 * own handler only counts. */
static void sgi_ping(unsigned intid __unused, void *arg __unused)
{
    __atomic_add_fetch(&this_cpu()->ipis, 1, __ATOMIC_RELEASE);
    if (this_cpu_id() != 0)
        irq_send_sgi(0, SGI_PING);
}

/* The GIC raises its maintenance interrupt when a vCPU's list registers
 * run low while more interrupts wait (we ask for it only then). */
static unsigned maint_intid;

static void gic_maintenance(unsigned intid __unused, void *arg __unused) { vgic_hw_maintenance(); }

static void sgi_stop(unsigned intid __unused, void *arg __unused)
{
    irq_disable();
    for (;;)
        wfi();
}

void cpu_bringup_el2(struct pcpu *c)
{
    write_sysreg(c, tpidr_el2);
    write_sysreg(el2_vectors, vbar_el2);
    cpufeature_cpu_init(c->id);
    /* Physical IRQs/FIQs/SErrors are the hypervisor's, whatever EL runs. */
    write_sysreg(HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO, hcr_el2);
    isb();
}

int smp_init_boot_cpu(const struct hostdt *h)
{
    uint64_t mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    struct pcpu *c = &pcpus[0];

    c->id = 0;
    c->mpidr = mpidr;
    nr_pcpus = 1;
    cpu_bringup_el2(c);
    for (unsigned i = 0; i < h->nr_cpus; i++)
        if (h->cpu_mpidr[i] == mpidr)
            return 0;
    return -XAM_ENOENT;
}

static int cpu_local_init(struct pcpu *c)
{
    int rc = gic_cpu_init(c);
    if (rc)
        return rc;
    timer_cpu_init();
    /* The same stage-2 layout for every domain: set once, not per load. */
    write_sysreg(stage2_vtcr(), vtcr_el2);
    isb();
    irq_enable_line(SGI_PING);
    irq_enable_line(SGI_CRASH);
    irq_enable_line(SGI_STOP);
    irq_enable_line(SGI_KICK);
    vtimer_cpu_init();
    if (maint_intid)
        irq_enable_line(maint_intid);
    return 0;
}

int cpu_boot_local_init(unsigned gic_maint_intid)
{
    int rc;
    if ((rc = irq_register(SGI_PING, sgi_ping, NULL)) || (rc = irq_register(SGI_STOP, sgi_stop, NULL)))
        return rc;
    if (gic_maint_intid && (rc = irq_register(gic_maint_intid, gic_maintenance, NULL)))
        return rc;
    maint_intid = gic_maint_intid;
    return cpu_local_init(&pcpus[0]);
}

void secondary_main(unsigned id)
{
    struct pcpu *c = &pcpus[id];
    cpu_bringup_el2(c);
    int rc = cpu_local_init(c);
    if (rc) {
        log_err("CPU%u: interrupt controller set-up failed (%d); parking it", id, rc);
        for (;;)
            wfi();
    }
    /* The boot CPU times us out if this hangs. */
    int64_t us = timer_selftest(TIMER_SELFTEST_US, true);
    if (us < 0)
        log_err("CPU%u: EL2 timer interrupt never arrived", id);
    else
        log_info("CPU%u: online, MPIDR 0x%llx, EL2 timer fired after %lld us", id, (unsigned long long)c->mpidr,
                 (long long)us);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    irq_send_sgi(0, SGI_PING); /* wakes the boot CPU's WFI */

    /* Sleep, answering IPIs and writing the console (the boot CPU's lines
     * while it builds domains), until the boot CPU starts the scheduler. */
    irq_enable_line(SGI_KICK);
    while (!sched_started()) {
        while (console_idle_pump() && !irq_pending())
            ;
        console_poll();
        uint64_t more = console_poll_deadline();
        if (more != UINT64_MAX)
            timer_set_deadline(more, NULL);
        wfi();
        console_idle_leave();
        irq_enable();
        isb();
        irq_disable();
    }
    sched_run();
}

/* The boot CPU waits for the others in WFI, woken by their SGIs (and by
 * its EL2 timer at the deadline the caller armed), interrupts masked: a
 * wake-up that comes before the WFI leaves its interrupt pending, so it is
 * not lost. Spinning, even on WFE, kept a host CPU busy on QEMU (its WFE
 * only yields): the secondaries' threads waited for it, and their 20 us
 * timer self-tests took up to 9 ms of wall time. */
static void doze(void)
{
    wfi();
    irq_enable();
    isb();
    irq_disable();
}

/* Until limit at the latest. Meanwhile the boot CPU writes the console:
 * what the UART's FIFO had no room for waits in the ring until a CPU
 * idles, and no other may be up yet (a CPU_ON that never starts its CPU
 * would keep the boot's lines back for the whole second); its timer
 * brings it back as the FIFO drains. */
static void doze_until(uint64_t limit)
{
    console_poll();
    timer_set_deadline(MIN(limit, console_poll_deadline()), NULL);
    doze();
}

static bool wait_until(volatile bool *flag, uint64_t limit)
{
    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
        if (counter_read() > limit)
            return false;
        doze_until(limit + 1);
    }
    return true;
}

unsigned smp_boot_secondaries(const struct hostdt *h)
{
    unsigned online = 1;

    mmu_prepare_secondary();
    /* Start them all, then wait: bring-up runs in parallel. */
    for (unsigned i = 0; i < h->nr_cpus; i++) {
        uint64_t mpidr = h->cpu_mpidr[i];
        if (mpidr == pcpus[0].mpidr)
            continue;
        if (nr_pcpus == NR_CPUS) {
            log_warn("CPU with MPIDR 0x%llx not started: this build supports %d CPUs", (unsigned long long)mpidr,
                     NR_CPUS);
            continue;
        }
        struct pcpu *c = &pcpus[nr_pcpus];
        c->id = nr_pcpus;
        c->mpidr = mpidr;
        nr_pcpus++;
        int rc = psci_cpu_on(mpidr, (paddr_t)(uintptr_t)secondary_entry, c->id);
        if (rc != PSCI_SUCCESS) {
            log_err("CPU%u (MPIDR 0x%llx): PSCI CPU_ON failed: %s (%d)", c->id, (unsigned long long)mpidr,
                    psci_error_name(rc), rc);
            c->start_failed = true;
        }
    }
    uint64_t limit = counter_read() + us_to_ticks(1000000);
    for (unsigned i = 1; i < nr_pcpus; i++) {
        struct pcpu *c = &pcpus[i];
        if (c->start_failed)
            continue;
        if (!wait_until(&c->online, limit)) {
            log_err("CPU%u (MPIDR 0x%llx): did not come online within 1 s", c->id, (unsigned long long)c->mpidr);
            continue;
        }
        online++;
    }

    /* Every online CPU must answer an SGI: the scheduler will depend on it.
     * All are sent, then all answers awaited (100 ms at most), each
     * answer pinging this CPU awake: one after the other took 1-3 ms each
     * on QEMU, whose SGI delivery and this CPU's waiting turns contend for
     * its big lock. */
    uint64_t before[NR_CPUS];
    for (unsigned i = 1; i < nr_pcpus; i++) {
        before[i] = __atomic_load_n(&pcpus[i].ipis, __ATOMIC_ACQUIRE);
        if (pcpus[i].online)
            irq_send_sgi(i, SGI_PING);
    }
    uint64_t deadline = counter_read() + us_to_ticks(100000);
    unsigned answered = 1;
    for (bool waiting = true; waiting && counter_read() < deadline;) {
        waiting = false;
        for (unsigned i = 1; i < nr_pcpus; i++)
            waiting |= pcpus[i].online && __atomic_load_n(&pcpus[i].ipis, __ATOMIC_ACQUIRE) == before[i];
        if (waiting)
            doze_until(deadline);
    }
    timer_cancel();
    for (unsigned i = 1; i < nr_pcpus; i++) {
        if (!pcpus[i].online)
            continue;
        if (__atomic_load_n(&pcpus[i].ipis, __ATOMIC_ACQUIRE) != before[i])
            answered++;
        else
            log_err("CPU%u: no answer to an inter-processor interrupt", i);
    }
    log_info("smp: %u of %u CPUs online, %u answered IPIs", online, h->nr_cpus, answered);
    return online;
}
