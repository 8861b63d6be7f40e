/* The hypercalls Linux makes once it sees a hypervisor node, and the ones
 * device models make, answered as Xen on Arm does (docs/hypercalls.md says
 * each call's answer and why): vcpu_info registration, shutdown, the
 * console and the HVM parameters here; xen_version, memory, event
 * channels, grant tables and dm_op in their own files. What is refused is
 * refused the way Linux falls back from (-ENOSYS), never with an answer it
 * would BUG on. */
#include <asm/guest_mem.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/errno.h>
#include <xam/evtchn.h>
#include <xam/hypercall.h>
#include <xam/log.h>
#include <xam/pvconsole.h>
#include <xam/sched.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"


/* There is no xenstore here (no dom0): its parameters read as 0, which
 * Linux takes as "not present". The console's are the PV console the
 * hypervisor serves a domain with the hypervisor node (core/pvconsole.c):
 * its ring's GFN and the guest's port (0 for other domains). */
/* Each family out of line (noinline): their buffers and structures on the
 * stack would otherwise give the dispatcher, and so every hypercall, a
 * large frame and a stack canary (make bench: hvc-xen-version). */
static __attribute__((noinline)) long hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    if (cmd != HVMOP_get_param)
        return cmd == HVMOP_set_param ? -XAM_EPERM : -XAM_ENOSYS;
    struct xen_hvm_param p;
    if (guest_copy_from(v, &p, arg, sizeof(p)))
        return -XAM_EFAULT;
    if (p.domid != DOMID_SELF && p.domid != v->dom->id)
        return -XAM_EPERM;
    switch (p.index) {
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
        p.value = 0;
        return guest_copy_to(v, arg, &p, sizeof(p));
    case HVM_PARAM_CONSOLE_PFN:
        p.value = pvconsole_pfn(v->dom);
        return guest_copy_to(v, arg, &p, sizeof(p));
    case HVM_PARAM_CONSOLE_EVTCHN:
        p.value = pvconsole_evtchn(v->dom);
        return guest_copy_to(v, arg, &p, sizeof(p));
    default:
        return -XAM_EINVAL;
    }
}

static __attribute__((noinline)) long vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = v->dom;
    if (vcpuid >= d->nr_vcpus)
        return -XAM_ENOENT;
    switch (cmd) {
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;
        if (guest_copy_from(v, &info, arg, sizeof(info)))
            return -XAM_EFAULT;
        /* vcpu_info is 64 bytes, 8-aligned, and must not cross a page:
         * -ENXIO otherwise, as Xen (map_guest_area) answers */
        if (info.offset > PAGE_SIZE - 64 || info.offset % 8)
            return -XAM_ENXIO;
        if (!domain_ram_ptr(d, info.mfn << PAGE_SHIFT, PAGE_SIZE))
            return -XAM_EINVAL;
        d->vcpus[vcpuid].vcpu_info = (info.mfn << PAGE_SHIFT) + info.offset;
        /* as Xen: every selector bit set and an upcall, so that nothing
         * raised before the registration is lost */
        evtchn_vcpu_info_registered(&d->vcpus[vcpuid]);
        return 0;
    }
    case VCPUOP_register_runstate_memory_area:
        /* No steal time is reported: the area stays as the guest left it
         * (zero), which reads as "never runnable-but-waiting". */
        return 0;
    default:
        return -XAM_ENOSYS;
    }
}

static __attribute__((noinline)) long sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct domain *d = v->dom;
    struct sched_shutdown sd;
    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        sched_block(v);
        return 0;
    case SCHEDOP_shutdown:
        if (guest_copy_from(v, &sd, arg, sizeof(sd)))
            return -XAM_EFAULT;
        switch (sd.reason) {
        case SHUTDOWN_poweroff:
            domain_shutdown(d, "powered off (SCHEDOP_shutdown)");
            return 0;
        case SHUTDOWN_reboot:
            domain_reset(d, "reset (SCHEDOP_shutdown reboot)");
            return 0;
        case SHUTDOWN_crash:
        case SHUTDOWN_watchdog:
            domain_shutdown(d, sd.reason == SHUTDOWN_crash ? "crashed (SCHEDOP_shutdown)" : "watchdog fired");
            return 0;
        default:
            return -XAM_EINVAL;
        }
    default:
        return -XAM_ENOSYS;
    }
}

/* A guest's console_io writes go to its console, as its vPL011 and PV
 * console output do: "(name) text" lines, control characters made
 * harmless (Xen lets a domU write only in debug builds; here any domain
 * may, its lines being its own). Reading gives nothing: input goes to the
 * vPL011 and the PV console ring. */
static __attribute__((noinline)) long console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    if (cmd == CONSOLEIO_read)
        return 0;
    if (cmd != CONSOLEIO_write)
        return -XAM_ENOSYS;
    char chunk[128];
    uint64_t done = 0;
    /* at most 4 KiB a call (the caller loops on a short write, as Linux
     * does): one guest cannot hold this CPU printing forever */
    count = MIN(count, 4096);
    while (done < count) {
        size_t n = (size_t)MIN(count - done, sizeof(chunk));
        if (guest_copy_from(v, chunk, buf + done, n))
            return done ? (long)done : -XAM_EFAULT;
        domain_console_write(v->dom, CONSOLE_XEN_IO, chunk, n);
        done += n;
    }
    return (long)count;
}

static enum emul_result hypercall_dispatch(struct vcpu *v)
{
    uint64_t *x = v->arch.regs.x;
    long ret;
    switch (x[16]) {
    case __HYPERVISOR_xen_version:
        ret = xen_version(v, x[0], x[1]);
        break;
    case __HYPERVISOR_hvm_op:
        ret = hvm_op(v, x[0], x[1]);
        break;
    case __HYPERVISOR_memory_op:
        ret = memory_op(v, x[0], x[1]);
        break;
    case __HYPERVISOR_vcpu_op:
        ret = vcpu_op(v, x[0], x[1], x[2]);
        break;
    case __HYPERVISOR_sched_op:
        ret = sched_op(v, x[0], x[1]);
        break;
    case __HYPERVISOR_event_channel_op:
        ret = event_channel_op(v, x[0], x[1]);
        break;
    case __HYPERVISOR_console_io:
        ret = console_io(v, x[0], x[1], x[2]);
        break;
    case __HYPERVISOR_grant_table_op:
        ret = grant_table_op(v, x[0], x[1], x[2]);
        break;
    case __HYPERVISOR_dm_op:
        ret = dm_op(v, x[0], x[1], x[2]);
        break;
    default: /* vm_assist, multicall...: not here */
        log_debug("%s: vCPU%u: hypercall %llu (0x%llx) not implemented", v->dom->name, v->id, (unsigned long long)x[16],
                  (unsigned long long)x[0]);
        ret = -XAM_ENOSYS;
        break;
    }
    x[0] = (uint64_t)ret;
    return EMUL_HANDLED;
}

int hypercall_init(void) { return emul_call_register(EMUL_HVC, XEN_HYPERCALL_TAG, hypercall_dispatch); }
