/* A virtio-blk driver whose DMA goes through Xen grants, as Linux's
 * drivers/xen/grant-dma-ops.c does for a device behind a bridge with the
 * grants flag (docs/bindings.md, flags bit 0): every address it gives the
 * device is (1 << 63) | (grant_ref << 12) | offset, a buffer of several
 * pages is consecutive references, and what the device only reads is
 * granted read-only. Served by xam-devmodel (docs/device-models.md).
 *
 * The guest (xen,enhanced) sets up its grant table v1 (frame 0 mapped with
 * XENMEM_add_to_physmap, XENMAPSPACE_grant_table, at the region its
 * hypervisor node names), grants its rings and buffers to the device
 * model's domain (dm=N on its command line), negotiates VERSION_1 and
 * ACCESS_PLATFORM, reads and writes its disk through grant addresses and
 * checks the data, and checks that no grant is left mapped once a request
 * is used (GTF_reading/GTF_writing clear). Then the attacks, each after a
 * reset: references it did not grant, granted to another domain, beyond
 * its table or above 32 bits, a buffer running into a page it did not
 * grant, a read into a read-only grant, a used ring granted read-only, a
 * plain RAM address. Each must fail the device (DEVICE_NEEDS_RESET) and
 * nothing else; last, a valid read shows the device and its device model
 * still work.
 *
 * "nogrants" on the command line: the same device on a bridge without the
 * flag; a grant address must fail it, then a plain read works.
 *
 * One line per step: "virtio-grants: ...", and PASS/FAIL lines. */
#include "fdt.h"
#include "lib.h"
#include "virtio_guest.h"

#define F_HI_VERSION_1 1u /* feature 32 */
#define F_HI_ACCESS_PLATFORM 2u /* feature 33 */

#define T_IN 0
#define T_OUT 1

/* my pages past the rings (Q_DESC, Q_AVAIL, Q_USED): one per buffer, so
 * that each has its own grant */
#define Q_HDR (Q + 0x3000)
#define Q_DATA (Q + 0x4000) /* 2 pages */
#define Q_STATUS (Q + 0x6000)
#define Q_WDATA (Q + 0x7000) /* 2 pages */
#define Q_SINGLE (Q + 0x9000)
#define Q_BENCH (Q + 0x10000) /* 64 KiB */

/* grant references (Linux keeps 0-7 for the toolstack; so do I) */
#define R_DESC 16 /* read-only: the device only reads descriptors */
#define R_AVAIL 17 /* read-only */
#define R_USED 18
#define R_HDR 19 /* read-only */
#define R_DATA 20 /* and 21: the read buffer's two pages */
#define R_STATUS 22
#define R_WDATA 23 /* and 24, read-only: what a write request sends */
#define R_SINGLE 26 /* writable, and 27 is never granted */
#define R_OTHER 28 /* granted to another domain */
#define R_USED_RO 29 /* the used ring's page again, read-only */
#define R_UNGRANTED 40
#define R_BENCH 48 /* to 63: the bench's 64 KiB */
#define NR_REFS 64

/* grant_entry_v1 flags (public/grant_table.h) */
#define GTF_permit_access 1
#define GTF_readonly 4
#define GTF_reading 8
#define GTF_writing 16

#define SECTOR_TEXT "xen-arm-minimal virtio-grants disk"
#define W_SECTOR 64 /* where the write goes: 32 KiB into the disk */

static uint64_t ga(uint32_t ref, uint32_t off) { return 1ULL << 63 | (uint64_t)ref << 12 | off; }

/* ---- MMU: devices Device-nGnRE, RAM and the grant table write-back -------- */
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t gnttab_base, gnttab_size;

static void mmu_on(void)
{
    /* the first GiB in 2 MiB blocks: devices, except the grant table's
     * frames, which the hypervisor reads as ordinary memory */
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t a = i << 21;
        int wb = a >= gnttab_base && a < gnttab_base + gnttab_size;
        l2[i] = a | 1ULL << 10 | (wb ? 3ULL << 8 | 0ULL << 2 : 2ULL << 2) | 1;
    }
    l1[0] = (uint64_t)l2 | 3;
    l1[1] = 0x40000000ULL | 1ULL << 10 | 3ULL << 8 | 1; /* RAM: AF, inner shareable, AttrIndx 0 (WB) */
    mmu_enable(l1, 0xffULL | 0x44ULL << 8 | 0x04ULL << 16, 0);
}

/* ---- my device tree --------------------------------------------------------- */
static unsigned dm_domid;

static int find_nodes(const void *fdt)
{
    int hv = fdt_node(fdt, "/hypervisor"), len;
    const uint8_t *reg = hv >= 0 ? fdt_prop(fdt, hv, "reg", &len) : 0;
    if (reg && len >= 16)
        gnttab_base = be64(reg), gnttab_size = be64(reg + 8);
    return find_ecam(fdt);
}

/* dm=N on my command line: the device model's domain, the grantee */
static int find_dm(const void *fdt)
{
    int chosen = fdt_node(fdt, "/chosen"), len;
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    for (int i = 0; args && i + 3 < len; i++)
        if (args[i] == 'd' && args[i + 1] == 'm' && args[i + 2] == '=' && (i == 0 || args[i - 1] == ' ')) {
            unsigned v = 0;
            for (int j = i + 3; j < len && args[j] >= '0' && args[j] <= '9'; j++)
                v = v * 10 + (unsigned)(args[j] - '0');
            dm_domid = v;
            return 1;
        }
    return 0;
}

/* ---- the grant table ---------------------------------------------------- */
struct grant_entry_v1 {
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};
static volatile struct grant_entry_v1 *gnttab;

static int gnttab_setup(void)
{
    /* struct xen_add_to_physmap: domid, size, space, idx, gpfn */
    struct {
        uint16_t domid, size;
        uint32_t space;
        uint64_t idx, gpfn;
    } xatp = { 0x7ff0, 0, 1 /* XENMAPSPACE_grant_table */, 0, gnttab_base >> 12 };
    int64_t rc = xen_hypercall(12 /* memory_op */, 7 /* XENMEM_add_to_physmap */, (uint64_t)&xatp, 0);
    puts_("virtio-grants: grant table frame 0 at ");
    put_x(gnttab_base);
    puts_(": add_to_physmap ");
    put_dec((uint64_t)rc);
    puts_("\n");
    gnttab = (volatile struct grant_entry_v1 *)gnttab_base;
    for (unsigned r = 0; r < NR_REFS; r++)
        gnttab[r].flags = 0;
    return rc == 0;
}

static void grant(uint32_t ref, uint64_t page, unsigned domid, int ro)
{
    gnttab[ref].domid = (uint16_t)domid;
    gnttab[ref].frame = (uint32_t)(page >> 12);
    __asm__ volatile("dmb ishst" ::: "memory"); /* the entry before its flags, as Linux */
    gnttab[ref].flags = (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0));
}

/* Is any of my grants still mapped (GTF_reading/GTF_writing)? The device
 * model unmaps each copy before it goes on, so once the used ring says a
 * request is done nothing stays mapped; the last unmap (the used index)
 * may still be on its way: wait up to 2 s. */
static int grants_in_use(void)
{
    uint64_t t0 = vcount();
    for (;;) {
        int busy = 0;
        for (unsigned r = 0; r < NR_REFS; r++)
            busy |= gnttab[r].flags & (GTF_reading | GTF_writing);
        if (!busy || us_since(t0) > 2000000)
            return busy;
        delay_ms(1);
    }
}

/* ---- the device ------------------------------------------------------------ */
static int grants; /* my bridge has the grants flag */

/* Reset, negotiate VERSION_1 (and ACCESS_PLATFORM on a grants bridge),
 * queue 0 of QSIZE entries at desc/avail/used, DRIVER_OK. */
static int setup_at(uint64_t d, uint64_t a, uint64_t u)
{
    return setup_queue(0, F_HI_VERSION_1 | (grants ? F_HI_ACCESS_PLATFORM : 0), d, a, u);
}

/* the rings where the device finds them: grants, or my RAM */
static int setup(void)
{
    if (grants)
        return setup_at(ga(R_DESC, 0), ga(R_AVAIL, 0), ga(R_USED, 0));
    return setup_at(Q_DESC, Q_AVAIL, Q_USED);
}

static void must_setup(void)
{
    if (!setup()) {
        puts_("FAIL: the set-up of queue 0 failed\n");
        failures++;
    }
}

/* A request as descriptors 0-2: header, data (flags as given), status. */
static void request(uint32_t type, uint64_t sector, uint64_t data, uint32_t len, uint16_t data_flags)
{
    *(volatile uint32_t *)Q_HDR = type;
    *(volatile uint32_t *)(Q_HDR + 4) = 0;
    *(volatile uint64_t *)(Q_HDR + 8) = sector;
    *(volatile uint8_t *)Q_STATUS = 0xee;
    desc(0, grants ? ga(R_HDR, 0) : Q_HDR, 16, D_NEXT, 1);
    desc(1, data, len, (uint16_t)(data_flags | D_NEXT), 2);
    desc(2, grants ? ga(R_STATUS, 0) : Q_STATUS, 1, D_WRITE, 0);
}

/* Post it and wait for it to be used (or the device to fail): the status
 * byte, or -1. */
static int run(unsigned ms)
{
    uint16_t before = used_idx();
    post(0);
    uint64_t t0 = vcount();
    while (used_idx() == before && !(status() & S_NEEDS_RESET) && us_since(t0) < ms * 1000ULL)
        ;
    return used_idx() == before ? -1 : *(volatile uint8_t *)Q_STATUS;
}

static unsigned attacks, broken;

/* An attack's line: what device_status says after it. */
static void outcome(const char *attack)
{
    uint64_t t0 = vcount();
    while (!(status() & S_NEEDS_RESET) && used_idx() == 0 && us_since(t0) < 2000000)
        delay_ms(1);
    uint8_t st = status();
    attacks++;
    broken += (st & S_NEEDS_RESET) != 0;
    puts_("virtio-grants: ");
    puts_(attack);
    puts_(": device_status ");
    put_x(st);
    puts_(st & S_NEEDS_RESET ? " NEEDS_RESET" : " no NEEDS_RESET");
    puts_(", used idx ");
    put_dec(used_idx());
    puts_("\n");
    reset();
}

static void fill(uint64_t a, unsigned len, uint8_t seed)
{
    for (unsigned i = 0; i < len; i++)
        *(volatile uint8_t *)(a + i) = (uint8_t)(seed + i * 7 + (i >> 9));
}

static int same_as_filled(uint64_t a, unsigned len, uint8_t seed, unsigned skip)
{
    for (unsigned i = 0; i < len; i++)
        if (*(volatile uint8_t *)(a + i) != (uint8_t)(seed + (i + skip) * 7 + ((i + skip) >> 9)))
            return 0;
    return 1;
}

static int starts_with(uint64_t a, const char *s)
{
    for (unsigned i = 0; s[i]; i++)
        if (*(volatile uint8_t *)(a + i) != (uint8_t)s[i])
            return 0;
    return 1;
}

/* ---- through grants ------------------------------------------------------- */
static void grant_all(void)
{
    grant(R_DESC, Q_DESC, dm_domid, 1);
    grant(R_AVAIL, Q_AVAIL, dm_domid, 1);
    grant(R_USED, Q_USED, dm_domid, 0);
    grant(R_HDR, Q_HDR, dm_domid, 1);
    grant(R_DATA, Q_DATA, dm_domid, 0);
    grant(R_DATA + 1, Q_DATA + 0x1000, dm_domid, 0);
    grant(R_STATUS, Q_STATUS, dm_domid, 0);
    grant(R_WDATA, Q_WDATA, dm_domid, 1);
    grant(R_WDATA + 1, Q_WDATA + 0x1000, dm_domid, 1);
    grant(R_SINGLE, Q_SINGLE, dm_domid, 0);
    grant(R_OTHER, Q_SINGLE, 9, 0); /* someone else's */
    grant(R_USED_RO, Q_USED, dm_domid, 1);
    for (unsigned i = 0; i < 16; i++)
        grant(R_BENCH + i, Q_BENCH + 0x1000ULL * i, dm_domid, 0);
}

/* 1 MiB read as 16 requests of 64 KiB (one descriptor each, the best case
 * for both: a grants bridge maps its 16 pages in one call), timed on the
 * counter: informational, the machine is shared. */
static void bench(void)
{
    must_setup();
    uint64_t t0 = vcount();
    int bad = 0;
    for (unsigned i = 0; i < 16; i++) {
        request(T_IN, 0, grants ? ga(R_BENCH, 0) : Q_BENCH, 0x10000, D_WRITE);
        bad |= run(2000) != 0;
    }
    uint64_t us = us_since(t0);
    puts_("virtio-grants: bench: 1 MiB read in 64 KiB requests ");
    puts_(grants ? "through grants: " : "at plain addresses: ");
    put_dec(us);
    puts_(" us\n");
    check(!bad, "every bench request succeeded");
    reset();
}

static void valid_io(void)
{
    must_setup();
    zero(Q_DATA, 0x2000);
    request(T_IN, 0, ga(R_DATA, 0), 512, D_WRITE);
    int st = run(2000);
    puts_("virtio-grants: read sector 0 through grant ");
    put_dec(R_DATA);
    puts_(": status ");
    put_dec((uint64_t)(int64_t)st);
    puts_("\n");
    check(st == 0 && starts_with(Q_DATA, SECTOR_TEXT), "sector 0 read through a grant holds the disk's text");
    check(!grants_in_use(), "no grant is still mapped once the read is used");

    /* 8 KiB from two read-only grants (consecutive references, as Linux
     * grants a buffer of two pages) */
    fill(Q_WDATA, 0x2000, 0x5a);
    request(T_OUT, W_SECTOR, ga(R_WDATA, 0), 0x2000, 0);
    uint64_t t0 = vcount();
    st = run(2000);
    uint64_t us = us_since(t0);
    puts_("virtio-grants: wrote 8 KiB at sector 64 from read-only grants ");
    put_dec(R_WDATA);
    puts_("-");
    put_dec(R_WDATA + 1);
    puts_(": status ");
    put_dec((uint64_t)(int64_t)st);
    puts_(", ");
    put_dec(us);
    puts_(" us\n");
    check(st == 0, "the write from read-only grants succeeded");

    zero(Q_DATA, 0x2000);
    request(T_IN, W_SECTOR, ga(R_DATA, 0), 0x2000, D_WRITE);
    t0 = vcount();
    st = run(2000);
    us = us_since(t0);
    puts_("virtio-grants: read 8 KiB back into grants ");
    put_dec(R_DATA);
    puts_("-");
    put_dec(R_DATA + 1);
    puts_(": status ");
    put_dec((uint64_t)(int64_t)st);
    puts_(", ");
    put_dec(us);
    puts_(" us\n");
    check(st == 0 && same_as_filled(Q_DATA, 0x2000, 0x5a, 0), "the 8 KiB read back are the ones written");

    /* a buffer that starts near a page's end and goes on in the next
     * reference */
    zero(Q_DATA, 0x2000);
    request(T_IN, W_SECTOR, ga(R_DATA, 0xe00), 1024, D_WRITE);
    st = run(2000);
    puts_("virtio-grants: read 1 KiB at offset 0xe00 of grant ");
    put_dec(R_DATA);
    puts_(" (into the next): status ");
    put_dec((uint64_t)(int64_t)st);
    puts_("\n");
    check(st == 0 && same_as_filled(Q_DATA + 0xe00, 1024, 0x5a, 0),
          "a buffer across two consecutive grants is read whole");
    check(!grants_in_use(), "no grant is still mapped after the requests");
    reset();
}

static void attack_data(const char *what, uint64_t data, uint32_t len, uint16_t flags)
{
    must_setup();
    request(T_IN, 0, data, len, flags);
    post(0);
    outcome(what);
}

static void attacks_grants(void)
{
    attack_data("a reference I did not grant (40)", ga(R_UNGRANTED, 0), 512, D_WRITE);
    attack_data("a reference granted to another domain (28)", ga(R_OTHER, 0), 512, D_WRITE);
    attack_data("a buffer running into a page I did not grant (26+0xf00, 512 bytes)", ga(R_SINGLE, 0xf00), 512,
                D_WRITE);
    attack_data("a reference past my table (600000)", ga(600000, 0), 512, D_WRITE);
    attack_data("a reference above 32 bits", 1ULL << 63 | 1ULL << 50, 512, D_WRITE);
    attack_data("a plain RAM address on a grants bridge", Q_DATA, 512, D_WRITE);

    /* the device must write a read into a read-only grant: refused, and
     * the buffer unchanged */
    fill(Q_WDATA, 512, 0x33);
    attack_data("a read into a read-only grant (23)", ga(R_WDATA, 0), 512, D_WRITE);
    check(same_as_filled(Q_WDATA, 512, 0x33, 0), "the read-only grant's page is unchanged");

    if (!setup_at(ga(R_DESC, 0), ga(R_AVAIL, 0), ga(R_USED_RO, 0))) {
        puts_("FAIL: the set-up with a read-only used ring failed\n");
        failures++;
    }
    request(T_IN, 0, ga(R_DATA, 0), 512, D_WRITE);
    post(0);
    outcome("a used ring in a read-only grant (29)");

    if (!setup_at(ga(R_UNGRANTED + 1, 0), ga(R_AVAIL, 0), ga(R_USED, 0))) {
        puts_("FAIL: the set-up with an ungranted descriptor table failed\n");
        failures++;
    }
    post(0);
    outcome("a descriptor table I did not grant (41)");
    check(!grants_in_use(), "no grant is still mapped after the attacks");
}

static void grants_main(void)
{
    check(gnttab_base && gnttab_size >= 0x1000, "my hypervisor node names the grant table region");
    check(gnttab_setup(), "my grant table's frame 0 is mapped");
    grant_all();
    wr(common + C_DFSELECT, 4, 1);
    uint64_t hi = rd(common + C_DF, 4);
    puts_("virtio-grants: device features (high word) ");
    put_x(hi);
    puts_(", granting to domain ");
    put_dec(dm_domid);
    puts_("\n");
    check(hi & F_HI_ACCESS_PLATFORM, "the device offers VIRTIO_F_ACCESS_PLATFORM");
    valid_io();
    bench();
    attacks_grants();

    must_setup();
    zero(Q_DATA, 0x2000);
    request(T_IN, W_SECTOR, ga(R_DATA, 0), 0x2000, D_WRITE);
    int st = run(2000);
    puts_("virtio-grants: after ");
    put_dec(attacks);
    puts_(" attacks (");
    put_dec(broken);
    puts_(" of them NEEDS_RESET) 8 KiB read through grants: status ");
    put_dec((uint64_t)(int64_t)st);
    puts_("\n");
    check(broken == attacks, "every attack failed the device");
    check(st == 0 && same_as_filled(Q_DATA, 0x2000, 0x5a, 0), "the device still reads what I wrote");
    check(!grants_in_use(), "no grant is still mapped at the end");
    reset();
}

/* A bridge without the grants flag: a grant address must fail the device,
 * plain addresses work. */
static void nogrants_main(void)
{
    wr(common + C_DFSELECT, 4, 1);
    uint64_t hi = rd(common + C_DF, 4);
    puts_("virtio-grants: nogrants: device features (high word) ");
    put_x(hi);
    puts_("\n");
    check(!(hi & F_HI_ACCESS_PLATFORM), "without the grants flag the device does not offer ACCESS_PLATFORM");
    bench();
    attack_data("a grant address on a bridge without the grants flag", ga(R_DATA, 0), 512, D_WRITE);
    must_setup();
    zero(Q_DATA, 512);
    request(T_IN, 0, Q_DATA, 512, D_WRITE);
    int st = run(2000);
    puts_("virtio-grants: nogrants: then sector 0 read at a plain address: status ");
    put_dec((uint64_t)(int64_t)st);
    puts_("\n");
    check(broken == attacks && attacks == 1, "the grant address failed the device");
    check(st == 0 && starts_with(Q_DATA, SECTOR_TEXT), "the plain read holds the disk's text");
    reset();
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    grants = !dtb_mentions(dtb, "nogrants");
    check(find_nodes(fdt), "my tree has a pcie@ node");
    if (grants)
        check(find_dm(fdt), "my command line names my device model's domain (dm=N)");
    mmu_on();
    if (virtio_blk_open() >= 0) {
        if (grants)
            grants_main();
        else
            nogrants_main();
    } else {
        check(0, "its capabilities name the common, notify and device structures in BAR 0");
    }
    puts_(failures ? "virtio-grants: some checks FAILED\n" : "virtio-grants: all checks passed\n");
    power_off();
}
