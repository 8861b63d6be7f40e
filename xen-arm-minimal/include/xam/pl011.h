/* PL011 / SBSA UART, polled transmit: the hypervisor console. */
#ifndef XAM_PL011_H
#define XAM_PL011_H

#include <xam/types.h>

void pl011_putc(paddr_t base, char c);
/* Wait until everything written has left the FIFO. */
void pl011_flush(paddr_t base);
/* Interrupt on received characters (and the receive time-out). */
void pl011_enable_rx_irq(paddr_t base);
/* Next received character, or -1 when the receive FIFO is empty. */
int pl011_getc(paddr_t base);

#endif
