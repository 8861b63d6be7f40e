# QEMU boot tests: make boot-tests (BOOT_CASES="a b" to run only some).
BOOT_OUT := $(TESTS_OUT)/boot
BOOT_SHIM := $(BOOT_OUT)/shim.bin

$(BOOT_SHIM): tests/boot/shim.S
	@mkdir -p $(dir $@)
	$(CROSS)gcc -c $< -o $(BOOT_OUT)/shim.o
	$(CROSS)objcopy -O binary $(BOOT_OUT)/shim.o $@

.PHONY: boot-tests
# The dry run too: cases check that it refuses what the boot refused.
boot-tests: $(HV_IMAGE) $(BOOT_SHIM) $(GUEST_IMAGES) dryrun
	XAM_DRYRUN=$(OUT)/tools/xam-dryrun tests/boot/run.sh $(HV_IMAGE) $(BOOT_SHIM) $(GUESTS_OUT) $(BOOT_CASES)
