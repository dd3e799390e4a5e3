#include "dialog/nlu/features.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>

namespace minsheng::dialog::nlu {
namespace {

// Symbols outside Unicode's range stand for the markers and the folded digit run.
constexpr std::uint32_t separator = 0xFFFFFFFFu;
constexpr std::uint32_t text_start = 0x110001u;
constexpr std::uint32_t text_end = 0x110002u;
constexpr std::uint32_t number = 0x110003u;

std::uint64_t mix(std::uint64_t x) {
    // The splitmix64 finaliser: every input bit affects every output bit.
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

std::uint64_t combine(std::uint64_t h, std::uint32_t symbol) {
    return mix(h + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(symbol) + 1));
}

// Decodes one code point at text[i]; advances i. Returns separator for an invalid sequence
// (one byte is skipped).
std::uint32_t decode(std::string_view text, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07u;
    } else {
        ++i;
        return separator;
    }
    if (i + len > text.size()) {
        ++i;
        return separator;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return separator;
        }
        cp = (cp << 6) | (b & 0x3Fu);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return separator;
    }
    i += len;
    return cp;
}

// The symbol a code point contributes, or separator.
std::uint32_t symbol_of(std::uint32_t cp) {
    if (cp < 0x80) {
        if (cp >= '0' && cp <= '9') return number;
        if (cp >= 'A' && cp <= 'Z') return cp + ('a' - 'A');
        if (cp >= 'a' && cp <= 'z') return cp;
        return separator;
    }
    if (cp >= 0xFF10 && cp <= 0xFF19) return number;
    if (cp >= 0xFF21 && cp <= 0xFF3A) return cp - 0xFF21 + 'a';
    if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 0xFF41 + 'a';
    const bool punctuation = cp < 0xC0 || (cp >= 0x2000 && cp <= 0x2BFF) ||
                             (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE6F) ||
                             (cp >= 0xFF00 && cp <= 0xFF65) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
                             cp >= 0x1F000;
    return punctuation ? separator : cp;
}

// Starting states of the hash chains: one per kind of feature, so that the character n-gram
// 路灯, the same n-gram in the head, and the word 路灯 are three different features.
constexpr std::uint64_t char_seed = 0x5DEECE66Dull;
constexpr std::uint64_t head_seed = 0x48EAD5EEDull;
constexpr std::uint64_t word_seed = 0x3D0A5EEDull;
constexpr std::uint64_t word_gram_seed = 0x6A09E667F3BCC909ull;

// Where emit_ngrams puts the n-grams of one length range.
struct ngram_sink {
    std::size_t min_n = 1;
    std::size_t max_n = 0;  // 0: this sink takes nothing
    std::vector<std::uint64_t>* out = nullptr;
};

// Appends the hashes of every n-gram (n = min_n..max_n of each sink) of `symbols` that no
// separator breaks, hashed from `seed`, to the sink's vector; the markers alone are not
// unigrams. The hash of an n-gram does not depend on the sink, so a second sink with a range
// inside the first's gets what a call of its own would give.
void emit_ngrams(std::span<const std::uint32_t> symbols, ngram_sink first, ngram_sink second,
                 std::uint64_t seed) {
    const std::size_t max_n = std::max(first.max_n, second.max_n);
    std::size_t run = 0;  // symbols since the last separator, including the current one
    for (std::size_t p = 0; p < symbols.size(); ++p) {
        const std::uint32_t s = symbols[p];
        if (s == separator) {
            run = 0;
            continue;
        }
        ++run;
        // n-grams ending at p, built right to left: hash(s[p]), hash(s[p-1] s[p]), ...
        std::uint64_t h = seed;
        const std::size_t longest = std::min(run, max_n);
        for (std::size_t n = 1; n <= longest; ++n) {
            const std::uint32_t c = symbols[p + 1 - n];
            h = combine(h, c);
            if (n == 1 && (c == text_start || c == text_end)) continue;
            const std::uint64_t key = h != 0 ? h : 1;  // 0 marks an empty slot in model tables
            if (n >= first.min_n && n <= first.max_n) first.out->push_back(key);
            if (n >= second.min_n && n <= second.max_n) second.out->push_back(key);
        }
    }
}

// The symbols of `text` under `config` (markers, folded digits, separators between runs) and
// the end of its first config.head_chars characters, into a per-thread buffer.
std::span<const std::uint32_t> symbols_of(std::string_view text, const feature_config& config,
                                          std::size_t& head_end) {
    thread_local std::vector<std::uint32_t> symbols;
    symbols.clear();
    if (config.edges) symbols.push_back(text_start);
    std::size_t chars = 0;
    head_end = 0;  // symbols[0, head_end) hold the first head_chars characters
    std::size_t head_count = 0;
    for (std::size_t i = 0; i < text.size() && chars < config.max_chars; ++chars) {
        const std::uint32_t s = symbol_of(decode(text, i));
        if (s == separator) {
            // Leading separators and repeats collapse; trailing ones are dropped below.
            if (!symbols.empty() && symbols.back() != separator && symbols.back() != text_start) {
                symbols.push_back(separator);
            }
        } else if (!(s == number && !symbols.empty() && symbols.back() == number)) {
            symbols.push_back(s);
            if (head_count < config.head_chars) {
                ++head_count;
                head_end = symbols.size();
            }
        }
    }
    if (!symbols.empty() && symbols.back() == separator) symbols.pop_back();
    if (config.edges) symbols.push_back(text_end);
    if (head_count < config.head_chars) head_end = symbols.size();  // the whole text is head
    return symbols;
}

ngram_sink sink_of(const feature_config& config, std::vector<std::uint64_t>* out) {
    const std::size_t max_n = std::clamp<std::size_t>(config.max_n, 1, 6);
    const std::size_t min_n = std::clamp<std::size_t>(config.min_n, 1, max_n);
    return {min_n, max_n, out};
}

}  // namespace

double sublinear_tf(std::uint32_t count) {
    static const auto table = [] {
        std::array<double, 64> t{};
        for (std::size_t i = 1; i < t.size(); ++i) t[i] = 1.0 + std::log(static_cast<double>(i));
        return t;
    }();
    if (count == 0) return 0.0;
    return count < table.size() ? table[count] : 1.0 + std::log(static_cast<double>(count));
}

void append_ngram_hashes(std::string_view text, const feature_config& config,
                         std::vector<std::uint64_t>& out) {
    std::size_t head_end = 0;
    const auto symbols = symbols_of(text, config, head_end);
    const ngram_sink sink = sink_of(config, &out);
    emit_ngrams(symbols, sink, ngram_sink{}, char_seed);
    if (config.head_chars > 0) emit_ngrams(symbols.first(head_end), sink, ngram_sink{}, head_seed);
}

void append_word_hashes(std::span<const std::string> tokens, const feature_config& config,
                        std::vector<std::uint64_t>& out) {
    const std::size_t word_n = std::min<std::size_t>(config.word_n, 3);
    if (word_n == 0) return;
    std::uint64_t previous[3] = {0, 0, 0};  // the last words' hashes, most recent first
    std::size_t seen = 0;                   // words so far (capped at word_n)
    std::size_t chars = 0;
    for (const auto& token : tokens) {
        if (chars >= config.max_chars) break;
        std::uint64_t h = word_seed;
        std::uint32_t last = separator;
        bool any = false;
        for (std::size_t i = 0; i < token.size(); ++chars) {
            const std::uint32_t s = symbol_of(decode(token, i));
            if (s == separator || (s == number && last == number)) continue;
            h = combine(h, s);
            last = s;
            any = true;
        }
        if (!any) continue;
        previous[2] = previous[1];
        previous[1] = previous[0];
        previous[0] = h;
        seen = std::min(seen + 1, word_n);
        out.push_back(h != 0 ? h : 1);
        std::uint64_t g = h;
        for (std::size_t n = 2; n <= seen; ++n) {
            g = mix(g * 0x9E3779B97F4A7C15ull + previous[n - 1] + word_gram_seed);
            out.push_back(g != 0 ? g : 1);
        }
    }
}

void append_features(std::string_view text, std::span<const std::string> tokens,
                     const feature_config& config, std::vector<std::uint64_t>& out) {
    append_ngram_hashes(text, config, out);
    append_word_hashes(tokens, config, out);
}

bool shares_ngram_pass(const feature_config& first, const feature_config& second) {
    const auto a = sink_of(first, nullptr);
    const auto b = sink_of(second, nullptr);
    return first.edges == second.edges && first.max_chars == second.max_chars &&
           b.min_n >= a.min_n && b.max_n <= a.max_n &&
           (second.head_chars == 0 || second.head_chars == first.head_chars);
}

void append_feature_pair(std::string_view text, std::span<const std::string> tokens,
                         const feature_config& first, std::vector<std::uint64_t>& out_first,
                         const feature_config& second, std::vector<std::uint64_t>& out_second) {
    if (!shares_ngram_pass(first, second)) {
        append_features(text, tokens, first, out_first);
        append_features(text, tokens, second, out_second);
        return;
    }
    std::size_t head_end = 0;
    const auto symbols = symbols_of(text, first, head_end);
    const ngram_sink a = sink_of(first, &out_first);
    const ngram_sink b = sink_of(second, &out_second);
    emit_ngrams(symbols, a, b, char_seed);
    if (first.head_chars > 0) {
        emit_ngrams(symbols.first(head_end), a, second.head_chars > 0 ? b : ngram_sink{},
                    head_seed);
    }
    append_word_hashes(tokens, first, out_first);
    append_word_hashes(tokens, second, out_second);
}

std::size_t code_points(std::string_view utf8) {
    std::size_t n = 0;
    for (const char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0u) != 0x80u ? 1 : 0;
    return n;
}

}  // namespace minsheng::dialog::nlu
