#pragma once
// `minsheng-nlu eval --task segments`: how well dialog/intake find_appeals tells how many
// problems a call or long message raises and where each starts.
//
// Data (data/nlu/segments-*.tsv): `id<TAB>turns`, '#' lines are comments. Turns are separated by
// '|'; each is `role:text` with role `caller+` (caller words that start a new problem),
// `caller` (caller words that go on with the current problem) or `agent`. A text `@ID` is the
// corpus message with that id, read from the corpus at run time (the corpus texts are never in
// the repository). Caller pieces with no agent line between them are one caller turn (joined as
// they are, with a "。" between when the earlier one does not end a sentence: a pause, as speech
// to text writes it); caller turns are joined with "\n", as the hotline joins them; each agent line
// is given to find_appeals before the caller turn after it. The truth is the number of `caller+`
// pieces and the byte offset where each starts in the joined caller text.
//
// Scores: exact-count accuracy for single-, two- and three-problem items and overall; boundary
// precision/recall/F1 over the starts of the second and later problems, where a predicted start
// matches a true one (one-to-one, in order) when no sentence end (。！？!?；; or a line break)
// lies between them or they are at most 6 bytes apart. Never prints the texts.

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::tools::nlu {

struct segment_turn {
    enum class role { caller_new, caller, agent } who = role::caller;
    std::string text;  // corpus reference already resolved
};

struct segment_item {
    std::string id;
    std::vector<segment_turn> turns;
};

// Reads the data file, resolving `@ID` against `corpus` (id -> text). Throws std::runtime_error
// naming the file and line for a malformed line or an unknown corpus id.
std::vector<segment_item> read_segment_items(const std::string& path,
                                             const std::map<std::string, std::string>& corpus);

struct segment_scores {
    std::size_t items[4] = {};    // by true number of problems: [1], [2], [3]; [0] for more
    std::size_t correct[4] = {};  // exact count
    std::size_t over = 0;         // predicted more problems than there are
    std::size_t under = 0;
    std::size_t max_predicted_single = 0;  // most appeals found in a single-problem item
    std::size_t true_starts = 0;           // of second and later problems
    std::size_t predicted_starts = 0;
    std::size_t matched_starts = 0;
    double seconds = 0;  // in find_appeals
    std::size_t bytes = 0;
    std::vector<std::string> wrong;  // "id true->predicted"
};

// Runs find_appeals on every item (texts converted by `convert` when given) and scores it.
segment_scores score_segments(const dialog::nlu::engine& engine,
                              const std::vector<segment_item>& items,
                              const std::function<std::string(std::string_view)>* convert);

void print_segment_scores(std::ostream& out, const segment_scores& s, bool list_errors);

}  // namespace minsheng::tools::nlu
