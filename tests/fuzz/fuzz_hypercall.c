/* libFuzzer target: guests' calls over the fake architecture
 * (xen-arm-minimal/arch/fake). Four domains, all with the hypervisor node
 * (a PV console, grant tables): a device model "dm", its client "cl" (a
 * secondary PCI bridge, held or not), a third guest "g" linked to neither,
 * and a keeper nobody touches. The input is a script of steps, each by
 * one vCPU of dm, cl or g:
 *   - its memory written; raw Xen hypercalls (any number and command,
 *     pointers into and around RAM); PSCI calls; interrupts; release
 *     jobs; a guest entry (a pending answer applied);
 *   - well-formed calls with their structures in its RAM, fields fuzzed
 *     (domain ids, GFNs inside and just outside RAM and the IPA space,
 *     array pointers just past RAM, counts at and past the limits):
 *     event channels (and shared_info/vcpu_info), dm_op (every op),
 *     memory_op (add_to_physmap shared_info/grant_table, the foreign
 *     batch, remove, the balloon, acquire_resource), grant_table_op
 *     (setup_table, query_size, map/unmap/copy in batches continued as
 *     the guest would, versions), HVMOP_get_param's console, CONSOLEIO;
 *   - stores through its extra mappings (grant entries into its table's
 *     frame, a foreign page, the ioreq page, the PV console ring's
 *     indices);
 *   - MMIO accesses of every width inside and outside the bridge's
 *     windows and readiness page; the device model binding the ioreq
 *     slots' channels, answering, not answering, scribbling the page;
 *   - stops and resets (a rebuild hook makes the domain again).
 * Checked after every step: no sanitizer report, no lock held; every
 * domain's state only moved along the documented arrows; another domain's
 * step changes a domain's observable state (state, vCPUs' registers and
 * states, RAM, shared_info, ioreq servers) only as documented: the device
 * model's dm_op, answers and stop on its client, events and grant copies
 * between the two, and the output of any hypercall whose caller points it
 * into a page it maps of the other (as Xen writes it); no domain's stage 2 shows another domain's page, ioreq
 * page or console ring unless the two are a device model and its client
 * (foreign and grant mappings); the third domain and the keeper never
 * gain or lose anything by another's step. Nothing leaked at the end.
 *
 * XAM_HYPERCALL_SEEDS=DIR fuzz_hypercall writes the hand-made seeds (a
 * full device-model set-up and its traffic, the console, grants) to DIR
 * and exits: they are encoded here, next to the decoder they follow. */
#include <asm/psci.h>
#include <fake.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/dm_console.h>
#include <xam/emul.h>
#include <xam/evtchn.h>
#include <xam/exit.h>
#include <xam/grant_table.h>
#include <xam/guest_map.h>
#include <xam/hypercall.h>
#include <xam/ioreq.h>
#include <xam/p2m.h>
#include <xam/pci_bridge.h>
#include <xam/pvconsole.h>
#include <xam/sched.h>
#include <xam/vpci_bridge.h>
#include <xam/vpsci.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_evtchn.h>
#include <xam/xen_abi_grant.h>
#include <xam/xen_abi_ioreq.h>
#include <xam/xen_abi_memory.h>
#include "../lib/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            fake_log_dump();                                                                                           \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define RAM GUEST_RAM0_BASE
#define RAM_SIZE 0x4000ULL
#define RAM_GFN (RAM >> PAGE_SHIFT)
#define ND 3 /* dm, cl, g (the keeper is not among them) */
#define MAX_STEPS 96
/* where the well-formed calls put their structures, in the caller's RAM */
#define A_DMOP_BUF RAM
#define A_DMOP RAM + 0x100
#define A_EVT (RAM + 0x200)
#define A_MEM (RAM + 0x300)
#define A_IDXS (RAM + 0x400)
#define A_GPFNS (RAM + 0x600)
#define A_ERRS (RAM + 0x800)
#define A_GNT (RAM + 0x1000)
#define A_CONS (RAM + 0x2000)
/* a whole batch of 512 (over the others) */
#define A_FILL_ERRS (RAM + 0x1000)
#define A_FILL_IDXS (RAM + 0x2000)
#define A_FILL_GPFNS (RAM + 0x3000)
/* GFNs for extra mappings: free ones, Xen's grant-table region */
#define FREE_GFN ((RAM + 0x4000000) >> PAGE_SHIFT)
#define GNT_GFN 0x38000ULL
#define MAGIC_GFN (GUEST_MAGIC_BASE >> PAGE_SHIFT)

const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }

/* The steps (the first byte of each, modulo K_COUNT). */
enum {
    K_MEM,
    K_RAW,
    K_EVTCHN,
    K_DMOP,
    K_PSCI,
    K_IRQ,
    K_JOBS,
    K_RUN,
    K_MEMOP,
    K_GNT,
    K_STORE,
    K_MMIO,
    K_ANSWER,
    K_BIND,
    K_LIFE,
    K_CONS,
    K_COUNT
};

/* ---- picking values ---- */

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

/* An array pointer: the call's usual place (def), or just outside RAM,
 * crossing its end, a foreign-mapped page, 0, anything. */
static uint64_t array_ptr(struct in *in, uint64_t def)
{
    unsigned k = (unsigned)take(in, 1);
    switch (k % 8) {
    case 0:
    case 1:
    case 2:
        return def;
    case 3:
        return RAM + RAM_SIZE - 8 * (k >> 3 & 3); /* at or just before the end */
    case 4:
        return RAM - 8;
    case 5:
        return FREE_GFN << PAGE_SHIFT; /* mapped, but not RAM */
    case 6:
        return 0;
    default:
        return take(in, 8);
    }
}

/* A count around a limit. */
static uint64_t count(struct in *in, uint64_t limit)
{
    unsigned k = (unsigned)take(in, 1);
    switch (k % 10) {
    case 0:
        return 0;
    case 1:
    case 2:
        return 1;
    case 3:
        return 2 + (k >> 4) % 3;
    case 4:
        return limit - 1;
    case 5:
        return limit;
    case 6:
        return limit + 1;
    case 7:
        return take(in, 2);
    case 8:
        return 0xffffffffULL;
    default:
        return take(in, 4);
    }
}

/* The GFNs steps name, and the invariants look at: RAM (own pages), just
 * past it, free ones, the magic page, the grant region, emulated MMIO,
 * the IPA space's last and first-outside frames. */
#define NR_GFNS 15
static uint64_t gfn_at(unsigned k)
{
    static const uint64_t fixed[] = {
        RAM_GFN,
        RAM_GFN + 1,
        RAM_GFN + 2,
        RAM_GFN + 3,
        RAM_GFN + 4,
        FREE_GFN,
        FREE_GFN + 1,
        FREE_GFN + 2,
        FREE_GFN + 3,
        MAGIC_GFN,
        GNT_GFN,
        GNT_GFN + 1,
        PCI_BRIDGE_DEF_ECAM >> PAGE_SHIFT,
    };
    if (k < ARRAY_SIZE(fixed))
        return fixed[k];
    uint64_t top = 1ULL << (stage2_ipa_bits() - PAGE_SHIFT);
    return k == ARRAY_SIZE(fixed) ? top - 1 : top;
}
_Static_assert(NR_GFNS == 13 + 2, "the fixed GFNs and the two at the IPA space's end");

static uint64_t pick_gfn(struct in *in)
{
    unsigned k = (unsigned)take(in, 1);
    k %= NR_GFNS + 3;
    return k < NR_GFNS     ? gfn_at(k)
        : k == NR_GFNS     ? take(in, 8)
        : k == NR_GFNS + 1 ? RAM_GFN + take(in, 2)
                           : FREE_GFN + take(in, 2); /* where whole batches go */
}

/* A domain id: mostly one that exists. */
static uint16_t pick_dom(struct in *in, struct domain *const *d)
{
    unsigned k = (unsigned)take(in, 1) % 6;
    return k < ND ? (uint16_t)d[k]->id : k == ND ? DOMID_SELF : (uint16_t)take(in, 2);
}

/* DOMID_SELF mostly, or another. */
static uint16_t self_or(struct in *in, struct domain *const *d)
{
    return take(in, 1) & 3 ? DOMID_SELF : pick_dom(in, d);
}

static void put_guest(struct domain *d, uint64_t ipa, const void *p, size_t n)
{
    void *at = domain_ram_ptr(d, ipa, n);
    if (at)
        memcpy(at, p, n);
}

/* ---- what a domain shows others ---- */

struct snap {
    enum domain_state state;
    paddr_t shared_info;
    uint64_t vinfo[DOMAIN_MAX_VCPUS], pc[DOMAIN_MAX_VCPUS], x0[DOMAIN_MAX_VCPUS];
    enum vcpu_state vs[DOMAIN_MAX_VCPUS];
    struct ioreq_server servers[IOREQ_MAX_SERVERS];
    uint8_t ram[RAM_SIZE];
    bool has_ram;
    /* some of its pages are mapped by another domain (a foreign or grant
     * mapping: p2m_lent), which any hypercall of the mapper may write
     * through, its output landing where the mapper's pointer says */
    bool lends;
};

static void snap(struct domain *d, struct snap *s, bool ram_too)
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
    s->lends = d->p2m_lent != 0;
    const uint8_t *ram = domain_ram_ptr(d, RAM, RAM_SIZE);
    s->has_ram = ram != NULL;
    if (ram && ram_too)
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

/* Whose RAM holds host page p (NULL: nobody's now). */
static struct domain *ram_owner(const void *p)
{
    paddr_t pa = (paddr_t)(uintptr_t)p;
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *o = domains[i];
        for (unsigned b = 0; b < o->nr_banks; b++)
            if (pa >= o->banks[b].pa && pa - o->banks[b].pa < o->banks[b].size)
                return o;
    }
    return NULL;
}

static bool pair(const struct domain *a, const struct domain *b)
{
    return (a->device_model == b || b->device_model == a) && a != b;
}

/* No domain's stage 2 (at the GFNs steps name) shows another domain's
 * RAM, ioreq page or console ring unless the two are a device model and
 * its client; a ioreq page only in its guest's device model. */
/* What each domain's GFN showed at the last look: a page of another
 * domain stays that domain's old page across its reset (lent pages are
 * never freed while mapped), never its next life's RAM. */
static struct {
    void *p;
    struct domain *o;
    paddr_t o_bank;
} seen[4][NR_GFNS];

static void check_p2m(void)
{
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *x = domains[i];
        for (unsigned k = 0; k < NR_GFNS; k++) {
            bool w;
            void *p = p2m_page_ptr(x, gfn_at(k), &w);
            struct domain *o = p ? ram_owner(p) : NULL;
            if (i < 4) {
                struct domain *was = seen[i][k].o;
                if (p && p == seen[i][k].p && was && was != x &&
                    seen[i][k].o_bank != (was->nr_banks ? was->banks[0].pa : 0))
                    CHECK(o != was); /* a mapping of its last life shows its new RAM */
                seen[i][k].p = p;
                seen[i][k].o = o;
                seen[i][k].o_bank = o && o->nr_banks ? o->banks[0].pa : 0;
            }
            if (!p)
                continue;
            if (o && o != x && !pair(x, o)) {
                fprintf(stderr, "%s maps %s's page at gfn %#llx\n", x->name, o->name, (unsigned long long)gfn_at(k));
                CHECK(!"a page of an unrelated domain");
            }
            for (unsigned j = 0; j < nr_domains; j++) {
                struct domain *t = domains[j];
                for (unsigned s = 0; s < IOREQ_MAX_SERVERS; s++)
                    CHECK(!t->ioreq.pages[s] || (paddr_t)(uintptr_t)p != t->ioreq.pages[s] || t->device_model == x);
                CHECK(t == x || !t->pvcons.page || (paddr_t)(uintptr_t)p != t->pvcons.page);
            }
        }
    }
}

/* The client's accesses: one in flight on a server only while its vCPU
 * waits; none left waiting once its device model is gone or no server is
 * enabled (a device model that dies never wedges its guest); the third
 * guest and the keeper lend nothing. */
static void check_ioreq(struct domain *dm, struct domain *cl)
{
    if (cl->state != DOMAIN_RUNNING)
        return;
    bool enabled = false;
    for (unsigned s = 0; s < IOREQ_MAX_SERVERS; s++)
        enabled |= cl->ioreq.servers[s].used && cl->ioreq.servers[s].enabled;
    for (unsigned i = 0; i < cl->nr_vcpus; i++) {
        unsigned s = cl->ioreq.inflight[i];
        CHECK(s <= IOREQ_MAX_SERVERS);
        CHECK(!s || cl->vcpus[i].state == VCPU_WAITING);
        CHECK(!s || (cl->ioreq.servers[s - 1].used && cl->ioreq.servers[s - 1].enabled));
        if (dm->state != DOMAIN_RUNNING)
            CHECK(cl->vcpus[i].state != VCPU_WAITING);
        else if (!enabled)
            CHECK(!s);
    }
}

/* ---- the steps ---- */

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

static void xen_call(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    v->arch.regs.x[16] = nr;
    v->arch.regs.x[0] = a0;
    v->arch.regs.x[1] = a1;
    v->arch.regs.x[2] = a2;
    call(v, EC_HVC64, XEN_HYPERCALL_TAG);
}

/* A dm_op: every op, fields around what the client's bridge allows. */
static const uint32_t dm_ops[] = {
    XEN_DMOP_create_ioreq_server,
    XEN_DMOP_get_ioreq_server_info,
    XEN_DMOP_map_io_range_to_ioreq_server,
    XEN_DMOP_unmap_io_range_from_ioreq_server,
    XEN_DMOP_set_ioreq_server_state,
    XEN_DMOP_destroy_ioreq_server,
    XEN_DMOP_set_irq_level,
    XEN_DMOP_nr_vcpus,
    XAM_DMOP_console_write,
    XAM_DMOP_console_read,
};

static uint64_t range_start(struct in *in, uint32_t type)
{
    if (type == XEN_DMOP_IO_RANGE_PCI)
        return take(in, 1) & 0x80 ? take(in, 4) : take(in, 1) % 0x20 * 8;
    static const uint64_t at[] = { PCI_BRIDGE_DEF_ECAM, PCI_BRIDGE_DEF_MEM, PCI_BRIDGE_DEF_PREF, PCI_READY_BASE, RAM };
    unsigned k = (unsigned)take(in, 1);
    return k < 0xf0 ? at[k % ARRAY_SIZE(at)] + (take(in, 2) << 4) : take(in, 8);
}

/* The range the last map_io_range named: an unmap may name it again. */
static struct xen_dm_op_ioreq_server_range last_range;

static void write_dm_op(struct domain *caller, struct in *in)
{
    struct xen_dm_op o;
    memset(&o, 0, sizeof(o));
    unsigned k = (unsigned)take(in, 1);
    o.op = k < 0xf8 ? dm_ops[k % ARRAY_SIZE(dm_ops)] : (uint32_t)take(in, 4);
    uint16_t id = (uint16_t)(take(in, 1) % 3);
    switch (o.op) {
    case XEN_DMOP_create_ioreq_server:
        o.u.create_ioreq_server.handle_bufioreq = (uint8_t)(take(in, 1) % 4 == 3);
        break;
    case XEN_DMOP_get_ioreq_server_info:
        o.u.get_ioreq_server_info.id = id;
        o.u.get_ioreq_server_info.flags = (uint16_t)(take(in, 1) & 3 ? XEN_DMOP_no_gfns : 0);
        break;
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        struct xen_dm_op_ioreq_server_range *r = &o.u.map_io_range_to_ioreq_server;
        r->id = id;
        unsigned t = (unsigned)take(in, 1);
        r->type = t % 4 == 3 ? (uint32_t)take(in, 1) % 4 : t % 2 ? XEN_DMOP_IO_RANGE_PCI : XEN_DMOP_IO_RANGE_MEMORY;
        r->start = range_start(in, r->type);
        unsigned len = (unsigned)take(in, 1);
        r->end = len == 0xff ? take(in, 8) : len == 0xfe ? r->start - 1 : r->start + (len << 8 | 0xff) % 0x10000;
        if (o.op == XEN_DMOP_unmap_io_range_from_ioreq_server && t & 0x40) {
            *r = last_range; /* what was mapped last */
            r->id = id;
        } else if (o.op == XEN_DMOP_map_io_range_to_ioreq_server) {
            last_range = *r;
        }
        break;
    }
    case XEN_DMOP_set_ioreq_server_state:
        o.u.set_ioreq_server_state.id = id;
        o.u.set_ioreq_server_state.enabled = (uint8_t)take(in, 1);
        break;
    case XEN_DMOP_destroy_ioreq_server:
        o.u.destroy_ioreq_server.id = id;
        break;
    case XAM_DMOP_console_write:
    case XAM_DMOP_console_read: { /* the bytes in a second buffer */
        o.u.console_io.len = (uint32_t)count(in, XAM_DMOP_CONSOLE_MAX);
        struct xen_dm_op_buf data = { array_ptr(in, A_CONS), count(in, 4096) };
        put_guest(caller, A_DMOP_BUF + sizeof(data), &data, sizeof(data));
        break;
    }
    case XEN_DMOP_set_irq_level: {
        unsigned irq = (unsigned)take(in, 1);
        o.u.set_irq_level.irq = irq < 0xf0 ? PCI_BRIDGE_DEF_IRQ - 2 + irq % 8 : (uint32_t)take(in, 4);
        o.u.set_irq_level.level = (uint8_t)(take(in, 1) % 3);
        break;
    }
    default:
        break;
    }
    struct xen_dm_op_buf b = { A_DMOP, sizeof(o) + (take(in, 1) & 1 ? 0 : 64) };
    if (take(in, 1) % 8 == 7)
        b.size = sizeof(o) - 1;
    put_guest(caller, A_DMOP_BUF, &b, sizeof(b));
    put_guest(caller, A_DMOP, &o, sizeof(o));
}

/* A well-formed event_channel_op by caller, its structure at A_EVT
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
    x[1] = A_EVT;
    switch (kind % 16) {
    case EVTCHNOP_alloc_unbound:
        a.alloc.dom = self_or(in, d);
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
        a.reset.dom = self_or(in, d);
        break;
    case 14: /* shared_info at one of its pages */
        a.xatp.domid = DOMID_SELF;
        a.xatp.space = XENMAPSPACE_shared_info;
        a.xatp.gpfn = RAM_GFN + (take(in, 1) & 1);
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
    x[2] = A_EVT;
    put_guest(v->dom, A_EVT, &a, sizeof(a));
}

/* A well-formed memory_op: what add_to_physmap maps, the device model's
 * foreign batch and acquire_resource, remove, the balloon. Sets x16, x0,
 * x1. */
static void write_memory_op(struct vcpu *v, struct domain *const *d, struct in *in)
{
    struct domain *caller = v->dom;
    uint64_t *x = v->arch.regs.x;
    unsigned sub = (unsigned)take(in, 1);
    uint64_t start = sub & 0x80 ? take(in, 1) % 4 : 0; /* a continuation's extent */
    x[16] = __HYPERVISOR_memory_op;
    x[1] = A_MEM;
    switch (sub % 7) {
    case 0: { /* add_to_physmap */
        struct xen_add_to_physmap a = { .domid = self_or(in, d) };
        unsigned s = (unsigned)take(in, 1);
        a.space = s % 4 == 3 ? (uint32_t)take(in, 4) : s % 2 ? XENMAPSPACE_grant_table : XENMAPSPACE_shared_info;
        unsigned i = (unsigned)take(in, 1);
        a.idx = i < 0xf0 ? i % 4
            : i == 0xf0  ? GNTTAB_DEFAULT_MAX_FRAMES - 1
            : i == 0xf1  ? GNTTAB_DEFAULT_MAX_FRAMES
            : i == 0xf2  ? XENMAPIDX_grant_table_status
                         : take(in, 8);
        a.gpfn = pick_gfn(in);
        put_guest(caller, A_MEM, &a, sizeof(a));
        x[0] = XENMEM_add_to_physmap;
        break;
    }
    case 1: { /* the foreign batch */
        struct xen_add_to_physmap_batch b = { .domid = self_or(in, d) };
        b.space = take(in, 1) % 8 == 7 ? (uint16_t)take(in, 2) : XENMAPSPACE_gmfn_foreign;
        b.size = (uint16_t)count(in, 512);
        b.foreign_domid = pick_dom(in, d);
        b.idxs = array_ptr(in, A_IDXS);
        b.gpfns = array_ptr(in, A_GPFNS);
        b.errs = array_ptr(in, A_ERRS);
        unsigned fill = (unsigned)take(in, 1);
        if (fill >= 0xf8 && b.size <= 512) {
            /* the whole batch, at GFNs of their own: enough of these fill
             * the caller's table of extra mappings */
            b.idxs = A_FILL_IDXS;
            b.gpfns = A_FILL_GPFNS;
            b.errs = A_FILL_ERRS;
            for (uint64_t i = 0; i < b.size; i++) {
                uint64_t idx = RAM_GFN + i % 4, gpfn = FREE_GFN + 8 + (fill & 7) * 512 + i;
                put_guest(caller, A_FILL_IDXS + 8 * i, &idx, 8);
                put_guest(caller, A_FILL_GPFNS + 8 * i, &gpfn, 8);
            }
        }
        for (unsigned i = 0; i < MIN(b.size, 4u); i++) {
            uint64_t idx = pick_gfn(in), gpfn = pick_gfn(in);
            put_guest(caller, A_IDXS + 8 * i, &idx, 8);
            put_guest(caller, A_GPFNS + 8 * i, &gpfn, 8);
        }
        put_guest(caller, A_MEM, &b, sizeof(b));
        x[0] = XENMEM_add_to_physmap_batch;
        break;
    }
    case 2: { /* remove */
        struct xen_remove_from_physmap r = { .domid = self_or(in, d), .gpfn = pick_gfn(in) };
        put_guest(caller, A_MEM, &r, sizeof(r));
        x[0] = XENMEM_remove_from_physmap;
        break;
    }
    case 3:
    case 4: { /* the balloon */
        struct xen_memory_reservation r = { .domid = self_or(in, d) };
        r.nr_extents = count(in, 512);
        r.extent_order = take(in, 1) % 8 == 7 ? (uint32_t)take(in, 1) : 0;
        r.extent_start = array_ptr(in, A_IDXS);
        for (unsigned i = 0; i < MIN(r.nr_extents, 4u); i++) {
            uint64_t gfn = pick_gfn(in);
            put_guest(caller, A_IDXS + 8 * i, &gfn, 8);
        }
        put_guest(caller, A_MEM, &r, sizeof(r));
        x[0] = sub % 7 == 3 ? XENMEM_decrease_reservation : XENMEM_populate_physmap;
        break;
    }
    case 5: { /* acquire_resource: the client's ioreq page */
        struct xen_mem_acquire_resource r = { .domid = take(in, 1) & 3 ? (uint16_t)d[1]->id : pick_dom(in, d) };
        r.type = take(in, 1) % 8 == 7 ? (uint16_t)take(in, 2) : XENMEM_resource_ioreq_server;
        r.id = (uint32_t)(take(in, 1) % 4 == 3 ? take(in, 4) : take(in, 1) % 3);
        unsigned n = (unsigned)take(in, 1);
        r.nr_frames = n % 4 == 0 ? 0 : n % 4 == 3 ? (uint32_t)take(in, 4) : 1;
        unsigned f = (unsigned)take(in, 1);
        r.frame = f % 4 == 3 ? take(in, 8) : f % 4 == 2 ? 0 : 1;
        r.frame_list = n == 4 ? 0 : array_ptr(in, A_IDXS); /* 0 with nr_frames 0: how many */
        uint64_t gfn = pick_gfn(in);
        put_guest(caller, A_IDXS, &gfn, 8);
        put_guest(caller, A_MEM, &r, sizeof(r));
        x[0] = XENMEM_acquire_resource;
        break;
    }
    default: /* anything */
        x[0] = take(in, 1);
        x[1] = pointer(in);
        break;
    }
    x[0] |= start << MEMOP_EXTENT_SHIFT;
}

/* A grant-table call and its operations at A_GNT. Returns the count. */
static uint64_t write_gnttab_op(struct vcpu *v, struct domain *const *d, struct in *in, uint64_t *cmd, uint64_t *uop)
{
    struct domain *caller = v->dom;
    unsigned sub = (unsigned)take(in, 1);
    uint64_t n = 1;
    *uop = A_GNT;
    switch (sub % 8) {
    case 0: { /* setup_table */
        struct gnttab_setup_table s = { .dom = self_or(in, d) };
        s.nr_frames = (uint32_t)count(in, GNTTAB_DEFAULT_MAX_FRAMES);
        s.frame_list = array_ptr(in, A_IDXS);
        put_guest(caller, A_GNT, &s, sizeof(s));
        *cmd = GNTTABOP_setup_table;
        break;
    }
    case 1: { /* query_size */
        struct gnttab_query_size q = { .dom = self_or(in, d) };
        put_guest(caller, A_GNT, &q, sizeof(q));
        *cmd = GNTTABOP_query_size;
        break;
    }
    case 2: { /* map: up to 4 different operations, repeated */
        n = count(in, 33);
        unsigned m = 1 + (unsigned)take(in, 1) % 4;
        struct gnttab_map_grant_ref ops[4];
        for (unsigned i = 0; i < m; i++) {
            memset(&ops[i], 0, sizeof(ops[i]));
            ops[i].host_addr = pick_gfn(in) << PAGE_SHIFT | (take(in, 1) % 8 == 7 ? 0x10 : 0);
            unsigned f = (unsigned)take(in, 1);
            ops[i].flags = f < 0xf0 ? GNTMAP_host_map | (f & 1 ? GNTMAP_readonly : 0) : f & 0x1f;
            ops[i].ref = (uint32_t)(take(in, 1) % 0x20 == 0x1f ? take(in, 4) : take(in, 1) % 16);
            ops[i].dom = pick_dom(in, d);
        }
        for (uint64_t i = 0; i < MIN(n, 40u); i++)
            put_guest(caller, A_GNT + i * sizeof(ops[0]), &ops[i % m], sizeof(ops[0]));
        *cmd = GNTTABOP_map_grant_ref;
        break;
    }
    case 3: { /* unmap */
        n = count(in, 33);
        unsigned m = 1 + (unsigned)take(in, 1) % 4;
        struct gnttab_unmap_grant_ref ops[4];
        for (unsigned i = 0; i < m; i++) {
            memset(&ops[i], 0, sizeof(ops[i]));
            unsigned h = (unsigned)take(in, 1);
            ops[i].host_addr = h % 8 == 7 ? 0 : pick_gfn(in) << PAGE_SHIFT;
            ops[i].handle = h < 0xf0 ? h % 8 : (uint32_t)take(in, 4);
        }
        for (uint64_t i = 0; i < MIN(n, 40u); i++)
            put_guest(caller, A_GNT + i * sizeof(ops[0]), &ops[i % m], sizeof(ops[0]));
        *cmd = GNTTABOP_unmap_grant_ref;
        break;
    }
    case 4: { /* copy */
        n = count(in, 33);
        unsigned m = 1 + (unsigned)take(in, 1) % 4;
        struct gnttab_copy ops[4];
        for (unsigned i = 0; i < m; i++) {
            memset(&ops[i], 0, sizeof(ops[i]));
            ops[i].flags = (uint16_t)(take(in, 1) % 4);
            struct gnttab_copy_ptr *side[2] = { &ops[i].source, &ops[i].dest };
            for (unsigned s = 0; s < 2; s++) {
                if (ops[i].flags >> s & 1) {
                    side[s]->u.ref = (uint32_t)(take(in, 1) % 16);
                    side[s]->domid = pick_dom(in, d);
                } else {
                    side[s]->u.gmfn = pick_gfn(in);
                    side[s]->domid = self_or(in, d);
                }
                unsigned o = (unsigned)take(in, 1);
                side[s]->offset = (uint16_t)(o < 0xf0 ? o * 16 : take(in, 2));
            }
            unsigned l = (unsigned)take(in, 1);
            ops[i].len = (uint16_t)(l < 0xf0 ? l : l == 0xf0 ? PAGE_SIZE : take(in, 2));
        }
        for (uint64_t i = 0; i < MIN(n, 40u); i++)
            put_guest(caller, A_GNT + i * sizeof(ops[0]), &ops[i % m], sizeof(ops[0]));
        *cmd = GNTTABOP_copy;
        break;
    }
    case 5: { /* set_version */
        struct gnttab_set_version s = { (uint32_t)take(in, 1) % 4 };
        put_guest(caller, A_GNT, &s, sizeof(s));
        *cmd = GNTTABOP_set_version;
        break;
    }
    case 6: { /* get_version */
        struct gnttab_get_version g = { .dom = self_or(in, d) };
        put_guest(caller, A_GNT, &g, sizeof(g));
        *cmd = GNTTABOP_get_version;
        break;
    }
    default:
        *cmd = take(in, 1) & 0x80 ? take(in, 8) : take(in, 1) % 14;
        break;
    }
    if (take(in, 1) % 8 == 7) /* the array elsewhere, or a count of another size */
        *uop = array_ptr(in, A_GNT);
    if (take(in, 1) % 8 == 7)
        n = count(in, 1u << 31);
    return n;
}

/* The device model's local port bound to the client's slot (server s,
 * vCPU i), as the steps made it: 0 none. */
static unsigned lports[IOREQ_MAX_SERVERS][2];
/* Each domain's PV console port, as HVMOP_get_param answered it. */
static unsigned cons_port[ND];

static struct ioreq *slot_of(struct domain *cl, unsigned s, unsigned i)
{
    paddr_t pa = cl->ioreq.pages[s];
    return pa ? &((struct ioreq *)(uintptr_t)pa)[i] : NULL;
}

/* The MMIO places: the bridge's windows, its readiness page, the edges
 * around them, RAM (not MMIO: a stage-2 fault on RAM), a GIC frame. */
static paddr_t mmio_addr(struct in *in)
{
    static const struct {
        paddr_t base;
        uint64_t size;
    } r[] = {
        { PCI_BRIDGE_DEF_ECAM, PCI_BRIDGE_DEF_ECAM_SIZE },
        { PCI_BRIDGE_DEF_MEM, PCI_BRIDGE_DEF_MEM_SIZE },
        { PCI_BRIDGE_DEF_PREF, PCI_BRIDGE_DEF_PREF_SIZE },
        { PCI_READY_BASE, 0x10 },
        { PCI_BRIDGE_DEF_ECAM - 0x10, 0x20 },
        { PCI_BRIDGE_DEF_PREF + PCI_BRIDGE_DEF_PREF_SIZE - 0x10, 0x20 },
        { PCI_READY_BASE + PCI_READY_SIZE - 0x10, 0x20 },
        { 0x08000000, 0x20000 },
    };
    unsigned k = (unsigned)take(in, 1);
    uint64_t off = take(in, 1) & 0x80 ? take(in, 4) : take(in, 1) * 4;
    if (k >= 0xf8)
        return take(in, 8);
    return r[k % ARRAY_SIZE(r)].base + off % r[k % ARRAY_SIZE(r)].size;
}

/* XAM_HYPERCALL_TRACE set: each step and its x0 on stderr. */
static bool trace;
/* The client has a virtio-console (its device model serves it). */
static bool cl_console;

/* The rebuild after a reset: what the builder gives each domain here. */
static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = domain_add_ram(d, RAM, RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    if (!rc && d->has_bridge)
        rc = vpci_bridge_attach(d);
    if (!rc && d->has_bridge && cl_console)
        dm_console_attach(d);
    if (!rc)
        rc = pvconsole_attach(d);
    *entry = RAM;
    *x0 = 0;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    fake_reset(2);
    unsigned base_blocks = fake_mem_blocks();
    emul_reset_registrations();
    domain_set_rebuild_hook(rebuild);
    CHECK(vpsci_init() == 0);
    CHECK(hypercall_init() == 0);
    CHECK(gnttab_init() == 0);
    CHECK(pvconsole_init() == 0);
    memset(lports, 0, sizeof(lports));
    memset(seen, 0, sizeof(seen));
    memset(&last_range, 0, sizeof(last_range));
    unsigned fail_next = 0; /* the next step's nth allocation fails */
    memset(cons_port, 0, sizeof(cons_port));

    struct domain *keeper, *d[ND];
    static const char *const names[ND] = { "dm", "cl", "g" };
    CHECK(domain_create("keeper", 1, &keeper) == 0);
    CHECK(domain_add_ram(keeper, RAM, RAM_SIZE, true) == 0);
    CHECK(pvconsole_attach(keeper) == 0);
    domain_start(keeper, RAM, 0, false);
    for (unsigned i = 0; i < ND; i++) {
        CHECK(domain_create(names[i], 2, &d[i]) == 0);
        d[i]->vcpus[1].pcpu = 1;
        CHECK(domain_add_ram(d[i], RAM, RAM_SIZE, true) == 0);
        CHECK(fake_intc_attach(d[i]) == 0);
    }
    struct domain *dm = d[0], *cl = d[1], *g = d[2];
    cl->device_model = dm;
    cl->has_bridge = true;
    cl->bridge = (struct pci_bridge){ PCI_BRIDGE_DEF_ECAM,     PCI_BRIDGE_DEF_ECAM_SIZE, PCI_BRIDGE_DEF_MEM,
                                      PCI_BRIDGE_DEF_MEM_SIZE, PCI_BRIDGE_DEF_PREF,      PCI_BRIDGE_DEF_PREF_SIZE,
                                      PCI_BRIDGE_DEF_IRQ,      PCI_BRIDGE_DEF_IRQ_COUNT, 0 };
    CHECK(vpci_bridge_attach(cl) == 0);
    cl_console = (data && size ? data[0] : 0) & 2;
    if (cl_console)
        dm_console_attach(cl);
    for (unsigned i = 0; i < ND; i++)
        CHECK(pvconsole_attach(d[i]) == 0);
    bool held = take(&in, 1) & 1;
    for (unsigned i = 0; i < ND; i++)
        domain_start(d[i], RAM, 0, d[i] == cl && held);
    unsigned starts = 0; /* the held client's start: at most once a life (it is held again after a reset) */

    /* a bounded number of steps per input keeps runs short */
    for (unsigned steps = 0; in.n && steps < MAX_STEPS; steps++) {
        unsigned kind = (unsigned)take(&in, 1) % K_COUNT;
        unsigned who = (unsigned)take(&in, 1);
        struct domain *caller = kind == K_ANSWER ? dm : d[(who & 3) % ND]; /* only the device model answers */
        struct vcpu *v = &caller->vcpus[(who >> 2) & 1];
        fake_set_cpu(v->pcpu);
        static struct snap before[ND], now;
        for (unsigned i = 0; i < ND; i++) /* the caller's own RAM is its own to change */
            snap(d[i], &before[i], d[i] != caller);
        bool cl_was_off = cl->vcpus[0].state == VCPU_OFF;
        paddr_t cl_life = cl->nr_banks ? cl->banks[0].pa : 0;
        bool by_dm = false; /* a step the device model makes on its client */
        bool touches_pair = false; /* may write the partner's RAM (grants, its mappings) */
        bool released = false; /* the release jobs ran: anything may have changed */
        bool running = caller->state == DOMAIN_RUNNING && v->state == VCPU_RUNNABLE;
        bool failing = fail_next != 0;
        if (failing)
            fake_mem_fail_at(fail_next);
        fail_next = 0;
        switch (kind) {
        case K_MEM: { /* write the caller's memory */
            uint64_t at = take(&in, 2) % RAM_SIZE, n = take(&in, 1); /* not in MIN(): read once */
            n = MIN(n, RAM_SIZE - at);
            uint8_t *p = domain_ram_ptr(caller, RAM + at, n ? n : 1);
            for (uint64_t i = 0; p && i < n; i++)
                p[i] = (uint8_t)take(&in, 1);
            break;
        }
        case K_RAW: { /* a Xen hypercall */
            uint64_t nr = take(&in, 1);
            v->arch.regs.x[16] = nr < 0xf0 ? numbers[nr % ARRAY_SIZE(numbers)] : take(&in, 8);
            v->arch.regs.x[0] = take(&in, 1) & 0x80 ? take(&in, 8) : take(&in, 1) % 12;
            v->arch.regs.x[1] = take(&in, 1) & 1 ? pointer(&in) : take(&in, 2);
            v->arch.regs.x[2] = pointer(&in);
            if (v->arch.regs.x[16] == __HYPERVISOR_dm_op && take(&in, 1) & 1)
                v->arch.regs.x[0] = d[take(&in, 1) % ND]->id;
            by_dm = caller == dm;
            touches_pair = v->arch.regs.x[16] == __HYPERVISOR_grant_table_op;
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        }
        case K_EVTCHN: /* a well-formed event-channel operation */
            write_evtchn_op(v, d, &in);
            by_dm = caller == dm; /* a send may answer the client's access */
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        case K_DMOP: { /* a well-formed dm_op, from the device model or not */
            write_dm_op(caller, &in);
            unsigned t = (unsigned)take(&in, 1);
            uint64_t target = t & 3 ? cl->id : t & 4 ? d[take(&in, 1) % ND]->id : take(&in, 2);
            uint64_t nbufs = t >> 4 == 0xf ? take(&in, 8) : 1 + (t >> 4 & 1);
            by_dm = caller == dm;
            if (running)
                xen_call(v, __HYPERVISOR_dm_op, target, nbufs, t >> 3 == 0x1f ? pointer(&in) : A_DMOP_BUF);
            break;
        }
        case K_PSCI: {
            uint64_t f = take(&in, 1);
            v->arch.regs.x[0] = f < 0xf0 ? psci_fids[f % ARRAY_SIZE(psci_fids)] : take(&in, 4);
            v->arch.regs.x[1] = take(&in, 1) & 0x80 ? take(&in, 8) : take(&in, 1) % 3;
            v->arch.regs.x[2] = RAM + take(&in, 2);
            v->arch.regs.x[3] = take(&in, 8);
            by_dm = caller == dm; /* its stop disconnects the client */
            if (running)
                call(v, take(&in, 1) & 1 ? EC_SMC64 : EC_HVC64, 0);
            break;
        }
        case K_IRQ: /* an interrupt for it */
            vcpu_inject_irq(v, 31);
            break;
        case K_JOBS: /* the release jobs */
            domain_run_jobs();
            released = true;
            break;
        case K_RUN: /* it enters and leaves (a pending answer applied) */
            if (running)
                vcpu_run(v);
            break;
        case K_MEMOP:
            write_memory_op(v, d, &in);
            if (running)
                call(v, EC_HVC64, XEN_HYPERCALL_TAG);
            break;
        case K_GNT: { /* grant_table_op, continued as the guest would */
            uint64_t cmd, uop, n = write_gnttab_op(v, d, &in, &cmd, &uop);
            touches_pair = true;
            if (!running)
                break;
            uint64_t pc = v->arch.regs.pc;
            xen_call(v, __HYPERVISOR_grant_table_op, cmd, uop, n);
            for (unsigned parts = 0; v->arch.regs.pc == pc - 4 && parts < 8; parts++) {
                CHECK(v->arch.regs.x[0] == cmd);
                v->arch.regs.pc = pc;
                xen_call(v, __HYPERVISOR_grant_table_op, cmd, v->arch.regs.x[1], v->arch.regs.x[2]);
            }
            break;
        }
        case K_STORE: { /* through its stage 2 at a GFN (grant entries, foreign pages, the ioreq page, the ring) */
            uint64_t gfn = pick_gfn(&in);
            unsigned off = (unsigned)take(&in, 2) % PAGE_SIZE, n = (unsigned)take(&in, 1);
            bool w;
            uint8_t *p = p2m_page_ptr(caller, gfn, &w);
            n = MIN(n, PAGE_SIZE - off);
            for (unsigned i = 0; i < n; i++) {
                uint8_t b = (uint8_t)take(&in, 1);
                if (p && w)
                    p[off + i] = b;
            }
            touches_pair = true;
            break;
        }
        case K_MMIO: { /* a load or store of every width */
            paddr_t ipa = mmio_addr(&in);
            unsigned f = (unsigned)take(&in, 1);
            unsigned width = 1u << (f & 3), reg = (f >> 2) % 31;
            bool write = f >> 7, sse = f >> 6 & 1, sf = f >> 5 & 1;
            uint64_t val = take(&in, 1) & 1 ? take(&in, 8) : 0x5a;
            if (!running)
                break;
            v->arch.regs.x[reg] = val;
            fake_trap(v, fake_esr_dabt(width, write, reg, sse, sf), ipa);
            break;
        }
        case K_ANSWER: { /* the device model answers a slot, or scribbles on the page */
            unsigned s = (unsigned)take(&in, 1) % IOREQ_MAX_SERVERS, i = (unsigned)take(&in, 1) % 2;
            unsigned mode = (unsigned)take(&in, 1);
            uint64_t answer = take(&in, 8);
            struct ioreq *io = slot_of(cl, s, i);
            by_dm = true;
            if (mode % 4 == 3) { /* scribble: anywhere in the page */
                unsigned off = (unsigned)take(&in, 2) % PAGE_SIZE, n = (unsigned)take(&in, 1) % 64;
                uint8_t *p = io ? (uint8_t *)(uintptr_t)cl->ioreq.pages[s] : NULL;
                for (unsigned k = 0; k < n && off + k < PAGE_SIZE; k++) {
                    uint8_t b = (uint8_t)take(&in, 1);
                    if (p)
                        p[off + k] = b;
                }
            } else if (io && mode % 4 != 2) {
                io->data = answer;
                io->flags = mode & 4 ? (uint8_t)(mode >> 3) : IOREQ_FLAGS(STATE_IORESP_READY, 0);
            }
            if (mode % 4 != 1 && caller == dm && lports[s][i] && running) {
                struct evtchn_port_arg snd = { lports[s][i] };
                put_guest(dm, A_EVT, &snd, sizeof(snd));
                xen_call(v, __HYPERVISOR_event_channel_op, EVTCHNOP_send, A_EVT, 0);
            }
            break;
        }
        case K_BIND: { /* bind to the client's slot channel (the device model, or not) */
            unsigned s = (unsigned)take(&in, 1) % IOREQ_MAX_SERVERS, i = (unsigned)take(&in, 1) % 2;
            struct ioreq *io = slot_of(cl, s, i);
            struct evtchn_bind_interdomain b = { .remote_dom = (uint16_t)cl->id, .remote_port = io ? io->vp_eport : 0 };
            if (!running)
                break;
            put_guest(caller, A_EVT, &b, sizeof(b));
            xen_call(v, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, A_EVT, 0);
            const struct evtchn_bind_interdomain *ans = domain_ram_ptr(caller, A_EVT, sizeof(b));
            if (caller == dm && v->arch.regs.x[0] == 0 && ans)
                lports[s][i] = ans->local_port;
            break;
        }
        case K_LIFE: { /* it stops or resets (and is released at once), or time passes */
            unsigned act = (unsigned)take(&in, 1) % 8;
            by_dm = caller == dm;
            if (act % 4 == 0 && caller->state == DOMAIN_RUNNING)
                domain_shutdown(caller, "stopped by the fuzzer");
            else if (act % 4 == 1 && caller->state == DOMAIN_RUNNING)
                domain_reset(caller, "reset by the fuzzer");
            else if (act == 3) /* the hypervisor runs out of memory in the next step */
                fail_next = 1 + (unsigned)take(&in, 1) % 16;
            else if (act == 2) {
                fake_counter_advance(take(&in, 4));
                for (unsigned c = 0; c < 2; c++) {
                    fake_set_cpu(c);
                    fake_timer_fire(c);
                }
            }
            if (act == 4 || act == 5) {
                fake_set_cpu(0);
                domain_run_jobs();
                released = true;
            }
            break;
        }
        case K_CONS: { /* the PV console: where it is, its ring's indices, a signal, input, CONSOLEIO */
            unsigned sub = (unsigned)take(&in, 1) % 5;
            if (sub == 1) { /* hostile indices and output, through its mapping of the ring */
                bool w;
                struct xencons_interface *r = p2m_page_ptr(caller, MAGIC_GFN, &w);
                uint32_t idx[4];
                for (unsigned k = 0; k < 4; k++) {
                    unsigned t = (unsigned)take(&in, 1);
                    idx[k] = t < 0xf0 ? t * 16 : (uint32_t)take(&in, 4);
                }
                if (r && w) {
                    r->in_cons = idx[0];
                    r->in_prod = idx[1];
                    r->out_cons = idx[2];
                    r->out_prod = idx[3];
                    for (unsigned k = 0; k < 8; k++)
                        r->out[(idx[3] - 1 - k) % sizeof(r->out)] = (char)('a' + k);
                }
            } else if (sub == 3) { /* console input */
                unsigned n = (unsigned)take(&in, 1) % 64;
                for (unsigned k = 0; k < n; k++) {
                    pvconsole_receive(caller, (char)('0' + k % 10));
                    dm_console_receive(caller, (char)('a' + k % 26));
                }
            } else if (running) {
                if (sub == 0) {
                    struct xen_hvm_param p = { .domid = self_or(&in, d) };
                    p.index = take(&in, 1) & 1 ? HVM_PARAM_CONSOLE_EVTCHN : HVM_PARAM_CONSOLE_PFN;
                    put_guest(caller, A_CONS, &p, sizeof(p));
                    xen_call(v, __HYPERVISOR_hvm_op, HVMOP_get_param, A_CONS, 0);
                    struct xen_hvm_param *ans = domain_ram_ptr(caller, A_CONS, sizeof(p));
                    if (v->arch.regs.x[0] == 0 && ans && p.index == HVM_PARAM_CONSOLE_EVTCHN)
                        cons_port[(who & 3) % ND] = (unsigned)ans->value;
                } else if (sub == 2) {
                    struct evtchn_port_arg snd = { cons_port[(who & 3) % ND] };
                    put_guest(caller, A_EVT, &snd, sizeof(snd));
                    xen_call(v, __HYPERVISOR_event_channel_op, EVTCHNOP_send, A_EVT, 0);
                } else {
                    uint64_t n = count(&in, 4096);
                    xen_call(v, __HYPERVISOR_console_io, CONSOLEIO_write, n, array_ptr(&in, A_CONS));
                }
            }
            break;
        }
        }
        fake_set_cpu(0);
        if (failing)
            fake_mem_fail_at(0);
        if (trace)
            fprintf(stderr, "step %u: kind %u by %s vCPU %u (%s, %zu bytes left): x0 %#llx\n", steps, kind,
                    caller->name, v->id, running ? "ran" : "not running", in.n, (unsigned long long)v->arch.regs.x[0]);
        if (trace && (kind == K_MEMOP || kind == K_GNT)) {
            const int32_t *errs = domain_ram_ptr(caller, A_ERRS, 4), *last = domain_ram_ptr(caller, A_FILL_ERRS, 2048);
            const int16_t *st = domain_ram_ptr(caller, A_GNT + 18, 2);
            fprintf(stderr, "  errs[0] %d (a whole batch's: %d %d), first map status %d\n", errs ? *errs : 0,
                    last ? last[0] : 0, last ? last[511] : 0, st ? *st : 0);
        }
        CHECK(keeper->state == DOMAIN_RUNNING);
        CHECK(fake_locks_held == 0);
        if (caller != cl && cl_was_off && cl->vcpus[0].state != VCPU_OFF && held)
            starts++;
        if (cl_life != (cl->nr_banks ? cl->banks[0].pa : 0) || cl->state != DOMAIN_RUNNING)
            starts = caller != cl && cl_was_off && cl->vcpus[0].state != VCPU_OFF && held; /* a new life */
        CHECK(starts <= 1 || !held);
        check_p2m();
        check_ioreq(dm, cl);
        CHECK(g->p2m_lent == 0 && keeper->p2m_lent == 0);
        /* the device model stopped (however: its own abort too): its client disconnected */
        by_dm |= before[0].state == DOMAIN_RUNNING && dm->state != DOMAIN_RUNNING;
        for (unsigned i = 0; i < ND; i++) {
            snap(d[i], &now, d[i] != caller);
            CHECK(reachable(before[i].state, now.state));
            if (d[i] == caller || released)
                continue;
            /* another domain's step: the documented effects only */
            bool linked = pair(d[i], caller);
            if (d[i] == cl && by_dm) {
                /* servers may change, a held client may start (vCPU 0
                 * only) or, its device model gone before, stop; its
                 * waiting accesses are answered; events land */
                CHECK(!now.has_ram || !before[i].has_ram || same_but_events(&before[i], &now) || touches_pair);
                CHECK(now.shared_info == before[i].shared_info);
                continue;
            }
            CHECK(now.state == before[i].state);
            CHECK(now.shared_info == before[i].shared_info);
            CHECK(now.has_ram == before[i].has_ram);
            CHECK(!now.has_ram || !memcmp(now.ram, before[i].ram, RAM_SIZE) ||
                  (linked && (touches_pair || before[i].lends || same_but_events(&before[i], &now))));
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

/* ---- the seeds ---- */

struct out {
    uint8_t b[4096];
    size_t n;
};

static void put(struct out *o, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes && o->n < sizeof(o->b); i++)
        o->b[o->n++] = (uint8_t)(v >> 8 * i);
}

static void put_bytes(struct out *o, const char *s)
{
    while (*s)
        put(o, (uint8_t)*s++, 1);
}

static void step(struct out *o, unsigned kind, unsigned who, unsigned vcpu)
{
    put(o, kind, 1), put(o, who | vcpu << 2, 1);
}

enum { DM, CL, G };

/* The device model sets its client up as a Linux device model does:
 * shared_info, a server, its ECAM and BAR ranges, enabled; the ioreq page
 * acquired; both slots' channels bound. */
static void dm_setup(struct out *o)
{
    step(o, K_EVTCHN, DM, 0), put(o, 14, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1); /* shared_info */
    step(o, K_EVTCHN, CL, 0), put(o, 14, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1);
    step(o, K_DMOP, DM, 0), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1);
    /* map ECAM (memory, start ECAM + 0, length 0xffff) */
    step(o, K_DMOP, DM, 0), put(o, 2, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 2), put(o, 0x7f, 1);
    put(o, 1, 1), put(o, 0, 1), put(o, 1, 1);
    /* the memory window */
    step(o, K_DMOP, DM, 0), put(o, 2, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1), put(o, 0, 2), put(o, 0x7f, 1);
    put(o, 1, 1), put(o, 0, 1), put(o, 1, 1);
    /* enable */
    step(o, K_DMOP, DM, 0), put(o, 4, 1), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1);
    /* acquire the ioreq page at FREE_GFN + 1 (frame 1, nr 1) */
    step(o, K_MEMOP, DM, 0), put(o, 5, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1);
    put(o, 1, 1), put(o, 0, 1), put(o, 6, 1);
    step(o, K_BIND, DM, 0), put(o, 0, 1), put(o, 0, 1);
    step(o, K_BIND, DM, 0), put(o, 0, 1), put(o, 1, 1);
}

/* The client reads and writes ECAM and the window; the device model
 * answers one, scribbles on the other, then stops. */
static void traffic(struct out *o)
{
    step(o, K_MMIO, CL, 0), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 2 | 5 << 2, 1), put(o, 0, 1);
    step(o, K_ANSWER, DM, 0), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0x1234abcd, 8);
    step(o, K_RUN, CL, 0);
    /* vCPU 1 on (PSCI CPU_ON at RAM) */
    step(o, K_PSCI, CL, 0), put(o, 2, 1), put(o, 0, 1), put(o, 1, 1), put(o, 0, 2), put(o, 0, 8), put(o, 0, 1);
    step(o, K_MMIO, CL, 1), put(o, 1, 1), put(o, 0, 1), put(o, 4, 1), put(o, 3 | 6 << 2 | 0x80, 1), put(o, 0, 1);
    step(o, K_ANSWER, DM, 0), put(o, 0, 1), put(o, 1, 1), put(o, 3, 1), put(o, 0, 8), put(o, 32, 2), put(o, 32, 1);
    for (unsigned i = 0; i < 32; i++)
        put(o, 0xa5 ^ i, 1);
    step(o, K_MMIO, CL, 1), put(o, 0, 1), put(o, 0, 1), put(o, 8, 1), put(o, 1 | 7 << 2, 1), put(o, 0, 1);
    step(o, K_MMIO, CL, 0), put(o, 3, 1), put(o, 0, 1), put(o, 1, 1), put(o, 2 | 4 << 2, 1), put(o, 0, 1);
    /* the memory window unmapped (the range mapped last), then the server destroyed */
    step(o, K_DMOP, DM, 0), put(o, 3, 1), put(o, 0, 1), put(o, 0x40, 1), put(o, 0, 1), put(o, 0, 2), put(o, 0, 1);
    put(o, 1, 1), put(o, 0, 1), put(o, 1, 1);
    step(o, K_DMOP, DM, 0), put(o, 5, 1), put(o, 0, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1); /* destroy */
}

/* A foreign mapping of the client's page, a store through it, the
 * client's reset while it is mapped, the release, the unmap. */
static void foreign(struct out *o)
{
    /* batch: self, gmfn_foreign, size 1, foreign cl, default arrays; idx RAM_GFN+1 at FREE_GFN */
    step(o, K_MEMOP, DM, 0), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1);
    put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1), put(o, 5, 1);
    step(o, K_STORE, DM, 0), put(o, 5, 1), put(o, 0x80, 2), put(o, 4, 1), put_bytes(o, "XAMX");
    step(o, K_LIFE, CL, 0), put(o, 1, 1);
    step(o, K_JOBS, DM, 0);
    step(o, K_STORE, DM, 0), put(o, 5, 1), put(o, 0x80, 2), put(o, 4, 1), put_bytes(o, "AGIN");
    step(o, K_MEMOP, DM, 0), put(o, 2, 1), put(o, 1, 1), put(o, 5, 1);
    /* the balloon: out and back in */
    step(o, K_MEMOP, DM, 0), put(o, 3, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 3, 1);
    step(o, K_MEMOP, DM, 0), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1);
    put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1), put(o, 3, 1);
    /* the client's page goes from the hole, the device model's own page comes back */
    step(o, K_MEMOP, DM, 0), put(o, 2, 1), put(o, 1, 1), put(o, 3, 1);
    step(o, K_MEMOP, DM, 0), put(o, 4, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 3, 1);
    /* 7 full batches of 512 (count 4: limit - 1 = 511; 5: 512): the table of extra mappings fills up */
    for (unsigned i = 0; i < 7; i++) {
        step(o, K_MEMOP, DM, 0), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 5, 1), put(o, 1, 1);
        put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0xf8 + i, 1);
        for (unsigned k = 0; k < 4; k++)
            put(o, 6, 1), put(o, 6, 1);
    }
    /* a few go from the full table (its probe runs moved back) */
    static const uint16_t gone[] = { 8, 9, 520, 1000, 2000, 3000, 8 + 512 * 6 - 1 };
    for (unsigned i = 0; i < ARRAY_SIZE(gone); i++)
        step(o, K_MEMOP, DM, 0), put(o, 2, 1), put(o, 1, 1), put(o, NR_GFNS + 2, 1), put(o, gone[i], 2);
    step(o, K_LIFE, CL, 0), put(o, 0, 1); /* the client stops with 3000 pages lent */
    step(o, K_JOBS, CL, 0);
    step(o, K_MEMOP, DM, 0), put(o, 4, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 3, 1);
}

/* The client maps its grant table at GNT_GFN, grants page 2 to its
 * device model; the device model maps it, copies into it, unmaps. */
static void grants(struct out *o)
{
    /* the first time, the hypervisor is out of memory */
    step(o, K_LIFE, CL, 0), put(o, 3, 1), put(o, 0, 1);
    step(o, K_MEMOP, CL, 0), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 10, 1);
    step(o, K_MEMOP, CL, 0), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 10, 1);
    /* entry 8: permit_access to dm (id 2: keeper 1, dm 2), frame RAM_GFN + 2 */
    step(o, K_STORE, CL, 0), put(o, 10, 1), put(o, 64, 2), put(o, 8, 1);
    put(o, GTF_permit_access, 2), put(o, 2, 2), put(o, RAM_GFN + 2, 4);
    step(o, K_GNT, DM, 0), put(o, 2, 1), put(o, 1, 1), put(o, 0, 1), put(o, 7, 1), put(o, 0, 1), put(o, 0, 1);
    put(o, 0, 1), put(o, 8, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1);
    step(o, K_STORE, DM, 0), put(o, 7, 1), put(o, 0, 2), put(o, 4, 1), put_bytes(o, "GRNT");
    /* copy from dm's RAM page 3 into the grant: flags dest_gref */
    step(o, K_GNT, DM, 0), put(o, 4, 1), put(o, 1, 1), put(o, 0, 1), put(o, 2, 1), put(o, 3, 1), put(o, 1, 1);
    put(o, 0, 1), put(o, 8, 1), put(o, 1, 1), put(o, 4, 1), put(o, 64, 1), put(o, 0, 1), put(o, 0, 1);
    step(o, K_GNT, DM, 0), put(o, 3, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 7, 1), put(o, 0, 1);
    put(o, 0, 1);
    step(o, K_GNT, CL, 0), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 0, 1), put(o, 0, 1);
}

/* The PV console: where, its port, hostile indices, a signal, input. */
static void console(struct out *o, unsigned who)
{
    step(o, K_CONS, who, 0), put(o, 0, 1), put(o, 1, 1), put(o, 0, 1);
    step(o, K_CONS, who, 0), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1);
    step(o, K_CONS, who, 0), put(o, 1, 1), put(o, 0xff, 1), put(o, 0x7ffffff0, 4), put(o, 0, 1), put(o, 0xff, 1);
    put(o, 0xfffffff0, 4), put(o, 0xff, 1), put(o, 0x80000010, 4);
    step(o, K_CONS, who, 0), put(o, 2, 1);
    step(o, K_CONS, who, 0), put(o, 3, 1), put(o, 40, 1);
    step(o, K_CONS, who, 0), put(o, 4, 1), put(o, 5, 1), put(o, 0, 1);
}

/* The device model maps a page of each of the client's lives while the
 * client resets 40 times (more lives than the hypervisor's record of
 * retired banks once held): each bank is freed when its mapping goes. */
static void lives(struct out *o)
{
    for (unsigned i = 0; i < 40; i++) {
        step(o, K_MEMOP, DM, 0), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1), put(o, 1, 1), put(o, 1, 1), put(o, 0, 1);
        put(o, 0, 1), put(o, 0, 1), put(o, 0, 1), put(o, 1, 1), put(o, NR_GFNS + 2, 1), put(o, 0x100 + i, 2);
        step(o, K_LIFE, CL, 0), put(o, 5, 1); /* reset and rebuilt */
    }
}

/* The client's virtio-console through its device model: output handed
 * over, input typed and taken. */
static void dm_console(struct out *o)
{
    step(o, K_MEM, DM, 0), put(o, 0x2000, 2), put(o, 6, 1), put_bytes(o, "hello\n");
    step(o, K_DMOP, DM, 0), put(o, 8, 1), put(o, 0, 1), put(o, 9, 1), put(o, 6, 4), put(o, 0, 1), put(o, 7, 1);
    put(o, 64, 2), put(o, 1, 1), put(o, 0, 1), put(o, 0x11, 1);
    step(o, K_CONS, CL, 0), put(o, 3, 1), put(o, 10, 1);
    step(o, K_DMOP, DM, 0), put(o, 9, 1), put(o, 0, 1), put(o, 9, 1), put(o, 16, 4), put(o, 0, 1), put(o, 7, 1);
    put(o, 64, 2), put(o, 1, 1), put(o, 0, 1), put(o, 0x11, 1);
}

static void write_seed(const char *dir, const char *name, const struct out *o)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(o->b, 1, o->n, f) != o->n || fclose(f)) {
        perror(path);
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    trace = getenv("XAM_HYPERCALL_TRACE") != NULL;
    const char *dir = getenv("XAM_HYPERCALL_SEEDS");
    if (!dir)
        return 0;
    struct out o = { .n = 0 };
    put(&o, 1, 1), dm_setup(&o), traffic(&o);
    write_seed(dir, "dm-held", &o);
    o.n = 0;
    put(&o, 0, 1), dm_setup(&o), foreign(&o);
    write_seed(dir, "dm-foreign", &o);
    o.n = 0;
    put(&o, 0, 1), dm_setup(&o), grants(&o), traffic(&o);
    write_seed(dir, "dm-grants", &o);
    o.n = 0;
    put(&o, 0, 1), console(&o, CL), console(&o, G);
    write_seed(dir, "console", &o);
    o.n = 0;
    put(&o, 0, 1), lives(&o);
    write_seed(dir, "lives", &o);
    o.n = 0;
    put(&o, 2, 1), dm_setup(&o), dm_console(&o);
    write_seed(dir, "dm-console", &o);
    exit(0);
}
