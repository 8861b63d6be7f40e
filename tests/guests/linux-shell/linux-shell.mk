# The initramfs of boot/console-shell (tests/boot/run.sh): Debian's busybox
# with tests/guests/linux-shell/shell-init.sh as /init, made as linux-hvc's
# is (its mkinitramfs.sh), from the Linux guests' initramfs.
LINUX_SHELL_INITRAMFS := $(TESTS_OUT)/guests/linux-shell/initramfs.cpio.gz

$(LINUX_SHELL_INITRAMFS): $(LINUX_HVC_BASE) tests/guests/linux-hvc/mkinitramfs.sh tests/guests/linux-shell/shell-init.sh
	tests/guests/linux-hvc/mkinitramfs.sh $(LINUX_HVC_BASE) tests/guests/linux-shell/shell-init.sh $@

.PHONY: linux-shell
linux-shell: $(LINUX_SHELL_INITRAMFS)
ifneq ($(wildcard $(LINUX_HVC_BASE)),)
boot-tests: linux-shell
endif
