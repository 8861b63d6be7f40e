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
