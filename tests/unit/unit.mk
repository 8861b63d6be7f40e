# Host unit tests: the portable C, with the host compiler and libfdt, under
# ASan and UBSan, with cmocka. `make unit` builds every test program into
# $(TESTS_OUT)/unit, dumps/compiles the DT fixtures and runs all groups.
UNIT_OUT := $(TESTS_OUT)/unit
# Groups over the guest-facing code and the fake architecture (tests/host.mk,
# HOST_GUEST_SRCS): their own objects, archive and link line.
UNIT_GUEST_NAMES := emul vcpufeature lifecycle vpsci_hypercall vdev vgic p2m guest_ram grant_table ioreq evtchn static_evtchn pvconsole dm_console
UNIT_NAMES := memrange palloc fmt chacha20 cmdline pagetable esr idregs dtutil hostdt string guest_fdt domain_desc domain_shm domain_partial direct_map inflate guest_console console_hold console_tx \
    $(UNIT_GUEST_NAMES)
UNIT_BINS := $(addprefix $(UNIT_OUT)/test_,$(UNIT_NAMES))
UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) $(HOST_INCLUDES)
# The portable sources are compiled once and kept in an archive: each test
# program links only the members it needs.
UNIT_PORTABLE_OBJS := $(patsubst %.c,$(UNIT_OUT)/obj/%.o,$(HOST_PORTABLE_SRCS))
UNIT_LIB := $(UNIT_OUT)/libxam-host.a
UNIT_TEST_OBJS := $(UNIT_NAMES:%=$(UNIT_OUT)/obj/tests/unit/test_%.o)
UNIT_FIXTURES := $(UNIT_OUT)/dtb/.done
# Reached through a chain of pattern rules: keep them for incremental builds.
.SECONDARY: $(UNIT_TEST_OBJS)
# The compiler and options of both flavours (UNIT_CC=clang rebuilds them).
UNIT_FLAGS := $(UNIT_OUT)/flags
$(UNIT_FLAGS): FORCE
	@$(call write-if-changed,$@,$(UNIT_FLAGS_TEXT))

$(UNIT_OUT)/obj/%.o: %.c $(UNIT_FLAGS) tests/host.mk tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

# test_string includes lib/string.c under other names: the host's builtins
# must not stand in for the functions under test.
$(UNIT_OUT)/obj/tests/unit/test_string.o: UNIT_CFLAGS += -fno-builtin

$(UNIT_LIB): $(UNIT_PORTABLE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(UNIT_OUT)/test_%: $(UNIT_OUT)/obj/tests/unit/test_%.o $(UNIT_LIB)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_LIB) -lcmocka -lfdt

$(UNIT_FIXTURES): tests/dtb/make-fixtures.sh tests/dtb/qemu-dtb.sh $(wildcard tests/dtb/*.dts tests/dtb/*.dtsi)
	tests/dtb/make-fixtures.sh $(UNIT_OUT)/dtb
	@touch $@

UNIT_GUEST_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) $(HOST_FAKE_INCLUDES)
UNIT_FLAGS_TEXT := $(UNIT_CC) $(UNIT_CFLAGS)$(newline)$(UNIT_CC) $(UNIT_GUEST_CFLAGS)
UNIT_GUEST_OBJS := $(patsubst %.c,$(UNIT_OUT)/guest-obj/%.o,$(HOST_GUEST_SRCS))
UNIT_GUEST_LIB := $(UNIT_OUT)/libxam-guest.a
UNIT_GUEST_TEST_OBJS := $(UNIT_GUEST_NAMES:%=$(UNIT_OUT)/guest-obj/tests/unit/test_%.o)
.SECONDARY: $(UNIT_GUEST_TEST_OBJS)

$(UNIT_OUT)/guest-obj/%.o: %.c $(UNIT_FLAGS) tests/host.mk tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_GUEST_CFLAGS) -MMD -MP -c -o $@ $<

# test_vgic looks at the vGIC's own state (vdev/vgic/vgic_priv.h) and
# checks it with tests/lib/vgic_check.h.
$(UNIT_OUT)/guest-obj/tests/unit/test_vgic.o: UNIT_GUEST_CFLAGS += -Ixen-arm-minimal/vdev/vgic -Itests/lib

$(UNIT_GUEST_LIB): $(UNIT_GUEST_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(UNIT_GUEST_NAMES:%=$(UNIT_OUT)/test_%): $(UNIT_OUT)/test_%: $(UNIT_OUT)/guest-obj/tests/unit/test_%.o $(UNIT_GUEST_LIB)
	$(UNIT_CC) $(UNIT_GUEST_CFLAGS) -o $@ $< $(UNIT_GUEST_LIB) -lcmocka -lpthread

-include $(UNIT_PORTABLE_OBJS:.o=.d) $(UNIT_TEST_OBJS:.o=.d)
-include $(UNIT_GUEST_OBJS:.o=.d) $(UNIT_GUEST_TEST_OBJS:.o=.d)

.PHONY: unit
unit: $(UNIT_BINS) $(UNIT_FIXTURES)
	tests/lib/cmocka-run.sh $(UNIT_OUT) $(UNIT_NAMES) -- $(UNIT_OUT)/dtb tests/fuzz/regressions
