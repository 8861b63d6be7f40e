/* xen_version: what Linux reads at boot ("Xen 4.17 support found", the
 * features) and what its /sys/hypervisor shows, answered as Xen 4.17 on
 * Arm answers a domU (public/version.h; docs/hypercalls.md has the table).
 * Xen denies a domU build_id and commandline (XSM's dummy policy keeps
 * them for privileged domains): so do we, the way Xen does, which Linux
 * shows as "<denied>". The strings come from the build: the version, the
 * compiler, the git commit and its date (the generated header hv.mk
 * forces into this file; the host builds of the unit tests have none). */
#include <asm/guest_mem.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/xen_abi.h>

#include "hypercall_priv.h"

#ifndef XAM_VERSION
#define XAM_VERSION "0"
#endif
#ifndef XAM_GIT
#define XAM_GIT "unknown"
#endif
#ifndef XAM_GIT_DATE
#define XAM_GIT_DATE "unknown"
#endif
#ifdef __clang__
#define XAM_COMPILER "clang " __clang_version__
#else
#define XAM_COMPILER "gcc " __VERSION__
#endif

/* Xen's strings are fixed-size arrays copied whole, NUL-padded. */
static __attribute__((noinline)) long copy_string(struct vcpu *v, uint64_t arg, const char *s, size_t size)
{
    char buf[XEN_CAPABILITIES_INFO_LEN];
    memset(buf, 0, size);
    fmt_snprintf(buf, size, "%s", s);
    return guest_copy_to(v, arg, buf, size) ? -XAM_EFAULT : 0;
}

/* FNV-1a, 64-bit, continuing from h (docs/hypercalls.md, "The domain's
 * UUID"). */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The domain's UUID (Xen's domain handle, which a toolstack sets; dom0less
 * Xen leaves it all zeros): stable across its resets and across boots of
 * the same configuration, different for each name and id. RFC 9562's
 * version 8 (made by a vendor's own rule): bytes 0-7 FNV-1a-64 of
 * "<id>:<name>", bytes 8-15 of "xam:<id>:<name>", big-endian, with the
 * version and variant bits set. */
static void domain_uuid(const struct domain *d, uint8_t out[XEN_DOMAIN_HANDLE_LEN])
{
    char key[16 + DOMAIN_NAME_MAX];
    fmt_snprintf(key, sizeof(key), "%u:%s", d->id, d->name);
    uint64_t h[2] = { fnv1a(0xcbf29ce484222325ULL, key), fnv1a(fnv1a(0xcbf29ce484222325ULL, "xam:"), key) };
    for (unsigned i = 0; i < XEN_DOMAIN_HANDLE_LEN; i++)
        out[i] = (uint8_t)(h[i / 8] >> (56 - 8 * (i % 8)));
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x80); /* version 8 */
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* variant 10 */
}

/* Out of line, as are the other answers with buffers on the stack: the
 * common calls (XENVER_version) then run without their stack frame and
 * canary (make bench: hvc-xen-version). */
static __attribute__((noinline)) long compile_info(struct vcpu *v, uint64_t arg)
{
    struct xen_compile_info ci;
    memset(&ci, 0, sizeof(ci));
    fmt_snprintf(ci.compiler, sizeof(ci.compiler), "%s", XAM_COMPILER);
    /* no user or host is recorded (the same tree builds the same
     * image): who built it is the project, when is its commit */
    fmt_snprintf(ci.compile_by, sizeof(ci.compile_by), "xam");
    fmt_snprintf(ci.compile_domain, sizeof(ci.compile_domain), "xen-arm-minimal");
    fmt_snprintf(ci.compile_date, sizeof(ci.compile_date), "%s", XAM_GIT_DATE);
    return guest_copy_to(v, arg, &ci, sizeof(ci)) ? -XAM_EFAULT : 0;
}

static __attribute__((noinline)) long guest_handle(struct vcpu *v, uint64_t arg)
{
    uint8_t uuid[XEN_DOMAIN_HANDLE_LEN];
    domain_uuid(v->dom, uuid);
    return guest_copy_to(v, arg, uuid, sizeof(uuid)) ? -XAM_EFAULT : 0;
}

static __attribute__((noinline)) long platform_parameters(struct vcpu *v, uint64_t arg)
{
    /* where the hypervisor sits in a guest's address space: nowhere, as
     * Xen answers every guest but 64-bit PV ones */
    struct xen_platform_parameters p = { .virt_start = 0 };
    return guest_copy_to(v, arg, &p, sizeof(p)) ? -XAM_EFAULT : 0;
}

static __attribute__((noinline)) long get_features(struct vcpu *v, uint64_t arg)
{
    struct xen_feature_info f;
    if (guest_copy_from(v, &f, arg, sizeof(f)))
        return -XAM_EFAULT;
    /* submap 0: guest physical != host physical unless direct-mapped;
     * never XENFEAT_dom0 */
    f.submap = f.submap_idx != 0 ? 0
                                 : 1u << XENFEAT_auto_translated_physmap |
            1u << (v->dom->direct_mapped ? XENFEAT_direct_mapped : XENFEAT_not_direct_mapped);
    return guest_copy_to(v, arg, &f, sizeof(f));
}

static __attribute__((noinline)) long commandline(struct vcpu *v, uint64_t arg)
{
    /* denied: Xen copies its "<denied>" and the NUL, no more */
    static const char denied[] = XEN_DENIED;
    return guest_copy_to(v, arg, denied, sizeof(denied)) ? -XAM_EFAULT : 0;
}

long xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return XEN_ABI_MAJOR << 16 | XEN_ABI_MINOR;
    case XENVER_extraversion:
        return copy_string(v, arg, ".0-xam", XEN_EXTRAVERSION_LEN);
    case XENVER_compile_info:
        return compile_info(v, arg);
    case XENVER_capabilities:
        /* Xen's arm64 list: 64-bit guests only here (EL1 is AArch64) */
        return copy_string(v, arg, "xen-3.0-aarch64 ", XEN_CAPABILITIES_INFO_LEN);
    case XENVER_changeset:
        /* Xen's form: the commit's date, then git:<hash> */
        return copy_string(v, arg, XAM_GIT_DATE " git:" XAM_GIT, XEN_CHANGESET_INFO_LEN);
    case XENVER_platform_parameters:
        return platform_parameters(v, arg);
    case XENVER_get_features:
        return get_features(v, arg);
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle:
        return guest_handle(v, arg);
    case XENVER_commandline:
        return commandline(v, arg);
    case XENVER_build_id:
        /* denied before anything is read, as Xen (there is no build ID in
         * the image either: it links with --build-id=none) */
        return -XAM_EPERM;
    default:
        return -XAM_ENOSYS;
    }
}
