/* ESR_EL2 syndrome fields, by name (Arm ARM D17.2.37). Pure definitions:
 * host builds of the trap decoding use them too. */
#ifndef ASM_ESR_H
#define ASM_ESR_H

#include <xam/types.h>

/* exception classes we dispatch on */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_PAC 0x09 /* pointer authentication, HCR_EL2.API = 0 */
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_SVE 0x19 /* CPTR_EL2.TZ */
#define EC_SME 0x1d /* CPTR_EL2.TSM */
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_NR 64

static inline unsigned esr_ec(uint64_t esr) { return (unsigned)(esr >> 26) & 0x3f; }
/* IL: the trapped instruction was 32 bits long */
static inline bool esr_il(uint64_t esr) { return (esr >> 25) & 1; }
static inline uint32_t esr_iss(uint64_t esr) { return (uint32_t)esr & 0x1ffffff; }

/* EC 0x01: TI, 0 = WFI, 1 = WFE */
static inline bool esr_wfx_is_wfe(uint64_t esr) { return esr & 1; }

/* EC 0x16/0x17: the call's 16-bit immediate */
static inline uint16_t esr_call_imm(uint64_t esr) { return (uint16_t)esr; }

/* EC 0x24 (data abort from a lower EL): the instruction syndrome, valid
 * only with ISV set */
static inline bool esr_dabt_isv(uint64_t esr) { return (esr >> 24) & 1; }
static inline unsigned esr_dabt_sas(uint64_t esr) { return (unsigned)(esr >> 22) & 3; } /* log2 bytes */
static inline bool esr_dabt_sse(uint64_t esr) { return (esr >> 21) & 1; } /* sign-extend */
static inline unsigned esr_dabt_srt(uint64_t esr) { return (unsigned)(esr >> 16) & 0x1f; }
static inline bool esr_dabt_sf(uint64_t esr) { return (esr >> 15) & 1; } /* X register */
static inline bool esr_dabt_wnr(uint64_t esr) { return (esr >> 6) & 1; } /* write */
/* EC 0x20/0x24: a stage-2 permission fault (xFSC 0b0011xx) not taken on a
 * stage-1 table walk (S1PTW): HPFAR_EL2 need not hold its IPA then */
static inline bool esr_abort_is_perm(uint64_t esr) { return (esr & 0x3c) == 0x0c && !((esr >> 7) & 1); }

/* EC 0x18: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1]
 * Direction[0] (1 = read, MRS) */
static inline unsigned esr_sysreg_rt(uint64_t esr) { return (unsigned)(esr >> 5) & 0x1f; }
static inline bool esr_sysreg_read(uint64_t esr) { return esr & 1; }

/* HPFAR_EL2.FIPA holds IPA[47:12] at bits [43:4]; the page offset is
 * FAR_EL2's. */
static inline paddr_t esr_fault_ipa(uint64_t hpfar, uint64_t far)
{
    return ((hpfar >> 4) & 0xfffffffffULL) << 12 | (far & 0xfff);
}

#endif
