#pragma once
// Every JSON body the operator API takes (docs/operator-api.md), read into a value or refused
// with a one-line English reason (always 400 bad_request). The handlers (case_actions.cpp) act
// only on what these return, so that fuzz/fuzz_operator_bodies.cpp can try them on any bytes
// without a server.
//
// Pure functions of their arguments; thread-safe; nothing here throws except std::bad_alloc.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "dialog/cases/service.hpp"

namespace minsheng::gateway::operator_api {

// Why a body is refused.
struct bad_body {
    std::string reason;
};

template <class T>
using body_result = std::variant<T, bad_body>;

// A note or a reply: not blank, at most this many code points.
inline constexpr std::size_t max_text_chars = 2000;

// POST /api/v1/cases/{id}/actions {"action", "note"?, "assignee"?, "comment"?, "into"?,
// "rating"?}. assign needs an assignee; merge needs into (a case id > 0 or a case number, which
// the handler resolves).
struct action_request {
    dialog::cases::action what{};
    dialog::cases::act_args args;
    std::string into_number;  // merge target given as a case number
};
body_result<action_request> parse_action(std::string_view body);

// POST /api/v1/cases/{id}/notes {"text"}: the text.
struct note_request {
    std::string text;
};
body_result<note_request> parse_note(std::string_view body);

// POST /api/v1/cases/{id}/reply: {"canned": "<key>"} or {"text"}, exactly one. Whether the key
// names a canned reply is the handler's to check.
struct reply_request {
    std::string canned;  // "" : free text
    std::string text;
};
body_result<reply_request> parse_reply(std::string_view body);

// POST /api/v1/cases/{id}/followers/split {"follower": n, "joined_at": "<ISO-8601>"}: the n-th
// (1-based) of the case's `followers` as the case's view lists them, with its `joined_at` as
// shown there (the handler checks that row is still the n-th).
struct split_request {
    std::size_t follower = 0;  // 1..max_followers
    std::int64_t joined_at = 0;
};
inline constexpr std::size_t max_followers = 100000;
body_result<split_request> parse_split(std::string_view body);

}  // namespace minsheng::gateway::operator_api
