/* Data cache maintenance by virtual address, to the point of coherency. */
#ifndef ASM_CACHE_H
#define ASM_CACHE_H

#include <stddef.h>
#include <stdint.h>

void dcache_clean_range(const void *start, size_t size);
void dcache_clean_inval_range(const void *start, size_t size);
void dcache_inval_range(const void *start, size_t size);
void icache_inval_all(void);
/* Every CPU's instruction cache (inner shareable): memory that held code
 * of someone else is given new contents. */
void icache_inval_all_is(void);
/* Zero [start, start+size) (page-aligned) and clean it to the point of
 * coherency: DC ZVA where the CPU allows it, stores otherwise. */
void ram_scrub(void *start, size_t size);
/* Copy [src, src+size) to dst (page-aligned, apart) and clean it to the
 * point of coherency. */
void ram_copy(void *dst, const void *src, size_t size);

#endif
