/* event_channel_op: Xen's 2-level event channels. */
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

/* Only 2-level event channels, none of them bound yet: the calls Linux
 * makes on its own ports succeed; FIFO events are refused so Linux stays
 * on the 2-level ABI. */
long event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case EVTCHNOP_close:
    case EVTCHNOP_send:
    case EVTCHNOP_bind_vcpu:
    case EVTCHNOP_unmask:
        return 0;
    default:
        return -XAM_ENOSYS;
    }
}
