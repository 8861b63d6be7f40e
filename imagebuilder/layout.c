#include "layout.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t end_of(uint64_t base, uint64_t size) { return size > UINT64_MAX - base ? UINT64_MAX : base + size; }

void layout_init(struct ib_layout *l, uint64_t start, uint64_t end)
{
    memset(l, 0, sizeof(*l));
    l->start = start;
    l->end = end;
}

static void free_ranges(struct ib_range *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(r[i].what);
    free(r);
}

void layout_free(struct ib_layout *l)
{
    free_ranges(l->ram, l->nram);
    free_ranges(l->blocked, l->nblocked);
    memset(l, 0, sizeof(*l));
}

static void add_range(struct ib_range **r, unsigned *n, uint64_t base, uint64_t end, const char *what)
{
    *r = xrealloc(*r, (*n + 1) * sizeof(**r));
    (*r)[*n] = (struct ib_range){ base, end, xstrdup(what) };
    (*n)++;
}

void layout_block(struct ib_layout *l, uint64_t base, uint64_t size, const char *what)
{
    if (size)
        add_range(&l->blocked, &l->nblocked, base, end_of(base, size), what);
}

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;
    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

static int cells_of(const void *fdt, int node, const char *name, int dflt)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    return p && len == 4 ? (int)fdt32_to_cpu(*p) : dflt;
}

/* Every (base, size) pair of node's reg, with the parent's cell sizes. */
static int for_each_reg(const void *fdt, int node, int ac, int sc, struct ib_error *err,
                        void (*fn)(void *ctx, uint64_t base, uint64_t size, const char *path), void *ctx)
{
    int len;
    char path[512];
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return 0;
    if (fdt_get_path(fdt, node, path, sizeof(path)))
        snprintf(path, sizeof(path), "%s", fdt_get_name(fdt, node, NULL));
    if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || len % (4 * (ac + sc)))
        return ib_fail(err, "DEVICE_TREE: %s: reg does not match #address-cells %d / #size-cells %d", path, ac, sc);
    for (int i = 0; i < len / 4; i += ac + sc)
        fn(ctx, read_cells(reg + i, ac), read_cells(reg + i + ac, sc), path);
    return 0;
}

static void add_ram(void *ctx, uint64_t base, uint64_t size, const char *path)
{
    struct ib_layout *l = ctx;
    if (size)
        add_range(&l->ram, &l->nram, base, end_of(base, size), path);
}

static void add_reserved(void *ctx, uint64_t base, uint64_t size, const char *path)
{
    char what[600];
    snprintf(what, sizeof(what), "reserved memory %s", path);
    layout_block(ctx, base, size, what);
}

int layout_from_fdt(struct ib_layout *l, const void *fdt, struct ib_error *err)
{
    int ac = cells_of(fdt, 0, "#address-cells", 2), sc = cells_of(fdt, 0, "#size-cells", 1), node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        if (!type || strcmp(type, "memory"))
            continue;
        if (for_each_reg(fdt, node, ac, sc, err, add_ram, l))
            return -1;
    }
    if (!l->nram)
        add_range(&l->ram, &l->nram, l->start, l->end, "MEMORY_START..MEMORY_END");
    for (unsigned i = 0; i < l->nram; i++) {
        uint64_t top = l->ram[i].end, size = top - l->ram[i].base;
        layout_block(l, top - (size < IB_TOP_RESERVE ? size : IB_TOP_RESERVE),
                     size < IB_TOP_RESERVE ? size : IB_TOP_RESERVE, "the top of RAM (where U-Boot relocates itself)");
    }
    int n = fdt_num_mem_rsv(fdt);
    for (int i = 0; i < n; i++) {
        uint64_t base, size;
        char what[64];
        if (fdt_get_mem_rsv(fdt, i, &base, &size))
            return ib_fail(err, "DEVICE_TREE: cannot read /memreserve/ entry %d", i);
        snprintf(what, sizeof(what), "/memreserve/ entry %d", i);
        layout_block(l, base, size, what);
    }
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm >= 0) {
        int rac = cells_of(fdt, rm, "#address-cells", ac), rsc = cells_of(fdt, rm, "#size-cells", sc);
        fdt_for_each_subnode(node, fdt, rm)
        {
            if (for_each_reg(fdt, node, rac, rsc, err, add_reserved, l))
                return -1;
        }
    }
    return 0;
}

static int cmp_base(const void *a, const void *b)
{
    const struct ib_range *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* Walk the free 2 MiB-aligned gaps of (window and RAM) minus the blocked
 * ranges, lowest first; stop at the first gap of at least `need` bytes
 * (need 0: visit them all). Returns that gap's base, or UINT64_MAX. The
 * largest gap seen is left in *largest, at *largest_at. */
static uint64_t find_gap(struct ib_layout *l, uint64_t need, uint64_t *largest, uint64_t *largest_at)
{
    struct ib_range *b = xmalloc(l->nblocked * sizeof(*b) + 1);
    memcpy(b, l->blocked, l->nblocked * sizeof(*b));
    qsort(b, l->nblocked, sizeof(*b), cmp_base);
    *largest = 0;
    *largest_at = 0;
    uint64_t found = UINT64_MAX;
    for (unsigned r = 0; r < l->nram && found == UINT64_MAX; r++) {
        uint64_t lo = l->ram[r].base > l->start ? l->ram[r].base : l->start;
        uint64_t hi = l->ram[r].end < l->end ? l->ram[r].end : l->end;
        uint64_t cur;
        if (lo >= hi || !align_up(lo, IB_ALIGN, &cur))
            continue;
        for (unsigned i = 0; i <= l->nblocked && cur < hi; i++) {
            uint64_t stop = i < l->nblocked && b[i].base < hi ? b[i].base : hi;
            if (i < l->nblocked && b[i].end <= cur)
                continue;
            if (stop > cur) {
                uint64_t gap = stop - cur;
                if (gap > *largest) {
                    *largest = gap;
                    *largest_at = cur;
                }
                if (need && gap >= need) {
                    found = cur;
                    break;
                }
            }
            if (i == l->nblocked || b[i].base >= hi)
                break;
            uint64_t next;
            if (!align_up(b[i].end, IB_ALIGN, &next))
                break;
            if (next > cur)
                cur = next;
        }
    }
    free(b);
    return found;
}

int layout_place(struct ib_layout *l, const char *what, uint64_t size, uint64_t *addr, struct ib_error *err)
{
    uint64_t need, largest, at;
    if (!size)
        size = 1;
    if (!align_up(size, IB_ALIGN, &need))
        return ib_fail(err, "%s: 0x%" PRIx64 " bytes: too large", what, size);
    uint64_t base = find_gap(l, need, &largest, &at);
    if (base == UINT64_MAX) {
        if (largest)
            return ib_fail(
                err,
                "%s: 0x%" PRIx64 " bytes (0x%" PRIx64 " in 2 MiB blocks) do not fit in MEMORY_START..MEMORY_END "
                "0x%" PRIx64 "-0x%" PRIx64 ": the largest free block left is 0x%" PRIx64 " bytes at 0x%" PRIx64,
                what, size, need, l->start, l->end - 1, largest, at);
        return ib_fail(err,
                       "%s: 0x%" PRIx64 " bytes (0x%" PRIx64 " in 2 MiB blocks) do not fit in MEMORY_START..MEMORY_END "
                       "0x%" PRIx64 "-0x%" PRIx64 ": no free 2 MiB block is left there",
                       what, size, need, l->start, l->end - 1);
    }
    layout_block(l, base, need, what);
    *addr = base;
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t image_footprint(const uint8_t *head, size_t headlen, uint64_t filesize)
{
    if (headlen < 64 || memcmp(head + 56, "ARM\x64", 4))
        return filesize;
    uint64_t text_offset = le64(head + 8), image_size = le64(head + 16);
    /* image_size 0: a kernel older than 3.17, whose size is unknown. */
    if (!image_size || text_offset > UINT64_MAX - image_size)
        return filesize;
    uint64_t fp = text_offset + image_size;
    return fp > filesize ? fp : filesize;
}
