/* Xen's static shared memory (builder/domain_shm.c) as a user meets it:
 * regions named by xen,shm-id shared between domains, each at its own
 * guest address, described in each guest's tree as Xen writes it; every
 * bad region refused with the node, the property and the reason, costing
 * only the domains concerned. */
#include "domain_fixture.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>

/* A xen,domain-shared-memory-v1 child: host ~0 for none (Xen 4.19's
 * form); role NULL for none. 2-cell addresses and sizes. */
#define NO_HOST (~0ULL)
static int shm(void *fdt, const char *dom, const char *name, const char *id, uint64_t host_pa, uint64_t guest,
               uint64_t size, const char *role)
{
    int n = fdt_add_subnode(fdt, path(fdt, dom), name);
    fdt_setprop_string(fdt, n, "compatible", "xen,domain-shared-memory-v1");
    if (id)
        fdt_setprop_string(fdt, n, "xen,shm-id", id);
    fdt64_t v[3];
    unsigned k = 0;
    if (host_pa != NO_HOST)
        v[k++] = cpu_to_fdt64(host_pa);
    v[k++] = cpu_to_fdt64(guest);
    v[k++] = cpu_to_fdt64(size);
    fdt_setprop(fdt, n, "xen,shared-mem", v, k * 8);
    if (role)
        fdt_setprop_string(fdt, n, "role", role);
    return n;
}

/* The plan over every domain, with its refusals recorded. */
static struct domain_desc dd[8];
static bool ok[8];
static char refusals[8][400];
static unsigned nr_refusals;
static void refused(unsigned i, const char *why, void *ctx)
{
    (void)ctx;
    assert_true(nr_refusals < 8);
    snprintf(refusals[nr_refusals++], sizeof(refusals[0]), "%s: %s", dd[i].name, why);
}
static void rejected(int node, const char *msg, void *ctx)
{
    (void)node, (void)ctx;
    assert_true(nr_refusals < 8);
    snprintf(refusals[nr_refusals++], sizeof(refusals[0]), "%s", msg);
}
static unsigned plan(void *fdt)
{
    static const struct desc_plan_ops ops = { NULL, rejected, refused, NULL };
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("host tree refused: %s", err.msg);
    nr_refusals = 0;
    return domain_descs_plan(&h, &env, dd, ok, 8, &ops, NULL);
}
static void expect_one_refusal(const char *msg)
{
    if (nr_refusals != 1)
        fail_msg("%u refusals (the first: \"%s\"); expected one: \"%s\"", nr_refusals, nr_refusals ? refusals[0] : "",
                 msg);
    if (!strstr(refusals[0], msg))
        fail_msg("\"%s\" does not say \"%s\"", refusals[0], msg);
}

/* xen,static-mem = <addr size> in 2 + 2 cells on domain p */
static void static_mem(void *fdt, const char *p, uint64_t addr, uint64_t size)
{
    int d = path(fdt, p);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-address-cells", 2);
    fdt_setprop_u32(fdt, d, "#xen,static-mem-size-cells", 2);
    fdt64_t sm[2] = { cpu_to_fdt64(addr), cpu_to_fdt64(size) };
    fdt_setprop(fdt, path(fdt, p), "xen,static-mem", sm, sizeof(sm));
}

/* Xen's example: one region, the owner and a borrower, each at its own
 * guest address; a second region the hypervisor places (no host address,
 * no role). Both domains' trees describe them as Xen does. */
static void shared_between_two(void **state)
{
    (void)state;
    void *fdt = host();
    domain_node(fdt, "borrower", 0x50200000);
    domain_node(fdt, "owner", 0x50000000);
    /* libfdt puts a new node first: shm@0 ends up before shm@1 */
    shm(fdt, "/chosen/owner", "shm@1", "heap", NO_HOST, 0x10000000, 0x100000, NULL);
    shm(fdt, "/chosen/owner", "shm@0", "my-shared-mem-0", 0x60000000, 0x4000000, 0x200000, "owner");
    shm(fdt, "/chosen/borrower", "shm@1", "heap", NO_HOST, 0x20000000, 0x100000, NULL);
    shm(fdt, "/chosen/borrower", "shm@0", "my-shared-mem-0", 0x60000000, 0x8000000, 0x200000, "borrower");
    assert_int_equal(plan(fdt), 2);
    if (nr_refusals)
        fail_msg("refused: %s", refusals[0]);
    assert_true(ok[0] && ok[1]);
    assert_string_equal(dd[0].name, "owner");
    assert_int_equal(dd[0].nr_shm, 2);
    assert_string_equal(dd[0].shm[0].id, "my-shared-mem-0");
    assert_true(dd[0].shm[0].host_given);
    assert_int_equal(dd[0].shm[0].pa, 0x60000000);
    assert_int_equal(dd[0].shm[0].ipa, 0x4000000);
    assert_int_equal(dd[0].shm[0].size, 0x200000);
    assert_int_equal(dd[0].shm[0].role, SHM_ROLE_OWNER);
    assert_false(dd[0].shm[1].host_given);
    assert_int_equal(dd[0].shm[1].role, SHM_ROLE_NONE);
    assert_int_equal(dd[1].shm[0].role, SHM_ROLE_BORROWER);
    assert_int_equal(dd[1].shm[0].ipa, 0x8000000);

    /* two regions to claim; the host-less one gets its address later */
    const struct desc_shm *r[8];
    assert_int_equal(domain_shm_regions(dd, ok, 2, r, 8), 2);
    assert_string_equal(r[0]->id, "my-shared-mem-0");
    assert_true(r[0]->host_given);
    assert_false(r[1]->host_given);
    domain_shm_set_host(dd, 2, "heap", 0x7fe00000);
    assert_int_equal(dd[0].shm[1].pa, 0x7fe00000);
    assert_int_equal(dd[1].shm[1].pa, 0x7fe00000);
    assert_true(domain_shm_uses(&dd[1], "heap"));
    assert_false(domain_shm_uses(&dd[1], "other"));
    bool only_owner[2] = { true, false };
    assert_int_equal(domain_shm_regions(dd, only_owner, 2, r, 8), 2);

    /* the borrower's tree: /reserved-memory/xen-shmem@8000000, as Xen */
    static char tree[GUEST_FDT_MAX];
    struct guest_fdt_params gp;
    domain_desc_fdt_params(&dd[1], 3, NULL, &gp);
    assert_int_equal(guest_fdt_build(tree, sizeof(tree), &gp), 0);
    int rm = fdt_path_offset(tree, "/reserved-memory");
    assert_true(rm >= 0);
    assert_non_null(fdt_getprop(tree, rm, "ranges", NULL));
    assert_int_equal(fdt_address_cells(tree, rm), 2);
    assert_int_equal(fdt_size_cells(tree, rm), 2);
    int n = fdt_path_offset(tree, "/reserved-memory/xen-shmem@8000000");
    assert_true(n >= 0);
    assert_string_equal(fdt_getprop(tree, n, "compatible", NULL), "xen,shared-memory-v1");
    assert_string_equal(fdt_getprop(tree, n, "xen,id", NULL), "my-shared-mem-0");
    int len;
    const fdt64_t *reg = fdt_getprop(tree, n, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt64_ld(&reg[0]), 0x8000000);
    assert_int_equal(fdt64_ld(&reg[1]), 0x200000);
    const fdt64_t *off = fdt_getprop(tree, n, "xen,offset", &len);
    assert_int_equal(len, 8);
    assert_int_equal(fdt64_ld(off), 0);
    assert_true(fdt_path_offset(tree, "/reserved-memory/xen-shmem@20000000") >= 0);
    /* not RAM to the guest: the memory node is its RAM only */
    const fdt64_t *mem = fdt_getprop(tree, fdt_path_offset(tree, "/memory@40000000"), "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt64_ld(&mem[0]), 0x40000000);
    /* a domain without regions has no /reserved-memory */
    void *plain = host();
    domain_node(plain, "g", 0x50000000);
    struct domain_desc one;
    assert_true(describe(plain, "/chosen/g", &one));
    domain_desc_fdt_params(&one, 3, NULL, &gp);
    assert_int_equal(guest_fdt_build(tree, sizeof(tree), &gp), 0);
    assert_true(fdt_path_offset(tree, "/reserved-memory") < 0);
}

/* One cell each, from the domain node's cells as Xen reads them. */
static void one_cell_form(void **state)
{
    (void)state;
    void *fdt = host();
    int d = domain_node(fdt, "g", 0x50000000);
    fdt_setprop_u32(fdt, d, "#address-cells", 1);
    fdt_setprop_u32(fdt, d, "#size-cells", 1);
    /* the module's reg in the same cells */
    fdt32_t reg[2] = { cpu_to_fdt32(0x50000000), cpu_to_fdt32(0x100000) };
    fdt_setprop(fdt, path(fdt, "/chosen/g/kernel"), "reg", reg, sizeof(reg));
    int n = fdt_add_subnode(fdt, d, "shm");
    fdt_setprop_string(fdt, n, "compatible", "xen,domain-shared-memory-v1");
    fdt_setprop_string(fdt, n, "xen,shm-id", "one");
    fdt32_t v[3] = { cpu_to_fdt32(0x60000000), cpu_to_fdt32(0x4000000), cpu_to_fdt32(0x1000) };
    fdt_setprop(fdt, n, "xen,shared-mem", v, sizeof(v));
    struct domain_desc one;
    if (!describe(fdt, "/chosen/g", &one))
        fail_msg("refused: %s", err.msg);
    assert_int_equal(one.shm[0].pa, 0x60000000);
    assert_int_equal(one.shm[0].ipa, 0x4000000);
    assert_int_equal(one.shm[0].size, 0x1000);
    fdt_setprop(fdt, n, "xen,shared-mem", v, 8);
    assert_true(describe(fdt, "/chosen/g", &one));
    assert_false(one.shm[0].host_given);
    assert_int_equal(one.shm[0].ipa, 0x60000000);
    assert_int_equal(one.shm[0].size, 0x4000000);
}

/* Each bad region costs its domain, naming the node and property. */
static void refused_alone(void **state)
{
    (void)state;
    static const struct {
        const char *id, *role;
        uint64_t host, guest, size;
        const char *msg;
    } c[] = {
        { NULL, NULL, 0x60000000, 0x4000000, 0x1000, "/chosen/g/s: xen,shm-id: missing, empty or not a string" },
        { "sixteen-chars-id", NULL, 0x60000000, 0x4000000, 0x1000,
          "/chosen/g/s: xen,shm-id: \"sixteen-chars-id\" is 16 characters: at most 15" },
        { "r", "lender", 0x60000000, 0x4000000, 0x1000,
          "/chosen/g/s: role: must be \"owner\" or \"borrower\" (absent: a borrower of a region no domain owns)" },
        { "r", NULL, 0x60000800, 0x4000000, 0x1000,
          "/chosen/g/s: xen,shared-mem: the addresses and the size must be page-aligned, the size non-zero" },
        { "r", NULL, 0x60000000, 0x4000800, 0x1000, "/chosen/g/s: xen,shared-mem: the addresses and the size must" },
        { "r", NULL, 0x60000000, 0x4000000, 0x1800, "/chosen/g/s: xen,shared-mem: the addresses and the size must" },
        { "r", NULL, 0x60000000, 0x4000000, 0, "/chosen/g/s: xen,shared-mem: the addresses and the size must" },
        { "r", NULL, 0xfffffffffffff000ULL, 0x4000000, 0x2000,
          "/chosen/g/s: xen,shared-mem: the region wraps around the end of the address space" },
        { "r", NULL, 0x10000000, 0x4000000, 0x1000,
          "/chosen/g/s: xen,shared-mem: host 0x10000000-0x10000fff is not host RAM" },
        { "r", NULL, 0x500ff000, 0x4000000, 0x2000,
          "/chosen/g/s: xen,shared-mem: host 0x500ff000-0x50100fff overlaps the module /chosen/g/kernel" },
        { "r", NULL, 0x60000000, 0x43ff0000, 0x20000,
          "/chosen/g/s: xen,shared-mem: guest 0x43ff0000-0x4400ffff overlaps guest RAM 0x40000000-0x43ffffff" },
        { "r", NULL, 0x60000000, 0x3000000, 0x10000,
          "/chosen/g/s: xen,shared-mem: guest 0x3000000-0x300ffff overlaps the virtual GIC 0x3001000" },
        { "r", NULL, 0x60000000, 0x7ffffff000ULL, 0x2000,
          "/chosen/g/s: xen,shared-mem: guest 0x7ffffff000-0x8000000fff ends beyond the guest physical address "
          "space (39 bits)" },
        { "r", NULL, NO_HOST, 0x40000000, 0x1000,
          "/chosen/g/s: xen,shared-mem: guest 0x40000000-0x40000fff overlaps "
          "guest RAM" },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        void *fdt = host();
        domain_node(fdt, "g", 0x50000000);
        shm(fdt, "/chosen/g", "s", c[i].id, c[i].host, c[i].guest, c[i].size, c[i].role);
        expect_refused(fdt, "/chosen/g", c[i].msg);
    }
    /* where the guest map puts a device the domain has; without the
     * device, its place is free (as in Xen) */
    static const struct {
        uint64_t guest;
        const char *prop, *msg;
    } dev[] = {
        { 0x22000000, "vpl011", "/chosen/g/s: xen,shared-mem: guest 0x22000000-0x22000fff overlaps the vPL011" },
        { 0x38000000, "xen,enhanced", "overlaps the grant-table region" },
        { 0x39000000, "xen,enhanced", "overlaps Xen's magic pages" },
    };
    for (unsigned i = 0; i < sizeof(dev) / sizeof(dev[0]); i++) {
        void *fdt = host();
        int d = domain_node(fdt, "g", 0x50000000);
        fdt_setprop_empty(fdt, d, dev[i].prop);
        shm(fdt, "/chosen/g", "s", "r", 0x60000000, dev[i].guest, 0x1000, NULL);
        expect_refused(fdt, "/chosen/g", dev[i].msg);
        fdt = host();
        domain_node(fdt, "g", 0x50000000);
        shm(fdt, "/chosen/g", "s", "r", 0x60000000, dev[i].guest, 0x1000, NULL);
        if (!describe(fdt, "/chosen/g", &dd[0]))
            fail_msg("without %s: %s", dev[i].prop, err.msg);
    }
    /* a malformed property */
    void *fdt = host();
    domain_node(fdt, "g", 0x50000000);
    int n = shm(fdt, "/chosen/g", "s", "r", 0x60000000, 0x4000000, 0x1000, NULL);
    fdt_setprop_u32(fdt, n, "xen,shared-mem", 0x1000);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/s: xen,shared-mem: malformed: must be <host-addr guest-addr size> or <guest-addr size>");
    /* two of its own regions */
    fdt = host();
    int d = domain_node(fdt, "g", 0x50000000);
    shm(fdt, "/chosen/g", "b", "r", 0x60000000, 0x4000000, 0x1000, NULL);
    shm(fdt, "/chosen/g", "a", "r", 0x60000000, 0x5000000, 0x1000, NULL);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/b: xen,shm-id: \"r\" is already mapped into this domain by a: one node per region");
    fdt = host();
    d = domain_node(fdt, "g", 0x50000000);
    shm(fdt, "/chosen/g", "b", "r2", 0x60000000, 0x4800000, 0x1000, NULL);
    shm(fdt, "/chosen/g", "a", "r1", 0x60000000, 0x4000000, 0x1000000, NULL);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/b: xen,shared-mem: host 0x60000000-0x60000fff overlaps region \"r1\" (a)");
    fdt = host();
    d = domain_node(fdt, "g", 0x50000000);
    shm(fdt, "/chosen/g", "b", "r2", 0x61000000, 0x4800000, 0x1000, NULL);
    shm(fdt, "/chosen/g", "a", "r1", 0x60000000, 0x4000000, 0x1000000, NULL);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/b: xen,shared-mem: guest 0x4800000-0x4800fff overlaps static shared memory (region "
                   "\"r1\", a) 0x4000000-0x4ffffff");
    /* direct-map: the guest address is the host's, as in Xen */
    fdt = host();
    d = domain_node(fdt, "g", 0x50000000);
    static_mem(fdt, "/chosen/g", 0x70000000, 0x4000000);
    d = path(fdt, "/chosen/g");
    fdt_setprop(fdt, d, "direct-map", NULL, 0);
    int s = shm(fdt, "/chosen/g", "s", "r", 0x60000000, 0x4000000, 0x1000, NULL);
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/s: xen,shared-mem: a direct-map domain sees the region at its host address: the guest "
                   "address 0x4000000 must be 0x60000000");
    fdt64_t v2[2] = { cpu_to_fdt64(0x60000000), cpu_to_fdt64(0x1000) };
    fdt_setprop(fdt, s, "xen,shared-mem", v2, sizeof(v2));
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/s: xen,shared-mem: a direct-map domain's region needs its host address");
    fdt64_t v3[3] = { cpu_to_fdt64(0x60000000), cpu_to_fdt64(0x60000000), cpu_to_fdt64(0x1000) };
    fdt_setprop(fdt, s, "xen,shared-mem", v3, sizeof(v3));
    struct domain_desc one;
    if (!describe(fdt, "/chosen/g", &one))
        fail_msg("a direct-mapped region refused: %s", err.msg);
    fdt64_t v4[3] = { cpu_to_fdt64(0x70001000), cpu_to_fdt64(0x70001000), cpu_to_fdt64(0x1000) };
    fdt_setprop(fdt, s, "xen,shared-mem", v4, sizeof(v4));
    expect_refused(fdt, "/chosen/g",
                   "/chosen/g/s: xen,shared-mem: host 0x70001000-0x70001fff overlaps this "
                   "domain's own xen,static-mem");
}

/* Between domains: first come, first served, only the later domain
 * concerned is refused. */
static void refused_between_domains(void **state)
{
    (void)state;
    static const struct {
        uint64_t host, size;
        const char *id, *role_a, *role_b;
        const char *msg;
    } c[] = {
        { 0x60000000, 0x400000, "r", NULL, NULL,
          "b: s: xen,shared-mem: region \"r\" is 0x400000 bytes here and 0x200000 bytes in a: one xen,shm-id names "
          "one region" },
        { 0x61000000, 0x200000, "r", NULL, NULL,
          "b: s: xen,shared-mem: region \"r\" is at host 0x61000000 here and 0x60000000 in a: one xen,shm-id names "
          "one region" },
        { 0x60000000, 0x200000, "r", "owner", "owner",
          "b: s: role: region \"r\" already has an owner, a: one owner per region" },
        { 0x60000000, 0x200000, "r", "owner", NULL,
          "b: s: role: region \"r\" is shared with role \"none\" here and \"owner\" in a" },
        { 0x60000000, 0x200000, "r", NULL, "owner",
          "b: s: role: region \"r\" is shared with role \"owner\" here and \"none\" in a" },
        { 0x60100000, 0x200000, "other", NULL, NULL,
          "b: s: xen,shared-mem: host 0x60100000-0x602fffff overlaps region \"r\" of a" },
        { 0x60000000, 0x200000, "other", NULL, NULL,
          "b: s: xen,shared-mem: host 0x60000000-0x601fffff overlaps region \"r\" of a: one region, one xen,shm-id" },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        void *fdt = host();
        domain_node(fdt, "third", 0x50400000);
        domain_node(fdt, "b", 0x50200000);
        domain_node(fdt, "a", 0x50000000);
        shm(fdt, "/chosen/a", "s", "r", 0x60000000, 0x4000000, 0x200000, c[i].role_a);
        shm(fdt, "/chosen/b", "s", c[i].id, c[i].host, 0x4000000, c[i].size, c[i].role_b);
        assert_int_equal(plan(fdt), 3);
        expect_one_refusal(c[i].msg);
        assert_true(ok[0] && !ok[1] && ok[2]);
    }
    /* the same region with and without a host address: one region */
    void *fdt = host();
    domain_node(fdt, "b", 0x50200000);
    domain_node(fdt, "a", 0x50000000);
    shm(fdt, "/chosen/a", "s", "r", NO_HOST, 0x4000000, 0x200000, "borrower");
    shm(fdt, "/chosen/b", "s", "r", 0x60000000, 0x5000000, 0x200000, "owner");
    assert_int_equal(plan(fdt), 2);
    assert_int_equal(nr_refusals, 0);
    const struct desc_shm *r[4];
    assert_int_equal(domain_shm_regions(dd, ok, 2, r, 4), 1);
    assert_true(r[0]->host_given);
    assert_int_equal(r[0]->pa, 0x60000000);
    /* another domain's static memory, either way round */
    fdt = host();
    domain_node(fdt, "b", 0x50200000);
    domain_node(fdt, "a", 0x50000000);
    static_mem(fdt, "/chosen/a", 0x60000000, 0x4000000);
    shm(fdt, "/chosen/b", "s", "r", 0x61000000, 0x4000000, 0x200000, NULL);
    assert_int_equal(plan(fdt), 2);
    expect_one_refusal("b: s: xen,shared-mem: region \"r\", host 0x61000000-0x611fffff, is a's xen,static-mem");
    fdt = host();
    domain_node(fdt, "b", 0x50200000);
    domain_node(fdt, "a", 0x50000000);
    static_mem(fdt, "/chosen/b", 0x60000000, 0x4000000);
    shm(fdt, "/chosen/a", "s", "r", 0x61000000, 0x4000000, 0x200000, NULL);
    assert_int_equal(plan(fdt), 2);
    expect_one_refusal("b: xen,static-mem: host 0x60000000-0x63ffffff overlaps region \"r\" shared by a");
}

/* The hypervisor node's extended regions (where Linux maps foreign pages)
 * leave a region in the RAM window out, keeping its larger side. */
static void extended_regions_leave_it_out(void **state)
{
    (void)state;
    void *fdt = host();
    int d = domain_node(fdt, "g", 0x50000000);
    fdt_setprop_string(fdt, d, "xen,enhanced", "enabled");
    shm(fdt, "/chosen/g", "s", "r", 0x60000000, 0x48000000, 0x200000, NULL);
    struct domain_desc one;
    assert_true(describe(fdt, "/chosen/g", &one));
    struct guest_fdt_params gp;
    domain_desc_fdt_params(&one, 3, NULL, &gp);
    assert_int_equal(gp.nr_ext, 2);
    assert_int_equal(gp.ext[0].base, 0x48200000);
    assert_int_equal(gp.ext[0].size, 0x100000000ULL - 0x48200000);
    assert_int_equal(gp.nr_shm, 1);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "build/out/tests/unit/dtb";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_between_two),
        cmocka_unit_test(one_cell_form),
        cmocka_unit_test(refused_alone),
        cmocka_unit_test(refused_between_domains),
        cmocka_unit_test(extended_regions_leave_it_out),
    };
    return cmocka_run_group_tests_name("domain_shm", tests, NULL, NULL);
}
