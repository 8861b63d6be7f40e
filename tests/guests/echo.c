/* Console input reaches a guest: the vPL011's receive interrupt fires, the
 * characters come out of its data register in order, and the guest echoes
 * the line it was given. */
#include "gicv3.h"
#include "lib.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_MIS 0x40
#define RX_INTS ((1u << 4) | (1u << 6))
#define TX_INT (1u << 5)
#define VPL011_SPI 32

static volatile char line[64];
static volatile unsigned len, done, rx_irqs, tx_irqs;

void guest_irq(void);
void guest_irq(void)
{
    volatile uint32_t *uart = (volatile uint32_t *)VPL011;
    unsigned intid = gic_ack();
    if (intid == VPL011_SPI && (uart[UART_MIS / 4] & TX_INT)) {
        /* TX wants data; we have none: mask it, or it stays raised */
        tx_irqs++;
        uart[UART_IMSC / 4] &= ~TX_INT;
    } else if (intid == VPL011_SPI) {
        rx_irqs++;
        while (!(uart[UART_FR / 4] & (1u << 4))) { /* until RXFE */
            char c = (char)uart[UART_DR / 4];
            if (c == '\r' || c == '\n')
                done = 1;
            else if (len < sizeof(line) - 1)
                line[len++] = c;
        }
    }
    gic_eoi(intid);
}

void guest_main(void);
void guest_main(void)
{
    volatile uint32_t *uart = (volatile uint32_t *)VPL011;
    gic_dist_enable();
    gic_enable_spi(VPL011_SPI);
    gic_cpu_init(0, 0);
    uart[UART_IMSC / 4] = RX_INTS;
    puts_("echo: waiting for a line\n");
    while (!done)
        __asm__ volatile("wfi");
    uart[UART_IMSC / 4] = 0;
    line[len] = 0;
    puts_("echo: got \"");
    puts_((const char *)line);
    puts_("\"\n");
    check(rx_irqs > 0, "the receive interrupt fired");
    check((uart[UART_MIS / 4] & RX_INTS) == 0, "with the input drained and masked, no interrupt is raised");
    uart[UART_IMSC / 4] = TX_INT; /* the transmit FIFO is empty: TX fires */
    for (int i = 0; i < 100 && !tx_irqs; i++)
        __asm__ volatile("wfi");
    check(tx_irqs == 1, "the transmit interrupt fired once when unmasked, and stopped when masked");
    psci_system_off();
}
