#include "dialog/nlu/segmenter.hpp"

#include <unicode/uchar.h>
#include <unicode/ucharstrie.h>
#include <unicode/udata.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu {
namespace {

// Layout of ICU's dictionary files (brkitr/*.dict, DictionaryData in ICU's sources): eight
// int32 indexes, the first the byte offset of the trie, the fifth the trie type.
constexpr int index_trie_offset = 0;
constexpr int index_trie_type = 4;
constexpr std::int32_t trie_type_uchars = 1;
constexpr std::int32_t trie_has_values = 8;

constexpr std::size_t longest_word = 16;     // ICU's CJK dictionary has none longer
constexpr std::uint32_t unknown_cost = 255;  // ICU's cost of a character not in the dictionary

bool is_han(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}
bool is_ascii_alnum(char32_t c) {
    return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}
bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

enum class kind { han, ascii, other_word, skip };

kind kind_of(char32_t c, bool valid) {
    if (!valid) return kind::skip;
    if (c < 0x80) return is_ascii_alnum(c) ? kind::ascii : kind::skip;
    if (is_han(c)) return kind::han;
    return u_isalnum(static_cast<UChar32>(c)) ? kind::other_word : kind::skip;
}

// Per-thread scratch, so that segment() allocates only for its result.
struct scratch {
    std::vector<char32_t> cps;
    std::vector<std::size_t> at;  // byte offset of each code point, plus the end
    std::vector<kind> kinds;
    std::vector<std::uint32_t> best;
    std::vector<std::uint8_t> step;  // length of the last word on the best path
    std::vector<std::uint8_t> lengths;
};

}  // namespace

// The dictionary trie after the first character of a word: the root of ICU's CJK dictionary
// branches over some 20,000 characters, and every position of a Han run starts there, so the
// state after each BMP Han character is computed once, when the segmenter is created.
struct first_step {
    icu::UCharsTrie::State state;
    UStringTrieResult result = USTRINGTRIE_NO_MATCH;
};
constexpr char32_t first_steps_from = 0x3400;  // CJK extension A, then the unified ideographs
constexpr char32_t first_steps_to = 0xA000;

struct segmenter::impl {
    UDataMemory* data = nullptr;
    const char16_t* trie = nullptr;
    std::vector<first_step> first_steps;  // per code point in [first_steps_from, first_steps_to)
    // User lexicon, by first code point, longest first.
    std::unordered_map<char32_t, std::vector<std::u32string>> lexicon;
    std::bitset<0x10000> lexicon_starts;  // BMP first code points (others: look up the map)

    ~impl() {
        if (data) udata_close(data);
    }

    // Length in code points of the lexicon word at cps[i], or 0.
    std::size_t lexicon_match(const scratch& s, std::size_t i) const;
    // Appends the minimum-cost split of the Han run cps[b, e).
    void split_han(scratch& s, std::size_t b, std::size_t e, std::string_view text,
                   std::vector<std::string>& out) const;
};

std::size_t segmenter::impl::lexicon_match(const scratch& s, std::size_t i) const {
    const char32_t c = s.cps[i];
    if (c < 0x10000 && !lexicon_starts[c]) return 0;
    auto it = lexicon.find(c);
    if (it == lexicon.end()) return 0;
    const std::size_t n = s.cps.size();
    for (const auto& w : it->second) {
        if (i + w.size() > n) continue;
        if (!std::equal(w.begin(), w.end(), s.cps.begin() + static_cast<std::ptrdiff_t>(i)))
            continue;
        // A word that ends (or starts) in an ASCII letter or digit must not cut a longer run.
        if (is_ascii_alnum(w.front()) && i > 0 && is_ascii_alnum(s.cps[i - 1])) continue;
        const std::size_t end = i + w.size();
        if (is_ascii_alnum(w.back()) && end < n && is_ascii_alnum(s.cps[end])) continue;
        return w.size();
    }
    return 0;
}

void segmenter::impl::split_han(scratch& s, std::size_t b, std::size_t e, std::string_view text,
                                std::vector<std::string>& out) const {
    const std::size_t n = e - b;
    constexpr std::uint32_t infinite = 0xFFFFFFFFu;
    s.best.assign(n + 1, infinite);
    s.step.assign(n + 1, 0);
    s.best[0] = 0;
    icu::UCharsTrie t(trie);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t here = s.best[i];
        auto relax = [&](std::size_t len, std::uint32_t cost) {
            if (here + cost < s.best[i + len]) {
                s.best[i + len] = here + cost;
                s.step[i + len] = static_cast<std::uint8_t>(len);
            }
        };
        bool single = false;
        const char32_t c = s.cps[b + i];
        UStringTrieResult r;
        if (c >= first_steps_from && c < first_steps_to) {
            const first_step& f = first_steps[c - first_steps_from];
            r = f.result;
            if (r != USTRINGTRIE_NO_MATCH) t.resetToState(f.state);
        } else {
            t.reset();
            r = t.firstForCodePoint(static_cast<UChar32>(c));
        }
        for (std::size_t len = 1;; ++len) {
            if (USTRINGTRIE_HAS_VALUE(r)) {
                relax(len, static_cast<std::uint32_t>(t.getValue()));
                single = single || len == 1;
            }
            if (!USTRINGTRIE_HAS_NEXT(r) || i + len >= n || len >= longest_word) break;
            r = t.nextForCodePoint(static_cast<UChar32>(s.cps[b + i + len]));
        }
        if (!single) relax(1, unknown_cost);
    }
    s.lengths.clear();
    for (std::size_t k = n; k > 0; k -= s.step[k]) s.lengths.push_back(s.step[k]);
    std::size_t at = b;
    for (auto it = s.lengths.rbegin(); it != s.lengths.rend(); ++it) {
        out.emplace_back(text.substr(s.at[at], s.at[at + *it] - s.at[at]));
        at += *it;
    }
}

std::shared_ptr<const segmenter> segmenter::create(std::vector<std::string> lexicon) {
    auto p = std::make_unique<impl>();
    UErrorCode status = U_ZERO_ERROR;
    p->data = udata_open(U_ICUDATA_NAME "-brkitr", "dict", "cjdict", &status);
    if (U_FAILURE(status) || !p->data)
        throw std::runtime_error(std::string("segmenter: ICU CJK dictionary: ") +
                                 u_errorName(status));
    const auto* indexes = static_cast<const std::int32_t*>(udata_getMemory(p->data));
    const std::int32_t type = indexes[index_trie_type];
    if ((type & 7) != trie_type_uchars || (type & trie_has_values) == 0)
        throw std::runtime_error("segmenter: ICU CJK dictionary has an unexpected format");
    p->trie = reinterpret_cast<const char16_t*>(reinterpret_cast<const char*>(indexes) +
                                                indexes[index_trie_offset]);
    p->first_steps.resize(first_steps_to - first_steps_from);
    icu::UCharsTrie walker(p->trie);
    for (char32_t c = first_steps_from; c < first_steps_to; ++c) {
        auto& f = p->first_steps[c - first_steps_from];
        walker.reset();
        f.result = walker.firstForCodePoint(static_cast<UChar32>(c));
        walker.saveState(f.state);
    }

    for (const auto& word : lexicon) {
        std::u32string w;
        for (std::size_t i = 0; i < word.size();) {
            auto d = dialog::decode_utf8(word, i);
            i += d.len;
            if (!d.valid) continue;
            char32_t c = d.cp;
            if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
            w.push_back(c);
        }
        if (w.empty()) continue;
        if (w[0] < 0x10000) p->lexicon_starts.set(w[0]);
        auto& list = p->lexicon[w[0]];
        if (std::find(list.begin(), list.end(), w) == list.end()) list.push_back(std::move(w));
    }
    for (auto& [first, list] : p->lexicon)
        std::stable_sort(list.begin(), list.end(),
                         [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return std::shared_ptr<const segmenter>(new segmenter(std::move(p)));
}

segmenter::segmenter(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
segmenter::~segmenter() = default;

std::vector<std::string> segmenter::segment(std::string_view text) const {
    thread_local scratch s;
    s.cps.clear();
    s.at.clear();
    s.kinds.clear();
    for (std::size_t i = 0; i < text.size();) {
        auto d = dialog::decode_utf8(text, i);
        s.cps.push_back(d.cp);
        s.at.push_back(i);
        s.kinds.push_back(kind_of(d.cp, d.valid));
        i += d.len;
    }
    s.at.push_back(text.size());

    std::vector<std::string> out;
    const std::size_t n = s.cps.size();
    auto emit = [&](std::size_t b, std::size_t e) {
        out.emplace_back(text.substr(s.at[b], s.at[e] - s.at[b]));
    };
    for (std::size_t i = 0; i < n;) {
        if (std::size_t len = impl_->lexicon_match(s, i)) {
            emit(i, i + len);
            i += len;
            continue;
        }
        const kind k = s.kinds[i];
        std::size_t j = i + 1;
        switch (k) {
            case kind::han:
                while (j < n && s.kinds[j] == kind::han && impl_->lexicon_match(s, j) == 0) ++j;
                impl_->split_han(s, i, j, text, out);
                break;
            case kind::ascii:
                while (j < n && (s.kinds[j] == kind::ascii ||
                                 (s.cps[j] == U'.' && j + 1 < n && is_ascii_digit(s.cps[j - 1]) &&
                                  is_ascii_digit(s.cps[j + 1]))))
                    ++j;
                emit(i, j);
                break;
            case kind::other_word:
                while (j < n && s.kinds[j] == kind::other_word) ++j;
                emit(i, j);
                break;
            case kind::skip:
                break;
        }
        i = j;
    }
    return out;
}

std::vector<std::string> read_lexicon(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open lexicon " + path);
    std::vector<std::string> words;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() &&
               (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.pop_back();
        }
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') continue;
        words.push_back(line.substr(start));
    }
    if (in.bad()) throw std::runtime_error("cannot read lexicon " + path);
    return words;
}

}  // namespace minsheng::dialog::nlu
