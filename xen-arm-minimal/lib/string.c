/* The C library routines the hypervisor and Debian's libfdt.a call. Compiled
 * with -mstrict-align (they also run before the MMU is on, when unaligned
 * accesses fault) and -fno-tree-loop-distribute-patterns (so GCC does not
 * turn these loops back into calls to themselves). Word-sized copies keep
 * loading guest kernels fast. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *d++ = *s++;
            n--;
        }
        uint64_t *dw = (uint64_t *)d;
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 32; n -= 32) {
            uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
            dw += 4;
            sw += 4;
        }
        for (; n >= 8; n -= 8)
            *dw++ = *sw++;
        d = (unsigned char *)dw;
        s = (const unsigned char *)sw;
        /* a 4-byte tail (a hypercall's port or domain id) in one move */
        if (n >= 4) {
            *(uint32_t *)d = *(const uint32_t *)s;
            d += 4;
            s += 4;
            n -= 4;
        }
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    if (d >= s + n || s >= d + n)
        return memcpy(dst, src, n); /* disjoint */
    /* Overlapping: never memcpy, whose restrict lets the compiler reorder
     * loads after stores (GCC 12 does, and that tore the allocator's
     * extent list when an entry was removed). Word copies only when both
     * are aligned; without restrict every store stays after its load. */
    if (d < s) {
        if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
            for (; n >= 8; n -= 8, d += 8, s += 8)
                *(uint64_t *)d = *(const uint64_t *)s;
        }
        while (n--)
            *d++ = *s++;
    } else {
        while (n && ((uintptr_t)(d + n) | (uintptr_t)(s + n)) & 7) {
            n--;
            d[n] = s[n];
        }
        for (; n >= 8; n -= 8)
            *(uint64_t *)(d + n - 8) = *(const uint64_t *)(s + n - 8);
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint64_t w = (unsigned char)c * 0x0101010101010101ULL;

    while (n && ((uintptr_t)d & 7)) {
        *d++ = (unsigned char)c;
        n--;
    }
    uint64_t *dw = (uint64_t *)d;
    /* 64 bytes a turn (stp pairs): libfdt's fdt_create clears its whole
     * 64 KiB buffer for every domain's tree */
    for (; n >= 64; n -= 64, dw += 8) {
        dw[0] = w, dw[1] = w, dw[2] = w, dw[3] = w;
        dw[4] = w, dw[5] = w, dw[6] = w, dw[7] = w;
    }
    for (; n >= 8; n -= 8)
        *dw++ = w;
    d = (unsigned char *)dw;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* As C's strtoul, including base 0 prefixes and saturation at ULONG_MAX
 * (there is no errno here: callers that care compare against it). */
unsigned long strtoul(const char *s, char **end, int base)
{
    const char *p = s;
    bool neg = false;

    while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        p++;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    if (base < 2 || base > 36) {
        if (end)
            *end = (char *)s;
        return 0;
    }

    unsigned long v = 0;
    bool any = false, overflow = false;
    for (int d; (d = digit_value(*p)) < base; p++) {
        any = true;
        if (v > (~0UL - (unsigned long)d) / (unsigned long)base)
            overflow = true;
        v = v * (unsigned long)base + (unsigned long)d;
    }
    if (end)
        *end = (char *)(any ? p : s);
    if (overflow)
        return ~0UL;
    return neg ? 0 - v : v;
}
