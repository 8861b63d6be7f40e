/* The emulation interface: how a guest's trapped access reaches the code
 * that owns it, and how the answer gets back.
 *
 * core/exit.c dispatches every guest exit through a table indexed by the
 * exception class. Devices and services register what they own here:
 * MMIO regions per domain, system registers and HVC/SMC immediates
 * globally. The trap code names no device.
 *
 * Every handler answers with a typed result:
 *   EMUL_HANDLED  done: the vCPU continues after the instruction (a read's
 *                 value is written to its register first);
 *   EMUL_FAULT    refused (a width, alignment or register the device does
 *                 not allow): the guest gets a synchronous external abort at
 *                 the instruction, as hardware answers such an access;
 *   EMUL_PENDING  someone else must answer (a device model): the vCPU waits
 *                 (VCPU_WAITING) and emul_complete() finishes the access
 *                 later, on whichever CPU the answer arrives. A handler
 *                 calls emul_pend(v) before it hands the access to whoever
 *                 will answer (that one may answer before the handler has
 *                 even returned), and only then returns EMUL_PENDING;
 *   EMUL_UNDEF    (system registers) no such register here: the guest gets
 *                 an undefined instruction exception at the instruction, as
 *                 on a CPU without the feature (a hidden one's registers). */
#ifndef XAM_EMUL_H
#define XAM_EMUL_H

#include <xam/types.h>

struct vcpu;
struct domain;

enum emul_result {
    EMUL_HANDLED,
    EMUL_FAULT,
    EMUL_PENDING,
    EMUL_UNDEF,
};

/* One decoded guest load or store to emulated MMIO. */
struct mmio_access {
    paddr_t ipa; /* guest physical address of its first byte */
    uint64_t off; /* from the start of the region */
    unsigned size; /* bytes: 1, 2, 4 or 8 */
    bool write;
    uint64_t value; /* a write's value (only size bytes); a read's answer */
};

typedef enum emul_result (*mmio_handler_fn)(struct vcpu *v, struct mmio_access *a, void *dev);

struct mmio_region {
    paddr_t base;
    uint64_t size;
    mmio_handler_fn handle;
    void *dev;
    const char *name; /* for log lines: "GICD", "vPL011", ... */
};

/* A domain's emulated regions, kept sorted by base so a lookup is a binary
 * search however many there are. */
#define EMUL_MAX_MMIO 32
struct mmio_map {
    unsigned nr;
    struct mmio_region r[EMUL_MAX_MMIO];
};

/* 0, -XAM_EEXIST if it overlaps a region already there, -XAM_ENOSPC. */
int emul_mmio_add(struct mmio_map *m, const struct mmio_region *r);
const struct mmio_region *emul_mmio_find(const struct mmio_map *m, paddr_t ipa);
/* Whether [a->off, a->off + a->size) is naturally aligned. */
static inline bool mmio_aligned(const struct mmio_access *a) { return (a->off & (a->size - 1)) == 0; }

/* Trapped system registers (EC 0x18), keyed by the ESR_EL2 ISS encoding
 * with Rt and the direction masked out: SYSREG_KEY(op0, op1, crn, crm, op2).
 * A handler matches when (key & mask) == its key. */
#define SYSREG_KEY(op0, op1, crn, crm, op2)                                                                            \
    ((uint32_t)(op0) << 20 | (uint32_t)(op2) << 17 | (uint32_t)(op1) << 14 | (uint32_t)(crn) << 10 |                   \
     (uint32_t)(crm) << 1)
#define SYSREG_KEY_MASK SYSREG_KEY(3, 7, 15, 15, 7)

struct sysreg_access {
    uint32_t key;
    bool read;
    uint64_t value; /* a write's value; a read's answer */
};

typedef enum emul_result (*sysreg_handler_fn)(struct vcpu *v, struct sysreg_access *a);

struct sysreg_handler {
    uint32_t key, mask;
    sysreg_handler_fn handle;
    const char *name;
};

#define EMUL_MAX_SYSREG 32
/* A device's table of n handlers, at boot, before any guest runs. */
int emul_sysreg_register(const struct sysreg_handler *h, unsigned n);

/* HVC and SMC calls, by their 16-bit immediate. The handler reads its
 * arguments from and writes its results to the vCPU's registers. */
typedef enum emul_result (*call_handler_fn)(struct vcpu *v);
enum emul_call_kind { EMUL_HVC, EMUL_SMC };
int emul_call_register(enum emul_call_kind kind, uint16_t imm, call_handler_fn fn);

/* The MMIO access v trapped on will be answered later (see EMUL_PENDING):
 * recorded now, from its syndrome. */
void emul_pend(struct vcpu *v);
/* A pending MMIO read or write is answered: a read's value goes to the
 * register the instruction named, the PC moves on, the vCPU runs again.
 * fault: the access failed after all (the guest gets the abort). Returns
 * false if v had nothing pending. */
bool emul_complete(struct vcpu *v, uint64_t value, bool fault);

/* For core/exit.c: what handles this system register / call. */
const struct sysreg_handler *emul_sysreg_find(uint32_t key);
call_handler_fn emul_call_find(enum emul_call_kind kind, uint16_t imm);

/* Forget every registration (host tests). */
void emul_reset_registrations(void);

#endif
