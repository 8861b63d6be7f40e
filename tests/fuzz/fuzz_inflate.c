/* libFuzzer target: gzip_inflate() on arbitrary bytes, into exactly sized
 * heap buffers so ASan sees any access outside them.
 *
 * Input that does not start with the gzip magic is also tried as raw
 * deflate data behind a fixed 10-byte header, so mutations spend their
 * time in the block decoder rather than on the magic. Each input runs
 * through the host build (word loads) and a second copy of the source built
 * byte-at-a-time as in the hypervisor; both must agree exactly. Inputs of
 * odd length run again into a smaller output, sized by their first byte, to
 * reach the out-of-space paths at every point of a stream (not every input:
 * comparison tracing in the decode loop already makes each run dear). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xam/errno.h>

#include "../lib/inflate_bytewise.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX (1u << 20)

static void run(const uint8_t *src, size_t len, size_t cap)
{
    static struct inflate_work *w;
    static uint8_t *a, *b;
    size_t alen = 0, blen = 0;

    if (!w) {
        w = malloc(sizeof(*w));
        a = malloc(OUT_MAX);
        b = malloc(OUT_MAX);
    }
    uint8_t *da = a + OUT_MAX - cap, *db = b + OUT_MAX - cap; /* end at the heap block's end */
    int ra = gzip_inflate(da, cap, src, len, &alen, w);
    int rb = bytewise_gzip_inflate(db, cap, src, len, &blen, w);
    if (ra != rb || alen != blen || alen > cap)
        abort();
    if (ra != 0 && ra != -XAM_EINVAL && ra != -XAM_ENOSPC && ra != -XAM_EIO)
        abort();
    /* Word-wise match copies may scratch past the output's end, so only
     * the output itself must agree. */
    if (memcmp(da, db, alen))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact copy: libFuzzer's buffer may have slack ASan would miss. */
    uint8_t *src = malloc(size ? size : 1);
    memcpy(src, data, size);
    bool again = size & 1;
    size_t small = size ? (size_t)data[0] * 61 : 0;

    run(src, size, OUT_MAX);
    if (again)
        run(src, size, small);
    if (size < 3 || data[0] != 0x1f || data[1] != 0x8b) {
        static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
        uint8_t *wrapped = malloc(size + 10);
        memcpy(wrapped, hdr, 10);
        memcpy(wrapped + 10, data, size);
        run(wrapped, size + 10, OUT_MAX);
        if (again)
            run(wrapped, size + 10, small);
        free(wrapped);
    }
    free(src);
    return 0;
}
