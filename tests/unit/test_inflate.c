/* lib/inflate.c: gzip members made by the host's gzip command at test time
 * (through popen: no zlib build dependency), one embedded vector, and
 * members assembled bit by bit here for the malformed cases gzip never
 * writes. Every case runs through both input paths: the library as built
 * for the host (word loads) and a second copy of the source built with
 * INFLATE_BYTEWISE, the byte-at-a-time path the hypervisor uses under
 * -mstrict-align. */
#include "unit.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xam/errno.h>

#include "../lib/inflate_bytewise.h"

typedef int inflate_fn(void *, size_t, const void *, size_t, size_t *, struct inflate_work *);
static inflate_fn *const impls[] = { gzip_inflate, bytewise_gzip_inflate };
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

/* printf 'xen-arm-minimal inflates xen-arm-minimal kernels\n' | gzip -9 -n | od -An -tx1
 * (one fixed-Huffman block with a back reference). */
static const uint8_t vector_gz[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x48, 0xcd, 0xd3, 0x4d, 0x2c, 0xca, 0xd5, 0xcd,
    0xcd, 0xcc, 0xcb, 0xcc, 0x4d, 0xcc, 0x51, 0xc8, 0xcc, 0x4b, 0xcb, 0x49, 0x2c, 0x49, 0x2d, 0x56, 0xa8, 0x40, 0x93,
    0xc8, 0x4e, 0x2d, 0xca, 0x4b, 0xcd, 0x29, 0xe6, 0x02, 0x00, 0xdc, 0x8b, 0x7a, 0xf2, 0x31, 0x00, 0x00, 0x00,
};
static const char vector_text[] = "xen-arm-minimal inflates xen-arm-minimal kernels\n";

/* An independent bitwise CRC-32, to build headers and trailers. */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

/* Runs `gzip ARGS -c` over data; the result is malloc'ed, exactly sized
 * (so ASan sees any read past it). */
static uint8_t *gzip_cmd(const void *data, size_t n, const char *args, size_t *outn)
{
    char path[] = "/tmp/test_inflate.XXXXXX", cmd[160];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const uint8_t *p = data;
    for (size_t done = 0; done < n;) {
        ssize_t k = write(fd, p + done, n - done);
        assert_true(k > 0);
        done += (size_t)k;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "gzip %s -n -c < %s", args, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (size_t k; (k = fread(buf + len, 1, cap - len, f)) > 0;) {
        len += k;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    assert_int_equal(pclose(f), 0);
    unlink(path);
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, buf, len);
    free(buf);
    *outn = len;
    return exact;
}

static struct inflate_work *work(void)
{
    /* Filled with junk: the work area needs no initialisation. */
    struct inflate_work *w = malloc(sizeof(*w));
    memset(w, 0xa5, sizeof(*w));
    return w;
}

/* Decompresses gz with every implementation into a buffer of exactly cap
 * bytes; returns the common result and checks they agree. */
static int inflate_all(const uint8_t *gz, size_t n, size_t cap, const void *expect, size_t expectn)
{
    struct inflate_work *w = work();
    int first = 0;
    for (size_t i = 0; i < NIMPLS; i++) {
        uint8_t *dst = malloc(cap ? cap : 1);
        size_t outlen = 12345;
        int rc = impls[i](dst, cap, gz, n, &outlen, w);
        if (i == 0)
            first = rc;
        assert_int_equal(rc, first);
        if (rc == 0) {
            assert_int_equal(outlen, expectn);
            assert_memory_equal(dst, expect, expectn);
        }
        free(dst);
    }
    free(w);
    return first;
}

/* Compress with gzip ARGS and decompress into an exactly sized buffer, as
 * the builder does (sized from the trailer). Returns the first block's type. */
static unsigned roundtrip(const void *data, size_t n, const char *args)
{
    size_t gzn;
    uint8_t *gz = gzip_cmd(data, n, args, &gzn);
    uint32_t isize;
    assert_true(gzip_is_gzip(gz, gzn));
    assert_int_equal(gzip_trailer_size(gz, gzn, &isize), 0);
    assert_int_equal(isize, (uint32_t)n);
    assert_int_equal(inflate_all(gz, gzn, n, data, n), 0);
    unsigned type = (gz[10] >> 1) & 3; /* gzip -n writes a 10-byte header */
    free(gz);
    return type;
}

/* Text-like data with repeats at every distance and literals of every
 * frequency, deterministic. */
static uint8_t *structured(size_t n, uint64_t seed)
{
    static const char *words[] = { "hypervisor ", "domain ",  "stage2 ", "vcpu ",     "gic ", "\n",
                                   "0x",          "memory ",  "xen,",    "dom0less ", "{ ",   "} ",
                                   "kernel ",     "ramdisk ", "chosen ", "reg = <" };
    uint8_t *p = malloc(n);
    size_t i = 0;
    while (i < n) {
        uint64_t r = unit_rand(&seed);
        if (r % 7 == 0) {
            p[i++] = (uint8_t)(r >> 8);
        } else if (r % 11 == 0 && i > 300) {
            size_t d = 1 + (r >> 9) % (i < 40000 ? i : 40000), l = 3 + (r >> 24) % 300;
            for (size_t k = 0; k < l && i < n; k++, i++)
                p[i] = p[i - d];
        } else {
            const char *s = words[(r >> 4) % 16];
            for (; *s && i < n; s++)
                p[i++] = (uint8_t)*s;
        }
    }
    return p;
}

static uint8_t *random_bytes(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(unit_rand(&seed) >> 7);
    return p;
}

/* --- a deflate writer for hand-made streams ------------------------------ */

struct bw {
    uint8_t buf[512];
    size_t bits;
};

static void put(struct bw *b, uint32_t v, unsigned n) /* LSB first */
{
    for (unsigned i = 0; i < n; i++, b->bits++) {
        assert_true(b->bits / 8 < sizeof(b->buf));
        if ((v >> i) & 1)
            b->buf[b->bits / 8] |= (uint8_t)(1u << (b->bits % 8));
    }
}

static void put_code(struct bw *b, uint32_t code, unsigned n) /* Huffman: MSB first */
{
    for (unsigned i = n; i-- > 0;)
        put(b, (code >> i) & 1, 1);
}

static void fixed_lit(struct bw *b, unsigned s)
{
    if (s < 144)
        put_code(b, 0x30 + s, 8);
    else if (s < 256)
        put_code(b, 0x190 + s - 144, 9);
    else if (s < 280)
        put_code(b, s - 256, 7);
    else
        put_code(b, 0xc0 + s - 280, 8);
}

/* Wraps raw deflate data into a gzip member whose trailer matches `expect`. */
static uint8_t *member(const uint8_t *deflate, size_t n, const void *expect, size_t expectn, size_t *outn)
{
    uint8_t *p = malloc(n + 18);
    static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
    memcpy(p, hdr, 10);
    memcpy(p + 10, deflate, n);
    uint32_t crc = ref_crc32(expect, expectn), sz = (uint32_t)expectn;
    for (int i = 0; i < 4; i++) {
        p[10 + n + i] = (uint8_t)(crc >> (8 * i));
        p[14 + n + i] = (uint8_t)(sz >> (8 * i));
    }
    *outn = n + 18;
    return p;
}

static int run_bits(const struct bw *b, const void *expect, size_t expectn, size_t cap)
{
    size_t n;
    uint8_t *gz = member(b->buf, (b->bits + 7) / 8, expect, expectn, &n);
    int rc = inflate_all(gz, n, cap, expect, expectn);
    free(gz);
    return rc;
}

/* --- tests --------------------------------------------------------------- */

static void magic_and_trailer(void **state)
{
    (void)state;
    uint32_t isize = 0;
    assert_true(gzip_is_gzip(vector_gz, sizeof(vector_gz)));
    assert_false(gzip_is_gzip(vector_gz, 2));
    assert_false(gzip_is_gzip("\x1f\x8b\x07", 3));
    assert_false(gzip_is_gzip("ARM\x64", 4));
    assert_int_equal(gzip_trailer_size(vector_gz, sizeof(vector_gz), &isize), 0);
    assert_int_equal(isize, strlen(vector_text));
    assert_int_equal(gzip_trailer_size(vector_gz, 19, &isize), -XAM_EINVAL);
    assert_int_equal(gzip_trailer_size("MZ\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 21, &isize), -XAM_EINVAL);
}

static void embedded_vector(void **state)
{
    (void)state;
    size_t n = strlen(vector_text);
    assert_int_equal((vector_gz[10] >> 1) & 3, 1); /* a fixed-Huffman block */
    assert_int_equal(inflate_all(vector_gz, sizeof(vector_gz), n, vector_text, n), 0);
    /* Bytes after the member are not its business. */
    uint8_t padded[sizeof(vector_gz) + 7];
    memcpy(padded, vector_gz, sizeof(vector_gz));
    memset(padded + sizeof(vector_gz), 0, 7);
    assert_int_equal(inflate_all(padded, sizeof(padded), n + 100, vector_text, n), 0);
}

static void empty_file(void **state)
{
    (void)state;
    size_t gzn;
    uint8_t *gz = gzip_cmd("", 0, "-9", &gzn);
    uint32_t isize = 1;
    assert_int_equal(gzip_trailer_size(gz, gzn, &isize), 0);
    assert_int_equal(isize, 0);
    assert_int_equal(inflate_all(gz, gzn, 0, "", 0), 0);
    assert_int_equal(inflate_all(gz, gzn, 64, "", 0), 0);
    free(gz);
}

static void fixed_blocks(void **state)
{
    (void)state;
    const char *s = "hello, hello, hello: a short input gzip codes with the fixed Huffman code";
    assert_int_equal(roundtrip(s, strlen(s), "-9"), 1);
    assert_int_equal(roundtrip(s, strlen(s), "-1"), 1);
    assert_int_equal(roundtrip("a", 1, "-6"), 1);
}

static void dynamic_blocks(void **state)
{
    (void)state;
    static const char *levels[] = { "-1", "-3", "-6", "-9" };
    const size_t sizes[] = { 1000, 70000, 300000 };
    for (size_t s = 0; s < 3; s++) {
        uint8_t *p = structured(sizes[s], s + 1);
        for (size_t l = 0; l < 4; l++)
            assert_int_equal(roundtrip(p, sizes[s], levels[l]), 2);
        free(p);
    }
    /* Long zero runs: distance 1, length 258, over and over. */
    uint8_t *z = calloc(1, 200000);
    z[100000] = 1;
    roundtrip(z, 200000, "-9");
    roundtrip(z, 200000, "-1");
    free(z);
}

static void stored_blocks(void **state)
{
    (void)state;
    /* Random bytes do not compress: gzip stores them, in 64 KiB-bounded
     * blocks, so this spans several. */
    uint8_t *p = random_bytes(200000, 7);
    assert_int_equal(roundtrip(p, 200000, "-9"), 0);
    assert_int_equal(roundtrip(p, 200000, "-1"), 0);
    roundtrip(p, 10, "-9");
    free(p);
}

static void hand_made_stored(void **state)
{
    (void)state;
    struct bw b = { 0 };
    /* A non-final empty stored block, a final one with "abc". */
    put(&b, 0, 1), put(&b, 0, 2);
    b.bits = 8;
    put(&b, 0x0000, 16), put(&b, 0xffff, 16);
    put(&b, 1, 1), put(&b, 0, 2);
    b.bits = (b.bits + 7) / 8 * 8;
    put(&b, 3, 16), put(&b, 0xfffc, 16);
    put(&b, 'a', 8), put(&b, 'b', 8), put(&b, 'c', 8);
    assert_int_equal(run_bits(&b, "abc", 3, 3), 0);
    assert_int_equal(run_bits(&b, "abc", 3, 2), -XAM_ENOSPC);
    /* NLEN not LEN's complement. */
    b.buf[8] ^= 1;
    assert_int_equal(run_bits(&b, "abc", 3, 3), -XAM_EINVAL);
}

/* Builds a gzip member for "hello world" with the given header fields. */
static uint8_t *with_header(uint8_t flags, bool good_hcrc, size_t *outn)
{
    static const uint8_t raw[] = { 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0x01, 0x00 };
    uint8_t *p = malloc(512);
    size_t n = 0;
    static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 3 };
    memcpy(p, hdr, 10);
    p[3] = flags;
    n = 10;
    if (flags & 4) {
        p[n++] = 6, p[n++] = 0; /* XLEN */
        memcpy(p + n, "Ap\2\0xy", 6);
        n += 6;
    }
    if (flags & 8) {
        memcpy(p + n, "Image", 6);
        n += 6;
    }
    if (flags & 16) {
        memcpy(p + n, "a comment", 10);
        n += 10;
    }
    if (flags & 2) {
        uint32_t c = ref_crc32(p, n) ^ !good_hcrc;
        p[n++] = (uint8_t)c, p[n++] = (uint8_t)(c >> 8);
    }
    memcpy(p + n, raw, sizeof(raw));
    n += sizeof(raw);
    uint32_t crc = ref_crc32((const uint8_t *)"hello world", 11);
    for (int i = 0; i < 4; i++)
        p[n + i] = (uint8_t)(crc >> (8 * i)), p[n + 4 + i] = (uint8_t)(11 >> (8 * i));
    n += 8;
    uint8_t *exact = malloc(n);
    memcpy(exact, p, n);
    free(p);
    *outn = n;
    return exact;
}

static void header_fields(void **state)
{
    (void)state;
    size_t n;
    for (unsigned flags = 0; flags < 32; flags += 2) {
        uint8_t *gz = with_header((uint8_t)flags, true, &n);
        assert_int_equal(inflate_all(gz, n, 11, "hello world", 11), 0);
        /* Cut inside the header: never a success, never an over-read. */
        for (size_t cut = 0; cut < n; cut++)
            assert_true(inflate_all(gz, cut, 11, "hello world", 11) < 0);
        free(gz);
        if (flags & 2) {
            gz = with_header((uint8_t)flags, false, &n);
            assert_int_equal(inflate_all(gz, n, 11, "hello world", 11), -XAM_EIO);
            free(gz);
        }
    }
    /* FNAME without its terminator runs into the end of the input. */
    uint8_t unterminated[] = { 0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c' };
    assert_int_equal(inflate_all(unterminated, sizeof(unterminated), 16, "", 0), -XAM_EINVAL);
}

static void bad_headers(void **state)
{
    (void)state;
    uint8_t gz[sizeof(vector_gz)];
    size_t n = strlen(vector_text);
    for (unsigned flag = 0x20; flag <= 0x80; flag <<= 1) {
        memcpy(gz, vector_gz, sizeof(gz));
        gz[3] |= (uint8_t)flag; /* reserved: RFC 1952 says refuse */
        assert_int_equal(inflate_all(gz, sizeof(gz), n, vector_text, n), -XAM_EINVAL);
    }
    memcpy(gz, vector_gz, sizeof(gz));
    gz[2] = 7;
    assert_int_equal(inflate_all(gz, sizeof(gz), n, vector_text, n), -XAM_EINVAL);
    memcpy(gz, vector_gz, sizeof(gz));
    gz[1] = 0x8c;
    assert_int_equal(inflate_all(gz, sizeof(gz), n, vector_text, n), -XAM_EINVAL);
}

/* Every prefix of small members of each block type is an error. */
static void truncated_everywhere(void **state)
{
    (void)state;
    uint8_t *text = structured(3000, 3), *rnd = random_bytes(300, 4);
    struct {
        const void *data;
        size_t n;
        const char *args;
    } cases[] = {
        { text, 3000, "-9" },
        { text, 3000, "-1" },
        { rnd, 300, "-9" },
        { vector_text, 49, "-9" },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t gzn;
        uint8_t *gz = gzip_cmd(cases[c].data, cases[c].n, cases[c].args, &gzn);
        for (size_t cut = 0; cut < gzn; cut++) {
            uint8_t *prefix = malloc(cut ? cut : 1); /* exact: ASan sees over-reads */
            memcpy(prefix, gz, cut);
            int rc = inflate_all(prefix, cut, cases[c].n, cases[c].data, cases[c].n);
            assert_true(rc == -XAM_EINVAL);
            free(prefix);
        }
        free(gz);
    }
    free(text);
    free(rnd);
}

static void corrupted_trailer(void **state)
{
    (void)state;
    size_t gzn;
    uint8_t *text = structured(50000, 5);
    uint8_t *gz = gzip_cmd(text, 50000, "-6", &gzn);
    for (size_t i = 0; i < 8; i++) {
        gz[gzn - 8 + i] ^= 0x10;
        assert_int_equal(inflate_all(gz, gzn, 1 << 20, text, 50000), -XAM_EIO);
        gz[gzn - 8 + i] ^= 0x10;
    }
    assert_int_equal(inflate_all(gz, gzn, 50000, text, 50000), 0);
    /* A flipped bit in the data: whatever it decodes to, never success. */
    for (size_t i = 10; i < gzn - 9; i += 97) { /* not the last byte: padding bits */
        gz[i] ^= 0x04;
        assert_true(inflate_all(gz, gzn, 60000, text, 50000) < 0);
        gz[i] ^= 0x04;
    }
    free(gz);
    free(text);
}

static void output_too_small(void **state)
{
    (void)state;
    uint8_t *text = structured(100000, 6), *rnd = random_bytes(100000, 6);
    const uint8_t *datas[] = { text, rnd };
    for (int d = 0; d < 2; d++) {
        size_t gzn;
        uint8_t *gz = gzip_cmd(datas[d], 100000, "-9", &gzn);
        const size_t caps[] = { 0, 1, 1000, 65535, 99999 };
        for (size_t c = 0; c < 5; c++)
            assert_int_equal(inflate_all(gz, gzn, caps[c], datas[d], 100000), -XAM_ENOSPC);
        assert_int_equal(inflate_all(gz, gzn, 100000, datas[d], 100000), 0);
        assert_int_equal(inflate_all(gz, gzn, 100008, datas[d], 100000), 0);
        free(gz);
    }
    assert_int_equal(inflate_all(vector_gz, sizeof(vector_gz), 48, vector_text, 49), -XAM_ENOSPC);
    free(text);
    free(rnd);
}

static void distances(void **state)
{
    (void)state;
    /* 'a', then length 3 at distance 1 (code 257, dist code 0): "aaaa". */
    struct bw b = { 0 };
    put(&b, 1, 1), put(&b, 1, 2);
    fixed_lit(&b, 'a');
    fixed_lit(&b, 257);
    put_code(&b, 0, 5);
    fixed_lit(&b, 256);
    assert_int_equal(run_bits(&b, "aaaa", 4, 4), 0);
    assert_int_equal(run_bits(&b, "aaaa", 4, 3), -XAM_ENOSPC);

    /* Distance 2 with one byte written: too far back. */
    memset(&b, 0, sizeof(b));
    put(&b, 1, 1), put(&b, 1, 2);
    fixed_lit(&b, 'a');
    fixed_lit(&b, 257);
    put_code(&b, 1, 5);
    fixed_lit(&b, 256);
    assert_int_equal(run_bits(&b, "aaaa", 4, 100), -XAM_EINVAL);

    /* A back reference before any output. */
    memset(&b, 0, sizeof(b));
    put(&b, 1, 1), put(&b, 1, 2);
    fixed_lit(&b, 257);
    put_code(&b, 0, 5);
    fixed_lit(&b, 256);
    assert_int_equal(run_bits(&b, "", 0, 100), -XAM_EINVAL);

    /* The farthest legal distance, 32768 (code 29, 13 extra bits all
     * ones), reaching back to the first byte across a stored block. */
    uint8_t *big = malloc(32768 + 258);
    for (size_t i = 0; i < 32768; i++)
        big[i] = (uint8_t)(i * 31 + (i >> 8));
    for (size_t i = 0; i < 258; i++)
        big[32768 + i] = big[i];
    uint8_t *raw = malloc(32768 + 64);
    size_t n = 0;
    raw[n++] = 0; /* BFINAL 0, stored */
    raw[n++] = 0x00, raw[n++] = 0x80, raw[n++] = 0xff, raw[n++] = 0x7f;
    memcpy(raw + n, big, 32768);
    n += 32768;
    memset(&b, 0, sizeof(b));
    put(&b, 1, 1), put(&b, 1, 2);
    fixed_lit(&b, 285);
    put_code(&b, 29, 5);
    put(&b, 0x1fff, 13);
    fixed_lit(&b, 256);
    memcpy(raw + n, b.buf, (b.bits + 7) / 8);
    n += (b.bits + 7) / 8;
    size_t gzn;
    uint8_t *gz = member(raw, n, big, 32768 + 258, &gzn);
    assert_int_equal(inflate_all(gz, gzn, 32768 + 258, big, 32768 + 258), 0);
    free(gz);
    free(raw);
    free(big);
}

static void bad_codes(void **state)
{
    (void)state;
    struct bw b = { 0 };
    /* Block type 3 is reserved. */
    put(&b, 1, 1), put(&b, 3, 2);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    /* A second block of type 3 after a good one. */
    memset(&b, 0, sizeof(b));
    put(&b, 0, 1), put(&b, 1, 2);
    fixed_lit(&b, 'x');
    fixed_lit(&b, 256);
    put(&b, 1, 1), put(&b, 3, 2);
    assert_int_equal(run_bits(&b, "x", 1, 16), -XAM_EINVAL);
    /* Fixed literal/length codes 286 and 287 exist but mean nothing. */
    for (unsigned s = 286; s < 288; s++) {
        memset(&b, 0, sizeof(b));
        put(&b, 1, 1), put(&b, 1, 2);
        fixed_lit(&b, 'x');
        fixed_lit(&b, s);
        put_code(&b, 0, 5);
        fixed_lit(&b, 256);
        assert_int_equal(run_bits(&b, "xxxx", 4, 16), -XAM_EINVAL);
    }
    /* So do distance codes 30 and 31. */
    for (unsigned d = 30; d < 32; d++) {
        memset(&b, 0, sizeof(b));
        put(&b, 1, 1), put(&b, 1, 2);
        fixed_lit(&b, 'x');
        fixed_lit(&b, 257);
        put_code(&b, d, 5);
        fixed_lit(&b, 256);
        assert_int_equal(run_bits(&b, "xxxx", 4, 1 << 16), -XAM_EINVAL);
    }
    /* No end-of-block, the stream just stops after a literal. */
    memset(&b, 0, sizeof(b));
    put(&b, 1, 1), put(&b, 1, 2);
    fixed_lit(&b, 'x');
    assert_int_equal(run_bits(&b, "x", 1, 16), -XAM_EINVAL);
}

/* Dynamic block headers: HLIT, HDIST, HCLEN, code-length code, lengths. */
static void put_dynamic_header(struct bw *b, unsigned hlit, unsigned hdist, unsigned hclen, const uint8_t *cl)
{
    put(b, 1, 1), put(b, 2, 2);
    put(b, hlit - 257, 5), put(b, hdist - 1, 5), put(b, hclen - 4, 4);
    for (unsigned i = 0; i < hclen; i++)
        put(b, cl[i], 3);
}

static void bad_dynamic(void **state)
{
    (void)state;
    struct bw b = { 0 };
    /* Code-length code over-subscribed: four codes of length 1. */
    const uint8_t four_ones[4] = { 1, 1, 1, 1 };
    put_dynamic_header(&b, 257, 1, 4, four_ones);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    /* Code-length code incomplete: one code of length 2. */
    const uint8_t one_two[4] = { 0, 0, 0, 2 };
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 1, 4, one_two);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    /* HLIT 287 and HDIST 31 exceed what the format allows. */
    const uint8_t cl18[4] = { 0, 0, 1, 1 }; /* 18 and 0: a complete code */
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 287, 1, 4, cl18);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 31, 4, cl18);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);

    /* Code-length alphabet {0: "0", 1: "10", 16: "11"} (orders 16,17,18,0
     * then 8,7,9,6,10,5,11,4,12,3,13,2,14,1: HCLEN 18 reaches symbol 1). */
    uint8_t cl[18] = { 0 };
    cl[0] = 2; /* 16 */
    cl[3] = 1; /* 0 */
    cl[17] = 2; /* 1 */
    /* Repeat code 16 first: nothing to repeat. */
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 1, 18, cl);
    put_code(&b, 3, 2), put(&b, 0, 2);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    /* 257 literal/length lengths with 256 (end of block) at zero. */
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 1, 18, cl);
    put_code(&b, 2, 2), put_code(&b, 2, 2); /* lit 0 and 1: length 1 */
    for (unsigned i = 2; i < 258; i++)
        put_code(&b, 0, 1); /* 2..256 and the distance: 0 */
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
    /* A repeat running past HLIT + HDIST. */
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 1, 18, cl);
    for (unsigned i = 0; i < 256; i++)
        put_code(&b, 0, 1);
    put_code(&b, 2, 2); /* 256: length 1 */
    put_code(&b, 3, 2), put(&b, 0, 2); /* repeat 3 with 1 slot left */
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);

    /* The smallest legal dynamic block: only end-of-block (one code of
     * length 1) and no distance codes; then a distance code with nothing to
     * decode it must not crash. */
    memset(&b, 0, sizeof(b));
    put_dynamic_header(&b, 257, 1, 18, cl);
    for (unsigned i = 0; i < 256; i++)
        put_code(&b, 0, 1);
    put_code(&b, 2, 2);
    put_code(&b, 0, 1); /* distance 0: no code */
    put_code(&b, 0, 1); /* end of block: "0" */
    assert_int_equal(run_bits(&b, "", 0, 16), 0);
    /* Same code, then the unused half of the incomplete code ("1"). */
    b.bits--;
    b.buf[b.bits / 8] &= (uint8_t) ~(1u << (b.bits % 8));
    put_code(&b, 1, 1);
    assert_int_equal(run_bits(&b, "", 0, 16), -XAM_EINVAL);
}

/* Module addresses need not be aligned, nor (in principle) the output:
 * the CRC pass and the word loads must not care. */
static void unaligned_buffers(void **state)
{
    (void)state;
    size_t n = 100003, gzn;
    uint8_t *p = structured(n, 9);
    uint8_t *gz = gzip_cmd(p, n, "-6", &gzn);
    uint8_t *src = malloc(gzn + 8), *dst = malloc(n + 8);
    struct inflate_work *w = work();
    for (size_t so = 0; so < 8; so += 3)
        for (size_t d = 0; d < 8; d++) {
            memcpy(src + so, gz, gzn);
            for (size_t i = 0; i < NIMPLS; i++) {
                size_t outlen;
                memset(dst, 0, n + 8);
                assert_int_equal(impls[i](dst + d, n, src + so, gzn, &outlen, w), 0);
                assert_int_equal(outlen, n);
                assert_memory_equal(dst + d, p, n);
            }
        }
    free(w);
    free(dst);
    free(src);
    free(gz);
    free(p);
}

static void big_roundtrip(void **state)
{
    (void)state;
    /* 5 MiB: structured text, a random stretch, a long zero run. */
    size_t n = 5u << 20;
    uint8_t *p = structured(n, 42), *r = random_bytes(300000, 43);
    memcpy(p + 1000000, r, 300000);
    memset(p + 3000000, 0, 500000);
    assert_int_equal(roundtrip(p, n, "-6"), 2);
    assert_int_equal(roundtrip(p, n, "-1"), 2);
    free(r);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(magic_and_trailer), T(embedded_vector),  T(empty_file),    T(fixed_blocks), T(dynamic_blocks),
        T(stored_blocks),     T(hand_made_stored), T(header_fields), T(bad_headers),  T(truncated_everywhere),
        T(corrupted_trailer), T(output_too_small), T(distances),     T(bad_codes),    T(bad_dynamic),
        T(unaligned_buffers), T(big_roundtrip),
    };
    return cmocka_run_group_tests_name("inflate", tests, NULL, NULL);
}
