#pragma once
// `minsheng-nlu eval --task duplicate`: precision and recall of the one-problem-one-case
// decision (dialog/cases/duplicates.hpp) on labelled appeal pairs (data/duplicates/pairs.tsv),
// with the attach threshold tuned on one part of the pairs (and cross-validated there) and the
// final figures measured on the part kept apart. One thread only.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dialog/cases/duplicates.hpp"
#include "dialog/nlu/nlu.hpp"

namespace minsheng::tools::nlu {

// One labelled pair: `appeal` arrives `hours` after `open_case` was opened.
struct duplicate_pair {
    std::string id;
    bool same = false;
    double hours = 0.0;
    std::string appeal;  // text
    std::optional<minsheng::dialog::geo_point> appeal_at;
    std::string open_case;
    std::optional<minsheng::dialog::geo_point> case_at;
};

// Reads `id<TAB>same|different<TAB>hours<TAB>appeal<TAB>where<TAB>case<TAB>where` lines (header
// first, `#` comments); a text `@<id>` is that corpus row's text, a where is `lat,lng` or `-`.
// Throws std::runtime_error naming the file and line for anything else, or an unknown corpus id.
std::vector<duplicate_pair> read_duplicate_pairs(const std::string& path,
                                                 const std::map<std::string, std::string>& corpus);

// Prints the figures, also with the appeal side in Traditional script when `traditional`, and
// with `list` each pair's gates and similarity (ids only, never texts). `seed` 0 folds the
// tuning part by the id's hash alone; another seed folds it by the hash of seed and id.
// Returns 0.
int print_duplicate_eval(std::ostream& out, const minsheng::dialog::nlu::engine& engine,
                         const std::vector<duplicate_pair>& pairs, std::uint32_t folds,
                         double target_precision, bool traditional, bool list,
                         std::uint64_t seed = 0);

}  // namespace minsheng::tools::nlu
