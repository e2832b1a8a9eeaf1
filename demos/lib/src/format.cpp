// SPDX-License-Identifier: MIT
#include "demo/format.hpp"

namespace demo {

namespace {

struct Spec {
    bool left = false;      // '-': pad on the right
    bool zero = false;      // '0': pad numbers with zeros after the sign
    bool plus = false;      // '+': always print a sign
    bool space = false;     // ' ': a space where a '+' would go
    bool alt = false;       // '#': 0x/0X before a non-zero hexadecimal number, as C does
    unsigned width = 0;
    int precision = -1;     // only used by %s (maximum characters)
};

enum class Length { Int, Long, LongLong, Size };

class Writer {
public:
    Writer(FormatSink sink, void *ctx) : sink_(sink), ctx_(ctx) {}
    void put(char c)
    {
        sink_(ctx_, c);
        count_++;
    }
    void repeat(char c, unsigned n)
    {
        while (n--)
            put(c);
    }
    size_t count() const { return count_; }

private:
    FormatSink sink_;
    void *ctx_;
    size_t count_ = 0;
};

constexpr unsigned kMaxDigits = 24;  // 64-bit octal needs 22

unsigned to_digits(uint64_t v, unsigned base, bool upper, char (&out)[kMaxDigits])
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned n = 0;
    do {
        out[n++] = digits[v % base];
        v /= base;
    } while (v);
    return n;  // reversed
}

void put_number(Writer &w, const Spec &s, uint64_t magnitude, bool negative, unsigned base, bool upper,
                const char *prefix)
{
    char digits[kMaxDigits];
    const unsigned n = to_digits(magnitude, base, upper, digits);
    const char sign = negative ? '-' : s.plus ? '+' : s.space ? ' ' : 0;
    unsigned prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    const unsigned len = n + (sign ? 1 : 0) + prefix_len;
    const unsigned pad = s.width > len ? s.width - len : 0;

    if (!s.left && !s.zero)
        w.repeat(' ', pad);
    if (sign)
        w.put(sign);
    for (unsigned i = 0; i < prefix_len; i++)
        w.put(prefix[i]);
    if (!s.left && s.zero)
        w.repeat('0', pad);
    for (unsigned i = n; i > 0; i--)
        w.put(digits[i - 1]);
    if (s.left)
        w.repeat(' ', pad);
}

void put_string(Writer &w, const Spec &s, const char *str)
{
    if (!str)
        str = "(null)";
    unsigned len = 0;
    while (str[len] && (s.precision < 0 || len < static_cast<unsigned>(s.precision)))
        len++;
    const unsigned pad = s.width > len ? s.width - len : 0;
    if (!s.left)
        w.repeat(' ', pad);
    for (unsigned i = 0; i < len; i++)
        w.put(str[i]);
    if (s.left)
        w.repeat(' ', pad);
}

const char *parse_flags(const char *f, Spec &s)
{
    for (;; f++) {
        switch (*f) {
        case '-': s.left = true; break;
        case '0': s.zero = true; break;
        case '+': s.plus = true; break;
        case ' ': s.space = true; break;
        case '#': s.alt = true; break;
        default: return f;
        }
    }
}

const char *parse_number(const char *f, unsigned &out)
{
    out = 0;
    while (*f >= '0' && *f <= '9')
        out = out * 10 + static_cast<unsigned>(*f++ - '0');
    return f;
}

const char *parse_length(const char *f, Length &len)
{
    len = Length::Int;
    if (*f == 'h') {  // char and short are promoted to int by the varargs call anyway
        f++;
        if (*f == 'h')
            f++;
    } else if (*f == 'l') {
        f++;
        len = Length::Long;
        if (*f == 'l') {
            f++;
            len = Length::LongLong;
        }
    } else if (*f == 'z' || *f == 't' || *f == 'j') {
        f++;
        len = Length::Size;
    }
    return f;
}

int64_t fetch_signed(va_list &ap, Length len)
{
    switch (len) {
    case Length::Long: return va_arg(ap, long);
    case Length::LongLong: return va_arg(ap, long long);
    case Length::Size: return static_cast<int64_t>(va_arg(ap, ptrdiff_t));
    default: return va_arg(ap, int);
    }
}

uint64_t fetch_unsigned(va_list &ap, Length len)
{
    switch (len) {
    case Length::Long: return va_arg(ap, unsigned long);
    case Length::LongLong: return va_arg(ap, unsigned long long);
    case Length::Size: return va_arg(ap, size_t);
    default: return va_arg(ap, unsigned int);
    }
}

// Handles one conversion starting after '%'; returns the position after it.
const char *convert(Writer &w, const char *f, va_list &ap)
{
    Spec s;
    f = parse_flags(f, s);
    if (*f == '*') {
        const int width = va_arg(ap, int);
        s.left |= width < 0;
        s.width = static_cast<unsigned>(width < 0 ? -width : width);
        f++;
    } else {
        f = parse_number(f, s.width);
    }
    if (*f == '.') {
        unsigned precision;
        f = parse_number(f + 1, precision);
        s.precision = static_cast<int>(precision);
    }
    Length len;
    f = parse_length(f, len);

    switch (*f) {
    case 'd':
    case 'i': {
        const int64_t v = fetch_signed(ap, len);
        // Negate in unsigned arithmetic: -INT64_MIN does not fit int64_t.
        const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        put_number(w, s, magnitude, v < 0, 10, false, "");
        break;
    }
    case 'u': put_number(w, s, fetch_unsigned(ap, len), false, 10, false, ""); break;
    case 'x':
    case 'X': {
        const uint64_t v = fetch_unsigned(ap, len);
        const bool upper = *f == 'X';
        put_number(w, s, v, false, 16, upper, s.alt && v ? (upper ? "0X" : "0x") : "");
        break;
    }
    case 'o': put_number(w, s, fetch_unsigned(ap, len), false, 8, false, ""); break;
    case 'p':
        put_number(w, s, reinterpret_cast<uintptr_t>(va_arg(ap, void *)), false, 16, false, "0x");
        break;
    case 'c': {
        const char c[2] = {static_cast<char>(va_arg(ap, int)), 0};
        put_string(w, s, c);
        break;
    }
    case 's': put_string(w, s, va_arg(ap, const char *)); break;
    case '%': w.put('%'); break;
    case '\0': return f;  // a lone '%' at the end: print nothing rather than read past the end
    default:               // unknown conversion: show it, so the mistake is visible in the log
        w.put('%');
        w.put(*f);
        break;
    }
    return f + 1;
}

struct Buffer {
    char *buf;
    size_t size;
    size_t len;
};

void buffer_sink(void *ctx, char c)
{
    auto *b = static_cast<Buffer *>(ctx);
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

}  // namespace

size_t vformat(FormatSink sink, void *ctx, const char *fmt, va_list ap)
{
    Writer w(sink, ctx);
    va_list args;
    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%')
            w.put(*fmt++);
        else
            fmt = convert(w, fmt + 1, args);
    }
    va_end(args);
    return w.count();
}

size_t vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    Buffer b{buf, size, 0};
    const size_t n = vformat(buffer_sink, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

size_t snformat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t n = vsnformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

size_t format_milli(char *buf, size_t size, int64_t milli)
{
    constexpr uint64_t kMilliPerUnit = 1000;
    const uint64_t magnitude = milli < 0 ? 0 - static_cast<uint64_t>(milli) : static_cast<uint64_t>(milli);
    return snformat(buf, size, "%s%llu.%03llu", milli < 0 ? "-" : "",
                    static_cast<unsigned long long>(magnitude / kMilliPerUnit),
                    static_cast<unsigned long long>(magnitude % kMilliPerUnit));
}

}  // namespace demo
