/* Guest virtual -> host physical with AT S12E1R/W: the hardware walks the
 * guest's stage 1 and its stage 2 for us. The result must land in the
 * domain's RAM banks: a guest pointing a hypercall at a device page (the
 * GICv2 CPU interface is mapped into its stage 2) must not make EL2 touch
 * that device, or anything outside its own memory. */
#include <asm/cache.h>
#include <asm/esr.h>
#include <asm/guest_mem.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>

#define PAR_F 1ULL
#define PAR_PA_MASK 0x0000fffffffff000ULL

/* One AT instruction on gva: PAR_EL1's answer (PAR_F set: it failed).
 * stage2: through the guest's stage 2 too (the host address), else its
 * stage 1 only (the IPA). */
static uint64_t at(uint64_t gva, bool write, bool stage2)
{
    /* AT writes PAR_EL1, which is the guest's: keep it intact. */
    uint64_t saved = read_sysreg(par_el1), par;
    if (stage2 && write)
        __asm__ volatile("at s12e1w, %0" : : "r"(gva));
    else if (stage2)
        __asm__ volatile("at s12e1r, %0" : : "r"(gva));
    else if (write)
        __asm__ volatile("at s1e1w, %0" : : "r"(gva));
    else
        __asm__ volatile("at s1e1r, %0" : : "r"(gva));
    isb();
    par = read_sysreg(par_el1);
    write_sysreg(saved, par_el1);
    return par;
}

static void *translate(struct vcpu *v, uint64_t gva, bool write)
{
    struct domain *d = v->dom;
    for (unsigned tries = 0;; tries++) {
        uint64_t par = at(gva, write, true);
        if (!(par & PAR_F)) {
            paddr_t pa = (par & PAR_PA_MASK) | (gva & (PAGE_SIZE - 1));
            for (unsigned i = 0; i < d->nr_banks; i++)
                if (pa >= d->banks[i].pa && pa - d->banks[i].pa < d->banks[i].size)
                    return (void *)(uintptr_t)pa;
        }
        /* Not (yet) its own RAM at stage 2: a chunk not touched yet (not
         * mapped), or an in-place kernel's chunk still read from its
         * module (read-only, not the bank's memory). Its IPA, by the
         * guest's stage 1 with the same permission check, made ready
         * (core/guest_ram.c), and once more. */
        par = at(gva, write, false);
        if (tries || (par & PAR_F) || !domain_ram_ptr(d, (par & PAR_PA_MASK) | (gva & (PAGE_SIZE - 1)), 1))
            return NULL;
    }
}

/* A guest running with its MMU or data cache off reads and writes memory
 * past the caches, while EL2 goes through them: meet it at the point of
 * coherency. */
static bool guest_uncached(void) { return (read_sysreg(sctlr_el1) & 5) != 5; /* M and C */ }

/* One page at a time: consecutive virtual pages need not be consecutive
 * physical ones. */
static int copy(struct vcpu *v, uint64_t gva, void *buf, size_t len, bool write)
{
    char *b = buf;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        void *p = translate(v, gva, write);
        if (!p)
            return -XAM_EFAULT;
        bool sync = guest_uncached();
        if (write) {
            memcpy(p, b, chunk);
            if (sync)
                dcache_clean_inval_range(p, chunk);
        } else {
            if (sync)
                dcache_clean_inval_range(p, chunk);
            memcpy(b, p, chunk);
        }
        gva += chunk;
        b += chunk;
        len -= chunk;
    }
    return 0;
}

int guest_copy_from(struct vcpu *v, void *dst, uint64_t gva, size_t len) { return copy(v, gva, dst, len, false); }

int guest_copy_to(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy(v, gva, (void *)(uintptr_t)src, len, true);
}

bool guest_abort_ipa(struct vcpu *v, paddr_t *ipa)
{
    uint64_t far = v->arch.far;
    if (!esr_abort_is_perm(v->arch.esr)) {
        *ipa = esr_fault_ipa(v->arch.hpfar, far);
        return true;
    }
    /* stage 1 only (the read kind: EL1 can read whatever it maps) */
    uint64_t saved = read_sysreg(par_el1), par;
    __asm__ volatile("at s1e1r, %0" : : "r"(far));
    isb();
    par = read_sysreg(par_el1);
    write_sysreg(saved, par_el1);
    if (par & PAR_F)
        return false;
    *ipa = (par & PAR_PA_MASK) | (far & (PAGE_SIZE - 1));
    return true;
}
