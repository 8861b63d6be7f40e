/* Hostile guest, attack: a virtio-blk device of xam-devmodel (issue 12)
 * driven by a driver that does everything a correct one never does.
 *
 * The guest finds its virtio-pci function (0x1af4:0x1042) behind its
 * secondary bridge, walks the vendor capabilities to the common,
 * notification, ISR and device configuration structures in its BAR,
 * negotiates VERSION_1 and sets up queue 0 (16 entries) in its own RAM.
 * Then each attack, after a reset and a fresh set-up: a chain that loops,
 * a next or an avail entry past the queue, an avail index jumping ahead,
 * indirect tables (without the feature, looping, nested), buffers and
 * rings outside its RAM, just past its end and wrapping 2^64, a 4 GiB
 * length, a readable buffer after a writable one, a read whose data buffer
 * is device-readable, queue_select and queue_size out of range, every
 * register at every width and alignment, notifications of queues never set
 * up, and a flood of notifications. After each it prints one line
 * "hostile-virtio: <attack>: ..." with the device_status it read (and
 * whether DEVICE_NEEDS_RESET is set), and last reads sector 0 to show the
 * device still works after its resets.
 *
 * Misaligned accesses must reach the hypervisor, so the guest runs with
 * its MMU on (an identity map: devices Normal non-cacheable, RAM
 * write-back) and alignment checks off; an abort the hypervisor injects
 * (EC 0x25) is counted and the access skipped.
 *
 * Command line words:
 *   dmstop     the device model is stopped while this guest reads its
 *              disk: read sector 0 until the device is gone, then print
 *              what its registers read (all-ones) and power off.
 *   bystander  no device: print a line every 5 s for 60 s, then power
 *              off (a guest the device model's stop must not touch). */
#include "abort_catch.h"
#include "fdt.h"
#include "lib.h"
#include "virtio_guest.h"

#define F_INDIRECT (1u << 28)
#define D_INDIRECT 4

/* the buffers, in my RAM past the rings (Q_DESC, Q_AVAIL, Q_USED) */
#define Q_HDR (Q + 0x3000)
#define Q_DATA (Q + 0x4000)
#define Q_STATUS (Q + 0x5000)
#define Q_TABLE (Q + 0x6000)

/* Identity map, 4 KiB granule, 39-bit VAs, 1 GiB blocks. */
static uint64_t l1[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
    l1[0] = 0x00000000ULL | 1ULL << 10 | 1ULL << 2 | 1; /* devices: AF, AttrIndx 1 (Normal NC) */
    l1[1] = 0x40000000ULL | 1ULL << 10 | 3ULL << 8 | 1; /* RAM: AF, inner shareable, AttrIndx 0 (WB) */
    abort_catch_install(); /* an injected abort is counted, the access skipped */
    mmu_enable(l1, 0xffULL | 0x44ULL << 8, 1);
}

/* ---- the device ------------------------------------------------------------ */
static int tight; /* "tight": poll device_status without a pause */

static volatile uint8_t *ram8(uint64_t a) { return (volatile uint8_t *)a; }
static volatile uint16_t *ram16(uint64_t a) { return (volatile uint16_t *)a; }

static void table(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t d = Q_TABLE + 16ULL * i;
    *(volatile uint64_t *)d = addr;
    *(volatile uint32_t *)(d + 8) = len;
    *ram16(d + 12) = flags;
    *ram16(d + 14) = next;
}

static uint32_t used_len(unsigned i) { return *(volatile uint32_t *)(Q_USED + 4 + 8 * (i % QSIZE) + 4); }

/* Reset, negotiate VERSION_1 (and indirect descriptors if asked), set up
 * queue 0 with QSIZE entries at desc/avail/used, DRIVER_OK. */
static int setup_at(int indirect, uint64_t d, uint64_t a, uint64_t u)
{
    return setup_queue(indirect ? F_INDIRECT : 0, 1 /* VIRTIO_F_VERSION_1 */, d, a, u) &&
        rd(common + C_QSIZE, 2) == QSIZE;
}
static int setup(int indirect) { return setup_at(indirect, Q_DESC, Q_AVAIL, Q_USED); }

/* A read request of one sector into data at data_addr (flags of the data
 * descriptor as given) as descriptors 0-2. */
static void request(uint32_t type, uint64_t data_addr, uint32_t data_len, uint16_t data_flags)
{
    *(volatile uint32_t *)Q_HDR = type;
    *(volatile uint32_t *)(Q_HDR + 4) = 0;
    *(volatile uint64_t *)(Q_HDR + 8) = 0;
    *ram8(Q_STATUS) = 0xee;
    desc(0, Q_HDR, 16, D_NEXT, 1);
    desc(1, data_addr, data_len, (uint16_t)(data_flags | D_NEXT), 2);
    desc(2, Q_STATUS, 1, D_WRITE, 0);
}

/* Wait until the device used a chain or failed (at most ms). */
static void settle(unsigned ms)
{
    uint64_t t0 = vcount();
    while (ms_since(t0) < ms && used_idx() == 0 && !(status() & S_NEEDS_RESET))
        delay_ms(1);
}

static unsigned attacks, broken;

/* The line the case reads: what device_status says now. */
static void outcome(const char *attack, unsigned ms)
{
    settle(ms);
    uint8_t st = status();
    uint16_t used = used_idx();
    uint8_t irq = (uint8_t)rd(isr, 1);
    attacks++;
    broken += (st & S_NEEDS_RESET) != 0;
    puts_("hostile-virtio: ");
    puts_(attack);
    puts_(": device_status ");
    put_x(st);
    puts_(st & S_NEEDS_RESET ? " NEEDS_RESET" : " no NEEDS_RESET");
    puts_(", used idx ");
    put_dec(used);
    puts_(", ISR ");
    put_x(irq);
    puts_("\n");
    reset();
    if (status() != 0) {
        puts_("FAIL: device_status is not 0 after a reset\n");
        failures++;
    }
}

static void must_setup(int indirect)
{
    if (!setup(indirect)) {
        puts_("FAIL: the set-up of queue 0 failed\n");
        failures++;
    }
}

/* ---- the attacks ------------------------------------------------------------ */
static void attack_chains(void)
{
    must_setup(0);
    desc(0, Q_HDR, 16, D_NEXT, 1);
    desc(1, Q_DATA, 16, D_NEXT, 0); /* back to 0 */
    post(0);
    outcome("chain loop (descriptor 1 next 0)", 2000);

    must_setup(0);
    desc(0, Q_HDR, 16, D_NEXT, 0); /* itself */
    post(0);
    outcome("chain loop (descriptor 0 next 0)", 2000);

    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    desc(1, Q_DATA, 512, D_WRITE | D_NEXT, QSIZE + 1);
    post(0);
    outcome("next past the queue (17)", 2000);

    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    post(QSIZE);
    outcome("avail entry past the queue (16)", 2000);

    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    post(0xffff);
    outcome("avail entry past the queue (65535)", 2000);

    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    post_step(0, 100);
    outcome("avail idx jumps by 100", 2000);

    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    desc(1, Q_DATA, 512, D_WRITE | D_NEXT, 2);
    desc(2, Q_STATUS, 1, D_WRITE | D_NEXT, 3);
    desc(3, Q_HDR, 16, 0, 0); /* readable after writable */
    post(0);
    outcome("readable buffer after a writable one", 2000);
}

static void attack_indirect(void)
{
    must_setup(0);
    table(0, Q_HDR, 16, 0, 0);
    desc(0, Q_TABLE, 16, D_INDIRECT, 0);
    post(0);
    outcome("indirect without the feature", 2000);

    must_setup(1);
    table(0, Q_HDR, 16, D_NEXT, 1);
    table(1, Q_DATA, 512, D_NEXT, 0);
    desc(0, Q_TABLE, 32, D_INDIRECT, 0);
    post(0);
    outcome("indirect table loop", 2000);

    must_setup(1);
    table(0, Q_HDR, 16, D_NEXT, 1);
    table(1, Q_TABLE, 32, D_INDIRECT, 0);
    desc(0, Q_TABLE, 32, D_INDIRECT, 0);
    post(0);
    outcome("indirect table nested", 2000);

    must_setup(1);
    desc(0, Q_TABLE, 17, D_INDIRECT, 0);
    post(0);
    outcome("indirect table of 17 bytes", 2000);

    must_setup(1);
    desc(0, 0xfffffffffffffff0ULL, 32, D_INDIRECT, 0);
    post(0);
    outcome("indirect table wrapping 2^64", 2000);
}

static void attack_addresses(void)
{
    must_setup(0);
    request(0, 0x80000000ULL, 512, D_WRITE);
    post(0);
    outcome("data outside RAM (0x80000000)", 2000);

    must_setup(0);
    request(0, ram_end - 256, 512, D_WRITE);
    post(0);
    outcome("data across the end of RAM", 2000);

    must_setup(0);
    request(0, ram_end, 512, D_WRITE);
    post(0);
    outcome("data just past the end of RAM", 2000);

    must_setup(0);
    request(0, 0xffffffffffffff00ULL, 512, D_WRITE);
    post(0);
    outcome("data wrapping 2^64", 2000);

    must_setup(0);
    request(0, Q_DATA, 0xffffffffu, D_WRITE);
    post(0);
    outcome("data length 0xffffffff", 2000);

    if (!setup_at(0, 0xfffffffffffffff0ULL, Q_AVAIL, Q_USED)) {
        puts_("FAIL: the set-up with a wrapping table failed\n");
        failures++;
    }
    post(0);
    outcome("descriptor table wrapping 2^64", 2000);

    if (!setup_at(0, Q_DESC, Q_AVAIL, ram_end - 2)) {
        puts_("FAIL: the set-up with a used ring at the end failed\n");
        failures++;
    }
    request(0, Q_DATA, 512, D_WRITE);
    post(0);
    outcome("used ring past the end of RAM", 2000);
}

/* A read whose data buffer the device may only read: the device must not
 * write into it (and the request is no read at all). */
static void attack_readable_data(void)
{
    must_setup(0);
    for (unsigned i = 0; i < 512; i++)
        *ram8(Q_DATA + i) = 0xa5;
    request(0, Q_DATA, 512, 0);
    post(0);
    settle(2000);
    unsigned same = 1;
    for (unsigned i = 0; i < 512; i++)
        same &= *ram8(Q_DATA + i) == 0xa5;
    puts_("hostile-virtio: read into a device-readable buffer: status byte ");
    put_x(*ram8(Q_STATUS));
    puts_(", used len ");
    put_dec(used_idx() ? used_len(0) : 0);
    puts_(same ? ", the buffer unchanged\n" : ", the buffer CHANGED\n");
    check(same, "the device did not write into a device-readable buffer");
    outcome("read into a device-readable buffer", 0);
}

static void attack_queue_regs(void)
{
    must_setup(0);
    reset();
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER);
    wr(common + C_QSELECT, 2, 5);
    uint64_t size5 = rd(common + C_QSIZE, 2);
    wr(common + C_QSIZE, 2, 8);
    wr(common + C_QDESC, 8, Q_DESC);
    wr(common + C_QENABLE, 2, 1);
    uint64_t en5 = rd(common + C_QENABLE, 2);
    wr(common + C_QSELECT, 2, 0xffff);
    uint64_t sizeff = rd(common + C_QSIZE, 2);
    wr(common + C_QSELECT, 2, 0);
    wr(common + C_QSIZE, 2, 3);
    uint64_t size3 = rd(common + C_QSIZE, 2);
    wr(common + C_QSIZE, 2, 0);
    uint64_t size0 = rd(common + C_QSIZE, 2);
    wr(common + C_QSIZE, 2, 512);
    uint64_t size512 = rd(common + C_QSIZE, 2);
    puts_("hostile-virtio: queue_select 5: queue_size ");
    put_dec(size5);
    puts_(", enable ");
    put_dec(en5);
    puts_("; queue_select 0xffff: queue_size ");
    put_dec(sizeff);
    puts_("; queue 0 size 3, 0, 512 read back ");
    put_dec(size3);
    puts_(", ");
    put_dec(size0);
    puts_(", ");
    put_dec(size512);
    puts_("\n");
    check(size5 == 0 && en5 == 0 && sizeff == 0 && size3 == 256 && size0 == 256 && size512 == 256,
          "queues past the device read size 0, sizes not a power of 2 (or 0, or above 256) are ignored");
    outcome("queue_select out of range, queue_size not a power of 2", 0);
}

/* Every offset of the common configuration, the ISR, the device
 * configuration and the notifications, every width, aligned or not:
 * read, then written with all ones. */
static void attack_registers(void)
{
    must_setup(0);
    uint64_t cap_before = rd(devcfg, 8);
    uint64_t a0 = abort_count;
    unsigned n = 0;
    static const struct {
        uint64_t *base;
        unsigned len;
    } regions[] = { { &common, 0x40 }, { &isr, 8 }, { &devcfg, 0x40 }, { &notify, 8 } };
    for (unsigned r = 0; r < 4; r++)
        for (unsigned off = 0; off < regions[r].len; off++)
            for (unsigned size = 1; size <= 8; size *= 2) {
                rd(*regions[r].base + off, size);
                wr(*regions[r].base + off, size, ~0ULL);
                n += 2;
            }
    /* the BAR's unused pages and its last bytes */
    for (unsigned size = 1; size <= 8; size *= 2) {
        wr(bar + 0x0800, size, ~0ULL);
        wr(bar + 0x4000 - size, size, ~0ULL);
        wr(bar + 0x4000 - 1, size, ~0ULL);
        n += 3;
    }
    uint64_t cap_after = rd(devcfg, 8);
    puts_("hostile-virtio: every register, every width: ");
    put_dec(n);
    puts_(" accesses, ");
    put_dec(abort_count - a0);
    puts_(" aborted (misaligned), capacity ");
    put_dec(cap_before);
    puts_(cap_before == cap_after ? " unchanged\n" : " CHANGED\n");
    check(cap_before == cap_after && cap_before != 0, "the device configuration is read-only");
    outcome("every register, every width", 200);
}

static void attack_notify(void)
{
    reset();
    for (unsigned q = 0; q < 8; q++)
        wr(notify + (uint64_t)notify_mult * q, 2, q);
    wr(notify + 0xffc, 4, 0);
    outcome("notify with no queue set up", 200);

    /* queue 0 set up and a chain posted, but no DRIVER_OK: not taken */
    reset();
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER);
    wr(common + C_GFSELECT, 4, 1);
    wr(common + C_GF, 4, 1);
    wr(common + C_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
    zero(Q_AVAIL, 0x100);
    zero(Q_USED, 0x100);
    aidx = 0;
    wr(common + C_QSIZE, 2, QSIZE);
    wr(common + C_QDESC, 8, Q_DESC);
    wr(common + C_QAVAIL, 8, Q_AVAIL);
    wr(common + C_QUSED, 8, Q_USED);
    wr(common + C_QENABLE, 2, 1);
    request(0, Q_DATA, 512, D_WRITE);
    post(0);
    outcome("notify before DRIVER_OK", 200);
}

static void attack_flood(void)
{
    must_setup(0);
    request(0, Q_DATA, 512, D_WRITE);
    post(0);
    uint64_t t0 = vcount();
    unsigned n = 5000;
    for (unsigned i = 0; i < n; i++)
        wr(notify + (i & 1 ? 0 : 2), i & 1 ? 2 : 1, i);
    uint64_t ms = ms_since(t0);
    settle(2000);
    puts_("hostile-virtio: flood: ");
    put_dec(n);
    puts_(" notifications in ");
    put_dec(ms);
    puts_(" ms, the one request used ");
    put_dec(used_idx());
    puts_(" time(s), status byte ");
    put_x(*ram8(Q_STATUS));
    puts_("\n");
    check(used_idx() == 1 && *ram8(Q_STATUS) == 0, "one request, used once, whatever the notifications");
    outcome("flood of notifications", 0);
}

/* Read sector 0 into Q_DATA: the status byte, or -1 if it never came. */
static int read_sector0(unsigned ms)
{
    for (unsigned i = 0; i < 512; i++)
        *ram8(Q_DATA + i) = 0;
    uint16_t before = used_idx();
    request(0, Q_DATA, 512, D_WRITE);
    post(0);
    uint64_t t0 = vcount();
    while (used_idx() == before && ms_since(t0) < ms && status() != 0xff)
        if (!tight)
            delay_ms(1);
    return used_idx() == before ? -1 : *ram8(Q_STATUS);
}

static void print_sector0(void)
{
    puts_("hostile-virtio: sector 0 reads '");
    char line[65];
    unsigned i = 0;
    for (; i < 64 && *ram8(Q_DATA + i) >= ' ' && *ram8(Q_DATA + i) < 127; i++)
        line[i] = (char)*ram8(Q_DATA + i);
    line[i] = 0;
    puts_(line);
    puts_("'\n");
}

static void hostile(void)
{
    wr(common + C_DFSELECT, 4, 1);
    uint64_t hi = rd(common + C_DF, 4);
    wr(common + C_DFSELECT, 4, 0);
    uint64_t lo = rd(common + C_DF, 4);
    puts_("hostile-virtio: device features ");
    put_x(hi << 32 | lo);
    puts_(", ");
    put_dec(rd(common + C_NUMQ, 2));
    puts_(" queue(s), capacity ");
    put_dec(rd(devcfg, 8));
    puts_(" sectors\n");
    check(hi & 1 && lo & F_INDIRECT, "the device offers VERSION_1 and indirect descriptors");

    attack_chains();
    attack_indirect();
    attack_addresses();
    attack_readable_data();
    attack_queue_regs();
    attack_registers();
    attack_notify();
    attack_flood();

    must_setup(0);
    int st = read_sector0(2000);
    puts_("hostile-virtio: after ");
    put_dec(attacks);
    puts_(" attacks (");
    put_dec(broken);
    puts_(" of them NEEDS_RESET) a valid read of sector 0: status ");
    put_dec((uint64_t)(int64_t)st);
    puts_("\n");
    print_sector0();
    check(st == 0, "the device still reads sector 0 after every attack and reset");
    reset();
}

/* The device model goes away while I read: read until it is gone, then
 * look at what the device's registers read. */
static void dmstop(void)
{
    must_setup(0);
    unsigned reads = 0;
    int st;
    while ((st = read_sector0(3000)) == 0) {
        if (!reads)
            print_sector0();
        reads++;
        if (reads % 1000 == 0) {
            puts_("hostile-virtio: ");
            put_dec(reads);
            puts_(" reads\n");
        }
    }
    puts_("hostile-virtio: ");
    put_dec(reads);
    puts_(" reads of sector 0, then a read ");
    puts_(st < 0 ? "never completed\n" : "completed with an error\n");
    uint64_t s = status(), id = rd(cfg(0, 0), 4), nq = rd(common + C_NUMQ, 2);
    volatile uint32_t *ready = (volatile uint32_t *)READY;
    puts_("hostile-virtio: after the stop: device_status ");
    put_x(s);
    puts_(", num_queues ");
    put_x(nq);
    puts_(", 00:00.0 ID ");
    put_x(id);
    puts_(", readiness ");
    put_dec(ready[0]);
    puts_("\n");
    check(s == 0xff && id == 0xffffffffu && nq == 0xffff, "the gone device model's device reads all-ones");
    check(ready[0] == 0, "the readiness register reads 0: my device model is gone");
    uint16_t before = used_idx();
    request(0, Q_DATA, 512, D_WRITE);
    post(0);
    delay_ms(500);
    check(used_idx() == before, "a request posted after the stop is never used");
}

static void bystander(void)
{
    for (unsigned s = 1; s <= 60; s++) {
        delay_ms(1000);
        if (s % 5 == 0) {
            puts_("hostile-virtio: bystander: ");
            put_dec(s);
            puts_(" s\n");
        }
    }
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    if (dtb_mentions(dtb, "bystander")) {
        bystander();
        puts_("hostile-virtio: bystander: done\n");
        power_off();
    }
    int stop = dtb_mentions(dtb, "dmstop");
    tight = dtb_mentions(dtb, "tight");
    check(find_ecam(fdt) && ram_end, "my tree has a pcie@ node and a memory node");
    mmu_on();
    int slot = virtio_blk_open();
    if (slot >= 0 && isr) {
        puts_("hostile-virtio: 00:");
        put_dec((unsigned)slot);
        puts_(".0 BAR ");
        put_x(bar);
        puts_(": common ");
        put_x(common - bar);
        puts_(", notify ");
        put_x(notify - bar);
        puts_(" (x");
        put_dec(notify_mult);
        puts_("), ISR ");
        put_x(isr - bar);
        puts_(", device ");
        put_x(devcfg - bar);
        puts_("\n");
        if (stop)
            dmstop();
        else
            hostile();
    } else {
        check(0, "its capabilities name the common, notify, ISR and device structures in BAR 0");
    }
    puts_(failures ? "hostile-virtio: some checks FAILED\n" : "hostile-virtio: all checks passed\n");
    power_off();
}
