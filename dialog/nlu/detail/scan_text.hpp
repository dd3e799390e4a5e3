#pragma once
// Code-point tests the extractor's scanners share, over normalised UTF-8 text (half-width,
// lower case, Simplified). Pure functions: thread-safe.

#include <cstddef>
#include <string_view>

#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu::detail {

// Chinese numerals, as the number and date rules read them.
inline constexpr std::u32string_view cn_numerals =
    U"零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟";

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool is_ascii_alnum(char32_t c) {
    return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z');
}

// Whether c (not 0, which stands for "no character") is one of `set`.
inline bool in(std::u32string_view set, char32_t c) { return c != 0 && set.find(c) != set.npos; }

// The code point that starts at byte i, or 0 at the end.
inline char32_t char_at(std::string_view s, std::size_t i) {
    return i < s.size() ? dialog::decode_utf8(s, i).cp : 0;
}

// The code point that ends at byte i, or 0 at the start.
inline char32_t char_before(std::string_view s, std::size_t i) {
    if (i == 0) return 0;
    std::size_t j = i - 1;
    while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    return dialog::decode_utf8(s, j).cp;
}

}  // namespace minsheng::dialog::nlu::detail
