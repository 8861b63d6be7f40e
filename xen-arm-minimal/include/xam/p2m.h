/* Changes to a domain's stage 2 after it is built (Xen's physmap calls):
 * pages of another domain mapped in (foreign mappings and grant maps),
 * pages the hypervisor owns mapped in (grant-table frames, ioreq pages),
 * and the domain's own RAM pages taken out and put back (the balloon).
 *
 * The rules that keep this safe:
 *   - only whole 4 KiB pages, at guest frame numbers (gfn) inside the IPA
 *     space that are not RAM in use, not a device, not emulated MMIO;
 *   - a foreign page must be RAM of the source domain (never a page the
 *     source itself has foreign-mapped or ballooned out, never the
 *     hypervisor's);
 *   - a source page stays allocated while any domain maps it: when the
 *     source stops or resets, the pages others map are kept out of the
 *     free pool until the last mapping goes (see docs/device-models.md).
 * Every call takes the p2m lock; none may be called with a run-queue or
 * domain lock held. */
#ifndef XAM_P2M_H
#define XAM_P2M_H

#include <xam/types.h>

struct domain;

/* How many extra mappings and balloon holes one domain may have (its table
 * grows up to this; see core/p2m.c for why it is large). */
#define P2M_MAX_MAPPINGS 196608

/* Map page src_gfn of src's RAM at gfn in d (read-only unless writable).
 * -XAM_EINVAL: src_gfn is not src's RAM, or gfn is not a place a page may
 * go; -XAM_EEXIST: something is mapped at gfn already; -XAM_ESRCH: src is
 * not running; -XAM_ENOSPC: d has too many extra mappings. */
int p2m_map_foreign(struct domain *d, uint64_t gfn, struct domain *src, uint64_t src_gfn, bool writable);
/* Map the hypervisor's page at pa (grant-table frame, ioreq page) at gfn
 * in d. Same errors as above; the page stays the hypervisor's. */
int p2m_map_xen_page(struct domain *d, uint64_t gfn, paddr_t pa, bool writable);
/* Remove what p2m_map_foreign or p2m_map_xen_page put at gfn. -XAM_ENOENT
 * if there is no such mapping (d's own RAM is not removed this way). */
int p2m_remove(struct domain *d, uint64_t gfn);
/* The balloon: take d's own RAM page at gfn out of its stage 2 (the host
 * page stays d's, unseen), or put it back, zeroed. -XAM_EINVAL if gfn is
 * not d's RAM; -XAM_ENOENT (populate) if it was not taken out; -XAM_EEXIST
 * (populate) if something else is mapped there now. */
int p2m_balloon_out(struct domain *d, uint64_t gfn);
int p2m_balloon_in(struct domain *d, uint64_t gfn);
/* What d's gfn is backed by, as the hypervisor must see it: its RAM, or
 * an extra mapping (NULL: nothing, or ballooned out). */
void *p2m_page_ptr(struct domain *d, uint64_t gfn, bool *writable);
/* Whether the IPA became mapped, for this kind of access, after a
 * stage-2 fault was taken on it (a mapping was being changed on another
 * CPU, a chunk of RAM made ready): the access is retried. */
enum p2m_access { P2M_READ, P2M_WRITE, P2M_EXEC };
bool p2m_fault_is_spurious(struct domain *d, paddr_t ipa, enum p2m_access access);
/* For core/guest_ram.c: map [ipa, ipa+size) of d's RAM to pa, read-write
 * (replace: in place of a read-only mapping, break before make). */
int p2m_map_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size, bool replace);
/* For an emulated device whose registers read without side effects for
 * a while (vdev/vpl011.c): the hypervisor's page at pa shown read-only,
 * never executable, over the device's page at ipa, so that reads need no
 * trap (writes still fault into the emulation); then hidden again, every
 * access trapping on every CPU once p2m_hide_page() returns. */
int p2m_show_page(struct domain *d, paddr_t ipa, paddr_t pa);
void p2m_hide_page(struct domain *d, paddr_t ipa);
/* For the lifecycle, with d's vCPUs off, before its RAM is freed: every
 * extra mapping of d goes (foreign, hypervisor pages, balloon holes); then
 * d's RAM banks are freed except the pages other domains still map, which
 * are freed when their last mapping goes. Replaces freeing the banks. */
void p2m_release(struct domain *d);

#endif
