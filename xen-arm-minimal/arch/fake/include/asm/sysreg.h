/* Host ("fake architecture") replacement for arch/arm64's sysreg.h: the
 * same bit definitions, and the interrupt mask, barriers and WFI/WFE as
 * host operations (arch/fake/fake.c). There is no read_sysreg() or
 * write_sysreg(): guest-facing code that touches a system register does
 * not build for the host, which is the point. */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H

#include <stdbool.h>
#include <stdint.h>

#define UL(x) x##UL

/* Kept identical to arch/arm64/include/asm/sysreg.h. */
#define HCR_VM (UL(1) << 0)
#define HCR_SWIO (UL(1) << 1)
#define HCR_FMO (UL(1) << 3)
#define HCR_IMO (UL(1) << 4)
#define HCR_AMO (UL(1) << 5)
#define HCR_FB (UL(1) << 9)
#define HCR_BSU_IS (UL(1) << 10)
#define HCR_TWI (UL(1) << 13)
#define HCR_TWE (UL(1) << 14)
#define HCR_TSC (UL(1) << 19)
#define HCR_RW (UL(1) << 31)
#define SCTLR_EL2_RES1 UL(0x30c50830)
#define SCTLR_M (UL(1) << 0)
#define SCTLR_C (UL(1) << 2)
#define SCTLR_SA (UL(1) << 3)
#define SCTLR_I (UL(1) << 12)
#define SCTLR_WXN (UL(1) << 19)
#define SCTLR_EL1_RES1 UL(0x30d00800)
#define CPTR_EL2_RES1 UL(0x000032ff)
#define CPTR_TFP (UL(1) << 10)
#define MDCR_TPMCR (UL(1) << 5)
#define MDCR_TPM (UL(1) << 6)
#define MDCR_TDA (UL(1) << 9)
#define MDCR_TDOSA (UL(1) << 10)
#define MDCR_TDRA (UL(1) << 11)
#define MDCR_GUEST (MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)
#define CNTHCTL_EL1PCTEN (UL(1) << 0)
#define CNTHCTL_EL1PCEN (UL(1) << 1)
#define CNTHCTL_EVNTEN (UL(1) << 2)
#define CNT_CTL_ENABLE (UL(1) << 0)
#define CNT_CTL_IMASK (UL(1) << 1)
#define CNT_CTL_ISTATUS (UL(1) << 2)
#define MPIDR_AFF_MASK UL(0xff00ffffff)

/* The fake CPU's PSTATE.I, per host thread (fake.c). */
extern __thread bool fake_irqs_masked;
#define FAKE_DAIF_I 0x80UL

#define isb() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define dsb(opt) __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define dmb(opt) __atomic_thread_fence(__ATOMIC_SEQ_CST)
/* WFI: the fake CPU has nothing to do (fake.c: back to the test that ran
 * its scheduler loop). WFE/SEV: spin-wait hints. */
void fake_wfi(void);
void fake_cpu_relax(void);
#define wfi() fake_wfi()
#define wfe() fake_cpu_relax()
#define sev() ((void)0)

static inline unsigned current_el(void) { return 2; }

static inline uint64_t irq_save(void)
{
    uint64_t flags = fake_irqs_masked ? FAKE_DAIF_I : 0;
    fake_irqs_masked = true;
    return flags;
}

static inline void irq_restore(uint64_t flags) { fake_irqs_masked = (flags & FAKE_DAIF_I) != 0; }

static inline void irq_enable(void) { fake_irqs_masked = false; }

static inline void irq_disable(void) { fake_irqs_masked = true; }

/* No interrupt is ever waiting here: the tests deliver theirs by call. */
static inline _Bool irq_pending(void) { return 0; }

#endif
