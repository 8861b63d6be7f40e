/* The secondary emulated PCI host bridge a domain may be given
 * (secondary-emulated-pci-host-bridge): its guest physical layout, the
 * default one, and its readiness register. Portable: the builder, the
 * guest device tree and the host tools share it. */
#ifndef XAM_PCI_BRIDGE_H
#define XAM_PCI_BRIDGE_H

#include <xam/types.h>

/* flags, the property's last cell */
#define PCI_BRIDGE_GRANTS (1u << 0)
#define PCI_BRIDGE_FLAGS_KNOWN PCI_BRIDGE_GRANTS

/* The default layout (an empty property): below 4 GiB, in the hole Xen's
 * guest map leaves between the vPL011 (0x22000000) and the grant table
 * (0x38000000), as the 2023 EPAM RFC placed per-backend bridges. */
#define PCI_BRIDGE_DEF_ECAM 0x33000000ULL
#define PCI_BRIDGE_DEF_ECAM_SIZE 0x00100000ULL /* bus 0 only */
#define PCI_BRIDGE_DEF_MEM 0x33800000ULL
#define PCI_BRIDGE_DEF_MEM_SIZE 0x02000000ULL
#define PCI_BRIDGE_DEF_PREF 0x35800000ULL
#define PCI_BRIDGE_DEF_PREF_SIZE 0x02000000ULL
#define PCI_BRIDGE_DEF_IRQ 44 /* INTID of INTA for slot 0 */
#define PCI_BRIDGE_DEF_IRQ_COUNT 4
/* The readiness register's page: fixed, whatever the bridge's layout. */
#define PCI_READY_BASE 0x37ff0000ULL
#define PCI_READY_SIZE 0x1000ULL
/* The guest's bridge node's phandle (the GIC's is 65000). */
#define PCI_BRIDGE_PHANDLE 65001
#define GRANT_DMA_PHANDLE 65002

struct pci_bridge {
    paddr_t ecam;
    uint64_t ecam_size; /* 1 MiB per bus */
    paddr_t mem; /* 32-bit non-prefetchable window */
    uint64_t mem_size;
    paddr_t pref; /* 64-bit prefetchable window */
    uint64_t pref_size;
    unsigned irq_start; /* INTID of the first of irq_count level SPIs */
    unsigned irq_count;
    uint32_t flags;
};

void pci_bridge_default(struct pci_bridge *b);

#endif
