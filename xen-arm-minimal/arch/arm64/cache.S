/* Cache maintenance by VA to the point of coherency: (start, size). */
.macro dcache_op op
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4         /* DminLine: log2(words) */
    mov     x2, #4
    lsl     x2, x2, x3              /* line size in bytes */
    add     x1, x0, x1
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  cmp     x0, x1
    b.hs    2f
    dc      \op, x0
    add     x0, x0, x2
    b       1b
2:  dsb     sy
    ret
.endm

    .text
    .global dcache_clean_range
dcache_clean_range:
    dcache_op cvac

    .global dcache_clean_inval_range
dcache_clean_inval_range:
    dcache_op civac

    .global dcache_inval_range
dcache_inval_range:
    dcache_op ivac

    .global icache_inval_all
icache_inval_all:
    ic      iallu
    dsb     nsh
    isb
    ret

    .global icache_inval_all_is
icache_inval_all_is:
    ic      ialluis
    dsb     ish
    isb
    ret

/* ram_scrub(start, size): start and size page-aligned. DC ZVA zeroes a
 * block (DCZID_EL0.BS: 4 << BS bytes, at most 2 KiB) per instruction,
 * without reading memory first; DCZID_EL0.DZP set means it is not
 * allowed, and 64-byte store runs do it. Then clean to the point of
 * coherency, for guests running with their caches off. */
    .global ram_scrub
ram_scrub:
    add     x3, x0, x1
    mov     x2, x0
    mrs     x4, dczid_el0
    tbnz    x4, #4, 2f
    and     x4, x4, #0xf
    mov     x5, #4
    lsl     x5, x5, x4
1:  cmp     x2, x3
    b.hs    3f
    dc      zva, x2
    add     x2, x2, x5
    b       1b
2:  cmp     x2, x3
    b.hs    3f
    stp     xzr, xzr, [x2]
    stp     xzr, xzr, [x2, #16]
    stp     xzr, xzr, [x2, #32]
    stp     xzr, xzr, [x2, #48]
    add     x2, x2, #64
    b       2b
3:  dsb     ish
    dcache_op cvac

/* ram_copy(dst, src, size): dst, src and size page-aligned, no overlap.
 * 128 bytes a turn in pairs (a kernel's 2 MiB chunk copied on its first
 * write is 16 thousand turns; the C memcpy's 32-byte word loop took three
 * times the instructions). Then dst is cleaned to the point of coherency,
 * for guests running with their caches off. */
    .global ram_copy
ram_copy:
    mov     x6, x0
    add     x7, x0, x2
1:  cmp     x6, x7
    b.hs    2f
    ldp     x8, x9, [x1]
    ldp     x10, x11, [x1, #16]
    ldp     x12, x13, [x1, #32]
    ldp     x14, x15, [x1, #48]
    stp     x8, x9, [x6]
    stp     x10, x11, [x6, #16]
    stp     x12, x13, [x6, #32]
    stp     x14, x15, [x6, #48]
    ldp     x8, x9, [x1, #64]
    ldp     x10, x11, [x1, #80]
    ldp     x12, x13, [x1, #96]
    ldp     x14, x15, [x1, #112]
    stp     x8, x9, [x6, #64]
    stp     x10, x11, [x6, #80]
    stp     x12, x13, [x6, #96]
    stp     x14, x15, [x6, #112]
    add     x1, x1, #128
    add     x6, x6, #128
    b       1b
2:  mov     x1, x2
    dsb     ish
    dcache_op cvac
