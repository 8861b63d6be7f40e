/* Probing addresses that may not exist (include/asm/probe.h). */
#include <asm/esr.h>
#include <asm/probe.h>
#include <asm/regs.h>

uint32_t probe_load32(uintptr_t va);
uint64_t probe_load64(uintptr_t va);
extern const char probe_load32_insn[], probe_load64_insn[];

static volatile bool probing, faulted;

bool probe_read32(paddr_t pa, uint32_t *val)
{
    faulted = false;
    probing = true;
    __asm__ volatile("" ::: "memory");
    uint32_t v = probe_load32((uintptr_t)pa);
    __asm__ volatile("" ::: "memory");
    probing = false;
    *val = faulted ? 0 : v;
    return !faulted;
}

bool probe_read64(paddr_t pa, uint64_t *val)
{
    faulted = false;
    probing = true;
    __asm__ volatile("" ::: "memory");
    uint64_t v = probe_load64((uintptr_t)pa);
    __asm__ volatile("" ::: "memory");
    probing = false;
    *val = faulted ? 0 : v;
    return !faulted;
}

bool probe_fixup(struct cpu_regs *regs)
{
    bool ours = regs->elr == (uintptr_t)probe_load32_insn || regs->elr == (uintptr_t)probe_load64_insn;
    if (!probing || !ours || esr_ec(regs->esr) != EC_DABT_CUR)
        return false;
    faulted = true;
    regs->elr += 4; /* the load leaves its register as it was: 0 is reported */
    return true;
}
