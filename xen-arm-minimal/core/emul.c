/* The registries of the emulation interface (include/xam/emul.h): MMIO
 * regions per domain, kept sorted for a binary search; system registers
 * and HVC/SMC immediates, global, filled at boot. */
#include <string.h>
#include <xam/emul.h>
#include <xam/errno.h>
#include <xam/memrange.h>

static struct sysreg_handler sysregs[EMUL_MAX_SYSREG];
static unsigned nr_sysregs;

/* per conduit, few entries (PSCI's #0 first, Xen's #0xEA1): a short scan */
#define EMUL_MAX_CALLS 4
static struct {
    unsigned nr;
    struct {
        uint16_t imm;
        call_handler_fn fn;
    } c[EMUL_MAX_CALLS];
} calls[2];

int emul_mmio_add(struct mmio_map *m, const struct mmio_region *r)
{
    if (!r->size || r->base + r->size < r->base || !r->handle)
        return -XAM_EINVAL;
    if (m->nr == EMUL_MAX_MMIO)
        return -XAM_ENOSPC;
    unsigned at = 0;
    while (at < m->nr && m->r[at].base < r->base)
        at++;
    /* sorted and disjoint: only the neighbours can overlap */
    if ((at > 0 && ranges_overlap(m->r[at - 1].base, m->r[at - 1].size, r->base, r->size)) ||
        (at < m->nr && ranges_overlap(m->r[at].base, m->r[at].size, r->base, r->size)))
        return -XAM_EEXIST;
    memmove(&m->r[at + 1], &m->r[at], (m->nr - at) * sizeof(m->r[0]));
    m->r[at] = *r;
    m->nr++;
    return 0;
}

const struct mmio_region *emul_mmio_find(const struct mmio_map *m, paddr_t ipa)
{
    unsigned lo = 0, hi = m->nr;
    while (lo < hi) { /* the last region whose base <= ipa */
        unsigned mid = lo + (hi - lo) / 2;
        if (m->r[mid].base <= ipa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct mmio_region *r = &m->r[lo - 1];
    return ipa - r->base < r->size ? r : NULL;
}

int emul_sysreg_register(const struct sysreg_handler *h, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (nr_sysregs == EMUL_MAX_SYSREG)
            return -XAM_ENOSPC;
        sysregs[nr_sysregs++] = h[i];
    }
    return 0;
}

const struct sysreg_handler *emul_sysreg_find(uint32_t key)
{
    for (unsigned i = 0; i < nr_sysregs; i++)
        if ((key & sysregs[i].mask) == sysregs[i].key)
            return &sysregs[i];
    return NULL;
}

int emul_call_register(enum emul_call_kind kind, uint16_t imm, call_handler_fn fn)
{
    if ((unsigned)kind > EMUL_SMC)
        return -XAM_EINVAL;
    if (emul_call_find(kind, imm))
        return -XAM_EEXIST;
    if (calls[kind].nr == EMUL_MAX_CALLS)
        return -XAM_ENOSPC;
    calls[kind].c[calls[kind].nr].imm = imm;
    calls[kind].c[calls[kind].nr++].fn = fn;
    return 0;
}

call_handler_fn emul_call_find(enum emul_call_kind kind, uint16_t imm)
{
    for (unsigned i = 0; i < calls[kind].nr; i++)
        if (calls[kind].c[i].imm == imm)
            return calls[kind].c[i].fn;
    return NULL;
}

void emul_reset_registrations(void)
{
    nr_sysregs = 0;
    calls[EMUL_HVC].nr = calls[EMUL_SMC].nr = 0;
}
