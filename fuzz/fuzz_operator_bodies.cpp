// Every JSON body the operator API takes (gateway/operator/bodies.hpp): the input is the body,
// read as an action, a note, a reply and a follower split.
// Contracts: nothing throws; a refusal has a reason; an accepted action names a known action,
// assign has an assignee, merge has a target, a rating is 1..5; a note or reply text is valid
// UTF-8, not blank and at most 2000 code points; a reply is canned or text, never both; a split
// names a position 1..max_followers and a time in years 1-9999; what is
// accepted can be written back as JSON, which the handlers do next.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "dialog/utf8.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/operator/bodies.hpp"

using namespace minsheng::gateway::operator_api;
namespace cases = minsheng::dialog::cases;

namespace {

void check_text(const std::string& t) {
    FUZZ_CHECK(minsheng::dialog::is_valid_utf8(t));
    FUZZ_CHECK(t.find_first_not_of(" \t\r\n") != std::string::npos);
    FUZZ_CHECK(minsheng::dialog::count_code_points(t) <= max_text_chars);
    (void)nlohmann::json(t).dump();
}

// The accepted value inside `r` (which must outlive the pointer), or nullptr.
template <class T>
const T* accepted(const body_result<T>& r) {
    if (const auto* bad = std::get_if<bad_body>(&r)) FUZZ_CHECK(!bad->reason.empty());
    return std::get_if<T>(&r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = minsheng::fuzz::as_view(data, size);

    if (const auto r1 = parse_action(body); const auto* a = accepted(r1)) {
        FUZZ_CHECK(cases::action_from_string(cases::to_string(a->what)) == a->what);
        if (a->what == cases::action::assign) FUZZ_CHECK(!a->args.assignee.empty());
        if (a->what == cases::action::merge)
            FUZZ_CHECK(a->args.merge_into > 0 || !a->into_number.empty());
        FUZZ_CHECK(a->args.merge_into >= 0);
        FUZZ_CHECK(a->args.rating == 0 || (a->args.rating >= 1 && a->args.rating <= 5));
        for (const auto* s : {&a->args.note, &a->args.assignee, &a->args.comment, &a->into_number})
            FUZZ_CHECK(minsheng::dialog::is_valid_utf8(*s));
        (void)nlohmann::json{{"note", a->args.note},
                             {"assignee", a->args.assignee},
                             {"comment", a->args.comment},
                             {"into", a->into_number}}
            .dump();
    }
    if (const auto r2 = parse_note(body); const auto* n = accepted(r2)) check_text(n->text);
    if (const auto r3 = parse_reply(body); const auto* r = accepted(r3)) {
        FUZZ_CHECK(r->canned.empty() != r->text.empty());
        if (r->canned.empty())
            check_text(r->text);
        else
            FUZZ_CHECK(minsheng::dialog::is_valid_utf8(r->canned));
    }
    if (const auto r4 = parse_split(body); const auto* s = accepted(r4)) {
        FUZZ_CHECK(s->follower >= 1 && s->follower <= max_followers);
        FUZZ_CHECK(s->joined_at > -62135596800 && s->joined_at < 253402300800);
    }
    return 0;
}
