#pragma once
// Civil-date arithmetic for relative dates (proleptic Gregorian, days since 1970-01-01) and the
// ISO 8601 forms the extractor reports. China time is UTC+8 without daylight saving.
// Pure functions: thread-safe.

#include <cstdint>
#include <cstdio>
#include <string>

#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::nlu::detail {

struct civil_date {
    std::int64_t year = 1970;
    unsigned month = 1;  // 1..12
    unsigned day = 1;    // 1..31
};

// The extractor's integer view of the shared date helpers in dialog/values/civil_time.hpp.
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    return dialog::day_number(dialog::civil_date{std::chrono::year{static_cast<int>(y)},
                                                 std::chrono::month{m}, std::chrono::day{d}});
}

inline civil_date civil_from_days(std::int64_t z) {
    const dialog::civil_date d = dialog::date_of_day_number(z);
    return {static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
            static_cast<unsigned>(d.day())};
}

inline bool valid_date(std::int64_t y, unsigned m, unsigned d) {
    return y >= -32767 && y <= 32767 &&
           dialog::civil_date{std::chrono::year{static_cast<int>(y)}, std::chrono::month{m},
                              std::chrono::day{d}}
               .ok();
}

// Today in China (UTC+8), as days since 1970-01-01, for a unix time in seconds.
inline std::int64_t china_day(std::int64_t unix_seconds) {
    return dialog::day_number(dialog::china_date(unix_seconds));
}

// ISO weekday, Monday = 1 .. Sunday = 7.
inline unsigned iso_weekday(std::int64_t days) {
    const std::int64_t w = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday
    return static_cast<unsigned>(w) + 1;
}

inline std::string iso_date(std::int64_t days) {
    const civil_date c = civil_from_days(days);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                  c.day);
    return buf;
}

inline std::string iso_month(std::int64_t year, unsigned month) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(year), month);
    return buf;
}

// ISO 8601 week of the given day, e.g. "2026-W10".
inline std::string iso_week(std::int64_t days) {
    const std::int64_t thursday = days - iso_weekday(days) + 4;
    const civil_date c = civil_from_days(thursday);
    const std::int64_t week = (thursday - days_from_civil(c.year, 1, 1)) / 7 + 1;
    std::string out = std::to_string(c.year);
    while (out.size() < 4) out.insert(out.begin(), '0');
    out += week < 10 ? "-W0" : "-W";
    out += std::to_string(week);
    return out;
}

}  // namespace minsheng::dialog::nlu::detail
