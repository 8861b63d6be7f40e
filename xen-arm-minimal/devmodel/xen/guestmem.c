/* A client's RAM through cached foreign mappings (see guestmem.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "guestmem.h"
#include "log.h"

#define CHUNK_PAGES (1u << (GM_CHUNK_SHIFT - 12))
#define CHUNK_SIZE (1ull << GM_CHUNK_SHIFT)

int gm_init(struct guestmem *gm, xenforeignmemory_handle *fmem, const struct dm_client_cfg *cl, unsigned max_chunks)
{
    memset(gm, 0, sizeof(*gm));
    gm->fmem = fmem;
    gm->domid = cl->domid;
    gm->name = cl->name;
    gm->banks = cl->banks;
    gm->nr_banks = cl->nr_banks;
    gm->max_chunks = max_chunks < 2 ? 2 : max_chunks > GM_MAX_CHUNKS ? GM_MAX_CHUNKS : max_chunks;
    gm->grants = cl->bridge.flags & DM_BRIDGE_GRANTS;
    return gm->grants ? gt_open(&gm->gt, cl->domid, cl->name) : 0;
}


static void unmap_chunk(struct guestmem *gm, struct gm_chunk *c)
{
    if (!c->va)
        return;
    if (xenforeignmemory_unmap(gm->fmem, c->va, CHUNK_PAGES))
        dm_log_client(gm->name, "unmapping guest 0x%llx+0x%llx: %s", (unsigned long long)c->gfn << 12, CHUNK_SIZE,
                      strerror(errno));
    c->va = NULL;
    gm->unmaps++;
}

void gm_release(struct guestmem *gm)
{
    for (unsigned i = 0; i < GM_MAX_CHUNKS; i++)
        unmap_chunk(gm, &gm->chunks[i]);
    /* grants are never kept mapped past a copy; a new life logs anew */
    gt_reset_log(&gm->gt);
}

/* [gpa, gpa + len) inside one of the client's banks (true when it has
 * none listed: the hypervisor then refuses what is not its RAM). */
static bool in_ram(const struct guestmem *gm, uint64_t gpa, size_t len)
{
    if (gpa + len < gpa)
        return false;
    if (!gm->nr_banks)
        return true;
    for (unsigned i = 0; i < gm->nr_banks; i++) {
        const struct dm_bank *b = &gm->banks[i];
        if (gpa >= b->base && gpa - b->base <= b->size && len <= b->size - (gpa - b->base))
            return true;
    }
    return false;
}

/* The chunk holding gfn, mapped (the least recently used one replaced). */
static struct gm_chunk *chunk_for(struct guestmem *gm, uint64_t gfn)
{
    uint64_t first = gfn & ~(uint64_t)(CHUNK_PAGES - 1);
    /* a copy looks up every page twice, mostly in one chunk: the last one
     * found is checked before the scan (it was most of a disk request's
     * cost in the device model's own code) */
    struct gm_chunk *victim = gm->last;
    if (victim && victim->va && victim->gfn == first) {
        victim->last_use = ++gm->clock;
        return victim;
    }
    victim = NULL;
    for (unsigned i = 0; i < gm->max_chunks; i++) {
        struct gm_chunk *c = &gm->chunks[i];
        if (c->va && c->gfn == first) {
            c->last_use = ++gm->clock;
            gm->last = c;
            return c;
        }
        if (!victim || !c->va || (victim->va && c->last_use < victim->last_use))
            victim = c;
    }
    unmap_chunk(gm, victim);
    xen_pfn_t gfns[CHUNK_PAGES];
    int err[CHUNK_PAGES];
    for (unsigned i = 0; i < CHUNK_PAGES; i++)
        gfns[i] = first + i, err[i] = 0;
    void *va = xenforeignmemory_map(gm->fmem, gm->domid, PROT_READ | PROT_WRITE, CHUNK_PAGES, gfns, err);
    if (!va) {
        if (!gm->warned++)
            dm_log_client(gm->name, "foreign mapping of guest 0x%llx+0x%llx failed: %s (logged once)",
                          (unsigned long long)first << 12, CHUNK_SIZE, strerror(errno));
        return NULL;
    }
    memset(victim->bad, 0, sizeof(victim->bad));
    for (unsigned i = 0; i < CHUNK_PAGES; i++)
        if (err[i])
            victim->bad[i / 64] |= 1ull << (i % 64);
    victim->va = va;
    victim->gfn = first;
    victim->last_use = ++gm->clock;
    gm->last = victim;
    gm->maps++;
    return victim;
}

static int copy(struct guestmem *gm, uint64_t gpa, void *buf, size_t len, bool write)
{
    if (!len)
        return 0;
    if (gm->grants)
        return write ? gt_write(&gm->gt, gpa, buf, len) : gt_read(&gm->gt, gpa, buf, len);
    /* a grant address where the bridge has no grants flag: the client's
     * driver believes in grant DMA that this bridge does not have (and
     * with no banks known the hypervisor would be asked for a frame at
     * bit 63 and refuse it anyway) */
    if (gpa & GT_ADDR_FLAG) {
        if (!gm->refused++)
            dm_log_client(gm->name,
                          "guest memory 0x%llx+0x%zx: a grant address, but the bridge has no grants flag; refused "
                          "(the first refusal, logged once)",
                          (unsigned long long)gpa, len);
        return -1;
    }
    /* A range spans at most max_chunks chunks, so that once every page of it
     * is checked, all of it is still mapped for the copy: never partial. */
    if (len > (size_t)(gm->max_chunks - 1) * CHUNK_SIZE || !in_ram(gm, gpa, len)) {
        if (!gm->refused++)
            dm_log_client(gm->name, "guest memory 0x%llx+0x%zx: %s; refused (the first refusal, logged once)",
                          (unsigned long long)gpa, len,
                          len > (size_t)(gm->max_chunks - 1) * CHUNK_SIZE ? "longer than one copy may be"
                                                                          : "not the client's RAM");
        return -1;
    }
    /* check every page first: nothing is copied unless all of it can be */
    for (uint64_t a = gpa & ~0xfffull; a < gpa + len; a += 0x1000) {
        struct gm_chunk *c = chunk_for(gm, a >> 12);
        unsigned page = c ? (unsigned)((a >> 12) - c->gfn) : 0;
        if (!c || (c->bad[page / 64] >> (page % 64) & 1)) {
            if (!gm->refused++)
                dm_log_client(gm->name, "guest memory 0x%llx: the hypervisor refused to map it (logged once)",
                              (unsigned long long)a);
            return -1;
        }
        if (a + 0x1000 < a)
            break;
    }
    uint8_t *p = buf;
    while (len) {
        struct gm_chunk *c = chunk_for(gm, gpa >> 12);
        if (!c)
            return -1;
        uint64_t off = gpa - (c->gfn << 12);
        size_t n = CHUNK_SIZE - off < len ? (size_t)(CHUNK_SIZE - off) : len;
        if (write)
            memcpy(c->va + off, p, n);
        else
            memcpy(p, c->va + off, n);
        p += n, gpa += n, len -= n;
    }
    return 0;
}

int gm_read(struct guestmem *gm, uint64_t gpa, void *buf, size_t len) { return copy(gm, gpa, buf, len, false); }
int gm_write(struct guestmem *gm, uint64_t gpa, const void *buf, size_t len)
{
    return copy(gm, gpa, (void *)(uintptr_t)buf, len, true);
}
