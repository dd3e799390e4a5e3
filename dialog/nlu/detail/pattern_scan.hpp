#pragma once
// RE2 helpers the pattern-based scanners share: running one pattern over a text, and skipping
// the patterns that the extractor's one-pass screen found nowhere in it. The only header of
// the module that includes RE2: for the scanners' .cpp files, never for a public header.
// Pure functions over immutable patterns: thread-safe.

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu::detail {

using piece = re2::StringPiece;

inline std::string_view view(const piece& p) { return {p.data(), p.size()}; }
inline bool matched(const piece& p) { return p.data() != nullptr; }

// Byte offset of p, a piece of text, in text.
inline std::size_t offset_in(std::string_view text, const piece& p) {
    return static_cast<std::size_t>(p.data() - text.data());
}

// Throws std::runtime_error naming the pattern if re did not compile.
inline void require_ok(const RE2& re) {
    if (!re.ok())
        throw std::runtime_error("extractor: pattern " + re.pattern() + ": " + re.error());
}

// A scanner's patterns and which of them can match the text being read: patterns[i] runs
// only when live[i].
struct live_set {
    const std::vector<const RE2*>& patterns;
    const std::vector<bool>& live;
    bool has(const RE2& re) const {
        auto it = std::find(patterns.begin(), patterns.end(), &re);
        return it != patterns.end() && live[static_cast<std::size_t>(it - patterns.begin())];
    }
};

// Calls f(groups, begin, end) for each successive non-overlapping match of re in text, if re
// is live.
template <class F>
void for_each_match(const live_set& live, const RE2& re, std::string_view text, F&& f) {
    if (!live.has(re)) return;
    std::array<piece, 12> g;
    const int n = std::min<int>(re.NumberOfCapturingGroups() + 1, static_cast<int>(g.size()));
    const piece whole(text.data(), text.size());
    std::size_t pos = 0;
    while (pos < text.size() && re.Match(whole, pos, text.size(), RE2::UNANCHORED, g.data(), n)) {
        std::size_t b = offset_in(text, g[0]);
        std::size_t e = b + g[0].size();
        f(g, b, e);
        if (e > b) {
            pos = e;
        } else {
            pos = b + 1;
            while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
                ++pos;
        }
    }
}

}  // namespace minsheng::dialog::nlu::detail
