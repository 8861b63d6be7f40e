/* The Xen PV console the hypervisor serves (core/pvconsole.c) over the
 * fake architecture, driven the way Linux's hvc_xen drives it: the two HVM
 * parameters, output put in out[] and signalled with EVTCHNOP_send, input
 * written into in[] and signalled on the guest's port. And what a hostile
 * guest does to its ring: indices out of range, a producer running past
 * the consumer by more than the ring, its own indices scribbled over, a
 * ring never read, floods, its port closed, the page unmapped; none of it
 * reaches past its own console. */
#include "guest_env.h"
#include <xam/evtchn.h>
#include <xam/hypercall.h>
#include <xam/memory.h>
#include <xam/p2m.h>
#include <xam/domain_input.h>
#include <xam/pvconsole.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_evtchn.h>
#include <xam/xen_abi_memory.h>

#define BUF (ENV_RAM + 0x1000)
#define SHARED_INFO (ENV_RAM + 0x4000)
#define RING_GFN (GUEST_MAGIC_BASE >> PAGE_SHIFT)

static struct domain *dom;
static struct vcpu *v0;

static int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (int64_t)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, a2, 0);
}

/* HVMOP_get_param for the caller itself: the value, or the error. */
static int64_t get_param(struct vcpu *v, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param *p = env_guest(v->dom, BUF, sizeof(*p));
    *p = (struct xen_hvm_param){ .domid = DOMID_SELF, .index = index, .value = 0xeeeeeeee };
    int64_t rc = hcall(v, __HYPERVISOR_hvm_op, HVMOP_get_param, BUF, 0);
    *value = p->value;
    return rc;
}

static uint64_t param(uint32_t index)
{
    uint64_t value;
    assert_int_equal(get_param(v0, index, &value), 0);
    return value;
}

static int64_t evtchn_op(uint64_t cmd, unsigned port)
{
    *(struct evtchn_port_arg *)env_guest(dom, BUF, 4) = (struct evtchn_port_arg){ port };
    return hcall(v0, __HYPERVISOR_event_channel_op, cmd, BUF, 0);
}

/* The ring as the guest sees it, where HVM_PARAM_CONSOLE_PFN says. */
static struct xencons_interface *ring(void)
{
    bool writable = false;
    struct xencons_interface *r = p2m_page_ptr(dom, param(HVM_PARAM_CONSOLE_PFN), &writable);
    assert_non_null(r);
    assert_true(writable);
    return r;
}

/* What hvc_xen's __write_console does: bytes at out_prod, then the index,
 * then a signal on its port. */
static void put(struct xencons_interface *r, unsigned port, const char *s)
{
    for (; *s; s++)
        r->out[r->out_prod++ & (sizeof(r->out) - 1)] = *s;
    assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
}

static bool pending(unsigned port)
{
    struct xen_shared_info *si = env_guest(dom, SHARED_INFO, sizeof(*si));
    return si->evtchn_pending[port / 64] >> (port % 64) & 1;
}

/* As the guest's upcall handler leaves things: nothing pending. */
static void clear_pending(unsigned port)
{
    struct xen_shared_info *si = env_guest(dom, SHARED_INFO, sizeof(*si));
    si->evtchn_pending[port / 64] &= ~(1ULL << (port % 64));
    si->vcpu_info[0].evtchn_upcall_pending = 0;
    si->vcpu_info[0].evtchn_pending_sel = 0;
}

/* An enhanced domain as the builder makes it, its shared_info registered. */
static struct domain *enhanced_domain(const char *name)
{
    struct domain *d = env_build(name, 2, NULL, true);
    d->enhanced = true;
    assert_int_equal(pvconsole_attach(d), 0);
    domain_start(d, ENV_ENTRY, 0, false);
    struct xen_add_to_physmap *x = env_guest(d, BUF, sizeof(*x));
    *x = (struct xen_add_to_physmap){ .domid = DOMID_SELF,
                                      .space = XENMAPSPACE_shared_info,
                                      .gpfn = SHARED_INFO >> PAGE_SHIFT };
    assert_int_equal(hcall(&d->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), 0);
    return d;
}

static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    if (!rc)
        rc = pvconsole_attach(d);
    *entry = ENV_ENTRY;
    *x0 = 0;
    return rc;
}

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(hypercall_init(), 0);
    assert_int_equal(pvconsole_init(), 0);
    domain_set_rebuild_hook(rebuild);
    env_keeper();
    dom = enhanced_domain("guest");
    v0 = &dom->vcpus[0];
    fake_log_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

/* ---- what the guest is given ---- */

static void parameters_name_the_ring_and_a_bound_port(void **state)
{
    (void)state;
    assert_int_equal(param(HVM_PARAM_CONSOLE_PFN), RING_GFN);
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    assert_int_not_equal(port, 0);
    /* the same port however often, from any vCPU */
    assert_int_equal(param(HVM_PARAM_CONSOLE_EVTCHN), port);
    uint64_t v;
    assert_int_equal(get_param(&dom->vcpus[1], HVM_PARAM_CONSOLE_EVTCHN, &v), 0);
    assert_int_equal(v, port);
    /* its own port, bound to one the hypervisor consumes */
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    assert_int_equal(evtchn_status(dom, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, dom->id);
    unsigned xen_port = st.u.interdomain.port;
    assert_int_equal(xen_port, dom->pvcons.xen_port);
    /* which it may not use itself */
    assert_int_equal(evtchn_op(EVTCHNOP_send, xen_port), -XAM_EINVAL);
    assert_int_equal(evtchn_op(EVTCHNOP_close, xen_port), -XAM_EINVAL);
    /* the ring: empty, connected, writable */
    struct xencons_interface *r = ring();
    assert_int_equal(r->in_cons | r->in_prod | r->out_cons | r->out_prod, 0);
    assert_int_equal(r->connection, XENCONSOLE_CONNECTED);
    /* a domain without the hypervisor node has none: "not present" */
    struct vcpu *k = &domains[0]->vcpus[0];
    assert_int_equal(get_param(k, HVM_PARAM_CONSOLE_PFN, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(get_param(k, HVM_PARAM_CONSOLE_EVTCHN, &v), 0);
    assert_int_equal(v, 0);
    assert_false(pvconsole_receive(domains[0], 'x'));
    /* the xenstore's stay 0 */
    assert_int_equal(param(HVM_PARAM_STORE_PFN), 0);
    assert_int_equal(param(HVM_PARAM_STORE_EVTCHN), 0);
}

/* ---- output ---- */

static void output_becomes_console_lines(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    put(r, port, "hello\nwor");
    assert_int_equal(fake_log_lines(), 1);
    assert_string_equal(fake_log_line(0), "(guest) hello");
    assert_int_equal(r->out_cons, 9); /* all read: room again */
    put(r, port, "ld\033[2J\n");
    assert_string_equal(fake_log_line(1), "(guest) world\\x1b[2J");
    /* across the end of the ring and the wrap of the 32-bit indices */
    fake_log_clear();
    dom->pvcons.out_cons = r->out_cons = r->out_prod = 0xfffffff0u;
    char line[1500];
    memset(line, 'a', sizeof(line) - 2);
    line[sizeof(line) - 2] = '\n';
    line[sizeof(line) - 1] = '\0';
    for (unsigned i = 0; i < 3; i++)
        put(r, port, line);
    assert_int_equal(r->out_cons, r->out_prod);
    assert_int_equal(r->out_prod, 0xfffffff0u + 3 * 1499);
    unsigned chars = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++) {
        assert_memory_equal(fake_log_line(i), "(guest) aaa", 11);
        chars += (unsigned)fake_log_guest_text(i);
    }
    assert_int_equal(chars, 3 * 1498);
}

static void output_left_unsignalled_is_printed_at_stop(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    memcpy(r->out, "last words", 10);
    r->out_prod = 10;
    assert_null(fake_log_find("last words"));
    domain_shutdown(dom, "stopped by the test");
    domain_run_jobs();
    assert_non_null(fake_log_find("(guest) last words"));
}

/* Two consoles written at once (the kernel's printk through console_io,
 * a program's echo on hvc0's ring) keep each its own line: neither cuts
 * the other's, and both are printed whole at the stop. */
static void consoles_keep_their_own_lines(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    put(r, port, "ring: half");
    memcpy(env_guest(dom, BUF, 16), "io line\nio tail", 15);
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 15, BUF), 15);
    assert_int_equal(fake_log_lines(), 1);
    assert_string_equal(fake_log_line(0), "(guest) io line");
    put(r, port, " and the rest\n");
    assert_string_equal(fake_log_line(1), "(guest) ring: half and the rest");
    domain_console_write(dom, CONSOLE_VIRTIO, "virtio tail", 11);
    assert_int_equal(fake_log_lines(), 2);
    domain_shutdown(dom, "stopped by the test");
    domain_run_jobs();
    assert_non_null(fake_log_find("(guest) io tail"));
    assert_non_null(fake_log_find("(guest) virtio tail"));
}

static void output_indices_out_of_range(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    put(r, port, "ok\n");
    /* a producer 2049 bytes past the consumer (the ring holds 2048), then
     * one half the index space away: nothing printed, the ring starts
     * again from out_prod, one warning */
    static const uint32_t past[] = { 2049, 0x80000000u, 0xffffffffu };
    for (unsigned i = 0; i < ARRAY_SIZE(past); i++) {
        fake_log_clear();
        memset(r->out, 'X', sizeof(r->out));
        r->out_prod = r->out_cons + past[i];
        assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
        assert_null(fake_log_find("XXX"));
        assert_int_equal(r->out_cons, r->out_prod);
        assert_int_equal(fake_log_count("PV console: out_prod"), i == 0);
    }
    /* exactly full is allowed: 2048 bytes, printed once */
    fake_log_clear();
    memset(r->out, 'b', sizeof(r->out));
    r->out_prod += 2048;
    assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
    unsigned chars = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++)
        chars += (unsigned)fake_log_guest_text(i);
    put(r, port, "\n");
    chars += (unsigned)fake_log_guest_text(fake_log_lines() - 1);
    assert_int_equal(chars, 2048);
    /* the guest writing our index changes nothing we read: out_cons is
     * ours, and is written back */
    fake_log_clear();
    r->out_cons = r->out_prod + 100;
    put(r, port, "still fine\n");
    assert_string_equal(fake_log_line(0), "(guest) still fine");
    assert_int_equal(r->out_cons, r->out_prod);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

static void output_flood_is_bounded_per_signal(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    memset(r->out, 'f', sizeof(r->out));
    /* a guest claiming a full ring again and again: each signal prints the
     * ring once, no more, and the hypervisor's index never runs ahead */
    for (unsigned i = 0; i < 200; i++) {
        fake_log_clear();
        r->out_prod += 2048;
        assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
        assert_true(fake_log_lines() <= 2048 / 160 + 1);
        assert_int_equal(r->out_cons, r->out_prod);
    }
    /* signals with nothing new print nothing */
    fake_log_clear();
    for (unsigned i = 0; i < 1000; i++)
        assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
    assert_int_equal(fake_log_lines(), 0);
}

/* ---- input ---- */

static void input_goes_into_the_ring_and_signals(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    clear_pending(port);
    unsigned injects = fake_intc(dom)->injects;
    assert_true(pvconsole_receive(dom, 'h'));
    assert_true(pvconsole_receive(dom, 'i'));
    assert_int_equal(r->in_prod, 2);
    assert_memory_equal(r->in, "hi", 2);
    assert_true(pending(port));
    assert_true(fake_intc(dom)->injects > injects);
    /* the guest consumes; a character past the end wraps */
    r->in_cons = 2;
    dom->pvcons.in_prod = r->in_prod = r->in_cons = 1023;
    assert_true(pvconsole_receive(dom, 'x'));
    assert_true(pvconsole_receive(dom, 'y'));
    assert_int_equal(r->in[1023], 'x');
    assert_int_equal(r->in[0], 'y');
    assert_int_equal(r->in_prod, 1025);
    /* the guest writing our index does not move where we write */
    r->in_prod = 7;
    assert_true(pvconsole_receive(dom, 'z'));
    assert_int_equal(r->in_prod, 1026);
    assert_int_equal(r->in[1], 'z');
    /* a port the guest moved to its other vCPU is signalled there */
    struct evtchn_bind_vcpu *b = env_guest(dom, BUF, sizeof(*b));
    *b = (struct evtchn_bind_vcpu){ port, 1 };
    assert_int_equal(hcall(v0, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, BUF, 0), 0);
    clear_pending(port);
    assert_true(pvconsole_receive(dom, '!'));
    assert_true(pending(port));
}

/* A paste of 3 KiB typed for the domain: its 1 KiB ring takes what fits,
 * the rest waits in the domain's input and goes in each time the guest
 * reads and signals its port (what hvc_xen does after reading in[]). */
static void typed_input_waits_for_the_ring(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    enum { PASTE = 3000 };
    for (unsigned i = 0; i < PASTE; i++)
        domain_input_typed(dom, (char)('A' + i % 50));
    assert_int_equal(r->in_prod, 1024);
    assert_int_equal(domain_input_waiting(dom), PASTE - 1024);
    unsigned got = 0;
    for (unsigned round = 0; got < PASTE; round++) {
        assert_true(round < 10);
        /* the guest reads everything there, then signals */
        for (; r->in_cons != r->in_prod; r->in_cons++, got++)
            assert_int_equal(r->in[r->in_cons & 1023], 'A' + got % 50);
        assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
    }
    assert_int_equal(got, PASTE);
    assert_int_equal(domain_input_waiting(dom), 0);
    assert_int_equal(fake_log_count("dropped"), 0);
}

static void input_never_read_is_dropped(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    /* a guest that never consumes: the ring takes 1 KiB, then input is
     * refused (it waits in the domain's input), and nothing blocks */
    for (unsigned i = 0; i < 1024; i++)
        assert_true(pvconsole_receive(dom, (char)('a' + i % 26)));
    for (unsigned i = 0; i < 100000; i++)
        assert_false(pvconsole_receive(dom, 'Z'));
    assert_int_equal(r->in_prod, 1024);
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(r->in[i], 'a' + i % 26);
    /* once it reads some, that much more comes in */
    r->in_cons = 10;
    for (unsigned i = 0; i < 10; i++)
        assert_true(pvconsole_receive(dom, 'n'));
    assert_false(pvconsole_receive(dom, 'n'));
    assert_memory_equal(r->in, "nnnnnnnnnn", 10);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

static void input_indices_out_of_range(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    assert_true(pvconsole_receive(dom, 'a'));
    /* in_cons ahead of what was written, or more than a ring behind it:
     * nothing it consumed can be known, nothing is written, one warning */
    static const uint32_t cons[] = { 2, 0x80000000u, (uint32_t)(1 - 1025) };
    for (unsigned i = 0; i < ARRAY_SIZE(cons); i++) {
        r->in_cons = cons[i];
        memset(r->in, 0, sizeof(r->in));
        assert_false(pvconsole_receive(dom, 'b'));
        for (unsigned j = 0; j < sizeof(r->in); j++)
            assert_int_equal(r->in[j], 0);
        assert_int_equal(r->in_prod, 1);
    }
    assert_int_equal(fake_log_count("PV console: in_cons"), 1);
    /* put right, it works again */
    r->in_cons = 1;
    assert_true(pvconsole_receive(dom, 'c'));
    assert_int_equal(r->in[1], 'c');
}

/* ---- the guest's own moves ---- */

static void a_closed_port_is_bound_again_on_asking(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    assert_int_equal(evtchn_op(EVTCHNOP_close, port), 0);
    /* unbound meanwhile: output waits for a signal, input is kept */
    assert_true(pvconsole_receive(dom, 'k'));
    r->out[0] = 'q';
    r->out[1] = '\n';
    r->out_prod = 2;
    assert_int_equal(evtchn_op(EVTCHNOP_send, port), -XAM_EINVAL);
    unsigned again = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    assert_int_not_equal(again, 0);
    assert_int_equal(evtchn_op(EVTCHNOP_send, again), 0);
    assert_non_null(fake_log_find("(guest) q"));
    clear_pending(again);
    assert_true(pvconsole_receive(dom, 'l'));
    assert_true(pending(again));
    /* EVTCHNOP_reset closes it too (the hypervisor's end stays) */
    struct evtchn_reset *rs = env_guest(dom, BUF, sizeof(*rs));
    rs->dom = DOMID_SELF;
    assert_int_equal(hcall(v0, __HYPERVISOR_event_channel_op, EVTCHNOP_reset, BUF, 0), 0);
    assert_int_not_equal(param(HVM_PARAM_CONSOLE_EVTCHN), 0);
}

static void the_guest_may_unmap_its_ring(void **state)
{
    (void)state;
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    /* mapped when first asked for */
    bool w;
    assert_null(p2m_page_ptr(dom, RING_GFN, &w));
    ring();
    struct xen_remove_from_physmap *x = env_guest(dom, BUF, sizeof(*x));
    *x = (struct xen_remove_from_physmap){ .domid = DOMID_SELF, .gpfn = RING_GFN };
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_remove_from_physmap, BUF, 0), 0);
    assert_null(p2m_page_ptr(dom, RING_GFN, &w));
    /* the hypervisor still serves its own page: nothing breaks */
    assert_true(pvconsole_receive(dom, 'a'));
    assert_int_equal(evtchn_op(EVTCHNOP_send, port), 0);
    /* asked again, the ring is back, as it was */
    assert_int_equal(ring()->in[0], 'a');
    /* something else of its own where the ring goes: no ring then */
    x = env_guest(dom, BUF, sizeof(*x));
    *x = (struct xen_remove_from_physmap){ .domid = DOMID_SELF, .gpfn = RING_GFN };
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_remove_from_physmap, BUF, 0), 0);
    paddr_t other;
    assert_int_equal(memory_alloc(PAGE_SIZE, PAGE_SIZE, &other), 0);
    assert_int_equal(p2m_map_xen_page(dom, RING_GFN, other, true), 0);
    assert_int_equal(param(HVM_PARAM_CONSOLE_PFN), 0);
    assert_ptr_equal(p2m_page_ptr(dom, RING_GFN, &w), (void *)(uintptr_t)other);
    /* its release leaves what is not its page alone */
    domain_shutdown(dom, "stopped by the test");
    domain_run_jobs();
    memory_free(other, PAGE_SIZE);
}

/* ---- its life ---- */

static void stop_and_reset(void **state)
{
    (void)state;
    struct xencons_interface *r = ring();
    unsigned port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    put(r, port, "first life\n");
    assert_true(pvconsole_receive(dom, 'a'));
    domain_reset(dom, "reset by the test");
    /* stopping: served no more */
    assert_false(pvconsole_present(dom));
    assert_false(pvconsole_receive(dom, 'b'));
    domain_run_jobs();
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    /* its next life: a new, empty ring at the same place, a new port */
    assert_true(pvconsole_present(dom));
    r = ring();
    assert_int_equal(r->in_prod | r->out_prod | r->in_cons | r->out_cons, 0);
    assert_int_equal(r->in[0], 0);
    struct xen_add_to_physmap *x = env_guest(dom, BUF, sizeof(*x));
    *x = (struct xen_add_to_physmap){ .domid = DOMID_SELF,
                                      .space = XENMAPSPACE_shared_info,
                                      .gpfn = SHARED_INFO >> PAGE_SHIFT };
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), 0);
    port = (unsigned)param(HVM_PARAM_CONSOLE_EVTCHN);
    assert_int_not_equal(port, 0);
    fake_log_clear();
    put(r, port, "second life\n");
    assert_string_equal(fake_log_line(0), "(guest) second life");
    clear_pending(port);
    assert_true(pvconsole_receive(dom, 'c'));
    assert_true(pending(port));
    /* stopped for good: parameters read 0, input refused */
    domain_shutdown(dom, "stopped by the test");
    assert_false(pvconsole_receive(dom, 'd'));
    domain_run_jobs();
    assert_false(pvconsole_present(dom));
    assert_int_equal(dom->pvcons.page, 0);
    assert_false(pvconsole_receive(dom, 'd'));
}

static void not_before_it_runs(void **state)
{
    (void)state;
    /* built, not started: nothing is written, nothing signalled */
    struct domain *d = env_build("later", 1, NULL, true);
    d->enhanced = true;
    assert_int_equal(pvconsole_attach(d), 0);
    assert_true(pvconsole_present(d));
    assert_false(pvconsole_receive(d, 'x'));
    /* and one abandoned while building lets its page go */
    struct domain *a = env_build("abandoned", 1, NULL, true);
    assert_int_equal(pvconsole_attach(a), 0);
    domain_abandon(a, "build failed");
    assert_false(pvconsole_receive(a, 'x'));
    domain_run_jobs();
    assert_false(pvconsole_present(a));
    assert_false(pvconsole_receive(a, 'x'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(parameters_name_the_ring_and_a_bound_port, setup, teardown),
        ENV_TEST(output_becomes_console_lines, setup, teardown),
        ENV_TEST(output_left_unsignalled_is_printed_at_stop, setup, teardown),
        ENV_TEST(consoles_keep_their_own_lines, setup, teardown),
        ENV_TEST(output_indices_out_of_range, setup, teardown),
        ENV_TEST(output_flood_is_bounded_per_signal, setup, teardown),
        ENV_TEST(input_goes_into_the_ring_and_signals, setup, teardown),
        ENV_TEST(typed_input_waits_for_the_ring, setup, teardown),
        ENV_TEST(input_never_read_is_dropped, setup, teardown),
        ENV_TEST(input_indices_out_of_range, setup, teardown),
        ENV_TEST(a_closed_port_is_bound_again_on_asking, setup, teardown),
        ENV_TEST(the_guest_may_unmap_its_ring, setup, teardown),
        ENV_TEST(stop_and_reset, setup, teardown),
        ENV_TEST(not_before_it_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
