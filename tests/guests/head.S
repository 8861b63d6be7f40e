/* Test guests are arm64 Images, like the kernels users bring. */
    .section .head, "ax"
    .global _start
_start:
    b       entry
    .long   0
    .quad   0                       /* text_offset */
    .quad   _image_size             /* image_size, from the linker script */
    .quad   0xa
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0
entry:
    mov     x21, x0                 /* the device tree, for guest_main */
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x0, x21
    bl      guest_main
    /* PSCI SYSTEM_OFF if main returns */
    ldr     x0, =0x84000008
    hvc     #0
3:  wfi
    b       3b
    .ltorg
