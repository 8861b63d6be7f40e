/* Bringing up the physical CPUs named in /cpus. */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <xam/hostdt.h>

/* Boot CPU: become pcpus[0]; -XAM_ENOENT if its MPIDR is not in /cpus. */
int smp_init_boot_cpu(const struct hostdt *h);
/* Start every other CPU through PSCI CPU_ON, wait for each, check IPIs.
 * Returns how many CPUs are online (the boot CPU included). */
unsigned smp_boot_secondaries(const struct hostdt *h);
/* This CPU's interrupt set-up (its SGIs and PPIs, the GIC maintenance
 * interrupt); the boot CPU calls it once the GIC is up. */
int cpu_boot_local_init(unsigned gic_maint_intid);
/* Entered at EL1 or EL3: say why not, and stop (arch/arm64/entry_el.c). */
void refuse_entry_el(paddr_t fdt, unsigned el) __noreturn;

#endif
