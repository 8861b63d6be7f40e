/* A device model as the builder describes it, with Xen's calls only: it
 * finds the guests it serves in its own tree (/device-model/client@<domid>)
 * and, for each, creates an ioreq server (dm_op), maps the server's ioreq
 * page into its own address space (XENMEM_acquire_resource), binds each
 * guest vCPU's event channel (the slot's vp_eport), claims the bridge's
 * ECAM window and the first 4 KiB of its memory window, and enables the
 * server. Then it serves: it polls the slots for requests, checks that
 * each came with its event (a bit in its shared_info's pending array),
 * answers and signals back. Between the two it tries what it must not be
 * able to do (each a PASS/FAIL line).
 *
 * Bootargs: "delay" (wait 300 ms first, so a polling guest is seen to
 * poll); "pcitest" (emulate one PCI function, QEMU's test device 1b36:0005
 * at 00:00.0, for tests/guests/pciclient.c; without it every access reads
 * as an empty bus, what tests/guests/dtcheck.c expects). In pcitest mode it
 * never answers an access to device 31 (the device model that stops
 * answering): once every client has made one, it powers off, which must
 * complete that access with all-ones. */
#include "fdt.h"
#include "lib.h"

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINVAL 22
#define EOPNOTSUPP 95

#define HYPERVISOR_memory_op 12
#define HYPERVISOR_event_channel_op 32
#define HYPERVISOR_hvm_op 34
#define HYPERVISOR_dm_op 41

#define DOMID_SELF 0x7ff0

/* ---- Xen's structures (public/hvm/dm_op.h, memory.h, event_channel.h,
 * hvm/ioreq.h), arm64 layouts ---- */
#define XEN_DMOP_create_ioreq_server 1
#define XEN_DMOP_get_ioreq_server_info 2
#define XEN_DMOP_map_io_range_to_ioreq_server 3
#define XEN_DMOP_set_ioreq_server_state 5
#define XEN_DMOP_set_irq_level 19
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
            uint32_t bufioreq_port; /* out */
            uint64_t ioreq_gfn, bufioreq_gfn; /* out */
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
            uint32_t irq;
            uint8_t level, pad[3];
        } irq;
        struct {
            uint32_t vcpus; /* out */
        } nr_vcpus;
        uint8_t raw[24];
    } u;
};
_Static_assert(sizeof(struct dm_op) == 32, "xen_dm_op as the hypervisor reads it");

#define XENMEM_add_to_physmap 7
#define XENMEM_remove_from_physmap 15
#define XENMEM_add_to_physmap_batch 23
#define XENMEM_acquire_resource 28
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_gmfn_foreign 4
#define XENMEM_resource_ioreq_server 0

struct xen_add_to_physmap {
    uint16_t domid, size;
    uint32_t space;
    uint64_t idx, gpfn;
};

struct xen_add_to_physmap_batch {
    uint16_t domid, space, size, foreign_domid;
    uint64_t idxs, gpfns, errs; /* guest handles */
};

struct xen_remove_from_physmap {
    uint16_t domid, pad[3];
    uint64_t gpfn;
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

/* One request slot per guest vCPU; Xen's bit-fields state:4,
 * data_is_ptr:1, dir:1, df:1 are the byte at offset 30. */
struct ioreq {
    uint64_t addr, data;
    uint32_t count, size, vp_eport;
    uint16_t pad;
    uint8_t flags, type;
};
_Static_assert(sizeof(struct ioreq) == 32, "ioreq");
#define STATE_IOREQ_NONE 0
#define STATE_IOREQ_READY 1
#define STATE_IOREQ_INPROCESS 2
#define STATE_IORESP_READY 3
#define IOREQ_DATA_IS_PTR (1u << 4)
#define IOREQ_DIR_READ (1u << 5)
#define IOREQ_TYPE_COPY 1
#define IOREQ_TYPE_PCI_CONFIG 2

/* shared_info on arm64 (xen-arm-minimal/include/xam/xen_abi_evtchn.h):
 * vcpu_info[1] is 48 bytes there (no upcall mask, an empty arch part),
 * then 64 words of pending bits, then 64 of mask bits. */
#define SHINFO_EVTCHN_PENDING 48

/* ---- where things go in my address space ---- */
/* Outside my RAM (0x40000000+), the GIC, the vPL011 and the grant-table
 * region: one 64 KiB area per client for its ioreq page and the pages I
 * foreign-map from it. */
#define MAP_AREA 0x10000000UL
#define MAP_AREA_STRIDE 0x10000UL
#define CLIENT_RAM 0x40000000UL /* a dom0less guest's first RAM bank */
#define CLIENT_GICD 0x03001000UL /* in a client: its distributor, not RAM */

/* ---- the function it emulates (pcitest) ---- */
#define TEST_VENDOR_DEVICE 0x00051b36u /* Red Hat, QEMU's PCI test device */
#define TEST_SUBSYSTEM 0x11001af4u /* as QEMU's pci-testdev reports */
#define TEST_CLASS 0xff000000u /* class 0xff: no driver claims it */
#define BAR_SIZE 0x1000u
#define BAR_MAGIC 0xc0ffee00u
#define CMD_MEMORY (1u << 1)
#define CMD_WRITABLE 0x0547u /* I/O, memory, master, parity, SERR, INTx disable */
#define CMD_INTX_DISABLE (1u << 10)
#define STATUS_INTERRUPT (1u << 3)
#define SILENT_DEVICE 31 /* the device it never answers */

#define MAX_CLIENTS 8
#define MAX_VCPUS 8

struct client {
    uint32_t domid;
    const char *name;
    uint64_t ecam, ecam_size, mem, mem_size;
    uint32_t irq_start, irq_count;
    int ok; /* set up and enabled */
    uint16_t id;
    uint32_t nr_vcpus;
    volatile struct ioreq *slots;
    uint32_t port[MAX_VCPUS]; /* my local port bound to each vp_eport */
    uint8_t silenced[MAX_VCPUS]; /* a request left unanswered on purpose */
    /* the function's state */
    uint16_t command;
    uint32_t bar0;
    uint8_t intline, level, counter;
    int saw_silent;
    /* what it served */
    unsigned requests, config, bar, irq_changes, irq_failures;
};

static struct client clients[MAX_CLIENTS];
static unsigned nr_clients;
static int pcitest;
static unsigned events_missing, malformed;

/* shared_info, where the hypervisor sets my ports' pending bits */
static uint8_t shinfo[4096] __attribute__((aligned(4096)));

static int64_t dm_op(uint64_t domid, struct dm_op *op)
{
    struct {
        uint64_t addr, size;
    } buf = { (uint64_t)op, sizeof(*op) };
    return xen_hypercall(HYPERVISOR_dm_op, domid, 1, (uint64_t)&buf);
}

static int64_t memory_op(uint64_t cmd, void *arg) { return xen_hypercall(HYPERVISOR_memory_op, cmd, (uint64_t)arg, 0); }

static int64_t evtchn_op(uint64_t cmd, void *arg)
{
    return xen_hypercall(HYPERVISOR_event_channel_op, cmd, (uint64_t)arg, 0);
}

static int64_t bind_interdomain(uint32_t domid, uint32_t remote_port, uint32_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = (uint16_t)domid, .remote_port = remote_port };
    int64_t rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);
    *local = b.local_port;
    return rc;
}

static int64_t evtchn_send(uint32_t port)
{
    uint32_t p = port;
    return evtchn_op(EVTCHNOP_send, &p);
}

/* acquire_resource: frame 1 of ioreq server id (its synchronous page),
 * mapped at gfn */
static int64_t acquire_ioreq_page(uint32_t domid, uint16_t id, uint64_t gfn)
{
    uint64_t frames[1] = { gfn };
    struct xen_mem_acquire_resource r = { .domid = (uint16_t)domid,
                                          .type = XENMEM_resource_ioreq_server,
                                          .id = id,
                                          .nr_frames = 1,
                                          .frame = 1,
                                          .frame_list = (uint64_t)frames };
    return memory_op(XENMEM_acquire_resource, &r);
}

static int64_t set_irq_level(uint32_t domid, uint32_t irq, uint8_t level)
{
    struct dm_op op = { .op = XEN_DMOP_set_irq_level };
    op.u.irq.irq = irq;
    op.u.irq.level = level;
    return dm_op(domid, &op);
}

static volatile uint64_t *pending_word(uint32_t port)
{
    return (volatile uint64_t *)(shinfo + SHINFO_EVTCHN_PENDING) + port / 64;
}

static uint64_t now_ms(void)
{
    uint64_t f, t;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(f), "=r"(t));
    return t / (f / 1000);
}

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

/* ---- setting up ---- */

/* Foreign mappings: a page of the client's RAM is mine to read (its
 * kernel's Image header is there: "ARM\x64" at 56), a page that is not
 * its RAM is refused in its own errs[] entry; then unmapped. */
static void foreign_mappings(struct client *c, unsigned index)
{
    uint64_t base = (MAP_AREA + index * MAP_AREA_STRIDE) >> 12;
    uint64_t idxs[2] = { CLIENT_RAM >> 12, CLIENT_GICD >> 12 };
    uint64_t gpfns[2] = { base + 1, base + 2 };
    int32_t errs[2] = { 1, 1 };
    struct xen_add_to_physmap_batch b = { .domid = DOMID_SELF,
                                          .space = XENMAPSPACE_gmfn_foreign,
                                          .size = 2,
                                          .foreign_domid = (uint16_t)c->domid,
                                          .idxs = (uint64_t)idxs,
                                          .gpfns = (uint64_t)gpfns,
                                          .errs = (uint64_t)errs };
    int64_t rc = memory_op(XENMEM_add_to_physmap_batch, &b);
    check(rc == 0 && errs[1] == -EINVAL,
          "a foreign mapping of a page that is not the client's RAM is refused (errs[] -EINVAL)");
    check(rc == 0 && errs[0] == 0 && *(volatile uint32_t *)((gpfns[0] << 12) + 56) == 0x644d5241,
          "a foreign mapping of the client's first RAM page reads its kernel's Image header (magic ARM 0x64)");
    struct xen_remove_from_physmap r = { .domid = DOMID_SELF, .gpfn = gpfns[0] };
    rc = errs[0] == 0 ? memory_op(XENMEM_remove_from_physmap, &r) : -1;
    int64_t again = memory_op(XENMEM_remove_from_physmap, &r);
    check(rc == 0 && again == -ENOENT, "XENMEM_remove_from_physmap unmaps it (a second time: -ENOENT)");
}

/* Everything a device model does before it serves, in Xen's order (QEMU
 * and libxendevicemodel do the same). */
static int connect(struct client *c, unsigned index)
{
    struct dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    op.u.create.handle_bufioreq = 0; /* no buffered ioreqs here */
    if (dm_op(c->domid, &op))
        return 0;
    c->id = op.u.create.id;

    struct dm_op info = { .op = XEN_DMOP_get_ioreq_server_info };
    info.u.info.id = c->id;
    info.u.info.flags = XEN_DMOP_no_gfns; /* the page comes by acquire_resource */
    check(dm_op(c->domid, &info) == 0, "get_ioreq_server_info (XEN_DMOP_no_gfns) answers");

    struct dm_op nr = { .op = XEN_DMOP_nr_vcpus };
    int64_t rc = dm_op(c->domid, &nr);
    c->nr_vcpus = nr.u.nr_vcpus.vcpus;
    check(rc == 0 && c->nr_vcpus >= 1 && c->nr_vcpus <= MAX_VCPUS, "nr_vcpus answers 1 to 8");
    if (rc || c->nr_vcpus < 1 || c->nr_vcpus > MAX_VCPUS)
        return 0;

    uint64_t page = MAP_AREA + index * MAP_AREA_STRIDE;
    rc = acquire_ioreq_page(c->domid, c->id, page >> 12);
    check(rc == 0, "acquire_resource maps the ioreq page (ioreq server, frame 1)");
    if (rc)
        return 0;
    c->slots = (volatile struct ioreq *)page;

    int bound = 1;
    for (uint32_t v = 0; v < c->nr_vcpus; v++) {
        uint32_t remote = c->slots[v].vp_eport;
        bound &=
            remote != 0 && bind_interdomain(c->domid, remote, &c->port[v]) == 0 && c->port[v] != 0 && c->port[v] < 4096;
        /* a new binding starts pending (Xen's rule: the peer may have
         * signalled before): clear it, so each request's event is its own */
        if (bound)
            __atomic_fetch_and(pending_word(c->port[v]), ~(1ULL << (c->port[v] % 64)), __ATOMIC_ACQ_REL);
    }
    check(bound, "each vCPU's vp_eport bound (EVTCHNOP_bind_interdomain)");
    if (!bound)
        return 0;

    /* the ECAM window and, for BAR0, the first page of the 32-bit window */
    const uint64_t ranges[2][2] = { { c->ecam, c->ecam + c->ecam_size - 1 }, { c->mem, c->mem + BAR_SIZE - 1 } };
    int mapped = 1;
    for (unsigned i = 0; i < 2; i++) {
        struct dm_op map = { .op = XEN_DMOP_map_io_range_to_ioreq_server };
        map.u.range.id = c->id;
        map.u.range.type = XEN_DMOP_IO_RANGE_MEMORY;
        map.u.range.start = ranges[i][0];
        map.u.range.end = ranges[i][1];
        mapped &= dm_op(c->domid, &map) == 0;
    }
    check(mapped, "ECAM and the first 4 KiB of the memory window mapped to the server");
    if (!mapped)
        return 0;

    /* before enabling: the client waits for it, so it is still running */
    foreign_mappings(c, index);

    struct dm_op on = { .op = XEN_DMOP_set_ioreq_server_state };
    on.u.state.id = c->id;
    on.u.state.enabled = 1;
    return dm_op(c->domid, &on) == 0;
}

/* What only a client's own device model may do, tried on the client (the
 * calls Xen refuses too) and on every domain it does not serve. */
static void attacks(uint32_t self)
{
    struct client *c = &clients[0];
    struct dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    op.u.create.handle_bufioreq = 1;
    check(dm_op(c->domid, &op) == -EOPNOTSUPP, "an ioreq server with buffered ioreqs is refused (-EOPNOTSUPP)");
    struct dm_op info = { .op = XEN_DMOP_get_ioreq_server_info };
    info.u.info.id = c->id;
    check(dm_op(c->domid, &info) == -EOPNOTSUPP,
          "get_ioreq_server_info without XEN_DMOP_no_gfns is refused (-EOPNOTSUPP)");
    check(set_irq_level(c->domid, 33, 1) == -EINVAL,
          "set_irq_level on INTID 33, not the bridge's, is refused (-EINVAL)");
    check(set_irq_level(c->domid, c->irq_start + c->irq_count, 1) == -EINVAL,
          "set_irq_level on the INTID past the bridge's lines is refused (-EINVAL)");

    /* nobody else's bridge: a domain it does not serve (itself among
     * them) is refused, one that does not exist is unknown */
    int eperm = 0, ok = 1, strangers = 0, bind_ok = 1, acquire_ok = 1, foreign_ok = 1;
    for (uint32_t id = 1; id <= 16; id++) {
        int mine = 0;
        for (unsigned i = 0; i < nr_clients; i++)
            mine |= clients[i].domid == id;
        if (mine)
            continue;
        struct dm_op create = { .op = XEN_DMOP_create_ioreq_server };
        int64_t rc = dm_op(id, &create);
        eperm += rc == -EPERM;
        ok &= rc == -EPERM || rc == -ESRCH;
        if (rc != -EPERM || id == self)
            continue;
        /* a domain that exists and is neither mine nor me */
        strangers++;
        uint32_t local = 0;
        int64_t b = bind_interdomain(id, 1, &local);
        uint64_t gfn = (MAP_AREA + MAX_CLIENTS * MAP_AREA_STRIDE) >> 12, idx = CLIENT_RAM >> 12;
        int32_t err = 1;
        int64_t a = acquire_ioreq_page(id, 0, gfn);
        struct xen_add_to_physmap_batch batch = { .domid = DOMID_SELF,
                                                  .space = XENMAPSPACE_gmfn_foreign,
                                                  .size = 1,
                                                  .foreign_domid = (uint16_t)id,
                                                  .idxs = (uint64_t)&idx,
                                                  .gpfns = (uint64_t)&gfn,
                                                  .errs = (uint64_t)&err };
        int64_t f = memory_op(XENMEM_add_to_physmap_batch, &batch);
        bind_ok &= b == -EPERM;
        acquire_ok &= a == -EPERM;
        foreign_ok &= f == -EPERM && err == 1;
        if (b != -EPERM || a != -EPERM || f != -EPERM) {
            puts_("devmodel: domain ");
            put_dec(id);
            puts_(": bind_interdomain ");
            put_hex((uint64_t)b);
            puts_(", acquire_resource ");
            put_hex((uint64_t)a);
            puts_(", foreign mapping ");
            put_hex((uint64_t)f);
            puts_("\n");
        }
    }
    check(ok && eperm > 0, "dm_op for a guest it does not serve is refused (-EPERM / -ESRCH)");
    if (!strangers)
        return; /* only its clients and itself: nothing more to try */
    check(bind_ok, "binding to an event channel of a domain it does not serve is refused (-EPERM)");
    check(acquire_ok, "acquire_resource for a domain it does not serve is refused (-EPERM)");
    check(foreign_ok, "a foreign mapping of RAM of a domain it does not serve is refused (-EPERM)");
}

/* My domain id: the one domain whose HVM parameters I may read. */
static uint32_t my_domid(void)
{
    for (uint32_t id = 1; id <= 16; id++) {
        struct {
            uint16_t domid, pad;
            uint32_t index;
            uint64_t value;
        } p = { (uint16_t)id, 0, 1 /* HVM_PARAM_STORE_PFN */, 0 };
        if (xen_hypercall(HYPERVISOR_hvm_op, 1 /* HVMOP_get_param */, (uint64_t)&p, 0) == 0)
            return id;
    }
    return 0;
}

/* ---- serving ---- */

static uint32_t config_dword(const struct client *c, unsigned reg)
{
    switch (reg) {
    case 0x00:
        return TEST_VENDOR_DEVICE;
    case 0x04:
        return (uint32_t)(c->level ? STATUS_INTERRUPT : 0) << 16 | c->command;
    case 0x08:
        return TEST_CLASS; /* revision 0 */
    case 0x0c:
        return 0; /* header type 0, single function */
    case 0x10:
        return c->bar0; /* 32-bit, non-prefetchable memory */
    case 0x2c:
        return TEST_SUBSYSTEM;
    case 0x3c:
        return 1u << 8 | c->intline; /* interrupt pin 1: INTA */
    default:
        return 0;
    }
}

static void drive_intx(struct client *c)
{
    uint8_t line = c->level && !(c->command & CMD_INTX_DISABLE);
    c->irq_changes++;
    /* slot 0, pin A: the bridge's first line (its interrupt-map) */
    if (set_irq_level(c->domid, c->irq_start, line))
        c->irq_failures++;
}

static void config_write(struct client *c, unsigned reg, unsigned size, uint32_t data)
{
    unsigned shift = (reg & 3) * 8;
    uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
    uint32_t v = (config_dword(c, reg & ~3u) & ~mask) | ((data << shift) & mask);
    switch (reg & ~3u) {
    case 0x04: {
        uint16_t was = c->command;
        c->command = (uint16_t)(v & CMD_WRITABLE);
        if ((was ^ c->command) & CMD_INTX_DISABLE && c->level)
            drive_intx(c);
        break;
    }
    case 0x10:
        c->bar0 = v & ~(BAR_SIZE - 1); /* all-ones written: the size reads back */
        break;
    case 0x3c:
        c->intline = (uint8_t)v;
        break;
    default: /* read-only, or not implemented */
        break;
    }
}

/* A config-space access to bus 0, devfn, register reg. */
static uint64_t config_access(struct client *c, unsigned devfn, unsigned reg, unsigned size, int read, uint64_t data)
{
    c->config++;
    if (!pcitest || devfn != 0) /* nothing there */
        return ~0ULL;
    if (!read) {
        config_write(c, reg, size, (uint32_t)data);
        return 0;
    }
    uint32_t v = config_dword(c, reg & ~3u) >> ((reg & 3) * 8);
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

/* BAR0: offset 0 reads BAR_MAGIC | a counter; offset 4 is INTx (write 1:
 * raise, 0: lower; read: the level). */
static uint64_t bar_access(struct client *c, uint64_t addr, int read, uint64_t data)
{
    if (!pcitest || !(c->command & CMD_MEMORY) || !c->bar0 || addr < c->bar0 || addr - c->bar0 >= BAR_SIZE)
        return ~0ULL; /* not decoded */
    c->bar++;
    uint64_t off = addr - c->bar0;
    if (read)
        return off == 0 ? BAR_MAGIC | c->counter++ : off == 4 ? c->level : 0;
    if (off == 4 && (data & 1) != c->level) {
        c->level = data & 1;
        drive_intx(c);
    }
    return 0;
}

/* Whether the access is the one it never answers: device 31 of bus 0. */
static int silent(const struct client *c, uint8_t type, uint64_t addr)
{
    if (!pcitest)
        return 0;
    if (type == IOREQ_TYPE_PCI_CONFIG)
        return addr >> 40 == 0 && (addr >> 35 & 0x1f) == SILENT_DEVICE;
    uint64_t off = addr - c->ecam;
    return addr >= c->ecam && off >> 20 == 0 && (off >> 15 & 0x1f) == SILENT_DEVICE;
}

/* The answer to one well-formed request (~0: nothing there). */
static uint64_t emulate(struct client *c, uint8_t type, uint64_t addr, unsigned size, int read, uint64_t data)
{
    if (type == IOREQ_TYPE_PCI_CONFIG) /* addr: SBDF << 32 | register */
        return addr >> 40 == 0 && size <= 4
            ? config_access(c, (unsigned)(addr >> 32) & 0xff, (unsigned)addr & 0xfff, size, read, data)
            : ~0ULL;
    if (addr >= c->ecam && addr - c->ecam < c->ecam_size) {
        uint64_t off = addr - c->ecam; /* bus << 20 | devfn << 12 | register */
        return off >> 20 == 0 && size <= 4
            ? config_access(c, (unsigned)(off >> 12) & 0xff, (unsigned)off & 0xfff, size, read, data)
            : ~0ULL;
    }
    return bar_access(c, addr, read, data);
}

/* The request in c's slot v, if any: answered, or (device 31) left alone. */
static void serve_slot(struct client *c, uint32_t v)
{
    volatile struct ioreq *s = &c->slots[v];
    uint8_t flags = s->flags;
    if ((flags & 0xf) != STATE_IOREQ_READY || c->silenced[v])
        return;
    __asm__ volatile("dmb ish" ::: "memory"); /* the request, after its state */
    uint64_t addr = s->addr, data = s->data;
    uint32_t size = s->size, count = s->count;
    uint8_t type = s->type;
    int read = (flags & IOREQ_DIR_READ) != 0;
    c->requests++;

    /* its event: the hypervisor publishes the slot, then signals */
    volatile uint64_t *w = pending_word(c->port[v]);
    uint64_t bit = 1ULL << (c->port[v] % 64), t0 = now_ms();
    while (!(*w & bit) && now_ms() - t0 < 1000)
        ;
    if (!(*w & bit))
        events_missing++;
    __atomic_fetch_and(w, ~bit, __ATOMIC_ACQ_REL);

    int mapped = type == IOREQ_TYPE_PCI_CONFIG ||
        (type == IOREQ_TYPE_COPY &&
         ((addr >= c->ecam && addr - c->ecam < c->ecam_size) || (addr >= c->mem && addr - c->mem < BAR_SIZE)));
    int ok = mapped && count == 1 && !(flags & IOREQ_DATA_IS_PTR) && (size == 1 || size == 2 || size == 4 || size == 8);
    if (ok && silent(c, type, addr)) {
        c->silenced[v] = 1;
        c->saw_silent = 1;
        puts_("devmodel: ");
        puts_(c->name);
        puts_(" accessed 00:1f.0: never answering it\n");
        return;
    }
    s->flags = (uint8_t)((flags & ~0xfu) | STATE_IOREQ_INPROCESS);
    uint64_t answer = ~0ULL;
    if (ok) {
        answer = emulate(c, type, addr, size, read, data);
    } else {
        malformed++;
        puts_("devmodel: a request I did not map or cannot read: addr ");
        put_hex(addr);
        puts_(" size ");
        put_hex(size);
        puts_(" count ");
        put_hex(count);
        puts_(" type ");
        put_hex(type);
        puts_("\n");
    }
    if (read)
        s->data = answer;
    __asm__ volatile("dsb ish" ::: "memory"); /* the data, before the state */
    s->flags = (uint8_t)((flags & ~0xfu) | STATE_IORESP_READY);
    if (evtchn_send(c->port[v]))
        events_missing++;
}

/* Serves until every client has touched device 31 (pcitest) or for
 * `ms` (an empty bus: its clients' accesses are few and early). */
static void serve(unsigned ms)
{
    uint64_t t0 = now_ms();
    for (;;) {
        int all_silent = 1;
        for (unsigned i = 0; i < nr_clients; i++) {
            struct client *c = &clients[i];
            for (uint32_t v = 0; c->ok && v < c->nr_vcpus; v++)
                serve_slot(c, v);
            all_silent &= !c->ok || c->saw_silent;
        }
        if ((pcitest && all_silent) || now_ms() - t0 > ms)
            return;
    }
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int chosen = fdt_node(fdt, "/chosen"), len;
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    pcitest = contains(args, "pcitest");
    int dm = fdt_node(fdt, "/device-model");
    check(dm >= 0 && fdt_has_string(fdt, dm, "compatible", "xen-arm-minimal,device-model"),
          "the tree has a /device-model node");
    if (contains(args, "delay")) /* guests get to wait for it */
        delay_ms(300);
    struct xen_add_to_physmap xatp = { DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint64_t)shinfo >> 12 };
    check(memory_op(XENMEM_add_to_physmap, &xatp) == 0, "shared_info placed in my RAM");
    for (int c = -1; dm >= 0 && (c = fdt_child(fdt, dm, c)) >= 0 && nr_clients < MAX_CLIENTS;) {
        const uint8_t *reg = fdt_prop(fdt, c, "reg", &len);
        const char *name = fdt_prop(fdt, c, "domain-name", &len);
        const uint8_t *bridge = fdt_prop(fdt, c, "bridge", &len);
        if (!reg || !name || !bridge || len != 15 * 4) {
            check(0, "a client node has reg, domain-name and a 15-cell bridge");
            continue;
        }
        /* <ecam size mem size pref size irq_start irq_count flags>; the
         * rest of the entry is zero (bss) */
        struct client *cl = &clients[nr_clients];
        cl->domid = be32(reg);
        cl->name = name;
        cl->ecam = be64(bridge);
        cl->ecam_size = be64(bridge + 8);
        cl->mem = be64(bridge + 16);
        cl->mem_size = be64(bridge + 24);
        cl->irq_start = be32(bridge + 48);
        cl->irq_count = be32(bridge + 52);
        puts_("devmodel: serving ");
        puts_(name);
        puts_(", ECAM ");
        put_hex(cl->ecam);
        puts_("\n");
        cl->ok = connect(cl, nr_clients);
        check(cl->ok, "ioreq server created, ECAM mapped, enabled");
        nr_clients++;
    }
    check(nr_clients > 0, "serves at least one guest");
    if (nr_clients > 0)
        attacks(my_domid());

    serve(pcitest ? 10000 : 500);
    for (unsigned i = 0; i < nr_clients; i++) {
        struct client *c = &clients[i];
        puts_("devmodel: ");
        puts_(c->name);
        puts_(": ");
        put_dec(c->requests);
        puts_(" requests (");
        put_dec(c->config);
        puts_(" config, ");
        put_dec(c->bar);
        puts_(" BAR), ");
        put_dec(c->irq_changes);
        puts_(" INTx changes\n");
        if (pcitest) {
            check(c->saw_silent, "the client reached device 31, which I never answer");
            check(c->irq_changes >= 2 && !c->irq_failures, "set_irq_level raised and lowered the client's INTA");
        }
    }
    check(events_missing == 0, "every request came with an event on its vCPU's port, every answer was sent");
    check(malformed == 0, "every request was in a range I mapped, well-formed");
    if (pcitest) {
        /* the silent request stays waiting: nobody answers in my place */
        delay_ms(100);
        int waiting = 1;
        for (unsigned i = 0; i < nr_clients; i++)
            for (uint32_t v = 0; clients[i].ok && v < clients[i].nr_vcpus; v++)
                if (clients[i].silenced[v])
                    waiting &= (clients[i].slots[v].flags & 0xf) == STATE_IOREQ_READY;
        check(waiting, "the request I left unanswered is still waiting 100 ms later");
    }
    puts_(failures ? "devmodel: some checks FAILED\n" : "devmodel: all checks passed\n");
    psci_system_off();
}
