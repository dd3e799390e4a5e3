#pragma once
// The 12345 hotline transcript feed: what hotline systems post to /hotline/transcripts, parsed
// into plain values. Formats (docs/hotline.md has the schema and examples):
//   - one JSON object, a JSON array of objects, or NDJSON (one object per line);
//   - plain speaker-tagged text as speech-to-text systems write it ("坐席：… / 市民：…", one turn
//     per line, optionally led by a time "[00:01:05]" or "10:01:05"), with the call's id and the
//     caller's phone given as query parameters.
// A batch answers per call: one bad call does not sink the others. Pure functions; thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace minsheng::adapters::hotline {

struct turn {
    std::string speaker;  // "caller" | "agent"
    std::string text;
    std::string at;  // as given ("00:01:05", ISO-8601, ...); "" when none
};

struct transcript {
    std::string call_id;          // required; unique per hotline system
    std::string hotline;          // e.g. "12345"; "" when not given
    std::string caller_phone;     // digits (a leading +86 is dropped); required
    std::string caller_name;      // "" when not given
    std::string operator_id;      // the agent's id; "" when not given
    std::int64_t started_at = 0;  // unix seconds; 0 when not given
    std::int64_t ended_at = 0;
    std::string operator_category;  // the agent's own classification; "" when not given
    std::string operator_summary;   // the agent's own summary; "" when not given
    // The agent marked that the caller, told where a certificate is issued now, still wants the
    // community's help (docs/hotline.md, "Certificate requests"): a case opens for it.
    bool still_needs_help = false;
    std::vector<turn> turns;  // at least one caller turn
};

// One call of a batch: the transcript, or why it was refused (then call_id is what could be
// read of it, possibly "").
struct parsed_call {
    std::optional<transcript> call;
    std::string call_id;
    std::string error;  // English, for the per-call answer; "" when call is set
};

// The batch as a whole could not be read (empty body, not JSON where JSON was declared, more
// calls than allowed): nothing in it is processed.
struct batch_error {
    std::string message;
};

inline constexpr std::size_t max_calls_per_batch = 500;
inline constexpr std::size_t max_call_id = 128;

// Digits of a phone number: "+86 138-0013-8000" → "13800138000"; nullopt if it is not one.
std::optional<std::string> phone_digits(std::string_view raw);

// A call id (or a callback id): 1–128 printable ASCII characters, no spaces.
bool valid_call_id(std::string_view id);

// Parses a request body. `content_type` chooses the format: application/json (object or
// array), application/x-ndjson (or application/jsonl), text/plain (speaker-tagged; `params`
// must hold call_id and caller_phone, and may hold hotline, caller_name, operator_id,
// still_needs_help).
// Returns the calls in order, or a batch_error.
std::variant<std::vector<parsed_call>, batch_error> parse_batch(
    std::string_view body, std::string_view content_type,
    const std::map<std::string, std::string, std::less<>>& params);

// The caller's words, in order, with each turn's byte range in the joined text: the engine
// reads the caller, not the agent's scripted lines.
struct caller_text {
    std::string text;  // caller turns joined with "\n"
    struct piece {
        std::size_t turn_index = 0;  // index into transcript::turns
        std::size_t begin = 0;       // byte offsets into text
        std::size_t end = 0;
    };
    std::vector<piece> pieces;
};
caller_text caller_words(const transcript& t);

}  // namespace minsheng::adapters::hotline
