// SPDX-License-Identifier: GPL-2.0
#include "diag.hpp"

#include <cstdio>

namespace cellc {

std::string Diagnostic::str() const
{
    std::string s;
    for (const std::string *part : {&where.file, &where.node, &where.property}) {
        if (!part->empty())
            s += *part + ": ";
    }
    return s + message;
}

std::string hex(unsigned long long v)
{
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", v);
    return buf;
}

}  // namespace cellc
