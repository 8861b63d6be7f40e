/* The virtual GIC (vdev/vgic/): each domain's emulated distributor (GICv2
 * or GICv3) and GICv3 redistributors, its interrupt state, injection, and
 * the list registers' fill and drain. The core reaches it only through the
 * struct vintc_ops it installs (xam/vintc.h); this header is for who builds
 * domains and who forwards host interrupts into them. */
#ifndef XAM_VGIC_H
#define XAM_VGIC_H

#include <xam/guest_map.h>
#include <xam/types.h>

struct domain;
struct vcpu;

/* The most SPIs a domain's vGIC can have: INTIDs 32..1019 (1020-1023 are
 * special). A domain gets as many as it needs, in whole registers of 32
 * (the last "register" is the architecture's partial one). */
#define VGIC_MAX_SPIS (GUEST_NR_IRQS - 32) /* 988: the limit is guest_map.h's */
/* So INTIDs below this are the most any domain's vGIC has. */
#define VGIC_MAX_IRQS (32 + VGIC_MAX_SPIS)
/* Whether nr_spis is a count vgic_domain_init() accepts. */
static inline bool vgic_nr_spis_valid(unsigned nr_spis)
{
    return nr_spis >= 32 && nr_spis <= VGIC_MAX_SPIS && (nr_spis % 32 == 0 || nr_spis == VGIC_MAX_SPIS);
}
/* The SPI count covering every INTID up to max_intid. */
static inline unsigned vgic_nr_spis_for(unsigned max_intid)
{
    unsigned n = max_intid < 32 ? 32 : (unsigned)ALIGN_UP(max_intid + 1 - 32, 32);
    return MIN(n, VGIC_MAX_SPIS);
}

/* At boot: the system registers the vGIC owns (GICv3 SGI generation). */
int vgic_register_sysregs(void);
/* Give d (its vCPUs created) a vGIC of the host's version with nr_spis
 * SPIs (vgic_nr_spis_valid()); gicv: for GICv2, the host's GICV frame,
 * mapped as the guest's CPU interface. 0, -XAM_EINVAL or -XAM_ENOMEM. */
int vgic_domain_init(struct domain *d, unsigned version, paddr_t gicv, unsigned nr_spis);
/* A host interrupt is forwarded to d as this SPI (irq_forward.c): its
 * line is the host's, masked while the guest handles it. Ignored for an
 * INTID d's vGIC does not have. */
void vgic_set_hw(struct domain *d, unsigned intid);
/* GICv3 ICC_SGI1R_EL1 written by v (its trap handler; tests): send the SGI
 * to the vCPUs it names. */
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);

#endif
