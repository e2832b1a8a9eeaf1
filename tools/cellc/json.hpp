// SPDX-License-Identifier: GPL-2.0
// The JSON subset `moat-cellc dump --json` writes (objects, arrays, strings without escapes
// beyond \" and \\, unsigned integers, true/false/null), read back by `moat-cellc pack`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cellc {

struct Json {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    std::uint64_t number = 0;
    std::string text;
    std::vector<Json> items;  // array elements, or object members (each with its key)
    std::string key;          // the member name, for members of an object

    // The member `key` of an object, or nullptr.
    const Json *find(const std::string &key) const;
};

// Throws Error naming `file` and the byte offset of the first problem.
Json parse_json(const std::string &file, const std::string &text);

}  // namespace cellc
