/* Guest RAM: what backs it, and when it is made ready.
 *
 * A dynamic bank costs nothing when it is given: its host memory is
 * allocated, but neither zeroed nor mapped. Each 2 MiB chunk is made ready
 * on its first touch, by the guest (a stage-2 fault: guest_ram_fault()) or
 * by the hypervisor on its behalf (every host pointer into guest RAM comes
 * from domain_ram_ptr() or, while building, domain_ram_for_load()):
 *
 *   FRESH     not mapped. Its host memory holds whatever its last owner
 *             left, except the pages the builder wrote [lo, hi). Made
 *             ready by zeroing the rest (DC ZVA where allowed) and
 *             cleaning it to the point of coherency: a guest with its
 *             caches off reads memory, not our caches.
 *   PRISTINE  mapped read-only from a boot module (a kernel mapped in
 *             place): reads and instruction fetches go to the module, a
 *             write faults and the chunk is copied into its own memory and
 *             mapped there (copy on write). The module is never written,
 *             so a reset rebuilds from the bytes the board loaded.
 *   READY     mapped read-write to its own memory.
 *   HOLE      never mapped: nothing answers in its host memory, though
 *             the host device tree says it is RAM (its first write
 *             would have crashed the machine). Found when the chunk is
 *             first written, which is the first time it is read too
 *             (common/memory.c says why); the guest gets an abort there,
 *             the hypervisor's accesses fail.
 *
 * So a guest never sees a byte it was not given: the previous owner's
 * data, the hypervisor's, its own previous life's. A chunk only goes
 * towards READY, under the domain's ram_lock (another vCPU faulting on the
 * same chunk waits, then retries its access: core/exit.c); the stage-2
 * changes go through core/p2m.c under its lock. A bank is ready at once
 * (zeroed and mapped whole) when it is static memory, smaller than a
 * chunk, or its domain has passthrough devices, which could read memory by
 * DMA without a fault to stop them. */
#include <asm/cache.h>
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/p2m.h>

#define CHUNK MiB(2)
#define CHUNK_SHIFT 21
#define CHUNK_PAGES (CHUNK / PAGE_SIZE)

enum chunk_state { CHUNK_FRESH, CHUNK_PRISTINE, CHUNK_READY, CHUNK_HOLE };

struct ram_chunk {
    uint8_t state;
    bool checked; /* its host memory answers (memory_check()) */
    uint16_t lo, hi; /* FRESH: pages [lo, hi) hold what the builder wrote */
};

static uint64_t chunk_len(const struct guest_bank *b, unsigned c)
{
    return MIN(CHUNK, b->size - ((uint64_t)c << CHUNK_SHIFT));
}

static unsigned nr_chunks(const struct guest_bank *b) { return (unsigned)((b->size + CHUNK - 1) >> CHUNK_SHIFT); }

static uint64_t chunks_bytes(const struct guest_bank *b)
{
    return ALIGN_UP(nr_chunks(b) * sizeof(struct ram_chunk), PAGE_SIZE);
}

/* Zero host memory the guest will see and clean it to the point of
 * coherency (page-aligned). */
static void scrub(paddr_t pa, uint64_t size)
{
    if (size)
        ram_scrub((void *)(uintptr_t)pa, size);
}

/* Zeroed and mapped now, whole (the caller checked there is room). */
static int add_ready(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size, bool is_static)
{
    scrub(pa, size);
    int rc = pt_map(&d->s2.pt, ipa, pa, size, S2_RAM);
    if (!rc)
        d->banks[d->nr_banks++] = (struct guest_bank){ .ipa = ipa, .pa = pa, .size = size, .is_static = is_static };
    return rc;
}

int domain_add_ram(struct domain *d, paddr_t ipa, uint64_t size, bool lazy)
{
    if (d->nr_banks == DOMAIN_MAX_BANKS)
        return -XAM_ENOSPC;
    if (!size || !IS_ALIGNED(ipa | size, PAGE_SIZE))
        return -XAM_EINVAL;
    /* 2 MiB alignment lets stage 2 use blocks: fewer tables, fewer walks */
    uint64_t align = size >= CHUNK ? CHUNK : PAGE_SIZE;
    lazy = lazy && size >= CHUNK && IS_ALIGNED(ipa, CHUNK);
    paddr_t pa;
    /* lazy: each chunk's memory is read before its first write */
    int rc = lazy ? memory_alloc_lazy(size, align, &pa) : memory_alloc(size, align, &pa);
    if (rc)
        return rc;
    if (!lazy) {
        if ((rc = add_ready(d, ipa, pa, size, false)))
            memory_free(pa, size);
        return rc;
    }
    struct guest_bank b = { .ipa = ipa, .pa = pa, .size = size };
    paddr_t cpa;
    if ((rc = memory_alloc(chunks_bytes(&b), PAGE_SIZE, &cpa))) {
        memory_free(pa, size);
        return rc;
    }
    b.chunks = (struct ram_chunk *)(uintptr_t)cpa;
    memset(b.chunks, 0, chunks_bytes(&b)); /* all FRESH, nothing written */
    d->banks[d->nr_banks++] = b;
    d->lazy_ram = true;
    return 0;
}

int domain_add_static_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size)
{
    return d->nr_banks == DOMAIN_MAX_BANKS ? -XAM_ENOSPC : add_ready(d, ipa, pa, size, true);
}

static struct guest_bank *bank_of(struct domain *d, paddr_t ipa, uint64_t len)
{
    for (unsigned i = 0; i < d->nr_banks; i++) {
        struct guest_bank *b = &d->banks[i];
        if (ipa >= b->ipa && len <= b->size && ipa - b->ipa <= b->size - len)
            return b;
    }
    return NULL;
}

int domain_ram_map_pristine(struct domain *d, paddr_t ipa, paddr_t src, uint64_t len)
{
    struct guest_bank *b = bank_of(d, ipa, len);
    if (!b || !b->chunks || !len || !IS_ALIGNED(ipa - b->ipa, CHUNK) || !IS_ALIGNED(src | len, CHUNK))
        return -XAM_EINVAL;
    unsigned first = (unsigned)((ipa - b->ipa) >> CHUNK_SHIFT), n = (unsigned)(len >> CHUNK_SHIFT);
    for (unsigned c = first; c < first + n; c++)
        if (b->chunks[c].state != CHUNK_FRESH || b->chunks[c].lo != b->chunks[c].hi)
            return -XAM_EBUSY;
    /* executable: it is the kernel; read-only: its first write copies it */
    int rc = pt_map(&d->s2.pt, ipa, src, len, S2_RAM_RO);
    if (rc)
        return rc;
    for (unsigned c = first; c < first + n; c++)
        b->chunks[c].state = CHUNK_PRISTINE;
    b->pristine = src - (ipa - b->ipa); /* the module as if it began at the bank */
    return 0;
}

/* Whether nothing answers in some of FRESH chunk k's host memory (its
 * first write is near): then it is a HOLE, and [*s, *e) grows to cover
 * what does not answer; else it is checked for good. */
static bool found_hole(struct guest_bank *b, unsigned k, paddr_t *s, paddr_t *e)
{
    struct ram_chunk *ch = &b->chunks[k];
    paddr_t bad;
    uint64_t bad_size;
    if (memory_check(b->pa + ((uint64_t)k << CHUNK_SHIFT), chunk_len(b, k), &bad, &bad_size) == 0) {
        ch->checked = true;
        return false;
    }
    *s = MIN(*s, bad);
    *e = MAX(*e, bad + bad_size);
    __atomic_store_n(&ch->state, CHUNK_HOLE, __ATOMIC_RELEASE);
    return true;
}

static bool unchecked_fresh(const struct guest_bank *b, unsigned k)
{
    return b->chunks[k].state == CHUNK_FRESH && !b->chunks[k].checked;
}

/* Chunk c of b is about to be written for the first time (under
 * d->ram_lock): whether its host memory is there. If not, it is a HOLE
 * for good, and so is each untouched neighbour where nothing answers
 * either (reading there costs nothing: there is no memory to fault in),
 * all said in one line. */
static int check_chunk(struct domain *d, struct guest_bank *b, unsigned c)
{
    if (b->chunks[c].checked)
        return 0;
    if (b->chunks[c].state == CHUNK_HOLE)
        return -XAM_EIO;
    paddr_t s = ~(paddr_t)0, e = 0;
    if (!found_hole(b, c, &s, &e))
        return 0;
    unsigned first = c, last = c;
    while (first > 0 && unchecked_fresh(b, first - 1) && found_hole(b, first - 1, &s, &e))
        first--;
    while (last + 1 < nr_chunks(b) && unchecked_fresh(b, last + 1) && found_hole(b, last + 1, &s, &e))
        last++;
    paddr_t ipa = b->ipa + ((uint64_t)first << CHUNK_SHIFT);
    paddr_t ipa_end = b->ipa + ((uint64_t)last << CHUNK_SHIFT) + chunk_len(b, last);
    log_err("%s (domain %u): nothing answers at 0x%llx-0x%llx, which the device tree says is RAM: left out, and with "
            "it its RAM at IPA 0x%llx-0x%llx",
            d->name, d->id, (unsigned long long)s, (unsigned long long)(e - 1), (unsigned long long)ipa,
            (unsigned long long)(ipa_end - 1));
    return -XAM_EIO;
}

/* Make chunk c of b READY (under d->ram_lock). */
static int make_ready(struct domain *d, struct guest_bank *b, unsigned c)
{
    struct ram_chunk *ch = &b->chunks[c];
    uint64_t off = (uint64_t)c << CHUNK_SHIFT, len = chunk_len(b, c);
    paddr_t pa = b->pa + off;
    int rc = check_chunk(d, b, c);
    if (rc)
        return rc;
    bool pristine = ch->state == CHUNK_PRISTINE;
    if (pristine) {
        ram_copy((void *)(uintptr_t)pa, (const void *)(uintptr_t)(b->pristine + off), len);
    } else {
        scrub(pa, (uint64_t)ch->lo * PAGE_SIZE);
        scrub(pa + (uint64_t)ch->hi * PAGE_SIZE, len - (uint64_t)ch->hi * PAGE_SIZE);
    }
    /* its host memory may hold another owner's code in instruction
     * caches, on any CPU */
    icache_inval_all_is();
    rc = p2m_map_ram(d, b->ipa + off, pa, len, pristine);
    if (rc)
        return rc;
    __atomic_store_n(&ch->state, CHUNK_READY, __ATOMIC_RELEASE);
    return 0;
}

/* Chunks first..last of b made READY, under the domain's RAM lock: the
 * slow path of ready_range, apart so that the check every hypervisor
 * access into guest RAM makes stays a few inlined instructions (an ioreq
 * round trip makes three: with the lock's register spills on its path,
 * the check was 37 instructions a call). */
static __attribute__((noinline)) int ready_chunks(struct domain *d, struct guest_bank *b, paddr_t ipa, uint64_t len,
                                                  unsigned first, unsigned last)
{
    uint64_t flags = spin_lock_irqsave(&d->ram_lock);
    int rc = 0;
    /* the bank may have gone meanwhile (a stop on another CPU) */
    if (!bank_of(d, ipa, len))
        rc = -XAM_EFAULT;
    for (unsigned c = first; c <= last && !rc; c++)
        if (b->chunks[c].state != CHUNK_READY)
            rc = make_ready(d, b, c);
    spin_unlock_irqrestore(&d->ram_lock, flags);
    return rc;
}

/* Every chunk of [ipa, ipa+len) in b READY. */
static inline int ready_range(struct domain *d, struct guest_bank *b, paddr_t ipa, uint64_t len)
{
    unsigned first = (unsigned)((ipa - b->ipa) >> CHUNK_SHIFT);
    unsigned last = (unsigned)((ipa - b->ipa + (len ? len - 1 : 0)) >> CHUNK_SHIFT);
    for (unsigned c = first; c <= last; c++)
        if (__atomic_load_n(&b->chunks[c].state, __ATOMIC_ACQUIRE) != CHUNK_READY)
            return ready_chunks(d, b, ipa, len, first, last);
    return 0;
}

void *domain_ram_ptr(struct domain *d, paddr_t ipa, uint64_t len)
{
    struct guest_bank *b = bank_of(d, ipa, len);
    if (!b)
        return NULL;
    int rc = b->chunks ? ready_range(d, b, ipa, len) : 0;
    if (rc == -XAM_ENOMEM)
        log_err("%s (domain %u): out of memory for its stage-2 tables", d->name, d->id);
    if (rc)
        return NULL;
    return (void *)(uintptr_t)(b->pa + (ipa - b->ipa));
}

/* [ipa, ipa+len) of a FRESH chunk is about to be written by the builder:
 * its pages join those kept when the chunk is made ready; what of them
 * the write does not cover is zeroed now. */
static void claim_pages(struct guest_bank *b, unsigned c, paddr_t ipa, uint64_t len)
{
    struct ram_chunk *ch = &b->chunks[c];
    paddr_t cbase = b->ipa + ((uint64_t)c << CHUNK_SHIFT);
    paddr_t s = MAX(ipa, cbase), e = MIN(ipa + len, cbase + chunk_len(b, c));
    unsigned p0 = (unsigned)((s - cbase) / PAGE_SIZE), p1 = (unsigned)((e - cbase + PAGE_SIZE - 1) / PAGE_SIZE);
    unsigned lo = ch->lo == ch->hi ? p0 : MIN(ch->lo, p0), hi = ch->lo == ch->hi ? p1 : MAX(ch->hi, p1);
    paddr_t host = b->pa + (cbase - b->ipa);
    for (unsigned p = lo; p < hi; p++) {
        bool kept = ch->lo != ch->hi && p >= ch->lo && p < ch->hi;
        paddr_t pstart = cbase + (paddr_t)p * PAGE_SIZE;
        bool covered = pstart >= ipa && pstart + PAGE_SIZE <= ipa + len;
        if (!kept && !covered) /* to memory, as the rest: a guest may start reading with its caches off */
            ram_scrub((void *)(uintptr_t)(host + (paddr_t)p * PAGE_SIZE), PAGE_SIZE);
    }
    ch->lo = (uint16_t)lo;
    ch->hi = (uint16_t)hi;
}

void *domain_ram_for_load(struct domain *d, paddr_t ipa, uint64_t len)
{
    struct guest_bank *b = bank_of(d, ipa, len);
    if (!b || !len)
        return NULL;
    if (b->chunks) {
        uint64_t flags = spin_lock_irqsave(&d->ram_lock);
        unsigned first = (unsigned)((ipa - b->ipa) >> CHUNK_SHIFT);
        unsigned last = (unsigned)((ipa - b->ipa + len - 1) >> CHUNK_SHIFT);
        int rc = 0;
        for (unsigned c = first; c <= last && !rc; c++) {
            if (b->chunks[c].state == CHUNK_FRESH) {
                if (!(rc = check_chunk(d, b, c)))
                    claim_pages(b, c, ipa, len);
            } else if (b->chunks[c].state != CHUNK_READY) {
                rc = make_ready(d, b, c); /* PRISTINE: copied now; a HOLE: refused */
            }
        }
        spin_unlock_irqrestore(&d->ram_lock, flags);
        if (rc)
            return NULL;
    }
    return (void *)(uintptr_t)(b->pa + (ipa - b->ipa));
}

bool guest_ram_fault(struct domain *d, paddr_t ipa)
{
    if (!d->lazy_ram)
        return false;
    struct guest_bank *b = bank_of(d, ipa, 1);
    if (!b || !b->chunks)
        return false;
    unsigned c = (unsigned)((ipa - b->ipa) >> CHUNK_SHIFT);
    uint8_t state = __atomic_load_n(&b->chunks[c].state, __ATOMIC_ACQUIRE);
    if (state == CHUNK_READY)
        return false; /* a balloon hole, or made ready meanwhile: p2m_fault_is_spurious() says */
    if (state == CHUNK_HOLE)
        return false; /* nothing there: the guest gets what an unmapped access gets */
    int rc = ready_range(d, b, ipa, 1);
    if (rc == -XAM_ENOMEM) {
        log_err("%s (domain %u): out of memory for its stage-2 tables at 0x%llx", d->name, d->id,
                (unsigned long long)ipa);
        return false;
    }
    return rc == 0;
}

void domain_ram_release(struct domain *d)
{
    uint64_t flags = spin_lock_irqsave(&d->ram_lock);
    /* the banks themselves: p2m_release() (what others still map stays) */
    p2m_release(d);
    for (unsigned i = 0; i < d->nr_banks; i++)
        if (d->banks[i].chunks)
            memory_free((paddr_t)(uintptr_t)d->banks[i].chunks, chunks_bytes(&d->banks[i]));
    d->nr_banks = 0;
    d->lazy_ram = false;
    spin_unlock_irqrestore(&d->ram_lock, flags);
}
