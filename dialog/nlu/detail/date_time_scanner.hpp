#pragma once
// The date and time rules of the extractor: absolute dates (2026年3月5日, 3.5, 15号, with
// Arabic or Chinese numerals), relative ones (昨天, 三天前, 下周一, 上个月) anchored on a
// given instant in China time, and clock times (20:30, 晚上8点, 下午三点十五分). Entity
// values as extractor.hpp documents them. Immutable after construction: share freely.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/detail/candidate.hpp"

namespace minsheng::dialog::nlu::detail {

class date_time_scanner {
public:
    // Compiles the patterns; throws std::runtime_error if one does not compile.
    date_time_scanner();
    ~date_time_scanner();

    // The patterns, for the extractor's one-pass screen; scan() reads `live` in this order.
    std::vector<std::string> patterns() const;

    // Appends to `out` the candidates in normalised `text`, possibly overlapping. `now` (unix
    // seconds) anchors relative dates and years left out (China time, UTC+8). live[i] false
    // says that patterns()[i] matches nowhere in text, so it is not run.
    void scan(std::string_view text, const std::vector<bool>& live, std::int64_t now,
              std::vector<candidate>& out) const;

private:
    struct rules;
    std::unique_ptr<const rules> rules_;
};

}  // namespace minsheng::dialog::nlu::detail
