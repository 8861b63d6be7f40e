/*
 * A two-instruction "boot loader" for the bad-input boot tests: QEMU's
 * generic loader starts CPU0 here (at EL2), and the shim enters the
 * hypervisor the way a loader would, with x0 = the device tree address.
 * Unlike -kernel/-dtb, nothing validates or patches the blob on the way,
 * so truncated and corrupt trees reach the hypervisor as they are.
 */
    .global _start
_start:
    ldr     x0, dtb_addr
    ldr     x1, image_addr
    br      x1
    .balign 8
dtb_addr:   .quad 0x48000000
image_addr: .quad 0x40200000
