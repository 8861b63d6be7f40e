/* Structured mutations of a host device tree, for tests/fuzz/hostdt-boot.sh
 * (mutants booted under QEMU and checked by xam-dryrun), and the "RAM view"
 * that lets the dry run see what the booted hypervisor will see.
 *
 *   mutate_dtb mutate IN.dtb OUT.dtb SEED [COUNT]
 *       COUNT (default: 1 to 3, from SEED) structured edits of IN: properties
 *       deleted, duplicated (two properties of one name) or retyped, cell
 *       counts, module/static/host memory ranges (near 2^64, outside RAM,
 *       over the image or another module), vCPU counts, cpupools, phandles
 *       to nowhere and device-model loops, GIC frames, PSCI, strings without
 *       their NUL, huge bootargs, odd domain names, nodes deleted or copied.
 *       One line per edit on stdout ("mutation: ..."). The same IN and SEED
 *       always give the same OUT.
 *   mutate_dtb view DTB OUTDIR FILE@ADDR...
 *       For each module (a /chosen node whose compatible names a module kind,
 *       reg read with its parent's cells, as xen-arm-minimal/dt/hostdt.c
 *       does) whose range does not wrap, write OUTDIR/ADDR.bin, a sparse file
 *       of the module's size holding what RAM will hold there when QEMU has
 *       loaded each FILE at its ADDR (zeros elsewhere), and print
 *       "-m ADDR=PATH". A module that reaches RAM QEMU writes for itself
 *       (its own tree at 0x40000000, below the hypervisor image) has no
 *       knowable contents: "unknown NODE-PATH" instead.
 * Built against the host's libfdt by tests/fuzz/fuzz.mk. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- deterministic randomness ------------------------------------------ */
static uint64_t rng_state;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return n ? (unsigned)(rnd() % n) : 0; }
static bool chance(unsigned percent) { return below(100) < percent; }
#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mutate_dtb: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* ---- the tree being edited ------------------------------------------------ */
static char *fdt;
static size_t fdt_cap;

static void *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        die("%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, in)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(in);
    if (!buf)
        die("out of memory");
    *len = n;
    return buf;
}

/* Edits never fail for lack of room: the tree is opened into a buffer far
 * larger than any edit needs, and packed at the end. */
static void open_tree(const char *path)
{
    size_t len;
    void *in = read_file(path, &len);
    fdt_cap = len + (4u << 20);
    fdt = calloc(1, fdt_cap);
    int rc = fdt_open_into(in, fdt, (int)fdt_cap);
    if (rc)
        die("%s: %s", path, fdt_strerror(rc));
    free(in);
}

static int path_of(int node, char *buf, int len)
{
    if (fdt_get_path(fdt, node, buf, len))
        snprintf(buf, (size_t)len, "(node at %d)", node);
    return 0;
}
static const char *P(int node) /* a node's path, in one of four rotating buffers */
{
    static char bufs[4][512];
    static unsigned k;
    char *b = bufs[k++ % 4];
    path_of(node, b, 512);
    return b;
}

static void say(const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* names and values may hold control characters: escape them */
    printf("mutation: ");
    for (const unsigned char *c = (const unsigned char *)buf; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            printf("\\x%02x", *c);
        else
            putchar(*c);
    printf("\n");
}

static void set_cells(int node, const char *prop, const uint32_t *v, unsigned n)
{
    fdt32_t buf[64];
    for (unsigned i = 0; i < n && i < 64; i++)
        buf[i] = cpu_to_fdt32(v[i]);
    int rc = fdt_setprop(fdt, node, prop, buf, (int)(n * 4));
    if (rc)
        die("setprop %s %s: %s", P(node), prop, fdt_strerror(rc));
}
static void set_u32(int node, const char *prop, uint32_t v) { set_cells(node, prop, &v, 1); }
static void set_str(int node, const char *prop, const char *s)
{
    int rc = fdt_setprop_string(fdt, node, prop, s);
    if (rc)
        die("setprop %s %s: %s", P(node), prop, fdt_strerror(rc));
}
static void set_raw(int node, const char *prop, const void *v, int len)
{
    int rc = fdt_setprop(fdt, node, prop, v, len);
    if (rc)
        die("setprop %s %s: %s", P(node), prop, fdt_strerror(rc));
}
static unsigned cells_fmt(char *out, size_t len, const uint32_t *v, unsigned n)
{
    size_t w = 0;
    w += (size_t)snprintf(out + w, len - w, "<");
    for (unsigned i = 0; i < n && w < len; i++)
        w += (size_t)snprintf(out + w, len - w, "%s0x%x", i ? " " : "", v[i]);
    if (w < len)
        snprintf(out + w, len - w, ">");
    return n;
}

/* ---- finding nodes --------------------------------------------------------- */
#define MAXN 256
struct nodes {
    int off[MAXN];
    unsigned n;
};

static bool has_compat(int node, const char *c) { return fdt_node_check_compatible(fdt, node, c) == 0; }
static bool is_module(int node)
{
    static const char *const kinds[] = { "multiboot,kernel",    "xen,linux-zimage",      "multiboot,ramdisk",
                                         "xen,linux-initrd",    "multiboot,device-tree", "multiboot,module",
                                         "xen,multiboot-module" };
    for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (has_compat(node, kinds[i]))
            return true;
    return false;
}

/* every node under /chosen (any depth) for which want() holds */
static void chosen_nodes(struct nodes *out, bool (*want)(int))
{
    out->n = 0;
    int chosen = fdt_path_offset(fdt, "/chosen"), depth = 0;
    if (chosen < 0)
        return;
    for (int node = fdt_next_node(fdt, chosen, &depth); node >= 0 && depth > 0; node = fdt_next_node(fdt, node, &depth))
        if (want(node) && out->n < MAXN)
            out->off[out->n++] = node;
}
static bool is_domain(int node) { return has_compat(node, "xen,domain"); }
static bool is_pool(int node) { return has_compat(node, "xen,cpupool"); }
static bool any_node(int node) { return true; }

static void cpu_nodes(struct nodes *out)
{
    out->n = 0;
    int cpus = fdt_path_offset(fdt, "/cpus"), child;
    if (cpus < 0)
        return;
    fdt_for_each_subnode(child, fdt, cpus)
    {
        const char *t = fdt_getprop(fdt, child, "device_type", NULL);
        if (t && !strcmp(t, "cpu") && out->n < MAXN)
            out->off[out->n++] = child;
    }
}

static int gic_node(void)
{
    int n = fdt_node_offset_by_prop_value(fdt, -1, "interrupt-controller", NULL, 0);
    /* the root's interrupt-parent: QEMU's trees name the GIC there */
    int len;
    const fdt32_t *ip = fdt_getprop(fdt, 0, "interrupt-parent", &len);
    if (ip && len == 4) {
        int g = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ip));
        if (g >= 0)
            return g;
    }
    return n;
}

/* a node's phandle, giving it a fresh one if it has none */
static uint32_t phandle_of(int *node)
{
    uint32_t ph = fdt_get_phandle(fdt, *node);
    if (ph && ph != ~0u)
        return ph;
    char path[512];
    path_of(*node, path, sizeof(path));
    uint32_t max = 0;
    fdt_find_max_phandle(fdt, &max);
    ph = max + 1;
    set_u32(*node, "phandle", ph);
    *node = fdt_path_offset(fdt, path);
    return ph;
}

/* ---- interesting values ------------------------------------------------------ */
static uint64_t addr_value(void)
{
    static const uint64_t v[] = {
        0,
        0x1000,
        0x3ffff000, /* just below RAM */
        0x40000000, /* RAM base: QEMU's own tree is there */
        0x40200000, /* the hypervisor image */
        0x40210000,
        0x48000000, /* the host tree */
        0x50000000, /* the first kernel */
        0x50001000,
        0x50200000,
        0x5fff0000,
        0x60000000,
        0x7ffff000,
        0xbffff000, /* straddles the end of RAM */
        0xc0000000, /* just past RAM */
        0x100000000ULL,
        0x8000000000ULL,
        0xfffffffffffff000ULL, /* near 2^64 */
        0xffffffffffe00000ULL,
        0xffffffffffffffffULL,
    };
    return PICK(v);
}
static uint64_t size_value(void)
{
    static const uint64_t v[] = {
        0,
        1,
        63,
        64,
        0x1000,
        0x1001,
        0x2000,
        0x10000,
        0x200000,
        0x200001,
        0x1000000,
        0x10000000,
        0x40000000,
        0x80000000,
        0x100000000ULL,
        0x8000000000000000ULL,
        0xfffffffffffff000ULL,
        0xffffffffffffffffULL,
    };
    return PICK(v);
}
static uint32_t cell_value(void)
{
    static const uint32_t v[] = { 0,      1,      2,          3,          4,          7,          8,
                                  9,      31,     32,         64,         255,        256,        1020,
                                  0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xdead };
    return PICK(v);
}

/* write (addr, size) as reg-style cells for the given counts (clamped to 2) */
static unsigned put_range(uint32_t *out, unsigned ac, unsigned sc, uint64_t a, uint64_t s)
{
    unsigned n = 0;
    if (ac >= 2)
        out[n++] = (uint32_t)(a >> 32);
    if (ac >= 1)
        out[n++] = (uint32_t)a;
    if (sc >= 2)
        out[n++] = (uint32_t)(s >> 32);
    if (sc >= 1)
        out[n++] = (uint32_t)s;
    return n;
}
static void parent_cells(int node, unsigned *ac, unsigned *sc)
{
    int parent = fdt_parent_offset(fdt, node);
    int a = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
    int s = parent >= 0 ? fdt_size_cells(fdt, parent) : 1;
    *ac = a >= 1 && a <= 2 ? (unsigned)a : 2;
    *sc = s >= 0 && s <= 2 ? (unsigned)s : 2;
}

/* a value for any property: a different shape from what it had */
static void random_value(char *buf, int *len)
{
    switch (below(9)) {
    case 0:
        *len = 0;
        break; /* empty */
    case 1:
        buf[0] = (char)below(256);
        *len = 1;
        break; /* one byte */
    case 2:
        memcpy(buf, "\x00\x00\x01", 3);
        *len = 3;
        break; /* odd length */
    case 3:
        strcpy(buf, "okay");
        *len = 5;
        break; /* a string */
    case 4:
        memcpy(buf, "abc", 3);
        *len = 3;
        break; /* a string without its NUL */
    case 5: {
        fdt32_t c = cpu_to_fdt32(cell_value());
        memcpy(buf, &c, 4);
        *len = 4;
        break;
    }
    case 6: {
        fdt64_t c = cpu_to_fdt64(addr_value());
        memcpy(buf, &c, 8);
        *len = 8;
        break;
    }
    case 7: { /* 3 or 5 cells */
        unsigned n = chance(50) ? 3 : 5;
        for (unsigned i = 0; i < n; i++) {
            fdt32_t c = cpu_to_fdt32(cell_value());
            memcpy(buf + 4 * i, &c, 4);
        }
        *len = (int)n * 4;
        break;
    }
    default: { /* 16 cells of one interesting value */
        fdt32_t c = cpu_to_fdt32(cell_value());
        for (unsigned i = 0; i < 16; i++)
            memcpy(buf + 4 * i, &c, 4);
        *len = 64;
        break;
    }
    }
}
static void describe_value(char *out, size_t olen, const char *v, int len)
{
    size_t w = (size_t)snprintf(out, olen, "%d bytes [", len);
    for (int i = 0; i < len && i < 24 && w + 4 < olen; i++)
        w += (size_t)snprintf(out + w, olen - w, "%s%02x", i ? " " : "", (unsigned char)v[i]);
    snprintf(out + w, olen - w, "%s]", len > 24 ? " ..." : "");
}

/* a node to meddle with: mostly /chosen's, sometimes the host's own */
static int interesting_node(void)
{
    struct nodes all;
    if (chance(70)) {
        chosen_nodes(&all, any_node);
        if (all.n)
            return all.off[below(all.n)];
    }
    static const char *const host[] = { "/chosen", "/memory", "/cpus", "/psci", "/", "/timer", "/pl011" };
    const char *p = PICK(host);
    if (!strcmp(p, "/memory")) /* QEMU names it /memory@40000000 */
        return fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
    if (!strcmp(p, "/pl011"))
        return fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
    if (!strcmp(p, "/timer"))
        return fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
    if (chance(30)) {
        struct nodes cpus;
        cpu_nodes(&cpus);
        if (cpus.n)
            return cpus.off[below(cpus.n)];
    }
    if (chance(20))
        return gic_node();
    return fdt_path_offset(fdt, p);
}

static const char *random_prop(int node, int *len)
{
    int props[128], n = 0, off;
    fdt_for_each_property_offset(off, fdt, node) if (n < 128) props[n++] = off;
    if (!n)
        return NULL;
    const char *name;
    fdt_getprop_by_offset(fdt, props[below((unsigned)n)], &name, len);
    return name;
}

/* ---- the mutations ----------------------------------------------------------- */
typedef bool (*mutation_fn)(void);

static bool m_delete_prop(void)
{
    int node = interesting_node(), len;
    if (node < 0)
        return false;
    const char *name = random_prop(node, &len);
    if (!name)
        return false;
    char n[256];
    snprintf(n, sizeof(n), "%s", name);
    if (!strcmp(n, "stdout-path") && chance(50)) /* too often a dead end */
        return false;
    say("delete %s %s", P(node), n);
    return fdt_delprop(fdt, node, n) == 0;
}

/* Two properties of one name: add one under a placeholder name and point
 * its name at the existing property's. */
static bool m_duplicate_prop(void)
{
    int node = interesting_node(), len;
    if (node < 0)
        return false;
    const char *name = random_prop(node, &len);
    if (!name)
        return false;
    char n[256], val[128], d[200];
    snprintf(n, sizeof(n), "%s", name);
    int vlen;
    const struct fdt_property *orig = fdt_get_property(fdt, node, n, NULL);
    uint32_t nameoff = fdt32_to_cpu(orig->nameoff);
    if (chance(50)) { /* the same value twice, or a different one */
        const void *v = fdt_getprop(fdt, node, n, &vlen);
        vlen = vlen > (int)sizeof(val) ? (int)sizeof(val) : vlen;
        memcpy(val, v, (size_t)vlen);
    } else {
        random_value(val, &vlen);
    }
    if (fdt_setprop(fdt, node, "xam-fuzz-duplicate", val, vlen))
        return false;
    struct fdt_property *dup = fdt_get_property_w(fdt, node, "xam-fuzz-duplicate", NULL);
    dup->nameoff = cpu_to_fdt32(nameoff);
    describe_value(d, sizeof(d), val, vlen);
    say("duplicate %s %s (second copy: %s)", P(node), n, d);
    return true;
}

static bool m_retype_prop(void)
{
    int node = interesting_node(), len;
    if (node < 0)
        return false;
    const char *name = random_prop(node, &len);
    if (!name)
        return false;
    char n[256], val[128], d[200];
    snprintf(n, sizeof(n), "%s", name);
    int vlen;
    random_value(val, &vlen);
    describe_value(d, sizeof(d), val, vlen);
    say("retype %s %s = %s", P(node), n, d);
    set_raw(node, n, val, vlen);
    return true;
}

static bool m_cells(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    int node;
    switch (below(5)) {
    case 0:
        node = fdt_path_offset(fdt, "/chosen");
        break;
    case 1:
        node = doms.n ? doms.off[below(doms.n)] : -1;
        break;
    case 2:
        node = 0;
        break;
    case 3:
        node = fdt_path_offset(fdt, "/cpus");
        break;
    default:
        node = fdt_path_offset(fdt, "/chosen");
        break;
    }
    if (node < 0)
        return false;
    static const char *const props[] = { "#address-cells", "#size-cells" };
    const char *p = PICK(props);
    static const uint32_t vals[] = { 0, 1, 1, 2, 3, 4, 5, 0xffffffff };
    if (chance(15)) {
        say("delete %s %s", P(node), p);
        fdt_delprop(fdt, node, p);
        return true;
    }
    uint32_t v = PICK(vals);
    say("set %s %s = <%u>", P(node), p, v);
    set_u32(node, p, v);
    return true;
}

static bool m_module_reg(void)
{
    struct nodes mods;
    chosen_nodes(&mods, is_module);
    if (!mods.n)
        return false;
    int node = mods.off[below(mods.n)], len;
    unsigned ac, sc;
    parent_cells(node, &ac, &sc);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    uint64_t base = 0, size = 0;
    if (reg && len == (int)((ac + sc) * 4)) {
        for (unsigned i = 0; i < ac; i++)
            base = base << 32 | fdt32_to_cpu(reg[i]);
        for (unsigned i = 0; i < sc; i++)
            size = size << 32 | fdt32_to_cpu(reg[ac + i]);
    }
    switch (below(6)) {
    case 0:
        base = addr_value();
        break;
    case 1:
        size = size_value();
        break;
    case 2:
        base = addr_value();
        size = size_value();
        break;
    case 3: { /* onto (or into) another module */
        int other = mods.off[below(mods.n)];
        const fdt32_t *r2 = fdt_getprop(fdt, other, "reg", &len);
        if (!r2 || len < 8)
            return false;
        uint64_t b2 = 0;
        for (unsigned i = 0; i < ac && i < (unsigned)len / 4; i++)
            b2 = b2 << 32 | fdt32_to_cpu(r2[i]);
        base = b2 + (chance(50) ? 0 : 0x1000);
        break;
    }
    case 4:
        size = size + (chance(50) ? 1 : 0x100000);
        break; /* a little longer than the file */
    default:
        size = size > 64 ? size / 2 : 1;
        break; /* shorter */
    }
    uint32_t cells[4];
    char d[100];
    unsigned n = put_range(cells, ac, sc, base, size);
    cells_fmt(d, sizeof(d), cells, n);
    say("set %s reg = %s (module 0x%" PRIx64 "+0x%" PRIx64 ")", P(node), d, base, size);
    set_cells(node, "reg", cells, n);
    return true;
}

static bool m_module_kind(void)
{
    struct nodes mods, doms;
    chosen_nodes(&mods, is_module);
    chosen_nodes(&doms, is_domain);
    if (!mods.n || !doms.n)
        return false;
    int node = mods.off[below(mods.n)];
    static const char *const kinds[] = { "multiboot,kernel",      "multiboot,ramdisk",
                                         "multiboot,device-tree", "xen,linux-zimage",
                                         "xen,linux-initrd",      "multiboot,module",
                                         "multiboot,kern",        "" };
    if (chance(50)) {
        const char *k = PICK(kinds);
        char buf[64];
        int l = snprintf(buf, sizeof(buf), "%s", k) + 1;
        if (strcmp(k, "multiboot,module") && chance(60))
            l += snprintf(buf + l, sizeof(buf) - (size_t)l, "multiboot,module") + 1;
        say("set %s compatible = \"%s\"%s", P(node), k, l > (int)strlen(k) + 1 ? ", \"multiboot,module\"" : "");
        set_raw(node, "compatible", buf, l);
        return true;
    }
    /* a second module in some domain: a copy of this one's range, or one
     * overlapping it, of some kind */
    int dom = doms.off[below(doms.n)], len;
    const void *reg = fdt_getprop(fdt, node, "reg", &len);
    char regcopy[64];
    if (!reg || len > (int)sizeof(regcopy))
        return false;
    memcpy(regcopy, reg, (size_t)len);
    int rlen = len;
    const char *k = PICK(kinds);
    char name[40], src[512];
    path_of(node, src, sizeof(src));
    snprintf(name, sizeof(name), "extra%u", below(1000));
    int child = fdt_add_subnode(fdt, dom, name);
    if (child < 0)
        return false;
    char buf[64];
    int l = snprintf(buf, sizeof(buf), "%s", k) + 1;
    l += snprintf(buf + l, sizeof(buf) - (size_t)l, "multiboot,module") + 1;
    set_raw(child, "compatible", buf, l);
    bool shifted = rlen == 16 && chance(40);
    if (shifted) /* a page on (2+2 cells): overlapping, not equal */
        ((fdt32_t *)regcopy)[1] = cpu_to_fdt32(fdt32_to_cpu(((fdt32_t *)regcopy)[1]) + 0x1000);
    set_raw(child, "reg", regcopy, rlen);
    say("add %s (compatible \"%s\", \"multiboot,module\"; %s)", P(child), k,
        shifted ? "reg a page after that of" : "the reg of", src);
    return true;
}

static bool m_memory(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    if (!doms.n)
        return false;
    int node = doms.off[below(doms.n)];
    static const uint64_t kib[] = { 0,
                                    3,
                                    4,
                                    8,
                                    0x800,
                                    0x1000,
                                    0x4000,
                                    0x4001,
                                    0x8000,
                                    0x100000,
                                    0x1c0000,
                                    0x200000,
                                    0x400000,
                                    0x10c00000,
                                    0x10c00004,
                                    0x100000000ULL,
                                    0xfffffffffffffffcULL,
                                    0x4000000000000000ULL };
    if (chance(15)) {
        uint32_t one = 0x4000;
        say("set %s memory = <0x4000> (one cell)", P(node));
        set_cells(node, "memory", &one, 1);
        return true;
    }
    uint64_t k = PICK(kib);
    uint32_t c[2] = { (uint32_t)(k >> 32), (uint32_t)k };
    say("set %s memory = <0x%x 0x%x> (KiB)", P(node), c[0], c[1]);
    set_cells(node, "memory", c, 2);
    return true;
}

static bool m_static_mem(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    if (!doms.n)
        return false;
    int node = doms.off[below(doms.n)];
    static const uint64_t bases[] = { 0x60000000,
                                      0x60000000,
                                      0x61000000,
                                      0x60000800,
                                      0x50000000,
                                      0x40200000,
                                      0x48000000,
                                      0x40000000,
                                      0x40100000,
                                      0xbf800000,
                                      0xc0000000,
                                      0x100000000ULL,
                                      0xffffffffff000000ULL,
                                      0xffffffffffe00000ULL,
                                      0x70000000,
                                      0x41000000 };
    static const uint64_t sizes[] = { 0x800000,  0x800000,   0x1000000, 0x1000, 0x200000,
                                      0x1000000, 0x10000000, 0x1001,    0,      0x2000000 };
    unsigned ac, sc;
    int parent = fdt_parent_offset(fdt, node);
    int a = fdt_address_cells(fdt, parent), s = fdt_size_cells(fdt, parent);
    ac = a >= 1 && a <= 2 ? (unsigned)a : 2;
    sc = s >= 1 && s <= 2 ? (unsigned)s : 2;
    unsigned nb = 1 + below(2);
    uint32_t cells[16];
    unsigned n = 0;
    uint64_t total = 0;
    char d[300];
    size_t w = 0;
    for (unsigned i = 0; i < nb; i++) {
        uint64_t b = PICK(bases), z = PICK(sizes);
        if (i && chance(50))
            b = 0x60000000 + 0x1000000 * i;
        n += put_range(cells + n, ac, sc, b, z);
        total += z;
        w += (size_t)snprintf(d + w, sizeof(d) - w, "%s0x%" PRIx64 "+0x%" PRIx64, i ? ", " : "", b, z);
    }
    say("set %s xen,static-mem = %s", P(node), d);
    set_cells(node, "xen,static-mem", cells, n);
    if (chance(70)) {
        uint32_t m[2] = { (uint32_t)((total >> 10) >> 32), (uint32_t)(total >> 10) };
        say("set %s memory = <0x%x 0x%x> (their total)", P(node), m[0], m[1]);
        set_cells(node, "memory", m, 2);
    }
    if (chance(25)) {
        say("add %s direct-map", P(node));
        set_raw(node, "direct-map", "", 0);
    }
    return true;
}

static bool m_host_memory(void)
{
    int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
    if (node < 0)
        return false;
    static const uint64_t v[][4] = {
        { 0x40000000, 0x10000000, 0, 0 }, /* 256 MiB: the modules are outside */
        { 0x40000000, 0x20000000, 0, 0 },
        { 0x40000000, 0x100000000ULL, 0, 0 }, /* more than QEMU has */
        { 0x40000000, 0x7ffff000, 0, 0 },
        { 0x40000000, 0x80001000, 0, 0 },
        { 0x40000000, 0x18000000, 0x58000000, 0x68000000 }, /* a hole over some modules */
        { 0x40000000, 0x40000000, 0x80000000, 0x40000000 }, /* two adjacent banks */
        { 0x40000000, 0x80000000, 0x40000000, 0x80000000 }, /* the same bank twice */
        { 0x40000000, 0x80000000, 0x60000000, 0x1000 }, /* overlapping banks */
        { 0xfffffffffffff000ULL, 0x2000, 0, 0 }, /* wraps */
        { 0x40000000, 0xffffffffffffffffULL, 0, 0 },
        { 0x48000000, 0x78000000, 0, 0 }, /* starts on the host tree */
        { 0x50000000, 0x70000000, 0, 0 }, /* starts above the hypervisor */
        { 0x40000000, 0, 0, 0 },
        { 0x40000000, 0x1000, 0, 0 }, /* one page */
    };
    unsigned k = below(sizeof(v) / sizeof(v[0]));
    unsigned ac, sc;
    parent_cells(node, &ac, &sc);
    uint32_t cells[8];
    unsigned n = put_range(cells, ac, sc, v[k][0], v[k][1]);
    if (v[k][3])
        n += put_range(cells + n, ac, sc, v[k][2], v[k][3]);
    char d[200];
    cells_fmt(d, sizeof(d), cells, n);
    say("set %s reg = %s", P(node), d);
    set_cells(node, "reg", cells, n);
    return true;
}

static bool m_vcpus(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    if (!doms.n)
        return false;
    int node = doms.off[below(doms.n)];
    static const uint32_t v[] = { 0, 1, 2, 3, 4, 7, 8, 9, 64, 0xffffffff };
    if (chance(10)) {
        uint32_t c[2] = { 0, 1 };
        say("set %s cpus = <0 1> (two cells)", P(node));
        set_cells(node, "cpus", c, 2);
        return true;
    }
    uint32_t c = PICK(v);
    say("set %s cpus = <%u>", P(node), c);
    set_u32(node, "cpus", c);
    return true;
}

static bool m_host_cpus(void)
{
    struct nodes cpus;
    cpu_nodes(&cpus);
    if (!cpus.n)
        return false;
    int node = cpus.off[below(cpus.n)];
    switch (below(5)) {
    case 0:
        if (cpus.n < 2 || node == cpus.off[0])
            return false; /* the boot CPU missing: always refused, seen often enough by unit tests */
        say("delete node %s", P(node));
        return fdt_del_node(fdt, node) == 0;
    case 1: {
        static const uint32_t v[] = { 0, 1, 0x100, 0x80000000, 0xffffffff, 3, 7 };
        uint32_t m = PICK(v);
        say("set %s reg = <0x%x> (MPIDR)", P(node), m);
        set_u32(node, "reg", m);
        return true;
    }
    case 2:
        say("delete %s enable-method", P(node));
        fdt_delprop(fdt, node, "enable-method");
        return true;
    case 3:
        say("set %s enable-method = \"spin-table\"", P(node));
        set_str(node, "enable-method", "spin-table");
        return true;
    default: {
        /* a copy of a CPU node: one more CPU than QEMU has, or a duplicate MPIDR */
        int cpusnode = fdt_path_offset(fdt, "/cpus");
        char name[32];
        uint32_t m = chance(50) ? 0x3 + below(6) : 0;
        snprintf(name, sizeof(name), "cpu@%x", 0x40 + below(100));
        int child = fdt_add_subnode(fdt, cpusnode, name);
        if (child < 0)
            return false;
        set_str(child, "device_type", "cpu");
        set_str(child, "compatible", "arm,cortex-a57");
        set_str(child, "enable-method", "psci");
        set_u32(child, "reg", m);
        say("add %s (MPIDR 0x%x)", P(child), m);
        return true;
    }
    }
}

static bool m_cpupool(void)
{
    struct nodes pools, doms, cpus;
    chosen_nodes(&pools, is_pool);
    chosen_nodes(&doms, is_domain);
    cpu_nodes(&cpus);
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0 || !doms.n)
        return false;
    int pool;
    char ppath[512];
    if (!pools.n || chance(30)) {
        char name[32];
        snprintf(name, sizeof(name), "pool%u", below(1000));
        pool = fdt_add_subnode(fdt, chosen, name);
        if (pool < 0)
            return false;
        set_str(pool, "compatible", "xen,cpupool");
        say("add %s (compatible \"xen,cpupool\")", P(pool));
    } else {
        pool = pools.off[below(pools.n)];
    }
    path_of(pool, ppath, sizeof(ppath));
    /* offsets moved if a node was added */
    chosen_nodes(&doms, is_domain);
    cpu_nodes(&cpus);
    /* its CPUs */
    uint32_t list[8];
    unsigned n = 0;
    switch (below(6)) {
    case 0:
        break; /* empty */
    case 1:
        list[n++] = 0xdead;
        break;
    case 2: /* the same CPU twice */
        if (cpus.n) {
            int c = cpus.off[0];
            list[n] = phandle_of(&c);
            list[n + 1] = list[n];
            n += 2;
        }
        break;
    case 3: { /* a domain node's phandle */
        int d = doms.off[below(doms.n)];
        list[n++] = phandle_of(&d);
        break;
    }
    default: /* one to all of the CPUs */
        for (unsigned i = 0, k = 1 + below(cpus.n); i < cpus.n && n < k; i++) {
            cpu_nodes(&cpus);
            int c = cpus.off[(i + k) % cpus.n];
            list[n++] = phandle_of(&c);
        }
        break;
    }
    pool = fdt_path_offset(fdt, ppath);
    char d[120];
    cells_fmt(d, sizeof(d), list, n);
    say("set %s cpupool-cpus = %s", ppath, d);
    set_cells(pool, "cpupool-cpus", list, n);
    /* and who points at it */
    chosen_nodes(&doms, is_domain);
    int dom = doms.off[below(doms.n)];
    char dpath[512];
    path_of(dom, dpath, sizeof(dpath));
    uint32_t target;
    switch (below(6)) {
    case 0:
        target = 0xdead;
        break;
    case 1:
        target = 0;
        break;
    case 2:
        target = 0xffffffff;
        break;
    case 3: {
        int self = dom;
        target = phandle_of(&self);
        break;
    }
    default:
        pool = fdt_path_offset(fdt, ppath);
        target = phandle_of(&pool);
        break;
    }
    dom = fdt_path_offset(fdt, dpath);
    say("set %s domain-cpupool = <0x%x>", dpath, target);
    set_u32(dom, "domain-cpupool", target);
    return true;
}

static bool m_phandles(void)
{
    struct nodes all;
    chosen_nodes(&all, any_node);
    if (all.n < 2)
        return false;
    int a = all.off[below(all.n)], b = all.off[below(all.n)];
    switch (below(4)) {
    case 0: { /* two nodes, one phandle */
        char bp[512];
        path_of(b, bp, sizeof(bp));
        uint32_t ph = phandle_of(&a);
        b = fdt_path_offset(fdt, bp);
        say("set %s phandle = <0x%x> (as %s's)", bp, ph, P(a));
        set_u32(b, "phandle", ph);
        return true;
    }
    case 1: {
        static const uint32_t v[] = { 0, 0xffffffff, 0x7100, 1 };
        uint32_t ph = PICK(v);
        say("set %s phandle = <0x%x>", P(a), ph);
        set_u32(a, "phandle", ph);
        return true;
    }
    case 2: /* a referenced phandle removed */
        if (!fdt_getprop(fdt, a, "phandle", NULL))
            return false;
        say("delete %s phandle", P(a));
        fdt_delprop(fdt, a, "phandle");
        return true;
    default: {
        uint32_t ph = fdt_get_phandle(fdt, a);
        if (!ph)
            return false;
        say("set %s linux,phandle = <0x%x>", P(a), ph + 1);
        set_u32(a, "linux,phandle", ph + 1);
        return true;
    }
    }
}

static bool m_device_model(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    if (!doms.n)
        return false;
    int a = doms.off[below(doms.n)], b = doms.off[below(doms.n)];
    char ap[512], bp[512];
    path_of(a, ap, sizeof(ap));
    path_of(b, bp, sizeof(bp));
    switch (below(7)) {
    case 0:
        say("set %s device-model = <0xdead>", ap);
        set_u32(a, "device-model", 0xdead);
        break;
    case 1: { /* to another domain (or itself) */
        uint32_t ph = phandle_of(&b);
        a = fdt_path_offset(fdt, ap);
        say("set %s device-model = <0x%x> (%s)", ap, ph, bp);
        set_u32(a, "device-model", ph);
        break;
    }
    case 2: { /* a loop */
        uint32_t pa = phandle_of(&a);
        b = fdt_path_offset(fdt, bp);
        uint32_t pb = phandle_of(&b);
        a = fdt_path_offset(fdt, ap);
        say("set %s device-model = <0x%x> (%s) and %s device-model = <0x%x> (%s)", ap, pb, bp, bp, pa, ap);
        set_u32(a, "device-model", pb);
        b = fdt_path_offset(fdt, bp);
        set_u32(b, "device-model", pa);
        break;
    }
    case 3: { /* to a node that is no domain */
        int cpu = fdt_path_offset(fdt, "/cpus/cpu@0");
        if (cpu < 0)
            return false;
        uint32_t ph = phandle_of(&cpu);
        a = fdt_path_offset(fdt, ap);
        say("set %s device-model = <0x%x> (/cpus/cpu@0)", ap, ph);
        set_u32(a, "device-model", ph);
        break;
    }
    case 4:
        if (fdt_getprop(fdt, a, "hold-until-device-model", NULL)) {
            say("delete %s hold-until-device-model", ap);
            fdt_delprop(fdt, a, "hold-until-device-model");
        } else {
            say("add %s hold-until-device-model", ap);
            set_raw(a, "hold-until-device-model", "", 0);
        }
        break;
    case 5:
        if (fdt_getprop(fdt, a, "secondary-emulated-pci-host-bridge", NULL) && chance(50)) {
            say("delete %s secondary-emulated-pci-host-bridge", ap);
            fdt_delprop(fdt, a, "secondary-emulated-pci-host-bridge");
        } else {
            say("add %s secondary-emulated-pci-host-bridge (empty)", ap);
            set_raw(a, "secondary-emulated-pci-host-bridge", "", 0);
        }
        break;
    default: { /* a bridge with explicit windows, one of them odd */
        uint32_t c[15] = { 0, 0x60000000, 0, 0x200000, 0, 0x70000000, 0, 0x1000000, 0, 0, 0, 0, 0x28, 2, 0 };
        unsigned i = below(15);
        c[i] = chance(50) ? cell_value() : (uint32_t)(addr_value() >> (i % 2 ? 0 : 32));
        char d[200];
        cells_fmt(d, sizeof(d), c, 15);
        say("set %s secondary-emulated-pci-host-bridge = %s", ap, d);
        set_cells(a, "secondary-emulated-pci-host-bridge", c, 15);
        break;
    }
    }
    return true;
}

static bool m_gic(void)
{
    int node = gic_node(), len;
    if (node < 0)
        return false;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || len < 16 || len > 256)
        return false;
    uint32_t c[64];
    unsigned n = (unsigned)len / 4;
    for (unsigned i = 0; i < n; i++)
        c[i] = fdt32_to_cpu(reg[i]);
    char d[400];
    switch (below(6)) {
    case 0: { /* one frame moved */
        unsigned f = below(n / 4);
        static const uint64_t to[] = { 0x8001000, 0x8010000,  0x8100000,      0,
                                       0x9000000, 0x40000000, 0x100000000ULL, 0xfffffffffff00000ULL,
                                       0x80b0000, 0x8020000 };
        uint64_t t = PICK(to);
        c[4 * f] = (uint32_t)(t >> 32);
        c[4 * f + 1] = (uint32_t)t;
        break;
    }
    case 1: { /* one frame resized */
        unsigned f = below(n / 4);
        static const uint64_t sz[] = { 0, 0x1000, 0x10000, 0x20000, 0x1, 0xffffffffffffffffULL, 0xf60000 * 2 };
        uint64_t s = PICK(sz);
        c[4 * f + 2] = (uint32_t)(s >> 32);
        c[4 * f + 3] = (uint32_t)s;
        break;
    }
    case 2: /* frames dropped from the end */
        n = n > 4 ? n - 4 * (1 + below(n / 4 - 1)) : n;
        break;
    case 3:
        n = n - 1 - below(3); /* not a whole number of entries */
        break;
    case 4: {
        static const char *const compat[] = { "arm,gic-v3", "arm,cortex-a15-gic", "arm,gic-400", "arm,gic-v5", "" };
        const char *s = PICK(compat);
        say("set %s compatible = \"%s\"", P(node), s);
        set_str(node, "compatible", s);
        return true;
    }
    default: { /* its own maintenance interrupt or #interrupt-cells */
        if (chance(50)) {
            uint32_t v = PICK(((const uint32_t[]){ 0, 1, 2, 4 }));
            say("set %s #interrupt-cells = <%u>", P(node), v);
            set_u32(node, "#interrupt-cells", v);
        } else {
            uint32_t irq[3] = { below(3), cell_value(), 4 };
            cells_fmt(d, sizeof(d), irq, 3);
            say("set %s interrupts = %s", P(node), d);
            set_cells(node, "interrupts", irq, 3);
        }
        return true;
    }
    }
    cells_fmt(d, sizeof(d), c, n);
    say("set %s reg = %s", P(node), d);
    set_cells(node, "reg", c, n);
    return true;
}

static bool m_psci(void)
{
    int node = fdt_path_offset(fdt, "/psci");
    if (node < 0)
        return false;
    switch (below(4)) {
    case 0: {
        static const char *const m[] = { "hvc", "smc", "", "smcx", "SMC" };
        const char *s = PICK(m);
        say("set /psci method = \"%s\"", s);
        set_str(node, "method", s);
        break;
    }
    case 1:
        say("set /psci method = \"sm\" (no NUL)");
        set_raw(node, "method", "sm", 2);
        break;
    case 2: {
        static const char *const c[] = { "arm,psci", "arm,psci-0.2", "arm,psci-1.0", "foo,psci", "" };
        const char *s = PICK(c);
        say("set /psci compatible = \"%s\"", s);
        set_str(node, "compatible", s);
        break;
    }
    default:
        if (chance(50)) {
            say("delete /psci method");
            fdt_delprop(fdt, node, "method");
        } else {
            say("delete node /psci");
            fdt_del_node(fdt, node);
        }
        break;
    }
    return true;
}

static bool m_truncate_string(void)
{
    /* a string property loses its NUL, or is cut short */
    int node = interesting_node(), len;
    if (node < 0)
        return false;
    static const char *const strs[] = { "compatible",    "stdout-path", "bootargs",         "xen,enhanced",
                                        "hard-affinity", "method",      "xen,xen-bootargs", "device_type",
                                        "enable-method", "status" };
    const char *name = PICK(strs);
    const char *v = fdt_getprop(fdt, node, name, &len);
    if (!v || len < 1)
        return false;
    char buf[4096];
    if (len > (int)sizeof(buf))
        return false;
    memcpy(buf, v, (size_t)len);
    int nl;
    switch (below(4)) {
    case 0:
        nl = len - 1;
        break; /* no final NUL */
    case 1:
        nl = len > 2 ? 1 + (int)below((unsigned)len - 2) : len - 1;
        break; /* cut mid-string */
    case 2:
        buf[0] = 0;
        nl = 1;
        break; /* empty string */
    default:
        nl = len;
        if (len > 2)
            buf[len / 2] = 0;
        break; /* a NUL inside */
    }
    say("cut %s %s to %d of its %d bytes%s", P(node), name, nl, len, nl == len ? " (a NUL put inside)" : "");
    set_raw(node, name, buf, nl);
    return true;
}

static bool m_bootargs(void)
{
    static const unsigned sizes[] = { 255, 256, 1023, 1024, 4095, 4096, 4097, 65536, 3u << 20 };
    static const char *const words[] = { "a",
                                         "loglvl=all ",
                                         "dtuart=",
                                         "x=\"",
                                         "console=dtuart ",
                                         "loglvl=",
                                         "dtuart=/nonexistent ",
                                         "dtuart=serial0 ",
                                         "loglvl=debug/warning " };
    unsigned size = PICK(sizes);
    if (size > 65536 && chance(70))
        size = 2048;
    const char *w = PICK(words);
    char *buf = malloc(size + 1);
    size_t wl = strlen(w);
    for (unsigned i = 0; i < size; i++)
        buf[i] = w[i % wl];
    buf[size] = 0;
    if (chance(60) || size > 65536) {
        int chosen = fdt_path_offset(fdt, "/chosen");
        if (chosen < 0) {
            free(buf);
            return false;
        }
        bool nonul = chance(15);
        if (chance(30) && size > 64) /* a short, telling command line */
            buf[20 + below(40)] = 0;
        say("set /chosen xen,xen-bootargs = %zu characters of \"%s\"%s", strlen(buf), w, nonul ? " (no NUL)" : "");
        set_raw(chosen, "xen,xen-bootargs", buf, (int)strlen(buf) + (nonul ? 0 : 1));
    } else {
        struct nodes mods;
        chosen_nodes(&mods, is_module);
        if (!mods.n) {
            free(buf);
            return false;
        }
        int m = mods.off[below(mods.n)];
        bool nonul = chance(15);
        say("set %s bootargs = %u characters of \"%s\"%s", P(m), size, w, nonul ? " (no NUL)" : "");
        set_raw(m, "bootargs", buf, (int)size + (nonul ? 0 : 1));
    }
    free(buf);
    return true;
}

static bool m_name(void)
{
    struct nodes doms;
    chosen_nodes(&doms, is_domain);
    if (!doms.n)
        return false;
    int node = doms.off[below(doms.n)];
    char name[300];
    switch (below(12)) {
    case 0:
        memset(name, 'n', 31);
        name[31] = 0;
        break;
    case 1:
        memset(name, 'n', 32);
        name[32] = 0;
        break;
    case 2:
        memset(name, 'n', 200);
        name[200] = 0;
        break;
    case 3: { /* another domain's name */
        const char *o = fdt_get_name(fdt, doms.off[below(doms.n)], NULL);
        snprintf(name, sizeof(name), "%s", o ? o : "x");
        break;
    }
    case 4: { /* another domain's first 31 characters, and more */
        const char *o = fdt_get_name(fdt, doms.off[below(doms.n)], NULL);
        snprintf(name, sizeof(name), "%-31.31s-and-more", o ? o : "x");
        for (char *p = name; *p; p++)
            if (*p == ' ')
                *p = '_';
        break;
    }
    case 5:
        strcpy(name, "a b");
        break;
    case 6:
        strcpy(name, "x) [    0.100000] ERROR: forged");
        break;
    case 7:
        strcpy(name, "dom\001\033[2J");
        break;
    case 8:
        strcpy(name, "domU@1");
        break;
    case 9:
        strcpy(name, "%s%s%n%x");
        break;
    case 10:
        strcpy(name, "\xc3\xa9t\xc3\xa9");
        break;
    default:
        strcpy(name, "d@");
        break;
    }
    say("rename %s to \"%s\"", P(node), name);
    int rc = fdt_set_name(fdt, node, name);
    return rc == 0;
}

/* ---- copying a subtree ------------------------------------------------------ */
static void copy_tree(const char *src_path, const char *dst_parent_path, const char *name, int depth)
{
    int src = fdt_path_offset(fdt, src_path);
    int parent = fdt_path_offset(fdt, dst_parent_path);
    if (src < 0 || parent < 0 || depth > 4)
        return;
    int dst = fdt_add_subnode(fdt, parent, name);
    if (dst < 0)
        return;
    char dst_path[512];
    path_of(dst, dst_path, sizeof(dst_path));
    /* properties: re-find both nodes after each write (offsets move) */
    for (unsigned i = 0;; i++) {
        src = fdt_path_offset(fdt, src_path);
        int off, k = 0;
        const char *pname = NULL;
        const void *v = NULL;
        int len = 0;
        fdt_for_each_property_offset(off, fdt, src) if (k++ == (int)i)
        {
            v = fdt_getprop_by_offset(fdt, off, &pname, &len);
            break;
        }
        if (!v)
            break;
        if (!strcmp(pname, "phandle") || !strcmp(pname, "linux,phandle"))
            continue; /* a copy with the same phandle is a different mutation */
        char pn[256];
        snprintf(pn, sizeof(pn), "%s", pname);
        void *copy = malloc((size_t)len + 1);
        memcpy(copy, v, (size_t)len);
        set_raw(fdt_path_offset(fdt, dst_path), pn, copy, len);
        free(copy);
    }
    /* children */
    char names[32][256];
    unsigned nc = 0;
    int child;
    src = fdt_path_offset(fdt, src_path);
    fdt_for_each_subnode(child, fdt, src) if (nc < 32) snprintf(names[nc++], 256, "%s", fdt_get_name(fdt, child, NULL));
    for (unsigned i = 0; i < nc; i++) {
        char cp[1024];
        if (snprintf(cp, sizeof(cp), "%s/%s", src_path, names[i]) >= (int)sizeof(cp))
            continue;
        copy_tree(cp, dst_path, names[i], depth + 1);
    }
}

static bool m_nodes(void)
{
    struct nodes doms, mods, all;
    chosen_nodes(&doms, is_domain);
    chosen_nodes(&mods, is_module);
    chosen_nodes(&all, any_node);
    switch (below(6)) {
    case 0: /* a domain copied, under a new name or (rarely) its own */
        if (doms.n) {
            char src[512], name[64];
            path_of(doms.off[below(doms.n)], src, sizeof(src));
            snprintf(name, sizeof(name), "copy%u", below(1000));
            say("copy %s to /chosen/%s", src, name);
            copy_tree(src, "/chosen", name, 0);
            return true;
        }
        return false;
    case 1: /* a module copied inside its domain: two kernels */
        if (mods.n) {
            int m = mods.off[below(mods.n)];
            char src[512], parent[512], name[64];
            path_of(m, src, sizeof(src));
            path_of(fdt_parent_offset(fdt, m), parent, sizeof(parent));
            snprintf(name, sizeof(name), "module%u", below(1000));
            say("copy %s to %s/%s", src, parent, name);
            copy_tree(src, parent, name, 0);
            return true;
        }
        return false;
    case 2: /* a node of /chosen deleted */
        if (all.n) {
            int n = all.off[below(all.n)];
            say("delete node %s", P(n));
            return fdt_del_node(fdt, n) == 0;
        }
        return false;
    case 3: { /* a vcpu node */
        if (!doms.n)
            return false;
        int d = doms.off[below(doms.n)];
        char name[32];
        snprintf(name, sizeof(name), "vcpu%u", below(10));
        int v = fdt_add_subnode(fdt, d, name);
        if (v < 0)
            return false;
        static const uint32_t ids[] = { 0, 0, 1, 7, 8, 0xffffffff };
        static const char *const aff[] = { "0",  "1",     "0-1",        "1-0",  "0,2-3", "9", "",     "0-",
                                           "-1", "0,0,0", "4294967296", "0-3 ", "a",     "3", "0-63", "63" };
        uint32_t id = PICK(ids);
        const char *a = PICK(aff);
        set_str(v, "compatible", "xen,vcpu");
        set_u32(v, "id", id);
        set_str(v, "hard-affinity", a);
        say("add %s (id %u, hard-affinity \"%s\")", P(v), id, a);
        return true;
    }
    case 4: { /* a host node that matters deleted */
        static const char *const host[] = { "/psci", "/timer", "/chosen", "/cpus" };
        const char *h = PICK(host);
        int n =
            !strcmp(h, "/timer") ? fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer") : fdt_path_offset(fdt, h);
        if (n < 0)
            return false;
        say("delete node %s", P(n));
        return fdt_del_node(fdt, n) == 0;
    }
    default: { /* xen,enhanced, vpl011 */
        if (!doms.n)
            return false;
        int d = doms.off[below(doms.n)];
        if (chance(50)) {
            static const char *const e[] = { "enabled", "no-xenstore", "disabled", "", "ENABLED", "xenstore" };
            const char *s = PICK(e);
            say("set %s xen,enhanced = \"%s\"", P(d), s);
            set_str(d, "xen,enhanced", s);
        } else if (fdt_getprop(fdt, d, "vpl011", NULL)) {
            say("delete %s vpl011", P(d));
            fdt_delprop(fdt, d, "vpl011");
        } else {
            say("add %s vpl011 = <1>", P(d));
            set_u32(d, "vpl011", 1);
        }
        return true;
    }
    }
}

static unsigned truncate_by;

static bool m_host_misc(void)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    switch (below(3)) {
    case 0: {
        static const char *const s[] = { "serial0", "/pl011@9000000:115200n8", "/nonexistent", "/psci", "",
                                         "/",       "/pl011@9000000",          "serial9" };
        const char *v = PICK(s);
        if (chosen < 0)
            return false;
        say("set /chosen stdout-path = \"%s\"", v);
        set_str(chosen, "stdout-path", v);
        return true;
    }
    case 1: { /* the timer's interrupts */
        int t = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer"), len;
        const fdt32_t *irq = t >= 0 ? fdt_getprop(fdt, t, "interrupts", &len) : NULL;
        if (!irq || len != 48)
            return false;
        uint32_t c[12];
        for (unsigned i = 0; i < 12; i++)
            c[i] = fdt32_to_cpu(irq[i]);
        unsigned i = below(4);
        c[3 * i + 1] = PICK(((const uint32_t[]){ 0, 15, 16, 31, 0xffff, 13, 10 }));
        if (chance(30))
            c[3 * i] = 0; /* an SPI */
        char d[200];
        cells_fmt(d, sizeof(d), c, 12);
        say("set %s interrupts = %s", P(t), d);
        set_cells(t, "interrupts", c, 12);
        return true;
    }
    default: /* the header: a tree that claims less than it is (applied
              * to the packed tree, see mutate_main) */
        truncate_by = 1 + below(64);
        say("cut the packed tree's totalsize by %u bytes", truncate_by);
        return true;
    }
}

static const struct {
    mutation_fn fn;
    unsigned weight;
} mutations[] = {
    { m_delete_prop, 6 }, { m_duplicate_prop, 4 },  { m_retype_prop, 6 }, { m_cells, 4 },        { m_module_reg, 10 },
    { m_module_kind, 5 }, { m_memory, 6 },          { m_static_mem, 7 },  { m_host_memory, 4 },  { m_vcpus, 5 },
    { m_host_cpus, 3 },   { m_cpupool, 6 },         { m_phandles, 4 },    { m_device_model, 7 }, { m_gic, 4 },
    { m_psci, 2 },        { m_truncate_string, 5 }, { m_bootargs, 4 },    { m_name, 6 },         { m_nodes, 8 },
    { m_host_misc, 3 },
};

static int mutate_main(int argc, char **argv)
{
    if (argc < 5)
        die("usage: mutate_dtb mutate IN.dtb OUT.dtb SEED [COUNT]");
    open_tree(argv[2]);
    errno = 0;
    uint64_t seed = strtoull(argv[4], NULL, 0);
    if (errno)
        die("bad seed %s", argv[4]);
    rng_state = seed;
    unsigned count = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
    if (!count) {
        unsigned r = below(10);
        count = r < 5 ? 1 : r < 8 ? 2 : 3;
    }
    unsigned total = 0;
    for (unsigned i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++)
        total += mutations[i].weight;
    for (unsigned done = 0, tries = 0; done < count && tries < 200; tries++) {
        unsigned r = below(total), k = 0;
        while (r >= mutations[k].weight)
            r -= mutations[k++].weight;
        if (mutations[k].fn())
            done++;
    }
    int rc = fdt_pack(fdt);
    if (rc)
        die("pack: %s", fdt_strerror(rc));
    uint32_t size = fdt_totalsize(fdt);
    if (truncate_by) {
        size -= truncate_by;
        fdt_set_totalsize(fdt, size);
    }
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(fdt, 1, size, out) != size || fclose(out))
        die("%s: %s", argv[3], strerror(errno));
    return 0;
}

/* ---- the RAM view ------------------------------------------------------------ */
/* What QEMU writes itself, under the hypervisor image: its own tree at
 * 0x40000000 (with random seeds in it) and the loader shim at 0x40100000. */
#define QEMU_OWN_BASE 0x40000000ULL
#define QEMU_OWN_END 0x40200000ULL
#define VIEW_MAX (4ULL << 30)

struct load {
    const char *path;
    uint64_t addr, size;
};

static bool module_reg(int node, uint64_t *base, uint64_t *size)
{
    /* as dt_read_reg_raw(): the parent's cells, 1-2 address and 0-2 size */
    int parent = fdt_parent_offset(fdt, node), len;
    if (parent < 0)
        return false;
    int a = fdt_address_cells(fdt, parent), s = fdt_size_cells(fdt, parent);
    if (a <= 0 || a > 2 || s < 0 || s > 2)
        return false;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    int entry = (a + s) * 4;
    if (!reg || len < entry || len % entry)
        return false;
    *base = 0;
    *size = 0;
    for (int i = 0; i < a; i++)
        *base = *base << 32 | fdt32_to_cpu(reg[i]);
    for (int i = 0; i < s; i++)
        *size = *size << 32 | fdt32_to_cpu(reg[a + i]);
    return true;
}

static int view_main(int argc, char **argv)
{
    if (argc < 4)
        die("usage: mutate_dtb view DTB OUTDIR FILE@ADDR...");
    size_t len;
    fdt = read_file(argv[2], &len);
    if (fdt_check_header(fdt) || fdt_totalsize(fdt) > len)
        return 0; /* no modules to speak of: the tree is refused anyway */
    const char *dir = argv[3];
    mkdir(dir, 0777);
    struct load loads[64];
    unsigned nl = 0;
    for (int i = 4; i < argc && nl < 64; i++) {
        char *at = strrchr(argv[i], '@');
        if (!at)
            die("%s: not FILE@ADDR", argv[i]);
        *at = 0;
        struct stat st;
        if (stat(argv[i], &st))
            die("%s: %s", argv[i], strerror(errno));
        loads[nl++] = (struct load){ argv[i], strtoull(at + 1, NULL, 0), (uint64_t)st.st_size };
    }
    /* each module base once, at the largest size claimed there */
    uint64_t bases[256], sizes[256];
    unsigned nb = 0;
    int chosen = fdt_path_offset(fdt, "/chosen"), depth = 0;
    for (int node = chosen < 0 ? -1 : fdt_next_node(fdt, chosen, &depth); node >= 0 && depth > 0;
         node = fdt_next_node(fdt, node, &depth)) {
        uint64_t b, s;
        if (!is_module(node) || !module_reg(node, &b, &s) || !s || b + s - 1 < b)
            continue;
        if (b < QEMU_OWN_END && b + s > QEMU_OWN_BASE) {
            printf("unknown %s\n", P(node));
            continue;
        }
        if (s > VIEW_MAX)
            continue;
        unsigned k = 0;
        while (k < nb && bases[k] != b)
            k++;
        if (k == nb && nb < 256) {
            bases[nb] = b;
            sizes[nb++] = s;
        } else if (k < nb && s > sizes[k]) {
            sizes[k] = s;
        }
    }
    for (unsigned k = 0; k < nb; k++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/0x%" PRIx64 ".bin", dir, bases[k]);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t)sizes[k]))
            die("%s: %s", path, strerror(errno));
        uint64_t b = bases[k], e = b + sizes[k];
        for (unsigned i = 0; i < nl; i++) {
            uint64_t lb = loads[i].addr, le = lb + loads[i].size;
            uint64_t from = lb > b ? lb : b, to = le < e ? le : e;
            if (from >= to)
                continue;
            FILE *in = fopen(loads[i].path, "rb");
            if (!in || fseeko(in, (off_t)(from - lb), SEEK_SET))
                die("%s: %s", loads[i].path, strerror(errno));
            char *buf = malloc(to - from);
            if (fread(buf, 1, to - from, in) != to - from ||
                pwrite(fd, buf, to - from, (off_t)(from - b)) != (ssize_t)(to - from))
                die("%s: short read or write", loads[i].path);
            free(buf);
            fclose(in);
        }
        close(fd);
        printf("-m 0x%" PRIx64 "=%s\n", b, path);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "mutate"))
        return mutate_main(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "view"))
        return view_main(argc, argv);
    die("usage: mutate_dtb mutate IN.dtb OUT.dtb SEED [COUNT] | view DTB OUTDIR FILE@ADDR...");
    return 2;
}
