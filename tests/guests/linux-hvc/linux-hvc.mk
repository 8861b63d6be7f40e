# The initramfs of boot/linux-hvc (tests/boot/run.sh): Debian's Linux on the
# Xen PV console (hvc0), printing /sys/hypervisor and reading a line. Made
# from the Linux guests' initramfs (build/fetch-guests.sh), which stays as
# it is; without it the boot case says so and fails, as the other Linux
# cases do.
LINUX_HVC_BASE := $(OUT)/guests/linux/initramfs.cpio.gz
LINUX_HVC_INITRAMFS := $(TESTS_OUT)/guests/linux-hvc/initramfs.cpio.gz

$(LINUX_HVC_INITRAMFS): $(LINUX_HVC_BASE) tests/guests/linux-hvc/mkinitramfs.sh tests/guests/linux-hvc/hvc-init.sh
	tests/guests/linux-hvc/mkinitramfs.sh $(LINUX_HVC_BASE) tests/guests/linux-hvc/hvc-init.sh $@

.PHONY: linux-hvc
linux-hvc: $(LINUX_HVC_INITRAMFS)
ifneq ($(wildcard $(LINUX_HVC_BASE)),)
boot-tests: linux-hvc
endif
