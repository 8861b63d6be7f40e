#include <asm/stage2.h>
#include <asm/sysreg.h>

static uint64_t parange(void)
{
    /* The output size must cover host RAM; beyond 48 bits we do not go. */
    uint64_t p = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    return p > 5 ? 5 : p;
}

unsigned stage2_ipa_bits(void)
{
    static const unsigned pa_bits[] = { 32, 36, 40, 42, 44, 48 };
    return MIN(S2_IPA_BITS, pa_bits[parange()]);
}

uint64_t stage2_vtcr(void)
{
    /* Starting at level 1 with 4 KiB pages covers 31 to 39 IPA bits, which
     * every value stage2_ipa_bits() gives is. */
    return (1ULL << 31) /* RES1 */ | (parange() << 16) /* PS */ | (0ULL << 14) /* TG0 4K */ |
        (3ULL << 12) /* inner shareable */ | (1ULL << 10) | (1ULL << 8) /* write-back walks */ |
        (1ULL << 6) /* SL0: start at level 1 */ | (64 - stage2_ipa_bits()) /* T0SZ */;
}

uint64_t stage2_vttbr(const struct stage2 *s2) { return (uint64_t)s2->vmid << 48 | (uint64_t)(uintptr_t)s2->pt.root; }

void stage2_flush_tlb(const struct stage2 *s2)
{
    /* TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2: switch to it. IRQs
     * stay masked so that nothing runs with the borrowed VTTBR. */
    uint64_t flags = irq_save();
    uint64_t saved = read_sysreg(vttbr_el2);
    write_sysreg(stage2_vttbr(s2), vttbr_el2);
    isb();
    __asm__ volatile("tlbi vmalls12e1is" : : : "memory");
    dsb(ish);
    write_sysreg(saved, vttbr_el2);
    isb();
    irq_restore(flags);
}
