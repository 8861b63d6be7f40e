# xam-devmodel (issue 12): the device model, a Linux program cross-compiled
# against Debian's arm64 Xen libraries and linked with their shared
# objects, and the device-model domain's image: Debian's arm64 kernel (the
# one build/fetch-guests.sh fetches, build/out/guests/linux/Image) and
# build/out/devmodel/initramfs.cpio.gz (busybox, the kernel's Xen and pmem
# modules, the program and its libraries with libc and the dynamic loader,
# all from Debian arm64 packages: build/fetch-xen-libs.sh).
#   make devmodel          the program
#   make devmodel-image    its domain's initramfs
DEVMODEL_OUT := $(OUT)/devmodel
DEVMODEL_FETCHED := $(OUT)/guests/linux-dm
DEVMODEL_SYSROOT := $(DEVMODEL_FETCHED)/sysroot
DEVMODEL_LIBDIR := $(DEVMODEL_SYSROOT)/usr/lib/aarch64-linux-gnu
DEVMODEL_PROG := $(DEVMODEL_OUT)/xam-devmodel
DEVMODEL_INITRAMFS := $(DEVMODEL_OUT)/initramfs.cpio.gz
# Its Xen side (main.c, xen/) and its devices (bus/, pci/, virtio/)
DEVMODEL_SRCS := $(sort $(wildcard xen-arm-minimal/devmodel/*.c xen-arm-minimal/devmodel/*/*.c))
DEVMODEL_OBJS := $(patsubst xen-arm-minimal/devmodel/%.c,$(DEVMODEL_OUT)/obj/%.o,$(DEVMODEL_SRCS))
# Messages and paths are cut to their buffers on purpose (snprintf), so
# -Wformat-truncation's guesses are not errors, and callbacks need not use
# every parameter (as in the host tools' build); every other warning is.
DEVMODEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-format-truncation -Wno-unused-parameter -D__XEN_TOOLS__ \
    -fstack-protector-strong -D_FORTIFY_SOURCE=2 -isystem $(DEVMODEL_SYSROOT)/usr/include -Ixen-arm-minimal/devmodel
DEVMODEL_LDFLAGS := -L$(DEVMODEL_LIBDIR) -Wl,-rpath-link,$(DEVMODEL_LIBDIR) -Wl,--as-needed
# libxengnttab (grant mappings, for bridges with the grants flag) from
# libxen-dev's static archive, the build Debian ships as libxengnttab1:
# build/fetch-xen-libs.sh fetches libxen-dev but not that package's shared
# object, and the archive needs only libxentoolcore and libxentoollog,
# which the image already carries
DEVMODEL_LIBS := -lxendevicemodel -lxenforeignmemory -lxenevtchn -Wl,-Bstatic -lxengnttab -Wl,-Bdynamic \
    -lxentoolcore -lxentoollog
DEVMODEL_FLAGS_STAMP := $(DEVMODEL_OUT)/flags
DEVMODEL_FLAGS_TEXT := $(CROSS)gcc $(DEVMODEL_CFLAGS) $(DEVMODEL_LDFLAGS) $(DEVMODEL_LIBS)

# What build/fetch-xen-libs.sh unpacks since it fetches the shared
# libraries and the virtio and pmem modules: a build tree fetched before
# gets them on its next build
DEVMODEL_FETCH_STAMP := $(DEVMODEL_SYSROOT)/lib/aarch64-linux-gnu/libc.so.6
$(DEVMODEL_FETCH_STAMP):
	XAM_OUT=$(abspath $(OUT)) build/fetch-xen-libs.sh

$(DEVMODEL_FLAGS_STAMP): FORCE
	@$(call write-if-changed,$@,$(DEVMODEL_FLAGS_TEXT))

$(DEVMODEL_OUT)/obj/%.o: xen-arm-minimal/devmodel/%.c $(DEVMODEL_FETCHED)/VERSIONS $(DEVMODEL_FETCH_STAMP) \
    $(DEVMODEL_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(DEVMODEL_CFLAGS) -MMD -MP -c $< -o $@

$(DEVMODEL_PROG): $(DEVMODEL_OBJS)
	$(CROSS)gcc -o $@ $(DEVMODEL_OBJS) $(DEVMODEL_LDFLAGS) $(DEVMODEL_LIBS)

$(DEVMODEL_INITRAMFS): $(DEVMODEL_PROG) xen-arm-minimal/devmodel/image/mkinitramfs.sh \
    xen-arm-minimal/devmodel/image/init.sh $(DEVMODEL_FETCHED)/VERSIONS $(DEVMODEL_FETCH_STAMP)
	CROSS=$(CROSS) xen-arm-minimal/devmodel/image/mkinitramfs.sh $(DEVMODEL_FETCHED) $(DEVMODEL_PROG) $@

.PHONY: devmodel devmodel-image
devmodel: $(DEVMODEL_PROG)
devmodel-image: $(DEVMODEL_INITRAMFS)

-include $(DEVMODEL_OBJS:.o=.d)

# The virtio clients' initramfs of the boot tests (tests/guests/virtio/)
-include tests/guests/virtio/virtio.mk

# The boot tests boot it once Debian's packages are fetched
# (build/deps.sh --guests) and the devices are there to build
ifneq ($(wildcard $(DEVMODEL_FETCHED)/VERSIONS),)
ifneq ($(wildcard xen-arm-minimal/devmodel/bus/bus.c),)
boot-tests: devmodel-image virtio-client
endif
endif
