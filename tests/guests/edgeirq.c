/* A rising-edge SPI above 31 passed through as Xen's passthrough.txt
 * writes it (the /gic placeholder, 2/1 cells, interrupt-parent <65000>):
 * QEMU's GICv2m frame, whose MSI_SETSPI_NS register makes an edge on SPI
 * 50 (INTID 82) at the host GIC. The guest finds the frame at
 * /passthrough/msi@8020000, fires the edge, and fires it again from its
 * handler before EOI: the second edge must not be lost (the host line is
 * not masked for edge interrupts), and exactly two arrive. GICv2 guest. */
#include "fdt.h"
#include "lib.h"

#define GICD 0x03001000UL
#define GICC 0x03002000UL
#define V2M 0x08020000UL
#define V2M_MSI_TYPER 0x008
#define V2M_MSI_SETSPI_NS 0x040
#define EDGE_INTID 82

extern char guest_vectors[];
static volatile unsigned irqs, others;

static void w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static uint32_t r32(uintptr_t a) { return *(volatile uint32_t *)a; }

void guest_irq(void);
void guest_irq(void)
{
    unsigned intid = r32(GICC + 0x0c) & 0x3ff; /* GICC_IAR */
    if (intid == EDGE_INTID) {
        if (++irqs == 1)
            w32(V2M + V2M_MSI_SETSPI_NS, EDGE_INTID); /* a new edge while this one is active */
    } else if (intid < 1020) {
        others++;
    }
    if (intid < 1020)
        w32(GICC + 0x10, intid); /* GICC_EOIR */
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int node = fdt_node(fdt, "/passthrough/msi@8020000"), len;
    const uint8_t *irq = node >= 0 ? fdt_prop(fdt, node, "interrupts", &len) : 0;
    check(irq && len == 12 && be32(irq) == 0 && be32(irq + 4) == 50 && be32(irq + 8) == 1,
          "my tree has /passthrough/msi@8020000 with SPI 50, rising-edge");
    const uint8_t *ip = node >= 0 ? fdt_prop(fdt, node, "interrupt-parent", &len) : 0;
    check(ip && len == 4 && be32(ip) == 65000 && fdt_node(fdt, "/gic") < 0,
          "its interrupt-parent is my GIC (phandle 65000), the /gic placeholder gone");
    int aliases = fdt_node(fdt, "/aliases");
    const char *a = aliases >= 0 ? fdt_prop(fdt, aliases, "edge0", &len) : 0;
    check(a && contains(a, "/passthrough/msi@8020000"), "the alias names /passthrough/msi@8020000");
    uint32_t typer = r32(V2M + V2M_MSI_TYPER);
    check((typer >> 16) == 80 && (typer & 0x3ff) == 64, "the passed-through GICv2m frame answers: SPIs 48-111");

    w32(GICD + 0x000, 1); /* GICD_CTLR */
    w32(GICD + 0x800 + EDGE_INTID / 4 * 4, 0x01010101); /* ITARGETSR: vCPU 0 */
    uintptr_t cfg = GICD + 0xc00 + EDGE_INTID / 16 * 4;
    w32(cfg, r32(cfg) | 2u << (2 * (EDGE_INTID % 16))); /* ICFGR: edge */
    w32(GICD + 0x100 + EDGE_INTID / 32 * 4, 1u << (EDGE_INTID % 32)); /* ISENABLER */
    w32(GICC + 0x04, 0xff); /* GICC_PMR */
    w32(GICC + 0x00, 1); /* GICC_CTLR */
    __asm__ volatile("msr vbar_el1, %0; isb; msr daifclr, #2" : : "r"(guest_vectors));

    w32(V2M + V2M_MSI_SETSPI_NS, EDGE_INTID);
    for (int i = 0; i < 300 && irqs < 1; i++)
        delay_ms(10);
    check(irqs >= 1, "the edge interrupt arrived as INTID 82");
    for (int i = 0; i < 300 && irqs < 2; i++)
        delay_ms(10);
    check(irqs >= 2, "the edge made during its handler arrived too");
    delay_ms(50);
    check(irqs == 2 && others == 0, "exactly two interrupts, none spurious");
    puts_(failures ? "edgeirq: some checks FAILED\n" : "edgeirq: all checks passed\n");
    psci_system_off();
}
