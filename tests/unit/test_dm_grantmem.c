/* xam-devmodel's grant addresses (devmodel/xen/grantmem.c): the decoding
 * of Xen grant DMA addresses ((1 << 63) | ref << 12 | offset, consecutive
 * references across pages) and the checks of every copy, over a fake
 * libxengnttab (tests/unit/fake-xengnttab/) whose grant table refuses what
 * the hypervisor refuses: a reference not granted to the device model, a
 * writable map of a read-only grant. Mappings are copies written back at
 * unmap, so a write that failed is seen to leave the client's pages
 * untouched, and every mapping must be gone when a copy returns. */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xen/grantmem.h"
#include "xen/log.h"

#define CLIENT 4
#define DM_SELF 1
#define NREFS 64

/* ---- the fake grant table and libxengnttab ------------------------------ */
static struct {
    bool granted, ro;
    unsigned grantee;
    uint8_t page[4096];
} table[NREFS];

struct mapping {
    uint8_t *va;
    uint32_t count, refs[GT_MAX_PAGES];
    bool writable;
};
static struct mapping live[4];
static unsigned nr_live, map_calls, max_count;

struct xengntdev_handle {
    int dummy;
};
static struct xengntdev_handle the_handle;
struct xentoollog_logger_stdiostream {
    int dummy;
};
static struct xentoollog_logger_stdiostream the_logger;

xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(FILE *f, xentoollog_level min_level, unsigned flags)
{
    assert_int_equal(min_level, XTL_CRITICAL); /* the library's own error lines are not wanted */
    return &the_logger;
}
void xtl_logger_destroy(struct xentoollog_logger *logger) {}
xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags) { return &the_handle; }
int xengnttab_close(xengnttab_handle *xgt) { return 0; }

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid, uint32_t *refs, int prot)
{
    map_calls++;
    if (count > max_count)
        max_count = count;
    assert_int_equal(domid, CLIENT);
    assert_true(count >= 1 && count <= GT_MAX_PAGES);
    assert_true(nr_live < 4);
    for (uint32_t i = 0; i < count; i++) {
        /* consecutive, as Linux grants a buffer's pages */
        assert_int_equal(refs[i], refs[0] + i);
        if (refs[i] >= NREFS || !table[refs[i]].granted || table[refs[i]].grantee != DM_SELF ||
            ((prot & PROT_WRITE) && table[refs[i]].ro)) {
            errno = EINVAL;
            return NULL;
        }
    }
    struct mapping *m = &live[nr_live++];
    m->va = malloc((size_t)count * 4096);
    m->count = count;
    m->writable = prot & PROT_WRITE;
    for (uint32_t i = 0; i < count; i++) {
        m->refs[i] = refs[i];
        memcpy(m->va + 4096 * i, table[refs[i]].page, 4096);
    }
    return m->va;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    for (unsigned k = 0; k < nr_live; k++) {
        struct mapping *m = &live[k];
        if (m->va != start_address)
            continue;
        assert_int_equal(count, m->count);
        for (uint32_t i = 0; i < count && m->writable; i++)
            memcpy(table[m->refs[i]].page, m->va + 4096 * i, 4096);
        free(m->va);
        *m = live[--nr_live];
        return 0;
    }
    fail_msg("unmap of %p: not mapped", start_address);
    return -1;
}

/* ---- the log ---------------------------------------------------------------- */
static char lines[32][256];
static unsigned nr_lines;

void dm_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lines[nr_lines % 32], sizeof(lines[0]), fmt, ap);
    va_end(ap);
    nr_lines++;
}

void dm_log_client(const char *name, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(lines[nr_lines % 32], sizeof(lines[0]), "client %s: %s", name, msg);
    nr_lines++;
}

static const char *last_line(void) { return nr_lines ? lines[(nr_lines - 1) % 32] : ""; }

/* ---- fixtures --------------------------------------------------------------- */
static struct grantmem gt;

static uint64_t ga(uint32_t ref, uint32_t off) { return GT_ADDR_FLAG | (uint64_t)ref << 12 | off; }

static void grant(uint32_t ref, bool ro, uint8_t fill)
{
    table[ref].granted = true;
    table[ref].ro = ro;
    table[ref].grantee = DM_SELF;
    memset(table[ref].page, fill, 4096);
}

static int setup(void **state)
{
    memset(table, 0, sizeof(table));
    nr_live = map_calls = max_count = nr_lines = 0;
    assert_int_equal(gt_open(&gt, CLIENT, "g"), 0);
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(nr_live, 0); /* nothing stays mapped past a copy */
    gt_close(&gt);
    return 0;
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- decoding ------------------------------------------------------------ */
static void decode_one_page(void **state)
{
    struct gt_range r;
    assert_null(gt_decode(ga(20, 0x10), 16, &r));
    assert_int_equal(r.ref, 20);
    assert_int_equal(r.pages, 1);
    assert_int_equal(r.offset, 0x10);
    /* the page's last byte is still that page */
    assert_null(gt_decode(ga(20, 0xfff), 1, &r));
    assert_int_equal(r.pages, 1);
    assert_null(gt_decode(ga(20, 0), 4096, &r));
    assert_int_equal(r.pages, 1);
}

static void decode_across_pages(void **state)
{
    struct gt_range r;
    assert_null(gt_decode(ga(20, 0xe00), 1024, &r));
    assert_int_equal(r.ref, 20);
    assert_int_equal(r.pages, 2);
    assert_int_equal(r.offset, 0xe00);
    /* 1 MiB at any offset is one copy; one page more is not */
    assert_null(gt_decode(ga(100, 1), 1 << 20, &r));
    assert_int_equal(r.pages, GT_MAX_PAGES);
    assert_non_null(gt_decode(ga(100, 0), (size_t)(GT_MAX_PAGES + 1) << 12, &r));
}

static void decode_refused(void **state)
{
    struct gt_range r;
    assert_string_equal(gt_decode(0x40400000, 512, &r),
                        "not a grant address (bit 63 clear), and the bridge has the grants flag");
    /* a reference above 32 bits, and a range running into one */
    assert_non_null(gt_decode(GT_ADDR_FLAG | 1ull << 50, 512, &r));
    assert_null(gt_decode(ga(0xffffffffu, 0), 4096, &r));
    assert_int_equal(r.ref, 0xffffffffu);
    assert_non_null(gt_decode(ga(0xffffffffu, 0xf00), 512, &r));
    /* past 2^64 (and so past bit 63, back into plain addresses) */
    assert_string_equal(gt_decode(~0ull - 0xff, 512, &r), "wraps past the end of the grant address space");
    assert_string_equal(gt_decode(~0ull, 2, &r), "wraps past the end of the grant address space");
    assert_string_equal(gt_decode(~0ull, 1, &r), "names a grant reference above 32 bits");
    assert_string_equal(gt_decode(ga(0, 1), (size_t)1 << 63, &r), "wraps past the end of the grant address space");
}

/* ---- copies -------------------------------------------------------------- */
static void read_and_write(void **state)
{
    grant(20, false, 0x11);
    grant(21, false, 0x22);
    uint8_t buf[1024];
    assert_int_equal(gt_read(&gt, ga(20, 0xe00), buf, sizeof(buf)), 0);
    assert_int_equal(buf[0], 0x11);
    assert_int_equal(buf[511], 0x11);
    assert_int_equal(buf[512], 0x22);
    assert_int_equal(map_calls, 1); /* both pages in one call */
    assert_int_equal(max_count, 2);
    memset(buf, 0x77, sizeof(buf));
    assert_int_equal(gt_write(&gt, ga(20, 0xe00), buf, sizeof(buf)), 0);
    assert_int_equal(table[20].page[0xdff], 0x11);
    assert_int_equal(table[20].page[0xe00], 0x77);
    assert_int_equal(table[21].page[0x1ff], 0x77);
    assert_int_equal(table[21].page[0x200], 0x22);
    assert_int_equal(gt.maps, 2);
    assert_int_equal(gt.pages, 4);
    assert_int_equal(nr_lines, 0);
    /* nothing to copy: nothing mapped */
    assert_int_equal(gt_read(&gt, ga(40, 0), buf, 0), 0);
    assert_int_equal(map_calls, 2);
}

static void read_only_grant(void **state)
{
    grant(23, true, 0x33);
    uint8_t buf[512];
    assert_int_equal(gt_read(&gt, ga(23, 0), buf, sizeof(buf)), 0);
    assert_int_equal(buf[0], 0x33);
    memset(buf, 0x44, sizeof(buf));
    assert_int_equal(gt_write(&gt, ga(23, 0), buf, sizeof(buf)), -1);
    assert_int_equal(table[23].page[0], 0x33);
    assert_string_equal(last_line(),
                        "client g: grant reference 23 (page 1 of 1 at 0x8000000000017000+0x200) of "
                        "domain 4: writable mapping refused (Invalid argument)");
}

/* A range running into a page the client did not grant: refused whole,
 * and the granted page before it is not written either. */
static void into_ungranted_page(void **state)
{
    grant(26, false, 0x55);
    uint8_t buf[512];
    memset(buf, 0x66, sizeof(buf));
    assert_int_equal(gt_write(&gt, ga(26, 0xf00), buf, sizeof(buf)), -1);
    assert_int_equal(table[26].page[0xf00], 0x55);
    assert_string_equal(last_line(),
                        "client g: grant reference 27 (page 2 of 2 at 0x800000000001af00+0x200) of "
                        "domain 4: writable mapping refused (Invalid argument)");
    assert_int_equal(gt.refused, 1);
}

static void not_ours(void **state)
{
    grant(28, false, 0);
    table[28].grantee = 9; /* granted to another domain */
    uint8_t buf[16];
    assert_int_equal(gt_read(&gt, ga(28, 0), buf, sizeof(buf)), -1);
    assert_int_equal(gt_read(&gt, ga(40, 0), buf, sizeof(buf)), -1);
    assert_int_equal(gt_read(&gt, ga(600000, 0), buf, sizeof(buf)), -1);
    assert_int_equal(gt_read(&gt, 0x40400000, buf, sizeof(buf)), -1);
    assert_string_equal(last_line(),
                        "client g: guest address 0x40400000+0x10: not a grant address (bit 63 clear), "
                        "and the bridge has the grants flag; refused");
    assert_int_equal(gt.refused, 4);
    assert_int_equal(gt.maps, 0);
}

/* Refusals are logged 16 times a connection, then not until the next. */
static void log_bounded(void **state)
{
    uint8_t b;
    for (unsigned i = 0; i < 40; i++)
        assert_int_equal(gt_read(&gt, ga(40, 0), &b, 1), -1);
    assert_int_equal(nr_lines, 16);
    assert_non_null(strstr(last_line(), "(later grant refusals until it reconnects: not logged)"));
    assert_int_equal(gt.refused, 40);
    gt_reset_log(&gt);
    assert_int_equal(gt_read(&gt, ga(40, 0), &b, 1), -1);
    assert_int_equal(nr_lines, 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(decode_one_page), TEST(decode_across_pages), TEST(decode_refused), TEST(read_and_write),
        TEST(read_only_grant), TEST(into_ungranted_page), TEST(not_ours),       TEST(log_bounded),
    };
    return cmocka_run_group_tests_name("dm_grantmem", tests, NULL, NULL);
}
