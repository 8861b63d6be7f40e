/* ChaCha20's block function against RFC 8439's test vectors. */
#include "unit.h"
#include <xam/chacha20.h>

/* RFC 8439 2.3.2: key 00..1f, counter 1, nonce 00:00:00:09:00:00:00:4a:00:00:00:00 */
static void rfc8439_block(void **state)
{
    (void)state;
    uint8_t key[32], out[64];
    for (unsigned i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    static const uint8_t nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    static const uint8_t expect[64] = {
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
        0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
        0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
    };
    chacha20_block(key, 1, nonce, out);
    assert_memory_equal(out, expect, 64);
}

/* RFC 8439 A.1, test vector #1: all-zero key and nonce, counter 0 */
static void rfc8439_zero_key(void **state)
{
    (void)state;
    uint8_t key[32] = { 0 }, nonce[12] = { 0 }, out[64];
    static const uint8_t expect[16] = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
                                        0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28 };
    chacha20_block(key, 0, nonce, out);
    assert_memory_equal(out, expect, 16);
    chacha20_block(key, 1, nonce, out); /* A.1 #2: counter 1 */
    static const uint8_t expect1[8] = { 0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a };
    assert_memory_equal(out, expect1, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8439_block),
        cmocka_unit_test(rfc8439_zero_key),
    };
    return cmocka_run_group_tests_name("chacha20", tests, NULL, NULL);
}
