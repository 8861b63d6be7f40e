#include <asm/asm-offsets.h>
#include <asm/cache.h>
#include <asm/mmu.h>
#include <asm/pagetable.h>
#include <asm/spinlock.h>
#include <asm/sysreg.h>
#include <string.h>
#include <xam/errno.h>
#include <xam/memory.h>

extern char _start[], _text_end[], _rodata_end[], _image_end[];

void mmu_enable(uint64_t mair, uint64_t tcr, uint64_t ttbr, uint64_t sctlr);

/* Tables for the boot map come from here, before any allocator exists:
 * image + DTB + UART need a handful; RAM in 1 GiB/2 MiB blocks a few more. */
#define BOOT_TABLES 24
static uint64_t boot_tables[BOOT_TABLES][PT_ENTRIES] __aligned(PAGE_SIZE);
static unsigned boot_tables_used;
static bool use_allocator;
static spinlock_t map_lock = SPINLOCK_INIT;

static uint64_t *alloc_table(void *ctx __unused)
{
    if (boot_tables_used < BOOT_TABLES)
        return boot_tables[boot_tables_used++];
    paddr_t pa;
    if (!use_allocator || memory_alloc(PAGE_SIZE, PAGE_SIZE, &pa))
        return NULL;
    uint64_t *t = (uint64_t *)(uintptr_t)pa;
    memset(t, 0, PAGE_SIZE);
    return t;
}

static struct pt hyp_pt = { .start_level = 0, .alloc_table = alloc_table };
static bool mmu_on;

/* Read by secondary CPUs with their MMU off: cleaned to PoC before use. */
struct secondary_boot {
    uint64_t mair, tcr, ttbr, sctlr;
} secondary_boot __aligned(64);

paddr_t image_start(void) { return (paddr_t)(uintptr_t)_start; }

paddr_t image_end(void) { return (paddr_t)(uintptr_t)_image_end; }

static uint64_t tcr_value(void)
{
    /* Output size: what the CPU supports, capped at 48 bits (no LPA). */
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5)
        parange = 5;
    return (1ULL << 31) | (1ULL << 23) /* RES1 */ | (parange << 16) | (3ULL << 12) /* inner shareable */ |
        (1ULL << 10) | (1ULL << 8) /* write-back walks */ | 16 /* T0SZ: 48-bit VA */;
}

static uint64_t sctlr_value(void) { return SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_WXN; }

static int map(paddr_t pa, uint64_t size, uint64_t attrs)
{
    paddr_t start = ALIGN_DOWN(pa, PAGE_SIZE);
    paddr_t end = ALIGN_UP(pa + size, PAGE_SIZE);
    uint64_t flags = 0;

    if (mmu_on)
        flags = spin_lock_irqsave(&map_lock);
    int rc = pt_map(&hyp_pt, start, start, end - start, attrs);
    if (mmu_on) {
        /* New entries only (never changed in place): make them visible to
         * the walkers, no TLB invalidation needed. */
        dsb(ishst);
        isb();
        spin_unlock_irqrestore(&map_lock, flags);
    }
    return rc;
}

int mmu_boot(paddr_t fdt, uint64_t fdt_span, paddr_t early_uart)
{
    paddr_t s = image_start();
    int rc;

    hyp_pt.root = alloc_table(NULL);
    hyp_pt.tables = 1;
    if ((rc = map(s, (paddr_t)(uintptr_t)_text_end - s, PT_HYP_TEXT)) ||
        (rc = map((paddr_t)(uintptr_t)_text_end, (paddr_t)(uintptr_t)(_rodata_end - _text_end), PT_HYP_RO)) ||
        (rc = map((paddr_t)(uintptr_t)_rodata_end, image_end() - (paddr_t)(uintptr_t)_rodata_end, PT_HYP_RW)))
        return rc;
    if (early_uart && (rc = map(early_uart, PAGE_SIZE, PT_HYP_DEVICE)))
        return rc;
    if (fdt_span && (rc = map(fdt, fdt_span, PT_HYP_RO)))
        return rc;

    /* Everything so far was written with the MMU and caches off; drop any
     * stale lines a loader may have left over the image before the caches
     * start serving it. */
    dcache_inval_range(_start, image_end() - s);
    mmu_enable(MAIR_VALUE, tcr_value(), (uint64_t)(uintptr_t)hyp_pt.root, sctlr_value());
    mmu_on = true;
    return 0;
}

void mmu_use_allocator(void) { use_allocator = true; }

int mmu_map_device(paddr_t pa, uint64_t size)
{
    /* Devices may already be mapped (the early UART is usually the console;
     * the GIC's frames are mapped to probe them, then to use them), a
     * block at a time: GICv3 redistributors span megabytes. */
    paddr_t start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + size, PAGE_SIZE);
    bool all_mapped = true;
    for (paddr_t p = start, next; p < end && all_mapped; p = next) {
        paddr_t out;
        uint64_t attrs, leaf = PAGE_SIZE;
        all_mapped = pt_lookup_leaf(&hyp_pt, p, &out, &attrs, &leaf) && out == p && attrs == PT_HYP_DEVICE;
        next = ALIGN_DOWN(p, leaf) + leaf;
    }
    return all_mapped ? 0 : map(pa, size, PT_HYP_DEVICE);
}

int mmu_map_ram(paddr_t pa, uint64_t size) { return map(pa, size, PT_HYP_RW); }

void mmu_prepare_secondary(void)
{
    secondary_boot.mair = MAIR_VALUE;
    secondary_boot.tcr = tcr_value();
    secondary_boot.ttbr = (uint64_t)(uintptr_t)hyp_pt.root;
    secondary_boot.sctlr = sctlr_value();
    dcache_clean_range(&secondary_boot, sizeof(secondary_boot));
}

_Static_assert(__builtin_offsetof(struct secondary_boot, mair) == SB_MAIR, "SB_MAIR");
_Static_assert(__builtin_offsetof(struct secondary_boot, tcr) == SB_TCR, "SB_TCR");
_Static_assert(__builtin_offsetof(struct secondary_boot, ttbr) == SB_TTBR, "SB_TTBR");
_Static_assert(__builtin_offsetof(struct secondary_boot, sctlr) == SB_SCTLR, "SB_SCTLR");
