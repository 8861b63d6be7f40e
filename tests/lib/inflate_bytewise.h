/* A second build of lib/inflate.c, byte at a time as the hypervisor reads
 * its input (INFLATE_BYTEWISE), under bytewise_* names, beside the host
 * library's own: the unit tests and the fuzzer compare the two. */
#ifndef TESTS_INFLATE_BYTEWISE_H
#define TESTS_INFLATE_BYTEWISE_H

#define INFLATE_BYTEWISE 1
#define gzip_is_gzip bytewise_gzip_is_gzip
#define gzip_trailer_size bytewise_gzip_trailer_size
#define gzip_inflate bytewise_gzip_inflate
#include "../../xen-arm-minimal/lib/inflate.c"
#undef gzip_is_gzip
#undef gzip_trailer_size
#undef gzip_inflate

/* The library's own names (the header is already included, renamed). */
bool gzip_is_gzip(const void *src, size_t len);
int gzip_trailer_size(const void *src, size_t len, uint32_t *isize);
int gzip_inflate(void *dst, size_t dstcap, const void *src, size_t len, size_t *outlen, struct inflate_work *w);

#endif
