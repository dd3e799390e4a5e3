#pragma once
// What a scanner reports to the extractor: an entity found in normalised text, before overlaps
// are settled and its span is mapped back to the original. Plain values.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::dialog::nlu::detail {

// [begin, end) in bytes of the normalised text.
using byte_range = std::pair<std::size_t, std::size_t>;

// Where two candidates overlap, the lower rank wins (then the longer, then the earlier).
enum rank : int {
    rank_case = 0,  // case, wish and proposal numbers
    rank_id,
    rank_phone,
    rank_landline,
    rank_money,
    rank_date,
    rank_time,
    rank_address,
};

struct candidate {
    std::size_t begin = 0;  // normalised byte range
    std::size_t end = 0;
    int rank = 0;                    // lower wins an overlap
    std::string_view type;           // the entity type, a string literal ("phone", "date", ...)
    std::string value;               // as extractor.hpp documents for the type
    std::vector<byte_range> secret;  // normalised characters that masking hides
};

}  // namespace minsheng::dialog::nlu::detail
