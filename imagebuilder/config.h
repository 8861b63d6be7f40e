/* The ImageBuilder-style configuration: bash variable assignments read
 * without a shell (config_parse), then checked and typed (config_interpret).
 * Nothing is ever evaluated: a construct that would need a shell is an
 * error naming file:line. */
#ifndef IB_CONFIG_H
#define IB_CONFIG_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* As many domains as the hypervisor builds. */
#define IB_MAX_DOMUS 64
#define IB_MAX_CPUPOOLS 16
#define IB_MAX_POOL_CPUS 64
#define IB_MAX_STATIC 16 /* "base size" pairs per domain */
/* virtio disks per domain: DOMU_VIRTIO_DISK*[n,k], k below this */
#define IB_MAX_DISKS 8
/* DOMU_VCPU_HARD_AFFINITY[n,v]: v below this (the hypervisor's vCPUs) */
#define IB_MAX_VCPUS 128 /* the builder's limit (Xen's) */
/* ImageBuilder's keys that each set one u32 property of the domain node
 * (DOMU_NR_SPIS: nr_spis, ...): config.c's ib_xen_u32 table */
#define IB_XEN_U32 6
struct ib_xen_u32 {
    const char *key, *prop;
};
extern const struct ib_xen_u32 ib_xen_u32[IB_XEN_U32];
#define IB_MAX_WARNINGS 8
/* DOMU_STATIC_EVTCHNS[n]: definitions per domain (the builder takes
 * fewer, and says so in its words) */
#define IB_MAX_EVTCHN 64

/* One assignment as written: the text after quote removal and the line the
 * assignment started on (0: never assigned). */
struct ib_value {
    char *str;
    unsigned line;
};

struct ib_raw_domu {
    struct ib_value kernel, ramdisk, passthrough_dtb, mem, vcpus, cmd, enhanced, static_mem, direct_map, noboot, vpl011,
        cpupool, pci_bridge, device_model, device_model_hold, virtio_rng, virtio_console;
    /* DOMU_VIRTIO_DISK[n,k], DOMU_VIRTIO_DISK_RO[n,k], DOMU_VIRTIO_DISK_PATH[n,k] */
    struct ib_value disk[IB_MAX_DISKS], disk_ro[IB_MAX_DISKS], disk_path[IB_MAX_DISKS];
    struct ib_value affinity[IB_MAX_VCPUS]; /* DOMU_VCPU_HARD_AFFINITY[n,v] */
    struct ib_value shared_mem; /* DOMU_SHARED_MEM[n] */
    struct ib_value xen_u32[IB_XEN_U32]; /* in ib_xen_u32's order */
    struct ib_value caps, static_evtchns; /* DOMU_CAPS[n], DOMU_STATIC_EVTCHNS[n] */
};

struct ib_raw {
    struct ib_value memory_start, memory_end, load_cmd, boot_cmd, device_tree, xen, xen_cmd, num_domus, num_cpupools,
        uboot_source, uboot_script, fdtedit, append_extra_cmds, static_heap;
    struct ib_value cpupool[IB_MAX_CPUPOOLS];
    struct ib_raw_domu domu[IB_MAX_DOMUS];
};

/* Parse text (len bytes, need not be NUL-terminated) named `file` in
 * messages. On error, *raw holds what was read so far: free it anyway. */
int config_parse(const char *file, const char *text, size_t len, struct ib_raw *raw, struct ib_error *err);
void config_raw_free(struct ib_raw *raw);

enum ib_boot_cmd { BOOT_BOOTI, BOOT_BOOTM, BOOT_NONE };
enum ib_bridge { BRIDGE_NONE, BRIDGE_DEFAULT, BRIDGE_EXPLICIT };

struct ib_domain {
    unsigned index;
    bool boot; /* false: DOMU_NOBOOT, nothing written */
    const char *kernel, *ramdisk, *passthrough; /* paths as written (NULL: none) */
    unsigned kernel_line, ramdisk_line, passthrough_line;
    uint64_t mem_kib;
    uint32_t vcpus;
    const char *cmd; /* NULL: no bootargs */
    int enhanced; /* 0: no property, 1 "enabled", 2 "no-xenstore" */
    unsigned nr_static;
    uint64_t static_mem[2 * IB_MAX_STATIC];
    bool direct_map, vpl011;
    int cpupool; /* -1: none */
    enum ib_bridge bridge;
    uint64_t bridge_v[9];
    int device_model; /* -1: none */
    bool hold;
    /* virtio devices its device model serves (k order: node order, so
     * PCI slots 0, 1, ... then the rng, then the console) */
    unsigned ndisks;
    struct ib_disk {
        unsigned k; /* the config's index */
        const char *file; /* loaded as a disk module, or NULL */
        unsigned line;
        const char *path; /* backend-path in the device model's domain, or NULL */
        bool ro;
    } disk[IB_MAX_DISKS];
    bool virtio_rng, virtio_console;
    const char *affinity[IB_MAX_VCPUS]; /* hard-affinity of vCPU v, or NULL */
    /* DOMU_SHARED_MEM[n]="ID HPA GPA SIZE", as ImageBuilder's (NULL: none) */
    char shm_id[64]; /* "": none */
    uint64_t shm[3]; /* host address, guest address, size */
    bool has_xen_u32[IB_XEN_U32];
    uint32_t xen_u32[IB_XEN_U32];
    bool has_caps; /* DOMU_CAPS[n]: capabilities = <caps> */
    uint32_t caps;
    /* DOMU_STATIC_EVTCHNS[n]="local_port remote_dom_idx remote_port; ...",
     * in the config's order: a node evtchn@<port> each, linked to its
     * peer, the remote domain's definition that names this one back */
    unsigned nevtchn;
    struct ib_evtchn {
        uint32_t port, rport;
        unsigned rdom; /* the remote domain's config index */
        unsigned peer; /* the index of the other end in dom[rdom].evtchn */
    } evtchn[IB_MAX_EVTCHN];
};

struct ib_cpupool {
    unsigned ncpus;
    char *cpus[IB_MAX_POOL_CPUS]; /* node names under /cpus */
    char *sched; /* NULL: the hypervisor's default */
    unsigned line;
};

struct ib_config {
    const char *file;
    uint64_t mem_start, mem_end;
    const char *load_cmd; /* NULL: not in the file (then -t must give it) */
    enum ib_boot_cmd boot_cmd;
    const char *device_tree, *xen, *xen_cmd;
    unsigned nr_heap; /* XEN_STATIC_HEAP="base size ...": /chosen's xen,static-heap */
    uint64_t heap[2 * IB_MAX_STATIC];
    unsigned device_tree_line, xen_line;
    unsigned ndomus, ncpupools;
    struct ib_domain dom[IB_MAX_DOMUS];
    struct ib_cpupool pool[IB_MAX_CPUPOOLS];
    const char *uboot_source, *uboot_script, *fdtedit, *append_extra_cmds;
    unsigned uboot_source_line, uboot_script_line, fdtedit_line, append_extra_cmds_line;
    /* what ImageBuilder would do without a word, said ("FILE:LINE: ...") */
    unsigned nwarnings;
    char warning[IB_MAX_WARNINGS][256];
};

/* Check every value and apply ImageBuilder's defaults. Strings in *cfg
 * point into *raw (keep it alive); pool CPU names are owned by *cfg. */
int config_interpret(const char *file, const struct ib_raw *raw, struct ib_config *cfg, struct ib_error *err);
void config_free(struct ib_config *cfg);

/* The expansion of -t's shorthands (tftp, sd, scsi, usb, virtio). */
const char *config_load_cmd(const char *t);

/* The longest path a config may write (a name the script loads is held
 * to IB_NAME_MAX once made relative to -d, see build.c). */
#define IB_PATH_MAX 1024
/* The longest load command (-t or LOAD_CMD). */
#define IB_LOAD_CMD_MAX 64

/* Why a load command (-t or LOAD_CMD, after the shorthands) cannot be
 * copied into the script's load lines, or NULL: it must be a few words of
 * letters, digits and ._:,/+=@- (no ; # quotes $ \ or control characters,
 * which would change the script's structure). *bad_char: the first
 * character refused, or 0. */
const char *config_bad_load_cmd(const char *s, char *bad_char);

/* Whether a path has a ".." component. */
bool config_has_dotdot(const char *s);

/* Characters that cannot cross U-Boot 2023.01's hush inside a double-quoted
 * word (it keeps backslashes, expands $, and a ' aborts the whole script):
 * returns the first one in s, or 0. */
char config_unsafe_char(const char *s);

#endif
