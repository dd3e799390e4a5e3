#pragma once
// Calendar dates and China time (UTC+08:00, no daylight saving since 1991), the clock that
// working days and deadlines are counted in. Instants are Unix seconds (std::int64_t).
// Every date and instant here must lie in years 1–9999 (what parse_date and parse_iso8601
// produce); callers taking instants from elsewhere check supports() first.
// Pure functions of their arguments: safe from any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace minsheng::dialog {

// A proleptic Gregorian calendar date.
using civil_date = std::chrono::year_month_day;

// China time is UTC+08:00 all year.
inline constexpr std::int64_t china_offset_seconds = 8 * 3600;
inline constexpr std::int64_t seconds_per_day = 86400;

// Days since 1970-01-01 (negative before it) and back.
std::int64_t day_number(civil_date d);
civil_date date_of_day_number(std::int64_t n);

// "2026-02-13" (exactly YYYY-MM-DD, year 0001–9999). nullopt if malformed or not a real date
// (2026-02-30).
std::optional<civil_date> parse_date(std::string_view text);
// "2026-02-13".
std::string format_date(civil_date d);
// "Mon".."Sun" for d.
std::string_view weekday_name(civil_date d);
// Saturday or Sunday.
bool is_weekend(civil_date d);

// Whether the China date of instant unix is in years 1–9999.
bool supports(std::int64_t unix);

// The date in China at instant unix (whatever offset the instant was written with).
civil_date china_date(std::int64_t unix);
// The instant that is second_of_day seconds after midnight of d in China time.
std::int64_t china_unix(civil_date d, std::int64_t second_of_day);
// Seconds since midnight in China time at instant unix, 0–86399.
std::int64_t china_second_of_day(std::int64_t unix);

// [first instant, first instant of the next month) of the China-time calendar month containing
// instant unix: the window of "this month's" rankings.
std::pair<std::int64_t, std::int64_t> china_month(std::int64_t unix);

// The same day `months` months after d, or the last day of that month when it has no such day
// (2026-08-31 + 6 → 2027-02-28; 2027-08-31 + 6 → 2028-02-29).
civil_date add_months_clamped(civil_date d, int months);

}  // namespace minsheng::dialog
