/* core/guest_ram.c over the fake architecture: guest RAM made ready on
 * first touch. New host memory is filled with 0xa5 by the fake allocator,
 * the stand-in for what another owner left: a guest must never see a byte
 * of it, whoever touches the chunk first (the guest's fault, a hypercall's
 * pointer, a device model's foreign mapping, the balloon). Kernels mapped
 * in place are read from their module until written, and the module is
 * never written. */
#include "guest_env.h"
#include <pthread.h>
#include <xam/memory.h>
#include <xam/p2m.h>

#define BIG MiB(16)
#define CH MiB(2)

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

static bool mapped(struct domain *d, paddr_t ipa, paddr_t *pa, uint64_t *attrs)
{
    paddr_t p;
    uint64_t a;
    return pt_lookup(&d->s2.pt, ipa, pa ? pa : &p, attrs ? attrs : &a);
}

static struct domain *lazy_domain(const char *name)
{
    struct domain *d;
    assert_int_equal(domain_create(name, 1, &d), 0);
    d->vcpus[0].pcpu = 0;
    assert_int_equal(domain_add_ram(d, ENV_RAM, BIG, true), 0);
    assert_int_equal(fake_intc_attach(d), 0);
    return d;
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* A data abort of v at ipa (a translation fault), as the guest takes it. */
static void touch(struct vcpu *v, paddr_t ipa, bool write)
{
    fake_trap(v, fake_esr_dabt(8, write, 1, false, true) | 0x07, ipa);
}

static void nothing_mapped_until_touched(void **state)
{
    (void)state;
    struct domain *d = lazy_domain("lazy");
    assert_true(d->lazy_ram);
    const struct guest_bank *b = &d->banks[0];
    for (paddr_t a = ENV_RAM; a < ENV_RAM + BIG; a += CH)
        assert_false(mapped(d, a, NULL, NULL));
    domain_start(d, ENV_ENTRY, 0, false);
    struct vcpu *v = &d->vcpus[0];
    /* the guest touches chunk 3: that chunk, whole, zeroed, mapped to its
     * own memory; the access is retried (the PC does not move) */
    uint64_t pc = v->arch.regs.pc;
    touch(v, ENV_RAM + 3 * CH + 0x1234, false);
    assert_int_equal(v->arch.regs.pc, pc);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    paddr_t pa;
    uint64_t attrs;
    assert_true(mapped(d, ENV_RAM + 3 * CH, &pa, &attrs));
    assert_int_equal(pa, b->pa + 3 * CH);
    assert_true(attrs & S2_AP_W);
    assert_true(mapped(d, ENV_RAM + 4 * CH - PAGE_SIZE, NULL, NULL));
    assert_false(mapped(d, ENV_RAM + 2 * CH, NULL, NULL));
    assert_false(mapped(d, ENV_RAM + 4 * CH, NULL, NULL));
    assert_true(all_zero((const uint8_t *)(uintptr_t)(b->pa + 3 * CH), CH));
    /* untouched chunks still hold what the allocator left */
    assert_int_equal(*(const uint8_t *)(uintptr_t)(b->pa + 2 * CH), 0xa5);
    /* a second fault on it (another vCPU that waited) is a retry, not a
     * scrub: what the guest wrote stays */
    *(uint8_t *)(uintptr_t)(b->pa + 3 * CH + 8) = 7;
    touch(v, ENV_RAM + 3 * CH + 8, true);
    assert_int_equal(*(const uint8_t *)(uintptr_t)(b->pa + 3 * CH + 8), 7);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(v->arch.regs.pc, pc);
}

static void the_hypervisor_touching_first_sees_zeros(void **state)
{
    (void)state;
    struct domain *d = lazy_domain("lazy");
    domain_start(d, ENV_ENTRY, 0, false);
    const uint8_t *p = domain_ram_ptr(d, ENV_RAM + 5 * CH - 16, 32); /* across two chunks */
    assert_non_null(p);
    assert_true(all_zero(p, 32));
    assert_true(mapped(d, ENV_RAM + 4 * CH, NULL, NULL));
    assert_true(mapped(d, ENV_RAM + 5 * CH, NULL, NULL));
    assert_true(all_zero((const uint8_t *)(uintptr_t)(d->banks[0].pa + 4 * CH), 2 * CH));
    /* the same pointer later: the memory stays where it is */
    assert_ptr_equal(domain_ram_ptr(d, ENV_RAM + 5 * CH - 16, 32), p);
    /* outside RAM, or running past its end: nothing */
    assert_null(domain_ram_ptr(d, ENV_RAM + BIG - 8, 16));
    assert_null(domain_ram_ptr(d, ENV_RAM - 8, 8));
    /* a page's pointer for a grant or a ring: made ready too */
    bool w;
    const uint8_t *pg = p2m_page_ptr(d, (ENV_RAM + 7 * CH) >> PAGE_SHIFT, &w);
    assert_non_null(pg);
    assert_true(w);
    assert_true(all_zero(pg, PAGE_SIZE));
}

static void what_the_builder_loads_is_kept(void **state)
{
    (void)state;
    struct domain *d = lazy_domain("lazy");
    const struct guest_bank *b = &d->banks[0];
    /* a 10000-byte blob at 0x1800 into chunk 1: pages 1-3 of it kept */
    uint8_t *dst = domain_ram_for_load(d, ENV_RAM + CH + 0x1800, 10000);
    assert_non_null(dst);
    memset(dst, 0x3c, 10000);
    /* and another into the same chunk, further on: the gap zeroed */
    uint8_t *dst2 = domain_ram_for_load(d, ENV_RAM + CH + 0x10000, PAGE_SIZE);
    memset(dst2, 0x4d, PAGE_SIZE);
    assert_false(mapped(d, ENV_RAM + CH, NULL, NULL)); /* nothing mapped yet */
    domain_start(d, ENV_ENTRY, 0, false);
    touch(&d->vcpus[0], ENV_RAM + CH, false);
    const uint8_t *c = (const uint8_t *)(uintptr_t)(b->pa + CH);
    assert_true(all_zero(c, 0x1800)); /* before it, in its first page and before */
    for (unsigned i = 0; i < 10000; i++)
        assert_int_equal(c[0x1800 + i], 0x3c);
    assert_true(all_zero(c + 0x1800 + 10000, 0x10000 - 0x1800 - 10000)); /* its last page's tail, the gap */
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(c[0x10000 + i], 0x4d);
    assert_true(all_zero(c + 0x11000, CH - 0x11000));
}

static void in_place_kernel_is_copied_on_write(void **state)
{
    (void)state;
    /* a 4 MiB "module", 2 MiB-aligned, never to be written */
    paddr_t mod;
    assert_int_equal(memory_alloc(2 * CH, CH, &mod), 0);
    memset((void *)(uintptr_t)mod, 0x77, 2 * CH);
    struct domain *d = lazy_domain("kernel"), *d2 = lazy_domain("kernel2");
    assert_int_equal(domain_ram_map_pristine(d, ENV_RAM, mod, 2 * CH), 0);
    assert_int_equal(domain_ram_map_pristine(d2, ENV_RAM, mod, 2 * CH), 0); /* one module, two domains */
    /* not twice, not a chunk the builder wrote, not unaligned */
    assert_int_equal(domain_ram_map_pristine(d, ENV_RAM, mod, 2 * CH), -XAM_EBUSY);
    assert_int_equal(domain_ram_map_pristine(d, ENV_RAM + 2 * CH, mod + PAGE_SIZE, CH), -XAM_EINVAL);
    assert_non_null(domain_ram_for_load(d, ENV_RAM + 4 * CH, 64));
    assert_int_equal(domain_ram_map_pristine(d, ENV_RAM + 4 * CH, mod, CH), -XAM_EBUSY);
    paddr_t pa;
    uint64_t attrs;
    assert_true(mapped(d, ENV_RAM + CH + 0x100, &pa, &attrs));
    assert_int_equal(pa, mod + CH + 0x100);
    assert_false(attrs & S2_AP_W);
    assert_false(attrs & S2_XN); /* it is code */
    domain_start(d, ENV_ENTRY, 0, false);
    domain_start(d2, ENV_ENTRY, 0, false);
    struct vcpu *v = &d->vcpus[0];
    /* a read needs nothing; a write is a permission fault: the chunk is
     * copied into its own memory and mapped there, writable */
    fake_trap(v, fake_esr_dabt(8, true, 1, false, true) | 0x0f, ENV_RAM + CH + 0x100);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_true(mapped(d, ENV_RAM + CH + 0x100, &pa, &attrs));
    assert_int_equal(pa, d->banks[0].pa + CH + 0x100);
    assert_true(attrs & S2_AP_W);
    const uint8_t *own = (const uint8_t *)(uintptr_t)(d->banks[0].pa + CH);
    for (unsigned i = 0; i < CH; i += 4093)
        assert_int_equal(own[i], 0x77);
    /* chunk 0 still the module's; the other domain's both */
    assert_true(mapped(d, ENV_RAM, &pa, NULL));
    assert_int_equal(pa, mod);
    assert_true(mapped(d2, ENV_RAM + CH, &pa, NULL));
    assert_int_equal(pa, mod + CH);
    /* the hypervisor's pointer into chunk 0 (a hypercall writing there):
     * copied first, never the module */
    uint8_t *p = domain_ram_ptr(d, ENV_RAM + 0x40, 8);
    assert_ptr_equal(p, (uint8_t *)(uintptr_t)(d->banks[0].pa + 0x40));
    p[0] = 1;
    assert_int_equal(*(const uint8_t *)(uintptr_t)(mod + 0x40), 0x77);
    /* the reset rebuilds from the module as it was */
    for (unsigned i = 0; i < 2 * CH; i += 4093)
        assert_int_equal(((const uint8_t *)(uintptr_t)mod)[i], 0x77);
    memory_free(mod, 2 * CH);
}

/* A write to a read-only page that is not RAM of its own (a read-only
 * foreign mapping) is not retried forever: the guest takes an abort; so
 * does a fetch from a never-executable page (a prefetch abort). */
static void read_only_pages_are_not_retried(void **state)
{
    (void)state;
    env_keeper();
    struct domain *src = env_domain("src", 1, NULL, true);
    struct domain *dm = lazy_domain("dm");
    domain_start(dm, ENV_ENTRY, 0, false);
    paddr_t at = ENV_RAM + BIG + MiB(64);
    assert_int_equal(p2m_map_foreign(dm, at >> PAGE_SHIFT, src, ENV_RAM >> PAGE_SHIFT, false), 0);
    assert_false(p2m_fault_is_spurious(dm, at, P2M_WRITE));
    assert_true(p2m_fault_is_spurious(dm, at, P2M_READ));
    assert_false(p2m_fault_is_spurious(dm, at, P2M_EXEC));
    struct vcpu *v = &dm->vcpus[0];
    v->arch.sys.far = 0;
    v->arch.sys.vbar = ENV_RAM + 0x1000; /* its vectors, in its RAM */
    fake_trap(v, fake_esr_dabt(4, true, 1, false, false) | 0x0f, at);
    assert_int_equal(dm->state, DOMAIN_RUNNING);
    assert_int_equal(v->arch.sys.far, at); /* an abort taken, not a silent retry */
    v->arch.regs.pc = at; /* a branch to the page */
    fake_trap(v, (uint64_t)EC_IABT_LOW << 26 | FAKE_ESR_IL | 0x0f, at);
    assert_int_equal(dm->state, DOMAIN_RUNNING);
    assert_int_equal(v->arch.sys.esr >> 26 & 0x3e, EC_IABT_LOW); /* a prefetch abort taken (0x20 or 0x21) */
    assert_int_equal(v->arch.sys.esr & 0x3f, 0x10);
    assert_int_equal(v->arch.regs.pc, ENV_RAM + 0x1000 + 0x200); /* at its vector */
    /* its vectors not there (the fetch of the vector itself faults): the
     * abort would come back for ever, so the domain is stopped */
    v->arch.sys.vbar = at;
    v->arch.regs.pc = at + 0x200;
    fake_trap(v, (uint64_t)EC_IABT_LOW << 26 | FAKE_ESR_IL | 0x0f, at + 0x200);
    assert_int_equal(dm->state, DOMAIN_STOPPING);
}

/* A device model lending itself a page of a guest's untouched RAM, the
 * balloon taking one out: made ready first, zeros. */
static void foreign_maps_and_balloon_see_zeros(void **state)
{
    (void)state;
    env_keeper();
    struct domain *guest = lazy_domain("guest");
    domain_start(guest, ENV_ENTRY, 0, false);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    paddr_t at = ENV_RAM + MiB(64);
    assert_int_equal(p2m_map_foreign(dm, at >> PAGE_SHIFT, guest, (ENV_RAM + 6 * CH) >> PAGE_SHIFT, true), 0);
    bool w;
    const uint8_t *seen = p2m_page_ptr(dm, at >> PAGE_SHIFT, &w);
    assert_non_null(seen);
    assert_true(all_zero(seen, PAGE_SIZE));
    assert_true(mapped(guest, ENV_RAM + 6 * CH, NULL, NULL));
    assert_int_equal(p2m_remove(dm, at >> PAGE_SHIFT), 0);
    /* the balloon: a hole cut in a chunk made ready whole */
    assert_int_equal(p2m_balloon_out(guest, (ENV_RAM + 7 * CH + PAGE_SIZE) >> PAGE_SHIFT), 0);
    assert_true(mapped(guest, ENV_RAM + 7 * CH, NULL, NULL));
    assert_false(mapped(guest, ENV_RAM + 7 * CH + PAGE_SIZE, NULL, NULL));
    assert_true(all_zero((const uint8_t *)(uintptr_t)(guest->banks[0].pa + 7 * CH), CH));
    /* the guest touching the hole is no first touch: not mapped again */
    assert_false(guest_ram_fault(guest, ENV_RAM + 7 * CH + PAGE_SIZE));
    assert_false(mapped(guest, ENV_RAM + 7 * CH + PAGE_SIZE, NULL, NULL));
    assert_int_equal(p2m_balloon_in(guest, (ENV_RAM + 7 * CH + PAGE_SIZE) >> PAGE_SHIFT), 0);
}

/* Small banks and domains with passthrough devices are made ready at once. */
static void small_banks_are_ready_at_once(void **state)
{
    (void)state;
    struct domain *d;
    assert_int_equal(domain_create("small", 1, &d), 0);
    assert_int_equal(domain_add_ram(d, ENV_RAM, MiB(1), true), 0);
    assert_int_equal(domain_add_ram(d, ENV_RAM + MiB(4), MiB(4), false), 0);
    assert_false(d->lazy_ram);
    assert_true(mapped(d, ENV_RAM, NULL, NULL));
    assert_true(mapped(d, ENV_RAM + MiB(8) - PAGE_SIZE, NULL, NULL));
    assert_true(all_zero((const uint8_t *)(uintptr_t)d->banks[0].pa, MiB(1)));
    assert_true(all_zero((const uint8_t *)(uintptr_t)d->banks[1].pa, MiB(4)));
    assert_false(guest_ram_fault(d, ENV_RAM));
}

/* Two vCPUs on two CPUs fault on one chunk at once: made ready once, both
 * retried, nothing the first wrote undone. */
struct racer {
    struct vcpu *v;
    paddr_t ipa;
    unsigned cpu;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    fake_set_cpu(r->cpu);
    touch(r->v, r->ipa, true);
    return NULL;
}

static void two_vcpus_race_on_one_chunk(void **state)
{
    (void)state;
    struct domain *d;
    assert_int_equal(domain_create("race", 2, &d), 0);
    d->vcpus[0].pcpu = 0;
    d->vcpus[1].pcpu = 1;
    assert_int_equal(domain_add_ram(d, ENV_RAM, BIG, true), 0);
    assert_int_equal(fake_intc_attach(d), 0);
    domain_start(d, ENV_ENTRY, 0, false);
    for (unsigned round = 0; round < 8; round++) {
        paddr_t ipa = ENV_RAM + round * CH;
        struct racer r[2] = { { &d->vcpus[0], ipa + 8, 0 }, { &d->vcpus[1], ipa + 16, 1 } };
        pthread_t t[2];
        for (unsigned i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
        for (unsigned i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        assert_true(mapped(d, ipa, NULL, NULL));
        assert_true(all_zero((const uint8_t *)(uintptr_t)(d->banks[0].pa + round * CH), CH));
        assert_int_equal(d->state, DOMAIN_RUNNING);
    }
}

/* Nothing answers in chunks 3 and 4's host memory but 2 pages (a host
 * device tree that calls a hole RAM): found when chunk 3 is first to be
 * written, never written; chunk 4 with it (reading a hole costs nothing),
 * not chunk 2 (it answers); said once, naming the domain, the guest's
 * range and the host's; the guest gets an abort there, the hypervisor's
 * pointers fail, the builder cannot load there. The other chunks work. */
static bool untouched(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0xa5)
            return false;
    return true;
}

static void a_hole_in_host_ram_is_never_written(void **state)
{
    (void)state;
    struct domain *d = lazy_domain("holey");
    const struct guest_bank *b = &d->banks[0];
    const uint8_t *hole = (const uint8_t *)(uintptr_t)(b->pa + 3 * CH);
    fake_mem_hole(b->pa + 3 * CH + 2 * PAGE_SIZE, 2 * CH - 4 * PAGE_SIZE);
    unsigned checks = fake_mem_checks();
    /* the builder: a blob into chunk 1 is fine, one over chunk 3 refused */
    assert_non_null(domain_ram_for_load(d, ENV_RAM + CH, 64));
    assert_int_equal(fake_mem_checks(), checks + 1);
    assert_null(domain_ram_for_load(d, ENV_RAM + 3 * CH - 64, 128));
    assert_int_equal(fake_log_count("nothing answers"), 1);
    assert_int_equal(fake_log_level(fake_log_lines() - 1), LOG_ERR);
    char want[240];
    snprintf(want, sizeof(want),
             "holey (domain %u): nothing answers at 0x%llx-0x%llx, which the device tree says is RAM: left out, and "
             "with it its RAM at IPA 0x%llx-0x%llx",
             d->id, (unsigned long long)(b->pa + 3 * CH + 2 * PAGE_SIZE),
             (unsigned long long)(b->pa + 5 * CH - 2 * PAGE_SIZE - 1), (unsigned long long)(ENV_RAM + 3 * CH),
             (unsigned long long)(ENV_RAM + 5 * CH - 1));
    assert_non_null(fake_log_find(want));
    /* chunks 2 (the blob's other chunk: checked), 3, 4, 5 read */
    assert_int_equal(fake_mem_checks(), checks + 5);
    assert_true(untouched(hole, 2 * CH));
    domain_start(d, ENV_ENTRY, 0, false);
    struct vcpu *v = &d->vcpus[0];
    v->arch.sys.far = 0;
    v->arch.sys.vbar = ENV_RAM + 0x1000; /* its vectors, in its RAM */
    /* the guest's accesses: aborts, not retries, nothing mapped */
    touch(v, ENV_RAM + 3 * CH + 0x40, true);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(v->arch.sys.far, ENV_RAM + 3 * CH + 0x40);
    touch(v, ENV_RAM + 4 * CH + MiB(1), false);
    assert_int_equal(v->arch.sys.far, ENV_RAM + 4 * CH + MiB(1));
    assert_false(mapped(d, ENV_RAM + 3 * CH, NULL, NULL));
    assert_false(mapped(d, ENV_RAM + 4 * CH, NULL, NULL));
    /* the hypervisor's pointer (a hypercall's buffer) fails, across it too */
    assert_null(domain_ram_ptr(d, ENV_RAM + 3 * CH + 8, 8));
    assert_null(domain_ram_ptr(d, ENV_RAM + 5 * CH - 8, 16));
    /* said once, not read again */
    assert_int_equal(fake_log_count("nothing answers"), 1);
    assert_int_equal(fake_mem_checks(), checks + 5);
    assert_true(untouched(hole, 2 * CH));
    /* the rest works: chunk 5 made ready, zeros */
    touch(v, ENV_RAM + 5 * CH, false);
    assert_true(mapped(d, ENV_RAM + 5 * CH, NULL, NULL));
    assert_true(all_zero((const uint8_t *)(uintptr_t)(b->pa + 5 * CH), CH));
    /* an in-place kernel over the hole: refused as for any chunk in use */
    assert_int_equal(domain_ram_map_pristine(d, ENV_RAM + 3 * CH, ENV_RAM, CH), -XAM_EBUSY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(nothing_mapped_until_touched, setup, teardown),
        ENV_TEST(the_hypervisor_touching_first_sees_zeros, setup, teardown),
        ENV_TEST(what_the_builder_loads_is_kept, setup, teardown),
        ENV_TEST(in_place_kernel_is_copied_on_write, setup, teardown),
        ENV_TEST(read_only_pages_are_not_retried, setup, teardown),
        ENV_TEST(foreign_maps_and_balloon_see_zeros, setup, teardown),
        ENV_TEST(small_banks_are_ready_at_once, setup, teardown),
        ENV_TEST(two_vcpus_race_on_one_chunk, setup, teardown),
        ENV_TEST(a_hole_in_host_ram_is_never_written, setup, teardown),
    };
    return cmocka_run_group_tests_name("guest_ram", tests, NULL, NULL);
}
