# imagebuilder: an ImageBuilder-style config to a U-Boot script (issue 5).
#   make imagebuilder        build/out/imagebuilder/imagebuilder
#   make imagebuilder-demo   boot imagebuilder/examples/qemu-virtio-disks.cfg through U-Boot (make run)
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

.PHONY: imagebuilder imagebuilder-demo imagebuilder-demo-inputs
imagebuilder: $(IB)

# The demo (make run): examples/qemu-virtio-disks.cfg, two Debian Linux
# guests with their disks served by a device-model domain. Its inputs
# (demo-inputs.sh) need what build/deps.sh --guests fetches: Debian's
# kernel (build/out/guests/linux/Image, gzip'ed here: a third of the
# bytes for U-Boot to load) and busybox and the virtio modules
# (build/out/guests/linux-dm); and the device model's image, whose rule
# (xen-arm-minimal/devmodel/devmodel.mk, read after this file, hence the
# paths spelt out) fetches the latter when missing.
IB_DEMO_CFG := imagebuilder/examples/qemu-virtio-disks.cfg
IB_DEMO_INPUTS := $(IB_OUT)/demo-inputs
IB_DEMO_STAMP := $(IB_DEMO_INPUTS)/.made
IB_DEMO_IMAGE_GZ := $(IB_OUT)/demo-Image.gz
IB_DEMO_LINUX := $(OUT)/guests/linux/Image
IB_DEMO_DEVMODEL := $(OUT)/devmodel/initramfs.cpio.gz

$(IB_DEMO_IMAGE_GZ): $(IB_DEMO_LINUX)
	@mkdir -p $(dir $@)
	gzip -9 -n -c $< >$@.tmp && mv -f $@.tmp $@

$(IB_DEMO_STAMP): imagebuilder/demo-inputs.sh imagebuilder/examples/virtio-guest-init.sh $(IB_DEMO_IMAGE_GZ) \
    $(IB_DEMO_DEVMODEL)
	imagebuilder/demo-inputs.sh $(OUT)/guests/linux-dm $(IB_DEMO_DEVMODEL) $(IB_DEMO_IMAGE_GZ) $(IB_DEMO_INPUTS)
	@touch $@

imagebuilder-demo-inputs: $(IB_DEMO_STAMP)

imagebuilder-demo: $(IB) $(HV_IMAGE) $(IB_DEMO_STAMP)
	imagebuilder/demo.sh $(IB) $(HV_IMAGE) $(IB_DEMO_CFG) $(IB_DEMO_INPUTS) $(IB_OUT)/demo --smp 2

# The imagebuilder tests boot the demo too (case make-run), once
# Debian's packages are fetched (build/deps.sh --guests; make test does).
ifneq ($(wildcard $(IB_DEMO_LINUX)),)
ifneq ($(wildcard $(OUT)/guests/linux-dm/VERSIONS),)
imagebuilder-tests: $(IB_DEMO_STAMP)
endif
endif
