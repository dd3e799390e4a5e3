#pragma once
// Text normalisation for understanding: NFKC, full-width → half-width, Traditional →
// Simplified, unified punctuation and whitespace, emoji and control characters removed.
// Every output byte keeps a pointer back to the original text, so entities found in the
// normalised text can be reported with spans into what the person wrote.
// Immutable after create(): share freely across threads.
//
// What normalise() does to each character, in one pass over a table built at create():
// - NFKC (ICU), so full-width letters, digits and ASCII punctuation become half-width
//   (１３８ → 138, ＡＢ → ab, ！？，：；（） → !?,:;()), the ideographic space becomes a space and
//   compatibility ideographs become unified ones. Combining sequences go through ICU as a whole.
// - Traditional → Simplified, character by character (ICU "Traditional-Simplified").
// - ASCII letters are lower-cased.
// - Punctuation has one form each, the half-width ASCII one wherever one exists:
//   。｡ → "."   、 → ","   “”„「」『』 → '"'   ‘’ → "'"   【】〔〕〖〗 → "[]"   〈〉 → 《》
//   —–―‐－ → "-"   ～〜 → "~"   ・‧• → "·"   …⋯ → "...". Other punctuation is kept as is.
// - Whitespace of any kind (tab, newline, U+3000, NBSP, ...) and emoji (pictographs, skin tones,
//   flags) are separators: each run becomes one space; none at either end.
// - Zero-width and format characters, variation selectors and other control characters are
//   dropped without a trace.
// - Invalid UTF-8: each maximal invalid subsequence becomes U+FFFD.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::dialog::nlu {

struct normalised_text {
    std::string text;  // valid UTF-8
    // origin[i] is the byte offset in the original of the character that produced text[i];
    // origin.size() == text.size() + 1 and origin.back() == original.size().
    std::vector<std::size_t> origin;
    // Where input bytes produced no output (whitespace collapsed away, emoji or invisible
    // characters dropped): (position in text, original offset where those bytes begin), sorted
    // by position, just before the output byte at that position. Lets to_original() end a
    // range where its last character ended rather than after what was dropped behind it.
    std::vector<std::pair<std::size_t, std::size_t>> skipped;

    // Maps a byte range of `text` back to a byte range of the original: from the first byte of
    // the character that produced text[begin] to the end of the one that produced
    // text[end - 1]. Positions past the end are clamped.
    std::pair<std::size_t, std::size_t> to_original(std::size_t begin, std::size_t end) const;
};

class normalizer {
public:
    // Builds the conversion tables (ICU). Throws std::runtime_error if ICU lacks a needed
    // transform.
    static std::shared_ptr<const normalizer> create();

    // Never throws; invalid UTF-8 bytes become U+FFFD in the output (mapped to their offset).
    normalised_text normalise(std::string_view original) const;

    // Traditional → Simplified only, character by character (used for tests and tooling).
    // Everything else, invalid bytes included, is copied unchanged.
    std::string to_simplified(std::string_view text) const;

    // Bytes held by the conversion tables (for memory reports).
    std::size_t memory_bytes() const;

    ~normalizer();
    struct impl;

private:
    explicit normalizer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::dialog::nlu
