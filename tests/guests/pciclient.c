/* The client of tests/guests/devmodel.c ("pcitest"): a guest whose PCI
 * bridge is served by a device model, doing what an OS's PCI code does
 * with the one function there. It waits until the device model connects
 * (word 1 of the readiness page holds the read), reads 00:00.0's IDs,
 * sizes BAR0 and places it in the bridge's 32-bit memory window, turns
 * memory decoding on, reads the register the device model serves there,
 * has it raise and lower INTA and watches the line in its distributor
 * (GICv3: takes the interrupt too), reads an empty slot, and last touches
 * device 31, which the device model never answers: that access must
 * complete with all-ones once the device model stops, not hang. */
#include "fdt.h"
#include "gicv3.h"
#include "lib.h"

#define READY 0x37ff0000UL
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200

#define CFG_ID 0x00
#define CFG_COMMAND 0x04
#define CFG_CLASS 0x08
#define CFG_HEADER_TYPE 0x0e
#define CFG_BAR0 0x10
#define CFG_INT_PIN 0x3d
#define CMD_MEMORY (1u << 1)

static uint64_t ecam, mem;
static unsigned inta;
static volatile unsigned irqs, others;

static volatile uint32_t *cfg32(unsigned dev, unsigned reg)
{
    return (volatile uint32_t *)(ecam + ((uint64_t)dev << 15) + reg);
}

static int pending(void) { return (*(volatile uint32_t *)(GICD + GICD_ISPENDR + inta / 32 * 4) >> (inta % 32)) & 1; }

void guest_irq(void);
void guest_irq(void)
{
    unsigned intid = gic_ack();
    if (intid == inta) {
        /* a level interrupt: masked until the device lowers the line */
        *(volatile uint32_t *)(GICD + GICD_ICENABLER + inta / 32 * 4) = 1u << (inta % 32);
        irqs++;
    } else if (intid < 1020) {
        others++;
    }
    gic_eoi(intid);
}

/* The bridge as my device tree describes it: ECAM, the 32-bit memory
 * window (the ranges entry with space code 0x02000000) and the INTID of
 * slot 0's INTA (the interrupt-map's first entry). */
static int find_bridge(const void *fdt)
{
    int root = fdt_node(fdt, "/"), pci = -1, len;
    while ((pci = fdt_child(fdt, root, pci)) >= 0 && !contains(fdt_name(fdt, pci), "pcie@"))
        ;
    if (pci < 0)
        return 0;
    const uint8_t *reg = fdt_prop(fdt, pci, "reg", &len);
    if (!reg || len != 16)
        return 0;
    ecam = be64(reg);
    const uint8_t *ranges = fdt_prop(fdt, pci, "ranges", &len);
    for (int i = 0; ranges && i + 28 <= len; i += 28)
        if (be32(ranges + i) == 0x02000000)
            mem = be64(ranges + i + 12);
    const uint8_t *map = fdt_prop(fdt, pci, "interrupt-map", &len);
    if (map && len >= 32 && be32(map) == 0 && be32(map + 12) == 1 && be32(map + 20) == 0)
        inta = be32(map + 24) + 32;
    return mem && inta;
}

/* Whether my GIC is a GICv3 (both have the distributor at GICD). */
static int gic_is_v3(const void *fdt)
{
    int root = fdt_node(fdt, "/"), c = -1;
    while ((c = fdt_child(fdt, root, c)) >= 0)
        if (fdt_has_string(fdt, c, "compatible", "arm,gic-v3"))
            return 1;
    return 0;
}

static void put_dec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do
        buf[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    puts_(&buf[i]);
}

static uint64_t vcount(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static int wait_irqs(unsigned n)
{
    for (int i = 0; i < 100 && irqs < n; i++)
        delay_ms(1);
    return irqs >= n;
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    puts_("pciclient: looking for my bridge\n");
    check(find_bridge(fdt), "my tree has a pcie@ node with ECAM, a 32-bit memory window and INTA of slot 0");
    int v3 = gic_is_v3(fdt);
    if (v3) {
        gic_dist_enable();
        gic_enable_spi(inta);
        gic_cpu_init(0, 0);
    }

    volatile uint32_t *ready = (volatile uint32_t *)READY;
    check(ready[1] == 1, "the wait register returned 1: my device model connected");

    uint32_t id = *cfg32(0, CFG_ID);
    puts_("pciclient: 00:00.0 vendor/device ");
    put_hex(id);
    puts_("\n");
    check(id == 0x00051b36, "00:00.0 is 1b36:0005 (QEMU's PCI test device)");
    check(*cfg32(0, CFG_CLASS) >> 24 == 0xff, "its class is 0xff");
    check(*(volatile uint8_t *)cfg32(0, CFG_HEADER_TYPE) == 0, "header type 0 (a byte read)");
    check(*(volatile uint8_t *)cfg32(0, CFG_INT_PIN) == 1, "interrupt pin 1 (INTA)");

    /* BAR0: size it, place it at the start of the memory window */
    volatile uint32_t *bar0 = cfg32(0, CFG_BAR0);
    *bar0 = 0xffffffffu;
    uint32_t probe = *bar0;
    check(probe == 0xfffff000u, "BAR0 sizing: all-ones written, reads 0xfffff000 (4 KiB, 32-bit memory)");
    *bar0 = (uint32_t)mem;
    check(*bar0 == (uint32_t)mem, "BAR0 placed at the start of the bridge's memory window");
    volatile uint16_t *command = (volatile uint16_t *)cfg32(0, CFG_COMMAND);
    *command = (uint16_t)(*command | CMD_MEMORY);
    check((*command & CMD_MEMORY) != 0, "memory decoding on (a 16-bit command register write kept)");

    volatile uint32_t *regs = (volatile uint32_t *)mem;
    uint32_t r1 = regs[0], r2 = regs[0];
    puts_("pciclient: BAR0 register reads ");
    put_hex(r1);
    puts_("\n");
    check((r1 & 0xffffff00u) == 0xc0ffee00u && (uint8_t)(r2 - r1) == 1,
          "the BAR register reads 0xc0ffeeNN, NN counting the reads");

    check(!pending(), "INTA is not pending before the device raises it");
    regs[1] = 1;
    check(pending(), "the device raised INTA: pending in my distributor");
    if (v3) {
        check(wait_irqs(1) && others == 0, "and taken once (GICv3)");
        check(pending(), "still pending after EOI while the line stays high");
    }
    regs[1] = 0;
    check(!pending(), "the device lowered INTA: no longer pending");
    if (v3) {
        *(volatile uint32_t *)(GICD + GICD_ISENABLER + inta / 32 * 4) = 1u << (inta % 32);
        delay_ms(10);
        check(irqs == 1 && others == 0, "unmasked with the line low: no second interrupt");
    }

    check(*cfg32(1, CFG_ID) == 0xffffffffu, "00:01.0 reads all-ones: no device there");

    /* the device model never answers device 31: the read waits until it
     * stops, then completes as an empty bus would */
    uint64_t freq, t0 = vcount();
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    uint32_t silent = *cfg32(31, CFG_ID);
    uint64_t ms = (vcount() - t0) * 1000 / freq;
    check(silent == 0xffffffffu && ms >= 50,
          "the read of 00:1f.0, never answered, completed with all-ones once the device model stopped");
    puts_("pciclient: that read waited ");
    put_dec(ms);
    puts_(" ms\n");
    check(ready[0] == 0, "the readiness register reads 0 again: the device model is gone");
    puts_(failures ? "pciclient: some checks FAILED\n" : "pciclient: all checks passed\n");
    uint32_t reason = 0; /* poweroff, through the Xen interface */
    xen_hypercall(29, 2, (uint64_t)&reason, 0);
    psci_system_off();
}
