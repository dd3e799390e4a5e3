#pragma once
// Private to adapters/db: the human-facing numbers of cases and proposals, prefix + YYYYMMDD +
// "-" + sequence, where the day is the calendar day in China (UTC+8, no daylight saving) of the
// creation time and the sequence counts that day's numbers of that prefix from 1 (counters in
// the case_numbers table). The formatting and parsing functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::db::detail {

class statement_cache;

inline constexpr std::string_view case_number_prefix = "MS";      // every kind but wishes
inline constexpr std::string_view wish_number_prefix = "WX";      // 民生微心愿
inline constexpr std::string_view proposal_number_prefix = "YS";  // 微实事 proposals

// Creation times the numbering accepts: 1970-01-01 up to the end of 9999 (China time).
inline constexpr std::int64_t earliest_case_time = -8 * 3600;
inline constexpr std::int64_t latest_case_time = 253402271999;  // 9999-12-31T23:59:59+08:00

// "YYYYMMDD" of `unix_seconds` in China time. Throws std::out_of_range outside the range above.
std::string china_day(std::int64_t unix_seconds);

// "MS20261123-0007": at least four digits, more once a day passes 9999 numbers.
std::string case_number(std::string_view prefix, std::string_view day, std::int64_t sequence);

// The canonical form of a number as a person may type it: surrounding spaces dropped, letters
// upper-cased, the dash optional ("wx202611230001" -> "WX20261123-0001"). nullopt when it is not
// two letters, eight digits, an optional dash and at least four digits.
std::optional<std::string> canonical_number(std::string_view typed);

// Allocates the next number of `prefix` on the China day of `at` in the current transaction.
// Throws std::out_of_range when `at` is outside the numbering's range, store_error when no number
// was allocated, sql::error on storage failure.
std::string allocate_number(statement_cache& sql, std::string_view prefix, std::int64_t at);

}  // namespace minsheng::adapters::db::detail
