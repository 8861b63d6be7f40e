/* Only the registers every PL011 and SBSA UART share (DR, FR): the firmware
 * or QEMU has set the line up, and SBSA UARTs have no baud-rate registers. */
#include <xam/pl011.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_BUSY (1u << 3)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static inline volatile uint32_t *reg(paddr_t base, unsigned off)
{
    return (volatile uint32_t *)(uintptr_t)(base + off);
}

void pl011_putc(paddr_t base, char c)
{
    while (pl011_tx_full(base))
        ;
    pl011_put(base, c);
}

bool pl011_tx_full(paddr_t base) { return *reg(base, UART_FR) & FR_TXFF; }

void pl011_put(paddr_t base, char c) { *reg(base, UART_DR) = (unsigned char)c; }

void pl011_enable_rx_irq(paddr_t base)
{
    *reg(base, UART_ICR) = INT_RX | INT_RT;
    *reg(base, UART_IMSC) |= INT_RX | INT_RT;
}

int pl011_getc(paddr_t base)
{
    if (*reg(base, UART_FR) & FR_RXFE)
        return -1;
    return (int)(*reg(base, UART_DR) & 0xff);
}

void pl011_flush(paddr_t base)
{
    while (*reg(base, UART_FR) & FR_BUSY)
        ;
}
