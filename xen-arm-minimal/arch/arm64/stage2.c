#include <asm/stage2.h>
#include <asm/sysreg.h>

uint64_t stage2_vtcr(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    /* The output size must cover host RAM; beyond 48 bits we do not go. */
    if (parange > 5)
        parange = 5;
    return (1ULL << 31) /* RES1 */ | (parange << 16) /* PS */ | (0ULL << 14) /* TG0 4K */ |
           (3ULL << 12) /* inner shareable */ | (1ULL << 10) | (1ULL << 8) /* write-back walks */ |
           (1ULL << 6) /* SL0: start at level 1 */ | (64 - S2_IPA_BITS) /* T0SZ */;
}

uint64_t stage2_vttbr(const struct stage2 *s2)
{
    return (uint64_t)s2->vmid << 48 | (uint64_t)(uintptr_t)s2->pt.root;
}
