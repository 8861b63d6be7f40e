# Host unit tests: the portable C, with the host compiler and libfdt, under
# ASan and UBSan, with cmocka. make unit
UNIT_OUT := $(TESTS_OUT)/unit
UNIT_NAMES := memrange palloc fmt cmdline pagetable esr hostdt string
UNIT_BINS := $(addprefix $(UNIT_OUT)/test_,$(UNIT_NAMES))
UNIT_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARNINGS) $(HOST_SAN) $(HOST_INCLUDES)

$(UNIT_OUT)/test_%: tests/unit/test_%.c tests/unit/unit.h $(HOST_PORTABLE_SRCS) tests/host.mk tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(HOST_PORTABLE_SRCS) -lcmocka -lfdt

# lib/string.c is included by the test itself, under other names.
$(UNIT_OUT)/test_string: tests/unit/test_string.c tests/unit/unit.h xen-arm-minimal/lib/string.c tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -fno-builtin -o $@ $< -lcmocka

$(UNIT_OUT)/dtb/.done: tests/dtb/make-fixtures.sh tests/dtb/qemu-dtb.sh $(wildcard tests/dtb/*.dts)
	tests/dtb/make-fixtures.sh $(UNIT_OUT)/dtb
	touch $@

.PHONY: unit
unit: $(UNIT_BINS) $(UNIT_OUT)/dtb/.done
	tests/unit/run.sh $(UNIT_OUT) $(UNIT_NAMES)
