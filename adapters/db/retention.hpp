#pragma once
// Keeping personal data no longer than needed (docs/security.md, "Retention"): the raw texts of
// inbound messages (which hold phones, ID numbers, addresses and health troubles as residents
// typed them) are deleted once older than the retention period; expired mini program sessions
// and expired staff binding codes are deleted, and so are phone verification codes after a day
// and the text of verification SMS once sent; what a follower reported (kept to open their own
// case if it proves another problem) is blanked once their case was closed that long. Cases keep
// what they need (their description is masked wherever it is shown); a message row is only needed
// for a few minutes, to answer the platform's retries of the same message, and for 48 hours, to
// know whether a user can be sent a customer-service message.
//
// Runs on the single writer, as one unit of its open batch; storage failures throw store_error.

#include <cstdint>

#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

struct retention_report {
    std::int64_t messages = 0;          // message rows deleted
    std::int64_t sessions = 0;          // expired mini program sessions deleted
    std::int64_t bind_codes = 0;        // expired staff binding codes deleted
    std::int64_t phone_codes = 0;       // phone verification codes older than a day deleted
    std::int64_t phone_code_texts = 0;  // sent verification SMS whose text was blanked
    std::int64_t follower_reports = 0;  // followers' reports of cases closed before the period
};

// Phone verification codes are kept a day (the daily limits count them), then deleted.
inline constexpr std::int64_t phone_code_keep_seconds = 86400;

// Most message rows one call deletes, so that a first run over years of messages does not hold
// the writer for long: the sweep calls again a minute later.
inline constexpr std::int64_t max_messages_per_purge = 5000;

// Deletes messages received before `messages_before` (at most max_messages_per_purge, oldest
// first), sessions and binding codes that expired before `now`, and phone verification codes
// older than phone_code_keep_seconds; blanks the text of verification SMS no longer pending and
// the reports of followers of cases closed before `messages_before`.
retention_report purge_expired(store& s, std::int64_t now, std::int64_t messages_before);

}  // namespace minsheng::adapters::db
