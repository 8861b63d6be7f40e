/* What xam-devmodel serves: its clients, each with its bridge layout, RAM
 * banks and devices. Read from this domain's device tree (the builder's
 * /device-model node, config_dt.c) and from the command line or a config
 * file (config_args.c); see docs/device-models.md. */
#ifndef XAM_DM_CONFIG_H
#define XAM_DM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/dm_bus.h"

#define DM_MAX_CLIENTS 16
#define DM_MAX_DEVICES 8 /* per client */
#define DM_MAX_BANKS 8
/* The bridge's flags (docs/bindings.md): bit 0, its guest's DMA addresses
 * are Xen grant addresses (xen/grantmem.h) */
#define DM_BRIDGE_GRANTS 1u

struct dm_device_cfg {
    enum dm_device_kind kind;
    unsigned slot;
    char path[256]; /* virtio-blk: the backing file or block device */
    uint32_t pmem; /* virtio-blk: phandle of a pmem-region node (0: path) */
    bool read_only;
    char serial[21];
    char origin[160]; /* where it was configured, for messages */
};

struct dm_bank {
    uint64_t base, size;
};

struct dm_client_cfg {
    unsigned domid;
    char name[64];
    struct dm_bridge_layout bridge;
    bool held; /* the client waits for us (informational) */
    unsigned nr_banks; /* 0: unknown, the hypervisor's refusals decide */
    struct dm_bank banks[DM_MAX_BANKS];
    unsigned nr_devices;
    struct dm_device_cfg devices[DM_MAX_DEVICES];
    bool bad; /* skipped: the reason was logged */
    char origin[160];
};

struct dm_config {
    unsigned nr_clients;
    struct dm_client_cfg clients[DM_MAX_CLIENTS];
    bool no_device_tree; /* --no-device-tree */
    const char *dt_root; /* --device-tree DIR (default /proc/device-tree) */
    unsigned idle_exit; /* --idle-exit SECONDS: 0 never */
    bool verbose; /* --verbose */
};

/* The layout a bridge gets from an empty secondary-emulated-pci-host-bridge
 * property (docs/bindings.md). */
void dm_default_bridge(struct dm_bridge_layout *b);

/* Command line (argv[1..]): 0, or -1 on an unusable argument (logged).
 * An error within a --client/--disk/... option marks its client bad
 * instead. Pass 1 reads all but the devices, pass 2 the devices, once the
 * device tree's clients are known too. */
int dm_config_args(struct dm_config *c, int argc, char **argv, int pass);
/* The builder's /device-model node under c->dt_root: adds its clients.
 * 0 also when there is none; a client node with errors is marked bad. */
int dm_config_dt(struct dm_config *c);

/* The client with that domain id, or a new one (NULL when full). */
struct dm_client_cfg *dm_config_client(struct dm_config *c, unsigned domid, bool create);
/* Checks a client once everything is read: a name, devices on distinct
 * slots, blk with a backing store. Marks it bad (logged) if not. */
void dm_config_check(struct dm_client_cfg *cl);

/* A pmem-region node's block device (/dev/pmemN), found through sysfs:
 * 0, or -1 (logged against origin). Waits up to wait_ms for Linux's
 * of_pmem/nd_pmem to make it. */
int dm_pmem_block_device(const char *dt_root, uint32_t phandle, char *out, unsigned out_size, const char *origin,
                         unsigned wait_ms);

const char *dm_kind_name(enum dm_device_kind k);

#endif
