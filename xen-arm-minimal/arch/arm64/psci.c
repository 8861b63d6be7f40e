#include <asm/psci.h>

static enum psci_conduit conduit = PSCI_CONDUIT_NONE;

void psci_set_conduit(enum psci_conduit c) { conduit = c; }

enum psci_conduit psci_conduit(void) { return conduit; }

static int64_t call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    switch (conduit) {
    case PSCI_CONDUIT_SMC:
        return (int64_t)smccc_smc(fid, a1, a2, a3);
    case PSCI_CONDUIT_HVC:
        return (int64_t)smccc_hvc(fid, a1, a2, a3);
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

uint32_t psci_version(void)
{
    int64_t v = call(PSCI_VERSION, 0, 0, 0);
    return v < 0 ? 0 : (uint32_t)v;
}

int psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context)
{
    return (int)call(PSCI_CPU_ON_64, mpidr, entry, context);
}

const char *psci_error_name(int err)
{
    switch (err) {
    case PSCI_SUCCESS:
        return "success";
    case PSCI_NOT_SUPPORTED:
        return "not supported";
    case PSCI_INVALID_PARAMETERS:
        return "invalid parameters";
    case PSCI_DENIED:
        return "denied";
    case PSCI_ALREADY_ON:
        return "already on";
    case PSCI_ON_PENDING:
        return "on pending";
    case PSCI_INTERNAL_FAILURE:
        return "internal failure";
    default:
        return "unknown error";
    }
}

void psci_system_off(void) { call(PSCI_SYSTEM_OFF, 0, 0, 0); }
