/* The hypervisor's random generator (include/xam/random.h). */
#include <asm/spinlock.h>
#include <asm/sysreg.h>
#include <asm/timer.h>
#include <libfdt.h>
#include <string.h>
#include <xam/chacha20.h>
#include <xam/fmt.h>
#include <xam/log.h>
#include <xam/random.h>

static spinlock_t lock = SPINLOCK_INIT;
static uint8_t key[CHACHA20_KEY_SIZE];
static bool seeded;
static const uint8_t nonce[12] = { 'x', 'a', 'm', '-', 'r', 'a', 'n', 'd', 'o', 'm', 0, 0 };

/* Entropy folded into the pool (then mixed by one ChaCha20 block). */
static void fold(uint8_t pool[CHACHA20_KEY_SIZE], unsigned *at, const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++, (*at)++)
        pool[*at % CHACHA20_KEY_SIZE] ^= b[i];
}

/* FEAT_RNG: ID_AA64ISAR0_EL1.RNDR (bits 63:60) not 0. */
static bool cpu_has_rndr(void) { return (read_sysreg(id_aa64isar0_el1) >> 60) & 0xf; }

/* RNDR (s3_3_c2_c4_0): false when it could not give a number now (Z). */
static bool rndr(uint64_t *v)
{
    uint64_t ok;
    __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne" : "=r"(*v), "=r"(ok) : : "cc");
    return ok;
}

void random_init(const void *host_fdt)
{
    uint8_t pool[CHACHA20_KEY_SIZE] = { 0 };
    unsigned at = 0, trusted = 0;
    char from[64] = "";
    int chosen = fdt_path_offset(host_fdt, "/chosen");
    static const char *const props[] = { "rng-seed", "kaslr-seed" };
    for (unsigned i = 0; i < 2 && chosen >= 0; i++) {
        int len;
        const void *p = fdt_getprop(host_fdt, chosen, props[i], &len);
        if (p && len > 0) {
            fold(pool, &at, p, (size_t)len);
            trusted += (unsigned)len;
            size_t l = strlen(from);
            fmt_snprintf(from + l, sizeof(from) - l, "%s/chosen/%s", l ? ", " : "", props[i]);
        }
    }
    if (cpu_has_rndr()) {
        unsigned got = 0;
        for (unsigned i = 0; i < 4; i++) {
            uint64_t v;
            if (rndr(&v)) {
                fold(pool, &at, &v, sizeof(v));
                got += sizeof(v);
            }
        }
        if (got) {
            size_t l = strlen(from);
            fmt_snprintf(from + l, sizeof(from) - l, "%sRNDR", l ? ", " : "");
            trusted += got;
        }
    }
    uint64_t now = counter_read(); /* differs per boot, not trusted */
    fold(pool, &at, &now, sizeof(now));
    uint8_t block[CHACHA20_BLOCK_SIZE];
    chacha20_block(pool, 0, nonce, block);
    memcpy(key, block, sizeof(key));
    memset(block, 0, sizeof(block));
    memset(pool, 0, sizeof(pool));
    /* 128 bits from the boot loader or the CPU, or nothing to trust */
    seeded = trusted >= 16;
    if (seeded)
        log_info("random: seeded from %s: guests get /chosen/rng-seed and kaslr-seed", from);
    else
        log_warn("random: no entropy source (no /chosen/rng-seed in the host tree, no RNDR): guests get no rng-seed");
}

bool random_bytes(void *buf, size_t len)
{
    if (!seeded)
        return false;
    uint8_t *out = buf, block[CHACHA20_BLOCK_SIZE];
    uint64_t flags = spin_lock_irqsave(&lock);
    uint32_t ctr = 1; /* block 0 makes the next key */
    while (len) {
        chacha20_block(key, ctr++, nonce, block);
        size_t n = MIN(len, sizeof(block));
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    /* fast key erasure: what was handed out cannot be recomputed from the
     * state left behind */
    chacha20_block(key, 0, nonce, block);
    memcpy(key, block, sizeof(key));
    spin_unlock_irqrestore(&lock, flags);
    memset(block, 0, sizeof(block));
    return true;
}
