#pragma once
// Chinese word segmentation: ICU's dictionary break iterator, corrected by a user lexicon of
// program words and local names (微心愿, 微实事, 莞家速递, 共享小屋, 网格员, 12345, ...) that are
// always kept whole. Immutable after create(): share freely (each call uses its own iterator).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu {

class segmenter {
public:
    // `lexicon`: words to keep whole. Throws std::runtime_error if ICU cannot build an iterator.
    static std::shared_ptr<const segmenter> create(std::vector<std::string> lexicon);

    // Tokens of `normalised` text, whitespace and punctuation dropped.
    std::vector<std::string> segment(std::string_view normalised) const;

    ~segmenter();
    struct impl;

private:
    explicit segmenter(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::dialog::nlu
