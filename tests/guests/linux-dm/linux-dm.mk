# The Linux device model (issue 11): xam-testdm, cross-compiled and linked
# statically against Debian's arm64 Xen libraries, and the initramfs
# images of the boot case linux-device-model (tests/boot/cases-devmodel.sh).
# What they are built from is fetched by build/fetch-xen-libs.sh
# (build/deps.sh --guests) into build/out/guests/linux-dm; without it the
# boot case says so and fails, as the other Linux cases do.
LINUX_DM_FETCHED := $(OUT)/guests/linux-dm
LINUX_DM_SYSROOT := $(LINUX_DM_FETCHED)/sysroot
LINUX_DM_PROG := $(GUESTS_OUT)/linux-dm/xam-testdm
LINUX_DM_INITRAMFS := $(LINUX_DM_FETCHED)/initramfs.cpio.gz
LINUX_DM_CLIENT_INITRAMFS := $(LINUX_DM_FETCHED)/client-initramfs.cpio.gz
# Debian's static libraries, in link order (each after its users)
LINUX_DM_LIBS := -lxendevicemodel -lxenforeignmemory -lxenevtchn -lxencall -lxentoolcore -lxentoollog
LINUX_DM_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D__XEN_TOOLS__ -isystem $(LINUX_DM_SYSROOT)/usr/include

$(LINUX_DM_PROG): tests/guests/linux-dm/xam-testdm.c $(LINUX_DM_FETCHED)/VERSIONS tests/guests/linux-dm/linux-dm.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(LINUX_DM_CFLAGS) -static -o $@ $< -L$(LINUX_DM_SYSROOT)/usr/lib/aarch64-linux-gnu $(LINUX_DM_LIBS)

$(LINUX_DM_INITRAMFS) $(LINUX_DM_CLIENT_INITRAMFS) &: $(LINUX_DM_PROG) tests/guests/linux-dm/mkinitramfs.sh \
    tests/guests/linux-dm/dm-init.sh tests/guests/linux-dm/client-init.sh $(LINUX_DM_FETCHED)/VERSIONS
	tests/guests/linux-dm/mkinitramfs.sh $(LINUX_DM_FETCHED) $(LINUX_DM_PROG) $(LINUX_DM_INITRAMFS) $(LINUX_DM_CLIENT_INITRAMFS)

$(LINUX_DM_FETCHED)/VERSIONS:
	XAM_OUT=$(abspath $(OUT)) build/fetch-guests.sh
	XAM_OUT=$(abspath $(OUT)) build/fetch-xen-libs.sh

.PHONY: linux-dm
linux-dm: $(LINUX_DM_INITRAMFS) $(LINUX_DM_CLIENT_INITRAMFS)
ifneq ($(wildcard $(LINUX_DM_FETCHED)/VERSIONS),)
boot-tests: linux-dm
endif
