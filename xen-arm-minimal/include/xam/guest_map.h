/* The guest physical memory map (Xen's, from its public arch-arm.h): where
 * a domain finds its devices and RAM. One header, so the builder, the
 * virtual devices and the documentation agree. */
#ifndef XAM_GUEST_MAP_H
#define XAM_GUEST_MAP_H

#include <xam/types.h>

/* virtual GIC */
#define VGIC_DIST_BASE 0x03001000ULL
#define VGIC_DIST_SIZE 0x10000ULL /* GICv3 */
#define VGIC_V2_DIST_SIZE 0x1000ULL
#define VGIC_V2_CPU_BASE 0x03002000ULL /* the host's GICV frame */
#define VGIC_V2_CPU_SIZE 0x2000ULL
#define VGIC_RDIST_BASE 0x03020000ULL
#define VGIC_RDIST_STRIDE 0x20000ULL /* RD + SGI frame per vCPU */
#define VGIC_RDIST_ROOM 0x01000000ULL /* Xen's GUEST_GICV3_GICR0_SIZE: 128 vCPUs */

/* virtual PL011 (SBSA subset) and its interrupt */
#define VPL011_BASE 0x22000000ULL
#define VPL011_SIZE 0x1000ULL
#define VPL011_SPI 32

/* Where a domain's emulated GIC and vPL011 sit. Every domain gets the
 * addresses above (guest_layout_xen()), except a direct-mapped one: its
 * RAM is at host addresses, so, as Xen does, its GIC and vPL011 take the
 * host GIC's and the host console UART's addresses and the UART's
 * interrupt, where host RAM can never be (domain_desc.c). */
struct guest_layout {
    paddr_t gicd; /* distributor */
    paddr_t gicc; /* GICv2: the CPU interface (VGIC_V2_CPU_SIZE) */
    paddr_t gicr; /* GICv3: the redistributors, VGIC_RDIST_STRIDE each */
    uint64_t gicr_room; /* bytes the redistributors may take there */
    paddr_t uart; /* the vPL011, VPL011_SIZE */
    unsigned uart_intid; /* its SPI */
};

static inline struct guest_layout guest_layout_xen(void)
{
    return (struct guest_layout){ VGIC_DIST_BASE,  VGIC_V2_CPU_BASE, VGIC_RDIST_BASE,
                                  VGIC_RDIST_ROOM, VPL011_BASE,      VPL011_SPI };
}

/* The INTIDs a guest's devices may use: SGIs, PPIs and SPIs 32..1019
 * (1020-1023 are special). Each domain's vGIC has only as many SPIs as
 * its devices need, in groups of 32 (vgic_nr_spis_for()). */
#define GUEST_NR_IRQS 1020

/* Xen's PV interfaces (the hypervisor node): grant table, then the magic
 * pages; PPI 31 signals events. */
#define GUEST_GNTTAB_BASE 0x38000000ULL
#define GUEST_GNTTAB_SIZE 0x01000000ULL
#define GUEST_MAGIC_BASE 0x39000000ULL
#define GUEST_MAGIC_SIZE 0x01000000ULL
#define GUEST_EVTCHN_PPI 31

/* RAM */
#define GUEST_RAM0_BASE 0x40000000ULL
#define GUEST_RAM0_SIZE 0xc0000000ULL /* 3 GiB */
#define GUEST_RAM1_BASE 0x200000000ULL

/* Ours: a device model's disk modules (pmem regions its Linux binds with
 * of_pmem), in the 4 GiB hole Xen's map leaves between RAM bank 0's window
 * and bank 1's: nothing else is there, and it is outside the extended
 * regions. Each starts 1 GiB-aligned (any Linux memremaps that), so a
 * device model holds at most 4 of them, 4 GiB in all. */
#define GUEST_PMEM_BASE 0x100000000ULL
#define GUEST_PMEM_SIZE 0x100000000ULL
#define GUEST_PMEM_ALIGN 0x40000000ULL
#define GUEST_PMEM_MAX (GUEST_PMEM_SIZE / GUEST_PMEM_ALIGN)

#endif
