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
