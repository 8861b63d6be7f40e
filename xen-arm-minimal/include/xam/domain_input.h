/* What is typed for a domain (the console's input while the Ctrl-A switch
 * is on it), kept here until the guest takes it: a paste is far more than
 * its devices hold (the vPL011's FIFO 32 characters, the Xen console ring
 * 1 KiB, the virtio-console's queue for its device model 256). Each
 * character goes, in order, to the first chance any of its consoles has
 * room: when it is typed, and again whenever the guest reads its vPL011,
 * signals its PV console (Linux does after reading the ring) or its device
 * model takes virtio-console input. A console without room when another
 * takes a character misses it (the guest reads only one). Only when
 * DOMAIN_INPUT_SIZE characters wait is input dropped: counted, and said on
 * the console when it starts and, with the count, when it ends. */
#ifndef XAM_DOMAIN_INPUT_H
#define XAM_DOMAIN_INPUT_H

#include <asm/spinlock.h>
#include <xam/types.h>

struct domain;

#define DOMAIN_INPUT_SIZE 4096 /* a power of 2 */

/* In struct domain, which lives as long as the hypervisor: console input
 * may look at it from any CPU while the domain stops or is rebuilt. */
struct domain_input {
    spinlock_t lock;
    uint32_t prod, cons; /* free-running indices into buf[] */
    char buf[DOMAIN_INPUT_SIZE];
    uint64_t dropped; /* in the flood going on: said when it ends */
    uint64_t dropped_total;
    /* its vPL011's receive (vdev/vpl011.c sets it): whether it took c */
    bool (*uart_receive)(struct domain *d, char c);
};

/* A character typed for d: to its consoles now, or kept for them (console
 * input, the UART's interrupt). */
void domain_input_typed(struct domain *d, char c);
/* A console of d may have room again: what waits goes into it. */
void domain_input_pump(struct domain *d);
/* d stopped or is being rebuilt: what waits was typed for its old life. */
void domain_input_clear(struct domain *d);
/* Characters waiting for d. */
size_t domain_input_waiting(struct domain *d);

#endif
