/* Stage-2 translation: a guest's intermediate physical addresses (IPAs) to
 * host physical addresses. 4 KiB granule, walks starting at level 1, 8-bit
 * VMIDs. The IPA size is what the CPU's physical address size allows, up to
 * 39 bits (512 GiB: more than the guest memory map uses). */
#ifndef ASM_STAGE2_H
#define ASM_STAGE2_H

#include <asm/pagetable.h>

#define S2_IPA_BITS 39 /* at most */

/* Stage-2 leaf attributes: MemAttr[5:2], S2AP[7:6], SH, AF, XN. */
#define S2_MEMATTR_NORMAL (0xfULL << 2) /* Normal, outer and inner write-back */
#define S2_MEMATTR_DEVICE (0x1ULL << 2) /* Device-nGnRE */
#define S2_AP_R (1ULL << 6)
#define S2_AP_W (1ULL << 7)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF (1ULL << 10)
#define S2_XN (2ULL << 53)

#define S2_RAM (S2_MEMATTR_NORMAL | S2_AP_R | S2_AP_W | S2_SH_INNER | S2_AF)
#define S2_RAM_RO (S2_MEMATTR_NORMAL | S2_AP_R | S2_SH_INNER | S2_AF)
#define S2_DEVICE (S2_MEMATTR_DEVICE | S2_AP_R | S2_AP_W | S2_AF | S2_XN)

struct stage2 {
    struct pt pt;
    uint16_t vmid;
};

/* IPA bits for guests on this CPU: min(39, its physical address size). */
unsigned stage2_ipa_bits(void);
uint64_t stage2_vtcr(void);
uint64_t stage2_vttbr(const struct stage2 *s2);
/* Drop every TLB entry of this VMID on all CPUs: before its tables or
 * memory are freed, since a VMID (the domain id) is used again when the
 * domain is rebuilt after a reset. */
void stage2_flush_tlb(const struct stage2 *s2);

#endif
