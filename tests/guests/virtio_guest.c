#include "virtio_guest.h"
#include "fdt.h"
#include "lib.h"

/* ---- one access of exactly this width ------------------------------------- */
uint64_t rd(uint64_t a, unsigned size)
{
    uint64_t v = ~0ULL;
    if (size == 1)
        __asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
    else if (size == 2)
        __asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
    else if (size == 4)
        __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
    else
        __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
    __asm__ volatile("dsb sy" ::: "memory");
    return v;
}

void wr(uint64_t a, unsigned size, uint64_t v)
{
    __asm__ volatile("dsb sy" ::: "memory");
    if (size == 1)
        __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
    else if (size == 2)
        __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
    else if (size == 4)
        __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
    else
        __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
    __asm__ volatile("dsb sy" ::: "memory");
}

/* ---- printing and the counter ---------------------------------------------- */
static void put_num(uint64_t v, unsigned base)
{
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do
        buf[--i] = "0123456789abcdef"[v % base];
    while ((v /= base) && i > 0);
    if (base == 16)
        puts_("0x");
    puts_(&buf[i]);
}
void put_dec(uint64_t v) { put_num(v, 10); }
void put_x(uint64_t v) { put_num(v, 16); }

uint64_t vcount(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static uint64_t since(uint64_t t0, uint64_t per_second)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return (vcount() - t0) * per_second / f;
}
uint64_t us_since(uint64_t t0) { return since(t0, 1000000); }
uint64_t ms_since(uint64_t t0) { return since(t0, 1000); }

/* ---- MMU and power ------------------------------------------------------------ */
void mmu_enable(const uint64_t *l1, uint64_t mair, int misaligned_ok)
{
    uint64_t tcr = 25 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 1ULL << 23 | 1ULL << 32;
    __asm__ volatile("dsb sy; msr mair_el1, %0; msr tcr_el1, %1; msr ttbr0_el1, %2; isb; tlbi vmalle1; dsb sy; isb"
                     :
                     : "r"(mair), "r"(tcr), "r"((uint64_t)l1)
                     : "memory");
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1 | 1 << 2 | 1 << 12;
    if (misaligned_ok)
        sctlr &= ~2ULL; /* no alignment checks */
    __asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");
}

void power_off(void)
{
    uint32_t reason = 0; /* SHUTDOWN_poweroff */
    xen_hypercall(29 /* sched_op */, 2 /* SCHEDOP_shutdown */, (uint64_t)&reason, 0);
    psci_system_off();
}

/* ---- my device tree ------------------------------------------------------------ */
uint64_t ecam, ram_end;

int find_ecam(const void *fdt)
{
    int root = fdt_node(fdt, "/"), n = -1, len;
    while ((n = fdt_child(fdt, root, n)) >= 0) {
        const char *name = fdt_name(fdt, n);
        const uint8_t *reg = fdt_prop(fdt, n, "reg", &len);
        if (contains(name, "pcie@") && reg && len == 16)
            ecam = be64(reg);
        if (contains(name, "memory") && reg && len >= 16)
            ram_end = be64(reg) + be64(reg + 8);
    }
    return ecam != 0;
}

/* ---- the function ------------------------------------------------------------- */
uint64_t bar, common, notify, isr, devcfg;
uint32_t notify_mult;

uint64_t cfg(unsigned dev, unsigned reg) { return ecam + ((uint64_t)dev << 15) + reg; }

int find_function(uint32_t id)
{
    for (unsigned s = 0; s < 32; s++)
        if ((uint32_t)rd(cfg(s, 0), 4) == id)
            return (int)s;
    return -1;
}

int map_function(unsigned s)
{
    uint32_t lo = (uint32_t)rd(cfg(s, 0x10), 4);
    bar = lo & ~0xfULL;
    if ((lo & 6) == 4)
        bar |= rd(cfg(s, 0x14), 4) << 32;
    wr(cfg(s, 0x04), 2, rd(cfg(s, 0x04), 2) | 6);
    if (!(rd(cfg(s, 0x06), 2) & 0x10))
        return 0;
    for (unsigned p = rd(cfg(s, 0x34), 1) & 0xfc, n = 0; p && n < 48; p = rd(cfg(s, p + 1), 1) & 0xfc, n++) {
        if (rd(cfg(s, p), 1) != 0x09 || rd(cfg(s, p + 4), 1) != 0)
            continue;
        unsigned type = (unsigned)rd(cfg(s, p + 3), 1);
        uint64_t at = bar + (uint32_t)rd(cfg(s, p + 8), 4);
        if (type == 1)
            common = at;
        else if (type == 2) {
            notify = at;
            notify_mult = (uint32_t)rd(cfg(s, p + 16), 4);
        } else if (type == 3)
            isr = at;
        else if (type == 4)
            devcfg = at;
    }
    return common && notify && devcfg;
}

int virtio_blk_open(void)
{
    volatile uint32_t *ready = (volatile uint32_t *)READY;
    check(ready[1] == 1, "the wait register returned 1: my device model connected");
    int slot = find_function(0x10421af4u);
    check(slot >= 0, "a virtio-blk function (0x1af4:0x1042) on bus 0");
    return slot >= 0 && map_function((unsigned)slot) ? slot : -1;
}

/* ---- queue 0 ------------------------------------------------------------------ */
uint16_t aidx;

uint8_t status(void) { return (uint8_t)rd(common + C_STATUS, 1); }
void reset(void) { wr(common + C_STATUS, 1, 0); }

void zero(uint64_t a, unsigned len)
{
    for (unsigned i = 0; i < len; i += 8)
        *(volatile uint64_t *)(a + i) = 0;
}

void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t d = Q_DESC + 16ULL * i;
    *(volatile uint64_t *)d = addr;
    *(volatile uint32_t *)(d + 8) = len;
    *(volatile uint16_t *)(d + 12) = flags;
    *(volatile uint16_t *)(d + 14) = next;
}

uint16_t used_idx(void) { return *(volatile uint16_t *)(Q_USED + 2); }

void post_step(uint16_t head, uint16_t step)
{
    *(volatile uint16_t *)(Q_AVAIL + 4 + 2 * (aidx % QSIZE)) = head;
    __asm__ volatile("dsb sy" ::: "memory");
    aidx = (uint16_t)(aidx + step);
    *(volatile uint16_t *)(Q_AVAIL + 2) = aidx;
    __asm__ volatile("dsb sy" ::: "memory");
    wr(notify, 2, 0);
}
void post(uint16_t head) { post_step(head, 1); }

int setup_queue(uint32_t features_lo, uint32_t features_hi, uint64_t d, uint64_t a, uint64_t u)
{
    reset();
    if (status() != 0)
        return 0;
    zero(Q_DESC, 16 * QSIZE);
    zero(Q_AVAIL, 0x100);
    zero(Q_USED, 0x100);
    *(volatile uint16_t *)Q_AVAIL = 1; /* NO_INTERRUPT: I poll the used ring */
    aidx = 0;
    wr(common + C_STATUS, 1, S_ACK);
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER);
    wr(common + C_GFSELECT, 4, 0);
    wr(common + C_GF, 4, features_lo);
    wr(common + C_GFSELECT, 4, 1);
    wr(common + C_GF, 4, features_hi);
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(status() & S_FEATURES_OK))
        return 0;
    wr(common + C_QSELECT, 2, 0);
    wr(common + C_QSIZE, 2, QSIZE);
    wr(common + C_QDESC, 8, d);
    wr(common + C_QAVAIL, 8, a);
    wr(common + C_QUSED, 8, u);
    wr(common + C_QENABLE, 2, 1);
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    return rd(common + C_QENABLE, 2) == 1;
}
