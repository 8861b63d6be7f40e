/* Data cache maintenance by virtual address, to the point of coherency. */
#ifndef ASM_CACHE_H
#define ASM_CACHE_H

#include <stddef.h>
#include <stdint.h>

void dcache_clean_range(const void *start, size_t size);
void dcache_clean_inval_range(const void *start, size_t size);
void dcache_inval_range(const void *start, size_t size);
void icache_inval_all(void);

#endif
