/* Host ("fake architecture") ticket locks: host atomics, so tests may run
 * the guest-facing code from several host threads. A lock remembers which
 * thread holds it: taking one the same thread already holds aborts (on
 * the hardware it would hang the CPU), and fake_locks_held counts the
 * locks this thread holds (tests check it is 0 where the code must not
 * hold any). */
#ifndef ASM_SPINLOCK_H
#define ASM_SPINLOCK_H

#include <stdint.h>
#include <asm/sysreg.h>

typedef struct {
    volatile uint32_t owner;
    volatile uint32_t next;
    const void *volatile holder; /* the holding thread's token, or NULL */
} spinlock_t;

#define SPINLOCK_INIT                                                                                                  \
    {                                                                                                                  \
        0, 0, 0                                                                                                        \
    }

extern __thread unsigned fake_locks_held;
extern __thread char fake_thread_token;
void fake_lock_recursion(spinlock_t *l) __attribute__((noreturn));

static inline void cpu_relax(void) { fake_cpu_relax(); }

static inline void spin_lock(spinlock_t *l)
{
    if (__atomic_load_n(&l->holder, __ATOMIC_RELAXED) == &fake_thread_token)
        fake_lock_recursion(l);
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        cpu_relax();
    __atomic_store_n(&l->holder, &fake_thread_token, __ATOMIC_RELAXED);
    fake_locks_held++;
}

static inline void spin_unlock(spinlock_t *l)
{
    fake_locks_held--;
    __atomic_store_n(&l->holder, (const void *)0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
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
