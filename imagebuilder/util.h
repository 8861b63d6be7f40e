/* Small helpers shared by imagebuilder's parts: error messages, a growing
 * text buffer, strict number parsing and allocation that cannot fail
 * quietly (a host tool may simply stop when memory runs out). */
#ifndef IB_UTIL_H
#define IB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MiB (1024ULL * 1024)
#define IB_ALIGN (2 * MiB)

/* Every failure carries one human-readable line; config errors start with
 * "file:line: ". */
struct ib_error {
    char msg[1024];
};

__attribute__((format(printf, 2, 3))) int ib_fail(struct ib_error *e, const char *fmt, ...);

struct ib_buf {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) void buf_printf(struct ib_buf *b, const char *fmt, ...);
void buf_putc(struct ib_buf *b, char c);
void buf_free(struct ib_buf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/* A whole unsigned number as bash arithmetic reads it: 0x hex, leading 0
 * octal, else decimal; no sign, no trailing text, no overflow. */
bool parse_u64(const char *s, uint64_t *v);

/* Round up to a power-of-two alignment; false on overflow. */
bool align_up(uint64_t v, uint64_t a, uint64_t *out);

/* Read a whole file; NULL with errno set on failure. */
void *read_file(const char *path, size_t *len);

#endif
