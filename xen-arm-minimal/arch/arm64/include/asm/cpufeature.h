/* The CPU features guests get: their ID registers' view (asm/idregs.h),
 * the traps that hide the rest, the extra state the context switch
 * carries. Computed at boot (arch/arm64/cpufeature.c; the fake
 * architecture has its own, set by tests). */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#include <asm/idregs.h>

/* Each CPU, early in its bring-up: read its ID registers, set its EL2
 * traps of the features guests do not get (CPTR_EL2, HCRX_EL2, the
 * fine-grained traps). */
void cpufeature_cpu_init(unsigned cpu);
/* The boot CPU, once the others are up and before any domain is built:
 * the guests' view over the online CPUs. */
void cpufeature_init_guests(void);

/* What guests read from the ID registers: a domain with SVE (Xen's sve
 * binding) or one without. */
const struct idregs *cpufeature_guest_idregs(bool sve);
/* The longest SVE vector length every online CPU gives, in bits (0: no
 * SVE for guests). */
unsigned cpufeature_sve_max(void);
/* The vector length a domain asking for at most bits gets: the longest
 * every CPU gives that is no longer (0: none). The hardware would give
 * no other (ZCR_EL2.LEN is a ceiling), and all vCPUs get the same. */
unsigned cpufeature_sve_vl(unsigned bits);
/* The SVE vector length in bytes, EL2's (ZCR_EL2.LEN), with CPTR_EL2.TZ
 * clear (sve.S). */
unsigned sve_rdvl(void);
/* HCR_EL2 bits guests run with besides HCR_GUEST (asm/vcpu_arch.h). */
uint64_t cpufeature_guest_hcr(void);

/* What the context switch carries besides the base EL1 state, on this
 * CPU (a flag per optional register group). */
#define CPUF_SWITCH_PAUTH (1u << 0) /* the five pointer-auth keys */
#define CPUF_SWITCH_TPIDR2 (1u << 1) /* TPIDR2_EL0 (SME: not trapped) */
#define CPUF_SWITCH_VDISR (1u << 2) /* VDISR_EL2 (RAS: DISR_EL1 of guests) */
#define CPUF_SWITCH_ZCR (1u << 3) /* ZCR_EL1 (SVE) */
extern uint32_t cpufeature_switch[];
/* MDCR_EL2 for guests on each CPU: MDCR_GUEST and the traps of its
 * optional debug features (SPE, trace filter) */
extern uint64_t cpufeature_mdcr[];

#endif
