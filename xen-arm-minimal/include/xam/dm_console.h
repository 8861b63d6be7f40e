/* A guest's virtio-console, served by its device model (issue 12): the
 * device model emulates the device, and the hypervisor keeps what makes it
 * the guest's console. What the guest writes to it, the device model hands
 * over with XAM_DMOP_console_write and it becomes the guest's own console
 * lines (its name as prefix, as its vPL011 output); what is typed while the
 * console input switch (Ctrl-A three times) is on the guest waits here until
 * the device model takes it with XAM_DMOP_console_read and puts it in the
 * guest's receive queue. Xen has no such interface (there a device model
 * prints where it likes): the two dm_ops are ours, docs/hypercalls.md. */
#ifndef XAM_DM_CONSOLE_H
#define XAM_DM_CONSOLE_H

#include <asm/spinlock.h>
#include <xam/types.h>

struct domain;

#define DM_CONSOLE_IN_SIZE 256 /* typed input not yet taken (a power of 2) */

/* In struct domain, which lives as long as the hypervisor: console input
 * may look at it from any CPU while the domain stops or is rebuilt. */
struct dm_console {
    spinlock_t lock;
    bool present; /* the guest has a virtio-console on its bridge */
    uint32_t in_prod, in_cons; /* free-running indices into in[] */
    char in[DM_CONSOLE_IN_SIZE];
};

/* The builder, for a guest given a virtio-console (building or
 * rebuilding): input goes to it from now on, none left from a past life. */
void dm_console_attach(struct domain *d);
/* Whether d has one (console input may go to it). */
bool dm_console_present(const struct domain *d);
/* A character typed for d: kept for its device model if d has one and
 * room (false if not: it waits in d's input, xam/domain_input.h). */
bool dm_console_receive(struct domain *d, char c);
/* Its device model takes up to max typed characters: how many. */
size_t dm_console_take(struct domain *d, char *buf, size_t max);

#endif
