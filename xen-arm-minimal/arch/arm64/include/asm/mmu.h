/* The hypervisor's own address space: an identity map (VA == PA) of its
 * image (text RX, rodata RO, data RW, never W+X), the device tree, the RAM
 * it manages and the devices it drives. */
#ifndef ASM_MMU_H
#define ASM_MMU_H

#include <xam/types.h>

/* Boot CPU, MMU off: build the first tables and turn the MMU on. The device
 * tree window and the early UART (0 = none) are mapped too. Returns 0 or a
 * negative error (the caller still has the early UART with the MMU off). */
int mmu_boot(paddr_t fdt, uint64_t fdt_span, paddr_t early_uart);

/* Once the page allocator exists, further tables come from it. */
void mmu_use_allocator(void);

int mmu_map_device(paddr_t pa, uint64_t size);
int mmu_map_ram(paddr_t pa, uint64_t size);

/* Values a secondary CPU programs to join the boot CPU's address space. */
void mmu_prepare_secondary(void);

/* The image's extent, from the linker script. */
paddr_t image_start(void);
paddr_t image_end(void);

#endif
