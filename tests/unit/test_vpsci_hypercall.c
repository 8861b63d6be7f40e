/* PSCI (vdev/vpsci.c) through the registered HVC #0 and SMC #0, Xen's
 * hypercalls (hypercall/hypercall.c, xen_version.c) through HVC #0xEA1 and
 * dm_op (hypercall/dm_op.c, core/ioreq.c), over the fake architecture:
 * what a guest gets back, what lands in its memory, and what it can and
 * cannot do to itself and to other domains. Guest pointers are guest physical
 * addresses here (the fake's guest_copy_*). */
#include "guest_env.h"
#include <asm/psci.h>
#include <xam/hypercall.h>
#include <xam/vpsci.h>
#include <xam/xen_abi.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define BUF (ENV_RAM + 0x1000)
#define BUF2 (ENV_RAM + 0x3000)
#define OUTSIDE (ENV_RAM + ENV_RAM_SIZE)

static struct domain *dom;
static struct vcpu *v0;

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    assert_int_equal(vpsci_init(), 0);
    assert_int_equal(hypercall_init(), 0);
    env_keeper();
    dom = env_domain("guest", 2, NULL, true);
    v0 = &dom->vcpus[0];
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return env_teardown();
}

static int64_t psci(unsigned ec, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return (int64_t)env_call(v0, ec, 0, 0, fid, a1, a2, a3);
}

static int64_t hcall(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (int64_t)env_call(v, EC_HVC64, XEN_HYPERCALL_TAG, nr, a0, a1, a2, 0);
}

/* ---- PSCI ---- */

static void psci_discovery(void **state)
{
    (void)state;
    for (unsigned ec = EC_HVC64; ec <= EC_SMC64; ec++) {
        uint64_t pc = v0->arch.regs.pc;
        assert_int_equal(psci(ec, PSCI_VERSION, 0, 0, 0), 0x10001);
        assert_int_equal(v0->arch.regs.pc, pc + (ec == EC_SMC64 ? 4 : 0));
        assert_int_equal(psci(ec, SMCCC_VERSION, 0, 0, 0), 0x10001);
        assert_int_equal(psci(ec, SMCCC_ARCH_FEATURES, 0x80008000, 0, 0), PSCI_NOT_SUPPORTED);
        assert_int_equal(psci(ec, PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), 0);
        assert_int_equal(psci(ec, PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0), 0);
        assert_int_equal(psci(ec, PSCI_FEATURES, SMCCC_VERSION, 0, 0), 0);
        assert_int_equal(psci(ec, PSCI_FEATURES, 0x8400000b, 0, 0), PSCI_NOT_SUPPORTED);
        assert_int_equal(psci(ec, PSCI_FEATURES, PSCI_FEATURES | 0xffffffff00000000ULL, 0, 0), 0); /* 32-bit args */
        assert_int_equal(psci(ec, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
        assert_int_equal(psci(ec, 0xc4000099, 0, 0, 0), PSCI_NOT_SUPPORTED);
        assert_int_equal(psci(ec, 0, 0, 0, 0), PSCI_NOT_SUPPORTED);
    }
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

/* vCPU n's MPIDR is Xen's: Aff1 = n / 16, Aff0 = n % 16. CPU_ON and
 * AFFINITY_INFO name vCPU 17 as 0x101, and nothing as Aff0 16 or more. */
static void psci_affinity_past_16_vcpus(void **state)
{
    (void)state;
    struct domain *d = env_domain("many", 20, NULL, true);
    struct vcpu *keep = v0;
    v0 = &d->vcpus[0];
    assert_int_equal(v0->arch.sys.vmpidr, 1ULL << 31);
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 0x101, 0, 0), 1); /* OFF */
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 0x11, ENV_ENTRY, 0), PSCI_INVALID_PARAMETERS);
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 0x104, ENV_ENTRY, 0), PSCI_INVALID_PARAMETERS);
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 0x101, ENV_ENTRY, 0), PSCI_SUCCESS);
    assert_int_equal(d->vcpus[17].state, VCPU_RUNNABLE);
    assert_int_equal(d->vcpus[17].arch.sys.vmpidr, 1ULL << 31 | 0x101);
    assert_int_equal(d->vcpus[1].state, VCPU_OFF);
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 0x101, 0, 0), 0); /* ON */
    v0 = keep;
}

static void psci_cpu_on_and_affinity(void **state)
{
    (void)state;
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 0, 0, 0), 0); /* ON */
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 1, 0, 0), 1); /* OFF */
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 1, 1, 0), PSCI_INVALID_PARAMETERS);
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 2, 0, 0), PSCI_INVALID_PARAMETERS);
    static const uint64_t bad[] = { 2, 0x100, 0x10000, 1ULL << 32, 0x8000000001ULL, UINT64_MAX };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, bad[i], ENV_ENTRY, 0), PSCI_INVALID_PARAMETERS);
    assert_int_equal(dom->vcpus[1].state, VCPU_OFF);
    /* the 32-bit call takes only the low halves */
    assert_int_equal(
        psci(EC_SMC64, PSCI_CPU_ON_32, 0xffffffff00000001ULL, 0xabc0000000000000ULL | ENV_ENTRY, 0x100000007ULL),
        PSCI_SUCCESS);
    struct vcpu *v1 = &dom->vcpus[1];
    assert_int_equal(v1->state, VCPU_RUNNABLE);
    assert_int_equal(v1->arch.regs.pc, ENV_ENTRY);
    assert_int_equal(v1->arch.regs.x[0], 7);
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 1, ENV_ENTRY, 0), PSCI_ALREADY_ON);
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 0, ENV_ENTRY, 0), PSCI_ALREADY_ON);
    assert_int_equal(psci(EC_HVC64, PSCI_AFFINITY_INFO_64, 1, 0, 0), 0);
    assert_int_equal(dom->vcpus_on, 2);
}

static void system_off_stops_it(void **state)
{
    (void)state;
    psci(EC_SMC64, PSCI_SYSTEM_OFF, 0, 0, 0);
    assert_int_equal(dom->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("guest (domain 2): powered off (PSCI SYSTEM_OFF)"));
    /* a stopping domain's vCPUs start nothing */
    assert_int_equal(psci(EC_HVC64, PSCI_CPU_ON_64, 1, ENV_ENTRY, 0), PSCI_DENIED);
}

static void system_reset_resets_it(void **state)
{
    (void)state;
    psci(EC_HVC64, PSCI_SYSTEM_RESET, 0, 0, 0);
    assert_int_equal(dom->state, DOMAIN_RESETTING);
    assert_non_null(fake_log_find("guest (domain 2): reset (PSCI SYSTEM_RESET): rebuilding it"));
    domain_run_jobs(); /* no rebuild hook: it cannot be rebuilt */
    assert_int_equal(dom->state, DOMAIN_DEAD);
    assert_non_null(fake_log_find("could not be rebuilt"));
}

/* ---- Xen hypercalls ---- */

static void xen_version_and_features(void **state)
{
    (void)state;
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_version, 0, 0), 4 << 16 | 17);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, 99, 0, 0), -XAM_ENOSYS);
    char *extra = env_guest(dom, BUF, 16);
    memset(extra, 'x', 16);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_extraversion, BUF, 0), 0);
    assert_string_equal(extra, ".0-xam");
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_extraversion, OUTSIDE - 8, 0), -XAM_EFAULT);
    uint32_t *f = env_guest(dom, BUF, 8);
    f[0] = 0;
    f[1] = 0xffffffff;
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_get_features, BUF, 0), 0);
    assert_int_equal(f[0], 0);
    assert_int_equal(f[1], 1u << XENFEAT_auto_translated_physmap | 1u << XENFEAT_not_direct_mapped);
    dom->direct_mapped = true;
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_get_features, BUF, 0), 0);
    assert_int_equal(f[1], 1u << XENFEAT_auto_translated_physmap | 1u << XENFEAT_direct_mapped);
    f[0] = 1;
    f[1] = 0xffffffff;
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_get_features, BUF, 0), 0);
    assert_int_equal(f[1], 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_get_features, OUTSIDE - 4, 0), -XAM_EFAULT);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_get_features, 0, 0), -XAM_EFAULT);
    assert_int_equal(hcall(v0, 9999, 0, 0, 0), -XAM_ENOSYS);
    assert_int_equal(hcall(v0, __HYPERVISOR_grant_table_op, 0, 0, 0), -XAM_ENOSYS);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

/* The sub-ops behind Linux's /sys/hypervisor: each fills exactly Xen's
 * structure (the byte after it untouched), refuses a buffer outside RAM. */
static void xen_version_strings(void **state)
{
    (void)state;
    uint8_t *b = env_guest(dom, BUF, 2048);
    static const struct {
        uint32_t op;
        size_t size;
    } sized[] = {
        { XENVER_extraversion, XEN_EXTRAVERSION_LEN },
        { XENVER_compile_info, sizeof(struct xen_compile_info) },
        { XENVER_capabilities, XEN_CAPABILITIES_INFO_LEN },
        { XENVER_changeset, XEN_CHANGESET_INFO_LEN },
        { XENVER_platform_parameters, sizeof(struct xen_platform_parameters) },
        { XENVER_guest_handle, XEN_DOMAIN_HANDLE_LEN },
        { XENVER_commandline, sizeof(XEN_DENIED) },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(sized); i++) {
        memset(b, 0xee, 2048);
        assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, sized[i].op, BUF, 0), 0);
        assert_int_equal(b[sized[i].size], 0xee);
        assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, sized[i].op, OUTSIDE - sized[i].size + 1, 0), -XAM_EFAULT);
        assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, sized[i].op, 0, 0), -XAM_EFAULT);
    }
    /* strings NUL-padded to their size */
    struct xen_compile_info *ci = (struct xen_compile_info *)b;
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_compile_info, BUF, 0), 0);
    assert_true(!strncmp(ci->compiler, "gcc ", 4) || !strncmp(ci->compiler, "clang ", 6));
    assert_int_equal(ci->compiler[sizeof(ci->compiler) - 1], 0);
    assert_string_equal(ci->compile_by, "xam");
    assert_string_equal(ci->compile_domain, "xen-arm-minimal");
    assert_true(strlen(ci->compile_date) > 0 && strlen(ci->compile_date) < sizeof(ci->compile_date));
    memset(b, 0xee, 2048);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_capabilities, BUF, 0), 0);
    assert_string_equal((char *)b, "xen-3.0-aarch64 ");
    for (unsigned i = strlen((char *)b); i < XEN_CAPABILITIES_INFO_LEN; i++)
        assert_int_equal(b[i], 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_changeset, BUF, 0), 0);
    assert_non_null(strstr((char *)b, " git:"));
    assert_int_equal(b[XEN_CHANGESET_INFO_LEN - 1], 0);
    memset(b, 0xee, 8);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_platform_parameters, BUF, 0), 0);
    uint64_t virt_start;
    memcpy(&virt_start, b, 8);
    assert_int_equal(virt_start, 0);
    /* denied to a domU, as Xen's XSM does: a string for commandline,
     * -EPERM for build_id, whatever the buffer */
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_commandline, BUF, 0), 0);
    assert_string_equal((char *)b, "<denied>");
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_build_id, 0, 0), -XAM_EPERM);
    uint32_t len = 64;
    memcpy(b, &len, 4);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_build_id, BUF, 0), -XAM_EPERM);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_build_id, OUTSIDE, 0), -XAM_EPERM);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, 11, BUF, 0), -XAM_ENOSYS);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
}

/* The domain's UUID (XENVER_guest_handle, Linux's /sys/hypervisor/uuid):
 * RFC 9562 version 8 from FNV-1a-64 of "<id>:<name>" and
 * "xam:<id>:<name>" (docs/hypercalls.md); the same for every call and
 * vCPU, another for every domain. */
static void xen_version_guest_handle(void **state)
{
    (void)state;
    /* computed independently (python) for domain 2 "guest" */
    static const uint8_t want[16] = { 0xce, 0xa5, 0xc5, 0x6f, 0xdf, 0x5f, 0x86, 0x3b,
                                      0x82, 0xc8, 0x28, 0x29, 0x44, 0xd2, 0x34, 0x4b };
    uint8_t *u = env_guest(dom, BUF, 16);
    assert_int_equal(dom->id, 2);
    assert_int_equal(hcall(v0, __HYPERVISOR_xen_version, XENVER_guest_handle, BUF, 0), 0);
    assert_memory_equal(u, want, 16);
    assert_int_equal(u[6] >> 4, 8); /* version */
    assert_int_equal(u[8] >> 6, 2); /* variant */
    memset(u, 0, 16);
    assert_int_equal(hcall(&dom->vcpus[1], __HYPERVISOR_xen_version, XENVER_guest_handle, BUF, 0), 0);
    assert_memory_equal(u, want, 16);
    /* the keeper (domain 1) has its own */
    struct domain *k = domains[0];
    uint8_t *ku = env_guest(k, BUF, 16);
    assert_int_equal(hcall(&k->vcpus[0], __HYPERVISOR_xen_version, XENVER_guest_handle, BUF, 0), 0);
    assert_memory_not_equal(ku, want, 16);
    static const uint8_t keeper[16] = { 0x71, 0xca, 0xee, 0x51, 0x34, 0x0d, 0x86, 0x9c,
                                        0xa1, 0x21, 0xb6, 0x31, 0xb1, 0x88, 0x53, 0xac };
    assert_memory_equal(ku, keeper, 16);
}

static void console_io_lines(void **state)
{
    (void)state;
    static const char text[] = "hello\nwor\033[2J\033]0;t\007ld\r\n[ 0.1] ERROR: fake\n\\tail";
    char *buf = env_guest(dom, BUF, sizeof(text));
    memcpy(buf, text, sizeof(text) - 1);
    fake_log_clear();
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, sizeof(text) - 1, BUF), sizeof(text) - 1);
    assert_int_equal(fake_log_lines(), 3);
    assert_string_equal(fake_log_line(0), "(guest) hello");
    assert_string_equal(fake_log_line(1), "(guest) wor\\x1b[2J\\x1b]0;t\\x07ld");
    assert_string_equal(fake_log_line(2), "(guest) [ 0.1] ERROR: fake");
    /* the partial line comes out when the domain stops */
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_read, 10, BUF), 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, 7, 10, BUF), -XAM_ENOSYS);
    domain_shutdown(dom, "done");
    domain_run_jobs();
    for (unsigned i = 0; i < fake_log_lines(); i++)
        if (strstr(fake_log_line(i), "tail"))
            assert_string_equal(fake_log_line(i), "(guest) \\x5ctail");
}

static void console_io_limits(void **state)
{
    (void)state;
    char *buf = env_guest(dom, BUF, 8192);
    memset(buf, 'a', 8192);
    for (unsigned i = 99; i < 8192; i += 100)
        buf[i] = '\n';
    fake_log_clear();
    /* at most 4 KiB a call */
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 10000, BUF), 4096);
    assert_int_equal(fake_log_count("(guest) "), 40);
    for (unsigned i = 0; i < fake_log_lines(); i++)
        assert_memory_equal(fake_log_line(i), "(guest) ", 8);
    /* outside RAM: nothing; running out of RAM half way: what was copied */
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 16, OUTSIDE), -XAM_EFAULT);
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 16, UINT64_MAX - 7), -XAM_EFAULT);
    char *end = env_guest(dom, OUTSIDE - 256, 256);
    memset(end, 'b', 256);
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 1000, OUTSIDE - 256), 256);
    assert_int_equal(hcall(v0, __HYPERVISOR_console_io, CONSOLEIO_write, 0, OUTSIDE), 0);
}

static void sched_op_shutdown(void **state)
{
    (void)state;
    static const struct {
        uint32_t reason;
        enum domain_state state;
        const char *log;
    } c[] = {
        { SHUTDOWN_poweroff, DOMAIN_STOPPING, "powered off (SCHEDOP_shutdown)" },
        { SHUTDOWN_reboot, DOMAIN_RESETTING, "reset (SCHEDOP_shutdown reboot): rebuilding it" },
        { SHUTDOWN_crash, DOMAIN_STOPPING, "crashed (SCHEDOP_shutdown)" },
        { SHUTDOWN_watchdog, DOMAIN_STOPPING, "watchdog fired" },
    };
    assert_int_equal(hcall(v0, __HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0), 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_sched_op, 77, 0, 0), -XAM_ENOSYS);
    assert_int_equal(hcall(v0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, OUTSIDE, 0), -XAM_EFAULT);
    uint32_t *reason = env_guest(dom, BUF, 4);
    *reason = SHUTDOWN_suspend;
    assert_int_equal(hcall(v0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, BUF, 0), -XAM_EINVAL);
    *reason = 1000;
    assert_int_equal(hcall(v0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, BUF, 0), -XAM_EINVAL);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
        struct domain *d = env_domain("sd", 1, NULL, true);
        *(uint32_t *)env_guest(d, BUF, 4) = c[i].reason;
        assert_int_equal(hcall(&d->vcpus[0], __HYPERVISOR_sched_op, SCHEDOP_shutdown, BUF, 0), 0);
        assert_int_equal(d->state, c[i].state);
        assert_non_null(fake_log_find(c[i].log));
        domain_run_jobs();
        assert_int_equal(d->state, DOMAIN_DEAD);
    }
}

static void hvm_params(void **state)
{
    (void)state;
    uint8_t *p = env_guest(dom, BUF, sizeof(struct xen_hvm_param));
    static const uint32_t zero_params[] = { HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_PFN,
                                            HVM_PARAM_CONSOLE_EVTCHN };
    for (unsigned i = 0; i < ARRAY_SIZE(zero_params); i++) {
        for (unsigned self = 0; self < 2; self++) {
            memset(p, 0xee, sizeof(struct xen_hvm_param));
            uint16_t domid = self ? DOMID_SELF : (uint16_t)dom->id;
            memcpy(p, &domid, 2);
            memcpy(p + 4, &zero_params[i], 4);
            assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, HVMOP_get_param, BUF, 0), 0);
            uint64_t value;
            memcpy(&value, p + 8, 8);
            assert_int_equal(value, 0);
        }
    }
    uint32_t index = 99;
    memcpy(p + 4, &index, 4);
    assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, HVMOP_get_param, BUF, 0), -XAM_EINVAL);
    uint16_t other = 1; /* the keeper */
    memcpy(p, &other, 2);
    memcpy(p + 4, &zero_params[0], 4);
    assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, HVMOP_get_param, BUF, 0), -XAM_EPERM);
    assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, HVMOP_set_param, BUF, 0), -XAM_EPERM);
    assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, 50, BUF, 0), -XAM_ENOSYS);
    assert_int_equal(hcall(v0, __HYPERVISOR_hvm_op, HVMOP_get_param, OUTSIDE - 8, 0), -XAM_EFAULT);
}

static void add_to_physmap(void **state)
{
    (void)state;
    uint8_t *x = env_guest(dom, BUF, sizeof(struct xen_add_to_physmap));
    uint16_t self = DOMID_SELF;
    uint32_t space = XENMAPSPACE_shared_info;
    uint64_t gpfn = OUTSIDE >> PAGE_SHIFT;
    memset(x, 0, sizeof(struct xen_add_to_physmap));
    memcpy(x, &self, 2);
    memcpy(x + 4, &space, 4);
    memcpy(x + 16, &gpfn, 8);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), -XAM_EINVAL);
    gpfn = 0x3000; /* a device's page, not RAM */
    memcpy(x + 16, &gpfn, 8);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), -XAM_EINVAL);
    gpfn = UINT64_MAX;
    memcpy(x + 16, &gpfn, 8);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), -XAM_EINVAL);
    assert_int_equal(dom->shared_info, 0);
    /* its own RAM: the page is zeroed and becomes shared_info */
    uint8_t *page = env_guest(dom, BUF2, PAGE_SIZE);
    memset(page, 0x77, PAGE_SIZE);
    gpfn = BUF2 >> PAGE_SHIFT;
    memcpy(x + 16, &gpfn, 8);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), 0);
    assert_int_equal(dom->shared_info, BUF2);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page[i], 0);
    space = XENMAPSPACE_grant_table;
    memcpy(x + 4, &space, 4);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), -XAM_ENOSYS);
    uint16_t other = 1;
    memcpy(x, &other, 2);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, BUF, 0), -XAM_EPERM);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, 3, BUF, 0), -XAM_ENOSYS);
    assert_int_equal(hcall(v0, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, OUTSIDE, 0), -XAM_EFAULT);
}

static void vcpu_and_event_ops(void **state)
{
    (void)state;
    struct {
        uint64_t mfn;
        uint32_t offset, rsvd;
    } *info = env_guest(dom, BUF, 16);
    info->mfn = BUF2 >> PAGE_SHIFT;
    info->offset = 64;
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 1, BUF), 0);
    assert_int_equal(dom->vcpus[1].vcpu_info, BUF2 + 64);
    info->offset = PAGE_SIZE - 63;
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, BUF), -XAM_ENXIO);
    info->offset = PAGE_SIZE - 64 - 4; /* inside the page, not 8-aligned */
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, BUF), -XAM_ENXIO);
    info->offset = 0;
    info->mfn = OUTSIDE >> PAGE_SHIFT;
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, BUF), -XAM_EINVAL);
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 2, BUF), -XAM_ENOENT);
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, OUTSIDE), -XAM_EFAULT);
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, BUF), 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_vcpu_op, 99, 0, BUF), -XAM_ENOSYS);
    assert_int_equal(dom->vcpus[0].vcpu_info, 0);
    assert_int_equal(hcall(v0, __HYPERVISOR_event_channel_op, EVTCHNOP_send, 0, 0), -XAM_EFAULT); /* no argument */
    assert_int_equal(hcall(v0, __HYPERVISOR_event_channel_op, EVTCHNOP_init_control, 0, 0), -XAM_ENOSYS);
}

/* ---- dm_op ---- */

static struct domain *dm, *client;
#define ECAM PCI_BRIDGE_DEF_ECAM

/* dm_op(domid, one buffer holding o) from the device model's vCPU 0 */
static int64_t dmop(struct domain *from, uint64_t domid, struct xen_dm_op *o)
{
    struct xen_dm_op_buf *b = env_guest(from, BUF, sizeof(*b));
    b->h = BUF2;
    b->size = sizeof(*o);
    memcpy(env_guest(from, BUF2, sizeof(*o)), o, sizeof(*o));
    int64_t rc = hcall(&from->vcpus[0], __HYPERVISOR_dm_op, domid, 1, BUF);
    memcpy(o, env_guest(from, BUF2, sizeof(*o)), sizeof(*o));
    return rc;
}

static int64_t dm_create(uint16_t *id)
{
    struct xen_dm_op o = { .op = XEN_DMOP_create_ioreq_server };
    int64_t rc = dmop(dm, client->id, &o);
    *id = o.u.create_ioreq_server.id;
    return rc;
}

static int64_t dm_range(uint32_t op, uint16_t id, uint32_t type, uint64_t start, uint64_t end)
{
    struct xen_dm_op o = { .op = op };
    o.u.map_io_range_to_ioreq_server =
        (struct xen_dm_op_ioreq_server_range){ .id = id, .type = type, .start = start, .end = end };
    return dmop(dm, client->id, &o);
}

static int64_t dm_state(uint16_t id, bool on)
{
    struct xen_dm_op o = { .op = XEN_DMOP_set_ioreq_server_state };
    o.u.set_ioreq_server_state.id = id;
    o.u.set_ioreq_server_state.enabled = on;
    return dmop(dm, client->id, &o);
}

static int64_t dm_destroy(uint16_t id)
{
    struct xen_dm_op o = { .op = XEN_DMOP_destroy_ioreq_server };
    o.u.destroy_ioreq_server.id = id;
    return dmop(dm, client->id, &o);
}

static int dm_setup(void **state)
{
    setup(state);
    dm = env_domain("dm", 1, NULL, true);
    client = env_build("client", 1, NULL, true);
    client->device_model = dm;
    client->has_bridge = true;
    env_default_bridge(&client->bridge);
    domain_start(client, ENV_ENTRY, 0, true); /* held */
    return 0;
}

static void dm_op_servers(void **state)
{
    (void)state;
    uint16_t id0 = 0xffff, id1 = 0xffff, id2;
    assert_int_equal(dm_create(&id0), 0);
    assert_int_equal(dm_create(&id1), 0);
    assert_int_equal(id0, 0);
    assert_int_equal(id1, 1);
    assert_int_equal(dm_create(&id2), -XAM_ENOSPC);
    /* ranges */
    for (unsigned i = 0; i < IOREQ_MAX_RANGES; i++)
        assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id0, XEN_DMOP_IO_RANGE_MEMORY,
                                  ECAM + i * 0x1000, ECAM + 0xfff + i * 0x1000),
                         0);
    assert_int_equal(
        dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id0, XEN_DMOP_IO_RANGE_MEMORY, ECAM + 0x9000, ECAM + 0x9fff),
        -XAM_ENOSPC);
    /* only inside the guest's bridge, and never over another range */
    assert_int_equal(
        dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_MEMORY, 0x10000000, 0x10000fff),
        -XAM_EINVAL);
    assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_MEMORY,
                              PCI_BRIDGE_DEF_MEM + PCI_BRIDGE_DEF_MEM_SIZE - 0x1000,
                              PCI_BRIDGE_DEF_MEM + PCI_BRIDGE_DEF_MEM_SIZE),
                     -XAM_EINVAL);
    assert_int_equal(
        dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_MEMORY, ECAM + 0x800, ECAM + 0x17ff),
        -XAM_EEXIST);
    assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_PCI, 0x100, 0x100),
                     -XAM_EINVAL); /* bus 1 */
    assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_PORT, 0, 1), -XAM_EINVAL);
    assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, id1, XEN_DMOP_IO_RANGE_MEMORY, 2, 1), -XAM_EINVAL);
    assert_int_equal(dm_range(XEN_DMOP_map_io_range_to_ioreq_server, 7, XEN_DMOP_IO_RANGE_MEMORY, ECAM, ECAM + 1),
                     -XAM_ENOENT);
    assert_int_equal(dm_range(XEN_DMOP_unmap_io_range_from_ioreq_server, id0, XEN_DMOP_IO_RANGE_MEMORY, ECAM + 0x1000,
                              ECAM + 0x1fff),
                     0);
    assert_int_equal(dm_range(XEN_DMOP_unmap_io_range_from_ioreq_server, id0, XEN_DMOP_IO_RANGE_MEMORY, ECAM + 0x1000,
                              ECAM + 0x1fff),
                     -XAM_ENOENT);
    assert_int_equal(client->ioreq.servers[0].nr_ranges, IOREQ_MAX_RANGES - 1);
    /* enabling connects, and starts the held guest once */
    assert_int_equal(client->vcpus[0].state, VCPU_OFF);
    assert_false(ioreq_connected(client));
    assert_int_equal(dm_state(9, true), -XAM_ENOENT);
    assert_int_equal(dm_state(id0, true), 0);
    assert_true(ioreq_connected(client));
    assert_int_equal(client->vcpus[0].state, VCPU_RUNNABLE);
    assert_non_null(fake_log_find("client (domain 4): device model dm connected"));
    unsigned resets = fake_arch_resets();
    assert_int_equal(dm_state(id1, true), 0);
    assert_int_equal(dm_state(id0, false), 0);
    assert_int_equal(dm_state(id0, true), 0);
    assert_int_equal(fake_arch_resets(), resets);
    assert_int_equal(fake_log_count("starting (held until its device model connected)"), 1);
    /* destroy */
    assert_int_equal(dm_destroy(id0), 0);
    assert_int_equal(dm_destroy(id0), -XAM_ENOENT);
    assert_int_equal(dm_destroy(id1), 0);
    assert_false(ioreq_connected(client));
    assert_int_equal(dm_create(&id2), 0);
    assert_int_equal(id2, 0);
    /* unknown op */
    struct xen_dm_op o = { .op = 99 };
    assert_int_equal(dmop(dm, client->id, &o), -XAM_ENOSYS);
}

static void dm_op_refusals(void **state)
{
    (void)state;
    struct xen_dm_op o = { .op = XEN_DMOP_create_ioreq_server };
    /* not the named device model: the client itself, the keeper, the other guest */
    assert_int_equal(dmop(client, client->id, &o), -XAM_EPERM);
    assert_int_equal(dmop(domains[0], client->id, &o), -XAM_EPERM);
    assert_int_equal(dmop(dom, client->id, &o), -XAM_EPERM);
    /* nor for a domain it does not serve (itself included) */
    assert_int_equal(dmop(dm, dom->id, &o), -XAM_EPERM);
    assert_int_equal(dmop(dm, dm->id, &o), -XAM_EPERM);
    /* no such domain */
    assert_int_equal(dmop(dm, 0, &o), -XAM_ESRCH);
    assert_int_equal(dmop(dm, 99, &o), -XAM_ESRCH);
    assert_int_equal(dmop(dm, DOMID_SELF, &o), -XAM_ESRCH);
    assert_int_equal(dmop(dm, (1ULL << 32) | client->id, &o), -XAM_ESRCH);
    /* bad buffers */
    struct vcpu *d0 = &dm->vcpus[0];
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, client->id, 0, BUF), -XAM_EINVAL);
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, client->id, 1, OUTSIDE), -XAM_EFAULT);
    struct xen_dm_op_buf *b = env_guest(dm, BUF, sizeof(*b));
    b->h = BUF2;
    b->size = sizeof(struct xen_dm_op) - 1;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, client->id, 1, BUF), -XAM_EINVAL);
    b->size = 4096;
    b->h = OUTSIDE - 8;
    assert_int_equal(hcall(d0, __HYPERVISOR_dm_op, client->id, 1, BUF), -XAM_EFAULT);
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++)
        assert_false(client->ioreq.servers[i].used);
    assert_int_equal(client->vcpus[0].state, VCPU_OFF);
}

static void dm_op_to_a_stopped_guest(void **state)
{
    (void)state;
    uint16_t id;
    assert_int_equal(dm_create(&id), 0);
    domain_shutdown(client, "stopped by the test");
    assert_int_equal(dm_state(id, true), -XAM_ESRCH);
    assert_int_equal(dm_create(&id), -XAM_ESRCH);
    domain_run_jobs();
    assert_int_equal(dm_create(&id), -XAM_ESRCH);
    assert_int_equal(dm_destroy(0), -XAM_ESRCH);
    assert_int_equal(client->vcpus[0].state, VCPU_OFF);
}

static void device_model_stopping_stops_held_guest(void **state)
{
    (void)state;
    uint16_t id;
    assert_int_equal(dm_create(&id), 0);
    domain_shutdown(dm, "stopped by the test");
    assert_int_equal(client->state, DOMAIN_STOPPING);
    assert_non_null(fake_log_find("its device model stopped before connecting"));
    assert_false(client->ioreq.servers[0].used);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(psci_discovery, setup, teardown),
        ENV_TEST(psci_cpu_on_and_affinity, setup, teardown),
        ENV_TEST(psci_affinity_past_16_vcpus, setup, teardown),
        ENV_TEST(system_off_stops_it, setup, teardown),
        ENV_TEST(system_reset_resets_it, setup, teardown),
        ENV_TEST(xen_version_and_features, setup, teardown),
        ENV_TEST(xen_version_strings, setup, teardown),
        ENV_TEST(xen_version_guest_handle, setup, teardown),
        ENV_TEST(console_io_lines, setup, teardown),
        ENV_TEST(console_io_limits, setup, teardown),
        ENV_TEST(sched_op_shutdown, setup, teardown),
        ENV_TEST(hvm_params, setup, teardown),
        ENV_TEST(add_to_physmap, setup, teardown),
        ENV_TEST(vcpu_and_event_ops, setup, teardown),
        ENV_TEST(dm_op_servers, dm_setup, teardown),
        ENV_TEST(dm_op_refusals, dm_setup, teardown),
        ENV_TEST(dm_op_to_a_stopped_guest, dm_setup, teardown),
        ENV_TEST(device_model_stopping_stops_held_guest, dm_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
