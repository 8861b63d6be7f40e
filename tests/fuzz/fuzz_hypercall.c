/* libFuzzer target: guests' calls over the fake architecture
 * (xen-arm-minimal/arch/fake). Four domains: a device model "dm", its
 * client "cl" (a PCI bridge, held or not), another guest "g" and a keeper
 * nobody touches. The input writes their memory and makes Xen hypercalls
 * (HVC #0xEA1, any number and command, pointers into and around RAM),
 * PSCI calls (HVC/SMC #0), well-formed and malformed dm_ops from the
 * device model (and from others), well-formed event-channel operations
 * (with shared_info and vcpu_info registered on the way), interrupts and
 * release jobs. Checked
 * after every call: no sanitizer report; every domain's state only moved
 * along the documented arrows; a domain's observable state (its state,
 * vCPUs' registers and states, memory, shared_info, ioreq servers) is
 * changed by another domain's call only where the documentation says so:
 * the device model's dm_op on its own client (its servers, and starting
 * it once connected), the device model stopping (its client loses
 * its servers, and a held client stops), and an event one of the two
 * sends the other (its shared_info page and vcpu_info areas written, a
 * vCPU woken). Nothing leaked at the end. */
#include <asm/psci.h>
#include <fake.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/emul.h>
#include <xam/exit.h>
#include <xam/guest_map.h>
#include <xam/hypercall.h>
#include <xam/ioreq.h>
#include <xam/sched.h>
#include <xam/vpci_bridge.h>
#include <xam/vpsci.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_evtchn.h>
#include "../lib/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            fake_log_dump();                                                                                           \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define RAM GUEST_RAM0_BASE
#define RAM_SIZE 0x2000ULL
#define ND 3 /* dm, cl, g (the keeper is not among them) */

const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }


/* A guest pointer: mostly into RAM, sometimes near or past its ends,
 * sometimes anything. */
static uint64_t pointer(struct in *in)
{
    unsigned kind = (unsigned)take(in, 1);
    uint64_t off = take(in, 2);
    switch (kind & 3) {
    case 0:
    case 1:
        return RAM + off % RAM_SIZE;
    case 2:
        return RAM + RAM_SIZE - (off & 0x3f) + ((kind >> 2) & 0x3f);
    default:
        return take(in, 8);
    }
}

/* What another domain may see of d. */
struct snap {
    enum domain_state state;
    paddr_t shared_info;
    uint64_t vinfo[DOMAIN_MAX_VCPUS], pc[DOMAIN_MAX_VCPUS], x0[DOMAIN_MAX_VCPUS];
    enum vcpu_state vs[DOMAIN_MAX_VCPUS];
    struct ioreq_server servers[IOREQ_MAX_SERVERS];
    uint8_t ram[0x2000]; /* RAM_SIZE */
    bool has_ram;
};

static void snap(struct domain *d, struct snap *s)
{
    memset(s, 0, offsetof(struct snap, ram));
    s->state = d->state;
    s->shared_info = d->shared_info;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        s->vinfo[i] = d->vcpus[i].vcpu_info;
        s->pc[i] = d->vcpus[i].arch.regs.pc;
        s->x0[i] = d->vcpus[i].arch.regs.x[0];
        s->vs[i] = d->vcpus[i].state;
    }
    memcpy(s->servers, d->ioreq.servers, sizeof(s->servers));
    const uint8_t *ram = domain_ram_ptr(d, RAM, RAM_SIZE);
    s->has_ram = ram != NULL;
    if (ram)
        memcpy(s->ram, ram, RAM_SIZE);
}

/* Whether byte off of RAM is where events land in s's domain: its
 * shared_info page or a vcpu_info it registered. */
static bool event_byte(const struct snap *s, uint64_t off)
{
    paddr_t ipa = RAM + off;
    if (s->shared_info && ipa - s->shared_info < sizeof(struct xen_shared_info))
        return true;
    for (unsigned j = 0; j < DOMAIN_MAX_VCPUS; j++)
        if (s->vinfo[j] && ipa - s->vinfo[j] < sizeof(struct xen_vcpu_info))
            return true;
    return false;
}

/* RAM unchanged but where an event lands. */
static bool same_but_events(const struct snap *a, const struct snap *b)
{
    if (!memcmp(a->ram, b->ram, RAM_SIZE))
        return true;
    for (uint64_t i = 0; i < RAM_SIZE; i++)
        if (a->ram[i] != b->ram[i] && !event_byte(a, i))
            return false;
    return true;
}

static bool reachable(enum domain_state from, enum domain_state to)
{
    if (from == to)
        return true;
    switch (from) {
    case DOMAIN_BUILDING:
        return true;
    case DOMAIN_RUNNING:
        return to != DOMAIN_BUILDING;
    case DOMAIN_STOPPING:
        return to == DOMAIN_DEAD;
    case DOMAIN_RESETTING:
        return to != DOMAIN_BUILDING;
    case DOMAIN_REBUILDING:
        return to != DOMAIN_BUILDING && to != DOMAIN_RESETTING;
    case DOMAIN_DEAD:
        return false;
    }
    return false;
}

static const uint64_t numbers[] = {
    __HYPERVISOR_xen_version, __HYPERVISOR_console_io, __HYPERVISOR_memory_op,
    __HYPERVISOR_vcpu_op,     __HYPERVISOR_sched_op,   __HYPERVISOR_event_channel_op,
    __HYPERVISOR_hvm_op,      __HYPERVISOR_dm_op,      __HYPERVISOR_grant_table_op,
};
static const uint32_t psci_fids[] = {
    PSCI_VERSION, PSCI_CPU_OFF,    PSCI_CPU_ON_64,    0x84000003,    PSCI_AFFINITY_INFO_64,
    0x84000004,   PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES, 0x84000001,
    0xc4000001,   0x80000000,      0x80000001,
};

/* One call by v, as its registers say. */
static void call(struct vcpu *v, unsigned ec, uint16_t imm) { fake_trap(v, fake_esr_call(ec, imm), 0); }

static void write_dm_op(struct domain *dm, struct in *in, uint64_t *bufs)
{
    /* a buffer descriptor at RAM, the op at RAM + 0x100 */
    struct xen_dm_op o;
    memset(&o, 0, sizeof(o));
    o.op = 1 + (uint32_t)(take(in, 1) % 7);
    uint16_t id = (uint16_t)(take(in, 1) % 4);
    switch (o.op) {
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server:
        o.u.map_io_range_to_ioreq_server.id = id;
        o.u.map_io_range_to_ioreq_server.type = (uint32_t)(take(in, 1) % 3);
        o.u.map_io_range_to_ioreq_server.start = take(in, 2) << 12;
        o.u.map_io_range_to_ioreq_server.end = o.u.map_io_range_to_ioreq_server.start + take(in, 2);
        break;
    case XEN_DMOP_set_ioreq_server_state:
        o.u.set_ioreq_server_state.id = id;
        o.u.set_ioreq_server_state.enabled = (uint8_t)take(in, 1);
        break;
    case XEN_DMOP_destroy_ioreq_server:
        o.u.destroy_ioreq_server.id = id;
        break;
    default:
        break;
    }
    struct xen_dm_op_buf b = { RAM + 0x100, sizeof(o) + (take(in, 1) & 1 ? 0 : 64) };
    void *pb = domain_ram_ptr(dm, RAM, sizeof(b)), *po = domain_ram_ptr(dm, RAM + 0x100, sizeof(o));
    if (pb && po) {
        memcpy(pb, &b, sizeof(b));
        memcpy(po, &o, sizeof(o));
    }
    *bufs = RAM;
}

/* A domain id for an event-channel operation: mostly one that exists. */
static uint16_t pick_dom(struct in *in, struct domain *const *d)
{
    unsigned k = (unsigned)take(in, 1) % 6;
    return k < ND ? (uint16_t)d[k]->id : k == ND ? DOMID_SELF : (uint16_t)take(in, 2);
}

/* A well-formed event_channel_op by caller, its structure at RAM + 0x200
 * (ports mostly small, so that channels really get bound), or one of the
 * registrations that make events land: shared_info, a vcpu_info. Sets
 * x16, x0, x1, x2. */
static void write_evtchn_op(struct vcpu *v, struct domain *const *d, struct in *in)
{
    union {
        struct evtchn_alloc_unbound alloc;
        struct evtchn_bind_interdomain bind;
        struct evtchn_bind_virq virq;
        struct evtchn_bind_vcpu vcpu;
        struct evtchn_status status;
        struct evtchn_reset reset;
        struct xen_add_to_physmap xatp;
        struct vcpu_register_vcpu_info vinfo;
        uint32_t port;
    } a;
    memset(&a, 0, sizeof(a));
    unsigned kind = (unsigned)take(in, 1);
    uint32_t port = kind & 0x80 ? (uint32_t)take(in, 4) : (uint32_t)take(in, 1) % 8;
    uint32_t vcpu = (uint32_t)take(in, 1) % 3;
    uint64_t *x = v->arch.regs.x;
    x[16] = __HYPERVISOR_event_channel_op;
    x[0] = kind % 16;
    x[1] = RAM + 0x200;
    switch (kind % 16) {
    case EVTCHNOP_alloc_unbound:
        a.alloc.dom = take(in, 1) & 3 ? DOMID_SELF : pick_dom(in, d);
        a.alloc.remote_dom = pick_dom(in, d);
        break;
    case EVTCHNOP_bind_interdomain:
        a.bind.remote_dom = pick_dom(in, d);
        a.bind.remote_port = port;
        break;
    case EVTCHNOP_bind_virq:
        a.virq.virq = (uint32_t)take(in, 1) % (NR_VIRQS + 2);
        a.virq.vcpu = vcpu;
        break;
    case EVTCHNOP_bind_ipi:
        a.port = vcpu;
        break;
    case EVTCHNOP_bind_vcpu:
        a.vcpu.port = port;
        a.vcpu.vcpu = vcpu;
        break;
    case EVTCHNOP_status:
        a.status.dom = pick_dom(in, d);
        a.status.port = port;
        break;
    case EVTCHNOP_reset:
        a.reset.dom = take(in, 1) & 3 ? DOMID_SELF : pick_dom(in, d);
        break;
    case 14: /* shared_info at one of its pages */
        a.xatp.domid = DOMID_SELF;
        a.xatp.space = XENMAPSPACE_shared_info;
        a.xatp.gpfn = (RAM >> PAGE_SHIFT) + (take(in, 1) & 1);
        x[16] = __HYPERVISOR_memory_op;
        x[0] = XENMEM_add_to_physmap;
        break;
    case 15: { /* a vcpu_info anywhere in its RAM (x1: the vCPU) */
        uint64_t at = RAM + take(in, 2) % RAM_SIZE;
        a.vinfo.mfn = at >> PAGE_SHIFT;
        a.vinfo.offset = (uint32_t)(at & (PAGE_SIZE - 1));
        x[16] = __HYPERVISOR_vcpu_op;
        x[0] = VCPUOP_register_vcpu_info;
        x[1] = vcpu;
        break;
    }
    default: /* close, send, unmask; and the ones refused */
        a.port = port;
        break;
    }
    x[2] = RAM + 0x200;
    void *p = domain_ram_ptr(v->dom, RAM + 0x200, sizeof(a));
    if (p)
        memcpy(p, &a, sizeof(a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    fake_reset(2);
    unsigned base_blocks = fake_mem_blocks();
    emul_reset_registrations();
    CHECK(vpsci_init() == 0);
    CHECK(hypercall_init() == 0);

    struct domain *keeper, *d[ND];
    static const char *const names[ND] = { "dm", "cl", "g" };
    CHECK(domain_create("keeper", 1, &keeper) == 0);
    domain_start(keeper, RAM, 0, false);
    for (unsigned i = 0; i < ND; i++) {
        CHECK(domain_create(names[i], 2, &d[i]) == 0);
        d[i]->vcpus[1].pcpu = 1;
        CHECK(domain_add_ram(d[i], RAM, RAM_SIZE) == 0);
        CHECK(fake_intc_attach(d[i]) == 0);
    }
    struct domain *dm = d[0], *cl = d[1];
    cl->device_model = dm;
    cl->has_bridge = true;
    cl->bridge.ecam = 0x33000000;
    cl->bridge.ecam_size = 0x100000;
    CHECK(vpci_bridge_attach(cl) == 0);
    bool held = take(&in, 1) & 1;
    for (unsigned i = 0; i < ND; i++)
        domain_start(d[i], RAM, 0, d[i] == cl && held);
    unsigned starts = 0; /* the held client's start: at most once */

    /* a bounded number of calls per input keeps runs short */
    for (unsigned ops = 0; in.n && ops < 64; ops++) {
        unsigned op = (unsigned)take(&in, 1);
        unsigned who = (op >> 4) % ND;
        struct domain *caller = d[who];
        struct vcpu *v = &caller->vcpus[(op >> 6) & 1];
        fake_set_cpu(v->pcpu);
        static struct snap before[ND], now;
        for (unsigned i = 0; i < ND; i++)
            snap(d[i], &before[i]);
        bool cl_was_off = cl->vcpus[0].state == VCPU_OFF;
        bool is_dm_op = false;
        bool running = caller->state == DOMAIN_RUNNING && v->state == VCPU_RUNNABLE;
        switch (op & 7) {
        case 0: { /* write the caller's memory */
            uint64_t at = take(&in, 2) % RAM_SIZE, n = MIN(take(&in, 1), RAM_SIZE - at);
            uint8_t *p = domain_ram_ptr(caller, RAM + at, n ? n : 1);
            for (uint64_t i = 0; p && i < n; i++)
                p[i] = (uint8_t)take(&in, 1);
            running = false;
            break;
        }
        case 2: /* a well-formed event-channel operation */
            write_evtchn_op(v, d, &in);
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        case 1: { /* a Xen hypercall */
            uint64_t nr = take(&in, 1);
            v->arch.regs.x[16] = nr < 0xf0 ? numbers[nr % ARRAY_SIZE(numbers)] : take(&in, 8);
            v->arch.regs.x[0] = take(&in, 1) & 0x80 ? take(&in, 8) : take(&in, 1) % 12;
            v->arch.regs.x[1] = take(&in, 1) & 1 ? pointer(&in) : take(&in, 2);
            v->arch.regs.x[2] = pointer(&in);
            if (v->arch.regs.x[16] == __HYPERVISOR_dm_op && take(&in, 1) & 1)
                v->arch.regs.x[0] = d[take(&in, 1) % ND]->id;
            is_dm_op = v->arch.regs.x[16] == __HYPERVISOR_dm_op;
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        }
        case 3: { /* a well-formed dm_op, from the device model or not */
            uint64_t bufs;
            write_dm_op(caller, &in, &bufs);
            v->arch.regs.x[16] = __HYPERVISOR_dm_op;
            v->arch.regs.x[0] = take(&in, 1) & 3 ? cl->id : d[take(&in, 1) % ND]->id;
            v->arch.regs.x[1] = 1 + (take(&in, 1) & 1);
            v->arch.regs.x[2] = bufs;
            is_dm_op = true;
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        }
        case 4: { /* PSCI */
            uint64_t f = take(&in, 1);
            v->arch.regs.x[0] = f < 0xf0 ? psci_fids[f % ARRAY_SIZE(psci_fids)] : take(&in, 4);
            v->arch.regs.x[1] = take(&in, 1) & 0x80 ? take(&in, 8) : take(&in, 1) % 3;
            v->arch.regs.x[2] = RAM + take(&in, 2);
            v->arch.regs.x[3] = take(&in, 8);
            if (running)
                call(v, take(&in, 1) & 1 ? EC_SMC64 : EC_HVC64, 0);
            break;
        }
        case 5: /* an interrupt for it */
            vcpu_inject_irq(v, 31);
            running = false;
            break;
        case 6: /* the release jobs */
            domain_run_jobs();
            running = false;
            break;
        default: /* it enters and leaves (a pending answer applied) */
            if (running)
                vcpu_run(v);
            break;
        }
        fake_set_cpu(0);
        CHECK(keeper->state == DOMAIN_RUNNING);
        CHECK(fake_locks_held == 0);
        if (caller != cl && cl_was_off && cl->vcpus[0].state != VCPU_OFF && held)
            starts++;
        CHECK(starts <= 1 || !held);
        for (unsigned i = 0; i < ND; i++) {
            snap(d[i], &now);
            CHECK(reachable(before[i].state, now.state));
            bool released = op % 8 == 6 || d[i] == caller;
            if (d[i] == caller || released)
                continue;
            /* another domain's call: the documented effects only */
            bool dm_stopped = caller == dm && before[0].state == DOMAIN_RUNNING && dm->state != DOMAIN_RUNNING;
            bool by_its_dm = d[i] == cl && caller == dm && (is_dm_op || dm_stopped);
            /* events between the two: where they land, and wake-ups */
            bool linked = (d[i] == cl && caller == dm) || (d[i] == dm && caller == cl);
            if (by_its_dm) {
                /* servers may change, a held client may start (vCPU 0
                 * only) or, its device model gone before, stop */
                CHECK(!now.has_ram || !before[i].has_ram || !memcmp(now.ram, before[i].ram, RAM_SIZE));
                CHECK(now.shared_info == before[i].shared_info);
                continue;
            }
            CHECK(now.state == before[i].state);
            CHECK(now.shared_info == before[i].shared_info);
            CHECK(now.has_ram == before[i].has_ram);
            CHECK(!now.has_ram ||
                  (linked ? same_but_events(&before[i], &now) : !memcmp(now.ram, before[i].ram, RAM_SIZE)));
            CHECK(!memcmp(now.servers, before[i].servers, sizeof(now.servers)));
            for (unsigned j = 0; j < d[i]->nr_vcpus; j++) {
                CHECK(now.vinfo[j] == before[i].vinfo[j]);
                CHECK(now.pc[j] == before[i].pc[j]);
                CHECK(now.x0[j] == before[i].x0[j]);
                /* a vCPU's state is another's to change only through
                 * wake-ups: an event's */
                CHECK(now.vs[j] == before[i].vs[j] ||
                      (linked && before[i].vs[j] == VCPU_BLOCKED && now.vs[j] == VCPU_RUNNABLE));
            }
        }
    }
    fake_mem_check();
    fake_destroy_all_domains();
    CHECK(fake_mem_blocks() == base_blocks);
    return 0;
}
