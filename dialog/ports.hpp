#pragma once
// The ports the dialog engine needs from the outside world. Implementations live in adapters/;
// dialog/ never includes them. One unit_of_work is one transaction: everything written through
// it commits together or not at all.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialog/message.hpp"

namespace minsheng::dialog {

struct case_draft {
    channel from = channel::wechat_oa;
    std::string reporter_id;  // openid, or caller phone for the hotline
    std::string kind;         // "wish" | "project" | "complaint" | "consultation"
    std::string category;     // one of the seven departments, "" when unsure
    double category_confidence = 0.0;
    std::string urgency;          // "urgent" | "normal"
    std::string description;      // as the resident wrote it (stored; masked in views)
    std::string address;          // as extracted, "" when none
    std::string contact_phone;    // digits, "" when none
    std::string source_key;       // dedup key of the message that opened it
    std::int64_t created_at = 0;  // unix seconds
};

struct case_record {
    std::int64_t id = 0;
    std::string number;  // human-facing case number, e.g. "MS20261123-0007"
    channel from = channel::wechat_oa;
    std::string reporter_id;
    std::string kind;
    std::string category;
    double category_confidence = 0.0;
    std::string urgency;
    std::string status;  // "received" at opening
    std::string description;
    std::string address;
    std::string contact_phone;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

// Writes and reads inside the current transaction. Called from one thread at a time.
// Implementations throw on storage failure; the caller's transaction then rolls back.
class unit_of_work {
public:
    virtual ~unit_of_work() = default;

    // Opens a case, allocating its number. The returned record is what was stored.
    virtual case_record open_case(const case_draft& draft) = 0;
    // The reporter's cases, newest first.
    virtual std::vector<case_record> cases_of(channel from, const std::string& reporter_id,
                                              std::size_t limit) = 0;

    // Per-user conversation state, opaque to the store ("" when none).
    virtual std::string load_state(channel from, const std::string& user_id) = 0;
    virtual void save_state(channel from, const std::string& user_id, const std::string& state) = 0;
};

// Time source, so tests can fix the clock.
class clock {
public:
    virtual ~clock() = default;
    virtual std::int64_t now() const = 0;  // unix seconds
};

}  // namespace minsheng::dialog
