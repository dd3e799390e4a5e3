#pragma once
// Text normalisation for understanding: NFKC, full-width → half-width, Traditional →
// Simplified, unified punctuation and whitespace, emoji and control characters removed.
// Every output byte keeps a pointer back to the original text, so entities found in the
// normalised text can be reported with spans into what the person wrote.
// Immutable after create(): share freely across threads.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu {

struct normalised_text {
    std::string text;  // valid UTF-8
    // origin[i] is the byte offset in the original of the character that produced text[i];
    // origin.size() == text.size() + 1 and origin.back() == original.size().
    std::vector<std::size_t> origin;

    // Maps a byte range of `text` back to a byte range of the original.
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
    std::string to_simplified(std::string_view text) const;

    ~normalizer();
    struct impl;

private:
    explicit normalizer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::dialog::nlu
