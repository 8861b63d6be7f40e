#include <libfdt.h>
#include <string.h>
#include <xam/dtutil.h>
#include <xam/errno.h>

uint64_t dt_read_cells(const void *cells, unsigned n)
{
    const uint8_t *p = cells;
    uint64_t v = 0;
    for (unsigned i = 0; i < n * 4; i++)
        v = (v << 8) | p[i];
    return v;
}

/* libfdt's unaligned big-endian load, at a byte pointer */
#define ld32(p) fdt32_ld((const fdt32_t *)(const void *)(p))

/* The tag at offset p of the structure block st (ss bytes long) and the
 * offset of the tag after it, or 0 for anything but the plain case: an
 * offset out of the block or unaligned, a node name or property running
 * off it, an unknown tag. libfdt's fdt_next_tag() reads a node's name one
 * fdt_offset_ptr() call per byte, each checking the header again: most of
 * a boot's walks of the host tree went there. */
static inline __attribute__((always_inline)) uint32_t plain_tag(const char *st, uint32_t ss, uint32_t p, uint32_t *next)
{
    if ((p & 3) || p > ss || ss - p < 4)
        return 0;
    uint32_t tag = ld32(st + p);
    switch (tag) {
    case FDT_BEGIN_NODE: {
        const char *nul = memchr(st + p + 4, '\0', ss - p - 4);
        if (!nul)
            return 0;
        *next = ((uint32_t)(nul + 1 - st) + 3) & ~3u;
        return tag;
    }
    case FDT_PROP: {
        if (ss - p < 12 || ld32(st + p + 4) > ss - p - 12)
            return 0;
        *next = (p + 12 + ld32(st + p + 4) + 3) & ~3u;
        return tag;
    }
    case FDT_END_NODE:
    case FDT_NOP:
        *next = p + 4;
        return tag;
    default: /* FDT_END: where libfdt's error codes differ by case */
        return 0;
    }
}

/* libfdt 1.6's fdt_getprop checks the header, the offset and each name's
 * string again at every property it steps over: some 2,700 instructions
 * to find one of a domain node's half-dozen properties, and the builder
 * asks dozens of times per domain (most of the checks' time for 64
 * domains). The same walk with each step's bounds checked against the
 * structure and strings blocks, and nothing checked twice; whatever is not
 * the plain case (a version before 17, an offset that is not a node, a
 * property running past its block) goes to libfdt, whose answer, or error,
 * it then is. */
const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp)
{
    /* fdt_check_header: what libfdt's fdt_ro_probe_ checks, and more */
    if (fdt_check_header(fdt) || fdt_version(fdt) < 17 || node < 0)
        return fdt_getprop(fdt, node, name, lenp);
    uint32_t ss = fdt_size_dt_struct(fdt), ts = fdt_size_dt_strings(fdt), p, next;
    const char *st = (const char *)fdt + fdt_off_dt_struct(fdt), *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
    if (plain_tag(st, ss, (uint32_t)node, &p) != FDT_BEGIN_NODE)
        return fdt_getprop(fdt, node, name, lenp);
    size_t want = strlen(name) + 1;
    for (;; p = next) {
        uint32_t tag = plain_tag(st, ss, p, &next);
        if (tag == FDT_NOP)
            continue;
        /* a subnode or the node's end: no more properties (libfdt looks
         * at a subnode's name first, and errs if it runs off the block:
         * plain_tag() refuses that one) */
        if (tag == FDT_END_NODE || tag == FDT_BEGIN_NODE)
            break;
        if (tag != FDT_PROP) /* FDT_END, junk, a bad name or length: libfdt's error */
            return fdt_getprop(fdt, node, name, lenp);
        uint32_t len = ld32(st + p + 4), nameoff = ld32(st + p + 8);
        if (nameoff >= ts)
            return fdt_getprop(fdt, node, name, lenp);
        /* matches only if the name's NUL is there too: a string running
         * off its block matches nothing, as in libfdt */
        if (ts - nameoff >= want && !memcmp(strings + nameoff, name, want)) {
            if (lenp)
                *lenp = (int)len;
            return st + p + 12;
        }
    }
    if (lenp)
        *lenp = -FDT_ERR_NOTFOUND;
    return NULL;
}

int dt_next_node(const void *fdt, int offset, int *depth)
{
    if (fdt_check_header(fdt) || fdt_version(fdt) < 17)
        return fdt_next_node(fdt, offset, depth);
    const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
    uint32_t ss = fdt_size_dt_struct(fdt), p = 0, next;
    int d = depth ? *depth : 0;
    /* from a node: past its own tag (libfdt checks it is one) */
    if (offset >= 0) {
        if (plain_tag(st, ss, (uint32_t)offset, &next) != FDT_BEGIN_NODE)
            return fdt_next_node(fdt, offset, depth);
        p = next;
    }
    for (;;) {
        uint32_t tag = plain_tag(st, ss, p, &next);
        if (tag == FDT_BEGIN_NODE) {
            if (depth)
                *depth = d + 1;
            return (int)p;
        }
        if (tag == FDT_END_NODE && depth && --d < 0) {
            *depth = d;
            return (int)next;
        }
        if (!tag) /* not the plain case: libfdt walks it, from where we began */
            return fdt_next_node(fdt, offset, depth);
        p = next;
    }
}

/* libfdt's fdt_address_cells / fdt_size_cells (defaults 2 and 1, at most
 * FDT_MAX_NCELLS, #address-cells 0 refused), over dt_getprop. */
static int cells_prop(const void *fdt, int node, const char *name)
{
    int len;
    const void *c = dt_getprop(fdt, node, name, &len);
    if (!c)
        return len;
    if (len != 4 || ld32(c) > FDT_MAX_NCELLS)
        return -FDT_ERR_BADNCELLS;
    return (int)ld32(c);
}

int dt_address_cells(const void *fdt, int node)
{
    int v = cells_prop(fdt, node, "#address-cells");
    return v == 0 ? -FDT_ERR_BADNCELLS : v == -FDT_ERR_NOTFOUND ? 2 : v;
}

int dt_size_cells(const void *fdt, int node)
{
    int v = cells_prop(fdt, node, "#size-cells");
    return v == -FDT_ERR_NOTFOUND ? 1 : v;
}

/* libfdt finds a node's parent by walking the tree from its start, and
 * the builder asks for parents all the time (every reg's cells, every
 * module's domain): for 64 domains those walks were most of the checks'
 * 36 ms of virtual time. One walk records every node's parent while a
 * tree is being read; outside that window, or for another tree, libfdt
 * is asked. */
#define DT_INDEX_MAX 4096
#define DT_INDEX_DEPTH 64
#define DT_PHANDLES_MAX 1024
static struct {
    const void *fdt;
    unsigned n;
    int off[DT_INDEX_MAX], parent[DT_INDEX_MAX]; /* by offset, ascending */
    /* the nodes with a phandle, in the order libfdt's lookup walks them,
     * found at the first lookup (NULL phandle_fdt: none yet, or more than
     * fit: libfdt's walk answers), and how that walk ends: its answer for
     * a phandle no node has */
    bool phandles_tried;
    const void *phandle_fdt;
    unsigned nr_phandles;
    int phandle_walk_end;
    struct {
        uint32_t phandle;
        int off;
    } ph[DT_PHANDLES_MAX];
} parents;

/* libfdt's fdt_get_phandle(), through dt_getprop() */
static uint32_t node_phandle(const void *fdt, int node)
{
    int len;
    const fdt32_t *p = dt_getprop(fdt, node, "phandle", &len);
    if (!p || len != sizeof(*p)) {
        p = dt_getprop(fdt, node, "linux,phandle", &len);
        if (!p || len != sizeof(*p))
            return 0;
    }
    return fdt32_ld(p);
}

void dt_index(const void *fdt)
{
    parents.fdt = parents.phandle_fdt = NULL;
    parents.n = parents.nr_phandles = 0;
    parents.phandles_tried = false;
    if (!fdt || fdt_check_header(fdt))
        return;
    int up[DT_INDEX_DEPTH], depth = -1, off; /* the root at depth 0 */
    unsigned n = 0;
    for (off = dt_next_node(fdt, -1, &depth); off >= 0 && depth >= 0; off = dt_next_node(fdt, off, &depth)) {
        if (depth >= DT_INDEX_DEPTH || n == DT_INDEX_MAX)
            return; /* libfdt's own walks for this tree */
        up[depth] = off;
        parents.off[n] = off;
        parents.parent[n++] = depth ? up[depth - 1] : -FDT_ERR_NOTFOUND;
    }
    /* the walk ends past the root's end (depth -1) or at the tree's */
    if (off < 0 && off != -FDT_ERR_NOTFOUND)
        return; /* a broken tree: libfdt says how, call by call */
    parents.n = n;
    parents.fdt = fdt;
}

/* The phandles of the indexed tree. libfdt's lookup walks without a
 * depth, so past the root's end to whatever follows it, until the walk
 * fails: so does this. */
static void index_phandles(const void *fdt)
{
    unsigned nph = 0;
    int off;
    parents.phandles_tried = true;
    for (off = dt_next_node(fdt, -1, NULL); off >= 0; off = dt_next_node(fdt, off, NULL)) {
        uint32_t ph = node_phandle(fdt, off);
        if (ph && nph == DT_PHANDLES_MAX)
            return; /* libfdt's walks answer */
        if (ph)
            parents.ph[nph++] = (typeof(parents.ph[0])){ ph, off };
    }
    parents.nr_phandles = nph;
    parents.phandle_walk_end = off;
    parents.phandle_fdt = fdt;
}

int dt_node_by_phandle(const void *fdt, uint32_t phandle)
{
    if (fdt == parents.fdt && !parents.phandles_tried)
        index_phandles(fdt);
    if (fdt != parents.phandle_fdt)
        return fdt_node_offset_by_phandle(fdt, phandle);
    if (phandle == 0 || phandle == ~0u)
        return -FDT_ERR_BADPHANDLE;
    for (unsigned i = 0; i < parents.nr_phandles; i++) /* the first in tree order, as libfdt */
        if (parents.ph[i].phandle == phandle)
            return parents.ph[i].off;
    return parents.phandle_walk_end;
}

int dt_parent(const void *fdt, int node)
{
    if (fdt == parents.fdt) {
        unsigned lo = 0, hi = parents.n;
        while (lo < hi) {
            unsigned mid = lo + (hi - lo) / 2;
            if (parents.off[mid] < node)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < parents.n && parents.off[lo] == node)
            return parents.parent[lo];
    }
    return fdt_parent_offset(fdt, node);
}

int dt_reg_cells(const void *fdt, int node, unsigned *ac, unsigned *sc)
{
    int parent = dt_parent(fdt, node);
    if (parent < 0)
        return parent;
    int a = dt_address_cells(fdt, parent);
    int s = dt_size_cells(fdt, parent);
    if (a < 0)
        return a;
    if (s < 0)
        return s;
    *ac = (unsigned)a;
    *sc = (unsigned)s;
    return 0;
}

int dt_reg_count(const void *fdt, int node)
{
    unsigned ac, sc;
    int len;
    int rc = dt_reg_cells(fdt, node, &ac, &sc);
    if (rc)
        return -XAM_EINVAL;
    const void *reg = dt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return 0;
    unsigned entry = (ac + sc) * 4;
    if (entry == 0 || len % (int)entry)
        return -XAM_EINVAL;
    return len / (int)entry;
}

int dt_translate(const void *fdt, int bus, uint64_t addr, paddr_t *out)
{
    /* Walk from the bus holding the device up to the root, mapping the
     * address through each level's "ranges" (child addr, parent addr, size). */
    while (bus > 0) {
        int parent = dt_parent(fdt, bus);
        if (parent < 0)
            return -XAM_EINVAL;
        int len;
        const uint8_t *ranges = dt_getprop(fdt, bus, "ranges", &len);
        if (!ranges)
            return -XAM_ERANGE; /* no ranges: the bus is not memory-mapped */
        if (len == 0) {
            bus = parent;
            continue;
        }
        int cac = dt_address_cells(fdt, bus);
        int pac = dt_address_cells(fdt, parent);
        int csc = dt_size_cells(fdt, bus);
        if (cac <= 0 || pac <= 0 || csc < 0)
            return -XAM_EINVAL;
        int entry = (cac + pac + csc) * 4;
        if (len % entry)
            return -XAM_EINVAL;
        bool found = false;
        for (int off = 0; off < len; off += entry) {
            /* Buses with 3-cell addresses (PCI) keep flags in the first cell:
             * only the low two cells are an address. */
            unsigned ca = (unsigned)MIN(cac, 2), pa = (unsigned)MIN(pac, 2);
            uint64_t child = dt_read_cells(ranges + off + (cac - (int)ca) * 4, ca);
            uint64_t par = dt_read_cells(ranges + off + cac * 4 + (pac - (int)pa) * 4, pa);
            uint64_t size = dt_read_cells(ranges + off + (cac + pac) * 4, (unsigned)MIN(csc, 2));
            if (addr >= child && addr - child < size) {
                addr = par + (addr - child);
                found = true;
                break;
            }
        }
        if (!found)
            return -XAM_ERANGE;
        bus = parent;
    }
    *out = addr;
    return 0;
}

static int read_reg(const void *fdt, int node, unsigned idx, paddr_t *base, uint64_t *size, bool translate)
{
    /* libfdt finds a parent by scanning from the start of the tree: look
     * it up once and use it for both the cell counts and the translation. */
    int parent = dt_parent(fdt, node);
    if (parent < 0)
        return -XAM_EINVAL;
    int a = dt_address_cells(fdt, parent), sc = dt_size_cells(fdt, parent);
    if (a <= 0 || a > 2 || sc < 0 || sc > 2)
        return -XAM_EINVAL;
    unsigned ac = (unsigned)a;
    int len;
    const uint8_t *reg = dt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return -XAM_ENOENT;
    unsigned entry = (ac + (unsigned)sc) * 4;
    if (len < 0 || len % (int)entry)
        return -XAM_EINVAL;
    if ((idx + 1) * entry > (unsigned)len)
        return -XAM_ENOENT;
    uint64_t addr = dt_read_cells(reg + idx * entry, ac);
    *size = dt_read_cells(reg + idx * entry + ac * 4, (unsigned)sc);
    if (!translate) {
        *base = addr;
        return 0;
    }
    return dt_translate(fdt, parent, addr, base);
}

int dt_read_reg(const void *fdt, int node, unsigned idx, paddr_t *base, uint64_t *size)
{
    return read_reg(fdt, node, idx, base, size, true);
}

int dt_read_reg_raw(const void *fdt, int node, unsigned idx, paddr_t *base, uint64_t *size)
{
    return read_reg(fdt, node, idx, base, size, false);
}

static int interrupt_parent(const void *fdt, int node)
{
    for (int n = node; n >= 0; n = dt_parent(fdt, n)) {
        int len;
        const fdt32_t *ph = dt_getprop(fdt, n, "interrupt-parent", &len);
        if (ph && len == 4)
            return dt_node_by_phandle(fdt, fdt32_ld(ph));
        if (n == 0)
            break;
    }
    return -FDT_ERR_NOTFOUND;
}

int dt_read_irqs(const void *fdt, int node, unsigned *intids, unsigned max)
{
    int len;
    const fdt32_t *irqs = dt_getprop(fdt, node, "interrupts", &len);
    if (!irqs)
        return -XAM_ENOENT;
    /* Resolving the parent is the expensive part (two tree scans): once. */
    int ip = interrupt_parent(fdt, node);
    if (ip < 0)
        return -XAM_ENOENT;
    int clen;
    const fdt32_t *cells = dt_getprop(fdt, ip, "#interrupt-cells", &clen);
    if (!cells || clen != 4 || fdt32_ld(cells) != 3)
        return -XAM_EINVAL; /* not a GIC-style parent */
    if (len % 12)
        return -XAM_EINVAL;
    unsigned n = MIN((unsigned)len / 12, max);
    for (unsigned i = 0; i < n; i++) {
        uint32_t type = fdt32_ld(&irqs[i * 3]);
        uint32_t num = fdt32_ld(&irqs[i * 3 + 1]);
        if (type == 0 && num < 988)
            intids[i] = 32 + num;
        else if (type == 1 && num < 16)
            intids[i] = 16 + num;
        else
            return -XAM_EINVAL;
    }
    return (int)n;
}

int dt_read_irq(const void *fdt, int node, unsigned idx, unsigned *intid, unsigned *flags)
{
    unsigned ids[16];
    if (idx >= ARRAY_SIZE(ids))
        return -XAM_ENOENT;
    int n = dt_read_irqs(fdt, node, ids, idx + 1);
    if (n < 0)
        return n;
    if ((unsigned)n <= idx)
        return -XAM_ENOENT;
    *intid = ids[idx];
    if (flags) {
        const fdt32_t *irqs = dt_getprop(fdt, node, "interrupts", NULL);
        *flags = fdt32_ld(&irqs[idx * 3 + 2]);
    }
    return 0;
}

bool dt_node_enabled(const void *fdt, int node)
{
    int len;
    const char *st = dt_getprop(fdt, node, "status", &len);
    if (!st)
        return true;
    return len > 0 && (strncmp(st, "okay", (size_t)len) == 0 || strncmp(st, "ok", (size_t)len) == 0);
}

/* A node's path as messages print it: a path longer than buf ends in
 * "..." (the start says which node it is); bytes that are not printable
 * ASCII are shown as '?', so a tree cannot put control characters on the
 * console through a name. */
/* fdt_get_path() walks the tree from its start to the node; with the
 * index, the names of its ancestors are enough. */
static int indexed_path(const void *fdt, int node, char *buf, int len)
{
    int chain[DT_INDEX_DEPTH], depth = 0;
    for (int n = node; n >= 0 && depth < DT_INDEX_DEPTH; n = dt_parent(fdt, n))
        chain[depth++] = n;
    if (depth == 0 || chain[depth - 1] != 0)
        return -FDT_ERR_BADOFFSET;
    int at = 0;
    for (int i = depth - 2; i >= 0; i--) {
        int nl;
        const char *name = fdt_get_name(fdt, chain[i], &nl);
        if (!name)
            return nl;
        if (at + 1 + nl >= len)
            return -FDT_ERR_NOSPACE;
        buf[at++] = '/';
        memcpy(buf + at, name, (size_t)nl);
        at += nl;
    }
    if (at == 0)
        buf[at++] = '/';
    buf[at] = '\0';
    return 0;
}

const char *dt_node_path(const void *fdt, int node, char *buf, size_t len)
{
    if (len < 8)
        return "<bad node>";
    int rc = fdt == parents.fdt ? indexed_path(fdt, node, buf, (int)len) : fdt_get_path(fdt, node, buf, (int)len);
    if (rc == -FDT_ERR_NOSPACE) {
        int parent = dt_parent(fdt, node), n = 0;
        const char *name = fdt_get_name(fdt, node, &n);
        if (parent < 0 || !name || fdt_get_path(fdt, parent, buf, (int)len) != 0)
            return "<bad node>";
        size_t at = strlen(buf);
        if (at + 5 >= len) /* not even the parent fits: its start, then "..." */
            at = len - 5;
        else if (at > 1)
            buf[at++] = '/';
        size_t room = len - 4 - at;
        size_t take = MIN((size_t)n, room);
        memcpy(buf + at, name, take);
        memcpy(buf + at + take, "...", 4);
    } else if (rc != 0) {
        return "<bad node>";
    }
    for (char *p = buf; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    return buf;
}

bool dt_prop_has_string(const void *fdt, int node, const char *prop, const char *s)
{
    int len;
    const char *list = dt_getprop(fdt, node, prop, &len);
    if (!list)
        return false;
    /* libfdt's fdt_stringlist_search: whole strings only, and a list whose
     * last string runs off its end has none to find */
    size_t n = strlen(s) + 1;
    while (len > 0) {
        const char *nul = memchr(list, '\0', (size_t)len);
        if (!nul)
            return false;
        size_t l = (size_t)(nul - list) + 1;
        if (l == n && !memcmp(list, s, n))
            return true;
        list += l;
        len -= (int)l;
    }
    return false;
}
