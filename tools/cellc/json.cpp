// SPDX-License-Identifier: GPL-2.0
#include "json.hpp"

#include <cctype>

#include "diag.hpp"

namespace cellc {

namespace {

constexpr int MAX_DEPTH = 16;  // dumps nest 4 deep; anything deeper is not ours

class Parser {
public:
    Parser(const std::string &file, const std::string &text) : file_(file), s_(text) {}

    Json document()
    {
        Json v = value(0);
        skip_space();
        if (pos_ != s_.size())
            fail("trailing characters after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error(Location{file_, {}, {}}, "JSON at byte " + std::to_string(pos_) + ": " + what);
    }

    void skip_space()
    {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
            pos_++;
    }

    bool take(char c)
    {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == c) {
            pos_++;
            return true;
        }
        return false;
    }

    void expect(char c)
    {
        if (!take(c))
            fail(std::string("expected '") + c + "'");
    }

    bool keyword(const char *word)
    {
        std::string w = word;
        if (s_.compare(pos_, w.size(), w) != 0)
            return false;
        pos_ += w.size();
        return true;
    }

    std::string string()
    {
        expect('"');
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            char c = s_[pos_++];
            if (c == '\\') {
                if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\\'))
                    fail("only \\\" and \\\\ escapes are supported");
                c = s_[pos_++];
            }
            out += c;
        }
        if (!take('"'))
            fail("unterminated string");
        return out;
    }

    std::uint64_t number()
    {
        std::uint64_t v = 0;
        size_t start = pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
            unsigned digit = static_cast<unsigned>(s_[pos_] - '0');
            if (v > (UINT64_MAX - digit) / 10)
                fail("number does not fit in 64 bits");
            v = v * 10 + digit;
            pos_++;
        }
        if (pos_ == start)
            fail("expected a value (unsigned number, string, array, object, true, false or null)");
        return v;
    }

    Json value(int depth)
    {
        if (depth > MAX_DEPTH)
            fail("nested too deeply");
        skip_space();
        Json v;
        if (pos_ < s_.size() && s_[pos_] == '"') {
            v.kind = Json::Kind::String;
            v.text = string();
        } else if (take('[')) {
            v.kind = Json::Kind::Array;
            if (!take(']')) {
                do
                    v.items.push_back(value(depth + 1));
                while (take(','));
                expect(']');
            }
        } else if (take('{')) {
            v.kind = Json::Kind::Object;
            if (!take('}')) {
                do {
                    skip_space();
                    std::string key = string();
                    expect(':');
                    v.items.push_back(value(depth + 1));
                    v.items.back().key = std::move(key);
                } while (take(','));
                expect('}');
            }
        } else if (keyword("true")) {
            v.kind = Json::Kind::Bool;
            v.boolean = true;
        } else if (keyword("false")) {
            v.kind = Json::Kind::Bool;
        } else if (keyword("null")) {
            v.kind = Json::Kind::Null;
        } else {
            v.kind = Json::Kind::Number;
            v.number = number();
        }
        return v;
    }

    const std::string &file_;
    const std::string &s_;
    size_t pos_ = 0;
};

}  // namespace

const Json *Json::find(const std::string &key) const
{
    if (kind != Kind::Object)
        return nullptr;
    for (const Json &member : items)
        if (member.key == key)
            return &member;
    return nullptr;
}

Json parse_json(const std::string &file, const std::string &text) { return Parser(file, text).document(); }

}  // namespace cellc
