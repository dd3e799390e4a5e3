#pragma once
// The number rules of the extractor: case, wish and proposal numbers, 18-digit ID numbers
// (checksum and birth date verified, see valid_id_number in extractor.hpp), mobile and
// landline numbers, and money amounts, with the digits that masking hides. Entity types and
// values as extractor.hpp documents them. Immutable after construction: share freely.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/detail/candidate.hpp"

namespace minsheng::dialog::nlu::detail {

class number_scanner {
public:
    // Compiles the patterns; throws std::runtime_error if one does not compile.
    number_scanner();
    ~number_scanner();

    // The patterns, for the extractor's one-pass screen; scan() reads `live` in this order.
    std::vector<std::string> patterns() const;

    // Appends to `out` the candidates in normalised `text`, possibly overlapping. live[i] false
    // says that patterns()[i] matches nowhere in text, so it is not run.
    void scan(std::string_view text, const std::vector<bool>& live,
              std::vector<candidate>& out) const;

private:
    struct rules;
    std::unique_ptr<const rules> rules_;
};

}  // namespace minsheng::dialog::nlu::detail
