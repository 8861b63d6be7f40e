/* Xen's event channels as guests see them (public headers event_channel.h,
 * xen.h and arch-arm.h), for arm64: the hypercall's argument structures
 * and the two guest pages the hypervisor writes, shared_info and
 * vcpu_info. xen_ulong_t is 64-bit on Arm (even for 32-bit guests), so the
 * 2-level ABI has 64 x 64 = 4096 ports; XEN_LEGACY_MAX_VCPUS is 1 on Arm,
 * so shared_info holds the vcpu_info of vCPU 0 only. Every offset a guest
 * built against Xen's headers relies on is checked below. */
#ifndef XAM_XEN_ABI_EVTCHN_H
#define XAM_XEN_ABI_EVTCHN_H

#include <xam/types.h>

typedef uint64_t xen_ulong_t;
typedef uint32_t evtchn_port_t;
typedef uint16_t domid_t;

#define XEN_LEGACY_MAX_VCPUS 1
#define XEN_ULONG_BITS 64
/* 2-level ABI: one selector bit per xen_ulong_t word of pending bits */
#define EVTCHN_2L_NR_CHANNELS (XEN_ULONG_BITS * XEN_ULONG_BITS)

/* event_channel_op (x0 = cmd, x1 = the structure) */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

struct evtchn_alloc_unbound {
    domid_t dom, remote_dom; /* in */
    evtchn_port_t port; /* out */
};

struct evtchn_bind_interdomain {
    domid_t remote_dom; /* in */
    evtchn_port_t remote_port; /* in */
    evtchn_port_t local_port; /* out */
};

struct evtchn_bind_virq {
    uint32_t virq, vcpu; /* in */
    evtchn_port_t port; /* out */
};

struct evtchn_bind_ipi {
    uint32_t vcpu; /* in */
    evtchn_port_t port; /* out */
};

/* close, send and unmask take just the port */
struct evtchn_port_arg {
    evtchn_port_t port;
};

#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
    domid_t dom; /* in */
    evtchn_port_t port; /* in */
    uint32_t status; /* out: EVTCHNSTAT_* */
    uint32_t vcpu; /* out: the vCPU it notifies */
    union {
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};

struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};

struct evtchn_reset {
    domid_t dom;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound");
_Static_assert(__builtin_offsetof(struct evtchn_alloc_unbound, remote_dom) == 2, "alloc_unbound.remote_dom");
_Static_assert(__builtin_offsetof(struct evtchn_alloc_unbound, port) == 4, "alloc_unbound.port");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain, remote_port) == 4, "bind_interdomain.remote_port");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain, local_port) == 8, "bind_interdomain.local_port");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq");
_Static_assert(__builtin_offsetof(struct evtchn_bind_virq, port) == 8, "bind_virq.port");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi");
_Static_assert(sizeof(struct evtchn_port_arg) == 4, "evtchn_close/send/unmask");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");
_Static_assert(__builtin_offsetof(struct evtchn_status, port) == 4, "status.port");
_Static_assert(__builtin_offsetof(struct evtchn_status, status) == 8, "status.status");
_Static_assert(__builtin_offsetof(struct evtchn_status, vcpu) == 12, "status.vcpu");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "status.u");
_Static_assert(__builtin_offsetof(struct evtchn_status, u.interdomain.port) == 20, "status.u.interdomain.port");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu");
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset");

/* Virtual IRQs (xen.h). Xen's kinds: per vCPU (V), per domain (D), global
 * (G: one handler domain for the machine, by default the hardware domain;
 * the VIRQ_ARCH_* ones are global on Arm). */
#define VIRQ_TIMER 0 /* V */
#define VIRQ_DEBUG 1 /* V */
#define VIRQ_CONSOLE 2 /* G */
#define VIRQ_DOM_EXC 3 /* G */
#define VIRQ_XENOPROF 7 /* V */
#define VIRQ_ARGO 11 /* D */
#define VIRQ_XENPMU 13 /* V */
#define VIRQ_ARCH_7 23 /* G */
#define NR_VIRQS 24

/* vcpu_time_info: 32 bytes the hypervisor never writes here */
struct xen_vcpu_time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags, pad1[2];
};

/* vcpu_info on Arm: no upcall mask (XEN_HAVE_PV_UPCALL_MASK is x86's),
 * an empty arch part: 48 bytes. */
struct xen_vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t pad0;
    xen_ulong_t evtchn_pending_sel; /* bit i: word i of evtchn_pending has news */
    struct xen_vcpu_time_info time;
};

/* shared_info on Arm (the arch part is empty). */
struct xen_shared_info {
    struct xen_vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[XEN_ULONG_BITS];
    xen_ulong_t evtchn_mask[XEN_ULONG_BITS];
    uint32_t wc_version, wc_sec, wc_nsec, wc_sec_hi;
};

_Static_assert(sizeof(struct xen_vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(sizeof(struct xen_vcpu_info) == 48, "vcpu_info (arm64)");
_Static_assert(__builtin_offsetof(struct xen_vcpu_info, evtchn_pending_sel) == 8, "vcpu_info.evtchn_pending_sel");
_Static_assert(__builtin_offsetof(struct xen_vcpu_info, time) == 16, "vcpu_info.time");
_Static_assert(__builtin_offsetof(struct xen_shared_info, evtchn_pending) == 48, "shared_info.evtchn_pending");
_Static_assert(__builtin_offsetof(struct xen_shared_info, evtchn_mask) == 560, "shared_info.evtchn_mask");
_Static_assert(__builtin_offsetof(struct xen_shared_info, wc_version) == 1072, "shared_info.wc_version");
_Static_assert(sizeof(struct xen_shared_info) == 1088, "shared_info (arm64)");
_Static_assert(sizeof(struct xen_shared_info) <= PAGE_SIZE, "shared_info fits its page");

#endif
