/* gzip (RFC 1952) members holding deflate (RFC 1951) data, decompressed in
 * one call from one buffer into another: how the builder accepts Image.gz
 * kernels. Portable and freestanding: no allocation, and every table lives
 * in a caller-provided work area because EL2 stacks are small. */
#ifndef XAM_INFLATE_H
#define XAM_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* First-level lookup widths: codes up to this long decode with one table
 * read; longer (rare) codes take a slower canonical walk. */
#define INFLATE_LIT_ROOT 10
#define INFLATE_DIST_ROOT 8

/* One Huffman code: the first-level table plus what the canonical walk
 * needs (codes per length, symbols in code order). */
struct inflate_huff_lit {
    uint32_t fast[1u << INFLATE_LIT_ROOT];
    uint16_t count[16];
    uint16_t sym[288];
};

struct inflate_huff_dist {
    uint32_t fast[1u << INFLATE_DIST_ROOT];
    uint16_t count[16];
    uint16_t sym[32];
};

/* Scratch for one gzip_inflate() call (about 14 KiB): contents need not be
 * initialised and are meaningless afterwards. One per concurrent caller. */
struct inflate_work {
    struct inflate_huff_lit lit; /* also holds the code-length code */
    struct inflate_huff_dist dist;
    uint8_t lens[288 + 32];
    uint32_t crc[8][256]; /* CRC-32 slices, rebuilt when a CRC is checked */
};

/* The gzip magic and the deflate method byte (1f 8b 08). */
bool gzip_is_gzip(const void *src, size_t len);

/* ISIZE from the last 4 bytes of a gzip member that ends exactly at
 * src + len: the uncompressed size modulo 2^32, for sizing the output
 * before decompressing. 0, or -XAM_EINVAL when this is no gzip member. */
int gzip_trailer_size(const void *src, size_t len, uint32_t *isize);

/* Decompress the gzip member at src (len bytes; bytes after the member are
 * ignored) into dst (dstcap bytes). Returns 0 with *outlen set, or
 *   -XAM_EINVAL  malformed or truncated input (header, block type, code,
 *                distance too far back, ...)
 *   -XAM_ENOSPC  the output does not fit in dstcap
 *   -XAM_EIO     CRC-32, ISIZE or header CRC mismatch
 * Never reads outside [src, src+len) nor writes outside [dst, dst+dstcap),
 * whatever the input; on error, dst holds partial output. Bytes of dst past
 * *outlen may be overwritten (match copies run a word at a time). */
int gzip_inflate(void *dst, size_t dstcap, const void *src, size_t len, size_t *outlen, struct inflate_work *w);

#endif
