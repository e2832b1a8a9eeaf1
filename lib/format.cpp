// SPDX-License-Identifier: GPL-2.0
#include "lib/format.hpp"

namespace moat {

namespace {
struct Out {
    char *buf;
    size_t size;
    size_t len;
    void put(char c)
    {
        if (len + 1 < size)
            buf[len] = c;
        len++;
    }
};

void put_number(Out &o, u64 v, unsigned base, bool upper, bool negative, unsigned width, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    unsigned n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    unsigned len = n + (negative ? 1 : 0);
    if (negative && pad == '0')
        o.put('-');
    for (; width > len; width--)
        o.put(pad);
    if (negative && pad != '0')
        o.put('-');
    while (n)
        o.put(tmp[--n]);
}
}  // namespace

size_t format_v(char *buf, size_t size, const char *fmt, va_list ap)
{
    Out o{buf, size, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            o.put(*p);
            continue;
        }
        p++;
        char pad = ' ';
        bool alt = false;
        for (;; p++) {
            if (*p == '0')
                pad = '0';
            else if (*p == '#')
                alt = true;
            else
                break;
        }
        unsigned width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + static_cast<unsigned>(*p++ - '0');
        unsigned longs = 0;
        while (*p == 'l' || *p == 'z') {
            longs += (*p == 'z') ? 2 : 1;
            p++;
        }
        auto get_unsigned = [&]() -> u64 {
            return longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
        };
        switch (*p) {
        case 'd':
        case 'i': {
            s64 v = longs ? va_arg(ap, long) : va_arg(ap, int);
            u64 mag = v < 0 ? u64(0) - u64(v) : u64(v);
            put_number(o, mag, 10, false, v < 0, width, pad);
            break;
        }
        case 'u':
            put_number(o, get_unsigned(), 10, false, false, width, pad);
            break;
        case 'x':
        case 'X':
            if (alt) {
                o.put('0');
                o.put('x');
            }
            put_number(o, get_unsigned(), 16, *p == 'X', false, width, pad);
            break;
        case 'p':
            o.put('0');
            o.put('x');
            put_number(o, reinterpret_cast<u64>(va_arg(ap, void *)), 16, false, false, width, pad);
            break;
        case 'c':
            o.put(static_cast<char>(va_arg(ap, int)));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t len = 0;
            while (s[len])
                len++;
            for (; width > len; width--)
                o.put(' ');
            while (*s)
                o.put(*s++);
            break;
        }
        case '%':
            o.put('%');
            break;
        case '\0':
            p--;  // a lone '%' at the end: print nothing more
            break;
        default:
            o.put('%');
            o.put(*p);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = format_v(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace moat
