/* Xen's static event channels between two domains (boot case
 * static-evtchn): the same image runs as "a" (domain 1, its static port 5)
 * and "b" (domain 2, port 7), the pair bound by the hypervisor before
 * either started (xen,evtchn-v1 nodes). Each names its shared_info, takes
 * the upcall (PPI 31) and counts the events of each port; b, the binding
 * end, finds its port pending from the start (as Xen's binder), sends a
 * hello; a answers when the hello arrives; each checks that the peer's
 * notification crossed. No event-channel call sets the channel up. */
#include "gicv3.h"
#include "lib.h"

#define HYPERVISOR_memory_op 12
#define HYPERVISOR_event_channel_op 32
#define XENMEM_add_to_physmap 7
#define XENMAPSPACE_shared_info 0
#define DOMID_SELF 0x7ff0
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNSTAT_interdomain 2
#define PPI_EVTCHN 31
#define SHINFO_EVTCHN_PENDING 48 /* after vcpu_info[1], 48 bytes on arm64 */

struct xen_add_to_physmap {
    uint16_t domid, size;
    uint32_t space;
    uint64_t idx, gpfn;
};
struct evtchn_status {
    uint16_t dom;
    uint32_t port, status, vcpu;
    uint16_t rdom;
    uint32_t rport;
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");

static uint8_t shinfo[4096] __attribute__((aligned(4096)));
static volatile unsigned events[64], upcalls;

static int64_t evtchn_op(uint64_t cmd, void *arg)
{
    return xen_hypercall(HYPERVISOR_event_channel_op, cmd, (uint64_t)arg, 0);
}

static int64_t send(uint32_t port)
{
    uint32_t p = port;
    return evtchn_op(EVTCHNOP_send, &p);
}

/* Linux's __xen_evtchn_do_upcall, for the first 64 ports. */
void guest_irq(void);
void guest_irq(void)
{
    unsigned intid = gic_ack();
    if (intid == PPI_EVTCHN) {
        upcalls++;
        __atomic_store_n(&shinfo[0], 0, __ATOMIC_SEQ_CST); /* evtchn_upcall_pending */
        uint64_t sel = __atomic_exchange_n((uint64_t *)&shinfo[8], 0, __ATOMIC_SEQ_CST);
        if (sel & 1) {
            uint64_t *pending = (uint64_t *)&shinfo[SHINFO_EVTCHN_PENDING];
            uint64_t bits = __atomic_exchange_n(&pending[0], 0, __ATOMIC_SEQ_CST);
            for (unsigned p = 0; p < 64; p++)
                if (bits >> p & 1)
                    events[p]++;
        }
    }
    if (intid < 1020)
        gic_eoi(intid);
}

/* Wait up to ms for events[port] to reach n. */
static int wait_for(unsigned port, unsigned n, unsigned ms)
{
    for (unsigned t = 0; t < ms && events[port] < n; t++)
        delay_ms(1);
    return events[port] >= n;
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    int b = dtb_mentions(dtb, "role=b");
    unsigned mine = b ? 7 : 5, theirs = b ? 5 : 7, peer = b ? 1 : 2;
    puts_(b ? "static_evtchn: b, port 7\n" : "static_evtchn: a, port 5\n");
    gic_dist_enable();
    gic_cpu_init(0, 1u << PPI_EVTCHN);

    struct evtchn_status st = { .dom = DOMID_SELF, .port = mine };
    check(evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain && st.rdom == peer &&
              st.rport == theirs,
          "my static port is bound to the peer's before I made any call (EVTCHNOP_status)");
    struct xen_add_to_physmap xatp = { DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint64_t)shinfo >> 12 };
    check(xen_hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)&xatp, 0) == 0,
          "shared_info placed in my RAM");
    if (b) {
        /* as Xen's alloc_static_evtchn: the binding end starts pending */
        check(wait_for(mine, 1, 1000), "my static port started pending (Xen's binder's conservative event)");
        check(send(mine) == 0, "EVTCHNOP_send on my static port");
        check(wait_for(mine, 2, 5000), "the peer's notification arrived on my static port 7 (upcall on PPI 31)");
    } else {
        check(wait_for(mine, 1, 5000), "the peer's notification arrived on my static port 5 (upcall on PPI 31)");
        check(send(mine) == 0, "EVTCHNOP_send on my static port");
    }
    check(send(0) != 0 && send(40) != 0, "a send on port 0 or a port I never bound is refused");
    check(upcalls > 0, "the events came as upcalls");
    puts_(failures ? "static_evtchn: FAILED\n" : "static_evtchn: all checks passed\n");
    psci_system_off();
}
