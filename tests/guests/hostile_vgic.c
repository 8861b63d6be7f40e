/* Hostile guest, attack: odd accesses to the emulated GIC distributor.
 *
 * Default ("itargets", GICv2): 32- and 16-bit GICD_ITARGETSR accesses that
 * are not naturally aligned, straddling the last implemented SPI, used to
 * read and write bytes past the hypervisor's SPI array (into the domain's
 * own struct domain: its counter offset, its direct-mapped flag). With the
 * MMU off every access is Device memory and an unaligned one faults at EL1
 * before it reaches the hypervisor, so the guest builds an identity map
 * first (0-1 GiB Normal non-cacheable, 1-2 GiB Normal write-back) and runs
 * with SCTLR_EL1.M=1, A=0. A correct distributor refuses them with a
 * synchronous external abort injected at EL1 (EC 0x25, DFSC 0x10), leaves
 * CNTPCT - CNTVCT and XENVER_get_features alone, and reads bytes of
 * ITARGETSR past the implemented SPIs as 0 and ignores writes there.
 *
 * "width" (GICv2 and GICv3): a 1-byte write of 0x01 to byte 1 of
 * GICD_ISENABLER1 (meant for INTID 40) enabled INTID 32. The register is
 * word-only: the write must be refused with the same abort, and enable
 * nothing; a 32-bit write of 1 << 8 then enables exactly INTID 40. */
#include "fdt.h"
#include "abort_catch.h"
#include "lib.h"

#define ITARGETSR 0x800
#define ISENABLER1 0x104
#define ICENABLER1 0x184

/* One access, as exactly one load or store of that width. Returns whether
 * it was aborted; a skipped load leaves *val at a marker. */
static int access(int write, uintptr_t a, unsigned size, uint64_t *val)
{
    uint64_t before = abort_count, v = write ? *val : 0x5a5a5a5a5a5a5a5aULL;
    if (write) {
        if (size == 1)
            __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        else if (size == 2)
            __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        else
            __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
    } else {
        if (size == 1)
            __asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        else if (size == 2)
            __asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        else
            __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        *val = v;
    }
    __asm__ volatile("dsb sy; isb" ::: "memory");
    return abort_count != before;
}

static void say_access(int write, unsigned size, unsigned off)
{
    puts_("a ");
    puts_(size == 1 ? "1-byte " : size == 2 ? "2-byte " : "4-byte ");
    puts_(write ? "write at GICD+" : "read at GICD+");
    put_hex(off);
}

/* An access that must be refused with an injected external abort. */
static void expect_abort(int write, uintptr_t gicd, unsigned off, unsigned size, uint64_t value)
{
    uint64_t v = value;
    int aborted = access(write, gicd + off, size, &v);
    puts_(aborted ? "PASS: " : "FAIL: ");
    say_access(write, size, off);
    puts_(aborted ? " was refused with an abort\n" : " was NOT refused");
    if (!aborted) {
        if (!write) {
            puts_(", it read ");
            put_hex(v);
        }
        puts_("\n");
        failures++;
        return;
    }
    uint64_t esr = abort_esr, far = abort_far;
    int fnv = (esr >> 10) & 1;
    check((esr >> 26) == 0x25 && (esr & 0x3f) == 0x10,
          "  ... a synchronous external abort from the current EL (EC 0x25, DFSC 0x10)");
    check(((esr >> 6) & 1) == (uint64_t)write, "  ... its ESR says read or write as it was");
    check(fnv || far == gicd + off, "  ... FAR_EL1 is the address accessed");
}

/* An access that must work (no abort). */
static uint64_t expect_ok(int write, uintptr_t gicd, unsigned off, unsigned size, uint64_t value)
{
    uint64_t v = value;
    if (access(write, gicd + off, size, &v)) {
        puts_("FAIL: ");
        say_access(write, size, off);
        puts_(" was refused\n");
        failures++;
    }
    return v;
}

/* The counter offset: CNTPCT - CNTVCT, known to lie in [*lo, *hi]. */
static void counter_offset(uint64_t *lo, uint64_t *hi)
{
    *lo = 0;
    *hi = ~0ULL;
    for (int i = 0; i < 16; i++) {
        uint64_t p1, v, p2;
        __asm__ volatile("isb; mrs %0, cntpct_el0; isb; mrs %1, cntvct_el0; isb; mrs %2, cntpct_el0"
                         : "=r"(p1), "=r"(v), "=r"(p2));
        if (p1 - v > *lo)
            *lo = p1 - v;
        if (p2 - v < *hi)
            *hi = p2 - v;
    }
}

static struct {
    uint32_t idx, submap;
} feat __attribute__((aligned(8)));

static uint32_t features(void)
{
    feat.idx = 0;
    feat.submap = 0xdeadbeef;
    int64_t rc = xen_hypercall(17, 6, (uint64_t)&feat, 0); /* xen_version XENVER_get_features */
    return rc == 0 ? feat.submap : 0xffffffffu;
}

/* The distributor's address, from my device tree's GIC node. */
static uintptr_t find_gicd(const void *fdt)
{
    int root = fdt_node(fdt, "/"), c = -1;
    while (root >= 0 && (c = fdt_child(fdt, root, c)) >= 0) {
        const char *n = fdt_name(fdt, c);
        if (contains(n, "interrupt-controller@")) {
            int len;
            const uint8_t *reg = fdt_prop(fdt, c, "reg", &len);
            if (reg && len >= 16)
                return (uintptr_t)be64(reg);
        }
    }
    return 0x03001000UL;
}

/* Identity map, 4 KiB granule, T0SZ = 25 (39-bit VAs: the walk starts at
 * level 1), 1 GiB blocks: devices Normal non-cacheable, RAM write-back. */
static uint64_t l1[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
    l1[0] = 0x00000000ULL | 1ULL << 10 | 1ULL << 2 | 1; /* AF, AttrIndx 1, block */
    l1[1] = 0x40000000ULL | 1ULL << 10 | 3ULL << 8 | 0ULL << 2 | 1; /* AF, inner shareable, AttrIndx 0 */
    uint64_t mair = 0xffULL | 0x44ULL << 8; /* 0: Normal WB RW-alloc; 1: Normal NC */
    uint64_t tcr =
        25 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 1ULL << 23 | 1ULL << 32; /* T0SZ, WBWA, ISH, 4K, EPD1, IPS 36 bits */
    __asm__ volatile("dsb sy; msr mair_el1, %0; msr tcr_el1, %1; msr ttbr0_el1, %2; isb; tlbi vmalle1; dsb sy; isb"
                     :
                     : "r"(mair), "r"(tcr), "r"((uint64_t)l1)
                     : "memory");
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1 | 1 << 2 | 1 << 12; /* M, C, I */
    sctlr &= ~(2ULL); /* A: no alignment checks */
    __asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");
}

static void itargets(uintptr_t gicd)
{
    uint64_t v;
    uint32_t pidr2 = (uint32_t)expect_ok(0, gicd, 0xfe8, 4, 0);
    check((pidr2 & 0xf0) == 0x20, "GICD_PIDR2 says GICv2");
    uint32_t typer = (uint32_t)expect_ok(0, gicd, 0x4, 4, 0);
    unsigned nr = ((typer & 0x1f) + 1) * 32; /* INTIDs implemented */
    puts_("hostile-vgic: the distributor implements ");
    put_hex(nr);
    puts_(" INTIDs; attacking ITARGETSR at GICD+");
    put_hex(ITARGETSR + nr - 2);
    puts_(" and GICD+");
    put_hex(ITARGETSR + nr - 1);
    puts_("\n");

    uint64_t lo0, hi0, lo1, hi1;
    counter_offset(&lo0, &hi0);
    uint32_t f0 = features();
    check(f0 != 0xffffffffu, "XENVER_get_features answers");

    mmu_on();
    puts_("hostile-vgic: MMU on, the distributor mapped Normal non-cacheable\n");
    if (nr >= 64) {
        v = expect_ok(0, gicd, ITARGETSR + 32, 4, 0);
        check(v == 0x01010101, "an aligned 32-bit read of ITARGETSR8 (INTIDs 32-35) says vCPU0");
    }

    /* reads straddling the last implemented SPI and what lies past it */
    expect_abort(0, gicd, ITARGETSR + nr - 2, 4, 0);
    expect_abort(0, gicd, ITARGETSR + nr - 1, 4, 0);
    expect_abort(0, gicd, ITARGETSR + nr - 1, 2, 0);
    /* writes: target vCPU0 for the real SPIs, CPU interface 7 past them */
    expect_abort(1, gicd, ITARGETSR + nr - 2, 4, 0x80800101);
    expect_abort(1, gicd, ITARGETSR + nr - 1, 4, 0x80808001);
    expect_abort(1, gicd, ITARGETSR + nr - 1, 2, 0x8001);

    counter_offset(&lo1, &hi1);
    check((lo0 > lo1 ? lo0 : lo1) <= (hi0 < hi1 ? hi0 : hi1), "CNTPCT - CNTVCT (my counter offset) is unchanged");
    uint32_t f1 = features();
    check(f1 == f0, "XENVER_get_features is unchanged (not direct-mapped)");
    if (f1 != f0) {
        puts_("hostile-vgic: features were ");
        put_hex(f0);
        puts_(", now ");
        put_hex(f1);
        puts_("\n");
    }

    /* bytes of ITARGETSR past the implemented SPIs: RAZ/WI */
    if (nr + 8 <= 1020) {
        unsigned bad = 0;
        for (unsigned i = 0; i < 8; i++)
            bad |= expect_ok(0, gicd, ITARGETSR + nr + i, 1, 0) != 0;
        check(!bad, "byte reads of ITARGETSR past the implemented SPIs read 0");
        for (unsigned i = 0; i < 8; i++)
            expect_ok(1, gicd, ITARGETSR + nr + i, 1, 0x80);
        bad = 0;
        for (unsigned i = 0; i < 8; i++)
            bad |= expect_ok(0, gicd, ITARGETSR + nr + i, 1, 0) != 0;
        check(!bad, "byte writes there are ignored (they still read 0)");
        counter_offset(&lo1, &hi1);
        check((lo0 > lo1 ? lo0 : lo1) <= (hi0 < hi1 ? hi0 : hi1) && features() == f0,
              "the counter offset and features are still unchanged");
    }
    /* a byte access to an implemented SPI's ITARGETSR is fine */
    if (nr >= 64) {
        expect_ok(1, gicd, ITARGETSR + 33, 1, 0x01);
        check(expect_ok(0, gicd, ITARGETSR + 33, 1, 0) == 0x01, "a byte write and read of ITARGETSR for INTID 33 work");
    }
}

static void width(uintptr_t gicd)
{
    uint32_t before = (uint32_t)expect_ok(0, gicd, ISENABLER1, 4, 0);
    check(before == 0, "GICD_ISENABLER1 starts with nothing enabled");
    puts_("hostile-vgic: a 1-byte write of 0x01 to GICD_ISENABLER1 byte 1 (INTID 40)\n");
    expect_abort(1, gicd, ISENABLER1 + 1, 1, 0x01);
    uint32_t after = (uint32_t)expect_ok(0, gicd, ISENABLER1, 4, 0);
    check(!(after & 1), "INTID 32 was not enabled by it");
    check(!(after & (1u << 8)), "nor INTID 40");
    expect_ok(1, gicd, ISENABLER1, 4, 1u << 8);
    uint32_t now = (uint32_t)expect_ok(0, gicd, ISENABLER1, 4, 0);
    check(now == (1u << 8), "a 32-bit write of 1 << 8 enables exactly INTID 40");
    expect_ok(1, gicd, ICENABLER1, 4, 1u << 8);
    check(expect_ok(0, gicd, ISENABLER1, 4, 0) == 0, "and a 32-bit ICENABLER1 write disables it again");
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    uintptr_t gicd = find_gicd((const void *)dtb);
    abort_catch_install();
    if (dtb_mentions(dtb, "width")) {
        puts_("hostile-vgic: byte access to a word-only distributor register\n");
        width(gicd);
    } else {
        puts_("hostile-vgic: unaligned ITARGETSR accesses at the end of the SPIs\n");
        itargets(gicd);
    }
    if (abort_count)
        puts_("hostile-vgic: the distributor refused what it had to\n");
    puts_(failures ? "hostile-vgic: some checks FAILED\n" : "hostile-vgic: all checks passed\n");
    psci_system_off();
}
