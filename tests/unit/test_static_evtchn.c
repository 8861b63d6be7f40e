/* Static event channels (Xen's xen,evtchn-v1; core/evtchn.c's
 * evtchn_bind_static) over the fake architecture: bound on the given
 * ports before the domains start, refused on ports that are not free or
 * not in the 2-level range, the hypervisor's own ports taking what is left,
 * the linked domains allowed to talk, and what a peer's stop, a reset and
 * a guest closing its end do to both ends. */
#include "guest_env.h"
#include <xam/evtchn.h>
#include <xam/hypercall.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_evtchn.h>

#define ARG (ENV_RAM + 0x1000)
#define SHINFO (ENV_RAM + 0x10000)
#define SELF DOMID_SELF

static struct domain *a, *b, *other;

/* The static channels the rebuild hook binds again, as the builder's
 * does from what each domain was built from. */
static struct {
    struct domain **d, **r;
    unsigned dport, rport;
} chans[4];
static unsigned nr_chans;

static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    for (unsigned i = 0; i < nr_chans && !rc; i++) {
        if (*chans[i].d == d)
            rc = evtchn_bind_static(d, chans[i].dport, *chans[i].r, chans[i].rport);
        else if (*chans[i].r == d)
            rc = evtchn_bind_static(d, chans[i].rport, *chans[i].d, chans[i].dport);
    }
    *entry = ENV_ENTRY;
    *x0 = 0;
    return rc;
}

/* a and b built, not started; other running; a keeper. */
static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(hypercall_init(), 0);
    domain_set_rebuild_hook(rebuild);
    nr_chans = 0;
    env_keeper();
    a = env_build("a", 1, NULL, true);
    b = env_build("b", 1, NULL, true);
    other = env_domain("other", 1, NULL, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_exits_clear();
    return env_teardown();
}

static int64_t op(struct domain *d, unsigned cmd, void *io, size_t len)
{
    memcpy(env_guest(d, ARG, len), io, len);
    int64_t rc =
        (int64_t)env_call(&d->vcpus[0], EC_HVC64, XEN_HYPERCALL_TAG, __HYPERVISOR_event_channel_op, cmd, ARG, 0, 0);
    memcpy(io, env_guest(d, ARG, len), len);
    return rc;
}

static int64_t send(struct domain *d, unsigned port)
{
    struct evtchn_port_arg s = { port };
    return op(d, EVTCHNOP_send, &s, sizeof(s));
}

static int64_t close_port(struct domain *d, unsigned port)
{
    struct evtchn_port_arg c = { port };
    return op(d, EVTCHNOP_close, &c, sizeof(c));
}

static struct evtchn_status status(struct domain *d, unsigned port)
{
    struct evtchn_status st = { .dom = SELF, .port = port };
    assert_int_equal(op(d, EVTCHNOP_status, &st, sizeof(st)), 0);
    return st;
}

static void map_shared_info(struct domain *d)
{
    struct xen_add_to_physmap x = { .domid = SELF, .space = XENMAPSPACE_shared_info, .gpfn = SHINFO >> PAGE_SHIFT };
    memcpy(env_guest(d, ARG, sizeof(x)), &x, sizeof(x));
    assert_int_equal(
        env_call(&d->vcpus[0], EC_HVC64, XEN_HYPERCALL_TAG, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0, 0),
        0);
}

static struct xen_shared_info *si(struct domain *d) { return env_guest(d, SHINFO, sizeof(struct xen_shared_info)); }
static bool pending(struct domain *d, unsigned port) { return si(d)->evtchn_pending[port / 64] >> (port % 64) & 1; }
static void clear_pending(struct domain *d)
{
    memset(si(d)->evtchn_pending, 0, sizeof(si(d)->evtchn_pending));
    si(d)->vcpu_info[0].evtchn_upcall_pending = 0;
    si(d)->vcpu_info[0].evtchn_pending_sel = 0;
}

static void assert_bound(struct domain *d, unsigned port, struct domain *r, unsigned rport)
{
    struct evtchn_status st = status(d, port);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, r->id);
    assert_int_equal(st.u.interdomain.port, rport);
}

static void assert_waits(struct domain *d, unsigned port, struct domain *r)
{
    struct evtchn_status st = status(d, port);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, r->id);
}

/* a:5 <-> b:7 as the builder binds it (b, the later domain, binds), then
 * both started with shared_info. */
static void bind_and_start(void)
{
    chans[nr_chans++] = (typeof(chans[0])){ &b, &a, 7, 5 };
    assert_int_equal(evtchn_bind_static(b, 7, a, 5), 0);
    domain_start(a, ENV_ENTRY, 0, false);
    domain_start(b, ENV_ENTRY, 0, false);
    map_shared_info(a);
    map_shared_info(b);
}

static void bound_before_start_and_notify_both_ways(void **state)
{
    (void)state;
    bind_and_start();
    assert_bound(a, 5, b, 7);
    assert_bound(b, 7, a, 5);
    /* as Xen: the binder's end starts pending (kept until b named its
     * shared_info), the other does not */
    assert_true(pending(b, 7));
    assert_false(pending(a, 5));
    clear_pending(b);
    assert_int_equal(send(a, 5), 0);
    assert_true(pending(b, 7));
    assert_false(pending(a, 5));
    assert_true(fake_intc(b)->pending[0] >> VINTC_PPI_EVTCHN & 1);
    assert_int_equal(send(b, 7), 0);
    assert_true(pending(a, 5));
    assert_true(fake_intc(a)->pending[0] >> VINTC_PPI_EVTCHN & 1);
    /* ports below and between stay the guest's to allocate: lowest free */
    struct evtchn_alloc_unbound u = { .dom = SELF, .remote_dom = SELF };
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, &u, sizeof(u)), 0);
    assert_int_equal(u.port, 1);
}

static void never_called(struct domain *d, unsigned port, void *arg)
{
    (void)d, (void)port, (void)arg;
    fail();
}

static void refused_ports(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind_static(b, 0, a, 5), -XAM_EINVAL);
    assert_int_equal(evtchn_bind_static(b, 7, a, 0), -XAM_EINVAL);
    assert_int_equal(evtchn_bind_static(b, 4096, a, 5), -XAM_EINVAL); /* 2-level: 0-4095 */
    assert_int_equal(evtchn_bind_static(b, 7, a, 4096), -XAM_EINVAL);
    assert_int_equal(evtchn_bind_static(a, 3, a, 3), -XAM_EINVAL);
    assert_int_equal(evtchn_bind_static(b, 4095, a, 4095), 0); /* the last one, a sparse bucket */
    /* a port used twice, at either end: nothing bound */
    assert_int_equal(evtchn_bind_static(b, 4095, a, 9), -XAM_EBUSY);
    assert_int_equal(evtchn_bind_static(b, 9, a, 4095), -XAM_EBUSY);
    /* the hypervisor's own ports (the PV console's) come after, on what is
     * free: they never take a static port */
    unsigned x;
    assert_int_equal(evtchn_alloc_xen(a, 0, a, never_called, NULL, &x), 0);
    assert_int_equal(x, 1);
    assert_int_equal(evtchn_bind_static(b, 10, a, 1), -XAM_EBUSY);
    /* only before the domain starts */
    assert_int_equal(evtchn_bind_static(other, 3, a, 6), -XAM_ESRCH);
    domain_start(a, ENV_ENTRY, 0, false);
    assert_int_equal(evtchn_bind_static(a, 11, b, 11), -XAM_ESRCH);
    /* a port the guest already has, on a running peer: not taken from it */
    map_shared_info(a);
    assert_int_equal(evtchn_bind_static(b, 12, a, 2), 0);
    assert_waits(b, 12, a);
    assert_int_equal(status(a, 2).status, EVTCHNSTAT_closed);
    /* the link alone lets them talk (a may bind b's waiting port) */
    struct evtchn_bind_interdomain bi = { .remote_dom = (uint16_t)b->id, .remote_port = 12 };
    domain_start(b, ENV_ENTRY, 0, false);
    assert_int_equal(op(a, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), 0);
    assert_bound(b, 12, a, bi.local_port);
}

static void loopback_in_one_domain(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind_static(a, 4, a, 3), 0);
    domain_start(a, ENV_ENTRY, 0, false);
    map_shared_info(a);
    clear_pending(a);
    assert_bound(a, 3, a, 4);
    assert_int_equal(send(a, 3), 0);
    assert_true(pending(a, 4));
}

static void linked_domains_may_talk(void **state)
{
    (void)state;
    assert_false(evtchn_may_talk(a, b));
    bind_and_start();
    assert_true(evtchn_may_talk(a, b) && evtchn_may_talk(b, a));
    assert_false(evtchn_may_talk(a, other) || evtchn_may_talk(other, b));
    struct evtchn_alloc_unbound u = { .dom = SELF, .remote_dom = (uint16_t)b->id };
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, &u, sizeof(u)), 0);
    u.remote_dom = (uint16_t)other->id;
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, &u, sizeof(u)), -XAM_EPERM);
}

static void peer_stops_for_good(void **state)
{
    (void)state;
    bind_and_start();
    domain_shutdown(a, "test");
    /* b's end waits for a, as for any peer that goes; sends are dropped */
    assert_waits(b, 7, a);
    clear_pending(b);
    assert_int_equal(send(b, 7), 0);
    domain_run_jobs();
    assert_int_equal(a->state, DOMAIN_DEAD);
    assert_waits(b, 7, a);
    /* a is gone for good: so is the link */
    assert_false(evtchn_may_talk(b, a));
    assert_int_equal(close_port(b, 7), 0);
}

static void reset_binds_again(void **state)
{
    (void)state;
    bind_and_start();
    domain_reset(b, "test");
    assert_waits(a, 5, b);
    assert_true(evtchn_may_talk(a, b)); /* kept for the rebuild */
    domain_run_jobs();
    assert_int_equal(b->state, DOMAIN_RUNNING);
    /* the rebuild bound 7 to a's waiting end again, pending as a binder's */
    assert_bound(a, 5, b, 7);
    assert_bound(b, 7, a, 5);
    map_shared_info(b);
    assert_true(pending(b, 7));
    clear_pending(b);
    assert_int_equal(send(a, 5), 0);
    assert_true(pending(b, 7));
    /* the other way round: a resets, b keeps running */
    domain_reset(a, "test");
    assert_waits(b, 7, a);
    domain_run_jobs();
    assert_bound(a, 5, b, 7);
    assert_bound(b, 7, a, 5);
    map_shared_info(a);
    clear_pending(a);
    assert_int_equal(send(b, 7), 0);
    assert_true(pending(a, 5));
}

static void closed_end_is_not_taken_back(void **state)
{
    (void)state;
    bind_and_start();
    /* a's guest closes its end (Xen lets it: a static port is an ordinary
     * one once bound); b's waits for a */
    assert_int_equal(close_port(a, 5), 0);
    assert_waits(b, 7, a);
    /* b resets: a's 5 is free, the guest's to reuse: not taken back; b's
     * 7 waits for a */
    domain_reset(b, "test");
    domain_run_jobs();
    assert_int_equal(status(a, 5).status, EVTCHNSTAT_closed);
    assert_waits(b, 7, a);
    /* a resets: its rebuild finds b's 7 waiting, and binds */
    domain_reset(a, "test");
    domain_run_jobs();
    assert_bound(a, 5, b, 7);
    assert_bound(b, 7, a, 5);
    /* the guest's EVTCHNOP_reset closes static ports too (Xen's): b's
     * end waits, and a may bind it again by hand */
    struct evtchn_reset r = { .dom = SELF };
    assert_int_equal(op(a, EVTCHNOP_reset, &r, sizeof(r)), 0);
    assert_waits(b, 7, a);
    struct evtchn_bind_interdomain bi = { .remote_dom = (uint16_t)b->id, .remote_port = 7 };
    assert_int_equal(op(a, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), 0);
    assert_bound(b, 7, a, bi.local_port);
}

static void abandoned_peer(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind_static(b, 7, a, 5), 0);
    domain_abandon(a, "test");
    domain_run_jobs();
    assert_int_equal(a->state, DOMAIN_DEAD);
    assert_false(evtchn_may_talk(b, a));
    domain_start(b, ENV_ENTRY, 0, false);
    assert_waits(b, 7, a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(bound_before_start_and_notify_both_ways, setup, teardown),
        ENV_TEST(refused_ports, setup, teardown),
        ENV_TEST(loopback_in_one_domain, setup, teardown),
        ENV_TEST(linked_domains_may_talk, setup, teardown),
        ENV_TEST(peer_stops_for_good, setup, teardown),
        ENV_TEST(reset_binds_again, setup, teardown),
        ENV_TEST(closed_end_is_not_taken_back, setup, teardown),
        ENV_TEST(abandoned_peer, setup, teardown),
    };
    return cmocka_run_group_tests_name("static_evtchn", tests, NULL, NULL);
}
