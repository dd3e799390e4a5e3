#pragma once
// Chinese word segmentation over ICU's CJK word dictionary (the one its dictionary break
// iterator uses), with a user lexicon of program words and local names (微心愿, 微实事,
// 莞家速递, 共享小屋, 网格员, 12345, ...) that are always kept whole.
// Immutable after create(): share freely (each call keeps its own state on the stack).
//
// How: user-lexicon words are matched first (longest at each position; ASCII words only at
// letter/digit boundaries). Between them, each run of Han characters is split by the
// minimum-cost path through ICU's dictionary costs, as ICU's CJK break engine does (unknown
// characters cost 255 each), walking ICU's trie directly: about 25x faster than
// BreakIterator. Runs of ASCII letters and digits (with decimal points) and runs of other
// letters are one token each; whitespace, punctuation and symbols are dropped.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu {

class segmenter {
public:
    // `lexicon`: words to keep whole, written as normalised text (ASCII letters are lower-cased
    // here; empty entries are ignored). Throws std::runtime_error if ICU's CJK dictionary cannot
    // be loaded.
    static std::shared_ptr<const segmenter> create(std::vector<std::string> lexicon);

    // Tokens of `normalised` text, whitespace and punctuation dropped. Invalid UTF-8 bytes are
    // dropped too. Never throws except std::bad_alloc.
    std::vector<std::string> segment(std::string_view normalised) const;

    ~segmenter();
    struct impl;

private:
    explicit segmenter(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// The words of a lexicon file (models/lexicon.txt): one a line, surrounding blanks trimmed,
// empty lines and lines starting with # skipped. Throws std::runtime_error naming the file when
// it cannot be read.
std::vector<std::string> read_lexicon(const std::string& path);

}  // namespace minsheng::dialog::nlu
