/* What happens when a guest traps to EL2. One switch on ESR_EL2.EC; data
 * aborts are decoded once into a struct mmio_access and handed to the
 * device that owns the address; the PC is advanced in one place.
 *
 * Guest-fault policy: an access to an address the guest has neither RAM nor
 * a device at, an abort whose syndrome does not describe the access (ISV=0),
 * an unexpected system-register trap or any other exception we do not
 * emulate stops that domain with a log line naming it, the address and the
 * syndrome. Other domains and the hypervisor go on. */
#include <asm/percpu.h>
#include <asm/sysreg.h>
#include <asm/traps.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/hypercall.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <xam/vpsci.h>
#include <xam/xen_abi.h>

#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_DABT_LOW 0x24
#define ESR_IL (1u << 25)


static void advance_pc(struct vcpu *v)
{
    v->arch.regs.pc += (v->arch.esr & ESR_IL) ? 4 : 2;
}

static bool guest_fault(struct vcpu *v, const char *what, uint64_t addr)
{
    unsigned ec = ESR_EC(v->arch.esr);
    log_warn("%s: vCPU%u: %s at 0x%llx (%s, ESR 0x%llx, PC 0x%llx): domain stopped", v->dom->name, v->id,
             what, (unsigned long long)addr, esr_class_name(ec), (unsigned long long)v->arch.esr,
             (unsigned long long)v->arch.regs.pc);
    domain_shutdown(v->dom, "crashed");
    return false;
}

static bool handle_dabt(struct vcpu *v)
{
    uint64_t esr = v->arch.esr;
    paddr_t ipa = ((v->arch.hpfar >> 4) << 12) | (v->arch.far & 0xfff);

    if (!(esr & (1u << 24)))
        return guest_fault(v, "data abort without a valid syndrome (ISV=0)", ipa);
    struct domain *d = v->dom;
    const struct mmio_region *r = NULL;
    for (unsigned i = 0; i < d->nr_mmio; i++)
        if (ipa >= d->mmio[i].base && ipa - d->mmio[i].base < d->mmio[i].size)
            r = &d->mmio[i];
    if (!r)
        return guest_fault(v, (esr & (1u << 6)) ? "write to unmapped guest address" : "read of unmapped guest address", ipa);

    unsigned sas = (esr >> 22) & 3, srt = (esr >> 16) & 0x1f;
    struct mmio_access a = { .ipa = ipa, .size = 1u << sas, .write = (esr >> 6) & 1 };
    if (a.write)
        a.value = srt == 31 ? 0 : v->arch.regs.x[srt] & (sas == 3 ? ~0ULL : (1ULL << (8 << sas)) - 1);
    if (r->handle(v, &a, r->dev))
        return guest_fault(v, "emulated device refused the access", ipa);
    if (!a.write && srt != 31) {
        uint64_t val = a.value;
        if (sas < 3)
            val &= (1ULL << (8 << sas)) - 1;
        if ((esr >> 21) & 1 && sas < 3) { /* SSE: sign-extend */
            uint64_t sign = 1ULL << ((8 << sas) - 1);
            val = (val ^ sign) - sign;
            if (!((esr >> 15) & 1)) /* SF=0: a W register */
                val &= 0xffffffffULL;
        }
        v->arch.regs.x[srt] = val;
    }
    advance_pc(v);
    return true;
}

/* ESR ISS for EC 0x18: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5]
 * CRm[4:1] dir[0] (1 = read). */
#define SYSREG_ISS(op0, op1, crn, crm, op2) ((op0) << 20 | (op2) << 17 | (op1) << 14 | (crn) << 10 | (crm) << 1)
#define SYSREG_MASK SYSREG_ISS(3, 7, 15, 15, 7)
#define ICC_SGI1R SYSREG_ISS(3, 0, 12, 11, 5)
#define ICC_ASGI1R SYSREG_ISS(3, 0, 12, 11, 6)
#define ICC_SGI0R SYSREG_ISS(3, 0, 12, 11, 7)

static bool handle_sysreg(struct vcpu *v)
{
    uint64_t esr = v->arch.esr;
    unsigned rt = (esr >> 5) & 0x1f;
    bool read = esr & 1;
    uint64_t reg = esr & SYSREG_MASK;
    if (!read && (reg == ICC_SGI1R || reg == ICC_ASGI1R || reg == ICC_SGI0R) && vgic_hw_version() == 3) {
        vgic_send_sgi(v, rt == 31 ? 0 : v->arch.regs.x[rt]);
        advance_pc(v);
        return true;
    }
    /* PMU (op0 3: CRn 9 with op1 0 or 3, PMCR, PMCCNTR...; CRn 14 with op1 3
     * and CRm 8-15, PMEVCNTR/PMEVTYPER, not the timers at CRm 0-3) and
     * debug (op0 2) registers are the hardware's, shared by every domain:
     * MDCR_EL2 traps them and guests see them read as zero, writes ignored
     * (no PMU or debug for guests, as their device trees say). */
    unsigned op0 = (esr >> 20) & 3, op1 = (esr >> 14) & 7, crn = (esr >> 10) & 0xf, crm = (esr >> 1) & 0xf;
    if (op0 == 2 || (op0 == 3 && ((crn == 9 && (op1 == 0 || op1 == 3)) || (crn == 14 && op1 == 3 && crm >= 8)))) {
        if (read && rt != 31)
            v->arch.regs.x[rt] = 0;
        advance_pc(v);
        return true;
    }
    return guest_fault(v, "trapped system register access", v->arch.regs.pc);
}

static bool handle_sync(struct vcpu *v)
{
    uint64_t esr = v->arch.esr;
    switch (ESR_EC(esr)) {
    case EC_WFX:
        advance_pc(v);
        if (esr & 1) /* WFE: just give others a turn */
            return true;
        return sched_block(v);
    case EC_HVC64:
        if ((esr & 0xffff) == 0)
            return vpsci_call(v);
        if ((esr & 0xffff) == XEN_HYPERCALL_TAG)
            return hypercall_dispatch(v);
        v->arch.regs.x[0] = (uint64_t)-1;
        return true;
    case EC_SMC64:
        advance_pc(v); /* a trapped SMC leaves ELR at the SMC itself */
        if ((esr & 0xffff) == 0)
            return vpsci_call(v);
        v->arch.regs.x[0] = (uint64_t)-1;
        return true;
    case EC_DABT_LOW:
        return handle_dabt(v);
    case EC_SYSREG:
        return handle_sysreg(v);
    default:
        return guest_fault(v, "unhandled exception", v->arch.far);
    }
}

bool vcpu_arch_run(struct vcpu *v)
{
    vgic_hw_flush(v);
    enum guest_exit e = guest_enter(&v->arch.regs);
    v->arch.esr = read_sysreg(esr_el2);
    v->arch.far = read_sysreg(far_el2);
    v->arch.hpfar = read_sysreg(hpfar_el2);
    vgic_hw_sync(v);

    switch (e) {
    case GUEST_EXIT_IRQ:
        irq_handle(NULL);
        return true;
    case GUEST_EXIT_SYNC:
        return handle_sync(v);
    default:
        return guest_fault(v, "SError", v->arch.far);
    }
}
