# Xen's static event channels between two Linux guests (issue 13, part 3):
# xam-evtchn, a static arm64 program, and the initramfs of the boot case
# static-evtchn-linux (tests/boot/cases-static-evtchn-linux.sh). It boots
# bookworm-backports' kernel (build/fetch-guests-bpo.sh, build/deps.sh
# --guests), whose xen-evtchn.ko has IOCTL_EVTCHN_BIND_STATIC; without
# it the boot case says so and fails, as the other Linux cases do.
LINUX_EVTCHN_BPO := $(OUT)/guests/linux-bpo
LINUX_EVTCHN_BASE := $(OUT)/guests/linux/initramfs.cpio.gz
LINUX_EVTCHN_PROG := $(GUESTS_OUT)/linux-evtchn/xam-evtchn
LINUX_EVTCHN_INITRAMFS := $(GUESTS_OUT)/linux-evtchn/initramfs.cpio.gz

$(LINUX_EVTCHN_PROG): tests/guests/linux-evtchn/xam-evtchn.c tests/guests/linux-evtchn/linux-evtchn.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -static -o $@ $<

$(LINUX_EVTCHN_INITRAMFS): $(LINUX_EVTCHN_PROG) $(LINUX_EVTCHN_BASE) $(LINUX_EVTCHN_BPO)/VERSIONS \
    tests/guests/linux-evtchn/mkinitramfs.sh tests/guests/linux-evtchn/evtchn-init.sh
	tests/guests/linux-evtchn/mkinitramfs.sh $(LINUX_EVTCHN_BASE) $(LINUX_EVTCHN_BPO) $(LINUX_EVTCHN_PROG) $@

$(LINUX_EVTCHN_BPO)/VERSIONS:
	XAM_OUT=$(abspath $(OUT)) build/fetch-guests-bpo.sh

.PHONY: linux-evtchn
linux-evtchn: $(LINUX_EVTCHN_INITRAMFS)
ifneq ($(wildcard $(LINUX_EVTCHN_BPO)/VERSIONS),)
ifneq ($(wildcard $(LINUX_EVTCHN_BASE)),)
boot-tests: linux-evtchn
endif
endif
