/* event_channel_op: Xen's 2-level event channels, decoded (x0 cmd, x1 the
 * operation's structure, include/xam/xen_abi_evtchn.h); the ports and
 * their rules are core/evtchn.c's. FIFO events are refused the way Linux
 * falls back from (-ENOSYS on init_control), so it stays 2-level. */
#include <asm/guest_mem.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/xen_abi_evtchn.h>

#include "hypercall_priv.h"

/* Read the operation's structure, run it, write it back on success (the
 * ports it returns), as Xen's do_event_channel_op does. */
#define EVTCHN_OP(type, call, out)                                                                                     \
    do {                                                                                                               \
        struct type a;                                                                                                 \
        if (guest_copy_from(v, &a, arg, sizeof(a)))                                                                    \
            return -XAM_EFAULT;                                                                                        \
        long rc_ = (call);                                                                                             \
        if (rc_ == 0 && (out) && guest_copy_to(v, arg, &a, sizeof(a)))                                                 \
            return -XAM_EFAULT;                                                                                        \
        return rc_;                                                                                                    \
    } while (0)

long event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct domain *d = v->dom;
    unsigned port;
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        EVTCHN_OP(evtchn_alloc_unbound, evtchn_alloc_unbound(d, a.dom, a.remote_dom, &port) ?: (a.port = port, 0),
                  true);
    case EVTCHNOP_bind_interdomain:
        EVTCHN_OP(evtchn_bind_interdomain,
                  evtchn_bind_interdomain(d, a.remote_dom, a.remote_port, &port) ?: (a.local_port = port, 0), true);
    case EVTCHNOP_bind_virq:
        EVTCHN_OP(evtchn_bind_virq, evtchn_bind_virq(d, a.virq, a.vcpu, &port) ?: (a.port = port, 0), true);
    case EVTCHNOP_bind_ipi:
        EVTCHN_OP(evtchn_bind_ipi, evtchn_bind_ipi(d, a.vcpu, &port) ?: (a.port = port, 0), true);
    case EVTCHNOP_close:
        EVTCHN_OP(evtchn_port_arg, evtchn_close(d, a.port), false);
    case EVTCHNOP_send:
        EVTCHN_OP(evtchn_port_arg, evtchn_send(d, a.port), false);
    case EVTCHNOP_status:
        EVTCHN_OP(evtchn_status, evtchn_status(d, &a), true);
    case EVTCHNOP_bind_vcpu:
        EVTCHN_OP(evtchn_bind_vcpu, evtchn_bind_vcpu(d, a.port, a.vcpu), false);
    case EVTCHNOP_unmask:
        EVTCHN_OP(evtchn_port_arg, evtchn_unmask(d, a.port), false);
    case EVTCHNOP_reset:
        EVTCHN_OP(evtchn_reset, evtchn_reset(d, a.dom), false);
    case EVTCHNOP_bind_pirq:
        return -XAM_EOPNOTSUPP; /* Xen on Arm has no PIRQs */
    default: /* init_control, expand_array, set_priority: FIFO only */
        return -XAM_ENOSYS;
    }
}
