#include <xam/fmt.h>

struct out {
    char *buf;
    size_t size;
    size_t len; /* would-be length */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_ALT = 4, F_SPACE = 8, F_PLUS = 16 };

static void put_num(struct out *o, uint64_t v, bool neg, unsigned base, bool upper, unsigned flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    if (!(v == 0 && prec == 0))
        do {
            tmp[n++] = digits[v % base];
            v /= base;
        } while (v);

    char sign = neg ? '-' : (flags & F_PLUS) ? '+' : (flags & F_SPACE) ? ' ' : 0;
    int zeros = prec > n ? prec - n : 0;
    const char *prefix = "";
    if ((flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0'))
        prefix = upper ? "0X" : "0x";
    /* "#o" only ensures the first digit is a zero: precision padding may
     * already have put one there. */
    else if ((flags & F_ALT) && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
        prefix = "0";

    int plen = (int)__builtin_strlen(prefix) + (sign ? 1 : 0);
    int body = plen + zeros + n;

    if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0 && width > body) {
        zeros += width - body;
        body = width;
    }
    if (!(flags & F_LEFT))
        pad(o, ' ', width - body);
    if (sign)
        put(o, sign);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    pad(o, '0', zeros);
    while (n)
        put(o, tmp[--n]);
    if (flags & F_LEFT)
        pad(o, ' ', width - body);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        unsigned flags = 0;
        for (;; p++) {
            if (*p == '-')
                flags |= F_LEFT;
            else if (*p == '0')
                flags |= F_ZERO;
            else if (*p == '#')
                flags |= F_ALT;
            else if (*p == ' ')
                flags |= F_SPACE;
            else if (*p == '+')
                flags |= F_PLUS;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        int prec = -1;
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        int lng = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
        if (*p == 'l') {
            lng = 1;
            if (*++p == 'l') {
                lng = 2;
                p++;
            }
        } else if (*p == 'z') {
            lng = 1;
            p++;
        } else if (*p == 'h') {
            lng = -1;
            if (*++p == 'h') {
                lng = -2;
                p++;
            }
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = lng == 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (lng == -1)
                v = (short)v;
            else if (lng == -2)
                v = (signed char)v;
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            put_num(&o, mag, v < 0, 10, false, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = lng == 2 ? va_arg(ap, unsigned long long)
                : lng == 1        ? va_arg(ap, unsigned long)
                                  : va_arg(ap, unsigned int);
            if (lng == -1)
                v = (unsigned short)v;
            else if (lng == -2)
                v = (unsigned char)v;
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            put_num(&o, v, false, base, *p == 'X', flags & ~(unsigned)(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p':
            put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, flags | F_ALT, width, prec);
            break;
        case 'c':
            if (!(flags & F_LEFT))
                pad(&o, ' ', width - 1);
            put(&o, (char)va_arg(ap, int));
            if (flags & F_LEFT)
                pad(&o, ' ', width - 1);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (prec < 0 || n < prec))
                n++;
            if (!(flags & F_LEFT))
                pad(&o, ' ', width - n);
            for (int i = 0; i < n; i++)
                put(&o, s[i]);
            if (flags & F_LEFT)
                pad(&o, ' ', width - n);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            p--; /* a lone '%' at the end: stop at the terminator */
            break;
        default: /* unknown conversion: show it rather than lose it */
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
