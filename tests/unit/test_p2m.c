/* core/p2m.c over the fake architecture: the balloon, foreign and
 * hypervisor-page mappings, their refusals, and what happens to a lent
 * page when its owner or its borrower stops (ASan sees any use after free;
 * the teardown sees any leak). */
#include "guest_env.h"
#include <xam/p2m.h>

#define GFN(ipa) ((uint64_t)(ipa) >> PAGE_SHIFT)
#define RAM_GFN GFN(ENV_RAM)
#define FREE_GFN GFN(ENV_RAM + MiB(64)) /* nothing there */

static int setup(void **state)
{
    (void)state;
    return env_setup(2);
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

static bool mapped(struct domain *d, uint64_t gfn, paddr_t *pa)
{
    paddr_t p;
    uint64_t attrs;
    return pt_lookup(&d->s2.pt, gfn << PAGE_SHIFT, pa ? pa : &p, &attrs);
}

static enum emul_result nop_mmio(struct vcpu *v, struct mmio_access *a, void *dev) { return EMUL_HANDLED; }

static void balloon_out_and_in(void **state)
{
    (void)state;
    struct domain *d = env_domain("dm", 1, NULL, true);
    bool w;
    uint8_t *page = env_guest(d, ENV_RAM + 0x3000, PAGE_SIZE);
    memset(page, 0xab, PAGE_SIZE);
    unsigned flushes = fake_tlb_flushes(d->s2.vmid);
    assert_int_equal(p2m_balloon_out(d, RAM_GFN + 3), 0);
    assert_true(fake_tlb_flushes(d->s2.vmid) > flushes);
    assert_false(mapped(d, RAM_GFN + 3, NULL));
    assert_true(mapped(d, RAM_GFN + 2, NULL));
    assert_true(mapped(d, RAM_GFN + 4, NULL));
    assert_null(p2m_page_ptr(d, RAM_GFN + 3, &w));
    assert_false(p2m_fault_is_spurious(d, ENV_RAM + 0x3010, P2M_READ));
    assert_true(p2m_fault_is_spurious(d, ENV_RAM + 0x4010, P2M_READ));
    /* twice, or a page that is not its RAM: refused */
    assert_int_equal(p2m_balloon_out(d, RAM_GFN + 3), -XAM_EINVAL);
    assert_int_equal(p2m_balloon_out(d, FREE_GFN), -XAM_EINVAL);
    assert_int_equal(p2m_balloon_out(d, ~0ULL), -XAM_EINVAL);
    assert_int_equal(p2m_balloon_in(d, RAM_GFN + 4), -XAM_ENOENT);
    /* back, zeroed: what was there before never comes back */
    assert_int_equal(p2m_balloon_in(d, RAM_GFN + 3), 0);
    assert_true(mapped(d, RAM_GFN + 3, NULL));
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page[i], 0);
    assert_ptr_equal(p2m_page_ptr(d, RAM_GFN + 3, &w), page);
    assert_true(w);
}

static void foreign_mapping_rules(void **state)
{
    (void)state;
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    struct mmio_region r = { ENV_RAM + MiB(128), PAGE_SIZE, nop_mmio, NULL, "test device" };
    assert_int_equal(domain_add_mmio(dm, &r), 0);
    uint32_t *src = env_guest(guest, ENV_RAM + 0x5000, PAGE_SIZE);
    src[7] = 0x12345678;
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN, guest, RAM_GFN + 5, true), 0);
    assert_int_equal(guest->p2m_lent, 1);
    paddr_t pa;
    assert_true(mapped(dm, FREE_GFN, &pa));
    assert_ptr_equal((void *)(uintptr_t)pa, src);
    bool w;
    uint32_t *seen = p2m_page_ptr(dm, FREE_GFN, &w);
    assert_ptr_equal(seen, src);
    assert_int_equal(seen[7], 0x12345678);
    assert_true(w);
    /* the refusals */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN, guest, RAM_GFN + 5, true), -XAM_EEXIST);
    assert_int_equal(p2m_map_foreign(dm, RAM_GFN + 1, guest, RAM_GFN + 5, true), -XAM_EEXIST); /* its RAM */
    assert_int_equal(p2m_map_foreign(dm, GFN(r.base), guest, RAM_GFN, true), -XAM_EINVAL); /* emulated */
    assert_int_equal(p2m_map_foreign(dm, 1ULL << 40, guest, RAM_GFN, true), -XAM_EINVAL); /* past the IPA space */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, guest, FREE_GFN, true), -XAM_EINVAL); /* not its RAM */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, guest, RAM_GFN + 256, true), -XAM_EINVAL); /* just past it */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, guest, ~0ULL, true), -XAM_EINVAL);
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, dm, RAM_GFN, true), -XAM_EINVAL); /* itself */
    /* a page its owner ballooned out is not its to lend */
    assert_int_equal(p2m_balloon_out(guest, RAM_GFN + 9), 0);
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, guest, RAM_GFN + 9, true), -XAM_EINVAL);
    /* a read-only mapping */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 2, guest, RAM_GFN + 6, false), 0);
    assert_non_null(p2m_page_ptr(dm, FREE_GFN + 2, &w));
    assert_false(w);
    assert_int_equal(guest->p2m_lent, 2);
    /* removal: once */
    assert_int_equal(p2m_remove(dm, FREE_GFN), 0);
    assert_false(mapped(dm, FREE_GFN, NULL));
    assert_int_equal(p2m_remove(dm, FREE_GFN), -XAM_ENOENT);
    assert_int_equal(p2m_remove(dm, RAM_GFN), -XAM_ENOENT); /* its own RAM does not go this way */
    assert_int_equal(guest->p2m_lent, 1);
    assert_int_equal(p2m_remove(dm, FREE_GFN + 2), 0);
    assert_int_equal(guest->p2m_lent, 0);
}

/* Linux's privcmd: balloon a page out, map a foreign page there, unmap it;
 * the hole comes back and can be filled again. */
static void foreign_page_in_a_balloon_hole(void **state)
{
    (void)state;
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    bool w;
    assert_int_equal(p2m_map_foreign(dm, RAM_GFN + 8, guest, RAM_GFN, true), -XAM_EEXIST);
    assert_int_equal(p2m_balloon_out(dm, RAM_GFN + 8), 0);
    assert_int_equal(p2m_map_foreign(dm, RAM_GFN + 8, guest, RAM_GFN, true), 0);
    assert_ptr_equal(p2m_page_ptr(dm, RAM_GFN + 8, &w), env_guest(guest, ENV_RAM, PAGE_SIZE));
    assert_int_equal(p2m_balloon_in(dm, RAM_GFN + 8), -XAM_EEXIST);
    assert_int_equal(p2m_balloon_out(dm, RAM_GFN + 8), -XAM_EINVAL);
    assert_int_equal(p2m_remove(dm, RAM_GFN + 8), 0);
    assert_null(p2m_page_ptr(dm, RAM_GFN + 8, &w));
    assert_int_equal(p2m_balloon_in(dm, RAM_GFN + 8), 0);
    assert_ptr_equal(p2m_page_ptr(dm, RAM_GFN + 8, &w), env_guest(dm, ENV_RAM + 0x8000, PAGE_SIZE));
}

/* The owner stops while its page is mapped: the page stays allocated and
 * readable through the mapping (ASan would see a use after free) until
 * the borrower lets go; then its bank is freed (the teardown counts). */
static void owner_stops_while_lent(void **state)
{
    (void)state;
    env_keeper();
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    uint32_t *src = env_guest(guest, ENV_RAM + 0x2000, PAGE_SIZE);
    src[0] = 0xfeedf00d;
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN, guest, RAM_GFN + 2, true), 0);
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 1, guest, RAM_GFN + 3, true), 0);
    unsigned blocks = fake_mem_blocks();
    domain_shutdown(guest, "stopped by the test");
    domain_run_jobs();
    fake_run_cpu(0, 0);
    assert_int_equal(guest->state, DOMAIN_DEAD);
    assert_int_equal(guest->p2m_lent, 0);
    bool w;
    uint32_t *seen = p2m_page_ptr(dm, FREE_GFN, &w);
    assert_non_null(seen);
    assert_int_equal(seen[0], 0xfeedf00d);
    seen[1] = 1;
    /* a stopped domain lends nothing new */
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN + 2, guest, RAM_GFN, true), -XAM_ESRCH);
    unsigned kept = fake_mem_blocks();
    assert_true(kept < blocks); /* its stage-2 tables went */
    assert_int_equal(p2m_remove(dm, FREE_GFN), 0);
    assert_int_equal(fake_mem_blocks(), kept); /* one page still lent */
    assert_int_equal(p2m_remove(dm, FREE_GFN + 1), 0);
    assert_int_equal(fake_mem_blocks(), kept - 1); /* the bank is freed */
}

static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    *entry = ENV_ENTRY;
    *x0 = 0;
    return rc;
}

/* A device model keeps a page of each of its guest's lives mapped while
 * the guest resets again and again (more lives than the hypervisor has
 * fixed room to remember): every old life's bank stays allocated while
 * mapped, and each is freed when its mapping goes, however many there
 * were (the teardown sees a bank kept for good). */
static void owner_resets_many_times_while_lent(void **state)
{
    (void)state;
    domain_set_rebuild_hook(rebuild);
    env_keeper();
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    enum { LIVES = 40 };
    for (unsigned i = 0; i < LIVES; i++) {
        uint32_t *src = env_guest(guest, ENV_RAM + 0x1000, PAGE_SIZE);
        src[0] = 0x11fe0000 + i;
        assert_int_equal(p2m_map_foreign(dm, FREE_GFN + i, guest, RAM_GFN + 1, true), 0);
        domain_reset(guest, "reset by the test");
        domain_run_jobs();
        assert_int_equal(guest->state, DOMAIN_RUNNING);
        assert_int_equal(guest->p2m_lent, 0);
    }
    unsigned blocks = fake_mem_blocks();
    for (unsigned i = 0; i < LIVES; i++) {
        bool w;
        const uint32_t *seen = p2m_page_ptr(dm, FREE_GFN + i, &w);
        assert_non_null(seen);
        assert_int_equal(seen[0], 0x11fe0000 + i); /* that life's page, kept */
        assert_int_equal(p2m_remove(dm, FREE_GFN + i), 0);
        assert_true(fake_mem_blocks() <= blocks - 1 - i); /* and its bank freed */
    }
}

/* The borrower stops first: the owner's count goes back to zero and the
 * owner's memory is freed normally later. */
static void borrower_stops_while_mapping(void **state)
{
    (void)state;
    env_keeper();
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    assert_int_equal(p2m_map_foreign(dm, FREE_GFN, guest, RAM_GFN + 2, true), 0);
    assert_int_equal(p2m_balloon_out(dm, RAM_GFN + 1), 0);
    assert_int_equal(p2m_map_foreign(dm, RAM_GFN + 1, guest, RAM_GFN + 3, true), 0);
    assert_int_equal(guest->p2m_lent, 2);
    domain_shutdown(dm, "stopped by the test");
    domain_run_jobs();
    fake_run_cpu(0, 0);
    assert_int_equal(dm->state, DOMAIN_DEAD);
    assert_int_equal(guest->p2m_lent, 0);
    assert_null(dm->p2m);
}

/* Hypervisor pages: mapped where a page may go, never over RAM, removed
 * like foreign ones; the page stays the hypervisor's. */
static void hypervisor_pages(void **state)
{
    (void)state;
    struct domain *d = env_domain("guest", 1, NULL, true);
    static uint8_t xen_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    paddr_t pa = (paddr_t)(uintptr_t)xen_page;
    assert_int_equal(p2m_map_xen_page(d, GFN(GUEST_GNTTAB_BASE), pa, true), 0);
    assert_int_equal(p2m_map_xen_page(d, GFN(GUEST_GNTTAB_BASE), pa, true), -XAM_EEXIST);
    assert_int_equal(p2m_map_xen_page(d, RAM_GFN, pa, true), -XAM_EEXIST);
    bool w;
    assert_ptr_equal(p2m_page_ptr(d, GFN(GUEST_GNTTAB_BASE), &w), xen_page);
    assert_int_equal(p2m_remove(d, GFN(GUEST_GNTTAB_BASE)), 0);
    assert_false(mapped(d, GFN(GUEST_GNTTAB_BASE), NULL));
}

/* Thousands of mappings: the table grows (doubling, every entry placed
 * anew) up to its limit and then says so; every entry is still found after
 * half of them are removed (the hash's deletion keeps probe runs whole). */
static void table_fills_and_deletes(void **state)
{
    (void)state;
    struct domain *guest = env_domain("guest", 1, NULL, true);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    unsigned n = 0;
    int rc;
    while ((rc = p2m_map_foreign(dm, FREE_GFN + n, guest, RAM_GFN + n % 256, n & 1)) == 0)
        n++;
    assert_int_equal(rc, -XAM_ENOSPC);
    assert_int_equal(n, P2M_MAX_MAPPINGS);
    assert_int_equal(guest->p2m_lent, n);
    for (unsigned i = 0; i < n; i += 2)
        assert_int_equal(p2m_remove(dm, FREE_GFN + i), 0);
    bool w;
    for (unsigned i = 0; i < n; i++) {
        void *p = p2m_page_ptr(dm, FREE_GFN + i, &w);
        if (i & 1) {
            assert_ptr_equal(p, env_guest(guest, ENV_RAM + (i % 256) * PAGE_SIZE, PAGE_SIZE));
            assert_true(w);
        } else {
            assert_null(p);
        }
    }
    for (unsigned i = 1; i < n; i += 2)
        assert_int_equal(p2m_remove(dm, FREE_GFN + i), 0);
    assert_int_equal(guest->p2m_lent, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(balloon_out_and_in, setup, teardown),
        ENV_TEST(foreign_mapping_rules, setup, teardown),
        ENV_TEST(foreign_page_in_a_balloon_hole, setup, teardown),
        ENV_TEST(owner_stops_while_lent, setup, teardown),
        ENV_TEST(owner_resets_many_times_while_lent, setup, teardown),
        ENV_TEST(borrower_stops_while_mapping, setup, teardown),
        ENV_TEST(hypervisor_pages, setup, teardown),
        ENV_TEST(table_fills_and_deletes, setup, teardown),
    };
    return cmocka_run_group_tests_name("p2m", tests, NULL, NULL);
}
