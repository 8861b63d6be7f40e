/* A guest never sees a byte it was not given (issue 14): not what the
 * host memory held before the hypervisor started, not another domain's,
 * not its own previous life's. The boot test fills the host RAM guests
 * are allocated from with HOST_PATTERN before the hypervisor starts (QEMU
 * loaders); this guest reads every word of its RAM outside what it was
 * given (its image, bss and stack; its device tree) and expects zeros.
 *
 * Its image carries PRISTINE_SIZE bytes of PRISTINE_WORD, so it is over
 * 4 MiB: loaded 2 MiB-aligned, its whole 2 MiB chunks are mapped in place
 * from the module and copied on first write. Each life checks it reads
 * them as built, then writes over them (a copy on write) and over all of
 * its free RAM; after the reset, the second life must find the image as
 * the module has it and its free RAM zero again.
 *
 * bootargs "donor": fill its free RAM (and its copy of the image) with
 * DONOR_PATTERN and power off at once; the other domain's rebuild is
 * expected to get that memory (the test checks where it lands).
 *
 * With xen,enhanced, it also has the hypervisor read a string from its
 * image (console_io, from a chunk still read from the module) and write
 * an answer into a page it never touched (XENVER_extraversion).
 *
 * Lives are told apart as in reset.c: by the domain's creation time
 * (CNTPCT - CNTVCT), which the rebuild renews. */
#include "fdt.h"
#include "lib.h"

#define HOST_PATTERN 0x5a17e5a17e5a17e5ULL
#define LIFE_PATTERN 0x11fe11fe11fe11feULL
#define DONOR_PATTERN 0xd0d0d0d0d0d0d0d0ULL
#define PRISTINE_WORD 0x9e157111e9e15711ULL
#define PRISTINE_SIZE (4608 * 1024) /* 4.5 MiB: two whole chunks and a part */
#define FIRST_BOOT 4

extern char _start_image[], _end_image[];

static uint64_t pristine[PRISTINE_SIZE / 8] = { [0 ... PRISTINE_SIZE / 8 - 1] = PRISTINE_WORD };

void guest_main(uint64_t dtb);

struct ram {
    uint64_t base, size; /* its RAM bank */
    uint64_t dtb, dtb_size; /* given: its device tree */
    uint64_t answer; /* given: the page a hypercall wrote its answer to */
};

static int given(const struct ram *r, uint64_t a)
{
    return (a >= (uint64_t)_start_image && a < (uint64_t)_end_image) || (a >= r->dtb && a < r->dtb + r->dtb_size) ||
        (a >= r->answer && a < r->answer + 4096);
}

/* Every word of free RAM: zero, or which pattern. */
static void scan(const struct ram *r, const char *life)
{
    uint64_t host = 0, mine = 0, donor = 0, other = 0, first = 0, words = 0;
    for (uint64_t a = r->base; a < r->base + r->size; a += 8) {
        if (given(r, a))
            continue;
        uint64_t w = *(volatile uint64_t *)a;
        words++;
        if (!w)
            continue;
        if (!first)
            first = a;
        if (w == HOST_PATTERN)
            host++;
        else if (w == LIFE_PATTERN)
            mine++;
        else if (w == DONOR_PATTERN)
            donor++;
        else
            other++;
    }
    puts_("residue: ");
    puts_(life);
    puts_(": scanned ");
    put_hex(words * 8);
    puts_(" bytes of free RAM: host pattern ");
    put_hex(host);
    puts_(", previous life ");
    put_hex(mine);
    puts_(", donor ");
    put_hex(donor);
    puts_(", other non-zero ");
    put_hex(other);
    puts_(" words");
    if (first) {
        puts_(", first at ");
        put_hex(first);
    }
    puts_("\n");
    check(words * 8 + (uint64_t)(_end_image - _start_image) + r->dtb_size + 4096 >= r->size,
          "every byte of RAM outside the image and the device tree was read");
    check(!host && !mine && !donor && !other, "free RAM is all zeros: nothing the guest was not given");
}

static void fill(const struct ram *r, uint64_t pattern)
{
    for (uint64_t a = r->base; a < r->base + r->size; a += 8)
        if (!given(r, a))
            *(volatile uint64_t *)a = pattern;
    for (unsigned i = 0; i < PRISTINE_SIZE / 8; i++)
        ((volatile uint64_t *)pristine)[i] = pattern;
}

static int pristine_intact(void)
{
    for (unsigned i = 0; i < PRISTINE_SIZE / 8; i++)
        if (((volatile uint64_t *)pristine)[i] != PRISTINE_WORD)
            return 0;
    return 1;
}

static int pristine_is(uint64_t pattern)
{
    for (unsigned i = 0; i < PRISTINE_SIZE / 8; i++)
        if (((volatile uint64_t *)pristine)[i] != pattern)
            return 0;
    return 1;
}

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int len, chosen = fdt_node(fdt, "/chosen"), mem = fdt_node(fdt, "/memory@40000000");
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    const uint8_t *reg = mem >= 0 ? fdt_prop(fdt, mem, "reg", &len) : 0;
    if (!reg || len != 16) {
        check(0, "residue: a memory@40000000 node with one bank");
        psci_system_off();
    }
    struct ram r = { be64(reg), be64(reg + 8), dtb, (be32((const uint8_t *)fdt + 4) + 4095) & ~4095ULL, 0 };
    r.answer = r.base + (8 << 20); /* past the image, below the device tree's 2 MiB: a chunk nothing touched */
    int donor = contains(args, "donor");

    uint64_t freq, pct, vct;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntpct_el0; mrs %2, cntvct_el0"
                     : "=r"(freq), "=r"(pct), "=r"(vct));
    int first = pct - vct < FIRST_BOOT * freq;
    const char *life = donor ? "donor" : first ? "first boot" : "after its reset";

    /* the hypervisor reading a string of the image (its first chunk,
     * still read from the module) for console_io */
    static const char hello_line[] = "residue: console_io from the image\n";
    check(xen_hypercall(18, 0, sizeof(hello_line) - 1, (uint64_t)hello_line) == (int64_t)sizeof(hello_line) - 1,
          "console_io reads its string from the image");
    check(pristine_intact(), "the image reads as built (its chunks in place, from the module)");
    /* the hypervisor writing a hypercall's answer into a page the guest
     * never touched (8 MiB into its RAM): its chunk made ready first, the
     * answer there after; the page is then the guest's, not scanned */
    volatile char *untouched = (volatile char *)r.answer;
    int64_t rc = xen_hypercall(17, 1, r.answer, 0); /* XENVER_extraversion */
    unsigned n = 0;
    while (n < 16 && untouched[n])
        n++;
    check(rc == 0 && n < 16, "XENVER_extraversion writes its string into a page it never touched");
    scan(&r, life);
    uint64_t pattern = donor ? DONOR_PATTERN : LIFE_PATTERN;
    fill(&r, pattern);
    check(pristine_is(pattern), "writes over the image stick (copied on write)");
    if (donor) {
        puts_(failures ? "residue: donor: some checks FAILED\n" : "residue: donor: filled, powering off\n");
        psci_system_off();
    }
    if (first) {
        puts_("residue: first boot: filled, resetting\n");
        do
            __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(pct));
        while (pct < FIRST_BOOT * freq + freq / 2);
        hvc(0x84000009, 0, 0, 0); /* SYSTEM_RESET */
        check(0, "residue: SYSTEM_RESET returned");
        psci_system_off();
    }
    puts_(failures ? "residue: some checks FAILED\n" : "residue: all checks passed\n");
    psci_system_off();
}
