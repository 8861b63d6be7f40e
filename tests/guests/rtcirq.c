/* A passed-through device's interrupt reaches the guest: QEMU's PL031 RTC
 * (MMIO and SPI 2 given by a partial device tree) is armed to match the
 * next second, twice; each match must arrive as INTID 34, be cleared at
 * the device, and the second proves the line was unmasked again. The
 * tree may make it level-high or rising-edge (the RTC's line rises at
 * each match): the guest configures its GIC as its tree says. */
#include "fdt.h"
#include "gicv3.h"
#include "lib.h"

#define RTC 0x09010000UL
#define RTC_DR 0x00
#define RTC_MR 0x04
#define RTC_IMSC 0x10
#define RTC_MIS 0x18
#define RTC_ICR 0x1c
#define RTC_INTID 34

static volatile unsigned irqs, others;

void guest_irq(void);
void guest_irq(void)
{
    volatile uint32_t *rtc = (volatile uint32_t *)RTC;
    unsigned intid = gic_ack();
    if (intid == RTC_INTID && (rtc[RTC_MIS / 4] & 1)) {
        rtc[RTC_ICR / 4] = 1; /* the device drops its line */
        irqs++;
    } else if (intid < 1020) {
        others++;
    }
    gic_eoi(intid);
}

static int wait_for(unsigned n)
{
    for (int i = 0; i < 300 && irqs < n; i++)
        delay_ms(10);
    return irqs >= n;
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    volatile uint32_t *rtc = (volatile uint32_t *)RTC;
    int node = fdt_node(fdt, "/passthrough/rtc@9010000"), len;
    const uint8_t *irq = node >= 0 ? fdt_prop(fdt, node, "interrupts", &len) : 0;
    int edge = irq && len == 12 && be32(irq + 8) == 1;
    check(irq && len == 12 && be32(irq) == 0 && be32(irq + 4) == 2 && (be32(irq + 8) == 4 || edge),
          edge ? "my tree gives the RTC SPI 2, rising-edge" : "my tree gives the RTC SPI 2, level-high");
    if (edge) { /* GICD_ICFGR: edge */
        volatile uint32_t *cfg = (volatile uint32_t *)(GICD + 0xc00 + RTC_INTID / 16 * 4);
        *cfg |= 2u << (2 * (RTC_INTID % 16));
    }
    gic_dist_enable();
    gic_enable_spi(RTC_INTID);
    gic_cpu_init(0, 0);
    rtc[RTC_IMSC / 4] = 1;
    for (unsigned round = 1; round <= 2; round++) {
        rtc[RTC_MR / 4] = rtc[RTC_DR / 4] + 1;
        check(wait_for(round), round == 1 ? "the RTC's match interrupt arrived" : "and again: the line was unmasked");
    }
    rtc[RTC_IMSC / 4] = 0;
    delay_ms(20);
    check(irqs == 2 && others == 0, "exactly two interrupts, none spurious");
    puts_(failures ? "rtcirq: some checks FAILED\n" : "rtcirq: all checks passed\n");
    psci_system_off();
}
