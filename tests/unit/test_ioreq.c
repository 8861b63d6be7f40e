/* ioreq forwarding over the fake architecture: a guest's access to its
 * bridge reaches the device model's ioreq page and event channel, the
 * answer completes it; and the ways a device model can fail its guest
 * (never answering, a busy slot, stopping mid-request) are contained.
 * Also the device model's memory_op calls: acquire_resource and foreign
 * mappings, and dm_op's set_irq_level. */
#include "guest_env.h"
#include <xam/evtchn.h>
#include <xam/hypercall.h>
#include <xam/ioreq.h>
#include <xam/p2m.h>
#include <xam/vpci_bridge.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_ioreq.h>
#include <xam/xen_abi_memory.h>

#define ECAM PCI_BRIDGE_DEF_ECAM
#define BUF (ENV_RAM + 0x1000)
#define BUF2 (ENV_RAM + 0x3000)
#define FREE_GFN ((ENV_RAM + MiB(64)) >> PAGE_SHIFT)

static struct domain *dm, *guest;
static uint16_t sid;
static unsigned lport; /* the device model's end of vCPU 0's port */

static int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (int64_t)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, a2, 0);
}

static struct ioreq *slot(unsigned vcpu)
{
    paddr_t pa;
    assert_int_equal(ioreq_page(guest, sid, &pa), 0);
    return &((struct ioreq *)(uintptr_t)pa)[vcpu];
}

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(hypercall_init(), 0);
    env_keeper();
    dm = env_domain("dm", 1, NULL, true);
    guest = env_build("guest", 2, NULL, true);
    guest->device_model = dm;
    guest->has_bridge = true;
    env_default_bridge(&guest->bridge);
    assert_int_equal(vpci_bridge_attach(guest), 0);
    domain_start(guest, ENV_ENTRY, 0, false);
    assert_int_equal(ioreq_create(guest, dm, &sid), 0);
    assert_int_equal(ioreq_map_range(guest, sid, IOREQ_RANGE_MEMORY, ECAM, ECAM + 0x7fff), 0);
    assert_int_equal(ioreq_set_state(guest, sid, true), 0);
    assert_int_not_equal(slot(0)->vp_eport, 0);
    assert_int_not_equal(slot(1)->vp_eport, slot(0)->vp_eport);
    assert_int_equal(evtchn_bind_interdomain(dm, guest->id, slot(0)->vp_eport, &lport), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

/* The device model answers what vCPU 0 asked. */
static void answer(uint64_t data)
{
    struct ioreq *s = slot(0);
    s->data = data;
    s->flags = IOREQ_FLAGS(STATE_IORESP_READY, 0);
    assert_int_equal(evtchn_send(dm, lport), 0);
}

static void read_is_forwarded_and_answered(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    uint64_t pc = v->arch.regs.pc;
    v->arch.regs.x[5] = 0x55;
    fake_trap(v, fake_esr_dabt(2, false, 5, false, false), ECAM + 0x2);
    assert_int_equal(v->state, VCPU_WAITING);
    struct ioreq *s = slot(0);
    assert_int_equal(IOREQ_STATE(s->flags), STATE_IOREQ_READY);
    assert_int_equal((s->flags >> 5) & 1, IOREQ_READ);
    assert_int_equal(s->addr, ECAM + 0x2);
    assert_int_equal(s->size, 2);
    assert_int_equal(s->count, 1);
    assert_int_equal(s->type, IOREQ_TYPE_COPY);
    /* a signal before the answer is ready changes nothing */
    assert_int_equal(evtchn_send(dm, lport), 0);
    assert_int_equal(v->state, VCPU_WAITING);
    answer(0xffff1b36); /* more than the access's width */
    assert_int_equal(v->state, VCPU_RUNNABLE);
    assert_true(vcpu_run(v));
    assert_int_equal(v->arch.regs.x[5], 0x1b36);
    assert_int_equal(v->arch.regs.pc, pc + 4);
    assert_int_equal(IOREQ_STATE(s->flags), STATE_IOREQ_NONE);
    /* a late second answer finds nothing waiting */
    answer(1);
    assert_int_equal(v->state, VCPU_RUNNABLE);
}

static void write_is_forwarded(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    v->arch.regs.x[3] = 0xdeadbeefcafe;
    fake_trap(v, fake_esr_dabt(4, true, 3, false, false), ECAM + 0x10);
    assert_int_equal(v->state, VCPU_WAITING);
    assert_int_equal(slot(0)->data, 0xbeefcafe);
    assert_int_equal((slot(0)->flags >> 5) & 1, IOREQ_WRITE);
    answer(0);
    assert_true(vcpu_run(v));
    assert_int_equal(v->arch.regs.x[3], 0xdeadbeefcafe);
}

/* What no server claims reads as an empty bus at once: another part of
 * ECAM, the windows; and ECAM's widths are PCI's. */
static void unclaimed_is_an_empty_bus(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    fake_trap(v, fake_esr_dabt(4, false, 4, false, false), ECAM + 0x8000);
    assert_int_equal(v->state, VCPU_RUNNABLE);
    assert_int_equal(v->arch.regs.x[4], 0xffffffff);
    fake_trap(v, fake_esr_dabt(8, false, 4, false, true), PCI_BRIDGE_DEF_PREF + 0x100);
    assert_int_equal(v->arch.regs.x[4], ~0ULL);
    assert_int_equal(IOREQ_STATE(slot(0)->flags), STATE_IOREQ_NONE);
    unsigned refusals = guest->refusals;
    fake_trap(v, fake_esr_dabt(8, false, 4, false, true), ECAM);
    assert_int_equal(guest->refusals, refusals + 1); /* an abort, not a request */
    assert_int_equal(IOREQ_STATE(slot(0)->flags), STATE_IOREQ_NONE);
}

/* A device model claiming by PCI function gets configuration requests. */
static void pci_ranges_get_config_requests(void **state)
{
    (void)state;
    assert_int_equal(ioreq_map_range(guest, sid, IOREQ_RANGE_PCI, 0x08, 0x0f), 0); /* device 1 */
    struct vcpu *v = &guest->vcpus[0];
    fake_trap(v, fake_esr_dabt(4, false, 4, false, false), ECAM + 0x8000 + 0x3c);
    assert_int_equal(v->state, VCPU_WAITING);
    assert_int_equal(slot(0)->type, IOREQ_TYPE_PCI_CONFIG);
    assert_int_equal(slot(0)->addr, 0x08ULL << 32 | 0x3c);
    answer(0x100);
    assert_true(vcpu_run(v));
    assert_int_equal(v->arch.regs.x[4], 0x100);
}

/* The device model left the slot busy: the access is answered all-ones
 * at once (with a warning), not queued behind nothing. */
static void busy_slot_is_contained(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    slot(0)->flags = IOREQ_FLAGS(STATE_IOREQ_INPROCESS, 0);
    fake_trap(v, fake_esr_dabt(4, false, 4, false, false), ECAM);
    assert_int_equal(v->state, VCPU_RUNNABLE);
    assert_int_equal(v->arch.regs.x[4], 0xffffffff);
    assert_non_null(fake_log_find("left its ioreq slot busy"));
}

/* It never answers: only the asking vCPU waits; the other runs on. When
 * the device model stops, the waiting access completes with all-ones and
 * the guest loses its connection. */
static void device_model_stops_mid_request(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    fake_trap(v, fake_esr_dabt(4, false, 6, false, false), ECAM + 0x4);
    assert_int_equal(v->state, VCPU_WAITING);
    assert_int_equal(guest->state, DOMAIN_RUNNING);
    domain_shutdown(dm, "stopped by the test");
    assert_int_equal(v->state, VCPU_RUNNABLE);
    assert_true(vcpu_run(v));
    assert_int_equal(v->arch.regs.x[6], 0xffffffff);
    assert_false(ioreq_connected(guest));
    assert_non_null(fake_log_find("its device model dm stopped: bridge disconnected"));
    /* and later accesses are an empty bus */
    fake_trap(v, fake_esr_dabt(4, false, 6, false, false), ECAM + 0x4);
    assert_int_equal(v->state, VCPU_RUNNABLE);
}

/* The guest resets: its servers go; the device model must make new ones. */
static void guest_reset_drops_servers(void **state)
{
    (void)state;
    struct vcpu *v = &guest->vcpus[0];
    fake_trap(v, fake_esr_dabt(4, false, 6, false, false), ECAM + 0x4);
    assert_int_equal(v->state, VCPU_WAITING);
    domain_shutdown(guest, "stopped by the test");
    assert_false(ioreq_connected(guest));
    assert_false(guest->ioreq.servers[0].used);
    paddr_t pa;
    assert_int_equal(ioreq_page(guest, sid, &pa), -XAM_ESRCH);
    /* its device model stopping later is nothing to the stopped guest */
    domain_shutdown(dm, "stopped by the test");
    assert_null(fake_log_find("bridge disconnected"));
}

/* acquire_resource from the device model: the ioreq page at its GFN; from
 * anyone else: refused. */
static void acquire_resource_maps_the_page(void **state)
{
    (void)state;
    struct vcpu *d0 = &dm->vcpus[0];
    struct xen_mem_acquire_resource *r = env_guest(dm, BUF, sizeof(*r));
    *r = (struct xen_mem_acquire_resource){ .domid = (uint16_t)guest->id, .type = XENMEM_resource_ioreq_server };
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), 0);
    assert_int_equal(r->nr_frames, 2);
    uint64_t *list = env_guest(dm, BUF2, 8);
    *list = FREE_GFN;
    *r = (struct xen_mem_acquire_resource){ .domid = (uint16_t)guest->id,
                                            .type = XENMEM_resource_ioreq_server,
                                            .id = sid,
                                            .nr_frames = 1,
                                            .frame = 1,
                                            .frame_list = BUF2 };
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), 0);
    bool w;
    assert_ptr_equal(p2m_page_ptr(dm, FREE_GFN, &w), slot(0));
    assert_true(w);
    /* the buffered page does not exist; neither does server 1 */
    r->frame = 0;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), -XAM_EINVAL);
    r->frame = 1;
    r->id = 1;
    *list = FREE_GFN + 1;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), -XAM_ENOENT);
    /* not its guest: the keeper's, its own */
    r->id = sid;
    r->domid = (uint16_t)domains[0]->id;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), -XAM_EPERM);
    r->domid = (uint16_t)dm->id;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), -XAM_EPERM);
    /* the guest asking for its own page */
    struct xen_mem_acquire_resource *g = env_guest(guest, BUF, sizeof(*g));
    *g = *r;
    g->domid = (uint16_t)guest->id;
    *(uint64_t *)env_guest(guest, BUF2, 8) = FREE_GFN;
    assert_int_equal(hcall(&guest->vcpus[0], __HYPERVISOR_memory_op, XENMEM_acquire_resource, BUF, 0), -XAM_EPERM);
}

/* Foreign mappings, batch by batch, each entry with its own answer. */
static void foreign_batch(void **state)
{
    (void)state;
    struct vcpu *d0 = &dm->vcpus[0];
    uint64_t *idxs = env_guest(dm, BUF2, 24), *gpfns = env_guest(dm, BUF2 + 0x100, 24);
    int32_t *errs = env_guest(dm, BUF2 + 0x200, 12);
    idxs[0] = ENV_RAM >> PAGE_SHIFT; /* its RAM */
    idxs[1] = 0x1000; /* not its RAM */
    idxs[2] = (ENV_RAM >> PAGE_SHIFT) + 1;
    gpfns[0] = FREE_GFN;
    gpfns[1] = FREE_GFN + 1;
    gpfns[2] = ENV_RAM >> PAGE_SHIFT; /* over the device model's own RAM */
    struct xen_add_to_physmap_batch *b = env_guest(dm, BUF, sizeof(*b));
    *b = (struct xen_add_to_physmap_batch){ .domid = DOMID_SELF,
                                            .space = XENMAPSPACE_gmfn_foreign,
                                            .size = 3,
                                            .foreign_domid = (uint16_t)guest->id,
                                            .idxs = BUF2,
                                            .gpfns = BUF2 + 0x100,
                                            .errs = BUF2 + 0x200 };
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap_batch, BUF, 0), 0);
    assert_int_equal(errs[0], 0);
    assert_int_equal(errs[1], -XAM_EINVAL);
    assert_int_equal(errs[2], -XAM_EEXIST);
    bool w;
    assert_ptr_equal(p2m_page_ptr(dm, FREE_GFN, &w), env_guest(guest, ENV_RAM, PAGE_SIZE));
    /* a domain it does not serve; a guest mapping its device model */
    b->foreign_domid = (uint16_t)domains[0]->id;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap_batch, BUF, 0), -XAM_EPERM);
    struct xen_add_to_physmap_batch *gb = env_guest(guest, BUF, sizeof(*gb));
    *gb = *b;
    gb->foreign_domid = (uint16_t)dm->id;
    assert_int_equal(hcall(&guest->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap_batch, BUF, 0), -XAM_EPERM);
    /* the balloon and removal */
    struct xen_remove_from_physmap *rm = env_guest(dm, BUF, sizeof(*rm));
    *rm = (struct xen_remove_from_physmap){ .domid = DOMID_SELF, .gpfn = FREE_GFN };
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_remove_from_physmap, BUF, 0), 0);
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_remove_from_physmap, BUF, 0), -XAM_ENOENT);
    assert_int_equal(guest->p2m_lent, 0);
    uint64_t *ext = env_guest(dm, BUF2, 16);
    ext[0] = (ENV_RAM >> PAGE_SHIFT) + 0x40;
    ext[1] = FREE_GFN; /* not its RAM: stops there */
    struct xen_memory_reservation *res = env_guest(dm, BUF, sizeof(*res));
    *res = (struct xen_memory_reservation){ .extent_start = BUF2, .nr_extents = 2, .domid = DOMID_SELF };
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, BUF, 0), 1);
    assert_null(p2m_page_ptr(dm, ext[0], &w));
    res->nr_extents = 1;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_populate_physmap, BUF, 0), 1);
    assert_non_null(p2m_page_ptr(dm, ext[0], &w));
    res->extent_order = 9;
    assert_int_equal(hcall(d0, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, BUF, 0), -XAM_EINVAL);
}

/* set_irq_level: the bridge's INTx lines only, as levels. */
static void irq_levels(void **state)
{
    (void)state;
    struct vcpu *d0 = &dm->vcpus[0];
    struct xen_dm_op *o = env_guest(dm, BUF2, sizeof(*o));
    struct xen_dm_op_buf *b = env_guest(dm, BUF, sizeof(*b));
    *b = (struct xen_dm_op_buf){ BUF2, sizeof(*o) };
    *o = (struct xen_dm_op){ .op = XEN_DMOP_set_irq_level };
    o->u.set_irq_level.irq = PCI_BRIDGE_DEF_IRQ + 1;
    o->u.set_irq_level.level = 1;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), 0);
    assert_true(fake_intc(guest)->level >> (PCI_BRIDGE_DEF_IRQ + 1 - 32) & 1);
    o->u.set_irq_level.level = 0;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), 0);
    assert_false(fake_intc(guest)->level >> (PCI_BRIDGE_DEF_IRQ + 1 - 32) & 1);
    static const uint32_t bad[] = { 32, PCI_BRIDGE_DEF_IRQ - 1, PCI_BRIDGE_DEF_IRQ + PCI_BRIDGE_DEF_IRQ_COUNT, 27,
                                    ~0u };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        o->u.set_irq_level.irq = bad[i];
        assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), -XAM_EINVAL);
    }
    o->u.set_irq_level.irq = PCI_BRIDGE_DEF_IRQ;
    o->u.set_irq_level.level = 2;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), -XAM_EINVAL);
    *o = (struct xen_dm_op){ .op = XEN_DMOP_nr_vcpus };
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), 0);
    assert_int_equal(o->u.nr_vcpus.vcpus, 2);
    *o = (struct xen_dm_op){ .op = XEN_DMOP_get_ioreq_server_info };
    o->u.get_ioreq_server_info.id = sid;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), -XAM_EOPNOTSUPP);
    o->u.get_ioreq_server_info.flags = XEN_DMOP_no_gfns;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), 0);
    *o = (struct xen_dm_op){ .op = XEN_DMOP_create_ioreq_server };
    o->u.create_ioreq_server.handle_bufioreq = 1;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, guest->id, 1, BUF), -XAM_EOPNOTSUPP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(read_is_forwarded_and_answered, setup, teardown),
        ENV_TEST(write_is_forwarded, setup, teardown),
        ENV_TEST(unclaimed_is_an_empty_bus, setup, teardown),
        ENV_TEST(pci_ranges_get_config_requests, setup, teardown),
        ENV_TEST(busy_slot_is_contained, setup, teardown),
        ENV_TEST(device_model_stops_mid_request, setup, teardown),
        ENV_TEST(guest_reset_drops_servers, setup, teardown),
        ENV_TEST(acquire_resource_maps_the_page, setup, teardown),
        ENV_TEST(foreign_batch, setup, teardown),
        ENV_TEST(irq_levels, setup, teardown),
    };
    return cmocka_run_group_tests_name("ioreq", tests, NULL, NULL);
}
