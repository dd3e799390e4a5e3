#pragma once
// Finding the problems in what a hotline caller said, or in one long message: how many distinct
// problems were raised and where each starts. One problem is one case.
//
// The caller's words are cut into sentences (and, before a strong marker, into clauses). A new
// problem starts only where the words or the call say so:
//   - a strong marker at a sentence or clause start ("还有一件事", "另外一个问题", "再反映一个",
//     "第二个问题", "顺便说一下", ...): always;
//   - a caller turn answering an agent's invitation ("还有别的问题吗？"), unless it says nothing
//     ("没有了，谢谢") or points back to the same matter ("刚才那个", "补充一下", ...);
//   - a weak marker at a sentence start ("还有，", "另外，", "此外", "同时") or a caller turn after
//     any other agent line: only when the category model is sure of both sides and they differ
//     (strong evidence of another department's matter).
// Nothing else splits: a letter with a title, its complaint, rhetorical questions, 此致/敬礼,
// dates and signatures is one problem. Greetings and thanks at either end of a problem stay out
// of its range; a piece that does not read as an appeal on its own (a closing formula, a
// rhetorical question) joins its neighbour rather than standing alone. When in doubt, one
// problem. A call that is all one long complaint is still one appeal: nobody rings 12345 for
// nothing. The engine reads each candidate piece at most once with classify_category and each
// problem once with understand(). Pure; thread-safe given a shared engine.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::dialog::intake {

// What started an appeal.
enum class appeal_cue {
    first,   // the first problem of the text
    marker,  // the caller's words ("还有一件事", or "另外" with another department's matter)
    invited,   // the caller's turn after the agent asked for another problem
    new_turn,  // a caller turn about another department's matter, without a marker
};

struct call_appeal {
    std::size_t begin = 0;  // byte range in the caller text given to find_appeals
    std::size_t end = 0;
    std::string text;               // the caller's words for this appeal
    nlu::understanding understood;  // of `text`
    appeal_cue cue = appeal_cue::first;
};

// What the agent said between two caller turns: `before` is the byte offset in the caller text
// where the caller turn that answers it begins (the caller turns are joined, e.g. with "\n").
struct agent_line {
    std::size_t before = 0;
    std::string_view text;
};

// Appeals in order of mention, non-overlapping. Empty only when the caller said nothing that
// reads as a need or a problem (fewer than a handful of characters, greetings and thanks).
std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view caller_text);

// The same, knowing what the agent said between the caller's turns (in order of `before`).
std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view caller_text,
                                      std::span<const agent_line> agent);

// Whether an agent's line asks the caller for another problem ("还有别的问题吗？", "还有其他需要
// 反映的吗"), as opposed to asking about the same one ("还有什么要补充的吗？", "具体在哪里？").
bool invites_another_problem(const nlu::engine& engine, std::string_view agent_text);

}  // namespace minsheng::dialog::intake
