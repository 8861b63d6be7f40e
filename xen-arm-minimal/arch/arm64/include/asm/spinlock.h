/* Ticket locks with load-acquire exclusives (no LSE dependency, so any
 * ARMv8.0 CPU works). Exclusives need Normal memory: take locks only with
 * the MMU on. */
#ifndef ASM_SPINLOCK_H
#define ASM_SPINLOCK_H

#include <stdint.h>
#include <asm/sysreg.h>

typedef struct {
    volatile uint32_t owner;
    volatile uint32_t next;
} spinlock_t;

#define SPINLOCK_INIT                                                                                                  \
    {                                                                                                                  \
        0, 0                                                                                                           \
    }

/* In a busy-wait loop. */
static inline void cpu_relax(void) { __asm__ volatile("yield" : : : "memory"); }

static inline void spin_lock(spinlock_t *l)
{
    uint32_t ticket, tmp, fail;
    __asm__ volatile("1: ldaxr %w0, [%3]\n"
                     "   add %w1, %w0, #1\n"
                     "   stxr %w2, %w1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(ticket), "=&r"(tmp), "=&r"(fail)
                     : "r"(&l->next)
                     : "memory");
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        wfe();
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
    dsb(ish);
    sev();
}

static inline uint64_t spin_lock_irqsave(spinlock_t *l)
{
    uint64_t flags = irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint64_t flags)
{
    spin_unlock(l);
    irq_restore(flags);
}

#endif
