/* vCPU context: reset state, and loading/saving everything EL1 can see.
 * Non-VHE: EL2 uses none of the EL1 registers, so a switch is a plain copy
 * of all of them, with no lazy tricks to get wrong. */
#include <asm/esr.h>
#include <asm/percpu.h>
#include <asm/stage2.h>
#include <asm/vgic_hw.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/domain.h>

#define PSTATE_EL1H_MASKED 0x3c5 /* D, A, I, F masked; EL1 with SP_EL1 */

/* Traps chosen for guests (see docs/architecture.md): stage 2 on; physical
 * IRQ/FIQ/SError to EL2; TLB and barrier broadcast inner-shareable (a vCPU
 * may move between CPUs); WFI trapped so a waiting vCPU frees its CPU; SMC
 * trapped (it is PSCI, or refused); EL1 is AArch64. */
#define HCR_GUEST                                                                                  \
    (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | HCR_TSC |    \
     HCR_RW)

void vcpu_arch_reset(struct vcpu *v, paddr_t entry, uint64_t x0)
{
    struct vcpu_arch *a = &v->arch;
    memset(a, 0, sizeof(*a));
    a->regs.pc = entry;
    a->regs.pstate = PSTATE_EL1H_MASKED;
    a->regs.x[0] = x0;
    a->sys.sctlr = SCTLR_EL1_RES1;
    /* Affinity: vCPU n is Aff0 = n (as Xen for up to 16 vCPUs); bit 31 RES1. */
    a->sys.vmpidr = (1ULL << 31) | v->id;
    a->hcr = HCR_GUEST;
}

void vcpu_arch_load(struct vcpu *v)
{
    const struct el1_sysregs *s = &v->arch.sys;
    write_sysreg(s->sctlr, sctlr_el1);
    write_sysreg(s->actlr, actlr_el1);
    write_sysreg(s->cpacr, cpacr_el1);
    write_sysreg(s->ttbr0, ttbr0_el1);
    write_sysreg(s->ttbr1, ttbr1_el1);
    write_sysreg(s->tcr, tcr_el1);
    write_sysreg(s->esr, esr_el1);
    write_sysreg(s->afsr0, afsr0_el1);
    write_sysreg(s->afsr1, afsr1_el1);
    write_sysreg(s->far, far_el1);
    write_sysreg(s->mair, mair_el1);
    write_sysreg(s->amair, amair_el1);
    write_sysreg(s->vbar, vbar_el1);
    write_sysreg(s->contextidr, contextidr_el1);
    write_sysreg(s->tpidr_el0, tpidr_el0);
    write_sysreg(s->tpidrro_el0, tpidrro_el0);
    write_sysreg(s->tpidr_el1, tpidr_el1);
    write_sysreg(s->par, par_el1);
    write_sysreg(s->sp_el0, sp_el0);
    write_sysreg(s->sp_el1, sp_el1);
    write_sysreg(s->elr, elr_el1);
    write_sysreg(s->spsr, spsr_el1);
    write_sysreg(s->cntkctl, cntkctl_el1);
    write_sysreg(s->csselr, csselr_el1);
    write_sysreg(s->mdscr, mdscr_el1);
    write_sysreg(s->vmpidr, vmpidr_el2);
    write_sysreg(read_sysreg(midr_el1), vpidr_el2);
    write_sysreg(v->dom->cntvoff, cntvoff_el2);
    write_sysreg(s->cntv_cval, cntv_cval_el0);
    write_sysreg(s->cntv_ctl, cntv_ctl_el0);
    vgic_hw_load(v);
    fpsimd_load(&v->arch.fp);

    write_sysreg(stage2_vtcr(), vtcr_el2);
    write_sysreg(stage2_vttbr(&v->dom->s2), vttbr_el2);
    write_sysreg(v->arch.hcr, hcr_el2);
    write_sysreg(MDCR_GUEST, mdcr_el2);
    isb();
}

void vcpu_arch_save(struct vcpu *v)
{
    struct el1_sysregs *s = &v->arch.sys;
    s->sctlr = read_sysreg(sctlr_el1);
    s->actlr = read_sysreg(actlr_el1);
    s->cpacr = read_sysreg(cpacr_el1);
    s->ttbr0 = read_sysreg(ttbr0_el1);
    s->ttbr1 = read_sysreg(ttbr1_el1);
    s->tcr = read_sysreg(tcr_el1);
    s->esr = read_sysreg(esr_el1);
    s->afsr0 = read_sysreg(afsr0_el1);
    s->afsr1 = read_sysreg(afsr1_el1);
    s->far = read_sysreg(far_el1);
    s->mair = read_sysreg(mair_el1);
    s->amair = read_sysreg(amair_el1);
    s->vbar = read_sysreg(vbar_el1);
    s->contextidr = read_sysreg(contextidr_el1);
    s->tpidr_el0 = read_sysreg(tpidr_el0);
    s->tpidrro_el0 = read_sysreg(tpidrro_el0);
    s->tpidr_el1 = read_sysreg(tpidr_el1);
    s->par = read_sysreg(par_el1);
    s->sp_el0 = read_sysreg(sp_el0);
    s->sp_el1 = read_sysreg(sp_el1);
    s->elr = read_sysreg(elr_el1);
    s->spsr = read_sysreg(spsr_el1);
    s->cntkctl = read_sysreg(cntkctl_el1);
    s->csselr = read_sysreg(csselr_el1);
    s->mdscr = read_sysreg(mdscr_el1);
    s->cntv_ctl = read_sysreg(cntv_ctl_el0);
    s->cntv_cval = read_sysreg(cntv_cval_el0);
    /* A descheduled vCPU's timer must not fire into the next guest. */
    write_sysreg(0, cntv_ctl_el0);
    fpsimd_save(&v->arch.fp);
    vgic_hw_save(v);
    /* Back to the host's view: no stage 2, host traps. */
    write_sysreg(HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO, hcr_el2);
    isb();
}

void vcpu_arch_enter(struct vcpu_arch *a)
{
    a->exit = guest_enter(&a->regs);
    a->esr = read_sysreg(esr_el2);
    a->far = read_sysreg(far_el2);
    a->hpfar = read_sysreg(hpfar_el2);
}

#define PSTATE_MODE_MASK 0xfULL
#define PSTATE_EL1T 0x4ULL
#define PSTATE_EL1H 0x5ULL
#define ESR_DFSC_SYNC_EXTERNAL 0x10
#define ESR_WNR (1ULL << 6)

/* What the CPU does taking a synchronous exception to EL1 (Arm ARM
 * D1.10): the return state into ELR/SPSR_EL1, the syndrome into
 * ESR/FAR_EL1, PSTATE to EL1h with DAIF masked, the PC to the vector for
 * where it came from. The vCPU's EL1 registers are live on this CPU. */
void vcpu_arch_inject_dabt(struct vcpu_arch *a, uint64_t far, bool write)
{
    uint64_t mode = a->regs.pstate & PSTATE_MODE_MASK;
    bool from_el0 = mode == 0;
    uint64_t esr = (uint64_t)(from_el0 ? EC_DABT_LOW : EC_DABT_CUR) << 26 | 1ULL << 25 /* IL */ |
                   (write ? ESR_WNR : 0) | ESR_DFSC_SYNC_EXTERNAL;
    uint64_t offset = from_el0 ? 0x400 : mode == PSTATE_EL1T ? 0x000 : 0x200;
    write_sysreg(a->regs.pc, elr_el1);
    write_sysreg(a->regs.pstate, spsr_el1);
    write_sysreg(esr, esr_el1);
    write_sysreg(far, far_el1);
    a->regs.pstate = PSTATE_EL1H_MASKED;
    a->regs.pc = read_sysreg(vbar_el1) + offset;
}
