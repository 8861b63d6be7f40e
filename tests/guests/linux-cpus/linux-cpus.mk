# xam-sve, a static arm64 program the Linux guests of boot case
# cpu-a64fx-sve-linux run (tests/boot/cases-cpus.sh): SVE from user space.
LINUX_SVE_PROG := $(GUESTS_OUT)/linux-cpus/xam-sve

$(LINUX_SVE_PROG): tests/guests/linux-cpus/xam-sve.c tests/guests/linux-cpus/linux-cpus.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -static -o $@ $<

.PHONY: linux-sve
linux-sve: $(LINUX_SVE_PROG)
boot-tests: linux-sve
