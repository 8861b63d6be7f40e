/* System register access and the bit definitions the hypervisor uses. */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

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

/* SCTLR_EL2 (E2H = 0): RES1 bits, then what we enable. A is left clear so
 * Normal memory tolerates unaligned accesses (libfdt relies on that). */
#define SCTLR_EL2_RES1 UL(0x30c50830)
#define SCTLR_M (UL(1) << 0)
#define SCTLR_C (UL(1) << 2)
#define SCTLR_SA (UL(1) << 3)
#define SCTLR_I (UL(1) << 12)
#define SCTLR_WXN (UL(1) << 19)
#define SCTLR_EL1_RES1 UL(0x30d00800)

/* CPTR_EL2 (E2H = 0): RES1 bits; TFP (bit 10) clear so FP/SIMD does not trap. */
#define CPTR_EL2_RES1 UL(0x000032ff)
#define CPTR_TFP (UL(1) << 10)

/* MDCR_EL2: trap the PMU (TPMCR, TPM) and debug (TDA, TDOSA, TDRA)
 * registers, which guests must not share. */
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

#ifndef __ASSEMBLER__
#include <stdint.h>

#define read_sysreg(r)                                                                                                 \
    ({                                                                                                                 \
        uint64_t __v;                                                                                                  \
        __asm__ volatile("mrs %0, " #r : "=r"(__v));                                                                   \
        __v;                                                                                                           \
    })
#define write_sysreg(v, r) __asm__ volatile("msr " #r ", %x0" : : "rZ"((uint64_t)(v)))

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt : : : "memory")
#define wfi() __asm__ volatile("wfi" : : : "memory")
#define wfe() __asm__ volatile("wfe" : : : "memory")
#define sev() __asm__ volatile("sev" : : : "memory")

static inline unsigned current_el(void) { return (unsigned)(read_sysreg(CurrentEL) >> 2) & 3; }

static inline uint64_t irq_save(void)
{
    uint64_t flags = read_sysreg(daif);
    __asm__ volatile("msr daifset, #2" : : : "memory");
    return flags;
}

static inline void irq_restore(uint64_t flags) { write_sysreg(flags, daif); }

static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" : : : "memory"); }

static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" : : : "memory"); }

/* An IRQ is waiting (masked or not): ISR_EL1.I, which at EL2 is the
 * physical interrupt's. */
static inline _Bool irq_pending(void) { return read_sysreg(isr_el1) & (1u << 7); }
#endif

#endif
