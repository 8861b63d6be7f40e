/* The architectural state of a virtual CPU: what is saved and restored on
 * every switch. Full EL1 context, FP/SIMD and the virtual timer. */
#ifndef ASM_VCPU_ARCH_H
#define ASM_VCPU_ARCH_H

#include <asm/esr.h>
#include <asm/guest.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/vaffinity.h>

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
#define PSTATE_EL1H_MASKED 0x3c5 /* D, A, I, F masked; EL1 with SP_EL1 */
#define PSTATE_MODE_MASK 0xfULL
#define PSTATE_EL1T 0x4ULL
#define ESR_DFSC_SYNC_EXTERNAL 0x10
#define ESR_WNR (1ULL << 6)

/* Traps chosen for guests (see docs/architecture.md): stage 2 on; physical
 * IRQ/FIQ/SError to EL2; TLB and barrier broadcast inner-shareable (a vCPU
 * may move between CPUs); WFI trapped so a waiting vCPU frees its CPU; SMC
 * trapped (it is PSCI, or refused); EL1 is AArch64. */
#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | HCR_TSC | HCR_RW)

/* The power-on state of vCPU id: EL1h, interrupts masked, MMU off, PC =
 * entry, x0 = arg. Pure: the arm64 code and the fake architecture share
 * it, so host tests see the real reset. */
static inline void vcpu_arch_reset_state(struct vcpu_arch *a, paddr_t entry, uint64_t x0, unsigned id)
{
    memset(a, 0, sizeof(*a));
    a->regs.pc = entry;
    a->regs.pstate = PSTATE_EL1H_MASKED;
    a->regs.x[0] = x0;
    a->sys.sctlr = SCTLR_EL1_RES1;
    /* Affinity: Xen's for vCPU n (xam/vaffinity.h); bit 31 RES1. */
    a->sys.vmpidr = (1ULL << 31) | vaffinity(id);
    a->hcr = HCR_GUEST;
}

/* What the CPU does taking a synchronous external abort on a data access
 * to EL1 (Arm ARM D1.10): the PC to the vector for where it came from,
 * PSTATE to EL1h with DAIF masked; the caller puts the returned syndrome
 * and return state into ESR/ELR/SPSR_EL1 (and the address into FAR_EL1).
 * Pure, shared with the fake architecture. */
struct vcpu_el1_exception {
    uint64_t esr, elr, spsr;
};
static inline struct vcpu_el1_exception vcpu_arch_take_dabt(struct vcpu_arch *a, bool write, uint64_t vbar)
{
    uint64_t mode = a->regs.pstate & PSTATE_MODE_MASK;
    bool from_el0 = mode == 0;
    struct vcpu_el1_exception e = {
        .esr = (uint64_t)(from_el0 ? EC_DABT_LOW : EC_DABT_CUR) << 26 | 1ULL << 25 /* IL */ | (write ? ESR_WNR : 0) |
            ESR_DFSC_SYNC_EXTERNAL,
        .elr = a->regs.pc,
        .spsr = a->regs.pstate,
    };
    a->regs.pstate = PSTATE_EL1H_MASKED;
    a->regs.pc = vbar + (from_el0 ? 0x400 : mode == PSTATE_EL1T ? 0x000 : 0x200);
    return e;
}

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
