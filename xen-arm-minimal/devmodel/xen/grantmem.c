/* A client's memory through its grants (see grantmem.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <xentoollog.h>

#include "grantmem.h"
#include "log.h"

/* Refusals logged per connection: each one also fails a device, which
 * logs its own line, so a guest resetting its device again and again
 * could otherwise fill the console with ours. */
#define GT_LOG_MAX 16

const char *gt_decode(uint64_t addr, size_t len, struct gt_range *r)
{
    if (!(addr & GT_ADDR_FLAG))
        return "not a grant address (bit 63 clear), and the bridge has the grants flag";
    uint64_t a = addr & ~GT_ADDR_FLAG;
    /* the last byte must stay below bit 63: past it the range would wrap
     * into plain addresses */
    if (!len || len - 1 > (GT_ADDR_FLAG - 1) - a)
        return "wraps past the end of the grant address space";
    uint64_t first = a >> GT_PAGE_SHIFT, last = (a + len - 1) >> GT_PAGE_SHIFT;
    if (last > UINT32_MAX)
        return "names a grant reference above 32 bits";
    if (last - first + 1 > GT_MAX_PAGES)
        return "covers more grant pages than one copy may";
    r->ref = (uint32_t)first;
    r->pages = (unsigned)(last - first + 1);
    r->offset = (unsigned)(a & (GT_PAGE_SIZE - 1));
    return NULL;
}

int gt_open(struct grantmem *gt, unsigned domid, const char *name)
{
    memset(gt, 0, sizeof(*gt));
    gt->domid = domid;
    gt->name = name;
    /* libxengnttab logs a failed map itself; a hostile client's refusals
     * are ours to log, with the client and the reference, so only its
     * critical messages get through */
    gt->quiet = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
    gt->xgt = xengnttab_open((xentoollog_logger *)gt->quiet, 0);
    if (!gt->xgt) {
        dm_log_client(name,
                      "the bridge has the grants flag, but /dev/xen/gntdev does not open (%s): is xen-gntdev "
                      "loaded?",
                      strerror(errno));
        return -1;
    }
    return 0;
}

void gt_close(struct grantmem *gt)
{
    if (gt->xgt)
        xengnttab_close(gt->xgt);
    if (gt->quiet)
        xtl_logger_destroy((xentoollog_logger *)gt->quiet);
    gt->xgt = NULL;
    gt->quiet = NULL;
}

void gt_reset_log(struct grantmem *gt) { gt->logged = 0; }

static __attribute__((format(printf, 2, 3))) void refuse(struct grantmem *gt, const char *fmt, ...)
{
    gt->refused++;
    if (gt->logged >= GT_LOG_MAX)
        return;
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    dm_log_client(gt->name, "%s%s", line,
                  ++gt->logged == GT_LOG_MAX ? " (later grant refusals until it reconnects: not logged)" : "");
}

/* After a refused map of several pages: which reference was it? Each page
 * alone, with the same protection (only on this failure path). */
static unsigned first_refused(struct grantmem *gt, const struct gt_range *r, int prot)
{
    for (unsigned i = 0; i < r->pages; i++) {
        uint32_t ref = r->ref + i;
        void *p = xengnttab_map_domain_grant_refs(gt->xgt, 1, gt->domid, &ref, prot);
        if (!p)
            return i;
        xengnttab_unmap(gt->xgt, p, 1);
    }
    return 0; /* all map alone: the batch itself was refused */
}

static int copy(struct grantmem *gt, uint64_t addr, void *buf, size_t len, bool write)
{
    struct gt_range r;
    if (!len)
        return 0;
    const char *why = gt_decode(addr, len, &r);
    if (why) {
        refuse(gt, "guest address 0x%llx+0x%zx: %s; refused", (unsigned long long)addr, len, why);
        return -1;
    }
    if (!gt->xgt) {
        refuse(gt, "grant address 0x%llx: no /dev/xen/gntdev; refused", (unsigned long long)addr);
        return -1;
    }
    uint32_t refs[GT_MAX_PAGES];
    for (unsigned i = 0; i < r.pages; i++)
        refs[i] = r.ref + i;
    /* read-only unless the device writes: a buffer the client granted
     * read-only maps only so */
    int prot = write ? PROT_READ | PROT_WRITE : PROT_READ;
    uint8_t *p = xengnttab_map_domain_grant_refs(gt->xgt, r.pages, gt->domid, refs, prot);
    if (!p) {
        int err = errno;
        unsigned bad = r.pages > 1 ? first_refused(gt, &r, prot) : 0;
        refuse(gt, "grant reference %u (page %u of %u at 0x%llx+0x%zx) of domain %u: %s mapping refused (%s)",
               r.ref + bad, bad + 1, r.pages, (unsigned long long)addr, len, gt->domid,
               write ? "writable" : "read-only", strerror(err));
        return -1;
    }
    gt->maps++;
    gt->pages += r.pages;
    if (write)
        memcpy(p + r.offset, buf, len);
    else
        memcpy(buf, p + r.offset, len);
    if (xengnttab_unmap(gt->xgt, p, r.pages))
        refuse(gt, "unmapping grant references %u-%u of domain %u: %s", r.ref, r.ref + r.pages - 1, gt->domid,
               strerror(errno));
    return 0;
}

int gt_read(struct grantmem *gt, uint64_t addr, void *buf, size_t len) { return copy(gt, addr, buf, len, false); }
int gt_write(struct grantmem *gt, uint64_t addr, const void *buf, size_t len)
{
    return copy(gt, addr, (void *)(uintptr_t)buf, len, true);
}
