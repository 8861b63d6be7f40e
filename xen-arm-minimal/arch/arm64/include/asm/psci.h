/* PSCI calls from the hypervisor to firmware (host side). */
#ifndef ASM_PSCI_H
#define ASM_PSCI_H

#include <xam/hostdt.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)

uint64_t smccc_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
uint64_t smccc_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

void psci_set_conduit(enum psci_conduit conduit);
enum psci_conduit psci_conduit(void);
uint32_t psci_version(void);
int psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context);
const char *psci_error_name(int err);
/* Returns only if there is no PSCI or firmware refused. */
void psci_system_off(void);

#endif
