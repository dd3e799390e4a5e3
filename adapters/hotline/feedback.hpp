#pragma once
// The 12345 centre's return visit (回访): after a case is done the centre calls the caller back
// and posts what they said to POST /hotline/feedback (docs/hotline.md, "Return visits"): whose
// call, which case, the caller's rating and an optional comment. Parsed into plain values here;
// who may rate what is decided by the gateway against the store. Pure; thread-safe.

#include <string>
#include <string_view>
#include <variant>

namespace minsheng::adapters::hotline {

inline constexpr std::size_t max_feedback_comment_chars = 500;

struct callback {
    std::string callback_id;   // the return visit's id, unique per hotline system
    std::string number;        // the case number the caller was told ("MS…")
    std::string caller_phone;  // digits, as phone_digits makes them
    int rating = 0;            // 1..5
    std::string comment;       // what the caller added, "" when nothing (valid UTF-8)
};

struct callback_error {
    std::string message;  // English, names the field
};

// Parses one return visit from a JSON object body:
//   {"callback_id": "HF-1", "case": "MS…", "caller_phone": "137…", "rating": 4, "comment": "…"}
// `rating` is an integer 1–5 (or its digit as a string); `comment` at most 500 characters.
std::variant<callback, callback_error> parse_callback(std::string_view body,
                                                      std::string_view content_type);

// "不是同一件事": a caller told their call was the same problem as an open case says it is not,
// and the centre posts it to POST /hotline/not-same (docs/hotline.md, "Not the same problem").
struct not_same {
    std::string request_id;    // unique per hotline system: the request is taken once
    std::string number;        // the case the caller was joined to ("MS…")
    std::string caller_phone;  // digits, as phone_digits makes them
};

// Parses {"request_id": "NS-1", "case": "MS…", "caller_phone": "137…"} (a JSON object); the
// errors are callback_error's, naming the field.
std::variant<not_same, callback_error> parse_not_same(std::string_view body,
                                                      std::string_view content_type);

}  // namespace minsheng::adapters::hotline
