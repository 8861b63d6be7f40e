/* The architectural state of a virtual CPU: what is saved and restored on
 * every switch. Full EL1 context, FP/SIMD and the virtual timer. */
#ifndef ASM_VCPU_ARCH_H
#define ASM_VCPU_ARCH_H

#include <asm/guest.h>

struct el1_sysregs {
    uint64_t sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, esr, afsr0, afsr1, far, mair, amair;
    uint64_t vbar, contextidr, tpidr_el0, tpidrro_el0, tpidr_el1, par, sp_el0, sp_el1;
    uint64_t elr, spsr, cntkctl, csselr, mdscr;
    uint64_t cntv_ctl, cntv_cval;
    uint64_t vmpidr;
};

struct fpsimd_state {
    __uint128_t q[32];
    uint32_t fpsr, fpcr;
} __attribute__((aligned(16)));

struct vcpu_arch {
    struct guest_regs regs; /* first: guest_entry.S relies on it */
    struct el1_sysregs sys;
    struct fpsimd_state fp;
    uint64_t hcr;
    /* the GIC virtual CPU interface's state (VMCR, active priorities),
     * saved while descheduled */
    struct {
        uint32_t vmcr;
        uint32_t ap1r[4];
    } gic;
    /* last exit */
    enum guest_exit exit;
    uint64_t esr, far, hpfar;
};

struct vcpu;
struct domain;

/* Reset state: EL1h, interrupts masked, MMU off, PC = entry, x0 = arg. */
void vcpu_arch_reset(struct vcpu *v, paddr_t entry, uint64_t x0);
/* Load the vCPU's state into this CPU / save it back. */
void vcpu_arch_load(struct vcpu *v);
void vcpu_arch_save(struct vcpu *v);
/* Run the loaded vCPU until its next exit; record why in a->exit, esr,
 * far, hpfar. */
void vcpu_arch_enter(struct vcpu_arch *a);
/* Give the loaded vCPU a synchronous external abort on a data access at
 * virtual address far, taken to its EL1 vector as hardware would. */
void vcpu_arch_inject_dabt(struct vcpu_arch *a, uint64_t far, bool write);

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

#endif
