#pragma once
// Strict UTF-8 decoding (no overlongs, surrogates or code points above U+10FFFF). Private to
// the adapter. Pure functions, thread-safe.

#include <cstddef>
#include <string_view>

namespace minsheng::adapters::wechat_oa::detail {

// Decodes the sequence starting at s[i] (i < s.size()). Returns its length (1..4) and sets
// `cp`, or returns 0 when the bytes there are not valid UTF-8.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);

// Whether all of `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace minsheng::adapters::wechat_oa::detail
