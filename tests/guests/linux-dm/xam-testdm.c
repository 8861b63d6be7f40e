/* xam-testdm: a device model running as a Linux program in a domain of its
 * own, written only against Xen's user-space libraries (Debian's
 * libxendevicemodel, libxenforeignmemory, libxenevtchn, through Linux's
 * privcmd and evtchn drivers), the way device models for Xen on Arm are
 * written. It serves one client guest's emulated PCI bridge: config space
 * for one function at 00:00.0 (one 32-bit memory BAR), its INTx, and reads
 * a page of the client's RAM through a foreign mapping. Nothing here is
 * particular to xen-arm-minimal, so the same binary runs on Xen.
 *
 *   xam-testdm [domid=N] [ecam=ADDR] [ecam-size=SIZE] [irq=INTID] [marker=GPA] [idle=SECONDS]
 *
 * Without domid/ecam/irq it takes the first client the hypervisor lists
 * in this domain's device tree (/device-model/client@N, see
 * docs/bindings.md). Each milestone prints one "XAM-TESTDM: " line; a
 * step that fails prints "XAM-TESTDM: FAIL <step>: <error>". Exit status:
 * 0 once the client has said it is done (doorbell DB_DONE), 1 on failure.
 *
 * The client drives it through a register of the function's own config
 * space (offset 0x40, DB_*): after writing a marker into its RAM at
 * marker=GPA, it writes DB_MARKER; the device model checks the marker
 * through its foreign mapping, writes a reply beside it, and asserts INTx
 * (status bit 3); the line follows the function's Interrupt Disable bit,
 * as PCI's INTx does, so Linux's uio_pci_generic masking the interrupt
 * lowers it. DB_ACK clears the condition, DB_DONE ends the program. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xencall.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

/* 1b36:0005 is QEMU's pci-testdev (Red Hat's vendor ID for QEMU's own
 * devices; docs/specs/pci-ids.rst in QEMU): an ID made for test devices,
 * which no Linux driver claims, so the client's kernel leaves the
 * function alone until the test binds uio_pci_generic to it. Not 1af4
 * (virtio), which Linux's virtio-pci driver would take. */
#define TEST_VENDOR 0x1b36
#define TEST_DEVICE 0x0005
#define TEST_CLASS 0xff0000 /* "device does not fit any defined class" */
#define TEST_REVISION 0x01
#define BAR0_SIZE 0x1000u /* 32-bit, non-prefetchable memory */

#define CMD_MEMORY 0x0002
#define CMD_MASTER 0x0004
#define CMD_INTX_DISABLE 0x0400
#define STATUS_INTX 0x0008

/* the doorbell: a vendor-specific register, offset 0x40 */
#define REG_DOORBELL 0x40
#define DB_ACK 0x00 /* the client handled the interrupt: clear it */
#define DB_MARKER 0x01 /* the marker is in RAM: check it, reply, interrupt */
#define DB_DONE 0xff /* the client is finished */

#define MARKER "XAM-MARK" /* what the client writes at marker=GPA */
#define REPLY_OFFSET 0x100
#define REPLY "XAM-DM-OK" /* what the device model writes back beside it */

#define MAX_VCPUS 64

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("XAM-TESTDM: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static int failures;
static void fail(const char *step)
{
    say("FAIL %s: %s (errno %d)", step, strerror(errno), errno);
    failures++;
}

/* ---- what to serve ------------------------------------------------------- */
struct target {
    unsigned domid;
    uint64_t ecam, ecam_size;
    unsigned irq; /* INTID of the bridge's slot-0 INTA: its first SPI */
    uint64_t marker; /* client GPA of the marker page, 0: none */
    unsigned idle; /* seconds without an ioreq before giving up */
};

static int read_file(const char *path, void *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return (int)n;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* The first /device-model/client@N node of this domain's device tree:
 * reg = <domid>, bridge = <ecam(2) ecam_size(2) mem(2) mem_size(2)
 * pref(2) pref_size(2) irq_start irq_count flags>. */
static int from_device_tree(struct target *t)
{
    const char *dir = "/proc/device-tree/device-model";
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int found = -1;
    while (found < 0 && (e = readdir(d))) {
        if (strncmp(e->d_name, "client@", 7))
            continue;
        char path[512];
        uint8_t reg[4], bridge[15 * 4];
        snprintf(path, sizeof(path), "%s/%s/reg", dir, e->d_name);
        if (read_file(path, reg, sizeof(reg)) != sizeof(reg))
            continue;
        snprintf(path, sizeof(path), "%s/%s/bridge", dir, e->d_name);
        if (read_file(path, bridge, sizeof(bridge)) != sizeof(bridge))
            continue;
        t->domid = be32(reg);
        t->ecam = be64(bridge);
        t->ecam_size = be64(bridge + 8);
        t->irq = be32(bridge + 48);
        found = 0;
    }
    closedir(d);
    return found;
}

static int parse_args(int argc, char **argv, struct target *t)
{
    t->idle = 60;
    int have_tree = from_device_tree(t) == 0;
    int have_domid = have_tree, have_ecam = have_tree, have_irq = have_tree;
    for (int i = 1; i < argc; i++) {
        char *v = strchr(argv[i], '=');
        if (!v) {
            say("FAIL arguments: '%s' is not NAME=VALUE", argv[i]);
            return -1;
        }
        *v++ = 0;
        unsigned long long n = strtoull(v, NULL, 0);
        if (!strcmp(argv[i], "domid"))
            t->domid = (unsigned)n, have_domid = 1;
        else if (!strcmp(argv[i], "ecam"))
            t->ecam = n, have_ecam = 1;
        else if (!strcmp(argv[i], "ecam-size"))
            t->ecam_size = n;
        else if (!strcmp(argv[i], "irq"))
            t->irq = (unsigned)n, have_irq = 1;
        else if (!strcmp(argv[i], "marker"))
            t->marker = n;
        else if (!strcmp(argv[i], "idle"))
            t->idle = (unsigned)n;
        else
            say("ignoring unknown argument %s", argv[i]);
    }
    if (!t->ecam_size)
        t->ecam_size = 0x100000; /* bus 0 */
    if (!have_domid || !have_ecam || !have_irq) {
        say("FAIL arguments: no client in /proc/device-tree/device-model and no domid=, ecam=, irq= given");
        return -1;
    }
    return 0;
}

/* ---- the function's config space ----------------------------------------- */
static struct target tgt;
static xendevicemodel_handle *dmod;
static xenevtchn_handle *xce;
static volatile uint8_t *marker_page; /* the client's page, foreign-mapped */

static struct {
    uint16_t command;
    uint32_t bar0; /* address bits only */
    uint8_t cacheline, intline;
    uint8_t doorbell;
    int pending; /* the interrupt condition: status bit 3 */
    int level; /* what the line was last set to */
    int bar_sized; /* milestones printed once */
    uint32_t bar_announced;
} fn;

static unsigned long nr_reads, nr_writes, nr_irqs;
static int done;

static void update_intx(void)
{
    /* INTx is asserted while the condition stands and the Interrupt
     * Disable bit is clear (PCI local bus 3.0, 6.2.2) */
    int want = fn.pending && !(fn.command & CMD_INTX_DISABLE);
    if (want == fn.level)
        return;
    if (xendevicemodel_set_irq_level(dmod, tgt.domid, tgt.irq, want)) {
        fail(want ? "set_irq_level(1)" : "set_irq_level(0)");
        return;
    }
    fn.level = want;
    if (want)
        nr_irqs++;
    say("INTx %s (INTID %u, set_irq_level %d)%s", want ? "raised" : "lowered", tgt.irq, want,
        want             ? ""
            : fn.pending ? ": the client disabled it (Interrupt Disable)"
                         : ": the client acknowledged it");
}

static uint32_t cfg_read32(unsigned reg)
{
    switch (reg) {
    case 0x00:
        return TEST_VENDOR | TEST_DEVICE << 16;
    case 0x04:
        return fn.command | (uint32_t)(fn.pending ? STATUS_INTX : 0) << 16;
    case 0x08:
        return TEST_CLASS << 8 | TEST_REVISION;
    case 0x0c:
        return fn.cacheline; /* header type 0, single function */
    case 0x10:
        return fn.bar0; /* flags 0: memory, 32-bit, not prefetchable */
    case 0x2c:
        return TEST_VENDOR | TEST_DEVICE << 16; /* subsystem */
    case 0x3c:
        return fn.intline | 1u << 8; /* interrupt pin INTA */
    case REG_DOORBELL:
        return fn.doorbell;
    default:
        return 0;
    }
}

static void check_marker(void)
{
    if (!marker_page) {
        say("FAIL marker: no foreign mapping of the client's page");
        failures++;
        return;
    }
    char seen[sizeof(MARKER)] = { 0 };
    for (size_t i = 0; i < sizeof(MARKER) - 1; i++)
        seen[i] = (char)(marker_page[i] >= 0x20 && marker_page[i] < 0x7f ? marker_page[i] : '.');
    if (memcmp(seen, MARKER, sizeof(MARKER) - 1)) {
        say("FAIL marker: the client's page at 0x%" PRIx64 " reads \"%s\", not \"%s\"", tgt.marker, seen, MARKER);
        failures++;
        return;
    }
    for (size_t i = 0; i < sizeof(REPLY); i++)
        marker_page[REPLY_OFFSET + i] = (uint8_t)REPLY[i];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    say("foreign mapping reads the client's marker \"%s\" at 0x%" PRIx64 "; wrote \"%s\" at +0x%x", seen, tgt.marker,
        REPLY, REPLY_OFFSET);
}

static void cfg_write32(unsigned reg, uint32_t v, uint32_t mask)
{
    switch (reg) {
    case 0x04:
        if (mask & 0xffff) {
            uint16_t old = fn.command;
            fn.command = (uint16_t)(v & (CMD_MEMORY | CMD_MASTER | CMD_INTX_DISABLE));
            if (fn.command != old)
                say("command register 0x%04x (memory %s, interrupt %s)", fn.command,
                    fn.command & CMD_MEMORY ? "on" : "off", fn.command & CMD_INTX_DISABLE ? "disabled" : "enabled");
            update_intx();
        }
        break;
    case 0x0c:
        fn.cacheline = (uint8_t)v;
        break;
    case 0x10:
        fn.bar0 = v & ~(BAR0_SIZE - 1);
        if (v == 0xffffffff && !fn.bar_sized) {
            fn.bar_sized = 1;
            say("BAR0 sized: all-ones written, reads 0x%08x (%u KiB, 32-bit memory)", fn.bar0, BAR0_SIZE / 1024);
        } else if (v != 0xffffffff && fn.bar0 && fn.bar0 != fn.bar_announced) {
            fn.bar_announced = fn.bar0;
            say("BAR0 set to 0x%08x", fn.bar0);
        }
        break;
    case 0x3c:
        if (mask & 0xff)
            fn.intline = (uint8_t)v;
        break;
    case REG_DOORBELL:
        if (!(mask & 0xff))
            break;
        fn.doorbell = (uint8_t)v;
        if (fn.doorbell == DB_MARKER) {
            check_marker();
            fn.pending = 1;
            update_intx();
        } else if (fn.doorbell == DB_ACK) {
            fn.pending = 0;
            update_intx();
        } else if (fn.doorbell == DB_DONE) {
            done = 1;
        }
        break;
    default:
        break; /* read-only */
    }
}

/* One access inside the ECAM window: only bus 0, device 0, function 0
 * exists; every other function reads all-ones, as an empty slot. */
static uint64_t ecam_access(uint64_t addr, unsigned size, int is_read, uint64_t data)
{
    uint64_t ones = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    uint64_t off = addr - tgt.ecam;
    unsigned bdf = (unsigned)(off >> 12), reg = (unsigned)(off & 0xfff);
    static int first = 1;
    if (first) {
        first = 0;
        say("first ioreq: %s of %u byte(s) at 0x%" PRIx64 " (ECAM +0x%" PRIx64 ")", is_read ? "read" : "write", size,
            addr, off);
    }
    if (is_read)
        nr_reads++;
    else
        nr_writes++;
    if (bdf != 0 || (size != 1 && size != 2 && size != 4) || (reg & (size - 1)))
        return is_read ? ones : 0;
    if (reg >= 0x100) /* no extended config space */
        return 0;
    unsigned shift = 8 * (reg & 3);
    uint32_t mask = (uint32_t)(ones << shift);
    uint32_t cur = cfg_read32(reg & ~3u);
    if (is_read) {
        static int first_read = 1;
        if (first_read && (reg & ~3u) == 0) {
            first_read = 0;
            say("client reads 00:00.0's IDs: vendor 0x%04x device 0x%04x", TEST_VENDOR, TEST_DEVICE);
        }
        return (cur & mask) >> shift;
    }
    cfg_write32(reg & ~3u, (cur & ~mask) | ((uint32_t)data << shift & mask), mask);
    return 0;
}

/* ---- ioreq forwarding ---------------------------------------------------- */
static volatile shared_iopage_t *iopage;
static evtchn_port_t local_port[MAX_VCPUS];
static unsigned nr_vcpus;

/* One vCPU's slot: READY -> INPROCESS -> handled -> IORESP_READY, then a
 * notification on its port (Xen's protocol, public/hvm/ioreq.h). */
static void serve_slot(unsigned v)
{
    /* the page holds one slot per vCPU, past the header's [1] */
    volatile ioreq_t *req = (volatile ioreq_t *)iopage->vcpu_ioreq + v;
    if (req->state != STATE_IOREQ_READY)
        return;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* see READY, then the request */
    req->state = STATE_IOREQ_INPROCESS;
    uint64_t addr = req->addr, data = req->data;
    unsigned size = req->size, type = req->type;
    int is_read = req->dir == IOREQ_READ;
    if (type == IOREQ_TYPE_COPY && !req->data_is_ptr && req->count == 1 && addr >= tgt.ecam &&
        addr - tgt.ecam < tgt.ecam_size) {
        uint64_t r = ecam_access(addr, size, is_read, data);
        if (is_read)
            req->data = r;
    } else {
        static int warned;
        if (!warned++)
            say("unexpected ioreq: type %u, %s of %u at 0x%" PRIx64
                ", count %u, data_is_ptr %u: answered with all-ones",
                type, is_read ? "read" : "write", size, addr, (unsigned)req->count, (unsigned)req->data_is_ptr);
        if (is_read)
            req->data = ~0ull;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the answer, then the state */
    req->state = STATE_IORESP_READY;
    if (xenevtchn_notify(xce, local_port[v]))
        fail("xenevtchn_notify");
}

static int serve(void)
{
    struct pollfd p = { .fd = xenevtchn_fd(xce), .events = POLLIN };
    while (!done) {
        int r = poll(&p, 1, (int)tgt.idle * 1000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fail("poll on the event channels");
            return -1;
        }
        if (r == 0) {
            say("FAIL serving: no ioreq from domain %u for %u s (%lu reads, %lu writes so far)", tgt.domid, tgt.idle,
                nr_reads, nr_writes);
            return -1;
        }
        xenevtchn_port_or_error_t port = xenevtchn_pending(xce);
        if (port < 0) {
            fail("xenevtchn_pending");
            return -1;
        }
        if (xenevtchn_unmask(xce, (evtchn_port_t)port))
            fail("xenevtchn_unmask");
        for (unsigned v = 0; v < nr_vcpus; v++)
            if (local_port[v] == (evtchn_port_t)port)
                serve_slot(v);
    }
    return 0;
}

/* privcmd maps foreign frames and acquired resources into pages Linux's
 * balloon driver first hands back to the hypervisor with
 * XENMEM_decrease_reservation, and that driver BUGs when the call fails
 * (drivers/xen/balloon.c, decrease_reservation()), leaving this domain's
 * kernel wedged. So ask first, with nothing to release: Xen answers 0
 * extents done; -ENOSYS means the mappings cannot work and are skipped,
 * which costs a FAIL line instead of the domain. Not something a device
 * model does on Xen: a guard for a hypervisor still being written. */
static int can_balloon(void)
{
    xencall_handle *xc = xencall_open(NULL, 0);
    if (!xc) {
        fail("xencall_open");
        return 0;
    }
    struct xen_memory_reservation *r = xencall_alloc_buffer(xc, sizeof(*r));
    int ok = 0;
    if (!r) {
        fail("xencall_alloc_buffer");
    } else {
        memset(r, 0, sizeof(*r));
        r->domid = DOMID_SELF;
        int rc = xencall2(xc, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, (uint64_t)(uintptr_t)r);
        if (rc < 0 && errno == ENOSYS)
            fail("XENMEM_decrease_reservation (Linux's balloon driver needs it to map foreign pages): skipping "
                 "acquire_resource and the foreign mapping");
        else
            ok = 1;
        xencall_free_buffer(xc, r);
    }
    xencall_close(xc);
    return ok;
}

/* Give the balloon 256 KiB now, by setting its target below the domain's
 * size. privcmd maps over ballooned pages; when the balloon holds none it
 * releases some (XENMEM_decrease_reservation) and is then short of its
 * target (with no xenstore, nobody sets one: it is the size at boot), so
 * its thread hot-adds memory to make up for it, at a physical address of
 * its own choosing (Linux 6.1 warns in vmemmap_populate). Below target,
 * it never is. A Xen toolstack sets the target through xenstore. */
static void prepare_balloon(void)
{
    const char *dir = "/sys/devices/system/xen_memory/xen_memory0";
    char path[128], buf[32] = { 0 };
    snprintf(path, sizeof(path), "%s/info/current_kb", dir);
    long cur = read_file(path, buf, sizeof(buf) - 1) > 0 ? strtol(buf, NULL, 10) : 0;
    snprintf(path, sizeof(path), "%s/target_kb", dir);
    FILE *f = cur > 1024 ? fopen(path, "w") : NULL;
    if (!f || fprintf(f, "%ld\n", cur - 256) < 0 || fclose(f)) {
        fail("setting the balloon target");
        return;
    }
    say("balloon target %ld KiB: 256 KiB given back for mappings", cur - 256);
}

/* ---- setting up, in the order a Xen device model does ---------------------- */
int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (parse_args(argc, argv, &tgt))
        return 1;
    say("serving domain %u: ECAM 0x%" PRIx64 "+0x%" PRIx64 ", INTx on INTID %u, marker page 0x%" PRIx64, tgt.domid,
        tgt.ecam, tgt.ecam_size, tgt.irq, tgt.marker);

    dmod = xendevicemodel_open(NULL, 0);
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    xce = xenevtchn_open(NULL, 0);
    if (!dmod || !fmem || !xce) {
        fail(!dmod ? "xendevicemodel_open" : !fmem ? "xenforeignmemory_open" : "xenevtchn_open");
        return 1;
    }
    say("opened libxendevicemodel, libxenforeignmemory, libxenevtchn");

    ioservid_t id;
    if (xendevicemodel_create_ioreq_server(dmod, tgt.domid, HVM_IOREQSRV_BUFIOREQ_OFF, &id)) {
        fail("create_ioreq_server");
        return 1;
    }
    say("ioreq server %u created (no buffered ioreqs)", id);

    /* no GFNs asked for: Arm's Xen hands the pages out only through
     * acquire_resource */
    if (xendevicemodel_get_ioreq_server_info(dmod, tgt.domid, id, NULL, NULL, NULL))
        fail("get_ioreq_server_info");
    else
        say("ioreq server %u info read", id);

    if (xendevicemodel_nr_vcpus(dmod, tgt.domid, &nr_vcpus)) {
        fail("nr_vcpus");
        nr_vcpus = 1;
    } else {
        say("domain %u has %u vCPU(s)", tgt.domid, nr_vcpus);
    }
    if (nr_vcpus > MAX_VCPUS)
        nr_vcpus = MAX_VCPUS;

    int mappings = can_balloon();
    if (mappings)
        prepare_balloon();
    void *page = NULL;
    xenforeignmemory_resource_handle *res = !mappings
        ? NULL
        : xenforeignmemory_map_resource(fmem, tgt.domid, XENMEM_resource_ioreq_server, id,
                                        XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &page, PROT_READ | PROT_WRITE,
                                        0);
    if (mappings && !res)
        fail("map_resource (acquire_resource ioreq_server frame 1)");
    else if (res)
        say("ioreq page mapped (acquire_resource, ioreq server %u, frame 1)", id);
    iopage = page;

    for (unsigned v = 0; iopage && v < nr_vcpus; v++) {
        uint32_t remote = ((volatile ioreq_t *)iopage->vcpu_ioreq + v)->vp_eport;
        xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(xce, tgt.domid, remote);
        if (p < 0) {
            fail("bind_interdomain");
            iopage = NULL;
            break;
        }
        local_port[v] = (evtchn_port_t)p;
        say("vCPU%u: event channel %u of domain %u bound to local port %u", v, remote, tgt.domid, local_port[v]);
    }

    if (xendevicemodel_map_io_range_to_ioreq_server(dmod, tgt.domid, id, 1, tgt.ecam, tgt.ecam + tgt.ecam_size - 1))
        fail("map_io_range_to_ioreq_server");
    else
        say("ECAM 0x%" PRIx64 "-0x%" PRIx64 " mapped to ioreq server %u", tgt.ecam, tgt.ecam + tgt.ecam_size - 1, id);

    if (tgt.marker && mappings) {
        xen_pfn_t gfn = tgt.marker >> 12;
        int err = 0;
        void *m = xenforeignmemory_map(fmem, tgt.domid, PROT_READ | PROT_WRITE, 1, &gfn, &err);
        if (!m || err) {
            if (err)
                errno = -err;
            fail("foreign map of the client's marker page");
        } else {
            marker_page = (volatile uint8_t *)m + (tgt.marker & 0xfff);
            say("client page 0x%" PRIx64 " foreign-mapped", tgt.marker & ~(uint64_t)0xfff);
        }
    }

    /* Before enabling: level 0 on the line it will drive, which also
     * checks the call is allowed on this SPI */
    if (xendevicemodel_set_irq_level(dmod, tgt.domid, tgt.irq, 0))
        fail("set_irq_level(0) before enabling");

    if (failures || !iopage) {
        say("FAIL set-up: %d step(s) failed; not serving", failures);
        return 1;
    }
    if (xendevicemodel_set_ioreq_server_state(dmod, tgt.domid, id, 1)) {
        fail("set_ioreq_server_state(enabled)");
        return 1;
    }
    say("ioreq server %u enabled: serving %04x:%04x at 00:00.0", id, TEST_VENDOR, TEST_DEVICE);

    int rc = serve();
    say("%s: %lu ioreqs served (%lu reads, %lu writes), %lu interrupt(s) raised, %d failure(s)",
        rc == 0 && !failures ? "done" : "FAIL stopped", nr_reads + nr_writes, nr_reads, nr_writes, nr_irqs, failures);
    return rc == 0 && !failures ? 0 : 1;
}
