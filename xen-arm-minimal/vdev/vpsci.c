/* PSCI 1.1 and the SMCCC discovery calls, as guests see them (HVC #0 and
 * SMC #0). Power state changes go through the domain lifecycle
 * (core/lifecycle.c): CPU_ON starts a vCPU from its reset state, CPU_OFF
 * of the last vCPU powers the domain off. */
#include <asm/psci.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <xam/vaffinity.h>
#include <xam/vpsci.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u

static struct vcpu *vcpu_by_mpidr(struct domain *d, uint64_t mpidr)
{
    /* vCPU n's MPIDR affinity is vaffinity(n): Aff1 = n / 16, Aff0 = n % 16 */
    int id = vaffinity_vcpu(mpidr, d->nr_vcpus);
    return id < 0 ? NULL : &d->vcpus[id];
}

static bool supported(uint32_t fid)
{
    switch (fid) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:
    case SMCCC_VERSION:
        return true;
    default:
        return false;
    }
}

static enum emul_result vpsci_call(struct vcpu *v)
{
    uint64_t *x = v->arch.regs.x;
    uint32_t fid = (uint32_t)x[0];
    bool is32 = (fid & 0x40000000u) == 0;
    uint64_t a1 = is32 ? (uint32_t)x[1] : x[1], a2 = is32 ? (uint32_t)x[2] : x[2], a3 = is32 ? (uint32_t)x[3] : x[3];
    int64_t ret = PSCI_NOT_SUPPORTED;
    struct domain *d = v->dom;

    switch (fid) {
    case PSCI_VERSION:
        ret = 0x10001; /* 1.1 */
        break;
    case SMCCC_VERSION:
        ret = 0x10001; /* 1.1 */
        break;
    case SMCCC_ARCH_FEATURES:
        ret = PSCI_NOT_SUPPORTED; /* no firmware workarounds to advertise */
        break;
    case PSCI_FEATURES:
        ret = supported((uint32_t)a1) ? 0 : PSCI_NOT_SUPPORTED;
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        ret = 2; /* no trusted OS: migration not needed */
        break;
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:
        /* A standby state is a WFI; the caller resumes after the call. */
        x[0] = 0;
        sched_block(v);
        return EMUL_HANDLED;
    case PSCI_CPU_OFF:
        vcpu_off(v);
        return EMUL_HANDLED;
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64: {
        struct vcpu *t = vcpu_by_mpidr(d, a1);
        if (!t)
            ret = PSCI_INVALID_PARAMETERS;
        else
            ret = vcpu_on(t, a2, a3);
        break;
    }
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64: {
        struct vcpu *t = vcpu_by_mpidr(d, a1);
        if (!t || a2 != 0)
            ret = PSCI_INVALID_PARAMETERS;
        else
            ret = t->state == VCPU_OFF ? 1 : 0; /* OFF, else ON */
        break;
    }
    case PSCI_SYSTEM_OFF:
        domain_shutdown(d, "powered off (PSCI SYSTEM_OFF)");
        return EMUL_HANDLED;
    case PSCI_SYSTEM_RESET:
        domain_reset(d, "reset (PSCI SYSTEM_RESET)");
        return EMUL_HANDLED;
    default:
        log_debug("%s: vCPU%u: unsupported PSCI/SMCCC call 0x%x", d->name, v->id, fid);
        break;
    }
    x[0] = (uint64_t)ret;
    return EMUL_HANDLED;
}

int vpsci_init(void)
{
    int rc = emul_call_register(EMUL_HVC, 0, vpsci_call);
    return rc ? rc : emul_call_register(EMUL_SMC, 0, vpsci_call);
}
