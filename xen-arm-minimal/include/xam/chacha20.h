/* The ChaCha20 block function (RFC 8439, 2.3): the hypervisor's random
 * generator (common/random.c) is ChaCha20 keyed from the boot's entropy.
 * Portable: host-tested against the RFC's vectors. */
#ifndef XAM_CHACHA20_H
#define XAM_CHACHA20_H

#include <xam/types.h>

#define CHACHA20_KEY_SIZE 32
#define CHACHA20_BLOCK_SIZE 64

/* One 64-byte block of key stream for key, 32-bit block counter and
 * 96-bit nonce (RFC 8439's layout, little-endian words). */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter, const uint8_t nonce[12],
                    uint8_t out[CHACHA20_BLOCK_SIZE]);

#endif
