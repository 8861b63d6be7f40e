/* The part of Xen 4.17's xentoollog.h that grantmem.c uses (see
 * xengnttab.h beside it). */
#ifndef FAKE_XENTOOLLOG_H
#define FAKE_XENTOOLLOG_H

#include <stdio.h>

typedef struct xentoollog_logger xentoollog_logger;
typedef struct xentoollog_logger_stdiostream xentoollog_logger_stdiostream;
typedef enum {
    XTL_NONE,
    XTL_DEBUG,
    XTL_VERBOSE,
    XTL_DETAIL,
    XTL_PROGRESS,
    XTL_INFO,
    XTL_NOTICE,
    XTL_WARN,
    XTL_ERROR,
    XTL_CRITICAL,
    XTL_NUM_LEVELS
} xentoollog_level;

xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(FILE *f, xentoollog_level min_level, unsigned flags);
void xtl_logger_destroy(struct xentoollog_logger *logger);

#endif
