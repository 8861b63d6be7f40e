# xen-arm-minimal: the two commands a newcomer needs are `make run` (the
# demo) and `make test` (everything, ending in "N passed, N failed").
# Both install what they need first (build/deps.sh; root or sudo).

OUT := build/out
export OUT

.PHONY: all deps run test unit boot-tests fuzz-smoke fuzz bench clean help
all: hypervisor

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

deps:
	build/deps.sh

help:
	@sed -n 's/^## //p' Makefile

## make            build the hypervisor image (build/out/xen-arm-minimal.Image)
## make deps       install/fetch everything the build and tests need
## make run        the demo: imagebuilder's example system booted by U-Boot under QEMU
## make test       every test layer; ends with "N passed, N failed"
## make bench      boot timeline, size and Linux-guest ratio against the anchors
## make clean      remove build/out (keeps downloaded packages)
run: deps
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
	tests/bench/traps.sh $(HV_IMAGE)
	tests/bench/linux-ratio.sh $(HV_IMAGE)

clean:
	rm -rf $(OUT)/hv $(OUT)/tests $(HV_IMAGE)
