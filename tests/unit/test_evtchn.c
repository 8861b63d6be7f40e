/* Event channels (core/evtchn.c, hypercall/event_channel_op.c) over the
 * fake architecture: the EVTCHNOP_* calls as a guest makes them (HVC
 * #0xEA1, structures in its RAM), what lands in its shared_info and
 * vcpu_info pages and which vCPU gets PPI 31, who may bind to whom, the
 * hypervisor's own ports (the ioreq path's), what a stop, a reset and a
 * rebuild do to both ends, and races between host threads playing CPUs
 * (ASan catches a write into a released domain's memory or table). */
#include "guest_env.h"
#include <pthread.h>
#include <stdlib.h>
#include <xam/evtchn.h>
#include <xam/hypercall.h>
#include <xam/xen_abi.h>
#include <xam/xen_abi_evtchn.h>

#define ARG (ENV_RAM + 0x1000) /* the operation's structure */
#define SHINFO (ENV_RAM + 0x10000)
#define VINFO (ENV_RAM + 0x11000) /* vCPU i's vcpu_info at VINFO + 64 * i */
#define OUTSIDE (ENV_RAM + ENV_RAM_SIZE)
#define SELF DOMID_SELF

static struct domain *dm, *client, *other;

static int setup(void **state)
{
    (void)state;
    env_setup(3);
    assert_int_equal(hypercall_init(), 0);
    env_keeper();
    dm = env_domain("dm", 2, NULL, true);
    client = env_build("client", 2, NULL, true);
    client->device_model = dm;
    domain_start(client, ENV_ENTRY, 0, false);
    other = env_domain("other", 1, NULL, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_exits_clear();
    return env_teardown();
}

static int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1)
{
    return (int64_t)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, 0, 0);
}

/* EVTCHNOP cmd from d's vCPU 0 with *io (len bytes) as its structure;
 * what the hypervisor wrote back into *io. */
static int64_t op_on(struct vcpu *v, unsigned cmd, void *io, size_t len)
{
    memcpy(env_guest(v->dom, ARG, len), io, len);
    int64_t rc = hcall(v, __HYPERVISOR_event_channel_op, cmd, ARG);
    memcpy(io, env_guest(v->dom, ARG, len), len);
    return rc;
}
#define OP(d, cmd, s) op_on(&(d)->vcpus[0], cmd, &(s), sizeof(s))

static int64_t alloc_unbound(struct domain *d, uint16_t dom, uint16_t remote, unsigned *port)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote, .port = 0xdead };
    int64_t rc = OP(d, EVTCHNOP_alloc_unbound, a);
    *port = a.port;
    return rc;
}

static int64_t bind_interdomain(struct domain *d, uint16_t remote, unsigned rport, unsigned *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport, .local_port = 0xdead };
    int64_t rc = OP(d, EVTCHNOP_bind_interdomain, b);
    *port = b.local_port;
    return rc;
}

static int64_t port_op(struct domain *d, unsigned cmd, unsigned port)
{
    struct evtchn_port_arg p = { port };
    return OP(d, cmd, p);
}
#define SEND(d, p) port_op(d, EVTCHNOP_send, p)
#define CLOSE(d, p) port_op(d, EVTCHNOP_close, p)
#define UNMASK(d, p) port_op(d, EVTCHNOP_unmask, p)

static int64_t status(struct domain *d, uint16_t dom, unsigned port, struct evtchn_status *st)
{
    memset(st, 0xee, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return OP(d, EVTCHNOP_status, *st);
}

static int64_t bind_vcpu(struct domain *d, unsigned port, unsigned vcpu)
{
    struct evtchn_bind_vcpu b = { port, vcpu };
    return OP(d, EVTCHNOP_bind_vcpu, b);
}

/* XENMEM_add_to_physmap(shared_info) at SHINFO, as Linux does */
static void map_shared_info(struct domain *d)
{
    struct xen_add_to_physmap x = { .domid = SELF, .space = XENMAPSPACE_shared_info, .gpfn = SHINFO >> PAGE_SHIFT };
    memcpy(env_guest(d, ARG, sizeof(x)), &x, sizeof(x));
    assert_int_equal(hcall(&d->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG), 0);
}

/* VCPUOP_register_vcpu_info for vCPU i at ipa */
static int64_t register_vcpu_info(struct domain *d, unsigned i, paddr_t ipa)
{
    struct vcpu_register_vcpu_info r = { .mfn = ipa >> PAGE_SHIFT, .offset = (uint32_t)(ipa & (PAGE_SIZE - 1)) };
    memcpy(env_guest(d, ARG, sizeof(r)), &r, sizeof(r));
    return (int64_t)env_call(&d->vcpus[0], EC_HVC64, XEN_HYPERCALL_TAG, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
                             i, ARG, 0);
}

static struct xen_shared_info *si(struct domain *d) { return env_guest(d, SHINFO, sizeof(struct xen_shared_info)); }
static struct xen_vcpu_info *vi(struct domain *d, unsigned i)
{
    return env_guest(d, VINFO + 64 * i, sizeof(struct xen_vcpu_info));
}

static bool pending(struct domain *d, unsigned port) { return si(d)->evtchn_pending[port / 64] >> (port % 64) & 1; }
static unsigned injects(struct domain *d) { return fake_intc(d)->injects; }
static bool ppi31(struct domain *d, unsigned vcpu) { return fake_intc(d)->pending[vcpu] >> VINTC_PPI_EVTCHN & 1; }

/* The guest's upcall handler: what Linux's __xen_evtchn_do_upcall clears. */
static void guest_handles(struct domain *d, unsigned vcpu)
{
    vi(d, vcpu)->evtchn_upcall_pending = 0;
    vi(d, vcpu)->evtchn_pending_sel = 0;
    memset(si(d)->evtchn_pending, 0, sizeof(si(d)->evtchn_pending));
}

/* What a guest with Linux's layout has: shared_info, and vcpu_info of
 * every vCPU registered. */
static void linux_like(struct domain *d)
{
    map_shared_info(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        unsigned before = injects(d);
        assert_int_equal(register_vcpu_info(d, i, VINFO + 64 * i), 0);
        /* as Xen: the registration raises an upcall with every selector
         * bit set, so nothing raised before is lost */
        assert_int_equal(vi(d, i)->evtchn_upcall_pending, 1);
        assert_int_equal(vi(d, i)->evtchn_pending_sel, ~0ULL);
        assert_int_equal(injects(d), before + 1);
        assert_true(ppi31(d, i));
    }
    /* the guest takes those upcalls: the tests start from a quiet state */
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        guest_handles(d, i);
        fake_intc(d)->pending[i] &= ~(1ULL << VINTC_PPI_EVTCHN);
    }
    fake_intc(d)->injects = 0;
}


/* A channel client:cport <-> dm:dport, the client offering. */
static void connect(unsigned *cport, unsigned *dport)
{
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)dm->id, cport), 0);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, *cport, dport), 0);
}

/* ---- the ABI's answers ---- */

static void loopback_delivers_into_the_guest_pages(void **state)
{
    (void)state;
    linux_like(client);
    unsigned a, b;
    assert_int_equal(alloc_unbound(client, SELF, SELF, &a), 0);
    assert_int_equal(a, 1); /* port 0 is reserved */
    assert_int_equal(bind_interdomain(client, SELF, a, &b), 0);
    assert_int_equal(b, 2);
    /* Xen sets the binder's new port pending (it may have missed an event) */
    assert_true(pending(client, b));
    assert_int_equal(vi(client, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(vi(client, 0)->evtchn_pending_sel, 1);
    assert_int_equal(injects(client), 1);
    assert_true(ppi31(client, 0));
    guest_handles(client, 0);
    assert_int_equal(SEND(client, b), 0);
    assert_true(pending(client, a));
    assert_false(pending(client, b));
    assert_int_equal(vi(client, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(injects(client), 2);
    /* status of both ends */
    struct evtchn_status st;
    assert_int_equal(status(client, SELF, a, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, client->id);
    assert_int_equal(st.u.interdomain.port, b);
    assert_int_equal(st.vcpu, 0);
    /* closing one end leaves the other unbound, waiting for us again */
    assert_int_equal(CLOSE(client, a), 0);
    assert_false(pending(client, a)); /* Xen clears a closed port's bit */
    assert_int_equal(status(client, (uint16_t)client->id, b, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, client->id);
    assert_int_equal(status(client, SELF, a, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    /* an unbound port drops sends silently; a closed one refuses them */
    assert_int_equal(SEND(client, b), 0);
    assert_int_equal(SEND(client, a), -XAM_EINVAL);
    assert_int_equal(CLOSE(client, a), -XAM_EINVAL);
    /* the lowest free port is reused */
    unsigned c;
    assert_int_equal(alloc_unbound(client, (uint16_t)client->id, (uint16_t)dm->id, &c), 0);
    assert_int_equal(c, a);
}

static void device_model_and_client(void **state)
{
    (void)state;
    linux_like(client);
    linux_like(dm);
    unsigned cport, dport;
    connect(&cport, &dport);
    assert_true(pending(dm, dport));
    assert_int_equal(injects(dm), 1);
    guest_handles(dm, 0);
    /* both ways */
    assert_int_equal(SEND(dm, dport), 0);
    assert_true(pending(client, cport));
    assert_true(ppi31(client, 0));
    assert_int_equal(SEND(client, cport), 0);
    assert_true(pending(dm, dport));
    assert_int_equal(injects(dm), 2);
    /* the device model may read its client's ports (Xen's XSM_TARGET),
     * not the other way round, and nobody else either */
    struct evtchn_status st;
    assert_int_equal(status(dm, (uint16_t)client->id, cport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, dm->id);
    assert_int_equal(st.u.interdomain.port, dport);
    assert_int_equal(status(client, (uint16_t)dm->id, dport, &st), -XAM_EPERM);
    assert_int_equal(status(other, (uint16_t)client->id, cport, &st), -XAM_EPERM);
    assert_int_equal(status(other, 999, 1, &st), -XAM_ESRCH);
    /* the device model closes: the client's end waits for it again */
    assert_int_equal(CLOSE(dm, dport), 0);
    assert_int_equal(status(client, SELF, cport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, dm->id);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, cport, &dport), 0);
}

static void who_may_bind_to_whom(void **state)
{
    (void)state;
    unsigned p, q;
    /* an unlinked domain: refused; an unknown one: no such domain */
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)other->id, &p), -XAM_EPERM);
    assert_int_equal(alloc_unbound(other, SELF, (uint16_t)client->id, &p), -XAM_EPERM);
    assert_int_equal(alloc_unbound(client, SELF, 77, &p), -XAM_ESRCH);
    assert_int_equal(alloc_unbound(client, SELF, 0, &p), -XAM_ESRCH);
    assert_int_equal(p, 0xdead); /* nothing written back on failure */
    /* a port in another domain's table: never */
    assert_int_equal(alloc_unbound(dm, (uint16_t)client->id, SELF, &p), -XAM_EPERM);
    assert_int_equal(alloc_unbound(dm, 999, SELF, &p), -XAM_ESRCH);
    /* binding: the remote port must be offered to exactly this domain */
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)dm->id, &p), 0);
    assert_int_equal(bind_interdomain(other, (uint16_t)client->id, p, &q), -XAM_EPERM);
    assert_int_equal(bind_interdomain(client, SELF, p, &q), -XAM_EINVAL); /* offered to dm, not to itself */
    assert_int_equal(bind_interdomain(dm, 999, p, &q), -XAM_ESRCH);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, p + 1, &q), -XAM_EINVAL);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, 0, &q), -XAM_EINVAL);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, 4096, &q), -XAM_EINVAL);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, UINT32_MAX, &q), -XAM_EINVAL);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, p, &q), 0);
    /* someone else's port, twice: the second finds it bound */
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, p, &q), -XAM_EINVAL);
    /* a domain that made no port at all */
    assert_int_equal(bind_interdomain(client, (uint16_t)dm->id, 1, &q), -XAM_EINVAL);
    assert_true(evtchn_may_talk(dm, client) && evtchn_may_talk(client, dm) && evtchn_may_talk(other, other));
    assert_false(evtchn_may_talk(client, other) || evtchn_may_talk(dm, other));
}

static void out_of_range_ports(void **state)
{
    (void)state;
    linux_like(client);
    static const unsigned bad[] = { 4096, 4097, 0x10000, UINT32_MAX };
    struct evtchn_status st;
    /* nothing made yet */
    assert_int_equal(SEND(client, 1), -XAM_EINVAL);
    assert_int_equal(CLOSE(client, 1), -XAM_EINVAL);
    assert_int_equal(bind_vcpu(client, 1, 0), -XAM_EINVAL);
    assert_int_equal(UNMASK(client, 1), 0); /* the mask bit is the guest's */
    assert_int_equal(status(client, SELF, 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    unsigned p;
    assert_int_equal(alloc_unbound(client, SELF, SELF, &p), 0);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(SEND(client, bad[i]), -XAM_EINVAL);
        assert_int_equal(CLOSE(client, bad[i]), -XAM_EINVAL);
        assert_int_equal(UNMASK(client, bad[i]), -XAM_EINVAL);
        assert_int_equal(bind_vcpu(client, bad[i], 0), -XAM_EINVAL);
        assert_int_equal(status(client, SELF, bad[i], &st), -XAM_EINVAL);
    }
    /* a port in a bucket never made (512 ports a bucket) */
    assert_int_equal(SEND(client, 600), -XAM_EINVAL);
    assert_int_equal(UNMASK(client, 600), -XAM_EINVAL);
    assert_int_equal(status(client, SELF, 600, &st), -XAM_EINVAL);
    /* port 0: reserved */
    assert_int_equal(SEND(client, 0), -XAM_EINVAL);
    assert_int_equal(CLOSE(client, 0), -XAM_EINVAL);
    assert_int_equal(status(client, SELF, 0, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    /* free ports in range: refused, but nothing delivered */
    assert_int_equal(SEND(client, p + 1), -XAM_EINVAL);
    assert_int_equal(injects(client), 0);
    /* structures outside RAM */
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_send, OUTSIDE - 2), -XAM_EFAULT);
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_status, OUTSIDE - 8),
                     -XAM_EFAULT);
    /* FIFO events: refused, so Linux stays 2-level; no PIRQs on Arm */
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_init_control, ARG), -XAM_ENOSYS);
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_expand_array, ARG), -XAM_ENOSYS);
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_set_priority, ARG), -XAM_ENOSYS);
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, ARG), -XAM_EOPNOTSUPP);
    assert_int_equal(hcall(&client->vcpus[0], __HYPERVISOR_event_channel_op, 99, ARG), -XAM_ENOSYS);
    assert_int_equal(client->state, DOMAIN_RUNNING);
}

static void table_fills_up(void **state)
{
    (void)state;
    unsigned p = 0;
    for (unsigned i = 1; i < EVTCHN_2L_NR_CHANNELS; i++) {
        assert_int_equal(evtchn_alloc_unbound(client, SELF, SELF, &p), 0);
        assert_int_equal(p, i);
    }
    assert_int_equal(evtchn_alloc_unbound(client, SELF, SELF, &p), -XAM_ENOSPC);
    assert_int_equal(evtchn_close(client, 4095), 0);
    assert_int_equal(evtchn_alloc_unbound(client, SELF, SELF, &p), 0);
    assert_int_equal(p, 4095);
    /* running out of memory for a bucket */
    assert_int_equal(evtchn_alloc_unbound(dm, SELF, SELF, &p), 0);
    for (unsigned i = 2; i < 512; i++)
        assert_int_equal(evtchn_alloc_unbound(dm, SELF, SELF, &p), 0);
    fake_mem_fail_at(1);
    assert_int_equal(evtchn_alloc_unbound(dm, SELF, SELF, &p), -XAM_ENOMEM);
    fake_mem_fail_at(0);
    assert_int_equal(evtchn_alloc_unbound(dm, SELF, SELF, &p), 0);
    assert_int_equal(p, 512);
    fake_mem_fail_at(1);
    assert_int_equal(evtchn_alloc_unbound(other, SELF, SELF, &p), -XAM_ENOMEM);
    fake_mem_fail_at(0);
}

/* ---- delivery ---- */

static void masked_and_unmasked(void **state)
{
    (void)state;
    linux_like(client);
    unsigned a, b;
    assert_int_equal(alloc_unbound(client, SELF, SELF, &a), 0);
    assert_int_equal(bind_interdomain(client, SELF, a, &b), 0);
    guest_handles(client, 0);
    unsigned n = injects(client);
    si(client)->evtchn_mask[0] = 1ULL << a;
    assert_int_equal(SEND(client, b), 0);
    /* masked: pending, but no selector, no upcall */
    assert_true(pending(client, a));
    assert_int_equal(vi(client, 0)->evtchn_pending_sel, 0);
    assert_int_equal(injects(client), n);
    /* unmask: the event comes now */
    assert_int_equal(UNMASK(client, a), 0);
    assert_int_equal(si(client)->evtchn_mask[0], 0);
    assert_int_equal(vi(client, 0)->evtchn_pending_sel, 1);
    assert_int_equal(vi(client, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(injects(client), n + 1);
    /* unmasking what is not masked does nothing more */
    assert_int_equal(UNMASK(client, a), 0);
    assert_int_equal(injects(client), n + 1);
    /* a port in the second word: its own selector bit */
    unsigned p[70];
    for (unsigned i = 0; i < 70; i++)
        assert_int_equal(alloc_unbound(client, SELF, SELF, &p[i]), 0);
    unsigned hi;
    assert_int_equal(bind_interdomain(client, SELF, p[69], &hi), 0);
    assert_int_equal(p[69], 72);
    assert_true(pending(client, hi));
    assert_int_equal(vi(client, 0)->evtchn_pending_sel, 1 | 2);
}

static void flood_of_sends(void **state)
{
    (void)state;
    linux_like(client);
    linux_like(dm);
    unsigned cport, dport;
    connect(&cport, &dport);
    for (unsigned i = 0; i < 100000; i++)
        assert_int_equal(SEND(dm, dport), 0);
    /* one pending bit, one upcall, one interrupt until the guest handles it */
    assert_int_equal(injects(client), 1);
    assert_true(pending(client, cport));
    guest_handles(client, 0);
    for (unsigned i = 0; i < 1000; i++)
        assert_int_equal(SEND(dm, dport), 0);
    assert_int_equal(injects(client), 2);
    assert_int_equal(dm->state, DOMAIN_RUNNING);
    assert_int_equal(client->state, DOMAIN_RUNNING);
}

static void bind_vcpu_moves_delivery(void **state)
{
    (void)state;
    linux_like(client);
    linux_like(dm);
    unsigned cport, dport;
    connect(&cport, &dport);
    assert_int_equal(bind_vcpu(client, cport, 2), -XAM_ENOENT); /* it has 2 vCPUs */
    assert_int_equal(bind_vcpu(client, cport, UINT32_MAX), -XAM_ENOENT);
    assert_int_equal(bind_vcpu(client, cport, 1), 0);
    struct evtchn_status st;
    assert_int_equal(status(client, SELF, cport, &st), 0);
    assert_int_equal(st.vcpu, 1);
    assert_int_equal(SEND(dm, dport), 0);
    assert_int_equal(vi(client, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(vi(client, 0)->evtchn_upcall_pending, 0);
    assert_true(ppi31(client, 1));
    assert_false(ppi31(client, 0));
    /* the port reused after a close notifies vCPU 0 again (Xen) */
    assert_int_equal(CLOSE(client, cport), 0);
    unsigned again;
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)dm->id, &again), 0);
    assert_int_equal(status(client, SELF, again, &st), 0);
    assert_int_equal(st.vcpu, 0);
}

static void virqs_and_ipis(void **state)
{
    (void)state;
    linux_like(client);
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), 0);
    unsigned timer0 = bv.port;
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_EEXIST);
    bv.vcpu = 1;
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), 0);
    assert_int_not_equal(bv.port, timer0);
    bv.vcpu = 2;
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_ENOENT);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 0 }; /* global: no handler domain here */
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_EBUSY);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_ARGO, .vcpu = 1 }; /* per domain: vCPU 0 only */
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_EINVAL);
    bv.vcpu = 0;
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), 0);
    unsigned argo = bv.port;
    bv = (struct evtchn_bind_virq){ .virq = NR_VIRQS, .vcpu = 0 };
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_EINVAL);
    bv.virq = UINT32_MAX;
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), -XAM_EINVAL);
    struct evtchn_status st;
    assert_int_equal(status(client, SELF, timer0, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    /* a per-vCPU VIRQ stays on its vCPU; a per-domain one moves */
    assert_int_equal(bind_vcpu(client, timer0, 1), -XAM_EINVAL);
    assert_int_equal(bind_vcpu(client, argo, 1), 0);
    /* a VIRQ port cannot be sent on; closing it lets it be bound again */
    assert_int_equal(SEND(client, timer0), -XAM_EINVAL);
    assert_int_equal(CLOSE(client, timer0), 0);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), 0);
    assert_int_equal(CLOSE(client, argo), 0);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_ARGO, .vcpu = 0 };
    assert_int_equal(OP(client, EVTCHNOP_bind_virq, bv), 0);
    /* IPIs: to the vCPU chosen at bind time, which cannot change */
    struct evtchn_bind_ipi bi = { .vcpu = 1 };
    assert_int_equal(OP(client, EVTCHNOP_bind_ipi, bi), 0);
    assert_int_equal(SEND(client, bi.port), 0);
    assert_true(pending(client, bi.port));
    assert_int_equal(vi(client, 1)->evtchn_upcall_pending, 1);
    assert_true(ppi31(client, 1));
    assert_int_equal(bind_vcpu(client, bi.port, 0), -XAM_EINVAL);
    assert_int_equal(status(client, SELF, bi.port, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 1);
    bi.vcpu = 5;
    assert_int_equal(OP(client, EVTCHNOP_bind_ipi, bi), -XAM_ENOENT);
}

static void reset_closes_the_guests_ports(void **state)
{
    (void)state;
    unsigned cport, dport, loop;
    connect(&cport, &dport);
    assert_int_equal(alloc_unbound(client, SELF, SELF, &loop), 0);
    /* only its own table (Xen lets a privileged domain reset others) */
    struct evtchn_reset r = { .dom = (uint16_t)dm->id };
    assert_int_equal(OP(client, EVTCHNOP_reset, r), -XAM_EPERM);
    r.dom = 999;
    assert_int_equal(OP(client, EVTCHNOP_reset, r), -XAM_ESRCH);
    r.dom = SELF;
    assert_int_equal(OP(client, EVTCHNOP_reset, r), 0);
    struct evtchn_status st;
    assert_int_equal(status(client, SELF, cport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(status(client, SELF, loop, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(status(dm, SELF, dport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    /* a domain that never made a port */
    assert_int_equal(OP(other, EVTCHNOP_reset, r), 0);
    r.dom = (uint16_t)other->id;
    assert_int_equal(OP(other, EVTCHNOP_reset, r), 0);
}

/* ---- shared_info and vcpu_info ---- */

static void events_before_shared_info(void **state)
{
    (void)state;
    unsigned cport, dport;
    connect(&cport, &dport);
    /* neither has shared_info: the events wait in the hypervisor */
    assert_int_equal(SEND(dm, dport), 0);
    assert_int_equal(SEND(dm, dport), 0);
    assert_int_equal(injects(client), 0);
    /* registering its vcpu_info raises an upcall, as on Xen */
    assert_int_equal(register_vcpu_info(client, 0, VINFO), 0);
    assert_int_equal(injects(client), 1);
    guest_handles(client, 0);
    map_shared_info(client);
    assert_true(pending(client, cport));
    assert_int_equal(vi(client, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(injects(client), 2);
    /* delivered once: registering again starts a clean page */
    guest_handles(client, 0);
    map_shared_info(client);
    assert_false(pending(client, cport));
    assert_int_equal(injects(client), 2);
    /* the dm's own pending (from its bind) arrives with its page */
    map_shared_info(dm);
    assert_true(pending(dm, dport));
    assert_int_equal(si(dm)->vcpu_info[0].evtchn_upcall_pending, 1); /* the legacy slot of vCPU 0 */
    assert_int_equal(injects(dm), 1);
}

static void vcpu_info_hostile_places(void **state)
{
    (void)state;
    map_shared_info(client);
    unsigned a, b;
    assert_int_equal(alloc_unbound(client, SELF, SELF, &a), 0);
    assert_int_equal(bind_interdomain(client, SELF, a, &b), 0);
    assert_int_equal(bind_vcpu(client, a, 1), 0);
    /* vCPU 1 has no vcpu_info (only vCPU 0 has one in shared_info): the
     * port is pending, nothing else is written, no interrupt */
    assert_int_equal(SEND(client, b), 0);
    assert_true(pending(client, a));
    assert_int_equal(injects(client), 1); /* only the bind's, on vCPU 0 */
    assert_false(ppi31(client, 1));
    /* registering it then makes an upcall with every selector bit (Xen) */
    client->vcpus[1].vcpu_info = OUTSIDE - 64; /* the last bytes of RAM */
    evtchn_vcpu_info_registered(&client->vcpus[1]);
    struct xen_vcpu_info *last = env_guest(client, OUTSIDE - 64, 48);
    assert_int_equal(last->evtchn_pending_sel, UINT64_MAX);
    assert_int_equal(last->evtchn_upcall_pending, 1);
    assert_true(ppi31(client, 1));
    /* vcpu_info running past the end of RAM, or not aligned for the
     * atomics: ignored, nothing written outside (ASan watches) */
    static const paddr_t bad[] = { OUTSIDE - 40, OUTSIDE - 1, OUTSIDE, SHINFO + 4, UINT64_MAX & ~7ULL };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        si(client)->evtchn_pending[0] = 0;
        client->vcpus[1].vcpu_info = bad[i];
        unsigned n = injects(client);
        assert_int_equal(SEND(client, b), 0);
        assert_true(pending(client, a));
        assert_int_equal(injects(client), n);
        evtchn_vcpu_info_registered(&client->vcpus[1]);
        assert_int_equal(injects(client), n);
    }
    /* shared_info moved off RAM behind the hypervisor's back: nothing */
    client->shared_info = OUTSIDE;
    assert_int_equal(SEND(client, b), 0);
    evtchn_shared_info_registered(client);
    client->shared_info = OUTSIDE - 1024; /* shared_info would run past RAM */
    assert_int_equal(SEND(client, b), 0);
    assert_int_equal(client->state, DOMAIN_RUNNING);
}

/* ---- the level: re-raised while the guest has not taken it ---- */

static void upcall_reasserted_until_handled(void **state)
{
    (void)state;
    linux_like(client);
    unsigned a, b;
    assert_int_equal(alloc_unbound(client, SELF, SELF, &a), 0);
    assert_int_equal(bind_interdomain(client, SELF, a, &b), 0);
    struct vcpu *v = &client->vcpus[0];
    assert_true(v->evtchn_raised);
    assert_int_equal(injects(client), 1);
    /* the guest did not take it yet (say, its interrupts were masked and
     * it cleared the GIC's pending state): each entry asserts it again */
    vcpu_run(v);
    assert_int_equal(injects(client), 2);
    vcpu_run(v);
    assert_int_equal(injects(client), 3);
    /* handled: the next entry stops looking, and the one after costs
     * nothing */
    vi(client, 0)->evtchn_upcall_pending = 0;
    vcpu_run(v);
    assert_false(v->evtchn_raised);
    assert_int_equal(injects(client), 3);
    vcpu_run(v);
    assert_int_equal(injects(client), 3);
    /* a new event raises it again */
    guest_handles(client, 0);
    assert_int_equal(SEND(client, b), 0);
    assert_true(v->evtchn_raised);
    assert_int_equal(injects(client), 4);
}

/* ---- the hypervisor's ports ---- */

struct xen_calls {
    unsigned n, last_port, locks;
    struct domain *last_d;
    volatile unsigned slow;
};

static void on_send(struct domain *d, unsigned port, void *arg)
{
    struct xen_calls *c = arg;
    c->locks += fake_locks_held;
    c->last_d = d;
    c->last_port = port;
    for (unsigned i = 0; i < c->slow; i++)
        cpu_relax();
    __atomic_add_fetch(&c->n, 1, __ATOMIC_RELAXED);
}

static void hypervisor_port(void **state)
{
    (void)state;
    linux_like(dm);
    linux_like(client);
    struct xen_calls calls = { 0 };
    unsigned x, d, q;
    assert_int_equal(evtchn_alloc_xen(client, 2, dm, on_send, &calls, &x), -XAM_EINVAL);
    assert_int_equal(evtchn_alloc_xen(client, 1, dm, on_send, &calls, &x), 0);
    struct evtchn_status st;
    assert_int_equal(status(dm, (uint16_t)client->id, x, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, dm->id);
    assert_int_equal(st.vcpu, 1);
    /* not bound yet: nothing to notify */
    assert_false(evtchn_notify_xen(client, x));
    /* the guest itself may not touch it */
    assert_int_equal(SEND(client, x), -XAM_EINVAL);
    assert_int_equal(CLOSE(client, x), -XAM_EINVAL);
    assert_int_equal(UNMASK(client, x), -XAM_EINVAL);
    assert_int_equal(bind_vcpu(client, x, 0), -XAM_EINVAL);
    assert_int_equal(bind_interdomain(client, SELF, x, &q), -XAM_EINVAL);
    /* the device model binds and sends: fn runs, with no lock held */
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, x, &d), 0);
    guest_handles(dm, 0);
    assert_int_equal(SEND(dm, d), 0);
    assert_int_equal(calls.n, 1);
    assert_ptr_equal(calls.last_d, client);
    assert_int_equal(calls.last_port, x);
    assert_int_equal(calls.locks, 0);
    assert_false(pending(client, x)); /* the guest sees nothing */
    /* the hypervisor notifies the device model's end */
    assert_true(evtchn_notify_xen(client, x));
    assert_true(pending(dm, d));
    assert_int_equal(vi(dm, 0)->evtchn_upcall_pending, 1);
    unsigned g;
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)dm->id, &g), 0);
    assert_false(evtchn_notify_xen(client, g)); /* not a hypervisor port */
    assert_false(evtchn_notify_xen(client, 5000));
    /* the guest's reset keeps it */
    struct evtchn_reset r = { .dom = SELF };
    assert_int_equal(OP(client, EVTCHNOP_reset, r), 0);
    assert_true(evtchn_notify_xen(client, x));
    /* the device model closes its end: back to unbound, rebindable */
    assert_int_equal(CLOSE(dm, d), 0);
    assert_false(evtchn_notify_xen(client, x));
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, x, &d), 0);
    /* freed: the device model's end is unbound; fn is not called again */
    evtchn_free_xen(client, x);
    assert_int_equal(status(dm, SELF, d, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(SEND(dm, d), 0);
    assert_int_equal(calls.n, 1);
    evtchn_free_xen(client, x); /* twice: nothing */
    evtchn_free_xen(client, 4095);
    evtchn_free_xen(other, 1);
    /* slots are limited */
    unsigned p;
    for (unsigned i = 0; i < 32; i++)
        assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &p), 0);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &p), -XAM_ENOSPC);
    evtchn_free_xen(client, p);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &p), 0);
}

/* ---- the lifecycle ---- */

static int rebuild(struct domain *d, paddr_t *entry, uint64_t *x0)
{
    int rc = domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true);
    if (!rc)
        rc = fake_intc_attach(d);
    *entry = ENV_ENTRY;
    *x0 = 0;
    return rc;
}

static void client_stops_and_resets(void **state)
{
    (void)state;
    domain_set_rebuild_hook(rebuild);
    linux_like(dm);
    linux_like(client);
    struct xen_calls calls = { 0 };
    unsigned cport, dport, x, dx;
    connect(&cport, &dport);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &x), 0);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, x, &dx), 0);
    unsigned blocks = fake_mem_blocks();
    /* reset: every port of the client closes; the dm's ends wait */
    domain_reset(client, "test");
    struct evtchn_status st;
    assert_int_equal(status(dm, SELF, dport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, client->id);
    assert_int_equal(status(dm, SELF, dx, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    guest_handles(dm, 0);
    assert_int_equal(SEND(dm, dport), 0); /* dropped */
    assert_int_equal(SEND(dm, dx), 0);
    assert_int_equal(calls.n, 0);
    /* nothing can bind to a stopping domain, nor make it a hypervisor port */
    unsigned p;
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, cport, &p), -XAM_EINVAL);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &p), -XAM_ESRCH);
    assert_int_equal(evtchn_alloc_unbound(dm, SELF, (uint16_t)client->id, &p), 0); /* an offer may wait for it */
    domain_run_jobs(); /* released and rebuilt */
    assert_int_equal(client->state, DOMAIN_RUNNING);
    assert_null(client->evtchn);
    assert_true(fake_mem_blocks() < blocks + 1);
    /* the rebuilt client starts empty and can connect again */
    assert_int_equal(alloc_unbound(client, SELF, (uint16_t)dm->id, &cport), 0);
    assert_int_equal(cport, 1);
    assert_int_equal(bind_interdomain(client, (uint16_t)dm->id, p, &cport), 0);
    assert_int_equal(bind_interdomain(client, (uint16_t)dm->id, dport, &cport), 0); /* the old offer, by id */
    /* shutdown: the same, and its table is freed */
    domain_shutdown(client, "test");
    assert_int_equal(status(dm, SELF, p, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    domain_run_jobs();
    assert_int_equal(client->state, DOMAIN_DEAD);
    assert_null(client->evtchn);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &x), -XAM_ESRCH);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, 1, &p), -XAM_EINVAL);
}

static void device_model_stops(void **state)
{
    (void)state;
    linux_like(dm);
    linux_like(client);
    struct xen_calls calls = { 0 };
    unsigned cport, dport, x, dx;
    connect(&cport, &dport);
    assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &x), 0);
    assert_int_equal(bind_interdomain(dm, (uint16_t)client->id, x, &dx), 0);
    domain_shutdown(dm, "test");
    struct evtchn_status st;
    assert_int_equal(status(client, SELF, cport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(status(client, SELF, x, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_false(evtchn_notify_xen(client, x));
    assert_int_equal(SEND(client, cport), 0);
    domain_run_jobs();
    assert_int_equal(dm->state, DOMAIN_DEAD);
    assert_null(dm->evtchn);
    assert_false(evtchn_notify_xen(client, x));
    assert_int_equal(SEND(client, cport), 0);
}

/* An abandoned domain (never ran) that got a hypervisor port while
 * building: its table goes with it. */
static void abandoned_while_building(void **state)
{
    (void)state;
    struct domain *b = env_build("b", 1, NULL, true);
    struct xen_calls calls = { 0 };
    unsigned x;
    assert_int_equal(evtchn_alloc_xen(b, 0, dm, on_send, &calls, &x), 0);
    assert_non_null(b->evtchn);
    domain_abandon(b, "test");
    domain_run_jobs();
    assert_null(b->evtchn);
}

/* ---- races between CPUs (host threads) ---- */

struct racer {
    struct domain *d;
    unsigned cpu;
    volatile unsigned port;
    volatile bool stop;
    unsigned sends; /* made so far (atomic) */
};

static void *sender(void *arg)
{
    struct racer *r = arg;
    fake_set_cpu(r->cpu);
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        int rc = evtchn_send(r->d, __atomic_load_n(&r->port, __ATOMIC_ACQUIRE));
        if (rc != 0 && rc != -XAM_EINVAL)
            abort();
        __atomic_add_fetch(&r->sends, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* Until the sender has made n more sends: what follows races them. */
static void let_it_send(struct racer *r, unsigned n)
{
    unsigned until = __atomic_load_n(&r->sends, __ATOMIC_ACQUIRE) + n;
    while (__atomic_load_n(&r->sends, __ATOMIC_ACQUIRE) < until)
        cpu_relax();
}

static void start(struct racer *r, pthread_t *t)
{
    assert_int_equal(pthread_create(t, NULL, sender, r), 0);
    let_it_send(r, 1);
}

static void finish(struct racer *r, pthread_t t)
{
    __atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
}

/* The device model sends on one CPU while the client closes, offers
 * again and the device model closes and re-binds on another. */
static void send_while_the_peer_closes(void **state)
{
    (void)state;
    linux_like(dm);
    linux_like(client);
    unsigned cport, dport;
    connect(&cport, &dport);
    struct racer r = { .d = dm, .cpu = 1, .port = dport };
    pthread_t t;
    start(&r, &t);
    for (unsigned i = 0; i < 300; i++) {
        assert_int_equal(evtchn_close(client, cport), 0);
        assert_int_equal(evtchn_alloc_unbound(client, SELF, (uint16_t)dm->id, &cport), 0);
        if (i % 2)
            assert_int_equal(evtchn_close(dm, dport), 0); /* the dm's own close races its send */
        let_it_send(&r, 2);
        assert_int_equal(evtchn_bind_interdomain(dm, (uint16_t)client->id, cport, &dport), 0);
        __atomic_store_n(&r.port, dport, __ATOMIC_RELEASE);
        let_it_send(&r, 2);
        guest_handles(client, 0);
    }
    finish(&r, t);
}

/* The client stops (and is released: its RAM and table freed) while the
 * device model sends to it from another CPU; then it is rebuilt and
 * connected again. */
static void stop_while_the_peer_sends(void **state)
{
    (void)state;
    domain_set_rebuild_hook(rebuild);
    linux_like(dm);
    struct racer r = { .d = dm, .cpu = 1, .port = 1 };
    pthread_t t;
    start(&r, &t);
    for (unsigned i = 0; i < 30; i++) {
        linux_like(client);
        unsigned cport, dport;
        assert_int_equal(evtchn_alloc_unbound(client, SELF, (uint16_t)dm->id, &cport), 0);
        assert_int_equal(evtchn_bind_interdomain(dm, (uint16_t)client->id, cport, &dport), 0);
        __atomic_store_n(&r.port, dport, __ATOMIC_RELEASE);
        let_it_send(&r, 3);
        domain_reset(client, "race"); /* its ports close here... */
        let_it_send(&r, 3);
        domain_run_jobs(); /* ...its memory and table go here */
        assert_int_equal(client->state, DOMAIN_RUNNING);
        assert_int_equal(evtchn_close(dm, dport), 0);
    }
    finish(&r, t);
}

/* evtchn_free_xen while the device model's sends call fn on another CPU:
 * once it returns, fn is never called again. */
static void free_xen_while_called(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 20; i++) {
        struct xen_calls calls = { .slow = 50 };
        unsigned x, d;
        assert_int_equal(evtchn_alloc_xen(client, 0, dm, on_send, &calls, &x), 0);
        assert_int_equal(evtchn_bind_interdomain(dm, (uint16_t)client->id, x, &d), 0);
        struct racer r = { .d = dm, .cpu = 2, .port = d };
        pthread_t t;
        start(&r, &t);
        let_it_send(&r, 3);
        evtchn_free_xen(client, x);
        unsigned n = __atomic_load_n(&calls.n, __ATOMIC_ACQUIRE);
        assert_true(n > 0);
        let_it_send(&r, 20);
        assert_int_equal(__atomic_load_n(&calls.n, __ATOMIC_ACQUIRE), n);
        finish(&r, t);
        assert_int_equal(evtchn_close(dm, d), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(loopback_delivers_into_the_guest_pages, setup, teardown),
        ENV_TEST(device_model_and_client, setup, teardown),
        ENV_TEST(who_may_bind_to_whom, setup, teardown),
        ENV_TEST(out_of_range_ports, setup, teardown),
        ENV_TEST(table_fills_up, setup, teardown),
        ENV_TEST(masked_and_unmasked, setup, teardown),
        ENV_TEST(flood_of_sends, setup, teardown),
        ENV_TEST(bind_vcpu_moves_delivery, setup, teardown),
        ENV_TEST(virqs_and_ipis, setup, teardown),
        ENV_TEST(reset_closes_the_guests_ports, setup, teardown),
        ENV_TEST(events_before_shared_info, setup, teardown),
        ENV_TEST(vcpu_info_hostile_places, setup, teardown),
        ENV_TEST(upcall_reasserted_until_handled, setup, teardown),
        ENV_TEST(hypervisor_port, setup, teardown),
        ENV_TEST(client_stops_and_resets, setup, teardown),
        ENV_TEST(device_model_stops, setup, teardown),
        ENV_TEST(abandoned_while_building, setup, teardown),
        ENV_TEST(send_while_the_peer_closes, setup, teardown),
        ENV_TEST(stop_while_the_peer_sends, setup, teardown),
        ENV_TEST(free_xen_while_called, setup, teardown),
    };
    return cmocka_run_group_tests_name("evtchn", tests, NULL, NULL);
}
