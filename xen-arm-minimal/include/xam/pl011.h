/* PL011 / SBSA UART, polled transmit: the hypervisor console. */
#ifndef XAM_PL011_H
#define XAM_PL011_H

#include <xam/types.h>

void pl011_putc(paddr_t base, char c);
/* Wait until everything written has left the FIFO. */
void pl011_flush(paddr_t base);

#endif
