/* A client's memory through its grants, for a bridge with the grants flag
 * (docs/bindings.md, flags bit 0): the client's driver puts Xen grant DMA
 * addresses in its virtqueues (Linux's drivers/xen/grant-dma-ops.c)
 *
 *     (1 << 63) | (grant_ref << 12) | offset_in_page
 *
 * and a range of several pages is consecutive references (Linux grants a
 * DMA buffer's pages as a sequence, gnttab_alloc_grant_reference_seq).
 * Every copy maps the references it covers with libxengnttab (Linux's
 * gntdev, then the hypervisor's GNTTABOP_map_grant_ref), read-only for
 * what the device only reads, and unmaps them before it returns: the
 * client may end its grants (gnttab_end_foreign_access) as soon as the
 * device has used a buffer, which fails while it is still mapped, and a
 * mapping kept past that would hold a page the client has reused. */
#ifndef XAM_DM_GRANTMEM_H
#define XAM_DM_GRANTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xengnttab.h>
#include <xentoollog.h>

#define GT_ADDR_FLAG (1ull << 63)
#define GT_PAGE_SHIFT 12
#define GT_PAGE_SIZE (1u << GT_PAGE_SHIFT)
/* Pages one copy may cover: 1 MiB at any offset (virtio-blk's size_max;
 * the bus copies through a 64 KiB bounce buffer anyway). */
#define GT_MAX_PAGES 257u

/* What a grant address and length cover: the first reference, how many
 * consecutive ones, and the offset in the first page. */
struct gt_range {
    uint32_t ref;
    unsigned pages;
    unsigned offset;
};

/* Decodes [addr, addr + len), len > 0: NULL, or why it is no grant range
 * (bit 63 clear, a reference above 32 bits, wrapping, too long). */
const char *gt_decode(uint64_t addr, size_t len, struct gt_range *r);

struct grantmem {
    xengnttab_handle *xgt; /* NULL: not open */
    xentoollog_logger_stdiostream *quiet; /* the library's logger: critical messages only */
    unsigned domid; /* the granting client */
    const char *name; /* for the log */
    /* counters: map calls, pages they mapped, copies refused */
    unsigned long maps, pages, refused;
    unsigned logged; /* refusals logged this life (bounded) */
};

/* Opens /dev/xen/gntdev for the client: 0, or -1 (logged). */
int gt_open(struct grantmem *gt, unsigned domid, const char *name);
void gt_close(struct grantmem *gt);
/* The client (re)connected: its refusals are logged again. */
void gt_reset_log(struct grantmem *gt);
/* 0, or -1 with nothing copied into guest memory (and the reason logged,
 * at most a few times per connection): not a grant range, a reference the
 * client did not grant to this domain (or granted read-only, for a
 * write), a page past the granted ones. len 0: 0. */
int gt_read(struct grantmem *gt, uint64_t addr, void *buf, size_t len);
int gt_write(struct grantmem *gt, uint64_t addr, const void *buf, size_t len);

#endif
