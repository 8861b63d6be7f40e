/* Probing addresses that may not exist (include/asm/probe.h). The state is
 * per CPU: the allocator reads RAM on whichever CPU allocates. */
#include <asm/esr.h>
#include <asm/percpu.h>
#include <asm/probe.h>
#include <asm/regs.h>

uint32_t probe_load32(uintptr_t va);
uint64_t probe_load64(uintptr_t va);
extern const char probe_load32_insn[], probe_load64_insn[];

static volatile bool probing[NR_CPUS], faulted[NR_CPUS];

/* Before smp_init_boot_cpu() sets TPIDR_EL2, only the boot CPU runs. */
static unsigned cpu(void) { return read_sysreg(tpidr_el2) ? this_cpu_id() : 0; }

bool probe_read32(paddr_t pa, uint32_t *val)
{
    unsigned c = cpu();
    faulted[c] = false;
    probing[c] = true;
    __asm__ volatile("" ::: "memory");
    uint32_t v = probe_load32((uintptr_t)pa);
    __asm__ volatile("" ::: "memory");
    probing[c] = false;
    *val = faulted[c] ? 0 : v;
    return !faulted[c];
}

bool probe_read64(paddr_t pa, uint64_t *val)
{
    unsigned c = cpu();
    faulted[c] = false;
    probing[c] = true;
    __asm__ volatile("" ::: "memory");
    uint64_t v = probe_load64((uintptr_t)pa);
    __asm__ volatile("" ::: "memory");
    probing[c] = false;
    *val = faulted[c] ? 0 : v;
    return !faulted[c];
}

bool probe_fixup(struct cpu_regs *regs)
{
    unsigned c = cpu();
    bool ours = regs->elr == (uintptr_t)probe_load32_insn || regs->elr == (uintptr_t)probe_load64_insn;
    if (!probing[c] || !ours || esr_ec(regs->esr) != EC_DABT_CUR)
        return false;
    faulted[c] = true;
    regs->elr += 4; /* the load leaves its register as it was: 0 is reported */
    return true;
}
