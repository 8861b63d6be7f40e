/* The part of Xen's guest ABI (public headers xen.h, version.h, memory.h,
 * vcpu.h, sched.h, event_channel.h, hvm/params.h, hvm/dm_op.h,
 * io/console.h) that we answer, as numbers and byte offsets: guests built
 * against Xen's headers must find their structures where they put them.
 * Written from those headers' documented layouts for arm64 (xen_ulong_t
 * and pointers are 64-bit, guest handles are 64-bit). */
#ifndef XAM_XEN_ABI_H
#define XAM_XEN_ABI_H

#include <xam/types.h>

/* HVC #0xEA1, number in x16, arguments x0-x4, result in x0 */
#define XEN_HYPERCALL_TAG 0xea1

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34
#define __HYPERVISOR_dm_op 41

/* The Xen interface version we present (compatible "xen,xen-4.17"). */
#define XEN_ABI_MAJOR 4
#define XEN_ABI_MINOR 17
#define XEN_ABI_COMPATIBLE "xen,xen-4.17"

/* xen_version (public/version.h): x0 the sub-op, x1 the buffer (none for
 * version and pagesize, which answer in x0) */
#define XENVER_version 0
#define XENVER_extraversion 1 /* char[16] */
#define XEN_EXTRAVERSION_LEN 16
#define XENVER_compile_info 2
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_by) == 64, "compile_info.compile_by");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_domain) == 80, "compile_info.compile_domain");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_date) == 112, "compile_info.compile_date");
#define XENVER_capabilities 3 /* char[1024] */
#define XEN_CAPABILITIES_INFO_LEN 1024
#define XENVER_changeset 4 /* char[64] */
#define XEN_CHANGESET_INFO_LEN 64
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
    uint64_t virt_start; /* xen_ulong_t */
};
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "xen_platform_parameters");
#define XENVER_get_features 6
struct xen_feature_info {
    uint32_t submap_idx;
    uint32_t submap;
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info");
#define XENVER_pagesize 7
#define XENVER_guest_handle 8 /* xen_domain_handle_t: uint8_t[16], the domain's UUID */
#define XEN_DOMAIN_HANDLE_LEN 16
#define XENVER_commandline 9 /* char[1024] */
#define XEN_COMMANDLINE_LEN 1024
#define XENVER_build_id 10
struct xen_build_id {
    uint32_t len; /* in: the size of buf */
    unsigned char buf[]; /* out */
};
_Static_assert(sizeof(struct xen_build_id) == 4, "xen_build_id");
/* What Xen writes where a caller may not see the answer (xen_deny()). */
#define XEN_DENIED "<denied>"
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_not_direct_mapped 16
#define XENFEAT_direct_mapped 17

/* memory_op */
#define XENMEM_add_to_physmap 7
struct xen_add_to_physmap {
    uint16_t domid;
    uint16_t size; /* for the gmfn_range space only */
    uint32_t space;
    uint64_t idx;
    uint64_t gpfn;
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, space) == 4, "xatp.space");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, gpfn) == 16, "xatp.gpfn");
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define DOMID_SELF 0x7ff0

/* vcpu_op (x1 = vCPU id) */
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_register_vcpu_info 10
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_register_vcpu_info");

/* sched_op */
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
struct sched_shutdown {
    uint32_t reason;
};
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4

/* event_channel_op */
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_init_control 11

/* console_io (x1 = count, x2 = buffer) */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* hvm_op */
#define HVMOP_set_param 0
#define HVMOP_get_param 1
struct xen_hvm_param {
    uint16_t domid;
    uint16_t pad;
    uint32_t index;
    uint64_t value;
};
_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");
_Static_assert(__builtin_offsetof(struct xen_hvm_param, index) == 4, "hvm_param.index");
_Static_assert(__builtin_offsetof(struct xen_hvm_param, value) == 8, "hvm_param.value");
#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18

/* The PV console ring (public/io/console.h): the page HVM_PARAM_CONSOLE_PFN
 * names. The guest produces into out[] and consumes in[]; indices are free
 * running, an index into the ring is idx & (size - 1). connection (Xen
 * 4.19) reads 0, "connected", while the other end serves the ring. */
typedef uint32_t XENCONS_RING_IDX;
struct xencons_interface {
    char in[1024];
    char out[2048];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
    uint8_t connection;
};
#define XENCONSOLE_CONNECTED 0
_Static_assert(__builtin_offsetof(struct xencons_interface, out) == 1024, "xencons.out");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_cons) == 3072, "xencons.in_cons");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_prod) == 3076, "xencons.in_prod");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_cons) == 3080, "xencons.out_cons");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_prod) == 3084, "xencons.out_prod");
_Static_assert(__builtin_offsetof(struct xencons_interface, connection) == 3088, "xencons.connection");
_Static_assert(sizeof(struct xencons_interface) <= 4096, "one page");

/* dm_op(domid, nr_bufs, bufs): bufs[i] = struct xen_dm_op_buf; bufs[0]
 * holds struct xen_dm_op (public/hvm/dm_op.h) */
#define XEN_DMOP_create_ioreq_server 1
#define XEN_DMOP_get_ioreq_server_info 2
#define XEN_DMOP_map_io_range_to_ioreq_server 3
#define XEN_DMOP_unmap_io_range_from_ioreq_server 4
#define XEN_DMOP_set_ioreq_server_state 5
#define XEN_DMOP_destroy_ioreq_server 6
#define XEN_DMOP_set_irq_level 19
#define XEN_DMOP_nr_vcpus 20
/* Ours, not Xen's (Xen answers them -EOPNOTSUPP): a guest's virtio-console
 * through its device model (include/xam/dm_console.h). bufs[1] holds the
 * bytes; struct xam_dm_op_console_io says how many (at most
 * XAM_DMOP_CONSOLE_MAX a call), and how many were read. */
#define XAM_DMOP_console_write 0x7801
#define XAM_DMOP_console_read 0x7802
#define XAM_DMOP_CONSOLE_MAX 1024
#define XEN_DMOP_IO_RANGE_PORT 0
#define XEN_DMOP_IO_RANGE_MEMORY 1
#define XEN_DMOP_IO_RANGE_PCI 2

struct xen_dm_op_buf {
    uint64_t h; /* guest handle */
    uint64_t size;
};

struct xen_dm_op_create_ioreq_server {
    uint8_t handle_bufioreq;
    uint8_t pad[3];
    uint16_t id; /* out */
};

struct xen_dm_op_get_ioreq_server_info {
    uint16_t id;
    uint16_t flags; /* XEN_DMOP_no_gfns: the pages come by acquire_resource */
    uint32_t bufioreq_port; /* out */
    uint64_t ioreq_gfn; /* out */
    uint64_t bufioreq_gfn; /* out */
};
#define XEN_DMOP_no_gfns 1u

struct xen_dm_op_set_irq_level {
    uint32_t irq;
    uint8_t level;
    uint8_t pad[3];
};

struct xen_dm_op_nr_vcpus {
    uint32_t vcpus; /* out */
};

struct xen_dm_op_ioreq_server_range {
    uint16_t id;
    uint16_t pad;
    uint32_t type;
    uint64_t start, end; /* inclusive */
};

struct xen_dm_op_set_ioreq_server_state {
    uint16_t id;
    uint8_t enabled;
    uint8_t pad;
};

struct xen_dm_op_destroy_ioreq_server {
    uint16_t id;
    uint16_t pad;
};

struct xam_dm_op_console_io {
    uint32_t len; /* in: bytes in bufs[1] to write / room to read; out (read): bytes read */
    uint32_t pad;
};

struct xen_dm_op {
    uint32_t op;
    uint32_t pad;
    union {
        struct xen_dm_op_create_ioreq_server create_ioreq_server;
        struct xen_dm_op_get_ioreq_server_info get_ioreq_server_info;
        struct xen_dm_op_set_irq_level set_irq_level;
        struct xen_dm_op_nr_vcpus nr_vcpus;
        struct xen_dm_op_ioreq_server_range map_io_range_to_ioreq_server;
        struct xen_dm_op_ioreq_server_range unmap_io_range_from_ioreq_server;
        struct xen_dm_op_set_ioreq_server_state set_ioreq_server_state;
        struct xen_dm_op_destroy_ioreq_server destroy_ioreq_server;
        struct xam_dm_op_console_io console_io;
    } u; /* Xen's union has more (and larger) members: we read only these */
};

_Static_assert(sizeof(struct xen_dm_op_buf) == 16, "xen_dm_op_buf");
_Static_assert(sizeof(struct xen_dm_op) == 32, "the part of xen_dm_op read");
_Static_assert(__builtin_offsetof(struct xen_dm_op, u) == 8, "xen_dm_op.u");
_Static_assert(__builtin_offsetof(struct xen_dm_op_create_ioreq_server, id) == 4, "create.id");
_Static_assert(__builtin_offsetof(struct xen_dm_op_ioreq_server_range, type) == 4, "range.type");
_Static_assert(__builtin_offsetof(struct xen_dm_op_ioreq_server_range, start) == 8, "range.start");
_Static_assert(__builtin_offsetof(struct xen_dm_op_ioreq_server_range, end) == 16, "range.end");
_Static_assert(__builtin_offsetof(struct xen_dm_op_set_ioreq_server_state, enabled) == 2, "state.enabled");
_Static_assert(sizeof(struct xen_dm_op_get_ioreq_server_info) == 24, "get_ioreq_server_info");
_Static_assert(__builtin_offsetof(struct xen_dm_op_get_ioreq_server_info, bufioreq_port) == 4, "info.port");
_Static_assert(__builtin_offsetof(struct xen_dm_op_get_ioreq_server_info, ioreq_gfn) == 8, "info.ioreq_gfn");
_Static_assert(sizeof(struct xen_dm_op_set_irq_level) == 8, "set_irq_level");
_Static_assert(sizeof(struct xam_dm_op_console_io) == 8, "console_io");

#endif
