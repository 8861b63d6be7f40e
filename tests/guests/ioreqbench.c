/* make bench (tests/bench/ioreq.sh): what a guest access served by a
 * device model costs, beside one the hypervisor emulates itself. One image,
 * two roles, chosen by the command line:
 *
 * "dm poll" / "dm wfi": a device model, as small and fast as a bare-metal
 * loop can be. It connects to its one client with Xen's calls (as
 * tests/guests/devmodel.c does, without the checks and attacks) and serves
 * one PCI function at 00:00.0 whose BAR0 reads BAR_MAGIC | a counter.
 * "poll": it spins on the slots; its ports stay masked in shared_info, so
 * the hypervisor only sets their pending bits and raises no upcall.
 * "wfi": it sleeps in WFI with PPI 31 (the event-channel upcall) enabled
 * and IRQs masked at PSTATE, so the interrupt only wakes it: it
 * acknowledges it at the CPU interface, clears the upcall, selector and
 * pending words as a Xen guest does, serves, and sleeps again.
 *
 * Otherwise: the client. It waits for its device model (the readiness
 * register), places BAR0, then times N single accesses each with the
 * virtual counter: nothing (the timer's own cost), the vPL011's flag
 * register and GICD_TYPER (emulated in the hypervisor), BAR0's register
 * and 00:00.0's vendor/device (forwarded to the device model). It prints
 * "ioreqbench: NAME median M p90 P ticks (X ns, Y ns)" lines, writes
 * BAR0 + 8 to tell the device model to stop, and powers off. Under QEMU's
 * -icount shift=0 one instruction is 1 ns of virtual time, on every CPU:
 * the figures repeat exactly from run to run. */
#include "fdt.h"
#include "gicv3.h"
#include "lib.h"

#define N 2000
#define WARMUP 16

#define HYPERVISOR_memory_op 12
#define HYPERVISOR_event_channel_op 32
#define HYPERVISOR_dm_op 41
#define DOMID_SELF 0x7ff0

/* ---- Xen's structures (public/hvm/dm_op.h, memory.h, event_channel.h,
 * hvm/ioreq.h), arm64 layouts: only what the device model calls ---- */
#define XEN_DMOP_create_ioreq_server 1
#define XEN_DMOP_get_ioreq_server_info 2
#define XEN_DMOP_map_io_range_to_ioreq_server 3
#define XEN_DMOP_set_ioreq_server_state 5
#define XEN_DMOP_nr_vcpus 20
#define XEN_DMOP_IO_RANGE_MEMORY 1
#define XEN_DMOP_no_gfns 1

struct dm_op {
    uint32_t op, pad;
    union {
        struct {
            uint8_t handle_bufioreq, pad[3];
            uint16_t id; /* out */
        } create;
        struct {
            uint16_t id, flags;
            uint32_t bufioreq_port;
            uint64_t ioreq_gfn, bufioreq_gfn;
        } info;
        struct {
            uint16_t id, pad;
            uint32_t type;
            uint64_t start, end; /* inclusive */
        } range;
        struct {
            uint16_t id;
            uint8_t enabled, pad;
        } state;
        struct {
            uint32_t vcpus; /* out */
        } nr_vcpus;
        uint8_t raw[24];
    } u;
};
_Static_assert(sizeof(struct dm_op) == 32, "xen_dm_op");

#define XENMEM_add_to_physmap 7
#define XENMEM_acquire_resource 28
#define XENMAPSPACE_shared_info 0
#define XENMEM_resource_ioreq_server 0

struct xen_add_to_physmap {
    uint16_t domid, size;
    uint32_t space;
    uint64_t idx, gpfn;
};

struct xen_mem_acquire_resource {
    uint16_t domid, type;
    uint32_t id, nr_frames, flags;
    uint64_t frame, frame_list;
};

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_send 4

struct evtchn_bind_interdomain {
    uint16_t remote_dom, pad;
    uint32_t remote_port;
    uint32_t local_port; /* out */
};

/* a slot per guest vCPU; the state is the low 4 bits of byte 30 */
struct ioreq {
    uint64_t addr, data;
    uint32_t count, size, vp_eport;
    uint16_t pad;
    uint8_t flags, type;
};
_Static_assert(sizeof(struct ioreq) == 32, "ioreq");
#define STATE_IOREQ_READY 1
#define STATE_IORESP_READY 3
#define IOREQ_DIR_READ (1u << 5)
#define IOREQ_TYPE_COPY 1

/* shared_info on arm64: vcpu_info[0] (upcall pending byte at 0, selector
 * at 8) in the first 48 bytes, then 64 words of pending bits, then 64 of
 * mask bits */
#define SHINFO_PENDING_SEL 8
#define SHINFO_EVTCHN_PENDING 48
#define SHINFO_EVTCHN_MASK 560

/* ---- the function ---- */
#define TEST_VENDOR_DEVICE 0x00051b36u /* QEMU's PCI test device, as devmodel.c */
#define BAR_SIZE 0x1000u
#define BAR_MAGIC 0xc0ffee00u
#define BAR_STOP 8 /* a write: the client is done */
#define CMD_MEMORY (1u << 1)
#define MAP_AREA 0x10000000UL /* where the ioreq page goes: outside my RAM and devices */
#define MAX_VCPUS 8
#define PPI_EVTCHN 31
#define GICV2_CPU 0x03002000UL /* a GICv2 guest's CPU interface (GICV) */

static uint8_t shinfo[4096] __attribute__((aligned(4096)));

static int64_t dm_op(uint64_t domid, struct dm_op *op)
{
    struct {
        uint64_t addr, size;
    } buf = { (uint64_t)op, sizeof(*op) };
    return xen_hypercall(HYPERVISOR_dm_op, domid, 1, (uint64_t)&buf);
}

static int64_t memory_op(uint64_t cmd, void *arg) { return xen_hypercall(HYPERVISOR_memory_op, cmd, (uint64_t)arg, 0); }

static void put_dec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do
        buf[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    puts_(&buf[i]);
}

static uint64_t now(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static int gic_is_v3(const void *fdt)
{
    int root = fdt_node(fdt, "/"), c = -1;
    while ((c = fdt_child(fdt, root, c)) >= 0)
        if (fdt_has_string(fdt, c, "compatible", "arm,gic-v3"))
            return 1;
    return 0;
}

/* ==== the device model ==== */

static struct {
    uint32_t domid, nr_vcpus;
    uint64_t ecam, ecam_size, mem;
    volatile struct ioreq *slots;
    uint32_t port[MAX_VCPUS];
    uint16_t command;
    uint32_t bar0;
    uint8_t counter;
    int stop;
    unsigned served, wakeups;
} cl;

static volatile uint64_t *shinfo_word(unsigned off) { return (volatile uint64_t *)(shinfo + off); }

static int connect(void)
{
    struct dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    if (dm_op(cl.domid, &op))
        return 0;
    uint16_t id = op.u.create.id;
    struct dm_op info = { .op = XEN_DMOP_get_ioreq_server_info };
    info.u.info.id = id;
    info.u.info.flags = XEN_DMOP_no_gfns;
    struct dm_op nr = { .op = XEN_DMOP_nr_vcpus };
    if (dm_op(cl.domid, &info) || dm_op(cl.domid, &nr) || !nr.u.nr_vcpus.vcpus || nr.u.nr_vcpus.vcpus > MAX_VCPUS)
        return 0;
    cl.nr_vcpus = nr.u.nr_vcpus.vcpus;

    uint64_t frames[1] = { MAP_AREA >> 12 };
    struct xen_mem_acquire_resource r = { .domid = (uint16_t)cl.domid,
                                          .type = XENMEM_resource_ioreq_server,
                                          .id = id,
                                          .nr_frames = 1,
                                          .frame = 1, /* the synchronous page */
                                          .frame_list = (uint64_t)frames };
    if (memory_op(XENMEM_acquire_resource, &r))
        return 0;
    cl.slots = (volatile struct ioreq *)MAP_AREA;

    for (uint32_t v = 0; v < cl.nr_vcpus; v++) {
        struct evtchn_bind_interdomain b = { .remote_dom = (uint16_t)cl.domid, .remote_port = cl.slots[v].vp_eport };
        if (xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, (uint64_t)&b, 0) || !b.local_port ||
            b.local_port >= 4096)
            return 0;
        cl.port[v] = b.local_port;
    }

    const uint64_t ranges[2][2] = { { cl.ecam, cl.ecam + cl.ecam_size - 1 }, { cl.mem, cl.mem + BAR_SIZE - 1 } };
    for (unsigned i = 0; i < 2; i++) {
        struct dm_op map = { .op = XEN_DMOP_map_io_range_to_ioreq_server };
        map.u.range.id = id;
        map.u.range.type = XEN_DMOP_IO_RANGE_MEMORY;
        map.u.range.start = ranges[i][0];
        map.u.range.end = ranges[i][1];
        if (dm_op(cl.domid, &map))
            return 0;
    }
    struct dm_op on = { .op = XEN_DMOP_set_ioreq_server_state };
    on.u.state.id = id;
    on.u.state.enabled = 1;
    return dm_op(cl.domid, &on) == 0;
}

/* Config space: the IDs, the command register's memory bit, BAR0 (4 KiB,
 * 32-bit); the rest reads 0. Only 32-bit accesses here: the client makes
 * no others. */
static uint64_t emulate(uint64_t addr, int read, uint64_t data)
{
    if (addr - cl.ecam < cl.ecam_size) {
        uint64_t off = addr - cl.ecam;
        if (off >> 12) /* only 00:00.0 */
            return ~0ULL;
        if (!read) {
            if (off == 0x04)
                cl.command = (uint16_t)(data & CMD_MEMORY);
            else if (off == 0x10)
                cl.bar0 = (uint32_t)data & ~(BAR_SIZE - 1);
            return 0;
        }
        return off == 0x00 ? TEST_VENDOR_DEVICE : off == 0x04 ? cl.command : off == 0x10 ? cl.bar0 : 0;
    }
    if (!(cl.command & CMD_MEMORY) || addr != cl.bar0 + (addr & (BAR_SIZE - 1)))
        return ~0ULL; /* not decoded */
    uint64_t off = addr - cl.bar0;
    if (read)
        return off == 0 ? BAR_MAGIC | cl.counter++ : 0;
    if (off == BAR_STOP)
        cl.stop = 1;
    return 0;
}

/* Answer what waits in the slots; how many there were. */
static unsigned serve_slots(void)
{
    unsigned n = 0;
    for (uint32_t v = 0; v < cl.nr_vcpus; v++) {
        volatile struct ioreq *s = &cl.slots[v];
        uint8_t flags = s->flags;
        if ((flags & 0xf) != STATE_IOREQ_READY)
            continue;
        __asm__ volatile("dmb ishld" ::: "memory"); /* the request, after its state */
        int read = (flags & IOREQ_DIR_READ) != 0;
        uint64_t answer = s->type == IOREQ_TYPE_COPY && s->count == 1 ? emulate(s->addr, read, s->data) : ~0ULL;
        if (read)
            s->data = answer;
        __asm__ volatile("dmb ish" ::: "memory"); /* the data, before the state */
        s->flags = (uint8_t)((flags & ~0xfu) | STATE_IORESP_READY);
        uint32_t port = cl.port[v];
        xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint64_t)&port, 0);
        n++;
    }
    cl.served += n;
    return n;
}

/* A spin-wait relaxes with YIELD, as Linux's cpu_relax() does. Under
 * QEMU's round-robin TCG (-icount) the hint also hands the turn to the
 * other CPU: without it this CPU keeps it until its time slice ends, since
 * an interrupt sent to the other CPU does not preempt it, and every access
 * took 10 ms. */
static void serve_poll(void)
{
    while (!cl.stop)
        if (!serve_slots())
            __asm__ volatile("yield" ::: "memory");
}

/* PPI 31 enabled at the distributor (GICv2) or redistributor (GICv3) and
 * the CPU interface open, IRQs left masked at PSTATE: WFI wakes on it,
 * nothing is taken. */
static void upcall_wakes_me(int v3)
{
    if (v3) {
        uintptr_t rd = GICR(0);
        *(volatile uint32_t *)(rd + 0x14) &= ~2u; /* GICR_WAKER: awake */
        while (*(volatile uint32_t *)(rd + 0x14) & 4u)
            ;
        *(volatile uint32_t *)(rd + SGI_FRAME + 0x100) = 1u << PPI_EVTCHN; /* ISENABLER0 */
        __asm__ volatile("msr s3_0_c4_c6_0, %0" : : "r"(0xffUL)); /* ICC_PMR_EL1 */
        __asm__ volatile("msr s3_0_c12_c12_7, %0; isb" : : "r"(1UL)); /* ICC_IGRPEN1_EL1 */
    } else {
        *(volatile uint32_t *)(GICD + 0x100) = 1u << PPI_EVTCHN; /* GICD_ISENABLER0 (banked) */
        *(volatile uint32_t *)GICD = 1; /* GICD_CTLR */
        *(volatile uint32_t *)(GICV2_CPU + 0x4) = 0xff; /* GICC_PMR */
        *(volatile uint32_t *)GICV2_CPU = 1; /* GICC_CTLR: group 0 on */
    }
}

static unsigned ack(int v3)
{
    if (!v3)
        return *(volatile uint32_t *)(GICV2_CPU + 0xc) & 0x3ff; /* GICC_IAR */
    uint64_t iar;
    __asm__ volatile("mrs %0, s3_0_c12_c12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
    return (unsigned)(iar & 0xffffff);
}

static void eoi(int v3, unsigned intid)
{
    if (v3)
        __asm__ volatile("msr s3_0_c12_c12_1, %0" : : "r"((uint64_t)intid)); /* ICC_EOIR1_EL1 */
    else
        *(volatile uint32_t *)(GICV2_CPU + 0x10) = intid; /* GICC_EOIR */
}

/* Xen's order: the upcall flag, then the selector, then the pending
 * words (only my ports' bits are ever raised here). Done before every
 * look at the slots, whether an event woke me or not: an event raised
 * after it finds its pending bit clear and raises the upcall again, one
 * raised before has its request in a slot already. */
static void consume_events(void)
{
    __atomic_store_n(shinfo, 0, __ATOMIC_SEQ_CST);
    __atomic_exchange_n(shinfo_word(SHINFO_PENDING_SEL), 0, __ATOMIC_ACQ_REL);
    for (uint32_t v = 0; v < cl.nr_vcpus; v++)
        __atomic_fetch_and(shinfo_word(SHINFO_EVTCHN_PENDING + cl.port[v] / 64 * 8), ~(1ULL << (cl.port[v] % 64)),
                           __ATOMIC_ACQ_REL);
}

static void serve_wfi(int v3)
{
    /* my ports unmasked: each request now raises the upcall */
    for (uint32_t v = 0; v < cl.nr_vcpus; v++)
        __atomic_fetch_and(shinfo_word(SHINFO_EVTCHN_MASK + cl.port[v] / 64 * 8), ~(1ULL << (cl.port[v] % 64)),
                           __ATOMIC_ACQ_REL);
    upcall_wakes_me(v3);
    for (;;) {
        consume_events();
        serve_slots();
        if (cl.stop)
            return;
        __asm__ volatile("wfi" ::: "memory");
        unsigned intid = ack(v3);
        if (intid < 1020) {
            cl.wakeups++;
            eoi(v3, intid);
        }
    }
}

static void device_model(const void *fdt, int wfi)
{
    int dm = fdt_node(fdt, "/device-model"), c = dm >= 0 ? fdt_child(fdt, dm, -1) : -1, len;
    const uint8_t *reg = c >= 0 ? fdt_prop(fdt, c, "reg", &len) : 0;
    const uint8_t *bridge = c >= 0 ? fdt_prop(fdt, c, "bridge", &len) : 0;
    check(reg && bridge && len == 15 * 4, "my tree names a client with a bridge (/device-model/client@N)");
    if (!reg || !bridge || len != 15 * 4)
        psci_system_off();
    cl.domid = be32(reg);
    cl.ecam = be64(bridge);
    cl.ecam_size = be64(bridge + 8);
    cl.mem = be64(bridge + 16);

    /* shared_info: where my ports' pending bits are set (the hypervisor
     * zeroes it). Every port masked before any is bound (poll mode keeps
     * them so: no upcall, ever, and nothing to re-raise on each entry). */
    struct xen_add_to_physmap xatp = { DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint64_t)shinfo >> 12 };
    check(memory_op(XENMEM_add_to_physmap, &xatp) == 0, "shared_info placed in my RAM");
    for (unsigned w = 0; w < 64; w++)
        *shinfo_word(SHINFO_EVTCHN_MASK + w * 8) = ~0ULL;
    int ok = connect();
    check(ok, "connected: ioreq server created, its page acquired, ports bound, ECAM and BAR0 mapped, enabled");
    if (!ok)
        psci_system_off();
    puts_(wfi ? "ioreqbench: device model waiting in WFI for its event\n"
              : "ioreqbench: device model polling its slots\n");
    if (wfi)
        serve_wfi(gic_is_v3(fdt));
    else
        serve_poll();
    puts_("ioreqbench: device model served ");
    put_dec(cl.served);
    puts_(" requests");
    if (wfi) {
        puts_(", woken ");
        put_dec(cl.wakeups);
        puts_(" times");
    }
    puts_("\n");
    psci_system_off();
}

/* ==== the client ==== */

#define READY 0x37ff0000UL /* the bridge's readiness register */

static uint32_t samples[N];

static void sort(uint32_t *a, unsigned n)
{
    for (unsigned gap = n / 2; gap; gap /= 2) /* Shell's: quick enough for 2000 */
        for (unsigned i = gap; i < n; i++) {
            uint32_t x = a[i];
            unsigned j = i;
            for (; j >= gap && a[j - gap] > x; j -= gap)
                a[j] = a[j - gap];
            a[j] = x;
        }
}

/* Median and 90th percentile in ticks and ns; and the mean of the samples
 * from the 10th to the 90th percentile, in tenths of a ns: an access of
 * fixed length L reads as floor or ceil of L / tick depending on where it
 * starts between two ticks, so that mean finds L to well under a tick. */
static void report(const char *name, uint64_t freq)
{
    sort(samples, N);
    uint32_t med = samples[N / 2], p90 = samples[N * 9 / 10];
    uint64_t sum = 0;
    for (unsigned i = N / 10; i < N * 9 / 10; i++)
        sum += samples[i];
    uint64_t mean10 = sum * 10000000000ULL / freq / (N * 8 / 10);
    puts_("ioreqbench: ");
    puts_(name);
    puts_(" median ");
    put_dec(med);
    puts_(" p90 ");
    put_dec(p90);
    puts_(" ticks (");
    put_dec(med * 1000000000ULL / freq);
    puts_(" ns, ");
    put_dec(p90 * 1000000000ULL / freq);
    puts_(" ns), mean ");
    put_dec(mean10 / 10);
    puts_(".");
    put_dec(mean10 % 10);
    puts_(" ns\n");
}

/* N reads of reg, each timed alone (after a few untimed ones); no reg:
 * the two counter reads alone. Before each, a wait of 0 to 15 turns of a
 * two-instruction loop: otherwise every iteration could start at the same
 * point between two ticks (an iteration a whole number of ticks long) and
 * read the same floor or ceiling of its length, which the mean could not
 * undo. */
static void time_reads(volatile uint32_t *reg)
{
    for (unsigned i = 0; reg && i < WARMUP; i++)
        (void)*reg;
    for (unsigned i = 0; i < N; i++) {
        for (unsigned k = i % 16; k; k--)
            __asm__ volatile("" ::: "memory");
        uint64_t t0 = now();
        if (reg)
            (void)*reg;
        samples[i] = (uint32_t)(now() - t0);
    }
}

static void client(const void *fdt, const char *args)
{
    uint64_t freq;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    int root = fdt_node(fdt, "/"), pci = -1, len;
    while ((pci = fdt_child(fdt, root, pci)) >= 0 && !contains(fdt_name(fdt, pci), "pcie@"))
        ;
    const uint8_t *reg = pci >= 0 ? fdt_prop(fdt, pci, "reg", &len) : 0;
    const uint8_t *ranges = pci >= 0 ? fdt_prop(fdt, pci, "ranges", &len) : 0;
    uint64_t ecam = reg ? be64(reg) : 0, mem = 0;
    for (int i = 0; ranges && i + 28 <= len; i += 28)
        if (be32(ranges + i) == 0x02000000) /* 32-bit memory */
            mem = be64(ranges + i + 12);
    check(ecam && mem, "my tree has a pcie@ node with ECAM and a 32-bit memory window");
    check(((volatile uint32_t *)READY)[1] == 1, "my device model connected (the wait register read 1)");

    volatile uint32_t *cfg = (volatile uint32_t *)ecam;
    check(cfg[0] == TEST_VENDOR_DEVICE, "00:00.0 is the device model's 1b36:0005");
    cfg[0x10 / 4] = (uint32_t)mem; /* BAR0 at the window's start */
    cfg[0x04 / 4] = CMD_MEMORY;
    volatile uint32_t *bar = (volatile uint32_t *)mem;
    uint32_t r1 = bar[0], r2 = bar[0];
    check((r1 & 0xffffff00u) == BAR_MAGIC && (uint8_t)(r2 - r1) == 1, "BAR0 reads 0xc0ffeeNN, NN counting");

    puts_("ioreqbench: counter ");
    put_dec(freq);
    puts_(" Hz, ");
    put_dec(N);
    puts_(" timed reads each\n");
    time_reads(0);
    report("null", freq);
    time_reads((volatile uint32_t *)(VPL011 + 0x18)); /* UARTFR */
    report("vpl011-fr", freq);
    time_reads((volatile uint32_t *)(GICD + 0x4)); /* GICD_TYPER */
    report("gicd-typer", freq);
    /* "nobar" (profiling by difference, tests/bench/ioreq.sh --profile):
     * everything but the timed BAR0 reads */
    int nobar = contains(args, "nobar");
    if (!nobar) {
        time_reads(bar);
        report("ioreq-bar", freq);
    }
    time_reads(cfg); /* 00:00.0's vendor/device, through ECAM */
    report("ioreq-config", freq);
    check(bar[0] == (BAR_MAGIC | (uint8_t)(r2 + 1 + (nobar ? 0 : WARMUP + N))),
          "every BAR0 read reached the device model");

    bar[BAR_STOP / 4] = 1;
    puts_(failures ? "ioreqbench: some checks FAILED\n" : "ioreqbench: done\n");
    psci_system_off();
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int chosen = fdt_node(fdt, "/chosen"), len;
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    if (contains(args, "dm"))
        device_model(fdt, contains(args, "wfi"));
    else
        client(fdt, args);
}
