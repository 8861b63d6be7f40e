/* Grant tables v1 (core/grant_table.c, hypercall/grant_table_op.c and the
 * grant-table space of XENMEM_add_to_physmap) over the fake architecture,
 * through the hypercalls a guest makes: Linux's start-up sequence, a
 * device model mapping and copying its client's grants, and the hostile
 * cases (refs beyond the table, grantee mismatch, a read-only grant asked
 * for writing, the granter rewriting its entry during the pin, copies
 * crossing a page, maptrack exhaustion, limits, version 2, bad handles,
 * either side stopping while mapped). Guest pointers are guest physical
 * addresses here (the fake's guest_copy_*); ASan sees any use after free,
 * the teardown any leak. */
#include "guest_env.h"
#include <xam/grant_table.h>
#include <xam/hypercall.h>
#include <xam/p2m.h>
#include <xam/xen_abi.h>

#define GFN(ipa) ((uint64_t)(ipa) >> PAGE_SHIFT)
#define GNT_GFN GFN(GUEST_GNTTAB_BASE)
#define BUF (ENV_RAM + 0x1000) /* operation arrays (up to 0x10000 bytes) */
#define BUF2 (ENV_RAM + 0x20000)
#define PAGES (ENV_RAM + 0x40000) /* pages the client grants */
#define MAP_AT 0x60000000ULL /* where the device model maps them: nothing else there */
#define OUTSIDE (ENV_RAM + ENV_RAM_SIZE)

static struct domain *client, *dm, *other;

static struct {
    unsigned calls, rewrites;
    uint32_t value; /* what the granter writes, XOR toggle each time if toggle */
    uint32_t toggle;
} race;

/* The granter's vCPU writes its entry between our read and our
 * compare-and-swap (see gnttab_entry_window in grant_table.h). */
void gnttab_entry_window(uint32_t *word)
{
    race.calls++;
    if (race.rewrites) {
        race.rewrites--;
        __atomic_store_n(word, race.value, __ATOMIC_RELEASE);
        race.value ^= race.toggle;
    }
}

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(hypercall_init(), 0);
    assert_int_equal(gnttab_init(), 0);
    assert_int_equal(gnttab_init(), 0); /* once is enough */
    memset(&race, 0, sizeof(race));
    env_keeper();
    dm = env_domain("dm", 1, NULL, true);
    client = env_domain("client", 2, NULL, true);
    client->device_model = dm;
    other = env_domain("other", 1, NULL, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

static long hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (long)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, a2, 0);
}

/* grant_table_op as a guest sees it: a call continued by the hypervisor
 * (its PC moved back onto the HVC) is made again until it completes.
 * *parts: how many entries it took. */
static long gnt_parts(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count, unsigned *parts)
{
    uint64_t pc = v->arch.regs.pc;
    long rc = hcall(v, __HYPERVISOR_grant_table_op, cmd, uop, count);
    unsigned n = 1;
    while (v->arch.regs.pc == pc - 4) {
        assert_int_equal(v->arch.regs.x[0], cmd);
        assert_int_equal(v->arch.regs.x[16], __HYPERVISOR_grant_table_op);
        v->arch.regs.pc = pc; /* the HVC again */
        rc = hcall(v, __HYPERVISOR_grant_table_op, v->arch.regs.x[0], v->arch.regs.x[1], v->arch.regs.x[2]);
        assert_true(++n < 100000);
    }
    assert_int_equal(v->arch.regs.pc, pc);
    if (parts)
        *parts = n;
    return rc;
}

static long gnt(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count)
{
    return gnt_parts(v, cmd, uop, count, NULL);
}

static long add_frame(struct domain *d, uint64_t idx, uint64_t gfn)
{
    struct xen_add_to_physmap *x = env_guest(d, BUF2, sizeof(*x));
    *x = (struct xen_add_to_physmap){ .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gfn };
    return hcall(&d->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF2, 0);
}

/* The granter's table as its guest sees it (frame 0 at GUEST_GNTTAB_BASE). */
static struct grant_entry_v1 *entry(struct domain *d, uint32_t ref)
{
    bool w;
    struct grant_entry_v1 *f = p2m_page_ptr(d, GNT_GFN + ref / 512, &w);
    assert_non_null(f);
    assert_true(w);
    return &f[ref % 512];
}

/* The guest writes a grant, as Linux's gnttab_update_entry_v1. */
static void grant(struct domain *d, uint32_t ref, struct domain *to, uint64_t ipa, uint16_t flags)
{
    struct grant_entry_v1 *e = entry(d, ref);
    e->domid = (uint16_t)to->id;
    e->frame = (uint32_t)GFN(ipa);
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

static void table_up(struct domain *d) { assert_int_equal(add_frame(d, 0, GNT_GFN), 0); }

static struct gnttab_map_grant_ref map_op(struct domain *granter, uint32_t ref, uint64_t at, uint32_t flags)
{
    return (struct gnttab_map_grant_ref){
        .host_addr = at, .flags = flags, .ref = ref, .dom = (uint16_t)granter->id, .status = 99, .handle = 0xdead
    };
}

/* One map by v's domain: the status; *handle if asked. */
static int map1(struct domain *by, struct domain *granter, uint32_t ref, uint64_t at, uint32_t flags, uint32_t *handle)
{
    struct gnttab_map_grant_ref *op = env_guest(by, BUF, sizeof(*op));
    *op = map_op(granter, ref, at, flags);
    assert_int_equal(gnt(&by->vcpus[0], GNTTABOP_map_grant_ref, BUF, 1), 0);
    if (handle)
        *handle = op->handle;
    return op->status;
}

static int unmap1(struct domain *by, uint32_t handle, uint64_t at)
{
    struct gnttab_unmap_grant_ref *op = env_guest(by, BUF, sizeof(*op));
    *op = (struct gnttab_unmap_grant_ref){ .host_addr = at, .handle = handle, .status = 99 };
    assert_int_equal(gnt(&by->vcpus[0], GNTTABOP_unmap_grant_ref, BUF, 1), 0);
    return op->status;
}

static void *mapped_page(struct domain *d, uint64_t ipa, bool *writable)
{
    bool w;
    return p2m_page_ptr(d, GFN(ipa), writable ? writable : &w);
}

/* ---- Linux's start-up, the table's frames and limits ---- */

static void linux_start_up(void **state)
{
    (void)state;
    struct vcpu *v = &client->vcpus[0];
    /* gnttab_setup_auto_xlat_frames: query_size */
    struct gnttab_query_size *q = env_guest(client, BUF, sizeof(*q));
    *q = (struct gnttab_query_size){ .dom = DOMID_SELF, .status = 99 };
    assert_int_equal(gnt(v, GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->status, GNTST_okay);
    assert_int_equal(q->nr_frames, 1);
    assert_int_equal(q->max_nr_frames, 64);
    /* gnttab_request_version: set_version(1) */
    uint32_t *ver = env_guest(client, BUF, 8);
    *ver = 1;
    assert_int_equal(gnt(v, GNTTABOP_set_version, BUF, 1), 0);
    assert_int_equal(*ver, 1);
    /* gnttab_map: frame 0 at the region's start */
    assert_int_equal(add_frame(client, 0, GNT_GFN), 0);
    uint64_t *page = mapped_page(client, GUEST_GNTTAB_BASE, NULL);
    assert_non_null(page);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(page[i], 0);
    /* get_version, setup_table (what a guest that is not auto-translated
     * would use: the frames' gfns, INVALID for one mapped nowhere) */
    struct gnttab_get_version *gv = env_guest(client, BUF, sizeof(*gv));
    *gv = (struct gnttab_get_version){ .dom = DOMID_SELF };
    assert_int_equal(gnt(v, GNTTABOP_get_version, BUF, 1), 0);
    assert_int_equal(gv->version, 1);
    struct gnttab_setup_table *st = env_guest(client, BUF, sizeof(*st));
    uint64_t *list = env_guest(client, BUF + 0x100, 3 * 8);
    list[0] = list[1] = list[2] = 7;
    *st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 2, .status = 99, .frame_list = BUF + 0x100 };
    assert_int_equal(gnt(v, GNTTABOP_setup_table, BUF, 1), 0);
    assert_int_equal(st->status, GNTST_okay);
    assert_int_equal(list[0], GNT_GFN);
    assert_int_equal(list[1], GNTTAB_INVALID_GFN);
    assert_int_equal(list[2], 7);
    *q = (struct gnttab_query_size){ .dom = (uint16_t)client->id };
    assert_int_equal(gnt(v, GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->nr_frames, 2);
    /* frame 1 where Linux puts it; the guest's entries are the page */
    assert_int_equal(add_frame(client, 1, GNT_GFN + 1), 0);
    grant(client, 600, dm, PAGES, GTF_permit_access);
    assert_int_equal(((uint32_t *)mapped_page(client, GUEST_GNTTAB_BASE + PAGE_SIZE, NULL))[2 * 88 + 1], GFN(PAGES));
    /* its device model may ask about it; nobody else */
    *q = (struct gnttab_query_size){ .dom = (uint16_t)client->id };
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_query_size, BUF, 1), 0); /* BUF is dm's own memory here */
    q = env_guest(dm, BUF, sizeof(*q));
    *q = (struct gnttab_query_size){ .dom = (uint16_t)client->id };
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->status, GNTST_okay);
    assert_int_equal(q->nr_frames, 2);
    q = env_guest(other, BUF, sizeof(*q));
    *q = (struct gnttab_query_size){ .dom = (uint16_t)client->id, .status = 99 };
    assert_int_equal(gnt(&other->vcpus[0], GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->status, GNTST_permission_denied);
    *q = (struct gnttab_query_size){ .dom = 77, .status = 99 };
    assert_int_equal(gnt(&other->vcpus[0], GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->status, GNTST_bad_domain);
    gv = env_guest(other, BUF, sizeof(*gv));
    *gv = (struct gnttab_get_version){ .dom = (uint16_t)client->id };
    assert_int_equal(gnt(&other->vcpus[0], GNTTABOP_get_version, BUF, 1), -XAM_EPERM);
    *gv = (struct gnttab_get_version){ .dom = 77 };
    assert_int_equal(gnt(&other->vcpus[0], GNTTABOP_get_version, BUF, 1), -XAM_ESRCH);
    gv = env_guest(dm, BUF, sizeof(*gv));
    *gv = (struct gnttab_get_version){ .dom = (uint16_t)client->id };
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_get_version, BUF, 1), 0);
    assert_int_equal(gv->version, 1);
}

static void version_two_refused(void **state)
{
    (void)state;
    struct vcpu *v = &client->vcpus[1];
    uint32_t *ver = env_guest(client, BUF, 4);
    static const struct {
        uint32_t want;
        long rc;
    } c[] = { { 2, -XAM_ENOSYS }, { 0, -XAM_EINVAL }, { 3, -XAM_EINVAL }, { 0xffffffff, -XAM_EINVAL }, { 1, 0 } };
    for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
        *ver = c[i].want;
        assert_int_equal(gnt(v, GNTTABOP_set_version, BUF, 1), c[i].rc);
        assert_int_equal(*ver, 1); /* the version in effect, written back either way */
    }
    assert_int_equal(gnt(v, GNTTABOP_set_version, OUTSIDE, 1), -XAM_EFAULT);
}

static void frames_and_limits(void **state)
{
    (void)state;
    /* Xen's default limit: 64 frames; beyond it, or a v2 status frame */
    assert_int_equal(add_frame(client, 64, GNT_GFN + 64), -XAM_EINVAL);
    assert_int_equal(add_frame(client, 0 | XENMAPIDX_grant_table_status, GNT_GFN), -XAM_EINVAL);
    assert_int_equal(add_frame(client, UINT64_MAX, GNT_GFN), -XAM_EINVAL);
    assert_int_equal(add_frame(client, 63, GNT_GFN + 63), 0); /* the table grows to 64 */
    /* where no page may go: RAM, beyond the IPA space, taken */
    assert_int_equal(add_frame(client, 1, GFN(ENV_RAM)), -XAM_EEXIST);
    assert_int_equal(add_frame(client, 1, 1ULL << 40), -XAM_EINVAL);
    assert_int_equal(add_frame(client, 1, GNT_GFN + 63), -XAM_EEXIST);
    /* another domain's table: not through this call */
    struct xen_add_to_physmap *x = env_guest(client, BUF2, sizeof(*x));
    *x = (struct xen_add_to_physmap){ .domid = (uint16_t)dm->id, .space = XENMAPSPACE_grant_table, .gpfn = GNT_GFN };
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF2, 0), -XAM_EPERM);
    /* a frame mapped somewhere is not mapped again elsewhere (Xen 4.17 on
     * Arm: -EBUSY); once the guest took it out, it may */
    assert_int_equal(add_frame(client, 0, GNT_GFN), 0);
    assert_int_equal(add_frame(client, 0, GNT_GFN + 100), -XAM_EBUSY);
    assert_int_equal(add_frame(client, 0, GNT_GFN), -XAM_EBUSY);
    grant(client, 5, dm, PAGES, GTF_permit_access);
    assert_int_equal(p2m_remove(client, GNT_GFN), 0);
    assert_null(mapped_page(client, GUEST_GNTTAB_BASE, NULL));
    assert_int_equal(add_frame(client, 0, GNT_GFN + 100), 0);
    /* the same frame, its entries kept */
    struct grant_entry_v1 *e = (struct grant_entry_v1 *)mapped_page(client, GUEST_GNTTAB_BASE + 100 * PAGE_SIZE, NULL);
    assert_int_equal(e[5].frame, GFN(PAGES));
    struct gnttab_setup_table *st = env_guest(client, BUF, sizeof(*st));
    uint64_t *list = env_guest(client, BUF + 0x100, 64 * 8);
    *st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 64, .frame_list = BUF + 0x100 };
    assert_int_equal(gnt(&client->vcpus[0], GNTTABOP_setup_table, BUF, 1), 0);
    assert_int_equal(st->status, GNTST_okay);
    assert_int_equal(list[0], GNT_GFN + 100);
    assert_int_equal(list[1], GNTTAB_INVALID_GFN);
    assert_int_equal(list[63], GNT_GFN + 63);
    /* more than the limit, a list outside its RAM, a count not 1 */
    st->nr_frames = 65;
    assert_int_equal(gnt(&client->vcpus[0], GNTTABOP_setup_table, BUF, 1), 0);
    assert_int_equal(st->status, GNTST_general_error);
    *st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 2, .frame_list = OUTSIDE - 8 };
    assert_int_equal(gnt(&client->vcpus[0], GNTTABOP_setup_table, BUF, 1), 0);
    assert_int_equal(st->status, GNTST_bad_virt_addr);
    assert_int_equal(gnt(&client->vcpus[0], GNTTABOP_setup_table, BUF, 2), -XAM_EINVAL);
    assert_int_equal(gnt(&client->vcpus[0], GNTTABOP_query_size, BUF, 0), -XAM_EINVAL);
    /* a limit from the domain node, before the table is made */
    dm->max_grant_frames = 2;
    assert_int_equal(add_frame(dm, 2, GNT_GFN + 2), -XAM_EINVAL);
    assert_int_equal(add_frame(dm, 1, GNT_GFN + 1), 0);
    struct gnttab_query_size *q = env_guest(dm, BUF, sizeof(*q));
    *q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->nr_frames, 2);
    assert_int_equal(q->max_nr_frames, 2);
    /* and the caps on absurd ones */
    other->max_grant_frames = 100000;
    other->max_maptrack_frames = 100000;
    assert_int_equal(gnttab_max_frames(other), GNTTAB_LIMIT_FRAMES);
    assert_int_equal(gnttab_max_maptrack_frames(other), GNTTAB_LIMIT_MAPTRACK_FRAMES);
    assert_int_equal(add_frame(other, 4095, GNT_GFN), 0);
    assert_int_equal(add_frame(other, 4096, GNT_GFN + 1), -XAM_EINVAL);
    /* memory running out while the table grows: nothing half done */
    struct domain *late = env_domain("late", 1, NULL, true);
    fake_mem_fail_at(4); /* the table, frame 0 (two pages), then frame 1 fails */
    assert_int_equal(add_frame(late, 5, GNT_GFN + 5), -XAM_EINVAL);
    fake_mem_fail_at(0);
    q = env_guest(late, BUF, sizeof(*q));
    *q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    assert_int_equal(gnt(&late->vcpus[0], GNTTABOP_query_size, BUF, 1), 0);
    assert_int_equal(q->nr_frames, 1);
}

/* ---- mapping ---- */

static void map_and_unmap(void **state)
{
    (void)state;
    table_up(client);
    uint8_t *page = env_guest(client, PAGES, PAGE_SIZE);
    memset(page, 0x5a, PAGE_SIZE);
    grant(client, 8, dm, PAGES, GTF_permit_access);
    struct gnttab_map_grant_ref *op = env_guest(dm, BUF, sizeof(*op));
    *op = map_op(client, 8, MAP_AT, GNTMAP_host_map);
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_map_grant_ref, BUF, 1), 0);
    assert_int_equal(op->status, GNTST_okay);
    assert_int_equal(op->dev_bus_addr, 0); /* no host address to a domain that is not direct-mapped */
    uint32_t h = op->handle;
    assert_int_equal(entry(client, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    bool w;
    uint8_t *seen = mapped_page(dm, MAP_AT, &w);
    assert_ptr_equal(seen, page);
    assert_true(w);
    seen[100] = 0x11; /* the device model writes, the client sees it */
    assert_int_equal(page[100], 0x11);
    /* Linux's end_foreign_access fails while mapped */
    uint16_t f = GTF_permit_access | GTF_reading | GTF_writing;
    assert_false(__atomic_compare_exchange_n(&entry(client, 8)->flags, &(uint16_t){ GTF_permit_access }, 0, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    /* mapped twice: two handles, one pin each */
    uint32_t h2;
    assert_int_equal(map1(dm, client, 8, MAP_AT + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    assert_int_not_equal(h, h2);
    assert_false(mapped_page(dm, MAP_AT + PAGE_SIZE, &w) == NULL);
    assert_false(w);
    /* wrong handles and addresses: refused, nothing changed */
    assert_int_equal(unmap1(dm, h, MAP_AT + PAGE_SIZE), GNTST_general_error);
    assert_int_equal(unmap1(dm, 12345, MAP_AT), GNTST_bad_handle);
    assert_int_equal(unmap1(dm, 0xffffffff, MAP_AT), GNTST_bad_handle);
    assert_int_equal(unmap1(dm, h2 + 1, MAP_AT), GNTST_bad_handle); /* a free handle */
    assert_int_equal(unmap1(client, h, MAP_AT), GNTST_bad_handle); /* not the client's */
    assert_int_equal(unmap1(dm, h, 0), GNTST_okay); /* Xen: host_addr 0 leaves the mapping alone */
    assert_non_null(mapped_page(dm, MAP_AT, NULL));
    assert_int_equal(entry(client, 8)->flags, f);
    /* the writable one goes: GTF_writing with it, GTF_reading stays */
    assert_int_equal(unmap1(dm, h, MAP_AT + 0x123), GNTST_okay);
    assert_null(mapped_page(dm, MAP_AT, NULL));
    assert_int_equal(entry(client, 8)->flags, GTF_permit_access | GTF_reading);
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_bad_handle); /* twice */
    assert_int_equal(unmap1(dm, h2, MAP_AT + PAGE_SIZE), GNTST_okay);
    assert_int_equal(entry(client, 8)->flags, GTF_permit_access);
    assert_null(mapped_page(dm, MAP_AT + PAGE_SIZE, NULL));
    /* the client may end access now */
    f = GTF_permit_access;
    assert_true(
        __atomic_compare_exchange_n(&entry(client, 8)->flags, &f, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    /* the other way round: the device model grants, its client maps */
    table_up(dm);
    grant(dm, 9, client, ENV_RAM + 0x50000, GTF_permit_access | GTF_readonly);
    assert_int_equal(map1(client, dm, 9, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    assert_ptr_equal(mapped_page(client, MAP_AT, NULL), env_guest(dm, ENV_RAM + 0x50000, PAGE_SIZE));
    /* the mapping removed by the holder itself: the handle still unpins */
    assert_int_equal(p2m_remove(client, GFN(MAP_AT)), 0);
    assert_int_equal(unmap1(client, h, MAP_AT), GNTST_okay);
    assert_int_equal(entry(dm, 9)->flags, GTF_permit_access | GTF_readonly);
}

static void readonly_grants(void **state)
{
    (void)state;
    table_up(client);
    grant(client, 10, dm, PAGES, GTF_permit_access | GTF_readonly);
    assert_int_equal(map1(dm, client, 10, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry(client, 10)->flags, GTF_permit_access | GTF_readonly);
    assert_null(mapped_page(dm, MAP_AT, NULL));
    uint32_t h;
    assert_int_equal(map1(dm, client, 10, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    assert_int_equal(entry(client, 10)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    bool w = true;
    assert_non_null(mapped_page(dm, MAP_AT, &w));
    assert_false(w);
    /* pinned read-only, still not writable */
    assert_int_equal(map1(dm, client, 10, MAP_AT + PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry(client, 10)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    /* a writable grant pinned read-only may then be mapped writable */
    grant(client, 11, dm, PAGES, GTF_permit_access);
    uint32_t h1, h2;
    assert_int_equal(map1(dm, client, 11, MAP_AT + 2 * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h1), 0);
    assert_int_equal(entry(client, 11)->flags, GTF_permit_access | GTF_reading);
    assert_int_equal(map1(dm, client, 11, MAP_AT + 3 * PAGE_SIZE, GNTMAP_host_map, &h2), 0);
    assert_int_equal(entry(client, 11)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(unmap1(dm, h1, MAP_AT + 2 * PAGE_SIZE), GNTST_okay);
    assert_int_equal(entry(client, 11)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(unmap1(dm, h2, MAP_AT + 3 * PAGE_SIZE), GNTST_okay);
    assert_int_equal(entry(client, 11)->flags, GTF_permit_access);
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_okay);
    assert_int_equal(entry(client, 10)->flags, GTF_permit_access | GTF_readonly);
}

static void hostile_maps(void **state)
{
    (void)state;
    table_up(client);
    grant(client, 20, dm, PAGES, GTF_permit_access);
    static const struct {
        uint32_t ref;
        uint32_t flags;
        int status;
    } c[] = {
        { 512, GNTMAP_host_map, GNTST_bad_gntref }, /* beyond its one frame */
        { 0xffffffff, GNTMAP_host_map, GNTST_bad_gntref },
        { 20, 0, GNTST_bad_gntref }, /* nothing to map */
        { 20, GNTMAP_readonly, GNTST_bad_gntref },
        { 20, GNTMAP_device_map, GNTST_general_error }, /* no device mappings on Arm */
        { 20, GNTMAP_host_map | GNTMAP_device_map, GNTST_general_error },
        { 20, GNTMAP_host_map | GNTMAP_contains_pte, GNTST_general_error },
        { 20, GNTMAP_host_map | GNTMAP_application_map, GNTST_general_error },
        { 20, GNTMAP_host_map | 1u << 16, GNTST_general_error },
        { 21, GNTMAP_host_map, GNTST_general_error }, /* an invalid entry */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
        assert_int_equal(map1(dm, client, c[i].ref, MAP_AT, c[i].flags, NULL), c[i].status);
    assert_int_equal(entry(client, 20)->flags, GTF_permit_access);
    /* the entry names another grantee; other kinds of grant */
    grant(client, 22, other, PAGES, GTF_permit_access);
    assert_int_equal(map1(dm, client, 22, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry(client, 22)->flags, GTF_permit_access);
    static const uint16_t kinds[] = { GTF_accept_transfer, GTF_transitive, GTF_permit_access | GTF_sub_page,
                                      GTF_invalid | GTF_reading };
    for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
        grant(client, 23, dm, PAGES, kinds[i]);
        assert_int_equal(map1(dm, client, 23, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
        assert_int_equal(entry(client, 23)->flags, kinds[i]);
    }
    /* a frame that is not the client's RAM, or is ballooned out: the
     * flags it set go again */
    static const uint64_t not_ram[] = { 0, GUEST_GNTTAB_BASE, OUTSIDE, 0xfffff000ULL << PAGE_SHIFT };
    for (unsigned i = 0; i < ARRAY_SIZE(not_ram); i++) {
        grant(client, 24, dm, not_ram[i], GTF_permit_access);
        assert_int_equal(map1(dm, client, 24, MAP_AT, GNTMAP_host_map, NULL), GNTST_bad_page);
        assert_int_equal(entry(client, 24)->flags, GTF_permit_access);
    }
    assert_int_equal(p2m_balloon_out(client, GFN(PAGES + PAGE_SIZE)), 0);
    grant(client, 24, dm, PAGES + PAGE_SIZE, GTF_permit_access);
    assert_int_equal(map1(dm, client, 24, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_bad_page);
    assert_int_equal(entry(client, 24)->flags, GTF_permit_access);
    /* who: an unknown domain, DOMID_SELF, a domain that is not its device
     * model, itself */
    assert_int_equal(map1(dm, client, 20, MAP_AT, GNTMAP_host_map, NULL), GNTST_okay);
    struct gnttab_map_grant_ref *op = env_guest(dm, BUF, sizeof(*op));
    *op = map_op(client, 20, MAP_AT, GNTMAP_host_map);
    op->dom = 99;
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_map_grant_ref, BUF, 1), 0);
    assert_int_equal(op->status, GNTST_bad_domain);
    op->dom = DOMID_SELF;
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_map_grant_ref, BUF, 1), 0);
    assert_int_equal(op->status, GNTST_bad_domain);
    grant(client, 25, other, PAGES, GTF_permit_access);
    assert_int_equal(map1(other, client, 25, MAP_AT, GNTMAP_host_map, NULL), GNTST_permission_denied);
    assert_int_equal(entry(client, 25)->flags, GTF_permit_access);
    grant(client, 26, client, PAGES, GTF_permit_access);
    assert_int_equal(map1(client, client, 26, MAP_AT, GNTMAP_host_map, NULL), GNTST_permission_denied);
    /* where it cannot go: its own RAM, a page taken, beyond its IPA
     * space: nothing pinned */
    static const uint64_t bad_at[] = { ENV_RAM + 0x3000, MAP_AT, 1ULL << 40 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_at); i++) {
        grant(client, 27, dm, PAGES, GTF_permit_access);
        assert_int_equal(map1(dm, client, 27, bad_at[i], GNTMAP_host_map, NULL), GNTST_general_error);
        assert_int_equal(entry(client, 27)->flags, GTF_permit_access);
    }
    /* a domain with no table has no grants */
    struct domain *fresh = env_domain("fresh", 1, NULL, true);
    fresh->device_model = client;
    assert_int_equal(map1(client, fresh, 0, MAP_AT, GNTMAP_host_map, NULL), GNTST_bad_gntref);
    /* pins count up to 127 a kind (Xen's overflow check) */
    grant(client, 28, dm, PAGES, GTF_permit_access);
    unsigned n = 0;
    while (map1(dm, client, 28, MAP_AT + (2 + n) * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, NULL) == 0)
        assert_true(++n < 1000);
    assert_int_equal(n, 128);
}

/* ---- the granter rewriting its entry while it is pinned ---- */

static uint32_t word_of(uint16_t flags, struct domain *to) { return flags | (uint32_t)to->id << 16; }

static void granter_races_the_pin(void **state)
{
    (void)state;
    table_up(client);
    uint32_t h;
    /* it revokes the grant: the pin sees it and fails, nothing set */
    grant(client, 30, dm, PAGES, GTF_permit_access);
    race = (typeof(race)){ .rewrites = 1, .value = 0 };
    assert_int_equal(map1(dm, client, 30, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(race.calls, 1);
    assert_int_equal(entry(client, 30)->flags, 0);
    assert_null(mapped_page(dm, MAP_AT, NULL));
    /* it makes it read-only under a writable map */
    grant(client, 30, dm, PAGES, GTF_permit_access);
    race = (typeof(race)){ .rewrites = 1, .value = word_of(GTF_permit_access | GTF_readonly, dm) };
    assert_int_equal(map1(dm, client, 30, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry(client, 30)->flags, GTF_permit_access | GTF_readonly);
    /* it gives it to someone else */
    grant(client, 30, dm, PAGES, GTF_permit_access);
    race = (typeof(race)){ .rewrites = 1, .value = word_of(GTF_permit_access, other) };
    assert_int_equal(map1(dm, client, 30, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry(client, 30)->domid, other->id);
    assert_int_equal(entry(client, 30)->flags, GTF_permit_access);
    /* a harmless change (a cache attribute bit): the pin is retried and
     * keeps it */
    grant(client, 30, dm, PAGES, GTF_permit_access);
    race = (typeof(race)){ .rewrites = 1, .value = word_of(GTF_permit_access | GTF_PWT, dm) };
    assert_int_equal(map1(dm, client, 30, MAP_AT, GNTMAP_host_map, &h), GNTST_okay);
    assert_int_equal(race.calls, 2);
    assert_int_equal(entry(client, 30)->flags, GTF_permit_access | GTF_PWT | GTF_reading | GTF_writing);
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_okay);
    assert_int_equal(entry(client, 30)->flags, GTF_permit_access | GTF_PWT);
    /* it never stops rewriting: given up after 5 tries, entry as it left it */
    grant(client, 31, dm, PAGES, GTF_permit_access);
    race = (typeof(race)){ .rewrites = 1000, .value = word_of(GTF_permit_access | GTF_PCD, dm), .toggle = GTF_PCD };
    assert_int_equal(map1(dm, client, 31, MAP_AT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(race.calls, 5);
    assert_false(entry(client, 31)->flags & (GTF_reading | GTF_writing));
    /* while pinned, what it writes to the frame is not looked at: the
     * mapping stays the page first pinned */
    race = (typeof(race)){ 0 };
    grant(client, 32, dm, PAGES, GTF_permit_access);
    assert_int_equal(map1(dm, client, 32, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    entry(client, 32)->frame = (uint32_t)GFN(PAGES + 5 * PAGE_SIZE);
    uint32_t h2;
    assert_int_equal(map1(dm, client, 32, MAP_AT + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    assert_ptr_equal(mapped_page(dm, MAP_AT + PAGE_SIZE, NULL), env_guest(client, PAGES, PAGE_SIZE));
    /* and a writable pin on top still re-checks the read-only flag */
    entry(client, 32)->flags |= GTF_readonly;
    assert_int_equal(map1(dm, client, 32, MAP_AT + 2 * PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_general_error);
    /* only the first pin reached a compare-and-swap: the second read-only
     * one had nothing to set, the writable one was refused before */
    assert_int_equal(race.calls, 1);
}

/* ---- copy ---- */

static struct gnttab_copy copy_op(uint64_t src, uint16_t sdom, uint16_t soff, uint64_t dst, uint16_t ddom,
                                  uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy c = { .len = len, .flags = flags, .status = 99 };
    c.source.domid = sdom;
    c.source.offset = soff;
    c.dest.domid = ddom;
    c.dest.offset = doff;
    if (flags & GNTCOPY_source_gref)
        c.source.u.ref = (uint32_t)src;
    else
        c.source.u.gmfn = src;
    if (flags & GNTCOPY_dest_gref)
        c.dest.u.ref = (uint32_t)dst;
    else
        c.dest.u.gmfn = dst;
    return c;
}

static int copy1(struct domain *by, struct gnttab_copy c)
{
    struct gnttab_copy *op = env_guest(by, BUF, sizeof(*op));
    *op = c;
    assert_int_equal(gnt(&by->vcpus[0], GNTTABOP_copy, BUF, 1), 0);
    return op->status;
}

static void copies(void **state)
{
    (void)state;
    table_up(client);
    uint16_t cid = (uint16_t)client->id;
    uint8_t *cpage = env_guest(client, PAGES, PAGE_SIZE), *dpage = env_guest(dm, ENV_RAM + 0x8000, PAGE_SIZE);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        dpage[i] = (uint8_t)i;
    grant(client, 40, dm, PAGES, GTF_permit_access);
    grant(client, 41, dm, PAGES + PAGE_SIZE, GTF_permit_access | GTF_readonly);
    uint8_t *rpage = env_guest(client, PAGES + PAGE_SIZE, PAGE_SIZE);
    memset(rpage, 0x77, PAGE_SIZE);
    /* into the client's writable grant, from its own frame */
    assert_int_equal(copy1(dm, copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 16, 40, cid, 100, 300, GNTCOPY_dest_gref)),
                     GNTST_okay);
    assert_memory_equal(cpage + 100, dpage + 16, 300);
    assert_int_equal(cpage[99], 0);
    assert_int_equal(cpage[400], 0);
    assert_int_equal(entry(client, 40)->flags, GTF_permit_access); /* pinned only while copying */
    /* out of the read-only one */
    assert_int_equal(copy1(dm, copy_op(41, cid, 0, GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 4096, GNTCOPY_source_gref)),
                     GNTST_okay);
    assert_int_equal(dpage[0], 0x77);
    assert_int_equal(dpage[4095], 0x77);
    assert_int_equal(entry(client, 41)->flags, GTF_permit_access | GTF_readonly);
    /* grant to grant, overlapping in one page */
    memset(cpage, 0, PAGE_SIZE);
    cpage[0] = 1;
    cpage[1] = 2;
    assert_int_equal(copy1(dm, copy_op(40, cid, 0, 40, cid, 1, 2, GNTCOPY_source_gref | GNTCOPY_dest_gref)),
                     GNTST_okay);
    assert_int_equal(cpage[1], 1);
    assert_int_equal(cpage[2], 2);
    assert_int_equal(entry(client, 40)->flags, GTF_permit_access);
    /* the hostile ones */
    struct {
        struct gnttab_copy c;
        int status;
    } c[] = {
        /* crossing the end of a page, either side */
        { copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 4000, 40, cid, 0, 200, GNTCOPY_dest_gref), GNTST_bad_copy_arg },
        { copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 40, cid, 4095, 2, GNTCOPY_dest_gref), GNTST_bad_copy_arg },
        { copy_op(40, cid, 0, GFN(ENV_RAM), DOMID_SELF, 0, 65535, GNTCOPY_source_gref), GNTST_bad_copy_arg },
        /* into a read-only grant */
        { copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 41, cid, 0, 8, GNTCOPY_dest_gref), GNTST_general_error },
        /* a frame named with a domain id, even its own */
        { copy_op(GFN(ENV_RAM), (uint16_t)dm->id, 0, 40, cid, 0, 8, GNTCOPY_dest_gref), GNTST_permission_denied },
        { copy_op(40, cid, 0, GFN(ENV_RAM), cid, 0, 8, GNTCOPY_source_gref), GNTST_permission_denied },
        /* a frame not its RAM */
        { copy_op(GFN(OUTSIDE), DOMID_SELF, 0, 40, cid, 0, 8, GNTCOPY_dest_gref), GNTST_bad_page },
        { copy_op(~0ULL, DOMID_SELF, 0, 40, cid, 0, 8, GNTCOPY_dest_gref), GNTST_bad_page },
        { copy_op(40, cid, 0, GFN(GUEST_GNTTAB_BASE), DOMID_SELF, 0, 8, GNTCOPY_source_gref), GNTST_bad_page },
        /* grants: beyond the table, unknown domain, its own */
        { copy_op(GFN(ENV_RAM), DOMID_SELF, 0, 600, cid, 0, 8, GNTCOPY_dest_gref), GNTST_bad_gntref },
        { copy_op(GFN(ENV_RAM), DOMID_SELF, 0, 40, 99, 0, 8, GNTCOPY_dest_gref), GNTST_bad_domain },
        { copy_op(GFN(ENV_RAM), DOMID_SELF, 0, 40, DOMID_SELF, 0, 8, GNTCOPY_dest_gref), GNTST_permission_denied },
        /* an empty copy is not looked at */
        { copy_op(~0ULL, 99, 60000, ~0ULL, 98, 60000, 0, 0), GNTST_okay },
    };
    memset(cpage, 0xcc, PAGE_SIZE);
    for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
        assert_int_equal(copy1(dm, c[i].c), c[i].status);
        assert_int_equal(entry(client, 40)->flags, GTF_permit_access);
        assert_int_equal(entry(client, 41)->flags, GTF_permit_access | GTF_readonly);
    }
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(cpage[i], 0xcc);
    assert_int_equal(rpage[0], 0x77);
    /* someone else's grant, or one naming someone else */
    grant(client, 42, other, PAGES, GTF_permit_access);
    assert_int_equal(copy1(other, copy_op(42, cid, 0, GFN(ENV_RAM), DOMID_SELF, 0, 8, GNTCOPY_source_gref)),
                     GNTST_permission_denied);
    assert_int_equal(copy1(dm, copy_op(42, cid, 0, GFN(ENV_RAM), DOMID_SELF, 0, 8, GNTCOPY_source_gref)),
                     GNTST_general_error);
    /* a batch: a status each, in order */
    struct gnttab_copy *ops = env_guest(dm, BUF, 3 * sizeof(*ops));
    ops[0] = copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 40, cid, 0, 4, GNTCOPY_dest_gref);
    ops[1] = copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 41, cid, 0, 4, GNTCOPY_dest_gref);
    ops[2] = copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 4, 40, cid, 4, 4, GNTCOPY_dest_gref);
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_copy, BUF, 3), 0);
    assert_int_equal(ops[0].status, GNTST_okay);
    assert_int_equal(ops[1].status, GNTST_general_error);
    assert_int_equal(ops[2].status, GNTST_okay);
    assert_memory_equal(cpage, dpage, 8);
    /* a copy keeps the grant pinned while it runs: on top of a mapping */
    uint32_t h;
    assert_int_equal(map1(dm, client, 40, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    assert_int_equal(copy1(dm, copy_op(GFN(ENV_RAM + 0x8000), DOMID_SELF, 0, 40, cid, 0, 4, GNTCOPY_dest_gref)),
                     GNTST_okay);
    assert_int_equal(entry(client, 40)->flags, GTF_permit_access | GTF_reading);
}

/* ---- batches ---- */

static void batches_and_continuations(void **state)
{
    (void)state;
    table_up(client);
    struct vcpu *v = &dm->vcpus[0];
    struct gnttab_map_grant_ref *ops = env_guest(dm, BUF, 100 * sizeof(*ops));
    for (unsigned i = 0; i < 100; i++) {
        grant(client, 100 + i, dm, PAGES + i * PAGE_SIZE, GTF_permit_access);
        ops[i] = map_op(client, 100 + i, MAP_AT + i * PAGE_SIZE, GNTMAP_host_map);
    }
    ops[50].ref = 5000; /* one bad one: its status, the others go on */
    unsigned parts;
    assert_int_equal(gnt_parts(v, GNTTABOP_map_grant_ref, BUF, 100, &parts), 0);
    assert_int_equal(parts, 4); /* 32 a part */
    for (unsigned i = 0; i < 100; i++) {
        assert_int_equal(ops[i].status, i == 50 ? GNTST_bad_gntref : GNTST_okay);
        if (i != 50)
            assert_ptr_equal(mapped_page(dm, MAP_AT + i * PAGE_SIZE, NULL),
                             env_guest(client, PAGES + i * PAGE_SIZE, PAGE_SIZE));
    }
    struct gnttab_unmap_grant_ref *un = env_guest(dm, BUF + 0x4000, 100 * sizeof(*un));
    for (unsigned i = 0; i < 100; i++)
        un[i] = (struct gnttab_unmap_grant_ref){ .host_addr = MAP_AT + i * PAGE_SIZE, .handle = ops[i].handle };
    un[50].handle = 77777;
    assert_int_equal(gnt_parts(v, GNTTABOP_unmap_grant_ref, BUF + 0x4000, 100, &parts), 0);
    assert_int_equal(parts, 4);
    for (unsigned i = 0; i < 100; i++) {
        assert_int_equal(un[i].status, i == 50 ? GNTST_bad_handle : GNTST_okay);
        assert_null(mapped_page(dm, MAP_AT + i * PAGE_SIZE, NULL));
        assert_int_equal(entry(client, 100 + i)->flags, GTF_permit_access);
    }
    /* the call itself: bad count, cmd, array */
    assert_int_equal(hcall(v, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, BUF, 0x80000000), -XAM_EINVAL);
    assert_int_equal(hcall(v, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref | 1 << 12, BUF, 1), -XAM_EINVAL);
    assert_int_equal(hcall(v, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, OUTSIDE, 1), -XAM_EFAULT);
    assert_int_equal(hcall(v, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, BUF, 0), 0);
    /* the upper halves of cmd and count are not Xen's */
    assert_int_equal(
        hcall(v, __HYPERVISOR_grant_table_op, 0xabc00000000ULL | GNTTABOP_map_grant_ref, BUF, 0x100000000ULL), 0);
    static const unsigned unknown[] = { GNTTABOP_dump_table,
                                        GNTTABOP_transfer,
                                        GNTTABOP_unmap_and_replace,
                                        GNTTABOP_get_status_frames,
                                        GNTTABOP_swap_grant_ref,
                                        GNTTABOP_cache_flush,
                                        13,
                                        4095 };
    for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++)
        assert_int_equal(hcall(v, __HYPERVISOR_grant_table_op, unknown[i], BUF, 1), -XAM_ENOSYS);
    /* an array running out of its RAM half way: what was done stays done */
    struct gnttab_map_grant_ref *end = env_guest(dm, OUTSIDE - sizeof(*end), sizeof(*end));
    *end = map_op(client, 100, MAP_AT, GNTMAP_host_map);
    assert_int_equal(gnt(v, GNTTABOP_map_grant_ref, OUTSIDE - sizeof(*end), 2), -XAM_EFAULT);
    assert_int_equal(end->status, GNTST_okay);
    assert_non_null(mapped_page(dm, MAP_AT, NULL));
}

static void maptrack_exhaustion(void **state)
{
    (void)state;
    table_up(client);
    dm->max_maptrack_frames = 1; /* 256 handles */
    grant(client, 7, dm, PAGES, GTF_permit_access);
    struct gnttab_map_grant_ref *ops = env_guest(dm, BUF, 257 * sizeof(*ops));
    for (unsigned i = 0; i < 257; i++) {
        grant(client, 200 + i, dm, PAGES + (i % 16) * PAGE_SIZE, GTF_permit_access | GTF_readonly);
        ops[i] = map_op(client, 200 + i, MAP_AT + i * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly);
    }
    assert_int_equal(gnt(&dm->vcpus[0], GNTTABOP_map_grant_ref, BUF, 257), 0);
    for (unsigned i = 0; i < 256; i++)
        assert_int_equal(ops[i].status, GNTST_okay);
    assert_int_equal(ops[256].status, GNTST_no_space);
    assert_int_equal(entry(client, 456)->flags, GTF_permit_access | GTF_readonly); /* nothing pinned */
    assert_null(mapped_page(dm, MAP_AT + 256 * PAGE_SIZE, NULL));
    /* one handle back, one map more */
    assert_int_equal(unmap1(dm, ops[3].handle, MAP_AT + 3 * PAGE_SIZE), GNTST_okay);
    assert_int_equal(map1(dm, client, 7, MAP_AT + 300 * PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_okay);
    assert_int_equal(map1(dm, client, 7, MAP_AT + 301 * PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_no_space);
    /* no memory for a maptrack frame: no space either */
    other->device_model = dm;
    table_up(other);
    grant(other, 8, dm, ENV_RAM + 0x9000, GTF_permit_access);
    struct domain *dm2 = env_domain("dm2", 1, NULL, true);
    other->device_model = dm2;
    grant(other, 8, dm2, ENV_RAM + 0x9000, GTF_permit_access);
    fake_mem_fail_at(4); /* dm2's table is made (three pages), its maptrack frame is not */
    assert_int_equal(map1(dm2, other, 8, MAP_AT, GNTMAP_host_map, NULL), GNTST_no_space);
    fake_mem_fail_at(0);
    assert_int_equal(entry(other, 8)->flags, GTF_permit_access);
    assert_int_equal(map1(dm2, other, 8, MAP_AT, GNTMAP_host_map, NULL), GNTST_okay);
}

/* ---- either side stopping ---- */

static void granter_stops_while_mapped(void **state)
{
    (void)state;
    table_up(client);
    uint8_t *page = env_guest(client, PAGES, PAGE_SIZE);
    memset(page, 0x42, PAGE_SIZE);
    grant(client, 50, dm, PAGES, GTF_permit_access);
    grant(client, 51, dm, PAGES + PAGE_SIZE, GTF_permit_access);
    uint32_t h, h2;
    assert_int_equal(map1(dm, client, 50, MAP_AT, GNTMAP_host_map, &h), GNTST_okay);
    assert_int_equal(map1(dm, client, 51, MAP_AT + PAGE_SIZE, GNTMAP_host_map, &h2), GNTST_okay);
    domain_shutdown(client, "test: the granter stops");
    assert_null(client->gnttab);
    /* its memory is released; the pages its device model maps stay */
    domain_run_jobs();
    assert_int_equal(client->state, DOMAIN_DEAD);
    uint8_t *seen = mapped_page(dm, MAP_AT, NULL);
    assert_ptr_equal(seen, page);
    assert_int_equal(seen[7], 0x42);
    seen[8] = 1; /* ASan: still allocated */
    /* the handles still unmap (and pin nothing), once */
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_okay);
    assert_null(mapped_page(dm, MAP_AT, NULL));
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_bad_handle);
    /* no new maps of a stopped domain's grants */
    assert_int_equal(map1(dm, client, 50, MAP_AT, GNTMAP_host_map, NULL), GNTST_bad_gntref);
    /* the other mapping goes when the device model stops (teardown) */
    (void)h2;
}

static int rebuild(struct domain *d, paddr_t *entry_pc, uint64_t *x0)
{
    *entry_pc = ENV_ENTRY;
    *x0 = 0;
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    return rc ? rc : fake_intc_attach(d);
}

static void granter_resets_while_mapped(void **state)
{
    (void)state;
    table_up(client);
    grant(client, 50, dm, PAGES, GTF_permit_access);
    uint32_t h, h2;
    assert_int_equal(map1(dm, client, 50, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    /* reset and built again: a new table, whose entry 50 the old handle
     * must not unpin */
    domain_set_rebuild_hook(rebuild);
    domain_reset(client, "test: reset");
    assert_null(client->gnttab);
    domain_run_jobs();
    assert_int_equal(client->state, DOMAIN_RUNNING);
    table_up(client);
    grant(client, 50, dm, PAGES, GTF_permit_access);
    assert_int_equal(map1(dm, client, 50, MAP_AT + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    assert_ptr_not_equal(mapped_page(dm, MAP_AT, NULL), mapped_page(dm, MAP_AT + PAGE_SIZE, NULL));
    assert_int_equal(unmap1(dm, h, MAP_AT), GNTST_okay);
    assert_int_equal(entry(client, 50)->flags, GTF_permit_access | GTF_reading);
    assert_int_equal(unmap1(dm, h2, MAP_AT + PAGE_SIZE), GNTST_okay);
    assert_int_equal(entry(client, 50)->flags, GTF_permit_access);
}

static void mapper_stops_while_mapped(void **state)
{
    (void)state;
    table_up(client);
    grant(client, 60, dm, PAGES, GTF_permit_access);
    grant(client, 61, dm, PAGES + PAGE_SIZE, GTF_permit_access | GTF_readonly);
    assert_int_equal(map1(dm, client, 60, MAP_AT, GNTMAP_host_map, NULL), GNTST_okay);
    assert_int_equal(map1(dm, client, 60, MAP_AT + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay);
    assert_int_equal(map1(dm, client, 61, MAP_AT + 2 * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay);
    assert_int_equal(entry(client, 60)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    /* the device model dies: its mappings go, the flags with them */
    domain_shutdown(dm, "test: the device model stops");
    assert_null(dm->gnttab);
    assert_null(mapped_page(dm, MAP_AT, NULL));
    assert_null(mapped_page(dm, MAP_AT + 2 * PAGE_SIZE, NULL));
    assert_int_equal(entry(client, 60)->flags, GTF_permit_access);
    assert_int_equal(entry(client, 61)->flags, GTF_permit_access | GTF_readonly);
    /* so the client can end access and take its pages back */
    uint16_t f = GTF_permit_access;
    assert_true(
        __atomic_compare_exchange_n(&entry(client, 60)->flags, &f, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    /* a stopping domain's own calls (a vCPU finishing) make nothing */
    assert_int_equal(add_frame(dm, 0, GNT_GFN), -XAM_ESRCH);
    assert_int_equal(map1(dm, client, 61, MAP_AT, GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_general_error);
    assert_null(dm->gnttab);
    assert_int_equal(entry(client, 61)->flags, GTF_permit_access | GTF_readonly);
    domain_run_jobs();
    /* the client's table is its own and stays */
    assert_non_null(client->gnttab);
    assert_int_equal(entry(client, 61)->flags, GTF_permit_access | GTF_readonly);
}

static void stopping_frees_its_frames(void **state)
{
    (void)state;
    /* a table whose frames the guest took out of its stage 2 itself is
     * freed all the same, and one still mapped is taken out first */
    table_up(client);
    assert_int_equal(add_frame(client, 3, GNT_GFN + 3), 0);
    assert_int_equal(p2m_remove(client, GNT_GFN + 3), 0);
    assert_int_equal(add_frame(client, 4, GNT_GFN + 3), 0);
    domain_shutdown(client, "test");
    assert_null(mapped_page(client, GUEST_GNTTAB_BASE, NULL));
    assert_null(mapped_page(client, GUEST_GNTTAB_BASE + 3 * PAGE_SIZE, NULL));
    domain_run_jobs();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(linux_start_up, setup, teardown),
        ENV_TEST(version_two_refused, setup, teardown),
        ENV_TEST(frames_and_limits, setup, teardown),
        ENV_TEST(map_and_unmap, setup, teardown),
        ENV_TEST(readonly_grants, setup, teardown),
        ENV_TEST(hostile_maps, setup, teardown),
        ENV_TEST(granter_races_the_pin, setup, teardown),
        ENV_TEST(copies, setup, teardown),
        ENV_TEST(batches_and_continuations, setup, teardown),
        ENV_TEST(maptrack_exhaustion, setup, teardown),
        ENV_TEST(granter_stops_while_mapped, setup, teardown),
        ENV_TEST(granter_resets_while_mapped, setup, teardown),
        ENV_TEST(mapper_stops_while_mapped, setup, teardown),
        ENV_TEST(stopping_frees_its_frames, setup, teardown),
    };
    return cmocka_run_group_tests_name("grant_table", tests, NULL, NULL);
}
