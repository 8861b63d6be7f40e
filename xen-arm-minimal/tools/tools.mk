# Host programs built from the hypervisor's portable code.
#   make dryrun    build/out/tools/xam-dryrun
# DRYRUN_SRCS is what any host program linking dryrun() needs (imagebuilder).
TOOLS_OUT := $(OUT)/tools
DRYRUN_SRCS := xen-arm-minimal/tools/dryrun/dryrun.c $(HOST_PORTABLE_SRCS)
DRYRUN_INCLUDES := $(HOST_INCLUDES) -Ixen-arm-minimal/tools/dryrun
DRYRUN := $(TOOLS_OUT)/xam-dryrun

$(DRYRUN): xen-arm-minimal/tools/dryrun/main.c xen-arm-minimal/tools/dryrun/dryrun.h $(DRYRUN_SRCS) \
        $(wildcard xen-arm-minimal/include/xam/*.h) tests/host.mk xen-arm-minimal/tools/tools.mk
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(HOST_WARNINGS) $(DRYRUN_INCLUDES) -o $@ $< $(DRYRUN_SRCS) -lfdt

.PHONY: dryrun
dryrun: $(DRYRUN)

.PHONY: tools-tests
tools-tests: $(DRYRUN)
	tests/tools/layer-check.sh
	tests/tools/dryrun-test.sh $(DRYRUN) $(TESTS_OUT)/tools
	tests/tools/dts-examples.sh $(DRYRUN) $(TESTS_OUT)/tools/dts
