# The hypervisor image, built with Debian's aarch64 cross compiler and the
# arm64 libfdt.a unpacked by build/deps.sh. Included by the top Makefile.

HV_DIR := xen-arm-minimal
HV_OUT := $(OUT)/hv
HV_ELF := $(HV_OUT)/xen-arm-minimal.elf
HV_IMAGE := $(OUT)/xen-arm-minimal.Image

CROSS ?= aarch64-linux-gnu-
HV_CC := $(CROSS)gcc
HV_OBJCOPY := $(CROSS)objcopy
HV_READELF := $(CROSS)readelf
HV_SIZE := $(CROSS)size
ARM64_SYSROOT := $(OUT)/arm64-sysroot
ARM64_LIBFDT := $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a

EARLY_UART ?= 0x09000000
EARLY_PSCI ?= 1
NR_CPUS ?= 16
XAM_VERSION := 0.1.0
# The banner's git hash is a generated header ($(HV_GIT_H)), forced into
# common/setup.c and hypercall/xen_version.c alone (the changeset and date
# guests read): a commit rebuilds those two objects and relinks.
HV_GIT_H := $(HV_OUT)/gen/xam_git.h

HV_SRCS := \
    $(HV_DIR)/arch/arm64/head.S \
    $(HV_DIR)/arch/arm64/vectors.S \
    $(HV_DIR)/arch/arm64/smccc.S \
    $(HV_DIR)/arch/arm64/cache.S \
    $(HV_DIR)/arch/arm64/entry_el.c \
    $(HV_DIR)/arch/arm64/esr.c \
    $(HV_DIR)/arch/arm64/idregs.c \
    $(HV_DIR)/arch/arm64/cpufeature.c \
    $(HV_DIR)/arch/arm64/fpsimd.S \
    $(HV_DIR)/arch/arm64/sve.S \
    $(HV_DIR)/arch/arm64/guest_entry.S \
    $(HV_DIR)/arch/arm64/stage2.c \
    $(HV_DIR)/arch/arm64/vcpu.c \
    $(HV_DIR)/arch/arm64/vgic_hw.c \
    $(HV_DIR)/arch/arm64/vgic_v2.c \
    $(HV_DIR)/arch/arm64/vgic_v3.c \
    $(HV_DIR)/arch/arm64/vtimer.c \
    $(HV_DIR)/arch/arm64/guest_mem.c \
    $(HV_DIR)/builder/dom0less.c \
    $(HV_DIR)/builder/domain_desc.c \
    $(HV_DIR)/builder/domain_layout.c \
    $(HV_DIR)/builder/domain_partial.c \
    $(HV_DIR)/builder/domain_plan.c \
    $(HV_DIR)/builder/domain_shm.c \
    $(HV_DIR)/builder/domain_virtio.c \
    $(HV_DIR)/builder/domain_xen_compat.c \
    $(HV_DIR)/builder/domain_evtchn.c \
    $(HV_DIR)/builder/guest_fdt.c \
    $(HV_DIR)/core/dm_console.c \
    $(HV_DIR)/core/domain.c \
    $(HV_DIR)/core/domain_input.c \
    $(HV_DIR)/core/emul.c \
    $(HV_DIR)/core/evtchn.c \
    $(HV_DIR)/core/exit.c \
    $(HV_DIR)/core/grant_table.c \
    $(HV_DIR)/core/guest_ram.c \
    $(HV_DIR)/core/guest_console.c \
    $(HV_DIR)/core/ioreq.c \
    $(HV_DIR)/core/lifecycle.c \
    $(HV_DIR)/core/p2m.c \
    $(HV_DIR)/core/pvconsole.c \
    $(HV_DIR)/core/sched.c \
    $(HV_DIR)/vdev/vgic/vgic.c \
    $(HV_DIR)/vdev/vgic/vgic_lr.c \
    $(HV_DIR)/vdev/vgic/vgic_mmio.c \
    $(HV_DIR)/vdev/vgic/vgic_sgi.c \
    $(HV_DIR)/vdev/vgic/vgic_v2_dist.c \
    $(HV_DIR)/vdev/vgic/vgic_v3_dist.c \
    $(HV_DIR)/vdev/vgic/vgic_v3_rdist.c \
    $(HV_DIR)/vdev/vpl011.c \
    $(HV_DIR)/vdev/vpsci.c \
    $(HV_DIR)/vdev/vpci_bridge.c \
    $(HV_DIR)/vdev/irq_forward.c \
    $(HV_DIR)/vdev/vdebug.c \
    $(HV_DIR)/vdev/vcpufeature.c \
    $(HV_DIR)/hypercall/hypercall.c \
    $(HV_DIR)/hypercall/dm_op.c \
    $(HV_DIR)/hypercall/event_channel_op.c \
    $(HV_DIR)/hypercall/grant_table_op.c \
    $(HV_DIR)/hypercall/memory_op.c \
    $(HV_DIR)/hypercall/xen_version.c \
    $(HV_DIR)/arch/arm64/mmu.c \
    $(HV_DIR)/arch/arm64/pagetable.c \
    $(HV_DIR)/arch/arm64/probe.c \
    $(HV_DIR)/arch/arm64/probe_load.S \
    $(HV_DIR)/arch/arm64/psci.c \
    $(HV_DIR)/arch/arm64/smp.c \
    $(HV_DIR)/arch/arm64/timer.c \
    $(HV_DIR)/arch/arm64/traps.c \
    $(HV_DIR)/common/console_input.c \
    $(HV_DIR)/common/crashtest.c \
    $(HV_DIR)/common/irq.c \
    $(HV_DIR)/common/log.c \
    $(HV_DIR)/common/console_hold.c \
    $(HV_DIR)/common/console_tx.c \
    $(HV_DIR)/common/random.c \
    $(HV_DIR)/common/memory.c \
    $(HV_DIR)/common/panic.c \
    $(HV_DIR)/common/setup.c \
    $(HV_DIR)/drivers/irqchip/gic.c \
    $(HV_DIR)/drivers/irqchip/gicv2.c \
    $(HV_DIR)/drivers/irqchip/gicv3.c \
    $(HV_DIR)/drivers/uart/pl011.c \
    $(HV_DIR)/dt/dtutil.c \
    $(HV_DIR)/dt/hostdt.c \
    $(HV_DIR)/lib/chacha20.c \
    $(HV_DIR)/lib/cmdline.c \
    $(HV_DIR)/lib/fmt.c \
    $(HV_DIR)/lib/inflate.c \
    $(HV_DIR)/lib/string.c \
    $(HV_DIR)/mm/memrange.c \
    $(HV_DIR)/mm/palloc.c

HV_OBJS := $(patsubst $(HV_DIR)/%,$(HV_OUT)/%.o,$(HV_SRCS))

# -mgeneral-regs-only: our code never touches FP/SIMD (libfdt.a does; see
#   docs/architecture.md). -mstrict-align: parts run with the MMU off.
# -fno-tree-loop-distribute-patterns: memcpy & co must not call themselves.
HV_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
    -isystem $(shell $(HV_CC) -print-file-name=include) \
    -I$(HV_DIR)/include/libc -I$(HV_DIR)/include -I$(HV_DIR)/arch/arm64/include \
    -I$(ARM64_SYSROOT)/usr/include \
    -fpie -fvisibility=hidden -fno-common -fno-tree-loop-distribute-patterns \
    -mgeneral-regs-only -mstrict-align -mno-outline-atomics -mbranch-protection=none \
    -fstack-protector-strong -fno-asynchronous-unwind-tables -fno-unwind-tables \
    -ffunction-sections -fdata-sections \
    -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wundef \
    -Wpointer-arith -Wno-unused-parameter \
    -DCONFIG_EARLY_UART=$(EARLY_UART) -DCONFIG_EARLY_PSCI=$(EARLY_PSCI) -DCONFIG_NR_CPUS=$(NR_CPUS) \
    -DXAM_VERSION='"$(XAM_VERSION)"'
HV_ASFLAGS := -D__ASSEMBLER__ -I$(HV_DIR)/include -I$(HV_DIR)/arch/arm64/include
# Cortex-A53 erratum 843419 (an ADRP at a page's last two words): fixed by
# turning the ADRP into an ADR, which reaches anywhere in an image this
# small. ld's default also sizes a page of veneers for each such site and
# keeps it when the ADR made them unneeded (4 KiB of padding after
# flush_slow once); should a site ever be out of ADR's reach, the link
# fails and says so instead.
HV_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,-z,norelro \
    -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--hash-style=sysv \
    -Wl,--fix-cortex-a53-843419=adr

# Every object depends on the options that built it: $(HV_FLAGS) holds the
# compiler, assembler and linker command lines and is rewritten only when
# they change (make EARLY_UART=... NR_CPUS=..., CROSS=...).
HV_FLAGS := $(HV_OUT)/flags
HV_FLAGS_TEXT := $(HV_CC) $(HV_CFLAGS)$(newline)$(HV_CC) $(HV_ASFLAGS)$(newline)$(HV_CC) $(HV_LDFLAGS)
$(HV_FLAGS): FORCE
	@$(call write-if-changed,$@,$(HV_FLAGS_TEXT))

$(HV_GIT_H): FORCE
	@mkdir -p $(dir $@)
	@printf '#define XAM_GIT "%s"\n#define XAM_GIT_DATE "%s"\n' "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	    "$$(git log -1 --format=%cd 2>/dev/null || echo unknown)" >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@
$(HV_OUT)/common/setup.c.o: $(HV_GIT_H)
$(HV_OUT)/common/setup.c.o: HV_CFLAGS += -include $(HV_GIT_H)
$(HV_OUT)/hypercall/xen_version.c.o: $(HV_GIT_H)
$(HV_OUT)/hypercall/xen_version.c.o: HV_CFLAGS += -include $(HV_GIT_H)

.PHONY: hypervisor
hypervisor: $(HV_IMAGE)

$(ARM64_LIBFDT):
	@echo "missing $@: run 'make deps' (build/deps.sh) first" >&2; exit 1

$(HV_OUT)/%.c.o: $(HV_DIR)/%.c $(ARM64_LIBFDT) $(HV_FLAGS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

# Code that runs once at boot, or at the speed of someone typing, is
# compiled for size: the image stays under its 256 KiB goal (make bench)
# without slowing anything that runs per domain, per trap or per line. So is
# the reading of a domain's optional bindings (partial device trees, static
# shared memory and event channels): once per domain built, only for the
# domains that have them, and none of the domain-count benches do.
HV_COLD := dt/hostdt.c lib/cmdline.c common/setup.c common/memory.c common/console_input.c common/crashtest.c \
    common/random.c common/panic.c arch/arm64/cpufeature.c arch/arm64/smp.c arch/arm64/mmu.c arch/arm64/esr.c \
    arch/arm64/traps.c arch/arm64/psci.c arch/arm64/entry_el.c builder/domain_partial.c builder/domain_shm.c \
    builder/domain_evtchn.c
$(HV_COLD:%=$(HV_OUT)/%.o): HV_CFLAGS += -Os
$(HV_COLD:%=$(HV_OUT)/%.o): $(HV_DIR)/hv.mk

$(HV_OUT)/%.S.o: $(HV_DIR)/%.S $(HV_FLAGS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(HV_CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# Every input of the ELF is in the rule, so changing a flag-free source is
# enough to relink; the relocation check keeps head.S's loop honest.
$(HV_ELF): $(HV_OBJS) $(HV_DIR)/arch/arm64/xam.lds $(ARM64_LIBFDT) $(HV_DIR)/hv.mk $(HV_FLAGS)
	$(HV_CC) $(HV_LDFLAGS) -T $(HV_DIR)/arch/arm64/xam.lds -o $@ $(HV_OBJS) $(ARM64_LIBFDT) -lgcc
	@bad=$$($(HV_READELF) -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_/ && $$3 != "R_AARCH64_RELATIVE" {print $$3}' | sort -u); \
	 if [ -n "$$bad" ]; then echo "$@: relocations head.S cannot apply: $$bad" >&2; rm -f $@; exit 1; fi
	@undef=$$($(CROSS)nm -u $@); if [ -n "$$undef" ]; then echo "$@: undefined symbols: $$undef" >&2; rm -f $@; exit 1; fi

$(HV_IMAGE): $(HV_ELF) build/image-header.sh
	$(HV_OBJCOPY) -O binary $< $@
	build/image-header.sh $@ $< $(CROSS)nm
	@$(HV_SIZE) -A $< | awk '/^\.(head\.text|text|rodata|data|data\.rel\.ro|got|rela\.dyn)/ {s+=$$2} END {printf "image: %s, text+data %d bytes\n", "$@", s}'

-include $(HV_OBJS:.o=.d)
