/* The fake architecture: everything the guest-facing code calls below
 * itself, on the host (see fake.h). Safe to call from several host
 * threads: shared records are atomics or under one mutex. */
#define _GNU_SOURCE
#include "fake.h"

#include <asm/cache.h>
#include <asm/esr.h>
#include <asm/guest_mem.h>
#include <asm/stage2.h>
#include <asm/cpufeature.h>
#include <asm/vcpu_arch.h>
#include <asm/vtimer.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/errno.h>
#include <xam/exit.h>
#include <xam/gic.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/memory.h>
#include <xam/sched.h>
#include <xam/shutdown.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#endif
#ifdef FAKE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

_Static_assert(__builtin_offsetof(struct vcpu, arch) == 0, "struct vcpu starts with its vcpu_arch");

static pthread_mutex_t fake_mutex = PTHREAD_MUTEX_INITIALIZER;
#define LOCKED(...)                                                                                                    \
    do {                                                                                                               \
        pthread_mutex_lock(&fake_mutex);                                                                               \
        __VA_ARGS__;                                                                                                   \
        pthread_mutex_unlock(&fake_mutex);                                                                             \
    } while (0)

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fake arch: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fake_log_dump();
    abort();
}

/* ---- CPUs ---- */

struct pcpu pcpus[NR_CPUS];
unsigned nr_pcpus;
__thread unsigned fake_this_cpu;
__thread bool fake_irqs_masked;
__thread unsigned fake_locks_held;
__thread char fake_thread_token;

struct fake_cpu {
    struct fake_timer timer;
    unsigned sgis[16];
    bool lines[NR_INTIDS];
    unsigned raised[8];
    unsigned nr_raised;
    unsigned entries;
    struct vcpu *loaded;
    /* vGIC hardware */
    struct fake_lr lrs[FAKE_MAX_LRS];
    unsigned lr_writes;
    bool vgic_on, vgic_underflow;
    struct vcpu *vgic_loaded;
};
static struct fake_cpu cpus[NR_CPUS];
static volatile uint64_t irq_handle_calls, arch_resets;

void fake_set_cpu(unsigned cpu)
{
    if (cpu >= NR_CPUS)
        die("no CPU %u", cpu);
    fake_this_cpu = cpu;
}

void fake_cpu_relax(void) { sched_yield(); }

void fake_lock_recursion(spinlock_t *l)
{
    die("CPU%u takes a spinlock (%p) it already holds: it would hang", fake_this_cpu, (void *)l);
}

/* ---- time ---- */

volatile uint64_t fake_counter;
volatile uint64_t fake_counter_step;

void fake_counter_set(uint64_t v) { __atomic_store_n(&fake_counter, v, __ATOMIC_RELEASE); }
void fake_counter_advance(uint64_t t) { __atomic_add_fetch(&fake_counter, t, __ATOMIC_ACQ_REL); }
void fake_counter_moves(uint64_t step) { __atomic_store_n(&fake_counter_step, step, __ATOMIC_RELEASE); }
uint64_t counter_freq(void) { return FAKE_COUNTER_HZ; }
uint64_t us_to_ticks(uint64_t us) { return us * (FAKE_COUNTER_HZ / 1000000); }
int timer_init(const struct hostdt_timer *t __unused) { return 0; }
void timer_cpu_init(void) {}

void timer_set_deadline(uint64_t deadline, timer_fn fn)
{
    struct fake_timer *t = &cpus[fake_this_cpu].timer;
    t->armed = true;
    t->deadline = deadline;
    t->fn = fn;
    t->sets++;
}

void timer_cancel(void)
{
    struct fake_timer *t = &cpus[fake_this_cpu].timer;
    t->armed = false;
    t->cancels++;
}

int64_t timer_selftest(uint64_t us, bool may_sleep __unused) { return (int64_t)us; }

const struct fake_timer *fake_timer(unsigned cpu) { return &cpus[cpu].timer; }

bool fake_timer_fire(unsigned cpu)
{
    struct fake_timer *t = &cpus[cpu].timer;
    if (!t->armed)
        return false;
    t->armed = false;
    unsigned saved = fake_this_cpu;
    fake_this_cpu = cpu;
    if (t->fn)
        t->fn();
    fake_this_cpu = saved;
    return true;
}

/* ---- interrupts ---- */

static struct {
    irq_handler_t fn;
    void *arg;
} handlers[NR_INTIDS];

int irq_register(unsigned intid, irq_handler_t fn, void *arg)
{
    if (intid >= NR_INTIDS || !fn)
        return -XAM_EINVAL;
    if (handlers[intid].fn && handlers[intid].fn != fn)
        return -XAM_EBUSY;
    handlers[intid].fn = fn;
    handlers[intid].arg = arg;
    return 0;
}

/* The host GIC, as far as guest-facing code asks: how many lines it has
 * (a host with the most a GIC can have, so every INTID a domain may name
 * exists). Interrupt lines themselves are the irq_*_line() below. */
static unsigned fake_gic_nr_lines(void) { return NR_INTIDS; }
static const struct gic_ops fake_gic_ops = { .name = "fake GIC", .nr_lines = fake_gic_nr_lines };

const struct gic_ops *gic(void) { return &fake_gic_ops; }

void irq_enable_line(unsigned intid)
{
    if (intid < NR_INTIDS)
        cpus[fake_this_cpu].lines[intid] = true;
}

void irq_disable_line(unsigned intid)
{
    if (intid < NR_INTIDS)
        cpus[fake_this_cpu].lines[intid] = false;
}

static void (*sgi_hook)(unsigned cpu, unsigned sgi);

void fake_sgi_hook(void (*fn)(unsigned cpu, unsigned sgi)) { sgi_hook = fn; }

void irq_send_sgi(unsigned cpu, enum sgi sgi)
{
    if (cpu >= nr_pcpus || (unsigned)sgi >= 16)
        die("SGI %u to CPU %u (of %u)", (unsigned)sgi, cpu, nr_pcpus);
    if (sgi_hook)
        sgi_hook(cpu, (unsigned)sgi);
    __atomic_add_fetch(&cpus[cpu].sgis[sgi], 1, __ATOMIC_RELAXED);
}

void irq_handle(struct cpu_regs *regs __unused)
{
    __atomic_add_fetch(&irq_handle_calls, 1, __ATOMIC_RELAXED);
    struct fake_cpu *c = &cpus[fake_this_cpu];
    while (c->nr_raised) {
        unsigned intid = c->raised[--c->nr_raised];
        if (handlers[intid].fn)
            handlers[intid].fn(intid, handlers[intid].arg);
        else
            log_warn("CPU%u: interrupt %u has no handler", fake_this_cpu, intid);
    }
}

unsigned fake_sgis(unsigned cpu, unsigned sgi) { return __atomic_load_n(&cpus[cpu].sgis[sgi], __ATOMIC_RELAXED); }

unsigned fake_sgis_total(void)
{
    unsigned n = 0;
    for (unsigned c = 0; c < NR_CPUS; c++)
        for (unsigned s = 0; s < 16; s++)
            n += fake_sgis(c, s);
    return n;
}

bool fake_line_enabled(unsigned cpu, unsigned intid) { return intid < NR_INTIDS && cpus[cpu].lines[intid]; }
bool fake_irq_registered(unsigned intid) { return intid < NR_INTIDS && handlers[intid].fn; }
unsigned fake_irq_handle_calls(void) { return (unsigned)irq_handle_calls; }

void fake_irq_raise(unsigned intid)
{
    struct fake_cpu *c = &cpus[fake_this_cpu];
    if (intid >= NR_INTIDS || c->nr_raised == ARRAY_SIZE(c->raised))
        die("cannot raise interrupt %u", intid);
    c->raised[c->nr_raised++] = intid;
}

/* ---- memory ---- */

#define CANARY 0xc5
#define TAIL_GUARD 64

struct block {
    struct block *next;
    void *base; /* from aligned_alloc */
    paddr_t pa; /* what memory_alloc returned */
    uint64_t size, head; /* head: guard bytes before pa */
};
static struct block *blocks;
static unsigned nr_blocks, nr_allocs, fail_at;
static uint64_t nr_bytes;
static paddr_t pool_base;
static uint64_t pool_size;
static uint8_t *pool_claimed;

/* Whether [p, p+n) is all CANARY (a word at a time: this runs for every
 * block at every check, in fuzzers too). */
static bool intact(const uint8_t *p, uint64_t n)
{
    static const uint8_t ref[256] = { [0 ... 255] = CANARY };
    for (uint64_t at = 0; at < n; at += sizeof(ref))
        if (memcmp(p + at, ref, MIN(sizeof(ref), n - at)))
            return false;
    return true;
}

static void check_guard(const struct block *b)
{
    uint8_t *p = b->base, *tail = (uint8_t *)(uintptr_t)b->pa + b->size;
    UNPOISON(p, b->head);
    UNPOISON(tail, TAIL_GUARD);
    if (!intact(p, b->head))
        die("bytes below block 0x%llx (size 0x%llx) overwritten", (unsigned long long)b->pa,
            (unsigned long long)b->size);
    if (!intact(tail, TAIL_GUARD))
        die("bytes past the end of block 0x%llx (size 0x%llx) overwritten", (unsigned long long)b->pa,
            (unsigned long long)b->size);
    POISON(p, b->head);
    POISON(tail, TAIL_GUARD);
}

int memory_alloc(uint64_t size, uint64_t align, paddr_t *pa)
{
    if (!size || !align || (align & (align - 1)))
        die("memory_alloc(0x%llx, 0x%llx)", (unsigned long long)size, (unsigned long long)align);
    bool fail = false;
    LOCKED(if (fail_at && --fail_at == 0) fail = true);
    if (fail)
        return -XAM_ENOMEM;
    uint64_t head = MAX(align, (uint64_t)TAIL_GUARD);
    uint64_t total = ALIGN_UP(head + size + TAIL_GUARD, align);
    void *base = aligned_alloc(align, total);
    struct block *b = malloc(sizeof(*b));
    if (!base || !b)
        die("host out of memory (0x%llx bytes)", (unsigned long long)total);
    memset(base, CANARY, head);
    memset((uint8_t *)base + head + size, CANARY, total - head - size);
    b->base = base;
    b->pa = (paddr_t)(uintptr_t)base + head;
    b->size = size;
    b->head = head;
    /* the block's own bytes are not zeroed: the code must not rely on it */
    memset((void *)(uintptr_t)b->pa, 0xa5, size);
    POISON(base, head);
    POISON((uint8_t *)(uintptr_t)b->pa + size, TAIL_GUARD);
    LOCKED(b->next = blocks; blocks = b; nr_blocks++; nr_allocs++; nr_bytes += size);
    *pa = b->pa;
    return 0;
}

int memory_alloc_guest_page(paddr_t *pa)
{
    int rc = memory_alloc(PAGE_SIZE, PAGE_SIZE, pa);
    if (rc == 0)
        ram_scrub((void *)(uintptr_t)*pa, PAGE_SIZE);
    return rc;
}

void memory_free(paddr_t pa, uint64_t size)
{
    struct block *b = NULL;
    LOCKED(for (struct block **p = &blocks; *p; p = &(*p)->next) if ((*p)->pa == pa) {
        b = *p;
        if (b->size == size) {
            *p = b->next;
            nr_blocks--;
            nr_bytes -= size;
        }
        break;
    });
    if (!b)
        die("memory_free(0x%llx, 0x%llx): not an allocated block (a double free?)", (unsigned long long)pa,
            (unsigned long long)size);
    if (b->size != size)
        die("memory_free(0x%llx, 0x%llx): the block has size 0x%llx", (unsigned long long)pa, (unsigned long long)size,
            (unsigned long long)b->size);
    check_guard(b);
    UNPOISON(b->base, b->head + b->size + TAIL_GUARD);
    free(b->base);
    free(b);
}

int memory_claim(paddr_t pa, uint64_t size)
{
    if (!size || pa < pool_base || pa - pool_base > pool_size || size > pool_size - (pa - pool_base) ||
        !IS_ALIGNED(pa | size, PAGE_SIZE))
        return -XAM_EBUSY;
    int rc = 0;
    LOCKED(for (uint64_t p = pa; p < pa + size; p += PAGE_SIZE) if (pool_claimed[(p - pool_base) / PAGE_SIZE]) rc =
               -XAM_EBUSY;
           for (uint64_t p = pa; !rc && p < pa + size; p += PAGE_SIZE) pool_claimed[(p - pool_base) / PAGE_SIZE] = 1);
    return rc;
}

/* Guest RAM made ready on first touch: the real allocator reads only the
 * block's ends now (nothing to model here: fake_mem_hole is set after). */
int memory_alloc_lazy(uint64_t size, uint64_t align, paddr_t *pa) { return memory_alloc(size, align, pa); }

static paddr_t hole_pa;
static uint64_t hole_size;
static unsigned nr_checks;

void fake_mem_hole(paddr_t pa, uint64_t size) { LOCKED(hole_pa = pa; hole_size = size); }
unsigned fake_mem_checks(void) { return __atomic_load_n(&nr_checks, __ATOMIC_RELAXED); }

int memory_check(paddr_t pa, uint64_t size, paddr_t *bad, uint64_t *bad_size)
{
    paddr_t s, e;
    LOCKED(nr_checks++; s = MAX(pa, hole_pa); e = MIN(pa + size, hole_pa + hole_size));
    if (s >= e)
        return 0;
    *bad = s;
    *bad_size = e - s;
    return -XAM_EIO;
}

void fake_mem_static_pool(paddr_t pa, uint64_t size)
{
    free(pool_claimed);
    pool_base = pa;
    pool_size = size;
    pool_claimed = calloc(size / PAGE_SIZE + 1, 1);
}

unsigned fake_mem_blocks(void) { return __atomic_load_n(&nr_blocks, __ATOMIC_RELAXED); }
uint64_t fake_mem_bytes(void) { return __atomic_load_n(&nr_bytes, __ATOMIC_RELAXED); }
unsigned fake_mem_allocs(void) { return __atomic_load_n(&nr_allocs, __ATOMIC_RELAXED); }
void fake_mem_fail_at(unsigned n) { LOCKED(fail_at = n); }

void fake_mem_check(void) { LOCKED(for (struct block *b = blocks; b; b = b->next) check_guard(b)); }

/* ---- caches, stage 2 ---- */

void dcache_clean_range(const void *start __unused, size_t size __unused) {}
void dcache_clean_inval_range(const void *start __unused, size_t size __unused) {}
void dcache_inval_range(const void *start __unused, size_t size __unused) {}
void icache_inval_all(void) {}
void icache_inval_all_is(void) {}
void ram_scrub(void *start, size_t size) { memset(start, 0, size); }
void ram_copy(void *dst, const void *src, size_t size) { memcpy(dst, src, size); }

static unsigned tlb_flushes[256];

unsigned stage2_ipa_bits(void) { return S2_IPA_BITS; }

uint64_t stage2_vtcr(void)
{
    return (1ULL << 31) | (5ULL << 16) | (3ULL << 12) | (1ULL << 10) | (1ULL << 8) | (1ULL << 6) |
        (64 - stage2_ipa_bits());
}

uint64_t stage2_vttbr(const struct stage2 *s2) { return (uint64_t)s2->vmid << 48 | (uint64_t)(uintptr_t)s2->pt.root; }

void stage2_flush_tlb(const struct stage2 *s2)
{
    __atomic_add_fetch(&tlb_flushes[s2->vmid & 0xff], 1, __ATOMIC_RELAXED);
}

unsigned fake_tlb_flushes(uint16_t vmid) { return tlb_flushes[vmid & 0xff]; }

/* ---- guest memory: the guest's virtual address taken as its IPA ---- */

static int copy(struct vcpu *v, uint64_t gva, void *buf, size_t len, bool write)
{
    char *b = buf;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        void *p = domain_ram_ptr(v->dom, gva, chunk);
        if (!p)
            return -XAM_EFAULT;
        if (write)
            memcpy(p, b, chunk);
        else
            memcpy(b, p, chunk);
        gva += chunk;
        b += chunk;
        len -= chunk;
    }
    return 0;
}

int guest_copy_from(struct vcpu *v, void *dst, uint64_t gva, size_t len) { return copy(v, gva, dst, len, false); }

int guest_copy_to(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy(v, gva, (void *)(uintptr_t)src, len, true);
}

bool guest_abort_ipa(struct vcpu *v, paddr_t *ipa)
{
    *ipa = esr_fault_ipa(v->arch.hpfar, v->arch.far);
    return true;
}

/* ---- vCPU context ---- */

/* The real reset (asm/vcpu_arch.h), counted. */
void vcpu_arch_reset(struct vcpu *v, paddr_t entry, uint64_t x0)
{
    vcpu_arch_reset_state(&v->arch, entry, x0, v->id);
    __atomic_add_fetch(&arch_resets, 1, __ATOMIC_RELAXED);
}

/* The fake CPU's EL1 registers are the vCPU's struct itself. */
void vcpu_arch_load(struct vcpu *v)
{
    struct fake_cpu *c = &cpus[fake_this_cpu];
    if (c->loaded)
        die("CPU%u: vCPU loaded over another", fake_this_cpu);
    c->loaded = v;
    vgic_hw_load(v);
}

static void (*save_hook)(struct vcpu *v, void *arg);
static void *save_hook_arg;

void fake_on_save(void (*fn)(struct vcpu *v, void *arg), void *arg)
{
    save_hook = fn;
    save_hook_arg = arg;
}

void vcpu_arch_save(struct vcpu *v)
{
    struct fake_cpu *c = &cpus[fake_this_cpu];
    if (c->loaded != v)
        die("CPU%u: saving a vCPU it has not loaded", fake_this_cpu);
    if (save_hook)
        save_hook(v, save_hook_arg);
    vgic_hw_save(v);
    c->loaded = NULL;
}

#define MAX_SCRIPT 256
static struct fake_exit script[MAX_SCRIPT];
static unsigned nr_script;
static __thread jmp_buf *idle_jmp;
static __thread unsigned run_budget, run_entries;

void fake_push_exit(const struct fake_exit *e)
{
    bool ok = false;
    LOCKED(if (nr_script < MAX_SCRIPT) {
        script[nr_script++] = *e;
        ok = true;
    });
    if (!ok)
        die("too many scripted exits");
}

unsigned fake_exits_queued(void) { return nr_script; }
void fake_exits_clear(void) { LOCKED(nr_script = 0); }

static void (*enter_hook)(struct vcpu *v, void *arg);
static void *enter_hook_arg;

void fake_on_enter(void (*fn)(struct vcpu *v, void *arg), void *arg)
{
    enter_hook = fn;
    enter_hook_arg = arg;
}

void vcpu_arch_enter(struct vcpu_arch *a)
{
    struct vcpu *v = (struct vcpu *)a;
    cpus[fake_this_cpu].entries++;
    if (enter_hook)
        enter_hook(v, enter_hook_arg);
    /* The scheduler's invariant: a guest is only entered with this CPU's
     * EL2 timer armed, else a guest that never traps keeps the CPU for
     * good (the time slice never ends). */
    if (idle_jmp && !cpus[fake_this_cpu].timer.armed)
        die("CPU%u enters %s vCPU%u with its EL2 timer off: nothing would end its time slice", fake_this_cpu,
            v->dom->name, v->id);
    if (idle_jmp && ++run_entries > run_budget)
        die("CPU%u: %s vCPU%u entered %u times without the CPU going idle", fake_this_cpu, v->dom->name, v->id,
            run_budget);
    struct fake_exit e = { 0 };
    bool found = false;
    LOCKED(for (unsigned i = 0; i < nr_script; i++) if (!script[i].v || script[i].v == v) {
        e = script[i];
        memmove(&script[i], &script[i + 1], (nr_script - i - 1) * sizeof(script[0]));
        nr_script--;
        found = true;
        break;
    });
    uint64_t ctl = a->sys.cntv_ctl;
    if (!found && (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK) &&
        counter_read() >= a->sys.cntv_cval + v->dom->cntvoff) {
        /* its virtual timer fires, as arch/arm64/vtimer.c takes it */
        a->sys.cntv_ctl |= CNT_CTL_IMASK;
        vcpu_inject_irq(v, VINTC_PPI_VTIMER);
        e.exit = GUEST_EXIT_IRQ;
        found = true;
    }
    if (!found) {
        /* nothing scripted: in a scheduler run the guest waits (WFI),
         * otherwise an interrupt with nothing pending */
        e.exit = idle_jmp ? GUEST_EXIT_SYNC : GUEST_EXIT_IRQ;
        e.esr = idle_jmp ? fake_esr_wfx(false) : 0;
    }
    for (unsigned i = 0; i < e.nr_regs && i < 4; i++)
        if (e.reg[i] < 31)
            a->regs.x[e.reg[i]] = e.val[i];
    a->exit = e.exit;
    a->esr = e.esr;
    a->far = e.far;
    a->hpfar = e.hpfar;
}

/* The real exception entry (asm/vcpu_arch.h), with the vCPU's saved EL1
 * registers as the live ones. */
void vcpu_arch_inject_dabt(struct vcpu_arch *a, uint64_t far, bool write)
{
    struct vcpu_el1_exception e = vcpu_arch_take_dabt(a, write, a->sys.vbar, a->sys.sctlr);
    a->sys.elr = e.elr;
    a->sys.spsr = e.spsr;
    a->sys.esr = e.esr;
    a->sys.far = far;
}

void vcpu_arch_inject_iabt(struct vcpu_arch *a)
{
    uint64_t far = a->regs.pc;
    struct vcpu_el1_exception e = vcpu_arch_take_iabt(a, a->sys.vbar, a->sys.sctlr);
    a->sys.elr = e.elr;
    a->sys.spsr = e.spsr;
    a->sys.esr = e.esr;
    a->sys.far = far;
}

void vcpu_arch_trap_wfx(struct vcpu_arch *a, bool trap)
{
    a->hcr = trap ? a->hcr | HCR_TWI | HCR_TWE : a->hcr & ~(HCR_TWI | HCR_TWE);
}

bool vcpu_arch_pc_in_vectors(const struct vcpu_arch *a)
{
    return a->regs.pc >= a->sys.vbar && a->regs.pc - a->sys.vbar < 0x800;
}

void vcpu_arch_inject_undef(struct vcpu_arch *a)
{
    struct vcpu_el1_exception e = vcpu_arch_take_undef(a, a->sys.vbar, a->sys.sctlr);
    a->sys.elr = e.elr;
    a->sys.spsr = e.spsr;
    a->sys.esr = e.esr;
}

/* ---- CPU features: the guests' view is whatever the test set ---- */
static struct idregs fake_idregs, fake_idregs_sve;
void fake_set_guest_idregs(const struct idregs *view, const struct idregs *sve)
{
    fake_idregs = *view;
    fake_idregs_sve = *sve;
}
const struct idregs *cpufeature_guest_idregs(bool sve) { return sve ? &fake_idregs_sve : &fake_idregs; }
uint64_t cpufeature_guest_hcr(void) { return 0; }

void fpsimd_save(struct fpsimd_state *s __unused) {}
void fpsimd_load(const struct fpsimd_state *s __unused) {}

unsigned fake_entries(unsigned cpu) { return cpus[cpu].entries; }
struct vcpu *fake_loaded(unsigned cpu) { return cpus[cpu].loaded; }
unsigned fake_arch_resets(void) { return (unsigned)arch_resets; }

void fake_trap(struct vcpu *v, uint64_t esr, paddr_t ipa)
{
    v->arch.exit = GUEST_EXIT_SYNC;
    v->arch.esr = esr;
    v->arch.far = ipa;
    v->arch.hpfar = fake_hpfar(ipa);
    vcpu_handle_exit(v);
}

/* ---- the scheduler loop, until idle ---- */

void fake_wfi(void)
{
    if (!idle_jmp)
        die("CPU%u: WFI outside fake_run_cpu()", fake_this_cpu);
    if (fake_locks_held)
        die("CPU%u: WFI holding %u spinlocks", fake_this_cpu, fake_locks_held);
    longjmp(*idle_jmp, 1);
}

unsigned fake_run_cpu(unsigned cpu, unsigned budget)
{
    jmp_buf jb;
    unsigned saved = fake_this_cpu;
    fake_set_cpu(cpu);
    run_budget = budget ? budget : 10000;
    run_entries = 0;
    idle_jmp = &jb;
    if (!setjmp(jb))
        sched_run();
    idle_jmp = NULL;
    fake_irqs_masked = false;
    fake_this_cpu = saved;
    return run_entries;
}

/* ---- the vGIC's hardware side ---- */

static unsigned vgic_version = 3, vgic_nr_lrs = 4;
static paddr_t vgic_gicv = 0x08040000;

void fake_vgic_config(unsigned version, unsigned nr_lrs, paddr_t gicv)
{
    vgic_version = version;
    vgic_nr_lrs = MIN(nr_lrs, (unsigned)FAKE_MAX_LRS);
    vgic_gicv = gicv;
}

int vgic_hw_init(const struct hostdt_gic *g)
{
    vgic_version = g->version;
    return 0;
}
bool vgic_hw_present(void) { return true; }
unsigned vgic_hw_version(void) { return vgic_version; }
paddr_t vgic_hw_gicv_base(void) { return vgic_gicv; }
void vgic_hw_load(struct vcpu *v) { cpus[fake_this_cpu].vgic_loaded = v; }
void vgic_hw_save(struct vcpu *v __unused) { cpus[fake_this_cpu].vgic_loaded = NULL; }
unsigned vgic_hw_nr_lrs(void) { return vgic_nr_lrs; }

static struct fake_lr *lr_checked(unsigned i)
{
    if (i >= vgic_nr_lrs)
        die("CPU%u: list register %u of %u", fake_this_cpu, i, vgic_nr_lrs);
    return &cpus[fake_this_cpu].lrs[i];
}

void vgic_hw_lr_write(unsigned i, unsigned intid, const struct vgic_lr_state *st)
{
    struct fake_lr *lr = lr_checked(i);
    if (intid >= 1020)
        die("list register %u: INTID %u", i, intid);
    lr->used = true;
    lr->intid = intid;
    lr->st = *st;
    cpus[fake_this_cpu].lr_writes++;
}

void vgic_hw_lr_read(unsigned i, bool *pending, bool *active)
{
    struct fake_lr *lr = lr_checked(i);
    *pending = lr->used && lr->st.pending;
    *active = lr->used && lr->st.active;
}

void vgic_hw_lr_clear(unsigned i)
{
    struct fake_lr *lr = lr_checked(i);
    memset(lr, 0, sizeof(*lr));
}

void vgic_hw_enable(bool underflow)
{
    cpus[fake_this_cpu].vgic_on = true;
    cpus[fake_this_cpu].vgic_underflow = underflow;
}

void vgic_hw_maintenance(void) {}

struct fake_lr *fake_lr(unsigned cpu, unsigned i) { return &cpus[cpu].lrs[i % FAKE_MAX_LRS]; }
unsigned fake_lr_writes(unsigned cpu) { return cpus[cpu].lr_writes; }

unsigned fake_lrs_used(unsigned cpu)
{
    unsigned n = 0;
    for (unsigned i = 0; i < FAKE_MAX_LRS; i++)
        n += cpus[cpu].lrs[i].used;
    return n;
}

bool fake_vgic_enabled(unsigned cpu, bool *underflow)
{
    if (underflow)
        *underflow = cpus[cpu].vgic_underflow;
    return cpus[cpu].vgic_on;
}

struct vcpu *fake_vgic_loaded(unsigned cpu) { return cpus[cpu].vgic_loaded; }

/* ---- the virtual timer (as arch/arm64/vtimer.c, on the saved state) ---- */

static unsigned vtimer_intid;

static void vtimer_irq(unsigned intid __unused, void *arg __unused)
{
    struct vcpu *v = this_cpu()->current;
    if (v) {
        v->arch.sys.cntv_ctl |= CNT_CTL_IMASK;
        vcpu_inject_irq(v, VINTC_PPI_VTIMER);
    }
}

int vtimer_init(unsigned host_virt_intid)
{
    vtimer_intid = host_virt_intid;
    return irq_register(vtimer_intid, vtimer_irq, NULL);
}

void vtimer_cpu_init(void)
{
    if (vtimer_intid)
        irq_enable_line(vtimer_intid);
}

uint64_t vtimer_deadline_loaded(struct vcpu *v, bool *due)
{
    uint64_t ctl = v->arch.sys.cntv_ctl;
    *due = false;
    if (!(ctl & CNT_CTL_ENABLE) || (ctl & CNT_CTL_IMASK))
        return 0;
    if (counter_read() >= v->arch.sys.cntv_cval + v->dom->cntvoff) {
        *due = true;
        return 0;
    }
    return v->arch.sys.cntv_cval + v->dom->cntvoff;
}

void vtimer_expire_saved(struct vcpu *v) { v->arch.sys.cntv_ctl |= CNT_CTL_IMASK; }

/* ---- the log ---- */

#define LOG_RING 4096
#define LOG_LINE 1100 /* a console piece of GUEST_CONSOLE_LINE_MAX and its prefix */
static struct {
    enum log_level level;
    char text[LOG_LINE];
} log_ring[LOG_RING];
static unsigned log_first, log_n; /* oldest index, lines kept */
static int log_echo = -1;

void log_msg(enum log_level level, const char *fmt, ...)
{
    char buf[LOG_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    LOCKED(unsigned at = (log_first + log_n) % LOG_RING; if (log_n == LOG_RING) log_first = (log_first + 1) % LOG_RING;
           else log_n++; log_ring[at].level = level; memcpy(log_ring[at].text, buf, sizeof(buf)));
    if (log_echo < 0) {
        const char *e = getenv("FAKE_LOG");
        log_echo = e && *e == '1';
    }
    if (log_echo)
        fprintf(stderr, "[CPU%u] %s%s\n", fake_this_cpu,
                level == LOG_ERR         ? "ERROR: "
                    : level == LOG_WARN  ? "WARNING: "
                    : level == LOG_DEBUG ? "(debug) "
                                         : "",
                buf);
}

/* A domain's console pieces (xam/log.h) made into the physical lines the
 * UART would show, each logged as "(name) text" (the mark included). */
static const void *open_line;
static char open_text[LOG_LINE];
static size_t open_len;

static void end_open_line(void)
{
    if (open_line)
        log_msg(LOG_INFO, "%.*s%c", (int)open_len, open_text, CONSOLE_CONTINUED_MARK);
    open_line = NULL;
}

static pthread_mutex_t piece_mutex = PTHREAD_MUTEX_INITIALIZER;

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    pthread_mutex_lock(&piece_mutex);
    if (open_line != line) {
        end_open_line();
        open_len = (size_t)snprintf(open_text, sizeof(open_text), "(%s) ", name);
    }
    size_t k = n < sizeof(open_text) - 1 - open_len ? n : sizeof(open_text) - 1 - open_len;
    memcpy(open_text + open_len, text, k);
    open_len += k;
    open_line = line;
    if (end == CONSOLE_PIECE_LINE) {
        log_msg(LOG_INFO, "%.*s", (int)open_len, open_text);
        open_line = NULL;
    } else if (end == CONSOLE_PIECE_CONTINUED) {
        end_open_line();
    }
    pthread_mutex_unlock(&piece_mutex);
}

/* The console's hold and transmit ring are common/log.c's (not built
 * here: the pieces above are printed at once); tests/unit/
 * test_console_hold.c and test_console_tx.c test them. */
uint64_t console_poll_deadline(void) { return UINT64_MAX; }
void console_poll(void) {}
bool console_idle_pump(void) { return false; }
void console_idle_leave(void) {}

void panic(const char *fmt, ...)
{
    char buf[LOG_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    die("panic: %s", buf);
}

size_t fake_log_guest_text(unsigned i)
{
    const char *l = fake_log_line(i), *t = l ? strstr(l, ") ") : NULL;
    if (!t)
        return 0;
    size_t n = strlen(t + 2);
    return n && t[2 + n - 1] == CONSOLE_CONTINUED_MARK ? n - 1 : n;
}

void fake_log_clear(void) { LOCKED(log_first = log_n = 0); }
unsigned fake_log_lines(void) { return log_n; }
const char *fake_log_line(unsigned i) { return i < log_n ? log_ring[(log_first + i) % LOG_RING].text : NULL; }
enum log_level fake_log_level(unsigned i) { return log_ring[(log_first + i) % LOG_RING].level; }

unsigned fake_log_count(const char *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < log_n; i++)
        n += strstr(fake_log_line(i), s) != NULL;
    return n;
}

const char *fake_log_find(const char *s)
{
    for (unsigned i = 0; i < log_n; i++)
        if (strstr(fake_log_line(i), s))
            return fake_log_line(i);
    return NULL;
}

void fake_log_dump(void)
{
    for (unsigned i = 0; i < log_n; i++)
        fprintf(stderr, "  log: %s\n", fake_log_line(i));
}

/* ---- power ---- */

static __thread jmp_buf *poweroff_jmp;
static volatile unsigned poweroffs;

void fake_poweroff_catch(jmp_buf *jb) { poweroff_jmp = jb; }
void fake_poweroff_uncatch(void) { poweroff_jmp = NULL; }
unsigned fake_poweroffs(void) { return poweroffs; }

void machine_poweroff(void)
{
    __atomic_add_fetch(&poweroffs, 1, __ATOMIC_RELAXED);
    if (fake_locks_held)
        die("CPU%u: machine_poweroff() holding %u spinlocks", fake_this_cpu, fake_locks_held);
    jmp_buf *jb = poweroff_jmp;
    if (!jb)
        die("CPU%u: machine_poweroff() and no test expected it", fake_this_cpu);
    poweroff_jmp = NULL;
    idle_jmp = NULL;
    fake_irqs_masked = false;
    longjmp(*jb, 1);
}

void machine_stop_after_crash(void) { die("machine_stop_after_crash()"); }

bool crash_enter(void) { return true; }

/* ---- a minimal interrupt controller ---- */

static volatile unsigned intc_releases;

static struct fake_intc *FI(struct domain *d) { return (struct fake_intc *)d->intc_state; }

static void fi_flush(struct vcpu *v)
{
    struct fake_intc *f = FI(v->dom);
    __atomic_add_fetch(&f->flushes, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&f->pending[v->id], 0, __ATOMIC_RELEASE); /* taken by the guest */
}

static void fi_sync(struct vcpu *v) { __atomic_add_fetch(&FI(v->dom)->syncs, 1, __ATOMIC_RELAXED); }

static bool fi_block(struct vcpu *v, void (*sleep)(struct vcpu *v))
{
    struct fake_intc *f = FI(v->dom);
    __atomic_add_fetch(&f->blocks, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&f->pending[v->id], __ATOMIC_ACQUIRE))
        return false;
    __atomic_add_fetch(&f->sleeps, 1, __ATOMIC_RELAXED);
    sleep(v);
    return true;
}

static void fi_inject(struct vcpu *v, unsigned intid)
{
    struct fake_intc *f = FI(v->dom);
    __atomic_add_fetch(&f->injects, 1, __ATOMIC_RELAXED);
    __atomic_or_fetch(&f->pending[v->id], 1ULL << (intid & 63), __ATOMIC_ACQ_REL);
    if (v->state == VCPU_BLOCKED)
        sched_wake(v);
    else if (v->state == VCPU_RUNNABLE && v->pcpu != this_cpu_id())
        sched_kick(v->pcpu);
}

static void fi_set_level(struct domain *d, unsigned intid, bool level)
{
    struct fake_intc *f = FI(d);
    if (intid < 32 || intid >= 96)
        die("set_level of INTID %u", intid);
    f->level_sets[intid - 32]++;
    if (level)
        __atomic_or_fetch(&f->level, 1ULL << (intid - 32), __ATOMIC_ACQ_REL);
    else
        __atomic_and_fetch(&f->level, ~(1ULL << (intid - 32)), __ATOMIC_ACQ_REL);
}

static void fi_release(struct domain *d)
{
    __atomic_add_fetch(&intc_releases, 1, __ATOMIC_RELAXED);
    memory_free((paddr_t)(uintptr_t)d->intc_state, sizeof(struct fake_intc));
}

static const struct vintc_ops fake_intc_ops = {
    .flush = fi_flush,
    .sync = fi_sync,
    .block = fi_block,
    .inject = fi_inject,
    .set_level = fi_set_level,
    .release = fi_release,
};

int fake_intc_attach(struct domain *d)
{
    paddr_t pa;
    int rc = memory_alloc(sizeof(struct fake_intc), 8, &pa);
    if (rc)
        return rc;
    memset((void *)(uintptr_t)pa, 0, sizeof(struct fake_intc));
    d->intc_state = (void *)(uintptr_t)pa;
    d->intc = &fake_intc_ops;
    return 0;
}

struct fake_intc *fake_intc(struct domain *d) { return d->intc == &fake_intc_ops ? FI(d) : NULL; }

unsigned fake_intc_releases(void) { return intc_releases; }

/* ---- set-up and teardown ---- */

void fake_reset(unsigned nr_cpus)
{
    if (nr_cpus == 0 || nr_cpus > NR_CPUS)
        die("fake_reset(%u)", nr_cpus);
    memset(cpus, 0, sizeof(cpus));
    memset(pcpus, 0, sizeof(pcpus));
    for (unsigned c = 0; c < NR_CPUS; c++) {
        pcpus[c].id = c;
        pcpus[c].mpidr = c;
        pcpus[c].online = c < nr_cpus;
    }
    nr_pcpus = nr_cpus;
    fake_this_cpu = 0;
    fake_irqs_masked = false;
    fake_counter_moves(0);
    fake_counter_set(0);
    memset(tlb_flushes, 0, sizeof(tlb_flushes));
    fake_exits_clear();
    fake_log_clear();
    vgic_version = 3;
    vgic_nr_lrs = 4;
    vgic_gicv = 0x08040000;
    fail_at = 0;
    hole_pa = hole_size = 0;
    sgi_hook = NULL;
    poweroff_jmp = NULL;
    save_hook = NULL;
    enter_hook = NULL;
}

/* Stop d, or run the jobs (d NULL), a poweroff caught. */
static void stop_caught(struct domain *d)
{
    jmp_buf jb;
    fake_poweroff_catch(&jb);
    if (!setjmp(jb)) {
        if (!d)
            domain_run_jobs();
        else if (d->state == DOMAIN_BUILDING)
            domain_abandon(d, "test teardown");
        else if (d->state == DOMAIN_RUNNING)
            domain_shutdown(d, "test teardown");
    }
    fake_poweroff_uncatch();
}

void fake_destroy_all_domains(void)
{
    /* a reset domain is rebuilt by the release job: stop it again */
    for (unsigned round = 0; round < 4; round++) {
        for (unsigned i = 0; i < nr_domains; i++)
            stop_caught(domains[i]);
        for (unsigned i = 0; i < nr_domains; i++)
            if (__atomic_load_n(&domains[i]->active, __ATOMIC_ACQUIRE))
                die("teardown: %s has %u vCPUs loaded", domains[i]->name, domains[i]->active);
        stop_caught(NULL);
    }
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->state != DOMAIN_DEAD)
            die("teardown: %s is %s, not stopped", d->name, domain_state_name(d->state));
        for (unsigned c = 0; c < NR_CPUS; c++)
            if (pcpus[c].current && pcpus[c].current->dom == d)
                pcpus[c].current = NULL;
        /* what the hypervisor keeps for its whole life (a domain's ioreq
         * pages, which a device model may map): only a test ends that */
        for (unsigned p = 0; p < IOREQ_MAX_SERVERS; p++)
            if (d->ioreq.pages[p])
                memory_free(d->ioreq.pages[p], PAGE_SIZE);
        memory_free((paddr_t)(uintptr_t)d->vcpus, ALIGN_UP(d->nr_vcpus * sizeof(struct vcpu), PAGE_SIZE));
        memory_free((paddr_t)(uintptr_t)d, ALIGN_UP(sizeof(struct domain), PAGE_SIZE));
        domains[i] = NULL;
    }
    nr_domains = 0;
}
