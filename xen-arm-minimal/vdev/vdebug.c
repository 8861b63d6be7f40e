/* The PMU and debug registers are the hardware's, shared by every domain:
 * MDCR_EL2 traps them, and guests see them read as zero with writes
 * ignored (no PMU or debug for guests, as their device trees say). */
#include <xam/emul.h>
#include <xam/vdebug.h>

static enum emul_result raz_wi(struct vcpu *v __unused, struct sysreg_access *a)
{
    if (a->read)
        a->value = 0;
    return EMUL_HANDLED;
}

int vdebug_init(void)
{
    static const struct sysreg_handler h[] = {
        /* op0 2: the debug registers */
        { SYSREG_KEY(2, 0, 0, 0, 0), SYSREG_KEY(3, 0, 0, 0, 0), raz_wi, "debug" },
        /* op0 3, CRn 9 with op1 0 or 3: PMCR, PMCNTEN*, PMCCNTR, ... */
        { SYSREG_KEY(3, 0, 9, 0, 0), SYSREG_KEY(3, 7, 15, 0, 0), raz_wi, "PMU" },
        { SYSREG_KEY(3, 3, 9, 0, 0), SYSREG_KEY(3, 7, 15, 0, 0), raz_wi, "PMU" },
        /* op0 3, op1 3, CRn 14, CRm 8-15: PMEVCNTR<n>, PMEVTYPER<n> (CRm
         * 0-3 there are the timers, not ours to hide) */
        { SYSREG_KEY(3, 3, 14, 8, 0), SYSREG_KEY(3, 7, 15, 8, 0), raz_wi, "PMU event counters" },
    };
    return emul_sysreg_register(h, ARRAY_SIZE(h));
}
