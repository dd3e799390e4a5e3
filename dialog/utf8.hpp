#pragma once
// UTF-8 decoding and encoding shared by every module: strict validation (Unicode Table 3-7, no
// overlongs, no surrogates, nothing above U+10FFFF) and the "maximal subpart" rule for how many
// bytes one U+FFFD replaces. Pure functions: thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace minsheng::dialog {

inline constexpr char32_t replacement_character = 0xFFFD;

struct decoded {
    char32_t cp = 0;      // the code point, or replacement_character when invalid
    std::size_t len = 1;  // bytes consumed (>= 1 whenever s is not empty)
    bool valid = true;
};

// Decodes the character at s[i] (i < s.size()). An invalid sequence consumes its maximal
// subpart: the longest prefix that could start a valid sequence, at least one byte.
inline decoded decode_utf8(std::string_view s, std::size_t i) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
    const std::size_t left = s.size() - i;
    const unsigned char b0 = p[0];
    if (b0 < 0x80) return {b0, 1, true};
    std::size_t need = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return {replacement_character, 1, false};
    }
    for (std::size_t k = 1; k <= need; ++k) {
        if (k >= left) return {replacement_character, k, false};
        const unsigned char b = p[k];
        if (b < lo || b > hi) return {replacement_character, k, false};
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return {cp, need + 1, true};
}

// Appends the UTF-8 encoding of a valid code point.
inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

inline std::string to_utf8(char32_t cp) {
    std::string s;
    append_utf8(s, cp);
    return s;
}

// Number of code points in valid UTF-8 (continuation bytes are not counted).
inline std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// True when every byte sequence in s is valid UTF-8.
inline bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        decoded d = decode_utf8(s, i);
        if (!d.valid) return false;
        i += d.len;
    }
    return true;
}

// The longest prefix of s of at most max_bytes that does not cut a character in half.
inline std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

// The longest prefix of s of at most max_chars code points (invalid bytes count as one each,
// as decode_utf8 reads them).
inline std::string_view prefix_chars(std::string_view s, std::size_t max_chars) {
    std::size_t i = 0;
    for (std::size_t n = 0; n < max_chars && i < s.size(); ++n) i += decode_utf8(s, i).len;
    return s.substr(0, i);
}

}  // namespace minsheng::dialog
