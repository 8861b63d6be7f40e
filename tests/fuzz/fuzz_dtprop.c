/* libFuzzer target: dt_getprop(), dt_address_cells(), dt_size_cells(),
 * dt_prop_has_string(), dt_next_node() and the index's
 * dt_node_by_phandle() (dt/dtutil.c, the fast lookups of the boot and the
 * builder) against libfdt's own answers, on arbitrary bytes: the same
 * pointer and length, or the same error, for every node offset (and some
 * offsets that are not nodes), every property name the tree uses and
 * names it does not, every phandle the tree has and some it has not.
 * The blob sits in a buffer of exactly its size, so ASan sees any read
 * past its end. */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xam/dtutil.h>

static void check(int cond)
{
    if (!cond)
        abort();
}

static void same_answers(const void *fdt, int node, const char *name)
{
    int la = 0x55, lb = 0x55;
    const void *a = dt_getprop(fdt, node, name, &la);
    const void *b = fdt_getprop(fdt, node, name, &lb);
    check(a == b);
    check(la == lb);
    check(dt_getprop(fdt, node, name, NULL) == b);
    int idx = fdt_stringlist_search(fdt, node, name, "okay");
    check(dt_prop_has_string(fdt, node, name, "okay") == (idx >= 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libfdt reads within the header's totalsize: no more than the blob */
    if (size < sizeof(struct fdt_header) || size > (1u << 20) || fdt_check_header(data) || fdt_totalsize(data) > size)
        return 0;
    uint8_t *buf = malloc(size);
    memcpy(buf, data, size);
    static const char *const fixed[] = { "compatible",         "reg",         "status",
                                         "#address-cells",     "#size-cells", "",
                                         "a-name-no-tree-has", "interrupts" };
    int depth = 0, nodes = 0;
    for (int n = 0; n >= 0 && nodes < 64; n = fdt_next_node(buf, n, &depth), nodes++) {
        for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
            same_answers(buf, n, fixed[i]);
        int p, props = 0;
        fdt_for_each_property_offset(p, buf, n)
        {
            const char *name;
            if (!fdt_getprop_by_offset(buf, p, &name, NULL) || ++props > 32)
                break;
            same_answers(buf, n, name);
        }
        check(dt_address_cells(buf, n) == fdt_address_cells(buf, n));
        for (int off = n - 1; off < n + 6; off++) {
            int da = 1, db = 1;
            check(dt_next_node(buf, off, &da) == fdt_next_node(buf, off, &db) && da == db);
            check(dt_next_node(buf, off, NULL) == fdt_next_node(buf, off, NULL));
        }
        check(dt_size_cells(buf, n) == fdt_size_cells(buf, n));
        /* offsets that are not a node's: inside its name, misaligned */
        same_answers(buf, n + 4, "compatible");
        same_answers(buf, n + 1, "reg");
    }
    same_answers(buf, -1, "reg");
    same_answers(buf, (int)size, "reg");
    /* a whole walk with depth, and phandles through the index */
    int da = 0, db = 0, a = -1, b = -1, steps = 0;
    do {
        a = dt_next_node(buf, a, &da);
        b = fdt_next_node(buf, b, &db);
        check(a == b && da == db);
    } while (a >= 0 && ++steps < 4096);
    dt_index(buf);
    depth = 0;
    nodes = 0;
    for (int n = 0; n >= 0 && nodes < 64; n = fdt_next_node(buf, n, &depth), nodes++) {
        uint32_t ph = fdt_get_phandle(buf, n);
        check(dt_node_by_phandle(buf, ph) == fdt_node_offset_by_phandle(buf, ph));
        check(dt_node_by_phandle(buf, ph + 1) == fdt_node_offset_by_phandle(buf, ph + 1));
    }
    check(dt_node_by_phandle(buf, ~0u) == fdt_node_offset_by_phandle(buf, ~0u));
    dt_index(NULL);
    free(buf);
    return 0;
}
