/* Host memory at boot: which RAM the page allocator may hand out, and the
 * EL2 mapping of it. */
#ifndef XAM_MEMORY_H
#define XAM_MEMORY_H

#include <xam/hostdt.h>
#include <xam/palloc.h>

/* The host's physical page allocator (one machine, one pool). */
extern struct palloc host_pages;

/* Allocation from host_pages for any CPU at run time (serialised). */
int memory_alloc(uint64_t size, uint64_t align, paddr_t *pa);
void memory_free(paddr_t pa, uint64_t size);
/* A page of the hypervisor's that a guest will map (a grant-table frame,
 * a console ring, the vPL011's register page): zeroed to memory, not only
 * in our caches, since the guest may map it non-cacheable or as Device
 * memory and would read what lies under them, its previous owner's bytes. */
int memory_alloc_guest_page(paddr_t *pa);
/* Allocation and claims read the memory first (memory.c): a hole in it
 * is left out (an allocation is served from elsewhere) or refused. */
/* Guest RAM made ready on first touch: only the block's first and last
 * word are read now; the caller checks each part before writing it. */
int memory_alloc_lazy(uint64_t size, uint64_t align, paddr_t *pa);
/* Read [pa, pa+size) of an allocated block (its ends and every 2 MiB
 * boundary): 0, or -XAM_EIO with the pages where nothing answers in
 * [*bad, *bad + *bad_size), which memory_free() keeps out of the
 * allocator for good. */
int memory_check(paddr_t pa, uint64_t size, paddr_t *bad, uint64_t *bad_size);
/* Take exactly [pa, pa+size) (static memory); -XAM_EBUSY if any of it is
 * not free, -XAM_EIO if nothing answers in some of it. */
int memory_claim(paddr_t pa, uint64_t size);

/* RAM minus the hypervisor image, the device tree, /memreserve/,
 * /reserved-memory and every boot module. 0 or a negative error, with
 * a reason in *why. */
int memory_init(const struct hostdt *h, paddr_t fdt, uint64_t fdt_span, const char **why);

#endif
