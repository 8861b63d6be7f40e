/* Basic types shared by the hypervisor and the host builds of its portable parts. */
#ifndef XAM_TYPES_H
#define XAM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct names keep physical and virtual addresses apart in prototypes. */
typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) ((((uint64_t)(x)) + ((uint64_t)(a)-1)) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) (((uint64_t)(x)) & ~((uint64_t)(a)-1))
#define IS_ALIGNED(x, a) ((((uint64_t)(x)) & ((uint64_t)(a)-1)) == 0)
/* Each argument is evaluated once: MIN(x, f()) must not call f twice (a
 * second call can answer differently: arm_timer once lost the running
 * vCPU's time slice that way). Both are converted to the type a ?: of them
 * has, so the comparison and result are those of the plain expression. */
#define MIN(a, b) XAM_PICK_(a, b, <, __COUNTER__)
#define MAX(a, b) XAM_PICK_(a, b, >, __COUNTER__)
/* (the counter names the temporaries apart when MIN nests in MIN) */
#define XAM_PICK_(a, b, op, n) XAM_PICK__(a, b, op, n)
#define XAM_PICK__(a, b, op, n) XAM_PICK___(a, b, op, xam_pick_a##n, xam_pick_b##n)
#define XAM_PICK___(a, b, op, x, y)                                                                                    \
    ({                                                                                                                 \
        __typeof__(1 ? (a) : (b)) x = (a), y = (b);                                                                    \
        x op y ? x : y;                                                                                                \
    })

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused __attribute__((unused))
#define __aligned(x) __attribute__((aligned(x)))

#endif
