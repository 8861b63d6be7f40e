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
    /* optional groups (asm/cpufeature.h: where the CPUs have them) */
    uint64_t pauth[10]; /* APIA, APIB, APDA, APDB, APGA keys: Lo, Hi */
    uint64_t tpidr2, vdisr, zcr;
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
#define PSTATE_NRW (1ULL << 4) /* AArch32 */
#define PSTATE_PAN (1ULL << 22)
#define PSTATE_SSBS (1ULL << 12)
#define SCTLR_EL1_SPAN (1ULL << 23)
#define SCTLR_EL1_DSSBS (1ULL << 44)
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
 * to EL1 (Arm ARM D1.10): the PC to the vector for where it came from
 * (EL1t, EL1h, AArch64 or AArch32 EL0), PSTATE to EL1h with DAIF masked
 * (and PAN, SSBS as SCTLR_EL1 says); the caller puts the returned syndrome
 * and return state into ESR/ELR/SPSR_EL1 (and the address into FAR_EL1).
 * Pure, shared with the fake architecture. */
struct vcpu_el1_exception {
    uint64_t esr, elr, spsr;
};
/* The offset of the EL1 vector a synchronous exception from pstate takes:
 * current EL with SP_EL0 or SP_EL1, lower EL in AArch64 or AArch32. */
static inline uint64_t vcpu_arch_sync_vector(uint64_t pstate)
{
    if (pstate & PSTATE_NRW)
        return 0x600;
    uint64_t mode = pstate & PSTATE_MODE_MASK;
    return mode == 0 ? 0x400 : mode == PSTATE_EL1T ? 0x000 : 0x200;
}

/* PSTATE after taking an exception to EL1: EL1h, DAIF masked, PAN set
 * unless SCTLR_EL1.SPAN, SSBS as SCTLR_EL1.DSSBS says. */
static inline uint64_t vcpu_arch_el1_entry_pstate(uint64_t sctlr)
{
    return PSTATE_EL1H_MASKED | (sctlr & SCTLR_EL1_SPAN ? 0 : PSTATE_PAN) | (sctlr & SCTLR_EL1_DSSBS ? PSTATE_SSBS : 0);
}

static inline struct vcpu_el1_exception vcpu_arch_take_dabt(struct vcpu_arch *a, bool write, uint64_t vbar,
                                                            uint64_t sctlr)
{
    uint64_t mode = a->regs.pstate & PSTATE_MODE_MASK;
    bool from_el0 = mode == 0 || (a->regs.pstate & PSTATE_NRW);
    struct vcpu_el1_exception e = {
        .esr = (uint64_t)(from_el0 ? EC_DABT_LOW : EC_DABT_CUR) << 26 | 1ULL << 25 /* IL */ | (write ? ESR_WNR : 0) |
            ESR_DFSC_SYNC_EXTERNAL,
        .elr = a->regs.pc,
        .spsr = a->regs.pstate,
    };
    a->regs.pc = vbar + vcpu_arch_sync_vector(a->regs.pstate);
    a->regs.pstate = vcpu_arch_el1_entry_pstate(sctlr);
    return e;
}

/* A synchronous external abort on the instruction fetch at the vCPU's PC
 * (a prefetch abort, as Xen injects for a fetch from nothing): ELR_EL1 and
 * FAR_EL1 the PC itself. */
static inline struct vcpu_el1_exception vcpu_arch_take_iabt(struct vcpu_arch *a, uint64_t vbar, uint64_t sctlr)
{
    uint64_t mode = a->regs.pstate & PSTATE_MODE_MASK;
    bool from_el0 = mode == 0 || (a->regs.pstate & PSTATE_NRW);
    struct vcpu_el1_exception e = {
        .esr = (uint64_t)(from_el0 ? EC_IABT_LOW : EC_IABT_CUR) << 26 | 1ULL << 25 /* IL */ | ESR_DFSC_SYNC_EXTERNAL,
        .elr = a->regs.pc,
        .spsr = a->regs.pstate,
    };
    a->regs.pc = vbar + vcpu_arch_sync_vector(a->regs.pstate);
    a->regs.pstate = vcpu_arch_el1_entry_pstate(sctlr);
    return e;
}

/* An undefined instruction exception (EC 0) at the vCPU's PC, as a CPU
 * without the feature the instruction uses takes it: ESR_EL1 says only
 * that (IL set), ELR_EL1 is the instruction itself. */
static inline struct vcpu_el1_exception vcpu_arch_take_undef(struct vcpu_arch *a, uint64_t vbar, uint64_t sctlr)
{
    struct vcpu_el1_exception e = {
        .esr = (uint64_t)EC_UNKNOWN << 26 | 1ULL << 25 /* IL */,
        .elr = a->regs.pc,
        .spsr = a->regs.pstate,
    };
    a->regs.pc = vbar + vcpu_arch_sync_vector(a->regs.pstate);
    a->regs.pstate = vcpu_arch_el1_entry_pstate(sctlr);
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
/* Give the loaded vCPU a prefetch abort (synchronous external) at its PC. */
void vcpu_arch_inject_iabt(struct vcpu_arch *a);
/* Whether the loaded vCPU's PC is in its own EL1 vector table (VBAR_EL1,
 * 2 KiB): an exception taken there from a fetch would come back to it. */
bool vcpu_arch_pc_in_vectors(const struct vcpu_arch *a);
/* Give the loaded vCPU an undefined instruction exception at its PC. */
void vcpu_arch_inject_undef(struct vcpu_arch *a);
/* Whether the loaded vCPU's WFI and WFE trap (HCR_EL2.TWI, TWE): only
 * while another vCPU waits for its CPU (core/sched.c says why, and calls
 * this only when the answer changes). */
void vcpu_arch_trap_wfx(struct vcpu_arch *a, bool trap);

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

/* The SVE state of one vCPU of a domain with bits-long vectors (Xen's
 * sve): Z0-Z31, P0-P15 and FFR, as arch/arm64/sve.S lays them out;
 * FPSR/FPCR stay in struct fpsimd_state, ZCR_EL1 in el1_sysregs. */
static inline size_t sve_state_size(unsigned bits) { return (size_t)bits / 8 * 32 + (size_t)bits / 64 * 17; }
/* With CPTR_EL2.TZ clear and ZCR_EL2 at the domain's length (sve.S). */
void sve_save(void *regs, struct fpsimd_state *fp);
void sve_load(const void *regs, const struct fpsimd_state *fp);

#endif
