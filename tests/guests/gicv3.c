#include "gicv3.h"

extern char guest_vectors[];

static void w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static uint32_t r32(uintptr_t a) { return *(volatile uint32_t *)a; }

void gic_dist_enable(void) { w32(GICD, 0x12); /* GICD_CTLR: ARE, group 1 */ }

void gic_cpu_init(unsigned cpu, uint32_t private_mask)
{
    uintptr_t rd = GICR(cpu);
    w32(rd + 0x14, r32(rd + 0x14) & ~2u); /* WAKER: wake up */
    while (r32(rd + 0x14) & 4u)
        ;
    w32(rd + SGI_FRAME + 0x100, private_mask); /* ISENABLER0 */
    __asm__ volatile("msr vbar_el1, %0; isb" : : "r"(guest_vectors));
    __asm__ volatile("msr s3_0_c4_c6_0, %0" : : "r"(0xffUL)); /* ICC_PMR_EL1 */
    __asm__ volatile("msr s3_0_c12_c12_7, %0" : : "r"(1UL)); /* ICC_IGRPEN1_EL1 */
    __asm__ volatile("isb; msr daifclr, #2");
}

void gic_enable_spi(unsigned intid)
{
    *(volatile uint64_t *)(GICD + 0x6000 + 8 * intid) = 0; /* IROUTER: vCPU 0 */
    w32(GICD + 0x100 + (intid / 32) * 4, 1u << (intid % 32));
}

unsigned gic_ack(void)
{
    uint64_t iar;
    __asm__ volatile("mrs %0, s3_0_c12_c12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
    return (unsigned)(iar & 0xffffff);
}

void gic_eoi(unsigned intid)
{
    __asm__ volatile("msr s3_0_c12_c12_1, %0; isb" : : "r"((uint64_t)intid)); /* ICC_EOIR1_EL1 */
}
