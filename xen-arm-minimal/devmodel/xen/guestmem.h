/* A client's RAM for the devices: copies through foreign mappings
 * (xenforeignmemory_map) of aligned chunks, kept in a small LRU cache.
 * Each mapping costs this domain as many of its own pages (Linux's privcmd
 * maps over ballooned pages) and the hypervisor counts them (xen-arm-
 * minimal keeps at most 3072 extra mappings and balloon holes per
 * domain), so the cache is bounded. A copy may span at most max_chunks
 * chunks, so that it is never partial.
 *
 * A client whose bridge has the grants flag is reached only through its
 * grants (grantmem.h): every address must be a grant address, and no
 * foreign mapping of its RAM is made. Without the flag a grant address
 * (bit 63) is refused like any address outside the RAM banks. */
#ifndef XAM_DM_GUESTMEM_H
#define XAM_DM_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

#include <xenforeignmemory.h>

#include "config.h"
#include "grantmem.h"

#define GM_CHUNK_SHIFT 18 /* 256 KiB, 64 pages, per mapping */
#define GM_MAX_CHUNKS 32

struct gm_chunk {
    uint64_t gfn; /* first guest frame */
    uint8_t *va; /* NULL: slot unused */
    uint64_t last_use;
    uint64_t bad[(1u << (GM_CHUNK_SHIFT - 12)) / 64]; /* pages the hypervisor refused */
};

struct guestmem {
    xenforeignmemory_handle *fmem;
    unsigned domid;
    const char *name; /* for the log */
    const struct dm_bank *banks; /* the client's RAM, if known */
    unsigned nr_banks;
    unsigned max_chunks; /* <= GM_MAX_CHUNKS */
    uint64_t clock;
    struct gm_chunk *last; /* the last one looked up (checked first), or NULL */
    unsigned long maps, unmaps, refused; /* counters */
    int warned;
    bool grants; /* the bridge's grants flag: gt, never the chunks */
    struct grantmem gt;
    struct gm_chunk chunks[GM_MAX_CHUNKS];
};

/* 0, or -1 when the bridge has the grants flag and /dev/xen/gntdev does
 * not open (logged): the client cannot be served. */
int gm_init(struct guestmem *gm, xenforeignmemory_handle *fmem, const struct dm_client_cfg *cl, unsigned max_chunks);
/* Every mapping unmapped: call before the client's memory goes (it is
 * kept allocated while mapped). */
void gm_release(struct guestmem *gm);
/* 0, or -1 with nothing copied (outside the banks, a refused page; for
 * a grants bridge, see grantmem.h). */
int gm_read(struct guestmem *gm, uint64_t gpa, void *buf, size_t len);
int gm_write(struct guestmem *gm, uint64_t gpa, const void *buf, size_t len);

#endif
