/* vCPU context: reset state, and loading/saving everything EL1 can see.
 * Non-VHE: EL2 uses none of the EL1 registers, so a switch is a plain copy
 * of all of them, with no lazy tricks to get wrong. */
#include <asm/cpufeature.h>
#include <asm/esr.h>
#include <asm/percpu.h>
#include <asm/stage2.h>
#include <asm/vgic_hw.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/domain.h>

/* An SVE domain's vCPU: its Z0-Z31, P0-P15 and FFR (sve.S) */
static inline void *sve_regs(const struct vcpu *v)
{
    return (char *)v->dom->sve_state + v->id * sve_state_size(v->dom->sve_bits);
}

void vcpu_arch_reset(struct vcpu *v, paddr_t entry, uint64_t x0)
{
    vcpu_arch_reset_state(&v->arch, entry, x0, v->id);
    v->arch.hcr |= cpufeature_guest_hcr();
    if (v->dom->sve_bits) /* nothing of its previous run */
        memset(sve_regs(v), 0, sve_state_size(v->dom->sve_bits));
}

/* CPTR_EL2.TZ traps EL2's own ZCR_EL1 accesses too: lifted around them */
#define CPTR_TZ (UL(1) << 8)
static inline void sve_untrap(void)
{
    write_sysreg(read_sysreg(cptr_el2) & ~CPTR_TZ, cptr_el2);
    isb();
}
static inline void sve_trap(void)
{
    write_sysreg(read_sysreg(cptr_el2) | CPTR_TZ, cptr_el2);
    isb();
}

/* An SVE domain's vCPU runs with CPTR_EL2.TZ clear (its SVE instructions
 * and ZCR_EL1 untrapped) and ZCR_EL2.LEN at its domain's vector length,
 * the longest it can choose with ZCR_EL1 (switched with the optional
 * registers). Its state is carried whole on every switch, as Xen does:
 * the Z registers replace the FP/SIMD file (V0-V31 are their low 128
 * bits). Out of line: other vCPUs pay one branch. */
static __attribute__((noinline)) void sve_switch_in(struct vcpu *v)
{
    write_sysreg(read_sysreg(cptr_el2) & ~CPTR_TZ, cptr_el2);
    write_sysreg(v->dom->sve_bits / 128 - 1, S3_4_C1_C2_0); /* ZCR_EL2 */
    isb();
    sve_load(sve_regs(v), &v->arch.fp);
}

static __attribute__((noinline)) void sve_switch_out(struct vcpu *v)
{
    sve_save(sve_regs(v), &v->arch.fp);
    sve_trap(); /* the next vCPU may be no SVE domain's */
}

/* The optional groups, out of line: most CPUs have none of them. */
static __attribute__((noinline)) void load_optional(const struct el1_sysregs *s, uint32_t what)
{
    if (what & CPUF_SWITCH_PAUTH) {
        write_sysreg(s->pauth[0], S3_0_C2_C1_0); /* APIAKeyLo_EL1 */
        write_sysreg(s->pauth[1], S3_0_C2_C1_1);
        write_sysreg(s->pauth[2], S3_0_C2_C1_2); /* APIBKeyLo_EL1 */
        write_sysreg(s->pauth[3], S3_0_C2_C1_3);
        write_sysreg(s->pauth[4], S3_0_C2_C2_0); /* APDAKeyLo_EL1 */
        write_sysreg(s->pauth[5], S3_0_C2_C2_1);
        write_sysreg(s->pauth[6], S3_0_C2_C2_2); /* APDBKeyLo_EL1 */
        write_sysreg(s->pauth[7], S3_0_C2_C2_3);
        write_sysreg(s->pauth[8], S3_0_C2_C3_0); /* APGAKeyLo_EL1 */
        write_sysreg(s->pauth[9], S3_0_C2_C3_1);
    }
    if (what & CPUF_SWITCH_TPIDR2)
        write_sysreg(s->tpidr2, S3_3_C13_C0_5);
    if (what & CPUF_SWITCH_VDISR)
        write_sysreg(s->vdisr, S3_4_C12_C1_1);
    if (what & CPUF_SWITCH_ZCR) {
        sve_untrap();
        write_sysreg(s->zcr, S3_0_C1_C2_0);
        sve_trap();
    }
}

static __attribute__((noinline)) void save_optional(struct el1_sysregs *s, uint32_t what)
{
    if (what & CPUF_SWITCH_PAUTH) {
        s->pauth[0] = read_sysreg(S3_0_C2_C1_0);
        s->pauth[1] = read_sysreg(S3_0_C2_C1_1);
        s->pauth[2] = read_sysreg(S3_0_C2_C1_2);
        s->pauth[3] = read_sysreg(S3_0_C2_C1_3);
        s->pauth[4] = read_sysreg(S3_0_C2_C2_0);
        s->pauth[5] = read_sysreg(S3_0_C2_C2_1);
        s->pauth[6] = read_sysreg(S3_0_C2_C2_2);
        s->pauth[7] = read_sysreg(S3_0_C2_C2_3);
        s->pauth[8] = read_sysreg(S3_0_C2_C3_0);
        s->pauth[9] = read_sysreg(S3_0_C2_C3_1);
    }
    if (what & CPUF_SWITCH_TPIDR2)
        s->tpidr2 = read_sysreg(S3_3_C13_C0_5);
    if (what & CPUF_SWITCH_VDISR)
        s->vdisr = read_sysreg(S3_4_C12_C1_1);
    if (what & CPUF_SWITCH_ZCR) {
        sve_untrap();
        s->zcr = read_sysreg(S3_0_C1_C2_0);
        sve_trap();
    }
}

void vcpu_arch_load(struct vcpu *v)
{
    const struct el1_sysregs *s = &v->arch.sys;
    /* Its stage 2 first: stage 2 stays on between vCPUs (see save), and
     * this vCPU's EL1 translation registers are never paired with another
     * domain's stage 2. */
    write_sysreg(stage2_vttbr(&v->dom->s2), vttbr_el2);
    isb();
    write_sysreg(s->sctlr, sctlr_el1);
    write_sysreg(s->actlr, actlr_el1);
    write_sysreg(s->cpacr, cpacr_el1);
    write_sysreg(s->ttbr0, ttbr0_el1);
    write_sysreg(s->ttbr1, ttbr1_el1);
    /* Only if it changed: QEMU's TCG flushes its whole TLB on every TCR
     * write, the hypervisor's own entries too (the same vCPU reloaded
     * after a WFI, or another Linux with the same value, need none). */
    if (read_sysreg(tcr_el1) != s->tcr)
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
    uint32_t optional = cpufeature_switch[this_cpu_id()];
    if (optional)
        load_optional(s, optional);
    vgic_hw_load(v);
    if (v->dom->sve_bits)
        sve_switch_in(v);
    else
        fpsimd_load(&v->arch.fp);

    write_sysreg(v->arch.hcr, hcr_el2);
    write_sysreg(cpufeature_mdcr[this_cpu_id()], mdcr_el2);
    isb();
}

void vcpu_arch_trap_wfx(struct vcpu_arch *a, bool trap)
{
    a->hcr = trap ? a->hcr | HCR_TWI | HCR_TWE : a->hcr & ~(HCR_TWI | HCR_TWE);
    write_sysreg(a->hcr, hcr_el2); /* the entry's ERET makes it take effect */
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
    if (v->dom->sve_bits)
        sve_switch_out(v);
    else
        fpsimd_save(&v->arch.fp);
    uint32_t optional = cpufeature_switch[this_cpu_id()];
    if (optional)
        save_optional(s, optional);
    /* A descheduled vCPU's timer must not fire into the next guest. */
    write_sysreg(0, cntv_ctl_el0);
    vgic_hw_save(v);
    /* The host's traps, with stage 2 left on, as Xen leaves it: it only
     * translates EL1 and EL0, which do not run until the next load (which
     * sets VTTBR_EL2 first). Turning VM off and on again at every switch
     * cost QEMU's TCG two flushes of its whole TLB, the hypervisor's own
     * entries too. */
    write_sysreg(HCR_VM | HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO, hcr_el2);
    isb();
}

void vcpu_arch_enter(struct vcpu_arch *a)
{
    a->exit = guest_enter(&a->regs);
    a->esr = read_sysreg(esr_el2);
    a->far = read_sysreg(far_el2);
    a->hpfar = read_sysreg(hpfar_el2);
}

/* The vCPU's EL1 registers are live on this CPU: the exception's state
 * goes straight into them. */
void vcpu_arch_inject_dabt(struct vcpu_arch *a, uint64_t far, bool write)
{
    struct vcpu_el1_exception e = vcpu_arch_take_dabt(a, write, read_sysreg(vbar_el1), read_sysreg(sctlr_el1));
    write_sysreg(e.elr, elr_el1);
    write_sysreg(e.spsr, spsr_el1);
    write_sysreg(e.esr, esr_el1);
    write_sysreg(far, far_el1);
}

void vcpu_arch_inject_iabt(struct vcpu_arch *a)
{
    uint64_t far = a->regs.pc;
    struct vcpu_el1_exception e = vcpu_arch_take_iabt(a, read_sysreg(vbar_el1), read_sysreg(sctlr_el1));
    write_sysreg(e.elr, elr_el1);
    write_sysreg(e.spsr, spsr_el1);
    write_sysreg(e.esr, esr_el1);
    write_sysreg(far, far_el1);
}

bool vcpu_arch_pc_in_vectors(const struct vcpu_arch *a)
{
    uint64_t vbar = read_sysreg(vbar_el1);
    return a->regs.pc >= vbar && a->regs.pc - vbar < 0x800;
}

void vcpu_arch_inject_undef(struct vcpu_arch *a)
{
    struct vcpu_el1_exception e = vcpu_arch_take_undef(a, read_sysreg(vbar_el1), read_sysreg(sctlr_el1));
    write_sysreg(e.elr, elr_el1);
    write_sysreg(e.spsr, spsr_el1);
    write_sysreg(e.esr, esr_el1);
}
