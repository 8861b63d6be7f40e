/* One client: set-up in the order a Xen device model makes it, teardown,
 * and its ioreq slots (Xen's protocol, public/hvm/ioreq.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/memory.h>

#include "client.h"
#include "hvconsole.h"

/* ---- what the bus gets from its surroundings ------------------------------ */
static int bus_mem_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct dm_client *c = ctx;
    int rc = gm_read(&c->mem, gpa, buf, len);
    if (!rc)
        c->mem_read += len;
    return rc;
}

static int bus_mem_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
    struct dm_client *c = ctx;
    int rc = gm_write(&c->mem, gpa, buf, len);
    if (!rc)
        c->mem_written += len;
    return rc;
}

static void bus_set_irq(void *ctx, uint32_t spi, int level)
{
    struct dm_client *c = ctx;
    if (c->xen->verbose)
        dm_log_client(c->cfg->name, "INTID %u %s", spi, level ? "high" : "low");
    c->intx_raised += level != 0;
    if (xendevicemodel_set_irq_level(c->xen->dmod, (domid_t)c->cfg->domid, spi, (unsigned)level) && !c->warned_irq) {
        c->warned_irq = true;
        dm_log_client(c->cfg->name, "set_irq_level(INTID %u, %d): %s (logged once)", spi, level, strerror(errno));
    }
}

static void bus_log(void *ctx, const char *line)
{
    struct dm_client *c = ctx;
    dm_log_client(c->cfg->name, "%s", line);
}

/* The guest's virtio-console output: its own console lines through the
 * hypervisor, or, where the hypervisor has no such call (Xen), lines of
 * ours prefixed "[NAME] ". */
static void bus_console(void *ctx, const void *buf, size_t len)
{
    struct dm_client *c = ctx;
    if (!c->console_local && c->xen->console_fd >= 0) {
        int rc = hvconsole_write(c->xen->console_fd, c->cfg->domid, buf, len);
        if (!rc)
            return;
        c->console_local = true;
        dm_log_client(c->cfg->name, "XAM_DMOP_console_write: %s: its virtio-console is printed here, \"[%s] \" first",
                      strerror(-rc), c->cfg->name);
    }
    dm_console_write(&c->console, c->cfg->name, buf, len);
}

void client_console_input(struct dm_client *c)
{
    if (c->state != CLIENT_UP || !c->has_console || c->console_local || c->xen->console_fd < 0)
        return;
    char buf[256];
    ssize_t n = hvconsole_read(c->xen->console_fd, c->cfg->domid, buf, sizeof(buf));
    if (n < 0) {
        c->console_local = true;
        dm_log_client(c->cfg->name, "XAM_DMOP_console_read: %s: no console input", strerror((int)-n));
        return;
    }
    if (n > 0) {
        /* bytes the guest has no buffer for are dropped, as a UART would */
        dm_bus_console_input(c->bus, buf, (size_t)n);
        c->work = true;
    }
}

/* ---- the backing stores, open for the program's life ---------------------- */
int client_open(struct dm_client *c, struct dm_client_cfg *cfg, struct dm_xen *xen, const char *dt_root)
{
    memset(c, 0, sizeof(*c));
    c->cfg = cfg;
    c->xen = xen;
    c->state = CLIENT_DOWN;
    for (unsigned i = 0; i < DM_MAX_DEVICES; i++)
        c->fds[i] = -1;
    if (gm_init(&c->mem, xen->fmem, cfg, xen->chunks_per_client)) {
        dm_log("client %s skipped: its bridge has the grants flag and grants cannot be mapped", cfg->name);
        goto bad;
    }
    for (unsigned i = 0; i < cfg->nr_devices; i++) {
        struct dm_device_cfg *d = &cfg->devices[i];
        c->has_console |= d->kind == DM_VIRTIO_CONSOLE;
        if (d->kind != DM_VIRTIO_BLK)
            continue;
        if (d->pmem && dm_pmem_block_device(dt_root, d->pmem, d->path, sizeof(d->path), d->origin, 10000))
            goto bad;
        c->fds[i] = open(d->path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (c->fds[i] < 0) {
            dm_log("%s: %s: %s; client %s skipped", d->origin, d->path, strerror(errno), cfg->name);
            goto bad;
        }
    }
    return 0;
bad:
    gt_close(&c->mem.gt);
    for (unsigned i = 0; i < DM_MAX_DEVICES; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]), c->fds[i] = -1;
    c->state = CLIENT_SKIPPED;
    return -1;
}

/* ---- connecting ------------------------------------------------------------- */
/* One line per device, in slot order: the serving line is short enough
 * for one console line, and so is each of these. */
static void log_devices(const struct dm_client *c)
{
    const struct dm_client_cfg *cfg = c->cfg;
    for (unsigned slot = 0; slot < 32; slot++)
        for (unsigned i = 0; i < cfg->nr_devices; i++) {
            const struct dm_device_cfg *d = &cfg->devices[i];
            if (d->slot != slot)
                continue;
            if (d->kind == DM_VIRTIO_BLK)
                dm_log_client(cfg->name, "00:%02x.0 %s %s (%s%s%s)", slot, dm_kind_name(d->kind), d->path,
                              d->read_only ? "read-only" : "read-write", d->serial[0] ? ", serial " : "", d->serial);
            else
                dm_log_client(cfg->name, "00:%02x.0 %s", slot, dm_kind_name(d->kind));
        }
}

static int fail(struct dm_client *c, bool quiet, const char *step)
{
    if (!quiet)
        dm_log_client(c->cfg->name, "%s: %s", step, strerror(errno));
    return -1;
}

static int map_range(struct dm_client *c, uint64_t start, uint64_t size, bool quiet, const char *what)
{
    if (!size)
        return 0;
    if (!xendevicemodel_map_io_range_to_ioreq_server(c->xen->dmod, (domid_t)c->cfg->domid, c->id, 1, start,
                                                     start + size - 1))
        return 0;
    char step[96];
    snprintf(step, sizeof(step), "map_io_range_to_ioreq_server(%s 0x%" PRIx64 "+0x%" PRIx64 ")", what, start, size);
    return fail(c, quiet, step);
}

int client_connect(struct dm_client *c, bool quiet)
{
    struct dm_client_cfg *cfg = c->cfg;
    struct dm_xen *x = c->xen;
    domid_t dom = (domid_t)cfg->domid;
    const struct dm_bus_env env = { .ctx = c,
                                    .mem_read = bus_mem_read,
                                    .mem_write = bus_mem_write,
                                    .set_irq = bus_set_irq,
                                    .log = bus_log,
                                    .console_out = bus_console };

    /* The devices first: a bridge or device the bus refuses is this
     * client's configuration, not the hypervisor's doing. */
    c->bus = dm_bus_create(&cfg->bridge, &env);
    if (!c->bus) {
        dm_log_client(cfg->name, "the bus refused the bridge layout (%s); client skipped", cfg->origin);
        c->state = CLIENT_SKIPPED;
        return -1;
    }
    for (unsigned i = 0; i < cfg->nr_devices; i++) {
        const struct dm_device_cfg *d = &cfg->devices[i];
        struct dm_device_conf dc = { .kind = d->kind, .slot = d->slot, .fd = c->fds[i], .read_only = d->read_only };
        snprintf(dc.serial, sizeof(dc.serial), "%s", d->serial);
        if (dm_bus_add_device(c->bus, &dc)) {
            dm_log("%s: the bus refused this %s; client %s skipped", d->origin, dm_kind_name(d->kind), cfg->name);
            dm_bus_destroy(c->bus);
            c->bus = NULL;
            c->state = CLIENT_SKIPPED;
            return -1;
        }
    }

    if (xendevicemodel_create_ioreq_server(x->dmod, dom, HVM_IOREQSRV_BUFIOREQ_OFF, &c->id)) {
        fail(c, quiet, "create_ioreq_server");
        goto undo_bus;
    }
    if (xendevicemodel_nr_vcpus(x->dmod, dom, &c->nr_vcpus)) {
        fail(c, quiet, "nr_vcpus");
        goto undo_server;
    }
    if (c->nr_vcpus > DM_MAX_VCPUS) {
        dm_log_client(cfg->name, "%u vCPUs: only the first %d are served", c->nr_vcpus, DM_MAX_VCPUS);
        c->nr_vcpus = DM_MAX_VCPUS;
    }
    void *page = NULL;
    c->res =
        xenforeignmemory_map_resource(x->fmem, dom, XENMEM_resource_ioreq_server, c->id,
                                      XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &page, PROT_READ | PROT_WRITE, 0);
    if (!c->res) {
        fail(c, quiet, "map_resource(ioreq server page)");
        goto undo_server;
    }
    c->iopage = page;
    unsigned bound = 0;
    for (; bound < c->nr_vcpus; bound++) {
        uint32_t remote = ((volatile ioreq_t *)c->iopage->vcpu_ioreq + bound)->vp_eport;
        xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(x->xce, dom, remote);
        if (p < 0) {
            char step[64];
            snprintf(step, sizeof(step), "bind_interdomain(vCPU%u, port %u)", bound, remote);
            fail(c, quiet, step);
            goto undo_ports;
        }
        c->ports[bound] = (evtchn_port_t)p;
    }
    if (map_range(c, cfg->bridge.ecam, cfg->bridge.ecam_size, quiet, "ECAM") ||
        map_range(c, cfg->bridge.mem, cfg->bridge.mem_size, quiet, "MEM window") ||
        map_range(c, cfg->bridge.pref, cfg->bridge.pref_size, quiet, "prefetchable window"))
        goto undo_ports;
    if (xendevicemodel_set_ioreq_server_state(x->dmod, dom, c->id, 1)) {
        fail(c, quiet, "set_ioreq_server_state(enabled)");
        goto undo_ports;
    }
    c->state = CLIENT_UP;
    c->connects++;
    c->warned_form = c->warned_irq = c->warned_down = false;
    dm_log("serving client %s (domain %u)%s: %u device(s), ECAM 0x%" PRIx64 "+0x%" PRIx64 ", INTx %u-%u, %u vCPU(s)%s",
           cfg->name, cfg->domid, c->connects > 1 ? " again" : "", cfg->nr_devices, cfg->bridge.ecam,
           cfg->bridge.ecam_size, cfg->bridge.irq_start, cfg->bridge.irq_start + cfg->bridge.irq_count - 1, c->nr_vcpus,
           c->mem.grants ? ", memory through its grants" : "");
    if (c->connects == 1)
        log_devices(c);
    return 0;

undo_ports:
    while (bound)
        xenevtchn_unbind(x->xce, c->ports[--bound]);
    xenforeignmemory_unmap_resource(x->fmem, c->res);
    c->res = NULL;
    c->iopage = NULL;
undo_server:
    xendevicemodel_destroy_ioreq_server(x->dmod, dom, c->id);
undo_bus:
    dm_bus_destroy(c->bus);
    c->bus = NULL;
    return -1;
}

void client_disconnect(struct dm_client *c, bool destroy)
{
    struct dm_xen *x = c->xen;
    if (c->state != CLIENT_UP)
        return;
    for (unsigned i = 0; i < c->nr_vcpus; i++)
        xenevtchn_unbind(x->xce, c->ports[i]);
    if (c->res)
        xenforeignmemory_unmap_resource(x->fmem, c->res);
    c->res = NULL;
    c->iopage = NULL;
    /* the client's pages stay allocated while mapped: let them go */
    gm_release(&c->mem);
    if (destroy)
        xendevicemodel_destroy_ioreq_server(x->dmod, (domid_t)c->cfg->domid, c->id);
    dm_bus_destroy(c->bus);
    c->bus = NULL;
    c->work = false;
    dm_console_flush(&c->console, c->cfg->name);
    c->state = CLIENT_DOWN;
}

bool client_alive(struct dm_client *c)
{
    return xendevicemodel_get_ioreq_server_info(c->xen->dmod, (domid_t)c->cfg->domid, c->id, NULL, NULL, NULL) == 0;
}

bool client_has_port(const struct dm_client *c, evtchn_port_t p)
{
    if (c->state != CLIENT_UP)
        return false;
    for (unsigned i = 0; i < c->nr_vcpus; i++)
        if (c->ports[i] == p)
            return true;
    return false;
}

/* ---- serving ---------------------------------------------------------------- */
static uint64_t ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

/* For the counters: a virtio function's notification region is BAR 0 (16
 * KiB, naturally aligned) + 0x3000 (docs/virtio-devices.md); every BAR in
 * the windows is one. */
#define NOTIFY_REGION 0x3000u

void client_log_counters(const struct dm_client *c)
{
    /* short enough for one console line (512 characters); maps: chunks of
     * guest memory mapped (guestmem.h); a grants bridge's client: the
     * grant map calls and the pages they mapped (grantmem.h) instead */
    if (c->state != CLIENT_SKIPPED && c->mem.grants)
        dm_log_client(c->cfg->name,
                      "counters: ioreqs %lu (notify %lu, MMIO %lu, config %lu), INTx %lu, KiB read %llu, written %llu, "
                      "grant maps %lu (pages %lu)",
                      c->ioreqs, c->notifies, c->mmio_other, c->config, c->intx_raised, c->mem_read >> 10,
                      c->mem_written >> 10, c->mem.gt.maps, c->mem.gt.pages);
    else if (c->state != CLIENT_SKIPPED)
        dm_log_client(c->cfg->name,
                      "counters: ioreqs %lu (notify %lu, MMIO %lu, config %lu), INTx %lu, KiB read %llu, written %llu, "
                      "maps %lu",
                      c->ioreqs, c->notifies, c->mmio_other, c->config, c->intx_raised, c->mem_read >> 10,
                      c->mem_written >> 10, (unsigned long)c->mem.maps);
}

static void serve_slot(struct dm_client *c, unsigned v)
{
    /* the page holds one slot per vCPU past the header's [1] */
    volatile ioreq_t *req = (volatile ioreq_t *)c->iopage->vcpu_ioreq + v;
    if (req->state != STATE_IOREQ_READY)
        return;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* READY seen: now the request */
    req->state = STATE_IOREQ_INPROCESS;
    uint64_t addr = req->addr, data = req->data;
    unsigned size = req->size, type = req->type, count = req->count, ptr = req->data_is_ptr;
    bool read = req->dir == IOREQ_READ;
    uint64_t answer = ~0ull;
    bool sized = size == 1 || size == 2 || size == 4 || size == 8;
    c->ioreqs++;
    if (type == IOREQ_TYPE_COPY && !ptr && count == 1 && sized) {
        const struct dm_bridge_layout *b = &c->cfg->bridge;
        if (addr >= b->ecam && addr - b->ecam < b->ecam_size)
            c->config++;
        else if (!read && (addr & 0x3000u) == NOTIFY_REGION)
            c->notifies++;
        else
            c->mmio_other++;
        if (read)
            answer = dm_bus_mmio_read(c->bus, addr, size) & ones(size);
        else
            dm_bus_mmio_write(c->bus, addr, size, data & ones(size));
    } else if (type == IOREQ_TYPE_PCI_CONFIG && !ptr && count == 1 && sized) {
        uint32_t sbdf = (uint32_t)(addr >> 32);
        unsigned reg = (unsigned)(addr & 0xffffffffu);
        c->config++;
        if (read)
            answer = dm_bus_cfg_read(c->bus, sbdf, reg, size) & ones(size);
        else
            dm_bus_cfg_write(c->bus, sbdf, reg, size, data & ones(size));
    } else if (!c->warned_form) {
        c->warned_form = true;
        dm_log_client(c->cfg->name,
                      "ioreq of a form not served (type %u, %s of %u byte(s) at 0x%" PRIx64
                      ", count %u, data_is_ptr %u): %s (logged once)",
                      type, read ? "read" : "write", size, addr, count, ptr, read ? "answered all-ones" : "ignored");
    }
    if (read)
        req->data = answer;
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the answer, then the state */
    req->state = STATE_IORESP_READY;
    if (xenevtchn_notify(c->xen->xce, c->ports[v]) && !c->warned_down) {
        c->warned_down = true;
        dm_log_client(c->cfg->name, "notifying vCPU%u: %s", v, strerror(errno));
    }
    c->work = true;
}

void client_serve(struct dm_client *c)
{
    if (c->state != CLIENT_UP)
        return;
    for (unsigned v = 0; v < c->nr_vcpus; v++)
        serve_slot(c, v);
}

bool client_run(struct dm_client *c)
{
    if (c->state != CLIENT_UP || !c->work)
        return false;
    c->work = dm_bus_run(c->bus);
    return c->work;
}
