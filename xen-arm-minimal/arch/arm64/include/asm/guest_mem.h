/* Reading and writing a guest's memory through its own virtual addresses,
 * as hypercall arguments are given. Only for the vCPU loaded on this CPU
 * (its EL1 translation regime is live). */
#ifndef ASM_GUEST_MEM_H
#define ASM_GUEST_MEM_H

#include <xam/types.h>

struct vcpu;

/* 0, or -XAM_EFAULT if any byte is not mapped (writable, for a write) to
 * the domain's RAM. May copy part of the range before failing. */
int guest_copy_from(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int guest_copy_to(struct vcpu *v, uint64_t gva, const void *src, size_t len);
/* The IPA of the stage-2 abort v just took: HPFAR_EL2's, or for a
 * permission fault, where HPFAR_EL2 may not hold it, the guest's own
 * translation of the faulting address. false: that translation fails now
 * (its tables changed meanwhile): the access is to be retried. */
bool guest_abort_ipa(struct vcpu *v, paddr_t *ipa);

#endif
