#pragma once
// Character n-gram features of normalised text, each n-gram reduced to a 64-bit hash, so that a
// model stores hashes, never the text it was trained on. Pure functions: thread-safe.

#include <cstdint>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu {

// How a text becomes n-grams. Part of every model file: a model is always applied with the
// configuration it was trained with.
struct feature_config {
    std::uint32_t min_n = 1;  // shortest n-gram, in characters (1..max_n)
    std::uint32_t max_n = 3;  // longest n-gram (at most 6)
    // Adds start- and end-of-text markers, so n-grams see where a message begins and ends
    // ("对" alone versus "对面的路灯坏了").
    bool edges = true;
    // Characters after this many are ignored, which bounds the time spent on huge inputs.
    std::uint32_t max_chars = 8000;

    bool operator==(const feature_config&) const = default;
};

// Appends to `out` the hash of every n-gram of `text` (n = min_n..max_n), in text order,
// repeats included. Characters are code points, with ASCII letters lower-cased and every run of
// digits (ASCII or full-width) folded to one "number" symbol. Whitespace, punctuation and symbols
// separate runs: no n-gram spans them. Invalid UTF-8 bytes are skipped. Uses a per-thread
// scratch buffer; never throws except std::bad_alloc.
void append_ngram_hashes(std::string_view text, const feature_config& config,
                         std::vector<std::uint64_t>& out);

// The sublinear term frequency of an n-gram seen `count` times in a text: 1 + ln(count), the
// same value in training and prediction (tabulated for small counts).
double sublinear_tf(std::uint32_t count);

}  // namespace minsheng::dialog::nlu
