#pragma once
// Private to sqlite_store: the human-facing case number, "MS" + YYYYMMDD + "-" + sequence, where
// the day is the calendar day in China (UTC+8, no daylight saving) of the case's creation time
// and the sequence counts that day's cases from 1. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::adapters::sqlite_store::detail {

inline constexpr std::string_view case_number_prefix = "MS";

// Creation times the numbering accepts: 1970-01-01 up to the end of 9999 (China time).
inline constexpr std::int64_t earliest_case_time = -8 * 3600;
inline constexpr std::int64_t latest_case_time = 253402271999;  // 9999-12-31T23:59:59+08:00

// "YYYYMMDD" of `unix_seconds` in China time. Throws std::out_of_range outside the range above.
std::string china_day(std::int64_t unix_seconds);

// "MS20261123-0007": at least four digits, more once a day passes 9999 cases.
std::string case_number(std::string_view day, std::int64_t sequence);

}  // namespace minsheng::adapters::sqlite_store::detail
