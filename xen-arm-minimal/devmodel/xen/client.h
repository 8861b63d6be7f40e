/* One client of xam-devmodel: its ioreq server, the ioreq page, the event
 * channels of its vCPUs, its RAM and its emulated PCI bus. */
#ifndef XAM_DM_CLIENT_H
#define XAM_DM_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/ioreq.h>

#include "bus/dm_bus.h"
#include "config.h"
#include "guestmem.h"
#include "log.h"

#define DM_MAX_VCPUS 128

/* What every client shares: the libraries' handles. */
struct dm_xen {
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    unsigned chunks_per_client; /* guestmem cache bound */
    bool verbose; /* --verbose: every INTx change logged */
    int console_fd; /* /dev/xen/privcmd for the console dm_ops, or -1 */
};

enum dm_client_state {
    CLIENT_DOWN, /* no server: (re)connect when the domain is there */
    CLIENT_UP, /* serving */
    CLIENT_SKIPPED, /* bad configuration: never served */
};

struct dm_client {
    struct dm_client_cfg *cfg;
    struct dm_xen *xen;
    enum dm_client_state state;
    ioservid_t id;
    xenforeignmemory_resource_handle *res;
    volatile shared_iopage_t *iopage;
    unsigned nr_vcpus;
    evtchn_port_t ports[DM_MAX_VCPUS]; /* local port of vCPU i's channel */
    struct dm_bus *bus;
    struct guestmem mem;
    int fds[DM_MAX_DEVICES]; /* backing stores, open for the program's life */
    struct dm_console_lines console;
    bool work; /* dm_bus_run asked to be called again */
    bool has_console; /* a virtio-console among its devices */
    bool console_local; /* the hypervisor has no console dm_ops for it: print here */
    bool warned_form, warned_irq, warned_down;
    unsigned long ioreqs, connects;
    /* for client_log_counters, over the program's life: the ioreqs by
     * kind, the INTx lines raised, and the bytes of guest memory the bus
     * read and wrote (rings, descriptors and data) */
    unsigned long notifies, mmio_other, config, intx_raised;
    unsigned long long mem_read, mem_written;
};

/* Opens the backing stores: 0, or -1 (logged; the client is skipped). */
int client_open(struct dm_client *c, struct dm_client_cfg *cfg, struct dm_xen *xen, const char *dt_root);
/* Creates and enables the ioreq server: 0, or -1 (logged unless quiet;
 * everything undone). */
int client_connect(struct dm_client *c, bool quiet);
/* Undoes client_connect; destroy: also destroy the server (not when the
 * hypervisor already did). */
void client_disconnect(struct dm_client *c, bool destroy);
/* Is the server still there (the client may have stopped or reset)? */
bool client_alive(struct dm_client *c);
/* The client whose vCPU's channel is local port p fired: serves its slot. */
bool client_has_port(const struct dm_client *c, evtchn_port_t p);
void client_serve(struct dm_client *c);
/* Device work left after the answers: returns true if more remains. */
bool client_run(struct dm_client *c);
/* One log line of the counters above (on SIGUSR1 and at exit). */
void client_log_counters(const struct dm_client *c);
/* What was typed for the client's virtio-console, handed to its bus. */
void client_console_input(struct dm_client *c);

#endif
