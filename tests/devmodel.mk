# The device model's devices and bus (xen-arm-minimal/devmodel/bus, pci,
# virtio: no Xen in them) on the host, driven through dm_bus.h with a fake
# guest (tests/unit/dm_fake_guest.c):
#   make unit          also runs the cmocka programs test_dm_* (ASan/UBSan)
#   make fuzz-smoke    also a bounded run of fuzz_dm_bus
#   make fuzz          also a long one (FUZZ_SECONDS)
DM_TEST_OUT := $(TESTS_OUT)/devmodel
DM_DEV_SRCS := $(sort $(wildcard xen-arm-minimal/devmodel/bus/*.c xen-arm-minimal/devmodel/pci/*.c \
    xen-arm-minimal/devmodel/virtio/*.c))
DM_UNIT_NAMES := dm_pci dm_virtqueue dm_virtio_blk dm_virtio_rng_console dm_grantmem
DM_UNIT_BINS := $(addprefix $(DM_TEST_OUT)/test_,$(DM_UNIT_NAMES))
DM_INCLUDES := -Ixen-arm-minimal/devmodel -Itests/unit
DM_CC ?= gcc
DM_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) $(DM_INCLUDES)
DM_FUZZ_CC := clang
DM_FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(HOST_WARNINGS) $(DM_INCLUDES)
DM_FLAGS := $(DM_TEST_OUT)/flags
$(DM_FLAGS): FORCE
	@$(call write-if-changed,$@,$(DM_CC) $(DM_CFLAGS)$(newline)$(DM_FUZZ_CC) $(DM_FUZZ_CFLAGS))

# Unit tests: the devices' objects and the fake guest in one archive.
DM_UNIT_OBJS := $(patsubst %.c,$(DM_TEST_OUT)/obj/%.o,$(DM_DEV_SRCS) tests/unit/dm_fake_guest.c)
DM_UNIT_LIB := $(DM_TEST_OUT)/libdm-host.a
DM_UNIT_TEST_OBJS := $(DM_UNIT_NAMES:%=$(DM_TEST_OUT)/obj/tests/unit/test_%.o)
.SECONDARY: $(DM_UNIT_TEST_OBJS)

$(DM_TEST_OUT)/obj/%.o: %.c $(DM_FLAGS) tests/host.mk tests/devmodel.mk
	@mkdir -p $(dir $@)
	$(DM_CC) $(DM_CFLAGS) -MMD -MP -c -o $@ $<

$(DM_UNIT_LIB): $(DM_UNIT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(DM_TEST_OUT)/test_%: $(DM_TEST_OUT)/obj/tests/unit/test_%.o $(DM_UNIT_LIB)
	$(DM_CC) $(DM_CFLAGS) -o $@ $< $(DM_UNIT_LIB) -lcmocka

# The Xen side's grant addresses (xen/grantmem.c) over a fake libxengnttab
# (tests/unit/fake-xengnttab/), outside the devices' archive: the test
# implements the library and the log itself.
DM_GRANT_OBJ := $(DM_TEST_OUT)/obj/xen-arm-minimal/devmodel/xen/grantmem.o
$(DM_GRANT_OBJ) $(DM_TEST_OUT)/obj/tests/unit/test_dm_grantmem.o: DM_CFLAGS += -Itests/unit/fake-xengnttab
$(DM_TEST_OUT)/test_dm_grantmem: $(DM_TEST_OUT)/obj/tests/unit/test_dm_grantmem.o $(DM_GRANT_OBJ)
	$(DM_CC) $(DM_CFLAGS) -o $@ $^ -lcmocka

# The fuzzer: its own objects, with libFuzzer's instrumentation.
DM_FUZZ_OBJS := $(patsubst %.c,$(DM_TEST_OUT)/fuzz-obj/%.o,$(DM_DEV_SRCS) tests/fuzz/fuzz_dm_bus.c)
DM_FUZZER := $(DM_TEST_OUT)/fuzz_dm_bus
.SECONDARY: $(DM_FUZZ_OBJS)

$(DM_TEST_OUT)/fuzz-obj/%.o: %.c $(DM_FLAGS) tests/host.mk tests/devmodel.mk
	@mkdir -p $(dir $@)
	$(DM_FUZZ_CC) $(DM_FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(DM_FUZZER): $(DM_FUZZ_OBJS)
	$(DM_FUZZ_CC) $(DM_FUZZ_CFLAGS) -o $@ $^

# Seeds: a driver's set-up and requests of each device, written by the
# fuzzer itself (fuzz_dm_bus -seeds DIR), so they follow its input format.
$(DM_TEST_OUT)/seeds/dm_bus/.done: $(DM_FUZZER)
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(DM_FUZZER) -seeds=$(dir $@) >/dev/null
	@touch $@

-include $(DM_UNIT_OBJS:.o=.d) $(DM_UNIT_TEST_OBJS:.o=.d) $(DM_FUZZ_OBJS:.o=.d) $(DM_GRANT_OBJ:.o=.d)

.PHONY: unit-devmodel fuzz-smoke-devmodel fuzz-devmodel
unit: unit-devmodel
unit-devmodel: $(DM_UNIT_BINS)
	tests/lib/cmocka-run.sh $(DM_TEST_OUT) $(DM_UNIT_NAMES)

fuzz-smoke: fuzz-smoke-devmodel
fuzz-smoke-devmodel: $(DM_FUZZER) $(DM_TEST_OUT)/seeds/dm_bus/.done
	tests/fuzz/run.sh smoke $(DM_TEST_OUT) fuzz_dm_bus

fuzz: fuzz-devmodel
fuzz-devmodel: $(DM_FUZZER) $(DM_TEST_OUT)/seeds/dm_bus/.done
	tests/fuzz/run.sh long $(DM_TEST_OUT) fuzz_dm_bus
