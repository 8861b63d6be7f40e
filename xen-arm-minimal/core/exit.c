/* What happens when a guest traps to EL2: one table indexed by exception
 * class; data aborts decoded once, by named syndrome fields, into a
 * struct mmio_access for the region's owner; system registers and calls
 * looked up in what their owners registered (core/emul.c). The trap code
 * names no device.
 *
 * Guest-fault policy (docs/domains.md): an access the owning device
 * refuses (EMUL_FAULT: a width, alignment or register it does not allow)
 * and a data access to an address with neither RAM nor a device (Xen's
 * trap-unmapped-accesses default) get a synchronous external abort
 * injected, as hardware answers; a register or instruction of a CPU
 * feature guests are not shown (EMUL_UNDEF, SVE without sve, SME, pointer
 * auth while hidden) gets an undefined instruction, as a CPU without it
 * answers; an instruction fetch from nothing or from a never-executable
 * page gets a prefetch abort, as Xen injects; an abort on a device whose
 * syndrome does not describe the access (ISV=0), an unexpected system register or an
 * exception we do not emulate stops that domain, with a log line naming
 * it, the address and the syndrome. */
#include <asm/esr.h>
#include <asm/guest_mem.h>
#include <asm/traps.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/evtchn.h>
#include <xam/exit.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/p2m.h>
#include <xam/sched.h>

static void advance_pc(struct vcpu *v) { v->arch.regs.pc += esr_il(v->arch.esr) ? 4 : 2; }

static void guest_fault(struct vcpu *v, const char *what, uint64_t addr)
{
    log_warn("%s: vCPU%u: %s at 0x%llx (%s, ESR 0x%llx, PC 0x%llx): domain stopped", v->dom->name, v->id, what,
             (unsigned long long)addr, esr_class_name(esr_ec(v->arch.esr)), (unsigned long long)v->arch.esr,
             (unsigned long long)v->arch.regs.pc);
    domain_shutdown(v->dom, "crashed");
}

/* The first refusal of a domain is logged (with what was refused) as a
 * warning, later ones only at debug level: a guest must not flood the
 * console. The level for the one being made. */
static enum log_level refusal_level(struct domain *d)
{
    return __atomic_fetch_add(&d->refusals, 1, __ATOMIC_RELAXED) == 0 ? LOG_WARN : LOG_DEBUG;
}

static void refused(struct vcpu *v, const char *region, const struct mmio_access *a)
{
    log_msg(refusal_level(v->dom),
            "%s: vCPU%u: %u-byte %s of %s at 0x%llx refused (width or alignment not allowed): abort injected",
            v->dom->name, v->id, a->size, a->write ? "write" : "read", region, (unsigned long long)a->ipa);
}

/* An access to an address with neither RAM nor a device: logged as a
 * refusal is (first one a warning, then debug). */
static void unmapped(struct vcpu *v, paddr_t ipa, bool write)
{
    log_msg(refusal_level(v->dom), "%s: vCPU%u: %s unmapped guest address at 0x%llx (PC 0x%llx): abort injected",
            v->dom->name, v->id, write ? "write to" : "read of", (unsigned long long)ipa,
            (unsigned long long)v->arch.regs.pc);
}

static void set_reg(struct vcpu *v, unsigned reg, uint64_t val)
{
    if (reg != 31) /* XZR */
        v->arch.regs.x[reg] = val;
}

/* A read's value into its register: only size bytes, sign-extended when
 * the instruction asked (SSE), to 32 bits for a W register (SF=0). */
static uint64_t read_result(uint64_t val, unsigned size, bool sse, bool sf)
{
    if (size < 8)
        val &= (1ULL << (8 * size)) - 1;
    if (sse && size < 8) {
        uint64_t sign = 1ULL << (8 * size - 1);
        val = (val ^ sign) - sign;
        if (!sf)
            val &= 0xffffffffULL;
    }
    return val;
}

static inline void finish_mmio(struct vcpu *v, const struct mmio_access *a, unsigned reg, bool sse, bool sf)
{
    if (!a->write)
        set_reg(v, reg, read_result(a->value, a->size, sse, sf));
    advance_pc(v);
}

static void exit_dabt(struct vcpu *v)
{
    uint64_t esr = v->arch.esr;
    paddr_t ipa;
    if (!guest_abort_ipa(v, &ipa))
        return; /* its own tables changed under it: tried again */
    const struct mmio_region *r = emul_mmio_find(&v->dom->mmio, ipa);
    /* the first touch of a chunk of its RAM (core/guest_ram.c), or
     * another CPU was changing this page's mapping (core/p2m.c): the
     * access is retried once it is there */
    if (!r &&
        (guest_ram_fault(v->dom, ipa) || p2m_fault_is_spurious(v->dom, ipa, esr_dabt_wnr(esr) ? P2M_WRITE : P2M_READ)))
        return;
    if (!r && !v->dom->unmapped_reads_ones) {
        /* as Xen with trap-unmapped-accesses = <1>, its default: the guest
         * takes an abort, as a bus answers an access to nothing (with or
         * without a syndrome: nothing is emulated) */
        unmapped(v, ipa, esr_dabt_wnr(esr));
        vcpu_arch_inject_dabt(&v->arch, v->arch.far, esr_dabt_wnr(esr));
        return;
    }
    if (!esr_dabt_isv(esr)) {
        guest_fault(v, "data abort without a valid syndrome (ISV=0)", ipa);
        return;
    }
    if (!r) {
        /* trap-unmapped-accesses = <0>: as Xen's unmapped handler, all
         * ones of the access's size, writes ignored */
        if (!esr_dabt_wnr(esr))
            set_reg(v, esr_dabt_srt(esr),
                    read_result(~0ULL, 1u << esr_dabt_sas(esr), esr_dabt_sse(esr), esr_dabt_sf(esr)));
        advance_pc(v);
        return;
    }
    unsigned size = 1u << esr_dabt_sas(esr), reg = esr_dabt_srt(esr);
    /* field by field: an initializer would also zero the padding, byte by
     * byte under -mstrict-align, on every trapped access */
    struct mmio_access *a = &v->access;
    a->ipa = ipa;
    a->off = ipa - r->base;
    a->size = size;
    a->write = esr_dabt_wnr(esr);
    a->value = a->write && reg != 31 ? v->arch.regs.x[reg] & (size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1) : 0;
    /* an access running past the region's end is the region's to refuse,
     * never its neighbour's to see */
    enum emul_result res = a->off + size > r->size ? EMUL_FAULT : r->handle(v, a, r->dev);
    switch (res) {
    case EMUL_HANDLED:
        finish_mmio(v, a, reg, esr_dabt_sse(esr), esr_dabt_sf(esr));
        return;
    case EMUL_FAULT:
        refused(v, r->name ? r->name : "an emulated device", a);
        vcpu_arch_inject_dabt(&v->arch, v->arch.far, a->write);
        return;
    case EMUL_UNDEF: /* a system register answer: a handler bug */
        guest_fault(v, "emulated device answered as a system register", ipa);
        return;
    case EMUL_PENDING:
        if (!v->pending.active) { /* a handler bug: it did not call emul_pend() */
            guest_fault(v, "emulated access left pending without emul_pend()", ipa);
            return;
        }
        sched_wait(v); /* unless the answer already came */
        return;
    }
}

void emul_pend(struct vcpu *v)
{
    v->pending.esr = v->arch.esr;
    v->pending.far = v->arch.far;
    v->pending.done = false;
    __atomic_store_n(&v->pending.active, true, __ATOMIC_RELEASE);
}

bool emul_complete(struct vcpu *v, uint64_t value, bool fault)
{
    if (!__atomic_load_n(&v->pending.active, __ATOMIC_ACQUIRE) || v->pending.done)
        return false;
    v->pending.value = value;
    v->pending.fault = fault;
    sched_answer(v);
    return true;
}

/* On v's own CPU, before it enters the guest again: apply the answer.
 * Out of line: the common entry path stays free of its stack frame. */
static __attribute__((noinline, cold)) void apply_answer(struct vcpu *v)
{
    uint64_t esr = v->pending.esr;
    v->pending.active = v->pending.done = false;
    if (v->pending.fault) {
        vcpu_arch_inject_dabt(&v->arch, v->pending.far, esr_dabt_wnr(esr));
        return;
    }
    struct mmio_access a;
    a.size = 1u << esr_dabt_sas(esr);
    a.write = esr_dabt_wnr(esr);
    a.value = v->pending.value;
    finish_mmio(v, &a, esr_dabt_srt(esr), esr_dabt_sse(esr), esr_dabt_sf(esr));
}

static void exit_sysreg(struct vcpu *v)
{
    uint64_t esr = v->arch.esr;
    unsigned rt = esr_sysreg_rt(esr);
    struct sysreg_access a = { .key = esr_iss(esr) & SYSREG_KEY_MASK, .read = esr_sysreg_read(esr) };
    if (!a.read)
        a.value = rt == 31 ? 0 : v->arch.regs.x[rt];
    const struct sysreg_handler *h = emul_sysreg_find(a.key);
    enum emul_result res = h ? h->handle(v, &a) : EMUL_FAULT;
    if (res == EMUL_UNDEF) { /* a hidden feature's register */
        vcpu_arch_inject_undef(&v->arch);
        return;
    }
    if (res != EMUL_HANDLED) { /* no pending system registers */
        guest_fault(v, "trapped system register access", v->arch.regs.pc);
        return;
    }
    if (a.read)
        set_reg(v, rt, a.value);
    advance_pc(v);
}

/* SMCCC: an unknown function or conduit answers NOT_SUPPORTED in x0. */
static void exit_call(struct vcpu *v, enum emul_call_kind kind)
{
    if (kind == EMUL_SMC)
        advance_pc(v); /* a trapped SMC leaves ELR at the SMC itself */
    call_handler_fn fn = emul_call_find(kind, esr_call_imm(v->arch.esr));
    if (!fn || fn(v) != EMUL_HANDLED)
        v->arch.regs.x[0] = (uint64_t)-1;
}

static void exit_hvc(struct vcpu *v) { exit_call(v, EMUL_HVC); }
static void exit_smc(struct vcpu *v) { exit_call(v, EMUL_SMC); }

static void exit_wfx(struct vcpu *v)
{
    advance_pc(v);
    if (esr_wfx_is_wfe(v->arch.esr))
        sched_yield_vcpu(v); /* a spin: the holder may be queued behind it */
    else
        sched_block(v);
}

/* Instruction fetches fault where nothing is mapped, where RAM is not
 * touched yet or being remapped (retried, as for data), and on pages
 * that are never executable (foreign and shared pages, disks): those take
 * a prefetch abort, as Xen injects (logged as a refusal is: the first a
 * warning, then debug). */
static void exit_iabt(struct vcpu *v)
{
    paddr_t ipa;
    if (!guest_abort_ipa(v, &ipa) || guest_ram_fault(v->dom, ipa) || p2m_fault_is_spurious(v->dom, ipa, P2M_EXEC))
        return;
    /* the fetch of its own exception vector (none installed, or not
     * there): the abort would be taken there again, for ever */
    if (vcpu_arch_pc_in_vectors(&v->arch)) {
        guest_fault(v, "instruction fetch from unmapped guest address, its exception vector", ipa);
        return;
    }
    log_msg(refusal_level(v->dom), "%s: vCPU%u: instruction fetch from %s at 0x%llx (PC 0x%llx): abort injected",
            v->dom->name, v->id,
            esr_abort_is_perm(v->arch.esr) ? "a non-executable guest page" : "unmapped guest address",
            (unsigned long long)ipa, (unsigned long long)v->arch.regs.pc);
    vcpu_arch_inject_iabt(&v->arch);
}

/* SVE (in a domain without Xen's sve) and SME instructions and registers
 * (CPTR_EL2.TZ, TSM), pointer authentication while it is hidden
 * (HCR_EL2.API): features guests do not see, whose use is undefined, as
 * on a CPU without them. */
static void exit_undef(struct vcpu *v) { vcpu_arch_inject_undef(&v->arch); }

static void exit_unknown(struct vcpu *v) { guest_fault(v, "unhandled exception", v->arch.far); }

static void (*const by_class[EC_NR])(struct vcpu *v) = {
    [EC_WFX] = exit_wfx,       [EC_HVC64] = exit_hvc,     [EC_SMC64] = exit_smc,
    [EC_SYSREG] = exit_sysreg, [EC_DABT_LOW] = exit_dabt, [EC_IABT_LOW] = exit_iabt,
    [EC_PAC] = exit_undef,     [EC_SVE] = exit_undef,     [EC_SME] = exit_undef,
};

static inline void handle_exit(struct vcpu *v)
{
    switch (v->arch.exit) {
    case GUEST_EXIT_IRQ:
        irq_handle(NULL);
        return;
    case GUEST_EXIT_SYNC: {
        void (*fn)(struct vcpu *) = by_class[esr_ec(v->arch.esr)];
        (fn ? fn : exit_unknown)(v);
        return;
    }
    default:
        guest_fault(v, "SError", v->arch.far);
        return;
    }
}

void vcpu_handle_exit(struct vcpu *v) { handle_exit(v); }

bool vcpu_run(struct vcpu *v)
{
    struct domain *d = v->dom;
    if (v->pending.done)
        apply_answer(v);
    /* an event-channel upcall the guest has not taken yet: asserted again */
    if (v->evtchn_raised)
        evtchn_vcpu_entry(v);
    const struct vintc_ops *intc = d->intc;
    if (intc)
        intc->flush(v);
    vcpu_arch_enter(&v->arch);
    if (intc)
        intc->sync(v);
    handle_exit(v);
    return v->state == VCPU_RUNNABLE && d->state == DOMAIN_RUNNING;
}
