/* A vCPU's affinity (its MPIDR's Aff1.Aff0), as Xen numbers them
 * (vcpuid_to_vaffinity): 16 vCPUs per Aff1 cluster, so Aff0 stays below 16
 * and a GICv3 SGI target list reaches every vCPU without range selectors.
 * The guest's cpu@ nodes, MPIDR_EL1, GICR_TYPER, GICD_IROUTER, ICC_SGI1R
 * and PSCI CPU_ON all speak it. */
#ifndef XAM_VAFFINITY_H
#define XAM_VAFFINITY_H

#include <xam/types.h>

#define VAFF_PER_CLUSTER 16

static inline uint64_t vaffinity(unsigned vcpu)
{
    return (uint64_t)(vcpu / VAFF_PER_CLUSTER) << 8 | vcpu % VAFF_PER_CLUSTER;
}

/* The vCPU an affinity (Aff3.Aff2.Aff1.Aff0 as MPIDR bits 39:32, 23:0)
 * names, or -1 if it names none of nr. */
static inline int vaffinity_vcpu(uint64_t aff, unsigned nr)
{
    if (aff & ~0xffffULL || (aff & 0xff) >= VAFF_PER_CLUSTER)
        return -1;
    unsigned id = (unsigned)(aff >> 8) * VAFF_PER_CLUSTER + (unsigned)(aff & 0xff);
    return id < nr ? (int)id : -1;
}

#endif
