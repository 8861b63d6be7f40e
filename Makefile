# xen-arm-minimal: the two commands a newcomer needs are `make run` (the
# demo) and `make test` (everything, ending in "N passed, N failed").
# Both install what they need first (build/deps.sh; root or sudo).

OUT := build/out
export OUT

.PHONY: all deps run test unit boot-tests fuzz-smoke fuzz bench clean help FORCE
all: hypervisor

# Flags stamps: $(call write-if-changed,FILE,TEXT) writes TEXT to FILE only
# when it differs, so a rule "STAMP: FORCE" whose recipe is this leaves
# STAMP's time alone until the options change. Every object depends on its
# build's stamp (build/out/*/flags): a new option rebuilds exactly them.
# TEXT is a simply expanded variable set where the flags are defined, so a
# target-specific flag (one object's extra -I) can never leak into a stamp.
define write-if-changed
$(shell mkdir -p $(dir $1))$(file >$1.tmp,$2)cmp -s $1.tmp $1 && rm -f $1.tmp || mv -f $1.tmp $1
endef
define newline


endef

include xen-arm-minimal/hv.mk
include tests/host.mk
# Each test layer owns its fragment: targets unit, boot-tests, fuzz-smoke, fuzz.
include tests/guests/guests.mk
-include tests/unit/unit.mk
-include tests/boot/boot.mk
-include tests/fuzz/fuzz.mk
# Host programs: the dry run, and imagebuilder (with its own tests).
-include xen-arm-minimal/tools/tools.mk
-include imagebuilder/imagebuilder.mk
-include tests/imagebuilder/imagebuilder-tests.mk
# The device model (issue 12): the Linux program and its domain's image;
# its library's host tests.
-include xen-arm-minimal/devmodel/devmodel.mk
-include tests/devmodel.mk

deps:
	build/deps.sh

help:
	@sed -n 's/^## //p' Makefile

## make            build the hypervisor image (build/out/xen-arm-minimal.Image)
## make deps       install/fetch everything the build and tests need
## make run        the demo: two Debian Linux guests with disks served by a device-model domain, booted by U-Boot under QEMU
## make test       every test layer; ends with "N passed, N failed"
## make bench      boot timeline, size and Linux-guest ratio against the anchors
## make clean      remove everything built under build/out (keeps the arm64 sysroot and fetched guests)
# The demo boots Debian's kernel and a device model built on Debian's Xen
# libraries: build/deps.sh --guests fetches them (and the host packages).
run:
	build/deps.sh --guests
	$(MAKE) imagebuilder-demo

test:
	build/deps.sh --guests
	$(MAKE) hypervisor
	tests/run-all.sh

bench:
	build/deps.sh --guests
	$(MAKE) hypervisor
	tests/bench/bench.sh $(HV_IMAGE) $(HV_ELF)
	tests/bench/builder.sh $(HV_IMAGE)
	ICOUNT=1 tests/bench/builder.sh $(HV_IMAGE)
	tests/bench/traps.sh $(HV_IMAGE)
	tests/bench/switch.sh $(HV_IMAGE)
	tests/bench/ioreq.sh $(HV_IMAGE)
	tests/bench/linux-ratio.sh $(HV_IMAGE)
	tests/bench/virtio.sh $(HV_IMAGE)

# Everything under build/out is built, except what build/deps.sh downloads:
# the arm64 sysroot (libfdt) and the guest kernels (build/out/guests).
CLEAN_KEEP := arm64-sysroot guests
clean:
	@[ ! -d $(OUT) ] || find $(OUT) -mindepth 1 -maxdepth 1 $(CLEAN_KEEP:%=! -name %) -print -exec rm -rf {} +
