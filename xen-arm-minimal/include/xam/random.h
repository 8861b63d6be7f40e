/* The hypervisor's random generator: what it hands guests to seed their
 * own (each Linux domain's /chosen/rng-seed and kaslr-seed, fresh at every
 * build and rebuild), so that a guest's random number generator is ready
 * at boot instead of half a minute later ("crng init done") and its kernel
 * is placed at random ("KASLR disabled due to lack of seed" otherwise).
 *
 * Entropy at boot: the host tree's /chosen/rng-seed and kaslr-seed (what
 * the boot loader gives: QEMU's virt machine, U-Boot), the CPU's RNDR when
 * it has FEAT_RNG, and the counter. From that key, ChaCha20 with fast key
 * erasure (a new key after every request). Without a boot-loader seed or
 * RNDR there is nothing to trust: random_bytes() refuses, guests get no
 * seed, and the boot says so. */
#ifndef XAM_RANDOM_H
#define XAM_RANDOM_H

#include <xam/types.h>

/* Boot CPU, once, with the host tree. */
void random_init(const void *host_fdt);
/* len bytes of the generator's output; false (nothing written) if it has
 * no entropy to start from. Any CPU. */
bool random_bytes(void *buf, size_t len);

#endif
