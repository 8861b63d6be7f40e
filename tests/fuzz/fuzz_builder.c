/* libFuzzer target: the builder's front half on arbitrary host trees. Each
 * /chosen domain node is described (checked whole); for every accepted one
 * the guest device tree is generated and must itself be a valid tree, and
 * the description must respect what the hypervisor then relies on. */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/guest_fdt.h>
#include <xam/guest_map.h>

static void check(int cond)
{
    if (!cond)
        abort();
}

/* Every kernel looks like a small arm64 Image: the fuzzer varies the tree. */
static const uint8_t *header(const struct hostdt_module *m, void *ctx)
{
    static uint8_t img[64];
    (void)ctx;
    memset(img, 0, sizeof(img));
    /* image_size at least the module's size (as a real kernel's is), plus
     * some bss chosen by the tree */
    uint64_t size = m->size + (m->base & 0x1fffff);
    for (int i = 0; i < 8; i++)
        img[16 + i] = (uint8_t)(size >> (8 * i));
    memcpy(img + 56, "ARM\x64", 4);
    return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hostdt h;
    static char guest[GUEST_FDT_MAX];
    struct hostdt_error err;
    struct mrange hv = { 0x40200000, 0x80000 };
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    if (hostdt_parse(&h, buf, size, &hv, &err) == 0) {
        /* SVE up to 512 bits, as A64FX: sve's every branch reachable */
        struct builder_env env = { .nr_cpus = 4,
                                   .cpu_mpidr = { 0, 1, 2, 3 },
                                   .online = 0xf,
                                   .ipa_bits = 39,
                                   .sve_max_bits = 512,
                                   .module_header = header };
        int chosen = fdt_path_offset(buf, "/chosen"), node;
        fdt_for_each_subnode(node, buf, chosen)
        {
            if (fdt_node_check_compatible(buf, node, "xen,domain") != 0)
                continue;
            struct domain_desc dd;
            if (!domain_describe(&h, node, &env, &dd, &err)) {
                check(err.msg[0] != '\0' && memchr(err.msg, 0, sizeof(err.msg)) != NULL);
                continue;
            }
            uint64_t ram0 = dd.mem < GUEST_RAM0_SIZE ? dd.mem : GUEST_RAM0_SIZE;
            check(dd.vcpus >= 1 && dd.vcpus <= DESC_MAX_VCPUS && dd.kernel);
            check(dd.text_offset + dd.kernel->size <= ram0);
            check(dd.dtb >= GUEST_RAM0_BASE && dd.dtb + (2u << 20) <= GUEST_RAM0_BASE + ram0);
            check(!dd.ramdisk || dd.initrd + dd.ramdisk->size <= GUEST_RAM0_BASE + ram0);
            for (unsigned i = 0; i < dd.vcpus; i++)
                check(dd.allowed[i] != 0 && (dd.allowed[i] & ~env.online) == 0);
            for (unsigned i = 0; i < h.nr_modules; i++)
                check(h.modules[i].parent != node || !h.modules[i].problem);
            if (dd.has_bridge) {
                const struct pci_bridge *b = &dd.bridge;
                check(dd.device_model >= 0 && dd.device_model != node);
                check(b->irq_count >= 1 && b->irq_count <= 4 && b->irq_start >= 32 &&
                      b->irq_start + b->irq_count <= GUEST_NR_IRQS);
                check(b->mem + b->mem_size <= (1ULL << 32) && b->ecam_size >= (1u << 20));
                for (unsigned i = 0; i < dd.nr_banks; i++)
                    check(!ranges_overlap(b->ecam, b->ecam_size, dd.banks[i].ipa, dd.banks[i].size) &&
                          !ranges_overlap(b->mem, b->mem_size, dd.banks[i].ipa, dd.banks[i].size) &&
                          (!b->pref_size || !ranges_overlap(b->pref, b->pref_size, dd.banks[i].ipa, dd.banks[i].size)));
            }
            struct guest_fdt_params p;
            domain_desc_fdt_params(&dd, h.gic.version, NULL, &p);
            if (guest_fdt_build(guest, sizeof(guest), &p) == 0)
                check(fdt_check_full(guest, fdt_totalsize(guest)) == 0);
            else
                check(dd.bootargs && strlen(dd.bootargs) > 1000); /* only a huge command line may not fit */
        }
    }
    free(buf);
    return 0;
}
