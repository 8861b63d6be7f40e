/* Xen's memory_op structures (public/memory.h) that device models and
 * Linux's balloon use, with their arm64 layouts: xen_pfn_t and xen_ulong_t
 * are 64-bit, guest handles are 64-bit addresses. */
#ifndef XAM_XEN_ABI_MEMORY_H
#define XAM_XEN_ABI_MEMORY_H

#include <xam/types.h>

/* The low 6 bits of cmd are the op; the rest is where a continued call
 * restarts (MEMOP_EXTENT_SHIFT). */
#define MEMOP_CMD_MASK 0x3f
#define MEMOP_EXTENT_SHIFT 6

#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap 6
struct xen_memory_reservation {
    uint64_t extent_start; /* handle: array of xen_pfn_t (GFNs for translated guests) */
    uint64_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    uint16_t domid;
    uint16_t pad[3];
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, extent_order) == 16, "reservation.extent_order");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, domid) == 24, "reservation.domid");

#define XENMEM_remove_from_physmap 15
struct xen_remove_from_physmap {
    uint16_t domid;
    uint16_t pad[3];
    uint64_t gpfn;
};
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16, "xen_remove_from_physmap");

/* XENMEM_add_to_physmap_batch (once named _range): size entries of idxs
 * (the source: for gmfn_foreign, the foreign domain's GFNs) mapped at
 * gpfns, one error code per entry in errs. */
#define XENMEM_add_to_physmap_batch 23
#define XENMAPSPACE_gmfn_foreign 4
struct xen_add_to_physmap_batch {
    uint16_t domid;
    uint16_t space;
    uint16_t size;
    uint16_t foreign_domid; /* Xen's union u: only this member */
    uint64_t idxs; /* handle: xen_ulong_t[size] */
    uint64_t gpfns; /* handle: xen_pfn_t[size] */
    uint64_t errs; /* handle: int[size] */
};
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "xen_add_to_physmap_batch");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, foreign_domid) == 6, "batch.foreign_domid");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, idxs) == 8, "batch.idxs");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, errs) == 24, "batch.errs");

/* XENMEM_acquire_resource: a resource's frames mapped into the caller, at
 * the GFNs frame_list names (the caller is translated). nr_frames 0 with
 * no frame_list asks how many frames the resource has. */
#define XENMEM_acquire_resource 28
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
struct xen_mem_acquire_resource {
    uint16_t domid;
    uint16_t type;
    uint32_t id;
    uint32_t nr_frames;
    uint32_t flags; /* out: XENMEM_rsrc_acq_caller_owned */
    uint64_t frame;
    uint64_t frame_list; /* handle: xen_pfn_t[nr_frames] */
};
_Static_assert(sizeof(struct xen_mem_acquire_resource) == 32, "xen_mem_acquire_resource");
_Static_assert(__builtin_offsetof(struct xen_mem_acquire_resource, nr_frames) == 8, "acquire.nr_frames");
_Static_assert(__builtin_offsetof(struct xen_mem_acquire_resource, frame) == 16, "acquire.frame");
_Static_assert(__builtin_offsetof(struct xen_mem_acquire_resource, frame_list) == 24, "acquire.frame_list");

#endif
