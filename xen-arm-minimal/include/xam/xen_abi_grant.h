/* Xen's grant-table ABI (public/grant_table.h, and the grant-table bits
 * of memory.h), version 1 entries only, as numbers and byte layouts for
 * arm64: xen_pfn_t and guest handles are 64-bit, handles 8-byte aligned.
 * Guests built against Xen's headers must find every field where they
 * put it, so each structure's size and offsets are checked. */
#ifndef XAM_XEN_ABI_GRANT_H
#define XAM_XEN_ABI_GRANT_H

#include <xam/types.h>

/* grant_table_op(cmd, uop array, count); Xen keeps bits 12 and up of cmd
 * for its own continuations (cache_flush only) */
#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12
#define GNTTABOP_CMD_MASK 0xfffu

/* XENMEM_add_to_physmap, space grant_table: this bit of idx asks for a
 * v2 status frame */
#define XENMAPIDX_grant_table_status 0x80000000ULL
/* a frame list entry for a frame not mapped anywhere (Xen's INVALID_GFN) */
#define GNTTAB_INVALID_GFN (~0ULL)

/* A v1 entry of the shared table: written by the granting guest, except
 * GTF_reading/GTF_writing, which the hypervisor sets while the grant is
 * in use. flags and domid are read and changed together, as one 32-bit
 * word (compare-and-swap). */
struct grant_entry_v1 {
    uint16_t flags;
    uint16_t domid; /* who may use it */
    uint32_t frame; /* the granter's gfn */
};
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(__builtin_offsetof(struct grant_entry_v1, domid) == 2, "grant_entry_v1.domid");
_Static_assert(__builtin_offsetof(struct grant_entry_v1, frame) == 4, "grant_entry_v1.frame");
#define GNTTAB_NR_RESERVED_ENTRIES 8

#define GTF_invalid 0u
#define GTF_permit_access 1u
#define GTF_accept_transfer 2u
#define GTF_transitive 3u
#define GTF_type_mask 3u
#define GTF_readonly (1u << 2)
#define GTF_reading (1u << 3)
#define GTF_writing (1u << 4)
#define GTF_PWT (1u << 5)
#define GTF_PCD (1u << 6)
#define GTF_PAT (1u << 7)
#define GTF_sub_page (1u << 8)

#define GNTMAP_device_map (1u << 0)
#define GNTMAP_host_map (1u << 1)
#define GNTMAP_readonly (1u << 2)
#define GNTMAP_application_map (1u << 3)
#define GNTMAP_contains_pte (1u << 4)

#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

struct gnttab_map_grant_ref {
    uint64_t host_addr; /* in: where to map it (a guest physical address here) */
    uint32_t flags; /* in: GNTMAP_* */
    uint32_t ref; /* in */
    uint16_t dom; /* in: the granter */
    int16_t status; /* out: GNTST_* */
    uint32_t handle; /* out */
    uint64_t dev_bus_addr; /* out */
};
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, flags) == 8, "map.flags");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, ref) == 12, "map.ref");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, dom) == 16, "map.dom");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, status) == 18, "map.status");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, handle) == 20, "map.handle");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24, "map.dev_bus_addr");

struct gnttab_unmap_grant_ref {
    uint64_t host_addr; /* in: 0 leaves the host mapping alone */
    uint64_t dev_bus_addr; /* in */
    uint32_t handle; /* in */
    int16_t status; /* out */
};
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref");
_Static_assert(__builtin_offsetof(struct gnttab_unmap_grant_ref, handle) == 16, "unmap.handle");
_Static_assert(__builtin_offsetof(struct gnttab_unmap_grant_ref, status) == 20, "unmap.status");

struct gnttab_setup_table {
    uint16_t dom; /* in */
    uint32_t nr_frames; /* in */
    int16_t status; /* out */
    uint64_t frame_list; /* in: guest handle of xen_pfn_t[nr_frames], filled */
};
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, nr_frames) == 4, "setup.nr_frames");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, status) == 8, "setup.status");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, frame_list) == 16, "setup.frame_list");

#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref (1u << 1)

struct gnttab_copy_ptr {
    union {
        uint32_t ref; /* GNTCOPY_*_gref: a grant of domid */
        uint64_t gmfn; /* otherwise: a frame of the caller (domid DOMID_SELF) */
    } u;
    uint16_t domid;
    uint16_t offset;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source, dest; /* in */
    uint16_t len; /* in */
    uint16_t flags; /* in: GNTCOPY_* */
    int16_t status; /* out */
};
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr");
_Static_assert(__builtin_offsetof(struct gnttab_copy_ptr, domid) == 8, "copy_ptr.domid");
_Static_assert(__builtin_offsetof(struct gnttab_copy_ptr, offset) == 10, "copy_ptr.offset");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy");
_Static_assert(__builtin_offsetof(struct gnttab_copy, dest) == 16, "copy.dest");
_Static_assert(__builtin_offsetof(struct gnttab_copy, len) == 32, "copy.len");
_Static_assert(__builtin_offsetof(struct gnttab_copy, flags) == 34, "copy.flags");
_Static_assert(__builtin_offsetof(struct gnttab_copy, status) == 36, "copy.status");

struct gnttab_query_size {
    uint16_t dom; /* in */
    uint32_t nr_frames; /* out */
    uint32_t max_nr_frames; /* out */
    int16_t status; /* out */
};
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, nr_frames) == 4, "query.nr_frames");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, max_nr_frames) == 8, "query.max_nr_frames");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, status) == 12, "query.status");

struct gnttab_set_version {
    uint32_t version; /* in: wanted; out: in effect */
};
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version");

struct gnttab_get_version {
    uint16_t dom; /* in */
    uint16_t pad;
    uint32_t version; /* out */
};
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version");
_Static_assert(__builtin_offsetof(struct gnttab_get_version, version) == 4, "get_version.version");

#endif
