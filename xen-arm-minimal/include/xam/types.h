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
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused __attribute__((unused))
#define __aligned(x) __attribute__((aligned(x)))

#endif
