# The hypervisor's portable parts, built for the host (unit tests, fuzzers,
# later the dry-run tools). They include only xam/ and pure asm/ headers and
# use the host's libc and libfdt. tests/lib/host_log.c is the log_msg()
# they print through (weak: a test program's own wins).
HOST_PORTABLE_SRCS := \
    xen-arm-minimal/mm/memrange.c \
    xen-arm-minimal/mm/palloc.c \
    xen-arm-minimal/lib/fmt.c \
    xen-arm-minimal/lib/chacha20.c \
    xen-arm-minimal/lib/cmdline.c \
    xen-arm-minimal/lib/inflate.c \
    xen-arm-minimal/dt/dtutil.c \
    xen-arm-minimal/dt/hostdt.c \
    xen-arm-minimal/arch/arm64/pagetable.c \
    xen-arm-minimal/arch/arm64/esr.c \
    xen-arm-minimal/arch/arm64/idregs.c \
    xen-arm-minimal/builder/guest_fdt.c \
    xen-arm-minimal/builder/domain_desc.c \
    xen-arm-minimal/builder/domain_layout.c \
    xen-arm-minimal/builder/domain_partial.c \
    xen-arm-minimal/builder/domain_plan.c \
    xen-arm-minimal/builder/domain_shm.c \
    xen-arm-minimal/builder/domain_virtio.c \
    xen-arm-minimal/builder/domain_xen_compat.c \
    xen-arm-minimal/builder/domain_evtchn.c \
    xen-arm-minimal/core/guest_console.c \
    xen-arm-minimal/common/console_hold.c \
    xen-arm-minimal/common/console_tx.c \
    tests/lib/host_log.c
HOST_INCLUDES := -Ixen-arm-minimal/include -Ixen-arm-minimal/arch/arm64/include
HOST_WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wno-unused-parameter
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TESTS_OUT := $(OUT)/tests

# The guest-facing code (core/, vdev/, hypercall/) on the host, over the
# fake architecture (xen-arm-minimal/arch/fake: host spinlocks, a fake
# counter, list registers and allocator; see fake.h), with the portable
# pieces it needs. Its arch headers come first, so asm/percpu.h and the
# other headers with system-register access are the fake ones; the pure
# arm64 headers (esr.h, vcpu_arch.h, stage2.h...) are shared. The vGIC is
# whichever sources the tree has (vdev/vgic.c or vdev/vgic/*.c).
HOST_GUEST_SRCS := \
    $(wildcard xen-arm-minimal/core/*.c) \
    $(wildcard xen-arm-minimal/vdev/*.c) \
    $(wildcard xen-arm-minimal/vdev/vgic/*.c) \
    $(wildcard xen-arm-minimal/hypercall/*.c) \
    xen-arm-minimal/arch/fake/fake.c \
    xen-arm-minimal/arch/arm64/pagetable.c \
    xen-arm-minimal/arch/arm64/esr.c \
    xen-arm-minimal/arch/arm64/idregs.c \
    xen-arm-minimal/mm/memrange.c \
    xen-arm-minimal/lib/fmt.c
HOST_FAKE_INCLUDES := -Ixen-arm-minimal/include -Ixen-arm-minimal/arch/fake/include \
    -Ixen-arm-minimal/arch/arm64/include -Ixen-arm-minimal/arch/fake
