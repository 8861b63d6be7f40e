/* Reads its own device tree and checks what the builder promised: the
 * hypervisor node, the PCI bridge and its readiness register; answers to
 * the hypercalls Linux makes; then waits for its device model as a guest
 * that polls would. Bootargs: "bridge" (expect a bridge), "held" (started
 * only once the device model connected), "wait" (first read the
 * readiness page's word 1, which holds the vCPU until the device model
 * connects), "noxen" (expect no hypervisor node). */
#include "fdt.h"
#include "lib.h"

#define ENOSYS 38
#define EFAULT 14
#define READY 0x37ff0000UL

static uint8_t page[4096] __attribute__((aligned(4096)));

static void check_hypervisor_node(const void *fdt)
{
    int hv = fdt_node(fdt, "/hypervisor"), len;
    check(hv >= 0, "the tree has a /hypervisor node");
    if (hv < 0)
        return;
    check(fdt_has_string(fdt, hv, "compatible", "xen,xen-4.17") && fdt_has_string(fdt, hv, "compatible", "xen,xen"),
          "hypervisor compatible is \"xen,xen-4.17\", \"xen,xen\"");
    const uint8_t *reg = fdt_prop(fdt, hv, "reg", &len);
    check(reg && len >= 16 && len % 16 == 0 && be64(reg) == 0x38000000 && be64(reg + 8) == 0x1000000,
          "hypervisor reg starts with the grant table region 0x38000000, 16 MiB");
    check(reg && len >= 32 && be64(reg + 24) >= 64 << 20, "an extended region of at least 64 MiB follows");
    const uint8_t *irq = fdt_prop(fdt, hv, "interrupts", &len);
    check(irq && len == 12 && be32(irq) == 1 && be32(irq + 4) == 15 && be32(irq + 8) == 0xf08,
          "event channel interrupt is PPI 31 <1 15 0xf08>");
}

static void check_hypercalls(void)
{
    check(xen_hypercall(17, 0, 0, 0) == 0x40011, "XENVER_version says 4.17");
    uint32_t feat[2] = { 0, 0 };
    check(xen_hypercall(17, 6, (uint64_t)feat, 0) == 0 && (feat[1] & 1u << 2) && (feat[1] & 1u << 16) &&
              !(feat[1] & (1u << 11 | 1u << 17)),
          "features: auto-translated, not direct-mapped, not dom0");
    struct {
        uint16_t domid, pad;
        uint32_t index;
        uint64_t value;
    } param = { 0x7ff0, 0, 1, 123 };
    check(xen_hypercall(34, 1, (uint64_t)&param, 0) == 0 && param.value == 0,
          "HVM_PARAM_STORE_PFN reads 0: no xenstore");
    struct {
        uint16_t domid, size;
        uint32_t space;
        uint64_t idx, gpfn;
    } xatp = { 0x7ff0, 0, 0, 0, (uint64_t)page >> 12 };
    page[100] = 0xaa;
    check(xen_hypercall(12, 7, (uint64_t)&xatp, 0) == 0 && page[100] == 0, "shared_info placed (and zeroed)");
    struct {
        uint64_t mfn;
        uint32_t offset, rsvd;
    } info = { (uint64_t)page >> 12, 64, 0 };
    check(xen_hypercall(24, 10, 0, (uint64_t)&info) == 0, "VCPUOP_register_vcpu_info answers 0");
    check(xen_hypercall(32, 11, (uint64_t)page, 0) == -ENOSYS, "FIFO event channels refused (-ENOSYS)");
    struct {
        uint16_t dom, pad;
        uint32_t nr_frames, max_nr_frames;
        int16_t status, pad2;
    } qs = { 0x7ff0, 0, 0, 0, -99, 0 };
    check(xen_hypercall(20, 6, (uint64_t)&qs, 1) == 0 && qs.status == 0 && qs.max_nr_frames == 64,
          "GNTTABOP_query_size: grant tables v1, up to 64 frames");
    check(xen_hypercall(17, 6, 0x10, 0) == -EFAULT, "a pointer outside guest RAM gets -EFAULT");
    check(xen_hypercall(17, 6, 0x03001000, 0) == -EFAULT, "a pointer to a device gets -EFAULT");
}

static uint64_t vcount(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static void check_bridge(const void *fdt, int held, int wait)
{
    int root = fdt_node(fdt, "/"), pci = -1, len;
    while ((pci = fdt_child(fdt, root, pci)) >= 0 && !contains(fdt_name(fdt, pci), "pcie@"))
        ;
    check(pci >= 0, "the tree has a pcie@ node");
    if (pci < 0)
        return;
    puts_("dtcheck: bridge node /");
    puts_(fdt_name(fdt, pci));
    puts_("\n");
    check(fdt_has_string(fdt, pci, "compatible", "pci-host-ecam-generic") &&
              fdt_has_string(fdt, pci, "device_type", "pci"),
          "bridge is a pci-host-ecam-generic, device_type pci");
    const uint8_t *reg = fdt_prop(fdt, pci, "reg", &len);
    check(reg && len == 16, "bridge reg is one 2+2-cell ECAM range");
    uint64_t ecam = reg ? be64(reg) : 0;
    const uint8_t *map = fdt_prop(fdt, pci, "interrupt-map", &len);
    check(map && len == 16 * 8 * 4, "interrupt-map has 4 slots x 4 pins of 8 cells");
    check(fdt_prop(fdt, pci, "dma-coherent", &len) != 0, "bridge is dma-coherent");
    int ready = fdt_node(fdt, "/pci-ready@37ff0000");
    const uint8_t *rreg = ready >= 0 ? fdt_prop(fdt, ready, "reg", &len) : 0;
    check(ready >= 0 && fdt_has_string(fdt, ready, "compatible", "xen-arm-minimal,pci-ready") && rreg &&
              be64(rreg) == READY && be64(rreg + 8) == 0x1000,
          "readiness register node at 0x37ff0000, 4 KiB");
    check(*(volatile uint32_t *)ecam == 0xffffffffu, "config space reads as an empty bus");

    volatile uint32_t *r = (volatile uint32_t *)READY;
    if (wait) {
        /* word 1: the read itself waits until the device model connects */
        uint64_t freq, t0 = vcount();
        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
        uint32_t w = r[1];
        uint64_t ms = (vcount() - t0) * 1000 / freq;
        check(w == 1 && r[0] == 1, "a read of the wait register returns 1 once the device model connected");
        puts_(ms >= 20 ? "dtcheck: the wait register held me until the device model connected\n"
                       : "dtcheck: the device model was already connected\n");
    }
    uint32_t first = r[0];
    if (held)
        check(first == 1, "held: the device model was connected before this guest started");
    unsigned polls = 1;
    while (r[0] != 1 && polls < 100000) {
        delay_ms(1);
        polls++;
    }
    check(r[0] == 1, "the readiness register reads 1 once the device model connected");
    puts_(held        ? "dtcheck: ready at the first read\n"
              : first ? "dtcheck: ready at the first read\n"
                      : "dtcheck: waited for the device model\n");
}

/* The PL031 the partial device tree passes through (MMIO only), under
 * /passthrough as Xen keeps it. */
static void check_passthrough(const void *fdt)
{
    int pt = fdt_node(fdt, "/passthrough"), len;
    int rtc = fdt_node(fdt, "/passthrough/rtc@9010000");
    check(pt >= 0 && fdt_has_string(fdt, pt, "compatible", "simple-bus") && fdt_prop(fdt, pt, "ranges", &len) &&
              fdt_node(fdt, "/rtc@9010000") < 0,
          "/passthrough is kept as a simple-bus node");
    check(rtc >= 0 && fdt_has_string(fdt, rtc, "compatible", "arm,pl031") && !fdt_prop(fdt, rtc, "xen,reg", &len),
          "the passthrough node /passthrough/rtc@9010000 is in my tree, without xen,reg");
    int aliases = fdt_node(fdt, "/aliases");
    const char *a = aliases >= 0 ? fdt_prop(fdt, aliases, "rtc0", &len) : 0;
    check(a && contains(a, "/passthrough/rtc@9010000"), "aliases from the partial tree: rtc0");
    volatile uint32_t *id = (volatile uint32_t *)0x09010fe0UL;
    check(id[0] == 0x31 && id[1] == 0x10 && id[4] == 0x0d && id[7] == 0xb1,
          "the passed-through PL031 answers with its PrimeCell ID");
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int chosen = fdt_node(fdt, "/chosen"), len;
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    puts_("dtcheck: reading my device tree\n");
    check(be32(fdt) == 0xd00dfeed, "x0 points to a device tree");
    if (contains(args, "noxen")) {
        check(fdt_node(fdt, "/hypervisor") < 0, "no /hypervisor node without xen,enhanced");
    } else {
        check_hypervisor_node(fdt);
        check_hypercalls();
    }
    if (contains(args, "passthrough"))
        check_passthrough(fdt);
    if (contains(args, "bridge"))
        check_bridge(fdt, contains(args, "held"), contains(args, "wait"));
    puts_(failures ? "dtcheck: some checks FAILED\n" : "dtcheck: all checks passed\n");
    uint32_t reason = 0; /* poweroff, through the Xen interface */
    xen_hypercall(29, 2, (uint64_t)&reason, 0);
    psci_system_off();
}
