# Host programs built from the hypervisor's portable code.
#   make dryrun    build/out/tools/xam-dryrun
# DRYRUN_OBJS is what any host program linking dryrun() needs (imagebuilder
# links them as they are). Objects are built with -MMD, and depend on
# $(TOOLS_OUT)/flags, the compiler and options (make dryrun CC=clang).
TOOLS_OUT := $(OUT)/tools
DRYRUN_SRCS := xen-arm-minimal/tools/dryrun/dryrun.c $(HOST_PORTABLE_SRCS)
DRYRUN_INCLUDES := $(HOST_INCLUDES) -Ixen-arm-minimal/tools/dryrun
DRYRUN := $(TOOLS_OUT)/xam-dryrun
TOOLS_CFLAGS := -std=gnu11 -O2 -g $(HOST_WARNINGS) $(DRYRUN_INCLUDES)
DRYRUN_OBJS := $(patsubst %.c,$(TOOLS_OUT)/obj/%.o,$(DRYRUN_SRCS))
DRYRUN_MAIN_OBJ := $(TOOLS_OUT)/obj/xen-arm-minimal/tools/dryrun/main.o

TOOLS_FLAGS_TEXT := $(CC) $(TOOLS_CFLAGS)
$(TOOLS_OUT)/flags: FORCE
	@$(call write-if-changed,$@,$(TOOLS_FLAGS_TEXT))

$(TOOLS_OUT)/obj/%.o: %.c $(TOOLS_OUT)/flags tests/host.mk xen-arm-minimal/tools/tools.mk
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -MMD -MP -c -o $@ $<

$(DRYRUN): $(DRYRUN_MAIN_OBJ) $(DRYRUN_OBJS)
	$(CC) $(TOOLS_CFLAGS) -o $@ $^ -lfdt

-include $(DRYRUN_OBJS:.o=.d) $(DRYRUN_MAIN_OBJ:.o=.d)

.PHONY: dryrun
dryrun: $(DRYRUN)

.PHONY: tools-tests
tools-tests: $(DRYRUN)
	tests/tools/layer-check.sh
	tests/tools/format-check.sh
	tests/tools/dryrun-test.sh $(DRYRUN) $(TESTS_OUT)/tools
	tests/tools/dts-examples.sh $(DRYRUN) $(TESTS_OUT)/tools/dts

# Rewrites every C source to follow .clang-format (what tools/format checks).
.PHONY: format
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i
