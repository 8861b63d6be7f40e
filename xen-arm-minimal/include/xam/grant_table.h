/* Grant tables, version 1 (core/grant_table.c): a domain's shared table
 * of grants, the mappings of other domains' grants it holds (maptrack),
 * and the rules between the two. hypercall/grant_table_op.c decodes the
 * guest's calls into these; memory_op.c maps the table's frames.
 *
 * Who may use whose grants: a grant names its grantee in the entry, and
 * on top of that only a guest and its device model (either way round)
 * may use each other's grants (gnttab_may_use). A domain never maps or
 * copies through its own grants.
 *
 * Everything here runs under one lock (these calls are rare next to guest
 * execution; one lock keeps two domains' state consistent without an
 * order between them). It calls into core/p2m.c with that lock held,
 * never the other way round. */
#ifndef XAM_GRANT_TABLE_H
#define XAM_GRANT_TABLE_H

#include <xam/types.h>
#include <xam/xen_abi_grant.h>

struct domain;

/* Xen's defaults for a domU (gnttab_max_frames, gnttab_max_maptrack_frames),
 * used when the domain's max_grant_frames / max_maptrack_frames are 0. */
#define GNTTAB_DEFAULT_MAX_FRAMES 64
#define GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES 1024
/* Larger limits are cut to these: 4096 frames fill the 16 MiB region the
 * hypervisor node advertises (2M grants); 4096 maptrack frames are 1M
 * mappings. */
#define GNTTAB_LIMIT_FRAMES 4096
#define GNTTAB_LIMIT_MAPTRACK_FRAMES 4096
#define GNTTAB_ENTRIES_PER_FRAME 512 /* 8-byte v1 entries in 4 KiB */
#define GNTTAB_MAPTRACK_PER_FRAME 256 /* as Xen's 16-byte grant_mapping */

/* At boot: the hook that tears a stopping domain's grant state down.
 * Until it is called, grant tables are off (every call answers -ENOSYS
 * or GNTST_general_error). Idempotent. */
int gnttab_init(void);
bool gnttab_enabled(void);

/* Whether grantee may use grants that granter gives it: a guest and its
 * device model, either way round; never a domain with itself. */
bool gnttab_may_use(const struct domain *granter, const struct domain *grantee);
/* A domain's limits, Xen's defaults applied and the caps above. */
unsigned gnttab_max_frames(const struct domain *d);
unsigned gnttab_max_maptrack_frames(const struct domain *d);

/* XENMEM_add_to_physmap, space grant_table: frame idx of d's table (grown
 * to it) mapped at gfn in d. 0; -XAM_EINVAL: idx beyond the limit, a v2
 * status frame, or gfn not a place a page may go; -XAM_EEXIST: something
 * is at gfn; -XAM_EBUSY: the frame is mapped elsewhere still (Xen >= 4.17
 * on Arm: remove it first); -XAM_ENOMEM; -XAM_ESRCH: d is not running. */
int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn);

/* The operations, on Xen's structures already copied from the guest; each
 * sets op->status (GNTST_*) as Xen would. caller is the calling domain. */
void gnttab_map_grant_ref(struct domain *caller, struct gnttab_map_grant_ref *op);
void gnttab_unmap_grant_ref(struct domain *caller, struct gnttab_unmap_grant_ref *op);
void gnttab_copy(struct domain *caller, struct gnttab_copy *op);
/* setup_table for d (grown to nr_frames): GNTST_*; then the gfn each frame
 * is mapped at (GNTTAB_INVALID_GFN if none) with gnttab_frame_gfn. */
int gnttab_setup_table(struct domain *caller, struct domain *d, uint32_t nr_frames);
uint64_t gnttab_frame_gfn(struct domain *d, unsigned frame);
/* query_size for d: GNTST_* and the current and largest size in frames. */
int gnttab_query_size(struct domain *caller, struct domain *d, uint32_t *nr_frames, uint32_t *max_frames);
/* Whether caller may ask setup_table/query_size/get_version about d: d
 * itself or its device model (Xen's XSM_TARGET). */
bool gnttab_may_inspect(const struct domain *caller, const struct domain *d);

/* A seam for the host tests: called between reading a granter's entry
 * (its first word: flags | domid << 16) and the compare-and-swap that
 * pins it, where the granter's vCPUs may write it. Empty (weak) in the
 * hypervisor; a test defines it to play such a granter. */
void gnttab_entry_window(uint32_t *entry_word);

#endif
