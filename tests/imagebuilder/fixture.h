/* Test fixtures built in memory: a small host device tree like QEMU's virt
 * (2 GiB at 0x40000000, four CPUs, /chosen) and arm64 Image headers. */
#ifndef IB_TEST_FIXTURE_H
#define IB_TEST_FIXTURE_H

#include <libfdt.h>
#include <stdint.h>
#include <string.h>

#define CHECK(x)                                                                                                       \
    do {                                                                                                               \
        if ((x) < 0)                                                                                                   \
            abort();                                                                                                   \
    } while (0)

/* rsv_base/rsv_size: one /memreserve/ entry (size 0: none); resmem_base:
 * a /reserved-memory region of 1 MiB there (0: none). */
static inline void make_host_fdt(void *buf, int size, uint64_t rsv_base, uint64_t rsv_size, uint64_t resmem_base)
{
    CHECK(fdt_create(buf, size));
    if (rsv_size)
        CHECK(fdt_add_reservemap_entry(buf, rsv_base, rsv_size));
    CHECK(fdt_finish_reservemap(buf));
    CHECK(fdt_begin_node(buf, ""));
    CHECK(fdt_property_u32(buf, "#address-cells", 2));
    CHECK(fdt_property_u32(buf, "#size-cells", 2));
    CHECK(fdt_begin_node(buf, "memory@40000000"));
    CHECK(fdt_property_string(buf, "device_type", "memory"));
    fdt64_t reg[2] = { cpu_to_fdt64(0x40000000), cpu_to_fdt64(0x80000000) };
    CHECK(fdt_property(buf, "reg", reg, sizeof(reg)));
    CHECK(fdt_end_node(buf));
    if (resmem_base) {
        CHECK(fdt_begin_node(buf, "reserved-memory"));
        CHECK(fdt_property_u32(buf, "#address-cells", 2));
        CHECK(fdt_property_u32(buf, "#size-cells", 2));
        CHECK(fdt_property(buf, "ranges", NULL, 0));
        CHECK(fdt_begin_node(buf, "fw@0"));
        fdt64_t r[2] = { cpu_to_fdt64(resmem_base), cpu_to_fdt64(0x100000) };
        CHECK(fdt_property(buf, "reg", r, sizeof(r)));
        CHECK(fdt_end_node(buf));
        CHECK(fdt_end_node(buf));
    }
    CHECK(fdt_begin_node(buf, "cpus"));
    CHECK(fdt_property_u32(buf, "#address-cells", 1));
    CHECK(fdt_property_u32(buf, "#size-cells", 0));
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof(name), "cpu@%d", i);
        CHECK(fdt_begin_node(buf, name));
        CHECK(fdt_property_string(buf, "device_type", "cpu"));
        CHECK(fdt_property_u32(buf, "reg", (uint32_t)i));
        if (i < 2) /* cpu@2 and cpu@3 have no phandle: imagebuilder adds them */
            CHECK(fdt_property_u32(buf, "phandle", 0x10 + (uint32_t)i));
        CHECK(fdt_end_node(buf));
    }
    CHECK(fdt_end_node(buf));
    CHECK(fdt_begin_node(buf, "chosen"));
    CHECK(fdt_property_string(buf, "stdout-path", "/pl011@9000000"));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_finish(buf));
}

/* The first 64 bytes of an arm64 Image. */
static inline void make_image_header(uint8_t head[64], uint64_t text_offset, uint64_t image_size)
{
    memset(head, 0, 64);
    for (int i = 0; i < 8; i++) {
        head[8 + i] = (uint8_t)(text_offset >> (8 * i));
        head[16 + i] = (uint8_t)(image_size >> (8 * i));
    }
    memcpy(head + 56, "ARM\x64", 4);
}

#endif
