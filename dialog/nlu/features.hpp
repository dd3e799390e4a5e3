#pragma once
// Features of normalised text, each reduced to a 64-bit hash, so that a model stores hashes,
// never the text it was trained on: character n-grams, the character n-grams of the text's head
// again (where most messages name their subject), and word n-grams of its segmentation. The three
// kinds hash from different seeds, so they share one space without meaning the same thing.
// Pure functions: thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
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
    // The character n-grams of the first head_chars characters are added once more as distinct
    // features (0: none). Whitespace and punctuation do not count as characters here.
    std::uint32_t head_chars = 0;
    // Word n-grams of the text's tokens (segmenter.hpp), n = 1..word_n (0: none, at most 3).
    std::uint32_t word_n = 0;

    bool operator==(const feature_config&) const = default;
};

// Appends to `out` the hash of every n-gram of `text` (n = min_n..max_n), in text order,
// repeats included, then those of its first config.head_chars characters with the head's seed.
// Characters are code points, with ASCII letters lower-cased and every run of digits (ASCII or
// full-width) folded to one "number" symbol. Whitespace, punctuation and symbols separate runs: no
// n-gram spans them. Invalid UTF-8 bytes are skipped. Uses a per-thread scratch buffer; never
// throws except std::bad_alloc.
void append_ngram_hashes(std::string_view text, const feature_config& config,
                         std::vector<std::uint64_t>& out);

// Appends to `out` the hash of every word n-gram (n = 1..config.word_n) of `tokens`, the
// segmentation of the same normalised text, in order, repeats included. Inside a token, ASCII
// letters are lower-cased and digit runs folded as above; tokens after the first
// config.max_chars characters are ignored. Appends nothing when config.word_n is 0.
void append_word_hashes(std::span<const std::string> tokens, const feature_config& config,
                        std::vector<std::uint64_t>& out);

// Every feature of a text under `config`: append_ngram_hashes, then append_word_hashes (tokens
// may be empty when config.word_n is 0). Training and prediction both use this.
void append_features(std::string_view text, std::span<const std::string> tokens,
                     const feature_config& config, std::vector<std::uint64_t>& out);

// Whether append_feature_pair can produce `second`'s features in `first`'s pass: the same
// characters (edges, max_chars), an n-gram range inside first's, and no head features or the
// same head as first's. Then every character n-gram of `second` is one of `first`'s, with the
// same hash. (Word features of `second` are always allowed: they are hashed from the tokens.)
bool shares_ngram_pass(const feature_config& first, const feature_config& second);

// append_features(text, tokens, first, out_first) and append_features(text, tokens, second,
// out_second), bit for bit, with one pass over the text for both (the character n-grams of
// `second` are taken from `first`'s as they are hashed). When !shares_ngram_pass(first,
// second), it makes the two calls. Used by engine::understand, where category's configuration
// and the dialog models' differ only in longer n-grams, head and words.
void append_feature_pair(std::string_view text, std::span<const std::string> tokens,
                         const feature_config& first, std::vector<std::uint64_t>& out_first,
                         const feature_config& second, std::vector<std::uint64_t>& out_second);

// The characters (code points) of UTF-8 text: its bytes that do not continue a sequence.
std::size_t code_points(std::string_view utf8);

// The sublinear term frequency of an n-gram seen `count` times in a text: 1 + ln(count), the
// same value in training and prediction (tabulated for small counts).
double sublinear_tf(std::uint32_t count);

}  // namespace minsheng::dialog::nlu
