#include "fdt.h"

#define TOK_BEGIN 1
#define TOK_END 2
#define TOK_PROP 3
#define TOK_NOP 4
#define TOK_FINISH 9

uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t be64(const void *p) { return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4); }

static const uint8_t *structs(const void *fdt) { return (const uint8_t *)fdt + be32((const uint8_t *)fdt + 8); }

static const char *strings(const void *fdt) { return (const char *)fdt + be32((const uint8_t *)fdt + 12); }

static unsigned slen(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The token after the one at off (skipping a whole node's contents when
 * skip_node and off is a BEGIN_NODE). */
static int next(const void *fdt, int off, int skip_node)
{
    const uint8_t *s = structs(fdt);
    int depth = 0;
    do {
        uint32_t tok = be32(s + off);
        off += 4;
        if (tok == TOK_BEGIN) {
            off += (int)((slen((const char *)s + off) + 4) & ~3u);
            depth++;
        } else if (tok == TOK_PROP) {
            off += (int)(8 + ((be32(s + off) + 3) & ~3u));
        } else if (tok == TOK_END) {
            depth--;
        } else if (tok == TOK_FINISH) {
            return -1;
        }
    } while (skip_node && depth > 0);
    return off;
}

const char *fdt_name(const void *fdt, int node) { return (const char *)structs(fdt) + node + 4; }

int fdt_child(const void *fdt, int node, int prev)
{
    const uint8_t *s = structs(fdt);
    /* first: past the node's own tag and properties */
    int off = prev < 0 ? next(fdt, node, 0) : next(fdt, prev, 1);
    while (off >= 0) {
        uint32_t tok = be32(s + off);
        if (tok == TOK_BEGIN)
            return off;
        if (tok == TOK_END || tok == TOK_FINISH)
            return -1;
        off = next(fdt, off, 0);
    }
    return -1;
}

int fdt_node(const void *fdt, const char *path)
{
    int node = 0;
    while (be32(structs(fdt) + node) == TOK_NOP)
        node += 4;
    while (*path == '/')
        path++;
    while (*path) {
        char want[64];
        unsigned n = 0;
        while (*path && *path != '/' && n < sizeof(want) - 1)
            want[n++] = *path++;
        want[n] = 0;
        while (*path == '/')
            path++;
        int c = -1;
        while ((c = fdt_child(fdt, node, c)) >= 0 && !streq(fdt_name(fdt, c), want))
            ;
        if (c < 0)
            return -1;
        node = c;
    }
    return node;
}

const void *fdt_prop(const void *fdt, int node, const char *name, int *len)
{
    const uint8_t *s = structs(fdt);
    int off = next(fdt, node, 0);
    while (off >= 0 && be32(s + off) != TOK_BEGIN && be32(s + off) != TOK_END) {
        if (be32(s + off) == TOK_PROP && streq(strings(fdt) + be32(s + off + 8), name)) {
            *len = (int)be32(s + off + 4);
            return s + off + 12;
        }
        off = next(fdt, off, 0);
    }
    return 0;
}

int fdt_has_string(const void *fdt, int node, const char *prop, const char *want)
{
    int len;
    const char *v = fdt_prop(fdt, node, prop, &len);
    for (int i = 0; v && i < len; i += (int)slen(v + i) + 1)
        if (streq(v + i, want))
            return 1;
    return 0;
}
