// The 12345 transcript feed (adapters/hotline/transcript.hpp parse_batch): JSON, NDJSON and
// speaker-tagged text.
//
// Input: one control byte choosing the Content-Type, then the request's query string up to the
// first '\n' (the text format's call_id, caller_phone, ...), then the body.
// Contracts: nothing throws; a batch answers per call (text/plain: exactly one), at most 500;
// each call is either a transcript or an error; a transcript has a valid call id, a phone of
// 7-15 digits, 1-2000 turns by "caller" or "agent", a caller who says something, and every text
// is valid UTF-8 (no character cut in half); caller_words() gives byte ranges that are exactly
// the caller's turns.
// The same body is also read as a return visit (adapters/hotline/feedback.hpp parse_callback):
// nothing throws; a visit has a valid callback id, a case number of two upper-case letters and
// digits or dashes, a phone of 7-15 digits, a rating 1-5 and a comment of valid UTF-8 of at most
// 500 characters; anything else is an error with a message. And as a "not the same problem"
// request (parse_not_same): a valid request id, case number and phone, or an error with a message.

#include <array>
#include <cstdint>
#include <string>
#include <variant>

#include "adapters/hotline/feedback.hpp"
#include "adapters/hotline/transcript.hpp"
#include "adapters/http/query_string.hpp"
#include "dialog/utf8.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::hotline;
using minsheng::dialog::is_valid_utf8;

namespace {

constexpr std::array<std::string_view, 6> content_types = {
    "application/json",
    "application/x-ndjson",
    "text/plain; charset=utf-8",
    "application/jsonl",
    "application/json; charset=UTF-8",
    "text/csv",  // refused as a whole
};

void check_transcript(const parsed_call& pc) {
    const transcript& t = *pc.call;
    FUZZ_CHECK(pc.error.empty());
    FUZZ_CHECK(t.call_id == pc.call_id);
    FUZZ_CHECK(!t.call_id.empty() && t.call_id.size() <= 128);
    for (unsigned char c : t.call_id) FUZZ_CHECK(c >= 0x21 && c <= 0x7e);
    FUZZ_CHECK(t.caller_phone.size() >= 7 && t.caller_phone.size() <= 15);
    for (char c : t.caller_phone) FUZZ_CHECK(c >= '0' && c <= '9');
    FUZZ_CHECK(!t.turns.empty() && t.turns.size() <= 2000);
    bool caller_spoke = false;
    for (const auto& tu : t.turns) {
        FUZZ_CHECK(tu.speaker == "caller" || tu.speaker == "agent");
        FUZZ_CHECK(is_valid_utf8(tu.text));
        FUZZ_CHECK(is_valid_utf8(tu.at));
        if (tu.speaker == "caller" && !tu.text.empty()) caller_spoke = true;
    }
    FUZZ_CHECK(caller_spoke);

    const caller_text words = caller_words(t);
    FUZZ_CHECK(!words.pieces.empty());
    std::size_t expected_begin = 0;
    for (const auto& p : words.pieces) {
        FUZZ_CHECK(p.turn_index < t.turns.size());
        FUZZ_CHECK(p.begin == expected_begin && p.begin <= p.end && p.end <= words.text.size());
        const auto& tu = t.turns[p.turn_index];
        FUZZ_CHECK(tu.speaker == "caller");
        FUZZ_CHECK(words.text.compare(p.begin, p.end - p.begin, tu.text) == 0);
        expected_begin = p.end + 1;  // the "\n" between turns
    }
    FUZZ_CHECK(words.pieces.back().end == words.text.size());
}

void check_callback(std::string_view body, std::string_view type) {
    const auto visit = parse_callback(body, type);
    if (const auto* e = std::get_if<callback_error>(&visit)) {
        FUZZ_CHECK(!e->message.empty());
        return;
    }
    const callback& v = std::get<callback>(visit);
    FUZZ_CHECK(!v.callback_id.empty() && v.callback_id.size() <= 128);
    for (unsigned char c : v.callback_id) FUZZ_CHECK(c >= 0x21 && c <= 0x7e);
    FUZZ_CHECK(v.number.size() >= 10 && v.number.size() <= 32);
    FUZZ_CHECK(v.number[0] >= 'A' && v.number[0] <= 'Z' && v.number[1] >= 'A' &&
               v.number[1] <= 'Z');
    for (char c : v.number.substr(2)) FUZZ_CHECK((c >= '0' && c <= '9') || c == '-');
    FUZZ_CHECK(v.caller_phone.size() >= 7 && v.caller_phone.size() <= 15);
    for (char c : v.caller_phone) FUZZ_CHECK(c >= '0' && c <= '9');
    FUZZ_CHECK(v.rating >= 1 && v.rating <= 5);
    FUZZ_CHECK(is_valid_utf8(v.comment));
    FUZZ_CHECK(minsheng::dialog::count_code_points(v.comment) <= max_feedback_comment_chars);
}

void check_not_same(std::string_view body, std::string_view type) {
    const auto ask = parse_not_same(body, type);
    if (const auto* e = std::get_if<callback_error>(&ask)) {
        FUZZ_CHECK(!e->message.empty());
        return;
    }
    const not_same& n = std::get<not_same>(ask);
    FUZZ_CHECK(!n.request_id.empty() && n.request_id.size() <= 128);
    for (unsigned char c : n.request_id) FUZZ_CHECK(c >= 0x21 && c <= 0x7e);
    FUZZ_CHECK(n.number.size() >= 10 && n.number.size() <= 32);
    FUZZ_CHECK(n.number[0] >= 'A' && n.number[0] <= 'Z' && n.number[1] >= 'A' &&
               n.number[1] <= 'Z');
    for (char c : n.number.substr(2)) FUZZ_CHECK((c >= '0' && c <= '9') || c == '-');
    FUZZ_CHECK(n.caller_phone.size() >= 7 && n.caller_phone.size() <= 15);
    for (char c : n.caller_phone) FUZZ_CHECK(c >= '0' && c <= '9');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view type = content_types[data[0] % content_types.size()];
    std::string_view rest = minsheng::fuzz::as_view(data + 1, size - 1);
    const auto params = minsheng::adapters::http::decode_query(minsheng::fuzz::take_line(rest));
    if (!params) return 0;  // the route answers 400 first
    const std::string_view body = rest;
    check_callback(body, type);
    check_not_same(body, type);

    const auto result = parse_batch(body, type, *params);
    if (const auto* e = std::get_if<batch_error>(&result)) {
        FUZZ_CHECK(!e->message.empty());
        return 0;
    }
    const auto& calls = std::get<std::vector<parsed_call>>(result);
    FUZZ_CHECK(is_valid_utf8(body));
    FUZZ_CHECK(calls.size() <= max_calls_per_batch);
    if (type.starts_with("text/plain")) FUZZ_CHECK(calls.size() == 1);
    if (type.starts_with("application/json")) FUZZ_CHECK(!calls.empty());
    for (const auto& pc : calls) {
        if (pc.call)
            check_transcript(pc);
        else
            FUZZ_CHECK(!pc.error.empty());
    }
    return 0;
}
