# libFuzzer targets over every parser of untrusted input (ASan + UBSan).
#   make fuzz-smoke   a short bounded run of each (part of make test)
#   make fuzz         long runs: FUZZ_SECONDS per target (default 600)
FUZZ_OUT := $(TESTS_OUT)/fuzz
# Targets over the guest-facing code and the fake architecture (tests/host.mk,
# HOST_GUEST_SRCS): their own sources and include order.
FUZZ_GUEST_TARGETS := fuzz_mmio fuzz_vgic fuzz_hypercall
FUZZ_TARGETS := fuzz_hostdt fuzz_dtprop fuzz_cmdline fuzz_builder fuzz_inflate fuzz_guest_console $(FUZZ_GUEST_TARGETS)
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(HOST_INCLUDES) $(HOST_WARNINGS)
FUZZ_SEED_DTS := $(wildcard tests/fuzz/seeds/*.dts)
FUZZ_GUEST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(HOST_FAKE_INCLUDES) $(HOST_WARNINGS)

# Each source is compiled once per flavour, with -MMD (a header change
# rebuilds what includes it), into obj/ (portable) or guest-obj/ (fake
# architecture); each fuzzer links its own object with its flavour's.
FUZZ_PORTABLE_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(HOST_PORTABLE_SRCS))
FUZZ_GUEST_OBJS := $(patsubst %.c,$(FUZZ_OUT)/guest-obj/%.o,$(HOST_GUEST_SRCS))
FUZZ_MAIN_OBJS := $(filter-out $(FUZZ_GUEST_TARGETS:%=$(FUZZ_OUT)/obj/tests/fuzz/%.o),$(FUZZ_TARGETS:%=$(FUZZ_OUT)/obj/tests/fuzz/%.o)) \
    $(FUZZ_GUEST_TARGETS:%=$(FUZZ_OUT)/guest-obj/tests/fuzz/%.o)
.SECONDARY: $(FUZZ_MAIN_OBJS) $(FUZZ_PORTABLE_OBJS) $(FUZZ_GUEST_OBJS)
FUZZ_FLAGS := $(FUZZ_OUT)/flags
FUZZ_FLAGS_TEXT := $(FUZZ_CC) $(FUZZ_CFLAGS)$(newline)$(FUZZ_CC) $(FUZZ_GUEST_CFLAGS)
$(FUZZ_FLAGS): FORCE
	@$(call write-if-changed,$@,$(FUZZ_FLAGS_TEXT))

$(FUZZ_OUT)/obj/%.o: %.c $(FUZZ_FLAGS) tests/host.mk tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(FUZZ_OUT)/guest-obj/%.o: %.c $(FUZZ_FLAGS) tests/host.mk tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_GUEST_CFLAGS) -MMD -MP -c -o $@ $<
# fuzz_vgic looks at the vGIC's own state, checked by tests/lib/vgic_check.h.
$(FUZZ_OUT)/guest-obj/tests/fuzz/fuzz_vgic.o: FUZZ_GUEST_CFLAGS += -Ixen-arm-minimal/vdev/vgic -Itests/lib

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_PORTABLE_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lfdt
$(FUZZ_GUEST_TARGETS:%=$(FUZZ_OUT)/%): $(FUZZ_OUT)/%: $(FUZZ_OUT)/guest-obj/tests/fuzz/%.o $(FUZZ_GUEST_OBJS)
	$(FUZZ_CC) $(FUZZ_GUEST_CFLAGS) -o $@ $^ -lpthread

-include $(FUZZ_PORTABLE_OBJS:.o=.d) $(FUZZ_GUEST_OBJS:.o=.d) $(FUZZ_MAIN_OBJS:.o=.d)

# vGIC seeds: GICv3 with 2 vCPUs and GICv2 with 3, a few accesses, an
# injection, an entry and an exit each.
$(FUZZ_OUT)/seeds/vgic/.done: tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	printf '\042\000\000\004\000\001\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000\001\000\000\000\006\000\041\000\011\377\377\014' >$(dir $@)v3
	printf '\025\001\000\004\000\001\000\000\000\003\000\000\000\000\000\000\000\010\005\000\001\000\000\000\000\000\000\011\125\125\015' >$(dir $@)v2
	touch $@

# A few hand-made inputs: accesses to each region, a guest entry, console
# input (mmio).
$(FUZZ_OUT)/seeds/mmio/.done: tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	printf '\000\003\000\006\000\000\000\000\000\001\001\000\000\000\000\000\000\000\006\125\005\000A' >$(dir $@)1
	printf '\001\017\001\002\000\001\000\000\000\002\002\004\000\000\000\000\001\377\000\000\000\000\000\000\000\206\252' >$(dir $@)2
	head -c 2048 tests/fuzz/fuzz_mmio.c >$(dir $@)3
	touch $@

# hypercall: the target writes its own seeds (XAM_HYPERCALL_SEEDS), encoded
# next to its decoder: a device model's full set-up (server, ranges, the
# ioreq page, the slots' channels) and its client's traffic, foreign
# mappings across a reset, grants, the PV console.
$(FUZZ_OUT)/seeds/hypercall/.done: $(FUZZ_OUT)/fuzz_hypercall
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	XAM_HYPERCALL_SEEDS=$(dir $@) $<
	touch $@

# Seeds: QEMU's real trees (packed: the 1 MiB padding would exceed
# -max_len) and the hand-written ones.
$(FUZZ_OUT)/seeds/.done: $(FUZZ_SEED_DTS) tests/dtb/qemu-dtb.sh
	@mkdir -p $(FUZZ_OUT)/seeds/hostdt $(FUZZ_OUT)/seeds/cmdline
	for g in 2 3; do for s in 1 4; do \
	    tests/dtb/qemu-dtb.sh $(FUZZ_OUT)/seeds/raw.dtb $$g $$s && \
	    dtc -q -I dtb -O dtb -o $(FUZZ_OUT)/seeds/hostdt/qemu-v$$g-smp$$s.dtb $(FUZZ_OUT)/seeds/raw.dtb || exit 1; \
	done; done
	for f in $(FUZZ_SEED_DTS); do dtc -q -I dts -O dtb -o $(FUZZ_OUT)/seeds/hostdt/$$(basename $$f .dts).dtb $$f || exit 1; done
	printf 'loglvl\nloglvl=all dtuart=/pl011@9000000 console=dtuart' >$(FUZZ_OUT)/seeds/cmdline/1
	printf 'dtuart\ndtuart="/soc/uart@0" crash-test=abort dtuart=serial0' >$(FUZZ_OUT)/seeds/cmdline/2
	rm -rf $(FUZZ_OUT)/seeds/builder && cp -r $(FUZZ_OUT)/seeds/hostdt $(FUZZ_OUT)/seeds/builder
	rm -rf $(FUZZ_OUT)/seeds/dtprop && cp -r $(FUZZ_OUT)/seeds/hostdt $(FUZZ_OUT)/seeds/dtprop
	rm -f $(FUZZ_OUT)/seeds/raw.dtb
	touch $@

# gzip members of each block type, made here by gzip: fixed and dynamic
# Huffman (the target's own source at two levels), stored (gzip output is
# incompressible), empty, and one with FNAME and MTIME set.
$(FUZZ_OUT)/seeds/inflate/.done: tests/fuzz/fuzz_inflate.c tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	gzip -9 -n -c tests/fuzz/fuzz_inflate.c >$(dir $@)dynamic9.gz
	gzip -1 -n -c tests/fuzz/fuzz_inflate.c >$(dir $@)dynamic1.gz
	head -c 200 tests/fuzz/fuzz_inflate.c | gzip -9 -n -c >$(dir $@)fixed.gz
	gzip -9 -n -c tests/fuzz/fuzz_inflate.c | gzip -9 -n -c >$(dir $@)stored.gz
	printf '' | gzip -n -c >$(dir $@)empty.gz
	gzip -c tests/fuzz/fuzz_inflate.c >$(dir $@)named.gz
	touch $@

# What guests write: lines, Linux's boot messages with UTF-8, forging
# attempts (a hypervisor line after a '\n', escape sequences, CR, NUL),
# and a line too long for one console line.
$(FUZZ_OUT)/seeds/guest_console/.done: tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	printf 'hello\r\nworld\n\npartial' >$(dir $@)lines
	printf '[    0.000000] Booting Linux on physical CPU 0x0\r\n\303\251\342\234\223 \360\237\220\247\n' >$(dir $@)linux
	printf 'ok\n[    0.100000] ERROR: *** CRASH on CPU0\n\033[2J\033[H\033]0;t\007x\rover\000\177\233\\x1b\n' >$(dir $@)forge
	head -c 500 /dev/zero | tr '\0' 'a' >$(dir $@)long
	touch $@

fuzz-smoke fuzz: $(FUZZ_OUT)/seeds/inflate/.done $(FUZZ_OUT)/seeds/guest_console/.done \
    $(FUZZ_OUT)/seeds/mmio/.done $(FUZZ_OUT)/seeds/hypercall/.done $(FUZZ_OUT)/seeds/vgic/.done

# Host-tree mutants booted under QEMU and checked against the dry run
# (tests/fuzz/hostdt-boot.sh, after the libFuzzer targets in both forms);
# tests/fuzz/mutate_dtb.c makes them, with the host's libfdt.
FUZZ_MUTATOR := $(FUZZ_OUT)/mutate_dtb
$(FUZZ_MUTATOR): tests/fuzz/mutate_dtb.c $(FUZZ_FLAGS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 $(HOST_SAN) $(HOST_WARNINGS) -o $@ $< -lfdt
HOSTDT_BOOT := XAM_IMAGE=$(HV_IMAGE) XAM_SHIM=$(BOOT_SHIM) XAM_GUESTS=$(GUESTS_OUT) \
    XAM_DRYRUN=$(OUT)/tools/xam-dryrun XAM_MUTATOR=$(FUZZ_MUTATOR) tests/fuzz/hostdt-boot.sh
HOSTDT_BOOT_DEPS := $(FUZZ_MUTATOR) $(HV_IMAGE) $(BOOT_SHIM) $(GUEST_IMAGES) dryrun

.PHONY: fuzz-smoke fuzz fuzz-hostdt-boot-smoke fuzz-hostdt-boot
# The fixed findings' fixtures (regressions/hostdt_boot/fixed.list) are
# checked in both forms, one line each.
HOSTDT_FIXED := tests/fuzz/regressions/hostdt_boot/fixed.list
HOSTDT_BOOT_FIXED = grep -v '^\#' $(HOSTDT_FIXED) | while read -r f b; do \
	$(HOSTDT_BOOT) check tests/fuzz/regressions/hostdt_boot/$$f $$b | sed "s|fuzz/hostdt-boot|fuzz/hostdt-boot-fixed/$$f|" \
	    || echo "not ok - fuzz/hostdt-boot-fixed/$$f: check failed"; done

fuzz-smoke: $(FUZZ_BINS) $(FUZZ_OUT)/seeds/.done $(HOSTDT_BOOT_DEPS)
	st=0; tests/fuzz/run.sh smoke $(FUZZ_OUT) $(FUZZ_TARGETS) || st=1; \
	$(HOSTDT_BOOT) smoke || st=1; \
	$(HOSTDT_BOOT_FIXED); exit $$st

fuzz: $(FUZZ_BINS) $(FUZZ_OUT)/seeds/.done $(HOSTDT_BOOT_DEPS)
	st=0; tests/fuzz/run.sh long $(FUZZ_OUT) $(FUZZ_TARGETS) || st=1; \
	$(HOSTDT_BOOT) long || st=1; exit $$st

# the mutant boots alone (HOSTDT_BOOT_COUNT, HOSTDT_BOOT_SEED, FUZZ_SECONDS)
fuzz-hostdt-boot-smoke: $(HOSTDT_BOOT_DEPS)
	$(HOSTDT_BOOT) smoke
fuzz-hostdt-boot: $(HOSTDT_BOOT_DEPS)
	$(HOSTDT_BOOT) long
