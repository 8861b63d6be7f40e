/* Virtual devices over the fake architecture, driven by the guest's data
 * aborts: the vPL011 (vdev/vpl011.c: every register, width and
 * alignment, the receive FIFO, interrupt mask and status and the level
 * given to the interrupt controller, the page its reads go to while no
 * input waits) and the PCI bridge (vdev/vpci_bridge.c:
 * ECAM and the readiness page, connected or not, the waiting word). */
#include "guest_env.h"
#include <xam/hypercall.h>
#include <xam/ioreq.h>
#include <xam/pci_bridge.h>
#include <xam/vpci_bridge.h>
#include <xam/domain_input.h>
#include <xam/vpl011.h>
#include <asm/stage2.h>

#define DR 0x000
#define FR 0x018
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)

static struct domain *dom;
static struct vcpu *v0;

/* The default layout (builder/domain_desc.c's pci_bridge_default). */
static int setup(void **state)
{
    (void)state;
    env_setup(2);
    env_keeper();
    dom = env_build("uart", 1, NULL, true);
    assert_int_equal(vpl011_attach(dom), 0);
    dom->has_bridge = true;
    env_default_bridge(&dom->bridge);
    assert_int_equal(vpci_bridge_attach(dom), 0);
    domain_start(dom, ENV_ENTRY, 0, false);
    v0 = &dom->vcpus[0];
    v0->arch.sys.vbar = 0x40000800;
    v0->arch.regs.pstate = 0x3c5;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

/* One access by vCPU 0; returns whether it was taken (PC moved on) rather
 * than refused (an abort injected at it). */
static bool access(paddr_t ipa, unsigned size, bool write, uint64_t *val)
{
    v0->arch.regs.pc = ENV_ENTRY;
    v0->arch.regs.x[1] = write ? *val : 0xdeadbeefdeadbeefULL;
    fake_trap(v0, fake_esr_dabt(size, write, 1, false, true), ipa);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    if (v0->arch.regs.pc == ENV_ENTRY + 4) {
        if (!write)
            *val = v0->arch.regs.x[1];
        return true;
    }
    assert_int_equal(v0->arch.regs.pc, 0x40000800 + 0x200);
    v0->arch.regs.pstate = 0x3c5;
    return false;
}

static uint64_t rd(uint64_t off)
{
    uint64_t val;
    assert_true(access(VPL011_BASE + off, 4, false, &val));
    return val;
}

static void wr(uint64_t off, uint64_t val) { assert_true(access(VPL011_BASE + off, 4, true, &val)); }

static bool level(void) { return (fake_intc(dom)->level >> (VPL011_SPI - 32)) & 1; }

static void uart_widths_and_alignment(void **state)
{
    (void)state;
    for (uint64_t off = 0; off < 0x50; off++) {
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t val = 0;
            bool aligned = (off & (size - 1)) == 0;
            bool ok = access(VPL011_BASE + off, size, false, &val);
            assert_int_equal(ok, aligned && size <= 4);
            val = 0;
            ok = access(VPL011_BASE + off, size, true, &val);
            assert_int_equal(ok, aligned && size <= 4);
        }
    }
    /* the end of the page, and past it: not the vPL011's */
    uint64_t val;
    assert_true(access(VPL011_BASE + VPL011_SIZE - 4, 4, false, &val));
    assert_int_equal(val, 0);
    assert_false(access(VPL011_BASE + VPL011_SIZE - 2, 4, false, &val));
    assert_true(access(VPL011_BASE + 0xfe0, 1, false, &val));
}

static void uart_output_lines(void **state)
{
    (void)state;
    fake_log_clear();
    const char *s = "hi\x1b[0m\n";
    for (const char *p = s; *p; p++) {
        uint64_t c = (unsigned char)*p | 0xab00; /* bits above the byte ignored */
        assert_true(access(VPL011_BASE + DR, 1 + (p - s) % 2, true, &c));
    }
    assert_int_equal(fake_log_lines(), 1);
    assert_string_equal(fake_log_line(0), "(uart) hi\\x1b[0m");
    assert_int_equal(rd(FR) & (FR_TXFE | FR_RXFE), FR_TXFE | FR_RXFE);
}

static void uart_receive_fifo(void **state)
{
    (void)state;
    assert_int_equal(rd(RIS), INT_TX);
    assert_int_equal(rd(MIS), 0);
    assert_false(level());
    /* TX unmasked: the line is up at once (the transmitter is always ready) */
    wr(IMSC, INT_TX);
    assert_true(level());
    assert_int_equal(rd(MIS), INT_TX);
    wr(IMSC, 0xffffffff);
    assert_int_equal(rd(IMSC), 0x7ff);
    wr(IMSC, INT_RX);
    assert_false(level());
    /* input: RX (and time-out) raised, the line follows the mask */
    for (unsigned i = 0; i < 32; i++)
        assert_true(vpl011_receive(dom, (char)('a' + i % 26)));
    assert_true(level());
    assert_int_equal(rd(RIS), INT_TX | INT_RX | INT_RT);
    assert_int_equal(rd(MIS), INT_RX);
    assert_int_equal(rd(FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
    /* full: refused (it waits in the domain's input), not queued */
    assert_false(vpl011_receive(dom, 'X'));
    assert_false(vpl011_receive(dom, 'Y'));
    for (unsigned i = 0; i < 32; i++) {
        uint64_t c;
        assert_true(access(VPL011_BASE + DR, 1 + 3 * (i % 2), false, &c));
        assert_int_equal(c, 'a' + i % 26);
    }
    assert_int_equal(rd(DR), 0); /* empty */
    assert_int_equal(rd(FR) & FR_RXFE, FR_RXFE);
    assert_int_equal(rd(RIS), INT_TX);
    assert_false(level());
    /* ICR and the ID registers: writes ignored, reads zero */
    wr(ICR, 0x7ff);
    assert_int_equal(rd(0xfe0), 0);
    /* wrapping the ring */
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 20; i++)
            vpl011_receive(dom, (char)i);
        for (unsigned i = 0; i < 20; i++)
            assert_int_equal(rd(DR), i);
    }
    assert_false(level());
    /* a domain without a vPL011 takes no input */
    struct domain *other = env_domain("none", 1, NULL, true);
    assert_false(vpl011_receive(other, 'x'));
}

/* The page stage 2 shows over the vPL011, read-only and never executable,
 * as the guest reads it (NULL: none, every access traps). */
static const uint32_t *shown(void)
{
    paddr_t pa;
    uint64_t attrs;
    if (!pt_lookup(&dom->s2.pt, VPL011_BASE, &pa, &attrs))
        return NULL;
    assert_false(attrs & S2_AP_W);
    assert_true(attrs & S2_XN);
    return (const uint32_t *)(uintptr_t)pa;
}

/* Every read from the page, of every width the emulation takes, is what
 * the emulation answers. */
static void shown_matches_the_emulation(void)
{
    const uint8_t *p = (const uint8_t *)shown();
    assert_non_null(p);
    for (unsigned off = 0; off < VPL011_SIZE; off++)
        for (unsigned size = 1; size <= 4 && !(off & (size - 1)); size *= 2) {
            uint64_t val = 0, want = 0;
            assert_true(access(VPL011_BASE + off, size, false, &val));
            memcpy(&want, p + off, size);
            assert_int_equal(val, want);
        }
}

/* While no input waits, reads have no side effect: the guest reads them
 * from a page, without a trap (Linux's console reads FR before each
 * character). Input takes the page away before it can be read (a read of
 * DR takes a character); the read that empties the FIFO, with nothing
 * more typed, brings it back, up to date. */
static void uart_reads_need_no_trap_while_no_input_waits(void **state)
{
    (void)state;
    shown_matches_the_emulation();
    assert_int_equal(shown()[FR / 4], FR_TXFE | FR_RXFE);
    /* a write still traps, and the page follows it (bits of the mask
     * above the first byte too) */
    wr(IMSC, 0x7ff);
    shown_matches_the_emulation();
    wr(IMSC, INT_TX | INT_RX);
    shown_matches_the_emulation();
    assert_int_equal(shown()[MIS / 4], INT_TX);
    assert_true(vpl011_receive(dom, 'a'));
    assert_null(shown());
    assert_int_equal(rd(FR) & FR_RXFE, 0);
    assert_int_equal(rd(DR), 'a');
    shown_matches_the_emulation();
    /* a paste: hidden until the last character is read */
    for (unsigned i = 0; i < 40; i++)
        domain_input_typed(dom, (char)('A' + i));
    for (unsigned i = 0; i < 40; i++) {
        assert_null(shown());
        assert_int_equal(rd(DR), 'A' + i);
    }
    shown_matches_the_emulation();
    assert_int_equal(shown()[RIS / 4], INT_TX);
    /* the page is the vPL011's alone: the rest of it reads zero */
    for (unsigned off = MIS + 4; off < VPL011_SIZE; off += 4)
        assert_int_equal(shown()[off / 4], 0);
}

/* A paste of 4 KiB typed for the domain at once: the FIFO takes 32, the
 * rest waits in the domain's input and comes in as the guest reads, every
 * character in order; only past DOMAIN_INPUT_SIZE waiting is anything
 * dropped, and then it is counted on the console. */
static void typed_input_waits_for_the_guest(void **state)
{
    (void)state;
    enum { PASTE = DOMAIN_INPUT_SIZE + 32 };
    for (unsigned i = 0; i < PASTE; i++)
        domain_input_typed(dom, (char)('!' + i % 90));
    assert_int_equal(domain_input_waiting(dom), PASTE - 32);
    assert_int_equal(fake_log_count("dropped"), 0);
    for (unsigned i = 0; i < PASTE; i++) {
        assert_int_equal(rd(FR) & FR_RXFE, 0);
        assert_int_equal(rd(DR), '!' + i % 90);
    }
    assert_int_equal(rd(FR) & FR_RXFE, FR_RXFE);
    assert_int_equal(domain_input_waiting(dom), 0);
    /* a guest that reads nothing: 32 + 4096 kept, the rest dropped, said
     * when it starts and, with the count, when a character fits again */
    for (unsigned i = 0; i < 32 + DOMAIN_INPUT_SIZE + 100; i++)
        domain_input_typed(dom, 'w');
    assert_int_equal(domain_input_waiting(dom), DOMAIN_INPUT_SIZE);
    assert_int_equal(fake_log_count("console: input for "), 1);
    assert_int_equal(fake_log_count("were dropped"), 0);
    assert_int_equal(rd(DR), 'w');
    domain_input_typed(dom, 'v');
    assert_non_null(fake_log_find("console: 100 characters typed for "));
    /* the domain stops: what waits was for its old life */
    domain_input_clear(dom);
    assert_int_equal(domain_input_waiting(dom), 0);
}

static void uart_overflow_counted(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 100; i++)
        vpl011_receive(dom, 'z');
    unsigned n = 0;
    while (rd(FR) & FR_RXFF || !(rd(FR) & FR_RXFE)) {
        assert_int_equal(rd(DR), 'z');
        n++;
        assert_true(n <= 32);
    }
    assert_int_equal(n, 32);
}

/* ---- the PCI bridge ---- */

static void ecam_reads_an_empty_bus(void **state)
{
    (void)state;
    paddr_t ecam = dom->bridge.ecam;
    static const uint64_t offs[] = { 0, 1, 2, 3, 4, 6, 0x100, 0xfff, 0x8000, PCI_BRIDGE_DEF_ECAM_SIZE - 4 };
    for (unsigned i = 0; i < ARRAY_SIZE(offs); i++)
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t val = 0;
            bool ok = access(ecam + offs[i], size, false, &val);
            bool fits = offs[i] + size <= PCI_BRIDGE_DEF_ECAM_SIZE;
            assert_int_equal(ok, fits && size <= 4 && (offs[i] & (size - 1)) == 0);
            if (ok)
                assert_int_equal(val, size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1);
            val = 0x1234;
            assert_int_equal(access(ecam + offs[i], size, true, &val), ok);
        }
}

static void readiness_page(void **state)
{
    (void)state;
    /* no device model at all: word 0 reads 0, so does word 1 (no wait) */
    for (uint64_t off = 0; off < 16; off++)
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t val = 0x55;
            bool ok = access(PCI_READY_BASE + off, size, false, &val);
            assert_int_equal(ok, (off & (size - 1)) == 0);
            if (ok)
                assert_int_equal(val, 0);
            assert_int_equal(access(PCI_READY_BASE + off, size, true, &val), ok);
        }
    uint64_t val;
    assert_true(access(PCI_READY_BASE + PCI_READY_SIZE - 8, 8, false, &val));
    assert_int_equal(val, 0);
}

/* A device model connects a client that reads word 1 first, then polls
 * word 0. */
static void readiness_with_a_device_model(void **state)
{
    (void)state;
    assert_int_equal(hypercall_init(), 0);
    struct domain *dm = env_domain("dm", 1, NULL, true);
    struct domain *c = env_build("client", 2, NULL, true);
    c->device_model = dm;
    c->has_bridge = true;
    env_default_bridge(&c->bridge);
    assert_int_equal(vpci_bridge_attach(c), 0);
    domain_start(c, ENV_ENTRY, 0, false);
    struct vcpu *cv = &c->vcpus[0];
    /* word 0 polls: 0 */
    cv->arch.regs.x[2] = 0x77;
    fake_trap(cv, fake_esr_dabt(4, false, 2, false, false), PCI_READY_BASE);
    assert_int_equal(cv->arch.regs.x[2], 0);
    /* word 1 waits; a byte of it does not */
    fake_trap(cv, fake_esr_dabt(1, false, 2, false, false), PCI_READY_BASE + 4);
    assert_int_equal(cv->state, VCPU_RUNNABLE);
    uint64_t pc = cv->arch.regs.pc;
    fake_trap(cv, fake_esr_dabt(4, false, 3, false, false), PCI_READY_BASE + 4);
    assert_int_equal(cv->state, VCPU_WAITING);
    assert_int_equal(cv->arch.regs.pc, pc);
    /* the device model connects */
    uint16_t id;
    assert_int_equal(ioreq_create(c, dm, &id), 0);
    assert_int_equal(ioreq_set_state(c, id, true), 0);
    assert_int_equal(cv->state, VCPU_RUNNABLE);
    cv->arch.regs.x[3] = 0x99;
    assert_true(vcpu_run(cv));
    assert_int_equal(cv->arch.regs.x[3], 1);
    assert_int_equal(cv->arch.regs.pc, pc + 4);
    /* connected: both words read 1 at once */
    fake_trap(cv, fake_esr_dabt(4, false, 2, false, false), PCI_READY_BASE);
    assert_int_equal(cv->arch.regs.x[2], 1);
    fake_trap(cv, fake_esr_dabt(4, false, 2, false, false), PCI_READY_BASE + 4);
    assert_int_equal(cv->arch.regs.x[2], 1);
    assert_int_equal(cv->state, VCPU_RUNNABLE);
    fake_trap(cv, fake_esr_dabt(4, false, 2, false, false), PCI_READY_BASE + 8);
    assert_int_equal(cv->arch.regs.x[2], 0);
    /* disconnected again: a waiter is answered 0 when the device model stops */
    assert_int_equal(ioreq_set_state(c, id, false), 0);
    struct vcpu *cv1 = &c->vcpus[1];
    assert_int_equal(vcpu_on(cv1, ENV_ENTRY, 0), 0);
    fake_trap(cv1, fake_esr_dabt(4, false, 5, false, false), PCI_READY_BASE + 4);
    assert_int_equal(cv1->state, VCPU_WAITING);
    domain_shutdown(dm, "stopped by the test");
    assert_int_equal(c->state, DOMAIN_RUNNING);
    assert_int_equal(cv1->state, VCPU_RUNNABLE);
    cv1->arch.regs.x[5] = 0x99;
    assert_true(vcpu_run(cv1));
    assert_int_equal(cv1->arch.regs.x[5], 0);
    /* and with its device model gone, word 1 no longer waits */
    fake_trap(cv1, fake_esr_dabt(4, false, 5, false, false), PCI_READY_BASE + 4);
    assert_int_equal(cv1->state, VCPU_RUNNABLE);
}

/* A direct-mapped domain's vPL011 is at the host console UART's address
 * and raises the UART's interrupt (the layout the builder gives it). */
static void uart_follows_the_layout(void **state)
{
    (void)state;
    struct domain *keep = dom;
    struct vcpu *keep_v = v0;
    dom = env_build("direct", 1, NULL, true);
    dom->layout.uart = 0x9000000;
    dom->layout.uart_intid = 33;
    assert_int_equal(vpl011_attach(dom), 0);
    domain_start(dom, ENV_ENTRY, 0, false);
    v0 = &dom->vcpus[0];
    v0->arch.sys.vbar = 0x40000800;
    v0->arch.regs.pstate = 0x3c5;
    uint64_t val = 0;
    assert_true(access(0x9000000 + FR, 4, false, &val));
    assert_true(val & FR_RXFE);
    assert_null(emul_mmio_find(&dom->mmio, VPL011_BASE)); /* nothing at the guest map's */
    val = INT_RX;
    assert_true(access(0x9000000 + IMSC, 4, true, &val));
    assert_true(vpl011_receive(dom, 'x'));
    assert_int_equal(fake_intc(dom)->level & 3, 2); /* INTID 33, not 32 */
    assert_true(access(0x9000000 + DR, 4, false, &val));
    assert_int_equal(val & 0xff, 'x');
    assert_int_equal(fake_intc(dom)->level & 3, 0);
    dom = keep;
    v0 = keep_v;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(uart_widths_and_alignment, setup, teardown),
        ENV_TEST(uart_output_lines, setup, teardown),
        ENV_TEST(uart_receive_fifo, setup, teardown),
        ENV_TEST(typed_input_waits_for_the_guest, setup, teardown),
        ENV_TEST(uart_reads_need_no_trap_while_no_input_waits, setup, teardown),
        ENV_TEST(uart_overflow_counted, setup, teardown),
        ENV_TEST(uart_follows_the_layout, setup, teardown),
        ENV_TEST(ecam_reads_an_empty_bus, setup, teardown),
        ENV_TEST(readiness_page, setup, teardown),
        ENV_TEST(readiness_with_a_device_model, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
