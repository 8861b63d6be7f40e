/* ChaCha20's block function, RFC 8439 section 2.3. */
#include <xam/chacha20.h>

static uint32_t rotl(uint32_t v, unsigned n) { return v << n | v >> (32 - n); }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define QUARTER(a, b, c, d)                                                                                            \
    do {                                                                                                               \
        a += b;                                                                                                        \
        d = rotl(d ^ a, 16);                                                                                           \
        c += d;                                                                                                        \
        b = rotl(b ^ c, 12);                                                                                           \
        a += b;                                                                                                        \
        d = rotl(d ^ a, 8);                                                                                            \
        c += d;                                                                                                        \
        b = rotl(b ^ c, 7);                                                                                            \
    } while (0)

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter, const uint8_t nonce[12],
                    uint8_t out[CHACHA20_BLOCK_SIZE])
{
    /* "expand 32-byte k", the key, the counter, the nonce */
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (unsigned i = 0; i < 8; i++)
        in[4 + i] = le32(key + 4 * i);
    in[12] = counter;
    for (unsigned i = 0; i < 3; i++)
        in[13 + i] = le32(nonce + 4 * i);
    uint32_t x[16];
    for (unsigned i = 0; i < 16; i++)
        x[i] = in[i];
    for (unsigned round = 0; round < 10; round++) { /* 20 rounds: a column and a diagonal round each */
        QUARTER(x[0], x[4], x[8], x[12]);
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]);
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (unsigned i = 0; i < 16; i++) {
        uint32_t v = x[i] + in[i];
        out[4 * i] = (uint8_t)v;
        out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16);
        out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}
