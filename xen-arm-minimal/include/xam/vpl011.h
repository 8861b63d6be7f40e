/* Virtual SBSA UART (the PL011 subset Xen's vpl011 offers), at guest
 * address 0x22000000. Guest output reaches the host console one line at a
 * time, prefixed with the domain's name. */
#ifndef XAM_VPL011_H
#define XAM_VPL011_H

#include <xam/types.h>

#include <xam/guest_map.h>

struct domain;

int vpl011_attach(struct domain *d);
/* Console input for d: queued in its receive FIFO, with the receive
 * interrupt raised. False if d has none or it is full (the character
 * waits in d's input, xam/domain_input.h, until the guest reads). */
bool vpl011_receive(struct domain *d, char c);

#endif
