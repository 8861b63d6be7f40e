/* gzip/deflate decompression (RFC 1952, RFC 1951) for Image.gz kernels.
 *
 * Written for speed under QEMU's TCG as much as on hardware: guest
 * instruction count is what costs, so the hot loop decodes a symbol with one
 * table read, keeps the bit buffer in a 64-bit register refilled once per
 * symbol pair, and checks the CRC in a separate slice-by-8 pass over the
 * output rather than byte by byte while writing it.
 *
 * Bounds: the input is only read below `end` (the word refill needs 8 bytes
 * left, the tail falls back to bytes) and bits that were never loaded read as
 * zero; every consumed code is checked against the bits actually loaded, so
 * running out of input is an error, never an over-read. Output bounds are
 * checked per literal and per match. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xam/errno.h>
#include <xam/inflate.h>

/* Word-at-a-time input loads and match copies only where unaligned accesses
 * are legal and cheap. The hypervisor is built -mstrict-align (parts of it
 * run with the MMU off), where each such word would become eight byte loads
 * and cost more than reading just the bytes needed; GCC still defines
 * __ARM_FEATURE_UNALIGNED then, so a freestanding arm64 build is taken to
 * be the hypervisor. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define INFLATE_LE 1
#else
#define INFLATE_LE 0
#endif
#if INFLATE_LE && !defined(INFLATE_BYTEWISE) &&                                                                        \
    (defined(__x86_64__) || defined(__i386__) ||                                                                       \
     (defined(__aarch64__) && defined(__ARM_FEATURE_UNALIGNED) && __STDC_HOSTED__))
#define INFLATE_WORDS 1
#else
#define INFLATE_WORDS 0
#endif

typedef uint64_t __attribute__((__may_alias__, __aligned__(1))) u64_unaligned;
typedef uint64_t __attribute__((__may_alias__)) u64_alias;

/* A table entry packs everything the hot loop needs, so a literal costs one
 * load and a length or distance one load plus its extra bits. */
#define E_LEN 0x0fu /* code length; 0 = not in the first-level table */
#define E_EXTRA_SHIFT 4 /* extra bits that follow the code */
#define E_LIT 0x100u
#define E_EOB 0x200u
#define E_BAD 0x400u /* a symbol the format reserves (286, 287, 30, 31) */
#define E_VAL_SHIFT 16 /* literal byte, length or distance base, or symbol */

enum huff_kind { KIND_LIT, KIND_DIST, KIND_CLEN };

struct huff {
    uint32_t *fast;
    uint16_t *count;
    uint16_t *sym;
    unsigned root;
    enum huff_kind kind;
};

struct bits {
    const uint8_t *in, *end;
    uint64_t buf; /* bits at and above `cnt` are zero or the stream's own */
    unsigned cnt;
};

/* Lengths and distances are computed from the symbol rather than kept in
 * tables: this runs only when a table is built, or for long codes. */
static uint32_t sym_entry(enum huff_kind kind, unsigned s)
{
    unsigned extra;

    if (kind == KIND_CLEN)
        return (uint32_t)s << E_VAL_SHIFT;
    if (kind == KIND_DIST) {
        if (s >= 30)
            return E_BAD;
        if (s < 4)
            return (uint32_t)(s + 1) << E_VAL_SHIFT;
        extra = s / 2 - 1;
        return (uint32_t)(((2u + (s & 1)) << extra) + 1) << E_VAL_SHIFT | extra << E_EXTRA_SHIFT;
    }
    if (s < 256)
        return E_LIT | (uint32_t)s << E_VAL_SHIFT;
    if (s == 256)
        return E_EOB;
    if (s >= 286)
        return E_BAD;
    if (s == 285)
        return 258u << E_VAL_SHIFT;
    s -= 257;
    if (s < 8)
        return (uint32_t)(s + 3) << E_VAL_SHIFT;
    extra = s / 4 - 1;
    return (uint32_t)(((4u + (s & 3)) << extra) + 3) << E_VAL_SHIFT | extra << E_EXTRA_SHIFT;
}

/* Canonical code from code lengths (RFC 1951 3.2.2). Over-subscribed sets
 * are refused; incomplete ones only in the one case encoders produce: a
 * single code of length 1 (or none, for distances), whose unused code then
 * decodes as an error. */
static int huff_build(const struct huff *h, const uint8_t *lens, unsigned n)
{
    uint16_t offs[16];
    unsigned len, s, code, idx, used;
    int left = 1;

    for (len = 0; len < 16; len++)
        h->count[len] = 0;
    for (s = 0; s < n; s++)
        h->count[lens[s]]++;
    h->count[0] = 0;
    for (len = 1; len < 16; len++) {
        left = 2 * left - h->count[len];
        if (left < 0)
            return -XAM_EINVAL;
    }
    used = n;
    for (s = 0; s < n; s++)
        used -= lens[s] == 0;
    if (left > 0 && (h->kind == KIND_CLEN || !(used == 0 || (used == 1 && h->count[1] == 1))))
        return -XAM_EINVAL;

    offs[1] = 0;
    for (len = 1; len < 15; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (s = 0; s < n; s++)
        if (lens[s])
            h->sym[offs[lens[s]]++] = (uint16_t)s;

    memset(h->fast, 0, sizeof(uint32_t) << h->root);
    code = 0;
    idx = 0;
    for (len = 1; len <= h->root; len++) {
        for (unsigned i = 0; i < h->count[len]; i++, code++) {
            /* Codes go into the stream most significant bit first, while
             * the table is indexed by the next bits in arrival order. */
            unsigned rev = 0;
            for (unsigned b = 0; b < len; b++)
                rev |= ((code >> b) & 1) << (len - 1 - b);
            uint32_t e = sym_entry(h->kind, h->sym[idx++]) | len;
            for (unsigned j = rev; j < (1u << h->root); j += 1u << len)
                h->fast[j] = e;
        }
        code <<= 1;
    }
    return 0;
}

/* Codes longer than the first level, and bit patterns no code starts with:
 * walk the canonical code one bit at a time. E_BAD with length 0 when no
 * code matches. */
static uint32_t huff_slow(const struct huff *h, uint64_t buf)
{
    unsigned code = 0, first = 0, idx = 0;

    for (unsigned len = 1; len < 16; len++) {
        code |= (unsigned)(buf & 1);
        buf >>= 1;
        unsigned c = h->count[len];
        if (code - first < c)
            return sym_entry(h->kind, h->sym[idx + code - first]) | len;
        idx += c;
        first = (first + c) << 1;
        code <<= 1;
    }
    return E_BAD;
}

/* Top the buffer up to at least 56 bits while input lasts. The word load
 * rewrites bits above `cnt` with the same stream bits, so either path may
 * follow the other. */
static inline void refill(struct bits *b)
{
    if (INFLATE_WORDS && b->end - b->in >= 8) {
        b->buf |= *(const u64_unaligned *)b->in << b->cnt;
        b->in += (63 - b->cnt) >> 3;
        b->cnt |= 56;
    } else {
        while (b->cnt <= 56 && b->in < b->end) {
            b->buf |= (uint64_t)*b->in++ << b->cnt;
            b->cnt += 8;
        }
    }
}

static inline int getbits(struct bits *b, unsigned n, unsigned *v)
{
    if (b->cnt < n)
        refill(b);
    if (b->cnt < n)
        return -XAM_EINVAL;
    *v = (unsigned)(b->buf & ((1u << n) - 1));
    b->buf >>= n;
    b->cnt -= n;
    return 0;
}

/* Back to a byte boundary, handing whole unconsumed bytes back to the
 * input: stored blocks and the trailer are read as bytes. */
static void byte_align(struct bits *b)
{
    b->cnt -= b->cnt & 7;
    b->in -= b->cnt >> 3;
    b->buf = 0;
    b->cnt = 0;
}

static uint32_t decode(const struct huff *h, struct bits *b)
{
    uint32_t e = h->fast[b->buf & ((1u << h->root) - 1)];

    if (!(e & E_LEN))
        e = huff_slow(h, b->buf);
    if ((e & E_BAD) || (e & E_LEN) > b->cnt)
        return E_BAD;
    b->buf >>= e & E_LEN;
    b->cnt -= e & E_LEN;
    return e;
}

static int read_dynamic(struct inflate_work *w, struct bits *b, const struct huff *lit, const struct huff *dist)
{
    /* The order code-length code lengths are sent in (RFC 1951 3.2.7). */
    static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
    /* Code-length codes are at most 7 bits: a 7-bit table holds them all. */
    const struct huff clen = { w->lit.fast, w->lit.count, w->lit.sym, 7, KIND_CLEN };
    unsigned hlit, hdist, hclen, v, i, n;
    int rc;

    if ((rc = getbits(b, 5, &hlit)) || (rc = getbits(b, 5, &hdist)) || (rc = getbits(b, 4, &hclen)))
        return rc;
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > 30)
        return -XAM_EINVAL;
    for (i = 0; i < 19; i++)
        w->lens[order[i]] = 0;
    for (i = 0; i < hclen; i++) {
        if ((rc = getbits(b, 3, &v)))
            return rc;
        w->lens[order[i]] = (uint8_t)v;
    }
    if ((rc = huff_build(&clen, w->lens, 19)))
        return rc;

    n = hlit + hdist;
    for (i = 0; i < n;) {
        refill(b);
        uint32_t e = decode(&clen, b);
        if (e & E_BAD)
            return -XAM_EINVAL;
        unsigned sym = e >> E_VAL_SHIFT, rep;
        uint8_t val = 0;
        if (sym < 16) {
            w->lens[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return -XAM_EINVAL;
            val = w->lens[i - 1];
            rc = getbits(b, 2, &rep);
            rep += 3;
        } else if (sym == 17) {
            rc = getbits(b, 3, &rep);
            rep += 3;
        } else {
            rc = getbits(b, 7, &rep);
            rep += 11;
        }
        if (rc)
            return rc;
        if (rep > n - i)
            return -XAM_EINVAL;
        while (rep--)
            w->lens[i++] = val;
    }
    if (w->lens[256] == 0) /* a block that cannot end */
        return -XAM_EINVAL;
    if ((rc = huff_build(lit, w->lens, hlit)))
        return rc;
    return huff_build(dist, w->lens + hlit, hdist);
}

static int build_fixed(struct inflate_work *w, const struct huff *lit, const struct huff *dist)
{
    unsigned s;
    int rc;

    for (s = 0; s < 144; s++)
        w->lens[s] = 8;
    for (; s < 256; s++)
        w->lens[s] = 9;
    for (; s < 280; s++)
        w->lens[s] = 7;
    for (; s < 288; s++)
        w->lens[s] = 8;
    if ((rc = huff_build(lit, w->lens, 288)))
        return rc;
    /* 32 five-bit codes: 30 and 31 exist in the code but are errors. */
    for (s = 0; s < 32; s++)
        w->lens[s] = 5;
    return huff_build(dist, w->lens, 32);
}

/* The hot loop: one compressed block's symbols up to end-of-block. The bit
 * state is copied into locals so it stays in registers. */
static int inflate_codes(struct bits *bs, const struct huff *lit, const struct huff *dist, uint8_t *start,
                         uint8_t **outp, uint8_t *oend)
{
    struct bits b = *bs;
    uint8_t *out = *outp;
    const uint32_t lmask = (1u << INFLATE_LIT_ROOT) - 1, dmask = (1u << INFLATE_DIST_ROOT) - 1;
    int rc = 0;

    for (;;) {
        /* 56 bits cover the longest length code, its extra bits, the
         * longest distance code and its extra bits (15+5+15+13). */
        refill(&b);
        uint32_t e = lit->fast[b.buf & lmask];
        if (__builtin_expect(!(e & E_LEN), 0))
            e = huff_slow(lit, b.buf);
        unsigned n = e & E_LEN;
        if (__builtin_expect((e & E_BAD) || n > b.cnt, 0)) {
            rc = -XAM_EINVAL;
            break;
        }
        b.buf >>= n;
        b.cnt -= n;
        if (e & E_LIT) {
            if (out == oend) {
                rc = -XAM_ENOSPC;
                break;
            }
            *out++ = (uint8_t)(e >> E_VAL_SHIFT);
            continue;
        }
        if (e & E_EOB)
            break;

        unsigned extra = (e >> E_EXTRA_SHIFT) & 15;
        if (extra > b.cnt) {
            rc = -XAM_EINVAL;
            break;
        }
        size_t length = (e >> E_VAL_SHIFT) + (unsigned)(b.buf & ((1u << extra) - 1));
        b.buf >>= extra;
        b.cnt -= extra;

        e = dist->fast[b.buf & dmask];
        if (__builtin_expect(!(e & E_LEN), 0))
            e = huff_slow(dist, b.buf);
        n = e & E_LEN;
        extra = (e >> E_EXTRA_SHIFT) & 15;
        if (__builtin_expect((e & E_BAD) || n + extra > b.cnt, 0)) {
            rc = -XAM_EINVAL;
            break;
        }
        b.buf >>= n;
        size_t d = (e >> E_VAL_SHIFT) + (unsigned)(b.buf & ((1u << extra) - 1));
        b.buf >>= extra;
        b.cnt -= n + extra;

        if (d > (size_t)(out - start)) {
            rc = -XAM_EINVAL;
            break;
        }
        size_t room = (size_t)(oend - out);
        if (length > room) {
            rc = -XAM_ENOSPC;
            break;
        }
        const uint8_t *from = out - d;
        if (INFLATE_WORDS && d >= 8 && room >= length + 8) {
            /* Whole words, possibly past the match's end (still inside
             * dst): with d >= 8 each word reads only bytes already written. */
            uint8_t *stop = out + length;
            do {
                *(u64_unaligned *)out = *(const u64_unaligned *)from;
                out += 8;
                from += 8;
            } while (out < stop);
            out = stop;
        } else {
            uint8_t *stop = out + length;
            do
                *out++ = *from++;
            while (out < stop);
        }
    }
    *bs = b;
    *outp = out;
    return rc;
}

/* CRC-32 is linear over GF(2): the byte table is built from its eight
 * single-bit entries with one XOR per entry, which matters to the fuzzer
 * more than to the hypervisor. Built only once a CRC is needed, so input
 * refused early costs nothing. */
/* CRC-32 is linear over GF(2): each byte's entry is the XOR of its bits'
 * entries, one XOR per entry instead of eight shift steps. Built only when
 * a CRC is about to be checked, so input refused early (most of what a
 * fuzzer sends) does not pay for it. */
static void crc32_init(uint32_t t[8][256])
{
    uint32_t single[8], c = 0xedb88320u; /* the entry for byte 0x80 */

    for (int i = 7; i >= 0; i--) {
        single[i] = c;
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    t[0][0] = 0;
    for (unsigned i = 0; i < 8; i++)
        for (unsigned n = 0; n < (1u << i); n++)
            t[0][(1u << i) + n] = single[i] ^ t[0][n];
    for (unsigned n = 0; n < 256; n++)
        for (int k = 1; k < 8; k++)
            t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
}

static uint32_t crc32_calc(const uint32_t t[8][256], const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;

    while (n && ((uintptr_t)p & 7)) {
        crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    if (INFLATE_LE) {
        /* Aligned words only, so this is also right under -mstrict-align. */
        for (; n >= 8; n -= 8, p += 8) {
            uint64_t v = *(const u64_alias *)p ^ crc;
            crc = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
                t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
        }
    }
    while (n--)
        crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool gzip_is_gzip(const void *src, size_t len)
{
    const uint8_t *p = src;

    return len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

int gzip_trailer_size(const void *src, size_t len, uint32_t *isize)
{
    /* 10-byte header, at least 2 bytes of deflate data, 8-byte trailer. */
    if (len < 20 || !gzip_is_gzip(src, len))
        return -XAM_EINVAL;
    *isize = le32((const uint8_t *)src + len - 4);
    return 0;
}

/* RFC 1952 2.3: returns the offset of the deflate data. */
static int gzip_header(const uint8_t *p, size_t len, uint32_t crc[8][256], size_t *off)
{
    enum { FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, FRESERVED = 0xe0 };
    size_t pos = 10;

    if (len < 10 || !gzip_is_gzip(p, len) || (p[3] & FRESERVED))
        return -XAM_EINVAL;
    if (p[3] & FEXTRA) {
        if (len - pos < 2)
            return -XAM_EINVAL;
        size_t xlen = p[pos] | (size_t)p[pos + 1] << 8;
        pos += 2;
        if (len - pos < xlen)
            return -XAM_EINVAL;
        pos += xlen;
    }
    for (unsigned f = FNAME; f <= FCOMMENT; f <<= 1) {
        if (!(p[3] & f))
            continue;
        while (pos < len && p[pos])
            pos++;
        if (pos == len)
            return -XAM_EINVAL;
        pos++;
    }
    if (p[3] & FHCRC) {
        if (len - pos < 2)
            return -XAM_EINVAL;
        crc32_init(crc);
        if ((crc32_calc(crc, p, pos) & 0xffff) != (p[pos] | (uint32_t)p[pos + 1] << 8))
            return -XAM_EIO;
        pos += 2;
    }
    *off = pos;
    return 0;
}

int gzip_inflate(void *dst, size_t dstcap, const void *src, size_t len, size_t *outlen, struct inflate_work *w)
{
    const uint8_t *p = src;
    uint8_t *out = dst, *oend = out + dstcap;
    const struct huff lit = { w->lit.fast, w->lit.count, w->lit.sym, INFLATE_LIT_ROOT, KIND_LIT };
    const struct huff dist = { w->dist.fast, w->dist.count, w->dist.sym, INFLATE_DIST_ROOT, KIND_DIST };
    struct bits b;
    size_t off;
    unsigned last, type;
    bool fixed_built = false;
    int rc;

    *outlen = 0;
    if ((rc = gzip_header(p, len, w->crc, &off)))
        return rc;
    b.in = p + off;
    b.end = p + len;
    b.buf = 0;
    b.cnt = 0;

    do {
        if ((rc = getbits(&b, 1, &last)) || (rc = getbits(&b, 2, &type)))
            break;
        if (type == 0) {
            byte_align(&b);
            if (b.end - b.in < 4) {
                rc = -XAM_EINVAL;
                break;
            }
            size_t n = b.in[0] | (size_t)b.in[1] << 8;
            if ((b.in[2] | (size_t)b.in[3] << 8) != (n ^ 0xffff)) {
                rc = -XAM_EINVAL;
                break;
            }
            b.in += 4;
            if ((size_t)(b.end - b.in) < n) {
                rc = -XAM_EINVAL;
                break;
            }
            if ((size_t)(oend - out) < n) {
                rc = -XAM_ENOSPC;
                break;
            }
            memcpy(out, b.in, n);
            out += n;
            b.in += n;
            continue;
        }
        if (type == 1) {
            if (!fixed_built && (rc = build_fixed(w, &lit, &dist)))
                break;
            fixed_built = true;
        } else if (type == 2) {
            fixed_built = false;
            if ((rc = read_dynamic(w, &b, &lit, &dist)))
                break;
        } else {
            rc = -XAM_EINVAL;
            break;
        }
        rc = inflate_codes(&b, &lit, &dist, dst, &out, oend);
    } while (!rc && !last);

    *outlen = (size_t)(out - (uint8_t *)dst);
    if (rc)
        return rc;

    byte_align(&b);
    if (b.end - b.in < 8)
        return -XAM_EINVAL;
    crc32_init(w->crc);
    if (le32(b.in) != crc32_calc(w->crc, dst, *outlen) || le32(b.in + 4) != (uint32_t)*outlen)
        return -XAM_EIO;
    return 0;
}
