# imagebuilder: an ImageBuilder-style config to a U-Boot script (issue 5).
#   make imagebuilder        build/out/imagebuilder/imagebuilder
#   make imagebuilder-demo   boot imagebuilder/examples/qemu-two-guests.cfg through U-Boot
# It links the hypervisor's dry run (DRYRUN_OBJS, from xen-arm-minimal/tools/tools.mk).
IB_OUT := $(OUT)/imagebuilder
IB := $(IB_OUT)/imagebuilder
# The tool's own sources (main.c apart, so the unit tests can link the rest).
IB_LIB_SRCS := imagebuilder/util.c imagebuilder/config.c imagebuilder/layout.c imagebuilder/edits.c \
    imagebuilder/script.c imagebuilder/qemu.c imagebuilder/build.c
IB_SRCS := imagebuilder/main.c $(IB_LIB_SRCS)
IB_DRYRUN_INCLUDES := $(HOST_INCLUDES) -Ixen-arm-minimal/tools/dryrun
IB_CFLAGS := -std=gnu11 -O2 -g $(HOST_WARNINGS) $(IB_DRYRUN_INCLUDES)
# Objects with -MMD, depending on the compiler and options ($(IB_OUT)/flags).
IB_OBJS := $(patsubst %.c,$(IB_OUT)/obj/%.o,$(IB_SRCS))

IB_FLAGS_TEXT := $(CC) $(IB_CFLAGS)
$(IB_OUT)/flags: FORCE
	@$(call write-if-changed,$@,$(IB_FLAGS_TEXT))

$(IB_OUT)/obj/%.o: %.c $(IB_OUT)/flags imagebuilder/imagebuilder.mk tests/host.mk
	@mkdir -p $(dir $@)
	$(CC) $(IB_CFLAGS) -MMD -MP -c -o $@ $<

$(IB): $(IB_OBJS) $(DRYRUN_OBJS)
	$(CC) $(IB_CFLAGS) -o $@ $^ -lfdt

-include $(IB_OBJS:.o=.d)

.PHONY: imagebuilder imagebuilder-demo
imagebuilder: $(IB)

imagebuilder-demo: $(IB) $(HV_IMAGE) $(GUEST_IMAGES)
	imagebuilder/demo.sh $(IB) $(HV_IMAGE) $(GUESTS_OUT) $(IB_OUT)/demo
