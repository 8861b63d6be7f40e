/* PL011 / SBSA UART, polled transmit (common/console_tx.c looks at the
 * FIFO and writes when it has room): the hypervisor console. */
#ifndef XAM_PL011_H
#define XAM_PL011_H

#include <xam/types.h>

void pl011_putc(paddr_t base, char c);
/* Whether the transmit FIFO is full; one character, when it is not. */
bool pl011_tx_full(paddr_t base);
void pl011_put(paddr_t base, char c);
/* Wait until everything written has left the FIFO. */
void pl011_flush(paddr_t base);
/* Interrupt on received characters (and the receive time-out). */
void pl011_enable_rx_irq(paddr_t base);
/* Next received character, or -1 when the receive FIFO is empty. */
int pl011_getc(paddr_t base);

#endif
