/* A guest's virtio-console through its device model (core/dm_console.c and
 * dm_op's XAM_DMOP_console_write/read): what the device model hands over
 * becomes the guest's own console lines, typed input waits for it, and
 * nobody but the guest's device model gets either. */
#include "guest_env.h"
#include <xam/dm_console.h>
#include <xam/domain_input.h>
#include <xam/hypercall.h>
#include <xam/xen_abi.h>

#define BUF (ENV_RAM + 0x1000) /* the dm_op buffers */
#define OP (ENV_RAM + 0x2000) /* struct xen_dm_op */
#define DATA (ENV_RAM + 0x3000) /* the bytes */

static struct domain *dm, *guest, *other;

static int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (int64_t)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, a2, 0);
}

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(hypercall_init(), 0);
    env_keeper();
    dm = env_domain("dm", 1, NULL, true);
    other = env_domain("other", 1, NULL, true);
    guest = env_build("guest", 1, NULL, true);
    guest->device_model = dm;
    domain_start(guest, ENV_ENTRY, 0, false);
    dm_console_attach(guest);
    fake_log_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

/* dm_op(guest, 2 buffers) from `from` with len bytes at DATA (room for
 * size); returns the result, *out the length it wrote back. */
static int64_t console_op(struct domain *from, uint32_t op, uint32_t len, uint64_t size, uint32_t *out)
{
    struct xen_dm_op_buf *b = env_guest(from, BUF, 2 * sizeof(*b));
    struct xen_dm_op *o = env_guest(from, OP, sizeof(*o));
    b[0] = (struct xen_dm_op_buf){ OP, sizeof(*o) };
    b[1] = (struct xen_dm_op_buf){ DATA, size };
    *o = (struct xen_dm_op){ .op = op };
    o->u.console_io.len = len;
    int64_t rc = hcall(&from->vcpus[0], __HYPERVISOR_dm_op, guest->id, 2, BUF);
    if (out)
        *out = o->u.console_io.len;
    return rc;
}

static void output_becomes_the_guests_lines(void **state)
{
    (void)state;
    memcpy(env_guest(dm, DATA, 32), "hello\nworld\n(dm) forged\n", 24);
    assert_int_equal(console_op(dm, XAM_DMOP_console_write, 24, 64, NULL), 0);
    assert_int_equal(fake_log_lines(), 3);
    assert_string_equal(fake_log_line(0), "(guest) hello");
    assert_string_equal(fake_log_line(1), "(guest) world");
    /* the bytes are the guest's: a line of them cannot pass for another's */
    assert_string_equal(fake_log_line(2), "(guest) (dm) forged");
    /* more than one chunk at a time, up to the limit */
    char *p = env_guest(dm, DATA, XAM_DMOP_CONSOLE_MAX);
    memset(p, 'x', XAM_DMOP_CONSOLE_MAX);
    p[XAM_DMOP_CONSOLE_MAX - 1] = '\n';
    fake_log_clear();
    assert_int_equal(console_op(dm, XAM_DMOP_console_write, XAM_DMOP_CONSOLE_MAX, XAM_DMOP_CONSOLE_MAX, NULL), 0);
    size_t total = 0;
    for (unsigned i = 0; i < fake_log_lines(); i++)
        total += fake_log_guest_text(i);
    assert_int_equal(total, XAM_DMOP_CONSOLE_MAX - 1);
}

static void input_waits_for_the_device_model(void **state)
{
    (void)state;
    uint32_t n = 99;
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 16, 16, &n), 0);
    assert_int_equal(n, 0);
    for (const char *s = "ls -l\r"; *s; s++)
        assert_true(dm_console_receive(guest, *s));
    memset(env_guest(dm, DATA, 16), 0, 16);
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 3, 16, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(env_guest(dm, DATA, 3), "ls ", 3);
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 16, 16, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(env_guest(dm, DATA, 3), "-l\r", 3);
    /* a flood nobody takes: kept up to the buffer, the rest refused (it
     * waits in the domain's input, test_vdev's console_input_waits) */
    unsigned taken = 0;
    for (unsigned i = 0; i < 3 * DM_CONSOLE_IN_SIZE; i++)
        taken += dm_console_receive(guest, 'a');
    assert_int_equal(taken, DM_CONSOLE_IN_SIZE);
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 1024, 1024, &n), 0);
    assert_int_equal(n, 256); /* a chunk a call */
    /* a paste: what the device model's 256 do not hold waits in the
     * guest's input and comes as the device model takes the earlier */
    dm_console_attach(guest);
    for (unsigned i = 0; i < 1000; i++)
        domain_input_typed(guest, (char)('a' + i % 26));
    assert_int_equal(domain_input_waiting(guest), 1000 - DM_CONSOLE_IN_SIZE);
    unsigned got = 0;
    for (unsigned round = 0; got < 1000; round++) {
        assert_true(round < 10);
        assert_int_equal(console_op(dm, XAM_DMOP_console_read, 1024, 1024, &n), 0);
        assert_true(n > 0);
        const char *p = env_guest(dm, DATA, n);
        for (uint32_t i = 0; i < n; i++, got++)
            assert_int_equal(p[i], 'a' + got % 26);
    }
    assert_int_equal(got, 1000);
    assert_int_equal(domain_input_waiting(guest), 0);
    /* a new life starts empty */
    dm_console_attach(guest);
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 16, 16, &n), 0);
    assert_int_equal(n, 0);
}

static void only_its_device_model_and_well_formed(void **state)
{
    (void)state;
    memcpy(env_guest(other, DATA, 8), "forged\n", 7);
    assert_int_equal(console_op(other, XAM_DMOP_console_write, 7, 8, NULL), -XAM_EPERM);
    assert_true(dm_console_receive(guest, 'q'));
    assert_int_equal(console_op(other, XAM_DMOP_console_read, 8, 8, NULL), -XAM_EPERM);
    assert_int_equal(console_op(guest, XAM_DMOP_console_read, 8, 8, NULL), -XAM_EPERM); /* not its own */
    /* lengths past the buffer or the limit, a buffer outside RAM, one
     * buffer only */
    assert_int_equal(console_op(dm, XAM_DMOP_console_write, 9, 8, NULL), -XAM_EINVAL);
    assert_int_equal(console_op(dm, XAM_DMOP_console_write, XAM_DMOP_CONSOLE_MAX + 1, ~0ULL, NULL), -XAM_EINVAL);
    struct xen_dm_op_buf *b = env_guest(dm, BUF, 2 * sizeof(*b));
    struct xen_dm_op *o = env_guest(dm, OP, sizeof(*o));
    b[0] = (struct xen_dm_op_buf){ OP, sizeof(*o) };
    b[1] = (struct xen_dm_op_buf){ ENV_RAM + ENV_RAM_SIZE - 4, 64 };
    *o = (struct xen_dm_op){ .op = XAM_DMOP_console_write };
    o->u.console_io.len = 64;
    assert_int_equal(hcall(&dm->vcpus[0], __HYPERVISOR_dm_op, guest->id, 2, BUF), -XAM_EFAULT);
    assert_int_equal(hcall(&dm->vcpus[0], __HYPERVISOR_dm_op, guest->id, 1, BUF), -XAM_EINVAL);
    assert_int_equal(fake_log_lines(), 0);
    /* the character typed is still there for the real device model */
    uint32_t n;
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 8, 8, &n), 0);
    assert_int_equal(n, 1);
    /* a guest without a virtio-console: nothing to read or write */
    guest->dmcons.present = false;
    assert_false(dm_console_receive(guest, 'x'));
    assert_int_equal(console_op(dm, XAM_DMOP_console_write, 1, 8, NULL), -XAM_ENODEV);
    assert_int_equal(console_op(dm, XAM_DMOP_console_read, 8, 8, NULL), -XAM_ENODEV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(output_becomes_the_guests_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(input_waits_for_the_device_model, setup, teardown),
        cmocka_unit_test_setup_teardown(only_its_device_model_and_well_formed, setup, teardown),
    };
    return cmocka_run_group_tests_name("dm_console", tests, NULL, NULL);
}
