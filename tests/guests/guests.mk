# Bare-metal test guests, built with the cross compiler as arm64 Images.
GUESTS_OUT := $(TESTS_OUT)/guests
GUEST_NAMES := hello fault timer noisy reset echo isolate dtcheck devmodel pciclient rtcirq trapbench ioreqbench
GUEST_NAMES += hostile_reset hostile_vgic hostile_cpuon hostile_cpuoff hostile_sleepers hostile_console hostile_virtio
GUEST_NAMES += virtio_grants static_evtchn edgeirq leak residue longline switchbench
GUEST_IMAGES := $(addprefix $(GUESTS_OUT)/,$(addsuffix .Image,$(GUEST_NAMES)))
GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -mgeneral-regs-only -mstrict-align \
    -fno-pic -fno-pie -fno-stack-protector -Wall -Wextra -Werror -mno-outline-atomics
GUEST_COMMON := tests/guests/head.S tests/guests/vectors.S tests/guests/lib.c tests/guests/gicv3.c tests/guests/fdt.c

# The virtio-pci guests also link what they share (virtio_guest.c).
VIRTIO_GUEST_ELFS := $(GUESTS_OUT)/hostile_virtio.elf $(GUESTS_OUT)/virtio_grants.elf
$(VIRTIO_GUEST_ELFS): GUEST_EXTRA := tests/guests/virtio_guest.c
$(VIRTIO_GUEST_ELFS): tests/guests/virtio_guest.c tests/guests/virtio_guest.h

# guests that take aborts on purpose (tests/guests/abort_catch.h); after
# the virtio guests' GUEST_EXTRA, which this appends to
ABORT_GUEST_ELFS := $(GUESTS_OUT)/hostile_vgic.elf $(GUESTS_OUT)/fault.elf $(GUESTS_OUT)/hostile_virtio.elf
$(ABORT_GUEST_ELFS): GUEST_EXTRA += tests/guests/abort_catch.c
$(ABORT_GUEST_ELFS): tests/guests/abort_catch.c tests/guests/abort_catch.h

$(GUESTS_OUT)/%.elf: tests/guests/%.c $(GUEST_COMMON) tests/guests/lib.h tests/guests/gicv3.h tests/guests/fdt.h tests/guests/guest.lds
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(GUEST_CFLAGS) -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T tests/guests/guest.lds -o $@ $(GUEST_COMMON) $(GUEST_EXTRA) $<

$(GUESTS_OUT)/%.Image: $(GUESTS_OUT)/%.elf
	$(CROSS)objcopy -O binary $< $@

.PHONY: guests
guests: $(GUEST_IMAGES)
include tests/guests/linux-dm/linux-dm.mk
include tests/guests/linux-hvc/linux-hvc.mk
include tests/guests/linux-shell/linux-shell.mk
include tests/guests/linux-evtchn/linux-evtchn.mk
include tests/guests/linux-cpus/linux-cpus.mk
